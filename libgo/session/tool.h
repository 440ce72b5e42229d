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
#define GO_OPT_PROMETHEUS 0x1002
#define GO_OPT_LABEL 0x1003
#define GO_OPT_WITHIN 0x1004

/*
 * The options every tool has, for its argp table: -h/--help, -p PID, --label KEY=VALUE,
 * --within FUNC, --dry-run, --usage.
 */
#define GO_COMMON_OPTIONS                                                                      \
	{ "help", 'h', NULL, 0, "show this help message and exit", 0 },                        \
	{ "pid", 'p', "PID", 0, "trace this PID only", 0 },                                    \
	{ "label", GO_OPT_LABEL, "KEY=VALUE", 0, "only calls on goroutines with this pprof "   \
	  "label (KEY=* for any value; repeated: all of them)", 0 },                           \
	{ "within", GO_OPT_WITHIN, "FUNC", 0, "only calls made while FUNC is on the stack, and "  \
	  "by the goroutines started meanwhile (transitively)", 0 },                           \
	{ "dry-run", GO_OPT_DRY_RUN, NULL, 0, "print the probes it would attach, and exit "    \
	  "without attaching any (no privileges needed)", 0 },                                 \
	{ "usage", GO_OPT_USAGE, NULL, OPTION_HIDDEN, "show a short usage message", 0 }

/* --prometheus, for the tools that count (their figures: go_session__serve). */
#define GO_PROMETHEUS_OPTION                                                                   \
	{ "prometheus", GO_OPT_PROMETHEUS, "[HOST:]PORT", 0, "also serve the counts to "       \
	  "Prometheus on this address (HOST: 127.0.0.1 unless given)", 0 }

/*
 * Parse GO_COMMON_OPTIONS (into *pid: the process, when -p names one of its threads; --dry-run
 * into go_dry_run(); --label and --within into go_scope_asked(), --within's FUNC into
 * go_within_asked()); ARGP_ERR_UNKNOWN for any other key.
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
/* The address --prometheus gave (checked: go_metrics__check_addr), NULL without it. */
const char *go_prometheus(void);
/*
 * The scope the calls traced must be in (--label: labels.h), which go_session__attach() gives
 * the program; NULL when none was asked (every call is).
 */
struct go_scope;
const struct go_scope *go_scope_asked(void);
/* --within's FUNC (a glob over function names), NULL without it. */
const char *go_within_asked(void);
/* The BPF functions of --within (libgo/probe/bpf/within.bpf.h), for a tool's go_bpf_spec.progs. */
#define GO_WITHIN_PROGS "go_within_entry", "go_within_ret"

/* A bad option value: libgo_errmsg() as one line, exit status 2 (a usage error, as bcc's). */
void go_option_error(void) __attribute__((noreturn));

/* Parse a whole number in [min, max] for an option; -EINVAL with the message set otherwise. */
int go_parse_long(const char *arg, long min, long max, const char *what, long *out);

/* The process of thread tid (its tgid, from /proc); negative errno with the message set. */
int go_tid_tgid(pid_t tid, pid_t *tgid);

/*
 * While go_session__wait() waits, call fn(ctx) as soon as fd is readable (up to eight such
 * fds, for the run); with fd < 0, each time the wait wakes (at least every 100 ms).
 */
int go_wait_also(int fd, void (*fn)(void *ctx), void *ctx);
/* No longer call the go_wait_also() functions of ctx. */
void go_wait_forget(void *ctx);

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
/*
 * The same histogram as JSON, its slots in nanoseconds whatever the unit (unit_ns: a unit's
 * ns), so that nothing is cut: [{"low_ns": L, "high_ns": H, "count": N}, ...], the slots that
 * count something.
 */
void go_json_log2_hist(FILE *out, const uint64_t *vals, int nvals, uint64_t unit_ns);

/* ---- what a tool could not record --------------------------------------------------------- */

/*
 * The kinds of loss, in the order they are said. Each is said one way: on stderr
 * "WARNING: N ...", what was not recorded and why (GO_LOST_EVENTS in bcc's trace's words,
 * "Possibly lost N samples"), and with -j as a line of its own among the output,
 * {"lost": N, "what": WHAT}, WHAT as each tool's man page lists them (JSON OUTPUT).
 */
