"""Tests of libgo's probe layer, through gofunccount: the compile cache, the pid filter.

A compiled program is cached in a root-only directory (GOTOOLS_CACHE_DIR, default
/var/cache/gotools) and loaded again without libbcc; GOTOOLS_NO_CACHE=1 always compiles.
"""

import os
import signal
import subprocess
import time

import pytest

from conftest import GoProgram, Tool, assert_counts, code_differences, parse_funccount, tool

TOOL = "gofunccount"


def count(binary, env, pattern="main.*"):
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-p", str(prog.pid), pattern, env=env) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    return report, out, err


def test_compiled_and_cached_count_alike(built, tmp_path):
    """The first run compiles and fills the cache; the second loads from it; both are exact."""
    cache = tmp_path / "cache"
    env = {"GOTOOLS_CACHE_DIR": str(cache)}
    report, out, err = count(built.path("go126"), env)
    assert_counts(parse_funccount(out), report, out)
    files = os.listdir(cache)
    assert len(files) == 1 and files[0].endswith(".bpf"), files
    mtime = os.stat(cache / files[0]).st_mtime_ns
    report, out, err = count(built.path("go126"), env)
    assert_counts(parse_funccount(out), report, out)
    assert os.listdir(cache) == files and os.stat(cache / files[0]).st_mtime_ns == mtime


def test_no_cache(built, tmp_path):
    cache = tmp_path / "cache"
    report, out, err = count(built.path("go119"), {"GOTOOLS_CACHE_DIR": str(cache), "GOTOOLS_NO_CACHE": "1"})
    assert_counts(parse_funccount(out), report, out)
    assert not cache.exists()


def test_untrusted_cache_is_not_used(built, tmp_path):
    """A cache directory others can write is ignored: bytecode from it would reach the kernel."""
    cache = tmp_path / "open"
    cache.mkdir()
    os.chmod(cache, 0o777)
    report, out, err = count(built.path("go126"), {"GOTOOLS_CACHE_DIR": str(cache)})
    assert_counts(parse_funccount(out), report, out)
    assert os.listdir(cache) == []


def test_corrupt_cache_file_is_recompiled(built, tmp_path):
    cache = tmp_path / "cache"
    env = {"GOTOOLS_CACHE_DIR": str(cache)}
    count(built.path("go126"), env)
    [name] = os.listdir(cache)
    with open(cache / name, "r+b") as f:
        f.truncate(40)
    report, out, err = count(built.path("go126"), env)
    assert_counts(parse_funccount(out), report, out)


def test_pid_filter(built):
    """With -p, only that process's calls count, though both run the same binary (whose code
    the uprobes patch in every process that maps it). The compiled program is the same for
    every pid: the pid is set at run time."""
    binary = built.path("go126")
    with GoProgram(binary) as traced, GoProgram(binary) as other:
        with Tool(TOOL, "-p", str(traced.pid), "main.*") as t:
            other.go()
            other.result()
            traced.go()
            report = traced.result()
            status, out, err = t.interrupt()
        traced.stop()
        other.stop()
    assert status == 0, err
    assert_counts(parse_funccount(out), report, out)


@pytest.mark.parametrize("argv", [
    ["gotrace", "main.add", "r:main.add"],
    ["gofunclatency", "main.add"],
    ["gofunccount", "main.*"],
], ids=["gotrace", "gofunclatency", "gofunccount"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_nothing_left_attached(built, argv, sig):
    """Ctrl-C and SIGTERM detach everything: while tracing the traced code holds breakpoints;
    after the tool exits, not one byte of it differs from the file."""
    binary = built.path("go126", "tracee")
    tool_name, *args = argv
    with GoProgram(binary) as prog:
        proc = subprocess.Popen([tool(tool_name), "-p", str(prog.pid), *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not code_differences(prog.pid, binary):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        prog.go()
        prog.result()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert code_differences(prog.pid, binary) == []
        prog.stop()


def test_traced_process_exit_ends_gotrace(built):
    """gotrace -p detaches and exits by itself when the traced process exits."""
    with GoProgram(built.path("go126", "tracee")) as prog:
        proc = subprocess.Popen([tool("gotrace"), "-p", str(prog.pid), 'main.add "%d", goarg1'],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        header = proc.stdout.readline()  # printed once every probe is attached
        prog.go()
        prog.result()
        prog.stop()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert header.startswith("PID"), header + out + err
    assert [l.split()[-1] for l in out.splitlines()] == ["42", "0", "1", "2", "3", "4"], out


def test_cache_stays_bounded(built, tmp_path):
    """The cache keeps at most 256 programs: writing one more removes the least recently used."""
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    for i in range(300):
        f = cache / f"{i:016x}.bpf"
        f.write_bytes(b"old")
        os.utime(f, (1000 + i, 1000 + i))
    report, out, err = count(built.path("go126"), {"GOTOOLS_CACHE_DIR": str(cache)})
    assert_counts(parse_funccount(out), report, out)
    files = sorted(os.listdir(cache))
    assert len(files) == 256, len(files)
    assert f"{0:016x}.bpf" not in files and f"{299:016x}.bpf" in files
