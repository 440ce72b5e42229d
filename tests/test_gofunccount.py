"""Tests of tools/gofunccount, bcc funccount for Go programs.

    gofunccount [-h] [-p PID] [-i INTERVAL] [-d DURATION] [-T] [-r] [-D] [-v] [-j] PATTERN

Every count is checked against the count the traced program reports of itself (tests/go/*).
"""

import json
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import (
    VARIANTS,
    GoProgram,
    Tool,
    assert_counts,
    calls_to,
    code_differences,
    describe_addresses,
    function_counts,
    go_command,
    parse_funccount,
    parse_funccount_tables,
    private_copy,
    run_tool,
    text_symbols,
    unstripped,
)

TOOL = "gofunccount"
HEADER = "%-36s %8s" % ("FUNC", "COUNT")


def count_with_pid(binary, pattern="main.*", args=(), env=None, sig=signal.SIGINT):
    """Trace a program with `gofunccount [args] -p PID pattern` while it runs its workload, stop
    the tool with sig; return (program's report, tool status, stdout, stderr, tool)."""
    with GoProgram(binary) as prog:
        with Tool(TOOL, *args, "-p", str(prog.pid), pattern, env=env) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt(sig)
        prog.stop()
    return report, status, out, err, t


def assert_clean_exit(status, out, err, command=""):
    """The tool ended as after Ctrl-C: status 0, the table header, then `Detaching...` last."""
    assert status == 0, f"{command}: exit status {status}, expected 0\nstderr:\n{err}\nstdout:\n{out}"
    assert HEADER in out.splitlines(), f"{command}: no {HEADER!r} header line in stdout:\n{out}"
    assert out.rstrip().endswith("Detaching..."), f"{command}: stdout does not end with 'Detaching...':\n{out}"


# ---------------------------------------------------------------------------------------------
# Exact counts


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_counts_with_pid(built, variant):
    """gofunccount -p PID 'main.*' counts every call of every function exactly: plain, generic
    (shape), closure, methods, a deeply recursing function whose stack is grown (copied) many
    times while it runs, 12 arguments, a string argument, assembly (ABI0)."""
    report, status, out, err, t = count_with_pid(built.path(variant))
    assert_clean_exit(status, out, err, t.command())
    assert t.traced_count() >= len(function_counts(report)), f"banner: {t.banner!r}, program reports {report}"
    assert_counts(parse_funccount(out), report, out)


@pytest.mark.parametrize("variant", ["go126", "go126-pie", "go119", "gccgo"])
def test_counts_with_binary_pattern(built, variant, tmp_path):
    """gofunccount BINARY:main.* traces the program when it is started after the tool."""
    binary = private_copy(built.path(variant), tmp_path)
    with Tool(TOOL, f"{binary}:main.*") as t:
        with GoProgram(binary) as prog:
            prog.go()
            report = prog.result()
            prog.stop()
        status, out, err = t.interrupt()
    assert_clean_exit(status, out, err, t.command())
    assert_counts(parse_funccount(out), report, out)


def goroutines_report(report):
    """The goroutines program reports calls of main.work per goroutine id; their total."""
    return {"main.work": sum(report.values())}


@pytest.mark.parametrize("variant", ["go126", "go119", "gccgo"])
@pytest.mark.parametrize("program", ["panicker", "sleeper", "goroutines"])
def test_counts_other_programs(built, variant, program):
    """Calls that panic, calls that block in sleep on 40 goroutines, calls on 8 goroutines."""
    report, status, out, err, t = count_with_pid(built.path(variant, program))
    assert_clean_exit(status, out, err, t.command())
    if program == "goroutines":
        report = goroutines_report(report)
    assert_counts(parse_funccount(out), report, out)


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go126-pie", "go119", "go119-pie",
                                     "go117-extld", "go126-lld-pie", "go117-lld-pie"])
