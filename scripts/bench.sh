#!/bin/sh
# This project's tools against bcc's, side by side, in one run (`make bench`; root only).
#
# Builds the traced Go program (scripts/benchprog -> build/bench/benchprog, and with Debian's
# Go 1.19 build/bench/benchprog119), then runs scripts/bench.py: per-call overhead, time until
# probes are live, attach and detach of many probes, and memory, for gofunccount vs
# funccount-bpfcc, and for gotrace vs trace-bpfcc, gofunclatency vs funclatency-bpfcc and
# gofuncslower vs funcslower-bpfcc (also on a channel ping-pong) when
# those tools exist; per-call overhead again on Go 1.19's build; Debian's caddy's requests per
# second under each tool. Arguments go to bench.py (--quick: fewer calls and runs). Takes about
# eight minutes.
set -eu
cd "$(dirname "$0")/.."

[ "$(id -u)" -eq 0 ] || { echo "bench: must run as root (BPF needs it)" >&2; exit 1; }
[ -x tools/gofunccount ] || { echo "bench: tools/gofunccount is missing; run make first" >&2; exit 1; }

# Go 1.26, as scripts/setup.sh provided it; -buildvcs=false: git refuses root the status of a
# clone another user owns, and Go stamps it
go=$(./scripts/toolchains.sh go go126)
export GOTOOLCHAIN=local GOFLAGS="-mod=mod -buildvcs=false" GOPROXY=off GOCACHE="$PWD/tests/.build/gocache"
mkdir -p build/bench
(cd scripts/benchprog && "$go" build -o ../../build/bench/benchprog .)
# the same built by Go 1.19, whose prologue has no PUSH after the stack check
if go119=$(./scripts/toolchains.sh go go119 2>/dev/null); then
	(cd scripts/benchprog && "$go119" build -o ../../build/bench/benchprog119 .)
fi
# a large stripped program, for start-up: much of the standard library linked in
(cd scripts/bigprog && "$go" build -ldflags=-s -o ../../build/bench/bigprog .)

# bench.py stops every process it starts when it ends, fails or gets SIGINT/SIGTERM/SIGHUP (and
# they die with it, by PR_SET_PDEATHSIG, should it be killed outright). A background job of a
# non-interactive shell ignores SIGINT, so the shell forwards Ctrl-C to it as SIGTERM.
/usr/bin/python3 scripts/bench.py "$@" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || :' INT TERM HUP
status=0
wait $pid || status=$?
# wait returns early when a trapped signal arrives: wait again for bench.py's clean-up.
while kill -0 $pid 2>/dev/null; do wait $pid || status=$?; done
exit $status
