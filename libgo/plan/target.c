// SPDX-License-Identifier: Apache-2.0
/*
 * The functions a tool traces (a target: a binary and the functions a pattern matches there)
 * and the plan of its probes: which functions can be probed, their numbering, and every entry,
 * call, RET and goexit site with its cookie (libgo/probe/bpf/cookie.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/bpf/cookie.h"
#include "probe/bpf/stackwalk.h"
#include "plan/plan.h"
#include "probe/probe.h"

/* Where a coroutine switches goroutines (GO_COOKIE_CORO). */
#define CORO_SWITCH "runtime.coroswitch_m"

/* Is the i-th function an instantiation (insts[*k])? */
static bool target_inst(const struct go_target *t, size_t i, size_t *k)
{
	size_t nf = go_binary__func_cnt(t->bin);

	if (t->idx[i] < nf || t->idx[i] - nf >= t->ninsts)
		return false;
	*k = t->idx[i] - nf;
	return true;
}

/* The function whose code the i-th runs: an instantiation's shaped body, else itself. */
static const struct go_func *target_body(const struct go_target *t, size_t i)
{
	size_t k;

	return target_inst(t, i, &k) ? t->insts[k].inst->body : go_target__func(t, i);
}

/* Drop the functions for which drop() says so, keeping the order of the others. */
static void target_filter(struct go_target *t, bool (*drop)(const struct go_target *, size_t))
{
	size_t i, n = 0;

	for (i = 0; i < t->cnt; i++)
		if (!drop(t, i))
			t->idx[n++] = t->idx[i];
	t->cnt = n;
}

/* An instantiation's own wrapper, when the instantiation is matched too: its calls are. */
static bool is_matched_wrapper(const struct go_target *t, size_t i)
{
	const struct go_func *fn = go_target__func(t, i);
	size_t k;

	if (target_inst(t, i, &k))
		return false;
	for (k = 0; k < t->ninsts; k++)	/* every instantiation is among t's functions here */
		if (t->insts[k].inst->wrapper == fn)
			return true;
	return false;
}

/*
 * The instantiations whose names pat matches, as functions of t. Those whose dictionary is
 * another's too cannot be told apart: they are said and left out.
 */
static int target_add_instances(struct go_target *t, const struct go_pattern *pat)
{
	const struct go_inst *in, *amb = NULL;
	size_t n, i, m = 0, namb = 0, nf = go_binary__func_cnt(t->bin), *idx;
	int err = go_binary__instances(t->bin, pat, &in, &n);

	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (go_pattern__match(pat, in[i].name))
			m++;
	if (!m)
		return 0;
	idx = realloc(t->idx, (t->cnt + m) * sizeof(*idx));
	if (!idx)
		return go_fail(ENOMEM, "out of memory");
	t->idx = idx;
	t->insts = calloc(m, sizeof(*t->insts));
	if (!t->insts)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		struct go_target_inst *ti = &t->insts[t->ninsts];

		if (!go_pattern__match(pat, in[i].name))
			continue;
		if (!in[i].dict) {
			if (!namb++)
				amb = &in[i];
			continue;
		}
		ti->fn = *in[i].body;
		ti->fn.name = in[i].name;
		ti->fn.pcln_name = NULL;
		ti->inst = &in[i];
		t->idx[t->cnt++] = nf + t->ninsts++;
	}
	if (namb)
		warn("cannot tell %s%s from another instantiation of %s (they share a dictionary, "
		     "an empty one, or a name): not traced; trace %s for them all\n", amb->name,
		     namb > 1 ? " (and others)" : "", amb->body->name, amb->body->name);
	target_filter(t, is_matched_wrapper);
	return 0;
}

/* Does a later spec, naming binary b, trace the first's (a)? It names none, or the same path. */
static bool same_binary(const char *a, const char *b)
{
	return !b || (a && !strcmp(a, b));
}

/* t->pattern, then a space and funcs: how the message and --dry-run name several. */
static int target_append_pattern(struct go_target *t, const char *funcs)
{
	size_t len = strlen(t->pattern);
	char *all = realloc(t->pattern, len + strlen(funcs) + 2);

	if (!all)
		return go_fail(ENOMEM, "out of memory");
	all[len] = ' ';
	strcpy(all + len + 1, funcs);
	t->pattern = all;
	return 0;
}

/* specs[1..n-1] as alternatives of pat, specs[0]'s, whose binary is binary. */
static int target_add_specs(struct go_target *t, struct go_pattern *pat, const char *binary,
			    const char *const *specs, int n, pid_t pid, bool regex)
{
	char *other, *funcs;
	int i, err = 0;

	for (i = 1; i < n && !err; i++) {
		err = go_probe_spec__split(specs[i], pid, regex, &other, &funcs);
		if (err)
			break;
		if (!same_binary(binary, other))
			err = go_fail(EINVAL, "'%s' and '%s' name different binaries: trace one at a "
				      "time", specs[0], specs[i]);
		if (!err)
			err = go_pattern__add(pat, funcs);
		if (!err)
			err = target_append_pattern(t, funcs);
		free(other);
		free(funcs);
	}
	return err;
}

int go_target__open_list(struct go_target *t, const char *const *specs, int n, pid_t pid,
			 bool regex)
{
	struct go_pattern *pat = NULL;
	char *binary = NULL;
	int cnt, err;

	memset(t, 0, sizeof(*t));
	err = go_probe_spec__split(specs[0], pid, regex, &binary, &t->pattern);
	if (err)
		return err;
	pat = go_pattern__new(t->pattern, regex);
	if (!pat) {
		err = -errno;
		goto out;
	}
	err = target_add_specs(t, pat, binary, specs, n, pid, regex);
	if (err)
		goto out;
	t->bin = go_binary__open_spec(binary, pid);
	if (!t->bin) {
		err = -errno;
		goto out;
	}
	cnt = go_binary__match(t->bin, pat, &t->idx);
	if (cnt < 0) {
		err = cnt;
		goto out;
	}
	t->cnt = cnt;
	err = target_add_instances(t, pat);
	if (!err)
		err = go_target__find_inlined(t, pat);
out:
	go_pattern__free(pat);
	free(binary);
	return err;
}

int go_target__open(struct go_target *t, const char *spec, pid_t pid, bool regex)
{
	return go_target__open_list(t, &spec, 1, pid, regex);
}

void go_target__close(struct go_target *t)
{
	go_binary__close(t->bin);
	go_call_sites__free(t->calls, t->cnt);
	free(t->calls);
	go_return_sites__free(t->rsites, t->cnt);
	free(t->rsites);
	free(t->idx);
	free(t->slots);
	free(t->insts);
	free(t->dicts);
	free(t->pattern);
	free(t->inl);
	free(t->inl_funcs);
	go_lines__close((struct go_lines *)t->lines);
	memset(t, 0, sizeof(*t));
}

