/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Go stack at a probe (stackwalk.h): the probed pc, then the return addresses its frame
 * pointers lead to, through cgo callbacks, and the word where the traced function's return
 * address is when its frame is not yet set up (go_ra_offs). Included by the programs that take
 * stacks (stackcount.bpf.c, trace.bpf.c); libgo fills the maps (go_target__set_unwind).
 */
#include "stackwalk.h"

BPF_ARRAY(go_unwind_cb, struct go_unwind_cb, GO_MAX_BINS);
BPF_F_TABLE("hash", struct go_unwind_key, struct go_unwind_rule, go_unwind_pcs,
	    GO_UNWIND_MAX_RULES, 0);
/* GO_RA_KEY(slot, func) -> where the return address is above SP at its entry site; 0 if absent */
BPF_F_TABLE("hash", u32, u32, go_ra_offs, 16384, BPF_F_NO_PREALLOC);

/* What a step below a cgo callback's frame found (GO_STEP_ON: go on), and a callback. */
enum { GO_STEP_ON = -1, GO_CB_NOT, GO_CB_ON, GO_CB_TOP, GO_CB_LOST };

/*
 * One frame below the callback's: its pc, read at *at, and its rule; GO_STEP_ON to go on by
 * its size to where its caller's pc is (GO_RA_AT_SP: at the caller's frame's SP, by the size
 * of the frame *at is in, *size; else at the frame's CFA - 8, by its own size).
 */
static __always_inline int go_walk_step(u64 *at, s32 *size, u64 *bp, u64 bias, u32 slot, int j,
					struct go_walk_switch *sw)
{
	struct go_unwind_key k = { .slot = slot };
	struct go_unwind_rule *r;
	u64 pc = 0;

	if (bpf_probe_read_user(&pc, sizeof(pc), (void *)*at))
		return j ? GO_CB_LOST : GO_CB_NOT;
	k.pc = pc - bias;
	r = go_unwind_pcs.lookup(&k);
	if (!r)
		return j ? GO_CB_LOST : GO_CB_NOT;
	sw->pc[j] = pc;
	sw->n = j + 1;
	*at += GO_RA_AT_SP ? *size : r->cfa;
	*size = r->cfa;
	if (r->kind == GO_UNWIND_TOP)
		return GO_CB_TOP;
	if (r->kind == GO_UNWIND_FRAMED) {	/* its frame record, under its return address */
		*bp = *at - 8;
		return GO_CB_ON;
	}
	return GO_STEP_ON;
}

/*
 * ra, read at frame pointer at + 8, is in the same place of a page as cgocallback's return
 * address: the frame that returns there (cgocallbackg or its ABI wrapper) saved its frame
 * pointer at at, and cgocallback's own return address is at at + cb->ra. Below cgocallback's
 * frame, go on by the rules' frame sizes (the load bias is ra's distance from the link-time
 * address) to a frame with a saved frame pointer (*bp, GO_CB_ON), or a goroutine's first frame
 * (GO_CB_TOP). GO_CB_NOT when the first pc has no rule: ra was some other return address in
 * the same place of another page.
 */
static __always_inline int go_walk_callback(u64 at, u64 *bp, u64 ra, u32 slot,
					    const struct go_unwind_cb *cb, struct go_walk_switch *sw)
{
	u64 where = at + cb->ra, bias = ra - cb->pc;
	s32 size = cb->cfa;
	int res;

	/* GO_WALK_SWITCH_PCS steps, written out: the verifier's paths stay few */
	res = go_walk_step(&where, &size, bp, bias, slot, 0, sw);
	if (res == GO_STEP_ON)
		res = go_walk_step(&where, &size, bp, bias, slot, 1, sw);
	if (res == GO_STEP_ON)
		res = go_walk_step(&where, &size, bp, bias, slot, 2, sw);
	return res == GO_STEP_ON ? GO_CB_LOST : res;
}

/*
 * Walk on by frame pointers from *bp, filling frames[] from w->nframes, until the walk ends
 * (0), or, with cbs, at a return address that may be cgocallback's (1: frames[w->nframes - 1],
 * read at frame pointer *at). Where the walk is stays in w, not in a register, so that the
 * verifier sees one path into what follows, not one per frame this part ended at.
 */
