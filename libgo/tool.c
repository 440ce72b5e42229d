// SPDX-License-Identifier: Apache-2.0
/* The parts of a tool that are the same in every tool. */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"


void go_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

int go_parse_args(const struct argp *argp, int argc, char **argv)
{
	argp_err_exit_status = 2;	/* as bcc's tools (Python's argparse) */
	return argp_parse(argp, argc, argv, ARGP_NO_HELP, NULL, NULL) ? 2 : 0;
}

int go_parse_common(int key, char *arg, struct argp_state *state, pid_t *pid)
{
	long v;

	switch (key) {
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return 0;
	case GO_OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		return 0;
	case 'p':
		if (go_parse_long(arg, 1, INT32_MAX, "PID", &v))
			go_option_error();
		*pid = (pid_t)v;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

void go_option_error(void)
{
	go_warn("%s\n", libgo_errmsg());
	exit(2);
}

int go_parse_long(const char *arg, long min, long max, const char *what, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max)
		return go_fail(EINVAL, "invalid %s: '%s'", what, arg);
	*out = v;
	return 0;
}

int go_target__open(struct go_target *t, const char *spec, pid_t pid, bool regex)
{
	struct go_pattern *pat = NULL;
	char *binary = NULL;
	int n, err;

	memset(t, 0, sizeof(*t));
	err = go_probe_spec__split(spec, pid, &binary, &t->pattern);
	if (err)
		return err;
	pat = go_pattern__new(t->pattern, regex);
	if (!pat) {
		err = -errno;
		goto out;
	}
	t->bin = go_binary__open_spec(binary, pid);
	if (!t->bin) {
		err = -errno;
		goto out;
	}
	n = go_binary__match(t->bin, pat, &t->idx);
	if (n < 0)
		err = n;
	else
		t->cnt = n;
out:
	go_pattern__free(pat);
	free(binary);
	return err;
}

void go_target__close(struct go_target *t)
{
	go_binary__close(t->bin);
	go_call_sites__free(t->calls, t->cnt);
	free(t->calls);
	free(t->idx);
	free(t->pattern);
	memset(t, 0, sizeof(*t));
}

const struct go_func *go_target__func(const struct go_target *t, size_t i)
{
	return go_binary__func(t->bin, t->idx[i]);
}

size_t go_target__slot(const struct go_target *t, size_t i)
{
	const struct go_func *fn = go_target__func(t, i);
	size_t j, first = i;

	if (!fn->clone)
		return i;
	for (j = 0; j < t->cnt; j++) {
		const struct go_func *o = go_target__func(t, j);

		if (strcmp(o->name, fn->name))
			continue;
		if (!o->clone)
			return j;	/* the function itself */
		if (j < first)
			first = j;
	}
	return first;
}

int go_target__entry_offsets(struct go_target *t, uint64_t **offsets)
{
	const char *first = NULL;
	size_t i, n = 0, dropped;

	*offsets = calloc(t->cnt ? t->cnt : 1, sizeof(**offsets));
	if (!*offsets)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < t->cnt; i++) {
		const struct go_func *fn = go_target__func(t, i);
		uint64_t site;
		int64_t off = -1;

		if (!go_binary__entry_site(t->bin, fn, &site) && go_binary__probeable(t->bin, site))
			off = go_binary__file_offset(t->bin, site);
		if (off >= 0) {
			(*offsets)[n] = (uint64_t)off;
			t->idx[n++] = t->idx[i];
		} else if (!first) {
			first = fn->name;
		}
	}
	dropped = t->cnt - n;
	t->cnt = n;
	if (dropped && n)
		warn("skipping %zu function%s whose entry the kernel cannot probe (%s%s)\n",
		     dropped, dropped > 1 ? "s" : "", first, dropped > 1 ? ", ..." : "");
	if (dropped && !n) {
		free(*offsets);
		*offsets = NULL;
		return go_fail(ENOTSUP, "the kernel cannot probe the entry of %s%s", first,
			       dropped > 1 ? " nor of the other matched functions" : "");
	}
	return 0;
}

