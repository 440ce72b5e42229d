// SPDX-License-Identifier: Apache-2.0
/*
 * The runtime's type descriptors, read from the file: what an interface's first word points to.
 *
 * gc: every type the compiler and linker made lies between moduledata.types and .etypes; a
 * type's name is the NameOff abi.Type.Str counted from types. moduledata is runtime.firstmoduledata
 * when there is a symbol table, the .go.module section in Go 1.26, and otherwise the word in
 * the data that points to the pclntab header (moduledata's first field), confirmed by the next
 * word (the function name table). A type made at run time by reflect lies outside that range:
 * it is reported as such, never named from guesswork.
 * gccgo: no moduledata; a type descriptor holds a pointer to its name's string header.
 * PIE: Go's linker writes link-time addresses into the file as well as relocations; for other
 * linkers the R_X86_64_RELATIVE relocations' addends are the words' values.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "gobin_priv.h"

/* abi.Type (gc, Go 1.17-1.26), and gccgo's type descriptor: the offsets both share. */
#define TYPE_SIZE_GC 48
#define TYPE_SIZE_GCCGO 64
#define TYPE_TFLAG 20
#define TYPE_KIND 23
#define TYPE_STR 40
#define TFLAG_EXTRA_STAR 0x02
#define KIND_MASK 0x1f

struct go_types {
	struct go_binary *bin;
	bool gccgo;
	int minor;		/* 126 for Go 1.26 */
	uint64_t types, etypes;	/* gc: the type data, link-time addresses */
	uint64_t *rel_off, *rel_val;	/* R_X86_64_RELATIVE, sorted by offset */
	size_t nrel;
	/* gccgo: the process whose shared libraries (libgo.so) hold the standard library's types */
	pid_t pid;
	int64_t bias;
	uint64_t (*maps)[2];	/* its file-backed mappings */
	size_t nmaps;
};

/* gccgo: len bytes at a link-time address of the binary that lie in a shared library the process
 * maps from a file (read-only type data, as the file holds it), not in the heap. */
