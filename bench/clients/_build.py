"""Build this repository's hadoofus for the benchmarks, apart from any
installed copy: meson into ``<cache>/bench-build-<hash of repo path>/``
(release build as the wheel's, no C tests), then

  - ``pystage/hadoofus/``: the package's .py files (symlinks to the work
    tree) next to the freshly built ``_native`` extension, for PYTHONPATH;
  - ``libhadoofus.so`` for the C bench programs.

Rebuilt incrementally on every run, so the numbers are those of the work
tree as it is.
"""

import glob
import hashlib
import os
import shutil
import subprocess
import sys

from common import REPO


class BuildError(RuntimeError):
    pass


def _sh(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, timeout=900, **kw)
    if r.returncode != 0:
        raise BuildError("%s failed:\n%s" % (" ".join(cmd[:3]),
                                             r.stdout.decode(errors="replace")[-3000:]))
    return r.stdout.decode(errors="replace")


def prepared(build, exe, what):
    """A client's prepare() answer: None when build() went through, else
    "could not build <what>: ..." after removing exe, so that no stale
    executable passes for a fresh one."""
    try:
        build()
    except (BuildError, OSError, subprocess.SubprocessError) as e:
        if os.path.exists(exe):
            os.unlink(exe)
        return "could not build %s: %s" % (what, str(e).strip()[-1500:])
    return None


def build_dir(params):
    if params.get("c_build"):
        return params["c_build"]
    key = hashlib.sha256(os.path.realpath(REPO).encode()).hexdigest()[:12]
    return os.path.join(params["cache_dir"], "bench-build-" + key)


def build(params, python=True):
    """meson setup (once) + compile; returns the build directory."""
    bdir = build_dir(params)
    if params.get("c_build"):
        return bdir
    if not shutil.which("meson"):
        raise BuildError("meson not found")
    if not os.path.exists(os.path.join(bdir, "build.ninja")):
        shutil.rmtree(bdir, ignore_errors=True)
        _sh(["meson", "setup", bdir, REPO, "--buildtype=release",
             "-Dpython=%s" % ("enabled" if python else "disabled"), "-Dtests=false",
             "-Dpython.install_env=auto"],
            env=dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep
                     + os.environ.get("PATH", "")))
    _sh(["meson", "compile", "-C", bdir])
    return bdir


def python_stage(params):
    """A directory for PYTHONPATH whose ``hadoofus`` is the work tree's
    package with the extension just built."""
    bdir = build(params, python=True)
    ext = glob.glob(os.path.join(bdir, "hadoofus", "_native*.so"))
    if not ext:
        raise BuildError("the build made no hadoofus/_native extension")
    stage = os.path.join(bdir, "pystage")
    pkg = os.path.join(stage, "hadoofus")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(pkg)
    src = os.path.join(REPO, "hadoofus")
    for name in os.listdir(src):
        if name.endswith(".py") or (os.path.isdir(os.path.join(src, name))
                                    and os.path.exists(os.path.join(src, name, "__init__.py"))):
            os.symlink(os.path.join(src, name), os.path.join(pkg, name))
    for so in ext:
        os.symlink(so, os.path.join(pkg, os.path.basename(so)))
    return stage
