// SPDX-License-Identifier: Apache-2.0
/*
 * arm64 behind the architecture seam (arch/arch.h): its facts, and what the word of one
 * instruction says: direct branches, what the kernel's uprobes simulate, refuse or single-step
 * (arch/arm64/kernel/probes/decode-insn.c), and the prologue's frame-record instructions.
 * Every instruction is one little-endian 32-bit word, aligned.
 */
#include <elf.h>
#include <string.h>

#include "arch/arm64/arm64.h"
#include "arch/arm64/regs.h"

#define NREGS(a) ((int)(sizeof(a) / sizeof((a)[0])))

uint32_t a64_word(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The low bits of insn from bit lo, width bits wide, sign-extended, times 4 (a word offset). */
static int64_t word_offset(uint32_t insn, int lo, int width)
{
	int64_t v = (insn >> lo) & ((1u << width) - 1);

	if (v & ((int64_t)1 << (width - 1)))
		v -= (int64_t)1 << width;
	return v * 4;
}

static bool is_b_bl(uint32_t w) { return (w & 0x7c000000) == 0x14000000; }
static bool is_bcond(uint32_t w) { return (w & 0xff000010) == 0x54000000; }
static bool is_cbz(uint32_t w) { return (w & 0x7e000000) == 0x34000000; }
static bool is_tbz(uint32_t w) { return (w & 0x7e000000) == 0x36000000; }
/* BR, BLR and RET of a register */
static bool is_br_blr_ret(uint32_t w)
{
	uint32_t m = w & 0xfffffc1f;

	return m == 0xd61f0000 || m == 0xd63f0000 || m == 0xd65f0000;
}
static bool is_adr_adrp(uint32_t w) { return (w & 0x1f000000) == 0x10000000; }
static bool is_ldr_lit(uint32_t w) { return (w & 0xbf000000) == 0x18000000; }
static bool is_ldrsw_lit(uint32_t w) { return (w & 0xff000000) == 0x98000000; }

bool a64_branch_target(uint32_t w, uint64_t pc, uint64_t *target)
{
	if (is_b_bl(w))
		*target = pc + (uint64_t)word_offset(w, 0, 26);
	else if (is_bcond(w) || is_cbz(w))
		*target = pc + (uint64_t)word_offset(w, 5, 19);
	else if (is_tbz(w))
		*target = pc + (uint64_t)word_offset(w, 5, 14);
	else
		return false;
	return true;
}

/* B and BL (imm26): the forms the linker writes between functions. */
static bool a64_branch(const uint8_t *p, size_t len, uint64_t pc, struct go_branch *br)
{
	uint32_t w;

	br->kind = GO_BRANCH_NONE;
	if (len < 4 || pc % 4 || !is_b_bl(w = a64_word(p)))
		return false;
	br->kind = w & 0x80000000 ? GO_BRANCH_CALL : GO_BRANCH_JMP;
	br->size = 4;
	br->long_form = true;
	br->target = pc + (uint64_t)word_offset(w, 0, 26);
	return true;
}

/*
 * arm64 uprobes simulate the branches (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ, BR, BLR, RET), ADR
 * and ADRP, and the PC-relative loads (LDR and LDRSW of a literal): they read the PC, which an
 * out-of-line copy would not hold. Everything else is single-stepped out of line: a second
 * trap. Linux 6.12 simulates NOP as well; older kernels step it, so it counts as stepped.
 */
bool a64_simulated(uint32_t w)
{
	return is_b_bl(w) || is_bcond(w) || is_cbz(w) || is_tbz(w) || is_br_blr_ret(w) ||
	       is_adr_adrp(w) || is_ldr_lit(w) || is_ldrsw_lit(w);
}

static bool a64_emulated(const uint8_t *p, size_t len)
{
	return len >= 4 && a64_simulated(a64_word(p));
}

/* The hints the kernel steps (aarch64_insn_is_steppable_hint): NOP, the PAC ones, BTI. */
static bool steppable_hint(uint32_t w)
{
	switch ((w >> 5) & 0x7f) {	/* CRm:op2 */
	case 0: case 7: case 8: case 10: case 24: case 25: case 26: case 27:
	case 32: case 34: case 36: case 38:
		return true;
	}
	return false;
}

/*
 * Can the kernel single-step the instruction out of line (aarch64_insn_is_steppable)? Not the
 * exception-generating ones, MSR, ERET, reading DAIF, other hints (YIELD, WFE, ...), literal
 * loads, nor exclusive loads and stores, whose monitor the step's exception clears.
 */
static bool steppable(uint32_t w)
{
	if ((w & 0x1c000000) == 0x14000000) {	/* branches, exceptions, system */
		if (is_b_bl(w) || is_bcond(w) || is_cbz(w) || is_tbz(w) || is_br_blr_ret(w) ||
		    (w & 0xff000000) == 0xd4000000 ||		/* SVC, HVC, SMC, BRK, HLT */
		    (w & 0xfff8f01f) == 0xd500401f ||		/* MSR (immediate) */
		    (w & 0xfff00000) == 0xd5100000 ||		/* MSR (register) */
		    (w & 0xfffffbff) == 0xd69f03e0 || (w & 0xfffffbff) == 0xd69f0bff)	/* ERET */
			return false;
		if ((w & 0xfff00000) == 0xd5300000)		/* MRS */
			return (w & 0xffffffe0) != 0xd53b4220;	/* of DAIF */
		if ((w & 0xfffff01f) == 0xd503201f)		/* HINT */
			return steppable_hint(w);
		return true;
	}
	return !is_ldr_lit(w) && !is_ldrsw_lit(w) && !is_adr_adrp(w) &&
	       (w & 0xff000000) != 0xd8000000 &&		/* PRFM (literal) */
	       (w & 0x3f800000) != 0x08000000;			/* LDXR, STXR, ... */
}

/* Does the kernel accept a uprobe on the instruction (simulated, or stepped)? */
static bool a64_probeable(const uint8_t *p, size_t len)
{
	uint32_t w;

	if (len < 4)
		return false;
	w = a64_word(p);
	return a64_simulated(w) || steppable(w);
}

/*
 * Go's arm64 prologue past the stack check: STR X30, [SP, #-frame]! (or SUB X20, SP, #frame;
 * STP X29, X30, [X20, #-8]; MOV SP, X20), STUR X29, [SP, #-8], SUB X29, SP, #8. Until that
 * last one the frame record is not made: a store of X29 or X30, or a write of X29 or SP, is one
 * of those instructions.
 */
static bool a64_sets_fp(const uint8_t *p, size_t len)
{
	uint32_t w, rt, rd;

	if (len < 4)
		return false;
	w = a64_word(p);
	rt = w & 0x1f;
	rd = w & 0x1f;
	if ((w & 0x3c000000) == 0x28000000 && !(w & 0x00400000))	/* STP */
		return rt >= 29 || ((w >> 10) & 0x1f) >= 29;
	if ((w & 0x3e000000) == 0x38000000 && !(w & 0x00c00000))	/* STR, STUR */
		return rt >= 29;
	if ((w & 0x1f000000) == 0x11000000)			/* ADD, SUB (immediate) */
		return rd == 29 || rd == 31;
	return false;
}

/*
 * Go's calling conventions on arm64. Register ABI (Go >= 1.18 here): R0-R15, floats in
 * F0-F15; R28 holds g in every gc function, of either ABI. AAPCS64 (gccgo): X0-X7, results in
 * X0, X1. Named as the BPF programs name them (regs.h).
 */
static const char *const regabi_ints[] = { "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7",
					    "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15" };
static const char *const c_args[] = { "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7" };
static const char *const c_rets[] = { "x0", "x1" };
#define REG_NAME(name) #name,
static const char *const reg_codes[GO_NARG_REGS] = { GO_ARG_REGS(REG_NAME) };
#undef REG_NAME

const struct go_arch go_arch_arm64 = {
	.name = "aarch64",
	.machine = EM_AARCH64,
	.ptr_size = 8,
	.call_size = 4,
	.call_push = 0,
	.pc_quantum = 4,
	.mark_size = 4,
	.rel_relative = R_AARCH64_RELATIVE,
	.rel_copy = R_AARCH64_COPY,
	.branch = a64_branch,
	.emulated = a64_emulated,
	.probeable = a64_probeable,
	.sets_fp = a64_sets_fp,
	.regabi_ints = regabi_ints,
	.nregabi_ints = NREGS(regabi_ints),
	.nregabi_floats = 16,
	.c_args = c_args,
	.nc_args = NREGS(c_args),
	.c_rets = c_rets,
	.nc_rets = NREGS(c_rets),
	.g_reg = "x28",
	.g_always = true,
	.regabi_minor = 118,
	.reg_codes = reg_codes,
	.nreg_codes = NREGS(reg_codes),
	.entry_site = a64_entry_site,
	.ret_sites = a64_ret_sites,
	.split_ret = a64_split_ret,
	.decode = a64_decode,
	.walk_new = a64_walk_new,
	.walk_free = a64_walk_free,
	.ref_at = a64_ref_at,
	.code_refs = a64_code_refs,
	.code_free = a64_code_free,
	.syscall_name = go_arm64__syscall_name,
};
