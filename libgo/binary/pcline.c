// SPDX-License-Identifier: Apache-2.0
/*
 * Source positions and inlined calls from the pclntab, which every gc binary keeps (stripped and
 * PIE ones too): for a pc, the function, file and line, and the calls inlined there, as Go's own
 * tracebacks print them (runtime/symtab.go, runtime/symtabinl.go).
 *
 * Each function's _func record is followed by its pcdata table offsets and its funcdata. The
 * pcfile and pcln tables give the file and line of each pc (of the innermost inlined call there);
 * pcdata[PCDATA_InlTreeIndex] gives the index of the inlined call in the inline tree
 * (funcdata[FUNCDATA_InlTree]), whose entry names the inlined function and the pc in the outer
 * function whose position is the call's (parentPc). Layouts by pclntab version:
 *
 *   _func    1.16-1.17: entry u64, then 40 bytes; pcdata at 44; funcdata 8-byte addresses
 *            1.18-1.19: entryOff u32, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata,
 *                       cuOffset (9 x 4 bytes), funcID u8, flag u8, pad, nfuncdata u8: 40 bytes
 *            1.20+:     as 1.18 with startLine i32 after cuOffset: 44 bytes
 *            funcdata (1.18+): u32 offsets from moduledata.gofunc, ^0 for none
 *   inline tree entry  1.16-1.19: parent i16, funcID u8, pad, file i32, line i32, nameOff i32,
 *                                 parentPc i32 (20 bytes)
 *                      1.20+:     funcID u8, pad[3], nameOff i32, parentPc i32, startLine i32
 *                                 (16 bytes)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/gobin_priv.h"

#define PCDATA_INL_TREE_INDEX 2
#define FUNCDATA_INL_TREE 3
#define FUNC_FLAG_TOP_FRAME 1
#define FUNC_FLAG_SPWRITE 2	/* it writes SP in a way the pcsp table cannot say (1.17+) */

enum { V116 = 116, V118 = 118, V120 = 120 };

struct go_lines {
	struct go_binary *bin;
	const uint8_t *pcln;
	size_t size;
	int ver;		/* V116, V118, V120 */
	int min_lc;		/* instruction size quantum */
	uint64_t nfunc;
	uint64_t text;		/* what 1.18+ function entries count from */
	uint64_t gofunc;	/* moduledata.gofunc (1.18+), what funcdata offsets count from */
	int wrapper_id;		/* the funcID of compiler-made code (FuncIDWrapper), or -1 */
	size_t nameoff, cuoff, fileoff, pcoff, ftaboff;
};

static const char *tab_str(const struct go_lines *l, size_t tab, uint64_t off)
{
	if (tab + off >= l->size || !memchr(l->pcln + tab + off, 0, l->size - tab - off))
		return NULL;
	return (const char *)l->pcln + tab + off;
}

/* Go 1.18+: moduledata begins with the pclntab's address and funcnametab's; gofunc is a word
 * further on (38th for 1.18-1.19; 40th from 1.20, which added covctrs and ecovctrs). */
static uint64_t find_gofunc(const struct go_lines *l, uint64_t pcln_addr)
{
	const struct go_binary *b = l->bin;
	uint64_t names = pcln_addr + l->nameoff;
	int word = l->ver == V118 ? 38 : 40;
	const uint8_t *p;

	for (p = b->map; p + (word + 1) * 8 <= b->map + b->size; p += 8)
		if (gobin_le64(p) == pcln_addr && gobin_le64(p + 8) == names)
			return gobin_le64(p + word * 8);
	return 0;
}

static uint8_t fn_byte(const struct go_lines *l, const uint8_t *f, int which);

/*
 * The funcID Go gives the code it makes itself (ABI wrappers, method value and pointer
 * receiver wrappers, reflect's call trampolines), which its tracebacks leave out: the last of
 * runtime's funcIDs (internal/abi/symtab.go FuncIDWrapper; runtime/symtab.go funcID_wrapper
 * before 1.21), whose number changes as special functions come and go. For a release not in
 * the table, the largest funcID in the binary, which is that one in every release here.
 */
