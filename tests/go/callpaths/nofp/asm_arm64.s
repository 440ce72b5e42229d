//go:build gc
// +build gc

#include "textflag.h"

// func Call(n int): callHook(n), with the frame pointer (R29) = 0. The assembler saves and
// restores the caller's R29 around the frame, as it does for every frame of assembly.
TEXT ·Call(SB), NOSPLIT, $16-8
	MOVD	n+0(FP), R0
	MOVD	R0, 8(RSP)
	MOVD	ZR, R29
	CALL	·callHook(SB)
	RET
