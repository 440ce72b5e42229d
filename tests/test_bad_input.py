"""Bad input, across the five tools, in one table.

Each row runs one tool on one bad input and checks what the rules ask of every tool:
- exit status 1 (2 for a usage error), not a signal, no "core dumped";
- exactly one line that says what is wrong, holding the row's words (a usage error may add
  argp's "Try `TOOL --help'..." line after it);
- nothing attached: tracefs's uprobe_events names neither traced binary, and the code of the
  processes that run them (started before the rows and left running) equals their files.

Broken binaries are made at test time from a real build of tests/go/tracee: cut inside the Go
function table, the section header table zeroed, nfunc made huge (and huge enough that a count
times an entry size wraps around), and others; no binary is committed.
"""

import os
import shutil
import signal
import stat
import struct
import subprocess
import time

import pytest

from conftest import TRACEFS, GoProgram, code_differences, run_tool, tool

TOOLS = ["gofunccount", "gotrace", "gofunclatency", "gostack", "goiface", "gofuncslower"]


# ---------------------------------------------------------------------------------------------
# Broken binaries, made from a good one


def sections(data):
    """{name: (file offset, size, header offset)} of an ELF64 LE file's sections."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab_off = headers[shstrndx][4]
    out = {}
    for i, (name, _type, _flags, _addr, off, size) in enumerate(headers):
        end = data.index(b"\0", strtab_off + name)
        out[data[strtab_off + name:end].decode()] = (off, size, shoff + i * shentsize)
    return out


def pclntab(data):
    off, size, _ = sections(data)[".gopclntab"]
    return off, size


def cut_in_pclntab(data):
    off, size = pclntab(data)
    return data[:off + size // 3]


def cut_at_pclntab(data):
    off, _ = pclntab(data)
    return data[:off + 16]


def zeroed_section_headers(data):
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
    out = bytearray(data)
    out[shoff:shoff + shentsize * shnum] = bytes(shentsize * shnum)
    return bytes(out)


def with_nfunc(n):
    def make(data):
        off, _ = pclntab(data)
        out = bytearray(data)
        struct.pack_into("<Q", out, off + 8, n)
        return bytes(out)
    return make


def bad_pclntab_magic(data):
    off, _ = pclntab(data)
    out = bytearray(data)
    struct.pack_into("<I", out, off, 0x12345678)
    return bytes(out)


def func_offsets_out_of_range(data):
    """Every function table entry's func offset (Go 1.18+: entryoff, funcoff as uint32 pairs)
    points far past the table."""
    off, _ = pclntab(data)
    out = bytearray(data)
    nfunc, = struct.unpack_from("<Q", data, off + 8)
    pclnoff, = struct.unpack_from("<Q", data, off + 64)
    for i in range(nfunc):
        struct.pack_into("<I", out, off + pclnoff + i * 8 + 4, 0xfffffff0)
    return bytes(out)


def name_offsets_out_of_range(data):
    """Every function's name offset points past the name table."""
    off, _ = pclntab(data)
    out = bytearray(data)
    nfunc, = struct.unpack_from("<Q", data, off + 8)
    pclnoff, = struct.unpack_from("<Q", data, off + 64)
    for i in range(nfunc):
        funcoff, = struct.unpack_from("<I", data, off + pclnoff + i * 8 + 4)
        struct.pack_into("<i", out, off + pclnoff + funcoff + 4, 0x7ffffff0)
    return bytes(out)


def section_offsets_past_end(data):
    """Every section header's offset points past the end of the file."""
    out = bytearray(data)
    for _name, (_off, _size, header) in sections(data).items():
        struct.pack_into("<Q", out, header + 0x18, len(data) + 0x100000)
    return bytes(out)


def program_headers_past_end(data):
    out = bytearray(data)
    struct.pack_into("<Q", out, 0x20, len(data) + 4096)
    return bytes(out)


def elf_class(cls):
    def make(data):
        out = bytearray(data)
        out[4] = cls
        return bytes(out)
    return make


