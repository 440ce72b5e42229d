//go:build gc
// +build gc

package main

// asmAdd is written in assembly (add_amd64.s, add_arm64.s), so it has ABI0 only: arguments on the stack.
func asmAdd(x, y int64) int64
