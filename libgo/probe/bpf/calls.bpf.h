/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Calls of Go functions matched to their returns, for the BPF programs that time them
 * (funclatency.bpf.c, funcslower.bpf.c): a program includes this, defines the three hooks
 * declared below, and makes its go_entry call go_calls_entry() and its go_return
 * go_calls_return(). The maps are funclatency.h's.
 *
 * go_calls_entry runs at each function's entry site, or at the CALL and JMP
 * instructions that enter it when those are cheaper to probe, and also where goroutines end
 * (runtime.goexit1, GO_COOKIE_GOEXIT); go_calls_return at each RET instruction. Cookies carry the
 * function's index. A function entered by direct CALLs alone has its returns seen instead in
 * its callers, at the first instruction past each return that the kernel emulates (return
 * sites, GO_COOKIE_RETURN, libgo/plan/retsites.c), which go_entry takes too: an address that is
 * both a return site and a call site has one probe, GO_COOKIE_DUAL, the return handled first.
 *
 * A call is known by its goroutine (the address of its runtime.g, in its register, and its
 * process) and by how deep its frame is in that goroutine's stack, g.stack.hi - SP, which
 * copying a growing stack does not change and which is the same at the entry site and at a RET
 * (SP points at the return address at both). Goroutines that block and resume on another
 * thread, and recursion, are thus timed exactly. Each thread's system stack (g0) has a g of its own too.
 *
 * A goroutine's calls in progress form a stack, deeper calls above: the first NFRAMES in the
 * goroutine's record, the others in spill by their place in that stack. A call that never
 * reaches a RET (its frame unwound by a panic or runtime.Goexit) is found above the depth at
 * which the goroutine next enters or leaves a traced call, and counted then; as depths rise
 * with the stack, finding where to cut it is a binary search. The record goes when the
 * goroutine ends, before its g can be reused; goroutines record only while in a traced call
 * and allocate as they come (GO_LAT_GOEXIT: a plain hash of MAX_GOROUTINES, which is a limit,
 * not a size), so a program with many goroutines in traced calls loses none of them; when
 * runtime.goexit1 cannot be probed the records are an LRU instead, and a record goes when its
 * last call returns. The spill is an LRU: state stays bounded whatever the program does. A call
 * that finds no room is counted as such. Nothing the LRUs drop goes uncounted: a spilled call
 * whose record is gone is counted when it is found missing on top of its goroutine's stack (at
 * the next return), or at the end by the tool; the records of goroutines and of starts by SP
 * that an LRU dropped are what was added, less what was removed, less what is left at the end.
 * A process's last goroutines never end by runtime.goexit1: when a process exits, the tool
 * deletes its records (it learns of each process with records from newprocs and watches it),
 * counting their calls in progress and what it removed from the LRUs.
 *
 * At the RET of an assembly function that uses g's register as scratch, g is the one go_entry
 * saved for it (GO_COOKIE_SAVED_G, cookie.h).
 *
 * Go < 1.17 keeps g in thread-local storage (GO_BIN_G_FROM_M): the goroutine is found through the
 * thread's runtime.m, learned where g is in a register (see thread_g below); a call that begins
 * on a thread not learned yet is keyed by SP, as gccgo's are, which keeps g out of reach: its
 * split stacks never move. A gccgo call that __morestack ran on a new stack segment returns at
 * its split-stack RET, with the entry's SP; the body's RET before it, on the new segment, is
 * skipped (GO_COOKIE_SPLIT).
 *
 * One compiled program serves every setting and binary: which of the three ways a binary's
 * calls are known (g in its register; g through m; SP alone) and the offsets in runtime.g and runtime.m
 * are in its go_binfo (cookie.h); the program's settings are in config (funclatency.h); the maps
 * are made at load at the sizes the tool asks for (NFUNCS, MAX_GOROUTINES, MAX_SPILL, go_dual's
 * entries; 1 for a map the binary's way does not use), gs a plain hash where goroutines' ends
 * are probed and an LRU where not.
 */
#ifndef GO_CALLS_BPF_H
#define GO_CALLS_BPF_H

#include "funclatency.h"

#define NFRAMES GO_LAT_NFRAMES
#define FRAME(i) ((i) & (NFRAMES - 1))	/* an index the verifier sees bounded (NFRAMES: 2^k) */
#define SPILL_CAP 65536	/* a goroutine's spilled calls at most (the map may hold fewer) */
#define SEARCH_STEPS 17	/* binary search steps over at most SPILL_CAP (2^16) calls */
#define TIDY_MAX 16	/* spilled calls deleted when a goroutine ends (the LRU takes the rest) */
#define EVICTED_MAX 4	/* dropped calls on top of a goroutine's stack taken off at an entry */

/*
 * The hooks, which the program defines. A call of func (GO_FUNC_NONE: one the tool does not
 * trace, kept for its return) by goroutine id, depth bytes below the top of its stack, began at
 * ts; at its return, now, it was the nested-th of the goroutine's traced calls in progress (1:
 * the outermost); without g (gccgo) id->g and depth are 0. A goroutine ended (runtime.goexit1).
 */
static __always_inline void go_call_begun(struct pt_regs *ctx, const struct go_lat_gid *id,
					  u32 func, u32 depth, u64 ts);
static __always_inline void go_call_done(struct pt_regs *ctx, const struct go_lat_config *cfg,
					 const struct go_lat_gid *id, u32 func, u64 ts, u64 now,
					 u32 nested, u32 depth);
static __always_inline void go_goroutine_exit(const struct go_lat_gid *id);

BPF_PERCPU_ARRAY(stats, u64, GO_LAT_STAT_CNT);
BPF_ARRAY(config, struct go_lat_config, 1);
/*
 * The processes that have records (of goroutines, spilled calls, starts): each is told to the
 * tool once, in newprocs, which watches it and deletes its records when it exits.
 */
BPF_F_TABLE("hash", u32, u32, procs, GO_LAT_MAX_PROCS, BPF_F_NO_PREALLOC);
BPF_RINGBUF_OUTPUT(newprocs, 1);

static __always_inline void stat_add(u32 i, u64 n)
{
	u64 *v = stats.lookup(&i);

	if (v)
		*v += n;
}

static __always_inline void stat_inc(u32 i)
{
	stat_add(i, 1);
}

/*
 * Process tgid has records now: tell the tool, the first time. If the ring buffer is full, it
 * is told at its next record.
 */
static __always_inline void note_process(u32 tgid)
{
	u32 one = 1;

	if (procs.lookup(&tgid) || procs.insert(&tgid, &one))
		return;
	if (newprocs.ringbuf_output(&tgid, sizeof(tgid), 0))
		procs.delete(&tgid);
}

/*
 * At an entry site or a call site: the function (cookie.h) and the callee's SP, which is the
 * same at its entry and at its RETs, where it is SP itself (a RET's cookie holds no SP
 * adjustment: see GO_COOKIE_SPLIT).
 */
static __always_inline u64 callee_sp(struct pt_regs *ctx, u64 cookie, u32 *func)
{
	*func = GO_COOKIE_FUNC(cookie);
	return GO_REG_SP(ctx) - GO_COOKIE_SP_ADJ(cookie);
}

/*
 * The function a call is timed under: a generic function's instantiation, by its dictionary
 * (go_func), GO_FUNC_NONE for one not traced; its frame is kept all the same, under its body,
 * so that the RET, which cannot tell, finds it.
 */
static __always_inline u32 timed_func(struct pt_regs *ctx, u64 cookie, u32 body)
{
	return GO_COOKIE_DICT_REG(cookie) ? go_func(ctx, cookie) : body;
}

/* Calls by SP alone (and process): gccgo, and Go < 1.17 where its goroutine is not found. */
BPF_TABLE("lru_hash", struct go_lat_start_key, u64, starts, 1);	/* MAX_SPILL at load */

static __always_inline int sp_entry(struct pt_regs *ctx, u64 cookie, u32 tgid)
{
	struct go_lat_start_key k = {};
	u64 ts, *tsp;

	k.tgid = tgid;
	k.sp = callee_sp(ctx, cookie, &k.func);
	ts = bpf_ktime_get_ns();
	note_process(k.tgid);
	if (!starts.insert(&k, &ts)) {
		stat_inc(GO_LAT_SP_ADDED);
		return 0;
	}
	tsp = starts.lookup(&k);
	if (tsp) {	/* a call at this SP before never returned: this one takes its place */
		stat_inc(GO_LAT_UNWOUND);
		*tsp = ts;
	} else if (!starts.insert(&k, &ts)) {	/* the LRU dropped it meanwhile */
		stat_inc(GO_LAT_SP_ADDED);
	}
	return 0;
}

/* A RET at SP sp of func: its call's start by SP, if there is one; false when there is none. */
static __always_inline bool sp_return(struct pt_regs *ctx, u64 now, u32 tgid, u64 sp, u32 func)
{
	struct go_lat_gid id = { .tgid = tgid };
	struct go_lat_start_key k = {};
	struct go_lat_config *cfg;
	u32 zero = 0;
	u64 *tsp;

	k.tgid = tgid;
	k.sp = sp;
	k.func = func;
	tsp = starts.lookup(&k);
	cfg = config.lookup(&zero);
	if (!tsp || !cfg)
		return false;
	go_call_done(ctx, cfg, &id, k.func, *tsp, now, 1, 0);
	starts.delete(&k);
	stat_inc(GO_LAT_SP_REMOVED);	/* taken, whether or not the LRU dropped it meanwhile */
	return true;
}

/*
 * Go < 1.17 keeps g in thread-local storage, out of a probe's reach, but each thread runs on
 * one runtime.m for good, whose curg is the goroutine it runs (g0, gsignal: its system and
 * signal stacks' g): the thread's m is learned wherever g is in a register (gc's prologue
 * loads it into GO_REG_TLS_G for the stack check, so at entry sites, and at runtime.minit and
 * runtime.stopm, GO_COOKIE_THREAD, where threads start and go idle), and the goroutine whose
 * stack holds SP is the one running, by the offsets in the binary's go_binfo.
 */
BPF_TABLE("lru_hash", u32, struct go_lat_thread, threads, 1);	/* GO_LAT_MAX_THREADS at load */

static __always_inline u64 read_word(u64 addr)
{
	u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)addr);
	return v;
}

