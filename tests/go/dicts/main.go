// Command dicts instantiates generic functions and methods in the shapes that make their
// dictionaries hard to read without a symbol table: two type parameters, a type argument that
// is a struct of another's type (main.pt, of int), one that is an instantiated generic type
// (Named[myInt]), pointers, slices and maps, and generic functions that call others (sub-
// dictionaries). tests/test_generics.py compares what libgo names in its stripped build with
// its symbol table. It runs once and exits.
package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

type myInt int
type pt struct{ x, y int }
type Named[T any] struct{ v T }
type List[T any] struct {
	items []T
	mu    sync.Mutex
}

//go:noinline
func (l *List[T]) Add(v T) { l.mu.Lock(); l.items = append(l.items, v); l.mu.Unlock() }

//go:noinline
func (l *List[T]) Each(f func(T) bool) int {
	n := 0
	for _, v := range l.items {
		if f(v) {
			n++
		}
	}
	return n
}

//go:noinline
func Map[K comparable, V any](ks []K, f func(K) V) map[K]V {
	m := map[K]V{}
	for _, k := range ks {
		m[k] = f(k)
	}
	return m
}

//go:noinline
func Keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

//go:noinline
func Wrap[T any](v T) Named[T] { return Named[T]{v} }

//go:noinline
func Ptr[T any](v T) *T { return &v }

//go:noinline
func Conv[T any](v T) any { return v }

//go:noinline
func Pair[A, B any](a A, b B) string { return fmt.Sprint(a, b) }

//go:noinline
func Outer[T any](v T) string { return Pair(v, Wrap(v)) }

func main() {
	var li List[int]
	var ls List[string]
	var lp List[*pt]
	var ln List[Named[myInt]]
	li.Add(1)
	ls.Add("a")
	lp.Add(&pt{})
	ln.Add(Named[myInt]{2})
	li.Each(func(int) bool { return true })
	ls.Each(func(string) bool { return true })
	lp.Each(func(*pt) bool { return true })
	ln.Each(func(Named[myInt]) bool { return true })
	m1 := Map([]string{"a"}, strings.ToUpper)
	m2 := Map([]int{1}, func(i int) pt { return pt{i, i} })
	m3 := Map([]myInt{1}, func(i myInt) []string { return nil })
	k1, k2, k3 := Keys(m1), Keys(m2), Keys(m3)
	sort.Strings(k1)
	fmt.Println(len(k1), len(k2), len(k3), Wrap(1), Wrap("x"), Wrap(myInt(3)), Wrap(pt{}), *Ptr(1), *Ptr("s"), *Ptr(myInt(2)))
	fmt.Println(Conv(1), Conv(myInt(1)), Conv([]int{1}), Conv(map[string]int{}), Pair(1, "a"), Pair(myInt(1), 2.5), Pair(&pt{}, []byte("x")))
	fmt.Println(Outer(1), Outer("s"), Outer(myInt(4)), Outer(pt{}))
}
