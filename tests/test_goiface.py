"""Tests of tools/goiface, the dynamic types and values of Go interface arguments, and of the
libgo code under it (the runtime's type names, read from the binary).

    goiface [-h] [-p PID] [-i INTERVAL] [-d DURATION] [-T] [-r] [-V] [-v] [-j] PATTERN [ARG]

The traced program (tests/go/iface) calls describe(v any) and show(s fmt.Stringer) with values
of known types a known number of times, and reports what Go itself prints of them (%T, the
values) and the addresses of its types' descriptors; every count, name and value is checked
against that report.
"""

import json
import os
import re
import subprocess
import tempfile
import time

import pytest

from conftest import (OLD, ROOT, SWITCHED, BuildError, GoProgram, Tool, build_program, helper,
                      private_copy, run_tool)

TOOL = "goiface"
PROGRAM = "iface"
GC_VARIANTS = ["go126", "go126-stripped", "go126-pie", "go119", "go119-stripped", "go119-pie"]
# PIE with C code (tests/go/ifacecgo), linked by GNU ld as go build does by default with cgo
EXTLD_PIE = ["go126-extld-pie", "go119-extld-pie"]
ALL_VARIANTS = GC_VARIANTS + ["go126-cgo", "go119-cgo"] + EXTLD_PIE + ["gccgo"]


def iface_binary(built, variant):
    """tests/go/iface built as variant; the -cgo and external-linked PIE variants build
    tests/go/ifacecgo, the same program with a C function."""
    if variant.endswith("-cgo") or variant in EXTLD_PIE:
        try:
            return build_program(variant, PROGRAM + "cgo")
        except BuildError as e:
            pytest.fail(f"cannot build {PROGRAM} as {variant}: {e}", pytrace=False)
    return built.path(variant, PROGRAM)


@pytest.fixture(scope="session")
def gotypes():
    """tests/helpers/gotypes, built by make with libgo."""
    path = helper("gotypes")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} does not exist (run make)", pytrace=False)
    return path


# ---------------------------------------------------------------------------------------------
# libgo: type names from the runtime's type data


@pytest.mark.parametrize("variant", ALL_VARIANTS)
def test_type_names_match_percent_t(built, gotypes, variant):
    """Every type descriptor the program reports is named as its own %T names it; the type that
    reflect made at run time is not named at all."""
    with GoProgram(iface_binary(built, variant)) as prog:
        prog.go()
        report = prog.result()
        addrs = list(report["types"].values()) + report["runtime"]
        result = subprocess.run([gotypes, str(prog.pid), *addrs], capture_output=True, text=True)
        prog.stop()
    assert result.returncode == 0, result.stderr
    got = {line.split()[0]: line.split(None, 2)[2] for line in result.stdout.splitlines()}
    wrong = {t: got.get(a) for t, a in report["types"].items() if got.get(a) != t}
    assert not wrong, f"names differ from %T (%T: libgo's name): {wrong}\n{result.stdout}"
    assert [got.get(a) for a in report["runtime"]] == ["-"], result.stdout


@pytest.mark.unprivileged
@pytest.mark.parametrize("variant", EXTLD_PIE)
def test_extld_pie_is_linked_by_gnu_ld(built, variant):
    """The variants of PIE linked the default way are what they stand for: go build linked them
    externally, by GNU ld (C start-up code, GCC's .comment), not by Go's own linker."""
    binary = iface_binary(built, variant)
    out = subprocess.run(["readelf", "-h", "-S", "-p", ".comment", binary], capture_output=True,
                         text=True).stdout
    assert "DYN (Position-Independent Executable file)" in out, out
    assert re.search(r"\s\.init\s", out) and "GCC: (" in out, out


@pytest.mark.parametrize("variant", ["go118"] + list(SWITCHED) + ["go126-lld-pie", "gccgo-O1"])
def test_type_names_other_releases(built, gotypes, variant):
    """The same on the releases between (moduledata.types moved in Go 1.20), which Go's
    toolchain switching fetches, on a PIE linked by lld, whose moduledata pointers are zeros in
    the file, and on gccgo at -O1."""
    assert variant in SWITCHED or variant in OLD or variant in ("go126-lld-pie", "gccgo-O1")
    test_type_names_match_percent_t(built, gotypes, variant)


