"""Stacks where a walk by frame pointers does not simply go on, and pprof labels beyond what a
fixed-size record holds, against tests/go/callpaths, which reports for each path the stack Go
itself sees in main.leaf (runtime.CallersFrames) and the labels it ran under.

The paths cross Go's ABI wrappers (reflect.Value.Call's runtime.call32, reflect.MakeFunc's
trampolines, method value and pointer wrappers, which Go's tracebacks leave out) and, in cgo
builds, Go functions called back from C (//export), nested, and from a thread C started, where
Go switches back to the goroutine's stack. gostack and gotrace -U must show every frame Go shows,
in its order, with its file and line; where the walk truly cannot go on (assembly that keeps no
frame pointer, a stack deeper than the walk) the stack is marked and counted in every output
form (text, -f, -j, --pprof).
"""

import gzip
import json
import os
import re
import subprocess
import tempfile

import pytest

from conftest import GO126, BuildError, GoProgram, Tool, build_program

PROGRAM = "callpaths"
# CGO_ENABLED=0 (-pie: Go links it itself) and cgo builds (linked by the system linker; -pie:
# PIE the default way where cgo is available)
PLAIN = ["go126", "go126-stripped", "go126-pie", "go119", "go119-stripped", "go119-pie"]
CGO = ["go126-cgo", "go126-cgo-stripped", "go126-extld-pie", "go119-cgo", "go119-cgo-stripped",
       "go119-extld-pie"]
WALK_FRAMES = 127
REFLECT_PATHS = ("reflect-call", "reflect-method", "makefunc", "method-value", "pointer-wrapper")
CGO_PATHS = ("cgo-callback", "cgo-nested", "cgo-thread")
LABEL_PATHS = ("labels-many", "labels-long", "labels-odd")
CUT = "[cut: the frame pointers end]"
TRUNCATED = f"[truncated at {WALK_FRAMES} frames]"


def binary(variant):
    try:
        return build_program(variant, PROGRAM)
    except BuildError as e:
        pytest.fail(f"cannot build {PROGRAM} as {variant}: {e}", pytrace=False)


def minor(variant):
    return int(re.match(r"go1(\d\d)", variant).group(1))


def run(variant, tool, *args):
    """The program's report, and the tool's (status, stdout, stderr), tracing main.leaf."""
    with GoProgram(binary(variant)) as prog:
        with Tool(tool, "-p", str(prog.pid), *args, "main.leaf") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"exit status {status}\nstderr:\n{err}\nstdout:\n{out}"
    assert ("cgo-callback" in report["paths"]) == report["cgo"], report["paths"].keys()
    return report, out, err


def want_frames(report, path):
    """Go's frames of a path, main.leaf's callers, innermost first: (func, file, line)."""
    return [(f["func"], f["file"], f["line"]) for f in report["paths"][path]["frames"]]


def expect(report, path, variant):
    """What the tools show of a path: (frames above main.leaf, as want_frames; the stack's
    note or None; the labels kept; how many more the goroutine had)."""
    frames, note = want_frames(report, path), None
    if path == "no-frame-pointer":  # up to the assembly that keeps no frame pointer
        frames = frames[:[f[0] for f in frames].index("example.com/callpaths/nofp.Call") + 1]
        note = CUT
    elif path == "deep":  # the walk's frames, and the caller it misses at the entry
        frames, note = frames[:WALK_FRAMES], TRUNCATED
    labels = report["paths"][path].get("labels", {})
    # the first 64 by key (Go 1.24+: a sorted slice); a map of 70 (Go < 1.24) has more buckets
    # than are read; a label too long for what is left is left out, the others kept
    kept = dict(sorted(labels.items())[:64 if minor(variant) >= 24 or path != "labels-too-many" else 0])
    if path == "labels-too-long":
        kept = {k: v for k, v in kept.items() if len(v) < 4096}
    return frames, note, kept, len(labels) - len(kept)


def diff(got, want):
    return "\n".join(f"  {'==' if g == w else '!='} {g} {w}"
                     for g, w in zip(got + [None] * len(want), want + [None] * len(got)) if g or w)


# ---------------------------------------------------------------------------------------------
# gostack


