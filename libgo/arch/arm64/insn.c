// SPDX-License-Identifier: Apache-2.0
/*
 * Probe sites in arm64 code: read from the instruction words (every one 4 bytes, aligned), and
 * decoded with capstone only where the registers an instruction writes are asked for.
 *
 * gc's arm64 prologue (cmd/internal/obj/arm64's stacksplit) loads the goroutine's stack guard
 * from g, which is R28 in every gc function, compares SP (or SP less the frame, or a copy of
 * SP) with it, and branches with B.LS to a block at the function's end that calls
 * runtime.morestack and then branches back to the entry, running the prologue again. A probe at
 * the entry would fire twice for such a call. The instruction after the B.LS stores the link
 * register (STR X30, [SP, #-frame]!), which the kernel single-steps; the B.LS it simulates.
 * So the entry site is the B.LS itself, with its condition: a probe there sees every pass
 * through the check, and a call enters when the branch is not taken (go_entered in
 * bpf/common.bpf.h), as at amd64's stack-check jump.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/arm64.h"
#include "arch/arm64/regs.h"
#include "arch/capstone.h"
#include "base/base.h"

#define PROLOGUE_INSNS 12	/* the stack check is within the first few instructions */
#define REG_G 28		/* R28: g */
#define REG_SP 31		/* SP, or XZR, by the instruction */

/* fn's instruction word at addr, or false when it is not in the binary. */
static bool word_at(const struct go_code *code, uint64_t addr, uint32_t *w)
{
	const uint8_t *p = addr % 4 ? NULL : code->bytes(code->ctx, addr, 4);

	if (p)
		*w = a64_word(p);
	return p != NULL;
}

static bool is_bl(uint32_t w) { return (w & 0xfc000000) == 0x94000000; }
static bool is_b(uint32_t w) { return (w & 0xfc000000) == 0x14000000; }
static bool is_bcond(uint32_t w) { return (w & 0xff000010) == 0x54000000; }
static bool is_ret(uint32_t w) { return (w & 0xfffffc1f) == 0xd65f0000; }
static bool is_adrp(uint32_t w) { return (w & 0x9f000000) == 0x90000000; }
static bool is_adr(uint32_t w) { return (w & 0x9f000000) == 0x10000000; }
static unsigned rd(uint32_t w) { return w & 0x1f; }
static unsigned rn(uint32_t w) { return (w >> 5) & 0x1f; }

/* Any branch, or RET: the prologue's scan ends there. */
static bool is_control(uint32_t w)
{
	uint64_t t;

	return a64_branch_target(w, 0, &t) || (w & 0xfffffc1f) == 0xd61f0000 ||
	       (w & 0xfffffc1f) == 0xd63f0000 || is_ret(w);
}

/* ADR's or ADRP's address, at pc. */
static uint64_t adr_value(uint32_t w, uint64_t pc)
{
	int64_t imm = (int64_t)(((w >> 5) & 0x7ffff) << 2 | ((w >> 29) & 3));

	if (imm & (1 << 20))
		imm -= 1 << 21;
	if (is_adrp(w))
		return (pc & ~(uint64_t)0xfff) + ((uint64_t)imm << 12);
	return pc + (uint64_t)imm;
}

/* ADD Xd, Xn, #imm (64-bit, either shift): its immediate; false for other instructions. */
static bool add_imm(uint32_t w, uint64_t *imm)
{
	if ((w & 0xff800000) != 0x91000000)
		return false;
	*imm = (uint64_t)((w >> 10) & 0xfff) << ((w >> 22) & 1 ? 12 : 0);
	return true;
}

/*
 * Does the instruction move SP: ADD or SUB (immediate, extended register) to SP, or a load or
 * store that writes back to an SP base (pre- or post-index, of one register or a pair)?
 */
static bool writes_sp(uint32_t w)
{
	if (((w & 0x1f000000) == 0x11000000 || (w & 0x1fe00000) == 0x0b200000) &&
	    !(w & 0x20000000))
		return rd(w) == REG_SP;
	if ((w & 0x3b200400) == 0x38000400 || (w & 0x3a800000) == 0x28800000)
		return rn(w) == REG_SP;
	return false;
}

/* LDR Xt, [X28, #16] or #24: g's stackguard0 or stackguard1 into Xt; -1 for others. */
static int guard_load(uint32_t w)
{
	unsigned off = ((w >> 10) & 0xfff) * 8;

	if ((w & 0xffc00000) != 0xf9400000 || rn(w) != REG_G || (off != 16 && off != 24))
		return -1;
	return (int)rd(w);
}

/* CMP of a register holding the guard with anything (shifted or extended register, or an
 * immediate: Go < 1.17's huge frames compare the guard with StackPreempt first). */
