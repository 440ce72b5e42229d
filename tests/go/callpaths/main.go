// Command callpaths calls main.leaf along paths whose stacks cross what a frame-pointer walk
// does not simply follow: ABI wrappers (reflect.Value.Call, a method called by reflect, a
// function made by reflect.MakeFunc, method values and the pointer wrappers of value methods,
// the function a go statement with arguments starts) and, in a cgo build (cgo.go), Go
// functions that C calls back (//export), nested, and from a thread that C started. Other
// paths carry pprof labels beyond what fits a fixed-size record: many labels, long keys and
// values, and values holding ';', '=' and spaces, and more than the tools keep. One path
// recurses deeper than any walk's limit; on another (gc), assembly calls leaf with no frame
// pointer (nofp), where a walk by frame pointers cannot go on. For each path it reports the
// stack Go itself sees in leaf (runtime.CallersFrames) and the labels it ran under, so that
// tests compare every frame with Go's own answer. Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"paths": {"reflect-call": {"count": N, "frames": [{"func":..., "file":..., "line":...}, ...],
//	    "labels": {"k": "v", ...}}, ...}, "main.leaf": total, "cgo": true|false}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"

	"example.com/callpaths/nofp"
)

type frame struct {
	Func string `json:"func"`
	File string `json:"file"`
	Line int    `json:"line"`
}

type path struct {
	Count  int               `json:"count"`
	Frames []frame           `json:"frames"`
	Labels map[string]string `json:"labels,omitempty"`
}

var (
	mu        sync.Mutex
	current   string
	paths     = map[string]*path{}
	leafCalls int
	sink      int
)

// leaf is what the tests trace; it records the stack of each path the first time.
//
//go:noinline
func leaf(x int) int {
	mu.Lock()
	defer mu.Unlock()
	leafCalls++
	p := paths[current]
	if p == nil {
		p = &path{Frames: callers()}
		paths[current] = p
	}
	p.Count++
	return x + 1
}

// callers: leaf's callers, innermost first, as runtime.CallersFrames gives them.
func callers() []frame {
	pcs := make([]uintptr, 1024)
	n := runtime.Callers(3, pcs) // skip runtime.Callers, callers, leaf
	frames := runtime.CallersFrames(pcs[:n])
	var out []frame
	for {
		f, more := frames.Next()
		out = append(out, frame{f.Function, f.File, f.Line})
		if !more {
			break
		}
	}
	return out
}

//go:noinline
func direct(i int) {
	sink += leaf(i)
}

//go:noinline
func reflected(i int) {
	sink += leaf(i)
}

//go:noinline
func viaReflectCall(n int) {
	f := reflect.ValueOf(reflected)
	for i := 0; i < n; i++ {
		f.Call([]reflect.Value{reflect.ValueOf(i)})
	}
}

type T struct{ k int }

//go:noinline
func (t T) M(i int) int {
	return leaf(i + t.k)
}

//go:noinline
func viaReflectMethod(n int) {
	m := reflect.ValueOf(T{1}).MethodByName("M")
	for i := 0; i < n; i++ {
		m.Call([]reflect.Value{reflect.ValueOf(i)})
	}
}

//go:noinline
func viaMakeFunc(n int) {
	var made func(int) int
	fn := reflect.MakeFunc(reflect.TypeOf(made), func(args []reflect.Value) []reflect.Value {
		return []reflect.Value{reflect.ValueOf(leaf(int(args[0].Int())))}
	})
	reflect.ValueOf(&made).Elem().Set(fn)
	callMade(made, n)
}

//go:noinline
func callMade(made func(int) int, n int) {
	for i := 0; i < n; i++ {
		sink += made(i)
	}
}

//go:noinline
func viaMethodValue(n int) {
	f := T{2}.M
	callFunc(f, n)
}

//go:noinline
func callFunc(f func(int) int, n int) {
	for i := 0; i < n; i++ {
		sink += f(i)
	}
}

type mer interface{ M(int) int }

