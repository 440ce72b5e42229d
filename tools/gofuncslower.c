// SPDX-License-Identifier: Apache-2.0
/*
 * gofuncslower: print each slow call of Go functions, as bcc's funcslower does, and where its
 * time went: on CPU, runnable, in system calls (named, counted, timed) and waiting, by the Go
 * runtime's own wait reasons.
 *
 * Calls are matched to their returns by goroutine and stack depth (calls.bpf.h, as
 * gofunclatency does), never with uretprobes; the scheduler's events are the runtime's status
 * changes and the kernel's tracepoints (funcslower.bpf.c).
 *
 * 06-Dec-2026   Created this.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/bpf/cookie.h"
#include "probe/bpf/funcslower.h"
#include "probe/probe.h"
#include "libgo.h"
#include "session/tool.h"

#define SLOTS GO_LAT_SLOTS
#define MAX_GOROUTINES (1 << 20)
#define MAX_SPILL 65536
#define MAX_SYSNR 1024		/* system calls -s keeps apart by number; the last slot: other */
#define MAX_LABELSETS 1024	/* distinct label sets the kernel keeps (--labels, -j) */
#define LABELS_WIDTH 24		/* the LABELS column's */

enum { OPT_LABELS = 0x2000 };

static struct env {
	pid_t pid;
	double min;		/* -m or -u, in its unit */
	bool usecs;
	long nargs;
	bool time;		/* -T: HH:MM:SS */
	bool timestamp;		/* -t: seconds since the first call printed */
	bool summary;
	bool ustack;		/* -U */
	long duration;
	bool regex;
	bool verbose;
	bool json;
	bool labels;		/* --labels */
	const char *const *patterns;	/* PATTERN... */
	int npatterns;
} env = { .min = 1 };

const char *argp_program_version = "gofuncslower 0.1";
static const char args_doc[] = "PATTERN...";
static const char doc[] =
"Trace slow Go function calls, and where their time went.\n"
"\n"
"USAGE: gofuncslower [-h] [-p PID] [-m MIN_MS | -u MIN_US] [-a ARGUMENTS]\n"
"                    [-T | -t] [-U] [-s] [-d DURATION] [-r] [-v] [-j]\n"
"                    [--labels] [--prometheus [HOST:]PORT] [--dry-run]\n"
"                    PATTERN...\n"
"\n"
"PATTERN is [BINARY:]FUNCTIONS, as gofunccount takes it; several PATTERNs\n"
"trace the functions of any (in one binary). Each call that took at least\n"
"MIN_MS (default 1 ms) is printed at its return, with the goroutine's time\n"
"on CPU, runnable, in system calls and waiting, by Go's wait reasons.\n"
"\n"
"EXAMPLES:\n"
"    gofuncslower -p 181 main.handle          # main.handle, slower than 1 ms\n"
"    gofuncslower -m 10 -p 181 'main.*'       # main.*, slower than 10 ms\n"
"    gofuncslower -p 181 main.get main.put    # of either function\n"
"    gofuncslower -u 100 ./server:main.handle # any ./server, over 100 us\n"
"    gofuncslower -a 2 -p 181 main.handle     # with two argument words\n"
"    gofuncslower -U -m 10 -p 181 main.handle # with each call's Go stack\n"
"    gofuncslower -s -d 10 -p 181 main.handle # a summary after 10 s\n"
"    gofuncslower -j -p 181 main.handle       # JSON lines\n"
"    gofuncslower --labels -p 181 main.handle # with each goroutine's pprof labels\n"
"    gofuncslower --prometheus 9464 -p 181 main.handle # and serve to Prometheus\n"
"    gofuncslower --dry-run -p 181 main.handle # list the probes only\n";

static const struct argp_option opts[] = {
	GO_COMMON_OPTIONS,
	{ "min-ms", 'm', "MIN_MS", 0, "minimum duration to trace (ms), default 1", 0 },
	{ "min-us", 'u', "MIN_US", 0, "minimum duration to trace (us)", 0 },
	{ "arguments", 'a', "ARGUMENTS", 0, "print this many entry arguments, as hex", 0 },
	{ "time", 'T', NULL, 0, "show HH:MM:SS timestamp", 0 },
	{ "timestamp", 't', NULL, 0, "show timestamp in seconds at us resolution", 0 },
	{ "user-stack", 'U', NULL, 0, "output the Go stack of each slow call", 0 },
	{ "summary", 's', NULL, 0, "print a summary per function at the end", 0 },
	{ "duration", 'd', "DURATION", 0, "total duration of trace, in seconds", 0 },
	{ "regexp", 'r', NULL, 0, "use regular expressions; default is \"*\" wildcards only", 0 },
	{ "verbose", 'v', NULL, 0, "print the matched functions and the BPF program", 0 },
	{ "json", 'j', NULL, 0, "print one JSON object per slow call", 0 },
	{ "labels", OPT_LABELS, NULL, 0, "print a LABELS column: the goroutine's pprof labels", 0 },
	GO_PROMETHEUS_OPTION,
	{},
};

