"""Values as goiface -V and gotrace's %v print them, against what Go's own fmt prints.

The traced program (tests/go/values) passes values of many shapes through describe(v any),
fail(err error) and show(s fmt.Stringer), and reports for each call what fmt.Sprintf prints of
it (%T, %v, and how the tools are documented to show it: %v, quoted %v, an address, a struct's
fields, or "-"). Floats are also checked alone, without BPF: libgo's formatting of tens of
thousands of edge and random values, one by one, against the program's own %v.
"""

import json
import re
import subprocess
import time

import pytest

from conftest import BuildError, GoProgram, Tool, build_program, helper

PROGRAM = "values"
# Go 1.26 and 1.19; plain, stripped, PIE linked by Go (CGO_ENABLED=0) and by an external
# linker (lld); gccgo (whose syscall.Errno texts are the C library's; its standard library's
# types, *fs.PathError, syscall.Errno, time.Duration..., are the descriptors the loader copies
# into the executable, R_X86_64_COPY, which libgo reads from the process)
VARIANTS = ["go126", "go126-stripped", "go126-pie", "go126-lld-pie", "go119", "go119-stripped",
            "go119-pie", "gccgo"]
# strconv's shortest formatting: Go 1.26's Dragonbox breaks one float32 tie otherwise
GO_MINOR = {"go126": 126, "go119": 119, "gccgo": 0}
# bytes of a string goiface (-V) and gotrace keep; a message's parts past the first: 63 each
CUT_AT = 63


def program(variant):
    try:
        return build_program(variant, PROGRAM)
    except BuildError as e:
        pytest.fail(f"cannot build {PROGRAM} as {variant}: {e}", pytrace=False)


# ---------------------------------------------------------------------------------------------
# Floats, without BPF


@pytest.mark.unprivileged
@pytest.mark.parametrize("variant", list(GO_MINOR))
def test_floats_match_go(variant):
    """Every value the program prints (every exponent's powers of two and their neighbours,
    powers of ten around fmt's %e thresholds, integers, halves, denormals, ±0, ±Inf, NaN, and
    60,000 seeded random bit patterns of each size) is printed by libgo as the
    program's own %v prints it, for the Go release that built it."""
    gofloat = helper("gofloat")
    lines = subprocess.run([program(variant), "floats"], capture_output=True, text=True,
                           check=True, timeout=60).stdout.splitlines()
    assert len(lines) > 150000, len(lines)
    ours = subprocess.run([gofloat, str(GO_MINOR[variant])], input="".join(
        " ".join(line.split()[:2]) + "\n" for line in lines), capture_output=True, text=True,
        check=True, timeout=120).stdout.splitlines()
    wrong = [(line, got) for line, got in zip(lines, ours) if line.split()[2] != got]
    assert len(ours) == len(lines) and not wrong, \
        f"{len(wrong)} of {len(lines)} differ (bits, Go's %v; libgo's):\n{wrong[:20]}"


# ---------------------------------------------------------------------------------------------
# goiface -V and gotrace %v, against the program's own fmt


def expected_text(call, quote):
    """What a tool prints of a call's value: goiface quotes (quote), gotrace does not."""
    how = call["how"]
    if how == "q" and quote:
        return call["q"]
    return {"v": call["v"], "q": call["v"], "addr": call.get("p"), "fields": call.get("f"),
            "hidden": "-"}[how]


def matches(got, want, quote):
    """got is want, or want cut after what a probe copies (a long string or message part):
    its beginning, then "..." (after the closing quote when quoted); a slice, an array or a
    struct cut after what was copied of it: [1 2 ...] of [1 2 3], [long str...] of [long string];
    a map with what was not copied of it marked: map[...], map[k:a long val...], map[m:map[...]];
    a part whose method is not run: {<String method> 2}."""
    if got == want:
        return True
    if got[-4:-1] == "..." and got[-1] in "]}" and want.endswith(got[-1]) and \
            want.startswith(got[:-4]) and len(want) > len(got) - 3:  # something was cut
        return True
    # a composite: each "..." stands for what was not copied (map[...], map[k:a long valu...]),
    # each "<String method>" for what a method that is not run would print
    marks = re.compile(r"\.\.\.|<(?:Format|Error|String) method>")
    if got[:1] in "[{&m" and marks.search(got) and re.fullmatch(
            ".+".join(re.escape(part) for part in marks.split(got)), want):
        return True
    if not got.endswith("...") or len(want) < CUT_AT:
        return False
    if quote:
        return got.endswith('"...') and want.startswith(got[:-4])
    return want.startswith(got[:-3])


