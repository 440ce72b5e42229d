// SPDX-License-Identifier: Apache-2.0
/*
 * What a tool could not record, said one way: a line of text on stderr for each kind of loss,
 * "WARNING: N ..." (bcc's stackcount's word; bcc's trace's own "Possibly lost N samples" for
 * events the ring buffer had no room for), and with -j a JSON line {"lost": N, "what": WHAT}
 * among the tool's output, WHAT saying what was lost and why; with --prometheus, each kind's
 * count since the start, by a short name (libgo/session/metrics.c).
 */
#include <stdio.h>
#include <string.h>

#include "probe/bpf/labels.h"
#include "probe/bpf/stackcount.h"
#include "probe/bpf/stackwalk.h"
#include "probe/bpf/within.h"
#include "session/tool.h"

/* -j's "what" of each kind: what was lost, then why (the tools' man pages, JSON OUTPUT). */
static const char *const json_what[GO_LOST_KINDS] = {
	[GO_LOST_EVENTS] = "events: the ring buffer was full",
	[GO_LOST_STACKS_FULL] = "calls: the table of stacks was full",
	[GO_LOST_TYPES_FULL] = "calls: the table of types was full",
	[GO_LOST_FRAMES_DEEP] = "frames: stacks deeper than the walk, truncated",
	[GO_LOST_FRAMES_CUT] = "frames: stacks the walk could not follow, cut",
	[GO_LOST_LABELS_CUT] = "labels: more than are kept, cut",
	[GO_LOST_LABELS_FULL] = "labels: the table of label sets was full",
	[GO_LOST_SCOPE_LABELS] = "calls: not traced, their goroutine's pprof labels could not "
				 "all be read",
	[GO_LOST_SCOPE_WITHIN] = "goroutines: within FUNC but not marked, their calls not "
				 "traced: the table of goroutines within FUNC was full",
	[GO_LOST_UNWOUND] = "returns: unwound by a panic, runtime.Goexit or a tail call, or in "
			    "progress at the end or when their process exited",
	[GO_LOST_NO_ROOM] = "calls: no room in the tool's state for calls in progress",
	[GO_LOST_STARTS_DROPPED] = "calls: their starts were dropped from the tool's full state "
				   "for calls in progress",
	[GO_LOST_GOROUTINES_DROPPED] = "goroutines: their calls in progress were dropped from the "
				       "tool's full table of goroutines",
	[GO_LOST_FILTER_UNREAD] = "events: their filter's selectors could not be read (a nil "
				  "pointer, unmapped memory): not shown",
	[GO_LOST_CORO_UNSEEN] = "coroutine switches: the goroutine switched to could not be "
				"read; its time until its next status change counts as waiting",
};

/* --prometheus's label "what" of each kind: gotools_lost_total{what=...} (the man pages). */
static const char *const names[GO_LOST_KINDS] = {
	[GO_LOST_EVENTS] = "events",
	[GO_LOST_STACKS_FULL] = "stacks_full",
	[GO_LOST_TYPES_FULL] = "types_full",
	[GO_LOST_FRAMES_DEEP] = "frames_deep",
	[GO_LOST_FRAMES_CUT] = "frames_cut",
	[GO_LOST_LABELS_CUT] = "labels_cut",
	[GO_LOST_LABELS_FULL] = "labels_full",
	[GO_LOST_UNWOUND] = "unreturned",
	[GO_LOST_NO_ROOM] = "no_room",
	[GO_LOST_STARTS_DROPPED] = "starts_dropped",
	[GO_LOST_GOROUTINES_DROPPED] = "goroutines_dropped",
	[GO_LOST_FILTER_UNREAD] = "filter_unread",
	[GO_LOST_SCOPE_LABELS] = "labels_unread",
	[GO_LOST_CORO_UNSEEN] = "coro_unseen",
	[GO_LOST_SCOPE_WITHIN] = "within_full",
};

void go_losses__init(struct go_losses *l, const char *unit)
{
	memset(l, 0, sizeof(*l));
	l->unit = unit ? unit : "call";
}

void go_losses__add(struct go_losses *l, enum go_lost kind, uint64_t n)
{
	if ((unsigned int)kind >= GO_LOST_KINDS)
		return;
	l->n[kind] += n;
	l->total[kind] += n;
}

const char *go_losses__name(enum go_lost kind)
{
	return (unsigned int)kind < GO_LOST_KINDS ? names[kind] : NULL;
}

uint64_t go_losses__total(const struct go_losses *l, enum go_lost kind)
{
	if (kind == GO_LOST_UNFINISHED || (unsigned int)kind >= GO_LOST_KINDS)
		return 0;	/* counted with GO_LOST_UNWOUND */
	return l->total[kind] + (kind == GO_LOST_UNWOUND ? l->total[GO_LOST_UNFINISHED] : 0);
}

void go_losses__limit(struct go_losses *l, enum go_lost kind, long limit)
{
	if ((unsigned int)kind < GO_LOST_KINDS)
		l->limit[kind] = limit;
}

/* "calls were" or "call was": n of the unit, and the verb. */
static void say_n(FILE *out, const struct go_losses *l, uint64_t n, bool verb)
{
	fprintf(out, "%llu %s%s", (unsigned long long)n, l->unit, n == 1 ? "" : "s");
	if (verb)
		fprintf(out, " %s", n == 1 ? "was" : "were");
}

