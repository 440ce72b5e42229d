// SPDX-License-Identifier: Apache-2.0
/*
 * x86-64 behind the architecture seam (arch/arch.h): its facts, and what the bytes of one
 * instruction say: direct CALLs and JMPs, what the kernel's uprobes emulate, refuse or
 * single-step, and the prologue's frame-pointer instructions.
 */
#include <elf.h>
#include <string.h>

#include "arch/x86_64/regs.h"
#include "arch/x86_64/x86_64.h"

#define NREGS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int32_t rel32(const uint8_t *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* E8 rel32 (CALL), E9 rel32 and EB rel8 (JMP): the forms gc and the linker write. */
static bool x86_branch(const uint8_t *p, size_t len, uint64_t pc, struct go_branch *br)
{
	int64_t rel;

	br->kind = GO_BRANCH_NONE;
	if (len >= 2 && p[0] == 0xeb) {
		rel = (int8_t)p[1];
		br->size = 2;
	} else if (len >= 5 && (p[0] == 0xe8 || p[0] == 0xe9)) {
		rel = rel32(p + 1);
		br->size = 5;
	} else {
		return false;
	}
	br->kind = p[0] == 0xe8 ? GO_BRANCH_CALL : GO_BRANCH_JMP;
	br->long_form = br->size == 5;
	br->target = pc + br->size + (uint64_t)rel;
	return true;
}

/*
 * x86 uprobes emulate direct calls and jumps, conditional jumps, NOPs (branch_setup_xol_ops)
 * and PUSH of a register (push_setup_xol_ops, since Linux 4.17, older than anything else the
 * tools need); everything else is copied out of line and single-stepped, which costs a trap.
 */
bool x86_emulated(const uint8_t *p, size_t len)
{
	if (len < 2)
		return false;
	if ((p[0] >= 0x50 && p[0] <= 0x57) || (p[0] == 0x41 && p[1] >= 0x50 && p[1] <= 0x57))
		return true;	/* push of a register */
	if (p[0] == 0x0f)
		return (p[1] >= 0x80 && p[1] <= 0x8f) || p[1] == 0x1f;
	return (p[0] >= 0x70 && p[0] <= 0x7f) || p[0] == 0x90 || p[0] == 0xe8 || p[0] == 0xe9 ||
	       p[0] == 0xeb;
}

/*
 * Can the kernel's uprobes single-step the instruction at p? Linux refuses (ENOTSUPP) an
 * instruction with an ES, CS, SS, DS or LOCK prefix, and opcodes it cannot execute out of line
 * (int3, syscall, in/out, VEX-encoded ones, ...). Checked here so that one such function does
 * not fail a whole uprobe_multi link.
 */
static bool opcode1_bad(uint8_t op)
{
	static const uint8_t bad[] = {
		0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f, 0x37, 0x3f, 0x60, 0x61, 0x62,
		0x6c, 0x6d, 0x6e, 0x6f, 0x82, 0xc4, 0xc5, 0xcc, 0xcd, 0xce, 0xcf, 0xd4, 0xd5, 0xd6,
		0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf4, 0xfa, 0xfb,
	};

	return memchr(bad, op, sizeof(bad)) != NULL;
}

static bool opcode2_bad(uint8_t op)
{
	return op <= 0x0d || op == 0x18 || (op >= 0x24 && op <= 0x27) || op == 0x30 ||
	       (op >= 0x34 && op <= 0x3f) || (op >= 0x78 && op <= 0x7d) || op == 0xa6 ||
	       op == 0xa7 || op == 0xae || op == 0xb8 || op == 0xd0 || op == 0xf0 || op == 0xff;
}

static bool x86_probeable(const uint8_t *p, size_t len)
{
	size_t i = 0;

	if (len < 16)
		return false;
	for (; i < 15; i++) {
		if (p[i] == 0x26 || p[i] == 0x2e || p[i] == 0x36 || p[i] == 0x3e || p[i] == 0xf0)
			return false;
		if (p[i] != 0x66 && p[i] != 0x67 && p[i] != 0xf2 && p[i] != 0xf3 && p[i] != 0x64 &&
		    p[i] != 0x65)
			break;
	}
	/*
	 * XCHG of RAX with R8-R15 is 0x90 behind REX.B, and Linux (6.18 at least) emulates it as
	 * the NOP 0x90 is, leaving both registers as they were: Go 1.19's gcWriteBarrierR8 begins
	 * with one, and a probe there corrupts the heap.
	 */
	if ((p[i] & 0xf0) == 0x40 && (p[i] & 1) && p[i + 1] == 0x90)
		return false;
	if ((p[i] & 0xf0) == 0x40)	/* REX */
		i++;
	if (p[i] == 0x0f)
		return !opcode2_bad(p[i + 1]);
	return !opcode1_bad(p[i]);
}

