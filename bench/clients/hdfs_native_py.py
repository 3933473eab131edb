"""hdfs-native (PyPI): a Rust HDFS client with Python bindings.

Read variants: seq = FileReader.read_range_stream(0, size) (its documented
most efficient way to read a file); pread = ``threads`` threads sharing the
reader, each read_range() over its 1/threads of the file in ``chunk``
pieces.

Write variants: file = Client.create(path, WriteOptions(overwrite,
replication)) then write() ``chunk``-byte bytes until ``write_size``, close;
small = the same for a new ``write_size``-byte file per op.
"""

from common import LoopSession, Skip, parallel_read

CLIENT = "hdfs-native"
VARIANTS = {"nn": ["seq"], "read": ["seq", "pread"], "write": ["file", "small"]}


def label(bench, variant, params):
    if bench == "write":
        if variant == "small":
            return "hdfs-native %s: create + write + close" % _version()
        return "hdfs-native %s: write(%d MiB)" % (_version(),
                                                 int(params.get("chunk", 4 << 20)) >> 20)
    if bench == "read":
        if variant == "pread":
            return "hdfs-native %s: %d threads of read_range" % (
                _version(), int(params.get("threads", 4)))
        return "hdfs-native %s: read_range_stream" % _version()
    return "hdfs-native %s (sequential)" % _version()


def _version():
    try:
        from importlib.metadata import version
        return version("hdfs-native")
    except Exception:
        return "?"


def session(bench, variant, params):
    try:
        from hdfs_native import Client
    except ImportError as e:
        raise Skip("hdfs-native not importable (%s); pip install hdfs-native" % e)
    if bench == "read" and variant in VARIANTS["read"]:
        return _read_session(Client, variant, params)
    if bench == "write" and variant in VARIANTS["write"]:
        return _write_session(Client, variant, params)
    if (bench, variant) != ("nn", "seq"):
        raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
    client = Client(params["url"])
    path = params["path"]
    f = client.get_file_info
    if f(path).isdir:
        raise SystemExit("%s is a directory" % path)

    def run_n(n):
        for _ in range(n):
            f(path)

    return LoopSession(run_n, params, info={"version": _version()})


def _read_session(Client, variant, params):
    client = Client(params["url"])
    path = params["read_path"]
    f = client.read(path)
    size = len(f)
    chunk = int(params.get("chunk", 4 << 20))

    if variant == "seq":
        def run_n(n):
            for _ in range(n):
                total = 0
                for b in f.read_range_stream(0, size):
                    total += len(b)
                if total != size:
                    raise RuntimeError("read %d of %d bytes" % (total, size))
    else:
        def read_at(i, off, want):
            return len(f.read_range(off, want))

        run_n = parallel_read(size, int(params.get("threads", 4)), chunk, read_at,
                              "read_range")

    return LoopSession(run_n, params, info={"version": _version()})


def _write_session(Client, variant, params):
    import random
    from hdfs_native import WriteOptions
    client = Client(params["url"])
    d, size = params["write_dir"], int(params["write_size"])
    chunk = max(1, min(int(params.get("chunk", 4 << 20)), size))
    buf = random.Random(1).randbytes(chunk)
    opts = WriteOptions(overwrite=True, create_parent=True,
                        replication=int(params["replication"]), block_size=128 << 20)
    seq = [0]

    def one():
        if variant == "small":
            path = "%s/s%d" % (d, seq[0])
            seq[0] += 1
        else:
            path = d + "/file"
        w = client.create(path, opts)
        left = size
        while left:
            k = min(left, chunk)
            w.write(buf if k == chunk else buf[:k])
            left -= k
        w.close()

    def run_n(n):
        for _ in range(n):
            one()

    def close():
        client.delete(d, True)

    return LoopSession(run_n, params, info={"version": _version()}, close=close)