/* A threshold: a number of at least 0, fractions allowed, as bcc's. */
static int parse_min(const char *arg, const char *what, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(arg, &end);
	if (errno || end == arg || *end || !(*v >= 0) || *v > 1e9)
		return go_fail(EINVAL, "invalid %s: '%s'", what, arg);
	return 0;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	static bool min_ms;

	switch (key) {
	case 'm':
		min_ms = true;
		if (parse_min(arg, "MIN_MS", &env.min))
			go_option_error();
		break;
	case 'u':
		env.usecs = true;
		if (parse_min(arg, "MIN_US", &env.min))
			go_option_error();
		break;
	case 'a':
		if (go_parse_long(arg, 1, GO_SLOW_ARGS, "ARGUMENTS", &env.nargs))
			go_option_error();
		break;
	case 'T':
		env.time = true;
		break;
	case 't':
		env.timestamp = true;
		break;
	case 'U':
		env.ustack = true;
		break;
	case 's':
		env.summary = true;
		break;
	case 'd':
		if (go_parse_long(arg, 1, 99999999, "duration", &env.duration))
			go_option_error();
		break;
	case 'r':
		env.regex = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'j':
		env.json = true;
		break;
	case OPT_LABELS:
		env.labels = true;
		break;
	case ARGP_KEY_ARG:
		/* this PATTERN and every argument after it */
		env.patterns = (const char *const *)&state->argv[state->next - 1];
		env.npatterns = state->argc - state->next + 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (!env.npatterns)
			argp_error(state, "no PATTERN given");
		if (env.usecs && min_ms)
			argp_error(state, "-m and -u are exclusive");
		if (env.time && env.timestamp)
			argp_error(state, "-T and -t are exclusive");
		break;
	default:
		return go_parse_common(key, arg, state, &env.pid);
	}
	return 0;
}

static uint64_t unit_ns(void)
{
	return env.usecs ? 1000 : 1000000;
}

/* ---- what the tool knows to name -------------------------------------------------------- */

static struct names {
	const struct go_target *t;
	const struct go_arch *arch;
	struct go_lines *lines;	/* -U: the binary's line table, for its stacks */
	char **reasons;		/* the binary's wait reasons, by g.waitreason */
	size_t nreasons;
} names;

static const char *reason_name(size_t i, char *buf, size_t size)
{
	if (i < names.nreasons && names.reasons[i] && *names.reasons[i])
		return names.reasons[i];
	snprintf(buf, size, "waitreason %zu", i);
	return buf;
}

/* A system call's name; sys_NNN for one the arch does not name, "other" for nr < 0. */
static const char *sys_name(int nr, char *buf, size_t size)
{
	const char *n = nr >= 0 && names.arch->syscall_name ?
			names.arch->syscall_name((unsigned int)nr) : NULL;

	if (nr < 0)
		return "other";
	if (n)
		return n;
	snprintf(buf, size, "sys_%d", nr);
	return buf;
}

/* ---- sums of calls (the -s summary) ----------------------------------------------------- */

struct sums {
	uint64_t count, lat, oncpu, runnable, syscall;
	uint64_t wait[GO_SLOW_WAITS];
	uint64_t sys_count[MAX_SYSNR], sys_ns[MAX_SYSNR];	/* by number (MAX_SYSNR) */
	uint64_t hist[SLOTS];
};

static struct sums *sums;	/* by function */

/* A syscall entry of a call or a sum: its number (-1: other), count and time. */
struct sysent {
	int nr;
	uint64_t count, ns;
};

static int sysent_cmp(const void *a, const void *b)
{
	const struct sysent *x = a, *y = b;

	return x->ns != y->ns ? (x->ns < y->ns ? 1 : -1) : x->nr - y->nr;
}

struct waitent {
	size_t reason;
	uint64_t ns;
};

static int waitent_cmp(const void *a, const void *b)
{
	const struct waitent *x = a, *y = b;

	return x->ns != y->ns ? (x->ns < y->ns ? 1 : -1) : (int)x->reason - (int)y->reason;
}

/* A breakdown as printed: the parts, its syscalls and waits, most time first. */
struct parts {
	uint64_t oncpu, runnable, syscall, wait;
	struct sysent sys[MAX_SYSNR];
	size_t nsys;
	struct waitent waits[GO_SLOW_WAITS];
	size_t nwaits;
};

