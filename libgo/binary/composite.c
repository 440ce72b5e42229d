// SPDX-License-Identifier: Apache-2.0
/*
 * Composite values for %v and %+v (structs, arrays, slices, maps, pointers to them), as fmt
 * prints them: what a probe copies of one (the plan of bounded reads, trace.h's struct
 * go_vplan), and the text made from that copy and the runtime's type descriptors (gotype.c),
 * which a stripped binary keeps. Both walk the type the same way: the plan reads what the text
 * will need, in the order it needs it, within the bounds below; what was not copied is printed
 * "..." (cut by a bound) or as a marker, never guessed. fmt's rules (fmt/print.go printValue):
 * a pointer to a struct, array, slice or map is &{...} at the top only, any other pointer its
 * address; a nil one <nil>, a nil slice [], a nil map map[]; a map's entries sorted by key
 * (internal/fmtsort); floats in %v's shortest form; strings as they are; %+v names fields; a
 * value whose type has an Error, String or Format method is printed by that method, which this
 * code does not run: it is marked.
 * Maps: gc's hash maps up to Go 1.23 (runtime/map.go: hmap, one bucket when B is 0) and its
 * Swiss tables from Go 1.24 (internal/runtime/maps: a small map's one group); a larger map is
 * marked cut.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "binary/binary.h"

#define MAX_ELEMS 8		/* elements of a slice or array, entries of a map */
#define MAX_STR 64		/* bytes of a string */
#define MAX_DEPTH 6		/* reads one after another */
#define MAX_FIELDS 64
#define VHALF (GO_TRACE_VAL_BUF / 2)

/* A type: a descriptor under stars pointers that the binary may have no descriptor of. */
struct vt {
	uint64_t addr;
	int stars;
};

static int vt_kind(const struct go_types *t, struct vt x)
{
	return x.stars ? GO_RKIND_POINTER : go_types__kind(t, x.addr);
}

static uint64_t vt_size(const struct go_types *t, struct vt x)
{
	uint64_t size = 0;

	if (x.stars)
		return 8;
	return go_types__size(t, x.addr, &size) ? 0 : size;
}

static int vt_elem(const struct go_types *t, struct vt x, struct vt *e)
{
	*e = x;
	if (x.stars) {
		e->stars--;
		return 0;
	}
	return go_types__elem(t, x.addr, &e->addr);
}

/* A map type: its key, elem, and where a small map's entries are (layout below). */
struct vmap {
	bool swiss;		/* Go 1.24+ */
	struct vt key, elem;
	uint64_t group;		/* bytes of a group (a bucket) */
	uint64_t slot, elem_off;	/* swiss: a slot's size, its elem's offset */
	uint64_t ksize, esize;	/* hash maps: a key's and an elem's slot */
	bool indirect;		/* keys or elems stored as pointers */
};

/* A word of a type descriptor, as the file holds it. */
static uint64_t desc_word(const struct go_types *t, uint64_t addr)
{
	uint64_t v = 0;

	go_types__pointer(t, addr, &v);
	return v;
}

/* The map type at addr, by its descriptor (GO_MAPTYPE_*, ivalue.h). */
static int vmap_of(const struct go_types *t, uint64_t addr, struct vmap *m)
{
	char name[64] = "";
	uint64_t w;

	memset(m, 0, sizeof(*m));
	if (go_types__pointer(t, addr + GO_MAPTYPE_KEY, &m->key.addr) ||
	    go_types__pointer(t, addr + GO_MAPTYPE_ELEM, &m->elem.addr) ||
	    go_types__name(t, desc_word(t, addr + GO_MAPTYPE_GROUP), name, sizeof(name)))
		return -ENOENT;
	m->swiss = !strncmp(name, "map.group[", 10);
	if (!m->swiss && strncmp(name, "map.bucket[", 11))
		return -ENOENT;
	if (m->swiss) {
		m->group = desc_word(t, addr + GO_MAPTYPE_SIZES);
		m->slot = desc_word(t, addr + GO_MAPTYPE_SLOT);
		m->elem_off = desc_word(t, addr + GO_MAPTYPE_SLOT + 8);
		m->indirect = desc_word(t, addr + GO_MAPTYPE_SLOT + 16) & 0xc;
		return m->slot * GO_MAP_SLOTS + 8 > m->group ? -ENOENT : 0;
	}
	w = desc_word(t, addr + GO_MAPTYPE_SIZES);
	m->ksize = w & 0xff;
	m->esize = (w >> 8) & 0xff;
	m->group = (w >> 16) & 0xffff;
	m->indirect = (w >> 32) & 3;
	return 8 + GO_MAP_SLOTS * (m->ksize + m->esize) + 8 > m->group ? -ENOENT : 0;
}

