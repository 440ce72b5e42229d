"""Build the programs a test module names for a machine with no Go (make check-arm64's guest).

    python3 tests/prebuild.py TREE tests/test_arm64_run.py

The module's PROGRAMS lists (variant, program) pairs; each is built here (conftest's
build_program, its cache), copied into TREE/tests/.build/prebuilt/, and listed in
TREE/tests/.build/prebuilt.json, which the guest's conftest reads (GOTOOLS_PREBUILT). The
module's FACTS(build) adds what the guest cannot compute itself (it has no `go tool objdump`).
"""

import importlib.util
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from conftest import build_program  # noqa: E402


def main(tree, module_path):
    spec = importlib.util.spec_from_file_location("mod", module_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    out_dir = os.path.join(tree, "tests", ".build", "prebuilt")
    os.makedirs(out_dir, exist_ok=True)
    programs = {}
    for variant, program in mod.PROGRAMS:
        binary = build_program(variant, program)
        copy = os.path.join(out_dir, f"{variant}-{program}")
        shutil.copy2(binary, copy)
        programs[f"{variant} {program}"] = copy
    facts = mod.FACTS(lambda variant, program: build_program(variant, program))
    with open(os.path.join(tree, "tests", ".build", "prebuilt.json"), "w") as f:
        json.dump({"programs": programs, "facts": facts}, f, indent=1)
    print(f"prebuild: {len(programs)} programs in {out_dir}")


if __name__ == "__main__":
    main(*sys.argv[1:])
