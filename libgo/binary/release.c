// SPDX-License-Identifier: Apache-2.0
/*
 * Each Go release's layouts, decided once per binary: the pclntab's version (from its magic)
 * and its header, _func and inlinedCall records; where runtime.firstmoduledata is and its
 * fields; runtime.g's and runtime.m's fields, from DWARF where the binary has it. The tables
 * below hold what each release's DWARF says (amd64; tests/test_release.py checks them against
 * the DWARF of a binary of every release the tests build); a release they do not list has its
 * facts unknown, never guessed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "binary/binary_priv.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define T(v) { (v), (v) < 0 ? GO_FACT_UNKNOWN : GO_FACT_TABLE }
#define NONE T(-1)

/* ---- the tables ----------------------------------------------------------------------------- */

/* By pclntab version (the header's magic): the header's words, _func and inlinedCall. */
static const struct pcln_row {
	uint32_t magic;
	int version;
	struct go_fact nfunc, text_start, funcname, cu, filetab, pctab, pcln, ftab_entry;
	struct go_fact entry, name, args, deferreturn, pcsp, pcfile, pcln_tab, npcdata, fcu,
		start_line, func_id, flag, nfuncdata, pcdata, funcdata_size;
	struct go_fact size, parent, ifunc_id, file, line, iname, parent_pc, istart_line;
} pcln_rows[] = {
	{ 0xfffffffb, 112, T(8), NONE, NONE, NONE, NONE, NONE, NONE, T(16),
	  T(0), T(8), T(12), NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE,
	  NONE,
	  NONE, NONE, NONE, NONE, NONE, NONE, NONE, NONE },
	{ 0xfffffffa, 116, T(8), NONE, T(24), T(32), T(40), T(48), T(56), T(16),
	  T(0), T(8), T(12), T(16), T(20), T(24), T(28), T(32), T(36), NONE, T(40), T(41), T(43),
	  T(44), T(8),
	  T(20), T(0), T(2), T(4), T(8), T(12), T(16), NONE },
	{ 0xfffffff0, 118, T(8), T(24), T(32), T(40), T(48), T(56), T(64), T(8),
	  T(0), T(4), T(8), T(12), T(16), T(20), T(24), T(28), T(32), NONE, T(36), T(37), T(39),
	  T(40), T(4),
	  T(20), T(0), T(2), T(4), T(8), T(12), T(16), NONE },
	{ 0xfffffff1, 120, T(8), T(24), T(32), T(40), T(48), T(56), T(64), T(8),
	  T(0), T(4), T(8), T(12), T(16), T(20), T(24), T(28), T(32), T(36), T(40), T(41), T(43),
	  T(44), T(4),
	  T(16), NONE, T(0), NONE, NONE, T(4), T(8), T(12) },
};

/*
 * By release: moduledata's fields, runtime.g's and runtime.m's, and the wrapper funcID (the
 * last of runtime's funcIDs: internal/abi's FuncIDWrapper, runtime's funcID_wrapper before
 * 1.21). Go 1.23-1.24 added g.syscallbp before goid; 1.25 dropped gobuf.ret (g and m shrank).
 */
static const struct release_row {
	int from, to;			/* go1.<from - 100> .. go1.<to - 100> */
	int wrapper_id;
	int types, etypes, gofunc, textsectmap;	/* moduledata */
	int atomicstatus, goid, waitreason, labels;	/* g */
	int procid, gsignal, curg;	/* m */
} release_rows[] = {
	{ 116, 116, 22, 280, 288, -1, 296, 144, 152, 176, 344, 72, 80, 192 },
	{ 117, 117, 22, 280, 288, -1, 296, 144, 152, 176, 360, 72, 80, 192 },
	{ 118, 119, 21, 280, 288, 304, 312, 144, 152, 176, 360, 72, 80, 192 },
	{ 120, 120, 21, 296, 304, 320, 328, 144, 152, 176, 360, 72, 80, 192 },
	{ 121, 121, 21, 296, 304, 320, 328, 144, 152, 176, 344, 72, 80, 192 },
	{ 122, 122, 22, 296, 304, 320, 328, 144, 152, 176, 344, 72, 80, 192 },
	{ 123, 124, 22, 296, 304, 320, 328, 152, 160, 184, 352, 72, 80, 192 },
	{ 125, 125, 23, 296, 304, 320, 328, 144, 152, 176, 344, 64, 72, 184 },
	{ 126, 126, 23, 296, 304, 320, 336, 144, 152, 176, 352, 64, 72, 184 },
};