const struct go_func *go_target__func(const struct go_target *t, size_t i)
{
	size_t k;

	if (target_inst(t, i, &k))
		return &t->insts[k].fn;
	if (go_target__inline_only(t, i))
		return &t->inl_funcs[t->idx[i] - go_binary__func_cnt(t->bin) - t->ninsts];
	return go_binary__func(t->bin, t->idx[i]);
}

/* Orders function numbers by name, then by number. */
static int slot_cmp(const void *a, const void *b, void *arg)
{
	const struct go_target *t = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(go_target__func(t, i)->name, go_target__func(t, j)->name);

	return c ? c : (i > j) - (i < j);
}

/* The slots of the functions in by[0..n), all of one name and in their order in t. */
static void slots_of_name(const struct go_target *t, const size_t *by, size_t n, size_t *slots)
{
	size_t k, inst = SIZE_MAX, plain = SIZE_MAX, i;

	for (k = 0; k < n; k++) {
		if (inst == SIZE_MAX && target_inst(t, by[k], &i))
			inst = by[k];
		if (plain == SIZE_MAX && !go_target__func(t, by[k])->clone)
			plain = by[k];
	}
	for (k = 0; k < n; k++) {
		i = by[k];
		if (t->ninsts && inst != SIZE_MAX && !target_inst(t, i, &(size_t){ 0 }))
			slots[i] = inst;	/* the wrapper of a traced instantiation */
		else if (!go_target__func(t, i)->clone)
			slots[i] = i;
		else	/* a clone: its function, or the first of its clones */
			slots[i] = plain != SIZE_MAX ? plain : by[0];
	}
}

/* Every function's slot at once: by name, so that a pattern of 50,000 functions is not
 * 50,000 scans of them all. */
static int target_slots(struct go_target *t)
{
	size_t *by, i, j;

	free(t->slots);
	t->slots_cnt = 0;
	t->slots = malloc((t->cnt ? t->cnt : 1) * sizeof(*t->slots));
	by = malloc((t->cnt ? t->cnt : 1) * sizeof(*by));
	if (!t->slots || !by) {
		free(by);
		return go_fail(ENOMEM, "out of memory");
	}
	for (i = 0; i < t->cnt; i++)
		by[i] = i;
	qsort_r(by, t->cnt, sizeof(*by), slot_cmp, t);
	for (i = 0; i < t->cnt; i = j) {
		const char *name = go_target__func(t, by[i])->name;

		for (j = i + 1; j < t->cnt && !strcmp(go_target__func(t, by[j])->name, name); j++)
			;
		slots_of_name(t, by + i, j - i, t->slots);
	}
	free(by);
	t->slots_cnt = t->cnt;
	return 0;
}

size_t go_target__slot(const struct go_target *t, size_t i)
{
	struct go_target *w = (struct go_target *)t;	/* a cache: what t traces is unchanged */

	if (t->slots_cnt != t->cnt && target_slots(w))
		return i;
	return t->slots[i];
}

/* Append a probe (a file offset, or a negative errno to pass on) and its cookie. */
static int probes_add(struct go_probes *p, int64_t off, uint64_t cookie)
{
	if (off < 0)
		return (int)off;
	if (!(p->cnt & (p->cnt - 1))) {	/* 0, 1, 2, 4, ...: the arrays are full */
		size_t c = p->cnt ? p->cnt * 2 : 1;
		uint64_t *o = realloc(p->offs, c * sizeof(*o)), *k;

		if (!o)
			return go_fail(ENOMEM, "out of memory");
		p->offs = o;
		k = realloc(p->cookies, c * sizeof(*k));
		if (!k)
			return go_fail(ENOMEM, "out of memory");
		p->cookies = k;
	}
	p->offs[p->cnt] = (uint64_t)off;
	p->cookies[p->cnt++] = cookie;
	return 0;
}

static void probes_free(struct go_probes *p)
{
	free(p->offs);
	free(p->cookies);
	memset(p, 0, sizeof(*p));
}

int go_probes__bias_from_stack(const struct go_probes *ps, const struct go_binary *bin,
			       pid_t pid, uint32_t func, const uint64_t *frames, int nframes,
			       int64_t *bias)
{
	uint64_t *offs = malloc((ps->cnt ? ps->cnt : 1) * sizeof(*offs));
	size_t i, n = 0;
	int err;

	if (!offs)
		return go_fail(ENOMEM, "out of memory");
	/*
	 * an address with two roles holds an index of go_dual, not a function, and a shaped
	 * body's probe counts each instantiation its dictionary names: candidates too
	 */
	for (i = 0; i < ps->cnt; i++)
		if ((ps->cookies[i] & GO_COOKIE_DUAL) || GO_COOKIE_FUNC(ps->cookies[i]) == func ||
		    (!(ps->cookies[i] & GO_COOKIE_RETURN) && GO_COOKIE_DICT_REG(ps->cookies[i])))
			offs[n++] = ps->offs[i];
	err = go_binary__bias_from_stack(bin, pid, offs, n, frames, nframes, bias);
	free(offs);
	return err;
}

size_t go_target__stepped(const struct go_target *t, const struct go_plan *plan, bool *stepped)
{
	size_t i, n = 0, slots = go_target__slots(t);

	memset(stepped, 0, slots * sizeof(*stepped));
	for (i = 0; i < plan->entry.cnt; i++) {
		uint64_t c = plan->entry.cookies[i];
		uint32_t f = GO_COOKIE_FUNC(c);

		/* a function's own entry: not a return site, guard, or the runtime's probes */
		if ((c & (GO_COOKIE_DUAL | GO_COOKIE_RETURN | GO_COOKIE_GUARD)) || f >= slots ||
		    stepped[f] || !go_binary__stepped_at(t->bin, plan->entry.offs[i]))
			continue;
		stepped[f] = true;
		n++;
	}
	return n;
}

int go_target__bias(const struct go_target *t, const struct go_plan *plan, struct go_bpf *bpf,
		    pid_t pid)
{
	int fd = go_bpf__map_fd(bpf, "go_procs");
	struct go_proc_seen seen;
	uint32_t key = (uint32_t)pid;
	uint64_t frames[2];
	int64_t bias;

	if (!go_binary__is_pie(t->bin) || !go_binary__load_bias(t->bin, pid, &bias))
		return 0;
	if (fd < 0 || go_map__lookup(fd, &key, &seen) || GO_COOKIE_BIN(seen.cookie) != t->slot)
		return go_fail(ENOENT, "no probe of '%s' was hit in pid %d", go_binary__name(t->bin),
			       (int)pid);
	frames[0] = seen.ip;
	frames[1] = seen.ret;
	if (!go_probes__bias_from_stack(&plan->entry, t->bin, pid, GO_COOKIE_FUNC(seen.cookie),
					frames, 2, &bias))
		return 0;
	return go_probes__bias_from_stack(&plan->ret, t->bin, pid, GO_COOKIE_FUNC(seen.cookie),
					  frames, 2, &bias);
}

