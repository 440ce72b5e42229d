// SPDX-License-Identifier: Apache-2.0
/* Trace probes: parsing, checking, generating their BPF, formatting their events. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "probe/bpf/iface.h"
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

/* A new variable for name, a word (or words) or an interface; its index, or a negative errno. */
static int var_add(struct go_tprobe *p, const char *name, bool iface)
{
	struct go_tvar *v;
	int err;

	if (p->nvars == GO_TRACE_MAX_VARS)
		return go_fail(EINVAL, "too many names in one probe (at most %d)", GO_TRACE_MAX_VARS);
	v = &p->vars[p->nvars];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
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

/* One name of the filter, at f, n characters long, written to out as C. */
static int filter_name(struct go_tprobe *p, const char *f, size_t n, FILE *out)
{
	char *tok = strndup(f, n);
	int i, err = 0;

	if (!tok)
		return go_fail(ENOMEM, "out of memory");
	if (!strcmp(tok, "true") || !strcmp(tok, "false"))
		fprintf(out, "%d ", tok[0] == 't');
	else if ((i = var_get(p, tok)) < 0)
		err = i;
	else if (p->vars[i].kind == GO_KIND_STRING)
		err = go_fail(EINVAL, "bad filter: the string '%s' cannot be compared", tok);
	else
		var_expr(&p->vars[i], out);
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
			for (n = 1; isalnum((unsigned char)f[n]) || f[n] == '_'; n++)
				;
			if (!want_operand)
				err = go_fail(EINVAL, "bad filter: '%.*s' follows a value", (int)n, f);
			else
				err = filter_name(p, f, n, m);
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

/* Bind the arguments to the conversions, checking count and types. */
static int args_bind(struct go_tprobe *p, char **names, int n)
{
	int i;

	if (n != p->nconv)
		return go_fail(EINVAL, "the format has %d conversion%s but %d argument%s", p->nconv,
			       p->nconv == 1 ? "" : "s", n, n == 1 ? " follows" : "s follow");
	for (i = 0; i < n; i++) {
		struct go_tconv *cv = &p->conv[i];
		bool iface = strchr("Tv", cv->conv), str;
		int v = iface ? var_get_iface(p, names[i]) : var_get(p, names[i]);

		if (v < 0)
			return v;
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
		if (cv->conv == 's' && !str)
			return go_fail(EINVAL, "%%s needs a string, but '%s' is %s", names[i],
				       go_kind__name(p->vars[v].kind));
		if (cv->conv != 's' && str)
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

		while (*end && *end != ',')
			end++;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (n == GO_TRACE_MAX_ARGS + 1 || !is_ident(start, end - start)) {
			err = go_fail(EINVAL, n > GO_TRACE_MAX_ARGS ? "too many arguments" :
				      "bad argument '%.*s': arguments are names", (int)(end - start),
				      start);
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

static void emit_word(FILE *out, int w, const struct go_loc *loc)
{
	if (loc->kind == GO_LOC_REG)
		fprintf(out, "\tGO_REG(w%d, %s);\n", w, loc->reg);
	else
		fprintf(out, "\tGO_STACK(w%d, %lld);\n", w, (long long)loc->sp_off);
}

void go_tprobe__emit(const struct go_tprobe *p, int idx, FILE *out)
{
	int i, w;

	fprintf(out, "\n/* %s */\nGO_PROBE(%d)\n{\n\tGO_PID_FILTER();\n", p->text, idx);
	fprintf(out, p->ret ? "\tGO_RET_FILTER();\n" : "\tGO_ENTRY();\n");
	for (i = 0; i < p->nvars; i++)
		for (w = 0; w < p->vars[i].nwords; w++)
			emit_word(out, p->vars[i].word + w, &p->vars[i].loc[w]);
	if (p->filter)
		fprintf(out, "\tGO_FILTER(%s);\n", p->filter);
	fprintf(out, "\tGO_EVENT(%d, %d, %d);\n", idx, p->nstrs, p->ivx);
	for (i = 0; i < p->nconv; i++) {
		const struct go_tvar *v = &p->vars[p->conv[i].var];

		if (v->iface)
			fprintf(out, "\tGO_IFACE(%d, %d, w%d, w%d, %d, %d, %d);\n", p->conv[i].slot,
				p->conv[i].sslot, v->word, v->word + 1, v->mode,
				go_binary__toolchain(p->target.bin) == GO_GCCGO ? GO_GCCGO_ITAB_TYPE_OFF :
				GO_ITAB_TYPE_OFF, p->conv[i].conv == 'v');
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

size_t go_tprobe__format(const struct go_tprobe *p, const struct go_tevent *e, char *buf,
			 size_t size)
{
	char esc[GO_ESC_LEN];
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
		if (strchr("Tv", cv->conv)) {
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
	int i;

	fputc('{', out);
	for (i = 0; i < p->nconv; i++) {
		const struct go_tconv *cv = &p->conv[i];
		const struct go_tvar *v = &p->vars[cv->var];

		fprintf(out, "%s", i ? ", " : "");
		if (cv->conv == 'T') {	/* its own key, next to %v's */
			char key[80];

			snprintf(key, sizeof(key), "%s.(type)", v->name);
			go_json_str(out, key);
		} else {
			go_json_str(out, v->name);
		}
		fprintf(out, ": ");
		if (strchr("Tv", cv->conv)) {
			char *text = iface_text(p, e, cv);

			go_json_str(out, text ? text : "<out of memory>");
			free(text);
		} else if (cv->conv == 's')
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
