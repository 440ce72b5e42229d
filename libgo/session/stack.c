// SPDX-License-Identifier: Apache-2.0
/*
 * Addresses in a running process back to Go function names, for stacks; whole stacks from the
 * walks of bpf/unwind.bpf.h, and their frames as Go's own tracebacks show them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "probe/bpf/unwind.h"
#include "binary/gobin_priv.h"
#include "session/tool.h"

/* Link-time address of file offset off, through the segment that holds it. */
static bool offset_addr(const struct go_binary *b, uint64_t off, uint64_t *addr)
{
	int i;

	for (i = 0; i < b->nsegs; i++)
		if (off >= b->segs[i].off && off < b->segs[i].off + b->segs[i].filesz) {
			*addr = b->segs[i].vaddr + (off - b->segs[i].off);
			return true;
		}
	return false;
}

/*
 * Where pid maps b: the start of its first mapping of b's file and the link-time address that
 * mapping begins at. -ENOENT when it maps none, -ESRCH when there is no such process.
 */
static int maps_find(const struct go_binary *b, pid_t pid, uint64_t *start, uint64_t *addr)
{
	char path[64], line[512];
	struct stat st;
	FILE *f;
	int err = -ENOENT;

	if (fstat(b->fd, &st))	/* the file read, not what its path names now */
		return go_fail(errno, "cannot stat '%s'", b->name);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return go_fail(ESRCH, "no process with pid %d", (int)pid);
	while (err && fgets(line, sizeof(line), f)) {
		uint64_t end, off, ino;
		unsigned maj, min;
		char perms[8];

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64, start,
			   &end, perms, &off, &maj, &min, &ino) != 7)
			continue;
		if (ino == st.st_ino && offset_addr(b, off, addr))
			err = 0;
	}
	fclose(f);
	return err;
}

/* Where pid loaded b, as found before; false when it was not. */
static bool recall_bias(const struct go_binary *b, pid_t pid, int64_t *bias)
{
	size_t i;

	for (i = 0; i < b->nbiases; i++)
		if (b->biases[i].pid == pid) {
			*bias = b->biases[i].bias;
			return true;
		}
	return false;
}

static void remember_bias(const struct go_binary *b, pid_t pid, int64_t bias)
{
	struct go_binary *w = (struct go_binary *)b;	/* a cache: the binary's reading is unchanged */
	size_t n = sizeof(w->biases) / sizeof(w->biases[0]);
	size_t i = w->nbiases < n ? w->nbiases++ : (size_t)pid % n;

	w->biases[i].pid = pid;
	w->biases[i].bias = bias;
}

int go_binary__load_bias(const struct go_binary *b, pid_t pid, int64_t *bias)
{
	uint64_t start, addr;
	int err;

	*bias = 0;
	if (!b->pie)
		return 0;
	/* asked once per event with stacks, and after the process is gone */
	if (pid > 0 && recall_bias(b, pid, bias))
		return 0;
	err = maps_find(b, pid, &start, &addr);
	if (err == -ENOENT)
		return go_fail(ENOENT, "'%s' is not mapped in pid %d", b->name, (int)pid);
	if (err)
		return err;
	*bias = (int64_t)(start - addr);
	remember_bias(b, pid, *bias);
	return 0;
}

/* How many of a stack's return addresses, moved by bias, follow a CALL in a Go function. */
static int frames_fit(const struct go_binary *b, const uint64_t *frames, int nframes,
		      int64_t bias)
{
	int i, fit = 0;

	for (i = 1; i < nframes; i++) {
		uint64_t ra = frames[i] - bias;
		const uint8_t *p = gobin_bytes(b, ra - 5, 5);

		fit += go_binary__func_at(b, ra - 1) != NULL;
		fit += p && p[0] == 0xe8;	/* a direct CALL ends there */
	}
	return fit;
}

/*
 * A process maps a PIE binary at a page boundary, so the probed pc and the site it was probed
 * at share their place in a page, and the bias is their difference. Where several of the
 * sites share that place (a function called from many places), the bias that puts more of the
 * stack's return addresses after a CALL in a Go function wins; a tie is no answer.
 */