enum go_map_form go_types__map_form(const struct go_types *t, uint64_t addr)
{
	struct vmap m;

	if (vmap_of(t, addr, &m))
		return GO_MAPS_UNKNOWN;
	return m.swiss ? GO_MAPS_SWISS : GO_MAPS_HASH;
}

/* Where slot i's key and elem are in a group (a bucket). */
static void vmap_slot(const struct vmap *m, int i, uint64_t *k, uint64_t *e)
{
	if (m->swiss) {
		*k = 8 + (uint64_t)i * m->slot;
		*e = *k + m->elem_off;
	} else {
		*k = 8 + (uint64_t)i * m->ksize;
		*e = 8 + GO_MAP_SLOTS * m->ksize + (uint64_t)i * m->esize;
	}
}

/* ---- the plan ------------------------------------------------------------------------------- */

struct planner {
	const struct go_types *t;
	struct go_vplan *pl;
	uint32_t next;		/* the buffer's next free byte */
};

/* A read of what the word at src points to (len: its length word, scale bytes each): its index,
 * or -1 when no read or byte is left. *dst: where its copy goes. */
static int read_add(struct planner *p, uint32_t src, uint32_t len, uint32_t scale, uint64_t max,
		    int parent, uint32_t *dst)
{
	struct go_vread *r;
	uint32_t at = (p->next + 7) & ~7u;

	if (p->pl->nreads == GO_TRACE_VREADS || at >= VHALF || max == 0)
		return -1;
	if (max > VHALF - 1)
		max = VHALF - 1;
	if (scale > 1)
		max -= max % scale;
	if (!max)
		return -1;
	r = &p->pl->read[p->pl->nreads];
	memset(r, 0, sizeof(*r));
	r->src = (uint16_t)src;
	r->len = (uint16_t)len;
	r->scale = (uint16_t)scale;
	r->max = (uint16_t)max;
	r->dst = (uint16_t)at;
	r->parent = parent < 0 ? GO_VREAD_ROOT : (uint8_t)parent;
	p->next = at + (uint32_t)max;
	*dst = at;
	return (int)p->pl->nreads++;
}

static void plan_at(struct planner *p, struct vt x, uint32_t off, int parent, int depth,
		    bool top);

static void plan_map(struct planner *p, struct vt x, uint32_t off, int parent, int depth)
{
	struct vmap m;
	uint32_t hdr, grp;
	uint64_t k, e;
	int r, g, i;

	if (depth + 2 > MAX_DEPTH || vmap_of(p->t, x.addr, &m) ||
	    (r = read_add(p, off, GO_VREAD_NOLEN, 0, 48, parent, &hdr)) < 0 ||
	    (g = read_add(p, hdr + GO_MAP_GROUP, GO_VREAD_NOLEN, 0, m.group, r, &grp)) < 0 ||
	    m.indirect)
		return;
	for (i = 0; i < GO_MAP_SLOTS; i++) {	/* the keys first: without all of them, no order */
		vmap_slot(&m, i, &k, &e);
		plan_at(p, m.key, grp + (uint32_t)k, g, depth + 2, false);
	}
	for (i = 0; i < GO_MAP_SLOTS; i++) {
		vmap_slot(&m, i, &k, &e);
		plan_at(p, m.elem, grp + (uint32_t)e, g, depth + 2, false);
	}
}