void go_plan__free(struct go_plan *plan)
{
	probes_free(&plan->entry);
	probes_free(&plan->ret);
	probes_free(&plan->gsave);
	probes_free(&plan->sched_entry);
	free(plan->dual);
	plan->dual = NULL;
	plan->ndual = 0;
}

/*
 * Each probe costs some microseconds to attach and detach in a uprobe_multi link. Call sites
 * replace one entry probe by several: spend at most 64 more probes than entries, plus as many
 * again as there are entries, so that a wide pattern (runtime.*) attaches about as fast, and
 * give them to the functions with the fewest callers first, which makes the most calls cheap
 * for the probes.
 */
#define CALLS_EXTRA_PROBES 64

static void calls_budget(struct go_target *t)
{
	size_t budget = CALLS_EXTRA_PROBES + t->cnt, used = 0, limit = 1, i, more;

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
	size_t i, n = 0;
	int err;

	go_call_sites__free(t->calls, t->cnt);
	free(t->calls);
	t->calls = calloc(t->cnt ? t->cnt : 1, sizeof(*t->calls));
	if (!fns || !t->calls) {
		free(fns);
		return go_fail(ENOMEM, "out of memory");
	}
	for (i = 0; i < t->cnt; i++)	/* those that exist only inlined are last: left out */
		if (!go_target__inline_only(t, i))
			fns[n++] = target_body(t, i);
	err = go_binary__call_sites(t->bin, fns, n, t->calls);
	free(fns);
	if (!err)
		calls_budget(t);
	return err;
}

/* Functions dropped for one cause: how many, and the first one's name. */
struct dropped {
	size_t n;
	const char *first;
	const char *why;	/* "whose entry the kernel cannot probe" */
};

static void dropped_note(struct dropped *d, const char *name)
{
	if (!d->n++)
		d->first = name;
}

static void dropped_warn(const struct dropped *d)
{
	if (d->n)
		warn("skipping %zu function%s %s (%s%s)\n", d->n, d->n > 1 ? "s" : "", d->why,
		     d->first, d->n > 1 ? ", ..." : "");
}

/*
 * Each function's sites, found once: entry (a file offset, -1 when not probeable) and its
 * cookie's flags for the stack check's jump (GO_COOKIE_AT_CHECK, or 0), RETs, and for gccgo
 * the split-stack RET.
 */
struct func_sites {
	int64_t entry;
	uint64_t check;
	uint64_t site;		/* the entry site's link-time address */
	uint64_t *rets;
	size_t nrets;
	uint64_t split;		/* go_binary__split_ret, 0 when none */
	bool save_g;		/* g is in its register at the entry but not at the RETs */
};

/*
 * How each function's probes are planned when some are generic instantiations: the function
 * whose number the probes of its code carry (home: the shaped body itself, when traced, else
 * its first instantiation), and the cookie flags that have them read the dictionary.
 */
struct inst_plan {
	size_t home;
	uint64_t flags;		/* GO_COOKIE_DICT(reg), GO_COOKIE_DICT_ONLY */
};

/* Step 1: drop the functions that cannot be probed as asked; t->idx numbers the rest. */
static int plan_drop(struct go_target *t, unsigned int what, struct func_sites *fs)
{
	struct dropped noentry = { 0, NULL, "whose entry the kernel cannot probe" };
	struct dropped nocode = { 0, NULL, "whose code the decoder cannot read" };
	struct dropped noret = { 0, NULL, NULL };
	struct dropped noinst = { 0, NULL, "whose returns cannot tell which instantiation they "
					   "end (a return probe fires for them all, at the shaped "
					   "function)" };
	struct dropped nodict = { 0, NULL, "whose dictionary is not in its register at the "
					   "entry site" };
	struct dropped inlonly = { 0, NULL, "that exist only inlined into their callers" };
	size_t i, k, kept = 0;
	int err;

	for (i = 0; i < t->cnt; i++) {
		const struct go_func *fn = target_body(t, i);
		struct func_sites f = { -1, 0, 0, NULL, 0, 0, false };
		uint64_t site;
		int jcc;

		if (go_target__inline_only(t, i)) {	/* kept to count its inlined calls */
			if (!(what & GO_PLAN_INLINE) || !(what & GO_PLAN_ENTRY)) {
				dropped_note(&inlonly, go_target__func(t, i)->name);
				continue;
			}
			fs[kept] = f;
			t->idx[kept++] = t->idx[i];
			continue;
		}
		if (!(what & GO_PLAN_ENTRY) && target_inst(t, i, &k)) {
			dropped_note(&noinst, go_target__func(t, i)->name);
			continue;
		}
		if (!go_binary__entry_site(t->bin, fn, &site, &jcc) &&
		    go_binary__probeable(t->bin, site)) {
			f.entry = go_binary__file_offset(t->bin, site);
			f.check = jcc >= 0 ? GO_COOKIE_AT_CHECK(jcc) : 0;
			f.site = site;
		}
		if ((what & GO_PLAN_ENTRY) && f.entry < 0) {
			dropped_note(&noentry, go_target__func(t, i)->name);
			continue;
		}
		if (target_inst(t, i, &k) && !go_inst__at_site(t->bin, t->insts[k].inst, f.site)) {
			dropped_note(&nodict, go_target__func(t, i)->name);
			continue;
		}
		if (what & GO_PLAN_RET) {
			err = go_binary__ret_sites(t->bin, fn, &f.rets, &f.nrets);
			if (err == -ENOTSUP) {	/* it would take a guess where its RETs are */
				dropped_note(&nocode, go_target__func(t, i)->name);
				continue;
			}
			if (!err)
				err = go_binary__split_ret(t->bin, fn, &f.split);
			if (err) {
				free(f.rets);
				t->cnt = kept;
				return err;
			}
			/* no return to see: no RET, or only gccgo's split-stack one, which returns
			 * what a RET of the body returned into __morestack */
			if (f.nrets == (f.split ? 1u : 0u)) {
				free(f.rets);
				dropped_note(&noret, fn->name);
				continue;
			}
		}
		/* only RETs need g saved; asking reads DWARF, which a count needs none of */
		f.save_g = (what & GO_PLAN_RET) && go_binary__g_in_reg(t->bin, fn, false) &&
			   !go_binary__g_in_reg(t->bin, fn, true);
		fs[kept] = f;
		t->idx[kept++] = t->idx[i];
	}
	t->cnt = kept;
	if (!kept && inlonly.n)
		return go_fail(ENOTSUP, "%s%s exist%s only inlined into %s callers: %s (gofunccount "
			       "counts them)", inlonly.first, inlonly.n > 1 ? " and the others" : "",
			       inlonly.n > 1 ? "" : "s", inlonly.n > 1 ? "their" : "its",
			       what & GO_PLAN_RET ? GO_INLINE_UNTIMED :
			       "inlined calls are not probed here");
	if (!kept && noentry.n)
		return go_fail(ENOTSUP, "the kernel cannot probe the entry of %s%s", noentry.first,
			       noentry.n + nocode.n > 1 ? " nor of the other matched functions" : "");
	if (!kept && nocode.n)
		return go_fail(ENOTSUP, "cannot decode the code of %s%s", nocode.first,
			       nocode.n > 1 ? " nor of the other matched functions" : "");
	if (!kept && noret.n)
		return go_fail(ENOENT, "%s has no RET instruction%s: %s never return%s, or return%s "
			       "through a tail call", noret.first, noret.n > 1 ?
			       ", nor have the other matched functions" : "", noret.n > 1 ? "they" : "it",
			       noret.n > 1 ? "" : "s", noret.n > 1 ? "" : "s");
	if (!kept && noinst.n)
		return go_fail(ENOTSUP, "a return probe cannot tell the instantiations of a generic "
			       "function apart (%s%s): probe its shaped function's returns, or "
			       "its entry", noinst.first, noinst.n > 1 ? ", ..." : "");
	if (!kept && nodict.n)
		return go_fail(ENOTSUP, "cannot tell the instantiation %s apart from the others at "
			       "its entry", nodict.first);
	dropped_warn(&noentry);
	dropped_warn(&inlonly);
	dropped_warn(&nocode);
	dropped_warn(&noinst);
	dropped_warn(&nodict);
	if (noret.n)
		warn("skipping %zu function%s without a RET instruction (%s%s): %s never return%s, "
		     "or return%s through a tail call\n", noret.n, noret.n > 1 ? "s" : "", noret.first,
		     noret.n > 1 ? ", ..." : "", noret.n > 1 ? "they" : "it", noret.n > 1 ? "" : "s",
		     noret.n > 1 ? "" : "s");
	return 0;
}

