/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gofunclatency: time calls. go_entry runs at each function's entry site, or at the CALL and JMP
 * instructions that enter it when those are cheaper to probe, and also where goroutines end
 * (runtime.goexit1, cookie GOEXIT_COOKIE); go_return at each RET instruction. Cookies carry the
 * function's index.
 *
 * A call is known by its goroutine (the address of its runtime.g, in R14, and its process) and
 * by how deep its frame is in that goroutine's stack, g.stack.hi - SP, which copying a growing
 * stack does not change and which is the same at the entry site and at a RET (SP points at the
 * return address at both). Goroutines that block and resume on another thread, and recursion,
 * are thus timed exactly. Each thread's system stack (g0) has a g of its own too.
 *
 * A goroutine's calls in progress form a stack, deeper calls above: the first NFRAMES in the
 * goroutine's record, the others in spill by their place in that stack. A call that never
 * reaches a RET (its frame unwound by a panic or runtime.Goexit) is found above the depth at
 * which the goroutine next enters or leaves a traced call, and counted then; as depths rise
 * with the stack, finding where to cut it is a binary search. The record goes when the
 * goroutine ends, before its g can be reused. Both maps are LRUs: state stays bounded whatever
 * the program does.
 *
 * gccgo and Go < 1.17 keep g out of reach (thread-local storage): calls are keyed by SP alone.
 * A gccgo call that __morestack ran on a new stack segment returns at its split-stack RET, with
 * the entry's SP; the body's RET before it, on the new segment, is skipped.
 * Settings: NFUNCS, SLOTS, UNIT_DIV, MAX_GOROUTINES, MAX_SPILL, G_STACK_HI, GOEXIT_COOKIE, and
 * G_IN_R14 for the register ABI.
 */
#define NFRAMES 4	/* calls in progress a goroutine's record holds; deeper ones spill */
#define FRAME(i) ((i) & (NFRAMES - 1))	/* an index the verifier sees bounded (NFRAMES: 2^k) */
#define SEARCH_STEPS 17	/* binary search steps over at most MAX_SPILL (<= 2^16) calls */
#define TIDY_MAX 16	/* spilled calls deleted when a goroutine ends (the LRU takes the rest) */

enum { STAT_UNWOUND, STAT_NO_START, STAT_CNT };

BPF_PERCPU_ARRAY(hist, u64, NFUNCS * SLOTS);
BPF_PERCPU_ARRAY(totals, u64, NFUNCS);
BPF_PERCPU_ARRAY(stats, u64, STAT_CNT);

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

static __always_inline void record(u32 func, u64 start, u64 end)
{
	u64 delta = (end - start) / UNIT_DIV, *v;
	u32 slot = bpf_log2l(delta), idx;

	if (slot >= SLOTS)
		slot = SLOTS - 1;
	idx = func * SLOTS + slot;
	v = hist.lookup(&idx);
	if (v)
		(*v)++;
	v = totals.lookup(&func);
	if (v)
		*v += delta;
}

/*
 * The cookie's low half is the function's index; its high half how far below SP at the probe
 * the callee's SP will be: 8 at a caller's CALL (the return address is still to be pushed),
 * 0 at the entry site, at a tail call's JMP and at a RET of a gc function (at a gccgo
 * function's RET it is for go_ret_into_morestack, and go_return keys by SP as it is).
 */
static __always_inline u64 callee_sp(struct pt_regs *ctx, u32 *func)
{
	u64 cookie = bpf_get_attach_cookie(ctx);

	*func = (u32)cookie;
	return ctx->sp - (cookie >> 32);
}

#ifdef G_IN_R14

struct frame {
	u64 sp;			/* at the entry, for the return's quick match */
	u64 ts;
	u32 depth;		/* Go stacks stay under 1 GB */
	u32 func;
};

struct gstate {
	u32 n;			/* frames in use */
	u32 spilled;		/* calls in spill, above the frames, at places 0..spilled-1 */
	struct frame frames[NFRAMES];
};

/* A goroutine: its g, in its process (copies of one program lay their goroutines out alike) */
struct gid {
	u64 g;
	u32 tgid;
	u32 pad;
};

struct spill_key {
	struct gid id;
	u32 place;
	u32 pad;
};

BPF_TABLE("lru_hash", struct gid, struct gstate, gs, MAX_GOROUTINES);
BPF_ARRAY(empty, struct gstate, 1);	/* a new goroutine's record: zeroes, never written */
BPF_TABLE("lru_hash", struct spill_key, struct frame, spill, MAX_SPILL);


/* The depth in the running goroutine's stack of a frame whose SP is sp. */
static __always_inline u32 depth_of(struct pt_regs *ctx, u64 sp)
{
	u64 hi = 0;

	bpf_probe_read_user(&hi, sizeof(hi), (void *)(ctx->r14 + G_STACK_HI));
	return (u32)(hi - sp);
}

static __always_inline struct frame *spilled_at(const struct gid *id, u32 place)
{
	struct spill_key k = { .id = *id, .place = place };

	return spill.lookup(&k);
}

/* Is the call in f at or past the cut (past only, unless same)? A lost one counts as past. */
static __always_inline bool above(struct frame *f, u32 cut, bool same)
{
	return !f || f->depth > cut || (same && f->depth == cut);
}

/*
 * Drop the calls above the depth cut (and at it, if same): their frames are gone, so they were
 * unwound and never return. What stays of the spill is below the first place above the cut.
 */