def machine(m):
    def make(data):
        out = bytearray(data)
        struct.pack_into("<H", out, 0x12, m)
        return bytes(out)
    return make


BROKEN = {
    "cut_in_pclntab": cut_in_pclntab,
    "cut_at_pclntab": cut_at_pclntab,
    "cut_header": lambda d: d[:40],
    "zeroed_shdrs": zeroed_section_headers,
    "huge_nfunc": with_nfunc(0x7fffffff),
    "wrapping_nfunc": with_nfunc(0x2000000000000000),
    "max_nfunc": with_nfunc(0xffffffffffffffff),
    "bad_magic": bad_pclntab_magic,
    "bad_funcoff": func_offsets_out_of_range,
    "bad_nameoff": name_offsets_out_of_range,
    "shdr_past_end": section_offsets_past_end,
    "phdr_past_end": program_headers_past_end,
    "elf32": elf_class(1),
    "arm64": machine(183),  # an amd64 build that says arm64: its pclntab's pc quantum is 1
    "riscv64": machine(243),
}


# ---------------------------------------------------------------------------------------------
# The world the rows run in


class World:
    """Paths and processes the rows name: {bin}, {iface}, {pid}, {dead}, ..."""

    def __init__(self, built, tmp):
        self.tmp = tmp
        self.bin = self._copy(built.path("go126", "tracee"), "tracee")
        self.iface = self._copy(built.path("go126", "iface"), "iface")
        self.stripped = self._copy(built.path("go126-stripped", "tracee"), "tracee-stripped")
        with open(self.bin, "rb") as f:
            good = f.read()
        self.broken = {}
        for name, make in BROKEN.items():
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(make(good))
            os.chmod(path, 0o755)
            self.broken[name] = path
        self.paths = dict(self.broken)
        self.paths.update(
            bin=self.bin, iface=self.iface, stripped=self.stripped,
            empty=self._write("empty", b""),
            text=self._write("text", b"#!/bin/sh\necho not a binary\n"),
            nonelf=self._write("nonelf", b"\x7fELX" + bytes(200)),
            dir=tmp,
            fifo=self._fifo(),
            libc=next(p for p in ("/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6")
                      if os.path.exists(p)),
            ctrue=shutil.which("true"),
            pprofdir=os.path.join(tmp, "a-directory"),
            long="x" * 5000,
        )
        os.mkdir(self.paths["pprofdir"])
        self.processes = []

    def _copy(self, src, name):
        dst = os.path.join(self.tmp, name)
        shutil.copy2(src, dst)
        return dst

    def _write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o755)
        return path

    def _fifo(self):
        path = os.path.join(self.tmp, "fifo")
        os.mkfifo(path)
        return path

    def start(self):
        """The running programs that a left probe would show in, and the pids the rows name."""
        self.prog = GoProgram(self.bin).__enter__()
        self.iprog = GoProgram(self.iface).__enter__()
        self.paths["pid"] = str(self.prog.pid)
        self.paths["ipid"] = str(self.iprog.pid)
        # a process that is not Go
        self.sleeper = subprocess.Popen(["sleep", "600"])
        self.paths["cpid"] = str(self.sleeper.pid)
        # a process that has exited but is not reaped: its /proc entry stays, its executable is gone
        self.zombie = subprocess.Popen(["true"])
        while not open(f"/proc/{self.zombie.pid}/stat").read().split(") ")[1].startswith("Z"):
            time.sleep(0.01)
        self.paths["zombie"] = str(self.zombie.pid)
        reaped = subprocess.Popen(["true"])
        reaped.wait()
        self.paths["dead"] = str(reaped.pid)
        self.paths["kthread"] = "2"  # kthreadd: a process with no executable

    def stop(self):
        for p in (self.prog, self.iprog):
            p.__exit__(None, None, None)
        self.sleeper.kill()
        self.sleeper.wait()
        self.zombie.wait()

    def probes_left(self):
        """What a row left attached: uprobe_events lines naming a traced binary, and code
        addresses where a running program differs from its file."""
        left = []
        try:
            with open(os.path.join(TRACEFS, "uprobe_events")) as f:
                left += [line.strip() for line in f
                         if any(p in line for p in (self.bin, self.iface, self.tmp))]
        except FileNotFoundError:
            pass
        for prog, path in ((self.prog, self.bin), (self.iprog, self.iface)):
            left += [f"int3 in {os.path.basename(path)} at {a:#x}"
                     for a in code_differences(prog.pid, path)]
        return left


