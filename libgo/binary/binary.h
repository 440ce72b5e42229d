/* SPDX-License-Identifier: Apache-2.0 */
/* Reading Go binaries: functions, source lines, inlined calls, ABIs, DWARF, types, values. */
#ifndef LIBGO_BINARY_H
#define LIBGO_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "arch/arch.h"
#include "base/base.h"
#include "binary/layout.h"
#include "probe/bpf/ivalue.h"
#include "probe/bpf/trace.h"

/* ---- Go binaries ---------------------------------------------------------------------------- */

enum go_toolchain {
	GO_GC,
	GO_GCCGO,
};

struct go_binary;

/* The architecture of bin's code (arch/arch.h), by its ELF header. */
const struct go_arch *go_binary__arch(const struct go_binary *bin);

/* Open a Go executable by path. NULL with errno set on failure. */
struct go_binary *go_binary__open(const char *path);
/* Open the executable of a running process (through /proc/PID/exe, so containers work too). */
struct go_binary *go_binary__open_pid(pid_t pid);
void go_binary__close(struct go_binary *bin);

/*
 * The path the kernel resolves for uprobes: /proc/self/fd/N of the descriptor the binary was
 * read through, so that probes go into that file even if its path names another one by then.
 */
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
 * The address at which an entry probe sees each call once: past the stack-bound check of the
 * prologue, so that a call whose stack grows (runtime.morestack, then a jump back to the entry)
 * is not seen twice; or, where the instruction past the check is one the kernel single-steps
 * (Go < 1.21), the check's own conditional jump, which it emulates: then *jcc (when not NULL)
 * is that jump's condition code (the arch's, which go_cond_taken in probe/bpf/arch.bpf.h
 * reads), under which it goes to morestack and the call has not begun (a probe there counts a
 * call only when it does not hold: GO_COOKIE_CHECK in bpf/cookie.h), and -1 at every other
 * site. Registers holding arguments are untouched there, and SP still points at the return
 * address.
 */
int go_binary__entry_site(struct go_binary *bin, const struct go_func *fn, uint64_t *addr,
			  int *jcc);
/* Whether the kernel's uprobes accept the instruction at addr (the arch's probeable). */
bool go_binary__probeable(const struct go_binary *bin, uint64_t addr);
/* Does the kernel emulate (not single-step) a probe at link-time address addr? */
bool go_binary__emulated(const struct go_binary *bin, uint64_t addr);
/*
 * Does the instruction at link-time address pc run again when Go's asynchronous preemption lands
 * later in a sequence it restarts (go_lines__restarts_at)? A probe there may see one pass twice:
 * entry sites move past such sequences (go_binary__entry_site), return sites are not put there.
 */
bool go_binary__restarts_at(struct go_binary *bin, uint64_t pc);
/* Is the instruction at link-time address addr a direct CALL (arm64: BL)? */
bool go_binary__call_at(const struct go_binary *bin, uint64_t addr);
/* Does the kernel single-step (not emulate) a probe at this file offset of bin's code? */
bool go_binary__stepped_at(const struct go_binary *bin, uint64_t off);
/*
 * Where goroutines end: the entry site of runtime.goexit1, which every goroutine of a gc binary
 * runs as it ends (returning from its function, or by runtime.Goexit), on its own stack and
 * with its own g. -ENOENT for gccgo.
 */
int go_binary__goexit_site(struct go_binary *bin, uint64_t *addr, int *jcc);
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

/* ---- a binary's code, through its arch (binary/code.c) ---------------------------------- */

/*
 * Decode all of fn into *insns (malloc'd, *n of them); -ENOTSUP when a byte does not decode,
 * as then instruction boundaries past it are guesses.
 */
int go_binary__decode(struct go_binary *b, const struct go_func *fn, struct go_insn **insns,
		      size_t *n);
/*
 * How does the instruction of fn holding the byte at pos refer to target? w keeps the decoding
 * cursor, so that asking in address order decodes each function once.
 */
struct go_insn_walk *go_binary__walk_new(const struct go_binary *b);
void go_binary__walk_free(const struct go_binary *b, struct go_insn_walk *w);
enum go_insn_ref go_binary__ref_at(struct go_binary *b, struct go_insn_walk *w,
				   const struct go_func *fn, uint64_t pos, uint64_t target,
				   uint64_t *insn_addr);

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
/*
 * Let go of what planning read: the instruction decoder and the pages of the binary's segments
 * (loaded and read again when needed).
 */
void go_binary__release(struct go_binary *bin);
void go_call_sites__free(struct go_call_sites *cs, size_t n);

/* go_binary__call_sites() for every one of fns, whatever its entry site (for return sites). */
int go_binary__callers(struct go_binary *bin, const struct go_func *const *fns, size_t n,
		       struct go_call_sites *out);

