// SPDX-License-Identifier: Apache-2.0
/*
 * Reading Go executables: ELF segments, the build info, and the function table that Go keeps in
 * .gopclntab (present even in stripped binaries), merged with .symtab where there is one.
 * gccgo binaries have no pclntab; their functions come from .symtab.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "binary/gobin_priv.h"

/* ---- ELF ------------------------------------------------------------------------------------ */

static int elf_load_segments(struct go_binary *b)
{
	size_t i, n;

	if (elf_getphdrnum(b->elf, &n))
		return go_fail(ENOEXEC, "'%s' has no program headers", b->name);
	for (i = 0; i < n && b->nsegs < MAX_SEGS; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(b->elf, i, &ph) || ph.p_type != PT_LOAD || ph.p_offset > b->size)
			continue;
		b->segs[b->nsegs].vaddr = ph.p_vaddr;
		/* no more than the file holds: scans of a segment's words must end with the file */
		b->segs[b->nsegs].filesz = ph.p_filesz < b->size - ph.p_offset ? ph.p_filesz :
					   b->size - ph.p_offset;
		b->segs[b->nsegs].off = ph.p_offset;
		b->segs[b->nsegs].exec = ph.p_flags & PF_X;
		b->nsegs++;
	}
	return b->nsegs ? 0 : go_fail(ENOEXEC, "'%s' has no loadable segments", b->name);
}

/* The PT_DYNAMIC entry tag's value, 0 when the binary has none. */
static uint64_t elf_dynamic(const struct go_binary *b, int64_t tag)
{
	size_t i, n, k;

	if (elf_getphdrnum(b->elf, &n))
		return 0;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(b->elf, i, &ph) || ph.p_type != PT_DYNAMIC || ph.p_offset > b->size)
			continue;
		for (k = 0; k + 16 <= ph.p_filesz && k + 16 <= b->size - ph.p_offset; k += 16) {
			int64_t t = (int64_t)gobin_le64(b->map + ph.p_offset + k);

			if (t == DT_NULL)
				break;
			if (t == tag)
				return gobin_le64(b->map + ph.p_offset + k + 8);
		}
	}
	return 0;
}

/*
 * A PIE binary's pointers (the 1.16-1.17 pclntab's funcdata, moduledata, the 1.17 build info's
 * version string) are filled in by the loader's R_X86_64_RELATIVE relocations. Go's own linker,
 * GNU ld and gold also write each one's value into the file; LLVM's lld writes zeros there
 * (unless --apply-dynamic-relocs). Each such word of the private mapping is given its link-time
 * value, the relocation's addend, so that every reader sees what the others see in the file.
 * RELR relocations keep their addends in place: there is nothing to do for them.
 *
 * The file may be crafted: no word is written in code (which must stay the bytes the kernel
 * probes), nor in the ELF, program and section headers, which libelf checked when it opened
 * the mapping and reads from it since.
 */
static bool elf_headers_hold(const struct go_binary *b, const GElf_Ehdr *eh, uint64_t off)
{
	const uint64_t ranges[3][2] = {
		{ 0, eh->e_ehsize },
		{ eh->e_phoff, (uint64_t)eh->e_phnum * eh->e_phentsize },
		{ eh->e_shoff, (uint64_t)eh->e_shnum * eh->e_shentsize },
	};
	size_t shnum = 0;
	int i;

	/* more than 0xff00 sections: the count is in the first section header */
	if (!elf_getshdrnum(b->elf, &shnum) && shnum > eh->e_shnum)
		return off + 8 > eh->e_shoff;
	for (i = 0; i < 3; i++)
		if (off + 8 > ranges[i][0] && off < ranges[i][0] + ranges[i][1])
			return true;
	return false;
}

