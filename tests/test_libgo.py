"""Tests of libgo's function table, through the helper tests/helpers/gofuncs (built by make):

    gofuncs BINARY   ->   one line per function: 0x<entry-hex> <abi> <name>
                          (lines starting with # are comments)

abi is internal (Go's register ABI), abi0 (Go's stack ABI: assembly) or sysv (gccgo, C).
The truth is `go tool nm` of the same toolchain.
"""

import bisect
import os
import re
import subprocess

import pytest

from conftest import (
    GO119,
    GO126,
    SWITCHED,
    TOOLCHAINS,
    elf_load_segments,
    go_command,
    go_nm,
    helper,
    text_symbols,
    unstripped,
)

# libgo's binary readers, through a helper: no BPF, so no root needed.
pytestmark = pytest.mark.unprivileged

LINE = re.compile(r"^0x([0-9a-f]+) (internal|abi0|sysv) (\S.*)$")
NM_VARIANTS = ["go126", "go126-stripped", "go126-pie", "go126-cgo",
               "go119", "go119-stripped", "go119-pie", "go119-cgo"] + list(SWITCHED)


def gofuncs(binary):
    """{name: [(entry, abi), ...]} as listed by the gofuncs helper."""
    path = helper("gofuncs")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} does not exist or is not executable (run make)", pytrace=False)
    result = subprocess.run([path, binary], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"gofuncs {binary}: exit status {result.returncode}\n{result.stderr}"
    functions = {}
    for line in result.stdout.splitlines():
        if line.startswith("#"):  # a comment, e.g. "# version=go1.26.8 goid_offset=152"
            continue
        m = LINE.match(line)
        assert m, f"gofuncs {binary}: malformed line {line!r}"
        functions.setdefault(m.group(3), []).append((int(m.group(1), 16), m.group(2)))
    assert functions, f"gofuncs {binary} listed no functions"
    return functions


def go_name(nm_name):
    """The Go name of an ELF symbol: the linker appends .abi0 to assembly functions' symbols."""
    return nm_name[: -len(".abi0")] if nm_name.endswith(".abi0") else nm_name


def short_generic_name(nm_name):
    """Go 1.19's pclntab names a generic instantiation with its type arguments elided,
    main.Map[...], where the symbol table says main.Map[go.shape.int_0]."""
    return re.sub(r"\[.*\]", "[...]", nm_name, count=1)


def code_layout(binary):
    """Addresses and sizes of the executable segments: equal for two builds whose code is laid
    out alike (as for a build and its -s -w twin)."""
    return [(vaddr, size) for vaddr, _offset, size, executable in elf_load_segments(binary) if executable]


def the_one(functions, name, binary):
    entries = functions.get(name, [])
    assert len(entries) == 1, f"gofuncs {binary}: expected one {name}, found {entries}"
    return entries[0]


@pytest.mark.parametrize("variant", NM_VARIANTS)
def test_main_functions_match_nm(built, variant):
    """Every main.* text symbol `go tool nm` reports is listed at the same entry address. A
    stripped binary has no symbols: its unstripped twin's are the truth, by address if the code
    is laid out alike, else by name."""
    binary = built.path(variant)
    reference = built.path(unstripped(variant))
    expected = {go_name(name): addr for name, addr in text_symbols(go_command(variant), reference, "main.").items()}
    assert "main.add" in expected, f"go tool nm {reference} has no main.add: {sorted(expected)}"
    functions = gofuncs(binary)
    compare_addresses = binary == reference or code_layout(binary) == code_layout(reference)

    problems = []
    for name, addr in sorted(expected.items()):
        entries = functions.get(name) or functions.get(short_generic_name(name), [])
        if not entries:
            problems.append(f"{name} (nm: {addr:#x}) not listed")
        elif compare_addresses and addr not in [entry for entry, _abi in entries]:
            problems.append(f"{name}: listed at {[hex(e) for e, _ in entries]}, nm says {addr:#x}")
    assert not problems, f"gofuncs {binary} vs go tool nm {reference}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go126-pie",
                                     "go119", "go119-stripped", "go119-pie"])
