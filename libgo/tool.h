/* SPDX-License-Identifier: Apache-2.0 */
/* What every tool does the same way: options, the functions it traces, waiting, output. */
#ifndef LIBGO_TOOL_H
#define LIBGO_TOOL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "bpf/cookie.h"
#include "libgo.h"

/* warn(): one line to stderr, prefixed with the tool's name. */
#define warn(...) go_warn(__VA_ARGS__)
void go_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct argp;
struct argp_state;
/* The key of the tools' --usage option (-h is --help). */
#define GO_OPT_USAGE 0x1000

/* The options every tool has, for its argp table: -h/--help, -p PID, --usage. */
#define GO_COMMON_OPTIONS                                                                      \
	{ "help", 'h', NULL, 0, "show this help message and exit", 0 },                        \
	{ "pid", 'p', "PID", 0, "trace this PID only", 0 },                                    \
	{ "usage", GO_OPT_USAGE, NULL, OPTION_HIDDEN, "show a short usage message", 0 }

/*
 * Parse GO_COMMON_OPTIONS (into *pid: the process, when -p names one of its threads);
 * ARGP_ERR_UNKNOWN for any other key.
 */
int go_parse_common(int key, char *arg, struct argp_state *state, pid_t *pid);
/*
 * argp_parse() as the tools use it: usage errors exit with status 2, as bcc's do; then 1, with
 * one line said, when the process lacks the privileges to trace (go_bpf__check_privileges).
 */
int go_parse_args(const struct argp *argp, int argc, char **argv);

/* A bad option value: libgo_errmsg() as one line, exit status 2 (a usage error, as bcc's). */
void go_option_error(void) __attribute__((noreturn));

/* Parse a whole number in [min, max] for an option; -EINVAL with the message set otherwise. */
int go_parse_long(const char *arg, long min, long max, const char *what, long *out);

/* A generic function's instantiation among a target's functions (go_binary__instances). */
struct go_target_inst {
	struct go_func fn;	/* its shaped body's, under the instantiation's name */
	const struct go_inst *inst;
};

/* An entry of the BPF programs' go_dicts (cookie.h): the instantiation a dictionary names. */
struct go_target_dict {
	struct go_dict_key key;
	uint32_t func;
};

/*
 * The functions a tool traces: "[BINARY:]FUNCTIONS" (or with -p, the process's executable),
 * matched as a glob or, with regex, an extended regular expression. The names matched are
 * the binary's functions' and its generic functions' instantiations' (main.Sum[int]: calls of
 * its shaped body, main.Sum[go.shape.int], with its dictionary): each instantiation is a
 * function of its own; a shaped body matched with some of its instantiations keeps the calls
 * with any other dictionary, and an instantiation's own wrapper (main.Sum[main.myInt] for a
 * function value) goes, as its calls pass through the body.
 */
struct go_target {
	struct go_binary *bin;
	char *pattern;		/* the FUNCTIONS part */
	size_t *idx;		/* indices into the binary's function table; an index past it,
				 * go_binary__func_cnt() + k, is the instantiation insts[k] */
	size_t cnt;
	struct go_target_inst *insts;
	size_t ninsts;
	struct go_target_dict *dicts;	/* from the plan, for go_target__set_binfo */
	size_t ndicts;
	struct go_call_sites *calls;	/* per function, when entered at call sites */
	struct go_return_sites *rsites;	/* per function, GO_PLAN_RETURN_SITES */
	uint32_t slot;		/* the binary's slot in the BPF programs' go_binfo (cookie.h) */
};

int go_target__open(struct go_target *t, const char *spec, pid_t pid, bool regex);
void go_target__close(struct go_target *t);
const struct go_func *go_target__func(const struct go_target *t, size_t i);
/*
 * Where the i-th function's calls are counted, the function number its probes' cookies carry:
 * i, or for GCC's clone of a gccgo function (go_func.clone) the number of that function (or of
 * its first clone when it is not in t), so that the tools count, time and print a function
 * and its clones as one, under go_target__func(t, slot)->name.
 */
size_t go_target__slot(const struct go_target *t, size_t i);

/* Probe sites (file offsets) and their cookies (libgo/bpf/cookie.h), for go_bpf__attach(). */
struct go_probes {
	uint64_t *offs;
	uint64_t *cookies;
	size_t cnt;
};

struct go_dual;
struct go_plan;
struct go_bpf;

/*
 * The load bias of a process that is gone, from a stack taken at one of ps's probes of function
 * func (its index, as in the cookies): go_binary__bias_from_stack() over those probes' sites.
 */
int go_probes__bias_from_stack(const struct go_probes *ps, const struct go_binary *bin,
			       pid_t pid, uint32_t func, const uint64_t *frames, int nframes,
			       int64_t *bias);
/*
 * Which of t's functions plan enters where the kernel single-steps the probe (stepped[f] for
 * the function of cookie index f, go_target__slots(t) of them): their calls' times hold that
 * step (go_bpf__step_cost). How many.
 */
size_t go_target__stepped(const struct go_target *t, const struct go_plan *plan, bool *stepped);
/*
 * Make sure go_binary__load_bias() knows where pid loaded t's binary (PIE), also when pid is
 * gone: from the probe of plan that pid hit first, which a program built with GO_NOTE_PROCS
 * keeps (go_procs, common.bpf.h). 0, or -ENOENT when nothing tells.
 */
int go_target__bias(const struct go_target *t, const struct go_plan *plan, struct go_bpf *bpf,
		    pid_t pid);

