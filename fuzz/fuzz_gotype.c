// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz the runtime type names (gotype.c): a binary's type data, asked about addresses across it,
 * as an interface's type word from a traced process may name any of them.
 */
#include "fuzz.h"

static void ask(const struct go_types *types, uint64_t addr)
{
	char buf[128];

	if (!go_types__name(types, addr, buf, sizeof(buf)) && strlen(buf) >= sizeof(buf))
		abort();
	(void)go_types__kind(types, addr);
	(void)go_types__leading_string(types, addr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_binary *bin = fuzz_open_binary(data, size);
	struct go_types *types;
	uint64_t lo, hi, a, step;
	size_t i;

	if (!bin)
		return 0;
	types = go_types__open(bin);
	if (!types) {
		go_binary__close(bin);
		return 0;
	}
	go_types__range(types, &lo, &hi);
	if (hi > lo) {
		step = ((hi - lo) / 2048 + 7) & ~7ULL;
		for (a = lo; a < hi; a += step ? step : 8)
			ask(types, a);
	} else {
		/* gccgo: type descriptors are in the data; ask about the words of a data segment */
		for (i = 0; i < go_binary__func_cnt(bin) && i < 1024; i += 4)
			ask(types, go_binary__func(bin, i)->entry & ~7ULL);
	}
	ask(types, 0);
	ask(types, ~7ULL);
	go_types__close(types);
	go_binary__close(bin);
	return 0;
}
