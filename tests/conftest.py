"""Shared fixtures and helpers for the tool tests.

The Go programs under tests/go/ are the ground truth: each counts its own calls and reports them
as a JSON line. Tests trace them with the tools and compare the tools' output with that JSON.

Run as root:  /usr/bin/python3 -m pytest tests/
Without root, only the tests marked `unprivileged` (binary readers, parsers: no BPF) run; the
others are skipped, saying why.

On a sanitizer build (make SANITIZE=1) a report of ASan, LSan or UBSan from a tool a test runs
fails that test: see no_sanitizer_reports.
"""

import fcntl
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time

import pytest

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
GO_SOURCES = os.path.join(TESTS, "go")
BUILD_DIR = os.path.join(TESTS, ".build")
if os.geteuid() != 0 and not os.access(BUILD_DIR, os.W_OK):
    # the shared cache is root's; without root, build the programs in a cache of one's own
    BUILD_DIR = os.path.join(tempfile.gettempdir(), f"gotools-tests-{os.geteuid()}")


def find_toolchains():
    """{name: (release, go command)} of the Go toolchains the tests build with, as
    scripts/toolchains.sh says (the one place that names them and where each is; scripts/setup.sh
    --tests provides them). A missing one's command is where it would be: a build with it fails,
    saying how to get it."""
    listing = subprocess.run([os.path.join(ROOT, "scripts", "toolchains.sh"), "list"],
                             capture_output=True, text=True, check=True).stdout
    return {name: (release, go) for name, release, _, go in (line.split() for line in listing.splitlines())}


TOOLCHAINS = find_toolchains()
GO126 = TOOLCHAINS["go126"][1]
GO119 = TOOLCHAINS["go119"][1]
# PIE linked by LLVM's lld (Debian's lld), which writes no value where a dynamic relocation will
# put one: the file holds zeros for every pointer, in the pclntab, moduledata and build info
LLD_LDFLAGS = "-ldflags=-linkmode=external -extldflags=-fuse-ld=lld"

TRACEFS = "/sys/kernel/tracing"

# How each variant is built: (go command, extra `go build` flags, CGO_ENABLED).
# "-cgo" variants build the cgo program; the others build every other program.
# gccgo: `go build -compiler=gccgo` drives /usr/bin/gccgo (GCC 12, which has no generics; see
# tests/go/workload/map_gccgo.go). -O0 keeps every function an out-of-line symbol of its own name,
# which these programs' tests rely on; at -O2 GCC clones some (main.greet.isra.0) and drops the
# originals: tests/test_gccgo_opt.py covers that, with the gccgo-O2 variant.
VARIANTS = {
    "go126": (GO126, [], "0"),
    "go126-stripped": (GO126, ["-ldflags=-s -w"], "0"),
    "go126-pie": (GO126, ["-buildmode=pie"], "0"),
    "go126-cgo": (GO126, [], "1"),
    "go119": (GO119, [], "0"),
    "go119-stripped": (GO119, ["-ldflags=-s -w"], "0"),
    "go119-pie": (GO119, ["-buildmode=pie"], "0"),
    "go119-cgo": (GO119, [], "1"),
    "gccgo": (GO126, ["-compiler=gccgo", "-gccgoflags=-O0"], "1"),
}


# Other gc releases, fetched from the Go module proxy by scripts/setup.sh --tests (the name is
# from when Go's toolchain switching fetched them): they cover the releases between the two
# above, whose runtime.g layouts differ (goid moved in 1.23 and back in 1.25). Each variant is
# its toolchain's name.
SWITCHED = ("go120", "go121", "go122", "go123", "go124", "go125")
VARIANTS.update({variant: (TOOLCHAINS[variant][1], [], "0") for variant in SWITCHED})

