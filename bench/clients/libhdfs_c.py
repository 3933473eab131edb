"""libhdfs_hadoofus.so from C: bench/c/libhdfsread.c, a program written
against Apache's hdfs.h only, built with ``-lhdfs`` against the
``libhdfs.so`` alias of this work tree's build (the name a program linked
with Apache's libhdfs asks for).

Read variants: "seq" = hdfsSeek(0) + hdfsRead() to the end in ``chunk``
pieces; "pread" = ``threads`` threads sharing one hdfsFile, each its 1/T
of the file with hdfsPread(). The issue's bar: at least 95% of the
Python/core streaming rate measured in the same run (printed by run.py
under the read table).
"""

import os

from clients import _build
from common import HERE, REPO, ChildSession, Skip

CLIENT = "libhdfs"
VARIANTS = {"read": ["seq", "pread"]}


def label(bench, variant, params):
    if variant == "pread":
        return "libhdfs_hadoofus.so: %d threads of hdfsPread" % int(params.get("threads", 4))
    return "libhdfs_hadoofus.so: hdfsRead"


def _exe(params):
    return os.path.join(_build.build_dir(params), "bench-libhdfsread")


def _build_exe(params):
    bdir = _build.build(params)
    libdir = os.path.join(bdir, "libhdfs_compat", "libhdfs")
    if not os.path.exists(os.path.join(libdir, "libhdfs.so")):
        raise _build.BuildError("no libhdfs_compat/libhdfs/libhdfs.so in %s" % bdir)
    cc = os.environ.get("CC", "cc")
    _build._sh([cc, "-O2", "-std=gnu11", "-Wall", "-o", _exe(params),
                os.path.join(HERE, "c", "libhdfsread.c"),
                "-I", os.path.join(REPO, "include", "hdfs"), "-L", libdir, "-lhdfs",
                "-lpthread", "-Wl,-rpath," + os.path.abspath(libdir)])


def prepare(params):
    return _build.prepared(lambda: _build_exe(params), _exe(params), "bench/c/libhdfsread")


def session(bench, variant, params):
    if bench != "read" or variant not in VARIANTS["read"]:
        raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
    exe = _exe(params)
    if not os.path.exists(exe):
        raise Skip("bench/c/libhdfsread did not build (see above)")
    threads = int(params.get("threads", 4)) if variant == "pread" else 0
    return ChildSession([exe, params["host"], str(params["port"]), params["user"],
                         params["read_path"], str(int(params.get("chunk", 4 << 20))),
                         str(threads), str(params["warmup"])], params)
