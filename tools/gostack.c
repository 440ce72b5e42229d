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

/* struct go_stack_key of stackcount.bpf.c: a header, the labels when compiled in, the frames. */
#define KEY_HDR 48
#define KEY_LABELS (8 + MAX_LABELS * 2 * LABEL_LEN)

static size_t key_size, frames_off;
static bool with_labels;

struct raw {
	uint8_t *key;
	uint64_t count;
};

struct snapshot {
	struct raw *r;
	size_t n;
};

static int raw_cmp(const void *a, const void *b)
{
	return memcmp(((const struct raw *)a)->key, ((const struct raw *)b)->key, key_size);
}

static void snapshot_free(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->r[i].key);
	free(s->r);
	s->r = NULL;
	s->n = 0;
}

static int snapshot_read(int fd, struct snapshot *s)
{
	uint8_t *prev = NULL, *next = malloc(key_size);
	size_t cap = 0;
	int err;

	s->r = NULL;
	s->n = 0;
	if (!next)
		return -ENOMEM;
	while (!(err = go_map__next_key(fd, prev, next))) {
		uint64_t v;

		free(prev);
		prev = next;
		next = malloc(key_size);
		if (!next)
			return -ENOMEM;
		if (go_map__lookup(fd, prev, &v))
			continue;
		if (s->n == cap) {
			struct raw *r = realloc(s->r, (cap = cap ? cap * 2 : 256) * sizeof(*r));

			if (!r)
				return -ENOMEM;
			s->r = r;
		}
		s->r[s->n].key = malloc(key_size);
		if (!s->r[s->n].key)
			return -ENOMEM;
		memcpy(s->r[s->n].key, prev, key_size);
		s->r[s->n++].count = v;
	}
	free(prev);
	free(next);
	if (err != -ENOENT)
		return err;
	if (s->n)	/* no stack yet: s->r is NULL, which qsort must not be given */
		qsort(s->r, s->n, sizeof(*s->r), raw_cmp);
	return 0;
}

/* ---- stacks --------------------------------------------------------------------------------- */

enum stack_status { STACK_OK, STACK_TRUNCATED, STACK_FAILED };

struct stack {
	uint32_t pid;
	char comm[16];
	int nlabels;
	char labels[MAX_LABELS][2][LABEL_LEN];
	int npc;
	uint64_t pc[MAX_PCS];	/* link-time; pc[0] is the traced function's entry, the rest
				 * return addresses */
	enum stack_status status;
	int err;
	uint64_t count;
};

static struct go_target target;
static struct go_lines *lines;
static bool *kernel_adds;	/* per function: does the kernel's walk add *SP at its entry? */
static bool *framed;		/* per function: is RBP its own frame's at its entry site? */
static uint32_t *ra_offs;	/* per function: the return address's offset from SP there */
static uint64_t truncated_calls, failed_calls;
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
		err = go_binary__entry_site(target.bin, fn, &site);
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
	uint32_t func;
	int64_t nbytes, bias = 0;
	const struct go_func *fn;
	uint64_t ra, bp_ra, ip, fr[MAX_FRAMES];
	int nfr, i;

	memset(s, 0, sizeof(*s));
	memcpy(&s->pid, key, 4);
	memcpy(&func, key + 4, 4);
	ra = rd64(key + 8);
	bp_ra = rd64(key + 16);
	memcpy(&nbytes, key + 24, 8);
	memcpy(s->comm, key + 32, 16);
	if (with_labels) {
		uint32_t n;

		memcpy(&n, key + KEY_HDR, 4);
		s->nlabels = n > MAX_LABELS ? MAX_LABELS : (int)n;
		memcpy(s->labels, key + KEY_HDR + 8, sizeof(s->labels));
	}
	if (func >= target.cnt)
		func = 0;
	fn = go_target__func(&target, func);
	stack_push(s, fn->entry);
	if (nbytes < 0) {
		s->status = STACK_FAILED;
		s->err = (int)-nbytes;
		return;
	}
	nfr = (int)(nbytes / 8);
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
	return memcmp(x->labels, y->labels, sizeof(x->labels));
}

static int count_cmp(const void *a, const void *b)
{
	const struct stack *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return stack_cmp(a, b);
}

