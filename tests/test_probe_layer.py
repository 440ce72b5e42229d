"""Tests of libgo's probe layer, through gofunccount: the compile cache, the pid filter.

A compiled program is cached in a root-only directory (GOTOOLS_CACHE_DIR, default
/var/cache/gotools) and loaded again without libbcc; GOTOOLS_NO_CACHE=1 always compiles.
"""

import os
import time

from conftest import GoProgram, Tool, assert_counts, parse_funccount

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
