// SPDX-License-Identifier: Apache-2.0
/*
 * x86-64's calibration functions (go_calib_emulated, go_calib_stepped: arch/arch.h): a PUSH,
 * which the kernel emulates, and a SUB of SP, which it single-steps (it emulates only branches,
 * NOPs and PUSH).
 */
#ifdef __x86_64__
__asm__(".pushsection .text\n"
	".p2align 4\n"
	".globl go_calib_emulated\n"
	".type go_calib_emulated, @function\n"
	"go_calib_emulated:\n\tpush %rbp\n\tpop %rbp\n\tret\n"
	".size go_calib_emulated, .-go_calib_emulated\n"
	".p2align 4\n"
	".globl go_calib_stepped\n"
	".type go_calib_stepped, @function\n"
	"go_calib_stepped:\n\tsub $8, %rsp\n\tadd $8, %rsp\n\tret\n"
	".size go_calib_stepped, .-go_calib_stepped\n"
	".popsection\n");
#endif