@pytest.mark.parametrize("variant", PLAIN + CGO)
def test_gostack_every_frame(variant):
    """gostack -j main.leaf: for every path, each frame Go's runtime.CallersFrames gives, in order,
    with its file and line, and the count of calls; the cut and truncated stacks marked, and
    counted at the end; labels (Go 1.17+) whole, beyond what a record held (4 labels, 31 bytes)."""
    report, out, err = run(variant, "gostack", "-j")
    objs = [json.loads(l) for l in out.splitlines()]
    lost = {o["what"]: o["lost"] for o in objs if "lost" in o}
    stacks = [o for o in objs if "lost" not in o]
    assert sum(o["count"] for o in stacks) == report["main.leaf"]
    for path, p in report["paths"].items():
        frames, note, kept, cut = expect(report, path, variant)
        match = [o for o in stacks if o["frames"][0]["func"] == "main.leaf" and
                 [(f["func"], f["file"], f["line"]) for f in o["frames"][1:]] == frames and
                 o.get("stack_error") == note and o["labels"] == kept and o.get("labels_cut", 0) == cut]
        assert len(match) == 1, f"{path}: {len(match)} stacks match; Go's frames:\n" + \
            diff([(f["func"], f["file"], f["line"]) for f in max(stacks, key=lambda o: len(
                [1 for a, b in zip(o["frames"][1:], frames) if (a["func"], a["file"], a["line"]) == b]))
                ["frames"][1:]], frames)
        assert match[0]["count"] == p["count"], (path, match[0])
    assert lost.get("frames: stacks deeper than the walk, truncated") == report["paths"]["deep"]["count"]
    assert lost.get("frames: stacks the walk could not follow, cut") == report["paths"]["no-frame-pointer"]["count"]
    cut = sum(report["paths"][p]["count"] for p in ("labels-too-many", "labels-too-long"))
    assert lost.get("labels: more than are kept, cut") == cut, lost
    assert "WARNING" not in out


def text_stacks(out):
    """gostack's text output: [(frames, extra, count)], frames as printed (without the indent),
    extra the lines indented four spaces before the count."""
    stacks, frames, extra = [], [], []
    for line in out.splitlines():
        if line.startswith("Tracing ") or line == "Detaching..." or not line.strip():
            continue
        if re.fullmatch(r"    \d+", line):
            stacks.append((frames, extra, int(line)))
            frames, extra = [], []
        elif line.startswith("    "):
            extra.append(line[4:])
        else:
            assert line.startswith("  "), line
            frames.append(line[2:])
    return stacks


@pytest.mark.parametrize("variant", ["go126-cgo", "go119-extld-pie"])
def test_gostack_text(variant):
    """-l: each frame with its file:line as Go gives them; the cut and truncated stacks end with
    their note; the warnings count them; labels as key=value, quoted as %q quotes where a space,
    '=' or quote would make them ambiguous."""
    report, out, err = run(variant, "gostack", "-l")
    stacks = text_stacks(out)
    assert sum(c for _, _, c in stacks) == report["main.leaf"]
    for path, p in report["paths"].items():
        frames, note, kept, cut = expect(report, path, variant)
        want = [f"{f} {fi}:{li}" for f, fi, li in frames] + ([note] if note else [])
        match = [s for s in stacks if s[0][1:] == want and s[2] == p["count"]]
        assert len(match) == 1, f"{path}: {len(match)} stacks:\n" + "\n".join(want) + f"\n{out}"
        assert match[0][0][0].startswith("main.leaf "), match[0]
    assert f"WARNING: {report['paths']['deep']['count']} calls had stacks deeper than {WALK_FRAMES} frames" in err
    assert f"WARNING: {report['paths']['no-frame-pointer']['count']} calls had stacks the walk could not follow" in err
    labels = [e for f, e, c in stacks if c == report["paths"]["labels-odd"]["count"]]
    assert labels == [['labels: a;b="c;d e" "k=v"="x=y;z" "sp ace"=" lead"']], labels
    labels = [e for f, e, c in stacks if c == report["paths"]["labels-too-many"]["count"]]
    # a map of 70 (Go < 1.24) has more buckets than are read: none kept
    assert labels[0][0].endswith(" [6 more not kept]" if minor(variant) >= 24 else
                                 "labels: [70 more not kept]"), labels


