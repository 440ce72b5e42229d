// Command longname calls leaf from a function whose name is longer than 300 characters, for
// checking that gotrace -U prints a frame's whole name.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"caller": "<leaf's caller, as the runtime names it>", "main.leaf": 1}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
)

var (
	caller string
	sink   int
)

//go:noinline
func leaf(n int) int {
	pc, _, _, _ := runtime.Caller(1)
	caller = runtime.FuncForPC(pc).Name()
	return n + 1
}

//go:noinline
func CallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNames(n int) int {
	return leaf(n) + 1
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready pid=%d\n", os.Getpid())
	if !in.Scan() {
		return
	}
	sink += CallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNamesCallerWhoseNameIsLongerThanAnyFixedBufferForSymbolNames(41)
	out, _ := json.Marshal(map[string]interface{}{"caller": caller, "main.leaf": 1})
	fmt.Println(string(out))
	fmt.Println("done")
	in.Scan()
}