static void elf_apply_relative(struct go_binary *b)
{
	uint64_t rela = elf_dynamic(b, DT_RELA), relasz = elf_dynamic(b, DT_RELASZ);
	uint64_t ent = elf_dynamic(b, DT_RELAENT), i;
	const uint8_t *r;
	GElf_Ehdr eh;
	int s;

	if (!ent)
		ent = 24;
	if (!rela || ent < 24 || !gelf_getehdr(b->elf, &eh) || !(r = gobin_bytes(b, rela, relasz)))
		return;
	for (i = 0; i + ent <= relasz; i += ent) {
		uint64_t where = gobin_le64(r + i), addend = gobin_le64(r + i + 16), off;
		uint8_t *p;

		if (ELF64_R_TYPE(gobin_le64(r + i + 8)) != R_X86_64_RELATIVE)
			continue;
		p = (uint8_t *)gobin_bytes(b, where, 8);
		if (!p || gobin_le64(p) == addend)
			continue;
		off = p - b->map;
		for (s = 0; s < b->nsegs; s++)
			if (b->segs[s].exec && off + 8 > b->segs[s].off &&
			    off < b->segs[s].off + b->segs[s].filesz)
				break;
		if (s < b->nsegs || elf_headers_hold(b, &eh, off))
			continue;
		memcpy(p, &addend, 8);	/* little-endian, as the binary */
		if (!b->written_hi) {
			b->written_lo = off;
			b->written_hi = off + 8;
		}
		if (off < b->written_lo)
			b->written_lo = off;
		if (off + 8 > b->written_hi)
			b->written_hi = off + 8;
	}
}

int64_t go_binary__file_offset(const struct go_binary *b, uint64_t addr)
{
	int i;

	for (i = 0; i < b->nsegs; i++) {
		const struct go_seg *s = &b->segs[i];

		if (addr >= s->vaddr && addr < s->vaddr + s->filesz)
			return (int64_t)(addr - s->vaddr + s->off);
	}
	return go_fail(ERANGE, "address 0x%llx is not in '%s'", (unsigned long long)addr, b->name);
}

const uint8_t *gobin_bytes(const struct go_binary *b, uint64_t addr, size_t len)
{
	int64_t off = go_binary__file_offset(b, addr);

	/* len - never off + len, which a corrupt length wraps */
	if (off < 0 || (uint64_t)off > b->size || len > b->size - (uint64_t)off)
		return NULL;
	return b->map + off;
}

/* A section's bytes and address by name; NULL when absent. */
static const uint8_t *elf_section(const struct go_binary *b, const char *name, size_t *size,
				  uint64_t *addr)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(b->elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(b->elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh))
			continue;
		n = elf_strptr(b->elf, shstrndx, sh.sh_name);
		if (!n || strcmp(n, name) || sh.sh_type == SHT_NOBITS)
			continue;
		/* compared so that a corrupt size cannot wrap the sum past zero */
		if (sh.sh_offset > b->size || sh.sh_size > b->size - sh.sh_offset)
			return NULL;
		*size = sh.sh_size;
		if (addr)
			*addr = sh.sh_addr;
		return b->map + sh.sh_offset;
	}
	return NULL;
}

const uint8_t *gobin_section(const struct go_binary *b, const char *name, size_t *size)
{
	return elf_section(b, name, size, NULL);
}

const uint8_t *gobin_section_at(const struct go_binary *b, const char *name, size_t *size,
				uint64_t *addr)
{
	return elf_section(b, name, size, addr);
}

/* File offset -> link-time address through the segments. */
static uint64_t elf_offset_addr(const struct go_binary *b, size_t off)
{
	int i;

	for (i = 0; i < b->nsegs; i++)
		if (off >= b->segs[i].off && off < b->segs[i].off + b->segs[i].filesz)
			return b->segs[i].vaddr + (off - b->segs[i].off);
	return 0;
}

/* ---- build info ----------------------------------------------------------------------------- */

static const char buildinfo_magic[] = "\xff Go buildinf:";

/* A Go string header {ptr, len} at addr (pre-1.18 build info). */
static int read_gostring(const struct go_binary *b, uint64_t addr, char *out, size_t outsz)
{
	const uint8_t *hdr = gobin_bytes(b, addr, 16), *s;
	uint64_t len;

	if (!hdr)
		return -1;
	len = gobin_le64(hdr + 8);
	s = gobin_bytes(b, gobin_le64(hdr), len);
	if (!s || len >= outsz)
		return -1;
	memcpy(out, s, len);
	out[len] = 0;
	return 0;
}

static void copy_varstr(const uint8_t **p, const uint8_t *end, char *out, size_t outsz)
{
	uint64_t len;
	size_t n = gobin_uvarint(*p, end, &len);

	out[0] = 0;
	/* len against what is left: a corrupt length would wrap the pointer */
	if (!n || len > (uint64_t)(end - *p - n))
		return;
	*p += n;
	if (len < outsz) {
		memcpy(out, *p, len);
		out[len] = 0;
	}
	*p += len;
}

/* "path\texample.com/x\nmod\t..." -> "example.com/x" */
static void module_from_modinfo(const char *modinfo, char *out, size_t outsz)
{
	const char *p = strstr(modinfo, "path\t");

	out[0] = 0;
	if (!p)
		return;
	p += 5;
	snprintf(out, outsz, "%.*s", (int)strcspn(p, "\n"), p);
}

