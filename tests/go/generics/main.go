// Command generics calls instantiations of generic functions and methods that share a GC shape
// (Sum[int] and Sum[main.myInt] both run main.Sum[go.shape.int]) a known number of times each,
// so that a tracer's per-instantiation counts can be compared with the truth. gc only: gccgo 12
// has no generics.
//
// Protocol (stdin/stdout, one line each), as tests/go/workload's:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.Sum[int]": 1000, ...}   (calls of each instantiation, counted inside them)
//	-> done
//	<- any line or EOF (exit 0)
//
// The JSON keys are the instantiations' names as Go's linker writes them (main..dict.Sum[int]
// names Sum[int]'s dictionary), and "main.Sum[go.shape.int]" etc. for what each shaped function
// runs in all. "stack main.Sum[int] main.work;main.main;..." counts Sum's calls by instantiation
// and by the callers runtime.CallersFrames gives, innermost first. Calls come directly, through a function value (whose wrapper main.Sum[main.myInt]
// calls the shaped function with the dictionary) and through an interface's method table.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
)

type myInt int

type Number interface{ ~int | ~string }

var counts = map[string]int{}

// Each counts its calls by its type argument (the names the linker writes type arguments with).
//
//go:noinline
func Sum[T Number](a, b T) T {
	counts["main.Sum["+argName(a)+"]"]++
	counts["stack main.Sum["+argName(a)+"] "+callers()]++
	return a + b
}

// Describe takes an interface argument, for goiface.
//
//go:noinline
func Describe[T ~int](tag T, v any) int {
	counts["main.Describe["+argName(tag)+"]"]++
	return int(tag)
}

// Nop needs nothing of its type argument: Go 1.20+ gives Nop[int] and Nop[main.myInt] empty
// dictionaries, all at one address, which no tracer can tell apart.
//
//go:noinline
func Nop[T any](n *int) { *n++ }

type Stack[T any] struct{ items []T }

//go:noinline
func (s *Stack[T]) Push(v T) {
	counts["main.(*Stack["+argName(v)+"]).Push"]++
	s.items = append(s.items[:0], v)
}

type pusher interface{ Push(int) }

// callers: the caller's callers, innermost first, as runtime.CallersFrames gives them.
func callers() string {
	pcs := make([]uintptr, 64)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)]) // past Callers, callers, Sum
	var out []string
	for {
		f, more := frames.Next()
		out = append(out, f.Function)
		if !more {
			return strings.Join(out, ";")
		}
	}
}

func argName(v any) string {
	switch v.(type) {
	case int:
		return "int"
	case myInt:
		return "main.myInt"
	case string:
		return "string"
	}
	return fmt.Sprintf("%T", v)
}

// How often each is called.
const (
	sumInt       = 1000
	sumMyInt     = 300
	sumMyIntFunc = 27 // through a function value
	sumString    = 41
	pushString   = 53
	pushInt      = 61
	pushIntIface = 19 // through an interface
	describeInt  = 17
	describeMy   = 9
	nopInt       = 7
	nopMyInt     = 5
)

var sink int

func work() {
	f := Sum[myInt]
	var s Stack[string]
	var si Stack[int]
	var p pusher = &si
	for i := 0; i < sumInt; i++ {
		sink += Sum(i, 100)
	}
	for i := 0; i < sumMyInt; i++ {
		sink += int(Sum(myInt(i), 200))
	}
	for i := 0; i < sumMyIntFunc; i++ {
		sink += int(f(myInt(i), 300))
	}
	for i := 0; i < sumString; i++ {
		sink += len(Sum("a", "b"))
	}
	for i := 0; i < pushString; i++ {
		s.Push("x")
	}
	for i := 0; i < pushInt; i++ {
		si.Push(i)
	}
	for i := 0; i < pushIntIface; i++ {
		p.Push(i)
	}
	for i := 0; i < describeInt; i++ {
		sink += Describe(i, "text")
	}
	for i := 0; i < describeMy; i++ {
		sink += Describe(myInt(i), 2.5)
	}
	for i := 0; i < nopInt; i++ {
		Nop[int](&nops[0])
	}
	for i := 0; i < nopMyInt; i++ {
		Nop[myInt](&nops[1])
	}
}

var nops [2]int

func main() {
	fmt.Printf("ready pid=%d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	in.Scan()
	work()
	counts["main.Nop[int]"], counts["main.Nop[main.myInt]"] = nops[0], nops[1]
	for _, c := range [][3]string{
		{"main.Sum[go.shape.int]", "main.Sum[int]", "main.Sum[main.myInt]"},
		{"main.Describe[go.shape.int]", "main.Describe[int]", "main.Describe[main.myInt]"},
		{"main.Nop[go.shape.int]", "main.Nop[int]", "main.Nop[main.myInt]"},
	} {
		counts[c[0]] = counts[c[1]] + counts[c[2]]
	}
	out, err := json.Marshal(counts)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
	_ = sink
}
