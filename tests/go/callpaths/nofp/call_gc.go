//go:build gc
// +build gc

package nofp

// Call calls Hook(n) with the frame pointer 0 (asm_amd64.s: BP, asm_arm64.s: R29).
func Call(n int)
