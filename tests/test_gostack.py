"""Tests of gostack (bcc's stackcount for Go) and of libgo's line tables, against tests/go/stacks.

The program reaches main.leaf along known paths an exact number of times each (one through an
inlined function, one under pprof labels) and main.tiny, a leaf without a frame, along two more;
for each path it reports the stack Go itself sees (runtime.Callers, inlined frames expanded),
which the tests compare frame by frame, with file and line, with gostack's output.
"""

import gzip
import os
import re
import subprocess
import tempfile
import time

import pytest

from conftest import (GO126, GO_SOURCES, GoProgram, Tool, code_differences, go_command, helper,
                      run_tool)

TOOL = "gostack"
PROGRAM = "stacks"
SOURCE = os.path.join(GO_SOURCES, PROGRAM, "main.go")
CORE = ["go126", "go119", "go126-stripped", "go126-pie", "go119-stripped", "go119-pie"]
LEAF_PATHS = ("plain", "inlined", "labelled", "generic")
TINY_PATHS = ("tiny-plain", "tiny-inlined")


def source_line(prefix):
    """The line number of the first line of main.go that starts with prefix."""
    with open(SOURCE) as f:
        for n, line in enumerate(f, 1):
            if line.startswith(prefix):
                return n
    raise AssertionError(f"no line starting {prefix!r} in {SOURCE}")


def norm(name):
    """A function name as Go's runtime.CallersFrames gives it: type arguments as "[...]"."""
    return re.sub(r"\[go\.shape\..*\]$", "[...]", name)


def go_minor(variant):
    return int(re.match(r"go1(\d\d)", variant).group(1))


def trace(built, variant, func, *args, env=None, program_args=()):
    """Run the program once under `gostack -p PID ARGS FUNC`; return (report, status, out, err)."""
    binary = built.path(variant, PROGRAM)
    with GoProgram(binary, *program_args) as prog:
        with Tool(TOOL, "-p", str(prog.pid), *args, func, env=env) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    return report, status, out, err


def parse_text(out):
    """Stacks of the multi-line output: [(frames, count, extra)], frames as printed (leaf first,
    without the two-space indent), extra the lines indented four spaces before the count."""
    stacks = []
    frames, extra = [], []
    for line in out.splitlines():
        if line.startswith(("Tracing ", "/", "ADDR ", "0x", "pprof labels: ")) or line == "Detaching..." \
                or not line.strip():
            continue  # the banner, -v's listing of the traced functions
        if line.startswith("    "):
            if re.fullmatch(r"    \d+", line):
                stacks.append((frames, int(line), extra))
                frames, extra = [], []
            else:
                extra.append(line.strip())
        elif line.startswith("  "):
            frames.append(line[2:])
        else:
            raise AssertionError(f"unexpected line {line!r} in:\n{out}")
    assert not frames, f"frames without a count at the end of:\n{out}"
    return stacks


def readable(variant):
    """The variant whose build of the same code Go's own tools can read: the one with a symbol
    table for a stripped variant, the one Go linked itself for an lld-linked one (the file holds
    zeros where the loader puts pointers, which `go tool objdump` reads as they are)."""
    return variant.replace("-stripped", "").replace("-lld-pie", "-pie")


def entry_line(binary, func):
    """The line of func's first instruction, as `go tool objdump` shows it."""
    dump = subprocess.run([GO126, "tool", "objdump", "-s", "^" + re.escape(func) + "$", binary],
                          capture_output=True, text=True, check=True).stdout
    return int(dump.splitlines()[1].split()[0].rsplit(":", 1)[1])


def expected_stacks(report, func, paths, leaf_line):
    """{path: (count, [(func, file, line)], leaf first)} from the program's report."""
    leaf = (func, SOURCE, leaf_line)
    return {p: (report["paths"][p]["count"],
                [leaf] + [(f["func"], f["file"], f["line"]) for f in report["paths"][p]["frames"]])
            for p in paths}


