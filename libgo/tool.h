/* SPDX-License-Identifier: Apache-2.0 */
/* What every tool does the same way: options, the functions it traces, waiting, output. */
#ifndef LIBGO_TOOL_H
#define LIBGO_TOOL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "libgo.h"

/* warn(): one line to stderr, prefixed with the tool's name. */
#define warn(...) go_warn(__VA_ARGS__)
void go_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct argp;
struct argp_state;
/* The key of the tools' --usage option (-h is --help). */
#define GO_OPT_USAGE 0x1000

/* The options every tool has, for its argp table: -p PID, -h/--help, --usage. */
#define GO_COMMON_OPTIONS                                                                      \
	{ "pid", 'p', "PID", 0, "trace this PID only", 0 },                                    \
	{ "help", 'h', NULL, OPTION_HIDDEN, "show the full help", 0 },                         \
	{ "usage", GO_OPT_USAGE, NULL, OPTION_HIDDEN, "show a short usage message", 0 }

/* Parse GO_COMMON_OPTIONS (into *pid); ARGP_ERR_UNKNOWN for any other key. */
int go_parse_common(int key, char *arg, struct argp_state *state, pid_t *pid);
/* argp_parse() as the tools use it: usage errors exit with status 2, as bcc's do. */
int go_parse_args(const struct argp *argp, int argc, char **argv);

/* A bad option value: libgo_errmsg() as one line, exit status 2 (a usage error, as bcc's). */
void go_option_error(void) __attribute__((noreturn));

/* Parse a whole number in [min, max] for an option; -EINVAL with the message set otherwise. */
int go_parse_long(const char *arg, long min, long max, const char *what, long *out);

/*
 * The functions a tool traces: "[BINARY:]FUNCTIONS" (or with -p, the process's executable),
 * matched as a glob or, with regex, an extended regular expression.
 */
struct go_target {
	struct go_binary *bin;
	char *pattern;		/* the FUNCTIONS part */
	size_t *idx;		/* indices into the binary's function table */
	size_t cnt;
	struct go_call_sites *calls;	/* per function, when entered at call sites */
};

int go_target__open(struct go_target *t, const char *spec, pid_t pid, bool regex);
void go_target__close(struct go_target *t);
const struct go_func *go_target__func(const struct go_target *t, size_t i);
/*
 * Where the i-th function's calls are counted (the probes' cookies say it): i, or for GCC's
 * clone of a gccgo function (go_func.clone) the slot of that function (or of its first clone
 * when it is not in t), so that the tools count, time and print a function and its clones as
 * one.
 */
size_t go_target__slot(const struct go_target *t, size_t i);
/*
 * The file offsets of each function's entry site, in order; malloc'd. Functions whose entry the
 * kernel cannot probe (runtime.abort starts with int3) are dropped from t first, with one
 * warning on stderr; -ENOTSUP when none is left.
 */
int go_target__entry_offsets(struct go_target *t, uint64_t **offsets);
/*
 * Entry probes, for a tool whose BPF program takes the stack pointer at the callee's entry from
 * its cookie: as go_target__entry_offsets, but with call_sites, a function whose entry the
 * kernel would single-step is probed at its callers' CALL and JMP instructions instead when
 * nothing else enters it (go_binary__call_sites). Each cookie is the function's slot, with in
 * its bits from GO_COOKIE_SP_SHIFT up how far below SP at the probe the callee's SP is.
 */
#define GO_COOKIE_SP_SHIFT 32
/* Append a probe (a file offset, or a negative errno to pass on) and its cookie to the arrays. */
int go_probes__add(uint64_t **offsets, uint64_t **cookies, size_t *cnt, int64_t off,
		   uint64_t cookie);
int go_target__entry_probes(struct go_target *t, bool call_sites, uint64_t **offsets,
			    uint64_t **cookies, size_t *cnt);
/*
 * The file offsets of every RET of every function, with the function's slot as cookie. The
 * cookie of a RET of a gccgo function's body holds, from GO_COOKIE_SPLIT_SHIFT up, the distance
 * (signed, 32 bits) from it to the function's split-stack RET (go_binary__split_ret): the BPF
 * programs skip the RET where RBP+8 holds that address (go_ret_into_morestack). Functions whose
 * code does not decode all through are dropped from t first (with a warning): call it before
 * taking entry probes.
 */
#define GO_COOKIE_SPLIT_SHIFT 32
int go_target__ret_offsets(struct go_target *t, uint64_t **offsets, uint64_t **cookies,
			   size_t *cnt);
/* Each entry probe's function slot (go_target__slot), in order. */
int go_target__index_cookies(const struct go_target *t, uint64_t **cookies);
/*
 * How many per-function slots a BPF program should have: the count rounded up to a power of
 * two, so that runs with similar patterns compile to the same program (and share its cache).
 */
size_t go_target__slots(const struct go_target *t);
/* Print each matched function with address, entry site and ABI (the -v listing). */
void go_target__list(struct go_target *t, FILE *out);

/* A descriptor that becomes readable when pid exits (pidfd), or -1 with the message set. */
int go_pid_watch(pid_t pid);

/*
 * Wait until the next summary is due, as bcc's funccount and funclatency do: every interval
 * seconds, or once at the end of duration, or at Ctrl-C/SIGTERM (*exiting), or when the watched
 * process exits. True when that summary is the last.
 */
bool go_wait_interval(int pidfd, long interval, long duration, long *elapsed,
		      volatile sig_atomic_t *exiting);

/* bcc's banner: Tracing N functions for "PATTERN"... Hit Ctrl-C to end. */
void go_print_banner(FILE *out, size_t n, const char *what, const char *pattern);
/* A JSON string literal, escaped. */
void go_json_str(FILE *out, const char *s);
/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns(). */
uint64_t go_monotonic_ns(void);
/* HH:MM:SS as bcc's -T prints it. */
const char *go_strftime_now(char *buf, size_t size);

/* bcc's log2 histogram: slot i > 0 counts values in [2^(i-1), 2^i - 1]. */
void go_print_log2_hist(FILE *out, const uint64_t *vals, int nvals, const char *val_type);

#endif