static void plan_at(struct planner *p, struct vt x, uint32_t off, int parent, int depth,
		    bool top)
{
	struct go_tfield f;
	struct vt e;
	uint64_t esize, n, i;
	uint32_t dst;
	int kind = vt_kind(p->t, x), r, ek;

	if (depth >= MAX_DEPTH || off >= VHALF)
		return;
	switch (kind) {
	case GO_RKIND_POINTER:
		if (!top || vt_elem(p->t, x, &e))
			return;
		ek = vt_kind(p->t, e);
		if (ek != GO_RKIND_STRUCT && ek != GO_RKIND_ARRAY && ek != GO_RKIND_SLICE &&
		    ek != GO_RKIND_MAP)
			return;
		r = read_add(p, off, GO_VREAD_NOLEN, 0, vt_size(p->t, e), parent, &dst);
		if (r >= 0)
			plan_at(p, e, dst, r, depth + 1, false);
		return;
	case GO_RKIND_STRUCT:
		for (i = 0; i < MAX_FIELDS && !go_types__field(p->t, x.addr, i, &f); i++)
			if (f.offset < VHALF)
				plan_at(p, (struct vt){ f.type, 0 }, off + (uint32_t)f.offset, parent,
					depth, false);
		return;
	case GO_RKIND_ARRAY:
		if (vt_elem(p->t, x, &e) || !(esize = vt_size(p->t, e)))
			return;
		n = vt_size(p->t, x) / esize;
		for (i = 0; i < n && i < MAX_ELEMS && off + i * esize < VHALF; i++)
			plan_at(p, e, off + (uint32_t)(i * esize), parent, depth, false);
		return;
	case GO_RKIND_STRING:
		read_add(p, off, off + 8, 1, MAX_STR, parent, &dst);
		return;
	case GO_RKIND_SLICE:
		if (vt_elem(p->t, x, &e) || !(esize = vt_size(p->t, e)) || esize > VHALF)
			return;
		ek = vt_kind(p->t, e);
		/* a slice two reads down (a map's values): its first element, so that a map's
		 * eight entries fit in the reads */
		n = ek == GO_RKIND_UINT8 ? MAX_STR : depth >= 2 ? 1 : MAX_ELEMS;
		r = read_add(p, off, off + 8, (uint32_t)esize, n * esize, parent, &dst);
		for (i = 0; r >= 0 && i < n && (i + 1) * esize <= p->pl->read[r].max; i++)
			plan_at(p, e, dst + (uint32_t)(i * esize), r, depth + 1, false);
		return;
	case GO_RKIND_MAP:
		plan_map(p, x, off, parent, depth);
		return;
	}
}

int go_vplan__make(const struct go_types *t, uint64_t type, int stars, uint32_t root_bytes,
		   struct go_vplan *pl)
{
	struct planner p = { t, pl, root_bytes };

	pl->nreads = 0;
	if (vt_kind(t, (struct vt){ type, stars }) <= 0)
		return go_fail(ENOENT, "a type of the value is not in the binary's type data");
	plan_at(&p, (struct vt){ type, stars }, 0, -1, 0, true);
	return 0;
}

/* ---- the text ------------------------------------------------------------------------------- */

struct fmtr {
	struct go_types *t;
	const struct go_vplan *pl;
	const struct go_tval *tv;
	bool plus;
	FILE *f;
};

/* Are the n bytes at off in the registers placed (a string's two, one after the other)? */
static bool placed(const struct go_vplan *pl, uint64_t off, uint64_t n)
{
	uint64_t end = off + n;
	uint32_t i;
	bool more = true;

	while (off < end && more)
		for (i = 0, more = false; i < pl->nplaces && i < GO_TRACE_VPLACES && !more; i++)
			if (off >= pl->place[i].off && off < (uint64_t)pl->place[i].off +
			    pl->place[i].size) {
				off = (uint64_t)pl->place[i].off + pl->place[i].size;
				more = true;
			}
	return off >= end;
}

