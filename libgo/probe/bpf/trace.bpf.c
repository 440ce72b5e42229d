/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gotrace: one event per hit, through a ring buffer. The tool generates one function per probe
 * from the macros below (reading words where the Go ABI puts them, then its filter), and
 * attaches it at each entry site or its callers' CALLs and JMPs, or at each RET instruction for
 * return probes; go_gsave runs at the entries of the functions whose RETs cannot find g in its
 * register (cookie.h).
 *
 * An event wakes the tool only every WAKEUP_EVERY events of a CPU (the tool also reads the
 * buffer every 100 ms): a wake-up per event would cost more than the probe.
 * Settings, in config at load (trace.h): -U (user stacks), -Z (str_size), whether to note
 * the processes of PIE binaries (%T and %v), whether records name their goroutine's pprof
 * labels (-j, --labels: labelsets.bpf.h, sized at load then); the size of events (-b) is
 * events' at load.
 */
#include "trace.h"
#include "iface.bpf.h"
#include "labelsets.bpf.h"

/*
 * A record holds the strings its probe reads, with ivx only when it prints an interface's value,
 * and no more (the whole record, stack included, with user stacks: go_event_new).
 */
#define EVENT_SIZE(nstrs, values)                                                               \
	((values) == 2 ? sizeof(struct go_tevent) :                                                \
	 (values) ? __builtin_offsetof(struct go_tevent, ivx[nstrs]) :                              \
		 __builtin_offsetof(struct go_tevent, str[nstrs]))

#define WAKEUP_EVERY 64

BPF_RINGBUF_OUTPUT(events, GO_TRACE_RINGBUF_PAGES);
/* [0]: events lost; [1]: events sent, for wake-ups; [2]: filters whose reads failed */
BPF_PERCPU_ARRAY(lost, u64, 3);
BPF_ARRAY(config, struct go_trace_config, 1);
BPF_ARRAY(xplans, struct go_xplan, GO_TRACE_MAX_PLANS);	/* selectors' reads (trace.h) */
BPF_ARRAY(xlits, struct go_xlit, GO_TRACE_MAX_LITS);	/* filters' string literals */
BPF_ARRAY(vplans, struct go_vplan, GO_TRACE_MAX_VPLANS);	/* composite values' reads */

static __always_inline u64 go_stack_word(struct pt_regs *ctx, long off)
{
	u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)(GO_REG_SP(ctx) + off));
	return v;
}

#include "stackwalk.bpf.h"

/*
 * The flags (GO_TRACE_*) this program may be set to: gotrace's source defines it from its
 * options, so that the code of a feature not asked for is compiled out; the verifier then
 * walks only the features asked for, and a probe with many selectors and -j stays within
 * what it takes. Without it, every feature, chosen at run time by the config's flags.
 */
#ifndef GO_TRACE_FEATURES
#define GO_TRACE_FEATURES (~0U)
#endif

/* The running goroutine's label set, in labelsets: its key in *out, 0, 0 when none. */
static __always_inline void go_event_labels(struct pt_regs *ctx, u64 cookie,
					    struct go_labels_key *out)
{
	struct go_binfo *b = go_binfo_of(cookie);
	struct go_labels_key k = {};
	u64 g;

	if (b && b->labels_off >= 0 && b->g_in_reg) {
		g = go_g_peek(ctx, cookie);
		if (g)
			go_labelset(g, b, &k);
	}
	*out = k;
}

