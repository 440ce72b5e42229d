// SPDX-License-Identifier: Apache-2.0
/*
 * A plan's probes as --dry-run prints them, for an operator to review what would touch a
 * process and for tests to check against a disassembly: one line per probe site, by address,
 * with its file offset, its kind (what the site is to the function, from its cookie: cookie.h),
 * the function and, for a site in another function's code, that caller; then a summary.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

/* One probe site: up to two roles (a GO_COOKIE_DUAL address: the return first). */
struct site {
	uint64_t addr, off;
	const char *kind, *func;	/* func NULL: a guard, of no one function */
	const char *kind2, *func2;	/* the second role's, or NULL */
	const char *caller;		/* the function the site is in, when not func's own code */
	bool stepped;
	bool restarts;			/* an entry site Go's preemption may restart at */
	int dict_reg;			/* a shaped body's: its dictionary's register code, or -1 */
	uint32_t dict_func;		/* and the function its cookie counts (go_dicts' key.func) */
};

struct listing {
	struct site *s;
	size_t n;
	int64_t delta;			/* a link-time address less its file offset, in Go's code */
	const struct go_inl_site **inl;	/* the planned inline sites, by address */
	size_t ninl;
};

static const char *func_name(const struct go_target *t, uint32_t f)
{
	return f < t->cnt ? go_target__func(t, f)->name : NULL;
}

static const char *caller_name(const struct go_target *t, uint64_t addr)
{
	const struct go_func *fn = go_binary__func_at(t->bin, addr);

	return fn ? fn->name : NULL;
}

/*
 * Whether an entry probe of cookie c at addr is on its own function's code (its entry site),
 * not on a CALL or JMP in a caller's: a CALL's cookie says so (SP 8 above the callee's); a JMP
 * (a tail call) is in a function other than the traced one, or one of its GCC clones.
 */
static bool at_own_code(const struct go_target *t, uint64_t c, uint64_t addr)
{
	const struct go_func *in = go_binary__func_at(t->bin, addr);
	const char *name = func_name(t, GO_COOKIE_FUNC(c));

	if (GO_COOKIE_SP_ADJ(c) || !in || !name)
		return false;
	return in->entry == go_target__func(t, GO_COOKIE_FUNC(c))->entry || !strcmp(in->name, name);
}

/* The planned inline sites of t, by address, into l (for listing_inline). */
static int listing_inlines(struct listing *l, const struct go_target *t)
{
	l->inl = go_target__planned_inlined(t, &l->ninl);
	return l->inl ? 0 : go_fail(ENOMEM, "out of memory");
}

/* The planned inline site at addr, or NULL. */
static const struct go_inl_site *listing_inline(const struct listing *l, uint64_t addr)
{
	return go_inl_sites__at(l->inl, l->ninl, addr);
}

/* The kind of the role of cookie c at addr among the entry probes, and its function. */
static const char *entry_role(const struct go_target *t, const struct listing *l, uint64_t c,
			      uint64_t addr, const char **func)
{
	*func = func_name(t, GO_COOKIE_FUNC(c));
	if (GO_COOKIE_FUNC(c) == GO_COOKIE_GOEXIT || GO_COOKIE_FUNC(c) == GO_COOKIE_THREAD ||
	    GO_COOKIE_FUNC(c) == GO_COOKIE_SCHED || GO_COOKIE_FUNC(c) == GO_COOKIE_CORO) {
		*func = caller_name(t, addr);
		return GO_COOKIE_FUNC(c) == GO_COOKIE_GOEXIT ? "goexit" :
		       GO_COOKIE_FUNC(c) == GO_COOKIE_THREAD ? "thread" : "sched";
	}
	if (c & GO_COOKIE_GUARD) {
		*func = NULL;
		return "guard";
	}
	if (c & GO_COOKIE_RETURN)
		return "return";
	if (c & GO_COOKIE_INLINE) {
		const struct go_inl_site *in = listing_inline(l, addr);

		return in ? in->kind : "inline";
	}
	if (at_own_code(t, c, addr))
		return c & GO_COOKIE_CHECK ? "entry-jcc" : "entry";
	return go_binary__call_at(t->bin, addr) ? "call" : "jmp";
}

