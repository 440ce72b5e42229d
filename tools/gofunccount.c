// SPDX-License-Identifier: Apache-2.0
/*
 * gofunccount: count calls of Go functions, as bcc's funccount does, for Go binaries.
 *
 * Each function is probed once, past its stack check, so a call whose goroutine stack grows
 * counts once; stripped binaries work through the Go function table.
 *
 * 22-Nov-2026   Created this.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/bpf/filter.h"
#include "probe/probe.h"
#include "libgo.h"
#include "session/tool.h"

static struct env {
	pid_t pid;
	long interval;		/* seconds; 0: only at the end */
	long duration;		/* seconds; 0: until Ctrl-C */
	bool timestamp;
	bool regex;
	bool debug;
	bool verbose;
	bool json;
	long cpu;		/* -c; -1: every CPU */
	const char *pattern;
} env = { .cpu = -1 };

const char *argp_program_version = "gofunccount 0.1";
static const char args_doc[] = "PATTERN";
static const char doc[] =
"Count Go function calls.\n"
"\n"
"USAGE: gofunccount [-h] [-p PID] [-i INTERVAL] [-d DURATION] [-T] [-r] [-D]\n"
"                   [-c CPU] [-v] [-j] [--prometheus [HOST:]PORT] [--dry-run]\n"
"                   PATTERN\n"
"\n"
"PATTERN is [BINARY:]FUNCTIONS. FUNCTIONS is a glob: '*' and '?' are wildcards\n"
"and every other character, ( ) [ ] and . included, is literal. With -p, BINARY\n"
"defaults to the process's executable.\n"
"\n"
"EXAMPLES:\n"
"    gofunccount ./server:'main.*'        # count main's calls in ./server\n"
"    gofunccount -p 181 'net/http.*'      # count net/http calls of PID 181\n"
"    gofunccount -p 181 'main.(*Cache).*' # count the methods of *Cache\n"
"    gofunccount -i 1 -p 181 'main.*'     # print counts every second\n"
"    gofunccount -d 5 -p 181 'runtime.*'  # count runtime calls for 5 seconds\n"
"    gofunccount -r -p 181 '^main\\.(get|put)$'  # a regular expression\n"
"    gofunccount -c 1 -p 181 'main.*'     # count main's calls on CPU 1 only\n"
"    gofunccount --dry-run -p 181 'main.*'  # list the probes, attach none\n"
"    gofunccount --prometheus 9464 -p 181 'main.*'  # and serve them to Prometheus\n";

static const struct argp_option opts[] = {
	GO_COMMON_OPTIONS,
	{ "interval", 'i', "INTERVAL", 0, "summary interval, seconds", 0 },
	{ "duration", 'd', "DURATION", 0, "total duration of trace, seconds", 0 },
	{ "timestamp", 'T', NULL, 0, "include timestamp on output", 0 },
	{ "regexp", 'r', NULL, 0, "use regular expressions; default is \"*\" wildcards only", 0 },
	{ "debug", 'D', NULL, 0, "print BPF program before starting (for debugging purposes)", 0 },
	{ "cpu", 'c', "CPU", 0, "trace this CPU only", 0 },
	{ "verbose", 'v', NULL, 0, "list each matched function with its address and ABI", 0 },
	{ "json", 'j', NULL, 0, "print counts as JSON lines", 0 },
	GO_PROMETHEUS_OPTION,
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'i':
		if (go_parse_long(arg, 1, 99999999, "interval", &env.interval))
			go_option_error();
		break;
	case 'd':
		if (go_parse_long(arg, 1, 99999999, "duration", &env.duration))
			go_option_error();
		break;
	case 'T':
		env.timestamp = true;
		break;
	case 'r':
		env.regex = true;
		break;
	case 'D':
		env.debug = true;
		break;
	case 'c':
		if (go_parse_long(arg, 0, go_ncpus_possible() - 1, "CPU", &env.cpu))
			go_option_error();
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'j':
		env.json = true;
		break;
	case ARGP_KEY_ARG:
		if (env.pattern)
			argp_error(state, "too many arguments: '%s'", arg);
		env.pattern = arg;
		break;
	case ARGP_KEY_END:
		if (!env.pattern)
			argp_error(state, "no PATTERN given");
		break;
	default:
		return go_parse_common(key, arg, state, &env.pid);
	}
	return 0;
}

/* Per-CPU counts summed; printed as the change since the last print (bcc clears instead). */
static int read_counts(int fd, size_t n, uint64_t *totals)
{
	uint32_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++)
		err = go_map__sum_percpu(fd, i, &totals[i]);
	return err;
}

