/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An interface argument's dynamic type and value, read in a probe: goiface's and gotrace's.
 * An interface is two words: a type (interface{}) or a method table (itab) whose type is at
 * itab_off, then the value itself (pointer-shaped types) or a pointer to it. The type's TFlag
 * and Kind_ bytes are at 20 and 23 (gc 1.17-1.26 and gccgo alike); "stored directly" is 0x20 in
 * Kind_ up to Go 1.25 and in gccgo, in TFlag from Go 1.26.
 */
#include "cookie.h"
#include "iface.h"

/* Go's reflect.Kind */
#define GO_K_BOOL 1
#define GO_K_INT8 3
#define GO_K_INT16 4
#define GO_K_INT32 5
#define GO_K_UINT8 8
#define GO_K_UINT16 9
#define GO_K_UINT32 10
#define GO_K_FLOAT32 13
#define GO_K_COMPLEX128 16
#define GO_K_ARRAY 17
#define GO_K_SLICE 23
#define GO_K_INTERFACE 20
#define GO_K_MAP 21
#define GO_K_POINTER 22
#define GO_K_STRING 24
#define GO_K_STRUCT 25

/* The dynamic type of an interface whose first word is t (0: nil). */
static __always_inline u64 go_iface_type(u64 t, u32 mode, u32 itab_off, u8 *flags)
{
	u64 w = 0;
	u8 kind = 0;

	if (!t || mode == GO_IFACE_TYPE)
		return t;
	if (mode == GO_IFACE_GUESS) {
		/* a method table's first word is its interface type, of kind Interface; a type's
		 * first word is its size */
		bpf_probe_read_user(&w, sizeof(w), (void *)t);
		if (w < 4096 || bpf_probe_read_user(&kind, 1, (void *)(w + 23)) ||
		    (kind & 0x1f) != GO_K_INTERFACE)
			return t;
		w = 0;
	}
	if (bpf_probe_read_user(&w, sizeof(w), (void *)(t + itab_off)))
		*flags |= GO_IV_NO_TYPE;
	return w;
}

/* The type's Kind_ and TFlag bytes. */
static __always_inline void go_iface_kind(u64 type, u8 *kind, u8 *tflag, u8 *flags)
{
	u8 b[4];

	if (!type)
		return;
	if (bpf_probe_read_user(b, sizeof(b), (void *)(type + 20))) {
		*flags |= GO_IV_NO_TYPE;
		return;
	}
	*tflag = b[0];
	*kind = b[3];
}

/* A string's header at hdr: its first bytes into str (str_len: a power of two), its length. */
static __always_inline void go_iface_str(u64 hdr, u64 *word, char *str, u32 str_len, u8 *flags)
{
	u64 h[2];
	u32 n;

	if (bpf_probe_read_user(h, sizeof(h), (void *)hdr) || h[1] > (1ULL << 40)) {
		*flags |= GO_IV_NO_VALUE;
		return;
	}
	n = h[1] > str_len - 1 ? str_len - 1 : h[1];
	n &= str_len - 1;
	word[1] = h[1];
	if (n && bpf_probe_read_user(str, n, (void *)h[0])) {
		word[0] = h[0];
		*flags |= GO_IV_NO_VALUE | GO_IV_AT;
		return;
	}
	*flags |= GO_IV_STR;
}

/* A string's first bytes, at ptr and len long, into str (GO_IV_XSTR_LEN); false if unread. */
static __always_inline bool go_iface_xstr(u64 ptr, u64 len, char *str)
{
	u32 n = len > GO_IV_XSTR_LEN - 1 ? GO_IV_XSTR_LEN - 1 : len;

	n &= GO_IV_XSTR_LEN - 1;
	return !len || (ptr && len <= (1ULL << 40) && !bpf_probe_read_user(str, n, (void *)ptr));
}

/* Is w a method table's address? gc: its first word is an interface type (its kind says so);
 * gccgo: its first word is a type. */
static __always_inline bool go_iface_is_itab(u64 w, u32 itab_off)
{
	u64 t = 0;
	u8 kind = 0;

	if (w < 4096 || bpf_probe_read_user(&t, sizeof(t), (void *)w) || t < 4096 ||
	    bpf_probe_read_user(&kind, 1, (void *)(t + 23)))
		return false;
	kind &= 0x1f;
	return itab_off ? kind == GO_K_INTERFACE : kind >= GO_K_BOOL && kind <= GO_K_STRING + 2;
}