static __always_inline struct go_tevent *go_event_new(struct pt_regs *ctx, u32 probe,
						      u32 size, u32 func)
{
	u32 zero = 0, flags = 0;
	struct go_trace_config *cfg = config.lookup(&zero);
	struct go_tevent *e;
	u64 id, cookie = bpf_get_attach_cookie(ctx);

	if (cfg)
		flags = cfg->flags & GO_TRACE_FEATURES;
	/* each a constant, as the verifier wants a reservation's size */
	if ((flags & GO_TRACE_USER_STACKS) && size != sizeof(struct go_tevent))
		e = events.ringbuf_reserve(__builtin_offsetof(struct go_tevent, val));
	else
		e = events.ringbuf_reserve(size);
	if (!e) {
		u64 *n = lost.lookup(&zero);

		if (n)
			(*n)++;
		return NULL;
	}
	if (flags & GO_TRACE_NOTE_PROCS)
		go_note_proc(ctx, cookie);
	id = bpf_get_current_pid_tgid();
	e->ts = bpf_ktime_get_ns();
	e->pid = id >> 32;
	e->tid = (u32)id;
	e->goid = go_goid(ctx, cookie);
	e->probe = probe;
	e->func = func;
	e->cpu = bpf_get_smp_processor_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->labels.h1 = e->labels.h2 = 0;
	if (flags & GO_TRACE_LABELS)
		go_event_labels(ctx, cookie, &e->labels);
	if (flags & GO_TRACE_USER_STACKS)
		go_walk(ctx, cookie, true, go_binfo_of(cookie), &e->walk);	/* no caller's CALL */
	return e;
}

static __always_inline void go_event_str(struct go_tevent *e, int i, u64 ptr, u64 len)
{
	u32 n = len > GO_TRACE_STR_LEN - 1 ? GO_TRACE_STR_LEN - 1 : len;
	u32 zero = 0, size = 0;
	struct go_trace_config *cfg = config.lookup(&zero);

	e->slen[i] = len;
	n &= GO_TRACE_STR_LEN - 1;
	if (bpf_probe_read_user(e->str[i], n, (void *)ptr))
		n = 0;
	/* -Z: what bcc's trace keeps of a string of that size, its NUL included */
	if (cfg)
		size = cfg->str_size;
	if (size && size - 1 < n)
		n = size - 1;
	asm volatile("" : "+r"(n));	/* keep the mask below: the verifier needs to see it */
	e->str[i][n & (GO_TRACE_STR_LEN - 1)] = 0;
}

static __always_inline void go_event_send(struct go_tevent *e)
{
	u32 one = 1;
	u64 *n = lost.lookup(&one);

	if (n && ++*n % WAKEUP_EVERY == 0)
		events.ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
	else
		events.ringbuf_submit(e, BPF_RB_NO_WAKEUP);
}

/*
 * Plan id's reads, from the words v (and v2) where its value starts; leaves the value's first
 * words in them and returns 0, or what stopped it (GO_XERR_*).
 */
static __always_inline u32 go_xread(u32 id, u64 *v, u64 *v2)
{
	struct go_xplan *pl = xplans.lookup(&id);
	u64 buf[2];
	int i;

	if (!pl)
		return GO_XERR_FAULT;
	for (i = 0; i < GO_TRACE_XSTEPS; i++) {
		struct go_xstep *s = &pl->step[i];
		u32 size = s->size;

		if ((u32)i >= pl->nsteps)
			break;
		if (s->op == GO_XOP_INDEXR) {
			if (s->idx >= *v2)
				return GO_XERR_RANGE;
			*v += s->add;
			continue;
		}
		if (!*v) {
			if (s->op == GO_XOP_LOAD0)
				return 0;
			return GO_XERR_NIL;
		}
		buf[0] = buf[1] = 0;
		if (size > sizeof(buf))
			size = sizeof(buf);
		if (bpf_probe_read_user(buf, size, (void *)(*v + (s64)s->off)))
			return GO_XERR_FAULT;
		if (s->op == GO_XOP_INDEX) {
			if (s->idx >= buf[1])
				return GO_XERR_RANGE;
			*v = buf[0] + s->add;
			continue;
		}
		*v = buf[0];
		if (s->op == GO_XOP_LOAD2)
			*v2 = buf[1];
	}
	return 0;
}

/* Does the string of len bytes at ptr equal literal id? */
static __always_inline bool go_xstreq(u64 ptr, u64 len, u32 id)
{
	struct go_xlit *lit = xlits.lookup(&id);
	char buf[GO_TRACE_LIT_LEN];
	u32 n;
	int i;

	if (!lit || len != lit->len || len > GO_TRACE_LIT_LEN)
		return false;
	n = len & (GO_TRACE_LIT_LEN - 1);
	if (len == GO_TRACE_LIT_LEN)
		n = GO_TRACE_LIT_LEN;
	if (n && bpf_probe_read_user(buf, n, (void *)ptr))
		return false;
	for (i = 0; i < GO_TRACE_LIT_LEN; i++) {
		if ((u32)i >= n)
			break;
		if (buf[i] != lit->s[i])
			return false;
	}
	return true;
}

