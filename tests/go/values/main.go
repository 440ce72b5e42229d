// Command values passes values of many shapes through interface parameters and reports what Go's
// fmt prints of each, for the tests of goiface -V and gotrace's %v (tests/test_values.py).
//
// Protocol (stdin/stdout, one line each):
//
//	-> ready pid=<PID>
//	<- any line        (start)
//	-> {"describe": [...], "fail": [...], "show": [...], "locate": 3}
//	-> done
//	<- any line or EOF (exit 0)
//
// describe(v any), fail(err error) and show(s fmt.Stringer) are each called once per value of
// their table, in order; then locate(p *person, n int), which takes no interface, 3 times. For each call the report holds what fmt prints: "type" (%T, "<nil>"
// for nil), "v" (%v), "q" (strconv.Quote of %v), "p" (%p of a pointer-shaped value), "f" (the
// fields as %+v prints them, of a struct or of the struct a pointer points to, as if it had no
// methods), and "how", what the tools show of it:
//
//	v       %v exactly
//	q       %v; quoted (q) by goiface, which quotes strings and the texts of Error and String
//	addr    the address, p (of a pointer to what is no struct: %v prints the same; of a map,
//	        whose entries %v would print, which the tools do not read)
//	fields  f: %v calls a method that the tools cannot run, and shows the struct's fields
//	hidden  "-": %v calls a method that the tools cannot run, on a value that is not a struct
//
// Of a value longer than the tools copy, they show its beginning, then "...".
//
// With the argument "floats", it prints instead, one a line, "32 <bits> %v" and "64 <bits> %v"
// for the edge cases of Go's shortest float formatting and for seeded random bit patterns.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand"
	"net"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

var sink int

//go:noinline
func describe(v any) int {
	sink++
	return sink
}

//go:noinline
func fail(err error) int {
	sink++
	return sink
}

//go:noinline
func show(s fmt.Stringer) int {
	sink++
	return sink
}

// locate takes no interface: its first word is a pointer to a struct, which a tool told that it
// is an interface's (goarg1 of a stripped binary) must not take for a type.
//
//go:noinline
func locate(p *person, n int) int {
	sink += n + p.Age
	return sink
}

type Celsius float64

type Name string

func (n Name) String() string { return "name " + string(n) }

type Temp struct{ C Celsius }

func (t *Temp) String() string { return fmt.Sprint(t.C) }

// myErr's message is not its first field: the tools must not take a field for it.
type myErr struct {
	Op   string
	Code int
	ok   bool
}

func (e *myErr) Error() string { return fmt.Sprintf("my error %d in %s", e.Code, e.Op) }

// person has a string first and no methods: %v prints its fields, never as a message.
type person struct {
	Name string
	Age  int
}

// timed has a field whose String method %v calls (exported) and one it does not.
type timed struct {
	D time.Duration
	n int
}

// valErr is an error by value.
type valErr struct{ N int32 }

func (e valErr) Error() string { return "valErr " + strconv.Itoa(int(e.N)) }

type call struct {
	Type string `json:"type"`
	V    string `json:"v"`
	Q    string `json:"q"`
	P    string `json:"p,omitempty"`
	F    string `json:"f,omitempty"`
	How  string `json:"how"`
}

// record is what fmt prints of v, and how the tools show it.
func record(v any, how string) call {
	c := call{Type: "<nil>", V: fmt.Sprintf("%v", v), How: how}
	c.Q = strconv.Quote(c.V)
	if v == nil {
		return c
	}
	c.Type = fmt.Sprintf("%T", v)
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Ptr, reflect.Map, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		c.P = fmt.Sprintf("%p", v)
	}
	if rv.Kind() == reflect.Ptr && !rv.IsNil() && rv.Elem().Kind() == reflect.Struct {
		c.F = "&" + fields(rv.Elem())
	} else if rv.Kind() == reflect.Struct {
		c.F = fields(rv)
	}
	return c
}

