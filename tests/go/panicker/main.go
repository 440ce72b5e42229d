// Command panicker calls mayPanic 1000 times; it panics for odd arguments and its caller
// recovers. Half the calls never return normally, which a tracer of returns must survive.
// Protocol:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.mayPanic": 1000, "returned": 500, "panicked": 500}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
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

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	for i := 0; i < calls; i++ {
		try(i)
	}
	out, err := json.Marshal(map[string]int{
		"main.mayPanic": mayPanicCalls,
		"returned":      returned,
		"panicked":      panicked,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
