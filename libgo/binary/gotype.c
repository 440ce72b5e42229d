// SPDX-License-Identifier: Apache-2.0
/*
 * The runtime's type descriptors, read from the file: what an interface's first word points to.
 *
 * gc: every type the compiler and linker made lies between moduledata.types and .etypes
 * (release.c finds moduledata and knows its layout); a type's name is the NameOff abi.Type.Str
 * counted from types. A type made at run time by reflect lies outside that range: it is
 * reported as such, never named from guesswork.
 * gccgo: no moduledata; a type descriptor holds a pointer to its name's string header. The
 * standard library's types are libgo.so's, read from the process's mapping of it; those the
 * executable refers to directly are copied into it by the loader (the arch's COPY relocations),
 * and read from the process too: the file holds no bytes of them.
 * PIE: Go's linker writes link-time addresses into the file as well as relocations; for other
 * linkers the RELATIVE relocations' addends are the words' values.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "binary/binary_priv.h"

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
	uint64_t *rel_off, *rel_val;	/* RELATIVE relocations, sorted by offset */
	size_t nrel;
	/* gccgo: the process whose shared libraries (libgo.so) hold the standard library's types */
	pid_t pid;
	int64_t bias;
	uint64_t (*maps)[2];	/* its file-backed mappings */
	size_t nmaps;
	/* gc: syscall.errors, found on first use */
	bool errno_tried;
	uint64_t errno_tab, nerrno;
	/*
	 * gccgo: the objects the loader copies from a library into the executable (COPY relocations):
	 * the standard library's type descriptors the program refers to (time.Duration..d), whose
	 * bytes in the file are zeros, or .bss: [start, end) link-time addresses, sorted
	 */
	uint64_t (*copies)[2];
	size_t ncopies;
};

/* Is [addr, addr + len) inside one of the objects the loader copied into the executable? */
static bool in_copy(const struct go_types *t, uint64_t addr, size_t len)
{
	size_t lo = 0, hi = t->ncopies;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr >= t->copies[mid][1])
			lo = mid + 1;
		else if (addr < t->copies[mid][0])
			hi = mid;
		else
			return len <= t->copies[mid][1] - addr;
	}
	return false;
}

/* len bytes of such a copy, from the process that holds it: the file has none. */
static bool copy_bytes(const struct go_types *t, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(addr + (uint64_t)t->bias), len };

	return t->pid > 0 && process_vm_readv(t->pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

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
	const uint8_t *p;

	if (t->ncopies && in_copy(t, addr, len))
		return copy_bytes(t, addr, buf, len);
	p = gobin_bytes(t->bin, addr, len);

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
	const uint8_t *p;
	size_t lo = 0, hi = t->nrel;

	if (t->ncopies && in_copy(t, addr, 8)) {	/* a library's word: an address of its own */
		if (!copy_bytes(t, addr, v, sizeof(*v)))
			return false;
		if (ptr)
			*v -= (uint64_t)t->bias;
		return true;
	}
	p = gobin_bytes(t->bin, addr, 8);
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

			if (!gelf_getrela(d, (int)i, &r) || GELF_R_TYPE(r.r_info) != b->arch->rel_relative)
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

/* gccgo: the objects of COPY relocations, each as large as its dynamic symbol says. */
static int copies_load(struct go_types *t)
{
	struct go_binary *b = t->bin;
	Elf_Scn *scn = NULL, *dynsym;
	Elf_Data *syms;
	size_t i, cap = 0;

	while ((scn = elf_nextscn(b->elf, scn))) {
		GElf_Shdr sh, ssh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize ||
		    !(dynsym = elf_getscn(b->elf, sh.sh_link)) || !gelf_getshdr(dynsym, &ssh) ||
		    ssh.sh_type != SHT_DYNSYM || !(syms = elf_getdata(dynsym, NULL)))
			continue;
		d = elf_getdata(scn, NULL);
		for (i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Rela r;
			GElf_Sym sym;

			if (!gelf_getrela(d, (int)i, &r) || GELF_R_TYPE(r.r_info) != b->arch->rel_copy ||
			    !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym) || !sym.st_size ||
			    r.r_offset + sym.st_size < r.r_offset)
				continue;
			if (t->ncopies == cap) {
				uint64_t (*n)[2];

				cap = cap ? cap * 2 : 64;
				n = realloc(t->copies, cap * sizeof(*n));
				if (!n)
					return go_fail(ENOMEM, "out of memory");
				t->copies = n;
			}
			t->copies[t->ncopies][0] = r.r_offset;
			t->copies[t->ncopies++][1] = r.r_offset + sym.st_size;
		}
	}
	if (t->ncopies)
		qsort(t->copies, t->ncopies, sizeof(*t->copies), rel_cmp);
	return 0;
}

