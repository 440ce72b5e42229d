"""The tools on an arm64 kernel, against arm64 builds of the test programs, judged by the
programs' own account, as on amd64: the same tests, run with arm64 builds. make check-arm64
runs this module in an arm64 Debian guest under QEMU (scripts/check-arm64.sh), where the
programs come prebuilt (tests/prebuild.py: the guest has no Go); elsewhere it is skipped.

Exact counts (gofunccount), arguments and results in registers (Go 1.18+) and on the stack
(ABI0: Go 1.16 and 1.17 on arm64, and assembly), goroutine ids (g in R28), latency with stacks
that grow (gofunclatency), whole stacks with file:line as runtime.CallersFrames gives them
(gostack, frame records after the link register; at inlined calls in a function without a
frame, its return address in the link register; below cgo callbacks, by frame sizes), interface
types as fmt's %T (goiface), slow
calls' time split by where it went (gofuncslower, arm64's system call numbers).
"""

import json
import os
import platform

import pytest

from conftest import GoProgram, Tool, build_program, parse_funccount
import test_gofunccount
import test_gofunclatency
import test_gofuncslower
import test_goiface
import test_gostack
import test_callpaths
import test_gotrace
import test_inline
import test_wrapped
from test_gofuncslower import runs  # noqa: F401 (a fixture)
from test_goiface import gotypes  # noqa: F401 (a fixture)

pytestmark = pytest.mark.skipif(platform.machine() != "aarch64",
                                reason="runs on an arm64 kernel: make check-arm64 (QEMU)")

# Go 1.26 plain, stripped and PIE; Go 1.19; the register ABI's first arm64 release
BUILDS = ["go126-arm64", "go126-arm64-stripped", "go126-arm64-pie", "go119-arm64"]
# before the register ABI on arm64 (all ABI0); they build tests/go/tracee only
OLD = ["go117-arm64", "go116-arm64"]
# and two builds of the programs of inlined calls' stacks and of slow calls' breakdowns
PROGRAMS = [(v, p) for v in BUILDS for p in ("workload", "tracee", "goroutines", "stacks", "iface")] + \
    [(v, "tracee") for v in OLD] + \
    [(v, p) for v in ("go126-arm64", "go119-arm64-pie") for p in ("inlined", "slowcalls")] + \
    [(v, p) for v in ("go126-arm64", "go119-arm64") for p in ("restarts", "wrapped")] + \
    [(v, "callpaths") for v in ("go126-arm64-cgo", "go119-arm64-cgo")]


def FACTS(build):
    """What the guest cannot read itself (tests/prebuild.py runs this on the host): the line of
    the first instruction of gostack's functions, by `go tool objdump`, and where the programs'
    sources were when they were built (which their line tables record)."""
    facts = {f"{v} {func}": test_gostack.entry_line(build(v, "stacks"), func)
             for v in {test_gostack.readable(b) for b in BUILDS} for func in ("main.leaf", "main.tiny")}
    facts["stacks source"] = test_gostack.SOURCE
    facts["inlined source"] = os.path.dirname(test_inline.SOURCE)
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


@pytest.mark.parametrize("variant", ["go126-arm64-cgo"])
def test_cgo_callback_stacks(variant):
    """Stacks through cgo callbacks (C calling Go, nested, and from a thread C started; below
    cgocallback's frame by the frames' sizes, arm64's return addresses at SP), reflect's and
    Go's wrappers and assembly without a frame pointer, frame by frame as runtime.CallersFrames
    gives them: gostack's, and gotrace -U's."""
    test_callpaths.test_gostack_every_frame(variant)
    test_callpaths.test_gotrace_user_stacks(variant)


ASTRAY = "[cut: a frame pointer left behind when the stack moved]"


def test_stale_frame_pointers_cut():
    """Go 1.20 and older on arm64 leave the frame pointers saved in a goroutine's frames pointing
    into its old stack when the stack moves (tests/go/callpaths grows its stack first, on its
    deepest path): each stack is Go's frames of a path, or the first of them (through the cgo
    callbacks too), marked cut where a frame pointer leaves the goroutine's stack, never
    frames read from the old stack's memory. (A stack that moves while a path runs has its
    calls' stacks cut at more than one depth.)"""
    report, out, err = test_callpaths.run("go119-arm64-cgo", "gostack", "-j")
    stacks = [o for o in map(json.loads, out.splitlines()) if "lost" not in o]
    assert sum(o["count"] for o in stacks) == report["main.leaf"]
    paths = {path: [("main.leaf",)] + [(f,) for f, _, _ in test_callpaths.want_frames(report, path)]
             for path in report["paths"]}
    for o in stacks:  # a prefix of some path's frames, its end said
        funcs = [(f["func"],) for f in o["frames"]]
        whole = [path for path, want in paths.items() if funcs == want[:len(funcs)]]
        assert whole, o
        if all(len(funcs) < len(paths[p]) for p in whole):
            assert o.get("stack_error"), o
    cut = 0
    for path, p in report["paths"].items():
        if path == "deep":
            continue
        want = test_callpaths.want_frames(report, path)
        mine = [o for o in stacks if o["frames"][0]["func"] == "main.leaf" and
                [(f["func"], f["file"], f["line"]) for f in o["frames"][1:]] ==
                want[:len(o["frames"]) - 1]]
        assert mine, (path, want, stacks)
        got = max(mine, key=lambda o: len(o["frames"]))
        if len(got["frames"]) - 1 < len(want) and path != "no-frame-pointer":
            assert got.get("stack_error") == ASTRAY, (path, got)
            cut += 1
        if path.startswith("cgo-"):  # followed below the callback's frame
            below = [f for f, _, _ in want].index("runtime.cgocallback") + 1
            assert len(got["frames"]) - 1 > below, (path, got)
    assert cut, "no stack met a frame pointer left behind: the program's stack never moved?"


