#!/usr/bin/python3
"""Write the hand-made regression inputs of tests/fuzz-regressions/: tiny x86-64 ELF files
with one loadable segment (and bare code for fuzz_insn), holding what a fuzzer found (or what
reading the code found) that libgo once mishandled, each reduced to the one corrupt field. Run
from this directory; the files it writes are committed, so this script only documents how they
were made.

    ./craft.py
"""
import struct

BASE = 0x400000
CODE_OFF = 0x100
PCLN_OFF = 0x800


SHDR_OFF = 0x400   # section headers and their names sit between the code and the pclntab


def elf(body, sections=(), data_filesz=None):
    """An ELF executable: body placed from offset 0x100 (code first, the pclntab at 0x800, last
    in the file), one R+X PT_LOAD over the whole file, and section headers for sections
    ((name, type, offset, size, link, entsize)) at 0x400."""
    data = bytearray(CODE_OFF) + body
    nsect = len(sections) + 2 if sections else 0
    if sections:
        shstr = b"\0" + b"".join(name.encode() + b"\0" for name, *_ in sections) + b".shstrtab\0"
        shstr_off = SHDR_OFF + 64 * nsect
        shdrs = bytearray(64)  # the null section
        name_at = 1
        for name, typ, off, size, link, entsize in sections:
            shdrs += struct.pack("<IIQQQQIIQQ", name_at, typ, 0, BASE + off, off, size, link, 0,
                                 8, entsize)
            name_at += len(name) + 1
        shdrs += struct.pack("<IIQQQQIIQQ", name_at, 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
        assert shstr_off + len(shstr) <= PCLN_OFF and len(data) >= PCLN_OFF
        data[SHDR_OFF:shstr_off + len(shstr)] = shdrs + shstr
    ehdr = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 2, 62, 1,
                       BASE + CODE_OFF, 64, SHDR_OFF if sections else 0, 0, 64, 56, 1, 64, nsect,
                       nsect - 1 if sections else 0)
    data[0:64] = ehdr
    size = len(data)
    data[64:120] = struct.pack("<IIQQQQQQ", 1, 5, 0, BASE, BASE, size, size, 0x1000)
    if data_filesz is not None:  # a second, read-only segment of the whole file, so big
        data[56] = 2  # e_phnum
        data[120:176] = struct.pack("<IIQQQQQQ", 1, 4, 0, 0x10000000, 0x10000000, data_filesz,
                                    data_filesz, 0x1000)
    return bytes(data)


def pcln116(nfunc, entries, nameoff=None, names=b"main.f\0", pcsp=b""):
    """A Go 1.16 pclntab: header, function names, the function table (entries: its entry
    addresses, each function ending where the next begins), one _func record they all share,
    and that record's pc-value table of SP deltas (pcsp), when given."""
    hdr_size = 64
    names_at = hdr_size
    ftab_at = (names_at + len(names) + 7) & ~7
    nent = len(entries)
    func_at = ftab_at + (nent + 1) * 16
    tab = bytearray()
    pctab_at = func_at + 48
    tab += struct.pack("<IBBBBQQQQQQQ", 0xFFFFFFFA, 0, 0, 1, 8, nfunc, 0,
                       names_at if nameoff is None else nameoff, 0, 0,
                       pctab_at - 1 if pcsp else 0, ftab_at)
    tab += names
    tab += bytes(ftab_at - len(tab))
    for e in entries:
        tab += struct.pack("<QQ", e, func_at - ftab_at)
    tab += struct.pack("<QQ", entries[-1] + 0x100, 0)
    # _func: entry, nameoff, args, deferreturn, pcsp (offset 1 in the pc-value tables)
    tab += struct.pack("<QiiII", entries[0], 0, 0, 0, 1 if pcsp else 0) + bytes(24)
    return tab + pcsp


def code_and_pcln(tab, code=b"\x90" * 0x100 + b"\xc3"):
    body = bytearray(code)
    body += bytes(PCLN_OFF - CODE_OFF - len(body))
    return body + tab


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


A, B = BASE + CODE_OFF, BASE + CODE_OFF + 0x100
# 1000 functions of one name (every other one empty): the ABI-wrapper search decoded each pair
write("fuzz_gobin/same-name-functions", elf(code_and_pcln(pcln116(1000, [A, B] * 500))))
# a name table offset past the table: its size was size - nameoff, wrapped
write("fuzz_gobin/nameoff-past-end", elf(code_and_pcln(pcln116(1, [A], nameoff=1 << 62))))
# a section whose offset + size wraps past zero, with a function count that the wrapped size
# then let run past the end of the file
big = pcln116(1 << 40, [A]) + bytes(0x2000)
write("fuzz_gobin/section-size-overflow",
      elf(code_and_pcln(big), [(".gopclntab", 1, PCLN_OFF, (1 << 64) - PCLN_OFF + 8, 0, 0)]))
# Go 1.18+ build info whose version string's length wraps the pointer past the end
buildinfo = (b"\xff Go buildinf:" + b"\x08\x02" + bytes(16) + b"\xff" * 9 + b"\x01" +
             b"x" * 8)
write("fuzz_gobin/buildinfo-length-overflow",
      elf(code_and_pcln(pcln116(1, [A]), b"\xc3" + bytes(7) + buildinfo)))
# gccgo (it names libgo.so) with a symbol table but no function in it
symtab = bytes(24) + struct.pack("<IBBHQQ", 1, 1, 0, 1, BASE, 8)  # the null symbol, one object
strtab = b"\0x\0"
body = (b"libgo.so\0".ljust(16, b"\0") + symtab + strtab).ljust(PCLN_OFF - CODE_OFF, b"\0")
write("fuzz_gobin/gccgo-no-functions",
      elf(body, [(".symtab", 2, CODE_OFF + 16, len(symtab), 2, 24),
                 (".strtab", 3, CODE_OFF + 16 + len(symtab), len(strtab), 0, 0)]))
