"""The crash matrix: the tools attached to programs that stress the Go runtime.

tests/go/stress runs one MODE (10,000 goroutines a round; GC at every allocation; panics
recovered around the traced function; runtime.Goexit under it; a CPU profile running; C calling
Go; a child process forked and executed each round) and checks its own invariants. Each test
attaches all five tools to it at once (so two or more tools share one process), lets it run a few
seconds, and checks that the program is alive, its invariants hold, its exit status is 0, the
tools' counts equal the program's own, and no probe is left in its code. Then: a binary deleted
on disk while it runs, a program in another mount namespace, and each tool killed with SIGKILL.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import GoProgram, Tool, build_program, BuildError

SECONDS = 2.5
MODES = ["goroutines", "gc", "panic", "goexit", "pprof", "cgo", "fork", "work"]


@pytest.fixture(scope="module")
def stress():
    """{False: the stress program built without cgo, True: with cgo}."""
    try:
        return {False: build_program("go126", "stress"), True: build_program("go126-cgo", "stress")}
    except BuildError as e:
        pytest.fail(f"cannot build tests/go/stress: {e}", pytrace=False)


def tools_for(pid):
    """(name, argv) of the five tools, each traced to the stress program's functions. gotrace
    stops by itself after 2000 events: it detaches while the program runs hot."""
    p = ["-p", str(pid)]
    return [
        ("gofunccount", [*p, "-j", "-r", r"^main\.(work|describe|goCallback)$"]),
        ("gofunclatency", [*p, "-j", "main.work"]),
        ("gostack", [*p, "-j", "main.work"]),
        ("goiface", [*p, "-j", "main.describe", "v"]),
        ("gotrace", [*p, "-M", "2000", 'main.work "%d", x']),
    ]


def code_of(pid):
    """(file bytes, memory bytes) of each executable mapping of the program pid runs, read from
    /proc/PID/exe, so that a deleted file or one in another mount namespace is read too."""
    exe = os.readlink(f"/proc/{pid}/exe")
    with open(f"/proc/{pid}/exe", "rb") as f:
        data = f.read()
    pairs = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb") as mem:
        for line in maps:
            fields = line.split(None, 5)
            if len(fields) == 6 and fields[5].rstrip("\n") == exe and "x" in fields[1]:
                start, end = (int(x, 16) for x in fields[0].split("-"))
                off = int(fields[2], 16)
                size = min(end - start, len(data) - off)
                mem.seek(start)
                pairs.append((data[off:off + size], mem.read(size)))
    assert pairs, f"no executable mapping of {exe} in /proc/{pid}/maps"
    return pairs


def probes_in(pid):
    """How many bytes of the program's code differ from its file (an int3 is a probe)."""
    return sum(sum(a != b for a, b in zip(f, m)) for f, m in code_of(pid))


def json_counts(out):
    """{func: count} summed over a tool's JSON lines."""
    counts = {}
    for line in out.splitlines():
        if line.startswith("{") and '"count"' in line:
            row = json.loads(line)
            key = row.get("func", "")
            counts[key] = counts.get(key, 0) + row["count"]
    return counts


def run_matrix(prog):
    """Attach the five tools to prog, run it SECONDS, stop it; the program's report and each
    tool's (status, stdout, stderr)."""
    with contextlib.ExitStack() as stack:
        tools = [(name, stack.enter_context(Tool(name, *args, timeout=60)))
                 for name, args in tools_for(prog.pid)]
        during = probes_in(prog.pid)
        prog.go()
        time.sleep(SECONDS)
        prog.go("stop")
        report = prog.result()
        results = {}
        for name, t in tools:
            if name == "gotrace":
                results[name] = t.wait(timeout=60)
            else:
                results[name] = t.interrupt(timeout=60)
    return report, results, during