/*
 * Where calls return, seen in their callers (libgo/plan/retsites.c). A RET costs a single-stepped
 * trap; when every entry of a function is a direct CALL (cs[i] from go_binary__callers, each
 * with sp_adj 8), each of its calls returns right after one of those CALLs, in a register-ABI
 * caller (g in R14). out[i].addrs[k] is then the first instruction after the k-th CALL that
 * the kernel emulates (CALL, JMP, Jcc, register PUSH, NOP), reached from the return address in
 * a straight line that nothing else enters (no branch in the caller targets it, the caller has
 * no indirect jump, and it is not where a recovered panic resumes), and out[i].sp_adj[k] how far
 * below SP there the callee's entry SP is. A probe there fires once per return. A loop's
 * first JMP to its condition may also lead into such a line: out[i].guards lists those JMPs,
 * each of which must be probed too, to tell the passage through the site that follows it from
 * a return (retsites.c). When any CALL has no such instruction, out[i].usable is false and
 * out[i].why says why (a static string): probe the function's RETs.
 */
struct go_return_sites {
	bool usable;
	const char *why;	/* when not usable */
	size_t cnt;		/* cs[i].cnt */
	uint64_t *addrs;
	uint8_t *sp_adj;
	/* the argument registers (one bit per code, go_insn.regs_written) that the line from the
	 * return address to each site writes: those that no longer hold the callee's results */
	uint32_t *written;
	uint64_t *guards;	/* link-time addresses of the JMPs into the lines */
	size_t nguards;
};

int go_binary__return_sites(struct go_binary *bin, const struct go_func *const *fns,
			    const struct go_call_sites *cs, size_t n, struct go_return_sites *out);
void go_return_sites__free(struct go_return_sites *rs, size_t n);

/*
 * How far pid loaded bin from its link-time addresses (0 unless PIE); remembered per process,
 * so that it is known after the process has exited.
 */
int go_binary__load_bias(const struct go_binary *bin, pid_t pid, int64_t *bias);
/*
 * The load bias of process pid, gone, from one of its stacks: frames[0] is the probed pc, which
 * is one of the sites at file offsets offs[]. -ENOENT when no site fits, or more than one fits
 * as well. Remembered: go_binary__load_bias() of pid says it next.
 */
int go_binary__bias_from_stack(const struct go_binary *bin, pid_t pid, const uint64_t *offs,
			       size_t n, const uint64_t *frames, int nframes, int64_t *bias);
/* 0 when pid maps bin's file (runs it, or loaded it as a library); -ENOENT when not. */
int go_binary__runs_in(const struct go_binary *bin, pid_t pid);
/* "main.add+0x1c" for a link-time address; "[unknown] 0x..." outside every function. */
int go_binary__symbolize(const struct go_binary *bin, uint64_t addr, char *buf, size_t size);

/*
 * Offset of goid in runtime.g (go_binary__layout); -ENOTSUP, saying why, for gccgo, before Go
 * 1.17 (no g in R14), and when unknown.
 */
int go_binary__goid_offset(struct go_binary *bin);

/*
 * How a thread's runtime.m leads to the goroutine it runs (gc): offsets of g.m, m.g0 (the
 * thread's system stack's g), m.gsignal and m.curg (go_binary__layout), for Go 1.16, which keeps
 * g in thread-local storage, not in R14; -ENOTSUP, saying why, when one is unknown.
 */
struct go_m_layout {
	int g_m, m_g0, m_gsignal, m_curg;
};
int go_binary__m_layout(struct go_binary *bin, struct go_m_layout *l);
/*
 * Where a goroutine's pprof labels are (gc, Go 1.17+): g.labels points at a slice of {key,
 * value string} pairs, by key (Go 1.24+), or at a word pointing at a map[string]string's hmap
 * (map: its fields' and a bucket's offsets, GO_MAP_SLOTS slots of string keys and values).
 * -ENOTSUP, saying why, when they cannot be read.
 */
struct go_labels_layout {
	int off;		/* of g.labels; -1 when unknown */
	bool map;
	int hmap_count, hmap_b, hmap_buckets, hmap_oldbuckets;
	int bucket_keys, bucket_elems, bucket_overflow, bucket_size;
};
int go_binary__labels_layout(struct go_binary *bin, struct go_labels_layout *l);
/* How its maps are laid out: its release's form, GO_MAPS_UNKNOWN for gccgo (layout.h). */
enum go_map_form go_binary__map_form(struct go_binary *bin);
/*
 * Whether the release leaves the frame pointers saved in a goroutine's frames pointing into its
 * old stack when the stack moves (gc for arm64 before Go 1.21: runtime/stack.go adjusted only
 * amd64's), so that a walk by frame pointers past such a frame reads freed memory.
 */
