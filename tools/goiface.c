// SPDX-License-Identifier: Apache-2.0
/*
 * goiface: count the dynamic types (and values) of Go functions' interface arguments.
 *
 * An interface argument is two words, its type (or method table) and its value. In the kernel,
 * at each call: the type word, the type's kind bytes and a bounded copy of the value, counted by
 * type pointer; here, the type's name from the runtime's type data in the binary, once per type.
 *
 * 23-Nov-2026   Created this.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "probe/probe.h"
#include "libgo.h"
#include "probe/bpf/iface.h"
#include "session/tool.h"

#define NSLOTS GO_IFACE_NSLOTS	/* interface arguments per function */
#define STR_LEN GO_IFACE_STR_LEN	/* bytes of a string kept with -V */
#define MAX_ENTRIES 10240	/* distinct (process, function, argument, type, value) */

static struct env {
	pid_t pid;
	long interval;
	long duration;
	bool timestamp;
	bool regex;
	bool values;
	bool debug;
	bool verbose;
	bool json;
	const char *pattern;
	const char *arg;
} env;

static struct go_session session;

const char *argp_program_version = "goiface 0.1";
static const char args_doc[] = "PATTERN [ARG]";
static const char doc[] =
"Count the dynamic types of Go interface arguments.\n"
"\n"
"USAGE: goiface [-h] [-p PID] [-i INTERVAL] [-d DURATION] [-T] [-r] [-V] [-D]\n"
"               [-v] [-j] [--prometheus [HOST:]PORT] [--dry-run] PATTERN [ARG]\n"
"\n"
"PATTERN is [BINARY:]FUNCTIONS, as gofunccount's. ARG names the interface\n"
"argument: a parameter name (DWARF), or goargN, the interface's first word by\n"
"the function's ABI (for stripped binaries). Without ARG: every interface\n"
"argument of the functions, by DWARF.\n"
"\n"
"EXAMPLES:\n"
"    goiface -p 181 main.describe        # every interface argument of it\n"
"    goiface -p 181 main.describe v      # the types of its argument v\n"
"    goiface -V -p 181 main.describe v   # types and values\n"
"    goiface -p 181 main.handle goarg1   # stripped: the interface in goarg1-2\n"
"    goiface -i 1 -p 181 'fmt.(*pp).printArg' arg  # what fmt prints\n"
"    goiface -d 5 ./server:'main.*'      # main's interface arguments, 5 s\n"
"    goiface --dry-run -p 181 'main.*'   # list the probes, attach none\n"
"    goiface --prometheus 9464 -p 181 main.describe  # and serve to Prometheus\n";

static const struct argp_option opts[] = {
	GO_COMMON_OPTIONS,
	{ "interval", 'i', "INTERVAL", 0, "summary interval, seconds", 0 },
	{ "duration", 'd', "DURATION", 0, "total duration of trace, seconds", 0 },
	{ "timestamp", 'T', NULL, 0, "include timestamp on output", 0 },
	{ "regexp", 'r', NULL, 0, "use regular expressions; default is \"*\" wildcards only", 0 },
	{ "values", 'V', NULL, 0, "count by type and value", 0 },
	{ "debug", 'D', NULL, 0, "print BPF program before starting (for debugging purposes)", 0 },
	{ "verbose", 'v', NULL, 0, "list each matched function and where its interfaces are", 0 },
	{ "json", 'j', NULL, 0, "print counts as JSON lines", 0 },
	GO_PROMETHEUS_OPTION,
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'i':
		if (go_parse_long(arg, 1, 99999999, "interval", &env.interval))
			go_option_error();
		break;
	case 'd':
		if (go_parse_long(arg, 1, 99999999, "duration", &env.duration))
			go_option_error();
		break;
	case 'T':
		env.timestamp = true;
		break;
	case 'r':
		env.regex = true;
		break;
	case 'V':
		env.values = true;
		break;
	case 'D':
		env.debug = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'j':
		env.json = true;
		break;
	case ARGP_KEY_ARG:
		if (!env.pattern)
			env.pattern = arg;
		else if (!env.arg)
			env.arg = arg;
		else
			argp_error(state, "too many arguments: '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!env.pattern)
			argp_error(state, "no PATTERN given");
		break;
	default:
		return go_parse_common(key, arg, state, &env.pid);
	}
	return 0;
}

