"""bcc's options as runbooks use them: each one the tools take works as bcc's does, checked
against what tests/go/bccopts reports of itself (its locked thread, its CPU, its calls); each
one that means nothing for Go programs is refused with one line and exit status 2.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest

from conftest import GoProgram, LineReader, Tool, parse_funccount_tables, run_tool, tool

VARIANTS = ["go126", "go119"]
PROGRAM = "bccopts"
TRACE_HEADER = re.compile(r"^(TIME\s+)*(CPU\s+)?PID\s+TID\s+COMM\s+GOID\s+FUNC")


class Program(GoProgram):
    """tests/go/bccopts, with the thread its locked goroutine runs on (self.tid)."""

    def __enter__(self):
        super().__enter__()
        self.tid = int(self._expect_line("tid=").split("=", 1)[1])
        return self


class Trace(Tool):
    """gotrace, ready once its column header is out."""

    def _wait_for_banner(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if any(TRACE_HEADER.match(l) for l in self.out.lines):
                return None
            if self.proc.poll() is not None:
                time.sleep(0.1)
                pytest.fail(f"{self.command()} exited with {self.proc.returncode} before tracing; "
                            f"stderr:\n{self.err.text()}", pytrace=False)
            time.sleep(0.02)
        self.proc.kill()
        pytest.fail(f"{self.command()} was not ready; stderr:\n{self.err.text()}", pytrace=False)


def events(stdout, func="main.work"):
    """The event lines of gotrace output for func, split into columns."""
    return [l.split() for l in stdout.splitlines()
            if re.match(r"^\d", l) and re.search(r"\s%s(\s|$)" % re.escape(func), l)]


def run_programs(progs, tracer):
    """Start the programs' calls with the tracer attached; return their reports and its output."""
    reports = []
    for p in progs:
        p.go()
    for p in progs:
        reports.append(p.result())
    time.sleep(0.3)
    status, out, err = tracer.interrupt()
    for p in progs:
        p.stop()
    assert status == 0, err
    return reports, out, err


# ---- help ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["gofunccount", "gotrace", "gofunclatency", "gostack", "goiface"])
def test_help_one_usage_line_lists_h(name):
    """--help prints one usage line (bcc's form) and lists -h among the options."""
    result = run_tool(name, "--help")
    assert result.returncode == 0
    usage = [l for l in result.stdout.splitlines() if l.lower().startswith("usage:")]
    assert usage == [l for l in result.stdout.splitlines() if l.startswith("USAGE: " + name + " [-h]")]
    assert len(usage) == 1
    assert re.search(r"^\s+-h, --help\s+show this help message and exit$", result.stdout, re.M)


# ---- gofunccount -c CPU -------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS)
def test_funccount_cpu(built, variant):
    """-c CPU counts the calls made on that CPU only: of two copies pinned to CPUs 0 and 1, the
    one on the chosen CPU, exactly."""
    binary = built.path(variant, PROGRAM)
    with Program("taskset", "-c", "0", binary) as p0, Program("taskset", "-c", "1", binary) as p1:
        with Tool("gofunccount", "-c", "1", binary + ":main.work") as t:
            reports, out, err = run_programs([p0, p1], t)
    tables = parse_funccount_tables(out)
    assert reports[1]["cpu"] == 1 and reports[0]["cpu"] == 0
    assert tables[-1] == {"main.work": reports[1]["locked"] + reports[1]["other"]}


def test_funccount_cpu_invalid():
    result = run_tool("gofunccount", "-c", str(os.cpu_count() + 64), "x:main.x")
    assert result.returncode == 2
    assert result.stderr == f"gofunccount: invalid CPU: '{os.cpu_count() + 64}'\n"


def cpus_possible():
    """CPUs a per-CPU buffer is made for (/sys/devices/system/cpu/possible, e.g. 0-1)."""
    with open("/sys/devices/system/cpu/possible") as f:
        n = 0
        for part in f.read().strip().split(","):
            lo, _, hi = part.partition("-")
            n += int(hi or lo) - int(lo) + 1
        return n


def work_args(report):
    """The arguments of main.work, call by call: 0..locked-1 on the locked thread, then each
    other goroutine's 0..otherCalls-1."""
    others = report["other"] // 4
    return list(range(report["locked"])) + [i for _ in range(4) for i in range(others)]