bool go_binary__stale_frame_pointers(struct go_binary *bin);
/* Offset of g.waitreason (a byte) in runtime.g (go_binary__layout); -ENOTSUP, saying why. */
int go_binary__waitreason_offset(struct go_binary *bin);
/*
 * The runtime's names of why a goroutine waits, by g.waitreason (runtime.waitReasonStrings,
 * found in stripped binaries too): *reasons[0, n) where n is returned, entry 0 "", freed with
 * go_wait_reasons__free(*reasons, n); a negative errno, saying why, when not found (gccgo).
 */
int go_binary__wait_reasons(struct go_binary *bin, char ***reasons);
void go_wait_reasons__free(char **reasons, size_t n);
/* g.waitreason's value of the runtime's wait reason named name; -ENOENT, saying why. */
int go_binary__wait_reason_value(struct go_binary *bin, const char *name);

/*
 * What a coroutine switch reads (gc, Go 1.22+: runtime.coroswitch_m(gp), iter.Pull's): where
 * runtime.g holds gp.coroarg (the *coro) and gp.coroexit (a bool: gp ends), where runtime.coro
 * holds the goroutine blocked in it, and g.waitreason's value for the goroutine switched out
 * ("coroutine"). -ENOTSUP or -ENOENT, saying why, when any is not known.
 */
struct go_coro_layout {
	int g_coroarg, g_coroexit, coro_gp;
	int reason;
};
int go_binary__coro_layout(struct go_binary *bin, struct go_coro_layout *c);

/*
 * Whether the running goroutine's g is in the arch's g register (go_arch.g_reg: R14 on amd64,
 * R28 on arm64) at fn's entry site (at_ret false) or at its RETs, gc's goid offset known. On
 * amd64 the register ABI keeps it there (Go >= 1.17); gccgo and older releases keep it in
 * thread-local storage, and assembly (ABI0) functions are entered with g there from a
 * register-ABI caller but may use the register as scratch (crypto/sha256's block does), so at
 * their RETs it is not. arm64's R28 is g in all gc code (go_arch.g_always). fn may be NULL for
 * the binary's entry sites in general.
 */
bool go_binary__g_in_reg(struct go_binary *bin, const struct go_func *fn, bool at_ret);

/* ---- Go's ABIs ------------------------------------------------------------------------------ */

/* ---- Go's ABIs (go_abi__*: arch/arch.h) -------------------------------------------------- */

/*
 * The same for a function, goargN and goretN: a gccgo function whose results take more than 16
 * bytes, such as (string, int), gets a hidden pointer to them first, in RDI (System V's MEMORY
 * class, told by its DWARF), so its arguments start a word later; and its results are in
 * memory, not in registers (-ENOTSUP). -ENOTSUP for GCC's clones (go_func.clone).
 */
int go_binary__arg(struct go_binary *bin, const struct go_func *fn, int n, struct go_loc *loc);
int go_binary__ret(struct go_binary *bin, const struct go_func *fn, int n, int args_size,
		   struct go_loc *loc);

/* The integer-class words of a function's arguments or results, as its ABI passes them. */
struct go_words {
	int regs;		/* in registers: goarg1..goarg<regs> */
	int stack;		/* on the stack, after the ABI's registers' worth (ABI0: all) */
};
/* From DWARF; -ENOENT, the message saying why, when it has none or does not tell. */
int go_binary__words(struct go_binary *bin, const struct go_func *fn, bool results,
		     struct go_words *w);
/*
 * Is goargN (goretN with results) a word fn's ABI passes? 0 when it is, as DWARF says, or as
 * far as the pclntab's argument size bounds it; -EINVAL, saying why, when it is past what fn
 * passes; 1 when nothing tells (no DWARF, and no argument size for arguments), the message
 * saying so for a warning.
 */
int go_binary__check_word(struct go_binary *bin, const struct go_func *fn, bool results, int n);

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
	bool in_regs;		/* the register ABI gave it registers, from the integer one ireg */
	int ireg;		/* 0-based, go_abi__arg's n - 1 (a struct's: its fields' in order) */
	int64_t sp_off;		/* !in_regs: where on the stack it starts, as loc's sp_off */
	uint64_t type_die;	/* its type's DIE (its offset in .debug_info) */
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

/* ---- Selectors: `r.URL.Path`, `len(r.Tags)`, `goarg1.(*net/http.Request).Method` ------- */

struct go_types;

#define GO_XSEL_MAX 8
#define GO_XNAME_LEN 64
#define GO_XBASE_REGS 16

/* An expression's syntax: [len( | cap(] NAME [.(TYPE)] {.FIELD | [N]} [)] */
struct go_xsyntax {
	char base[GO_XNAME_LEN];	/* a parameter's name, or goargN */
	char assert[128];		/* the type asserted ("*net/http.Request"), or "" */
	enum { GO_XFN_NONE, GO_XFN_LEN, GO_XFN_CAP } fn;
	int nsel;
	struct {
		char name[GO_XNAME_LEN];	/* a field, */
		long index;		/* or, with name "", an index (-1 for a field) */
	} sel[GO_XSEL_MAX];
};
/* Parse text (input from the user) into *x; -EINVAL with the message saying what is wrong. */
int go_xsyntax__parse(const char *text, struct go_xsyntax *x);

