// SPDX-License-Identifier: Apache-2.0
/*
 * Go's calling conventions, as locations of integer-class words, on any arch (its registers
 * from struct go_arch).
 *
 * Register ABI (ABIInternal): arguments and results in the arch's regabi_ints; words that do
 * not fit go on the stack above the return address, in order. ABI0 (assembly, and Go before
 * the register ABI): every argument on the stack above the return address, results after the
 * arguments. The C ABI (gccgo): its argument registers, then the stack; results in its result
 * registers.
 */
#include <errno.h>
#include <string.h>

#include "arch/arch.h"
#include "base/base.h"

#define MAX_WORDS 64

static void loc_reg(const struct go_arch *arch, struct go_loc *loc, const char *reg)
{
	loc->kind = GO_LOC_REG;
	loc->reg = reg;
	loc->code = go_arch__reg_code(arch, reg);
	loc->sp_off = 0;
}

static void loc_stack(struct go_loc *loc, int64_t off)
{
	loc->kind = GO_LOC_STACK;
	loc->reg = NULL;
	loc->code = -1;
	loc->sp_off = off;
}

int go_abi__int_regs(const struct go_arch *arch, enum go_abi abi, bool results)
{
	switch (abi) {
	case GO_ABI_INTERNAL:
		return arch->nregabi_ints;
	case GO_ABI_SYSV:
		return results ? arch->nc_rets : arch->nc_args;
	case GO_ABI0:
		return 0;
	}
	return 0;
}

int go_abi__float_regs(const struct go_arch *arch, enum go_abi abi)
{
	/* gccgo's floats are counted alike: a bound the assignment of integer words needs */
	return abi == GO_ABI0 ? 0 : arch->nregabi_floats;
}

int go_abi__arg(const struct go_arch *arch, enum go_abi abi, int n, struct go_loc *loc)
{
	int nregs = go_abi__int_regs(arch, abi, false);

	if (n < 1 || n > MAX_WORDS)
		return go_fail(EINVAL, "argument %d is out of range (1-%d)", n, MAX_WORDS);
	switch (abi) {
	case GO_ABI_INTERNAL:
	case GO_ABI_SYSV:
		if (n <= nregs)
			loc_reg(arch, loc, abi == GO_ABI_SYSV ? arch->c_args[n - 1] :
				arch->regabi_ints[n - 1]);
		else
			loc_stack(loc, arch->ptr_size * (n - nregs));
		return 0;
	case GO_ABI0:
		loc_stack(loc, arch->ptr_size * n);
		return 0;
	}
	return go_fail(EINVAL, "unknown ABI");
}

int go_abi__ret(const struct go_arch *arch, enum go_abi abi, int n, int args_size,
		struct go_loc *loc)
{
	int nregs = go_abi__int_regs(arch, abi, true);

	if (n < 1 || n > MAX_WORDS)
		return go_fail(EINVAL, "result %d is out of range (1-%d)", n, MAX_WORDS);
	switch (abi) {
	case GO_ABI_INTERNAL:
		if (n > nregs)
			return go_fail(EINVAL, "result %d of a register-ABI function is on the stack "
				       "and cannot be read at its RET", n);
		loc_reg(arch, loc, arch->regabi_ints[n - 1]);
		return 0;
	case GO_ABI_SYSV:
		if (n > nregs)
			return go_fail(EINVAL, "a System V function returns at most %d words", nregs);
		loc_reg(arch, loc, arch->c_rets[n - 1]);
		return 0;
	case GO_ABI0:
		if (args_size < 0)
			return go_fail(EINVAL, "the argument size of this ABI0 function is unknown");
		loc_stack(loc, arch->ptr_size + args_size + arch->ptr_size * (n - 1));
		return 0;
	}
	return go_fail(EINVAL, "unknown ABI");
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

int go_abi__reg_word(const struct go_arch *arch, int code)
{
	const char *reg = go_arch__reg_name(arch, code);
	int i;

	for (i = 0; i < arch->nregabi_ints; i++)
		if (!strcmp(arch->regabi_ints[i], reg))
			return i + 1;
	return 0;
}
