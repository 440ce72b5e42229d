// SPDX-License-Identifier: Apache-2.0
/*
 * Probe sites found by decoding x86-64 code with capstone.
 *
 * A gc-compiled Go function starts by comparing SP with the goroutine's stack guard; when the
 * stack must grow, it jumps to a block at its end that calls runtime.morestack and then jumps
 * back to the entry, running the prologue again. A probe at the entry would fire twice for such a
 * call, so the entry site is the instruction after the stack check's own conditional jump, or,
 * where the kernel would single-step that instruction, the jump itself, whose probe counts a
 * call only when it is not taken.
 * gccgo's split stacks never restart a function: see splitstack_call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/capstone.h"
#include "arch/x86_64/regs.h"
#include "arch/x86_64/x86_64.h"
#include "base/base.h"

#define PROLOGUE_INSNS 12	/* the stack check is within the first few instructions */

static int insn_open(struct go_code *code, bool lite)
{
	return go_cs__open(lite ? &code->decoder_lite : &code->decoder, CS_ARCH_X86, CS_MODE_64,
			   !lite, "x86");
}

static csh insn_handle(const struct go_code *code, bool lite)
{
	return go_cs__handle(lite ? code->decoder_lite : code->decoder);
}

void x86_code_free(struct go_code *code)
{
	go_cs__close(&code->decoder);
	go_cs__close(&code->decoder_lite);
}

/* A little-endian word, as the host (x86-64) reads it. */
static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* A decoding cursor over one function: x86 steps over an undecodable byte at a time. */
#define cursor go_cs_cursor

static int cursor_init_as(struct go_code *code, struct cursor *c, uint64_t from, uint64_t end,
			  bool lite)
{
	int err = insn_open(code, lite);

	return err ? err : go_cs_cursor__init(c, code, lite ? code->decoder_lite : code->decoder,
					      1, from, end);
}

static int cursor_init(struct go_code *code, struct cursor *c, uint64_t from, uint64_t end)
{
	return cursor_init_as(code, c, from, end, false);
}

/* capstone 4 does not know every AVX-512 or GFNI instruction that Go's runtime uses. */
static bool cursor_next(const struct go_code *code, struct cursor *c)
{
	(void)code;
	return go_cs_cursor__next(c);
}

static bool insn_is(const cs_insn *i, unsigned id)
{
	return i->id == id;
}

/* A conditional jump: capstone lists them all, and only them, between JAE and JS but JMP. */
static bool insn_is_jcc(const cs_insn *i)
{
	return i->id >= X86_INS_JAE && i->id <= X86_INS_JS && i->id != X86_INS_JMP;
}

