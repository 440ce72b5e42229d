"""--dry-run: every tool plans its probes as it would attach them, prints them and attaches none.

The listing is checked against independent readings of the same binary and of the kernel:
- GNU objdump's disassembly (every printed address begins an instruction; an entry site is the
  function's first instruction or the one past its stack check's jump, an entry-jcc that jump;
  a call or jmp site is a CALL or JMP whose target is the function; a ret is a RET; a return
  site follows a CALL of the function; a guard is a JMP within its function), the ELF program
  headers (each file offset), and the symbol table of the unstripped build (which function
  holds each site);
- what the tool attaches when run without --dry-run: the offsets the kernel lists for its
  uprobe_multi links (/proc/PID/fdinfo), and the breakpoints it writes into a traced process;
- strace: a dry run makes no bpf() or perf_event_open() call, and runs as nobody.
"""

import bisect
import json
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import (GO126, GoProgram, Tool, code_differences, elf_load_segments, go_nm, goarch,
                      note_sanitizer_report, private_copy, run_tool, text_symbols, tool, unstripped)

# case (its first word the tool) -> (program, the tool's patterns or probes and arguments): each
# kind of probe site the planner makes appears in some case; Go 1.19 enters at the stack check's
# jump (entry-jcc)
CASES = {
    "gofunccount": ("workload", ["main.*"]),
    "gofunccount-runtime": ("workload", ["runtime.*"]),  # JMPs (tail calls) into functions
    "gofunclatency": ("retsites", ["main.*"]),  # RETs, return sites, guards, return+call, goexit
    "gostack": ("workload", ["main.*"]),
    "goiface": ("iface", ["main.describe", "goarg1"]),  # goarg1: stripped binaries too
    "gotrace": ("workload", ["main.add", "main.fib", "r:main.fib", "r:main.asmAdd"]),  # save-g
}
VARIANTS = ["go119", "go119-stripped", "go119-pie", "go124", "go126", "go126-stripped", "go126-pie"]
# arm64 builds, planned on this host (and on arm64 hosts alike): Go 1.19 and 1.26
ARM64_LISTED = ["go119-arm64", "go119-arm64-pie", "go126-arm64", "go126-arm64-stripped",
                "go126-arm64-pie"]
KINDS = {"entry", "entry-jcc", "call", "jmp", "ret", "return", "guard", "save-g", "goexit", "thread",
         "return+call", "return+guard", "inline-mark", "inline-start", "wrapper"}


def tool_name(case):
    return case.split("-")[0]


def with_binary(binary, patterns):
    """The tool's arguments: each pattern (or probe) as BINARY:PATTERN; goiface's goargN as it is."""
    return [p if p.startswith("goarg") else
            re.sub(r"^(r:)?", lambda m: (m.group(1) or "") + binary + ":", p) for p in patterns]


def dry_run(name, binary, patterns, *args, json_out=True):
    """Run `name --dry-run [-j] ARGS BINARY:PATTERN...`; the completed process."""
    specs = with_binary(binary, patterns)
    result = run_tool(name, "--dry-run", *(["-j"] if json_out else []), *args, *specs, timeout=120)
    assert result.returncode == 0, f"{name} --dry-run: status {result.returncode}\n{result.stderr}"
    return result


def listings(stdout):
    """[(header, [site, ...], summary)] of -j output: one listing per target (gotrace: per probe)."""
    out = []
    for line in stdout.splitlines():
        record = json.loads(line)
        if "binary" in record:
            out.append((record, [], None))
        elif "addr" in record:
            out[-1][1].append(record)
        else:
            assert "probes" in record, line
            out[-1] = (out[-1][0], out[-1][1], record)
    assert out and all(summary for _, _, summary in out), stdout
    return out


def sites_of(stdout):
    return [site for _, sites, _ in listings(stdout) for site in sites]


# ---------------------------------------------------------------------------------------------
# The disassembly