/* ---- moduledata (gc) ------------------------------------------------------------------------ */

static int moduledata_load(struct go_types *t)
{
	struct go_binary *b = t->bin;
	const struct go_layout *l = &b->layout;
	uint64_t md = l->moduledata;

	if (t->minor < 117)
		return go_fail(ENOTSUP, "'%s' was built by %s; type names need Go 1.17 or later",
			       b->name, b->version);
	if (!md || l->md.types.val < 0 || l->md.etypes.val < 0 ||
	    !word_at(t, md + l->md.types.val, &t->types) ||
	    !word_at(t, md + l->md.etypes.val, &t->etypes) || !t->types ||
	    t->etypes <= t->types || !gobin_bytes(b, t->types, t->etypes - t->types))
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
	if (!err && t->gccgo)
		err = copies_load(t);
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
	free(t->copies);
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
	if (len > INT32_MAX)
		return -ENOENT;
	snprintf(buf, size, "%.*s", (int)len, p);
	return (int)len;
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
	for (i = 0; i < len; i++) {
		if (s[i] == '\t')
			in_path = !in_path;
		else if (!in_path && o++ + 1 < size)
			buf[o - 1] = (char)s[i];
	}
	if (size)
		buf[o < size ? o : size - 1] = 0;
	return (int)o;
}

/* go_types__name, returning the name's whole length, as snprintf does. */
static int go_types__name_len(const struct go_types *t, uint64_t addr, char *buf, size_t size)
{
	uint8_t desc[TYPE_SIZE_GCCGO];
	const uint8_t *typ = type_at(t, addr, desc);
	int n;

	if (!typ)
		return go_fail(ENOENT, "type 0x%llx is not in the type data of '%s'",
			       (unsigned long long)addr, go_binary__name(t->bin));
	n = t->gccgo ? gccgo_name(t, addr, buf, size) : gc_name(t, typ, buf, size);
	if (n < 0)
		return go_fail(ENOENT, "type 0x%llx of '%s' has no readable name",
			       (unsigned long long)addr, go_binary__name(t->bin));
	return n;
}

int go_types__name(const struct go_types *t, uint64_t addr, char *buf, size_t size)
{
	int n = go_types__name_len(t, addr, buf, size);

	return n < 0 ? n : 0;
}

int go_types__link(struct go_types *t, pid_t pid, uint64_t addr, uint64_t *link)
{
	int64_t bias = 0;

	*link = 0;
	if (!addr)
		return -ENOENT;
	if (t->bin->pie && go_binary__load_bias(t->bin, pid, &bias))
		bias = 0;
	go_types__set_process(t, pid);
	if (go_types__kind(t, addr - (uint64_t)bias) <= 0)
		return -ENOENT;
	*link = addr - (uint64_t)bias;
	return 0;
}

