// SPDX-License-Identifier: Apache-2.0
/*
 * Go's calling conventions on amd64, as locations of integer-class words.
 *
 * Register ABI (Go >= 1.17, ABIInternal): arguments and results in RAX RBX RCX RDI RSI R8 R9
 * R10 R11; words that do not fit go on the stack above the return address, in order. ABI0
 * (assembly, Go < 1.17): every argument on the stack above the return address, results after
 * the arguments. System V (gccgo): RDI RSI RDX RCX R8 R9, then the stack; results in RAX, RDX.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "probe/bpf/iface.h"	/* GO_ARG_REGS: the registers' codes in the BPF programs */
#include "binary/binary.h"

static const char *const regabi_regs[] = { "ax", "bx", "cx", "di", "si", "r8", "r9", "r10", "r11" };
static const char *const sysv_args[] = { "di", "si", "dx", "cx", "r8", "r9" };
static const char *const sysv_rets[] = { "ax", "dx" };

#define NREGS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define MAX_WORDS 64

static void loc_reg(struct go_loc *loc, const char *reg)
{
	loc->kind = GO_LOC_REG;
	loc->reg = reg;
	loc->sp_off = 0;
}

static void loc_stack(struct go_loc *loc, int64_t off)
{
	loc->kind = GO_LOC_STACK;
	loc->reg = NULL;
	loc->sp_off = off;
}

int go_abi__arg(enum go_abi abi, int n, struct go_loc *loc)
{
	if (n < 1 || n > MAX_WORDS)
		return go_fail(EINVAL, "argument %d is out of range (1-%d)", n, MAX_WORDS);
	switch (abi) {
	case GO_ABI_INTERNAL:
		if (n <= NREGS(regabi_regs))
			loc_reg(loc, regabi_regs[n - 1]);
		else
			loc_stack(loc, 8 * (n - NREGS(regabi_regs)));
		return 0;
	case GO_ABI_SYSV:
		if (n <= NREGS(sysv_args))
			loc_reg(loc, sysv_args[n - 1]);
		else
			loc_stack(loc, 8 * (n - NREGS(sysv_args)));
		return 0;
	case GO_ABI0:
		loc_stack(loc, 8 * n);
		return 0;
	}
	return go_fail(EINVAL, "unknown ABI");
}

int go_abi__ret(enum go_abi abi, int n, int args_size, struct go_loc *loc)
{
	if (n < 1 || n > MAX_WORDS)
		return go_fail(EINVAL, "result %d is out of range (1-%d)", n, MAX_WORDS);
	switch (abi) {
	case GO_ABI_INTERNAL:
		if (n > NREGS(regabi_regs))
			return go_fail(EINVAL, "result %d of a register-ABI function is on the stack "
				       "and cannot be read at its RET", n);
		loc_reg(loc, regabi_regs[n - 1]);
		return 0;
	case GO_ABI_SYSV:
		if (n > NREGS(sysv_rets))
			return go_fail(EINVAL, "a System V function returns at most %d words",
				       NREGS(sysv_rets));
		loc_reg(loc, sysv_rets[n - 1]);
		return 0;
	case GO_ABI0:
		if (args_size < 0)
			return go_fail(EINVAL, "the argument size of this ABI0 function is unknown");
		loc_stack(loc, 8 + args_size + 8 * (n - 1));
		return 0;
	}
	return go_fail(EINVAL, "unknown ABI");
}

#define REG_NAME(name) #name,
static const char *const codes[GO_NARG_REGS] = { GO_ARG_REGS(REG_NAME) };
#undef REG_NAME

const char *go_abi__reg_name(int code)
{
	return code >= 0 && code < GO_NARG_REGS ? codes[code] : "?";
}

int go_abi__reg_code(const char *reg)
{
	int i;

	for (i = 0; i < GO_NARG_REGS; i++)
		if (!strcmp(codes[i], reg))
			return i;
	return -ENOENT;
}

