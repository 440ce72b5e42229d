// SPDX-License-Identifier: Apache-2.0
/*
 * Whole Go stacks at a probe: what the walk (bpf/stackwalk.bpf.h) needs to know of a binary, and
 * where the traced function's caller is. The walk records the probed pc, then follows frame
 * pointers. At a function's entry, before PUSH RBP; MOV RSP, RBP have run, RBP is still the
 * caller's: the walk goes on with the caller's caller, and the caller itself, whose return
 * address is at SP (higher once the prologue has pushed), is missing; the walk records that
 * word too. Probes on a CALL that enters the traced function see the caller's own frame
 * complete: the caller is the walk's first frame.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/bpf/stackwalk.h"
#include "binary/binary_priv.h"
#include "plan/plan.h"

enum go_probe_kind go_binary__probe_kind(struct go_binary *b, const struct go_func *fn,
					 uint64_t pc)
{
	struct go_branch br;
	uint64_t site;
	const uint8_t *p;
	size_t len;

	/* a recursive function's own CALLs of itself are call sites inside it */
	if (pc == fn->entry || (!go_binary__entry_site(b, fn, &site, NULL) && pc == site))
		return GO_PROBE_ENTRY;
	p = gobin_insn_bytes(b, pc, &len);
	if (p && b->arch->branch(p, len, pc, &br))
		return br.kind == GO_BRANCH_CALL ? GO_PROBE_CALL : GO_PROBE_JMP;
	return GO_PROBE_ENTRY;
}

int go_binary__entry_frame(struct go_binary *b, const struct go_lines *lines,
			   const struct go_func *fn, uint64_t site, int *ra_off, bool *framed)
{
	size_t len = 0;
	const uint8_t *p = gobin_insn_bytes(b, site, &len);
	int32_t d = 0;
	int err;

	*ra_off = 0;
	*framed = false;
	if (site == fn->entry)
		return 0;
	err = go_lines__sp_delta(lines, site, &d);
	if (err)
		return err;
	if (d < 0 || d > 1 << 20 || !p)
		return go_fail(ENOEXEC, "cannot tell the frame of %s at +0x%llx", fn->name,
			       (unsigned long long)(site - fn->entry));
	*ra_off = d;
	/* past the frame pointer's instructions (the arch's sets_fp), the frame record is made */
	if (d > 0)
		*framed = !b->arch->sets_fp(p, len);
	return 0;
}

/* ---- cgo callbacks ------------------------------------------------------------------------ */

/*
 * The frame size rule at pc: the CFA (the caller's SP) is SP + spdelta, + 8 where CALL pushed
 * the return address (the arch's call_push).
 */
static void plan_add(struct go_unwind_plan *u, struct go_binary *b, const struct go_lines *l,
		     uint64_t pc, uint32_t kind)
{
	int32_t d = 0;
	size_t i;

	/* no size there, or (not in a runtime this size) no room: the walk says it stopped */
	if (go_lines__sp_delta(l, pc, &d) || d < 0 || d > 1 << 20 || u->n == GO_UNWIND_PLAN_MAX)
		return;
	for (i = 0; i < u->n; i++)
		if (u->pc[i] == pc)
			return;
	u->pc[u->n] = pc;
	u->cfa[u->n] = d + go_binary__arch(b)->call_push;
	u->kind[u->n] = kind;
	u->n++;
}

/* Rules for every pc of the function named name (a few bytes of assembly). */
static void plan_every_pc(struct go_unwind_plan *u, struct go_binary *b,
			  const struct go_lines *l, const char *name, uint32_t kind)
{
	const struct go_func *fn = go_binary__func_by_name(b, name);
	uint64_t pc;

	for (pc = fn ? fn->entry : 0; fn && fn->end - fn->entry <= 64 && pc < fn->end;
	     pc += go_binary__arch(b)->pc_quantum)
		plan_add(u, b, l, pc, kind);
}

/* Rules for the return address of every CALL in the function named name. */
static void plan_return_addresses(struct go_unwind_plan *u, struct go_binary *b,
				  const struct go_lines *l, const char *name, uint32_t kind)
{
	const struct go_func *fn = go_binary__func_by_name(b, name);
	struct go_insn *in = NULL;
	size_t n = 0, i;

	if (!fn || go_binary__decode(b, fn, &in, &n))
		return;
	for (i = 0; i < n; i++)
		if (in[i].kind == GO_INSN_CALL || in[i].kind == GO_INSN_ICALL)
			plan_add(u, b, l, in[i].addr + in[i].size, kind);
	free(in);
}