/* Bytes of process pid. */
static bool process_bytes(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

/* gccgo: is the name of the type descriptor d (its *string) a type's name? */
static bool gccgo_runtime_name(pid_t pid, const uint8_t *d)
{
	uint64_t hdr[2];
	char name[256];
	size_t i;

	if (!process_bytes(pid, gobin_le64(d + TYPE_STR), hdr, sizeof(hdr)) || !hdr[1] ||
	    hdr[1] > sizeof(name) || !process_bytes(pid, hdr[0], name, hdr[1]))
		return false;
	for (i = 0; i < hdr[1]; i++)
		if ((unsigned char)name[i] < 0x09 || name[i] == 0x7f)
			return false;
	return true;
}

/*
 * Is there a type descriptor at addr in process pid that is not in the binary's type data: one
 * that reflect made at run time (or, for gccgo, a shared library's that the process holds)? Its
 * fields must make sense: a kind, a size the kind allows, no more pointer bytes than bytes; gc:
 * an alignment of 1 to 8, a name that reflect registered (a negative offset:
 * runtime.addReflectOff); gccgo: a readable name. A word that is not an interface's first word
 * fails this.
 */
static bool runtime_type(const struct go_types *t, pid_t pid, uint64_t addr)
{
	uint8_t d[TYPE_SIZE_GCCGO];
	uint64_t size, ptrdata;
	int kind, align;
	int32_t str;

	if (!addr || addr % 8 || !process_bytes(pid, addr, d, sizeof(d)))
		return false;
	size = gobin_le64(d);
	ptrdata = gobin_le64(d + 8);
	kind = d[TYPE_KIND] & KIND_MASK;
	align = d[21];
	if (!kind || kind > GO_RKIND_UNSAFE_POINTER || ptrdata > size || size > (1ULL << 40))
		return false;
	if ((kind == GO_RKIND_POINTER || kind == GO_RKIND_MAP || kind == GO_RKIND_CHAN ||
	     kind == GO_RKIND_FUNC || kind == GO_RKIND_UNSAFE_POINTER) && size != 8)
		return false;
	if ((kind == GO_RKIND_STRING || kind == GO_RKIND_INTERFACE) && size != 16)
		return false;
	if (kind == GO_RKIND_SLICE && size != 24)
		return false;
	if (t->gccgo)
		return gccgo_runtime_name(pid, d);
	memcpy(&str, d + TYPE_STR, sizeof(str));
	return align && align <= 8 && !(align & (align - 1)) && str < 0;
}

int go_types__describe(struct go_types *t, pid_t pid, uint64_t addr, char *buf, size_t size,
		       uint64_t *link, enum go_type_what *what)
{
	int n;

	if (!addr) {
		*link = 0;
		*what = GO_TYPE_NIL;
		return snprintf(buf, size, "<nil>");
	}
	if (!go_types__link(t, pid, addr, link) && (n = go_types__name_len(t, *link, buf, size)) >= 0) {
		*what = GO_TYPE_NAMED;
		return n;
	}
	*link = 0;
	if (runtime_type(t, pid, addr)) {	/* made at run time by reflect */
		*what = GO_TYPE_RUNTIME;
		return snprintf(buf, size, "<runtime type %#llx>", (unsigned long long)addr);
	}
	if (pid > 0 && kill(pid, 0) && errno == ESRCH) {	/* its memory went with it */
		*what = GO_TYPE_GONE;
		return snprintf(buf, size, "<type %#llx of a process gone>",
				(unsigned long long)addr);
	}
	*what = GO_TYPE_NONE;
	return snprintf(buf, size, "<not a type>");
}

char *go_types__describe_dup(struct go_types *t, pid_t pid, uint64_t addr, uint64_t *link,
			     enum go_type_what *what)
{
	char buf[256], *name;
	int n = go_types__describe(t, pid, addr, buf, sizeof(buf), link, what);

	if (n < (int)sizeof(buf))
		return strdup(buf);
	name = malloc((size_t)n + 1);
	if (name)
		go_types__describe(t, pid, addr, name, (size_t)n + 1, link, what);
	return name;
}

int go_types__kind(const struct go_types *t, uint64_t addr)
{
	uint8_t buf[TYPE_SIZE_GCCGO];
	const uint8_t *typ = type_at(t, addr, buf);

	return typ ? typ[TYPE_KIND] & KIND_MASK : -ENOENT;
}

/* ---- a type's structure: what formatting a value needs ------------------------------------- */

/* gc: where abi.UncommonType follows the kind's own struct (PtrType, StructType...); -1: unknown */
static int gc_uncommon_off(int kind)
{
	switch (kind) {
	case GO_RKIND_POINTER: case GO_RKIND_SLICE: case GO_RKIND_FUNC:
		return TYPE_SIZE_GC + 8;
	case GO_RKIND_CHAN:
		return TYPE_SIZE_GC + 16;
	case GO_RKIND_ARRAY:
		return TYPE_SIZE_GC + 24;
	case GO_RKIND_STRUCT: case GO_RKIND_INTERFACE:
		return TYPE_SIZE_GC + 32;
	case GO_RKIND_MAP:	/* its layout changed with Go 1.24's maps */
		return -1;
	}
	return TYPE_SIZE_GC;
}

/* gc: the abi.Name at addr (in the type data): its bytes and length. */
static int gc_name_bytes(const struct go_types *t, uint64_t addr, const uint8_t **s, uint64_t *len)
{
	const uint8_t *p;
	size_t n;

	if (addr < t->types || addr + 2 > t->etypes || !(p = gobin_bytes(t->bin, addr, t->etypes - addr)))
		return -ENOENT;
	n = gobin_uvarint(p + 1, p + (t->etypes - addr), len);
	if (!n || *len > t->etypes - addr - 1 - n)
		return -ENOENT;
	*s = p + 1 + n;
	return 0;
}

/* gccgo: the string whose header is at hdr (a *string of a type descriptor), cut to size. */
static int gccgo_str(const struct go_types *t, uint64_t hdr, char *buf, size_t size)
{
	uint64_t ptr, len;

	if (!size || !hdr || !addr_at(t, hdr, &ptr) || !word_at(t, hdr + 8, &len))
		return -ENOENT;
	if (len > size - 1)
		len = size - 1;
	if (!bytes_at(t, ptr, buf, len))
		return -ENOENT;
	buf[len] = 0;
	return 0;
}

static int name_copy(const uint8_t *s, uint64_t len, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), s);
	return 0;
}

