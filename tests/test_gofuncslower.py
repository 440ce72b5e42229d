"""Tests of tools/gofuncslower, bcc funcslower for Go programs, with each slow call's time split
into on CPU, runnable, in system calls and waiting by Go's wait reason.

    gofuncslower [-p PID] [-m MIN_MS | -u MIN_US] [-a N] [-T | -t] [-U] [-s] [-d S] [-r] [-j] PATTERN...

The judge is tests/go/slowcalls, which makes calls whose time goes to one place each and
measures each call itself, on a goroutine of its own: main.spin (on the CPU: its locked
thread's CPU time from getrusage, less what the tool counts as system calls; the rest of its
wall time the kernel kept the thread waiting), main.nap (time.Sleep), main.recv (a channel), main.lock (a locked sync.Mutex),
main.readpipe (read(2) on a blocking pipe), main.yield (runtime.Gosched behind a spinning
goroutine, GOMAXPROCS=1, on a locked thread: its CPU time on the CPU, the rest runnable) and,
built with Go 1.23 or later (or 1.22 with its iter experiment), main.pull (values from an iter.Pull iterator whose producer,
main.(*producer).run, spins and sleeps: the runtime switches between the two goroutines without
its scheduler, runtime.coroswitch_m; each waits in the coroutine, "coroutine", while the other
runs, and the producer measures itself too). Each
part the tool prints must be within 20% (or 5 ms) of the program's own figure (a wait or a
system call: of its clock around the blocking operation, which also holds the time the woken
goroutine waited to run, printed as runnable), the parts must add up to the latency, the latency must lie between the program's clocks inside the call and
around it, and only the calls over the threshold may be printed, under the goroutine ids the
program reports. One traced run of the program serves every check of its output form (text,
-j), on each build.
"""

import json
import re

import pytest

from conftest import SLOW, GoProgram, Tool, run_tool

TOOL = "gofuncslower"
PROGRAM = "slowcalls"
PATTERN = r"^main\.(spin|nap|recv|lock|readpipe|yield|pull|\(\*producer\)\.run)$"
FUNCS = ["main.spin", "main.nap", "main.recv", "main.lock", "main.readpipe", "main.yield"]
PULL, PRODUCER = "main.pull", "main.(*producer).run"  # Go 1.23+ (iter.Pull)
THRESHOLD_MS = 5  # the program's long calls take 10-40 ms, its short ones about 1 ms or less
MS = 1_000_000


def tolerance(ns):
    """How far a part may be from the program's own figure: 20%, or 5 ms (times SLOW: under
    make check-arm64's emulated CPU each probe and each switch the tool sees costs about a
    millisecond, which the tool counts in the call and the program's own clocks do not)."""
    return max(0.2 * ns, 5 * MS * SLOW)


def made_funcs(report):
    """The functions the program called, in FUNCS's order (the binary's), then its producer's
    and main.pull where it has them."""
    made = {c["func"] for c in report["calls"]}
    return [f for f in FUNCS + [PRODUCER, PULL] if f in made]


def mutex_reason(report):
    """The runtime's wait reason for a blocked sync.Mutex.Lock: its own from Go 1.20."""
    minor = int(re.match(r"go1\.(\d+)", report["go"]).group(1))
    return "sync.Mutex.Lock" if minor >= 20 else "semacquire"


def traced(binary, args):
    """Run the program once under `gofuncslower ARGS -r -p PID PATTERN`; return (the program's
    report, the tool's stdout, its stderr)."""
    with GoProgram(binary, timeout=60) as prog:
        with Tool(TOOL, *args, "-r", "-p", str(prog.pid), PATTERN) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\nstderr:\n{err}\nstdout:\n{out}"
    assert (err if "-j" in args else out).rstrip().endswith("Detaching..."), (out, err)
    return report, out, err


@pytest.fixture(scope="module")
def runs(built):
    """runs(variant, *args): one traced run of the program per build and arguments, shared by
    the tests of this module."""
    done = {}

    def run(variant, *args):
        if (variant, args) not in done:
            done[variant, args] = traced(built.path(variant, PROGRAM), args)
        return done[variant, args]
    return run


# ---------------------------------------------------------------------------------------------
# Parsing


