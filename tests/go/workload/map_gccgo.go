//go:build gccgo

package main

// gccgo 12 has no generics: Map is an ordinary function there, main.Map.
//
//go:noinline
func Map(xs []int, f func(int) int) []int {
	mapCalls++
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
