// The iface program (main.go is tests/go/iface's), linked with cgo: the system linker lays the
// binary out, and C code comes first in its text.
package main

// static int twice(int x) { return 2 * x; }
import "C"

func init() {
	sink = int(C.twice(0))
}
