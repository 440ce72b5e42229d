// SPDX-License-Identifier: Apache-2.0
/*
 * gotrace: trace Go function calls and returns with their arguments, results and goroutine
 * ids, as bcc's trace does, for Go binaries.
 *
 * Arguments are read where the Go ABI puts them (goargN, or the parameters' names from DWARF);
 * returns are probed at every RET instruction of the function, never with uretprobes, which
 * corrupt Go's moving stacks.
 *
 * 22-Nov-2026   Created this.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe/bpf/filter.h"
#include "probe/probe.h"
#include "libgo.h"
#include "session/tool.h"
#include "session/traceprobe.h"

#define MAX_PROBES 16
#define MAX_BUFFER_PAGES 4096	/* -b, per CPU: 16 MiB each */

/* Long options without a letter, as bcc's trace has them. */
enum { OPT_UID = 0x2000, OPT_LABELS };
#define MAX_LABELSETS 1024	/* distinct label sets the kernel keeps (-j, --labels) */

static struct env {
	pid_t pid;
	long tid;		/* -L */
	long uid;		/* --uid; -1: every user */
	const char *cgroup;	/* -c */
	const char *name;	/* -n: comm contains it */
	const char *msg_filter;	/* -f: the message contains it */
	long string_size;	/* -Z; 0: GO_TRACE_STR_LEN */
	long buffer_pages;	/* -b: per CPU; 0: GO_TRACE_RINGBUF_PAGES in all */
	bool print_cpu;		/* -C */
	bool unix_ts;		/* -u */
	bool address;		/* -a */
	bool aggregate;		/* -A */
	bool time;		/* -T */
	bool timestamp;		/* -t */
	long max_events;
	bool user_stack;
	bool regex;
	bool verbose;
	bool json;
	bool labels;		/* --labels */
	const char *probes[MAX_PROBES];
	int nprobes;
} env = { .uid = -1 };

static struct go_session session;

static struct go_tprobe probes[MAX_PROBES];
static struct go_plan plans[MAX_PROBES];
static long events_seen;
static struct go_labelsets *labelsets;	/* -j, --labels: the kernel's, read as events name them */
static uint64_t first_ts;
static double first_ts_real;	/* -u: the time of day at first_ts */

const char *argp_program_version = "gotrace 0.1";
static const char args_doc[] = "PROBE [PROBE ...]";
static const char doc[] =
"Trace Go function calls and returns, with arguments, results and goroutine\n"
"ids.\n"
"\n"
"USAGE: gotrace [-h] [-b BUFFER_PAGES] [-p PID] [-L TID] [--uid UID] [-v]\n"
"               [-Z STRING_SIZE] [-S] [-M MAX] [-t] [-u] [-T] [-C]\n"
"               [-c CGROUP_PATH] [-n NAME] [-f MSG_FILTER] [-U] [-a] [-A] [-r]\n"
"               [-j] [--dry-run] PROBE [PROBE ...]\n"
"\n"
"PROBE is [p:|r:][BINARY:]FUNCTION [(FILTER)] [\"FORMAT\"[, ARG ...]]. p: (the\n"
"default) traces calls, r: returns, at each RET instruction. ARG and FILTER\n"
"name goarg1..goargN (the argument words where the function's Go ABI puts\n"
"them), goret1..goretN (results, r: only), the function's parameters and\n"
"results by name (DWARF), and bcc's arg1..arg6 and retval (System V).\n"
"FUNCTION is a glob as gofunccount takes it, or with -r a regular expression.\n"
"\n"
"EXAMPLES:\n"
"    gotrace -p 181 'main.add \"%d %d\", goarg1, goarg2'  # first two words\n"
"    gotrace -p 181 'main.add \"x=%d y=%d\", x, y'         # by name\n"
"    gotrace -p 181 'r:main.add \"= %d\", goret1'          # the result\n"
"    gotrace -p 181 'main.greet \"%s\", name'              # a Go string\n"
"    gotrace -p 181 'main.describe \"%T %v\", v, v'        # an interface\n"
"    gotrace -p 181 'main.add (x == 42 && y > 3)'         # matching calls\n"
"    gotrace -M 10 ./srv:'main.(*C).Get \"%s\", key'       # 10 events\n"
"    gotrace -U -p 181 main.add                           # with Go stacks\n"
"    gotrace -r -p 181 '^main\\.add$ \"%d\", x'              # a regex\n"
"    gotrace -L 183 main.add                              # thread 183 only\n"
"    gotrace -c /sys/fs/cgroup/svc ./srv:main.add         # a cgroup (v2)\n"
"    gotrace --uid 1001 -n srv -C ./srv:main.add          # user, name; CPU\n"
"    gotrace --dry-run -p 181 main.add r:main.add         # list the probes only\n";

