// SPDX-License-Identifier: Apache-2.0
/*
 * gostack: count the stacks that lead to Go functions, as bcc's stackcount does, for Go
 * binaries: every frame named from the Go function table (stripped and PIE binaries too), the
 * immediate caller that a frame-pointer walk misses at a function's entry restored, and calls
 * inlined at each pc shown as frames of their own, with their file:line. A function inlined
 * into its callers is counted at each place it was inlined (libgo/plan/inline.c), its stack
 * that of the function holding it, the inlined call its first frame.
 *
 * 23-Nov-2026   Created this.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "probe/bpf/filter.h"
#include "probe/bpf/stackcount.h"
#include "probe/probe.h"
#include "libgo.h"
#include "session/tool.h"

#define MAX_STACKS 10240	/* distinct stacks (per process) the kernel keeps, by default */
#define MAX_LABELSETS 1024	/* distinct label sets the kernel keeps */
#define MAX_INLINE 16		/* calls inlined at one pc shown */

enum { OPT_PPROF = 0x2000, OPT_DEBUG };

static struct env {
	pid_t pid;
	long interval;
	long duration;
	bool timestamp;
	bool regex;
	bool offset;
	bool per_pid;
	bool verbose;
	bool folded;
	bool lines;
	bool json;
	bool debug;
	long cpu;		/* -c; -1: every CPU */
	const char *pprof;
	const char *pattern;
} env = { .cpu = -1 };

const char *argp_program_version = "gostack 0.1";
static const char args_doc[] = "PATTERN";
static const char doc[] =
"Count Go function calls and their stack traces.\n"
"\n"
"USAGE: gostack [-h] [-p PID] [-c CPU] [-i INTERVAL] [-D DURATION] [-T] [-r]\n"
"               [-s] [-P] [-v] [-d] [-f] [-l] [-j] [--pprof FILE] [--debug]\n"
"               [--dry-run] PATTERN\n"
"\n"
"PATTERN is [BINARY:]FUNCTIONS. FUNCTIONS is a glob: '*' and '?' are wildcards\n"
"and every other character, ( ) [ ] and . included, is literal. With -p, BINARY\n"
"defaults to the process's executable. Stacks are user stacks (-U is the\n"
"default and only choice); calls inlined at a pc are frames of their own.\n"
"\n"
"EXAMPLES:\n"
"    gostack -p 181 main.query            # the stacks that call main.query\n"
"    gostack -p 181 -l 'main.(*DB).*'     # with each frame's file:line\n"
"    gostack -f -D 10 -p 181 main.query > out.folded  # for flamegraph.pl\n"
"    gostack --pprof q.pb.gz -D 10 -p 181 main.query  # for go tool pprof\n"
"    gostack --pprof 'q-%t.pb.gz' -i 60 -p 181 main.query  # a profile a minute\n"
"    gostack -P -i 5 ./server:'net/http.(*conn).serve' # per process, every 5 s\n"
"    gostack -c 1 -p 181 main.query       # the calls made on CPU 1 only\n"
"    gostack --dry-run -p 181 main.query  # list the probes, attach none\n";