/* Does g's stack hold sp? */
static __always_inline bool g_holds(u64 g, u64 sp)
{
	u64 st[2] = {};

	if (!g || bpf_probe_read_user(st, sizeof(st), (void *)g))
		return false;
	return st[0] < sp && sp <= st[1];
}

/* The goroutine of m whose stack holds sp: the one it runs, or its g0 or gsignal; 0 if none. */
static __always_inline u64 m_g(const struct go_binfo *b, u64 m, u64 sp)
{
	u64 g = read_word(m + b->m_curg_off);

	if (g_holds(g, sp))
		return g;
	g = read_word(m + b->m_g0_off);
	if (g_holds(g, sp))
		return g;
	g = read_word(m + b->m_gsignal_off);
	return g_holds(g, sp) ? g : 0;
}

/* The running goroutine's g, through the current thread's m; 0 when the thread is unknown. */
static __always_inline u64 thread_g(const struct go_binfo *b, u64 sp)
{
	u64 id = bpf_get_current_pid_tgid();
	u32 tid = (u32)id;
	struct go_lat_thread *t = threads.lookup(&tid);

	if (!t || t->tgid != (u32)(id >> 32))
		return 0;
	return m_g(b, t->m, sp);
}

/*
 * At an entry site: g, where the prologue loaded it from TLS (taken when its m runs it, which
 * teaches the thread's m), else through the thread's m.
 */
