// SPDX-License-Identifier: Apache-2.0
/* The architectures libgo knows, by ELF machine (arch/arch.h). */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"

static const struct go_arch *const arches[] = {
	&go_arch_x86_64,
};

const struct go_arch *go_arch__for_machine(int e_machine)
{
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->machine == e_machine)
			return arches[i];
	return NULL;
}

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