/* Step 1b: the home of each function, and the flags of the homes' probes. */
static void plan_instances(struct go_target *t, struct inst_plan *ip)
{
	size_t i, j, k;

	for (i = 0; i < t->cnt; i++) {
		ip[i].home = i;
		ip[i].flags = 0;
	}
	for (i = 0; i < t->cnt; i++) {
		const struct go_inst *in;
		size_t home = i;

		if (!target_inst(t, i, &k) || ip[i].home != i || ip[i].flags)
			continue;
		in = t->insts[k].inst;
		for (j = 0; j < t->cnt; j++)	/* the body itself, when traced */
			if (!target_inst(t, j, &k) && go_target__func(t, j) == in->body)
				home = j;
		ip[home].flags = GO_COOKIE_DICT(in->reg) | (home == i ? GO_COOKIE_DICT_ONLY : 0);
		for (j = i; j < t->cnt; j++)
			if (target_inst(t, j, &k) && t->insts[k].inst->body == in->body)
				ip[j].home = home;
	}
}

/*
 * A RET's distance to its function's split-stack RET (cookie.h, GO_COOKIE_SPLIT): 0 for that
 * RET itself and where there is none.
 */
static int64_t split_distance(uint64_t ret, uint64_t split)
{
	return split ? (int64_t)(split - ret) : 0;
}

/* Step 2b: where the calls of functions entered by direct CALLs alone return, in t's order. */
static int target_return_sites(struct go_target *t)
{
	const struct go_func **fns = calloc(t->cnt ? t->cnt : 1, sizeof(*fns));
	struct go_call_sites *cs = calloc(t->cnt ? t->cnt : 1, sizeof(*cs));
	size_t i;
	int err;

	t->rsites = calloc(t->cnt ? t->cnt : 1, sizeof(*t->rsites));
	if (!fns || !cs || !t->rsites) {
		free(fns);
		free(cs);
		return go_fail(ENOMEM, "out of memory");
	}
	for (i = 0; i < t->cnt; i++)
		fns[i] = target_body(t, i);
	err = go_binary__callers(t->bin, fns, t->cnt, cs);
	if (!err)
		err = go_binary__return_sites(t->bin, fns, cs, t->cnt, t->rsites);
	go_call_sites__free(cs, t->cnt);
	free(cs);
	free(fns);
	return err;
}

/*
 * The return sites t plans for its i-th function: with entries (a program that keeps each
 * goroutine's calls, and can tell a guard's passage from a return), or without entries and
 * then only where no guard is needed; NULL for its RETs.
 */
static const struct go_return_sites *return_sites_of(const struct go_target *t, size_t i,
						     unsigned int what)
{
	const struct go_return_sites *rs = t->rsites ? &t->rsites[i] : NULL;

	if (!rs || !rs->usable || (!(what & GO_PLAN_ENTRY) && rs->nguards))
		return NULL;
	return rs;
}

/* A function's return sites, among the entry probes (with GO_PLAN_ENTRY) or the RETs'. */
static int plan_return_sites(struct go_target *t, size_t f, const struct go_return_sites *rs,
			     unsigned int what, struct go_plan *plan)
{
	struct go_probes *p = what & GO_PLAN_ENTRY ? &plan->entry : &plan->ret;
	size_t k;
	int err = 0;

	const struct go_arch *arch = go_binary__arch(t->bin);
	int res = arch->nregabi_ints ? go_arch__reg_code(arch, arch->regabi_ints[0]) : -1;
	uint64_t kept;

	for (k = 0; k < rs->cnt && !err; k++) {
		/* the first result register untouched on the line to the site */
		kept = res >= 0 && !(rs->written[k] & (1U << res)) ? GO_COOKIE_RESULT : 0;
		err = probes_add(p, go_binary__file_offset(t->bin, rs->addrs[k]),
				 GO_COOKIE(f, t->slot, GO_COOKIE_RETURN | kept, rs->sp_adj[k]));
	}
	for (k = 0; k < rs->nguards && !err; k++)
		err = probes_add(&plan->entry, go_binary__file_offset(t->bin, rs->guards[k]),
				 GO_COOKIE(0, t->slot, GO_COOKIE_GUARD, 0));
	plan->nreturn_sites += rs->cnt;
	return err;
}

static int probe_cmp(const void *a, const void *b, void *probes)
{
	const struct go_probes *p = probes;
	uint64_t x = p->offs[*(const size_t *)a], y = p->offs[*(const size_t *)b];

	return x < y ? -1 : x > y;
}