# Releases from before the register ABI (Go 1.16: every function ABI0, the Go 1.16 pclntab) and
# the first two with it. They cannot build generic code, so only tests/go/tracee,
# tests/go/entries and tests/go/stackmove are built with them, by the tests that name them;
# they are not in VARIANTS. Variant -> toolchain.
OLD = {
    "go116": "go116",
    "go117": "go117",
    "go118": "go118",
    # linked by the system linker (which cgo uses too): C start-up code comes first in .text, so
    # runtime.text, which method tables count from, is not where .text begins
    "go117-extld": "go117",
    # position-independent: the 1.16-1.17 pclntab's funcdata are absolute addresses, which the
    # file holds only as dynamic relocations
    "go116-pie": "go116",
    "go116-stripped": "go116",
    "go117-pie": "go117",
    "go117-extld-pie": "go117",
    # linked by LLVM's lld, which leaves the words that dynamic relocations fill as zeros in the
    # file (no --apply-dynamic-relocs): pointers in the pclntab, moduledata and build info too
    "go117-lld-pie": "go117",
}
ALL_VARIANTS = dict(VARIANTS, **{variant: (TOOLCHAINS[name][1], [], "0") for variant, name in OLD.items()})
ALL_VARIANTS["go117-extld"] = (TOOLCHAINS["go117"][1], ["-ldflags=-linkmode=external"], "1")
ALL_VARIANTS["go116-pie"] = (TOOLCHAINS["go116"][1], ["-buildmode=pie"], "0")
ALL_VARIANTS["go116-stripped"] = (TOOLCHAINS["go116"][1], ["-ldflags=-s -w"], "0")
ALL_VARIANTS["go117-pie"] = (TOOLCHAINS["go117"][1], ["-buildmode=pie"], "0")
ALL_VARIANTS["go117-extld-pie"] = (TOOLCHAINS["go117"][1], ["-buildmode=pie", "-ldflags=-linkmode=external"], "1")
ALL_VARIANTS["go117-lld-pie"] = (TOOLCHAINS["go117"][1], ["-buildmode=pie", LLD_LDFLAGS], "1")
ALL_VARIANTS["go126-lld-pie"] = (GO126, ["-buildmode=pie", LLD_LDFLAGS], "1")
ALL_VARIANTS["go119-lld-pie"] = (GO119, ["-buildmode=pie", LLD_LDFLAGS], "1")
# cgo programs other than tests/go/cgo, built with cgo by the tests that name these (the -cgo
# variants too, through build_program): stripped, and PIE linked the default way with cgo,
# by the system linker (with CGO_ENABLED=0, Go links PIE itself: the -pie variants)
ALL_VARIANTS["go126-cgo-stripped"] = (GO126, ["-ldflags=-s -w"], "1")
ALL_VARIANTS["go119-cgo-stripped"] = (GO119, ["-ldflags=-s -w"], "1")
ALL_VARIANTS["go126-extld-pie"] = (GO126, ["-buildmode=pie"], "1")
ALL_VARIANTS["go119-extld-pie"] = (GO119, ["-buildmode=pie"], "1")
# gccgo with GCC's optimiser: split-stack blocks moved to the end, clones (.constprop, .isra;
# at -O3 also next to the function they clone);
# only tests/go/gccgoopt is built with it, by tests/test_gccgo_opt.py (and at -O1, where GCC
# clones nothing, tests/go/iface, by tests/test_goiface.py)
ALL_VARIANTS["gccgo-O1"] = (GO126, ["-compiler=gccgo", "-gccgoflags=-O1"], "1")
ALL_VARIANTS["gccgo-O2"] = (GO126, ["-compiler=gccgo", "-gccgoflags=-O2"], "1")
ALL_VARIANTS["gccgo-O3"] = (GO126, ["-compiler=gccgo", "-gccgoflags=-O3"], "1")
# Go 1.22 with its experimental iter.Pull (the package needs only GOEXPERIMENT=rangefunc's build
# tag), whose coroutines switch goroutines in runtime.coroswitch_m as 1.23+'s do: built by
# tests/test_gofuncslower.py
ALL_VARIANTS["go122-rangefunc"] = (TOOLCHAINS["go122"][1], ["-tags=goexperiment.rangefunc"], "0")
# arm64 builds (GOARCH=arm64), which tests plan probes for on any host (--dry-run, libgo's
# readers: tests/test_arm64.py) and run under QEMU (make check-arm64): gc's register ABI
# came to arm64 in Go 1.18, so Go 1.17's is all ABI0 there; R28 holds g in every release.
ARM64_VARIANTS = {
    "go126-arm64": (GO126, [], "0"),
    "go126-arm64-stripped": (GO126, ["-ldflags=-s -w"], "0"),
    "go126-arm64-pie": (GO126, ["-buildmode=pie"], "0"),
    "go119-arm64": (GO119, [], "0"),
    "go119-arm64-pie": (GO119, ["-buildmode=pie"], "0"),
    "go118-arm64": (TOOLCHAINS["go118"][1], [], "0"),
    "go117-arm64": (TOOLCHAINS["go117"][1], [], "0"),
    "go116-arm64": (TOOLCHAINS["go116"][1], [], "0"),
    # with C code (cgo callbacks), compiled by Debian's cross compiler (make check-arm64's)
    "go126-arm64-cgo": (GO126, [], "1"),
    "go119-arm64-cgo": (GO119, [], "1"),
}
ALL_VARIANTS.update(ARM64_VARIANTS)


