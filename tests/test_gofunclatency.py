"""Tests of tools/gofunclatency, bcc funclatency for Go programs.

    gofunclatency [-h] [-p PID] [-i INTERVAL] [-d DURATION] [-T] [-u | -m] [-F] [-r] [-v] [-j] PATTERN

Counts in the histograms are checked against the calls the traced programs report of
themselves; latencies against the time the programs sleep.
"""

import json
import re
import signal
import time

import pytest

from conftest import GoProgram, Tool, private_copy, run_tool

TOOL = "gofunclatency"
ROW = re.compile(r"^\s*(\d+) -> (\d+)\s*: (\d+)\s*\|[ *+]*\|$")
AVG = re.compile(r"^avg = (\d+) (\w+), total: (\d+) \w+, count: (\d+)$")


def histograms(out):
    """Each histogram of the output: {"func": name or None, "pid": -F's [PID] or None, "unit":
    ..., "rows": {(low, high): count}, "count": N, "avg": A}. As bcc's funclatency, one avg line
    follows an interval's histograms, with -F too: its count is theirs together, and A is its
    average when the interval has one histogram (else None)."""
    result, cur, func, pid, interval = [], None, None, None, []
    for line in out.splitlines():
        if line.startswith("Function = "):
            m = re.fullmatch(r"Function = (.*?)(?: \[(\d+)\])?", line)
            func, pid = m.group(1), m.group(2) and int(m.group(2))
        elif re.match(r"^\s+(nsecs|usecs|msecs)\s+: count\s+distribution$", line):
            cur = {"func": func, "pid": pid, "unit": line.split()[0], "rows": {}, "count": 0,
                   "avg": None}
            result.append(cur)
            interval.append(cur)
        elif cur is not None and ROW.match(line):
            low, high, count = (int(x) for x in ROW.match(line).groups())
            cur["rows"][(low, high)] = count
            cur["count"] += count
        elif cur is not None and AVG.match(line):
            m = AVG.match(line)
            assert int(m.group(4)) == sum(h["count"] for h in interval), \
                f"avg line's count differs from the rows:\n{out}"
            if len(interval) == 1:
                interval[0]["avg"] = int(m.group(1))
            interval = []
    return result


def unreturned(unwound, in_progress):
    """The line on stderr that counts the calls that did not return through a RET."""
    return (f"WARNING: {unwound + in_progress} calls did not return through a RET while traced: "
            f"{unwound} ended by a panic, runtime.Goexit or a tail call, {in_progress} in progress "
            f"at the end or when their process exited")


def timed(binary, pattern, args=(), program_args=(), run=None, env=None):
    """Time a program's run under `gofunclatency [args] -p PID PATTERN`; return (report,
    status, stdout, stderr)."""
    with GoProgram(binary, *program_args, timeout=60) as prog:
        with Tool(TOOL, *args, "-p", str(prog.pid), pattern, env=env) as t:
            prog.go()
            if run:
                run(prog)
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\nstderr:\n{err}\nstdout:\n{out}"
    # with -j, stdout is JSON only and the closing line goes to stderr
    assert (err if "-j" in args else out).rstrip().endswith("Detaching..."), (out, err)
    return report, out, err


def two_processes(binary, args, *program_args, timeout=60):
    """Run two processes of binary under one `gofunclatency ARGS` (which names the binary by
    path); return ([their reports], status, stdout, stderr)."""
    with Tool(TOOL, *args) as t:
        with GoProgram(binary, *program_args, timeout=timeout) as a, \
                GoProgram(binary, *program_args, timeout=timeout) as b:
            a.go()
            b.go()
            reports = [a.result(), b.result()]
            a.stop()
            b.stop()
        status, out, err = t.interrupt()
    return reports, status, out, err


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go126-pie", "go119", "go119-stripped", "gccgo",
                                     "go126-lld-pie"])
def test_recursion_counts(built, variant):
    """Every call of a recursive function is timed: the histogram holds exactly its calls."""
    report, out, err = timed(built.path(variant), "main.fib")
    [h] = histograms(out)
    assert h["count"] == report["main.fib"], out
    assert "did not return" not in err, err


