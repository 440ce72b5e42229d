/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goiface: count the dynamic types of interface arguments. At each entry (its site past the
 * stack check, or a CALL that enters it: the probe's cookie is the function's index, with how far
 * below SP the callee's SP is from GO_COOKIE_SP_SHIFT up), read each configured interface's two
 * words, the type word (or the method table's), the type's TFlag and Kind_ bytes and, with
 * VALUES, a bounded copy of the value; count in a hash keyed by process, function, argument and
 * type pointer. Names are found in user space, once per type.
 * Settings: NFUNCS, NSLOTS, MAX_ENTRIES, ITAB_TYPE_OFF, TYPE_TFLAG_OFF, VALUES, STR_LEN (a power
 * of two). The slots (where each function's interfaces are) are set in `slots` before attaching.
 */
#define SP_SHIFT 32

/* Where a word is: IN_REG (reg: a code below) or IN_STACK (off: from SP at the callee's entry). */
enum { IN_NONE, IN_REG, IN_STACK };
/* What the first word is: an interface{}'s type, a method table, or either (tell by looking). */
enum { MODE_TYPE, MODE_ITAB, MODE_GUESS };

struct iface_word {
	u8 where;
	u8 reg;
	u16 pad;
	s32 off;
};

struct iface_slot {
	struct iface_word w[2];
	u32 mode;
};

struct iface_cfg {
	struct iface_slot slot[NSLOTS];
};

/* flags */
#define F_NO_TYPE 0x01		/* the method table could not be read */
#define F_NO_VALUE 0x02		/* the value could not be read */
#define F_STR 0x04		/* str holds a string's first bytes (word[1]: its length) */
#define F_AT 0x08		/* with F_NO_VALUE: word[0] is where the value is (word[1]: a
				 * string's length); the page was not in memory, which a probe
				 * cannot fault in */

struct iface_key {
	u64 type;		/* the dynamic type's address in the process; 0: nil */
	u32 pid;
	u16 func;
	u8 slot;
	u8 flags;
	u8 kind;		/* the type's Kind_ and TFlag bytes */
	u8 tflag;
	u8 pad[6];
#ifdef VALUES
	u64 word[2];		/* the value's bytes, or its address for pointer-shaped types */
	char str[STR_LEN];
#endif
};

BPF_ARRAY(slots, struct iface_cfg, NFUNCS);
BPF_HASH(counts, struct iface_key, u64, MAX_ENTRIES);
BPF_PERCPU_ARRAY(dropped, u64, 1);	/* calls not counted: the hash was full */

/* The argument registers, by the tool's codes (the verifier refuses a ctx read at a computed
 * offset, which a switch on the code compiles to). */
struct go_regs {
	u64 r[10];
};

static __always_inline void go_regs_read(struct pt_regs *ctx, struct go_regs *g)
{
	g->r[0] = ctx->ax;
	g->r[1] = ctx->bx;
	g->r[2] = ctx->cx;
	g->r[3] = ctx->dx;
	g->r[4] = ctx->si;
	g->r[5] = ctx->di;
	g->r[6] = ctx->r8;
	g->r[7] = ctx->r9;
	g->r[8] = ctx->r10;
	g->r[9] = ctx->r11;
}

static __always_inline u64 go_word(struct pt_regs *ctx, const struct go_regs *g,
				   const struct iface_word *w, u64 sp_adj)
{
	u64 v = 0;

	if (w->where == IN_REG)
		return w->reg < 10 ? g->r[w->reg] : 0;
	bpf_probe_read_user(&v, sizeof(v), (void *)(ctx->sp + w->off - sp_adj));
	return v;
}

#ifdef VALUES
/* Go's reflect.Kind */
#define K_BOOL 1
#define K_INT8 3
#define K_INT16 4
#define K_INT32 5
#define K_UINT8 8
#define K_UINT16 9
#define K_UINT32 10
#define K_FLOAT32 13
#define K_COMPLEX128 16
#define K_POINTER 22
#define K_STRING 24

static __always_inline void go_str(struct iface_key *k, u64 hdr)
{
	u64 h[2];
	u32 n;

	if (bpf_probe_read_user(h, sizeof(h), (void *)hdr) || h[1] > (1ULL << 40)) {
		k->flags |= F_NO_VALUE;
		return;
	}
	n = h[1] > STR_LEN - 1 ? STR_LEN - 1 : h[1];
	n &= STR_LEN - 1;
	k->word[1] = h[1];
	if (n && bpf_probe_read_user(k->str, n, (void *)h[0])) {
		k->word[0] = h[0];
		k->flags |= F_NO_VALUE | F_AT;
		return;
	}
	k->flags |= F_STR;
}

static __always_inline void go_value(struct iface_key *k, u64 data)
{
	u8 kind = k->kind & 0x1f;
	long err;

	if ((k->kind | k->tflag) & 0x20) {	/* the data word is the value */
		k->word[0] = data;
		/* an error such as *errors.errorString: its message, if it has one */
		if (kind == K_POINTER && data) {
			go_str(k, data);
			k->word[0] = data;
			k->flags &= ~(F_NO_VALUE | F_AT);
		}
		return;
	}
	if (kind == K_STRING) {
		go_str(k, data);
		return;
	}
	if (kind < K_BOOL || kind > K_COMPLEX128)
		return;
	/* exactly the value's bytes: a read must not run into a page not faulted in */
	if (kind == K_BOOL || kind == K_INT8 || kind == K_UINT8)
		err = bpf_probe_read_user(k->word, 1, (void *)data);
	else if (kind == K_INT16 || kind == K_UINT16)
		err = bpf_probe_read_user(k->word, 2, (void *)data);
	else if (kind == K_INT32 || kind == K_UINT32 || kind == K_FLOAT32)
		err = bpf_probe_read_user(k->word, 4, (void *)data);
	else if (kind == K_COMPLEX128)
		err = bpf_probe_read_user(k->word, 16, (void *)data);
	else
		err = bpf_probe_read_user(k->word, 8, (void *)data);
	if (err) {
		k->word[0] = data;
		k->flags |= F_NO_VALUE | F_AT;
	}
}
#endif

static __always_inline void go_count_key(struct iface_key *k)
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
			u32 zero = 0;
			u64 *n = dropped.lookup(&zero);

			if (n)
				(*n)++;
		}
	}
}