static const struct argp_option opts[] = {
	GO_COMMON_OPTIONS,
	{ "time", 'T', NULL, 0, "print time column", 0 },
	{ "timestamp", 't', NULL, 0, "print timestamp column (seconds since trace start)", 0 },
	{ "max-events", 'M', "MAX", 0, "number of events to print before quitting", 0 },
	{ "user-stack", 'U', NULL, 0, "output user stack trace", 0 },
	{ "regexp", 'r', NULL, 0, "use regular expressions; default is \"*\" wildcards only", 0 },
	{ "verbose", 'v', NULL, 0, "print resulting BPF program code before executing", 0 },
	{ "json", 'j', NULL, 0, "print events as JSON lines", 0 },
	{ "labels", OPT_LABELS, NULL, 0, "print a LABELS column: the goroutine's pprof labels", 0 },
	{ "buffer-pages", 'b', "BUFFER_PAGES", 0,
	  "number of pages per CPU to use for the ring buffer (a power of two)", 0 },
	{ "tid", 'L', "TID", 0, "id of the thread to trace (optional)", 0 },
	{ "uid", OPT_UID, "UID", 0, "id of the user to trace (optional)", 0 },
	{ "string-size", 'Z', "STRING_SIZE", 0,
	  "maximum size to read from strings (at most 128, the default)", 0 },
	{ "include-self", 'S', NULL, 0, "do not filter trace's own pid from the trace", 0 },
	{ "unix-timestamp", 'u', NULL, 0,
	  "print UNIX timestamp instead of offset from trace start, requires -t", 0 },
	{ "print_cpu", 'C', NULL, 0, "print CPU id", 0 },
	{ "cgroup-path", 'c', "CGROUP_PATH", 0, "cgroup path", 0 },
	{ "name", 'n', "NAME", 0, "only print process names containing this name", 0 },
	{ "msg-filter", 'f', "MSG_FILTER", 0,
	  "only print the msg of event containing this string", 0 },
	{ "address", 'a', NULL, 0, "print virtual address in stacks", 0 },
	{ "aggregate", 'A', NULL, 0, "aggregate amount of each trace (with -M)", 0 },
	/* bcc's options that mean nothing for Go programs: refused, with the reason */
	{ "bin_cmp", 'B', NULL, OPTION_HIDDEN, NULL, 0 },
	{ "sym_file_list", 's', "SYM_FILE_LIST", OPTION_HIDDEN, NULL, 0 },
	{ "kernel-stack", 'K', NULL, OPTION_HIDDEN, NULL, 0 },
	{ "include", 'I', "header", OPTION_HIDDEN, NULL, 0 },
	{},
};

/* A bcc option gotrace does not take: why, in one line, exit status 2. */
static void refuse(const char *opt, const char *why)
{
	go_fail(EINVAL, "%s: %s", opt, why);
	go_option_error();
}