/*
 * Step 4: an address that is both a return site and a call site (or a guard) becomes one
 * probe whose cookie (GO_COOKIE_DUAL) indexes plan->dual: the return first, then the other.
 * One probe each would fire in an order no interface promises.
 */
static int plan_merge_dual(struct go_plan *plan)
{
	struct go_probes *p = &plan->entry, out = { 0 };
	size_t *order = malloc((p->cnt ? p->cnt : 1) * sizeof(*order)), i, j, k, nret;
	int err = 0;

	if (!order)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < p->cnt; i++)
		order[i] = i;
	qsort_r(order, p->cnt, sizeof(*order), probe_cmp, p);
	for (i = 0; i < p->cnt && !err; i = j) {
		uint64_t a = p->cookies[order[i]], b;
		struct go_dual *d;

		for (j = i + 1; j < p->cnt && p->offs[order[j]] == p->offs[order[i]]; j++)
			;
		for (k = i, nret = 0; k < j; k++)
			nret += !!(p->cookies[order[k]] & GO_COOKIE_RETURN);
		if (!nret) {	/* no return site here: as without them */
			for (k = i; k < j && !err; k++)
				err = probes_add(&out, (int64_t)p->offs[order[k]], p->cookies[order[k]]);
			continue;
		}
		b = j - i > 1 ? p->cookies[order[i + 1]] : 0;
		if (j - i == 1) {
			err = probes_add(&out, (int64_t)p->offs[order[i]], a);
			continue;
		}
		if (j - i > 2 || nret > 1) {
			err = go_fail(EINVAL, "too many roles for one probe at offset 0x%llx",
				      (unsigned long long)p->offs[order[i]]);
			break;
		}
		d = realloc(plan->dual, (plan->ndual + 1) * sizeof(*d));
		if (!d) {
			err = go_fail(ENOMEM, "out of memory");
			break;
		}
		plan->dual = d;
		d[plan->ndual].first = a & GO_COOKIE_RETURN ? a : b;
		d[plan->ndual].second = a & GO_COOKIE_RETURN ? b : a;
		err = probes_add(&out, (int64_t)p->offs[order[i]],
				 GO_COOKIE(plan->ndual, 0, GO_COOKIE_DUAL, 0));
		plan->ndual++;
	}
	free(order);
	if (err) {
		probes_free(&out);
		return err;
	}
	probes_free(p);
	*p = out;
	return 0;
}

/*
 * The entry sites of runtime functions of gc names[0, n), where probes of cookie function func
 * (GO_COOKIE_THREAD, GO_COOKIE_SCHED, GO_COOKIE_CORO) go, into to; *count: how many were
 * planned. A release without one of them, or one that cannot be probed, goes without.
 */
static int plan_runtime(struct go_target *t, struct go_probes *to, const char *const *names,
			size_t n, uint32_t func, size_t *count)
{
	const struct go_func *fn;
	uint64_t site;
	int64_t off;
	size_t i;
	int err = 0, jcc;

	for (i = 0; i < n && !err; i++) {
		if (go_binary__toolchain(t->bin) != GO_GC ||
		    !(fn = go_binary__func_by_name(t->bin, names[i])) ||
		    go_binary__entry_site(t->bin, fn, &site, &jcc) ||
		    !go_binary__probeable(t->bin, site) ||
		    (off = go_binary__file_offset(t->bin, site)) < 0)
			continue;
		/* on the stack check's jump, as every entry site there (go_entered) */
		err = probes_add(to, off,
				 GO_COOKIE(func, t->slot, jcc >= 0 ? GO_COOKIE_AT_CHECK(jcc) : 0, 0));
		*count += !err;
	}
	return err;
}

/* Where threads start (runtime.minit) and go idle (runtime.stopm). */
static int plan_threads(struct go_target *t, struct go_plan *plan)
{
	static const char *const names[] = { "runtime.minit", "runtime.stopm" };

	return plan_runtime(t, &plan->entry, names, 2, GO_COOKIE_THREAD, &plan->threads);
}

/*
 * Where the runtime changes a goroutine's status: runtime.casgstatus(gp, old, new), in every
 * release, and runtime.casGToPreemptScan(gp, old, new), which stops a goroutine for the GC
 * without it (see ../shared/notes/go-scheduler.md); and the kernel's tracepoints that say
 * when a thread leaves or takes a CPU (or, sched_stat_runtime, that it took one unseen) and
 * enters or leaves a system call.
 */
static const char *const sched_tracepoints[] = {
	"sched/sched_switch", "sched/sched_stat_runtime", "raw_syscalls/sys_enter",
	"raw_syscalls/sys_exit",
};

/*
 * Where a coroutine (Go 1.22+, iter.Pull's) switches goroutines by itself: runtime.coroswitch_m
 * (gp), on the thread's g0, changes gp's status and the next one's without casgstatus. A
 * binary that has it, where it cannot be probed: said once, its switches go unseen.
 */
static int plan_coro(struct go_target *t, struct go_plan *plan)
{
	static const char *const names[] = { CORO_SWITCH };
	int err;

	if (!go_binary__func_by_name(t->bin, CORO_SWITCH))
		return 0;
	err = plan_runtime(t, &plan->sched_entry, names, 1, GO_COOKIE_CORO, &plan->coro);
	if (!err && !plan->coro)
		warn("%s: cannot probe %s: the time of goroutines a coroutine switches out counts "
		     "where it was\n", go_binary__name(t->bin), CORO_SWITCH);
	return err;
}

static int plan_sched(struct go_target *t, struct go_plan *plan)
{
	static const char *const names[] = { "runtime.casgstatus", "runtime.casGToPreemptScan" };
	int err;

	if (go_binary__toolchain(t->bin) != GO_GC)
		return go_fail(ENOTSUP, "%s: gccgo's runtime keeps no goroutine status that can be "
			       "read", go_binary__name(t->bin));
	err = plan_runtime(t, &plan->sched_entry, names, 2, GO_COOKIE_SCHED, &plan->sched);
	if (!err && !plan->sched)
		err = go_fail(ENOENT, "%s: cannot probe runtime.casgstatus",
			      go_binary__name(t->bin));
	if (!err)
		err = plan_coro(t, plan);
	plan->tracepoints = sched_tracepoints;
	plan->ntracepoints = sizeof(sched_tracepoints) / sizeof(sched_tracepoints[0]);
	return err;
}

/*
 * Step 3: every probe, with cookies from the one numbering of step 1, in which GCC's clones
 * of a function take that function's number (go_target__slot).
 */