static const struct argp_option opts[] = {
	GO_COMMON_OPTIONS,
	{ "cpu", 'c', "CPU", 0, "trace this CPU only", 0 },
	{ "interval", 'i', "INTERVAL", 0, "summary interval, seconds", 0 },
	{ "duration", 'D', "DURATION", 0, "total duration of trace, seconds", 0 },
	{ "timestamp", 'T', NULL, 0, "include timestamp on output", 0 },
	{ "regexp", 'r', NULL, 0, "use regular expressions; default is \"*\" wildcards only", 0 },
	{ "offset", 's', NULL, 0, "show address offsets", 0 },
	{ "perpid", 'P', NULL, 0, "display stacks separately for each process", 0 },
	{ "verbose", 'v', NULL, 0, "show raw addresses", 0 },
	{ "delimited", 'd', NULL, 0,
	  "insert delimiter between kernel/user stacks (user stacks only: none)", 0 },
	{ "folded", 'f', NULL, 0, "output folded format, one line per stack", 0 },
	{ "lines", 'l', NULL, 0, "show each frame's file:line", 0 },
	{ "json", 'j', NULL, 0, "print stacks as JSON lines", 0 },
	{ "pprof", OPT_PPROF, "FILE", 0, "write a gzipped pprof profile to FILE at the end; "
	  "with %n (the interval's number) or %t (its start, UNIX seconds) in FILE, one each "
	  "interval", 0 },
	{ "debug", OPT_DEBUG, NULL, 0, "print BPF program before starting (for debugging purposes)", 0 },
	{ "user-stacks-only", 'U', NULL, 0, "user stacks only (the default)", 0 },
	{ "kernel-stacks-only", 'K', NULL, OPTION_HIDDEN, "kernel stacks: not supported", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'i':
		if (go_parse_long(arg, 1, 99999999, "interval", &env.interval))
			go_option_error();
		break;
	case 'D':
		if (go_parse_long(arg, 1, 99999999, "duration", &env.duration))
			go_option_error();
		break;
	case 'c':
		if (go_parse_long(arg, 0, go_ncpus_possible() - 1, "CPU", &env.cpu))
			go_option_error();
		break;
	case 'd': break;	/* as bcc's stackcount -d -U: no kernel stack, no delimiter */
	case 'T': env.timestamp = true; break;
	case 'r': env.regex = true; break;
	case 's': env.offset = true; break;
	case 'P': env.per_pid = true; break;
	case 'v': env.verbose = true; break;
	case 'f': env.folded = true; break;
	case 'l': env.lines = true; break;
	case 'j': env.json = true; break;
	case 'U': break;
	case 'K':
		argp_error(state, "-K: kernel stacks are not supported; gostack counts user stacks");
		break;
	case OPT_DEBUG: env.debug = true; break;
	case OPT_PPROF:
		if (!*arg)
			argp_error(state, "--pprof needs a file name");
		env.pprof = arg;
		break;
	case ARGP_KEY_ARG:
		if (env.pattern)
			argp_error(state, "too many arguments: '%s'", arg);
		env.pattern = arg;
		break;
	case ARGP_KEY_END:
		if (!env.pattern)
			argp_error(state, "no PATTERN given");
		if (env.folded + env.json > 1)
			argp_error(state, "-f and -j cannot be used together");
		break;
	default:
		return go_parse_common(key, arg, state, &env.pid);
	}
	return 0;
}

static struct go_labelsets *labelsets;	/* the kernel's, read as stacks name them */

/* ---- stacks --------------------------------------------------------------------------------- */

/*
 * A stack as printed: resolved from a key, one for each distinct stack (and process, with -P),
 * sized to its frames; with -i, those of one interval.
 */
struct stack {
	struct stack *next;	/* in its bucket of the table */
	uint64_t count;
	uint32_t pid;		/* with -P or -p, else 0 */
	char comm[16];
	const struct go_labelset *labels;	/* NULL: none */
	enum go_stack_end end;	/* and why, for GO_STACK_CUT: go_stack's */
	const char *why;
	const struct go_inl_site *inl;	/* taken at an inlined call's site: go_stack's */
	int npc;
	uint64_t pc[];		/* link-time; pc[0] is the traced function's entry, the rest
				 * return addresses */
};

/* The stacks of a printout, by their frames (and process, with -P). */
struct stacks {
	struct stack **bucket;
	size_t nbucket, n;
	/* calls whose stacks were truncated or cut, whose labels were not all kept, or lost */
	uint64_t truncated, cut, labels_cut, labels_lost;
};

/* A key's stack as resolved, before it is added to a table: every frame the walk may give. */
static union {
	struct stack s;
	char bytes[sizeof(struct stack) + GO_STACK_MAX_PCS * sizeof(uint64_t)];
} scratch;
/* The stack being resolved or printed, and its frames. */
static struct go_stack scratch_stack;
static struct go_stack_frame frames[GO_STACK_MAX_PCS * MAX_INLINE];

static struct go_session session;
static struct go_lines *lines;
static struct go_entry_frame *entry_frames;	/* per function: its frame at its entry site */
static uint64_t start_ns;	/* CLOCK_REALTIME when the probes went live */
static const struct go_probes *probes;	/* the plan's: where the stacks are taken */
static const struct go_inl_site **inl_sites;	/* the plan's inlined calls, by address */
static size_t ninl_sites;
static long max_stacks = MAX_STACKS;

/*
 * Where a process loaded a PIE binary (libgo remembers it per process): from /proc, or for a
 * process that has exited (-p ends with it, and without -p a short-lived one ends before the
 * output), from the stack itself, fr as the walk recorded it, and the site it was taken at.
 */
