/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prepended to every tool's BPF program by the probe layer. Settings come from the tool as
 * -D flags:
 *   FILTER_PID   only this process (tgid) is traced
 *   GOID_OFFSET  offset of goid in runtime.g; the g of the running goroutine is in R14 in the
 *                Go register ABI (and still there at the entry of assembly functions)
 */
#include <uapi/linux/ptrace.h>

static __always_inline bool go_pid_ok(void)
{
#ifdef FILTER_PID
	return (bpf_get_current_pid_tgid() >> 32) == FILTER_PID;
#else
	return true;
#endif
}

static __always_inline u64 go_goid(struct pt_regs *ctx)
{
	u64 goid = 0;
#ifdef GOID_OFFSET
	bpf_probe_read_user(&goid, sizeof(goid), (void *)(ctx->r14 + GOID_OFFSET));
#endif
	return goid;
}
