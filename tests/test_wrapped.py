"""Methods with value receivers called through an interface (libgo/plan/inline.c's wrapper
sites). Such a call runs in the wrapper Go makes for the pointer, pkg.(*T).M, which calls
pkg.T.M or has its body inlined; a small body inlined there (a getter, a constant, nothing)
leaves no instruction of its line and no inline tree entry, so no probe of pkg.T.M saw it. The
tools probe such a wrapper as a site of the method, past its nil check.

tests/go/wrapped calls six methods of four shapes through interfaces, two of them directly too,
and reports how many calls it made and the stack Go gives below them. Over Go's whole go
command, the wrappers the plan uses are exactly those an independent reading (go tool objdump)
finds holding no trace of their method.
"""

import json
import os
import re
import subprocess

import pytest

from conftest import (ALL_VARIANTS, BUILD_DIR, GO119, GO126, SWITCHED, TOOLCHAINS, GoProgram, Tool,
                      build_env, build_program, run_tool)


def go_command(variant):
    """Go's go command built by a toolchain (go119: Debian's is stripped, which objdump cannot
    read), or for arm64 (go126-arm64); cached."""
    if variant.endswith("-arm64"):
        from test_arm64 import cross_go_command  # (not in make check-arm64's guest)
        return cross_go_command(variant[:-len("-arm64")])
    go = TOOLCHAINS[variant][1]
    out = os.path.join(BUILD_DIR, "amd64-go", f"go-{TOOLCHAINS[variant][0]}")
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        env = build_env("0", go)
        env.update(GOFLAGS="", GOENV="off")
        src = os.path.join(os.path.dirname(os.path.dirname(go)), "src", "cmd", "go")
        result = subprocess.run([go, "build", "-o", out + ".tmp", "."], cwd=src, env=env,
                                capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, f"cannot build {variant}'s go command: {result.stderr}"
        os.replace(out + ".tmp", out)
    return out

PROGRAM = "wrapped"
PATTERN = r"^main\.[A-Za-z]+\.[A-Za-z]+$"  # the value methods, not their wrappers
ALL_VARIANTS.setdefault("go126-noinline", (GO126, ["-gcflags=-l"], "0"))
VARIANTS = ["go116", "go117", "go118", "go119", *SWITCHED, "go126", "go126-stripped",
            "go126-pie", "go119-pie", "go126-noinline"]
# the methods whose wrappers hold their body without a trace (Go 1.26)
TRACELESS = {"main.Celsius.Get", "main.Point.Origin", "main.Point.Touch", "main.eofReader.Read"}


def run(variant, tool, *args):
    """Run tool -p PID args while the program makes its calls: (report, status, out, err)."""
    with GoProgram(build_program(variant, PROGRAM)) as prog:
        with Tool(tool, "-p", str(prog.pid), *args) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\n{err}"
    return report, out, err


@pytest.mark.parametrize("variant", VARIANTS)
def test_counts(variant, monkeypatch):
    """Every call counts, through the interface or not, in every release: each method's count
    is the program's own. (On arm64, main.eofReader.Read's own code begins with a sequence Go
    restarts after preempting it there, which the tool says: the program runs without
    asynchronous preemption, so that its count is exact.)"""
    if variant.endswith("-arm64"):
        monkeypatch.setenv("GODEBUG", "asyncpreemptoff=1")
    report, out, err = run(variant, "gofunccount", "-r", PATTERN)
    counts = {m.group(1): int(m.group(2)) for m in
              (re.match(r"^(main\.\S+)\s+(\d+)$", line) for line in out.splitlines()) if m}
    assert counts == report["calls"], (out, err)
    notes = [line for line in err.splitlines() if "note:" in line]
    restarts = "gofunccount: note: main.eofReader.Read is probed where Go restarts the code"
    assert all(variant.endswith("-arm64") and n.startswith(restarts) for n in notes), err


@pytest.mark.unprivileged
def test_dry_run_kinds():
    """--dry-run lists the wrappers holding a traceless body as "wrapper" sites, each past its
    nil check; a method the wrapper calls (main.heavy.Work) has none; with nothing inlined
    (-gcflags=-l) every wrapper calls its method and there are none."""
    def sites(variant):
        binary = build_program(variant, PROGRAM)
        result = run_tool("gofunccount", "--dry-run", "-j", "-r", f"{binary}:{PATTERN}")
        assert result.returncode == 0, result.stderr
        records = [json.loads(line) for line in result.stdout.splitlines()]
        assert records[-1].get("inline_unseen", []) == [], records[-1]
        return {(r["func"], r["caller"]) for r in records if r.get("kind") == "wrapper"}

    assert sites("go126") == {(f, re.sub(r"^main\.(\w+)\.", r"main.(*\1).", f))
                              for f in TRACELESS}
    assert sites("go126-noinline") == set()


def test_gostack():
    """gostack's stack at a wrapper site is the method, then the stack Go gives where the
    interface call is made (the wrapper left out, as Go's tracebacks leave it out)."""
    report, out, err = run("go126", "gostack", "main.Celsius.Get")
    stacks = [block.split("\n") for block in out.strip().split("\n\n")[1:]]
    got = [([line.strip() for line in b[:-1]], int(b[-1])) for b in stacks if b[-1].strip().isdigit()]
    assert got == [(["main.Celsius.Get"] + report["stack"], 300)], (out, err)


def test_timing_tools_say():
    """The tools that time calls cannot time one inside a wrapper (no return of its own): they
    say so, as for any inlined call."""
    _, out, err = run("go126", "gofunclatency", "main.Point.Touch")
    assert "note: main.Point.Touch was also inlined, at 1 call site" in err, err


@pytest.mark.unprivileged
@pytest.mark.parametrize("go", ["go126", "go119", "go126-arm64"])
def test_whole_go_command(go):
    """Over Go's whole go command (1.26, 1.19, 1.26 for arm64), the plan's wrapper sites are
    exactly the pointer wrappers (<autogenerated>, pkg.(*T).M) of value methods pkg.T.M of the
    program's own that go tool objdump shows holding neither a line of any source file nor a
    CALL or JMP to pkg.T.M; each site is an instruction of its wrapper past a branch to
    runtime.panicwrap."""
    binary = GO126 if go == "go126" else go_command(go)
    result = run_tool("gofunccount", "--dry-run", "-j", f"{binary}:*", timeout=300)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    got = {r["caller"]: (r["func"], int(r["addr"], 16)) for r in records
           if r.get("kind") == "wrapper"}
    unseen = {u["in"] for u in records[-1]["inline_unseen"] if u["file"] == "<autogenerated>"
              and "wrapper" in u["why"]}

    dump = subprocess.run([GO119 if go == "go119" else GO126, "tool", "objdump", binary],
                          capture_output=True, text=True, check=True).stdout
    funcs = {}
    for block in dump.split("\nTEXT ")[1:]:
        head, *lines = block.split("\n")
        name, source = re.match(r"^(.*)\(SB\) ?(\S*)$", head).groups()
        insns = [re.match(r"^  (\S+)\t+(0x[0-9a-f]+)\t+\S+\t+(.*?)\s*$", line) for line in lines]
        funcs[name] = (source, [(m.group(1), int(m.group(2), 16), m.group(3)) for m in insns if m])
    want = {}
    for name, (source, insns) in funcs.items():
        m = re.match(r"^(.*)\.\(\*(.*)\)\.([^.]+)$", name)
        value = m and f"{m.group(1)}.{m.group(2)}.{m.group(3)}"
        if not m or source != "<autogenerated>" or value not in funcs or \
                funcs[value][0] == "<autogenerated>":
            continue
        traces = [i for i in insns if i[0] != "<autogenerated>:1" or
                  re.search(rf"\b(CALL|JMP) {re.escape(value)}\(SB\)", i[2])]
        if not traces:
            want[name] = value
    assert len(want) > 50, want
    assert set(got) | unseen == set(want), (set(got) - set(want), set(want) - set(got) - unseen)
    assert len(unseen) < len(got) / 10, unseen
    for wrapper, (value, addr) in got.items():
        insns = funcs[wrapper][1]
        at = [i for i, insn in enumerate(insns) if insn[1] == addr]
        assert value == want[wrapper] and at, (wrapper, hex(addr))
        assert any(panics(insns, target(insn)) for insn in insns[:at[0]]), (wrapper, insns)


def target(insn):
    """Where a conditional branch in go tool objdump's reading goes (amd64: "JE 0x4c22a9",
    arm64: "CBZ R0, 5(PC)"), or None."""
    m = re.match(r"^J\w+ (0x[0-9a-f]+)$", insn[2])
    if m:
        return int(m.group(1), 16)
    m = re.match(r"^(?:CBN?Z|TBN?Z|B[A-Z]{2}) .*?(-?\d+)\(PC\)$", insn[2])
    return insn[1] + 4 * int(m.group(1)) if m else None


def panics(insns, addr):
    """Whether the code at addr calls runtime.panicwrap before it calls or jumps elsewhere."""
    start = [i for i, insn in enumerate(insns) if insn[1] == addr]
    for _, _, text in insns[start[0]:] if start else []:
        if text.startswith(("CALL", "JMP", "RET")):
            return text == "CALL runtime.panicwrap(SB)"
    return False
