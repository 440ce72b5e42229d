"""Without the privileges to trace, a tool says in one line what it needs and exits 1, before
it reads a binary or touches BPF; usage errors and --help still work without them.

Run as root: setpriv makes the unprivileged processes (nobody; root with capabilities dropped
from its bounding set, which an exec then drops from its permitted and effective sets)."""

import os
import shutil
import subprocess

import pytest

from conftest import TRACEFS, GoProgram, code_differences, note_sanitizer_report, tool

TOOLS = {
    "gofunccount": ["main.add"],
    "gotrace": ["main.add"],
    "gofunclatency": ["main.add"],
    "gostack": ["main.add"],
    "goiface": ["main.add", "goarg1"],
}
NEEDS = "needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN) to load BPF programs and attach uprobes"

NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--inh-caps=-all"]


def dropped(*caps):
    caps = ",".join(f"-{c}" for c in caps)
    return ["setpriv", f"--bounding-set={caps}", f"--inh-caps={caps}"]


WAYS = {
    "nobody": NOBODY,
    "root without bpf, perfmon, sys_admin": dropped("bpf", "perfmon", "sys_admin"),
    "root without bpf, sys_admin": dropped("bpf", "sys_admin"),
    "root without perfmon, sys_admin": dropped("perfmon", "sys_admin"),
}


def run(prefix, name, *args, env=None):
    r = subprocess.run(prefix + [tool(name), *args], capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL, env=dict(os.environ, **(env or {})))
    note_sanitizer_report(name, r.stderr)
    return r


@pytest.fixture(scope="module")
def tracee(built, tmp_path_factory):
    """A running copy of tracee, readable by nobody; a probe left would show in its code."""
    d = tmp_path_factory.mktemp("priv")
    os.chmod(d, 0o755)
    binary = os.path.join(d, "tracee")
    shutil.copy2(built.path("go126", "tracee"), binary)
    os.chmod(binary, 0o755)
    with GoProgram(binary) as prog:
        yield binary, prog


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("name", list(TOOLS))
def test_says_what_it_needs(tracee, name, way):
    binary, prog = tracee
    for args in ([f"{binary}:{TOOLS[name][0]}", *TOOLS[name][1:]],
                 ["-p", str(prog.pid), *TOOLS[name]]):
        r = run(WAYS[way], name, *args)
        assert r.returncode == 1, (args, r)
        assert r.stderr == f"{name}: {NEEDS}\n" and r.stdout == "", (args, r)
    assert not code_differences(prog.pid, binary)
    with open(os.path.join(TRACEFS, "uprobe_events")) as f:
        assert binary not in f.read()


@pytest.mark.parametrize("name", list(TOOLS))
def test_usage_without_privileges(name):
    """Help and usage errors need no privileges: the check comes after the options."""
    r = run(NOBODY, name, "--help")
    assert r.returncode == 0 and "USAGE" in r.stdout, r
    r = run(NOBODY, name, "--no-such-option")
    assert r.returncode == 2 and "unrecognized option '--no-such-option'" in r.stderr, r


@pytest.mark.parametrize("keep", ["sys_admin", "bpf and perfmon"])
def test_enough_privileges(tracee, keep):
    """CAP_BPF with CAP_PERFMON suffices, and so does CAP_SYS_ADMIN alone; the program compiled
    afresh (no cache) in either case; the calls are counted exactly."""
    binary, _ = tracee
    prefix = dropped("bpf", "perfmon") if keep == "sys_admin" else dropped("sys_admin")
    with GoProgram(binary) as prog:
        t = subprocess.Popen(prefix + [tool("gofunccount"), "-p", str(prog.pid), "main.add"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, GOTOOLS_NO_CACHE="1"))
        line = t.stdout.readline()
        assert line.startswith("Tracing 1 functions"), (line, t.stderr.read() if t.poll() is not None else "")
        prog.go()
        report = prog.result()
        prog.stop()
        out, err = t.communicate(timeout=30)
    assert t.returncode == 0, err
    rows = {l.split()[0]: int(l.split()[1]) for l in out.splitlines() if l.startswith("main.")}
    assert rows == {"main.add": report["main.add"]}, (rows, report)


def test_unreadable_binary(tracee, tmp_path):
    """Root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH cannot read a mode-000 file: the
    tool says so in one line (its tracing privileges are intact)."""
    binary, _ = tracee
    locked = os.path.join(tmp_path, "locked")
    shutil.copy2(binary, locked)
    os.chmod(locked, 0)
    for name, args in TOOLS.items():
        r = run(dropped("dac_override", "dac_read_search"), name, f"{locked}:{args[0]}", *args[1:])
        assert r.returncode == 1, r
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and f"cannot open '{locked}': Permission denied" in lines[0], r
