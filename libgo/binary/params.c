// SPDX-License-Identifier: Apache-2.0
/*
 * Functions' parameters and results from DWARF (dwarf.c's handle): their names, types and the
 * registers or stack words Go's ABI gives them (with a generic function's dictionary counted),
 * and which of them are interfaces, for the tools that read arguments.
 */
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary_priv.h"

/* ---- parameters ----------------------------------------------------------------------------- */

#define DW_AT_go_kind 0x2900	/* Go's own attribute: the reflect.Kind of a type */


/* What the register ABI needs to know of a type. */
struct tinfo {
	enum go_kind kind;
	int size, align;
	int iregs, fregs;	/* registers it takes when register-assigned */
	bool regs_ok;		/* false: always on the stack (arrays longer than one) */
};

static Dwarf_Word die_udata(Dwarf_Die *d, unsigned attr, Dwarf_Word dflt)
{
	Dwarf_Attribute a;
	Dwarf_Word v;

	if (!dwarf_attr_integrate(d, attr, &a) || dwarf_formudata(&a, &v))
		return dflt;
	return v;
}

static bool die_type(Dwarf_Die *d, Dwarf_Die *type)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(d, DW_AT_type, &a) && dwarf_formref_die(&a, type);
}

static void tinfo_scalar(struct tinfo *t, enum go_kind kind, int size)
{
	t->kind = kind;
	t->size = size;
	t->align = size ? size : 1;
	t->iregs = kind == GO_KIND_FLOAT ? 0 : 1;
	t->fregs = kind == GO_KIND_FLOAT ? 1 : 0;
	t->regs_ok = true;
}

static int type_info(Dwarf_Die *type, struct tinfo *t, int depth);

/* A struct takes the registers of its fields, in order. */
static int struct_info(Dwarf_Die *type, struct tinfo *t, int depth)
{
	Dwarf_Die m, mt;

	t->kind = GO_KIND_OTHER;
	t->size = (int)die_udata(type, DW_AT_byte_size, 0);
	t->align = 1;
	t->iregs = t->fregs = 0;
	t->regs_ok = true;
	if (dwarf_child(type, &m))
		return 0;
	do {
		struct tinfo f;

		if (dwarf_tag(&m) != DW_TAG_member || !die_type(&m, &mt))
			continue;
		if (type_info(&mt, &f, depth + 1))
			return -1;
		t->iregs += f.iregs;
		t->fregs += f.fregs;
		t->regs_ok = t->regs_ok && f.regs_ok;
		if (f.align > t->align)
			t->align = f.align;
	} while (dwarf_siblingof(&m, &m) == 0);
	return 0;
}

static int kind_info(Dwarf_Die *type, Dwarf_Word rk, struct tinfo *t, int depth)
{
	int size = (int)die_udata(type, DW_AT_byte_size, 8);

	switch (rk) {
	case GO_RKIND_BOOL:
		tinfo_scalar(t, GO_KIND_BOOL, size);
		return 0;
	case GO_RKIND_INT: case GO_RKIND_INT8: case GO_RKIND_INT16: case GO_RKIND_INT32:
	case GO_RKIND_INT64:
		tinfo_scalar(t, GO_KIND_INT, size);
		return 0;
	case GO_RKIND_UINT: case GO_RKIND_UINT8: case GO_RKIND_UINT16: case GO_RKIND_UINT32:
	case GO_RKIND_UINT64: case GO_RKIND_UINTPTR:
		tinfo_scalar(t, GO_KIND_UINT, size);
		return 0;
	case GO_RKIND_FLOAT32: case GO_RKIND_FLOAT64:
		tinfo_scalar(t, GO_KIND_FLOAT, size);
		return 0;
	case GO_RKIND_CHAN: case GO_RKIND_FUNC: case GO_RKIND_MAP: case GO_RKIND_POINTER:
	case GO_RKIND_UNSAFE_POINTER:
		tinfo_scalar(t, GO_KIND_PTR, 8);
		return 0;
	case GO_RKIND_COMPLEX64: case GO_RKIND_COMPLEX128:
		tinfo_scalar(t, GO_KIND_OTHER, size);
		t->align = size / 2;
		t->iregs = 0;
		t->fregs = 2;
		return 0;
	case GO_RKIND_STRING:
		if (struct_info(type, t, depth))
			return -1;
		t->kind = GO_KIND_STRING;
		return 0;
	default:
		return -1;
	}
}