/* ---- BPF particulars (libgo/probe/bpf/iface.h) --------------------------------------------------- */

static int set_word(struct go_iface_word *w, const struct go_loc *loc)
{
	int code;

	memset(w, 0, sizeof(*w));
	if (loc->kind == GO_LOC_STACK) {
		w->where = GO_IN_STACK;
		w->off = (int32_t)loc->sp_off;
		return 0;
	}
	code = loc->code;
	if (code < 0)
		return go_fail(EINVAL, "register %s holds no argument", loc->reg);
	w->where = GO_IN_REG;
	w->reg = (uint8_t)code;
	return 0;
}

/* ---- which interfaces ----------------------------------------------------------------------- */

/* Per traced function: its interfaces, and their names for the ARG column. */
struct func_ifaces {
	struct go_iface_cfg cfg;
	int n;
	char names[NSLOTS][64];
};

static int goarg_n(const char *arg)
{
	char *end;
	long n;

	if (strncmp(arg, "goarg", 5) || !arg[5])
		return 0;
	n = strtol(arg + 5, &end, 10);
	return *end || n < 1 || n > 63 ? 0 : (int)n;
}

static bool same_loc(const struct go_loc *a, const struct go_loc *b)
{
	return a->kind == b->kind && (a->kind == GO_LOC_STACK ? a->sp_off == b->sp_off :
				      !strcmp(a->reg, b->reg));
}

static int add_slot(struct func_ifaces *fi, const char *name, const struct go_loc loc[2], int mode)
{
	struct go_iface_slot *s = &fi->cfg.slot[fi->n];
	int err;

	if (fi->n == NSLOTS)
		return 0;	/* the first NSLOTS only */
	err = set_word(&s->w[0], &loc[0]);
	if (!err)
		err = set_word(&s->w[1], &loc[1]);
	if (err)
		return err;
	s->mode = (uint32_t)mode;
	snprintf(fi->names[fi->n++], sizeof(fi->names[0]), "%s", name);
	return 0;
}

/* goargN: where the ABI puts words N and N+1; DWARF, if there is any, says what they are. */
static int func_goarg(struct go_binary *bin, const struct go_func *fn, int n,
		      struct func_ifaces *fi)
{
	struct go_iface_param *ps = NULL;
	struct go_loc loc[2];
	size_t cnt = 0, i;
	int err, mode = go_binary__toolchain(bin) == GO_GCCGO ? GO_IFACE_TYPE : GO_IFACE_GUESS;

	err = go_binary__arg(bin, fn, n, &loc[0]);
	if (!err)
		err = go_binary__arg(bin, fn, n + 1, &loc[1]);
	if (err)
		return err;
	if (!go_binary__iface_params(bin, fn, &ps, &cnt)) {
		mode = -1;
		for (i = 0; i < cnt; i++)
			if (ps[i].iface && same_loc(&ps[i].loc[0], &loc[0]))
				mode = ps[i].empty ? GO_IFACE_TYPE : GO_IFACE_ITAB;
		free(ps);
		if (mode < 0)
			return go_fail(EINVAL, "goarg%d of %s is not the first word of an interface",
				       n, fn->name);
	} else if ((err = go_binary__check_word(bin, fn, false, n)) < 0) {
		return err;	/* without DWARF: both words must be ones fn passes */
	} else if (go_binary__check_word(bin, fn, false, n + 1) < 0) {
		return go_fail(EINVAL, "goarg%d of %s is its last argument word: an interface takes "
			       "two", n, fn->name);
	}
	return add_slot(fi, env.arg, loc, mode);
}