/* Whether a site of this kind is in a caller's code: a CALL, a JMP, a return site, a guard. */
static bool in_caller(const char *kind)
{
	return !strcmp(kind, "call") || !strcmp(kind, "jmp") || !strcmp(kind, "return") ||
	       !strcmp(kind, "guard") || !strncmp(kind, "inline", 6) || !strcmp(kind, "wrapper");
}

static int listing_add(struct listing *l, const struct go_target *t, uint64_t off,
		       struct site *s)
{
	struct site *n;

	s->off = off;
	s->addr = (uint64_t)((int64_t)off + l->delta);
	if (go_binary__file_offset(t->bin, s->addr) != (int64_t)off)
		return go_fail(EINVAL, "cannot tell the address of file offset 0x%llx of '%s'",
			       (unsigned long long)off, go_binary__name(t->bin));
	s->stepped = go_binary__stepped_at(t->bin, off);
	s->restarts = !strncmp(s->kind, "entry", 5) && go_binary__restarts_at(t->bin, s->addr);
	if (in_caller(s->kind))
		s->caller = caller_name(t, s->addr);
	n = realloc(l->s, (l->n + 1) * sizeof(*n));
	if (!n)
		return go_fail(ENOMEM, "out of memory");
	l->s = n;
	l->s[l->n++] = *s;
	return 0;
}

/* The entry probes (probes: plan->entry or plan->sched_entry). */
static int listing_entries(struct listing *l, const struct go_target *t,
			   const struct go_plan *plan, const struct go_probes *probes)
{
	size_t i;
	int err = 0;

	for (i = 0; i < probes->cnt && !err; i++) {
		uint64_t c = probes->cookies[i], off = probes->offs[i];
		uint64_t addr = (uint64_t)((int64_t)off + l->delta);
		struct site s = { 0 };

		if ((c & GO_COOKIE_DUAL) && GO_COOKIE_FUNC(c) >= plan->ndual)
			return go_fail(EINVAL, "a probe of the plan has no roles");
		if (c & GO_COOKIE_DUAL) {
			s.kind = entry_role(t, l, plan->dual[GO_COOKIE_FUNC(c)].first, addr, &s.func);
			c = plan->dual[GO_COOKIE_FUNC(c)].second;
			s.kind2 = entry_role(t, l, c, addr, &s.func2);
		} else {
			s.kind = entry_role(t, l, c, addr, &s.func);
		}
		/* a shaped body's entry, CALL or JMP: which instantiation its dictionary names */
		s.dict_reg = (c & GO_COOKIE_RETURN) ? -1 : (int)GO_COOKIE_DICT_REG(c) - 1;
		s.dict_func = GO_COOKIE_FUNC(c);
		err = listing_add(l, t, off, &s);
	}
	return err;
}

/* The RETs' probes (return sites among them, without entries) and the entries saving g. */
static int listing_rets(struct listing *l, const struct go_target *t, const struct go_plan *plan)
{
	size_t i;
	int err = 0;

	for (i = 0; i < plan->ret.cnt && !err; i++) {
		uint64_t c = plan->ret.cookies[i];
		struct site s = { 0 };

		s.kind = c & GO_COOKIE_RETURN ? "return" : "ret";
		s.func = func_name(t, GO_COOKIE_FUNC(c));
		s.dict_reg = -1;
		err = listing_add(l, t, plan->ret.offs[i], &s);
	}
	for (i = 0; i < plan->gsave.cnt && !err; i++) {
		struct site s = { 0 };

		s.kind = "save-g";
		s.func = func_name(t, GO_COOKIE_FUNC(plan->gsave.cookies[i]));
		s.dict_reg = -1;
		err = listing_add(l, t, plan->gsave.offs[i], &s);
	}
	return err;
}

static int site_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

/* A link-time address less its file offset, where t's functions are (one segment of code). */
static int listing_delta(struct listing *l, const struct go_target *t)
{
	const struct go_func *fn = NULL;
	int64_t off;
	size_t i;

	for (i = 0; i < t->cnt && !fn; i++)	/* one with code: not one that exists only inlined */
		if (!go_target__inline_only(t, i))
			fn = go_target__func(t, i);
	if (!fn && t->ninl)
		fn = t->inl[0].outer;
	off = fn ? go_binary__file_offset(t->bin, fn->entry) : -1;

	if (off < 0)
		return go_fail(ENOENT, "cannot tell where the code of '%s' is in its file",
			       go_binary__name(t->bin));
	l->delta = (int64_t)fn->entry - off;
	return 0;
}