@pytest.fixture(scope="module")
def world(built, tmp_path_factory, tracefs):
    w = World(built, str(tmp_path_factory.mktemp("bad-input")))
    w.start()
    yield w
    w.stop()


# ---------------------------------------------------------------------------------------------
# The table: (tool, arguments with {placeholders}, exit status, words of the one line)

ROWS = [
    # --- binaries that cannot be read, or are not Go
    ("gofunccount", ["/nonexistent/prog:main.*"], 1, "cannot open '/nonexistent/prog': No such file"),
    ("gotrace", ["/nonexistent/prog:main.add"], 1, "cannot open '/nonexistent/prog': No such file"),
    ("gofunclatency", ["/nonexistent/prog:main.add"], 1, "cannot open '/nonexistent/prog'"),
    ("gostack", ["/nonexistent/prog:main.add"], 1, "cannot open '/nonexistent/prog'"),
    ("goiface", ["/nonexistent/prog:main.describe"], 1, "cannot open '/nonexistent/prog'"),
    ("gofunccount", ["{dir}:main.*"], 1, "is not a regular file"),
    ("gotrace", ["{fifo}:main.add"], 1, "is not a regular file"),
    ("gofunccount", ["{empty}:main.*"], 1, "is not an ELF file"),
    ("gofunclatency", ["{text}:main.*"], 1, "is not an ELF file"),
    ("goiface", ["{nonelf}:main.describe"], 1, "is not an ELF file"),
    ("gofunccount", ["{ctrue}:main.*"], 1, "is not a Go binary"),
    ("gostack", ["{libc}:main.*"], 1, "is not a Go binary"),
    ("gotrace", ["{libc}:main.add"], 1, "is not a Go binary"),
    ("gofunccount", ["{long}:main.*"], 1, "cannot open"),
    # --- broken Go binaries
    ("gofunccount", ["{cut_in_pclntab}:main.*"], 1, "cannot find the text start"),
    ("gotrace", ["{cut_in_pclntab}:main.add"], 1, "cannot find the text start"),
    ("gofunccount", ["{cut_at_pclntab}:main.*"], 1, "function table"),
    ("gostack", ["{cut_header}:main.*"], 1, "is not an ELF file"),
    ("gofunccount", ["{huge_nfunc}:main.*"], 1, "truncated function table"),
    ("gostack", ["{huge_nfunc}:main.*"], 1, "truncated function table"),
    ("gofunccount", ["{wrapping_nfunc}:main.*"], 1, "truncated function table"),
    ("goiface", ["{max_nfunc}:main.*"], 1, "truncated function table"),
    ("gofunccount", ["{bad_magic}:main.*"], 1, "no Go function table"),
    ("gofunccount", ["{bad_funcoff}:main.*"], 1, "corrupt function table"),
    ("gotrace", ["{bad_nameoff}:main.add"], 1, "corrupt function name table"),
    ("gofunclatency", ["{phdr_past_end}:main.*"], 1, "program headers"),
    ("gofunccount", ["{elf32}:main.*"], 1, "not a 64-bit ELF executable for x86-64 or arm64"),
    ("gostack", ["{riscv64}:main.*"], 1, "not a 64-bit ELF executable for x86-64 or arm64"),
    ("gostack", ["{arm64}:main.*"], 1, "no Go function table"),
    # --- processes
    ("gofunccount", ["-p", "{dead}", "main.*"], 1, "no process with pid {dead}"),
    ("gotrace", ["-p", "{dead}", "main.add"], 1, "no process with pid {dead}"),
    ("gofunclatency", ["-p", "{dead}", "main.add"], 1, "no process with pid {dead}"),
    ("gostack", ["-p", "{dead}", "main.add"], 1, "no process with pid {dead}"),
    ("goiface", ["-p", "{dead}", "main.describe"], 1, "no process with pid {dead}"),
    ("gofunccount", ["-p", "{zombie}", "main.*"], 1, "pid {zombie} has no executable"),
    ("gotrace", ["-p", "{zombie}", "main.add"], 1, "pid {zombie} has no executable"),
    ("gofunccount", ["-p", "{kthread}", "main.*"], 1, "pid 2 has no executable"),
    ("gofunccount", ["-p", "{cpid}", "main.*"], 1, "is not a Go binary"),
    ("gostack", ["-p", "{cpid}", "main.*"], 1, "is not a Go binary"),
    ("gofunccount", ["-p", "0", "main.*"], 2, "invalid PID: '0'"),
    ("gotrace", ["-p", "-1", "main.add"], 2, "invalid PID: '-1'"),
    ("gofunclatency", ["-p", "99999999999", "main.add"], 2, "invalid PID: '99999999999'"),
    ("goiface", ["-p", "12abc", "main.describe"], 2, "invalid PID: '12abc'"),
    # --- patterns
    ("gofunccount", ["-p", "{pid}", "main.nosuch*"], 1, 'No functions matched by pattern main.nosuch*'),
    ("gofunclatency", ["-p", "{pid}", "main.nosuch*"], 1, '0 functions matched by "main.nosuch*"'),
    ("gostack", ["-p", "{pid}", "main.nosuch*"], 1, 'No functions matched by pattern main.nosuch*'),
    ("goiface", ["-p", "{ipid}", "main.nosuch*"], 1, "main.nosuch*"),
    ("gotrace", ["-p", "{pid}", "main.nosuch"], 1, "no function"),
    ("gotrace", ["-p", "{pid}", "*"], 1, "narrow the pattern"),
    ("gofunccount", ["{bin}:"], 1, "empty function pattern"),
    ("gofunccount", [""], 1, "empty function pattern"),
    ("gofunccount", ["-r", "-p", "{pid}", "main.(add"], 1, "bad regular expression 'main.(add'"),
    ("gostack", ["-r", "-p", "{pid}", "[z-a]"], 1, "bad regular expression '[z-a]'"),
    ("gofunccount", ["-p", "{pid}", "{long}"], 1, "No functions matched"),
    ("gofunccount", ["-p", "{pid}", "main.\xff\xfe"], 1, "No functions matched"),
    # --- options
    ("gofunccount", ["--no-such-option", "main.*"], 2, "unrecognized option '--no-such-option'"),
    ("gotrace", ["-Z", "main.add"], 2, "invalid STRING_SIZE: 'main.add'"),
    ("gofunclatency", ["-p"], 2, "option requires an argument -- 'p'"),
    ("gofunccount", [], 2, "no PATTERN given"),
    ("gotrace", [], 2, "no PROBE given"),
    ("gostack", [], 2, "no PATTERN given"),
    ("goiface", [], 2, "no PATTERN given"),
    ("gofunccount", ["a", "b"], 2, "too many arguments"),
    ("goiface", ["a", "b", "c"], 2, "too many arguments"),
    ("gofunccount", ["-i", "0", "{bin}:main.*"], 2, "invalid interval: '0'"),
    ("gofunccount", ["-d", "1e3", "{bin}:main.*"], 2, "invalid duration: '1e3'"),
    ("gofunclatency", ["-i", "-1", "{bin}:main.add"], 2, "invalid interval: '-1'"),
    ("gofunclatency", ["-u", "-m", "{bin}:main.add"], 2, "-u and -m are exclusive"),
    # --- gofuncslower: the same reading and start-up as the others, and its own options
    ("gofuncslower", ["/nonexistent/prog:main.add"], 1, "cannot open '/nonexistent/prog'"),
    ("gofuncslower", ["{text}:main.*"], 1, "is not an ELF file"),
    ("gofuncslower", ["{libc}:main.*"], 1, "is not a Go binary"),
    ("gofuncslower", ["{huge_nfunc}:main.*"], 1, "truncated function table"),
    ("gofuncslower", ["{bad_magic}:main.*"], 1, "no Go function table"),
    ("gofuncslower", ["-p", "{dead}", "main.add"], 1, "no process with pid {dead}"),
    ("gofuncslower", ["-p", "{pid}", "main.nosuch*"], 1, "No functions matched by pattern main.nosuch*"),
    ("gofuncslower", ["-p"], 2, "option requires an argument -- 'p'"),
    ("gofuncslower", ["-m", "1", "-u", "1", "{bin}:main.add"], 2, "-m and -u are exclusive"),
    ("gofuncslower", ["{bin}:main.add", "/nonexistent/prog:main.add"], 1, "name different binaries"),
    ("gostack", ["-i", "", "{bin}:main.add"], 2, "invalid interval: ''"),
    ("gostack", ["-D", "99999999999999999999", "{bin}:main.add"], 2, "invalid duration"),
    ("gostack", ["-f", "-j", "{bin}:main.add"], 2, "-f and -j cannot be used together"),
    ("gostack", ["-K", "{bin}:main.add"], 2, "kernel stacks are not supported"),
    ("goiface", ["-i", "x", "{iface}:main.describe"], 2, "invalid interval: 'x'"),
    ("goiface", ["-d", "0", "{iface}:main.describe"], 2, "invalid duration: '0'"),
    ("gotrace", ["-M", "0", "{bin}:main.add"], 2, "invalid MAX: '0'"),
    ("gotrace", ["-M", "-3", "{bin}:main.add"], 2, "invalid MAX: '-3'"),
    # --- probes, filters and formats (gotrace), arguments (goiface)
    ("gotrace", ['{bin}:main.add "%d %d", goarg1'], 1, "2 conversions but 1 argument"),
    ("gotrace", ['{bin}:main.add "%d", goarg1, goarg2'], 1, "conversion"),
    ("gotrace", ['{bin}:main.add "%q", goarg1'], 1, "unsupported conversion"),
    ("gotrace", ['{bin}:main.add "%', "goarg1"], 1, "unterminated"),
    ("gotrace", ['{bin}:main.add "%d", nosuch'], 1, "unknown name"),
    ("gotrace", ['r:{bin}:main.add "%d", goarg1'], 1, "return probe"),
    ("gotrace", ['q:{bin}:main.add'], 1, "q:"),
    ("gotrace", ['{bin}:main.add (goarg1 ==) "%d", goarg1'], 1, "filter"),
    ("gotrace", ['{bin}:main.add (goarg1 == 1 "%d", goarg1'], 1, "filter"),
    ("gotrace", ['{bin}:main.add (nosuch == 1) "%d", goarg1'], 1, "unknown name"),
    ("gotrace", ['{bin}:main.add "%d", goarg1 + 1'], 1, "argument"),
    ("gotrace", ['{bin}:main.add (goarg1 == 99999999999999999999999) "%d", goarg1'], 1,
     "bad filter: the number 99999999999999999999999 does not fit in 64 bits"),
    ("gotrace", ['{bin}:main.add (goarg1 / 2 == 1) "%d", goarg1'], 1, "'/' is not supported"),
    ("gotrace", ['{bin}:main.add (goarg1 == 0x) "%d", goarg1'], 1, "bad filter"),
    ("gotrace", ['{bin}:main.add "%d", goarg99'], 1, "goarg99"),
    ("gotrace", ['{bin}:main.scale "%d", f'], 1, "XMM"),
    ("gotrace", ["x:y:z:main.add"], 1, "x:y"),
    ("gotrace", ["{bin}:main.add"] * 17, 2, "too many probes (at most 16)"),
    ("goiface", ["{iface}:main.describe", "nosuch"], 1, "has no argument named 'nosuch'"),
    ("goiface", ["{iface}:main.plain", "n"], 1, "is not an interface"),
    ("goiface", ["{stripped}:main.add"], 1, "is stripped (no DWARF)"),
    # --- output files
    ("gostack", ["--pprof", "/nonexistent/dir/x.pb.gz", "{bin}:main.add"], 1,
     "cannot write '/nonexistent/dir/x.pb.gz'"),
    ("gostack", ["--pprof", "{pprofdir}", "{bin}:main.add"], 1, "cannot write"),
    ("gostack", ["--pprof", "{text}/x.pb.gz", "{bin}:main.add"], 1, "Not a directory"),
    ("gostack", ["--pprof=", "{bin}:main.add"], 2, "--pprof needs a file name"),
]


