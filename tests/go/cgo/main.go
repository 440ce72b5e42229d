// Command cgo is a trimmed workload in a cgo binary (externally linked, with libc and a C
// function). Same protocol as ../workload:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.add": 1000, "main.fib": 177, "c_calls": 1}
//	-> done
//	<- any line or EOF (exit 0)
//
// "c_calls" counts calls of the C function c_twice, which is not a Go function.
package main

/*
static int c_twice(int x) { return 2 * x; }
*/
import "C"

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

var (
	addCalls int
	fibCalls int
	cCalls   int
	sink     int
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

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	sum := 0
	for i := 0; i < 1000; i++ {
		sum = add(sum, i)
	}
	sum += fib(10)
	sum += int(C.c_twice(C.int(sum % 1000)))
	cCalls++
	sink = sum

	out, err := json.Marshal(map[string]int{"main.add": addCalls, "main.fib": fibCalls, "c_calls": cCalls})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