# ---------------------------------------------------------------------------------------------
# goiface: exact counts by type, and by value


def trace(binary, *args):
    """Run goiface -j [args] -p PID while the program makes its calls; return (report, JSON
    rows, status, stderr)."""
    with GoProgram(binary) as prog:
        argv = list(args)
        at = next(i for i, a in enumerate(argv) if not a.startswith("-"))
        argv[at:at] = ["-j", "-p", str(prog.pid)]
        with Tool(TOOL, *argv) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\n{err}"
    assert err.rstrip().endswith("Detaching..."), err
    rows = [json.loads(line) for line in out.splitlines()]
    return report, rows, err


def expected(report, func, values):
    """{(type, value): count} the program reports for func ("describe", "show"); the type that
    reflect made is named by its address, as goiface names it."""
    made = {"*struct { A int }": f"<runtime type {report['runtime'][0]}>"}
    want = {}
    for r in report[func]:
        key = (made.get(r["type"], r["type"]), r["value"] if values else None)
        want[key] = want.get(key, 0) + r["count"]
    return want


def counted(rows, func, arg):
    got = {}
    for r in rows:
        if r["func"] == func and r["arg"] == arg:
            key = (r["type"], r.get("value"))
            assert key not in got, f"two rows for {key}: {rows}"
            got[key] = r["count"]
    return got


def stripped(variant):
    return variant.endswith("-stripped")


@pytest.mark.parametrize("variant", ALL_VARIANTS + ["go118", "go122", "go125", "go126-lld-pie", "gccgo-O1"])
@pytest.mark.parametrize("values", [False, True], ids=["types", "values"])
def test_counts_by_type(built, variant, values):
    """describe(v any) and show(s fmt.Stringer): each type (and value) counted exactly as often
    as the program passed it; nil as <nil>. Stripped binaries name the arguments goarg1."""
    binary = iface_binary(built, variant)
    args = ["-V"] if values else []
    for func, name in (("describe", "v"), ("show", "s")):
        arg = "goarg1" if stripped(variant) else name
        report, rows, _ = trace(binary, *args, f"main.{func}", arg)
        got, want = counted(rows, f"main.{func}", arg), expected(report, func, values)
        assert got == want, (f"{func}: counts differ\n  only goiface: "
                             f"{ {k: v for k, v in got.items() if want.get(k) != v} }\n  "
                             f"only the program: { {k: v for k, v in want.items() if got.get(k) != v} }")


@pytest.mark.parametrize("by", ["path", "pid"])
@pytest.mark.parametrize("variant", EXTLD_PIE + ["go126-pie"])
def test_counts_of_a_process_gone(built, variant, by, tmp_path):
    """A PIE process, linked either way, that exits before goiface names its types: by path
    (BINARY:FUNCTION, the process started after the tool), or with -p, where goiface ends with
    the process. Where it had loaded its binary follows from where it hit a probe, and every
    type of the binary is named as %T names it; the one reflect made went with the process,
    which is said."""
    binary = private_copy(iface_binary(built, variant), tmp_path)
    if by == "path":
        with Tool(TOOL, "-j", f"{binary}:main.describe", "v") as t:
            with GoProgram(binary) as prog:
                prog.go()
                report = prog.result()
                prog.stop()
            status, out, err = t.interrupt()
    else:
        with GoProgram(binary) as prog:
            with Tool(TOOL, "-j", "-p", str(prog.pid), "main.describe", "v") as t:
                prog.go()
                report = prog.result()
                prog.stop()
                status, out, err = t.wait()
    assert status == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    want = {(typ.replace("<runtime type ", "<type ").replace(">", " of a process gone>")
             if typ.startswith("<runtime type") else typ, v): n
            for (typ, v), n in expected(report, "describe", False).items()}
    assert counted(rows, "main.describe", "v") == want, out


@pytest.mark.parametrize("variant", ["go126", "go119", "gccgo", "gccgo-O1"])
def test_every_interface_argument(built, variant):
    """Without ARG: every interface argument of the matched functions, by its DWARF name; a
    function without one (main.plain) is not traced."""
    report, rows, err = trace(iface_binary(built, variant), "-r", r"^main\.(describe|show|plain)$")
    assert "Tracing 2 functions" in err
    assert counted(rows, "main.describe", "v") == expected(report, "describe", False)
    assert counted(rows, "main.show", "s") == expected(report, "show", False)


