//go:build gc
// +build gc

#include "textflag.h"

// func Call(n int): callHook(n), with BP = 0. The assembler saves and restores the caller's
// BP around the frame, as it does for every frame of assembly.
TEXT ·Call(SB), NOSPLIT, $8-8
	MOVQ	n+0(FP), AX
	MOVQ	AX, 0(SP)
	XORL	BP, BP
	CALL	·callHook(SB)
	RET
