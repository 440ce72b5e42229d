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
 * function whose position is the call's (parentPc). The layouts of the header, _func and the
 * inline tree's entries are the pclntab version's (release.c: go_layout).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary_priv.h"

struct go_lines {
	struct go_binary *bin;
	const struct go_layout *lay;	/* the binary's, by its pclntab's version */
	const uint8_t *pcln;
	size_t size;
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

/* moduledata.gofunc (1.18+), what funcdata offsets count from; 0 when unknown. */
static uint64_t find_gofunc(const struct go_lines *l)
{
	const uint8_t *w;

	if (!l->lay->moduledata || l->lay->md.gofunc.val < 0 ||
	    !(w = gobin_bytes(l->bin, l->lay->moduledata + l->lay->md.gofunc.val, 8)))
		return 0;
	return gobin_le64(w);
}

/* A _func's field (layout: its offset, known in every version that reads it). */
static uint32_t fn_u32(const uint8_t *f, struct go_fact at)
{
	return gobin_le32(f + at.val);
}

static uint8_t fn_u8(const uint8_t *f, struct go_fact at)
{
	return f[at.val];
}

/* The offset of the i-th function's _func from the function table, and the table's i-th entry. */
static uint64_t ftab_func(const struct go_lines *l, size_t i)
{
	const uint8_t *ft = l->pcln + l->ftaboff;

	return l->lay->hdr.ftab_entry.val == 8 ? gobin_le32(ft + i * 8 + 4) :
						gobin_le64(ft + i * 16 + 8);
}

static uint64_t ftab_entry(const struct go_lines *l, size_t i)
{
	const uint8_t *ft = l->pcln + l->ftaboff;

	return l->lay->hdr.ftab_entry.val == 8 ? l->text + gobin_le32(ft + i * 8) :
						gobin_le64(ft + i * 16);
}

/* Does the function table, with its closing entry, lie in the pclntab? */
static bool ftab_fits(const struct go_lines *l)
{
	return l->ftaboff + (l->nfunc + 1) * (uint64_t)l->lay->hdr.ftab_entry.val <= l->size;
}

/*
 * The funcID Go gives the code it makes itself (ABI wrappers, method value and pointer
 * receiver wrappers, reflect's call trampolines), which its tracebacks leave out: the release's
 * (release.c). For a release not in the table, the largest funcID in the binary, which is that
 * one in every release there.
 */
static int wrapper_id(const struct go_lines *l)
{
	int max = -1;
	size_t i;

	if (l->lay->func.wrapper_id.val >= 0)
		return l->lay->func.wrapper_id.val;
	if (!ftab_fits(l))
		return -1;
	for (i = 0; i < l->nfunc; i++) {
		uint64_t off = ftab_func(l, i);

		if (off < l->size - l->ftaboff && l->size - l->ftaboff - off >= 48 &&
		    fn_u8(l->pcln + l->ftaboff + off, l->lay->func.func_id) > max)
			max = fn_u8(l->pcln + l->ftaboff + off, l->lay->func.func_id);
	}
	return max;
}

static struct go_lines *lines_fail(struct go_lines *l, int err, const char *why,
				   const struct go_binary *bin)
{
	free(l);
	go_fail(err, why, go_binary__name(bin));
	errno = err;
	return NULL;
}

/* The header's offsets of the tables. */
static void lines_header(struct go_lines *l)
{
	const struct go_layout *lay = l->lay;

	l->min_lc = l->pcln[6];
	l->nfunc = gobin_le64(l->pcln + lay->hdr.nfunc.val);
	l->nameoff = gobin_le64(l->pcln + lay->hdr.funcname.val);
	l->cuoff = gobin_le64(l->pcln + lay->hdr.cu.val);
	l->fileoff = gobin_le64(l->pcln + lay->hdr.filetab.val);
	l->pcoff = gobin_le64(l->pcln + lay->hdr.pctab.val);
	l->ftaboff = gobin_le64(l->pcln + lay->hdr.pcln.val);
	if (lay->hdr.ftab_entry.val == 8) {
		l->text = l->bin->text_start;
		l->gofunc = find_gofunc(l);
	}
}

struct go_lines *go_lines__open(struct go_binary *bin)
{
	struct go_lines *l;
	uint64_t addr = 0;
	const uint8_t *p;
	size_t size = 0;

