"""gotrace's selectors, type assertions and filters on fields, against what Go's fmt prints.

The traced program (tests/go/typed) passes handle(r *Req, b []byte, p Point) requests with
nested pointers, strings, slices, a map, an array, floats and a struct by value, and reports for
each call what fmt prints of every selector the tests read, or the marker gotrace shows where Go
itself could not read it (a nil pointer, an index past the length, a pointer to unmapped memory).
Binaries with DWARF are read by parameter name (r.URL.Path); stripped ones, and PIE, by type
assertions on argument words (goarg1.(*main.Req).URL.Path), resolved from the runtime's type
descriptors.
"""

import json
import re
import subprocess

import pytest

from conftest import GoProgram, Tool, tool

PROGRAM = "typed"
# what each probe prints: at most 3 strings a probe
PROBES = [
    ("%d %s %v %d", ["r.ID", "r.Method", "r.URL.Path", "len(r.Tags)"]),
    ("%d %s %s %v", ["cap(r.Tags)", "r.Tags[1]", "r.Inner.Name", "r.Score"]),
    ("%v %v %v %d %v %d", ["r.Inner.Level", "r.Inner.Ratio", "r.Ok", "r.Flags[2]", "len(r.Meta)",
                           "r.Next.ID"]),
    ("%d %d %s %s %s", ["p.X", "p.Y", "p.Label", "r.Data", "b"]),
    ("%s %v", ["r.Tenant", "r.Method[0]"]),  # a promoted field; a string's byte
]
# whole values, as %v and %+v print them: one a probe, told apart by the format's own text
VALUES = [("v", "r"), ("+v", "r"), ("v", "p"), ("+v", "p"), ("+v", "r.Inner"), ("v", "r.Tags"),
          ("v", "r.Meta"), ("v", "r.URL"), ("v", "r.Data")]
CUT_AT = 127  # bytes of a string an event holds


def asserted(expr):
    """The expression on a stripped binary: its argument words with their types asserted
    (r is goarg1; b goarg2..4; p, a Point by value, goarg5..8)."""
    if expr == "b":
        return "goarg2.([]byte)"
    if expr in ("r", "p"):
        return {"r": "goarg1.(*main.Req)", "p": "goarg5.(main.Point)"}[expr]
    expr = re.sub(r"\br\.", "goarg1.(*main.Req).", expr)
    return re.sub(r"\bp\.", "goarg5.(main.Point).", expr)


def probe_text(fmt, exprs, by_assertion):
    names = [asserted(e) if by_assertion or e == "b" else e for e in exprs]
    return f'main.handle "{fmt}", ' + ", ".join(names)


def value_probe(verb, expr, by_assertion, func="main.handle"):
    return f'{func} "[{verb} {expr}]%{verb}", {asserted(expr) if by_assertion else expr}'


def values_of(lines):
    """The whole values the events of value_probe printed: {"%+v r": [text of each call]}."""
    got = {}
    for line in lines:
        e = json.loads(line)
        m = re.match(r"\[(\+?v) ([^\]]+)\]", e.get("msg", ""))
        if m:
            got.setdefault(f"%{m[1]} {m[2]}", []).extend(e["args"].values())
    return got


def same_value(got, want):
    """got is what fmt printed (want), or it with parts cut by gotrace's bounds: each "..." of
    got stands for text of want left out, and what got shows around it is want's."""
    if got == want:
        return True
    parts = got.split("...")
    if len(parts) == 1 or not want.startswith(parts[0]) or not want.endswith(parts[-1]):
        return False
    at = len(parts[0])
    for part in parts[1:-1]:
        at = want.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return len(want) - len(parts[-1]) >= at


def loads(line):
    """A JSON event, its numbers as the text gotrace wrote (as fmt would print them)."""
    e = json.loads(line, parse_float=str, parse_int=str)
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in e["args"].items()}


def matches(got, want):
    """got is want, or a string cut to what an event holds, then "..." (%v's mark)."""
    return got == want or (got.endswith("...") and len(got) == CUT_AT + 3 and
                           want.startswith(got[:-3]) and len(want) > CUT_AT)


