"""Tests of tools/gotrace, bcc trace for Go programs.

    gotrace [-h] [-p PID] [-T] [-t] [-M MAX] [-U] [-v] [-j] PROBE [PROBE ...]

The traced program (tests/go/tracee) makes calls with known arguments; every value printed is
checked against them, and goroutine ids against the ids the programs report of themselves.
"""

import json
import os
import re
import signal
import time

import pytest

from conftest import GoProgram, Tool, private_copy, run_tool

TOOL = "gotrace"
GC_VARIANTS = ["go126", "go126-stripped", "go126-pie", "go119", "go119-stripped", "go119-pie"]
ALL_VARIANTS = GC_VARIANTS + ["gccgo"]
HEADER = re.compile(r"^(TIME\s+)*PID\s+TID\s+COMM\s+GOID\s+FUNC")


def Trace(*args, **kwargs):
    """gotrace running until it is ready: its column header is out (with -j: the banner on
    stderr)."""
    return Tool(TOOL, *args, **kwargs)


def trace(binary, *probes, args=(), program_args=()):
    """Run the tracee's calls under `gotrace [args] -p PID PROBES`; return (report, status,
    stdout, stderr)."""
    with GoProgram(binary, *program_args) as prog:
        with Trace(*args, "-p", str(prog.pid), *probes) as t:
            prog.go()
            report = prog.result()
            time.sleep(0.3)  # let the last events through the ring buffer
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\nstderr:\n{err}\nstdout:\n{out}"
    return report, out, err


def events(out):
    """The event lines of gotrace's text output: (pid, tid, comm, goid, func, message)."""
    rows = []
    for line in out.splitlines():
        if HEADER.match(line) or not line.strip():
            continue
        fields = line.split(None, 5)
        assert len(fields) >= 5 and fields[0].isdigit(), f"malformed event line {line!r} in:\n{out}"
        rows.append((int(fields[0]), int(fields[1]), fields[2], int(fields[3]), fields[4],
                     fields[5] if len(fields) > 5 else ""))
    return rows


def messages(out, func):
    return [e[5] for e in events(out) if e[4] == func]


ADD_CALLS = ["42 13"] + [f"{i} {100 + i}" for i in range(5)]


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_goargs(built, variant):
    """main.add(42, 13) and five more calls, read as goarg1, goarg2 by the function's ABI
    (register ABI for gc, System V for gccgo), stripped and PIE alike."""
    report, out, err = trace(built.path(variant, "tracee"), 'main.add "%d %d", goarg1, goarg2')
    assert messages(out, "main.add") == ADD_CALLS, out


@pytest.mark.parametrize("variant", ["go126", "go126-pie", "go119", "gccgo"])
def test_parameter_names(built, variant):
    """The same calls read by the parameters' names (DWARF)."""
    report, out, err = trace(built.path(variant, "tracee"), 'main.add "x=%d y=%d", x, y')
    assert messages(out, "main.add") == [f"x={a} y={b}" for a, b in (m.split() for m in ADD_CALLS)], out


