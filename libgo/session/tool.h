/* SPDX-License-Identifier: Apache-2.0 */
/* What every tool does the same way: options, waiting, output (banners, histograms, JSON, pprof). */
#ifndef LIBGO_TOOL_H
#define LIBGO_TOOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "plan/plan.h"


struct argp;
struct argp_state;
/* The keys of the tools' --usage option (-h is --help) and --dry-run. */
#define GO_OPT_USAGE 0x1000
#define GO_OPT_DRY_RUN 0x1001

/* The options every tool has, for its argp table: -h/--help, -p PID, --dry-run, --usage. */
#define GO_COMMON_OPTIONS                                                                      \
	{ "help", 'h', NULL, 0, "show this help message and exit", 0 },                        \
	{ "pid", 'p', "PID", 0, "trace this PID only", 0 },                                    \
	{ "dry-run", GO_OPT_DRY_RUN, NULL, 0, "print the probes it would attach, and exit "    \
	  "without attaching any (no privileges needed)", 0 },                                 \
	{ "usage", GO_OPT_USAGE, NULL, OPTION_HIDDEN, "show a short usage message", 0 }

/*
 * Parse GO_COMMON_OPTIONS (into *pid: the process, when -p names one of its threads; --dry-run
 * into go_dry_run()); ARGP_ERR_UNKNOWN for any other key.
 */
int go_parse_common(int key, char *arg, struct argp_state *state, pid_t *pid);
/*
 * argp_parse() as the tools use it: usage errors exit with status 2, as bcc's do; then 1, with
 * one line said, when the process lacks the privileges to trace (go_bpf__check_privileges),
 * unless --dry-run, which needs none.
 */
int go_parse_args(const struct argp *argp, int argc, char **argv);
/*
 * Whether --dry-run was given: the tool plans its probes, prints them (go_plan__print) and
 * exits 0, compiling, loading and attaching nothing.
 */
bool go_dry_run(void);

/* A bad option value: libgo_errmsg() as one line, exit status 2 (a usage error, as bcc's). */
void go_option_error(void) __attribute__((noreturn));

/* Parse a whole number in [min, max] for an option; -EINVAL with the message set otherwise. */
int go_parse_long(const char *arg, long min, long max, const char *what, long *out);

/* The process of thread tid (its tgid, from /proc); negative errno with the message set. */
int go_tid_tgid(pid_t tid, pid_t *tgid);

/* Ctrl-C and SIGTERM set *exiting, which the tool's loop checks (as libbpf-tools' do). */
void go_catch_signals(volatile sig_atomic_t *exiting);
/* Where a tool's messages other than its results go: stderr when stdout is JSON (-j). */
FILE *go_info_out(bool json);
/* The BPF program's text as the compiler gets it, for -D/--debug. */
struct go_bpf_spec;
int go_bpf_spec__print(const struct go_bpf_spec *spec, FILE *out);

/* A descriptor that becomes readable when pid exits (pidfd), or -1 with the message set. */
int go_pid_watch(pid_t pid);

/*
 * Wait until the next summary is due, as bcc's funccount and funclatency do: every interval
 * seconds, or once at the end of duration, or at Ctrl-C/SIGTERM (*exiting), or when the watched
 * process exits. True when that summary is the last.
 */
bool go_wait_interval(int pidfd, long interval, long duration, long *elapsed,
		      volatile sig_atomic_t *exiting);

/*
 * While go_wait_interval() waits, call fn(ctx) as soon as fd is readable (up to four such
 * fds, for the run).
 */
int go_wait_also(int fd, void (*fn)(void *ctx), void *ctx);

/* Processes watched until they exit, each as a whole (every thread): see go_procs__exited. */
struct go_procs;
struct go_procs *go_procs__new(void);
void go_procs__free(struct go_procs *w);
/* Watch pid; one that has already exited is among the next go_procs__exited(). */
int go_procs__add(struct go_procs *w, pid_t pid);
/* A descriptor readable when a watched process has exited (for go_wait_also). */
int go_procs__fd(const struct go_procs *w);
/* Up to max of the watched processes that have exited, no longer watched; 0 when none. */
size_t go_procs__exited(struct go_procs *w, pid_t *out, size_t max);

/* bcc's banner: Tracing N functions for "PATTERN"... Hit Ctrl-C to end. */
void go_print_banner(FILE *out, size_t n, const char *what, const char *pattern);
/*
 * No function matches, said on stderr (stdout is for what is traced: -j's JSON) in the words of
 * the bcc tool the caller follows, which runbooks grep for: funccount's and stackcount's
 * "No functions matched by pattern PATTERN", or with funclatency true funclatency's
 * "0 functions matched by "PATTERN". Exiting."
 */
void go_print_no_match(const char *pattern, bool funclatency);
/*
 * What a tool could not record, as a JSON line of its own among its -j output:
 * {"lost": N, "what": WHAT}, WHAT saying what was lost and why (e.g. "events: the ring buffer
 * was full"). Printed only when n > 0; the text output says the same in words.
 */
void go_json_lost(FILE *out, uint64_t n, const char *what);
/*
 * Open a -j record of a printout (gofunccount, gofunclatency, goiface, gostack): "{" and the
 * fields every such record begins with, "interval": the printout's number (1, 2, ...: one
 * printout's records share it) and, when time is not NULL (-T), "time": "HH:MM:SS". The
 * schema is in each tool's man page, JSON OUTPUT.
 */
void go_json_printout(FILE *out, unsigned long interval, const char *time);
/*
 * A size a tool's BPF maps get by default, or from the environment variable name (set by the
 * tests, to make a map fill up): *out = def, or the variable's value in [1, max]. -EINVAL
 * with the message set when the value is not a number in range.
 */
int go_env_size(const char *name, long def, long max, long *out);
/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns(). */
uint64_t go_monotonic_ns(void);
/* CLOCK_REALTIME in seconds: the time of day, for bcc's UNIX timestamps. */
double go_realtime(void);
/* HH:MM:SS as bcc's -T prints it. */
const char *go_strftime_now(char *buf, size_t size);

/* bcc's log2 histogram: slot i > 0 counts values in [2^(i-1), 2^i - 1]. */
void go_print_log2_hist(FILE *out, const uint64_t *vals, int nvals, const char *val_type);

/* ---- pprof profiles ------------------------------------------------------------------------ */

struct go_pprof;

/* A profile of samples of stacks of bin, with one value of the given type and unit, from
 * start_ns (CLOCK_REALTIME; 0: now) until it is written. */
struct go_pprof *go_pprof__new(struct go_binary *bin, const struct go_lines *lines,
			       const char *type, const char *unit, uint64_t start_ns);
/*
 * A sample: a stack's frames fr[0..n) (go_stack__frames), innermost first, each pc's frames a
 * location; note (or NULL): what cut the stack (go_stack__note), a frame of its own at the
 * root; labels: nlabels (key, value) pairs, flattened; labels_note (or NULL): what of the
 * goroutine's labels could not be kept, as the label "[labels not kept]".
 */
int go_pprof__add(struct go_pprof *p, const struct go_stack_frame *fr, int n, const char *note,
		  int64_t value, const char *const *labels, int nlabels, const char *labels_note);
/* Write the profile, gzipped, to path. */
int go_pprof__write(struct go_pprof *p, const char *path);
void go_pprof__free(struct go_pprof *p);
/* Whether path can be written (created if absent), with the message set when not. */
bool go_pprof__writable(const char *path);


#endif /* LIBGO_TOOL_H */
