#!/bin/sh
# Run the test suite: real BPF in the real kernel against Go programs the run builds (as root;
# without root, only the tests that need no BPF). `scripts/test.sh tests/test_x.py -k y` runs
# only those; the Go toolchains are the ones scripts/setup.sh --tests provided.
set -eu
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || echo "test: not root: only the tests that need no BPF run, the others are skipped" >&2
# Debian's pytest lives with Debian's python3, which may not be the first python3 on PATH.
# Arguments go to pytest: tests named there run alone, else all of tests/ (pytest.ini).
exec /usr/bin/python3 -m pytest -v -p no:cacheprovider "$@"
