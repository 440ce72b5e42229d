#!/usr/bin/python3
"""This project's tools against bcc's, side by side, in one run (run by scripts/bench.sh).

Measures, for gofunccount vs funccount-bpfcc (and gotrace vs trace-bpfcc, gofunclatency vs
funclatency-bpfcc, gostack vs stackcount-bpfcc when those tools exist):

  1. the time each call of a traced function costs the traced program (build/bench/benchprog,
     which times a loop of calls to main.add itself), minus the same loop untraced;
  2. the time from exec of the tool to its banner (probes live), median of the runs;
  3. attach and detach of many probes: runtime.* on a running Go program;
  4. the tool process's memory: VmRSS ~1 s after the banner and VmHWM, from /proc/PID/status;
  5. start-up on a large stripped program (build/bench/bigprog, much of the standard library
     linked in): time to live of a narrow pattern, warm and with no cache, of a pattern that
     matches nothing, and of runtime.* with its call sites cached, and memory while tracing;
  6. 1 on the same program built by Go 1.19 (build/bench/benchprog119), whose prologue has no
     PUSH after the stack check: each tool against bcc's on a leaf and on a function with a
     frame;
  7. Debian's caddy (Go 1.19, stripped), serving a fixed response on the loopback to wrk: its
     requests per second alone and under each tool (a few seconds in all);
  8. --prometheus: 1 for gofunccount serving its counts against gofunccount without, and a
     scrape's cost (wall and the tool's CPU time) of gofunccount 'runtime.*' on a busy program.
  9. gofuncslower against bcc's funcslower: per call of main.add (every call under the
     threshold), and per round trip of a channel ping-pong (benchprog pingpong: two parks, two
     readies and two switches of Go's scheduler) while each traces main.rare, which the
     ping-pong calls once a run: gofuncslower's scheduler probes see every switch.

Every tool's stdout and stderr go to files on a tmpfs, which are polled for the banner: no pipe
reader competes with the tools for the machine's CPUs. Every process started here is killed at
the end, on error and on SIGINT/SIGTERM/SIGHUP as well.

Standard library only. Run as root: /usr/bin/python3 scripts/bench.py [--quick] [--full]
(--full: bcc's many-probe run on ~850 functions, whose detach alone takes minutes).
"""

import argparse
import ctypes
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.environ.get("BENCH_TOOLS_DIR", os.path.join(ROOT, "tools"))
PROG = os.path.join(ROOT, "build", "bench", "benchprog")
PROG119 = os.path.join(ROOT, "build", "bench", "benchprog119")  # the same, built by Go 1.19
CADDY = "/usr/bin/caddy"
WRK = "/usr/bin/wrk"
BIGPROG = os.path.join(ROOT, "build", "bench", "bigprog")
BANNER_NOMATCH = re.compile(r"^0 functions matched by .*$", re.M)
BCC = {
    "funccount": "/usr/sbin/funccount-bpfcc",
    "trace": "/usr/sbin/trace-bpfcc",
    "funclatency": "/usr/sbin/funclatency-bpfcc",
    "stackcount": "/usr/sbin/stackcount-bpfcc",
    "funcslower": "/usr/sbin/funcslower-bpfcc",
}
OURS = {"funccount": "gofunccount", "trace": "gotrace", "funclatency": "gofunclatency",
        "stackcount": "gostack", "funcslower": "gofuncslower"}
# goiface has no bcc counterpart: its cost is set against gofunccount's on the same function.
IFACE = "goiface"

BANNER_TRACING = re.compile(r"^Tracing (\d+) functions? for .*$", re.M)
BANNER_TRACE = re.compile(r"^PID\s+TID\s+COMM\b.*$", re.M)
BANNER_SLOWER = re.compile(r"^Tracing function calls slower than .*$", re.M)  # both funcslowers
POLL = 0.005  # seconds between polls of a tool's output file
POLL_CHILD = 0.001  # while the tool has a child: when it ends is what is measured

_libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def _child_setup():
    # Die with the benchmark even if it is killed with SIGKILL.
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


# ---------------------------------------------------------------------------------------------
# Processes: every one is registered and killed at the end.

LIVE = []


def spawn(argv, **kw):
    p = subprocess.Popen(argv, start_new_session=True, preexec_fn=_child_setup, **kw)
    LIVE.append(p)
    return p


def reap_all():
    for p in LIVE:
        if p.returncode is not None:
            continue
        try:
            if p.poll() is not None:
                continue
        except ChildProcessError:
            continue
        for sig in (signal.SIGINT, signal.SIGKILL):
            try:
                os.killpg(p.pid, sig)  # its own session and group: the tool and its children
            except ProcessLookupError:
                break
            try:
                p.wait(timeout=2)
                break
            except subprocess.TimeoutExpired:
                pass
            except ChildProcessError:
                break


class Aborted(Exception):
    pass


def _on_signal(signum, frame):
    # Once: Ctrl-C reaches bench.py twice, from the terminal and from bench.sh's trap.
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    raise Aborted("signal %d" % signum)


def log(msg):
    print(msg, flush=True)


