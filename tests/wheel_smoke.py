"""Run by tests/test_wheel.py with the python of a fresh venv (no system site
packages) holding only the repaired wheel and its dependencies' wheels:
what a user of `pip install hadoofus` gets, against the live NameNode.

    python wheel_smoke.py HOST PORT DIR
"""

import ctypes
import os
import sys


def main():
    host, port, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    import hadoofus
    from hadoofus import easy

    here = os.path.dirname(os.path.abspath(hadoofus.__file__))
    assert here.startswith(os.path.realpath(sys.prefix)), (here, sys.prefix)

    nn = hadoofus.rpc(host, port)
    assert nn.mkdirs(base)
    assert nn.getFileInfo(base + "/absent") is None

    url = "hdfs://%s:%d%s/a.bin" % (host, port, base)
    data = bytes(range(256)) * 1000
    with easy.open(url, "wb") as f:
        f.write(data)
    with easy.open(url, "rb") as f:
        f.seek(1000)
        assert f.read(10) == data[1000:1010]
        assert f.pread(len(data) - 5, 5) == data[-5:]

    import fsspec
    fs = fsspec.filesystem("hdfs", host=host, port=port)
    assert type(fs).__module__ == "hadoofus.fsspec", type(fs)
    fs.pipe_file(base + "/b.txt", b"hello wheel\n")
    assert fs.cat_file(base + "/b.txt") == b"hello wheel\n"
    assert sorted(p.rsplit("/", 1)[1] for p in fs.ls(base, detail=False)) == ["a.bin", "b.txt"]

    # The libhdfs drop-in of the wheel, as a C program would load it.
    d = hadoofus.libhdfs_dir()
    assert d and d.startswith(here), d
    for name in ("libhdfs.so", "libhdfs.so.0.0.0"):
        lib = ctypes.CDLL(os.path.join(d, name))
        lib.hdfsConnect.restype = ctypes.c_void_p
        lib.hdfsConnect.argtypes = [ctypes.c_char_p, ctypes.c_uint16]
        lib.hdfsExists.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.hdfsDisconnect.argtypes = [ctypes.c_void_p]
        h = lib.hdfsConnect(host.encode(), port)
        assert h
        assert lib.hdfsExists(h, (base + "/a.bin").encode()) == 0
        assert lib.hdfsExists(h, (base + "/absent").encode()) != 0
        assert lib.hdfsDisconnect(h) == 0
    for name in ("libhadoofus.so", "libhdfs_hadoofus.so"):
        ctypes.CDLL(os.path.join(here, "lib", name))
    assert os.path.exists(os.path.join(here, "include", "hdfs", "hdfs.h"))

    # Every non-system library came from the wheel (auditwheel's copies),
    # none from the build machine's /usr/lib.
    with open("/proc/self/maps") as f:
        mapped = {line.split()[-1] for line in f if "/" in line}
    for stem in ("libprotobuf-c", "libisal"):
        paths = [p for p in mapped if os.path.basename(p).startswith(stem)]
        assert paths and all(p.startswith(os.path.dirname(here)) for p in paths), (stem, paths)
    print("wheel smoke ok")


if __name__ == "__main__":
    main()
