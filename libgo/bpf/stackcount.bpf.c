/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gostack: count calls per distinct user stack. The probes are gofunccount's (entry sites, or
 * the CALL and JMP instructions that enter a function); the cookie (cookie.h) holds the
 * function's index. The key holds the kernel's frame-pointer walk (bpf_get_stack: the probed
 * pc, then return addresses) and the two words user space needs to restore the caller that the
 * walk misses at an entry: the return address (at SP at a JMP or a function's first
 * instruction, higher once the prologue has pushed: ra_offs) and *(BP + 8) (what the walk takes
 * second when it does not add *SP itself). Whole stacks are the hash key,
 * so that no two stacks share a count (a stack-trace map's buckets can collide).
 * Settings: NFUNCS, MAX_FRAMES, MAX_STACKS; LABELS_OFFSET (runtime.g.labels, Go 1.24+, whose
 * labels are a slice of {key, value string}), MAX_LABELS, LABEL_LEN (a power of two).
 */
#include "cookie.h"

struct go_stack_key {
	u32 pid;
	u32 func;
	u64 ra;			/* *(SP + ra_offs[func]) at the probe */
	u64 bp_ra;		/* *(BP + 8) at the probe */
	s64 nbytes;		/* what bpf_get_stack returned: bytes of frames, or -errno */
	char comm[16];		/* TASK_COMM_LEN */
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
BPF_PERCPU_ARRAY(lost, u64, 1);	/* [0]: calls whose stack found no room in counts */

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
	u32 zero = 0;
	struct go_stack_key *k;
	u64 one = 1, *val;
	u32 func, *off;

	if (!go_pid_ok())
		return 0;
	k = scratch.lookup(&zero);
	if (!k)
		return 0;
	k->pid = bpf_get_current_pid_tgid() >> 32;
	func = GO_COOKIE_FUNC(bpf_get_attach_cookie(ctx));
	k->func = func;
	k->ra = 0;
	k->bp_ra = 0;
	bpf_get_current_comm(k->comm, sizeof(k->comm));
	off = ra_offs.lookup(&func);
	bpf_probe_read_user(&k->ra, sizeof(k->ra), (void *)(ctx->sp + (off ? *off : 0)));
	bpf_probe_read_user(&k->bp_ra, sizeof(k->bp_ra), (void *)(ctx->bp + 8));
#ifdef LABELS_OFFSET
	__builtin_memset(k->labels, 0, sizeof(k->labels));
	go_labels(ctx, k);
#endif
	/* the frames past the walk's end are zeroed by the helper, so equal stacks are equal keys */
	k->nbytes = bpf_get_stack(ctx, k->frames, sizeof(k->frames), BPF_F_USER_STACK);
	if (k->nbytes < 0)
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
	val = lost.lookup(&zero);
	if (val)
		(*val)++;
	return 0;
}