#define VHALF (GO_TRACE_VAL_BUF / 2)

/* The value's own bytes from its registers w (n of them), placed where the plan says. */
static __always_inline void go_vplace(struct go_tval *tv, struct go_vplan *pl, u64 *w, u32 n)
{
	int i;

	for (i = 0; i < GO_TRACE_VPLACES; i++) {
		struct go_vplace *p = &pl->place[i];
		u32 off = p->off & (VHALF - 1);

		if ((u32)i >= pl->nplaces || (u32)i >= n)
			break;
		switch (p->size) {
		case 1: *(u8 *)&tv->buf[off] = (u8)w[i]; break;
		case 2: *(u16 *)&tv->buf[off] = (u16)w[i]; break;
		case 4: *(u32 *)&tv->buf[off] = (u32)w[i]; break;
		default: *(u64 *)&tv->buf[off] = w[i]; break;
		}
	}
	tv->root = VHALF;
}

/*
 * What read r may read from: inside what its parent copied (from memory, not kept on the stack:
 * the verifier then sees one state a read, not one per outcome of the reads before it).
 */
static __always_inline bool go_vread_ok(struct go_tval *tv, struct go_vplan *pl,
					struct go_vread *r)
{
	u32 pend = tv->root, k = r->parent & (GO_TRACE_VREADS - 1), got;

	if (r->parent != GO_VREAD_ROOT) {
		got = tv->got[k];
		pend = got == GO_VREAD_FAULT ? 0 : pl->read[k].dst + got;
	}
	return r->src + 8 <= pend && (r->len == GO_VREAD_NOLEN || r->len + 8 <= pend);
}

/* The plan's reads, each from an address (and length) that an earlier one copied. */
static __always_inline void go_vreads(struct go_tval *tv, struct go_vplan *pl)
{
	int i;

	for (i = 0; i < GO_TRACE_VREADS; i++) {
		struct go_vread *r = &pl->read[i];
		u64 ptr, n;
		u32 dst = r->dst & (VHALF - 1);

		if ((u32)i >= pl->nreads)
			break;
		tv->got[i] = 0;
		if (r->parent != GO_VREAD_ROOT && r->parent >= i)
			continue;
		if (tv->root == GO_VREAD_FAULT || !go_vread_ok(tv, pl, r))
			continue;
		ptr = *(u64 *)&tv->buf[r->src & (GO_TRACE_VAL_BUF - 8)];
		n = r->max;
		if (r->len != GO_VREAD_NOLEN) {
			u64 len = *(u64 *)&tv->buf[r->len & (GO_TRACE_VAL_BUF - 8)];

			n = len > n / (r->scale ? r->scale : 1) ? n / (r->scale ? r->scale : 1) * r->scale :
								   len * r->scale;
		}
		n &= VHALF - 1;
		if (!ptr || !n)
			continue;
		if (bpf_probe_read_user(&tv->buf[dst], n, (void *)ptr)) {
			tv->got[i] = GO_VREAD_FAULT;
			continue;
		}
		tv->got[i] = n;
	}
}

/* A composite value for %v by its plan (trace.h): from addr, or from its registers w. */
static __always_inline void go_vcopy(struct go_tevent *e, u32 id, u64 addr, u64 *w, u32 n,
				     bool bad)
{
	struct go_vplan *pl = vplans.lookup(&id);
	struct go_tval *tv = &e->val;
	u32 size;

	tv->root = GO_VREAD_FAULT;
	if (!pl || bad)
		return;
	if (!pl->root) {
		go_vplace(tv, pl, w, n);
	} else {
		size = pl->root & (VHALF - 1);
		if (size && bpf_probe_read_user(tv->buf, size, (void *)(addr + (s64)pl->root_off)))
			return;
		tv->root = size;
	}
	go_vreads(tv, pl);
}

/* A filter whose selectors could not be read: counted, and false. */
static __always_inline int go_filter_unread(void)
{
	u32 two = 2;
	u64 *n = lost.lookup(&two);

	if (n)
		(*n)++;
	return 0;
}

