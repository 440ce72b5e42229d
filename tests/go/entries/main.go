// Command entries enters small functions every way Go can: direct calls, a function value, an
// interface, a method value, defer, from new goroutines, through reflection, from assembly
// (asm_amd64.s: gc only); and it ends goroutines inside a call with runtime.Goexit. A tracer that probes a function where its
// callers call it must find every way in; one that keeps state per goroutine must drop it when
// goroutines end.
//
// Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.direct": 3000, ..., "goexits": 50}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"sync"
)

const rounds = 1000

var counts = map[string]int{}

// Leaf functions without a frame: their entries are what the kernel single-steps.

//go:noinline
func direct(x int) int { return x + 1 }

//go:noinline
func viaValue(x int) int { return x ^ 5 }

type T struct{ n int }

//go:noinline
func (t T) Get(x int) int { return x + t.n }

//go:noinline
func (t *T) Scale(x int) int { return x * t.n }

//go:noinline
func deferred(x int) int { return x - 1 }

//go:noinline
func spawned(x int) int { return x + 3 }

type R struct{}

//go:noinline
func (R) Twice(x int) int { return 2 * x }

// quit ends its goroutine for odd i: the call never returns.
//
//go:noinline
func quit(i int) int {
	if i%2 == 1 {
		runtime.Goexit()
	}
	return i
}

type Getter interface{ Get(int) int }

// In asm_amd64.s: each calls leaf, callB from past a byte capstone 4 cannot decode.
func leaf(x int) int
func callA(x int) int
func callB(x int) int

var (
	fn            = viaValue
	getter Getter = T{n: 2}
	scale  func(int) int
	sink   int
)

//go:noinline
func alsoDirect(i int) int {
	counts["main.direct"]++
	return direct(i)
}

//go:noinline
func withDefer(i int) {
	counts["main.deferred"]++
	defer deferred(i)
	sink++
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	t := &T{n: 3}
	scale = t.Scale
	twice := reflect.ValueOf(R{}).MethodByName("Twice")
	twiceFunc := reflect.TypeOf(R{}).Method(0).Func // R.Twice itself, through the method table
	for i := 0; i < rounds; i++ {
		sink += direct(i) + alsoDirect(i) + direct(i)
		counts["main.direct"] += 2
		sink += fn(i) + viaValue(i)
		counts["main.viaValue"] += 2
		sink += getter.Get(i) + T{n: 1}.Get(i)
		counts["main.T.Get"] += 2
		sink += scale(i) + t.Scale(i)
		counts["main.(*T).Scale"] += 2
		withDefer(i)
		sink += int(twice.Call([]reflect.Value{reflect.ValueOf(i)})[0].Int()) + R{}.Twice(i)
		sink += int(twiceFunc.Call([]reflect.Value{reflect.ValueOf(R{}), reflect.ValueOf(i)})[0].Int())
		counts["main.R.Twice"] += 3
		sink += callA(i) + callB(i)
		counts["main.leaf"] += 2
	}
	var wg sync.WaitGroup
	results := make([]int, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = spawned(i) + quit(i)
		}(i)
	}
	wg.Wait()
	counts["main.spawned"] = 100
	counts["main.quit"] = 100
	counts["goexits"] = 50
	out, err := json.Marshal(counts)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
