// SPDX-License-Identifier: Apache-2.0
/*
 * Seeing a return in the caller.
 *
 * x86 uprobes single-step a RET (a trap, ~10 us here) and this kernel refuses BPF writes to
 * pt_regs, so a RET cannot be emulated from BPF. But when every entry of a function is a direct
 * CALL, each of its calls returns to the instruction after one of those CALLs, in a known
 * caller, and goes on in a straight line from there. The first instruction of that line that
 * the kernel emulates (a direct CALL or JMP, a Jcc, a register PUSH, a NOP) sees every return
 * through that CALL, once, when nothing else can reach the line: no branch in the caller
 * targets an instruction of it (Go code branches only within its function, and morestack
 * blocks jump back to the entry, never into a body), the caller has no indirect jump (a jump
 * table's targets are in data), and its instructions neither leave (RET, an indirect CALL,
 * UD2) nor move SP. A recovered panic resumes its deferring function at that function's CALL
 * of runtime.deferreturn, so such a CALL is never chosen; and runtime.deferproc, which a
 * recovered panic makes return again, is never timed this way. Asynchronous preemption
 * resumes the interrupted instruction itself, which runs once.
 *
 * There, SP is 8 above the callee's entry SP (its return address popped), and R14 is g again
 * in a register-ABI caller: the same goroutine and depth as at the call's entry.
 *
 * One other way into the line is allowed, because Go lays out every loop that way: the loop's
 * first JMP to its condition, which follows the body's last call. When every branch into the
 * line is such a direct JMP of the caller (emulated, in the same frame, so at the same SP),
 * each JMP is probed as a guard: it marks the goroutine, with its SP, as passing through the
 * next return site without returning, and nothing else runs on the goroutine before that
 * site, which drops the mark (go_return_sites.guards, GO_COOKIE_GUARD).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary_priv.h"
#include "plan/plan.h"

#define REACH 32	/* instructions past the return address before giving up */

/* One CALL of one function, in the order its caller is decoded. */
struct item {
	uint64_t caller;	/* the caller's entry */
	size_t fn, k;		/* out[fn], its k-th call site */
};

/* An address inside the caller that an instruction of it leads to or names. */
struct target {
	uint64_t addr;
	size_t from;		/* the instruction's index */
};

/* A decoded caller: its instructions and the addresses they lead to, sorted. */
struct caller {
	const struct go_func *fn;
	struct go_insn *insns;
	size_t n;
	struct target *targets;
	size_t ntargets;
	const char *why;	/* the whole caller cannot serve */
};

static int item_cmp(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return x->caller < y->caller ? -1 : x->caller > y->caller;
}

static int target_cmp(const void *a, const void *b)
{
	const struct target *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void caller_free(struct caller *c)
{
	free(c->insns);
	free(c->targets);
	memset(c, 0, sizeof(*c));
}

/*
 * Decode the caller, and collect what may lead into its code: every direct branch's target in
 * it and every address in it an instruction names (an address taken, as a jump table does).
 */
static int caller_load(struct go_binary *b, struct caller *c, const struct go_func *fn)
{
	size_t i;
	int err;

	caller_free(c);
	c->fn = fn;
	if (fn->abi != GO_ABI_INTERNAL) {
		c->why = "a caller does not keep g in R14 (ABI0)";
		return 0;
	}
	err = go_binary__decode(b, fn, &c->insns, &c->n);
	if (err == -ENOTSUP) {
		c->why = "a caller cannot be decoded";
		return 0;
	}
	if (err)
		return err;
	c->targets = malloc((c->n ? c->n : 1) * sizeof(*c->targets));
	if (!c->targets)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < c->n; i++) {
		const struct go_insn *gi = &c->insns[i];

		if (gi->kind == GO_INSN_IJMP)
			c->why = "a caller has an indirect jump";
		if (gi->ref >= fn->entry && gi->ref < fn->end) {
			c->targets[c->ntargets].addr = gi->ref;
			c->targets[c->ntargets++].from = i;
		}
	}
	qsort(c->targets, c->ntargets, sizeof(*c->targets), target_cmp);
	return 0;
}