/* The waits, by reason, from an event's __u64s or a sum's uint64_ts (the same 8 bytes). */
static void parts_waits(struct parts *p, const void *waits)
{
	uint64_t wait[GO_SLOW_WAITS];
	size_t i;

	memcpy(wait, waits, sizeof(wait));
	p->wait = 0;
	p->nwaits = 0;
	for (i = 0; i < GO_SLOW_WAITS; i++) {
		p->wait += wait[i];
		if (wait[i])
			p->waits[p->nwaits++] = (struct waitent){ i, wait[i] };
	}
	qsort(p->waits, p->nwaits, sizeof(p->waits[0]), waitent_cmp);
}

static void parts_of_event(struct parts *p, const struct go_slow_event *e)
{
	size_t i;

	p->oncpu = e->t.oncpu;
	p->runnable = e->t.runnable;
	p->syscall = e->t.syscall;
	parts_waits(p, e->t.wait);
	p->nsys = 0;
	for (i = 0; i < GO_SLOW_SYSCALLS; i++)
		if (e->t.sys[i].nr && e->t.sys[i].count)
			p->sys[p->nsys++] = (struct sysent){ (int)e->t.sys[i].nr - 1,
							     e->t.sys[i].count, e->t.sys[i].ns };
	if (e->t.other.count)
		p->sys[p->nsys++] = (struct sysent){ -1, e->t.other.count, e->t.other.ns };
	qsort(p->sys, p->nsys, sizeof(p->sys[0]), sysent_cmp);
}

static void parts_of_sums(struct parts *p, const struct sums *s)
{
	size_t i;

	p->oncpu = s->oncpu;
	p->runnable = s->runnable;
	p->syscall = s->syscall;
	parts_waits(p, s->wait);
	p->nsys = 0;
	for (i = 0; i < MAX_SYSNR; i++)
		if (s->sys_count[i])
			p->sys[p->nsys++] = (struct sysent){ i == MAX_SYSNR - 1 ? -1 : (int)i,
							     s->sys_count[i], s->sys_ns[i] };
	qsort(p->sys, p->nsys, sizeof(p->sys[0]), sysent_cmp);
}

static void sums_add(const struct go_slow_event *e)
{
	struct sums *s = &sums[e->func];
	size_t i, nr;
	uint32_t slot;

	s->count++;
	s->lat += e->lat_ns;
	s->oncpu += e->t.oncpu;
	s->runnable += e->t.runnable;
	s->syscall += e->t.syscall;
	for (i = 0; i < GO_SLOW_WAITS; i++)
		s->wait[i] += e->t.wait[i];
	for (i = 0; i < GO_SLOW_SYSCALLS; i++) {
		if (!e->t.sys[i].nr)
			continue;
		nr = e->t.sys[i].nr - 1 < MAX_SYSNR - 1 ? e->t.sys[i].nr - 1 : MAX_SYSNR - 1;
		s->sys_count[nr] += e->t.sys[i].count;
		s->sys_ns[nr] += e->t.sys[i].ns;
	}
	s->sys_count[MAX_SYSNR - 1] += e->t.other.count;
	s->sys_ns[MAX_SYSNR - 1] += e->t.other.ns;
	for (slot = 1; (e->lat_ns / unit_ns()) >> slot && slot < SLOTS - 1; slot++)
		;
	s->hist[slot]++;	/* as bpf_log2l, but 0 in slot 1: [0, 1] */
}

/* ---- output ----------------------------------------------------------------------------- */

static double in_unit(uint64_t ns)
{
	return (double)ns / (double)unit_ns();
}

static void print_syscalls_text(const struct parts *p, const char *indent)
{
	char buf[32];
	size_t i;

	if (!p->nsys)
		return;
	printf("%ssyscalls: ", indent);
	for (i = 0; i < p->nsys; i++)
		printf("%s%s %llu %.2f", i ? ", " : "", sys_name(p->sys[i].nr, buf, sizeof(buf)),
		       (unsigned long long)p->sys[i].count, in_unit(p->sys[i].ns));
	printf("\n");
}

static void print_waits_text(const struct parts *p, const char *indent)
{
	char esc[GO_ESC_LEN], buf[32];
	size_t i;

	if (!p->nwaits)
		return;
	printf("%swaits: ", indent);
	for (i = 0; i < p->nwaits; i++)
		printf("%s%s %.2f", i ? ", " : "",
		       go_esc(reason_name(p->waits[i].reason, buf, sizeof(buf)), esc, sizeof(esc)),
		       in_unit(p->waits[i].ns));
	printf("\n");
}

