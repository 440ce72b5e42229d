// SPDX-License-Identifier: Apache-2.0
/*
 * gofunclatency: time Go function calls as a histogram, as bcc's funclatency does, for Go.
 *
 * Calls are matched to their returns by goroutine and stack depth, not by thread (goroutines
 * move between threads), and returns are probed at RET instructions, not with uretprobes
 * (which crash Go programs).
 *
 * 22-Nov-2026   Created this.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/bpf/cookie.h"
#include "probe/bpf/funclatency.h"
#include "probe/probe.h"
#include "libgo.h"
#include "session/tool.h"

#define SLOTS GO_LAT_SLOTS
/*
 * Goroutines in a traced call at once, a record each: a limit, not a size, as records are
 * allocated as goroutines come and freed as they end (runtime.goexit1). Without that probe the
 * records are an LRU of the smaller size, allocated at once.
 */
#define MAX_GOROUTINES (1 << 20)
#define MAX_GOROUTINES_LRU 32768
#define MAX_SPILL 65536		/* calls in progress past a record's few, as in deep recursion */

static struct env {
	pid_t pid;
	long interval;
	long duration;
	bool timestamp;
	bool usecs, msecs;
	bool per_func;
	bool regex;
	bool verbose;
	bool json;
	long level;		/* -l; 0: every level */
	const char *pattern;
} env;

const char *argp_program_version = "gofunclatency 0.1";
static const char args_doc[] = "PATTERN";
static const char doc[] =
"Time Go functions and print the latency as a histogram.\n"
"\n"
"USAGE: gofunclatency [-h] [-p PID] [-i INTERVAL] [-d DURATION] [-T] [-u | -m]\n"
"                     [-F] [-r] [-l LEVEL] [-v] [-j] [--prometheus [HOST:]PORT]\n"
"                     [--dry-run] PATTERN\n"
"\n"
"PATTERN is [BINARY:]FUNCTIONS, as gofunccount takes it. Calls are timed per\n"
"goroutine, from the entry to each RET instruction.\n"
"\n"
"EXAMPLES:\n"
"    gofunclatency -p 181 main.handle            # time main.handle, in ns\n"
"    gofunclatency -m -p 181 'main.(*DB).Query'  # in milliseconds\n"
"    gofunclatency -u -i 1 -p 181 main.handle    # in microseconds, each second\n"
"    gofunclatency -F -p 181 'main.*'            # one histogram per function\n"
"    gofunclatency -d 10 ./server:main.handle    # every ./server, for 10 s\n"
"    gofunclatency -l 1 -p 181 'main.walk'       # outermost calls only\n"
"    gofunclatency --dry-run -p 181 'main.*'     # list the probes, attach none\n"
"    gofunclatency --prometheus 9464 -p 181 main.handle  # and serve to Prometheus\n";

static const struct argp_option opts[] = {
	GO_COMMON_OPTIONS,
	{ "interval", 'i', "INTERVAL", 0, "summary interval, in seconds", 0 },
	{ "duration", 'd', "DURATION", 0, "total duration of trace, in seconds", 0 },
	{ "timestamp", 'T', NULL, 0, "include timestamp on output", 0 },
	{ "microseconds", 'u', NULL, 0, "microsecond histogram", 0 },
	{ "milliseconds", 'm', NULL, 0, "millisecond histogram", 0 },
	{ "function", 'F', NULL, 0, "show a separate histogram per function", 0 },
	{ "regexp", 'r', NULL, 0, "use regular expressions; default is \"*\" wildcards only", 0 },
	{ "level", 'l', "LEVEL", 0, "set the level of nested or recursive functions", 0 },
	{ "verbose", 'v', NULL, 0, "print the matched functions and the BPF program", 0 },
	{ "json", 'j', NULL, 0, "print histograms as JSON lines", 0 },
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
	case 'u':
		env.usecs = true;
		break;
	case 'm':
		env.msecs = true;
		break;
	case 'F':
		env.per_func = true;
		break;
	case 'r':
		env.regex = true;
		break;
	case 'l':
		if (go_parse_long(arg, 1, INT32_MAX, "LEVEL", &env.level))
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
		if (env.usecs && env.msecs)
			argp_error(state, "-u and -m are exclusive");
		break;
	default:
		return go_parse_common(key, arg, state, &env.pid);
	}
	return 0;
}

static const char *unit(void)
{
	return env.msecs ? "msecs" : env.usecs ? "usecs" : "nsecs";
}

static uint64_t unit_ns(void)
{
	return env.msecs ? 1000000 : env.usecs ? 1000 : 1;
}