static __always_inline u64 entry_g(struct pt_regs *ctx, const struct go_binfo *b, u64 sp)
{
	u64 id = bpf_get_current_pid_tgid(), g = GO_REG_TLS_G(ctx), m;
	struct go_lat_thread t = {}, *old;
	u32 tid = (u32)id;

	if (!g_holds(g, sp) || !(m = read_word(g + b->g_m_off)) || m_g(b, m, sp) != g)
		return thread_g(b, sp);
	old = threads.lookup(&tid);
	if (!old || old->m != m || old->tgid != (u32)(id >> 32)) {
		t.m = m;
		t.tgid = id >> 32;
		threads.update(&tid, &t);
	}
	return g;
}

/* MAX_GOROUTINES at load; an LRU, not a plain hash, where goroutines' ends are not probed */
BPF_F_TABLE("hash", struct go_lat_gid, struct go_lat_gstate, gs, 1, BPF_F_NO_PREALLOC);
BPF_ARRAY(empty, struct go_lat_gstate, 1);	/* a new goroutine's record: zeroes, never written */
BPF_TABLE("lru_hash", struct go_lat_spill_key, struct go_lat_frame, spill, 1);	/* MAX_SPILL */

/* The depth in the running goroutine's stack of a frame whose SP is sp. */
static __always_inline u32 depth_of(const struct go_binfo *b, u64 g, u64 sp)
{
	u64 hi = 0;

	bpf_probe_read_user(&hi, sizeof(hi), (void *)(g + b->stack_hi_off));
	return (u32)(hi - sp);
}

