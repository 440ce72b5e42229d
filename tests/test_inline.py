"""Inlined functions as targets (libgo/plan/inline.c): gofunccount counts a function's calls at
every place the compiler inlined it, and the other tools say which of what they match was
inlined.

tests/go/inlined counts its own calls of main.helper (inlined at five sites, one a loop on one
line, two inside another inlined function, and called out of line through a function value) and
of main.(*Counter).bump (which exists only inlined), per call site too; built with -gcflags=-l
nothing is inlined and the counts are the same. Its "paths" round notes the stack Go sees at
each call of main.helper along known paths (through the functions it was inlined into, one of
them without a frame), which gostack's stacks must equal, frame by frame, count by count. Over Go's own go command, every inline site the
planner uses is an instruction boundary in objdump's reading, and an independent reading of the
inline tree (tests/go/inltree, written from runtime/symtab.go) names the function there.
"""

import json
import os
import re
import subprocess

import pytest

from conftest import (ALL_VARIANTS, GO119, GO126, GoProgram, Tool, build_program, run_tool,
                      unstripped)

PATTERN = r"^main\.(helper|\(\*Counter\)\.bump)$"
SOURCE = os.path.join(os.path.dirname(__file__), "go", "inlined", "main.go")
PATHS_SOURCE = os.path.join(os.path.dirname(__file__), "go", "inlined", "paths.go")
SITE_FUNC = {"loop": "main.helper", "oneline": "main.helper", "cond": "main.helper",
             "mid1": "main.helper", "mid2": "main.helper", "value": "main.helper",
             "bump1": "main.(*Counter).bump", "bump2": "main.(*Counter).bump"}
ALL_VARIANTS.setdefault("go126-noinline", (GO126, ["-gcflags=-l"], "0"))
ALL_VARIANTS.setdefault("go119-noinline", (GO119, ["-gcflags=-l"], "0"))
VARIANTS = ["go119", "go119-stripped", "go119-pie", "go126", "go126-stripped", "go126-pie",
            "go119-noinline", "go126-noinline"]
# -v: "inlined F into CALLER at FILE:LINE[ (in OUTER)]: KIND 0xADDR" or ": not seen (WHY)"
SITE_LINE = re.compile(r"^inlined (\S+) into (\S+) at (.*):(\d+)(?: \(in (\S+)\))?: "
                       r"(?:(inline-mark|inline-start) (0x[0-9a-f]+)|not seen \((.*)\))$")


def site_lines(source=SOURCE):
    """{source line: site name} of the program's call sites, by their "site:NAME" comments."""
    with open(source) as f:
        return {n: m.group(1) for n, line in enumerate(f, 1)
                for m in [re.search(r"// site:(\w+)", line)] if m}


def count(binary):
    """Run gofunccount -v on one round of the program: (report, {func: count}, [-v site], stderr)."""
    with GoProgram(binary) as prog:
        with Tool("gofunccount", "-v", "-r", "-p", str(prog.pid), PATTERN) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"status {status}\n{err}\n{out}"
    counts = {m.group(1): int(m.group(2)) for m in
              (re.match(r"^(main\.\S+)\s+(\d+)$", line) for line in out.splitlines()) if m}
    sites = [m.groups() for m in map(SITE_LINE.match, out.splitlines()) if m]
    return report, counts, sites, out, err


