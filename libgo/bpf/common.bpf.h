/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prepended to every tool's BPF program by the probe layer. Settings come from the tool as
 * -D flags:
 *   GOID_OFFSET  offset of goid in runtime.g; the g of the running goroutine is in R14 in the
 *                Go register ABI (and still there at the entry of assembly functions)
 * The process to trace (-p) is set at run time in go_config, so that one compiled program serves
 * every process (see the compile cache in libgo/bpfcache.c).
 */
#include <uapi/linux/ptrace.h>

BPF_ARRAY(go_config, u32, 1);	/* [0]: the tgid to trace, 0 for all */

/* The process to trace, 0 for all. */
static __always_inline u32 go_traced_pid(void)
{
	u32 zero = 0, *pid = go_config.lookup(&zero);

	return pid ? *pid : 0;
}

/* Is tgid the process to trace? */
static __always_inline bool go_tgid_ok(u32 tgid)
{
	u32 pid = go_traced_pid();

	return !pid || tgid == pid;
}

/* Is the current process the one to trace? (asks for its tgid only when one is set) */
static __always_inline bool go_pid_ok(void)
{
	u32 pid = go_traced_pid();

	return !pid || (bpf_get_current_pid_tgid() >> 32) == pid;
}

static __always_inline u64 go_goid(struct pt_regs *ctx)
{
	u64 goid = 0;
#ifdef GOID_OFFSET
	bpf_probe_read_user(&goid, sizeof(goid), (void *)(ctx->r14 + GOID_OFFSET));
#endif
	return goid;
}

/*
 * At a RET of a gccgo function's body: does it return into __morestack, which ran the body on
 * a new stack segment and returns to the caller through the function's split-stack RET, probed
 * too? It does when RBP+8 (__morestack's own return address) holds that RET's address, which
 * is the probe's (the kernel sets ip to the probed instruction for the handlers) plus the
 * distance in the cookie's high half; that is 0 elsewhere (libgo/tool.h, GO_COOKIE_SPLIT_SHIFT).
 */
static __always_inline bool go_ret_into_morestack(struct pt_regs *ctx)
{
	s32 d = (s32)(bpf_get_attach_cookie(ctx) >> 32);
	u64 ra = 0;

	if (!d)
		return false;
	bpf_probe_read_user(&ra, sizeof(ra), (void *)(ctx->bp + 8));
	return ra == ctx->ip + (s64)d;
}
