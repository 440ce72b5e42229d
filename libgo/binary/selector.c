// SPDX-License-Identifier: Apache-2.0
/*
 * Selectors as Go writes them, on a parameter or an argument word: `r.URL.Path`, `p.X`,
 * `len(r.Tags)`, `r.Tags[1]`, `goarg1.(*net/http.Request).Method`: their syntax, and the plan of
 * reads (the words the value starts from, then loads at offsets, trace.h's struct go_xplan)
 * that a probe follows to the value. Types are the runtime's type descriptors (gotype.c), which
 * a stripped binary keeps; a struct passed by value in registers is taken apart as the register
 * ABI assigns it (cmd/compile/abi-internal.md: each field in order, all or nothing).
 */
#include <ctype.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary_priv.h"

/* ---- the syntax ----------------------------------------------------------------------------- */

static const char *skip_ws(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* An identifier at s into buf (size 64); its length, 0 when there is none or it is too long. */
static size_t take_ident(const char *s, char *buf)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	if (n >= GO_XNAME_LEN)
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	return n;
}

/* A type between ".(" and its balanced ")": *s is past "(". */
static int take_type(const char **s, char *buf, size_t size)
{
	const char *p = *s;
	int depth = 1;
	size_t n;

	for (; *p && depth; p++) {
		if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if (*p == ')' || *p == ']' || *p == '}')
			depth--;
		if (depth && !isalnum((unsigned char)*p) && !strchr("_./*[](){}, -", *p))
			return go_fail(EINVAL, "bad type assertion: unexpected '%c'", *p);
	}
	n = (size_t)(p - *s) - 1;
	if (depth || p[-1] != ')')
		return go_fail(EINVAL, "bad type assertion: unbalanced parentheses");
	if (!n || n >= size)
		return go_fail(EINVAL, "bad type assertion: %s type", n ? "too long a" : "no");
	memcpy(buf, *s, n);
	buf[n] = 0;
	*s = p;
	return 0;
}

static int take_sel(const char **s, struct go_xsyntax *x)
{
	const char *p = *s;
	size_t n;

	if (x->nsel == GO_XSEL_MAX)
		return go_fail(EINVAL, "too many selectors (at most %d)", GO_XSEL_MAX);
	if (*p == '.') {
		n = take_ident(p + 1, x->sel[x->nsel].name);
		if (!n)
			return go_fail(EINVAL, "bad selector after '.' at '%s'", p);
		x->sel[x->nsel++].index = -1;
		*s = p + 1 + n;
		return 0;
	}
	/* '[' */
	for (n = 1; isdigit((unsigned char)p[n]); n++)
		;
	if (n == 1 || p[n] != ']' || n > 8)
		return go_fail(EINVAL, "bad index at '%s': a number up to 9999999 in [ ]", p);
	x->sel[x->nsel].name[0] = 0;
	x->sel[x->nsel++].index = strtol(p + 1, NULL, 10);
	*s = p + n + 1;
	return 0;
}

int go_xsyntax__parse(const char *text, struct go_xsyntax *x)
{
	const char *s = skip_ws(text);
	size_t n;
	int err = 0;

	memset(x, 0, sizeof(*x));
	if (!strncmp(s, "len(", 4) || !strncmp(s, "cap(", 4)) {
		x->fn = *s == 'l' ? GO_XFN_LEN : GO_XFN_CAP;
		s = skip_ws(s + 4);
	}
	n = take_ident(s, x->base);
	if (!n)
		return go_fail(EINVAL, "it starts with no name");
	s += n;
	if (!strncmp(s, ".(", 2)) {
		s += 2;
		err = take_type(&s, x->assert, sizeof(x->assert));
	}
	while (!err && (*s == '.' || *s == '['))
		err = take_sel(&s, x);
	if (err)
		return err;
	s = skip_ws(s);
	if (x->fn && *s++ != ')')
		return go_fail(EINVAL, "%s( has no ')'", x->fn == GO_XFN_LEN ? "len" : "cap");
	s = skip_ws(s);
	if (*s)
		return go_fail(EINVAL, "unexpected '%s'", s);
	return 0;
}

/* ---- types: DWARF's, or the runtime's descriptors ------------------------------------------ */

#define DW_AT_go_kind 0x2900	/* Go's own attributes: a type's reflect.Kind, */
#define DW_AT_go_elem 0x2902	/* a slice's element type */

struct xctx {
	const struct go_types *t;
	Dwarf *dw;
};

/* A type: DWARF's DIE (die != 0), or a descriptor under stars pointers that may have none. */
struct xt {
	uint64_t addr;
	int stars;
	uint64_t die;
};

static bool dw_ref(Dwarf_Die *d, unsigned at, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(d, at, &a) && dwarf_formref_die(&a, out);
}

static Dwarf_Word dw_udata(Dwarf_Die *d, unsigned at, Dwarf_Word dflt)
{
	Dwarf_Attribute a;
	Dwarf_Word v;

	return dwarf_attr_integrate(d, at, &a) && !dwarf_formudata(&a, &v) ? v : dflt;
}