static int array_info(Dwarf_Die *type, struct tinfo *t, int depth)
{
	Dwarf_Die sub, et;
	Dwarf_Word count = 0;

	if (!die_type(type, &et) || type_info(&et, t, depth + 1))
		return -1;
	if (dwarf_child(type, &sub) == 0 && dwarf_tag(&sub) == DW_TAG_subrange_type)
		count = die_udata(&sub, DW_AT_count, die_udata(&sub, DW_AT_upper_bound, -1) + 1);
	t->kind = GO_KIND_OTHER;
	t->size = (int)die_udata(type, DW_AT_byte_size, t->size * count);
	if (count == 0) {
		t->iregs = t->fregs = 0;
	} else if (count > 1) {
		t->regs_ok = false;
	}
	return 0;
}

/* DIEs one parameter's type may visit: fields are walked where they occur, so a corrupt DAG
 * of structs of structs would cost its fan-out to the 16th power; real types take far fewer */
#define TYPE_VISITS 4096

static int type_info(Dwarf_Die *type, struct tinfo *t, int depth)
{
	static __thread int visits;
	Dwarf_Word rk = die_udata(type, DW_AT_go_kind, 0);
	Dwarf_Die next;

	if (!depth)
		visits = 0;
	if (depth > 16 || ++visits > TYPE_VISITS)
		return -1;
	memset(t, 0, sizeof(*t));
	switch (dwarf_tag(type)) {
	case DW_TAG_typedef:
		if (!die_type(type, &next) || type_info(&next, t, depth + 1))
			return -1;
		/* gccgo: "string" is a typedef of an anonymous {__data, __length} struct */
		if (dwarf_diename(type) && !strcmp(dwarf_diename(type), "string") && t->iregs == 2)
			t->kind = GO_KIND_STRING;
		return 0;
	case DW_TAG_pointer_type:
	case DW_TAG_subroutine_type:
		tinfo_scalar(t, GO_KIND_PTR, 8);
		return 0;
	case DW_TAG_array_type:
		return array_info(type, t, depth);
	case DW_TAG_structure_type:
		if (rk == GO_RKIND_STRING)
			return kind_info(type, rk, t, depth);
		return struct_info(type, t, depth);
	case DW_TAG_base_type:
		if (rk)
			return kind_info(type, rk, t, depth);
		switch (die_udata(type, DW_AT_encoding, 0)) {
		case DW_ATE_boolean:
			tinfo_scalar(t, GO_KIND_BOOL, (int)die_udata(type, DW_AT_byte_size, 1));
			return 0;
		case DW_ATE_signed:
		case DW_ATE_signed_char:
			tinfo_scalar(t, GO_KIND_INT, (int)die_udata(type, DW_AT_byte_size, 8));
			return 0;
		case DW_ATE_unsigned:
		case DW_ATE_unsigned_char:
		case DW_ATE_address:
			tinfo_scalar(t, GO_KIND_UINT, (int)die_udata(type, DW_AT_byte_size, 8));
			return 0;
		case DW_ATE_float:
			tinfo_scalar(t, GO_KIND_FLOAT, (int)die_udata(type, DW_AT_byte_size, 8));
			return 0;
		}
		return -1;
	default:
		/* Go's DWARF marks interfaces, slices and the like with their kind */
		return rk ? kind_info(type, rk, t, depth) : -1;
	}
}

static bool cu_find_subprogram(Dwarf_Die *cu, uint64_t entry, Dwarf_Die *out)
{
	Dwarf_Die die;

	if (dwarf_child(cu, &die))
		return false;
	do {
		Dwarf_Addr lo;

		if (dwarf_tag(&die) == DW_TAG_subprogram && dwarf_lowpc(&die, &lo) == 0 &&
		    lo == entry) {
			*out = die;
			return true;
		}
	} while (dwarf_siblingof(&die, &die) == 0);
	return false;
}

/* The subprogram DIE whose low_pc is entry. Go writes no .debug_aranges: the CUs that say they
 * hold the address are searched. */
/* A binary with no DWARF at all (stripped, or linked with -ldflags=-w): names cannot be read. */
static int no_dwarf(const struct go_binary *b)
{
	if (b->dwarf_why[0])	/* not ENOENT: it has DWARF, too big to read */
		return go_fail(EFBIG, "%s: name arguments as goargN", b->dwarf_why);
	return go_fail(ENOENT, "'%s' has no DWARF (linked with -w or stripped): name arguments as "
		       "goargN", b->name);
}

