// SPDX-License-Identifier: Apache-2.0
/*
 * Generic functions' instantiations.
 *
 * gc compiles a generic function once per GC shape: main.Sum[go.shape.int] runs Sum[int] and
 * Sum[main.myInt] alike. Each call passes the shaped function a dictionary that names its
 * instantiation (main..dict.Sum[int]): in RAX for a function (Go 1.18-1.26); for a method of a
 * generic type in RAX too in 1.18-1.19 (one dictionary per method, main..dict.(*Stack[int]).Push),
 * and from 1.20 in the register after the receiver's (one dictionary per type,
 * main..dict.Stack[int]). An instantiation is thus a shaped function and a dictionary address:
 * a probe at the shaped function's entry tells them apart by the dictionary it finds there
 * (go_func in libgo/probe/bpf/common.bpf.h).
 *
 * Where .symtab is kept, its ..dict. symbols name the dictionaries. A stripped binary has none:
 * its dictionaries are found in the code, as the addresses callers load (LEA) into the
 * dictionary's register before they call a shaped function, and named only by what names them
 * for sure:
 *  - the instantiation's own wrapper that makes such a call (main.Sum[main.myInt], made for a
 *    function value; main.(*Stack[int]).Push, for an interface's method table);
 *  - a method's dictionary (1.20+) holds its receiver's type, main.Stack[int] or *main.Stack[int];
 *  - a 1.18-1.19 dictionary begins with its type arguments' descriptors, then the types derived
 *    from them (*Stack[T], []T, map[K]V), which are told by being made of the ones before;
 *  - a 1.20+ dictionary holds only the types its body needs that depend on the type parameters
 *    (T, []T, map[K]V, *Stack[T]): a type parameter's argument is the one type among them (or
 *    their elements, keys, fields, parameters) whose GC shape the shaped function's name gives.
 * A dictionary none of these names stays unnamed: its calls count as the shaped function's.
 * Instantiations that share a dictionary (every empty one lies at one address) cannot be told
 * apart: they are listed with dict 0. gccgo (GCC 12) has no generics.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary_priv.h"

#define MAX_DICT_WORDS 64	/* words of a dictionary read to name it */
#define MAX_PARTS 16		/* parts of a type searched (fields, parameters) */
#define PART_DEPTH 3		/* how deep into a type's parts */
#define SEARCH_BUDGET 512	/* types looked at to name one dictionary's arguments */
#define MAX_ARGS 16		/* type parameters of one function */
#define ARGS_LEN 512

/* What a name says of a generic function: pkg.F[ARGS]SUFFIX. */
enum { GN_FUNC, GN_PTR_METHOD, GN_VAL_METHOD };

struct gname {
	size_t pre;		/* name[0, pre): before the '[' of the type arguments */
	size_t args, args_end;	/* name[args, args_end): between the brackets */
	const char *suffix;	/* after the ']': "" or ").Push" or ".Get" */
	int kind;
	int nargs;		/* 0 when the name says "[...]" (Go 1.18-1.20, stripped) */
};

/* A shaped function. */
struct body {
	const struct go_func *fn;
	struct gname g;
	char key[2 * ARGS_LEN];	/* "main.Sum", or the receiver's type and method: "main.Stack.Push" */
	char recv[ARGS_LEN];	/* methods: the receiver's type without its arguments, "main.Stack" */
	int reg;		/* the dictionary's register (GO_ARG_REGS code), -1 unknown */
};

/* A caller of a body that loaded an address into a register before the call. */
struct evid {
	size_t body;
	uint64_t dict;
	int reg;
	const struct go_func *caller;
};

/* A dictionary .symtab names. */
struct symdict {
	const char *name;	/* "main.Sum[int]": its symbol without "..dict." */
	char *owned;
	uint64_t addr, size;
};

/*
 * Instantiations found by one call, kept with the binary: every one of the binary's (full), or
 * those of the shaped functions a pattern may name, read from the symbol table.
 */
struct generics {
	struct go_inst *insts;
	size_t n, cap;
	char **names;		/* the instances' names, owned */
	size_t nnames;
	bool full;
	struct generics *next;
};

struct ctx {
	struct go_binary *b;
	struct go_types *types;	/* NULL when the type data cannot be read */
	int minor;
	struct body *bodies;	/* sorted by entry */
	size_t nbodies;
	struct evid *ev;
	size_t nev, evcap;
	struct symdict *syms;
	size_t nsyms;
	struct generics *out;
	/* the shaped functions to look at: those whose instantiations pat may name, or only */
	const struct go_pattern *pat;
	const struct go_func *only;
};

/* ---- names ---------------------------------------------------------------------------------- */

/* Closures and wrappers the compiler names after their function: not methods. */
static bool closure_name(const char *s)
{
	static const char *const pre[] = { "func", "gowrap", "deferwrap" };
	size_t i, n;

	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		n = strlen(pre[i]);
		if (!strncmp(s, pre[i], n) && s[n] >= '0' && s[n] <= '9')
			return true;
	}
	return false;
}

static bool method_ident(const char *s)
{
	return *s && !strpbrk(s, ".-[]() ") && !closure_name(s);
}

/* Parse a generic function's (or dictionary's) name; false when it is not one. */
static bool gname_parse(const char *name, struct gname *g)
{
	const char *open = strchr(name, '['), *p;
	int depth = 0, paren = 0;

	if (!open || open == name)
		return false;
	for (p = open; *p; p++) {
		if (*p == '[')
			depth++;
		else if (*p == ']' && !--depth)
			break;
	}
	if (!*p)
		return false;
	g->pre = (size_t)(open - name);
	g->args = g->pre + 1;
	g->args_end = (size_t)(p - name);
	g->suffix = p + 1;
	if (!*g->suffix)
		g->kind = GN_FUNC;
	else if (!strncmp(g->suffix, ").", 2) && g->pre >= 2 && strstr(name, "(*") &&
		 strstr(name, "(*") < open && method_ident(g->suffix + 2))
		g->kind = GN_PTR_METHOD;
	else if (g->suffix[0] == '.' && method_ident(g->suffix + 1) && !memchr(name, '(', g->pre))
		g->kind = GN_VAL_METHOD;
	else
		return false;
	if (g->args_end - g->args == 3 && !strncmp(name + g->args, "...", 3)) {
		g->nargs = 0;
		return true;
	}
	g->nargs = 1;
	for (p = name + g->args; p < name + g->args_end; p++) {
		if (*p == '[' || *p == '(' || *p == '{')
			paren++;
		else if (*p == ']' || *p == ')' || *p == '}')
			paren--;
		else if (*p == ',' && !paren)
			g->nargs++;
	}
	return g->args_end > g->args;
}