/*
 * Where an expression's base value is, and its type: DWARF's (the DIE at offset die, as
 * go_param.type_die), or a runtime descriptor under stars pointers.
 */
struct go_xbase {
	uint64_t die;
	uint64_t type;
	int stars;
	bool stack;			/* on the stack from sp_off, */
	int64_t sp_off;
	int nregs;			/* else in these integer registers, in order */
	struct go_loc reg[GO_XBASE_REGS];
};

/* An expression's value and how a probe reads it (trace.h's plan). */
struct go_xexpr {
	char text[128];
	enum go_kind kind;		/* GO_KIND_STRING: a string's or slice's (data, length) */
	int rkind;			/* enum go_rkind of its type */
	int size;			/* bytes of a scalar */
	bool bytes;			/* a []byte */
	int elem_rkind;			/* a pointer's or slice's element's kind, or 0 */
	char tname[128];		/* its type, as %T prints it */
	int nwords;			/* the plan starts from these words (with no step: the value) */
	struct go_loc loc[2];
	struct go_xplan plan;
	/*
	 * With value (set by the caller): the whole value for %v, a composite one too. Its type
	 * (a descriptor under vstars pointers), and where its bytes are: at the address the
	 * plan ends with (its word, or loc[0] with no step) plus vplan.root_off, vplan.root
	 * bytes; on the stack at vsp_off; or, vplan.root 0, in the registers vloc, placed as
	 * vplan.place says. vplan's reads are go_vplan__make's.
	 */
	bool value;
	enum { GO_XROOT_MEM, GO_XROOT_STACK, GO_XROOT_REGS } vroot;
	uint64_t vtype;
	int vstars;
	int64_t vsp_off;
	struct go_loc vloc[GO_TRACE_VPLACES];
	struct go_vplan vplan;
};
/*
 * The plan of reads of expression s from base b, over types t; -EINVAL (-ENOENT: a type not in
 * the binary) with the message saying why, naming x->text, which the caller sets.
 */
int go_xexpr__plan(const struct go_types *t, struct go_binary *bin, const struct go_xsyntax *s,
		   const struct go_xbase *b, struct go_xexpr *x);
/* The plan as --dry-run shows it: words, reads, the type. */
void go_xexpr__print(const struct go_xexpr *x, FILE *out);
/*
 * The type Go calls go ("*net/http.Request", "main.Point", "string"): the descriptor of what its
 * stars point to (*stars of them); -ENOENT, the message naming the binary's nearest types.
 */
int go_xtype__find(const struct go_types *t, const char *go, uint64_t *type, int *stars);
/* Integer registers the register ABI gives a value of b's type; -1: it goes on the stack. */
int go_xtype__regs(const struct go_types *t, struct go_binary *bin, const struct go_xbase *b);

/*
 * A composite value for %v (libgo/binary/composite.c): the reads that copy what fmt prints of a
 * value of the type (a descriptor under stars pointers) whose own root_bytes bytes are at the
 * buffer's start, into pl (its root and places set by the caller); -ENOENT with the message.
 */
int go_vplan__make(const struct go_types *t, uint64_t type, int stars, uint32_t root_bytes,
		   struct go_vplan *pl);
/*
 * What fmt's %v (%+v with plus) prints of the value that tv holds, copied by pl, into *text
 * (malloc'd, raw: escape it for a terminal): "..." where a bound cut it, <unreadable> for
 * memory that could not be read, <X method> where fmt would call the type's method X (the
 * text of time.Duration's and syscall.Errno's: go_value__method_part), <not copied> for an
 * interface's value. -ENOMEM.
 */
int go_vplan__format(struct go_types *t, uint64_t type, int stars,
		     const struct go_vplan *pl, const struct go_tval *tv, bool plus, char **text);

/* ---- Patterns ------------------------------------------------------------------------------- */

struct go_pattern;

/*
 * A function pattern as bcc's tools take it: with regex false, a glob where '*' is any run of
 * characters and '?' one (UTF-8) character, and every other character, including ( ) [ ] and
 * '.', stands for itself; so does a '*' right after '(', a pointer receiver's, and any character
 * after '\'. With regex true, an extended regular expression matched anywhere in the name
 * (anchor it with ^ and $).
 */
