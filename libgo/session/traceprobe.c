// SPDX-License-Identifier: Apache-2.0
/* Trace probes: parsing, checking, generating their BPF, formatting their events. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "probe/bpf/iface.h"
#include "probe/probe.h"
#include "session/traceprobe.h"

/* ---- the probe's text ----------------------------------------------------------------------- */

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* The filter between balanced parentheses; *s is at '('. */
static int take_filter(const char **s, char **filter)
{
	const char *p = *s + 1;
	int depth = 1;

	for (; *p && depth; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
	}
	if (depth)
		return go_fail(EINVAL, "unbalanced parentheses in filter '%s'", *s);
	*filter = strndup(*s + 1, p - *s - 2);
	*s = p;
	return *filter ? 0 : go_fail(ENOMEM, "out of memory");
}

/* The format between double quotes, with C's escapes; *s is at '"'. */
static int take_format(const char **s, char **fmt)
{
	const char *p = *s + 1;
	char *out = malloc(strlen(p) + 1), *o = out;

	if (!out)
		return go_fail(ENOMEM, "out of memory");
	for (; *p && *p != '"'; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case 'n': *o++ = '\n'; break;
		case 't': *o++ = '\t'; break;
		default: *o++ = *p; break;
		}
	}
	*o = 0;
	if (*p != '"') {
		free(out);
		return go_fail(EINVAL, "unterminated format string");
	}
	*s = p + 1;
	*fmt = out;
	return 0;
}

static bool is_ident(const char *s, size_t n)
{
	size_t i;

	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == '~'))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* ---- names ---------------------------------------------------------------------------------- */

/* ", a, b" for the parameters of the probe's one function, or "" (NULL if out of memory). */
static char *param_names(struct go_tprobe *p)
{
	const struct go_func *fn = go_target__func(&p->target, 0);
	struct go_param *ps;
	size_t n, i, size;
	char *names = NULL;
	FILE *m = open_memstream(&names, &size);

	if (!m)
		return NULL;
	if (p->target.cnt == 1 && !go_binary__params(p->target.bin, fn, &ps, &n)) {
		for (i = 0; i < n; i++)
			fprintf(m, "%s%s", i ? ", " : "", ps[i].name);
		free(ps);
	}
	if (fclose(m)) {
		free(names);
		return NULL;
	}
	return names;
}

static int unknown_name(struct go_tprobe *p, const char *name)
{
	char *names = param_names(p);
	bool any = names && names[0];
	int err;

	err = go_fail(EINVAL, "unknown name '%s': use goargN, goretN, argN, retval%s%s%s", name,
		      any ? " or a parameter (" : "", any ? names : "", any ? ")" : "");
	free(names);
	return err;
}

static int alias_num(const char *name, const char *prefix, int *n)
{
	size_t len = strlen(prefix);
	char *end;
	long v;

	if (strncmp(name, prefix, len) || !isdigit((unsigned char)name[len]))
		return 0;
	v = strtol(name + len, &end, 10);
	if (*end || v < 1 || v > 64)
		return 0;
	*n = (int)v;
	return 1;
}

/*
 * The bytes of arguments an ABI0 function's results follow, from DWARF (its first result's
 * stack slot); -1 when unknown.
 */
static int abi0_args_size(struct go_tprobe *p)
{
	struct go_param *ps;
	size_t n, i;
	int size = -1;

	if (p->target.cnt != 1 ||
	    go_binary__params(p->target.bin, go_target__func(&p->target, 0), &ps, &n))
		return -1;
	for (i = 0; i < n && size < 0; i++)
		if (ps[i].result && ps[i].loc[0].kind == GO_LOC_STACK)
			size = (int)ps[i].loc[0].sp_off - 8;
	free(ps);
	return size;
}

/*
 * Where the n-th argument (ret false) or result word of every function of p is: one place for
 * all, or an error; with check, a word past what a function passes is one.
 */
static int target_word_(struct go_tprobe *p, bool ret, int n, const char *name,
			struct go_loc *loc, bool check)
{
	int args_size = p->abi == GO_ABI0 && ret ? abi0_args_size(p) : -1, err = 0;
	bool warned = false;
	size_t i;

	for (i = 0; i < p->target.cnt && !err; i++) {
		const struct go_func *fn = go_target__func(&p->target, i);
		struct go_loc l;

		err = ret ? go_binary__ret(p->target.bin, fn, n, args_size, &l) :
			    go_binary__arg(p->target.bin, fn, n, &l);
		/* a word past what the function passes is refused; where nothing tells, said */
		if (!err && check && (err = go_binary__check_word(p->target.bin, fn, ret, n)) > 0) {
			if (!warned)
				warn("%s\n", libgo_errmsg());
			warned = true;
			err = 0;
		}
		if (!err && i && (l.kind != loc->kind || l.reg != loc->reg ||
				  l.sp_off != loc->sp_off))
			err = go_fail(EINVAL, "%s of %s is not where it is for %s: narrow the "
				      "pattern", name, fn->name,
				      go_target__func(&p->target, 0)->name);
		if (!i)
			*loc = l;
	}
	return err;
}

static int target_word(struct go_tprobe *p, bool ret, int n, const char *name, struct go_loc *loc)
{
	return target_word_(p, ret, n, name, loc, true);
}

/* Without DWARF: is the word after goargN, an interface's second, one every function passes? */
static int second_word(struct go_tprobe *p, int n, const char *name)
{
	size_t i;

	for (i = 0; i < p->target.cnt; i++)
		if (go_binary__check_word(p->target.bin, go_target__func(&p->target, i), false,
					  n + 1) < 0)
			return go_fail(EINVAL, "%s of %s is its last argument word: an interface "
				       "takes two", name, go_target__func(&p->target, i)->name);
	return 0;
}

static int word_var(struct go_tprobe *p, struct go_tvar *v, const char *name)
{
	int n, err;

	v->kind = GO_KIND_INT;
	v->size = 8;
	v->nwords = 1;
	if (alias_num(name, "goarg", &n)) {
		if (p->ret)
			return go_fail(EINVAL, "%s is not readable in a return probe: use goretN",
				       name);
		err = target_word(p, false, n, name, &v->loc[0]);
	} else if (alias_num(name, "goret", &n)) {
		if (!p->ret)
			return go_fail(EINVAL, "%s needs a return probe (r:)", name);
		err = target_word(p, true, n, name, &v->loc[0]);
		if (err && p->abi == GO_ABI0 && abi0_args_size(p) < 0)
			return go_fail(EINVAL, "%s: the results of an ABI0 function (assembly, or Go "
				       "before 1.17) cannot be located without DWARF", name);
	} else if (alias_num(name, "arg", &n) &&
		   n <= go_abi__int_regs(go_binary__arch(p->target.bin), GO_ABI_SYSV, false)) {
		err = go_abi__arg(go_binary__arch(p->target.bin), GO_ABI_SYSV, n, &v->loc[0]);
	} else if (!strcmp(name, "retval")) {
		if (!p->ret)
			return go_fail(EINVAL, "retval needs a return probe (r:)");
		err = go_abi__ret(go_binary__arch(p->target.bin), GO_ABI_SYSV, 1, -1, &v->loc[0]);
	} else {
		return 1;	/* not an alias */
	}
	return err;
}