/* The i-th top-level item of name[from, to) split at commas, into buf. */
static bool arg_nth(const char *from, const char *to, int i, char *buf, size_t size)
{
	const char *p, *start = from;
	int depth = 0, k = 0;

	for (p = from; p <= to; p++) {
		if (p == to || (*p == ',' && !depth)) {
			if (k++ == i) {
				snprintf(buf, size, "%.*s", (int)(p - start), start);
				return true;
			}
			start = p + 1;
		} else if (*p == '[' || *p == '(' || *p == '{') {
			depth++;
		} else if (*p == ']' || *p == ')' || *p == '}') {
			depth--;
		}
	}
	return false;
}

/* A shape's underlying type: "go.shape.int_0" -> "int" (1.18-1.19 number them). */
static void shape_strip(char *s)
{
	size_t n = strlen(s), k;

	if (!strncmp(s, "go.shape.", 9))
		memmove(s, s + 9, n - 8);
	n = strlen(s);
	for (k = n; k > 0 && s[k - 1] >= '0' && s[k - 1] <= '9'; k--)
		;
	if (k < n && k > 0 && s[k - 1] == '_')
		s[k - 1] = 0;
}

/* The receiver's type of a method's name, "main.(*Stack" -> "main.Stack". */
static void recv_of(const char *name, const struct gname *g, char *buf, size_t size)
{
	const char *star = strstr(name, "(*");

	if (g->kind == GN_PTR_METHOD && star && (size_t)(star - name) < g->pre)
		snprintf(buf, size, "%.*s%.*s", (int)(star - name), name,
			 (int)(g->pre - (size_t)(star - name) - 2), star + 2);
	else
		snprintf(buf, size, "%.*s", (int)g->pre, name);
}

/* A type's name as a linker symbol writes it (import paths) as %T prints it (package names):
 * "[]example.com/m/x.T" -> "[]x.T". */
static void link_to_type_name(const char *in, char *out, size_t size)
{
	size_t o = 0, word = 0;

	for (; *in && o + 1 < size; in++) {
		if (*in == '/') {
			o = word;	/* drop the path up to here */
			continue;
		}
		out[o++] = *in;
		if (strchr(" []*(),{};", *in))
			word = o;
	}
	out[o] = 0;
}

static const char *const kind_names[] = {
	[GO_RKIND_BOOL] = "bool", [GO_RKIND_INT] = "int", [GO_RKIND_INT8] = "int8",
	[GO_RKIND_INT16] = "int16", [GO_RKIND_INT32] = "int32", [GO_RKIND_INT64] = "int64",
	[GO_RKIND_UINT] = "uint", [GO_RKIND_UINT8] = "uint8", [GO_RKIND_UINT16] = "uint16",
	[GO_RKIND_UINT32] = "uint32", [GO_RKIND_UINT64] = "uint64", [GO_RKIND_UINTPTR] = "uintptr",
	[GO_RKIND_FLOAT32] = "float32", [GO_RKIND_FLOAT64] = "float64",
	[GO_RKIND_COMPLEX64] = "complex64", [GO_RKIND_COMPLEX128] = "complex128",
	[GO_RKIND_STRING] = "string", [GO_RKIND_UNSAFE_POINTER] = "unsafe.Pointer",
};

static bool basic_kind(int kind)
{
	return kind > 0 && kind < (int)(sizeof(kind_names) / sizeof(kind_names[0])) &&
	       kind_names[kind];
}

/* The kind a type's name says, for names that say it; -1 for a defined type's. */
static int kind_of_name(const char *s)
{
	int k;

	for (k = 1; k < (int)(sizeof(kind_names) / sizeof(kind_names[0])); k++)
		if (kind_names[k] && !strcmp(s, kind_names[k]))
			return k;
	if (!strcmp(s, "byte"))
		return GO_RKIND_UINT8;
	if (!strcmp(s, "rune"))
		return GO_RKIND_INT32;
	if (s[0] == '*')
		return GO_RKIND_POINTER;
	if (!strncmp(s, "[]", 2))
		return GO_RKIND_SLICE;
	if (s[0] == '[')
		return GO_RKIND_ARRAY;
	if (!strncmp(s, "map[", 4))
		return GO_RKIND_MAP;
	if (!strncmp(s, "chan ", 5) || !strncmp(s, "<-chan ", 7) || !strncmp(s, "chan<- ", 7))
		return GO_RKIND_CHAN;
	if (!strncmp(s, "func(", 5))
		return GO_RKIND_FUNC;
	if (!strncmp(s, "struct {", 8))
		return GO_RKIND_STRUCT;
	if (!strncmp(s, "interface {", 11))
		return GO_RKIND_INTERFACE;
	return -1;
}

/* Can a type of this kind have this GC shape (stripped)? Unknown kinds (-1) can. */
static bool kind_fits(int kind, const char *shape)
{
	if (kind < 0)
		return true;
	if (basic_kind(kind))
		return !strcmp(shape, kind_names[kind]);
	return kind == kind_of_name(shape);
}

/* ---- reading dictionaries ------------------------------------------------------------------- */

static bool is_type(const struct ctx *c, uint64_t addr)
{
	return c->types && addr && go_types__plausible(c->types, addr);
}

static bool type_name(const struct ctx *c, uint64_t addr, char *buf, size_t size)
{
	return c->types && !go_types__name(c->types, addr, buf, size);
}

/* The words of the dictionary at addr: at most max, fewer when a word cannot be read. */
static int dict_words(const struct ctx *c, uint64_t addr, uint64_t *w, int max)
{
	int n;

	for (n = 0; n < max && c->types && !go_types__pointer(c->types, addr + 8 * (uint64_t)n, &w[n]);
	     n++)
		;
	return n;
}

/*
 * Is addr a type derived from one of before[0, n): an unnamed one made of one of them ([]T,
 * map[K]V, *T, struct { x T }), or a generic type instantiated with one (main.Stack[T])? A
 * defined type (main.pt) is none, whatever its fields.
 */