static __always_inline void drop_unwound(const struct gid *id, struct gstate *st, u32 cut,
					 bool same)
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
		stat_add(STAT_UNWOUND, old - lo);
	}
	if (st->spilled)
		return;
	for (i = 0; i < NFRAMES && st->n; i++) {
		u32 t = st->n - 1;

		if (!above(&st->frames[FRAME(t)], cut, same))
			return;
		st->n = t;
		stat_inc(STAT_UNWOUND);
	}
}

/* A goroutine ends (runtime.goexit1): its calls still in progress were unwound by Goexit. */
static __always_inline int goroutine_exit(const struct gid *id)
{
	struct spill_key k = { .id = *id };
	struct gstate *st;
	int i;

	st = gs.lookup(&k.id);
	if (!st)
		return 0;
	stat_add(STAT_UNWOUND, (u64)st->n + st->spilled);
	for (i = 0; i < TIDY_MAX && st->spilled; i++) {
		k.place = --st->spilled;
		spill.delete(&k);
	}
	gs.delete(&k.id);
	return 0;
}

int go_entry(struct pt_regs *ctx)
{
	struct gstate *st, *zero;
	struct spill_key k = {};
	struct frame f = {};
	u64 sp;
	u32 depth, func, n, first = 0;

	k.id.tgid = bpf_get_current_pid_tgid() >> 32;
	if (!go_tgid_ok(k.id.tgid))
		return 0;
	k.id.g = ctx->r14;
	sp = callee_sp(ctx, &func);
	if (func == GOEXIT_COOKIE)
		return goroutine_exit(&k.id);
	depth = depth_of(ctx, sp);
	st = gs.lookup(&k.id);
	if (!st) {
		zero = empty.lookup(&first);
		if (!zero)
			return 0;
		gs.update(&k.id, zero);
		st = gs.lookup(&k.id);
		if (!st)
			return 0;
	}
	drop_unwound(&k.id, st, depth, true);
	n = st->n;
	if (!st->spilled && n < NFRAMES) {
		st->frames[FRAME(n)].depth = depth;
		st->frames[FRAME(n)].sp = sp;
		st->frames[FRAME(n)].func = func;
		st->frames[FRAME(n)].ts = bpf_ktime_get_ns();
		st->n = n + 1;
		return 0;
	}
	if (st->spilled >= MAX_SPILL)
		return 0;	/* its return will find no start */
	k.place = st->spilled;
	f.depth = depth;
	f.sp = sp;
	f.func = func;
	f.ts = bpf_ktime_get_ns();
	if (!spill.update(&k, &f))
		st->spilled++;
	return 0;
}

/* The call on top of the goroutine's stack; k, whose id is set, says where it is kept. */
static __always_inline struct frame *top(struct gstate *st, struct spill_key *k)
{
	if (st->spilled) {
		k->place = st->spilled - 1;
		return spill.lookup(k);
	}
	if (!st->n)
		return NULL;
	return &st->frames[FRAME(st->n - 1)];
}

static __always_inline void pop(struct gstate *st, struct spill_key *k)
{
	if (st->spilled) {
		st->spilled--;
		spill.delete(k);
	} else {
		st->n--;
	}
}

int go_return(struct pt_regs *ctx)
{
	struct spill_key k = {};
	struct gstate *st;
	struct frame *f;
	u64 now = bpf_ktime_get_ns(), sp, ts;
	u32 depth, func;

	k.id.tgid = bpf_get_current_pid_tgid() >> 32;
	if (!go_tgid_ok(k.id.tgid))
		return 0;
	k.id.g = ctx->r14;
	sp = callee_sp(ctx, &func);
	st = gs.lookup(&k.id);
	if (!st) {
		stat_inc(STAT_NO_START);
		return 0;
	}
	/* the usual case: the call on top, its stack not moved since it began */
	f = top(st, &k);
	if (!f || f->sp != sp || f->func != func) {
		/* else by depth, which a copied stack keeps, past calls unwound by a panic */
		depth = depth_of(ctx, sp);
		drop_unwound(&k.id, st, depth, false);
		f = top(st, &k);
		if (!f || f->depth != depth || f->func != func) {
			stat_inc(STAT_NO_START);
			return 0;
		}
	}
	ts = f->ts;
	pop(st, &k);
	record(func, ts, now);
	return 0;
}

#else /* !G_IN_R14: by SP alone (and process) */

struct start_key {
	u64 sp;
	u32 func;
	u32 tgid;
};

BPF_TABLE("lru_hash", struct start_key, u64, starts, MAX_SPILL);

int go_entry(struct pt_regs *ctx)
{
	struct start_key k = {};
	u64 ts;

	k.tgid = bpf_get_current_pid_tgid() >> 32;
	if (!go_tgid_ok(k.tgid))
		return 0;
	k.sp = callee_sp(ctx, &k.func);
	ts = bpf_ktime_get_ns();
	if (starts.insert(&k, &ts)) {	/* a call at this SP before never returned */
		stat_inc(STAT_UNWOUND);
		starts.update(&k, &ts);
	}
	return 0;
}

int go_return(struct pt_regs *ctx)
{
	struct start_key k = {};
	u64 now = bpf_ktime_get_ns(), *tsp;

	k.tgid = bpf_get_current_pid_tgid() >> 32;
	if (!go_tgid_ok(k.tgid) || go_ret_into_morestack(ctx))
		return 0;
	k.sp = ctx->sp;
	k.func = (u32)bpf_get_attach_cookie(ctx);
	tsp = starts.lookup(&k);
	if (!tsp) {
		stat_inc(STAT_NO_START);
		return 0;
	}
	record(k.func, *tsp, now);
	starts.delete(&k);
	return 0;
}

#endif