def check_lines_output(report, out, func, paths, leaf_line, labels_line=None):
    """-l output: one stack per path, every frame with its file:line as Go reports it."""
    stacks = parse_text(out)
    want = expected_stacks(report, func, paths, leaf_line)
    got = []
    for frames, count, extra in stacks:
        parsed = []
        for f in frames:
            m = re.fullmatch(r"(.+) (\S+):(\d+)", f)
            assert m, f"frame {f!r} is not 'FUNC FILE:LINE' in:\n{out}"
            parsed.append((norm(m.group(1)), m.group(2), int(m.group(3))))
        got.append((count, parsed, extra))
    assert sum(c for c, _, _ in got) == sum(c for c, _ in want.values()) == report[func], (
        f"counts do not add up to the {report[func]} calls of {func}:\n{out}")
    for path, (count, frames) in want.items():
        match = [g for g in got if g[1] == frames]
        assert match, f"no stack for path {path!r}, expected (count {count}):\n" + \
            "\n".join(f"  {f} {fi}:{li}" for f, fi, li in frames) + f"\ngot:\n{out}"
        assert match[0][0] == count, f"path {path}: count {match[0][0]}, expected {count}:\n{out}"
        if labels_line is not None:
            want_extra = [labels_line] if path == "labelled" and labels_line else []
            assert match[0][2] == want_extra, f"path {path}: {match[0][2]}, expected {want_extra}"
    assert len(got) == len(want), f"{len(got)} stacks, expected {len(want)}:\n{out}"


def assert_clean(status, out, err, where="stdout"):
    assert status == 0, f"exit status {status}\nstderr:\n{err}\nstdout:\n{out}"
    text = out if where == "stdout" else err
    assert text.rstrip().endswith("Detaching..."), f"no 'Detaching...' at the end of {where}:\n{text}"
    assert "WARNING" not in err, f"warnings:\n{err}"


# ---------------------------------------------------------------------------------------------
# libgo's line tables


@pytest.mark.parametrize("variant", ["go126", "go119", "go126-stripped", "go119-pie"])
def test_lines_match_objdump(built, variant):
    """golines: the file:line of every instruction of several functions is what `go tool
    objdump` prints (the innermost position, an inlined call's own line)."""
    binary = built.path(variant, PROGRAM)
    # objdump needs the symbol table: the stripped binary's code is the unstripped one's
    plain = built.path(variant.replace("-stripped", ""), PROGRAM)
    go = GO126  # Go 1.19's objdump finds no lines in PIE binaries; 1.26's reads every layout
    checked = 0
    for func in ("main.viaInlined", "main.run", "main.rec", "main.leaf", "runtime.main"):
        dump = subprocess.run([go, "tool", "objdump", "-s", "^" + re.escape(func) + "$", plain],
                              capture_output=True, text=True, check=True).stdout
        want = {}
        for line in dump.splitlines()[1:]:
            fields = line.split()
            want[int(fields[1], 16)] = int(fields[0].rsplit(":", 1)[1])
        assert want, f"objdump printed nothing for {func}"
        if variant.endswith("-pie"):  # same code, other addresses: compare by offset
            base_plain = min(want)
        got = subprocess.run([helper("golines"), binary, "-f", func], capture_output=True,
                             text=True, check=True).stdout
        lines = {int(a, 16): int(pos.rsplit(":", 1)[1]) for a, pos in
                 (l.split() for l in got.splitlines())}
        for addr, line in want.items():
            assert lines.get(addr) == line, f"{func} 0x{addr:x}: golines {lines.get(addr)}, objdump {line}"
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("variant", ["go126", "go119", "go126-stripped", "go119-stripped"])
def test_inlined_frames_match_runtime(built, variant):
    """golines -r at the return address of viaInlined's call of leaf: main.inlined (inlined, its
    own line) then main.viaInlined at the line of the inlined call, as runtime.CallersFrames."""
    binary = built.path(variant, PROGRAM)
    plain = built.path(variant.split("-")[0], PROGRAM)
    dump = subprocess.run([go_command(variant), "tool", "objdump", "-s", "^main.viaInlined$", plain],
                          capture_output=True, text=True, check=True).stdout
    calls = [l.split() for l in dump.splitlines() if "CALL main.leaf(SB)" in l]
    assert len(calls) == 1, dump
    ret = int(calls[0][1], 16) + len(calls[0][2]) // 2
    with GoProgram(binary) as prog:
        prog.go()
        report = prog.result()
        prog.stop()
    want = [f"  {f['func']} {f['file']}:{f['line']}" + (" inlined" if i == 0 else "")
            for i, f in enumerate(report["paths"]["inlined"]["frames"][:2])]
    got = subprocess.run([helper("golines"), binary, "-r", hex(ret)], capture_output=True, text=True,
                         check=True).stdout.splitlines()[1:]
    assert got == want


