"""arm64: libgo plans probes for arm64 Go binaries on any host, as on an arm64 one.

Over whole real binaries (Go's own go command of Go 1.16 to 1.26 cross-built for arm64, an
arm64 PIE program, and Debian's arm64 caddy, a stripped Go 1.19 build), each function's entry
site, its condition and its RET sites are compared with an independent reading: binutils'
aarch64 objdump, and the rules of gc's arm64 prologue as cmd/internal/obj/arm64 (stacksplit)
writes it: `ldr xG, [x28, #16]` (g's stack guard; #24 for stackguard1), a `cmp` of SP (or SP
less the frame, or a copy of SP) with xG, then `b.ls` to a block at the function's end that
calls runtime.morestack and branches back to the entry; huge frames test twice, to the same
block. The kernel simulates the `b.ls` and single-steps the `str x30, [sp, #-N]!` after it, so
the entry site is the branch, taken to mean "not entered yet" (its condition, LS = 9, rides
in the probe's cookie); a function with no such check is entered at its first instruction,
but where that begins a sequence through REGTMP (`adrp x27`, `mov x27, #...`, `ldr x27, ...` and
what uses x27 after it: the expansion
of one instruction of Go's assembly, which cmd/internal/obj/arm64 marks restartable, so that
Go's asynchronous preemption resumes at its start and runs its first instruction twice): there
the entry site is the first instruction past such sequences, when none of them branches and no
branch leads into them (objdump cannot tell which are marked; on Go 1.26 builds tests/go/inltree
reads the marks, and a site moves only where they are). Where the sequence cannot be passed (it overwrites an argument) and
no call site can stand in, the probe stays, and the tools say that a call preempted there is seen
twice.
make check-arm64 runs the tools on an arm64 kernel under QEMU.
"""

import bisect
import json
import os
import re
import subprocess

import pytest

from conftest import BUILD_DIR, TOOLCHAINS, build_env, build_program, helper, run_tool

OBJDUMP = "aarch64-linux-gnu-objdump"
LINE = re.compile(r"^ +([0-9a-f]+):\t(\S+)\t?(.*)$", re.M)
PROLOGUE = 12  # instructions: the stack check is within the first few
CONDITIONS = {f"b.{c}": n for n, names in enumerate(
    ["eq", "ne", "cs hs", "cc lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le",
     "al", "nv"]) for c in names.split()}
SIMULATED = {"b", "bl", "cbz", "cbnz", "tbz", "tbnz", "br", "blr", "ret", "adr", "adrp"}
DEBIAN_CADDY = os.path.join(BUILD_DIR, "debian-arm64", "usr", "bin", "caddy")


