// SPDX-License-Identifier: Apache-2.0
/*
 * pprof profiles (github.com/google/pprof, proto/profile.proto), gzipped, as `go tool pprof`
 * reads them: samples of Go stacks, each pc a Location whose Lines are the frames there, inlined
 * calls first, with file, line and the function's start line; one Mapping for the binary, with
 * its Go build ID; labels as sample labels; comments (service_name=..., host=...) for the
 * continuous profilers that ship it. A path may be a template of one profile an interval.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "binary/binary_priv.h"
#include "session/tool.h"

/* ---- protobuf ------------------------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t n, cap;
	bool oom;
};

static void buf_put(struct buf *b, const void *d, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		uint8_t *p;

		while (cap < b->n + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void pb_varint(struct buf *b, uint64_t v)
{
	uint8_t t[10];
	int n = 0;

	do {
		t[n++] = (v & 0x7f) | (v > 0x7f ? 0x80 : 0);
		v >>= 7;
	} while (v);
	buf_put(b, t, n);
}

static void pb_uint(struct buf *b, int field, uint64_t v)
{
	if (!v)
		return;
	pb_varint(b, (uint64_t)field << 3);
	pb_varint(b, v);
}

static void pb_bytes(struct buf *b, int field, const void *d, size_t n)
{
	pb_varint(b, (uint64_t)field << 3 | 2);
	pb_varint(b, n);
	buf_put(b, d, n);
}

static void pb_msg(struct buf *b, int field, struct buf *m)
{
	pb_bytes(b, field, m->p, m->n);
	if (m->oom)
		b->oom = true;
	m->n = 0;
}

/* ---- tables --------------------------------------------------------------------------------- */

struct ent {
	uint64_t k1, k2;
	uint64_t id;
};

/* Open addressing on two words; ids from 1. */
struct table {
	struct ent *e;
	size_t cap, n;
};

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull + (a << 6));

	return h ^ (h >> 29);
}