int go_types__elem(const struct go_types *t, uint64_t addr, uint64_t *elem)
{
	int kind = go_types__kind(t, addr);

	if (kind != GO_RKIND_POINTER && kind != GO_RKIND_SLICE && kind != GO_RKIND_ARRAY &&
	    kind != GO_RKIND_CHAN)
		return -EINVAL;
	return addr_at(t, addr + (t->gccgo ? TYPE_SIZE_GCCGO : TYPE_SIZE_GC), elem) &&
	       go_types__kind(t, *elem) > 0 ? 0 : -ENOENT;
}

int go_types__size(const struct go_types *t, uint64_t addr, uint64_t *size)
{
	return go_types__kind(t, addr) > 0 && word_at(t, addr, size) ? 0 : -ENOENT;
}

/*
 * Is a struct's field offset shifted left by one, its low bit saying "embedded"? gc before Go
 * 1.19 does it; gccgo does as gc did in the Go release of its library (GCC 12's, 1.18), which the
 * binary does not name: told by the struct's last field, which, shifted, would end past the
 * struct (the padding after it is smaller than its offset). arr: the fields, n of them.
 */
static bool offsets_shifted(const struct go_types *t, uint64_t st, uint64_t arr, uint64_t n)
{
	uint64_t off, ft, fsize, size;

	if (!t->gccgo)
		return t->minor < 119;
	if (!n || !word_at(t, arr + (n - 1) * 40 + 32, &off))
		return false;
	if (n == 1)
		return off & 1;
	return addr_at(t, arr + (n - 1) * 40 + 16, &ft) && word_at(t, ft, &fsize) &&
	       word_at(t, st, &size) && off + fsize > size;
}

/*
 * abi.StructType: PkgPath, then Fields, a slice of {Name, Typ, Offset}; gccgo's fields are {name,
 * pkgPath, typ, tag, offset}, the slice right after the type. The offset may be shifted
 * (offsets_shifted).
 */
