/* SPDX-License-Identifier: Apache-2.0 */
/* Inside x86-64's struct go_arch: shared by the files of libgo/arch/x86_64/. */
#ifndef LIBGO_ARCH_X86_64_H
#define LIBGO_ARCH_X86_64_H

#include "arch/arch.h"

extern const struct go_arch go_arch_x86_64;

/* Whether x86 uprobes emulate the instruction at p instead of single-stepping it. */
bool x86_emulated(const uint8_t *p, size_t len);

/* The decoder (insn.c): go_arch's operations of the same names. */
int x86_entry_site(struct go_code *code, const struct go_func *fn, uint64_t *addr, int *jcc);
int x86_ret_sites(struct go_code *code, const struct go_func *fn, uint64_t **addrs, size_t *cnt);
int x86_split_ret(struct go_code *code, const struct go_func *fn, uint64_t *addr);
int x86_decode(struct go_code *code, const struct go_func *fn, struct go_insn **insns, size_t *n);
struct go_insn_walk *x86_walk_new(void);
void x86_walk_free(struct go_insn_walk *w);
enum go_insn_ref x86_ref_at(struct go_code *code, struct go_insn_walk *w, const struct go_func *fn,
			    uint64_t pos, uint64_t target, uint64_t *insn_addr);
void x86_code_free(struct go_code *code);
/* A system call's name by its number (syscalls.c); NULL for a number it does not know. */
const char *go_x86_64__syscall_name(unsigned int nr);

#endif
