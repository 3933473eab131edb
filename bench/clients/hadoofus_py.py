"""hadoofus from Python (the cffi binding of the C core).

Which hadoofus: params["hadoofus"] == "tree" (run.py's default) is this work
tree's package with its extension built by clients/_build.py; "installed"
is whatever ``import hadoofus`` finds.

NameNode variants:
  seq     c.getFileInfo(path) in a loop: one call in flight.
  pipe    ``window`` calls in flight (default 64) on one connection with a
          sliding window on rpc.submit(): submit W calls, then repeatedly
          wait for the oldest and submit one more, so the connection never
          runs dry.
  aio     hadoofus.aio on an asyncio loop: W coroutines, each awaiting its
          share of the calls one after another (W calls in flight).
  batch   ``with c.pipeline()`` blocks of ``batch`` calls (default 200):
          submitted back to back, then every result waited for; on a
          SASL-wrapped connection a block's calls share one wrapped write.

Read variants (the "read" bench: whole-file reads of params["read_path"]):
  seq     hadoofus.easy.open(url, "rb"), then readinto() one reused
          ``chunk``-byte bytearray from offset 0 to the end.
  pread   ``threads`` threads share that file object, each reading its
          1/threads of the file with preadinto() in ``chunk`` pieces.

Write variants (the "write" bench):
  file    hadoofus.easy.open(url, "wb", replication=...), write() one
          ``chunk``-byte bytes object until ``write_size``, close().
  small   the same for a new ``write_size``-byte file per op.
"""

import collections
import os
import sys

from clients import _build
from common import LoopSession, Skip, parallel_read

CLIENT = "hadoofus"
VARIANTS = {"nn": ["seq", "pipe", "aio", "batch"], "read": ["seq", "pread"],
            "write": ["file", "small"]}


def label(bench, variant, params):
    if bench == "write":
        if variant == "small":
            return "hadoofus easy.open(\"wb\"): create + write + close"
        return "hadoofus easy.open(\"wb\"): write(%d MiB)" % (
            int(params.get("chunk", 4 << 20)) >> 20)
    if bench == "read":
        if variant == "pread":
            return "hadoofus easy.open: %d threads of preadinto" % int(params.get("threads", 4))
        return "hadoofus easy.open: readinto"
    w = int(params.get("window", 64))
    if variant == "pipe":
        return "hadoofus (%d calls in flight)" % w
    if variant == "aio":
        return "hadoofus.aio (%d coroutines)" % w
    if variant == "batch":
        return "hadoofus (nn.pipeline() of %d calls)" % int(params.get("batch", 200))
    return "hadoofus (sequential)"


def prepare(params):
    """Build the work tree's package once, before the workers start;
    returns an error message or None."""
    if params.get("hadoofus", "tree") != "tree":
        return None
    try:
        _build.python_stage(params)
    except (_build.BuildError, OSError) as e:
        return "could not build hadoofus from this work tree: %s" % str(e).strip()[-1500:]
    return None


def _import(params):
    if params.get("hadoofus", "tree") == "tree":
        stage = os.path.join(_build.build_dir(params), "pystage")
        if not os.path.isdir(os.path.join(stage, "hadoofus")):
            raise Skip("the work tree's hadoofus did not build (see above)")
        sys.path.insert(0, stage)
    try:
        import hadoofus
        hadoofus.rpc  # noqa: B018
    except (ImportError, AttributeError) as e:
        raise Skip("hadoofus not importable: %s" % e)
    return hadoofus


def session(bench, variant, params):
    hadoofus = _import(params)
    if bench == "read" and variant in VARIANTS["read"]:
        return _read_session(hadoofus, variant, params)
    if bench == "write" and variant in VARIANTS["write"]:
        return _write_session(hadoofus, variant, params)
    if bench != "nn" or variant not in VARIANTS["nn"]:
        raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
    info = {"version": getattr(hadoofus, "__version__", "?"),
            "from": os.path.dirname(hadoofus.__file__)}
    if variant == "aio":
        return _aio_session(hadoofus, params, info)
    c = hadoofus.rpc(params["host"], port=int(params["port"]), user=params["user"])
    path = params["path"]
    if c.getFileInfo(path) is None:
        raise SystemExit("%s does not exist" % path)

    if variant == "seq":
        f = c.getFileInfo

        def run_n(n):
            for _ in range(n):
                f(path)

    elif variant == "batch":
        if not hasattr(c, "pipeline"):
            raise Skip("this hadoofus has no rpc.pipeline()")
        batch = int(params.get("batch", 200))

        def run_n(n):
            while n > 0:
                k = min(batch, n)
                with c.pipeline() as p:
                    for _ in range(k):
                        p.getFileInfo(path)
                for f in p.futures:
                    f.result()
                n -= k

    else:
        if not hasattr(c, "submit"):
            raise Skip("this hadoofus has no pipelined-call API (rpc.submit)")
        sub = c.submit
        window = int(params.get("window", 64))

        def run_n(n):
            q = collections.deque()
            push, pop = q.append, q.popleft
            k = min(window, n)
            for _ in range(k):
                push(sub("getFileInfo", path))
            for _ in range(n - k):
                pop().result()
                push(sub("getFileInfo", path))
            while q:
                pop().result()

    def close():
        info["num_calls"] = c.num_calls
        info["num_connects"] = c.num_connects
        c.close()

    return LoopSession(run_n, params, info=info, close=close)