//go:noinline
func viaPointerWrapper(n int) {
	var m mer = &T{3} // (*T).M: the compiler's wrapper of the value method
	for i := 0; i < n; i++ {
		sink += m.M(i)
	}
}

//go:noinline
func labelled(i int) {
	sink += leaf(i)
}

// withLabels runs n calls of labelled under kv's labels.
func withLabels(n int, kv ...string) map[string]string {
	labels := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		labels[kv[i]] = kv[i+1]
	}
	pprof.Do(context.Background(), pprof.Labels(kv...), func(context.Context) {
		for i := 0; i < n; i++ {
			labelled(i)
		}
	})
	return labels
}

// goArgs runs on a goroutine started by a go statement with arguments, which the compiler
// wraps in a function of its own (main.run.func1, say), which Go's tracebacks leave out.
//
//go:noinline
func goArgs(n int, done chan bool) {
	for i := 0; i < n; i++ {
		sink += leaf(i)
	}
	done <- true
}

//go:noinline
func viaNoFP(n int) {
	nofp.Hook = leaf
	for i := 0; i < n; i++ {
		nofp.Call(i)
	}
}

//go:noinline
func deep(d int) int {
	if d == 0 {
		return leaf(d)
	}
	return deep(d-1) + 1
}

const (
	directCalls    = 10
	reflectCalls   = 11
	methodCalls    = 12
	makeFuncCalls  = 13
	methodValCalls = 14
	wrapperCalls   = 15
	manyLabels     = 16
	longLabels     = 17
	oddLabels      = 18
	noFPCalls      = 19
	tooManyLabels  = 24
	tooLongLabels  = 25
	goArgsCalls    = 26
	deepCalls      = 3
	deepDepth      = 200
)

func run() {
	current = "direct"
	for i := 0; i < directCalls; i++ {
		direct(i)
	}
	current = "reflect-call"
	viaReflectCall(reflectCalls)
	current = "reflect-method"
	viaReflectMethod(methodCalls)
	current = "makefunc"
	viaMakeFunc(makeFuncCalls)
	current = "method-value"
	viaMethodValue(methodValCalls)
	current = "pointer-wrapper"
	viaPointerWrapper(wrapperCalls)

	var kv []string
	for i := 0; i < 20; i++ {
		kv = append(kv, fmt.Sprintf("key%02d", i), fmt.Sprintf("value%02d", i))
	}
	current = "labels-many"
	many := withLabels(manyLabels, kv...)
	current = "labels-long"
	long := withLabels(longLabels, "k"+strings.Repeat("x", 199), "v"+strings.Repeat("y", 299),
		"short", strings.Repeat("0123456789", 10))
	current = "labels-odd"
	odd := withLabels(oddLabels, "a;b", "c;d e", "k=v", "x=y;z", "sp ace", " lead")
	kv = nil
	for i := 0; i < 70; i++ { // more than any fixed record holds: the tools say how many more
		kv = append(kv, fmt.Sprintf("k%03d", i), fmt.Sprintf("v%03d", i))
	}
	current = "labels-too-many"
	tooMany := withLabels(tooManyLabels, kv...)
	current = "labels-too-long"
	tooLong := withLabels(tooLongLabels, "a", "first", "b", strings.Repeat("z", 5000), "c", "last")
	paths["labels-many"].Labels = many
	paths["labels-long"].Labels = long
	paths["labels-odd"].Labels = odd
	paths["labels-too-many"].Labels = tooMany
	paths["labels-too-long"].Labels = tooLong

	current = "go-statement"
	done := make(chan bool)
	go goArgs(goArgsCalls, done)
	<-done
	current = "no-frame-pointer"
	viaNoFP(noFPCalls)
	current = "deep"
	for i := 0; i < deepCalls; i++ {
		sink += deep(deepDepth)
	}
	runCgo() // cgo.go: the callbacks from C; nothing without cgo
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	run()
	out, err := json.Marshal(map[string]interface{}{
		"paths":     paths,
		"main.leaf": leafCalls,
		"cgo":       cgoBuild,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
