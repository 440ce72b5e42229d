// SPDX-License-Identifier: Apache-2.0
/*
 * Fuzz the pclntab's line tables: file:line, inline trees, the pcsp table, top frames; and
 * whole stacks from them: the rules for walking below cgo callbacks (unwind.c) and stacks from
 * walks (stack.c) whose return addresses, as a traced program's memory holds them, are
 * anything: some in the binary's functions, the others the input's bytes.
 */
#include "fuzz.h"

#include "probe/bpf/stackwalk.h"

static uint64_t input_word(const uint8_t *data, size_t size, size_t i)
{
	uint64_t w = 0;

	if (size >= 8)
		memcpy(&w, data + (i * 8) % (size - 7), 8);
	return w;
}

/* A walk of pcs of the binary's functions and of the input's words, its stack and frames. */
static void fuzz_stack(struct go_binary *bin, const struct go_lines *lines, const uint8_t *data,
		       size_t size)
{
	static struct go_stack_frame frames[GO_STACK_MAX_PCS * 16];
	static struct go_walk w;
	struct go_unwind_plan plan;
	struct go_entry_frame ef = { 8, false };
	size_t n = go_binary__func_cnt(bin), i;
	struct go_stack st;
	char note[64];
	int got, k;

	(void)go_binary__unwind_plan(bin, lines, &plan);
	if (plan.n > GO_UNWIND_PLAN_MAX)
		abort();
	memset(&w, 0, sizeof(w));
	w.nframes = (uint32_t)input_word(data, size, 0);
	w.end = (uint16_t)input_word(data, size, 1);
	w.nswitch = (uint16_t)input_word(data, size, 2);
	w.ra = input_word(data, size, 3);
	for (i = 0; i < GO_WALK_MAX_SWITCHES; i++) {
		w.sw[i].at = (uint32_t)input_word(data, size, 4 + i) % 160;
		w.sw[i].n = (uint32_t)input_word(data, size, 8 + i);
		for (k = 0; k < GO_WALK_SWITCH_PCS; k++)
			w.sw[i].pc[k] = input_word(data, size, 12 + i * 3 + k);
	}
	for (i = 0; i <= GO_WALK_MAX_FRAMES; i++) {
		uint64_t word = input_word(data, size, 24 + i);
		const struct go_func *fn = go_binary__func(bin, word % n);

		/* most in functions, as real stacks are; some anywhere */
		w.frames[i] = word & 0x8000 ? word : fn->entry + (word >> 16) % (fn->end - fn->entry + 1);
	}
	st.npc = 0;
	go_stack__from_walk(&st, bin, lines, go_binary__func(bin, 0), &ef, &w, 0,
			    go_binary__func(bin, 0)->entry);
	if (st.npc < 0 || st.npc > GO_STACK_MAX_PCS)
		abort();
	got = go_stack__frames(&st, bin, lines, frames, sizeof(frames) / sizeof(frames[0]));
	for (k = 0; k < got; k++)
		if (!frames[k].f.func || !frames[k].f.file || frames[k].at >= st.npc)
			abort();
	(void)go_stack__note(&st, note, sizeof(note));
}

/* fn's whole inline tree: its calls' parents and marks stay inside it, its ranges in order. */
static void fuzz_inl_tree(const struct go_lines *lines, const struct go_func *fn)
{
	struct go_inl_tree t;
	size_t k;

	if (go_lines__inl_tree(lines, fn, &t))
		return;
	for (k = 0; k < t.ncalls; k++) {
		if (!t.calls[k].func || t.calls[k].parent < -1 ||
		    t.calls[k].parent >= (int32_t)t.ncalls ||
		    (t.calls[k].mark && (t.calls[k].mark < fn->entry || t.calls[k].mark >= fn->end)))
			abort();
		(void)go_inl_tree__within(&t, (int32_t)k, 0);
	}
	for (k = 0; k < t.nranges; k++)
		if (t.ranges[k].lo > t.ranges[k].hi || (k && t.ranges[k].lo < t.ranges[k - 1].hi) ||
		    (t.ranges[k].lo < t.ranges[k].hi &&
		     go_inl_tree__index_at(&t, t.ranges[k].lo) != t.ranges[k].ix))
			abort();
	go_inl_tree__free(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_binary *bin = fuzz_open_binary(data, size);
	struct go_frame frames[16];
	struct go_lines *lines;
	size_t i, n, step;

	if (!bin)
		return 0;
	lines = go_lines__open(bin);
	if (!lines) {
		go_binary__close(bin);
		return 0;
	}
	n = go_binary__func_cnt(bin);
	step = fuzz_step(n, 256);
	for (i = 0; i < n; i += step) {
		const struct go_func *fn = go_binary__func(bin, i);
		uint64_t pcs[3] = { fn->entry, fn->entry + (fn->end - fn->entry) / 2, fn->end - 1 };
		int k, j, got;
		int32_t delta;

		for (k = 0; k < 3; k++) {
			got = go_lines__frames(lines, pcs[k], k == 1, frames, 16);
			for (j = 0; j < got; j++)
				if (!frames[j].func || !frames[j].file)
					abort();
			(void)go_lines__sp_delta(lines, pcs[k], &delta);
		}
		(void)go_lines__top_frame(lines, fn->entry);
		(void)go_lines__func_flags(lines, fn->end - 1);
		fuzz_inl_tree(lines, fn);
	}
	if (n)
		fuzz_stack(bin, lines, data, size);
	go_lines__close(lines);
	go_binary__close(bin);
	return 0;
}