static void print_json_parts(const struct parts *p)
{
	char buf[32];
	size_t i;

	printf("\"oncpu_ns\": %llu, \"runnable_ns\": %llu, \"syscall_ns\": %llu, \"wait_ns\": {",
	       (unsigned long long)p->oncpu, (unsigned long long)p->runnable,
	       (unsigned long long)p->syscall);
	for (i = 0; i < p->nwaits; i++) {
		printf("%s", i ? ", " : "");
		go_json_str(stdout, reason_name(p->waits[i].reason, buf, sizeof(buf)));
		printf(": %llu", (unsigned long long)p->waits[i].ns);
	}
	printf("}, \"syscalls\": [");
	for (i = 0; i < p->nsys; i++) {
		printf("%s{\"name\": ", i ? ", " : "");
		go_json_str(stdout, sys_name(p->sys[i].nr, buf, sizeof(buf)));
		printf(", \"nr\": %d, \"count\": %llu, \"ns\": %llu}", p->sys[i].nr,
		       (unsigned long long)p->sys[i].count, (unsigned long long)p->sys[i].ns);
	}
	printf("]");
}

#define MAX_FRAMES 256

/*
 * The Go stack of e (-U), as gostack shows it: *n frames into out (their names), then what cut
 * it, if anything; 0 frames where the walk has none.
 */
static int stack_of(const struct go_slow_event *e, const struct go_func *fn,
		    struct go_stack_frame *out, char *note, size_t size)
{
	static struct go_stack st;
	int64_t bias = 0;

	*note = 0;
	if (!(e->flags & GO_SLOW_EV_STACK))
		return 0;
	if (go_binary__load_bias(names.t->bin, (pid_t)e->pid, &bias))
		bias = 0;
	go_stack__from_walk(&st, names.t->bin, names.lines, fn, NULL, &e->stack, bias, fn->entry);
	if (go_stack__note(&st, note, size) == NULL)
		*note = 0;
	return go_stack__frames(&st, names.t->bin, names.lines, out, MAX_FRAMES);
}

static void print_stack_text(const struct go_stack_frame *fr, int n, const char *note)
{
	char esc[GO_ESC_LEN];
	int i;

	for (i = 0; i < n; i++)
		printf("        %s\n", go_esc(fr[i].f.func, esc, sizeof(esc)));
	if (*note)
		printf("        %s\n", note);
}

static void print_stack_json(const struct go_stack_frame *fr, int n, const char *note)
{
	int i;

	printf(", \"stack\": [");
	for (i = 0; i < n; i++) {
		printf("%s", i ? ", " : "");
		go_json_str(stdout, fr[i].f.func);
	}
	if (*note) {
		printf("%s", n ? ", " : "");
		go_json_str(stdout, note);
	}
	printf("]");
}

static uint64_t first_start;	/* -t: the first printed call's start */
static struct go_labelsets *labelsets;	/* --labels, -j: the kernel's, read as events name them */

/* Whether events name their goroutine's label set (go_slow_config.labels). */
static bool want_labels(void)
{
	return env.json || env.labels;
}

static void print_event_json(const struct go_slow_event *e, const struct parts *p,
			     const char *func, const char *comm, const char *when,
			     const struct go_stack_frame *fr, int nfr, const char *note)
{
	long i;

	printf("{\"ts_ns\": %llu, ", (unsigned long long)e->start_ns);
	if (when)
		printf("\"time\": \"%s\", ", when);
	printf("\"comm\": ");
	go_json_str(stdout, comm);
	printf(", \"pid\": %u, \"tid\": %u, \"goid\": %llu, \"func\": ", e->pid, e->tid,
	       (unsigned long long)e->goid);
	go_json_str(stdout, func);
	printf(", \"lat_ns\": %llu, \"rval\": ", (unsigned long long)e->lat_ns);
	if (e->flags & GO_SLOW_EV_RVAL)
		printf("%llu, ", (unsigned long long)e->rval);
	else
		printf("null, ");
	if (env.nargs) {
		printf("\"args\": [");
		for (i = 0; i < env.nargs; i++)
			printf("%s%llu", i ? ", " : "", (unsigned long long)e->args[i]);
		printf("], ");
	}
	print_json_parts(p);
	go_labelset__json_event(stdout, go_labelsets__get(labelsets, &e->labels));
	if (env.ustack)
		print_stack_json(fr, nfr, note);
	printf("}\n");
}