static bool is_pow2(long v)
{
	return v > 0 && !(v & (v - 1));
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'T':
		env.time = true;
		break;
	case 't':
		env.timestamp = true;
		break;
	case 'M':
		if (go_parse_long(arg, 1, INT32_MAX, "MAX", &env.max_events))
			go_option_error();
		break;
	case 'U':
		env.user_stack = true;
		break;
	case 'r':
		env.regex = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case OPT_LABELS:
		env.labels = true;
		break;
	case 'j':
		env.json = true;
		break;
	case 'b':
		if (go_parse_long(arg, 1, MAX_BUFFER_PAGES, "BUFFER_PAGES", &env.buffer_pages) ||
		    (!is_pow2(env.buffer_pages) &&
		     go_fail(EINVAL, "invalid BUFFER_PAGES: '%s' (not a power of two)", arg)))
			go_option_error();
		break;
	case 'L':
		if (go_parse_long(arg, 1, INT32_MAX, "TID", &env.tid))
			go_option_error();
		break;
	case OPT_UID:
		if (go_parse_long(arg, 0, UINT32_MAX - 1, "UID", &env.uid))
			go_option_error();
		break;
	case 'Z':
		if (go_parse_long(arg, 1, GO_TRACE_STR_LEN, "STRING_SIZE", &env.string_size))
			go_option_error();
		break;
	case 'S':	/* gotrace runs no Go code: its own pid never hits a probe */
		break;
	case 'u':
		env.unix_ts = true;
		break;
	case 'C':
		env.print_cpu = true;
		break;
	case 'c':
		env.cgroup = arg;
		break;
	case 'n':
		env.name = arg;
		break;
	case 'f':
		env.msg_filter = arg;
		break;
	case 'a':
		env.address = true;
		break;
	case 'A':
		env.aggregate = true;
		break;
	case 'B':
		refuse("-B", "gotrace's filters compare numbers: there is no STRCMP to take binary "
		       "values");
		break;
	case 's':
		refuse("-s", "symbols come from each binary's own Go function table (pclntab)");
		break;
	case 'K':
		refuse("-K", "Go functions are traced in user space: there is no kernel stack to show");
		break;
	case 'I':
		refuse("-I", "probes read Go values by the Go ABI and DWARF: there are no C headers "
		       "to include");
		break;
	case ARGP_KEY_ARG:
		if (env.nprobes == MAX_PROBES)
			argp_error(state, "too many probes (at most %d)", MAX_PROBES);
		env.probes[env.nprobes++] = arg;
		break;
	case ARGP_KEY_END:
		if (!env.nprobes)
			argp_error(state, "no PROBE given");
		if (env.pid && env.tid)
			argp_error(state, "only one of -p and -L may be specified");
		if (env.aggregate && !env.max_events)
			argp_error(state, "-M/--max-events should be specified with -A/--aggregate");
		if (env.aggregate && env.json)
			argp_error(state, "-A prints text: not with -j");
		break;
	default:
		return go_parse_common(key, arg, state, &env.pid);
	}
	return 0;
}

/* bcc's trace is ready when its header is out; with -j, stdout is JSON only, so a banner in
 * gofunccount's form goes to stderr instead. */
static void print_header(void)
{
	bool trivial = true;
	char *patterns = NULL;
	size_t n = 0, size;
	FILE *m;
	int i;

	if (env.json) {
		m = open_memstream(&patterns, &size);
		for (i = 0; i < env.nprobes; i++) {
			n += probes[i].target.cnt;
			if (m)
				fprintf(m, "%s%s%s", i ? ", " : "", probes[i].ret ? "r:" : "",
					probes[i].target.pattern);
		}
		if (m && fclose(m)) {
			free(patterns);
			patterns = NULL;
		}
		go_print_banner(stderr, n, "functions", patterns ? patterns : "");
		free(patterns);
		return;
	}
	for (i = 0; i < env.nprobes; i++)
		trivial = trivial && !probes[i].has_format;
	/* one TIME column, as bcc's trace: -t's seconds when both -t and -T are given */
	if (env.time || env.timestamp)
		printf(env.unix_ts ? "%-17s " : "%-8s ", "TIME");
	if (env.print_cpu)
		printf("%-3s ", "CPU");
	printf("%-7s %-7s %-15s %-7s %-16s ", "PID", "TID", "COMM", "GOID", "FUNC");
	if (env.labels)
		printf("%-24s ", "LABELS");
	printf("%s\n", trivial ? "" : "-");
	fflush(stdout);
}

/* What -U needs of each probe's binary: its line table, its functions' entry frames. */
static struct go_lines *stack_lines[MAX_PROBES];
static struct go_entry_frame *entry_frames[MAX_PROBES];

/* "func+0xOFF" as bcc prints a frame, or "func (inlined)"; the length it needs, as snprintf. */
static int frame_sym(const struct go_stack_frame *fr, char *buf, size_t size)
{
	const struct go_frame *f = &fr->f;

	if (f->inlined || !f->entry)
		return snprintf(buf, size, "%s%s", f->func, f->inlined ? " (inlined)" : "");
	return snprintf(buf, size, "%s+0x%llx", f->func, (unsigned long long)(fr->pc - f->entry));
}