# ---------------------------------------------------------------------------------------------
# Exact stacks


@pytest.mark.parametrize("variant", CORE + ["go124", "go125", "go120", "go118", "go117", "go116",
                                     "go117-pie", "go116-pie", "go117-extld-pie",
                                     "go117-lld-pie", "go126-lld-pie"])
def test_every_frame_with_lines(built, variant):
    """gostack -l main.leaf: one stack per path with its exact count, every frame in order (the
    immediate caller included), the inlined main.inlined a frame of its own, each frame's
    file:line as Go's own runtime.CallersFrames reports it; labels (Go 1.17+) on their stack."""
    report, status, out, err = trace(built, variant, "main.leaf", "-l")
    assert_clean(status, out, err)
    assert ("generic" in report["paths"]) == (go_minor(variant) >= 18)
    line = entry_line(built.path(readable(variant), PROGRAM), "main.leaf")
    assert line == source_line("func leaf(")
    check_lines_output(report, out, "main.leaf", [p for p in LEAF_PATHS if p in report["paths"]], line,
                       labels_line="labels: path=labelled" if go_minor(variant) >= 17 else "")


@pytest.mark.parametrize("variant, env", [
    ("go126", {}), ("go119-pie", {}), ("go126-stripped", {}),
    ("go126", {"GOTOOLS_NO_CALL_SITES": "1"}), ("go119", {"GOTOOLS_NO_CALL_SITES": "1"}),
], ids=["go126-calls", "go119-pie-calls", "go126-stripped-calls", "go126-entry", "go119-entry"])
def test_frameless_leaf(built, variant, env):
    """main.tiny has no frame: probed at the CALLs that enter it (or, without call sites, at its
    first instruction, where the kernel's walk misses the caller): every frame, exact counts."""
    report, status, out, err = trace(built, variant, "main.tiny", "-l", "-v", env=env)
    assert_clean(status, out, err)
    sites = "2 calls" if not env else "+0"
    assert re.search(r"^0x[0-9a-f]+\s+" + re.escape(sites) + r"\s+internal\s+main\.tiny$", out, re.M), out
    if go_minor(variant) >= 17:  # a map up to Go 1.23, a slice of pairs from 1.24
        form = "a slice of pairs" if go_minor(variant) >= 24 else "a map"
        assert re.search(r"^pprof labels: read from runtime\.g\+\d+ \(%s\)$" % form, out, re.M), out
    else:
        assert re.search(r"^pprof labels: unavailable: pprof labels are read from Go 1\.17 on ", out, re.M), out
    out = "\n".join(re.sub(r"^  [0-9a-f]+\s+", "  ", l) for l in out.splitlines()
                    if not l.startswith(("/", "ADDR", "0x", "pprof labels: ")))
    line = entry_line(built.path(readable(variant), PROGRAM), "main.tiny")
    check_lines_output(report, out, "main.tiny", TINY_PATHS, line)


@pytest.mark.parametrize("variant", ["go126", "go119", "go126-pie"])
def test_entry_site_in_the_frame(built, variant):
    """runtime.mapassign_faststr's entry probe may sit past PUSH RBP and SUB RSP (Go 1.26): the
    return address is found by the pcsp table, and the kernel's walk is used as it is where
    RBP is already the function's own. main.leaf and main.mark each assign once per path."""
    report, status, out, err = trace(built, variant, "runtime.mapassign_faststr")
    assert_clean(status, out, err)
    stacks = parse_text(out)
    assert all(len(f) > 1 and not f[1].startswith("[") for f, _, _ in stacks), out
    for path in LEAF_PATHS + TINY_PATHS:
        caller = "main.mark" if path.startswith("tiny") else "main.leaf"
        frames = ["runtime.mapassign_faststr", caller] + [f["func"] for f in report["paths"][path]["frames"]]
        assert [c for f, c, _ in stacks if [norm(x) for x in f] == frames] == [1], f"{path}: {frames}\n{out}"