@pytest.mark.parametrize("variant", ["go126", "go119", "go126-pie"])
def test_stack_growth_counts(built, variant):
    """grow recurses 2000 deep with a large frame on fresh goroutines, so their stacks are copied
    while calls are in flight; every call is still matched with its own return."""
    report, out, err = timed(built.path(variant), "main.grow")
    [h] = histograms(out)
    assert h["count"] == report["main.grow"], out
    assert "did not return" not in err, err


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_goroutines_sleeping(built, variant):
    """40 goroutines each sleep 20 ms ten times, resuming on any thread: all 400 calls fall in
    the 16-31 ms bucket."""
    report, out, err = timed(built.path(variant, "sleeper"), "main.nap", args=("-m",))
    [h] = histograms(out)
    assert h["unit"] == "msecs"
    assert report["main.nap"] == 400
    assert h["rows"][(16, 31)] == 400, out
    assert h["count"] == 400, out
    assert 20 <= h["avg"] <= 31, out


@pytest.mark.parametrize("args", [("-m",), ("-m", "-j")], ids=["text", "json"])
def test_total_in_units(built, args):
    """The total and average sum each call's nanoseconds and convert the sum: 200 calls of
    1.5 ms are 300 ms, not 200 ms of whole milliseconds. The tool times each call from its entry
    to its RET, which lies between the time the program measures inside busy and around it."""
    report, out, err = timed(built.path("go126", "ux"), "main.busy", args=args)
    if "-j" in args:
        # in nanoseconds, as every duration in -j: nothing is cut to the unit
        [line] = [r for r in map(json.loads, out.splitlines()) if "unit" in r]
        count, total_ns, avg_ns = line["count"], line["total_ns"], line["avg_ns"]
        assert count == report["main.busy"] == 200, out
        assert report["busy_inner_ns"] <= total_ns <= report["busy_outer_ns"], (report, out)
        assert avg_ns == total_ns // count
        return
    else:
        [m] = [AVG.match(l) for l in out.splitlines() if AVG.match(l)]
        avg, total, count = int(m.group(1)), int(m.group(3)), int(m.group(4))
    assert count == report["main.busy"] == 200, out
    assert report["busy_inner_ns"] // 1000000 <= total <= report["busy_outer_ns"] // 1000000, (report, out)
    assert avg == total // count, out


@pytest.mark.parametrize("variant", ["go126", "go119", "gccgo"])
def test_panics(built, variant):
    """Half the calls panic and are recovered by the caller: they never reach a RET. Only the
    500 returns are timed, the 500 others are reported, and none poisons a later timing or
    stays behind in the tool's state."""
    report, out, err = timed(built.path(variant, "panicker"), "main.mayPanic", args=("-u",))
    [h] = histograms(out)
    assert report == {"main.mayPanic": 1000, "returned": 500, "panicked": 500, "main.alwaysPanics": 10}
    assert h["count"] == 500, out
    # each unwound call is found when the goroutine next calls the function; nothing calls it
    # after the last one, which panicked, so that one is still on the goroutine's stack
    assert unreturned(499, 1) in err, err
    # a start left by a panic and not replaced would pair with a later return: no call of a
    # function that does nothing but panic or return can take a second
    assert max(high for (low, high), n in h["rows"].items() if n) < 1000000, out


ENTRIES = r"^main\.(direct|viaValue|T\.Get|\(\*T\)\.Scale|deferred|spawned|R\.Twice|quit|leaf)$"


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go126-pie", "go119", "go119-pie"])
def test_entered_every_way(built, variant):
    """Leaf functions entered by direct calls, a function value, an interface, a method value,
    defer, new goroutines, reflection and assembly: each call is timed once, whether the function is probed
    at its callers' CALLs or at its entry. Goroutines that end inside a call (runtime.Goexit)
    leave nothing behind: their calls are counted as unwound, none is left in progress."""
    report, out, err = timed(built.path(variant, "entries"), ENTRIES, args=("-F", "-r"))
    hs = {h["func"]: h["count"] for h in histograms(out)}
    goexits = report.pop("goexits")
    assert goexits == 50
    for name, calls in report.items():
        expected = calls - goexits if name == "main.quit" else calls
        assert hs.get(name) == expected, (name, report, out)
    assert unreturned(goexits, 0) in err, err


