//go:build gc
// +build gc

#include "textflag.h"

// func asmAdd(x, y int64) int64
TEXT ·asmAdd(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), AX
	MOVQ y+8(FP), BX
	ADDQ BX, AX
	MOVQ AX, ret+16(FP)
	RET
