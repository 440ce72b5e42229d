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

#include "gobpf.h"
#include "libgo.h"
#include "tool.h"
#include "traceprobe.h"

#define MAX_PROBES 16
#define RINGBUF_PAGES 512	/* 2 MiB: bursts of ~4,000 events */

static struct env {
	pid_t pid;
	bool time;		/* -T */
	bool timestamp;		/* -t */
	long max_events;
	bool user_stack;
	bool regex;
	bool verbose;
	bool json;
	const char *probes[MAX_PROBES];
	int nprobes;
} env;

static volatile sig_atomic_t exiting;

static struct go_tprobe probes[MAX_PROBES];
static struct go_plan plans[MAX_PROBES];
static long events_seen;
static uint64_t first_ts;

const char *argp_program_version = "gotrace 0.1";
static const char args_doc[] = "PROBE [PROBE ...]";
static const char doc[] =
"Trace Go function calls and returns, with arguments, results and goroutine\n"
"ids.\n"
"\n"
"USAGE: gotrace [-h] [-p PID] [-T] [-t] [-M MAX] [-U] [-r] [-v] [-j]\n"
"               PROBE [PROBE ...]\n"
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
"    gotrace -r -p 181 '^main\\.add$ \"%d\", x'              # a regex\n";

static const struct argp_option opts[] = {
	GO_COMMON_OPTIONS,
	{ "time", 'T', NULL, 0, "print time column", 0 },
	{ "timestamp", 't', NULL, 0, "print timestamp column (seconds since trace start)", 0 },
	{ "max-events", 'M', "MAX", 0, "number of events to print before quitting", 0 },
	{ "user-stack", 'U', NULL, 0, "output user stack trace", 0 },
	{ "regexp", 'r', NULL, 0, "use regular expressions; default is \"*\" wildcards only", 0 },
	{ "verbose", 'v', NULL, 0, "print resulting BPF program code before executing", 0 },
	{ "json", 'j', NULL, 0, "print events as JSON lines", 0 },
	{},
};

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
	case 'j':
		env.json = true;
		break;
	case ARGP_KEY_ARG:
		if (env.nprobes == MAX_PROBES)
			argp_error(state, "too many probes (at most %d)", MAX_PROBES);
		env.probes[env.nprobes++] = arg;
		break;
	case ARGP_KEY_END:
		if (!env.nprobes)
			argp_error(state, "no PROBE given");
		break;
	default:
		return go_parse_common(key, arg, state, &env.pid);
	}
	return 0;
}

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

static FILE *info_out(void)
{
	return env.json ? stderr : stdout;
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
	if (env.time)
		printf("%-8s ", "TIME");
	if (env.timestamp)
		printf("%-12s ", "TIME");
	printf("%-7s %-7s %-15s %-7s %-16s %s\n", "PID", "TID", "COMM", "GOID", "FUNC",
	       trivial ? "" : "-");
	fflush(stdout);
}

static void print_stack(const struct go_tprobe *p, const struct go_tevent *e)
{
	const char *base = strrchr(go_binary__name(p->target.bin), '/');
	int64_t bias = 0, i;
	char sym[256];

	base = base ? base + 1 : go_binary__name(p->target.bin);
	go_binary__load_bias(p->target.bin, (pid_t)e->pid, &bias);
	if (env.json)
		printf(", \"stack\": [");
	for (i = 0; i < e->nframes && i < GO_TRACE_MAX_FRAMES; i++) {
		uint64_t pc = e->frames[i] - bias;
		int n = go_binary__symbolize(p->target.bin, pc, sym, sizeof(sym));
		char *s = sym;

		/* a long generic name does not fit: ask again with room for it */
		if (n >= (int)sizeof(sym) && (s = malloc(n + 1)))
			go_binary__symbolize(p->target.bin, pc, s, n + 1);
		if (!s)
			s = sym;
		if (env.json) {
			printf("%s", i ? ", " : "");
			go_json_str(stdout, s);
		} else {
			printf("        %s [%s]\n", s, base);
		}
		if (s != sym)
			free(s);
	}
	if (env.json)
		printf("]");
	else
		printf("\n");
}