enum go_lost {
	GO_LOST_EVENTS,		/* events: the ring buffer was full */
	GO_LOST_STACKS_FULL,	/* calls not counted: the table of stacks (limit) was full */
	GO_LOST_TYPES_FULL,	/* calls not counted: the table of types (limit) was full */
	GO_LOST_FRAMES_DEEP,	/* stacks deeper than the walk, shown truncated */
	GO_LOST_FRAMES_CUT,	/* stacks the walk could not follow, shown cut */
	GO_LOST_LABELS_CUT,	/* more pprof labels than are kept, shown cut */
	GO_LOST_LABELS_FULL,	/* labels not kept: the table of label sets (limit) was full */
	GO_LOST_SCOPE_LABELS,	/* calls not traced: --label could not read their labels whole */
	GO_LOST_SCOPE_WITHIN,	/* goroutines within FUNC not marked: its table (limit) was full */
	GO_LOST_UNWOUND,	/* calls that never reached a RET: a panic, runtime.Goexit... */
	GO_LOST_UNFINISHED,	/* ... or in progress at the end: said with GO_LOST_UNWOUND */
	GO_LOST_NO_ROOM,	/* calls not timed: no room for them in the tool's state */
	GO_LOST_STARTS_DROPPED,	/* calls not timed: the full state (limit calls) dropped them */
	GO_LOST_GOROUTINES_DROPPED,	/* goroutines' calls not timed: their records dropped */
	GO_LOST_FILTER_UNREAD,	/* events not shown: their filter's selectors could not be read */
	GO_LOST_CORO_UNSEEN,	/* coroutine switches whose next goroutine could not be read */
	GO_LOST_KINDS
};

struct go_losses {
	const char *unit;	/* what a tool records: "call" (the default) or "event" */
	bool values;		/* GO_LOST_TYPES_FULL: a table of types and values (goiface -V) */
	uint64_t n[GO_LOST_KINDS];	/* since the last report */
	uint64_t total[GO_LOST_KINDS];	/* since the start */
	long limit[GO_LOST_KINDS];	/* the size of what was full, as the tool set it */
};

void go_losses__init(struct go_losses *l, const char *unit);
/* Count n more of kind. */
void go_losses__add(struct go_losses *l, enum go_lost kind, uint64_t n);
/* The size of the table or state whose being full kind says (its words name it). */
void go_losses__limit(struct go_losses *l, enum go_lost kind, long limit);
/* Say every kind counted since the last report (on stderr; with json, there too), and clear. */
void go_losses__report(struct go_losses *l, FILE *json);
/* A kind's short name ("events", "unreturned"...), NULL for none; GO_LOST_UNFINISHED has none. */
const char *go_losses__name(enum go_lost kind);
/* What was counted of kind since the start, GO_LOST_UNFINISHED's with GO_LOST_UNWOUND's. */
uint64_t go_losses__total(const struct go_losses *l, enum go_lost kind);

/* ---- a tool's run ---------------------------------------------------------------------------- */

/*
 * A tool's run, from its options to its end, each step a call (libgo/session/run.c); a failing
 * step returns a negative errno with the message set, which go_session__close() says, once.
 * main() reads:
 *
 *	s.pid = env.pid; s.json = env.json;
 *	err = go_session__open(&s, env.pattern, env.regex);
 *	if (!err) err = go_session__plan(&s, GO_PLAN_ENTRY);	(--dry-run: stops here)
 *	... the tool's program, its settings ...
 *	if (!err) err = go_session__load(&s, &spec, env.debug);
 *	if (!err) err = go_session__attach(&s, "prog", &s.target, &s.plan.entry);
 *	while (!done) { done = go_session__wait(&s, env.interval, env.duration); print... }
 *	go_session__end(&s);
 *    cleanup:
 *	return go_session__close(&s, err);
 */