@pytest.mark.parametrize("variant", ["go126", "go119", "gccgo"])
def test_string_parameter(built, variant):
    report, out, err = trace(built.path(variant, "tracee"), 'main.greet "hello %s", name')
    assert messages(out, "main.greet") == ["hello gopher", "hello ebpf"], out


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go119", "gccgo"])
def test_twelve_arguments(built, variant):
    """many(1..12): words past the ninth (register ABI) or sixth (System V) are on the stack."""
    report, out, err = trace(built.path(variant, "tracee"),
                             'main.many "%d %d %d %d", goarg1, goarg10, goarg11, goarg12')
    assert messages(out, "main.many") == ["1 10 11 12"], out


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_narrow_arguments(built, variant):
    """int32, uint8 and bool parameters are cut to their size: their registers' upper bits are
    undefined."""
    report, out, err = trace(built.path(variant, "tracee"), 'main.narrow "%d %u %d", a, b, c')
    assert messages(out, "main.narrow") == ["-5 7 1"], out


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_integer_widths(built, variant):
    """%x, %X, %u and %o print a value in its Go type's width (int8 -4 is fc), or in the width
    of an hh, h or l length modifier; %d sign-extends from that width."""
    report, out, err = trace(built.path(variant, "ux"),
                             'main.widths "%x %x %x %x %x", a, b, c, d, e',
                             'main.widths "%u %o %X %u", a, b, c, e',
                             'main.widths "%hhx %hx %lx %hhu %hd %hhd %hhx", e, e, a, b, e, d, goarg1')
    assert report["main.widths"] == 1
    assert sorted(messages(out, "main.widths")) == sorted([
        "fc fed4 fffffffb c8 fffffffffffffffa",
        "252 177324 FFFFFFFB 18446744073709551610",
        "fa fffa fffffffffffffffc 212 -6 -56 fc",
    ]), out


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_pointer_receiver_is_literal(built, variant):
    """main.(*DB).Query names one method (not main.(*FooDB).Query too), so its parameters can
    be printed by name; with -r, a regular expression names it."""
    for args, probe in [((), 'main.(*DB).Query "%d", x'),
                        (("-r",), r'^main\.\(\*DB\)\.Query$ "%d", x')]:
        report, out, err = trace(built.path(variant, "ux"), probe, args=args)
        assert messages(out, "main.(*DB).Query") == ["0", "1", "2"], (args, out, err)
        assert report["main.(*DB).Query"] == 3 and len(events(out)) == 3, (args, out)


def test_timestamps_count_from_start(built):
    """-t counts from just before the probes are attached, as bcc's trace does: a call made
    while the tool attaches (a goroutine calls main.tick without pause) is not before time 0.
    The window is short, so the tool is run several times."""
    with GoProgram(built.path("go126", "ux"), "spin") as prog:
        for _ in range(10):
            started = time.monotonic()
            result = run_tool(TOOL, "-t", "-M", "20", "-p", str(prog.pid), "main.tick", "main.tock")
            elapsed = time.monotonic() - started
            assert result.returncode == 0, result
            times = [float(l.split()[0]) for l in result.stdout.splitlines() if "main.tick" in l]
            assert len(times) == 20, result.stdout
            assert 0 <= min(times) and max(times) <= elapsed, (times, elapsed)
        prog.go()
        prog.result()
        prog.stop()


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go119", "go119-pie"])
def test_assembly_function(built, variant):
    """asmAdd is ABI0: its arguments are on the stack above the return address."""
    report, out, err = trace(built.path(variant, "tracee"), 'main.asmAdd "%d + %d", goarg1, goarg2')
    assert messages(out, "main.asmAdd") == ["40 + 2"], out


@pytest.mark.parametrize("variant", ["go126", "go126-pie", "go119-stripped", "gccgo"])
def test_return_value(built, variant):
    """r: probes read the result at each RET instruction."""
    report, out, err = trace(built.path(variant, "tracee"), 'r:main.add "= %d", goret1')
    expected = [f"= {int(a) + int(b)}" for a, b in (m.split() for m in ADD_CALLS)]
    assert messages(out, "main.add") == expected, out


@pytest.mark.parametrize("variant", ["go126", "go119-stripped", "go126-pie", "gccgo"])
def test_function_without_ret(built, variant):
    """main.alwaysPanics only panics: its code has no RET (gccgo's, but the split-stack one,
    which only returns what a RET of the body returned). A return probe on it alone is refused
    in one line; matched with another function, it is skipped and said so, and the other's
    returns are all printed; its calls are still traced at their entry, each with its
    argument."""
    binary = built.path(variant, "panicker")
    r = run_tool(TOOL, f"r:{binary}:main.alwaysPanics")
    assert r.returncode == 1 and r.stderr == (f"{TOOL}: main.alwaysPanics has no RET instruction: it "
                                              "never returns, or returns through a tail call\n"), r
    report, out, err = trace(binary, r"r:^main\.(alwaysPanics|mayPanic)$",
                             r'^main\.alwaysPanics$ "%d", goarg1', args=("-r",))
    assert report["main.alwaysPanics"] == 10 and report["returned"] == 500, report
    assert len(messages(out, "main.mayPanic")) == report["returned"], out
    assert messages(out, "main.alwaysPanics") == [str(i) for i in range(10)], out
    assert (f"{TOOL}: skipping 1 function without a RET instruction (main.alwaysPanics): it never "
            "returns, or returns through a tail call") in err.splitlines(), err


