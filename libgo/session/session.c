// SPDX-License-Identifier: Apache-2.0
/*
 * A tool's run from attach to detach, as every tool does it: signals, waiting for the next
 * summary or the traced process's end, the clocks, and output in bcc's forms (banner,
 * log2 histogram, JSON strings).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe.h"
#include "session/tool.h"

static volatile sig_atomic_t *exit_flag;

static void on_signal(int sig)
{
	(void)sig;
	*exit_flag = 1;
}

void go_catch_signals(volatile sig_atomic_t *exiting)
{
	exit_flag = exiting;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
}

FILE *go_info_out(bool json)
{
	return json ? stderr : stdout;
}

int go_bpf_spec__print(const struct go_bpf_spec *spec, FILE *out)
{
	char *text = go_bpf_spec__text(spec);

	if (!text)
		return go_fail(ENOMEM, "out of memory");
	go_esc_fputs(out, text, true);	/* gotrace's probes are quoted in it */
	fflush(out);
	free(text);
	return 0;
}

int go_pid_watch(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0)
		return go_fail(errno, errno == ESRCH ? "no process with pid %d" :
				      "cannot watch pid %d: %s", (int)pid, strerror(errno));
	return fd;
}

/* What else go_wait_interval waits for (go_wait_also). */
#define MAX_ALSO 4
static struct {
	int fd;
	void (*fn)(void *ctx);
	void *ctx;
} also[MAX_ALSO];
static int nalso;

int go_wait_also(int fd, void (*fn)(void *ctx), void *ctx)
{
	if (nalso == MAX_ALSO)
		return go_fail(E2BIG, "too many descriptors to wait for");
	also[nalso].fd = fd;
	also[nalso].fn = fn;
	also[nalso].ctx = ctx;
	nalso++;
	return 0;
}

/*
 * Sleep up to ms, or until a signal; meanwhile call each go_wait_also() function whose
 * descriptor is readable. 1 when the watched process has exited.
 */
static int go_wait(int pidfd, long ms)
{
	struct pollfd p[1 + MAX_ALSO];
	int i, n;

	p[0].fd = pidfd;	/* poll skips a negative descriptor */
	p[0].events = POLLIN;
	for (i = 0; i < nalso; i++) {
		p[1 + i].fd = also[i].fd;
		p[1 + i].events = POLLIN;
	}
	if (pidfd < 0 && !nalso) {
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		return 0;
	}
	n = poll(p, 1 + nalso, (int)ms);
	for (i = 0; n > 0 && i < nalso; i++)
		if (p[1 + i].revents)
			also[i].fn(also[i].ctx);
	return n > 0 && p[0].revents ? 1 : 0;
}

bool go_wait_interval(int pidfd, long interval, long duration, long *elapsed,
		      volatile sig_atomic_t *exiting)
{
	long period = interval ? interval : duration ? duration : 99999999;
	uint64_t start = go_monotonic_ns(), end = start + (uint64_t)period * 1000000000ull, now;
	bool gone = false;

	/* by the clock: go_wait returns early whenever a go_wait_also descriptor is readable */
	while ((now = go_monotonic_ns()) < end && !*exiting && !gone) {
		uint64_t left = (end - now + 999999) / 1000000;

		gone = go_wait(pidfd, left < 100 ? (long)left : 100);
	}
	*elapsed += now >= end ? period : (long)((now - start) / 1000000000ull);
	return gone || *exiting || (duration && *elapsed >= duration);
}

void go_print_banner(FILE *out, size_t n, const char *what, const char *pattern)
{
	fprintf(out, "Tracing %zu %s for \"%s\"... Hit Ctrl-C to end.\n", n, what, pattern);
	fflush(out);
}

void go_print_no_match(const char *pattern, bool funclatency)
{
	if (funclatency)
		fprintf(stderr, "0 functions matched by \"%s\". Exiting.\n", pattern);
	else
		fprintf(stderr, "No functions matched by pattern %s\n", pattern);
	fflush(stderr);
}

void go_json_lost(FILE *out, uint64_t n, const char *what)
{
	if (!n)
		return;
	fprintf(out, "{\"lost\": %llu, \"what\": ", (unsigned long long)n);
	go_json_str(out, what);
	fprintf(out, "}\n");
	fflush(out);
}

void go_json_printout(FILE *out, unsigned long interval, const char *time)
{
	fprintf(out, "{\"interval\": %lu, ", interval);
	if (time)
		fprintf(out, "\"time\": \"%s\", ", time);
}

int go_env_size(const char *name, long def, long max, long *out)
{
	const char *v = getenv(name);

	*out = def;
	return v && *v ? go_parse_long(v, 1, max, name, out) : 0;
}

uint64_t go_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

double go_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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