/* A -j frame, as gostack's (see JSON OUTPUT): addr is link-time; with bcc's "sym" too. */
static void print_json_frame(FILE *out, const struct go_frame *f, const char *sym, uint64_t addr,
			     int i)
{
	fprintf(out, "%s{\"sym\": ", i ? ", " : "");
	go_json_str(out, sym);
	fprintf(out, ", \"func\": ");
	go_json_str(out, f->func);
	fprintf(out, ", \"file\": ");
	go_json_str(out, f->file);
	fprintf(out, ", \"line\": %d, \"inlined\": %s, \"addr\": \"0x%llx\"}", f->line,
		f->inlined ? "true" : "false", (unsigned long long)addr);
}

static void print_stack(const struct go_tprobe *p, const struct go_tevent *e, FILE *out)
{
	const char *base = strrchr(go_binary__name(p->target.bin), '/');
	const struct go_walk *w = &e->walk;
	uint32_t func = e->func < p->target.cnt ? e->func : 0;
	int nfr = w->nframes < GO_WALK_MAX_FRAMES ? (int)w->nframes : GO_WALK_MAX_FRAMES;
	static struct go_stack_frame fr[GO_STACK_MAX_PCS * 16];
	struct go_stack st;
	int64_t bias = 0;
	char sym[256], note[64], e_base[GO_ESC_LEN], e_sym[GO_ESC_LEN];
	int i, n;

	base = go_esc(base ? base + 1 : go_binary__name(p->target.bin), e_base, sizeof(e_base));
	/* a process gone before its events are printed: where its stack was taken says */
	if (go_binary__load_bias(p->target.bin, (pid_t)e->pid, &bias) && e->probe < MAX_PROBES)
		go_probes__bias_from_stack(p->ret ? &plans[e->probe].ret : &plans[e->probe].entry,
					   p->target.bin, (pid_t)e->pid, e->func,
					   (const uint64_t *)w->frames, nfr, &bias);
	go_stack__from_walk(&st, p->target.bin, stack_lines[e->probe],
			    go_target__func(&p->target, func),
			    p->ret || !entry_frames[e->probe] ? NULL : &entry_frames[e->probe][func],
			    w, bias, w->frames[0] - bias);
	n = go_stack__frames(&st, p->target.bin, stack_lines[e->probe], fr,
			     sizeof(fr) / sizeof(fr[0]));
	if (env.json)
		fprintf(out, ", \"frames\": [");
	for (i = 0; i < n; i++) {
		uint64_t addr = fr[i].pc + bias;
		int len = frame_sym(&fr[i], sym, sizeof(sym));
		char *s = sym;

		/* a long generic name does not fit: again with room for it */
		if (len >= (int)sizeof(sym) && (s = malloc(len + 1)))
			frame_sym(&fr[i], s, len + 1);
		if (!s)
			s = sym;
		if (env.json) {
			print_json_frame(out, &fr[i].f, s, fr[i].pc, i);
		} else if (env.address) {
			fprintf(out, "        %16llx %s [%s]\n", (unsigned long long)addr,
				go_esc(s, e_sym, sizeof(e_sym)), base);
		} else {
			fprintf(out, "        %s [%s]\n", go_esc(s, e_sym, sizeof(e_sym)), base);
		}
		if (s != sym)
			free(s);
	}
	if (go_stack__note(&st, note, sizeof(note))) {
		go_losses__add(&session.losses, st.end == GO_STACK_TRUNCATED ?
			       GO_LOST_FRAMES_DEEP : GO_LOST_FRAMES_CUT, 1);
		if (env.json) {
			fprintf(out, "], \"stack_error\": ");
			go_json_str(out, note);
		} else {
			fprintf(out, "        %s\n", note);
		}
	} else if (env.json) {
		fprintf(out, "]");
	}
	if (!env.json)
		fprintf(out, "\n");
}

/* Seconds since tracing began (just before the probes were attached). */
static double event_elapsed(const struct go_tevent *e)
{
	return ((int64_t)e->ts - (int64_t)first_ts) / 1e9;
}

/* -t's seconds since tracing began, or with -u since the epoch, as bcc's trace prints them. */
static double event_ts(const struct go_tevent *e)
{
	return env.unix_ts ? first_ts_real + event_elapsed(e) : event_elapsed(e);
}

/*
 * -t's TIME column as bcc's trace prints it: "%.6f" cut to the column's width, 8 (17 with -u),
 * so that an offset of 10 s or more has fewer decimals.
 */
static void print_time_column(FILE *out, double ts)
{
	int width = env.unix_ts ? 17 : 8;
	char buf[64];

	snprintf(buf, sizeof(buf), "%.6f", ts);
	fprintf(out, "%-*.*s ", width, width, buf);
}

