"""Generic functions' instantiations, told apart by their dictionaries, in every tool.

gc compiles a generic function once per GC shape: main.Sum[go.shape.int] runs Sum[int] and
Sum[main.myInt]. The program tests/go/generics counts each instantiation's calls itself (direct
calls, calls through a function value and through an interface's method table); every tool's
figures per instantiation are checked against those counts, and a shaped function's name
against their sum. gccgo 12 has no generics: the program is gc's only.
"""

import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import (
    GO126,
    GoProgram,
    Tool,
    go_nm,
    helper,
    parse_funccount,
    run_tool,
)

PROGRAM = "generics"
# plain, stripped, PIE linked by Go's linker, by the system's (cgo available: the default) and
# by lld, on the newest and on Debian 12's Go, and one Go 1.18 build (the first with generics)
VARIANTS = ["go126", "go126-stripped", "go126-pie", "go126-extld-pie", "go126-lld-pie",
            "go119", "go119-stripped", "go119-pie", "go119-extld-pie", "go118",
            "go120", "go121", "go122", "go123", "go124", "go125"]
# instantiations that share a shape with another, or are methods: each must be a row of its own
SHARED = ["main.Sum[int]", "main.Sum[main.myInt]", "main.Describe[int]", "main.Describe[main.myInt]",
          "main.(*Stack[int]).Push", "main.(*Stack[string]).Push"]


def shape(variant, name):
    """The shaped function's name as variant's binary has it: main.Sum[go.shape.int] (1.20+),
    main.Sum[go.shape.int_0] (1.18-1.19), main.Sum[...] (stripped 1.18-1.20, for every shape)."""
    if variant in ("go119-stripped",):
        return re.sub(r"\[go\.shape\.[^\]]*\]", "[...]", name)
    if variant.startswith(("go118", "go119")):
        return name.replace("]", "_0]")
    return name


def event_rows(out):
    """gotrace's event lines: [pid, tid, comm, goid, func, message]."""
    return [line.split(None, 5) for line in out.splitlines() if line.split()[:1] != [] and
            line.split()[0].isdigit()]


def run(variant, built, tool, *args, sleep=0.0, binary=None):
    """Run the program's calls (variant's build, or binary) under `tool -p PID args`; return
    (report, stdout, stderr)."""
    with GoProgram(binary or built.path(variant, PROGRAM)) as prog:
        with Tool(tool, "-p", str(prog.pid), *args) as t:
            prog.go()
            report = prog.result()
            time.sleep(sleep)
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\nstderr:\n{err}\nstdout:\n{out}"
    return report, out, err


@pytest.mark.parametrize("variant", VARIANTS)
def test_counts_per_instantiation(built, variant):
    """gofunccount 'main.*': a row per instantiation with the program's own count, where a
    shape is shared (Sum[int] and Sum[main.myInt]) and for methods ((*Stack[int]).Push), with
    the calls through a function value's and a method table's wrappers; nothing counted twice.
    An instantiation alone on its shape whose name a stripped binary does not give (Go 1.26:
    Sum[string]) is its shaped function's row, which then counts it alone."""
    report, out, err = run(variant, built, "gofunccount", "main.*")
    table = parse_funccount(out)
    for name in SHARED:
        assert table.get(name) == report[name], f"{name}: {table.get(name)}, program {report[name]}\n{out}"
    alone = table.get("main.Sum[string]", table.get(shape(variant, "main.Sum[go.shape.string]")))
    assert alone == report["main.Sum[string]"], out
    shared = [shape(variant, f"main.{f}[go.shape.int]") for f in ("Sum", "Describe")]
    assert not any(name in table for name in shared + ["main.Sum[...]"]), \
        f"a shaped function shared by named instantiations has calls of its own:\n{out}"