int go_types__field(const struct go_types *t, uint64_t addr, size_t i, struct go_tfield *f)
{
	uint64_t fields = addr + (t->gccgo ? TYPE_SIZE_GCCGO : TYPE_SIZE_GC + 8), arr, a, n, name, off;
	size_t esize = t->gccgo ? 40 : 24;
	const uint8_t *s;
	uint64_t len;

	memset(f, 0, sizeof(*f));
	if (go_types__kind(t, addr) != GO_RKIND_STRUCT || !addr_at(t, fields, &arr) ||
	    !word_at(t, fields + 8, &n))
		return -ENOENT;
	if (i >= n)
		return -ERANGE;
	a = arr + i * esize;
	if (!addr_at(t, a + (t->gccgo ? 16 : 8), &f->type) || go_types__kind(t, f->type) <= 0 ||
	    !word_at(t, a + (t->gccgo ? 32 : 16), &off) || !addr_at(t, a, &name))
		return -ENOENT;
	f->offset = offsets_shifted(t, addr, arr, n) ? off >> 1 : off;
	f->embedded = offsets_shifted(t, addr, arr, n) && (off & 1);
	if (t->gccgo) {	/* an embedded field has no name of its own: its type's */
		f->embedded = !name;
		return name ? gccgo_str(t, name, f->name, sizeof(f->name)) :
			      go_types__name(t, f->type, f->name, sizeof(f->name));
	}
	if (gc_name_bytes(t, name, &s, &len))
		return -ENOENT;
	if (t->minor >= 119)	/* abi.Name's flags byte: 1<<3, an embedded field's */
		f->embedded = gobin_bytes(t->bin, name, 1)[0] & 0x08;
	return name_copy(s, len, f->name, sizeof(f->name));
}

int go_types__nfields(const struct go_types *t, uint64_t addr)
{
	uint64_t fields = addr + (t->gccgo ? TYPE_SIZE_GCCGO : TYPE_SIZE_GC + 8), n;

	if (go_types__kind(t, addr) != GO_RKIND_STRUCT || !word_at(t, fields + 8, &n) || n > 1 << 16)
		return -ENOENT;
	return (int)n;
}

/* The uncommon type: gc, where it follows the kind's struct; gccgo, the pointer at 48. */
static bool uncommon_at(const struct go_types *t, uint64_t addr, uint64_t *u)
{
	uint8_t desc[TYPE_SIZE_GCCGO];
	const uint8_t *typ = type_at(t, addr, desc);
	int off;

	if (!typ)
		return false;
	if (t->gccgo)
		return addr_at(t, addr + 48, u) && *u;
	off = gc_uncommon_off(typ[TYPE_KIND] & KIND_MASK);
	if (!(typ[TYPE_TFLAG] & 0x01) || off < 0)
		return false;
	*u = addr + (uint64_t)off;
	return true;
}

int go_types__pkgpath(const struct go_types *t, uint64_t addr, char *buf, size_t size)
{
	const uint8_t *p, *s;
	uint64_t u, hdr, len;
	int32_t off;

	if (!uncommon_at(t, addr, &u))
		return -ENOENT;
	if (t->gccgo)
		return addr_at(t, u + 8, &hdr) ? gccgo_str(t, hdr, buf, size) : -ENOENT;
	if (!(p = gobin_bytes(t->bin, u, 4)))
		return -ENOENT;
	memcpy(&off, p, sizeof(off));
	if (off <= 0 || gc_name_bytes(t, t->types + (uint64_t)off, &s, &len))
		return -ENOENT;
	return name_copy(s, len, buf, size);
}

/*
 * Whether the type's method set has a method of that name: gc, abi.UncommonType {PkgPath,
 * Mcount, Xcount, Moff} and at Moff its abi.Method {Name, Mtyp, Ifn, Tfn}s; gccgo, uncommonType
 * {name, pkgPath, methods} of method {name, pkgPath, mtyp, typ, tfn}. -ENOENT when unreadable.
 */
