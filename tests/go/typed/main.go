// Command typed passes structs, pointers, strings, slices, maps, floats and a struct by value to
// handle, and reports what Go's fmt prints of each selector the tests of gotrace's selectors
// read (tests/test_typed_values.py), or the marker gotrace shows where Go could not read it.
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"calls": [{"r.ID": "1001", ...}, ...], "offsets": {...}}
//	-> done
//	<- any line or EOF (exit 0)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

type URL struct {
	Scheme string
	Host   string
	Path   string
}

type Inner struct {
	Level int8
	Ratio float64
	Name  string
}

// Base is embedded in Req: its fields are promoted (r.Tenant is r.Base.Tenant).
type Base struct {
	Tenant string
	Zone   int16
}

type Req struct {
	ID     int64
	Method string
	URL    *URL
	Tags   []string
	Meta   map[string]int
	Inner  Inner
	Score  float64
	Flags  [3]uint16
	Ok     bool
	Next   *Req
	Data   []byte
	Base
	Wait time.Duration // %v calls its String method: "1.5s"
	wait time.Duration // unexported: %v prints its number
}

type Point struct {
	X     int
	Y     int32
	Label string
}

var sink int

//go:noinline
func handle(r *Req, b []byte, p Point) int {
	sink += int(p.X) + len(b)
	return sink
}

// find returns what handle was passed: its result is read by return probes (r:).
//
//go:noinline
func find(r *Req, p Point) (found *Req, point Point) {
	sink++
	return r, p
}

// The whole values %v and %+v print (gotrace reads them as composites).
var values = []string{"r", "p", "r.Tags", "r.Meta", "r.Inner", "r.URL", "r.Data"}

func whole(e map[string]string, name string, v any) {
	e["%v "+name] = fmt.Sprintf("%v", v)
	e["%+v "+name] = fmt.Sprintf("%+v", v)
}

// What fmt prints of each selector of r and p, or gotrace's marker where Go would panic.
func expect(r *Req, b []byte, p Point, unmapped bool) map[string]string {
	e := map[string]string{
		"p.X": fmt.Sprint(p.X), "p.Y": fmt.Sprint(p.Y), "p.Label": p.Label, "b": string(b),
		"p": fmt.Sprintf("%+v", p),
	}
	whole(e, "p", p)
	if unmapped {
		for _, k := range []string{"r.ID", "r.Method", "r.URL.Path", "len(r.Tags)", "cap(r.Tags)",
			"r.Tags[1]", "r.Inner.Name", "r.Score", "r.Inner.Level", "r.Inner.Ratio", "r.Ok",
			"r.Flags[2]", "len(r.Meta)", "r.Next.ID", "r.Data", "r.Tenant", "r.Method[0]"} {
			e[k] = "<unreadable>"
		}
		for _, k := range values[2:] {
			e["%v "+k], e["%+v "+k] = "<unreadable>", "<unreadable>"
		}
		e["%v r"], e["%+v r"] = "&<unreadable>", "&<unreadable>"
		return e
	}
	whole(e, "r", r)
	whole(e, "r.Tags", r.Tags)
	whole(e, "r.Meta", r.Meta)
	whole(e, "r.Inner", r.Inner)
	whole(e, "r.URL", r.URL)
	whole(e, "r.Data", r.Data)
	e["r.Tenant"] = r.Tenant
	e["r.Method[0]"] = "<index out of range>"
	if len(r.Method) > 0 {
		e["r.Method[0]"] = fmt.Sprintf("%v", r.Method[0])
	}
	e["r.ID"] = fmt.Sprint(r.ID)
	e["r.Method"] = r.Method
	e["r.URL.Path"] = "<nil dereference>"
	if r.URL != nil {
		e["r.URL.Path"] = fmt.Sprintf("%v", r.URL.Path)
	}
	e["len(r.Tags)"] = fmt.Sprint(len(r.Tags))
	e["cap(r.Tags)"] = fmt.Sprint(cap(r.Tags))
	e["r.Tags[1]"] = "<index out of range>"
	if len(r.Tags) > 1 {
		e["r.Tags[1]"] = r.Tags[1]
	}
	e["r.Inner.Name"] = r.Inner.Name
	e["r.Score"] = fmt.Sprintf("%v", r.Score)
	e["r.Inner.Level"] = fmt.Sprintf("%v", r.Inner.Level)
	e["r.Inner.Ratio"] = fmt.Sprintf("%v", r.Inner.Ratio)
	e["r.Ok"] = fmt.Sprintf("%v", r.Ok)
	e["r.Flags[2]"] = fmt.Sprint(r.Flags[2])
	e["len(r.Meta)"] = fmt.Sprint(len(r.Meta))
	e["r.Next.ID"] = "<nil dereference>"
	if r.Next != nil {
		e["r.Next.ID"] = fmt.Sprint(r.Next.ID)
	}
	e["r.Data"] = string(r.Data)
	return e
}

