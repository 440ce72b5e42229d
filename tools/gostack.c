// SPDX-License-Identifier: Apache-2.0
/*
 * gostack: count the stacks that lead to Go functions, as bcc's stackcount does, for Go
 * binaries: every frame named from the Go function table (stripped and PIE binaries too), the
 * immediate caller that a frame-pointer walk misses at a function's entry restored, and calls
 * inlined at each pc shown as frames of their own, with their file:line.
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
#include <time.h>
#include <unistd.h>

#include "bpf/stackcount.h"
#include "gobpf.h"
#include "libgo.h"
#include "tool.h"

#define MAX_FRAMES 127		/* the kernel's walk: perf_event_max_stack's default */
#define MAX_STACKS 10240	/* distinct stacks (per process) the kernel keeps, by default */
#define MAX_LABELS 4
#define LABEL_LEN 32
#define MAX_PCS (MAX_FRAMES + 2)
#define MAX_INLINE 16

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
	const char *pprof;
	const char *pattern;
} env;

static volatile sig_atomic_t exiting;

const char *argp_program_version = "gostack 0.1";
static const char args_doc[] = "PATTERN";
static const char doc[] =
"Count Go function calls and their stack traces.\n"
"\n"
"USAGE: gostack [-h] [-p PID] [-i INTERVAL] [-D DURATION] [-T] [-r] [-s] [-P]\n"
"               [-v] [-f] [-l] [-j] [--pprof FILE] [--debug] PATTERN\n"
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
"    gostack -P -i 5 ./server:'net/http.(*conn).serve' # per process, every 5 s\n";

