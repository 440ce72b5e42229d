#!/bin/sh
# `make fuzz`: run each named harness for FUZZ_SECONDS (default 60) over its corpus in
# build/fuzz/corpus/<harness> (kept between runs), seeded from fuzz/seeds/<parser>/ (text
# parsers, bare code), tests/fuzz-regressions/ and Go binaries (fuzz/seeds.sh). A harness that
# finds something leaves the input in build/fuzz/crashes/<harness>/; once fixed, a small input
# that shows it goes to tests/fuzz-regressions/<harness>/, which tests/test_fuzz_regressions.py
# replays. Prints executions per second and corpus size per harness; exits 1 when any harness
# found something. Run from the top directory.
set -eu

secs=${FUZZ_SECONDS:-60}
./fuzz/seeds.sh
export GOTOOLS_FUZZ_TARGET="$PWD/build/fuzz/seeds/target"
# what the fuzzers find in crafted binaries stays out of root's cache (fuzz_cache reads files)
export GOTOOLS_NO_CACHE=1
# the harnesses report leaks too; a parser that cannot parse must also not leak
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
failed=""
for h in "$@"; do
	corpus=build/fuzz/corpus/$h
	crashes=build/fuzz/crashes/$h
	mkdir -p "$corpus" "$crashes"
	# seeds: the committed ones and what was found before; for the binary readers also the Go
	# binaries, a crafted Go 1.2 pclntab and the tiny crafted ELF files of the regressions
	case $h in
	fuzz_pattern | fuzz_tprobe | fuzz_govalue | fuzz_escape | fuzz_cache | fuzz_selector)
		seeds="fuzz/seeds/${h#fuzz_}"
		opts="-max_len=4096" ;;
	*)
		seeds="build/fuzz/seeds/binaries fuzz/seeds/gobin tests/fuzz-regressions/fuzz_gobin"
		[ -d "fuzz/seeds/${h#fuzz_}" ] && [ "$h" != fuzz_gobin ] &&
			seeds="$seeds fuzz/seeds/${h#fuzz_}"
		opts="-max_len=4194304 -rss_limit_mb=4096" ;;
	esac
	[ -d "tests/fuzz-regressions/$h" ] && [ "$h" != fuzz_gobin ] &&
		seeds="$seeds tests/fuzz-regressions/$h"
	printf 'fuzz: %s for %ss\n' "$h" "$secs"
	# shellcheck disable=SC2086
	if ! "build/fuzz/$h" $opts -max_total_time="$secs" -timeout=60 -print_final_stats=1 \
		-artifact_prefix="$crashes/" "$corpus" $seeds >"build/fuzz/$h.log" 2>&1; then
		failed="$failed $h"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' "build/fuzz/$h.log" |
			sed 's/^/  /' || true
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$h.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "build/fuzz/$h.log")
	printf '  %s executions, %s/s; corpus %s inputs, %s\n' "${execs:-?}" "${rate:-?}" \
		"$(ls "$corpus" | wc -l)" "$(du -sh "$corpus" | cut -f1)"
done
if [ -n "$failed" ]; then
	printf 'fuzz: found something:%s (inputs in build/fuzz/crashes/, logs in build/fuzz/*.log)\n' \
		"$failed" >&2
	exit 1
fi
