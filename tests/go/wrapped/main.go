// Command wrapped calls methods with value receivers through interfaces. Such a call runs in
// the wrapper Go makes for the pointer (main.(*Celsius).Get for main.Celsius.Get), which checks
// the pointer and calls the method, or has its body inlined: a small body (a getter, a
// constant, nothing at all) then leaves no trace of the call, no instruction of its line and no
// inline tree entry. Each method is called a known number of times through an interface and
// directly; the calls through the interface record the stack Go sees at them.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"calls": {"main.Celsius.Get": <calls made>, ...}, "stack": [<frames of viaIface>]}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
)

type Celsius float64

// Get is a getter: its body is one load from the receiver.
func (c Celsius) Get() float64 { return float64(c) }

type Point struct{ X, Y int }

func (p Point) Sum() int     { return p.X + p.Y } // an instruction of its own line
func (p Point) Origin() bool { return false }     // a constant
func (p Point) Touch()       {}                   // nothing

type eofReader struct{}

// Read loads a global into its results (on arm64 through REGTMP: a sequence Go restarts).
func (eofReader) Read(p []byte) (int, error) { return 0, io.EOF }

type heavy struct{ n int }

// Work is not inlined: the wrapper calls it.
//
//go:noinline
func (h heavy) Work(k int) int {
	s := 0
	for i := 0; i < k; i++ {
		s += i * h.n
		if s > 1<<20 {
			s = s%7 + h.n
		}
	}
	return s
}

type getter interface{ Get() float64 }

type shape interface {
	Sum() int
	Origin() bool
	Touch()
}

type worker interface{ Work(int) int }

const (
	viaIfaceCalls = 300
	directCalls   = 7
)

var calls = map[string]int{}

// values hides the dynamic types from the compiler, which would otherwise call the methods
// directly.
//
//go:noinline
func values(n int) (getter, shape, io.Reader, worker) {
	if n < 0 {
		return nil, nil, nil, nil
	}
	return Celsius(21.5), Point{1, 2}, eofReader{}, heavy{3}
}

// viaIface makes every call through an interface; the stack it records is the one below each.
//
//go:noinline
func viaIface(g getter, s shape, r io.Reader, w worker) (total float64, stack []string) {
	for i := 0; i < viaIfaceCalls; i++ {
		total += g.Get()
		total += float64(s.Sum())
		if s.Origin() {
			total++
		}
		s.Touch()
		if n, err := r.Read(nil); err == io.EOF {
			total += float64(n)
		}
		total += float64(w.Work(5))
	}
	for _, m := range []string{"main.Celsius.Get", "main.Point.Sum", "main.Point.Origin",
		"main.Point.Touch", "main.eofReader.Read", "main.heavy.Work"} {
		calls[m] += viaIfaceCalls
	}
	pcs := make([]uintptr, 32)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(1, pcs)])
	for {
		f, more := frames.Next()
		stack = append(stack, f.Function)
		if !more {
			break
		}
	}
	return total, stack
}

// direct calls two of them directly (a direct call of a body that leaves no code would leave no
// trace at all: nothing in the binary says it was made).
//
//go:noinline
func direct(n int) (total int) {
	for i := 0; i < directCalls; i++ {
		total += Point{i, n}.Sum()
		total += heavy{n}.Work(3)
	}
	for _, m := range []string{"main.Point.Sum", "main.heavy.Work"} {
		calls[m] += directCalls
	}
	return total
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	g, s, r, w := values(len(os.Args))
	_, stack := viaIface(g, s, r, w)
	direct(len(os.Args))
	out, _ := json.Marshal(map[string]interface{}{"calls": calls, "stack": stack})
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