static bool made_of(const struct ctx *c, uint64_t addr, const uint64_t *before, int n)
{
	uint64_t parts[MAX_PARTS];
	char name[ARGS_LEN], other[ARGS_LEN], *open;
	int np, i, k;

	if (!type_name(c, addr, other, sizeof(other)) ||
	    (kind_of_name(other) < 0 && !strchr(other, '[')) || basic_kind(kind_of_name(other)))
		return false;
	np = go_types__parts(c->types, addr, parts, MAX_PARTS);

	for (i = 0; i < np; i++)
		for (k = 0; k < n; k++)
			if (parts[i] == before[k])
				return true;
	/*
	 * an instantiated type: main.Stack[int] is made of int (its type arguments are named with
	 * import paths, elliptic.nistPoint[*crypto/internal/nistec.P224Point]: compare without)
	 */
	if (!type_name(c, addr, other, sizeof(other)) || !strchr(other, '['))
		return false;
	link_to_type_name(other, name, sizeof(name));
	open = strchr(name, '[');
	for (k = 0; k < n; k++)
		if (type_name(c, before[k], other, sizeof(other)) && strstr(open, other))
			return true;
	return false;
}

/*
 * Go 1.18-1.19: the leading words that are type arguments, up to limit (the next dictionary's
 * address, or 0): each a type, and none made of the ones before (those are derived types).
 */
static int leading_args(const struct ctx *c, uint64_t dict, uint64_t limit, uint64_t *w)
{
	int n = dict_words(c, dict, w, MAX_ARGS), k;

	for (k = 0; k < n; k++)
		if ((limit && dict + 8 * (uint64_t)k >= limit) || !is_type(c, w[k]) ||
		    (k && made_of(c, w[k], w, k)))
			break;
	return k;
}

/*
 * Collect into found[] the distinct types in t and its parts that can have shape; false when
 * the search could not see them all (too deep, too many parts, more than max found, more than
 * *budget types looked at): then another may fit too.
 */
static bool shape_search(const struct ctx *c, uint64_t t, const char *shape, int depth,
			 uint64_t *found, int *nfound, int max, int *budget)
{
	uint64_t parts[MAX_PARTS];
	bool all = true;
	int np, i;

	if (!is_type(c, t))
		return true;
	if (--*budget < 0)
		return false;
	if (kind_fits(go_types__kind(c->types, t), shape)) {
		for (i = 0; i < *nfound && found[i] != t; i++)
			;
		if (i == *nfound && *nfound == max)
			return false;
		if (i == *nfound)
			found[(*nfound)++] = t;
	}
	np = go_types__parts(c->types, t, parts, MAX_PARTS);
	if (np > 0 && (depth >= PART_DEPTH || np == MAX_PARTS))
		return false;
	for (i = 0; i < np; i++)
		all &= shape_search(c, parts[i], shape, depth + 1, found, nfound, max, budget);
	return all;
}

/* ---- the shaped functions ------------------------------------------------------------------- */

static int body_cmp(const void *a, const void *b)
{
	const struct body *x = a, *y = b;

	return x->fn->entry < y->fn->entry ? -1 : x->fn->entry > y->fn->entry;
}

static struct body *body_at(const struct ctx *c, uint64_t entry)
{
	size_t lo = 0, hi = c->nbodies;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (c->bodies[mid].fn->entry == entry)
			return &c->bodies[mid];
		if (c->bodies[mid].fn->entry < entry)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The dictionary's register, by the register ABI of the binary's release: -1 when it depends
 * on a value receiver's layout (Go 1.20+), which the callers then say. */
static int body_reg(const struct ctx *c, const struct body *bd)
{
	const struct go_arch *a = c->b->arch;

	/* the register ABI's first integer register, or its second after the receiver */
	if (bd->g.kind == GN_FUNC || (c->minor >= 118 && c->minor < 120))
		return go_arch__reg_code(a, a->regabi_ints[0]);
	if (bd->g.kind == GN_PTR_METHOD && c->minor >= 120)
		return go_arch__reg_code(a, a->regabi_ints[1]);
	return -1;
}

/* Are the instantiations of a shaped function named name (parsed as g) any the ctx is for? */
static bool body_wanted(const struct ctx *c, const struct go_func *fn, const struct gname *g)
{
	char prefix[ARGS_LEN];

	if (c->only)
		return fn == c->only;
	if (!c->pat)
		return true;
	/* an instantiation's name begins as its shaped function's does: main.Sum[ */
	snprintf(prefix, sizeof(prefix), "%.*s", (int)g->args, fn->name);
	return go_pattern__may_begin(c->pat, prefix);
}

static int bodies_find(struct ctx *c)
{
	size_t i, n = go_binary__func_cnt(c->b);

	free(c->bodies);
	c->nbodies = 0;
	c->bodies = calloc(n ? n : 1, sizeof(*c->bodies));
	if (!c->bodies)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		const struct go_func *fn = go_binary__func(c->b, i);
		struct body *bd = &c->bodies[c->nbodies];
		const char *args;

		if (!gname_parse(fn->name, &bd->g))
			continue;
		args = fn->name + bd->g.args;
		if (bd->g.nargs && !memmem(args, bd->g.args_end - bd->g.args, "go.shape.", 9))
			continue;	/* an instantiation's wrapper, or not generic */
		if (!body_wanted(c, fn, &bd->g))
			continue;
		bd->fn = fn;
		recv_of(fn->name, &bd->g, bd->recv, sizeof(bd->recv));
		if (bd->g.kind == GN_FUNC)
			snprintf(bd->key, sizeof(bd->key), "%s", bd->recv);
		else
			snprintf(bd->key, sizeof(bd->key), "%s.%s", bd->recv,
				 bd->g.suffix + (bd->g.kind == GN_PTR_METHOD ? 2 : 1));
		bd->reg = body_reg(c, bd);
		c->nbodies++;
	}
	if (c->nbodies)
		qsort(c->bodies, c->nbodies, sizeof(*c->bodies), body_cmp);
	return 0;
}

/* ---- the callers: what they load before calling a shaped function ---------------------------- */

static int evid_add(struct ctx *c, size_t body, uint64_t dict, int reg, const struct go_func *fn)
{
	if (c->nev == c->evcap) {
		size_t cap = c->evcap ? c->evcap * 2 : 64;
		struct evid *e = realloc(c->ev, cap * sizeof(*e));

		if (!e)
			return go_fail(ENOMEM, "out of memory");
		c->ev = e;
		c->evcap = cap;
	}
	c->ev[c->nev++] = (struct evid){ body, dict, reg, fn };
	return 0;
}

