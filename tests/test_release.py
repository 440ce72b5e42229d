"""libgo's release facts (libgo/binary/release.c) against each Go release's own DWARF, through the
helper tests/helpers/gofuncs:

    gofuncs -l BINARY  ->  layout <fact> <value> <source>   what libgo uses (go_binary__layout)
                           dwarf <fact> <value> <source>    what the binary's DWARF alone says

For every toolchain the tests build with, the table's facts (a stripped copy's: there is no DWARF
to take them from) equal the unstripped build's DWARF wherever DWARF says, the runtime's structs'
facts are all known, and a stripped build gets the same facts as the unstripped one. moduledata is
where `go tool nm` puts runtime.firstmoduledata.
"""

import re
import subprocess

import pytest

from conftest import OLD, SWITCHED, TOOLCHAINS, go_nm, helper

# libgo's binary readers, through a helper: no BPF, so no root needed.
pytestmark = pytest.mark.unprivileged

RELEASES = ["go116", "go117", "go118", "go119"] + list(SWITCHED) + ["go126"]
# facts of the runtime's structs that every release has, so that DWARF and the table must both know
ALWAYS = ("_func.entry", "_func.nameOff", "_func.args", "_func.pcsp", "_func.pcfile", "_func.pcln",
          "_func.npcdata", "_func.cuOffset", "_func.funcID", "_func.nfuncdata", "_func.pcdata",
          "funcID.wrapper", "inlinedCall.size", "inlinedCall.funcID", "inlinedCall.nameOff",
          "inlinedCall.parentPc", "moduledata.funcnametab", "moduledata.ftab", "moduledata.text",
          "moduledata.types", "moduledata.etypes", "moduledata.textsectmap", "g.stack.hi", "g.m",
          "g.atomicstatus", "g.goid", "g.waitreason", "g.labels", "m.g0", "m.procid",
          "m.gsignal", "m.curg")


def layouts(binary):
    """({fact: (value, source)} of the layout, the same of DWARF alone (empty without), the
    header line's {key: value})."""
    out = subprocess.run([helper("gofuncs"), "-l", binary], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    got = {"layout": {}, "dwarf": {}}
    header = dict(re.findall(r"(\w+)=(\S+)", re.search(r"^# minor=.*$", out, re.M).group(0)))
    for which, fact, value, source in re.findall(r"^(layout|dwarf) (\S+) (-?\d+) (\w+)$", out, re.M):
        got[which][fact] = (int(value), source)
    return got["layout"], got["dwarf"], header


def strip(binary, tmp_path):
    stripped = tmp_path / "stripped"
    subprocess.run(["objcopy", "--strip-all", binary, str(stripped)], check=True)
    return str(stripped)


def values(facts):
    return {fact: value for fact, (value, source) in facts.items()}


@pytest.mark.parametrize("variant", RELEASES)
def test_table_is_dwarf(tmp_path, built, variant):
    """The table's facts of a release are what its DWARF says, and a stripped build gets the
    same facts from it."""
    binary = built.path(variant, "tracee")
    layout, dwarf, header = layouts(binary)
    table, no_dwarf, stripped_header = layouts(strip(binary, tmp_path))
    assert not no_dwarf and {s for v, s in table.values()} <= {"table", "unknown"}, table
    assert header == stripped_header
    minor = int(TOOLCHAINS[variant][0].split(".")[1]) + 100
    assert int(header["minor"]) == minor, header
    # pprof labels: a map up to Go 1.23, a slice of pairs from 1.24 (notes/go-labels.md)
    assert int(header["labels_form"]) == (2 if minor >= 124 else 1), header
    said = {fact: value for fact, (value, source) in dwarf.items() if source == "dwarf"}
    assert set(ALWAYS) <= set(said), sorted(set(ALWAYS) - set(said))
    # a coroutine switch's fields of g, from Go 1.22 (runtime/coro.go): known exactly from then
    coro = {"g.coroarg", "g.coroexit"}
    assert coro <= set(said) if minor >= 122 else not coro & set(said), said
    assert {f for f in coro if table[f][0] >= 0} == (coro if minor >= 122 else set()), table
    wrong = {fact: (table[fact][0], value) for fact, value in said.items() if table[fact][0] != value}
    assert not wrong, f"{variant}: the table says (table, DWARF): {wrong}"
    assert values(layout) == values(table)
    # g's and m's come from DWARF where there is some (and the release has them)
    assert {s for f, (v, s) in layout.items() if f.startswith(("g.", "m.")) and f not in coro or
            f in coro and minor >= 122} == {"dwarf"}


def firstmoduledata(variant, binary):
    symbols = [addr for addr, kind, name in go_nm(TOOLCHAINS[variant][1], binary)
               if name == "runtime.firstmoduledata"]
    assert len(symbols) == 1, symbols
    return symbols[0]


@pytest.mark.parametrize("variant", RELEASES + ["go116-pie", "go117-pie", "go117-lld-pie",
                                                "go119-pie", "go126-pie", "go126-lld-pie"])
def test_moduledata(tmp_path, built, variant):
    """moduledata is found once, where the symbol table puts it, with or without the table, in
    PIE builds too (lld's leaves zeros where the loader writes pointers)."""
    toolchain = OLD.get(variant, variant.split("-")[0])
    binary = built.path(variant, "tracee")
    expected = firstmoduledata(toolchain, binary)
    for path in (binary, strip(binary, tmp_path)):
        header = layouts(path)[2]
        assert int(header["moduledata"], 16) == expected, (path, header, hex(expected))