static int param_var(struct go_tprobe *p, struct go_tvar *v, const char *name)
{
	struct go_param *ps = NULL, *q = NULL;
	size_t n = 0, i;
	int err = 0;

	for (i = 0; i < p->target.cnt; i++)	/* a clone's parameters are not its function's */
		if (go_target__func(&p->target, i)->clone)
			return go_binary__params(p->target.bin, go_target__func(&p->target, i),
						 &ps, &n);
	if (p->target.cnt != 1)
		return go_fail(EINVAL, "'%s': parameter names need a probe that matches one function",
			       name);
	err = go_binary__params(p->target.bin, go_target__func(&p->target, 0), &ps, &n);
	if (err == -ENOENT)
		return go_fail(EINVAL, "unknown name '%s': %s has no DWARF (stripped?); use goargN, "
			       "goretN", name, go_target__func(&p->target, 0)->name);
	if (err)
		return err;
	for (i = 0; i < n && !q; i++)
		if (!strcmp(ps[i].name, name))
			q = &ps[i];
	if (!q)
		err = 1;
	else if (q->result && !p->ret)
		err = go_fail(EINVAL, "'%s' is a result: it needs a return probe (r:)", name);
	else if (!q->result && p->ret)
		err = go_fail(EINVAL, "'%s' is an argument, which a return probe cannot read", name);
	else if (q->kind == GO_KIND_FLOAT)
		err = go_fail(EINVAL, "'%s' is a %s: floats travel in XMM registers, which uprobes "
			      "cannot read", name, q->type);
	else if (q->kind == GO_KIND_OTHER || !q->located)
		err = go_fail(EINVAL, "'%s' has type %s, which gotrace cannot print", name, q->type);
	if (!err) {
		v->kind = q->kind;
		v->size = q->kind == GO_KIND_STRING ? 16 : q->size;
		v->nwords = q->kind == GO_KIND_STRING ? 2 : 1;
		v->loc[0] = q->loc[0];
		v->loc[1] = q->loc[1];
	}
	free(ps);
	return err;
}

static int iface_var(struct go_tprobe *p, struct go_tvar *v, const char *name);

/* ---- selectors ------------------------------------------------------------------------------ */

static int types_open(struct go_tprobe *p)
{
	if (!p->types)
		p->types = go_types__open(p->target.bin);
	return p->types ? 0 : go_fail(errno, "%s", libgo_errmsg());
}

/*
 * The base of goargN.(TYPE) (goretN.(TYPE) in a return probe): the argument (result) words from
 * goargN on, as many as the type takes.
 */
static int expr_assert_base(struct go_tprobe *p, const struct go_xsyntax *s, struct go_xbase *b)
{
	int n = 0, regs, i, err;

	if (!alias_num(s->base, p->ret ? "goret" : "goarg", &n))
		return go_fail(EINVAL, "'%s.(%s)': a type is asserted on %s", s->base, s->assert,
			       p->ret ? "goretN (a return probe reads results)" : "goargN");
	err = go_xtype__find(p->types, s->assert, &b->type, &b->stars);
	if (err)
		return err;
	regs = go_xtype__regs(p->types, p->target.bin, b);
	if (regs < 0)
		return go_fail(EINVAL, "a %s goes on the stack whole, not in goargN: assert a pointer "
			       "to it", s->assert);
	for (i = 0; i < regs && i < GO_XBASE_REGS && !err; i++)
		err = target_word_(p, p->ret, n + i, s->base, &b->reg[i], i == 0);
	b->nregs = i;
	if (!err && b->nregs && b->reg[0].kind == GO_LOC_STACK) {	/* ABI0: all on the stack */
		b->stack = true;
		b->sp_off = b->reg[0].sp_off;
	}
	return err;
}

/* The base of a parameter (DWARF): its registers, as its ABI assigned them, or stack words. */
static int expr_param_base(struct go_tprobe *p, const char *name, struct go_xbase *b)
{
	const struct go_func *fn = go_target__func(&p->target, 0);
	const struct go_arch *arch = go_binary__arch(p->target.bin);
	struct go_param *ps = NULL, *q = NULL;
	size_t n = 0, i;
	int err, k;

	if (p->target.cnt != 1)
		return go_fail(EINVAL, "'%s': parameter names need a probe that matches one function",
			       name);
	err = go_binary__params(p->target.bin, fn, &ps, &n);
	if (err == -ENOENT)
		return go_fail(EINVAL, "unknown name '%s': %s has no DWARF (stripped?); assert a type "
			       "on an argument word: goargN.(TYPE)", name, fn->name);
	for (i = 0; !err && i < n && !q; i++)
		if (!strcmp(ps[i].name, name))
			q = &ps[i];
	if (!err && !q)
		err = 1;
	else if (!err && q->result != p->ret)
		err = go_fail(EINVAL, "'%s' is %s", name, q->result ? "a result: it needs a return "
			      "probe (r:)" : "an argument, which a return probe cannot read");
	if (!err && !(b->die = q->type_die))	/* DWARF's types: a type the runtime may not have */
		err = go_fail(EINVAL, "'%s' has a type DWARF does not describe", name);
	if (!err && q->in_regs) {
		b->nregs = go_xtype__regs(p->types, p->target.bin, b);
		for (k = 0; k < b->nregs && k < GO_XBASE_REGS && !err; k++)
			err = q->result ? go_abi__ret(arch, fn->abi, q->ireg + k + 1, 0, &b->reg[k]) :
					  go_abi__arg(arch, fn->abi, q->ireg + k + 1, &b->reg[k]);
		b->nregs = k;
	} else if (!err) {
		b->stack = true;
		b->sp_off = q->sp_off;
	}
	free(ps);
	return err;
}

/* A selector (r.URL.Path, len(r.Tags), goarg1.(*T).F): its plan, and the words it starts at. */
static int expr_var(struct go_tprobe *p, struct go_tvar *v, const char *name)
{
	struct go_xsyntax s;
	struct go_xbase b;
	int err;

	memset(&b, 0, sizeof(b));
	if (go_xsyntax__parse(name, &s))
		return go_fail(EINVAL, "bad argument '%s': %s (arguments are names or selectors)",
			       name, libgo_errmsg());
	if (go_binary__toolchain(p->target.bin) != GO_GC)
		return go_fail(ENOTSUP, "'%s': selectors need gc's type data (not gccgo's)", name);
	err = types_open(p);
	if (!err)
		err = s.assert[0] ? expr_assert_base(p, &s, &b) : expr_param_base(p, s.base, &b);
	if (err == 1)
		return unknown_name(p, s.base);
	snprintf(v->x.text, sizeof(v->x.text), "%s", name);
	v->x.value = v->value;
	if (!err)
		err = go_xexpr__plan(p->types, p->target.bin, &s, &b, &v->x);
	if (err)
		return err;
	v->xsel = true;
	v->value = v->x.value;	/* a scalar's value is read as the selector's */
	v->kind = v->x.kind;
	v->size = v->x.size;
	v->nwords = v->x.plan.nsteps ? 2 : v->x.nwords;
	if (v->value && v->x.vroot == GO_XROOT_REGS)
		v->nwords = (int)v->x.vplan.nplaces;
	else if (v->value && v->x.vroot == GO_XROOT_STACK)
		v->nwords = 0;
	v->loc[0] = v->x.loc[0];
	v->loc[1] = v->x.loc[1];
	return 0;
}