/* Whether records name their goroutine's label set (GO_TRACE_LABELS). */
static bool want_labels(void)
{
	return env.json || env.labels;
}

/* -j: the event's labels, where its goroutine has some. */
static void print_json_labels(const struct go_tevent *e, FILE *out)
{
	go_labelset__json_event(out, go_labelsets__get(labelsets, &e->labels));
}

/* --labels: the LABELS column, key=value,... ("-" for none). */
static void print_labels_column(const struct go_tevent *e, FILE *out)
{
	go_labelset__column(out, go_labelsets__get(labelsets, &e->labels), 24);
}

static void print_event(const struct go_tprobe *p, const struct go_tevent *e, const char *msg,
			FILE *out)
{
	const char *func = go_target__func(&p->target, e->func < p->target.cnt ? e->func : 0)->name;
	char comm[17], ts[16], e_comm[GO_ESC_LEN], e_func[GO_ESC_LEN];

	snprintf(comm, sizeof(comm), "%.16s", e->comm);
	if (env.json) {
		fprintf(out, "{");
		if (env.time)
			fprintf(out, "\"time\": \"%s\", ", go_strftime_now(ts, sizeof(ts)));
		/* both clocks, whatever -t and -u say: one field, one meaning */
		fprintf(out, "\"elapsed_s\": %.6f, \"epoch_s\": %.6f, ", event_elapsed(e),
			first_ts_real + event_elapsed(e));
		if (env.print_cpu)
			fprintf(out, "\"cpu\": %u, ", e->cpu);
		fprintf(out, "\"pid\": %u, \"tid\": %u, \"comm\": ", e->pid, e->tid);
		go_json_str(out, comm);
		fprintf(out, ", \"goid\": %llu, \"func\": ", (unsigned long long)e->goid);
		go_json_str(out, func);
		fprintf(out, ", \"return\": %s, \"msg\": ", p->ret ? "true" : "false");
		go_json_str(out, msg);
		fprintf(out, ", \"args\": ");
		go_tprobe__json_args(p, e, out);
		print_json_labels(e, out);
		if (env.user_stack)
			print_stack(p, e, out);
		fprintf(out, "}\n");
	} else {
		if (env.timestamp)
			print_time_column(out, event_ts(e));
		else if (env.time)
			fprintf(out, "%-8s ", go_strftime_now(ts, sizeof(ts)));
		if (env.print_cpu)
			fprintf(out, "%-3u ", e->cpu);
		/* the message's values are escaped already (go_tprobe__format) */
		fprintf(out, "%-7u %-7u %-15s %-7llu %-16s ", e->pid, e->tid,
			go_esc(comm, e_comm, sizeof(e_comm)), (unsigned long long)e->goid,
			go_esc(func, e_func, sizeof(e_func)));
		if (env.labels)
			print_labels_column(e, out);
		fprintf(out, "%s\n", msg);
		if (env.user_stack)
			print_stack(p, e, out);
	}
}

/* -A: each distinct event text (its line and stack) and how often it was seen. */
struct aggregate {
	char *text;
	long count;
};
static struct aggregate *aggs;
static size_t naggs;

static void aggregate_event(const struct go_tprobe *p, const struct go_tevent *e, const char *msg)
{
	struct aggregate *a;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	print_event(p, e, msg, f);
	if (fclose(f))
		return;
	for (i = 0; i < naggs; i++) {
		if (!strcmp(aggs[i].text, text)) {
			aggs[i].count++;
			free(text);
			return;
		}
	}
	a = realloc(aggs, (naggs + 1) * sizeof(*aggs));
	if (!a) {
		free(text);
		return;
	}
	aggs = a;
	aggs[naggs].text = text;
	aggs[naggs++].count = 1;
}

static int aggregate_cmp(const void *x, const void *y)
{
	const struct aggregate *a = x, *b = y;

	return a->count != b->count ? (a->count < b->count ? 1 : -1) : 0;
}

/* bcc's -A summary: the most frequent first, each text followed by its count. */
static void print_aggregates(void)
{
	size_t i;

	qsort(aggs, naggs, sizeof(*aggs), aggregate_cmp);
	for (i = 0; i < naggs; i++) {
		printf("%s-->COUNT %ld\n\n", aggs[i].text, aggs[i].count);
		free(aggs[i].text);
	}
	free(aggs);
	aggs = NULL;
	naggs = 0;
}

