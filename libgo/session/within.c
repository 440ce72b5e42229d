// SPDX-License-Identifier: Apache-2.0
/*
 * --within FUNC: its probes, planned in the traced binary and attached before the tool's own:
 * FUNC's entries and RETs, runtime.newproc's and newcoro's entries and newproc1's RETs (where a
 * goroutine is started), and runtime.goexit1 and coroswitch_m (where one ends), for the programs
 * go_within_entry and go_within_ret of every tool (libgo/probe/bpf/within.bpf.h says how they
 * keep the goroutines within FUNC).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/bpf/labels.h"
#include "probe/bpf/within.h"
#include "probe/probe.h"
#include "session/tool.h"

struct go_within {
	struct go_target t;
	struct go_plan plan;
};

/*
 * The runtime's functions --within probes besides FUNC: where goroutines start (runtime.newproc,
 * and runtime.newcoro for iter.Pull's coroutines, Go 1.22+: both call newproc1 on the system
 * stack) and where a coroutine's goroutine ends without goexit1 (runtime.coroswitch_m).
 */
static const char *const within_runtime[] = {
	"runtime.newproc", "runtime.newproc1", "runtime.newcoro", "runtime.coroswitch_m",
};
#define WITHIN_RUNTIME (sizeof(within_runtime) / sizeof(within_runtime[0]))

static bool is_within_runtime(const char *name)
{
	size_t i;

	for (i = 0; i < WITHIN_RUNTIME; i++)
		if (!strcmp(name, within_runtime[i]))
			return true;
	return false;
}

/* FUNC, and the runtime's functions that start goroutines, in t's binary; FUNC must match. */
static int within_open(struct go_within *w, const struct go_target *t, pid_t pid,
		       const char *func)
{
	const char *bin = go_binary__path(t->bin);
	char *spec = malloc(strlen(bin) + strlen(func) + 2);
	const char *specs[1 + WITHIN_RUNTIME] = { spec };
	size_t i, n = 0, inlined = 0;
	int err;

	if (!spec)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < WITHIN_RUNTIME; i++)
		specs[1 + i] = within_runtime[i];
	if (pid)
		strcpy(spec, func);	/* -p: its executable, which t's binary is */
	else
		sprintf(spec, "%s:%s", bin, func);
	err = go_target__open_list(&w->t, specs, 1 + WITHIN_RUNTIME, pid, false);
	free(spec);
	for (i = 0; !err && i < w->t.cnt; i++) {
		if (is_within_runtime(go_target__func(&w->t, i)->name))
			continue;
		if (go_target__inline_only(&w->t, i))
			inlined++;
		else
			n++;
	}
	if (!err && !n)
		err = go_fail(ENOENT, inlined ? "cannot trace --within in '%s': '%s' matches only "
			      "functions that exist only inlined into their callers, which have no "
			      "entry or return to see" : "cannot trace --within in '%s': no function "
			      "matches '%s'", go_binary__name(t->bin), func);
	return err;
}

/* Cookie's function index of the function named name, or -ENOENT (with the message set unless
 * optional: then *out is GO_WITHIN_NONE, which no cookie holds). */
static int within_index(const struct go_within *w, const char *name, bool optional,
			uint32_t *out)
{
	size_t i;

	*out = GO_WITHIN_NONE;
	for (i = 0; i < w->t.cnt; i++)
		if (!strcmp(go_target__func(&w->t, i)->name, name)) {
			*out = (uint32_t)go_target__slot(&w->t, i);
			return 0;
		}
	if (optional)
		return -ENOENT;
	return go_fail(ENOENT, "cannot trace --within in '%s': %s cannot be probed",
		       go_binary__name(w->t.bin), name);
}

/* Drop ps's probes of function func: the RETs of runtime.newproc, newcoro and coroswitch_m and
 * newproc1's entry do nothing. */
static void within_drop(struct go_probes *ps, uint32_t func)
{
	size_t i, n = 0;

	for (i = 0; i < ps->cnt; i++)
		if (GO_COOKIE_FUNC(ps->cookies[i]) != func) {
			ps->offs[n] = ps->offs[i];
			ps->cookies[n++] = ps->cookies[i];
		}
	ps->cnt = n;
}