def test_abi(built, variant):
    """Go functions have the internal (register) ABI; an assembly function has ABI0, also in a
    stripped binary (where only the pclntab says so)."""
    binary = built.path(variant)
    functions = gofuncs(binary)
    assert the_one(functions, "main.add", binary)[1] == "internal"
    assert the_one(functions, "main.asmAdd", binary)[1] == "abi0"


def test_abi_cgo(built):
    binary = built.path("go126-cgo")
    assert the_one(gofuncs(binary), "main.add", binary)[1] == "internal"


def test_gccgo(built):
    """gccgo compiles Go with the C calling convention: main.add is sysv, at nm's address."""
    binary = built.path("gccgo")
    entry, abi = the_one(gofuncs(binary), "main.add", binary)
    assert abi == "sysv"
    nm = text_symbols(go_command("gccgo"), binary, "main.")
    assert entry == nm["main.add"], f"main.add listed at {entry:#x}, nm says {nm['main.add']:#x}"


def goid_offset(binary):
    """The goroutine id offset gofuncs reports: from DWARF, or from libgo's table without it."""
    result = subprocess.run([helper("gofuncs"), binary], capture_output=True, text=True, timeout=60)
    m = re.search(r"^# version=(\S+) goid_offset=(-?\d+)$", result.stdout, re.M)
    assert m, result.stdout[:200]
    return m.group(1), int(m.group(2))


@pytest.mark.parametrize("variant", ["go126", "go119"] + list(SWITCHED))
def test_goid_offset_table(tmp_path, built, variant):
    """libgo's table of runtime.g's goid offset, used for stripped binaries, agrees with each
    release's own DWARF."""
    plain = built.path(variant)
    version, from_dwarf = goid_offset(plain)
    assert from_dwarf in (152, 160), (version, from_dwarf)
    stripped = tmp_path / "stripped"
    subprocess.run(["objcopy", "--strip-all", plain, str(stripped)], check=True)
    assert goid_offset(str(stripped)) == (version, from_dwarf)


def m_layout(binary):
    """runtime.m's layout gofuncs reports (g.m, m.g0, m.gsignal, m.curg): from DWARF, or from
    libgo's table without it; None when unknown."""
    result = subprocess.run([helper("gofuncs"), binary], capture_output=True, text=True, timeout=60)
    m = re.search(r"^# m_layout=(\d+),(\d+),(\d+),(\d+)$", result.stdout, re.M)
    return tuple(int(x) for x in m.groups()) if m else None


@pytest.mark.parametrize("variant", ["go116", "go116-pie"])
def test_m_layout_table(tmp_path, built, variant):
    """libgo's table of runtime.m's layout (how gofunclatency finds the goroutine a Go 1.16
    thread runs), used for stripped binaries, agrees with the release's own DWARF."""
    plain = built.path(variant, "tracee")
    from_dwarf = m_layout(plain)
    assert from_dwarf and from_dwarf[0] == 48, from_dwarf
    stripped = tmp_path / "stripped"
    subprocess.run(["objcopy", "--strip-all", plain, str(stripped)], check=True)
    assert m_layout(str(stripped)) == from_dwarf


def normalized(name):
    """A function's name as both tables can agree on it: the linker's .abi0 suffix dropped, the
    middle dot of compiler-made names as a dot (the pclntab writes `type:.eq.T·7`, the symbol
    table `type:.eq.T.7`), type arguments elided (Go 1.19's pclntab writes `F[...]`)."""
    return short_generic_name(go_name(name).replace("\u00b7", "."))


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go126-pie", "go119", "go119-stripped",
                                     "go119-pie"] + list(SWITCHED))
def test_every_function_matches_nm(built, variant):
    """Every function of libgo's table is a text symbol of `go tool nm` at the same address with
    the same name, and every text symbol is in the table, but for the text's start and end
    markers and the ABI wrappers libgo drops (each named like a function it does list)."""
    binary = built.path(variant)
    reference = built.path(unstripped(variant))
    nm = {}
    for addr, kind, name in go_nm(go_command(variant), reference):
        if kind in ("T", "t"):
            nm.setdefault(addr, set()).add(normalized(name))
    ours = {}
    for name, entries in gofuncs(binary).items():
        for entry, abi in entries:
            ours[entry] = normalized(name)
    wrong = [(hex(a), n, sorted(nm.get(a, []))) for a, n in ours.items() if n not in nm.get(a, ())]
    assert not wrong, f"gofuncs {binary}: names or addresses that nm does not have: {wrong[:10]}"
    listed = set(ours.values())
    missing = [(hex(a), sorted(names)) for a, names in nm.items()
               if a not in ours and not names & {"runtime.text", "runtime.etext"} and not names & listed]
    assert not missing, f"gofuncs {binary}: nm's functions missing from the table: {missing[:10]}"
    assert len(ours) > 1000