/* By DWARF: the argument named name, or every interface argument when name is NULL. */
static int func_named(struct go_binary *bin, const struct go_func *fn, const char *name,
		      struct func_ifaces *fi)
{
	struct go_iface_param *ps;
	size_t cnt, i;
	int err;

	err = go_binary__iface_params(bin, fn, &ps, &cnt);
	if (err)
		return err;
	for (i = 0; i < cnt && !err; i++) {
		if (name && strcmp(ps[i].name, name))
			continue;
		if (name && !ps[i].iface)
			err = go_fail(EINVAL, "argument '%s' of %s is not an interface: its type is %s", name,
				      fn->name, ps[i].type);
		else if (ps[i].iface)
			err = add_slot(fi, ps[i].name, ps[i].loc, ps[i].empty ? GO_IFACE_TYPE : GO_IFACE_ITAB);
	}
	free(ps);
	if (!err && name && !fi->n)
		err = go_fail(ENOENT, "%s has no argument named '%s'", fn->name, name);
	return err;
}

/*
 * Find each function's interfaces, and keep only the functions that have some. With one
 * function, what is wrong with it is the error; with several, the first function's.
 */
static int plan_ifaces(struct go_target *t, struct func_ifaces **out)
{
	struct func_ifaces *fis = calloc(t->cnt ? t->cnt : 1, sizeof(*fis));
	char first[256] = "";
	size_t i, kept = 0;
	int n = env.arg ? goarg_n(env.arg) : 0, err = 0;

	if (!fis)
		return go_fail(ENOMEM, "out of memory");
	if (!env.arg && !go_binary__has_symbols(t->bin)) {
		free(fis);
		return go_fail(EINVAL, "'%s' is stripped (no DWARF): name the interface argument "
			       "as goargN, its first word", go_binary__name(t->bin));
	}
	for (i = 0; i < t->cnt; i++) {
		const struct go_func *fn = go_target__func(t, i);

		memset(&fis[kept], 0, sizeof(fis[kept]));
		err = n ? func_goarg(t->bin, fn, n, &fis[kept]) :
			  func_named(t->bin, fn, env.arg, &fis[kept]);
		if (err && !first[0])
			snprintf(first, sizeof(first), "%s", libgo_errmsg());
		if (err == -ENOMEM)
			break;
		if (!err && fis[kept].n)
			t->idx[kept++] = t->idx[i];
		err = 0;
	}
	if (!kept || err) {
		free(fis);
		if (!first[0])
			return go_fail(ENOENT, "no interface arguments in the functions matched by \"%s\"",
				       env.pattern);
		return go_fail(EINVAL, "%s", first);
	}
	t->cnt = kept;
	*out = fis;
	return 0;
}

/* go_target__entry_probes may drop functions: keep each one's interfaces with it. */
static void realign(const size_t *old_idx, size_t old_cnt, const struct go_target *t,
		    struct func_ifaces *fis)
{
	size_t i, j = 0;

	for (i = 0; i < t->cnt; i++) {
		while (j < old_cnt && old_idx[j] != t->idx[i])
			j++;
		if (j < old_cnt && j != i)
			fis[i] = fis[j];
		j++;
	}
}

/* ---- counting ------------------------------------------------------------------------------- */

struct type_name {
	uint32_t pid;
	uint64_t addr;
	char *name;		/* whole, however long */
	uint64_t link;		/* link-time address, 0 when not in the binary */
	enum go_type_what what;
};

static struct {
	struct type_name *v;
	size_t n, cap;
} names;

struct row {
	uint16_t func;
	uint8_t slot;
	const char *type;	/* a name of names */
	char *value;
	uint64_t count;		/* in the printout that is due */
	uint64_t total;		/* in the printouts so far */
	uint64_t live;		/* in the table at a scrape (--prometheus) */
};

