/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x86-64's argument registers as the BPF programs and the C code number them, included by
 * both (the BPF programs through probe/bpf/x86_64.bpf.h): the integer registers a probe may
 * find an argument word in, by pt_regs field, in the order of their codes. The verifier
 * refuses a ctx read at a computed offset, so a program reads them all into an array and picks
 * one by code; go_arch__reg_code() gives a register's code.
 */
#ifndef GO_ARCH_X86_64_REGS_H
#define GO_ARCH_X86_64_REGS_H

#define GO_ARG_REGS(X) X(ax) X(bx) X(cx) X(dx) X(si) X(di) X(r8) X(r9) X(r10) X(r11)
#define GO_NARG_REGS 10

#endif