static void buildinfo_parse(struct go_binary *b)
{
	const uint8_t *p, *end;
	size_t size;
	char modinfo[4096];

	p = elf_section(b, ".go.buildinfo", &size, NULL);
	if (!p) {
		p = memmem(b->map, b->size, buildinfo_magic, 14);
		size = p ? (size_t)(b->map + b->size - p) : 0;
	}
	if (!p || size < 32 || memcmp(p, buildinfo_magic, 14))
		return;
	end = p + size;
	if (p[15] & 2) {	/* Go 1.18+: strings inline after the 32-byte header */
		const uint8_t *q = p + 32;

		copy_varstr(&q, end, b->version, sizeof(b->version));
		copy_varstr(&q, end, modinfo, sizeof(modinfo));
	} else if (p[14] == 8) {	/* pointers to Go strings */
		if (read_gostring(b, gobin_le64(p + 16), b->version, sizeof(b->version)))
			b->version[0] = 0;
		if (read_gostring(b, gobin_le64(p + 24), modinfo, sizeof(modinfo)))
			modinfo[0] = 0;
	} else {
		return;
	}
	/* modinfo is framed by 16 bytes of sentinel on each side */
	if (strlen(modinfo) > 32) {
		modinfo[strlen(modinfo) - 16] = 0;
		module_from_modinfo(modinfo + 16, b->module, sizeof(b->module));
	}
}

/* "go1.19.8" -> 119; 0 when unknown. */
int gobin_go_minor(const struct go_binary *b)
{
	int major, minor;

	if (sscanf(b->version, "go%d.%d", &major, &minor) != 2 || major != 1)
		return 0;
	return 100 + minor;
}

/* ---- pclntab -------------------------------------------------------------------------------- */

static bool pcln_magic_ok(const uint8_t *p, size_t size)
{
	uint32_t m;

	if (size < 64 || p[4] || p[5] || p[6] != 1 || p[7] != 8)
		return false;
	m = gobin_le32(p);
	return gobin_pcln_version(m) > 0;
}

/* PIE and some stripped binaries have no section header for the pclntab: find it by its magic. */
static const uint8_t *pcln_find(const struct go_binary *b, size_t *size, uint64_t *addr)
{
	static const char *names[] = { ".gopclntab", ".data.rel.ro.gopclntab" };
	const uint8_t *p;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = elf_section(b, names[i], size, addr);
		if (p && pcln_magic_ok(p, *size))
			return p;
	}
	for (p = b->map; p + 64 <= b->map + b->size; p += 8) {
		if (p[1] != 0xff || p[2] != 0xff || p[3] != 0xff || !pcln_magic_ok(p, 64))
			continue;
		*size = b->map + b->size - p;
		*addr = elf_offset_addr(b, p - b->map);
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

static int funcs_push(struct go_binary *b, const char *name, uint64_t entry, uint64_t end, int args,
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
		err = funcs_push(b, name, entry, end, args, pcln_asm(l, fn) ? GO_ABI0 : abi);
		if (err)
			return err;
	}
	return 0;
}

/* ---- .symtab -------------------------------------------------------------------------------- */

static int func_cmp(const void *a, const void *b)
{
	const struct go_func *x = a, *y = b;

	return x->entry < y->entry ? -1 : x->entry > y->entry;
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

static Elf_Data *elf_symtab(const struct go_binary *b, size_t *cnt, size_t *strndx)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(b->elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		*cnt = sh.sh_size / sh.sh_entsize;
		*strndx = sh.sh_link;
		return elf_getdata(scn, NULL);
	}
	return NULL;
}

uint64_t gobin_symbol(const struct go_binary *b, const char *name, uint64_t *size)
{
	size_t cnt, strndx, i;
	Elf_Data *d = elf_symtab(b, &cnt, &strndx);

	for (i = 0; d && i < cnt; i++) {
		const char *n;
		GElf_Sym s;

		if (!gelf_getsym(d, (int)i, &s) || !(n = elf_strptr(b->elf, strndx, s.st_name)) ||
		    strcmp(n, name))
			continue;
		if (size)
			*size = s.st_size;
		return s.st_value;
	}
	return 0;
}