static __always_inline struct go_lat_frame *spilled_at(const struct go_lat_gid *id, u32 place)
{
	struct go_lat_spill_key k = { .id = *id, .place = place };

	return spill.lookup(&k);
}

/*
 * Is the call in f at or past the cut (past only, unless same)? One that the spill's LRU dropped
 * counts as below: it is kept, to be found missing and counted at the return that ends it.
 */
static __always_inline bool above(struct go_lat_frame *f, u32 cut, bool same)
{
	return f && (f->depth > cut || (same && f->depth == cut));
}

/*
 * Drop the calls above the depth cut (and at it, if same): their frames are gone, so they were
 * unwound and never return. What stays of the spill is below the first place above the cut.
 */
static __always_inline void drop_unwound(const struct go_lat_gid *id, struct go_lat_gstate *st,
					 u32 cut, bool same)
{
	u32 lo = 0, hi = st->spilled, old = st->spilled;
	int i;

	if (hi && above(spilled_at(id, hi - 1), cut, same)) {
		for (i = 0; i < SEARCH_STEPS && lo < hi; i++) {
			u32 mid = lo + (hi - lo) / 2;

			if (above(spilled_at(id, mid), cut, same))
				hi = mid;
			else
				lo = mid + 1;
		}
		st->spilled = lo;
		stat_add(GO_LAT_UNWOUND, old - lo);
	}
	if (st->spilled)
		return;
	for (i = 0; i < NFRAMES && st->n; i++) {
		u32 t = st->n - 1;

		if (!above(&st->frames[FRAME(t)], cut, same))
			return;
		st->n = t;
		stat_inc(GO_LAT_UNWOUND);
	}
}

/*
 * The calls on top of the goroutine's stack that the spill dropped: counted and taken off, so
 * that the unwound calls below them can be found (a few; a return takes off the others).
 */
static __always_inline void drop_evicted(const struct go_lat_gid *id, struct go_lat_gstate *st)
{
	int i;

	for (i = 0; i < EVICTED_MAX && st->spilled && !spilled_at(id, st->spilled - 1); i++) {
		st->spilled--;
		stat_inc(GO_LAT_EVICTED);
	}
}

/*
 * Without the probe where goroutines end, records are an LRU: one without calls in progress
 * goes (counted as removed, whether or not the LRU took it first), so that each record the LRU
 * drops held a call, a loss. Nothing of st may be used after.
 */
static __always_inline void tidy(const struct go_lat_config *cfg, const struct go_lat_gid *id,
				 struct go_lat_gstate *st)
{
	if (!(cfg->flags & GO_LAT_GOEXIT) && !st->n && !st->spilled) {
		gs.delete(id);
		stat_inc(GO_LAT_REMOVED);
	}
}

