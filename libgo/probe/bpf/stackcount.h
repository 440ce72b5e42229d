/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gostack's records, as stackcount.bpf.c writes them and tools/gostack.c reads them: what the
 * tool asks (settings), the count key (a whole stack, and the goroutine's pprof labels by the
 * hashes of their text) and the label sets, each kept once. Included by both.
 */
#ifndef GO_STACKCOUNT_H
#define GO_STACKCOUNT_H

#include <linux/types.h>

#include "labels.h"
#include "stackwalk.h"

/* settings.flags: what besides the stack a key holds */
#define GO_STACK_PID 1		/* the process (-P, -p, or a PIE binary: where it loaded it) */
#define GO_STACK_COMM 2		/* the thread's command name (-P, -p) */

/* What the tool asks, in the settings array; epoch changes while tracing (-i). */
struct go_stack_settings {
	__u32 flags;		/* GO_STACK_* */
	__u32 epoch;		/* the interval's parity: 0 or 1, flipped at each -i printout */
};

/* lost[epoch]: calls whose stack found no room in the table, in each interval */
#define GO_STACK_EPOCHS 2

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

struct go_stack_key {
	__u32 pid;		/* with GO_STACK_PID, else 0 */
	__u32 func;		/* the traced function's index (cookie.h) */
	__u32 epoch;		/* the settings' epoch when the call was counted */
	__u32 pad;
	char comm[16];		/* TASK_COMM_LEN, with GO_STACK_COMM, else empty */
	struct go_labels_key labels;	/* 0, 0: none; else in labelsets */
	struct go_walk walk;
};

#endif