static int64_t pid_bias(uint32_t pid, uint32_t func, const uint64_t *fr, int nfr)
{
	int64_t bias = 0;

	if (go_binary__load_bias(session.target.bin, pid, &bias) &&
	    (!fr || go_probes__bias_from_stack(probes, session.target.bin, pid, func, fr, nfr, &bias)))
		return 0;
	return bias;
}

/* The inlined call of fn whose site's probe is at link-time ip, or NULL. */
static const struct go_inl_site *inline_site(const struct go_func *fn, uint64_t ip)
{
	const struct go_inl_site *site = go_inl_sites__at(inl_sites, ninl_sites, ip);

	return site && !strcmp(site->func, fn->name) ? site : NULL;
}

/*
 * The whole stack of a record: the traced function; its caller, where the walk does not have
 * it; then the walk's return addresses, through cgo callbacks, up to the frame where
 * goroutines start, or to where the walk stopped (libgo's go_stack__from_walk). At an inlined
 * call's site, the function holding it and on (go_stack__from_inline_walk).
 */
static void stack_resolve(const struct go_stack_key *key, struct stack *s)
{
	const struct go_walk *w = &key->walk;
	uint32_t func = key->func < session.target.cnt ? key->func : 0;
	const struct go_func *fn = go_target__func(&session.target, func);
	int nfr = w->nframes < GO_WALK_MAX_FRAMES ? (int)w->nframes : GO_WALK_MAX_FRAMES;
	struct go_stack *st = &scratch_stack;
	int64_t bias = pid_bias(key->pid, func, (const uint64_t *)w->frames, nfr);
	const struct go_inl_site *site = nfr ? inline_site(fn, w->frames[0] - bias) : NULL;

	memset(s, 0, sizeof(*s));
	s->pid = key->pid;
	memcpy(s->comm, key->comm, sizeof(s->comm));
	s->comm[sizeof(s->comm) - 1] = 0;
	s->labels = go_labelsets__get(labelsets, &key->labels);
	if (site)
		go_stack__from_inline_walk(st, session.target.bin, lines, site, w, bias);
	else
		go_stack__from_walk(st, session.target.bin, lines, fn, &entry_frames[func], w,
				    bias, fn->entry);
	s->end = st->end;
	s->why = st->why;
	s->inl = st->inl;
	s->npc = st->npc;
	memcpy(s->pc, st->pc, st->npc * sizeof(st->pc[0]));
}

/* s as libgo's stack, for its frames and note (in scratch_stack). */
static const struct go_stack *as_go_stack(const struct stack *s)
{
	struct go_stack *st = &scratch_stack;

	st->end = s->end;
	st->why = s->why;
	st->inl = s->inl;
	st->npc = s->npc;
	memcpy(st->pc, s->pc, s->npc * sizeof(s->pc[0]));
	return st;
}

static int stack_cmp(const void *a, const void *b)
{
	const struct stack *x = a, *y = b;
	int i;

	if (env.per_pid && x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->why != y->why)	/* static strings: one pointer per reason */
		return x->why < y->why ? -1 : 1;
	if (x->npc != y->npc)
		return x->npc < y->npc ? -1 : 1;
	for (i = 0; i < x->npc; i++)
		if (x->pc[i] != y->pc[i])
			return x->pc[i] < y->pc[i] ? -1 : 1;
	if (x->labels != y->labels)	/* one per distinct set (go_labelsets__get) */
		return x->labels < y->labels ? -1 : 1;
	return 0;
}

