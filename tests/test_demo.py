"""The demo (`sudo make demo`: scripts/demo.sh) shows every tool the Makefile builds at work on
the bundled service, and each command line it prints is one a shell takes as it is: pasted into
sh against the same service, it runs and prints what the demo showed."""

import os
import re
import shlex
import subprocess
import time

from conftest import ROOT

TOOLS = re.search(r"^TOOLS :=(.*)$", open(os.path.join(ROOT, "Makefile")).read(), re.M).group(1).split()
PROMPT = re.compile(r"^# (\./tools/.*)$", re.M)


def shown(stdout):
    """[(command line, its output)] in the order the demo printed them."""
    parts = PROMPT.split(stdout)
    return list(zip(parts[1::2], parts[2::2]))


def test_demo_shows_every_tool_and_commands_paste(tmp_path):
    run = subprocess.run([os.path.join(ROOT, "scripts", "demo.sh")], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    demo = shown(run.stdout)
    names = [os.path.basename(shlex.split(line)[0]) for line, _ in demo]
    assert sorted(set(names)) == sorted(TOOLS), f"the demo shows {names}, the Makefile builds {TOOLS}"
    for line, out in demo:
        # a tool's output: its banner or header, then what it found (a count, an event, a stack)
        assert len(out.strip().splitlines()) >= 2 and re.search(r"\d", out), f"{line}:\n{out}"

    service = subprocess.Popen([os.path.join(ROOT, "build", "demo")], stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        for line, out in demo:
            pasted = re.sub(r"(?<= -p )\d+(?= )", str(service.pid), line)
            assert pasted != line
            again = subprocess.run(["sh", "-c", pasted], cwd=ROOT, capture_output=True, text=True,
                                   timeout=60)
            assert again.returncode == 0, f"sh -c {pasted!r}: {again.stderr}"
            first = again.stdout.strip().splitlines()[0]
            assert first == out.strip().splitlines()[0], f"sh -c {pasted!r}:\n{again.stdout}\ndemo:\n{out}"
    finally:
        service.kill()
        service.wait()
