"""Request scope by pprof labels: --label KEY=VALUE in every tool that traces calls, decided in the
kernel, on Go 1.19 (labels in a map) and 1.26 (a slice of pairs), plain and stripped.

tests/go/labels serves three checkout requests under pprof labels (route=/checkout, req=N), each
calling main.query itself and through two goroutines that inherit its labels, three browse
requests (route=/browse), and unlabelled calls; it counts the calls of main.query in each scope
itself ({"route=/checkout": 18, "req=2": 6, ...} on Go 1.19). Each tool's count under --label
equals it. One of the checkout handler's goroutines starts a third, and from Go 1.23 the handler
also pulls from an iter.Pull iterator, whose coroutine's goroutine queries; --within
main.handleCheckout counts the calls of all of them ("within": 18 on Go 1.19, 24 on 1.26), in
each tool.
"""

import json
import re
import urllib.request

import pytest

from conftest import GoProgram, Tool, parse_funccount, run_tool

VARIANTS = ["go119", "go119-stripped", "go126", "go126-stripped"]
PATTERN = "main.query"


def scope_count(report, labels):
    """The calls of main.query the program made in the scope of labels (all must hold)."""
    if labels == ["route=*"]:
        return report["route=/checkout"] + report["route=/browse"]
    if len(labels) == 2 and labels[0] == "route=/checkout":
        return report[labels[1]]
    return report.get(labels[0], 0)


def funccount_calls(out):
    return parse_funccount(out).get(PATTERN, 0)


def funclatency_calls(out):
    m = re.search(r"^avg = \d+ \w+, total: \d+ \w+, count: (\d+)$", out, re.M)
    return int(m.group(1)) if m else 0


def stack_calls(out):
    return sum(int(line.rsplit(" ", 1)[1]) for line in out.splitlines() if line.strip())


def iface_calls(out):
    return sum(int(line.split()[-1]) for line in out.splitlines() if line.startswith(PATTERN))


def trace_calls(out):
    return sum(json.loads(line)["func"] == PATTERN for line in out.splitlines() if line.startswith("{"))


def slower_calls(out):
    return sum(json.loads(line)["func"] == PATTERN for line in out.splitlines() if '"ts_ns"' in line)


# tool -> (its arguments before the pattern, after it, how many calls its output counts);
# goiface names main.query's interface argument by its first word (after a slice's three), which
# stripped binaries need; gofuncslower -m 0 prints every call
TOOLS = {
    "gofunccount": ([], [], funccount_calls),
    "gofunclatency": ([], [], funclatency_calls),
    "gostack": (["-f"], [], stack_calls),
    "goiface": ([], ["goarg4"], iface_calls),
    "gotrace": (["-j"], [], trace_calls),
    "gofuncslower": (["-j", "-m", "0"], [], slower_calls),
}


def traced(built, variant, tool, labels, args=None, scope=(), tools=None):
    """Run the program under `tool ARGS --label ... SCOPE -p PID main.query` (ARGS: TOOLS' by
    default, or tools'); (its report, stdout, stderr)."""
    before, after, _ = (tools or TOOLS)[tool]
    label_args = [a for label in labels for a in ("--label", label)] + list(scope)
    with GoProgram(built.path(variant, "labels")) as prog:
        with Tool(tool, *(before if args is None else args), *label_args, "-p", str(prog.pid),
                  PATTERN, *after) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\nstderr:\n{err}\nstdout:\n{out}"
    return report, out, err


# each tool with a scope of its own, so that together they cover a value, a key alone and two
# labels (gofuncslower's: test_gofuncslower_labels)
CASES = {
    "gofunccount": ["req=2"],
    "gofunclatency": ["route=/checkout"],
    "gostack": ["route=/checkout", "req=3"],
    "goiface": ["route=/browse"],
    "gotrace": ["route=*"],
}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("tool", list(CASES))
def test_label_counts(built, variant, tool):
    """Each tool counts exactly the calls the program made under the labels asked."""
    labels = CASES[tool]
    report, out, err = traced(built, variant, tool, labels)
    expected = scope_count(report, labels)
    assert expected > 0 and expected < report["query"], report
    got = TOOLS[tool][2](out)
    assert got == expected, f"{tool} {labels}: {got} calls, the program made {expected}\n{out}\n{err}"
    assert "WARNING" not in err, err


