/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arm64's pt_regs for the BPF programs (arch.bpf.h says what each gives): regs[0-30], sp, pc,
 * pstate, the layout of the uapi's struct user_pt_regs, which pt_regs begins with.
 */
#ifndef GO_ARM64_BPF_H
#define GO_ARM64_BPF_H

#include "arch/arm64/regs.h"

#define GO_PT_REG(ctx, name) ((ctx)->regs[GO_A64_REG(name)])
#define GO_REG_SP(ctx) ((ctx)->sp)
#define GO_REG_IP(ctx) ((ctx)->pc)
#define GO_REG_FP(ctx) ((ctx)->regs[29])
#define GO_REG_G(ctx) ((ctx)->regs[28])	/* g, in every gc function */
#define GO_REG_TLS_G(ctx) ((ctx)->regs[28])
/* a frame's return address is its saved link register, at its SP (its frame's first word) */
#define GO_RA_AT_SP 1

/* At a function's entry, its return address is in the link register (BL put it there). */
static __always_inline u64 go_entry_ra(struct pt_regs *ctx)
{
	return ctx->regs[30];
}

/*
 * At a site off bytes of frame past the entry: in the link register before the prologue stores
 * it (gc's arm64 entry sites are all before), at SP (the frame's first word) after.
 */
static __always_inline u64 go_site_ra(struct pt_regs *ctx, u32 off)
{
	/* both read first: one ctx load under a branch becomes a pointer the verifier refuses */
	u64 lr = ctx->regs[30], sp = ctx->sp, ra = 0;

	if (!off)
		return lr;
	bpf_probe_read_user(&ra, sizeof(ra), (void *)sp);
	return ra;
}

/*
 * Would a B.cond of condition cc be taken with ctx's flags (pstate's N, Z, C, V: bits 31-28)?
 * As the CPU (and the kernel's simulation of a probed B.cond) decides: each pair of codes is a
 * condition and its negation, but AL and NV, which are always taken.
 */
static __always_inline bool go_cond_taken(struct pt_regs *ctx, u32 cc)
{
	u64 flags = ctx->pstate;
	bool n = flags & (1ULL << 31), z = flags & (1ULL << 30), c = flags & (1ULL << 29),
	     v = flags & (1ULL << 28), t;

	switch (cc >> 1) {
	case 0: t = z; break;			/* EQ */
	case 1: t = c; break;			/* CS */
	case 2: t = n; break;			/* MI */
	case 3: t = v; break;			/* VS */
	case 4: t = c && !z; break;		/* HI: gc's stack check branches on LS */
	case 5: t = n == v; break;		/* GE */
	case 6: t = !z && n == v; break;	/* GT */
	default: return true;			/* AL, NV */
	}
	return t != (cc & 1);
}

#endif