/*
 * Cumulative per-function histograms and totals, as the BPF program keeps them: totals in ns,
 * converted to the unit only when printed, as bcc's funclatency does (a call cut to the unit
 * before summing would lose up to a unit each).
 */
struct stats {
	uint64_t *hist;		/* nfuncs * SLOTS */
	uint64_t *total;	/* nfuncs */
};

static int stats_alloc(struct stats *s, size_t n)
{
	s->hist = calloc(n * SLOTS, sizeof(*s->hist));
	s->total = calloc(n, sizeof(*s->total));
	return s->hist && s->total ? 0 : -ENOMEM;
}

static void stats_free(struct stats *s)
{
	free(s->hist);
	free(s->total);
}

static int stats_read(struct stats *s, size_t n, int hist_fd, int total_fd)
{
	uint32_t i;
	int err = 0;

	for (i = 0; i < n * SLOTS && !err; i++)
		err = go_map__sum_percpu(hist_fd, i, &s->hist[i]);
	for (i = 0; i < n && !err; i++)
		err = go_map__sum_percpu(total_fd, i, &s->total[i]);
	return err;
}

/* A printout: its number and, with -T, its time of day (the -j records' "interval", "time"). */
struct printout {
	unsigned long n;
	const char *time;
};

/* Times in nanoseconds whatever the unit, so that nothing is cut: see JSON OUTPUT. */
static void print_json(const struct printout *po, const char *func, const uint64_t *vals,
		       uint64_t count, uint64_t total_ns)
{
	go_json_printout(stdout, po->n, po->time);
	if (func) {
		printf("\"func\": ");
		go_json_str(stdout, func);
		printf(", ");
	}
	printf("\"unit\": \"%s\", \"count\": %llu, \"total_ns\": %llu, \"avg_ns\": %llu, "
	       "\"hist\": ", unit(), (unsigned long long)count, (unsigned long long)total_ns,
	       (unsigned long long)(count ? total_ns / count : 0));
	go_json_log2_hist(stdout, vals, SLOTS, unit_ns());
	printf("}\n");
}

static uint64_t hist_count(const uint64_t *vals)
{
	uint64_t count = 0;
	int i;

	for (i = 0; i < SLOTS; i++)
		count += vals[i];
	return count;
}

/*
 * One histogram; func is NULL for all functions together. As bcc's funclatency: -F's
 * "Function = F [PID]" (the PID with -p: without, the histograms are the binary's processes'
 * together), and the avg line is printed once, for all functions (print_avg).
 */
static void print_one(const struct printout *po, const char *func, const uint64_t *vals,
		      uint64_t total_ns)
{
	char esc[GO_ESC_LEN];

	if (env.json) {
		print_json(po, func, vals, hist_count(vals), total_ns);
		return;
	}
	if (func && env.pid)
		printf("\nFunction = %s [%d]\n", go_esc(func, esc, sizeof(esc)), env.pid);
	else if (func)
		printf("\nFunction = %s\n", go_esc(func, esc, sizeof(esc)));
	go_print_log2_hist(stdout, vals, SLOTS, unit());
}

/* bcc's avg line, with its blank lines around it; none when nothing was called. */
static void print_avg(uint64_t count, uint64_t total_ns)
{
	if (env.json || !count)
		return;
	printf("\navg = %llu %s, total: %llu %s, count: %llu\n\n",
	       (unsigned long long)(total_ns / unit_ns() / count), unit(),
	       (unsigned long long)(total_ns / unit_ns()), unit(), (unsigned long long)count);
}

static void print_interval(const struct go_target *t, const struct stats *now, struct stats *prev)
{
	static unsigned long printouts;
	uint64_t sum[SLOTS] = { 0 }, delta[SLOTS], total = 0, dt;
	char ts[16];
	struct printout po = { ++printouts, env.timestamp ? go_strftime_now(ts, sizeof(ts)) : NULL };
	size_t f;
	int i;

	if (!env.json) {
		printf("\n");
		if (po.time)
			printf("%-8s\n", po.time);
	}
	for (f = 0; f < t->cnt; f++) {
		uint64_t any = 0;

		for (i = 0; i < SLOTS; i++) {
			delta[i] = now->hist[f * SLOTS + i] - prev->hist[f * SLOTS + i];
			prev->hist[f * SLOTS + i] = now->hist[f * SLOTS + i];
			sum[i] += delta[i];
			any |= delta[i];
		}
		dt = now->total[f] - prev->total[f];
		prev->total[f] = now->total[f];
		total += dt;
		if (env.per_func && any)
			print_one(&po, go_target__func(t, f)->name, delta, dt);
	}
	if (!env.per_func)
		print_one(&po, NULL, sum, total);
	print_avg(hist_count(sum), total);
	fflush(stdout);
}

