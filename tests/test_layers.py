"""libgo's folders are its layers, and no file includes a header of a layer above its own (see
HACKING.md): what reads Go binaries knows nothing of probes or sessions, the probe layer knows no
Go, and nothing in libgo knows a tool. The BPF programs' shared records (libgo/probe/bpf/*.h) are
data layouts that every layer may include. A new include that breaks the order fails here, with
the file and the line."""

import glob
import os
import re

import pytest

from conftest import ROOT

# What each layer may include, besides its own folder and the shared records of probe/bpf/.
BELOW = {
    "base": [],
    "arch": ["base"],
    "probe": ["base", "arch"],
    "binary": ["base", "arch"],
    "plan": ["base", "arch", "probe", "binary"],
    "session": ["base", "probe", "arch", "binary", "plan"],
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    return os.path.relpath(path, os.path.join(ROOT, "libgo")).split(os.sep)[0]


def sources():
    files = glob.glob(os.path.join(ROOT, "libgo", "*", "**", "*.[ch]"), recursive=True)
    return sorted(f for f in files if os.sep + os.path.join("probe", "bpf") + os.sep not in f)


@pytest.mark.unprivileged
def test_every_file_is_in_a_layer():
    loose = [os.path.relpath(f, ROOT) for f in glob.glob(os.path.join(ROOT, "libgo", "*.[ch]"))]
    assert loose == ["libgo/libgo.h"], f"files of libgo outside its layers: {loose}"
    assert {layer_of(f) for f in sources()} <= set(BELOW), "a folder of libgo that is no layer"


@pytest.mark.unprivileged
def test_no_layer_includes_a_higher_one():
    wrong = []
    for path in sources():
        layer = layer_of(path)
        allowed = {layer, *BELOW[layer]}
        text = open(path, encoding="utf-8").read()
        for m in INCLUDE.finditer(text):
            name = m.group(1)
            if name.startswith("probe/bpf/") or "/" not in name:
                continue    # a shared BPF record, or a header beside the file
            if name.split("/")[0] not in allowed:
                line = text.count("\n", 0, m.start()) + 1
                wrong.append(f"{os.path.relpath(path, ROOT)}:{line}: {layer} includes {name}")
    assert not wrong, "\n".join(wrong)