def json_calls(out):
    """The per-call objects of -j output, and the summaries (-s)."""
    records = [json.loads(line) for line in out.splitlines() if line.strip()]
    calls = [r for r in records if "lat_ns" in r and not r.get("summary")]
    return calls, [r for r in records if r.get("summary")]


CALL = re.compile(r"^(?:(?P<time>\d\d:\d\d:\d\d|[\d.]+)\s+)?(?P<comm>\S+)\s+(?P<pid>\d+)\s+(?P<goid>\d+)\s+"
                  r"(?P<lat>\d+\.\d\d)\s+(?P<rval>[0-9a-f]+|-)\s+(?P<func>\S+)(?:\s+(?P<args>.*))?$")
PARTS = re.compile(r"^    on-cpu (\S+)  runnable (\S+)  syscall (\S+)  wait (\S+)$")


def entries(text, fields):
    """`a b 1 2.5, c 3.0` -> [("a b", ...)]: each entry's last `fields` words are numbers."""
    out = []
    for entry in text.split(", "):
        words = entry.split(" ")
        out.append((" ".join(words[:-fields]), *map(float, words[-fields:])))
    return out


def text_blocks(out):
    """The text output's blocks: each slow call {"time", "comm", "pid", "goid", "lat", "rval",
    "func", "args", "parts": (on-cpu, runnable, syscall, wait), "syscalls": [(name, count,
    time)], "waits": {reason: time}, "stack": [frame]}, and each -s summary {"func", "count",
    "total", "avg", "parts", "syscalls", "waits", "hist": {(low, high): count}}."""
    calls, summaries, cur = [], [], None
    for line in out.splitlines():
        m = CALL.match(line)
        if line.startswith("Function = "):
            cur = {"func": line[len("Function = "):], "syscalls": [], "waits": {}, "hist": {}, "stack": []}
            summaries.append(cur)
        elif m and not line.startswith(" ") and m.group("comm") != "COMM":
            cur = dict(m.groupdict(), syscalls=[], waits={}, stack=[])
            cur["lat"], cur["goid"], cur["pid"] = float(cur["lat"]), int(cur["goid"]), int(cur["pid"])
            calls.append(cur)
        elif cur is None:
            continue
        elif line.startswith("slow calls: "):
            s = re.match(r"slow calls: (\d+), LAT total (\S+) \w+, avg (\S+) \w+$", line)
            assert s, line
            cur["count"], cur["total"], cur["avg"] = int(s.group(1)), float(s.group(2)), float(s.group(3))
        elif PARTS.match(line):
            cur["parts"] = tuple(map(float, PARTS.match(line).groups()))
        elif line.startswith("    syscalls: "):
            cur["syscalls"] = entries(line[len("    syscalls: "):], 2)
        elif line.startswith("    waits: "):
            cur["waits"] = dict(entries(line[len("    waits: "):], 1))
        elif re.match(r"^\s+\d+ -> \d+\s+: \d+", line):
            low, high, count = map(int, re.findall(r"\d+", line)[:3])
            cur["hist"][low, high] = count
        elif line.startswith("        ") and line.strip():
            cur["stack"].append(line.strip())
    return calls, summaries


# ---------------------------------------------------------------------------------------------
# The judge


def printed_and_not(report):
    """The program's calls that must be printed, and those that must not. The tool's latency of
    a call lies between the program's two clocks of it: wall_ns, from the callee's first
    statement to its last, and outer_ns, around the call in its caller. So a call whose wall_ns
    is at the threshold or more must be printed (each long call's is, by far), and one whose
    outer_ns is under it must not (a short call's, unless a loaded machine held it up)."""
    calls = report["calls"]
    printed = [c for c in calls if c["wall_ns"] >= THRESHOLD_MS * MS]
    unprinted = [c for c in calls if c["outer_ns"] < THRESHOLD_MS * MS]
    assert len([c for c in printed if c["long"]]) == len(made_funcs(report)) * 2, report  # two rounds
    return printed, unprinted