@pytest.mark.parametrize("variant", ["go126", "go126-pie", "go119-stripped"])
def test_entry_probe_sites(built, variant):
    """-v says where each function's calls are caught: a leaf only ever called directly at its
    callers' CALLs (three of them); one whose address is taken, for a function value or for
    reflection's method table, at its entry; one with a caller that capstone cannot decode all
    through (an AVX-512 instruction before the CALL), at its entry. A function with a frame: Go
    1.21+ begins it with PUSH RBP past the stack check, which the kernel emulates, so there; Go
    1.19 with a SUB, which it single-steps, so on the check's own jump ("+N jcc")."""
    result = run_tool(TOOL, "-v", "-d", "1", "-r", built.path(variant, "entries") + ":" + ENTRIES)
    assert result.returncode == 0, result
    site = {}
    for line in result.stdout.splitlines():
        m = re.match(r"^0x[0-9a-f]+\s+(\d+ calls?|\+\d+(?: jcc)?)\s+\S+\s+(\S+)$", line)
        if m:
            site[m.group(2)] = m.group(1)
    assert site["main.direct"] == "3 calls", result.stdout
    assert site["main.viaValue"] == "+0", result.stdout
    assert site["main.R.Twice"] == "+0", result.stdout
    assert site["main.leaf"] == "+0", result.stdout
    if variant.startswith("go119"):
        assert re.match(r"^\+[1-9]\d* jcc$", site["main.quit"]), result.stdout
    else:
        assert re.match(r"^\+[1-9]\d*$", site["main.quit"]), result.stdout


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_deep_unwinding(built, variant):
    """Recursions 101 calls deep whose bottom panics and whose 51st call recovers, and goroutines
    that end by runtime.Goexit 51 calls deep: every call that returned is timed, and every one
    that was unwound is counted as such when its goroutine goes on or ends; nothing is left
    behind, however deep the stack of calls in progress was or where it was cut."""
    report, out, err = timed(built.path(variant, "panicker"), "main.dive", program_args=("deep",))
    [h] = histograms(out)
    assert report == {"main.dive": 2531, "returned": 1521, "unwound": 1010}
    assert h["count"] == 1521, out
    assert unreturned(1010, 0) in err, err


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_processes_of_one_binary(built, variant, tmp_path):
    """BINARY:FUNCTIONS without -p times every process running the binary. Two copies of one
    program lay out their goroutines alike, so each call is kept by goroutine and process: both
    copies' deep dives, unwinding and ending goroutines at once, are counted exactly."""
    binary = private_copy(built.path(variant, "panicker"), tmp_path)
    reports, status, out, err = two_processes(binary, [f"{binary}:main.dive"], "deep")
    assert status == 0, err
    [h] = histograms(out)
    assert reports == [{"main.dive": 2531, "returned": 1521, "unwound": 1010}] * 2
    assert h["count"] == 2 * 1521, out
    assert unreturned(2 * 1010, 0) in err, err


def test_per_function(built):
    """-F prints one histogram per function, each holding that function's calls."""
    report, out, err = timed(built.path("go126"), r"^main\.(add|fib|fibber|grow)$", args=("-F", "-r"))
    hs = {h["func"]: h for h in histograms(out)}
    assert hs["main.add"]["count"] == report["main.add"]
    assert hs["main.fib"]["count"] == report["main.fib"]
    assert hs["main.grow"]["count"] == report["main.grow"]
    assert hs["main.fibber"]["count"] == report["main.fibber"]


def test_all_functions_together(built):
    report, out, err = timed(built.path("go126"), "main.fib*")
    [h] = histograms(out)
    assert h["func"] is None
    assert h["count"] == report["main.fib"] + report["main.fibber"], out


def test_long_run_with_stack_growth(built):
    """Many seconds of timing a function whose stack grows during the timed call: the program
    runs on unharmed and every call is timed."""

    def run(prog):
        time.sleep(6)
        prog.go("stop")

    report, out, err = timed(built.path("go126", "tracee"), "main.grow", program_args=("loop",), run=run)
    [h] = histograms(out)
    assert report["main.grow"] > 10000
    assert h["count"] == report["main.grow"], (report, out)


