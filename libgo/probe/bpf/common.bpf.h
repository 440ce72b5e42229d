/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Prepended to every tool's BPF program by the probe layer. Who to trace (-p, and bcc's other
 * task filters, filter.h) is set at run time in go_config, and the facts of each traced binary
 * in go_binfo at the slot its probes' cookies name (cookie.h), so that one compiled program
 * serves every process, every setting and every Go release (see the compile cache in
 * libgo/probe/image_cache.c). go_procs and go_gsaved hold one entry as compiled: a tool that
 * uses them makes them bigger at load (GO_PROCS_ENTRIES, GO_GSAVED_ENTRIES, go_bpf_spec).
 */
#include <uapi/linux/ptrace.h>
#include "arch.bpf.h"
#include "cookie.h"
#include "filter.h"

BPF_ARRAY(go_config, struct go_filter, 1);	/* who to trace (filter.h) */
BPF_CGROUP_ARRAY(go_cgroup, 1);			/* the cgroup of -c CGROUP_PATH */
BPF_ARRAY(go_binfo, struct go_binfo, GO_MAX_BINS);

static __always_inline struct go_filter *go_filter(void)
{
	u32 zero = 0;

	return go_config.lookup(&zero);
}

/* The process to trace, 0 for all. */
static __always_inline u32 go_traced_pid(void)
{
	struct go_filter *f = go_filter();

	return f ? f->tgid : 0;
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

/*
 * Is the current task one to trace: its process, thread, user, CPU and cgroup as go_config
 * says (each asked only when set), as bcc's trace and funccount check them.
 */
static __always_inline bool go_task_ok(void)
{
	struct go_filter *f = go_filter();
	u64 id;

	if (!f)
		return true;
	if (f->tgid || f->tid) {
		id = bpf_get_current_pid_tgid();
		if ((f->tgid && (u32)(id >> 32) != f->tgid) || (f->tid && (u32)id != f->tid))
			return false;
	}
	if ((f->flags & GO_FILTER_UID) && (u32)bpf_get_current_uid_gid() != f->uid)
		return false;
	if ((f->flags & GO_FILTER_CPU) && bpf_get_smp_processor_id() != f->cpu)
		return false;
	if ((f->flags & GO_FILTER_CGROUP) && go_cgroup.check_current_task(0) <= 0)
		return false;
	return true;
}

/*
 * At an entry probe: has the call begun? Always, but at an entry site on the stack check's
 * own conditional jump (GO_COOKIE_CHECK, cookie.h), where it has only when the jump to
 * morestack is not taken; a call whose stack grows comes back through the check and is seen
 * then, once. Every BPF program asks this first at every entry site, call site and goexit probe.
 */
static __always_inline bool go_entered(struct pt_regs *ctx, u64 cookie)
{
	return !(cookie & GO_COOKIE_CHECK) || !go_cond_taken(ctx, GO_COOKIE_CC(cookie));
}

/* The facts of the binary a probe is in (cookie.h); NULL when the tool wrote none. */
static __always_inline struct go_binfo *go_binfo_of(u64 cookie)
{
	u32 bin = GO_COOKIE_BIN(cookie);

	return go_binfo.lookup(&bin);
}

/* When a tool names values of PIE processes that may be gone by then. */
BPF_TABLE("lru_hash", u32, struct go_proc_seen, go_procs, 1);

/* Note the first probe the current process hits (go_proc_seen, cookie.h). */
static __always_inline void go_note_proc(struct pt_regs *ctx, u64 cookie)
{
	struct go_proc_seen s = {};
	u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (go_procs.lookup(&tgid))
		return;
	s.ip = GO_REG_IP(ctx);
	s.cookie = cookie;
	s.ret = go_entry_ra(ctx);
	go_procs.insert(&tgid, &s);
}

/* Generic functions: each instantiation's dictionary at its body's probes (cookie.h). */
BPF_F_TABLE("hash", struct go_dict_key, u32, go_dicts, GO_MAX_DICTS, BPF_F_NO_PREALLOC);

/*
 * At an entry probe: the function the call counts under, the cookie's, or at a generic
 * function's shaped body the instantiation its dictionary names (GO_COOKIE_DICT_REG); or
 * GO_FUNC_NONE when the call is of an instantiation the tool does not trace. The dictionary
 * is known by its distance from the probe's address (the kernel gives the handlers the probed
 * instruction's), the same in every process, PIE or not.
 */
static __always_inline u32 go_func(struct pt_regs *ctx, u64 cookie)
{
	u32 func = GO_COOKIE_FUNC(cookie), code = GO_COOKIE_DICT_REG(cookie), *inst;
	struct go_dict_key k = {};

	if (!code)
		return func;
	k.delta = (s64)(go_arg_reg(ctx, code - 1) - GO_REG_IP(ctx));
	k.func = func;
	k.bin = GO_COOKIE_BIN(cookie);
	inst = go_dicts.lookup(&k);
	if (inst)
		return *inst;
	return cookie & GO_COOKIE_DICT_ONLY ? GO_FUNC_NONE : func;
}

/*
 * g, saved at the entry of a call whose RETs cannot find it in its register (assembly using
 * that register), when some RET probes take g saved at their entries (go_plan.save_g).
 */
BPF_TABLE("lru_hash", struct go_gsave_key, u64, go_gsaved, 1);

/*
 * At an entry probe whose cookie says GO_COOKIE_SAVE_G: keep g (in its register there) for the
 * call's RETs, which find it by the callee's SP.
 */
static __always_inline void go_g_save(struct pt_regs *ctx, u64 cookie)
{
	struct go_gsave_key k = {};
	u64 g = GO_REG_G(ctx);

	k.sp = GO_REG_SP(ctx) - GO_COOKIE_SP_ADJ(cookie);
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	go_gsaved.update(&k, &g);
}

/* At a RET whose cookie says GO_COOKIE_SAVED_G: the g its entry saved (0 if none did). */
static __always_inline u64 go_g_saved(struct pt_regs *ctx)
{
	struct go_gsave_key k = {};
	u64 g = 0, *v;

	k.sp = GO_REG_SP(ctx);
	k.tgid = bpf_get_current_pid_tgid() >> 32;
	v = go_gsaved.lookup(&k);
	if (v) {
		g = *v;
		go_gsaved.delete(&k);
	}
	return g;
}

/* The running goroutine's g, in a binary with g in its register: there, or where its entry
 * saved it. */
static __always_inline u64 go_g_regabi(struct pt_regs *ctx, u64 cookie)
{
	return cookie & GO_COOKIE_SAVED_G ? go_g_saved(ctx) : GO_REG_G(ctx);
}

/* The running goroutine's id, by the facts of the probe's binary; 0 when unknown. */
static __always_inline u64 go_goid(struct pt_regs *ctx, u64 cookie)
{
	struct go_binfo *b = go_binfo_of(cookie);
	u64 g, goid = 0;

	if (!b || !b->g_in_reg || b->goid_off < 0)
		return 0;
	g = go_g_regabi(ctx, cookie);
	if (g)
		bpf_probe_read_user(&goid, sizeof(goid), (void *)(g + b->goid_off));
	return goid;
}

/*
 * At a RET of a gccgo function's body: does it return into __morestack, which ran the body on
 * a new stack segment and returns to the caller through the function's split-stack RET, probed
 * too? It does when FP+8 (__morestack's own return address) holds that RET's address, which
 * is the probe's (the kernel sets ip to the probed instruction for the handlers) plus the
 * cookie's GO_COOKIE_SPLIT; that is 0 at every other RET (cookie.h).
 */
static __always_inline bool go_ret_into_morestack(struct pt_regs *ctx, u64 cookie)
{
	s32 d = GO_COOKIE_SPLIT(cookie);
	u64 ra = 0;

	if (!d || (cookie & GO_COOKIE_RETURN))	/* a return site: its SP adjustment there */
		return false;
	bpf_probe_read_user(&ra, sizeof(ra), (void *)(GO_REG_FP(ctx) + 8));
	return ra == GO_REG_IP(ctx) + (s64)d;
}
#include "labels.bpf.h"