/* Decode a caller and note, at each CALL or JMP to a body, the addresses LEA left in registers. */
static int caller_scan(struct ctx *c, const struct go_func *fn)
{
	struct go_insn *in;
	uint64_t lea[32] = { 0 };	/* by register code (go_insn's lea_reg) */
	size_t n, i;
	int r, err = 0;

	if (go_binary__decode(c->b, fn, &in, &n))
		return 0;	/* a caller the decoder cannot read through: no word from it */
	for (i = 0; i < n && !err; i++) {
		struct body *bd;

		if ((in[i].kind == GO_INSN_CALL || in[i].kind == GO_INSN_JMP) &&
		    (bd = body_at(c, in[i].ref)) && bd->fn != fn) {
			for (r = 0; r < 32 && !err; r++)
				if (lea[r])
					err = evid_add(c, (size_t)(bd - c->bodies), lea[r], r, fn);
		}
		if (in[i].kind == GO_INSN_CALL || in[i].kind == GO_INSN_ICALL) {
			memset(lea, 0, sizeof(lea));
			continue;
		}
		for (r = 0; r < 32; r++)
			if (in[i].regs_written & (1u << r))
				lea[r] = 0;
		if (in[i].lea_reg >= 0 && in[i].lea_reg < 32)
			lea[in[i].lea_reg] = in[i].ref;
	}
	free(in);
	return err;
}

/*
 * The callers: the code is searched for CALL and JMP (the arch's long forms) whose target is a
 * body's entry, and each function holding one is decoded once.
 */
static int callers_scan(struct ctx *c)
{
	const struct go_func *last = NULL;
	int s, err = 0;

	for (s = 0; s < c->b->nsegs && !err; s++) {
		const struct go_seg *seg = &c->b->segs[s];
		const uint8_t *p;
		uint64_t k;

		if (!seg->exec || !seg->filesz || !(p = gobin_bytes(c->b, seg->vaddr, seg->filesz)))
			continue;
		for (k = 0; k < seg->filesz && !err; k++) {
			uint64_t at = seg->vaddr + k;
			const struct go_func *fn;
			struct go_branch br;

			if (!c->b->arch->branch(p + k, seg->filesz - k, at, &br) || !br.long_form ||
			    !body_at(c, br.target))
				continue;
			fn = go_binary__func_at(c->b, at);
			if (!fn || fn == last)
				continue;
			last = fn;
			err = caller_scan(c, fn);
			k = fn->end - seg->vaddr - 1;	/* the whole caller is done */
		}
	}
	return err;
}

/* ---- .symtab's dictionaries ----------------------------------------------------------------- */

static int syms_find(struct ctx *c)
{
	Elf_Scn *scn = NULL;
	size_t cap = 0;

	while ((scn = elf_nextscn(c->b->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			const char *n, *dd;
			struct symdict *sd;
			GElf_Sym s;
			size_t len;

			if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_OBJECT ||
			    !(n = elf_strptr(c->b->elf, sh.sh_link, s.st_name)) ||
			    !(dd = strstr(n, "..dict.")))
				continue;
			if (c->nsyms == cap) {
				cap = cap ? cap * 2 : 64;
				sd = realloc(c->syms, cap * sizeof(*sd));
				if (!sd)
					return go_fail(ENOMEM, "out of memory");
				c->syms = sd;
			}
			len = strlen(n) - 6;	/* pkg + "." + the rest */
			sd = &c->syms[c->nsyms];
			sd->owned = malloc(len + 1);
			if (!sd->owned)
				return go_fail(ENOMEM, "out of memory");
			snprintf(sd->owned, len + 1, "%.*s.%s", (int)(dd - n), n, dd + 7);
			sd->name = sd->owned;
			sd->addr = s.st_value;
			sd->size = s.st_size;
			c->nsyms++;
		}
	}
	return 0;
}

static const struct symdict *sym_at(const struct ctx *c, uint64_t addr)
{
	size_t i;

	for (i = 0; i < c->nsyms; i++)
		if (c->syms[i].addr == addr)
			return &c->syms[i];
	return NULL;
}

/* ---- instances ------------------------------------------------------------------------------ */

static int inst_add(struct ctx *c, const struct body *bd, const char *args, uint64_t dict,
		    const char *how)
{
	struct generics *o = c->out;
	size_t len = bd->g.pre + strlen(args) + strlen(bd->g.suffix) + 3;
	char *name = malloc(len), **names;
	struct go_inst *in;

	if (!name)
		return go_fail(ENOMEM, "out of memory");
	snprintf(name, len, "%.*s[%s]%s", (int)bd->g.pre, bd->fn->name, args, bd->g.suffix);
	names = realloc(o->names, (o->nnames + 1) * sizeof(*names));
	if (!names) {
		free(name);
		return go_fail(ENOMEM, "out of memory");
	}
	o->names = names;
	o->names[o->nnames++] = name;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 32;

		in = realloc(o->insts, cap * sizeof(*in));
		if (!in)
			return go_fail(ENOMEM, "out of memory");
		o->insts = in;
		o->cap = cap;
	}
	in = &o->insts[o->n++];
	in->name = name;
	in->body = bd->fn;
	in->dict = dict;
	in->reg = bd->reg;
	in->wrapper = NULL;
	in->how = how;
	return 0;
}

/* Does the type argument named arg (its descriptor t, or 0) fit bd's i-th shape? */
static bool arg_fits(const struct ctx *c, const struct body *bd, int i, const char *arg,
		     uint64_t t)
{
	const char *name = bd->fn->name;
	char shape[ARGS_LEN];

	if (!bd->g.nargs)
		return true;
	if (!arg_nth(name + bd->g.args, name + bd->g.args_end, i, shape, sizeof(shape)))
		return false;
	shape_strip(shape);
	return kind_fits(t && is_type(c, t) ? go_types__kind(c->types, t) : kind_of_name(arg), shape);
}