struct go_session {
	/* the tool's choices, set before go_session__open() */
	pid_t pid;		/* -p (or -L's process): traced, watched: the run ends with it */
	bool json;		/* -j: stdout is JSON, with the {"lost": ...} lines */
	bool data_only;		/* stdout is data only (-j, gostack's -f): messages to stderr */
	bool funclatency;	/* "0 functions matched" in bcc's funclatency's words */
	const char *unit;	/* what is lost: "call" (NULL) or "event" (go_losses.unit) */
	/* why inlined calls of what the tool matches are not probed, for the note saying so
	 * (go_target__say_inlined); NULL: the tool cannot see them at all */
	const char *inline_why;
	/* what the session keeps */
	FILE *info;		/* where messages other than results go: the banner, -v, -D */
	struct go_target target;	/* the PATTERN go_session__open() opened */
	struct go_plan plan;	/* go_session__plan()'s */
	struct go_bpf *bpf;	/* go_session__load()'s */
	struct go_losses losses;	/* what the tool counts as lost, said by go_session__end() */
	struct go_metrics *metrics;	/* go_session__serve()'s, and the tool's function: */
	int (*collect)(struct go_metrics *m, void *ctx);
	void *collect_ctx;
	volatile sig_atomic_t exiting;	/* Ctrl-C, SIGTERM (from the first attach on), or the tool */
	bool gone;		/* the traced process (pid) has exited */
	long elapsed;		/* seconds waited (go_session__wait) */
	const char *pattern;	/* go_session__open()'s */
	int pidfd;
	bool open, attached, said;
	uint64_t scope_lost;	/* GO_LOST_SCOPE_LABELS counted so far */
	struct go_within *within;	/* --within's probes (go_session__within) */
	uint64_t within_lost;	/* GO_LOST_SCOPE_WITHIN counted so far */
};

/*
 * Watch s->pid (it must exist), then open pattern ([BINARY:]FUNCTIONS, NULL: no target, for a
 * tool of several, gotrace) as s->target: -ENOENT, said in bcc's words, when it matches no
 * function.
 */
int go_session__open(struct go_session *s, const char *pattern, bool regex);
/* The same with n patterns of one binary (gofuncslower's PATTERN...): any of them matches. */
int go_session__open_list(struct go_session *s, const char *const *patterns, int n, bool regex);
/* What a step returns when the run is over and went well: --dry-run printed the plan. */
#define GO_SESSION_DRY_RUN 1
/*
 * Plan s->target's probes (go_target__plan) into s->plan; with --dry-run (go_dry_run) print
 * them (go_plan__print, labelled with the PATTERN) and return GO_SESSION_DRY_RUN: the tool
 * goes to go_session__close(), which exits 0, having compiled, loaded and attached nothing.
 */
int go_session__plan(struct go_session *s, unsigned int what);
/* The same for a target and plan of the tool's own (gotrace's, one a probe), labelled label. */
int go_session__plan_of(struct go_session *s, struct go_target *t, unsigned int what,
			struct go_plan *plan, const char *label);
/* Load the program; with print (-D, -v) its text first, as the compiler gets it, on s->info. */
struct go_bpf_spec;
int go_session__load(struct go_session *s, const struct go_bpf_spec *spec, bool print);
/*
 * Attach program prog at ps's sites in t's binary (s->pid's only, with -p). Ctrl-C ends the run
 * from the first attach on. With --label (go_scope_asked), first tell the program the labels,
 * or fail, saying why, when t's binary keeps none that can be read; with --within, first
 * attach its probes in t's binary (go_session__within).
 */
int go_session__attach(struct go_session *s, const char *prog, const struct go_target *t,
		       const struct go_probes *ps);
/*
 * Wait until the next summary is due, as bcc's funccount and funclatency do: every interval
 * seconds, or once at the end of duration, or at Ctrl-C/SIGTERM, or when the traced process
 * exits. True when that summary is the last.
 */
bool go_session__wait(struct go_session *s, long interval, long duration);
/*
 * Wait up to ms for fd to be readable (a ring buffer), or for the traced process's end (gone);
 * meanwhile call each go_wait_also() function whose descriptor is readable, and those without.
 */
void go_session__poll(struct go_session *s, int fd, long ms);
/* Detach every probe, keeping the maps readable. */
void go_session__detach(struct go_session *s);
/* Say what was lost since the last time (go_losses__report), -j's lines on stdout. */
void go_session__losses(struct go_session *s);
/* The end of a run that went well: what was lost, then bcc's "Detaching...". */
void go_session__end(struct go_session *s);
/*
 * With --prometheus (go_prometheus), serve the tool's figures from now until the run is
 * closed: fn writes them at each scrape (go_metrics__*), which comes while the tool waits;
 * the session adds what --label could not read (GO_LOST_SCOPE_LABELS).
 */
struct go_metrics;
typedef int (*go_metrics_fn)(struct go_metrics *m, void *ctx);
int go_session__serve(struct go_session *s, go_metrics_fn fn, void *ctx);
/* Say err's message (err < 0, unless said), detach, free; the exit status (err < 0). */
int go_session__close(struct go_session *s, int err);