struct go_pattern *go_pattern__new(const char *pattern, bool regex);
/* One more alternative: pat then matches what it matched or what pattern (of its kind) does. */
int go_pattern__add(struct go_pattern *pat, const char *pattern);
bool go_pattern__match(const struct go_pattern *pat, const char *name);
/* Can pat match a name that begins with prefix? (A regular expression: taken to be able to.) */
bool go_pattern__may_begin(const struct go_pattern *pat, const char *prefix);
void go_pattern__free(struct go_pattern *pat);
/* Length of the valid UTF-8 sequence at s (1 to 4 bytes), or 0 when there is none. */
int go_utf8_len(const char *s);

/* Select the functions whose names match; returns the count, fills *idx (malloc'd). */
int go_binary__match(const struct go_binary *bin, const struct go_pattern *pat, size_t **idx);

/* ---- Generic functions' instantiations (gc, Go 1.18+) -------------------------------------- */

/*
 * gc compiles a generic function once per GC shape (main.Sum[go.shape.int] runs Sum[int] and
 * Sum[main.myInt]) and passes each call a dictionary that names its instantiation. An
 * instantiation is a shaped function and a dictionary (libgo/binary/generics.c).
 */
struct go_inst {
	const char *name;	/* "main.Sum[int]", "main.(*Stack[string]).Push": as .symtab names
				 * the dictionary, with import paths (%T's package names when stripped) */
	const struct go_func *body;	/* the shaped function that runs it */
	uint64_t dict;		/* its dictionary's link-time address; 0 when another instantiation
				 * of body has the same one (an empty dictionary): not told apart */
	int reg;		/* the dictionary's register at body's entry (go_arch__reg_code) */
	/* the instantiation's own wrapper (for a function value, a method table), named as it
	 * is, which calls body with the dictionary: its calls are counted at body; or NULL */
	const struct go_func *wrapper;
	const char *how;	/* what named it: "the symbol table", "its wrapper's name", "its
				 * receiver's type", "its dictionary's type arguments" (Go 1.18-1.19),
				 * "its dictionary's types" (Go 1.21+) */
};

/*
 * The instantiations bin's dictionaries tell apart (and those they cannot, dict 0), sorted by
 * name, owned by bin: those pat may match (with the symbol table, only its shaped functions
 * that pat may name are looked at), or all (pat NULL; a stripped binary's are always found all
 * at once). A dictionary nothing names for sure is left out: its calls are the shaped
 * function's.
 */
int go_binary__instances(struct go_binary *bin, const struct go_pattern *pat,
			 const struct go_inst **insts, size_t *cnt);
/*
 * Is the instantiation's dictionary still in its register at site, an entry site of its body
 * (past the stack check, which writes no argument register: checked all the same)?
 */
bool go_inst__at_site(struct go_binary *bin, const struct go_inst *inst, uint64_t site);
/*
 * Which integer-class argument word (1-based, go_abi__arg's numbering) of the function whose
 * code fn runs (a shaped body, or an instantiation of one) is its dictionary: 1 for a function
 * (and a Go 1.18-1.19 method), the word after the receiver's for a Go 1.20+ method; 0 when fn
 * is not a shaped body or where the dictionary is cannot be told. goargN skips it.
 */
int go_binary__dict_word(struct go_binary *bin, const struct go_func *fn);
/* How many of the (DWARF-listed) arguments come before the dictionary: 0, or 1 (the receiver
 * of a Go 1.20+ method); -1 when fn is not a shaped body. */
int go_binary__dict_param(struct go_binary *bin, const struct go_func *fn);

/* ---- Runtime type data: the dynamic types of interface values ---------------------------- */

/*
 * An interface value is two words: the type (an `interface{}`) or method table (itab; gccgo's
 * method table) of its dynamic type, then the value, or a pointer to it. These read the type
 * descriptors the binary holds (gc Go 1.17+, stripped and PIE too; gccgo). Addresses are
 * link-time addresses: subtract the process's load bias from what an interface holds.
 */
/* reflect.Kind of a type descriptor (Kind_ & 0x1f). */
enum go_rkind {
	GO_RKIND_BOOL = 1, GO_RKIND_INT, GO_RKIND_INT8, GO_RKIND_INT16, GO_RKIND_INT32,
	GO_RKIND_INT64, GO_RKIND_UINT, GO_RKIND_UINT8, GO_RKIND_UINT16, GO_RKIND_UINT32,
	GO_RKIND_UINT64, GO_RKIND_UINTPTR, GO_RKIND_FLOAT32, GO_RKIND_FLOAT64, GO_RKIND_COMPLEX64,
	GO_RKIND_COMPLEX128, GO_RKIND_ARRAY, GO_RKIND_CHAN, GO_RKIND_FUNC, GO_RKIND_INTERFACE,
	GO_RKIND_MAP, GO_RKIND_POINTER, GO_RKIND_SLICE, GO_RKIND_STRING, GO_RKIND_STRUCT,
	GO_RKIND_UNSAFE_POINTER,
};
/* Where the type's value is the interface's second word itself (a pointer-shaped type): the
 * bit in Kind_ up to Go 1.25 and in gccgo, in TFlag from Go 1.26; test both. */