@pytest.mark.parametrize("variant", ["go119", "go126"])
@pytest.mark.parametrize("labels", [["route=*"], ["req=2", "route=/checkout"], ["nosuch=1"],
                                    ["route=/checkout", "req=9"]])
def test_label_scopes(built, variant, labels):
    """A key with any value, two labels in either order, a key no goroutine has, and two labels
    no goroutine has together."""
    report, out, err = traced(built, variant, "gofunccount", labels)
    expected = scope_count(report, labels) if "req=9" not in labels else 0
    assert funccount_calls(out) == expected, (labels, report, out)


@pytest.mark.unprivileged
@pytest.mark.parametrize("tool", list(TOOLS))
@pytest.mark.parametrize("arg,message", [
    ("route", "invalid label 'route': KEY=VALUE or KEY=* expected"),
    ("=x", "invalid label '=x': KEY=VALUE or KEY=* expected"),
    ("k=" + "v" * 65, "is too long: keys and values of up to 64 bytes are matched"),
])
def test_bad_label(tool, arg, message):
    """A malformed --label is a usage error: one line, exit status 2."""
    run = run_tool(tool, "--label", arg, "main.query")
    assert run.returncode == 2, run
    assert message in run.stderr and len(run.stderr.splitlines()) == 1, run.stderr


@pytest.mark.unprivileged
def test_too_many_labels():
    args = [a for i in range(5) for a in ("--label", f"k{i}=v")]
    run = run_tool("gofunccount", *args, "main.query")
    assert run.returncode == 2 and "too many --label options (at most 4)" in run.stderr, run


@pytest.mark.parametrize("variant", ["go119", "go126"])
def test_gostack_labels(built, variant):
    """gostack -f keeps each goroutine's labels as root frames, sorted by key, on Go 1.19 (a
    map) as on 1.26 (a slice): the calls under each set are the program's own."""
    report, out, err = traced(built, variant, "gostack", [])
    by_labels = {}
    for line in out.splitlines():
        frames, count = line.rsplit(" ", 1)
        labels = ";".join(f for f in frames.split(";") if "=" in f)
        by_labels[labels] = by_labels.get(labels, 0) + int(count)
    expected = {f"req={r};route=/checkout": report[f"req={r}"] for r in (1, 2, 3)}
    expected.update({"route=/browse": report["route=/browse"], "": report["plain"]})
    assert by_labels == expected, out


def json_event_labels(out):
    """The label set of each -j event, as "k=v;k=v" by key ("" for none)."""
    sets = []
    for event in (json.loads(line) for line in out.splitlines() if line.startswith("{")):
        assert event.get("labels", True), f"an empty labels object: {event}"
        sets.append(";".join(f"{k}={v}" for k, v in sorted(event.get("labels", {}).items())))
    return sets


def column_labels(out):
    """The LABELS column of each --labels line, as "k=v;k=v" ("" for "-")."""
    lines = out.splitlines()
    assert lines[0].split() == ["PID", "TID", "COMM", "GOID", "FUNC", "LABELS"], lines[0]
    cells = [line.split()[5] for line in lines[1:] if line.strip() and line != "Detaching..."]
    return ["" if cell == "-" else cell.replace(",", ";") for cell in cells]


@pytest.mark.parametrize("variant", ["go119-stripped", "go126-stripped"])
@pytest.mark.parametrize("args,sets", [(["-j"], json_event_labels), (["--labels"], column_labels)])
def test_gotrace_labels(built, variant, args, sets):
    """gotrace -j: every event of a goroutine with labels carries them, as an object, and the
    others none; --labels: the LABELS column, key=value by key, "-" for none."""
    report, out, err = traced(built, variant, "gotrace", [], args)
    seen = {}
    for labels in sets(out):
        seen[labels] = seen.get(labels, 0) + 1
    expected = {f"req={r};route=/checkout": report[f"req={r}"] for r in (1, 2, 3)}
    expected.update({"route=/browse": report["route=/browse"], "": report["plain"]})
    assert seen == expected, out