OBJDUMP_INSN = re.compile(r"^ +([0-9a-f]+):\t(\S+) *(.*)$")
OBJDUMP_FUNC = re.compile(r"^([0-9a-f]+) <(.+)>:$")


class X86:
    """How GNU objdump writes x86-64 code, and what the kernel's x86 uprobes emulate."""
    objdump = "objdump"
    call, jmp, rets, nops = "call", "jmp", ("ret", "retq"), ("nop", "xchg")

    @staticmethod
    def operand(mnemonic, text):
        """A branch's target as "4010ca" (objdump writes "0x4010ca" where no symbol names it)."""
        return re.sub(r"^0x(?=[0-9a-f]+$)", "", text.split(" <")[0].split("#")[0].strip())

    @staticmethod
    def is_jcc(mnemonic):
        return mnemonic.startswith("j") and mnemonic != "jmp"

    @staticmethod
    def past_restartable(dis, start):
        return None

    @classmethod
    def emulated(cls, insn):
        """A direct CALL, JMP or Jcc, a NOP, a PUSH of a register (Linux's
        arch/x86/kernel/uprobes.c)."""
        mnemonic, operand = insn
        return (mnemonic in ("call", "jmp", "nop", "nopl") and
                (mnemonic not in ("call", "jmp") or branch_target(insn))) or \
            cls.is_jcc(mnemonic) or (mnemonic == "push" and operand.startswith("%"))


class Arm64:
    """How binutils' aarch64 objdump writes arm64 code, and what the kernel's arm64 uprobes
    simulate (arch/arm64/kernel/probes/decode-insn.c): branches, ADR/ADRP, literal loads."""
    objdump = "aarch64-linux-gnu-objdump"
    call, jmp, rets, nops = "bl", "b", ("ret",), ("nop",)

    @classmethod
    def operand(cls, mnemonic, text):
        """The operands but a comment and a <symbol>; a direct branch's target as "a61d0"
        (CBZ's and TBZ's is their last operand)."""
        text = text.split("//")[0].split(" <")[0].strip()
        last = re.sub(r"^0x", "", text.rsplit(", ", 1)[-1])  # no symbol names it: "0x..."
        branch = mnemonic in (cls.call, cls.jmp) or cls.is_jcc(mnemonic)
        return last if branch and re.fullmatch(r"[0-9a-f]+", last) else text

    @staticmethod
    def is_jcc(mnemonic):
        return mnemonic.startswith("b.") or mnemonic in ("cbz", "cbnz", "tbz", "tbnz")

    @staticmethod
    def past_restartable(dis, start):
        """The instruction after the sequences through REGTMP (x27) a function begins with,
        which Go's preemption restarts, so that entry sites move past them
        (tests/test_arm64.py checks where, over whole binaries); None when there are none."""
        i = dis.index[start]
        if not re.match(r"[xw]27,", dis.insns[start][1]):
            return None
        while i < len(dis.addrs) and re.search(r"\b[xw]27\b", dis.insns[dis.addrs[i]][1]):
            i += 1
        return dis.addrs[i] if i < len(dis.addrs) else None

    @classmethod
    def emulated(cls, insn):
        mnemonic, operand = insn
        if mnemonic in ("b", "bl") or cls.is_jcc(mnemonic):
            return branch_target(insn) is not None
        if mnemonic in ("ret", "br", "blr", "adr", "adrp"):
            return True
        return mnemonic in ("ldr", "ldrsw") and "[" not in operand and \
            re.match(r"^[xw]\d+, [0-9a-f]+$", operand) is not None