# gccgo with a function whose symbol size wraps its end past zero: it ended before it began
symtab = bytes(24) + struct.pack("<IBBHQQ", 1, 0x12, 0, 1, BASE + CODE_OFF, (1 << 64) - 0x10)
body = (b"libgo.so\0".ljust(16, b"\0") + symtab + strtab).ljust(PCLN_OFF - CODE_OFF, b"\0")
write("fuzz_gobin/gccgo-size-wraps",
      elf(body, [(".symtab", 2, CODE_OFF + 16, len(symtab), 2, 24),
                 (".strtab", 3, CODE_OFF + 16 + len(symtab), len(strtab), 0, 0)]))
# bare code (fuzz_insn's other input): 20,000 bytes no x86 instruction begins with, then a RET;
# asking about each byte of the gap restarted the decoding from the function's entry
write("fuzz_insn/undecodable-gap", b"\0" + b"\x06" * 20000 + b"\xc3")

# a pclntab with no functions (by its section: the magic scan wants some)
empty = pcln116(0, [A])
write("fuzz_gobin/no-functions",
      elf(code_and_pcln(empty), [(".gopclntab", 1, PCLN_OFF, len(empty), 0, 0)]))
# an SP-delta table whose second step overflows an int32: +0x7fffffff at the entry, again at +1
pcsp = bytes([0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F, 0x40, 0x00])
write("fuzz_pcline/pcsp-overflow", elf(code_and_pcln(pcln116(1, [A], pcsp=pcsp))))


# DWARF for main.f whose parameter's type is a struct of 8 fields of a struct of 8 fields of ...
# 15 deep, then int: a walk of its fields, each field visited where it occurs, takes 8**15 steps
def dwarf_nested():
    abbrev = bytes([1, 0x11, 1, 0x11, 0x01, 0x12, 0x01, 0, 0,   # compile unit: low, high pc
                    2, 0x2E, 1, 0x11, 0x01, 0x12, 0x01, 0, 0,   # subprogram: low, high pc
                    3, 0x05, 0, 0x03, 0x08, 0x49, 0x13, 0, 0,   # formal parameter: name, type
                    4, 0x13, 1, 0x0B, 0x0B, 0, 0,               # structure: byte size
                    5, 0x0D, 0, 0x49, 0x13, 0, 0,               # member: type
                    6, 0x24, 0, 0x0B, 0x0B, 0x3E, 0x0B, 0, 0,   # base type: size, encoding
                    0])
    pcs = struct.pack("<QQ", A, B)
    first = 11 + 17 + 17 + 7 + 1  # the header, the unit's and subprogram's DIEs, the parameter
    struct_size = 2 + 8 * 5 + 1
    dies = (bytes([1]) + pcs + bytes([2]) + pcs + bytes([3]) + b"x\0" + struct.pack("<I", first) +
            b"\0")
    for level in range(15):
        field = first + (level + 1) * struct_size
        dies += bytes([4, 8]) + (bytes([5]) + struct.pack("<I", field)) * 8 + b"\0"
    dies += bytes([6, 8, 0x05]) + b"\0"  # int; the end of the unit
    return abbrev, struct.pack("<IHIB", 7 + len(dies), 4, 0, 8) + dies


abbrev, info = dwarf_nested()
body = code_and_pcln(pcln116(1, [A]))
abbrev_at = CODE_OFF + len(body)
body += abbrev + info
write("fuzz_dwarf/nested-structs",
      elf(body, [(".debug_abbrev", 1, abbrev_at, len(abbrev), 0, 0),
                 (".debug_info", 1, abbrev_at + len(abbrev), len(info), 0, 0)]))


# Go 1.20 build info, and a data segment whose size in the program header is 1 TiB: the search
# for the module data scanned its words, far past the end of the file
version, modinfo = b"go1.20.1", b"x" * 16 + b"path\tfuzz\n" + b"x" * 16
buildinfo = (b"\xff Go buildinf:" + b"\x08\x02" + bytes(16) + bytes([len(version)]) + version +
             bytes([len(modinfo)]) + modinfo)
write("fuzz_gotype/segment-past-file",
      elf(code_and_pcln(pcln116(1, [A]), b"\xc3" + bytes(7) + buildinfo), data_filesz=1 << 40))


# Not a regression: a well-formed seed for the pclntab generation of Go 1.2-1.15 (magic
# 0xfffffffb), which no installed toolchain builds, in fuzz/seeds/gobin/ (make fuzz seeds every
# binary harness with it): two functions, main.f and main.g.
def pcln12():
    names_at = 16 + 3 * 16
    names = b"main.f\0main.g\0"
    func_at = (names_at + len(names) + 7) & ~7
    tab = bytearray(struct.pack("<IBBBBQ", 0xFFFFFFFB, 0, 0, 1, 8, 2))
    tab += struct.pack("<QQQQQQ", A, func_at, A + 0x80, func_at + 48, B, 0)
    tab += names + bytes(func_at - names_at - len(names))
    tab += struct.pack("<QiiI", A, names_at, 0, 0) + bytes(28)
    tab += struct.pack("<QiiI", A + 0x80, names_at + 7, 8, 0) + bytes(28)
    return bytes(tab)


write("../../fuzz/seeds/gobin/go112-pclntab", elf(code_and_pcln(pcln12())))