static bool find_subprogram(Dwarf *dw, uint64_t entry, Dwarf_Die *out)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	Dwarf_Die cu;

	if (dwarf_addrdie(dw, entry, &cu) && cu_find_subprogram(&cu, entry, out))
		return true;
	for (; dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0; off = next)
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_haspc(&cu, entry) > 0 &&
		    cu_find_subprogram(&cu, entry, out))
			return true;
	return false;
}

static int align_up(int v, int a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

/* Register-ABI assignment of one parameter list (arguments, or results) in order. */
struct assigner {
	enum go_abi abi;
	const struct go_arch *arch;
	int ni, nf;		/* registers used */
	int stack;		/* bytes of stack used, from the first stack word */
	int stack_base;		/* SP offset of the first stack word */
	int bytes;		/* all of them, as a frame would lay them out (_func.args) */
	/*
	 * a generic function's shaped body takes its dictionary, which DWARF does not list, in
	 * the next integer register after this many arguments, less one (0: it takes none)
	 */
	int dict;
	int nargs;		/* arguments assigned */
};

/* Before the next argument: the dictionary's register (and spill slot), where it comes. */
static void assign_dict(struct assigner *a)
{
	if (a->dict && a->nargs++ == a->dict - 1) {
		a->ni++;
		a->bytes = align_up(a->bytes, 8) + 8;
	}
}

/* Has the dictionary a register among the arguments assigned (no goargN: go_binary__arg)? */
static bool dict_assigned(const struct assigner *a)
{
	return a->dict && a->nargs >= a->dict;
}


static void assign(struct assigner *a, const struct tinfo *t, struct go_param *p)
{
	bool scalar = t->kind <= GO_KIND_PTR, str = t->kind == GO_KIND_STRING;
	int w;

	a->bytes = align_up(a->bytes, t->align) + t->size;
	/* System V passes an aggregate over 16 bytes (a slice, a struct) in memory, on the stack */
	if (a->abi != GO_ABI0 && t->regs_ok &&
	    a->ni + t->iregs <= go_abi__int_regs(a->arch, a->abi, false) &&
	    a->nf + t->fregs <= go_abi__float_regs(a->arch, a->abi) &&
	    !(a->abi == GO_ABI_SYSV && t->size > 16)) {
		for (w = 0; w < t->iregs && w < 2 && (scalar || str); w++) {
			struct go_loc loc;

			if (p->result)
				go_abi__ret(a->arch, a->abi, a->ni + w + 1, 0, &loc);
			else
				go_abi__arg(a->arch, a->abi, a->ni + w + 1, &loc);
			p->loc[w] = loc;
		}
		p->located = scalar || str;
		p->in_regs = true;
		p->ireg = a->ni;
		a->ni += t->iregs;
		a->nf += t->fregs;
		return;
	}
	a->stack = align_up(a->stack, a->abi == GO_ABI_SYSV ? 8 : t->align);
	p->in_regs = false;
	p->sp_off = a->stack_base + a->stack;
	for (w = 0; w < 2 && (scalar || str); w++) {
		p->loc[w].kind = GO_LOC_STACK;
		p->loc[w].reg = NULL;
		p->loc[w].code = -1;
		p->loc[w].sp_off = a->stack_base + a->stack + 8 * w;
	}
	p->located = (scalar || str) && t->kind != GO_KIND_FLOAT;
	a->stack += a->abi == GO_ABI_SYSV ? align_up(t->size, 8) : t->size;
}

static bool param_seen(const struct go_param *ps, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (!strcmp(ps[i].name, name))
			return true;
	return false;
}

static bool die_flag(Dwarf_Die *d, unsigned attr)
{
	Dwarf_Attribute a;
	bool v = false;

	if (!dwarf_attr_integrate(d, attr, &a))
		return false;
	if (dwarf_formflag(&a, &v) == 0)
		return v;
	return die_udata(d, attr, 0) != 0;
}

static int param_push(struct go_param **ps, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		struct go_param *np = realloc(*ps, c * sizeof(*np));

		if (!np)
			return go_fail(ENOMEM, "out of memory");
		*ps = np;
		*cap = c;
	}
	memset(&(*ps)[*n], 0, sizeof(**ps));
	return 0;
}

