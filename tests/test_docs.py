"""The documents that ship with the tools say what the tools do: each example file ends with the
tool's own --help output (as bcc's example files end with their USAGE message), and each man
page's SYNOPSIS names every option the tool's --help lists."""

import os
import re
import subprocess

import pytest

from conftest import ROOT, tool

TOOLS = re.search(r"^TOOLS :=(.*)$", open(os.path.join(ROOT, "Makefile")).read(), re.M).group(1).split()


def help_text(name):
    run = subprocess.run([tool(name), "--help"], capture_output=True, text=True, timeout=10)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.unprivileged
@pytest.mark.parametrize("name", TOOLS)
def test_example_file_ends_with_help(name):
    with open(os.path.join(ROOT, "tools", f"{name}_example.txt"), encoding="utf-8") as f:
        example = f.read()
    assert example.rstrip().endswith(help_text(name).rstrip()), \
        f"tools/{name}_example.txt does not end with the output of `{name} --help`"


@pytest.mark.unprivileged
@pytest.mark.parametrize("name", TOOLS)
def test_man_page_synopsis_names_every_option(name):
    with open(os.path.join(ROOT, "man", "man8", f"{name}.8"), encoding="utf-8") as f:
        page = f.read()
    synopsis = page.split(".SH SYNOPSIS", 1)[1].split(".SH", 1)[0].replace("\\-", "-")
    options = re.findall(r"^\s+(-[A-Za-z0-9])?,?\s*(--[a-z][a-z-]*)", help_text(name), re.M)
    missing = [short or long for short, long in options if (short or long) not in synopsis]
    assert not missing, f"{name}.8's SYNOPSIS does not name {missing}"


SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "REQUIREMENTS", "OPTIONS", "EXAMPLES", "FIELDS",
            "JSON OUTPUT", "OVERHEAD", "EXIT STATUS", "ENVIRONMENT", "FILES", "SOURCE", "OS", "STABILITY", "AUTHOR",
            "SEE ALSO"]


@pytest.mark.unprivileged
@pytest.mark.parametrize("name", TOOLS)
def test_man_page_sections(name):
    """bcc's sections in bcc's order (trace's PROBE SYNTAX may follow OPTIONS), with EXIT
    STATUS, ENVIRONMENT and FILES before SOURCE; SEE ALSO names Debian's bcc tools."""
    with open(os.path.join(ROOT, "man", "man8", f"{name}.8"), encoding="utf-8") as f:
        page = f.read()
    found = [s for s in re.findall(r"^\.SH (.*)$", page, re.M) if s != "PROBE SYNTAX"]
    assert found == SECTIONS, f"{name}.8 sections: {found}"
    see_also = page.split(".SH SEE ALSO", 1)[1]
    assert re.search(r"\b[a-z]+-bpfcc\(8\)", see_also), see_also
    assert not re.search(r"(?<![-\w])(funccount|trace|funclatency|stackcount)\(8\)", see_also), see_also
