#!/bin/sh
# Seed corpora of the harnesses that read binaries, made at `make fuzz` time (no binary is
# committed) in build/fuzz/seeds/binaries: fuzz/seedprog built by each installed toolchain (gc
# Go 1.26 plain, stripped, PIE and PIE linked by lld; Go 1.19; gccgo; Go 1.26, 1.26 PIE and
# 1.19 for arm64), the smallest program of
# each variant the test suite has built (tests/.build), when it has, and truncations of each.
# build/fuzz/seeds/target is the Go 1.26 build, fuzz_tprobe's and fuzz_selector's fixed target. Run from the top
# directory.
set -eu

out=build/fuzz/seeds/binaries
target=build/fuzz/seeds/target
mkdir -p "$out"
# the test suite's Go build cache when there is one: the standard library is compiled already
cache=$PWD/build/fuzz/gocache
[ -w tests/.build/gocache ] && cache=$(cd tests/.build/gocache && pwd -P)
export GOCACHE="$cache" GOFLAGS= GOTOOLCHAIN=local CGO_ENABLED=0
GO=$(./scripts/toolchains.sh go go126 2>/dev/null || echo go126)
GO119=$(./scripts/toolchains.sh go go119 2>/dev/null || echo go119)

# build NAME GO [FLAGS...]: fuzz/seedprog built as $out/NAME, once
build() {
	name=$1 go=$2
	shift 2
	[ -s "$out/$name" ] && return 0
	[ -x "$go" ] || { echo "seeds: no $go, no $name seed" >&2; return 0; }
	(cd fuzz/seedprog && "$go" build -o "../../$out/$name.tmp" "$@" main.go) &&
		mv "$out/$name.tmp" "$out/$name"
}

build seedprog-go126 "$GO"
build seedprog-go126-stripped "$GO" -ldflags=-s\ -w
build seedprog-go126-pie "$GO" -buildmode=pie
build seedprog-go119 "$GO119"
CGO_ENABLED=1 build seedprog-gccgo "$GO" -compiler=gccgo
# linked by lld: zeros in the file where the loader's relocations write (libgo fills them in)
if command -v ld.lld >/dev/null; then
	CGO_ENABLED=1 build seedprog-go126-lld-pie "$GO" -buildmode=pie \
		"-ldflags=-linkmode=external -extldflags=-fuse-ld=lld"
fi
# generic functions (gc only): dictionaries, shaped functions, instantiations' wrappers
for g in "go126 $GO" "go126-stripped $GO -ldflags=-s -w" "go119 $GO119" "go119-stripped $GO119 -ldflags=-s -w"; do
	set -- $g
	name=generics-$1 go=$2
	shift 2
	[ -s "$out/$name" ] || [ ! -x "$go" ] ||
		{ (cd tests/go/generics && "$go" build -o "../../../$out/$name.tmp" ${1+"$1 $2"} .) &&
			mv "$out/$name.tmp" "$out/$name"; } || echo "seeds: no $name seed" >&2
done
# arm64 (cross-built): the other instruction set's prologues, branches and pclntab quantum
(GOARCH=arm64 && export GOARCH && build seedprog-go126-arm64 "$GO" &&
	build seedprog-go126-arm64-pie "$GO" -buildmode=pie && build seedprog-go119-arm64 "$GO119")
# replaced by a rename, never rewritten in place: a running fuzz_tprobe maps it (SIGBUS)
if [ -s "$out/seedprog-go126" ] && ! cmp -s "$out/seedprog-go126" "$target"; then
	cp "$out/seedprog-go126" "$target.tmp" && mv "$target.tmp" "$target"
fi

# the test suite's builds: the other pclntab generations (1.16, 1.18) and linkers
for v in go116 go117 go117-extld go117-lld-pie go118 go119-stripped go120 go126-stripped go126-pie \
	gccgo; do
	[ -s "$out/tests-$v" ] && continue
	f=$(ls -S tests/.build/"$v"/* 2>/dev/null | grep -v '\.lock$' | tail -n 1 || true)
	[ -n "$f" ] && cp "$f" "$out/tests-$v"
done

# truncations: cut inside the headers, the text, the pclntab, the data
for f in "$out"/*; do
	case $f in *.cut*) continue ;; esac
	size=$(stat -c %s "$f")
	for pct in 3 40 70 95; do
		[ -s "$f.cut$pct" ] || head -c $((size * pct / 100)) "$f" >"$f.cut$pct"
	done
done