@pytest.mark.parametrize("variant", ["go126", "go119-stripped"])
def test_offsets_and_addresses(built, variant):
    """-s: FUNC+0xOFF for each frame, the offset of the return address; -v: the address first."""
    report, status, out, err = trace(built, variant, "main.leaf", "-s", "-v")
    assert_clean(status, out, err)
    stacks = parse_text(out)
    plain = [s for s in stacks if s[1] == report["paths"]["plain"]["count"]]
    assert plain, out
    frames = plain[0][0]
    inlined = [s for s in stacks if s[1] == report["paths"]["inlined"]["count"]][0][0]
    assert re.fullmatch(r"[0-9a-f]+\s+main\.inlined \(inlined\)", inlined[1]), inlined
    m = [re.fullmatch(r"([0-9a-f]+)\s+(\S+)\+0x([0-9a-f]+)", f) for f in frames]
    assert all(m), frames
    assert m[0].group(2) == "main.leaf" and m[0].group(3) == "0"
    assert [x.group(2) for x in m[1:]] == [f["func"] for f in report["paths"]["plain"]["frames"]]
    # each frame's address minus its offset is the same function's address in every stack
    entries = {x.group(2): int(x.group(1), 16) - int(x.group(3), 16) for x in m}
    for frames, _, _ in stacks:
        for f in frames:
            x = re.fullmatch(r"([0-9a-f]+)\s+(\S+)\+0x([0-9a-f]+)", f)
            if x and x.group(2) in entries:
                assert int(x.group(1), 16) - int(x.group(3), 16) == entries[x.group(2)], f


def folded(report, path, minor):
    """The folded line of a path, its inlined frames' "_[i]" left out."""
    frames = [f["func"] for f in report["paths"][path]["frames"]]
    line = ";".join(list(reversed(frames)) + ["main.leaf"])
    if path == "labelled" and minor >= 17:
        line = "path=labelled;" + line
    return line


@pytest.mark.parametrize("variant", ["go126", "go119", "go126-pie"])
def test_folded(built, variant):
    """-f: one line a stack, root first, inlined frames marked _[i], labels as a root frame;
    stdout holds only those lines, the banner and Detaching... go to stderr."""
    report, status, out, err = trace(built, variant, "main.leaf", "-f")
    assert_clean(status, out, err, where="stderr")
    got = {}
    assert re.search(r";main\.viaInlined;main\.inlined_\[i\];main\.leaf 200$", out, re.M), out
    for line in out.splitlines():
        stack, count = line.rsplit(" ", 1)
        stack = ";".join(norm(f.removesuffix("_[i]")) for f in stack.split(";"))
        got[stack] = got.get(stack, 0) + int(count)
    want = {folded(report, p, go_minor(variant)): report["paths"][p]["count"] for p in LEAF_PATHS}
    assert got == want
    # a generic function's name, main.generic[...] or with its shape, whose ";" would split it
    assert re.search(r";main\.generic\[(\.\.\.|go\.shape\.struct \{ A int, B string \}(_0)?)\];main\.leaf 40$",
                     out, re.M), out


@pytest.mark.parametrize("variant", ["go126", "go119-stripped"])
def test_json(built, variant):
    """-j: one JSON object a stack: count, pid, frames leaf first with func, file, line, inlined."""
    import json
    report, status, out, err = trace(built, variant, "main.leaf", "-j")
    assert_clean(status, out, err, where="stderr")
    objs = [json.loads(l) for l in out.splitlines()]
    want = expected_stacks(report, "main.leaf", LEAF_PATHS, source_line("func leaf("))
    assert len(objs) == len(want)
    for path, (count, frames) in want.items():
        match = [o for o in objs if [(norm(f["func"]), f["file"], f["line"]) for f in o["frames"]] == frames]
        assert match and match[0]["count"] == count, f"{path}: {objs}"
        inl = [f["func"] for f in match[0]["frames"] if f["inlined"]]
        if path in ("inlined", "plain"):
            assert inl == (["main.inlined"] if path == "inlined" else []), match[0]