@pytest.mark.parametrize("variant", ["go126", "go119", "go119-pie", "go116", "gccgo", "go126-stripped",
                                     "go119-stripped"])
def test_words_past_the_abi(built, variant):
    """main.add(x, y int) int passes two argument words and returns one: goarg3 and goret2 are
    refused in one line that says where its words are (by DWARF; stripped, by the function
    table's argument size). Where nothing tells how many results a function returns (stripped),
    goret1 is read, and that is said once; its values are the program's sums."""
    binary = built.path(variant, "tracee")
    stripped = variant.endswith("-stripped")
    r = run_tool(TOOL, f'{binary}:main.add "%d", goarg3')
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r
    assert r.stderr.rstrip().endswith(
        "goarg3 is not a word main.add passes: " + ("its arguments take 16 bytes (the function table's "
                                                    "argument size)" if stripped else
                                                    "its arguments are in goarg1-goarg2")), r.stderr
    expected = [f"= {int(a) + int(b)}" for a, b in (m.split() for m in ADD_CALLS)]
    if stripped:
        report, out, err = trace(binary, 'r:main.add "= %d", goret1')
        assert messages(out, "main.add") == expected, out
        assert err.splitlines() == [f"{TOOL}: goret1: nothing says how many results main.add returns "
                                    "(no DWARF): it is read where the ABI would put it, whatever that "
                                    "holds"], err
        return
    r = run_tool(TOOL, f'r:{binary}:main.add "%d", goret2')
    assert r.returncode == 1 and r.stderr.rstrip().endswith(
        "goret2 is not a word main.add passes: its results are in goret1"), r.stderr
    report, out, err = trace(binary, 'r:main.add "= %d", goret1', 'main.add "%d %d", goarg1, goarg2')
    assert messages(out, "main.add") == [m for pair in zip(ADD_CALLS, expected) for m in pair], out
    assert not err.strip(), err


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_result_name(built, variant):
    """Unnamed results are ~r0, ~r1... in DWARF."""
    report, out, err = trace(built.path(variant, "tracee"), 'r:main.add "%d", ~r0')
    assert messages(out, "main.add") == ["55"] + [str(100 + 2 * i) for i in range(5)], out


@pytest.mark.parametrize("variant", ["go126", "gccgo"])
def test_filter(built, variant):
    report, out, err = trace(built.path(variant, "tracee"), 'main.add (goarg1 == 42 && goarg2 > 3) "%d", goarg2')
    assert messages(out, "main.add") == ["13"], out
    report, out, err = trace(built.path(variant, "tracee"), 'main.add (goarg1 == 43) "%d", goarg2')
    assert messages(out, "main.add") == [], out


def test_filter_by_name_and_negative(built):
    report, out, err = trace(built.path("go126", "tracee"), 'main.narrow (a < 0 && !(b != 7)) "%d", a')
    assert messages(out, "main.narrow") == ["-5"], out


@pytest.mark.parametrize("terms", [200, 2000])
def test_long_filter(built, terms):
    """A filter of many terms on an int32 translates to more C than eight characters per
    character typed; the translation once overflowed its buffer (found by ASan at 200 terms,
    heap corruption in the normal build at 2000)."""
    filt = "+".join(["a"] * terms)
    report, out, err = trace(built.path("go126", "tracee"),
                             f'main.narrow ({filt} == {-5 * terms}) "%d", a')
    assert messages(out, "main.narrow") == ["-5"], out


