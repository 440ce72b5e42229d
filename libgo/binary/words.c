// SPDX-License-Identifier: Apache-2.0
/*
 * What a probe at a function's sites can read: whether g is in the arch's register, and which
 * of its argument and result words (goargN, goretN) it passes, by its DWARF or its argument
 * size.
 */
#include <errno.h>
#include <stdio.h>

#include "binary/binary.h"
#include "binary/layout.h"

bool go_binary__g_in_reg(struct go_binary *bin, const struct go_func *fn, bool at_ret)
{
	const struct go_arch *arch = go_binary__arch(bin);

	/* the register ABI (Go 1.17+ on amd64; any release on arm64), and a goid offset the tools
	 * can use */
	if (go_binary__toolchain(bin) != GO_GC || go_binary__goid_offset(bin) < 0 ||
	    (!arch->g_always && go_binary__layout(bin)->regabi.val != 1))
		return false;
	return arch->g_always || !at_ret || !fn || fn->abi != GO_ABI0;
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
	int nregs = go_abi__int_regs(go_binary__arch(bin), fn->abi, results), words;
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
