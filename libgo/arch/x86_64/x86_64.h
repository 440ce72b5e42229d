/* SPDX-License-Identifier: Apache-2.0 */
/* Inside x86-64's struct go_arch: shared by the files of libgo/arch/x86_64/. */
#ifndef LIBGO_ARCH_X86_64_H
#define LIBGO_ARCH_X86_64_H

#include "arch/arch.h"

extern const struct go_arch go_arch_x86_64;

/* Whether x86 uprobes emulate the instruction at p instead of single-stepping it. */
bool x86_emulated(const uint8_t *p, size_t len);

#endif
