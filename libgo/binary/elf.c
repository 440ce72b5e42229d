// SPDX-License-Identifier: Apache-2.0
/*
 * Reading Go binaries: the ELF file. Its loadable segments and the link-time addresses in them,
 * the words a PIE's relative relocations fill in, sections and .symtab's symbols.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "binary/binary_priv.h"

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
		b->segs[b->nsegs].writable = ph.p_flags & PF_W;
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
 * version string) are filled in by the loader's RELATIVE relocations (the arch's rel_relative).
 * Go's own linker, GNU ld and gold also write each one's value into the file; LLVM's lld writes
 * zeros there (unless --apply-dynamic-relocs). Each such word of the private mapping is given
 * its link-time value, the relocation's addend, so that every reader sees what the others see
 * in the file.
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

		if (ELF64_R_TYPE(gobin_le64(r + i + 8)) != b->arch->rel_relative)
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

int gobin_elf_load(struct go_binary *b)
{
	int err = elf_load_segments(b);

	if (!err)
		elf_apply_relative(b);
	return err;
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

const uint8_t *gobin_insn_bytes(const struct go_binary *b, uint64_t addr, size_t *len)
{
	const uint8_t *p = NULL;

	for (*len = GO_INSN_MAX; *len && !(p = gobin_bytes(b, addr, *len)); (*len)--)
		;
	return p;
}

uint64_t gobin_offset_addr(const struct go_binary *b, size_t off)
{
	int i;

	for (i = 0; i < b->nsegs; i++)
		if (off >= b->segs[i].off && off < b->segs[i].off + b->segs[i].filesz)
			return b->segs[i].vaddr + (off - b->segs[i].off);
	return 0;
}

const uint8_t *gobin_section_at(const struct go_binary *b, const char *name, size_t *size,
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
	return gobin_section_at(b, name, size, NULL);
}

Elf_Data *gobin_symtab(const struct go_binary *b, size_t *cnt, size_t *strndx)
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
	Elf_Data *d = gobin_symtab(b, &cnt, &strndx);

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