// fields is %+v of a struct as if its type had no methods: a copy of its fields into a struct
// of a type without any.
func fields(v reflect.Value) string {
	rv := reflect.New(v.Type()).Elem() // addressable, for its unexported fields
	rv.Set(v)
	var sf []reflect.StructField
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		sf = append(sf, reflect.StructField{Name: strings.ToUpper(f.Name[:1]) + f.Name[1:], Type: f.Type})
	}
	plain := reflect.New(reflect.StructOf(sf)).Elem()
	for i := 0; i < rv.NumField(); i++ {
		reflect.NewAt(plain.Field(i).Type(), unsafe.Pointer(plain.Field(i).UnsafeAddr())).Elem().Set(
			reflect.NewAt(rv.Field(i).Type(), unsafe.Pointer(rv.Field(i).UnsafeAddr())).Elem())
	}
	s := fmt.Sprintf("%+v", plain.Interface())
	for i := 0; i < rv.NumField(); i++ { // the field names as they are
		n := rv.Type().Field(i).Name
		s = strings.Replace(s, strings.ToUpper(n[:1])+n[1:]+":", n+":", 1)
	}
	return s
}

type item struct {
	v   any
	how string
}

func items() []item {
	x := 7
	var nilp *int
	var nilm map[string]int
	var nilc chan int
	var nilf func()
	var nilerr *myErr
	_, openErr := os.Open("/nonexistent/gotools-values")
	_, longErr := os.Open("/nonexistent/" + strings.Repeat("long-directory-name/", 5) + "file")
	_, numErr := strconv.Atoi("12a")
	_, rangeErr := strconv.ParseInt("99999999999999999999", 10, 64)
	_, urlErr := url.Parse(":no scheme")
	var jsonErr error = json.Unmarshal([]byte("{bad"), &x)
	ctx, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	<-ctx.Done()
	long := strings.Repeat("long string, ", 12)
	// two types whose names are over 127 bytes and differ only at their ends
	type1 := reflect.New(reflect.TypeOf(struct {
		AVeryLongFieldNameThatMakesTheTypeNameLongerThanAHundredAndTwentySevenBytesWhenPrintedByPercentT int
		B                                                                                                int
	}{})).Elem().Interface()
	type2 := reflect.New(reflect.TypeOf(struct {
		AVeryLongFieldNameThatMakesTheTypeNameLongerThanAHundredAndTwentySevenBytesWhenPrintedByPercentT int
		C                                                                                                int
	}{})).Elem().Interface()
	return []item{
		// floats: fmt's %v is strconv's shortest 'g', %e from exponent 6 on (1e+06)
		{0.0, "v"}, {math.Copysign(0, -1), "v"}, {1.0, "v"},
		{-1.5, "v"}, {0.1, "v"}, {1e6, "v"}, {123456.0, "v"},
		{1234567.0, "v"}, {1e20, "v"}, {1e21, "v"}, {1e-4, "v"},
		{1e-5, "v"}, {1.0 / 3, "v"}, {math.MaxFloat64, "v"},
		{math.SmallestNonzeroFloat64, "v"}, {3 * math.SmallestNonzeroFloat64, "v"},
		{math.Inf(1), "v"}, {math.Inf(-1), "v"}, {math.NaN(), "v"},
		{float64(1<<53 + 2), "v"},
		{float32(0.1), "v"}, {float32(1e6), "v"}, {float32(math.Inf(1)), "v"},
		{float32(math.Inf(-1)), "v"}, {float32(math.NaN()), "v"},
		{float32(1.0 / 4096), "v"}, {math.Float32frombits(3), "v"},
		{float32(math.MaxFloat32), "v"}, {float32(16777216), "v"},
		{Celsius(1e7), "v"}, {Celsius(-0.25), "v"},
		{complex(1, 2), "v"}, {complex(-1.5, -0.0), "v"},
		{complex(math.Inf(1), math.NaN()), "v"}, {complex64(complex(0.1, 1e6)), "v"},
		// integers, booleans, strings
		{int8(-128), "v"}, {uint64(math.MaxUint64), "v"},
		{int64(math.MinInt64), "v"}, {uintptr(0xdead), "v"}, {true, "v"},
		{"", "q"}, {"hello", "q"}, {"tab\there \"quoted\" \x01", "q"},
		{long, "q"}, {Name("ann"), "hidden"},
		// pointer-shaped values; nil ones as <nil> (a nil map: map[])
		{nilp, "v"}, {&x, "addr"}, {nilm, "v"}, {nilc, "v"}, {nilf, "v"},
		{unsafe.Pointer(nil), "v"}, {&person{"Ann", 30}, "v"},
		{nilerr, "v"},
		// errors, by the fields their Error methods read
		{errors.New("boom"), "q"}, {fmt.Errorf("wrapped: %w", os.ErrNotExist), "q"},
		{openErr, "q"}, {longErr, "q"},
		{&fs.PathError{Op: "stat", Path: "x", Err: fs.ErrNotExist}, "q"},
		{os.NewSyscallError("read", syscall.EBADF), "q"},
		{syscall.ENOENT, "q"}, {syscall.Errno(999), "q"},
		{numErr, "q"}, {rangeErr, "q"}, {urlErr, "q"},
		{jsonErr, "q"}, {&net.AddrError{Err: "bad", Addr: "1.2.3.4"}, "q"},
		{&net.AddrError{Err: "no address"}, "q"},
		{&net.ParseError{Type: "IP address", Text: "x.y"}, "q"},
		{ctx.Err(), "q"}, {os.ErrDeadlineExceeded, "q"}, {net.ErrClosed, "q"},
		{&myErr{"read", 3, true}, "fields"}, {valErr{5}, "fields"},
		// Stringers
		{time.Duration(0), "q"}, {time.Nanosecond, "q"},
		{999 * time.Nanosecond, "q"}, {1500 * time.Nanosecond, "q"},
		{2 * time.Millisecond, "q"}, {time.Hour + 2*time.Minute + 3500*time.Millisecond, "q"},
		{-5 * time.Second, "q"}, {time.Duration(math.MinInt64), "q"},
		{&Temp{36.6}, "fields"},
		// long type names
		{type1, "v"}, {type2, "v"},
		// arrays, by the first 48 bytes the probes copy (a longer one cut: [1 2 3 4 5 6 ...])
		{[3]int{1, -2, 3}, "v"}, {[2]string{"a", "b c"}, "v"}, {[2]bool{true, false}, "v"},
		{[3]uint8{1, 2, 3}, "v"}, {[8]int64{1, 2, 3, 4, 5, 6, 7, 8}, "v"}, {[0]int{}, "v"},
		// slices, the same way (a nil one as []); of strings, the first two (a third: ...)
		{[]int{1, 2, 3}, "v"}, {[]byte("hi"), "v"}, {[]int(nil), "v"}, {[]float64{0.5, -2}, "v"},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, "v"}, {[]string{"a", "b c"}, "v"},
		{[]string{"x", "y", "z", "w"}, "v"}, {[]string{long}, "v"},
		// maps of one group (a bucket), up to 8 entries, sorted by key as fmt sorts them; a
		// string key or element by its first 16 bytes; a larger map, or one of other
		// kinds, as map[...]; gccgo's by address
		{map[string]int{"a": 1}, maps}, {map[string]int{"b": 2, "a": 1, "c": 3}, maps},
		{map[int]string{3: "three", -1: "minus one", 10: "ten"}, maps},
		{map[int]bool{}, maps}, {map[float64]int8{2.5: 1, -1: -2, 0: 3}, maps},
		{map[uint16]float32{7: 0.1, 1: 1e6}, maps}, {map[bool]string{true: "t", false: "f"}, maps},
		{map[string]string{"key": "a value longer than sixteen bytes"}, maps},
		{map[string]*int{"p": &x, "nil": nil}, maps}, {nine, maps},
		{map[string][]int{"s": {1}}, maps}, {map[person]int{{"Ann", 1}: 1}, maps},
		{map[string]map[string]int{"m": {"a": 1}, "e": nil}, maps},
		// parts whose methods %v calls: time.Duration's by its recipe, others marked
		{map[string]time.Duration{"a": time.Second, "b": 1500 * time.Millisecond}, maps},
		{map[string]time.Month{"m": time.March}, maps},
		{timed{time.Second, 3}, "v"}, {[]time.Duration{time.Second, 2 * time.Millisecond}, std},
		{[2]time.Month{time.March, time.May}, std}, {&timed{-5 * time.Second, 4}, "v"},
	}
}

