/* SPDX-License-Identifier: Apache-2.0 */
/*
 * --within FUNC as the BPF programs keep it (within.bpf.h): which goroutines are within FUNC,
 * by goroutine id (never reused, so that a mark left behind names no other goroutine), and the
 * sizes of its maps. Included by the BPF programs and the C code.
 */
#ifndef GO_WITHIN_H
#define GO_WITHIN_H

#include <linux/types.h>

#define GO_WITHIN_GOROUTINES 16384	/* goroutines marked at once (go_within_gs) */
#define GO_WITHIN_SPAWNS 1024		/* threads between runtime.newproc and newproc1's return */
#define GO_WITHIN_NONE 0xffffffffU	/* go_scope's index of a function the binary lacks */

struct go_within_key {
	__u64 goid;
	__u32 tgid;
	__u32 pad;
};

/*
 * A goroutine within FUNC: its outermost call of FUNC in progress (the callee's depth below the
 * top of its stack, g.stack.hi - SP at the entry, and the return address there, by which a frame
 * a panic unwound is known), or inherited: started, transitively, by a goroutine within FUNC.
 */
struct go_within_mark {
	__u64 ra;
	__u32 depth;
	__u32 inherited;
};

#endif
