// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz the decoding of entry sites, RET sites and call sites (arch/x86_64, arch/arm64, calls.c,
 * unwind.c). An input that is an ELF file is opened as a binary and its functions decoded (a few
 * call-site scans, which decode the whole text); any other input is code: its first byte picks
 * the architecture (bit 7: arm64, else x86-64) and the ABI (the rest, modulo 3), the rest is the
 * text of one function (and of a second one starting half way in) of a binary made here, with
 * no ELF around it.
 */
#include "fuzz.h"

#include <gelf.h>

#include "binary/binary_priv.h"

#define CODE_ADDR 0x401000ULL

static void decode(struct go_binary *bin, const struct go_func *fn)
{
	uint64_t site, *rets;
	size_t cnt, j;

	if (!go_binary__entry_site(bin, fn, &site, NULL)) {
		if (site != fn->entry && (site < fn->entry || site >= fn->end))
			abort();	/* an entry site is inside its function */
		(void)go_binary__probeable(bin, site);
		(void)go_binary__stepped_at(bin, site - CODE_ADDR);
	}
	(void)go_binary__probe_kind(bin, fn, fn->entry + (fn->end - fn->entry) / 2);
	if (!go_binary__ret_sites(bin, fn, &rets, &cnt)) {
		for (j = 0; j < cnt; j++) {
			if (rets[j] < fn->entry || rets[j] >= fn->end)
				abort();
			(void)go_binary__probeable(bin, rets[j]);
		}
		free(rets);
	}
}

/* Every byte of fn asked whether it refers to target, in address order as calls.c asks. */
static void refs(struct go_binary *bin, const struct go_func *fn, uint64_t target)
{
	struct go_insn_walk *w = go_binary__walk_new(bin);
	uint64_t pos, at;

	if (!w)
		return;
	for (pos = fn->entry; pos < fn->end; pos++)
		(void)go_binary__ref_at(bin, w, fn, pos, target, &at);
	go_binary__walk_free(bin, w);
}

static int ref_hit(void *ctx, uint64_t pos, uint64_t target)
{
	(void)target;
	if (pos < CODE_ADDR || pos - CODE_ADDR >= *(size_t *)ctx)
		abort();	/* a reference begins inside the bytes asked about */
	return 0;
}

/* The byte scan for references to functions (calls.c's): any address near the code wanted. */
static void code_refs(const struct go_binary *bin, const uint8_t *code, size_t len)
{
	static uint8_t all[(4u << 20) / 8];
	const struct go_addr_bits want = { all, CODE_ADDR - (2u << 20), CODE_ADDR + (2u << 20) };

	if (!all[0])
		memset(all, 0xff, sizeof(all));
	(void)bin->arch->code_refs(code, len, len, CODE_ADDR, true, &want, ref_hit, &len);
	(void)bin->arch->code_refs(code, len, len, CODE_ADDR, false, &want, ref_hit, &len);
}

static void fuzz_code(const uint8_t *data, size_t size)
{
	bool a64 = data[0] & 0x80;
	struct go_binary bin = { .name = "fuzz", .path = "fuzz", .fd = -1, .tc = GO_GC,
				 .arch = go_arch__for_machine(a64 ? EM_AARCH64 : EM_X86_64) };
	struct go_func fns[2];
	/* a function of 64 KiB is already far larger than Go writes; more only slows the fuzzer */
	size_t code = size - 1 < 65536 ? size - 1 : 65536;
	size_t half = code / 2;

	if (a64) {	/* arm64 functions are whole words, word-aligned */
		code &= ~(size_t)3;
		half &= ~(size_t)3;
	}

	bin.map = data + 1;
	bin.size = code;
	bin.nsegs = 1;
	bin.segs[0] = (struct go_seg){ .vaddr = CODE_ADDR, .filesz = code, .off = 0, .exec = true };
	fns[0] = (struct go_func){ .name = "main.f", .entry = CODE_ADDR, .end = CODE_ADDR + code,
				   .abi = (data[0] & 0x7f) % 3, .args = -1 };
	fns[1] = fns[0];
	fns[1].name = "main.g";
	fns[1].entry = CODE_ADDR + half;
	bin.funcs = fns;
	bin.nfuncs = 2;
	gobin_release_load(&bin, NULL, 0);	/* every release fact unknown */
	bin.layout_done = true;
	decode(&bin, &fns[0]);
	if (fns[1].entry < fns[1].end)
		decode(&bin, &fns[1]);
	refs(&bin, &fns[0], fns[1].entry);
	code_refs(&bin, bin.map, code);
	for (int i = 0; i < bin.ncleanups; i++)	/* the decoder, as go_binary__close frees it */
		bin.cleanups[i].fn(&bin);
}

static void fuzz_binary(const uint8_t *data, size_t size)
{
	struct go_binary *bin = fuzz_open_binary(data, size);
	const struct go_func *some[4];
	struct go_call_sites cs[4];
	size_t i, n, step, k = 0;

	if (!bin)
		return;
	n = go_binary__func_cnt(bin);
	step = fuzz_step(n, 128);
	for (i = 0; i < n; i += step) {
		decode(bin, go_binary__func(bin, i));
		if (k < 4 && i % 3 == 0)
			some[k++] = go_binary__func(bin, i);
	}
	/* a call-site scan decodes the whole text: one input in eight */
	if (k && size % 8 == 0 && !go_binary__call_sites(bin, some, k, cs))
		go_call_sites__free(cs, k);
	go_binary__close(bin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 4 && !memcmp(data, ELFMAG, 4))
		fuzz_binary(data, size);
	else if (size >= 2)
		fuzz_code(data, size);
	return 0;
}