static bool insn_target(const cs_insn *i, uint64_t *target)
{
	const cs_x86 *x = &i->detail->x86;

	if (x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
		return false;
	*target = (uint64_t)x->operands[0].imm;
	return true;
}

/*
 * The stack check, as gc's assembler back end writes it (cmd/internal/obj/x86's stacksplit): g
 * is in R14 in an ABIInternal function (Go >= 1.17), or loaded from thread-local storage (MOV
 * reg, FS:[...]: assembly, and all code before Go 1.17); the check compares SP, or a register
 * holding SP minus the frame, with g's stack guard (g+16, or g+24 for stackguard1), or compares
 * a register loaded from the guard (Go < 1.17's huge frames), then jumps to the morestack block
 * at once. Only that compare counts: a nil or bounds check in the first instructions may jump to
 * a panic block that happens to lie just before the morestack block.
 */
#define MAX_GREGS 4

struct gregs {
	unsigned g[MAX_GREGS], guard[MAX_GREGS];	/* capstone register ids, 0 for none */
};

static bool regs_has(const unsigned *set, unsigned reg)
{
	int k;

	for (k = 0; k < MAX_GREGS; k++)
		if (reg && set[k] == reg)
			return true;
	return false;
}

static void regs_add(unsigned *set, unsigned reg)
{
	int k;

	for (k = 0; k < MAX_GREGS; k++)
		if (!set[k] || set[k] == reg) {
			set[k] = reg;
			return;
		}
}

static bool is_guard(const struct gregs *r, const cs_x86_op *op)
{
	return op->type == X86_OP_MEM && op->mem.index == X86_REG_INVALID &&
	       op->mem.segment == X86_REG_INVALID && regs_has(r->g, op->mem.base) &&
	       (op->mem.disp == 16 || op->mem.disp == 24);
}

/* Note what instruction i puts in a register: g (from TLS) or the stack guard. */
static void gregs_track(struct gregs *r, const cs_insn *i)
{
	const cs_x86 *x = &i->detail->x86;

	if (!insn_is(i, X86_INS_MOV) || x->op_count != 2 || x->operands[0].type != X86_OP_REG ||
	    x->operands[1].type != X86_OP_MEM)
		return;
	if (x->operands[1].mem.segment == X86_REG_FS)
		regs_add(r->g, x->operands[0].reg);
	else if (is_guard(r, &x->operands[1]))
		regs_add(r->guard, x->operands[0].reg);
}

/* Is instruction i the stack check's compare? */
static bool is_stack_compare(const struct gregs *r, const cs_insn *i)
{
	const cs_x86 *x = &i->detail->x86;
	int k;

	if (!insn_is(i, X86_INS_CMP) || x->op_count != 2)
		return false;
	for (k = 0; k < 2; k++)
		if (is_guard(r, &x->operands[k]) ||
		    (x->operands[k].type == X86_OP_REG && regs_has(r->guard, x->operands[k].reg)))
			return true;
	return false;
}

/* Does the kernel emulate the instruction at addr (x86_emulated)? */
static bool emulated_at(const struct go_code *code, uint64_t addr)
{
	const uint8_t *p = code->bytes(code->ctx, addr, 2);

	return p && x86_emulated(p, 2);
}

static bool reg_is_sp(uint16_t reg);
static bool insn_writes(const struct go_code *code, const cs_insn *i, bool (*is)(uint16_t));

/*
 * The condition code of a conditional jump as gc writes it (0x70+cc rel8, or 0x0f 0x80+cc
 * rel32, no prefix): the low four bits of its opcode, which the kernel's emulation and the BPF
 * programs (go_jcc_taken) read alike; -1 for any other encoding.
 */
static int jcc_cond(const cs_insn *i)
{
	const uint8_t *p = i->bytes;

	if (i->size == 2 && (p[0] & 0xf0) == 0x70)
		return p[0] & 0x0f;
	if (i->size == 6 && p[0] == 0x0f && (p[1] & 0xf0) == 0x80)
		return p[1] & 0x0f;
	return -1;
}

/*
 * Is target runtime.morestack (or its _noctxt or C variant: morestackc, which
 * //go:systemstack functions call, throws), or a stub of the linker's that no function table
 * lists and that jumps there after setting up the register ABI's fixed registers (Go 1.17+
 * calls the ABI0 morestackc through one)?
 */
#define STUB_INSNS 4
#define STUB_SIZE 32

static bool is_morestack(struct go_code *code, uint64_t target, bool stub)
{
	const struct go_func *fn = code->func_at(code->ctx, target);
	struct cursor c;
	uint64_t t;
	bool ok = false;
	int n;

	if (fn)
		return fn->entry == target && !strncmp(fn->name, "runtime.morestack", 17);
	if (stub || cursor_init(code, &c, target, target + STUB_SIZE))
		return false;
	for (n = 0; n < STUB_INSNS && cursor_next(code, &c) && !c.skipped; n++) {
		if (!insn_is(c.insn, X86_INS_JMP) && !insn_is(c.insn, X86_INS_CALL) &&
		    !insn_is_jcc(c.insn) && !insn_is(c.insn, X86_INS_RET) &&
		    !insn_writes(code, c.insn, reg_is_sp))
			continue;
		ok = insn_is(c.insn, X86_INS_JMP) && insn_target(c.insn, &t) && is_morestack(code, t, true);
		break;
	}
	cs_free(c.insn, 1);
	return ok;
}

/*
 * Does a jump to target go to fn's morestack block, which calls runtime.morestack, where the
 * goroutine's stack grows or it is preempted, and then jumps back to fn's entry? In between,
 * Go 1.17+ spills and reloads the argument registers; nothing else leaves the block.
 */
#define MORESTACK_INSNS 64

static bool leads_to_morestack(struct go_code *code, const struct go_func *fn, uint64_t target)
{
	struct cursor c;
	bool called = false, ok = false;
	uint64_t t;
	int n;

	if (cursor_init(code, &c, target, fn->end))
		return false;
	for (n = 0; n < MORESTACK_INSNS && cursor_next(code, &c) && !c.skipped; n++) {
		bool call = insn_is(c.insn, X86_INS_CALL), jmp = insn_is(c.insn, X86_INS_JMP);

		if (!call && !jmp && !insn_is_jcc(c.insn) && !insn_is(c.insn, X86_INS_RET) &&
		    !insn_writes(code, c.insn, reg_is_sp))
			continue;	/* a spill or a reload */
		if (call && !called && insn_target(c.insn, &t) && is_morestack(code, t, false)) {
			called = true;
			continue;
		}
		ok = called && jmp && insn_target(c.insn, &t) && t == fn->entry;
		break;
	}
	cs_free(c.insn, 1);
	return ok;
}

/*
 * The entry site: right after the conditional jump that follows the stack check's compare, or
 * after a later one in the prologue to the same morestack block (Go < 1.17 checks a huge frame
 * twice); the entry when there is no stack check. Where the instruction after that jump is one
 * the kernel single-steps (Go < 1.21: SUB RSP, no PUSH RBP), the site is the jump itself, which
 * the kernel emulates, with its condition in *jcc: a probe there sees every pass through the
 * check, and a call enters when the jump is not taken (taken, it goes to morestack, which starts
 * the function again: go_entered in bpf/common.bpf.h). *jcc is -1 at every other site.
 */
int x86_entry_site(struct go_code *code, const struct go_func *fn, uint64_t *addr, int *jcc)
{
	struct gregs r = { 0 };
	struct cursor c;
	uint64_t morestack = 0, t, check = 0;
	bool compared = false;
	int n, cc = -1, err;

	*addr = fn->entry;
	if (jcc)
		*jcc = -1;
	if (fn->abi == GO_ABI_SYSV)
		return 0;	/* split stacks never restart a gccgo function */
	if (fn->abi == GO_ABI_INTERNAL)
		r.g[0] = X86_REG_R14;
	err = cursor_init(code, &c, fn->entry, fn->end);
	if (err)
		return err;
	/* past an undecodable byte nothing is trusted: the entry itself is always an instruction */
	for (n = 0; n < PROLOGUE_INSNS && cursor_next(code, &c) && !c.skipped; n++) {
		bool jump = insn_is_jcc(c.insn) && insn_target(c.insn, &t) && t > c.insn->address &&
			    t < fn->end;

		if (jump && (compared || (morestack && t == morestack))) {
			morestack = t;
			check = c.insn->address;
			cc = jcc_cond(c.insn);
			*addr = c.insn->address + c.insn->size;
		}
		/* one stack check: the registers may hold something else past it */
		compared = !morestack && is_stack_compare(&r, c.insn);
		gregs_track(&r, c.insn);
		if (insn_is(c.insn, X86_INS_RET) || insn_is(c.insn, X86_INS_CALL) ||
		    insn_is(c.insn, X86_INS_JMP))
			break;
	}
	cs_free(c.insn, 1);
	if (check && cc >= 0 && !emulated_at(code, *addr) && leads_to_morestack(code, fn, morestack)) {
		*addr = check;
		if (jcc)
			*jcc = cc;
	}
	return 0;
}

/*
 * gccgo's split stacks. The prologue compares SP (or SP less the frame) with the segment's
 * guard and, when the segment is too small, calls __morestack, then a RET: "cmp; jae body;
 * call __morestack; ret; body:" at -O0, "cmp; jb cold; body ... ret; cold: call __morestack;
 * ret; jmp body" at -O2. __morestack ("push %rbp; mov %rsp,%rbp", its return address at
 * RBP+8) gets a new segment and calls the instruction after that RET, so that the body runs on
 * the new segment and its RET returns into __morestack, which returns through the RET after
 * its call, to the function's caller, on the caller's stack, results in RAX and RDX. So that
 * RET is where such a call returns, and a RET of the body is not when RBP+8 holds that RET's
 * address (the body keeps RBP, which the ABI has it save). The entry runs once either way.
 */
static bool splitstack_call(const struct go_code *code, const cs_insn *i)
{
	const struct go_func *t;
	uint64_t target;

	if (!insn_is(i, X86_INS_CALL) || !insn_target(i, &target))
		return false;
	t = code->func_at(code->ctx, target);
	/* __morestack_non_split and __morestack_large_model go on into __morestack */
	return t && t->entry == target && !strncmp(t->name, "__morestack", 11);
}

int x86_split_ret(struct go_code *code, const struct go_func *fn, uint64_t *addr)
{
	struct cursor c;
	bool after_call = false;
	int err;

	*addr = 0;
	if (fn->abi != GO_ABI_SYSV)
		return 0;
	err = cursor_init(code, &c, fn->entry, fn->end);
	if (err)
		return err;
	while (cursor_next(code, &c) && !*addr) {
		if (after_call && insn_is(c.insn, X86_INS_RET))
			*addr = c.insn->address;
		after_call = splitstack_call(code, c.insn);
	}
	cs_free(c.insn, 1);
	return 0;
}

int x86_ret_sites(struct go_code *code, const struct go_func *fn, uint64_t **addrs, size_t *cnt)
{
	size_t cap = 0;
	struct cursor c;
	int err;

	*addrs = NULL;
	*cnt = 0;
	err = cursor_init_as(code, &c, fn->entry, fn->end, true);	/* ids only */
	if (err)
		return err;
	while (cursor_next(code, &c)) {
		if (!insn_is(c.insn, X86_INS_RET))
			continue;
		if (*cnt == cap) {
			uint64_t *n;

			cap = cap ? cap * 2 : 8;
			n = realloc(*addrs, cap * sizeof(*n));
			if (!n) {
				cs_free(c.insn, 1);
				free(*addrs);
				*addrs = NULL;
				return go_fail(ENOMEM, "out of memory");
			}
			*addrs = n;
		}
		(*addrs)[(*cnt)++] = c.insn->address;
	}
	cs_free(c.insn, 1);
	if (c.skipped) {
		free(*addrs);
		*addrs = NULL;
		*cnt = 0;
		return go_fail(ENOTSUP, "cannot decode all of %s", fn->name);
	}
	return 0;
}

/* Does operand op of instruction i name target, as an immediate or a memory address? */
static bool operand_refers(const cs_insn *i, const cs_x86_op *op, uint64_t target)
{
	if (op->type == X86_OP_IMM)
		return (uint64_t)op->imm == target;
	if (op->type != X86_OP_MEM)
		return false;
	if (op->mem.base == X86_REG_RIP)
		return i->address + i->size + (uint64_t)op->mem.disp == target;
	return op->mem.base == X86_REG_INVALID && (uint64_t)op->mem.disp == target;
}

/*
 * A decoding cursor kept across calls, for references found in address order. It decodes
 * without operand details; an instruction other than a direct CALL or JMP is decoded again with
 * them, into full, to see whether an operand names the target.
 */
struct go_insn_walk {
	const struct go_func *fn;
	struct cursor c;
	bool have;		/* c.insn holds the instruction at the cursor */
	cs_insn *full;
};

struct go_insn_walk *x86_walk_new(void)
{
	return calloc(1, sizeof(struct go_insn_walk));
}

void x86_walk_free(struct go_insn_walk *w)
{
	if (w && w->fn)
		cs_free(w->c.insn, 1);
	if (w && w->full)
		cs_free(w->full, 1);
	free(w);
}

/* The instruction of fn that holds the byte at pos, decoding on from the last one. */
static const cs_insn *walk_to(struct go_code *code, struct go_insn_walk *w,
			      const struct go_func *fn, uint64_t pos)
{
	/* back to the start only when asked behind the cursor in step: once out of step every
	 * answer is "other" anyway, and restarting for each byte of a gap was quadratic */
	if (w->fn != fn || (w->have && w->c.insn->address > pos && !w->c.skipped)) {
		if (w->fn)
			cs_free(w->c.insn, 1);
		w->fn = NULL;
		w->have = false;
		if (cursor_init_as(code, &w->c, fn->entry, fn->end, true))
			return NULL;
		w->fn = fn;
	}
	while (!w->have || pos >= w->c.insn->address + w->c.insn->size) {
		w->have = cursor_next(code, &w->c);
		if (!w->have)
			return NULL;
	}
	return w->c.insn->address <= pos ? w->c.insn : NULL;
}

/* Instruction i again, with operand details; NULL when that fails. */
static const cs_insn *walk_detail(struct go_code *code, struct go_insn_walk *w, const cs_insn *i)
{
	const uint8_t *p = i->bytes;
	size_t size = i->size;
	uint64_t addr = i->address;

	if (insn_open(code, false))
		return NULL;
	if (!w->full && !(w->full = cs_malloc(insn_handle(code, false))))
		return NULL;
	return cs_disasm_iter(insn_handle(code, false), &p, &size, &addr, w->full) ? w->full : NULL;
}

enum go_insn_ref x86_ref_at(struct go_code *code, struct go_insn_walk *w, const struct go_func *fn,
			    uint64_t pos, uint64_t target, uint64_t *insn_addr)
{
	const cs_insn *i = walk_to(code, w, fn, pos);
	const cs_x86 *x;
	bool refers = false;
	int k;

	if (!w->fn || w->c.skipped)
		return GO_REF_OTHER;	/* not decoded, or out of step: assume the worst */
	if (!i)
		return GO_REF_NONE;
	/* a direct CALL or JMP, the most of them: its one operand is its target */
	if ((i->size == 5 && (i->bytes[0] == 0xe8 || i->bytes[0] == 0xe9)) ||
	    (i->size == 2 && i->bytes[0] == 0xeb)) {
		int64_t rel = i->size == 2 ? (int8_t)i->bytes[1] : (int32_t)le32(i->bytes + 1);

		if (i->address + i->size + (uint64_t)rel != target)
			return GO_REF_NONE;
		*insn_addr = i->address;
		if (i->bytes[0] == 0xe8)
			return GO_REF_CALL;
		return target == fn->entry ? GO_REF_NONE : GO_REF_JMP;	/* morestack */
	}
	i = walk_detail(code, w, i);
	if (!i)
		return GO_REF_OTHER;
	x = &i->detail->x86;
	for (k = 0; k < x->op_count; k++)
		refers |= operand_refers(i, &x->operands[k], target);
	if (!refers)
		return GO_REF_NONE;
	*insn_addr = i->address;
	return GO_REF_OTHER;
}

/* The RSP family: an instruction that writes any of them moves the stack pointer. */
static bool reg_is_sp(uint16_t reg)
{
	return reg == X86_REG_RSP || reg == X86_REG_ESP || reg == X86_REG_SP || reg == X86_REG_SPL;
}

static bool reg_is_r14(uint16_t reg)
{
	return reg == X86_REG_R14 || reg == X86_REG_R14D || reg == X86_REG_R14W ||
	       reg == X86_REG_R14B;
}

/* Does i write a register that is() accepts? Unknown counts as yes. */
static bool insn_writes(const struct go_code *code, const cs_insn *i, bool (*is)(uint16_t))
{
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0, k;

	if (cs_regs_access(insn_handle(code, false), i, rd, &nrd, wr, &nwr) != CS_ERR_OK)
		return true;
	for (k = 0; k < nwr; k++)
		if (is(wr[k]))
			return true;
	return false;
}

/* x86's number of a general register (0-15: RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15),
 * whichever part of it reg names; -1 for any other register. */
static int gpr_num(uint16_t reg)
{
	static const uint16_t regs[16][4] = {
		{ X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL },
		{ X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL },
		{ X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL },
		{ X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL },
		{ X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL },
		{ X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL },
		{ X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL },
		{ X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL },
		{ X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B },
		{ X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B },
		{ X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B },
		{ X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B },
		{ X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B },
		{ X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B },
		{ X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B },
		{ X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B },
	};
	int n, k;

	if (reg == X86_REG_AH || reg == X86_REG_CH || reg == X86_REG_DH || reg == X86_REG_BH)
		return reg == X86_REG_AH ? 0 : reg == X86_REG_CH ? 1 : reg == X86_REG_DH ? 2 : 3;
	for (n = 0; n < 16; n++)
		for (k = 0; k < 4; k++)
			if (regs[n][k] == reg)
				return n;
	return -1;
}

/* x86's number (gpr_num) of the argument register of each code (regs.h's GO_ARG_REGS). */
enum { GPR_ax, GPR_cx, GPR_dx, GPR_bx, GPR_sp, GPR_bp, GPR_si, GPR_di, GPR_r8, GPR_r9, GPR_r10,
       GPR_r11 };
#define GPR_OF(name) GPR_##name,
static const int8_t code_gpr[GO_NARG_REGS] = { GO_ARG_REGS(GPR_OF) };
#undef GPR_OF

/* The code of the argument register of x86 number n (gpr_num), or -1. */
static int gpr_code(int n)
{
	int code;

	for (code = 0; n >= 0 && code < GO_NARG_REGS; code++)
		if (code_gpr[code] == n)
			return code;
	return -1;
}

/* The argument registers i writes, a bit per code; all when the decoder cannot say. */
static uint32_t insn_codes_written(const struct go_code *code, const cs_insn *i)
{
	cs_regs rd, wr;
	uint8_t nrd = 0, nwr = 0, k;
	uint32_t mask = 0;
	int arg;

	if (cs_regs_access(insn_handle(code, false), i, rd, &nrd, wr, &nwr) != CS_ERR_OK)
		return UINT32_MAX;
	for (k = 0; k < nwr; k++)
		if ((arg = gpr_code(gpr_num(wr[k]))) >= 0)
			mask |= 1u << arg;
	return mask;
}

/* LEA reg64, [RIP+disp32]: reg's number; -1 for any other instruction. */
static int insn_lea_rip(const cs_insn *i)
{
	const cs_x86 *x = &i->detail->x86;

	if (!insn_is(i, X86_INS_LEA) || x->op_count != 2 || x->operands[0].type != X86_OP_REG ||
	    x->operands[0].size != 8 || x->operands[1].type != X86_OP_MEM ||
	    x->operands[1].mem.base != X86_REG_RIP || x->operands[1].mem.index != X86_REG_INVALID)
		return -1;
	return gpr_num(x->operands[0].reg);
}

static enum go_insn_kind insn_kind(const cs_insn *i, uint64_t *target)
{
	const uint8_t *p = i->bytes;
	size_t n = 0;

	while (n + 1 < i->size && (p[n] == 0x66 || p[n] == 0xf2 || p[n] == 0xf3))
		n++;
	if (insn_is(i, X86_INS_CALL))
		return p[0] == 0xe8 && insn_target(i, target) ? GO_INSN_CALL : GO_INSN_ICALL;
	if (insn_is(i, X86_INS_JMP))
		return (p[0] == 0xe9 || p[0] == 0xeb) && insn_target(i, target) ? GO_INSN_JMP :
										   GO_INSN_IJMP;
	if (insn_is_jcc(i))
		return insn_target(i, target) ? GO_INSN_JCC : GO_INSN_OTHER;
	if (insn_is(i, X86_INS_RET) || insn_is(i, X86_INS_UD2) || insn_is(i, X86_INS_INT3) ||
	    insn_is(i, X86_INS_HLT) || insn_is(i, X86_INS_INT) || insn_is(i, X86_INS_IRETQ))
		return GO_INSN_END;
	if (insn_is(i, X86_INS_PUSH) && (i->size == 1 || (i->size == 2 && p[0] == 0x41)) &&
	    (p[i->size - 1] & 0xf8) == 0x50)
		return GO_INSN_PUSH;	/* push_setup_xol_ops: 50+r, or 41 50+r */
	if (p[n] == 0x90 && n + 1 == i->size && !(n && p[0] == 0xf3))
		return GO_INSN_NOP;	/* branch_setup_xol_ops: prefixes + 0x90 (PAUSE aside) */
	return GO_INSN_OTHER;
}

/* MOV of a register to a register, or a NOP (go_insn.filler). */
static bool insn_filler(const cs_insn *i)
{
	const cs_x86 *x = &i->detail->x86;

	if (insn_is(i, X86_INS_NOP))
		return true;
	return insn_is(i, X86_INS_MOV) && x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
	       x->operands[1].type == X86_OP_REG;
}

/* An address an operand names: an immediate, or a RIP-relative or absolute memory operand. */
static uint64_t insn_ref(const cs_insn *i)
{
	const cs_x86 *x = &i->detail->x86;
	int k;

	for (k = 0; k < x->op_count; k++) {
		const cs_x86_op *op = &x->operands[k];

		if (op->type == X86_OP_IMM)
			return (uint64_t)op->imm;
		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_RIP)
			return i->address + i->size + (uint64_t)op->mem.disp;
		if (op->type == X86_OP_MEM && op->mem.base == X86_REG_INVALID)
			return (uint64_t)op->mem.disp;
	}
	return 0;
}

