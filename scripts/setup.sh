#!/bin/sh
# Install what building, demonstrating and testing the toolkit needs on Debian 12, and make
# libbcc's run-time compile work on a kernel that has no matching headers. Idempotent: run it
# again and it changes nothing. Must run as root.
set -eu

log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (apt-get and /lib/modules need it)"

pkgs="build-essential pkg-config libbpfcc-dev bpfcc-tools libelf-dev libdw-dev
      libcapstone-dev zlib1g-dev nettle-dev golang-1.19-go gccgo python3 python3-pytest mandoc procps
      debhelper fakeroot lintian man-db bash-completion clang-14 libclang-rt-14-dev lld
      caddy wrk hugo"

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

# Go 1.26 (gc) is the machine's Go at /usr/local/go; Debian's golang-1.19-go adds the older
# generation of pclntab and ABI. Neither replaces the other.
if ! command -v go >/dev/null 2>&1 && [ ! -x /usr/local/go/bin/go ]; then
	die "no Go toolchain: install Go 1.26 at /usr/local/go (https://go.dev/dl/)"
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
