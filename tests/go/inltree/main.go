// Command inltree reads the inline trees of a Go 1.20+ binary on its own, as the runtime does
// (runtime/symtab.go, runtime/symtabinl.go), to check what gotools reads there: for each
// link-time pc (hex) read from stdin it prints
//
//	PC<tab>F1 | F2 | ...<tab>G1 | G2 | ...<tab>RESTART
//
// the F's: the functions inlined at pc, innermost first (empty when none); the G's: the functions
// whose inline tree entries in the function holding pc have pc as their parentPc; RESTART: "yes"
// when Go's asynchronous preemption may resume a goroutine at pc (restartsAt), else "no". The offsets of
// moduledata's fields come from this program's own DWARF (it is built by the same release as the
// binary it reads).
package main

import (
	"bufio"
	"bytes"
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

var le = binary.LittleEndian

type table struct {
	pcln                    []byte
	text, gofunc            uint64
	minLC                   uint64
	nameOff, pcOff, ftabOff uint64
	nfunc                   int
	read                    func(addr uint64, n int) []byte
}

func fail(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "inltree: "+f+"\n", a...)
	os.Exit(1)
}

// memberOffsets: the offsets of runtime.moduledata's fields in this program's own DWARF.
func memberOffsets() map[string]int64 {
	f, err := elf.Open("/proc/self/exe")
	if err != nil {
		fail("%v", err)
	}
	d, err := f.DWARF()
	if err != nil {
		fail("own DWARF: %v", err)
	}
	r := d.Reader()
	out := map[string]int64{}
	for e, _ := r.Next(); e != nil; e, _ = r.Next() {
		if e.Tag != dwarf.TagStructType || e.Val(dwarf.AttrName) != "runtime.moduledata" {
			continue
		}
		for m, _ := r.Next(); m != nil && m.Tag == dwarf.TagMember; m, _ = r.Next() {
			out[m.Val(dwarf.AttrName).(string)] = m.Val(dwarf.AttrDataMemberLoc).(int64)
		}
		return out
	}
	fail("no runtime.moduledata in own DWARF")
	return nil
}

func open(path string) *table {
	f, err := elf.Open(path)
	if err != nil {
		fail("%v", err)
	}
	ps := f.Section(".gopclntab")
	if ps == nil {
		fail("no .gopclntab")
	}
	pcln, _ := ps.Data()
	t := &table{pcln: pcln}
	segs := map[*elf.Prog][]byte{}
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD {
			segs[p] = make([]byte, p.Filesz)
			p.ReadAt(segs[p], 0)
		}
	}
	t.read = func(addr uint64, n int) []byte {
		for p, b := range segs {
			if addr >= p.Vaddr && addr+uint64(n) <= p.Vaddr+p.Filesz {
				return b[addr-p.Vaddr : addr-p.Vaddr+uint64(n)]
			}
		}
		fail("0x%x is in no segment", addr)
		return nil
	}
	t.minLC = uint64(pcln[6])
	t.nfunc = int(le.Uint64(pcln[8:]))
	t.nameOff = le.Uint64(pcln[32:])
	t.pcOff = le.Uint64(pcln[56:])
	t.ftabOff = le.Uint64(pcln[64:])
	off := memberOffsets()
	// moduledata: the word that points at the pcHeader, in the binary's data
	for _, name := range []string{".go.module", ".noptrdata", ".data"} {
		s := f.Section(name)
		if s == nil {
			continue
		}
		data, _ := s.Data()
		for i := 0; i+8 <= len(data); i += 8 {
			if le.Uint64(data[i:]) == ps.Addr {
				md := s.Addr + uint64(i)
				t.text = le.Uint64(t.read(md+uint64(off["text"]), 8))
				t.gofunc = le.Uint64(t.read(md+uint64(off["gofunc"]), 8))
				return t
			}
		}
	}
	fail("no moduledata")
	return nil
}

func (t *table) entry(i int) uint64 {
	return t.text + uint64(le.Uint32(t.pcln[t.ftabOff+uint64(i)*8:]))
}

