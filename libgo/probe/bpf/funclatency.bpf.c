/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gofunclatency: time calls, as calls.bpf.h matches them to their returns, into a log2
 * histogram per function (hist) and a total (totals), in the unit config says.
 *
 * With -l LEVEL (config's level), a call is timed only when at most LEVEL - 1 traced calls of
 * its goroutine are in progress around it: the outermost LEVEL levels, as bcc's funclatency -l.
 */
#include "calls.bpf.h"

#define SLOTS GO_LAT_SLOTS

BPF_PERCPU_ARRAY(hist, u64, SLOTS);	/* NFUNCS * SLOTS at load */
BPF_PERCPU_ARRAY(totals, u64, 1);	/* NFUNCS at load */

static __always_inline void record(const struct go_lat_config *cfg, u32 func, u64 start,
				   u64 end)
{
	u64 delta = (end - start) / (cfg->unit_div ? cfg->unit_div : 1), *v;
	u32 slot = bpf_log2l(delta), idx;

	if (slot >= SLOTS)
		slot = SLOTS - 1;
	idx = func * SLOTS + slot;
	v = hist.lookup(&idx);
	if (v)
		(*v)++;
	v = totals.lookup(&func);
	if (v)
		*v += end - start;	/* in ns: the tool converts the sum */
}

static __always_inline void go_call_begun(struct pt_regs *ctx, const struct go_lat_gid *id,
					  u32 func, u32 depth, u64 ts)
{
}

static __always_inline void go_call_done(struct pt_regs *ctx, const struct go_lat_config *cfg,
					 const struct go_lat_gid *id, u32 func, u64 ts, u64 now,
					 u32 nested, u32 depth)
{
	if (func != GO_FUNC_NONE && (!cfg->level || nested <= cfg->level))
		record(cfg, func, ts, now);
}

static __always_inline void go_goroutine_exit(const struct go_lat_gid *id)
{
}

int go_entry(struct pt_regs *ctx)
{
	return go_calls_entry(ctx, bpf_get_attach_cookie(ctx));
}

int go_return(struct pt_regs *ctx)
{
	return go_calls_return(ctx);
}

/* Runs where gofunclatency measures what a single-stepped probe costs (go_bpf__step_cost). */
int go_calib(struct pt_regs *ctx)
{
	return 0;
}