/* Are the n bytes at off in what the probe copied? */
static bool copied(const struct fmtr *m, uint64_t off, uint64_t n)
{
	uint32_t i;

	if (off + n > GO_TRACE_VAL_BUF || off + n < off)
		return false;
	if (m->pl->root) {
		if (m->tv->root != GO_VREAD_FAULT && off + n <= m->tv->root)
			return true;
	} else if (placed(m->pl, off, n)) {
		return true;
	}
	for (i = 0; i < m->pl->nreads && i < GO_TRACE_VREADS; i++) {
		const struct go_vread *r = &m->pl->read[i];

		if (m->tv->got[i] != GO_VREAD_FAULT && off >= r->dst &&
		    off + n <= (uint64_t)r->dst + m->tv->got[i])
			return true;
	}
	return false;
}

static uint64_t word(const struct fmtr *m, uint64_t off, int size)
{
	uint64_t w = 0;

	memcpy(&w, m->tv->buf + off, (size_t)size);
	return w;
}

/* The read of what the word at off points to: its index, or -1 when none was planned. */
static int read_of(const struct fmtr *m, uint64_t off)
{
	uint32_t i;

	for (i = 0; i < m->pl->nreads && i < GO_TRACE_VREADS; i++)
		if (m->pl->read[i].src == off)
			return (int)i;
	return -1;
}

static void text_at(struct fmtr *m, struct vt x, uint64_t off, bool top, bool exported);

static void text_scalar(struct fmtr *m, int kind, uint64_t off)
{
	int size = go_rkind__bytes(kind), minor = go_types__go_minor(m->t);
	uint64_t w = word(m, off, size);
	char buf[64];
	union { uint32_t u; float f; } f32 = { (uint32_t)w };
	union { uint64_t u; double d; } f64 = { w };
	int shift = 64 - 8 * size;

	switch (kind) {
	case GO_RKIND_BOOL:
		fputs(w ? "true" : "false", m->f);
		return;
	case GO_RKIND_INT: case GO_RKIND_INT8: case GO_RKIND_INT16: case GO_RKIND_INT32:
	case GO_RKIND_INT64:
		fprintf(m->f, "%lld", (long long)((int64_t)(w << shift) >> shift));
		return;
	case GO_RKIND_FLOAT32: case GO_RKIND_FLOAT64:
		go_format_float(kind == GO_RKIND_FLOAT32 ? (double)f32.f : f64.d,
				kind == GO_RKIND_FLOAT32 ? 32 : 64, minor, buf, sizeof(buf));
		fputs(buf, m->f);
		return;
	default:
		fprintf(m->f, "%llu", (unsigned long long)w);
	}
}

static void text_complex(struct fmtr *m, int kind, uint64_t off)
{
	int bits = kind == GO_RKIND_COMPLEX64 ? 32 : 64, size = bits / 8, i;
	char part[2][64];

	for (i = 0; i < 2; i++) {
		uint64_t w = word(m, off + (uint64_t)(i * size), size);
		union { uint32_t u; float f; } f32 = { (uint32_t)w };
		union { uint64_t u; double d; } f64 = { w };

		go_format_float(bits == 32 ? (double)f32.f : f64.d, bits, go_types__go_minor(m->t),
				part[i], sizeof(part[i]));
	}
	fprintf(m->f, "(%s%s%si)", part[0], part[1][0] == '-' || part[1][0] == '+' ? "" : "+",
		part[1]);
}

/* A read's state: 0 copied (*n bytes at *dst), 1 not copied (cut), -1 unreadable. */
static int read_state(const struct fmtr *m, uint64_t off, uint32_t *dst, uint64_t *n)
{
	int r = read_of(m, off);

	if (r < 0 || m->tv->got[r] == 0)
		return 1;
	if (m->tv->got[r] == GO_VREAD_FAULT)
		return -1;
	*dst = m->pl->read[r].dst;
	*n = m->tv->got[r];
	if (*dst >= VHALF || *n > GO_TRACE_VAL_BUF - *dst)	/* not what a probe copies */
		return -1;
	return 0;
}

static void text_string(struct fmtr *m, uint64_t off)
{
	uint64_t ptr = word(m, off, 8), len = word(m, off + 8, 8), n = 0;
	uint32_t dst = 0;
	int st;

	if (!len)
		return;
	st = ptr ? read_state(m, off, &dst, &n) : 1;
	if (st < 0) {
		fputs("<unreadable>", m->f);
		return;
	}
	if (!st)
		fwrite(m->tv->buf + dst, 1, n < len ? n : len, m->f);
	if (st || n < len)
		fputs("...", m->f);
}

