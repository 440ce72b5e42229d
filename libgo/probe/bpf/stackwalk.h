/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Go stacks as the BPF programs walk them (stackwalk.bpf.h) and libgo finishes them (stack.c):
 * the walk's record and the facts of each traced binary it needs. Included by both sides.
 *
 * The walk follows frame pointers, as the kernel's own does, from the probed pc up to the
 * goroutine's first frame. Go keeps them in every frame of its own code, and its ABI wrappers
 * and the trampolines of reflect.Value.Call and reflect.MakeFunc keep them too. Where C calls
 * Go back (cgo: an //export'ed function), runtime.cgocallback runs the Go code on the
 * goroutine's stack, below the frames of the Go code that called into C, and calls
 * runtime.cgocallbackg there from a frame it builds itself: its return address is the pc the
 * goroutine was stopped at to enter C, but the saved frame pointer above it is left over from
 * the C side. Go's own unwinder (runtime/traceback.go) goes on there by the frames' sizes (its
 * pcsp tables); so does the walk, for the few pcs that can be there (struct go_unwind_rule,
 * found in the binary by libgo/plan/unwind.c), until a frame whose frame pointer is saved again.
 */
#ifndef GO_UNWIND_H
#define GO_UNWIND_H

#include <linux/types.h>

#define GO_WALK_MAX_FRAMES 127	/* the kernel's own walk's default (perf_event_max_stack) */
#define GO_WALK_MAX_SWITCHES 4	/* cgo callbacks followed in one stack */
#define GO_WALK_SWITCH_PCS 3	/* frames passed by their sizes below one callback */
#define GO_UNWIND_MAX_RULES 256	/* pcs with a rule, over all binaries */

/*
 * Per binary (the cookie's slot, cookie.h): where runtime.cgocallback returns from calling
 * runtime.cgocallbackg, as a link-time address (0: none, as in a binary without cgo), and its
 * frame's size there: its caller's SP (its CFA) is its SP + cfa; ra: where its own return
 * address (the pc below it) is, from the frame record of the function that returns to pc
 * (amd64: that frame's CFA is cgocallback's SP, the return address at cgocallback's CFA - 8;
 * arm64: that frame's SP is its record + 8, and cgocallback's SP, where its saved link
 * register is, that plus its size).
 */
struct go_unwind_cb {
	__u64 pc;
	__s32 cfa;
	__s32 ra;
};

/* What a pc below a callback's frame is, for the walk. */
enum {
	GO_UNWIND_STEP = 1,	/* a frame without a saved frame pointer: go on by its size */
	GO_UNWIND_FRAMED,	/* a frame whose frame pointer is saved below its CFA: walk on */
	GO_UNWIND_TOP,		/* where the goroutine (a thread that C started) begins: stop */
};

struct go_unwind_key {
	__u64 pc;		/* link-time */
	__u32 slot;
	__u32 pad;
};

struct go_unwind_rule {
	__s32 cfa;		/* the frame's CFA (its caller's SP) is its SP + cfa (amd64: the
				 * frame size and the pushed return address; arm64: the size) */
	__u32 kind;		/* GO_UNWIND_* */
};

/* A callback the walk went through: the pcs below frames[at], cgocallback's return address. */
struct go_walk_switch {
	__u32 at;
	__u32 n;		/* pcs in pc[] */
	__u64 pc[GO_WALK_SWITCH_PCS];
};

/* Why the walk ended. */
enum {
	GO_WALK_END,		/* a frame pointer of 0 or one it could not read */
	GO_WALK_FULL,		/* frames[] is full: the stack goes on */
	GO_WALK_TOP,		/* below a callback, at a goroutine's first frame */
	GO_WALK_LOST,		/* below a callback, at a pc it has no rule for */
	GO_WALK_ASTRAY,		/* at a frame pointer outside the goroutine's stack (GO_BIN_STALE_FP) */
};

struct go_walk {
	__u64 ra;		/* *(SP + the traced function's go_ra_offs) at the probe; 0 at a
				 * caller's CALL */
	__u32 nframes;		/* frames[] filled */
	__u16 end;		/* GO_WALK_* */
	__u16 nswitch;		/* switches[] filled */
	struct go_walk_switch sw[GO_WALK_MAX_SWITCHES];
	/* the probed pc, then the return addresses the frame pointers lead to; 0 past nframes
	 * (one more than the walk fills: a power of two, which BPF's bounds checks can see) */
	__u64 frames[GO_WALK_MAX_FRAMES + 1];
};

/* The key of go_ra_offs: a function of a binary. */
#define GO_RA_KEY(slot, func) ((__u32)(slot) << 24 | (__u32)(func))

#endif
