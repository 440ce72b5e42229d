/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gofuncslower: each slow call, and where its time went. Calls are matched to their returns as
 * calls.bpf.h does for gofunclatency; while a goroutine is in a traced call it has an account
 * (accts, funcslower.h) of its time, on CPU, runnable, in system calls and waiting by the
 * runtime's wait reason, which every change of its state brings up to date:
 *   - the runtime changes its status (go_sched at runtime.casgstatus and
 *     runtime.casGToPreemptScan, GO_COOKIE_SCHED; g, old and new status in the first three
 *     integer argument registers): running on this thread, runnable, waiting with g.waitreason
 *     (gopark sets it before the status changes). Go 1.26 enters and leaves system calls
 *     without casgstatus; the status stays "running" here, and the system call is the kernel's;
 *   - a coroutine switches goroutines (iter.Pull's, Go 1.22+) without casgstatus: at
 *     runtime.coroswitch_m(gp), GO_COOKIE_CORO, on the thread's g0, gp waits ("coroutine",
 *     the reason the runtime gives it there) and the goroutine blocked in gp.coroarg runs on
 *     this thread; or gp ends (gp.coroexit), as at runtime.goexit1. A switch whose next
 *     goroutine cannot be read is counted (GO_SLOW_CORO_UNSEEN);
 *   - its thread leaves or takes a CPU (raw tracepoint sched_switch);
 *   - its thread enters or leaves a system call (raw tracepoints sys_enter, sys_exit), counted
 *     and timed by number.
 * The threads that run goroutines with accounts are in running, by the task pointer
 * bpf_get_current_task() gives in each thread's own events (never read: the kernel's structs
 * are not this program's to read): a scheduling event of any other
 * thread, or a status change of any other goroutine, costs one map lookup. Each call keeps a
 * snapshot of its goroutine's account at its entry (calls); at its return, when it took at least
 * min_ns, the difference is the call's breakdown, whose parts add up to its latency, sent to the
 * tool in events, with (--labels, -j) its goroutine's pprof labels, which each RET reads
 * before it looks for its call (return_labels: kept once per set, labelsets.bpf.h, sized at
 * load then; go_entry's paths leave the verifier no room to read them there).
 */
#include "funcslower.h"
#include "calls.bpf.h"
#include "labelsets.bpf.h"

#define G_SCAN 0x1000		/* the GC's bit over a status (runtime2.go _Gscan) */
#define G_RUNNABLE 1
#define G_RUNNING 2
#define G_SYSCALL 3
#define G_WAITING 4
#define G_COPYSTACK 8

BPF_ARRAY(slowcfg, struct go_slow_config, 1);
BPF_PERCPU_ARRAY(slowstats, u64, GO_SLOW_STAT_CNT);
BPF_F_TABLE("hash", struct go_lat_gid, struct go_slow_acct, accts, GO_SLOW_MAX_GOROUTINES,
	    BPF_F_NO_PREALLOC);
BPF_ARRAY(zero_acct, struct go_slow_acct, 1);	/* a new account: zeroes, never written */
BPF_F_TABLE("hash", struct go_slow_call_key, struct go_slow_times, calls, GO_SLOW_MAX_CALLS,
	    BPF_F_NO_PREALLOC);
BPF_F_TABLE("hash", struct go_slow_call_key, struct go_slow_args, cargs, GO_SLOW_MAX_CALLS,
	    BPF_F_NO_PREALLOC);	/* -a: the arguments at the entry */
BPF_F_TABLE("hash", u64, struct go_lat_gid, running, GO_SLOW_MAX_GOROUTINES, BPF_F_NO_PREALLOC);
BPF_RINGBUF_OUTPUT(events, GO_SLOW_RINGBUF_PAGES);

/* --labels, -j: the label set of the goroutine whose RET go_return is at (valid while it runs). */
struct slow_lkey {
	struct go_labels_key k;
	u32 valid, pad;
};
BPF_PERCPU_ARRAY(slow_lkey, struct slow_lkey, 1);

static __always_inline void slow_stat_inc(u32 i)
{
	u64 *v = slowstats.lookup(&i);

	if (v)
		(*v)++;
}

static __always_inline struct go_slow_config *slow_config(void)
{
	u32 zero = 0;

	return slowcfg.lookup(&zero);
}

/* Bring a's times up to now: what passed since went where its state says. */
static __always_inline void charge(struct go_slow_acct *a, u64 now)
{
	u64 d;

	if (now <= a->since)
		return;
	d = now - a->since;
	a->since = now;
	if (a->state == GO_SLOW_WAITING)
		a->t.wait[a->reason & (GO_SLOW_WAITS - 1)] += d;
	else if (a->state == GO_SLOW_RUNNABLE)
		a->t.runnable += d;
	else if (a->insys)
		a->t.syscall += d;
	else if (a->oncpu)
		a->t.oncpu += d;
	else
		a->t.runnable += d;
}

/* The goroutine id runs on the current thread, on its CPU. */
static __always_inline void take_thread(struct go_slow_acct *a, const struct go_lat_gid *id)
{
	u64 task = bpf_get_current_task();

	if (a->state != GO_SLOW_RUNNING || a->task != task) {
		a->state = GO_SLOW_RUNNING;
		a->task = task;
		a->insys = 0;
		running.update(&task, id);
	}
	a->oncpu = 1;
}

/* The goroutine id no longer runs on its thread. */
static __always_inline void leave_thread(struct go_slow_acct *a, const struct go_lat_gid *id)
{
	u64 task = a->task;
	struct go_lat_gid *r;

	if (a->state == GO_SLOW_RUNNING && task) {
		r = running.lookup(&task);
		if (r && r->g == id->g && r->tgid == id->tgid)
			running.delete(&task);
	}
	a->task = 0;
	a->insys = 0;
	a->oncpu = 0;
}

/* The account of goroutine id at ts: its own, or a new one. */
static __always_inline struct go_slow_acct *acct_at(const struct go_lat_gid *id, u64 ts)
{
	struct go_slow_acct *a = accts.lookup(id), *zero;
	u32 first = 0;

	if (a) {
		charge(a, ts);
		return a;
	}
	zero = zero_acct.lookup(&first);
	if (!zero || accts.update(id, zero))
		return NULL;
	a = accts.lookup(id);
	if (a)
		a->since = ts;
	return a;
}

static __always_inline void keep_args(struct pt_regs *ctx, const struct go_slow_call_key *k,
				      const struct go_slow_config *cfg)
{
	struct go_slow_args v = {};
	u32 i;

	for (i = 0; i < GO_SLOW_ARGS; i++)
		if (i < cfg->nargs)
			v.w[i] = go_arg_reg(ctx, cfg->arg_codes[i]);
	cargs.update(k, &v);
}

static __always_inline void go_call_begun(struct pt_regs *ctx, const struct go_lat_gid *id,
					  u32 func, u32 depth, u64 ts)
{
	struct go_slow_call_key k = {};
	struct go_slow_config *cfg = slow_config();
	struct go_slow_acct *a;

	if (!id->g || !cfg)
		return;
	a = acct_at(id, ts);
	if (!a) {
		slow_stat_inc(GO_SLOW_NO_ROOM);
		return;
	}
	take_thread(a, id);
	k.id = *id;
	k.depth = depth;
	if (calls.update(&k, &a->t)) {
		slow_stat_inc(GO_SLOW_NO_ROOM);
		return;
	}
	if (cfg->nargs)
		keep_args(ctx, &k, cfg);
}

/* The time parts of e: a's now, less what they were at the call's entry (snap). */
static __always_inline void times_diff(struct go_slow_times *e, const struct go_slow_times *a,
				       const struct go_slow_times *snap)
{
	u32 i;

	e->oncpu = a->oncpu - snap->oncpu;
	e->runnable = a->runnable - snap->runnable;
	e->syscall = a->syscall - snap->syscall;
	for (i = 0; i < GO_SLOW_WAITS; i++)
		e->wait[i] = a->wait[i] - snap->wait[i];
	for (i = 0; i < GO_SLOW_SYSCALLS; i++) {
		e->sys[i].nr = a->sys[i].nr;
		e->sys[i].count = a->sys[i].count - snap->sys[i].count;
		e->sys[i].ns = a->sys[i].ns - snap->sys[i].ns;
	}
	e->other.count = a->other.count - snap->other.count;
	e->other.ns = a->other.ns - snap->other.ns;
}

/* The cookie of the return probe running: at a GO_COOKIE_DUAL address, the return's. */
static __always_inline u64 return_cookie(struct pt_regs *ctx)
{
	u64 cookie = bpf_get_attach_cookie(ctx);
	u32 i = GO_COOKIE_FUNC(cookie);
	struct go_dual *d;

	if (!(cookie & GO_COOKIE_DUAL))
		return cookie;
	d = go_dual.lookup(&i);
	return d ? d->first : 0;
}

/*
 * The stack at the return into e, as stackwalk.h records one: the pc, then the return
 * addresses the frame pointers lead to, which the kernel's own walk of a user stack follows
 * (bpf_get_stack: stackwalk.bpf.h's walk, which also goes through cgo callbacks, is far more
 * for the verifier on the return's paths). At a RET, the traced function's return address is
 * at SP; at a return site, in its caller, the caller is where the probe is.
 */
static __always_inline void walk(struct pt_regs *ctx, u64 cookie, struct go_slow_event *e)
{
	struct go_walk *w = &e->stack;
	long n;

	w->ra = 0;
	w->nswitch = 0;
	n = bpf_get_stack(ctx, w->frames, sizeof(w->frames) - sizeof(w->frames[0]),
			  BPF_F_USER_STACK);
	if (n <= 0)
		return;
	w->nframes = (u32)(n / sizeof(w->frames[0]));
	w->end = w->nframes >= GO_WALK_MAX_FRAMES ? GO_WALK_FULL : GO_WALK_END;
	if (cookie & GO_COOKIE_RETURN)
		w->ra = GO_REG_IP(ctx);
	else
		bpf_probe_read_user(&w->ra, sizeof(w->ra), (void *)GO_REG_SP(ctx));
	e->flags |= GO_SLOW_EV_STACK;
}

/*
 * The call's label set (--labels, -j), as go_return read it; one seen elsewhere (a return site,
 * which go_entry takes: the tool plans none then) "not kept" (0, 1).
 */
static __always_inline void event_labels(const struct go_slow_config *cfg,
					 struct go_labels_key *out)
{
	u32 zero = 0;
	struct slow_lkey *l = cfg->labels ? slow_lkey.lookup(&zero) : NULL;

	out->h1 = 0;
	out->h2 = cfg->labels ? 1 : 0;
	if (l && l->valid)
		*out = l->k;
}

static __always_inline void emit(struct pt_regs *ctx, const struct go_slow_config *cfg,
				 const struct go_slow_call_key *k, const struct go_slow_acct *a,
				 const struct go_slow_times *snap, u32 func, u64 ts, u64 now)
{
	u64 id = bpf_get_current_pid_tgid(), cookie = return_cookie(ctx);
	struct go_slow_event *e = events.ringbuf_reserve(sizeof(*e));
	struct go_slow_args *args;

	if (!e) {
		slow_stat_inc(GO_SLOW_LOST);
		return;
	}
	e->start_ns = ts;
	e->lat_ns = now - ts;
	e->goid = 0;
	if (cfg->goid_off >= 0)
		bpf_probe_read_user(&e->goid, sizeof(e->goid), (void *)(k->id.g + cfg->goid_off));
	e->pid = id >> 32;
	e->tid = (u32)id;
	e->func = func;
	e->flags = 0;
	/* the first result, at a RET, or at a return site that nothing before overwrote it */
	e->rval = go_arg_reg(ctx, cfg->arg_codes[0]);
	if (!(cookie & GO_COOKIE_RETURN) || (cookie & GO_COOKIE_RESULT))
		e->flags |= GO_SLOW_EV_RVAL;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	event_labels(cfg, &e->labels);
	args = cfg->nargs ? cargs.lookup(k) : NULL;
	if (args) {
		__builtin_memcpy(e->args, args->w, sizeof(e->args));
		e->flags |= GO_SLOW_EV_ARGS;
	} else {
		__builtin_memset(e->args, 0, sizeof(e->args));
	}
	times_diff(&e->t, &a->t, snap);
	if (cfg->ustack)
		walk(ctx, cookie, e);
	events.ringbuf_submit(e, 0);
}

static __always_inline void go_call_done(struct pt_regs *ctx, const struct go_lat_config *lcfg,
					 const struct go_lat_gid *id, u32 func, u64 ts, u64 now,
					 u32 nested, u32 depth)
{
	struct go_slow_config *cfg = slow_config();
	struct go_slow_call_key k = {};
	struct go_slow_times *snap;
	struct go_slow_acct *a;

	if (!id->g || !cfg || !(a = accts.lookup(id)))
		return;
	charge(a, now);
	take_thread(a, id);	/* it runs here: a status change missed is mended */
	k.id = *id;
	k.depth = depth;
	snap = calls.lookup(&k);
	if (snap && func != GO_FUNC_NONE && now - ts >= cfg->min_ns)
		emit(ctx, cfg, &k, a, snap, func, ts, now);
	if (snap)
		calls.delete(&k);
	if (cfg->nargs)
		cargs.delete(&k);
	if (nested <= 1) {	/* its goroutine's last traced call */
		leave_thread(a, id);
		accts.delete(id);
	}
}

static __always_inline void go_goroutine_exit(const struct go_lat_gid *id)
{
	struct go_slow_acct *a = accts.lookup(id);

	if (!a)
		return;
	leave_thread(a, id);
	accts.delete(id);
}

/* At runtime.casgstatus(gp, old, new) or runtime.casGToPreemptScan: gp's status changes. */
static __always_inline int status_change(struct pt_regs *ctx, u64 cookie)
{
	struct go_slow_config *cfg;
	struct go_lat_gid id = {};
	struct go_slow_acct *a;
	struct go_binfo *b;
	u32 status;
	u8 reason = 0;

	if (!go_entered(ctx, cookie) || !(cfg = slow_config()))
		return 0;
	id.g = go_arg_reg(ctx, cfg->arg_codes[0]);
	id.tgid = bpf_get_current_pid_tgid() >> 32;
	a = accts.lookup(&id);
	if (!a)
		return 0;
	charge(a, bpf_ktime_get_ns());
	status = (u32)go_arg_reg(ctx, cfg->arg_codes[2]) & ~G_SCAN;
	if (status == G_RUNNING) {
		take_thread(a, &id);
		return 0;
	}
	if (status == G_SYSCALL || status == G_COPYSTACK)	/* it stays on its thread */
		return 0;
	leave_thread(a, &id);
	if (status != G_WAITING) {
		a->state = GO_SLOW_RUNNABLE;
		return 0;
	}
	b = go_binfo_of(cookie);
	if (b && b->waitreason_off >= 0)
		bpf_probe_read_user(&reason, sizeof(reason), (void *)(id.g + b->waitreason_off));
	a->state = GO_SLOW_WAITING;
	a->reason = reason;
	return 0;
}

/* The goroutine a switch at runtime.coroswitch_m runs next: the one blocked in gp.coroarg. */
static __always_inline u64 coro_next(const struct go_binfo *b, u64 gp)
{
	u64 c = 0, next = 0;

	if (b->coroarg_off < 0 || b->coro_gp_off < 0 ||
	    bpf_probe_read_user(&c, sizeof(c), (void *)(gp + b->coroarg_off)) || !c ||
	    bpf_probe_read_user(&next, sizeof(next), (void *)(c + b->coro_gp_off)))
		return 0;
	return next;
}

/*
 * At runtime.coroswitch_m(gp), on the thread's g0: gp waits in its coroutine, or ends
 * (gp.coroexit); the goroutine blocked in the coroutine runs on this thread.
 */
static __always_inline int coro_switch(struct pt_regs *ctx, u64 cookie)
{
	struct go_lat_gid id = {}, nid = {};
	struct go_slow_config *cfg;
	struct go_slow_acct *a;
	struct go_binfo *b;
	u64 now;
	u8 exit = 0;

	/* on arm64 its entry site is the stack check's branch, as every function's */
	if (!go_entered(ctx, cookie) || !(cfg = slow_config()) || !(b = go_binfo_of(cookie)))
		return 0;
	now = bpf_ktime_get_ns();
	id.tgid = nid.tgid = bpf_get_current_pid_tgid() >> 32;
	id.g = go_arg_reg(ctx, cfg->arg_codes[0]);
	nid.g = coro_next(b, id.g);
	if (b->coroexit_off >= 0)
		bpf_probe_read_user(&exit, sizeof(exit), (void *)(id.g + b->coroexit_off));
	if (exit) {
		goroutine_exit(&id);
	} else if ((a = accts.lookup(&id))) {
		charge(a, now);
		leave_thread(a, &id);
		a->state = GO_SLOW_WAITING;
		a->reason = b->coro_reason > 0 ? (u32)b->coro_reason : 0;	/* < 0: counted below */
	}
	if (!nid.g) {
		slow_stat_inc(GO_SLOW_CORO_UNSEEN);
		return 0;
	}
	a = accts.lookup(&nid);
	if (a) {
		charge(a, now);
		take_thread(a, &nid);
	}
	return 0;
}

int go_entry(struct pt_regs *ctx)
{
	return go_calls_entry(ctx, bpf_get_attach_cookie(ctx));
}

/* The runtime's status changes and coroutine switches (go_plan.sched_entry). */
int go_sched(struct pt_regs *ctx)
{
	u64 cookie = bpf_get_attach_cookie(ctx);

	if (GO_COOKIE_FUNC(cookie) == GO_COOKIE_CORO)
		return coro_switch(ctx, cookie);
	return status_change(ctx, cookie);
}

/*
 * Whether the call on top of goroutine g's stack began about min_ns or more ago: the call a
 * RET ends, unless calls above it were unwound or dropped (then its labels are "not kept").
 */
static __always_inline bool top_slow(u64 g, u64 min_ns)
{
	struct go_lat_spill_key k = {};
	struct go_lat_gstate *st;
	struct go_lat_frame *f;

	k.id.tgid = bpf_get_current_pid_tgid() >> 32;
	k.id.g = g;
	st = gs.lookup(&k.id);
	f = st ? top(st, &k) : NULL;
	/* with a margin: the return's own clock is read a little later */
	return f && bpf_ktime_get_ns() + 10000 - f->ts >= min_ns;
}

/*
 * --labels, -j: the running goroutine's label set, for the call go_calls_return may find,
 * read only where that call is slow (the labels' reading and hashing cost more than the rest).
 */
static __always_inline struct slow_lkey *return_labels(struct pt_regs *ctx)
{
	struct go_slow_config *cfg = slow_config();
	u64 cookie = bpf_get_attach_cookie(ctx), g;
	struct go_binfo *b = go_binfo_of(cookie);
	struct slow_lkey *l;
	u32 zero = 0;

	if (!cfg || !cfg->labels || !b || !b->g_in_reg || !(l = slow_lkey.lookup(&zero)))
		return NULL;
	g = go_g_regabi(ctx, cookie);
	l->valid = g && top_slow(g, cfg->min_ns);
	l->k.h1 = l->k.h2 = 0;
	if (l->valid && b->labels_off >= 0)
		go_labelset(g, b, &l->k);
	return l;
}

int go_return(struct pt_regs *ctx)
{
	struct slow_lkey *l = return_labels(ctx);

	go_calls_return(ctx);
	if (l)
		l->valid = 0;
	return 0;
}

/* The account of the goroutine the current thread runs, brought up to now; NULL if none. */
static __always_inline struct go_slow_acct *thread_acct(u64 task, u64 now)
{
	struct go_lat_gid *id = running.lookup(&task);
	struct go_slow_acct *a;

	if (!id)
		return NULL;
	a = accts.lookup(id);
	if (!a || a->state != GO_SLOW_RUNNING || a->task != task) {
		running.delete(&task);
		return NULL;
	}
	charge(a, now);
	return a;
}

/*
 * Raw tracepoints, whose arguments come as they are (ctx->args): the tasks a switch is between
 * are compared with running's keys, never read.
 */

/* sched_switch(preempt, prev, next, prev_state): the current thread (prev) leaves its CPU for
 * next. */
int tp_sched_switch(struct bpf_raw_tracepoint_args *ctx)
{
	u64 now = bpf_ktime_get_ns(), next = ctx->args[2];
	struct go_slow_acct *a;

	a = thread_acct(ctx->args[1], now);
	if (a)
		a->oncpu = 0;
	a = next ? thread_acct(next, now) : NULL;
	if (a)
		a->oncpu = 1;
	return 0;
}

/*
 * sched_stat_runtime(task, runtime): the scheduler charged the task running on this CPU with
 * runtime ns since it last did, or since the task took the CPU. A thread with a goroutine's
 * account that runs while the account says it is off its CPU took the CPU unseen: a kernel
 * may switch without sched_switch (a guest's kernel under PVM never tells a switch away from
 * some threads of its host's agent), and the goroutine's time on the CPU would count as
 * runnable up to its thread's next event. The switch is mended here, at the thread's first
 * charge (a tick, at the latest): it took the CPU runtime ns ago.
 */
int tp_sched_stat_runtime(struct bpf_raw_tracepoint_args *ctx)
{
	u64 task = ctx->args[0], runtime = ctx->args[1];
	struct go_lat_gid *id = running.lookup(&task);
	struct go_slow_acct *a;
	u64 now;

	if (!id || !(a = accts.lookup(id)) || a->state != GO_SLOW_RUNNING || a->task != task ||
	    a->oncpu)
		return 0;
	now = bpf_ktime_get_ns();
	if (runtime < now)
		charge(a, now - runtime);	/* off its CPU up to then */
	a->oncpu = 1;
	charge(a, now);
	return 0;
}

/* sys_enter(regs, id) */
int tp_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	u64 now = bpf_ktime_get_ns();
	struct go_slow_acct *a = thread_acct(bpf_get_current_task(), now);

	if (!a)
		return 0;
	a->insys = 1;
	a->sysnr = (u32)ctx->args[1];
	a->sys_start = now;
	return 0;
}

/* The system call of the current thread's goroutine, counted and timed under its number. */
static __always_inline void sys_count(struct go_slow_acct *a, u64 ns)
{
	u32 i, nr = a->sysnr + 1;

	for (i = 0; i < GO_SLOW_SYSCALLS; i++) {
		if (a->t.sys[i].nr == nr || !a->t.sys[i].nr) {
			a->t.sys[i].nr = nr;
			a->t.sys[i].count++;
			a->t.sys[i].ns += ns;
			return;
		}
	}
	a->t.other.count++;
	a->t.other.ns += ns;
}

/* sys_exit(regs, ret) */
int tp_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	u64 now = bpf_ktime_get_ns();
	struct go_slow_acct *a = thread_acct(bpf_get_current_task(), now);

	if (!a || !a->insys)
		return 0;
	sys_count(a, now > a->sys_start ? now - a->sys_start : 0);
	a->insys = 0;
	return 0;
}