def fill(s, paths):
    for key, value in paths.items():
        s = s.replace("{" + key + "}", value)
    return s


def row_id(row):
    name, args, status, _ = row
    return f"{name}-{'-'.join(a[:24] for a in args) or 'noargs'}-{status}".replace(" ", "_")


def test_table_has_60_rows():
    assert len(ROWS) >= 60 and {r[0] for r in ROWS} == set(TOOLS), len(ROWS)


@pytest.mark.parametrize("row", ROWS, ids=[row_id(r) for r in ROWS])
def test_bad_input(world, row):
    name, args, status, words = row
    argv = [fill(a, world.paths) for a in args]
    words = fill(words, world.paths)
    what = f"{name} {argv!r}"[:300]
    result = run_tool(name, *argv, timeout=60)
    out = (result.stdout + result.stderr)
    assert result.returncode >= 0, f"{what}: killed by signal {-result.returncode}:\n{out}"
    assert "core dumped" not in out and "Segmentation" not in out, f"{what}:\n{out}"
    assert result.returncode == status, f"{what}: exit status {result.returncode}, expected {status}:\n{out}"
    lines = [line for line in out.splitlines() if line.strip()]
    if status == 2 and len(lines) == 2 and lines[1].startswith("Try `"):
        lines = lines[:1]  # argp's pointer to --help
    assert len(lines) == 1, f"{what}: expected one line, got:\n{out}"
    assert words in lines[0], f"{what}: expected {words!r} in {lines[0]!r}"
    assert lines[0].startswith((f"{name}: ", "0 functions matched", "No functions matched")), lines[0]
    left = world.probes_left()
    assert not left, f"{what}: probes left attached: {left[:10]}"