int go_types__has_method(const struct go_types *t, uint64_t addr, const char *name)
{
	uint64_t u, arr, n, i, hdr;
	const uint8_t *p, *s;
	uint64_t len;
	char buf[64];

	if (go_types__kind(t, addr) <= 0)
		return -ENOENT;
	if (!uncommon_at(t, addr, &u))
		return 0;
	if (t->gccgo) {
		if (!addr_at(t, u + 16, &arr) || !word_at(t, u + 24, &n) || n > 1 << 16)
			return -ENOENT;
		for (i = 0; i < n; i++)
			if (addr_at(t, arr + i * 40, &hdr) && !gccgo_str(t, hdr, buf, sizeof(buf)) &&
			    !strcmp(buf, name))
				return 1;
		return 0;
	}
	if (!(p = gobin_bytes(t->bin, u, 16)))
		return -ENOENT;
	n = p[6] | p[7] << 8;	/* Xcount: the exported methods come first */
	arr = u + gobin_le32(p + 8);
	for (i = 0; i < n; i++) {
		int32_t off;

		if (!(p = gobin_bytes(t->bin, arr + i * 16, 4)))
			return -ENOENT;
		memcpy(&off, p, sizeof(off));
		if (off > 0 && !gc_name_bytes(t, t->types + (uint64_t)off, &s, &len) &&
		    len == strlen(name) && !memcmp(s, name, len))
			return 1;
	}
	return 0;
}

/* ---- the process's image ------------------------------------------------------------------ */

/* The bytes at link-time address addr when no process can have changed them: read-only data. */
static const uint8_t *image_constant(const struct go_binary *b, uint64_t addr, size_t len)
{
	int i;

	for (i = 0; i < b->nsegs; i++) {
		const struct go_seg *s = &b->segs[i];

		if (addr >= s->vaddr && addr - s->vaddr < s->filesz && len <= s->filesz &&
		    addr - s->vaddr <= s->filesz - len)
			return s->writable ? NULL : gobin_bytes(b, addr, len);
	}
	return NULL;
}

/*
 * Read-only data comes from the file: a page the program has not touched yet (which the probe
 * could not read) is there, and so is everything after the process is gone. The rest is read
 * from the process.
 */
int go_types__read_image(const struct go_types *t, pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)addr, len };
	const uint8_t *p;
	int64_t bias = 0;

	if (!len)
		return 0;
	if (t->bin->pie && go_binary__load_bias(t->bin, pid, &bias))
		return -ENOENT;
	if ((p = image_constant(t->bin, addr - (uint64_t)bias, len))) {
		memcpy(buf, p, len);
		return 0;
	}
	if (go_binary__file_offset(t->bin, addr - (uint64_t)bias) < 0 ||
	    go_binary__file_offset(t->bin, addr - (uint64_t)bias + len - 1) < 0)
		return -ENOENT;
	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len ? 0 : -EIO;
}

enum go_map_form go_types__maps(const struct go_types *t)
{
	return go_binary__map_form(t->bin);
}

int go_types__go_minor(const struct go_types *t)
{
	return t->minor;
}

/* ---- syscall.Errno's messages --------------------------------------------------------------- */

/* The string whose header is at addr, when it is in the file: its bytes and length. */
static const uint8_t *file_str(const struct go_types *t, uint64_t addr, uint64_t *len)
{
	uint64_t ptr;

	if (!word_at(t, addr, &ptr) || !word_at(t, addr + 8, len) || *len > 4096)
		return NULL;
	return *len ? gobin_bytes(t->bin, ptr, *len) : (const uint8_t *)"";
}

static bool file_str_is(const struct go_types *t, uint64_t addr, const char *s)
{
	uint64_t len;
	const uint8_t *p = file_str(t, addr, &len);

	return p && len == strlen(s) && !memcmp(p, s, len);
}

/*
 * gc: syscall.errors, the [N]string that Errno.Error reads: by its symbol, or in a stripped
 * binary the array in the data whose entries 1 and 2 are EPERM's and ENOENT's messages (Linux's
 * table on amd64, the same 133 entries, up to ERFKILL, in Go 1.17 to 1.26). Go's own text,
 * never the C library's.
 */