/* The interface whose words are w[0], w[1], a method table and a data word, into x->inner. */
static __always_inline void go_iface_inner(const u64 *w, struct go_ivx *x, u32 itab_off,
					   u8 *flags)
{
	u64 h[2] = { 0, 0 };
	u8 b[4];

	if (bpf_probe_read_user(&x->itype, sizeof(x->itype), (void *)(w[0] + itab_off)) ||
	    bpf_probe_read_user(b, sizeof(b), (void *)(x->itype + 20)))
		return;
	x->itflag = b[0];
	x->ikind = b[3];
	*flags |= GO_IV_INNER;
	if (!((b[0] | b[3]) & 0x20)) {	/* a pointer to the value: its first words */
		if (w[1] && !bpf_probe_read_user(x->iword, sizeof(x->iword), (void *)w[1]))
			return;
		if (w[1])	/* a smaller value at the end of a page */
			bpf_probe_read_user(x->iword, 8, (void *)w[1]);
		return;
	}
	x->iword[0] = w[1];
	if ((b[3] & 0x1f) != GO_K_POINTER || !w[1] ||
	    bpf_probe_read_user(h, sizeof(h), (void *)w[1]))
		return;
	x->iword[1] = h[1];
	if (go_iface_xstr(h[0], h[1], x->str[1]))
		*flags |= GO_IV_ISTR;
}

/*
 * The struct at p (a pointer's target, or a struct's value): its first words, the string whose
 * header is the second pair of them, and the first of the pairs at 16 and 32 that is an
 * interface with methods (an error's wrapped error).
 */
static __always_inline void go_iface_fields(u64 p, struct go_ivx *x, u32 itab_off, u8 *flags)
{
	if (bpf_probe_read_user(x->field, sizeof(x->field), (void *)p))
		return;
	*flags |= GO_IV_FIELDS;
	if (go_iface_xstr(x->field[2], x->field[3], x->str[0]))
		*flags |= GO_IV_STR1;
	if (go_iface_is_itab(x->field[2], itab_off)) {
		x->ioff = 16;
		go_iface_inner(&x->field[2], x, itab_off, flags);
	} else if (go_iface_is_itab(x->field[4], itab_off)) {
		x->ioff = 32;
		go_iface_inner(&x->field[4], x, itab_off, flags);
	}
}

/*
 * The slice whose header is at hdr: its length in word[1], the first bytes of its elements in
 * x->field (GO_IV_FIELDS; none to read when it is empty), else GO_IV_NO_VALUE, and the strings
 * its first two elements' words would be (x->str[1], GO_IV_ISTR; x->str[0], GO_IV_STR1; user
 * space knows whether they are). Its address is left out (word[0] 0), so that equal slices
 * count as one value.
 */
static __always_inline void go_iface_slice(u64 hdr, u64 *word, struct go_ivx *x, u8 *flags)
{
	u64 h[2];

	if (bpf_probe_read_user(h, sizeof(h), (void *)hdr) || h[1] > (1ULL << 40)) {
		word[0] = hdr;
		*flags |= GO_IV_NO_VALUE;
		return;
	}
	word[1] = h[1];
	if (h[1] && (!h[0] || bpf_probe_read_user(x->field, sizeof(x->field), (void *)h[0]))) {
		/* a page not faulted in yet (zeroed memory the program never wrote) */
		*flags |= GO_IV_NO_VALUE;
		return;
	}
	*flags |= GO_IV_FIELDS;
	/* a slice of strings: its first two, as the elements' words would be read */
	if (h[1] && go_iface_xstr(x->field[0], x->field[1], x->str[1]))
		*flags |= GO_IV_ISTR;
	if (h[1] > 1 && go_iface_xstr(x->field[2], x->field[3], x->str[0]))
		*flags |= GO_IV_STR1;
}

/*
 * A map's key or element at p, of kind and size bytes (go_ivmap): up to 8 bytes as they are,
 * a string as its length and first bytes; false when it cannot be read (or is neither).
 */
