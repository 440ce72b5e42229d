"""Under churn: tables that many stacks, many processes and long runs fill. Each test shrinks a
tool's table (GOTOOLS_MAX_STACKS, GOTOOLS_MAX_TYPES, GOTOOLS_MAX_GOROUTINES,
GOTOOLS_MAX_SPILL) below what the run as a whole needs, but not below what the tool must
hold at once, and checks that nothing is lost and every count is the program's own
(tests/go/churn):

- gostack keys a stack by its frames alone: a leaf probed at its callers' CALLs, where the word
  at the stack pointer is leftover data, takes one entry a stack; without -P, one stack over many
  processes of a binary takes one entry;
- with -i, gostack and goiface empty their tables at each printout (as bcc's stackcount does),
  and say what an interval lost in that interval's output;
- gofunclatency frees the records of a process when it exits (its last goroutines never reach
  runtime.goexit1).
"""

import json
import os
import re
import subprocess
import time

import pytest

from conftest import GoProgram, Tool, build_program, private_copy

PROGRAM = "churn"
DEPTH = 13  # levels of main.walk: a path is a number, one bit a level (tests/go/churn)
LEAF_CALLS = 3  # calls of the traced function a path makes
ONCE_CALLS = 5 * LEAF_CALLS  # calls of main.leaf by `churn once`


def path_of(funcs):
    """The path number of a stack of main.walk, from its function names, leaf first: the walkA
    or walkB frame closest to the leaf is the deepest level's, bit DEPTH - 1."""
    walks = [f for f in funcs if f in ("main.walkA", "main.walkB")]
    assert len(walks) == DEPTH, funcs
    return sum(1 << (DEPTH - 1 - j) for j, f in enumerate(walks) if f == "main.walkA")


def text_stacks(out):
    """gostack's multi-line stacks: [(function names leaf first, count)]; other lines skipped."""
    stacks, frames = [], []
    for line in out.splitlines():
        if re.fullmatch(r"    \d+", line):
            stacks.append((frames, int(line)))
            frames = []
        elif line.startswith("  ") and not line.startswith("    "):
            frames.append(line.split()[-1])  # -v puts the address first
    assert not frames, out
    return stacks


def split_json(out):
    """(records, lost lines) of -j output (gofunclatency's note of what a single-stepped probe
    costs is neither)."""
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    rows = [r for r in rows if "probe_cost_ns" not in r]
    return [r for r in rows if "lost" not in r], [r for r in rows if "lost" in r]


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_gostack_leaf_stacks_at_call_sites(variant):
    """main.tiny, a leaf without a frame, is probed at its caller's CALL, where no return
    address is pushed yet and the word at SP is what the caller last spilled there (a different
    one at each call). 256 distinct stacks fit a table of 256: none lost, each exact."""
    binary = build_program(variant, PROGRAM)
    with GoProgram(binary, "stacks", "256") as prog:
        with Tool("gostack", "-v", "-p", str(prog.pid), "main.tiny",
                  env={"GOTOOLS_MAX_STACKS": "256"}) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert re.search(r"^0x[0-9a-f]+\s+1 call\s+internal\s+main\.tiny$", out, re.M), out
    assert "WARNING" not in err, err
    counts = {}
    for frames, count in text_stacks(out):
        assert frames[:3] == ["main.tiny", "main.bottom", "main.walk"], frames
        path = path_of(frames)
        assert path not in counts, (path, out)
        counts[path] = count
    assert report == {"main.tiny": 256 * LEAF_CALLS, "stacks": 256}
    assert counts == {p: LEAF_CALLS for p in range(256)}, counts


def test_gostack_one_stack_over_many_processes(tmp_path):
    """Without -P, a stack is one entry however many processes make it: 100 runs of a binary
    with one stack, by its path, in a table of one stack. The JSON names no process (the count
    is every process's)."""
    binary = private_copy(build_program("go126", PROGRAM), tmp_path)
    calls = 0
    with Tool("gostack", "-j", f"{binary}:main.leaf", env={"GOTOOLS_MAX_STACKS": "1"}) as t:
        for _ in range(100):
            r = subprocess.run([binary, "once"], capture_output=True, text=True, timeout=30, check=True)
            calls += json.loads(r.stdout)["main.leaf"]
        status, out, err = t.interrupt()
    assert status == 0, err
    stacks, lost = split_json(out)
    assert not lost and "WARNING" not in err, (lost, err)
    assert calls == 100 * ONCE_CALLS
    [stack] = stacks
    assert stack["count"] == calls, stack
    assert "pid" not in stack and "comm" not in stack, stack
    funcs = [f["func"] for f in stack["frames"]]
    assert funcs[:3] == ["main.leaf", "main.bottom", "main.walk"] and path_of(funcs) == 0, funcs