/* The descriptor of the type named arg among a .symtab dictionary's types and their parts. */
static uint64_t sym_arg_type(const struct ctx *c, const struct symdict *sd, int i, const char *arg)
{
	uint64_t w[MAX_DICT_WORDS];
	char name[ARGS_LEN], want[ARGS_LEN];
	int n = dict_words(c, sd->addr, w, (int)(sd->size / 8 < MAX_DICT_WORDS ? sd->size / 8 :
						 MAX_DICT_WORDS)), k;

	link_to_type_name(arg, want, sizeof(want));

	if (c->minor >= 118 && c->minor < 120)	/* the type arguments come first */
		return i < n && is_type(c, w[i]) ? w[i] : 0;
	for (k = 0; k < n; k++)
		if (type_name(c, w[k], name, sizeof(name)) && !strcmp(name, want))
			return w[k];
	return 0;
}

/* Among the bodies of one group, the one a .symtab dictionary is for; NULL when none is sure. */
static const struct body *sym_pick(const struct ctx *c, const struct symdict *sd,
				   const struct gname *dg, const struct body **cand, size_t nc)
{
	const char *args = sd->name + dg->args, *end = sd->name + dg->args_end;
	const struct body *pick = NULL;
	char arg[ARGS_LEN];
	size_t i, k, nfit = 0;
	bool shared = !sd->size;
	int a;

	if (nc == 1)
		return cand[0];
	for (k = 0; k < c->nsyms && !shared; k++)	/* empty ones share an address */
		shared = &c->syms[k] != sd && c->syms[k].addr == sd->addr;
	for (k = 0; k < c->nev && !shared; k++)	/* a caller passes it to one of them */
		for (i = 0; i < nc; i++)
			if (c->ev[k].dict == sd->addr && &c->bodies[c->ev[k].body] == cand[i] &&
			    c->ev[k].reg == cand[i]->reg)
				return cand[i];
	for (i = 0; i < nc; i++) {
		bool fits = true;

		for (a = 0; a < dg->nargs && fits; a++)
			fits = arg_nth(args, end, a, arg, sizeof(arg)) &&
			       arg_fits(c, cand[i], a, arg, sym_arg_type(c, sd, a, arg));
		if (fits) {
			pick = cand[i];
			nfit++;
		}
	}
	return nfit == 1 ? pick : NULL;
}

/* Instances from one .symtab dictionary: of a function, a 1.18-1.19 method, or (1.20+) every
 * method of a generic type. */
static int sym_instances(struct ctx *c, const struct symdict *sd)
{
	const struct body **cand = calloc(c->nbodies ? c->nbodies : 1, sizeof(*cand));
	char key[2 * ARGS_LEN], recv[ARGS_LEN], args[ARGS_LEN];
	bool *done = calloc(c->nbodies ? c->nbodies : 1, sizeof(*done));
	struct gname dg;
	size_t i, j, nc;
	int err = 0;

	if (!cand || !done) {
		free(cand);
		free(done);
		return go_fail(ENOMEM, "out of memory");
	}
	if (!gname_parse(sd->name, &dg) || !dg.nargs)
		goto out;
	recv_of(sd->name, &dg, recv, sizeof(recv));
	if (dg.kind == GN_FUNC)
		snprintf(key, sizeof(key), "%s", recv);
	else
		snprintf(key, sizeof(key), "%s.%s", recv, dg.suffix + (dg.kind == GN_PTR_METHOD ? 2 : 1));
	snprintf(args, sizeof(args), "%.*s", (int)(dg.args_end - dg.args), sd->name + dg.args);
	for (i = 0; i < c->nbodies && !err; i++) {
		const struct body *bd = &c->bodies[i], *pick;
		bool type_dict = dg.kind == GN_FUNC && bd->g.kind != GN_FUNC && !strcmp(bd->recv, recv);

		if (done[i] || (strcmp(bd->key, key) && !type_dict) ||
		    (bd->g.nargs && bd->g.nargs != dg.nargs))
			continue;
		/* the group: the bodies of the same function (or method), one per shape */
		for (j = i, nc = 0; j < c->nbodies; j++)
			if (!done[j] && !strcmp(c->bodies[j].key, bd->key) &&
			    (!c->bodies[j].g.nargs || c->bodies[j].g.nargs == dg.nargs)) {
				cand[nc++] = &c->bodies[j];
				done[j] = true;
			}
		pick = sym_pick(c, sd, &dg, cand, nc);
		if (pick && pick->reg >= 0)
			err = inst_add(c, pick, args, sd->addr, "the symbol table");
	}
out:
	free(cand);
	free(done);
	return err;
}

/* ---- naming the dictionaries of a stripped binary ------------------------------------------ */

/* The lowest known dictionary above addr, 0 when none: where a dictionary ends at the latest. */
static uint64_t next_dict(const struct ctx *c, uint64_t addr)
{
	uint64_t best = 0;
	size_t k;

	for (k = 0; k < c->nev; k++)
		if (c->ev[k].dict > addr && (!best || c->ev[k].dict < best) &&
		    c->ev[k].reg == c->bodies[c->ev[k].body].reg)
			best = c->ev[k].dict;
	return best;
}

/* The words of the dictionary at dict that lie before the next known one, at most max. */
static int dict_extent(const struct ctx *c, uint64_t dict, uint64_t *w, int max)
{
	uint64_t limit = next_dict(c, dict);
	int n = dict_words(c, dict, w, max);

	if (limit && limit - dict < 8 * (uint64_t)n)
		n = (int)((limit - dict) / 8);
	return n;
}

/* Is there a type named name (as %T prints it) in t or its parts? */
static bool type_holds(const struct ctx *c, uint64_t t, const char *name, int depth,
		       int *budget)
{
	uint64_t parts[MAX_PARTS];
	char tn[ARGS_LEN];
	int np, i;

	if (--*budget < 0 || !is_type(c, t) || !type_name(c, t, tn, sizeof(tn)))
		return false;
	if (!strcmp(tn, name))
		return true;
	if (depth >= PART_DEPTH)
		return false;
	np = go_types__parts(c->types, t, parts, MAX_PARTS);
	for (i = 0; i < np; i++)
		if (type_holds(c, parts[i], name, depth + 1, budget))
			return true;
	return false;
}

/*
 * Does the dictionary at dict hold each of the type arguments args names (or types made of
 * them)? An empty dictionary lies where another object does: one address for every empty
 * dictionary of the binary, which must not take one instantiation's name.
 */
