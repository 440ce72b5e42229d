// Command workload calls a fixed set of functions a known number of times, so that a tracer's
// call counts can be compared with the truth.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.add": 1000, ...}   (calls made of each function, counted inside the functions)
//	-> done
//	<- any line or EOF (exit 0)
//
// With the argument "loop" the program repeats the workload every 20 ms after the start line
// until it reads a second line (or EOF), then reports the totals as above.
//
// The JSON keys are the functions' Go names. Two are logical names, not symbols: "main.Map" (the
// generic function; gc emits a shape instantiation such as main.Map[go.shape.int]) and
// "main.closure" (the function literal stored in the package variable closure; its symbol is
// compiler-made, such as main.glob..func1 or main.init.func1).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// Calls made of each function, incremented inside the functions themselves. Every call happens on
// the main goroutine except grow's, which run on one goroutine at a time (see growRoutine).
var (
	addCalls     int
	fibCalls     int
	fibberCalls  int
	incCalls     int
	getCalls     int
	closureCalls int
	doubleCalls  int
	growCalls    int
	manyCalls    int
	greetCalls   int
	asmAddCalls  int // counted at the call site: an assembly function cannot count itself
	mapCalls     int

	sink int // keeps the workload's results alive
)

//go:noinline
func add(x, y int) int {
	addCalls++
	return x + y
}

//go:noinline
func fib(n int) int {
	fibCalls++
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// fibber exists so that the pattern "main.fib" can be checked not to match it.
//
//go:noinline
func fibber(n int) int {
	fibberCalls++
	return n * 3
}

type Counter struct{ n int }

//go:noinline
func (c *Counter) Inc() {
	incCalls++
	c.n++
}

//go:noinline
func (c Counter) Get() int {
	getCalls++
	return c.n
}

// closure is a function literal at package level; the compiler names its symbol.
var closure = func(x int) int {
	closureCalls++
	return x*2 + 1
}

//go:noinline
func double(x int) int {
	doubleCalls++
	return 2 * x
}

// grow has a large frame and recurses deeply, so the goroutine's stack must grow (be copied) many
// times while it runs; each time, the call that found the stack too small starts again from its
// entry. It is counted once per call all the same, because the counter is incremented after the
// stack check in the function's prologue.
//
//go:noinline
func grow(n int) int {
	growCalls++
	var buf [256]byte
	buf[n%len(buf)] = byte(n)
	if n == 0 {
		return int(buf[0])
	}
	return grow(n-1) + int(buf[n%len(buf)])
}

//go:noinline
func many(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12 int) int {
	manyCalls++
	return a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12
}

//go:noinline
func greet(name string) int {
	greetCalls++
	return len(name)
}

// Sizes of the workload; each makes its function's count a distinctive number.
const (
	addTimes     = 1000
	fibArg       = 10 // fib(10) makes 177 calls
	fibberTimes  = 2
	incTimes     = 37
	getTimes     = 23
	closureTimes = 11
	mapTimes     = 5 // each Map call applies double to 3 elements
	growDepth    = 1999
	growRoutines = 3 // each runs grow(growDepth): 2000 calls
	manyTimes    = 7
	greetTimes   = 3
	asmAddTimes  = 13
)

// growRoutine runs grow on a goroutine of its own, whose stack starts small.
func growRoutine(done chan<- int) {
	done <- grow(growDepth)
}

// round runs the workload once and returns a value that depends on every call, so that none of
// them can be optimised away.
func round() int {
	sum := 0
	for i := 0; i < addTimes; i++ {
		sum = add(sum, i)
	}
	sum += fib(fibArg)
	for i := 0; i < fibberTimes; i++ {
		sum += fibber(i)
	}
	var c Counter
	for i := 0; i < incTimes; i++ {
		c.Inc()
	}
	for i := 0; i < getTimes; i++ {
		sum += c.Get()
	}
	for i := 0; i < closureTimes; i++ {
		sum += closure(i)
	}
	for i := 0; i < mapTimes; i++ {
		for _, v := range Map([]int{i, i + 1, i + 2}, double) {
			sum += v
		}
	}
	for i := 0; i < growRoutines; i++ { // one after another, so growCalls needs no lock
		done := make(chan int)
		go growRoutine(done)
		sum += <-done
	}
	for i := 0; i < manyTimes; i++ {
		sum += many(i, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	}
	for _, name := range [greetTimes]string{"gopher", "ebpf", "uprobe"} {
		sum += greet(name)
	}
	for i := 0; i < asmAddTimes; i++ {
		sum = int(asmAdd(int64(sum), int64(i)))
		asmAddCalls++
	}
	return sum
}

func counts() map[string]int {
	return map[string]int{
		"main.add":            addCalls,
		"main.fib":            fibCalls,
		"main.fibber":         fibberCalls,
		"main.(*Counter).Inc": incCalls,
		"main.Counter.Get":    getCalls,
		"main.closure":        closureCalls,
		"main.Map":            mapCalls,
		"main.double":         doubleCalls,
		"main.grow":           growCalls,
		"main.many":           manyCalls,
		"main.greet":          greetCalls,
		"main.asmAdd":         asmAddCalls,
	}
}

// readLines sends each line read from stdin to lines and closes it at EOF.
func readLines(lines chan<- string) {
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		lines <- in.Text()
	}
	close(lines)
}

func main() {
	loop := len(os.Args) > 1 && os.Args[1] == "loop"
	if len(os.Args) > 2 || (len(os.Args) == 2 && !loop) {
		fmt.Fprintln(os.Stderr, "usage: workload [loop]")
		os.Exit(2)
	}
	lines := make(chan string)
	go readLines(lines)

	fmt.Printf("ready pid=%d\n", os.Getpid()) // os.Stdout is unbuffered
	if _, ok := <-lines; !ok {
		return // EOF before the start line: nothing to do
	}
	sum := round()
	for stop := false; loop && !stop; {
		select {
		case <-lines:
			stop = true
		default:
			sum += round()
			time.Sleep(20 * time.Millisecond)
		}
	}
	out, err := json.Marshal(counts())
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	sink = sum
	<-lines // a line or EOF
}