/* The id of (k1, k2), *fresh when new; 0 when out of memory. */
static uint64_t table_id(struct table *t, uint64_t k1, uint64_t k2, bool *fresh)
{
	size_t i;

	*fresh = false;
	if ((t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024, j;
		struct ent *e = calloc(cap, sizeof(*e));

		if (!e)
			return 0;
		for (j = 0; j < t->cap; j++) {
			if (!t->e[j].id)
				continue;
			for (i = mix(t->e[j].k1, t->e[j].k2) & (cap - 1); e[i].id; i = (i + 1) & (cap - 1))
				;
			e[i] = t->e[j];
		}
		free(t->e);
		t->e = e;
		t->cap = cap;
	}
	for (i = mix(k1, k2) & (t->cap - 1); t->e[i].id; i = (i + 1) & (t->cap - 1))
		if (t->e[i].k1 == k1 && t->e[i].k2 == k2)
			return t->e[i].id;
	t->e[i].k1 = k1;
	t->e[i].k2 = k2;
	t->e[i].id = ++t->n;
	*fresh = true;
	return t->e[i].id;
}

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

struct go_pprof {
	struct go_binary *bin;
	const struct go_lines *lines;
	struct buf out;			/* the Profile message, less its strings */
	struct buf strs;		/* string_table entries */
	struct table str, loc, fn;
	char **str_vals;		/* for checking hash hits */
	size_t nstr_vals;
	uint64_t start_ns;
};

/* The index of s in the string table. */
static int64_t str_id(struct go_pprof *p, const char *s)
{
	uint64_t h = str_hash(s), id;
	bool fresh;
	int salt;

	for (salt = 0; salt < 64; salt++) {	/* salt: content hash collisions */
		id = table_id(&p->str, h, salt, &fresh);
		if (!id)
			return -1;
		if (!fresh) {
			if (!strcmp(p->str_vals[id - 1], s))
				return (int64_t)id;
			continue;
		}
		if (id > p->nstr_vals) {
			char **v = realloc(p->str_vals, (id + 1024) * sizeof(*v));

			if (!v)
				return -1;
			p->str_vals = v;
			p->nstr_vals = id + 1024;
		}
		p->str_vals[id - 1] = strdup(s);
		pb_bytes(&p->strs, 6, s, strlen(s));
		return (int64_t)id;
	}
	return -1;
}

struct go_pprof *go_pprof__new(struct go_binary *bin, const struct go_lines *lines,
			       const char *type, const char *unit, uint64_t start_ns)
{
	struct go_pprof *p = calloc(1, sizeof(*p));
	struct buf vt = { 0 };
	struct timespec ts;

	if (!p) {
		go_fail(ENOMEM, "out of memory");
		return NULL;
	}
	p->bin = bin;
	p->lines = lines;
	pb_bytes(&p->strs, 6, "", 0);	/* string_table[0] is "" */
	pb_uint(&vt, 1, str_id(p, type));
	pb_uint(&vt, 2, str_id(p, unit));
	pb_msg(&p->out, 1, &vt);	/* sample_type */
	free(vt.p);
	clock_gettime(CLOCK_REALTIME, &ts);
	p->start_ns = start_ns ? start_ns : (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	return p;
}

static uint64_t function_id(struct go_pprof *p, const struct go_frame *f)
{
	uint64_t id;
	bool fresh;

	id = table_id(&p->fn, (uint64_t)(uintptr_t)f->func, (uint64_t)(uintptr_t)f->file, &fresh);
	if (id && fresh) {
		struct buf m = { 0 };

		pb_uint(&m, 1, id);
		pb_uint(&m, 2, str_id(p, f->func));
		pb_uint(&m, 3, str_id(p, f->func));
		pb_uint(&m, 4, str_id(p, f->file));
		pb_uint(&m, 5, f->start_line > 0 ? f->start_line : 0);
		pb_msg(&p->out, 5, &m);
		free(m.p);
	}
	return id;
}

/* The location of a stack's frames at one pc, fr[0..n): the frames Go shows there (some may be
 * left out, as wrappers are), which the pc, whether it is a return address, and how many
 * frames are shown identify. */
static uint64_t location_id(struct go_pprof *p, const struct go_stack_frame *fr, int n)
{
	struct buf m = { 0 }, l = { 0 };
	uint64_t id;
	bool fresh;
	int i;

	id = table_id(&p->loc, fr[0].pc, (uint64_t)(fr[0].at > 0) | (uint64_t)n << 1, &fresh);
	if (!id || !fresh)
		return id;
	pb_uint(&m, 1, id);
	pb_uint(&m, 2, 1);		/* the binary's mapping */
	pb_uint(&m, 3, fr[0].pc);
	for (i = 0; i < n; i++) {
		pb_uint(&l, 1, function_id(p, &fr[i].f));
		pb_uint(&l, 2, fr[i].f.line > 0 ? fr[i].f.line : 0);
		pb_msg(&m, 4, &l);
	}
	pb_msg(&p->out, 4, &m);
	free(m.p);
	free(l.p);
	return id;
}

/* A location of no address whose one frame is named note ("[truncated at 127 frames]"). */
static uint64_t note_id(struct go_pprof *p, const char *note)
{
	struct buf m = { 0 }, l = { 0 }, f = { 0 };
	int64_t name = str_id(p, note);
	uint64_t id, fid;
	bool fresh;

	if (name < 0)
		return 0;
	fid = table_id(&p->fn, (uint64_t)name, ~0ull, &fresh);
	if (fid && fresh) {
		pb_uint(&f, 1, fid);
		pb_uint(&f, 2, (uint64_t)name);
		pb_uint(&f, 3, (uint64_t)name);
		pb_msg(&p->out, 5, &f);
		free(f.p);
	}
	id = table_id(&p->loc, (uint64_t)name, ~0ull, &fresh);
	if (!id || !fresh || !fid)
		return id;
	pb_uint(&m, 1, id);
	pb_uint(&l, 1, fid);
	pb_msg(&m, 4, &l);
	pb_msg(&p->out, 4, &m);
	free(m.p);
	free(l.p);
	return id;
}

int go_pprof__add(struct go_pprof *p, const struct go_stack_frame *fr, int n, const char *note,
		  int64_t value, const char *const *labels, int nlabels, const char *labels_note)
{
	struct buf s = { 0 }, ids = { 0 }, lab = { 0 };
	int i, j;

	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && fr[j].at == fr[i].at; j++)
			;
		pb_varint(&ids, location_id(p, &fr[i], j - i));
	}
	if (note)	/* where the stack was cut: its root, as in the text and folded output */
		pb_varint(&ids, note_id(p, note));
	pb_bytes(&s, 1, ids.p, ids.n);		/* location_id, packed */
	free(ids.p);
	ids.p = NULL;
	ids.n = ids.cap = 0;
	pb_varint(&ids, (uint64_t)value);
	pb_bytes(&s, 2, ids.p, ids.n);		/* value, packed */
	free(ids.p);
	for (i = 0; i < nlabels; i++) {
		pb_uint(&lab, 1, str_id(p, labels[2 * i]));
		pb_uint(&lab, 2, str_id(p, labels[2 * i + 1]));
		pb_msg(&s, 3, &lab);
	}
	if (labels_note) {	/* what of the labels could not be kept */
		pb_uint(&lab, 1, str_id(p, "[labels not kept]"));
		pb_uint(&lab, 2, str_id(p, labels_note));
		pb_msg(&s, 3, &lab);
	}
	free(lab.p);
	pb_msg(&p->out, 2, &s);
	free(s.p);
	return p->out.oom || p->strs.oom ? go_fail(ENOMEM, "out of memory") : 0;
}