def proc_status(pid):
    """VmRSS and VmHWM of pid, in KiB (None when gone)."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    k, v = line.split(":", 1)
                    out[k] = int(v.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return out


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        return []


def wait4_timeout(p, timeout):
    """Wait for p with os.wait4 (for the rusage: ru_maxrss covers its waited-for children too).
    Returns (exit status, maxrss KiB) or (None, None) on timeout."""
    end = time.monotonic() + timeout
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid == p.pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return p.returncode, ru.ru_maxrss
        if time.monotonic() > end:
            return None, None
        time.sleep(0.002)


def describe_exit(code):
    if code is None:
        return "still running"
    if code < 0:
        try:
            return "killed by %s" % signal.Signals(-code).name
        except ValueError:
            return "killed by signal %d" % -code
    return "exit status %d" % code


# ---------------------------------------------------------------------------------------------
# The traced program.


class Prog:
    """build/bench/benchprog: `loop N` (one timed loop of N calls per stdin line) or `spin`."""

    def __init__(self, *args, env=None, path=PROG):
        self.args = args
        self.p = spawn([path, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, bufsize=1,
                       env=dict(os.environ, **(env or {})))
        self.lines = queue.Queue()
        self.err = []
        threading.Thread(target=self._read, args=(self.p.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.p.stderr, self.err.append), daemon=True).start()
        line = self._line(10)
        m = re.match(r"ready pid=(\d+)", line or "")
        if not m:
            raise RuntimeError("benchprog %s did not start: %r %s" % (" ".join(args), line, self.stderr()))
        self.pid = int(m.group(1))

    @staticmethod
    def _read(f, put):
        for line in f:
            put(line.rstrip("\n"))
        put(None)

    def _line(self, timeout):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def alive(self):
        return self.p.poll() is None

    def stderr(self):
        return " ".join(x for x in self.err if x)[:300]

    def run(self, timeout=120):
        """One timed loop: (wall, thread CPU) ns per call, or (None, None) if the program died
        (see died())."""
        if not self.alive():
            return None, None
        try:
            self.p.stdin.write("go\n")
            self.p.stdin.flush()
        except BrokenPipeError:
            return None, None
        line = self._line(timeout)
        m = re.match(r"ns_per_call=([0-9.]+) cpu_ns_per_call=([0-9.]+)", line or "")
        return (float(m.group(1)), float(m.group(2))) if m else (None, None)

    def died(self):
        try:
            self.p.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return None
        msg = describe_exit(self.p.returncode)
        lines = [x.strip() for x in self.err if x and x.strip()]
        if lines:
            msg += ": " + lines[0][:120]
            pc = next((x for x in lines[1:4] if x.startswith("PC=")), None)
            if pc:
                msg += ", " + pc[:60]
        return msg

    def stop(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


# ---------------------------------------------------------------------------------------------
# One run of a tool.


class Run:
    ok = False
    error = None
    ttl = None  # exec to banner, s
    banner = None
    compiled = None  # exec to the exit of the tool's last child (gofunccount's compiler), s
    nfuncs = None  # from the banner
    rss = None  # VmRSS ~rss_delay after the banner, KiB
    hwm = None  # VmHWM before SIGINT, KiB
    child_peak = None  # the largest VmHWM seen of the tool's children, or wait4's ru_maxrss
    ns = None  # traced ns/call, wall
    cpu = None  # traced ns/call, the thread's CPU time
    prog_died = None
    detach = None  # SIGINT to exit, s
    out = ""
    err = ""


def run_tool(tmp, tag, argv, banner, env=None, prog=None, rss_delay=1.0, drain=False,
             live_timeout=90, exit_timeout=30):
    r = Run()
    outp = os.path.join(tmp, tag + ".out")
    errp = os.path.join(tmp, tag + ".err")
    fout = open(outp, "w")
    ferr = open(errp, "w")
    e = dict(os.environ)
    e.update(env or {})
    t0 = time.monotonic()
    p = spawn(argv, stdin=subprocess.DEVNULL, stdout=fout, stderr=ferr, env=e)
    fout.close()
    ferr.close()
    child_peak = 0
    had_child = False
    try:
        # Until the banner: poll the output file, and the tool's children's memory.
        with open(outp) as f:
            text = ""
            while True:
                # The children first: a child gone and the banner out in one poll means the
                # banner followed the child within a poll.
                kids = children(p.pid)
                for c in kids:
                    st = proc_status(c)
                    if st and "VmHWM" in st:
                        child_peak = max(child_peak, st["VmHWM"])
                if kids:
                    had_child = True
                elif had_child and r.compiled is None:
                    r.compiled = time.monotonic() - t0
                text += f.read()
                m = banner.search(text)
                if m:
                    r.ttl = time.monotonic() - t0
                    r.banner = m.group(0)
                    if m.groups():
                        r.nfuncs = int(m.group(1))
                    break
                if p.poll() is not None:
                    r.error = "exited before its banner (%s)" % describe_exit(p.returncode)
                    return r
                if time.monotonic() - t0 > live_timeout:
                    r.error = "no banner after %d s" % live_timeout
                    return r
                time.sleep(POLL_CHILD if had_child and r.compiled is None else POLL)
        time.sleep(rss_delay)
        st = proc_status(p.pid)
        r.rss = st and st.get("VmRSS")
        if prog is not None:
            r.ns, r.cpu = prog.run()
            if r.ns is None:
                r.prog_died = prog.died() or "no result"
        if drain:  # let the tool print every event before it is stopped
            last, stable = -1, time.monotonic()
            while time.monotonic() - stable < 0.5 and time.monotonic() - t0 < live_timeout + 60:
                size = os.path.getsize(outp)
                if size != last:
                    last, stable = size, time.monotonic()
                time.sleep(0.05)
        st = proc_status(p.pid)
        r.hwm = st and st.get("VmHWM")
        if p.poll() is not None:
            r.error = "exited while tracing (%s)" % describe_exit(p.returncode)
            return r
        t1 = time.monotonic()
        os.kill(p.pid, signal.SIGINT)
        code, maxrss = wait4_timeout(p, exit_timeout)
        if code is None:
            r.error = "still running %d s after SIGINT (killed)" % exit_timeout
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return r
        r.detach = time.monotonic() - t1
        if maxrss and r.hwm and maxrss > r.hwm * 1.05:
            child_peak = max(child_peak, maxrss)
        r.child_peak = child_peak or None
        r.ok = True
        return r
    finally:
        with open(outp, errors="replace") as f:
            r.out = f.read()
        with open(errp, errors="replace") as f:
            r.err = f.read()
        if r.error:
            first = next((x for x in (r.err + "\n" + r.out).splitlines()
                          if x.strip() and not BANNER_TRACING.match(x)), "")
            if first:
                r.error += ": " + first.strip()[:160]


# What each tool printed, to check it saw every call.


def funccount_count(out, func="main.add"):
    m = re.search(r"^%s\s+(\d+)\s*$" % re.escape(func), out, re.M)
    return int(m.group(1)) if m else 0


def trace_events(out, func="add"):
    lines = out.splitlines()
    return sum(1 for x in lines if re.search(r"\bmain\.%s\b" % func, x))


def iface_count(out, func="main.describe"):
    """The calls goiface counted: the sum of its COUNT column."""
    rows = [line.split() for line in out.splitlines() if line.startswith(func + " ")]
    return sum(int(r[-1]) for r in rows) if rows else None


def stack_count(out):
    """The calls counted in stackcount's multi-line output: each stack's count line."""
    return sum(int(m) for m in re.findall(r"^    (\d+)$", out, re.M))


def latency_count(out):
    m = re.search(r"count:\s*(\d+)", out)
    if m:
        return int(m.group(1))
    total = 0
    for x in out.splitlines():
        m = re.match(r"\s*\d+\s*->\s*\d+\s*:\s*(\d+)", x)
        if m:
            total += int(m.group(1))
    return total


# ---------------------------------------------------------------------------------------------
# The measurements.


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def attach_note(r):
    if r.compiled is None:
        return ""
    return " (compiler child ended at %.3f s)" % r.compiled


def untraced(res, prog):
    wall, cpu = prog.run()
    res["untraced"].append(wall)
    res["untraced_cpu"].append(cpu)


def per_call(tmp, family, n, reps, ours_argv, bcc_argv, banner_ours, banner_bcc, bcc_env,
             counter, rss_delay, drain, prog_env=None, func="add", path=PROG, prog_args=None):
    """Untraced and traced loops of n calls in one program (path: benchprog, built by Go 1.26 or
    Go 1.19; prog_args: its arguments, `loop N [FUNC]` by default), ours and bcc's alternating."""
    res = {"ours": [], "bcc": [], "untraced": [], "untraced_cpu": [], "n": n}
    prog = None
    try:
        for rep in range(reps):
            order = ["ours", "bcc"] if rep % 2 == 0 else ["bcc", "ours"]
            for who in order:
                if prog is None or not prog.alive():
                    if prog is not None:
                        prog.stop()
                    prog = Prog(*(prog_args or ["loop", str(n)] + ([] if func == "add" else [func])),
                                env=prog_env, path=path)
                    for _ in range(2):
                        untraced(res, prog)
                argv = [a.replace("{PID}", str(prog.pid)) for a in (ours_argv if who == "ours" else bcc_argv)]
                r = run_tool(tmp, "%s-%s-%d" % (family, who, rep), argv,
                             banner_ours if who == "ours" else banner_bcc,
                             env=None if who == "ours" else bcc_env, prog=prog,
                             rss_delay=rss_delay, drain=drain)
                r.seen = counter(r.out) if r.ok else None
                res[who].append(r)
                show = "%-12s %-4s rep %d: " % (family, who, rep + 1)
                if r.error:
                    show += "FAILED: " + r.error
                else:
                    show += "live in %.3f s%s (%s fn), traced ns/call %s wall %s CPU, saw %s of %d calls, exit %.3f s after SIGINT" % (
                        r.ttl, attach_note(r), r.nfuncs if r.nfuncs is not None else "?",
                        fmt(r.ns, "%.0f"), fmt(r.cpu, "%.0f"), r.seen, n, r.detach)
                    if r.prog_died:
                        show += "; THE TRACED PROGRAM DIED: " + r.prog_died
                log(show)
                if prog.alive():
                    untraced(res, prog)
    finally:
        if prog is not None:
            prog.stop()
    return res