def test_gostack_perpid_over_processes(tmp_path):
    """With -P, the same stack is one a process: each with its pid and comm, and its count."""
    binary = private_copy(build_program("go126", PROGRAM), tmp_path)
    pids = []
    with Tool("gostack", "-j", "-P", f"{binary}:main.leaf") as t:
        for _ in range(5):
            p = subprocess.Popen([binary, "once"], stdout=subprocess.DEVNULL)
            assert p.wait(30) == 0
            pids.append(p.pid)
        status, out, err = t.interrupt()
    assert status == 0, err
    stacks, lost = split_json(out)
    assert not lost, lost
    assert sorted(s["pid"] for s in stacks) == sorted(pids), stacks
    assert all(s["count"] == ONCE_CALLS and s["comm"] == os.path.basename(binary)[:15]
               for s in stacks), stacks


def phases(tool, args, env, nphases, printed):
    """Run `churn phases 32` under `TOOL -i 1 ARGS -p PID`: each phase (32 new paths) once the
    tool has printed (printed(lines) counts the printouts, or what marks one) since the last
    phase's calls, so that no interval holds more than one phase. Returns (replies, status,
    stdout, stderr)."""
    binary = build_program("go126", PROGRAM)
    replies = []
    with GoProgram(binary, "phases", "32") as prog:
        with Tool(tool, "-i", "1", *args, "-p", str(prog.pid), env=env) as t:
            for p in range(nphases):
                prog.go(str(p))
                replies.append(json.loads(prog._expect_line("{")))
                seen = printed(t.out.lines)
                deadline = time.monotonic() + 10
                while printed(t.out.lines) == seen:
                    assert time.monotonic() < deadline, "no printout within 10 s"
                    time.sleep(0.05)
            prog.stop()  # the tool ends with the process
            status, out, err = t.wait()
    assert status == 0, err
    assert replies == [{"phase": p, "main.leaf": 32 * LEAF_CALLS, "main.describe": 32}
                       for p in range(nphases)]
    return replies, status, out, err


def timestamps(lines):
    return sum(1 for l in lines if re.fullmatch(r"\d\d:\d\d:\d\d\s*", l))


def interval_chunks(out, what):
    """-j output of intervals that each lost calls: [(their records, N of their lost
    line)], each lost line saying what."""
    chunks, rows = [], []
    for line in out.splitlines():
        row = json.loads(line)
        if "lost" in row:
            assert row["what"] == what, row
            chunks.append((rows, row["lost"]))
            rows = []
        else:
            rows.append(row)
    assert not rows, rows  # nothing after the last interval's loss
    assert len(chunks) >= 3, out
    return chunks


def lost_lines(lines):
    return sum(1 for l in lines if l.startswith('{"lost"'))


def test_gostack_intervals_empty_the_table():
    """-i 1 with a table of 48 stacks: four phases of 32 new stacks (128 in all). Each interval
    has the whole table: nothing is lost, and each interval holds exactly its phase's stacks,
    each counted once."""
    _, _, out, err = phases("gostack", ["-T", "main.leaf"], {"GOTOOLS_MAX_STACKS": "48"}, 4,
                            timestamps)
    assert "WARNING" not in err, err
    intervals = re.split(r"^\d\d:\d\d:\d\d\n", out, flags=re.M)[1:]
    seen = {}
    for text in intervals:
        counts = {}
        for frames, count in text_stacks(text):
            counts[path_of(frames)] = count
        # a phase is within one interval, unless an interval ended during its calls
        assert len(counts) <= 48, counts
        for path, count in counts.items():
            seen[path] = seen.get(path, 0) + count
    assert seen == {p: LEAF_CALLS for p in range(128)}, seen


def test_gostack_interval_losses_in_their_interval():
    """-i 1 -j with a table of 16 stacks and phases of 32: each interval prints a full table and
    after it, in its own output, a {"lost": ...} line for the calls that found no room, and the
    same WARNING on stderr; printed and lost add up to each phase's calls."""
    replies, _, out, err = phases("gostack", ["-j", "main.leaf"], {"GOTOOLS_MAX_STACKS": "16"}, 3,
                                  lost_lines)
    chunks = interval_chunks(out, "calls: the table of stacks was full")
    for stacks, n in chunks:
        assert len(stacks) == 16 and n > 0, (stacks, n)
    warned = [int(n) for n in re.findall(r"^WARNING: (\d+) calls were not counted: the table of "
                                         r"16 stacks was full$", err, re.M)]
    assert warned == [n for _, n in chunks], err
    assert sum(s["count"] for stacks, _ in chunks for s in stacks) + sum(warned) == \
        sum(r["main.leaf"] for r in replies)


