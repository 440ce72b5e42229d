"""Every BPF program in every configuration its tools build it in, compiled and loaded.

A tool's BPF program is C compiled by libbcc when the tool starts, with settings that depend on
the options and the traced binary: the register ABI or not (g in R14, arguments in registers or
on the stack), a goroutine id offset or none (gccgo), user stacks, one perf-event uprobe per
address or uprobe_multi links (GOTOOLS_NO_MULTI), filters and string arguments. A syntax error or
a verifier refusal in any of them must fail here, not on a user's machine. Each case runs the
tool itself, so the settings come from the one place that makes them: the tool compiles (the
cache is off), loads, attaches to the binary on disk, prints that it is tracing, and stops at
Ctrl-C with status 0.
"""

import pytest

from conftest import Tool

# (variant of tests/go/tracee, what it stands for)
BINARIES = [
    ("go126", "register ABI, goid at a known offset"),
    ("go116", "ABI0: arguments on the stack, g in thread-local storage"),
    ("gccgo", "System V ABI, no goroutine ids"),
]

MODES = {"multi": {}, "perf-event": {"GOTOOLS_NO_MULTI": "1"}}

TWELVE = ", ".join(f"goarg{i}" for i in range(1, 13))
TRACE_PROBES = [
    'main.add (goarg1 == 42 && -goarg2 < 3) "%d %x", goarg1, goarg2',
    'r:main.add "= %d", goret1',
    'main.greet "%s", name',
    'main.narrow (a < 0 && b == 7 && c) "%d %u %d", a, b, c',
    'main.many "' + " ".join(["%d"] * 12) + '", ' + TWELVE,
    "main.grow",
]

CASES = []
for variant, _ in BINARIES:
    for mode in MODES:
        CASES += [
            ("gofunccount", variant, mode, ["main.add"]),
            ("gofunccount", variant, mode, ["main.*"]),
            ("gofunclatency", variant, mode, ["main.add"]),
            ("gofunclatency", variant, mode, ["-m", "-r", r"^main\.(add|grow|many)$"]),
            ("gotrace", variant, mode, TRACE_PROBES),
            ("gotrace", variant, mode, ["-U", TRACE_PROBES[0], TRACE_PROBES[1]]),
        ]


def case_id(case):
    name, variant, mode, args = case
    return f"{name}-{variant}-{mode}-{'-'.join(a for a in args if a.startswith('-')) or 'plain'}" \
        + ("-all" if args == ["main.*"] else "")


def on_binary(binary, probe):
    """A pattern or probe with its binary named: BINARY:main.add, r:BINARY:main.add ..."""
    kind, probe = (probe[:2], probe[2:]) if probe.startswith(("p:", "r:")) else ("", probe)
    return f"{kind}{binary}:{probe}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_program_loads(built, tmp_path, case):
    name, variant, mode, args = case
    binary = built.path(variant, "tracee")
    argv = [a if a.startswith("-") else on_binary(binary, a) for a in args]
    env = dict(MODES[mode], GOTOOLS_NO_CACHE="1", GOTOOLS_CACHE_DIR=str(tmp_path))
    with Tool(name, *argv, env=env, timeout=120) as t:
        status, out, err = t.interrupt()
    assert status == 0, f"{t.command()}: exit status {status}\nstderr:\n{err}\nstdout:\n{out}"