static __always_inline bool go_iface_mword(u64 p, u8 kind, u64 size, u64 *w, char *str)
{
	u64 h[2];
	u32 n;

	if ((kind & 0x1f) == GO_K_STRING) {
		if (bpf_probe_read_user(h, sizeof(h), (void *)p) || h[1] > (1ULL << 40))
			return false;
		*w = h[1];
		n = h[1] > GO_IV_MSTR_LEN ? GO_IV_MSTR_LEN : h[1];
		asm volatile("" : "+r"(n));	/* the verifier sees the bound below */
		if (n > GO_IV_MSTR_LEN)
			return false;
		return !n || !bpf_probe_read_user(str, n, (void *)h[0]);
	}
	if (!size || size > 8)
		return false;
	n = size;
	asm volatile("" : "+r"(n));
	if (n > 8)
		return false;
	return !bpf_probe_read_user(w, n, (void *)p);
}

/*
 * The map m of the map type at type (maps: GO_BIN_MAPS_HASH or _SWISS, its release's layout;
 * 0: not read): its length in word[1]; when it is one group (a Swiss table's small map) or one
 * bucket (a hash map of B 0 that is not growing), each full slot's key and element into
 * x->map (go_ivmap), where the map type's descriptor says they are (GO_MAP_*, GO_MAPTYPE_*:
 * ivalue.h). Its address is left out (word[0] 0), so that equal maps count as one value.
 */
static __always_inline void go_iface_map(u64 m, u64 type, u64 *word, struct go_ivx *x, u32 maps,
					 u8 *flags)
{
	struct go_ivmap *mp = &x->map;
	bool swiss = maps & GO_BIN_MAPS_SWISS;
	u64 h[4], d[8], kt[3], et[3], g, koff, eoff, ksize, esize, slot = 0, off = 0;
	u8 ctrl[GO_MAP_SLOTS], c;
	u32 i, n = 0;

	/* h: count, B (the byte at 9), group (buckets), more (oldbuckets, dirLen) */
	if (bpf_probe_read_user(h, sizeof(h), (void *)m) || h[0] > (1ULL << 40)) {
		word[0] = m;
		*flags |= GO_IV_NO_VALUE;
		return;
	}
	word[1] = h[GO_MAP_COUNT / 8];
	*flags |= GO_IV_FIELDS;
	g = h[GO_MAP_GROUP / 8];
	/* d: Key, Elem, then the sizes (Swiss: GroupSize, SlotSize, ElemOff, Flags) */
	if (!h[GO_MAP_COUNT / 8] || !g || h[GO_MAP_MORE / 8] ||
	    (!swiss && ((h[GO_MAP_B / 8] >> (8 * (GO_MAP_B % 8))) & 0xff)) ||
	    bpf_probe_read_user(d, sizeof(d), (void *)(type + GO_MAPTYPE_KEY)) ||
	    bpf_probe_read_user(kt, sizeof(kt), (void *)d[0]) ||
	    bpf_probe_read_user(et, sizeof(et), (void *)d[1]) ||
	    bpf_probe_read_user(ctrl, sizeof(ctrl), (void *)g))
		return;
	/* a type's Size_ at 0, its Kind_ the byte at 23 */
	ksize = kt[0];
	esize = et[0];
	if (swiss) {
		if (d[(GO_MAPTYPE_SLOT - GO_MAPTYPE_KEY) / 8 + 2] & 0xc)	/* Flags: indirect */
			return;
		slot = d[(GO_MAPTYPE_SLOT - GO_MAPTYPE_KEY) / 8];
		off = d[(GO_MAPTYPE_SLOT - GO_MAPTYPE_KEY) / 8 + 1];
	} else if ((d[(GO_MAPTYPE_SIZES - GO_MAPTYPE_KEY) / 8] >> 32) & 3) {	/* flags */
		return;
	}
	if (ksize > 128 || esize > 128 || slot > 512 || off > 256)
		return;
#pragma unroll
	for (i = 0; i < GO_MAP_SLOTS; i++) {
		c = ctrl[i];
		if (swiss ? c & GO_MAP_CTRL_EMPTY : c < GO_MAP_TOPHASH_MIN)
			continue;
		koff = swiss ? 8 + i * slot : 8 + i * ksize;
		eoff = swiss ? koff + off : 8 + GO_MAP_SLOTS * ksize + i * esize;
		if (n >= GO_IV_MAP_N)
			break;
		if (!go_iface_mword(g + koff, kt[2] >> 56, ksize, &mp->key[n], mp->kstr[n]) ||
		    !go_iface_mword(g + eoff, et[2] >> 56, esize, &mp->elem[n], mp->estr[n]))
			mp->bad = 1;
		n++;
	}
	mp->n = n;
	mp->whole = 1;
}