def expected_parts(call, report):
    """[(part, relation, the program's figure)] for a call: where its time went, as the
    program measured it ("wait:REASON" for a wait reason); relation "~" (within the tolerance),
    "<=" or ">=" (up to the tolerance). A call that blocks (nap, recv, lock, readpipe) spends
    the program's clock around the blocking operation in that part, and then in waiting to
    run again once woken (runnable, which the tool also counts wherever else in the call the
    goroutine waited to run): the part is at most that clock, the part and runnable together
    at least that, and the part lasts at least what the program arranged (arranged_ns)."""
    f = call["func"]
    if f in ("main.spin", "main.yield"):
        # on the CPU for its locked thread's CPU time; the rest of its time it waited to run:
        # the thread waiting for a CPU (spin), or the goroutine in Go's run queue (yield), also
        # before the program's inner clock starts (a preemption at the callee's stack check).
        # The thread's CPU time holds its time in the kernel too, which the tool splits out as
        # system calls: the clocks the program reads (none on amd64, where clock_gettime is
        # the vDSO's; every one on an emulated arm64, where it is a system call)
        return [("oncpu+syscall", "~", call["cpu_ns"]), ("runnable", ">=", call["wall_ns"] - call["cpu_ns"]),
                ("runnable", "<=", call["outer_ns"] - call["cpu_ns"])]
    if f == PULL:
        # waiting in its coroutine while the producer runs, spins or sleeps (the program's
        # clock around next and stop); on the CPU for the rest at most
        checks = [("wait:coroutine", "<=", call["coro_ns"]), ("wait:coroutine+runnable", ">=", call["coro_ns"]),
                  ("oncpu", "<=", call["outer_ns"] - call["coro_ns"])]
        return checks + ([("wait:coroutine", ">=", call["arranged_ns"])] if "arranged_ns" in call else [])
    if f == PRODUCER:
        # its own: spinning (on the CPU, or its thread preempted), sleeping, and waiting in its
        # coroutine while pull runs (in yield), switched to without the scheduler
        other = call["wall_ns"] - call["spin_ns"] - call["sleep_ns"] - call["yield_ns"]
        return [("oncpu+runnable", ">=", call["spin_ns"]), ("oncpu", "<=", call["spin_ns"] + other),
                ("wait:sleep", "<=", call["sleep_ns"]), ("wait:sleep+runnable", ">=", call["sleep_ns"]),
                ("wait:coroutine", "<=", call["yield_ns"])]
    part, figure = {"main.nap": ("wait:sleep", "sleep_ns"), "main.recv": ("wait:chan receive", "wait_ns"),
                    "main.lock": ("wait:" + mutex_reason(report), "wait_ns"),
                    "main.readpipe": ("syscall", "syscall_ns")}[f]
    checks = [(part, "<=", call[figure]), (part + "+runnable", ">=", call[figure])]
    return checks + ([(part, ">=", call["arranged_ns"])] if "arranged_ns" in call else [])


def part_of(got, part):
    """A part of a printed call, in ns: "wait:REASON", a field, or a sum "X+Y"."""
    if "+" in part:
        return sum(part_of(got, p) for p in part.split("+"))
    return got["wait"].get(part[5:], 0) if part.startswith("wait:") else got[part]


def off(value, relation, ns):
    """Whether value breaks relation to the program's figure ns, beyond the tolerance."""
    if relation == "<=":
        return value > ns + tolerance(ns)
    if relation == ">=":
        return value < ns - tolerance(ns)
    return abs(value - ns) > tolerance(ns)


