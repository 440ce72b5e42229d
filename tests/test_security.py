"""The tools run as root on binaries, in directories and beside programs that others control:
these tests play the attacker (issue 19).

- Names in a binary and values in a traced program that hold terminal escapes reach the
  terminal escaped, in every tool's output, listings and messages (tests/go/hostile, renamed
  and patched so that its file, comm, a function, a source file and a type are named with ESC,
  BEL and newlines).
"""

import os
import signal
import subprocess
import threading
import time

import pytest

from conftest import GoProgram, tool

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

    def __init__(self, name, *args, env=None):
        self.proc = subprocess.Popen([tool(name), *args], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
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

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(30)
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
    text = assert_escaped(out + err, f"Function = {FUNC}\n", f"returns of {FUNC}: ")
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