/* Mark the functions that .symtab names ".abi0" as taking the stack ABI. */
static void symtab_mark_abi0(struct go_binary *b)
{
	size_t cnt, strndx, i;
	Elf_Data *d = elf_symtab(b, &cnt, &strndx);

	for (i = 0; d && i < cnt; i++) {
		struct go_func *f;
		const char *n;
		GElf_Sym s;
		size_t len;

		if (!gelf_getsym(d, i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC)
			continue;
		n = elf_strptr(b->elf, strndx, s.st_name);
		len = n ? strlen(n) : 0;
		if (len < 5 || strcmp(n + len - 5, ".abi0"))
			continue;
		f = (struct go_func *)go_binary__func_at(b, s.st_value);
		if (f && f->entry == s.st_value)
			f->abi = GO_ABI0;
	}
}

/*
 * Go 1.18-1.20 write "[...]" for the type arguments of generic functions in the pclntab, so
 * that all instantiations would share one name (and one row); .symtab, when kept, has them
 * in full: main.Gen[go.shape.int_0]. Take those.
 */
static void symtab_full_names(struct go_binary *b)
{
	size_t cnt, strndx, i;
	Elf_Data *d = elf_symtab(b, &cnt, &strndx);

	for (i = 0; d && i < cnt; i++) {
		struct go_func *f;
		const char *n;
		GElf_Sym s;

		if (!gelf_getsym(d, i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC)
			continue;
		f = (struct go_func *)go_binary__func_at(b, s.st_value);
		if (!f || f->entry != s.st_value || f->pcln_name || !strstr(f->name, "[...]"))
			continue;
		n = elf_strptr(b->elf, strndx, s.st_name);
		if (n && strchr(n, '[') && !strstr(n, "[...]")) {
			f->pcln_name = f->name;
			f->name = n;
		}
	}
}

/*
 * The length of the function name in a GCC clone's symbol: GCC appends ".constprop.N" (a
 * constant argument folded in), ".isra.N" (arguments passed in part or by value) or ".part.N"
 * (the rest of a function whose start it inlined), in any combination; 0 for other symbols.
 */
static size_t clone_base_len(const char *sym)
{
	static const char *const kinds[] = { ".constprop.", ".isra.", ".part." };
	size_t len = strlen(sym), end, k, base = 0;

	for (end = len; end; end = base) {
		size_t digits = 0;

		while (digits < end && sym[end - 1 - digits] >= '0' && sym[end - 1 - digits] <= '9')
			digits++;
		base = 0;
		for (k = 0; digits && k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			size_t n = strlen(kinds[k]);

			if (end - digits > n && !strncmp(sym + end - digits - n, kinds[k], n))
				base = end - digits - n;
		}
		if (!base)
			break;
	}
	return end < len ? end : 0;
}

/* Keep name (malloc'd) until the binary is closed. */
static int owned_push(struct go_binary *b, char *name)
{
	char **owned = realloc(b->owned, (b->nowned + 1) * sizeof(*owned));

	if (!owned) {
		free(name);
		return go_fail(ENOMEM, "out of memory");
	}
	b->owned = owned;
	b->owned[b->nowned++] = name;
	return 0;
}

/* Name a clone by its function; the symbol stays in clone. */
static int funcs_name_clone(struct go_binary *b, struct go_func *f)
{
	size_t len = clone_base_len(f->name);
	char *name;

	if (!len)
		return 0;
	name = strndup(f->name, len);
	if (!name)
		return go_fail(ENOMEM, "out of memory");
	f->clone = f->name;
	f->name = name;
	return owned_push(b, name);
}

/* The value of the n hex digits at p, or -1. */
static long hex_n(const char *p, int n)
{
	long v = 0;
	int i;

	for (i = 0; i < n; i++) {
		int c = p[i];

		if (c >= '0' && c <= '9')
			v = v * 16 + c - '0';
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + c - 'a' + 10;
		else
			return -1;
	}
	return v;
}

/* Append rune r to out as UTF-8; its length. */
static size_t put_utf8(char *out, unsigned long r)
{
	size_t n = r < 0x80 ? 1 : r < 0x800 ? 2 : r < 0x10000 ? 3 : 4, i;
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };

	for (i = n - 1; i > 0; i--) {
		out[i] = (char)(0x80 | (r & 0x3f));
		r >>= 6;
	}
	out[0] = (char)(lead[n] | r);
	return n;
}

/*
 * gccgo (GCC 12's gofrontend) writes a Go identifier into a symbol with '_' as "__", another
 * byte as "_xNN" and a non-ASCII rune as "_uNNNN" or "_UNNNNNNNN": main.g_1 is main.g__1.
 * Name the function as Go does; other encodings (type literals, "_6" and the like in the names
 * of compiler-made functions) and C's symbols are left as they are.
 */
static int funcs_gccgo_name(struct go_binary *b, struct go_func *f)
{
	const char *p = f->name;
	size_t len = strlen(p), o = 0;
	char *name;

	/* Go's symbols are package-qualified; C's (__morestack, memcpy) are not, and stay */
	if (!strchr(p, '_') || !strchr(p, '.') || p[0] == '_')
		return 0;
	name = malloc(len + 1);	/* decoding never lengthens: "_UNNNNNNNN" is 10 bytes, 4 out */
	if (!name)
		return go_fail(ENOMEM, "out of memory");
	while (*p) {
		long v;

		if (p[0] == '_' && p[1] == '_') {
			name[o++] = '_';
			p += 2;
		} else if (p[0] == '_' && p[1] == 'x' && (v = hex_n(p + 2, 2)) >= 0) {
			name[o++] = (char)v;
			p += 4;
		} else if (p[0] == '_' && p[1] == 'u' && (v = hex_n(p + 2, 4)) >= 0) {
			o += put_utf8(name + o, (unsigned long)v);
			p += 6;
		} else if (p[0] == '_' && p[1] == 'U' && (v = hex_n(p + 2, 8)) >= 0 && v <= 0x10ffff) {
			o += put_utf8(name + o, (unsigned long)v);
			p += 10;
		} else {
			name[o++] = *p++;
		}
	}
	name[o] = 0;
	if (!strcmp(name, f->name)) {
		free(name);
		return 0;
	}
	f->name = name;
	return owned_push(b, name);
}

/* gccgo: every defined function symbol is a function, taking the System V ABI. */
static int symtab_funcs(struct go_binary *b)
{
	size_t cnt, strndx, i;
	Elf_Data *d = elf_symtab(b, &cnt, &strndx);
	int err;

	if (!d)
		return go_fail(ENOEXEC, "'%s' is a gccgo binary without a symbol table", b->name);
	for (i = 0; i < cnt; i++) {
		const char *n;
		GElf_Sym s;

		/* a size that wraps the end past zero is corrupt: no function ends before it starts */
		if (!gelf_getsym(d, i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF || !s.st_value || !s.st_size ||
		    s.st_value + s.st_size < s.st_value)
			continue;
		n = elf_strptr(b->elf, strndx, s.st_name);
		/* GCC's ".cold" parts are blocks moved out of a function, not functions */
		if (!n || !*n || strstr(n, ".cold"))
			continue;
		err = funcs_push(b, n, s.st_value, s.st_value + s.st_size, -1, GO_ABI_SYSV);
		if (!err)
			err = funcs_name_clone(b, &b->funcs[b->nfuncs - 1]);
		if (!err)
			err = funcs_gccgo_name(b, &b->funcs[b->nfuncs - 1]);
		if (err)
			return err;
	}
	/* an empty table would reach qsort(NULL, 0) and the tools with nothing to match */
	if (!b->nfuncs)
		return go_fail(ENOEXEC, "'%s' is a gccgo binary without functions", b->name);
	return 0;
}

/* Drop aliases (two symbols at one address) so that each function is probed once. */
static void funcs_dedup(struct go_binary *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->nfuncs; i++) {
		if (n && b->funcs[n - 1].entry == b->funcs[i].entry)
			continue;
		b->funcs[n++] = b->funcs[i];
	}
	b->nfuncs = n;
}

static int name_cmp(const void *a, const void *b)
{
	const struct go_func *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	return c ? c : (*x < *y ? -1 : *x > *y);
}

/*
 * Does fn's code begin (its first 64 bytes) with a direct CALL or JMP to target? Read as bytes
 * (the arch's long forms, at every byte): an ABI wrapper is a few instructions that end in such
 * a jump, and that the bytes of a same-named function's first instructions would spell one to
 * the other's entry by chance is not to be feared; opening a binary needs no decoder.
 */
static bool code_jumps_to(const struct go_binary *b, const struct go_func *fn, uint64_t target)
{
	uint64_t len = fn->end - fn->entry < 64 ? fn->end - fn->entry : 64, i;
	const uint8_t *p = gobin_bytes(b, fn->entry, len);
	struct go_branch br;

	for (i = 0; p && i < len; i++)
		if (b->arch->branch(p + i, len - i, fn->entry + i, &br) && br.long_form &&
		    br.target == target)
			return true;
	return false;
}

/*
 * The linker gives an ABI wrapper the name of the function it wraps (runtime.newstack has one
 * for assembly callers): the table would list, count and trace that name twice. A function
 * whose code calls or jumps to another function of its own name is such a wrapper; it goes.
 */
static int funcs_drop_wrappers(struct go_binary *b)
{
	struct go_func **byname = malloc(b->nfuncs * sizeof(*byname));
	bool *drop = calloc(b->nfuncs, sizeof(*drop));
	size_t i, j, k, n = 0;

	if (!byname || !drop) {
		free(byname);
		free(drop);
		return go_fail(ENOMEM, "out of memory");
	}
	for (i = 0; i < b->nfuncs; i++)
		byname[i] = &b->funcs[i];
	qsort(byname, b->nfuncs, sizeof(*byname), name_cmp);
	for (i = 0; i < b->nfuncs; i = j) {
		for (j = i + 1; j < b->nfuncs && !strcmp(byname[i]->name, byname[j]->name); j++)
			;
		/* a wrapper pairs with one function; a group is larger only for the instantiations
		 * of a generic function that Go 1.18-1.20 name alike in a stripped binary, and in a
		 * corrupt table, whose pairs (64 bytes each) are not worth searching */
		for (k = i; j - i > 1 && j - i <= 256 && k < j; k++) {
			size_t o;

			for (o = i; o < j; o++)
				if (o != k && code_jumps_to(b, byname[k], byname[o]->entry))
					drop[byname[k] - b->funcs] = true;
		}
	}
	for (i = 0; i < b->nfuncs; i++)
		if (!drop[i])
			b->funcs[n++] = b->funcs[i];
	b->nfuncs = n;
	free(byname);
	free(drop);
	return 0;
}

static bool is_gccgo(const struct go_binary *b)
{
	size_t size;

	/* gccgo leaves its export data and its runtime's name behind */
	return elf_section(b, ".go_export", &size, NULL) ||
	       memmem(b->map, b->size, "__go_runtime_error", 18) ||
	       memmem(b->map, b->size, "libgo.so", 8);
}

/* ---- open/close ----------------------------------------------------------------------------- */

int gobin_on_close(struct go_binary *b, gobin_cleanup_fn fn, bool release)
{
	int i;

	for (i = 0; i < b->ncleanups; i++)
		if (b->cleanups[i].fn == fn)
			return 0;
	if (b->ncleanups == (int)(sizeof(b->cleanups) / sizeof(b->cleanups[0])))
		return go_fail(ENOSPC, "too many cleanups for one binary");
	b->cleanups[b->ncleanups].fn = fn;
	b->cleanups[b->ncleanups++].release = release;
	return 0;
}

/* Drop the pages of the mapping from from to to, but those elf_apply_relative() wrote in. */
static void release_range(const struct go_binary *b, uint64_t from, uint64_t to, uint64_t page)
{
	uint64_t lo = b->written_lo / page * page, hi = (b->written_hi + page - 1) / page * page;

	if (b->written_hi && from < hi && lo < to) {
		if (from < lo)
			madvise((void *)(b->map + from), lo - from, MADV_DONTNEED);
		if (hi < to)
			madvise((void *)(b->map + hi), to - hi, MADV_DONTNEED);
		return;
	}
	if (from < to)
		madvise((void *)(b->map + from), to - from, MADV_DONTNEED);
}

/*
 * The mapping's pages of the loadable segments are not written (libdw decompresses only DWARF,
 * which is outside them), but for relocated words (elf_apply_relative()): the others are
 * dropped, and read from the file again when touched.
 */
void go_binary__release(struct go_binary *b)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	int i;

	for (i = 0; i < b->ncleanups; i++)
		if (b->cleanups[i].release)
			b->cleanups[i].fn(b);
	for (i = 0; i < b->nsegs; i++) {
		uint64_t from = (b->segs[i].off + page - 1) / page * page;
		uint64_t to = (b->segs[i].off + b->segs[i].filesz) / page * page;

		if (from < to && to <= b->size)
			release_range(b, from, to, page);
	}
}

