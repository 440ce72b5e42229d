// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz the opening of a Go binary: ELF headers and segments, the build info, the pclntab of every
 * generation (or gccgo's .symtab), the function table's lookups, and the moduledata that
 * go_types__open() finds.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_binary *bin = fuzz_open_binary(data, size);
	struct go_types *types;
	size_t i, n, step;
	struct go_labels_layout labels;
	uint64_t site;
	char buf[256], **reasons;
	int nreasons;

	if (!bin)
		return 0;
	(void)go_binary__version(bin);
	(void)go_binary__module(bin);
	(void)go_binary__labels_layout(bin, &labels);
	(void)go_binary__waitreason_offset(bin);
	nreasons = go_binary__wait_reasons(bin, &reasons);
	if (nreasons > 0)
		go_wait_reasons__free(reasons, nreasons);
	(void)go_binary__goexit_site(bin, &site, NULL);
	n = go_binary__func_cnt(bin);
	step = fuzz_step(n, 512);
	for (i = 0; i < n; i += step) {
		const struct go_func *fn = go_binary__func(bin, i);

		if (fn->end < fn->entry)
			abort();	/* no function ends before it starts */

		/* every function is found by its own name (a linear search: a few) */
		if (i < 16 * step && !go_binary__func_by_name(bin, fn->name))
			abort();
		(void)go_binary__func_at(bin, fn->entry);
		(void)go_binary__func_at(bin, fn->end - 1);
		(void)go_binary__file_offset(bin, fn->entry);
		go_binary__symbolize(bin, fn->entry + 1, buf, sizeof(buf));
	}
	types = go_types__open(bin);
	if (types) {
		uint64_t lo, hi;

		go_types__range(types, &lo, &hi);
		go_types__close(types);
	}
	go_binary__close(bin);
	return 0;
}