static bool mapped_bytes(const struct go_types *t, uint64_t addr, void *buf, size_t len)
{
	uint64_t a = addr + (uint64_t)t->bias;
	struct iovec local = { buf, len }, remote = { (void *)a, len };
	size_t i;

	for (i = 0; i < t->nmaps; i++)
		if (a >= t->maps[i][0] && a + len <= t->maps[i][1])
			return process_vm_readv(t->pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
	return false;
}

/* len bytes at a link-time address: from the file, or (gccgo) a shared library's mapping. */
static bool bytes_at(const struct go_types *t, uint64_t addr, void *buf, size_t len)
{
	const uint8_t *p = gobin_bytes(t->bin, addr, len);

	if (p) {
		memcpy(buf, p, len);
		return true;
	}
	return t->gccgo && mapped_bytes(t, addr, buf, len);
}

/*
 * A pointer-sized word at a link-time address; false when it is in neither the file nor (gccgo)
 * a mapped library. ptr: the word is an address: a library's, which the loader has relocated,
 * comes back as a link-time address of the binary too.
 */
static bool word_at_(const struct go_types *t, uint64_t addr, uint64_t *v, bool ptr)
{
	const uint8_t *p = gobin_bytes(t->bin, addr, 8);
	size_t lo = 0, hi = t->nrel;

	if (!p) {
		if (!t->gccgo || !mapped_bytes(t, addr, v, sizeof(*v)))
			return false;
		if (ptr)
			*v -= (uint64_t)t->bias;
		return true;
	}
	*v = gobin_le64(p);
	while (lo < hi) {	/* a relocated word: its addend is its value */
		size_t mid = (lo + hi) / 2;

		if (t->rel_off[mid] == addr) {
			*v = t->rel_val[mid];
			break;
		}
		if (t->rel_off[mid] < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return true;
}

static bool word_at(const struct go_types *t, uint64_t addr, uint64_t *v)
{
	return word_at_(t, addr, v, false);
}

static bool addr_at(const struct go_types *t, uint64_t addr, uint64_t *v)
{
	return word_at_(t, addr, v, true);
}

static int rel_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

/* Only words that the file leaves zero need them: collect the relocations of zero words. */
static int relocs_load(struct go_types *t)
{
	struct go_binary *b = t->bin;
	Elf_Scn *scn = NULL;
	uint64_t *pairs = NULL;
	size_t n = 0, cap = 0, i;

	while ((scn = elf_nextscn(b->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			const uint8_t *p;
			GElf_Rela r;

			if (!gelf_getrela(d, (int)i, &r) || GELF_R_TYPE(r.r_info) != R_X86_64_RELATIVE)
				continue;
			p = gobin_bytes(b, r.r_offset, 8);
			if (!p || gobin_le64(p) == (uint64_t)r.r_addend)
				continue;
			if (n == cap) {
				uint64_t *np;

				cap = cap ? cap * 2 : 1024;
				np = realloc(pairs, cap * 2 * sizeof(*np));
				if (!np) {
					free(pairs);
					return go_fail(ENOMEM, "out of memory");
				}
				pairs = np;
			}
			pairs[2 * n] = r.r_offset;
			pairs[2 * n + 1] = (uint64_t)r.r_addend;
			n++;
		}
	}
	if (!n)
		return 0;
	qsort(pairs, n, 2 * sizeof(*pairs), rel_cmp);
	t->rel_off = malloc(n * sizeof(*t->rel_off));
	t->rel_val = malloc(n * sizeof(*t->rel_val));
	if (!t->rel_off || !t->rel_val) {
		free(pairs);
		return go_fail(ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		t->rel_off[i] = pairs[2 * i];
		t->rel_val[i] = pairs[2 * i + 1];
	}
	t->nrel = n;
	free(pairs);
	return 0;
}

/* ---- moduledata (gc) ------------------------------------------------------------------------ */

/* Offset of moduledata.types on amd64 (etypes follows it). */
static int moduledata_types_off(int minor)
{
	if (minor >= 120)
		return 296;
	if (minor >= 117)
		return 280;
	return -1;
}

static uint64_t symbol_addr(const struct go_binary *b, const char *name)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(b->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			if (!gelf_getsym(d, (int)i, &s))
				continue;
			n = elf_strptr(b->elf, sh.sh_link, s.st_name);
			if (n && !strcmp(n, name))
				return s.st_value;
		}
	}
	return 0;
}

static uint64_t section_addr(const struct go_binary *b, const char *name)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(b->elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(b->elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) && (n = elf_strptr(b->elf, shstrndx, sh.sh_name)) &&
		    !strcmp(n, name))
			return sh.sh_addr;
	}
	return 0;
}

/* moduledata begins {pcHeader *pcHeader, funcnametab []byte, ...}: find it in writable data. */
static uint64_t moduledata_scan(const struct go_types *t)
{
	const struct go_binary *b = t->bin;
	uint64_t pcln = gobin_pcln_addr(b), names;
	const uint8_t *hdr;
	int i;

	if (!pcln || !(hdr = gobin_bytes(b, pcln, 40)))
		return 0;
	names = pcln + gobin_le64(hdr + 32);	/* pcHeader.funcnameOffset (Go 1.18+) */
	for (i = 0; i < b->nsegs; i++) {
		const struct go_seg *s = &b->segs[i];
		uint64_t a, w;

		if (s->exec)
			continue;
		for (a = s->vaddr; a + 16 <= s->vaddr + s->filesz; a += 8)
			if (word_at(t, a, &w) && w == pcln &&
			    (t->minor < 118 || (word_at(t, a + 8, &w) && w == names)))
				return a;
	}
	return 0;
}

static int moduledata_load(struct go_types *t)
{
	struct go_binary *b = t->bin;
	int off = moduledata_types_off(t->minor);
	uint64_t md = symbol_addr(b, "runtime.firstmoduledata");

	if (off < 0)
		return go_fail(ENOTSUP, "'%s' was built by %s; type names need Go 1.17 or later",
			       b->name, b->version);
	if (!md)
		md = section_addr(b, ".go.module");
	if (!md)
		md = moduledata_scan(t);
	if (!md || !word_at(t, md + off, &t->types) || !word_at(t, md + off + 8, &t->etypes) ||
	    !t->types || t->etypes <= t->types || !gobin_bytes(b, t->types, t->etypes - t->types))
		return go_fail(ENOENT, "cannot find the runtime's type data in '%s'", b->name);
	return 0;
}

/* ---- open/close ----------------------------------------------------------------------------- */

struct go_types *go_types__open(struct go_binary *bin)
{
	struct go_types *t = calloc(1, sizeof(*t));
	int err;

	if (!t) {
		errno = ENOMEM;
		go_fail(ENOMEM, "out of memory");
		return NULL;
	}
	t->bin = bin;
	t->gccgo = go_binary__toolchain(bin) == GO_GCCGO;
	t->minor = gobin_go_minor(bin);
	err = bin->pie ? relocs_load(t) : 0;
	if (!err && !t->gccgo)
		err = moduledata_load(t);
	if (err) {
		go_types__close(t);
		errno = -err;
		return NULL;
	}
	return t;
}

int go_types__set_process(struct go_types *t, pid_t pid)
{
	char path[64], line[512];
	FILE *f;
	int err;

	if (!t->gccgo || pid <= 0 || pid == t->pid)
		return 0;
	err = go_binary__load_bias(t->bin, pid, &t->bias);
	if (err)
		return err;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return go_fail(errno, "cannot read %s: %s", path, strerror(errno));
	t->nmaps = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, inode;
		uint64_t (*m)[2];

		if (sscanf(line, "%llx-%llx %*s %*s %*s %llu", &lo, &hi, &inode) != 3 || !inode)
			continue;
		m = realloc(t->maps, (t->nmaps + 1) * sizeof(*m));
		if (!m)
			break;
		t->maps = m;
		t->maps[t->nmaps][0] = lo;
		t->maps[t->nmaps++][1] = hi;
	}
	fclose(f);
	t->pid = pid;
	return 0;
}