static int gobin_load(struct go_binary *b)
{
	const uint8_t *pcln;
	uint64_t pcln_addr = 0;
	size_t pcln_size, cnt, strndx;
	GElf_Ehdr eh;
	int err;

	if (!gelf_getehdr(b->elf, &eh) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    !(b->arch = go_arch__for_machine(eh.e_machine)))
		return go_fail(ENOEXEC, "'%s' is not an x86-64 ELF executable", b->name);
	b->pie = eh.e_type == ET_DYN;
	err = elf_load_segments(b);
	if (err)
		return err;
	elf_apply_relative(b);
	b->has_syms = elf_symtab(b, &cnt, &strndx) != NULL;
	buildinfo_parse(b);
	pcln = pcln_find(b, &pcln_size, &pcln_addr);
	gobin_release_load(b, pcln, pcln_addr);
	if (pcln) {
		b->tc = GO_GC;
		err = pcln_parse(b, pcln, pcln_size);
		if (err)
			return err;
		/* as for gccgo: nothing to trace, and qsort(NULL, 0) is undefined */
		if (!b->nfuncs)
			return go_fail(ENOEXEC, "'%s' has an empty Go function table", b->name);
		qsort(b->funcs, b->nfuncs, sizeof(*b->funcs), func_cmp);
		/* before Go 1.18: runtime.text is the first Go function (C code may come before) */
		if (!b->text_start && b->nfuncs)
			b->text_start = b->funcs[0].entry;
		symtab_mark_abi0(b);
		symtab_full_names(b);
		err = funcs_drop_wrappers(b);
		if (err)
			return err;
	} else if (is_gccgo(b)) {
		b->tc = GO_GCCGO;
		snprintf(b->version, sizeof(b->version), "gccgo");
		err = symtab_funcs(b);
		if (err)
			return err;
		qsort(b->funcs, b->nfuncs, sizeof(*b->funcs), func_cmp);
		funcs_dedup(b);
	} else {
		return go_fail(ENOEXEC, "'%s' is not a Go binary (no Go function table)", b->name);
	}
	if (!b->version[0])
		snprintf(b->version, sizeof(b->version), "unknown");
	return 0;
}

