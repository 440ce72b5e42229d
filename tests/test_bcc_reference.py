"""bcc's own tools on a Go program: the reference that proves the test harness on an
architecture before this project's tools run there (the tests marked `arm64` are the subset an
arm64 run takes first: issue 27's QEMU harness).

tests/go/leafcalls calls main.add, a leaf without a stack check, so bcc's probe on its first
instruction fires exactly once a call; the program's own account is the judge: each call counted
by bcc's funccount, and the arguments bcc's trace reads from the registers where Go's register
ABI puts them (gc 1.17+ on amd64, 1.18+ on arm64), as the kernel's struct pt_regs names them.
"""

import os
import platform
import re
import time

import pytest

from conftest import GoProgram, Tool, parse_funccount, private_copy

pytestmark = pytest.mark.arm64

FUNCCOUNT = "/usr/sbin/funccount-bpfcc"
TRACE = "/usr/sbin/trace-bpfcc"

# The first two integer arguments of a Go ABIInternal function, in bcc's C: on amd64 RAX and RBX
# (bcc's arg1 would be RDI); on arm64 R0 and R1, which is also where the C ABI puts them.
GO_ARGS = {
    "x86_64": ("ctx->ax", "ctx->bx"),
    "aarch64": ("ctx->regs[0]", "ctx->regs[1]"),
}

# Emulated, bcc's tools start slowly (Python, then clang compiles the BPF program).
BCC_TIMEOUT = 300


def bcc_tool(path):
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} is missing: install bcc's tools (scripts/setup.sh installs bpfcc-tools)",
                    pytrace=False)
    return path


class BccTrace(Tool):
    """bcc's trace, ready once it prints its column header (Tool takes an absolute path as is)."""

    READY = re.compile(r"^PID\s+TID\s+COMM\s+FUNC")


@pytest.mark.parametrize("variant", ["go126", "go126-pie", "go119"])
def test_funccount_counts_each_call(built, tmp_path, variant):
    binary = private_copy(built.path(variant, "leafcalls"), tmp_path)
    with GoProgram(binary, "1000") as prog:
        with Tool(bcc_tool(FUNCCOUNT), f"{binary}:main.add", timeout=BCC_TIMEOUT) as bcc:
            prog.go()
            report = prog.result()
            status, stdout, stderr = bcc.interrupt(timeout=BCC_TIMEOUT)
        prog.stop()
    assert status == 0, stderr
    # bcc 0.26 prints the name as Python bytes: b'main.add'
    counts = {re.sub(r"^b'(.*)'$", r"\1", name): n for name, n in parse_funccount(stdout).items()}
    assert report["main.add"] == 1000
    assert counts == {"main.add": report["main.add"]}, stdout


def test_trace_reads_go_register_arguments(built, tmp_path):
    first, second = GO_ARGS.get(platform.machine(), (None, None))
    if first is None:
        pytest.skip(f"no register names for {platform.machine()}")
    binary = private_copy(built.path("go126", "leafcalls"), tmp_path)
    probe = f'{binary}:main.add "add %d %d", {first}, {second}'
    event = re.compile(r"\badd (-?\d+) (-?\d+)$", re.M)
    with GoProgram(binary, "10") as prog:
        # not -M 10: bcc 0.26's trace does not exit from its event callback
        with BccTrace(bcc_tool(TRACE), probe, timeout=BCC_TIMEOUT) as bcc:
            prog.go()
            report = prog.result()
            deadline = time.monotonic() + BCC_TIMEOUT
            while (sum(1 for line in bcc.out.lines if event.search(line)) < len(report["args"])
                   and time.monotonic() < deadline and bcc.proc.poll() is None):
                time.sleep(0.1)
            status, stdout, stderr = bcc.interrupt(timeout=BCC_TIMEOUT)
        prog.stop()
    # bcc's trace ends with status 1 on Ctrl-C (it catches KeyboardInterrupt as an error, whose
    # message is empty); any other error prints its message
    assert status in (0, 1) and not stderr.strip(), stderr
    seen = [[int(x), int(y)] for x, y in event.findall(stdout)]
    assert seen == report["args"], stdout
