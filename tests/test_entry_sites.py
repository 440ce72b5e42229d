"""Entry sites on functions that branch before their stack check's jump is out of sight.

tests/go/earlyret calls functions that return early, before a bounds check whose panic block
the compiler places just before the morestack block; compiler-generated (*T).M wrappers, which
start with a nil check; a function of 11 arguments; and records its own stack once. Every tool
must see every call, with the right arguments, goroutine and stack.
"""

import re

import pytest

from conftest import assert_counts, parse_funccount
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
