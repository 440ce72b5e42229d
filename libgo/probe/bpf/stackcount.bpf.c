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
 * kept once per set, in labelsets, by two hashes of their text, which the key holds.
 * Sized at load: counts (MAX_STACKS), and labelsets where the binary's labels are read (its
 * go_binfo's labels_off, labels.bpf.h).
 */
#include "cookie.h"
#include "stackcount.h"
#include "stackwalk.bpf.h"

/* allocated as stacks come, not all at the start (a key is about 1 KiB) */
BPF_F_TABLE("hash", struct go_stack_key, u64, counts, 1, BPF_F_NO_PREALLOC);
BPF_PERCPU_ARRAY(scratch, struct go_stack_key, 1);
BPF_ARRAY(settings, struct go_stack_settings, 1);
/* [epoch]: calls whose stack found no room in counts, in the interval of that epoch */
BPF_PERCPU_ARRAY(lost, u64, GO_STACK_EPOCHS);

BPF_F_TABLE("hash", struct go_labels_key, struct go_labels, labelsets, 1, BPF_F_NO_PREALLOC);
BPF_PERCPU_ARRAY(label_scratch, struct go_labels, 1);

/* A string of the program's, len bytes at ptr, into s->data at s->size; false when it does
 * not fit or cannot be read. */
static __always_inline bool go_label_str(struct go_labels *s, u64 ptr, u64 len)
{
	u32 at = s->size;

	if (len >= GO_LABELS_BYTES || at + len > GO_LABELS_BYTES)
		return false;
	if (bpf_probe_read_user(&s->data[at & (GO_LABELS_BYTES - 1)], len & (GO_LABELS_BYTES - 1),
				(void *)ptr))
		return false;
	s->size = at + len;
	return true;
}

/*
 * Two 64-bit hashes (multiply and rotate, per word) of the first size bytes of data, and of
 * where each string ends. The bytes after the text are zeroed up to a word first: the rest of
 * data is whatever an earlier label set left there. (Each loop has one exit, and reads its
 * bounds from s, so that the verifier's paths through it stay one.)
 */
static __always_inline void go_labels_hash(struct go_labels *s, struct go_labels_key *k)
{
	u64 h1 = 0x9e3779b97f4a7c15ULL ^ s->n, h2 = 0xc2b2ae3d27d4eb4fULL ^ s->cut, w;
	u32 i;

	__builtin_memset(&s->data[s->size & (GO_LABELS_BYTES - 1)], 0, 8);
	for (i = 0; i < GO_LABELS_BYTES / 8; i++) {
		if (i * 8 >= s->size)
			break;
		asm volatile("" : "+r"(i));	/* keep the mask: the verifier needs to see it */
		w = s->words[i & (GO_LABELS_BYTES / 8 - 1)];
		h1 = (h1 ^ w) * 0xff51afd7ed558ccdULL;
		h1 = h1 << 31 | h1 >> 33;
		h2 = (h2 + w) * 0x87c37b91114253d5ULL;
		h2 = h2 << 27 | h2 >> 37;
	}
	for (i = 0; i < GO_LABELS_MAX; i++) {
		if (i >= s->kept)
			break;
		w = (u64)s->len[i][0] << 16 | s->len[i][1];
		h1 = (h1 ^ w) * 0xff51afd7ed558ccdULL;
		h2 = (h2 + w) * 0x87c37b91114253d5ULL;
	}
	k->h1 = h1 | 1;	/* never 0, 0: that is no labels */
	k->h2 = h2;
}

/*
 * The goroutine's labels (g in its register; labels.bpf.h reads them), kept in labelsets; their
 * key in k, 0 when none.
 */
static __always_inline void go_labels(struct pt_regs *ctx, struct go_binfo *b,
				      struct go_labels_key *k)
{
	u32 zero = 0, i;
	struct go_labels *s = label_scratch.lookup(&zero);
	struct go_label_refs *r = go_labels_read(GO_REG_G(ctx), b);
	struct go_label_ref *l;

	k->h1 = k->h2 = 0;
	if (!s || !r || (!r->n && !r->cut))
		return;
	s->n = r->total > 0xffffffff ? 0xffffffff : r->total;
	s->kept = 0;
	s->cut = r->cut;
	s->size = 0;
	for (i = 0; i < GO_LABELS_MAX; i++) {
		if (i >= r->n)
			break;
		l = &r->l[i & (GO_LABEL_REFS - 1)];
		if (l->klen >= GO_LABELS_BYTES || l->vlen >= GO_LABELS_BYTES ||
		    s->size + l->klen + l->vlen >= GO_LABELS_BYTES) {
			s->cut |= GO_LABELS_CUT_BYTES;
			break;
		}
		if (!go_label_str(s, l->key, l->klen) || !go_label_str(s, l->value, l->vlen)) {
			s->cut |= GO_LABELS_CUT_READ;
			break;
		}
		s->len[i][0] = l->klen;
		s->len[i][1] = l->vlen;
		s->kept = i + 1;
	}
	go_labels_hash(s, k);
	if (labelsets.lookup(k))
		return;
	labelsets.insert(k, s);	/* another CPU may have put it there meanwhile: as good */
	if (!labelsets.lookup(k)) {	/* no room: 0, 1, which the tool counts */
		k->h1 = 0;
		k->h2 = 1;
	}
}

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
		go_labels(ctx, b, &k->labels);
	/*
	 * At a caller's CALL (the callee's SP below SP) no return address is pushed yet: the word
	 * at SP is whatever the caller's frame last held there (which would make each call's key
	 * another), and the walk has the caller.
	 */
	go_walk(ctx, cookie, !GO_COOKIE_SP_ADJ(cookie), &k->walk);
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
