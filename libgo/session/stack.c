// SPDX-License-Identifier: Apache-2.0
/*
 * Addresses in a running process back to Go function names, for stacks; whole stacks from the
 * walks of bpf/stackwalk.bpf.h, and their frames as Go's own tracebacks show them.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "probe/bpf/stackwalk.h"
#include "binary/binary_priv.h"
#include "session/tool.h"

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

/* The walk's return addresses past its first frame, through cgo callbacks, and why it ended. */
static void stack_walked(struct go_stack *s, const struct go_binary *b, const struct go_lines *l,
			 const struct go_walk *w, int64_t bias)
{
	uint32_t nfr = w->nframes < GO_WALK_MAX_FRAMES ? w->nframes : GO_WALK_MAX_FRAMES;
	uint32_t i, j, sw = 0;
	int flags;

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
	case GO_WALK_ASTRAY:
		/* arm64 before Go 1.21 (GO_BIN_STALE_FP) */
		stack_cut(s, "a frame pointer left behind when the stack moved");
		break;
	default:
		/* where Go's own unwinder stops too: a function that switches stacks (mcall, ...) */
		flags = func_flags(b, l, s->pc[s->npc - 1]);
		if (!l || flags < 0 || !(flags & GO_FUNC_SPWRITE))
			stack_cut(s, "the frame pointers end");
		break;
	}
}

static void stack_start(struct go_stack *s, const struct go_inl_site *site)
{
	s->npc = 0;
	s->end = GO_STACK_WHOLE;
	s->why = NULL;
	s->inl = site;
}

void go_stack__from_walk(struct go_stack *s, struct go_binary *b, const struct go_lines *l,
			 const struct go_func *fn, const struct go_entry_frame *ef,
			 const struct go_walk *w, int64_t bias, uint64_t leaf)
{
	uint64_t ip = w->frames[0] - bias;

	stack_start(s, NULL);
	if (stack_push(s, b, l, leaf))
		return;
	switch (w->nframes ? go_binary__probe_kind(b, fn, ip) : GO_PROBE_ENTRY) {
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
	stack_walked(s, b, l, w, bias);
}

void go_stack__from_inline_walk(struct go_stack *s, struct go_binary *b,
				const struct go_lines *l, const struct go_inl_site *site,
				const struct go_walk *w, int64_t bias)
{
	stack_start(s, site);
	if (stack_push(s, b, l, site->addr))
		return;
	/* a function without a frame record: its return address is the word the probe read */
	if (!site->frame.framed && stack_push(s, b, l, w->ra - bias))
		return;
	stack_walked(s, b, l, w, bias);
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

		if (!i && s->inl)	/* the inlined call's frames, and its callers' */
			n = l ? go_inl_site__frames(s->inl, l, fr, MAX_INLINE) : -ENOENT;
		else
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
