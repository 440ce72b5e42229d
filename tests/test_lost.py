"""Nothing lost silently: what a tool could not record is counted and reported, in words and,
with -j, as a JSON line {"lost": N, "what": ...}; and what was recorded plus what was lost
accounts for every call the program made.

Each test makes one table or buffer overflow, through a size that exists for tests (an
option or environment variable the tool reads: gotrace -b 1, GOTOOLS_MAX_STACKS,
GOTOOLS_MAX_TYPES, GOTOOLS_MAX_GOROUTINES, GOTOOLS_MAX_SPILL), against
tests/go/stress and tests/go/workload.
gofunccount cannot lose a call: its counts are per-CPU array slots, one per function."""

import json
import re
import time

import pytest

from conftest import GoProgram, Tool, build_program

SECONDS = 2


@pytest.fixture(scope="module")
def stress():
    return build_program("go126", "stress")


def run(binary, mode, name, args, env, seconds=SECONDS):
    with GoProgram(binary, mode, timeout=60) as prog:
        with Tool(name, "-p", str(prog.pid), *args, env=env, timeout=60) as t:
            prog.go()
            time.sleep(seconds)
            prog.go("stop")
            report = prog.result()
            time.sleep(0.5)  # what is still in a buffer is read
            status, out, err = t.interrupt()
        prog.stop()
    assert report["ok"], report
    assert status == 0, err
    return report, out, err


def split(out):
    """(records, [lost lines]) of a tool's -j output (gofunclatency's note of what a
    single-stepped probe costs is neither)."""
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    rows = [r for r in rows if "probe_cost_ns" not in r]
    return [r for r in rows if "lost" not in r], [r for r in rows if "lost" in r]


def test_gotrace_ring_buffer_full(stress):
    report, out, err = run(stress, "work", "gotrace", ["-j", "-b", "1", 'main.work "%d", x'], {})
    events, lost = split(out)
    assert len(lost) == 1 and lost[0]["what"] == "events: the ring buffer was full", lost
    n = lost[0]["lost"]
    assert n > 0 and f"Possibly lost {n} samples" in err, err
    assert len(events) + n == report["main.work"], (len(events), n, report)


def test_gotrace_ring_buffer_full_text(stress):
    report, out, err = run(stress, "work", "gotrace", ["-b", "1", 'main.work "%d", x'], {})
    [line] = [l for l in err.splitlines() if l.startswith("Possibly lost ")]
    n = int(line.split()[2])
    events = [l for l in out.splitlines()[1:] if l.strip()]
    assert n > 0 and len(events) + n == report["main.work"], (len(events), n, report)


@pytest.mark.parametrize("setting", ["GOTOOLS_MAX_STACKS", "GOSTACK_MAX_STACKS"])
def test_gostack_table_full(stress, setting):
    """The table's size from GOTOOLS_MAX_STACKS, or from its name before all settings were
    GOTOOLS_*, which is still read."""
    report, out, err = run(stress, "work", "gostack", ["-j", "-r", r"^main\.(work|describe)$"],
                           {setting: "1"})
    stacks, lost = split(out)
    assert len(stacks) == 1 and len(lost) == 1, out
    assert lost[0]["what"] == "calls: the table of stacks was full", lost
    n = lost[0]["lost"]
    assert f"WARNING: {n} calls were not counted: the table of 1 stacks was full" in err, err
    assert stacks[0]["count"] + n == report["main.work"] + report["main.describe"], (stacks, n, report)


def test_goiface_table_full(stress):
    report, out, err = run(stress, "goroutines", "goiface", ["-j", "-V", "main.describe", "v"],
                           {"GOTOOLS_MAX_TYPES": "16"})
    rows, lost = split(out)
    assert len(lost) == 1 and lost[0]["what"] == "calls: the table of types was full", lost
    n = lost[0]["lost"]
    assert 0 < len(rows) <= 16 and n > 0, (rows, lost)
    assert f"WARNING: {n} calls were not counted: the table of 16 distinct types and values was full" in err, err
    assert sum(r["count"] for r in rows) + n == report["main.describe"], (rows, n, report)