/* GCC's clones take other parameters than their functions: none of them is read. */
static int clone_fail(const struct go_func *fn)
{
	return go_fail(ENOTSUP, "%s runs as GCC's clone %s, whose parameters and results are not "
		       "those of %s: use arg1..arg6 or retval for its registers", fn->name,
		       fn->clone, fn->name);
}

/*
 * System V returns results over 16 bytes (class MEMORY) where the caller says: a pointer to
 * them comes first, in RDI, and goes back in RAX. gccgo returns a function's results as one
 * value, the subprogram's DWARF type (a struct when there are several).
 */
static bool sub_results_in_memory(Dwarf_Die *sub)
{
	Dwarf_Word size = 0;
	Dwarf_Die type;

	return die_type(sub, &type) && dwarf_aggregate_size(&type, &size) == 0 && size > 16;
}

static int results_in_memory(struct go_binary *b, const struct go_func *fn)
{
	Dwarf *dw;
	Dwarf_Die sub;

	if (fn->abi != GO_ABI_SYSV)
		return 0;
	dw = gobin_dwarf(b);
	if (!dw || !find_subprogram(dw, fn->entry, &sub))
		return go_fail(ENOENT, "'%s' has no DWARF for %s, which says where its arguments "
			       "are", b->name, fn->name);
	return sub_results_in_memory(&sub);
}

int go_binary__arg(struct go_binary *b, const struct go_func *fn, int n, struct go_loc *loc)
{
	int hidden, dict;

	if (fn->clone)
		return clone_fail(fn);
	hidden = results_in_memory(b, fn);
	if (hidden == -ENOENT)
		hidden = 0;	/* without DWARF, as if results fitted in registers */
	if (hidden < 0)
		return hidden;
	/* a generic function's dictionary is no argument of the Go function */
	dict = go_binary__dict_word(b, fn);
	if (dict > 0 && n >= dict)
		hidden++;
	return go_abi__arg(go_binary__arch(b), fn->abi, n + hidden, loc);
}

int go_binary__ret(struct go_binary *b, const struct go_func *fn, int n, int args_size,
		   struct go_loc *loc)
{
	int mem;

	if (fn->clone)
		return clone_fail(fn);
	mem = results_in_memory(b, fn);
	if (mem > 0)
		return go_fail(ENOTSUP, "the results of %s take more than 16 bytes and are "
			       "returned in memory, which a return probe cannot read", fn->name);
	return go_abi__ret(go_binary__arch(b), fn->abi, n, args_size, loc);
}

/*
 * fn's first DWARF child, where its parameters begin: 1 with *d set, 0 when it has none, or a
 * negative errno (a GCC clone, no DWARF). With gccgo's hidden pointer to results that take more
 * than 16 bytes, args starts past RDI.
 */
static int first_param_die(struct go_binary *b, const struct go_func *fn, Dwarf *dw,
			   struct assigner *args, Dwarf_Die *d)
{
	Dwarf_Die sub;

	if (fn->clone)
		return clone_fail(fn);
	if (!dw)
		return no_dwarf(b);
	if (!find_subprogram(dw, fn->entry, &sub))
		return go_fail(ENOENT, "'%s' has no DWARF for %s", b->name, fn->name);
	if (fn->abi == GO_ABI_SYSV && sub_results_in_memory(&sub))
		args->ni = 1;	/* RDI: the hidden pointer to the results */
	args->dict = go_binary__dict_param(b, fn) + 1;
	return dwarf_child(&sub, d) ? 0 : 1;
}

/*
 * fn's parameters in order, placed by its ABI; args and rets, the assignments of its arguments
 * and of its results, end where the last one does. *unknown: some type could not be read, so
 * what follows it is placed by guesswork.
 */