/* The text after "WARNING: " of one kind, n > 0. */
static void say_kind(FILE *out, const struct go_losses *l, enum go_lost k, uint64_t n)
{
	long limit = l->limit[k];
	bool one = n == 1;

	switch (k) {
	case GO_LOST_EVENTS:	/* in bcc's words, which runbooks grep for */
		break;
	case GO_LOST_STACKS_FULL:
		say_n(out, l, n, true);
		fprintf(out, " not counted: the table of %ld stacks was full", limit);
		break;
	case GO_LOST_TYPES_FULL:
		say_n(out, l, n, true);
		fprintf(out, " not counted: the table of %ld distinct types%s was full", limit,
			l->values ? " and values" : "");
		break;
	case GO_LOST_FRAMES_DEEP:
		say_n(out, l, n, false);
		fprintf(out, " had stacks deeper than %d frames, shown truncated",
			GO_WALK_MAX_FRAMES);
		break;
	case GO_LOST_FRAMES_CUT:
		say_n(out, l, n, false);
		fprintf(out, " had stacks the walk could not follow to their end, shown cut");
		break;
	case GO_LOST_LABELS_CUT:
		say_n(out, l, n, false);
		fprintf(out, " had more pprof labels than are kept (%d, %d bytes), shown cut",
			GO_LABELS_MAX, GO_LABELS_BYTES - 1);
		break;
	case GO_LOST_LABELS_FULL:
		say_n(out, l, n, false);
		fprintf(out, " had pprof labels that were not kept: the table of %ld label sets "
			"was full", limit);
		break;
	case GO_LOST_SCOPE_LABELS:
		say_n(out, l, n, true);
		fprintf(out, " not traced: --label could not read %s goroutine's pprof labels whole "
			"(more than %d, or a map of more than %d buckets)", one ? "its" : "their",
			GO_SCOPE_MATCH, 1 << GO_LABELS_MAP_B_MAX);
		break;
	case GO_LOST_SCOPE_WITHIN:
		fprintf(out, "%llu goroutine%s within --within's function not marked, %s calls not "
			"traced: the table of %d goroutines within it was full",
			(unsigned long long)n, one ? "" : "s", one ? "its" : "their",
			GO_WITHIN_GOROUTINES);
		break;
	case GO_LOST_UNWOUND:	/* with the calls in progress (GO_LOST_UNFINISHED) */
		say_n(out, l, n, false);
		fprintf(out, " did not return through a RET while traced: %llu ended by a panic, "
			"runtime.Goexit or a tail call, %llu in progress at the end or when their "
			"process exited", (unsigned long long)(n - l->n[GO_LOST_UNFINISHED]),
			(unsigned long long)l->n[GO_LOST_UNFINISHED]);
		break;
	case GO_LOST_NO_ROOM:
		say_n(out, l, n, true);
		fprintf(out, " not timed: no room for %s in the tool's state", one ? "it" : "them");
		break;
	case GO_LOST_STARTS_DROPPED:
		say_n(out, l, n, true);
		fprintf(out, " not timed: the tool's full state for calls in progress (%ld calls) "
			"dropped %s", limit, one ? "its start" : "their starts");
		break;
	case GO_LOST_GOROUTINES_DROPPED:
		fprintf(out, "%llu goroutine%s had calls in progress that were not timed: the tool's "
			"full table of %ld goroutines dropped %s", (unsigned long long)n,
			one ? "" : "s", limit, one ? "its record" : "their records");
		break;
	case GO_LOST_FILTER_UNREAD:
		say_n(out, l, n, true);
		fprintf(out, " not shown: %s filter's selectors could not be read (a nil pointer, "
			"memory not mapped)", one ? "its" : "their");
		break;
	case GO_LOST_CORO_UNSEEN:
		fprintf(out, "%llu coroutine switch%s could not be followed: the goroutine switched "
			"to could not be read; %s time until its next status change counts as "
			"waiting", (unsigned long long)n, one ? "" : "es", one ? "its" : "their");
		break;
	default:
		break;
	}
}

/* n of kind k, with the calls in progress counted among the unreturned ones. */
static uint64_t kind_n(const struct go_losses *l, int k)
{
	if (k == GO_LOST_UNFINISHED)
		return 0;	/* said with GO_LOST_UNWOUND */
	return l->n[k] + (k == GO_LOST_UNWOUND ? l->n[GO_LOST_UNFINISHED] : 0);
}

void go_losses__report(struct go_losses *l, FILE *json)
{
	uint64_t n;
	int k;

	for (k = 0; k < GO_LOST_KINDS; k++) {
		if (!(n = kind_n(l, k)))
			continue;
		if (k == GO_LOST_EVENTS) {
			fprintf(stderr, "Possibly lost %llu samples\n", (unsigned long long)n);
			continue;
		}
		fprintf(stderr, "WARNING: ");
		say_kind(stderr, l, (enum go_lost)k, n);
		fprintf(stderr, "\n");
	}
	fflush(stderr);
	for (k = 0; json && k < GO_LOST_KINDS; k++) {
		if (!(n = kind_n(l, k)))
			continue;
		fprintf(json, "{\"lost\": %llu, \"what\": ", (unsigned long long)n);
		go_json_str(json, json_what[k]);
		fprintf(json, "}\n");
	}
	if (json)
		fflush(json);
	memset(l->n, 0, sizeof(l->n));
}