// maps is how the tools show a map: as %v prints it (gc), or by its address (gccgo, whose
// maps the probes do not read).
var maps = map[bool]string{true: "addr", false: "v"}[runtime.Compiler == "gccgo"]

// std is how the tools show a slice or array of a standard library type: as %v prints it
// (gc), or not (gccgo, whose descriptors of those types the loader copies from libgo.so).
var std = map[bool]string{true: "hidden", false: "v"}[runtime.Compiler == "gccgo"]

// nine is a map of nine entries: more than one group (a bucket) holds.
var nine = map[string]int{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "floats" {
		floats()
		return
	}
	fmt.Printf("ready pid=%d\n", os.Getpid())
	in := bufio.NewReader(os.Stdin)
	in.ReadString('\n')

	var d, f, s []call
	for _, it := range items() {
		describe(it.v)
		c := record(it.v, it.how)
		d = append(d, c)
		if err, ok := it.v.(error); ok {
			fail(err)
			f = append(f, c)
		}
		if st, ok := it.v.(fmt.Stringer); ok {
			if _, isErr := it.v.(error); !isErr {
				show(st)
				s = append(s, c)
			}
		}
	}
	describe(nil)
	d = append(d, record(nil, "v"))
	fail(nil)
	f = append(f, record(nil, "v"))
	for i := 0; i < 3; i++ {
		locate(&person{"Bob", 40 + i}, i)
	}
	report, _ := json.Marshal(map[string]any{"describe": d, "fail": f, "show": s, "locate": 3})
	fmt.Println(string(report))
	fmt.Println("done")
	in.ReadString('\n')
}

