// SPDX-License-Identifier: Apache-2.0
/*
 * Reading Go binaries: the function table from .gopclntab, which every gc binary keeps (stripped
 * and PIE ones too), laid out by its pclntab version (release.c), sorted by entry and looked up
 * by address and name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary_priv.h"

/* The header: magic, two zero bytes, the arch's pc quantum, 8-byte pointers. */
static bool pcln_magic_ok(const struct go_binary *b, const uint8_t *p, size_t size)
{
	uint32_t m;

	if (size < 64 || p[4] || p[5] || p[6] != b->arch->pc_quantum || p[7] != 8)
		return false;
	m = gobin_le32(p);
	return gobin_pcln_version(m) > 0;
}

const uint8_t *gobin_pcln_find(const struct go_binary *b, size_t *size, uint64_t *addr)
{
	static const char *names[] = { ".gopclntab", ".data.rel.ro.gopclntab" };
	const uint8_t *p;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = gobin_section_at(b, names[i], size, addr);
		if (p && pcln_magic_ok(b, p, *size))
			return p;
	}
	for (p = b->map; p + 64 <= b->map + b->size; p += 8) {
		if (p[1] != 0xff || p[2] != 0xff || p[3] != 0xff || !pcln_magic_ok(b, p, 64))
			continue;
		*size = b->map + b->size - p;
		*addr = gobin_offset_addr(b, p - b->map);
		if (*addr && gobin_le64(p + 8) > 0 && gobin_le64(p + 8) < (1u << 24))
			return p;
	}
	return NULL;
}

/*
 * Go 1.18+ stores function entries relative to the text start. Go 1.26 writes 0 for the header's
 * textStart, so the start comes from the module data's text field.
 */
static uint64_t pcln_text_start(const struct go_binary *b, const uint8_t *pcln)
{
	const struct go_layout *l = &b->layout;
	const uint8_t *w;

	if (l->hdr.text_start.val >= 0 && gobin_le64(pcln + l->hdr.text_start.val))
		return gobin_le64(pcln + l->hdr.text_start.val);
	if (!l->moduledata || l->md.text.val < 0 ||
	    !(w = gobin_bytes(b, l->moduledata + l->md.text.val, 8)))
		return 0;
	return gobin_le64(w);
}

int gobin_funcs_push(struct go_binary *b, const char *name, uint64_t entry, uint64_t end, int args,
		     enum go_abi abi)
{
	struct go_func *f;

	if (b->nfuncs == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct go_func *n = realloc(b->funcs, cap * sizeof(*n));

		if (!n)
			return go_fail(ENOMEM, "out of memory");
		b->funcs = n;
		b->cap = cap;
	}
	f = &b->funcs[b->nfuncs++];
	f->name = name;
	f->pcln_name = NULL;
	f->entry = entry;
	f->end = end;
	f->args = args;
	f->abi = abi;
	f->clone = NULL;
	return 0;
}

static bool in_bounds(size_t size, uint64_t off, size_t len)
{
	return off < size && len <= size - off;
}

/* A name inside the table, or NULL when it would run off its end. */
static const char *pcln_name(const uint8_t *tab, size_t size, uint64_t off)
{
	if (off >= size || !memchr(tab + off, 0, size - off))
		return NULL;
	return (const char *)tab + off;
}

/* Written in assembly (funcFlag_ASM, Go 1.18+): it keeps ABI0. */
static bool pcln_asm(const struct go_layout *l, const uint8_t *fn)
{
	return l->pcln_version >= 118 && l->func.flag.val >= 0 &&
	       (fn[l->func.flag.val] & GO_FUNC_FLAG_ASM);
}

/* The function table's offset, and the names' (*nameoff), in the pclntab. */
static uint64_t pcln_ftab(const struct go_layout *l, const uint8_t *p, uint64_t *nameoff)
{
	if (l->pcln_version == 112) {	/* Go 1.2-1.15: names count from the table's start */
		*nameoff = 0;
		return 16;
	}
	*nameoff = gobin_le64(p + l->hdr.funcname.val);
	return gobin_le64(p + l->hdr.pcln.val);
}

