/* SPDX-License-Identifier: Apache-2.0 */
/* x86-64's pt_regs for the BPF programs (arch.bpf.h says what each gives). */
#ifndef GO_X86_64_BPF_H
#define GO_X86_64_BPF_H

#include "arch/x86_64/regs.h"

#define GO_PT_REG(ctx, name) ((ctx)->name)
#define GO_REG_SP(ctx) ((ctx)->sp)
#define GO_REG_IP(ctx) ((ctx)->ip)
#define GO_REG_FP(ctx) ((ctx)->bp)
#define GO_REG_G(ctx) ((ctx)->r14)	/* the register ABI's g, at every entry */
#define GO_REG_TLS_G(ctx) ((ctx)->cx)	/* Go < 1.17: MOVQ FS:..., CX in the stack check */
/* a frame's return address is the word CALL pushed, at its CFA - 8, not at its SP */
#define GO_RA_AT_SP 0

/* At a function's entry, its return address is the word at SP (CALL pushed it). */
static __always_inline u64 go_entry_ra(struct pt_regs *ctx)
{
	u64 ra = 0;

	bpf_probe_read_user(&ra, sizeof(ra), (void *)ctx->sp);
	return ra;
}

/* At a site where the function has pushed or reserved off bytes, it is the word at SP + off. */
static __always_inline u64 go_site_ra(struct pt_regs *ctx, u32 off)
{
	u64 ra = 0;

	bpf_probe_read_user(&ra, sizeof(ra), (void *)(ctx->sp + off));
	return ra;
}

/*
 * Would a conditional jump of x86 condition code cc (the low four bits of its opcode) be taken
 * with ctx's flags? As the CPU (and the kernel's emulation of a probed Jcc) decides: each pair
 * of codes is a condition and its negation.
 */
static __always_inline bool go_cond_taken(struct pt_regs *ctx, u32 cc)
{
	u64 flags = ctx->flags;
	bool cf = flags & 0x1, pf = flags & 0x4, zf = flags & 0x40, sf = flags & 0x80,
	     of = flags & 0x800, t;

	switch (cc >> 1) {
	case 0: t = of; break;			/* JO */
	case 1: t = cf; break;			/* JB, JC */
	case 2: t = zf; break;			/* JE */
	case 3: t = cf || zf; break;		/* JBE: gc's stack check */
	case 4: t = sf; break;			/* JS */
	case 5: t = pf; break;			/* JP */
	case 6: t = sf != of; break;		/* JL */
	default: t = zf || sf != of; break;	/* JLE */
	}
	return t != (cc & 1);
}

#endif