/*
 * A new variable for name, a word (or words) or an interface, or with value the whole value
 * for %v (a selector's, or a parameter's); its index, or a negative errno.
 */
static int var_add_(struct go_tprobe *p, const char *name, bool iface, bool value)
{
	struct go_tvar *v;
	int err;

	if (p->nvars == GO_TRACE_MAX_VARS)
		return go_fail(EINVAL, "too many names in one probe (at most %d)", GO_TRACE_MAX_VARS);
	v = &p->vars[p->nvars];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->value = value;
	if (value || (!iface && !is_ident(name, strlen(name))))
		err = expr_var(p, v, name);
	else
		err = iface ? iface_var(p, v, name) : word_var(p, v, name);
	if (err == 1 && !iface)
		err = param_var(p, v, name);
	if (err == 1)
		err = unknown_name(p, name);
	if (err)
		return err;
	v->word = p->nwords;
	p->nwords += v->nwords;
	return p->nvars++;
}

static int var_add(struct go_tprobe *p, const char *name, bool iface)
{
	return var_add_(p, name, iface, false);
}

/* The variable of name's whole value for %v, added on first use; its index, or an errno. */
static int var_get_value(struct go_tprobe *p, const char *name)
{
	int i;

	for (i = 0; i < p->nvars; i++)
		if (!strcmp(p->vars[i].name, name) && p->vars[i].x.value)
			return i;
	return var_add_(p, name, false, true);
}

/* Is name a parameter (DWARF) that is no interface: %v of it is its value's? */
static bool param_not_iface(struct go_tprobe *p, const char *name)
{
	struct go_iface_param *ps = NULL;
	size_t n = 0, i;
	bool found = false;

	if (p->target.cnt != 1 || !strncmp(name, "goarg", 5))
		return false;
	if (p->ret)	/* a result: interfaces are printed only at entries */
		return !alias_num(name, "goret", &(int){ 0 });
	if (go_binary__iface_params(p->target.bin, go_target__func(&p->target, 0), &ps, &n))
		return false;
	for (i = 0; i < n && !found; i++)
		found = !strcmp(ps[i].name, name) && !ps[i].iface;
	free(ps);
	return found;
}

/* The variable of a name, added on first use; its index, or a negative errno. */
static int var_get(struct go_tprobe *p, const char *name)
{
	int i;

	for (i = 0; i < p->nvars; i++)
		if (!strcmp(p->vars[i].name, name))
			return i;
	return var_add(p, name, false);
}

/*
 * An interface for %T and %v: a parameter (DWARF) or goargN, its first word (and goargN+1); with
 * DWARF, whether that is an interface{} (a type) or has methods (a method table).
 */
static int iface_var(struct go_tprobe *p, struct go_tvar *v, const char *name)
{
	struct go_iface_param *ps = NULL;
	size_t n = 0, i;
	int goarg = 0, err;

	if (p->ret)
		return go_fail(EINVAL, "'%s': %%T and %%v print arguments, which a return probe "
			       "cannot read", name);
	alias_num(name, "goarg", &goarg);
	v->iface = true;
	v->nwords = 2;
	v->mode = go_binary__toolchain(p->target.bin) == GO_GCCGO ? GO_IFACE_TYPE : GO_IFACE_GUESS;
	if (goarg && ((err = target_word(p, false, goarg, name, &v->loc[0])) ||
		      (err = target_word_(p, false, goarg + 1, name, &v->loc[1], false))))
		return err;
	if (p->target.cnt == 1 &&
	    !go_binary__iface_params(p->target.bin, go_target__func(&p->target, 0), &ps, &n)) {
		err = goarg ? go_fail(EINVAL, "%s is not the first word of an interface", name) : 1;
		for (i = 0; i < n && err; i++) {
			if (goarg ? !ps[i].iface || ps[i].loc[0].kind != v->loc[0].kind ||
				    (v->loc[0].kind == GO_LOC_REG ? strcmp(ps[i].loc[0].reg, v->loc[0].reg) :
				     ps[i].loc[0].sp_off != v->loc[0].sp_off) : strcmp(ps[i].name, name))
				continue;
			err = ps[i].iface ? 0 : go_fail(EINVAL, "%%T and %%v print interfaces, but '%s' "
							"has type %s", name, ps[i].type);
			v->mode = ps[i].empty ? GO_IFACE_TYPE : GO_IFACE_ITAB;
			v->loc[0] = ps[i].loc[0];
			v->loc[1] = ps[i].loc[1];
		}
		free(ps);
		if (err)
			return err;
	} else if (!goarg) {
		return param_var(p, v, name);	/* says what is wrong */
	} else if ((err = second_word(p, goarg, name))) {
		return err;
	}
	if (!p->types)
		p->types = go_types__open(p->target.bin);
	return p->types ? 0 : -errno;
}

/* The interface variable of a name, for %T and %v; its index, or a negative errno. */
static int var_get_iface(struct go_tprobe *p, const char *name)
{
	int i;

	for (i = 0; i < p->nvars; i++)
		if (!strcmp(p->vars[i].name, name))
			return p->vars[i].iface ? i :
			       go_fail(EINVAL, "'%s' is printed both as a word and as an interface",
				       name);
	return var_add(p, name, true);
}

/* ---- the filter ----------------------------------------------------------------------------- */

/* No '/' nor '%': LLVM's BPF back end cannot divide signed values, and filters are signed. */
static const char *const filter_ops[] = {
	"==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "<", ">", "+", "-", "*", "&", "|", "^",
	"!", "~", "(", ")",
};

static const char *match_op(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(filter_ops) / sizeof(filter_ops[0]); i++)
		if (!strncmp(s, filter_ops[i], strlen(filter_ops[i])))
			return filter_ops[i];
	return NULL;
}

/* A value of a variable as a C expression of type s64. */
static void var_expr(const struct go_tvar *v, FILE *out)
{
	static const char *const sint[] = { [1] = "s8", [2] = "s16", [4] = "s32" };
	static const char *const uint[] = { [1] = "u8", [2] = "u16", [4] = "u32" };
	bool sgn = v->kind == GO_KIND_INT;

	if (v->size == 1 || v->size == 2 || v->size == 4)
		fprintf(out, "((s64)(%s)w%d) ", sgn ? sint[v->size] : uint[v->size], v->word);
	else
		fprintf(out, "((s64)w%d) ", v->word);
}

/* Characters from f, at '(', to its balanced ')' included (to the end when there is none). */
static size_t paren_span(const char *f)
{
	size_t n = 1;
	int depth = 1;

	for (; f[n] && depth; n++)
		depth += (f[n] == '(') - (f[n] == ')');
	return n;
}