SERVING = re.compile(r"Serving Prometheus metrics on (http://\S+/metrics)")


def proc_cpu_s(pid):
    """The user+system CPU time of process pid, in seconds (/proc/PID/stat)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scrape_cost(tmp, scrapes):
    """--prometheus per scrape: gofunccount 'runtime.*' on benchprog spin (hundreds of the
    runtime's functions called), scraped that many times in a row: the median wall time of a
    GET /metrics, the tool's CPU time per scrape, and the series a scrape holds."""
    prog = Prog("spin")
    outp, errp = os.path.join(tmp, "scrape.out"), os.path.join(tmp, "scrape.err")
    with open(outp, "w") as fout, open(errp, "w") as ferr:
        p = spawn([os.path.join(TOOLS, "gofunccount"), "--prometheus", "127.0.0.1:0", "-p",
                   str(prog.pid), "runtime.*"], stdin=subprocess.DEVNULL, stdout=fout, stderr=ferr)
    res = {}
    try:
        deadline = time.monotonic() + 90
        url = None
        while time.monotonic() < deadline and p.poll() is None:
            m = SERVING.search(open(errp).read())
            if m and BANNER_TRACING.search(open(outp).read()):
                url = m.group(1)
                break
            time.sleep(POLL)
        if not url:
            res["error"] = "gofunccount --prometheus did not start: " + open(errp).read()[:160]
            return res
        time.sleep(1.0)  # counts to serve
        walls, body = [], b""
        cpu0 = proc_cpu_s(p.pid)
        for _ in range(scrapes):
            t0 = time.monotonic()
            with urllib.request.urlopen(url, timeout=10) as r:
                body = r.read()
            walls.append(time.monotonic() - t0)
        res["cpu"] = (proc_cpu_s(p.pid) - cpu0) / scrapes
        res["wall"] = med(walls)
        res["series"] = sum(1 for x in body.decode().splitlines() if x and not x.startswith("#"))
        res["bytes"] = len(body)
        log("prometheus: %d scrapes of %d series (%d bytes): %.3f ms wall, %.3f ms of the tool's CPU each" % (
            scrapes, res["series"], res["bytes"], res["wall"] * 1e3, res["cpu"] * 1e3))
        return res
    finally:
        if p.poll() is None:
            os.kill(p.pid, signal.SIGINT)
            if wait4_timeout(p, 30)[0] is None:
                p.kill()
                p.wait()
        prog.stop()


# bcc's funccount refuses more than 1000 probes, so 'runtime.*' (~1400 functions) fails at once;
# these are runtime.* subsets it takes, largest first. Its detach costs ~0.1 s a probe here (one
# perf-event uprobe each), so by default only a ~150-function subset is run; --full runs ~850.
BCC_MANY_FULL = ["runtime.[f-z]*"]
BCC_MANY = ["runtime.[t-z]*", "runtime.[u-z]*"]


def cold_starts(tmp, reps):
    """gofunccount's time to live with its compile cache off (GOTOOLS_NO_CACHE=1): libbcc
    compiles the program, as it does the first time a tool runs with given settings."""
    prog = Prog("loop", "1000")
    ttls = []
    try:
        for rep in range(reps):
            argv = [os.path.join(TOOLS, "gofunccount"), "-p", str(prog.pid), "main.add"]
            r = run_tool(tmp, "funccount-cold-%d" % rep, argv, BANNER_TRACING,
                         env={"GOTOOLS_NO_CACHE": "1"}, prog=prog, rss_delay=0.2, drain=False)
            if r.ok:
                ttls.append(r.ttl)
            log("funccount    cold rep %d: live in %s s" % (rep + 1, fmt(r.ttl, "%.3f")))
    finally:
        prog.stop()
    return ttls


def many_probes(tmp, reps_ours, full):
    """gofunccount 'runtime.*' and bcc funccount on a pattern it accepts, on a running program."""
    res = {"ours": [], "bcc": [], "bcc_pattern": None, "bcc_failures": []}
    prog = Prog("spin")
    try:
        for rep in range(reps_ours):
            if not prog.alive():
                prog = Prog("spin")
            r = run_tool(tmp, "many-ours-%d" % rep,
                         [os.path.join(TOOLS, "gofunccount"), "-p", str(prog.pid), "runtime.*"],
                         BANNER_TRACING, rss_delay=1.0)
            res["ours"].append(r)
            log("runtime.*    ours rep %d: %s" % (rep + 1, r.error and "FAILED: " + r.error or
                "%d functions live in %.3f s%s, exit %.3f s after SIGINT, RSS %.1f MiB" % (
                    r.nfuncs, r.ttl, attach_note(r), r.detach, r.rss / 1024)))
        # bcc: runtime.* itself first (for the record), then patterns it may accept.
        for pat in ["runtime.*"] + (BCC_MANY_FULL if full else []) + BCC_MANY:
            if not prog.alive():
                res["bcc_failures"].append("(the Go program died: %s; restarted)" % prog.died())
                prog = Prog("spin")
            r = run_tool(tmp, "many-bcc-%s" % re.sub(r"\W", "_", pat),
                         [BCC["funccount"], "-p", str(prog.pid), "%s:%s" % (PROG, pat)],
                         BANNER_TRACING, env={"PYTHONUNBUFFERED": "1"}, rss_delay=1.0,
                         exit_timeout=300 if full else 60)
            if r.ok:
                res["bcc"].append(r)
                res["bcc_pattern"] = pat
                log("runtime.*    bcc  %s: %d functions live in %.3f s, exit %.3f s after SIGINT" % (
                    pat, r.nfuncs, r.ttl, r.detach))
                break
            res["bcc_failures"].append("'%s': %s" % (pat, r.error))
            log("runtime.*    bcc  %s: FAILED: %s" % (pat, r.error))
        if not prog.alive():
            res["bcc_failures"].append("the Go program died: %s" % prog.died())
    finally:
        prog.stop()
    return res


def large_program(tmp, reps):
    """Start-up on build/bench/bigprog: gofunccount and bcc's funccount on net/http.(*conn).*,
    gofunccount with no cache, on a pattern matching nothing, and on runtime.* (call sites from
    the cache: a first run fills it), with the tool's RSS while tracing."""
    res = {}
    if not os.access(BIGPROG, os.X_OK):
        return res
    prog = Prog(path=BIGPROG)
    gfc = os.path.join(TOOLS, "gofunccount")
    cases = [
        ("conn", [gfc, "-p", "{PID}", "net/http.(*conn).*"], BANNER_TRACING, None),
        ("conn-nocache", [gfc, "-p", "{PID}", "net/http.(*conn).*"], BANNER_TRACING,
         {"GOTOOLS_NO_CACHE": "1"}),
        ("nomatch", [gfc, "-p", "{PID}", "nomatch.*"], BANNER_NOMATCH, None),
        ("runtime", [gfc, "-p", "{PID}", "runtime.*"], BANNER_TRACING, None),
        ("conn-bcc", [BCC["funccount"], "-r", "-p", "{PID}", BIGPROG + r":^net/http\.\(\*conn\)\..*$"],
         BANNER_TRACING, {"PYTHONUNBUFFERED": "1"}),
    ]
    try:
        # first runs: the compile and call-site caches filled, not measured
        for tag, argv, banner, env in cases[:1] + cases[3:4]:
            run_tool(tmp, "big-warmup-" + tag, [a.replace("{PID}", str(prog.pid)) for a in argv],
                     banner, env=env, rss_delay=0.1)
        for rep in range(reps):
            for tag, argv, banner, env in cases:
                if not prog.alive():
                    prog.stop()
                    prog = Prog(path=BIGPROG)
                r = run_tool(tmp, "big-%s-%d" % (tag, rep),
                             [a.replace("{PID}", str(prog.pid)) for a in argv], banner, env=env,
                             rss_delay=1.0 if tag != "nomatch" else 0.0)
                if tag == "nomatch" and r.ttl is not None:
                    r.error = None
                if not isinstance(r.rss, (int, float)):
                    r.rss = None  # the tool had exited
                res.setdefault(tag, []).append(r)
                log("bigprog      %-12s rep %d: %s" % (tag, rep + 1, "live in %.3f s (%s fn), RSS %s MiB" % (
                    r.ttl, r.nfuncs, fmt(r.rss, "%.1f", 1024)) if r.ttl is not None else "FAILED: %s" % r.error))
    finally:
        prog.stop()
    return res


def go119_families(tmp, reps, n_count, n_trace, n_lat):
    """Each tool against bcc's on benchprog119 (Go 1.19): main.add, a leaf, and main.step, which
    has a frame and a stack check, whose jump is its entry probe. Returns {family: per_call
    result}."""
    fams = {}
    gt = lambda name: os.path.join(TOOLS, name)  # noqa: E731
    for func in ("add", "step"):
        framed = ", framed" if func == "step" else ""
        f = "main." + func
        at = "%s:%s" % (PROG119, f)
        cases = [
            ("funccount", n_count, [gt("gofunccount"), "-p", "{PID}", f],
             [BCC["funccount"], "-p", "{PID}", at], BANNER_TRACING, BANNER_TRACING,
             {"PYTHONUNBUFFERED": "1"}, lambda out, f=f: funccount_count(out, f), 0.3, False),
            ("funclatency", n_lat, [gt("gofunclatency"), "-p", "{PID}", f],
             [BCC["funclatency"], "-p", "{PID}", at], BANNER_TRACING, BANNER_TRACING,
             {"PYTHONUNBUFFERED": "1"}, latency_count, 0.3, False),
            ("stackcount", n_count, [gt("gostack"), "-p", "{PID}", f],
             [BCC["stackcount"], "-U", "-p", "{PID}", at], BANNER_TRACING, BANNER_TRACING,
             {"PYTHONUNBUFFERED": "1"}, stack_count, 0.3, False),
            ("trace", n_trace, [gt("gotrace"), "-p", "{PID}", '%s "%%d %%d", goarg1, goarg2' % f],
             [BCC["trace"], "-p", "{PID}", '%s "%%d %%d", ctx->ax, ctx->bx' % at], BANNER_TRACE,
             BANNER_TRACE, None, lambda out, func=func: trace_events(out, func), 0.5, True),
        ]
        for fam, n, ours, bcc, b_o, b_b, env, counter, rss_delay, drain in cases:
            if not os.access(ours[0], os.X_OK):
                continue
            key = "Go 1.19 %s%s" % (fam, framed)
            fams[key] = per_call(tmp, key.replace(" ", "-").replace(",", ""), n, reps, ours, bcc,
                                 b_o, b_b, env, counter, rss_delay=rss_delay, drain=drain,
                                 func=func, path=PROG119)
    return fams


class Wrk:
    """The load on caddy: wrk, one thread, 8 connections, for `seconds`. run() returns (requests
    per second, None), as Prog.run returns its figures, so that run_tool measures it while a
    tool traces."""

    def __init__(self, url, seconds, server):
        self.url, self.seconds, self.server = url, seconds, server

    def run(self):
        if self.server.poll() is not None:
            return None, None
        p = spawn([WRK, "-t1", "-c8", "-d%ds" % self.seconds, self.url], stdout=subprocess.PIPE,
                  stderr=subprocess.STDOUT, text=True)
        out = p.communicate(timeout=self.seconds + 30)[0]
        m = re.search(r"^Requests/sec:\s+([0-9.]+)", out, re.M)
        return (float(m.group(1)), None) if m else (None, None)

    def died(self):
        return None if self.server.poll() is None else describe_exit(self.server.returncode)


# Each tool on caddy: (label, argv, banner). A request makes ~70 calls of net/http.*'s ~1,160
# functions, ~11 of (*conn).*, and one each of readRequest and serverHandler.ServeHTTP.
CADDY_TOOLS = [
    ("gofunccount 'net/http.*'", ["gofunccount", "-p", "{PID}", "net/http.*"], BANNER_TRACING),
    ("gofunclatency 'net/http.(*conn).*'", ["gofunclatency", "-p", "{PID}", "net/http.(*conn).*"],
     BANNER_TRACING),
    ("gostack 'net/http.(*conn).*'", ["gostack", "-p", "{PID}", "net/http.(*conn).*"],
     BANNER_TRACING),
    ("gotrace net/http.(*conn).readRequest", ["gotrace", "-p", "{PID}",
                                              "net/http.(*conn).readRequest"], BANNER_TRACE),
    # rw, the http.ResponseWriter: stripped, by its words (the receiver, a one-pointer struct,
    # is goarg1)
    ("goiface net/http.serverHandler.ServeHTTP rw", ["goiface", "-p", "{PID}",
                                                    "net/http.serverHandler.ServeHTTP", "goarg2"],
     BANNER_TRACING),
]


def caddy_rps(tmp, seconds):
    """Debian's caddy (Go 1.19, stripped: bcc's tools cannot trace it), `caddy respond` on a
    loopback port, loaded by wrk for `seconds`: requests per second under each tool of
    CADDY_TOOLS, each right after a run untraced (a busy machine drifts). Returns {label: (Run,
    untraced requests/s)}, or {} when caddy or wrk is missing or caddy does not start."""
    if not (os.access(CADDY, os.X_OK) and os.access(WRK, os.X_OK)):
        return {}
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = os.path.join(tmp, "caddy-home")  # caddy keeps its state under $HOME
    os.makedirs(home, exist_ok=True)
    server = spawn([CADDY, "respond", "--listen", "127.0.0.1:%d" % port, "--body", "hello"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, HOME=home, XDG_DATA_HOME=home, XDG_CONFIG_HOME=home))
    res = {}
    try:
        end = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > end:
                    log("caddy        did not start (%s)" % describe_exit(server.poll()))
                    return {}
                time.sleep(0.05)
        load = Wrk("http://127.0.0.1:%d/" % port, seconds, server)
        load.run()  # warm-up, not counted
        for label, argv, banner in CADDY_TOOLS:
            base = load.run()[0]
            argv = [os.path.join(TOOLS, argv[0])] + [a.replace("{PID}", str(server.pid))
                                                     for a in argv[1:]]
            r = run_tool(tmp, "caddy-%d" % len(res), argv, banner, prog=load, rss_delay=0.2,
                         live_timeout=120)
            res[label] = (r, base)
            log("caddy        %-45s %s (untraced just before: %s)" % (
                label, "FAILED: " + r.error if r.error else "%s requests/s" % fmt(r.ns, "%.0f"),
                fmt(base, "%.0f")))
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
    return res


# ---------------------------------------------------------------------------------------------
# The table.


def fmt(x, spec, div=1):
    return "-" if x is None else spec % (x / div)


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def added_ns(v, who):
    """Median added wall and CPU ns/call of the runs of v[who] whose program survived."""
    base, base_cpu = med(v["untraced"]), med(v["untraced_cpu"])
    ok = [r for r in v[who] if r.ok and r.ns is not None]
    return (med([r.ns - base for r in ok]) if ok and base is not None else None,
            med([r.cpu - base_cpu for r in ok]) if ok and base_cpu is not None else None, len(ok))


def family_rows(fam, v, rows, notes, label=None, target_ns="", target_ttl="", stand_in=None):
    """The added ns/call and time-to-live rows of one per_call() result. stand_in: bcc's
    funccount on the same function, whose figures take the bcc column when bcc's tool killed
    the traced program in every run (bcc's funclatency: its uretprobe under Go's preemption)."""
    n = v["n"]
    label = label or fam
    added, added_cpu = {}, {}
    for who in ("ours", "bcc"):
        added[who], added_cpu[who], survived = added_ns(v, who)
        if who == "bcc" and stand_in is not None and survived < len(v[who]):
            if survived:
                notes.append("%s: the bcc column counts the %d of %d runs in which the traced "
                             "program survived" % (label, survived, len(v[who])))
            else:
                added[who], added_cpu[who], _ = added_ns(stand_in, "bcc")
                notes.append("%s: bcc's tool killed the traced program in all %d runs: the bcc "
                             "column is bcc's funccount on the same function (the same "
                             "single-stepped entry without the return: a conservative stand-in)"
                             % (label, len(v[who])))
        died = [r.prog_died for r in v[who] if r.prog_died]
        failed = [r.error for r in v[who] if r.error]
        if died:
            notes.append("%s (%s): the traced program died in %d of %d runs: %s" % (
                label, who, len(died), len(v[who]), died[0]))
        if failed:
            notes.append("%s (%s): %d of %d runs failed: %s" % (
                label, who, len(failed), len(v[who]), failed[0]))
        for r in v[who]:
            if r.ok and r.ns is not None and r.seen is not None and r.seen != n:
                notes.append("%s (%s): saw %s of the %d calls in one run" % (label, who, r.seen, n))
                break
        matched = {r.nfuncs for r in v[who] if r.ok and r.nfuncs is not None}
        if matched and matched != {1}:
            notes.append("%s (%s): matched %s functions, not 1" % (label, who, sorted(matched)))

    def cell(a, who):
        if a[who] is not None:
            return "%.0f" % a[who]
        return "died" if any(r.prog_died for r in v[who]) else "failed"
    rows.append(("%s added ns/call (N=%s)" % (label, "{:,}".format(n)), cell(added, "ours"),
                 cell(added, "bcc"), ratio(added["ours"], added["bcc"]), target_ns))
    rows.append(("%s added CPU ns/call" % label, cell(added_cpu, "ours"), cell(added_cpu, "bcc"),
                 ratio(added_cpu["ours"], added_cpu["bcc"]), ""))
    if target_ttl is not None:
        t_o = med([r.ttl for r in v["ours"]])
        t_b = med([r.ttl for r in v["bcc"]])
        rows.append(("%s time to live (s)" % label, fmt(t_o, "%.3f"), fmt(t_b, "%.3f"), ratio(t_o, t_b),
                     target_ttl))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one run of each, fewer calls (a smoke test)")
    ap.add_argument("--full", action="store_true",
                    help="bcc's many-probe run on ~850 functions (its detach alone takes minutes)")
    # A uprobe costs ~1-3 us on bare metal, 15-50 us on a busy 2-CPU VM: N keeps a traced loop
    # to a few seconds there.
    ap.add_argument("--funccount-calls", type=int, default=100_000, metavar="N")
    ap.add_argument("--trace-calls", type=int, default=30_000, metavar="N")
    ap.add_argument("--funclatency-calls", type=int, default=50_000, metavar="N")
    ap.add_argument("--iface-calls", type=int, default=100_000, metavar="N")
    ap.add_argument("--pingpong-trips", type=int, default=20_000, metavar="N")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: must run as root (BPF needs it)")
    for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(s, _on_signal)

    reps = 1 if args.quick else 6  # a VM varies ~10% run to run: medians of six, three in each order
    div = 4 if args.quick else 1
    n_count = args.funccount_calls // div
    n_trace = args.trace_calls // div
    n_lat = args.funclatency_calls // div
    n_iface = args.iface_calls // div
    args.pingpong_trips //= div

    have = {f: os.access(os.path.join(TOOLS, OURS[f]), os.X_OK) for f in OURS}
    for f, path in BCC.items():
        if not os.access(path, os.X_OK):
            sys.exit("bench: %s is missing (scripts/setup.sh installs bcc's tools)" % path)

    tmp = tempfile.mkdtemp(prefix="gotools-bench.", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    start = time.monotonic()
    rows = []
    notes = []
    try:
        log("gotools bench: %s vs bcc's; %d CPUs, load average %s" % (
            ", ".join(OURS[f] for f in OURS if have[f]), os.cpu_count(),
            open("/proc/loadavg").read().split()[0]))
        for f in OURS:
            if not have[f]:
                notes.append("tools/%s does not exist (yet): its comparison is skipped" % OURS[f])
                log("skipping %s: tools/%s does not exist" % (f, OURS[f]))

        # 1, 2 and 4: each tool on main.add, ours and bcc's alternating, in one program per tool.
        fams = {}
        fams["funccount"] = per_call(
            tmp, "funccount", n_count, reps,
            [os.path.join(TOOLS, "gofunccount"), "-p", "{PID}", "main.add"],
            [BCC["funccount"], "-p", "{PID}", PROG + ":main.add"],
            BANNER_TRACING, BANNER_TRACING, {"PYTHONUNBUFFERED": "1"},
            funccount_count, rss_delay=1.0, drain=False)
        if have["trace"]:
            fams["trace"] = per_call(
                tmp, "trace", n_trace, reps,
                [os.path.join(TOOLS, "gotrace"), "-p", "{PID}", 'main.add "%d %d", goarg1, goarg2'],
                [BCC["trace"], "-p", "{PID}", '%s:main.add "%%d %%d", ctx->ax, ctx->bx' % PROG],
                BANNER_TRACE, BANNER_TRACE, None, trace_events, rss_delay=0.5, drain=True)
        lat_args = (
            [os.path.join(TOOLS, "gofunclatency"), "-p", "{PID}", "main.add"],
            [BCC["funclatency"], "-p", "{PID}", PROG + ":main.add"],
            BANNER_TRACING, BANNER_TRACING, {"PYTHONUNBUFFERED": "1"}, latency_count)
        if have["funclatency"]:
            fams["funclatency"] = per_call(tmp, "funclatency", n_lat, reps, *lat_args,
                                           rss_delay=0.5, drain=False)
            # bcc's uretprobes: Go's asynchronous preemption can land in the kernel's return
            # trampoline and kill the program. Without it, bcc's number can be had.
            if any(r.prog_died for r in fams["funclatency"]["bcc"]):
                log("bcc's funclatency killed the traced program: once more each, with GODEBUG=asyncpreemptoff=1")
                fams["funclatency-nopreempt"] = per_call(
                    tmp, "funclatency-nopreempt", n_lat, 1, *lat_args, rss_delay=0.3, drain=False,
                    prog_env={"GODEBUG": "asyncpreemptoff=1"})

        # The same on main.step, which has a frame: Go's stack check, then PUSH RBP, where the
        # entry probe sits and which the kernel emulates instead of single-stepping. Most Go
        # functions look like this; main.add, a leaf, is the worst case.
        fams["funccount, framed"] = per_call(
            tmp, "funccount-framed", n_count, reps,
            [os.path.join(TOOLS, "gofunccount"), "-p", "{PID}", "main.step"],
            [BCC["funccount"], "-p", "{PID}", PROG + ":main.step"],
            BANNER_TRACING, BANNER_TRACING, {"PYTHONUNBUFFERED": "1"},
            lambda out: funccount_count(out, "main.step"), rss_delay=0.3, drain=False, func="step")
        # An inlined call: main.bump, inlined into the loop, which gofunccount probes at its
        # inline mark (a NOP the kernel emulates); bcc's funccount has no symbol to probe.
        fams["funccount, inlined"] = per_call(
            tmp, "funccount-inlined", n_count, reps,
            [os.path.join(TOOLS, "gofunccount"), "-p", "{PID}", "main.bump"],
            [BCC["funccount"], "-p", "{PID}", PROG + ":main.bump"],
            BANNER_TRACING, BANNER_TRACING, {"PYTHONUNBUFFERED": "1"},
            lambda out: funccount_count(out, "main.bump"), rss_delay=0.3, drain=False,
            func="inline")
        # A leaf of the runtime under a wide pattern: gofunccount on all of runtime.* (its
        # call sites from the cache), bcc's funccount on runtime.memequal alone (it refuses
        # runtime.*); main.same calls runtime.memequal once a call.
        fams["funccount, runtime.*"] = per_call(
            tmp, "funccount-runtime", n_count, reps,
            [os.path.join(TOOLS, "gofunccount"), "-p", "{PID}", "runtime.*"],
            [BCC["funccount"], "-p", "{PID}", PROG + ":runtime.memequal"],
            BANNER_TRACING, BANNER_TRACING, {"PYTHONUNBUFFERED": "1"},
            lambda out: funccount_count(out, "runtime.memequal"), rss_delay=0.3, drain=False,
            func="memeq")
        if have["funclatency"]:
            fams["funclatency, framed"] = per_call(
                tmp, "funclatency-framed", n_lat, reps,
                [os.path.join(TOOLS, "gofunclatency"), "-p", "{PID}", "main.step"],
                [BCC["funclatency"], "-p", "{PID}", PROG + ":main.step"],
                BANNER_TRACING, BANNER_TRACING, {"PYTHONUNBUFFERED": "1"}, latency_count,
                rss_delay=0.3, drain=False, func="step")

        # goiface next to gofunccount (in the "bcc" column) on main.describe(v any).
        if os.access(os.path.join(TOOLS, IFACE), os.X_OK):
            fams["goiface"] = per_call(
                tmp, "goiface", n_iface, reps,
                [os.path.join(TOOLS, IFACE), "-p", "{PID}", "main.describe", "v"],
                [os.path.join(TOOLS, "gofunccount"), "-p", "{PID}", "main.describe"],
                BANNER_TRACING, BANNER_TRACING, None,
                lambda out: iface_count(out) if re.search(r"^FUNC\s+ARG", out, re.M)
                else funccount_count(out, "main.describe"),
                rss_delay=0.3, drain=False, func="iface")
        # --label that no goroutine matches, and --within a function never on main.add's stack
        # (main.rare), next to gofunccount without them (in the "bcc" column), on main.add: what
        # the kernel's look at each call's goroutine costs a call it does not count
        gofunccount = os.path.join(TOOLS, "gofunccount")
        for fam, scope in (("label", ["--label", "req=none"]), ("within", ["--within", "main.rare"])):
            fams["funccount --" + fam] = per_call(
                tmp, "funccount-" + fam, n_count, reps,
                [gofunccount, *scope, "-p", "{PID}", "main.add"],
                [gofunccount, "-p", "{PID}", "main.add"],
                BANNER_TRACING, BANNER_TRACING, None,
                lambda out: funccount_count(out) or (n_count if re.search(r"^FUNC\s+COUNT", out, re.M)
                                                     else None),
                rss_delay=0.3, drain=False)
        # gostack against bcc's stackcount, on both functions.
        if have["stackcount"]:
            for fam, func in (("stackcount", "add"), ("stackcount, framed", "step")):
                fams[fam] = per_call(
                    tmp, fam.replace(", ", "-"), n_count, reps,
                    [os.path.join(TOOLS, "gostack"), "-p", "{PID}", "main." + func],
                    [BCC["stackcount"], "-U", "-p", "{PID}", PROG + ":main." + func],
                    BANNER_TRACING, BANNER_TRACING, {"PYTHONUNBUFFERED": "1"}, stack_count,
                    rss_delay=0.3, drain=False, func=func)

        # 8: --prometheus, against the same tool without it; a scrape's cost.
        fams["prometheus"] = per_call(
            tmp, "prometheus", n_count, max(1, reps // 2),
            [os.path.join(TOOLS, "gofunccount"), "--prometheus", "127.0.0.1:0", "-p", "{PID}", "main.add"],
            [os.path.join(TOOLS, "gofunccount"), "-p", "{PID}", "main.add"],
            BANNER_TRACING, BANNER_TRACING, None, funccount_count, rss_delay=0.3, drain=False)
        scrape = scrape_cost(tmp, 20 if args.quick else 200)
        # 9: gofuncslower against bcc's funcslower: calls under the threshold (1 ms) print
        # nothing, so there is nothing to count; then the ping-pong, both on main.rare.
        if have["funcslower"]:
            nothing = lambda out: None  # noqa: E731
            fams["funcslower"] = per_call(
                tmp, "funcslower", n_lat, reps,
                [os.path.join(TOOLS, "gofuncslower"), "-p", "{PID}", "main.add"],
                [BCC["funcslower"], "-p", "{PID}", PROG + ":main.add"],
                BANNER_SLOWER, BANNER_SLOWER, {"PYTHONUNBUFFERED": "1"}, nothing,
                rss_delay=0.3, drain=False)
            fams["funcslower, ping-pong"] = per_call(
                tmp, "funcslower-pingpong", args.pingpong_trips, reps,
                [os.path.join(TOOLS, "gofuncslower"), "-p", "{PID}", "main.rare"],
                [BCC["funcslower"], "-p", "{PID}", PROG + ":main.rare"],
                BANNER_SLOWER, BANNER_SLOWER, {"PYTHONUNBUFFERED": "1"}, nothing,
                rss_delay=0.3, drain=False, prog_args=["pingpong", str(args.pingpong_trips)])

        # 6: the same on Go 1.19's build; 7: caddy.
        if os.access(PROG119, os.X_OK):
            fams.update(go119_families(tmp, reps, n_count, n_trace, n_lat))
        caddy = caddy_rps(tmp, 1 if args.quick else 2)

        # 3: many probes.
        mp = many_probes(tmp, 1 if args.quick else 3, args.full)
        big = large_program(tmp, 1 if args.quick else 3)
        cold = cold_starts(tmp, reps)

        # ----- the table
        family_rows("funccount", fams["funccount"], rows, notes, target_ns="<=1.0x", target_ttl="<=0.6x")
        bcc_ttl = med([r.ttl for r in fams["funccount"]["bcc"]])
        rows.append(("funccount time to live, no cache (s)", fmt(med(cold), "%.3f"), fmt(bcc_ttl, "%.3f"),
                     ratio(med(cold), bcc_ttl), ""))
        notes.append("time to live: gofunccount's first run with given settings compiles with libbcc "
                     "(the 'no cache' row); later runs load the cached program (the row above)")
        if big:
            def bttl(tag):
                return med([r.ttl for r in big.get(tag, []) if r.ttl is not None])

            def brss(tag):
                return med([r.rss for r in big.get(tag, []) if r.rss])
            rows.append(("bigprog net/http.(*conn).* time to live (s)", fmt(bttl("conn"), "%.3f"),
                         fmt(bttl("conn-bcc"), "%.3f"), ratio(bttl("conn"), bttl("conn-bcc")), "<=0.3 s"))
            rows.append(("bigprog same, no cache (s)", fmt(bttl("conn-nocache"), "%.3f"),
                         fmt(bttl("conn-bcc"), "%.3f"), ratio(bttl("conn-nocache"), bttl("conn-bcc")),
                         "<=0.6 s"))
            rows.append(("bigprog no-match pattern: time to exit (s)", fmt(bttl("nomatch"), "%.3f"),
                         "", None, "fast"))
            rows.append(("bigprog runtime.*, call sites cached: time to live (s)",
                         fmt(bttl("runtime"), "%.3f"), "", None, "<0.3 s"))
            rows.append(("bigprog runtime.*: RSS while tracing (MiB)", fmt(brss("runtime"), "%.1f", 1024),
                         fmt(brss("conn-bcc"), "%.1f", 1024), None, "<=10 MiB"))
            notes.append("bigprog: build/bench/bigprog (Go, stripped, net/http, crypto, encoding/json, "
                         "text/template, database/sql, ... linked in); bcc's funccount on "
                         "net/http.(*conn).* in the bcc column (its RSS beside ours on runtime.*); "
                         "the no-cache row includes libbcc's compile, which the 'funccount time to "
                         "live, no cache' row measures alone")
            bcc_big = big.get("conn-bcc", [])
            if bcc_big and all(r.error for r in bcc_big):
                notes.append("bigprog: bcc's funccount failed: %s (it reads only .symtab, which a "
                             "stripped binary lacks)" % bcc_big[0].error)
        if "trace" in fams:
            family_rows("trace", fams["trace"], rows, notes, target_ns="<=0.5x")
        if "funclatency" in fams:
            family_rows("funclatency", fams["funclatency"], rows, notes, target_ns="<=0.3x",
                        stand_in=fams["funccount"])
        if "funclatency-nopreempt" in fams:
            family_rows("funclatency-nopreempt", fams["funclatency-nopreempt"], rows, notes,
                        label="funclatency, asyncpreemptoff=1,", target_ttl=None)
        if "funcslower" in fams:
            family_rows("funcslower", fams["funcslower"], rows, notes, target_ttl=None,
                        stand_in=fams["funccount"])
            family_rows("funcslower, ping-pong", fams["funcslower, ping-pong"], rows, notes,
                        label="funcslower on main.rare: ping-pong round trip,", target_ttl=None)
            notes.append("funcslower: main.add's calls, all under the 1 ms threshold, print "
                         "nothing; gofuncslower's probes at its entry and returns, and on the "
                         "scheduler, bcc's uprobe and uretprobe")
            notes.append("funcslower ping-pong: benchprog pingpong, two goroutines passing a value "
                         "over unbuffered channels on one P; the added ns are per round trip (two "
                         "parks, two readies, two switches), while each tool traces main.rare, "
                         "called once a run: gofuncslower's scheduler probes fire on every switch "
                         "(no matched call in progress), bcc's funcslower has none")
        if "goiface" in fams:
            family_rows("goiface", fams["goiface"], rows, notes,
                        label="goiface vs gofunccount", target_ns="<=2.0x", target_ttl=None)
            notes.append("goiface vs gofunccount: main.describe(v any), both tools of this project; "
                         "gofunccount's figures in the bcc column")
        for opt, what in (("--label", "--label req=none on main.add, whose goroutine has no labels"),
                          ("--within", "--within main.rare on main.add, which main.rare never calls")):
            if "funccount " + opt in fams:
                family_rows("funccount " + opt, fams["funccount " + opt], rows, notes,
                            label="gofunccount %s (never matching) vs without" % opt,
                            target_ns="<=1.0x", target_ttl=None)
                notes.append("gofunccount %s: %s, next to gofunccount without %s in the bcc column"
                             % (opt, what, opt))
        if "funccount, runtime.*" in fams:
            family_rows("funccount, runtime.*", fams["funccount, runtime.*"], rows, notes,
                        label="funccount runtime.* on runtime.memequal", target_ttl="<0.3 s",
                        target_ns="<=0.2x")
            notes.append("funccount runtime.*: gofunccount on all of runtime.*, bcc's funccount on "
                         "runtime.memequal alone (it refuses more than 1000 probes); per call of "
                         "main.same, which calls the leaf runtime.memequal once")
        if "prometheus" in fams:
            family_rows("prometheus", fams["prometheus"], rows, notes,
                        label="funccount --prometheus vs without", target_ns="<=1.1x", target_ttl=None)
            rows.append(("funccount --prometheus: a scrape of runtime.* (ms)",
                         fmt(scrape.get("wall"), "%.3f", 1e-3), "", None, ""))
            rows.append(("funccount --prometheus: the tool's CPU a scrape (ms)",
                         fmt(scrape.get("cpu"), "%.3f", 1e-3), "", None, ""))
            notes.append("funccount --prometheus vs without: gofunccount serving its counts to "
                         "Prometheus against gofunccount alone (in the bcc column), on main.add; a "
                         "scrape: GET /metrics of gofunccount 'runtime.*' on benchprog spin, %s "
                         "series, %s bytes, median of %d in a row%s" % (
                             scrape.get("series", "?"), scrape.get("bytes", "?"),
                             20 if args.quick else 200,
                             ": " + scrape["error"] if scrape.get("error") else ""))
        for fam in ("funccount, framed", "funclatency, framed"):
            if fam in fams:
                lat = fam.startswith("funclatency")
                family_rows(fam, fams[fam], rows, notes, target_ttl=None,
                            target_ns="<=0.5x" if lat else "",
                            stand_in=fams["funccount, framed"] if lat else None)
        family_rows("funccount, inlined", fams["funccount, inlined"], rows, notes,
                    label="funccount inlined call (main.bump's NOP mark)", target_ttl=None,
                    target_ns="~ framed's")
        notes.append("funccount inlined call: per call of main.bump, which the compiler inlined "
                     "into the loop; bcc's funccount finds no such function (its 'failed'); "
                     "compare with the framed row's emulated entry probe")
        for fam in ("stackcount", "stackcount, framed"):
            if fam in fams:
                family_rows(fam, fams[fam], rows, notes, target_ttl=None, target_ns="<=0.5x")
        go119_targets = {"funccount": "<=1.0x", "funccount, framed": "<=0.15x",
                         "funclatency": "<=0.3x", "funclatency, framed": "<=0.5x",
                         "stackcount": "<=0.5x", "stackcount, framed": "<=0.5x",
                         "trace": "<=0.5x", "trace, framed": "<=0.5x"}
        for fam, target in go119_targets.items():
            key = "Go 1.19 " + fam
            if key in fams:
                stand_in = None
                if fam.startswith("funclatency"):
                    stand_in = fams.get(key.replace("funclatency", "funccount"))
                family_rows(key, fams[key], rows, notes, target_ttl=None, target_ns=target,
                            stand_in=stand_in)
        if any(k.startswith("Go 1.19 ") for k in fams):
            notes.append("Go 1.19: build/bench/benchprog119, the same program built by Go 1.19, "
                         "whose prologue has no PUSH after the stack check: gotools' entry probe "
                         "on main.step sits on the check's conditional jump (emulated; a call "
                         "counts when it does not jump to morestack), whether direct calls or a "
                         "function value enter it")
        if caddy:
            for label, _, _ in CADDY_TOOLS:
                r, base = caddy.get(label, (None, None))
                rps = r.ns if r is not None and r.ok else None
                rows.append(("caddy requests/s under %s" % label,
                             fmt(rps, "%.0f") if rps is not None else "failed",
                             fmt(base, "%.0f"), ratio(rps, base), ""))
                if r is not None and r.error:
                    notes.append("caddy, %s: %s" % (label, r.error))
                if r is not None and r.prog_died:
                    notes.append("caddy, %s: caddy died: %s" % (label, r.prog_died))
            notes.append("caddy: Debian 12's caddy (Go 1.19, stripped: bcc's tools cannot trace it), "
                         "`caddy respond` on the loopback, wrk -t1 -c8 for %d s a run; the bcc "
                         "column is caddy untraced, in the run just before" % (
                             1 if args.quick else 2))
        notes.append("framed: main.step, which has Go's stack check and a frame, as most Go functions "
                     "do; the rows without it trace main.add, a leaf, whose first instruction the kernel "
                     "single-steps: bcc probes it there, gotools at its callers' CALLs (emulated); gofunclatency "
                     "sees both functions' returns in the loop, at the next instruction the kernel "
                     "emulates (a return site, with a guard on the loop's first JMP), where bcc "
                     "uses a uretprobe")
        notes.append("added ns/call: traced loop - untraced loop (wall: time.Now around the loop; CPU: "
                     "the looping thread's user+system time, which leaves out other processes' time "
                     "on a busy machine); untraced loop, wall/CPU ns/call: " + ", ".join(
                         "%s %s/%s" % (k, fmt(med(v["untraced"]), "%.2f"), fmt(med(v["untraced_cpu"]), "%.2f"))
                         for k, v in fams.items()))

        # many probes
        fc = fams["funccount"]
        o_ok = [r for r in mp["ours"] if r.ok]
        b_ok = [r for r in mp["bcc"] if r.ok]
        one_o = med([r.ttl for r in fc["ours"] if r.ok])
        one_b = med([r.ttl for r in fc["bcc"] if r.ok])
        o_n = o_ok[0].nfuncs if o_ok else None
        b_n = b_ok[0].nfuncs if b_ok else None
        o_ttl, b_ttl = med([r.ttl for r in o_ok]), med([r.ttl for r in b_ok])
        o_det, b_det = med([r.detach for r in o_ok]), med([r.detach for r in b_ok])

        def add_(a, b):
            return None if a is None or b is None else a + b

        def sub(a, b):
            return None if a is None or b is None else a - b

        def per(a, n):
            return None if a is None or not n else a / n * 1000
        # Attach: ours, from the end of its compiler child to the banner; bcc's, its time to live
        # minus its time to live with one function.
        o_att = med([sub(r.ttl, r.compiled) for r in o_ok])
        o_att1 = med([sub(r.ttl, r.compiled) for r in fc["ours"] if r.ok])
        how_o = "compiler child's end to banner"
        if o_att is None:
            o_att, how_o = sub(o_ttl, one_o), "time to live - time to live with 1 function"
        b_att = sub(b_ttl, one_b)
        o_ad = add_(o_att, o_det)
        b_ad = add_(b_att, b_det)
        bpat = mp["bcc_pattern"]
        rows.append(("many probes: functions (N)", fmt(o_n, "%d"), fmt(b_n, "%d"), None, ""))
        rows.append(("many probes: time to live (s)", fmt(o_ttl, "%.3f"), fmt(b_ttl, "%.3f"),
                     ratio(o_ttl, b_ttl), ""))
        rows.append(("many probes: attach (s)", fmt(o_att, "%.3f"), fmt(b_att, "%.3f"), ratio(o_att, b_att), ""))
        rows.append(("many probes: SIGINT to exit (s)", fmt(o_det, "%.3f"), fmt(b_det, "%.3f"),
                     ratio(o_det, b_det), ""))
        rows.append(("many probes: attach+detach (s)", fmt(o_ad, "%.3f"), fmt(b_ad, "%.3f"),
                     ratio(o_ad, b_ad), "<=0.2 s"))
        rows.append(("many probes: attach+detach (ms/probe)", fmt(per(o_ad, o_n), "%.3f"),
                     fmt(per(b_ad, b_n), "%.3f"), ratio(per(o_ad, o_n), per(b_ad, b_n)), ""))
        rows.append(("many probes: RSS while tracing (MiB)", fmt(med([r.rss for r in o_ok]), "%.1f", 1024),
                     fmt(med([r.rss for r in b_ok]), "%.1f", 1024), None, ""))
        notes.append("many probes: gofunccount 'runtime.*', bcc funccount %s, on a busy Go program. "
                     "attach: gofunccount's from its %s (%s s with 1 function); bcc's, its time to live "
                     "- its time to live with 1 function (funccount row); detach: SIGINT to exit" % (
                         "'%s'" % bpat if bpat else "(failed on every pattern tried)", how_o,
                         fmt(o_att1, "%.3f")))
        if b_ad is not None and b_n and o_n:
            notes.append("many probes: bcc at %.0f ms a probe would take ~%.0f s for gofunccount's %d%s" % (
                per(b_ad, b_n), per(b_ad, b_n) * o_n / 1000, o_n,
                "" if args.full else "; its largest accepted runtime.* subset, '%s' (~850 functions), "
                "runs with --full (minutes)" % BCC_MANY_FULL[0]))
        for f in mp["bcc_failures"]:
            notes.append("many probes: bcc funccount failed on " + f)
        for r in mp["ours"]:
            if r.error:
                notes.append("many probes: gofunccount 'runtime.*' failed: " + r.error)
                break

        # memory
        o = [r for r in fc["ours"] if r.ok]
        b = [r for r in fc["bcc"] if r.ok]
        rss_o, rss_b = med([r.rss for r in o]), med([r.rss for r in b])
        hwm_o, hwm_b = med([r.hwm for r in o]), med([r.hwm for r in b])
        rows.append(("funccount RSS while tracing (MiB)", fmt(rss_o, "%.1f", 1024), fmt(rss_b, "%.1f", 1024),
                     ratio(rss_o, rss_b), "<=0.5x"))
        rows.append(("funccount peak RSS, VmHWM (MiB)", fmt(hwm_o, "%.1f", 1024), fmt(hwm_b, "%.1f", 1024),
                     ratio(hwm_o, hwm_b), ""))
        rows.append(("funccount compiler child peak (MiB)", fmt(med([r.child_peak for r in o]), "%.1f", 1024),
                     "none", None, ""))
        for fam in ("trace", "funclatency"):
            if fam in fams:
                o = [r for r in fams[fam]["ours"] if r.ok]
                b = [r for r in fams[fam]["bcc"] if r.ok]
                a, c = med([r.rss for r in o]), med([r.rss for r in b])
                rows.append(("%s RSS while tracing (MiB)" % fam, fmt(a, "%.1f", 1024), fmt(c, "%.1f", 1024),
                             ratio(a, c), ""))
        notes.append("RSS while tracing: VmRSS 1 s (funccount) or 0.5 s after the banner; peak: VmHWM before SIGINT; compiler "
                     "child: gofunccount's short-lived child that runs libbcc's compiler (bcc's runs in its "
                     "one python3 process)")

        print_table(rows, notes, time.monotonic() - start)
        return 0
    except Aborted as e:
        log("bench: interrupted (%s); stopping every process it started" % e)
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        reap_all()
        shutil.rmtree(tmp, ignore_errors=True)


def check(row):
    name, ours, bcc, r, target = row
    if not target:
        return ""
    try:
        if target.endswith("x"):
            return "ok" if r is not None and round(r, 2) <= float(target[2:-1]) else "MISSED"
        if target.endswith(" s"):
            return "ok" if float(ours) <= float(target[2:-2]) else "MISSED"
    except ValueError:
        return "MISSED"
    return ""


def print_table(rows, notes, elapsed):
    print()
    w = max(len(r[0]) for r in rows) + 2
    print("%-*s %10s %10s %8s %9s" % (w, "metric", "gotools", "bcc", "ratio", "target"))
    for row in rows:
        name, ours, bcc, r, target = row
        st = check(row)
        print("%-*s %10s %10s %8s %9s %s" % (w, name, ours, bcc, "" if r is None else "%.2fx" % r,
                                            target, st))
    print()
    for n in notes:
        print("note: " + n)
    print("note: ratio = gotools / bcc; times are medians; whole run %.0f s" % elapsed)


if __name__ == "__main__":
    sys.exit(main())