/* ---- --within FUNC (libgo/session/within.c) ---------------------------------------------- */

/*
 * Open FUNC (go_within_asked) in t's binary, plan its probes and those where goroutines start
 * and end, complete sc with their indices, give sc to the program, and attach them. -ENOTSUP,
 * saying why, for a binary without g in a register (gccgo, Go < 1.17).
 */
struct go_within;
int go_session__within(struct go_session *s, const struct go_target *t, struct go_scope *sc);
/* --dry-run: the probes go_session__within would attach, printed as go_plan__print does. */
int go_session__within_print(struct go_session *s, const struct go_target *t);
/* Count the goroutines --within could not mark since the last time (GO_LOST_SCOPE_WITHIN). */
void go_session__within_lost(struct go_session *s);
void go_session__within_free(struct go_session *s);

/* ---- pprof labels, as the BPF programs keep them (labelsets.bpf.h) ----------------------- */

struct go_labels_key;

/* A goroutine's labels, read once from the kernel's labelsets, sorted by key. */
struct go_labelset {
	int n;			/* pairs in kv */
	char **kv;		/* key, value, key, value... */
	int cut;		/* labels the goroutine had that could not be kept */
	bool lost;		/* none could be kept: labelsets was full */
};

/* The label sets of the kernel's labelsets map fd (-1: none), read as records name them. */
struct go_labelsets;
struct go_labelsets *go_labelsets__new(int fd);
void go_labelsets__free(struct go_labelsets *ls);
/*
 * The set of key, read when first seen (the kernel keeps each set as long as the tool runs); a
 * set of the same labels as an earlier one (a map's, in another order) is that one, so that
 * records can be told apart by their sets' addresses. NULL when key names none (0, 0).
 */
const struct go_labelset *go_labelsets__get(struct go_labelsets *ls,
					    const struct go_labels_key *key);
/* The labels as key=value pairs, sep between them, escaped; a key or value that is empty or
 * holds a space, '=', '"' or sep is quoted as %q quotes. */
void go_labelset__print(FILE *out, const struct go_labelset *ls, const char *sep);
/* The members of a JSON object of the labels: "key": "value", ... (nothing for NULL). */
void go_labelset__json(FILE *out, const struct go_labelset *ls);
/*
 * An -j event's members for its goroutine's labels: , "labels": {...}, then "labels_cut": N
 * when N could not be kept, "labels_lost": true when none could; nothing for NULL (none).
 */
void go_labelset__json_event(FILE *out, const struct go_labelset *ls);
/*
 * A LABELS column of width, then a space: key=value,... (go_labelset__print), ",[N more not
 * kept]" or "[labels lost]" after them; "-" for NULL (none).
 */
void go_labelset__column(FILE *out, const struct go_labelset *ls, int width);

/* ---- calls matched to their returns (calls.bpf.h): gofunclatency, gofuncslower (calls.c) ---- */

/*
 * The maps calls.bpf.h keeps, shaped for the goroutines and the calls in progress, those the
 * binary's way of knowing calls does not use (by g, through m, by SP) at one entry; the
 * goroutines' records a plain hash where their ends are probed (plan->goexit), else an LRU.
 */
struct go_bpf_spec;
void go_calls__shape(struct go_bpf_spec *spec, const struct go_plan *plan, bool by_g, bool by_sp,
		     bool g_from_m, long max_goroutines, long max_spill);
/* The cookies of the addresses that are both a return site and a call site (go_dual). */
int go_calls__set_dual(struct go_bpf *bpf, const struct go_plan *plan);

/* A map of the tool's own whose keys begin with a struct go_lat_gid, swept with the others. */
struct go_calls_map {
	const char *name;
	size_t key_size;
};

/*
 * The records of processes that have exited (their last goroutines never reach
 * runtime.goexit1): the BPF program tells of each process that has records (newprocs), the
 * tool watches it, and deletes its records once it has exited, counting the calls they held as
 * calls in progress (and, of the spill's, those whose starts the LRU had dropped).
 */