void go_types__close(struct go_types *t)
{
	if (!t)
		return;
	free(t->maps);
	free(t->rel_off);
	free(t->rel_val);
	free(t);
}

void go_types__range(const struct go_types *t, uint64_t *lo, uint64_t *hi)
{
	*lo = t->types;
	*hi = t->etypes;
}

/* ---- types ---------------------------------------------------------------------------------- */

/* The descriptor's bytes, when addr is a type in the file's type data (gccgo: or a library's). */
static const uint8_t *type_at(const struct go_types *t, uint64_t addr, uint8_t *buf)
{
	if (!addr || addr % 8)
		return NULL;
	if (t->gccgo)
		return bytes_at(t, addr, buf, TYPE_SIZE_GCCGO) ? buf : NULL;
	if (addr < t->types || addr + TYPE_SIZE_GC > t->etypes)
		return NULL;
	return gobin_bytes(t->bin, addr, TYPE_SIZE_GC);
}

/* gc: abi.Name at types + Str: a flags byte, the length (uvarint; 2 bytes big-endian before
 * Go 1.17), the bytes. */
static int gc_name(const struct go_types *t, const uint8_t *typ, char *buf, size_t size)
{
	int32_t str;
	uint64_t addr, len;
	const uint8_t *p, *end;
	size_t n;

	memcpy(&str, typ + TYPE_STR, sizeof(str));
	addr = t->types + (uint64_t)(int64_t)str;
	if (str < 0 || addr + 3 > t->etypes || !(p = gobin_bytes(t->bin, addr, t->etypes - addr)))
		return -ENOENT;
	end = p + (t->etypes - addr);
	n = gobin_uvarint(p + 1, end, &len);
	if (!n || len > (uint64_t)(end - p - 1 - n))
		return -ENOENT;
	p += 1 + n;
	if ((typ[TYPE_TFLAG] & TFLAG_EXTRA_STAR) && len && *p == '*') {
		p++;
		len--;
	}
	snprintf(buf, size, "%.*s", (int)len, p);
	return 0;
}

/* gccgo: *string at 40; package paths are wrapped in tabs ("*\terrors\terrors.errorString"). */
static int gccgo_name(const struct go_types *t, uint64_t addr, char *buf, size_t size)
{
	uint64_t hdr, ptr, len;
	uint8_t s[4096];
	size_t i, o = 0;
	bool in_path = false;

	if (!addr_at(t, addr + TYPE_STR, &hdr) || !addr_at(t, hdr, &ptr) ||
	    !word_at(t, hdr + 8, &len) || len > sizeof(s) ||
	    !bytes_at(t, ptr, s, len))
		return -ENOENT;
	for (i = 0; i < len && o + 1 < size; i++) {
		if (s[i] == '\t')
			in_path = !in_path;
		else if (!in_path)
			buf[o++] = (char)s[i];
	}
	if (size)
		buf[o] = 0;
	return 0;
}

int go_types__name(const struct go_types *t, uint64_t addr, char *buf, size_t size)
{
	uint8_t desc[TYPE_SIZE_GCCGO];
	const uint8_t *typ = type_at(t, addr, desc);
	int err;

	if (!typ)
		return go_fail(ENOENT, "type 0x%llx is not in the type data of '%s'",
			       (unsigned long long)addr, go_binary__name(t->bin));
	err = t->gccgo ? gccgo_name(t, addr, buf, size) : gc_name(t, typ, buf, size);
	if (err)
		return go_fail(ENOENT, "type 0x%llx of '%s' has no readable name",
			       (unsigned long long)addr, go_binary__name(t->bin));
	return 0;
}

