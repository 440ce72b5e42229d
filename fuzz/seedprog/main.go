// A small Go program whose binaries seed the fuzzers (fuzz/seeds.sh): functions with integer,
// string, interface and error parameters, a method, an inlined call, a closure, a goroutine,
// maps passed as interfaces.
package main

import (
	"errors"
	"fmt"
	"os"
)

type Counter struct{ n int }

func (c *Counter) Inc(by int) int {
	c.n += by
	return c.n
}

type Celsius float64

func (c Celsius) String() string { return fmt.Sprintf("%.1fC", float64(c)) }

//go:noinline
func add(a, b int) int { return a + b }

//go:noinline
func greet(name string, times int) string {
	s := ""
	for i := 0; i < times; i++ {
		s += "hi " + name
	}
	return s
}

//go:noinline
func show(v interface{}, s fmt.Stringer) (string, error) {
	if v == nil {
		return "", errors.New("nil value")
	}
	return fmt.Sprint(v) + s.String(), nil
}

func twice(x int) int { return 2 * x } // inlined into main

func main() {
	c := &Counter{}
	done := make(chan int)
	go func() { done <- add(c.Inc(2), twice(3)) }()
	n := <-done
	out, err := show(n, Celsius(21.5))
	// maps in interfaces: their types are in the binary for fuzz_govalue to pick
	out2, _ := show(map[string]int{"a": n}, Celsius(0))
	out3, _ := show(map[int]Celsius{n: 1}, Celsius(0))
	fmt.Fprintln(os.Stdout, greet("go", 1), out, err, out2, out3)
}