/*
 * The largest file read as a binary: Go's largest programs are a few hundred MB with their
 * DWARF, and the readers search some of it byte by byte (a pclntab without a section header).
 */
#define MAX_BINARY_SIZE (4ull << 30)

static struct go_binary *gobin_open(const char *path, const char *name)
{
	struct go_binary *b = calloc(1, sizeof(*b));
	char fdpath[64];
	struct stat st;
	int err;

	if (!b) {
		errno = ENOMEM;
		return NULL;
	}
	b->fd = -1;
	b->name = strdup(name);
	if (!b->name) {
		err = go_fail(ENOMEM, "out of memory");
		goto fail;
	}
	/*
	 * Looked at first, opened for reading only once it is a regular file: opening a device
	 * (a link to /dev/watchdog) runs its driver, opening a FIFO wakes its writer
	 */
	b->fd = open(path, O_PATH | O_CLOEXEC);
	if (b->fd >= 0 && (fstat(b->fd, &st) || !S_ISREG(st.st_mode))) {
		err = go_fail(EINVAL, "'%s' is not a regular file", name);
		goto fail;
	}
	if (b->fd >= 0) {
		int fd;

		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", b->fd);
		fd = open(fdpath, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		close(b->fd);
		b->fd = fd;
	}
	if (b->fd < 0) {
		err = -errno;
		if ((err == -EACCES || err == -EPERM) && !strncmp(path, "/proc/", 6) &&
		    !go_has_cap(GO_CAP_SYS_PTRACE))
			go_fail(-err, "cannot read '%s': %s (another user's process needs "
				"CAP_SYS_PTRACE)", name, strerror(-err));
		else
			go_fail(-err, "cannot open '%s': %s", name, strerror(-err));
		goto fail;
	}
	/*
	 * Probes go into the file that was read, by this descriptor: the path may name another
	 * file by the time they are attached (a rename, or a -p process's exec)
	 */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", b->fd);
	b->path = strdup(fdpath);
	if (!b->path) {
		err = go_fail(ENOMEM, "out of memory");
		goto fail;
	}
	if (fstat(b->fd, &st) || !S_ISREG(st.st_mode)) {
		err = go_fail(EINVAL, "'%s' is not a regular file", name);
		goto fail;
	}
	b->size = st.st_size;
	if ((uint64_t)st.st_size > MAX_BINARY_SIZE) {
		err = go_fail(EFBIG, "'%s' is too large to be a Go binary: %.1f GiB (the tools read "
			      "at most %llu GiB)", name, st.st_size / 1073741824.0,
			      MAX_BINARY_SIZE >> 30);
		goto fail;
	}
	/* private and writable: libdw decompresses DWARF sections in place */
	b->map = b->size ? mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_PRIVATE, b->fd, 0) : MAP_FAILED;
	if (b->map == MAP_FAILED) {
		b->map = NULL;
		err = b->size ? go_fail(errno, "cannot map '%s' (%.1f MiB): %s", name,
					b->size / 1048576.0, strerror(errno)) :
				go_fail(ENOEXEC, "'%s' is not an ELF file", name);
		goto fail;
	}
	elf_version(EV_CURRENT);
	b->elf = elf_memory((char *)b->map, b->size);
	if (!b->elf || elf_kind(b->elf) != ELF_K_ELF) {
		err = go_fail(ENOEXEC, "'%s' is not an ELF file", name);
		goto fail;
	}
	err = gobin_load(b);
	if (err)
		goto fail;
	return b;
fail:
	go_binary__close(b);
	errno = -err;
	return NULL;
}