/*
 * By release from Go 1.22, the first with coroutines (runtime/coro.go, iter.Pull's): g.coroarg
 * (the *coro a switch is of) and g.coroexit (a bool: the switch ends the goroutine); coro.gp
 * is its first word in every such release.
 */
static const struct coro_row {
	int from, to;
	int coroarg, coroexit;
} coro_rows[] = {
	{ 122, 122, 368, 187 },
	{ 123, 124, 384, 195 },
	{ 125, 125, 376, 187 },
	{ 126, 126, 384, 187 },
};
#define CORO_GP 0

/* The same in every release listed */
#define G_M 48
#define M_G0 0
/* moduledata: {pcHeader, funcnametab, cutab, filetab, pctab, pclntable, ftab, findfunctab,
 * minpc, maxpc, text, ...} */
#define MD_FUNCNAMETAB 8
#define MD_PCLNTABLE 104
#define MD_FTAB 128
#define MD_TEXT 176
/* runtime.hmap up to Go 1.23: {count int, flags, B uint8, noverflow uint16, hash0 uint32,
 * buckets, oldbuckets unsafe.Pointer, ...} */
#define HMAP_COUNT GO_MAP_COUNT
#define HMAP_B GO_MAP_B
#define HMAP_BUCKETS GO_MAP_GROUP
#define HMAP_OLDBUCKETS GO_MAP_MORE

/* ---- the facts by name, and where DWARF says each ------------------------------------------- */

static const struct fact_desc {
	const char *name;
	size_t at;		/* offsetof(struct go_layout, ...) */
	const char *type;	/* the runtime's struct */
	const char *member;	/* "a|b": either name; "" for the struct's size */
	int plus;		/* added to DWARF's offset */
} facts[] = {
#define F(name, field, type, member, plus) \
	{ name, offsetof(struct go_layout, field), type, member, plus }
	F("abi.regabi", regabi, NULL, NULL, 0),
	F("pcHeader.nfunc", hdr.nfunc, "runtime.pcHeader", "nfunc", 0),
	F("pcHeader.textStart", hdr.text_start, "runtime.pcHeader", "textStart", 0),
	F("pcHeader.funcnameOffset", hdr.funcname, "runtime.pcHeader", "funcnameOffset", 0),
	F("pcHeader.cuOffset", hdr.cu, "runtime.pcHeader", "cuOffset", 0),
	F("pcHeader.filetabOffset", hdr.filetab, "runtime.pcHeader", "filetabOffset", 0),
	F("pcHeader.pctabOffset", hdr.pctab, "runtime.pcHeader", "pctabOffset", 0),
	F("pcHeader.pclnOffset", hdr.pcln, "runtime.pcHeader", "pclnOffset", 0),
	F("functab.size", hdr.ftab_entry, "runtime.functab", "", 0),
	F("_func.entry", func.entry, "runtime._func", "entryOff|entryoff|entry", 0),
	F("_func.nameOff", func.name, "runtime._func", "nameOff|nameoff", 0),
	F("_func.args", func.args, "runtime._func", "args", 0),
	F("_func.deferreturn", func.deferreturn, "runtime._func", "deferreturn", 0),
	F("_func.pcsp", func.pcsp, "runtime._func", "pcsp", 0),
	F("_func.pcfile", func.pcfile, "runtime._func", "pcfile", 0),
	F("_func.pcln", func.pcln, "runtime._func", "pcln", 0),
	F("_func.npcdata", func.npcdata, "runtime._func", "npcdata", 0),
	F("_func.cuOffset", func.cu, "runtime._func", "cuOffset", 0),
	F("_func.startLine", func.start_line, "runtime._func", "startLine", 0),
	F("_func.funcID", func.func_id, "runtime._func", "funcID", 0),
	F("_func.flag", func.flag, "runtime._func", "flag", 0),
	F("_func.nfuncdata", func.nfuncdata, "runtime._func", "nfuncdata", 0),
	F("_func.pcdata", func.pcdata, "runtime._func", "nfuncdata", 1),
	F("_func.funcdata_size", func.funcdata_size, NULL, NULL, 0),
	F("funcID.wrapper", func.wrapper_id, "",
	  "internal/abi.FuncIDWrapper|runtime.funcID_wrapper", 0),
	F("inlinedCall.size", inl.size, "runtime.inlinedCall", "", 0),
	F("inlinedCall.parent", inl.parent, "runtime.inlinedCall", "parent", 0),
	F("inlinedCall.funcID", inl.func_id, "runtime.inlinedCall", "funcID", 0),
	F("inlinedCall.file", inl.file, "runtime.inlinedCall", "file", 0),
	F("inlinedCall.line", inl.line, "runtime.inlinedCall", "line", 0),
	F("inlinedCall.nameOff", inl.name, "runtime.inlinedCall", "nameOff|func_", 0),
	F("inlinedCall.parentPc", inl.parent_pc, "runtime.inlinedCall", "parentPc", 0),
	F("inlinedCall.startLine", inl.start_line, "runtime.inlinedCall", "startLine", 0),
	F("moduledata.funcnametab", md.funcnametab, "runtime.moduledata", "funcnametab", 0),
	F("moduledata.pclntable", md.pclntable, "runtime.moduledata", "pclntable", 0),
	F("moduledata.ftab", md.ftab, "runtime.moduledata", "ftab", 0),
	F("moduledata.text", md.text, "runtime.moduledata", "text", 0),
	F("moduledata.types", md.types, "runtime.moduledata", "types", 0),
	F("moduledata.etypes", md.etypes, "runtime.moduledata", "etypes", 0),
	F("moduledata.gofunc", md.gofunc, "runtime.moduledata", "gofunc", 0),
	F("moduledata.textsectmap", md.textsectmap, "runtime.moduledata", "textsectmap", 0),
	F("g.stack.hi", g.stack_hi, "runtime.g", "stack.hi", 0),
	F("g.m", g.m, "runtime.g", "m", 0),
	F("g.atomicstatus", g.atomicstatus, "runtime.g", "atomicstatus", 0),
	F("g.goid", g.goid, "runtime.g", "goid", 0),
	F("g.waitreason", g.waitreason, "runtime.g", "waitreason", 0),
	F("g.labels", g.labels, "runtime.g", "labels", 0),
	F("g.coroarg", g.coroarg, "runtime.g", "coroarg", 0),
	F("g.coroexit", g.coroexit, "runtime.g", "coroexit", 0),
	F("coro.gp", coro.gp, "runtime.coro", "gp", 0),
	F("m.g0", m.g0, "runtime.m", "g0", 0),
	F("m.procid", m.procid, "runtime.m", "procid", 0),
	F("m.gsignal", m.gsignal, "runtime.m", "gsignal", 0),
	F("m.curg", m.curg, "runtime.m", "curg", 0),
	F("hmap.count", hmap.count, "runtime.hmap", "count", 0),
	F("hmap.B", hmap.b, "runtime.hmap", "B", 0),
	F("hmap.buckets", hmap.buckets, "runtime.hmap", "buckets", 0),
	F("hmap.oldbuckets", hmap.oldbuckets, "runtime.hmap", "oldbuckets", 0),
#undef F
};

