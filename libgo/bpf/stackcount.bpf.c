/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gostack: count calls per distinct user stack. The probes are gofunccount's (entry sites, or
 * the CALL and JMP instructions that enter a function); the cookie (cookie.h) holds the
 * function's index. The key holds the kernel's frame-pointer walk (bpf_get_stack: the probed
 * pc, then return addresses) and the two words user space needs to restore the caller that the
 * walk misses at an entry: the return address (at SP at a JMP or a function's first
 * instruction, higher once the prologue has pushed: ra_offs) and *(BP + 8) (what the walk takes
 * second when it does not add *SP itself); at a caller's CALL, where the walk has the caller,
 * neither (the word at SP there is not part of the stack). Whole stacks are the hash key,
 * so that no two stacks share a count (a stack-trace map's buckets can collide); the process
 * and its name only when the tool asks (settings, stackcount.h), so that a stack that many
 * processes share is one entry. With -i, the key holds the interval's epoch, which the tool
 * flips before it takes the ended interval's stacks out of the table (and its lost calls).
 * Settings: NFUNCS, MAX_FRAMES, MAX_STACKS; LABELS_OFFSET (runtime.g.labels, Go 1.24+, whose
 * labels are a slice of {key, value string}), MAX_LABELS, LABEL_LEN (a power of two).
 */
#include "cookie.h"
#include "stackcount.h"

struct go_stack_key {
	struct go_stack_head h;
#ifdef LABELS_OFFSET
	u32 nlabels;		/* how many the goroutine has (more than MAX_LABELS: the first) */
	u32 pad;
	char labels[MAX_LABELS][2][LABEL_LEN];
#endif
	u64 frames[MAX_FRAMES];
};

/* allocated as stacks come, not all at the start (a key is about 1 KiB) */
BPF_F_TABLE("hash", struct go_stack_key, u64, counts, MAX_STACKS, BPF_F_NO_PREALLOC);
/* per function probed at its entry site: where the return address is there, above SP */
BPF_ARRAY(ra_offs, u32, NFUNCS);
BPF_PERCPU_ARRAY(scratch, struct go_stack_key, 1);
BPF_ARRAY(settings, struct go_stack_settings, 1);
/* [epoch]: calls whose stack found no room in counts, in the interval of that epoch */
BPF_PERCPU_ARRAY(lost, u64, GO_STACK_EPOCHS);

#ifdef LABELS_OFFSET
static __always_inline void go_label_str(char *dst, u64 ptr, u64 len)
{
	u32 n = len > LABEL_LEN - 1 ? LABEL_LEN - 1 : len;

	n &= LABEL_LEN - 1;
	if (bpf_probe_read_user(dst, n, (void *)ptr))
		n = 0;
	dst[n & (LABEL_LEN - 1)] = 0;
}

static __always_inline void go_labels(struct pt_regs *ctx, struct go_stack_key *k)
{
	u64 labels = 0, list[2] = {}, l[4];
	int i;

	k->nlabels = 0;
	bpf_probe_read_user(&labels, sizeof(labels), (void *)(ctx->r14 + LABELS_OFFSET));
	if (!labels || bpf_probe_read_user(list, sizeof(list), (void *)labels))
		return;
	k->nlabels = list[1];
#pragma unroll
	for (i = 0; i < MAX_LABELS; i++) {
		if (i >= list[1] || bpf_probe_read_user(l, sizeof(l), (void *)(list[0] + i * 32)))
			break;
		go_label_str(k->labels[i][0], l[0], l[1]);
		go_label_str(k->labels[i][1], l[2], l[3]);
	}
}
#endif

int go_stack(struct pt_regs *ctx)
{
	u32 zero = 0, func, *off, flags = 0, epoch = 0;
	struct go_stack_settings *set;
	struct go_stack_key *k;
	u64 one = 1, *val, cookie = bpf_get_attach_cookie(ctx);

	if (!go_entered(ctx, cookie) || !go_pid_ok())
		return 0;
	k = scratch.lookup(&zero);
	set = settings.lookup(&zero);
	if (!k)
		return 0;
	if (set) {
		flags = set->flags;
		epoch = set->epoch & (GO_STACK_EPOCHS - 1);
	}
	func = GO_COOKIE_FUNC(cookie);
	k->h.pid = flags & GO_STACK_PID ? bpf_get_current_pid_tgid() >> 32 : 0;
	k->h.func = func;
	k->h.ra = 0;
	k->h.bp_ra = 0;
	k->h.epoch = epoch;
	__builtin_memset(k->h.comm, 0, sizeof(k->h.comm));
	if (flags & GO_STACK_COMM)
		bpf_get_current_comm(k->h.comm, sizeof(k->h.comm));
	/*
	 * At a caller's CALL (the callee's SP below SP) no return address is pushed yet: the word
	 * at SP is whatever the caller's frame last held there, and the walk has the caller.
	 */
	if (!GO_COOKIE_SP_ADJ(cookie)) {
		off = ra_offs.lookup(&func);
		bpf_probe_read_user(&k->h.ra, sizeof(k->h.ra), (void *)(ctx->sp + (off ? *off : 0)));
		bpf_probe_read_user(&k->h.bp_ra, sizeof(k->h.bp_ra), (void *)(ctx->bp + 8));
	}
#ifdef LABELS_OFFSET
	__builtin_memset(k->labels, 0, sizeof(k->labels));
	go_labels(ctx, k);
#endif
	/* the frames past the walk's end are zeroed by the helper, so equal stacks are equal keys */
	k->h.nbytes = bpf_get_stack(ctx, k->frames, sizeof(k->frames), BPF_F_USER_STACK);
	if (k->h.nbytes < 0)
		__builtin_memset(k->frames, 0, sizeof(k->frames));
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