static bool is_stack_compare(uint32_t guards, uint32_t w)
{
	bool reg = (w & 0xff20001f) == 0xeb00001f || (w & 0xffe0001f) == 0xeb20001f;

	if (reg)
		return (guards >> rn(w) & 1) || (guards >> ((w >> 16) & 0x1f) & 1);
	return (w & 0xff80001f) == 0xf100001f && (guards >> rn(w) & 1);
}

/*
 * Is target runtime.morestack (or its _noctxt or C variant), or a stub no function table lists
 * that branches there within a few instructions?
 */
#define STUB_INSNS 4

static bool is_morestack(struct go_code *code, uint64_t target, bool stub)
{
	const struct go_func *fn = code->func_at(code->ctx, target);
	uint64_t t;
	uint32_t w;
	int n;

	if (fn)
		return fn->entry == target && !strncmp(fn->name, "runtime.morestack", 17);
	for (n = 0; !stub && n < STUB_INSNS && word_at(code, target + 4 * (uint64_t)n, &w); n++) {
		if (!is_control(w) && !writes_sp(w))
			continue;
		return is_b(w) && a64_branch_target(w, target + 4 * (uint64_t)n, &t) &&
		       is_morestack(code, t, true);
	}
	return false;
}

/*
 * Does a branch to target go to fn's morestack block: spills of the argument registers, MOV
 * X3, X30, BL runtime.morestack, reloads, B to fn's entry?
 */
#define MORESTACK_INSNS 64

static bool leads_to_morestack(struct go_code *code, const struct go_func *fn, uint64_t target)
{
	bool called = false;
	uint64_t at = target, t;
	uint32_t w;
	int n;

	for (n = 0; n < MORESTACK_INSNS && at < fn->end && word_at(code, at, &w); n++, at += 4) {
		if (!is_control(w) && !writes_sp(w))
			continue;	/* a spill or a reload */
		if (is_bl(w) && !called && a64_branch_target(w, at, &t) && is_morestack(code, t, false)) {
			called = true;
			continue;
		}
		return called && is_b(w) && a64_branch_target(w, at, &t) && t == fn->entry;
	}
	return false;
}

/*
 * The entry site: after the B.cond that follows the stack check's compare (or a later one in
 * the prologue to the same morestack block: huge frames check twice), or, where the kernel
 * would single-step the instruction after it (always, in gc's prologues), that branch itself,
 * its condition in *cond; the entry when there is no stack check. gccgo on arm64 has no split
 * stacks: its functions never restart.
 */
int a64_entry_site(struct go_code *code, const struct go_func *fn, uint64_t *addr, int *cond)
{
	uint64_t morestack = 0, check = 0, at = fn->entry, t;
	uint32_t guards = 0, w = 0;
	bool compared = false;
	int n, cc = -1, g;

	*addr = fn->entry;
	if (cond)
		*cond = -1;
	if (fn->abi == GO_ABI_SYSV)
		return 0;
	if (!word_at(code, fn->entry, &w))
		return go_fail(ERANGE, "code at 0x%llx is not in '%s'",
			       (unsigned long long)fn->entry, code->name);
	for (n = 0; n < PROLOGUE_INSNS && at < fn->end && word_at(code, at, &w); n++, at += 4) {
		bool jump = is_bcond(w) && a64_branch_target(w, at, &t) && t > at && t < fn->end;

		if (jump && (compared || (morestack && t == morestack))) {
			morestack = t;
			check = at;
			cc = (int)(w & 0xf);
			*addr = at + 4;
		}
		compared = !morestack && is_stack_compare(guards, w);
		if ((g = guard_load(w)) >= 0)
			guards |= 1u << g;
		if (is_control(w) && !is_bcond(w))
			break;
	}
	if (check && !(word_at(code, *addr, &w) && a64_simulated(w)) &&
	    leads_to_morestack(code, fn, morestack)) {
		*addr = check;
		if (cond)
			*cond = cc;
	}
	return 0;
}

int a64_split_ret(struct go_code *code, const struct go_func *fn, uint64_t *addr)
{
	(void)code;
	(void)fn;
	*addr = 0;
	return 0;
}

int a64_ret_sites(struct go_code *code, const struct go_func *fn, uint64_t **addrs, size_t *cnt)
{
	const uint8_t *p = code->bytes(code->ctx, fn->entry, fn->end - fn->entry);
	size_t cap = 0, i;

	*addrs = NULL;
	*cnt = 0;
	if (!p || fn->entry % 4)
		return go_fail(ERANGE, "code at 0x%llx is not in '%s'",
			       (unsigned long long)fn->entry, code->name);
	for (i = 0; i + 4 <= fn->end - fn->entry; i += 4) {
		if (!is_ret(a64_word(p + i)))
			continue;
		if (*cnt == cap) {
			uint64_t *a;

			cap = cap ? cap * 2 : 8;
			a = realloc(*addrs, cap * sizeof(*a));
			if (!a) {
				free(*addrs);
				*addrs = NULL;
				*cnt = 0;
				return go_fail(ENOMEM, "out of memory");
			}
			*addrs = a;
		}
		(*addrs)[(*cnt)++] = fn->entry + i;
	}
	return 0;
}

