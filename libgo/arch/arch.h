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
 * functions of a binary.
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

struct go_arch {
	const char *name;	/* as `uname -m` says: "x86_64" */
	int machine;		/* ELF e_machine: EM_X86_64 */
	int ptr_size;		/* bytes of a pointer, and of a stack word */
	/* bytes of the direct CALL a return address follows (x86: E8 rel32) */
	int call_size;
	/* how far below the caller's SP a CALL leaves the callee's entry SP: 8 on x86-64, where it
	 * pushes the return address; 0 where the return address goes to a link register */
	int call_push;

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
};

/* The architecture of ELF machine e_machine (EM_*); NULL for one libgo does not know. */
const struct go_arch *go_arch__for_machine(int e_machine);

#endif /* LIBGO_ARCH_H */