@pytest.mark.parametrize("variant", VARIANTS)
def test_counts(variant):
    """Every call counts, inlined or not: each function's count is the program's own (and the
    same as with nothing inlined); -v lists each inlined site with its caller, line and kind;
    the method that exists only inlined is matched by its name from the inline tree."""
    binary = build_program(variant, "inlined")
    report, counts, sites, out, err = count(binary)
    lines = site_lines()
    assert sum(report["sites"][s] for s in SITE_FUNC if SITE_FUNC[s] == "main.helper") == \
        report["main.helper"], report  # the program's own account adds up
    assert counts == {"main.helper": report["main.helper"],
                      "main.(*Counter).bump": report["main.(*Counter).bump"]}, (report, out, err)
    listed = {}
    for func, caller, path, line, outer, kind, addr, why in sites:
        if (outer or caller) != "main.round":  # the "paths" round's: test_gostack_paths
            continue
        assert os.path.basename(path) == "main.go" and int(line) in lines, (path, line)
        name = lines[int(line)]
        assert SITE_FUNC[name] == func and why is None, (name, func, why)
        assert caller == ("main.mid" if name.startswith("mid") else "main.round"), (name, caller)
        assert outer == ("main.round" if caller == "main.mid" else None), (name, outer)
        listed[name] = kind
    if variant.endswith("noinline"):
        assert not listed and "exists only inlined" not in out, out
        return
    # everything but the call through a function value was inlined, at its own site
    assert set(listed) == set(SITE_FUNC) - {"value"}, (listed, out)
    assert "main.(*Counter).bump (exists only inlined)" in out, out
    assert "note:" not in err, err


def dry_run(tool, binary, pattern, *args):
    result = run_tool(tool, "--dry-run", "-j", *args, f"{binary}:{pattern}", timeout=300)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return [r for r in records if "addr" in r], records[-1], result.stderr


@pytest.mark.unprivileged
def test_dry_run_kinds():
    """--dry-run lists each inlined call's probe with its kind and caller; the one-line loop's
    site, whose mark is the loop's entry jump, is probed in the inlined code, not at its mark."""
    binary = build_program("go126", "inlined")
    sites, summary, _ = dry_run("gofunccount", binary, PATTERN, "-r")
    kinds = {(s["kind"], s["func"]) for s in sites}
    assert {("inline-mark", "main.(*Counter).bump"), ("inline-start", "main.helper"),
            ("entry", "main.helper")} <= kinds, kinds
    assert {s["caller"] for s in sites if s["kind"].startswith("inline")} == \
        {"main.round", "main.inner", "main.bare", "main.viaMid"}, sites
    assert summary["inline_unseen"] == [] and summary["functions"] == 2, summary
    sites, summary, _ = dry_run("gofunccount", binary, "main.(*Counter).bump")  # inlined only
    assert {s["kind"] for s in sites} == {"inline-mark", "inline-start"} and \
        summary["functions"] == 1, (sites, summary)


@pytest.mark.unprivileged
def test_other_tools_say():
    """Tools that cannot see inlined calls say which matched functions were inlined; a function
    that exists only inlined is an error that says so, not 'no functions matched'."""
    binary = build_program("go126", "inlined")
    _, _, err = dry_run("gofunclatency", binary, "main.helper")
    assert "note: main.helper was also inlined, at 9 call sites" in err, err
    result = run_tool("gofunclatency", "--dry-run", f"{binary}:main.(*Counter).bump")
    assert result.returncode == 1, result
    assert "main.(*Counter).bump exists only inlined into its callers: an inlined call has no " \
           "return to time" in result.stderr, result.stderr


@pytest.mark.unprivileged
def test_within_inlined_said():
    """--within FUNC cannot see FUNC's inlined calls (no entry or return marks the goroutine):
    where FUNC was also inlined it says so; where FUNC exists only inlined it is an error, not a
    count of 0."""
    binary = build_program("go126", "inlined")
    result = run_tool("gofunccount", "--dry-run", "--within", "main.helper", f"{binary}:main.round")
    assert result.returncode == 0, result.stderr
    assert "note: main.helper was also inlined, at 9 call sites, which --within does not see: " \
           "calls made there are not within it" in result.stderr, result.stderr
    result = run_tool("gofunccount", "--dry-run", "--within", "main.(*Counter).bump",
                      f"{binary}:main.round")
    assert result.returncode == 1, result
    errors = [line for line in result.stderr.splitlines() if ": note: " not in line]
    assert errors == [f"gofunccount: cannot trace --within in '{binary}': 'main.(*Counter).bump' "
                      "matches only functions that exist only inlined into their callers, which "
                      "have no entry or return to see"], result.stderr