static int wrapper_id(const struct go_lines *l)
{
	static const struct {
		int from, to, id;
	} table[] = {
		{ 116, 117, 22 }, { 118, 121, 21 }, { 122, 124, 22 }, { 125, 126, 23 },
	};
	int minor = gobin_go_minor(l->bin), max = -1;
	size_t i, entsz = l->ver == V116 ? 16 : 8;
	const uint8_t *ft = l->pcln + l->ftaboff;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (minor >= table[i].from && minor <= table[i].to)
			return table[i].id;
	if (l->ftaboff + (l->nfunc + 1) * entsz > l->size)
		return -1;
	for (i = 0; i < l->nfunc; i++) {
		uint64_t off = entsz == 8 ? gobin_le32(ft + i * 8 + 4) : gobin_le64(ft + i * 16 + 8);

		if (off < l->size - l->ftaboff && l->size - l->ftaboff - off >= 48 &&
		    fn_byte(l, l->pcln + l->ftaboff + off, 0) > max)
			max = fn_byte(l, l->pcln + l->ftaboff + off, 0);
	}
	return max;
}

struct go_lines *go_lines__open(struct go_binary *bin)
{
	struct go_lines *l;
	uint64_t addr = 0;
	const uint8_t *p;
	size_t size = 0;
	uint32_t magic;