def test_counts_every_way_in(built, variant):
    """Leaf functions, which are counted at their callers' CALLs when nothing else enters them,
    entered every way Go can: direct calls, a function value, an interface, a method value,
    defer, new goroutines, reflection, assembly (one caller past an instruction capstone cannot
    decode); and a function that ends its goroutine half the time."""
    report, status, out, err, t = count_with_pid(built.path(variant, "entries"))
    assert_clean_exit(status, out, err, t.command())
    assert_counts(parse_funccount(out), report, out)


@pytest.mark.parametrize("env, site", [({}, r"\d+ calls?"), ({"GOTOOLS_NO_CALL_SITES": "1"}, r"\+0")],
                         ids=["call-sites", "no-call-sites"])
def test_leaf_probe_site(built, env, site):
    """-v shows where a leaf is probed: at its callers' CALLs ("N calls"), or at its first
    instruction with GOTOOLS_NO_CALL_SITES=1, which also counts exactly."""
    binary = built.path("go126", "entries")
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-v", "-p", str(prog.pid), "main.direct", env=env) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert_clean_exit(status, out, err, t.command())
    assert re.search(rf"^0x[0-9a-f]+\s+{site}\s+internal\s+main\.direct$", out, re.M), out
    assert parse_funccount(out)["main.direct"] == report["main.direct"], out


def test_wide_pattern_call_sites_cached(built, tmp_path):
    """A pattern of hundreds of functions (runtime's and main.direct) still probes the leaf at
    its callers' CALLs: the call sites of every function of the binary are found in one pass and
    kept in the cache directory, one file per binary, which the second run reads; counts are
    exact both times. A cache file others could write is not read."""
    binary = built.path("go126", "entries")
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    env = {"GOTOOLS_CACHE_DIR": str(cache)}
    for run in range(3):
        if run == 2:
            for f in cache.glob("*.calls"):
                f.write_bytes(b"GOCALLS1\0" + b"\xff" * 64)
                f.chmod(0o666)
        with GoProgram(binary) as prog:
            with Tool(TOOL, "-v", "-r", "-p", str(prog.pid), r"^(main\.direct|runtime\..*)$",
                      env=env) as t:
                prog.go()
                report = prog.result()
                status, out, err = t.interrupt()
            prog.stop()
        assert_clean_exit(status, out, err, t.command())
        assert re.search(r"^Tracing (\d{3,}) functions", out, re.M), out
        assert re.search(r"^0x[0-9a-f]+\s+\d+ calls?\s+internal\s+main\.direct$", out, re.M), out
        assert parse_funccount(out)["main.direct"] == report["main.direct"], out
        assert len(list(cache.glob("*.calls"))) == 1, list(cache.iterdir())


def mapped_rss_kib(pid, path):
    """Resident KiB of pid's mappings of the file at path."""
    total, mine = 0, False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+$", fields[0]):
                mine = len(fields) >= 6 and os.path.realpath(fields[5]) == os.path.realpath(path)
            elif fields[0] == "Rss:" and mine:
                total += int(fields[1])
    return total


def test_decoder_unloaded_while_tracing(built):
    """What planning needed is let go once the probes are live: the instruction decoder
    (capstone, half of the tool's memory) is no longer mapped, and of the traced binary (a
    stripped one: all of it is code and data), which planning read through, little stays
    resident, while a wide pattern is traced; the counts are exact."""
    binary = built.path("go126-stripped", "entries")
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-r", "-p", str(prog.pid), r"^(main\.direct|runtime\..*)$") as t:
            with open(f"/proc/{t.proc.pid}/maps") as f:
                maps = f.read()
            resident = mapped_rss_kib(t.proc.pid, binary)
            assert resident * 1024 <= os.path.getsize(binary) / 8, resident
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert_clean_exit(status, out, err, t.command())
    assert "libcapstone" not in maps, maps
    assert parse_funccount(out)["main.direct"] == report["main.direct"], out


def test_counts_without_uprobe_multi(built):
    """GOTOOLS_NO_MULTI=1 makes the tool attach one perf-event uprobe per function instead of one
    uprobe_multi link; the counts must be as exact."""
    report, status, out, err, t = count_with_pid(built.path("go126"), env={"GOTOOLS_NO_MULTI": "1"})
    assert_clean_exit(status, out, err, "GOTOOLS_NO_MULTI=1 " + t.command())
    assert_counts(parse_funccount(out), report, out)