def goarch(variant):
    """The GOARCH a variant builds for."""
    return "arm64" if variant in ARM64_VARIANTS else "amd64"


def is_cgo_variant(variant):
    return variant.endswith("-cgo")


def main_program(variant):
    """The program whose exact counts a variant checks: the cgo one for -cgo variants."""
    return "cgo" if is_cgo_variant(variant) else "workload"


def go_command(variant):
    """The go command of the toolchain that built a variant (gccgo's: Go 1.26's, for `go tool nm`)."""
    return VARIANTS[variant][0]


def unstripped(variant):
    """The variant whose binary is the same build with its symbol table, e.g. go126 for go126-stripped."""
    return variant[: -len("-stripped")] if variant.endswith("-stripped") else variant


def tool(name):
    """Path of a tool of this repository, e.g. tool("gofunccount") -> <repo>/tools/gofunccount."""
    return os.path.join(ROOT, "tools", name)


def helper(name):
    """Path of a test helper built by `make`, e.g. helper("gofuncs") -> <repo>/tests/helpers/gofuncs."""
    return os.path.join(TESTS, "helpers", name)


# ---------------------------------------------------------------------------------------------
# Session checks


IS_ROOT = os.geteuid() == 0
NOT_ROOT_REASON = ("needs root: attaches BPF programs to uprobes "
                   "(try: sudo /usr/bin/python3 -m pytest tests/)")


def pytest_configure(config):
    config.addinivalue_line("markers", "unprivileged: runs without root (no BPF, no tracefs)")
    config.addinivalue_line("markers", "arm64: in the subset an arm64 run takes first "
                            "(pytest -m arm64: what already runs on arm64)")


def pytest_collection_modifyitems(config, items):
    """Without root, skip every test not marked unprivileged, with the reason."""
    if IS_ROOT:
        return
    skip = pytest.mark.skip(reason=NOT_ROOT_REASON)
    for item in items:
        if "unprivileged" not in item.keywords:
            item.add_marker(skip)


# On a sanitizer build, a tool or helper stops at its first report (printed on its stderr) with
# status 86, which no test expects (bad input is 1, usage 2). Leaks are reported when a tool
# exits; the child that compiles a tool's BPF program ends with _exit, so libbcc's and LLVM's
# allocations, which are not ours, are never counted. The tool runners below also look for a
# report in a tool's stderr, and no_sanitizer_reports fails the test that produced one, whatever
# the test itself checks.
SANITIZER_EXIT = 86
os.environ.setdefault("ASAN_OPTIONS", f"halt_on_error=1:abort_on_error=0:exitcode={SANITIZER_EXIT}:"
                      "detect_leaks=1")