/* The name at f: an identifier, or a selector (r.URL.Path, len(r.Tags), goarg1.(*T).ID). */
static size_t name_span(const char *f)
{
	size_t n = 1, k;

	while (isalnum((unsigned char)f[n]) || f[n] == '_')
		n++;
	if (n == 3 && (!strncmp(f, "len", 3) || !strncmp(f, "cap", 3)) && f[n] == '(')
		return n + paren_span(f + n);
	for (;;) {
		if (f[n] == '.' && f[n + 1] == '(') {
			n += 1 + paren_span(f + n + 1);
		} else if (f[n] == '.' && (isalpha((unsigned char)f[n + 1]) || f[n + 1] == '_')) {
			for (n += 2; isalnum((unsigned char)f[n]) || f[n] == '_'; n++)
				;
		} else if (f[n] == '[') {
			for (k = n + 1; isdigit((unsigned char)f[k]); k++)
				;
			if (f[k] != ']')
				return n;
			n = k + 1;
		} else {
			return n;
		}
	}
}

/*
 * A string compared with a literal: `s == "text"` (or !=), at f just past the string's name,
 * written to out as a comparison in the kernel (the literal goes to the map xlits); *used
 * grows by what it takes.
 */
static int filter_streq(struct go_tprobe *p, const struct go_tvar *v, const char *f,
			size_t *used, FILE *out)
{
	const char *s = skip_space(f), *q;
	struct go_xlit *lit;
	bool eq = !strncmp(s, "==", 2);

	if (!eq && strncmp(s, "!=", 2))
		return go_fail(EINVAL, "bad filter: a string ('%s') is compared with == or != and a "
			       "\"literal\"", v->name);
	s = skip_space(s + 2);
	if (*s != '"')
		return go_fail(EINVAL, "bad filter: '%s' is compared with a \"literal\"", v->name);
	if (p->nxlits == GO_TRACE_LITS_PER_PROBE)
		return go_fail(EINVAL, "bad filter: at most %d string literals",
			       GO_TRACE_LITS_PER_PROBE);
	lit = &p->xlits[p->nxlits];
	memset(lit, 0, sizeof(*lit));
	for (q = s + 1; *q && *q != '"'; q++) {
		if (*q == '\\' && (q[1] == '"' || q[1] == '\\'))
			q++;
		if (lit->len == GO_TRACE_LIT_LEN)
			return go_fail(EINVAL, "bad filter: a string literal longer than %d bytes",
				       GO_TRACE_LIT_LEN);
		lit->s[lit->len++] = *q;
	}
	if (*q != '"')
		return go_fail(EINVAL, "bad filter: unterminated string literal");
	fprintf(out, "(GO_STREQ(w%d, w%d, go_lit_base + %d) == %d) ", v->word, v->word + 1,
		p->nxlits++, eq);
	*used += (size_t)(q + 1 - f);
	return 0;
}

/* One name of the filter, at f, *n characters long, written to out as C; *n grows by what a
 * string's comparison takes. */
static int filter_name(struct go_tprobe *p, const char *f, size_t *n, FILE *out)
{
	char *tok = strndup(f, *n);
	int i = -1, err = 0;

	if (!tok)
		return go_fail(ENOMEM, "out of memory");
	if (!strcmp(tok, "true") || !strcmp(tok, "false"))
		fprintf(out, "%d ", tok[0] == 't');
	else if ((i = var_get(p, tok)) < 0)
		err = i;
	else if (p->vars[i].kind == GO_KIND_STRING)
		err = filter_streq(p, &p->vars[i], f + *n, n, out);
	else if (p->vars[i].kind == GO_KIND_FLOAT)
		err = go_fail(EINVAL, "bad filter: the float '%s' cannot be compared", tok);
	else
		var_expr(&p->vars[i], out);
	if (!err && i >= 0 && p->vars[i].xsel && p->vars[i].x.plan.nsteps)
		p->filter_xbad |= 3U << (2 * i);
	free(tok);
	return err;
}

/*
 * Translate the filter to C, allowing only names, integers, C's arithmetic, comparison and
 * logical operators and parentheses, and checking that operands and operators alternate. The
 * C is written to a memory stream: a name expands to many more characters than it has.
 */
static int filter_translate(struct go_tprobe *p, const char *f, char **out)
{
	bool want_operand = true;
	int depth = 0, err = 0;
	size_t size;
	char *c = NULL;
	FILE *m = open_memstream(&c, &size);

	if (!m)
		return go_fail(ENOMEM, "out of memory");
	for (f = skip_space(f); *f && !err; f = skip_space(f)) {
		const char *op;
		size_t n;

		if (isalpha((unsigned char)*f) || *f == '_' ||
		    (*f == '~' && f[1] == 'r' && isdigit((unsigned char)f[2]))) {
			n = name_span(f);
			if (!want_operand)
				err = go_fail(EINVAL, "bad filter: '%.*s' follows a value", (int)n, f);
			else
				err = filter_name(p, f, &n, m);
			want_operand = false;
		} else if (isdigit((unsigned char)*f)) {
			char *end;

			errno = 0;
			strtoull(f, &end, 0);
			n = end - f;
			if (errno == ERANGE)	/* else the BPF compiler fails on it, less clearly */
				err = go_fail(EINVAL, "bad filter: the number %.*s does not fit in 64 "
					      "bits", (int)n, f);
			else if (isalnum((unsigned char)*end) || !want_operand)
				err = go_fail(EINVAL, "bad filter: bad number at '%s'", f);
			fprintf(m, "%.*sLL ", (int)n, f);
			want_operand = false;
		} else if ((op = match_op(f))) {
			n = strlen(op);
			fprintf(m, "%s ", op);
			if (!strcmp(op, "(") && want_operand) {
				depth++;
			} else if (!strcmp(op, ")") && !want_operand && depth > 0) {
				depth--;
			} else if (want_operand && (!strcmp(op, "!") || !strcmp(op, "~") ||
						    !strcmp(op, "-") || !strcmp(op, "+"))) {
				;	/* unary */
			} else if (!want_operand && strcmp(op, "(") && strcmp(op, ")") &&
				   strcmp(op, "!") && strcmp(op, "~")) {
				want_operand = true;
			} else {
				err = go_fail(EINVAL, "bad filter: unexpected '%s'", op);
			}
		} else if (*f == '/' || *f == '%') {
			err = go_fail(EINVAL, "bad filter: '%c' is not supported (BPF has no signed "
				      "division); use & for powers of two", *f);
			break;
		} else {
			err = go_fail(EINVAL, "bad filter: unexpected '%c'", *f);
			break;
		}
		if (err)
			break;
		f += n;
	}
	if (!err && (want_operand || depth))
		err = go_fail(EINVAL, "bad filter: incomplete expression");
	if (fclose(m) && !err)
		err = go_fail(ENOMEM, "out of memory");
	if (err) {
		free(c);
		return err;
	}
	*out = c;
	return 0;
}

/* ---- the format ----------------------------------------------------------------------------- */

static bool conv_int(char c)
{
	return strchr("diuxXoc", c) != NULL;
}

/*
 * One conversion at *f (just past '%'): flags, width, precision, a length, a type. Integers are
 * printed as long long in the width of the length, or else of the value's type (conv_value).
 */