#define GO_TYPE_DIRECT_IFACE 0x20
/* Offset of the dynamic type in an itab (gc) or method table (gccgo). */
#define GO_ITAB_TYPE_OFF 8
#define GO_GCCGO_ITAB_TYPE_OFF 0

struct go_types;

/* Find the binary's type data. NULL with errno set (ENOENT: not found, ENOTSUP: Go < 1.17). */
struct go_types *go_types__open(struct go_binary *bin);
void go_types__close(struct go_types *types);
/*
 * gccgo keeps the standard library's types in libgo.so: with a process, read those from its
 * mappings of that file (link-time addresses are then the binary's plus its load bias). No-op for gc.
 */
int go_types__set_process(struct go_types *types, pid_t pid);
/* gc: the link-time range [lo, hi) of the type data (moduledata.types); 0, 0 for gccgo. */
void go_types__range(const struct go_types *types, uint64_t *lo, uint64_t *hi);
/*
 * The name of the type at link-time address addr as Go's %T prints it ("*errors.errorString",
 * "main.Celsius"). -ENOENT when addr is not a type of the binary's type data: a type made at
 * run time by reflect, or a pointer elsewhere.
 */
int go_types__name(const struct go_types *types, uint64_t addr, char *buf, size_t size);
/* What an interface's type word turned out to be. */
enum go_type_what {
	GO_TYPE_NIL,		/* 0: a nil interface */
	GO_TYPE_NAMED,		/* a type of the binary's type data */
	GO_TYPE_RUNTIME,	/* a type descriptor that reflect made at run time */
	GO_TYPE_NONE,		/* not a type descriptor: the word is not an interface's */
	GO_TYPE_GONE,		/* not the binary's, and its process is gone: nothing tells */
};
/*
 * The type at address addr in process pid, named for output: as go_types__name, "<nil>" for 0,
 * "<runtime type ADDR>" for a type made at run time, "<not a type>" for a word that is neither,
 * "<type ADDR of a process gone>" when the process that would tell is gone;
 * *what says which. *link: its link-time address, 0 when it is not in the binary. Returns the
 * text's whole length, as snprintf does (a longer name is cut to size: call again).
 */
int go_types__describe(struct go_types *types, pid_t pid, uint64_t addr, char *buf, size_t size,
		       uint64_t *link, enum go_type_what *what);
/* The same, whole, malloc'd; NULL when out of memory. */
char *go_types__describe_dup(struct go_types *types, pid_t pid, uint64_t addr, uint64_t *link,
			     enum go_type_what *what);
/* The link-time address of the type at addr in process pid: -ENOENT when not in the binary. */
int go_types__link(struct go_types *types, pid_t pid, uint64_t addr, uint64_t *link);
/* The type's reflect.Kind, or -ENOENT as above. */
int go_types__kind(const struct go_types *types, uint64_t addr);
/* The type's size in bytes (abi.Type.Size_). */
int go_types__size(const struct go_types *types, uint64_t addr, uint64_t *size);
/* The element type of a pointer, slice, array or channel type. */
int go_types__elem(const struct go_types *types, uint64_t addr, uint64_t *elem);
/* A struct type's field: its name, type and offset. */
struct go_tfield {
	char name[64];
	uint64_t type;
	uint64_t offset;
	bool embedded;		/* an embedded field, named by its type */
};
/* The number of fields of a struct type; the i-th (-ERANGE past the last). */
int go_types__nfields(const struct go_types *types, uint64_t addr);
int go_types__field(const struct go_types *types, uint64_t addr, size_t i, struct go_tfield *f);
/* The import path of a named type's package ("io/fs"); -ENOENT for unnamed types. */
int go_types__pkgpath(const struct go_types *types, uint64_t addr, char *buf, size_t size);
/* 1 when the type's method set has a method of that name, 0 when not, -ENOENT: unreadable. */
int go_types__has_method(const struct go_types *types, uint64_t addr, const char *name);
/*
 * syscall.Errno(e).Error() as the binary's own table says it (gccgo: the C library's message,
 * as gccgo's syscall.Errstr makes it); -ENOENT when the table cannot be found.
 */
int go_types__errno_text(struct go_types *types, uint64_t e, char *buf, size_t size);
/*
 * len bytes of process pid at addr, only when addr is in the binary's image (static data):
 * read-only data from the file, the rest from the process.
 */
int go_types__read_image(const struct go_types *types, pid_t pid, uint64_t addr, void *buf,
			 size_t len);
/* 126 for Go 1.26, 0 when unknown (gccgo). */
int go_types__go_minor(const struct go_types *types);
/* How the probes read the binary's maps: its release's form (go_binary__map_form). */
enum go_map_form go_types__maps(const struct go_types *types);
/* How maps of the map type at addr are laid out, by its descriptor (its group's or bucket's
 * type); GO_MAPS_UNKNOWN when libgo does not read them. */