static struct {
	struct row *v;
	size_t n, cap;
} rows;

/* Calls whose "interface" word held no type, by function and argument: said once each. */
static bool *not_types;

static int grow(void **v, size_t *cap, size_t n, size_t esize)
{
	size_t c = *cap ? *cap * 2 : 64;
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, c * esize);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

/* What names a process's types: its binary, its probes, and where they were hit (PIE). */
struct namer {
	const struct go_target *target;
	const struct func_ifaces *fis;
	const struct go_plan *plan;
	struct go_bpf *bpf;
	struct go_types *types;
};

static const struct type_name *type_name(const struct namer *nm, uint32_t pid, uint64_t addr,
					 uint8_t flags)
{
	struct go_binary *bin = nm->target->bin;
	struct type_name *tn;
	size_t i;

	/* a type of the binary is at one address in every process, unless it is PIE */
	for (i = 0; i < names.n; i++)
		if (names.v[i].addr == addr &&
		    (names.v[i].pid == pid || (!go_binary__is_pie(bin) && names.v[i].link)))
			return &names.v[i];
	/* a PIE process may be gone: where it loaded the binary, from where it hit a probe */
	go_target__bias(nm->target, nm->plan, nm->bpf, (pid_t)pid);
	if (grow((void **)&names.v, &names.cap, names.n, sizeof(*names.v)))
		return NULL;
	tn = &names.v[names.n];
	memset(tn, 0, sizeof(*tn));
	tn->pid = pid;
	tn->addr = addr;
	if (!addr && (flags & GO_IV_NO_TYPE)) {
		tn->name = strdup("<unreadable>");
		tn->what = GO_TYPE_NONE;
	} else {
		tn->name = go_types__describe_dup(nm->types, (pid_t)pid, addr, &tn->link,
						  &tn->what);
	}
	if (!tn->name)
		return NULL;
	names.n++;
	return tn;
}

/* The value's text, as %v prints it ("-": not shown); NULL when out of memory. */
static char *format_value(struct go_types *types, const struct go_iface_key *k,
			  const struct type_name *tn)
{
	struct go_ivalue v = { 0 };
	char str[STR_LEN], *text = NULL;

	if (!k->type)
		return strdup(k->flags & GO_IV_NO_TYPE ? "<unreadable>" : "<nil>");
	if (tn->what == GO_TYPE_NONE)
		return strdup("-");
	v.pid = (pid_t)k->pid;
	v.type = tn->link;
	v.kind = k->kind & 0x1f;
	v.direct = (k->kind | k->tflag) & GO_TYPE_DIRECT_IFACE;
	v.unreadable = k->flags & (GO_IV_NO_VALUE | GO_IV_NO_TYPE);
	v.at = k->flags & GO_IV_AT ? k->word[0] : 0;
	memcpy(v.word, k->word, sizeof(v.word));
	v.has_str = k->flags & GO_IV_STR;
	memcpy(str, k->str, sizeof(str));
	v.str = str;
	v.str_size = sizeof(str);
	v.len = k->word[1];
	v.str_len = v.len < STR_LEN - 1 ? v.len : STR_LEN - 1;
	v.flags = k->flags;
	v.x = k->x;
	v.quote = true;
	if (tn->link)
		go_ivalue__fetch(types, (pid_t)k->pid, &v);
	if (go_value__format(tn->link ? types : NULL, &v, &text) == -ENOENT)
		return strdup("-");
	return text;
}

/* The row of a function, argument, type name and value; takes value. */
static struct row *row_get(uint16_t func, uint8_t slot, const char *type, char *value)
{
	size_t i;