static bool dict_names_args(const struct ctx *c, uint64_t dict, const char *args)
{
	uint64_t w[MAX_DICT_WORDS];
	char arg[ARGS_LEN], name[ARGS_LEN];
	const char *end = args + strlen(args);
	int n = dict_extent(c, dict, w, MAX_DICT_WORDS), a, k, budget = SEARCH_BUDGET;
	bool held;

	for (a = 0; arg_nth(args, end, a, arg, sizeof(arg)); a++) {
		link_to_type_name(arg, name, sizeof(name));
		for (k = 0, held = false; k < n && !held; k++)
			held = type_holds(c, w[k], name, 0, &budget);
		if (!held)
			return false;
	}
	return a > 0;
}

/* An instantiation's wrapper that passes the dictionary: its name's type arguments, which the
 * dictionary holds. */
static bool name_by_wrapper(const struct ctx *c, const struct evid *e, char *args, size_t size)
{
	const struct body *bd = &c->bodies[e->body];
	const char *n = e->caller->name;
	char recv[ARGS_LEN];
	struct gname g;

	if (!gname_parse(n, &g) || !g.nargs || g.kind != bd->g.kind ||
	    memmem(n + g.args, g.args_end - g.args, "go.shape.", 9))
		return false;
	recv_of(n, &g, recv, sizeof(recv));
	if (strcmp(recv, bd->recv))
		return false;
	if (bd->g.kind == GN_FUNC || c->minor < 120) {	/* a dictionary of this method alone */
		if (strcmp(g.suffix, bd->g.suffix))
			return false;
	}
	snprintf(args, size, "%.*s", (int)(g.args_end - g.args), n + g.args);
	return dict_names_args(c, e->dict, args);
}

/*
 * The other dictionaries the callers pass to bodies like e's (same_key: of the same function
 * or method, any shape; else of e's body alone), e's own among them: how many (at most max).
 */
static int siblings(const struct ctx *c, const struct evid *e, bool same_key, uint64_t *out,
		    int max)
{
	const struct body *bd = &c->bodies[e->body];
	size_t k;
	int n = 0, i;

	for (k = 0; k < c->nev; k++) {
		const struct body *o = &c->bodies[c->ev[k].body];

		if (c->ev[k].reg != o->reg || sym_at(c, c->ev[k].dict) ||
		    (same_key ? strcmp(o->key, bd->key) != 0 : o != bd))
			continue;
		for (i = 0; i < n && out[i] != c->ev[k].dict; i++)
			;
		if (i == n && n < max)
			out[n++] = c->ev[k].dict;
	}
	return n;
}

/* Go 1.20+: the word of a method's dictionary that is its receiver's type (or a pointer to
 * it), main.Stack[int], and its type arguments; -1 when none is. */
static int receiver_word(const struct ctx *c, const struct body *bd, uint64_t dict, char *args,
			 size_t size)
{
	uint64_t w[MAX_DICT_WORDS];
	char name[ARGS_LEN], recv[ARGS_LEN], want[ARGS_LEN];
	struct gname g;
	int n = dict_extent(c, dict, w, MAX_DICT_WORDS), k;

	link_to_type_name(bd->recv, want, sizeof(want));

	for (k = 0; k < n; k++) {
		const char *t = name;

		if (!type_name(c, w[k], name, sizeof(name)))
			continue;
		if (*t == '*')
			t++;
		if (!gname_parse(t, &g) || g.kind != GN_FUNC || !g.nargs)
			continue;
		recv_of(t, &g, recv, sizeof(recv));
		if (strcmp(recv, want))
			continue;
		snprintf(args, size, "%.*s", (int)(g.args_end - g.args), t + g.args);
		return k;
	}
	return -1;
}

/* Do type arguments named args fit bd's shapes, as far as their names say? */
static bool args_fit(const struct ctx *c, const struct body *bd, const char *args)
{
	char arg[ARGS_LEN];
	struct gname g = { .args = 0, .args_end = strlen(args) };
	int i;

	if (!bd->g.nargs)
		return true;
	for (i = 0; i < bd->g.nargs; i++)
		if (!arg_nth(args, args + g.args_end, i, arg, sizeof(arg)) ||
		    !arg_fits(c, bd, i, arg, 0))
			return false;
	return !arg_nth(args, args + g.args_end, i, arg, sizeof(arg));
}

/*
 * Go 1.20+ methods: the receiver's type, among the dictionary's types, names the arguments,
 * where it lies at one place in every dictionary of the type that callers pass.
 */
static bool name_by_receiver(const struct ctx *c, const struct evid *e, char *args, size_t size)
{
	const struct body *bd = &c->bodies[e->body];
	uint64_t sib[64];
	char other[ARGS_LEN];
	size_t k;
	int at, n = 0, i;

	if (bd->g.kind == GN_FUNC || c->minor < 120)
		return false;
	at = receiver_word(c, bd, e->dict, args, size);
	if (at < 0 || !args_fit(c, bd, args))
		return false;
	for (k = 0; k < c->nev; k++) {	/* the dictionaries of every method of the type */
		const struct body *o = &c->bodies[c->ev[k].body];

		if (c->ev[k].reg != o->reg || o->g.kind == GN_FUNC || strcmp(o->recv, bd->recv) ||
		    sym_at(c, c->ev[k].dict))
			continue;
		for (i = 0; i < n && sib[i] != c->ev[k].dict; i++)
			;
		if (i == n && n < 64)
			sib[n++] = c->ev[k].dict;
	}
	for (i = 0; i < n; i++)
		if (receiver_word(c, bd, sib[i], other, sizeof(other)) != at)
			return false;
	return true;
}

/* Append a type's name to args, comma-separated. */
static bool args_append(const struct ctx *c, uint64_t t, char *args, size_t size)
{
	char name[ARGS_LEN];
	size_t n = strlen(args);

	if (!type_name(c, t, name, sizeof(name)))
		return false;
	return (size_t)snprintf(args + n, size - n, "%s%s", n ? "," : "", name) < size - n;
}

/*
 * Go 1.18-1.19: the leading type arguments; how many, the body's name says, or (stripped:
 * "[...]") the fewest that the dictionaries of its function lead with, of two or more, as a
 * dictionary's words may run on into the next object's.
 */
static bool name_by_leading(const struct ctx *c, const struct evid *e, char *args, size_t size)
{
	const struct body *bd = &c->bodies[e->body];
	uint64_t w[MAX_ARGS], sib[64];
	int k, nargs = bd->g.nargs, n, ns;

	if (c->minor < 118 || c->minor >= 120)
		return false;
	ns = siblings(c, e, true, sib, 64);
	if (!nargs) {
		if (ns < 2)
			return false;
		for (k = 0; k < ns; k++) {
			n = leading_args(c, sib[k], next_dict(c, sib[k]), w);
			if (n && (!nargs || n < nargs))
				nargs = n;
		}
	}
	n = leading_args(c, e->dict, next_dict(c, e->dict), w);
	if (!nargs || n < nargs)
		return false;
	args[0] = 0;
	for (k = 0; k < nargs; k++)
		if (!args_append(c, w[k], args, size))
			return false;
	return true;
}