/* n elements of x (esize bytes each) at off, of len; "..." for those not copied. */
static void text_elems(struct fmtr *m, struct vt e, uint64_t off, uint64_t esize, uint64_t len,
		       uint64_t n, bool exported)
{
	uint64_t i;

	fputc('[', m->f);
	for (i = 0; i < len && i < n; i++) {
		if (i)
			fputc(' ', m->f);
		text_at(m, e, off + i * esize, false, exported);
	}
	if (i < len)
		fputs(i ? " ..." : "...", m->f);
	fputc(']', m->f);
}

static void text_slice(struct fmtr *m, struct vt x, uint64_t off, bool exported)
{
	uint64_t ptr = word(m, off, 8), len = word(m, off + 8, 8), esize, n = 0;
	uint32_t dst = 0;
	struct vt e;
	int st;

	if (vt_elem(m->t, x, &e) || !(esize = vt_size(m->t, e))) {
		fputs(len ? "[...]" : "[]", m->f);
		return;
	}
	st = ptr && len ? read_state(m, off, &dst, &n) : 0;
	if (st < 0)
		fputs("<unreadable>", m->f);
	else
		text_elems(m, e, dst, esize, len, st ? 0 : n / esize, exported);
}

/* fmtsort's order of two keys of a kind (strings, numbers, booleans); 0 when equal. */
static int key_cmp(struct fmtr *m, int kind, uint64_t a, uint64_t b)
{
	uint64_t x, y;

	if (kind == GO_RKIND_STRING) {
		uint32_t da = 0, db = 0;
		uint64_t na = word(m, a + 8, 8), nb = word(m, b + 8, 8), ga = 0, gb = 0;
		int c;

		read_state(m, a, &da, &ga);
		read_state(m, b, &db, &gb);
		c = memcmp(m->tv->buf + da, m->tv->buf + db, na < nb ? na : nb);
		return c ? c : (na > nb) - (na < nb);
	}
	x = word(m, a, go_rkind__bytes(kind));
	y = word(m, b, go_rkind__bytes(kind));
	if (kind == GO_RKIND_FLOAT64 || kind == GO_RKIND_FLOAT32) {
		union { uint64_t u; double d; } dx = { x }, dy = { y };
		union { uint32_t u; float f; } fx = { (uint32_t)x }, fy = { (uint32_t)y };
		double p = kind == GO_RKIND_FLOAT32 ? fx.f : dx.d, q = kind == GO_RKIND_FLOAT32 ?
			   fy.f : dy.d;

		return p != p ? (q != q ? 0 : -1) : q != q ? 1 : (p > q) - (p < q);	/* NaN first */
	}
	if (kind >= GO_RKIND_INT && kind <= GO_RKIND_INT64) {
		int shift = 64 - 8 * go_rkind__bytes(kind);
		int64_t sx = (int64_t)(x << shift) >> shift, sy = (int64_t)(y << shift) >> shift;

		return (sx > sy) - (sx < sy);
	}
	return (x > y) - (x < y);
}

/* Is a key of this kind one whose order is known, and fully copied? */
static bool key_ok(struct fmtr *m, int kind, uint64_t off)
{
	uint32_t dst;
	uint64_t n = 0, len;

	if (kind == GO_RKIND_STRING) {
		len = word(m, off + 8, 8);
		return !len || (!read_state(m, off, &dst, &n) && n == len);
	}
	return (kind >= GO_RKIND_BOOL && kind <= GO_RKIND_FLOAT64);
}

/* The full slots of a small map's group at g: their key offsets into k; how many, -1 if not
 * a small map whose entries are all copied. */