	for (i = 0; i < rows.n; i++)
		if (rows.v[i].func == func && rows.v[i].slot == slot &&
		    !strcmp(rows.v[i].type, type) && !strcmp(rows.v[i].value, value)) {
			free(value);
			return &rows.v[i];
		}
	if (grow((void **)&rows.v, &rows.cap, rows.n, sizeof(*rows.v))) {
		free(value);
		return NULL;
	}
	memset(&rows.v[rows.n], 0, sizeof(rows.v[0]));
	rows.v[rows.n].func = func;
	rows.v[rows.n].slot = slot;
	rows.v[rows.n].type = type;
	rows.v[rows.n].value = value;
	return &rows.v[rows.n++];
}

/* Say once per argument that its first word held something that is no type. */
static void note_not_type(const struct go_target *t, const struct func_ifaces *fis,
			  const struct go_iface_key *k)
{
	size_t i = (size_t)k->func * NSLOTS + k->slot;
	char e_fn[GO_ESC_LEN], e_arg[GO_ESC_LEN];
	const char *arg;

	if (!not_types || not_types[i])
		return;
	not_types[i] = true;
	arg = go_esc(fis[k->func].names[k->slot], e_arg, sizeof(e_arg));
	fprintf(session.info, "%s %s: a call passed %#llx, which is not a type descriptor%s: is %s an "
		"interface's first word?\n", go_esc(go_target__func(t, k->func)->name, e_fn,
		sizeof(e_fn)), arg, (unsigned long long)k->type,
		fis[k->func].cfg.slot[k->slot].mode == GO_IFACE_GUESS ? " nor a method table" : "",
		arg);
}

/* What read_counts() adds to the rows: the keys of epoch (all, if < 0); live: a scrape's. */
struct reading {
	int fd, epoch;
	const struct namer *nm;
	bool live;
};

/* The bytes of a count's key in the kernel: without -V, not the value's (GO_IFACE_KEY_TYPES). */
static uint32_t key_size(void)
{
	return env.values ? sizeof(struct go_iface_key) : GO_IFACE_KEY_TYPES;
}

static int read_count(void *ctx, const void *k)
{
	struct reading *rd = ctx;
	struct go_iface_key key;
	const struct type_name *tn;
	uint64_t count;
	char *value;
	struct row *r;

	memset(&key, 0, sizeof(key));
	memcpy(&key, k, key_size());
	if ((rd->epoch >= 0 && key.epoch != rd->epoch) || go_map__lookup(rd->fd, &key, &count))
		return 0;
	tn = type_name(rd->nm, key.pid, key.type, key.flags);
	if (!tn)
		return -ENOMEM;
	if (tn->what == GO_TYPE_NONE && key.type && key.func < rd->nm->target->cnt &&
	    key.slot < NSLOTS)
		note_not_type(rd->nm->target, rd->nm->fis, &key);
	value = env.values ? format_value(rd->nm->types, &key, tn) : strdup("");
	if (!value)
		return -ENOMEM;
	r = row_get(key.func, key.slot, tn->name, value);
	if (!r)
		return -ENOMEM;
	if (rd->live) {
		r->live += count;
		return 0;
	}
	r->count += count;
	return rd->epoch >= 0;
}

/*
 * Add the kernel's counts to rows, by function, argument, type name and value: those counted in
 * epoch, taken out of the table (-i, while the probes count into the other epoch), or with
 * epoch < 0 every one, left in it.
 */
static int read_counts(int fd, const struct namer *nm, int epoch)
{
	struct reading rd = { fd, epoch, nm, false };

	return go_map__each(fd, key_size(), read_count, &rd);
}

/*
 * --prometheus: the calls counted by function, argument and type since the start
 * (gotools_interface_values_total): those printed, and those in the table now (left there);
 * and the calls the full table dropped, not yet printed.
 */
