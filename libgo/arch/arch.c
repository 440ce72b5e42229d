// SPDX-License-Identifier: Apache-2.0
/* Register names and the codes the BPF programs know them by, of any architecture (arch/arch.h). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "arch/arch.h"

const char *go_arch__reg_name(const struct go_arch *arch, int code)
{
	return code >= 0 && code < arch->nreg_codes ? arch->reg_codes[code] : "?";
}

int go_arch__reg_code(const struct go_arch *arch, const char *reg)
{
	int i;

	for (i = 0; i < arch->nreg_codes; i++)
		if (!strcmp(arch->reg_codes[i], reg))
			return i;
	return -ENOENT;
}