static int parse_conv(const char **f, struct go_tconv *cv)
{
	const char *s = *f, *flags, *len;
	size_t nflags;

	flags = s;
	while (*s && strchr("-+ #0", *s))
		s++;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '.') {
		s++;
		while (isdigit((unsigned char)*s))
			s++;
	}
	nflags = s - flags;
	len = s;
	while (*s && strchr("hlzjt", *s))
		s++;
	if (s - len > 2 || nflags > 16)
		return go_fail(EINVAL, "bad conversion '%%%.*s' in format", (int)(s - *f + 1), *f);
	if (!*s || !strchr("diuxXocspTv", *s))
		return go_fail(EINVAL, "unsupported conversion '%%%.*s' in format (use d i u x X o "
			       "c s p, or T v for interfaces)", (int)(s - *f + (*s ? 1 : 0)), *f);
	cv->conv = *s;
	cv->plus = *s == 'v' && memchr(flags, '+', nflags);
	if (cv->plus)	/* fmt's flag, not printf's */
		nflags = 0;
	cv->len = s - len == 0 ? 0 : *len != 'h' ? 8 : s - len == 2 ? 1 : 2;
	snprintf(cv->spec, sizeof(cv->spec), "%%%.*s%s%c", (int)nflags, flags,
		 conv_int(*s) && *s != 'c' ? "ll" : "", strchr("Tv", *s) ? 's' : *s);
	*f = s + 1;
	return 0;
}

static int format_parse(struct go_tprobe *p, const char *fmt)
{
	size_t cap = strlen(fmt) + 1;
	char *lit = malloc(cap), *o = lit;
	int err;

	if (!lit)
		return go_fail(ENOMEM, "out of memory");
	while (*fmt) {
		if (*fmt != '%') {
			*o++ = *fmt++;
			continue;
		}
		if (fmt[1] == '%') {
			*o++ = '%';
			fmt += 2;
			continue;
		}
		if (p->nconv == GO_TRACE_MAX_ARGS) {
			free(lit);
			return go_fail(EINVAL, "too many conversions in format (at most %d)",
				       GO_TRACE_MAX_ARGS);
		}
		fmt++;
		err = parse_conv(&fmt, &p->conv[p->nconv]);
		if (err) {
			free(lit);
			return err;
		}
		*o = 0;
		p->lits[p->nconv++] = lit;
		lit = o = malloc(cap);
		if (!lit)
			return go_fail(ENOMEM, "out of memory");
	}
	*o = 0;
	p->lits[p->nconv] = lit;
	return 0;
}

/*
 * Does %v print the selector as fmt does? Not a map (map[k:v]), a []byte ([1 2 3]), nor a
 * pointer to a struct, array, slice or map (&{...}), whose contents it does not read.
 */
static int xsel_v_ok(const struct go_tvar *v)
{
	int e = v->x.elem_rkind;

	if (v->x.rkind == GO_RKIND_MAP)
		return go_fail(EINVAL, "'%s' is a %s: %%v of a map is not read; print its len()",
			       v->name, v->x.tname);
	if (v->x.rkind == GO_RKIND_SLICE)
		return go_fail(EINVAL, "'%s' is a %s: print it with %%s, or its len()", v->name,
			       v->x.tname);
	if (v->x.rkind == GO_RKIND_POINTER && (e == GO_RKIND_STRUCT || e == GO_RKIND_ARRAY ||
					       e == GO_RKIND_SLICE || e == GO_RKIND_MAP))
		return go_fail(EINVAL, "'%s' is a %s: %%v would print what it points to, which is "
			       "not read; select a field, or print the address with %%p", v->name,
			       v->x.tname);
	return 0;
}

/* Bind the arguments to the conversions, checking count and types. */
static int args_bind(struct go_tprobe *p, char **names, int n)
{
	int i, err;

	if (n != p->nconv)
		return go_fail(EINVAL, "the format has %d conversion%s but %d argument%s", p->nconv,
			       p->nconv == 1 ? "" : "s", n, n == 1 ? " follows" : "s follow");
	for (i = 0; i < n; i++) {
		struct go_tconv *cv = &p->conv[i];
		bool sel = !is_ident(names[i], strlen(names[i]));
		bool value = cv->conv == 'v' && (sel || param_not_iface(p, names[i]));
		bool iface = strchr("Tv", cv->conv) && !sel && !value, str;
		int v = value ? var_get_value(p, names[i]) : iface ? var_get_iface(p, names[i]) :
			var_get(p, names[i]);

		if (v < 0)
			return v;
		if (value && p->vars[v].value) {	/* a composite value, as fmt prints it */
			if (p->val >= 0 && p->val != v)
				return go_fail(EINVAL, "'%s': a probe prints one composite value with "
					       "%%v (a struct, slice, map...): print another in "
					       "another probe", names[i]);
			p->val = v;
			cv->var = v;
			continue;
		}
		if (sel && cv->conv == 'T') {	/* the selector's static type */
			cv->var = v;
			cv->slot = 0;
			continue;
		}
		if (iface) {
			cv->var = v;
			if (p->nargs + 4 > GO_TRACE_MAX_ARGS || p->nstrs == GO_TRACE_MAX_STRS)
				return go_fail(EINVAL, "too many conversions of interfaces (at most %d)",
					       GO_TRACE_MAX_STRS);
			cv->slot = p->nargs;
			p->nargs += 4;
			cv->sslot = p->nstrs++;
			p->ivx |= cv->conv == 'v';
			continue;
		}
		if (p->vars[v].iface)
			return go_fail(EINVAL, "'%s' is an interface: print it with %%T or %%v",
				       names[i]);
		str = p->vars[v].kind == GO_KIND_STRING;
		if (sel && str && p->vars[v].x.rkind == GO_RKIND_SLICE && !p->vars[v].x.bytes)
			return go_fail(EINVAL, "'%s' is a %s: print its elements, or its len()",
				       names[i], p->vars[v].x.tname);
		if (p->vars[v].kind == GO_KIND_FLOAT && cv->conv != 'v')
			return go_fail(EINVAL, "'%s' is a %s: print it with %%v", names[i],
				       p->vars[v].x.tname);
		if (cv->conv == 'v' && (err = xsel_v_ok(&p->vars[v])))
			return err;
		if (cv->conv == 'v')
			;	/* a selector's value, as fmt's %v prints it */
		else if (cv->conv == 's' && !str)
			return go_fail(EINVAL, "%%s needs a string, but '%s' is %s", names[i],
				       go_kind__name(p->vars[v].kind));
		if (cv->conv != 's' && cv->conv != 'v' && str)
			return go_fail(EINVAL, "'%s' is a string: print it with %%s", names[i]);
		cv->var = v;
		if (str && p->nstrs == GO_TRACE_MAX_STRS)
			return go_fail(EINVAL, "too many strings (at most %d)", GO_TRACE_MAX_STRS);
		cv->slot = str ? p->nstrs++ : p->nargs++;
	}
	return 0;
}

static int args_parse(struct go_tprobe *p, const char *s)
{
	char *names[GO_TRACE_MAX_ARGS + 1];
	int n = 0, err = 0, i;

	s = skip_space(s);
	while (*s == ',' && !err) {
		const char *start = skip_space(s + 1), *end = start;

		int depth = 0;

		/* a comma inside a selector's ( ) or [ ] is its own (a generic type's) */
		for (; *end && (*end != ',' || depth > 0); end++)
			depth += (*end == '(' || *end == '[') - (*end == ')' || *end == ']');
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (n == GO_TRACE_MAX_ARGS + 1 || end == start || end - start > 127) {
			err = go_fail(EINVAL, n > GO_TRACE_MAX_ARGS ? "too many arguments" :
				      "bad argument '%.*s': arguments are names or selectors",
				      (int)(end - start), start);
			break;
		}
		names[n++] = strndup(start, end - start);
		s = skip_space(end);
	}
	if (!err && *s)
		err = go_fail(EINVAL, "unexpected '%s' after the format", s);
	if (!err)
		err = args_bind(p, names, n);
	for (i = 0; i < n; i++)
		free(names[i]);
	return err;
}