def trace(binary, probes, *extra):
    with GoProgram(binary) as prog:
        with Tool("gotrace", "-j", "-p", str(prog.pid), *extra, *probes, timeout=120) as t:
            prog.go()
            report = prog.result()
            status, out, err = t.interrupt()
        prog.stop()
    assert status == 0, f"{t.command()}: status {status}\n{err}"
    lost = [json.loads(line) for line in out.splitlines() if line.startswith('{"lost"')]
    lines = [line for line in out.splitlines() if not line.startswith('{"lost"')]
    trace.lines = lines
    return report, [loads(line) for line in lines], lost


@pytest.mark.parametrize("variant,by_assertion", [
    ("go126", False), ("go119", False), ("go126-pie", False), ("go119-pie", False),
    ("go126-stripped", True), ("go119-stripped", True), ("go126-pie", True)])
def test_selectors_print_what_fmt_prints(built, variant, by_assertion):
    """Every selector, in each call, prints what the program's own fmt printed of it; a nil
    pointer, an index past the length and unmapped memory print their markers, never a value;
    a string longer than an event holds is cut and marked."""
    binary = built.path(variant, PROGRAM)
    probes = [probe_text(f, exprs, by_assertion) for f, exprs in PROBES]
    probes += [value_probe(verb, expr, by_assertion) for verb, expr in VALUES]
    report, events, lost = trace(binary, probes)
    assert not lost, lost
    calls = report["calls"]
    values = values_of(trace.lines)
    for verb, expr in VALUES:
        key = f"%{verb} {expr}"
        assert len(values.get(key, [])) == len(calls), (key, values.get(key))
        wrong = [(i, got, call[key]) for i, (got, call) in enumerate(zip(values[key], calls))
                 if not same_value(got, call[key])]
        assert not wrong, f"{key}: (call, gotrace's, fmt's):\n" + "\n".join(map(str, wrong))
    # what the bounds cut is marked: the slice of ten strings, the string of 200 bytes
    assert "[ " + "t" * 64 + "... x y z 1 2 3 ...]" in values["%v r.Tags"]
    for _, exprs in PROBES:
        keys = [asserted(e) if by_assertion or e == "b" else e for e in exprs]
        got = [e for e in events if set(e) == set(keys)]
        assert len(got) == len(calls), f"{len(got)} events of {keys} for {len(calls)} calls"
        wrong = [(i, expr, ev[key], call[expr]) for i, (ev, call) in enumerate(zip(got, calls))
                 for expr, key in zip(exprs, keys) if not matches(ev[key], call[expr])]
        assert not wrong, "(call, selector, gotrace's, fmt's):\n" + "\n".join(map(str, wrong))
    # the cases the program made: each marker seen, and a cut string
    texts = [v for e in events for v in e.values()]
    for marker in ("<nil dereference>", "<index out of range>", "<unreadable>"):
        assert marker in texts, marker
    assert any(t.endswith("...") for t in texts)