static size_t listing_stepped(const struct listing *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->s[i].stepped;
	return n;
}

static size_t listing_restarts(const struct listing *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->s[i].restarts;
	return n;
}

/*
 * The instantiations a shaped body's probe tells apart by its dictionary (t's go_dicts
 * entries for the function its cookie counts), each once: the i-th, or NULL past the last.
 */
static const char *site_instance(const struct go_target *t, const struct site *s, size_t i)
{
	size_t k, j, n = 0;

	for (k = 0; s->dict_reg >= 0 && k < t->ndicts; k++) {
		if (t->dicts[k].key.func != s->dict_func)
			continue;
		for (j = 0; j < k; j++)	/* listed at an earlier site's entry */
			if (t->dicts[j].key.func == s->dict_func &&
			    t->dicts[j].func == t->dicts[k].func)
				break;
		if (j == k && n++ == i)
			return func_name(t, t->dicts[k].func);
	}
	return NULL;
}

static void print_header_text(const struct go_target *t, const char *label, pid_t pid, FILE *out)
{
	char esc[GO_ESC_LEN], esc2[GO_ESC_LEN];

	fprintf(out, "Would probe %s (%s%s%s)", go_esc(go_binary__name(t->bin), esc, sizeof(esc)),
		go_esc(go_binary__version(t->bin), esc2, sizeof(esc2)),
		go_binary__is_pie(t->bin) ? ", PIE" : "",
		go_binary__has_symbols(t->bin) ? "" : ", stripped");
	if (pid)
		fprintf(out, " in pid %d", (int)pid);
	fprintf(out, " for \"%s\":\n", go_esc(label, esc, sizeof(esc)));
	fprintf(out, "%-18s %-10s %-11s %-4s %s\n", "ADDR", "OFFSET", "KIND", "STEP", "FUNC");
}

static void print_site_text(const struct go_target *t, const struct site *s, FILE *out)
{
	char esc[GO_ESC_LEN], kind[32];
	const char *inst;
	size_t i;

	snprintf(kind, sizeof(kind), "%s%s%s", s->kind, s->kind2 ? "+" : "", s->kind2 ? s->kind2 : "");
	fprintf(out, "0x%-16llx 0x%-8llx %-11s %-4s %s", (unsigned long long)s->addr,
		(unsigned long long)s->off, kind, s->stepped ? "yes" : "no",
		s->func ? go_esc(s->func, esc, sizeof(esc)) : "-");
	if (s->kind2)
		fprintf(out, ", then %s", s->func2 ? go_esc(s->func2, esc, sizeof(esc)) : "-");
	for (i = 0; (inst = site_instance(t, s, i)); i++) {
		if (!i)
			fprintf(out, " (by the dictionary in %s: ",
				go_arch__reg_name(go_binary__arch(t->bin), s->dict_reg));
		fprintf(out, "%s%s", i ? ", " : "", go_esc(inst, esc, sizeof(esc)));
	}
	if (i)
		fputc(')', out);
	if (s->caller)
		fprintf(out, " in %s", go_esc(s->caller, esc, sizeof(esc)));
	fputc('\n', out);
}

static void json_field(FILE *out, const char *key, const char *value);

/* Did the plan probe t's inlined calls (GO_PLAN_INLINE)? Then each site is planned or said. */
static bool inline_planned(const struct go_target *t)
{
	size_t i;

	for (i = 0; i < t->ninl; i++)
		if (t->inl[i].planned || t->inl[i].why)
			return true;
	return false;
}

/* A site of a function the plan kept that no probe sees. */
static bool site_unseen(const struct go_inl_site *s)
{
	return !s->planned && s->why;
}

static size_t inline_unseen(const struct go_target *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->ninl; i++)
		n += site_unseen(&t->inl[i]);
	return n;
}