/*
 * --prometheus's buckets: the slots from 1 us (or the unit) to 2^37 ns (137 s), each a
 * bound in seconds. A slot holds the calls whose time, cut to the unit, is below 2^i units;
 * the first bucket holds the slots below it too, calls beyond the last only +Inf.
 */
#define PROM_MIN_NS 1000
#define PROM_MAX_NS (1ULL << 37)

/* What --prometheus reads at a scrape, into live. */
struct scrape {
	const struct go_target *t;
	struct go_bpf *bpf;
	struct stats live;
};

/* One function's histogram, in seconds. */
static void write_histogram(struct go_metrics *m, const char *func, const uint64_t *vals,
			    uint64_t total_ns)
{
	const char *l[2] = { "function", func };
	uint64_t counts[SLOTS] = { 0 }, count = hist_count(vals);
	double le[SLOTS];
	int i, nb = 0;

	for (i = 0; i < SLOTS && (unit_ns() << i) <= PROM_MAX_NS; i++) {
		counts[nb] += vals[i];
		if ((unit_ns() << i) < PROM_MIN_NS)
			continue;	/* in the first bucket */
		le[nb++] = (double)(unit_ns() << i) / 1e9;
	}
	go_metrics__histogram(m, l, 1, le, counts, nb, count, (double)total_ns / 1e9);
}

/*
 * --prometheus: each called function's histogram since the start
 * (gotools_function_duration_seconds), and the calls not timed so far.
 */
static int write_metrics(struct go_metrics *m, void *ctx)
{
	struct scrape *sc = ctx;
	int err;
	size_t f;

	err = stats_read(&sc->live, sc->t->cnt, go_bpf__map_fd(sc->bpf, "hist"),
			 go_bpf__map_fd(sc->bpf, "totals"));
	if (err)
		return err;
	go_metrics__family(m, "gotools_function_duration_seconds", "histogram",
			   "Time in calls of the traced Go functions, per goroutine, in seconds.");
	for (f = 0; f < sc->t->cnt; f++)
		if (hist_count(&sc->live.hist[f * SLOTS]))
			write_histogram(m, go_target__func(sc->t, f)->name,
					&sc->live.hist[f * SLOTS], sc->live.total[f]);
	go_metrics__lost(m, GO_LOST_UNWOUND, go_calls__stat(sc->bpf, GO_LAT_UNWOUND));
	go_metrics__lost(m, GO_LOST_NO_ROOM, go_calls__stat(sc->bpf, GO_LAT_NO_ROOM));
	go_metrics__lost(m, GO_LOST_STARTS_DROPPED, go_calls__stat(sc->bpf, GO_LAT_EVICTED));
	return 0;
}


/*
 * What the run left unsaid that is not a loss: records the tool could not free, and (-v)
 * returns without a traced call, expected while the entry probes go live.
 */
static void report_notes(const struct go_losses *l, struct go_bpf *bpf,
			 const struct go_calls_sweeper *sw)
{
	uint64_t orphans = go_calls__stat(bpf, GO_LAT_NO_START);
	bool lost = l->n[GO_LOST_NO_ROOM] || l->n[GO_LOST_STARTS_DROPPED] ||
		    l->n[GO_LOST_GOROUTINES_DROPPED];

	if (sw->err)
		fprintf(stderr, "the records of processes that exited could not all be freed: %s\n",
			strerror(-sw->err));
	if (orphans && env.verbose)
		fprintf(stderr, "%llu return%s had no traced call (the call began before tracing%s)\n",
			(unsigned long long)orphans, orphans == 1 ? "" : "s",
			lost ? ", or found no room, or its start was dropped" :
			"");
}

/*
 * Functions whose entries the kernel single-steps: the step is in each call's time. Measured
 * before the probes are attached (which it would disturb), and said once they are, in text
 * (stderr) and in -j; nothing is subtracted.
 */
struct stepped {
	bool *f;		/* by cookie index */
	size_t n;
	uint64_t ns;		/* what the step costs a call; 0: nothing to say */
};

static void stepped_measure(struct go_target *t, const struct go_plan *plan, struct go_bpf *bpf,
			    struct stepped *st)
{
	st->ns = 0;
	st->f = calloc(go_target__slots(t), sizeof(*st->f));
	st->n = st->f ? go_target__stepped(t, plan, st->f) : 0;
	if (st->n && (go_bpf__step_cost(bpf, "go_calib", &st->ns) || st->ns < 500))
		st->ns = 0;
}