static void errno_table_find(struct go_types *t)
{
	const struct go_binary *b = t->bin;
	uint64_t a, w, size = 0;
	int i;

	t->errno_tried = true;
	t->errno_tab = gobin_symbol(b, "syscall.errors", &size);
	if (t->errno_tab) {
		t->nerrno = size / 16;
		return;
	}
	for (i = 0; i < b->nsegs && !t->errno_tab; i++) {
		const struct go_seg *s = &b->segs[i];

		if (s->exec)
			continue;
		for (a = s->vaddr + 16; a + 48 <= s->vaddr + s->filesz; a += 8)
			if (word_at(t, a + 8, &w) && w == 23 &&
			    file_str_is(t, a, "operation not permitted") &&
			    file_str_is(t, a + 16, "no such file or directory") &&
			    word_at(t, a - 8, &w) && !w && word_at(t, a - 16, &w) && !w) {
				t->errno_tab = a - 16;
				break;
			}
	}
	if (t->errno_tab &&
	    file_str_is(t, t->errno_tab + 132 * 16, "operation not possible due to RF-kill"))
		t->nerrno = 133;
	else
		t->errno_tab = 0;
}

int go_types__errno_text(struct go_types *t, uint64_t e, char *buf, size_t size)
{
	const uint8_t *p;
	uint64_t len;
	char tmp[256];

	if (t->gccgo) {	/* syscall.Errstr: strerror_r, its first letter lowered ("Bad" -> "bad") */
		char msg[256];

		snprintf(tmp, sizeof(tmp), "%s", strerror_r((int)e, msg, sizeof(msg)));
		if (tmp[0] >= 'A' && tmp[0] <= 'Z' && tmp[1] >= 'a' && tmp[1] <= 'z')
			tmp[0] += 'a' - 'A';
		snprintf(buf, size, "%s", tmp);
		return 0;
	}
	if (!t->errno_tried)
		errno_table_find(t);
	if (!t->errno_tab)
		return -ENOENT;
	if (e < t->nerrno && (p = file_str(t, t->errno_tab + e * 16, &len)) && len) {
		snprintf(buf, size, "%.*s", (int)len, p);
		return 0;
	}
	if (e < t->nerrno && !p)
		return -ENOENT;
	snprintf(buf, size, "errno %lld", (long long)e);
	return 0;
}

/* ---- the types a generic function's dictionary holds (libgo/binary/generics.c) -------------------- */

int go_types__pointer(const struct go_types *t, uint64_t addr, uint64_t *v)
{
	return addr_at(t, addr, v) ? 0 : -ENOENT;
}

/* abi.FuncType: InCount and OutCount (its top bit: variadic) after the header, then the
 * uncommon type when TFlag says so, then the parameters' and results' types. */
#define FUNC_INOUT 48
#define FUNC_SIZE 56
#define UNCOMMON_SIZE 16
#define TFLAG_UNCOMMON 0x01

int go_types__parts(const struct go_types *t, uint64_t addr, uint64_t *parts, int max)
{
	uint8_t buf[TYPE_SIZE_GCCGO];
	const uint8_t *typ = t->gccgo ? NULL : type_at(t, addr, buf);
	struct go_tfield f;
	uint64_t p, at;
	uint16_t inout[2];
	int n = 0, i, cnt;

	if (!typ)
		return -ENOENT;
	switch (typ[TYPE_KIND] & KIND_MASK) {
	case GO_RKIND_POINTER: case GO_RKIND_SLICE: case GO_RKIND_ARRAY: case GO_RKIND_CHAN:
		if (n < max && !go_types__elem(t, addr, &p))
			parts[n++] = p;
		break;
	case GO_RKIND_MAP:	/* Key, then Elem, in both map layouts */
		for (i = 0; i < 2 && n < max; i++)
			if (addr_at(t, addr + TYPE_SIZE_GC + 8 * i, &p))
				parts[n++] = p;
		break;
	case GO_RKIND_STRUCT:
		cnt = go_types__nfields(t, addr);
		for (i = 0; i < cnt && n < max; i++)
			if (!go_types__field(t, addr, (size_t)i, &f))
				parts[n++] = f.type;
		break;
	case GO_RKIND_FUNC:
		if (!bytes_at(t, addr + FUNC_INOUT, inout, sizeof(inout)))
			break;
		cnt = inout[0] + (inout[1] & 0x7fff);
		at = addr + FUNC_SIZE + (typ[TYPE_TFLAG] & TFLAG_UNCOMMON ? UNCOMMON_SIZE : 0);
		for (i = 0; i < cnt && n < max; i++)
			if (addr_at(t, at + 8 * (uint64_t)i, &p))
				parts[n++] = p;
		break;
	}
	return n;
}