int go_binary__bias_from_stack(const struct go_binary *b, pid_t pid, const uint64_t *offs,
			       size_t n, const uint64_t *frames, int nframes, int64_t *bias)
{
	const uint64_t page = 4096;
	int best = -1, fit;
	bool tie = false;
	int64_t found = 0;
	size_t i;

	*bias = 0;
	if (!b->pie)
		return 0;
	if (nframes < 1)
		return go_fail(ENOENT, "an empty stack");
	for (i = 0; i < n; i++) {
		uint64_t site;
		int64_t d;

		if (!offset_addr(b, offs[i], &site) || frames[0] < site)
			continue;
		d = (int64_t)(frames[0] - site);
		if (d % (int64_t)page)
			continue;
		if (d == found && best >= 0)
			continue;	/* the same answer again */
		fit = frames_fit(b, frames, nframes, d);
		tie = fit == best || (tie && fit < best);
		if (fit > best) {
			best = fit;
			found = d;
		}
	}
	if (best < 0 || tie)
		return go_fail(ENOENT, "%s probe site of '%s' at pc 0x%llx", best < 0 ? "no" :
			       "more than one", b->name, (unsigned long long)frames[0]);
	*bias = found;
	remember_bias(b, pid, found);
	return 0;
}

int go_binary__runs_in(const struct go_binary *b, pid_t pid)
{
	uint64_t start, addr;
	int err = maps_find(b, pid, &start, &addr);

	if (err == -ENOENT)
		return go_fail(ENOENT, "process %d does not run '%s'", (int)pid, b->name);
	return err;
}

int go_binary__symbolize(const struct go_binary *b, uint64_t addr, char *buf, size_t size)
{
	const struct go_func *fn = go_binary__func_at(b, addr);

	if (!fn)
		return snprintf(buf, size, "[unknown] 0x%" PRIx64, addr);
	return snprintf(buf, size, "%s+0x%" PRIx64, fn->name, addr - fn->entry);
}

/* ---- whole stacks ----------------------------------------------------------------------- */

#define MAX_INLINE 16

/* The flags of the function holding pc (GO_FUNC_*), by the symbol table where no line table. */
static int func_flags(const struct go_binary *b, const struct go_lines *l, uint64_t pc)
{
	if (l)
		return go_lines__func_flags(l, pc);
	return go_binary__func_at(b, pc) ? 0 : -ENOENT;
}

static void stack_cut(struct go_stack *s, const char *why)
{
	s->end = GO_STACK_CUT;
	s->why = why;
}

/*
 * Push pc, and say whether the stack ends there: at a goroutine's first frame, or (dropped)
 * at a pc outside Go's code, where a walk by frame pointers has nothing more to say: C code
 * keeps none, or the chain was broken.
 */
static bool stack_push(struct go_stack *s, const struct go_binary *b, const struct go_lines *l,
		       uint64_t pc)
{
	int flags;

	if (s->npc == GO_STACK_MAX_PCS) {
		s->end = GO_STACK_TRUNCATED;
		return true;
	}
	flags = func_flags(b, l, pc);
	if (flags < 0 && s->npc)	/* a return address at the end of the code before it */
		flags = func_flags(b, l, pc - 1);
	if (flags < 0) {
		stack_cut(s, "code outside the Go function table");
		return true;
	}
	s->pc[s->npc++] = pc;
	return flags & GO_FUNC_TOP;
}