static void stepped_report(struct go_target *t, const struct stepped *st)
{
	size_t f, shown = 0;
	char names[256] = "";

	if (!st->ns)
		return;
	/* a function and its GCC clones share a slot: named once, as the function */
	for (f = 0; f < t->cnt && shown < 3; f++)
		if (go_target__slot(t, f) == f && st->f[f])
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 shown++ ? ", " : "", go_target__func(t, f)->name);
	warn("the kernel single-steps the probes where %s%s%.0zu%s %s seen to begin: each call's "
	     "time holds about %.1f usecs of the probe's own cost (measured here)\n", names,
	     st->n > shown ? " and " : "", st->n > shown ? st->n - shown : 0,
	     st->n > shown ? " more" : "", st->n == 1 ? "is" : "are", st->ns / 1000.0);
	if (env.json) {
		printf("{\"probe_cost_ns\": %llu, \"funcs\": [", (unsigned long long)st->ns);
		for (f = 0, shown = 0; f < t->cnt; f++)
			if (go_target__slot(t, f) == f && st->f[f]) {
				printf("%s", shown++ ? ", " : "");
				go_json_str(stdout, go_target__func(t, f)->name);
			}
		printf("]}\n");
		fflush(stdout);
	}
}

/*
 * The settings in the program's config: the unit, -l (only calls at most this deep among
 * their goroutine's traced calls are timed), and whether goroutines' ends are probed.
 */
static int set_config(struct go_bpf *bpf, bool goexit)
{
	struct go_lat_config cfg = { unit_ns(), (uint32_t)env.level, goexit ? GO_LAT_GOEXIT : 0 };
	int fd = go_bpf__map_fd(bpf, "config");
	uint32_t zero = 0;

	if (fd < 0)
		return fd;
	return go_map__update(fd, &zero, &cfg) ? go_fail(EIO, "cannot set the level") : 0;
}