const char *go_abi__name(enum go_abi abi)
{
	switch (abi) {
	case GO_ABI_INTERNAL:
		return "internal";
	case GO_ABI0:
		return "abi0";
	case GO_ABI_SYSV:
		return "sysv";
	}
	return "unknown";
}

bool go_binary__g_in_r14(struct go_binary *bin, const struct go_func *fn, bool at_ret)
{
	/* the register ABI (Go 1.17+), and a goid offset the tools can use */
	if (go_binary__toolchain(bin) != GO_GC || go_binary__layout(bin)->regabi.val != 1 ||
	    go_binary__goid_offset(bin) < 0)
		return false;
	return !at_ret || !fn || fn->abi != GO_ABI0;
}

/* The registers an ABI passes arguments (or results) in, before the stack. */
static int abi_regs(enum go_abi abi, bool results)
{
	switch (abi) {
	case GO_ABI_INTERNAL:
		return NREGS(regabi_regs);
	case GO_ABI_SYSV:
		return results ? NREGS(sysv_rets) : NREGS(sysv_args);
	case GO_ABI0:
		return 0;
	}
	return 0;
}

/* "goarg1-goarg3" for words from..to, "goarg1" for one. */
static void word_names(char *buf, size_t size, const char *what, int from, int to)
{
	if (from == to)
		snprintf(buf, size, "%s%d", what, from);
	else
		snprintf(buf, size, "%s%d-%s%d", what, from, what, to);
}

/* Past what fn passes, by the words DWARF counts: say where its words are. */
static int word_past(const struct go_func *fn, bool results, int n, const struct go_words *w,
		     int nregs)
{
	const char *what = results ? "goret" : "goarg";
	char regs[48] = "", stack[48] = "";

	if (!w->regs && !w->stack)
		return go_fail(EINVAL, "%s%d: %s %s no integer-class words (goargN and goretN "
			       "count those)", what, n, fn->name, results ? "returns" : "takes");
	if (w->regs)
		word_names(regs, sizeof(regs), what, 1, w->regs);
	if (w->stack)
		word_names(stack, sizeof(stack), what, nregs + 1, nregs + w->stack);
	return go_fail(EINVAL, "%s%d is not a word %s passes: %s in %s%s%s", what, n, fn->name,
		       results ? "its results are" : "its arguments are", regs,
		       w->regs && w->stack ? " and " : "", stack);
}

int go_binary__check_word(struct go_binary *bin, const struct go_func *fn, bool results, int n)
{
	int nregs = abi_regs(fn->abi, results), words;
	struct go_words w;
	char why[128];

	if (!go_binary__words(bin, fn, results, &w)) {
		if (n <= w.regs || (n > nregs && n - nregs <= w.stack))
			return 0;
		return word_past(fn, results, n, &w, nregs);
	}
	snprintf(why, sizeof(why), "%s", libgo_errmsg());
	/* the pclntab's argument size: all of an ABI0 frame's arguments and results, the
	 * register ABI's arguments (spill slots, floats' too): a bound, not a count */
	if (!results && fn->args >= 0) {
		/* a generic function's dictionary takes a word of it, and no goargN */
		bool dict = go_binary__dict_word(bin, fn) > 0;

		words = (fn->args + 7) / 8 - dict;
		if (n <= nregs ? n <= words : n - nregs <= words)
			return 0;
		return go_fail(EINVAL, "goarg%d is not a word %s passes: its arguments take %d "
			       "byte%s (the function table's argument size%s)", n, fn->name, fn->args,
			       fn->args == 1 ? "" : "s", dict ? ", its dictionary's word included" : "");
	}
	go_fail(ENOENT, "%s%d: nothing says how many %s %s %s (%s): it is read where the ABI "
		"would put it, whatever that holds", results ? "goret" : "goarg", n,
		results ? "results" : "arguments", fn->name, results ? "returns" : "takes", why);
	return 1;
}