struct go_binary *go_binary__open(const char *path)
{
	return gobin_open(path, path);
}

struct go_binary *go_binary__open_pid(pid_t pid)
{
	char exe[64], name[PATH_MAX];
	ssize_t n;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	n = readlink(exe, name, sizeof(name) - 1);
	if (n < 0) {
		int e = errno == ENOENT ? ESRCH : errno;

		/* /proc/PID is there but its exe is not: a kernel thread, or a zombie */
		snprintf(exe, sizeof(exe), "/proc/%d", (int)pid);
		if (e == ESRCH && !access(exe, F_OK))
			go_fail(e, "pid %d has no executable (a kernel thread, or a process that has "
				"exited)", (int)pid);
		else if ((e == EACCES || e == EPERM) && !go_has_cap(GO_CAP_SYS_PTRACE))
			go_fail(e, "cannot read the executable of pid %d: %s (another user's process "
				"needs CAP_SYS_PTRACE)", (int)pid, strerror(e));
		else
			go_fail(e, e == ESRCH ? "no process with pid %d" :
				   "cannot read the executable of pid %d: %s", (int)pid, strerror(e));
		errno = e;
		return NULL;
	}
	name[n] = 0;
	/* the magic link resolves to the right file even inside another mount namespace */
	return gobin_open(exe, name);
}