void go_stack__from_walk(struct go_stack *s, struct go_binary *b, const struct go_lines *l,
			 const struct go_func *fn, const struct go_entry_frame *ef,
			 const struct go_walk *w, int64_t bias, uint64_t leaf)
{
	uint32_t nfr = w->nframes < GO_WALK_MAX_FRAMES ? w->nframes : GO_WALK_MAX_FRAMES;
	uint32_t i, j, sw = 0;
	uint64_t ip = w->frames[0] - bias;
	int flags;

	s->npc = 0;
	s->end = GO_STACK_WHOLE;
	s->why = NULL;
	if (stack_push(s, b, l, leaf))
		return;
	switch (nfr ? go_binary__probe_kind(b, fn, ip) : GO_PROBE_ENTRY) {
	case GO_PROBE_ENTRY:	/* at an entry site: its caller's return address, unless RBP */
		if (ef && ef->framed)	/* is already the function's own: the walk has it */
			break;
		if (stack_push(s, b, l, w->ra - bias))
			return;
		break;
	case GO_PROBE_CALL:	/* the caller is the walk's first frame, returning past the CALL */
		if (stack_push(s, b, l, ip + 5))
			return;
		break;
	case GO_PROBE_JMP:	/* a tail call: the jumper's frame is gone, its caller's RA is *SP */
		if (stack_push(s, b, l, w->ra - bias))
			return;
		break;
	}
	for (i = 1; i < nfr; i++) {
		if (stack_push(s, b, l, w->frames[i] - bias))
			return;
		/* below a cgo callback's frame, the frames passed by their sizes */
		for (; sw < w->nswitch && sw < GO_WALK_MAX_SWITCHES && w->sw[sw].at == i; sw++)
			for (j = 0; j < w->sw[sw].n && j < GO_WALK_SWITCH_PCS; j++)
				if (stack_push(s, b, l, w->sw[sw].pc[j] - bias))
					return;
	}
	switch (w->end) {
	case GO_WALK_FULL:
		s->end = GO_STACK_TRUNCATED;
		break;
	case GO_WALK_LOST:
		stack_cut(s, "a frame below a cgo callback");
		break;
	default:
		/* where Go's own unwinder stops too: a function that switches stacks (mcall, ...) */
		flags = func_flags(b, l, s->pc[s->npc - 1]);
		if (!l || flags < 0 || !(flags & GO_FUNC_SPWRITE))
			stack_cut(s, "the frame pointers end");
		break;
	}
}

static bool is_panic(const char *name)
{
	return !strcmp(name, "runtime.gopanic") || !strcmp(name, "runtime.sigpanic") ||
	       !strcmp(name, "runtime.panicwrap");
}

/* Calls the runtime injects (a fault, a preemption): their caller's pc is not a return address. */
static bool is_injected(const char *name)
{
	return !strcmp(name, "runtime.sigpanic") || !strcmp(name, "runtime.asyncPreempt") ||
	       !strcmp(name, "runtime.debugCallV2") || !strcmp(name, "runtime.debugCallV1");
}

int go_stack__frames(const struct go_stack *s, const struct go_binary *b,
		     const struct go_lines *l, struct go_stack_frame *out, int max)
{
	struct go_frame fr[MAX_INLINE];
	bool callee_panics = false, trap = false;
	int i, j, n, k = 0;

	for (i = 0; i < s->npc && k < max; i++) {
		bool ret = i > 0 && !trap;

		n = l ? go_lines__frames(l, s->pc[i], ret, fr, MAX_INLINE) : -ENOENT;
		if (n <= 0) {	/* no line table (gccgo): the symbol table's name */
			const struct go_func *fn = go_binary__func_at(b, ret ? s->pc[i] - 1 :
								      s->pc[i]);

			memset(fr, 0, sizeof(fr[0]));
			fr[0].func = fn ? fn->name : "[unknown]";
			fr[0].file = "";
			fr[0].entry = fn ? fn->entry : 0;
			n = 1;
		}
		for (j = 0; j < n && k < max; j++) {
			/* Go's tracebacks leave wrappers out, but where they call a panic */
			if (fr[j].wrapper && (i || j) && !callee_panics)
				continue;
			out[k].f = fr[j];
			out[k].pc = s->pc[i];
			out[k].at = i;
			k++;
			callee_panics = is_panic(fr[j].func);
		}
		trap = is_injected(fr[n - 1].func);
	}
	return k;
}

const char *go_stack__note(const struct go_stack *s, char *buf, size_t size)
{
	if (s->end == GO_STACK_TRUNCATED)
		snprintf(buf, size, "[truncated at %d frames]", GO_WALK_MAX_FRAMES);
	else if (s->end == GO_STACK_CUT)
		snprintf(buf, size, "[cut: %s]", s->why ? s->why : "the walk stopped");
	else
		return NULL;
	return buf;
}