@pytest.mark.parametrize("variant,program,why", [
    ("gccgo", "tracee", "gccgo keeps no pprof labels that libgo reads"),
    ("go116", "stacks", "pprof labels are read from Go 1.17 on"),
])
def test_label_unreadable(built, variant, program, why):
    """A binary whose labels cannot be read: --label is an error, said in one line, exit 1."""
    binary = built.path(variant, program)
    run = run_tool("gofunccount", "-d", "1", "--label", "a=b", f"{binary}:main.*")
    assert run.returncode == 1, run
    assert run.stderr.startswith(f"gofunccount: cannot trace by --label in '{binary}': {why}"), run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr


def slower_column_labels(out):
    """gofuncslower --labels: the LABELS column of each slow call of main.query, as "k=v;k=v"
    ("" for "-"); the column comes before FUNC."""
    lines = out.splitlines()
    assert lines[1].split() == ["COMM", "PID", "GOID", "LAT(ms)", "RVAL", "LABELS", "FUNC"], lines[:2]
    cells = [line.split()[5] for line in lines[2:] if line.split()[-1:] == [PATTERN]]
    return ["" if cell == "-" else cell.replace(",", ";") for cell in cells]


def slower_json_labels(out):
    return json_event_labels("\n".join(line for line in out.splitlines() if '"ts_ns"' in line))


@pytest.mark.parametrize("variant,args,labels,sets", [
    ("go119", ["-j"], [], slower_json_labels),
    ("go119-stripped", ["--labels"], ["route=/checkout"], slower_column_labels),
    ("go126", ["--labels"], [], slower_column_labels),
    ("go126-stripped", ["-j"], ["req=2"], slower_json_labels)])
def test_gofuncslower_labels(built, variant, args, labels, sets):
    """gofuncslower -m 0 prints every call: with --labels each in the LABELS column, with -j a
    "labels" object in each event of a goroutine with labels; the calls under each set are the
    program's own, on Go 1.19 (a map) and 1.26 (a slice), plain and stripped; with --label,
    only those of the sets that hold it."""
    report, out, err = traced(built, variant, "gofuncslower", labels, [*args, "-m", "0"])
    seen = {}
    for found in sets(out):
        seen[found] = seen.get(found, 0) + 1
    expected = {f"req={r};route=/checkout": report[f"req={r}"] for r in (1, 2, 3)}
    expected.update({"route=/browse": report["route=/browse"], "": report["plain"]})
    expected = {k: n for k, n in expected.items() if all(label in k.split(";") for label in labels)}
    assert seen == expected, out
    assert "WARNING" not in err, err


def test_prometheus_counts_labels_unread(built):
    """--label with --prometheus: the calls in scope, and gotools_lost_total{what="labels_unread"}
    served from the start, at 0 here (every goroutine's labels were read whole)."""
    from test_prometheus import SERVING, parse_exposition
    with GoProgram(built.path("go126", "labels")) as prog:
        with Tool("gofunccount", "--prometheus", "127.0.0.1:0", "--label", "route=/browse",
                  "-p", str(prog.pid), PATTERN) as t:
            port = next(SERVING.match(line.rstrip("\n")).group(1) for line in t.err.lines
                        if SERVING.match(line.rstrip("\n")))
            prog.go()
            report = prog.result()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                families = parse_exposition(r.read().decode())
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, err
    calls = {labels["function"]: v for _, labels, v in families["gotools_function_calls_total"][1]}
    assert calls == {PATTERN: report["route=/browse"]}
    lost = {labels["what"]: v for _, labels, v in families["gotools_lost_total"][1]}
    assert lost == {"labels_unread": 0}


# --within FUNC: the calls of main.query made while main.handleCheckout is on the stack, by the
# handler itself, its two goroutines and the grandchild one of them starts ("within" in the
# program's account); each tool once, the variants shared out among them, gofunccount on all
def slower_calls(out):
    return sum(json.loads(line)["func"] == PATTERN for line in out.splitlines() if line.startswith("{"))


WITHIN_TOOLS = dict(TOOLS, gofuncslower=(["-j", "-u", "0"], [], slower_calls))
WITHIN_CASES = [("gofunccount", v) for v in VARIANTS] + [
    ("gofunclatency", "go119-stripped"), ("gostack", "go126"), ("goiface", "go119"),
    ("gotrace", "go126-stripped"), ("gofuncslower", "go119")]