static int map_slots(struct fmtr *m, const struct vmap *mp, uint64_t hdr, uint64_t g,
		     uint64_t *keys, uint64_t *elems)
{
	uint64_t count = word(m, hdr + GO_MAP_COUNT, 8), ctrl = word(m, g, 8), k, e;
	int i, n = 0, kk = vt_kind(m->t, mp->key);

	if (mp->swiss ? word(m, hdr + GO_MAP_MORE, 8) != 0 :	/* dirLen: a table, not a group */
	    (word(m, hdr + GO_MAP_B, 1) != 0 || word(m, hdr + GO_MAP_MORE, 8) != 0 ||
	     word(m, g + mp->group - 8, 8) != 0))	/* an overflow bucket */
		return -1;
	for (i = 0; i < GO_MAP_SLOTS; i++) {
		bool full = mp->swiss ? !((ctrl >> (8 * i)) & GO_MAP_CTRL_EMPTY) :
					((ctrl >> (8 * i)) & 0xff) >= GO_MAP_TOPHASH_MIN;

		if (!full)
			continue;
		vmap_slot(mp, i, &k, &e);
		if (!key_ok(m, kk, g + k))
			return -1;
		keys[n] = g + k;
		elems[n++] = g + e;
	}
	return (uint64_t)n == count ? n : -1;
}

static void text_map(struct fmtr *m, struct vt x, uint64_t off, bool exported)
{
	uint64_t keys[8], elems[8], t;
	uint32_t hdr = 0, g = 0;
	uint64_t n = 0, gn = 0;
	struct vmap mp = { 0 };
	bool planned;
	int i, j, cnt, kk, st;

	fputs("map[", m->f);
	if (!word(m, off, 8)) {
		fputc(']', m->f);
		return;
	}
	st = read_state(m, off, &hdr, &n);
	if (!st && n >= 48 && !word(m, hdr + GO_MAP_COUNT, 8)) {	/* no entries */
		fputc(']', m->f);
		return;
	}
	/* a map read whole, of a type whose layout is known: its group's entries */
	planned = !st && n >= 48 && !vmap_of(m->t, x.addr, &mp) && !mp.indirect;
	if (planned)
		st = read_state(m, hdr + GO_MAP_GROUP, &g, &gn);
	if (st < 0) {
		fputs("<unreadable>]", m->f);
		return;
	}
	if (!planned || st || gn < mp.group || (cnt = map_slots(m, &mp, hdr, g, keys, elems)) < 0) {
		fputs("...]", m->f);
		return;
	}
	kk = vt_kind(m->t, mp.key);
	for (i = 1; i < cnt; i++)	/* insertion sort: at most 8 */
		for (j = i; j > 0 && key_cmp(m, kk, keys[j - 1], keys[j]) > 0; j--) {
			t = keys[j], keys[j] = keys[j - 1], keys[j - 1] = t;
			t = elems[j], elems[j] = elems[j - 1], elems[j - 1] = t;
		}
	for (i = 0; i < cnt; i++) {
		fputs(i ? " " : "", m->f);
		text_at(m, mp.key, keys[i], false, exported);
		fputc(':', m->f);
		text_at(m, mp.elem, elems[i], false, exported);
	}
	fputc(']', m->f);
}

static void text_struct(struct fmtr *m, struct vt x, uint64_t off, bool exported)
{
	struct go_tfield f;
	size_t i;

	fputc('{', m->f);
	for (i = 0; i < MAX_FIELDS && !go_types__field(m->t, x.addr, i, &f); i++) {
		if (i)
			fputc(' ', m->f);
		if (m->plus)
			fprintf(m->f, "%s:", f.name);
		/* a field's methods are called only when it can be had as an interface: exported */
		text_at(m, (struct vt){ f.type, 0 }, off + f.offset, false,
			exported && f.name[0] >= 'A' && f.name[0] <= 'Z');
	}
	if (go_types__nfields(m->t, x.addr) > (int)i)
		fputs(i ? " ..." : "...", m->f);
	fputc('}', m->f);
}