int go_pprof__comment(struct go_pprof *p, const char *text)
{
	pb_uint(&p->out, 13, (uint64_t)str_id(p, text));
	return p->out.oom || p->strs.oom ? go_fail(ENOMEM, "out of memory") : 0;
}

/* The Go build ID from the .note.go.buildid note, or "". */
static void go_build_id(const struct go_binary *b, char *out, size_t size)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	out[0] = 0;
	if (elf_getshdrstrndx(b->elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(b->elf, scn))) {
		GElf_Shdr sh;
		const char *n;
		const uint8_t *d;
		uint32_t namesz, descsz;

		if (!gelf_getshdr(scn, &sh))
			continue;
		n = elf_strptr(b->elf, shstrndx, sh.sh_name);
		if (!n || strcmp(n, ".note.go.buildid") || sh.sh_offset + sh.sh_size > b->size ||
		    sh.sh_size < 16)
			continue;
		d = b->map + sh.sh_offset;
		memcpy(&namesz, d, 4);
		memcpy(&descsz, d + 4, 4);
		if (namesz != 4 || 16 + (uint64_t)descsz > sh.sh_size || descsz >= size)
			return;
		memcpy(out, d + 16, descsz);
		out[descsz] = 0;
		return;
	}
}

/*
 * The profile's file, opened for root to write: never through a symbolic link as its last
 * component (one planted in /tmp would have root write over what it names), and only a
 * regular file (a FIFO would block). A descriptor, or a negative errno with the message set.
 */
static int pprof_open(const char *path, int how)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | how, 0644);
	struct stat st;

	if (fd < 0)
		return go_fail(errno, errno == ELOOP ? "cannot write '%s': it is a symbolic link" :
				      "cannot write '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return go_fail(EINVAL, "cannot write '%s': not a regular file", path);
	}
	return fd;
}

bool go_pprof__is_template(const char *path)
{
	const char *c;

	for (c = strchr(path, '%'); c; c = strchr(c + 2, '%'))
		if (c[1] == 'n' || c[1] == 't')
			return true;
		else if (!c[1])
			break;
	return false;
}