def check(report, results, during, pid):
    assert report["ok"], f"the program's invariants broke: {report['errors']}"
    assert report["rounds"] > 0 and report["main.work"] > 0, report
    assert during > 0, "no probe was seen in the program's code while tracing (is the check broken?)"
    for name, (status, out, err) in results.items():
        assert status == 0, f"{name} exited with {status}:\n{err}"
    counts = json_counts(results["gofunccount"][1])
    for func in ("main.work", "main.describe", "main.goCallback"):
        assert counts.get(func, 0) == report.get(func, 0), (func, counts, report)
    assert json_counts(results["gofunclatency"][1]).get("", 0) == report["main.work"], results["gofunclatency"]
    assert sum(json_counts(results["gostack"][1]).values()) == report["main.work"], results["gostack"][2]
    assert sum(json_counts(results["goiface"][1]).values()) == report["main.describe"], results["goiface"]
    events = [line for line in results["gotrace"][1].splitlines()[1:] if line.strip()]
    assert len(events) == 2000 and all(e.split()[-1].isdigit() for e in events), events[-3:]
    assert probes_in(pid) == 0, "probes left in the program's code"


@pytest.mark.parametrize("mode", MODES)
def test_stress(stress, mode):
    env_gogc = {"gc": "1"}.get(mode)
    if env_gogc:
        os.environ["GOGC"] = env_gogc
    try:
        prog_cm = GoProgram(stress[mode == "cgo"], mode, timeout=60)
        with prog_cm as prog:
            report, results, during = run_matrix(prog)
            check(report, results, during, prog.pid)
            prog.stop()
    finally:
        os.environ.pop("GOGC", None)


def test_deleted_binary(stress, tmp_path):
    """The program's file is deleted while it runs: the tools reach it through /proc/PID/exe."""
    binary = os.path.join(tmp_path, "stress")
    shutil.copy2(stress[False], binary)
    with GoProgram(binary, "work", timeout=60) as prog:
        os.unlink(binary)
        assert os.readlink(f"/proc/{prog.pid}/exe").endswith(" (deleted)")
        report, results, during = run_matrix(prog)
        check(report, results, during, prog.pid)
        prog.stop()


def test_other_mount_namespace(stress, tmp_path):
    """The program runs in a mount namespace of its own, from a tmpfs mounted only there: its
    path means nothing here; traced by -p."""
    where = os.path.join(tmp_path, "mnt")
    os.mkdir(where)
    script = f"mount -t tmpfs tmpfs {where} && cp {stress[False]} {where}/stress && exec {where}/stress work"
    with GoProgram("unshare", "-m", "--propagation", "private", "sh", "-c", script, timeout=60) as prog:
        assert not os.path.exists(os.path.join(where, "stress")), "the tmpfs is visible here"
        assert os.readlink(f"/proc/{prog.pid}/ns/mnt") != os.readlink("/proc/self/ns/mnt")
        report, results, during = run_matrix(prog)
        check(report, results, during, prog.pid)
        prog.stop()


@pytest.mark.parametrize("probes", ["uprobe_multi", "perf_event"])
@pytest.mark.parametrize("name", ["gofunccount", "gotrace", "gofunclatency", "gostack", "goiface"])
def test_tool_killed(stress, name, probes):
    """A tool killed with SIGKILL while the program runs hot: its uprobe_multi link, or its
    perf-event uprobes (GOTOOLS_NO_MULTI=1), go with its file descriptors; the program's code
    equals its file at once, and the program carries on."""
    env = {"GOTOOLS_NO_MULTI": "1"} if probes == "perf_event" else {}
    with GoProgram(stress[False], "work", timeout=60) as prog:
        args = dict(tools_for(prog.pid))[name]
        if name == "gotrace":
            args = [a for a in args if a not in ("-M", "2000")]
        with Tool(name, *args, env=env, timeout=60) as t:
            assert probes_in(prog.pid) > 0
            prog.go()
            time.sleep(1)
            t.proc.kill()
            t.proc.wait()
        deadline = time.monotonic() + 5
        while probes_in(prog.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = probes_in(prog.pid)
        time.sleep(0.5)
        prog.go("stop")
        report = prog.result()
        prog.stop()
    assert not left, f"{left} bytes of probes left after {name} was killed"
    assert report["ok"] and report["main.work"] > 0, report
