/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gofunccount: count calls. One probe per function at its entry site (past the stack check, or
 * on its jump when the call goes on: go_entered; so a call whose stack grows counts once), or
 * one at each CALL and JMP that enters it when the entry site would be single-stepped; the
 * probe's cookie holds the function's index (cookie.h), or a generic function's instantiation
 * is told by its dictionary (go_func).
 * counts holds one entry as compiled: the tool makes it one a function at load.
 */
BPF_PERCPU_ARRAY(counts, u64, 1);

int go_count(struct pt_regs *ctx)
{
	u64 cookie = bpf_get_attach_cookie(ctx), *val;
	u32 idx;

	if (!go_entered(ctx, cookie) || !go_task_ok() || !go_in_scope(ctx, cookie))
		return 0;
	idx = go_func(ctx, cookie);
	val = counts.lookup(&idx);
	if (val)
		(*val)++;
	return 0;
}