int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, args_doc, doc, NULL, NULL, NULL };
	const char *progs[] = { "go_entry", "go_return", "go_calib", GO_WITHIN_PROGS };
	struct go_bpf_spec spec = { 0 };
	struct go_session s = { 0 };
	struct go_target *target = &s.target;
	struct go_plan *plan = &s.plan;
	struct stats now = { 0 }, prev = { 0 };
	struct scrape sc = { 0 };
	struct go_calls_sweeper sw = { 0 };
	int err, hist_fd, total_fd, done = 0;
	long max_goroutines, max_spill;
	struct go_m_layout ml;
	struct stepped stepped = { 0 };
	bool g_in_reg, g_from_m;
	unsigned int what = GO_PLAN_ENTRY | GO_PLAN_RET;

	err = go_parse_args(&argp, argc, argv);
	if (err)
		return err;
	s.pid = env.pid;
	s.json = env.json;
	s.funclatency = true;
	err = go_session__open(&s, env.pattern, env.regex);
	if (err)
		goto cleanup;
	g_in_reg = go_binary__g_in_reg(target->bin, NULL, false);
	/*
	 * Go < 1.17 keeps g in thread-local storage: the goroutine is found through the thread's
	 * runtime.m (funclatency.bpf.c, G_FROM_M); gccgo's calls are matched by SP
	 */
	g_from_m = !g_in_reg && go_binary__toolchain(target->bin) == GO_GC &&
		   !go_binary__m_layout(target->bin, &ml);
	if (env.level && !g_in_reg && !g_from_m) {
		err = go_fail(ENOTSUP, "-l: %s keeps no goroutine in R14 (%s), so calls cannot be "
			      "nested by level", go_binary__name(target->bin),
			      go_binary__toolchain(target->bin) == GO_GCCGO ? "gccgo" :
			      "Go before 1.17, of a runtime.m layout libgo does not know");
		goto cleanup;
	}
	if (!g_in_reg && !g_from_m && go_binary__toolchain(target->bin) == GO_GC)
		warn("%s: calls are matched by stack pointer, which a stack copied during a call "
		     "changes\n", libgo_errmsg());
	/*
	 * perf-event uprobes detach slowly: call sites are for uprobe_multi links; through m, a
	 * thread is learned where g is in a register, at entry sites, not at CALLs
	 */
	if (go_bpf__want_multi() && !g_from_m)
		what |= GO_PLAN_CALL_SITES;
	if (g_from_m)
		what |= GO_PLAN_THREADS;
	/*
	 * with g, go_entry also runs where goroutines end, to drop their records, and where calls
	 * return in their callers (return sites, emulated where a RET is single-stepped)
	 */
	if ((g_in_reg || g_from_m) && !go_env_flag("GOTOOLS_NO_GOEXIT"))	/* for the LRU's tests */
		what |= GO_PLAN_GOEXIT;
	if (g_in_reg && go_bpf__want_multi())
		what |= GO_PLAN_RETURN_SITES;
	err = go_session__plan(&s, what);
	if (!err && (g_in_reg || g_from_m) && !plan->goexit && env.verbose)
		fprintf(s.info, "no runtime.goexit1: the calls of goroutines that end by "
			"runtime.Goexit stay until the LRU evicts them\n");
	if (!err && (stats_alloc(&now, target->cnt) || stats_alloc(&prev, target->cnt) ||
		     stats_alloc(&sc.live, target->cnt)))
		err = go_fail(ENOMEM, "out of memory");
	if (err)
		goto cleanup;
	if (env.verbose) {
		go_target__list(target, s.info);
		go_target__list_returns(target, s.info);
		go_target__list_inlined_unseen(target, s.info, GO_INLINE_UNTIMED);
	}

	/* GOTOOLS_MAX_GOROUTINES: fewer, for the tests that fill the table */
	err = go_env_size("GOTOOLS_MAX_GOROUTINES",
			  plan->goexit ? MAX_GOROUTINES : MAX_GOROUTINES_LRU, MAX_GOROUTINES,
			  &max_goroutines);
	/* GOTOOLS_MAX_SPILL: fewer, for the tests that make its LRU drop calls */
	if (!err)
		err = go_env_size("GOTOOLS_MAX_SPILL", MAX_SPILL, MAX_SPILL, &max_spill);
	if (err)
		goto cleanup;
	go_losses__limit(&s.losses, GO_LOST_GOROUTINES_DROPPED, max_goroutines);
	go_losses__limit(&s.losses, GO_LOST_STARTS_DROPPED, max_spill);
	spec.src = go_bpf_src_funclatency;
	go_bpf_spec__size(&spec, "hist", go_target__slots(target) * GO_LAT_SLOTS);
	go_bpf_spec__size(&spec, "totals", go_target__slots(target));
	go_calls__shape(&spec, plan, g_in_reg || g_from_m, !g_in_reg, g_from_m, max_goroutines,
			max_spill);
	spec.progs = progs;
	spec.nprogs = 5;
	spec.multi = go_bpf__want_multi();

	err = go_session__load(&s, &spec, env.verbose);
	if (!err && plan->ndual)
		err = go_calls__set_dual(s.bpf, plan);
	if (!err)
		err = go_target__set_binfo(target, s.bpf);
	if (!err)
		err = set_config(s.bpf, plan->goexit);
	if (err)
		goto cleanup;
	hist_fd = go_bpf__map_fd(s.bpf, "hist");
	total_fd = go_bpf__map_fd(s.bpf, "totals");
	/* the records of each process that exits are freed (-p: the tool ends with it) */
	err = env.pid ? 0 : go_calls__sweeper_start(&sw, s.bpf,
						    (g_in_reg || g_from_m) && !plan->goexit);
	if (err) {
		err = go_fail(-err, "cannot watch the traced processes: %s", strerror(-err));
		goto cleanup;
	}
	stepped_measure(target, plan, s.bpf, &stepped);
	sc.t = target;
	sc.bpf = s.bpf;
	err = go_session__serve(&s, write_metrics, &sc);
	if (err)
		goto cleanup;
	/* returns first, so that no call is seen entering without its return being watched */
	err = go_session__attach(&s, "go_return", target, &plan->ret);
	if (!err)
		err = go_session__attach(&s, "go_entry", target, &plan->entry);
	if (err)
		goto cleanup;
	go_print_banner(s.info, target->cnt, "functions", env.pattern);
	stepped_report(target, &stepped);

	while (!done) {
		done = go_session__wait(&s, env.interval, env.duration);
		err = stats_read(&now, target->cnt, hist_fd, total_fd);
		if (err) {
			err = go_fail(-err, "cannot read the histograms: %s", strerror(-err));
			goto cleanup;
		}
		print_interval(target, &now, &prev);
	}
	go_session__detach(&s);
	go_calls__count_unreturned(&s.losses, s.bpf, g_in_reg || g_from_m, !g_in_reg, plan->goexit, &sw);
	report_notes(&s.losses, s.bpf, &sw);
	go_session__end(&s);

cleanup:
	go_calls__sweeper_stop(&sw);
	stats_free(&now);
	stats_free(&prev);
	stats_free(&sc.live);
	free(stepped.f);
	return go_session__close(&s, err);
}