/*
 * Go 1.20+: the dictionary's types from the first, up to those that hold a type fitting each
 * of the body's shapes: how many words that takes (start: where the types begin), and for each
 * shape the one type that fits it (found[i]), or 0 when more than one does. -1 when the types
 * run out first.
 */
static int shape_window(const struct ctx *c, const struct body *bd, uint64_t dict, int *start,
			uint64_t *found)
{
	uint64_t w[MAX_DICT_WORDS], f[MAX_ARGS][4];
	char shape[ARGS_LEN];
	int n = dict_extent(c, dict, w, MAX_DICT_WORDS), k, a, nf[MAX_ARGS] = { 0 }, covered;
	int budget = SEARCH_BUDGET;
	bool all[MAX_ARGS];

	if (bd->g.nargs > MAX_ARGS)
		return -1;
	for (k = 0; k < n && !is_type(c, w[k]); k++)	/* method values and sub-dictionaries */
		if (!w[k])
			return -1;
	*start = k;
	for (a = 0; a < MAX_ARGS; a++)
		all[a] = true;
	for (; k < n && is_type(c, w[k]); k++) {
		for (a = 0, covered = 0; a < bd->g.nargs; a++) {
			if (!arg_nth(bd->fn->name + bd->g.args, bd->fn->name + bd->g.args_end, a,
				     shape, sizeof(shape)))
				return -1;
			shape_strip(shape);
			all[a] &= shape_search(c, w[k], shape, 0, f[a], &nf[a], 4, &budget);
			covered += nf[a] > 0;
		}
		if (covered == bd->g.nargs) {
			for (a = 0; a < bd->g.nargs; a++)
				found[a] = nf[a] == 1 && all[a] ? f[a][0] : 0;
			return k + 1 - *start;
		}
	}
	return -1;
}

/*
 * Go 1.21+ functions: each shape's one fitting type among the dictionary's first types and
 * their parts, where two or more dictionaries of the body agree on how many types that takes
 * and of which kinds (a dictionary's end is not written down: a lone one could run on into the
 * next object's types).
 */
static bool name_by_shapes(const struct ctx *c, const struct evid *e, char *args, size_t size)
{
	const struct body *bd = &c->bodies[e->body];
	uint64_t sib[64], found[MAX_ARGS], other[MAX_ARGS], w[MAX_DICT_WORDS], v[MAX_DICT_WORDS];
	int ns, len, start, olen, ostart, k, a;

	if (c->minor < 120 || !bd->g.nargs || bd->g.kind != GN_FUNC)
		return false;
	ns = siblings(c, e, false, sib, 64);
	len = shape_window(c, bd, e->dict, &start, found);
	if (ns < 2 || len <= 0 || dict_words(c, e->dict, w, start + len) != start + len)
		return false;
	for (k = 0; k < ns; k++) {
		if (sib[k] == e->dict)
			continue;
		olen = shape_window(c, bd, sib[k], &ostart, other);
		if (olen != len || ostart != start ||
		    dict_words(c, sib[k], v, start + len) != start + len)
			return false;
		for (a = start; a < start + len; a++)
			if (go_types__kind(c->types, w[a]) != go_types__kind(c->types, v[a]))
				return false;
	}
	args[0] = 0;
	for (a = 0; a < bd->g.nargs; a++)
		if (!found[a] || !args_append(c, found[a], args, size))
			return false;
	return true;
}

static int evid_cmp(const void *a, const void *b)
{
	const struct evid *x = a, *y = b;

	if (x->body != y->body)
		return x->body < y->body ? -1 : 1;
	return x->dict < y->dict ? -1 : x->dict > y->dict;
}

/* Value receivers (Go 1.20+): the dictionary's register is the one whose address is a
 * dictionary: a .symtab one, or one that names the receiver's type. */
static void value_receivers(struct ctx *c)
{
	char args[ARGS_LEN];
	size_t k;

	for (k = 0; k < c->nev; k++) {
		struct body *bd = &c->bodies[c->ev[k].body];

		if (bd->reg >= 0 || bd->g.kind != GN_VAL_METHOD)
			continue;
		if (sym_at(c, c->ev[k].dict) || name_by_receiver(c, &c->ev[k], args, sizeof(args)))
			bd->reg = c->ev[k].reg;
	}
}

/* The dictionaries the callers pass that .symtab does not name, named where they can be. */
static int evid_instances(struct ctx *c)
{
	char args[ARGS_LEN];
	size_t k, j;
	int err = 0;

	if (c->nev)
		qsort(c->ev, c->nev, sizeof(*c->ev), evid_cmp);
	for (k = 0; k < c->nev && !err; k = j) {
		const struct evid *e = &c->ev[k];
		const struct body *bd = &c->bodies[e->body];
		const char *how = NULL;

		for (j = k + 1; j < c->nev && c->ev[j].body == e->body && c->ev[j].dict == e->dict;
		     j++)
			;
		if (e->reg != bd->reg || sym_at(c, e->dict))
			continue;
		/* one of the callers is the instantiation's own wrapper */
		for (size_t w = k; w < j && !how; w++)
			if (c->ev[w].reg == bd->reg && name_by_wrapper(c, &c->ev[w], args, sizeof(args)))
				how = "its wrapper's name";
		if (!how && name_by_receiver(c, e, args, sizeof(args)))
			how = "its receiver's type";
		if (!how && name_by_leading(c, e, args, sizeof(args)))
			how = "its dictionary's type arguments";
		if (!how && name_by_shapes(c, e, args, sizeof(args)))
			how = "its dictionary's types";
		if (how)
			err = inst_add(c, bd, args, e->dict, how);
	}
	return err;
}

static int inst_cmp(const void *a, const void *b)
{
	const struct go_inst *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	if (d)
		return d;
	return x->body->entry < y->body->entry ? -1 : x->body->entry > y->body->entry;
}

/*
 * Instances that cannot be told apart: of one body, with one dictionary (empty ones), or with
 * one name from two dictionaries (a name inferred twice). Their dict becomes 0.
 */