@pytest.mark.parametrize("variant", ["go126-arm64", "go119-arm64"])
def test_value_methods_through_interfaces(variant, monkeypatch):
    test_wrapped.test_counts(variant, monkeypatch)


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


# Go 1.26's: Go 1.20 and older leave frame pointers behind when a stack moves on arm64, where
# stacks are cut (test_stale_frame_pointers_cut), not Go's whole
@pytest.mark.parametrize("variant", [b for b in BUILDS if b.startswith("go126")])
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


@pytest.mark.parametrize("variant", ["go126-arm64"])
def test_inlined_stacks(variant, monkeypatch):
    """gostack at main.helper's inlined calls: through main.bare, which keeps no frame (its
    return address in the link register, not on the stack as on amd64), every frame as
    runtime.CallersFrames gives it, exact counts."""
    here = os.path.dirname(test_inline.SOURCE)
    there = prebuilt_facts()["facts"]["inlined source"]
    site_lines, helper_lines = test_inline.site_lines, test_inline.helper_lines

    def local(path):  # the copy here of a source named as where it was built
        return os.path.join(here, os.path.relpath(path, there))

    def helper_lines_here():
        with monkeypatch.context() as m:
            m.setattr(test_inline, "SOURCE", local(test_inline.SOURCE))
            return helper_lines()

    monkeypatch.setattr(test_inline, "SOURCE", os.path.join(there, "main.go"))
    monkeypatch.setattr(test_inline, "PATHS_SOURCE", os.path.join(there, "paths.go"))
    monkeypatch.setattr(test_inline, "site_lines",
                        lambda source=test_inline.SOURCE: site_lines(local(source)))
    monkeypatch.setattr(test_inline, "helper_lines", helper_lines_here)
    test_inline.test_gostack_paths(variant)


@pytest.mark.parametrize("variant", ["go126-arm64", "go119-arm64-pie"])
def test_slow_calls(runs, variant):  # noqa: F811
    """gofuncslower: each slow call's time split into on CPU, runnable, system calls (by
    arm64's numbers) and waits, as the program measured it."""
    test_gofuncslower.test_breakdown_json(runs, variant)


@pytest.mark.parametrize("variant", ["go126-arm64", "go119-arm64"])
@pytest.mark.parametrize("preempt", ["on", "off"])
def test_restarting_entry_said(variant, preempt, monkeypatch):
    """main.(*ender).Read, called only through io.Reader, begins by loading a global through
    REGTMP into its argument registers, a sequence Go restarts after preempting it there: its
    probe stays there, and gofunccount says a call preempted there is seen twice. Each probe
    costs about a millisecond here, so Go preempts the loop often, and a signal due when the
    probe returns lands right after the sequence's first instruction: calls may be counted
    twice (never fewer); with asynchronous preemption off, exactly."""
    if preempt == "off":
        monkeypatch.setenv("GODEBUG", "asyncpreemptoff=1")
    with GoProgram(build_program(variant, "restarts")) as prog:
        with Tool("gofunccount", "-p", str(prog.pid), "main.(*ender).Read") as t:
            prog.go()
            made = prog.result()["main.(*ender).Read"]
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert ("gofunccount: note: main.(*ender).Read is probed where Go restarts the code after "
            "preemption: a call preempted there is seen twice (--dry-run lists it)") \
        in err.splitlines(), err
    counted = parse_funccount(out).get("main.(*ender).Read", 0)
    if preempt == "off":
        assert counted == made == 1000, (out, err)
    else:
        assert made <= counted <= made * 11 // 10, (out, err)


@pytest.mark.parametrize("variant", BUILDS)
def test_interface_types(built, gotypes, variant):  # noqa: F811
    test_goiface.test_type_names_match_percent_t(built, gotypes, variant)
