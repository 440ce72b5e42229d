// SPDX-License-Identifier: Apache-2.0
/* Fuzz what is read from DWARF: the runtime's layouts, parameters, interface parameters. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_binary *bin = fuzz_open_binary(data, size);
	struct go_layout dw;
	size_t i, n, step;

	if (!bin)
		return 0;
	(void)go_binary__goid_offset(bin);
	(void)go_binary__layout_dwarf(bin, &dw);
	n = go_binary__func_cnt(bin);
	step = fuzz_step(n, 64);
	for (i = 0; i < n; i += step) {
		const struct go_func *fn = go_binary__func(bin, i);
		struct go_iface_param *ip;
		struct go_param *ps;
		size_t cnt, j;

		if (!go_binary__params(bin, fn, &ps, &cnt)) {
			for (j = 0; j < cnt; j++)
				if (!memchr(ps[j].name, 0, sizeof(ps[j].name)) ||
				    !memchr(ps[j].type, 0, sizeof(ps[j].type)))
					abort();
			free(ps);
		}
		if (!go_binary__iface_params(bin, fn, &ip, &cnt))
			free(ip);
		(void)go_binary__g_in_reg(bin, fn, false);
	}
	go_binary__close(bin);
	return 0;
}
