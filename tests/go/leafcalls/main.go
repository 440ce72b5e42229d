// Command leafcalls makes calls that bcc's own tools count and trace exactly, on any
// architecture: add is a leaf whose frame is too small for a stack check, so neither a growing
// stack nor a preemption request restarts it from its first instruction, where bcc's probes sit.
// It is the reference that proves a test harness on a new architecture before this project's
// tools run there.
//
// Protocol (stdin/stdout, one line each), as tests/go/tracee's:
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.add": <calls made>, "args": [[x, y], ...]}
//	-> done
//	<- any line or EOF (exit 0)
//
// The calls: add(i, 1000+i) for i in 0..N-1, N the first argument (default 1000), on one
// goroutine; "args" lists the first ten calls' arguments.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

var (
	addCalls int
	sink     int
)

//go:noinline
func add(x, y int) int {
	addCalls++
	return x + y
}

func main() {
	n := 1000
	if len(os.Args) > 1 {
		var err error
		if n, err = strconv.Atoi(os.Args[1]); err != nil || n < 0 {
			fmt.Fprintf(os.Stderr, "leafcalls: bad count %q\n", os.Args[1])
			os.Exit(2)
		}
	}
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	args := [][2]int{}
	for i := 0; i < n; i++ {
		sink += add(i, 1000+i)
		if i < 10 {
			args = append(args, [2]int{i, 1000 + i})
		}
	}
	out, _ := json.Marshal(map[string]interface{}{"main.add": addCalls, "args": args})
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