class Disassembly:
    """objdump's reading of a binary (GNU's for x86-64, binutils' aarch64 one for arm64): its
    instructions in address order, and its functions by the symbol table of the same build
    with symbols (the stripped build's code is that build's, byte for byte: checked)."""

    def __init__(self, binary, symbols_from, isa=X86):
        self.isa = isa
        self.addrs, self.insns = self._instructions(binary, isa)
        self.index = {a: i for i, a in enumerate(self.addrs)}
        if symbols_from != binary:  # the same instructions and branches (data may move)
            assert self._shape(self.insns) == self._shape(self._instructions(symbols_from, isa)[1]), \
                f"{binary}'s code is not {symbols_from}'s: its functions cannot be named from it"
        self.funcs = sorted((int(m.group(1), 16), m.group(2)) for m in
                            map(OBJDUMP_FUNC.match, self._objdump(symbols_from, isa)) if m)
        self.func_starts = [a for a, _ in self.funcs]
        self.by_start = dict(self.funcs)
        assert len(self.addrs) > 10000 and len(self.funcs) > 1000, binary
        self.segments = elf_load_segments(binary)

    @staticmethod
    def _shape(insns):
        """Instructions and branch targets, but padding (arm64's UDF #0, which objdump reads
        past the last function of a build with symbols and not of a stripped one)."""
        return {a: (i[0], branch_target(i)) for a, i in insns.items() if i[0] != "udf"}

    @classmethod
    def _instructions(cls, binary, isa):
        """Addresses in order, and {address: (mnemonic, operands)}, without objdump's <symbol>."""
        insns = {}
        for line in cls._objdump(binary, isa):
            m = OBJDUMP_INSN.match(line)
            if m:
                insns[int(m.group(1), 16)] = (m.group(2), isa.operand(m.group(2), m.group(3)))
        return sorted(insns), insns

    @staticmethod
    def _objdump(binary, isa):
        result = subprocess.run([isa.objdump, "-d", "--no-show-raw-insn", "-w", binary],
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{isa.objdump} -d {binary}: {result.stderr}"
        return result.stdout.splitlines()

    def func_at(self, addr):
        """(start, name) of the function whose code holds addr."""
        i = bisect.bisect_right(self.func_starts, addr) - 1
        return self.funcs[i] if i >= 0 else (None, None)

    def prev(self, addr):
        i = self.index[addr]
        return self.addrs[i - 1] if i else None

    def file_offset(self, addr):
        for vaddr, offset, size, executable in self.segments:
            if executable and vaddr <= addr < vaddr + size:
                return addr - vaddr + offset
        return None


def same_func(ours, theirs):
    """Our name for a function and the symbol table's: the same but for the ".abi0" of an
    assembly function's symbol, and a generic function's type arguments (an instantiation,
    main.Map[int], is probed on its shaped body, main.Map[go.shape.int]; Go 1.18-1.20's pclntab
    says main.Map[...]); the pclntab's "·" is the symbol table's "."."""
    def norm(n):
        return re.sub(r"\[.*\]", "[]", re.sub(r"\.abi0$", "", (n or "").replace("·", ".")))
    return ours is not None and theirs is not None and norm(ours) == norm(theirs)


def branch_target(insn):
    """The target of a direct branch as objdump prints it; None for an indirect one."""
    m = re.match(r"^([0-9a-f]+)$", insn[1])
    return int(m.group(1), 16) if m else None


class Checker:
    def __init__(self, dis):
        self.dis = dis
        self.bad = []

    def fail(self, site, why):
        self.bad.append(f"{site['addr']} {site['kind']} {site['func']}: {why}")

    def at_entry(self, site, addr, func):
        """An entry site: func's first instruction, or the one past its stack check's jump."""
        start, name = self.dis.func_at(addr)
        isa = self.dis.isa
        if not same_func(func, name):
            return self.fail(site, f"in {name}, not in {func}")
        prev = self.dis.prev(addr)
        if addr == start:
            return
        within = self.dis.index[addr] - self.dis.index[start] < 12
        if isa.past_restartable(self.dis, start) == addr:
            return
        jump = self.dis.insns[prev]
        if not (within and isa.is_jcc(jump[0]) and (branch_target(jump) or 0) > prev):
            self.fail(site, f"neither {name}'s entry nor past its stack check ({jump})")

    def at_check(self, site, addr, func):
        """An entry-jcc site: the stack check's conditional jump, forward, near the entry."""
        start, name = self.dis.func_at(addr)
        insn = self.dis.insns[addr]
        if not same_func(func, name) or not self.dis.isa.is_jcc(insn[0]) or \
                self.dis.index[addr] - self.dis.index[start] >= 12 or \
                not (branch_target(insn) or 0) > addr:
            self.fail(site, f"not {func}'s stack check jump: {insn} in {name}")

    def after_call(self, site, addr, func):
        """A return site: where a CALL of func returns to, or an instruction after it in a
        straight line of the same function (nothing between them branches)."""
        start, isa = self.dis.func_at(addr)[0], self.dis.isa
        a = self.dis.prev(addr)
        for _ in range(32):
            if a is None or a < start:
                break
            insn = self.dis.insns[a]
            if insn[0] in (isa.call, isa.jmp, *isa.rets) or isa.is_jcc(insn[0]):
                return self.branch_to(site, a, isa.call, func)
            a = self.dis.prev(a)
        self.fail(site, f"no CALL of {func} before it in {self.dis.func_at(addr)[1]}")

    def branch_to(self, site, addr, mnemonic, func):
        insn = self.dis.insns[addr]
        target = branch_target(insn)
        if insn[0] != mnemonic or not same_func(func, self.dis.by_start.get(target)):
            self.fail(site, f"not a {mnemonic} of {func}: {insn}")

    def role(self, site, addr, kind, func):
        insn = self.dis.insns[addr]
        if kind in ("entry", "save-g", "goexit", "thread"):
            if kind == "goexit" and func != "runtime.goexit1" or \
                    kind == "thread" and func not in ("runtime.minit", "runtime.stopm"):
                self.fail(site, f"{kind} on {func}")
            return self.at_entry(site, addr, func) if not self.dis.isa.is_jcc(insn[0]) else \
                self.at_check(site, addr, func)
        if kind == "entry-jcc":
            return self.at_check(site, addr, func)
        if kind in ("call", "jmp"):
            return self.branch_to(site, addr, getattr(self.dis.isa, kind), func)
        if kind == "ret":
            if insn[0] not in self.dis.isa.rets or not same_func(func, self.dis.func_at(addr)[1]):
                self.fail(site, f"not a RET of {func}: {insn} in {self.dis.func_at(addr)[1]}")
            return
        if kind == "return":
            return self.after_call(site, addr, func)
        if kind == "guard":
            target = branch_target(insn)
            if insn[0] != self.dis.isa.jmp or self.dis.func_at(target or 0) != self.dis.func_at(addr):
                self.fail(site, f"not a JMP within its function: {insn}")
            return
        if kind == "inline-mark":  # a NOP of the call's own (test_inline.py checks the tree)
            if insn[0] not in self.dis.isa.nops:
                self.fail(site, f"not a NOP mark: {insn}")
            return
        if kind == "inline-start":  # in the caller's code (test_inline.py checks the tree)
            return
        if kind == "wrapper":  # in the pointer's wrapper, pkg.(*T).M of pkg.T.M (test_wrapped.py)
            wrapper = re.sub(r"^(.*)\.([^.()]+)\.([^.]+)$", r"\1.(*\2).\3", func)
            if not same_func(wrapper, self.dis.func_at(addr)[1]):
                self.fail(site, f"not in {wrapper}: in {self.dis.func_at(addr)[1]}")
            return
        self.fail(site, f"unknown kind {kind}")

    def site(self, site):
        addr = int(site["addr"], 16)
        if addr not in self.dis.insns:
            return self.fail(site, "not an instruction in objdump's reading")
        if int(site["offset"], 16) != self.dis.file_offset(addr):
            return self.fail(site, f"file offset {site['offset']}, the ELF headers say "
                             f"{self.dis.file_offset(addr)}")
        if site["stepped"] == self.dis.isa.emulated(self.dis.insns[addr]):
            self.fail(site, f"stepped {site['stepped']} at {self.dis.insns[addr]}")
        kinds = site["kind"].split("+")
        funcs = [site["func"], site.get("then")]
        for kind, func in zip(kinds, funcs):
            self.role(site, addr, kind, func)
        caller = self.dis.func_at(addr)[1]
        in_caller = {"call", "jmp", "return", "guard", "inline-mark", "inline-start",
                     "wrapper"} & set(kinds)
        if in_caller and not same_func(site["caller"], caller) or \
                not in_caller and site["caller"] is not None:
            self.fail(site, f"caller {site['caller']}, objdump's symbols say {caller}")


DISASSEMBLIES = {}


def disassembly(built, variant, program):
    """The Disassembly of a program's build, its functions named from the build with symbols."""
    binary, plain = built.path(variant, program), built.path(unstripped(variant), program)
    if binary not in DISASSEMBLIES:
        if len(DISASSEMBLIES) >= 3:  # a variant's programs at a time: each reading is large
            DISASSEMBLIES.clear()
        DISASSEMBLIES[binary] = Disassembly(binary, plain, Arm64 if goarch(variant) == "arm64" else X86)
    return DISASSEMBLIES[binary]


@pytest.mark.unprivileged
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("variant", VARIANTS + ARM64_LISTED)
def test_listing_matches_objdump(built, variant, case):
    """Every site each tool's --dry-run lists is what its kind says, in objdump's reading of
    the same binary (arm64 builds' by binutils' aarch64 objdump, planned on this host as on
    an arm64 one); its file offset is the ELF headers'; whether the kernel single-steps it
    follows from the instruction; sites come by address; the summary counts them."""
    program, patterns = CASES[case]
    binary = built.path(variant, program)
    name = tool_name(case)
    result = dry_run(name, binary, patterns)
    check = Checker(disassembly(built, variant, program))
    seen, seen_kinds = set(), set()
    for header, sites, summary in listings(result.stdout):
        assert header["binary"] == binary and header["pid"] is None, header
        assert header["stripped"] == variant.endswith("-stripped"), header
        assert header["pie"] == variant.endswith("-pie"), header
        addrs = [int(s["addr"], 16) for s in sites]
        assert addrs == sorted(addrs), "sites not in address order"
        assert summary["probes"] == len(sites) and summary["attached"] == 0, summary
        assert summary["stepped"] == sum(s["stepped"] for s in sites), summary
        for site in sites:
            assert site["kind"] in KINDS, site
            seen.update(site["kind"].split("+"))
            seen_kinds.add(site["kind"])
            check.site(site)
    assert not check.bad, f"{len(check.bad)} sites are not what {name} says: {check.bad[:10]}"
    want = {"gofunccount": {"call"}, "gofunccount-runtime": {"jmp"},
            "gofunclatency": {"ret", "return", "guard", "goexit", "return+call"},
            "gostack": {"call"}, "goiface": {"call"}, "gotrace": {"ret", "save-g", "call"}}[case]
    if goarch(variant) == "arm64":
        # g is in R28 in assembly too: nothing to save; these functions begin with ADRP,
        # which the kernel simulates: they are entered there, not at their callers
        want -= {"save-g"} if case == "gofunccount" else {"save-g", "call", "return+call"}
    assert want <= seen | seen_kinds, \
        f"kinds {want - seen - seen_kinds} not seen: the test does not test them"
    if case in ("gofunccount", "gofunclatency", "gotrace"):
        assert seen & {"entry", "entry-jcc"}, f"no entry site: the test does not test them: {seen}"


@pytest.mark.unprivileged
def test_threads_listed(built):
    """Before Go 1.17 gofunclatency learns each thread's runtime.m where threads start and go
    idle: those sites are listed too, as entries of runtime.minit and runtime.stopm."""
    binary = built.path("go116", "tracee")
    sites = sites_of(dry_run("gofunclatency", binary, ["main.*"]).stdout)
    threads = [s for s in sites if s["kind"] == "thread"]
    assert sorted(s["func"] for s in threads) == ["runtime.minit", "runtime.stopm"], sites
    check = Checker(Disassembly(binary, binary))
    for site in sites:
        check.site(site)
    assert not check.bad, check.bad[:10]


@pytest.mark.unprivileged
def test_text_listing(built):
    """The text form: a header naming the binary, a line per site as -j lists them, a summary
    counting them and saying what no probe sees."""
    binary = built.path("go126", "retsites")
    text = dry_run("gofunclatency", binary, ["main.*"], json_out=False).stdout.splitlines()
    (header, sites, summary), = listings(dry_run("gofunclatency", binary, ["main.*"]).stdout)
    assert text[0] == f'Would probe {binary} ({header["version"]}) for "{binary}:main.*":', text[0]
    assert text[1].split() == ["ADDR", "OFFSET", "KIND", "STEP", "FUNC"], text[1]
    rows = text[2:2 + len(sites)]
    for row, site in zip(rows, sites):
        fields = row.split()
        assert fields[:4] == [site["addr"], site["offset"], site["kind"],
                              "yes" if site["stepped"] else "no"], (row, site)
        assert fields[4].rstrip(",") == site["func"] or site["func"] is None, (row, site)
        if site["caller"]:
            assert row.endswith(f" in {site['caller']}"), (row, site)
    stepped = sum(s["stepped"] for s in sites)
    nfuncs = summary["functions"]
    assert text[2 + len(sites)] == f"{len(sites)} probes on {nfuncs} functions; {stepped} " \
                                   f"single-stepped; none attached", text[2 + len(sites):]
    assert text[3 + len(sites)].startswith("Not seen: calls the compiler inlined"), text


# ---------------------------------------------------------------------------------------------
# The listing is what the tool attaches


def uprobe_links(pid):
    """[(path, [offset, ...])] of the uprobe_multi links process pid holds, as the kernel lists
    them in /proc/PID/fdinfo."""
    links = []
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                info = f.read()
        except OSError:
            continue
        if not re.search(r"^link_type:\s+uprobe_multi$", info, re.M):
            continue
        path = re.search(r"^path:\s+(.*)$", info, re.M).group(1)
        offsets = [int(o, 16) for o in re.findall(r"^\d+\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+$", info, re.M)]
        count = int(re.search(r"^uprobe_cnt:\s+(\d+)$", info, re.M).group(1))
        assert len(offsets) == count, info
        links.append((path, offsets))
    return links


@pytest.mark.parametrize("case", ["gofunccount", "gofunclatency", "gostack", "goiface", "gotrace"])
@pytest.mark.parametrize("variant", ["go119-pie", "go126"])
def test_listing_is_what_is_attached(built, variant, case, tmp_path):
    """The probes a dry run lists are the probes the same command attaches: the file offsets
    the kernel lists for the tool's uprobe_multi links, site for site."""
    program, patterns = CASES[case]
    binary = private_copy(built.path(variant, program), tmp_path)
    listed = sorted(int(s["offset"], 16) for s in sites_of(dry_run(case, binary, patterns).stdout))
    specs = with_binary(binary, patterns)
    with Tool(case, *specs, timeout=120) as t:
        links = uprobe_links(t.proc.pid)
        t.interrupt()
    assert {path for path, _ in links} == {binary}, links
    attached = sorted(o for _, offsets in links for o in offsets)
    assert listed == attached, (f"listed but not attached: {sorted(set(listed) - set(attached))}; "
                                f"attached but not listed: {sorted(set(attached) - set(listed))}")


@pytest.mark.parametrize("variant", ["go119", "go126-pie"])
def test_breakpoints_are_the_listing(built, variant, tmp_path):
    """In a traced process, the instructions the kernel replaced by breakpoints are the sites
    gofunclatency -p lists, and none while only the dry run has run."""
    binary = private_copy(built.path(variant, "retsites"), tmp_path)
    with GoProgram(binary) as prog:
        listed = sorted(int(s["addr"], 16) for s in
                        sites_of(dry_run("gofunclatency", binary, ["main.*"], "-p",
                                         str(prog.pid)).stdout))
        assert code_differences(prog.pid, binary) == [], "a dry run left breakpoints"
        with Tool("gofunclatency", "-p", str(prog.pid), f"{binary}:main.*", timeout=120) as t:
            written = sorted(code_differences(prog.pid, binary))
            t.interrupt()
        prog.go()
        prog.result()
        prog.stop()
    assert written == listed, (f"listed, no breakpoint: {[hex(a) for a in set(listed) - set(written)]}"
                               f"; breakpoint, not listed: {[hex(a) for a in set(written) - set(listed)]}")


# ---------------------------------------------------------------------------------------------
# No BPF, no privileges


def strace_bpf(argv):
    """Run argv under strace; (status, its bpf() and perf_event_open() calls). LeakSanitizer
    cannot run under ptrace: a sanitizer build's leaks are looked for by the other tests."""
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as log:
        result = subprocess.run(["strace", "-f", "-qq", "-e", "trace=bpf,perf_event_open", "-o",
                                 log.name, *argv], capture_output=True, text=True, timeout=120,
                                env=env)
        note_sanitizer_report(" ".join(argv), result.stderr)
        calls = [line for line in log.read().splitlines() if re.search(r"\b(bpf|perf_event_open)\(", line)]
    return result.returncode, calls


@pytest.mark.parametrize("case", ["gofunccount", "gofunclatency", "gostack", "goiface", "gotrace"])
def test_no_bpf_calls(built, case, tmp_path):
    """As root, a dry run makes no bpf() or perf_event_open() call (nothing compiled, loaded or
    attached); the same command without --dry-run makes them, seen by the same witness."""
    if not shutil.which("strace"):
        pytest.fail("strace is not installed: run sudo scripts/setup.sh --tests", pytrace=False)
    program, patterns = CASES[case]
    binary = private_copy(built.path("go126", program), tmp_path)
    specs = with_binary(binary, patterns)
    status, calls = strace_bpf([tool(case), "--dry-run", *specs])
    assert status == 0 and calls == [], calls[:5]
    if case == "gofunccount":
        status, calls = strace_bpf([tool(case), "-d", "1", *specs])
        assert status == 0 and any("BPF_PROG_LOAD" in c for c in calls), calls[:5]


NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]