/* Whether some probe names the types of a PIE binary's interfaces (%T, %v). */
static bool names_pie_types(void)
{
	int i;

	for (i = 0; i < env.nprobes; i++)
		if (probes[i].types && go_binary__is_pie(probes[i].target.bin))
			return true;
	return false;
}

static void handle_event(void *ctx, const void *data, size_t size)
{
	const struct go_tevent *e = data;
	static char *msg;
	static size_t msg_size;
	char comm[17];
	size_t n;

	/* a record holds its probe's strings only (trace.bpf.c), and with -U the stack */
	if (size < offsetof(struct go_tevent, str) || e->probe >= (uint32_t)env.nprobes ||
	    size < go_tprobe__event_size(&probes[e->probe]) ||
	    (env.user_stack && size < offsetof(struct go_tevent, val)))
		return;
	if (env.max_events && events_seen >= env.max_events)
		return;
	/* -n and -f, as bcc's trace applies them: in user space, before -M counts the event */
	snprintf(comm, sizeof(comm), "%.16s", e->comm);
	if (env.name && !strstr(comm, env.name))
		return;
	/* a PIE process may be gone: where it loaded the binary, from where it hit a probe */
	if (probes[e->probe].types)
		go_target__bias(&probes[e->probe].target, &plans[e->probe], ctx, (pid_t)e->pid);
	/* as long as it takes: names of types have no limit */
	while ((n = go_tprobe__format(&probes[e->probe], e, msg, msg_size)) >= msg_size) {
		char *m = realloc(msg, n + 1);

		if (!m)
			return;
		msg = m;
		msg_size = n + 1;
	}
	if (env.msg_filter && !strstr(msg, env.msg_filter))
		return;
	if (env.aggregate)
		aggregate_event(&probes[e->probe], e, msg);
	else
		print_event(&probes[e->probe], e, msg, stdout);
	events_seen++;
	if (env.max_events && events_seen >= env.max_events)
		session.exiting = 1;
}

/*
 * The sites of probe i: entry sites, or every RET (and the entries that save g for RETs that
 * cannot find it in R14); its cookies name the function and the probe's slot in go_binfo,
 * which holds its binary's goid offset.
 */
static int plan_probe(int i)
{
	/* -U: the kernel's stack walk starts at the probed instruction, which must be the callee's */
	unsigned int calls = go_bpf__want_multi() && !env.user_stack ? GO_PLAN_CALL_SITES : 0;
	unsigned int what = probes[i].ret ? GO_PLAN_RET : GO_PLAN_ENTRY | calls;

	/*
	 * a return probe that reads no result, without stacks, may see returns in the callers
	 * (return sites: emulated, where a RET is single-stepped); results are read at RETs
	 */
	if (probes[i].ret && !probes[i].nvars && !env.user_stack && go_bpf__want_multi() &&
	    go_binary__g_in_reg(probes[i].target.bin, NULL, false))
		what |= GO_PLAN_RETURN_SITES;
	/*
	 * an inlined call is an event too (libgo/plan/inline.c), without arguments: they are
	 * wherever the caller's code keeps them; nor with -U, whose walk starts in the callee
	 */
	session.inline_why = NULL;
	if (!probes[i].ret && !probes[i].nvars && !env.user_stack)
		what |= GO_PLAN_INLINE;
	else if (!probes[i].ret)
		session.inline_why = probes[i].nvars ?
			"this probe does not trace: an inlined call's arguments are wherever its "
			"caller's code keeps them" :
			"this probe does not trace with -U: its stack would begin in the caller";
	probes[i].target.slot = i;
	return go_session__plan_of(&session, &probes[i].target, what, &plans[i], env.probes[i]);
}

/* Whether some return probe takes g saved at its function's entry (by go_gsave). */
static bool need_gsave(void)
{
	int i;

	for (i = 0; i < env.nprobes; i++)
		if (plans[i].gsave.cnt)
			return true;
	return false;
}

/* What the program does beside each probe's own (GO_TRACE_*): its config, and its features. */
static uint32_t trace_flags(void)
{
	uint32_t flags = 0;

	if (env.user_stack)
		flags |= GO_TRACE_USER_STACKS;
	if (names_pie_types())
		flags |= GO_TRACE_NOTE_PROCS;
	if (want_labels())
		flags |= GO_TRACE_LABELS;
	return flags;
}