/*
 * The go_dicts entries of an entry probe at link-time address site of function i, a shaped
 * body's home: each of its instantiations' dictionaries, as the probe finds it there.
 */
static int plan_dicts(struct go_target *t, const struct inst_plan *ip, size_t i, uint64_t site)
{
	size_t j, k;

	for (j = 0; j < t->cnt; j++) {
		struct go_target_dict *d;

		if (ip[j].home != i || !target_inst(t, j, &k))
			continue;
		if (t->ndicts >= GO_MAX_DICTS)
			return go_fail(E2BIG, "too many instantiations to tell apart at once");
		d = realloc(t->dicts, (t->ndicts + 1) * sizeof(*d));
		if (!d)
			return go_fail(ENOMEM, "out of memory");
		t->dicts = d;
		d += t->ndicts++;
		memset(d, 0, sizeof(*d));
		d->key.delta = (int64_t)(t->insts[k].inst->dict - site);
		d->key.func = (uint32_t)go_target__slot(t, i);
		d->key.bin = t->slot;
		d->func = (uint32_t)go_target__slot(t, j);
	}
	return 0;
}

static int plan_emit(struct go_target *t, unsigned int what, const struct func_sites *fs,
		     const struct inst_plan *ip, struct go_plan *plan)
{
	size_t i, j;
	int err = 0;

	free(t->dicts);
	t->dicts = NULL;
	t->ndicts = 0;
	for (i = 0; i < t->cnt && !err; i++) {
		const struct go_call_sites *cs = t->calls ? &t->calls[i] : NULL;
		const struct go_return_sites *rs = return_sites_of(t, i, what);
		uint64_t save = fs[i].save_g && !rs ? GO_COOKIE_SAVE_G : 0, dict = ip[i].flags;
		size_t f = go_target__slot(t, i);

		if (ip[i].home != i || go_target__inline_only(t, i))	/* an instantiation: its
									 * body's probes tell it */
			continue;
		if (!(what & GO_PLAN_ENTRY)) {
			if (save && !rs && fs[i].nrets && fs[i].entry >= 0)
				err = probes_add(&plan->gsave, fs[i].entry,
						 GO_COOKIE(f, t->slot, save | fs[i].check, 0));
		} else if (!cs || !cs->usable) {
			err = probes_add(&plan->entry, fs[i].entry,
					 GO_COOKIE(f, t->slot, save | fs[i].check | dict, 0));
			if (!err && dict)
				err = plan_dicts(t, ip, i, fs[i].site);
		} else {
			for (j = 0; j < cs->cnt && !err; j++) {
				err = probes_add(&plan->entry,
						 go_binary__file_offset(t->bin, cs->addrs[j]),
						 GO_COOKIE(f, t->slot, save | dict, cs->sp_adj[j]));
				if (!err && dict)
					err = plan_dicts(t, ip, i, cs->addrs[j]);
			}
		}
		if (rs) {	/* its returns in its callers, not at its RETs */
			if (!err)
				err = plan_return_sites(t, f, rs, what, plan);
			continue;
		}
		plan->save_g |= save && fs[i].nrets;
		for (j = 0; j < fs[i].nrets && !err; j++)
			err = probes_add(&plan->ret, go_binary__file_offset(t->bin, fs[i].rets[j]),
					 GO_COOKIE_RET(f, t->slot, save ? GO_COOKIE_SAVED_G : 0,
						       split_distance(fs[i].rets[j], fs[i].split)));
	}
	if (!err && (what & GO_PLAN_RET) && !plan->ret.cnt && !plan->nreturn_sites)
		err = go_fail(ENOENT, "'%s' has no RET instruction to probe", t->pattern);
	if (!err && (what & GO_PLAN_ENTRY) && (what & GO_PLAN_GOEXIT)) {
		uint64_t site;
		int64_t off;
		int jcc;

		if (!go_binary__goexit_site(t->bin, &site, &jcc) &&
		    (off = go_binary__file_offset(t->bin, site)) >= 0) {
			err = probes_add(&plan->entry, off,
					 GO_COOKIE(GO_COOKIE_GOEXIT, t->slot,
						   jcc >= 0 ? GO_COOKIE_AT_CHECK(jcc) : 0, 0));
			plan->goexit = !err;
		}
	}
	if (!err && (what & GO_PLAN_ENTRY) && (what & GO_PLAN_THREADS))
		err = plan_threads(t, plan);
	if (!err && (what & GO_PLAN_ENTRY) && (what & GO_PLAN_SCHED))
		err = plan_sched(t, plan);
	return err;
}

static int off_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Orders inline sites by their instruction's address (ctx: the target). */
static int site_addr_cmp(const void *a, const void *b, void *ctx)
{
	const struct go_target *t = ctx;
	uint64_t x = t->inl[*(const size_t *)a].addr, y = t->inl[*(const size_t *)b].addr;

	return x < y ? -1 : x > y ? 1 : (*(const size_t *)a > *(const size_t *)b) -
					(*(const size_t *)a < *(const size_t *)b);
}

/* Is off the offset of a probe of the plan so far (taken: their offsets, sorted)? */
static bool offset_taken(const uint64_t *taken, size_t n, int64_t off)
{
	uint64_t key = (uint64_t)off;

	return bsearch(&key, taken, n, sizeof(*taken), off_cmp) != NULL;
}

/*
 * The frame of the function holding site s at its instruction (s->frame), for a walk of its
 * stack there: false, said, when it cannot be told.
 */
static bool site_frame(const struct go_target *t, struct go_inl_site *s)
{
	int off = 0;

	if (!go_binary__entry_frame(t->bin, t->lines, s->outer, s->addr, &off, &s->frame.framed) &&
	    (s->frame.framed || (uint64_t)off < GO_COOKIE_INL_RA_MAX)) {
		s->frame.ra_off = off;
		return true;
	}
	s->why = "the frame of its caller there cannot be told";
	s->addr = 0;
	return false;
}

/*
 * Step 3b: a probe at each inlined call's instruction, of the function it is a call of; not
 * where another probe of the plan is (a CALL that is a call site too), nor twice at one
 * instruction (a call inlined first thing into another): such a site is said.
 */
