"""bcc's options as runbooks use them: each one the tools take works as bcc's does, checked
against what tests/go/bccopts reports of itself (its locked thread, its CPU, its calls); each
one that means nothing for Go programs is refused with one line and exit status 2.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import GoProgram, LineReader, Tool, parse_funccount_tables, run_tool, tool

VARIANTS = ["go126", "go119"]
PROGRAM = "bccopts"
TRACE_HEADER = re.compile(r"^(TIME\s+)*(CPU\s+)?PID\s+TID\s+COMM\s+GOID\s+FUNC")


class Program(GoProgram):
    """tests/go/bccopts, with the thread its locked goroutine runs on (self.tid)."""

    def __enter__(self):
        super().__enter__()
        self.tid = int(self._expect_line("tid=").split("=", 1)[1])
        return self


class Trace(Tool):
    """gotrace, ready once its column header is out."""

    def _wait_for_banner(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if any(TRACE_HEADER.match(l) for l in self.out.lines):
                return None
            if self.proc.poll() is not None:
                time.sleep(0.1)
                pytest.fail(f"{self.command()} exited with {self.proc.returncode} before tracing; "
                            f"stderr:\n{self.err.text()}", pytrace=False)
            time.sleep(0.02)
        self.proc.kill()
        pytest.fail(f"{self.command()} was not ready; stderr:\n{self.err.text()}", pytrace=False)


def events(stdout, func="main.work"):
    """The event lines of gotrace output for func, split into columns."""
    return [l.split() for l in stdout.splitlines() if re.search(r"\s%s(\s|$)" % re.escape(func), l)]


def run_programs(progs, tracer):
    """Start the programs' calls with the tracer attached; return their reports and its output."""
    reports = []
    for p in progs:
        p.go()
    for p in progs:
        reports.append(p.result())
    time.sleep(0.3)
    status, out, err = tracer.interrupt()
    for p in progs:
        p.stop()
    assert status == 0, err
    return reports, out, err


# ---- help ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["gofunccount", "gotrace", "gofunclatency"])
def test_help_one_usage_line_lists_h(name):
    """--help prints one usage line (bcc's form) and lists -h among the options."""
    result = run_tool(name, "--help")
    assert result.returncode == 0
    usage = [l for l in result.stdout.splitlines() if l.lower().startswith("usage:")]
    assert usage == [l for l in result.stdout.splitlines() if l.startswith("USAGE: " + name + " [-h]")]
    assert len(usage) == 1
    assert re.search(r"^\s+-h, --help\s+show this help message and exit$", result.stdout, re.M)


# ---- gofunccount -c CPU -------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS)
def test_funccount_cpu(built, variant):
    """-c CPU counts the calls made on that CPU only: of two copies pinned to CPUs 0 and 1, the
    one on the chosen CPU, exactly."""
    binary = built.path(variant, PROGRAM)
    with Program("taskset", "-c", "0", binary) as p0, Program("taskset", "-c", "1", binary) as p1:
        with Tool("gofunccount", "-c", "1", binary + ":main.work") as t:
            reports, out, err = run_programs([p0, p1], t)
    tables = parse_funccount_tables(out)
    assert reports[1]["cpu"] == 1 and reports[0]["cpu"] == 0
    assert tables[-1] == {"main.work": reports[1]["locked"] + reports[1]["other"]}


def test_funccount_cpu_invalid():
    result = run_tool("gofunccount", "-c", str(os.cpu_count() + 64), "x:main.x")
    assert result.returncode == 2
    assert result.stderr == f"gofunccount: invalid CPU: '{os.cpu_count() + 64}'\n"