def test_counts_json(built):
    """-j: every line of stdout is JSON; the table is objects {"func": NAME, "count": N}.
    (The banner may be on stderr in this mode.)"""
    report, status, out, err, t = count_with_pid(built.path("go126"), args=["-j"])
    assert status == 0, f"{t.command()}: exit status {status}\nstderr:\n{err}\nstdout:\n{out}"
    table = {}
    for line in out.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            pytest.fail(f"{t.command()}: stdout line is not JSON ({e}): {line!r}\nstdout:\n{out}")
        if isinstance(obj, dict) and "func" in obj and "count" in obj:
            assert obj["func"] not in table, f"{obj['func']} appears twice:\n{out}"
            table[obj["func"]] = obj["count"]
    assert table, f"{t.command()}: no {{\"func\": ..., \"count\": ...}} objects in stdout:\n{out}"
    assert_counts(table, report, out)


# ---------------------------------------------------------------------------------------------
# Patterns


def count_one_pattern(binary, args):
    """Trace the workload with `gofunccount args` (args ends with the pattern, given with -p PID);
    return (program's report, banner's N, table)."""
    report, status, out, err, t = count_with_pid(binary, pattern=args[-1], args=args[:-1])
    assert_clean_exit(status, out, err, t.command())
    return report, t.traced_count(), parse_funccount(out)


@pytest.mark.parametrize("variant", ["go126", "go119"])
@pytest.mark.parametrize("pattern, expected", [
    # A method's name is literal: ( * ) are not special.
    pytest.param("main.(*Counter).Inc", ["main.(*Counter).Inc"], id="method"),
    # A pattern matches whole names: main.fib does not match main.fibber.
    pytest.param("main.fib", ["main.fib"], id="whole-name"),
    # ? is exactly one character.
    pytest.param("main.fi?", ["main.fib"], id="question-mark"),
    # [ ] are literal; * matches the instantiation, main.Map[int], and its shape, whatever the
    # toolchain names it, which is traced for calls through other dictionaries (none here)
    pytest.param("main.Map[*]", ["main.Map"], id="brackets"),
    # . is literal: main.(*Counter).Inc does not match.
    pytest.param("main.Counter.*", ["main.Counter.Get"], id="value-method"),
])
def test_glob_pattern(built, variant, pattern, expected):
    report, traced, table = count_one_pattern(built.path(variant), [pattern])
    functions = len(expected) + (pattern == "main.Map[*]")
    assert traced == functions, f"pattern {pattern!r} matched {traced} functions, expected {expected}"
    assert len(table) == len(expected), f"pattern {pattern!r}: table {table}, expected only {expected}"
    assert_counts(table, {name: report[name] for name in expected})


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_regex_pattern(built, variant):
    report, traced, table = count_one_pattern(built.path(variant), ["-r", r"^main\.(add|fib)$"])
    assert traced == 2, f"matched {traced} functions, expected main.add and main.fib"
    assert sorted(table) == ["main.add", "main.fib"], f"table {table}"
    assert_counts(table, {"main.add": report["main.add"], "main.fib": report["main.fib"]})


def count_ux(binary, *args):
    """Run tests/go/ux under `gofunccount -p PID args`; return (report, banner's N, table)."""
    report, status, out, err, t = count_with_pid(binary, pattern=args[-1], args=args[:-1])
    assert_clean_exit(status, out, err, t.command())
    return report, t.traced_count(), parse_funccount(out)


