/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A goroutine's pprof labels, read in the kernel (go_labels_read), and whether a call is in the
 * scope --label asks (go_in_scope), for every tool's program (common.bpf.h includes it). Where
 * the labels are is the binary's go_binfo (libgo/binary/release.c owns the layouts): g.labels
 * points at a slice of {key, value string} (Go 1.24+), or at a word pointing at the hmap of a
 * map[string]string (Go < 1.24), whose buckets (up to GO_LABELS_MAP_B_MAX, their overflow and,
 * while the map grows, its old ones) are read slot by slot; what is not read is said in cut.
 * A label set is never written after it is made (pprof.WithLabels copies), so a read of the
 * pointer once sees one whole set.
 */
#ifndef GO_LABELS_BPF_H
#define GO_LABELS_BPF_H

#include "ivalue.h"
#include "labels.h"

BPF_PERCPU_ARRAY(go_label_scratch, struct go_label_refs, 1);
BPF_ARRAY(go_scope, struct go_scope, 1);		/* --label (labels.h) */
BPF_PERCPU_ARRAY(go_scope_lost, u64, GO_SCOPE_LOST_KINDS);

/* The running goroutine's g, in a binary with g in its register; at a RET, the g its entry saved
 * is looked at, not taken (go_g_regabi takes it, later). */
static __always_inline u64 go_g_peek(struct pt_regs *ctx, u64 cookie)
{
	struct go_gsave_key k = {};
	u64 *v, g = GO_REG_G(ctx), sp = GO_REG_SP(ctx);

	/* both read first: a load from ctx at an offset chosen by a branch is refused */
	asm volatile("" : "+r"(g), "+r"(sp));
	if (!(cookie & GO_COOKIE_SAVED_G))
		return g;
	k.sp = sp;
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	v = go_gsaved.lookup(&k);
	return v ? *v : 0;
}

/* Go 1.24+: the slice of pairs at at. */
static __always_inline void go_labels_slice(u64 at, struct go_label_refs *r)
{
	u64 list[2] = {};
	u32 i;

	if (bpf_probe_read_user(list, sizeof(list), (void *)at)) {
		r->cut |= GO_LABELS_CUT_READ;
		return;
	}
	r->total = list[1];
	if (list[1] > GO_LABEL_REFS)
		r->cut |= GO_LABELS_CUT_COUNT;
	for (i = 0; i < GO_LABEL_REFS; i++) {
		if (i >= list[1])
			break;
		if (bpf_probe_read_user(&r->l[i], sizeof(r->l[i]),
					(void *)(list[0] + i * sizeof(struct go_label_ref)))) {
			r->cut |= GO_LABELS_CUT_READ;
			break;
		}
		r->n = i + 1;
	}
}

/* The full slots of the bucket at bkt, into r; false when one could not be read. */
static __always_inline bool go_labels_bucket(u64 bkt, struct go_binfo *b, struct go_label_refs *r)
{
	u64 tophash = 0;
	u32 i, n;

	if (bpf_probe_read_user(&tophash, sizeof(tophash), (void *)bkt))
		return false;
	for (i = 0; i < GO_MAP_SLOTS; i++) {
		if (((tophash >> (8 * i)) & 0xff) < GO_MAP_TOPHASH_MIN)	/* empty, or evacuated */
			continue;
		n = r->n;
		if (n >= GO_LABEL_REFS) {
			r->cut |= GO_LABELS_CUT_COUNT;
			return true;
		}
		if (bpf_probe_read_user(&r->l[n & (GO_LABEL_REFS - 1)].key, 16,
					(void *)(bkt + b->bucket_keys + 16 * i)) ||
		    bpf_probe_read_user(&r->l[n & (GO_LABEL_REFS - 1)].value, 16,
					(void *)(bkt + b->bucket_elems + 16 * i)))
			return false;
		r->n = n + 1;
	}
	return true;
}

/* The next bucket of a map to read: the bucket's overflow, a new bucket, an old one; 0: none. */
static __always_inline u64 go_labels_next_bucket(struct go_label_refs *r, u64 buckets, u64 old,
						 u64 nb, struct go_binfo *b)
{
	if (r->cur)
		return r->cur;
	if (r->pi < nb)
		return buckets + r->pi++ * b->bucket_size;
	if (old && r->oi < nb / 2)
		return old + r->oi++ * b->bucket_size;
	return 0;
}