static void print_event_text(const struct go_slow_event *e, const struct parts *p,
			     const char *func, const char *comm, const char *when,
			     const struct go_stack_frame *fr, int nfr, const char *note)
{
	char esc[GO_ESC_LEN], cesc[GO_ESC_LEN], rval[24];
	long i;

	if (env.time)
		printf("%-10s ", when);
	if (env.timestamp)
		printf("%-10.6f ", (double)(e->start_ns - first_start) / 1e9);
	/* a result the caller overwrote before the return was seen: "-" */
	snprintf(rval, sizeof(rval), (e->flags & GO_SLOW_EV_RVAL) ? "%llx" : "-",
		 (unsigned long long)e->rval);
	printf("%-14.14s %-6u %-8llu %7.2f %16s ", go_esc(comm, cesc, sizeof(cesc)), e->pid,
	       (unsigned long long)e->goid, in_unit(e->lat_ns), rval);
	if (env.labels)
		go_labelset__column(stdout, go_labelsets__get(labelsets, &e->labels), LABELS_WIDTH);
	printf("%s", go_esc(func, esc, sizeof(esc)));
	for (i = 0; i < env.nargs; i++)
		printf(" 0x%llx", (unsigned long long)e->args[i]);
	printf("\n");
	printf("    on-cpu %.2f  runnable %.2f  syscall %.2f  wait %.2f\n", in_unit(p->oncpu),
	       in_unit(p->runnable), in_unit(p->syscall), in_unit(p->wait));
	print_syscalls_text(p, "    ");
	print_waits_text(p, "    ");
	if (env.ustack)
		print_stack_text(fr, nfr, note);
}

static void on_event(void *ctx, const void *data, size_t size)
{
	const struct go_slow_event *e = data;
	static struct go_stack_frame fr[MAX_FRAMES];
	char comm[sizeof(e->comm) + 1], ts[16], note[128];
	const char *when = NULL, *func;
	const struct go_func *fn;
	struct parts *p = ctx;
	int nfr;

	if (size < sizeof(*e) || e->func >= names.t->cnt)
		return;
	memcpy(comm, e->comm, sizeof(e->comm));
	comm[sizeof(e->comm)] = 0;
	fn = go_target__func(names.t, e->func);
	func = fn->name;
	nfr = stack_of(e, fn, fr, note, sizeof(note));
	if (!first_start)
		first_start = e->start_ns;
	if (env.time)
		when = go_strftime_now(ts, sizeof(ts));
	parts_of_event(p, e);
	if (env.json)
		print_event_json(e, p, func, comm, when, fr, nfr, note);
	else
		print_event_text(e, p, func, comm, when, fr, nfr, note);
	if (env.summary || go_prometheus())
		sums_add(e);
}

/* bcc's banner, on stdout or with -j on stderr (s->info), then the column header. */
static void print_header(FILE *info)
{
	fprintf(info, "Tracing function calls slower than %g %s... Ctrl+C to quit.\n", env.min,
		env.usecs ? "us" : "ms");
	fflush(info);
	if (env.json)
		return;
	if (env.time || env.timestamp)
		printf("%-10s ", "TIME");
	printf("%-14s %-6s %-8s %7s %16s ", "COMM", "PID", "GOID",
	       env.usecs ? "LAT(us)" : "LAT(ms)", "RVAL");
	if (env.labels)
		printf("%-*s ", LABELS_WIDTH, "LABELS");
	printf("%s\n", env.nargs ? "FUNC ARGS" : "FUNC");
	fflush(stdout);
}

static void print_summary_json(const char *func, const struct sums *s, struct parts *p)
{
	printf("{\"summary\": true, \"func\": ");
	go_json_str(stdout, func);
	printf(", \"count\": %llu, \"lat_ns\": %llu, ", (unsigned long long)s->count,
	       (unsigned long long)s->lat);
	print_json_parts(p);
	printf(", \"hist\": ");
	go_json_log2_hist(stdout, s->hist, SLOTS, unit_ns());
	printf("}\n");
}

static void print_summaries(const struct go_target *t, struct parts *p)
{
	char esc[GO_ESC_LEN];
	size_t f;

	for (f = 0; f < t->cnt; f++) {
		const struct sums *s = &sums[f];
		const char *func = go_target__func(t, f)->name;

		if (!s->count)
			continue;
		parts_of_sums(p, s);
		if (env.json) {
			print_summary_json(func, s, p);
			continue;
		}
		printf("\nFunction = %s\n", go_esc(func, esc, sizeof(esc)));
		printf("slow calls: %llu, LAT total %.2f %s, avg %.2f %s\n",
		       (unsigned long long)s->count, in_unit(s->lat), env.usecs ? "us" : "ms",
		       in_unit(s->lat / s->count), env.usecs ? "us" : "ms");
		printf("    on-cpu %.2f  runnable %.2f  syscall %.2f  wait %.2f\n",
		       in_unit(p->oncpu), in_unit(p->runnable), in_unit(p->syscall),
		       in_unit(p->wait));
		print_syscalls_text(p, "    ");
		print_waits_text(p, "    ");
		go_print_log2_hist(stdout, s->hist, SLOTS, env.usecs ? "usecs" : "msecs");
	}
	fflush(stdout);
}