def check_calls(report, printed, out, slack=0):
    """printed: {(func, goid): {"lat", "oncpu", "runnable", "syscall", "wait": {reason: ns},
    "syscalls": {name: count}}} in ns (slack: how far the printed latency may be off, rounded).
    Every call over the threshold is printed, none under it, each with its latency between
    the program's two clocks of it and each part within its tolerance of the program's own
    figure."""
    must, must_not = printed_and_not(report)
    want = {(c["func"], c["goid"]) for c in must}
    assert set(printed) >= want, f"calls over the threshold not printed: {want - set(printed)}\n{out}"
    unwanted = set(printed) & {(c["func"], c["goid"]) for c in must_not}
    assert not unwanted, f"calls under the threshold printed: {unwanted}\n{out}"
    made = {(c["func"], c["goid"]) for c in report["calls"]}
    assert set(printed) <= made, f"printed calls the program did not make: {set(printed) - made}\n{out}"
    problems = []
    for call in [c for c in report["calls"] if (c["func"], c["goid"]) in printed]:
        got = printed[call["func"], call["goid"]]
        lat = got["lat"]
        if not call["wall_ns"] - slack <= lat <= call["outer_ns"] + slack:
            problems.append(f"{call['func']} goid {call['goid']}: latency {lat} ns, the program "
                            f"measured {call['wall_ns']} ns inside it and {call['outer_ns']} "
                            "around it")
        for part, relation, ns in expected_parts(call, report):
            value = part_of(got, part)
            if off(value, relation, ns):
                problems.append(f"{call['func']} goid {call['goid']}: {part} {value} ns, not {relation} "
                                f"the program's {ns} ns")
        if call["func"] == "main.readpipe" and got["syscalls"].get("read") != 1:
            problems.append(f"main.readpipe goid {call['goid']}: syscalls {got['syscalls']}, not one read")
        elif call["func"] == "main.readpipe" and (
                off(got["read_ns"], "<=", call["syscall_ns"]) or
                off(got["read_ns"], ">=", call.get("arranged_ns", 0))):
            problems.append(f"main.readpipe goid {call['goid']}: read(2) took {got['read_ns']} ns, "
                            f"the program {call['syscall_ns']} ns (arranged: {call.get('arranged_ns')})")
    assert not problems, "\n".join(problems) + f"\nprogram: {report}\ntool:\n{out}"


def printed_json(calls):
    out = {}
    for c in calls:
        assert (c["func"], c["goid"]) not in out, f"printed twice: {c}"
        assert c["oncpu_ns"] + c["runnable_ns"] + c["syscall_ns"] + sum(c["wait_ns"].values()) == c["lat_ns"], c
        assert c["syscall_ns"] >= sum(s["ns"] for s in c["syscalls"]) - 1 or not c["syscalls"], c
        out[c["func"], c["goid"]] = {
            "lat": c["lat_ns"], "oncpu": c["oncpu_ns"], "runnable": c["runnable_ns"],
            "syscall": c["syscall_ns"], "wait": c["wait_ns"],
            "syscalls": {s["name"]: s["count"] for s in c["syscalls"]},
            "read_ns": sum(s["ns"] for s in c["syscalls"] if s["name"] == "read")}
    return out


def printed_text(calls, unit=MS):
    out = {}
    for c in calls:
        assert (c["func"], c["goid"]) not in out, f"printed twice: {c}"
        oncpu, runnable, syscall, wait = c["parts"]
        # each printed to 0.01 of LAT's unit
        assert abs(oncpu + runnable + syscall + wait - c["lat"]) <= 0.025, c
        assert abs(sum(c["waits"].values()) - wait) <= 0.005 * (len(c["waits"]) + 1), c
        out[c["func"], c["goid"]] = {
            "lat": c["lat"] * unit, "oncpu": oncpu * unit, "runnable": runnable * unit,
            "syscall": syscall * unit, "wait": {r: t * unit for r, t in c["waits"].items()},
            "syscalls": {name: int(count) for name, count, _ in c["syscalls"]},
            "read_ns": sum(t * unit for name, _, t in c["syscalls"] if name == "read")}
    return out


# ---------------------------------------------------------------------------------------------
# The tests

BUILDS = ["go126", "go119", "go126-stripped", "go126-pie", "go119-stripped", "go119-pie", "go123",
          "go122-rangefunc"]


@pytest.mark.parametrize("variant", BUILDS)
def test_breakdown_json(runs, variant):
    """-j -u: each long call once, under its goroutine id, its latency and the part its time
    went to as the program measured them; the parts add up to the latency exactly; no call
    under the threshold."""
    report, out, err = runs(variant, "-j", "-u", str(THRESHOLD_MS * 1000))
    calls, summaries = json_calls(out)
    assert not summaries and "lost" not in out and "WARNING" not in err, (out, err)
    pid = None
    for c in calls:
        assert {"func", "goid", "lat_ns", "oncpu_ns", "runnable_ns", "syscall_ns", "wait_ns",
                "comm", "pid", "tid", "ts_ns", "rval", "syscalls"} <= set(c), c
        assert pid in (None, c["pid"]) and "stack" not in c and "time" not in c and "args" not in c, c
        pid = c["pid"]
    check_calls(report, printed_json(calls), out)


