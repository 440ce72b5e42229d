// Command gccgoopt makes calls whose shapes gccgo -O2 compiles differently from -O0, for
// checking the tools on optimised gccgo code.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.add": <calls>, ...}
//	-> done
//	<- any line or EOF (exit 0)
//
// The calls, in order: add(i, 100+i) for i in 0..AddCalls-1; deep(DeepN) on each of Deeps new
// goroutines, one after the other (deep recurses with a large frame, so its split stack grows
// while it runs: __morestack runs some of its calls on a new stack segment); scaled(i, 3) for i
// in 0..ScaledCalls-1 (GCC folds the constant k into a clone, main.scaled.constprop.0);
// length(s) of Lengths strings (only the length is used: GCC passes that alone, to
// main.length.isra.0); label(7, "seven", 3) and label(11, "eleven", 5), whose (string, int)
// results travel through a hidden pointer; pick([]int{4, 5, 6}, 2), whose slice (24 bytes)
// travels on the stack; twice(i, 3) for i in 0..TwiceCalls-1 and, through a function value,
// twice(i, i) for i in 0..TwiceCalls-1 (at -O3 the direct calls go to main.twice.constprop.0,
// the others to main.twice); tag(v, i) for i in 0..TagCalls-1, v being i for even i and
// words[i%4] for odd i (its (string, int) results travel through a hidden pointer, so v's two
// words follow it); weigh(words[i%4], 3) for i in 0..WeighCalls-1 (a clone at -O2,
// main.weigh.constprop.0, takes v alone).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

const (
	AddCalls    = 1000
	Deeps       = 5
	DeepN       = 2000
	ScaledCalls = 300
	Lengths     = 200
	TwiceCalls  = 50
	TagCalls    = 40
	WeighCalls  = 30
)

var (
	counts = map[string]int{}
	sink   int
	words  = []string{"a", "bb", "ccc", "dddd"}
)

//go:noinline
func add(x, y int) int {
	counts["main.add"]++
	return x + y
}

// deep(n) returns n; its 3000-byte frame makes deep recursion grow the split stack many times.
//
//go:noinline
func deep(n int) int {
	var buf [3000]byte
	counts["main.deep"]++
	buf[n%len(buf)] = byte(n)
	if n == 0 {
		return int(buf[0])
	}
	return deep(n-1) + 1 + int(buf[(n+1)%len(buf)])
}

//go:noinline
func scaled(x, k int) int {
	counts["main.scaled"]++
	return x * k
}

//go:noinline
func length(s string) int {
	counts["main.length"]++
	return len(s)
}

//go:noinline
func label(id int, name string, n int) (string, int) {
	counts["main.label"]++
	return fmt.Sprintf("%s#%d", name, id), id * n
}

//go:noinline
func pick(xs []int, k int) int {
	counts["main.pick"]++
	return xs[k]
}

//go:noinline
func twice(x, k int) int {
	counts["main.twice"]++
	s := 0
	for j := 0; j < k; j++ {
		s += x * j
	}
	return s
}

var twiceValue = twice

//go:noinline
func tag(v any, n int) (string, int) {
	counts["main.tag"]++
	return fmt.Sprint(v), n
}

//go:noinline
func weigh(v any, k int) int {
	counts["main.weigh"]++
	if s, ok := v.(string); ok {
		return len(s) * k
	}
	return k
}

func calls() {
	for i := 0; i < AddCalls; i++ {
		sink += add(i, 100+i)
	}
	for i := 0; i < Deeps; i++ {
		done := make(chan int)
		go func() { done <- deep(DeepN) }()
		sink += <-done
	}
	for i := 0; i < ScaledCalls; i++ {
		sink += scaled(i, 3)
	}
	for i := 0; i < Lengths; i++ {
		sink += length(words[i%len(words)])
	}
	for _, c := range []struct {
		id   int
		name string
		n    int
	}{{7, "seven", 3}, {11, "eleven", 5}} {
		s, v := label(c.id, c.name, c.n)
		sink += len(s) + v
	}
	sink += pick([]int{4, 5, 6}, 2)
	for i := 0; i < TwiceCalls; i++ {
		sink += twice(i, 3) + twiceValue(i, i)
	}
	for i := 0; i < TagCalls; i++ {
		var v any = i
		if i%2 == 1 {
			v = words[i%len(words)]
		}
		s, n := tag(v, i)
		sink += len(s) + n
	}
	for i := 0; i < WeighCalls; i++ {
		sink += weigh(words[i%len(words)], 3)
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	calls()
	out, err := json.Marshal(counts)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	for in.Scan() {
	}
}