/* A goroutine ends (runtime.goexit1): its calls still in progress were unwound by Goexit. */
static __always_inline int goroutine_exit(const struct go_lat_gid *id)
{
	struct go_lat_spill_key k = { .id = *id };
	struct go_lat_gstate *st;
	int i;

	go_goroutine_exit(id);
	st = gs.lookup(&k.id);
	if (!st)
		return 0;
	stat_add(GO_LAT_UNWOUND, (u64)st->n + st->spilled);
	for (i = 0; i < TIDY_MAX && st->spilled; i++) {
		k.place = --st->spilled;
		spill.delete(&k);
	}
	gs.delete(&k.id);
	return 0;
}

static __always_inline int call_entry(struct pt_regs *ctx, const struct go_binfo *b, u64 cookie)
{
	struct go_lat_gstate *st, *zero;
	struct go_lat_config *cfg;
	struct go_lat_spill_key k = {};
	struct go_lat_frame f = {};
	u64 sp, ts;
	u32 depth, func, timed, n, first = 0;

	k.id.tgid = bpf_get_current_pid_tgid() >> 32;
	if (!go_tgid_ok(k.id.tgid))
		return 0;
	sp = callee_sp(ctx, cookie, &func);
	if (b->flags & GO_BIN_G_FROM_M) {
		k.id.g = entry_g(ctx, b, sp);	/* which learns the thread's m where it can */
		if (func == GO_COOKIE_THREAD)
			return 0;
		if (!k.id.g)	/* a thread not seen yet: by SP, as without g */
			return func == GO_COOKIE_GOEXIT ? 0 : sp_entry(ctx, cookie, k.id.tgid);
	} else {
		k.id.g = GO_REG_G(ctx);	/* g is there at every entry, assembly functions' too */
		if (func == GO_COOKIE_THREAD)
			return 0;
	}
	if (func == GO_COOKIE_GOEXIT)
		return goroutine_exit(&k.id);
	if (cookie & GO_COOKIE_SAVE_G)
		go_g_save(ctx, cookie);
	if (!go_in_scope(ctx, cookie))	/* --label: as a call of no traced function */
		return 0;
	timed = timed_func(ctx, cookie, func);
	depth = depth_of(b, k.id.g, sp);
	st = gs.lookup(&k.id);
	if (!st) {
		zero = empty.lookup(&first);
		if (!zero)
			return 0;
		if (gs.update(&k.id, zero)) {
			stat_inc(GO_LAT_NO_ROOM);
			return 0;
		}
		cfg = config.lookup(&first);
		if (cfg && !(cfg->flags & GO_LAT_GOEXIT))
			stat_inc(GO_LAT_ADDED);
		note_process(k.id.tgid);
		st = gs.lookup(&k.id);
		if (!st) {	/* another CPU's update took its place meanwhile */
			stat_inc(GO_LAT_NO_ROOM);
			return 0;
		}
	}
	drop_evicted(&k.id, st);
	drop_unwound(&k.id, st, depth, true);
	/* a guard's mark that a panic left between it and its site: a call from that frame or above */
	if (st->guard && depth < st->guard + 8)
		st->guard = 0;
	n = st->n;
	ts = bpf_ktime_get_ns();
	if (!st->spilled && n < NFRAMES) {
		st->frames[FRAME(n)].depth = depth;
		st->frames[FRAME(n)].sp = sp;
		st->frames[FRAME(n)].func = timed;
		st->frames[FRAME(n)].body = func;
		st->frames[FRAME(n)].ts = ts;
		st->n = n + 1;
		go_call_begun(ctx, &k.id, timed, depth, ts);
		return 0;
	}
	if (st->spilled >= SPILL_CAP) {
		stat_inc(GO_LAT_NO_ROOM);	/* its return will find no start */
		return 0;
	}
	k.place = st->spilled;
	f.depth = depth;
	f.sp = sp;
	f.func = timed;
	f.body = func;
	f.ts = ts;
	if (!spill.update(&k, &f)) {
		st->spilled++;
		go_call_begun(ctx, &k.id, timed, depth, ts);
	} else
		stat_inc(GO_LAT_NO_ROOM);
	return 0;
}

