/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A probe's cookie (bpf_get_attach_cookie), as libgo/plan/target.c plans it and every BPF program reads
 * it, and the facts of each traced binary that the cookie points to. Included by the BPF
 * programs (the probe layer embeds it, see libgo/probe/program.c) and by the C code.
 *
 *   bits  0-23  the function's index among its target's functions (GO_COOKIE_GOEXIT: where
 *               goroutines end, runtime.goexit1; GO_COOKIE_THREAD: where a thread starts or
 *               goes idle, runtime.minit and runtime.stopm, for tools that learn each
 *               thread's runtime.m; GO_COOKIE_SCHED: where the runtime changes a
 *               goroutine's status, runtime.casgstatus and runtime.casGToPreemptScan;
 *               GO_COOKIE_CORO: where a coroutine switches goroutines without them,
 *               runtime.coroswitch_m)
 *   bits 24-28  the binary's slot in go_binfo: its facts (the offsets in runtime.g, where g is)
 *   bit  29     GO_COOKIE_SAVE_G: an entry whose RETs find no g in its register; save it
 *   bit  30     GO_COOKIE_SAVED_G: such a RET; take the g saved at the entry
 *   bit  31     GO_COOKIE_RETURN: a return site (go_binary__return_sites): the call of the
 *               function returned, in its caller; its SP is GO_COOKIE_SP_ADJ below SP there
 *   bit  61     GO_COOKIE_INLINE: a call of the function inlined into its caller, at the
 *               instruction that runs once per such call (libgo/plan/inline.c): no frame,
 *               no arguments of its own; SP is the caller's. Bits 32-47 then hold
 *               GO_COOKIE_INL_RA: 0 where the function holding it keeps its frame record
 *               (the frame pointer is its own: a walk has its return address), else 1 + the
 *               frame's size there, for go_site_ra (a function without a frame record)
 *   bit  62     GO_COOKIE_GUARD: a JMP into the code before a return site (a loop's first
 *               jump to its condition): the goroutine's next passage through a return site in
 *               this frame is not a return
 *   bit  63     GO_COOKIE_DUAL: an address with two roles (a return site that is also a call
 *               site of another function, or a guard): bits 0-23 index go_dual, which holds
 *               both cookies, the return's first
 *   bits 32-47  at an entry site, CALL or JMP: how far below SP at the probe the callee's SP
 *               is (GO_COOKIE_SP_ADJ): 8 at a caller's CALL (the return address is still to
 *               be pushed), 0 at an entry site or a JMP; 8 at a return site (the return
 *               address popped)
 *   bits 48-51  at an entry site with GO_COOKIE_CHECK: the jump's x86 condition code
 *               (GO_COOKIE_CC: the low four bits of its opcode; JBE, which gc writes, is 6)
 *   bit  53     GO_COOKIE_RESULT: at a return site, the register of the call's first integer
 *               result (the register ABI's first) still holds it: nothing between the return
 *               address and the site writes it (go_return_sites.written); at a RET it always
 *               does, and the bit is not set
 *   bit  52     GO_COOKIE_CHECK: an entry site on the stack check's own conditional jump
 *               (Go < 1.21, where the instruction after it is single-stepped, and the jump is
 *               emulated: go_binary__entry_site). Every pass through the check hits it; the
 *               call has begun only when the jump is not taken: taken, it goes to morestack,
 *               which grows the stack (or lets the goroutine be preempted) and starts the
 *               function again from its entry, through the check. go_entered (common.bpf.h)
 *               tells from the flags the check's compare left, at every entry probe
 *   bits 56-59  at an entry site, CALL or JMP of a generic function's shaped body whose
 *               instantiations the tool tells apart (libgo/binary/generics.c): 1 + the code of the
 *               register that holds its dictionary there (GO_COOKIE_DICT_REG, GO_ARG_REGS in
 *               iface.h); 0 for every other probe. go_dicts maps the dictionary (as its
 *               distance from the probe's address, which loading a PIE does not change) to the
 *               instantiation's index; a call with another dictionary counts as bits 0-23 say
 *   bit  60     GO_COOKIE_DICT_ONLY: with bits 56-59, the body itself is not traced: a call
 *               with a dictionary go_dicts does not list is none the tool traces
 *   bits 32-63  at a RET, where the callee's SP is SP, GO_COOKIE_SPLIT instead of the above:
 *               at a RET of a gccgo function's body, the signed distance from it to the
 *               function's split-stack RET (go_binary__split_ret; a body's RET that returns
 *               into __morestack is skipped, go_ret_into_morestack); 0 at every other RET
 *
 * The function's index is where the tools count it: GCC's clones of a gccgo function share
 * its index (go_target__plan), so that a function and its clones count as one.
 */
#ifndef GO_COOKIE_H
#define GO_COOKIE_H

#include <linux/types.h>

#define GO_COOKIE_FUNC_MASK 0xffffffULL
#define GO_COOKIE_GOEXIT GO_COOKIE_FUNC_MASK
#define GO_COOKIE_THREAD (GO_COOKIE_FUNC_MASK - 1)
#define GO_COOKIE_SCHED (GO_COOKIE_FUNC_MASK - 2)
#define GO_COOKIE_CORO (GO_COOKIE_FUNC_MASK - 3)
#define GO_COOKIE_BIN_SHIFT 24
#define GO_COOKIE_BIN_MASK 0x1fULL
#define GO_COOKIE_SAVE_G (1ULL << 29)
#define GO_COOKIE_SAVED_G (1ULL << 30)
#define GO_COOKIE_RETURN (1ULL << 31)
#define GO_COOKIE_SP_SHIFT 32
#define GO_COOKIE_SP_MASK 0xffffULL
#define GO_COOKIE_CC_SHIFT 48
#define GO_COOKIE_CHECK (1ULL << 52)
#define GO_COOKIE_RESULT (1ULL << 53)
#define GO_COOKIE_DICT_SHIFT 56
#define GO_COOKIE_DICT_ONLY (1ULL << 60)
#define GO_COOKIE_INLINE (1ULL << 61)
#define GO_COOKIE_GUARD (1ULL << 62)
#define GO_COOKIE_DUAL (1ULL << 63)

#define GO_MAX_BINS (GO_COOKIE_BIN_MASK + 1)
/* Functions one target may hold (GO_COOKIE_GOEXIT, _THREAD, _SCHED and _CORO are not ones). */
#define GO_MAX_FUNCS GO_COOKIE_CORO

#define GO_COOKIE(func, bin, flags, sp_adj)                                                    \
	((__u64)(func) | (__u64)(bin) << GO_COOKIE_BIN_SHIFT | (flags) |                        \
	 (__u64)(sp_adj) << GO_COOKIE_SP_SHIFT)
#define GO_COOKIE_FUNC(c) ((__u32)((c) & GO_COOKIE_FUNC_MASK))
#define GO_COOKIE_BIN(c) ((__u32)(((c) >> GO_COOKIE_BIN_SHIFT) & GO_COOKIE_BIN_MASK))
#define GO_COOKIE_SP_ADJ(c) (((c) >> GO_COOKIE_SP_SHIFT) & GO_COOKIE_SP_MASK)
/* at an inlined call's site: bits 32-47 of GO_COOKIE(), as GO_COOKIE_INLINE says */
#define GO_COOKIE_INL_RA_AT(off) ((__u32)(off) + 1)
#define GO_COOKIE_INL_RA_MAX GO_COOKIE_SP_MASK
#define GO_COOKIE_INL_RA(c) GO_COOKIE_SP_ADJ(c)
/* The flags of an entry site on the stack check's jump, of condition code cc (0-15). */
#define GO_COOKIE_AT_CHECK(cc) (GO_COOKIE_CHECK | (__u64)((cc) & 0xf) << GO_COOKIE_CC_SHIFT)
#define GO_COOKIE_CC(c) ((__u32)(((c) >> GO_COOKIE_CC_SHIFT) & 0xf))
/* A shaped body's entry: its dictionary is in the register of code reg (GO_ARG_REGS). */
#define GO_COOKIE_DICT(reg) ((__u64)((reg) + 1) << GO_COOKIE_DICT_SHIFT)
#define GO_COOKIE_DICT_REG(c) ((__u32)(((c) >> GO_COOKIE_DICT_SHIFT) & 0xf))
/* A RET's cookie, and the distance to the split-stack RET it holds. */
#define GO_COOKIE_RET(func, bin, flags, split) GO_COOKIE(func, bin, flags, (__u32)(split))
#define GO_COOKIE_SPLIT(c) ((__s32)((c) >> GO_COOKIE_SP_SHIFT))

/* The two cookies of a GO_COOKIE_DUAL address, in the order their roles run. */
struct go_dual {
	__u64 first;		/* the return site's */
	__u64 second;		/* the call site's or guard's */
};

/*
 * What the BPF programs need to know of a binary, in go_binfo at its slot (go_target__set_binfo):
 * facts of its Go release and toolchain, written at load so that one compiled program serves
 * every binary.
 */
struct go_binfo {
	__s32 goid_off;		/* offset of goid in runtime.g, -1 when unknown */
	__u32 g_in_reg;		/* the register ABI: g is in its register at entry sites */
	__u32 flags;		/* GO_BIN_* */
	__s32 stack_hi_off;	/* offset of g.stack.hi */
	__s32 labels_off;	/* of g.labels (labels.bpf.h); -1 when they are not read */
	__s32 itab_type_off;	/* of the type in an itab (gc's and gccgo's differ) */
	/* GO_BIN_G_FROM_M: where g and m point to each other (Go < 1.17, g out of reach) */
	__s32 g_m_off;		/* g.m */
	__s32 m_g0_off;		/* m.g0, m.gsignal, m.curg */
	__s32 m_gsignal_off;
	__s32 m_curg_off;
	__s32 waitreason_off;	/* of g.waitreason (a byte), -1 when unknown */
	/* a coroutine switch's (go_binary__coro_layout); -1 when unknown */
	__s32 coroarg_off;	/* of g.coroarg */
	__s32 coroexit_off;	/* of g.coroexit */
	__s32 coro_gp_off;	/* of the goroutine in runtime.coro */
	__s32 coro_reason;	/* g.waitreason's value "coroutine" */
	/* GO_BIN_LABELS_MAP: g.labels -> a word -> runtime.hmap of a map[string]string (Go < 1.24) */
	__u16 hmap_count, hmap_b, hmap_buckets, hmap_oldbuckets;	/* offsets in the hmap */
	__u16 bucket_keys, bucket_elems, bucket_overflow, bucket_size;	/* in a bucket */
};

/* go_binfo.flags */
#define GO_BIN_PIE 1U		/* loaded anywhere: values are named by where it was (go_procs) */
#define GO_BIN_G_FROM_M 2U	/* gc without g in R14: g is found through the thread's m */
#define GO_BIN_LABELS_MAP 4U	/* pprof labels are a map (else a slice of pairs, Go 1.24+) */
#define GO_BIN_MAPS_HASH 8U	/* gc's maps are hash maps (runtime.hmap, Go 1.23 and older) */
#define GO_BIN_MAPS_SWISS 16U	/* gc's maps are Swiss tables (internal/runtime/maps, 1.24+) */
/* saved frame pointers may point into a goroutine's old stack (go_binary__stale_frame_pointers):
 * a stack walk stops at one outside the running goroutine's stack (g.stack) */
#define GO_BIN_STALE_FP 32U

/* Entries of go_procs and go_gsaved (common.bpf.h) for a tool that uses them (go_bpf_spec). */
#define GO_PROCS_ENTRIES 4096
#define GO_GSAVED_ENTRIES 8192

/*
 * The first probe a process hit (go_procs, go_note_proc in common.bpf.h): where a PIE process
 * loaded its binary follows from it when the process is gone before its values are named
 * (go_target__bias).
 */
struct go_proc_seen {
	__u64 ip;		/* the probed instruction */
	__u64 ret;		/* the word at SP there: a return address into a caller */
	__u64 cookie;
};

/*
 * The instantiations of generic functions (go_dicts): at a probe of a shaped body, its
 * dictionary's address less the probe's, the function (bits 0-23) and binary of the cookie.
 */
struct go_dict_key {
	__s64 delta;
	__u32 func;
	__u32 bin;
};
/* Entries go_dicts holds at most: instantiations times their bodies' probe sites. */
#define GO_MAX_DICTS 16384
/* go_func(): the call is of no function the tool traces. */
#define GO_FUNC_NONE 0xffffffffU

/* Where an entry saves g for the RETs of its call: the callee's SP (as at its RETs), process. */
struct go_gsave_key {
	__u64 sp;
	__u32 tgid;
	__u32 pad;
};

#endif