/* What go_target__plan() probes. */
enum {
	GO_PLAN_ENTRY = 1,	/* each function's entry site */
	GO_PLAN_CALL_SITES = 2,	/* with ENTRY: its callers' CALLs and JMPs where cheaper */
	GO_PLAN_RET = 4,	/* each function's RET instructions */
	GO_PLAN_GOEXIT = 8,	/* with ENTRY: where goroutines end (gc), GO_COOKIE_GOEXIT */
	/*
	 * with RET: a function entered by direct CALLs alone has its returns probed in its
	 * callers (go_binary__return_sites, GO_COOKIE_RETURN), not at its RETs, unless
	 * GOFUNC_NO_RETURN_SITES is set: with ENTRY among the entry probes, guards too (for a
	 * program that keeps each goroutine's calls and skips a guard's passage); without ENTRY
	 * among the RETs' probes, and only where no guard is needed
	 */
	GO_PLAN_RETURN_SITES = 16,
	/*
	 * with ENTRY: where threads start and go idle (gc: runtime.minit, runtime.stopm, on
	 * the thread's g0), GO_COOKIE_THREAD, for a program that learns each thread's runtime.m
	 */
	GO_PLAN_THREADS = 32,
};

struct go_plan {
	struct go_probes entry;	/* entry sites, call sites and goexit (GO_PLAN_ENTRY) */
	struct go_probes ret;	/* RET sites (GO_PLAN_RET) */
	/*
	 * GO_PLAN_RET without GO_PLAN_ENTRY: the entry sites of the functions whose RETs cannot
	 * find g in R14 (go_binary__g_in_r14), where a program must save it (go_g_save). With
	 * GO_PLAN_ENTRY, those entry probes carry GO_COOKIE_SAVE_G instead.
	 */
	struct go_probes gsave;
	/*
	 * GO_PLAN_RETURN_SITES: the cookie pairs of the entry probes that are GO_COOKIE_DUAL
	 * (struct go_dual), for the BPF program's go_dual array
	 */
	struct go_dual *dual;
	size_t ndual;
	size_t nreturn_sites;	/* return sites among the entry probes */
	bool save_g;		/* some RETs take g saved at the entry: compile with GO_SAVE_G */
	bool goexit;		/* the goexit probe is in entry */
	size_t threads;		/* GO_COOKIE_THREAD probes in entry */
};

/*
 * Plan the probes of t in one pass: drop the functions that cannot be probed as asked (an
 * entry the kernel cannot probe, such as runtime.abort's int3; code the decoder cannot read
 * through to find every RET), with one warning on stderr per cause naming the first; number
 * the rest (t->idx keeps them, in order: cookie function i is go_target__func(t, i), and a
 * GCC clone's probes carry its function's number, go_target__slot); then emit every probe
 * with cookies from that numbering and t->slot. Call sites (a function whose entry the kernel
 * would single-step, probed at its callers' CALL and JMP instructions when nothing else
 * enters it, go_binary__call_sites) carry how far below SP the callee's SP is; the RETs of a
 * gccgo function's body, the distance to its split-stack RET (GO_COOKIE_SPLIT). -ENOTSUP when
 * no function is left, -ENOENT when none has a RET to probe.
 */
int go_target__plan(struct go_target *t, unsigned int what, struct go_plan *plan);
void go_plan__free(struct go_plan *plan);
/*
 * Tell the BPF programs the facts of t's binary (goid offset, g in R14), at t->slot, and the
 * dictionaries of the instantiations its plan tells apart (go_dicts). Every tool calls it once
 * its program is loaded, before attaching.
 */
struct go_bpf;
int go_target__set_binfo(struct go_target *t, struct go_bpf *bpf);
/*
 * For each function of t probed at its entry site, its frame there (go_binary__entry_frame);
 * zero for the others (probed where they are called). *out is calloc'd, one per function.
 */
int go_target__entry_frames(struct go_target *t, const struct go_lines *lines,
			    struct go_entry_frame **out);
/*
 * Tell a program that walks stacks (bpf/unwind.bpf.h) how to walk t's binary, at t->slot: how
 * to go on below its cgo callbacks, and where each function's return address is at its entry
 * site (ef, from go_target__entry_frames; NULL for return probes, where it is at SP).
 */
int go_target__set_unwind(struct go_target *t, const struct go_lines *lines,
			  const struct go_entry_frame *ef, struct go_bpf *bpf);
/*
 * How many per-function slots a BPF program should have: the count rounded up to a power of
 * two, so that runs with similar patterns compile to the same program (and share its cache).
 */
size_t go_target__slots(const struct go_target *t);
/* Print each matched function with address, entry site and ABI (the -v listing). */
void go_target__list(struct go_target *t, FILE *out);
/* After go_target__plan with GO_PLAN_RETURN_SITES: where each function's returns are seen. */
void go_target__list_returns(struct go_target *t, FILE *out);

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
/* A JSON string literal, escaped. */
void go_json_str(FILE *out, const char *s);
/* CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns(). */
uint64_t go_monotonic_ns(void);
/* CLOCK_REALTIME in seconds: the time of day, for bcc's UNIX timestamps. */
double go_realtime(void);
/* HH:MM:SS as bcc's -T prints it. */
const char *go_strftime_now(char *buf, size_t size);

/* bcc's log2 histogram: slot i > 0 counts values in [2^(i-1), 2^i - 1]. */
void go_print_log2_hist(FILE *out, const uint64_t *vals, int nvals, const char *val_type);

#endif
