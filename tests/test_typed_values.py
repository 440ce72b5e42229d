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
]
CUT_AT = 127  # bytes of a string an event holds


def asserted(expr):
    """The expression on a stripped binary: its argument words with their types asserted
    (r is goarg1; b goarg2..4; p, a Point by value, goarg5..8)."""
    if expr == "b":
        return "goarg2.([]byte)"
    expr = re.sub(r"\br\.", "goarg1.(*main.Req).", expr)
    return re.sub(r"\bp\.", "goarg5.(main.Point).", expr)


def probe_text(fmt, exprs, by_assertion):
    names = [asserted(e) if by_assertion or e == "b" else e for e in exprs]
    return f'main.handle "{fmt}", ' + ", ".join(names)


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
    return report, [loads(line) for line in out.splitlines() if not line.startswith('{"lost"')], lost


@pytest.mark.parametrize("variant,by_assertion", [
    ("go126", False), ("go119", False), ("go126-pie", False), ("go119-pie", False),
    ("go126-stripped", True), ("go119-stripped", True), ("go126-pie", True)])
def test_selectors_print_what_fmt_prints(built, variant, by_assertion):
    """Every selector, in each call, prints what the program's own fmt printed of it; a nil
    pointer, an index past the length and unmapped memory print their markers, never a value;
    a string longer than an event holds is cut and marked."""
    binary = built.path(variant, PROGRAM)
    probes = [probe_text(f, exprs, by_assertion) for f, exprs in PROBES]
    report, events, lost = trace(binary, probes)
    assert not lost, lost
    calls = report["calls"]
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
    # what %v would print otherwise than fmt: the contents of a map, a []byte, a pointer's target
    ('main.handle "%v", r.Meta', "'r.Meta' is a map[string]int: %v of a map is not read"),
    ('main.handle "%v", r.Data', "'r.Data' is a []uint8: print it with %s, or its len()"),
    ('main.handle "%v", r.URL', "'r.URL' is a *main.URL: %v would print what it points to"),
])
def test_bad_selectors(built, probe, message):
    """A selector that names no field, no type the binary has, or a value gotrace does not read
    is refused in one line that says why, exit status 1."""
    binary = built.path("go126", PROGRAM)
    out = subprocess.run([tool("gotrace"), "--dry-run", f"{binary}:{probe}"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1 and len(out.stderr.splitlines()) == 1 and message in out.stderr, \
        out.stderr


CADDY = "/usr/bin/caddy"


def test_caddy_requests(tmp_path):
    """Debian's caddy (Go 1.19, stripped): net/http.serverHandler.ServeHTTP's requests, by a
    type assertion on its fourth argument word, have the methods and paths sent, in order; a
    filter on the path, in the kernel, keeps only the requests for it."""
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
        sent = [("GET", "/"), ("POST", "/checkout"), ("DELETE", "/a/b%20c"), ("PUT", "/checkout"),
                ("PATCH", "/checkout/x")]
        with Tool("gotrace", "-j", "-p", str(server.pid),
                  f'net/http.serverHandler.ServeHTTP "%s %s", {req}.Method, {req}.URL.Path',
                  f'net/http.serverHandler.ServeHTTP ({req}.URL.Path == "/checkout") "%s", '
                  f'{req}.Method', timeout=120) as t:
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
    events = [loads(line) for line in out.splitlines()]
    both = [(e[f"{req}.Method"], e[f"{req}.URL.Path"]) for e in events if len(e) == 2]
    assert both == [(m, p.replace("%20", " ")) for m, p in sent], out
    assert [e[f"{req}.Method"] for e in events if len(e) == 1] == ["POST", "PUT"], out