/* The type's DIE, through its typedefs (a named type's) with under. */
static bool dw_die(const struct xctx *c, struct xt x, Dwarf_Die *d, bool under)
{
	int i;

	if (!c->dw || !dwarf_offdie(c->dw, x.die, d))
		return false;
	for (i = 0; under && i < 8 && dwarf_tag(d) == DW_TAG_typedef; i++)
		if (!dw_ref(d, DW_AT_type, d))
			return false;
	return true;
}

static int dw_base_kind(Dwarf_Die *d)
{
	static const int sints[] = { [1] = GO_RKIND_INT8, [2] = GO_RKIND_INT16, [4] = GO_RKIND_INT32,
				     [8] = GO_RKIND_INT64 };
	static const int uints[] = { [1] = GO_RKIND_UINT8, [2] = GO_RKIND_UINT16,
				     [4] = GO_RKIND_UINT32, [8] = GO_RKIND_UINT64 };
	Dwarf_Word size = dw_udata(d, DW_AT_byte_size, 0);

	if (size > 8)
		return -ENOENT;
	switch (dw_udata(d, DW_AT_encoding, 0)) {
	case DW_ATE_boolean:
		return GO_RKIND_BOOL;
	case DW_ATE_signed: case DW_ATE_signed_char:
		return sints[size] ? sints[size] : -ENOENT;
	case DW_ATE_unsigned: case DW_ATE_unsigned_char: case DW_ATE_address:
		return uints[size] ? uints[size] : -ENOENT;
	case DW_ATE_float:
		return size == 4 ? GO_RKIND_FLOAT32 : GO_RKIND_FLOAT64;
	}
	return -ENOENT;
}

static int dw_kind(const struct xctx *c, struct xt x)
{
	Dwarf_Die d;
	Dwarf_Word k;

	if (!dw_die(c, x, &d, false))
		return -ENOENT;
	k = dw_udata(&d, DW_AT_go_kind, 0);
	if (k && k <= GO_RKIND_UNSAFE_POINTER)
		return (int)k;
	if (!dw_die(c, x, &d, true))
		return -ENOENT;
	switch (dwarf_tag(&d)) {
	case DW_TAG_pointer_type:
		return GO_RKIND_POINTER;
	case DW_TAG_structure_type:
		return GO_RKIND_STRUCT;
	case DW_TAG_array_type:
		return GO_RKIND_ARRAY;
	case DW_TAG_base_type:
		return dw_base_kind(&d);
	}
	return -ENOENT;
}

static int xt_kind(const struct xctx *c, struct xt x)
{
	if (x.die)
		return dw_kind(c, x);
	return x.stars ? GO_RKIND_POINTER : go_types__kind(c->t, x.addr);
}

static uint64_t xt_size(const struct xctx *c, struct xt x)
{
	uint64_t size = 8;
	Dwarf_Die d;

	if (x.die)
		return !dw_die(c, x, &d, true) ? 0 : dwarf_tag(&d) == DW_TAG_pointer_type ? 8 :
		       dw_udata(&d, DW_AT_byte_size, 0);
	if (!x.stars && go_types__size(c->t, x.addr, &size))
		size = 0;
	return size;
}

static int xt_elem(const struct xctx *c, struct xt x, struct xt *e)
{
	Dwarf_Die d, ed;

	*e = x;
	if (x.die) {
		if (!dw_die(c, x, &d, true) ||
		    !dw_ref(&d, xt_kind(c, x) == GO_RKIND_SLICE ? DW_AT_go_elem : DW_AT_type, &ed))
			return go_fail(ENOENT, "a type's element is not in DWARF");
		e->die = dwarf_dieoffset(&ed);
		return 0;
	}
	if (x.stars) {
		e->stars--;
		return 0;
	}
	e->stars = 0;
	return go_types__elem(c->t, x.addr, &e->addr) ? go_fail(ENOENT, "a type's element is "
								 "unreadable") : 0;
}

static void xt_name(const struct xctx *c, struct xt x, char *buf, size_t size)
{
	char name[128] = "?";
	Dwarf_Die d;

	if (x.die) {
		snprintf(buf, size, "%s", dw_die(c, x, &d, false) && dwarf_diename(&d) ?
			 dwarf_diename(&d) : "?");
		return;
	}
	go_types__name(c->t, x.addr, name, sizeof(name));
	snprintf(buf, size, "%.*s%s", x.stars, "********", name);
}

/* A struct's field i: its name, offset and type; -ERANGE past the last, -ENOENT. */
static int xt_field(const struct xctx *c, struct xt x, int i, struct go_tfield *f, struct xt *ft)
{
	Dwarf_Die d, m, mt;
	int k = 0, err;

	*ft = (struct xt){ 0, 0, 0 };
	if (!x.die) {
		err = go_types__field(c->t, x.addr, (size_t)i, f);
		ft->addr = f->type;
		return err;
	}
	if (!dw_die(c, x, &d, true) || dwarf_child(&d, &m))
		return -ERANGE;
	do {
		if (dwarf_tag(&m) != DW_TAG_member || k++ != i)
			continue;
		if (!dw_ref(&m, DW_AT_type, &mt))
			return -ENOENT;
		snprintf(f->name, sizeof(f->name), "%s", dwarf_diename(&m) ? dwarf_diename(&m) : "");
		f->offset = dw_udata(&m, DW_AT_data_member_location, 0);
		ft->die = dwarf_dieoffset(&mt);
		return 0;
	} while (dwarf_siblingof(&m, &m) == 0);
	return -ERANGE;
}