void go_types__describe(struct go_types *t, pid_t pid, uint64_t addr, char *buf, size_t size,
			uint64_t *link)
{
	int64_t bias = 0;

	*link = 0;
	if (!addr) {
		snprintf(buf, size, "<nil>");
		return;
	}
	if (t->bin->pie && go_binary__load_bias(t->bin, pid, &bias))
		bias = 0;
	go_types__set_process(t, pid);
	if (!go_types__name(t, addr - (uint64_t)bias, buf, size))
		*link = addr - (uint64_t)bias;
	else	/* made at run time by reflect, or not a type the binary holds */
		snprintf(buf, size, "<runtime type %#llx>", (unsigned long long)addr);
}

int go_types__kind(const struct go_types *t, uint64_t addr)
{
	uint8_t buf[TYPE_SIZE_GCCGO];
	const uint8_t *typ = type_at(t, addr, buf);

	return typ ? typ[TYPE_KIND] & KIND_MASK : -ENOENT;
}

/*
 * Is a value of this type a pointer to a struct whose first field is a string, as
 * *errors.errorString and *fmt.wrapError are (their message)? Elem follows the type header in
 * abi.PtrType; abi.StructType has PkgPath, then Fields (a slice of {Name, Typ, Offset}); gccgo's
 * structField is {name, pkgPath, typ, tag, offset}.
 */
bool go_types__leading_string(const struct go_types *t, uint64_t addr)
{
	size_t hdr = t->gccgo ? TYPE_SIZE_GCCGO : TYPE_SIZE_GC;
	size_t fields = t->gccgo ? hdr : hdr + 8, ftyp = t->gccgo ? 16 : 8;
	size_t foff = t->gccgo ? 32 : 16;
	uint64_t elem, f, ft, nf, off;

	if (go_types__kind(t, addr) != GO_RKIND_POINTER || !addr_at(t, addr + hdr, &elem) ||
	    go_types__kind(t, elem) != GO_RKIND_STRUCT || !addr_at(t, elem + fields, &f) ||
	    !word_at(t, elem + fields + 8, &nf) || !nf || !addr_at(t, f + ftyp, &ft) ||
	    !word_at(t, f + foff, &off))
		return false;
	/* before Go 1.19 the offset is shifted left by one, the low bit saying "embedded" */
	return (off >> (!t->gccgo && t->minor < 119 ? 1 : 0)) == 0 &&
	       go_types__kind(t, ft) == GO_RKIND_STRING;
}

/* ---- values --------------------------------------------------------------------------------- */

/* Go's %v of a float: the shortest digits that read back the same, %e form from 1e21 on and
 * below 1e-4, and +Inf, -Inf, NaN. */
void go_format_float(double v, int bits, char *buf, size_t size)
{
	char e[64];
	int prec, exp;

	if (v != v) {
		snprintf(buf, size, "NaN");
		return;
	}
	if (v > 1e308 * 10 || v < -1e308 * 10) {
		snprintf(buf, size, "%cInf", v > 0 ? '+' : '-');
		return;
	}
	for (prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec, v);
		if (bits == 32 ? strtof(e, NULL) == (float)v : strtod(e, NULL) == v)
			break;
	}
	exp = atoi(strchr(e, 'e') + 1);
	if (exp < -4 || exp >= 21)
		snprintf(buf, size, "%s", e);
	else
		snprintf(buf, size, "%.*f", prec - exp > 0 ? prec - exp : 0, v);
}

/* Bytes of process pid at addr, when addr is in the binary's image (static data). */
static bool read_static(const struct go_types *t, pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };
	int64_t bias = 0;

	if (!len)
		return true;
	if (t->bin->pie && go_binary__load_bias(t->bin, pid, &bias))
		return false;
	if (go_binary__file_offset(t->bin, addr - (uint64_t)bias) < 0 ||
	    go_binary__file_offset(t->bin, addr - (uint64_t)bias + len - 1) < 0)
		return false;
	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

static size_t kind_size(int kind)
{
	switch (kind) {
	case GO_RKIND_BOOL: case GO_RKIND_INT8: case GO_RKIND_UINT8:
		return 1;
	case GO_RKIND_INT16: case GO_RKIND_UINT16:
		return 2;
	case GO_RKIND_INT32: case GO_RKIND_UINT32: case GO_RKIND_FLOAT32:
		return 4;
	case GO_RKIND_COMPLEX128:
		return 16;
	}
	return 8;
}