@pytest.mark.parametrize("variant", ["go126", "go119"])
@pytest.mark.parametrize("pattern, expected", [
    # A '*' right after '(' is a pointer receiver's: main.(*FooDB).Query does not match.
    pytest.param("main.(*DB).Query", ["main.(*DB).Query"], id="pointer-receiver"),
    # '\' makes the next character literal: '\*' a star, the '*' after it a wildcard.
    pytest.param("main.(\\**).Query", ["main.(*DB).Query", "main.(*FooDB).Query"], id="escaped-star"),
    pytest.param("main.(\\*Foo*).Que\\ry", ["main.(*FooDB).Query"], id="escaped-letter"),
    # '?' is one character, not one byte: \u00e9 is two bytes in UTF-8.
    pytest.param("main.h?llo", ["main.h\u00e9llo"], id="utf8-question-mark"),
])
def test_glob_literals(built, variant, pattern, expected):
    report, traced, table = count_ux(built.path(variant, "ux"), pattern)
    assert traced == len(expected), f"pattern {pattern!r} matched {traced} functions, expected {expected}"
    assert table == {name: report[name] for name in expected}, (pattern, table, report)


# Go 1.18-1.20 name every shaped function of a generic function main.Gen[...] in the pclntab;
# their .symtab has the shape: main.Gen[go.shape.int_0] (1.18, 1.19), main.Gen[go.shape.int]
# (1.20). Later releases name the shape in both. An instantiation is named by its dictionary,
# main.Gen[int] (tests/test_generics.py covers instantiations that share a shape).
@pytest.mark.parametrize("variant", ["go118", "go119", "go120", "go126"])
def test_generic_instantiations(built, variant):
    """Each instantiation is a row of its own, under its name; a pattern matches the shaped
    function's full name or the pclntab's, which then counts what it runs."""
    suffix = "_0" if variant in ("go118", "go119") else ""
    report, traced, table = count_ux(built.path(variant, "ux"), "main.Gen*")
    assert table == {"main.Gen[int]": report["main.Gen[int]"],
                     "main.Gen[string]": report["main.Gen[string]"]}, table
    if variant != "go126":
        report, traced, table = count_ux(built.path(variant, "ux"), "main.Gen[...]")
        assert traced == 2 and sorted(table.values()) == [3, 4], table
    report, traced, table = count_ux(built.path(variant, "ux"), f"main.Gen[go.shape.string{suffix}]")
    assert table == {f"main.Gen[go.shape.string{suffix}]": report["main.Gen[string]"]}, table


def test_thread_id_stands_for_its_process(built):
    """-p with the id of a thread that is not the main one traces that thread's process."""
    with GoProgram(built.path("go126", "ux")) as prog:
        tids = [int(t) for t in os.listdir(f"/proc/{prog.pid}/task") if int(t) != prog.pid]
        assert tids, "the Go program has a single thread"
        with Tool(TOOL, "-p", str(tids[0]), "main.busy") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert_clean_exit(status, out, err, t.command())
    assert parse_funccount(out) == {"main.busy": report["main.busy"]}, out


def test_pid_not_running_binary(built):
    """-p PID BINARY:FUNCTIONS where the process does not run BINARY is an error, not 0 calls."""
    other = built.path("go126", "tracee")
    with GoProgram(built.path("go126", "ux")) as prog:
        result = run_tool(TOOL, "-d", "1", "-p", str(prog.pid), f"{other}:main.add")
        prog.go()
        prog.result()
        prog.stop()
    err = assert_one_line_error(result, 1, "a binary the process does not run")
    assert err == f"{TOOL}: process {prog.pid} does not run '{other}'", err
    assert result.stdout == "", result.stdout


def test_no_match(built):
    binary = built.path("go126")
    pattern = f"{binary}:main.nosuchfunction*"
    result = run_tool(TOOL, pattern)
    assert result.returncode == 1, f"exit status {result.returncode}, expected 1\n{result.stderr}{result.stdout}"
    message = re.compile(r'^No functions matched by pattern .*main\.nosuchfunction\*$')
    lines = (result.stdout + result.stderr).splitlines()
    assert any(message.match(line) for line in lines), f"no 'No functions matched ...' line in:\n{lines}"


# ---------------------------------------------------------------------------------------------
# Ending: duration, intervals, signals, the traced process exiting