@pytest.mark.unprivileged
def test_whole_go_command():
    """Over Go 1.26's go command, all of runtime.* (inlined across the whole binary; '*', 29,219
    sites, takes minutes on the sanitizer build): each inline site the plan uses is an
    instruction in objdump's reading, and the inline tree, read independently, names the
    function there: among the calls whose mark it is (inline-mark), or running there
    (inline-start). Most sites are usable; the others are listed with a reason."""
    sites, summary, _ = dry_run("gofunccount", GO126, "runtime.*")
    sites = [s for s in sites if s["kind"].startswith("inline")]
    dump = subprocess.run(["objdump", "-d", "--no-show-raw-insn", GO126], capture_output=True,
                          text=True, check=True).stdout
    insns = {int(m.group(1), 16) for m in re.finditer(r"^ +([0-9a-f]+):\t", dump, re.M)}
    helper = build_program("go126", "inltree")
    query = "".join(s["addr"] + "\n" for s in sites)
    answer = subprocess.run([helper, GO126], input=query, capture_output=True, text=True,
                            check=True).stdout.splitlines()
    assert len(answer) == len(sites)
    bad = []
    for site, line in zip(sites, answer):
        _, chain, marks, _ = line.split("\t")
        names = marks if site["kind"] == "inline-mark" else chain
        if int(site["addr"], 16) not in insns or site["func"] not in names.split(" | "):
            bad.append((site, line))
    assert not bad, f"{len(bad)} of {len(sites)}: {bad[:5]}"
    unseen = summary["inline_unseen"]
    assert len(sites) > 3000 and len(sites) > 2 * len(unseen), (len(sites), len(unseen))
    assert all(u["why"] and u["func"] and u["mark"] for u in unseen)


def test_gotrace_events():
    """gotrace prints an event per inlined call, of a method that exists only inlined too; with
    arguments asked for, it traces the out-of-line calls and says why not the inlined ones."""
    binary = build_program("go126", "inlined")
    with GoProgram(binary) as prog:
        with Tool("gotrace", "-p", str(prog.pid), "main.(*Counter).bump",
                  "main.helper \"%d\", goarg1") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    events = [line for line in out.splitlines() if " main." in line]
    assert sum("main.(*Counter).bump" in e for e in events) == report["main.(*Counter).bump"], out
    assert sum("main.helper" in e for e in events) == report["sites"]["value"], out
    assert "main.helper was also inlined, at 9 call sites, which this probe does not trace: " \
           "an inlined call's arguments are wherever its caller's code keeps them" in err, err


def helper_lines():
    """The lines of main.helper in main.go: from its "func" line to its closing brace."""
    with open(SOURCE) as f:
        text = f.read().splitlines()
    first = next(n for n, line in enumerate(text, 1) if line.startswith("func helper("))
    return range(first, next(n for n in range(first, len(text) + 1) if text[n - 1] == "}") + 1)


def expected_paths(report):
    """{path: (count, [(func, file, line)] below main.helper)}: the functions main.helper was
    inlined into on each path, at their "site:" lines, then the frames the program noted."""
    mid = {name: line for line, name in site_lines().items()}
    bare = {name: line for line, name in site_lines(PATHS_SOURCE).items()}["bare"]
    inlined_into = {"bare": [("main.bare", PATHS_SOURCE, bare)],
                    "mid1": [("main.mid", SOURCE, mid["mid1"])],
                    "mid2": [("main.mid", SOURCE, mid["mid2"])]}
    return {name: (p["count"], inlined_into.get(name, []) +
                   [(f["func"], f["file"], f["line"]) for f in p["frames"]])
            for name, p in report["paths"].items()}


def gostack_stacks(out):
    """gostack -l's stacks: [(count, [(func, file, line)], leaf first)]."""
    stacks, frames = [], []
    for line in out.splitlines():
        if re.fullmatch(r"    \d+", line):
            stacks.append((int(line), frames))
            frames = []
        elif line.startswith("  ") and not line.startswith("   "):
            m = re.fullmatch(r"  (\S+) (.+):(\d+)", line)
            assert m, f"frame {line!r} is not 'FUNC FILE:LINE' in:\n{out}"
            frames.append((m.group(1), m.group(2), int(m.group(3))))
    return stacks


