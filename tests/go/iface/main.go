// Command iface passes values of known dynamic types through interface parameters, for goiface.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"describe": [...], "show": [...], "types": {...}}
//	-> done
//	<- any line or EOF (exit 0)
//
// describe(v any) and show(s fmt.Stringer) are called with the values of the tables below, each
// the number of times given. The report tallies the calls by what Go itself prints of each
// value: its type (%T; "<nil>" for nil) and its value as goiface -V shows it (strings and error
// messages quoted, pointers to structs as &{...}, other pointers by address, the rest as %v: see
// value). "types" maps each %T to the address of
// its type descriptor, as the interface's first word holds it, and "runtime" lists the address
// of a type made at run time by reflect.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

type Celsius float64

type Point struct{ X, Y int }

type Name string

func (n Name) String() string { return "name " + string(n) }

type Temp struct{ C Celsius }

func (t *Temp) String() string { return fmt.Sprint(t.C) }

var sink int

// made is a pointer to a struct of a type made at run time by reflect.
var made any

//go:noinline
func describe(v any) int {
	sink++
	return sink
}

//go:noinline
func show(s fmt.Stringer) int {
	sink++
	return sink
}

//go:noinline
func plain(n int) int {
	sink += n
	return sink
}

type row struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Count int    `json:"count"`
}

// quote is a string as goiface -V shows it: its first 63 bytes quoted, "..." after the quote
// when there were more.
func quote(s string) string {
	if len(s) > 63 {
		return strconv.Quote(s[:63]) + "..."
	}
	return strconv.Quote(s)
}

// value is what goiface -V prints for v: %v, except where %v calls a String method, which the
// tools cannot run (they show a struct's fields instead, or nothing: ""), and for a pointer to
// a struct of a type made at run time, which no file describes (its address).
func value(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case error:
		return quote(x.Error())
	case *Temp:
		return fmt.Sprintf("&%+v", *x)
	case Name, time.Month:
		return ""
	case time.Duration:
		return quote(x.String()) // the one String method the tools know, as it prints
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return quote(rv.String())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.Float32:
		return fmt.Sprint(float32(rv.Float()))
	case reflect.Float64:
		return fmt.Sprint(rv.Float())
	case reflect.Bool:
		return fmt.Sprint(rv.Bool())
	case reflect.Ptr:
		if rv.Elem().Kind() == reflect.Struct && v != made {
			return fmt.Sprint(v) // &{1 2}: the struct's scalar and pointer fields
		}
		return fmt.Sprintf("%#x", rv.Pointer())
	case reflect.Map:
		if runtime.Compiler == "gccgo" { // whose maps the probes do not read
			return fmt.Sprintf("%#x", rv.Pointer())
		}
		return fmt.Sprint(v) // a small map's entries (tests/go/values has more)
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return fmt.Sprintf("%#x", rv.Pointer())
	case reflect.Struct, reflect.Array, reflect.Slice:
		return fmt.Sprint(v)
	case reflect.Interface:
		return ""
	}
	return fmt.Sprint(v)
}

type tally struct {
	rows  []row
	index map[[2]string]int
}

func (t *tally) add(v any, n int) {
	if t.index == nil {
		t.index = map[[2]string]int{}
	}
	typ := "<nil>"
	if v != nil {
		typ = fmt.Sprintf("%T", v)
	}
	k := [2]string{typ, value(v)}
	if i, ok := t.index[k]; ok {
		t.rows[i].Count += n
		return
	}
	t.index[k] = len(t.rows)
	t.rows = append(t.rows, row{typ, k[1], n})
}

// typeWord is the first word of an empty interface: the address of the value's type.
func typeWord(v any) uintptr {
	return (*[2]uintptr)(unsafe.Pointer(&v))[0]
}

func main() {
	fmt.Printf("ready pid=%d\n", os.Getpid())
	in := bufio.NewReader(os.Stdin)
	in.ReadString('\n')

	p1, p2 := &Point{1, 2}, &Point{3, 4}
	buf := &bytes.Buffer{}
	made = reflect.New(reflect.StructOf([]reflect.StructField{
		{Name: "A", Type: reflect.TypeOf(0)},
	})).Interface()
	anys := []struct {
		v any
		n int
	}{
		{"hello", 7}, {"world", 2}, {4242, 5}, {-1, 1}, {true, 3}, {false, 1},
		{int8(-8), 4}, {Celsius(21.5), 6}, {Celsius(100), 1}, {float32(0.1), 2},
		{1e21, 1}, {uint16(65535), 1}, {p1, 2}, {p2, 1}, {nil, 2},
		{Point{5, 6}, 1}, {[]byte("x"), 1}, {map[string]int{}, 1}, {made, 1},
		{map[string]int{"b": 2, "a": 1}, 2},
		{strings.Repeat("long string, ", 8), 2},
		// the standard library's types: a gccgo executable holds copies of their
		// descriptors that the loader fills from libgo.so (R_X86_64_COPY)
		{1500 * time.Millisecond, 2}, {os.Stdout, 1}, {time.March, 3},
	}
	var d, s tally
	for _, a := range anys {
		for i := 0; i < a.n; i++ {
			describe(a.v)
		}
		d.add(a.v, a.n)
	}
	// a new error value each call, all with one message
	for i := 0; i < 3; i++ {
		err := errors.New("boom")
		describe(err)
		d.add(err, 1)
	}
	err := fmt.Errorf("wrapped: %w", os.ErrNotExist)
	describe(err)
	d.add(err, 1)

	stringers := []struct {
		v fmt.Stringer
		n int
	}{
		{Name("ann"), 3}, {&Temp{36.6}, 2}, {nil, 1},
	}
	for _, a := range stringers {
		for i := 0; i < a.n; i++ {
			show(a.v)
		}
		s.add(a.v, a.n)
	}
	plain(1)

	types := map[string]string{}
	for _, v := range []any{"", 0, true, int8(0), Celsius(0), float32(0), 0.0, uint16(0), p1,
		Point{}, []byte(nil), map[string]int{}, errors.New(""), err, Name(""), &Temp{},
		[3]int{}, struct{}{}, make(chan int), func() {}, reflect.TypeOf(0), time.Duration(0),
		os.Stdout, buf, time.March} {
		types[fmt.Sprintf("%T", v)] = fmt.Sprintf("%#x", typeWord(v))
	}
	report, _ := json.Marshal(map[string]any{
		"describe": d.rows, "show": s.rows, "types": types,
		"runtime": []string{fmt.Sprintf("%#x", typeWord(made))},
	})
	fmt.Println(string(report))
	fmt.Println("done")
	in.ReadString('\n')
}