static int plan_inlined(struct go_target *t, struct go_plan *plan)
{
	size_t *at = malloc((t->ninl ? t->ninl : 1) * sizeof(*at)), i, n = plan->entry.cnt;
	size_t *order = malloc((t->ninl ? t->ninl : 1) * sizeof(*order));
	uint64_t *taken = malloc((n ? n : 1) * sizeof(*taken)), prev = 0;
	int err = at && taken && order ? go_target__choose_inlined(t) :
					 go_fail(ENOMEM, "out of memory");

	if (!err)
		err = go_target__map_inlined(t, at);
	if (!err) {
		if (n)	/* only functions that exist only inlined: none yet */
			memcpy(taken, plan->entry.offs, n * sizeof(*taken));
		qsort(taken, n, sizeof(*taken), off_cmp);
		for (i = 0; i < t->ninl; i++)
			order[i] = i;
		qsort_r(order, t->ninl, sizeof(*order), site_addr_cmp, t);
	}
	for (i = 0; i < t->ninl && !err; i++) {
		struct go_inl_site *s = &t->inl[order[i]];
		int64_t off = s->addr ? go_binary__file_offset(t->bin, s->addr) : -1;

		if (at[order[i]] >= t->cnt || off < 0)
			continue;
		if (offset_taken(taken, n, off) || s->addr == prev) {
			s->why = "its instruction is another probe's";
			s->addr = 0;
			continue;
		}
		if (!site_frame(t, s))
			continue;
		prev = s->addr;
		err = probes_add(&plan->entry, off, GO_COOKIE(go_target__slot(t, at[order[i]]),
							      t->slot, GO_COOKIE_INLINE,
							      s->frame.framed ? 0 :
							      GO_COOKIE_INL_RA_AT(s->frame.ra_off)));
		s->planned = !err;
	}
	free(at);
	free(order);
	free(taken);
	return err;
}

int go_target__plan(struct go_target *t, unsigned int what, struct go_plan *plan)
{
	struct func_sites *fs = calloc(t->cnt ? t->cnt : 1, sizeof(*fs));
	struct inst_plan *ip = calloc(t->cnt ? t->cnt : 1, sizeof(*ip));
	size_t i, n = t->cnt;
	int err;

	memset(plan, 0, sizeof(*plan));
	if (!fs || !ip) {
		free(fs);
		free(ip);
		return go_fail(ENOMEM, "out of memory");
	}
	if (t->slot >= GO_MAX_BINS || t->cnt > GO_MAX_FUNCS) {
		free(fs);
		free(ip);
		return go_fail(E2BIG, "too many binaries or functions to probe at once");
	}
	err = plan_drop(t, what, fs);
	if (!err)
		plan_instances(t, ip);
	/* step 2: call sites are found for the functions that stay, in their numbering */
	if (!err && (what & GO_PLAN_ENTRY) && (what & GO_PLAN_CALL_SITES) &&
	    !go_env_flag("GOTOOLS_NO_CALL_SITES"))
		err = target_call_sites(t);
	if (!err && (what & GO_PLAN_RET) && (what & GO_PLAN_RETURN_SITES) &&
	    !go_env_flag("GOTOOLS_NO_RETURN_SITES"))
		err = target_return_sites(t);
	if (!err)
		err = plan_emit(t, what, fs, ip, plan);
	if (!err && (what & GO_PLAN_ENTRY))	/* while the line table is still read in */
		plan->restarting = go_plan__restarting(t, plan, &plan->restarting_first);
	if (!err && (what & GO_PLAN_ENTRY) && (what & GO_PLAN_INLINE))
		err = plan_inlined(t, plan);
	if (!err && plan->nreturn_sites && (what & GO_PLAN_ENTRY))
		err = plan_merge_dual(plan);
	for (i = 0; i < n; i++)
		free(fs[i].rets);
	free(fs);
	free(ip);
	if (err)
		go_plan__free(plan);
	go_binary__release(t->bin);	/* not needed while tracing */
	return err;
}

/* Where the BPF programs find a goroutine's pprof labels (labels.bpf.h). */
static void labels_fill(struct go_target *t, struct go_binfo *info)
{
	struct go_labels_layout l;

	info->labels_off = -1;
	if (go_binary__labels_layout(t->bin, &l))
		return;
	info->labels_off = l.off;
	if (!l.map)
		return;
	info->flags |= GO_BIN_LABELS_MAP;
	info->hmap_count = (__u16)l.hmap_count;
	info->hmap_b = (__u16)l.hmap_b;
	info->hmap_buckets = (__u16)l.hmap_buckets;
	info->hmap_oldbuckets = (__u16)l.hmap_oldbuckets;
	info->bucket_keys = (__u16)l.bucket_keys;
	info->bucket_elems = (__u16)l.bucket_elems;
	info->bucket_overflow = (__u16)l.bucket_overflow;
	info->bucket_size = (__u16)l.bucket_size;
}

/* What a coroutine switch reads (runtime.coroswitch_m), where the binary has them. */
static void coro_fill(struct go_target *t, struct go_binfo *info)
{
	struct go_coro_layout c;

	info->coroarg_off = info->coroexit_off = info->coro_gp_off = info->coro_reason = -1;
	if (!go_binary__func_by_name(t->bin, CORO_SWITCH) || go_binary__coro_layout(t->bin, &c))
		return;
	info->coroarg_off = c.g_coroarg;
	info->coroexit_off = c.g_coroexit;
	info->coro_gp_off = c.coro_gp;
	info->coro_reason = c.reason;
}

/* What the BPF programs need to know of t's binary (cookie.h). */
unsigned go_target__map_flags(struct go_binary *bin)
{
	switch (go_binary__map_form(bin)) {
	case GO_MAPS_HASH:
		return GO_BIN_MAPS_HASH;
	case GO_MAPS_SWISS:
		return GO_BIN_MAPS_SWISS;
	default:
		return 0;
	}
}

static void binfo_fill(struct go_target *t, struct go_binfo *info)
{
	bool gc = go_binary__toolchain(t->bin) == GO_GC;
	struct go_m_layout ml;

	memset(info, 0, sizeof(*info));
	info->goid_off = -1;
	info->g_in_reg = go_binary__g_in_reg(t->bin, NULL, false);
	if (info->g_in_reg)
		info->goid_off = go_binary__goid_offset(t->bin);
	info->flags = go_binary__is_pie(t->bin) ? GO_BIN_PIE : 0;
	info->flags |= go_target__map_flags(t->bin);
	if (go_binary__stale_frame_pointers(t->bin))
		info->flags |= GO_BIN_STALE_FP;
	info->stack_hi_off = GO_G_STACK_HI;
	labels_fill(t, info);
	info->itab_type_off = gc ? GO_ITAB_TYPE_OFF : GO_GCCGO_ITAB_TYPE_OFF;
	info->waitreason_off = gc ? go_binary__waitreason_offset(t->bin) : -1;
	if (info->waitreason_off < 0)
		info->waitreason_off = -1;
	coro_fill(t, info);
	if (!info->g_in_reg && gc && !go_binary__m_layout(t->bin, &ml)) {
		info->flags |= GO_BIN_G_FROM_M;
		info->g_m_off = ml.g_m;
		info->m_g0_off = ml.m_g0;
		info->m_gsignal_off = ml.m_gsignal;
		info->m_curg_off = ml.m_curg;
	}
}