static char *program_text(void)
{
	char *src = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&src, &len);
	int i;

	if (!f)
		return NULL;
	fprintf(f, "#define GO_TRACE_FEATURES %uU\n", trace_flags());
	/* the compiled image is cached by the text: one loaded with --within's programs says so */
	if (go_within_asked())
		fputs("/* with go_within_entry and go_within_ret */\n", f);
	fputs(go_bpf_src_trace, f);
	for (i = 0; i < env.nprobes; i++)
		go_tprobe__emit(&probes[i], i, f);
	fclose(f);
	return src;
}

/* The ring buffer's pages: -b's per CPU, for all CPUs, as a power of two (the kernel's rule). */
static size_t ringbuf_pages(void)
{
	size_t want = env.buffer_pages * (size_t)go_ncpus_possible(), n = 1;

	if (!env.buffer_pages)
		return GO_TRACE_RINGBUF_PAGES;
	while (n < want)
		n *= 2;
	return n;
}

/*
 * The tasks to trace (-p or -L's process, -L, --uid, -c), -Z, -U and whether to note processes,
 * in the program's maps.
 */
static int set_filters(struct go_bpf *bpf)
{
	struct go_filter filter = { 0 };
	struct go_trace_config cfg = { (uint32_t)env.string_size, 0 };
	uint32_t zero = 0;
	int fd = go_bpf__map_fd(bpf, "config");

	cfg.flags = trace_flags();
	if (fd < 0 || go_map__update(fd, &zero, &cfg))
		return fd < 0 ? fd : go_fail(EIO, "cannot set the string size");
	filter.tgid = (uint32_t)env.pid;
	filter.tid = (uint32_t)env.tid;
	if (env.uid >= 0) {
		filter.uid = (uint32_t)env.uid;
		filter.flags |= GO_FILTER_UID;
	}
	return go_bpf__set_filter(bpf, &filter, env.cgroup);
}

/*
 * Return probes first, so that no call is seen entering whose return goes unseen (and before
 * them the entries that save g for them).
 */
