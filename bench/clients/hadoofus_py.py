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
"""

import collections
import os
import sys

from clients import _build
from common import LoopSession, Skip

CLIENT = "hadoofus"
VARIANTS = {"nn": ["seq", "pipe", "aio"]}


def label(bench, variant, params):
    w = int(params.get("window", 64))
    if variant == "pipe":
        return "hadoofus (%d calls in flight)" % w
    if variant == "aio":
        return "hadoofus.aio (%d coroutines)" % w
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