@pytest.mark.parametrize("variant,by_assertion", [("go126", False), ("go119-stripped", True)])
def test_filters_on_fields(built, variant, by_assertion):
    """Filters on an integer and a string field are evaluated in the kernel: only the calls
    whose field holds the value are traced; a call whose field cannot be read (a nil URL,
    unmapped memory) matches no filter, == nor !=, and is counted as such."""
    r = "goarg1.(*main.Req)" if by_assertion else "r"
    binary = built.path(variant, PROGRAM)
    report, events, lost = trace(binary, [
        f'main.handle ({r}.ID == 1002) "%d", {r}.ID',
        f'main.handle ({r}.URL.Path == "/checkout") "%d %s", {r}.ID, {r}.Method',
        f'main.handle ({r}.ID != 1002 && {r}.URL.Path != "/checkout") "%d %v", {r}.ID, {r}.Score',
    ])
    calls = report["calls"]
    idk = f"{r}.ID"
    by_id = [e[idk] for e in events if set(e) == {idk}]
    by_path = [e[idk] for e in events if set(e) == {idk, f"{r}.Method"}]
    neither = [e[idk] for e in events if set(e) == {idk, f"{r}.Score"}]
    assert by_id == [c["r.ID"] for c in calls if c["r.ID"] == "1002"] == ["1002"], events
    assert by_path == [c["r.ID"] for c in calls if c["r.URL.Path"] == "/checkout"] == \
        ["1002", "1004"], events
    assert neither == [c["r.ID"] for c in calls if c["r.ID"] not in ("1002", "<unreadable>")
                       and c["r.URL.Path"] not in ("/checkout", "<nil dereference>")], events
    # the filters that could not be read: the unmapped call's three, the nil URL's two
    unread = sum(c["r.ID"] == "<unreadable>" for c in calls) * 3 + \
        sum(c["r.URL.Path"] == "<nil dereference>" for c in calls) * 2
    assert unread == 5 and lost == [{"lost": unread, "what": "events: their filter's selectors "
                                     "could not be read (a nil pointer, unmapped memory): not "
                                     "shown"}], lost


