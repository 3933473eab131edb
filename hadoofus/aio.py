"""hadoofus.aio: the NameNode client for asyncio.

    async with hadoofus.aio.rpc("namenode", 8020) as nn:
        st = await nn.getFileInfo("/x")
        sts = await asyncio.gather(*(nn.getFileInfo(p) for p in paths))

The same methods as hadoofus.rpc, as coroutines, driven by the C event-loop
API: the connection's socket is watched with loop.add_reader/add_writer and
hdfs_namenode_process() runs when it is ready; completed calls resolve
their asyncio futures. One client belongs to one event loop (the first it
is used on). It has its own connection: the C API does not mix blocking
waits and event-loop driving on one handle.

The loop never blocks on the network: connecting (the first call, or after
a lost connection) runs in the loop's default executor while calls queue.
As with hadoofus.rpc, calls of @Idempotent/@AtMostOnce methods cut off by
a lost connection (a NameNode restart) are resent on the new connection
with the same call id, and RetriableException answers are retried after a
backoff.
"""

import asyncio
import select

from . import _namenode as _rpc
from ._native import ffi, lib
from .errors import HadoofusError, HandleClosedError, _check

__all__ = ["rpc"]


class _Pending:
    __slots__ = ("handle", "fut", "call")

    def __init__(self, handle, fut, call):
        self.handle = handle
        self.fut = fut
        self.call = call


