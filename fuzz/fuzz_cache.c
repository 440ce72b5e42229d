// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz the readers of the tools' cache files (cache.c, bpfcache.c, calls.c): what a file
 * holds is checked before anything of it reaches the kernel or a probe. The input's first
 * byte picks the reader: a whole file's frame (magic, key, length, digest), a compiled BPF
 * program's image (every count, name and map index), or a binary's call sites (here of a
 * binary of three functions made in the harness, so that the entries can match).
 */
#include "fuzz.h"

#include <gelf.h>

#include "probe/probe_priv.h"
#include "base/cache_priv.h"
#include "binary/binary_priv.h"
#include "plan/sites.h"

static void fuzz_image(const uint8_t *data, size_t size)
{
	struct go_bpf_image *img = malloc(sizeof(*img));
	int i;

	if (!img)
		return;
	if (!go_bpf_image__parse(data, size, img)) {
		if (img->nmaps > GO_BPF_MAX_MAPS || img->nprogs > GO_BPF_MAX_PROGS ||
		    img->ndeps > GO_BPF_MAX_DEPS)
			abort();
		for (i = 0; i < img->nmaps; i++)
			if (!memchr(img->maps[i].name, 0, sizeof(img->maps[i].name)))
				abort();
		for (i = 0; i < img->nprogs; i++) {
			uint32_t k;

			/* a map reference names a map of the image */
			for (k = 0; k < img->progs[i].hdr.insn_cnt; k++) {
				const uint8_t *b = (const uint8_t *)&img->progs[i].insns[k];
				int32_t idx;

				if (b[0] != INSN_LD_IMM64)
					continue;
				memcpy(&idx, b + 4, 4);
				if ((b[1] >> 4) == PSEUDO_MAP_FD && (idx < 0 || idx >= img->nmaps))
					abort();
				k++;
			}
		}
		go_bpf_image__free(img);
	}
	free(img);
}

static void fuzz_calls(const uint8_t *data, size_t size)
{
	struct go_func fns[3] = {
		{ .name = "main.a", .entry = 0x401000, .end = 0x401040 },
		{ .name = "main.b", .entry = 0x401040, .end = 0x401080 },
		{ .name = "main.c", .entry = 0x401080, .end = 0x4010c0 },
	};
	struct go_binary bin = { .name = "fuzz", .fd = -1, .tc = GO_GC, .funcs = fns, .nfuncs = 3,
				 .arch = go_arch__for_machine(EM_X86_64) };
	struct go_call_sites all[3];
	size_t i, k;

	if (gobin_calls_parse(&bin, data, size, all))
		return;
	for (i = 0; i < 3; i++) {
		for (k = 0; all[i].usable && k < all[i].cnt; k++)	/* each site is in Go code */
			if (!go_binary__func_at(&bin, all[i].addrs[k]) ||
			    (all[i].sp_adj[k] != 0 && all[i].sp_adj[k] != 8))
				abort();
	}
	go_call_sites__free(all, 3);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *payload;
	size_t len;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		if (!go_cache__check(data + 1, size - 1, "GOBPF04", NULL, &payload, &len)) {
			if (payload < data + 1 || len > size - 1 || payload + len > data + size)
				abort();
			fuzz_image(payload, len);
		}
		break;
	case 1:
		fuzz_image(data + 1, size - 1);
		break;
	case 2:
		fuzz_calls(data + 1, size - 1);
		break;
	}
	return 0;
}