@pytest.mark.parametrize("variant", ["go119", "go119-stripped", "go119-pie", "go126",
                                     "go126-stripped", "go126-pie", "go126-noinline"])
def test_gostack_paths(variant):
    """gostack -l main.helper: a stack per path the program took to it, with the program's own
    count: main.helper first (its line one of its own), then the functions it was inlined
    into and their callers, each at the line runtime.CallersFrames gives; a caller without a
    frame (main.bare) is not skipped. Built with nothing inlined, the same stacks."""
    binary = build_program(variant, "inlined")
    with GoProgram(binary) as prog:
        with Tool("gostack", "-l", "-p", str(prog.pid), "main.helper") as t:
            prog.go("paths")
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0 and "note:" not in err, f"status {status}\n{err}\n{out}"
    want = expected_paths(report)
    got = gostack_stacks(out)
    assert sum(c for c, _ in got) == sum(c for c, _ in want.values()) == report["main.helper"], out
    lines = helper_lines()
    for count, frames in got:
        func, path, line = frames[0]
        assert func == "main.helper" and path == SOURCE and line in lines, (frames[0], out)
    for name, (count, frames) in want.items():
        match = [c for c, f in got if f[1:] == frames]
        assert match == [count], f"path {name} (count {count}): {match}\n{frames}\n{out}"
    assert len(got) == len(want), out


@pytest.mark.parametrize("tool", ["gofunclatency", "gofuncslower"])
def test_timing_tools_list_sites(tool):
    """gofunclatency -v and gofuncslower -v list where the matched function was inlined (caller,
    file:line, the function holding it), each not seen, and why: they time the calls out of
    line only."""
    binary = build_program("go126", "inlined")
    result = run_tool(tool, "-v", "-d", "1", f"{binary}:main.helper", timeout=60)
    assert result.returncode == 0, result.stderr
    untimed = re.compile(r"^inlined main\.helper into (\S+) at (.*):(\d+)(?: \(in (\S+)\))?: "
                         r"not seen \(an inlined call has no return to time\)$")
    names = {**{(SOURCE, n): s for n, s in site_lines().items()},
             **{(PATHS_SOURCE, n): s for n, s in site_lines(PATHS_SOURCE).items()}}
    got = sorted((caller, names[(path, int(line))], outer) for caller, path, line, outer in
                 (m.groups() for m in map(untimed.match, result.stdout.splitlines()) if m))
    assert got == sorted([("main.round", "loop", None), ("main.round", "oneline", None),
                          ("main.round", "cond", None), ("main.mid", "mid1", "main.round"),
                          ("main.mid", "mid2", "main.round"), ("main.inner", "inner", None),
                          ("main.bare", "bare", None), ("main.mid", "mid1", "main.viaMid"),
                          ("main.mid", "mid2", "main.viaMid")]), result.stdout


def test_gostack_says_unseen():
    """gostack says which inlined calls it cannot see, as gofunccount does: traced together,
    main.mid's inlined code begins where main.helper's first call inside it has its mark, and
    one instruction takes one probe; -v names each such site with the reason."""
    binary = build_program("go126", "inlined")
    result = run_tool("gostack", "-v", "-D", "1", "-r", f"{binary}:^main\\.(mid|helper)$",
                      timeout=60)
    assert result.returncode == 0, result.stderr
    assert "note: 2 of the 11 sites where matched functions were inlined are not counted " \
           "(main.helper, ...; -v says why)" in result.stderr, result.stderr
    unseen = [m.groups() for m in map(SITE_LINE.match, result.stdout.splitlines())
              if m and m.group(8)]
    mid1 = {name: line for line, name in site_lines().items()}["mid1"]
    assert sorted(unseen) == [
        ("main.helper", "main.mid", SOURCE, str(mid1), outer, None, None,
         "its instruction is another probe's") for outer in ("main.round", "main.viaMid")], \
        result.stdout
