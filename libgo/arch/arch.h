/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The architecture seam: what libgo knows of one machine's code and registers, as one
 * struct go_arch per architecture (libgo/arch/<arch>/), chosen by a binary's ELF machine
 * (go_binary__arch). Everything outside libgo/arch/<arch>/ asks the binary's arch, so that a
 * new architecture is a new folder that fills one in, not edits across the tree (as Delve's
 * proc.Arch and libbpf's usdt.c do it).
 *
 * The byte-level operations read nothing but the bytes they are given, so that reading a
 * binary (libgo/binary/) may use them; the decoder's (libgo/arch/<arch>/insn.c) read whole
 * functions of a binary through the struct go_code the binary gives them, and know nothing
 * else of it.
 */
#ifndef LIBGO_ARCH_H
#define LIBGO_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* No instruction of any architecture here is longer (x86: 15 bytes, the kernel reads 16). */
#define GO_INSN_MAX 16

/* A direct CALL or JMP, read from its bytes alone. */
enum go_branch_kind {
	GO_BRANCH_NONE,
	GO_BRANCH_CALL,		/* a call: the return address is pushed (x86) or in a link register */
	GO_BRANCH_JMP,		/* an unconditional jump: a tail call, or a jump within a function */
};

struct go_branch {
	enum go_branch_kind kind;
	uint8_t size;		/* the instruction's length */
	/* the form a linker writes between functions (x86: rel32, not JMP rel8), which whole-text
	 * byte scans for callers look for */
	bool long_form;
	uint64_t target;	/* link-time address it goes to */
};

/* One instruction as the decoder reads it (go_binary__decode): what it does to control flow. */
enum go_insn_kind {
	GO_INSN_OTHER,		/* execution goes on to the next instruction */
	GO_INSN_CALL,		/* a direct CALL */
	GO_INSN_JMP,		/* a direct JMP */
	GO_INSN_JCC,		/* a conditional jump */
	GO_INSN_PUSH,		/* PUSH of a register, in a form the kernel emulates */
	GO_INSN_NOP,		/* a NOP the kernel emulates */
	GO_INSN_ICALL,		/* a CALL through a register or memory */
	GO_INSN_IJMP,		/* a JMP through a register or memory (jump tables) */
	GO_INSN_END,		/* RET, UD2, INT3, HLT, ...: execution does not go on */
};

struct go_insn {
	uint64_t addr;
	uint64_t ref;		/* a direct branch's target, or an address an operand names; 0 */
	uint8_t size;
	uint8_t kind;		/* enum go_insn_kind */
	bool writes_sp;		/* it changes SP (PUSH, POP, SUB, LEA, CALL, ...) */
	bool writes_g;		/* it changes the register where register-ABI code keeps g */
	/* a branch the kernel single-steps though its kind is one it emulates (x86: a 0x66 prefix) */
	bool stepped;
	/* it copies a register to another, or does nothing (x86: MOV reg, reg; NOP): code the
	 * compiler places with whatever source position is at hand (its register allocator's
	 * moves, loop alignment), not a statement's own */
	bool filler;
	int8_t lea_reg;		/* it loads a pc-relative address (ref) into the argument register
				 * of this code (go_arch__reg_code); -1 for any other instruction */
	/* the argument registers it writes (a part of one counts), one bit per code; all of them
	 * when the decoder cannot say */
	uint32_t regs_written;
};

/* How an instruction refers to a function's entry (go_binary__ref_at). */
enum go_insn_ref {
	GO_REF_NONE,		/* it does not (or it is fn's own jump back after morestack) */
	GO_REF_CALL,		/* a direct CALL */
	GO_REF_JMP,		/* a direct JMP: a tail call */
	GO_REF_OTHER,		/* it takes the address, or branches there conditionally */
};

struct go_insn_walk;

/* How a function takes its arguments and returns its results. */
enum go_abi {
	GO_ABI_INTERNAL,	/* gc's register ABI (Go >= 1.17 on amd64): the arch's regabi_ints */
	GO_ABI0,		/* stack ABI: assembly functions, Go < 1.17 */
	GO_ABI_SYSV,		/* the C ABI (System V on amd64): gccgo */
};

/* A function of a binary's table, as binary/ reads it and the decoder walks it. */
struct go_func {
	const char *name;
	/*
	 * The pclntab's name when name is .symtab's fuller one, else NULL: Go 1.18-1.20 name each
	 * instantiation of a generic function main.Gen[...] in the pclntab, main.Gen[go.shape.int_0]
	 * in .symtab. Patterns match either.
	 */
	const char *pcln_name;
	uint64_t entry;		/* link-time virtual address of the first instruction */
	uint64_t end;		/* first address past the function */
	enum go_abi abi;
	int32_t args;		/* argument frame size in bytes (pclntab), -1 when unknown */
	const char *clone;	/* gccgo -O2: the symbol of GCC's clone of the function that name
				 * says (main.add.constprop.0, .isra.0, .part.0), whose parameters
				 * are not the function's; NULL for the function itself */
};

/*
 * A binary's code as the decoder reads it, filled by the binary (binary/code.c) so that the arch
 * asks the binary through it, and never the other way round (as Delve's Arch reads memory
 * through an interface).
 */
struct go_code {
	void *ctx;		/* the binary's, for the functions below */
	const char *name;	/* the binary's, for messages */
	/* len bytes of code at a link-time address; NULL when they are not all in the file */
	const uint8_t *(*bytes)(void *ctx, uint64_t addr, size_t len);
	/* the function of the binary's table that holds addr; NULL */
	const struct go_func *(*func_at)(void *ctx, uint64_t addr);
	/* the arch's state for this binary (x86: the capstone handles, with operand details and
	 * without), opened on first use and freed by the arch's code_free */
	void *decoder, *decoder_lite;
};

/* Where the n-th (1-based) integer-class argument or result word lives at an entry or RET site. */
struct go_loc {
	enum { GO_LOC_REG, GO_LOC_STACK } kind;
	const char *reg;	/* GO_LOC_REG: pt_regs field name, as the BPF programs read it */
	int code;		/* GO_LOC_REG: its code (go_arch__reg_code), -1 when it has none */
	int64_t sp_off;		/* byte offset from SP, for GO_LOC_STACK */
};

/*
 * A set of code addresses, one bit each over [lo, hi): the function entries a scan of code
 * looks for (code_refs), asked for every candidate operand.
 */
struct go_addr_bits {
	const uint8_t *bits;
	uint64_t lo, hi;
};

static inline bool go_addr_bits__has(const struct go_addr_bits *s, uint64_t addr)
{
	uint64_t off = addr - s->lo;

	return off < s->hi - s->lo && (s->bits[off / 8] & (1u << (off % 8)));
}

/* A scan's hit: the bytes at code address pos may name target. Nonzero stops the scan. */
typedef int (*go_ref_hit_fn)(void *ctx, uint64_t pos, uint64_t target);

struct go_arch {
	const char *name;	/* as `uname -m` says: "x86_64", "aarch64" */
	int machine;		/* ELF e_machine: EM_X86_64 */
	int ptr_size;		/* bytes of a pointer, and of a stack word */
	/* bytes of the direct CALL a return address follows (x86: E8 rel32; arm64: BL) */
	int call_size;
	/* how far below the caller's SP a CALL leaves the callee's entry SP: 8 on x86-64, where it
	 * pushes the return address; 0 where the return address goes to a link register */
	int call_push;
	/* the unit of pc deltas in Go's pclntab (its header's minLC): the smallest instruction */
	int pc_quantum;
	/* bytes of the NOP gc places where an inlined call was (x86: 0x90; arm64: NOP) */
	int mark_size;
	/* the dynamic relocations that give a word its link-time value (RELATIVE) and copy a
	 * library's object into the executable (COPY) */
	unsigned rel_relative, rel_copy;

	/*
	 * Is the instruction at p (len bytes readable, at link-time address pc) a direct CALL or
	 * JMP? *br says which, where to and how long; false for any other instruction.
	 */
	bool (*branch)(const uint8_t *p, size_t len, uint64_t pc, struct go_branch *br);
	/*
	 * Does the kernel's uprobe code emulate the instruction at p, rather than single-step it
	 * out of line (a second trap)? Unknown counts as no.
	 */
	bool (*emulated)(const uint8_t *p, size_t len);
	/* Does the kernel accept a uprobe on the instruction at p at all? */
	bool (*probeable)(const uint8_t *p, size_t len);
	/*
	 * Is the instruction at p, an entry site past the stack check, one of the prologue's that
	 * save or set the frame pointer (so that the function's frame record is not made yet)?
	 */
	bool (*sets_fp)(const uint8_t *p, size_t len);

	/* Go's ABIs here, registers named as pt_regs names them for the BPF programs. */
	const char *const *regabi_ints;	/* the register ABI's integer argument/result registers */
	int nregabi_ints;
	int nregabi_floats;		/* its floating-point ones, which probes do not read */
	const char *const *c_args;	/* the C ABI's (gccgo's) integer argument registers */
	int nc_args;
	const char *const *c_rets;	/* and its result registers */
	int nc_rets;
	const char *g_reg;		/* where register-ABI code keeps the running goroutine's g */
	/* g is there in every gc function, of either ABI (arm64: R28), not only register-ABI code
	 * (amd64's R14; older code reads it from thread-local storage) */
	bool g_always;
	int regabi_minor;		/* the Go release that brought the register ABI: 117 (1.17) */
	/* the argument registers by their codes in the BPF programs (<arch>/regs.h's GO_ARG_REGS) */
	const char *const *reg_codes;
	int nreg_codes;

	/* The decoder's, over whole functions of a binary's code: see their go_binary__ callers. */
	int (*entry_site)(struct go_code *c, const struct go_func *fn, uint64_t *addr, int *cond);
	int (*ret_sites)(struct go_code *c, const struct go_func *fn, uint64_t **addrs,
			 size_t *cnt);
	int (*split_ret)(struct go_code *c, const struct go_func *fn, uint64_t *addr);
	int (*decode)(struct go_code *c, const struct go_func *fn, struct go_insn **insns,
		      size_t *n);
	struct go_insn_walk *(*walk_new)(void);
	void (*walk_free)(struct go_insn_walk *w);
	enum go_insn_ref (*ref_at)(struct go_code *c, struct go_insn_walk *w,
				   const struct go_func *fn, uint64_t pos, uint64_t target,
				   uint64_t *insn_addr);
	/*
	 * Every address that code bytes p[0, count) at link-time address vaddr (len >= count
	 * readable, for operands that begin near the end) may name as a branch target or an
	 * operand, and that want holds: hit() is called for each, to decode it (ref_at). absolute
	 * asks for absolute addresses too (not PIE). Returns hit's first nonzero return.
	 */
	int (*code_refs)(const uint8_t *p, size_t len, size_t count, uint64_t vaddr, bool absolute,
			 const struct go_addr_bits *want, go_ref_hit_fn hit, void *ctx);
	/* Free what the decoder keeps in c (c->decoder, c->decoder_lite); it opens them again
	 * when next asked. */
	void (*code_free)(struct go_code *c);
	/* The name of system call nr ("read"); NULL for a number it does not know. */
	const char *(*syscall_name)(unsigned int nr);
};

/* The architecture of ELF machine e_machine (EM_*); NULL for one libgo does not know. */
const struct go_arch *go_arch__for_machine(int e_machine);
/* The architecture the tools are built for, and whose kernel runs their probes. */
const struct go_arch *go_arch__host(void);
/* The code of register reg ("ax") in the BPF programs' array of argument registers, or -ENOENT. */
int go_arch__reg_code(const struct go_arch *arch, const char *reg);
/* The register of a code, "?" for none. */
const char *go_arch__reg_name(const struct go_arch *arch, int code);

/*
 * Two functions of the tools' own code (the arch they are built for), for the probe layer's
 * calibration: the kernel emulates the first instruction of go_calib_emulated and single-steps
 * that of go_calib_stepped, as it does a leaf function's first instruction.
 */
void go_calib_emulated(void);
void go_calib_stepped(void);

/* ---- Go's ABIs on an arch (arch/abi.c) ------------------------------------------------------ */

/* The n-th argument word at the entry site; the n-th result word at a RET site (args_size is
 * the byte size of the arguments, needed for stack results). -EINVAL past what the ABI allows. */
int go_abi__arg(const struct go_arch *arch, enum go_abi abi, int n, struct go_loc *loc);
int go_abi__ret(const struct go_arch *arch, enum go_abi abi, int n, int args_size,
		struct go_loc *loc);
const char *go_abi__name(enum go_abi abi);
/* How many integer-class words (of results with results) the ABI passes in registers. */
int go_abi__int_regs(const struct go_arch *arch, enum go_abi abi, bool results);
/* How many floating-point registers the register ABI passes arguments in. */
int go_abi__float_regs(const struct go_arch *arch, enum go_abi abi);
/* Which word (1-based) of the register ABI's integer registers the register of code is; 0. */
int go_abi__reg_word(const struct go_arch *arch, int code);

#endif /* LIBGO_ARCH_H */
