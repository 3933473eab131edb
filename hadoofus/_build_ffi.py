"""Emit the C source of the cffi extension module hadoofus._native.

Run by meson at build time: `python _build_ffi.py OUTPUT.c`. The cdef is
hand-written, one file per concept under _cdef/, in dependency order.
"""
import os
import sys

# Run as a script, this file's folder heads sys.path, and the package's own
# modules (types.py) would shadow the standard library's.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]

import cffi  # noqa: E402

CDEFS = ["error.h", "pb.h", "credentials.h", "namenode.h", "crc.h", "datanode.h", "conf.h",
         "file.h", "rpc_v1.h", "auth_to_local.h"]


def build_ffi():
    ffi = cffi.FFI()
    for name in CDEFS:
        with open(os.path.join(HERE, "_cdef", name)) as f:
            ffi.cdef(f.read())
    ffi.set_source("hadoofus._native", "#include <hadoofus/hadoofus.h>\n")
    return ffi


if __name__ == "__main__":
    build_ffi().emit_c_code(sys.argv[1])