static int params_assign(struct go_binary *b, const struct go_func *fn, struct go_param **params,
			 size_t *cnt, struct assigner *args, struct assigner *rets, bool *unknown)
{
	Dwarf *dw = gobin_dwarf(b);
	Dwarf_Die d;
	size_t cap = 0, i;
	int err;

	*args = (struct assigner){ fn->abi, go_binary__arch(b), 0, 0, 0, 8, 0, 0, 0 };
	*rets = (struct assigner){ fn->abi, go_binary__arch(b), 0, 0, 0, 8, 0, 0, 0 };
	*unknown = false;
	*params = NULL;
	*cnt = 0;
	err = first_param_die(b, fn, dw, args, &d);
	if (err <= 0)
		return err;
	do {
		struct go_param *p;
		struct tinfo t;
		Dwarf_Die type;
		const char *name;

		if (dwarf_tag(&d) != DW_TAG_formal_parameter)
			continue;
		name = dwarf_diename(&d);
		if (param_seen(*params, *cnt, name))
			continue;	/* Go repeats results of functions that defer */
		err = param_push(params, cnt, &cap);
		if (err)
			goto fail;
		p = &(*params)[(*cnt)++];
		snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
		p->result = die_flag(&d, DW_AT_variable_parameter);
		if (!die_type(&d, &type) || type_info(&type, &t, 0)) {
			memset(&t, 0, sizeof(t));
			t.kind = GO_KIND_OTHER;
			t.size = 8;
			t.align = 8;
			t.regs_ok = false;
			*unknown = true;
		}
		name = die_type(&d, &type) ? dwarf_diename(&type) : NULL;
		p->type_die = name ? dwarf_dieoffset(&type) : 0;
		snprintf(p->type, sizeof(p->type), "%s", name ? name : "?");
		p->kind = t.kind;
		p->size = t.size;
		if (!p->result)
			assign_dict(args);
		assign(p->result ? rets : args, &t, p);
	} while (dwarf_siblingof(&d, &d) == 0);
	if (args->dict && !dict_assigned(args))
		assign_dict(args);	/* after the last argument: its spill slot still counts */
	/* results on the stack follow the arguments' stack area, pointer-aligned */
	for (i = 0; i < *cnt; i++) {
		struct go_param *p = &(*params)[i];

		if (p->result && !p->in_regs)
			p->sp_off += align_up(args->stack, 8);
		if (p->result && p->loc[0].kind == GO_LOC_STACK && p->located) {
			p->loc[0].sp_off += align_up(args->stack, 8);
			p->loc[1].sp_off += align_up(args->stack, 8);
		}
	}
	return 0;
fail:
	free(*params);
	*params = NULL;
	*cnt = 0;
	return err;
}

int go_binary__params(struct go_binary *b, const struct go_func *fn, struct go_param **params,
		      size_t *cnt)
{
	struct assigner args, rets;
	bool unknown;

	return params_assign(b, fn, params, cnt, &args, &rets, &unknown);
}

/*
 * gccgo returns a function's results as one value, its subprogram's type (a struct when there
 * are several): in RAX and RDX when it takes at most 16 bytes, else in memory (no word).
 */
static int sysv_result_words(struct go_binary *b, const struct go_func *fn, struct go_words *w)
{
	Dwarf *dw = gobin_dwarf(b);
	Dwarf_Die sub, type;
	struct tinfo t;

	w->regs = w->stack = 0;
	if (!dw || !find_subprogram(dw, fn->entry, &sub))
		return go_fail(ENOENT, "no DWARF");
	if (!die_type(&sub, &type))
		return 0;	/* no results */
	if (type_info(&type, &t, 0))
		return go_fail(ENOENT, "its DWARF has a result of a type libgo cannot read");
	if (t.size <= 16)
		w->regs = t.iregs < 2 ? t.iregs : 2;
	return 0;
}

int go_binary__words(struct go_binary *b, const struct go_func *fn, bool results,
		     struct go_words *w)
{
	struct assigner args, rets, *a;
	struct go_param *ps;
	size_t n, i, nres = 0;
	bool unknown;
	int err = params_assign(b, fn, &ps, &n, &args, &rets, &unknown);

	for (i = 0; !err && i < n; i++)
		nres += ps[i].result;
	free(ps);
	if (err == -ENOENT)
		return go_fail(ENOENT, "no DWARF");
	if (err)
		return err;
	if (unknown)
		return go_fail(ENOENT, "its DWARF has a parameter of a type libgo cannot read");
	/*
	 * DWARF may leave parameters out (assembly's lists none, compiler-made wrappers' not all
	 * of them): where the function table's argument size is more than it lists, it is not
	 * the count (an ABI0 frame's argument size holds its results too)
	 */
	if (fn->args > align_up(args.bytes, 8) + (fn->abi == GO_ABI0 ? align_up(rets.bytes, 8) : 0))
		return go_fail(ENOENT, "its DWARF lists fewer parameters than it takes");
	if (results && fn->abi == GO_ABI_SYSV)
		return sysv_result_words(b, fn, w);
	/* gc may leave an unnamed result out of an optimized function's DWARF (Go 1.17) */
	if (results && !nres)
		return go_fail(ENOENT, "its DWARF lists no results");
	a = results ? &rets : &args;
	/* gccgo's hidden pointer to results in memory is no goargN (go_binary__arg) */
	w->regs = a->ni - (!results && fn->abi == GO_ABI_SYSV && results_in_memory(b, fn) > 0) -
		  (!results && dict_assigned(a));
	w->stack = align_up(a->stack, 8) / 8;
	return 0;
}