/* Plan the probes: FUNC's RETs must find g in its register (a Go function's do). */
static int within_plan(struct go_within *w, const struct go_target *t, struct go_scope *sc)
{
	int err;

	if (!go_binary__g_in_reg(t->bin, NULL, false) || go_binary__goid_offset(t->bin) < 0)
		return go_fail(ENOTSUP, "cannot trace --within in '%s': it keeps no goroutine in a "
			       "register (gccgo, or Go before 1.17), or its goroutine ids are "
			       "unknown", go_binary__name(t->bin));
	w->t.slot = t->slot;
	err = go_target__plan(&w->t, GO_PLAN_ENTRY | GO_PLAN_RET | GO_PLAN_GOEXIT, &w->plan);
	if (!err && (w->plan.save_g || !w->plan.goexit))
		err = go_fail(ENOTSUP, "cannot trace --within in '%s': %s", go_binary__name(t->bin),
			      w->plan.save_g ? "a function it matches is in assembly" :
			      "runtime.goexit1 cannot be probed");
	if (!err)
		err = within_index(w, "runtime.newproc", false, &sc->within_newproc);
	if (!err)
		err = within_index(w, "runtime.newproc1", false, &sc->within_newproc1);
	if (!err) {
		/* Go 1.22+ with iter.Pull linked in: its coroutines start and end there */
		within_index(w, "runtime.newcoro", true, &sc->within_newcoro);
		within_index(w, "runtime.coroswitch_m", true, &sc->within_coroswitch);
		within_drop(&w->plan.ret, sc->within_newproc);
		within_drop(&w->plan.ret, sc->within_newcoro);
		within_drop(&w->plan.ret, sc->within_coroswitch);
		within_drop(&w->plan.entry, sc->within_newproc1);
		/* an inlined call of FUNC has no entry or return to mark the goroutine: said */
		go_target__say_inlined(&w->t, false, "--within does not see: calls made there are "
				       "not within it");
	}
	return err;
}

/* FUNC's probes and the runtime's in t's binary, planned into s->within; sc gets their indices. */
static int within_prepare(struct go_session *s, const struct go_target *t, struct go_scope *sc)
{
	struct go_within *w;
	int err;

	w = s->within = calloc(1, sizeof(*w));
	if (!w)
		return go_fail(ENOMEM, "out of memory");
	err = within_open(w, t, s->pid, go_within_asked());
	return err ? err : within_plan(w, t, sc);
}

int go_session__within(struct go_session *s, const struct go_target *t, struct go_scope *sc)
{
	const char *path = go_binary__path(t->bin);
	int err = within_prepare(s, t, sc);
	struct go_within *w = s->within;

	if (!err)
		err = go_bpf__set_scope(s->bpf, sc);
	go_losses__limit(&s->losses, GO_LOST_SCOPE_WITHIN, GO_WITHIN_GOROUTINES);
	/* the RETs first, so that no call of FUNC marks a goroutine that its return cannot unmark */
	if (!err)
		err = go_bpf__attach(s->bpf, "go_within_ret", path, w->plan.ret.offs,
				     w->plan.ret.cookies, w->plan.ret.cnt, s->pid);
	if (!err)
		err = go_bpf__attach(s->bpf, "go_within_entry", path, w->plan.entry.offs,
				     w->plan.entry.cookies, w->plan.entry.cnt, s->pid);
	return err;
}

int go_session__within_print(struct go_session *s, const struct go_target *t)
{
	struct go_scope sc = { 0 };
	struct go_target named;
	char label[256];
	int err = within_prepare(s, t, &sc);

	if (err)
		return err;
	snprintf(label, sizeof(label), "--within %s", go_within_asked());
	named = s->within->t;
	named.bin = t->bin;	/* the same file, by the name the user gave */
	return go_plan__print(&named, &s->within->plan, label, s->pid, s->json, stdout);
}

void go_session__within_lost(struct go_session *s)
{
	uint64_t n;

	if (s->within && !go_bpf__scope_lost(s->bpf, GO_SCOPE_LOST_WITHIN, &n) &&
	    n > s->within_lost) {
		go_losses__add(&s->losses, GO_LOST_SCOPE_WITHIN, n - s->within_lost);
		s->within_lost = n;
	}
}

void go_session__within_free(struct go_session *s)
{
	if (!s->within)
		return;
	go_plan__free(&s->within->plan);
	go_target__close(&s->within->t);
	free(s->within);
	s->within = NULL;
}
