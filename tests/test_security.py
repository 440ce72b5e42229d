"""The tools run as root on binaries, in directories and beside programs that others control:
these tests play the attacker (issue 19).

- Names in a binary and values in a traced program that hold terminal escapes reach the
  terminal escaped, in every tool's output, listings and messages (tests/go/hostile, renamed
  and patched so that its file, comm, a function, a source file and a type are named with ESC,
  BEL and newlines).
- A linux/types.h planted in the working directory is never compiled into the BPF program, with
  a fresh cache or a warm one; a cache directory others could write is not used.
- Cache files changed on disk, put under another name or holding call sites that are not the
  binary's are refused, and what they held is made again.
- Probes go into the file that was read: a path renamed over, or a -p process that exec'd
  another program between the read and the attach, gets none (tests/helpers/gofunccount-test
  stops before attaching, for the test to make the change then).
- A compressed-DWARF bomb costs gofunccount nothing (it reads no DWARF) and the others one line.
- Messages say the cause: a user namespace, another user's process without CAP_SYS_PTRACE,
  ENOTSUPP, a file too large, and bcc's tools probing the same instruction.
- A file root writes (--pprof) is never reached through a symbolic link planted at its name.
"""

import hashlib
import json
import mmap
import os
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
import zlib

import pytest

from conftest import (GoProgram, assert_counts, code_differences, helper, parse_funccount,
                      private_copy, run_peak_rss, run_tool, tool)

# What a terminal would act on, as bytes: ESC, BEL, C1's CSI (raw, and as UTF-8), RLO.
RAW = [b"\x1b", b"\x07", b"\x9b", "\u009b".encode(), "\u202e".encode()]

# Patched into the hostile program's binary, each the length of what it replaces.
PATCHES = [
    (b"main.escapeMe\0", b"main.\x1b[2J\x07\nMe\0"),
    (b"zzzzzzz.go", b"\x1b[2J\x07zz.go"),
    (b"main.Tzzzzzzz", b"main.T\x1b[2J\x07zz"),
]
FUNC = "main.\\x1b[2J\\a\\nMe"
FILE = "\\x1b[2J\\azz.go"
TYPE = "main.T\\x1b[2J\\azz"
COMM = "\\x1b[2Jhostile"


@pytest.fixture(scope="module")
def hostile(built, tmp_path_factory):
    """The hostile program, patched, in a file named with an escape (its comm too)."""
    with open(built.path("go126", "hostile"), "rb") as f:
        data = f.read()
    for old, new in PATCHES:
        assert len(old) == len(new) and old in data, old
        data = data.replace(old, new)
    path = os.path.join(str(tmp_path_factory.mktemp("hostile")), "\x1b[2Jhostile")
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o755)
    return path