# ---------------------------------------------------------------------------------------------
# Probe sites are instructions: a breakpoint in the middle of one would corrupt the program


def gnu_objdump(binary):
    """{address: (mnemonic, first operand)} of every instruction GNU objdump decodes in the
    binary's code (a linear sweep of each executable section, as it does without symbols too)."""
    result = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-w", binary],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"objdump -d {binary}: {result.stderr}"
    insns = {}
    for line in result.stdout.splitlines():
        m = re.match(r"^\s+([0-9a-f]+):\s+(\S+)\s*(\S*)", line)
        if m:
            insns[int(m.group(1), 16)] = (m.group(2), m.group(3))
    assert len(insns) > 100000, f"objdump -d {binary} decoded only {len(insns)} instructions"
    return insns


def site_lines(binary, flag):
    path = helper("gofuncs")
    result = subprocess.run([path, flag, binary], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"gofuncs {flag} {binary}: {result.stderr}"
    return [line for line in result.stdout.splitlines() if not line.startswith("#")]


@pytest.mark.parametrize("variant, program", [
    (v, p) for v in ["go126", "go126-pie", "go126-cgo", "go119", "go119-pie"]
    for p in ["main", "entries"] if not (p == "entries" and v.endswith("-cgo"))])
def test_probe_sites_are_instructions(built, variant, program):
    """Every entry site and RET site libgo gives for every function of a binary, and every CALL
    or JMP it would probe instead of a function's entry, begins an instruction in GNU objdump's
    decoding: a RET at RET sites, and a call or jump to the function at call sites. The entries
    program has an AVX-512 instruction that capstone 4 cannot decode before one of its CALLs;
    Go 1.26's runtime has more (expandAVX512_*), where RETs must not be guessed."""
    binary = built.path(variant, None if program == "main" else program)
    insns = gnu_objdump(binary)
    bad = []
    for line in site_lines(binary, "-s"):
        m = re.search(r" entry=0x([0-9a-f]+) rets=(\S*)$", line)
        if not m:
            continue  # no sites: a function libgo refuses to probe
        if int(m.group(1), 16) not in insns:
            bad.append(f"entry site of {line}")
        for r in filter(None, m.group(2).split(",")):
            if insns.get(int(r, 16), ("",))[0] not in ("ret", "retq"):
                bad.append(f"RET site {r} of {line}: {insns.get(int(r, 16))}")
    calls = site_lines(binary, "-c")
    for line in calls:
        m = re.match(r"^0x([0-9a-f]+) (.+) calls=(\S+)$", line)
        assert m, line
        entry = int(m.group(1), 16)
        for c in m.group(3).split(","):
            mnemonic, operand = insns.get(int(c, 16), ("", ""))
            if mnemonic not in ("call", "jmp") or operand != f"{entry:x}":
                bad.append(f"call site {c} of {m.group(2)}: {mnemonic} {operand}")
    assert not bad, f"{len(bad)} probe sites are not the instructions they should be: {bad[:10]}"
    assert len(calls) > 50, f"gofuncs -c {binary}: only {len(calls)} functions have call sites"


# ---------------------------------------------------------------------------------------------
# Entry and RET sites of every function of large real binaries, against GNU objdump

WHOLE_BINARIES = {
    "go126-go": GO126,
    "go126-gofmt": os.path.join(os.path.dirname(GO126), "gofmt"),
    "go119-go": GO119,
    "go119-gofmt": os.path.join(os.path.dirname(GO119), "gofmt"),
    # the go command of each release whose prologue has no PUSH after the stack check, built
    # by that release (as scripts/setup.sh --tests fetched it: conftest.TOOLCHAINS)
    "go116-go": TOOLCHAINS["go116"][1],
    "go117-go": TOOLCHAINS["go117"][1],
    "go118-go": TOOLCHAINS["go118"][1],
    "go120-go": TOOLCHAINS["go120"][1],
    "go126-cgo": ("go126-cgo", None),
    "go126-pie": ("go126-pie", None),
    "go119-pie": ("go119-pie", None),
    # before the register ABI every function reads g from thread-local storage
    "go116": ("go116", "tracee"),
    "go117-extld": ("go117-extld", "entries"),
    # pointers are zeros in the file, filled by the loader's relocations
    "go126-lld-pie": ("go126-lld-pie", None),
}
OBJDUMP_LINE = re.compile(r"^ +([0-9a-f]+):\t(\S+) *(.*)$", re.M)
PROLOGUE = 12  # instructions: the stack check is within the first few
UNKNOWN_TO_CAPSTONE = re.compile(r"%zmm|%k[0-7]\b|^vbroadcasti128 |^\(bad\)")
# x86 condition codes (the low four bits of a Jcc's opcode) by GNU objdump's mnemonics
JCC_CODES = {m: cc for cc, names in enumerate([
    "jo", "jno", "jb jc jnae", "jae jnb jnc", "je jz", "jne jnz", "jbe jna", "ja jnbe", "js", "jns",
    "jp jpe", "jnp jpo", "jl jnge", "jge jnl", "jle jng", "jg jnle"]) for m in names.split()}


def objdump_code(binary):
    """(addresses, mnemonics, operands) of every instruction GNU objdump decodes in binary, in
    address order (AT&T syntax: `cmp 0x10(%r14),%rsp`)."""
    result = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-w", binary],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"objdump -d {binary}: {result.stderr}"
    rows = sorted((int(a, 16), m, o) for a, m, o in OBJDUMP_LINE.findall(result.stdout))
    assert len(rows) > 10000, f"objdump -d {binary} decoded only {len(rows)} instructions"
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def whole_binary(built, spec):
    """The path of a WHOLE_BINARIES entry: a file, or a test program's build."""
    if isinstance(spec, str):
        return spec
    return built.path(*spec)


def objdump_control(mnems, k, n):
    """The index of the first call, jump or return from index k on (at most n), or None."""
    for j in range(k, min(k + n, len(mnems))):
        if mnems[j].startswith(("call", "jmp", "ret")) or mnems[j] in JCC_CODES:
            return j
    return None


def objdump_morestack(addrs, mnems, ops, target, funcs):
    """Does the block at target, in objdump's reading, call runtime.morestack (its _noctxt or
    C variant: by the names of the function table, or through a stub that no table lists and
    that jumps there) and then jump back to entry? Returns the entry it jumps back to."""
    def morestack(t, stub_ok):
        if t in funcs:
            return funcs[t][0].startswith("runtime.morestack")
        k = bisect.bisect_left(addrs, t)
        j = objdump_control(mnems, k, 4) if stub_ok and k < len(addrs) and addrs[k] == t else None
        return j is not None and mnems[j].startswith("jmp") and \
            morestack(direct_target(mnems[j], ops[j]), False)
    k = bisect.bisect_left(addrs, target)
    j = objdump_control(mnems, k, 64)
    if j is None or not mnems[j].startswith("call") or \
            not morestack(direct_target(mnems[j], ops[j]), True):
        return None
    j = objdump_control(mnems, j + 1, 64)
    return direct_target(mnems[j], ops[j]) if j is not None and mnems[j].startswith("jmp") else None


def objdump_entry_site(addrs, mnems, ops, i, end, abi, funcs):
    """The entry site as objdump's decoding shows it, from the instruction at index i (the
    entry), and the mnemonic of the jump it is when it is the stack check's own (else None).
    Past the stack check: the instruction right after the conditional jump that follows the
    compare of SP (or SP minus the frame) with g's stack guard, 16 or 24 bytes into g, or of a
    register loaded from the guard (Go < 1.17's huge frames, which then jump to the same
    morestack block once more: past that jump); g is R14 in a register-ABI function, or a
    register loaded from thread-local storage (%fs:...). Where the kernel does not emulate
    that instruction (Go < 1.21: SUB RSP) and the jump goes to a block that calls
    runtime.morestack and jumps back to the entry, the jump itself. The entry when there is no
    such check before the first call, jump or return."""
    g, guard, site, morestack = {"%r14"} if abi == "internal" else set(), set(), addrs[i], None
    jump = None
    for k in range(i, min(i + PROLOGUE, len(addrs) - 2)):
        if addrs[k] >= end:
            break
        m, o = mnems[k], ops[k]
        if morestack is None and m.startswith("cmp"):
            mem = re.search(r"(?<![\w:])0x1[08]\((%\w+)\)", o)
            reg = o.rsplit(",", 1)[-1]
            nxt = mnems[k + 1]
            if ((mem and mem.group(1) in g) or reg in guard) and nxt.startswith("j") and nxt != "jmp":
                morestack, site, jump = ops[k + 1].split()[0], addrs[k + 2], k + 1
        elif morestack is not None and m.startswith("j") and m != "jmp" and o.split()[0] == morestack:
            site, jump = addrs[k + 1], k
        if m == "mov" and "%fs:" in o:
            g.add(o.rsplit(",", 1)[1])
        elif m == "mov" and re.match(r"0x10\((%\w+)\),", o) and o[5:o.index(")")] in g:
            guard.add(o.rsplit(",", 1)[1])
        if m.startswith(("call", "jmp", "ret")):
            break
    if jump is None or kernel_emulates(mnems[jump + 1], ops[jump + 1]) or \
            objdump_morestack(addrs, mnems, ops, int(morestack, 16), funcs) != addrs[i]:
        return site, None
    return addrs[jump], mnems[jump]


@pytest.mark.parametrize("which", list(WHOLE_BINARIES))
def test_every_entry_and_ret_site_matches_objdump(built, which):
    """For every function libgo lists in a large real binary (Go's own go and gofmt commands of
    Go 1.26 and 1.19, the go command of Go 1.16, 1.17, 1.18 and 1.20, a cgo program, PIE
    builds), the entry site libgo plans is the one GNU objdump's decoding shows (right after
    the stack check's own conditional jump, or that jump itself with its condition where the
    kernel would single-step the instruction after it; the entry when there is no check), and
    every function with a stack check is entered at an instruction the kernel emulates; the RET
    sites are exactly the RETs objdump shows inside the function's own range. A function libgo
    will not probe (skipped=...) must be one it cannot decode fully: those are counted, listed
    on failure, and must stay few."""
    binary = whole_binary(built, WHOLE_BINARIES[which])
    if not os.path.exists(binary):
        pytest.skip(f"{binary} is not installed")
    addrs, mnems, ops = objdump_code(binary)
    bad, skipped, checked, past_check, at_jump, stepped = [], [], 0, 0, 0, []
    line_re = re.compile(r"^0x([0-9a-f]+) (\S+) (.*) end=0x([0-9a-f]+)(?: split=0x[0-9a-f]+)?"
                         r"(?: entry=0x([0-9a-f]+)(?: jcc=(\d+))? rets=(\S*)| skipped=(.*))$")
    lines = [line_re.match(line) for line in site_lines(binary, "-s")]
    assert all(lines), f"gofuncs -s {binary}: malformed line {lines.index(None)}"
    funcs = {int(m.group(1), 16): (m.group(3), int(m.group(4), 16)) for m in lines}
    for m in lines:
        entry, abi, name, end = int(m.group(1), 16), m.group(2), m.group(3), int(m.group(4), 16)
        if m.group(8) is not None:
            skipped.append((name, m.group(8), entry, end))
            continue
        checked += 1
        i = bisect.bisect_left(addrs, entry)
        if i == len(addrs) or addrs[i] != entry:
            bad.append(f"{name}: objdump has no instruction at its entry {entry:#x}")
            continue
        site, jcc = int(m.group(5), 16), m.group(6) and int(m.group(6))
        want, jump = objdump_entry_site(addrs, mnems, ops, i, end, abi, funcs)
        past_check += want != entry
        at_jump += jump is not None
        if site != want or jcc != (jump and JCC_CODES[jump]):
            bad.append(f"{name}: entry site {site:#x} (+{site - entry:#x}, jcc {jcc}), objdump's "
                       f"reading says {want:#x} (+{want - entry:#x}, {jump or 'past the check'})")
        k = bisect.bisect_left(addrs, site)
        if want != entry and not kernel_emulates(mnems[k], ops[k]):
            stepped.append(f"{name}: +{site - entry:#x} {mnems[k]} {ops[k]}")
        rets = {int(r, 16) for r in m.group(7).split(",") if r}
        j = bisect.bisect_left(addrs, end)
        theirs = {addrs[k] for k in range(i, j) if mnems[k] in ("ret", "retq")}
        if rets != theirs:
            bad.append(f"{name}: RET sites {sorted(map(hex, rets))}, objdump's RETs in "
                       f"[{entry:#x}, {end:#x}): {sorted(map(hex, theirs))}")
    assert not bad, (f"{len(bad)} of {checked} functions of {binary} differ from objdump's "
                     f"reading:\n  " + "\n  ".join(bad[:30]))
    assert checked > 1000 and past_check > checked // 2, (checked, past_check)
    assert not stepped, (f"{len(stepped)} of the {past_check} functions with a stack check are "
                         f"entered at an instruction the kernel single-steps:\n  " +
                         "\n  ".join(stepped[:30]))
    # Go < 1.21 has no PUSH after the check: nearly every such function is entered at its jump
    assert (at_jump > past_check * 0.9) == (which in OLD_PROLOGUE), (which, at_jump, past_check)
    # capstone 4 does not know AVX-512 (zmm and mask registers) or VBROADCASTI128, and some
    # assembly holds data in its code (objdump: "(bad)"); such functions get no probes at all
    # (never a guess). Each one skipped must hold such an instruction in objdump's reading.
    unexplained = []
    for name, reason, entry, end in skipped:
        i, j = bisect.bisect_left(addrs, entry), bisect.bisect_left(addrs, end)
        if not reason.startswith("cannot decode all of ") or not any(
                UNKNOWN_TO_CAPSTONE.search(mnems[k] + " " + ops[k]) for k in range(i, j)):
            unexplained.append(f"{name}: {reason}")
    assert not unexplained, f"functions skipped without an instruction to explain it: {unexplained}"
    assert len(skipped) <= max(40, checked // 100), (f"{len(skipped)} of {checked + len(skipped)} "
                                                     f"functions skipped: {skipped}")
    check_return_sites(binary, which, addrs, mnems, ops)


# the binaries built by Go < 1.21, whose prologue goes on from the stack check without a PUSH
OLD_PROLOGUE = {"go119-go", "go119-gofmt", "go116-go", "go117-go", "go118-go", "go120-go",
                "go119-pie", "go116", "go117-extld"}
EMULATED_JUMP = re.compile(r"^(j[a-z]+|call)$")


def direct_target(mnem, op):
    """The target of a direct call or jump in objdump's reading, or None."""
    if not EMULATED_JUMP.match(mnem) or op.startswith("*"):
        return None
    m = re.match(r"^(?:0x)?([0-9a-f]+)\b", op)
    return int(m.group(1), 16) if m else None


def kernel_emulates(mnem, op):
    """Whether x86 uprobes emulate the instruction (Linux's arch/x86/kernel/uprobes.c,
    branch_setup_xol_ops and push_setup_xol_ops): a direct CALL, JMP or Jcc, 0x90 (`nop`,
    `xchg %ax,%ax`), a PUSH of a 64-bit register."""
    if direct_target(mnem, op) is not None:
        return True
    if mnem == "nop" and not op or (mnem == "xchg" and op == "%ax,%ax"):
        return True
    return mnem == "push" and re.fullmatch(r"%r(?:[a-d]x|[sd]i|bp|sp|[89]|1[0-5])", op) is not None


def check_return_sites(binary, which, addrs, mnems, ops):
    """Each return site libgo plans (gofuncs -r: CALL:site pairs of each function entered by
    direct CALLs alone), read again in objdump's decoding of the whole binary: the CALL calls
    the function; the site is the first instruction after the CALL that the kernel emulates;
    nothing between them leaves (RET, indirect CALL or JMP, UD2) or writes RSP; no direct branch
    anywhere in the binary targets the return address or any instruction up to the site, but
    the caller's own unconditional JMPs that libgo lists as the function's guards; the
    caller has no indirect jump; the site is not a CALL of runtime.deferreturn (where a
    recovered panic resumes); after an assembly (ABI0) callee, R14 is loaded from TLS before the
    site."""
    targets = {}  # every direct branch's target: [(the branch's address, mnemonic)]
    for a, m, o in zip(addrs, mnems, ops):
        t = direct_target(m, o)
        if t is not None and not m.startswith("call"):
            targets.setdefault(t, []).append((a, m))
    funcs = {}
    for line in site_lines(binary, "-s"):
        m = re.match(r"^0x([0-9a-f]+) \S+ (.*) end=0x([0-9a-f]+)", line)
        funcs[int(m.group(1), 16)] = (m.group(2), int(m.group(3), 16))
    entries = sorted(funcs)
    bad, sites = [], 0
    for line in site_lines(binary, "-r"):
        m = re.match(r"^0x([0-9a-f]+) (.+) returns=(\S+)(?: guards=(\S+))?$", line)
        if not m:
            assert re.match(r"^0x[0-9a-f]+ .+ no-returns=.+$", line), line
            continue
        callee, name = int(m.group(1), 16), m.group(2)
        guards = {int(x, 16) for x in (m.group(4) or "").split(",") if x}
        for pair in m.group(3).split(","):
            call, site = (int(x, 16) for x in pair.split(":"))
            sites += 1
            i, j = bisect.bisect_left(addrs, call), bisect.bisect_left(addrs, site)
            what = f"{name}: CALL {call:#x}, site {site:#x}"
            if i == len(addrs) or addrs[i] != call or j == len(addrs) or addrs[j] != site or j <= i:
                bad.append(f"{what}: not instructions in objdump's reading")
                continue
            if not mnems[i].startswith("call") or direct_target(mnems[i], ops[i]) != callee:
                bad.append(f"{what}: objdump reads {mnems[i]} {ops[i]}")
            caller = entries[bisect.bisect_right(entries, call) - 1]
            cname, cend = funcs[caller]
            if site >= cend:
                bad.append(f"{what}: past the end of its caller {cname}")
            k0, k1 = bisect.bisect_left(addrs, caller), bisect.bisect_left(addrs, cend)
            if any(mnems[k].startswith("jmp") and ops[k].startswith("*") for k in range(k0, k1)):
                bad.append(f"{what}: its caller {cname} has an indirect jump")
            g = not ops[i].endswith(".abi0>")
            for k in range(i + 1, j + 1):
                for src, mn in targets.get(addrs[k], []):
                    if mn != "jmp" or src not in guards or not caller <= src < cend or call <= src <= site:
                        bad.append(f"{what}: {mn} at {src:#x} targets {addrs[k]:#x} in the stretch")
                if k == j:
                    break
                if kernel_emulates(mnems[k], ops[k]):
                    bad.append(f"{what}: {mnems[k]} {ops[k]} at {addrs[k]:#x} comes first")
                if (mnems[k].startswith(("ret", "jmp", "call", "ud2", "int3", "hlt", "push", "pop",
                                         "leave", "enter"))
                        or ops[k].endswith(("%rsp", "%esp", "%sp"))):
                    bad.append(f"{what}: {mnems[k]} {ops[k]} at {addrs[k]:#x} in the stretch")
                g |= mnems[k] == "mov" and ops[k].startswith("%fs:") and ops[k].endswith(",%r14")
            if not kernel_emulates(mnems[j], ops[j]):
                bad.append(f"{what}: the kernel does not emulate {mnems[j]} {ops[j]}")
            if "<runtime.deferreturn>" in ops[j]:
                bad.append(f"{what}: a CALL of runtime.deferreturn")
            if not g:
                bad.append(f"{what}: R14 is not g again before the site")
    assert not bad, f"{len(bad)} of {sites} return sites of {binary}:\n  " + "\n  ".join(bad[:30])
    if which not in ("go116", "go116-go"):  # Go 1.16 keeps g out of R14: no return sites
        assert sites > 20, f"gofuncs -r {binary}: only {sites} return sites"
