// Command hostile is a Go program that plays the attacker against the tools that trace it: the
// strings, values and pprof labels it passes hold terminal escapes (ESC, BEL, newlines, a C1
// control, a bidirectional override, a byte that is not UTF-8), and the tests rename it and
// patch its binary so that a function's name (main.escapeMe), a source file's name
// (zzzzzzz.go) and a type's name (main.Tzzzzzzz) hold them too. Protocol:
//
//	-> ready pid=<PID>
//	<- "go"            the calls, then
//	-> {"main.greet": N, "main.describe": N, "main.escapeMe": N}
//	-> done
//	<- "exec PATH"     execve(PATH) in place of this program (it never answers)
//	<- EOF             (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
)

// Tzzzzzzz's name is patched in the binary (tests/test_security.py).
type Tzzzzzzz int

// Strings a client could have sent.
var names = []string{
	"\x1b[2J\x07bell\nnewline",
	"\u202eevil",
	"c1\u009bhere",
	"bad\x9bbyte",
}

var values = []interface{}{"\x1b]0;title\x07", Tzzzzzzz(7)}

var sink int

//go:noinline
func greet(name string) int {
	return len(name)
}

//go:noinline
func describe(v interface{}) int {
	if s, ok := v.(string); ok {
		return len(s)
	}
	return 1
}

func main() {
	fmt.Printf("ready pid=%d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		line := in.Text()
		if path := strings.TrimPrefix(line, "exec "); path != line {
			err := syscall.Exec(path, []string{path}, os.Environ())
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		report := map[string]int{}
		for _, n := range names {
			sink += greet(n)
			report["main.greet"]++
		}
		for _, v := range values {
			sink += describe(v)
			report["main.describe"]++
		}
		report["main.escapeMe"] = labelled()
		out, _ := json.Marshal(report)
		fmt.Println(string(out))
		fmt.Println("done")
	}
}
