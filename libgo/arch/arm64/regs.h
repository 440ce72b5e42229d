/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arm64's argument registers as the BPF programs and the C code number them, included by both
 * (the BPF programs through probe/bpf/arm64.bpf.h): X0-X15, which Go's register ABI passes
 * integer words in (the C ABI, gccgo's, uses X0-X7), in the order of their codes. The verifier
 * refuses a ctx read at a computed offset, so a program reads them all into an array and picks
 * one by code; go_arch__reg_code() gives a register's code. pt_regs holds them in regs[]:
 * GO_A64_REG gives a name's index there.
 */
#ifndef GO_ARCH_ARM64_REGS_H
#define GO_ARCH_ARM64_REGS_H

#define GO_ARG_REGS(X) X(x0) X(x1) X(x2) X(x3) X(x4) X(x5) X(x6) X(x7) X(x8) X(x9) X(x10) \
	X(x11) X(x12) X(x13) X(x14) X(x15)
#define GO_NARG_REGS 16

#define GO_A64_REGNO(name) GO_A64_REG_##name,
enum { GO_ARG_REGS(GO_A64_REGNO) };
#undef GO_A64_REGNO
#define GO_A64_REG(name) GO_A64_REG_##name

#endif