/* Power-of-two alignments a type descriptor may hold. */
static bool align_ok(uint8_t a)
{
	return a && a <= 64 && !(a & (a - 1));
}

bool go_types__plausible(const struct go_types *t, uint64_t addr)
{
	uint8_t buf[TYPE_SIZE_GCCGO];
	const uint8_t *typ = t->gccgo ? NULL : type_at(t, addr, buf);
	char name[256];
	int kind;
	size_t i;

	if (!typ)
		return false;
	kind = typ[TYPE_KIND] & KIND_MASK;
	if (kind < GO_RKIND_BOOL || kind > GO_RKIND_UNSAFE_POINTER || !align_ok(typ[21]) ||
	    !align_ok(typ[22]) || gobin_le64(typ + 8) > gobin_le64(typ) ||
	    gc_name(t, typ, name, sizeof(name)) <= 0)
		return false;
	for (i = 0; name[i]; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return false;
	return true;
}

/* ---- a type found by its name (selector.c's type assertions) ------------------------------- */

/* Is the type at addr named name (as %T prints it), in package path pkg ("" for no check)? */
static bool type_is(const struct go_types *t, uint64_t addr, const char *name, const char *pkg)
{
	char buf[256];

	if (gc_name(t, gobin_bytes(t->bin, addr, TYPE_SIZE_GC), buf, sizeof(buf)) <= 0 ||
	    strcmp(buf, name) || !go_types__plausible(t, addr))
		return false;
	return !pkg[0] || (!go_types__pkgpath(t, addr, buf, sizeof(buf)) && !strcmp(buf, pkg));
}

int go_types__find(const struct go_types *t, const char *name, const char *pkg, uint64_t *addr)
{
	uint64_t a;

	if (t->gccgo)
		return go_fail(ENOTSUP, "types by name need gc's type data (not gccgo's)");
	/* descriptors are pointer-aligned in [types, etypes), among names and other data */
	for (a = (t->types + 7) & ~7ull; a + TYPE_SIZE_GC <= t->etypes; a += 8)
		if (type_is(t, a, name, pkg)) {
			*addr = a;
			return 0;
		}
	return -ENOENT;
}

int go_types__find_like(const struct go_types *t, const char *suffix, char *buf, size_t size)
{
	size_t n = strlen(suffix), off = 0;
	char name[256];
	uint64_t a;
	int found = 0;

	if (size)
		buf[0] = 0;
	for (a = (t->types + 7) & ~7ull; !t->gccgo && a + TYPE_SIZE_GC <= t->etypes && found < 3;
	     a += 8) {
		size_t len;

		if (gc_name(t, gobin_bytes(t->bin, a, TYPE_SIZE_GC), name, sizeof(name)) <= 0)
			continue;
		len = strlen(name);
		if (len <= n || strcmp(name + len - n, suffix) || name[len - n - 1] != '.' ||
		    !go_types__plausible(t, a) || strstr(buf, name))
			continue;
		off += snprintf(buf + off, off < size ? size - off : 0, "%s%s", found ? ", " : "",
				name);
		found++;
		if (off >= size)
			break;
	}
	return found;
}