static int attach_all(struct go_bpf *bpf)
{
	char name[32];
	int i, k, err = 0;

	for (i = 0; i < env.nprobes && !err; i++)
		err = go_target__set_binfo(&probes[i].target, bpf);
	for (i = 0; i < env.nprobes && !err; i++)	/* selectors' plans, filters' literals */
		err = go_tprobe__set_maps(&probes[i], i, bpf);
	for (i = 0; i < env.nprobes && !err && env.user_stack; i++)
		err = go_target__set_unwind(&probes[i].target, stack_lines[i],
					    probes[i].ret ? NULL : entry_frames[i], bpf);
	for (i = 0; i < env.nprobes && !err; i++)
		if (plans[i].gsave.cnt)
			err = go_session__attach(&session, "go_gsave", &probes[i].target,
						 &plans[i].gsave);
	for (k = 0; k < 2 * env.nprobes && !err; k++) {
		const struct go_probes *ps;

		i = k % env.nprobes;
		if (probes[i].ret != (k < env.nprobes))
			continue;
		ps = probes[i].ret ? &plans[i].ret : &plans[i].entry;
		snprintf(name, sizeof(name), "go_probe_%d", i);
		err = go_session__attach(&session, name, &probes[i].target, ps);
	}
	return err;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, args_doc, doc, NULL, NULL, NULL };
	char names[MAX_PROBES][32];
	const char *prognames[MAX_PROBES + 3];
	struct go_bpf_spec spec = { 0 };
	struct go_session *s = &session;
	struct go_ringbuf *rb = NULL;
	int err, i, n, nprobes = 0, events_fd, lost_fd;
	char *src = NULL;
	uint64_t lost;

	err = go_parse_args(&argp, argc, argv);
	if (err)
		return err;
	/* -L: the thread's process gives the default binary, and is watched as -p's is */
	err = env.tid ? go_tid_tgid((pid_t)env.tid, &env.pid) : 0;
	if (err)
		goto cleanup;
	s->pid = env.pid;
	s->json = env.json;
	s->unit = "event";
	err = go_session__open(s, NULL, false);
	for (i = 0; i < env.nprobes && !err; i++, nprobes++) {
		err = go_tprobe__parse(&probes[i], env.probes[i], env.pid, env.regex);
		if (err)
			err = go_fail(-err, "probe '%s': %s", env.probes[i], libgo_errmsg());
	}
	for (i = 0; i < env.nprobes && err >= 0; i++) {
		err = plan_probe(i);	/* --dry-run: printed, GO_SESSION_DRY_RUN */
		if (err == GO_SESSION_DRY_RUN)	/* and how each selector is read */
			go_tprobe__print_exprs(&probes[i], stdout);
		/* -U: the line table (gc; NULL for gccgo) and where each caller is at an entry */
		if (!err && env.user_stack && go_binary__toolchain(probes[i].target.bin) == GO_GC) {
			stack_lines[i] = go_lines__open(probes[i].target.bin);
			if (!stack_lines[i])
				err = -errno;
		}
		if (!err && env.user_stack && !probes[i].ret)
			err = go_target__entry_frames(&probes[i].target, stack_lines[i],
						      &entry_frames[i]);
	}
	if (err)
		goto cleanup;

	if (need_gsave())
		go_bpf_spec__size(&spec, "go_gsaved", GO_GSAVED_ENTRIES);
	if (names_pie_types())
		go_bpf_spec__size(&spec, "go_procs", GO_PROCS_ENTRIES);
	if (want_labels())
		go_bpf_spec__size(&spec, "labelsets", MAX_LABELSETS);
	for (i = 0; i < env.nprobes; i++) {
		snprintf(names[i], sizeof(names[i]), "go_probe_%d", i);
		prognames[i] = names[i];
	}
	n = env.nprobes;
	if (need_gsave())
		prognames[n++] = "go_gsave";
	if (go_within_asked()) {	/* --within's probes */
		prognames[n++] = "go_within_entry";
		prognames[n++] = "go_within_ret";
	}
	src = program_text();
	if (!src) {
		err = go_fail(ENOMEM, "out of memory");
		goto cleanup;
	}
	spec.src = src;
	spec.progs = prognames;
	spec.nprogs = n;
	spec.multi = go_bpf__want_multi();
	go_bpf_spec__size(&spec, "events", (uint32_t)(ringbuf_pages() * (size_t)getpagesize()));
	err = go_session__load(s, &spec, env.verbose);
	if (err)
		goto cleanup;
	for (i = 0; i < env.nprobes && env.verbose; i++) {
		if (probes[i].ret)	/* where each return probe sees returns */
			go_target__list_returns(&probes[i].target, s->info);
		else if (probes[i].target.ninsts)	/* which instantiations it traces */
			go_target__list(&probes[i].target, s->info);
	}
	events_fd = go_bpf__map_fd(s->bpf, "events");
	labelsets = go_labelsets__new(want_labels() ? go_bpf__map_fd(s->bpf, "labelsets") : -1);
	lost_fd = go_bpf__map_fd(s->bpf, "lost");
	rb = events_fd >= 0 ? go_ringbuf__new(events_fd, ringbuf_pages() * (size_t)getpagesize(),
					       handle_event, s->bpf) : NULL;
	if (!rb || lost_fd < 0 || !labelsets || set_filters(s->bpf)) {
		err = -EINVAL;
		goto cleanup;
	}
	/* -t counts from here, as bcc's trace does: an event can fire before the last attach */
	first_ts = go_monotonic_ns();
	first_ts_real = go_realtime();
	err = attach_all(s->bpf);
	if (err)
		goto cleanup;
	print_header();

	while (!s->exiting && !s->gone) {	/* Ctrl-C, -M's last event, or the process's end */
		go_session__poll(s, events_fd, 100);
		go_ringbuf__consume(rb);
		fflush(stdout);
	}
	go_session__detach(s);
	go_ringbuf__consume(rb);	/* what came since the last wake-up */
	if (env.aggregate)
		print_aggregates();
	if (!go_map__sum_percpu(lost_fd, 0, &lost))
		go_losses__add(&s->losses, GO_LOST_EVENTS, lost);
	if (!go_map__sum_percpu(lost_fd, 2, &lost))	/* filters whose selectors were unread */
		go_losses__add(&s->losses, GO_LOST_FILTER_UNREAD, lost);
	go_session__losses(s);
	fflush(stdout);

cleanup:
	go_ringbuf__free(rb);
	go_labelsets__free(labelsets);
	for (i = 0; i < nprobes; i++) {
		go_plan__free(&plans[i]);
		go_lines__close(stack_lines[i]);
		free(entry_frames[i]);
		go_tprobe__free(&probes[i]);
	}
	free(src);
	return go_session__close(s, err);
}