@pytest.mark.parametrize("variant", ["go126-cgo", "go126-pie", "go119-cgo"])
def test_gostack_folded_and_pprof(variant, tmp_path):
    """-f and --pprof of one run: every path's frames root first (inlined frames marked _[i] in
    -f, "(inline)" in pprof); a cut or truncated stack's note is its root frame in both; labels
    are root frames in -f (';' written ','), sample labels in the profile, whole, and what
    could not be kept is said in both. `go tool pprof -traces` is the profile's reader."""
    profile = str(tmp_path / "p.pb.gz")
    report, out, err = run(variant, "gostack", "-f", "--pprof", profile)
    folded = {}
    for line in out.splitlines():
        stack, count = line.rsplit(" ", 1)
        stack = tuple(f.removesuffix("_[i]") for f in stack.split(";"))
        folded[stack] = folded.get(stack, 0) + int(count)
    traces = {}
    for count, frames, labels in pprof_traces(profile):
        key = (tuple(f.removesuffix(" (inline)") for f in frames), tuple(sorted(labels.items())))
        traces[key] = traces.get(key, 0) + count
    # without file:line, paths with the same functions and labels are one
    want_folded, want_traces = {}, {}
    for path, p in report["paths"].items():
        frames, note, kept, cut = expect(report, path, variant)
        funcs = [f for f, _, _ in frames]
        # folded: labels (';' written ','), what of them was not kept, the note, root first
        key = tuple([f"{k}={v}".replace(";", ",") for k, v in sorted(kept.items())] +
                    ([f"[{cut} more labels not kept]"] if cut else []) + ([note] if note else []) +
                    funcs[::-1] + ["main.leaf"])
        want_folded[key] = want_folded.get(key, 0) + p["count"]
        # pprof: leaf first, the note at the root, the labels as sample labels
        labels = dict(kept, **({"[labels not kept]": f"{cut} more"} if cut else {}))
        key = (tuple(["main.leaf"] + funcs + ([note] if note else [])), tuple(sorted(labels.items())))
        want_traces[key] = want_traces.get(key, 0) + p["count"]
    assert folded == want_folded, out
    assert traces == want_traces


def pprof_traces(path):
    """`go tool pprof -traces`: [(count, [frames leaf first], {label: value})]."""
    out = subprocess.run([GO126, "tool", "pprof", "-traces", path], capture_output=True, text=True,
                         check=True, env=dict(os.environ, PPROF_TMPDIR=tempfile.gettempdir())).stdout
    traces = []
    for block in out.split("-----------+-------------------------------------------------------")[1:]:
        lines = [l for l in block.splitlines() if l.strip()]
        if not lines:
            continue
        labels, rows = {}, []
        for l in lines:
            if rows or re.match(r"^\s+\d+\s{3}\S", l):
                rows.append(l)
            else:
                key, value = l.lstrip().split(":  ", 1)
                labels[key] = value
        m = re.match(r"^\s+(\d+)\s{3}(\S.*)$", rows[0])
        traces.append((int(m.group(1)), [m.group(2)] + [r.strip() for r in rows[1:]], labels))
    return traces


# ---------------------------------------------------------------------------------------------
# gotrace -U


def gotrace_stacks(out):
    """gotrace's text output: per event, its frames as printed (function+0xOFF, or
    "function (inlined)", or a note), without " [binary]"."""
    stacks = []
    for line in out.splitlines():
        if re.match(r"^\d+ ", line):
            stacks.append([])
        elif line.startswith("        ") and stacks:
            stacks[-1].append(re.sub(r" \[[^]]*\]$", "", line.strip()) if not line.strip().startswith("[")
                              else line.strip())
    return stacks


@pytest.mark.parametrize("variant", ["go126", "go126-cgo-stripped", "go126-extld-pie", "go119-pie",
                                     "go119-cgo"])
