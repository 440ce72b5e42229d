"""A smoke test of tools/gofuncslower's core: each slow call's time split into on CPU,
runnable, system calls and waiting, against what tests/go/slowcore measures of itself.

    gofuncslower [-p PID] [-m MIN_MS | -u MIN_US] [-j] PATTERN

One run per variant (Go 1.26 stripped, Go 1.19 PIE): each call the program reports is printed
once, by its goroutine, with parts that add up to its latency exactly and the part it was made
to spend within 20% (or 5 ms) of the program's own figure; the fast calls are not printed
(unless the kernel kept their thread off CPU for the threshold: then that is their time).
"""

import json

import pytest

from conftest import GoProgram, Tool, run_tool

TOOL = "gofuncslower"
PART = {  # the function, the part its time goes to (a -j key; wait_ns: by reason)
    "main.coreSpin": ("oncpu_ns", None),
    "main.coreSleep": ("wait_ns", "sleep"),
    "main.coreChan": ("wait_ns", "chan receive"),
    "main.coreRead": ("syscall_ns", None),
}
WAIT_NS = 40e6  # what each call but coreSpin waits for (slowcore's wait)


def close(measured, expected):
    return abs(measured - expected) <= max(0.2 * expected, 5e6)


@pytest.fixture(scope="module", params=["go126-stripped", "go119-pie"])
def run(request, built):
    """(the program's report, the tool's -j records) of one run."""
    with GoProgram(built.path(request.param, "slowcore")) as prog:
        with Tool(TOOL, "-j", "-m", "10", "-p", str(prog.pid), "main.core*") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    records = [json.loads(line) for line in out.splitlines() if line.startswith("{\"ts_ns\"")]
    return report, records, out


def test_each_slow_call_once_by_its_goroutine(run):
    report, records, out = run
    want = sorted((c["func"], c["goid"]) for c in report["calls"])
    got = sorted((r["func"], r["goid"]) for r in records if r["func"] != "main.coreFast")
    assert got == want, out
    # a fast call is printed only when its thread waited for a CPU that long (a loaded machine)
    assert report["fast"] == 2000
    for r in records:
        assert r["func"] != "main.coreFast" or r["lat_ns"] - r["runnable_ns"] < 10e6, r


def test_parts_add_up_to_the_latency(run):
    _, records, out = run
    for r in records:
        parts = r["oncpu_ns"] + r["runnable_ns"] + r["syscall_ns"] + sum(r["wait_ns"].values())
        assert parts == r["lat_ns"], r


def test_parts_against_the_programs_account(run):
    report, records, out = run
    records = [r for r in records if r["func"] != "main.coreFast"]
    for c, r in zip(sorted(report["calls"], key=lambda c: (c["func"], c["goid"])),
                    sorted(records, key=lambda r: (r["func"], r["goid"], r["ts_ns"]))):
        key, reason = PART[c["func"]]
        ours = r[key][reason] if reason else r[key]
        assert close(r["lat_ns"], c["lat_ns"]), (c, r)
        if c["func"] == "main.coreSpin":  # the thread's CPU time, as getrusage says
            assert close(ours, c["cpu_ns"]), (c, r)
        else:  # the wait, then (a loaded machine) a wait for a CPU: runnable
            assert ours >= 0.8 * WAIT_NS and close(ours + r["runnable_ns"], c["lat_ns"]), (c, r)
        if c["func"] == "main.coreRead":
            assert [s["name"] for s in r["syscalls"]][:1] == ["read"], r
            assert close(r["syscalls"][0]["ns"], c["lat_ns"]), r


def test_dry_run_lists_the_scheduler_probes(built):
    binary = built.path("go126-stripped", "slowcore")
    result = run_tool(TOOL, "--dry-run", f"{binary}:main.coreSpin")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()]
    assert any(r[2:3] == ["sched"] and r[-1] == "runtime.casgstatus" for r in rows), result.stdout
    tracepoints = [r[-1] for r in rows if r[2:3] == ["tracepoint"]]
    assert tracepoints == ["sched:sched_switch", "raw_syscalls:sys_enter",
                           "raw_syscalls:sys_exit"], result.stdout


def test_gccgo_is_refused_in_one_line(built):
    binary = built.path("gccgo", "slowcore")
    result = run_tool(TOOL, f"{binary}:main.coreSpin")
    assert result.returncode == 1 and result.stdout == "", result.stdout
    assert result.stderr == (f"gofuncslower: {binary}: gccgo's runtime keeps no goroutine "
                             "status gofuncslower can read\n")