struct go_calls_sweeper {
	struct go_bpf *bpf;
	struct go_procs *procs;
	struct go_ringbuf *rb;
	bool lru_gs;		/* the goroutines' records are an LRU (counted: GO_LAT_ADDED) */
	const struct go_calls_map *extra;	/* the tool's own maps, to the first NULL name */
	int err;		/* the first error: the tool says it at the end */
	uint64_t running;	/* calls in progress when their process exited, not spilled */
	uint64_t spilled;	/* spilled calls in progress then, by their goroutines' records */
	uint64_t held;		/* those of them that the spill still held */
	uint64_t removed_gs;	/* records the tool removed from their LRU (as GO_LAT_REMOVED) */
	uint64_t removed_sp;	/* starts by SP it removed from theirs (as GO_LAT_SP_REMOVED) */
};
/* Watch the processes with records (none with -p: the tool ends with its process). */
int go_calls__sweeper_start(struct go_calls_sweeper *sw, struct go_bpf *bpf, bool lru_gs);
void go_calls__sweeper_stop(struct go_calls_sweeper *sw);
/*
 * Calls that never reached a RET: unwound ones (panic, runtime.Goexit), found as their
 * goroutines went on or ended, and those in progress at the end; calls that found no room in
 * the tool's state, and those whose starts its LRU maps dropped (the spill, the starts by stack
 * pointer) and goroutines whose records were dropped (records are an LRU without
 * runtime.goexit1). Into l, by the maps and what sw swept.
 */
void go_calls__count_unreturned(struct go_losses *l, struct go_bpf *bpf, bool by_g, bool by_sp,
				bool goexit, const struct go_calls_sweeper *sw);
/* The sum of calls.bpf.h's stats entry i (enum go_lat_stat). */
uint64_t go_calls__stat(struct go_bpf *bpf, int i);

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
/* A comment of the profile (pprof's comment strings), e.g. "host=node1". */
int go_pprof__comment(struct go_pprof *p, const char *text);
/* Write the profile, gzipped, to path. */
int go_pprof__write(struct go_pprof *p, const char *path);
/*
 * Whether path is a template of one profile an interval: %n stands for the interval's number
 * (1, 2, ...), %t for the UNIX time (seconds) of its start, %% for a %.
 */
bool go_pprof__is_template(const char *path);
/* The path of a template's profile, n and t put in, into out; -ENAMETOOLONG when too long. */
int go_pprof__path(const char *tmpl, unsigned long n, uint64_t t, char *out, size_t size);
void go_pprof__free(struct go_pprof *p);
/*
 * Whether path can be written (created if absent), or for a template whether its directory
 * is one that can, with the message set when not.
 */
bool go_pprof__writable(const char *path);

/* ---- --prometheus: figures in Prometheus's text format (metrics.c) ------------------------- */

/* Whether arg is [HOST:]PORT as --prometheus takes it; -EINVAL with the message set if not. */
int go_metrics__check_addr(const char *arg);
/*
 * Serve on addr, each scrape fn's figures with the labels tool, binary (when not NULL), pid
 * (when not 0) and host, then losses' (gotools_lost_total); said on stderr. NULL with errno
 * and the message set when it cannot listen.
 */
struct go_metrics *go_metrics__start(const char *addr, const char *tool, const char *binary,
				     pid_t pid, const struct go_losses *losses, go_metrics_fn fn,
				     void *ctx);
void go_metrics__stop(struct go_metrics *m);
/* Within fn: a family of samples, named, of a type ("counter", "histogram"), with its help. */
void go_metrics__family(struct go_metrics *m, const char *name, const char *type,
			const char *help);
/*
 * A sample of the family: labels are nlabels (name, value) pairs, flattened; samples of the
 * same labels are summed. A count, or a value (seconds).
 */
void go_metrics__count(struct go_metrics *m, const char *const *labels, int nlabels, uint64_t n);
void go_metrics__value(struct go_metrics *m, const char *const *labels, int nlabels, double x);
/*
 * A histogram's samples: counts[i] observations at most le[i] and above le[i - 1], for the
 * nb bounds in increasing order; count of them in all (those above le[nb - 1] too), summing
 * to sum.
 */
void go_metrics__histogram(struct go_metrics *m, const char *const *labels, int nlabels,
			   const double *le, const uint64_t *counts, int nb, uint64_t count,
			   double sum);
/* n more of kind lost, not yet counted in the session's losses (read from the maps now). */
void go_metrics__lost(struct go_metrics *m, enum go_lost kind, uint64_t n);

#endif /* LIBGO_TOOL_H */