def _aio_session(hadoofus, params, info):
    import asyncio
    path = params["path"]
    window = int(params.get("window", 64))
    loop = asyncio.new_event_loop()
    c = hadoofus.aio.rpc(params["host"], port=int(params["port"]), user=params["user"])

    async def worker(k):
        f = c.getFileInfo
        for _ in range(k):
            await f(path)

    async def all_of(n):
        share = [n // window + (1 if i < n % window else 0) for i in range(window)]
        await asyncio.gather(*(worker(k) for k in share if k))

    def run_n(n):
        loop.run_until_complete(all_of(n))

    if loop.run_until_complete(c.getFileInfo(path)) is None:
        raise SystemExit("%s does not exist" % path)

    def close():
        info["num_calls"] = c.num_calls
        loop.run_until_complete(c.aclose())
        loop.close()

    return LoopSession(run_n, params, info=info, close=close)


def _read_session(hadoofus, variant, params):
    info = {"version": getattr(hadoofus, "__version__", "?"),
            "from": os.path.dirname(hadoofus.__file__)}
    if not hasattr(hadoofus, "easy"):
        raise Skip("this hadoofus has no easy.open")
    url = "hdfs://%s:%d%s" % (params["host"], int(params["port"]), params["read_path"])
    f = hadoofus.easy.open(url, "rb", user=params["user"])
    size = f.length
    chunk = int(params.get("chunk", 4 << 20))

    if variant == "seq":
        buf = bytearray(chunk)
        readinto = f.readinto

        def run_n(n):
            for _ in range(n):
                f.seek(0)
                total = 0
                while True:
                    k = readinto(buf)
                    if not k:
                        break
                    total += k
                if total != size:
                    raise RuntimeError("read %d of %d bytes" % (total, size))

    else:
        nthreads = int(params.get("threads", 4))
        bufs = [bytearray(chunk) for _ in range(nthreads)]
        mvs = [memoryview(b) for b in bufs]
        preadinto = f.preadinto

        def read_at(i, off, want):
            return preadinto(off, mvs[i][:want] if want < chunk else bufs[i])

        run_n = parallel_read(size, nthreads, chunk, read_at, "pread")

    def close():
        info.update(f.stats)
        f.close()

    return LoopSession(run_n, params, info=info, close=close)


def _write_session(hadoofus, variant, params):
    import random
    try:
        from hadoofus import easy
        from hadoofus import _writer  # noqa: F401  (the write side exists)
    except ImportError:
        raise Skip("this hadoofus has no writer (hadoofus._writer)")
    info = {"version": getattr(hadoofus, "__version__", "?"),
            "from": os.path.dirname(hadoofus.__file__)}
    host, port, user = params["host"], int(params["port"]), params["user"]
    d, size = params["write_dir"], int(params["write_size"])
    repl = int(params["replication"])
    chunk = max(1, min(int(params.get("chunk", 4 << 20)), size))
    buf = random.Random(1).randbytes(chunk)
    base = "hdfs://%s:%d%s" % (host, port, d)
    seq = [0]

    def one():
        if variant == "small":
            name = "/s%d" % seq[0]
            seq[0] += 1
        else:
            name = "/file"
        with easy.open(base + name, "wb", user=user, replication=repl,
                       blocksize=128 << 20) as f:
            left = size
            while left:
                k = min(left, chunk)
                f.write(buf if k == chunk else buf[:k])
                left -= k

    def run_n(n):
        for _ in range(n):
            one()

    def close():
        easy.filesystem(host, port, user).delete(d, recursive=True)

    return LoopSession(run_n, params, info=info, close=close)
