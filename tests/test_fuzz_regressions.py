"""What the fuzzers found stays fixed: each input under tests/fuzz-regressions/<harness>/ (a
crash, a hang or a sanitizer report once; see fuzz/run.sh) is run again by its libFuzzer harness
(fuzz/<harness>.c, built by `make fuzz-build` with ASan and UBSan), which must finish each in
well under a second and report nothing.
"""

import glob
import os
import shutil
import subprocess

import pytest

from conftest import ROOT, SANITIZER_MARKS

REGRESSIONS = os.path.join(ROOT, "tests", "fuzz-regressions")
INPUTS = sorted(path for path in glob.glob(os.path.join(REGRESSIONS, "fuzz_*", "*"))
                if os.path.isfile(path))
# an input that once took seconds (same-name-functions: 6.7 s) must now take milliseconds
TIMEOUT = 2

pytestmark = pytest.mark.unprivileged


# the Go binary fuzz_govalue, fuzz_tprobe and fuzz_selector read (fuzz/seeds.sh builds it)
TARGET = os.path.join(ROOT, "build", "fuzz", "seeds", "target")


@pytest.fixture(scope="module")
def harnesses():
    """Build the harnesses (clang-14 with libFuzzer, as scripts/setup.sh installs), and the
    target some of them read, which `make fuzz` builds (a run before it has none)."""
    if not shutil.which("clang-14"):
        pytest.skip("clang-14 is not installed (scripts/setup.sh installs it)")
    build = subprocess.run(["make", "--no-print-directory", "-s", "fuzz-build"], cwd=ROOT,
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert build.returncode == 0, f"make fuzz-build failed:\n{build.stdout}{build.stderr}"
    if not os.path.exists(TARGET):
        seeds = subprocess.run(["./fuzz/seeds.sh"], cwd=ROOT, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
        assert seeds.returncode == 0 and os.path.exists(TARGET), \
            f"fuzz/seeds.sh made no target:\n{seeds.stdout}{seeds.stderr}"
    return os.path.join(ROOT, "build", "fuzz")


def test_every_harness_has_its_inputs():
    """The replay below covers the harnesses that found something; none is misnamed."""
    assert INPUTS, "no regression inputs"
    for path in INPUTS:
        harness = os.path.basename(os.path.dirname(path))
        assert os.path.exists(os.path.join(ROOT, "fuzz", harness + ".c")), path


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: os.path.relpath(p, REGRESSIONS))
def test_fuzz_regression(harnesses, path):
    harness = os.path.basename(os.path.dirname(path))
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1", UBSAN_OPTIONS="print_stacktrace=1",
               GOTOOLS_FUZZ_TARGET=TARGET,
               GOTOOLS_NO_CACHE="1")
    run = subprocess.run([os.path.join(harnesses, harness), f"-timeout={TIMEOUT}",
                          "-rss_limit_mb=2048", path], capture_output=True, text=True, env=env,
                         stdin=subprocess.DEVNULL, timeout=120)
    report = [line for line in run.stderr.splitlines()
              if any(mark in line for mark in SANITIZER_MARKS + ("ERROR: libFuzzer",))]
    assert run.returncode == 0 and not report, \
        f"{harness} on {os.path.basename(path)}: status {run.returncode}\n{run.stderr[-4000:]}"
    assert "Executed " in run.stderr, run.stderr[-2000:]
