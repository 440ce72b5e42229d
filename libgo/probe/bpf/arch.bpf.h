/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pt_regs as the BPF programs read it, for the architecture they are compiled for: one header
 * per architecture (x86_64.bpf.h, arm64.bpf.h) gives
 *   GO_REG_SP(ctx), GO_REG_IP(ctx), GO_REG_FP(ctx)  stack pointer, pc, frame pointer
 *   GO_REG_G(ctx)          where register-ABI Go code keeps g (go_arch.g_reg)
 *   GO_REG_TLS_G(ctx)      where an older release's stack check loaded g from TLS
 *   GO_PT_REG(ctx, name)   a register by its pt_regs name (go_loc.reg, GO_ARG_REGS)
 *   GO_ARG_REGS, GO_NARG_REGS  the argument registers by their codes (<arch>/regs.h)
 *   go_entry_ra(ctx)       the return address at a function's entry
 *   go_site_ra(ctx, off)   the return address at a site off bytes of frame past the entry
 *   go_cond_taken(ctx, cc) whether a conditional branch of condition cc is taken (cookie.h)
 *   GO_RA_AT_SP            1 where a frame's return address is at its SP (a saved link
 *                          register), 0 where it is at its CFA - 8 (pushed by CALL)
 * and every program reads registers through them, never ctx's fields.
 */
#ifndef GO_ARCH_BPF_H
#define GO_ARCH_BPF_H

#if defined(__x86_64__)
#include "x86_64.bpf.h"
#elif defined(__aarch64__)
#include "arm64.bpf.h"
#else
#error "gotools has no BPF register map for this architecture"
#endif

/* An argument register by its code (GO_ARG_REGS): the verifier refuses a read of ctx at a
 * computed offset, so all are read, then one is picked. */
static __always_inline u64 go_arg_reg(struct pt_regs *ctx, u32 code)
{
#define GO_READ_REG(name) GO_PT_REG(ctx, name),
	u64 r[GO_NARG_REGS] = { GO_ARG_REGS(GO_READ_REG) };
#undef GO_READ_REG

	return code < GO_NARG_REGS ? r[code] : 0;
}

#endif
