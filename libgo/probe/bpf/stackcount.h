/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gostack's records, as stackcount.bpf.c writes them and tools/gostack.c reads them: what the
 * tool asks (settings), the count key (a whole stack, and the goroutine's pprof labels by the
 * hashes of their text, labels.h). Included by both.
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