/* The address an ADRP and the ADD after it (of the same register) compute; 0 for none. */
static uint64_t adrp_add(const uint8_t *p, size_t left, uint64_t pc)
{
	uint32_t w = a64_word(p), next;
	uint64_t imm;

	if (is_adr(w))
		return adr_value(w, pc);
	if (!is_adrp(w) || left < 8)
		return 0;
	next = a64_word(p + 4);
	if (!add_imm(next, &imm) || rn(next) != rd(w))
		return 0;
	return adr_value(w, pc) + imm;
}

/*
 * Every aligned word: a direct branch's target, and the address an ADR, or an ADRP with the
 * ADD after it, computes (MOVD $fn(SB), R: gc's way to take a function's address).
 */
int a64_code_refs(const uint8_t *p, size_t len, size_t count, uint64_t vaddr, bool absolute,
		  const struct go_addr_bits *want, go_ref_hit_fn hit, void *ctx)
{
	size_t i = (4 - vaddr % 4) % 4;
	uint64_t t;
	int err;

	(void)absolute;		/* gc's arm64 code never holds a code address as an immediate */
	for (; i < count && i + 4 <= len; i += 4) {
		uint32_t w = a64_word(p + i);
		uint64_t at = vaddr + i;

		if (a64_branch_target(w, at, &t) && go_addr_bits__has(want, t) &&
		    (err = hit(ctx, at, t)))
			return err;
		if ((t = adrp_add(p + i, len - i, at)) && go_addr_bits__has(want, t) &&
		    (err = hit(ctx, at, t)))
			return err;
	}
	return 0;
}

/* Nothing to keep between references: every word decodes on its own. */
struct go_insn_walk {
	int unused;
};

struct go_insn_walk *a64_walk_new(void)
{
	return calloc(1, sizeof(struct go_insn_walk));
}

void a64_walk_free(struct go_insn_walk *w)
{
	free(w);
}

enum go_insn_ref a64_ref_at(struct go_code *code, struct go_insn_walk *w, const struct go_func *fn,
			    uint64_t pos, uint64_t target, uint64_t *insn_addr)
{
	const uint8_t *p = pos % 4 ? NULL : code->bytes(code->ctx, pos, 4);
	const uint8_t *two = p && pos + 8 <= fn->end ? code->bytes(code->ctx, pos, 8) : NULL;
	uint32_t word;
	uint64_t t;

	(void)w;
	if (!p)
		return pos % 4 ? GO_REF_NONE : GO_REF_OTHER;
	word = a64_word(p);
	if (a64_branch_target(word, pos, &t)) {
		if (t != target)
			return GO_REF_NONE;
		*insn_addr = pos;
		if (is_bl(word))
			return GO_REF_CALL;
		if (is_b(word))
			return target == fn->entry ? GO_REF_NONE : GO_REF_JMP;	/* morestack */
		return GO_REF_OTHER;
	}
	if (adrp_add(p, two ? 8 : 4, pos) != target)
		return GO_REF_NONE;
	*insn_addr = pos;
	return GO_REF_OTHER;
}

/* ---- Whole functions, with the registers each instruction writes --------------------------- */

static int insn_open(struct go_code *code)
{
	return go_cs__open(&code->decoder, CS_ARCH_ARM64, CS_MODE_ARM, true, "arm64");
}

void a64_code_free(struct go_code *code)
{
	go_cs__close(&code->decoder);
	go_cs__close(&code->decoder_lite);
}

/* The general register (0-30) capstone's reg names, as X or W; -1 for SP and any other. */
static int gpr_num(uint16_t reg)
{
	if (reg >= ARM64_REG_X0 && reg <= ARM64_REG_X28)
		return reg - ARM64_REG_X0;
	if (reg >= ARM64_REG_W0 && reg <= ARM64_REG_W30)
		return reg - ARM64_REG_W0;
	if (reg == ARM64_REG_X29)
		return 29;
	if (reg == ARM64_REG_X30)
		return 30;
	return -1;
}

/*
 * What capstone says i writes: the argument registers (a bit per code: X0-X15 are codes 0-15),
 * g, SP. capstone 4 lists SP among what CMP, CMN and TST write (they write XZR, register 31):
 * for those only the flags count.
 */
