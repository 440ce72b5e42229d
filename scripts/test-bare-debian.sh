#!/bin/bash
# The README's two commands on a bare Debian 12, as a new user runs them (`make check-bare`; CI
# runs it): a fresh root file system (mmdebstrap --variant=minbase with sudo, git and make, so no
# Go) in build/bare/rootfs, on this machine's kernel (a chroot in a mount namespace of its own
# with /proc, /sys (tracefs, bpffs, cgroups) and /dev bound in: BPF and uprobes are the real
# kernel's). A user there clones this checkout's HEAD (or GOTOOLS_BARE_REV) and runs
# `sudo make demo` (in full, checked to show every tool) and `sudo make check`: the part of the
# suite below, or what GOTOOLS_BARE_TESTS names (pytest arguments, passed as PYTEST_ADDOPTS,
# which sudo keeps there).
#
# Reused from this machine where that is honest: Debian's .debs of earlier runs (in
# /var/cache/gotools-bare; apt checks each against the archive's signed index before it installs
# it) and Go's module cache (tests/.build/gopath, bound in: the Go toolchains, each checked
# against Go's checksum database when it was fetched; Go 1.26 is fetched into it there when this
# machine's own is /usr/local/go). Nothing else is shared: not the Go build cache, not the tools'
# BPF cache. As root; build/bare is removed afterwards unless GOTOOLS_BARE_KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."

bare_start=${bare_start-$(date +%s)}
export bare_start
log() { printf 'bare: [%s] %s\n' "$(date -u -d @$(($(date +%s) - bare_start)) +%H:%M:%S)" "$*"; }
die() { printf 'bare: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap, chroot and BPF need it)"
work=$PWD/build/bare
rootfs=$work/rootfs
debs=/var/cache/gotools-bare
user=debian
clone=/home/$user/gotools
# The part of the suite that runs there (pytest arguments; GOTOOLS_BARE_TESTS=all: all of it),
# with the slowest tests listed at the end. Unless told, all but these files, which have not
# been run there yet (the README says so): the call-path, hugo, lost-event, packaging,
# privilege, probe-layer, probe-plan, security and value tests.
tests=${GOTOOLS_BARE_TESTS-"--ignore=tests/test_callpaths.py --ignore=tests/test_hugo_stacks.py
--ignore=tests/test_lost.py --ignore=tests/test_package.py --ignore=tests/test_privileges.py
--ignore=tests/test_probe_layer.py --ignore=tests/test_probe_plan.py
--ignore=tests/test_security.py --ignore=tests/test_values.py"}
[ "$tests" != all ] || tests=
tests="$tests --durations=20"
tools=$(sed -n 's/^TOOLS := //p' Makefile)

# run COMMAND: as the user, in a login shell, in the clone
run() {
	log "$user\$ $1"
	chroot "$rootfs" su - "$user" -c "cd gotools && $1" </dev/null
}

# Inside a mount namespace of its own (all its mounts go with it, however this script ends):
# bind in the kernel's file systems and the module cache, then the README's two commands.
if [ "${1-}" = --inside ]; then
	# the root file system bound onto itself: its / is a mount there, as a machine's is, so
	# that a mount namespace made inside (unshare -m, the tests do) can change its propagation
	mount --bind "$rootfs" "$rootfs"
	mount -t proc proc "$rootfs/proc"
	mount --rbind /sys "$rootfs/sys"
	mount --rbind /dev "$rootfs/dev"
	mount --bind "$2" "$rootfs$clone/tests/.build/gopath"
	run "sudo make demo" 2>&1 | tee "$work/demo.log"
	for t in $tools; do
		grep -q "^# \./tools/$t " "$work/demo.log" || die "the demo does not show $t"
	done
	run "export PYTEST_ADDOPTS='$tests'; sudo make check" 2>&1 | tee "$work/check.log"
	exit 0
fi

command -v mmdebstrap >/dev/null || die "no mmdebstrap: run sudo scripts/setup.sh --tests"
# What an earlier run mounted went with its mount namespace; never remove what is mounted.
if [ -e "$rootfs" ]; then
	! grep -q " $rootfs[/ ]" /proc/self/mountinfo || die "something is mounted under $rootfs"
	rm -rf "$rootfs"
fi
mkdir -p "$work" "$debs"

log "a fresh Debian 12 (minbase, sudo, git, make) in $rootfs"
# shellcheck disable=SC2016
mmdebstrap --quiet --variant=minbase --include=sudo,git,make \
	--skip=essential/unlink --skip=cleanup/apt/cache \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
	--setup-hook='for f in '"$debs"'/*.deb; do [ -e "$f" ] && { cp -l "$f" "$1/var/cache/apt/archives/" 2>/dev/null || cp "$f" "$1/var/cache/apt/archives/"; }; done; true' \
	bookworm "$rootfs" \
	"deb http://deb.debian.org/debian bookworm main" \
	"deb http://deb.debian.org/debian bookworm-updates main" \
	"deb http://deb.debian.org/debian-security bookworm-security main"
[ ! -e "$rootfs/usr/local/go" ] && ! chroot "$rootfs" sh -c 'command -v go' >/dev/null ||
	die "the fresh root file system has a Go"

# a user with sudo, as on a server (no terminal: no password), and their clone of this
# checkout's HEAD (or GOTOOLS_BARE_REV)
chroot "$rootfs" useradd --create-home --shell /bin/bash "$user"
printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\nDefaults env_keep += "PYTEST_ADDOPTS"\n' "$user" \
	>"$rootfs/etc/sudoers.d/$user"
chmod 0440 "$rootfs/etc/sudoers.d/$user"
# this machine's network as a server here would have it: its resolver and its site's own CA
# certificates (a TLS-intercepting proxy's), which Debian's ca-certificates adds to its own when
# the set-up installs it
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
	mkdir -p "$rootfs/usr/local/share/ca-certificates"
	cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
fi
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$(cat "$rootfs/etc/hostname" 2>/dev/null || hostname)" \
	>"$rootfs/etc/hosts"
rev=$(git rev-parse --verify "${GOTOOLS_BARE_REV-HEAD}^{commit}")
git clone -q --no-local --no-checkout . "$rootfs$clone"
git -C "$rootfs$clone" checkout -q -B main "$rev"
chown -R "$(chroot "$rootfs" id -u "$user"):$(chroot "$rootfs" id -g "$user")" "$rootfs$clone"
# Go's module cache, shared with this checkout's: the toolchains (~3.5 GB) are not fetched and
# unpacked again
mkdir -p tests/.build/gopath "$rootfs$clone/tests/.build/gopath"
gopath=$(cd tests/.build/gopath && pwd -P)

status=0
unshare --mount --propagation private "$PWD/scripts/test-bare-debian.sh" --inside "$gopath" || status=$?

# keep the .debs this run used, for the next
rm -f "$debs"/*.deb
for f in "$rootfs"/var/cache/apt/archives/*.deb; do
	[ -e "$f" ] && { cp -l "$f" "$debs/" 2>/dev/null || cp "$f" "$debs/"; }
done
log "$(du -sh "$rootfs" | cut -f1) in the root file system," \
	"$(du -sh "$debs" | cut -f1) of .debs kept; $(( ($(date +%s) - bare_start) / 60 )) minutes"
if [ "${GOTOOLS_BARE_KEEP-0}" != 1 ]; then
	rm -rf "$rootfs"
fi
[ $status -eq 0 ] || die "failed (logs: $work/demo.log, $work/check.log)"
log "ok: sudo make demo and sudo make check on a bare Debian 12"
