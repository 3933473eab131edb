"""The C test programs of tests/c/, run as part of the pytest suite.

Every tests/c/test_*.c is one program:
  - test_*_live.c programs need a NameNode and are run as `PROG HOST PORT`
    against the session's real minicluster (the `nn` fixture);
  - the others are unit tests, declared with meson's test() in
    tests/c/meson.build, and run with the command and environment meson
    records for them. A program in neither group is reported as a failure,
    so a new test file cannot be silently left out.

Build directories: $HADOOFUS_C_BUILD_DIRS (os.pathsep-separated, e.g.
"build/c:build/asan" as ./dev.sh sets it) or else <repo>/build/c. Each is
brought up to date with `meson compile` before its programs run (and set
up with -Dpython=disabled first when it does not exist yet), so plain
`pytest` works on a fresh checkout and never runs stale binaries.
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import threading

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
C_DIR = os.path.join(HERE, "c")

# Sanitizer reports must fail the run: UBSan only prints by default.
SANITIZER_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1:halt_on_error=1",
    "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1",
}


def _build_dirs():
    env = os.environ.get("HADOOFUS_C_BUILD_DIRS")
    dirs = [d for d in env.split(os.pathsep) if d] if env else [os.path.join("build", "c")]
    return [os.path.abspath(os.path.join(ROOT, d)) for d in dirs]


def _plain_build_dir():
    """A build directory of _build_dirs() without sanitizers, for what loads
    the library into an uninstrumented process (Python, LD_PRELOAD): an
    ASan library must come first in the process."""
    for d in _build_dirs():
        opts = os.path.join(d, "meson-info", "intro-buildoptions.json")
        try:
            with open(opts) as f:
                sanitize = {o["name"]: o["value"] for o in json.load(f)}.get("b_sanitize", "none")
        except OSError:
            sanitize = "none"  # not set up yet: _build sets it up plain
        # "none" (older meson) or [] (newer).
        if sanitize in ("none", "", None, []):
            return d
    pytest.skip("no build directory without sanitizers")


def _programs():
    return sorted(os.path.basename(p)[:-2] for p in glob.glob(os.path.join(C_DIR, "test_*.c")))


def _meson():
    try:
        import mesonbuild  # noqa: F401
        return [sys.executable, "-m", "mesonbuild.mesonmain"]
    except ImportError:
        exe = shutil.which("meson")
        if exe is None:
            pytest.fail("meson is not installed (./dev.sh setup installs it)")
        return [exe]


def _run_checked(cmd, what, timeout=1200):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout)
    if r.returncode != 0:
        pytest.fail("%s failed (exit %d):\n%s" % (what, r.returncode,
                                                  r.stdout.decode(errors="replace")[-6000:]))
    return r.stdout.decode(errors="replace")


class _Build:
    """One meson build directory: compiled once per session, then
    introspected for its tests and executables."""

    def __init__(self, path):
        self.path = path
        self.error = None
        self.tests = {}        # name -> meson's test record
        self.executables = {}  # name -> path

    def prepare(self):
        meson = _meson()
        if not os.path.exists(os.path.join(self.path, "meson-private", "coredata.dat")):
            _run_checked(meson + ["setup", self.path, ROOT, "-Dpython=disabled"],
                         "meson setup %s" % self.path)
        _run_checked(meson + ["compile", "-C", self.path], "meson compile -C %s" % self.path)
        tests = json.loads(_run_checked(meson + ["introspect", "--tests", self.path],
                                        "meson introspect --tests"))
        self.tests = {t["name"]: t for t in tests}
        targets = json.loads(_run_checked(meson + ["introspect", "--targets", self.path],
                                          "meson introspect --targets"))
        for t in targets:
            if t["type"] == "executable" and t.get("filename"):
                self.executables[t["name"]] = t["filename"][0]


_builds = {}
_builds_lock = threading.Lock()


def _build(path):
    with _builds_lock:
        b = _builds.get(path)
        if b is None:
            b = _builds[path] = _Build(path)
            try:
                b.prepare()
            except BaseException as e:  # pytest.fail is a BaseException
                b.error = str(e)
        if b.error:
            pytest.fail("C build in %s unusable: %s" % (path, b.error))
        return b


def _env(extra=None):
    env = dict(os.environ)
    for k, v in SANITIZER_ENV.items():
        env.setdefault(k, v)
    env.update(extra or {})
    return env


def _report(name, r):
    out = r.stdout.decode(errors="replace")
    if r.returncode != 0:
        pytest.fail("%s exited with %d:\n%s" % (name, r.returncode, out[-8000:]),
                    pytrace=False)
    # The program's own tally, shown with -v/-rA.
    last = [ln for ln in out.splitlines() if "passed" in ln]
    if last:
        print(last[-1])


def _params():
    out = []
    for d in _build_dirs():
        for prog in _programs():
            out.append(pytest.param(d, prog, id="%s-%s" % (os.path.basename(d), prog)))
    return out


@pytest.mark.parametrize("build_dir,prog", _params())
def test_c_program(build_dir, prog, request):
    b = _build(build_dir)
    if prog.endswith("_live"):
        exe = b.executables.get(prog)
        if exe is None:
            pytest.fail("tests/c/%s.c is not built by tests/c/meson.build" % prog)
        host, port = request.getfixturevalue("nn")
        r = subprocess.run([exe, host, str(port)], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=_env(), timeout=600)
        _report(prog, r)
        return
    t = b.tests.get(prog)
    if t is None:
        pytest.fail("tests/c/%s.c is not declared with test() in tests/c/meson.build "
                    "(nor named *_live.c for a program that needs a NameNode)" % prog)
    r = subprocess.run(t["cmd"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=_env(t.get("env")),
                       cwd=t.get("workdir") or b.path,
                       timeout=max(60, t.get("timeout") or 0) * 2)
    _report(prog, r)
