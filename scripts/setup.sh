#!/bin/sh
# Install what building the tools and running the demo need on Debian 12 (scripts/setup.sh), or
# also what the tests and `make bench` need (scripts/setup.sh --tests), and make libbcc's run-time
# compile work on a kernel that has no matching headers. Everything comes from Debian's packages
# and, for the Go toolchains, from the Go module proxy (scripts/toolchains.sh). Idempotent: run
# it again and it changes nothing. Must run as root.
set -eu
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

tests=0
case ${1-} in
"") ;;
--tests) tests=1 ;;
*) die "usage: setup.sh [--tests]" ;;
esac
[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get and /lib/modules need it)"

# building the tools (libmicrohttpd serves --prometheus), the demo (Debian's Go 1.19 fetches
# Go 1.26 when the machine has none; ca-certificates for the module proxy's TLS), and `pgrep`
# for the README
pkgs="build-essential pkg-config libbpfcc-dev libelf-dev libdw-dev libcapstone-dev zlib1g-dev
      nettle-dev libmicrohttpd-dev golang-1.19-go ca-certificates procps"
# the tests (gccgo; the package, man page, fuzzing and lld tests; Debian's hugo), `make bench`
# (bcc's tools, Debian's caddy and wrk), `make check-bare` (mmdebstrap), strace (the
# witness that --dry-run makes no bpf() call), Prometheus (scrapes --prometheus) and binutils'
# aarch64 objdump (the independent reading of arm64 code)
[ $tests -eq 0 ] || pkgs="$pkgs gccgo python3 python3-pytest mandoc debhelper fakeroot lintian
      man-db bash-completion clang-14 libclang-rt-14-dev lld bpfcc-tools caddy wrk hugo mmdebstrap
      strace prometheus binutils-aarch64-linux-gnu"

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	log "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The Go toolchains (scripts/toolchains.sh says which and where): Go 1.26 builds the demo and
# most test programs (the machine's /usr/local/go when that is Go 1.26); the tests also build
# with Go 1.16 to 1.25, fetched once into tests/.build/gopath (~850 MB to download, ~4 GB
# unpacked).
if [ $tests -eq 1 ]; then
	./scripts/toolchains.sh fetch tests
else
	./scripts/toolchains.sh fetch go126
fi
log "Go toolchains: $(./scripts/toolchains.sh list | awk '$3 == "ok" { printf "%s%s", sep, $2; sep = " " }')"

# An arm64 Go program from Debian's archive, which the tests plan probes for (tests/test_arm64.py):
# caddy's arm64 package of the version this machine's archive has, from the same mirror,
# unpacked into tests/.build/debian-arm64.
if [ $tests -eq 1 ] && [ ! -x tests/.build/debian-arm64/usr/bin/caddy ]; then
	uri=$(apt-get download --print-uris caddy 2>/dev/null | sed -n "s/^'\([^']*\)_amd64\.deb'.*/\1_arm64.deb/p")
	[ -n "$uri" ] || die "cannot tell where Debian's caddy package is"
	log "fetching ${uri##*/}"
	tmp=$(mktemp -d)
	python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
		"$uri" "$tmp/caddy.deb" || { rm -rf "$tmp"; die "cannot fetch $uri"; }
	mkdir -p tests/.build/debian-arm64
	dpkg-deb -x "$tmp/caddy.deb" tests/.build/debian-arm64
	rm -rf "$tmp"
fi

# libbcc compiles BPF C at run time against the kernel's headers. Where the running kernel has
# none (no /lib/modules/$(uname -r)/build and no /sys/kernel/kheaders.tar.xz), link Debian's
# newest amd64 headers in their place. Uprobe programs touch only struct pt_regs and user memory,
# whose layout does not change between kernels; the tools never read kernel structs.
kver=$(uname -r)
moddir=/lib/modules/$kver
if [ -e "$moddir/build/include/linux/kconfig.h" ] || [ -e "$moddir/source/include/linux/kconfig.h" ] ||
   [ -e /sys/kernel/kheaders.tar.xz ]; then
	log "kernel headers for $kver are present"
else
	hdr=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | grep -v -e -rt- -e -cloud- | sort -V | tail -n 1 || true)
	if [ -z "$hdr" ]; then
		log "installing Debian's kernel headers (none match $kver)"
		export DEBIAN_FRONTEND=noninteractive
		apt-get install -y -qq --no-install-recommends linux-headers-amd64 >/dev/null
		hdr=$(ls -d /usr/src/linux-headers-*-amd64 | grep -v -e -rt- -e -cloud- | sort -V | tail -n 1)
	fi
	# as Debian links its own: build is the arch part, source the common part
	common=${hdr%-amd64}-common
	[ -d "$common" ] || common=$hdr
	mkdir -p "$moddir"
	ln -sfn "$hdr" "$moddir/build"
	ln -sfn "$common" "$moddir/source"
	log "linked $hdr as the headers of $kver"
fi

# bcc's tools and the kernel's tracing files want tracefs; it is not always mounted at boot.
if [ -d /sys/kernel/tracing ] && [ ! -e /sys/kernel/tracing/uprobe_events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
fi

log "done"