@pytest.mark.parametrize("variant", ["go126", "go119", "gccgo", "gccgo-O1"])
def test_goarg_on_binary_with_dwarf(built, variant):
    """goarg1 names the same interface as v when there is DWARF."""
    report, rows, _ = trace(iface_binary(built, variant), "main.describe", "goarg1")
    assert counted(rows, "main.describe", "goarg1") == expected(report, "describe", False)


@pytest.mark.parametrize("variant, args, message", [
    ("go126", ["main.plain", "n"], "goiface: argument 'n' of main.plain is not an interface: its type is int"),
    ("go119", ["main.describe", "nosuch"], "goiface: main.describe has no argument named 'nosuch'"),
    ("go126", ["main.plain", "goarg1"], "goiface: goarg1 of main.plain is not the first word of an interface"),
    ("go126-stripped", ["main.describe", "goarg2"], "goiface: goarg2 of main.describe is its last argument word: an interface takes two"),
    ("go119-stripped", ["main.describe", "goarg3"], "goiface: goarg3 is not a word main.describe passes: its arguments take 16 bytes (the function table's argument size)"),
    ("go126-stripped", ["main.describe"], "is stripped (no DWARF): name the interface argument as goargN, its first word"),
    ("go119-stripped", ["main.describe"], "is stripped (no DWARF): name the interface argument as goargN, its first word"),
])
def test_bad_arguments(built, variant, args, message):
    """What is wrong, in one line, exit status 1."""
    binary = iface_binary(built, variant)
    r = run_tool(TOOL, f"{binary}:{args[0]}", *args[1:])
    assert r.returncode == 1, r
    assert r.stderr.count("\n") == 1 and message in r.stderr, r.stderr
    assert not r.stdout, r.stdout


# ---------------------------------------------------------------------------------------------
# Output and options


def test_table(built):
    """The table: FUNC ARG TYPE COUNT, sorted by count, banner first and Detaching... last."""
    binary = iface_binary(built, "go126")
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-p", str(prog.pid), "main.show", "s") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0] == 'Tracing 1 functions for "main.show"... Hit Ctrl-C to end.', out
    assert lines[2].split() == ["FUNC", "ARG", "TYPE", "COUNT"], out
    rows = [line.split() for line in lines[3:-1]]
    want = sorted(expected(report, "show", False).items(), key=lambda kv: (kv[1], kv[0][0]))
    assert rows == [["main.show", "s", typ, str(n)] for (typ, _), n in want], out
    assert lines[-1] == "Detaching...", out


def test_values_table(built):
    """-V adds VALUE: strings quoted, floats as Go prints them."""
    binary = iface_binary(built, "go119")
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-V", "-p", str(prog.pid), "main.describe", "v") as t:
            prog.go()
            prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert ["FUNC", "ARG", "TYPE", "VALUE", "COUNT"] in [l.split() for l in out.splitlines()], out
    for row in (["main.describe", "v", "string", '"hello"', "7"],
                ["main.describe", "v", "main.Celsius", "21.5", "6"],
                ["main.describe", "v", "float64", "1e+21", "1"],
                ["main.describe", "v", "*errors.errorString", '"boom"', "3"]):
        assert row in [l.split() for l in out.splitlines()], f"no row {row}:\n{out}"


def test_duration_and_timestamps(built):
    """-d ends the tool by itself; -T puts the time in each JSON line."""
    binary = iface_binary(built, "go126")
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-j", "-T", "-d", "2", "-p", str(prog.pid), "main.describe", "v") as t:
            prog.go()
            report = prog.result()
            status, out, err = t.wait(timeout=10)
        prog.stop()
    assert status == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert all(re.match(r"^\d\d:\d\d:\d\d$", r["time"]) for r in rows), out
    assert counted(rows, "main.describe", "v") == expected(report, "describe", False)


