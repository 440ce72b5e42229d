/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libgo: what the tools know about Go programs and how they probe them.
 *
 * Functions that can fail return a negative errno (or NULL with errno set) and leave a one-line,
 * lower-case description of what failed in libgo_errmsg(). The library never prints.
 */
#ifndef LIBGO_H
#define LIBGO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The message of the last failure in this thread, e.g. "'/bin/x' is not a Go binary". */
const char *libgo_errmsg(void);
/* Record a failure message; returns -err so callers can write `return go_fail(EINVAL, ...)`. */
int go_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A setting from the environment, e.g. GOFUNC_NO_MULTI: set to anything but "" or "0". */
bool go_env_flag(const char *name);

/* ---- Go binaries ---------------------------------------------------------------------------- */

/* How a function takes its arguments and returns its results on amd64. */
enum go_abi {
	GO_ABI_INTERNAL,	/* Go >= 1.17 register ABI: RAX RBX RCX RDI RSI R8 R9 R10 R11 */
	GO_ABI0,		/* stack ABI: assembly functions, Go < 1.17 */
	GO_ABI_SYSV,		/* System V: gccgo */
};

enum go_toolchain {
	GO_GC,
	GO_GCCGO,
};

struct go_func {
	const char *name;
	uint64_t entry;		/* link-time virtual address of the first instruction */
	uint64_t end;		/* first address past the function */
	enum go_abi abi;
	int32_t args;		/* argument frame size in bytes (pclntab), -1 when unknown */
	const char *clone;	/* gccgo -O2: the symbol of GCC's clone of the function that name
				 * says (main.add.constprop.0, .isra.0, .part.0), whose parameters
				 * are not the function's; NULL for the function itself */
};

struct go_binary;

/* Open a Go executable by path. NULL with errno set on failure. */
struct go_binary *go_binary__open(const char *path);
/* Open the executable of a running process (through /proc/PID/exe, so containers work too). */
struct go_binary *go_binary__open_pid(pid_t pid);
void go_binary__close(struct go_binary *bin);

/* The path the kernel resolves for uprobes (a real path, or /proc/PID/exe). */
const char *go_binary__path(const struct go_binary *bin);
/* The path as the user named it, for messages. */
const char *go_binary__name(const struct go_binary *bin);
enum go_toolchain go_binary__toolchain(const struct go_binary *bin);
/* "go1.26.8", "go1.19.8", "gccgo"; "unknown" when the binary does not say. */
const char *go_binary__version(const struct go_binary *bin);
/* The main module's path from the build info, or "" when absent. */
const char *go_binary__module(const struct go_binary *bin);
/* True for position-independent executables. */
bool go_binary__is_pie(const struct go_binary *bin);
/* True when .symtab or DWARF was present (false for `-ldflags=-s -w`). */
bool go_binary__has_symbols(const struct go_binary *bin);

/* The function table, sorted by entry address. */
size_t go_binary__func_cnt(const struct go_binary *bin);
const struct go_func *go_binary__func(const struct go_binary *bin, size_t idx);
/* The function containing the link-time address addr, or NULL. */
const struct go_func *go_binary__func_at(const struct go_binary *bin, uint64_t addr);

/* The function named name, or NULL. */
const struct go_func *go_binary__func_by_name(const struct go_binary *bin, const char *name);

/* File offset of a link-time address (what uprobes take), or a negative errno. */
int64_t go_binary__file_offset(const struct go_binary *bin, uint64_t addr);

/*
 * The address at which an entry probe fires exactly once per call: past the stack-bound check of
 * the prologue, so that a call whose stack grows (runtime.morestack, then a jump back to the
 * entry) is not seen twice. Registers holding arguments are untouched there, and SP still points
 * at the return address.
 */
int go_binary__entry_site(struct go_binary *bin, const struct go_func *fn, uint64_t *addr);
/* Whether the kernel's uprobes accept the instruction at addr (see insn.c). */
bool go_binary__probeable(const struct go_binary *bin, uint64_t addr);
/*
 * Where goroutines end: the entry site of runtime.goexit1, which every goroutine of a gc binary
 * runs as it ends (returning from its function, or by runtime.Goexit), on its own stack and
 * with its own g. -ENOENT for gccgo.
 */
int go_binary__goexit_site(struct go_binary *bin, uint64_t *addr);
/* Every RET instruction of fn (never uretprobes: they corrupt Go stacks). *addrs is malloc'd. */
int go_binary__ret_sites(struct go_binary *bin, const struct go_func *fn, uint64_t **addrs,
			 size_t *cnt);
/*
 * gccgo's split stacks: the RET that follows fn's call of __morestack, or 0 (*addr). When the
 * stack segment is full, __morestack runs fn's body on a new one; the body's RET then returns
 * into __morestack, which returns to fn's caller through this RET, on the caller's stack. So
 * such a call returns at this RET, and at one of the body's RETs only when the 8 bytes at
 * RBP+8 there (__morestack's return address, kept by the body with RBP) are not this RET's
 * address. Each call returns once, at a RET whose SP is the entry site's.
 */
int go_binary__split_ret(struct go_binary *bin, const struct go_func *fn, uint64_t *addr);

/*
 * Where calls of a function begin, when that is cheaper to probe than its entry site: the
 * kernel single-steps most instructions (a trap each) but emulates a direct CALL or JMP. For
 * each of fns[0..n) whose entry site is not emulated, and which nothing in the binary can enter
 * but direct CALL and JMP instructions (no function value, interface or method table, or
 * address taken in code refers to it), out[i] lists those instructions; a probe there fires
 * once per call, before the callee's stack check. Otherwise out[i].usable is false: probe the
 * entry site. gccgo binaries always get the latter, and so do all of fns when more than 64 of
 * them would need their callers found (decoding them takes time).
 */