def test_interval(built):
    """-i 1 prints a histogram each second, each counting only its interval's calls."""
    with GoProgram(built.path("go126"), "loop") as prog:
        with Tool(TOOL, "-i", "1", "-p", str(prog.pid), "main.fib") as t:
            prog.go()
            time.sleep(3.5)
            prog.go("stop")
            report = prog.result()
            time.sleep(0.2)
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0
    hs = histograms(out)
    assert len(hs) >= 3, out
    assert sum(h["count"] for h in hs) == report["main.fib"], out


def test_json(built):
    report, out, err = timed(built.path("go126"), "main.fib", args=("-j",))
    [line] = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    assert line["count"] == report["main.fib"] and line["unit"] == "nsecs"
    assert sum(b["count"] for b in line["hist"]) == report["main.fib"]


def test_duration(built):
    with GoProgram(built.path("go126")) as prog:
        with Tool(TOOL, "-d", "2", "-p", str(prog.pid), "main.fib") as t:
            prog.go()
            prog.result()
            status, out, err = t.wait(timeout=10)
        prog.stop()
    assert status == 0 and out.rstrip().endswith("Detaching...")


def test_traced_process_exit(built):
    """When the traced process exits, the tool detaches and exits by itself."""
    with GoProgram(built.path("go126")) as prog:
        with Tool(TOOL, "-p", str(prog.pid), "main.fib") as t:
            prog.go()
            prog.result()
            prog.stop()
            status, out, err = t.wait(timeout=10)
    assert status == 0 and out.rstrip().endswith("Detaching..."), (out, err)


@pytest.mark.parametrize("args,code,words", [
    (["-p", "999999999", "main.fib"], 1, "no process with pid 999999999"),
    (["/nonexistent/binary:main.fib"], 1, "cannot open '/nonexistent/binary': No such file or directory"),
    (["/etc/passwd:main.fib"], 1, "'/etc/passwd' is not an ELF file"),
    (["-i", "0", "/bin/true:main.fib"], 2, "invalid interval: '0'"),
    (["-d", "abc", "/bin/true:main.fib"], 2, "invalid duration: 'abc'"),
    (["-u", "-m", "/bin/true:main.fib"], 2, "-u and -m are exclusive"),
    ([], 2, "no PATTERN given"),
])
def test_bad_input(args, code, words):
    result = run_tool(TOOL, *args)
    assert result.returncode == code, result
    assert result.stderr.splitlines()[0] == f"{TOOL}: {words}", result.stderr
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_no_match(built):
    """No function matched: one line on stderr; stdout stays for what is traced (-j's JSON)."""
    for args in ([], ["-j"]):
        result = run_tool(TOOL, *args, f"{built.path('go126')}:main.nosuch*")
        assert result.returncode == 1
        assert result.stderr == '0 functions matched by "%s:main.nosuch*". Exiting.\n' % built.path("go126")
        assert result.stdout == "", result.stdout


@pytest.mark.parametrize("variant", ["go126", "go119-stripped", "gccgo"])
def test_function_without_ret(built, variant):
    """main.alwaysPanics only panics: its code has no RET (gccgo's, but the split-stack one,
    which only returns what a RET of the body returned). Its calls cannot be timed, which is
    said in one line and exit status 1; with another function, it is skipped, said once, and
    the other's calls are timed as the program counts them."""
    binary = built.path(variant, "panicker")
    r = run_tool(TOOL, f"{binary}:main.alwaysPanics")
    assert r.returncode == 1 and r.stderr == (f"{TOOL}: main.alwaysPanics has no RET instruction: it "
                                              "never returns, or returns through a tail call\n"), r
    report, out, err = timed(binary, r"^main\.(alwaysPanics|mayPanic)$", args=("-r", "-F"))
    assert report["main.alwaysPanics"] == 10 and report["returned"] == 500, report
    assert {h["func"]: h["count"] for h in histograms(out)} == {"main.mayPanic": 500}, out
    assert (f"{TOOL}: skipping 1 function without a RET instruction (main.alwaysPanics): it never "
            "returns, or returns through a tail call") in err.splitlines(), err
    assert unreturned(499, 1) in err, err


