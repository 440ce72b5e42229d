"""Tests of --prometheus (gofunccount, gofunclatency, goiface, gofuncslower), as a fleet uses it.

Three "hosts", each a tests/go/fleet program traced by its four tools, each tool serving its
figures on a port of its own; a real Prometheus (Debian's, started here on 127.0.0.1 with a 1 s
scrape interval, its own configuration and storage) scrapes the twelve, each host's targets
labelled node="hostN". PromQL's totals across the hosts must equal what the programs report of
themselves; histogram_quantile must work over the buckets; a direct scrape must be valid text
exposition format. One Prometheus and one fleet serve the module: the fixture runs the
workload, asks its questions and stops everything, and the tests check the answers.
"""

import concurrent.futures
import contextlib
import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import GoProgram, Tool, parse_funccount_tables, run_tool

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
# calls of main.work per host: host1's takes over a second (200 calls sleep 5 ms), so that its
# gofunccount -i 1 prints more than one table while the counter keeps growing
HOSTS = {"host1": 1500, "host2": 300, "host3": 500}
TOOLS = ("gofunccount", "gofunclatency", "goiface", "gofuncslower")
SERVING = re.compile(r"^Serving Prometheus metrics on http://127\.0\.0\.1:(\d+)/metrics$")
SLOW_S = 0.005  # what tests/go/fleet's slow calls sleep
SLOWER_MS = "4"  # gofuncslower's threshold: the slow calls, not the fast ones


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url, method="GET", timeout=5):
    """(status, headers, body) of a request; an HTTP error's too."""
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