// floats prints the edge cases of strconv's shortest formatting, and random bit patterns.
func floats() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	p64 := func(f float64) { fmt.Fprintf(w, "64 %x %v\n", math.Float64bits(f), f) }
	p32 := func(f float32) { fmt.Fprintf(w, "32 %x %v\n", math.Float32bits(f), f) }
	for e := uint64(0); e < 2047; e++ { // every exponent: powers of two and their neighbours
		for _, m := range []uint64{0, 1, 2, 3, 1<<52 - 1, 1<<52 - 2, 1 << 51} {
			p64(math.Float64frombits(e<<52 | m))
			p64(-math.Float64frombits(e<<52 | m))
		}
	}
	for e := uint32(0); e < 256; e++ {
		for _, m := range []uint32{0, 1, 2, 3, 1<<23 - 1, 1<<23 - 2, 1 << 22} {
			p32(math.Float32frombits(e<<23 | m))
			p32(-math.Float32frombits(e<<23 | m))
		}
	}
	for x := -30; x <= 30; x++ { // powers of ten, and around fmt's %e thresholds
		f := math.Pow10(x)
		for _, g := range []float64{f, math.Nextafter(f, 0), math.Nextafter(f, math.Inf(1)), 9.5 * f, 1.5 * f} {
			p64(g)
			p32(float32(g))
		}
	}
	for i := int64(0); i < 2000; i++ { // integers, and halves
		p64(float64(i))
		p64(float64(i) + 0.5)
		p32(float32(i) / 8)
	}
	r := rand.New(rand.NewSource(20))
	for i := 0; i < 60000; i++ {
		b := r.Uint64()
		switch i % 4 {
		case 1: // exponents near 0: most digits are printed in %f form
			b = b&0x800fffffffffffff | uint64(1023+r.Intn(60)-30)<<52
		case 2: // few mantissa bits: short digits
			b &^= 1<<uint(r.Intn(53)) - 1
		case 3: // denormals
			b &= 0x800fffffffffffff
		}
		p64(math.Float64frombits(b))
		c := uint32(b >> 32)
		if i%4 == 3 {
			c &= 0x807fffff
		}
		p32(math.Float32frombits(c))
	}
}