/* ---- the probe ------------------------------------------------------------------------------ */

static int target_abi(struct go_tprobe *p)
{
	size_t i;

	if (!p->target.cnt)
		return go_fail(ENOENT, "no function matches '%s'", p->target.pattern);
	p->abi = go_target__func(&p->target, 0)->abi;
	for (i = 1; i < p->target.cnt; i++)
		if (go_target__func(&p->target, i)->abi != p->abi)
			return go_fail(EINVAL, "'%s' matches functions of different ABIs (%s and %s): "
				       "narrow the pattern", p->target.pattern, go_abi__name(p->abi),
				       go_abi__name(go_target__func(&p->target, i)->abi));
	return 0;
}

int go_tprobe__parse(struct go_tprobe *p, const char *text, pid_t pid, bool regex)
{
	const char *s = skip_space(text), *end;
	char *spec = NULL, *fmt = NULL;
	int err;

	memset(p, 0, sizeof(*p));
	p->val = -1;
	p->text = strdup(text);
	if (!strncmp(s, "p:", 2) || !strncmp(s, "r:", 2)) {
		p->ret = *s == 'r';
		s += 2;
	}
	for (end = s; *end && !isspace((unsigned char)*end); end++)
		;
	if (end == s)
		return go_fail(EINVAL, "empty probe '%s'", text);
	spec = strndup(s, end - s);
	err = go_target__open(&p->target, spec, pid, regex);
	free(spec);
	if (!err)
		err = target_abi(p);
	s = skip_space(end);
	if (!err && *s == '(')
		err = take_filter(&s, &fmt);
	if (!err && fmt) {
		err = filter_translate(p, fmt, &p->filter);
		free(fmt);
		fmt = NULL;
	}
	s = skip_space(s);
	if (!err && *s == '"') {
		err = take_format(&s, &fmt);
		p->has_format = !err;
		if (!err)
			err = format_parse(p, fmt);
		free(fmt);
	}
	if (!err)
		err = args_parse(p, s);
	return err;
}

void go_tprobe__free(struct go_tprobe *p)
{
	int i;

	for (i = 0; i <= p->nconv && i <= GO_TRACE_MAX_ARGS; i++)
		free(p->lits[i]);
	free(p->filter);
	free(p->text);
	go_types__close(p->types);
	go_target__close(&p->target);
	memset(p, 0, sizeof(*p));
}

/* ---- BPF ------------------------------------------------------------------------------------ */

static bool has_plans(const struct go_tprobe *p)
{
	int i;

	for (i = 0; i < p->nvars; i++)
		if (p->vars[i].xsel && p->vars[i].x.plan.nsteps)
			return true;
	return false;
}

int go_tprobe__set_maps(const struct go_tprobe *p, int idx, struct go_bpf *bpf)
{
	int plans = go_bpf__map_fd(bpf, "xplans"), lits = go_bpf__map_fd(bpf, "xlits"), i, vplans;
	uint32_t key;

	if (plans < 0 || lits < 0)
		return go_fail(ENOENT, "gotrace's program has no map of plans");
	for (i = 0; i < p->nvars; i++) {
		key = (uint32_t)(idx * GO_TRACE_MAX_VARS + i);
		if (!p->vars[i].xsel || !p->vars[i].x.plan.nsteps)
			continue;
		if (key >= GO_TRACE_MAX_PLANS || go_map__update(plans, &key, &p->vars[i].x.plan))
			return go_fail(EIO, "cannot set the plan of '%s'", p->vars[i].name);
	}
	key = (uint32_t)idx;
	if (p->val >= 0 && (key >= GO_TRACE_MAX_VPLANS || (vplans = go_bpf__map_fd(bpf, "vplans")) < 0 ||
			    go_map__update(vplans, &key, &p->vars[p->val].x.vplan)))
		return go_fail(EIO, "cannot set the reads of '%s'", p->vars[p->val].name);
	for (i = 0; i < p->nxlits; i++) {
		key = (uint32_t)(idx * GO_TRACE_LITS_PER_PROBE + i);
		if (key >= GO_TRACE_MAX_LITS || go_map__update(lits, &key, &p->xlits[i]))
			return go_fail(EIO, "cannot set the filter's string literals");
	}
	return 0;
}

void go_tprobe__print_exprs(const struct go_tprobe *p, FILE *out)
{
	int i;

	for (i = 0; i < p->nvars; i++)
		if (p->vars[i].xsel) {
			fprintf(out, "  read ");
			go_xexpr__print(&p->vars[i].x, out);
		}
}

static void emit_word(FILE *out, int w, const struct go_loc *loc)
{
	if (loc->kind == GO_LOC_REG)
		fprintf(out, "\tGO_REG(w%d, %s);\n", w, loc->reg);
	else
		fprintf(out, "\tGO_STACK(w%d, %lld);\n", w, (long long)loc->sp_off);
}

/* The copy of the composite value: from its address, the stack, or its registers. */
static void emit_value(const struct go_tprobe *p, int idx, FILE *out)
{
	const struct go_tvar *v = &p->vars[p->val];
	int w;

	switch (v->x.vroot) {
	case GO_XROOT_MEM:
		/* a selector that could not be read copies nothing: its marker is printed */
		if (v->x.plan.nsteps)
			fprintf(out, "\tGO_VAL(%d, w%d, 0, (go_xbad >> %d) & 3, 0);\n", idx, v->word,
				2 * p->val);
		else
			fprintf(out, "\tGO_VAL(%d, w%d, 0, 0, 0);\n", idx, v->word);
		break;
	case GO_XROOT_STACK:
		fprintf(out, "\tGO_VAL(%d, GO_REG_SP(ctx) + %lld - go_sp_adj, 0, 0, 0);\n", idx,
			(long long)v->x.vsp_off);
		break;
	case GO_XROOT_REGS:
		fprintf(out, "\tGO_VAL(%d, 0, %d, 0", idx, v->nwords);
		for (w = 0; w < v->nwords; w++)
			fprintf(out, ", w%d", v->word + w);
		fprintf(out, ");\n");
		break;
	}
}