@pytest.fixture
def shared_dir():
    """A directory every user may read, with copies of the tools: pytest's own are root's."""
    d = tempfile.mkdtemp(prefix="gotools-dryrun-")
    os.chmod(d, 0o755)
    for name in ("gofunccount", "gofunclatency", "gostack", "goiface", "gotrace"):
        shutil.copy2(tool(name), os.path.join(d, name))
    yield d
    shutil.rmtree(d)


def as_nobody(argv):
    result = subprocess.run(NOBODY + argv, capture_output=True, text=True, timeout=120)
    note_sanitizer_report(" ".join(argv), result.stderr)
    return result


@pytest.mark.parametrize("case", ["gofunccount", "gofunclatency", "gostack", "goiface", "gotrace"])
def test_unprivileged(built, case, shared_dir):
    """As nobody, on a binary anyone may read, each tool lists the probes root's dry run lists;
    without --dry-run it says it needs root."""
    program, patterns = CASES[case]
    binary = shutil.copy(built.path("go126", program), os.path.join(shared_dir, program))
    os.chmod(binary, 0o755)
    specs = with_binary(binary, patterns)
    root = run_tool(case, "--dry-run", "-j", *specs, timeout=120)
    assert root.returncode == 0, root.stderr
    nobody = as_nobody([os.path.join(shared_dir, case), "--dry-run", "-j", *specs])
    assert nobody.returncode == 0, nobody.stderr
    assert nobody.stdout == root.stdout
    refused = as_nobody([os.path.join(shared_dir, case), *specs])
    assert refused.returncode == 1 and "needs root" in refused.stderr, refused.stderr


