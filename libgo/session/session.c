// SPDX-License-Identifier: Apache-2.0
/*
 * A tool's output as every tool prints it, in bcc's forms (banner, log2 histogram), JSON
 * strings and records, the clocks its lines show, and its map sizes from the environment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "session/tool.h"

void go_print_banner(FILE *out, size_t n, const char *what, const char *pattern)
{
	fprintf(out, "Tracing %zu %s for \"%s\"... Hit Ctrl-C to end.\n", n, what, pattern);
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
	const char *v = go_env(name);

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

/* Slot i's nanoseconds: the values whose time, cut to the unit, is in [2^(i-1), 2^i - 1]. */
static uint64_t slot_ns(int i, bool high, uint64_t u)
{
	uint64_t v = high ? 1ULL << i : i == 1 ? 0 : 1ULL << (i - 1);

	if (i >= 64 || v > UINT64_MAX / u)
		return UINT64_MAX;
	return high ? v * u - 1 : v * u;
}

void go_json_log2_hist(FILE *out, const uint64_t *vals, int nvals, uint64_t unit_ns)
{
	int i, first = 1;

	fprintf(out, "[");
	for (i = 1; i < nvals; i++) {
		if (!vals[i])
			continue;
		fprintf(out, "%s{\"low_ns\": %llu, \"high_ns\": %llu, \"count\": %llu}",
			first ? "" : ", ", (unsigned long long)slot_ns(i, false, unit_ns),
			(unsigned long long)slot_ns(i, true, unit_ns), (unsigned long long)vals[i]);
		first = 0;
	}
	fprintf(out, "]");
}