#define DW_AT_go_embedded_field 0x2903
#define DW_AT_go_runtime_type 0x2904	/* the address of the type's descriptor */

/* The runtime's descriptor of a type (under *stars pointers it may have none of); for a DWARF
 * type, the one it names, or its pointer's target's; -ENOENT. */
static int xt_runtime(const struct xctx *c, struct xt x, uint64_t *addr, int *stars)
{
	Dwarf_Attribute a;
	Dwarf_Addr v;
	Dwarf_Die d;
	struct xt e;

	*addr = x.addr;
	*stars = x.stars;
	if (!x.die)
		return 0;
	if (!dw_die(c, x, &d, false))
		return -ENOENT;
	if (!dwarf_hasattr(&d, DW_AT_go_runtime_type) && dwarf_tag(&d) == DW_TAG_typedef)
		dw_ref(&d, DW_AT_type, &d);	/* a named type's: on what it names */
	/* an address (DW_FORM_addr), or from Go 1.2x its offset from the type data's start */
	if (dwarf_attr(&d, DW_AT_go_runtime_type, &a) &&
	    (!dwarf_formaddr(&a, &v) || !dwarf_formudata(&a, &v)) && v) {
		uint64_t lo, hi;

		go_types__range(c->t, &lo, &hi);
		if (v < lo && lo + v < hi)
			v += lo;
		if (go_types__kind(c->t, v) > 0) {
			*addr = v;
			*stars = 0;
			return 0;
		}
	}
	if (xt_kind(c, x) != GO_RKIND_POINTER || xt_elem(c, x, &e) || xt_runtime(c, e, addr, stars))
		return -ENOENT;
	++*stars;
	return 0;
}

/* Go's name ("*net/http.Request") as %T prints it ("*http.Request"), and the package path of a
 * named type ("net/http"), when it is one. */
static void rt_name(const char *go, char *name, size_t size, char *pkg, size_t psize)
{
	size_t o = 0;
	const char *p = go, *dot;

	pkg[0] = 0;
	while (*p && o + 1 < size) {
		const char *run = p, *slash = NULL;

		while (*p && (isalnum((unsigned char)*p) || strchr("_./", *p))) {
			if (*p == '/')
				slash = p;
			p++;
		}
		if (p == run) {
			name[o++] = *p++;
			continue;
		}
		if (slash)
			run = slash + 1;
		o += snprintf(name + o, size - o, "%.*s", (int)(p - run), run);
		if (o >= size)
			o = size - 1;
	}
	name[o] = 0;
	/* a named type: letters, '/' and '.' after its stars */
	p = go + strspn(go, "*");
	dot = strrchr(p, '.');
	if (dot && strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./") ==
	    strlen(p) && (size_t)(dot - p) < psize)
		snprintf(pkg, psize, "%.*s", (int)(dot - p), p);
}

/* The type Go calls go ("*net/http.Request", "string", "[]byte"): the descriptor of what its
 * stars point to, which a binary keeps when it keeps the pointer's. */
static int xt_find(const struct xctx *c, const char *go, struct xt *x)
{
	char name[256], pkg[128], like[256];
	const char *base;

	x->stars = (int)strspn(go, "*");
	rt_name(go + x->stars, name, sizeof(name), pkg, sizeof(pkg));
	if (!go_types__find(c->t, name, pkg, &x->addr))
		return 0;
	if (!strcmp(go, "[]byte") && !go_types__find(c->t, "[]uint8", "", &x->addr))
		return 0;
	base = strrchr(name, '.');
	base = base ? base + 1 : name + strspn(name, "*[]");
	if (*base && go_types__find_like(c->t, base, like, sizeof(like)))
		return go_fail(ENOENT, "the binary has no type descriptor of %s (it has %s): assert "
			       "one of those, or name the parameter (DWARF)", go, like);
	return go_fail(ENOENT, "the binary has no type descriptor of %s: assert a type it uses "
		       "(an enclosing struct's, a pointer's), or name the parameter (DWARF)", go);
}

/* Integer registers (and float ones) the register ABI gives a value of the type; -1 when it
 * goes on the stack whole (an array longer than one). */