def test_unprivileged_pid(built, shared_dir):
    """As nobody, -p PID of nobody's own process: the listing names the process, and nothing is
    written into it."""
    binary = shutil.copy(built.path("go126-pie", "workload"), os.path.join(shared_dir, "workload"))
    os.chmod(binary, 0o755)
    with GoProgram(NOBODY[0], *NOBODY[1:], binary) as prog:
        result = as_nobody([os.path.join(shared_dir, "gofunccount"), "--dry-run", "-j", "-p",
                            str(prog.pid), "main.*"])
        assert result.returncode == 0, result.stderr
        (header, sites, summary), = listings(result.stdout)
        assert header["pid"] == prog.pid and header["pie"], header
        assert sites and summary["probes"] == len(sites), result.stdout
        assert code_differences(prog.pid, binary) == []
        prog.go()
        prog.result()
        prog.stop()


def test_no_match(built):
    """A pattern that matches nothing: bcc's words on stderr, status 1, as without --dry-run."""
    result = run_tool("gofunccount", "--dry-run", built.path("go126") + ":main.nosuch")
    assert result.returncode == 1 and result.stdout == "", result.stdout
    assert "No functions matched" in result.stderr, result.stderr


@pytest.mark.unprivileged
@pytest.mark.parametrize("name", ["gofunccount", "gofunclatency", "gostack", "goiface", "gotrace"])
def test_bash_completion(name):
    """Bash completes --dry-run for every tool (completion/gotools reads the tool's --help)."""
    from test_package import complete
    assert complete([name, "--dry"]) == ["--dry-run"]


