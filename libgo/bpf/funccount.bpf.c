/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gofunccount: count calls. One probe per function at its entry site (past the stack check, so
 * a call whose stack grows counts once), or one at each CALL and JMP that enters it when the
 * entry site would be single-stepped; the low half of the probe's cookie is the function's
 * index.
 * Settings: NFUNCS.
 */
BPF_PERCPU_ARRAY(counts, u64, NFUNCS);

int go_count(struct pt_regs *ctx)
{
	u32 idx;
	u64 *val;

	if (!go_pid_ok())
		return 0;
	idx = bpf_get_attach_cookie(ctx);
	val = counts.lookup(&idx);
	if (val)
		(*val)++;
	return 0;
}
