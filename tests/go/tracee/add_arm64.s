//go:build gc
// +build gc

#include "textflag.h"

// func asmAdd(x, y int64) int64
TEXT ·asmAdd(SB), NOSPLIT, $0-24
	MOVD x+0(FP), R0
	MOVD y+8(FP), R1
	ADD R1, R0, R0
	MOVD R0, ret+16(FP)
	RET