os.environ.setdefault("UBSAN_OPTIONS", f"halt_on_error=1:print_stacktrace=1:exitcode={SANITIZER_EXIT}")
SANITIZER_MARKS = ("runtime error:", "ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                   "ERROR: UndefinedBehaviorSanitizer")
sanitizer_reports = []


# Runs argv and writes "<wait status> <peak RSS in KiB>" to the file named first: a process
# forked from pytest (hundreds of MiB by the end of a run) starts with pytest's pages counted
# in its peak, and keeps that peak across exec; one forked from this small launcher does not.
_PEAK_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{status} {usage.ru_maxrss}")
"""


def run_peak_rss(argv, stdout, stderr, timeout=300):
    """Run argv to its end, its output to the given files: (exit status, peak RSS in KiB) of
    argv's process alone."""
    fd, result = tempfile.mkstemp(prefix="gotools-rss-")
    os.close(fd)
    try:
        subprocess.run(["/usr/bin/python3", "-c", _PEAK_LAUNCHER, result, *argv],
                       stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, timeout=timeout)
        with open(result) as f:
            status, maxrss = f.read().split()
    finally:
        os.unlink(result)
    return os.waitstatus_to_exitcode(int(status)), int(maxrss)


def note_sanitizer_report(command, stderr):
    """Remember a sanitizer report in a process's stderr, for no_sanitizer_reports."""
    if stderr and any(mark in stderr for mark in SANITIZER_MARKS):
        sanitizer_reports.append(f"{command}:\n{stderr[-6000:]}")


def linked_build():
    """The build ./tools/* were last linked from (build/linked, the Makefile's stamp): its first
    word is build/normal or build/sanitize."""
    try:
        with open(os.path.join(ROOT, "build", "linked")) as f:
            return f.read().split(" ", 1)[0]
    except OSError:
        return None


# The build the session runs on. CI runs the suite once on each; a test that runs make in the tree
# must build the same one (SANITIZE=MAKE_SANITIZE), or the tests after it would run on the other.
LINKED_BUILD = linked_build()
SANITIZER_BUILD = LINKED_BUILD == "build/sanitize"
MAKE_SANITIZE = f"SANITIZE={int(SANITIZER_BUILD)}"


@pytest.fixture(autouse=True)
def no_sanitizer_reports():
    """Fail the test if a tool it ran printed a sanitizer report, or if it relinked the tools from
    another build than the one the session runs on."""
    del sanitizer_reports[:]
    yield
    if linked_build() != LINKED_BUILD:
        pytest.fail(f"the tools were relinked from {linked_build()}; the session runs on {LINKED_BUILD}",
                    pytrace=False)
    if sanitizer_reports:
        reports = "\n".join(sanitizer_reports)
        del sanitizer_reports[:]
        pytest.fail(f"sanitizer report:\n{reports}", pytrace=False)


@pytest.fixture(scope="session")
def tracefs():
    """The tracefs mount point, mounted if it is not already."""
    events = os.path.join(TRACEFS, "uprobe_events")
    if not os.path.exists(events):
        subprocess.run(["mount", "-t", "tracefs", "nodev", TRACEFS], check=False)
    if not os.path.exists(events):
        pytest.fail(f"tracefs is not mounted at {TRACEFS} and mounting it failed")
    return TRACEFS


# ---------------------------------------------------------------------------------------------
# Building the Go programs


class BuildError(Exception):
    pass


# Every wait of a test for a program or a tool, times this (make check-arm64 sets it: its guest's
# CPU is emulated, and a BPF program takes there ten times the seconds it takes here).
SLOW = float(os.environ.get("GOTOOLS_TEST_SLOW", "1"))


def build_env(cgo_enabled, go=None, arch="amd64"):
    """The environment of a go command: the toolchain it is, as it is (GOTOOLCHAIN=local, its
    own GOROOT), no network (GOPROXY=off), the tests' build cache, and the arch it builds for."""
    env = dict(os.environ)
    old = go in (TOOLCHAINS[name][1] for name in set(OLD.values()))
    env.update(
        # -buildvcs is newer than Go 1.18
        GOFLAGS="-mod=mod" if old else "-mod=mod -buildvcs=false",
        GOTOOLCHAIN="local",
        GOPROXY="off",
        GOSUMDB="off",
        CGO_ENABLED=cgo_enabled,
        GOCACHE=os.path.join(BUILD_DIR, "gocache"),
        GOPATH=os.path.join(BUILD_DIR, "gopath"),
        GOARCH=arch,
    )
    if arch == "arm64" and cgo_enabled == "1":
        env["CC"] = "aarch64-linux-gnu-gcc"
    if go:
        env["GOROOT"] = os.path.dirname(os.path.dirname(go))
    return env


def source_digest(src_dir, command):
    """A digest of a program's sources, where they are (the binary records their paths, which
    gostack prints) and the build command, naming its cached binary."""
    h = hashlib.sha256("\0".join([os.path.realpath(src_dir), *command]).encode())
    for top, dirs, files in os.walk(src_dir):  # with its packages' directories
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                h.update(os.path.relpath(path, src_dir).encode() + b"\0" + f.read() + b"\0")
    return h.hexdigest()[:16]


def toolchain_version(command, env):
    """`go version`, and with -compiler=gccgo also `gccgo --version`: part of the cache key."""
    versions = []
    probes = [[command[0], "version"]] + ([["gccgo", "--version"]] if "-compiler=gccgo" in command else [])
    for probe in probes:
        try:
            result = subprocess.run(probe, env=env, capture_output=True, text=True)
        except OSError as e:
            raise BuildError(f"{probe[0]}: {e}") from None
        if result.returncode != 0:
            raise BuildError(f"{' '.join(probe)} failed: {result.stderr.strip()}")
        versions.append(result.stdout.splitlines()[0] if result.stdout else "")
    return "; ".join(versions)


def build_program(variant, program, src=None):
    """Build one program for one variant, or reuse the cached build; return the binary's path.
    src: the program's source directory, by default tests/go/<program> (a generated program's
    is elsewhere, e.g. under tests/.build).

    Binaries are cached in tests/.build/<variant>/<program>-<digest>. A lock file serialises
    builds of the same target across concurrent pytest processes; the binary is written in a
    temporary directory and renamed into place, so readers never see a partial file."""
    if os.environ.get("GOTOOLS_PREBUILT"):
        return prebuilt(variant, program)
    go, flags, cgo_enabled = ALL_VARIANTS[variant]
    if not os.access(go, os.X_OK):
        name, release = next((name, release) for name, (release, path) in TOOLCHAINS.items() if path == go)
        raise BuildError(f"Go {release} ({name}) is not installed at {go}: "
                         "run sudo scripts/setup.sh --tests")
    src = src or os.path.join(GO_SOURCES, program)
    env = build_env(cgo_enabled, go, goarch(variant))
    out_dir = os.path.join(BUILD_DIR, variant)
    os.makedirs(out_dir, exist_ok=True)
    command = [go, "build", *flags]
    digest = source_digest(src, command + [toolchain_version(command, env)] +
                           ([f"GOARCH={goarch(variant)}"] if goarch(variant) != "amd64" else []))
    binary = os.path.join(out_dir, f"{program}-{digest}")

    with open(os.path.join(out_dir, f"{program}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(binary):
            return binary
        with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
            tmp_binary = os.path.join(tmp, program)
            result = subprocess.run(command + ["-o", tmp_binary, "."], cwd=src, env=env,
                                    capture_output=True, text=True, timeout=600)
            if result.returncode != 0:
                raise BuildError(f"`{' '.join(command)} -o ... .` in {src} failed:\n{result.stderr}")
            os.replace(tmp_binary, binary)
    return binary


def prebuilt(variant, program):
    """A program built elsewhere, for a machine with no Go (make check-arm64's guest):
    GOTOOLS_PREBUILT names a JSON file of {"VARIANT PROGRAM": path} (tests/prebuild.py)."""
    with open(os.environ["GOTOOLS_PREBUILT"]) as f:
        binary = json.load(f)["programs"].get(f"{variant} {program}")
    if not binary:
        raise BuildError(f"{program} was not built as {variant} before (tests/prebuild.py)")
    return binary


class Builds:
    """Builds programs on first use and remembers the result (binary or error) for the session."""

    def __init__(self):
        self._done = {}
        self._lock = threading.Lock()

    def path(self, variant, program=None):
        """Path of `program` (default: the variant's main program) built as `variant`; a build
        that fails makes the calling test fail with the compiler's message."""
        program = program or main_program(variant)
        if is_cgo_variant(variant) != (program == "cgo"):
            raise ValueError(f"variant {variant} does not build program {program}")
        key = (variant, program)
        with self._lock:
            if key not in self._done:
                try:
                    self._done[key] = ("ok", build_program(variant, program))
                except (BuildError, OSError, subprocess.TimeoutExpired) as e:
                    self._done[key] = ("error", str(e))
        status, value = self._done[key]
        if status == "error":
            pytest.fail(f"cannot build {program} as {variant}: {value}", pytrace=False)
        return value


def private_copy(binary, directory):
    """A copy of a built program in directory (a test's tmp_path). Probes on a file without -p
    see every process running it, and the build cache is shared by concurrent test runs: a test
    that counts system-wide runs its own copy, which no other process runs."""
    copy = os.path.join(str(directory), os.path.basename(binary))
    shutil.copy2(binary, copy)
    return copy


@pytest.fixture(scope="session")
def built():
    """Builds, e.g. built.path("go126") or built.path("go119-pie", "goroutines")."""
    return Builds()


# ---------------------------------------------------------------------------------------------
# Running processes


class LineReader:
    """Reads a text stream on a thread, so that lines can be awaited with a timeout."""

    def __init__(self, stream):
        self.lines = []  # everything read so far
        self._queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream):
        for line in stream:
            self.lines.append(line)
            self._queue.put(line)
        self._queue.put(None)

    def readline(self, timeout):
        """The next line, or None at EOF; raises TimeoutError if none comes in time."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None

    def text(self, timeout=5):
        """Everything the stream carried, once it is closed (waits up to timeout)."""
        self._thread.join(timeout)
        return "".join(self.lines)


class GoProgram:
    """A test program under tests/go/, driven through its stdin/stdout protocol.

        with GoProgram(built.path("go126")) as prog:
            ... attach to prog.pid ...
            prog.go()
            counts = prog.result()
            prog.stop()
    """

    def __init__(self, path, *args, timeout=30):
        timeout *= SLOW
        self.argv = [path, *args]
        self.timeout = timeout
        self.proc = None
        self.pid = None

    def __enter__(self):
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, bufsize=1)
        self.out = LineReader(self.proc.stdout)
        self.err = LineReader(self.proc.stderr)
        line = self._expect_line("ready pid=")
        self.pid = int(line.split("=", 1)[1])
        assert self.pid == self.proc.pid, f"program reports pid {self.pid}, but is {self.proc.pid}"
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def _expect_line(self, prefix):
        """Read stdout up to a line starting with prefix and return it."""
        deadline = time.monotonic() + self.timeout
        seen = []
        while True:
            try:
                line = self.out.readline(max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                self._fail(f"no line starting {prefix!r} within {self.timeout} s; stdout so far: {seen}")
            if line is None:
                self._fail(f"stdout closed before a line starting {prefix!r}; stdout: {seen}")
            line = line.rstrip("\n")
            if line.startswith(prefix):
                return line
            seen.append(line)

    def _fail(self, message):
        status = self.proc.poll()
        if status is not None:
            message += f"\nprogram exited with status {status}; stderr:\n{self.err.text()}"
        pytest.fail(f"{self.argv[0]}: {message}", pytrace=False)

    def go(self, line="go"):
        """Send a line: the first starts the workload (a second stops a `loop` workload)."""
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def result(self):
        """The program's JSON report of what it did, after which it prints `done`."""
        report = json.loads(self._expect_line("{"))
        self._expect_line("done")
        return report

    def stop(self):
        """Close stdin and check that the program exits with status 0: tracing must not harm it."""
        self.proc.stdin.close()
        try:
            status = self.proc.wait(self.timeout)
        except subprocess.TimeoutExpired:
            self._fail(f"still running {self.timeout} s after its stdin was closed")
        if status != 0:
            self._fail(f"exit status {status}, expected 0")


class Tool:
    """A tool of this repository, run until it is tracing.

        with Tool("gofunccount", "-p", str(pid), "main.*") as t:
            ...
            status, stdout, stderr = t.interrupt()

    Entering waits for the banner, a line starting with "Tracing ", on stdout (or on stderr, where
    a tool whose stdout is JSON may print it), or for gotrace, as for bcc's trace, its column
    header. If the tool exits first, the test fails with its stderr."""

    BANNER = re.compile(r'^Tracing (\d+) functions? for "(.*)"\.\.\. Hit Ctrl-C to end\.$')
    READY = re.compile(r"^Tracing |^(TIME\s+)*PID\s+TID\s+COMM\s+GOID\s+FUNC")

    def __init__(self, name, *args, env=None, timeout=30):
        timeout *= SLOW
        self.argv = [tool(name), *args]
        self.env = dict(os.environ, **(env or {}))
        self.timeout = timeout
        self.proc = None
        self.banner = None
        self._noted = False

    def __enter__(self):
        if not os.access(self.argv[0], os.X_OK):
            pytest.fail(f"{self.argv[0]} does not exist or is not executable (run make)", pytrace=False)
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=self.env)
        self.out = LineReader(self.proc.stdout)
        self.err = LineReader(self.proc.stderr)
        self.banner = self._wait_for_banner()
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._note_sanitizer_report()

    def _note_sanitizer_report(self):
        if not self._noted:
            self._noted = True
            note_sanitizer_report(self.command(), self.err.text())

    def _wait_for_banner(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            for line in self.out.lines + self.err.lines:
                if self.READY.match(line):
                    return line.rstrip("\n")
            if self.proc.poll() is not None:
                time.sleep(0.1)  # let the readers collect the last output
                if any(self.READY.match(line) for line in self.out.lines + self.err.lines):
                    continue
                pytest.fail(f"{self.command()} exited with status {self.proc.returncode} before "
                            f"tracing; stderr:\n{self.err.text()}\nstdout:\n{self.out.text()}",
                            pytrace=False)
            time.sleep(0.02)
        self.proc.kill()
        pytest.fail(f"{self.command()} printed no 'Tracing ...' banner (nor header) within {self.timeout} s; "
                    f"stderr:\n{self.err.text()}\nstdout:\n{self.out.text()}", pytrace=False)

    def command(self):
        return " ".join(self.argv)

    def traced_count(self):
        """N from the banner 'Tracing N functions for "PATTERN"... Hit Ctrl-C to end.'."""
        m = self.BANNER.match(self.banner)
        assert m, f"malformed banner: {self.banner!r}"
        return int(m.group(1))

    def interrupt(self, sig=signal.SIGINT, timeout=30):
        """Send a signal (Ctrl-C by default) and return (status, stdout, stderr) once it exits."""
        self.proc.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout=30):
        """Wait for the tool to exit by itself; return (status, stdout, stderr)."""
        timeout *= SLOW
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"{self.command()} did not exit within {timeout} s; stderr:\n{self.err.text()}"
                        f"\nstdout:\n{self.out.text()}", pytrace=False)
        self._note_sanitizer_report()
        return self.proc.returncode, self.out.text(), self.err.text()