static struct go_fact *fact_of(struct go_layout *l, size_t i)
{
	return (struct go_fact *)((char *)l + facts[i].at);
}

const struct go_fact *go_layout__fact(const struct go_layout *l, size_t i, const char **name)
{
	if (i >= NELEM(facts))
		return NULL;
	*name = facts[i].name;
	return (const struct go_fact *)((const char *)l + facts[i].at);
}

const char *go_fact_src__name(enum go_fact_src src)
{
	switch (src) {
	case GO_FACT_DWARF:
		return "dwarf";
	case GO_FACT_TABLE:
		return "table";
	case GO_FACT_UNKNOWN:
		break;
	}
	return "unknown";
}

/* ---- at open: the tables' facts ------------------------------------------------------------- */

static struct go_fact tab(int v)
{
	return (struct go_fact){ v, v < 0 ? GO_FACT_UNKNOWN : GO_FACT_TABLE };
}

static void layout_unknown(struct go_layout *l)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < NELEM(facts); i++)
		*fact_of(l, i) = tab(-1);
}

static void layout_pcln(struct go_layout *l, const struct pcln_row *r)
{
	l->pcln_version = r->version;
	l->hdr = (typeof(l->hdr)){ r->nfunc, r->text_start, r->funcname, r->cu, r->filetab,
				   r->pctab, r->pcln, r->ftab_entry };
	l->func.entry = r->entry;
	l->func.name = r->name;
	l->func.args = r->args;
	l->func.deferreturn = r->deferreturn;
	l->func.pcsp = r->pcsp;
	l->func.pcfile = r->pcfile;
	l->func.pcln = r->pcln_tab;
	l->func.npcdata = r->npcdata;
	l->func.cu = r->fcu;
	l->func.start_line = r->start_line;
	l->func.func_id = r->func_id;
	l->func.flag = r->flag;
	l->func.nfuncdata = r->nfuncdata;
	l->func.pcdata = r->pcdata;
	l->func.funcdata_size = r->funcdata_size;
	l->inl = (typeof(l->inl)){ r->size, r->parent, r->ifunc_id, r->file, r->line, r->iname,
				   r->parent_pc, r->istart_line };
	/* Go 1.16 has no _func.flag: its byte is padding (1.17 has the same pclntab) */
	if (r->version == 116 && l->minor != 117)
		l->func.flag = tab(-1);
}