def pprof_traces(go, path):
    """`go tool pprof -traces`: [(count, [frame names leaf first]), labels]."""
    out = subprocess.run([go, "tool", "pprof", "-traces", path], capture_output=True, text=True,
                         check=True, env=dict(os.environ, PPROF_TMPDIR=tempfile.gettempdir())).stdout
    traces = []
    for block in out.split("-----------+-------------------------------------------------------")[1:]:
        lines = [l for l in block.splitlines() if l.strip()]
        if not lines:
            continue
        labels = [l.strip() for l in lines if re.match(r"^\s+\S+:\s+\S+$", l)]
        rows = [l for l in lines if not re.match(r"^\s+\S+:\s+\S+$", l)]
        m = re.match(r"^\s+(\d+)\s+(\S.*)$", rows[0])
        assert m, block
        frames = [m.group(2)] + [r.strip() for r in rows[1:]]
        traces.append((int(m.group(1)), frames, labels))
    return traces


@pytest.mark.parametrize("variant", ["go126", "go119-pie", "go126-stripped"])
def test_pprof(built, variant, tmp_path):
    """--pprof: a gzipped profile that `go tool pprof -traces` reads back: each path's count,
    every frame, the inlined one marked (inline); the labels as sample labels (Go 1.17+)."""
    path = str(tmp_path / "stacks.pb.gz")
    report, status, out, err = trace(built, variant, "main.leaf", "--pprof", path)
    assert_clean(status, out, err)
    with gzip.open(path) as f:
        assert f.read(2)  # gzipped
    traces = pprof_traces(go_command(variant), path)
    want = {}
    for p in LEAF_PATHS:
        frames = ["main.leaf"] + [f["func"] for f in report["paths"][p]["frames"]]
        labels = ["path:  labelled"] if p == "labelled" and go_minor(variant) >= 17 else []
        want[tuple(frames)] = (report["paths"][p]["count"], [re.sub(r"\s+", " ", l) for l in labels])
    inlined = [fr for _, fr, _ in traces if "main.viaInlined" in fr]
    assert len(inlined) == 1 and inlined[0][1] == "main.inlined (inline)", traces
    got = {tuple(norm(f.removesuffix(" (inline)")) for f in fr): (c, [re.sub(r"\s+", " ", l) for l in lab])
           for c, fr, lab in traces}
    assert got == want


def test_pprof_each_interval(built, tmp_path):
    """--pprof with %n and %t and -i 1: a profile each interval, numbered 1, 2, ... and named by
    its start time, which is the profile's own; together they hold every call the program
    made (tests/go/fleet's 1500 calls of main.work take over a second), each interval's once;
    each says whose it is (service_name, host) in its comments, as a continuous profiler
    wants them."""
    template = str(tmp_path / "q-%n-%t.pb.gz")
    with GoProgram(built.path("go126", "fleet"), "1500") as prog:
        with Tool(TOOL, "-i", "1", "--pprof", template, "-p", str(prog.pid), "main.work") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert_clean(status, out, err)
    files = {}
    for name in os.listdir(tmp_path):
        m = re.fullmatch(r"q-(\d+)-(\d+)\.pb\.gz", name)
        assert m, name
        files[int(m.group(1))] = (int(m.group(2)), str(tmp_path / name))
    assert sorted(files) == list(range(1, len(files) + 1)) and len(files) >= 2, files
    starts = [files[n][0] for n in sorted(files)]
    assert starts == sorted(set(starts)), starts
    calls, with_calls = 0, 0
    for n in sorted(files):
        start, path = files[n]
        raw = subprocess.run([GO126, "tool", "pprof", "-raw", path], capture_output=True, text=True,
                             check=True, env=dict(os.environ, PPROF_TMPDIR=str(tmp_path), TZ="UTC")).stdout
        assert "Comment: service_name=fleet-" in raw and f"Comment: host={os.uname().nodename}" in raw, raw
        m = re.search(r"^Time: (\S+ \S+)", raw, re.M)
        assert m and m.group(1).startswith(time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start))), (start, raw)
        traces = pprof_traces(GO126, path)
        assert all(fr[0] == "main.work" and "main.main" in fr for _, fr, _ in traces), traces
        calls += sum(c for c, _, _ in traces)
        with_calls += bool(traces)
    assert calls == report["work"]
    assert with_calls >= 2, files


