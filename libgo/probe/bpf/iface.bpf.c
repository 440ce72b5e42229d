/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goiface: count the dynamic types of interface arguments. At each entry (its site past the
 * stack check, or a CALL that enters it: the probe's cookie is the function's index, with how far
 * below SP the callee's SP is: cookie.h), read each configured interface's two
 * words, the type word (or the method table's), the type's TFlag and Kind_ bytes and, with
 * VALUES, a bounded copy of the value; count in a hash keyed by process, function, argument and
 * type pointer (and, for -i, the interval's epoch: the tool flips it, then takes the ended
 * interval's counts out of the table). Names are found in user space, once per type.
 * The reading itself is iface.bpf.h's, shared with gotrace.
 * The slots (where each function's interfaces are, and whether to copy their values: -V) are
 * set in `slots` before attaching; slots and counts are sized at load (NFUNCS, MAX_ENTRIES), and
 * without -V counts' keys are cut to the part before the value (GO_IFACE_KEY_TYPES). Where a
 * method table holds the type, and whether the binary is PIE, are in its go_binfo.
 */
#include "cookie.h"
#include "iface.bpf.h"

BPF_ARRAY(slots, struct go_iface_cfg, 1);
BPF_HASH(counts, struct go_iface_key, u64, 1);
BPF_ARRAY(epoch, u32, 1);	/* -i: the interval's parity, flipped by the tool at each printout */
/* [epoch]: calls not counted in the interval of that epoch: the hash was full */
BPF_PERCPU_ARRAY(dropped, u64, GO_IFACE_EPOCHS);
BPF_PERCPU_ARRAY(key_buf, struct go_iface_key, 1);	/* a key is too big for the stack with -V */

/* The argument registers, by their codes (GO_ARG_REGS, arch.bpf.h). */
struct go_regs {
	u64 r[GO_NARG_REGS];
};

static __always_inline void go_regs_read(struct pt_regs *ctx, struct go_regs *g)
{
	int i = 0;

#define READ_REG(name) g->r[i++] = GO_PT_REG(ctx, name);
	GO_ARG_REGS(READ_REG)
#undef READ_REG
}

static __always_inline u64 go_word(struct pt_regs *ctx, const struct go_regs *g,
				   const struct go_iface_word *w, u64 sp_adj)
{
	u64 v = 0;

	if (w->where == GO_IN_REG)
		return w->reg < GO_NARG_REGS ? g->r[w->reg] : 0;
	bpf_probe_read_user(&v, sizeof(v), (void *)(GO_REG_SP(ctx) + w->off - sp_adj));
	return v;
}

static __always_inline void go_count_key(struct go_iface_key *k)
{
	u64 one = 1, *v = counts.lookup(k);

	if (v) {
		__sync_fetch_and_add(v, 1);
		return;
	}
	if (counts.insert(k, &one)) {
		v = counts.lookup(k);
		if (v) {
			__sync_fetch_and_add(v, 1);
		} else {
			u32 e = k->epoch;
			u64 *n = dropped.lookup(&e);

			if (n)
				(*n)++;
		}
	}
}

static __always_inline void go_iface(struct pt_regs *ctx, const struct go_regs *g,
				     const struct go_iface_slot *s, u32 func, u32 idx, u32 pid,
				     u64 sp_adj, u32 ep, u32 itab_off, u32 maps, bool values)
{
	u32 zero = 0;
	struct go_iface_key *k = key_buf.lookup(&zero);
	u64 data;

	if (!k)
		return;
	__builtin_memset(k, 0, sizeof(*k));
	k->epoch = ep;
	k->pid = pid;
	k->func = func;
	k->slot = idx;
	data = go_word(ctx, g, &s->w[1], sp_adj);
	k->type = go_iface_type(go_word(ctx, g, &s->w[0], sp_adj), s->mode, itab_off, &k->flags);
	go_iface_kind(k->type, &k->kind, &k->tflag, &k->flags);
	if (values && k->type && !(k->flags & GO_IV_NO_TYPE))
		go_iface_value(k->type, k->kind, k->tflag, data, k->word, k->str, GO_IFACE_STR_LEN,
			       &k->x, itab_off, maps, &k->flags);
	go_count_key(k);
}

int go_iface_entry(struct pt_regs *ctx)
{
	u64 cookie = bpf_get_attach_cookie(ctx), sp_adj = GO_COOKIE_SP_ADJ(cookie);
	u32 func = go_func(ctx, cookie), pid = bpf_get_current_pid_tgid() >> 32, i, zero = 0;
	u32 *e, ep = 0;
	struct go_iface_cfg *cfg;
	struct go_binfo *b;
	struct go_regs g;

	if (!go_entered(ctx, cookie) || !go_pid_ok() || !go_in_scope(ctx, cookie))
		return 0;
	cfg = slots.lookup(&func);
	b = go_binfo_of(cookie);
	if (!cfg || !b)
		return 0;
	e = epoch.lookup(&zero);
	if (e)
		ep = *e & (GO_IFACE_EPOCHS - 1);
	if (b->flags & GO_BIN_PIE)
		go_note_proc(ctx, cookie);
	go_regs_read(ctx, &g);
#pragma unroll
	for (i = 0; i < GO_IFACE_NSLOTS; i++) {
		if (cfg->slot[i].w[0].where == GO_IN_NONE)
			break;
		go_iface(ctx, &g, &cfg->slot[i], func, i, pid, sp_adj, ep, b->itab_type_off,
			 b->flags & (GO_BIN_MAPS_HASH | GO_BIN_MAPS_SWISS), cfg->values);
	}
	return 0;
}
