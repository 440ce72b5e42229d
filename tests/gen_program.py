"""Generate a Go program with hundreds of functions of the shapes that trip probe placement,
which counts its own calls and reports every argument, result and goroutine id as JSON.

    python3 tests/gen_program.py DIR      # writes DIR/main.go and DIR/go.mod

Each shape is a template: Go declarations for the i-th function of its kind, the call that
makes its k-th call, and how gotrace reads its arguments. To cover a new kind of code (assembly
using R14: ASM_R14, gccgo -O2 split stacks, ...), add a Shape to SHAPES; a shape whose code some
toolchain cannot build says so in `toolchains`.

Protocol of the generated program (as tests/go/*):

    -> ready pid=<PID>
    <- any line        (one round: every function called CALLS times)
    -> {"funcs": {"main.g003_bounds": [[goid, result, arg1, ...], ...], ...}}
    -> done
    <- another line for another round, or EOF (exit 0)
"""

import os
import sys
from dataclasses import dataclass, field
from typing import Callable, List, Optional

CALLS = 10      # calls of each function per round
WORKERS = 4     # goroutines making the calls: function i is called on worker i % WORKERS


@dataclass
class Shape:
    """A kind of function.

    kind:      short name, part of each function's name (main.g<i>_<kind>)
    count:     how many functions of this kind the program has
    decl:      decl(name, i) -> Go declarations of the function named name (and any types)
    call:      call(name, i, k) -> (Go expression making the k-th call, [argument values]);
               the expression's value is the result
    probes:    probes(name, i) -> [(function name, gotrace argument list)] for each function the
               call enters, e.g. the method and its compiler-generated (*T).M wrapper; the
               argument list reads the values call() returns, in order
    toolchains: the toolchains that build it ("gc", "gccgo")
    asm:       asm(name, i) -> Go assembly for asm_amd64.s (gc only), or None
    result:    how gotrace reads the result at a RET ("goret1"), or None where it cannot (an
               assembly function's results have no DWARF to say where they are)
    """
    kind: str
    count: int
    decl: Callable[[str, int], str]
    call: Callable[[str, int, int], tuple]
    probes: Callable[[str, int], List[tuple]]
    toolchains: tuple = ("gc",)
    asm: Optional[Callable[[str, int], str]] = None
    result: Optional[str] = "goret1"


def goargs(first, n):
    """gotrace's names of n argument words from goarg<first> on."""
    return [f"goarg{first + j}" for j in range(n)]


def early(i):
    """The argument value that makes function i return early (one call in CALLS does)."""
    return 3 + i % 5


# -- shapes -----------------------------------------------------------------------------------

def bounds_decl(name, i):
    return f"""//go:noinline
func {name[5:]}(s []int, x int) int {{
	if x == {early(i)} {{
		return -{i}
	}}
	v := tbl[{i % 5}]
	return v + h(x) + len(s)
}}
"""


BOUNDS = Shape(
    "bounds", 90, bounds_decl,
    call=lambda name, i, k: (f"{name[5:]}(tbl, {k})", [k]),
    probes=lambda name, i: [(name, goargs(4, 1))],  # s is three words
    toolchains=("gc", "gccgo"))


def value_decl(name, i):
    t = f"T{i:03d}"
    return f"""type {t} struct{{ n int }}

//go:noinline
func (t {t}) M(x int) int {{
	if x == {early(i)} {{
		return 0
	}}
	return t.n*{i} + h(x)
}}

var mer{i:03d} Mer = &{t}{{n: {i}}}
"""


# a value method called through an interface holding a pointer: the call enters the
# compiler-generated (*T).M wrapper, which checks the pointer for nil and calls T.M
WRAPPER = Shape(
    "wrapper", 40, value_decl,
    call=lambda name, i, k: (f"mer{i:03d}.M({k})", [k]),
    probes=lambda name, i: [(f"main.(*T{i:03d}).M", goargs(2, 1)),
                            (f"main.T{i:03d}.M", goargs(2, 1))])


def many_decl(name, i):
    n = 10 + i % 3
    params = ", ".join(f"a{j}" for j in range(1, n + 1))
    total = " + ".join(f"a{j}*{j}" for j in range(2, n + 1))
    return f"""//go:noinline
func {name[5:]}({params} int) int {{
	if a1 == {early(i)} {{
		return -1
	}}
	v := tbl[{i % 5}]
	return v + h(a1) + {total}
}}
"""


def many_call(name, i, k):
    n = 10 + i % 3
    args = [k] + [(k + 1) * 100 + j * 7 + i for j in range(2, n + 1)]
    return f"{name[5:]}({', '.join(map(str, args))})", args


# 10 to 12 arguments: the register ABI passes the 10th on on the stack
MANY = Shape(
    "many", 60, many_decl, many_call,
    probes=lambda name, i: [(name, goargs(1, 10 + i % 3))], toolchains=("gc", "gccgo"))


def framed_decl(name, i):
    return f"""//go:noinline
func {name[5:]}(x, y int) int {{
	return h(x) - y*{i}
}}
"""


FRAMED = Shape(
    "framed", 40, framed_decl,
    call=lambda name, i, k: (f"{name[5:]}({k}, {k * i})", [k, k * i]),
    probes=lambda name, i: [(name, goargs(1, 2))], toolchains=("gc", "gccgo"))


def leaf_decl(name, i):
    return f"""//go:noinline
func {name[5:]}(x int) int {{
	if x == {early(i)} {{
		return {i}
	}}
	return x*{i} + 1
}}
"""


LEAF = Shape(
    "leaf", 40, leaf_decl,
    call=lambda name, i, k: (f"{name[5:]}({k})", [k]),
    probes=lambda name, i: [(name, goargs(1, 1))], toolchains=("gc", "gccgo"))



