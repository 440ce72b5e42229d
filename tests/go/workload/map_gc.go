//go:build gc

package main

// Map is generic; gc compiles it once per shape, e.g. main.Map[go.shape.int].
//
//go:noinline
func Map[T any](xs []T, f func(T) T) []T {
	mapCalls++
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