static int write_metrics(struct go_metrics *m, void *ctx)
{
	const struct namer *nm = ctx;
	int dfd = go_bpf__map_fd(nm->bpf, "dropped"), e, err;
	struct reading rd = { go_bpf__map_fd(nm->bpf, "counts"), -1, nm, true };
	const char *l[6] = { "function", NULL, "arg", NULL, "type", NULL };
	uint64_t n;
	size_t i;

	for (i = 0; i < rows.n; i++)
		rows.v[i].live = 0;
	err = go_map__each(rd.fd, key_size(), read_count, &rd);
	if (err)
		return err;
	go_metrics__family(m, "gotools_interface_values_total", "counter",
			   "Calls of the traced Go functions by an interface argument's dynamic type.");
	for (i = 0; i < rows.n; i++) {
		const struct row *r = &rows.v[i];

		if (!r->total && !r->live)
			continue;
		l[1] = go_target__func(nm->target, r->func)->name;
		l[3] = nm->fis[r->func].names[r->slot];
		l[5] = r->type;
		go_metrics__count(m, l, 3, r->total + r->live);
	}
	for (e = 0; e < GO_IFACE_EPOCHS; e++) {
		n = 0;
		err = go_map__sum_percpu(dfd, (uint32_t)e, &n);
		go_metrics__lost(m, GO_LOST_TYPES_FULL, n);
	}
	return err;
}

static int row_cmp(const void *a, const void *b)
{
	const struct row *const *x = a, *const *y = b;
	uint64_t cx = (*x)->count, cy = (*y)->count;
	int c;

	if (cx != cy)
		return cx < cy ? -1 : 1;
	if ((*x)->func != (*y)->func)
		return (*x)->func < (*y)->func ? -1 : 1;
	if ((*x)->slot != (*y)->slot)
		return (*x)->slot < (*y)->slot ? -1 : 1;
	c = strcmp((*x)->type, (*y)->type);
	return c ? c : strcmp((*x)->value, (*y)->value);
}

static void print_table(const struct go_target *t, const struct func_ifaces *fis)
{
	struct row **sorted = calloc(rows.n ? rows.n : 1, sizeof(*sorted));
	size_t i, n = 0;
	char ts[16];
	const char *time = env.timestamp ? go_strftime_now(ts, sizeof(ts)) : NULL;
	static unsigned long printouts;

	if (!sorted)
		return;
	printouts++;
	for (i = 0; i < rows.n; i++)
		if (rows.v[i].count)
			sorted[n++] = &rows.v[i];
	qsort(sorted, n, sizeof(*sorted), row_cmp);
	if (!env.json) {
		printf("\n");
		if (time)
			printf("%-8s\n", time);
		if (env.values)
			printf("%-24s %-8s %-24s %-24s %8s\n", "FUNC", "ARG", "TYPE", "VALUE", "COUNT");
		else
			printf("%-24s %-8s %-24s %8s\n", "FUNC", "ARG", "TYPE", "COUNT");
	}
	for (i = 0; i < n; i++) {
		const struct row *r = sorted[i];
		const char *fn = go_target__func(t, r->func)->name, *arg = fis[r->func].names[r->slot];
		unsigned long long c = r->count;

		if (env.json) {
			go_json_printout(stdout, printouts, time);
			printf("\"func\": ");
			go_json_str(stdout, fn);
			printf(", \"arg\": ");
			go_json_str(stdout, arg);
			printf(", \"type\": ");
			go_json_str(stdout, r->type);
			if (env.values) {
				printf(", \"value\": ");
				go_json_str(stdout, strcmp(r->value, "-") ? r->value : "");
			}
			printf(", \"count\": %llu}\n", c);
		} else {
			char e_fn[GO_ESC_LEN], e_arg[GO_ESC_LEN], e_type[GO_ESC_LEN], e_val[GO_ESC_LEN];

			fn = go_esc(fn, e_fn, sizeof(e_fn));
			arg = go_esc(arg, e_arg, sizeof(e_arg));
			if (env.values)
				printf("%-24s %-8s %-24s %-24s %8llu\n", fn, arg,
				       go_esc(r->type, e_type, sizeof(e_type)),
				       go_esc(r->value, e_val, sizeof(e_val)), c);
			else
				printf("%-24s %-8s %-24s %8llu\n", fn, arg,
				       go_esc(r->type, e_type, sizeof(e_type)), c);
		}
	}
	for (i = 0; i < n; i++) {
		sorted[i]->total += sorted[i]->count;
		sorted[i]->count = 0;
	}
	fflush(stdout);
	free(sorted);
}

