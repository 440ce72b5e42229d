// SPDX-License-Identifier: Apache-2.0
/*
 * Where a target's functions were inlined, and the instruction that runs once per inlined call
 * at each such site (go_target.inl), from every function's inline tree (binary/pcline.c).
 *
 * Go's inline mark (an inline tree entry's parentPc) is an instruction of the caller with the
 * call's position: a NOP the compiler adds for the call alone (x86: 0x90), or, where an
 * instruction of the same line existed, that instruction, reused. Only the NOP is the call's
 * own: a reused one may be a loop's entry jump (run once for all the loop's calls) or another
 * inlined call's mark too (measured: ../shared/notes/go-inline-marks.md; cmd/compile's ssagen
 * genssa). So a site is probed at its mark when the mark is a NOP, no other inlined call has
 * it, and it runs at the caller's level (the inline index there is the call's parent).
 * Otherwise at the inlined code itself ("inline-start"): the basic blocks that run some of it
 * (pcs whose inline index is the call, or one inlined into it, other than register moves and
 * NOPs, which carry whatever position is at hand), when exactly one of them is
 * entered from code that runs none of it, and nothing of it branches back there, in a caller
 * without indirect jumps (a jump table's targets are data). That block runs once per call; the
 * probe goes on its first instruction of the call's code that the kernel emulates (not past a
 * CALL, which a panic may not return from), else on its first one. Where neither holds, the
 * site is kept with the reason: never a guess.
 *
 * A method of a value receiver called through an interface runs in the wrapper Go makes for
 * its pointer, pkg.(*T).M, which checks the pointer and calls pkg.T.M, or has it inlined. A
 * small body (a getter, a constant) inlined there often leaves no trace: not one instruction
 * has its position, so no inline tree entry says it is there, and its calls would go unseen.
 * Such a wrapper is a site of the method too ("wrapper"): at the instruction past its nil
 * check (a conditional branch to runtime.panicwrap), where the body begins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

/* A decoded caller: its instructions, what it refers to in itself, its inline tree. */
struct outer {
	const struct go_func *fn;
	struct go_insn *insns;
	size_t n;
	struct ref {
		uint64_t addr;
		size_t from;
	} *refs;
	size_t nrefs;
	bool ijmp;
	const char *why;	/* it cannot be read */
	const struct go_lines *lines;
	struct go_inl_tree tree;
	size_t *blk;		/* each instruction's basic block */
	size_t *first;		/* each block's first instruction; first[nblk] = n */
	size_t nblk;
	bool *holds;		/* per block, for the call looked at: it runs some of its code */
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void outer_free(struct outer *o)
{
	free(o->insns);
	free(o->refs);
	free(o->blk);
	free(o->first);
	free(o->holds);
	go_inl_tree__free(&o->tree);
	memset(o, 0, sizeof(*o));
}

static const struct ref *outer_refs(const struct outer *o, uint64_t addr);
static bool falls_through(const struct go_insn *gi);

/* Does the instruction end a basic block (control may go elsewhere than the next one)? */
static bool ends_block(const struct go_insn *gi)
{
	return gi->kind == GO_INSN_JMP || gi->kind == GO_INSN_JCC || gi->kind == GO_INSN_IJMP ||
	       gi->kind == GO_INSN_END;
}

/* Split o's instructions into basic blocks: a block begins where something refers to. */
static int outer_blocks(struct outer *o)
{
	size_t k;

	o->blk = malloc((o->n ? o->n : 1) * sizeof(*o->blk));
	o->first = malloc((o->n + 1) * sizeof(*o->first));
	o->holds = malloc((o->n ? o->n : 1) * sizeof(*o->holds));
	if (!o->blk || !o->first || !o->holds)
		return go_fail(ENOMEM, "out of memory");
	for (k = 0; k < o->n; k++) {
		if (!k || ends_block(&o->insns[k - 1]) || outer_refs(o, o->insns[k].addr))
			o->first[o->nblk++] = k;
		o->blk[k] = o->nblk - 1;
	}
	o->first[o->nblk] = o->n;
	return 0;
}

static int outer_load(struct go_binary *b, const struct go_lines *l, const struct go_func *fn,
		      struct outer *o)
{
	size_t i;
	int err;