def test_gotrace_user_stacks(variant):
    """gotrace -U main.leaf: each event's stack is the frames Go gives for its path (inlined
    calls "(inlined)", wrappers left out), through reflect and cgo callbacks; the cut and
    truncated ones marked below them and counted at the end."""
    report, out, err = run(variant, "gotrace", "-U")
    stacks = gotrace_stacks(out)
    assert len(stacks) == report["main.leaf"], (len(stacks), report["main.leaf"])
    # without file:line, the labelled paths are one: count by the functions of each stack
    want, got = {}, {}
    for path, p in report["paths"].items():
        funcs = [f for f, _, _ in want_frames(report, path)]
        note = None
        if path == "deep":
            funcs, note = ("deep",), TRUNCATED
        elif path == "no-frame-pointer":
            funcs, note = funcs[:funcs.index("example.com/callpaths/nofp.Call") + 1], CUT
        key = (tuple(funcs), note)
        want[key] = want.get(key, 0) + p["count"]
    for frames in stacks:
        assert frames[0].startswith("main.leaf+0x"), frames
        note = frames[-1] if frames[-1].startswith("[") else None
        funcs = [re.sub(r"\+0x[0-9a-f]+$| \(inlined\)$", "", f) for f in frames[1:len(frames) - (note is not None)]]
        if note == TRUNCATED:
            assert len(funcs) >= WALK_FRAMES - 1 and set(funcs) == {"main.deep"}, frames
            funcs = ("deep",)
        key = (tuple(funcs), note)
        got[key] = got.get(key, 0) + 1
    assert got == want
    assert f"{report['paths']['deep']['count']} events had stacks deeper than {WALK_FRAMES} frames" in err
    assert f"{report['paths']['no-frame-pointer']['count']} events had stacks the walk could not follow" in err


def test_gotrace_user_stacks_json():
    """-U -j: "frames" lists the frames (as gostack's, with bcc's "sym"); "stack_error" says where a stack was cut; the counts of
    such stacks end the output, as what could not be recorded."""
    report, out, err = run("go126-cgo", "gotrace", "-U", "-j")
    events = [json.loads(l) for l in out.splitlines()]
    lost = {e["what"]: e["lost"] for e in events if "lost" in e}
    events = [e for e in events if "lost" not in e]
    cut = [e for e in events if e.get("stack_error") == CUT]
    assert len(cut) == report["paths"]["no-frame-pointer"]["count"]
    assert all(e["frames"][-1]["sym"].startswith("example.com/callpaths/nofp.Call+0x") for e in cut), cut[0]
    assert len([e for e in events if e.get("stack_error") == TRUNCATED]) == report["paths"]["deep"]["count"]
    assert lost == {"frames: stacks deeper than the walk, truncated": report["paths"]["deep"]["count"],
                    "frames: stacks the walk could not follow, cut": len(cut)}
    callback = [[f["func"] for f in e["frames"][1:]] for e in events
                if "stack_error" not in e and "main._Cfunc_callGo" in str(e["frames"])]
    assert callback and all(c == [f for f, _, _ in want_frames(report, "cgo-callback")] for c in callback)


def test_gotrace_gccgo_cut():
    """gccgo: no Go line table, and runtime.main and the cgo and reflect trampolines (libffi) in
    libgo.so and C, which gccgo's own traceback unwinds by DWARF: gotrace -U shows the frames
    that frame pointers lead to in the binary, each stack marked cut where they leave it, and
    counted; main.leaf's caller is named on every path."""
    report, out, err = run("gccgo", "gotrace", "-U")
    stacks = gotrace_stacks(out)
    assert len(stacks) == report["main.leaf"]
    for frames in stacks:
        assert frames[0].startswith("main.leaf+0x") and frames[-1].startswith("["), frames
        assert len(frames) >= 3 or frames[-1] == TRUNCATED, frames
    direct = [f for f in stacks if f[1].startswith("main.direct+")]
    assert len(direct) == report["paths"]["direct"]["count"]
    assert all([re.sub(r"\+0x.*", "", x) for x in f[1:-1]] == ["main.direct", "main.run", "main.main"]
               for f in direct), direct[0]
    cut = len([f for f in stacks if f[-1].startswith("[cut")])
    assert f"{cut} events had stacks the walk could not follow to their end, shown cut" in err