void go_ivalue__fetch(const struct go_types *t, pid_t pid, struct go_ivalue *v)
{
	uint64_t w[2] = { 0, 0 }, hdr[2];
	size_t n;

	if (v->unreadable && v->at && v->kind == GO_RKIND_STRING && v->str && v->str_size) {
		n = v->len < v->str_size - 1 ? v->len : v->str_size - 1;
		if (read_static(t, pid, v->at, v->str, n)) {
			v->str_len = n;
			v->has_str = true;
			v->unreadable = false;
		}
	} else if (v->unreadable && v->at && !v->direct) {
		if (read_static(t, pid, v->at, w, kind_size(v->kind))) {
			memcpy(v->word, w, sizeof(w));
			v->unreadable = false;
		}
	} else if (v->direct && v->kind == GO_RKIND_POINTER && !v->has_str && v->word[0] && v->str &&
		   v->str_size && go_types__leading_string(t, v->type)) {
		struct iovec local = { hdr, sizeof(hdr) }, remote = { (void *)v->word[0], 16 };

		if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != 16)
			return;
		n = hdr[1] < v->str_size - 1 ? hdr[1] : v->str_size - 1;
		if (read_static(t, pid, hdr[0], v->str, n)) {
			v->len = hdr[1];
			v->str_len = n;
			v->has_str = true;
		}
	}
}

/* strconv.Quote of the bytes held, or them as they are; "..." after when the string was longer. */
static void format_str(const struct go_ivalue *v, char *buf, size_t size)
{
	const unsigned char *s = (const unsigned char *)v->str;
	size_t i, o = 0;

	if (!v->quote) {
		snprintf(buf, size, "%.*s%s", (int)v->str_len, v->str,
			 v->len > v->str_len ? "..." : "");
		return;
	}

#define PUT(...) (o += (size_t)snprintf(buf + o, o < size ? size - o : 0, __VA_ARGS__))
	PUT("\"");
	for (i = 0; i < v->str_len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			PUT("\\%c", s[i]);
		else if (s[i] == '\n')
			PUT("\\n");
		else if (s[i] == '\t')
			PUT("\\t");
		else if (s[i] < 0x20 || s[i] == 0x7f)
			PUT("\\x%02x", s[i]);
		else
			PUT("%c", s[i]);
	}
	PUT("\"%s", v->len > v->str_len ? "..." : "");
#undef PUT
}

static int64_t sign_extend(uint64_t w, int bytes)
{
	int shift = 64 - 8 * bytes;

	return (int64_t)(w << shift) >> shift;
}

int go_value__format(const struct go_types *t, const struct go_ivalue *v, char *buf, size_t size)
{
	float f32;
	double f64;

	if (v->unreadable) {
		snprintf(buf, size, "<unreadable>");
		return 0;
	}
	if (v->direct) {
		/* a pointer to an error's message: the message, as %v of the error prints it */
		if (v->kind == GO_RKIND_POINTER && v->has_str && v->word[0] && t &&
		    go_types__leading_string(t, v->type)) {
			format_str(v, buf, size);
			return 0;
		}
		switch (v->kind) {
		case GO_RKIND_POINTER: case GO_RKIND_MAP: case GO_RKIND_CHAN: case GO_RKIND_FUNC:
		case GO_RKIND_UNSAFE_POINTER:
			snprintf(buf, size, "%#llx", (unsigned long long)v->word[0]);
			return 0;
		}
		return -ENOENT;
	}
	switch (v->kind) {
	case GO_RKIND_BOOL:
		snprintf(buf, size, "%s", v->word[0] ? "true" : "false");
		return 0;
	case GO_RKIND_INT8: case GO_RKIND_INT16: case GO_RKIND_INT32: case GO_RKIND_INT:
	case GO_RKIND_INT64:
		snprintf(buf, size, "%lld", (long long)sign_extend(v->word[0],
			 v->kind == GO_RKIND_INT8 ? 1 : v->kind == GO_RKIND_INT16 ? 2 :
			 v->kind == GO_RKIND_INT32 ? 4 : 8));
		return 0;
	case GO_RKIND_UINT8: case GO_RKIND_UINT16: case GO_RKIND_UINT32: case GO_RKIND_UINT:
	case GO_RKIND_UINT64: case GO_RKIND_UINTPTR:
		snprintf(buf, size, "%llu", (unsigned long long)v->word[0]);
		return 0;
	case GO_RKIND_FLOAT32:
		memcpy(&f32, &v->word[0], sizeof(f32));
		go_format_float(f32, 32, buf, size);
		return 0;
	case GO_RKIND_FLOAT64:
		memcpy(&f64, &v->word[0], sizeof(f64));
		go_format_float(f64, 64, buf, size);
		return 0;
	case GO_RKIND_STRING:
		if (!v->has_str)
			return -ENOENT;
		format_str(v, buf, size);
		return 0;
	}
	return -ENOENT;
}