static void regs_of(csh h, const cs_insn *i, struct go_insn *gi)
{
	cs_regs rd_, wr;
	uint8_t nrd = 0, nwr = 0, k;
	bool compare = i->id == ARM64_INS_CMP || i->id == ARM64_INS_CMN || i->id == ARM64_INS_TST;

	if (cs_regs_access(h, i, rd_, &nrd, wr, &nwr) != CS_ERR_OK) {
		gi->regs_written = UINT32_MAX;
		gi->writes_sp = gi->writes_g = true;
		return;
	}
	for (k = 0; k < nwr; k++) {
		int n = gpr_num(wr[k]);

		if (n >= 0 && n < GO_NARG_REGS)
			gi->regs_written |= 1u << n;
		gi->writes_g |= n == REG_G;
		gi->writes_sp |= !compare && (wr[k] == ARM64_REG_SP || wr[k] == ARM64_REG_WSP);
	}
}

static enum go_insn_kind word_kind(uint32_t w, uint64_t pc, uint64_t *target)
{
	if (is_bl(w) || is_b(w)) {
		a64_branch_target(w, pc, target);
		return is_bl(w) ? GO_INSN_CALL : GO_INSN_JMP;
	}
	if (a64_branch_target(w, pc, target))
		return GO_INSN_JCC;		/* B.cond, CBZ, CBNZ, TBZ, TBNZ */
	if ((w & 0xfffffc1f) == 0xd63f0000)
		return GO_INSN_ICALL;		/* BLR */
	if ((w & 0xfffffc1f) == 0xd61f0000)
		return GO_INSN_IJMP;		/* BR */
	if (is_ret(w) || (w & 0xffe0001f) == 0xd4200000 || (w & 0xffff0000) == 0)
		return GO_INSN_END;		/* RET, BRK, UDF */
	if (w == 0xd503201f)
		return GO_INSN_NOP;
	return GO_INSN_OTHER;
}

/* MOV Xd, Xm (ORR Xd, XZR, Xm) or NOP: go_insn.filler. */
static bool word_filler(uint32_t w)
{
	return w == 0xd503201f || (w & 0x7fe0ffe0) == 0x2a0003e0;
}

int a64_decode(struct go_code *code, const struct go_func *fn, struct go_insn **insns, size_t *n)
{
	size_t cnt, i;
	struct go_insn *v;
	const uint8_t *p;
	cs_insn *ci;
	csh h;
	int err;

	*insns = NULL;
	*n = 0;
	if (fn->entry >= fn->end || fn->entry % 4)
		return go_fail(EINVAL, "empty function at 0x%llx", (unsigned long long)fn->entry);
	p = code->bytes(code->ctx, fn->entry, fn->end - fn->entry);
	if (!p)
		return go_fail(ERANGE, "code at 0x%llx is not in '%s'",
			       (unsigned long long)fn->entry, code->name);
	err = insn_open(code);
	if (err)
		return err;
	h = go_cs__handle(code->decoder);
	cnt = (fn->end - fn->entry) / 4;
	v = calloc(cnt ? cnt : 1, sizeof(*v));
	ci = cs_malloc(h);
	if (!v || !ci) {
		free(v);
		if (ci)
			cs_free(ci, 1);
		return go_fail(ENOMEM, "out of memory");
	}
	for (i = 0; i < cnt; i++) {
		struct go_insn *gi = &v[i];
		const uint8_t *q = p + 4 * i;
		uint64_t at = fn->entry + 4 * i, t = 0, a = at;
		uint32_t w = a64_word(q);
		size_t size = 4;

		gi->addr = at;
		gi->size = 4;
		gi->kind = (uint8_t)word_kind(w, at, &t);
		gi->filler = word_filler(w);
		if (cs_disasm_iter(h, &q, &size, &a, ci)) {
			regs_of(h, ci, gi);
		} else {	/* unknown to capstone: assume the worst */
			gi->regs_written = UINT32_MAX;
			gi->writes_sp = gi->writes_g = true;
		}
		gi->writes_sp |= writes_sp(w);
		/* an address computed: ADR, or the ADD of an ADRP's register right after it */
		if (!t && (is_adr(w) || (i && is_adrp(a64_word(p + 4 * (i - 1))))))
			t = adrp_add(is_adr(w) ? p + 4 * i : p + 4 * (i - 1), 8, is_adr(w) ? at : at - 4);
		gi->ref = t;
		gi->lea_reg = (int8_t)(t && !gi->kind && rd(w) < GO_NARG_REGS ? (int)rd(w) : -1);
	}
	cs_free(ci, 1);
	*insns = v;
	*n = cnt;
	return 0;
}