static void print_event(const struct go_tprobe *p, const struct go_tevent *e)
{
	const char *func = go_target__func(&p->target, e->func < p->target.cnt ? e->func : 0)->name;
	char msg[1024], comm[17], ts[16];

	snprintf(comm, sizeof(comm), "%.16s", e->comm);
	go_tprobe__format(p, e, msg, sizeof(msg));
	if (env.json) {
		printf("{");
		if (env.time)
			printf("\"time\": \"%s\", ", go_strftime_now(ts, sizeof(ts)));
		printf("\"ts\": %.6f, \"pid\": %u, \"tid\": %u, \"comm\": ",
		       ((int64_t)e->ts - (int64_t)first_ts) / 1e9, e->pid, e->tid);
		go_json_str(stdout, comm);
		printf(", \"goid\": %llu, \"func\": ", (unsigned long long)e->goid);
		go_json_str(stdout, func);
		printf(", \"return\": %s, \"msg\": ", p->ret ? "true" : "false");
		go_json_str(stdout, msg);
		printf(", \"args\": ");
		go_tprobe__json_args(p, e, stdout);
		if (env.user_stack)
			print_stack(p, e);
		printf("}\n");
	} else {
		if (env.time)
			printf("%-8s ", go_strftime_now(ts, sizeof(ts)));
		if (env.timestamp)
			printf("%-12.6f ", ((int64_t)e->ts - (int64_t)first_ts) / 1e9);
		printf("%-7u %-7u %-15s %-7llu %-16s %s\n", e->pid, e->tid, comm,
		       (unsigned long long)e->goid, func, msg);
		if (env.user_stack)
			print_stack(p, e);
	}
}

static void handle_event(void *ctx, const void *data, size_t size)
{
	const struct go_tevent *e = data;

	(void)ctx;
	if (size < offsetof(struct go_tevent, nframes) || e->probe >= (uint32_t)env.nprobes)
		return;
	if (env.max_events && events_seen >= env.max_events)
		return;
	print_event(&probes[e->probe], e);
	events_seen++;
	if (env.max_events && events_seen >= env.max_events)
		exiting = 1;
}

/*
 * The sites of probe i: entry sites, or every RET (and the entries that save g for RETs that
 * cannot find it in R14); its cookies name the function and the probe's slot in go_binfo,
 * which holds its binary's goid offset.
 */