static void print_unseen_text(const struct go_target *t, FILE *out)
{
	char esc[GO_ESC_LEN], esc2[GO_ESC_LEN], esc3[GO_ESC_LEN], why[256];
	size_t i;

	for (i = 0; i < t->ninl; i++) {
		const struct go_inl_site *s = &t->inl[i];

		if (!site_unseen(s))
			continue;
		go_inl_site__why(s, why, sizeof(why));
		fprintf(out, "  %s inlined into %s at %s:%d (mark 0x%llx in %s): %s\n",
			go_esc(s->func, esc, sizeof(esc)), go_esc(s->caller, esc2, sizeof(esc2)),
			go_esc(s->file, esc3, sizeof(esc3)), s->line, (unsigned long long)s->mark,
			go_esc(s->outer->name, esc, sizeof(esc)), why);
	}
}

static void print_unseen_json(const struct go_target *t, FILE *out)
{
	char why[256];
	size_t i, n = 0;

	for (i = 0; i < t->ninl; i++) {
		const struct go_inl_site *s = &t->inl[i];

		if (!site_unseen(s))
			continue;
		fputs(n++ ? ", {" : ", \"inline_unseen\": [{", out);
		fprintf(out, "\"mark\": \"0x%llx\"", (unsigned long long)s->mark);
		json_field(out, "func", s->func);
		json_field(out, "caller", s->caller);
		json_field(out, "in", s->outer->name);
		json_field(out, "file", s->file);
		fprintf(out, ", \"line\": %d", s->line);
		go_inl_site__why(s, why, sizeof(why));
		json_field(out, "why", why);
		fputc('}', out);
	}
	fputs(n ? "]" : ", \"inline_unseen\": []", out);
}

static void print_summary_text(const struct listing *l, const struct go_target *t, FILE *out)
{
	size_t i, k = listing_stepped(l), r = listing_restarts(l);
	char esc[GO_ESC_LEN];

	fprintf(out, "%zu probe%s on %zu function%s; %zu single-stepped; none attached\n", l->n,
		l->n == 1 ? "" : "s", t->cnt, t->cnt == 1 ? "" : "s", k);
	if (r)
		fprintf(out, "Seen twice: a call preempted at %s entry site%s, where Go restarts "
			"the code after preemption:\n", r == 1 ? "this" : "these", r == 1 ? "" : "s");
	for (i = 0; i < l->n && r; i++)
		if (l->s[i].restarts)
			fprintf(out, "  0x%llx %s\n", (unsigned long long)l->s[i].addr,
				go_esc(l->s[i].func, esc, sizeof(esc)));
	if (!inline_planned(t)) {
		fprintf(out, "Not seen: calls the compiler inlined into their callers (no instruction "
			"of theirs runs)\n");
		return;
	}
	if (!inline_unseen(t))
		fprintf(out, "Not seen: nothing (each call inlined into a caller is probed there)\n");
	else
		fprintf(out, "Not seen: the calls inlined at %zu site%s below (no instruction runs "
			"once per call there)\n", inline_unseen(t), inline_unseen(t) == 1 ? "" : "s");
	print_unseen_text(t, out);
}

static void print_header_json(const struct go_target *t, const char *label, pid_t pid, FILE *out)
{
	fprintf(out, "{\"binary\": ");
	go_json_str(out, go_binary__name(t->bin));
	fprintf(out, ", \"version\": ");
	go_json_str(out, go_binary__version(t->bin));
	fprintf(out, ", \"pie\": %s, \"stripped\": %s, \"pid\": ",
		go_binary__is_pie(t->bin) ? "true" : "false",
		go_binary__has_symbols(t->bin) ? "false" : "true");
	if (pid)
		fprintf(out, "%d, \"pattern\": ", (int)pid);
	else
		fprintf(out, "null, \"pattern\": ");
	go_json_str(out, label);
	fprintf(out, "}\n");
}

static void json_field(FILE *out, const char *key, const char *value)
{
	fprintf(out, ", \"%s\": ", key);
	if (value)
		go_json_str(out, value);
	else
		fputs("null", out);
}