static const struct argp_option opts[] = {
	GO_COMMON_OPTIONS,
	{ "interval", 'i', "INTERVAL", 0, "summary interval, seconds", 0 },
	{ "duration", 'D', "DURATION", 0, "total duration of trace, seconds", 0 },
	{ "timestamp", 'T', NULL, 0, "include timestamp on output", 0 },
	{ "regexp", 'r', NULL, 0, "use regular expressions; default is \"*\" wildcards only", 0 },
	{ "offset", 's', NULL, 0, "show address offsets", 0 },
	{ "perpid", 'P', NULL, 0, "display stacks separately for each process", 0 },
	{ "verbose", 'v', NULL, 0, "show raw addresses", 0 },
	{ "folded", 'f', NULL, 0, "output folded format, one line per stack", 0 },
	{ "lines", 'l', NULL, 0, "show each frame's file:line", 0 },
	{ "json", 'j', NULL, 0, "print stacks as JSON lines", 0 },
	{ "pprof", OPT_PPROF, "FILE", 0, "write a gzipped pprof profile to FILE at the end", 0 },
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

/* ---- the kernel's records ------------------------------------------------------------------ */

/* struct go_stack_key of stackcount.bpf.c: the head, the labels when compiled in, the frames. */
#define KEY_LABELS (8 + MAX_LABELS * 2 * LABEL_LEN)

static size_t key_size, frames_off;
static bool with_labels;

/* ---- stacks --------------------------------------------------------------------------------- */

enum stack_status { STACK_OK, STACK_TRUNCATED, STACK_FAILED };

/*
 * A stack as printed: resolved from a key, one for each distinct stack (and process, with -P),
 * sized to its frames; with -i, those of one interval.
 */
struct stack {
	struct stack *next;	/* in its bucket of the table */
	uint64_t count;
	uint32_t pid;		/* with -P or -p, else 0 */
	char comm[16];
	enum stack_status status;
	int err;
	int nlabels;
	char (*labels)[2][LABEL_LEN];	/* nlabels of them */
	int npc;
	uint64_t pc[];		/* link-time; pc[0] is the traced function's entry, the rest
				 * return addresses */
};

/* The stacks of a printout, by their frames (and process, with -P). */
struct stacks {
	struct stack **bucket;
	size_t nbucket, n;
	uint64_t truncated, failed;	/* calls whose stacks were cut or not walked */
};

/* A key's stack as resolved, before it is added to a table: every frame the walk may give. */
static union {
	struct stack s;
	char bytes[sizeof(struct stack) + MAX_PCS * sizeof(uint64_t)];
} scratch;
static char scratch_labels[MAX_LABELS][2][LABEL_LEN];

static struct go_target target;
static struct go_lines *lines;
static bool *kernel_adds;	/* per function: does the kernel's walk add *SP at its entry? */
static bool *framed;		/* per function: is RBP its own frame's at its entry site? */
static uint32_t *ra_offs;	/* per function: the return address's offset from SP there */
static uint64_t start_ns;	/* CLOCK_REALTIME when the probes went live */
static const struct go_probes *probes;	/* the plan's: where the stacks are taken */
static int walk_limit = MAX_FRAMES;	/* frames the kernel's walk records at most */
static long max_stacks = MAX_STACKS;

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int plan_callers(void)
{
	size_t i, n = target.cnt ? target.cnt : 1;

	kernel_adds = calloc(n, sizeof(*kernel_adds));
	framed = calloc(n, sizeof(*framed));
	ra_offs = calloc(n, sizeof(*ra_offs));
	if (!kernel_adds || !framed || !ra_offs)
		return go_fail(ENOMEM, "out of memory");
	for (i = 0; i < target.cnt; i++) {
		const struct go_func *fn = go_target__func(&target, i);
		uint64_t site;
		int off = 0, err;

		if (target.calls && target.calls[i].usable)
			continue;	/* probed where it is called */
		err = go_binary__entry_site(target.bin, fn, &site, NULL);
		if (err)
			continue;
		/* without an SP delta there (a corrupt table), take the return address at SP */
		if (go_binary__entry_frame(target.bin, lines, fn, site, &off, &framed[i]))
			off = 0;
		ra_offs[i] = off;
		kernel_adds[i] = !framed[i] && go_binary__walk_adds_sp(target.bin, site);
	}
	return 0;
}

/*
 * Where a process loaded a PIE binary (libgo remembers it per process): from /proc, or for a
 * process that has exited (-p ends with it, and without -p a short-lived one ends before the
 * output), from the stack itself, fr as the kernel's walk recorded it, and the site it was
 * taken at.
 */
static int64_t pid_bias(uint32_t pid, uint32_t func, const uint64_t *fr, int nfr)
{
	int64_t bias = 0;

	if (go_binary__load_bias(target.bin, pid, &bias) &&
	    (!fr || go_probes__bias_from_stack(probes, target.bin, pid, func, fr, nfr, &bias)))
		return 0;
	return bias;
}

/* A Go function's code holds pc (link-time)? */
static bool in_go(uint64_t pc)
{
	return go_binary__func_at(target.bin, pc) != NULL;
}

static void stack_push(struct stack *s, uint64_t pc)
{
	if (s->npc < MAX_PCS)
		s->pc[s->npc++] = pc;
}

/*
 * The whole stack of a record: the traced function; its caller, where the walk does not have
 * it; then the walk's return addresses, up to the frame where goroutines start.
 */
static void stack_resolve(const uint8_t *key, struct stack *s)
{
	struct go_stack_head h;
	int64_t bias = 0;
	const struct go_func *fn;
	uint64_t ra, bp_ra, ip, fr[MAX_FRAMES];
	uint32_t func;
	int nfr, i;

	memcpy(&h, key, sizeof(h));
	memset(s, 0, sizeof(*s));
	s->pid = h.pid;
	func = h.func;
	ra = h.ra;
	bp_ra = h.bp_ra;
	memcpy(s->comm, h.comm, sizeof(s->comm));
	s->comm[sizeof(s->comm) - 1] = 0;
	s->labels = scratch_labels;
	if (with_labels) {
		uint32_t n;

		memcpy(&n, key + sizeof(h), 4);
		s->nlabels = n > MAX_LABELS ? MAX_LABELS : (int)n;
		memcpy(scratch_labels, key + sizeof(h) + 8, sizeof(scratch_labels));
	}
	if (func >= target.cnt)
		func = 0;
	fn = go_target__func(&target, func);
	stack_push(s, fn->entry);
	if (h.nbytes < 0) {
		s->status = STACK_FAILED;
		s->err = -h.nbytes;
		return;
	}
	nfr = h.nbytes / 8;
	if (nfr > MAX_FRAMES)
		nfr = MAX_FRAMES;
	for (i = 0; i < nfr; i++)
		fr[i] = rd64(key + frames_off + i * 8);
	bias = pid_bias(s->pid, func, fr, nfr);
	for (i = 0; i < nfr; i++)
		fr[i] -= bias;
	ra -= bias;
	bp_ra -= bias;
	if (nfr < 1) {
		s->status = STACK_FAILED;
		s->err = ENODATA;
		return;
	}
	ip = fr[0];
	switch (go_binary__probe_kind(target.bin, fn, ip)) {
	case GO_PROBE_ENTRY: {
		/* an entry site: the return address is at ra_offs[func] above SP */
		bool added = kernel_adds[func];

		if (framed[func])
			break;	/* RBP is the function's own: the walk has the caller */
		if (nfr > 1 && ra != bp_ra)
			added = fr[1] == ra;
		if (!added)
			stack_push(s, ra);
		break;
	}
	case GO_PROBE_CALL:	/* the caller is the walk's first frame, returning past the CALL */
		stack_push(s, ip + 5);
		break;
	case GO_PROBE_JMP:	/* a tail call: the jumper's frame is gone, its caller's RA is *SP */
		stack_push(s, ra);
		break;
	}
	/* on from the caller, up to the first frame of the goroutine, or out of Go code */
	for (i = 1; i <= nfr; i++) {
		uint64_t pc = s->pc[s->npc - 1] - (s->npc > 1);

		if (!in_go(pc)) {
			s->npc--;	/* into C code (cgo), which keeps no frame pointers */
			return;
		}
		if (go_lines__top_frame(lines, pc))
			return;
		if (i == nfr)
			break;
		stack_push(s, fr[i]);
	}
	if (nfr >= walk_limit)
		s->status = STACK_TRUNCATED;
}

static int stack_cmp(const void *a, const void *b)
{
	const struct stack *x = a, *y = b;
	int i;

	if (env.per_pid && x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->status != y->status)
		return x->status < y->status ? -1 : 1;
	if (x->npc != y->npc)
		return x->npc < y->npc ? -1 : 1;
	for (i = 0; i < x->npc; i++)
		if (x->pc[i] != y->pc[i])
			return x->pc[i] < y->pc[i] ? -1 : 1;
	if (x->nlabels != y->nlabels)
		return x->nlabels < y->nlabels ? -1 : 1;
	return x->nlabels ? memcmp(x->labels, y->labels, x->nlabels * sizeof(x->labels[0])) : 0;
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
	HASH(&s->status, sizeof(s->status));
	HASH(s->pc, s->npc * sizeof(s->pc[0]));
	HASH(s->labels, s->nlabels * sizeof(s->labels[0]));
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
	if (s->status == STACK_TRUNCATED)
		t->truncated += count;
	if (s->status == STACK_FAILED)
		t->failed += count;
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
	x->labels = NULL;
	if (s->nlabels) {
		x->labels = malloc(s->nlabels * sizeof(s->labels[0]));
		if (!x->labels) {
			free(x);
			return -ENOMEM;
		}
		memcpy(x->labels, s->labels, s->nlabels * sizeof(s->labels[0]));
	}
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
			free(x->labels);
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
	struct go_stack_head h;
	uint64_t v;
	int err;

	memcpy(&h, key, sizeof(h));
	if ((r->epoch >= 0 && (int)h.epoch != r->epoch) || go_map__lookup(r->fd, key, &v))
		return 0;
	stack_resolve(key, &scratch.s);
	err = stacks__add(r->t, &scratch.s, v);
	return err ? err : r->epoch >= 0;
}

/*
 * Add the kernel's stacks to t: those counted in epoch, taken out of the table (-i, while the
 * probes count into the other epoch), or with epoch < 0 every one, left in it. One key at a
 * time: the table's keys are large (about 1 KiB), its stacks a few frames.
 */
static int stacks__read(struct stacks *t, int fd, int epoch)
{
	struct reading r = { t, fd, epoch };

	return go_map__each(fd, key_size, stacks__read_one, &r);
}

/* ---- output --------------------------------------------------------------------------------- */

/* The frames of one pc, inlined calls first; a name alone when the line table has nothing. */
static int pc_frames(uint64_t pc, bool ret, struct go_frame *fr, int max)
{
	int n = go_lines__frames(lines, pc, ret, fr, max);

	if (n <= 0) {
		const struct go_func *fn = go_binary__func_at(target.bin, ret ? pc - 1 : pc);

		fr[0].func = fn ? fn->name : "[unknown]";
		fr[0].file = "";
		fr[0].line = 0;
		fr[0].start_line = 0;
		fr[0].inlined = false;
		fr[0].entry = fn ? fn->entry : 0;
		n = 1;
	}
	return n;
}

static const char *status_frame(const struct stack *s, char *buf, size_t size)
{
	if (s->status == STACK_TRUNCATED)
		snprintf(buf, size, "[truncated at %d frames]", walk_limit);
	else if (s->status == STACK_FAILED)
		snprintf(buf, size, "[stack unavailable: %s]", strerror(s->err));
	else
		return NULL;
	return buf;
}

static void print_label_line(const struct stack *s)
{
	char k[GO_ESC_LEN], v[GO_ESC_LEN];
	int i;

	if (!s->nlabels)
		return;
	printf("    labels:");
	for (i = 0; i < s->nlabels; i++)
		printf(" %s=%s", go_esc(s->labels[i][0], k, sizeof(k)),
		       go_esc(s->labels[i][1], v, sizeof(v)));
	printf("\n");
}

static void print_text(const struct stack *s)
{
	struct go_frame fr[MAX_INLINE];
	char buf[64], esc[GO_ESC_LEN];
	int i, j, n;

	for (i = 0; i < s->npc; i++) {
		n = pc_frames(s->pc[i], i > 0, fr, MAX_INLINE);
		for (j = 0; j < n; j++) {
			printf("  ");
			if (env.verbose)
				printf("%-16llx ", (unsigned long long)s->pc[i]);
			printf("%s", go_esc(fr[j].func, esc, sizeof(esc)));
			if (env.offset && !fr[j].inlined && fr[j].entry)
				printf("+0x%llx", (unsigned long long)(s->pc[i] - fr[j].entry));
			if (env.offset && fr[j].inlined)
				printf(" (inlined)");
			if (env.lines && fr[j].line)
				printf(" %s:%d", go_esc(fr[j].file, esc, sizeof(esc)), fr[j].line);
			printf("\n");
		}
	}
	if (status_frame(s, buf, sizeof(buf)))
		printf("  %s\n", buf);
	print_label_line(s);
	if (env.per_pid)
		printf("    %s [%u]\n", go_esc(s->comm, esc, sizeof(esc)), s->pid);
	printf("    %llu\n\n", (unsigned long long)s->count);
}

/* A name for the folded format, escaped, with no ';' (the frame separator). */
static void print_folded_name(const char *name)
{
	char esc[GO_ESC_LEN];

	for (name = go_esc(name, esc, sizeof(esc)); *name; name++)
		putchar(*name == ';' ? ',' : *name);
}

static void print_folded(const struct stack *s)
{
	struct go_frame fr[MAX_INLINE];
	char buf[64];
	int i, j, n;
	bool sep = false;

	if (env.per_pid) {
		print_folded_name(s->comm);
		sep = true;
	}
	for (i = 0; i < s->nlabels; i++) {
		if (sep)
			putchar(';');
		print_folded_name(s->labels[i][0]);
		putchar('=');
		print_folded_name(s->labels[i][1]);
		sep = true;
	}
	if (status_frame(s, buf, sizeof(buf))) {
		printf("%s%s", sep ? ";" : "", buf);
		sep = true;
	}
	for (i = s->npc - 1; i >= 0; i--) {
		n = pc_frames(s->pc[i], i > 0, fr, MAX_INLINE);
		for (j = n - 1; j >= 0; j--) {
			if (sep)
				putchar(';');
			print_folded_name(fr[j].func);
			if (fr[j].inlined)
				printf("_[i]");
			sep = true;
		}
	}
	printf(" %llu\n", (unsigned long long)s->count);
}

static void print_json(const struct stack *s, const char *ts)
{
	struct go_frame fr[MAX_INLINE];
	char buf[64];
	int i, j, n;
	bool first = true;

	printf("{");
	if (ts)
		printf("\"time\": \"%s\", ", ts);
	if (env.per_pid || env.pid) {	/* else the stack's calls are of every process */
		printf("\"pid\": %u, \"comm\": ", s->pid);
		go_json_str(stdout, s->comm);
		printf(", ");
	}
	printf("\"count\": %llu, \"labels\": {", (unsigned long long)s->count);
	for (i = 0; i < s->nlabels; i++) {
		printf("%s", i ? ", " : "");
		go_json_str(stdout, s->labels[i][0]);
		printf(": ");
		go_json_str(stdout, s->labels[i][1]);
	}
	printf("}, ");
	if (status_frame(s, buf, sizeof(buf))) {
		printf("\"error\": ");
		go_json_str(stdout, buf);
		printf(", ");
	}
	printf("\"frames\": [");
	for (i = 0; i < s->npc; i++) {
		n = pc_frames(s->pc[i], i > 0, fr, MAX_INLINE);
		for (j = 0; j < n; j++) {
			printf("%s{\"func\": ", first ? "" : ", ");
			go_json_str(stdout, fr[j].func);
			printf(", \"file\": ");
			go_json_str(stdout, fr[j].file);
			printf(", \"line\": %d, \"inlined\": %s, \"addr\": \"0x%llx\"}", fr[j].line,
			       fr[j].inlined ? "true" : "false", (unsigned long long)s->pc[i]);
			first = false;
		}
	}
	printf("]}\n");
}

static void print_stacks(struct stack *const *st, size_t n)
{
	char ts[16];
	size_t i;

	if (env.timestamp && !env.json && !env.folded)
		printf("%-8s\n", go_strftime_now(ts, sizeof(ts)));
	for (i = 0; i < n; i++) {
		if (env.folded)
			print_folded(st[i]);
		else if (env.json)
			print_json(st[i], env.timestamp ? go_strftime_now(ts, sizeof(ts)) : NULL);
		else
			print_text(st[i]);
	}
	fflush(stdout);
}

/*
 * What a printout could not show: calls whose stacks found the table full, stacks cut short,
 * walks that failed; in words on stderr and, with -j, as {"lost": ...} lines after its stacks.
 */
static void print_losses(uint64_t lost, const struct stacks *t)
{
	if (lost)
		fprintf(stderr, "WARNING: %llu calls were not counted: the table of %ld stacks was "
			"full\n", (unsigned long long)lost, max_stacks);
	if (t->truncated)
		fprintf(stderr, "WARNING: %llu calls had stacks deeper than %d frames, shown "
			"truncated\n", (unsigned long long)t->truncated, walk_limit);
	if (t->failed)
		fprintf(stderr, "WARNING: %llu calls had no user stack (the walk failed)\n",
			(unsigned long long)t->failed);
	fflush(stderr);
	if (env.json) {
		go_json_lost(stdout, lost, "calls: the table of stacks was full");
		go_json_lost(stdout, t->truncated, "frames: stacks deeper than the walk, truncated");
		go_json_lost(stdout, t->failed, "stacks: the walk failed");
	}
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

static int write_pprof(const char *path, const struct stacks *t)
{
	struct go_pprof *p = go_pprof__new(target.bin, lines, "calls", "count", start_ns);
	struct stack **st = stacks__sorted(t);
	const char *labels[2 * MAX_LABELS];
	size_t i;
	int err = st ? 0 : -ENOMEM, j;

	if (!p) {
		free(st);
		return -ENOMEM;
	}
	for (i = 0; i < t->n && !err; i++) {
		for (j = 0; j < st[i]->nlabels; j++) {
			labels[2 * j] = st[i]->labels[j][0];
			labels[2 * j + 1] = st[i]->labels[j][1];
		}
		err = go_pprof__add(p, st[i]->pc, st[i]->npc, (int64_t)st[i]->count, labels,
				    st[i]->nlabels);
	}
	if (!err)
		err = go_pprof__write(p, path);
	go_pprof__free(p);
	free(st);
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

/* The banner and the closing lines go to stderr with -f and -j, so that stdout is data only. */
static FILE *info_out(void)
{
	return go_info_out(env.folded || env.json);
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, args_doc, doc, NULL, NULL, NULL };
	const char *progs[] = { "go_stack" };
	struct go_bpf_defines defs = { 0 };
	struct go_bpf_spec spec = { 0 };
	struct go_plan plan = { 0 };
	struct go_stack_settings set = { 0 };
	struct stacks now = { 0 }, total = { 0 };
	struct go_bpf *bpf = NULL;
	int err, offfd, setfd, pidfd = -1, done = 0, labels_off = -1;
	uint32_t i, zero = 0;
	long elapsed = 0;
	struct timespec ts;
	char esc[GO_ESC_LEN];

	err = go_parse_args(&argp, argc, argv);
	if (err)
		return err;

	if (env.pid) {
		pidfd = go_pid_watch(env.pid);
		if (pidfd < 0) {
			warn("%s\n", libgo_errmsg());
			return 1;
		}
	}
	err = go_target__open(&target, env.pattern, env.pid, env.regex);
	if (err) {
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	if (go_binary__toolchain(target.bin) == GO_GCCGO) {
		err = -ENOTSUP;
		warn("'%s' is a gccgo binary: its code keeps no frame pointers and no Go line "
		     "table, so its stacks cannot be walked; use a gc build\n",
		     go_binary__name(target.bin));
		goto cleanup;
	}
	if (!target.cnt) {
		printf("0 functions matched by \"%s\". Exiting.\n", env.pattern);
		err = -ENOENT;
		goto cleanup;
	}
	lines = go_lines__open(target.bin);
	if (!lines) {
		err = -errno;
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	err = go_target__plan(&target, GO_PLAN_ENTRY | (go_bpf__want_multi() ? GO_PLAN_CALL_SITES : 0),
			      &plan);
	probes = &plan.entry;
	if (!err)
		err = plan_callers();
	if (err) {
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	if (env.verbose)
		go_target__list(&target, info_out());

	/* the kernel's walk stops at kernel.perf_event_max_stack frames */
	{
		FILE *f = fopen("/proc/sys/kernel/perf_event_max_stack", "r");
		int max;

		if (f && fscanf(f, "%d", &max) == 1 && max > 0 && max < MAX_FRAMES)
			walk_limit = max;
		if (f)
			fclose(f);
	}
	labels_off = go_binary__labels_offset(target.bin);
	with_labels = labels_off >= 0;
	if (env.verbose && with_labels)
		fprintf(info_out(), "pprof labels: read from runtime.g+%d\n", labels_off);
	else if (env.verbose)
		fprintf(info_out(), "pprof labels: unavailable for %s (read from Go 1.24 on, which "
			"keeps them in a slice)\n",
			go_esc(go_binary__version(target.bin), esc, sizeof(esc)));
	frames_off = sizeof(struct go_stack_head) + (with_labels ? KEY_LABELS : 0);
	key_size = frames_off + MAX_FRAMES * 8;
	go_bpf_defines__add(&defs, "NFUNCS=%zu", go_target__slots(&target));
	go_bpf_defines__add(&defs, "MAX_FRAMES=%d", MAX_FRAMES);
	if (getenv("GOSTACK_MAX_STACKS") &&
	    go_parse_long(getenv("GOSTACK_MAX_STACKS"), 1, 1 << 24, "GOSTACK_MAX_STACKS",
			  &max_stacks)) {
		err = -EINVAL;
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	go_bpf_defines__add(&defs, "MAX_STACKS=%ld", max_stacks);
	if (with_labels) {
		go_bpf_defines__add(&defs, "LABELS_OFFSET=%d", labels_off);
		go_bpf_defines__add(&defs, "MAX_LABELS=%d", MAX_LABELS);
		go_bpf_defines__add(&defs, "LABEL_LEN=%d", LABEL_LEN);
	}
	spec.src = go_bpf_src_stackcount;
	err = go_bpf_spec__set_defines(&spec, &defs);
	if (err) {
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	spec.progs = progs;
	spec.nprogs = 1;
	spec.multi = go_bpf__want_multi();
	if (env.debug)
		go_bpf_spec__print(&spec, info_out());
	if (env.pprof && !go_pprof__writable(env.pprof)) {
		err = -EACCES;
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}

	bpf = go_bpf__load(&spec);
	if (!bpf) {
		err = -errno;
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	offfd = go_bpf__map_fd(bpf, "ra_offs");
	setfd = go_bpf__map_fd(bpf, "settings");
	if (offfd < 0 || setfd < 0 || go_bpf__map_fd(bpf, "counts") < 0 ||
	    go_bpf__map_fd(bpf, "lost") < 0) {
		err = -ENOENT;
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	for (i = 0; i < target.cnt && !err; i++)
		err = ra_offs[i] ? go_map__update(offfd, &i, &ra_offs[i]) : 0;
	/*
	 * Stacks are keyed by process only when it is asked for (or a PIE binary's addresses
	 * differ by process): else one stack of many processes is one entry of the table.
	 */
	set.flags = env.per_pid || env.pid ? GO_STACK_PID | GO_STACK_COMM : 0;
	if (go_binary__is_pie(target.bin))
		set.flags |= GO_STACK_PID;
	if (!err)
		err = go_map__update(setfd, &zero, &set);
	if (err) {
		warn("cannot set up the probes: %s\n", strerror(-err));
		goto cleanup;
	}
	go_catch_signals(&exiting);
	if (env.pid)
		pid_bias(env.pid, 0, NULL, 0);
	err = go_bpf__attach(bpf, "go_stack", go_binary__path(target.bin), plan.entry.offs,
			     plan.entry.cookies, plan.entry.cnt, env.pid);
	if (err) {
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	go_print_banner(info_out(), target.cnt, "functions", env.pattern);
	clock_gettime(CLOCK_REALTIME, &ts);
	start_ns = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;

	while (!done) {
		uint64_t lost;

		done = go_wait_interval(pidfd, env.interval, env.duration, &elapsed, &exiting);
		err = take_printout(bpf, &set, done, &now, &lost);
		if (err) {
			warn("cannot read the stacks: %s\n", strerror(-err));
			goto cleanup;
		}
		err = print_printout(&now, lost);
		if (!err && env.pprof && env.interval)
			err = stacks__merge(&total, &now);
		if (err) {
			warn("out of memory\n");
			goto cleanup;
		}
		if (!done)
			stacks__clear(&now);
	}
	if (env.pprof) {	/* every call since the start */
		err = write_pprof(env.pprof, env.interval ? &total : &now);
		if (err) {
			warn("%s\n", libgo_errmsg());
			goto cleanup;
		}
	}
	fprintf(info_out(), "Detaching...\n");
	fflush(info_out());
	err = 0;

cleanup:
	stacks__clear(&now);
	stacks__clear(&total);
	go_bpf__close(bpf);
	if (pidfd >= 0)
		close(pidfd);
	free(kernel_adds);
	free(framed);
	free(ra_offs);
	go_plan__free(&plan);
	go_lines__close(lines);
	go_target__close(&target);
	return err != 0;
}