/*
 * The value whose data word is data: pointer-shaped ones as the word (and for a pointer, the
 * string its target starts with, if any: an error's message); strings' first bytes; scalars'
 * exact bytes (a read must not run into a page not faulted in); with x, a struct's (or a
 * pointer's target's) first words (go_iface_fields); nothing of the rest.
 */
static __always_inline void go_iface_value(u64 type, u8 kind_byte, u8 tflag, u64 data, u64 *word,
					   char *str, u32 str_len, struct go_ivx *x,
					   u32 itab_off, u32 maps, u8 *flags)
{
	u8 kind = kind_byte & 0x1f;
	long err;

	if ((kind_byte | tflag) & 0x20) {	/* the data word is the value */
		if (kind == GO_K_MAP && data && x && maps) {
			go_iface_map(data, type, word, x, maps, flags);
			return;
		}
		if (kind == GO_K_POINTER && data) {
			go_iface_str(data, word, str, str_len, flags);
			*flags &= ~(GO_IV_NO_VALUE | GO_IV_AT);
			if (x)
				go_iface_fields(data, x, itab_off, flags);
		}
		word[0] = data;
		return;
	}
	if (kind == GO_K_STRING) {
		go_iface_str(data, word, str, str_len, flags);
		return;
	}
	if (kind == GO_K_SLICE && x && data) {
		go_iface_slice(data, word, x, flags);
		return;
	}
	if ((kind == GO_K_STRUCT || kind == GO_K_ARRAY) && x && data) {
		go_iface_str(data, word, str, str_len, flags);
		*flags &= ~(GO_IV_NO_VALUE | GO_IV_AT);
		word[0] = data;
		go_iface_fields(data, x, itab_off, flags);
		return;
	}
	if (kind < GO_K_BOOL || kind > GO_K_COMPLEX128)
		return;
	if (kind == GO_K_BOOL || kind == GO_K_INT8 || kind == GO_K_UINT8)
		err = bpf_probe_read_user(word, 1, (void *)data);
	else if (kind == GO_K_INT16 || kind == GO_K_UINT16)
		err = bpf_probe_read_user(word, 2, (void *)data);
	else if (kind == GO_K_INT32 || kind == GO_K_UINT32 || kind == GO_K_FLOAT32)
		err = bpf_probe_read_user(word, 4, (void *)data);
	else if (kind == GO_K_COMPLEX128)
		err = bpf_probe_read_user(word, 16, (void *)data);
	else
		err = bpf_probe_read_user(word, 8, (void *)data);
	if (err) {
		word[0] = data;
		*flags |= GO_IV_NO_VALUE | GO_IV_AT;
	}
}

/*
 * gotrace: interface conversion i into its event e: args[slot..slot+3] = the dynamic type,
 * kind | tflag << 8 | flags << 16, the value's two words; its string in str[sslot], and with
 * value (%v, not %T) a struct's first words in ivx[sslot].
 */
#define GO_IFACE(slot, sslot, t, data, mode, itab_off, maps, value)                           \
	do {                                                                                   \
		u8 k_ = 0, tf_ = 0, fl_ = 0;                                                   \
		u64 ty_ = go_iface_type(t, mode, itab_off, &fl_), wv_[2] = { 0, 0 };           \
		go_iface_kind(ty_, &k_, &tf_, &fl_);                                           \
		if (value)                                                                     \
			__builtin_memset(&e->ivx[sslot], 0, sizeof(e->ivx[sslot]));            \
		if (ty_ && !(fl_ & GO_IV_NO_TYPE) && (value))                                  \
			go_iface_value(ty_, k_, tf_, data, wv_, e->str[sslot], GO_TRACE_STR_LEN, \
				       &e->ivx[sslot], itab_off, maps, &fl_);                   \
		e->args[slot] = ty_;                                                           \
		e->args[(slot) + 1] = k_ | (u64)tf_ << 8 | (u64)fl_ << 16;                     \
		e->args[(slot) + 2] = wv_[0];                                                  \
		e->args[(slot) + 3] = wv_[1];                                                  \
	} while (0)