# ---------------------------------------------------------------------------------------------
# Recursion, intervals, processes


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_recursion_stack_growth(built, variant):
    """main.rec recurses with 512-byte frames (its goroutine's stack grows as it goes): the counts
    add up to the calls; depth d (1..40) is seen rec_runs+1 times, deeper ones once; stacks
    deeper than the kernel's 127 frames are shown truncated and reported with their count."""
    report, status, out, err = trace(built, variant, "main.rec", "-f")
    assert status == 0, err
    total = truncated = 0
    depths = {}
    for line in out.splitlines():
        stack, count = line.rsplit(" ", 1)
        frames = stack.split(";")
        total += int(count)
        if frames[0].startswith("[truncated"):
            truncated += int(count)
            assert set(frames[1:]) <= {"main.rec", "main.run.func2"}, line
            continue
        assert frames[:2] == ["runtime.goexit", "main.run.func2"] and set(frames[2:]) == {"main.rec"}, line
        d = len(frames) - 2
        depths[d] = depths.get(d, 0) + int(count)
    assert total == report["main.rec"] == report["rec_runs"] * report["rec_depth"] + report["deep_depth"]
    deepest = max(depths)
    assert deepest >= 120 and sorted(depths) == list(range(1, deepest + 1)), sorted(depths)
    for d, c in depths.items():
        assert c == (report["rec_runs"] + 1 if d <= report["rec_depth"] else 1), (d, c)
    assert truncated == report["deep_depth"] - deepest
    assert f"WARNING: {truncated} calls had stacks deeper than 127 frames" in err, err


@pytest.mark.parametrize("variant", ["go126-pie", "go119-pie"])
def test_pie_after_exit(built, variant):
    """-p ends with the process and prints then: a PIE binary's stacks are still named right,
    though /proc no longer says where the process had loaded it."""
    binary = built.path(variant, PROGRAM)
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-l", "-p", str(prog.pid), "main.leaf") as t:
            prog.go()
            report = prog.result()
            prog.stop()
            status, out, err = t.wait()
    assert_clean(status, out, err)
    line = entry_line(binary, "main.leaf")
    check_lines_output(report, out, "main.leaf", [p for p in LEAF_PATHS if p in report["paths"]], line)


@pytest.mark.parametrize("variant", ["go126-pie", "go126-lld-pie", "go117-pie"])
def test_pie_gone_without_pid(built, variant):
    """Without -p, by the binary's path: the process has exited before gostack prints, and
    /proc never said where it had loaded its PIE binary: the stacks are still named right,
    every frame (the load bias is found from the probed pc)."""
    binary = built.path(variant, PROGRAM)
    with Tool(TOOL, "-l", f"{binary}:main.leaf") as t:
        with GoProgram(binary) as prog:
            prog.go()
            report = prog.result()
            prog.stop()
        status, out, err = t.interrupt()
    assert_clean(status, out, err)
    line = entry_line(built.path(readable(variant), PROGRAM), "main.leaf")
    check_lines_output(report, out, "main.leaf", [p for p in LEAF_PATHS if p in report["paths"]], line,
                       labels_line="labels: path=labelled" if go_minor(variant) >= 17 else "")


def test_table_full_counted(built):
    """With room for 20 stacks (GOTOOLS_MAX_STACKS) and ~170 distinct ones, the calls whose stack
    found no room are counted and reported: printed and lost calls add up to the calls made."""
    report, status, out, err = trace(built, "go126", "main.rec", "-f", env={"GOTOOLS_MAX_STACKS": "20"})
    assert status == 0, err
    printed = sum(int(l.rsplit(" ", 1)[1]) for l in out.splitlines())
    assert len(out.splitlines()) == 20, out
    m = re.search(r"^WARNING: (\d+) calls were not counted: the table of 20 stacks was full$", err, re.M)
    assert m, err
    assert printed + int(m.group(1)) == report["main.rec"]