static int xt_regs(const struct xctx *c, struct xt x, int *fregs, int depth)
{
	struct go_tfield f;
	struct xt e;
	uint64_t size, esize;
	int n = 0, k, i, kind = xt_kind(c, x);

	if (depth > 16)
		return -1;
	switch (kind) {
	case GO_RKIND_FLOAT32: case GO_RKIND_FLOAT64:
		++*fregs;
		return 0;
	case GO_RKIND_COMPLEX64: case GO_RKIND_COMPLEX128:
		*fregs += 2;
		return 0;
	case GO_RKIND_STRING: case GO_RKIND_INTERFACE:
		return 2;
	case GO_RKIND_SLICE:
		return 3;
	case GO_RKIND_ARRAY:
		size = xt_size(c, x);
		if (!size)
			return 0;
		if (xt_elem(c, x, &e) || !(esize = xt_size(c, e)) || size / esize > 1)
			return -1;
		return xt_regs(c, e, fregs, depth + 1);
	case GO_RKIND_STRUCT:
		for (i = 0; !xt_field(c, x, i, &f, &e); i++) {
			k = xt_regs(c, e, fregs, depth + 1);
			if (k < 0)
				return -1;
			n += k;
		}
		return n;
	default:
		return kind > 0 ? 1 : -1;
	}
}

int go_xtype__regs(const struct go_types *t, struct go_binary *bin, const struct go_xbase *b)
{
	struct xctx c = { t, b->die ? gobin_dwarf(bin) : NULL };
	int fregs = 0;

	return xt_regs(&c, (struct xt){ b->type, b->stars, b->die }, &fregs, 0);
}

int go_xtype__find(const struct go_types *t, const char *go, uint64_t *type, int *stars)
{
	struct xctx c = { t, NULL };
	struct xt x = { 0, 0, 0 };
	int err = xt_find(&c, go, &x);

	*type = x.addr;
	*stars = x.stars;
	return err;
}

/* ---- the plan ------------------------------------------------------------------------------- */

/* Where the value selected so far is. */
struct place {
	enum { P_REGS, P_STACK, P_MEM } kind;
	int reg;		/* P_REGS: its first register, in the base's */
	int64_t sp_off;		/* P_STACK */
	int64_t off;		/* P_MEM: bytes past the address the plan has read */
	struct xt t;
};