def test_duration(built):
    """-d 2 ends the tool by itself after 2 s, as Ctrl-C would."""
    with GoProgram(built.path("go126")) as prog:
        with Tool(TOOL, "-d", "2", "-p", str(prog.pid), "main.*") as t:
            started = time.monotonic()
            prog.go()
            report = prog.result()
            status, out, err = t.wait(timeout=20)
            elapsed = time.monotonic() - started
        prog.stop()
    assert_clean_exit(status, out, err, t.command())
    assert 1.5 <= elapsed <= 10, f"-d 2 ended after {elapsed:.1f} s"
    assert_counts(parse_funccount(out), report, out)


@pytest.mark.parametrize("timestamps", [False, True], ids=["plain", "T"])
def test_interval(built, timestamps):
    """-i 1 prints a table every second, counting that interval's calls (the tables add up to
    every call: counters are read, not cleared, so none is lost between tables); -T adds the
    time."""
    args = ["-i", "1"] + (["-T"] if timestamps else [])
    with GoProgram(built.path("go126"), "loop") as prog:
        with Tool(TOOL, *args, "-p", str(prog.pid), "main.add") as t:
            prog.go()
            time.sleep(2.5)
            prog.go("stop")
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert_clean_exit(status, out, err, t.command())
    tables = parse_funccount_tables(out)
    busy = [table for table in tables if table.get("main.add", 0) > 0]
    assert len(busy) >= 2, f"expected at least two tables with calls of main.add in 2.5 s:\n{out}"
    total = sum(table.get("main.add", 0) for table in tables)
    assert total == report["main.add"], (f"tables add up to {total} calls of main.add, "
                                         f"the program made {report['main.add']}:\n{out}")
    stamps = [line for line in out.splitlines() if re.match(r"^\d\d:\d\d:\d\d\s*$", line)]
    if timestamps:
        assert len(stamps) == len(tables), f"{len(tables)} tables but {len(stamps)} HH:MM:SS lines:\n{out}"
    else:
        assert not stamps, f"timestamps without -T:\n{out}"


def test_sigterm_detaches(built):
    """SIGTERM ends the tool like Ctrl-C: table, `Detaching...`, status 0."""
    report, status, out, err, t = count_with_pid(built.path("go126"), sig=signal.SIGTERM)
    assert_clean_exit(status, out, err, t.command() + " (SIGTERM)")
    assert_counts(parse_funccount(out), report, out)


@pytest.mark.parametrize("variant", ["go126", "gccgo"])
def test_traced_process_exit_ends_tool(built, variant):
    """With -p, the traced process exiting makes the tool print its table, detach and exit 0."""
    with GoProgram(built.path(variant)) as prog:
        with Tool(TOOL, "-p", str(prog.pid), "main.*") as t:
            prog.go()
            report = prog.result()
            prog.stop()
            status, out, err = t.wait(timeout=5)
    assert_clean_exit(status, out, err, t.command() + " (traced process exited)")
    assert_counts(parse_funccount(out), report, out)


# ---------------------------------------------------------------------------------------------
# Many probes, and cleaning up


def untraced_report(binary):
    with GoProgram(binary) as prog:
        prog.go()
        report = prog.result()
        prog.stop()
    return report


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_runtime_pattern(built, variant):
    """runtime.* attaches to well over a thousand functions; the program still runs correctly,
    and detaching on Ctrl-C takes under 2 s and leaves no breakpoint behind."""
    binary = built.path(variant)
    expected = untraced_report(binary)
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-p", str(prog.pid), "runtime.*", timeout=120) as t:
            assert t.traced_count() > 1000, f"banner: {t.banner!r}"
            prog.go()
            report = prog.result()
            started = time.monotonic()
            status, out, err = t.interrupt()
            detach_time = time.monotonic() - started
        leftover = code_differences(prog.pid, binary)
        prog.stop()
    assert report == expected, f"traced program reported {report}, untraced {expected}"
    assert_clean_exit(status, out, err, t.command())
    assert parse_funccount(out, unique=False), f"no runtime function counted:\n{out}"
    assert detach_time <= 2.0, f"took {detach_time:.2f} s to exit after Ctrl-C"
    assert not leftover, ("code still differs from the file after the tool exited (uprobes left): "
                          + describe_addresses(leftover, text_symbols(go_command(variant), binary)))