/* The call on top of the goroutine's stack; k, whose id is set, says where it is kept. */
static __always_inline struct go_lat_frame *top(struct go_lat_gstate *st,
						struct go_lat_spill_key *k)
{
	if (st->spilled) {
		k->place = st->spilled - 1;
		return spill.lookup(k);
	}
	if (!st->n)
		return NULL;
	return &st->frames[FRAME(st->n - 1)];
}

static __always_inline void pop(struct go_lat_gstate *st, struct go_lat_spill_key *k)
{
	if (st->spilled) {
		st->spilled--;
		spill.delete(k);
	} else {
		st->n--;
	}
}

/*
 * The call of body (its cookie's function) by goroutine g whose SP at the entry was sp has returned: 0, or 1 when no
 * start of it is kept (counted by the caller, which may look elsewhere first).
 */
static __always_inline int call_return(struct pt_regs *ctx, const struct go_binfo *b, u64 now,
				       u32 tgid, u64 g, u64 sp, u32 body)
{
	struct go_lat_spill_key k = {};
	struct go_lat_config *cfg;
	struct go_lat_gstate *st;
	struct go_lat_frame *f;
	u64 ts;
	u32 depth, nested, func, zero = 0;

	k.id.tgid = tgid;
	k.id.g = g;
	st = gs.lookup(&k.id);
	cfg = config.lookup(&zero);
	if (!st || !cfg)
		return 1;
	/* the usual case: the call on top, its stack not moved since it began */
	f = top(st, &k);
	if (!f && st->spilled) {
		/*
		 * The spill dropped the call on top. This return is that call's unless the one
		 * below it returns here (then the dropped call was unwound): either way it is
		 * counted once, as dropped.
		 */
		st->spilled--;
		stat_inc(GO_LAT_EVICTED);
		f = top(st, &k);
		if (!f || f->depth < depth_of(b, k.id.g, sp)) {
			tidy(cfg, &k.id, st);
			return 0;
		}
	}
	if (!f || f->sp != sp || f->body != body) {
		/* else by depth, which a copied stack keeps, past calls unwound by a panic */
		depth = depth_of(b, k.id.g, sp);
		drop_unwound(&k.id, st, depth, false);
		f = top(st, &k);
		if (!f || f->depth != depth || f->body != body) {
			tidy(cfg, &k.id, st);
			return 1;
		}
	}
	ts = f->ts;
	func = f->func;
	depth = f->depth;
	nested = st->n + st->spilled;	/* the call's level: 1 for the outermost traced call */
	pop(st, &k);
	tidy(cfg, &k.id, st);
	go_call_done(ctx, cfg, &k.id, func, ts, now, nested, depth);
	return 0;
}

/* At a RET: SP is the callee's, as at its entry site. The program's go_return. */
static __always_inline int go_calls_return(struct pt_regs *ctx)
{
	u64 now = bpf_ktime_get_ns(), cookie = bpf_get_attach_cookie(ctx);
	u32 tgid = bpf_get_current_pid_tgid() >> 32, func = GO_COOKIE_FUNC(cookie);
	struct go_binfo *b = go_binfo_of(cookie);
	u64 g, sp = GO_REG_SP(ctx);

	if (!b || !go_tgid_ok(tgid) || go_ret_into_morestack(ctx, cookie))
		return 0;
	if (b->g_in_reg) {
		g = go_g_regabi(ctx, cookie);
		if (call_return(ctx, b, now, tgid, g, sp, func))
			stat_inc(GO_LAT_NO_START);
	} else if (b->flags & GO_BIN_G_FROM_M) {
		/* a call begun where its thread was not known yet has its start by SP */
		g = thread_g(b, sp);
		if ((!g || call_return(ctx, b, now, tgid, g, sp, func)) &&
		    !sp_return(ctx, now, tgid, sp, func))
			stat_inc(GO_LAT_NO_START);
	} else if (!sp_return(ctx, now, tgid, sp, func)) {
		stat_inc(GO_LAT_NO_START);
	}
	return 0;
}

