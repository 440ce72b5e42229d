//go:build gc
// +build gc

package nofp

// Call calls Hook(n) with BP = 0 (asm_amd64.s).
func Call(n int)