@pytest.mark.parametrize("variant, env", [
    ("go126", {}),
    ("go126-pie", {}),
    ("go119-stripped", {}),
    ("gccgo", {}),
    ("go126", {"GOTOOLS_NO_MULTI": "1"}),
], ids=["go126", "go126-pie", "go119-stripped", "gccgo", "go126-no-multi"])
def test_no_uprobes_left(built, tracefs, variant, env):
    """While tracing, the program's code holds breakpoints; after the tool exits, its code equals
    the file again, no tracefs uprobe names the binary, and the tool's process is gone."""
    binary = built.path(variant)
    symbols = text_symbols(go_command(variant), built.path(unstripped(variant)), "main.")
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-p", str(prog.pid), "main.*", env=env) as t:
            during = code_differences(prog.pid, binary)
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        after = code_differences(prog.pid, binary)
        prog.stop()
    assert_clean_exit(status, out, err, t.command())
    assert_counts(parse_funccount(out), report, out)
    # main.add, a leaf, is probed at its entry, or at its callers' CALLs when nothing else
    # enters it (gc, uprobe_multi)
    add_start = symbols["main.add"]
    add_end = min(a for a in symbols.values() if a > add_start)
    probed = [a for a in during if add_start <= a < add_end] + calls_to(binary, during, add_start)
    assert during, "no breakpoint found in the program's code while it was traced (is the check broken?)"
    assert probed, (f"no breakpoint in main.add nor at a call of it while traced; breakpoints at "
                    f"{describe_addresses(during, symbols)}")
    assert not after, f"breakpoints left after the tool exited: {describe_addresses(after, symbols)}"
    with open(os.path.join(tracefs, "uprobe_events")) as f:
        events = [line for line in f if os.path.realpath(binary) in line or binary in line]
    assert not events, f"uprobe_events still has probes on {binary}:\n{''.join(events)}"
    assert not os.path.exists(f"/proc/{t.proc.pid}"), f"tool process {t.proc.pid} still exists"


# ---------------------------------------------------------------------------------------------
# Other options


def test_dump_bpf_program(built):
    """-D prints the BPF program before starting, as bcc's funccount does, then traces."""
    with GoProgram(built.path("go126")) as prog:
        with Tool(TOOL, "-D", "-p", str(prog.pid), "main.add") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    program, _, rest = out.partition("Tracing ")
    assert "int go_count(struct pt_regs *ctx)" in program, out
    assert parse_funccount(out) == {"main.add": report["main.add"]}, out


def test_verbose_lists_functions(built):
    """-v lists each matched function with its address and ABI (here: internal and abi0)."""
    binary = built.path("go126")
    symbols = text_symbols(go_command("go126"), binary, "main.")
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-v", "-p", str(prog.pid), "main.*") as t:
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: exit status {status}\n{err}"
    lines = (out + err).splitlines()
    for name, abi in [("main.add", "internal"), ("main.asmAdd", "abi0")]:
        addr = symbols.get(name, symbols.get(name + ".abi0"))
        listed = [line for line in lines if re.search(rf"(^|\s){re.escape(name)}(\s|$)", line)
                  and f"{addr:x}" in line.lower() and re.search(rf"\b{abi}\b", line)]
        assert listed, f"-v lists no line with {name}, address {addr:#x} and ABI {abi}:\n" + "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Bad input: one line on stderr, a status, no traceback, no crash


def dead_pid():
    proc = subprocess.Popen(["/bin/true"])
    proc.wait()
    return str(proc.pid)