EXITED_WORDS = (f"exited before its probes were attached", "no process with pid", "has no executable")


def test_process_exiting_during_attach(built, tmp_path):
    """A program that exits while a tool attaches: the tool ends by itself, with status 0 and
    Detaching... or status 1 and one line, never a signal, never a probe left."""
    binary = os.path.join(tmp_path, "tracee")
    shutil.copy2(built.path("go126", "tracee"), binary)
    outcomes = set()
    for i, name in enumerate(TOOLS * 2):
        args = {"gotrace": ["main.add"], "goiface": ["*"]}.get(name, ["*"])
        prog = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        prog.stdout.readline()
        t = subprocess.Popen([tool(name), "-p", str(prog.pid), *args], stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.005 * (i % 10) * 4)
        prog.kill()
        prog.wait()
        try:
            out, err = t.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            t.kill()
            out, err = t.communicate()
            pytest.fail(f"{name} still running 60 s after its process exited:\n{err}")
        assert t.returncode in (0, 1), (name, t.returncode, out, err)
        assert "core dumped" not in err
        if t.returncode == 1:
            # notes said before attaching (functions skipped, calls inlined) are not the error
            lines = [line for line in err.splitlines()
                     if ": skipping " not in line and ": note: " not in line]
            assert len(lines) == 1 and any(w in lines[0] for w in EXITED_WORDS), (name, err)
        elif name != "gotrace":  # bcc's trace, and gotrace, end without a word
            assert "Detaching..." in out + err, (name, out, err)
        outcomes.add(t.returncode)
        with open(os.path.join(TRACEFS, "uprobe_events")) as f:
            assert binary not in f.read()


