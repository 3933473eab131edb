"""The hadoofus C core, straight from C (bench/c/nnbench.c): the ceiling
that the Python binding's numbers can be held against.

The core is built from this repository (clients/_build.py);
``bench/c/nnbench.c`` (NameNode) and ``bench/c/fileread.c`` (the file
reader: read/pread through hdfs_file_reader) are compiled against it and
linked with an rpath.  A broken or missing build skips these rows.
"""

import os

from clients import _build
from common import HERE, REPO, ChildSession, Skip

CLIENT = "hadoofus-c"
VARIANTS = {"nn": ["seq", "pipe"], "read": ["seq", "pread"], "write": ["file", "small"]}


def label(bench, variant, params):
    if bench == "write":
        if variant == "small":
            return "hadoofus C core: hdfs_file_writer create + write + close"
        return "hadoofus C core: hdfs_file_writer_write_nocopy(%d MiB)" % (
            int(params.get("chunk", 4 << 20)) >> 20)
    if bench == "read":
        if variant == "pread":
            return "hadoofus C core: %d threads of hdfs_file_reader_pread" % int(
                params.get("threads", 4))
        return "hadoofus C core: hdfs_file_reader_read"
    if variant == "pipe":
        return "hadoofus C core (%d calls in flight)" % int(params.get("window", 64))
    return "hadoofus C core (sequential)"


def build(params):
    """Build libhadoofus and bench/c/nnbench; return the program's path."""
    bdir = _build.build(params)
    lib = os.path.join(bdir, "libhadoofus.so")
    if not os.path.exists(lib):
        raise _build.BuildError("no libhadoofus.so in %s" % bdir)
    cc = os.environ.get("CC", "cc")
    pc = _build._sh(["pkg-config", "--cflags", "--libs", "libprotobuf-c"]).split()
    exe = os.path.join(bdir, "bench-nnbench")
    src = os.path.join(HERE, "c", "nnbench.c")
    _build._sh([cc, "-O2", "-std=gnu11", "-Wall", "-o", exe, src,
                "-I", os.path.join(REPO, "include"), "-L", bdir, "-lhadoofus",
                "-Wl,-rpath," + os.path.abspath(bdir)] + pc)
    if os.path.exists(os.path.join(REPO, "include", "hadoofus", "file.h")):
        _build._sh([cc, "-O2", "-std=gnu11", "-Wall", "-o", _read_exe(params),
                    os.path.join(HERE, "c", "fileread.c"),
                    "-I", os.path.join(REPO, "include"), "-L", bdir, "-lhadoofus",
                    "-lpthread", "-Wl,-rpath," + os.path.abspath(bdir)] + pc)
        _build._sh([cc, "-O2", "-std=gnu11", "-Wall", "-o", _write_exe(params),
                    os.path.join(HERE, "c", "filewrite.c"),
                    "-I", os.path.join(REPO, "include"), "-L", bdir, "-lhadoofus",
                    "-Wl,-rpath," + os.path.abspath(bdir)] + pc)
    return exe


def _write_exe(params):
    return os.path.join(_build.build_dir(params), "bench-filewrite")


def _read_exe(params):
    return os.path.join(_build.build_dir(params), "bench-fileread")


def _exe(params):
    return os.path.join(_build.build_dir(params), "bench-nnbench")


def prepare(params):
    """Build once, before the workers (which may run in parallel) start;
    returns an error message or None."""
    return _build.prepared(lambda: build(params), _exe(params), "the C core")


def session(bench, variant, params):
    if bench == "read" and variant in VARIANTS["read"]:
        exe = _read_exe(params)
        if not os.path.exists(exe):
            raise Skip("bench/c/fileread did not build (see above)")
        threads = int(params.get("threads", 4)) if variant == "pread" else 0
        return ChildSession([exe, params["host"], str(params["port"]), params["user"],
                             params["read_path"], str(int(params.get("chunk", 4 << 20))),
                             str(threads), str(params["warmup"])], params)
    if bench == "write" and variant in VARIANTS["write"]:
        exe = _write_exe(params)
        if not os.path.exists(exe):
            raise Skip("bench/c/filewrite did not build (see above)")
        return ChildSession([exe, params["host"], str(params["port"]), params["user"],
                             params["write_dir"], variant, str(params["write_size"]),
                             str(params["replication"]), str(int(params.get("chunk", 4 << 20))),
                             str(params["warmup"])], params)
    exe = _exe(params)
    if not os.path.exists(exe):
        raise Skip("the C core did not build (see above)")
    if bench != "nn" or variant not in ("seq", "pipe"):
        raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
    window = 1 if variant == "seq" else int(params.get("window", 64))
    cmd = [exe, params["host"], str(params["port"]), params["user"], params["path"],
           str(params["warmup"]), str(window), str(params.get("nn_pid") or 0)]
    return ChildSession(cmd, params)
