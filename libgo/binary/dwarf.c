// SPDX-License-Identifier: Apache-2.0
/*
 * DWARF through libdw, where the binary still has it (read only when asked, and only when its
 * sizes are sane): the handle params.c reads functions' parameters with, and the struct offsets
 * of the runtime (for release.c, which keeps a table for binaries without DWARF).
 */
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary_priv.h"

static void dwarf_free(struct go_binary *b);

/*
 * What a DWARF section may inflate to: a zlib or zstd stream of 2 MB can make 2 GB (a valid
 * file, as a bomb), which libdw would inflate, in memory, when DWARF is opened. Real DWARF
 * compresses a few times over.
 */
#define DWARF_SLACK (64ull << 20)
#define DWARF_RATIO 32
#define DWARF_MAX (1ull << 30)

/* The size a debug section inflates to (its own when not compressed); 0 when unknown. */
static uint64_t inflated_size(Elf_Scn *scn, const GElf_Shdr *sh, const char *name)
{
	Elf_Data *d;
	GElf_Chdr ch;

	if (sh->sh_flags & SHF_COMPRESSED)
		return gelf_getchdr(scn, &ch) ? ch.ch_size : 0;
	if (strncmp(name, ".zdebug_", 8))
		return sh->sh_size;
	/* GNU's older form: "ZLIB", then the size, big-endian */
	d = elf_rawdata(scn, NULL);
	if (!d || d->d_size < 12 || memcmp(d->d_buf, "ZLIB", 4))
		return 0;
	return (uint64_t)((const uint8_t *)d->d_buf)[4] << 56 |
	       (uint64_t)((const uint8_t *)d->d_buf)[5] << 48 |
	       (uint64_t)((const uint8_t *)d->d_buf)[6] << 40 |
	       (uint64_t)((const uint8_t *)d->d_buf)[7] << 32 |
	       (uint64_t)((const uint8_t *)d->d_buf)[8] << 24 |
	       (uint64_t)((const uint8_t *)d->d_buf)[9] << 16 |
	       (uint64_t)((const uint8_t *)d->d_buf)[10] << 8 | ((const uint8_t *)d->d_buf)[11];
}

/* Does every debug section inflate to what it may? Else b->dwarf_why says which does not. */
static bool dwarf_sizes_ok(struct go_binary *b)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(b->elf, &shstrndx))
		return true;	/* libdw finds no sections either */
	while ((scn = elf_nextscn(b->elf, scn))) {
		uint64_t size, max;
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(b->elf, shstrndx, sh.sh_name)))
			continue;
		/*
		 * libdw would open the file these name (a path the binary chooses: a FIFO that
		 * never answers, a device, an uncapped bomb); Go's linkers never write them.
		 */
		if (!strcmp(name, ".gnu_debugaltlink") || !strcmp(name, ".debug_sup")) {
			snprintf(b->dwarf_why, sizeof(b->dwarf_why), "the DWARF of '%s' is not read: "
				 "its %s names another file", b->name, name);
			return false;
		}
		if (sh.sh_type == SHT_NOBITS ||
		    (strncmp(name, ".debug_", 7) && strncmp(name, ".zdebug_", 8)))
			continue;
		size = inflated_size(scn, &sh, name);
		max = DWARF_SLACK + DWARF_RATIO * sh.sh_size;
		if (max > DWARF_MAX)
			max = DWARF_MAX;
		if (size > max) {
			snprintf(b->dwarf_why, sizeof(b->dwarf_why), "the DWARF of '%s' is not read: "
				 "its %s would inflate to %.1f MiB (at most %.1f MiB)", b->name, name,
				 size / 1048576.0, max / 1048576.0);
			return false;
		}
	}
	return true;
}

/* The binary's DWARF, opened (and inflated) the first time a tool asks for it. */
Dwarf *gobin_dwarf(struct go_binary *b)
{
	if (!b->dwarf_tried) {
		b->dwarf_tried = true;
		if (gobin_on_close(b, dwarf_free, false) || !dwarf_sizes_ok(b))
			return NULL;
		b->dwarf = dwarf_begin_elf(b->elf, DWARF_C_READ, NULL);
	}
	return b->dwarf;
}

static void dwarf_free(struct go_binary *b)
{
	if (b->dwarf)
		dwarf_end(b->dwarf);
	b->dwarf = NULL;
}

/*
 * The top-level structs named names[0..n) (NULL: not asked), into dies[], found[i] saying
 * which were: one pass over the compile units, ending when all are.
 */