enum go_map_form go_types__map_form(const struct go_types *types, uint64_t addr);
/*
 * Does a gc type descriptor (a known kind, alignments, a readable name) lie at addr? For words
 * that may point at one or at other data in the same range (a dictionary's).
 */
bool go_types__plausible(const struct go_types *types, uint64_t addr);
/* The pointer word at link-time address addr as the loader leaves it (PIE: relocated). */
int go_types__pointer(const struct go_types *types, uint64_t addr, uint64_t *v);
/*
 * The types a gc type is made of: a pointer's, slice's, array's or channel's element, a map's
 * key and element, a struct's fields' types, a function's parameters' and results'. Returns
 * how many (at most max) into parts, or -ENOENT when addr is not a type.
 */
int go_types__parts(const struct go_types *types, uint64_t addr, uint64_t *parts, int max);
/*
 * The gc type named name as %T prints it ("http.Request", "*main.T", "[]string"), whose package
 * path is pkg ("net/http"; "" for no check), found among the type data's descriptors; -ENOENT
 * when the binary holds none, -ENOTSUP for gccgo.
 */
int go_types__find(const struct go_types *types, const char *name, const char *pkg,
		   uint64_t *addr);
/* Up to 3 names of types named "<package>.<suffix>", comma-separated, into buf; how many. */
int go_types__find_like(const struct go_types *types, const char *suffix, char *buf, size_t size);

/* A parameter of a function, and where an interface's two words are at the entry site. */
struct go_iface_param {
	char name[64];
	char type[64];		/* "interface {}", "fmt.Stringer", "int" */
	bool iface;		/* an interface */
	bool empty;		/* interface{}: its first word is the type, not a method table */
	struct go_loc loc[2];	/* for an interface: its type (or itab) word and its data word */
};
/*
 * The arguments of fn in order, from DWARF, placed as go_binary__params places them; -ENOENT
 * without it, -ENOTSUP for a GCC clone. *params is malloc'd.
 */
int go_binary__iface_params(struct go_binary *bin, const struct go_func *fn,
			    struct go_iface_param **params, size_t *cnt);

/* A value copied out of an interface, to print as Go does. */
struct go_ivalue {
	pid_t pid;		/* the process it was read from */
	uint64_t type;		/* link-time address of its type, 0 when not in the binary */
	int kind;		/* enum go_rkind */
	bool direct;		/* word[0] is the interface's data word itself */
	bool unreadable;
	uint64_t at;		/* unreadable: where the value (a string's bytes) is, or 0 */
	uint64_t word[2];	/* the value's first 16 bytes, or the data word */
	bool has_str;		/* str holds the first str_len of a string's len bytes */
	char *str;
	size_t str_len;
	size_t str_size;	/* bytes str can hold */
	uint64_t len;
	unsigned flags;		/* GO_IV_* (libgo/probe/bpf/iface.h): which parts of x were read */
	struct go_ivx x;	/* a struct's, or a pointer's target's, first words */
	bool quote;		/* print strings and messages quoted, as %q */
};
/*
 * What a probe could not read, read now: a probe cannot fault a page in, so a constant on a
 * page of the binary that the program has not touched (a literal, the runtime's table of small
 * integers, a struct in static data) is read again, from the file when it is read-only data
 * (so also after process pid is gone), else from the process (only from the binary's image,
 * never the heap).
 */
void go_ivalue__fetch(const struct go_types *types, pid_t pid, struct go_ivalue *v);
/*
 * Go's %v of a value (libgo/binary/govalue.c), into *text (malloc'd): integers, booleans and floats as
 * strconv prints them, strings, nil pointers as <nil>, other pointer-shaped values by address,
 * and for a type with an Error or String method, which %v calls, the message of the standard
 * library's common ones (*errors.errorString, *fs.PathError, syscall.Errno, time.Duration...)
 * from the fields that method reads; for other such types a struct's fields as %+v prints
 * them ("..." for what was not copied). Strings and messages are quoted with quote (a cut one
 * is followed by "..."). -ENOENT for values it does not show (slices, arrays, complex numbers,
 * and values of types whose methods it cannot run); -ENOMEM.
 */
int go_value__format(struct go_types *types, const struct go_ivalue *v, char **text);
/* The method %v calls on a value of the type, in fmt's order ("Format", "Error", "String"),
 * or NULL when it has none (also when its method set cannot be read: then a name). */
const char *go_types__fmt_method(const struct go_types *types, uint64_t type);
/*
 * A part of a value (a field, an element, a map's key or element) of type type and kind whose
 * bytes are w, where %v calls its method: the method's text for the types whose recipe needs
 * no more than w (time.Duration, syscall.Errno), else "<String method>" (or Error, Format);
 * false, printing nothing, when the part is not exported or %v prints it itself.
 */