int x86_decode(struct go_code *code, const struct go_func *fn, struct go_insn **insns, size_t *n)
{
	struct go_insn *v = NULL;
	size_t cap = 0;
	struct cursor c;
	int err;

	*insns = NULL;
	*n = 0;
	err = cursor_init(code, &c, fn->entry, fn->end);
	if (err)
		return err;
	while (cursor_next(code, &c) && !c.skipped) {
		struct go_insn *gi;
		uint64_t t = 0;

		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			gi = realloc(v, cap * sizeof(*v));
			if (!gi) {
				err = go_fail(ENOMEM, "out of memory");
				break;
			}
			v = gi;
		}
		gi = &v[(*n)++];
		gi->addr = c.insn->address;
		gi->size = (uint8_t)c.insn->size;
		gi->kind = (uint8_t)insn_kind(c.insn, &t);
		gi->ref = t ? t : insn_ref(c.insn);
		gi->writes_sp = insn_writes(code, c.insn, reg_is_sp);
		gi->writes_g = insn_writes(code, c.insn, reg_is_r14);
		gi->regs_written = insn_codes_written(code, c.insn);
		gi->lea_reg = (int8_t)gpr_code(insn_lea_rip(c.insn));
		gi->stepped = c.insn->bytes[0] == 0x66;	/* on a branch: not emulated */
		gi->filler = insn_filler(c.insn);
	}
	cs_free(c.insn, 1);
	if (!err && c.skipped)
		err = go_fail(ENOTSUP, "cannot decode all of %s", fn->name);
	if (err) {
		free(v);
		*n = 0;
		return err;
	}
	*insns = v;
	return 0;
}
