#!/bin/sh
# make check-arm64: the tools on an arm64 kernel, under QEMU. scripts/arm64-vm.sh makes an arm64
# Debian 12 system of Debian's packages; the tools and their test helpers are cross-compiled
# for it here (gcc-aarch64-linux-gnu, against that system's libraries), the test programs
# cross-built with each Go release (GOARCH=arm64), and tests/test_arm64_run.py runs in the
# guest against them: exact counts, arguments and results, goroutine ids, latency, stacks,
# interface types, as the programs report them. Slow: the guest's CPU is emulated.
# Usage: scripts/check-arm64.sh [PYTEST ARGS...]; run as root, after scripts/setup.sh --tests.
set -eu
cd "$(dirname "$0")/.."
root_dir=$(pwd)

log() { printf 'check-arm64: %s\n' "$*"; }
die() { printf 'check-arm64: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (the guest's image and its tests need it)"
start=$(date +%s)

# The cross compiler (the guest's own libraries are its root file system's).
if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
	log "installing gcc-aarch64-linux-gnu"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		gcc-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null
fi
./scripts/arm64-vm.sh image
# the image's root file system, which arm64-vm.sh keeps as a directory too
sysroot=${GOTOOLS_ARM64_DIR:-/var/tmp/gotools-arm64}/root
[ -d "$sysroot/usr/include/bcc" ] || die "$sysroot is not the arm64 image's root file system"

# A copy of the sources (the tracked files and the new ones), built for arm64: the guest runs
# the tools and helpers from it, the host's own build stays as it is.
tree=$root_dir/build/arm64/tree
mkdir -p "$tree"
git ls-files -co --exclude-standard | tar -cf - -T - | tar -xf - -C "$tree"
log "building the tools for arm64"
make -C "$tree" -j2 --no-print-directory CC=aarch64-linux-gnu-gcc AR=aarch64-linux-gnu-ar \
	CFLAGS="-O2 -g --sysroot=$sysroot" \
	CPPFLAGS="-I$sysroot/usr/include -I$sysroot/usr/include/aarch64-linux-gnu" \
	LDFLAGS="--sysroot=$sysroot -L$sysroot/usr/lib/aarch64-linux-gnu -Wl,-rpath-link,$sysroot/usr/lib/aarch64-linux-gnu" \
	$(ls "$tree"/tools/*.c | sed 's|.*/tools/\(.*\)\.c|tools/\1|') \
	tests/helpers/gofuncs tests/helpers/gotypes tests/helpers/golines build/normal/bpf-prebuild
file "$tree/tools/gofunccount" | grep -q 'ARM aarch64' || die "tools/gofunccount is not an arm64 build"

# The test programs, built here for arm64 (the guest has no Go); the guest's tests find them
# through GOTOOLS_PREBUILT.
log "building the test programs for arm64"
/usr/bin/python3 tests/prebuild.py "$tree" tests/test_arm64_run.py

log "running tests/test_arm64_run.py in the guest (slow: an emulated CPU)"
set +e
./scripts/arm64-vm.sh run "$tree" -- sh -c '
	./build/normal/bpf-prebuild "$PWD/build/bpf" >/tmp/bpf-prebuild.log 2>&1; tail -n 1 /tmp/bpf-prebuild.log;
	GOTOOLS_TEST_SLOW=4 GOTOOLS_PREBUILT=$PWD/tests/.build/prebuilt.json python3 -m pytest -p no:cacheprovider -q "$@" tests/test_arm64_run.py' \
	sh "$@"
status=$?
set -e
log "status $status after $(( $(date +%s) - start )) s in all"
exit $status