def run_tool(name, *args, timeout=30, env=None):
    """Run a tool to completion; return the CompletedProcess (text, stdout and stderr captured)."""
    timeout *= SLOW
    path = tool(name)
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} does not exist or is not executable (run make)", pytrace=False)
    try:
        result = subprocess.run([path, *args], stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                timeout=timeout, env=dict(os.environ, **(env or {})))
        note_sanitizer_report(f"{name} {' '.join(args)}", result.stderr)
        return result
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{path} {' '.join(args)!r} still running after {timeout} s (killed); "
                    f"stderr:\n{e.stderr or ''}\nstdout:\n{e.stdout or ''}", pytrace=False)


# ---------------------------------------------------------------------------------------------
# Parsing output


def parse_funccount_tables(stdout, unique=True):
    """Every table in funccount output, in order, each a dict {function name: count}.

    Two functions may share a name: gc's ABI0 wrapper of a Go function called from assembly
    (runtime.goexit1 has one) is listed under the function's name. With unique=False their rows
    are summed; otherwise a repeated name fails (no test program has such a pair in main.*).

    A table is a header line `FUNC ... COUNT` followed by rows `<name> <count>` (`%-36s %8d`;
    names may be longer than 36 characters and may contain spaces, as in
    `sync.(*HashTrieMap[go.shape.interface {},go.shape.interface {}]).Load`). A table ends at a
    blank line, a timestamp line, the next header or `Detaching...`."""
    tables = []
    table = None
    for line in stdout.splitlines():
        if line.split() == ["FUNC", "COUNT"]:
            table = {}
            tables.append(table)
            continue
        if table is None:
            continue
        if not line.strip() or line.startswith("Detaching...") or re.match(r"^\d\d:\d\d:\d\d\s*$", line):
            table = None
            continue
        name, _, count = line.rstrip().rpartition(" ")
        name = name.strip()
        assert name and count.isdigit(), f"malformed funccount row {line!r} in:\n{stdout}"
        assert not unique or name not in table, f"function {name!r} appears twice in one table:\n{stdout}"
        table[name] = table.get(name, 0) + int(count)
    return tables