/* Go < 1.24: the map[string]string whose hmap the word at at points to. */
static __always_inline void go_labels_map(u64 at, struct go_binfo *b, struct go_label_refs *r)
{
	u64 h = 0, count = 0, buckets = 0, old = 0, nb, bkt;
	u8 lb = 0;
	u32 j;

	if (bpf_probe_read_user(&h, sizeof(h), (void *)at) || !h ||
	    bpf_probe_read_user(&count, sizeof(count), (void *)(h + b->hmap_count)) ||
	    bpf_probe_read_user(&lb, sizeof(lb), (void *)(h + b->hmap_b)) ||
	    bpf_probe_read_user(&buckets, sizeof(buckets), (void *)(h + b->hmap_buckets)) ||
	    bpf_probe_read_user(&old, sizeof(old), (void *)(h + b->hmap_oldbuckets))) {
		r->cut |= h ? GO_LABELS_CUT_READ : 0;
		return;
	}
	r->total = count;
	if (!count)
		return;
	if (lb > GO_LABELS_MAP_B_MAX) {
		r->cut |= GO_LABELS_CUT_COUNT;
		return;
	}
	nb = 1ULL << lb;
	r->cur = r->pi = r->oi = 0;
	/* the buckets, then the old ones (half as many) while the map grows, each and its overflow */
	for (j = 0; j < GO_LABELS_MAP_BUCKETS; j++) {
		bkt = go_labels_next_bucket(r, buckets, old, nb, b);
		if (!bkt)
			break;
		r->cur = 0;
		if (!go_labels_bucket(bkt, b, r) ||
		    bpf_probe_read_user(&r->cur, sizeof(r->cur), (void *)(bkt + b->bucket_overflow))) {
			r->cut |= GO_LABELS_CUT_READ;
			return;
		}
	}
	if (go_labels_next_bucket(r, buckets, old, nb, b))
		r->cut |= GO_LABELS_CUT_COUNT;
	else if (r->n != count && !r->cut)	/* a same-size growth's old buckets, say */
		r->cut |= GO_LABELS_CUT_READ;
}

/*
 * The labels of goroutine g of the binary b (b->labels_off >= 0), in the per-CPU scratch:
 * n = 0 when it has none; NULL only when there is no scratch.
 */
static __always_inline struct go_label_refs *go_labels_read(u64 g, struct go_binfo *b)
{
	u32 zero = 0;
	struct go_label_refs *r = go_label_scratch.lookup(&zero);
	u64 at = 0;

	if (!r)
		return NULL;
	r->n = 0;
	r->cut = 0;
	r->total = 0;
	if (bpf_probe_read_user(&at, sizeof(at), (void *)(g + b->labels_off)) || !at)
		return r;
	if (b->flags & GO_BIN_LABELS_MAP)
		go_labels_map(at, b, r);
	else
		go_labels_slice(at, r);
	return r;
}

/* Do the len bytes at ptr (len <= GO_SCOPE_STR) equal want, zero-padded? */
static __always_inline bool go_label_eq(struct go_label_refs *r, u64 ptr, u64 len,
					const u64 *want)
{
	u64 diff = 0;
	u32 k;

	if (len > GO_SCOPE_STR)
		return false;
	__builtin_memset(r->buf, 0, sizeof(r->buf));
	if (len && bpf_probe_read_user(r->buf, len & (sizeof(r->buf) - 1), (void *)ptr))
		return false;
#pragma unroll
	for (k = 0; k < GO_SCOPE_STR / 8; k++)	/* no branch a word: one path for the verifier */
		diff |= r->buf[k] ^ want[k];
	return !diff;
}

/* Does label l hold what want asks? (keys and values compared where their lengths agree) */
static __always_inline bool go_label_match(struct go_label_refs *r, struct go_label_ref *l,
					   struct go_scope_label *want)
{
	if (l->klen != want->klen || (!want->any && l->vlen != want->vlen))
		return false;
	if (!go_label_eq(r, l->key, l->klen, want->key))
		return false;
	return want->any || go_label_eq(r, l->value, l->vlen, want->value);
}

/* Do the labels of the running goroutine hold every label s asks? */
static __always_inline bool go_scope_labels(struct pt_regs *ctx, u64 cookie, struct go_scope *s)
{
	struct go_binfo *b = go_binfo_of(cookie);
	struct go_label_refs *r;
	u32 i, f, all, zero = 0;
	u64 g, *lost;

	if (!b || b->labels_off < 0 || !b->g_in_reg)
		return false;
	g = go_g_peek(ctx, cookie);
	r = g ? go_labels_read(g, b) : NULL;
	if (!r)
		return false;
	if (r->cut || r->n > GO_SCOPE_MATCH) {	/* said: not traced, its labels not all read */
		lost = go_scope_lost.lookup(&zero);
		if (lost)
			(*lost)++;
		return false;
	}
	all = (1U << (s->nlabels < GO_SCOPE_LABELS ? s->nlabels : GO_SCOPE_LABELS)) - 1;
	r->found = 0;
	for (i = 0; i < GO_SCOPE_MATCH; i++) {
		if (i >= r->n)
			break;
		for (f = 0; f < GO_SCOPE_LABELS; f++) {
			if (f >= s->nlabels)
				break;
			if (!(r->found & (1U << f)) &&
			    go_label_match(r, &r->l[i & (GO_LABEL_REFS - 1)], &s->label[f]))
				r->found |= 1U << f;
		}
	}
	return r->found == all;
}

#include "within.bpf.h"

/*
 * At an entry (or a RET) probe: is the call in the scope the tool was asked for (--label, and
 * --within: within.bpf.h)?
 */
static __always_inline bool go_in_scope(struct pt_regs *ctx, u64 cookie)
{
	u32 zero = 0;
	struct go_scope *s = go_scope.lookup(&zero);

	if (!s)
		return true;
	/* --within first: its few paths, not the labels', go on to the other */
	if ((s->flags & GO_SCOPE_WITHIN) && !go_scope_within(ctx, cookie))
		return false;
	return !s->nlabels || go_scope_labels(ctx, cookie, s);
}

#endif