/* Whether the function holding link-time addr is named name (its ABI wrappers too). */
static bool named(const struct go_lines *l, uint64_t addr, const char *name)
{
	struct go_frame fr[16];
	int n = go_lines__frames(l, addr, false, fr, 16);

	return n > 0 && !strcmp(fr[n - 1].func, name);
}

/*
 * The size of the frame of the function at entry once made (its ABI wrapper's: a few
 * instructions, which the function table may not hold): the largest distance of its SP below
 * its entry SP over its first 64 bytes.
 */
static int frame_size(struct go_binary *b, const struct go_lines *l, uint64_t entry, int32_t *d)
{
	struct go_frame fr[16];
	int32_t at;
	uint64_t pc;
	int n;

	*d = -1;
	for (pc = entry; pc < entry + 64; pc += go_binary__arch(b)->pc_quantum) {
		n = go_lines__frames(l, pc, false, fr, 16);
		if (n <= 0 || fr[n - 1].entry != entry || go_lines__sp_delta(l, pc, &at))
			break;
		if (at > *d)
			*d = at;
	}
	return *d > 0 && *d < 1 << 20 ? 0 : -ENOENT;
}

/*
 * runtime.cgocallback (asm_amd64.s, asm_arm64.s) calls runtime.cgocallbackg through a register
 * loaded with its address (amd64: LEAQ or MOVQ $, then CALL AX; a direct CALL before Go 1.17;
 * arm64: ADRP and ADD, then BLR): where that call returns, and where cgocallback's own return
 * address is from the frame record of the function it called (struct go_unwind_cb's ra).
 */
static void plan_callback(struct go_unwind_plan *u, struct go_binary *b,
			  const struct go_lines *l)
{
	const struct go_func *fn = go_binary__func_by_name(b, "runtime.cgocallback");
	int push = go_binary__arch(b)->call_push;
	struct go_insn *in = NULL;
	size_t n = 0, i;
	int32_t d, callee;

	if (!fn || go_binary__decode(b, fn, &in, &n))
		return;
	for (i = 0; i < n; i++) {
		uint64_t ra = in[i].addr + in[i].size;
		uint64_t to = in[i].kind == GO_INSN_CALL ? in[i].ref :
			      in[i].kind == GO_INSN_ICALL && i ? in[i - 1].ref : 0;

		if (!to || !named(l, to, "runtime.cgocallbackg"))
			continue;
		if (go_lines__sp_delta(l, ra, &d) || d < 0 || d >= 1 << 20)
			break;
		if (push) {	/* the callee's record, then its return address: its CFA */
			u->cb_ra = 2 * push + d;
		} else if (!frame_size(b, l, to, &callee)) {	/* the callee's SP is record + 8 */
			u->cb_ra = 8 + callee;
		} else {
			break;
		}
		u->cb_pc = ra;
		u->cb_cfa = d + push;
		break;
	}
	free(in);
}

/*
 * Below cgocallback's frame on the goroutine's stack: the pc the goroutine stopped at to call
 * C, where asmcgocall saved it (runtime.systemstack_switch's, made to look called; before Go
 * 1.17, a return address in asmcgocall), then cgocall's call of asmcgocall, whose frame has its
 * frame pointer saved; or, on a thread that C started, runtime.goexit's.
 */
void go_binary__unwind_plan(struct go_binary *b, const struct go_lines *l,
			    struct go_unwind_plan *u)
{
	memset(u, 0, sizeof(*u));
	if (go_binary__toolchain(b) != GO_GC || !l)
		return;
	plan_callback(u, b, l);
	if (!u->cb_pc)
		return;
	plan_every_pc(u, b, l, "runtime.systemstack_switch", GO_UNWIND_STEP);
	plan_return_addresses(u, b, l, "runtime.asmcgocall", GO_UNWIND_STEP);
	plan_return_addresses(u, b, l, "runtime.cgocall", GO_UNWIND_FRAMED);
	plan_every_pc(u, b, l, "runtime.goexit", GO_UNWIND_TOP);
}