@pytest.mark.parametrize("variant", ["go126", "go119-pie"])
def test_breakdown_text_summary(runs, variant):
    """Text, -m -s -T -a 1: bcc funcslower's columns with GOID, the breakdown line adding up to
    LAT, the syscalls and waits lines, each call's first argument (spin's and nap's durations),
    and at the end a summary per function: the slow calls' count, LAT total and average, the
    parts summed and a histogram of the slow calls."""
    report, out, err = runs(variant, "-m", str(THRESHOLD_MS), "-s", "-T", "-a", "1")
    lines = out.splitlines()
    assert lines[0] == f"Tracing function calls slower than {THRESHOLD_MS} ms... Ctrl+C to quit.", out
    assert re.match(r"^TIME\s+COMM\s+PID\s+GOID\s+LAT\(ms\)\s+RVAL\s+FUNC ARGS$", lines[1]), out
    calls, summaries = text_blocks(out)
    printed = printed_text(calls)
    check_calls(report, printed, out, slack=0.005 * MS)
    waits = {c["func"]: set(c["waits"]) for c in calls}
    made = {(c["func"], c["goid"]): c for c in report["calls"]}
    for c in calls:
        assert re.fullmatch(r"\d\d:\d\d:\d\d", c["time"]) and c["pid"] == calls[0]["pid"], c
        if c["func"] in ("main.spin", "main.nap") and made[c["func"], c["goid"]]["long"]:
            assert int(c["args"], 16) == 30 * MS, c  # longTime, a time.Duration in RAX
    assert "sleep" in waits["main.nap"] and "chan receive" in waits["main.recv"], out
    assert mutex_reason(report) in waits["main.lock"], out
    assert variant.startswith("go119") or waits[PULL] == {"coroutine"} and "sleep" in waits[PRODUCER], out
    read = [c for c in calls if c["func"] == "main.readpipe"]
    assert all(("read", 1) == c["syscalls"][0][:2] for c in read), out

    # -s: after the calls, one summary per function, summing them
    assert [s["func"] for s in summaries] == made_funcs(report), out
    for s in summaries:
        mine = [c for c in calls if c["func"] == s["func"]]
        assert s["count"] == len(mine) == sum(s["hist"].values()), s
        assert abs(s["total"] - sum(c["lat"] for c in mine)) <= 0.01 * (len(mine) + 1), (s, mine)
        assert abs(s["avg"] - s["total"] / s["count"]) <= 0.01, s
        for i in range(4):
            assert abs(s["parts"][i] - sum(c["parts"][i] for c in mine)) <= 0.01 * (len(mine) + 1), (s, mine)
        for c in mine:  # each call in its bucket of the histogram (in ms)
            assert any(low <= c["lat"] < high + 1 for low, high in s["hist"]), (c, s)
    assert lines[-1] == "Detaching...", out


def test_summary_json(runs):
    """-j -s: a summary object per function after the calls, with the same sums."""
    report, out, err = runs("go126-stripped", "-j", "-s", "-m", str(THRESHOLD_MS))
    calls, summaries = json_calls(out)
    check_calls(report, printed_json(calls), out)
    assert [s["func"] for s in summaries] == made_funcs(report), out
    for s in summaries:
        mine = [c for c in calls if c["func"] == s["func"]]
        assert s["count"] == len(mine) == sum(h["count"] for h in s["hist"]), s
        for key in ("lat_ns", "oncpu_ns", "runnable_ns", "syscall_ns"):
            assert s[key] == sum(c[key] for c in mine), (key, s, mine)
        reasons = {r for c in mine for r in c["wait_ns"]}
        assert s["wait_ns"] == {r: sum(c["wait_ns"].get(r, 0) for c in mine) for r in reasons}, s


@pytest.mark.parametrize("variant, args", [("go126-pie", ("-U", "-j", "-m", str(THRESHOLD_MS))),
                                           ("go119-stripped", ("-U", "-u", str(THRESHOLD_MS * 1000)))],
                         ids=["go126-pie-json", "go119-stripped-text"])