/* The stacks of the calls counted since prev (all of them when prev is empty), merged. */
static struct stack *stacks_since(const struct snapshot *now, const struct snapshot *prev,
				  size_t *cnt)
{
	struct stack *st = calloc(now->n ? now->n : 1, sizeof(*st));
	size_t i, n = 0, m;

	if (!st)
		return NULL;
	for (i = 0; i < now->n; i++) {
		struct raw *old = prev->n ? bsearch(&now->r[i], prev->r, prev->n, sizeof(*prev->r),
						    raw_cmp) : NULL;
		uint64_t c = now->r[i].count - (old ? old->count : 0);

		if (!c)
			continue;
		stack_resolve(now->r[i].key, &st[n]);
		st[n++].count = c;
	}
	qsort(st, n, sizeof(*st), stack_cmp);
	for (i = 0, m = 0; i < n; i++) {
		if (m && !stack_cmp(&st[m - 1], &st[i]))
			st[m - 1].count += st[i].count;
		else
			st[m++] = st[i];
	}
	qsort(st, m, sizeof(*st), count_cmp);
	for (i = 0; i < m; i++) {
		if (st[i].status == STACK_TRUNCATED)
			truncated_calls += st[i].count;
		if (st[i].status == STACK_FAILED)
			failed_calls += st[i].count;
	}
	*cnt = m;
	return st;
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
	printf("\"pid\": %u, \"comm\": ", s->pid);
	go_json_str(stdout, s->comm);
	printf(", \"count\": %llu, \"labels\": {", (unsigned long long)s->count);
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

static void print_stacks(const struct stack *st, size_t n)
{
	char ts[16];
	size_t i;

	if (env.timestamp && !env.json && !env.folded)
		printf("%-8s\n", go_strftime_now(ts, sizeof(ts)));
	for (i = 0; i < n; i++) {
		if (env.folded)
			print_folded(&st[i]);
		else if (env.json)
			print_json(&st[i], env.timestamp ? go_strftime_now(ts, sizeof(ts)) : NULL);
		else
			print_text(&st[i]);
	}
	fflush(stdout);
}

static int write_pprof(const char *path, const struct stack *st, size_t n)
{
	struct go_pprof *p = go_pprof__new(target.bin, lines, "calls", "count", start_ns);
	const char *labels[2 * MAX_LABELS];
	size_t i;
	int err = 0, j;

	if (!p)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		for (j = 0; j < st[i].nlabels; j++) {
			labels[2 * j] = st[i].labels[j][0];
			labels[2 * j + 1] = st[i].labels[j][1];
		}
		err = go_pprof__add(p, st[i].pc, st[i].npc, (int64_t)st[i].count, labels,
				    st[i].nlabels);
	}
	if (!err)
		err = go_pprof__write(p, path);
	go_pprof__free(p);
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
	uint64_t lost = 0;
	struct snapshot now = { 0 }, prev = { 0 };
	struct stack *st = NULL;
	size_t nst;
	struct go_bpf *bpf = NULL;
	int err, fd = -1, lostfd, offfd, pidfd = -1, done = 0, labels_off = -1;
	uint32_t i;
	long elapsed = 0;
	struct timespec ts;

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
			"keeps them in a slice)\n", go_binary__version(target.bin));
	frames_off = KEY_HDR + (with_labels ? KEY_LABELS : 0);
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
	fd = go_bpf__map_fd(bpf, "counts");
	lostfd = go_bpf__map_fd(bpf, "lost");
	offfd = go_bpf__map_fd(bpf, "ra_offs");
	if (fd < 0 || lostfd < 0 || offfd < 0) {
		err = fd < 0 ? fd : lostfd < 0 ? lostfd : offfd;
		warn("%s\n", libgo_errmsg());
		goto cleanup;
	}
	for (i = 0; i < target.cnt && !err; i++)
		err = ra_offs[i] ? go_map__update(offfd, &i, &ra_offs[i]) : 0;
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
		done = go_wait_interval(pidfd, env.interval, env.duration, &elapsed, &exiting);
		err = snapshot_read(fd, &now);
		if (err) {
			warn("cannot read the stacks: %s\n", strerror(-err));
			goto cleanup;
		}
		st = stacks_since(&now, &prev, &nst);
		if (!st) {
			err = -ENOMEM;
			warn("out of memory\n");
			goto cleanup;
		}
		print_stacks(st, nst);
		free(st);
		st = NULL;
		snapshot_free(&prev);
		prev = now;
		now.r = NULL;
		now.n = 0;
	}
	go_bpf__detach(bpf);
	if (env.pprof) {	/* every call since the start: prev holds the totals */
		uint64_t t = truncated_calls, f = failed_calls;

		st = stacks_since(&prev, &now, &nst);
		truncated_calls = t;
		failed_calls = f;
		err = st ? write_pprof(env.pprof, st, nst) : -ENOMEM;
		if (err) {
			warn("%s\n", libgo_errmsg());
			goto cleanup;
		}
	}
	go_map__sum_percpu(lostfd, 0, &lost);
	if (lost)
		fprintf(stderr, "WARNING: %llu calls were not counted: the table of %d stacks was "
			"full\n", (unsigned long long)lost, (int)max_stacks);
	if (truncated_calls)
		fprintf(stderr, "WARNING: %llu calls had stacks deeper than %d frames, shown "
			"truncated\n", (unsigned long long)truncated_calls, walk_limit);
	if (failed_calls)
		fprintf(stderr, "WARNING: %llu calls had no user stack (the walk failed)\n",
			(unsigned long long)failed_calls);
	if (env.json) {
		go_json_lost(stdout, lost, "calls: the table of stacks was full");
		go_json_lost(stdout, truncated_calls, "frames: stacks deeper than the walk, truncated");
		go_json_lost(stdout, failed_calls, "stacks: the walk failed");
	}
	fprintf(info_out(), "Detaching...\n");
	fflush(info_out());
	err = 0;

cleanup:
	free(st);
	snapshot_free(&now);
	snapshot_free(&prev);
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