bool go_value__method_part(struct go_types *types, uint64_t type, int kind, uint64_t w,
			   bool exported, FILE *f);
/* Bytes of a value of a kind (enum go_rkind): a scalar's, a string's 16, a slice's 24... */
int go_rkind__bytes(int kind);
/* A float as Go's %v prints it (bits: 32 or 64), by the Go release go_minor (126: 1.26). */
void go_format_float(double v, int bits, int go_minor, char *buf, size_t size);

/* ---- Source positions and inlined frames (pclntab) -------------------------------------- */

/* One frame of Go code at a pc: the function, or a call inlined into it. */
struct go_frame {
	const char *func;	/* the (inlined) function's name */
	const char *file;	/* "" when unknown */
	int line;		/* 0 when unknown; for a caller, the line of the call */
	int start_line;		/* the function's first line (Go 1.20+ records it), else 0 */
	bool inlined;		/* inlined into the next frame */
	bool wrapper;		/* code Go makes itself, which its tracebacks leave out */
	uint64_t entry;		/* link-time entry of the function whose code holds the pc */
};

struct go_lines;

/* The line tables of a gc binary (Go 1.16+); NULL with errno and the message set otherwise. */
struct go_lines *go_lines__open(struct go_binary *bin);
void go_lines__close(struct go_lines *lines);
/*
 * The frames at link-time address pc, innermost first: each call inlined there, then the
 * function itself, as Go's tracebacks show them. ret: pc is a return address, whose call is the
 * position (pc - 1 is looked up). Returns how many (at most max), or -ENOENT outside Go code.
 */
int go_lines__frames(const struct go_lines *lines, uint64_t pc, bool ret, struct go_frame *out,
		     int max);
/* The stack pointer's distance below the function's entry SP at pc (Go's pcsp table): the return
 * address is at SP + *delta. */
int go_lines__sp_delta(const struct go_lines *lines, uint64_t pc, int32_t *delta);
/* Whether the function at pc is where a stack ends (runtime.goexit, runtime.mstart, ...). */
bool go_lines__top_frame(const struct go_lines *lines, uint64_t pc);
/*
 * Whether the instruction at pc runs again when Go's asynchronous preemption lands later in a
 * sequence the compiler marked restartable (PCDATA_UnsafePoint: its first instruction, or the
 * entry of a function marked to restart there): a probe at pc may then fire twice for one pass.
 * restart: whether pc is in such a sequence at all (its first instruction or a later one).
 */
bool go_lines__restarts_at(const struct go_lines *lines, uint64_t pc, bool *restart);
/* What the function holding pc is, as Go's unwinder asks (GO_FUNC_*); -ENOENT outside Go code. */
enum {
	GO_FUNC_TOP = 1,	/* a stack ends there (runtime.goexit, runtime.mstart, ...) */
	GO_FUNC_SPWRITE = 2,	/* it writes SP as no table says: Go's unwinder stops there */
	GO_FUNC_WRAPPER = 4,	/* code Go makes itself (an ABI or method wrapper) */
};
int go_lines__func_flags(const struct go_lines *lines, uint64_t pc);


/*
 * A function's inline tree, whole: each call inlined into it (at any depth), and which of them
 * each of its pcs runs (PCDATA_InlTreeIndex), for planning probes of inlined calls.
 */
struct go_inl_call {
	const char *func;	/* the inlined function's name */
	uint64_t mark;		/* link-time address of its parentPc (Go's inline mark): the
				 * instruction of the code it was inlined into that stands for the
				 * call; 0 when outside the function (a corrupt entry) */
	int32_t parent;		/* the call it was inlined into, -1: the function itself */
	bool wrapper;		/* code Go makes itself */
};
struct go_inl_range {
	uint64_t lo, hi;	/* [lo, hi), link-time */
	int32_t ix;		/* the innermost inlined call running there; -1: none */
};
struct go_inl_tree {
	struct go_inl_call *calls;
	size_t ncalls;
	struct go_inl_range *ranges;	/* in address order, covering the function */
	size_t nranges;
};
/* fn's inline tree (empty when nothing was inlined into it); -ENOENT when fn is not in lines. */
int go_lines__inl_tree(const struct go_lines *lines, const struct go_func *fn,
		       struct go_inl_tree *t);
void go_inl_tree__free(struct go_inl_tree *t);
/* The innermost inlined call running at pc (-1: none). */
int32_t go_inl_tree__index_at(const struct go_inl_tree *t, uint64_t pc);
/* Is ix the call, or one inlined into it (at any depth)? */
bool go_inl_tree__within(const struct go_inl_tree *t, int32_t ix, int32_t call);

#endif /* LIBGO_BINARY_H */
