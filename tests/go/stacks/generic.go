//go:build go1.18
// +build go1.18

package main

// pair's shape has a ";" in its name: main.generic[go.shape.struct { A int; B string }].
type pair struct {
	A int
	B string
}

//go:noinline
func generic[T any](v T, i int) {
	sink += leaf(i)
}

func runGeneric() {
	for i := 0; i < genericCalls; i++ {
		generic(pair{i, "x"}, i)
	}
}