@pytest.mark.unprivileged
@pytest.mark.parametrize("variant", ["go119", "go119-stripped", "go126", "go126-pie"])
def test_instances_listed(built, variant):
    """A shaped body's probe lists the instantiations its dictionary tells apart: those whose
    dictionaries `go tool nm` lists (main..dict.Sum[int] is main.Sum[int]), each at the probe of
    the body of its shape (Sum[int] and Sum[main.myInt] run Sum[go.shape.int]), read from AX,
    where the register ABI passes a dictionary."""
    binary = built.path(variant, "generics")
    plain = built.path(unstripped(variant), "generics")
    dicts = {"main." + name.split("..dict.", 1)[1] for _, _, name in go_nm(GO126, plain)
             if name.startswith("main..dict.Sum[")}
    bodies = sorted((addr, name) for name, addr in text_symbols(GO126, plain, "main.Sum[").items())
    sites = sites_of(dry_run("gofunccount", binary, ["main.Sum[*]"]).stdout)
    listed = set()
    for site in sites:
        addr = int(site["addr"], 16)
        body = [name for start, name in bodies if start <= addr][-1]
        shape = re.match(r"main\.Sum\[go\.shape\.(int|string)", body).group(1)
        want = {"int": {"main.Sum[int]", "main.Sum[main.myInt]"}, "string": {"main.Sum[string]"}}
        assert set(site["instances"]) == want[shape] and site["dict_reg"] == "ax", (body, site)
        listed |= set(site["instances"])
    assert listed == dicts, (listed, dicts)


@pytest.mark.unprivileged
def test_whole_go_command():
    """Go 1.26's own go command, timed across cmd/go (thousands of functions): every site of
    the listing is what objdump reads there, return sites and their guards too."""
    binary = GO126
    sites = sites_of(dry_run("gofunclatency", binary, ["cmd/go/*"]).stdout)
    check = Checker(Disassembly(binary, binary))
    for site in sites:
        check.site(site)
    assert not check.bad, f"{len(check.bad)} sites are not what gofunclatency says: {check.bad[:10]}"
    kinds = {s["kind"] for s in sites}
    assert {"entry", "ret", "return", "guard", "goexit"} <= kinds and len(sites) > 1000, kinds
