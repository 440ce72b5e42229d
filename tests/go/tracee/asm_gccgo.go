//go:build gccgo
// +build gccgo

package main

// gccgo cannot assemble Go assembly: asmAdd is plain Go there.
//
//go:noinline
func asmAdd(x, y int64) int64 {
	return x + y
}