def relocations_aimed_at_headers(data):
    """An lld-linked PIE (whose relocated words libgo writes into its view of the file) whose
    last PT_LOAD is stretched over the section headers at the end of the file, and whose first
    R_X86_64_RELATIVE relocations are aimed at the ELF header's e_shoff, a program header's
    p_filesz and each section header's sh_offset and sh_size, with a huge addend."""
    out = bytearray(data)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    shoff, = struct.unpack_from("<Q", data, 0x28)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 0x36)
    loads, dynamic = [], None
    for i in range(phnum):
        at = phoff + i * phentsize
        p_type, _flags, off, vaddr, _paddr, filesz = struct.unpack_from("<IIQQQQ", data, at)
        if p_type == 1:
            loads.append([at, off, vaddr, filesz])
        elif p_type == 2:
            dynamic = (off, filesz)
    last = max(loads, key=lambda l: l[1])
    last[3] = len(data) - last[1]
    struct.pack_into("<QQ", out, last[0] + 0x20, last[3], last[3])  # p_filesz, p_memsz

    def vaddr(off):
        return next(v + off - o for _, o, v, n in loads if o <= off < o + n)

    tags = {}
    for at in range(dynamic[0], dynamic[0] + dynamic[1], 16):
        tag, val = struct.unpack_from("<qQ", data, at)
        tags.setdefault(tag, val)
    rela = tags[7] - next(v - o for _, o, v, n in loads if v <= tags[7] < v + n)  # DT_RELA
    targets = [0x28, phoff + 0x20] + [shoff + i * shentsize + f for i in range(shnum) for f in (0x18, 0x20)]
    for i, target in enumerate(targets):
        struct.pack_into("<QQQ", out, rela + i * 24, vaddr(target), 8, 0x7ffffffffff0)  # R_X86_64_RELATIVE
    return bytes(out)