@pytest.mark.parametrize("value, probed", [("1", False), ("0", True), ("", True), ("false", True),
                                           ("no", True), ("OFF", True), ("yes", False)])
def test_boolean_settings(built, value, probed):
    """A boolean setting is off when empty, 0, false, no or off: GOTOOLS_NO_GOEXIT=0 keeps
    the probe where goroutines end (the goroutines' records a plain hash, not an LRU, in the
    map shapes -v prints after the program), and GOTOOLS_NO_CALL_SITES=0 keeps call sites
    (-v's SITE column)."""
    env = {"GOTOOLS_NO_GOEXIT": value, "GOTOOLS_NO_CALL_SITES": value}
    r = run_tool(TOOL, "-v", "-d", "1", f"{built.path('go126', 'entries')}:main.direct", env=env)
    assert r.returncode == 0, r.stderr
    shapes = [line for line in r.stdout.splitlines() if line.startswith("/* at load: map gs")]
    assert len(shapes) == 1 and ("lru_hash" not in shapes[0]) == probed, r.stdout
    site = re.search(r"^0x[0-9a-f]+\s+(\S+( calls?)?)\s+internal\s+main\.direct$", r.stdout, re.M)
    assert site and (site.group(1).endswith(("call", "calls")) == probed), r.stdout


def test_before_register_abi(built):
    """Go 1.16 keeps g in thread-local storage: goroutines are found through their threads'
    runtime.m, and calls are all timed; nothing is said but that main.add's entry, a leaf's
    first instruction, is single-stepped."""
    report, out, err = timed(built.path("go116", "tracee"), "main.add")
    [h] = histograms(out)
    assert h["count"] == report["main.add"], out
    assert [line for line in err.splitlines() if "single-steps" not in line] == [], err


@pytest.mark.parametrize("variant", ["go116", "go116-stripped", "go116-pie", "go119", "go126"])
def test_stacks_that_move(built, variant):
    """tests/go/stackmove: main.big's stack grows in its prologue on every call (fresh goroutines,
    direct calls); main.deep's recursion grows and copies the stack under main.outer and the
    calls above; main.parked sleeps while garbage collection shrinks its idle stack, and resumes,
    often on another thread. Go 1.16 keeps g in thread-local storage, so calls are matched by
    their depth below their goroutine's stack top, which a copy keeps, the goroutine found
    through its thread's runtime.m: every call is timed once, as the program counts, and none is
    reported as not returning; main.parked's calls each take their 30 ms sleep or more."""
    report, out, err = timed(built.path(variant, "stackmove"), r"^main\.(big|outer|deep|parked)$",
                             args=("-F", "-r"))
    hs = {h["func"]: h for h in histograms(out)}
    assert {f: h["count"] for f, h in hs.items()} == report, (report, out)
    assert report["main.big"] == 200 and report["main.parked"] == 20, report
    assert "did not return" not in err and "not timed" not in err, err
    assert all(low >= 2 ** 24 for (low, high), n in hs["main.parked"]["rows"].items() if n), out


RETSITES = r"^main\.(rec|grow|mayPanic|exiter|wait|note|try|sometimes)$"
RETSITES_TIMED = ["main.rec", "main.grow", "main.mayPanic", "main.exiter", "main.wait", "main.try",
                  "main.sometimes"]


def returns_listed(out):
    """-v's lines on where each function's returns are seen: {name: "sites" or "RETs"}."""
    return {m.group(1): "RETs" if m.group(2).startswith("its RETs") else "sites"
            for m in re.finditer(r"^returns of (\S+): at (.*)$", out, re.M)}