static int pcln_parse(struct go_binary *b, const uint8_t *p, size_t size)
{
	const struct go_layout *l = &b->layout;
	uint64_t nfunc = gobin_le64(p + l->hdr.nfunc.val), i, text = 0, nameoff, pclnoff;
	size_t entsz = l->hdr.ftab_entry.val;
	enum go_abi abi = l->regabi.val ? GO_ABI_INTERNAL : GO_ABI0;	/* unknown: as 1.17+ */
	int err;

	pclnoff = pcln_ftab(l, p, &nameoff);
	if (entsz == 8) {	/* 1.18+: entries count from the text start */
		text = pcln_text_start(b, p);
		if (!text)
			return go_fail(ENOEXEC, "cannot find the text start of '%s'", b->name);
		b->text_start = text;
	}
	/* nfunc + 1 entries, counted without overflow: a huge nfunc must not wrap the product;
	 * names must be in the table */
	if (pclnoff >= size || nfunc >= (size - pclnoff) / entsz || nameoff >= size)
		return go_fail(ENOEXEC, "'%s' has a truncated function table", b->name);
	for (i = 0; i < nfunc; i++) {
		const uint8_t *ft = p + pclnoff + i * entsz;
		uint64_t entry, end, funcoff;
		const uint8_t *fn;
		const char *name;
		int32_t nmoff, args;

		if (entsz == 8) {
			entry = text + gobin_le32(ft);
			end = text + gobin_le32(ft + 8);
			funcoff = pclnoff + gobin_le32(ft + 4);
		} else {
			entry = gobin_le64(ft);
			end = gobin_le64(ft + 16);
			funcoff = (l->pcln_version == 112 ? 0 : pclnoff) + gobin_le64(ft + 8);
		}
		if (!in_bounds(size, funcoff, 48))
			return go_fail(ENOEXEC, "'%s' has a corrupt function table", b->name);
		fn = p + funcoff;
		nmoff = (int32_t)gobin_le32(fn + l->func.name.val);
		args = (int32_t)gobin_le32(fn + l->func.args.val);
		name = pcln_name(p + nameoff, size - nameoff, (uint64_t)(uint32_t)nmoff);
		if (!name)
			return go_fail(ENOEXEC, "'%s' has a corrupt function name table", b->name);
		if (end < entry)
			continue;	/* out of order: corrupt, and no function ends before it starts */
		err = gobin_funcs_push(b, name, entry, end, args, pcln_asm(l, fn) ? GO_ABI0 : abi);
		if (err)
			return err;
	}
	return 0;
}

static int func_cmp(const void *a, const void *b)
{
	const struct go_func *x = a, *y = b;

	return x->entry < y->entry ? -1 : x->entry > y->entry;
}

void gobin_funcs_sort(struct go_binary *b)
{
	qsort(b->funcs, b->nfuncs, sizeof(*b->funcs), func_cmp);
}

int gobin_functab_load(struct go_binary *b)
{
	int err = pcln_parse(b, b->pcln, b->pcln_size);

	if (err)
		return err;
	/* as for gccgo: nothing to trace, and qsort(NULL, 0) is undefined */
	if (!b->nfuncs)
		return go_fail(ENOEXEC, "'%s' has an empty Go function table", b->name);
	gobin_funcs_sort(b);
	/* before Go 1.18: runtime.text is the first Go function (C code may come before) */
	if (!b->text_start)
		b->text_start = b->funcs[0].entry;
	return 0;
}

const struct go_func *go_binary__func_at(const struct go_binary *b, uint64_t addr)
{
	size_t lo = 0, hi = b->nfuncs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr < b->funcs[mid].entry)
			hi = mid;
		else if (addr >= b->funcs[mid].end)
			lo = mid + 1;
		else
			return &b->funcs[mid];
	}
	return NULL;
}

const struct go_func *go_binary__func_by_name(const struct go_binary *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->nfuncs; i++)
		if (!strcmp(b->funcs[i].name, name))
			return &b->funcs[i];
	return NULL;
}

const uint8_t *gobin_pcln(const struct go_binary *b, size_t *size, uint64_t *addr)
{
	*size = b->pcln_size;
	*addr = b->pcln_addr;
	return b->tc == GO_GC ? b->pcln : NULL;
}
