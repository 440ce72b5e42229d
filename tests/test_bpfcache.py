"""One compiled BPF program per tool, whatever the options and the traced binary.

A tool's settings (sizes, units, -l, -V, -U, -Z ...) and the facts of the traced binary (which
Go release lays out runtime.g how, whether g is in R14 or found through m, PIE or not) are data
the tool writes into the program's maps at load, never text compiled into it. So after running
each tool with every option that used to change its program, on binaries of several Go releases
(and gccgo), its own cache directory holds exactly one compiled program; gotrace, whose program
is made from the user's probe text, one per probe text.

`make` builds those programs into images (build/bpf, installed in lib/gotools/bpf), which a
first run loads instead of compiling, from a directory root alone can change only.
"""

import hashlib
import os
import shutil
import struct
import subprocess

import pytest

from conftest import SANITIZER_BUILD, Tool, tool

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
    "gofuncslower": ("tracee", [
        (["main.add"], {}),
        (["-U", "-s", "-a", "2", "-u", "5", "main.add"], {}),
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
# gotrace's options by the features they ask of its program (GO_TRACE_FEATURES: -U's stack walk,
# the labels of -j and --labels), which compile the others out: one program per group.
TRACE_OPTIONS = [[[], ["-Z", "16"]], [["-U"], ["-U", "-Z", "16"]], [["-j"], ["--labels"]]]


def unsupported(name, variant, argv):
    """What the tool refuses for its own reasons: gostack on gccgo, -l without goroutines (and
    the iface program needs Go 1.19; gofuncslower, the register ABI's g and gc's runtime)."""
    return (name == "gostack" and variant == "gccgo") or (name == "goiface" and variant == "go116") or \
        (name == "gofunclatency" and variant == "gccgo" and "-l" in argv) or \
        (name == "gofuncslower" and variant in ("gccgo", "go116"))


def programs(cache):
    return sorted(n for n in os.listdir(cache) if n.endswith(".bpf"))


def run(name, argv, env):
    with Tool(name, *argv, env=env, timeout=120) as t:
        status, out, err = t.interrupt()
    assert status == 0, f"{t.command()}: exit status {status}\nstderr:\n{err}\nstdout:\n{out}"


def on_binary(binary, arg):
    """A pattern with its binary named; options and their values as they are."""
    return f"{binary}:{arg}" if "main" in arg else arg


# These compile every program afresh, in a cache of their own: minutes of clang in libbcc, which
# the sanitizer build does not instrument; the cache code they run is the other tests' too.
FRESH_COMPILES = pytest.mark.skipif(SANITIZER_BUILD, reason="minutes of fresh BPF compiles in "
                                    "libbcc: run on the normal build")


@FRESH_COMPILES
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


@FRESH_COMPILES
@pytest.mark.parametrize("variant", ["go119", "go126", "go126-pie"])
def test_one_gotrace_program_per_probe_text(built, tmp_path, variant):
    binary = built.path(variant, "tracee")
    cache = tmp_path / "cache"
    seen = []
    for text in TRACE_TEXTS:
        for group in TRACE_OPTIONS:
            for options in group:
                run("gotrace", [*options, f"{binary}:{text}"], {"GOTOOLS_CACHE_DIR": str(cache)})
            new = [p for p in programs(cache) if p not in seen]
            assert len(new) == 1, (text, group, new)
            seen += new


# ---- the programs make builds (scripts/bpf-prebuild.c) ----------------------------------------

MARKER = b"/nonexistent/prebuilt-marker"


def marked(image):
    """A cache file (cache.c's frame around image_cache.c's image) with one more file the
    program was compiled from, one that does not exist (so it is no reason to compile again):
    still valid, and told apart from what a compile writes, wherever it is copied."""
    magic, key, (n,) = image[:8], image[8:40], struct.unpack("<Q", image[40:48])
    payload = bytearray(image[48:48 + n])
    nmaps, nprogs, ndeps = struct.unpack("<iii", payload[:12])
    at = 12 + 84 * nmaps + 296 * ndeps  # go_bpf_image_map, go_bpf_dep
    dep = MARKER.ljust(256, b"\0") + bytes(40)
    payload[:12] = struct.pack("<iii", nmaps, nprogs, ndeps + 1)
    payload[at:at] = dep
    head = magic + key + struct.pack("<Q", len(payload)) + bytes(payload)
    return head + hashlib.sha256(head).digest()


def layout(tmp_path, binary):
    """A copy of gofunccount in tmp/tools/, with build/bpf/ beside it as in the build tree,
    holding its program's image, marked; the count it makes of main.add."""
    top = tmp_path / "top"
    (top / "tools").mkdir(parents=True)
    tool_copy = top / "tools" / "gofunccount"
    shutil.copy(tool("gofunccount"), tool_copy)
    seed = tmp_path / "seed"
    r = subprocess.run([str(tool_copy), "-d", "1", f"{binary}:main.add"], capture_output=True,
                       text=True, env=dict(os.environ, GOTOOLS_CACHE_DIR=str(seed)), timeout=120)
    assert r.returncode == 0, r.stderr
    [image] = programs(seed)
    (top / "build" / "bpf").mkdir(parents=True, mode=0o755)
    (top / "build" / "bpf" / image).write_bytes(marked((seed / image).read_bytes()))
    return top, tool_copy


def first_run(tool_copy, binary, tmp_path, name):
    """A run with an empty cache: whether it loaded the marked image (which it keeps in the
    cache), and its output."""
    cache = tmp_path / name
    r = subprocess.run([str(tool_copy), "-d", "1", f"{binary}:main.add"], capture_output=True,
                       text=True, env=dict(os.environ, GOTOOLS_CACHE_DIR=str(cache)), timeout=120)
    assert r.returncode == 0 and "Tracing 1 functions" in r.stdout, r
    [image] = programs(cache)
    return MARKER in (cache / image).read_bytes()


def test_prebuilt_image_loads_without_compiling(built, tmp_path):
    binary = built.path("go126", "tracee")
    top, tool_copy = layout(tmp_path, binary)
    assert first_run(tool_copy, binary, tmp_path, "cache")


@pytest.mark.parametrize("how", ["another user's tree", "group-writable directory",
                                 "another user's image", "image writable by others"])
def test_untrusted_prebuilt_image_never_loads(built, tmp_path, how):
    """A user's checkout run by root: images in a tree others can change are not loaded (the
    tool compiles its own, as without them)."""
    binary = built.path("go126", "tracee")
    top, tool_copy = layout(tmp_path, binary)
    bpf = top / "build" / "bpf"
    [image] = [bpf / n for n in programs(bpf)]
    if how == "another user's tree":
        os.chown(top / "build", 65534, 65534)
    elif how == "group-writable directory":
        os.chmod(bpf, 0o775)
    elif how == "another user's image":
        os.chown(image, 65534, 65534)
    else:
        os.chmod(image, 0o666)
    assert not first_run(tool_copy, binary, tmp_path, "cache")


def test_make_prebuilt_every_tool(built, tmp_path):
    """`make` (as root, with libbcc and the kernel's headers, as the tests run) built each
    tool's program but gotrace's into build/bpf, and a first run of each loads it there."""
    top = os.path.dirname(os.path.dirname(tool("gofunccount")))
    bpf = os.path.join(top, "build", "bpf")
    assert len(programs(bpf)) == len(RUNS), os.listdir(bpf)
    for name, (program, runs) in sorted(RUNS.items()):
        cache = tmp_path / name
        argv, env = runs[0]
        binary = built.path("go126", program)
        run(name, [on_binary(binary, a) for a in argv], dict(env, GOTOOLS_CACHE_DIR=str(cache)))
        [image] = programs(cache)
        assert (cache / image).read_bytes() == open(os.path.join(bpf, image), "rb").read()