def cross_go_command(name):
    """Go's own go command of toolchain name, built by that toolchain for arm64 (cached)."""
    go = TOOLCHAINS[name][1]
    out = os.path.join(BUILD_DIR, "arm64-go", f"go-{TOOLCHAINS[name][0]}")
    if os.path.exists(out):
        return out
    if not os.access(go, os.X_OK):
        pytest.fail(f"{go} is not installed: run sudo scripts/setup.sh --tests", pytrace=False)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    env = build_env("0", go, "arm64")
    # GOROOT's commands build from their vendor directory; no go.env of the machine's
    env.update(GOFLAGS="", GOENV="off")
    goroot = os.path.dirname(os.path.dirname(go))
    result = subprocess.run([go, "build", "-o", out + ".tmp", "."], cwd=os.path.join(goroot, "src", "cmd", "go"),
                            env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"cannot build {name}'s go command for arm64: {result.stderr}"
    os.replace(out + ".tmp", out)
    return out


def objdump(binary):
    """(addresses, mnemonics, operands) of every instruction in objdump's reading, operands
    without comments and <symbols>, a direct branch's as its target's address."""
    result = subprocess.run([OBJDUMP, "-d", "-z", "--no-show-raw-insn", "-w", binary],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{OBJDUMP} -d {binary}: {result.stderr}"
    rows = []
    for a, m, o in LINE.findall(result.stdout):
        o = o.split("//")[0].split(" <")[0].strip()
        rows.append((int(a, 16), m, o))
    rows.sort()
    assert len(rows) > 10000, f"{OBJDUMP} -d {binary} decoded only {len(rows)} instructions"
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def target(mnemonic, operand):
    """A direct branch's target (its last operand), or None."""
    if mnemonic not in ("b", "bl", "cbz", "cbnz", "tbz", "tbnz") and mnemonic not in CONDITIONS:
        return None
    m = re.fullmatch(r"(?:0x)?([0-9a-f]+)", operand.rsplit(", ", 1)[-1])
    return int(m.group(1), 16) if m else None


def is_control(mnemonic):
    return mnemonic in ("b", "bl", "br", "blr", "ret", "cbz", "cbnz", "tbz", "tbnz") or \
        mnemonic in CONDITIONS


def simulated(mnemonic, operand):
    """Does the kernel simulate the instruction (arch/arm64/kernel/probes/decode-insn.c)? The
    branches, ADR/ADRP and loads of a literal (`ldr x0, 1234`)."""
    return mnemonic in SIMULATED or mnemonic in CONDITIONS or \
        (mnemonic in ("ldr", "ldrsw") and re.fullmatch(r"[xw]\d+, (?:0x)?[0-9a-f]+", operand) is not None)


def writes_sp(mnemonic, operand):
    return operand.startswith("sp,") or (operand.endswith("]!") and "[sp" in operand) or \
        re.search(r"\[sp\], #", operand) is not None


def is_morestack(addrs, mnems, ops, t, funcs, stub_ok=True):
    """Is t runtime.morestack (or its _noctxt or C variant), by the function table's names, or
    an ABI wrapper the table does not list (runtime.morestackc.abi0) that branches there?"""
    if t in funcs:
        return funcs[t][0].startswith("runtime.morestack")
    k = bisect.bisect_left(addrs, t)
    return stub_ok and k < len(addrs) and addrs[k] == t and mnems[k] == "b" and \
        is_morestack(addrs, mnems, ops, target(mnems[k], ops[k]), funcs, False)


def morestack_back(addrs, mnems, ops, at, funcs):
    """Where the block at at branches back to after calling runtime.morestack; None when it is
    no such block."""
    k = bisect.bisect_left(addrs, at)
    called = False
    for j in range(k, min(k + 64, len(addrs))):
        if not is_control(mnems[j]) and not writes_sp(mnems[j], ops[j]):
            continue  # a spill, MOV x3, x30, a reload
        t = target(mnems[j], ops[j])
        if mnems[j] == "bl" and not called and is_morestack(addrs, mnems, ops, t, funcs):
            called = True
            continue
        return t if called and mnems[j] == "b" else None
    return None


def entry_site(addrs, mnems, ops, i, end, funcs):
    """The entry site in objdump's reading (the module's docstring), from the instruction at
    index i (the entry): (address, the branch's mnemonic when the site is the stack check's
    own branch, else None)."""
    guards, morestack, site, jump, compared = set(), None, addrs[i], None, False
    for k in range(i, min(i + PROLOGUE, len(addrs) - 1)):
        if addrs[k] >= end:
            break
        m, o = mnems[k], ops[k]
        t = target(m, o)
        if m in CONDITIONS and t is not None and addrs[k] < t < end and \
                (compared or (morestack is not None and t == morestack)):
            morestack, site, jump = t, addrs[k] + 4, k
        regs = re.findall(r"\b[xw]\d+\b", o)
        compared = morestack is None and m == "cmp" and any(r in guards for r in regs)
        g = re.fullmatch(r"(x\d+), \[x28, #(?:16|24)\]", o)
        if m == "ldr" and g:
            guards.add(g.group(1))
        if is_control(m) and m not in CONDITIONS:
            break
    if jump is None or simulated(mnems[jump + 1], ops[jump + 1]) or \
            morestack_back(addrs, mnems, ops, morestack, funcs) != addrs[i]:
        return site, None
    return addrs[jump], mnems[jump]


def past_regtmp(addrs, mnems, ops, i, end, site):
    """The entry site past the sequences through REGTMP (x27) that begin the function at index
    i (the module's docstring); site when there are none, or they branch or are branched into."""
    if site != addrs[i] or not re.match(r"[xw]27,", ops[i]):  # it begins by loading REGTMP
        return site
    k = i
    while k < len(addrs) and addrs[k] < end and re.search(r"\b[xw]27\b", ops[k]):
        if is_control(mnems[k]):
            return site
        k += 1
    if k == len(addrs) or addrs[k] >= end:
        return site
    j = bisect.bisect_left(addrs, end)
    if any(addrs[i] < (target(mnems[m], ops[m]) or 0) <= addrs[k] for m in range(i, j)):
        return site
    return addrs[k]


def restarting_entries(binary, funcs):
    """The entries of funcs where Go's asynchronous preemption may resume a goroutine, by
    tests/go/inltree's reading of the pclntab (runtime/preempt.go's rule; Go 1.26 builds)."""
    query = "".join(f"{entry:#x}\n" for entry in funcs)
    answer = subprocess.run([build_program("go126", "inltree"), binary], input=query,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(answer) == len(funcs)
    return {int(line.split("\t")[0], 16) for line in answer if line.split("\t")[3] == "yes"}


def site_lines(binary):
    result = subprocess.run([helper("gofuncs"), "-s", binary], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"gofuncs -s {binary}: {result.stderr}"
    return [line for line in result.stdout.splitlines() if not line.startswith("#")]


SITE_LINE = re.compile(r"^0x([0-9a-f]+) (\S+) (.*) end=0x([0-9a-f]+)(?: split=0x[0-9a-f]+)?"
                       r"(?: entry=0x([0-9a-f]+)(?: jcc=(\d+))? rets=(\S*)| skipped=(.*))$")

# name -> (how to get the binary, the ABI of its Go functions: gc's register ABI came to
# arm64 in Go 1.18)
WHOLE = {
    "go126-go": (lambda built: cross_go_command("go126"), "internal"),
    "go119-go": (lambda built: cross_go_command("go119"), "internal"),
    "go118-go": (lambda built: cross_go_command("go118"), "internal"),
    "go117-go": (lambda built: cross_go_command("go117"), "abi0"),
    "go116-go": (lambda built: cross_go_command("go116"), "abi0"),
    "go126-pie": (lambda built: built.path("go126-arm64-pie", "workload"), "internal"),
    "debian-caddy": (lambda built: DEBIAN_CADDY, "internal"),
}


@pytest.mark.unprivileged
@pytest.mark.parametrize("which", list(WHOLE))
def test_every_entry_and_ret_site_matches_objdump(built, which):
    """For every function of a whole arm64 binary: the entry site libgo plans, and its
    condition, are objdump's reading's (the stack check's `b.ls`, or the entry); its RET sites
    are exactly the `ret`s in its range; every function past a stack check is entered at an
    instruction the kernel simulates; the function table's ABI is the release's (Go 1.16 and
    1.17 on arm64: ABI0 only). No function is skipped: every arm64 instruction decodes."""
    get, abi = WHOLE[which]
    binary = get(built)
    if which == "debian-caddy" and not os.path.exists(binary):
        pytest.fail(f"{binary} is not there: run sudo scripts/setup.sh --tests", pytrace=False)
    addrs, mnems, ops = objdump(binary)
    lines = [SITE_LINE.match(line) for line in site_lines(binary)]
    assert all(lines), f"gofuncs -s {binary}: malformed line {lines.index(None)}"
    funcs = {int(m.group(1), 16): (m.group(3), int(m.group(4), 16)) for m in lines}
    restarting = restarting_entries(binary, funcs) if which.startswith("go126") else None
    bad, checked, past_check, moved, abis = [], 0, 0, 0, {}
    for m in lines:
        entry, fabi, name, end = int(m.group(1), 16), m.group(2), m.group(3), int(m.group(4), 16)
        assert m.group(8) is None, f"{name} skipped: {m.group(8)}"
        checked += 1
        if name.startswith("main.") or "/" in name.split(".")[0]:
            abis[fabi] = abis.get(fabi, 0) + 1
        i = bisect.bisect_left(addrs, entry)
        if i == len(addrs) or addrs[i] != entry:
            bad.append(f"{name}: objdump has no instruction at its entry {entry:#x}")
            continue
        site, jcc = int(m.group(5), 16), m.group(6) and int(m.group(6))
        want, jump = entry_site(addrs, mnems, ops, i, end, funcs)
        past_check += want != entry
        # past REGTMP sequences where Go marks them restartable (pcdata objdump does not show:
        # functions Go never preempts asynchronously have none; Go 1.26's, tests/go/inltree
        # reads), else at the entry
        past = past_regtmp(addrs, mnems, ops, i, end, want)
        moved += past != want and site == past
        if past != want and site in (want, past) and (restarting is None or entry in restarting):
            want = site
        if site != want or jcc != (jump and CONDITIONS[jump]):
            bad.append(f"{name}: entry site {site:#x} (+{site - entry:#x}, condition {jcc}), "
                       f"objdump's reading says {want:#x} (+{want - entry:#x}, {jump or 'past the check'})")
        k = bisect.bisect_left(addrs, site)
        if jump and not simulated(mnems[k], ops[k]):
            bad.append(f"{name}: entered at +{site - entry:#x} {mnems[k]} {ops[k]}, which the "
                       f"kernel single-steps")
        rets = {int(r, 16) for r in m.group(7).split(",") if r}
        j = bisect.bisect_left(addrs, end)
        theirs = {addrs[k] for k in range(i, j) if mnems[k] == "ret"}
        if rets != theirs:
            bad.append(f"{name}: RET sites {sorted(map(hex, rets))}, objdump's in "
                       f"[{entry:#x}, {end:#x}): {sorted(map(hex, theirs))}")
    assert not bad, (f"{len(bad)} of {checked} functions of {binary} differ from objdump's "
                     f"reading:\n  " + "\n  ".join(bad[:30]))
    assert checked > 1000 and past_check > checked // 2, (checked, past_check)
    if abi == "internal" and which != "debian-caddy":  # Go 1.18+: leaf functions reading globals
        assert moved > 0, "no entry site moved past a restartable sequence: the test tests nothing"
    # the Go code's ABI (its packages' functions: the runtime has assembly of either ABI)
    assert max(abis, key=abis.get) == abi, abis
    if abi == "abi0":
        assert set(abis) == {"abi0"}, abis


@pytest.mark.unprivileged
def test_restarting_entries_said(built):
    """Over Go 1.26's whole go command for arm64 probed at entry sites only (no call sites):
    no inlined call's site is where Go's preemption may run it again; the --dry-run -j
    listing marks exactly the entry sites where Go's asynchronous preemption
    may resume a goroutine, running the instruction again, as an independent reading of the
    pclntab by the runtime's rule says (tests/go/inltree, from runtime/preempt.go), and counts
    them; io.eofReader.Read (`return 0, EOF` loads EOF into its argument registers, and it is
    called through io.Reader) is probed there even with call sites, and the text listing
    names it under "Seen twice"."""
    binary = cross_go_command("go126")
    result = run_tool("gofunccount", "--dry-run", "-j", f"{binary}:*", timeout=300,
                      env={"GOTOOLS_NO_CALL_SITES": "1"})
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    sites = [r for r in records if r.get("kind", "").startswith("entry")]
    query = "".join(s["addr"] + "\n" for s in sites)
    answer = subprocess.run([build_program("go126", "inltree"), binary], input=query,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(answer) == len(sites) > 10000
    want = {s["addr"] for s, line in zip(sites, answer) if line.split("\t")[3] == "yes"}
    got = {s["addr"] for s in sites if s["restarts"]}
    assert got == want, (sorted(got - want), sorted(want - got))
    assert records[-1]["restarts"] == len(got) > 0, records[-1]
    # an inlined call's site, or a method's in its pointer's wrapper, has a choice of
    # instruction: never one Go may run again (Go 1.26.8's go command had 1,600 such)
    inlined = [r for r in records if r.get("kind", "").startswith(("inline", "wrapper"))]
    answer = subprocess.run([build_program("go126", "inltree"), binary],
                            input="".join(s["addr"] + "\n" for s in inlined),
                            capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(answer) == len(inlined) > 10000
    again = [s for s, line in zip(inlined, answer) if line.split("\t")[3] == "yes"]
    assert not again and not any(s["restarts"] for s in inlined), again[:5]

    out = run_tool("gofunccount", "--dry-run", f"{binary}:io.eofReader.Read")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    rows = [i for i, line in enumerate(lines) if line.endswith(" io.eofReader.Read")]
    assert len(rows) == 2, out.stdout
    addr, kind = lines[rows[0]].split()[0], lines[rows[0]].split()[2]
    assert kind == "entry" and lines[rows[1]] == f"  {addr} io.eofReader.Read", out.stdout
    assert lines[rows[1] - 1] == ("Seen twice: a call preempted at this entry site, where Go "
                                  "restarts the code after preemption:"), out.stdout