static void dwarf_find_structs(Dwarf *dw, const char *const *names, size_t n, Dwarf_Die *dies,
			       bool *found)
{
	Dwarf_Off off = 0, next;
	size_t hsize, left = 0, i;

	for (i = 0; i < n; i++)
		left += names[i] && *names[i] && !found[i];
	while (left && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *name;

				if (dwarf_tag(&die) != DW_TAG_structure_type ||
				    !(name = dwarf_diename(&die)))
					continue;
				for (i = 0; i < n; i++)
					if (names[i] && !found[i] && !strcmp(name, names[i])) {
						dies[i] = die;
						found[i] = true;
						left--;
					}
			} while (left && dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
}

/* The member of a struct named name (of len bytes), or false. */
static bool dwarf_member(Dwarf_Die *type, const char *name, size_t len, Dwarf_Die *m)
{
	if (dwarf_child(type, m))
		return false;
	do {
		const char *n = dwarf_diename(m);

		if (dwarf_tag(m) == DW_TAG_member && n && strlen(n) == len && !memcmp(n, name, len))
			return true;
	} while (dwarf_siblingof(m, m) == 0);
	return false;
}

/* Byte offset of a member ("stack.hi": through a member's struct type) of type, or -1. */
static int dwarf_member_offset(Dwarf_Die *type, const char *path)
{
	Dwarf_Die st = *type, m;
	Dwarf_Attribute a;
	Dwarf_Word off, sum = 0;
	int hops;

	for (;;) {
		size_t len = strcspn(path, ".");

		if (!dwarf_member(&st, path, len, &m) ||
		    !dwarf_attr(&m, DW_AT_data_member_location, &a) || dwarf_formudata(&a, &off))
			return -1;
		sum += off;
		if (!path[len])
			return sum < 1u << 20 ? (int)sum : -1;
		path += len + 1;
		if (!dwarf_attr(&m, DW_AT_type, &a) || !dwarf_formref_die(&a, &st))
			return -1;
		/* Go names a struct type by a typedef of it */
		for (hops = 0; dwarf_tag(&st) == DW_TAG_typedef && hops < 8; hops++)
			if (!dwarf_attr(&st, DW_AT_type, &a) || !dwarf_formref_die(&a, &st))
				return -1;
	}
}

/* The offset of the first of the '|'-separated members of type there, its size for "". */
static int dwarf_member_any(Dwarf_Die *type, const char *members)
{
	char one[64];

	if (!*members) {
		int size = dwarf_bytesize(type);

		return size > 0 && size < 1 << 20 ? size : -1;
	}
	while (*members) {
		size_t len = strcspn(members, "|");
		int off;

		snprintf(one, sizeof(one), "%.*s", (int)len, members);
		off = dwarf_member_offset(type, one);
		if (off >= 0)
			return off;
		members += len + !!members[len];
	}
	return -1;
}

/* Is name one of the '|'-separated names? */
static bool name_in(const char *name, const char *names)
{
	size_t len = strlen(name);

	while (*names) {
		size_t n = strcspn(names, "|");

		if (n == len && !memcmp(names, name, len))
			return true;
		names += n + !!names[n];
	}
	return false;
}

/* The value of the top-level constant of one of names ('|'-separated), or -1. */
static int dwarf_const(Dwarf *dw, const char *names)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *name = dwarf_diename(&die);
				Dwarf_Attribute a;
				Dwarf_Sword v;

				if (dwarf_tag(&die) != DW_TAG_constant || !name || !name_in(name, names))
					continue;
				if (!dwarf_attr(&die, DW_AT_const_value, &a) || dwarf_formsdata(&a, &v) ||
				    v < 0 || v >= 1 << 20)
					return -1;
				return (int)v;
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return -1;
}

int gobin_dwarf_offsets(struct go_binary *b, const char *const *type, const char *const *member,
			int *off, size_t n)
{
	Dwarf_Die *dies = calloc(n ? n : 1, sizeof(*dies));
	bool *found = calloc(n ? n : 1, sizeof(*found));
	Dwarf *dw = gobin_dwarf(b);
	size_t i;

	for (i = 0; i < n; i++)
		off[i] = -1;
	if (!dies || !found) {
		free(dies);
		free(found);
		return go_fail(ENOMEM, "out of memory");
	}
	if (!dw) {
		free(dies);
		free(found);
		return -ENOENT;
	}
	dwarf_find_structs(dw, type, n, dies, found);
	for (i = 0; i < n; i++)
		if (found[i])
			off[i] = dwarf_member_any(&dies[i], member[i]);
		else if (type[i] && !*type[i])
			off[i] = dwarf_const(dw, member[i]);
	free(dies);
	free(found);
	return 0;
}