/*
 * Take the counts of the printout that is due into rows, and the calls dropped meanwhile. At
 * the end, with the probes detached, every count in the table; with -i, the ended interval's:
 * the probes count into the other epoch from now on, and once every program that may still
 * count into this one has returned, its counts are taken out of the table (which each
 * interval thus has whole, as bcc's tools clear theirs).
 */
static int take_printout(struct go_bpf *bpf, uint32_t *ep, bool last, const struct namer *nm,
			 uint64_t *dropped)
{
	int fd = go_bpf__map_fd(bpf, "counts"), dfd = go_bpf__map_fd(bpf, "dropped");
	int efd = go_bpf__map_fd(bpf, "epoch"), epoch = -1, e, err = 0;
	uint32_t zero = 0, next = *ep ^ 1;
	uint64_t n;

	*dropped = 0;
	if (last) {
		go_bpf__detach(bpf);
	} else {
		epoch = (int)*ep;
		err = go_map__update(efd, &zero, &next);
		*ep = next;
	}
	if (!err)
		err = go_bpf__sync();
	if (!err)
		err = read_counts(fd, nm, epoch);
	for (e = 0; e < GO_IFACE_EPOCHS && !err; e++) {
		if (epoch >= 0 && e != epoch)
			continue;
		err = go_map__take_percpu(dfd, (uint32_t)e, &n);
		*dropped += n;
	}
	return err;
}

static void word_where(const struct go_arch *arch, const struct go_iface_word *w, char *buf,
		       size_t size)
{
	if (w->where == GO_IN_REG)
		snprintf(buf, size, "%s", go_arch__reg_name(arch, w->reg));
	else
		snprintf(buf, size, "sp+%d", (int)w->off);
}

