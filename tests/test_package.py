"""The Debian package: it builds from the source tree, lintian finds no error in it, and the tools
run from a scratch root it is unpacked into (dpkg -x), including one real trace. Also `make
install`/`uninstall` under DESTDIR, and the man pages are mandoc-lint clean.
"""

import glob
import os
import re
import shutil
import signal
import subprocess

import pytest

from conftest import MAKE_SANITIZE, ROOT, SANITIZER_BUILD, GoProgram, assert_counts, parse_funccount

TOOLS = re.search(r"^TOOLS :=(.*)$", open(os.path.join(ROOT, "Makefile")).read(), re.M).group(1).split()


def source_files():
    """The files of the source tree as git knows them (a clean clone's files)."""
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [f for f in out.decode().split("\0") if f and os.path.exists(os.path.join(ROOT, f))]


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    """Build the binary package from a copy of the tree, as a packager would; return the .deb."""
    if SANITIZER_BUILD:
        # dpkg-buildpackage builds its own tools from the sources, never this build's: the
        # sanitizer run would rebuild and test the very package the normal run did (4 minutes)
        pytest.skip("the package builds its own tools: tested in the normal build's run")
    for command in ("dpkg-buildpackage", "dh", "lintian", "fakeroot"):
        assert shutil.which(command), f"{command} is not installed (scripts/setup.sh installs it)"
    top = tmp_path_factory.mktemp("pkg")
    src = top / "gotools"
    for f in source_files():
        os.makedirs(src / os.path.dirname(f), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), src / f, follow_symlinks=False)
    # as a packager's build runs: not root, whatever the test runner is
    build = subprocess.run(["dpkg-buildpackage", "-us", "-uc", "-b", "-rfakeroot"], cwd=src,
                           capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, f"dpkg-buildpackage failed:\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}"
    debs = [d for d in glob.glob(str(top / "gotools_*_amd64.deb"))]
    assert len(debs) == 1, f"expected one gotools .deb in {top}, found {os.listdir(top)}"
    changes = glob.glob(str(top / "gotools_*_amd64.changes"))
    return debs[0], changes[0]


@pytest.fixture(scope="module")
def unpacked(package, tmp_path_factory):
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", package[0], str(root)], check=True)
    return root


def test_lintian_finds_no_error(package):
    """lintian reports no error and no warning (the hardening flags of dpkg-buildflags reach the
    binaries: no hardening-no-* tag either, which lintian reports at the info level)."""
    run = subprocess.run(["lintian", "-I", "--tag-display-limit", "0", package[1]], capture_output=True,
                         text=True)
    bad = [line for line in run.stdout.splitlines()
           if line.startswith(("E:", "W:")) or "hardening-no-" in line]
    assert not bad, "lintian:\n" + run.stdout


def test_package_contents(package, unpacked):
    """The tools in /usr/sbin, man pages in section 8, examples and bash completion; Depends
    names libbcc's package, which the tools load at run time and shlibdeps cannot see."""
    for t in TOOLS:
        assert os.access(unpacked / "usr/sbin" / t, os.X_OK), f"/usr/sbin/{t} missing"
        assert (unpacked / "usr/share/man/man8" / f"{t}.8.gz").exists(), f"{t}.8 missing"
        assert (unpacked / "usr/share/doc/gotools/examples" / f"{t}_example.txt").exists()
        assert (unpacked / "usr/share/bash-completion/completions" / t).exists()
    assert not (unpacked / "usr/sbin/gofuncs").exists()
    info = subprocess.run(["dpkg-deb", "-f", package[0], "Depends"], capture_output=True, text=True, check=True)
    depends = info.stdout
    for dep in ("libbpfcc", "libelf1", "libdw1", "libcapstone", "libmicrohttpd12"):
        assert dep in depends, f"Depends lacks {dep}: {depends}"


@pytest.mark.parametrize("t", TOOLS)
def test_packaged_tool_help(unpacked, t):
    run = subprocess.run([str(unpacked / "usr/sbin" / t), "--help"], capture_output=True, text=True, timeout=10)
    assert run.returncode == 0, run.stderr
    assert f"USAGE: {t} [-h]" in run.stdout, run.stdout[:200]


def test_packaged_tool_traces(built, unpacked):
    """The installed gofunccount counts a program's calls exactly."""
    with GoProgram(built.path("go126")) as prog:
        tool = subprocess.Popen([str(unpacked / "usr/sbin/gofunccount"), "-p", str(prog.pid), "main.*"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        banner = tool.stdout.readline()
        assert banner.startswith("Tracing "), banner + tool.stderr.read()
        prog.go()
        report = prog.result()
        tool.send_signal(signal.SIGINT)
        out, err = tool.communicate(timeout=30)
        prog.stop()
    assert tool.returncode == 0, err
    assert_counts(parse_funccount(banner + out), report, out)


def test_make_install_and_uninstall(tmp_path):
    """make install honours DESTDIR and PREFIX and installs no test helper; uninstall removes
    everything it installed."""
    dest = tmp_path / "dest"
    env = dict(os.environ, MAKEFLAGS="")
    subprocess.run(["make", "-s", "install", MAKE_SANITIZE, f"DESTDIR={dest}", "PREFIX=/opt/gt"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    files = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file() or p.is_symlink())
    for t in TOOLS:
        assert f"opt/gt/sbin/{t}" in files
        assert f"opt/gt/share/man/man8/{t}.8" in files
    assert not any(os.path.basename(f) == "gofuncs" for f in files), files  # the test helper
    subprocess.run(["make", "-s", "uninstall", MAKE_SANITIZE, f"DESTDIR={dest}", "PREFIX=/opt/gt"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    left = [str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file() or p.is_symlink()]
    assert not left, f"uninstall left {left}"


def test_man_pages_lint_clean():
    """mandoc -Tlint finds nothing to say about any man page (style and errors alike)."""
    pages = sorted(glob.glob(os.path.join(ROOT, "man/man8/*.8")))
    assert pages
    run = subprocess.run(["mandoc", "-Tlint", "-W", "style", *pages], capture_output=True, text=True)
    assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr


def test_man_pages_render_cleanly():
    """As man(1) renders them on Debian (groff with tbl): no line over 80 columns at MANWIDTH=80,
    and no warning at the width lintian checks with (a table cell too long for a page is one)."""
    for page in sorted(glob.glob(os.path.join(ROOT, "man/man8/*.8"))):
        name = os.path.basename(page)
        for width in (80, 120):
            env = {"PATH": os.environ["PATH"], "LC_ALL": "C.UTF-8", "MANROFFSEQ": "", "MANWIDTH": str(width)}
            run = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page], env=env,
                                 capture_output=True, text=True)
            assert run.returncode == 0 and not run.stderr.strip(), f"{name} at {width} columns:\n{run.stderr}"
        run = subprocess.run(["man", "-l", page], env=dict(env, MANWIDTH="80", MANPAGER="cat", PAGER="cat"),
                             capture_output=True, text=True)
        text = re.sub(r".\x08", "", run.stdout)
        long = [line for line in text.splitlines() if len(line) > 80]
        assert not long, f"{name}: lines over 80 columns:\n" + "\n".join(long)


def complete(words):
    """What bash completion offers for the command line `words` (the last word being typed)."""
    script = f"""
source /usr/share/bash-completion/bash_completion
source {os.path.join(ROOT, 'completion', 'gotools')}
PATH={os.path.join(ROOT, 'tools')}:$PATH
COMP_WORDS=({' '.join(repr(w) for w in words)})
COMP_CWORD={len(words) - 1}
COMP_LINE={' '.join(words)!r}
COMP_POINT=${{#COMP_LINE}}
_gotools {words[0]} {words[-1]!r} {words[-2]!r}
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    run = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=20)
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


@pytest.mark.unprivileged
def test_bash_completion():
    """Options come from the tool's own --help; -p completes process ids."""
    assert complete(["gofunccount", "--du"]) == ["--duration"]
    assert "--max-events" in complete(["gotrace", "--m"])
    assert "--pprof" in complete(["gostack", "--pp"])
    assert str(os.getpid()) in complete(["gofunclatency", "-p", str(os.getpid())[:-1]])
    # gofuncslower's -m takes a threshold, where gofunclatency's is a unit before PATTERN
    assert "--min-us" in complete(["gofuncslower", "--min"])
    assert complete(["gofuncslower", "-m", ""]) == []


def test_package_names_every_tool():
    """The package's Description and its newest changelog entry name every tool the package
    ships (the Makefile's TOOLS), each as a word of its own."""
    control = open(os.path.join(ROOT, "debian", "control")).read()
    description = control[control.index("\nDescription:"):]
    changelog = open(os.path.join(ROOT, "debian", "changelog")).read()
    newest = changelog[:changelog.index("\n -- ")]
    for text in (description, newest):
        missing = [t for t in TOOLS if not re.search(r"\b%s\b" % t, text)]
        assert not missing, f"not named: {missing} in\n{text}"
