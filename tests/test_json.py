"""-j's one schema, as each man page's JSON OUTPUT section states it: every field a tool prints
is documented there, a field has one name and one JSON type in every tool, a number with a unit
says it in its name (_ns, _s), and the summaries' records say which printout they belong to
("interval"). Checked on the records the tools print for real programs.
"""

import json
import os
import re
import time

import pytest

from conftest import ROOT, GoProgram, Tool, run_tool

# numbers that are counts or ids; any other number must carry its unit in its name
UNITLESS = {"count", "pid", "tid", "goid", "cpu", "interval", "lost", "line", "labels_cut"}
SUMMARIES = ["gofunccount", "gofunclatency", "gostack", "goiface"]


def documented(name):
    """The field names the JSON OUTPUT section of name(8) lists: its .TP tags ("a", "b") and
    the names in quotes of its prose ({"low_ns", ...})."""
    with open(os.path.join(ROOT, "man", "man8", f"{name}.8"), encoding="utf-8") as f:
        page = f.read()
    section = page.split(".SH JSON OUTPUT", 1)[1].split("\n.SH ", 1)[0]
    return set(re.findall(r'"([a-z_]+)"', section))


def records(out):
    return [json.loads(l) for l in out.splitlines() if l.startswith("{")]


def fields(record, prefix=""):
    """(name, value) of every field, those of nested objects and of objects in lists too (not
    of "args" and "labels", whose names are the program's)."""
    for k, v in record.items():
        yield k, v
        if k in ("args", "labels"):
            continue
        for item in v if isinstance(v, list) else [v]:
            if isinstance(item, dict):
                yield from fields(item)


def run_json(built, name, args, funcs, program="ux", program_args=("spin",), seconds=3):
    """name -j -i 1 -d SECONDS ARGS -p PID FUNCS on a program that calls main.tick without a
    pause (or on another program's calls, made once), and its records."""
    with GoProgram(built.path("go126", program), *program_args) as prog:
        with Tool(name, "-j", *args, "-p", str(prog.pid), *funcs) as t:
            if program_args != ("spin",):
                prog.go()
                prog.result()
            status, out, err = t.wait(timeout=seconds + 20)
        prog.stop()
    assert status == 0, err
    return records(out)


CASES = {
    "gofunccount": (["-T", "-i", "1", "-d", "3"], ["main.tick"]),
    "gofunclatency": (["-T", "-u", "-F", "-i", "1", "-d", "3"], ["main.tick"]),
    "gostack": (["-T", "-P", "-i", "1", "-D", "3"], ["main.tick"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_summary_records(built, name):
    """Each printout's records carry its number, 1, 2, 3 in order, and the time of day with
    -T; every field is documented, and every number is a count, an id or says its unit."""
    args, funcs = CASES[name]
    recs = [r for r in run_json(built, name, args, funcs) if "lost" not in r]
    intervals = [r["interval"] for r in recs]
    assert intervals == sorted(intervals) and set(intervals) >= {1, 2}, intervals
    assert set(intervals) == set(range(1, max(intervals) + 1)), intervals
    for n in set(intervals):
        times = {r["time"] for r in recs if r["interval"] == n}
        assert len(times) == 1 and re.fullmatch(r"\d\d:\d\d:\d\d", times.pop()), recs
    check_schema(name, recs)


def check_schema(name, recs):
    assert recs
    names = documented(name)
    for r in recs:
        for k, v in fields(r):
            assert k in names, f"{name}: field {k!r} is not in {name}(8)'s JSON OUTPUT: {r}"
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                assert k in UNITLESS or re.search(r"_(ns|s)$", k), f"{name}: {k!r} has no unit"


def test_goiface_records(built):
    """goiface's rows, with -V and -T: one printout (-d), documented fields."""
    recs = run_json(built, "goiface", ["-T", "-V", "-d", "2"], ["main.describe", "v"],
                    program="iface", program_args=())
    assert {r["interval"] for r in recs} == {1}
    check_schema("goiface", recs)


def test_gotrace_records(built):
    """gotrace's events: "elapsed_s" since tracing started and "epoch_s", the same time since the
    epoch, whatever -t and -u say; -U's frames are objects with "sym" and a hex "addr", as
    gostack's, with or without -a."""
    for extra in ([], ["-a"], ["-t", "-u"]):
        before = time.time()
        with GoProgram(built.path("go126", "ux"), "spin") as prog:
            with Tool("gotrace", "-j", "-U", *extra, "-M", "5", "-p", str(prog.pid), "main.tick") as t:
                status, out, err = t.wait(timeout=20)
            prog.stop()
        after = time.time()
        assert status == 0, err
        recs = records(out)
        assert len(recs) == 5, out
        check_schema("gotrace", recs)
        for r in recs:
            assert 0 <= r["elapsed_s"] <= after - before
            assert before - 0.01 <= r["epoch_s"] <= after + 0.01
            assert abs((r["epoch_s"] - r["elapsed_s"]) - (recs[0]["epoch_s"] - recs[0]["elapsed_s"])) < 0.001
            assert r["frames"][0]["sym"].startswith("main.tick+0x"), r
            assert all(re.fullmatch(r"0x[0-9a-f]+", f["addr"]) for f in r["frames"]), r


def test_one_name_one_type():
    """The fields several tools print are of one JSON type in all (as their man pages list
    them): checked over the records of a run of each, in test_summary_records and here over the
    pages' lists."""
    shared = {"func", "count", "pid", "tid", "comm", "goid", "cpu", "time", "interval"}
    for name in SUMMARIES + ["gotrace"]:
        names = documented(name)
        assert "lost" in names and "what" in names, name
        if name in SUMMARIES:
            assert "interval" in names, name
        assert not {"ts", "total", "avg", "address", "stack", "error"} & names, name
        assert names & shared, name


def test_histogram_ns(built):
    """gofunclatency -j's times are nanoseconds whatever the unit: a row's low_ns and high_ns
    span the calls the text's row of that unit holds, and avg_ns is total_ns over count."""
    recs = run_json(built, "gofunclatency", ["-m", "-d", "2"], ["main.tick"])
    # a call in progress at the end is counted as such: {"lost": 1, "what": "returns: ..."}
    [r] = [r for r in recs if "lost" not in r]
    assert r["unit"] == "msecs" and r["count"] > 0
    assert r["avg_ns"] == r["total_ns"] // r["count"]
    assert sum(h["count"] for h in r["hist"]) == r["count"]
    for h in r["hist"]:
        low_ms = h["low_ns"] // 1000000
        assert h["low_ns"] % 1000000 == 0 and (h["high_ns"] + 1) % 1000000 == 0, h
        assert low_ms == 0 or low_ms & (low_ms - 1) == 0, h


@pytest.mark.parametrize("name", SUMMARIES + ["gotrace"])
def test_no_match_on_stderr(built, name):
    """Nothing matched, with -j: stdout stays JSON (it is empty), and the one line that says so
    is on stderr, in the words the tool says it without -j; exit status 1."""
    spec = built.path("go126", "ux") + ":main.nosuch*"
    plain, js = run_tool(name, spec), run_tool(name, "-j", spec)
    assert (js.returncode, js.stdout) == (1, ""), js
    assert (plain.returncode, plain.stdout) == (1, ""), plain
    assert js.stderr == plain.stderr and len(js.stderr.splitlines()) == 1, (js.stderr, plain.stderr)