def parse_funccount(stdout, unique=True):
    """The last (for a run without -i, the only) table of funccount output; see
    parse_funccount_tables. Fails if there is none."""
    tables = parse_funccount_tables(stdout, unique)
    assert tables, f"no FUNC/COUNT table in output:\n{stdout}"
    return tables[-1]


# ---------------------------------------------------------------------------------------------
# Names: the programs report logical names; these are the symbols the toolchains emit for them.

# Logical name -> every name a toolchain is known to give the function (observed with `go tool
# nm`): gc 1.22+ names a package-level func literal main.init.func1, gc 1.19 main.glob..func1,
# gccgo main..go..func1 (symbol main._0go..func1). A generic function is a shape instantiation
# in gc (main.Map[go.shape.int] in 1.26; in 1.19 the symbol table says main.Map[go.shape.int_0]
# but the pclntab, all a stripped binary has, says main.Map[...]), whose instantiation main.Map[int]
# the tools tell by its dictionary where they can name it, and an ordinary function in gccgo. gccgo names pointer- and value-receiver methods alike: main.Counter.Inc.
# The ELF symbol of an assembly function is main.asmAdd.abi0; its Go name is main.asmAdd.
SYMBOL_NAMES = {
    "main.closure": ["main.init.func1", "main.glob..func1", "main..go..func1", "main._0go..func1"],
    "main.Map": ["main.Map[int]", "main.Map[go.shape.int]", "main.Map[go.shape.int_0]", "main.Map[...]",
                 "main.Map"],
    "main.(*Counter).Inc": ["main.(*Counter).Inc", "main.Counter.Inc"],
    "main.asmAdd": ["main.asmAdd", "main.asmAdd.abi0"],
}