int go_probes__add(uint64_t **offs, uint64_t **cookies, size_t *n, int64_t off, uint64_t cookie)
{
	if (off < 0)
		return (int)off;
	if (!(*n & (*n - 1))) {	/* 0, 1, 2, 4, ...: the arrays are full */
		size_t c = *n ? *n * 2 : 1;
		uint64_t *o = realloc(*offs, c * sizeof(*o)), *k;

		if (!o)
			return go_fail(ENOMEM, "out of memory");
		*offs = o;
		k = realloc(*cookies, c * sizeof(*k));
		if (!k)
			return go_fail(ENOMEM, "out of memory");
		*cookies = k;
	}
	(*offs)[*n] = (uint64_t)off;
	(*cookies)[(*n)++] = cookie;
	return 0;
}

bool go_env_flag(const char *name)
{
	const char *e = getenv(name);

	return e && *e && strcmp(e, "0");
}

/*
 * Each probe costs about 0.1 ms to attach and detach. Call sites replace one entry probe by
 * several: spend at most 64 more probes than entries, plus an eighth of the entries, so that a
 * wide pattern attaches about as fast, and give them to the functions with the fewest callers
 * first, which makes the most calls cheap for the probes.
 */
#define CALLS_EXTRA_PROBES 64

static void calls_budget(struct go_target *t)
{
	size_t budget = CALLS_EXTRA_PROBES + t->cnt / 8, used = 0, limit = 1, i, more;

	do {	/* admit functions by rising caller counts: 1, 2, 4, ... */
		more = 0;
		for (i = 0; i < t->cnt; i++) {
			struct go_call_sites *cs = &t->calls[i];

			if (!cs->usable || cs->cnt > limit || cs->cnt <= limit / 2)
				continue;
			if (used + cs->cnt - 1 > budget) {
				go_call_sites__free(cs, 1);
				continue;
			}
			used += cs->cnt - 1;
		}
		for (i = 0; i < t->cnt; i++)
			if (t->calls[i].usable && t->calls[i].cnt > limit)
				more++;
		limit *= 2;
	} while (more);
}

static int target_call_sites(struct go_target *t)
{
	const struct go_func **fns = calloc(t->cnt ? t->cnt : 1, sizeof(*fns));
	size_t i;
	int err;

	go_call_sites__free(t->calls, t->cnt);
	free(t->calls);
	t->calls = calloc(t->cnt ? t->cnt : 1, sizeof(*t->calls));
	if (!fns || !t->calls) {
		free(fns);
		return go_fail(ENOMEM, "out of memory");
	}
	for (i = 0; i < t->cnt; i++)
		fns[i] = go_target__func(t, i);
	err = go_binary__call_sites(t->bin, fns, t->cnt, t->calls);
	free(fns);
	if (!err)
		calls_budget(t);
	return err;
}

int go_target__entry_probes(struct go_target *t, bool call_sites, uint64_t **offs,
			    uint64_t **cookies, size_t *n)
{
	uint64_t *entry = NULL;
	size_t i, j;
	int err;

	*offs = *cookies = NULL;
	*n = 0;
	err = go_target__entry_offsets(t, &entry);
	if (!err && call_sites && !go_env_flag("GOFUNC_NO_CALL_SITES"))
		err = target_call_sites(t);
	for (i = 0; i < t->cnt && !err; i++) {
		const struct go_call_sites *cs = t->calls ? &t->calls[i] : NULL;

		if (!cs || !cs->usable) {
			err = go_probes__add(offs, cookies, n, (int64_t)entry[i],
					     go_target__slot(t, i));
			continue;
		}
		for (j = 0; j < cs->cnt && !err; j++)
			err = go_probes__add(offs, cookies, n,
					     go_binary__file_offset(t->bin, cs->addrs[j]),
					     go_target__slot(t, i) |
					     (uint64_t)cs->sp_adj[j] << GO_COOKIE_SP_SHIFT);
	}
	free(entry);
	if (err) {
		free(*offs);
		free(*cookies);
		*offs = *cookies = NULL;
		*n = 0;
	}
	return err;
}