def asm_decl(name, i):
    return f"""// in asm_amd64.s
func {name[5:]}(x, y int) int
"""


def asm_framed(name, i):
    """ABI0 assembly with a frame over StackSmall (128 bytes, below which a leaf has no check):
    the assembler adds a stack check that loads g from thread-local storage (into R14 since Go
    1.17, CX before), with an early return past it."""
    return f"""// func {name[5:]}(x, y int) int
TEXT \u00b7{name[5:]}(SB), $256-24
	MOVQ x+0(FP), AX
	CMPQ AX, ${early(i)}
	JNE more
	MOVQ $-{i}, ret+16(FP)
	RET
more:
	MOVQ y+8(FP), BX
	MOVQ AX, 0(SP)
	ADDQ BX, AX
	MOVQ AX, ret+16(FP)
	RET
"""


def asm_r14(name, i):
    """ABI0 assembly that uses R14 as scratch (as crypto/md5.block does): g is not in R14 at
    its RET."""
    return f"""// func {name[5:]}(x, y int) int
TEXT \u00b7{name[5:]}(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), R14
	MOVQ y+8(FP), AX
	ADDQ R14, AX
	MOVQ AX, ret+16(FP)
	RET
"""


def asm_call(name, i, k):
    return f"{name[5:]}({k}, {k * 3 + i})", [k, k * 3 + i]


ASM_FRAMED = Shape("asmframe", 20, asm_decl, asm_call,
                   probes=lambda name, i: [(name, goargs(1, 2))], asm=asm_framed, result=None)
ASM_R14 = Shape("asmscratch", 20, asm_decl, asm_call,
                probes=lambda name, i: [(name, goargs(1, 2))], asm=asm_r14, result=None)

SHAPES = [BOUNDS, WRAPPER, MANY, FRAMED, LEAF, ASM_FRAMED, ASM_R14]


# -- the program ------------------------------------------------------------------------------

def functions(shapes=SHAPES, toolchain="gc"):
    """[(name, i, shape)] of every generated function, i numbering all of them."""
    out = []
    for shape in shapes:
        if toolchain not in shape.toolchains:
            continue
        for _ in range(shape.count):
            i = len(out)
            out.append((f"main.g{i:03d}_{shape.kind}", i, shape))
    return out


HEADER = """// Code generated by tests/gen_program.py. DO NOT EDIT.

package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

var (
	tbl  = []int{10, 20, 30, 40, 50}
	sink int
	mu   sync.Mutex
	log  = map[string][][]int{}
)

type Mer interface{ M(int) int }

//go:noinline
func h(x int) int { return x * 2 }

func goid() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _ := strconv.Atoi(strings.Fields(string(buf))[1])
	return id
}

// rec notes a call of fn: [goid, result, args...].
func rec(fn string, g, result int, args ...int) {
	mu.Lock()
	log[fn] = append(log[fn], append([]int{g, result}, args...))
	mu.Unlock()
}
"""


def generate(shapes=SHAPES, toolchain="gc"):
    """The program's Go source."""
    fns = functions(shapes, toolchain)
    parts = [HEADER]
    for name, i, shape in fns:
        parts.append(shape.decl(name, i))
    for w in range(WORKERS):
        body = [f"func worker{w}() {{", "\tg := goid()"]
        for name, i, shape in fns:
            if i % WORKERS != w:
                continue
            for k in range(CALLS):
                expr, args = shape.call(name, i, k)
                body.append(f"\t{{\n\t\tr := {expr}\n\t\tsink += r")
                for probed, _ in shape.probes(name, i):
                    body.append(f"\t\trec({probed!r}, g, r, {', '.join(map(str, args))})"
                                .replace("'", '"'))
                body.append("\t}")
        body.append("}\n")
        parts.append("\n".join(body))
    workers = "\n".join(f"\t\t\tgo func() {{ defer wg.Done(); worker{w}() }}()" for w in range(WORKERS))
    parts.append(f"""func main() {{
	fmt.Printf("ready pid=%d\\n", os.Getpid())
	in := bufio.NewReader(os.Stdin)
	for {{
		if _, err := in.ReadString('\\n'); err != nil {{
			return
		}}
		mu.Lock()
		log = map[string][][]int{{}}
		mu.Unlock()
		var wg sync.WaitGroup
		wg.Add({WORKERS})
{workers}
		wg.Wait()
		out, _ := json.Marshal(map[string]interface{{}}{{"funcs": log}})
		fmt.Println(string(out))
		fmt.Println("done")
	}}
}}
""")
    return "\n".join(parts)


def probes(shapes=SHAPES, toolchain="gc"):
    """{function name: (gotrace argument list, gotrace result or None)} of every function a
    call of the program enters."""
    out = {}
    for name, i, shape in functions(shapes, toolchain):
        for probed, args in shape.probes(name, i):
            out[probed] = (args, shape.result)
    return out


def assembly(shapes=SHAPES, toolchain="gc"):
    """The program's asm_amd64.s, or None when no shape has assembly."""
    parts = [shape.asm(name, i) for name, i, shape in functions(shapes, toolchain) if shape.asm]
    return '#include "textflag.h"\n\n' + "\n".join(parts) if parts else None


def write(directory, shapes=SHAPES, toolchain="gc"):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "main.go"), "w", encoding="utf-8") as f:
        f.write(generate(shapes, toolchain))
    asm = assembly(shapes, toolchain)
    if asm:
        with open(os.path.join(directory, "asm_amd64.s"), "w", encoding="utf-8") as f:
            f.write(asm)
    with open(os.path.join(directory, "go.mod"), "w") as f:
        f.write("module example.com/generated\n\ngo 1.19\n")
    return directory


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: gen_program.py DIR")
    write(sys.argv[1])