	p = gobin_pcln(bin, &size, &addr);
	if (!p || size < 72) {
		go_fail(ENOEXEC, "'%s' has no Go line table", go_binary__name(bin));
		errno = ENOEXEC;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		go_fail(ENOMEM, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	l->bin = bin;
	l->pcln = p;
	l->size = size;
	l->min_lc = p[6];
	l->nfunc = gobin_le64(p + 8);
	magic = gobin_le32(p);
	if (magic == 0xfffffffa) {
		l->ver = V116;
		l->nameoff = gobin_le64(p + 24);
		l->cuoff = gobin_le64(p + 32);
		l->fileoff = gobin_le64(p + 40);
		l->pcoff = gobin_le64(p + 48);
		l->ftaboff = gobin_le64(p + 56);
	} else if (magic == 0xfffffff0 || magic == 0xfffffff1) {
		l->ver = magic == 0xfffffff0 ? V118 : V120;
		l->nameoff = gobin_le64(p + 32);
		l->cuoff = gobin_le64(p + 40);
		l->fileoff = gobin_le64(p + 48);
		l->pcoff = gobin_le64(p + 56);
		l->ftaboff = gobin_le64(p + 64);
		l->text = bin->text_start;
		l->gofunc = find_gofunc(l, addr);
	} else {
		free(l);
		go_fail(ENOTSUP, "'%s' is older than Go 1.16: no line table support",
			go_binary__name(bin));
		errno = ENOTSUP;
		return NULL;
	}
	if (l->ftaboff >= size || l->pcoff >= size || l->fileoff >= size || l->cuoff >= size ||
	    l->nameoff >= size) {
		free(l);
		go_fail(ENOEXEC, "'%s' has a corrupt line table", go_binary__name(bin));
		errno = ENOEXEC;
		return NULL;
	}
	l->wrapper_id = wrapper_id(l);
	return l;
}

void go_lines__close(struct go_lines *l)
{
	free(l);
}

/* The _func record of the function holding pc, and that function's entry; NULL when none. */
static const uint8_t *find_func(const struct go_lines *l, uint64_t pc, uint64_t *entry)
{
	size_t entsz = l->ver == V116 ? 16 : 8, lo = 0, hi = l->nfunc, off;
	const uint8_t *ft = l->pcln + l->ftaboff;

	if (l->ftaboff + (l->nfunc + 1) * entsz > l->size)
		return NULL;
	while (hi - lo > 1) {	/* the last entry whose start is <= pc */
		size_t mid = (lo + hi) / 2;
		uint64_t e = entsz == 8 ? l->text + gobin_le32(ft + mid * 8) : gobin_le64(ft + mid * 16);

		if (e <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if (entsz == 8) {
		*entry = l->text + gobin_le32(ft + lo * 8);
		if (pc < *entry || pc >= l->text + gobin_le32(ft + (lo + 1) * 8))
			return NULL;
		off = l->ftaboff + gobin_le32(ft + lo * 8 + 4);
	} else {
		*entry = gobin_le64(ft + lo * 16);
		if (pc < *entry || pc >= gobin_le64(ft + (lo + 1) * 16))
			return NULL;
		off = l->ftaboff + gobin_le64(ft + lo * 16 + 8);
	}
	if (off + 48 > l->size)
		return NULL;
	return l->pcln + off;
}

/*
 * The value of the pc-value table at offset off in pctab for target: pairs of (value delta,
 * zig-zag; pc delta in quanta), starting from -1 at the entry. -1 for no table (offset 0);
 * false when the table is corrupt or does not cover target.
 */
static bool pcvalue(const struct go_lines *l, uint32_t off, uint64_t entry, uint64_t target,
		    int32_t *val)
{
	const uint8_t *p = l->pcln + l->pcoff + off, *end = l->pcln + l->size;
	uint64_t pc = entry, uv, pd;
	bool first = true;
	size_t n;

	*val = -1;
	if (!off)
		return true;
	while (p < end) {
		n = gobin_uvarint(p, end, &uv);
		if (!n || (!uv && !first))
			return false;
		p += n;
		/* in unsigned: a corrupt table's deltas wrap (as Go's int32 does), not overflow */
		*val = (int32_t)((uint32_t)*val + (uint32_t)((uv & 1) ? ~(uv >> 1) : (uv >> 1)));
		n = gobin_uvarint(p, end, &pd);
		if (!n)
			return false;
		p += n;
		pc += pd * l->min_lc;
		if (target < pc)
			return true;
		first = false;
	}
	return false;
}

/* Field offsets in _func by version. */
static size_t fn_hdr(const struct go_lines *l)
{
	return l->ver == V116 ? 44 : l->ver == V118 ? 40 : 44;
}

static uint32_t fn_u32(const struct go_lines *l, const uint8_t *f, int field)
{
	/* fields after entry: 0 nameOff, 1 args, 2 deferreturn, 3 pcsp, 4 pcfile, 5 pcln,
	 * 6 npcdata, 7 cuOffset */
	return gobin_le32(f + (l->ver == V116 ? 8 : 4) + field * 4);
}

static uint8_t fn_byte(const struct go_lines *l, const uint8_t *f, int which)
{
	/* which: 0 funcID, 1 flag, 3 nfuncdata */
	return f[(l->ver == V116 ? 40 : l->ver == V118 ? 36 : 40) + which];
}

static const char *file_of(const struct go_lines *l, const uint8_t *f, int32_t fileno)
{
	uint64_t cu = fn_u32(l, f, 7), off;

	if (fileno < 0 || l->cuoff + (cu + fileno + 1) * 4 > l->size)
		return NULL;
	off = gobin_le32(l->pcln + l->cuoff + (cu + fileno) * 4);
	if (off == 0xffffffff)
		return NULL;
	return tab_str(l, l->fileoff, off);
}

/* The inline tree of f, or NULL. */
static const uint8_t *inl_tree(const struct go_lines *l, const uint8_t *f)
{
	uint32_t npcdata = fn_u32(l, f, 6), nfuncdata = fn_byte(l, f, 3);
	size_t at = fn_hdr(l) + npcdata * 4;
	const uint8_t *limit = l->bin->map + l->bin->size;

	if (nfuncdata <= FUNCDATA_INL_TREE || f + at + (nfuncdata + 1) * 8 > limit)
		return NULL;
	if (l->ver == V116) {
		uint64_t addr;

		at = (at + 7) & ~(size_t)7;	/* _func is 8-aligned */
		addr = gobin_le64(f + at + FUNCDATA_INL_TREE * 8);
		return addr ? gobin_bytes(l->bin, addr, 20) : NULL;
	} else {
		uint32_t off = gobin_le32(f + at + FUNCDATA_INL_TREE * 4);

		if (off == 0xffffffff || !l->gofunc)
			return NULL;
		return gobin_bytes(l->bin, l->gofunc + off, 16);
	}
}

static void set_pos(const struct go_lines *l, const uint8_t *f, uint64_t entry, uint64_t pc,
		    struct go_frame *fr)
{
	int32_t fileno, line;

	fr->file = "";
	fr->line = 0;
	if (pcvalue(l, fn_u32(l, f, 4), entry, pc, &fileno)) {
		const char *file = file_of(l, f, fileno);

		fr->file = file ? file : "";
	}
	if (pcvalue(l, fn_u32(l, f, 5), entry, pc, &line) && line > 0)
		fr->line = line;
}

int go_lines__frames(const struct go_lines *l, uint64_t pc, bool ret, struct go_frame *out,
		     int max)
{
	const uint8_t *f, *tree;
	uint64_t entry;
	int n = 0, guard;
	int32_t ix;

	if (max <= 0)
		return 0;
	/*
	 * A return address: the call's position is pc - 1, in the function that holds pc (Go's
	 * unwinder looks the function up by pc, then the position by pc - 1 but at its entry,
	 * where a frame made to look called stands: runtime.systemstack_switch's).
	 */
	f = find_func(l, pc, &entry);
	if (ret && (!f || pc > entry)) {
		pc--;
		f = find_func(l, pc, &entry);
	}
	if (!f)
		return -ENOENT;
	tree = inl_tree(l, f);
	for (guard = 0; tree && guard < 64 && n < max - 1; guard++) {
		size_t esz = l->ver == V120 ? 16 : 20;
		uint32_t npcdata = fn_u32(l, f, 6), tabs;
		const uint8_t *e;
		const char *name;

		if (npcdata <= PCDATA_INL_TREE_INDEX)
			break;
		tabs = gobin_le32(f + fn_hdr(l) + PCDATA_INL_TREE_INDEX * 4);
		if (!pcvalue(l, tabs, entry, pc, &ix) || ix < 0)
			break;
		e = tree + (size_t)ix * esz;
		if (e + esz > l->bin->map + l->bin->size)
			break;
		name = tab_str(l, l->nameoff, gobin_le32(e + (l->ver == V120 ? 4 : 12)));
		out[n].func = name ? name : "?";
		out[n].inlined = true;
		out[n].wrapper = e[l->ver == V120 ? 0 : 2] == l->wrapper_id;
		out[n].entry = entry;
		out[n].start_line = l->ver == V120 ? (int)gobin_le32(e + 12) : 0;
		set_pos(l, f, entry, pc, &out[n]);
		n++;
		pc = entry + (int32_t)gobin_le32(e + (l->ver == V120 ? 8 : 16));
	}
	{
		const char *name = tab_str(l, l->nameoff, fn_u32(l, f, 0));

		out[n].func = name ? name : "?";
	}
	out[n].inlined = false;
	out[n].wrapper = fn_byte(l, f, 0) == l->wrapper_id;
	out[n].entry = entry;
	out[n].start_line = l->ver == V120 ? (int)gobin_le32(f + 36) : 0;
	set_pos(l, f, entry, pc, &out[n]);
	return n + 1;
}

int go_lines__func_flags(const struct go_lines *l, uint64_t pc)
{
	uint64_t entry;
	const uint8_t *f = find_func(l, pc, &entry);
	const char *name;
	int flags = 0;

	if (!f)
		return -ENOENT;
	if (fn_byte(l, f, 0) == l->wrapper_id)
		flags |= GO_FUNC_WRAPPER;
	if (l->ver != V116 || gobin_go_minor(l->bin) >= 117) {	/* 1.16 has no flags */
		flags |= fn_byte(l, f, 1) & FUNC_FLAG_TOP_FRAME ? GO_FUNC_TOP : 0;
		flags |= fn_byte(l, f, 1) & FUNC_FLAG_SPWRITE ? GO_FUNC_SPWRITE : 0;
		return flags;
	}
	name = tab_str(l, l->nameoff, fn_u32(l, f, 0));
	if (name && (!strcmp(name, "runtime.goexit") || !strcmp(name, "runtime.mstart") ||
		     !strcmp(name, "runtime.rt0_go")))
		flags |= GO_FUNC_TOP;
	return flags;
}

bool go_lines__top_frame(const struct go_lines *l, uint64_t pc)
{
	int flags = go_lines__func_flags(l, pc);

	return flags > 0 && (flags & GO_FUNC_TOP);
}

int go_lines__sp_delta(const struct go_lines *l, uint64_t pc, int32_t *delta)
{
	uint64_t entry;
	const uint8_t *f = find_func(l, pc, &entry);

	if (!f)
		return -ENOENT;
	if (!pcvalue(l, fn_u32(l, f, 3), entry, pc, delta))
		return -ENOEXEC;
	if (*delta == -1 && !fn_u32(l, f, 3))	/* no table: a frameless function */
		*delta = 0;
	return 0;
}