struct row {
	const char *name;
	uint64_t count;
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* What --prometheus reads at a scrape: the counts map, into counts. */
struct scrape {
	const struct go_target *t;
	int fd;
	uint64_t *counts;
};

/* --prometheus: each function's calls since the start (gotools_function_calls_total). */
static int write_metrics(struct go_metrics *m, void *ctx)
{
	const struct scrape *sc = ctx;
	const char *l[2] = { "function", NULL };
	size_t i;
	int err;

	err = read_counts(sc->fd, sc->t->cnt, sc->counts);
	if (err)
		return err;
	go_metrics__family(m, "gotools_function_calls_total", "counter",
			   "Calls of the traced Go functions.");
	for (i = 0; i < sc->t->cnt; i++) {
		l[1] = go_target__func(sc->t, i)->name;
		if (sc->counts[i])
			go_metrics__count(m, l, 1, sc->counts[i]);
	}
	return 0;
}

static void print_table(const struct go_target *t, const uint64_t *now, uint64_t *prev)
{
	static unsigned long printouts;
	struct row *rows = calloc(t->cnt ? t->cnt : 1, sizeof(*rows));
	size_t i, n = 0;
	char ts[16], esc[GO_ESC_LEN];
	const char *time = env.timestamp ? go_strftime_now(ts, sizeof(ts)) : NULL;

	if (!rows)
		return;
	printouts++;
	for (i = 0; i < t->cnt; i++) {
		if (now[i] == prev[i])
			continue;
		rows[n].name = go_target__func(t, i)->name;
		rows[n++].count = now[i] - prev[i];
		prev[i] = now[i];
	}
	qsort(rows, n, sizeof(*rows), row_cmp);
	if (env.json) {
		for (i = 0; i < n; i++) {
			go_json_printout(stdout, printouts, time);
			printf("\"func\": ");
			go_json_str(stdout, rows[i].name);
			printf(", \"count\": %llu}\n", (unsigned long long)rows[i].count);
		}
	} else {
		printf("\n");
		if (time)
			printf("%-8s\n", time);
		printf("%-36s %8s\n", "FUNC", "COUNT");
		for (i = 0; i < n; i++)
			printf("%-36s %8llu\n", go_esc(rows[i].name, esc, sizeof(esc)),
			       (unsigned long long)rows[i].count);
	}
	fflush(stdout);
	free(rows);
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, args_doc, doc, NULL, NULL, NULL };
	const char *progs[] = { "go_count", GO_WITHIN_PROGS };
	struct go_bpf_spec spec = { 0 };
	struct go_session s = { 0 };
	uint64_t *now = NULL, *prev = NULL, *scraped = NULL;
	struct go_filter filter = { 0 };
	struct scrape sc;
	int err, fd, done = 0;

	err = go_parse_args(&argp, argc, argv);
	if (err)
		return err;

	s.pid = env.pid;
	s.json = env.json;	/* the banner and the closing line to stderr: stdout is JSON only */
	err = go_session__open(&s, env.pattern, env.regex);
	/* perf-event uprobes detach slowly: call sites are for uprobe_multi links */
	if (!err)
		err = go_session__plan(&s, GO_PLAN_ENTRY | GO_PLAN_INLINE |
				       (go_bpf__want_multi() ? GO_PLAN_CALL_SITES : 0));
	if (err)
		goto cleanup;
	if (env.verbose) {
		go_target__list(&s.target, s.info);
		go_target__list_inlined(&s.target, s.info);
	}

	spec.src = go_bpf_src_funccount;
	go_bpf_spec__size(&spec, "counts", go_target__slots(&s.target));
	spec.progs = progs;
	spec.nprogs = 3;
	spec.multi = go_bpf__want_multi();

	now = calloc(s.target.cnt, sizeof(*now));
	prev = calloc(s.target.cnt, sizeof(*prev));
	scraped = calloc(s.target.cnt, sizeof(*scraped));
	if (!now || !prev || !scraped) {
		err = go_fail(ENOMEM, "out of memory");
		goto cleanup;
	}

	err = go_session__load(&s, &spec, env.debug);
	if (err)
		goto cleanup;
	filter.tgid = (uint32_t)env.pid;
	if (env.cpu >= 0) {
		filter.cpu = (uint32_t)env.cpu;
		filter.flags |= GO_FILTER_CPU;
	}
	err = go_bpf__set_filter(s.bpf, &filter, NULL);
	if (!err)
		err = go_target__set_binfo(&s.target, s.bpf);
	fd = err ? err : go_bpf__map_fd(s.bpf, "counts");
	if (fd < 0) {
		err = fd;
		goto cleanup;
	}
	sc = (struct scrape){ &s.target, fd, scraped };
	err = go_session__serve(&s, write_metrics, &sc);
	if (!err)
		err = go_session__attach(&s, "go_count", &s.target, &s.plan.entry);
	if (err)
		goto cleanup;
	go_print_banner(s.info, s.target.cnt, "functions", env.pattern);
	go_target__say_inlined(&s.target, true, NULL);

	while (!done) {
		done = go_session__wait(&s, env.interval, env.duration);
		err = read_counts(fd, s.target.cnt, now);
		if (err) {
			err = go_fail(-err, "cannot read the counts: %s", strerror(-err));
			goto cleanup;
		}
		print_table(&s.target, now, prev);
	}
	go_session__end(&s);

cleanup:
	free(scraped);
	free(prev);
	free(now);
	return go_session__close(&s, err);
}
