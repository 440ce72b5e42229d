"""Every tool on a generated program: hundreds of functions of the shapes that trip probe
placement (early returns before bounds checks, compiler-generated (*T).M wrappers, 10 to 12
arguments, frames and leaves, assembly with a stack check), each called on one of several goroutines; the program reports
every call's arguments, result and goroutine id (tests/gen_program.py), and each count,
argument, result and goroutine id the tools print is compared with it.
"""

import collections
import hashlib
import os
import re
import tempfile
import time

import pytest

import gen_program
from conftest import BUILD_DIR, BuildError, GoProgram, Tool, build_program, parse_funccount
from test_gofunclatency import histograms
from test_gotrace import Trace, events

PATTERN = r"^main\.(g[0-9]+_[a-z]+|\(\*T[0-9]+\)\.M|T[0-9]+\.M)$"
BATCH = 8  # functions per gotrace run: an entry and a return probe each (gotrace takes 16)


def generated(variant):
    """The generated program built as variant (gccgo: the shapes gccgo builds, split stacks)."""
    toolchain = "gccgo" if variant.startswith("gccgo") else "gc"
    source = gen_program.generate(toolchain=toolchain) + (gen_program.assembly(toolchain=toolchain) or "")
    src = os.path.join(BUILD_DIR, "generated", hashlib.sha256(source.encode()).hexdigest()[:16])
    if not os.path.exists(src):
        os.makedirs(os.path.dirname(src), exist_ok=True)
        tmp = tempfile.mkdtemp(dir=os.path.dirname(src))
        gen_program.write(tmp, toolchain=toolchain)
        try:
            os.rename(tmp, src)
        except OSError:  # another run wrote it first
            pass
    try:
        return build_program(variant, "generated", src=src)
    except BuildError as e:
        pytest.fail(f"cannot build the generated program as {variant}: {e}", pytrace=False)


def run_under(binary, tool, *args, rounds=1):
    """Run rounds of the program's calls under a tool; return (last report, tool output)."""
    with GoProgram(binary, timeout=60) as prog:
        with Tool(tool, *args, "-p", str(prog.pid), PATTERN) as t:
            for _ in range(rounds):
                prog.go()
                report = prog.result()["funcs"]
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\n{err}"
    return report, out, err


def test_generated_program_is_big():
    probes = gen_program.probes()
    assert len(probes) >= 300, len(probes)
    assert {s.kind for s in gen_program.SHAPES} >= {"bounds", "wrapper", "many", "framed", "leaf"}


@pytest.mark.parametrize("variant", ["go126", "go119", "gccgo-O2"])
def test_generated_counts(built, variant):
    """gofunccount counts every call of every function, early returns included (gccgo -O2:
    split stacks, GCC's clones under their functions' names)."""
    report, out, err = run_under(generated(variant), "gofunccount", "-r")
    table = parse_funccount(out)
    expected = {fn: len(calls) for fn, calls in report.items()}
    toolchain = "gccgo" if variant.startswith("gccgo") else "gc"
    assert len(expected) == len(gen_program.probes(toolchain=toolchain))
    wrong = {fn: (table.get(fn), n) for fn, n in expected.items() if table.get(fn) != n}
    assert not wrong, f"{len(wrong)} functions counted wrong (counted, made): {wrong}"


@pytest.mark.parametrize("variant", ["go126", "go119", "gccgo-O2"])
def test_generated_latency_counts(built, variant):
    """gofunclatency times every call of every function, each ended by its RET."""
    report, out, err = run_under(generated(variant), "gofunclatency", "-F", "-r")
    timed = {h["func"]: h["count"] for h in histograms(out)}
    wrong = {fn: (timed.get(fn), len(c)) for fn, c in report.items() if timed.get(fn) != len(c)}
    assert not wrong, f"{len(wrong)} functions timed wrong (timed, made): {wrong}"
    assert "did not return" not in err, err


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_generated_arguments_results_goids(built, variant):
    """gotrace prints every call's arguments (the stack-passed ones too) and result, on the
    goroutine that made it: BATCH functions per run, every function of the program in turn."""
    binary = generated(variant)
    probes = gen_program.probes()
    names = sorted(probes)
    wrong = []
    with GoProgram(binary, timeout=60) as prog:
        for b in range(0, len(names), BATCH):
            batch = names[b:b + BATCH]
            argv = []
            for fn in batch:
                args, result = probes[fn]
                argv.append(f'{fn} "' + " ".join(["%d"] * len(args)) + '", ' + ", ".join(args))
                if result:
                    argv.append(f'r:{fn} "= %d", {result}')
            with Trace("-p", str(prog.pid), *argv) as t:
                prog.go()
                report = prog.result()["funcs"]
                time.sleep(0.3)  # let the last events through the ring buffer
                status, out, err = t.interrupt()
            assert status == 0, f"{t.command()}: status {status}\n{err}"
            seen = collections.defaultdict(collections.Counter)
            for _pid, _tid, _comm, goid, func, msg in events(out):
                if msg.startswith("= "):
                    seen[func]["ret", goid, int(msg[2:])] += 1
                else:
                    seen[func]["call", goid, tuple(map(int, msg.split()))] += 1
            for fn in batch:
                want = collections.Counter()
                for goid, result, *args in report[fn]:
                    want["call", goid, tuple(args)] += 1
                    if probes[fn][1]:
                        want["ret", goid, result] += 1
                if seen[fn] != want:
                    wrong.append(f"{fn}: missing {dict(want - seen[fn])}, extra {dict(seen[fn] - want)}")
        prog.stop()
    assert not wrong, f"{len(wrong)} of {len(names)} functions traced wrong:\n  " + "\n  ".join(wrong[:20])