@pytest.mark.parametrize("variant", ["go120", "go121", "go122", "go123", "go124", "go125"])
def test_counts_stripped_between(built, variant, tmp_path):
    """Go 1.20-1.25 builds with their symbol table stripped (binutils' strip): methods' rows per
    instantiation from Go 1.20 (a method's dictionary holds its receiver's type), functions'
    from Go 1.21 (by their wrapper's name, or the types their dictionaries agree on); Go 1.20
    names no function's instantiation (its pclntab says main.Sum[...] for every shape), whose
    calls are then all their shaped functions' rows."""
    binary = strip_copy(built.path(variant, PROGRAM), tmp_path)
    report, out, err = run(variant, built, "gofunccount", "main.*", binary=str(binary))
    table = parse_funccount(out, unique=False)
    named = SHARED if variant != "go120" else [n for n in SHARED if "Stack" in n]
    for name in named:
        assert table.get(name) == report[name], f"{name}: {table.get(name)}, program {report[name]}\n{out}"
    if variant == "go120":
        for f in ("Sum", "Describe"):
            assert table.get(f"main.{f}[...]") == sum(v for k, v in report.items()
                                                      if k.startswith(f"main.{f}[") and "shape" not in k), out
    else:
        assert "main.Sum[go.shape.int]" not in table and "main.Describe[go.shape.int]" not in table, out


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go126-extld-pie", "go119",
                                     "go119-stripped", "go118"])
def test_shape_is_the_sum(built, variant):
    """The shaped function's own name counts every instantiation it runs."""
    name = shape(variant, "main.Sum[go.shape.int]")
    report, out, err = run(variant, built, "gofunccount", name)
    total = sum(parse_funccount(out, unique=False).values())
    want = report["main.Sum[go.shape.int]"] + (report["main.Sum[string]"] if "[...]" in name else 0)
    assert total == want, out


@pytest.mark.parametrize("variant", ["go126", "go119-stripped"])
def test_glob_of_one_function(built, variant):
    """main.Sum[*]: each instantiation a row of its own, no shape's."""
    report, out, err = run(variant, built, "gofunccount", "main.Sum[*]")
    table = parse_funccount(out)
    assert table == {n: report[n] for n in ("main.Sum[int]", "main.Sum[main.myInt]", "main.Sum[string]")}, out


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go119", "go119-extld-pie"])
def test_verbose_lists_instantiations(built, variant):
    """-v says which instantiations matched: the shaped function, the dictionary and what named
    it."""
    report, out, err = run(variant, built, "gofunccount", "-v", "main.Sum[main.myInt]")
    assert re.search(r"main\.Sum\[main\.myInt\] \(main\.Sum\[(go\.shape\.int(_0)?|\.\.\.)\] with "
                     r"dictionary 0x[0-9a-f]+ in ax, named by (the symbol table|its wrapper's name|"
                     r"its dictionary's type arguments)\)", out), out
    assert parse_funccount(out) == {"main.Sum[main.myInt]": report["main.Sum[main.myInt]"]}, out


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go126-pie", "go119", "go119-stripped"])
def test_trace_filters_by_instantiation(built, variant):
    """gotrace main.Sum[main.myInt]: only its calls, labelled with its name, and goargN are the
    Go arguments (the dictionary is skipped): (i, 200) directly, (i, 300) through a function
    value."""
    report, out, err = run(variant, built, "gotrace", 'main.Sum[main.myInt] "%d %d", goarg1, goarg2',
                           sleep=0.3)
    rows = event_rows(out)
    assert {r[4] for r in rows} == {"main.Sum[main.myInt]"}, out
    got = sorted(tuple(int(x) for x in r[5].split()) for r in rows)
    want = sorted([(i, 200) for i in range(300)] + [(i, 300) for i in range(27)])
    assert len(got) == report["main.Sum[main.myInt]"] and got == want, out


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go119", "go119-stripped"])
def test_trace_refuses_words_past_the_arguments(built, variant):
    """goargN of a shaped function counts its Go arguments, not its dictionary: Sum(a, b) takes
    goarg1-goarg2, by DWARF or (stripped) by the function table's argument size less the
    dictionary's word; goarg3 is refused, saying so."""
    binary = built.path(variant, PROGRAM)
    result = run_tool("gotrace", f'{binary}:main.Sum[int] "%d", goarg3')
    assert result.returncode == 1 and "goarg3 is not a word main.Sum[int] passes" in result.stderr, \
        result.stderr
    if "stripped" in variant:
        assert "dictionary" in result.stderr, result.stderr
    report, out, err = run(variant, built, "gotrace", 'main.Sum[int] "%d", goarg2', sleep=0.3)
    assert sorted(int(r[5]) for r in event_rows(out)) == [100] * report["main.Sum[int]"], out