static void list_ifaces(struct go_target *t, const struct func_ifaces *fis)
{
	static const char *const modes[] = { "type", "itab", "type or itab" };
	char w0[16], w1[16], e_fn[GO_ESC_LEN], e_arg[GO_ESC_LEN];
	size_t i;
	int j;

	go_target__list(t, session.info);
	for (i = 0; i < t->cnt; i++)
		for (j = 0; j < fis[i].n; j++) {
			const struct go_iface_slot *s = &fis[i].cfg.slot[j];

			word_where(go_binary__arch(t->bin), &s->w[0], w0, sizeof(w0));
			word_where(go_binary__arch(t->bin), &s->w[1], w1, sizeof(w1));
			fprintf(session.info, "%s %s: %s word in %s, data word in %s\n",
				go_esc(go_target__func(t, i)->name, e_fn, sizeof(e_fn)),
				go_esc(fis[i].names[j], e_arg, sizeof(e_arg)), modes[s->mode], w0, w1);
		}
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, args_doc, doc, NULL, NULL, NULL };
	const char *progs[] = { "go_iface_entry", GO_WITHIN_PROGS };
	struct go_bpf_map_shape counts_shape = { 0 };
	struct go_bpf_spec spec = { 0 };
	struct go_session *s = &session;
	struct go_target *target = &s->target;
	struct go_types *types = NULL;
	struct func_ifaces *fis = NULL;
	struct namer namer;
	uint64_t dropped = 0;
	uint32_t epoch = 0;
	long max_entries;
	size_t *old_idx = NULL, old_cnt, i;
	int err, sfd, done = 0;

	err = go_parse_args(&argp, argc, argv);
	if (err)
		return err;

	s->pid = env.pid;
	s->json = env.json;
	err = go_session__open(s, env.pattern, env.regex);
	if (err)
		goto cleanup;
	types = go_types__open(target->bin);
	err = types ? plan_ifaces(target, &fis) : -errno;
	if (err)
		goto cleanup;
	old_cnt = target->cnt;
	old_idx = malloc(old_cnt * sizeof(*old_idx));
	if (!old_idx) {
		err = go_fail(ENOMEM, "out of memory");
		goto cleanup;
	}
	memcpy(old_idx, target->idx, old_cnt * sizeof(*old_idx));
	err = go_session__plan(s, GO_PLAN_ENTRY | (go_bpf__want_multi() ? GO_PLAN_CALL_SITES : 0));
	if (err)
		goto cleanup;
	realign(old_idx, old_cnt, target, fis);
	not_types = calloc(target->cnt * NSLOTS, sizeof(*not_types));
	if (env.verbose)
		list_ifaces(target, fis);

	/* GOTOOLS_MAX_TYPES: a smaller table, for the tests that fill it */
	err = go_env_size("GOTOOLS_MAX_TYPES", MAX_ENTRIES, MAX_ENTRIES, &max_entries);
	if (err)
		goto cleanup;
	go_losses__limit(&s->losses, GO_LOST_TYPES_FULL, max_entries);
	s->losses.values = env.values;
	spec.src = go_bpf_src_iface;
	go_bpf_spec__size(&spec, "slots", go_target__slots(target));
	counts_shape.max_entries = (uint32_t)max_entries;
	counts_shape.key_size = key_size();
	go_bpf_spec__shape(&spec, "counts", &counts_shape);
	if (go_binary__is_pie(target->bin))	/* go_binfo says so to the program */
		go_bpf_spec__size(&spec, "go_procs", GO_PROCS_ENTRIES);
	spec.progs = progs;
	spec.nprogs = 3;
	spec.multi = go_bpf__want_multi();

	err = go_session__load(s, &spec, env.debug);
	if (err)
		goto cleanup;
	sfd = go_bpf__map_fd(s->bpf, "slots");
	if (sfd < 0 || go_bpf__map_fd(s->bpf, "counts") < 0 ||
	    go_bpf__map_fd(s->bpf, "dropped") < 0 || go_bpf__map_fd(s->bpf, "epoch") < 0) {
		err = -ENOENT;
		goto cleanup;
	}
	for (i = 0; i < target->cnt && !err; i++) {
		uint32_t k = (uint32_t)i;

		fis[i].cfg.values = env.values;
		err = go_map__update(sfd, &k, &fis[i].cfg);
	}
	if (err) {
		err = go_fail(-err, "cannot configure the BPF program: %s", strerror(-err));
		goto cleanup;
	}
	err = go_target__set_binfo(target, s->bpf);
	if (!err)
		err = go_session__attach(s, progs[0], target, &s->plan.entry);
	if (err)
		goto cleanup;
	namer = (struct namer){ target, fis, &s->plan, s->bpf, types };
	err = go_session__serve(s, write_metrics, &namer);
	if (err)
		goto cleanup;
	go_print_banner(s->info, target->cnt, "functions", env.pattern);

	while (!done) {
		done = go_session__wait(s, env.interval, env.duration);
		err = take_printout(s->bpf, &epoch, done, &namer, &dropped);
		if (err) {
			err = go_fail(-err, "cannot read the counts: %s", strerror(-err));
			goto cleanup;
		}
		print_table(target, fis);
		/* calls not counted, the table being full: said after the printout's rows */
		go_losses__add(&s->losses, GO_LOST_TYPES_FULL, dropped);
		go_session__losses(s);
	}
	go_session__end(s);

cleanup:
	free(old_idx);
	free(fis);
	for (i = 0; i < rows.n; i++)
		free(rows.v[i].value);
	free(rows.v);
	for (i = 0; i < names.n; i++)
		free(names.v[i].name);
	free(names.v);
	free(not_types);
	go_types__close(types);
	return go_session__close(s, err);
}
