// SPDX-License-Identifier: Apache-2.0
/*
 * DWARF through libdw, where the binary still has it: struct offsets of the runtime and, for the
 * tools that read arguments, the parameters of functions. Without DWARF, facts come from tables
 * by Go version.
 */
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <string.h>

#include "gobin_priv.h"

static Dwarf *dwarf_get(struct go_binary *b)
{
	if (!b->dwarf_tried) {
		b->dwarf_tried = true;
		b->dwarf = dwarf_begin_elf(b->elf, DWARF_C_READ, NULL);
	}
	return b->dwarf;
}

void gobin_dwarf_free(struct go_binary *b)
{
	if (b->dwarf)
		dwarf_end(b->dwarf);
	b->dwarf = NULL;
}

/* Find a top-level DIE of a tag and name in any compile unit. */
static bool dwarf_find_top(Dwarf *dw, int tag, const char *name, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;

	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;

		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *n;

				if (dwarf_tag(&die) != tag)
					continue;
				n = dwarf_diename(&die);
				if (n && !strcmp(n, name)) {
					*out = die;
					return true;
				}
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		off = next;
	}
	return false;
}

/* Byte offset of a member of a struct type, or -1. */
static int dwarf_member_offset(Dwarf_Die *type, const char *member)
{
	Dwarf_Die m;

	if (dwarf_child(type, &m))
		return -1;
	do {
		const char *n = dwarf_diename(&m);
		Dwarf_Attribute a;
		Dwarf_Word off;

		if (dwarf_tag(&m) != DW_TAG_member || !n || strcmp(n, member))
			continue;
		if (dwarf_attr(&m, DW_AT_data_member_location, &a) && dwarf_formudata(&a, &off) == 0)
			return (int)off;
		return -1;
	} while (dwarf_siblingof(&m, &m) == 0);
	return -1;
}

/*
 * Offset of runtime.g.goid on amd64 by release, for binaries without DWARF. Checked against
 * DWARF by the tests for each toolchain the test run builds with.
 */
static const struct {
	int from, to;	/* go1.<from> .. go1.<to> */
	int off;
} goid_table[] = {
	{ 117, 126, 152 },
};

int go_binary__goid_offset(struct go_binary *b)
{
	Dwarf *dw;
	Dwarf_Die g;
	int minor = gobin_go_minor(b);
	size_t i;

	if (b->goid_off >= 0)
		return b->goid_off;
	if (b->tc != GO_GC)
		return go_fail(ENOTSUP, "goroutine ids of gccgo binaries are not supported");
	dw = dwarf_get(b);
	if (dw && dwarf_find_top(dw, DW_TAG_structure_type, "runtime.g", &g)) {
		b->goid_off = dwarf_member_offset(&g, "goid");
		if (b->goid_off >= 0)
			return b->goid_off;
	}
	for (i = 0; i < sizeof(goid_table) / sizeof(goid_table[0]); i++)
		if (minor >= goid_table[i].from && minor <= goid_table[i].to)
			return b->goid_off = goid_table[i].off;
	return go_fail(ENOTSUP, "no goroutine id offset known for %s and '%s' has no DWARF",
		       b->version, b->name);
}
