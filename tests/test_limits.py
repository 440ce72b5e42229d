"""Limits: '*' on a large Go program (the toolchain's own compiler, over 20 MB and 20,000
functions) attaches, runs and detaches within bounded time and memory, or is refused in one
line (gotrace: its events need one ABI). The tool's own peak RSS is measured on a run whose BPF
program is cached, so that libbcc's short-lived compiler child does not count."""

import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import GO126, TRACEFS, note_sanitizer_report, run_peak_rss, tool

BIG = os.path.join(os.path.dirname(os.path.dirname(GO126)), "pkg", "tool", "linux_amd64", "compile")
MAX_SECONDS = 60
MAX_RSS_MB = 256


def max_rss_mb(name):
    """The bound on a tool's peak memory: ASan's shadow memory and quarantine (make SANITIZE=1,
    whose tools link libasan) multiply what a tool holds, so that build gets four times as much."""
    with open(tool(name), "rb") as f:
        return MAX_RSS_MB * 4 if b"libasan.so" in f.read() else MAX_RSS_MB


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """A private copy: probes on a file reach every process running it, and other programs run
    the toolchain."""
    if not os.path.exists(BIG):
        pytest.fail(f"{BIG} is not installed")
    path = os.path.join(tmp_path_factory.mktemp("big"), "compile")
    shutil.copy2(BIG, path)
    assert os.path.getsize(path) > 20 * 1024 * 1024
    return path


def run_rusage(argv):
    with tempfile.TemporaryFile("w+") as out:
        start = time.monotonic()
        status, maxrss = run_peak_rss(argv, out, out)
        seconds = time.monotonic() - start
        out.seek(0)
        text = out.read()
    note_sanitizer_report(" ".join(argv), text)
    return status, text, seconds, maxrss / 1024


@pytest.mark.parametrize("name, args", [
    ("gofunccount", ["-d", "1"]),
    ("gofunclatency", ["-d", "1"]),
    ("gostack", ["-D", "1"]),
    ("goiface", ["-d", "1", "{}", "goarg1"]),
])
def test_everything_in_a_big_binary(big, name, args):
    argv = [tool(name)] + [a for a in args if a != "{}"]
    argv.insert(len(argv) - (1 if name == "goiface" else 0), f"{big}:*")
    run_rusage(argv)  # compiles the BPF program once, into the cache
    status, text, seconds, rss = run_rusage(argv)
    assert status == 0, text[-3000:]
    m = re.search(r'^Tracing (\d+) functions for "', text, re.M)
    # goiface keeps only the functions that pass words 1 and 2 (10,362 of Go 1.26's compiler)
    assert m and int(m.group(1)) > (10000 if name == "goiface" else 15000), text[-3000:]
    assert "Detaching..." in text
    assert seconds < MAX_SECONDS, f"{name} took {seconds:.1f} s"
    assert rss < max_rss_mb(name), f"{name} peaked at {rss:.0f} MB"
    with open(os.path.join(TRACEFS, "uprobe_events")) as f:
        assert big not in f.read()


def test_gotrace_refuses_everything(big):
    """gotrace prints each call: '*' over functions of two ABIs is refused in one line."""
    r = subprocess.run([tool("gotrace"), f"{big}:*"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r
    assert r.stderr.splitlines() == [f"gotrace: probe '{big}:*': '*' matches functions of "
                                     "different ABIs (internal and abi0): narrow the pattern"], r.stderr


def test_goiface_without_dwarf_says_so(big):
    """A big binary linked with -w: goiface by names says that there is no DWARF, not that one
    function lacks it."""
    r = subprocess.run([tool("goiface"), f"{big}:*"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r
    assert r.stderr == (f"goiface: '{big}' has no DWARF (linked with -w or stripped): name "
                        "arguments as goargN\n"), r.stderr
