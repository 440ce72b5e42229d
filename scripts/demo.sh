#!/bin/sh
# Build the bundled demo Go service (demo/), start it, and show each tool at work on it: one
# `show` line per tool below. Each command is printed first, after bcc's root prompt `# `, as it
# can be pasted into a root shell.
set -eu
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "demo: must run as root (BPF needs it)" >&2; exit 1; }
go=$(./scripts/toolchains.sh go go126)
cache=$PWD/tests/.build/gocache
mkdir -p build
# -buildvcs=false: git refuses root the status of a clone another user owns, and Go stamps it
(cd demo && GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" GOPROXY=off GOCACHE="$cache" \
	"$go" build -o ../build/demo .)

./build/demo >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT INT TERM
sleep 0.5

# quote WORD: WORD as a shell reads it back (in single quotes unless it is plain)
quote() {
	case $1 in
	'' | *[!A-Za-z0-9_./:=,+@%-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}

# show TOOL ARGS...: print `./tools/TOOL -p PID ARGS` quoted, then run it
show() {
	tool=./tools/$1
	shift
	printf '\n#'
	for word in "$tool" -p "$pid" "$@"; do printf ' %s' "$(quote "$word")"; done
	printf '\n'
	"$tool" -p "$pid" "$@"
}

show gofunccount -d 2 'main.*'
show gofunccount -d 2 'main.(*Store).*'
show gotrace -M 5 'main.hash "%s", key'
show gofunclatency -m -d 2 main.work
show gostack -l -D 2 main.hash
show goiface -d 2 'fmt.(*pp).printArg' arg
show gofuncslower -s -m 5 -d 2 'main.(*Store).save'