@pytest.fixture
def scratch():
    """A directory that nobody-owned programs can run from; removed afterwards."""
    d = tempfile.mkdtemp(prefix="gotools-bcc-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def copy_binary(binary, scratch, name="bccopts"):
    path = os.path.join(scratch, name)
    shutil.copy(binary, path)
    os.chmod(path, 0o755)
    return path


# ---- gotrace ------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_tid(built, variant):
    """-L TID traces that thread only: the goroutine locked to it (runtime.LockOSThread), all of
    its calls, and none of the other goroutines'. Without -p, the thread's process gives the
    binary, as -p's does."""
    with Program(built.path(variant, PROGRAM)) as p:
        assert p.tid != p.pid
        with Trace("gotrace", "-L", str(p.tid), "main.work") as t:
            [report], out, err = run_programs([p], t)
    ev = events(out)
    assert len(ev) == report["locked"], out
    assert {(e[0], e[1]) for e in ev} == {(str(p.pid), str(p.tid))}


def test_trace_tid_and_pid_exclusive():
    result = run_tool("gotrace", "-p", "1", "-L", "1", "main.x")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "gotrace: only one of -p and -L may be specified"


def test_trace_tid_missing():
    result = run_tool("gotrace", "-L", "2147483646", "main.x")
    assert result.returncode == 1
    assert result.stderr == "gotrace: no thread with tid 2147483646\n"


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_cpu_column(built, variant):
    """-C prints the CPU of each event, bcc's CPU column: two copies pinned to CPUs 0 and 1."""
    binary = built.path(variant, PROGRAM)
    with Program("taskset", "-c", "0", binary) as p0, Program("taskset", "-c", "1", binary) as p1:
        with Trace("gotrace", "-C", binary + ":main.work") as t:
            reports, out, err = run_programs([p0, p1], t)
    assert re.search(r"^CPU PID     TID     COMM", out, re.M), out
    ev = events(out)
    want = {str(p0.pid): "0", str(p1.pid): "1"}
    assert len(ev) == sum(r["locked"] + r["other"] for r in reports)
    assert all(want[e[1]] == e[0] for e in ev), out


def cgroup2_root():
    with open("/proc/mounts") as f:
        for line in f:
            dev, mnt, fstype = line.split()[:3]
            if fstype == "cgroup2":
                return mnt
    pytest.skip("no cgroup v2 hierarchy mounted")


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_cgroup(built, variant):
    """-c CGROUP_PATH traces the processes in that cgroup (v2) only: of two copies of one
    binary, the one moved into a new cgroup, every call of it."""
    binary = built.path(variant, PROGRAM)
    cg = tempfile.mkdtemp(prefix="gotools-test-", dir=cgroup2_root())
    try:
        with Program(binary) as inside, Program(binary) as outside:
            with open(os.path.join(cg, "cgroup.procs"), "w") as f:
                f.write(str(inside.pid))
            with Trace("gotrace", "-c", cg, binary + ":main.work") as t:
                reports, out, err = run_programs([inside, outside], t)
    finally:
        for _ in range(50):
            try:
                os.rmdir(cg)
                break
            except OSError:
                time.sleep(0.1)
    ev = events(out)
    assert len(ev) == reports[0]["locked"] + reports[0]["other"], out
    assert {e[0] for e in ev} == {str(inside.pid)}


def test_trace_cgroup_not_a_cgroup(built, tmp_path):
    """-c with a directory that is no cgroup v2, or with none: one line, exit 1, before tracing."""
    binary = built.path("go126", PROGRAM)
    result = run_tool("gotrace", "-c", str(tmp_path), binary + ":main.work")
    assert (result.returncode, result.stderr) == (1, f"gotrace: '{tmp_path}' is not a cgroup v2 directory\n")
    missing = os.path.join(str(tmp_path), "none")
    result = run_tool("gotrace", "-c", missing, binary + ":main.work")
    assert (result.returncode, result.stderr) == (
        1, f"gotrace: cannot open cgroup '{missing}': No such file or directory\n")


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_uid(built, variant, scratch):
    """--uid UID traces that user's processes only: a copy run as nobody (setpriv), not one
    run as root."""
    binary = copy_binary(built.path(variant, PROGRAM), scratch)
    with Program("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", binary) as nobody, \
            Program(binary) as root:
        with Trace("gotrace", "--uid", "65534", binary + ":main.work") as t:
            reports, out, err = run_programs([nobody, root], t)
    ev = events(out)
    assert len(ev) == reports[0]["locked"] + reports[0]["other"], out
    assert {e[0] for e in ev} == {str(nobody.pid)}


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_name(built, variant, scratch):
    """-n NAME prints the events of processes whose name contains NAME: two names for one
    binary (symbolic links, so one inode and one set of probes)."""
    binary = copy_binary(built.path(variant, PROGRAM), scratch)
    for name in ("alpha-svc", "beta-svc"):
        os.symlink(binary, os.path.join(scratch, name))
    with Program(os.path.join(scratch, "alpha-svc")) as alpha, \
            Program(os.path.join(scratch, "beta-svc")) as beta:
        with Trace("gotrace", "-n", "pha-s", binary + ":main.work") as t:
            reports, out, err = run_programs([alpha, beta], t)
    ev = events(out)
    assert len(ev) == reports[0]["locked"] + reports[0]["other"], out
    assert {(e[0], e[2]) for e in ev} == {(str(alpha.pid), "alpha-svc")}


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_msg_filter(built, variant):
    """-f MSG_FILTER prints the events whose message contains it, and -M counts only those."""
    with Program(built.path(variant, PROGRAM)) as p:
        with Trace("gotrace", "-f", "i=4", "-p", str(p.pid), 'main.work "i=%d", goarg1') as t:
            [report], out, err = run_programs([p], t)
    want = sorted("i=%d" % i for i in work_args(report) if "i=4" in "i=%d" % i)
    assert sorted(e[-1] for e in events(out)) == want
    with Program(built.path(variant, PROGRAM)) as p:
        with Trace("gotrace", "-M", "3", "-f", "i=4", "-p", str(p.pid), 'main.work "i=%d", goarg1') as t:
            p.go()
            p.result()
            status, out, err = t.wait()
        p.stop()
    assert status == 0
    assert [e[-1] for e in events(out)] == ["i=4", "i=40", "i=41"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_string_size(built, variant):
    """-Z STRING_SIZE reads that many bytes of a string, its NUL included, as bcc's trace: 11
    characters of echo's 200 with -Z 12."""
    with Program(built.path(variant, PROGRAM)) as p:
        with Trace("gotrace", "-Z", "12", "-p", str(p.pid), 'main.echo "%s", s') as t:
            run_programs([p], t)
            out = t.out.text()
    assert [e[-1] for e in events(out, "main.echo")] == ["abcdefghija"]


@pytest.mark.parametrize("value", ["0", "129", "x"])
def test_trace_string_size_invalid(value):
    result = run_tool("gotrace", "-Z", value, "main.x")
    assert result.returncode == 2
    assert result.stderr == f"gotrace: invalid STRING_SIZE: '{value}'\n"


def ringbuf_sizes(pid):
    """max_entries (bytes) of each BPF ring buffer (map_type 27) process pid holds."""
    sizes = []
    fddir = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fddir):
        try:
            with open(os.path.join(fddir, fd)) as f:
                info = dict(l.split(":", 1) for l in f.read().splitlines() if ":" in l)
        except OSError:
            continue
        if info.get("map_type", "").strip() == "27":
            sizes.append(int(info["max_entries"]))
    return sizes


@pytest.mark.parametrize("pages,cache", [(1, "1"), (1, "0"), (4, "0"), (None, "0")])
def test_trace_buffer_pages(built, pages, cache):
    """-b BUFFER_PAGES sizes the ring buffer, bcc's pages per CPU times the CPUs (512 pages
    without -b), when the program is compiled and when it comes from the cache (one compiled
    program serves every size)."""
    binary = built.path("go126", PROGRAM)
    args = ("-b", str(pages)) if pages else ()
    with Trace("gotrace", *args, binary + ":main.work", env={"GOTOOLS_NO_CACHE": cache}) as t:
        sizes = ringbuf_sizes(t.proc.pid)
        t.interrupt()
    want = 512
    if pages:
        want = 1
        while want < pages * cpus_possible():
            want *= 2
    assert sizes == [want * os.sysconf("SC_PAGE_SIZE")]


@pytest.mark.parametrize("cache", ["1", "0"])
def test_trace_buffer_pages_lost(built, cache):
    """-b 1 holds a few events, so a burst may lose some (whether it does depends on how soon
    gotrace runs): what is printed plus what is counted lost is every call, so the program
    writes to the ring buffer the tool reads, compiled or cached."""
    binary = built.path("go126", PROGRAM)
    with Program(binary) as p:
        with Trace("gotrace", "-b", "1", "-p", str(p.pid), "main.work",
                   env={"GOTOOLS_NO_CACHE": cache}) as t:
            [report], out, err = run_programs([p], t)
    lost = re.search(r"^Possibly lost (\d+) samples$", err, re.M)
    assert len(events(out)) + (int(lost.group(1)) if lost else 0) == \
        report["locked"] + report["other"], err
    result = run_tool("gotrace", "-b", "3", "main.x")
    assert result.returncode == 2
    assert result.stderr == "gotrace: invalid BUFFER_PAGES: '3' (not a power of two)\n"


def nm_symbols(binary):
    result = subprocess.run(["nm", binary], capture_output=True, text=True, check=True)
    syms = {}
    for line in result.stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_address(built, variant):
    """-a prints each frame's virtual address in -U stacks, bcc's '%16x ' before the symbol: each
    is the symbol's address (nm) plus its offset."""
    binary = built.path(variant, PROGRAM)
    with Program(binary) as p:
        with Trace("gotrace", "-U", "-a", "-M", "1", "-p", str(p.pid), "main.work") as t:
            p.go()
            p.result()
            status, out, err = t.wait()
        p.stop()
    syms = nm_symbols(binary)
    frames = [l for l in out.splitlines() if l.startswith("        ")]
    assert len(frames) >= 3, out
    for line in frames:
        m = re.match(r"^        ([ 0-9a-f]{16}) (\S+)\+0x([0-9a-f]+) \[bccopts", line)
        assert m, line
        # assembly functions are named with their ABI in the symbol table (runtime.goexit.abi0)
        base = syms.get(m.group(2), syms.get(m.group(2) + ".abi0"))
        assert int(m.group(1), 16) == base + int(m.group(3), 16), line
    assert re.match(r"^        \s*[0-9a-f]+ main\.work\+0x", frames[0])


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_unix_timestamp(built, variant):
    """-t -u prints each event's time as seconds since the epoch, in bcc's 17-column TIME."""
    with Program(built.path(variant, PROGRAM)) as p:
        with Trace("gotrace", "-t", "-u", "-p", str(p.pid), "main.work") as t:
            before = time.time()
            [report], out, err = run_programs([p], t)
            after = time.time()
    assert re.search(r"^TIME {14}PID", out, re.M), out
    ev = events(out)
    assert len(ev) == report["locked"] + report["other"]
    assert all(before - 0.01 <= float(e[0]) <= after + 0.01 for e in ev), (before, after, ev[:3])


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_include_self(built, variant):
    """-S is taken: gotrace runs no Go code, so there is nothing of its own to filter."""
    with Program(built.path(variant, PROGRAM)) as p:
        with Trace("gotrace", "-S", "-p", str(p.pid), "main.work") as t:
            [report], out, err = run_programs([p], t)
    assert len(events(out)) == report["locked"] + report["other"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_aggregate(built, variant):
    """-A with -M counts identical events and prints each once with bcc's '-->COUNT N', the most
    frequent first: the locked goroutine's 100 calls are one line (one thread, one goroutine)."""
    with Program(built.path(variant, PROGRAM)) as p:
        with Trace("gotrace", "-A", "-M", "300", "-p", str(p.pid), "main.work") as t:
            p.go()
            report = p.result()
            status, out, err = t.wait()
        p.stop()
    assert status == 0, err
    groups = re.findall(r"^(\d+ +(\d+) +\S+ +(\d+) +main\.work *)\n-->COUNT (\d+)\n\n", out, re.M)
    counts = [int(g[3]) for g in groups]
    assert sum(counts) == report["locked"] + report["other"] == 300, out
    assert counts == sorted(counts, reverse=True)
    assert [int(g[3]) for g in groups if int(g[1]) == p.tid] == [report["locked"]], out


def test_trace_aggregate_needs_max():
    result = run_tool("gotrace", "-A", "main.x")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "gotrace: -M/--max-events should be specified with -A/--aggregate"


@pytest.mark.parametrize("args,reason", [
    (["-K"], "-K: Go functions are traced in user space: there is no kernel stack to show"),
    (["-I", "linux/fs.h"], "-I: probes read Go values by the Go ABI and DWARF: there are no C "
     "headers to include"),
    (["-s", "/bin/ls"], "-s: symbols come from each binary's own Go function table (pclntab)"),
    (["-B"], "-B: gotrace's filters compare numbers: there is no STRCMP to take binary values"),
])
def test_trace_refused(args, reason):
    """bcc's options that mean nothing for Go programs: one line saying why, exit status 2."""
    result = run_tool("gotrace", *args, "main.x")
    assert result.returncode == 2
    assert result.stderr == f"gotrace: {reason}\n"


# ---- gofunclatency -l LEVEL ---------------------------------------------------------------------

@pytest.mark.parametrize("variant", VARIANTS + ["go116"])
@pytest.mark.parametrize("level", [None, 1, 2, 7])
def test_funclatency_level(built, variant, level):
    """-l LEVEL times the outermost LEVEL levels of nested calls, as bcc's funclatency: nest
    recurses depth levels, so LEVEL of each are timed (all of them without -l). Go 1.16 keeps g
    in thread-local storage: its goroutines are found through their threads' runtime.m."""
    args = ("-l", str(level)) if level else ()
    with Program(built.path(variant, PROGRAM)) as p:
        with Tool("gofunclatency", *args, "-p", str(p.pid), "main.nest") as t:
            [report], out, err = run_programs([p], t)
    count = int(re.search(r"count: (\d+)", out).group(1))
    assert count == report["nest"] * min(level or report["depth"], report["depth"]), out


def test_funclatency_level_refused_without_goroutines(built):
    """gccgo keeps g out of reach: calls are matched by SP, so -l cannot nest them; one line,
    exit 1, nothing attached."""
    binary = built.path("gccgo", PROGRAM)
    result = run_tool("gofunclatency", "-l", "2", binary + ":main.nest", timeout=120)
    assert result.returncode == 1
    assert re.fullmatch(r"gofunclatency: -l: \S+ keeps no goroutine in R14 \(gccgo\), so calls "
                        r"cannot be nested by level\n", result.stderr), result.stderr


@pytest.mark.parametrize("variant", VARIANTS)
def test_trace_cpu_json(built, variant):
    """-C with -j: each event's "cpu", the CPU the program is pinned to."""
    binary = built.path(variant, PROGRAM)
    with Program("taskset", "-c", "1", binary) as p:
        with Tool("gotrace", "-j", "-C", "-p", str(p.pid), "main.work") as t:
            [report], out, err = run_programs([p], t)
    evs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    assert len(evs) == report["locked"] + report["other"]
    assert {e["cpu"] for e in evs} == {1}


# ---- -r: anchored at the start, as bcc's re.match -----------------------------------------------

def bcc_installed(name):
    path = f"/usr/sbin/{name}-bpfcc"
    if not os.access(path, os.X_OK):
        pytest.skip(f"bcc's {name} is not installed")
    return path


def bcc_functions(binary, regex):
    """The functions bcc's funccount, funclatency and stackcount probe for BINARY:REGEX, by bcc's
    own matcher (BPF.get_user_functions_and_addresses: re.match over the ELF symbols)."""
    code = ("import sys\nfrom bcc import BPF\n"
            "for n, a in BPF.get_user_functions_and_addresses(sys.argv[1], sys.argv[2]):\n"
            "    print(n.decode())\n")
    result = subprocess.run(["/usr/bin/python3", "-c", code, binary, regex],
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0 and "No module named 'bcc'" in result.stderr:
        pytest.skip("bcc's Python module is not installed")
    assert result.returncode == 0, result.stderr
    # bcc sees assembly functions under their ELF symbols' ABI suffix
    return sorted(re.sub(r"\.abi0$", "", n) for n in result.stdout.split())


def listed_functions(stdout):
    """The FUNC column of a -v listing, without what follows a name in parentheses; a generic
    function's instantiations (main.Map[int], "... with dictionary ..."), which have no symbol
    of their own for bcc to name, left out."""
    rows = (re.match(r"^0x[0-9a-f]+\s+(?:\+\d+(?: jcc)?|\d+ calls?)\s+\S+\s+(.*)$", l)
            for l in stdout.splitlines() if " with dictionary " not in l)
    return sorted(re.sub(r" \(.*\)$", "", m.group(1)) for m in rows if m)


@pytest.mark.parametrize("name", ["gofunccount", "gofunclatency"])
def test_regexp_anchored_at_start(built, name):
    """-r matches from the start of a name and may end anywhere, as bcc's re.match: 'main\\.'
    names main's functions and not runtime.main; the same functions bcc's matcher finds, and as
    many as funccount-bpfcc says it traces."""
    funccount = bcc_installed("funccount")
    binary = built.path("go126")
    regex = r"main\."
    result = run_tool(name, "-v", "-d", "1", "-r", f"{binary}:{regex}")
    assert result.returncode == 0, result.stderr
    ours = listed_functions(result.stdout)
    assert "main.add" in ours and "runtime.main" not in ours, ours
    assert ours == bcc_functions(binary, regex)
    bcc = subprocess.run([funccount, "-d", "1", "-r", f"{binary}:{regex}"], capture_output=True,
                         text=True, timeout=120)
    assert re.search(r"^Tracing %d functions for " % len(ours), bcc.stdout, re.M), bcc.stdout
    mid = run_tool(name, "-d", "1", "-r", f"{binary}:add")
    assert mid.returncode == 1 and "functions matched" in mid.stdout + mid.stderr, mid


# ---- bcc's probe forms that name no Go function ---------------------------------------------------

KERNEL = "an empty library is bcc's kernel function: Go functions are traced in user space"
OFFSET = "FUNC+OFFSET: Go functions are probed where a call is seen once (past the stack check) " \
    "and at their returns only"
SIGNATURE = "C signatures: a Go function's arguments are found by the Go ABI and DWARF (goargN, " \
    "or their Go names)"
BCC_FORMS = [
    ("t:sched:sched_switch", "t: is a kernel tracepoint: these tools trace Go functions"),
    ("u:{b}:probe", "u: is a USDT probe: Go's compilers put none in a binary"),
    ("p::vfs_read", KERNEL),
    (":vfs_read", KERNEL),
    ("c:malloc", "c: is bcc's C library: these tools trace Go functions; name a Go binary by its path"),
    ("p:c:malloc", "c: is bcc's C library: these tools trace Go functions; name a Go binary by its path"),
    ("{b}:main.add+4", OFFSET),
    ("{b}:main.add+0x1f", OFFSET),
    ("{b}:main.add(int)", SIGNATURE),
]


@pytest.mark.parametrize("name", ["gofunccount", "gofunclatency", "gostack", "goiface"])
@pytest.mark.parametrize("spec,reason", BCC_FORMS)
def test_bcc_probe_forms_refused(built, name, spec, reason):
    """bcc's probe kinds that mean nothing for a Go function (tracepoints, USDT, the kernel's
    and the C library's functions, offsets into a function, C signatures): one line with the
    reason, exit status 1, as gotrace's -K is refused; not "no function matches"."""
    result = run_tool(name, spec.format(b=built.path("go126")))
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"{name}: {reason}\n")


@pytest.mark.parametrize("spec,reason", BCC_FORMS + [
    ("r::vfs_read", KERNEL), ("r:c:malloc", "c: is bcc's C library: these tools trace Go "
                             "functions; name a Go binary by its path"),
    ('{b}:main.add(int x, int y) "%d", x', SIGNATURE)])
def test_bcc_probe_forms_refused_trace(built, spec, reason):
    """gotrace's probes, p: and r: included."""
    spec = spec.format(b=built.path("go126"))
    result = run_tool("gotrace", spec)
    assert (result.returncode, result.stderr) == (1, f"gotrace: probe '{spec}': {reason}\n")


@pytest.mark.parametrize("args,spec,funcs", [
    ((), "p:{b}:main.add", ["main.add"]),
    ((), "{b}:main.(*Counter).Inc", ["main.(*Counter).Inc"]),
    (("-r",), r"{b}:main\.fib(ber)?$", ["main.fib", "main.fibber"]),
    (("-r",), r"{b}:main\.a+dd$", ["main.add"]),
])
def test_go_forms_taken(built, args, spec, funcs):
    """What looks like a bcc form but is Go's, or bcc's uprobe: bcc's "p:LIBRARY:FUNCTION" is
    "LIBRARY:FUNCTION"; a receiver's parentheses; '(' and '+' in a regular expression."""
    result = run_tool("gofunccount", "-v", "-d", "1", *args, spec.format(b=built.path("go126")))
    assert result.returncode == 0, result.stderr
    assert listed_functions(result.stdout) == sorted(funcs)


# ---- layouts as bcc's ----------------------------------------------------------------------------

def bcc_header(command, timeout=60):
    """The column header bcc's tool prints once it is tracing (the line holding PID), then
    Ctrl-C."""
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    reader = LineReader(proc.stdout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            found = [l for l in reader.lines if "PID" in l]
            if found:
                return found[0]
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        pytest.fail(f"{command} printed no header: {reader.text()} {proc.stderr.read()}")
    finally:
        proc.send_signal(2)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("args", [("-t",), ("-T",), ("-t", "-T"), ("-t", "-u"), ("-C", "-t")])
def test_trace_time_column_as_bcc(built, args):
    """-t, -T, both, and -t -u: one TIME column as wide as trace-bpfcc's (8, or 17 with -u);
    the header up to PID is trace-bpfcc's, byte for byte, and each event's time fills it."""
    trace = bcc_installed("trace")
    binary = built.path("go126", PROGRAM)
    theirs = bcc_header([trace, *args, f"{binary}:main.work"])
    with Program(binary) as p:
        with Trace("gotrace", *args, "-p", str(p.pid), "main.work") as t:
            [report], out, err = run_programs([p], t)
    ours = [l for l in out.splitlines() if TRACE_HEADER.match(l)][0]
    assert ours[:ours.index("PID")] == theirs[:theirs.index("PID")]
    width = 17 if "-u" in args else 8
    ev = [l for l in out.splitlines() if "main.work" in l and l != ours]
    assert len(ev) == report["locked"] + report["other"]
    pattern = r"^\d\d:\d\d:\d\d " if args == ("-T",) else r"^[0-9.]{%d} " % width
    assert all(re.match(pattern, l) for l in ev), ev[:3]


def bcc_run(command, progs, timeout=60, interrupt=True):
    """bcc's tool over the programs' calls: started, the calls made once it says it is tracing,
    then Ctrl-C (or, with interrupt false, its own end); its stdout."""
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    reader = LineReader(proc.stdout)
    deadline = time.monotonic() + timeout
    while not any(l.startswith("Tracing") for l in reader.lines):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"{command} did not start: {reader.text()} {proc.stderr.read()}")
        time.sleep(0.05)
    for p in progs:
        p.go()
    for p in progs:
        p.result()
    time.sleep(0.3)
    if interrupt:
        proc.send_signal(2)
    proc.wait(timeout=30)
    return reader.text()


def skeleton(out):
    """The layout of a histogram tool's output, from the banner to "Detaching...": numbers are
    N, function names F, and a histogram's rows one ROW."""
    lines = out.splitlines()
    lines = lines[next(i for i, l in enumerate(lines) if l.startswith("Tracing")) + 1:]
    lines = lines[:lines.index("Detaching...") + 1]
    sk = []
    for l in lines:
        if re.match(r"^\s+\d+ -> \d+\s+: \d+", l):
            if sk[-1] != "ROW":
                sk.append("ROW")
        else:
            sk.append(re.sub(r"\d+", "N", re.sub(r"^Function = \S+", "Function = F", l)))
    return sk


@pytest.mark.parametrize("args", [("-F",), ()], ids=["F", "one"])
def test_funclatency_layout_as_bcc(built, args):
    """gofunclatency's text is laid out as funclatency-bpfcc's, line for line: with -F,
    "Function = F [PID]" above each histogram and one avg line after them all, with a blank
    line after it; without, one histogram and its avg line."""
    funclatency = bcc_installed("funclatency")
    binary = built.path("go126", PROGRAM)
    pattern = r"^main\.(work|nest)$"
    with Program(binary) as p:
        theirs = bcc_run([funclatency, "-u", *args, "-r", "-p", str(p.pid), f"{binary}:{pattern}"], [p])
    with Program(binary) as p:
        with Tool("gofunclatency", "-u", *args, "-r", "-p", str(p.pid), pattern) as t:
            [report], out, err = run_programs([p], t)
        pid = p.pid
    assert skeleton(out + "Detaching...\n") == skeleton(theirs), (out, theirs)
    if args:
        assert sorted(re.findall(r"^Function = (.*)$", out, re.M)) == \
            [f"main.nest [{pid}]", f"main.work [{pid}]"]
    calls = report["locked"] + report["other"] + report["nest"] * report["depth"]
    assert re.findall(r"^avg = \d+ usecs, total: \d+ usecs, count: (\d+)$", out, re.M) == [str(calls)]


# ---- gostack: bcc's stackcount ---------------------------------------------------------------

def stack_counts(out):
    """The counts of gostack's text output, one per stack: the 4-space-indented numbers."""
    return [int(l) for l in out.splitlines() if re.fullmatch(r"    \d+", l)]


@pytest.mark.parametrize("variant", VARIANTS)
def test_stack_cpu(built, variant):
    """-c CPU counts the stacks of the calls made on that CPU only, as bcc's stackcount: of two
    copies pinned to CPUs 0 and 1, the one on the chosen CPU, every call."""
    binary = built.path(variant, PROGRAM)
    with Program("taskset", "-c", "0", binary) as p0, Program("taskset", "-c", "1", binary) as p1:
        with Tool("gostack", "-c", "1", "-P", binary + ":main.work") as t:
            reports, out, err = run_programs([p0, p1], t)
    assert sum(stack_counts(out)) == reports[1]["locked"] + reports[1]["other"], out
    assert set(re.findall(r"^    \S+ \[(\d+)\]$", out, re.M)) == {str(p1.pid)}, out


def test_stack_cpu_invalid():
    result = run_tool("gostack", "-c", str(os.cpu_count() + 64), "x:main.x")
    assert result.returncode == 2
    assert result.stderr == f"gostack: invalid CPU: '{os.cpu_count() + 64}'\n"


def stack_skeleton(out):
    """gostack's and stackcount's text from the banner to "Detaching...": frames one FRAMES,
    numbers N, the time of day TIME."""
    lines = out.splitlines()
    lines = lines[next(i for i, l in enumerate(lines) if l.startswith("Tracing")) + 1:]
    lines = lines[:lines.index("Detaching...") + 1]
    sk = []
    for l in lines:
        if re.fullmatch(r"  \S.*", l):
            if sk[-1] != "FRAMES":
                sk.append("FRAMES")
        else:
            sk.append(re.sub(r"\d\d:\d\d:\d\d", "TIME", re.sub(r"^    \d+$", "    N", l)))
    return sk


def stack_shape(out):
    """stack_skeleton with each run of stacks one STACKS: bcc's stackcount misses the caller of
    a function at its entry (gostack(8)), so it may merge stacks that gostack tells apart."""
    return re.sub(r"(FRAMES\|    N\|\|)+", "STACKS|", "|".join(stack_skeleton(out)))


@pytest.mark.parametrize("args", [(), ("-T",), ("-d",), ("-T", "-i", "1", "-D", "2")],
                         ids=["plain", "T", "d", "interval"])
def test_stack_layout_as_bcc(built, args):
    """gostack's text is laid out as stackcount-bpfcc -U's, line for line: a blank line before
    each printout, -T's time under it, each stack's frames and count and a blank line. -d is
    taken and, as bcc's with user stacks only, adds no delimiter."""
    stackcount = bcc_installed("stackcount")
    binary = built.path("go126", PROGRAM)
    timed = "-D" in args
    with Program(binary) as p:
        theirs = bcc_run([stackcount, "-U", *args, "-p", str(p.pid), f"{binary}:main.work"], [p],
                         interrupt=not timed)
    with Program(binary) as p:
        with Tool("gostack", *args, "-p", str(p.pid), "main.work") as t:
            p.go()
            report = p.result()
            time.sleep(0.3)
            status, out, err = t.wait() if timed else t.interrupt()
        p.stop()
    assert status == 0, err
    assert stack_shape(out) == stack_shape(theirs), (out, theirs)
    assert stack_shape(out).count("TIME") == (2 if timed else "-T" in args)
    assert sum(stack_counts(out)) == report["locked"] + report["other"]
    assert "    --" not in out


@pytest.mark.parametrize("name,bcc", [("gofunccount", "funccount"), ("gostack", "stackcount"),
                                      ("gofunclatency", "funclatency")])
def test_no_match_in_bcc_words(built, name, bcc):
    """No function matched: the line bcc's tool prints, which runbooks grep for ("No functions
    matched by pattern ...", funclatency's "0 functions matched by ..."), on stderr, exit 1."""
    path = bcc_installed(bcc)
    spec = built.path("go126", PROGRAM) + ":main.nosuch"
    theirs = subprocess.run([path, spec], capture_output=True, text=True, timeout=120)
    [line] = [l for l in (theirs.stdout + theirs.stderr).splitlines() if "functions matched" in l]
    ours = run_tool(name, spec)
    assert (ours.returncode, ours.stdout) == (1, "")
    if bcc == "funclatency":
        assert ours.stderr == line + "\n"
    else:
        prefix = "No functions matched by pattern "
        assert line.startswith(prefix) and ours.stderr == prefix + spec + "\n", (line, ours.stderr)