class Prometheus:
    """Debian's prometheus on 127.0.0.1, scraping targets ({node: [host:port...]}) every second."""

    def __init__(self, directory, targets):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = os.path.join(directory, "prometheus.yml")
        with open(config, "w") as f:  # JSON is YAML
            json.dump({"global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                       "scrape_configs": [{"job_name": "gotools", "static_configs": [
                           {"targets": t, "labels": {"node": node}} for node, t in targets.items()]}]}, f)
        self.log = open(os.path.join(directory, "prometheus.log"), "w+")
        if not os.access(PROMETHEUS, os.X_OK):
            pytest.fail(f"no {PROMETHEUS}: run sudo scripts/setup.sh --tests", pytrace=False)
        self.proc = subprocess.Popen([PROMETHEUS, f"--config.file={config}",
                                      f"--storage.tsdb.path={os.path.join(directory, 'data')}",
                                      f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.wait_for(lambda: self._ready(), "to be ready")

    def _ready(self):
        try:
            return http(self.url + "/-/ready", timeout=1)[0] == 200
        except OSError:
            return False

    def wait_for(self, cond, what, timeout=30):
        deadline = time.monotonic() + timeout
        while not cond():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                pytest.fail(f"prometheus did not come {what} within {timeout} s:\n{self.log.read()}",
                            pytrace=False)
            time.sleep(0.2)

    def query(self, promql):
        """An instant query's vector, as [(labels, value)]."""
        status, _, body = http(self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": promql}))
        answer = json.loads(body)
        assert status == 200 and answer["status"] == "success", f"{promql}: {body}"
        return [(r["metric"], float(r["value"][1])) for r in answer["data"]["result"]]

    def scalar(self, promql):
        vector = self.query(promql)
        assert len(vector) == 1, f"{promql}: {vector}"
        return vector[0][1]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def tool_port(t):
    for line in t.err.lines:
        m = SERVING.match(line.rstrip("\n"))
        if m:
            return int(m.group(1))
    pytest.fail(f"{t.command()} said no 'Serving Prometheus metrics on ...': {t.err.lines}", pytrace=False)


def host_tools(host, pid):
    """host's four tools on free ports: host1's gofunccount prints every second (-i 1), host3's
    goiface has room for one type only (GOTOOLS_MAX_TYPES=1), so that it loses calls;
    gofuncslower prints its slow calls with -j too, its own account of what it serves."""
    tools = {}
    for name in TOOLS:
        args, env = ["--prometheus", "127.0.0.1:0", "-p", str(pid)], None
        if name == "gofunccount":
            args += ["-i", "1"] if host == "host1" else []
            args.append("main.*")
        elif name == "gofunclatency":
            args.append("main.work")
        elif name == "gofuncslower":
            args += ["-j", "-m", SLOWER_MS, "main.work"]
        else:
            args.append("main.describe")
            env = {"GOTOOLS_MAX_TYPES": "1"} if host == "host3" else None
        tools[name] = Tool(name, *args, env=env)
    return tools


def start_tools(stack, pids):
    """Every host's tools, started at once (gofuncslower's program takes the verifier seconds)."""
    tools = {host: host_tools(host, pid) for host, pid in pids.items()}
    every = [t for ts in tools.values() for t in ts.values()]
    with concurrent.futures.ThreadPoolExecutor(len(every)) as pool:
        list(pool.map(stack.enter_context, every))
    return tools


QUERIES = {
    "up": 'up{job="gotools"}',
    "calls": 'sum by (function) (gotools_function_calls_total{function=~"main.work|main.describe"})',
    "calls_by_node": 'sum by (node) (gotools_function_calls_total{function="main.work"})',
    "count": 'sum(gotools_function_duration_seconds_count{function="main.work"})',
    "sum": 'sum(gotools_function_duration_seconds_sum{function="main.work"})',
    "inf": 'sum(gotools_function_duration_seconds_bucket{function="main.work",le="+Inf"})',
    "p50": 'histogram_quantile(0.5, sum by (le) (gotools_function_duration_seconds_bucket))',
    "p90": 'histogram_quantile(0.9, sum by (le) (gotools_function_duration_seconds_bucket))',
    "types": 'sum by (type) (gotools_interface_values_total{node=~"host1|host2"})',
    "host3_values": 'sum(gotools_interface_values_total{node="host3"})',
    "lost": "gotools_lost_total",
    "slow_calls": 'sum(gotools_slow_calls_total{function="main.work"})',
    "series": '{job="gotools"}',
}


@pytest.fixture(scope="module")
def fleet(built, tmp_path_factory):
    """Run the fleet's workload under Prometheus; return what was asked and answered."""
    binary = built.path("go126", "fleet")
    tmp = str(tmp_path_factory.mktemp("prometheus"))
    result = {"reports": {}, "pids": {}, "scrapes": {}, "answers": {}, "http": {}}
    with contextlib.ExitStack() as stack:
        progs, tools = {}, {}
        for host, n in HOSTS.items():
            progs[host] = stack.enter_context(GoProgram(binary, str(n)))
            result["pids"][host] = progs[host].pid
        tools = start_tools(stack, result["pids"])
        ports = {host: {name: tool_port(t) for name, t in ts.items()} for host, ts in tools.items()}
        prom = Prometheus(tmp, {h: [f"127.0.0.1:{p}" for p in ps.values()] for h, ps in ports.items()})
        stack.callback(prom.stop)
        targets = len(HOSTS) * len(TOOLS)
        prom.wait_for(lambda: len([v for _, v in prom.query(QUERIES["up"]) if v == 1]) == targets,
                      "to scrape every tool")

        for prog in progs.values():
            prog.go()
        for host, prog in progs.items():
            result["reports"][host] = prog.result()
        # a scrape of every target that began after every program had done its work
        done = time.time()
        prom.wait_for(lambda: min(v for _, v in prom.query('timestamp(up{job="gotools"})')) > done + 0.05,
                      "to scrape every tool after the workload")
        result["answers"] = {name: prom.query(q) for name, q in QUERIES.items()}
        result["ports"] = ports
        for host, ps in ports.items():
            for name, port in ps.items():
                result["scrapes"][host, name] = http(f"http://127.0.0.1:{port}/metrics")
        port = ports["host2"]["gofunccount"]
        for what, (method, path) in {"root": ("GET", "/"), "other": ("GET", "/%3Cscript%3E?x=%22"),
                                     "post": ("POST", "/metrics"), "head": ("HEAD", "/metrics")}.items():
            result["http"][what] = http(f"http://127.0.0.1:{port}{path}", method=method)
        held = socket.socket()
        held.bind(("127.0.0.1", 0))
        held.listen()
        stack.callback(held.close)
        result["busy"] = (held.getsockname()[1],
                          run_tool("gofunccount", "--prometheus", str(held.getsockname()[1]),
                                   "-p", str(progs["host2"].pid), "main.work"))
        result["interval"] = tools["host1"]["gofunccount"].interrupt()
        result["slower"] = {host: ts["gofuncslower"].interrupt() for host, ts in tools.items()}
        for prog in progs.values():
            prog.stop()
    return result


def total(fleet, key, hosts=HOSTS):
    return sum(fleet["reports"][h][key] for h in hosts)


def answer(fleet, name, **match):
    values = [v for labels, v in fleet["answers"][name] if all(labels.get(k) == x for k, x in match.items())]
    assert len(values) == 1, f"{QUERIES[name]} {match}: {fleet['answers'][name]}"
    return values[0]


# ---------------------------------------------------------------------------------------------
# What PromQL says across the hosts, against the programs' own account


def test_calls_total_across_hosts(fleet):
    """sum(gotools_function_calls_total) over the three gofunccounts is the calls the three
    programs made, and each node's is its program's."""
    assert answer(fleet, "calls", function="main.work") == total(fleet, "work")
    describes = sum(sum(r["types"].values()) for r in fleet["reports"].values())
    assert answer(fleet, "calls", function="main.describe") == describes
    for host in HOSTS:
        assert answer(fleet, "calls_by_node", node=host) == fleet["reports"][host]["work"], host


def test_counter_grows_while_intervals_print(fleet):
    """With -i 1 the tool prints each second's calls, as before; its counter is the total all
    along (host1's printed several tables, the counter was not reset by them)."""
    status, out, err = fleet["interval"]
    assert status == 0, err
    tables = [t["main.work"] for t in parse_funccount_tables(out) if "main.work" in t]
    assert len(tables) >= 2, out
    assert sum(tables) == fleet["reports"]["host1"]["work"], out
    assert answer(fleet, "calls_by_node", node="host1") == fleet["reports"]["host1"]["work"]


def test_duration_histogram_across_hosts(fleet):
    """gotools_function_duration_seconds counts every call of main.work, +Inf as _count; its sum
    is at least the slow calls' sleeps and at most the time the programs measured around
    their calls; histogram_quantile puts the median among the fast calls and the 90th
    percentile among the 5 ms ones (one call in five)."""
    calls = total(fleet, "work")
    assert answer(fleet, "count") == calls
    assert answer(fleet, "inf") == calls
    assert total(fleet, "slow") * SLOW_S <= answer(fleet, "sum") <= total(fleet, "work_ns") / 1e9
    p50, p90 = answer(fleet, "p50"), answer(fleet, "p90")
    assert p50 < 0.001, p50
    assert 0.004 <= p90 <= 0.05, p90


def test_interface_types_across_hosts(fleet):
    """sum by (type) of gotools_interface_values_total is the programs' own count of each
    %T, the struct type whose name holds quotes and backslashes included: its label value,
    escaped in the exposition, is Go's own name again in PromQL."""
    expected = {}
    for host in ("host1", "host2"):
        for t, n in fleet["reports"][host]["types"].items():
            expected[t] = expected.get(t, 0) + n
    got = {labels["type"]: v for labels, v in fleet["answers"]["types"]}
    assert got == expected
    assert any('\\"' in t for t in got), got


def test_lost_counted_when_the_table_fills(fleet):
    """host3's goiface has room for one type: the calls it could not count are
    gotools_lost_total{what="types_full"}, and with those it counted they are every call."""
    describes = sum(fleet["reports"]["host3"]["types"].values())
    lost = answer(fleet, "lost", node="host3", tool="goiface", what="types_full")
    assert lost > 0
    assert answer(fleet, "host3_values") + lost == describes


def test_lost_counters_present(fleet):
    """Each tool serves the losses it can count, from the start, at 0 when none: gofunclatency's
    four kinds, gofuncslower's (the same, its ring buffer's events and coroutine switches) and
    goiface's full table,
    on every node; gofunccount loses nothing."""
    kinds = {}
    for labels, v in fleet["answers"]["lost"]:
        kinds.setdefault(labels["tool"], set()).add(labels["what"])
        if labels["tool"] != "goiface" or labels["node"] != "host3":
            assert v == 0, labels
    calls = {"unreturned", "no_room", "starts_dropped", "goroutines_dropped"}
    assert kinds == {"gofunclatency": calls, "gofuncslower": calls | {"events", "coro_unseen"},
                     "goiface": {"types_full"}}
    assert len([1 for labels, _ in fleet["answers"]["lost"] if labels["tool"] == "gofunclatency"]) == 4 * len(HOSTS)


def test_labels_identify_the_target(fleet):
    """Every series says which tool, binary, process and host it is from: the same names across
    the hosts add up, and no two targets' series are the same series."""
    series = [labels for labels, _ in fleet["answers"]["series"] if labels["__name__"].startswith("gotools_")]
    assert series
    for labels in series:
        assert labels["tool"] in TOOLS, labels
        assert labels["host"] == socket.gethostname(), labels
        assert labels["pid"] == str(fleet["pids"][labels["node"]]), labels
        assert os.path.basename(labels["binary"]).startswith("fleet-"), labels
    up = fleet["answers"]["up"]
    assert len(up) == len(HOSTS) * len(TOOLS) and all(v == 1 for _, v in up), up


def slower_events(fleet, host):
    """The slow calls host's gofuncslower printed (-j)."""
    status, out, err = fleet["slower"][host]
    assert status == 0, err
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"ts_ns"')]


def test_slow_calls_across_hosts(fleet):
    """gotools_slow_calls_total across the hosts is the slow calls the gofuncslowers printed:
    on each host the program's own (its 5 ms sleeps), and a fast call only where the kernel
    kept its thread off CPU for the threshold (as test_gofuncslower_core allows)."""
    printed = 0
    for host in HOSTS:
        events = slower_events(fleet, host)
        assert {e["func"] for e in events} <= {"main.work"}, events
        fast = [e for e in events if "sleep" not in e["wait_ns"]]
        assert all(e["lat_ns"] - e["runnable_ns"] < 4e6 for e in fast), fast
        assert len(events) - len(fast) == fleet["reports"][host]["slow"], host
        printed += len(events)
    assert answer(fleet, "slow_calls") == printed


def test_slow_time_by_part(fleet):
    """gotools_slow_call_seconds_total, as each gofuncslower serves it: by part and wait reason
    the sums of the parts it printed of its calls (-j); together their latency, which lies
    between the program's clocks (5 ms a sleep, its own time around the calls: the fast calls'
    microseconds too) and within 20% (or 5 ms) of the latter; the sleeps' waits at least 80%
    of their 5 ms (the rest, on a loaded machine, runnable), as test_gofuncslower_core allows."""
    for host in HOSTS:
        body = fleet["scrapes"][host, "gofuncslower"][2]
        samples = parse_exposition(body)["gotools_slow_call_seconds_total"][1]
        got = {(labels["part"], labels.get("reason")): v for _, labels, v in samples}
        events, want = slower_events(fleet, host), {}
        for e in events:
            for part in ("oncpu", "runnable", "syscall"):
                want[part, None] = want.get((part, None), 0) + e[part + "_ns"]
            for reason, ns in e["wait_ns"].items():
                want["wait", reason] = want.get(("wait", reason), 0) + ns
        assert got == pytest.approx({k: ns / 1e9 for k, ns in want.items()}, abs=1e-9), host
        assert sum(got.values()) == pytest.approx(sum(e["lat_ns"] for e in events) / 1e9, abs=1e-9)
        report = fleet["reports"][host]
        total, sleeps, clock = sum(got.values()), report["slow"] * SLOW_S, report["work_ns"] / 1e9
        assert sleeps <= total <= clock and clock - total <= max(0.2 * clock, 0.005), (got, report)
        assert got["wait", "sleep"] >= 0.8 * sleeps, (got, report)


# ---------------------------------------------------------------------------------------------
# The exposition as written, and the server


NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(rf"^({NAME})\{{({LABEL}(?:,{LABEL})*)?\}} (\S+)$")
UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def parse_exposition(text):
    """The text format 0.0.4, strictly: # HELP and # TYPE before a family's samples, names and
    labels as the format allows, label values' escapes, values as floats, no series twice.
    Returns {family: (type, [(name, labels, value)])}."""
    families, seen, current = {}, set(), None
    assert text.endswith("\n"), text[-200:]
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, help_text = line[7:].split(" ", 1)
            assert re.fullmatch(NAME, name) and help_text and "\\" not in help_text, line
            assert name not in families, f"{name} twice"
            current = name
            continue
        if line.startswith("# TYPE "):
            name, kind = line[7:].split(" ")
            assert name == current and kind in ("counter", "histogram", "gauge"), line
            families[name] = (kind, [])
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        name, value = m.group(1), m.group(m.lastindex)
        labels = dict((k, re.sub(r"\\[\\\"n]", lambda e: UNESCAPE[e.group(0)], v))
                      for k, v in re.findall(LABEL, m.group(2) or ""))
        assert len(labels) == len(re.findall(LABEL, m.group(2) or "")), f"a label twice: {line}"
        kind, samples = families[current]
        suffixes = ("_bucket", "_sum", "_count") if kind == "histogram" else ("",)
        assert any(name == current + s for s in suffixes), f"{name} in family {current}"
        key = (name, tuple(sorted(labels.items())))
        assert key not in seen, f"series twice: {line}"
        seen.add(key)
        samples.append((name, labels, float(value)))
    return families


def check_histograms(family, samples):
    """Each series' buckets grow with le, +Inf is _count."""
    series = {}
    for name, labels, v in samples:
        rest = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
        s = series.setdefault(rest, {"buckets": []})
        if name.endswith("_bucket"):
            s["buckets"].append((float(labels["le"]), v))
        else:
            s[name[len(family):]] = v
    for rest, s in series.items():
        les = [le for le, _ in s["buckets"]]
        assert les == sorted(les) and les[-1] == math.inf, rest
        counts = [c for _, c in s["buckets"]]
        assert counts == sorted(counts), rest
        assert counts[-1] == s["_count"] and s["_sum"] >= 0, rest


def test_scrape_is_valid_exposition(fleet):
    """Each tool's own answer parses as the text format, strictly, with its families and types,
    and says what Prometheus stored: the type named with quotes and backslashes reads back as
    Go's %T of it."""
    for (host, name), (status, headers, body) in fleet["scrapes"].items():
        assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4"), headers
        families = parse_exposition(body)
        expected = {"gofunccount": {"gotools_function_calls_total": "counter"},
                    "gofunclatency": {"gotools_function_duration_seconds": "histogram"},
                    "goiface": {"gotools_interface_values_total": "counter"},
                    "gofuncslower": {"gotools_slow_calls_total": "counter",
                                     "gotools_slow_call_seconds_total": "counter"}}[name]
        expected["gotools_lost_total"] = "counter"
        assert {f: k for f, (k, _) in families.items()} == expected, (host, name)
        for family, (kind, samples) in families.items():
            for _, labels, v in samples:
                assert labels["tool"] == name and labels["pid"] == str(fleet["pids"][host])
                assert v >= 0
            if kind == "histogram":
                check_histograms(family, samples)
        if name == "goiface" and host != "host3":
            types = {labels["type"]: v for _, labels, v in families["gotools_interface_values_total"][1]}
            assert types == fleet["reports"][host]["types"]


def test_server_serves_metrics_only(fleet):
    """GET and HEAD of /metrics; / says where they are; any other path is 404 with a fixed text
    that echoes nothing of the request; other methods are 405."""
    status, _, body = fleet["http"]["root"]
    assert status == 200 and "/metrics" in body
    status, _, body = fleet["http"]["other"]
    assert status == 404 and "script" not in body and '"' not in body, body
    status, headers, _ = fleet["http"]["post"]
    assert status == 405 and headers.get("Allow") == "GET, HEAD"
    status, headers, body = fleet["http"]["head"]
    assert status == 200 and body == "" and headers["Content-Type"].startswith("text/plain")


def test_busy_port_is_one_line(fleet):
    """A port another process holds: one line that says which, exit 1, nothing left attached."""
    port, run = fleet["busy"]
    assert run.returncode == 1, run.stderr
    assert run.stderr == f"gofunccount: cannot serve on {port}: Address already in use\n", run.stderr


@pytest.mark.unprivileged
@pytest.mark.parametrize("value", ["", "x", "65536", "-1", "1.2.3.4.5:80", ":80", "::1:80",
                                   "[::1]", "example.com:80", "127.0.0.1:80x"])
@pytest.mark.parametrize("name", TOOLS)
def test_bad_address_is_a_usage_error(name, value):
    """A value --prometheus cannot listen on is a usage error: one line, exit status 2."""
    run = run_tool(name, "--prometheus", value, "main.f")
    assert run.returncode == 2, run
    assert run.stderr.count("\n") == 1 and run.stderr.startswith(f"{name}: invalid "), run.stderr
