"""The tools on gccgo code built with and without GCC's optimiser (tests/go/gccgoopt).

At -O2 GCC moves a function's split-stack block (the call of __morestack, which runs the body on
a new stack segment when the old one is full, and the RET that then returns to the caller) past
the body, and clones functions whose callers pass a constant or use part of an argument
(main.scaled.constprop.0, main.length.isra.0). Results over 16 bytes, such as (string, int),
travel through a hidden pointer in RDI at every level. Every count, argument and result is
checked against what the program reports of itself.
"""

import re

import pytest

from conftest import GoProgram, Tool, parse_funccount, run_tool
from test_gofunclatency import histograms, timed
from test_gotrace import messages, trace

PROGRAM = "gccgoopt"
GCCGO = ["gccgo", "gccgo-O2"]
DEEPS, DEEP_N = 5, 2000  # as in tests/go/gccgoopt/main.go


@pytest.mark.parametrize("variant", GCCGO)
def test_counts_under_function_names(built, variant):
    """Every function is counted under its Go name, a GCC clone too, and exactly."""
    binary = built.path(variant, PROGRAM)
    with GoProgram(binary) as prog:
        with Tool("gofunccount", "-p", str(prog.pid), "main.*") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    table = parse_funccount(out)
    assert report["main.deep"] == DEEPS * (DEEP_N + 1)
    for name, calls in report.items():
        assert table.get(name) == calls, (name, report, out)


def test_clone_pattern_and_verbose(built):
    """A pattern for main.scaled finds its clone; -v says what the clone is."""
    binary = built.path("gccgo-O2", PROGRAM)
    with GoProgram(binary) as prog:
        with Tool("gofunccount", "-v", "-p", str(prog.pid), "main.scaled") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert t.traced_count() == 1, t.banner
    assert parse_funccount(out) == {"main.scaled": report["main.scaled"]}, out
    assert re.search(r"^0x[0-9a-f]+ .* main\.scaled \(GCC clone main\.scaled\.constprop\.0\)$", out, re.M), out


@pytest.mark.parametrize("variant", GCCGO)
def test_results_at_every_return(built, variant):
    """r: probes see each call return once, with its result: also the calls of deep that
    __morestack ran on a new stack segment, whose body's RET returns into __morestack and
    which return to their caller through the RET after the call of __morestack."""
    binary = built.path(variant, PROGRAM)
    report, out, err = trace(binary, 'r:main.add "= %d", goret1', 'r:main.deep "%d", goret1')
    assert messages(out, "main.add") == [f"= {2 * i + 100}" for i in range(1000)], out[-2000:]
    got = sorted(int(m) for m in messages(out, "main.deep"))
    assert got == sorted(list(range(DEEP_N + 1)) * DEEPS), (len(got), out[-2000:])


@pytest.mark.parametrize("variant", GCCGO)
def test_latency_counts(built, variant):
    """Every call is timed, also those that grew the split stack: none is lost."""
    report, out, err = timed(built.path(variant, PROGRAM), "main.deep")
    [h] = histograms(out)
    assert h["count"] == report["main.deep"], out
    assert "did not return" not in err, err
    report, out, err = timed(built.path(variant, PROGRAM), "main.add")
    [h] = histograms(out)
    assert h["count"] == report["main.add"] == 1000, out


@pytest.mark.parametrize("variant", GCCGO)
def test_parameters_after_hidden_result_pointer(built, variant):
    """label returns (string, int), 24 bytes: RDI holds the pointer to its results, and the
    arguments follow it, by name and as goargN."""
    binary = built.path(variant, PROGRAM)
    report, out, err = trace(binary, 'main.label "%d %s %d", id, name, n')
    assert messages(out, "main.label") == ["7 seven 3", "11 eleven 5"], out
    report, out, err = trace(binary, 'main.label "%d %d %d", goarg1, goarg3, goarg4')
    assert messages(out, "main.label") == ["7 5 3", "11 6 5"], out


def test_slice_argument_on_stack(built):
    """pick(xs []int, k int): System V passes the 24-byte slice on the stack, so k is in RDI.
    (At -O2 pick is a clone, main.pick.constprop.0.isra.0, counted as main.pick above.)"""
    report, out, err = trace(built.path("gccgo", PROGRAM), 'main.pick "%d", k')
    assert messages(out, "main.pick") == ["2"], out


def test_results_in_memory_refused(built):
    """label's results are written through the hidden pointer: a return probe cannot read them
    from registers, and says so."""
    for variant in GCCGO:
        binary = built.path(variant, PROGRAM)
        r = run_tool("gotrace", f'r:{binary}:main.label "%d", goret1')
        assert r.returncode == 1 and "returned in memory" in r.stderr, (variant, r.stderr)
        assert len(r.stderr.splitlines()) == 1, r.stderr


def test_clone_arguments_refused(built):
    """main.scaled.constprop.0 no longer takes k: its arguments are not main.scaled's, and
    gotrace says so rather than print a neighbour's value."""
    binary = built.path("gccgo-O2", PROGRAM)
    for probe in ('main.scaled "%d", goarg2', 'main.scaled "%d", k', 'main.length "%s", s',
                  'r:main.scaled "%d", goret1'):
        ret = "r:" if probe.startswith("r:") else ""
        probe = probe[len(ret):]
        r = run_tool("gotrace", f"{ret}{binary}:{probe}")
        assert r.returncode == 1, (probe, r.stdout, r.stderr)
        assert "clone" in r.stderr and len(r.stderr.splitlines()) == 1, (probe, r.stderr)
