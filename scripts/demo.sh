#!/bin/sh
# Build the bundled demo Go service, start it, and show each tool at work on it.
set -eu
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "demo: must run as root (BPF needs it)" >&2; exit 1; }
export PATH="/usr/local/go/bin:$PATH" GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
mkdir -p build
(cd demo && go build -o ../build/demo .)

./build/demo >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT INT TERM
sleep 0.5

run() {
	printf '\n# %s\n' "$*"
	"$@"
}

run ./tools/gofunccount -d 2 -p "$pid" 'main.*'
run ./tools/gofunccount -d 2 -p "$pid" 'main.(*Store).*'
for t in gotrace gofunclatency gostack; do
	[ -x "tools/$t" ] || continue
	case $t in
	gotrace) run ./tools/gotrace -M 5 -p "$pid" 'main.hash "%s", key' ;;
	gofunclatency) run ./tools/gofunclatency -m -d 2 -p "$pid" 'main.work' ;;
	gostack) run ./tools/gostack -l -D 2 -p "$pid" 'main.hash' ;;
	esac
done
