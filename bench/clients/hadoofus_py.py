"""hadoofus from Python (the cffi binding of the C core).

Which hadoofus: params["hadoofus"] == "tree" (the default of run.py) is
this work tree's package with its extension built by clients/_build.py;
"installed" is whatever ``import hadoofus`` finds.

Two NameNode variants on one connection:
  seq     c.getFileInfo(path) in a loop: one call in flight.
  pipe    ``window`` calls in flight (default 64) with a sliding window on
          the pipelined-call API: submit W calls, then repeatedly wait for the
          oldest and submit one more, so the connection never runs dry.
  aio     hadoofus.aio on an asyncio loop: W coroutines, each awaiting its
          share of the calls one after another (W calls in flight).
"""

import collections
import os
import sys

from clients import _build
from common import result, skipped, timed_rounds

CLIENT = "hadoofus"
VARIANTS = {"nn": ["seq", "pipe", "aio"]}


def label(bench, variant, params):
    if variant == "pipe":
        return "hadoofus (%d calls in flight)" % int(params.get("window", 64))
    if variant == "aio":
        return "hadoofus.aio (%d coroutines)" % int(params.get("window", 64))
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
            raise ImportError("the work tree's hadoofus did not build (see above)")
        sys.path.insert(0, stage)
    import hadoofus
    if not hasattr(hadoofus, "rpc"):
        raise ImportError("hadoofus at %s has no rpc() (not built?)"
                          % getattr(hadoofus, "__file__", "?"))
    return hadoofus


def _version(hadoofus):
    return getattr(hadoofus, "__version__", "?")


def _pipelined_submit(c):
    """A function submit(path) -> object with .result(), from whichever
    pipelined API this hadoofus has; None if it has none."""
    sub = getattr(c, "submit", None)
    if sub is not None:
        return lambda path: sub("getFileInfo", path)
    return None


def run(bench, variant, params):
    lab = label(bench, variant, params)
    try:
        hadoofus = _import(params)
    except ImportError as e:
        return skipped(CLIENT, variant, lab, "hadoofus not importable: %s" % e)
    c = hadoofus.rpc(params["host"], port=int(params["port"]), user=params["user"])
    path = params["path"]
    if bench != "nn":
        raise ValueError("no such bench: %s" % bench)
    if variant == "seq":
        f = c.getFileInfo

        def run_n(n):
            for _ in range(n):
                f(path)
            return n

    elif variant == "pipe":
        submit = _pipelined_submit(c)
        if submit is None:
            return skipped(CLIENT, variant, lab,
                           "this hadoofus has no pipelined-call API (rpc.submit)")
        window = int(params.get("window", 64))

        def run_n(n):
            q = collections.deque()
            push, pop = q.append, q.popleft
            k = min(window, n)
            for _ in range(k):
                push(submit(path))
            for _ in range(n - k):
                pop().result()
                push(submit(path))
            while q:
                pop().result()
            return n

    elif variant == "aio":
        return _run_aio(hadoofus, c, lab, params)
    else:
        raise ValueError("no such variant: %s" % variant)
    st = c.getFileInfo(path)
    if st is None:
        raise SystemExit("%s does not exist" % path)
    rounds = timed_rounds(run_n, params)
    info = {"version": _version(hadoofus), "from": os.path.dirname(hadoofus.__file__)}
    calls_made = getattr(c, "num_calls", None)
    if calls_made is not None:
        info["num_calls"] = calls_made() if callable(calls_made) else calls_made
    close = getattr(c, "close", None)
    if close:
        close()
    return result(CLIENT, variant, lab, rounds, **info)


def _run_aio(hadoofus, sync_client, lab, params):
    import asyncio
    sync_client.close()
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
        return n

    if loop.run_until_complete(c.getFileInfo(path)) is None:
        raise SystemExit("%s does not exist" % path)
    rounds = timed_rounds(run_n, params)
    loop.run_until_complete(c.aclose())
    loop.close()
    return result(CLIENT, "aio", lab, rounds, version=_version(hadoofus))