const char *go_kind__name(enum go_kind kind)
{
	static const char *const names[] = { "int", "uint", "bool", "pointer", "string", "float",
					     "other" };

	return kind <= GO_KIND_OTHER ? names[kind] : "?";
}

/* ---- Interface parameters ------------------------------------------------------------------ */

/*
 * Is type an interface, and an empty one? gc: a typedef of kind Interface whose struct is
 * runtime.eface (or runtime.iface); gccgo: a struct {__type_descriptor | __methods, __object}.
 */
static bool iface_type(Dwarf_Die *type, bool *empty)
{
	Dwarf_Die d = *type, m;
	bool go_iface = false;
	int depth;

	for (depth = 0; depth < 8; depth++) {
		const char *name = dwarf_diename(&d);

		if (die_udata(&d, DW_AT_go_kind, 0) == GO_RKIND_INTERFACE)
			go_iface = true;
		if (dwarf_tag(&d) == DW_TAG_structure_type) {
			if (go_iface && name) {
				*empty = !strcmp(name, "runtime.eface");
				return true;
			}
			if (dwarf_child(&d, &m) || !(name = dwarf_diename(&m)))
				return false;
			*empty = !strcmp(name, "__type_descriptor");
			return *empty || !strcmp(name, "__methods");
		}
		if (dwarf_tag(&d) != DW_TAG_typedef || !die_type(&d, &d))
			return false;
	}
	return false;
}

int go_binary__iface_params(struct go_binary *b, const struct go_func *fn,
			    struct go_iface_param **params, size_t *cnt)
{
	struct assigner args = { fn->abi, go_binary__arch(b), 0, 0, 0, 8, 0, 0, 0 };
	Dwarf *dw = gobin_dwarf(b);
	Dwarf_Die d;
	size_t cap = 0;
	int err;

	*params = NULL;
	*cnt = 0;
	err = first_param_die(b, fn, dw, &args, &d);
	if (err <= 0)
		return err;
	do {
		struct go_iface_param *p;
		struct go_param gp = { 0 };
		struct tinfo t;
		Dwarf_Die type;
		const char *name = dwarf_diename(&d);
		int ni = args.ni, stack = args.stack;

		if (dwarf_tag(&d) != DW_TAG_formal_parameter || die_flag(&d, DW_AT_variable_parameter))
			continue;
		if (!die_type(&d, &type) || type_info(&type, &t, 0))
			break;	/* cannot place what follows */
		if (*cnt == cap) {
			struct go_iface_param *np;

			cap = cap ? cap * 2 : 8;
			np = realloc(*params, cap * sizeof(*np));
			if (!np) {
				free(*params);
				*params = NULL;
				*cnt = 0;
				return go_fail(ENOMEM, "out of memory");
			}
			*params = np;
		}
		p = &(*params)[(*cnt)++];
		memset(p, 0, sizeof(*p));
		snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
		name = dwarf_diename(&type);
		snprintf(p->type, sizeof(p->type), "%s", name ? name : "?");
		p->iface = iface_type(&type, &p->empty);
		assign_dict(&args);
		ni = args.ni;
		assign(&args, &t, &gp);
		if (args.ni > ni) {
			go_abi__arg(go_binary__arch(b), fn->abi, ni + 1, &p->loc[0]);
			go_abi__arg(go_binary__arch(b), fn->abi, ni + 2, &p->loc[1]);
		} else {
			stack = args.stack_base + align_up(stack, fn->abi == GO_ABI_SYSV ? 8 : t.align);
			p->loc[0] = (struct go_loc){ .kind = GO_LOC_STACK, .code = -1, .sp_off = stack };
			p->loc[1] = (struct go_loc){ .kind = GO_LOC_STACK, .code = -1,
						     .sp_off = stack + 8 };
		}
	} while (dwarf_siblingof(&d, &d) == 0);
	return 0;
}
