#include "textflag.h"

// trap starts with INT3, as runtime.abort does: the kernel cannot probe its entry. Nothing
// calls it; a function value keeps it in the binary.
TEXT ·trap(SB),NOSPLIT,$0-0
	BYTE $0xCC
	RET

// clobber(x) returns x+1, computed in R14: an assembly (ABI0) function may use R14 as scratch,
// as crypto/sha256's block does, so at its RET R14 does not hold the goroutine's g.
TEXT ·clobber(SB),NOSPLIT,$0-16
	MOVQ x+0(FP), R14
	INCQ R14
	MOVQ R14, ret+8(FP)
	XORQ R14, R14
	RET