	p = gobin_pcln(bin, &size, &addr);
	if (!p || size < 72)
		return lines_fail(NULL, ENOEXEC, "'%s' has no Go line table", bin);
	l = calloc(1, sizeof(*l));
	if (!l)
		return lines_fail(NULL, ENOMEM, "out of memory", bin);
	l->bin = bin;
	l->lay = &bin->layout;
	l->pcln = p;
	l->size = size;
	if (l->lay->pcln_version < 116)
		return lines_fail(l, ENOTSUP, "'%s' is older than Go 1.16: no line table support",
				  bin);
	lines_header(l);
	if (l->ftaboff >= size || l->pcoff >= size || l->fileoff >= size || l->cuoff >= size ||
	    l->nameoff >= size)
		return lines_fail(l, ENOEXEC, "'%s' has a corrupt line table", bin);
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
	size_t lo = 0, hi = l->nfunc;
	uint64_t off;

	if (!ftab_fits(l))
		return NULL;
	while (hi - lo > 1) {	/* the last entry whose start is <= pc */
		size_t mid = (lo + hi) / 2;

		if (ftab_entry(l, mid) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	*entry = ftab_entry(l, lo);
	if (pc < *entry || pc >= ftab_entry(l, lo + 1))
		return NULL;
	off = l->ftaboff + ftab_func(l, lo);
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

static const char *file_of(const struct go_lines *l, const uint8_t *f, int32_t fileno)
{
	uint64_t cu = fn_u32(f, l->lay->func.cu), off;

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
	const struct go_layout *lay = l->lay;
	uint32_t npcdata = fn_u32(f, lay->func.npcdata), nfuncdata = fn_u8(f, lay->func.nfuncdata);
	size_t at = lay->func.pcdata.val + npcdata * 4, size = lay->inl.size.val;
	const uint8_t *limit = l->bin->map + l->bin->size;

	if (nfuncdata <= GO_FUNCDATA_INL_TREE || f + at + (nfuncdata + 1) * 8 > limit)
		return NULL;
	if (lay->func.funcdata_size.val == 8) {	/* addresses */
		uint64_t addr;

		at = (at + 7) & ~(size_t)7;	/* _func is 8-aligned */
		addr = gobin_le64(f + at + GO_FUNCDATA_INL_TREE * 8);
		return addr ? gobin_bytes(l->bin, addr, size) : NULL;
	} else {		/* offsets from moduledata.gofunc */
		uint32_t off = gobin_le32(f + at + GO_FUNCDATA_INL_TREE * 4);

		if (off == 0xffffffff || !l->gofunc)
			return NULL;
		return gobin_bytes(l->bin, l->gofunc + off, size);
	}
}

static void set_pos(const struct go_lines *l, const uint8_t *f, uint64_t entry, uint64_t pc,
		    struct go_frame *fr)
{
	int32_t fileno, line;

	fr->file = "";
	fr->line = 0;
	if (pcvalue(l, fn_u32(f, l->lay->func.pcfile), entry, pc, &fileno)) {
		const char *file = file_of(l, f, fileno);

		fr->file = file ? file : "";
	}
	if (pcvalue(l, fn_u32(f, l->lay->func.pcln), entry, pc, &line) && line > 0)
		fr->line = line;
}

/* A field of an inline tree's entry e (0 where the version has none). */
static int32_t inl_i32(const uint8_t *e, struct go_fact at)
{
	return at.val >= 0 ? (int32_t)gobin_le32(e + at.val) : 0;
}

/*
 * The call inlined at pc, from f's inline tree, into *fr; false when there is none. *pc becomes
 * the position of the call in the function it was inlined into.
 */
static bool inl_frame(const struct go_lines *l, const uint8_t *f, const uint8_t *tree,
		      uint64_t entry, uint64_t *pc, struct go_frame *fr)
{
	const struct go_layout *lay = l->lay;
	size_t esz = lay->inl.size.val;
	const uint8_t *e;
	const char *name;
	uint32_t tabs;
	int32_t ix;

	if (fn_u32(f, lay->func.npcdata) <= GO_PCDATA_INL_TREE_INDEX)
		return false;
	tabs = gobin_le32(f + lay->func.pcdata.val + GO_PCDATA_INL_TREE_INDEX * 4);
	if (!pcvalue(l, tabs, entry, *pc, &ix) || ix < 0)
		return false;
	e = tree + (size_t)ix * esz;
	if (e + esz > l->bin->map + l->bin->size)
		return false;
	name = tab_str(l, l->nameoff, (uint32_t)inl_i32(e, lay->inl.name));
	fr->func = name ? name : "?";
	fr->inlined = true;
	fr->wrapper = e[lay->inl.func_id.val] == l->wrapper_id;
	fr->entry = entry;
	fr->start_line = inl_i32(e, lay->inl.start_line);
	set_pos(l, f, entry, *pc, fr);
	*pc = entry + inl_i32(e, lay->inl.parent_pc);
	return true;
}

int go_lines__frames(const struct go_lines *l, uint64_t pc, bool ret, struct go_frame *out,
		     int max)
{
	const struct go_layout *lay = l->lay;
	const uint8_t *f, *tree;
	const char *name;
	uint64_t entry;
	int n = 0;

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
	while (tree && n < 64 && n < max - 1 && inl_frame(l, f, tree, entry, &pc, &out[n]))
		n++;
	name = tab_str(l, l->nameoff, fn_u32(f, lay->func.name));
	out[n].func = name ? name : "?";
	out[n].inlined = false;
	out[n].wrapper = fn_u8(f, lay->func.func_id) == l->wrapper_id;
	out[n].entry = entry;
	out[n].start_line = lay->func.start_line.val >= 0 ? (int)fn_u32(f, lay->func.start_line) : 0;
	set_pos(l, f, entry, pc, &out[n]);
	return n + 1;
}

int go_lines__func_flags(const struct go_lines *l, uint64_t pc)
{
	const struct go_layout *lay = l->lay;
	uint64_t entry;
	const uint8_t *f = find_func(l, pc, &entry);
	const char *name;
	int flags = 0;

	if (!f)
		return -ENOENT;
	if (fn_u8(f, lay->func.func_id) == l->wrapper_id)
		flags |= GO_FUNC_WRAPPER;
	if (lay->func.flag.val >= 0) {	/* Go 1.16 has no flags */
		flags |= fn_u8(f, lay->func.flag) & GO_FUNC_FLAG_TOP_FRAME ? GO_FUNC_TOP : 0;
		flags |= fn_u8(f, lay->func.flag) & GO_FUNC_FLAG_SPWRITE ? GO_FUNC_SPWRITE : 0;
		return flags;
	}
	name = tab_str(l, l->nameoff, fn_u32(f, lay->func.name));
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

/* Does the pc-value table at off hold value v anywhere? */
static bool pcvalue_has(const struct go_lines *l, uint32_t off, int32_t v)
{
	const uint8_t *p = l->pcln + l->pcoff + off, *end = l->pcln + l->size;
	uint64_t uv, pd;
	int32_t val = -1;
	bool first = true;
	size_t n;

	while (off && p < end) {
		n = gobin_uvarint(p, end, &uv);
		if (!n || (!uv && !first))
			return false;
		p += n;
		val = (int32_t)((uint32_t)val + (uint32_t)((uv & 1) ? ~(uv >> 1) : (uv >> 1)));
		if (val == v)
			return true;
		n = gobin_uvarint(p, end, &pd);
		if (!n)
			return false;
		p += n;
		first = false;
	}
	return false;
}

bool go_lines__restarts_at(const struct go_lines *l, uint64_t pc, bool *restart)
{
	uint64_t entry;
	const uint8_t *f = find_func(l, pc, &entry);
	int32_t v, prev;
	uint32_t off;

	*restart = false;
	if (!f || fn_u32(f, l->lay->func.npcdata) <= GO_PCDATA_UNSAFE_POINT)
		return false;
	off = gobin_le32(f + l->lay->func.pcdata.val + GO_PCDATA_UNSAFE_POINT * 4);
	if (!off || !pcvalue(l, off, entry, pc, &v))
		return false;
	*restart = v == GO_UNSAFE_RESTART1 || v == GO_UNSAFE_RESTART2;
	if (pc == entry && pcvalue_has(l, off, GO_UNSAFE_RESTART_AT_ENTRY))
		return true;
	if (!*restart)
		return false;
	return pc == entry || pc < (uint64_t)l->min_lc ||
	       !pcvalue(l, off, entry, pc - (uint64_t)l->min_lc, &prev) || prev != v;
}

int go_lines__sp_delta(const struct go_lines *l, uint64_t pc, int32_t *delta)
{
	uint64_t entry;
	const uint8_t *f = find_func(l, pc, &entry);

	if (!f)
		return -ENOENT;
	if (!pcvalue(l, fn_u32(f, l->lay->func.pcsp), entry, pc, delta))
		return -ENOEXEC;
	if (*delta == -1 && !fn_u32(f, l->lay->func.pcsp))	/* no table: a frameless function */
		*delta = 0;
	return 0;
}

/* ---- a function's whole inline tree ---------------------------------------------------- */

#define INL_MAX_RANGES 65536	/* a corrupt table's end: more ranges than any function has */
#define INL_MAX_CALLS 32768

/* Append the range [lo, hi) of inline index ix to t; merged with the last when contiguous. */
static int inl_range_add(struct go_inl_tree *t, uint64_t lo, uint64_t hi, int32_t ix)
{
	struct go_inl_range *r;

	if (t->nranges && t->ranges[t->nranges - 1].hi == lo && t->ranges[t->nranges - 1].ix == ix) {
		t->ranges[t->nranges - 1].hi = hi;
		return 0;
	}
	if (t->nranges >= INL_MAX_RANGES)
		return -ENOEXEC;
	if (!(t->nranges & (t->nranges + 1)) || !t->ranges) {	/* 0, 1, 3, 7...: full */
		r = realloc(t->ranges, (t->nranges * 2 + 2) * sizeof(*r));
		if (!r)
			return -ENOMEM;
		t->ranges = r;
	}
	t->ranges[t->nranges++] = (struct go_inl_range){ lo, hi, ix };
	return 0;
}

/* The ranges of f's PCDATA_InlTreeIndex table, from entry to end, as pcvalue reads them. */
static int inl_ranges(const struct go_lines *l, uint32_t off, uint64_t entry, uint64_t end,
		      struct go_inl_tree *t)
{
	const uint8_t *p = l->pcln + l->pcoff + off, *lim = l->pcln + l->size;
	uint64_t pc = entry, uv, pd;
	int32_t val = -1;
	bool first = true;
	size_t n;
	int err;

	while (off && p < lim && pc < end) {
		n = gobin_uvarint(p, lim, &uv);
		if (!n || (!uv && !first))
			break;
		p += n;
		val = (int32_t)((uint32_t)val + (uint32_t)((uv & 1) ? ~(uv >> 1) : (uv >> 1)));
		n = gobin_uvarint(p, lim, &pd);
		if (!n)
			return -ENOEXEC;
		p += n;
		/* past the function's end (without wrapping): the last range */
		if (l->min_lc && pd > (end - pc) / (uint64_t)l->min_lc)
			return inl_range_add(t, pc, end, val);
		err = inl_range_add(t, pc, pc + pd * l->min_lc, val);
		if (err)
			return err;
		pc += pd * l->min_lc;
		first = false;
	}
	return 0;
}

/* The inline index at pc in t's ranges; -1 when none. */
int32_t go_inl_tree__index_at(const struct go_inl_tree *t, uint64_t pc)
{
	size_t lo = 0, hi = t->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->ranges[mid].hi <= pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nranges && t->ranges[lo].lo <= pc ? t->ranges[lo].ix : -1;
}

/* The calls of t, read from f's tree: their names, marks and parents. */
static int inl_calls(const struct go_lines *l, const uint8_t *tree, uint64_t entry, uint64_t end,
		     struct go_inl_tree *t)
{
	const struct go_layout *lay = l->lay;
	size_t esz = lay->inl.size.val, i;
	int32_t max = -1;

	for (i = 0; i < t->nranges; i++)
		max = t->ranges[i].ix > max ? t->ranges[i].ix : max;
	if (max < 0)
		return 0;
	if (max >= INL_MAX_CALLS ||
	    tree + (size_t)(max + 1) * esz > l->bin->map + l->bin->size)
		return -ENOEXEC;
	t->calls = calloc((size_t)max + 1, sizeof(*t->calls));
	if (!t->calls)
		return -ENOMEM;
	t->ncalls = (size_t)max + 1;
	for (i = 0; i < t->ncalls; i++) {
		const uint8_t *e = tree + i * esz;
		const char *name = tab_str(l, l->nameoff, (uint32_t)inl_i32(e, lay->inl.name));
		uint64_t mark = entry + (uint32_t)inl_i32(e, lay->inl.parent_pc);

		t->calls[i].func = name ? name : "?";
		t->calls[i].mark = mark < end ? mark : 0;
		t->calls[i].wrapper = e[lay->inl.func_id.val] == l->wrapper_id;
		/* Go <= 1.19 says the parent (an int16); later, it is the index at the mark */
		if (lay->inl.parent.val >= 0)
			t->calls[i].parent = (int16_t)(e[lay->inl.parent.val] |
						       e[lay->inl.parent.val + 1] << 8);
		else
			t->calls[i].parent = mark < end ? go_inl_tree__index_at(t, mark) : -1;
		if (t->calls[i].parent >= (int32_t)t->ncalls || t->calls[i].parent < -1)
			t->calls[i].parent = -1;
	}
	return 0;
}

int go_lines__inl_tree(const struct go_lines *l, const struct go_func *fn, struct go_inl_tree *t)
{
	const uint8_t *f, *tree;
	uint64_t entry;
	int err;

	memset(t, 0, sizeof(*t));
	f = find_func(l, fn->entry, &entry);
	if (!f || entry != fn->entry)
		return -ENOENT;
	tree = inl_tree(l, f);
	if (!tree || fn_u32(f, l->lay->func.npcdata) <= GO_PCDATA_INL_TREE_INDEX)
		return 0;
	err = inl_ranges(l, gobin_le32(f + l->lay->func.pcdata.val + GO_PCDATA_INL_TREE_INDEX * 4),
			 entry, fn->end, t);
	if (!err)
		err = inl_calls(l, tree, entry, fn->end, t);
	if (err)
		go_inl_tree__free(t);
	return err;
}

void go_inl_tree__free(struct go_inl_tree *t)
{
	free(t->calls);
	free(t->ranges);
	memset(t, 0, sizeof(*t));
}

bool go_inl_tree__within(const struct go_inl_tree *t, int32_t ix, int32_t call)
{
	size_t depth;

	for (depth = 0; ix >= 0 && (size_t)ix < t->ncalls && depth <= t->ncalls; depth++) {
		if (ix == call)
			return true;
		ix = t->calls[ix].parent;
	}
	return false;
}