struct go_call_sites {
	bool usable;
	size_t cnt;
	uint64_t *addrs;	/* link-time addresses of the CALL and JMP instructions */
	uint8_t *sp_adj;	/* how far below SP there the callee's entry SP is: 8 (CALL), 0 (JMP) */
};

int go_binary__call_sites(struct go_binary *bin, const struct go_func *const *fns, size_t n,
			  struct go_call_sites *out);
void go_call_sites__free(struct go_call_sites *cs, size_t n);

/* How far pid loaded bin from its link-time addresses (0 unless PIE). */
int go_binary__load_bias(const struct go_binary *bin, pid_t pid, int64_t *bias);
/* "main.add+0x1c" for a link-time address; "[unknown] 0x..." outside every function. */
int go_binary__symbolize(const struct go_binary *bin, uint64_t addr, char *buf, size_t size);

/* Offset of stack.hi in runtime.g on amd64: g starts with its stack bounds {lo, hi}. */
#define GO_G_STACK_HI 8

/* Offset of goid in runtime.g: from DWARF when present, else from a table by Go version. */
int go_binary__goid_offset(struct go_binary *bin);

/* ---- Go's ABIs ------------------------------------------------------------------------------ */

/* Where the n-th (1-based) integer-class argument or result word lives at an entry or RET site. */
struct go_loc {
	enum { GO_LOC_REG, GO_LOC_STACK } kind;
	const char *reg;	/* pt_regs field name, e.g. "ax", for GO_LOC_REG */
	int64_t sp_off;		/* byte offset from SP, for GO_LOC_STACK */
};

/* The n-th argument word at the entry site; the n-th result word at a RET site (args_size is
 * the byte size of the arguments, needed for stack results). -EINVAL past what the ABI allows. */
int go_abi__arg(enum go_abi abi, int n, struct go_loc *loc);
int go_abi__ret(enum go_abi abi, int n, int args_size, struct go_loc *loc);
const char *go_abi__name(enum go_abi abi);
/*
 * The same for a function, goargN and goretN: a gccgo function whose results take more than 16
 * bytes, such as (string, int), gets a hidden pointer to them first, in RDI (System V's MEMORY
 * class, told by its DWARF), so its arguments start a word later; and its results are in
 * memory, not in registers (-ENOTSUP). -ENOTSUP for GCC's clones (go_func.clone).
 */
int go_binary__arg(struct go_binary *bin, const struct go_func *fn, int n, struct go_loc *loc);
int go_binary__ret(struct go_binary *bin, const struct go_func *fn, int n, int args_size,
		   struct go_loc *loc);

/* ---- Parameters (DWARF) -------------------------------------------------------------------- */

enum go_kind {
	GO_KIND_INT,		/* int, int8..int64 */
	GO_KIND_UINT,		/* uint, uint8..uint64, uintptr */
	GO_KIND_BOOL,
	GO_KIND_PTR,		/* pointers, maps, chans, funcs, unsafe.Pointer */
	GO_KIND_STRING,		/* two words: data pointer, length */
	GO_KIND_FLOAT,		/* in XMM registers, which uprobes cannot read */
	GO_KIND_OTHER,		/* slices, interfaces, structs, arrays, complex */
};

struct go_param {
	char name[64];
	char type[64];		/* the Go type's name, e.g. "int", "*main.T", "string" */
	enum go_kind kind;
	int size;		/* bytes of a scalar */
	bool result;
	bool located;		/* loc is valid: an int-class scalar or a string */
	struct go_loc loc[2];	/* its words, at the entry site (arguments) or a RET (results) */
};

/*
 * The parameters and results of fn from DWARF, located by fn's ABI (for gccgo, System V's: past
 * a hidden result pointer, aggregates over 16 bytes on the stack). -ENOENT when the binary has
 * no DWARF for fn (stripped, or an assembly function); -ENOTSUP for a GCC clone. *params is
 * malloc'd.
 */
int go_binary__params(struct go_binary *bin, const struct go_func *fn, struct go_param **params,
		      size_t *cnt);
const char *go_kind__name(enum go_kind kind);

/* ---- Patterns ------------------------------------------------------------------------------- */

struct go_pattern;

/*
 * A function pattern as bcc's tools take it: with regex false, '*' and '?' are wildcards and
 * every other character, including ( ) [ ] and '.', stands for itself; with regex true, an
 * extended regular expression matched anywhere in the name (anchor it with ^ and $).
 */
struct go_pattern *go_pattern__new(const char *pattern, bool regex);
bool go_pattern__match(const struct go_pattern *pat, const char *name);
void go_pattern__free(struct go_pattern *pat);

/*
 * Split "[BINARY:]FUNCTIONS" (pid: the -p PID or 0). *binary is NULL when absent. Returns
 * malloc'd copies in *binary and *funcs; -EINVAL for an empty function pattern.
 */
int go_probe_spec__split(const char *spec, pid_t pid, char **binary, char **funcs);

/* Open the binary a probe spec names: BINARY when given, else the executable of pid. */
struct go_binary *go_binary__open_spec(const char *binary, pid_t pid);

/* Select the functions whose names match; returns the count, fills *idx (malloc'd). */
int go_binary__match(const struct go_binary *bin, const struct go_pattern *pat, size_t **idx);

#endif /* LIBGO_H */
