"""Entry sites on functions that branch before their stack check's jump is out of sight.

tests/go/earlyret calls functions that return early, before a bounds check whose panic block
the compiler places just before the morestack block; compiler-generated (*T).M wrappers, which
start with a nil check; a function of 11 arguments; and records its own stack once. Every tool
must see every call, with the right arguments, goroutine and stack.
"""

import json
import re
import time

import pytest

from conftest import GoProgram, Tool, assert_counts, parse_funccount
from test_gofunccount import count_with_pid
from test_gofunclatency import histograms, timed
from test_gotrace import events, trace

PROGRAM = "earlyret"
FUNCS = ["main.check", "main.field", "main.T.M", "main.(*T).M", "main.eleven", "main.leaf"]
FUNCS_RE = r"^main\.(check|field|T\.M|\(\*T\)\.M|eleven|leaf)$"
VARIANTS = ["go126", "go126-pie", "go119", "go117"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_early_returns_counted(built, variant):
    """gofunccount counts every call, the early returns too."""
    report, status, out, err, t = count_with_pid(built.path(variant, PROGRAM), FUNCS_RE,
                                                 args=("-r",))
    assert status == 0, err
    assert_counts(parse_funccount(out), report, out)


@pytest.mark.parametrize("variant", VARIANTS)
def test_early_returns_filtered(built, variant):
    """A gotrace filter that only the early-returning calls pass prints each of them, on the
    goroutine that made it."""
    report, out, err = trace(built.path(variant, PROGRAM), "main.check (i == 7)",
                             "main.T.M (x == 3)")
    for func, arg in (("main.check", "i"), ("main.T.M", "x")):
        rows = [e for e in events(out) if e[4] == func]
        assert len(rows) == report["early"][func], (func, report["early"], out)
        assert {e[3] for e in rows} == {report["goid"]}, out


@pytest.mark.parametrize("variant", VARIANTS)
def test_eleven_arguments(built, variant):
    """Each of the 11 arguments (the 10th and 11th on the stack) and the result of every call."""
    names = [f"a{i}" for i in range(1, 12)]
    report, out, err = trace(built.path(variant, PROGRAM),
                             'main.eleven "%d' + " %d" * 10 + '", ' + ", ".join(names),
                             'r:main.eleven "= %d", goret1')
    calls = [list(map(int, e[5].split())) for e in events(out) if e[4] == "main.eleven"
             and not e[5].startswith("=")]
    results = [int(e[5][2:]) for e in events(out) if e[5].startswith("= ")]
    assert calls == [c[:11] for c in report["eleven"]], out
    assert results == [c[11] for c in report["eleven"]], out


@pytest.mark.parametrize("variant", VARIANTS)
def test_early_returns_timed(built, variant):
    """gofunclatency times every call, each returning through a RET: none is blamed on a panic."""
    report, out, err = timed(built.path(variant, PROGRAM), FUNCS_RE, args=("-F", "-r"))
    counts = {h["func"]: h["count"] for h in histograms(out)}
    assert counts == {f: report[f] for f in FUNCS}, (report, out)
    assert "did not return" not in err, err


@pytest.mark.parametrize("variant", VARIANTS + ["go126-stripped"])
def test_user_stack_frames_once(built, variant):
    """gotrace -U at leaf's entry (on PUSH RBP, where newer kernels add the caller's return
    address to their walk themselves) and at its RET prints each frame of the stack exactly once
    and in order: the functions runtime.Callers reports in leaf itself (main.leaf, main.path2,
    main.path1, main.main, ...)."""
    report, out, err = trace(built.path(variant, PROGRAM), "main.leaf", "r:main.leaf",
                             args=("-U",))
    stacks = []
    for line in out.splitlines():
        if re.match(r"^\d+ ", line):
            stacks.append([])
        elif line.startswith("        ") and stacks:
            stacks[-1].append(line.split()[0].split("+0x")[0])
    want = report["stack"]
    assert want[:4] == ["main.leaf", "main.path2", "main.path1", "main.main"], want
    assert len(stacks) == 2 * report["main.leaf"], out
    for frames in stacks:
        assert frames[:4] == want[:4] and frames == want[:len(frames)], (want, out)


# ---------------------------------------------------------------------------------------------
# Entry probes on the stack check's own jump, under stack growth


GROWTH_VARIANTS = ["go116", "go119", "go126"]
GROWERS = r"^main\.grow(Any)?$"


def go_minor(variant):
    return int(re.match(r"go1(\d\d)", variant).group(1))


def growing(built, variant, name, *args):
    """Run the tracee's "grow" workload (tests/go/tracee: grow(300) and growAny(300, i), whose
    goroutines' stacks grow while they recurse) under `name -p PID ARGS`; return (report,
    status, stdout, stderr). The workload must have grown stacks, or the test tests nothing."""
    with GoProgram(built.path(variant, "tracee"), "grow") as prog:
        with Tool(name, "-p", str(prog.pid), *args) as t:
            prog.go()
            report = prog.result()
            time.sleep(0.3)  # let the last events through gotrace's ring buffer
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\nstderr:\n{err}\nstdout:\n{out}"
    assert report["grow_moved"] > 0 and report["growAny_moved"] > 0, \
        f"no root's stack moved: the test tests nothing: {report}"
    return report, out, err


@pytest.mark.parametrize("variant", GROWTH_VARIANTS)
def test_growth_counted_once_gofunccount(built, variant):
    """Each call of a recursive function whose goroutine's stack grows is counted once, though
    the check fails and the function starts again through it: on Go < 1.21, whose prologue has
    no PUSH after the check, the probe is on the check's jump (-v: "+N jcc") and counts only
    the passes that go on; on Go 1.21+, past the check on PUSH RBP."""
    report, out, err = growing(built, variant, "gofunccount", "-v", "-r", GROWERS)
    assert parse_funccount(out) == {f: report[f] for f in ("main.grow", "main.growAny")}, out
    for func in ("main.grow", "main.growAny"):
        site = re.search(rf"^0x[0-9a-f]+\s+(\+\d+(?: jcc)?)\s+\S+\s+{re.escape(func)}$", out, re.M)
        assert site, out
        assert site.group(1).endswith(" jcc") == (go_minor(variant) < 21), out


@pytest.mark.parametrize("variant", GROWTH_VARIANTS)
def test_growth_traced_once(built, variant):
    """gotrace prints one entry event per call, on the goroutine that made it: each root
    goroutine's 301 calls of grow under its own goroutine id (Go 1.17+; Go 1.16 has none)."""
    report, out, err = growing(built, variant, "gotrace", "main.grow")
    assert "lost" not in err, err
    rows = [e for e in events(out) if e[4] == "main.grow"]
    assert len(rows) == report["main.grow"], (report, err)
    if go_minor(variant) >= 17:
        goids = {}
        for e in rows:
            goids[e[3]] = goids.get(e[3], 0) + 1
        assert goids == {g: 301 for g in report["grow_goids"]}, (report, goids)


@pytest.mark.parametrize("variant", GROWTH_VARIANTS)
def test_growth_timed_once(built, variant):
    """gofunclatency times each call once, from its entry (on the check's jump before Go 1.21)
    to its return, on a stack that moved in between: by the call's depth in its goroutine's
    stack, which a copy keeps (Go 1.16 keeps g in thread-local storage: its goroutine is found
    through its thread's runtime.m). Every call is timed, none reported as not returned."""
    report, out, err = growing(built, variant, "gofunclatency", "-F", "-r", GROWERS)
    counts = {h["func"]: h["count"] for h in histograms(out)}
    assert counts == {f: report[f] for f in ("main.grow", "main.growAny")}, (report, out)
    assert "did not return" not in err, err


@pytest.mark.parametrize("variant", GROWTH_VARIANTS)
def test_growth_stacks(built, variant):
    """gostack counts each call once, and walks the stack from the probe (on the check's jump
    before Go 1.21: no frame set up yet) through every caller: main.grow's recursion, the
    closure that started it, the goroutine's start; stacks deeper than the kernel's 127 frames
    are counted truncated."""
    report, out, err = growing(built, variant, "gostack", "-f", "main.grow")
    total = 0
    depths = {}
    for line in out.splitlines():
        if not line or line.startswith(("Tracing", "Detaching")):
            continue
        stack, count = line.rsplit(" ", 1)
        frames = stack.split(";")
        total += int(count)
        if frames[0].startswith("[truncated"):
            assert set(frames[1:]) <= {"main.grow", "main.growing.func1", "main.rooted.func1"}, line
            continue
        assert frames[:3] == ["runtime.goexit", "main.rooted.func1", "main.growing.func1"] and \
            set(frames[3:]) == {"main.grow"}, line
        depths[len(frames) - 3] = depths.get(len(frames) - 3, 0) + int(count)
    assert total == report["main.grow"], (report, out)
    assert len(depths) > 100 and set(depths.values()) == {20}, depths


@pytest.mark.parametrize("variant", ["go117", "go119", "go126"])
def test_growth_iface(built, variant):
    """goiface reads the interface argument of each call once, at the same probe (Go 1.17+:
    goiface refuses Go 1.16, whose type data it does not read)."""
    report, out, err = growing(built, variant, "goiface", "-j", "main.growAny", "v")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["func"], r["arg"], r["type"], r["count"]) for r in rows] == \
        [("main.growAny", "v", "int", report["main.growAny"])], (report, out)