static void layout_release(struct go_layout *l, const struct release_row *r)
{
	l->func.wrapper_id = tab(r->wrapper_id);
	l->md.funcnametab = tab(MD_FUNCNAMETAB);
	l->md.pclntable = tab(MD_PCLNTABLE);
	l->md.ftab = tab(MD_FTAB);
	l->md.text = tab(MD_TEXT);
	l->md.types = tab(r->types);
	l->md.etypes = tab(r->etypes);
	l->md.gofunc = tab(r->gofunc);
	l->md.textsectmap = tab(r->textsectmap);
	l->g.stack_hi = tab(GO_G_STACK_HI);
	l->g.m = tab(G_M);
	l->g.atomicstatus = tab(r->atomicstatus);
	l->g.goid = tab(r->goid);
	l->g.waitreason = tab(r->waitreason);
	l->g.labels = tab(r->labels);
	l->m.g0 = tab(M_G0);
	l->m.procid = tab(r->procid);
	l->m.gsignal = tab(r->gsignal);
	l->m.curg = tab(r->curg);
	l->map_form = l->minor >= 124 ? GO_MAPS_SWISS : GO_MAPS_HASH;
	l->labels_form = l->map_form == GO_MAPS_SWISS ? GO_LABELS_SLICE : GO_LABELS_MAP;
	if (l->labels_form == GO_LABELS_MAP)
		l->hmap = (typeof(l->hmap)){ tab(HMAP_COUNT), tab(HMAP_B), tab(HMAP_BUCKETS),
					     tab(HMAP_OLDBUCKETS) };
}

static void layout_coro(struct go_layout *l, const struct coro_row *r)
{
	l->g.coroarg = tab(r->coroarg);
	l->g.coroexit = tab(r->coroexit);
	l->coro.gp = tab(CORO_GP);
}

/* The register ABI: Go 1.17 and later on amd64 (the arch's regabi_minor); a 1.18+ pclntab says
 * so when the release is unknown. */
static struct go_fact layout_regabi(const struct go_layout *l, const struct go_arch *arch)
{
	if (l->minor)
		return tab(l->minor >= arch->regabi_minor);
	if (l->pcln_version >= 118)
		return tab(1);
	if (l->pcln_version && l->pcln_version < 116)
		return tab(0);
	return tab(-1);
}

/*
 * moduledata begins {pcHeader *pcHeader, funcnametab []byte, ...}: the word pointing at the
 * pclntab's header, followed by one pointing at its function names. Found by the symbol table,
 * Go 1.26's own section, or those two words in .noptrdata (where the linker puts it), then in
 * every segment the binary does not execute.
 */
static bool moduledata_at(const struct go_binary *b, uint64_t a, uint64_t pcln, uint64_t names)
{
	const uint8_t *p = gobin_bytes(b, a, 16);

	return p && gobin_le64(p) == pcln && (!names || gobin_le64(p + 8) == names);
}

static uint64_t moduledata_scan(const struct go_binary *b, uint64_t pcln, uint64_t names)
{
	uint64_t addr = 0, a;
	size_t size = 0;
	int i;

	if (gobin_section_at(b, ".noptrdata", &size, &addr))
		for (a = addr; a + 16 <= addr + size; a += 8)
			if (moduledata_at(b, a, pcln, names))
				return a;
	for (i = 0; i < b->nsegs; i++) {
		const struct go_seg *s = &b->segs[i];

		for (a = s->vaddr; !s->exec && a + 16 <= s->vaddr + s->filesz; a += 8)
			if (moduledata_at(b, a, pcln, names))
				return a;
	}
	return 0;
}