void go_tprobe__emit(const struct go_tprobe *p, int idx, FILE *out)
{
	int i, w;

	fprintf(out, "\n/* %s */\nGO_PROBE(%d)\n{\n\tGO_PID_FILTER();\n", p->text, idx);
	fprintf(out, "\t%s%s();\n", p->ret ? "GO_RET_FILTER" : "GO_ENTRY",
		go_scope_asked() ? "_SCOPED" : "");
	for (i = 0; i < p->nvars; i++)
		for (w = 0; w < p->vars[i].nwords; w++)
			if (p->vars[i].value && p->vars[i].x.vroot == GO_XROOT_REGS)
				emit_word(out, p->vars[i].word + w, &p->vars[i].x.vloc[w]);
			else if (p->vars[i].xsel && w >= p->vars[i].x.nwords)	/* a plan's second */
				fprintf(out, "\tu64 w%d = 0;\n", p->vars[i].word + w);
			else
				emit_word(out, p->vars[i].word + w, &p->vars[i].loc[w]);
	if (has_plans(p))
		fprintf(out, "\tGO_XVARS();\n");
	/* the plans' ids and offsets are in xplans (go_tprobe__set_maps): none is compiled */
	for (i = 0; i < p->nvars; i++)
		if (p->vars[i].xsel && p->vars[i].x.plan.nsteps)
			fprintf(out, "\tGO_XREAD(w%d, w%d, %d, %d);\n", p->vars[i].word,
				p->vars[i].word + 1, idx * GO_TRACE_MAX_VARS + i, i);
	if (p->nxlits)
		fprintf(out, "\tu32 go_lit_base = %d;\n", idx * GO_TRACE_LITS_PER_PROBE);
	if (p->filter && p->filter_xbad)	/* a filter whose read failed matches nothing */
		fprintf(out, "\tGO_XFILTER(0x%xU, %s);\n", p->filter_xbad, p->filter);
	else if (p->filter)
		fprintf(out, "\tGO_FILTER(%s);\n", p->filter);
	fprintf(out, "\tGO_EVENT(%d, %d, %d);\n", idx, p->nstrs, p->val >= 0 ? 2 : p->ivx);
	if (has_plans(p))
		fprintf(out, "\tGO_XBAD();\n");
	if (p->val >= 0)
		emit_value(p, idx, out);
	for (i = 0; i < p->nconv; i++) {
		const struct go_tvar *v = &p->vars[p->conv[i].var];

		if (v->xsel && p->conv[i].conv == 'T')
			continue;	/* the type is the selector's own */
		if (v->iface)
			fprintf(out, "\tGO_IFACE(%d, %d, w%d, w%d, %d, %d, %uU, %d);\n",
				p->conv[i].slot, p->conv[i].sslot, v->word, v->word + 1, v->mode,
				go_binary__toolchain(p->target.bin) == GO_GCCGO ? GO_GCCGO_ITAB_TYPE_OFF :
				GO_ITAB_TYPE_OFF, go_target__map_flags(p->target.bin),
				p->conv[i].conv == 'v');
		else if (v->kind == GO_KIND_STRING)
			fprintf(out, "\tGO_STR(%d, w%d, w%d);\n", p->conv[i].slot, v->word, v->word + 1);
		else
			fprintf(out, "\tGO_ARG(%d, w%d);\n", p->conv[i].slot, v->word);
	}
	fprintf(out, "\tGO_SEND();\n}\n");
}

/* ---- events --------------------------------------------------------------------------------- */

/* A word cut to the variable's size and extended by its sign. */
static long long var_value(const struct go_tvar *v, uint64_t w)
{
	bool sgn = v->kind == GO_KIND_INT;

	switch (v->size) {
	case 1:
		return sgn ? (long long)(int8_t)w : (long long)(uint8_t)w;
	case 2:
		return sgn ? (long long)(int16_t)w : (long long)(uint16_t)w;
	case 4:
		return sgn ? (long long)(int32_t)w : (long long)(uint32_t)w;
	default:
		return (long long)w;
	}
}

/*
 * A word as an integer conversion prints it, as C's printf would print the value in a variable
 * of its Go type: %u, %x and %o show the type's bytes (int8 -4 is fc), %d its sign, and a
 * length modifier (%hhx, %hd, %lx) first converts the value to that length.
 */
static long long conv_value(const struct go_tconv *cv, const struct go_tvar *v, uint64_t w)
{
	bool sgn = strchr("di", cv->conv) != NULL;
	struct go_tvar as = { .kind = sgn ? GO_KIND_INT : GO_KIND_UINT, .size = cv->len };

	if (!cv->len && sgn)
		return var_value(v, w);
	if (!cv->len)
		as.size = v->size;
	return var_value(&as, (uint64_t)var_value(v, w));
}

size_t go_tprobe__event_size(const struct go_tprobe *p)
{
	if (p->val >= 0)	/* the whole record: the value's copy follows the stack's */
		return sizeof(struct go_tevent);
	return p->ivx ? offsetof(struct go_tevent, ivx[p->nstrs]) :
			offsetof(struct go_tevent, str[p->nstrs]);
}

/* %T: the dynamic type's name; %v: its value, as Go prints it ("-" for those not shown). */
static char *iface_text(const struct go_tprobe *p, const struct go_tevent *e,
			const struct go_tconv *cv)
{
	const __u64 *a = &e->args[cv->slot];
	char str[GO_TRACE_STR_LEN], *type, *text = NULL;
	struct go_ivalue v = { 0 };
	enum go_type_what what;
	unsigned flags = (a[1] >> 16) & 0xff;

	if (!a[0] && (flags & GO_IV_NO_TYPE))	/* the method table was unreadable */
		return strdup("<unreadable>");
	type = go_types__describe_dup(p->types, (pid_t)e->pid, a[0], &v.type, &what);
	if (cv->conv == 'T' || !type)
		return type;
	free(type);
	if (what == GO_TYPE_NIL)
		return strdup("<nil>");
	if (what == GO_TYPE_NONE)
		return strdup("-");
	v.pid = (pid_t)e->pid;
	v.kind = a[1] & 0x1f;
	v.direct = (a[1] | a[1] >> 8) & GO_TYPE_DIRECT_IFACE;
	v.unreadable = flags & (GO_IV_NO_TYPE | GO_IV_NO_VALUE);
	v.at = flags & GO_IV_AT ? a[2] : 0;
	v.word[0] = a[2];
	v.word[1] = a[3];
	v.has_str = flags & GO_IV_STR;
	memcpy(str, e->str[cv->sslot], sizeof(str));
	v.str = str;
	v.str_size = sizeof(str);
	v.len = a[3];
	v.str_len = v.len < sizeof(str) - 1 ? v.len : sizeof(str) - 1;
	v.flags = flags;
	v.x = e->ivx[cv->sslot];
	if (v.type)
		go_ivalue__fetch(p->types, (pid_t)e->pid, &v);
	if (go_value__format(v.type ? p->types : NULL, &v, &text) == -ENOENT)
		return strdup("-");
	return text;
}

/* s escaped for a terminal (go_esc_fputs), whole however long; NULL when out of memory. */
static char *esc_dup(const char *s)
{
	char *out = NULL;
	size_t size;
	FILE *f;

	if (!go_esc_needed(s))
		return strdup(s);
	f = open_memstream(&out, &size);
	if (!f)
		return NULL;
	go_esc_fputs(f, s, false);
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	return out;
}

/* What stopped the read of a selector's plan (GO_XERR_*), 0 when nothing did. */
static unsigned xsel_err(const struct go_tprobe *p, const struct go_tevent *e, int var)
{
	const struct go_tvar *v = &p->vars[var];

	return v->xsel && v->x.plan.nsteps ? (e->xbad >> (2 * var)) & 3 : 0;
}

static const char *xsel_marker(unsigned err)
{
	static const char *const markers[] = { "", "<unreadable>", "<nil dereference>",
					       "<index out of range>" };

	return markers[err & 3];
}