void go_binary__close(struct go_binary *b)
{
	int i;

	if (!b)
		return;
	for (i = 0; i < b->ncleanups; i++)
		b->cleanups[i].fn(b);
	if (b->elf)
		elf_end(b->elf);
	if (b->map)
		munmap((void *)b->map, b->size);
	if (b->fd >= 0)
		close(b->fd);
	while (b->nowned)
		free(b->owned[--b->nowned]);
	free(b->owned);
	free(b->funcs);
	free(b->path);
	free(b->name);
	free(b);
}

const char *go_binary__path(const struct go_binary *b) { return b->path; }
const char *go_binary__name(const struct go_binary *b) { return b->name; }
enum go_toolchain go_binary__toolchain(const struct go_binary *b) { return b->tc; }
const char *go_binary__version(const struct go_binary *b) { return b->version; }
const char *go_binary__module(const struct go_binary *b) { return b->module; }
bool go_binary__is_pie(const struct go_binary *b) { return b->pie; }
bool go_binary__has_symbols(const struct go_binary *b) { return b->has_syms; }
size_t go_binary__func_cnt(const struct go_binary *b) { return b->nfuncs; }

const struct go_func *go_binary__func(const struct go_binary *b, size_t idx)
{
	return idx < b->nfuncs ? &b->funcs[idx] : NULL;
}

const struct go_arch *go_binary__arch(const struct go_binary *b) { return b->arch; }

const uint8_t *gobin_insn_bytes(const struct go_binary *b, uint64_t addr, size_t *len)
{
	const uint8_t *p = NULL;

	for (*len = GO_INSN_MAX; *len && !(p = gobin_bytes(b, addr, *len)); (*len)--)
		;
	return p;
}

bool go_binary__stepped_at(const struct go_binary *b, uint64_t off)
{
	uint64_t addr = elf_offset_addr(b, off);
	const uint8_t *p;
	size_t len;

	if (!addr)
		return false;
	p = gobin_insn_bytes(b, addr, &len);
	return !p || !b->arch->emulated(p, len);
}

/* The pclntab, for the position tables read in pcline.c. */
const uint8_t *gobin_pcln(const struct go_binary *b, size_t *size, uint64_t *addr)
{
	return b->tc == GO_GC ? pcln_find(b, size, addr) : NULL;
}

uint64_t gobin_pcln_addr(const struct go_binary *b)
{
	uint64_t addr = 0;
	size_t size;

	return gobin_pcln(b, &size, &addr) ? addr : 0;
}
