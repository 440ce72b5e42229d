/* SPDX-License-Identifier: Apache-2.0 */
/* Inside arm64's struct go_arch: shared by the files of libgo/arch/arm64/. */
#ifndef LIBGO_ARCH_ARM64_H
#define LIBGO_ARCH_ARM64_H

#include "arch/arch.h"

extern const struct go_arch go_arch_arm64;

/* An instruction word at p (4 bytes, little-endian). */
uint32_t a64_word(const uint8_t *p);
/* Whether arm64 uprobes simulate the instruction rather than single-step it. */
bool a64_simulated(uint32_t insn);
/* A direct branch's target (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ) at pc; false for others. */
bool a64_branch_target(uint32_t insn, uint64_t pc, uint64_t *target);

/* The decoder (insn.c): go_arch's operations of the same names. */
int a64_entry_site(struct go_code *code, const struct go_func *fn, uint64_t *addr, int *cond);
int a64_ret_sites(struct go_code *code, const struct go_func *fn, uint64_t **addrs, size_t *cnt);
int a64_split_ret(struct go_code *code, const struct go_func *fn, uint64_t *addr);
int a64_decode(struct go_code *code, const struct go_func *fn, struct go_insn **insns, size_t *n);
struct go_insn_walk *a64_walk_new(void);
void a64_walk_free(struct go_insn_walk *w);
enum go_insn_ref a64_ref_at(struct go_code *code, struct go_insn_walk *w, const struct go_func *fn,
			    uint64_t pos, uint64_t target, uint64_t *insn_addr);
int a64_code_refs(const uint8_t *p, size_t len, size_t count, uint64_t vaddr, bool absolute,
		  const struct go_addr_bits *want, go_ref_hit_fn hit, void *ctx);
void a64_code_free(struct go_code *code);
/* A system call's name by its number (syscalls.c); NULL for a number it does not know. */
const char *go_arm64__syscall_name(unsigned int nr);

#endif