/*
 * A selector's value as fmt's %v prints it (its text into buf), its type for %T, or the marker
 * of what stopped its read; NULL when its conversion prints it as gotrace's others do.
 */
static const char *xsel_text(const struct go_tprobe *p, const struct go_tevent *e,
			     const struct go_tconv *cv, char *buf, size_t size)
{
	const struct go_tvar *v = &p->vars[cv->var];
	uint64_t w = e->args[cv->slot];
	unsigned err = xsel_err(p, e, cv->var);
	union { uint64_t u; double d; } f64 = { w };
	union { uint32_t u; float f; } f32 = { (uint32_t)w };

	if (!v->xsel)
		return NULL;
	if (cv->conv == 'T')
		return v->x.tname;
	if (err)
		return xsel_marker(err);
	if (cv->conv != 'v' && !(cv->conv == 's' && v->kind == GO_KIND_STRING))
		return NULL;
	switch (v->kind) {
	case GO_KIND_STRING:	/* escaped by the caller; "..." when the event holds less */
		snprintf(buf, size, "%s%s", e->str[cv->slot],
			 e->slen[cv->slot] > strlen(e->str[cv->slot]) ? "..." : "");
		break;
	case GO_KIND_BOOL:
		snprintf(buf, size, "%s", w & 0xff ? "true" : "false");
		break;
	case GO_KIND_FLOAT:
		go_format_float(v->size == 4 ? (double)f32.f : f64.d, v->size == 4 ? 32 : 64,
				go_types__go_minor(p->types), buf, size);
		break;
	case GO_KIND_PTR:
		snprintf(buf, size, w ? "0x%llx" : "<nil>", (unsigned long long)w);
		break;
	case GO_KIND_UINT:
		snprintf(buf, size, "%llu", (unsigned long long)var_value(v, w));
		break;
	default:
		snprintf(buf, size, "%lld", var_value(v, w));
	}
	return buf;
}

/* A composite value as fmt's %v (%+v) prints it, raw (malloc'd), or the marker of what stopped
 * its selector's read; NULL when out of memory. */
static char *value_text(const struct go_tprobe *p, const struct go_tevent *e,
			const struct go_tconv *cv)
{
	const struct go_tvar *v = &p->vars[cv->var];
	unsigned err = xsel_err(p, e, cv->var);
	char *text = NULL;

	if (err)
		return strdup(xsel_marker(err));
	go_vplan__format(p->types, v->x.vtype, v->x.vstars, &v->x.vplan, &e->val, cv->plus,
			 &text);
	return text;
}

size_t go_tprobe__format(const struct go_tprobe *p, const struct go_tevent *e, char *buf,
			 size_t size)
{
	char esc[GO_ESC_LEN], xbuf[GO_TRACE_STR_LEN + 64];
	const char *xs;
	size_t off = 0;
	int i;

	/* past size, only counted: the caller may ask again with room for it all */
#define ADD(...) (off += (size_t)snprintf(off < size ? buf + off : NULL, off < size ? size - off : 0, \
					  __VA_ARGS__))

	if (size)
		buf[0] = 0;
	for (i = 0; i < p->nconv; i++) {
		const struct go_tconv *cv = &p->conv[i];
		const struct go_tvar *v = &p->vars[cv->var];

		ADD("%s", p->lits[i]);
		/* the traced program's strings and values, escaped; the format's own text is not */
		if (v->value && cv->conv == 'v') {
			char *text = value_text(p, e, cv), *shown = text ? esc_dup(text) : NULL;

			ADD(cv->spec, shown ? shown : "<out of memory>");
			free(shown);
			free(text);
		} else if ((xs = xsel_text(p, e, cv, xbuf, sizeof(xbuf)))) {
			char *shown = esc_dup(xs);

			ADD(strchr("Tvs", cv->conv) ? cv->spec : "%s", shown ? shown :
			    "<out of memory>");
			free(shown);
		} else if (strchr("Tv", cv->conv)) {
			char *text = iface_text(p, e, cv);

			char *shown = text ? esc_dup(text) : NULL;

			ADD(cv->spec, shown ? shown : "<out of memory>");
			free(shown);
			free(text);
		} else if (cv->conv == 's') {
			ADD(cv->spec, go_esc(e->str[cv->slot], esc, sizeof(esc)));
		} else if (cv->conv == 'p') {
			ADD(cv->spec, (void *)(uintptr_t)e->args[cv->slot]);
		} else if (cv->conv == 'c') {
			ADD(cv->spec, (int)(char)e->args[cv->slot]);
		} else {
			long long val = conv_value(cv, v, e->args[cv->slot]);

			if (strchr("di", cv->conv))
				ADD(cv->spec, val);
			else
				ADD(cv->spec, (unsigned long long)val);
		}
	}
	if (p->lits[p->nconv])
		ADD("%s", p->lits[p->nconv]);
#undef ADD
	return off;
}

void go_tprobe__json_args(const struct go_tprobe *p, const struct go_tevent *e, FILE *out)
{
	char xbuf[GO_TRACE_STR_LEN + 64];
	int i;

	fputc('{', out);
	for (i = 0; i < p->nconv; i++) {
		const struct go_tconv *cv = &p->conv[i];
		const struct go_tvar *v = &p->vars[cv->var];

		fprintf(out, "%s", i ? ", " : "");
		if (cv->conv == 'T') {	/* its own key, next to %v's */
			char key[160];

			snprintf(key, sizeof(key), "%s.(type)", v->name);
			go_json_str(out, key);
		} else {
			go_json_str(out, v->name);
		}
		fprintf(out, ": ");
		if (v->value && cv->conv == 'v') {
			char *text = value_text(p, e, cv);

			go_json_str(out, text ? text : "<out of memory>");
			free(text);
		} else if (v->xsel && (cv->conv == 'T' || xsel_err(p, e, cv->var) ||
				(strchr("vs", cv->conv) && v->kind == GO_KIND_STRING))) {
			go_json_str(out, xsel_text(p, e, cv, xbuf, sizeof(xbuf)));
		} else if (v->xsel && v->kind == GO_KIND_FLOAT) {
			const char *f = xsel_text(p, e, &(struct go_tconv){ .conv = 'v',
						  .var = cv->var, .slot = cv->slot }, xbuf, sizeof(xbuf));

			if (strpbrk(f, "NI"))	/* NaN, +Inf: no JSON numbers */
				go_json_str(out, f);
			else
				fputs(f, out);
		} else if (strchr("Tv", cv->conv) && !v->xsel) {
			char *text = iface_text(p, e, cv);

			go_json_str(out, text ? text : "<out of memory>");
			free(text);
		} else if (cv->conv == 's' || (v->xsel && v->kind == GO_KIND_STRING))
			go_json_str(out, e->str[cv->slot]);
		else if (v->kind == GO_KIND_BOOL)
			fprintf(out, "%s", e->args[cv->slot] & 0xff ? "true" : "false");
		else if (v->kind == GO_KIND_UINT || v->kind == GO_KIND_PTR)
			fprintf(out, "%llu", (unsigned long long)var_value(v, e->args[cv->slot]));
		else
			fprintf(out, "%lld", var_value(v, e->args[cv->slot]));
	}
	fputc('}', out);
}
