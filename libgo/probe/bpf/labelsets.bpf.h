/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A goroutine's pprof labels as text, kept once per distinct set in labelsets by two hashes of
 * their text (go_labelset), which a record holds instead of the text (gostack's stacks,
 * gotrace's events); the tool reads each set once (libgo/session/labelsets.c). labelsets holds
 * one entry as compiled: the tool sizes it at load where it reads labels.
 */
#ifndef GO_LABELSETS_BPF_H
#define GO_LABELSETS_BPF_H

#include "labels.h"

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
 * The labels of goroutine g (labels.bpf.h reads them), kept in labelsets; their key in k, 0, 0
 * when none, 0, 1 when labelsets had no room.
 */
static __always_inline void go_labelset(u64 g, struct go_binfo *b, struct go_labels_key *k)
{
	u32 zero = 0, i, at;
	struct go_labels *s = label_scratch.lookup(&zero);
	struct go_label_refs *r = go_labels_read(g, b);
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
		/* one too long for what is left is left out, the others kept: which are kept does
		 * not depend on the order (a map's slots') the labels come in */
		if (l->klen >= GO_LABELS_BYTES || l->vlen >= GO_LABELS_BYTES ||
		    s->size + l->klen + l->vlen >= GO_LABELS_BYTES) {
			s->cut |= GO_LABELS_CUT_BYTES;
			continue;
		}
		if (!go_label_str(s, l->key, l->klen) || !go_label_str(s, l->value, l->vlen)) {
			s->cut |= GO_LABELS_CUT_READ;
			break;
		}
		at = s->kept & (GO_LABELS_MAX - 1);
		s->len[at][0] = l->klen;
		s->len[at][1] = l->vlen;
		s->kept = at + 1;
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

#endif