static void text_pointer(struct fmtr *m, struct vt x, uint64_t off, bool top, bool exported)
{
	uint64_t w = word(m, off, 8), n = 0;
	uint32_t dst = 0;
	struct vt e;
	int ek, st;

	if (!w) {
		fputs("<nil>", m->f);
		return;
	}
	ek = top && !vt_elem(m->t, x, &e) ? vt_kind(m->t, e) : 0;
	if (ek != GO_RKIND_STRUCT && ek != GO_RKIND_ARRAY && ek != GO_RKIND_SLICE &&
	    ek != GO_RKIND_MAP) {
		fprintf(m->f, "0x%llx", (unsigned long long)w);
		return;
	}
	st = read_state(m, off, &dst, &n);
	fputc('&', m->f);
	if (st < 0)
		fputs("<unreadable>", m->f);
	else if (st)
		fputs(ek == GO_RKIND_STRUCT ? "{...}" : ek == GO_RKIND_MAP ? "map[...]" : "[...]",
		      m->f);
	else
		text_at(m, e, dst, false, exported);
}

/* The method %v would call instead, or NULL. */
static const char *method_of(const struct go_types *t, struct vt x)
{
	/* with stars, no descriptor of the pointer: its target's value methods */
	return go_types__fmt_method(t, x.addr);
}

static void text_at(struct fmtr *m, struct vt x, uint64_t off, bool top, bool exported)
{
	int kind = vt_kind(m->t, x);
	uint64_t size = vt_size(m->t, x);
	const char *method;

	if (kind <= 0) {
		fputs("<unknown type>", m->f);
		return;
	}
	if (!copied(m, off, kind == GO_RKIND_STRUCT || kind == GO_RKIND_ARRAY ?
		    (size ? 1 : 0) : size)) {
		fputs(m->pl->root && m->tv->root == GO_VREAD_FAULT ? "<unreadable>" : "...", m->f);
		return;
	}
	/* a nil pointer's methods are not called; a value's are, when it is exported */
	if (exported && !((kind == GO_RKIND_POINTER || kind == GO_RKIND_MAP) && !word(m, off, 8)) &&
	    (method = method_of(m->t, x))) {
		if (x.stars || size > 8 || kind == GO_RKIND_STRUCT || kind == GO_RKIND_ARRAY ||
		    !go_value__method_part(m->t, x.addr, kind, word(m, off, size), true, m->f))
			fprintf(m->f, "<%s method>", method);
		return;
	}
	switch (kind) {
	case GO_RKIND_POINTER:
		text_pointer(m, x, off, top, exported);
		return;
	case GO_RKIND_CHAN: case GO_RKIND_FUNC: case GO_RKIND_UNSAFE_POINTER:
		if (word(m, off, 8))
			fprintf(m->f, "0x%llx", (unsigned long long)word(m, off, 8));
		else
			fputs("<nil>", m->f);
		return;
	case GO_RKIND_STRUCT:
		text_struct(m, x, off, exported);
		return;
	case GO_RKIND_ARRAY: {
		struct vt e;
		uint64_t esize;

		if (vt_elem(m->t, x, &e) || !(esize = vt_size(m->t, e)))
			fputs(size ? "[...]" : "[]", m->f);
		else
			text_elems(m, e, off, esize, size / esize,
				   copied(m, off, size) ? size / esize : MAX_ELEMS, exported);
		return;
	}
	case GO_RKIND_SLICE:
		text_slice(m, x, off, exported);
		return;
	case GO_RKIND_STRING:
		text_string(m, off);
		return;
	case GO_RKIND_MAP:
		text_map(m, x, off, exported);
		return;
	case GO_RKIND_INTERFACE:
		if (!word(m, off, 8))
			fputs("<nil>", m->f);
		else
			fputs("<not copied>", m->f);	/* an interface's value is not read */
		return;
	case GO_RKIND_COMPLEX64: case GO_RKIND_COMPLEX128:
		text_complex(m, kind, off);
		return;
	default:
		text_scalar(m, kind, off);
	}
}

int go_vplan__format(struct go_types *t, uint64_t type, int stars,
		     const struct go_vplan *pl, const struct go_tval *tv, bool plus, char **text)
{
	struct fmtr m = { t, pl, tv, plus, NULL };
	size_t size;

	*text = NULL;
	m.f = open_memstream(text, &size);
	if (!m.f)
		return -ENOMEM;
	if (pl->root && tv->root == GO_VREAD_FAULT)
		fputs("<unreadable>", m.f);
	else
		text_at(&m, (struct vt){ type, stars }, 0, true, true);
	if (fclose(m.f)) {
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	return 0;
}