def test_dry_run_shows_the_plan(built):
    """--dry-run shows how each selector is read: its register, the loads at the offsets Go's
    unsafe.Offsetof reports, and the type; nothing is attached."""
    binary = built.path("go126", PROGRAM)
    with GoProgram(binary) as prog:
        prog.go()
        off = prog.result()["offsets"]
        prog.stop()
    out = subprocess.run([tool("gotrace"), "--dry-run",
                          f'{binary}:main.handle "%s %d", r.URL.Path, len(goarg1.(*main.Req).Tags)'],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = [line.strip() for line in out.stdout.splitlines() if line.startswith("  read ")]
    assert lines == [
        f"read r.URL.Path: ax; load 8 bytes at +{off['URL']}; load string/slice header 16 bytes "
        f"at +{off['Path']} -> string (string)",
        f"read len(goarg1.(*main.Req).Tags): ax; load 8 bytes at +{off['Tags'] + 8} -> int (int)",
    ], out.stdout


@pytest.mark.parametrize("probe,message", [
    ('main.handle "%d", goarg1.(*main.Nope).ID',
     "the binary has no type descriptor of *main.Nope: assert a type it uses"),
    ('main.handle "%d", goarg1.(*Req).ID',
     "the binary has no type descriptor of *Req (it has *main.Req)"),
    ('main.handle "%d", r.Nope', "main.Req has no field Nope (its fields: ID, Method, URL,"),
    ('main.handle "%d", r.Inner', "'r.Inner' is a struct main.Inner, which gotrace prints field "
     "by field: select one"),
    ('main.handle "%d", r.Score', "'r.Score' is a float64: print it with %v"),
    ('main.handle "%d", r.Flags[3]', "index 3 is past the array's length"),
    ('main.handle "%d", r.ID[', "bad index at '['"),
    ('main.handle (r.Method == 1) "%d", r.ID', "is compared with a \"literal\""),
    ('main.handle "%d", r.Meta[1]', "'r.Meta[1]': a map is not indexed (a hash lookup, which a "
     "probe does not run)"),
    ('main.handle "%v %v", r.Meta, r.Inner', "'r.Inner': a probe prints one composite value with "
     "%v"),
])
def test_bad_selectors(built, probe, message):
    """A selector that names no field, no type the binary has, or a value gotrace does not read
    is refused in one line that says why, exit status 1."""
    binary = built.path("go126", PROGRAM)
    out = subprocess.run([tool("gotrace"), "--dry-run", f"{binary}:{probe}"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1 and len(out.stderr.splitlines()) == 1 and message in out.stderr, \
        out.stderr


@pytest.mark.parametrize("variant,by_assertion", [("go126", False), ("go119-stripped", True)])
def test_results(built, variant, by_assertion):
    """Return probes read selectors and whole values of results: find(r, p) returns them, and
    gotrace prints of its results what fmt printed of r and p."""
    found, point = ("goret1.(*main.Req)", "goret2.(main.Point)") if by_assertion else \
        ("found", "point")
    report, events, lost = trace(built.path(variant, PROGRAM), [
        f'r:main.find "%d %s", {found}.ID, {found}.URL.Path',
        f'r:main.find "[+v r]%+v", {found}', f'r:main.find "[v p]%v", {point}'])
    calls = report["calls"]
    got = [[e[f"{found}.ID"], e[f"{found}.URL.Path"]] for e in events if len(e) == 2]
    assert len(got) == len(calls) and all(
        g[0] == c["r.ID"] and matches(g[1], c["r.URL.Path"]) for g, c in zip(got, calls)), got
    values = values_of(trace.lines)
    for key in ("%+v r", "%v p"):
        assert len(values[key]) == len(calls) and all(
            same_value(g, c[key]) for g, c in zip(values[key], calls)), values[key]


CADDY = "/usr/bin/caddy"


def test_caddy_requests(tmp_path):
    """Debian's caddy (Go 1.19, stripped): net/http.serverHandler.ServeHTTP's requests, by a
    type assertion on its fourth argument word, have the methods and paths sent, in order; a
    filter on the path, in the kernel, keeps only the requests for it.
    net/http.(*conn).serve itself: at its entry no request exists yet (serve reads them), so
    each serve's requests are those that the readRequest it calls returns on its goroutine, by
    a type assertion on that result (*net/http.response).req: one serve per connection, each
    with the method and path sent on it."""
    import http.client
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = str(tmp_path)
    server = subprocess.Popen([CADDY, "respond", "--listen", f"127.0.0.1:{port}", "--body", "hi"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={"PATH": "/usr/bin:/bin", "HOME": home, "XDG_DATA_HOME": home,
                                   "XDG_CONFIG_HOME": home})
    try:
        end = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < end, "caddy did not start"
                time.sleep(0.05)
        req = "goarg4.(*net/http.Request)"
        resp = "goret1.(*net/http.response).req"
        sent = [("GET", "/"), ("POST", "/checkout"), ("DELETE", "/a/b%20c"), ("PUT", "/checkout"),
                ("PATCH", "/checkout/x")]
        with Tool("gotrace", "-j", "-p", str(server.pid),
                  f'net/http.serverHandler.ServeHTTP "%s %s", {req}.Method, {req}.URL.Path',
                  f'net/http.serverHandler.ServeHTTP ({req}.URL.Path == "/checkout") "%s", '
                  f'{req}.Method', 'net/http.(*conn).serve',
                  f'r:net/http.(*conn).readRequest "%s %s", {resp}.Method, {resp}.URL.Path',
                  timeout=120) as t:
            for method, path in sent:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                c.request(method, path)
                assert c.getresponse().read() == b"hi"
                c.close()
            time.sleep(0.5)
            status, out, err = t.interrupt()
    finally:
        server.kill()
        server.wait()
    assert status == 0, err
    raw = [json.loads(line) for line in out.splitlines()]
    events = [loads(line) for line in out.splitlines()]
    both = [(e[f"{req}.Method"], e[f"{req}.URL.Path"]) for e in events
            if f"{req}.URL.Path" in e]
    want = [(m, p.replace("%20", " ")) for m, p in sent]
    assert both == want, out
    assert [e[f"{req}.Method"] for e in events if list(e) == [f"{req}.Method"]] == \
        ["POST", "PUT"], out
    # each serve (one a connection, on its own goroutine), then the request it read
    serves = [e["goid"] for e in raw if e["func"] == "net/http.(*conn).serve"]
    read = {}  # the request each read first (a read that fails returns no response)
    for e in raw:
        if e["func"] == "net/http.(*conn).readRequest" and "<" not in e["msg"]:
            read.setdefault(e["goid"], (e["args"][f"{resp}.Method"],
                                        e["args"][f"{resp}.URL.Path"]))
    assert len(set(serves)) == len(sent) and [read.get(g) for g in serves] == want, out
