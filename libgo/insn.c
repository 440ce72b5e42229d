// SPDX-License-Identifier: Apache-2.0
/*
 * Probe sites found by decoding x86-64 code with capstone.
 *
 * A gc-compiled Go function starts by comparing SP with the goroutine's stack guard; when the
 * stack must grow, it jumps to a block at its end that calls runtime.morestack and then jumps
 * back to the entry, running the prologue again. A probe at the entry would fire twice for such a
 * call, so the entry site is the instruction after the stack check's own conditional jump.
 * gccgo's split-stack prologue calls __morestack, which runs the body on a new stack and returns
 * through a RET in the prologue: that RET is not a return site.
 */
#include <capstone/capstone.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "gobin_priv.h"

#define PROLOGUE_INSNS 12	/* the stack check is within the first few instructions */
#define MORESTACK_INSNS 64	/* spill, call morestack, reload, jump back */

static int insn_open(struct go_binary *b)
{
	csh h;

	if (b->cs)
		return 0;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return go_fail(ENOMEM, "cannot start the x86 decoder");
	cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
	b->cs = (void *)(uintptr_t)(h + 1);	/* +1: a handle may be 0 */
	return 0;
}

static csh insn_handle(const struct go_binary *b)
{
	return (csh)(uintptr_t)b->cs - 1;
}

void gobin_insn_free(struct go_binary *b)
{
	csh h;

	if (!b->cs)
		return;
	h = insn_handle(b);
	cs_close(&h);
	b->cs = NULL;
}

/* A decoding cursor over one function. */
struct cursor {
	const uint8_t *code;
	size_t size;
	uint64_t addr;
	cs_insn *insn;
	bool skipped;		/* a byte did not decode: what follows may be out of step */
};

static int cursor_init(struct go_binary *b, struct cursor *c, uint64_t from, uint64_t end)
{
	int err = insn_open(b);

	if (err)
		return err;
	if (from >= end)
		return go_fail(EINVAL, "empty function at 0x%llx", (unsigned long long)from);
	c->code = gobin_bytes(b, from, end - from);
	if (!c->code)
		return go_fail(ERANGE, "code at 0x%llx is not in '%s'", (unsigned long long)from,
			       b->name);
	c->size = end - from;
	c->addr = from;
	c->skipped = false;
	c->insn = cs_malloc(insn_handle(b));
	return c->insn ? 0 : go_fail(ENOMEM, "out of memory");
}

/*
 * Decode the next instruction. A byte capstone cannot decode (capstone 4 does not know every
 * AVX-512 or GFNI instruction that Go's runtime uses) is stepped over and marks the cursor:
 * past it, instruction boundaries are guesses, and a probe must never go where an instruction
 * does not begin.
 */