def test_user_stacks(runs, variant, args):
    """-U: below each slow call, its goroutine's Go stack at the call, the frames Go's own
    runtime.CallersFrames gives the program inside the call (the traced function first)."""
    report, out, err = runs(variant, *args)
    if "-j" in args:
        calls, _ = json_calls(out)
        check_calls(report, printed_json(calls), out)
        stacks = {(c["func"], c["goid"]): c["stack"] for c in calls}
    else:
        calls, _ = text_blocks(out)
        check_calls(report, printed_text(calls, unit=1000), out, slack=5)
        stacks = {(c["func"], c["goid"]): c["stack"] for c in calls}
    for call in [c for c in report["calls"] if (c["func"], c["goid"]) in stacks]:
        # a generic function's shaped body, iter.Pull's below the producer: the tool names its
        # symbol (iter.Pull[go.shape.int].func1), Go's frames print its type arguments as "[...]"
        frames = [re.sub(r"\[go\.shape\.[^\]]*\]", "[...]", re.sub(r"\+0x[0-9a-f]+$", "", f))
                  for f in stacks[call["func"], call["goid"]]]
        assert frames == call["stack"], (call, frames)


def test_gccgo_refused(built):
    """gccgo's runtime keeps no goroutine status the tool reads: one line, status 1."""
    binary = built.path("gccgo", PROGRAM)
    r = run_tool(TOOL, binary + ":main.spin")
    assert r.returncode == 1 and r.stdout == "", (r.stdout, r.stderr)
    assert r.stderr == (f"gofuncslower: {binary}: gccgo's runtime keeps no goroutine status "
                        "gofuncslower can read\n"), r.stderr


@pytest.mark.parametrize("variant", ["go126-stripped", "go119"])
def test_dry_run(built, variant):
    """--dry-run lists the traced functions' probes and the scheduler's, attaching none: the
    runtime's status changes, its coroutine switches where the binary has them (Go 1.23+
    builds of the program: iter.Pull), and the kernel's tracepoints."""
    binary = built.path(variant, PROGRAM)
    r = run_tool(TOOL, "--dry-run", "-r", f"{binary}:{PATTERN}", timeout=120)
    assert r.returncode == 0, r.stderr
    for func in FUNCS:
        assert re.search(r"\b%s\b" % re.escape(func), r.stdout), (func, r.stdout)
    rows = [line.split() for line in r.stdout.splitlines()]
    sched = sorted(row[-1] for row in rows if row[2:3] == ["sched"])
    coro = ["runtime.coroswitch_m"] if variant.startswith("go126") else []
    assert sched == sorted(["runtime.casGToPreemptScan", "runtime.casgstatus"] + coro), r.stdout
    tracepoints = [row[-1] for row in rows if row[2:3] == ["tracepoint"]]
    assert tracepoints == ["sched:sched_switch", "sched:sched_stat_runtime", "raw_syscalls:sys_enter",
                           "raw_syscalls:sys_exit"], r.stdout


@pytest.mark.parametrize("args", [("-m", "1", "-u", "1"), ("-T", "-t"), ("-m", "x")])
def test_usage_errors(args):
    r = run_tool(TOOL, *args, "main.spin")
    assert r.returncode == 2, (r.returncode, r.stderr)


def test_several_patterns(built):
    """PATTERN...: several functions, as bcc's funcslower takes them: the six globs trace the
    calls the one regular expression does, each judged as above."""
    with GoProgram(built.path("go119", PROGRAM), timeout=60) as prog:
        with Tool(TOOL, "-j", "-m", str(THRESHOLD_MS), "-p", str(prog.pid), *FUNCS) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    calls, _ = json_calls(out)
    check_calls(report, printed_json(calls), out)
    assert {c["func"] for c in calls} == set(FUNCS), out


def test_several_patterns_one_binary(built):
    """A PATTERN without a binary traces the first PATTERN's; PATTERNs naming two binaries:
    one line, status 1, nothing traced."""
    a, b = built.path("go126", PROGRAM), built.path("go119", PROGRAM)
    r = run_tool(TOOL, "--dry-run", f"{a}:main.spin", "main.nap")
    assert r.returncode == 0 and '"main.spin main.nap"' in r.stdout, r.stderr
    assert re.search(r"\bmain\.nap\b", r.stdout) and re.search(r"\bmain\.spin\b", r.stdout), r.stdout
    r = run_tool(TOOL, f"{a}:main.spin", f"{b}:main.nap")
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1, r.stderr
    assert "different binaries" in r.stderr, r.stderr