/*
 * At a return site (GO_COOKIE_RETURN): in the caller, past the return, where g is in its
 * register again and the callee's SP is GO_COOKIE_SP_ADJ below SP.
 */
static __always_inline int return_site(struct pt_regs *ctx, const struct go_binfo *b, u64 cookie)
{
	struct go_lat_gid id = {};
	struct go_lat_gstate *st;
	u64 now = bpf_ktime_get_ns();
	u32 guard;

	id.tgid = bpf_get_current_pid_tgid() >> 32;
	if (!go_tgid_ok(id.tgid))
		return 0;
	id.g = GO_REG_G(ctx);
	st = gs.lookup(&id);
	if (st && st->guard) {	/* the site follows a guard's JMP: no return, unless stale */
		guard = st->guard;
		st->guard = 0;
		if (guard == 1 + depth_of(b, id.g, GO_REG_SP(ctx)))
			return 0;
	}
	if (call_return(ctx, b, now, id.tgid, id.g, GO_REG_SP(ctx) - GO_COOKIE_SP_ADJ(cookie),
			GO_COOKIE_FUNC(cookie)))
		stat_inc(GO_LAT_NO_START);
	return 0;
}

/*
 * At a guard (GO_COOKIE_GUARD): a JMP into the code before a return site, which the goroutine
 * reaches next, at this depth (the same frame), without a return. Nothing to mark without a
 * call in progress. A deeper call before the site (asynchronous preemption's) keeps the mark.
 */
static __always_inline int go_lat_guard(struct pt_regs *ctx, const struct go_binfo *b)
{
	struct go_lat_gid id = {};
	struct go_lat_gstate *st;

	id.tgid = bpf_get_current_pid_tgid() >> 32;
	if (!go_tgid_ok(id.tgid))
		return 0;
	id.g = GO_REG_G(ctx);
	st = gs.lookup(&id);
	if (st)
		st->guard = 1 + depth_of(b, id.g, GO_REG_SP(ctx));
	return 0;
}

/* The role of a probe that is not a return site. */
static __always_inline int entry_or_guard(struct pt_regs *ctx, const struct go_binfo *b,
					  u64 cookie)
{
	if (!go_entered(ctx, cookie))
		return 0;
	if (cookie & GO_COOKIE_GUARD)
		return go_lat_guard(ctx, b);
	return call_entry(ctx, b, cookie);
}

BPF_ARRAY(go_dual, struct go_dual, 1);	/* as many as the plan has, at load */

/* Without g (gccgo): calls by SP alone. */
static __always_inline int sp_only_entry(struct pt_regs *ctx, u64 cookie)
{
	u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!go_entered(ctx, cookie) || !go_tgid_ok(tgid) || !go_in_scope(ctx, cookie))
		return 0;
	return sp_entry(ctx, cookie, tgid);
}

/*
 * Entry sites, call sites, where goroutines end, and return sites: one probe an address. The
 * program's go_entry, for a probe of cookie.
 */
static __always_inline int go_calls_entry(struct pt_regs *ctx, u64 cookie)
{
	struct go_binfo *b = go_binfo_of(cookie);

	if (!b)
		return 0;
	if (!b->g_in_reg && !(b->flags & GO_BIN_G_FROM_M))
		return sp_only_entry(ctx, cookie);
	if (cookie & GO_COOKIE_DUAL) {	/* a return site that is also a call site */
		u32 i = GO_COOKIE_FUNC(cookie);
		struct go_dual *d = go_dual.lookup(&i);
		u64 second;

		if (!d)
			return 0;
		second = d->second;
		return_site(ctx, b, d->first);
		cookie = second;	/* one entry_or_guard below: the verifier follows it once */
	} else if (cookie & GO_COOKIE_RETURN) {
		return return_site(ctx, b, cookie);
	}
	return entry_or_guard(ctx, b, cookie);
}


#endif
