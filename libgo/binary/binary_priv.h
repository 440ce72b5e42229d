/* SPDX-License-Identifier: Apache-2.0 */
/* Inside struct go_binary: shared by the files of libgo that read binaries. */
#ifndef LIBGO_BINARY_PRIV_H
#define LIBGO_BINARY_PRIV_H

#include <libelf.h>
#include <string.h>

#include "arch/arch.h"
#include "binary/binary.h"
#include "binary/layout.h"

/* Little-endian words and Go's unsigned varints, as binaries hold them (x86-64 and arm64: both little-endian). */
static inline uint32_t gobin_le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t gobin_le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The varint at p (not past end) into *v; its length, or 0 when it runs past end or 64 bits. */
static inline size_t gobin_uvarint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	size_t n = 0;
	int shift = 0;

	*v = 0;
	while (p + n < end && shift < 64) {
		*v |= (uint64_t)(p[n] & 0x7f) << shift;
		if (!(p[n++] & 0x80))
			return n;
		shift += 7;
	}
	return 0;
}

#define MAX_SEGS 16

struct go_seg {
	uint64_t vaddr, filesz, off;
	bool exec;
	bool writable;		/* PF_W: what the process may have changed since it loaded */
};

struct go_binary;
typedef void (*gobin_cleanup_fn)(struct go_binary *b);

struct go_binary {
	char *path, *name;
	int fd;
	const uint8_t *map;
	size_t size;
	Elf *elf;
	const struct go_arch *arch;	/* by the ELF header's machine */
	bool pie, has_syms;
	enum go_toolchain tc;
	char version[64];
	char module[256];
	struct go_seg segs[MAX_SEGS];
	int nsegs;
	struct go_func *funcs;
	size_t nfuncs, cap;
	uint64_t written_lo, written_hi;	/* file range of the words elf_apply_relative() wrote */
	uint64_t text_start;	/* runtime.text, which method tables' text offsets count from */
	const uint8_t *pcln;	/* the pclntab (gc): its bytes, size and link-time address */
	size_t pcln_size;
	uint64_t pcln_addr;
	struct go_layout layout;	/* release.c's: the tables' facts at open */
	bool layout_done;		/* and g's and m's from DWARF, on first ask */
	/* its code as the arch's decoder reads it, and the decoder's state (code.c) */
	struct go_code code;
	struct {
		gobin_cleanup_fn fn;
		bool release;
	} cleanups[4];		/* gobin_on_close() */
	int ncleanups;
	void *dwarf;		/* libdw handle, opened on first use */
	bool dwarf_tried;
	char dwarf_why[256];	/* why it was not opened, when it is too big to */
	void *generics;		/* generics.c's instantiations, found on first use */
	char **owned;		/* names made here (GCC clones' function names), freed on close */
	size_t nowned;
	/*
	 * Where processes loaded the binary (PIE), remembered: stacks may be read after a process
	 * has exited, when /proc no longer says (remember_bias() in stack.c)
	 */
	struct {
		pid_t pid;
		int64_t bias;
	} biases[256];
	size_t nbiases;
};

/* ---- elf.c: the ELF file ---- */

/* Load the segments, and give relocated words their link-time values (PIE). */
int gobin_elf_load(struct go_binary *b);
/* len bytes at a link-time address, or NULL when they are not all in the file. */
const uint8_t *gobin_bytes(const struct go_binary *b, uint64_t addr, size_t len);
/* File offset -> link-time address through the segments; 0 outside them. */
uint64_t gobin_offset_addr(const struct go_binary *b, size_t off);
/*
 * The bytes of the instruction at link-time address addr: up to GO_INSN_MAX, fewer (*len) where
 * the file ends sooner; NULL when not even one is in the file.
 */
const uint8_t *gobin_insn_bytes(const struct go_binary *b, uint64_t addr, size_t *len);
/* A section's bytes by name; NULL when absent. */
const uint8_t *gobin_section(const struct go_binary *b, const char *name, size_t *size);
/* The same, and its link-time address. */
const uint8_t *gobin_section_at(const struct go_binary *b, const char *name, size_t *size,
				uint64_t *addr);
/* .symtab's data, its symbols' count and its string table's index; NULL without one. */
Elf_Data *gobin_symtab(const struct go_binary *b, size_t *cnt, size_t *strndx);
/* The link-time address of a symbol of .symtab (*size: its size, when not NULL); 0 if none. */
uint64_t gobin_symbol(const struct go_binary *b, const char *name, uint64_t *size);

/* ---- buildinfo.c: the build info ---- */

/* The Go release and the main module, from the build info, into b->version and b->module. */
void gobin_buildinfo_load(struct go_binary *b);
/* 126 for go1.26.x, 0 when unknown. */
int gobin_go_minor(const struct go_binary *b);

/* ---- functab.c: the function table ---- */

/* The pclntab: by its section, else by its magic (PIE has no section header for it). */
const uint8_t *gobin_pcln_find(const struct go_binary *b, size_t *size, uint64_t *addr);
/* The pclntab's functions (gc), sorted, into b->funcs. */
int gobin_functab_load(struct go_binary *b);
/* Add a function to b's table. */
int gobin_funcs_push(struct go_binary *b, const char *name, uint64_t entry, uint64_t end,
		     int args, enum go_abi abi);
/* Sort b's table by entry. */
void gobin_funcs_sort(struct go_binary *b);
/* The pclntab (gc binaries): its bytes, size and link-time address; NULL when absent. */
const uint8_t *gobin_pcln(const struct go_binary *b, size_t *size, uint64_t *addr);

/* ---- symtab.c: what .symtab adds, and gccgo's functions ---- */

/* gc: .symtab's ABI0 marks and full generic names; ABI wrappers dropped from the table. */
int gobin_symtab_gc(struct go_binary *b);
/* Whether b is gccgo's, which has no pclntab. */
bool gobin_is_gccgo(const struct go_binary *b);
/* gccgo: the functions of .symtab, named as Go names them, sorted. */
int gobin_symtab_gccgo(struct go_binary *b);

/* ---- gobin.c: open and close ---- */

/*
 * The files that keep state of their own in a binary (code.c's decoder, dwarf.c's DWARF) say
 * here how to free it: when the binary closes, and with release when go_binary__release() drops
 * what planning read. gobin.c itself knows neither.
 */
int gobin_on_close(struct go_binary *b, gobin_cleanup_fn fn, bool release);

/*
 * release.c: the tables' layouts for b, from its release and its pclntab's header at pcln (NULL
 * for gccgo), and where its moduledata is; at open, before the function table is read.
 */
void gobin_release_load(struct go_binary *b, const uint8_t *pcln, uint64_t pcln_addr);
/* The pclntab version (112, 116, 118, 120) a header's magic says; 0 for none. */
int gobin_pcln_version(uint32_t magic);
/*
 * dwarf.c: for each i < n with type[i] not NULL, the offset of member[i] in the runtime's
 * struct type[i] ("a.b": b of a's struct type; "a|b": a, else b; "": the struct's size), into
 * off[i], or -1 when DWARF does not say; with type[i] "", the value of the constant member[i]
 * names ("a|b"). -ENOENT without DWARF.
 */
/* The binary's DWARF (libdw), opened on first use; NULL with the message set when it has none. */
typedef struct Dwarf Dwarf;
Dwarf *gobin_dwarf(struct go_binary *b);
int gobin_dwarf_offsets(struct go_binary *b, const char *const *type, const char *const *member,
			int *off, size_t n);

#endif
