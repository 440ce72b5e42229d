"""The tools on gccgo code built with and without GCC's optimiser (tests/go/gccgoopt).

At -O2 GCC moves a function's split-stack block (the call of __morestack, which runs the body on
a new stack segment when the old one is full, and the RET that then returns to the caller) past
the body, and clones functions whose callers pass a constant or use part of an argument
(main.scaled.constprop.0, main.length.isra.0). Results over 16 bytes, such as (string, int),
travel through a hidden pointer in RDI at every level. Every count, argument and result is
checked against what the program reports of itself.
"""

import re
import subprocess

import pytest

from conftest import GoProgram, Tool, helper, parse_funccount, run_tool
from test_gofunclatency import histograms, timed
from test_gotrace import messages, trace

PROGRAM = "gccgoopt"
GCCGO = ["gccgo", "gccgo-O2"]
DEEPS, DEEP_N = 5, 2000  # as in tests/go/gccgoopt/main.go


@pytest.mark.parametrize("variant", GCCGO + ["gccgo-O3"])
def test_counts_under_function_names(built, variant):
    """Every function is counted under its Go name, a GCC clone too, and exactly; at -O3 the
    calls of main.twice and of its clone main.twice.constprop.0 add up in one row."""
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
    if variant == "gccgo-O3":  # the function and its clone, both called
        symbols = subprocess.run(["nm", binary], check=True, capture_output=True, text=True).stdout
        assert re.search(r" t main\.twice$", symbols, re.M), symbols
        assert re.search(r" t main\.twice\.constprop\.0$", symbols, re.M), symbols
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
    report, out, err = trace(binary, 'r:main.add "= %d", goret1', 'r:main.deep "%d", goret1',
                             "__morestack")
    assert messages(out, "main.add") == [f"= {2 * i + 100}" for i in range(1000)], out[-2000:]
    got = sorted(int(m) for m in messages(out, "main.deep"))
    assert got == sorted(list(range(DEEP_N + 1)) * DEEPS), (len(got), out[-2000:])
    assert len(messages(out, "__morestack")) > 100, "deep's stack did not grow: the test tests nothing"


@pytest.mark.parametrize("variant", GCCGO)
def test_latency_counts(built, variant):
    """Every call is timed, also those that grew the split stack: none is lost."""
    report, out, err = timed(built.path(variant, PROGRAM), "main.deep", args=("-v",))
    [h] = histograms(out)
    assert h["count"] == report["main.deep"], out
    assert "did not return" not in err, err
    # -v counts returns without a call: a body's RET into __morestack must not be one
    assert "had no traced call" not in err, err
    report, out, err = timed(built.path(variant, PROGRAM), "main.add")
    [h] = histograms(out)
    assert h["count"] == report["main.add"] == 1000, out


def test_latency_of_function_and_clone(built):
    """At -O3 main.twice and its clone main.twice.constprop.0 are both called: gofunclatency -F
    times them as one function, in one histogram."""
    report, out, err = timed(built.path("gccgo-O3", PROGRAM), r"^main\.(twice|add)$", args=("-F", "-r"))
    counts = [(h["func"], h["count"]) for h in histograms(out)]
    assert sorted(counts) == [("main.add", 1000), ("main.twice", report["main.twice"])], out
    assert report["main.twice"] == 100


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