/* The first of the caller's references to addr (the others follow it), or NULL. */
static const struct target *caller_targeted(const struct caller *c, uint64_t addr)
{
	size_t lo = 0, hi = c->ntargets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->targets[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->ntargets && c->targets[lo].addr == addr ? &c->targets[lo] : NULL;
}

static int guards_add(struct go_return_sites *rs, uint64_t addr)
{
	uint64_t *g;
	size_t i;

	for (i = 0; i < rs->nguards; i++)
		if (rs->guards[i] == addr)
			return 0;
	g = realloc(rs->guards, (rs->nguards + 1) * sizeof(*g));
	if (!g)
		return go_fail(ENOMEM, "out of memory");
	rs->guards = g;
	rs->guards[rs->nguards++] = addr;
	return 0;
}

/*
 * Every way to the instruction at index i of c other than from the one before it: a direct
 * JMP of the caller outside the line [first, site], added to rs->guards; 1 (with *why) when
 * another kind of branch or reference leads there.
 */
static int guard_target(struct go_binary *b, const struct caller *c, size_t i, size_t first,
			struct go_return_sites *rs, const char **why)
{
	const struct target *t = caller_targeted(c, c->insns[i].addr);
	int err;

	for (; t && t < c->targets + c->ntargets && t->addr == c->insns[i].addr; t++) {
		const struct go_insn *src = &c->insns[t->from];

		if (src->kind != GO_INSN_JMP || src->stepped || (t->from >= first && t->from <= i) ||
		    !go_binary__probeable(b, src->addr)) {
			*why = "a branch enters the code after a call";
			return 1;
		}
		err = guards_add(rs, src->addr);
		if (err)
			return err;
	}
	return 0;
}

static bool calls_named(struct go_binary *b, uint64_t target, const char *name)
{
	const struct go_func *t = go_binary__func_at(b, target);

	return t && t->entry == target && !strcmp(t->name, name);
}

/* The index of the instruction at addr in c, or c->n. */
static size_t caller_index(const struct caller *c, uint64_t addr)
{
	size_t lo = 0, hi = c->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->insns[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < c->n && c->insns[lo].addr == addr ? lo : c->n;
}

/*
 * The return site of the CALL at call, or NULL with *why set; *written: the argument registers
 * the instructions before it write. A register-ABI caller calls an assembly function (ABI0)
 * directly only with the wrapper's work inline: it loads g into R14 again after the call,
 * which must then come before the site (need_g).
 */
static const struct go_insn *return_site(struct go_binary *b, const struct caller *c,
					    uint64_t call, bool need_g, struct go_return_sites *rs,
					    uint32_t *written, const char **why, int *err)
{
	size_t i = caller_index(c, call), steps, first = i + 1;
	bool g = !need_g;

	*written = 0;
	if (c->why) {
		*why = c->why;
		return NULL;
	}
	if (i == c->n || c->insns[i].kind != GO_INSN_CALL) {
		*why = "a call site is not a CALL in its caller's decoding";
		return NULL;
	}
	for (i++, steps = 0; i < c->n && steps < REACH; i++, steps++) {
		const struct go_insn *gi = &c->insns[i];

		if (caller_targeted(c, gi->addr)) {
			*err = guard_target(b, c, i, first, rs, why);
			if (*err) {
				*err = *err < 0 ? *err : 0;
				return NULL;
			}
		}
		if (gi->kind != GO_INSN_OTHER && !g) {
			*why = "g is not in R14 again before the first emulated instruction";
			return NULL;
		}
		switch (gi->kind) {
		case GO_INSN_CALL:
			if (calls_named(b, gi->ref, "runtime.deferreturn")) {
				*why = "a call is followed by runtime.deferreturn's, where a "
				       "recovered panic resumes";
				return NULL;
			}
			return gi;
		case GO_INSN_JMP:
		case GO_INSN_JCC:
			if (gi->stepped) {
				*why = "a branch after a call has a 0x66 prefix";
				return NULL;
			}
			return gi;
		case GO_INSN_PUSH:
		case GO_INSN_NOP:
			return gi;
		case GO_INSN_ICALL:
			*why = "an indirect call follows a call";
			return NULL;
		case GO_INSN_IJMP:
		case GO_INSN_END:
			*why = "a RET or an indirect jump follows a call";
			return NULL;
		default:
			if (gi->writes_sp) {
				*why = "SP moves after a call";
				return NULL;
			}
			g |= gi->writes_g;
			*written |= gi->regs_written;
		}
	}
	*why = "no emulated instruction follows a call within reach";
	return NULL;
}

static void sites_drop(struct go_return_sites *rs, const char *why)
{
	free(rs->addrs);
	free(rs->sp_adj);
	free(rs->written);
	free(rs->guards);
	memset(rs, 0, sizeof(*rs));
	rs->why = why;
}

/* Mark out[i] usable and size it when every entry of fns[i] is a CALL; count its CALLs. */
static int sites_init(struct go_binary *b, const struct go_func *fn,
		      const struct go_call_sites *cs, struct go_return_sites *rs, size_t *items)
{
	size_t k;

	memset(rs, 0, sizeof(*rs));
	rs->why = "not entered by direct calls alone";
	if (b->tc != GO_GC || !cs->usable || !cs->cnt)
		return 0;
	if (!strncmp(fn->name, "runtime.deferproc", 17)) {
		rs->why = "a recovered panic makes it return twice";
		return 0;
	}
	for (k = 0; k < cs->cnt; k++)
		if (cs->sp_adj[k] != b->arch->call_push) {
			rs->why = "entered by a jump (a tail call)";
			return 0;
		}
	rs->addrs = calloc(cs->cnt, sizeof(*rs->addrs));
	rs->sp_adj = calloc(cs->cnt, 1);
	rs->written = calloc(cs->cnt, sizeof(*rs->written));
	if (!rs->addrs || !rs->sp_adj || !rs->written) {
		sites_drop(rs, NULL);
		return go_fail(ENOMEM, "out of memory");
	}
	rs->usable = true;
	rs->why = NULL;
	rs->cnt = cs->cnt;
	*items += cs->cnt;
	return 0;
}

int go_binary__return_sites(struct go_binary *b, const struct go_func *const *fns,
			    const struct go_call_sites *cs, size_t n, struct go_return_sites *out)
{
	struct caller c = { 0 };
	struct item *it = NULL;
	size_t i, k, m = 0, cnt = 0;
	int err = 0;

	memset(out, 0, n * sizeof(*out));
	for (i = 0; i < n && !err; i++)
		err = sites_init(b, fns[i], &cs[i], &out[i], &cnt);
	if (!err && cnt && !(it = calloc(cnt, sizeof(*it))))
		err = go_fail(ENOMEM, "out of memory");
	for (i = 0; i < n && !err; i++)
		for (k = 0; out[i].usable && k < cs[i].cnt; k++) {
			const struct go_func *f = go_binary__func_at(b, cs[i].addrs[k]);

			it[m].caller = f ? f->entry : 0;
			it[m].fn = i;
			it[m++].k = k;
		}
	if (!err && m)	/* qsort takes no NULL, even for no items */
		qsort(it, m, sizeof(*it), item_cmp);
	for (i = 0; i < m && !err; i++) {
		struct go_return_sites *rs = &out[it[i].fn];
		const struct go_insn *site;
		const char *why = NULL;
		uint32_t written;

		if (!rs->usable)
			continue;
		if (!c.fn || c.fn->entry != it[i].caller) {
			const struct go_func *f = go_binary__func_at(b, it[i].caller);

			if (!f || f->entry != it[i].caller) {
				sites_drop(rs, "a call site is in no Go function");
				continue;
			}
			err = caller_load(b, &c, f);
			if (err)
				break;
		}
		site = return_site(b, &c, cs[it[i].fn].addrs[it[i].k],
				   fns[it[i].fn]->abi != GO_ABI_INTERNAL, rs, &written, &why, &err);
		if (err)
			break;
		if (!site || !go_binary__probeable(b, site->addr)) {
			sites_drop(rs, why ? why : "the kernel cannot probe an instruction after a call");
			continue;
		}
		rs->addrs[it[i].k] = site->addr;
		rs->written[it[i].k] = written;
		/* the return address popped, nothing else moved SP */
		rs->sp_adj[it[i].k] = (uint8_t)b->arch->call_push;
	}
	caller_free(&c);
	free(it);
	if (err)
		go_return_sites__free(out, n);
	return err;
}

void go_return_sites__free(struct go_return_sites *rs, size_t n)
{
	size_t i;

	for (i = 0; rs && i < n; i++)
		sites_drop(&rs[i], NULL);
}