/* By count, the largest last, as bcc's stackcount prints them; a and b point at stack pointers. */
static int count_cmp(const void *a, const void *b)
{
	const struct stack *x = *(struct stack *const *)a, *y = *(struct stack *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return stack_cmp(x, y);
}

/* FNV-1a over what stack_cmp compares. */
static uint64_t stack_hash(const struct stack *s)
{
	uint64_t h = 14695981039346656037ull;
	const uint8_t *p;
	size_t i, n;

#define HASH(ptr, len) \
	for (p = (const uint8_t *)(ptr), n = (len), i = 0; i < n; i++) \
		h = (h ^ p[i]) * 1099511628211ull
	if (env.per_pid)
		HASH(&s->pid, sizeof(s->pid));
	HASH(&s->end, sizeof(s->end));
	HASH(&s->why, sizeof(s->why));
	HASH(s->pc, s->npc * sizeof(s->pc[0]));
	HASH(&s->labels, sizeof(s->labels));
#undef HASH
	return h;
}

/* Count calls of s's stack in t: a stack of its own, sized to its frames, the first time. */
static int stacks__add(struct stacks *t, const struct stack *s, uint64_t count)
{
	struct stack *x, **b;
	size_t i;

	if (t->n >= t->nbucket) {	/* at most one a bucket, on average */
		size_t nb = t->nbucket ? t->nbucket * 2 : 1024;
		struct stack **nbk = calloc(nb, sizeof(*nbk));

		if (!nbk)
			return -ENOMEM;
		for (i = 0; i < t->nbucket; i++)
			while ((x = t->bucket[i])) {
				t->bucket[i] = x->next;
				b = &nbk[stack_hash(x) & (nb - 1)];
				x->next = *b;
				*b = x;
			}
		free(t->bucket);
		t->bucket = nbk;
		t->nbucket = nb;
	}
	if (s->end == GO_STACK_TRUNCATED)
		t->truncated += count;
	if (s->end == GO_STACK_CUT)
		t->cut += count;
	if (s->labels && s->labels->lost)
		t->labels_lost += count;
	else if (s->labels && s->labels->cut)
		t->labels_cut += count;
	b = &t->bucket[stack_hash(s) & (t->nbucket - 1)];
	for (x = *b; x; x = x->next)
		if (!stack_cmp(x, s)) {
			x->count += count;
			return 0;
		}
	x = malloc(sizeof(*x) + s->npc * sizeof(s->pc[0]));
	if (!x)
		return -ENOMEM;
	memcpy(x, s, sizeof(*x) + s->npc * sizeof(s->pc[0]));
	x->count = count;
	x->next = *b;
	*b = x;
	t->n++;
	return 0;
}

/* t's stacks, by count (the largest last); NULL when out of memory. */
static struct stack **stacks__sorted(const struct stacks *t)
{
	struct stack **v = malloc((t->n ? t->n : 1) * sizeof(*v)), *x;
	size_t i, n = 0;

	if (!v)
		return NULL;
	for (i = 0; i < t->nbucket; i++)
		for (x = t->bucket[i]; x; x = x->next)
			v[n++] = x;
	qsort(v, n, sizeof(*v), count_cmp);
	return v;
}

static void stacks__clear(struct stacks *t)
{
	struct stack *x;
	size_t i;

	for (i = 0; i < t->nbucket; i++)
		while ((x = t->bucket[i])) {
			t->bucket[i] = x->next;
			free(x);
		}
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

/* What stacks__read() adds to a table from the kernel's: the keys of epoch (all, if < 0). */
struct reading {
	struct stacks *t;
	int fd, epoch;
};

static int stacks__read_one(void *ctx, const void *key)
{
	struct reading *r = ctx;
	const struct go_stack_key *k = key;
	uint64_t v;
	int err;

	if ((r->epoch >= 0 && (int)k->epoch != r->epoch) || go_map__lookup(r->fd, key, &v))
		return 0;
	stack_resolve(k, &scratch.s);
	err = stacks__add(r->t, &scratch.s, v);
	return err ? err : r->epoch >= 0;
}

/*
 * Add the kernel's stacks to t: those counted in epoch, taken out of the table (-i, while the
 * probes count into the other epoch), or with epoch < 0 every one, left in it. One key at a
 * time: the table's keys are large (about 1.2 KiB), its stacks a few frames.
 */
static int stacks__read(struct stacks *t, int fd, int epoch)
{
	struct reading r = { t, fd, epoch };

	return go_map__each(fd, sizeof(struct go_stack_key), stacks__read_one, &r);
}

/* ---- output --------------------------------------------------------------------------------- */

/* s's frames, as Go shows them (libgo's go_stack__frames), in frames[]; how many. */
static int stack_frames(const struct stack *s)
{
	return go_stack__frames(as_go_stack(s), session.target.bin, lines, frames,
				sizeof(frames) / sizeof(frames[0]));
}

/* What cut s short, "[truncated at 127 frames]" or "[cut: ...]"; NULL when it is whole. */
static const char *stack_note(const struct stack *s, char *buf, size_t size)
{
	return go_stack__note(as_go_stack(s), buf, size);
}

static void print_label_line(const struct stack *s)
{
	const struct go_labelset *ls = s->labels;

	if (!ls)
		return;
	printf("    labels:");
	if (ls->n) {
		putchar(' ');
		go_labelset__print(stdout, ls, " ");
	}
	if (ls->lost)
		printf(" [lost: the table of label sets was full]");
	else if (ls->cut)
		printf(" [%d more not kept]", ls->cut);
	printf("\n");
}

static void print_text(const struct stack *s)
{
	char buf[64], esc[GO_ESC_LEN];
	int i, n = stack_frames(s);

	for (i = 0; i < n; i++) {
		const struct go_frame *f = &frames[i].f;

		printf("  ");
		if (env.verbose)
			printf("%-16llx ", (unsigned long long)frames[i].pc);
		printf("%s", go_esc(f->func, esc, sizeof(esc)));
		if (env.offset && !f->inlined && f->entry)
			printf("+0x%llx", (unsigned long long)(frames[i].pc - f->entry));
		if (env.offset && f->inlined)
			printf(" (inlined)");
		if (env.lines && f->line)
			printf(" %s:%d", go_esc(f->file, esc, sizeof(esc)), f->line);
		printf("\n");
	}
	if (stack_note(s, buf, sizeof(buf)))
		printf("  %s\n", buf);
	print_label_line(s);
	if (env.per_pid)
		printf("    %s [%u]\n", go_esc(s->comm, esc, sizeof(esc)), s->pid);
	printf("    %llu\n\n", (unsigned long long)s->count);
}

/* A frame of the folded format, escaped (whole: a label may be long), with no ';' (the frame
 * separator). */
static void print_folded_name(const char *name)
{
	char *esc = NULL, *p;
	size_t len = 0;
	FILE *f = open_memstream(&esc, &len);

	if (!f)
		return;
	go_esc_fputs(f, name, false);
	if (fclose(f))
		return;
	for (p = esc; *p; p++)
		putchar(*p == ';' ? ',' : *p);
	free(esc);
}

static void print_folded(const struct stack *s)
{
	const struct go_labelset *ls = s->labels;
	char buf[64];
	int i, n = stack_frames(s);
	bool sep = false;

	if (env.per_pid) {
		print_folded_name(s->comm);
		sep = true;
	}
	for (i = 0; ls && i < ls->n; i++) {
		if (sep)
			putchar(';');
		print_folded_name(ls->kv[2 * i]);
		putchar('=');
		print_folded_name(ls->kv[2 * i + 1]);
		sep = true;
	}
	if (ls && (ls->lost || ls->cut)) {
		if (ls->lost)
			printf("%s[labels lost]", sep ? ";" : "");
		else
			printf("%s[%d more labels not kept]", sep ? ";" : "", ls->cut);
		sep = true;
	}
	if (stack_note(s, buf, sizeof(buf))) {
		printf("%s%s", sep ? ";" : "", buf);
		sep = true;
	}
	for (i = n - 1; i >= 0; i--) {
		if (sep)
			putchar(';');
		print_folded_name(frames[i].f.func);
		if (frames[i].f.inlined)
			printf("_[i]");
		sep = true;
	}
	printf(" %llu\n", (unsigned long long)s->count);
}

/* The printouts so far: -j's "interval" (see JSON OUTPUT in gostack(8)). */
static unsigned long printouts;

static void print_json(const struct stack *s, const char *ts)
{
	const struct go_labelset *ls = s->labels;
	char buf[64];
	int i, n = stack_frames(s);

	go_json_printout(stdout, printouts, ts);
	if (env.per_pid || env.pid) {	/* else the stack's calls are of every process */
		printf("\"pid\": %u, \"comm\": ", s->pid);
		go_json_str(stdout, s->comm);
		printf(", ");
	}
	printf("\"count\": %llu, \"labels\": {", (unsigned long long)s->count);
	go_labelset__json(stdout, ls);
	printf("}, ");
	if (ls && ls->cut)
		printf("\"labels_cut\": %d, ", ls->cut);
	if (ls && ls->lost)
		printf("\"labels_lost\": true, ");
	if (stack_note(s, buf, sizeof(buf))) {
		printf("\"stack_error\": ");
		go_json_str(stdout, buf);
		printf(", ");
	}
	printf("\"frames\": [");
	for (i = 0; i < n; i++) {
		const struct go_frame *f = &frames[i].f;

		printf("%s{\"func\": ", i ? ", " : "");
		go_json_str(stdout, f->func);
		printf(", \"file\": ");
		go_json_str(stdout, f->file);
		printf(", \"line\": %d, \"inlined\": %s, \"addr\": \"0x%llx\"}", f->line,
		       f->inlined ? "true" : "false", (unsigned long long)frames[i].pc);
	}
	printf("]}\n");
}

static void print_stacks(struct stack *const *st, size_t n)
{
	char buf[16];
	const char *ts = env.timestamp ? go_strftime_now(buf, sizeof(buf)) : NULL;
	size_t i;

	printouts++;
	/* as bcc's stackcount: a blank line before each printout, then -T's time */
	if (!env.json && !env.folded) {
		printf("\n");
		if (ts)
			printf("%-8s\n", ts);
	}
	for (i = 0; i < n; i++) {
		if (env.folded)
			print_folded(st[i]);
		else if (env.json)
			print_json(st[i], ts);
		else
			print_text(st[i]);
	}
	fflush(stdout);
}

/*
 * What a printout could not show: calls whose stacks found the table full, stacks truncated or
 * cut short, labels not all kept; said after its stacks.
 */
static void print_losses(uint64_t lost, const struct stacks *t)
{
	struct go_losses *l = &session.losses;

	go_losses__add(l, GO_LOST_STACKS_FULL, lost);
	go_losses__add(l, GO_LOST_FRAMES_DEEP, t->truncated);
	go_losses__add(l, GO_LOST_FRAMES_CUT, t->cut);
	go_losses__add(l, GO_LOST_LABELS_CUT, t->labels_cut);
	go_losses__add(l, GO_LOST_LABELS_FULL, t->labels_lost);
	go_session__losses(&session);
}

/* Print t's stacks, by count, and what they miss. */
static int print_printout(const struct stacks *t, uint64_t lost)
{
	struct stack **st = stacks__sorted(t);

	if (!st)
		return -ENOMEM;
	print_stacks(st, t->n);
	free(st);
	print_losses(lost, t);
	return 0;
}

/*
 * The profile's comments that say whose it is, for the continuous profilers that ship it:
 * service_name=BINARY (its file name, as Pyroscope names a service) and host=HOSTNAME.
 */
static int pprof_comments(struct go_pprof *p)
{
	const char *bin = go_binary__name(session.target.bin), *base = strrchr(bin, '/');
	char text[512], host[256] = "unknown";
	int err;

	snprintf(text, sizeof(text), "service_name=%s", base ? base + 1 : bin);
	err = go_pprof__comment(p, text);
	if (gethostname(host, sizeof(host) - 1))
		strcpy(host, "unknown");
	snprintf(text, sizeof(text), "host=%s", host);
	return err ? err : go_pprof__comment(p, text);
}

static int write_pprof(const char *path, const struct stacks *t)
{
	struct go_pprof *p = go_pprof__new(session.target.bin, lines, "calls", "count", start_ns);
	struct stack **st = stacks__sorted(t);
	const char **labels = NULL;
	char buf[64], note[64];
	size_t i;
	int err = st ? 0 : -ENOMEM, j;

	if (!p) {
		free(st);
		return -ENOMEM;
	}
	if (!err)
		err = pprof_comments(p);
	for (i = 0; i < t->n && !err; i++) {
		const struct go_labelset *ls = st[i]->labels;

		if (ls) {
			const char **l = realloc(labels, (2 * ls->n + 1) * sizeof(*labels));

			if (!l) {
				err = go_fail(ENOMEM, "out of memory");
				break;
			}
			labels = l;
			for (j = 0; j < 2 * ls->n; j++)
				labels[j] = ls->kv[j];
		}
		if (ls && ls->lost)
			snprintf(note, sizeof(note), "lost: the table of label sets was full");
		else if (ls && ls->cut)
			snprintf(note, sizeof(note), "%d more", ls->cut);
		err = go_pprof__add(p, frames, stack_frames(st[i]),
				    stack_note(st[i], buf, sizeof(buf)), (int64_t)st[i]->count,
				    labels, ls ? ls->n : 0, ls && (ls->lost || ls->cut) ? note : NULL);
	}
	if (!err)
		err = go_pprof__write(p, path);
	go_pprof__free(p);
	free(labels);
	free(st);
	return err;
}

/*
 * With a template (%n, %t), the printout's own profile: the calls since the previous one, each
 * interval's profile starting where the previous one ended.
 */
static int write_interval_pprof(const struct stacks *t)
{
	static unsigned long n;
	char path[4096];
	struct timespec ts;
	int err;

	clock_gettime(CLOCK_REALTIME, &ts);
	err = go_pprof__path(env.pprof, ++n, start_ns / 1000000000ull, path, sizeof(path));
	if (!err)
		err = write_pprof(path, t);
	start_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	return err;
}

/* Add every stack of from to to (the totals of a run printed by intervals, for --pprof). */
static int stacks__merge(struct stacks *to, const struct stacks *from)
{
	const struct stack *x;
	size_t i;
	int err = 0;

	for (i = 0; i < from->nbucket && !err; i++)
		for (x = from->bucket[i]; x && !err; x = x->next)
			err = stacks__add(to, x, x->count);
	return err;
}

/*
 * The stacks of the printout that is due, into t, and the calls lost meanwhile. At the end,
 * with the probes detached, every stack in the table; with -i, the ended interval's: the
 * probes count into the other epoch from now on, and once every program that may still count
 * into this one has returned, its stacks and lost calls are taken out of the kernel's maps, so
 * that each interval has the whole table.
 */
static int take_printout(struct go_bpf *bpf, struct go_stack_settings *set, bool last,
			 struct stacks *t, uint64_t *lost)
{
	int fd = go_bpf__map_fd(bpf, "counts"), lostfd = go_bpf__map_fd(bpf, "lost");
	int setfd = go_bpf__map_fd(bpf, "settings"), epoch = -1, e, err = 0;
	uint32_t zero = 0;
	uint64_t n;

	*lost = 0;
	if (last) {
		go_bpf__detach(bpf);
	} else {
		epoch = (int)set->epoch;
		set->epoch ^= 1;
		err = go_map__update(setfd, &zero, set);
	}
	if (!err)
		err = go_bpf__sync();
	if (!err)
		err = stacks__read(t, fd, epoch);
	for (e = 0; e < GO_STACK_EPOCHS && !err; e++) {
		if (epoch >= 0 && e != epoch)
			continue;
		err = go_map__take_percpu(lostfd, (uint32_t)e, &n);
		*lost += n;
	}
	return err;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, args_doc, doc, NULL, NULL, NULL };
	const char *progs[] = { "go_stack", GO_WITHIN_PROGS };
	struct go_bpf_spec spec = { 0 };
	struct go_session *s = &session;
	struct go_target *target = &s->target;
	struct go_stack_settings set = { 0 };
	struct stacks now = { 0 }, total = { 0 };
	bool each;	/* --pprof's FILE is a template: a profile each printout */
	int err, setfd, done = 0, labels_off = -1;
	struct go_labels_layout labels;
	uint32_t zero = 0;
	struct timespec ts;
	char esc[GO_ESC_LEN];

	err = go_parse_args(&argp, argc, argv);
	if (err)
		return err;
	each = env.pprof && go_pprof__is_template(env.pprof);

	s->pid = env.pid;
	s->json = env.json;
	s->data_only = env.folded;	/* the banner and closing lines to stderr with -f and -j */
	err = go_session__open(s, env.pattern, env.regex);
	if (err)
		goto cleanup;
	if (go_binary__toolchain(target->bin) == GO_GCCGO) {
		err = go_fail(ENOTSUP, "'%s' is a gccgo binary: its code keeps no frame pointers and "
			      "no Go line table, so its stacks cannot be walked; use a gc build",
			      go_binary__name(target->bin));
		goto cleanup;
	}
	lines = go_lines__open(target->bin);
	err = lines ? go_session__plan(s, GO_PLAN_ENTRY | GO_PLAN_INLINE |
				      (go_bpf__want_multi() ? GO_PLAN_CALL_SITES : 0)) : -errno;
	probes = &s->plan.entry;
	if (!err)
		err = go_target__entry_frames(target, lines, &entry_frames);
	if (!err && !(inl_sites = go_target__planned_inlined(target, &ninl_sites)))
		err = go_fail(ENOMEM, "out of memory");
	if (err)
		goto cleanup;
	if (env.verbose) {
		go_target__list(target, s->info);
		go_target__list_inlined(target, s->info);
	}

	labels_off = go_binary__labels_layout(target->bin, &labels) ? -1 : labels.off;
	if (env.verbose && labels_off >= 0)
		fprintf(s->info, "pprof labels: read from runtime.g+%d (%s)\n", labels_off,
			labels.map ? "a map" : "a slice of pairs");
	else if (env.verbose)
		fprintf(s->info, "pprof labels: unavailable: %s\n",
			go_esc(libgo_errmsg(), esc, sizeof(esc)));
	err = go_env_size("GOTOOLS_MAX_STACKS", MAX_STACKS, 1 << 24, &max_stacks);
	if (err)
		goto cleanup;
	go_losses__limit(&s->losses, GO_LOST_STACKS_FULL, max_stacks);
	go_losses__limit(&s->losses, GO_LOST_LABELS_FULL, MAX_LABELSETS);
	spec.src = go_bpf_src_stackcount;
	go_bpf_spec__size(&spec, "counts", (uint32_t)max_stacks);
	if (labels_off >= 0)	/* read where go_binfo's labels_off says */
		go_bpf_spec__size(&spec, "labelsets", MAX_LABELSETS);
	spec.progs = progs;
	spec.nprogs = 3;
	spec.multi = go_bpf__want_multi();
	if (env.pprof && !go_pprof__writable(env.pprof)) {
		err = -EACCES;
		goto cleanup;
	}

	err = go_session__load(s, &spec, env.debug);
	if (err)
		goto cleanup;
	setfd = go_bpf__map_fd(s->bpf, "settings");
	labelsets = go_labelsets__new(labels_off >= 0 ? go_bpf__map_fd(s->bpf, "labelsets") : -1);
	if (setfd < 0 || go_bpf__map_fd(s->bpf, "counts") < 0 || !labelsets ||
	    go_bpf__map_fd(s->bpf, "lost") < 0 ||
	    (labels_off >= 0 && go_bpf__map_fd(s->bpf, "labelsets") < 0) ||
	    go_target__set_unwind(target, lines, entry_frames, s->bpf)) {
		err = -ENOENT;
		goto cleanup;
	}
	/*
	 * Stacks are keyed by process only when it is asked for (or a PIE binary's addresses
	 * differ by process): else one stack of many processes is one entry of the table.
	 */
	set.flags = env.per_pid || env.pid ? GO_STACK_PID | GO_STACK_COMM : 0;
	if (go_binary__is_pie(target->bin))
		set.flags |= GO_STACK_PID;
	err = go_map__update(setfd, &zero, &set);
	if (err) {
		err = go_fail(-err, "cannot set up the probes: %s", strerror(-err));
		goto cleanup;
	}
	if (env.cpu >= 0) {
		struct go_filter filter = { .tgid = (uint32_t)env.pid, .cpu = (uint32_t)env.cpu,
					    .flags = GO_FILTER_CPU };

		err = go_bpf__set_filter(s->bpf, &filter, NULL);
	}
	if (!err)
		err = go_target__set_binfo(target, s->bpf);
	if (err)
		goto cleanup;
	if (env.pid)
		pid_bias(env.pid, 0, NULL, 0);
	err = go_session__attach(s, "go_stack", target, &s->plan.entry);
	if (err)
		goto cleanup;
	go_print_banner(s->info, target->cnt, "functions", env.pattern);
	go_target__say_inlined(target, true, NULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	start_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;

	while (!done) {
		uint64_t lost;

		done = go_session__wait(s, env.interval, env.duration);
		err = take_printout(s->bpf, &set, done, &now, &lost);
		if (err) {
			err = go_fail(-err, "cannot read the stacks: %s", strerror(-err));
			goto cleanup;
		}
		err = print_printout(&now, lost);
		if (!err && env.pprof && env.interval && !each)
			err = stacks__merge(&total, &now);
		if (err) {
			err = go_fail(ENOMEM, "out of memory");
			goto cleanup;
		}
		err = each ? write_interval_pprof(&now) : 0;
		if (err)
			goto cleanup;
		if (!done)
			stacks__clear(&now);
	}
	/* every call since the start */
	err = env.pprof && !each ? write_pprof(env.pprof, env.interval ? &total : &now) : 0;
	if (err)
		goto cleanup;
	go_session__end(s);

cleanup:
	stacks__clear(&now);
	stacks__clear(&total);
	free(entry_frames);
	free(inl_sites);
	go_labelsets__free(labelsets);
	go_lines__close(lines);
	return go_session__close(s, err);
}
