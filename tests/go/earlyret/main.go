// Command earlyret calls functions whose first instructions branch before the stack check's
// jump is out of sight: an early return, then a bounds or nil check whose panic block the
// compiler places just before the morestack block. A probe past such a branch misses the calls
// that return early. It also calls value methods through pointers (the compiler-generated
// (*T).M wrappers, which start with a nil check) and a function of 11 arguments, two of which
// the register ABI passes on the stack; and it records its own stack at one call of leaf, for
// checking `gotrace -U`.
//
// Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.check": 1000, ..., "early": {"main.check": 100, ...}, "goid": G,
//	    "eleven": [[a1, ..., a11, result], ...], "stack": ["main.leaf", "main.path2", ...]}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

const rounds = 1000

var (
	tbl    = []int{10, 20, 30, 40, 50}
	counts = map[string]int{}
	early  = map[string]int{}
	stack  []string
	sink   int

	checkFn = check
)

//go:noinline
func h(i int) int { return i * 2 }

// check returns early for i == 7; the others load tbl[3] (a bounds check) and call h.
//
//go:noinline
func check(s []int, i int) int {
	if i == 7 {
		return -1
	}
	v := tbl[3]
	return v + h(i) + len(s)
}

// field returns early for a nil p, else dereferences q (a nil check) before a call.
//
//go:noinline
func field(p, q *int, i int) int {
	if p == nil {
		return -2
	}
	return *q + h(i)
}

type T struct{ n int }

// M has a value receiver: a call through an interface holding a *T goes through the
// compiler's (*T).M wrapper, which checks the pointer for nil first.
//
//go:noinline
func (t T) M(x int) int {
	if x == 3 {
		return 0
	}
	return t.n + h(x)
}

type Mer interface{ M(int) int }

var mers = []Mer{&T{n: 5}, &T{n: 6}}

// eleven takes 11 integer arguments: the register ABI passes a10 and a11 on the stack.
//
//go:noinline
func eleven(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11 int) int {
	if a1 == 7 {
		return -3
	}
	v := tbl[3]
	return v + h(a1+a2+a3+a4+a5+a6+a7+a8+a9) + a10*1000 + a11*100000
}

// leaf records, on its first call, the names of the functions on its own stack.
//
//go:noinline
func leaf(x int) int {
	if stack == nil {
		pcs := make([]uintptr, 32)
		frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
		for {
			f, more := frames.Next()
			stack = append(stack, f.Function)
			if !more {
				break
			}
		}
	}
	return h(x)
}

//go:noinline
func path2(x int) int { return leaf(x) + 1 }

//go:noinline
func path1(x int) int { return path2(x) + 1 }

func goid() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _ := strconv.Atoi(strings.Fields(string(buf))[1])
	return id
}

func main() {
	fmt.Printf("ready pid=%d\n", os.Getpid())
	in := bufio.NewReader(os.Stdin)
	in.ReadString('\n')

	one := 1
	var eleven_ [][]int
	for i := 0; i < rounds; i++ {
		if i%2 == 0 {
			sink += check(tbl, i%10)
		} else {
			sink += checkFn(tbl, i%10) // a function value: probed at its entry, not its callers
		}
		counts["main.check"]++
		if i%10 == 7 {
			early["main.check"]++
		}
		var p *int
		if i%4 != 0 {
			p = &one
		}
		sink += field(p, &one, i)
		counts["main.field"]++
		if p == nil {
			early["main.field"]++
		}
		sink += mers[i%2].M(i % 5)
		counts["main.(*T).M"]++
		counts["main.T.M"]++
		if i%5 == 3 {
			early["main.T.M"]++
		}
		if i < 20 {
			a := []int{i % 10, 2, 3, 4, 5, 6, 7, 8, 9, 10 + i, 11 + i}
			r := eleven(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10])
			counts["main.eleven"]++
			if a[0] == 7 {
				early["main.eleven"]++
			}
			eleven_ = append(eleven_, append(a, r))
		}
		if i < 3 {
			sink += path1(i)
			counts["main.leaf"]++
		}
	}
	report := map[string]interface{}{"goid": goid(), "early": early, "eleven": eleven_, "stack": stack}
	for k, v := range counts {
		report[k] = v
	}
	out, _ := json.Marshal(report)
	fmt.Println(string(out))
	fmt.Println("done")
	in.ReadString('\n')
}