def test_relocations_aimed_at_headers(built, tmp_path):
    """Relocations that would rewrite the ELF, program and section headers which libelf checked
    when it opened the file are not applied: the binary lists the same functions as the good one
    (under the sanitizer build, nothing reads out of bounds)."""
    good = built.path("go126-lld-pie", "tracee")
    bad = os.path.join(tmp_path, "tracee-bad-relocs")
    with open(good, "rb") as f, open(bad, "wb") as g:
        g.write(relocations_aimed_at_headers(f.read()))
    os.chmod(bad, 0o755)

    def listing(path):
        r = run_tool("gofunccount", "-v", "-d", "1", f"{path}:main.*")
        assert r.returncode == 0, r
        return [line.split()[-1] for line in r.stdout.splitlines() if line.startswith("0x")]
    assert listing(bad) == listing(good) != [], listing(good)


@pytest.mark.parametrize("broken", ["zeroed_shdrs", "shdr_past_end"])
def test_found_without_section_headers(world, broken):
    """A binary whose section headers are zeroed or point past its end is not refused: the Go
    function table is found without them, and it lists the same functions as the good file."""
    def listing(path):
        r = run_tool("gofunccount", "-v", "-d", "1", f"{path}:main.*")
        assert r.returncode == 0, r
        return [line.split()[-1] for line in r.stdout.splitlines() if line.startswith("0x")]
    good, bad = listing(world.bin), listing(world.broken[broken])
    assert bad == good and "main.add" in good, (good, bad)
    assert not world.probes_left()


@pytest.mark.parametrize("name", TOOLS)
def test_no_match_on_stderr(built, name):
    """No function matched, with -j too: one line on stderr, exit status 1, and nothing on
    stdout, which -j keeps for JSON."""
    binary = built.path("go126", "tracee")
    for args in ([], ["-j"]):
        r = run_tool(name, *args, f"{binary}:main.nosuch*")
        assert r.returncode == 1, r
        assert r.stdout == "", (args, r.stdout)
        lines = r.stderr.splitlines()
        # each in its bcc tool's words (goiface, which has none, in funccount's)
        want = ("no function matches" if name == "gotrace" else
                f'0 functions matched by "{binary}:main.nosuch*". Exiting.'
                if name == "gofunclatency" else f"No functions matched by pattern {binary}:main.nosuch*")
        assert len(lines) == 1 and want in lines[0], (args, r.stderr)