def test_several_probes_and_max(built):
    """-M stops after MAX events, with several probes at once."""
    binary = built.path("go126", "tracee")
    with GoProgram(binary) as prog:
        with Trace("-M", "3", "-p", str(prog.pid), 'main.add "%d", goarg1', 'main.greet "%s", name') as t:
            prog.go()
            prog.result()
            status, out, err = t.wait()
        prog.stop()
    assert status == 0, err
    assert [e[5] for e in events(out)] == ["42", "0", "1"], out


def test_binary_without_pid(built, tmp_path):
    """BINARY:FUNCTION traces a program started after gotrace."""
    binary = private_copy(built.path("go126-pie", "tracee"), tmp_path)
    with Trace(f'{binary}:main.add "%d %d", goarg1, goarg2') as t:
        with GoProgram(binary) as prog:
            prog.go()
            prog.result()
            prog.stop()
        time.sleep(0.3)
        status, out, err = t.interrupt()
    assert status == 0, err
    assert messages(out, "main.add") == ADD_CALLS, out


@pytest.mark.parametrize("variant", GC_VARIANTS)
def test_goroutine_ids(built, variant):
    """The GOID column equals the goroutine id each goroutine reports of itself (and passes as
    work's first argument)."""
    with GoProgram(built.path(variant, "goroutines"), "12") as prog:
        with Trace("-p", str(prog.pid), 'main.work "%d", goarg1') as t:
            prog.go()
            report = prog.result()
            time.sleep(0.3)
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    rows = [e for e in events(out) if e[4] == "main.work"]
    seen = {}
    for pid, tid, comm, goid, func, msg in rows:
        assert goid == int(msg), f"GOID {goid} but the goroutine passed its id {msg}:\n{out}"
        seen[str(goid)] = seen.get(str(goid), 0) + 1
    assert seen == report, f"events per goroutine {seen}, program reports {report}"


def test_goroutine_id_of_tracee(built):
    report, out, err = trace(built.path("go126", "tracee"), 'main.add "%d", goarg1')
    assert {e[3] for e in events(out)} == {report["goid"]}, (report, out)


def test_json(built):
    report, out, err = trace(built.path("go126", "tracee"), 'main.greet "%s", name', args=("-j",))
    lines = [json.loads(l) for l in out.splitlines()]
    assert [(l["func"], l["args"], l["goid"]) for l in lines] == [
        ("main.greet", {"name": "gopher"}, report["goid"]), ("main.greet", {"name": "ebpf"}, report["goid"])]


def user_stacks(out):
    """The -U stacks of gotrace's text output, one list of frames (function+0xOFF) an event."""
    stacks = []
    for line in out.splitlines():
        if re.match(r"^\d+ ", line):
            stacks.append([])
        elif line.startswith("        ") and stacks:
            stacks[-1].append(line.split()[0])
    return stacks


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go119-pie"])
def test_user_stack(built, variant):
    """-U prints the Go stack, including the immediate caller that frame pointers miss at an
    entry probe, symbolized from the pclntab (so stripped and PIE binaries work)."""
    report, out, err = trace(built.path(variant, "tracee"), "main.greet", args=("-U",))
    stacks = user_stacks(out)
    assert len(stacks) == 2, out
    frames = stacks[0]
    assert frames[0].startswith("main.greet+0x"), out
    assert frames[1].startswith("main.calls+0x"), out
    assert frames[2].startswith("main.main+0x"), out


