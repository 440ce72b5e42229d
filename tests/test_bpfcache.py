"""One compiled BPF program per tool, whatever the options and the traced binary.

A tool's settings (sizes, units, -l, -V, -U, -Z ...) and the facts of the traced binary (which
Go release lays out runtime.g how, whether g is in R14 or found through m, PIE or not) are data
the tool writes into the program's maps at load, never text compiled into it. So after running
each tool with every option that used to change its program, on binaries of several Go releases
(and gccgo), its own cache directory holds exactly one compiled program; gotrace, whose program
is made from the user's probe text, one per probe text.
"""

import os

import pytest

from conftest import Tool

# Go 1.16 (g through runtime.m), 1.19, 1.24 (no pprof labels read) and 1.26 (labels read), PIE,
# and gccgo (calls by SP alone): every way the programs find a goroutine.
BINARIES = ["go116", "go119", "go124", "go126", "go126-pie", "gccgo"]

LATENCY = "^main\\.(add|grow|many)$"

# tool -> (program, [(argv, env)]): the options and environment variables that once changed the
# program's text, each on its own
RUNS = {
    "gofunccount": ("tracee", [
        (["main.add"], {}),
        (["main.*"], {}),
        (["main.add"], {"GOFUNC_NO_MULTI": "1"}),
    ]),
    "gofunclatency": ("tracee", [
        (["main.add"], {}),
        (["-m", "-r", LATENCY], {}),
        (["-u", "main.add"], {}),
        (["-l", "2", "main.add"], {}),
        (["main.add"], {"GOFUNCLATENCY_NO_GOEXIT": "1"}),
        (["main.add"], {"GOFUNCLATENCY_MAX_GOROUTINES": "64", "GOFUNCLATENCY_MAX_SPILL": "64"}),
        (["main.add"], {"GOFUNC_NO_MULTI": "1"}),
    ]),
    "goiface": ("iface", [
        (["main.describe", "v"], {}),
        (["-V", "main.describe", "v"], {}),
        (["main.*", "goarg1"], {"GOIFACE_MAX_ENTRIES": "64"}),
    ]),
    "gostack": ("tracee", [
        (["main.add"], {}),
        (["main.*"], {"GOSTACK_MAX_STACKS": "64"}),
    ]),
}

# gotrace: each probe text with each option that once changed its program
TRACE_TEXTS = ['main.add "%d %d", goarg1, goarg2', 'main.growAny "%T", v']
TRACE_OPTIONS = [[], ["-U"], ["-Z", "16"]]


def unsupported(name, variant, argv):
    """What the tool refuses for its own reasons: gostack on gccgo, -l without goroutines (and
    the iface program needs Go 1.19)."""
    return (name == "gostack" and variant == "gccgo") or (name == "goiface" and variant == "go116") or \
        (name == "gofunclatency" and variant == "gccgo" and "-l" in argv)


def programs(cache):
    return sorted(n for n in os.listdir(cache) if n.endswith(".bpf"))


def run(name, argv, env):
    with Tool(name, *argv, env=env, timeout=120) as t:
        status, out, err = t.interrupt()
    assert status == 0, f"{t.command()}: exit status {status}\nstderr:\n{err}\nstdout:\n{out}"


def on_binary(binary, arg):
    """A pattern with its binary named; options and their values as they are."""
    return f"{binary}:{arg}" if "main" in arg else arg


@pytest.mark.parametrize("name", sorted(RUNS))
def test_one_program_per_tool(built, tmp_path, name):
    program, runs = RUNS[name]
    cache = tmp_path / "cache"
    for variant in BINARIES:
        for argv, env in runs:
            if unsupported(name, variant, argv):
                continue
            binary = built.path(variant, program)
            args = [on_binary(binary, a) for a in argv]
            run(name, args, dict(env, GOTOOLS_CACHE_DIR=str(cache)))
    assert len(programs(cache)) == 1, programs(cache)


@pytest.mark.parametrize("variant", ["go119", "go126", "go126-pie"])
def test_one_gotrace_program_per_probe_text(built, tmp_path, variant):
    binary = built.path(variant, "tracee")
    cache = tmp_path / "cache"
    seen = []
    for text in TRACE_TEXTS:
        for options in TRACE_OPTIONS:
            run("gotrace", [*options, f"{binary}:{text}"], {"GOTOOLS_CACHE_DIR": str(cache)})
        new = [p for p in programs(cache) if p not in seen]
        assert len(new) == 1, (text, new)
        seen += new