def symbol_names(logical):
    return SYMBOL_NAMES.get(logical, [logical])


def function_counts(report):
    """The function call counts of a program's JSON report (keys naming Go functions)."""
    return {k: v for k, v in report.items() if k.startswith("main.")}


def assert_counts(table, report, output=""):
    """Check that a funccount table holds exactly the call counts the program reports, for every
    function the program reports (the table may hold other functions too)."""
    problems = []
    for logical, expected in sorted(function_counts(report).items()):
        names = [n for n in symbol_names(logical) if n in table]
        if len(names) != 1:
            problems.append(f"{logical}: expected one row named one of {symbol_names(logical)}, "
                            f"found {names}")
        elif table[names[0]] != expected:
            problems.append(f"{logical}: counted {table[names[0]]} calls of {names[0]}, "
                            f"the program made {expected}")
    assert not problems, ("counts differ from the program's own:\n  " + "\n  ".join(problems)
                          + f"\nprogram reports: {report}\ntool's table: {table}\ntool output:\n{output}")


# ---------------------------------------------------------------------------------------------
# Symbols and code in memory


def go_nm(go, binary):
    """`go tool nm` of a binary: a list of (address, type, name)."""
    result = subprocess.run([go, "tool", "nm", binary], capture_output=True, text=True, env=build_env("0", go))
    assert result.returncode == 0, f"{go} tool nm {binary} failed: {result.stderr}"
    symbols = []
    for line in result.stdout.splitlines():
        fields = line.split(None, 2)
        if len(fields) == 3:
            symbols.append((int(fields[0], 16), fields[1], fields[2]))
    return symbols