class rpc(_rpc._Client):
    """An asyncio NameNode client (see hadoofus.rpc for the methods)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._loop = None
        self._inflight = {}     # call address -> _Pending (until taken from C)
        self._wfd = -1
        self._wgen = -1
        self._reading = False
        self._writing = False
        self._take = ffi.new("struct hdfs_nn_call **")
        self._resend_task = None
        self._blocking = None   # executor future while a thread uses the handle

    # --- event-loop plumbing ---

    def _bind_loop(self):
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
        elif self._loop is not loop:
            raise RuntimeError("this hadoofus.aio.rpc belongs to another event loop")
        return loop

    def _unwatch(self):
        if self._wfd >= 0 and self._loop is not None:
            if self._reading:
                self._loop.remove_reader(self._wfd)
            if self._writing:
                self._loop.remove_writer(self._wfd)
        self._reading = self._writing = False
        self._wfd = -1

    def _watch(self):
        """Make the loop watch what the C side wants now. A reconnect may
        reuse the fd number, so the connection count names the socket."""
        nn = self._nn
        fd = lib.hdfs_namenode_fd(nn)
        gen = lib.hdfs_namenode_num_connects(nn)
        if fd != self._wfd or gen != self._wgen:
            self._unwatch()
            self._wfd, self._wgen = fd, gen
        if fd < 0:
            return
        ev = lib.hdfs_namenode_events(nn)
        want_r = bool(ev & select.POLLIN)
        want_w = bool(ev & select.POLLOUT)
        loop = self._loop
        if want_r != self._reading:
            if want_r:
                loop.add_reader(fd, self._on_ready, select.POLLIN)
            else:
                loop.remove_reader(fd)
            self._reading = want_r
        if want_w != self._writing:
            if want_w:
                loop.add_writer(fd, self._on_ready, select.POLLOUT)
            else:
                loop.remove_writer(fd)
            self._writing = want_w

    def _on_ready(self, revents):
        lib.hdfs_namenode_process(self._nn, revents)
        self._after_io()

    def _after_io(self):
        self._drain()
        if not self._closed:
            self._watch()
            self._kick_resend()

    # Calls waiting to be (re)sent: queued while unconnected, cut off by a
    # lost connection, or answered with RetriableException.
    def _kick_resend(self):
        if self._resend_task is None and lib.hdfs_namenode_next_resend_ms(self._nn) >= 0:
            self._resend_task = self._loop.create_task(self._resend())

    async def _resend(self):
        nn = self._nn
        try:
            while not self._closed:
                ms = lib.hdfs_namenode_next_resend_ms(nn)
                if ms < 0:
                    return
                if ms > 0:
                    await asyncio.sleep(ms / 1000.0)
                    continue
                if lib.hdfs_namenode_resend_nb(nn, 0) == lib.HDFS_EAGAIN:
                    # No connection: connect in a thread (failures
                    # complete the waiting calls).
                    await self._off_loop(lib.hdfs_namenode_resend_nb, nn, 1)
                if self._closed:
                    return
                self._drain()
                self._watch()
        finally:
            self._resend_task = None

    def _unblock(self, fut):
        if self._blocking is fut:
            self._blocking = None

    async def _off_loop(self, fn, *args):
        """A blocking C call in the loop's executor; until it returns the
        loop leaves the handle alone (submits wait for it)."""
        fut = self._loop.run_in_executor(None, fn, *args)
        self._blocking = fut
        fut.add_done_callback(self._unblock)
        return await asyncio.shield(fut)

    async def _unblocked(self):
        while self._blocking is not None:
            b = self._blocking
            if b.done():
                # Its done callback (_unblock) may still be queued: awaiting
                # a done future does not yield, so this would spin for ever.
                self._unblock(b)
                continue
            try:
                await asyncio.shield(b)
            except Exception:  # noqa: BLE001  (its owner reports it)
                pass

    def _drain(self):
        p = self._take
        while lib.hdfs_namenode_take_completed(self._nn, p) == 0:
            addr = int(ffi.cast("uintptr_t", p[0]))
            pend = self._inflight.pop(addr, None)
            if pend is not None and not pend.fut.done():
                pend.fut.set_result(None)

    async def _aroundtrip(self, method, request):
        m, data = self._prepare(method, request)
        loop = self._bind_loop()
        if self._closed:
            raise HandleClosedError("the client is closed")
        await self._unblocked()
        if self._closed:
            raise HandleClosedError("the client is closed")
        fut = loop.create_future()
        handle = ffi.new_handle(fut)
        p = ffi.new("struct hdfs_nn_call **")
        rc = lib.hdfs_namenode_submit_nb(self._nn, m.cname,
                                         ffi.from_buffer("uint8_t[]", data),
                                         len(data), handle, p)
        call = p[0]
        if call != ffi.NULL:
            call = ffi.gc(call, lib.hdfs_nn_call_free)
        _check(rc, call if call != ffi.NULL else self._nn)
        # Kept until C hands the call back, even if we are cancelled.
        self._inflight[int(ffi.cast("uintptr_t", call))] = _Pending(handle, fut, call)
        self._after_io()
        await fut
        return self._finish(call, lib.hdfs_nn_call_status(call), m)

    async def _arun(self, gen):
        try:
            step = next(gen)
            while True:
                try:
                    resp = await self._aroundtrip(*step)
                except HadoofusError as e:
                    step = gen.throw(e)
                else:
                    step = gen.send(resp)
        except StopIteration as e:
            return e.value

    # --- public ---

    async def connect(self):
        """Connect now (in the loop's executor: the loop runs on meanwhile).
        Raises what connecting raised (a ConnectionError subclass)."""
        self._bind_loop()
        await self._unblocked()
        if self._closed:
            raise HandleClosedError("the client is closed")
        rc = await self._off_loop(lib.hdfs_namenode_connect, self._nn)
        _check(rc, self._nn)
        return self

    def close(self):
        """Close; pending calls raise HandleClosedError."""
        if self._closed:
            return
        self._closed = True
        self._unwatch()
        if self._resend_task is not None:
            self._resend_task.cancel()
        lib.hdfs_namenode_close(self._nn)
        self._drain()
        pending, self._inflight = self._inflight, {}
        for pend in pending.values():
            if not pend.fut.done():
                pend.fut.set_exception(HandleClosedError("the client was closed"))

    async def aclose(self):
        self.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    async def call(self, method, request=None, **fields):
        """Any ClientProtocol method by name; returns the response message."""
        return await self._arun(self._generic(method, _rpc._build(method, request, fields)))

    async def getListingIter(self, src, startAfter=b"", needLocation=False):
        """Async-iterate over a directory's entries, a page per call."""
        src = _rpc._path(src)
        start = startAfter.encode() if isinstance(startAfter, str) else bytes(startAfter)
        first = True
        while True:
            dl = await self._arun(self._listingPage(src, start, bool(needLocation)))
            if dl is None:
                if first:
                    raise _rpc._missing(src)
                return
            first = False
            for st in dl.partialListing:
                yield st
            if not dl.remainingEntries or not dl.partialListing:
                return
            start = dl.partialListing[-1].local_name_bytes


def _async_method(name, gen, amap):
    async def method(self, *args, **kwargs):
        return await self._arun(gen(self, *args, **_rpc._norm_kw(name, kwargs, amap)))
    method.__name__ = gen.__name__
    method.__qualname__ = "rpc." + gen.__name__
    method.__doc__ = gen.__doc__
    method.__wrapped__ = gen
    return method


for _name, (_gen, _amap) in _rpc._OPS.items():
    if not _name.startswith("_"):
        setattr(rpc, _name, _async_method(_name, _gen, _amap))
del _name, _gen, _amap