class RawTool:
    """A tool run until it traces, its output kept as bytes (what reaches a terminal)."""

    READY = (b"Tracing ", b"PID     TID")

    def __init__(self, name, *args, env=None, cwd=None, path=None):
        self.proc = subprocess.Popen([path or tool(name), *args], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                                     env=dict(os.environ, **(env or {})))
        self.out, self.err = bytearray(), bytearray()
        self.threads = [threading.Thread(target=self._read, args=(s, b), daemon=True)
                        for s, b in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.threads:
            t.start()

    @staticmethod
    def _read(stream, buf):
        for chunk in iter(lambda: stream.read1(4096), b""):
            buf += chunk

    def wait_ready(self, timeout=30):
        deadline = time.monotonic() + timeout
        while not any(r in self.out + self.err for r in self.READY):
            assert self.proc.poll() is None, (self.proc.returncode, bytes(self.err))
            assert time.monotonic() < deadline, bytes(self.err)
            time.sleep(0.02)

    def wait_stopped(self, timeout=30):
        """Until the test build has stopped itself at its GOTOOLS_TEST_STOP point."""
        deadline = time.monotonic() + timeout
        while True:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "T":
                    return
            assert self.proc.poll() is None, (self.proc.returncode, bytes(self.err))
            assert time.monotonic() < deadline, bytes(self.err)
            time.sleep(0.01)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        return self.wait()

    def wait(self, timeout=30):
        self.proc.wait(timeout)
        for t in self.threads:
            t.join(5)
        return self.proc.returncode, bytes(self.out), bytes(self.err)


def trace_hostile(binary, name, *args):
    """Run a tool on the hostile program (PID in args is its pid) while it makes its calls once;
    (the program's report, the tool's stdout and stderr as bytes)."""
    with GoProgram(binary) as prog:
        t = RawTool(name, *[a.replace("PID", str(prog.pid)) for a in args])
        t.wait_ready()
        prog.go()
        report = prog.result()
        time.sleep(0.3)  # gotrace prints as events come
        status, out, err = t.stop()
    assert status == 0, (status, out, err)
    return report, out, err


def assert_escaped(out, *wanted):
    for raw in RAW:
        assert raw not in out, (raw, out)
    text = out.decode()  # UTF-8 throughout
    for w in wanted:
        assert w in text, (w, text)
    return text


def test_names_escaped_gofunccount(hostile):
    report, out, err = trace_hostile(hostile, "gofunccount", "-v", "-p", "PID", "main.*")
    text = assert_escaped(out + err, FUNC, f"/{COMM}: go1.")
    rows = dict(line.rsplit(None, 1) for line in text.splitlines() if line.startswith("main."))
    assert int(rows[FUNC]) == report["main.escapeMe"], text


def test_names_escaped_gofunclatency(hostile):
    _, out, err = trace_hostile(hostile, "gofunclatency", "-F", "-v", "-p", "PID", "main.*Me")
    text = assert_escaped(out + err, f"Function = {FUNC} [", f"returns of {FUNC}: ")
    assert "count: 5" in text, text


def test_names_escaped_gostack(hostile):
    """Function and file names, pprof labels and the comm, in text and folded output."""
    _, out, err = trace_hostile(hostile, "gostack", "-l", "-P", "-p", "PID", "main.*Me")
    assert_escaped(out + err, f"  {FUNC} ", f"/{FILE}:12\n", "labels: k\\x1b[2J=v\\a\\nx\n",
                   f"    {COMM} [")
    _, out, err = trace_hostile(hostile, "gostack", "-f", "-P", "-p", "PID", "main.*Me")
    assert_escaped(out + err, f"{COMM};k\\x1b[2J=v\\a\\nx;", f";{FUNC} 5\n")


def test_values_escaped_goiface(hostile):
    _, out, err = trace_hostile(hostile, "goiface", "-V", "-p", "PID", "main.describe", "v")
    text = assert_escaped(out + err, TYPE, '"\\x1b]0;title\\a"')  # quoted as strconv.Quote does
    assert len([line for line in text.splitlines() if line.startswith("main.describe ")]) == 2, text


def test_values_escaped_gotrace(hostile):
    """Strings the program was sent (%s), an interface's type and value (%T %v), the comm, and
    stack symbols (-U)."""
    _, out, err = trace_hostile(hostile, "gotrace", "-U", "-p", "PID", 'main.greet "%s", name',
                                'main.describe "%T %v", v, v', "main.*Me")
    text = assert_escaped(out + err, "\\x1b[2J\\abell\\nnewline\n", "\\u202eevil\n",
                          "c1\\u009bhere\n", "bad\\x9bbyte\n", "string \\x1b]0;title\\a\n",
                          f"{TYPE} 7\n", f" {COMM}  ", f" {FUNC} ", f"{FUNC}+0x0 [{COMM}]")
    assert text.count(f" {FUNC} ") == 5, text


def scrape_hostile(binary, name, *args):
    """Run a tool with --prometheus on the hostile program while it makes its calls once; its
    scrape after them, as bytes, and the program's report."""
    import urllib.request
    with GoProgram(binary) as prog:
        t = RawTool(name, "--prometheus", "127.0.0.1:0", "-p", str(prog.pid), *args)
        t.wait_ready()
        prog.go()
        report = prog.result()
        port = re.search(rb"http://127\.0\.0\.1:(\d+)/metrics", bytes(t.err)).group(1).decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            body = r.read()
        status, _, err = t.stop()
    assert status == 0, (status, err)
    return report, body


def test_names_escaped_prometheus(hostile):
    """--prometheus's label values hold what a terminal is shown (the function's, the type's and
    the binary's names escaped), in the exposition format's escapes: a backslash doubled."""
    report, body = scrape_hostile(hostile, "gofunccount", "main.*")
    text = assert_escaped(body)
    label = FUNC.replace("\\", "\\\\")
    assert f'{{function="{label}",' in text, text
    assert re.search(r'binary="[^"]*/%s"' % re.escape(COMM.replace("\\", "\\\\")), text), text
    line = next(x for x in text.splitlines() if f'function="{label}"' in x)
    assert int(line.rsplit(" ", 1)[1]) == report["main.escapeMe"], text
    _, body = scrape_hostile(hostile, "goiface", "-V", "main.describe", "v")
    text = assert_escaped(body)
    assert 'type="%s",' % TYPE.replace("\\", "\\\\") in text, text


def test_json_escaped(hostile):
    """-j writes the same characters as JSON escapes; the values themselves are unchanged."""
    import json
    _, out, _ = trace_hostile(hostile, "gotrace", "-j", "-p", "PID", 'main.greet "%s", name')
    for raw in RAW:
        assert raw not in out, (raw, out)
    names = [json.loads(line)["args"]["name"] for line in out.decode().splitlines()]
    assert names == ["\x1b[2J\x07bell\nnewline", "\u202eevil", "c1\u009bhere", "bad\ufffdbyte"], names


def test_messages_escaped(hostile, tmp_path):
    """A message that quotes a name (here a path, as a -p process's executable would be) is one
    line, escaped."""
    missing = os.path.join(str(tmp_path), "no\x1b[2Jsuch\nfile")
    r = subprocess.run([tool("gofunccount"), f"{missing}:main.*"], capture_output=True,
                       stdin=subprocess.DEVNULL, timeout=30)
    assert r.returncode == 1, r
    assert r.stderr.count(b"\n") == 1 and b"\x1b" not in r.stderr, r.stderr
    assert b"no\\x1b[2Jsuch\\nfile': No such file" in r.stderr, r.stderr


# ---------------------------------------------------------------------------------------------
# The BPF program's compile and the cache


def cache_dir(tmp_path, name="cache"):
    """A cache directory of the test's own (root's, 0700): the shared one is others' too."""
    path = os.path.join(str(tmp_path), name)
    os.mkdir(path, 0o700)
    return path


def count_tracee(binary, env, cwd=None, pattern="main.*", path=None):
    """gofunccount on a running copy of tracee; its table and the program's own counts."""
    with GoProgram(binary) as prog:
        t = RawTool("gofunccount", "-p", str(prog.pid), pattern, env=env, cwd=cwd, path=path)
        t.wait_ready()
        prog.go()
        report = prog.result()
        status, out, err = t.stop()
        prog.stop()
    assert status == 0, (status, out, err)
    return parse_funccount(out.decode()), report, out.decode()


PLANTED = {
    "error": "#error planted in the working directory\n",
    # compiles, and makes every probe count for the first function
    "cookie": "#include_next <linux/types.h>\n#define bpf_get_attach_cookie(ctx) 0\n",
}


@pytest.mark.parametrize("header", list(PLANTED))
def test_planted_header(built, tmp_path, header):
    """libbcc puts the working directory first on its include path: a linux/types.h planted
    there is compiled into nothing, with a fresh cache (the tool compiles from there) nor with
    that cache warm (the next run, from /, loads what was cached)."""
    plant = os.path.join(str(tmp_path), "plant")
    os.makedirs(os.path.join(plant, "linux"))
    with open(os.path.join(plant, "linux", "types.h"), "w") as f:
        f.write(PLANTED[header])
    env = {"GOTOOLS_CACHE_DIR": cache_dir(tmp_path)}
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    for cwd in (plant, "/"):
        table, report, out = count_tracee(binary, env, cwd=cwd)
        assert_counts(table, {k: v for k, v in report.items() if k in ("main.add", "main.greet")},
                      out)
    assert len([n for n in os.listdir(env["GOTOOLS_CACHE_DIR"]) if n.endswith(".bpf")]) == 1


@pytest.mark.parametrize("how", ["another user's", "writable by others"])
def test_kernel_header_file_untrusted(built, tmp_path, how):
    """A header file in root's kernel header tree that another user owns or can write is
    theirs to fill: nothing is compiled against the tree, and one line names the file."""
    tree = os.path.join(str(tmp_path), "kernel")
    os.makedirs(os.path.join(tree, "include", "linux"), 0o755)
    os.chmod(str(tmp_path), 0o755)
    open(os.path.join(tree, "include", "linux", "kconfig.h"), "w").close()
    planted = os.path.join(tree, "include", "linux", "types.h")
    with open(planted, "w") as f:
        f.write("#error planted\n")
    if how == "another user's":
        os.chown(planted, 65534, 65534)
    else:
        os.chmod(planted, 0o666)
    r = run_tool("gofunccount", f"{built.path('go126', 'tracee')}:main.add",
                 env={"GOTOOLS_CACHE_DIR": cache_dir(tmp_path), "BCC_KERNEL_SOURCE": tree},
                 timeout=60)
    why = "is owned by another user" if how == "another user's" else "is writable by other users"
    assert "the kernel headers are not root's alone, so nothing is compiled against them: " \
        f"'{planted}' {why}" in one_line(r), r


def untrusted_dirs(tmp_path):
    base = str(tmp_path)
    made = {}
    made["another user's"] = os.path.join(base, "nobody")
    os.mkdir(made["another user's"], 0o700)
    os.chown(made["another user's"], 65534, 65534)
    made["group-writable"] = os.path.join(base, "group")
    os.mkdir(made["group-writable"])
    os.chmod(made["group-writable"], 0o770)
    target = os.path.join(base, "target")
    os.mkdir(target, 0o700)
    made["through a link"] = os.path.join(base, "link")
    os.symlink(target, made["through a link"])
    parent = os.path.join(base, "users")
    os.mkdir(parent, 0o755)
    made["in another user's directory"] = os.path.join(parent, "cache")
    os.mkdir(made["in another user's directory"], 0o700)
    os.chown(parent, 65534, 65534)
    return made, target


@pytest.mark.parametrize("how", ["another user's", "group-writable", "through a link",
                                 "in another user's directory"])
def test_untrusted_cache_dir(built, tmp_path, how):
    """GOTOOLS_CACHE_DIR steers root only to a directory nobody else can change: root's, not
    group- or world-writable, reached through no link and no directory of another user's.
    Another is not used (the tool works without a cache); nothing is read from or written to it."""
    made, target = untrusted_dirs(tmp_path)
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    r = run_tool("gofunccount", "-d", "1", f"{binary}:main.add",
                 env={"GOTOOLS_CACHE_DIR": made[how]})
    assert r.returncode == 0, r
    for d in (made[how], target):
        if os.path.isdir(d):
            assert os.listdir(d) == [], (d, os.listdir(d))


def bpf_files(cache):
    return sorted(os.path.join(cache, n) for n in os.listdir(cache) if n.endswith(".bpf"))


def test_bpf_cache_changed_on_disk(built, tmp_path):
    """A cached program changed on disk (here each `+= 1` of gofunccount's count made
    `+= 1000`) is refused and compiled again: the counts are the program's own."""
    env = {"GOTOOLS_CACHE_DIR": cache_dir(tmp_path)}
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    count_tracee(binary, env, pattern="main.add")
    path, = bpf_files(env["GOTOOLS_CACHE_DIR"])
    with open(path, "rb") as f:
        data = f.read()
    # BPF_ALU64 | BPF_ADD | BPF_K with imm 1, at an instruction's start
    forged, n = re.subn(rb"\x07[\x00-\x0a]\x00\x00\x01\x00\x00\x00",
                        lambda m: m.group(0)[:4] + struct.pack("<i", 1000), data)
    assert n >= 1
    with open(path, "wb") as f:
        f.write(forged)
    table, report, out = count_tracee(binary, env, pattern="main.add")
    assert table == {"main.add": report["main.add"]}, out


def test_bpf_cache_under_another_name(built, tmp_path):
    """Another tool's program put under gofunccount's file name is refused: gofunccount
    compiles its own, and counts."""
    env = {"GOTOOLS_CACHE_DIR": cache_dir(tmp_path)}
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    count_tracee(binary, env, pattern="main.add")
    mine, = bpf_files(env["GOTOOLS_CACHE_DIR"])
    r = run_tool("gofunclatency", "-d", "1", f"{binary}:main.add", env=env)
    assert r.returncode == 0, r
    other, = [p for p in bpf_files(env["GOTOOLS_CACHE_DIR"]) if p != mine]
    shutil.copy(other, mine)
    table, report, out = count_tracee(binary, env, pattern="main.add")
    assert table == {"main.add": report["main.add"]}, out


def call_sites(binary, func):
    """The CALL and JMP sites of func that libgo finds (tests/helpers/gofuncs -c)."""
    r = subprocess.run([helper("gofuncs"), "-c", binary], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    for line in r.stdout.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] == func:
            return [int(a, 16) for a in fields[2][len("calls="):].split(",")]
    pytest.fail(f"no call sites of {func} in {binary}")


def calls_file(env, binary):
    """The call-site cache file of binary: gofunccount of every function writes it."""
    r = run_tool("gofunccount", "-d", "1", f"{binary}:*", env=env, timeout=60)
    assert r.returncode == 0, r
    path, = [os.path.join(env["GOTOOLS_CACHE_DIR"], n)
             for n in os.listdir(env["GOTOOLS_CACHE_DIR"]) if n.endswith(".calls")]
    return path


def shift_sites(data, sites):
    """data with each site's address (little-endian, 8 bytes) moved one byte on: into the
    middle of its CALL instruction."""
    for a in sites:
        old, new = struct.pack("<Q", a), struct.pack("<Q", a + 1)
        assert data.count(old) == 1, hex(a)
        data = data.replace(old, new)
    return data


def count_checked(binary, env):
    """gofunccount of main.add on a running tracee, entered at its callers: exact, and every
    probe at an instruction the call-site scan found."""
    table, report, out = count_tracee(binary, env, pattern="main.add")
    assert table == {"main.add": report["main.add"]}, out


def test_calls_cache_changed_on_disk(built, tmp_path):
    """Call sites changed on disk (each of main.add's moved into the middle of its CALL, where
    a probe would corrupt the instruction) are refused: the binary is scanned again."""
    env = {"GOTOOLS_CACHE_DIR": cache_dir(tmp_path)}
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    sites = call_sites(binary, "main.add")
    path = calls_file(env, binary)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(shift_sites(data, sites))
    count_checked(binary, env)


def test_calls_cache_forged(built, tmp_path):
    """A call-site file whole and under its right name (its digest made again) whose sites are
    not main.add's CALLs in this binary: every site is checked against the binary's bytes before
    it is used, the binary scanned again and the file made anew."""
    env = {"GOTOOLS_CACHE_DIR": cache_dir(tmp_path)}
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    sites = call_sites(binary, "main.add")
    path = calls_file(env, binary)
    with open(path, "rb") as f:
        data = f.read()
    forged = shift_sites(data[:-32], sites)
    with open(path, "wb") as f:
        f.write(forged + hashlib.sha256(forged).digest())
    count_checked(binary, env)
    with open(path, "rb") as f:
        assert f.read() == data  # found again, and kept


def test_calls_cache_only_for_files_no_one_else_writes(built, tmp_path):
    """A binary its owner can rewrite between the digest that keys its call sites and the scan
    that finds them (another user's, or writable by others) is scanned every run, never cached:
    its sites could be another binary's under that binary's key. Counts stay exact."""
    env = {"GOTOOLS_CACHE_DIR": cache_dir(tmp_path)}
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    for how in ("another user's", "writable by others", "root's"):
        if how == "another user's":
            os.chown(binary, 65534, 65534)
        else:
            os.chown(binary, 0, 0)
            os.chmod(binary, 0o757 if how == "writable by others" else 0o755)
        r = run_tool("gofunccount", "-d", "1", f"{binary}:*", env=env, timeout=60)
        assert r.returncode == 0, r
        calls = [n for n in os.listdir(env["GOTOOLS_CACHE_DIR"]) if n.endswith(".calls")]
        assert len(calls) == (how == "root's"), (how, calls)
        count_checked(binary, env)


def test_binary_not_opened_unless_regular(tmp_path):
    """A path that names a FIFO (or a device) is looked at, not opened: a writer waiting on
    the FIFO stays blocked, as a device's driver is never run; one line says what it is."""
    fifo = os.path.join(str(tmp_path), "fifo")
    os.mkfifo(fifo)
    opened = threading.Event()

    def writer():
        fd = os.open(fifo, os.O_WRONLY)  # returns once someone opens the FIFO to read
        opened.set()
        os.close(fd)

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    for link in (fifo, os.path.join(str(tmp_path), "link")):
        if link != fifo:
            os.symlink(fifo, link)
        r = run_tool("gofunccount", f"{link}:main.*", timeout=60)
        assert f"'{link}' is not a regular file" in one_line(r), r
    time.sleep(0.2)
    assert not opened.is_set(), "the tool opened the FIFO"
    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # lets the writer go
    t.join(5)


def test_dwarf_naming_another_file(built, tmp_path):
    """DWARF that names a supplementary file (.gnu_debugaltlink, a path the binary chooses:
    libdw would open it, a FIFO would hang the tool, a bomb there has no cap) is not read: one
    line says why, where the tool needs the DWARF; Go's linkers never write such a section."""
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    fifo = os.path.join(str(tmp_path), "alt")
    os.mkfifo(fifo)
    link = os.path.join(str(tmp_path), "altlink")
    with open(link, "wb") as f:
        f.write(fifo.encode() + b"\0" + bytes(20))
    subprocess.run(["objcopy", "--add-section", f".gnu_debugaltlink={link}", binary],
                   check=True, timeout=60)
    r = run_tool("gotrace", f'{binary}:main.greet "%s", name', timeout=60)
    assert f"the DWARF of '{binary}' is not read: its .gnu_debugaltlink names another file" \
        in one_line(r), r


# ---------------------------------------------------------------------------------------------
# Probes go into the file that was read


def hooked(*args, env=None):
    """gofunccount's test build, stopped before it attaches its probes."""
    t = RawTool("gofunccount", *args, path=helper("gofunccount-test"),
                env=dict(env or {}, GOTOOLS_TEST_STOP="attach"))
    t.wait_stopped()
    return t


def test_path_swapped_before_attach(built, tmp_path):
    """The binary's path renamed over by another program (whose process runs) between the read
    and the attach: that program gets no probe; the file that was read gets them all."""
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    victim = os.path.join(str(tmp_path), "victim")  # its code spans tracee's offsets
    shutil.copy2(built.path("go126", "hostile"), victim)
    with GoProgram(binary) as prog, GoProgram(victim) as other:
        t = hooked(f"{binary}:main.*")  # every process that runs the file
        link = os.path.join(str(tmp_path), "link")
        os.link(victim, link)
        os.rename(link, binary)  # binary now names victim's file
        os.kill(t.proc.pid, signal.SIGCONT)
        t.wait_ready()
        assert code_differences(other.pid, victim) == []
        prog.go()
        report = prog.result()
        status, out, err = t.stop()
        assert code_differences(other.pid, victim) == []
    assert status == 0, (out, err)
    table = parse_funccount(out.decode())
    assert_counts(table, {k: v for k, v in report.items() if k in ("main.add", "main.greet")},
                  out.decode())


def test_exec_before_attach(built, tmp_path):
    """A -p process that exec'd another program between the read and the attach: the new
    program gets no probe, and the tool says so in one line."""
    victim = private_copy(built.path("go126", "tracee"), tmp_path)
    with GoProgram(built.path("go126", "hostile")) as prog:
        t = hooked("-p", str(prog.pid), "main.*")
        prog.go(f"exec {victim}")
        deadline = time.monotonic() + 10
        while os.readlink(f"/proc/{prog.pid}/exe") != victim:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        prog._expect_line("ready pid=")
        os.kill(t.proc.pid, signal.SIGCONT)
        status, out, err = t.wait()
        assert code_differences(prog.pid, victim) == []
    assert status == 1, (out, err)
    assert err.decode() == (f"gofunccount-test: pid {prog.pid} no longer runs "
                            f"'{os.path.realpath(built.path('go126', 'hostile'))}' (it ran "
                            "another program by the time the probes were attached)\n"), err


# ---------------------------------------------------------------------------------------------
# A compressed-DWARF bomb


def elf_section_header(data, name):
    """(header offset, flags) of an ELF64 LE file's section."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    headers = [struct.unpack_from("<IIQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    for i, (n, _type, flags) in enumerate(headers):
        if data[strtab + n:data.index(b"\0", strtab + n)] == name:
            return shoff + i * shentsize, flags
    raise AssertionError(name)


def dwarf_bomb(data, size):
    """data with its .debug_info replaced by a zlib stream (SHF_COMPRESSED) that inflates to
    size bytes of zeros: about size / 1000 bytes in the file."""
    header, flags = elf_section_header(data, b".debug_info")
    z = zlib.compressobj(9)
    zeros = bytes(1 << 24)
    stream = b"".join(z.compress(zeros) for _ in range(size >> 24)) + z.flush()
    section = struct.pack("<IIQQ", 1, 0, size, 1) + stream  # Elf64_Chdr, ELFCOMPRESS_ZLIB
    out = bytearray(data) + bytes(-len(data) % 8)
    offset = len(out)
    out += section
    struct.pack_into("<Q", out, header + 0x08, flags | 0x800)  # SHF_COMPRESSED
    struct.pack_into("<QQ", out, header + 0x18, offset, len(section))
    return bytes(out)


@pytest.fixture(scope="module")
def bomb(built, tmp_path_factory):
    with open(built.path("go126", "tracee"), "rb") as f:
        data = dwarf_bomb(f.read(), 1 << 30)
    path = os.path.join(str(tmp_path_factory.mktemp("bomb")), "tracee-bomb")
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o755)
    return path


def run_measured(argv, tmp_path):
    """Run argv to its end: (status, stdout, stderr, seconds, its peak RSS in KiB)."""
    with open(os.path.join(str(tmp_path), "out"), "w+") as out, \
            open(os.path.join(str(tmp_path), "err"), "w+") as err:
        start = time.monotonic()
        status, maxrss = run_peak_rss(argv, out, err)
        took = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        return status, out.read(), err.read(), took, maxrss


def test_dwarf_bomb_gofunccount(bomb, tmp_path):
    """gofunccount reads no DWARF: a .debug_info that would inflate to 1 GiB costs it nothing
    (its BPF program cached by a first run, the second is measured)."""
    for _ in range(2):
        status, out, err, took, maxrss = run_measured(
            [tool("gofunccount"), "-d", "1", f"{bomb}:main.*"], tmp_path)
        assert status == 0, (out, err)
    assert maxrss < 100 * 1024 and took < 10, (maxrss, took)


@pytest.mark.parametrize("name, args", [
    ("gotrace", ['{bomb}:main.greet "%s", name']),
    ("goiface", ["{bomb}:main.greet", "name"]),
    ("gofunclatency", ["-d", "1", "{bomb}:main.add"]),
])
def test_dwarf_bomb_capped(bomb, tmp_path, name, args):
    """A tool that would read DWARF does not inflate it past its cap: one line says so when the
    tool needs the DWARF (parameter names); the goroutine id's offset comes from Go's release."""
    status, out, err, _, maxrss = run_measured(
        [tool(name), *[a.replace("{bomb}", bomb) for a in args]], tmp_path)
    assert maxrss < 300 * 1024, (maxrss, out, err)
    if name == "gofunclatency":
        assert status == 0, (out, err)
        return
    assert status == 1 and len(err.splitlines()) == 1, (out, err)
    assert f"the DWARF of '{bomb}' is not read: its .debug_info would inflate to 1024.0 MiB " \
           "(at most" in err, err


# ---------------------------------------------------------------------------------------------
# Messages that say the cause


def one_line(r, status=1):
    assert r.returncode == status and r.stdout == "" and len(r.stderr.splitlines()) == 1, r
    return r.stderr


def test_user_namespace(built):
    """Root of a user namespace has every capability there and none where BPF checks them."""
    r = subprocess.run(["unshare", "--user", "--map-root-user", tool("gofunccount"),
                        f"{built.path('go126', 'tracee')}:main.add"], capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert "runs in a user namespace" in one_line(r), r


def test_other_users_process_needs_ptrace(built, tmp_path):
    """With CAP_BPF and CAP_PERFMON only, another user's process cannot be read: the message
    names the capability that is missing."""
    shared = tempfile.mkdtemp(prefix="gotools-ptrace-")  # where nobody can run it from
    os.chmod(shared, 0o755)
    binary = private_copy(built.path("go126", "tracee"), shared)
    with GoProgram("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", binary) as prog:
        r = subprocess.run(["setpriv", "--bounding-set=-all,+bpf,+perfmon",
                            "--inh-caps=-all", tool("gofunccount"), "-p", str(prog.pid),
                            "main.add"], capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    shutil.rmtree(shared)
    assert one_line(r) == (f"gofunccount: cannot read the executable of pid {prog.pid}: "
                           "Permission denied (another user's process needs CAP_SYS_PTRACE)\n")


def test_huge_sparse_file(built, tmp_path):
    """A 200 GB sparse file with an ELF header is too large, not "not an ELF file"."""
    path = os.path.join(str(tmp_path), "huge")
    with open(built.path("go126", "tracee"), "rb") as src, open(path, "wb") as f:
        f.write(src.read(4096))
        f.truncate(200 << 30)
    r = run_tool("gofunccount", f"{path}:main.*")
    assert one_line(r) == (f"gofunccount: '{path}' is too large to be a Go binary: 200.0 GiB "
                           "(the tools read at most 4 GiB)\n")


def entry_offset(binary, func):
    """The file offset of func's entry site, as libgo plans it (tests/helpers/gofuncs -s)."""
    r = subprocess.run([helper("gofuncs"), "-s", binary], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    line, = [l for l in r.stdout.splitlines() if f" {func} " in l]
    site = int(re.search(r"entry=0x([0-9a-f]+)", line).group(1), 16)
    with open(binary, "rb") as f:
        phoff, = struct.unpack("<Q", (f.seek(0x20), f.read(8))[1])
        f.seek(0x36)
        phentsize, phnum = struct.unpack("<HH", f.read(4))
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ptype, _, off, vaddr, _, filesz = struct.unpack("<IIQQQQ", f.read(40))
            if ptype == 1 and vaddr <= site < vaddr + filesz:
                return site - vaddr + off
    raise AssertionError(hex(site))


def test_enotsupp(built, tmp_path):
    """The kernel's ENOTSUPP (524) for an instruction it cannot probe is said in words, not as
    "Unknown error 524": the file changed between the read and the attach, where a process maps
    it (here: a CS prefix written at main.add's entry, mapped executable by the test)."""
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    offset = entry_offset(binary, "main.add")
    t = hooked(f"{binary}:main.add", env={"GOTOOLS_NO_CALL_SITES": "1"})
    with open(binary, "r+b") as f:
        m = mmap.mmap(f.fileno(), 0, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_EXEC)
        os.pwrite(f.fileno(), b"\x2e", offset)
        os.kill(t.proc.pid, signal.SIGCONT)
        status, out, err = t.wait()
        m.close()
    assert status == 1 and out == b"", (out, err)
    assert err.decode() == (f"gofunccount-test: cannot attach 1 uprobe to '{binary}': the kernel cannot "
                            "probe the instruction at one of the offsets (ENOTSUPP): has the file "
                            "changed since it was read?\n"), err


def test_bcc_probes_the_same_function(built, tmp_path, tracefs):
    """bcc's Python tools register their uprobes with a ref_ctr_offset; another uprobe on the
    same instruction without it is EINVAL, and the kernel's log says why: so does the tool."""
    binary = private_copy(built.path("go126", "tracee"), tmp_path)
    bcc = subprocess.Popen(["funccount-bpfcc", "-d", "60", f"{binary}:main.add"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = bcc.stdout.readline()
        assert line.startswith("Tracing 1 functions"), line
        r = run_tool("gofunccount", "-d", "1", f"{binary}:main.add",
                     env={"GOTOOLS_NO_CALL_SITES": "1"})
    finally:
        bcc.send_signal(signal.SIGINT)
        bcc.communicate(timeout=60)
    assert one_line(r) == (f"gofunccount: cannot attach 1 uprobe to '{binary}': another tool "
                           "(bcc's Python tools, for one) probes the same instruction with a "
                           "different ref_ctr_offset (the kernel log says \"ref_ctr_offset "
                           "mismatch\"): stop it, or leave that function out\n")


def test_pprof_not_through_a_link(built, tmp_path):
    """--pprof into a directory others can write: a symbolic link planted at that name is not
    followed (root would write over the file it names), in one line, before tracing."""
    precious = os.path.join(str(tmp_path), "precious")
    with open(precious, "w") as f:
        f.write("root's own\n")
    link = os.path.join(str(tmp_path), "q.pb.gz")
    os.symlink(precious, link)
    r = run_tool("gostack", "--pprof", link, "-D", "1", f"{built.path('go126', 'tracee')}:main.add")
    assert one_line(r) == f"gostack: cannot write '{link}': it is a symbolic link\n", r
    with open(precious) as f:
        assert f.read() == "root's own\n"