@pytest.mark.parametrize("variant", ["go126-pie", "go126-lld-pie"])
def test_user_stack_process_gone(built, variant):
    """-U without -p, by the binary's path, the tool held (SIGSTOP) until the traced process
    has exited: /proc no longer says where it had loaded its PIE binary, and the stacks are
    still named (the load bias is found from the probed pc)."""
    binary = built.path(variant, "tracee")
    with Trace("-U", f"{binary}:main.greet") as t:
        os.kill(t.proc.pid, signal.SIGSTOP)
        try:
            with GoProgram(binary) as prog:
                prog.go()
                prog.result()
                prog.stop()
        finally:
            os.kill(t.proc.pid, signal.SIGCONT)
        time.sleep(0.3)
        status, out, err = t.interrupt()
    assert status == 0, err
    stacks = user_stacks(out)
    assert len(stacks) == 2, out
    for frames in stacks:
        assert [f.rpartition("+0x")[0] for f in frames[:3]] == ["main.greet", "main.calls", "main.main"], out


def test_user_stack_long_name(built):
    """A frame's name is printed whole, however long (it was cut at 255 characters)."""
    report, out, err = trace(built.path("go126", "longname"), "main.leaf", args=("-U", "-j"))
    [event] = [json.loads(l) for l in out.splitlines()]
    assert len(report["caller"]) > 300, report
    assert event["frames"][0]["sym"].startswith("main.leaf+0x"), event
    assert event["frames"][1]["sym"].rpartition("+0x")[0] == report["caller"], event


def test_time_columns(built):
    """-t with -T prints one TIME column, -t's seconds, 8 characters wide, as bcc's trace."""
    report, out, err = trace(built.path("go126", "tracee"), 'main.greet "%s", name', args=("-T", "-t"))
    assert re.search(r"^TIME     PID     TID", out, re.M), out
    lines = [l for l in out.splitlines() if "main.greet" in l]
    assert len(lines) == 2
    for l in lines:
        assert re.match(r"^\d\.\d{6} \d+ +\d+ ", l), l


def test_return_probes_survive_stack_growth(built):
    """Several seconds of r: probes on a function whose stack grows (and moves) while it runs:
    the program lives on, and every return is seen."""
    binary = built.path("go126", "tracee")
    with GoProgram(binary, "loop") as prog:
        with Trace("-p", str(prog.pid), "r:main.grow", "r:main.add") as t:
            prog.go()
            time.sleep(4)
            prog.go("stop")
            report = prog.result()
            time.sleep(0.5)
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    funcs = [e[4] for e in events(out)]
    assert report["main.grow"] > 10000
    if "Possibly lost " not in err:
        assert funcs.count("main.grow") == report["main.grow"]
        assert funcs.count("main.add") == report["main.add"]


def test_perf_event_fallback(built):
    report, out, err = trace(built.path("go126", "tracee"), 'main.add "%d %d", goarg1, goarg2',
                             'r:main.add "%d", goret1')
    assert messages(out, "main.add")[:2] == ["42 13", "55"]
    with GoProgram(built.path("go126", "tracee")) as prog:
        with Trace("-p", str(prog.pid), 'main.add "%d %d", goarg1, goarg2',
                   env={"GOTOOLS_NO_MULTI": "1"}) as t:
            prog.go()
            prog.result()
            time.sleep(0.3)
            status, out, err = t.interrupt()
        prog.stop()
    assert messages(out, "main.add") == ADD_CALLS, out


BAD_PROBES = [
    ('main.add "%d %d", goarg1', "the format has 2 conversions but 1 argument follows"),
    ('main.add "%d", goarg1, goarg2', "conversion"),
    ('main.add "%s", goarg1', "string"),
    ('main.greet "%d", name', "string"),
    ('main.add "%q", goarg1', "unsupported conversion"),
    ('main.add "%n", goarg1', "unsupported conversion"),
    ('main.add "%d", nosuch', "unknown name"),
    ('main.add "%d", goret1', "return probe"),
    ('r:main.add "%d", goarg1', "return probe"),
    ('main.add (goarg1 ==) "%d", goarg1', "filter"),
    ('main.add (goarg1; system("x")) "%d", goarg1', "filter"),
    ('main.add "%d", goarg1 + 1', "argument"),
    ('main.nosuchfunction', "no function"),
    ('main.add "%d', "unterminated"),
]