/* A RET's cookie: the function's index and, for a body's RET, the way to its split-stack RET. */
static uint64_t ret_cookie(size_t idx, uint64_t site, uint64_t split)
{
	if (!split || site == split)
		return idx;
	return idx | (uint64_t)(uint32_t)(split - site) << GO_COOKIE_SPLIT_SHIFT;
}

int go_target__ret_offsets(struct go_target *t, uint64_t **offs, uint64_t **cookies, size_t *n)
{
	const char *first = NULL;
	size_t i, j, kept = 0, dropped;
	int err = 0;

	*offs = *cookies = NULL;
	*n = 0;
	for (i = 0; i < t->cnt && !err; i++) {
		const struct go_func *fn = go_target__func(t, i);
		uint64_t *rets, split = 0;
		size_t nrets;

		err = go_binary__ret_sites(t->bin, fn, &rets, &nrets);
		if (err == -ENOTSUP) {	/* it would take a guess where its RETs are */
			first = first ? first : fn->name;
			err = 0;
			continue;
		}
		if (!err)
			err = go_binary__split_ret(t->bin, fn, &split);
		for (j = 0; j < nrets && !err; j++)
			err = go_probes__add(offs, cookies, n, go_binary__file_offset(t->bin, rets[j]),
					     ret_cookie(kept, rets[j], split));
		free(rets);
		t->idx[kept++] = t->idx[i];
	}
	dropped = t->cnt - kept;
	if (!err) {
		t->cnt = kept;
		if (dropped && kept)
			warn("skipping %zu function%s whose code the decoder cannot read (%s%s)\n",
			     dropped, dropped > 1 ? "s" : "", first, dropped > 1 ? ", ..." : "");
		else if (dropped)
			err = go_fail(ENOTSUP, "cannot decode the code of %s%s", first,
				      dropped > 1 ? " nor of the other matched functions" : "");
	}
	if (!err && !*n)
		err = go_fail(ENOENT, "'%s' has no RET instruction to probe", t->pattern);
	for (j = 0; !err && j < *n; j++)	/* indices to slots, now that t is what it keeps */
		(*cookies)[j] = ((*cookies)[j] & ~(uint64_t)UINT32_MAX) |
				go_target__slot(t, (uint32_t)(*cookies)[j]);
	if (err) {
		free(*offs);
		free(*cookies);
		*offs = *cookies = NULL;
		*n = 0;
	}
	return err;
}

int go_target__index_cookies(const struct go_target *t, uint64_t **cookies)
{
	size_t i;

	*cookies = calloc(t->cnt ? t->cnt : 1, sizeof(**cookies));
	if (!*cookies)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < t->cnt; i++)
		(*cookies)[i] = go_target__slot(t, i);
	return 0;
}

size_t go_target__slots(const struct go_target *t)
{
	size_t n = 16;

	while (n < t->cnt)
		n *= 2;
	return n;
}

void go_target__list(struct go_target *t, FILE *out)
{
	size_t i;

	fprintf(out, "%s: %s%s%s, %zu functions\n", go_binary__name(t->bin),
		go_binary__version(t->bin), go_binary__is_pie(t->bin) ? ", PIE" : "",
		go_binary__has_symbols(t->bin) ? "" : ", stripped",
		go_binary__func_cnt(t->bin));
	fprintf(out, "%-18s %-8s %-8s %s\n", "ADDR", "SITE", "ABI", "FUNC");
	for (i = 0; i < t->cnt; i++) {
		const struct go_func *fn = go_target__func(t, i);
		uint64_t site = fn->entry;

		char where[32];

		go_binary__entry_site(t->bin, fn, &site);
		if (t->calls && t->calls[i].usable)
			snprintf(where, sizeof(where), "%zu call%s", t->calls[i].cnt,
				 t->calls[i].cnt == 1 ? "" : "s");
		else
			snprintf(where, sizeof(where), "+%llu", (unsigned long long)(site - fn->entry));
		fprintf(out, "0x%-16llx %-8s %-8s %s", (unsigned long long)fn->entry, where,
			go_abi__name(fn->abi), fn->name);
		if (fn->clone)
			fprintf(out, " (GCC clone %s)", fn->clone);
		fputc('\n', out);
	}
}