static bool cursor_next(const struct go_binary *b, struct cursor *c)
{
	while (c->size) {
		if (cs_disasm_iter(insn_handle(b), &c->code, &c->size, &c->addr, c->insn))
			return true;
		c->code++;
		c->size--;
		c->addr++;
		c->skipped = true;
	}
	return false;
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

/*
 * The entry site: right after the conditional jump that follows the stack check's compare, or
 * after a later one in the prologue to the same morestack block (Go < 1.17 checks a huge frame
 * twice); the entry when there is no stack check.
 */
int go_binary__entry_site(struct go_binary *b, const struct go_func *fn, uint64_t *addr)
{
	struct gregs r = { 0 };
	struct cursor c;
	uint64_t morestack = 0, t;
	bool compared = false;
	int n, err;

	*addr = fn->entry;
	if (fn->abi == GO_ABI_SYSV)
		return 0;	/* split stacks never restart a gccgo function */
	if (fn->abi == GO_ABI_INTERNAL)
		r.g[0] = X86_REG_R14;
	err = cursor_init(b, &c, fn->entry, fn->end);
	if (err)
		return err;
	/* past an undecodable byte nothing is trusted: the entry itself is always an instruction */
	for (n = 0; n < PROLOGUE_INSNS && cursor_next(b, &c) && !c.skipped; n++) {
		bool jcc = insn_is_jcc(c.insn) && insn_target(c.insn, &t) && t > c.insn->address &&
			   t < fn->end;

		if (jcc && (compared || (morestack && t == morestack))) {
			morestack = t;
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
	return 0;
}

/*
 * gccgo's split-stack prologue: "cmp %fs:..,%rsp; jae body; ...; call __morestack; ret; body:".
 * Returns the body's address, or the entry when there is no such prologue.
 */
static uint64_t splitstack_body(struct go_binary *b, const struct go_func *fn)
{
	struct cursor c;
	uint64_t body = fn->entry, t;
	int n;

	if (cursor_init(b, &c, fn->entry, fn->end))
		return body;
	for (n = 0; n < PROLOGUE_INSNS && cursor_next(b, &c); n++) {
		if (insn_is_jcc(c.insn) && insn_target(c.insn, &t) && t > c.insn->address &&
		    t < fn->end) {
			body = t;
			break;
		}
		if (insn_is(c.insn, X86_INS_RET) || insn_is(c.insn, X86_INS_CALL))
			break;
	}
	cs_free(c.insn, 1);
	return body;
}

int go_binary__ret_sites(struct go_binary *b, const struct go_func *fn, uint64_t **addrs,
			 size_t *cnt)
{
	uint64_t skip_below = fn->abi == GO_ABI_SYSV ? splitstack_body(b, fn) : fn->entry;
	size_t cap = 0;
	struct cursor c;
	int err;

	*addrs = NULL;
	*cnt = 0;
	err = cursor_init(b, &c, fn->entry, fn->end);
	if (err)
		return err;
	while (cursor_next(b, &c)) {
		if (!insn_is(c.insn, X86_INS_RET) || c.insn->address < skip_below)
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

/*
 * Can the kernel's uprobes single-step the instruction at addr? Linux refuses (ENOTSUPP) an
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

bool go_binary__probeable(const struct go_binary *b, uint64_t addr)
{
	const uint8_t *p = gobin_bytes(b, addr, 16);
	size_t i = 0;

	if (!p)
		return false;
	for (; i < 15; i++) {
		if (p[i] == 0x26 || p[i] == 0x2e || p[i] == 0x36 || p[i] == 0x3e || p[i] == 0xf0)
			return false;
		if (p[i] != 0x66 && p[i] != 0x67 && p[i] != 0xf2 && p[i] != 0xf3 && p[i] != 0x64 &&
		    p[i] != 0x65)
			break;
	}
	if ((p[i] & 0xf0) == 0x40)	/* REX */
		i++;
	if (p[i] == 0x0f)
		return !opcode2_bad(p[i + 1]);
	return !opcode1_bad(p[i]);
}

bool gobin_calls(struct go_binary *b, const struct go_func *fn, uint64_t target)
{
	struct cursor c;
	bool found = false;
	int n;

	if (cursor_init(b, &c, fn->entry, fn->end))
		return false;
	for (n = 0; n < MORESTACK_INSNS && !found && cursor_next(b, &c); n++) {
		uint64_t t;

		if ((insn_is(c.insn, X86_INS_CALL) || insn_is(c.insn, X86_INS_JMP)) &&
		    insn_target(c.insn, &t) && t == target)
			found = true;
	}
	cs_free(c.insn, 1);
	return found;
}

/*
 * Does the kernel emulate the instruction at addr rather than single-step it? x86 uprobes
 * emulate direct calls and jumps, conditional jumps, NOPs and (since Linux 6.11) PUSH of a
 * register; everything else is copied out of line and single-stepped, which costs a trap.
 */
static bool kernel_emulates_push(void)
{
	static int known = -1;
	struct utsname u;
	int major = 0, minor = 0;

	if (known < 0)
		known = !uname(&u) && sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
			(major > 6 || (major == 6 && minor >= 11));
	return known;
}

bool gobin_emulated(const struct go_binary *b, uint64_t addr)
{
	const uint8_t *p = gobin_bytes(b, addr, 2);

	if (!p)
		return false;
	if ((p[0] >= 0x50 && p[0] <= 0x57) || (p[0] == 0x41 && p[1] >= 0x50 && p[1] <= 0x57))
		return kernel_emulates_push();	/* push of a register */
	if (p[0] == 0x0f)
		return (p[1] >= 0x80 && p[1] <= 0x8f) || p[1] == 0x1f;
	return (p[0] >= 0x70 && p[0] <= 0x7f) || p[0] == 0x90 || p[0] == 0xe8 || p[0] == 0xe9 ||
	       p[0] == 0xeb;
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

/* A decoding cursor kept across calls, for references found in address order. */
struct gobin_walk {
	const struct go_func *fn;
	struct cursor c;
	bool have;		/* c.insn holds the instruction at the cursor */
};

struct gobin_walk *gobin_walk_new(void)
{
	return calloc(1, sizeof(struct gobin_walk));
}

void gobin_walk_free(struct gobin_walk *w)
{
	if (w && w->fn)
		cs_free(w->c.insn, 1);
	free(w);
}

/* The instruction of fn that holds the byte at pos, decoding on from the last one. */
static const cs_insn *walk_to(struct go_binary *b, struct gobin_walk *w, const struct go_func *fn,
			      uint64_t pos)
{
	/* back to the start only when asked behind the cursor in step: once out of step every
	 * answer is "other" anyway, and restarting for each byte of a gap was quadratic */
	if (w->fn != fn || (w->have && w->c.insn->address > pos && !w->c.skipped)) {
		if (w->fn)
			cs_free(w->c.insn, 1);
		w->fn = NULL;
		w->have = false;
		if (cursor_init(b, &w->c, fn->entry, fn->end))
			return NULL;
		w->fn = fn;
	}
	while (!w->have || pos >= w->c.insn->address + w->c.insn->size) {
		w->have = cursor_next(b, &w->c);
		if (!w->have)
			return NULL;
	}
	return w->c.insn->address <= pos ? w->c.insn : NULL;
}

enum gobin_ref gobin_ref_at(struct go_binary *b, struct gobin_walk *w, const struct go_func *fn,
			    uint64_t pos, uint64_t target, uint64_t *insn_addr)
{
	const cs_insn *i = walk_to(b, w, fn, pos);
	const cs_x86 *x;
	bool refers = false;
	int k;

	if (!w->fn || w->c.skipped)
		return GOBIN_REF_OTHER;	/* not decoded, or out of step: assume the worst */
	if (!i)
		return GOBIN_REF_NONE;
	x = &i->detail->x86;
	for (k = 0; k < x->op_count; k++)
		refers |= operand_refers(i, &x->operands[k], target);
	if (!refers)
		return GOBIN_REF_NONE;
	*insn_addr = i->address;
	if (insn_is(i, X86_INS_CALL) && i->bytes[0] == 0xe8)
		return GOBIN_REF_CALL;
	if (insn_is(i, X86_INS_JMP) && (i->bytes[0] == 0xe9 || i->bytes[0] == 0xeb))
		return target == fn->entry ? GOBIN_REF_NONE : GOBIN_REF_JMP;	/* morestack */
	return GOBIN_REF_OTHER;
}