	outer_free(o);
	o->fn = fn;
	o->lines = l;
	err = go_lines__inl_tree(l, fn, &o->tree);
	if (err == -ENOMEM)
		return go_fail(ENOMEM, "out of memory");
	if (err) {
		o->why = "its caller's inline tree cannot be read";
		return 0;
	}
	err = go_binary__decode(b, fn, &o->insns, &o->n);
	if (err == -ENOTSUP) {
		o->why = "its caller's code cannot be decoded";
		return 0;
	}
	if (err)
		return err;
	o->refs = malloc((o->n ? o->n : 1) * sizeof(*o->refs));
	if (!o->refs)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < o->n; i++) {
		if (o->insns[i].kind == GO_INSN_IJMP)
			o->ijmp = true;
		if (o->insns[i].ref >= fn->entry && o->insns[i].ref < fn->end)
			o->refs[o->nrefs++] = (struct ref){ o->insns[i].ref, i };
	}
	qsort(o->refs, o->nrefs, sizeof(*o->refs), ref_cmp);
	return outer_blocks(o);
}

/* The index of the instruction at addr, or o->n. */
static size_t outer_index(const struct outer *o, uint64_t addr)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->insns[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->n && o->insns[lo].addr == addr ? lo : o->n;
}

/* The first reference to addr (the others follow it), or NULL. */
static const struct ref *outer_refs(const struct outer *o, uint64_t addr)
{
	struct ref key = { addr, 0 };
	size_t lo = 0, hi = o->nrefs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ref_cmp(&o->refs[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->nrefs && o->refs[lo].addr == addr ? &o->refs[lo] : NULL;
}

/* Does the k-th instruction run the inlined call (or one inlined into it)? */
static bool in_call(const struct outer *o, size_t k, int32_t call)
{
	return go_inl_tree__within(&o->tree, go_inl_tree__index_at(&o->tree, o->insns[k].addr), call);
}

static bool falls_through(const struct go_insn *gi)
{
	return gi->kind != GO_INSN_JMP && gi->kind != GO_INSN_IJMP && gi->kind != GO_INSN_END;
}

/*
 * Is the instruction at addr in a sequence Go restarts after preempting a goroutine in it
 * (arm64)? A probe there would see the pass twice: never a site.
 */
static bool restartable(const struct outer *o, uint64_t addr)
{
	bool in = false;

	return go_lines__restarts_at(o->lines, addr, &in) || in;
}

/* Why the mark of call cannot stand for it, or NULL when it can. */
static const char *mark_why(struct go_binary *b, const struct outer *o, int32_t call)
{
	uint64_t mark = o->tree.calls[call].mark;
	size_t k = mark ? outer_index(o, mark) : o->n, j;

	if (k == o->n)
		return "its mark is not an instruction";
	for (j = 0; j < o->tree.ncalls; j++)
		if ((int32_t)j != call && o->tree.calls[j].mark == mark)
			return "its mark is another inlined call's too";
	if (o->insns[k].kind != GO_INSN_NOP || o->insns[k].size != go_binary__arch(b)->mark_size ||
	    go_inl_tree__index_at(&o->tree, mark) != o->tree.calls[call].parent ||
	    !go_binary__probeable(b, mark))
		return "its mark is an instruction of the caller's own";
	if (restartable(o, mark))
		return "its mark is in a sequence Go restarts after preemption";
	return NULL;
}

/* Mark the blocks that run some of the call's code (o->holds). */
static void mark_blocks(struct outer *o, int32_t call)
{
	size_t r, k;

	memset(o->holds, 0, o->nblk * sizeof(*o->holds));
	for (r = 0; r < o->tree.nranges; r++) {
		const struct go_inl_range *g = &o->tree.ranges[r];
		size_t lo = 0, hi = o->n;

		if (!go_inl_tree__within(&o->tree, g->ix, call))
			continue;
		while (lo < hi) {	/* the first instruction at or past g->lo */
			size_t mid = lo + (hi - lo) / 2;

			if (o->insns[mid].addr < g->lo)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (k = lo; k < o->n && o->insns[k].addr < g->hi; k++)
			if (!o->insns[k].filler)	/* placed anywhere, with any position */
				o->holds[o->blk[k]] = true;
	}
}

/*
 * Is block b entered from code that runs none of the call (1), from code that does (2: a
 * loop), both (3), or neither (0)? An address taken rather than branched to (a table's) counts
 * as both.
 */
static int block_preds(const struct outer *o, size_t b)
{
	uint64_t at = o->insns[o->first[b]].addr;
	const struct ref *r;
	int how = 0;

	if (!b)
		how |= 1;
	else if (falls_through(&o->insns[o->first[b] - 1]))
		how |= o->holds[b - 1] ? 2 : 1;
	for (r = outer_refs(o, at); r && r < o->refs + o->nrefs && r->addr == at; r++) {
		enum go_insn_kind kind = o->insns[r->from].kind;

		if (kind != GO_INSN_JMP && kind != GO_INSN_JCC)
			how |= 3;
		else
			how |= o->holds[o->blk[r->from]] ? 2 : 1;
	}
	return how;
}

/*
 * The one block where control enters the call's code, which then runs once per call; o->nblk
 * with *why when there is none.
 */
static size_t entry_block(struct outer *o, int32_t call, const char **why)
{
	size_t b, entry = o->nblk, entries = 0, held = 0;

	mark_blocks(o, call);
	for (b = 0; b < o->nblk; b++) {
		if (!o->holds[b])
			continue;
		held++;
		if ((block_preds(o, b) & 1) && !entries++)
			entry = b;
	}
	*why = !held ? "no instruction of its own runs (folded into the caller)" :
	       entries != 1 ? "its code is entered at more than one place" :
	       (block_preds(o, entry) & 2) ? "its code branches back to where it is entered" : NULL;
	return *why ? o->nblk : entry;
}

/*
 * The instruction of block b to probe: one that runs the call's code outside a sequence Go
 * restarts (restartable), the first the kernel emulates, else the first; 0 when none.
 */
static uint64_t block_probe(struct go_binary *b, const struct outer *o, int32_t call, size_t blk)
{
	size_t k, first = o->n;

	for (k = o->first[blk]; k < o->first[blk + 1]; k++) {
		if (!in_call(o, k, call) || !go_binary__probeable(b, o->insns[k].addr) ||
		    restartable(o, o->insns[k].addr))
			continue;
		if (first == o->n)
			first = k;
		if (go_binary__emulated(b, o->insns[k].addr))
			return o->insns[k].addr;
		if (o->insns[k].kind == GO_INSN_CALL || o->insns[k].kind == GO_INSN_ICALL)
			break;	/* past it, a panic may leave the call's code */
	}
	return first < o->n ? o->insns[first].addr : 0;
}

/*
 * The first instruction at or past from that runs the call's code, not a filler (whose
 * position is any at hand), into s->code, and how many calls inlined into it run there
 * (s->skip); none: s->code 0.
 */
static void site_code(const struct outer *o, struct go_inl_site *s, uint64_t from)
{
	size_t k;
	int32_t ix;

	s->code = 0;
	s->skip = 0;
	for (k = outer_index(o, from); k < o->n; k++)
		if (!o->insns[k].filler && in_call(o, k, s->call))
			break;
	if (k >= o->n)
		return;
	s->code = o->insns[k].addr;
	for (ix = go_inl_tree__index_at(&o->tree, s->code); ix != s->call && ix >= 0 &&
	     (size_t)ix < o->tree.ncalls && s->skip <= (int)o->tree.ncalls; s->skip++)
		ix = o->tree.calls[ix].parent;
}

/* Choose the instruction of site s, in o. */
static void site_choose(struct go_binary *b, struct outer *o, struct go_inl_site *s)
{
	const char *why = NULL;
	size_t entry;

	s->addr = 0;
	if (o->why) {
		s->why = o->why;
		return;
	}
	s->mark_why = mark_why(b, o, s->call);
	if (!s->mark_why) {
		s->addr = s->mark;
		s->kind = "inline-mark";
		site_code(o, s, s->mark);
		return;
	}
	entry = o->ijmp ? o->nblk : entry_block(o, s->call, &why);
	if (o->ijmp)
		why = "its caller jumps through a table, which may enter its code";
	if (entry < o->nblk && (s->addr = block_probe(b, o, s->call, entry))) {
		s->kind = "inline-start";
		site_code(o, s, s->addr);
	} else {
		s->why = why ? why : "the kernel cannot probe its code, or Go restarts it after "
				     "preemption";
	}
}

/* Does the block at addr in o call runtime.panicwrap (a wrapper's nil receiver)? */
static bool panics_nil(struct go_binary *b, const struct outer *o, uint64_t addr)
{
	const struct go_func *fn;
	size_t k;

	for (k = outer_index(o, addr); k < o->n; k++) {
		if (o->insns[k].kind == GO_INSN_CALL)
			return (fn = go_binary__func_at(b, o->insns[k].ref)) &&
			       fn->entry == o->insns[k].ref && !strcmp(fn->name, "runtime.panicwrap");
		if (ends_block(&o->insns[k]))
			return false;
	}
	return false;
}

/*
 * The instruction of wrapper site s: the first past the wrapper's nil check, or past a
 * sequence there that Go's preemption restarts (which would run a probe in it twice).
 */
static void wrapper_choose(struct go_binary *b, const struct outer *o, struct go_inl_site *s)
{
	size_t k;

	s->addr = 0;
	s->code = 0;
	if (o->why) {
		s->why = o->why;
		return;
	}
	for (k = 0; k + 1 < o->n; k++)
		if (o->insns[k].kind == GO_INSN_JCC && o->insns[k].ref &&
		    panics_nil(b, o, o->insns[k].ref))
			break;
	if (k + 1 >= o->n) {
		s->why = "the wrapper holding its code has no nil check to start past";
		return;
	}
	for (k++; k < o->n; k++)
		if (!restartable(o, o->insns[k].addr))
			break;
		else if (ends_block(&o->insns[k]) || o->insns[k].kind == GO_INSN_CALL)
			k = o->n - 1;
	if (k >= o->n || !go_binary__probeable(b, o->insns[k].addr)) {
		s->why = k >= o->n ? "its code is a sequence Go restarts after preemption" :
				     "the kernel cannot probe its first instruction";
		return;
	}
	s->addr = s->mark = o->insns[k].addr;
	s->kind = "wrapper";
}

int go_target__choose_inlined(struct go_target *t)
{
	struct outer o = { 0 };
	size_t i;
	int err = 0;

	for (i = 0; i < t->ninl && !err; i++) {
		struct go_inl_site *s = &t->inl[i];

		if (s->outer != o.fn)
			err = outer_load(t->bin, t->lines, s->outer, &o);
		if (!err && s->wrapper)
			wrapper_choose(t->bin, &o, s);
		else if (!err && (s->call < 0 || (size_t)s->call >= o.tree.ncalls) && !o.why)
			s->why = "its inline tree entry is gone";
		else if (!err)
			site_choose(t->bin, &o, s);
	}
	outer_free(&o);
	return err;
}

/* ---- finding the sites ------------------------------------------------------------------- */

static int sites_add(struct go_target *t, const struct go_func *outer, int32_t call,
		     const struct go_inl_call *c)
{
	struct go_inl_site *s;
	struct go_frame fr[2];

	if (!(t->ninl & (t->ninl + 1)) || !t->inl) {
		s = realloc(t->inl, (t->ninl * 2 + 2) * sizeof(*s));
		if (!s)
			return go_fail(ENOMEM, "out of memory");
		t->inl = s;
	}
	s = &t->inl[t->ninl++];
	memset(s, 0, sizeof(*s));
	s->func = c->func;
	s->outer = outer;
	s->call = call;
	s->mark = c->mark;
	s->caller = outer->name;
	s->file = "";
	if (c->mark && go_lines__frames(t->lines, c->mark, false, fr, 2) > 0) {
		s->caller = fr[0].func;
		s->file = fr[0].file;
		s->line = fr[0].line;
	}
	return 0;
}

/* Orders t's function numbers by name (ctx: t). */
static int by_name_cmp(const void *a, const void *b, void *ctx)
{
	const struct go_target *t = ctx;

	return strcmp(go_target__func(t, *(const size_t *)a)->name,
		      go_target__func(t, *(const size_t *)b)->name);
}

/* t's function numbers sorted by name (malloc'd). */
static size_t *names_sorted(const struct go_target *t)
{
	size_t *by = malloc((t->cnt ? t->cnt : 1) * sizeof(*by)), i;

	if (!by)
		return NULL;
	for (i = 0; i < t->cnt; i++)
		by[i] = i;
	qsort_r(by, t->cnt, sizeof(*by), by_name_cmp, (void *)t);
	return by;
}

/* The number of t's function named name, by its first n sorted (names_sorted); SIZE_MAX. */
static size_t find_name(const struct go_target *t, const size_t *by, size_t n, const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(go_target__func(t, by[mid])->name, name);

		if (!c)
			return by[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

int go_target__map_inlined(const struct go_target *t, size_t *out)
{
	size_t *by = names_sorted(t), i;

	if (!by)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < t->ninl; i++)
		out[i] = i && t->inl[i].func == t->inl[i - 1].func ? out[i - 1] :
			 find_name(t, by, t->cnt, t->inl[i].func);
	free(by);
	return 0;
}

static int add_func(struct go_target *t, const char *name)
{
	size_t nf = go_binary__func_cnt(t->bin), *idx;
	struct go_func *f = realloc(t->inl_funcs, (t->ninl_funcs + 1) * sizeof(*f));

	if (f)
		t->inl_funcs = f;
	idx = f ? realloc(t->idx, (t->cnt + 1) * sizeof(*idx)) : NULL;
	if (!idx)
		return go_fail(ENOMEM, "out of memory");
	t->idx = idx;
	memset(&f[t->ninl_funcs], 0, sizeof(*f));
	f[t->ninl_funcs].name = name;
	f[t->ninl_funcs].abi = GO_ABI_INTERNAL;
	f[t->ninl_funcs].args = -1;
	t->idx[t->cnt++] = nf + t->ninsts + t->ninl_funcs++;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The functions that exist only inlined: each a function of t, with no code of its own. */
static int add_inline_only(struct go_target *t)
{
	const char **names = malloc((t->ninl ? t->ninl : 1) * sizeof(*names));
	size_t *by = names_sorted(t), i, n = t->cnt;
	int err = 0;

	if (!names || !by) {
		free(names);
		free(by);
		return go_fail(ENOMEM, "out of memory");
	}
	for (i = 0; i < t->ninl; i++)
		names[i] = t->inl[i].func;
	qsort(names, t->ninl, sizeof(*names), str_cmp);
	for (i = 0; i < t->ninl && !err; i++) {
		if (i && !strcmp(names[i], names[i - 1]))
			continue;
		if (find_name(t, by, n, names[i]) == SIZE_MAX)
			err = add_func(t, names[i]);
	}
	free(names);
	free(by);
	return err;
}

/* "pkg.T.M" for a pointer wrapper's name "pkg.(*T).M" (malloc'd); NULL for other names. */
static char *value_method_name(const char *wrapper)
{
	const char *star = strstr(wrapper, ".(*"), *close, *c;
	char *name;

	if (!star || !(close = strstr(star, ").")))
		return NULL;
	while ((c = strstr(close + 1, ").")))
		close = c;
	if (asprintf(&name, "%.*s.%.*s%s", (int)(star - wrapper), wrapper,
		     (int)(close - star - 3), star + 3, close + 1) < 0)
		return NULL;
	return name;
}

/*
 * The value method whose pointer wrapper fn is ("pkg.(*T).M" of "pkg.T.M"), when it is one of
 * t's functions (by: their numbers sorted by name) and fn is Go's own code that neither has it
 * in its inline tree nor calls it. A method T has from an embedded field is Go's own code too,
 * which the pointer's wrapper skips (it calls the field's method): not one of these.
 */
static const struct go_func *wrapped_method(struct go_target *t, const size_t *by,
					    const struct go_func *fn,
					    const struct go_inl_tree *tree)
{
	char *name = strstr(fn->name, ".(*") ? value_method_name(fn->name) : NULL;
	size_t i, n = 0, k = name ? find_name(t, by, t->cnt, name) : SIZE_MAX;
	const struct go_func *m = k < t->cnt ? go_target__func(t, k) : NULL;
	struct go_insn *insns = NULL;
	int wflags, mflags;

	free(name);
	if (!m || !m->end)
		return NULL;
	for (i = 0; i < tree->ncalls; i++)
		if (!strcmp(tree->calls[i].func, m->name))
			return NULL;	/* an inlined call of its own */
	/* Go's own wrapper, of a method of the program's (not one promoted from a field) */
	wflags = go_lines__func_flags(t->lines, fn->entry);
	mflags = go_lines__func_flags(t->lines, m->entry);
	if (wflags < 0 || !(wflags & GO_FUNC_WRAPPER) || mflags < 0 || (mflags & GO_FUNC_WRAPPER) ||
	    go_binary__decode(t->bin, fn, &insns, &n))
		return NULL;
	for (i = 0; i < n && m; i++)
		if ((insns[i].kind == GO_INSN_CALL || insns[i].kind == GO_INSN_JMP) &&
		    insns[i].ref == m->entry)
			m = NULL;	/* it calls the method: its probes see that */
	free(insns);
	return m;
}

/* A site of method m in its pointer wrapper fn, whose code is m's body (wrapped_method). */
static int wrapper_add(struct go_target *t, const struct go_func *fn, const struct go_func *m)
{
	struct go_inl_call c = { .func = m->name, .parent = -1 };
	struct go_frame fr[2];
	int err = sites_add(t, fn, -1, &c);

	if (err)
		return err;
	t->inl[t->ninl - 1].wrapper = true;
	if (go_lines__frames(t->lines, fn->entry, false, fr, 2) > 0) {
		t->inl[t->ninl - 1].file = fr[0].file;
		t->inl[t->ninl - 1].line = fr[0].line;
	}
	return 0;
}

int go_target__find_inlined(struct go_target *t, const struct go_pattern *pat)
{
	size_t i, j, nf = go_binary__func_cnt(t->bin), *by;
	const struct go_func *m;
	const char *last = NULL;
	bool matched = false;
	int err = 0;

	if (go_binary__toolchain(t->bin) != GO_GC || !(t->lines = go_lines__open(t->bin)))
		return 0;	/* no pclntab, no inline tree: nothing inlined to tell */
	if (!(by = names_sorted(t)))
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < nf && !err; i++) {
		const struct go_func *fn = go_binary__func(t->bin, i);
		struct go_inl_tree tree;

		if (go_lines__inl_tree(t->lines, fn, &tree))
			continue;
		for (j = 0; j < tree.ncalls && !err; j++) {
			if (tree.calls[j].func != last) {	/* names are shared: one match each */
				last = tree.calls[j].func;
				matched = go_pattern__match(pat, last);
			}
			if (matched)
				err = sites_add(t, fn, (int32_t)j, &tree.calls[j]);
		}
		if (!err && (m = wrapped_method(t, by, fn, &tree)))
			err = wrapper_add(t, fn, m);
		go_inl_tree__free(&tree);
	}
	free(by);
	return err ? err : add_inline_only(t);
}

bool go_target__inline_only(const struct go_target *t, size_t i)
{
	size_t base = go_binary__func_cnt(t->bin) + t->ninsts;

	return t->idx[i] >= base && t->idx[i] - base < t->ninl_funcs;
}

/* ---- saying them ------------------------------------------------------------------------- */

size_t go_target__inlined_funcs(const struct go_target *t, const char **first, size_t *nsites)
{
	size_t *at = malloc((t->ninl ? t->ninl : 1) * sizeof(*at)), i, n = 0;
	bool *seen = calloc(t->cnt ? t->cnt : 1, sizeof(*seen));

	*nsites = 0;
	*first = NULL;
	if (at && seen && !go_target__map_inlined(t, at)) {
		for (i = 0; i < t->ninl; i++) {
			if (at[i] >= t->cnt)
				continue;
			++*nsites;
			if (!seen[at[i]] && !n++)
				*first = t->inl[i].func;
			seen[at[i]] = true;
		}
	}
	free(at);
	free(seen);
	return n;
}

void go_target__say_inlined(const struct go_target *t, bool counted, const char *why)
{
	const char *first = NULL, *unseen_first = NULL;
	size_t i, nsites, unseen = 0, n = go_target__inlined_funcs(t, &first, &nsites);

	for (i = 0; i < t->ninl; i++)
		if (!t->inl[i].planned && t->inl[i].why && !unseen++)
			unseen_first = t->inl[i].func;
	if (!n || (counted && !unseen))
		return;
	if (counted)
		warn("note: %zu of the %zu sites where matched functions were inlined %s not counted "
		     "(%s%s; -v says why)\n", unseen, nsites, unseen == 1 ? "is" : "are",
		     unseen_first, unseen > 1 ? ", ..." : "");
	else
		warn("note: %s%s %s also inlined, at %zu call site%s, which %s (gofunccount -v lists "
		     "and counts them)\n", first, n > 1 ? " and others matched" : "",
		     n > 1 ? "were" : "was", nsites, nsites == 1 ? "" : "s",
		     why ? why : "this tool does not see");
}

void go_inl_site__why(const struct go_inl_site *s, char *buf, size_t size)
{
	if (s->mark_why && s->why)
		snprintf(buf, size, "%s, and %s", s->mark_why, s->why);
	else
		snprintf(buf, size, "%s", s->why ? s->why : "");
}

/* -v: "inlined F into CALLER at FILE:LINE[ (in OUTER)]", the start of site s's line. */
static void site_print(const struct go_inl_site *s, FILE *out)
{
	char esc[GO_ESC_LEN], esc2[GO_ESC_LEN], esc3[GO_ESC_LEN];

	fprintf(out, "inlined %s into %s at %s:%d", go_esc(s->func, esc, sizeof(esc)),
		go_esc(s->caller, esc2, sizeof(esc2)), go_esc(s->file, esc3, sizeof(esc3)), s->line);
	if (strcmp(s->caller, s->outer->name))
		fprintf(out, " (in %s)", go_esc(s->outer->name, esc, sizeof(esc)));
}

void go_target__list_inlined_unseen(const struct go_target *t, FILE *out, const char *why)
{
	size_t i;

	for (i = 0; i < t->ninl; i++) {
		site_print(&t->inl[i], out);
		fprintf(out, ": not seen (%s)\n", why);
	}
}

void go_target__list_inlined(const struct go_target *t, FILE *out)
{
	char why[256];
	size_t i;

	for (i = 0; i < t->ninl; i++) {
		const struct go_inl_site *s = &t->inl[i];

		site_print(s, out);
		if (s->addr) {
			fprintf(out, ": %s 0x%llx\n", s->kind, (unsigned long long)s->addr);
			continue;
		}
		go_inl_site__why(s, why, sizeof(why));
		fprintf(out, ": not seen (%s)\n", why);
	}
}

int go_inl_site__frames(const struct go_inl_site *s, const struct go_lines *l,
			struct go_frame *out, int max)
{
	int n;

	if (max < 2)
		return -ENOENT;
	if (!s->code) {	/* nothing of its own runs: its callers at its mark, and its name */
		n = go_lines__frames(l, s->mark, false, out + 1, max - 1);
		if (n <= 0)
			return -ENOENT;
		out[0] = (struct go_frame){ .func = s->func, .file = "", .inlined = true,
					    .entry = out[1].entry };
		return n + 1;
	}
	n = go_lines__frames(l, s->code, false, out, max);
	if (n <= s->skip)
		return -ENOENT;
	memmove(out, out + s->skip, (n - s->skip) * sizeof(*out));
	return n - s->skip;
}

static int site_addr_cmp(const void *a, const void *b)
{
	uint64_t x = (*(const struct go_inl_site *const *)a)->addr;
	uint64_t y = (*(const struct go_inl_site *const *)b)->addr;

	return x < y ? -1 : x > y;
}

const struct go_inl_site **go_target__planned_inlined(const struct go_target *t, size_t *n)
{
	const struct go_inl_site **v = malloc((t->ninl ? t->ninl : 1) * sizeof(*v));
	size_t i;

	*n = 0;
	if (!v)
		return NULL;
	for (i = 0; i < t->ninl; i++)
		if (t->inl[i].planned)
			v[(*n)++] = &t->inl[i];
	qsort(v, *n, sizeof(*v), site_addr_cmp);
	return v;
}

const struct go_inl_site *go_inl_sites__at(const struct go_inl_site *const *sites, size_t n,
					   uint64_t addr)
{
	struct go_inl_site key = { .addr = addr };
	const struct go_inl_site *k = &key, *const *at;

	at = n ? bsearch(&k, sites, n, sizeof(*sites), site_addr_cmp) : NULL;
	return at ? *at : NULL;
}