@pytest.mark.parametrize("probe,words", BAD_PROBES)
def test_bad_probes(built, probe, words):
    """A bad probe is one line on stderr and exit status 1, before anything is attached."""
    with GoProgram(built.path("go126", "tracee")) as prog:
        result = run_tool(TOOL, "-p", str(prog.pid), probe)
        prog.go()
        prog.result()
        prog.stop()
    assert result.returncode == 1, (probe, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], (probe, result.stderr)
    assert result.stdout == "", result.stdout


def test_float_parameter_is_refused(built):
    """A float parameter travels in an XMM register, which uprobes cannot read."""
    result = run_tool(TOOL, f'{built.path("go126", "tracee")}:main.scale "%d", f')
    assert result.returncode == 1, result
    assert "XMM" in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_usage_errors():
    """Usage errors exit 2; a process that does not exist is one line and exit 1."""
    for args, words in [((), "gotrace: no PROBE given"),
                        (("--no-such-option", "main.add"), "unrecognized option '--no-such-option'"),
                        (("-M", "zero", "main.add"), "gotrace: invalid MAX: 'zero'")]:
        result = run_tool(TOOL, *args)
        assert result.returncode == 2, result
        assert words in result.stderr.splitlines()[0], (args, result.stderr)
    result = run_tool(TOOL, "-p", "999999999", "main.add")
    assert result.returncode == 1, result
    assert result.stderr.strip() == "gotrace: no process with pid 999999999", result.stderr


@pytest.mark.parametrize("variant", ["go116", "go117", "go118", "go117-lld-pie"])
def test_older_releases(built, variant):
    """Go 1.16 passes every argument on the stack (ABI0) and writes the 1.16 pclntab; 1.17 and
    1.18 are the first with the register ABI. Arguments are right on each; goroutine ids need
    the register ABI (g in R14), so Go 1.16 shows 0. Linked by lld as a PIE, Go 1.17's build
    info names its release only through a pointer the loader fills in: the goid is right too."""
    report, out, err = trace(built.path(variant, "tracee"), 'main.add "%d %d", goarg1, goarg2',
                             'r:main.add "= %d", goret1')
    rows = [(e[3], e[5]) for e in events(out) if e[4] == "main.add"]
    expected = []
    for m in ADD_CALLS:
        a, b = m.split()
        expected += [m, f"= {int(a) + int(b)}"]
    assert [msg for goid, msg in rows] == expected, out
    assert {goid for goid, msg in rows} == ({0} if variant == "go116" else {report["goid"]}), out


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_return_events_at_return_sites(built, variant):
    """r: probes that print no result may see returns in the callers (return sites, where the
    kernel emulates the instruction): tests/go/retsites' recursion, stack growth on new
    goroutines, calls that panic or end their goroutine each give one event per call that
    returned, with its goroutine; one that prints a result is read at the RET and sees the
    same calls."""
    binary = built.path(variant, "retsites")
    probes = ["r:main.rec", "r:main.grow", "r:main.mayPanic", "r:main.exiter",
              'r:main.rec "%d", goret1']
    report, out, err = trace(binary, *probes, args=("-v",))
    if "Possibly lost " in err:
        pytest.skip("the ring buffer overflowed: " + err)
    where = re.findall(r"^returns of main\.rec: at (.*)$", out, re.M)
    assert where == ["1 return site in its callers", "its RETs (no return sites planned)"] or \
        where == ["2 return sites in its callers", "its RETs (no return sites planned)"], where
    header = next(m for m in re.finditer(r"^.*$", out, re.M) if HEADER.match(m.group(0)))
    rows = events(out[header.start():])  # -v's program text and sites come before
    for f in ("main.rec", "main.grow", "main.mayPanic", "main.exiter"):
        plain = [e for e in rows if e[4] == f and not e[5]]
        assert len(plain) == report[f], (f, len(plain), report)
        assert all(e[3] > 0 for e in plain), f
    assert len([e for e in rows if e[4] == "main.rec" and e[5]]) == report["main.rec"]