def text_symbols(go, binary, prefix=""):
    """{name: entry address} of the text symbols whose names start with prefix, by `go tool nm`."""
    return {name: addr for addr, kind, name in go_nm(go, binary)
            if kind in ("T", "t") and name.startswith(prefix)}


def elf_load_segments(binary):
    """[(vaddr, file offset, file size, executable)] of a little-endian ELF64 file's PT_LOAD
    segments."""
    with open(binary, "rb") as f:
        header = f.read(64)
        assert header[:4] == b"\x7fELF" and header[4] == 2 and header[5] == 1, f"{binary}: not ELF64 LE"
        phoff, = struct.unpack_from("<Q", header, 0x20)
        phentsize, phnum = struct.unpack_from("<HH", header, 0x36)
        segments = []
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, p_flags, p_offset, p_vaddr, _paddr, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
            if p_type == 1:  # PT_LOAD
                segments.append((p_vaddr, p_offset, p_filesz, bool(p_flags & 1)))  # PF_X
    return segments


def read_mapped(pid, binary, offset, size):
    """The bytes of process pid's memory that map binary's file bytes [offset, offset+size).

    The mapping is found in /proc/pid/maps by file offset, so PIE needs no special case."""
    real = os.path.realpath(binary)
    maps = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            fields = line.split(None, 5)
            if len(fields) == 6 and fields[5].strip() == real:
                start, end = (int(x, 16) for x in fields[0].split("-"))
                maps.append((int(fields[2], 16), start, end))
    data = b""
    with open(f"/proc/{pid}/mem", "rb") as mem:
        while len(data) < size:
            here = offset + len(data)
            for map_offset, start, end in maps:
                if map_offset <= here < map_offset + (end - start):
                    mem.seek(start + here - map_offset)
                    data += mem.read(min(size - len(data), map_offset + (end - start) - here))
                    break
            else:
                raise AssertionError(f"no mapping of {real} at file offset {here:#x} in /proc/{pid}/maps")
    return data


def code_segments(binary):
    """(link-time address, file offset, bytes) of each executable PT_LOAD segment of binary."""
    segments = []
    for vaddr, offset, size, executable in elf_load_segments(binary):
        if executable:
            with open(binary, "rb") as f:
                f.seek(offset)
                segments.append((vaddr, offset, f.read(size)))
    return segments


def code_differences(pid, binary):
    """Link-time addresses at which the code of process pid differs from binary's file.

    Executable segments are mapped read-only and never relocated, so in memory they equal the
    file, except where a uprobe is installed: the kernel writes an int3 (0xcc) there."""
    differences = []
    for vaddr, offset, in_file in code_segments(binary):
        in_memory = read_mapped(pid, binary, offset, len(in_file))
        if in_memory != in_file:
            differences += [vaddr + i for i in range(len(in_file)) if in_file[i] != in_memory[i]]
    return differences


def calls_to(binary, addresses, target):
    """The addresses among `addresses` that hold a direct CALL (e8 rel32) or JMP (e9 rel32) to
    target, in the binary's file."""
    found = []
    for vaddr, _offset, code in code_segments(binary):
        for a in addresses:
            i = a - vaddr
            if 0 <= i <= len(code) - 5 and code[i] in (0xe8, 0xe9):
                if a + 5 + struct.unpack_from("<i", code, i + 1)[0] == target:
                    found.append(a)
    return found


def describe_addresses(addresses, symbols):
    """`0x4c1b80 (main.add+0x0)` for each address, given {name: entry} of the binary's functions."""
    by_entry = sorted((addr, name) for name, addr in symbols.items())
    out = []
    for a in addresses[:20]:
        owner = [(addr, name) for addr, name in by_entry if addr <= a]
        out.append(f"{a:#x} ({owner[-1][1]}+{a - owner[-1][0]:#x})" if owner else f"{a:#x}")
    more = f" and {len(addresses) - 20} more" if len(addresses) > 20 else ""
    return ", ".join(out) + more