# case -> (arguments, given the go126 binary; words the one line of stderr must hold)
BAD_INPUT = {
    "missing file": (lambda b: ["/nonexistent/gofunccount-test:main.*"],
                     "cannot open '/nonexistent/gofunccount-test': No such file or directory"),
    "not an ELF file": (lambda b: [f"{os.path.abspath(__file__)}:main.*"], "is not an ELF file"),
    "dead pid": (lambda b: ["-p", dead_pid(), "main.*"], "no process with pid"),
    "empty pattern": (lambda b: [""], "empty function pattern"),
    "empty function pattern": (lambda b: [f"{b}:"], "empty function pattern"),
    "bad regex": (lambda b: ["-r", f"{b}:main.(add"], "bad regular expression 'main.(add'"),
}


def assert_one_line_error(result, status, what):
    err = result.stderr.strip()
    assert result.returncode == status, (f"{what}: exit status {result.returncode}, expected {status}\n"
                                         f"stderr:\n{result.stderr}\nstdout:\n{result.stdout}")
    assert err, f"{what}: nothing on stderr"
    assert "Traceback" not in result.stderr, f"{what}: traceback on stderr:\n{result.stderr}"
    return err


# Bad option values are usage errors: exit status 2, as bcc's tools (argparse), in one line.
BAD_OPTION_VALUES = {
    "interval 0": (lambda b: ["-i", "0", f"{b}:main.*"], "invalid interval: '0'"),
    "interval abc": (lambda b: ["-i", "abc", f"{b}:main.*"], "invalid interval: 'abc'"),
    "duration abc": (lambda b: ["-d", "abc", f"{b}:main.*"], "invalid duration: 'abc'"),
    "duration negative": (lambda b: ["-d", "-5", f"{b}:main.*"], "invalid duration: '-5'"),
    "pid abc": (lambda b: ["-p", "abc", "main.*"], "invalid PID: 'abc'"),
}


@pytest.mark.unprivileged
@pytest.mark.parametrize("case", list(BAD_OPTION_VALUES))
def test_bad_option_value(built, case):
    args, words = BAD_OPTION_VALUES[case]
    args = args(built.path("go126"))
    result = run_tool(TOOL, *args)
    err = assert_one_line_error(result, 2, f"{TOOL} {' '.join(args)!r}")
    assert "\n" not in err, f"{case}: expected one line on stderr, got:\n{result.stderr}"
    assert err == f"{TOOL}: {words}", f"{case}: expected '{TOOL}: {words}', got:\n{result.stderr}"


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input(built, case):
    args, words = BAD_INPUT[case]
    args = args(built.path("go126"))
    result = run_tool(TOOL, *args)
    err = assert_one_line_error(result, 1, f"{TOOL} {' '.join(args)!r}")
    assert "\n" not in err, f"{case}: expected one line on stderr, got:\n{result.stderr}"
    assert err.startswith(f"{TOOL}: ") and words in err, f"{case}: expected {words!r} in:\n{result.stderr}"


@pytest.mark.parametrize("args,words", [
    (["--no-such-option", "main.*"], "unrecognized option '--no-such-option'"),
    ([], "no PATTERN given"),
    (["-p"], "option requires an argument -- 'p'"),
], ids=["unknown option", "no pattern", "missing argument"])
@pytest.mark.unprivileged
def test_usage_error(args, words):
    err = assert_one_line_error(run_tool(TOOL, *args), 2, f"{TOOL} {' '.join(args)!r}")
    assert words in err.splitlines()[0], f"expected {words!r} in:\n{err}"


@pytest.mark.parametrize("args", [["--no-such-option", "main.*"], ["-p"]], ids=["unknown option", "missing argument"])
def test_usage_error_names_the_tool(args):
    """Messages start with the tool's name, not the path it was run by."""
    err = run_tool(TOOL, *args).stderr
    assert err.startswith(f"{TOOL}: "), err


@pytest.mark.parametrize("variant", ["go116", "go117", "go118"])
def test_older_releases(built, variant):
    """Go 1.16 (ABI0 everywhere, the 1.16 pclntab), 1.17 and 1.18: exact counts."""
    with GoProgram(built.path(variant, "tracee")) as prog:
        with Tool(TOOL, "-p", str(prog.pid), "main.add") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert parse_funccount(out) == {"main.add": report["main.add"]}, out
