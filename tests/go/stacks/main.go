// Command stacks calls main.leaf along known paths an exact number of times each, for checking
// stack traces: one path through a plain function, one through an inlined one, one under pprof
// labels, and a recursion whose goroutine stack grows. For each path it reports the stack Go
// itself sees in leaf (runtime.Callers, inlined frames expanded), so that tests compare every
// frame, file and line with Go's own answer. Paths "tiny-plain" and "tiny-inlined" are those of
// main.tiny, a leaf without a frame, whose callers record their own stacks. Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"paths": {"plain": {"count": N, "frames": [{"func":..., "file":..., "line":...}, ...]}, ...},
//	    "main.leaf": total, "main.rec": calls, "rec_depth": D, "rec_runs": R, "deep_depth": E,
//	    "main.tiny": calls}
//	-> done
//	<- any line or EOF (exit 0)
//
// With the argument "loop", it calls main.plain until a second line, then reports
// {"main.plain": calls}.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

const (
	plainCalls   = 300
	inlinedCalls = 200
	labelCalls   = 70
	recDepth     = 40
	recRuns      = 5
	deepDepth    = 300
	tinyPlain    = 150
	tinyInlined  = 120
	genericCalls = 40
)

type frame struct {
	Func string `json:"func"`
	File string `json:"file"`
	Line int    `json:"line"`
}

type path struct {
	Count  int     `json:"count"`
	Frames []frame `json:"frames"`
}

var (
	current   string
	paths     = map[string]*path{}
	leafCalls int
	recCalls  int
	sink      int
)

// leaf is what the tests trace; it records the stack of each path the first time.
//
//go:noinline
func leaf(x int) int {
	leafCalls++
	p := paths[current]
	if p == nil {
		p = &path{}
		paths[current] = p
	}
	if p.Count == 0 {
		p.Frames = callers()
	}
	p.Count++
	return x + 1
}

// callers: leaf's callers, innermost first, inlined frames expanded, down to runtime.goexit.
func callers() []frame {
	pcs := make([]uintptr, 512)
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

// tiny is a leaf with no frame: probes sit on the CALLs that enter it. Its callers record
// their own stacks (mark) on the line of the call.
//
//go:noinline
func tiny(x int) int {
	return x*3 + 1
}

//go:noinline
func mark(name string) int {
	p := paths[name]
	if p == nil {
		p = &path{Frames: callers()}
		paths[name] = p
	}
	p.Count++
	return 0
}

//go:noinline
func viaTiny(n int) {
	for i := 0; i < n; i++ {
		sink += tiny(i) + mark("tiny-plain")
	}
}

func inlinedTiny(i int) {
	sink += tiny(i) + mark("tiny-inlined")
}

//go:noinline
func viaInlinedTiny(n int) {
	for i := 0; i < n; i++ {
		inlinedTiny(i)
	}
}

//go:noinline
func plain(i int) {
	sink += leaf(i)
}

// inlined is small enough to be inlined into its caller.
func inlined(i int) {
	sink += leaf(i * 2)
}

//go:noinline
func viaInlined(n int) {
	for i := 0; i < n; i++ {
		inlined(i)
	}
}

//go:noinline
func labelled(i int) {
	sink += leaf(i)
}

// rec recurses depth times with a large frame, so that the goroutine's stack grows as it goes.
//
//go:noinline
func rec(depth int) int {
	var pad [512]byte
	recCalls++
	pad[depth%512] = byte(depth)
	if depth <= 1 {
		return int(pad[1])
	}
	return rec(depth-1) + int(pad[depth%512])
}

func run() {
	current = "plain"
	for i := 0; i < plainCalls; i++ {
		plain(i)
	}
	current = "inlined"
	viaInlined(inlinedCalls)
	current = "generic"
	runGeneric() // Go 1.18+
	current = "labelled"
	pprof.Do(context.Background(), pprof.Labels("path", "labelled"), func(context.Context) {
		for i := 0; i < labelCalls; i++ {
			labelled(i)
		}
	})
	viaTiny(tinyPlain)
	viaInlinedTiny(tinyInlined)
	done := make(chan bool)
	go func() { // a fresh goroutine, with a small stack, for each run
		for r := 0; r < recRuns; r++ {
			sink += rec(recDepth)
		}
		sink += rec(deepDepth)
		done <- true
	}()
	<-done
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "loop" { // until a second line, 1000 calls a ms
		stop := make(chan bool)
		go func() { in.Scan(); stop <- true }()
		calls := 0
	loop:
		for {
			select {
			case <-stop:
				break loop
			default:
				for i := 0; i < 1000; i++ {
					plain(i)
				}
				calls += 1000
				time.Sleep(time.Millisecond)
			}
		}
		fmt.Printf("{\"main.plain\": %d}\n", calls)
		fmt.Println("done")
		in.Scan()
		return
	}
	run()
	out, err := json.Marshal(map[string]interface{}{
		"paths":      paths,
		"main.leaf":  leafCalls,
		"main.rec":   recCalls,
		"rec_depth":  recDepth,
		"rec_runs":   recRuns,
		"deep_depth": deepDepth,
		"main.tiny":  tinyPlain + tinyInlined,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