def traced_within(built, variant, tool, args):
    return traced(built, variant, tool, [], scope=args, tools=WITHIN_TOOLS)


@pytest.mark.parametrize("tool,variant", WITHIN_CASES)
def test_within_counts(built, tool, variant):
    """Each tool counts exactly the calls made within main.handleCheckout, transitively: not the
    browse handler's, made on the same goroutine once the checkout handler returned, nor the
    plain ones."""
    report, out, err = traced_within(built, variant, tool, ["--within", "main.handleCheckout"])
    assert 0 < report["within"] < report["query"], report
    got = WITHIN_TOOLS[tool][2](out)
    assert got == report["within"], f"{tool}: {got} calls, the program made {report['within']}\n{out}\n{err}"
    assert "WARNING" not in err, err


@pytest.mark.parametrize("args,scopes", [
    (["--within", "main.handle*"], ["within", "route=/browse"]),  # a glob: both handlers
    (["--within", "main.handleCheckout", "--label", "req=2"], ["req=2"]),  # and a label
    (["--within", "main.query"], []),  # the function itself: none of its own calls
])
def test_within_scopes(built, args, scopes):
    """--within's FUNC is a glob, and --label narrows it further; a call of FUNC itself is not
    made within FUNC (its recursive calls would be)."""
    report, out, err = traced_within(built, "go126", "gofunccount", args)
    assert funccount_calls(out) == sum(report[s] for s in scopes), (report, out, err)


@pytest.mark.unprivileged
@pytest.mark.parametrize("args,message", [
    (["--within", ""], "empty --within pattern"),
    (["--within", "main.a", "--within", "main.b"], "--within is given once"),
])
def test_bad_within(args, message):
    """A malformed --within is a usage error: one line, exit status 2."""
    run = run_tool("gofunccount", *args, "main.query")
    assert run.returncode == 2 and run.stderr == f"gofunccount: {message}\n", run


@pytest.mark.parametrize("variant,program,func,why", [
    ("go126", "labels", "main.nosuch", "no function matches 'main.nosuch'"),
    ("gccgo", "tracee", "main.main", "it keeps no goroutine in a register (gccgo, or Go before 1.17)"),
    ("go116", "stacks", "main.main", "it keeps no goroutine in a register (gccgo, or Go before 1.17)"),
])
def test_within_unusable(built, variant, program, func, why):
    """FUNC matching nothing, or a binary whose goroutines cannot be followed: one line, exit 1,
    nothing attached."""
    binary = built.path(variant, program)
    run = run_tool("gofunccount", "-d", "1", "--within", func, f"{binary}:main.*")
    assert run.returncode == 1, run
    assert run.stderr.startswith(f"gofunccount: cannot trace --within in '{binary}': {why}"), run.stderr
    assert len(run.stderr.splitlines()) == 1, run.stderr


@pytest.mark.unprivileged
def test_within_dry_run(built):
    """--dry-run lists --within's probes after the tool's: FUNC's entry and RET, where goroutines
    start (runtime.newproc's and newcoro's entries, newproc1's RET) and end (runtime.goexit1, and
    a coroutine's in runtime.coroswitch_m)."""
    binary = built.path("go126-stripped", "labels")
    run = run_tool("gofunccount", "--dry-run", "-j", "--within", "main.handleCheckout",
                   f"{binary}:main.query")
    assert run.returncode == 0, run
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    headers = [i for i, line in enumerate(lines) if "binary" in line]
    assert len(headers) == 2 and lines[headers[1]]["pattern"] == "--within main.handleCheckout", lines
    probes = sorted((p["kind"], p["func"]) for p in lines[headers[1]:] if "kind" in p)
    assert probes == [("entry", "main.handleCheckout"), ("entry", "runtime.coroswitch_m"),
                      ("entry", "runtime.newcoro"), ("entry", "runtime.newproc"),
                      ("goexit", "runtime.goexit1"), ("ret", "main.handleCheckout"),
                      ("ret", "runtime.newproc1")], probes