static uint64_t moduledata_find(const struct go_binary *b, const uint8_t *hdr, uint64_t pcln)
{
	const struct go_layout *l = &b->layout;
	uint64_t names = l->hdr.funcname.val >= 0 ? pcln + gobin_le64(hdr + l->hdr.funcname.val) : 0;
	uint64_t md = gobin_symbol(b, "runtime.firstmoduledata", NULL);
	size_t size;

	if (md && moduledata_at(b, md, pcln, names))
		return md;
	if (gobin_section_at(b, ".go.module", &size, &md) && moduledata_at(b, md, pcln, names))
		return md;
	return moduledata_scan(b, pcln, names);
}

int gobin_pcln_version(uint32_t magic)
{
	size_t i;

	for (i = 0; i < NELEM(pcln_rows); i++)
		if (pcln_rows[i].magic == magic)
			return pcln_rows[i].version;
	return 0;
}

void gobin_release_load(struct go_binary *b, const uint8_t *pcln, uint64_t pcln_addr)
{
	struct go_layout *l = &b->layout;
	size_t i;

	layout_unknown(l);
	l->minor = gobin_go_minor(b);
	for (i = 0; pcln && i < NELEM(pcln_rows); i++)
		if (gobin_le32(pcln) == pcln_rows[i].magic)
			layout_pcln(l, &pcln_rows[i]);
	for (i = 0; pcln && i < NELEM(release_rows); i++)
		if (l->minor >= release_rows[i].from && l->minor <= release_rows[i].to)
			layout_release(l, &release_rows[i]);
	for (i = 0; pcln && i < NELEM(coro_rows); i++)
		if (l->minor >= coro_rows[i].from && l->minor <= coro_rows[i].to)
			layout_coro(l, &coro_rows[i]);
	if (!pcln)
		return;
	l->regabi = layout_regabi(l, b->arch);
	if (l->pcln_version >= 116)
		l->moduledata = moduledata_find(b, pcln, pcln_addr);
}

/* ---- on first ask: g and m from DWARF ------------------------------------------------------- */

/* Every fact DWARF has, into l (the others are left as they are); -ENOENT without DWARF. */
static int layout_from_dwarf(struct go_binary *b, struct go_layout *l, bool runtime_only)
{
	const char *type[NELEM(facts)], *member[NELEM(facts)];
	int off[NELEM(facts)], err;
	size_t i;

	for (i = 0; i < NELEM(facts); i++) {
		type[i] = facts[i].type;
		member[i] = facts[i].member;
		if (runtime_only && strncmp(facts[i].name, "g.", 2) && strncmp(facts[i].name, "m.", 2) &&
		    strncmp(facts[i].name, "coro.", 5))
			type[i] = NULL;
	}
	err = gobin_dwarf_offsets(b, type, member, off, NELEM(facts));
	if (err)
		return err;
	for (i = 0; i < NELEM(facts); i++)
		if (type[i] && off[i] >= 0)
			*fact_of(l, i) = (struct go_fact){ off[i] + facts[i].plus, GO_FACT_DWARF };
	return 0;
}

const struct go_layout *go_binary__layout(struct go_binary *b)
{
	if (!b->layout_done) {
		b->layout_done = true;
		if (b->tc == GO_GC)
			(void)layout_from_dwarf(b, &b->layout, true);
	}
	return &b->layout;
}

int go_binary__layout_dwarf(struct go_binary *b, struct go_layout *out)
{
	const struct go_layout *l = go_binary__layout(b);
	size_t i;

	*out = *l;
	for (i = 0; i < NELEM(facts); i++)
		*fact_of(out, i) = tab(-1);
	if (b->tc != GO_GC)
		return -ENOENT;
	return layout_from_dwarf(b, out, false);
}

/* ---- what the tools ask --------------------------------------------------------------------- */

int go_binary__goid_offset(struct go_binary *b)
{
	const struct go_layout *l;

	if (b->tc != GO_GC)
		return go_fail(ENOTSUP, "goroutine ids of gccgo binaries are not supported");
	/* before the register ABI, g lives in thread-local storage, not in R14 */
	if (b->layout.minor && b->layout.minor < 117)
		return go_fail(ENOTSUP, "goroutine ids need Go 1.17 or later ('%s' is %s)", b->name,
			       b->version);
	l = go_binary__layout(b);
	if (l->g.goid.val >= 0)
		return l->g.goid.val;
	return go_fail(ENOTSUP, "no goroutine id offset known for %s and '%s' has no DWARF",
		       b->version, b->name);
}