def iface_headers(lines):
    return sum(1 for l in lines if l.split() == ["FUNC", "ARG", "TYPE", "VALUE", "COUNT"])


def test_goiface_intervals_empty_the_table():
    """goiface -V -i 1 with a table of 48 (type, value) pairs: four phases of 32 new values.
    Nothing is lost; each interval holds its phase's values, each counted once."""
    _, _, out, err = phases("goiface", ["-V", "main.describe", "v"],
                            {"GOTOOLS_MAX_TYPES": "48"}, 4, iface_headers)
    assert "not counted" not in err and "not counted" not in out, err
    seen = {}
    for text in re.split(r"^FUNC\s+ARG\s+TYPE\s+VALUE\s+COUNT\n", out, flags=re.M)[1:]:
        rows = [l.split() for l in text.splitlines() if l.startswith("main.describe")]
        assert len(rows) <= 48, rows
        for func, arg, typ, value, count in rows:
            assert (func, arg, typ) == ("main.describe", "v", "int"), rows
            seen[int(value)] = seen.get(int(value), 0) + int(count)
    assert seen == {p: 1 for p in range(128)}, seen


def test_goiface_interval_losses_in_their_interval():
    """goiface -V -j -i 1 with a table of 16 and phases of 32 values: each interval prints a full
    table, then its {"lost": ...} line, and says the same on stderr."""
    replies, _, out, err = phases("goiface", ["-j", "-V", "main.describe", "v"],
                                  {"GOTOOLS_MAX_TYPES": "16"}, 3, lost_lines)
    chunks = interval_chunks(out, "calls: the table of types was full")
    for values, n in chunks:
        assert len(values) == 16 and n > 0, (values, n)
    said = [int(n) for n in re.findall(r"^WARNING: (\d+) calls were not counted: the table of 16 "
                                       r"distinct types and values was full$", err, re.M)]
    assert said == [n for _, n in chunks], err
    assert sum(r["count"] for values, _ in chunks for r in values) + sum(said) == \
        sum(r["main.describe"] for r in replies)


@pytest.mark.parametrize("variant, env, nproc, batch, room, depth", [
    ("go126", {}, 200, 1, 200, 5),
    ("go126", {"GOTOOLS_NO_GOEXIT": "1"}, 200, 1, 200, 5),
    ("gccgo", {}, 24, 12, 32, 0),
], ids=["goroutines", "goroutines-lru", "starts-by-sp"])
def test_gofunclatency_records_of_exited_processes(variant, env, nproc, batch, room, depth,
                                                   tmp_path):
    """By path, hundreds of processes whose goroutines outlive their work: 20 goroutines each
    call main.work and wait forever (their records stay: they never reach runtime.goexit1), 2
    more are 6 calls deep in main.hang when the process exits (4 calls in their records, 2
    spilled). With room for 200 goroutines' records and 200 spilled calls, every call of
    main.work is timed and every call of main.hang is counted as in progress when its process
    exited: a process's records, and its spilled calls, are freed when it exits. gccgo keeps
    starts by stack pointer instead, those of main.hang's calls: 24 runs (a gccgo program
    takes a second to start here), 12 at once, with room for 32 starts."""
    binary = private_copy(build_program(variant, PROGRAM), tmp_path)
    env = dict(env, GOTOOLS_MAX_GOROUTINES=str(room), GOTOOLS_MAX_SPILL=str(room))
    total = {"main.work": 0, "main.hang": 0}
    with Tool("gofunclatency", "-j", "-r", fr"{binary}:^main\.(work|hang)$", env=env) as t:
        for _ in range(nproc // batch):
            runs = [subprocess.Popen([binary, "linger", "20", "2", str(depth)],
                                     stdout=subprocess.PIPE, text=True) for _ in range(batch)]
            for r in runs:
                out, _ = r.communicate(timeout=30)
                assert r.returncode == 0, out
                for k, v in json.loads(out).items():
                    total[k] += v
        status, out, err = t.interrupt()
    assert status == 0, err
    assert total == {"main.work": 20 * nproc, "main.hang": 2 * (depth + 1) * nproc}
    [hist], lost = split_json(out)
    assert hist["count"] == total["main.work"], (hist, lost, err)
    assert lost == [{"lost": total["main.hang"],
                     "what": "returns: unwound by a panic, runtime.Goexit or a tail call, or in "
                             "progress at the end or when their process exited"}], (lost, err)
    n = total["main.hang"]
    assert (f"{n} calls did not return through a RET while traced: 0 ended by a panic, "
            f"runtime.Goexit or a tail call, {n} in progress at the end or when their process "
            "exited") in err, err