@pytest.mark.parametrize("env", [{}, {"GOTOOLS_NO_RETURN_SITES": "1"}], ids=["sites", "rets"])
@pytest.mark.parametrize("variant", ["go126", "go126-pie", "go119"])
def test_return_sites(built, variant, env):
    """tests/go/retsites: functions entered by direct CALLs alone have their returns seen in
    their callers, at a CALL of main.note that is also where main.note is entered (one address,
    both roles): recursion 51 deep, stack growth on fresh goroutines, panics recovered by the
    caller, runtime.Goexit, 40,000 goroutines blocked at once; main.try's site is also reached
    by its loop's first jump, a guard that must not end a call, nor, in main.looper, the call of
    main.sometimes that a recovered panic left at that depth. Every call that returned is
    timed, once, and every one that did not is reported; with GOTOOLS_NO_RETURN_SITES=1 the same
    numbers come from RET probes. -v says which way each function is timed."""
    binary = built.path(variant, "retsites")
    with GoProgram(binary, timeout=120) as prog:
        with Tool(TOOL, "-F", "-r", "-v", "-p", str(prog.pid), RETSITES, env=env) as t:
            prog.go()
            first = prog.result()
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert first == report, (first, report)
    listed = returns_listed(out)
    want = "RETs" if env else "sites"
    assert all(listed[f] == want for f in RETSITES_TIMED), out
    timed_counts = {h["func"]: h["count"] for h in histograms(out)}
    for f in RETSITES_TIMED + ["main.note"]:
        assert timed_counts.get(f) == 2 * report[f], (f, timed_counts, report)
    assert report["main.wait"] == 40000 and report["main.rec"] == 20 * 51, report
    assert report["main.sometimes"] == 20 * 7, report
    # the last call of main.sometimes that panicked stays on record: nothing follows it there
    assert unreturned(2 * report["unwound"] - 1, 1) in err, err


def test_return_sites_two_processes(built, tmp_path):
    """Two processes of one binary, traced together by path: each return site's probe sees
    both, and each call is matched in its own process."""
    binary = private_copy(built.path("go126", "retsites"), tmp_path)
    reports, status, out, err = two_processes(binary, ["-F", "-r", f"{binary}:{RETSITES}"], timeout=120)
    assert status == 0, err
    assert reports[0] == reports[1], reports
    timed_counts = {h["func"]: h["count"] for h in histograms(out)}
    for f in RETSITES_TIMED + ["main.note"]:
        assert timed_counts.get(f) == 2 * reports[0][f], (f, timed_counts, reports)
    assert unreturned(2 * reports[0]["unwound"] - 2, 2) in err, err


@pytest.mark.parametrize("variant", ["go126", "go119", "go116"])
def test_single_stepped_entries_said(built, variant):
    """A function whose entry probe the kernel single-steps (tests/go/entries' main.direct, a
    leaf, probed at its first instruction with GOTOOLS_NO_CALL_SITES=1) has the step in each
    call's time: said once, on stderr and in -j, with the cost measured at start; at its
    callers' CALLs, which the kernel emulates (Go 1.17+), nothing is said and its calls take
    less. Every call is timed either way, as the program counts them."""
    binary = built.path(variant, "entries")
    runs = {}
    for sites in (False, True):
        env = {} if sites else {"GOTOOLS_NO_CALL_SITES": "1"}
        report, out, err = timed(binary, "main.direct", args=("-j",), env=env)
        lines = [json.loads(line) for line in out.splitlines()]
        [hist] = [line for line in lines if "hist" in line]
        assert hist["count"] == report["main.direct"], (report, out)
        runs[sites] = (hist, [line for line in lines if "probe_cost_ns" in line], err)
    hist, costs, err = runs[False]
    [cost] = costs
    assert cost["funcs"] == ["main.direct"] and 500 <= cost["probe_cost_ns"] < 10 ** 6, cost
    said = re.findall(r"^gofunclatency: the kernel single-steps the probes where main\.direct is seen "
                      r"to begin: each call's time holds about (\d+\.\d) usecs of the probe's own cost "
                      r"\(measured here\)$", err, re.M)
    assert said == [f"{cost['probe_cost_ns'] / 1000:.1f}"], err
    if variant != "go116":  # Go 1.16's calls are found through threads learned at entry sites
        emulated, costs, err = runs[True]
        assert not costs and "single-steps" not in err, (costs, err)
        assert emulated["avg_ns"] < hist["avg_ns"], (emulated, hist)

