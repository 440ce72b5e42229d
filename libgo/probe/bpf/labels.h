/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pprof labels as the BPF programs read them (labels.bpf.h): a goroutine's labels as the Go
 * string headers of their keys and values; a goroutine's labels as text, kept once per set
 * (labelsets.bpf.h); and what --label asks of them (go_scope, with --within's settings), set by
 * the session before the probes attach, so that one compiled program serves every setting.
 * Included by the BPF programs and the C code.
 */
#ifndef GO_LABELS_H
#define GO_LABELS_H

#include <linux/types.h>

#define GO_LABEL_REFS 64	/* labels of a goroutine read (a power of two) */
#define GO_LABELS_MAP_B_MAX 2	/* a label map of up to 2^2 buckets is read (Go < 1.24) ... */
#define GO_LABELS_MAP_BUCKETS 8	/* ... visiting up to 8, overflow and old ones included */

/* What of a goroutine's labels could not be read or kept (go_label_refs.cut, go_labels.cut). */
#define GO_LABELS_CUT_COUNT 1	/* more than are read or kept: GO_LABEL_REFS, buckets */
#define GO_LABELS_CUT_BYTES 2	/* more text than is kept */
#define GO_LABELS_CUT_READ 4	/* a label could not be read, or the map's count disagrees */

/* One label: two Go string headers, as a Go 1.24+ label slice holds them. */
struct go_label_ref {
	__u64 key, klen;
	__u64 value, vlen;
};

/* A goroutine's labels, read (go_labels_read), in a per-CPU scratch. */
struct go_label_refs {
	__u32 n;		/* labels read into l */
	__u32 cut;		/* GO_LABELS_CUT_* */
	__u64 total;		/* labels the goroutine has (the slice's length, the map's count) */
	/* the readers' and matcher's state, here rather than in registers, whose values the
	 * verifier would follow one by one through every iteration */
	__u64 cur, pi, oi;	/* the bucket being read, the next new and old one (a map) */
	__u32 found, pad;	/* the --label settings found (bits) */
	struct go_label_ref l[GO_LABEL_REFS];
	__u64 buf[2 * 64 / 8];	/* a key or value being compared (twice GO_SCOPE_STR) */
};

/* ---- label sets, each kept once (labelsets.bpf.h), for gostack's stacks and gotrace's events */

#define GO_LABELS_MAX GO_LABEL_REFS	/* labels of a goroutine kept */
#define GO_LABELS_BYTES 4096	/* bytes of their keys and values kept (a power of two) */

/*
 * A goroutine's labels (labels.bpf.h: Go 1.24+ sorted by key, a map's in its slots' order):
 * the first kept, whole, their text one after another in data (len[i][0] bytes of key, then
 * len[i][1] of value), the rest counted in n and said in cut.
 */
struct go_labels {
	__u32 n;		/* the goroutine's labels */
	__u32 kept;		/* those in data */
	__u32 cut;		/* GO_LABELS_CUT_* */
	__u32 size;		/* bytes of data used */
	__u16 len[GO_LABELS_MAX][2];
	union {			/* twice the size: room the verifier can see for any read */
		char data[2 * GO_LABELS_BYTES];
		__u64 words[2 * GO_LABELS_BYTES / 8];	/* for hashing */
	};
};

/* A label set's key in labelsets: two hashes of its text, never both 0 (0, 1: no room). */
struct go_labels_key {
	__u64 h1, h2;
};

/* --label: what the goroutine's labels must hold, each (all of them). */
#define GO_SCOPE_LABELS 4	/* --label options at most */
#define GO_SCOPE_MATCH 16	/* labels of a goroutine matched at most (else said, not traced) */
#define GO_SCOPE_STR 64		/* bytes of a key or value matched (a multiple of 8) */

struct go_scope_label {
	__u32 klen, vlen;
	__u32 any;		/* KEY=*: the key with any value */
	__u32 pad;
	__u64 key[GO_SCOPE_STR / 8];	/* zero-padded */
	__u64 value[GO_SCOPE_STR / 8];
};

/* go_scope.flags: --within FUNC (within.bpf.h) */
#define GO_SCOPE_WITHIN 1U

/* In go_scope[0]: nothing set (a new map's zeros) traces every goroutine. */
struct go_scope {
	__u32 nlabels;
	__u32 flags;
	struct go_scope_label label[GO_SCOPE_LABELS];
	/* GO_SCOPE_WITHIN: the function indices of runtime.newproc and newproc1, and of newcoro
	 * and coroswitch_m (GO_WITHIN_NONE where the binary has none), in the cookies of the
	 * probes go_within_entry and go_within_ret take (the others' are FUNC's) */
	__u32 within_newproc, within_newproc1;
	__u32 within_newcoro, within_coroswitch;
};

/* go_scope_lost[GO_SCOPE_LOST_LABELS]: calls not traced, their goroutine's labels not read whole */
#define GO_SCOPE_LOST_LABELS 0
/* go_scope_lost[GO_SCOPE_LOST_WITHIN]: goroutines within FUNC not marked: go_within_gs was full */
#define GO_SCOPE_LOST_WITHIN 1
#define GO_SCOPE_LOST_KINDS 2

#endif
