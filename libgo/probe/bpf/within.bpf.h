/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --within FUNC in the kernel, for every tool's program (labels.bpf.h includes it): which
 * goroutines are within FUNC (go_within_gs), kept by two programs every tool loads and the
 * session attaches (libgo/session/within.c) at FUNC's entries and RETs, at runtime.newproc's
 * and newcoro's entries and newproc1's RETs, and where goroutines end (runtime.goexit1,
 * GO_COOKIE_GOEXIT, and coroswitch_m):
 *
 *   FUNC's entry marks the goroutine with the call's depth (g.stack.hi - SP, which a copied
 *   stack keeps) and return address, unless an outer call of FUNC marked it already; the RET
 *   at that depth unmarks it. A call is within when its goroutine's mark is inherited, or when
 *   it is deeper than the mark and the mark's frame still holds its return address (a frame a
 *   panic unwound does not, and its mark goes then).
 *   runtime.newproc runs on the goroutine that starts another (g in its register), whose
 *   newproc1 then runs on the same thread's system stack and returns the new g: a goroutine
 *   started within FUNC is marked as inherited there, before it can run. Its mark goes when it
 *   ends. runtime.newcoro (Go 1.22+: iter.Pull's coroutines) starts one the same way, and a
 *   coroutine's goroutine ends in runtime.coroswitch_m (gp with gp.coroexit set), not goexit1.
 *   Goroutines started by newproc1's other callers (testing/synctest) do not inherit.
 *
 * A mark that finds no room is counted (go_scope_lost[GO_SCOPE_LOST_WITHIN]): that goroutine's
 * calls within FUNC go untraced, said. Register-ABI binaries only (g in its register: gc 1.17+),
 * which the session checks. The settings (GO_SCOPE_WITHIN, the functions' indices) are in
 * go_scope, written before the probes attach.
 */
#ifndef GO_WITHIN_BPF_H
#define GO_WITHIN_BPF_H

#include "within.h"

BPF_F_TABLE("hash", struct go_within_key, struct go_within_mark, go_within_gs,
	    GO_WITHIN_GOROUTINES, BPF_F_NO_PREALLOC);
/* the threads (pid_tgid) between a runtime.newproc within FUNC and its newproc1's return */
BPF_TABLE("lru_hash", u64, u32, go_within_spawn, GO_WITHIN_SPAWNS);

static __always_inline void go_within_lost(void)
{
	u32 i = GO_SCOPE_LOST_WITHIN;
	u64 *lost = go_scope_lost.lookup(&i);

	if (lost)
		(*lost)++;
}

static __always_inline u64 go_within_word(u64 addr)
{
	u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/* The key of goroutine g's mark; false when its id cannot be read. */
static __always_inline bool go_within_key_of(struct go_binfo *b, u64 g,
					     struct go_within_key *k)
{
	k->tgid = bpf_get_current_pid_tgid() >> 32;
	k->pad = 0;
	k->goid = 0;
	return g && b->goid_off >= 0 &&
	       !bpf_probe_read_user(&k->goid, sizeof(k->goid), (void *)(g + b->goid_off));
}

/*
 * Is the frame whose SP is sp (a callee's, pointing at its return address) of goroutine g within
 * the call m marks? A mark whose frame is gone (unwound by a panic) is deleted.
 */
static __always_inline bool go_within_frame(struct go_binfo *b, u64 g, u64 sp,
					    struct go_within_key *k, struct go_within_mark *m)
{
	u64 hi = go_within_word(g + b->stack_hi_off);
	u32 depth = (u32)(hi - sp);

	if (m->inherited)
		return true;
	if (depth == m->depth)	/* FUNC's own call, at its entry or RET */
		return false;
	if (depth > m->depth && go_within_word(hi - m->depth) == m->ra)
		return true;
	go_within_gs.delete(k);	/* its frame is gone */
	return false;
}

/* The answer of go_scope_within, through memory: the verifier follows one path on from it. */
BPF_PERCPU_ARRAY(go_within_answer, u64, 1);

/* go_scope_within's: *in = 1 when the call of cookie is within FUNC. */
static __always_inline void go_within_answer_set(struct pt_regs *ctx, u64 cookie, u64 *in)
{
	struct go_binfo *b = go_binfo_of(cookie);
	struct go_within_key k;
	struct go_within_mark *m;
	u64 g;

	if (!b || !b->g_in_reg)
		return;
	g = go_g_peek(ctx, cookie);
	if (!go_within_key_of(b, g, &k))
		return;
	m = go_within_gs.lookup(&k);
	if (m && go_within_frame(b, g, GO_REG_SP(ctx) - GO_COOKIE_SP_ADJ(cookie), &k, m))
		*in = 1;
}

/*
 * At a tool's probe (an entry, RET or return site of cookie): is the call within FUNC? Its many
 * paths end in one answer, written and read back, so that the tool's code after it is verified
 * once, not once a path.
 */
static __always_inline bool go_scope_within(struct pt_regs *ctx, u64 cookie)
{
	u32 zero = 0;
	u64 *in = go_within_answer.lookup(&zero);

	if (!in)
		return false;
	*in = 0;
	go_within_answer_set(ctx, cookie, in);
	return *in;
}

/* FUNC's entry: mark the goroutine, unless an outer call of FUNC (or its parent) did. */
static __always_inline void go_within_enter(struct pt_regs *ctx, struct go_binfo *b, u64 g,
					    u64 sp)
{
	struct go_within_mark mark = {}, *m;
	struct go_within_key k;

	if (!go_within_key_of(b, g, &k))
		return;
	m = go_within_gs.lookup(&k);
	if (m && go_within_frame(b, g, sp, &k, m))
		return;
	mark.depth = (u32)(go_within_word(g + b->stack_hi_off) - sp);
	mark.ra = go_within_word(sp);
	if (go_within_gs.update(&k, &mark))
		go_within_lost();
}

/* runtime.newproc: is the goroutine starting another within FUNC? Told to its newproc1. */
static __always_inline void go_within_newproc(struct pt_regs *ctx, struct go_binfo *b, u64 g,
					      u64 sp)
{
	u64 tid = bpf_get_current_pid_tgid();
	struct go_within_key k;
	struct go_within_mark *m;
	u32 one = 1;

	if (go_within_key_of(b, g, &k) && (m = go_within_gs.lookup(&k)) &&
	    go_within_frame(b, g, sp, &k, m))
		go_within_spawn.update(&tid, &one);
	else
		go_within_spawn.delete(&tid);
}

/* runtime.coroswitch_m(gp), on g0: gp ends here when gp.coroexit is set; its mark goes. */
static __always_inline void go_within_coroswitch(struct pt_regs *ctx, struct go_binfo *b)
{
	u64 gp = go_arg_reg(ctx, 0);
	struct go_within_key k;
	u8 exiting = 0;

	if (b->coroexit_off >= 0 &&
	    !bpf_probe_read_user(&exiting, sizeof(exiting), (void *)(gp + b->coroexit_off)) &&
	    exiting && go_within_key_of(b, gp, &k))
		go_within_gs.delete(&k);
}

/* The entry probes: FUNC's, runtime.newproc's and newcoro's (and newproc1's, nothing),
 * coroswitch_m's, goexit1's. */
int go_within_entry(struct pt_regs *ctx)
{
	u64 cookie = bpf_get_attach_cookie(ctx), g = GO_REG_G(ctx), sp;
	struct go_binfo *b = go_binfo_of(cookie);
	u32 zero = 0, func = GO_COOKIE_FUNC(cookie);
	struct go_scope *s = go_scope.lookup(&zero);
	struct go_within_key k;

	if (!b || !s || !b->g_in_reg || !go_entered(ctx, cookie) || !go_task_ok())
		return 0;
	sp = GO_REG_SP(ctx) - GO_COOKIE_SP_ADJ(cookie);
	if (func == GO_COOKIE_GOEXIT) {
		if (go_within_key_of(b, g, &k))
			go_within_gs.delete(&k);
	} else if (func == s->within_newproc || func == s->within_newcoro) {
		go_within_newproc(ctx, b, g, sp);
	} else if (func == s->within_coroswitch) {
		go_within_coroswitch(ctx, b);
	} else if (func != s->within_newproc1) {
		go_within_enter(ctx, b, g, sp);
	}
	return 0;
}

/* The RETs: FUNC's unmark its goroutine; newproc1's mark the goroutine it made, if asked. */
int go_within_ret(struct pt_regs *ctx)
{
	u64 cookie = bpf_get_attach_cookie(ctx), tid = bpf_get_current_pid_tgid(), g;
	struct go_binfo *b = go_binfo_of(cookie);
	u32 zero = 0, func = GO_COOKIE_FUNC(cookie);
	struct go_scope *s = go_scope.lookup(&zero);
	struct go_within_mark mark = { .inherited = 1 }, *m;
	struct go_within_key k;

	if (!b || !s || !b->g_in_reg || !go_task_ok() || func == s->within_newproc)
		return 0;
	if (func == s->within_newproc1) {
		if (!go_within_spawn.lookup(&tid))
			return 0;
		go_within_spawn.delete(&tid);
		if (go_within_key_of(b, go_arg_reg(ctx, 0), &k) && go_within_gs.update(&k, &mark))
			go_within_lost();
		return 0;
	}
	g = GO_REG_G(ctx);
	if (!go_within_key_of(b, g, &k))
		return 0;
	m = go_within_gs.lookup(&k);
	if (m && !m->inherited && m->depth == (u32)(go_within_word(g + b->stack_hi_off) -
						   GO_REG_SP(ctx)))
		go_within_gs.delete(&k);
	return 0;
}

#endif
