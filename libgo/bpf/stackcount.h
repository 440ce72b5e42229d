/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gostack's records, as stackcount.bpf.c writes them and tools/gostack.c reads them: what the
 * tool asks (settings) and the fixed head of a stack's key. Included by both.
 */
#ifndef GO_STACKCOUNT_H
#define GO_STACKCOUNT_H

#include <linux/types.h>

/* settings.flags: what besides the stack a key holds */
#define GO_STACK_PID 1		/* the process (-P, -p, or a PIE binary: where it loaded it) */
#define GO_STACK_COMM 2		/* the thread's command name (-P, -p) */

/* What the tool asks, in the settings array; epoch changes while tracing (-i). */
struct go_stack_settings {
	__u32 flags;		/* GO_STACK_* */
	__u32 epoch;		/* the interval's parity: 0 or 1, flipped at each -i printout */
};

/* The head of a stack's key; the labels (when compiled in) and the frames follow it. */
struct go_stack_head {
	__u32 pid;		/* with GO_STACK_PID, else 0 */
	__u32 func;		/* the traced function's index (cookie.h) */
	__u64 ra;		/* at an entry or JMP: *(SP + ra_offs[func]); at a CALL: 0 */
	__u64 bp_ra;		/* at an entry or JMP: *(BP + 8); at a CALL: 0 */
	__s32 nbytes;		/* what bpf_get_stack returned: bytes of frames, or -errno */
	__u32 epoch;		/* the settings' epoch when the call was counted */
	char comm[16];		/* TASK_COMM_LEN, with GO_STACK_COMM, else empty */
};

/* lost[epoch]: calls whose stack found no room in the table, in each interval */
#define GO_STACK_EPOCHS 2

#endif
