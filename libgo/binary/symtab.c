// SPDX-License-Identifier: Apache-2.0
/*
 * Reading Go binaries: what .symtab adds to a gc binary's function table (assembly functions'
 * ABI0, generic functions' full names) and which of its entries are ABI wrappers of another;
 * gccgo binaries' functions, which only .symtab lists, named as Go names them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary_priv.h"

/* An assembly function's symbol is named "<name>.abi0": it takes the stack ABI. */
static void func_mark_abi0(struct go_func *f, const char *sym)
{
	size_t len = strlen(sym);

	if (len >= 5 && !strcmp(sym + len - 5, ".abi0"))
		f->abi = GO_ABI0;
}

/*
 * Go 1.18-1.20 write "[...]" for the type arguments of generic functions in the pclntab, so
 * that all instantiations would share one name (and one row); .symtab, when kept, has them
 * in full: main.Gen[go.shape.int_0]. Take those.
 */
static void func_full_name(struct go_func *f, const char *sym)
{
	if (!f->pcln_name && strstr(f->name, "[...]") && strchr(sym, '[') && !strstr(sym, "[...]")) {
		f->pcln_name = f->name;
		f->name = sym;
	}
}

/* What .symtab says of each function of the table it names at its entry. */
static void symtab_read_gc(struct go_binary *b)
{
	size_t cnt, strndx, i;
	Elf_Data *d = gobin_symtab(b, &cnt, &strndx);

	for (i = 0; d && i < cnt; i++) {
		struct go_func *f;
		const char *n;
		GElf_Sym s;

		if (!gelf_getsym(d, i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC)
			continue;
		f = (struct go_func *)go_binary__func_at(b, s.st_value);
		if (!f || f->entry != s.st_value || !(n = elf_strptr(b->elf, strndx, s.st_name)))
			continue;
		func_mark_abi0(f, n);
		func_full_name(f, n);
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
	Elf_Data *d = gobin_symtab(b, &cnt, &strndx);
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
		err = gobin_funcs_push(b, n, s.st_value, s.st_value + s.st_size, -1, GO_ABI_SYSV);
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

int gobin_symtab_gc(struct go_binary *b)
{
	symtab_read_gc(b);
	return funcs_drop_wrappers(b);
}

bool gobin_is_gccgo(const struct go_binary *b)
{
	size_t size;

	/* gccgo leaves its export data and its runtime's name behind */
	return gobin_section_at(b, ".go_export", &size, NULL) ||
	       memmem(b->map, b->size, "__go_runtime_error", 18) ||
	       memmem(b->map, b->size, "libgo.so", 8);
}

int gobin_symtab_gccgo(struct go_binary *b)
{
	int err = symtab_funcs(b);

	if (err)
		return err;
	gobin_funcs_sort(b);
	funcs_dedup(b);
	return 0;
}