int go_target__set_binfo(struct go_target *t, struct go_bpf *bpf)
{
	struct go_binfo info;
	int fd = go_bpf__map_fd(bpf, "go_dicts"), err;
	size_t i;

	for (i = 0; i < t->ndicts && fd >= 0; i++) {
		err = go_map__update(fd, &t->dicts[i].key, &t->dicts[i].func);
		if (err)
			return go_fail(-err, "cannot tell the BPF program the dictionaries of %s: %s",
				       t->pattern, strerror(-err));
	}
	fd = fd < 0 ? fd : go_bpf__map_fd(bpf, "go_binfo");
	if (fd < 0)
		return fd;
	binfo_fill(t, &info);
	return go_map__update(fd, &t->slot, &info);
}

int go_target__entry_frames(struct go_target *t, const struct go_lines *lines,
			    struct go_entry_frame **out)
{
	size_t i;

	*out = calloc(t->cnt ? t->cnt : 1, sizeof(**out));
	if (!*out)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < t->cnt && lines; i++) {
		const struct go_func *fn = go_target__func(t, i);
		struct go_entry_frame *ef = &(*out)[i];
		uint64_t site;
		int off = 0;

		if ((t->calls && t->calls[i].usable) || go_binary__entry_site(t->bin, fn, &site, NULL))
			continue;	/* probed where it is called */
		/* without an SP delta there (a corrupt table), take the return address at SP */
		if (go_binary__entry_frame(t->bin, lines, fn, site, &off, &ef->framed)) {
			off = 0;
			ef->framed = false;
		}
		ef->ra_off = off;
	}
	return 0;
}

int go_target__set_unwind(struct go_target *t, const struct go_lines *lines,
			  const struct go_entry_frame *ef, struct go_bpf *bpf)
{
	int cbfd = go_bpf__map_fd(bpf, "go_unwind_cb"), pcfd = go_bpf__map_fd(bpf, "go_unwind_pcs");
	int rafd = go_bpf__map_fd(bpf, "go_ra_offs"), err;
	struct go_unwind_plan *u = malloc(sizeof(*u));
	struct go_unwind_cb cb = { 0 };
	size_t i;

	if (!u)
		return go_fail(ENOMEM, "out of memory");
	err = cbfd < 0 ? cbfd : pcfd < 0 ? pcfd : rafd < 0 ? rafd : 0;
	go_binary__unwind_plan(t->bin, lines, u);
	cb.pc = u->cb_pc;
	cb.cfa = u->cb_cfa;
	cb.ra = u->cb_ra;
	if (!err)
		err = go_map__update(cbfd, &t->slot, &cb);
	for (i = 0; !err && cb.pc && i < u->n; i++) {
		struct go_unwind_key k = { u->pc[i], t->slot, 0 };
		struct go_unwind_rule r = { u->cfa[i], u->kind[i] };

		err = go_map__update(pcfd, &k, &r);
	}
	for (i = 0; !err && ef && i < t->cnt; i++) {
		uint32_t key = GO_RA_KEY(t->slot, go_target__slot(t, i)), off = ef[i].ra_off;

		err = off ? go_map__update(rafd, &key, &off) : 0;
	}
	free(u);
	return err ? go_fail(-err, "cannot set up the stack walk: %s", strerror(-err)) : 0;
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
	char esc[GO_ESC_LEN], esc2[GO_ESC_LEN];
	size_t i;

	fprintf(out, "%s: %s%s%s, %zu functions\n", go_esc(go_binary__name(t->bin), esc, sizeof(esc)),
		go_esc(go_binary__version(t->bin), esc2, sizeof(esc2)),
		go_binary__is_pie(t->bin) ? ", PIE" : "",
		go_binary__has_symbols(t->bin) ? "" : ", stripped",
		go_binary__func_cnt(t->bin));
	fprintf(out, "%-18s %-8s %-8s %s\n", "ADDR", "SITE", "ABI", "FUNC");
	for (i = 0; i < t->cnt; i++) {
		const struct go_func *fn = go_target__func(t, i);
		uint64_t site = fn->entry;
		size_t j, k;
		char where[32];
		int jcc = -1;

		if (go_target__inline_only(t, i)) {
			fprintf(out, "%-18s %-8s %-8s %s (exists only inlined)\n", "-", "inlined", "-",
				go_esc(fn->name, esc, sizeof(esc)));
			continue;
		}
		go_binary__entry_site(t->bin, target_body(t, i), &site, &jcc);
		if (t->calls && t->calls[i].usable)
			snprintf(where, sizeof(where), "%zu call%s", t->calls[i].cnt,
				 t->calls[i].cnt == 1 ? "" : "s");
		else	/* "+9 jcc": on the stack check's jump, counted when not taken */
			snprintf(where, sizeof(where), "+%llu%s", (unsigned long long)(site - fn->entry),
				 jcc >= 0 ? " jcc" : "");
		fprintf(out, "0x%-16llx %-8s %-8s %s", (unsigned long long)fn->entry, where,
			go_abi__name(fn->abi), go_esc(fn->name, esc, sizeof(esc)));
		if (fn->clone)
			fprintf(out, " (GCC clone %s)", go_esc(fn->clone, esc, sizeof(esc)));
		if (target_inst(t, i, &k))
			fprintf(out, " (%s with dictionary %#llx in %s, named by %s)",
				go_esc(t->insts[k].inst->body->name, esc, sizeof(esc)),
				(unsigned long long)t->insts[k].inst->dict,
				go_arch__reg_name(go_binary__arch(t->bin), t->insts[k].inst->reg),
				t->insts[k].inst->how);
		for (j = 0; !target_inst(t, i, &k) && j < t->cnt; j++)
			if (target_inst(t, j, &k) && t->insts[k].inst->body == fn) {
				fprintf(out, " (its calls with any other dictionary)");
				break;
			}
		fputc('\n', out);
	}
}

void go_target__list_returns(struct go_target *t, FILE *out)
{
	char esc[GO_ESC_LEN];
	size_t i;

	for (i = 0; i < t->cnt; i++) {
		const struct go_return_sites *rs = t->rsites ? &t->rsites[i] : NULL;
		const char *name = go_esc(go_target__func(t, i)->name, esc, sizeof(esc));

		if (!rs)
			fprintf(out, "returns of %s: at its RETs (no return sites planned)\n", name);
		else if (rs->usable)
			fprintf(out, "returns of %s: at %zu return site%s in its callers\n", name,
				rs->cnt, rs->cnt == 1 ? "" : "s");
		else
			fprintf(out, "returns of %s: at its RETs (%s)\n", name,
				rs->why ? rs->why : "not entered by direct calls alone");
	}
}