func (t *table) fn(pc uint64) (f []byte, entry uint64) {
	i := sort.Search(t.nfunc, func(i int) bool { return t.entry(i) > pc }) - 1
	if i < 0 {
		return nil, 0
	}
	off := le.Uint32(t.pcln[t.ftabOff+uint64(i)*8+4:])
	return t.pcln[t.ftabOff+uint64(off):], t.entry(i)
}

func (t *table) name(off uint32) string {
	b := t.pcln[t.nameOff+uint64(off):]
	return string(b[:bytes.IndexByte(b, 0)])
}

// values: the pc-value table at off, as (start pc, value) steps up to the function's end.
func (t *table) values(off uint32, entry uint64) (pcs []uint64, vals []int32) {
	p := t.pcln[t.pcOff+uint64(off):]
	pc, val, first := entry, int32(-1), true
	for {
		uv, n := binary.Uvarint(p)
		if uv == 0 && !first {
			return
		}
		p = p[n:]
		if uv&1 != 0 {
			val += int32(^(uv >> 1))
		} else {
			val += int32(uv >> 1)
		}
		pd, n := binary.Uvarint(p)
		p = p[n:]
		pcs, vals = append(pcs, pc), append(vals, val)
		pc += pd * t.minLC
		first = false
	}
}

func valueAt(pcs []uint64, vals []int32, pc uint64) int32 {
	i := sort.Search(len(pcs), func(i int) bool { return pcs[i] > pc }) - 1
	if i < 0 {
		return -1
	}
	return vals[i]
}

func (t *table) query(pc uint64) (chain, marks []string) {
	f, entry := t.fn(pc)
	npcdata, nfuncdata := le.Uint32(f[28:]), f[43]
	if npcdata <= 2 || nfuncdata <= 3 {
		return
	}
	inl := le.Uint32(f[44+4*npcdata+4*3:])
	if inl == ^uint32(0) {
		return
	}
	tree := t.gofunc + uint64(inl)
	pcs, vals := t.values(le.Uint32(f[44+4*2:]), entry)
	max := int32(-1)
	for _, v := range vals {
		if v > max {
			max = v
		}
	}
	at := func(ix int32) (string, uint64) {
		e := t.read(tree+uint64(ix)*16, 16)
		return t.name(le.Uint32(e[4:])), entry + uint64(le.Uint32(e[8:]))
	}
	for ix, p, n := valueAt(pcs, vals, pc), pc, 0; ix >= 0 && n < 100; n++ {
		name, parent := at(ix)
		chain = append(chain, name)
		p = parent
		ix = valueAt(pcs, vals, p)
	}
	for ix := int32(0); ix <= max; ix++ {
		if name, parent := at(ix); parent == pc {
			marks = append(marks, name)
		}
	}
	return
}

// restartsAt: may Go's asynchronous preemption resume a goroutine at pc, running pc's
// instruction again (runtime/preempt.go, isAsyncSafePoint)? When pc begins a run of the
// function's PCDATA_UnsafePoint table (pcdata 0) whose value is abi.UnsafePointRestart1 or
// Restart2 (-3, -4: a preempted pc in the run backs off to its start), or is the entry of a
// function with abi.UnsafePointRestartAtEntry (-5) anywhere.
func (t *table) restartsAt(pc uint64) bool {
	f, entry := t.fn(pc)
	if f == nil || le.Uint32(f[28:]) == 0 || le.Uint32(f[44:]) == 0 {
		return false
	}
	pcs, vals := t.values(le.Uint32(f[44:]), entry)
	for i, v := range vals {
		if v == -5 && pc == entry || (v == -3 || v == -4) && pcs[i] == pc {
			return true
		}
	}
	return false
}

func main() {
	t := open(os.Args[1])
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		pc, err := strconv.ParseUint(strings.TrimPrefix(in.Text(), "0x"), 16, 64)
		if err != nil {
			fail("bad pc %q", in.Text())
		}
		chain, marks := t.query(pc)
		restart := "no"
		if t.restartsAt(pc) {
			restart = "yes"
		}
		fmt.Fprintf(out, "0x%x\t%s\t%s\t%s\n", pc, strings.Join(chain, " | "), strings.Join(marks, " | "),
			restart)
	}
	out.Flush()
}
