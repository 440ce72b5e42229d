// SPDX-License-Identifier: Apache-2.0
/*
 * arm64's calibration functions (go_calib_emulated, go_calib_stepped: arch/arch.h): a B, which
 * the kernel simulates, and a SUB of SP, which it single-steps (it simulates only branches,
 * ADR/ADRP and literal loads).
 */
#ifdef __aarch64__
__asm__(".pushsection .text\n"
	".p2align 4\n"
	".globl go_calib_emulated\n"
	".type go_calib_emulated, %function\n"
	"go_calib_emulated:\n\tb 1f\n1:\tret\n"
	".size go_calib_emulated, .-go_calib_emulated\n"
	".p2align 4\n"
	".globl go_calib_stepped\n"
	".type go_calib_stepped, %function\n"
	"go_calib_stepped:\n\tsub sp, sp, #16\n\tadd sp, sp, #16\n\tret\n"
	".size go_calib_stepped, .-go_calib_stepped\n"
	".popsection\n");
#endif
