// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz the runtime type names (gotype.c): a binary's type data, asked about addresses across it,
 * as an interface's type word from a traced process may name any of them; and the generic
 * functions' instantiations (generics.c), named from the binary's dictionaries and types.
 */
#include "fuzz.h"

static void ask(struct go_types *types, uint64_t addr)
{
	struct go_tfield f;
	uint64_t w;
	char buf[128];
	uint64_t parts[8];
	int i, n;

	if (!go_types__name(types, addr, buf, sizeof(buf)) && strlen(buf) >= sizeof(buf))
		abort();
	(void)go_types__kind(types, addr);
	(void)go_types__size(types, addr, &w);
	(void)go_types__elem(types, addr, &w);
	if (!go_types__pkgpath(types, addr, buf, sizeof(buf)) && strlen(buf) >= sizeof(buf))
		abort();
	(void)go_types__has_method(types, addr, "Error");
	for (i = 0; i < 4 && i < go_types__nfields(types, addr); i++)
		if (!go_types__field(types, addr, (size_t)i, &f) && strlen(f.name) >= sizeof(f.name))
			abort();
	(void)go_types__plausible(types, addr);
	n = go_types__parts(types, addr, parts, 8);
	if (n > 8)
		abort();
}

static void instances(struct go_binary *bin)
{
	const struct go_inst *in;
	size_t n, i;

	if (go_binary__instances(bin, NULL, &in, &n))
		return;
	for (i = 0; i < n; i++) {
		if (!in[i].name || !in[i].body || !in[i].how || in[i].reg < 0)
			abort();
		(void)go_inst__at_site(bin, &in[i], in[i].body->entry + 1);
		(void)go_binary__dict_word(bin, in[i].body);
		(void)go_binary__dict_param(bin, in[i].body);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_binary *bin = fuzz_open_binary(data, size);
	struct go_types *types;
	uint64_t lo, hi, a, step;
	char buf[128];
	size_t i;

	if (!bin)
		return 0;
	instances(bin);
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
	(void)go_types__errno_text(types, 2, buf, sizeof(buf));
	go_types__close(types);
	go_binary__close(bin);
	return 0;
}
