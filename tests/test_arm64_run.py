"""The tools on an arm64 kernel, against arm64 builds of the test programs, judged by the
programs' own account, as on amd64: the same tests, run with arm64 builds. make check-arm64
runs this module in an arm64 Debian guest under QEMU (scripts/check-arm64.sh), where the
programs come prebuilt (tests/prebuild.py: the guest has no Go); elsewhere it is skipped.

Exact counts (gofunccount), arguments and results in registers (Go 1.18+) and on the stack
(ABI0: Go 1.16 and 1.17 on arm64, and assembly), goroutine ids (g in R28), latency with stacks
that grow (gofunclatency), whole stacks with file:line as runtime.CallersFrames gives them
(gostack, frame records after the link register), interface types as fmt's %T (goiface).
"""

import json
import os
import platform

import pytest

import test_gofunccount
import test_gofunclatency
import test_goiface
import test_gostack
import test_gotrace
from test_goiface import gotypes  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(platform.machine() != "aarch64",
                                reason="runs on an arm64 kernel: make check-arm64 (QEMU)")

# Go 1.26 plain, stripped and PIE; Go 1.19; the register ABI's first arm64 release
BUILDS = ["go126-arm64", "go126-arm64-stripped", "go126-arm64-pie", "go119-arm64"]
# before the register ABI on arm64 (all ABI0); they build tests/go/tracee only
OLD = ["go117-arm64", "go116-arm64"]
PROGRAMS = [(v, p) for v in BUILDS for p in ("workload", "tracee", "goroutines", "stacks", "iface")] + \
    [(v, "tracee") for v in OLD]


def FACTS(build):
    """What the guest cannot read itself (tests/prebuild.py runs this on the host): the line of
    the first instruction of gostack's functions, by `go tool objdump`, and where the programs'
    sources were when they were built (which their line tables record)."""
    facts = {f"{v} {func}": test_gostack.entry_line(build(v, "stacks"), func)
             for v in {test_gostack.readable(b) for b in BUILDS} for func in ("main.leaf", "main.tiny")}
    facts["stacks source"] = test_gostack.SOURCE
    return facts


def prebuilt_facts():
    with open(os.environ["GOTOOLS_PREBUILT"]) as f:
        return json.load(f)


def prebuilt_line(binary, func):
    """test_gostack.entry_line in the guest: the host's reading, by the binary's variant."""
    index = prebuilt_facts()
    variant = next(k.split()[0] for k, path in index["programs"].items() if path == binary)
    return index["facts"][f"{variant} {func}"]


@pytest.mark.parametrize("variant", BUILDS)
def test_counts(built, variant):
    test_gofunccount.test_counts_with_pid(built, variant)


@pytest.mark.parametrize("variant", BUILDS + OLD)
def test_arguments(built, variant):
    test_gotrace.test_goargs(built, variant)


@pytest.mark.parametrize("variant", BUILDS + OLD)
def test_results(built, variant):
    test_gotrace.test_return_value(built, variant)


@pytest.mark.parametrize("variant", BUILDS)
def test_assembly_arguments(built, variant):
    test_gotrace.test_assembly_function(built, variant)


@pytest.mark.parametrize("variant", BUILDS)
def test_goroutine_ids(built, variant):
    test_gotrace.test_goroutine_ids(built, variant)


@pytest.mark.parametrize("variant", BUILDS)
def test_latency(built, variant):
    test_gofunclatency.test_recursion_counts(built, variant)


@pytest.mark.parametrize("variant", ["go126-arm64", "go119-arm64"])
def test_latency_stack_growth(built, variant):
    test_gofunclatency.test_stack_growth_counts(built, variant)


@pytest.mark.parametrize("variant", BUILDS)
def test_stacks(built, variant, monkeypatch):
    here, read_line = test_gostack.SOURCE, test_gostack.source_line

    def source_line(prefix):  # from the copy of the sources here, named as where they were built
        with monkeypatch.context() as m:
            m.setattr(test_gostack, "SOURCE", here)
            return read_line(prefix)

    monkeypatch.setattr(test_gostack, "entry_line", prebuilt_line)
    monkeypatch.setattr(test_gostack, "source_line", source_line)
    monkeypatch.setattr(test_gostack, "SOURCE", prebuilt_facts()["facts"]["stacks source"])
    test_gostack.test_every_frame_with_lines(built, variant)


@pytest.mark.parametrize("variant", BUILDS)
def test_interface_types(built, gotypes, variant):  # noqa: F811
    test_goiface.test_type_names_match_percent_t(built, gotypes, variant)