static int plan_probe(int i)
{
	unsigned int what = probes[i].ret ? GO_PLAN_RET : GO_PLAN_ENTRY;

	/*
	 * a return probe that reads no result, without stacks, may see returns in the callers
	 * (return sites: emulated, where a RET is single-stepped); results are read at RETs
	 */
	if (probes[i].ret && !probes[i].nvars && !env.user_stack && go_bpf__want_multi() &&
	    go_binary__g_in_r14(probes[i].target.bin, NULL, false))
		what |= GO_PLAN_RETURN_SITES;
	probes[i].target.slot = i;
	return go_target__plan(&probes[i].target, what, &plans[i]);
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

static char *program_text(void)
{
	char *src = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&src, &len);
	int i;

	if (!f)
		return NULL;
	fputs(go_bpf_src_trace, f);
	for (i = 0; i < env.nprobes; i++)
		go_tprobe__emit(&probes[i], i, f);
	fclose(f);
	return src;
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
	for (i = 0; i < env.nprobes && !err; i++)
		if (plans[i].gsave.cnt)
			err = go_bpf__attach(bpf, "go_gsave", go_binary__path(probes[i].target.bin),
					     plans[i].gsave.offs, plans[i].gsave.cookies,
					     plans[i].gsave.cnt, env.pid);
	for (k = 0; k < 2 * env.nprobes && !err; k++) {
		const struct go_probes *ps;

		i = k % env.nprobes;
		if (probes[i].ret != (k < env.nprobes))
			continue;
		ps = probes[i].ret ? &plans[i].ret : &plans[i].entry;
		snprintf(name, sizeof(name), "go_probe_%d", i);
		err = go_bpf__attach(bpf, name, go_binary__path(probes[i].target.bin), ps->offs,
				     ps->cookies, ps->cnt, env.pid);
	}
	return err;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, args_doc, doc, NULL, NULL, NULL };
	char flags[8][48], names[MAX_PROBES][32];
	const char *cflags[8], *prognames[MAX_PROBES + 1];
	struct go_bpf_spec spec = { 0 };
	struct go_ringbuf *rb = NULL;
	struct go_bpf *bpf = NULL;
	int err, i, nflags = 0, pidfd = -1, events_fd, lost_fd;
	char *src = NULL;
	uint64_t lost;

	err = go_parse_args(&argp, argc, argv);
	if (err)
		return err;
	if (env.pid) {
		pidfd = go_pid_watch(env.pid);
		if (pidfd < 0) {
			warn("%s\n", libgo_errmsg());
			return 1;
		}
	}
	for (i = 0; i < env.nprobes; i++) {
		err = go_tprobe__parse(&probes[i], env.probes[i], env.pid, env.regex);
		if (err) {
			warn("probe '%s': %s\n", env.probes[i], libgo_errmsg());
			env.nprobes = i + 1;
			goto cleanup;
		}
	}
	for (i = 0; i < env.nprobes; i++) {
		err = plan_probe(i);
		if (err) {
			warn("%s\n", libgo_errmsg());
			goto cleanup;
		}
	}

	snprintf(flags[nflags++], sizeof(flags[0]), "-DRINGBUF_PAGES=%d", RINGBUF_PAGES);
	if (env.user_stack)
		snprintf(flags[nflags++], sizeof(flags[0]), "-DUSER_STACKS");
	if (need_gsave())
		snprintf(flags[nflags++], sizeof(flags[0]), "-DGO_SAVE_G=1");
	for (i = 0; i < nflags; i++)
		cflags[i] = flags[i];
	for (i = 0; i < env.nprobes; i++) {
		snprintf(names[i], sizeof(names[i]), "go_probe_%d", i);
		prognames[i] = names[i];
	}
	if (need_gsave())
		prognames[env.nprobes] = "go_gsave";
	src = program_text();
	if (!src) {
		err = -ENOMEM;
		warn("out of memory\n");
		goto cleanup;
	}
	spec.src = src;
	spec.cflags = cflags;
	spec.ncflags = nflags;
	spec.progs = prognames;
	spec.nprogs = env.nprobes + need_gsave();
	spec.multi = go_bpf__want_multi();
	if (env.verbose) {
		char *text = go_bpf_spec__text(&spec);

		if (text)
			fputs(text, info_out());
		free(text);
		for (i = 0; i < env.nprobes; i++)	/* where each return probe sees returns */
			if (probes[i].ret)
				go_target__list_returns(&probes[i].target, info_out());
	}

	bpf = go_bpf__load(&spec);
	if (!bpf) {
		err = -errno;
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	events_fd = go_bpf__map_fd(bpf, "events");
	lost_fd = go_bpf__map_fd(bpf, "lost");
	rb = events_fd >= 0 ? go_ringbuf__new(events_fd, RINGBUF_PAGES * (size_t)getpagesize(),
					       handle_event, NULL) : NULL;
	if (!rb || lost_fd < 0) {
		err = -EINVAL;
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	/* -t counts from here, as bcc's trace does: an event can fire before the last attach */
	first_ts = go_monotonic_ns();
	err = attach_all(bpf);
	if (err) {
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	print_header();

	while (!exiting) {
		struct pollfd fds[2] = { { events_fd, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
		int n = poll(fds, pidfd >= 0 ? 2 : 1, 100);

		go_ringbuf__consume(rb);
		fflush(stdout);
		if (n > 0 && pidfd >= 0 && (fds[1].revents & POLLIN))
			break;	/* the traced process has exited */
	}
	go_bpf__detach(bpf);
	if (!exiting)
		go_ringbuf__consume(rb);
	if (!go_map__sum_percpu(lost_fd, 0, &lost) && lost)
		warn("possibly lost %llu samples\n", (unsigned long long)lost);
	fflush(stdout);
	err = 0;

cleanup:
	go_ringbuf__free(rb);
	go_bpf__close(bpf);
	for (i = 0; i < env.nprobes; i++) {
		go_plan__free(&plans[i]);
		go_tprobe__free(&probes[i]);
	}
	free(src);
	if (pidfd >= 0)
		close(pidfd);
	return err != 0;
}
