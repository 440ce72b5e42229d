#!/bin/sh
# The Go toolchains this project builds with, and where each one is: the one place that says so.
# scripts/setup.sh provides them; scripts/demo.sh, scripts/bench.sh, fuzz/seeds.sh and the tests
# (tests/conftest.py) use them.
#
#   scripts/toolchains.sh list           NAME RELEASE STATE GO lines: STATE is ok or missing,
#                                        GO the go command (where it would be, when missing)
#   scripts/toolchains.sh go NAME        the go command of NAME, or one line saying how to get it
#   scripts/toolchains.sh fetch NAME...  fetch what is missing (fetch tests: every toolchain the
#                                        tests use; needs Debian's golang-1.19-go and the network)
#
# gc releases come from the Go module proxy, as the module golang.org/toolchain that Go's own
# toolchain switching (GOTOOLCHAIN=go1.N.M) downloads, fetched with Debian's Go 1.19 (which
# predates switching: `go mod download`, then the execute bits that switching sets on first use).
# They go to Go's module cache under tests/.build/gopath, each unpacked to ~250-450 MB. Go 1.26 is
# the machine's /usr/local/go instead when that is Go 1.26 (any patch release).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
modcache=$root/tests/.build/gopath/pkg/mod

# NAME  RELEASE    FROM: "fetch" (golang.org/toolchain), or a Debian package's go command
# go126 builds the demo, the benchmarks and most tests; go119 (Debian 12's own) the older
# pclntab and ABI, and it fetches the others; go116-go125 are built by the tests only (the
# releases between, whose pclntab, ABI and runtime.g layouts differ).
table='
go126 go1.26.8  fetch
go119 go1.19    /usr/lib/go-1.19/bin/go
go116 go1.16.15 fetch
go117 go1.17.13 fetch
go118 go1.18.10 fetch
go120 go1.20.14 fetch
go121 go1.21.13 fetch
go122 go1.22.12 fetch
go123 go1.23.12 fetch
go124 go1.24.13 fetch
go125 go1.25.9  fetch
'
names=$(printf '%s\n' "$table" | awk 'NF { print $1 }')
debian_go=/usr/lib/go-1.19/bin/go

die() { printf 'toolchains: %s\n' "$*" >&2; exit 1; }

field() { # field NAME COLUMN
	printf '%s\n' "$table" | awk -v n="$1" -v c="$2" '$1 == n { print $c }'
}

module_dir() { # the module cache's copy of a release
	echo "$modcache/golang.org/toolchain@v0.0.1-$1.linux-amd64"
}

is_release() { # is_release GO RELEASE-PREFIX: GO runs and is that release
	# GOENV=off: a GOFLAGS in root's go env file (-buildvcs=false, from `go env -w`) is an
	# unknown flag to Go 1.16 and 1.17, which then refuse to run at all
	v=$(GOENV=off GOFLAGS= GOTOOLCHAIN=local GOROOT= "$1" version 2>/dev/null) || return 1
	case $v in "go version $2 "* | "go version $2."*) return 0 ;; esac
	return 1
}

# where NAME's go command is (or would be, once fetched)
where() {
	release=$(field "$1" 2)
	from=$(field "$1" 3)
	[ -n "$release" ] || die "no toolchain $1 (these are: $(echo $names))"
	if [ "$from" != fetch ]; then
		echo "$from"
	elif [ "$1" = go126 ] && is_release /usr/local/go/bin/go "${release%.*}"; then
		echo /usr/local/go/bin/go
	else
		echo "$(module_dir "$release")/bin/go"
	fi
}

present() { [ -x "$1" ]; }

fetch_one() {
	name=$1
	go=$(where "$name")
	present "$go" && return 0
	release=$(field "$name" 2)
	[ "$(field "$name" 3)" = fetch ] || die "$go is missing: install Debian's golang-1.19-go"
	[ -x "$debian_go" ] || die "fetching $release needs Debian's Go 1.19: apt-get install golang-1.19-go"
	printf 'toolchains: fetching %s from the Go module proxy (golang.org/toolchain, ~100 MB)\n' "$release"
	# outside any module; GOFLAGS and GOTOOLCHAIN from the environment do not apply to Go 1.19
	(cd / && env GOMODCACHE="$modcache" GOFLAGS= GOTOOLCHAIN=local GOROOT= \
		GOCACHE="$root/tests/.build/gocache" \
		"$debian_go" mod download "golang.org/toolchain@v0.0.1-$release.linux-amd64") ||
		die "cannot fetch $release (golang.org/toolchain) through the Go module proxy"
	# As Go's toolchain switching does on first use: a module's files are unpacked read-only
	# and not executable, so mark the commands; the module zip holds each nested go.mod as
	# _go.mod (a go.mod would cut it out of the module), so put them back. bin/go last: once it
	# runs, the toolchain is whole.
	dir=$(module_dir "$release")
	for f in "$dir"/pkg/tool/*/* "$dir"/lib/*/go_?*_?*_exec "$dir"/bin/*; do
		[ -f "$f" ] && [ "$f" != "$go" ] && chmod a+x "$f"
	done
	find "$dir/src" -name _go.mod | while read -r f; do
		d=${f%/*}
		[ -e "$d/go.mod" ] && continue
		chmod u+w "$d" && cp "$f" "$d/go.mod" && chmod u-w "$d"
	done
	chmod a+x "$go"
	is_release "$go" "$release" || die "$go does not run as $release"
}

case ${1-} in
list)
	for n in $names; do
		go=$(where "$n")
		state=missing
		present "$go" && state=ok
		echo "$n $(field "$n" 2) $state $go"
	done
	;;
go)
	[ $# -eq 2 ] || die "usage: toolchains.sh go NAME"
	go=$(where "$2")
	present "$go" || die "Go $(field "$2" 2) ($2) is not installed: run sudo scripts/setup.sh$(
		[ "$2" = go126 ] || [ "$2" = go119 ] || echo ' --tests')"
	echo "$go"
	;;
fetch)
	shift
	[ "${1-}" != tests ] || set -- $names
	for n in "$@"; do fetch_one "$n"; done
	;;
*)
	die "usage: toolchains.sh list | go NAME | fetch NAME... | fetch tests"
	;;
esac