int go_pid_watch(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return go_fail(errno, errno == ESRCH ? "no process with pid %d" :
				      "cannot watch pid %d: %s", (int)pid, strerror(errno));
	return fd;
}

/* Sleep up to ms; returns early on a signal. 1 when the watched process has exited. */
static int go_wait(int pidfd, long ms)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	if (pidfd < 0) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		return 0;
	}
	return poll(&p, 1, (int)ms) > 0 ? 1 : 0;
}

bool go_wait_interval(int pidfd, long interval, long duration, long *elapsed,
		      volatile sig_atomic_t *exiting)
{
	long waited = 0, period = interval ? interval : duration ? duration : 99999999;
	bool gone = false;

	while (waited < period * 1000 && !*exiting && !gone) {
		gone = go_wait(pidfd, 100);
		waited += 100;
	}
	*elapsed += waited / 1000;
	return gone || *exiting || (duration && *elapsed >= duration);
}

void go_print_banner(FILE *out, size_t n, const char *what, const char *pattern)
{
	fprintf(out, "Tracing %zu %s for \"%s\"... Hit Ctrl-C to end.\n", n, what, pattern);
	fflush(out);
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static int utf8_len(const unsigned char *s)
{
	int n, i;

	if (s[0] < 0x80)
		return 1;
	n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Go strings are bytes: what is not UTF-8 becomes U+FFFD, so the line stays JSON. */
void go_json_str(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', out);
	while (*s) {
		int n = utf8_len(s);

		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if (*s < 0x20)
			fprintf(out, "\\u%04x", *s);
		else if (n)
			fwrite(s, 1, n, out);
		else
			fputs("\\ufffd", out);
		s += n ? n : 1;
	}
	fputc('"', out);
}

uint64_t go_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

const char *go_strftime_now(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	strftime(buf, size, "%H:%M:%S", localtime_r(&now, &tm));
	return buf;
}

/* bcc's stars: width * val / max of them, a '+' in the last place when val exceeds max. */
static void print_stars(FILE *out, uint64_t val, uint64_t max, int width)
{
	int n = 0, i;

	while (n < width && (double)n <= (double)width * val / max - 1)
		n++;
	for (i = 0; i < n; i++)
		fputc(i == n - 1 && val > max ? '+' : '*', out);
	for (; i < width; i++)
		fputc(' ', out);
}

void go_print_log2_hist(FILE *out, const uint64_t *vals, int nvals, const char *val_type)
{
	int i, idx_max = -1, stars;
	uint64_t max = 0;
	bool wide;

	for (i = 0; i < nvals; i++) {
		if (vals[i])
			idx_max = i;
		if (vals[i] > max)
			max = vals[i];
	}
	if (idx_max <= 0)
		return;
	wide = idx_max > 32;
	stars = wide ? 20 : 40;
	if (wide)
		fprintf(out, "               %-29s : count     distribution\n", val_type);
	else
		fprintf(out, "     %-19s : count     distribution\n", val_type);
	for (i = 1; i <= idx_max; i++) {
		unsigned long long low = (1ULL << i) >> 1, high = (1ULL << i) - 1;

		if (low == high)
			low--;
		fprintf(out, wide ? "%20llu -> %-20llu : %-8llu |" : "%10llu -> %-10llu : %-8llu |",
			low, high, (unsigned long long)vals[i]);
		print_stars(out, vals[i], max, stars);
		fprintf(out, "|\n");
	}
}
