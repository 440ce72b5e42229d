#include "textflag.h"

// leaf(x) returns 3x+1: a leaf in assembly (ABI0), called from assembly only.
TEXT ·leaf(SB),NOSPLIT,$0-16
	MOVQ x+0(FP), AX
	IMULQ $3, AX
	INCQ AX
	MOVQ AX, ret+8(FP)
	RET

// callA(x) calls leaf(x).
TEXT ·callA(SB),$16-16
	MOVQ x+0(FP), AX
	MOVQ AX, 0(SP)
	CALL ·leaf(SB)
	MOVQ 8(SP), AX
	MOVQ AX, ret+8(FP)
	RET

// callB(x) calls leaf(x) past an AVX-512 instruction that never runs (the JMP goes around
// it) and that capstone 4 cannot decode: whoever decodes this function must not lose its way
// to the CALL.
TEXT ·callB(SB),$16-16
	MOVQ x+0(FP), AX
	MOVQ AX, 0(SP)
	JMP skip
	KMOVQ K0, (AX)
skip:
	CALL ·leaf(SB)
	MOVQ 8(SP), AX
	MOVQ AX, ret+8(FP)
	RET