static __always_inline void go_iface(struct pt_regs *ctx, const struct go_regs *g,
				     const struct iface_slot *s, u32 func,
				     u32 idx, u32 pid, u64 sp_adj)
{
	struct iface_key k;
	u64 t, data, w = 0;
	u8 b[4];

	__builtin_memset(&k, 0, sizeof(k));
	k.pid = pid;
	k.func = func;
	k.slot = idx;
	t = go_word(ctx, g, &s->w[0], sp_adj);
	data = go_word(ctx, g, &s->w[1], sp_adj);
	if (t && s->mode == MODE_GUESS) {
		/* a method table's first word is its interface type, of kind Interface (20); an
		 * abi.Type's is its size */
		u8 kind = 0;

		bpf_probe_read_user(&w, sizeof(w), (void *)t);
		if (w >= 4096 && !bpf_probe_read_user(&kind, 1, (void *)(w + 23)) &&
		    (kind & 0x1f) == 20) {
			w = 0;
			if (bpf_probe_read_user(&w, sizeof(w), (void *)(t + ITAB_TYPE_OFF)))
				k.flags |= F_NO_TYPE;
			t = w;
		}
	} else if (t && s->mode == MODE_ITAB) {
		if (bpf_probe_read_user(&w, sizeof(w), (void *)(t + ITAB_TYPE_OFF)))
			k.flags |= F_NO_TYPE;
		t = w;
	}
	k.type = t;
	if (t && !bpf_probe_read_user(b, sizeof(b), (void *)(t + TYPE_TFLAG_OFF))) {
		k.tflag = b[0];
		k.kind = b[3];
#ifdef VALUES
		go_value(&k, data);
#endif
	} else if (t) {
		k.flags |= F_NO_TYPE;
	}
	go_count_key(&k);
}

int go_iface_entry(struct pt_regs *ctx)
{
	u64 cookie = bpf_get_attach_cookie(ctx), sp_adj = cookie >> SP_SHIFT;
	u32 func = (u32)cookie, pid = bpf_get_current_pid_tgid() >> 32, i;
	struct iface_cfg *cfg;
	struct go_regs g;

	if (!go_pid_ok())
		return 0;
	cfg = slots.lookup(&func);
	if (!cfg)
		return 0;
	go_regs_read(ctx, &g);
#pragma unroll
	for (i = 0; i < NSLOTS; i++) {
		if (cfg->slot[i].w[0].where == IN_NONE)
			break;
		go_iface(ctx, &g, &cfg->slot[i], func, i, pid, sp_adj);
	}
	return 0;
}