/* ---- the BPF program's particulars ------------------------------------------------------ */

static int set_config(struct go_bpf *bpf, const struct go_target *t, bool goexit)
{
	struct go_lat_config lcfg = { 1, 0, goexit ? GO_LAT_GOEXIT : 0 };
	struct go_slow_config cfg = { 0 };
	const struct go_arch *arch = go_binary__arch(t->bin);
	int code, i;
	uint32_t zero = 0;

	cfg.min_ns = (uint64_t)(env.min * (double)unit_ns());
	cfg.goid_off = go_binary__goid_offset(t->bin);
	if (cfg.goid_off < 0)
		cfg.goid_off = -1;
	cfg.nargs = (uint32_t)env.nargs;
	cfg.ustack = env.ustack;
	cfg.labels = want_labels();
	for (i = 0; i < GO_SLOW_ARGS && i < arch->nregabi_ints; i++) {
		code = go_arch__reg_code(arch, arch->regabi_ints[i]);
		if (code < 0)
			return go_fail(EINVAL, "no register code for %s", arch->regabi_ints[i]);
		cfg.arg_codes[i] = (uint32_t)code;
	}
	if (go_map__update(go_bpf__map_fd(bpf, "slowcfg"), &zero, &cfg) ||
	    go_map__update(go_bpf__map_fd(bpf, "config"), &zero, &lcfg))
		return go_fail(EIO, "cannot set the program's settings");
	return 0;
}

/* The tracepoints' programs, by the plan's tracepoints ("category/name": tp_name). */
static int attach_tracepoints(struct go_session *s)
{
	char prog[64];
	size_t i;
	int err = 0;

	for (i = 0; i < s->plan.ntracepoints && !err; i++) {
		const char *slash = strchr(s->plan.tracepoints[i], '/');

		snprintf(prog, sizeof(prog), "tp_%s", slash ? slash + 1 : s->plan.tracepoints[i]);
		err = go_bpf__attach_tracepoint(s->bpf, prog, s->plan.tracepoints[i]);
	}
	return err;
}

/* Whether the binary's pprof labels can be read (go_binfo's labels_off), for --labels and -j. */
static bool labels_readable(struct go_binary *bin)
{
	struct go_labels_layout l;

	return !go_binary__labels_layout(bin, &l) && l.off >= 0;
}

/* Refuse what cannot be told: gccgo, a release without g in its register. */
static int check_binary(struct go_target *t)
{
	int n;

	if (go_binary__toolchain(t->bin) != GO_GC)
		return go_fail(ENOTSUP, "%s: gccgo's runtime keeps no goroutine status gofuncslower "
			       "can read", go_binary__name(t->bin));
	if (!go_binary__g_in_reg(t->bin, NULL, false))
		return go_fail(ENOTSUP, "%s: gofuncslower needs Go 1.17 or later (%s keeps g "
			       "out of its register)", go_binary__name(t->bin),
			       go_binary__version(t->bin));
	n = go_binary__wait_reasons(t->bin, &names.reasons);
	if (n < 0)
		return n;
	names.nreasons = (size_t)n;
	return 0;
}

/* ---- --prometheus ------------------------------------------------------------------------ */

/* What a scrape reads: the sums (sums_add, as the ring buffer's events come), the losses. */
struct scrape {
	const struct go_target *t;
	struct go_bpf *bpf;
	struct go_ringbuf *rb;
};

/* The sum of slowstats' entry i (enum go_slow_stat); 0 when it cannot be read. */
static uint64_t slow_stat(struct go_bpf *bpf, int i)
{
	uint64_t n = 0;

	return go_map__sum_percpu(go_bpf__map_fd(bpf, "slowstats"), i, &n) ? 0 : n;
}

/* One function's slow time by part, in seconds: the parts, then the waits by reason. */
static void write_parts(struct go_metrics *m, const char *func, const struct sums *s)
{
	static const char *const part[] = { "oncpu", "runnable", "syscall" };
	const uint64_t ns[] = { s->oncpu, s->runnable, s->syscall };
	const char *l[6] = { "function", func, "part", NULL, "reason", NULL };
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		l[3] = part[i];
		go_metrics__value(m, l, 2, (double)ns[i] / 1e9);
	}
	l[3] = "wait";
	for (i = 0; i < GO_SLOW_WAITS; i++) {
		if (!s->wait[i])
			continue;
		l[5] = reason_name(i, buf, sizeof(buf));
		go_metrics__value(m, l, 3, (double)s->wait[i] / 1e9);
	}
}