def names(variant):
    stripped = variant.endswith("-stripped")
    return {"describe": "goarg1" if stripped else "v", "fail": "goarg1" if stripped else "err",
            "show": "goarg1" if stripped else "s"}


def run_goiface(binary, func, arg):
    with GoProgram(binary) as prog:
        with Tool("goiface", "-V", "-j", "-p", str(prog.pid), f"main.{func}", arg) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\n{err}"
    assert err.rstrip().endswith("Detaching...") and "not a type" not in err, err
    return report, [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("func", ["describe", "fail", "show"])
def test_goiface_values(built, variant, func):
    """goiface -V counts each call under the type %T names and the value %v prints (strings
    and the texts of Error and String methods quoted); no two types share a row, however long
    their names; nothing is left out or made up."""
    arg = names(variant)[func]
    report, rows = run_goiface(program(variant), func, arg)
    want = {}
    for c in report[func]:
        key = (c["type"], expected_text(c, True))
        want[key] = want.get(key, 0) + 1
    got = {}
    # a cut value (map[...]) is one whose whole text no row shows
    exact = {(r["type"], r["value"] or "-") for r in rows}
    for r in rows:
        assert r["func"] == f"main.{func}" and r["arg"] == arg, r
        value = r["value"] or "-"
        cands = [(t, v) for t, v in want if t == r["type"] and matches(value, v, True)]
        key = next((k for k in cands if k[1] == value), None) or \
            next((k for k in cands if k not in exact), (r["type"], value))
        got[key] = got.get(key, 0) + r["count"]
    wrong = {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if got.get(k) != want.get(k)}
    assert not wrong, "rows differ ((type, value): (goiface, the program's fmt)):\n" + \
        "\n".join(f"  {k}: {v}" for k, v in sorted(wrong.items(), key=str))


@pytest.mark.parametrize("variant", VARIANTS)
def test_gotrace_values(built, variant):
    """gotrace 'main.describe "%T %v", v, v' prints each call's type and value as the
    program's own fmt.Sprintf("%T|%v") does, in order."""
    arg = names(variant)["describe"]
    with GoProgram(program(variant)) as prog:
        with Tool("gotrace", "-j", "-p", str(prog.pid), f'main.describe "%T %v", {arg}, {arg}') as t:
            prog.go()
            report = prog.result()
            time.sleep(0.5)
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    events = [json.loads(line)["args"] for line in out.splitlines()]
    calls = report["describe"]
    assert len(events) == len(calls), f"{len(events)} events for {len(calls)} calls"
    wrong = [(c["type"], e[f"{arg}.(type)"], expected_text(c, False), e[arg]) for e, c in zip(events, calls)
             if e[f"{arg}.(type)"] != c["type"] or not matches(e[arg], expected_text(c, False), False)]
    assert not wrong, "calls differ (%T, gotrace's; value as fmt, gotrace's):\n" + \
        "\n".join(f"  {w}" for w in wrong)


# ---------------------------------------------------------------------------------------------
# A word that is not an interface's


@pytest.mark.parametrize("variant", ["go126-stripped", "go119-stripped"])
def test_goarg_not_an_interface(built, variant):
    """goiface on a stripped binary cannot know that goarg1 is no interface's first word: told
    so, the calls whose word is no type descriptor nor method table (here a pointer to a
    struct) are counted as <not a type> and said so, once, never named as a type made at run
    time; gotrace's %T and %v say the same."""
    binary = program(variant)
    with GoProgram(binary) as prog:
        with Tool("goiface", "-V", "-j", "-p", str(prog.pid), "main.locate", "goarg1") as t:
            with Tool("gotrace", "-j", "-p", str(prog.pid), 'main.locate "%T %v", goarg1, goarg1') as g:
                prog.go()
                report = prog.result()
                time.sleep(0.5)
                gstatus, gout, gerr = g.interrupt()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0 and gstatus == 0, err + gerr
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["type"], r["value"], r["count"]) for r in rows] == [("<not a type>", "", report["locate"])], out
    notes = [line for line in err.splitlines() if "not a type descriptor" in line]
    assert len(notes) == 1 and notes[0].startswith("main.locate goarg1: a call passed 0x") and \
        notes[0].endswith("which is not a type descriptor nor a method table: is goarg1 an "
                          "interface's first word?"), err
    events = [json.loads(line)["args"] for line in gout.splitlines()]
    assert events == [{"goarg1.(type)": "<not a type>", "goarg1": "-"}] * report["locate"], gout