def test_interval(built):
    """-i: each table holds what happened since the last; together, every call once."""
    binary = iface_binary(built, "go126")
    with GoProgram(binary) as prog:
        with Tool(TOOL, "-j", "-i", "1", "-p", str(prog.pid), "main.describe", "v") as t:
            time.sleep(1.2)
            prog.go()
            report = prog.result()
            time.sleep(2.5)
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    total = {}
    for r in rows:
        total[r["type"]] = total.get(r["type"], 0) + r["count"]
    want = {}
    for (typ, _), n in expected(report, "describe", False).items():
        want[typ] = want.get(typ, 0) + n
    assert total == want, out


def test_verbose_lists_interfaces(built):
    """-v lists the functions and where each interface's first word is."""
    binary = iface_binary(built, "go126")
    r = run_tool(TOOL, "-v", "-d", "1", f"{binary}:main.show", "s")
    assert r.returncode == 0, r.stderr
    assert "main.show s: itab word in ax, data word in bx" in r.stdout.splitlines(), r.stdout


# ---------------------------------------------------------------------------------------------
# gotrace's %T and %v, through the same libgo code


def gotrace_events(binary, probe):
    """gotrace -j PROBE while the program makes its calls: (report, [args of each event])."""
    with GoProgram(binary) as prog:
        with Tool("gotrace", "-j", "-p", str(prog.pid), probe) as t:
            prog.go()
            report = prog.result()
            time.sleep(0.5)
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    return report, [json.loads(line)["args"] for line in out.splitlines()]


def percent_v(report_value, typ):
    """What %v prints of a value goiface -V shows as report_value: strings and messages
    unquoted (the prefix of a long string), <nil> for nil, "-" for values not shown."""
    if typ == "<nil>":
        return "<nil>", False
    if report_value.endswith('"...'):
        return json.loads(report_value[:-3]), True
    if report_value.startswith('"'):
        return json.loads(report_value), False
    return report_value or "-", False


@pytest.mark.parametrize("variant", ["go126", "go119-stripped", "go126-pie"] + EXTLD_PIE +
                         ["gccgo", "gccgo-O1"])
def test_gotrace_type_and_value(built, variant):
    """gotrace 'main.describe "%T %v", v, v' prints each call's type and value, in order, as the
    program reports them (goarg1 on a stripped binary)."""
    arg = "goarg1" if stripped(variant) else "v"
    report, events = gotrace_events(iface_binary(built, variant),
                                    f'main.describe "%T %v", {arg}, {arg}')
    made = {"*struct { A int }": f"<runtime type {report['runtime'][0]}>"}
    want = []
    for r in report["describe"]:
        want += [(made.get(r["type"], r["type"]), *percent_v(r["value"], r["type"]))] * r["count"]
    assert len(events) == len(want), f"{len(events)} events for {len(want)} calls:\n{events}"
    for e, (typ, val, prefix) in zip(events, want):
        assert e[f"{arg}.(type)"] == typ, (e, typ)
        assert e[arg].startswith(val) if prefix else e[arg] == val, (e, val)


def test_gotrace_percent_v_of_an_int(built):
    """%v and %+v, which print interfaces' dynamic values here, print any other value as fmt does
    (gotrace's typed values): main.plain(1) prints 1."""
    from test_gotrace import messages
    with GoProgram(iface_binary(built, "go126")) as prog:
        with Tool("gotrace", "-p", str(prog.pid), 'main.plain "%v %+v %d", n, n, n') as t:
            prog.go()
            prog.result()
            time.sleep(0.3)  # let the event through the ring buffer
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    assert messages(out, "main.plain") == ["1 1 1"], out


@pytest.mark.parametrize("probe, message", [
    ('main.describe "%d", v', "'v' has type interface {}, which gotrace cannot print"),
    ('main.describe "%T %d", v, v', "'v' is an interface: print it with %T or %v"),
])
def test_gotrace_interface_errors(built, probe, message):
    binary = iface_binary(built, "go126")
    r = run_tool("gotrace", probe.replace("main.", f"{binary}:main.", 1))
    assert r.returncode == 1 and message in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_dump_bpf_program(built):
    """-D prints the BPF program, the shared interface reader included."""
    binary = iface_binary(built, "go126")
    r = run_tool(TOOL, "-D", "-d", "1", f"{binary}:main.describe", "v")
    assert r.returncode == 0, r.stderr
    assert "int go_iface_entry(struct pt_regs *ctx)" in r.stdout
    assert "static __always_inline void go_iface_value(" in r.stdout
