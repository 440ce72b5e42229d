// SPDX-License-Identifier: Apache-2.0
/* Fuzz the pclntab's line tables: file:line, inline trees, the pcsp table, top frames. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_binary *bin = fuzz_open_binary(data, size);
	struct go_frame frames[16];
	struct go_lines *lines;
	size_t i, n, step;

	if (!bin)
		return 0;
	lines = go_lines__open(bin);
	if (!lines) {
		go_binary__close(bin);
		return 0;
	}
	n = go_binary__func_cnt(bin);
	step = fuzz_step(n, 256);
	for (i = 0; i < n; i += step) {
		const struct go_func *fn = go_binary__func(bin, i);
		uint64_t pcs[3] = { fn->entry, fn->entry + (fn->end - fn->entry) / 2, fn->end - 1 };
		int k, j, got;
		int32_t delta;

		for (k = 0; k < 3; k++) {
			got = go_lines__frames(lines, pcs[k], k == 1, frames, 16);
			for (j = 0; j < got; j++)
				if (!frames[j].func || !frames[j].file)
					abort();
			(void)go_lines__sp_delta(lines, pcs[k], &delta);
		}
		(void)go_lines__top_frame(lines, fn->entry);
	}
	go_lines__close(lines);
	go_binary__close(bin);
	return 0;
}
