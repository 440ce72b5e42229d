/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gofunclatency: time calls. go_entry runs at each function's entry site, go_return at each of
 * its RET instructions; cookies carry the function's index.
 *
 * A call is keyed by its goroutine and by how deep its frame is in that goroutine's stack,
 * g.stack.hi - SP, which copying a growing stack does not change and which is the same at the
 * entry site and at a RET (SP points at the return address at both). Goroutines that block and
 * resume on another thread, and recursion, are thus timed exactly. A call that never reaches a
 * RET (panic, runtime.Goexit) leaves its start behind: the next call at the same depth replaces
 * it and counts it as unreturned; the map is an LRU, so state stays bounded.
 * Settings: NFUNCS, SLOTS, UNIT_DIV, MAX_INFLIGHT, G_STACK_HI.
 */
struct start_key {
	u64 goid;
	u64 depth;
	u32 func;
	u32 pad;
};

BPF_TABLE("lru_hash", struct start_key, u64, starts, MAX_INFLIGHT);
BPF_PERCPU_ARRAY(hist, u64, NFUNCS * SLOTS);
BPF_PERCPU_ARRAY(totals, u64, NFUNCS);
BPF_PERCPU_ARRAY(stats, u64, 2);	/* 0: calls that never returned, 1: returns without a start */

static __always_inline void stat_inc(u32 i)
{
	u64 *v = stats.lookup(&i);

	if (v)
		(*v)++;
}

static __always_inline void call_key(struct pt_regs *ctx, struct start_key *k)
{
	k->func = bpf_get_attach_cookie(ctx);
#ifdef GOID_OFFSET
	u64 hi = 0;

	bpf_probe_read_user(&k->goid, sizeof(k->goid), (void *)(ctx->r14 + GOID_OFFSET));
	bpf_probe_read_user(&hi, sizeof(hi), (void *)(ctx->r14 + G_STACK_HI));
	k->depth = hi - ctx->sp;
#else
	k->depth = ctx->sp;	/* gccgo: split stacks never move a frame */
#endif
}

int go_entry(struct pt_regs *ctx)
{
	struct start_key k = {};
	u64 ts;

	if (!go_pid_ok())
		return 0;
	call_key(ctx, &k);
	ts = bpf_ktime_get_ns();
	if (starts.insert(&k, &ts)) {
		stat_inc(0);
		starts.update(&k, &ts);
	}
	return 0;
}

int go_return(struct pt_regs *ctx)
{
	struct start_key k = {};
	u64 *tsp, delta, *v;
	u32 slot, idx;

	if (!go_pid_ok())
		return 0;
	call_key(ctx, &k);
	tsp = starts.lookup(&k);
	if (!tsp) {
		stat_inc(1);
		return 0;
	}
	delta = (bpf_ktime_get_ns() - *tsp) / UNIT_DIV;
	starts.delete(&k);
	slot = bpf_log2l(delta);
	if (slot >= SLOTS)
		slot = SLOTS - 1;
	idx = k.func * SLOTS + slot;
	v = hist.lookup(&idx);
	if (v)
		(*v)++;
	v = totals.lookup(&k.func);
	if (v)
		*v += delta;
	return 0;
}