/*
 * --prometheus: the slow calls of each function since the start (gotools_slow_calls_total),
 * their time by part and wait reason (gotools_slow_call_seconds_total: the parts add up to
 * their latency), and what could not be told so far.
 */
static int write_metrics(struct go_metrics *m, void *ctx)
{
	const struct scrape *sc = ctx;
	const char *l[2] = { "function", NULL };
	size_t f;

	go_ringbuf__consume(sc->rb);	/* every slow call the kernel has told of so far */
	go_metrics__family(m, "gotools_slow_calls_total", "counter",
			   "Calls of the traced Go functions that took at least the threshold.");
	for (f = 0; f < sc->t->cnt; f++) {
		l[1] = go_target__func(sc->t, f)->name;
		if (sums[f].count)
			go_metrics__count(m, l, 1, sums[f].count);
	}
	go_metrics__family(m, "gotools_slow_call_seconds_total", "counter",
			   "Time in the slow calls, in seconds, by part and wait reason.");
	for (f = 0; f < sc->t->cnt; f++)
		if (sums[f].count)
			write_parts(m, go_target__func(sc->t, f)->name, &sums[f]);
	go_metrics__lost(m, GO_LOST_EVENTS, slow_stat(sc->bpf, GO_SLOW_LOST));
	go_metrics__lost(m, GO_LOST_NO_ROOM, slow_stat(sc->bpf, GO_SLOW_NO_ROOM) +
			 go_calls__stat(sc->bpf, GO_LAT_NO_ROOM));
	go_metrics__lost(m, GO_LOST_UNWOUND, go_calls__stat(sc->bpf, GO_LAT_UNWOUND));
	go_metrics__lost(m, GO_LOST_STARTS_DROPPED, go_calls__stat(sc->bpf, GO_LAT_EVICTED));
	go_metrics__lost(m, GO_LOST_CORO_UNSEEN, slow_stat(sc->bpf, GO_SLOW_CORO_UNSEEN));
	return 0;
}

/*
 * What the run could not tell: slow calls the ring buffer had no room for, calls not timed,
 * coroutine switches not followed.
 */