static void print_site_json(const struct go_target *t, const struct site *s, FILE *out)
{
	const char *inst;
	char kind[32];
	size_t i;

	snprintf(kind, sizeof(kind), "%s%s%s", s->kind, s->kind2 ? "+" : "", s->kind2 ? s->kind2 : "");
	fprintf(out, "{\"addr\": \"0x%llx\", \"offset\": \"0x%llx\", \"kind\": \"%s\"",
		(unsigned long long)s->addr, (unsigned long long)s->off, kind);
	json_field(out, "func", s->func);
	if (s->kind2)
		json_field(out, "then", s->func2);
	json_field(out, "caller", s->caller);
	fprintf(out, ", \"stepped\": %s, \"restarts\": %s", s->stepped ? "true" : "false",
		s->restarts ? "true" : "false");
	for (i = 0; (inst = site_instance(t, s, i)); i++) {
		fputs(i ? ", " : ", \"instances\": [", out);
		go_json_str(out, inst);
	}
	if (i)
		fprintf(out, "], \"dict_reg\": \"%s\"", go_arch__reg_name(go_binary__arch(t->bin), s->dict_reg));
	fputs("}\n", out);
}

/* A kernel tracepoint of the plan, "category/name", as "category:name" (perf's and bcc's). */
static void print_tracepoint(const char *event, bool json, FILE *out)
{
	const char *slash = strchr(event, '/');
	int cat = slash ? (int)(slash - event) : 0;
	const char *name = slash ? slash + 1 : event;

	if (json)
		fprintf(out, "{\"kind\": \"tracepoint\", \"tracepoint\": \"%.*s:%s\"}\n", cat, event,
			name);
	else
		fprintf(out, "%-18s %-10s %-11s %-4s %.*s:%s\n", "-", "-", "tracepoint", "no", cat,
			event, name);
}

static void print_summary_json(const struct listing *l, const struct go_target *t, FILE *out)
{
	fprintf(out, "{\"probes\": %zu, \"functions\": %zu, \"stepped\": %zu, \"restarts\": %zu, "
		"\"attached\": 0, \"not_seen\": \"%s\"", l->n, t->cnt, listing_stepped(l),
		listing_restarts(l), inline_planned(t) ?
		"the inlined calls inline_unseen lists" : "calls the compiler inlined into their callers");
	if (inline_planned(t))
		print_unseen_json(t, out);
	fputs("}\n", out);
}

size_t go_plan__restarting(const struct go_target *t, const struct go_plan *plan,
			   const char **first)
{
	struct listing l = { 0 };
	size_t i, n = 0;

	*first = NULL;
	if (listing_delta(&l, t))
		return 0;
	for (i = 0; i < plan->entry.cnt; i++) {
		uint64_t c = plan->entry.cookies[i];
		uint64_t addr = (uint64_t)((int64_t)plan->entry.offs[i] + l.delta);

		if ((c & (GO_COOKIE_DUAL | GO_COOKIE_RETURN | GO_COOKIE_GUARD | GO_COOKIE_INLINE)) ||
		    !at_own_code(t, c, addr) || !go_binary__restarts_at(t->bin, addr))
			continue;
		if (!n++)
			*first = func_name(t, GO_COOKIE_FUNC(c));
	}
	return n;
}

int go_plan__print(const struct go_target *t, const struct go_plan *plan, const char *label,
		   pid_t pid, bool json, FILE *out)
{
	struct listing l = { 0 };
	size_t i;
	int err = listing_delta(&l, t);

	if (!err)
		err = listing_inlines(&l, t);
	if (!err)
		err = listing_entries(&l, t, plan, &plan->entry);
	if (!err)
		err = listing_entries(&l, t, plan, &plan->sched_entry);
	if (!err)
		err = listing_rets(&l, t, plan);
	if (err) {
		free(l.s);
		free(l.inl);
		return err;
	}
	qsort(l.s, l.n, sizeof(*l.s), site_cmp);
	if (json)
		print_header_json(t, label ? label : t->pattern, pid, out);
	else
		print_header_text(t, label ? label : t->pattern, pid, out);
	for (i = 0; i < l.n; i++)
		(json ? print_site_json : print_site_text)(t, &l.s[i], out);
	for (i = 0; i < plan->ntracepoints; i++)
		print_tracepoint(plan->tracepoints[i], json, out);
	(json ? print_summary_json : print_summary_text)(&l, t, out);
	fflush(out);
	free(l.s);
	free(l.inl);
	return 0;
}