@pytest.mark.parametrize("variant", ["go126", "go119"])
def test_trace_labels_each_instantiation(built, variant):
    """gotrace 'main.(*Stack[*]).Push': each event under its instantiation's name; one
    instantiation's value by its DWARF name, past the receiver and the dictionary."""
    report, out, err = run(variant, built, "gotrace", 'main.(\\*Stack[*]).Push',
                           'main.(*Stack[string]).Push "%s", v', sleep=0.3)
    rows = event_rows(out)
    counts = {}
    for r in rows:
        counts[r[4]] = counts.get(r[4], 0) + 1
    assert counts == {"main.(*Stack[int]).Push": report["main.(*Stack[int]).Push"],
                      "main.(*Stack[string]).Push": 2 * report["main.(*Stack[string]).Push"]}, out
    assert sorted(r[5] for r in rows if len(r) > 5) == ["x"] * report["main.(*Stack[string]).Push"], out


def test_return_probe_of_instantiation(built):
    """A RET cannot tell which instantiation it ends: a return probe of one is refused, saying
    so; with a pattern that also names the shaped function, that one is traced."""
    binary = built.path("go126", PROGRAM)
    result = run_tool("gotrace", f'r:{binary}:main.Sum[int] "%d", goret1')
    assert result.returncode == 1 and "instantiations" in result.stderr, result.stderr


@pytest.mark.parametrize("variant", ["go126", "go126-stripped", "go119", "go119-pie"])
def test_latency_per_instantiation(built, variant):
    """gofunclatency main.Sum[int]: its calls alone are timed; the other instantiations' returns,
    which the same RETs see, are neither timed nor reported as calls it missed."""
    report, out, err = run(variant, built, "gofunclatency", "main.Sum[int]")
    m = re.search(r"count: (\d+)", out)
    assert m and int(m.group(1)) == report["main.Sum[int]"], out
    assert "not timed" not in out + err and "had no traced call" not in out + err, out + err


@pytest.mark.parametrize("variant", ["go126", "go119-stripped"])
def test_stacks_per_instantiation(built, variant):
    """gostack main.Sum[main.myInt]: its calls' stacks, each counted as often as the program saw
    it (runtime.CallersFrames in Sum, by instantiation): those through the function value as
    Go's traceback gives them, without the wrapper it leaves out."""
    report, out, err = run(variant, built, "gostack", "main.Sum[main.myInt]")
    stacks = [[line.strip() for line in s.splitlines() if line.startswith("  ")]
              for s in out.split("\n\n") if re.search(r"^\s+\d+\s*$", s, re.M)]
    got = {}
    for s in stacks:
        assert s[0] == shape(variant, "main.Sum[go.shape.int]"), out
        got[";".join(s[1:-1])] = got.get(";".join(s[1:-1]), 0) + int(s[-1])
    prefix = "stack main.Sum[main.myInt] "
    want = {k[len(prefix):]: v for k, v in report.items() if k.startswith(prefix)}
    assert sum(want.values()) == report["main.Sum[main.myInt]"] and got == want, (want, out)


@pytest.mark.parametrize("variant, arg", [("go126", "v"), ("go126-stripped", "goarg2"),
                                          ("go119", "v"), ("go119-stripped", "goarg2")])
def test_iface_per_instantiation(built, variant, arg):
    """goiface 'main.Describe[*]' v: the dynamic types of v per instantiation (by DWARF, or by
    the ABI past the dictionary)."""
    report, out, err = run(variant, built, "goiface", "main.Describe[*]", arg)
    rows = {tuple(line.split()[:3]): int(line.split()[-1]) for line in out.splitlines()
            if line.startswith("main.Describe")}
    assert rows == {("main.Describe[int]", arg, "string"): report["main.Describe[int]"],
                    ("main.Describe[main.myInt]", arg, "float64"): report["main.Describe[main.myInt]"]}, out


def test_empty_dictionaries_are_not_told_apart(built):
    """Go 1.20+ lays every empty dictionary at one address: Nop[int] and Nop[main.myInt] cannot
    be told apart, which the tool says instead of counting either; their shape counts both."""
    result = run_tool("gofunccount", "-d", "1", f"{built.path('go126', PROGRAM)}:main.Nop[int]")
    assert result.returncode == 1 and "cannot tell main.Nop[int]" in result.stderr, result.stderr
    report, out, err = run("go126", built, "gofunccount", "main.Nop*")
    assert "cannot tell" in err and parse_funccount(out) == {"main.Nop[go.shape.int]": 12}, out + err
    report, out, err = run("go119", built, "gofunccount", "main.Nop[*]")
    assert parse_funccount(out) == {"main.Nop[int]": 7, "main.Nop[main.myInt]": 5}, out


