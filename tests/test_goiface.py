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
import subprocess
import tempfile

import pytest

from conftest import ROOT, GoProgram, build_program, BuildError

PROGRAM = "iface"
GC_VARIANTS = ["go126", "go126-stripped", "go126-pie", "go119", "go119-stripped", "go119-pie"]


def iface_binary(built, variant):
    """tests/go/iface built as variant; the -cgo variants build it with cgo on."""
    if variant.endswith("-cgo"):
        try:
            return build_program(variant, PROGRAM)
        except BuildError as e:
            pytest.fail(f"cannot build {PROGRAM} as {variant}: {e}", pytrace=False)
    return built.path(variant, PROGRAM)


@pytest.fixture(scope="session")
def gotypes():
    """tests/helpers/gotypes.c linked against the built libgo (make builds build/libgo.a)."""
    lib = os.path.join(ROOT, "build", "libgo.a")
    if not os.path.exists(lib):
        pytest.fail(f"{lib} does not exist (run make)", pytrace=False)
    out = os.path.join(tempfile.mkdtemp(prefix="gotypes-"), "gotypes")
    subprocess.run(["cc", "-std=gnu11", "-Wall", "-Werror", "-I", os.path.join(ROOT, "libgo"),
                    "-o", out, os.path.join(ROOT, "tests", "helpers", "gotypes.c"), lib,
                    "-lelf", "-ldw", "-lcapstone", "-ldl"], check=True)
    return out


# ---------------------------------------------------------------------------------------------
# libgo: type names from the runtime's type data


@pytest.mark.parametrize("variant", GC_VARIANTS)
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
