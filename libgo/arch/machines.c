// SPDX-License-Identifier: Apache-2.0
/* The architectures libgo knows, by ELF machine (arch/arch.h): a new one is a line here. */
#include <stddef.h>

#include "arch/arm64/arm64.h"
#include "arch/x86_64/x86_64.h"

static const struct go_arch *const arches[] = {
	&go_arch_x86_64,
	&go_arch_arm64,
};

const struct go_arch *go_arch__host(void)
{
#if defined(__aarch64__)
	return &go_arch_arm64;
#else
	return &go_arch_x86_64;
#endif
}

const struct go_arch *go_arch__for_machine(int e_machine)
{
	size_t i;

	for (i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (arches[i]->machine == e_machine)
			return arches[i];
	return NULL;
}