def objdump_functions(binary):
    """{entry: (RET addresses, the RET right after a call of __morestack*)} of every function
    symbol, by GNU objdump's reading of the binary."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-w", binary], check=True,
                         capture_output=True, text=True, timeout=120).stdout
    functions, rets, split, after_call = {}, None, None, False
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]+) <(.+)>:$", line)
        if m:
            rets, split = [], [None]
            functions[int(m.group(1), 16)] = (rets, split)
            continue
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$", line)
        if not m or rets is None:
            continue
        if m.group(2) == "ret":
            rets.append(int(m.group(1), 16))
            if after_call and split[0] is None:
                split[0] = int(m.group(1), 16)
        after_call = m.group(2) == "call" and "<__morestack" in m.group(3)
    return {entry: (rets, split[0]) for entry, (rets, split) in functions.items()}


@pytest.mark.parametrize("variant", GCCGO)
@pytest.mark.parametrize("program", [PROGRAM, "workload"])
def test_return_sites_of_every_function(built, variant, program):
    """For every function of the binary, libgo's RET sites are the RETs GNU objdump shows in
    it, and its split-stack RET is the one right after its call of __morestack."""
    binary = built.path(variant, program)
    theirs = objdump_functions(binary)
    out = subprocess.run([helper("gofuncs"), "-s", binary], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    bad, splits = [], 0
    for line in out.splitlines():
        m = re.match(r"^0x([0-9a-f]+) sysv (.+?) end=0x[0-9a-f]+(?: split=0x([0-9a-f]+))? "
                     r"entry=0x[0-9a-f]+ rets=(\S*)$", line)
        if not m:
            continue
        entry = int(m.group(1), 16)
        rets = [int(r, 16) for r in filter(None, m.group(4).split(","))]
        split = int(m.group(3), 16) if m.group(3) else None
        splits += split is not None
        if entry not in theirs:
            bad.append(f"{m.group(2)}: no symbol at {entry:#x}")
        elif (rets, split) != theirs[entry]:
            bad.append(f"{m.group(2)}: rets {rets} split {split}, objdump {theirs[entry]}")
    assert not bad, f"{len(bad)} functions differ: {bad[:10]}"
    assert splits > 20, out[:2000]


TAG_CALLS, WEIGH_CALLS = 40, 30  # as in tests/go/gccgoopt/main.go
WORDS = ["a", "bb", "ccc", "dddd"]


def tag_values():
    """tag's v in each call, as (%T, %v)."""
    return [("int", str(i)) if i % 2 == 0 else ("string", WORDS[i % 4]) for i in range(TAG_CALLS)]


@pytest.mark.parametrize("variant", GCCGO)
@pytest.mark.parametrize("arg", ["v", "goarg1"])
def test_goiface_after_hidden_result_pointer(built, variant, arg):
    """tag(v any, n int) returns (string, int): its interface argument follows the hidden
    result pointer in RDI, by name and as goarg1, for goiface as for gotrace's %T and %v."""
    from test_goiface import counted, trace as goiface
    binary = built.path(variant, PROGRAM)
    report, rows, err = goiface(binary, "main.tag", arg)
    want = {}
    for typ, _ in tag_values():
        want[(typ, None)] = want.get((typ, None), 0) + 1
    assert report["main.tag"] == TAG_CALLS
    assert counted(rows, "main.tag", arg) == want, rows
    report, out, err = trace(binary, f'main.tag "%T %v", {arg}, {arg}')
    assert messages(out, "main.tag") == [f"{t} {v}" for t, v in tag_values()], out


def test_goiface_clone_refused(built):
    """main.weigh.constprop.0 takes v alone: goiface and gotrace's %v do not read a clone's
    parameters as its function's, and say so."""
    binary = built.path("gccgo-O2", PROGRAM)
    for argv in ([f"{binary}:main.weigh"], [f"{binary}:main.weigh", "v"],
                 [f"{binary}:main.weigh", "goarg1"]):
        r = run_tool("goiface", *argv)
        assert r.returncode == 1, (argv, r.stdout, r.stderr)
        assert "clone" in r.stderr and len(r.stderr.splitlines()) == 1, (argv, r.stderr)
    for probe in ('main.weigh "%v", v', 'main.weigh "%T", goarg1'):
        r = run_tool("gotrace", f"{binary}:{probe}")
        assert r.returncode == 1, (probe, r.stdout, r.stderr)
        assert "clone" in r.stderr and len(r.stderr.splitlines()) == 1, (probe, r.stderr)