def test_pid_only(built):
    """-p PID counts that process's calls only, while another runs the same binary; -P adds the
    `comm [pid]` line."""
    binary = built.path("go126", PROGRAM)
    with GoProgram(binary) as a, GoProgram(binary) as b:
        with Tool(TOOL, "-P", "-p", str(a.pid), "main.leaf") as t:
            b.go()
            b.result()
            a.go()
            report = a.result()
            status, out, err = t.interrupt()
        a.stop()
        b.stop()
    assert_clean(status, out, err)
    stacks = parse_text(out)
    assert sum(c for _, c, _ in stacks) == report["main.leaf"]
    comm = os.path.basename(binary)[:15]
    assert all(e[-1] == f"{comm} [{a.pid}]" for _, _, e in stacks), out


def test_interval(built):
    """-i 1 -T: each interval prints the stacks counted since the last one, under a timestamp:
    over the intervals they add up exactly to the calls made (none counted twice, none lost)."""
    binary = built.path("go126", PROGRAM)
    with GoProgram(binary, "loop") as prog:
        with Tool(TOOL, "-T", "-i", "1", "-p", str(prog.pid), "main.plain") as t:
            prog.go()
            time.sleep(2.5)
            prog.go("stop")
            report = prog.result()
            time.sleep(1.2)  # one more interval, after the last call
            status, out, err = t.interrupt()
        prog.stop()
    assert_clean(status, out, err)
    intervals = re.split(r"^\d\d:\d\d:\d\d\n", out, flags=re.M)[1:]
    counts = [sum(c for _, c, _ in parse_text(i)) for i in intervals]
    assert len([c for c in counts if c]) >= 2, out
    assert sum(counts) == report["main.plain"], (counts, report)
    for i in intervals:
        for frames, _, _ in parse_text(i):
            assert frames == ["main.plain", "main.main", "runtime.main", "runtime.goexit"], i


@pytest.mark.parametrize("variant", ["go126", "go119-pie"])
def test_nothing_left_attached(built, variant):
    """While tracing main.* (many functions, probed at entries and at CALLs), the program's code
    holds breakpoints; once gostack has exited on Ctrl-C, its code equals the file again. Each
    stack begins with its traced function: per function, the counts are its calls."""
    binary = built.path(variant, PROGRAM)
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-p", str(prog.pid), "main.*") as t:
            during = code_differences(prog.pid, binary)
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        after = code_differences(prog.pid, binary)
        prog.stop()
    assert status == 0, err
    per_func = {}
    for frames, count, _ in parse_text(out):
        per_func[frames[0]] = per_func.get(frames[0], 0) + count
    for func in ("main.leaf", "main.rec", "main.tiny"):
        assert per_func.get(func) == report[func], (func, per_func)
    assert per_func["main.plain"] == report["paths"]["plain"]["count"], per_func
    assert during, "no breakpoint found while tracing (is the check broken?)"
    assert not after, f"breakpoints left at {[hex(a) for a in after]}"


@pytest.mark.parametrize("argv, status, message", [
    (["-K", "main.leaf"], 2, "kernel stacks are not supported"),
    ([], 2, "no PATTERN given"),
    (["-i", "0", "main.leaf"], 2, "invalid interval: '0'"),
    (["-f", "-j", "main.leaf"], 2, "-f and -j cannot be used together"),
    (["/bin/true:main.leaf"], 1, "not a Go binary"),
    (["/nonexistent:main.leaf"], 1, "/nonexistent"),
])
def test_bad_input(argv, status, message):
    """Bad input: one line on stderr saying what is wrong; exit status 2 for usage, 1 otherwise."""
    r = run_tool(TOOL, *argv)
    assert r.returncode == status, (r.returncode, r.stderr)
    assert message in r.stderr, r.stderr
    assert r.stdout == "" or "Usage" in r.stdout or "USAGE" in r.stdout, r.stdout


def test_bad_pprof_path(built):
    binary = built.path("go126", PROGRAM)
    r = run_tool(TOOL, "--pprof", "/nonexistent/dir/x.pb.gz", "-D", "1", binary + ":main.leaf")
    assert r.returncode == 1 and "cannot write '/nonexistent/dir/x.pb.gz'" in r.stderr, r.stderr
    assert len(r.stderr.splitlines()) == 1, r.stderr


def test_gccgo_refused(built):
    """gccgo binaries have no frame pointers: gostack says so instead of printing wrong stacks."""
    binary = built.path("gccgo", "tracee")
    r = run_tool(TOOL, binary + ":main.*")
    assert r.returncode == 1 and "gccgo" in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