// A pointer to memory that is mapped no more.
func unmappedReq() *Req {
	m, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic(err)
	}
	p := unsafe.Pointer(&m[0])
	if err := syscall.Munmap(m); err != nil {
		panic(err)
	}
	return (*Req)(p)
}

func main() {
	fmt.Printf("ready pid=%d\n", os.Getpid())
	in := bufio.NewReader(os.Stdin)
	in.ReadString('\n')

	checkout := &URL{"https", "shop.example", "/checkout"}
	long := &URL{"https", "a.example", "/" + strings.Repeat("abcdefghij", 30)}
	first := &Req{ID: 1000, Method: "HEAD"}
	reqs := []*Req{
		{ID: 1001, Method: "GET", URL: &URL{"http", "x", "/index.html"}, Tags: []string{"a", "bb", "ccc"},
			Meta: map[string]int{"k": 1, "j": 2, "a": -3}, Inner: Inner{-7, 0.1, "inner"}, Score: 3.25,
			Flags: [3]uint16{1, 2, 65535}, Ok: true, Next: first, Data: []byte("payload"),
			Base: Base{"acme", -2}, Wait: 1500 * time.Millisecond, wait: time.Second},
		{ID: 1002, Method: "POST", URL: checkout, Tags: make([]string, 1, 8),
			Inner: Inner{127, 1e21, "es\x1b[31mcape"}, Score: -0.0000012, Next: nil,
			Meta: map[string]int{"b": 2, "a": 1, "e": 5, "c": 3, "h": 8, "g": 7, "d": 4, "f": 6}},
		{ID: -5, Method: "PUT\ttab", URL: nil, Tags: nil, Score: 1e-320, Base: Base{Zone: 7}},
		{ID: 1 << 62, Method: "DELETE", URL: long, Tags: []string{"", strings.Repeat("t", 200), "x", "y",
			"z", "1", "2", "3", "4", "5"}, Meta: map[string]int{}, Score: 100},
		{ID: 1004, Method: "GET", URL: checkout, Ok: true, Score: math.Inf(1),
			Inner: Inner{Ratio: math.NaN()}},
	}
	points := []Point{{1, -2, "one"}, {-3, 2147483647, ""}, {0, 0, "zero"}, {1 << 40, -1, "big"},
		{5, 5, "five"}}
	var calls []map[string]string
	for i, r := range reqs {
		b := []byte(fmt.Sprintf("bytes-%d", i))
		// fmt reads the values first: a page a probe reads must be in memory (a probe
		// cannot fault one in: gotrace marks it <unreadable>)
		calls = append(calls, expect(r, b, points[i], false))
		handle(r, b, points[i])
		find(r, points[i])
	}
	bad := unmappedReq()
	handle(bad, []byte("x"), points[0])
	find(bad, points[0])
	calls = append(calls, expect(nil, []byte("x"), points[0], true))

	var r Req
	report := map[string]any{
		"calls": calls,
		"offsets": map[string]uintptr{
			"ID": unsafe.Offsetof(r.ID), "URL": unsafe.Offsetof(r.URL),
			"Path": unsafe.Offsetof(r.URL.Path), "Tags": unsafe.Offsetof(r.Tags),
		},
	}
	out, _ := json.Marshal(report)
	fmt.Println(string(out))
	fmt.Println("done")
	in.ReadString('\n')
}
