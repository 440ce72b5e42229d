/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gostack: count calls per distinct user stack. The probes are gofunccount's (entry sites, or
 * the CALL and JMP instructions that enter a function); the cookie (cookie.h) holds the
 * function's index. The key (stackcount.h) holds the walk of stackwalk.bpf.h: the probed pc, the
 * return addresses, through cgo callbacks, and the return address where the walk misses it at
 * an entry (at SP at a JMP or a function's first instruction, higher once the prologue has
 * pushed: go_ra_offs). Whole stacks are the hash key, so that no two stacks share a count (a
 * stack-trace map's buckets can collide); the process and its name only when the tool asks
 * (settings, stackcount.h), so that a stack that many processes share is one entry. With -i,
 * the key holds the interval's epoch, which the tool flips before it takes the ended
 * interval's stacks out of the table (and its lost calls). The goroutine's pprof labels are
 * kept once per set, in labelsets (labelsets.bpf.h), by two hashes of their text, which the
 * key holds.
 * Sized at load: counts (MAX_STACKS), and labelsets where the binary's labels are read (its
 * go_binfo's labels_off, labels.bpf.h).
 */
#include "cookie.h"
#include "stackcount.h"
#include "stackwalk.bpf.h"
#include "labelsets.bpf.h"

/* allocated as stacks come, not all at the start (a key is about 1 KiB) */
BPF_F_TABLE("hash", struct go_stack_key, u64, counts, 1, BPF_F_NO_PREALLOC);
BPF_PERCPU_ARRAY(scratch, struct go_stack_key, 1);
BPF_ARRAY(settings, struct go_stack_settings, 1);
/* [epoch]: calls whose stack found no room in counts, in the interval of that epoch */
BPF_PERCPU_ARRAY(lost, u64, GO_STACK_EPOCHS);

int go_stack(struct pt_regs *ctx)
{
	u32 zero = 0, flags = 0, epoch = 0, func;
	struct go_stack_settings *set;
	struct go_binfo *b;
	struct go_stack_key *k;
	u64 one = 1, *val, cookie = bpf_get_attach_cookie(ctx);

	if (!go_entered(ctx, cookie) || !go_task_ok() || !go_in_scope(ctx, cookie))
		return 0;
	k = scratch.lookup(&zero);
	set = settings.lookup(&zero);
	if (!k)
		return 0;
	if (set) {
		flags = set->flags;
		epoch = set->epoch & (GO_STACK_EPOCHS - 1);
	}
	func = go_func(ctx, cookie);
	if (func == GO_FUNC_NONE)
		return 0;
	k->pid = flags & GO_STACK_PID ? bpf_get_current_pid_tgid() >> 32 : 0;
	k->func = func;
	k->epoch = epoch;
	k->pad = 0;
	__builtin_memset(k->comm, 0, sizeof(k->comm));
	if (flags & GO_STACK_COMM)
		bpf_get_current_comm(k->comm, sizeof(k->comm));
	k->labels.h1 = k->labels.h2 = 0;
	b = go_binfo_of(cookie);
	if (b && b->labels_off >= 0 && b->g_in_reg)
		go_labelset(GO_REG_G(ctx), b, &k->labels);
	/*
	 * At a caller's CALL (the callee's SP below SP) no return address is pushed yet: the word
	 * at SP is whatever the caller's frame last held there (which would make each call's key
	 * another), and the walk has the caller.
	 */
	go_walk(ctx, cookie, !GO_COOKIE_SP_ADJ(cookie), b, &k->walk);
	val = counts.lookup(k);
	if (val) {
		__sync_fetch_and_add(val, 1);
		return 0;
	}
	if (!counts.insert(k, &one))
		return 0;
	val = counts.lookup(k);	/* another CPU added it meanwhile */
	if (val) {
		__sync_fetch_and_add(val, 1);
		return 0;
	}
	val = lost.lookup(&epoch);
	if (val)
		(*val)++;
	return 0;
}