static int step_add(struct go_xexpr *x, uint8_t op, int64_t off, uint8_t size)
{
	struct go_xstep *s;

	if (x->plan.nsteps == GO_TRACE_XSTEPS)
		return go_fail(EINVAL, "'%s' takes more than %d reads", x->text, GO_TRACE_XSTEPS);
	if (off < INT32_MIN || off > INT32_MAX)
		return go_fail(EINVAL, "'%s': an offset out of range", x->text);
	s = &x->plan.step[x->plan.nsteps++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->off = (int32_t)off;
	s->size = size;
	return 0;
}

static struct go_loc stack_loc(int64_t sp_off)
{
	return (struct go_loc){ .kind = GO_LOC_STACK, .code = -1, .sp_off = sp_off };
}

/* The place's words w and w + 1 as the plan's starting words. */
static int start_words(const struct go_xbase *b, struct place *pl, struct go_xexpr *x, int nw)
{
	int w;

	for (w = 0; w < nw; w++) {
		if (pl->kind == P_STACK) {
			x->loc[w] = stack_loc(pl->sp_off + 8 * w);
		} else if (pl->reg + w < b->nregs) {
			x->loc[w] = b->reg[pl->reg + w];
		} else {
			return go_fail(EINVAL, "'%s': its value's registers are not known", x->text);
		}
	}
	x->nwords = nw;
	return 0;
}

/* The pointer at pl, followed: the place is what it points to. */
static int deref(const struct xctx *c, const struct go_xbase *b, struct place *pl,
		 struct go_xexpr *x)
{
	int err = xt_elem(c, pl->t, &pl->t);

	if (!err && pl->kind == P_MEM)
		err = step_add(x, GO_XOP_LOAD, pl->off, 8);
	else if (!err)
		err = start_words(b, pl, x, 1);
	pl->kind = P_MEM;
	pl->off = 0;
	return err;
}

static int field_list(const struct xctx *c, struct xt st, char *buf, size_t size)
{
	struct go_tfield f;
	struct xt ft;
	size_t o = 0;
	int i;

	buf[0] = 0;
	for (i = 0; !xt_field(c, st, i, &f, &ft) && o < size; i++)
		o += snprintf(buf + o, size - o, "%s%s", i ? ", " : "", f.name);
	return 0;
}

/* Is a struct's field embedded (DWARF: Go's attribute says so; a descriptor: its name's flag)? */
static bool field_embedded(const struct xctx *c, struct xt st, int i, const struct go_tfield *f)
{
	Dwarf_Die d, m;
	int k = 0;

	if (!st.die)
		return f->embedded;
	if (!dw_die(c, st, &d, true) || dwarf_child(&d, &m))
		return false;
	do {
		if (dwarf_tag(&m) == DW_TAG_member && k++ == i) {
			Dwarf_Attribute a;
			bool flag = false;

			return dwarf_attr(&m, DW_AT_go_embedded_field, &a) && !dwarf_formflag(&a, &flag) &&
			       flag;
		}
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

/*
 * Which embedded field of the struct st (or of a struct it embeds, depth levels down) holds a
 * field named name: its index, or -1. Go's rule: the shallowest; two at one depth are
 * ambiguous, which Go refuses to compile, so the first is taken.
 */
static int promoted(const struct xctx *c, struct xt st, const char *name, int depth)
{
	struct go_tfield f, g;
	struct xt ft, gt, s;
	int i, k, found = -1, d;

	if (depth > 3)
		return -1;
	for (d = 0; d < 2 && found < 0; d++)	/* those one level down first, then deeper */
		for (i = 0; found < 0 && !xt_field(c, st, i, &f, &ft); i++) {
			if (!field_embedded(c, st, i, &f))
				continue;
			s = ft;
			if (xt_kind(c, s) == GO_RKIND_POINTER && xt_elem(c, s, &s))
				continue;
			if (xt_kind(c, s) != GO_RKIND_STRUCT)
				continue;
			if (!d) {
				for (k = 0; !xt_field(c, s, k, &g, &gt); k++)
					if (!strcmp(g.name, name))
						found = i;
			} else if (promoted(c, s, name, depth + 1) >= 0) {
				found = i;
			}
		}
	return found;
}

static int select_field(const struct xctx *c, const struct go_xbase *b, struct place *pl,
			struct go_xexpr *x, const char *name);

/* r.F where F is a field of r's embedded field i: r.E.F, as Go reads it. */
static int select_embedded(const struct xctx *c, const struct go_xbase *b, struct place *pl,
			   struct go_xexpr *x, int i, const char *name)
{
	struct go_tfield f;
	struct xt ft;
	int err = xt_field(c, pl->t, i, &f, &ft);

	if (!err)
		err = select_field(c, b, pl, x, f.name);
	return err ? err : select_field(c, b, pl, x, name);
}

static int select_field(const struct xctx *c, const struct go_xbase *b, struct place *pl,
			struct go_xexpr *x, const char *name)
{
	struct go_tfield f;
	struct xt ft;
	char tname[128], list[256];
	int i, fregs = 0, regs = 0, err = 0;

	if (xt_kind(c, pl->t) == GO_RKIND_POINTER)	/* p.f is (*p).f, as Go has it */
		err = deref(c, b, pl, x);
	if (err)
		return err;
	xt_name(c, pl->t, tname, sizeof(tname));
	if (xt_kind(c, pl->t) != GO_RKIND_STRUCT)
		return go_fail(EINVAL, "'%s': %s has no field %s (it is no struct)", x->text, tname,
			       name);
	for (i = 0; !(err = xt_field(c, pl->t, i, &f, &ft)); i++) {
		if (!strcmp(f.name, name))
			break;
		regs += xt_regs(c, ft, &fregs, 1);
	}
	if (err && (i = promoted(c, pl->t, name, 0)) >= 0)	/* r.F of a field of an embedded */
		return select_embedded(c, b, pl, x, i, name);
	if (err) {
		field_list(c, pl->t, list, sizeof(list));
		return go_fail(EINVAL, "'%s': %s has no field %s (its fields: %s)", x->text, tname,
			       name, list);
	}
	if (pl->kind == P_REGS)
		pl->reg += regs;
	else if (pl->kind == P_STACK)
		pl->sp_off += (int64_t)f.offset;
	else
		pl->off += (int64_t)f.offset;
	pl->t = ft;
	return 0;
}

/* The step of an index idx into the string's or slice's header at pl: add bytes into its data,
 * when idx is below its length. */
static int index_step(const struct go_xbase *b, struct place *pl, struct go_xexpr *x, long idx,
		      uint32_t add)
{
	int err;

	if (pl->kind == P_MEM)
		err = step_add(x, GO_XOP_INDEX, pl->off, 16);
	else if (!(err = start_words(b, pl, x, 2)))
		err = step_add(x, GO_XOP_INDEXR, 0, 0);
	if (err)
		return err;
	x->plan.step[x->plan.nsteps - 1].idx = (uint32_t)idx;
	x->plan.step[x->plan.nsteps - 1].add = add;
	return 0;
}

/* s[i] of a string: its byte, read where the string's data is when i is below its length. */
static int select_byte(const struct xctx *c, const struct go_xbase *b, struct place *pl,
		       struct go_xexpr *x, long idx)
{
	int err;

	if ((err = index_step(b, pl, x, idx, (uint32_t)idx)))
		return err;
	pl->kind = P_MEM;
	pl->off = 0;
	/* a byte: uint8's descriptor, which every binary has (the runtime uses it) */
	pl->t = (struct xt){ 0, 0, 0 };
	return xt_find(c, "uint8", &pl->t);
}

static int select_index(const struct xctx *c, const struct go_xbase *b, struct place *pl,
			struct go_xexpr *x, long idx)
{
	struct xt e;
	uint64_t esize, size;
	int kind = xt_kind(c, pl->t), err = 0;

	if (kind == GO_RKIND_POINTER && !xt_elem(c, pl->t, &e) && xt_kind(c, e) == GO_RKIND_ARRAY)
		err = deref(c, b, pl, x);	/* p[i] of a pointer to an array */
	kind = xt_kind(c, pl->t);
	if (!err && kind == GO_RKIND_MAP)
		return go_fail(EINVAL, "'%s': a map is not indexed (a hash lookup, which a probe "
			       "does not run): print the map with %%v, or its len()", x->text);
	if (!err && kind == GO_RKIND_STRING)
		return select_byte(c, b, pl, x, idx);
	if (err || (kind != GO_RKIND_SLICE && kind != GO_RKIND_ARRAY))
		return err ? err : go_fail(EINVAL, "'%s': [%ld] indexes a slice or an array", x->text,
					   idx);
	if ((err = xt_elem(c, pl->t, &e)))
		return err;
	esize = xt_size(c, e);
	if (kind == GO_RKIND_ARRAY) {
		size = xt_size(c, pl->t);
		if (!esize || (uint64_t)idx >= size / esize)
			return go_fail(EINVAL, "'%s': index %ld is past the array's length", x->text,
				       idx);
		if (pl->kind == P_STACK)
			pl->sp_off += idx * (int64_t)esize;
		else if (pl->kind == P_MEM)
			pl->off += idx * (int64_t)esize;
		pl->t = e;
		return 0;
	}
	if (esize * (uint64_t)idx > UINT32_MAX)
		return go_fail(EINVAL, "'%s': index %ld is too far", x->text, idx);
	if ((err = index_step(b, pl, x, idx, (uint32_t)(esize * (uint64_t)idx))))
		return err;
	pl->kind = P_MEM;
	pl->off = 0;
	pl->t = e;
	return 0;
}

static void leaf_kind(int rk, uint64_t size, struct go_xexpr *x)
{
	x->rkind = rk;
	x->size = (int)size;
	switch (rk) {
	case GO_RKIND_BOOL:
		x->kind = GO_KIND_BOOL;
		break;
	case GO_RKIND_INT: case GO_RKIND_INT8: case GO_RKIND_INT16: case GO_RKIND_INT32:
	case GO_RKIND_INT64:
		x->kind = GO_KIND_INT;
		break;
	case GO_RKIND_UINT: case GO_RKIND_UINT8: case GO_RKIND_UINT16: case GO_RKIND_UINT32:
	case GO_RKIND_UINT64: case GO_RKIND_UINTPTR:
		x->kind = GO_KIND_UINT;
		break;
	case GO_RKIND_FLOAT32: case GO_RKIND_FLOAT64:
		x->kind = GO_KIND_FLOAT;
		break;
	case GO_RKIND_STRING: case GO_RKIND_SLICE:
		x->kind = GO_KIND_STRING;
		x->size = 16;
		break;
	default:
		x->kind = GO_KIND_PTR;
		x->size = 8;
	}
}

/* len() and cap() of a slice, string, map or channel at pl: an int. */
static int select_len(const struct xctx *c, const struct go_xbase *b, struct place *pl,
		      struct go_xexpr *x, bool cap)
{
	int kind = xt_kind(c, pl->t), err;
	int64_t word = cap ? 2 : 1;

	if (kind == GO_RKIND_MAP || kind == GO_RKIND_CHAN) {
		if (cap && kind == GO_RKIND_MAP)
			return go_fail(EINVAL, "'%s': a map has no cap", x->text);
		/* hmap.count (maps.Map.used from Go 1.24) at 0, hchan's qcount at 0, dataqsiz at 8 */
		err = pl->kind == P_MEM ? step_add(x, GO_XOP_LOAD, pl->off, 8) :
					  start_words(b, pl, x, 1);
		if (!err)
			err = step_add(x, GO_XOP_LOAD0, cap ? 8 : 0, 8);
		leaf_kind(GO_RKIND_INT, 8, x);
		snprintf(x->tname, sizeof(x->tname), "int");
		return err;
	}
	if (kind != GO_RKIND_SLICE && !(kind == GO_RKIND_STRING && !cap))
		return go_fail(EINVAL, "'%s': %s of this type is not read", x->text,
			       cap ? "cap" : "len");
	leaf_kind(GO_RKIND_INT, 8, x);
	snprintf(x->tname, sizeof(x->tname), "int");
	if (pl->kind == P_REGS)
		return start_words(b, &(struct place){ P_REGS, pl->reg + (int)word, 0, 0, pl->t },
				   x, 1);
	if (pl->kind == P_STACK)
		return start_words(b, &(struct place){ P_STACK, 0, pl->sp_off + 8 * word, 0, pl->t },
				   x, 1);
	return step_add(x, GO_XOP_LOAD, pl->off + 8 * word, 8);
}

/* Is %v of a value of the type one that composite.c prints (fmt reads more than its words)? */
static bool value_composite(const struct xctx *c, struct xt t)
{
	int kind = xt_kind(c, t);
	struct xt e;

	if (kind == GO_RKIND_POINTER && !xt_elem(c, t, &e))
		kind = xt_kind(c, e) == GO_RKIND_SLICE ? GO_RKIND_SLICE :
		       xt_kind(c, e) == GO_RKIND_POINTER ? 0 : xt_kind(c, e);
	return kind == GO_RKIND_STRUCT || kind == GO_RKIND_ARRAY || kind == GO_RKIND_SLICE ||
	       kind == GO_RKIND_MAP;
}

/* A register of the value's: its bytes at off of the value's. */
static int place_add(const struct go_xbase *b, struct go_xexpr *x, int *reg, uint64_t off,
		     uint64_t size)
{
	struct go_vplace *p = &x->vplan.place[x->vplan.nplaces];

	if (*reg >= b->nregs || x->vplan.nplaces == GO_TRACE_VPLACES ||
	    off + size >= GO_TRACE_VAL_BUF / 2)
		return go_fail(EINVAL, "'%s': its value's registers are not known", x->text);
	x->vloc[x->vplan.nplaces++] = b->reg[(*reg)++];
	p->off = (uint16_t)off;
	p->size = (uint8_t)(size == 1 || size == 2 || size == 4 ? size : 8);
	return 0;
}

/* The value of type t at off, in the registers from *reg, as the register ABI assigns them
 * (xt_regs); floats are in XMM registers, which uprobes cannot read: not placed. */
static int place_regs(const struct xctx *c, const struct go_xbase *b, struct go_xexpr *x,
		      struct xt t, uint64_t off, int *reg, int depth)
{
	struct go_tfield f;
	struct xt e;
	int kind = xt_kind(c, t), i, n = 0, err = 0;

	if (depth > 16)
		return go_fail(EINVAL, "'%s': too deep a value", x->text);
	switch (kind) {
	case GO_RKIND_FLOAT32: case GO_RKIND_FLOAT64: case GO_RKIND_COMPLEX64:
	case GO_RKIND_COMPLEX128:
		return 0;
	case GO_RKIND_STRING: case GO_RKIND_INTERFACE:
		n = 2;
		break;
	case GO_RKIND_SLICE:
		n = 3;
		break;
	case GO_RKIND_ARRAY:
		if (!xt_size(c, t))
			return 0;
		return xt_elem(c, t, &e) ? -ENOENT : place_regs(c, b, x, e, off, reg, depth + 1);
	case GO_RKIND_STRUCT:
		for (i = 0; !err && !xt_field(c, t, i, &f, &e); i++)
			err = place_regs(c, b, x, e, off + f.offset, reg, depth + 1);
		return err;
	default:
		return place_add(b, x, reg, off, xt_size(c, t));
	}
	for (i = 0; i < n && !err; i++)
		err = place_add(b, x, reg, off + 8 * (uint64_t)i, 8);
	return err;
}

/* %v of the whole value at pl: where its bytes are, and the reads of what it points to. */
static int select_value(const struct xctx *c, const struct go_xbase *b, struct place *pl,
			struct go_xexpr *x)
{
	uint64_t size = xt_size(c, pl->t), end = 0;
	uint64_t bytes = size < GO_TRACE_VAL_BUF / 2 - 1 ? size : GO_TRACE_VAL_BUF / 2 - 1;
	int reg = pl->reg, err, i;

	if (xt_runtime(c, pl->t, &x->vtype, &x->vstars))
		return go_fail(ENOENT, "'%s': the binary has no type descriptor of %s, which %%v "
			       "needs: select its fields", x->text, x->tname);
	memset(&x->vplan, 0, sizeof(x->vplan));
	leaf_kind(xt_kind(c, pl->t), 0, x);
	x->kind = GO_KIND_OTHER;
	if (pl->kind == P_REGS) {
		x->vroot = GO_XROOT_REGS;
		err = place_regs(c, b, x, pl->t, 0, &reg, 0);
		if (err)
			return err;
		for (i = 0; i < (int)x->vplan.nplaces; i++)
			if (x->vplan.place[i].off + x->vplan.place[i].size > end)
				end = x->vplan.place[i].off + x->vplan.place[i].size;
		bytes = end;
	} else if (pl->kind == P_STACK) {
		x->vroot = GO_XROOT_STACK;
		x->vsp_off = pl->sp_off;
		x->vplan.root = (uint32_t)bytes;
	} else {
		x->vroot = GO_XROOT_MEM;
		x->vplan.root = (uint32_t)bytes;
		x->vplan.root_off = (int32_t)pl->off;
	}
	if (x->vplan.root == 0 && x->vroot != GO_XROOT_REGS)
		x->vplan.root = 1;	/* a value of no bytes: read one, for its address */
	return go_vplan__make(c->t, x->vtype, x->vstars, (uint32_t)bytes, &x->vplan);
}

/* The value at pl, read to the end: a scalar's word, or a string's or slice's two. */
static int select_leaf(const struct xctx *c, const struct go_xbase *b, struct place *pl,
		       struct go_xexpr *x)
{
	int kind = xt_kind(c, pl->t);
	uint64_t size = xt_size(c, pl->t);
	char tname[128];

	xt_name(c, pl->t, tname, sizeof(tname));
	snprintf(x->tname, sizeof(x->tname), "%s", tname);
	if (x->value && value_composite(c, pl->t))
		return select_value(c, b, pl, x);
	x->value = false;
	if (kind == GO_RKIND_STRUCT || kind == GO_RKIND_ARRAY || kind == GO_RKIND_INTERFACE ||
	    kind == GO_RKIND_COMPLEX64 || kind == GO_RKIND_COMPLEX128 || kind <= 0 ||
	    (kind == GO_RKIND_SLICE && pl->kind == P_REGS && b->nregs < pl->reg + 2))
		return go_fail(EINVAL, "'%s' is %s %s, which gotrace prints field by field: select "
			       "one", x->text, kind == GO_RKIND_ARRAY ? "an array" :
			       kind == GO_RKIND_STRUCT ? "a struct" : "a value of type", tname);
	leaf_kind(kind, size, x);
	if (kind == GO_RKIND_SLICE || kind == GO_RKIND_POINTER) {
		struct xt e;

		x->elem_rkind = !xt_elem(c, pl->t, &e) ? xt_kind(c, e) : 0;
		x->bytes = kind == GO_RKIND_SLICE && x->elem_rkind == GO_RKIND_UINT8;
	}
	if (pl->kind == P_REGS && x->kind == GO_KIND_FLOAT)
		return go_fail(EINVAL, "'%s' is a %s in an XMM register, which uprobes cannot read",
			       x->text, tname);
	if (pl->kind != P_MEM)
		return start_words(b, pl, x, x->kind == GO_KIND_STRING ? 2 : 1);
	if (x->kind == GO_KIND_STRING)
		return step_add(x, GO_XOP_LOAD2, pl->off, 16);
	return step_add(x, GO_XOP_LOAD, pl->off, (uint8_t)(size && size <= 8 ? size : 8));
}

int go_xexpr__plan(const struct go_types *t, struct go_binary *bin, const struct go_xsyntax *s,
		   const struct go_xbase *b, struct go_xexpr *x)
{
	struct place pl = { b->stack ? P_STACK : P_REGS, 0, b->sp_off, 0,
			    { b->type, b->stars, b->die } };
	struct xctx cx = { t, b->die ? gobin_dwarf(bin) : NULL }, *c = &cx;
	int i, err = 0;

	memset(&x->plan, 0, sizeof(x->plan));
	x->nwords = 0;
	for (i = 0; i < s->nsel && !err; i++)
		err = s->sel[i].index < 0 ? select_field(c, b, &pl, x, s->sel[i].name) :
					    select_index(c, b, &pl, x, s->sel[i].index);
	if (!err && s->fn) {
		x->value = false;	/* an int */
		return select_len(c, b, &pl, x, s->fn == GO_XFN_CAP);
	}
	return err ? err : select_leaf(c, b, &pl, x);
}

/* ---- --dry-run ------------------------------------------------------------------------------ */

static void loc_print(const struct go_loc *l, FILE *out)
{
	if (l->kind == GO_LOC_REG)
		fprintf(out, "%s", l->reg);
	else
		fprintf(out, "sp%+lld", (long long)l->sp_off);
}

/* --dry-run of a whole value for %v: where its bytes are, and the reads that follow. */
static void value_print(const struct go_xexpr *x, FILE *out)
{
	const struct go_vplan *v = &x->vplan;
	uint32_t i;

	if (x->vroot == GO_XROOT_REGS) {
		fprintf(out, "%svalue in", x->nwords || x->plan.nsteps ? "; " : "");
		for (i = 0; i < v->nplaces; i++) {
			fputs(i ? ", " : " ", out);
			loc_print(&x->vloc[i], out);
			fprintf(out, " (%u bytes at +%u)", v->place[i].size, v->place[i].off);
		}
	} else if (x->vroot == GO_XROOT_STACK) {
		fprintf(out, "value: %u bytes at sp%+lld", v->root, (long long)x->vsp_off);
	} else {
		fprintf(out, "; value: %u bytes at %+d", v->root, v->root_off);
	}
	fprintf(out, "; then %u reads of what it points to (%d bytes at most)", v->nreads,
		GO_TRACE_VAL_BUF);
	fprintf(out, " -> %s (%%v)\n", x->tname);
}

void go_xexpr__print(const struct go_xexpr *x, FILE *out)
{
	static const char *const ops[] = { "?", "load", "load (nil: 0)", "load string/slice header",
					   "index", "index" };
	int i;

	fprintf(out, "%s: ", x->text);
	for (i = 0; i < x->nwords; i++) {
		fprintf(out, "%s", i ? ", " : "");
		loc_print(&x->loc[i], out);
	}
	for (i = 0; i < (int)x->plan.nsteps; i++) {
		const struct go_xstep *st = &x->plan.step[i];

		fprintf(out, "; %s", ops[st->op < 6 ? st->op : 0]);
		if (st->op == GO_XOP_INDEX || st->op == GO_XOP_INDEXR)
			fprintf(out, " [%u] (< len) +%u", st->idx, st->add);
		if (st->op != GO_XOP_INDEXR)
			fprintf(out, " %u bytes at %+d", st->size, st->off);
	}
	if (x->value) {
		value_print(x, out);
		return;
	}
	fprintf(out, " -> %s (%s%s)\n", x->tname, go_kind__name(x->kind),
		x->plan.nsteps ? "" : ", no memory read");
}