int go_pprof__path(const char *tmpl, unsigned long n, uint64_t t, char *out, size_t size)
{
	size_t off = 0;
	const char *c;
	int len;

	for (c = tmpl; *c && off < size; c++) {
		if (*c != '%' || (c[1] != 'n' && c[1] != 't' && c[1] != '%')) {
			out[off++] = *c;
			continue;
		}
		c++;
		len = *c == '%' ? snprintf(out + off, size - off, "%%") :
		      snprintf(out + off, size - off, "%llu", *c == 'n' ? (unsigned long long)n :
			       (unsigned long long)t);
		off += len > 0 ? (size_t)len : 0;
	}
	if (off >= size)
		return go_fail(ENAMETOOLONG, "the profile's name is too long: '%s'", tmpl);
	out[off] = 0;
	return 0;
}

/* A template's directory must be one that can be written: its profiles go there later. */
static bool dir_writable(const char *tmpl)
{
	char path[4096], *dir;
	struct stat st;

	if (go_pprof__path(tmpl, 1, 0, path, sizeof(path)))
		return false;
	dir = dirname(path);
	if (stat(dir, &st) || !S_ISDIR(st.st_mode) || access(dir, W_OK)) {
		go_fail(errno ? errno : ENOTDIR, "cannot write profiles in '%s': %s", dir,
			strerror(errno ? errno : ENOTDIR));
		return false;
	}
	return true;
}

bool go_pprof__writable(const char *path)
{
	int fd;

	if (go_pprof__is_template(path))
		return dir_writable(path);
	fd = pprof_open(path, O_APPEND);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

int go_pprof__write(struct go_pprof *p, const char *path)
{
	struct buf m = { 0 }, all = { 0 };
	size_t nf = go_binary__func_cnt(p->bin);
	char build_id[256];
	struct timespec ts;
	uint64_t now, lo, hi;
	gzFile gz;
	int err = 0, fd;

	/* the mapping: the text of the binary, at its link-time addresses */
	lo = nf ? go_binary__func(p->bin, 0)->entry : 0;
	hi = nf ? go_binary__func(p->bin, nf - 1)->end : 0;
	go_build_id(p->bin, build_id, sizeof(build_id));
	pb_uint(&m, 1, 1);
	pb_uint(&m, 2, lo);
	pb_uint(&m, 3, hi);
	pb_uint(&m, 4, nf ? (uint64_t)go_binary__file_offset(p->bin, lo) : 0);
	pb_uint(&m, 5, str_id(p, go_binary__name(p->bin)));
	pb_uint(&m, 6, str_id(p, build_id));
	pb_uint(&m, 7, 1);
	pb_uint(&m, 8, 1);
	pb_uint(&m, 9, 1);
	pb_uint(&m, 10, 1);
	pb_msg(&p->out, 3, &m);
	free(m.p);
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
	pb_uint(&p->out, 9, p->start_ns);
	pb_uint(&p->out, 10, now - p->start_ns);
	buf_put(&all, p->strs.p, p->strs.n);
	buf_put(&all, p->out.p, p->out.n);
	if (all.oom || p->out.oom || p->strs.oom) {
		free(all.p);
		return go_fail(ENOMEM, "out of memory");
	}
	fd = pprof_open(path, O_TRUNC);
	gz = fd >= 0 ? gzdopen(fd, "wb") : NULL;
	if (fd >= 0 && !gz) {
		close(fd);
		err = go_fail(ENOMEM, "cannot write '%s'", path);
	} else if (!gz) {
		err = fd;
	}
	else if (gzwrite(gz, all.p, all.n) != (int)all.n)
		err = go_fail(EIO, "cannot write '%s'", path);
	if (gz && gzclose(gz) != Z_OK && !err)
		err = go_fail(EIO, "cannot write '%s'", path);
	free(all.p);
	return err;
}

void go_pprof__free(struct go_pprof *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->str.n; i++)
		free(p->str_vals[i]);
	free(p->str_vals);
	free(p->str.e);
	free(p->loc.e);
	free(p->fn.e);
	free(p->out.p);
	free(p->strs.p);
	free(p);
}
