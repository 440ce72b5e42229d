"""Probe planning and per-site Go facts, over the three tools.

- Planning is one pipeline: functions that cannot be probed are dropped before anything is
  numbered, so entry and return probes of the others agree on which function is which.
- Facts of each binary travel with its probes: one gotrace run over binaries of two Go releases
  (goid at different offsets in runtime.g) prints the right goroutine ids for both.
- At the RET of an assembly function R14 need not hold g: such calls are still timed, and
  their returns still carry the goroutine's id.
- gofunclatency's per-goroutine state is not a silent limit: 40,000 goroutines inside a traced
  call at once are all timed.
"""

import time

import pytest

from conftest import GoProgram, Tool
from test_gofunclatency import histograms, timed
from test_gotrace import Trace, events

PROGRAM = "asmregs"


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_dropped_function_does_not_shift_cookies(built, variant):
    """runtime.abort starts with INT3 and comes before main in the binary: it is dropped, and
    the calls of main.f, g and h are still timed under their own names."""
    report, out, err = timed(built.path(variant, PROGRAM), r"^(runtime\.abort|main\.(f|g|h))$",
                             args=("-F", "-r"))
    assert "skipping 1 function whose entry the kernel cannot probe (runtime.abort)" in err, err
    hs = {h["func"]: h["count"] for h in histograms(out)}
    assert hs == {name: report[name] for name in ("main.f", "main.g", "main.h")}, (report, out)
    assert "did not return" not in err, err


def test_xchg_r8_entry_not_probed(built):
    """Go 1.19's runtime.gcWriteBarrierR8 begins with XCHG RAX, R8 (49 90), which Linux emulates
    as a NOP when probed there, so the barrier stores the wrong value and the heap is corrupt:
    that entry is not probeable, while R9's (49 91, single-stepped) is."""
    from test_gofunccount import parse_funccount
    path = built.path("go119", PROGRAM)
    with GoProgram(path) as prog:
        with Tool("gofunccount", "-p", str(prog.pid), "runtime.gcWriteBarrierR?",
                  env={"GOTOOLS_NO_CALL_SITES": "1"}) as t:
            prog.go()
            prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert "skipping 1 function whose entry the kernel cannot probe (runtime.gcWriteBarrierR8)" \
        in err, err
    assert "Tracing 1 functions" in out, out


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_dropped_function_gofunccount(built, variant):
    """gofunccount over the same pattern counts each of f, g and h under its own name."""
    from test_gofunccount import parse_funccount
    with GoProgram(built.path(variant, PROGRAM)) as prog:
        with Tool("gofunccount", "-r", "-p", str(prog.pid), r"^(runtime\.abort|main\.(f|g|h))$") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert parse_funccount(out) == {name: report[name] for name in ("main.f", "main.g", "main.h")}, out


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_assembly_using_r14_is_timed(built, variant):
    """main.clobber and crypto/sha256's block functions use R14 as scratch (ABI0): every call is
    timed, none is taken for one ended by a panic."""
    report, out, err = timed(built.path(variant, PROGRAM),
                             r"^(main\.clobber|crypto/(internal/fips140/)?sha256\.block.*)$",
                             args=("-F", "-r"))
    hs = {h["func"]: h["count"] for h in histograms(out)}
    assert hs.pop("main.clobber") == report["main.clobber"], (report, out)
    # one block per Sum256(nil): the padding; in Go 1.26 block is Go, calling an assembly one
    assert hs and set(hs.values()) == {report["sha256"]}, (report, out)
    if variant == "go119":
        assert list(hs) == ["crypto/sha256.block"], out
    else:
        assert "crypto/internal/fips140/sha256.block" in hs and len(hs) == 2, out
    assert "did not return" not in err, err


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_assembly_using_r14_goids(built, variant):
    """gotrace's GOID at the RETs of main.clobber is each calling goroutine's id."""
    with GoProgram(built.path(variant, PROGRAM)) as prog:
        with Trace("-p", str(prog.pid), "r:main.clobber") as t:
            prog.go()
            report = prog.result()
            time.sleep(0.3)
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    seen = {}
    for pid, tid, comm, goid, func, msg in events(out):
        assert func == "main.clobber", out
        seen[str(goid)] = seen.get(str(goid), 0) + 1
    assert seen == report["goids"], (report, out)


def sha256_block(variant):
    """The assembly function sha256.Sum256 calls once per block on this CPU."""
    if variant == "go119":
        return "crypto/sha256.block"
    with open("/proc/cpuinfo") as f:
        flags = f.read().split()
    for flag, name in (("sha_ni", "blockSHANI"), ("avx2", "blockAVX2")):
        if flag in flags:
            return "crypto/internal/fips140/sha256." + name
    pytest.skip("this CPU has neither SHA-NI nor AVX2: Go 1.26 hashes in Go")


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_sha256_block_goids(built, variant):
    """gotrace's GOID at the RETs of crypto/sha256's assembly is its caller's goroutine id."""
    block = sha256_block(variant)
    with GoProgram(built.path(variant, PROGRAM)) as prog:
        with Trace("-p", str(prog.pid), f"r:{block}") as t:
            prog.go()
            report = prog.result()
            time.sleep(0.3)
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert [(func, goid) for pid, tid, comm, goid, func, msg in events(out)] == \
        [(block, report["goid"])] * report["sha256"], (report, out)


def test_two_go_releases_in_one_run(built):
    """goid is at 152 in Go 1.26's runtime.g and at 160 in Go 1.24's: one gotrace run over
    both binaries prints each goroutine's own id."""
    binaries = [built.path("go126", "goroutines"), built.path("go124", "goroutines")]
    with Trace(*(f'{b}:main.work "%d", goarg1' for b in binaries)) as t:
        reports = {}
        for b in binaries:
            with GoProgram(b, "6") as prog:
                prog.go()
                reports[prog.pid] = prog.result()
                prog.stop()
        time.sleep(0.3)
        status, out, err = t.interrupt()
    assert status == 0, err
    seen = {pid: {} for pid in reports}
    for pid, tid, comm, goid, func, msg in events(out):
        assert goid == int(msg), f"GOID {goid} but the goroutine passed its id {msg}:\n{out}"
        seen[pid][str(goid)] = seen[pid].get(str(goid), 0) + 1
    assert seen == reports, (reports, out)


def test_many_goroutines_in_a_call(built):
    """40,000 goroutines are inside main.hold at once: every call is timed."""
    report, out, err = timed(built.path("go126", PROGRAM), "main.hold",
                             program_args=("hold", "40000"))
    [h] = histograms(out)
    assert report["main.hold"] == 40000
    assert h["count"] == 40000, (out, err)
    assert "did not return" not in err, err
