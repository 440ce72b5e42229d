// Command panicker calls mayPanic 1000 times; it panics for odd arguments and its caller
// recovers. Half the calls never return normally, which a tracer of returns must survive.
// Then it calls alwaysPanics, which has no RET instruction (it only panics), 10 times.
// Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.mayPanic": 1000, "returned": 500, "panicked": 500, "main.alwaysPanics": 10}
//	-> done
//	<- any line or EOF (exit 0)
//
// "panicker deep" unwinds deep recursions instead: 20 dives 101 calls deep, every other one
// ending in a panic at the bottom that the 51st call recovers (so that the 50 calls below it
// are unwound and the 51 above it return), then 10 goroutines that dive 51 calls deep and end
// with runtime.Goexit at the bottom, then one more dive of one call. It reports
// {"main.dive": 2531, "returned": 1521, "unwound": 1010}.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync"
)

const calls = 1000

var (
	mayPanicCalls int
	returned      int
	panicked      int
	sink          int
)

//go:noinline
func mayPanic(i int) int {
	mayPanicCalls++
	if i%2 == 1 {
		panic(fmt.Sprintf("odd %d", i))
	}
	return i
}

var alwaysPanicsCalls int

// alwaysPanics never returns: its code has no RET.
//
//go:noinline
func alwaysPanics(i int) int {
	alwaysPanicsCalls++
	panic(fmt.Sprintf("always %d", i))
}

// try calls mayPanic and recovers from its panic.
func try(i int) {
	defer func() {
		if recover() != nil {
			panicked++
		}
	}()
	sink += mayPanic(i)
	returned++
}

func tryAlways(i int) {
	defer func() {
		if recover() != nil {
			panicked++
		}
	}()
	sink += alwaysPanics(i)
}

// How dive ends at the bottom.
const (
	bottomReturn = iota
	bottomPanic
	bottomGoexit
)

const catchDepth = 50 // where a dive recovers from the panic at its bottom

var diveCalls, diveReturns int64
var diveMu sync.Mutex

//go:noinline
func dive(depth, bottom, how int) int {
	diveMu.Lock()
	diveCalls++
	diveMu.Unlock()
	if depth == bottom {
		switch how {
		case bottomPanic:
			panic("bottom")
		case bottomGoexit:
			runtime.Goexit()
		}
	} else if how == bottomPanic && depth == catchDepth {
		depth = catchDive(depth+1, bottom, how) + 1
	} else {
		depth = dive(depth+1, bottom, how) + 1
	}
	diveMu.Lock()
	diveReturns++
	diveMu.Unlock()
	return depth
}

// catchDive dives on and recovers from the panic at the bottom.
func catchDive(depth, bottom, how int) (r int) {
	defer func() {
		if recover() != nil {
			r = 0
		}
	}()
	return dive(depth, bottom, how)
}

func deep() map[string]int {
	for i := 0; i < 20; i++ {
		sink += dive(0, 100, i%2)
	}
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sink += dive(0, 50, bottomGoexit)
		}()
	}
	wg.Wait()
	sink += dive(0, 0, bottomReturn)
	return map[string]int{
		"main.dive": int(diveCalls),
		"returned":  int(diveReturns),
		"unwound":   int(diveCalls - diveReturns),
	}
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	report := map[string]int{}
	if len(os.Args) > 1 && os.Args[1] == "deep" {
		report = deep()
	} else {
		for i := 0; i < calls; i++ {
			try(i)
		}
		report["main.mayPanic"] = mayPanicCalls
		report["returned"] = returned
		report["panicked"] = panicked
		for i := 0; i < 10; i++ {
			tryAlways(i)
		}
		report["main.alwaysPanics"] = alwaysPanicsCalls
	}
	out, err := json.Marshal(report)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