# ---------------------------------------------------------------------------------------------
# Against an independent reading of whole binaries


def instances(binary):
    """libgo's instantiations of binary: {(body, dictionary): (name, how)}; each one's
    dictionary must still be in its register at its shaped function's entry site."""
    result = subprocess.run([helper("gofuncs"), "-g", binary], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    out = {}
    for line in result.stdout.splitlines():
        if line.startswith("#"):
            continue
        name, body, dict_, reg, how, site = line.split("\t")
        assert not site.endswith(" lost"), f"{binary}: {line}"
        out[(body[5:], int(dict_[5:], 16))] = (name, how[4:])
    return out


def short(name):
    """Import paths in type arguments cut to package names, as %T (and a stripped binary's types)
    names them."""
    head, _, args = name.partition("[")
    return head + "[" + re.sub(r"[\w.\-]*/", "", args)


def assert_stripped_names_right(binary, stripped, at_least):
    """Every instantiation libgo names in the stripped copy is one the symbol table names alike
    (the same dictionary, the same name but for import paths), and there are at least so many."""
    full = {(short(name), dict_) for (body, dict_), (name, how) in instances(str(binary)).items()}
    named = instances(str(stripped))
    assert len(named) >= at_least, named
    for (body, dict_), (name, how) in named.items():
        assert (short(name), dict_) in full, (name, hex(dict_), how)


def strip_copy(binary, tmp_path):
    if not shutil.which("strip"):
        pytest.skip("binutils' strip is not installed")
    stripped = tmp_path / (os.path.basename(binary) + "-stripped")
    subprocess.run(["strip", "-o", str(stripped), binary], check=True)
    return stripped


@pytest.mark.unprivileged
@pytest.mark.parametrize("variant, at_least", [("go118", 32), ("go119", 32), ("go120", 8), ("go121", 16),
                                               ("go122", 16), ("go123", 16), ("go124", 19),
                                               ("go125", 19), ("go126", 19)])
def test_stripped_names_match_the_symbol_table(built, variant, tmp_path, at_least):
    """tests/go/dicts (two type parameters, a struct type argument made of another's type, an
    instantiated generic type as an argument, sub-dictionaries) with its symbol table stripped
    (the same code and data): what libgo still names, it names as the symbol table does. Go
    1.18-1.19 dictionaries lead with their type arguments; Go 1.20 stripped binaries name only
    methods (by their receiver's type), Go 1.21+ also functions whose dictionaries agree."""
    binary = built.path(variant, "dicts")
    assert_stripped_names_right(binary, strip_copy(binary, tmp_path), at_least)


@pytest.mark.unprivileged
def test_dictionaries_match_the_symbol_table(tmp_path):
    """Over Go's own go command (Go 1.26, hundreds of instantiations): every dictionary libgo
    names from .symtab is the `..dict.` symbol `go tool nm` gives at that address; and with the
    symbol table stripped (the same code and data), every instantiation libgo still names has
    the name the symbol table gives it, and none has another."""
    binary = os.path.join(os.path.dirname(GO126), "go")
    stripped = strip_copy(binary, tmp_path)
    dicts = {addr: name.replace("..dict.", ".", 1) for addr, kind, name in go_nm(GO126, str(binary))
             if "..dict." in name}
    full = instances(str(binary))
    assert len(full) > 100, full
    for (body, addr), (name, how) in full.items():
        assert how == "the symbol table"
        assert addr in dicts, f"{name}: no ..dict. symbol at {addr:#x}"
        # a Go 1.20+ type's dictionary serves each of its methods: main.Stack[int] for main.(*Stack[int]).Push
        assert dicts[addr] in (name, re.sub(r"^(.*?)\(\*(.*)\)\.[^.]+$", r"\1\2", name),
                               re.sub(r"\.[^.\]]+$", "", name)), (name, dicts[addr])
    assert_stripped_names_right(binary, stripped, 50)