int go_binary__m_layout(struct go_binary *b, struct go_m_layout *m)
{
	const struct go_layout *l;

	if (b->tc != GO_GC)
		return go_fail(ENOTSUP, "gccgo keeps no runtime.m that libgo reads");
	l = go_binary__layout(b);
	*m = (struct go_m_layout){ l->g.m.val, l->m.g0.val, l->m.gsignal.val, l->m.curg.val };
	if (m->g_m >= 0 && m->m_g0 >= 0 && m->m_gsignal >= 0 && m->m_curg >= 0)
		return 0;
	return go_fail(ENOTSUP, "no runtime.m layout known for %s and '%s' has no DWARF",
		       b->version, b->name);
}

enum go_map_form go_binary__map_form(struct go_binary *b)
{
	return b->tc == GO_GC ? go_binary__layout(b)->map_form : GO_MAPS_UNKNOWN;
}

bool go_binary__stale_frame_pointers(struct go_binary *b)
{
	/* unknown release (no build info): the older rule, which cuts a stack, never misreads it */
	return b->tc == GO_GC && b->arch->machine == EM_AARCH64 && go_binary__layout(b)->minor < 121;
}

int go_binary__waitreason_offset(struct go_binary *b)
{
	const struct go_layout *l;

	if (b->tc != GO_GC)
		return go_fail(ENOTSUP, "gccgo's runtime keeps no g.waitreason that libgo reads");
	l = go_binary__layout(b);
	if (l->g.waitreason.val >= 0)
		return l->g.waitreason.val;
	return go_fail(ENOTSUP, "no g.waitreason offset known for %s and '%s' has no DWARF",
		       b->version, b->name);
}

int go_binary__coro_layout(struct go_binary *b, struct go_coro_layout *c)
{
	const struct go_layout *l;

	if (b->tc != GO_GC)
		return go_fail(ENOTSUP, "gccgo has no coroutine switches that libgo reads");
	l = go_binary__layout(b);
	c->g_coroarg = l->g.coroarg.val;
	c->g_coroexit = l->g.coroexit.val;
	c->coro_gp = l->coro.gp.val;
	if (c->g_coroarg < 0 || c->g_coroexit < 0 || c->coro_gp < 0)
		return go_fail(ENOTSUP, "no coroutine layout known for %s and '%s' has no DWARF",
			       b->version, b->name);
	c->reason = go_binary__wait_reason_value(b, "coroutine");
	return c->reason < 0 ? c->reason : 0;
}

/* A map[string]string's bucket: 8 tophash bytes, 8 keys, 8 values (strings), overflow. */
static void labels_map_layout(const struct go_layout *l, struct go_labels_layout *out)
{
	int str = 16;	/* a string's header: {ptr, len} */

	out->map = true;
	out->hmap_count = l->hmap.count.val;
	out->hmap_b = l->hmap.b.val;
	out->hmap_buckets = l->hmap.buckets.val;
	out->hmap_oldbuckets = l->hmap.oldbuckets.val;
	out->bucket_keys = GO_MAP_SLOTS;
	out->bucket_elems = out->bucket_keys + GO_MAP_SLOTS * str;
	out->bucket_overflow = out->bucket_elems + GO_MAP_SLOTS * str;
	out->bucket_size = out->bucket_overflow + 8;
}

int go_binary__labels_layout(struct go_binary *b, struct go_labels_layout *out)
{
	const struct go_layout *l;

	memset(out, 0, sizeof(*out));
	out->off = -1;
	if (b->tc != GO_GC)
		return go_fail(ENOTSUP, "gccgo keeps no pprof labels that libgo reads");
	l = go_binary__layout(b);
	if (l->g.labels.val < 0 || !l->regabi.val)
		return go_fail(ENOTSUP, "pprof labels are read from Go 1.17 on ('%s' is %s)", b->name,
			       b->version);
	if (l->labels_form == GO_LABELS_MAP && (l->hmap.count.val < 0 || l->hmap.b.val < 0 ||
						l->hmap.buckets.val < 0 || l->hmap.oldbuckets.val < 0))
		return go_fail(ENOTSUP, "no map layout known for %s", b->version);
	if (l->labels_form == GO_LABELS_MAP)
		labels_map_layout(l, out);
	else if (l->labels_form != GO_LABELS_SLICE)
		return go_fail(ENOTSUP, "no pprof labels layout known for %s", b->version);
	out->off = l->g.labels.val;
	return 0;
}