/*
 * Go 1.21+: PUSHQ BP (SP - 8), MOVQ SP, BP, SUBQ $frame, SP; before: SUBQ $frame, SP,
 * MOVQ BP, frame-8(SP), LEAQ frame-8(SP), BP. The site past the stack check is one of the
 * MOVs or LEAs (48 89 e5: MOV RBP, RSP; 48 89/8d [2c|6c|ac] 24: to or from [RSP+x]) while the
 * frame record is not made.
 */
static bool x86_sets_fp(const uint8_t *p, size_t len)
{
	if (len >= 3 && !memcmp(p, "\x48\x89\xe5", 3))
		return true;
	return len >= 4 && p[0] == 0x48 && (p[1] == 0x89 || p[1] == 0x8d) &&
	       (p[2] == 0x2c || p[2] == 0x6c || p[2] == 0xac) && p[3] == 0x24;
}

/*
 * Every rel8 or rel32 displacement (its operand may end 0, 1, 2 or 4 bytes before the
 * instruction does: an immediate follows) and, outside PIE, every imm32 at every byte that
 * would name an address of want: bytes are not decoded here, so that a scan of all code is
 * fast; ref_at decodes each hit.
 */
static int x86_code_refs(const uint8_t *p, size_t len, size_t count, uint64_t vaddr, bool absolute,
			 const struct go_addr_bits *want, go_ref_hit_fn hit, void *ctx)
{
	static const int ends[] = { 4, 5, 6, 8 };	/* rel32 then 0, 1, 2 or 4 immediate bytes */
	size_t i;
	int k, err;

	for (i = 0; i < count; i++) {
		uint64_t at = vaddr + i;
		int32_t v;

		if (go_addr_bits__has(want, at + 1 + (int8_t)p[i]) &&
		    (err = hit(ctx, at, at + 1 + (int8_t)p[i])))
			return err;
		if (i + 4 > len)
			continue;
		v = rel32(p + i);
		for (k = 0; k < 4; k++)
			if (go_addr_bits__has(want, at + ends[k] + (int64_t)v) &&
			    (err = hit(ctx, at, at + ends[k] + (int64_t)v)))
				return err;
		if (absolute && go_addr_bits__has(want, (uint64_t)(int64_t)v) &&
		    (err = hit(ctx, at, (uint64_t)(int64_t)v)))
			return err;
	}
	return 0;
}

/*
 * Go's calling conventions on amd64. Register ABI (Go >= 1.17): RAX RBX RCX RDI RSI R8 R9 R10
 * R11, floats in X0-X14; R14 holds g. System V (gccgo): RDI RSI RDX RCX R8 R9, results in RAX,
 * RDX. Named as pt_regs names them.
 */
static const char *const regabi_ints[] = { "ax", "bx", "cx", "di", "si", "r8", "r9", "r10", "r11" };
static const char *const c_args[] = { "di", "si", "dx", "cx", "r8", "r9" };
static const char *const c_rets[] = { "ax", "dx" };
#define REG_NAME(name) #name,
static const char *const reg_codes[GO_NARG_REGS] = { GO_ARG_REGS(REG_NAME) };
#undef REG_NAME

const struct go_arch go_arch_x86_64 = {
	.name = "x86_64",
	.machine = EM_X86_64,
	.ptr_size = 8,
	.call_size = 5,
	.call_push = 8,
	.pc_quantum = 1,
	.mark_size = 1,
	.rel_relative = R_X86_64_RELATIVE,
	.rel_copy = R_X86_64_COPY,
	.branch = x86_branch,
	.emulated = x86_emulated,
	.probeable = x86_probeable,
	.sets_fp = x86_sets_fp,
	.regabi_ints = regabi_ints,
	.nregabi_ints = NREGS(regabi_ints),
	.nregabi_floats = 15,
	.c_args = c_args,
	.nc_args = NREGS(c_args),
	.c_rets = c_rets,
	.nc_rets = NREGS(c_rets),
	.g_reg = "r14",
	.g_always = false,
	.regabi_minor = 117,
	.reg_codes = reg_codes,
	.nreg_codes = NREGS(reg_codes),
	.entry_site = x86_entry_site,
	.ret_sites = x86_ret_sites,
	.split_ret = x86_split_ret,
	.decode = x86_decode,
	.walk_new = x86_walk_new,
	.walk_free = x86_walk_free,
	.ref_at = x86_ref_at,
	.code_refs = x86_code_refs,
	.code_free = x86_code_free,
	.syscall_name = go_x86_64__syscall_name,
};