/* Where a RET cannot find g in its register: keep it from the entry (cookie.h). */
int go_gsave(struct pt_regs *ctx)
{
	u64 cookie = bpf_get_attach_cookie(ctx);

	if (go_entered(ctx, cookie) && go_pid_ok())
		go_g_save(ctx, cookie);
	return 0;
}

/* The generated probes are written with these. */
#define GO_PROBE(n) int go_probe_##n(struct pt_regs *ctx)
#define GO_PID_FILTER() if (!go_task_ok()) return 0
/*
 * Stack words are at offsets from the callee's SP at its entry: at a caller's CALL that SP is
 * 8 below (the return address is still to be pushed), as the cookie says; at a RET it is SP.
 * An entry probe on the stack check's jump goes on only when the call has begun (go_entered);
 * with --label (the _SCOPED forms, which gotrace emits only then), only on a goroutine in the
 * scope asked (go_in_scope): its label reading is verified once per probe, and with many
 * selectors in a probe that goes past what the verifier takes, so a program without --label
 * leaves it out.
 */
#define GO_ENTRY_IF(scope)                                                                      \
	long go_sp_adj = (long)GO_COOKIE_SP_ADJ(bpf_get_attach_cookie(ctx));                    \
	if (!go_entered(ctx, bpf_get_attach_cookie(ctx)) || !(scope))                           \
		return 0;                                                                       \
	u32 go_fn = go_func(ctx, bpf_get_attach_cookie(ctx));                                   \
	if (go_fn == GO_FUNC_NONE)                                                              \
		return 0
#define GO_RET_FILTER_IF(scope)                                                                 \
	long go_sp_adj = 0;                                                                     \
	u32 go_fn = GO_COOKIE_FUNC(bpf_get_attach_cookie(ctx));                                 \
	if (go_ret_into_morestack(ctx, bpf_get_attach_cookie(ctx)) || !(scope))                 \
		return 0
#define GO_ENTRY() GO_ENTRY_IF(1)
#define GO_RET_FILTER() GO_RET_FILTER_IF(1)
#define GO_ENTRY_SCOPED() GO_ENTRY_IF(go_in_scope(ctx, bpf_get_attach_cookie(ctx)))
#define GO_RET_FILTER_SCOPED() GO_RET_FILTER_IF(go_in_scope(ctx, bpf_get_attach_cookie(ctx)))
#define GO_REG(var, reg) u64 var = GO_PT_REG(ctx, reg)
#define GO_STACK(var, off) u64 var = go_stack_word(ctx, (off) - go_sp_adj)
#define GO_FILTER(expr) if (!(expr)) return 0
#define GO_EVENT(n, nstrs, values)                                                              \
	struct go_tevent *e = go_event_new(ctx, n, EVENT_SIZE(nstrs, values), go_fn);           \
	if (!e)                                                                                 \
		return 0
#define GO_ARG(i, var) e->args[i] = var
/* A selector: plan id read from words w and w2, its variable's failure kept in go_xbad. */
#define GO_XVARS() u32 go_xbad = 0
#define GO_XREAD(w, w2, id, var) go_xbad |= go_xread(id, &w, &w2) << (2 * (var))
#define GO_XBAD() e->xbad = go_xbad
/* A filter on selectors: false, and counted, when one of their reads failed. */
#define GO_XFILTER(mask, expr)                                                                  \
	if (go_xbad & (mask))                                                                   \
		return go_filter_unread();                                                      \
	GO_FILTER(expr)
#define GO_STREQ(ptr, len, id) go_xstreq(ptr, len, id)
/* A composite value for %v: plan id, from the address in addr or the registers in w[]. */
#define GO_VAL(id, addr, n, bad, ...)                                                           \
	do {                                                                                    \
		u64 go_vw[GO_TRACE_VPLACES] = { __VA_ARGS__ };                                  \
		go_vcopy(e, id, addr, go_vw, n, bad);                                            \
	} while (0)
#define GO_STR(i, ptr, len) go_event_str(e, i, ptr, len)
#define GO_SEND() go_event_send(e); return 0