static void inst_ambiguous(struct generics *o)
{
	size_t i, j;

	for (i = 0; i < o->n; i++)
		for (j = i + 1; j < o->n; j++) {
			struct go_inst *x = &o->insts[i], *y = &o->insts[j];

			if (x->body != y->body || (x->dict != y->dict && strcmp(x->name, y->name)))
				continue;
			if (!x->dict && !y->dict)
				continue;
			x->dict = 0;
			y->dict = 0;
		}
}

/* Each instantiation's own wrapper: a caller of its name that passes its dictionary. */
static void inst_wrappers(struct ctx *c)
{
	size_t i, k;

	for (i = 0; i < c->out->n; i++) {
		struct go_inst *in = &c->out->insts[i];

		for (k = 0; k < c->nev && !in->wrapper; k++)
			if (c->bodies[c->ev[k].body].fn == in->body && c->ev[k].dict == in->dict &&
			    c->ev[k].reg == in->reg && !strcmp(c->ev[k].caller->name, in->name))
				in->wrapper = c->ev[k].caller;
	}
}

static void batch_free(struct generics *g)
{
	size_t i;

	for (i = 0; i < g->nnames; i++)
		free(g->names[i]);
	free(g->names);
	free(g->insts);
	free(g);
}

static void generics_free(struct go_binary *b)
{
	struct generics *g = b->generics, *next;

	for (; g; g = next) {
		next = g->next;
		batch_free(g);
	}
	b->generics = NULL;
}

/*
 * A stripped binary's dictionaries are named from what its code and data say of them all (one
 * dictionary's end is where the next known one begins): its instantiations are found all at
 * once, whatever the pattern, so that each has one name. With the symbol table, only the
 * shaped functions wanted are looked at.
 */
static int generics_find(struct ctx *c)
{
	size_t i;
	int err;

	err = bodies_find(c);
	if (err || !c->nbodies)
		return err;
	err = syms_find(c);
	if (!err && !c->nsyms && (c->pat || c->only)) {
		c->pat = NULL;
		c->only = NULL;
		err = bodies_find(c);
	}
	c->out->full = !c->pat && !c->only;
	if (err)
		return err;
	c->types = go_types__open(c->b);	/* without it, .symtab and wrappers still name */
	err = callers_scan(c);
	if (err)
		return err;
	value_receivers(c);
	for (i = 0; i < c->nsyms && !err; i++)
		err = sym_instances(c, &c->syms[i]);
	if (!err)
		err = evid_instances(c);
	if (!err) {
		inst_wrappers(c);
		inst_ambiguous(c->out);
		if (c->out->n)	/* qsort() of NULL is undefined, even of nothing */
			qsort(c->out->insts, c->out->n, sizeof(*c->out->insts), inst_cmp);
	}
	return err;
}

/* The instantiations of the shaped functions pat may name, or of only (both NULL: all). */
static int instances_of(struct go_binary *b, const struct go_pattern *pat,
			const struct go_func *only, const struct go_inst **insts, size_t *cnt)
{
	struct ctx c = { .b = b, .minor = gobin_go_minor(b), .pat = pat, .only = only };
	struct generics *g;
	size_t i;
	int err;

	*insts = NULL;
	*cnt = 0;
	if (b->tc != GO_GC || (c.minor && c.minor < 118))
		return 0;	/* gccgo 12 and Go before 1.18 have no generics */
	for (g = b->generics; g && !g->full; g = g->next)
		;
	if (!g) {
		err = gobin_on_close(b, generics_free, false);
		if (err)
			return err;
		g = c.out = calloc(1, sizeof(*c.out));
		if (!g)
			return go_fail(ENOMEM, "out of memory");
		err = generics_find(&c);
		go_types__close(c.types);
		for (i = 0; i < c.nsyms; i++)
			free(c.syms[i].owned);
		free(c.syms);
		free(c.ev);
		free(c.bodies);
		if (err) {
			batch_free(g);
			return err;
		}
		g->next = b->generics;
		b->generics = g;
	}
	*insts = g->insts;
	*cnt = g->n;
	return 0;
}

int go_binary__instances(struct go_binary *b, const struct go_pattern *pat,
			 const struct go_inst **insts, size_t *cnt)
{
	return instances_of(b, pat, NULL, insts, cnt);
}

int go_binary__dict_word(struct go_binary *b, const struct go_func *fn)
{
	const struct go_func *body = go_binary__func_at(b, fn->entry);
	struct ctx c = { .b = b, .minor = gobin_go_minor(b) };
	const struct go_inst *in;
	struct body bd;
	size_t n, i;
	int reg;

	if (b->tc != GO_GC || fn->abi != GO_ABI_INTERNAL || !body || body->entry != fn->entry ||
	    !gname_parse(body->name, &bd.g) || (bd.g.nargs && !strstr(body->name, "go.shape.")))
		return 0;
	reg = body_reg(&c, &bd);
	for (i = 0; reg < 0 && !instances_of(b, NULL, body, &in, &n) && i < n; i++)
		if (in[i].body == body)
			reg = in[i].reg;
	/* its place among the register ABI's argument registers */
	return reg >= 0 ? go_abi__reg_word(b->arch, reg) : 0;
}

int go_binary__dict_param(struct go_binary *b, const struct go_func *fn)
{
	const struct go_func *body = go_binary__func_at(b, fn->entry);
	int minor = gobin_go_minor(b);
	struct gname g;

	if (b->tc != GO_GC || fn->abi != GO_ABI_INTERNAL || !body || body->entry != fn->entry ||
	    !gname_parse(body->name, &g) || (g.nargs && !strstr(body->name, "go.shape.")))
		return -1;
	return g.kind != GN_FUNC && (!minor || minor >= 120) ? 1 : 0;
}

bool go_inst__at_site(struct go_binary *b, const struct go_inst *in, uint64_t site)
{
	struct go_insn *code;
	size_t n, i;
	bool kept = in->reg >= 0 && in->reg < 32;

	if (!kept || site == in->body->entry)
		return kept;
	if (go_binary__decode(b, in->body, &code, &n))
		return false;
	for (i = 0; i < n && code[i].addr < site && kept; i++)
		kept = !(code[i].regs_written & (1u << in->reg)) &&
		       code[i].kind != GO_INSN_CALL && code[i].kind != GO_INSN_ICALL;
	free(code);
	return kept;
}