def test_gofunclatency_no_room(stress):
    """10,000 goroutines at once inside the traced function (each waits there for the round to
    start), with room for 64: the others are not timed, and counted."""
    report, out, err = run(stress, "goroutines", "gofunclatency",
                           ["-j", "main.roundGoroutines.func1"],
                           {"GOTOOLS_MAX_GOROUTINES": "64"})
    [hist], lost = split(out)
    [no_room] = [r for r in lost if r["what"].startswith("calls: no room")]
    n = no_room["lost"]
    assert n > 0 and f"WARNING: {n} calls were not timed: no room for them in the tool's state" in err, err
    assert hist["count"] + n == 10000 * report["rounds"], (hist["count"], n, report)


def lost_rows(lost, what):
    """The count of the -j lost line whose "what" starts with what, 0 when there is none."""
    rows = [r["lost"] for r in lost if r["what"].startswith(what)]
    assert len(rows) <= 1, lost
    return rows[0] if rows else 0


@pytest.mark.parametrize("variant", ["go126", "go119", "gccgo"])
def test_gofunclatency_starts_dropped(variant):
    """A recursion 10 deep with room for 2 calls in progress past the goroutine's record (Go
    1.26: the spill, an LRU) or for 2 starts by stack pointer (gccgo: an LRU too): the LRU
    drops starts, and each call is either timed or counted as dropped (or as finding no room),
    exactly once; none is left in progress, none counted twice."""
    binary = build_program(variant, "workload")
    with GoProgram(binary, timeout=60) as prog:
        with Tool("gofunclatency", "-j", "-p", str(prog.pid), "main.fib",
                  env={"GOTOOLS_MAX_SPILL": "2"}, timeout=60) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    [hist], lost = split(out)
    dropped = lost_rows(lost, "calls: their starts were dropped")
    no_room = lost_rows(lost, "calls: no room")
    assert dropped > 0, (out, err)
    assert re.search(rf"^WARNING: {dropped} calls? (were|was) not timed: the tool's full state for calls in "
                     r"progress \(2 calls\) dropped (their starts|its start)$", err, re.M), err
    assert lost_rows(lost, "returns:") == 0, (lost, err)
    assert hist["count"] + dropped + no_room == report["main.fib"], (hist["count"], lost, report)


def test_gofunclatency_goroutines_dropped(stress):
    """Without the probe where goroutines end, their records are an LRU: 10,000 goroutines at
    once in the traced function, with room for 64, and each goroutine whose record the LRU
    dropped is counted; as each had one call in progress, timed and dropped add up to the
    calls."""
    report, out, err = run(stress, "goroutines", "gofunclatency",
                           ["-j", "main.roundGoroutines.func1"],
                           {"GOTOOLS_MAX_GOROUTINES": "64", "GOTOOLS_NO_GOEXIT": "1"})
    [hist], lost = split(out)
    dropped = lost_rows(lost, "goroutines: their calls in progress were dropped")
    assert dropped > 0, (out, err)
    assert re.search(rf"^WARNING: {dropped} goroutines? had calls in progress that were not timed: "
                     r"the tool's full table of 64 goroutines dropped (their records|its record)$",
                     err, re.M), err
    assert hist["count"] + dropped + lost_rows(lost, "calls: no room") == 10000 * report["rounds"], \
        (hist["count"], lost, report)


@pytest.mark.parametrize("name, var, value", [
    ("gostack", "GOTOOLS_MAX_STACKS", "x"),
    ("goiface", "GOTOOLS_MAX_TYPES", "-1"),
    ("gofunclatency", "GOTOOLS_MAX_GOROUTINES", "1e9"),
    ("gofunclatency", "GOTOOLS_MAX_SPILL", "0"),
])
def test_bad_sizes(stress, name, var, value):
    """A size for tests that is not one: one line, exit 1, nothing attached."""
    import subprocess
    from conftest import tool
    args = {"gotrace": ["main.work"], "goiface": ["main.describe", "v"]}.get(name, ["main.work"])
    r = subprocess.run([tool(name), f"{stress}:{args[0]}", *args[1:]], capture_output=True,
                       text=True, env={var: value, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert r.returncode == 1, r
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and var in lines[0], r.stderr