static void report_losses(struct go_session *s, const struct go_calls_sweeper *sw)
{
	int fd = go_bpf__map_fd(s->bpf, "slowstats");
	uint64_t n = 0;

	if (!go_map__sum_percpu(fd, GO_SLOW_LOST, &n))
		go_losses__add(&s->losses, GO_LOST_EVENTS, n);
	n = 0;
	if (!go_map__sum_percpu(fd, GO_SLOW_NO_ROOM, &n))
		go_losses__add(&s->losses, GO_LOST_NO_ROOM, n);
	n = 0;
	if (!go_map__sum_percpu(fd, GO_SLOW_CORO_UNSEEN, &n))
		go_losses__add(&s->losses, GO_LOST_CORO_UNSEEN, n);
	go_calls__count_unreturned(&s->losses, s->bpf, true, false, s->plan.goexit, sw);
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, args_doc, doc, NULL, NULL, NULL };
	const char *progs[] = { "go_entry", "go_return", "go_sched", "tp_sched_switch",
				"tp_sched_stat_runtime", "tp_sys_enter", "tp_sys_exit",
				GO_WITHIN_PROGS };
	unsigned int what = GO_PLAN_ENTRY | GO_PLAN_RET | GO_PLAN_GOEXIT | GO_PLAN_SCHED;
	struct go_bpf_spec spec = { 0 };
	struct go_session s = { 0 };
	/* the maps of goroutines' accounts and calls, swept with calls.bpf.h's */
	static const struct go_calls_map own[] = {
		{ "accts", sizeof(struct go_lat_gid) },
		{ "calls", sizeof(struct go_slow_call_key) },
		{ "cargs", sizeof(struct go_slow_call_key) },
		{ NULL, 0 },
	};
	struct go_calls_sweeper sw = { .extra = own };
	struct scrape sc = { 0 };
	struct go_ringbuf *rb = NULL;
	struct parts *parts = NULL;
	uint64_t end = 0;
	int err, fd;

	err = go_parse_args(&argp, argc, argv);
	if (err)
		return err;
	s.pid = env.pid;
	s.json = env.json;
	err = go_session__open_list(&s, env.patterns, env.npatterns, env.regex);
	if (!err)
		err = check_binary(&s.target);
	if (err)
		goto cleanup;
	names.t = &s.target;
	names.arch = go_binary__arch(s.target.bin);
	/* returns in the callers, but where labels are read at RETs only (go_return) */
	if (go_bpf__want_multi())
		what |= GO_PLAN_CALL_SITES | (want_labels() ? 0 : GO_PLAN_RETURN_SITES);
	err = go_session__plan(&s, what);
	if (err)
		goto cleanup;
	sums = calloc(s.target.cnt ? s.target.cnt : 1, sizeof(*sums));
	parts = calloc(1, sizeof(*parts));
	if (!sums || !parts) {
		err = go_fail(ENOMEM, "out of memory");
		goto cleanup;
	}
	if (env.verbose) {
		go_target__list(&s.target, s.info);
		go_target__list_returns(&s.target, s.info);
		go_target__list_inlined_unseen(&s.target, s.info, GO_INLINE_UNTIMED);
	}
	spec.src = go_bpf_src_funcslower;
	go_calls__shape(&spec, &s.plan, true, false, false, MAX_GOROUTINES, MAX_SPILL);
	if (want_labels() && labels_readable(s.target.bin))
		go_bpf_spec__size(&spec, "labelsets", MAX_LABELSETS);
	go_losses__limit(&s.losses, GO_LOST_GOROUTINES_DROPPED, MAX_GOROUTINES);
	go_losses__limit(&s.losses, GO_LOST_STARTS_DROPPED, MAX_SPILL);
	spec.progs = progs;
	spec.nprogs = sizeof(progs) / sizeof(progs[0]);
	spec.multi = go_bpf__want_multi();
	err = go_session__load(&s, &spec, env.verbose);
	if (!err && s.plan.ndual)
		err = go_calls__set_dual(s.bpf, &s.plan);
	if (!err)
		err = go_target__set_binfo(&s.target, s.bpf);
	if (!err)
		err = set_config(s.bpf, &s.target, s.plan.goexit);
	/* -U: the binary's line table names the frames */
	if (!err && env.ustack && !(names.lines = go_lines__open(s.target.bin)))
		err = go_fail(ENOENT, "%s: cannot read its line table for -U",
			      go_binary__name(s.target.bin));
	if (err)
		goto cleanup;
	/* the records of each process that exits are freed (-p: the tool ends with it) */
	err = env.pid ? 0 : go_calls__sweeper_start(&sw, s.bpf, !s.plan.goexit);
	if (err) {
		err = go_fail(-err, "cannot watch the traced processes: %s", strerror(-err));
		goto cleanup;
	}
	fd = go_bpf__map_fd(s.bpf, "events");
	rb = go_ringbuf__new(fd, GO_SLOW_RINGBUF_PAGES * (size_t)getpagesize(), on_event, parts);
	labelsets = go_labelsets__new(want_labels() && labels_readable(s.target.bin) ?
				      go_bpf__map_fd(s.bpf, "labelsets") : -1);
	if (!rb || !labelsets) {
		err = !rb ? go_fail(EIO, "cannot read the program's ring buffer") :
		      go_fail(ENOMEM, "out of memory");
		goto cleanup;
	}
	sc.t = &s.target;
	sc.bpf = s.bpf;
	sc.rb = rb;
	err = go_session__serve(&s, write_metrics, &sc);
	if (err)
		goto cleanup;
	/* the scheduler's events first, returns next: no call is seen entering unwatched */
	err = attach_tracepoints(&s);
	if (!err)
		err = go_session__attach(&s, "go_sched", &s.target, &s.plan.sched_entry);
	if (!err)
		err = go_session__attach(&s, "go_return", &s.target, &s.plan.ret);
	if (!err)
		err = go_session__attach(&s, "go_entry", &s.target, &s.plan.entry);
	if (err)
		goto cleanup;
	print_header(s.info);
	if (env.duration)
		end = go_monotonic_ns() + (uint64_t)env.duration * 1000000000ULL;
	while (!s.exiting && !s.gone && (!end || go_monotonic_ns() < end)) {
		go_session__poll(&s, fd, 100);
		go_ringbuf__consume(rb);
		fflush(stdout);
	}
	go_session__detach(&s);
	go_ringbuf__consume(rb);
	if (env.summary)
		print_summaries(&s.target, parts);
	report_losses(&s, &sw);
	go_session__end(&s);

cleanup:
	go_calls__sweeper_stop(&sw);
	go_ringbuf__free(rb);
	go_labelsets__free(labelsets);
	go_wait_reasons__free(names.reasons, names.nreasons);
	go_lines__close(names.lines);
	free(sums);
	free(parts);
	return go_session__close(&s, err);
}
