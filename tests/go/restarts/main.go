// Command restarts calls a method through an interface whose code begins with a sequence Go's
// asynchronous preemption restarts (on arm64: loading errEnd, a global, through REGTMP into
// its result registers, which are its argument registers): a probe there may see a preempted
// call twice, which the tools must say.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"main.(*ender).Read": <calls made>}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

const calls = 1000

var errEnd = errors.New("end")

type ender struct{ id int }

// Read is called only through io.Reader: no call site can stand in for its entry. (A pointer
// receiver: a value one would be called through a wrapper, main.(*ender).Read, with this body
// inlined into it.)
func (*ender) Read(p []byte) (int, error) { return 0, errEnd }

var readers = []io.Reader{&ender{}}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	made := 0
	buf := make([]byte, 8)
	for i := 0; i < calls; i++ {
		if _, err := readers[i%len(readers)].Read(buf); err == errEnd {
			made++
		}
	}
	out, _ := json.Marshal(map[string]int{"main.(*ender).Read": made})
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