static __always_inline int go_walk_on(struct go_walk *w, u64 *bp, u64 *at,
				      const struct go_unwind_cb *cb, bool cbs, u64 lo, u64 span)
{
	u32 i = w->nframes;
	u64 fr[2];

	for (; i < GO_WALK_MAX_FRAMES; i++) {
		/* a frame record in [lo, lo + span] (unsigned: below lo is far above) */
		if (*bp - lo > span || bpf_probe_read_user(fr, sizeof(fr), (void *)*bp) || !fr[1]) {
			w->end = *bp - lo > span && *bp ? GO_WALK_ASTRAY : GO_WALK_END;
			w->nframes = i;
			return 0;
		}
		asm volatile("" : "+r"(i));	/* keep the mask: the verifier needs to see it */
		w->frames[i & GO_WALK_MAX_FRAMES] = fr[1];
		*at = *bp;
		*bp = fr[0];
		if (cbs && !((fr[1] - cb->pc) & 0xfff)) {
			w->nframes = i + 1;
			return 1;
		}
	}
	w->nframes = GO_WALK_MAX_FRAMES;
	return 0;
}

/*
 * The walk at a probe whose cookie is cookie, into w; read_ra: the traced function's return
 * address is in its frame (not at a caller's CALL, where it is still to be pushed). At an
 * inlined call's site, the cookie says where the return address of the function holding it is.
 * b: the binary's facts (go_binfo_of; NULL: none), which say whether frame pointers may be stale.
 */
static __always_inline void go_walk(struct pt_regs *ctx, u64 cookie, bool read_ra,
				    const struct go_binfo *b, struct go_walk *w)
{
	u32 slot = GO_COOKIE_BIN(cookie), key = GO_RA_KEY(slot, GO_COOKIE_FUNC(cookie)), *off;
	struct go_unwind_cb *cb = go_unwind_cb.lookup(&slot);
	u64 bp = GO_REG_FP(ctx), at = 0, fr[2], ra, stack[2] = { 0, 0 }, lo = 0, span = ~0ULL;
	u32 nsw = 0, i, n;
	int res;

	/* zeroed first, so that equal stacks are equal records (volatile: a memset this size is
	 * no BPF instruction) */
	for (i = 0; i <= GO_WALK_MAX_FRAMES; i++)
		*(volatile u64 *)&w->frames[i] = 0;
#pragma unroll
	for (i = 0; i < GO_WALK_MAX_SWITCHES; i++) {
		w->sw[i].at = 0;
		w->sw[i].n = 0;
	}
	w->ra = 0;
	w->nswitch = 0;
	w->end = GO_WALK_FULL;
	if (cookie & GO_COOKIE_INLINE) {	/* in the code of the function it was inlined into */
		if (GO_COOKIE_INL_RA(cookie))	/* which keeps no frame record */
			w->ra = go_site_ra(ctx, GO_COOKIE_INL_RA(cookie) - 1);
	} else if (read_ra) {
		off = go_ra_offs.lookup(&key);
		w->ra = go_site_ra(ctx, off ? *off : 0);
	}
	w->frames[0] = GO_REG_IP(ctx);
	w->nframes = 1;
	/* where frame pointers may be stale, only those in the running goroutine's stack, g.stack
	 * (unreadable: none) */
	if (b && (b->flags & GO_BIN_STALE_FP)) {
		bpf_probe_read_user(stack, sizeof(stack), (void *)(GO_REG_G(ctx) + b->stack_hi_off - 8));
		lo = stack[0];
		span = stack[1] > lo + sizeof(fr) ? stack[1] - lo - sizeof(fr) : 0;
	}
	/* a binary with cgo: in parts, each up to a return address that may be cgocallback's */
	if (cb && cb->pc) {
#pragma unroll
		for (i = 0; i < GO_WALK_MAX_SWITCHES; i++) {
			if (!go_walk_on(w, &bp, &at, cb, true, lo, span))
				goto out;
			n = w->nframes;
			if (!n || n > GO_WALK_MAX_FRAMES)
				goto out;
			ra = w->frames[(n - 1) & GO_WALK_MAX_FRAMES];
			res = go_walk_callback(at, &bp, ra, slot, cb, &w->sw[nsw]);
			if (res == GO_CB_NOT)
				continue;
			w->sw[nsw].at = n - 1;
			nsw++;
			w->nswitch = nsw;
			if (res != GO_CB_ON) {
				w->end = res == GO_CB_TOP ? GO_WALK_TOP : GO_WALK_LOST;
				return;
			}
		}
	}
	go_walk_on(w, &bp, &at, cb, false, lo, span);
out:
	/* full, but the walk would have ended there */
	if (w->end == GO_WALK_FULL && (!bp || bpf_probe_read_user(fr, sizeof(fr), (void *)bp) ||
				       !fr[1]))
		w->end = GO_WALK_END;
}
