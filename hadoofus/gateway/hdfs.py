"""The HDFS side of the gateway: per-caller NameNode handles, a bounded pool
for the blocking core, streaming reads and writes, FileStatus helpers.

Identity: the gateway connects as its own user (`gateway_user`, by default
$HADOOP_USER_NAME or the login name) and impersonates each caller as a
proxy user (hadoofus.rpc(..., user=caller, real_user=gateway_user)), as
HttpFS does: every permission check is the caller's, and the NameNode's
hadoop.proxyuser.<gateway_user>.hosts/groups rules must allow it. A caller
with doas (a User with .real) is connected as real -> effective instead.
Kerberos (a kerberized NameNode: hadoop.security.authentication=kerberos in
the Hadoop configuration, or principal=/keytab= among the rpc keywords for
the gateway's own keytab login): the gateway's connections authenticate as
its principal (kerberos_principal; gateway_user is its short name), the
NameNode sees that principal as the real user of each caller, and doas
has been decided by the gateway already (auth.ProxyUsers): a User's .real
is then not used.
A caller authenticated by a delegation token (auth.TokenUser) is connected
with that token alone (hadoofus.rpc(..., token=)), so the NameNode checks
it; its handles are cached per token.
Handles are cached per identity (LRU, `max_handles`); files opened on a
handle read and write as its identity. Each identity has two: a blocking
hadoofus.rpc for the file layer (easy readers and writers, run in the pool)
and a hadoofus.aio.rpc on the event loop for plain NameNode calls, which
then cost no thread hop: a small request (GETFILESTATUS) is answered
without leaving the loop, and many callers' calls share one connection.

For the faces (`gw.hdfs`):
    await hdfs.call(user, "getFileInfo", path)      any hadoofus.rpc method,
                                                     on the loop (hadoofus.aio)
    await hdfs.run(user, fn, *args)                  fn(client, *args) in the pool
    listing = await hdfs.listing(user, path)
        a directory's entries page by page (a file lists as itself): the
        first page is fetched here (a missing path raises
        FileNotFoundException before any response is sent); `async for page
        in listing` gives lists of FileStatus, dfs.ls.limit each, the next
        page asked for while the current one is encoded and sent, so memory
        holds two pages whatever the directory's size.
    stream = await hdfs.read(user, path, offset=0, length=-1)
        opens the file (errors raise here, before any response is sent);
        `stream.length` is the byte count it will yield; `async for chunk in
        stream` gives bytes of `chunk` (1 MiB) each, the next chunk read
        while the current one is sent.
    n = await hdfs.write(user, path, req.body(), append=False, overwrite=True,
                         replication=None, blocksize=None, permission=None)
        streams the body into the C file writer (one chunk received while
        the previous one is written: at most two in memory) and closes the
        file; returns the bytes written.

Partial uploads: when the body ends early (the client disconnects or stalls
past the body timeout), the writer is closed at once, so no lease is left.
A file being created is then deleted (a half-written new file never looks
complete); an append keeps the bytes that arrived before the break, as a
Java client's append that dies mid-way does.
"""

import asyncio
import collections
import concurrent.futures
import getpass
import logging
import os
import stat as _stat
import sys
import threading

import hadoofus
import hadoofus.aio
from hadoofus import easy
from hadoofus.errors import FileNotFoundException
from hadoofus._namenode import _missing
from hadoofus._writer import HdfsFileWriter

from .http import CHUNK

log = logging.getLogger("hadoofus.gateway")


class Hdfs:
    """namenode: what hadoofus.rpc takes ("hdfs://host:port", "host:port", a
    nameservice of HADOOP_CONF_DIR, a list of addresses). threads: the
    pool's size (blocking core calls at once). rpc_kw: more hadoofus.rpc
    keywords (timeouts, failover)."""

    def __init__(self, namenode, gateway_user=None, threads=32, max_handles=256,
                 chunk=CHUNK, **rpc_kw):
        self.namenode = namenode
        # A client made here resolves the security settings (and logs in
        # with a keytab): a failure shows at start, not at the first call.
        probe = hadoofus.rpc(namenode, **rpc_kw)
        self.kerberos_principal = probe.kerberos_principal
        probe.close()
        if self.kerberos_principal:
            gateway_user = self.kerberos_principal.split("@")[0].split("/")[0]
        self.gateway_user = gateway_user or os.environ.get("HADOOP_USER_NAME") \
            or getpass.getuser()
        self.chunk = chunk
        self._rpc_kw = rpc_kw
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="gw-hdfs")
        self._mu = threading.Lock()
        self._handles = collections.OrderedDict()
        self._ahandles = collections.OrderedDict()
        self._max_handles = max_handles
        self._writers = set()      # open HdfsFileWriters, closed at shutdown
        self._closed = False
        self.uri = self._uri()

    def _uri(self):
        """hdfs://authority of the NameNode (for the start-up log line)."""
        n = self.namenode
        if isinstance(n, str):
            return n if n.startswith("hdfs://") else "hdfs://" + n
        return "hdfs://%s" % (n[0] if isinstance(n[0], str) else "%s:%d" % tuple(n[0]))

    # -- handles ---------------------------------------------------------------

    def _key(self, user):
        token = getattr(user, "token", None)
        if token is not None:
            return str(user), None, token
        if self.kerberos_principal:
            return str(user), None, None
        real = getattr(user, "real", None) or self.gateway_user
        return str(user), real, None

    def _cached(self, cache, key, make, evict):
        """cache[key], made by make() when absent or closed; the least
        recently used beyond max_handles go to evict(handle)."""
        with self._mu:
            fs = cache.get(key)
            if fs is not None and not fs.closed:
                cache.move_to_end(key)
                return fs
        # Connecting happens on the first call, so making one is cheap.
        fs = make()
        with self._mu:
            old = cache.get(key)
            if old is not None and not old.closed:
                return old
            cache[key] = fs
            dropped = []
            while len(cache) > self._max_handles:
                dropped.append(cache.popitem(last=False)[1])
        for h in dropped:
            evict(h)
        return fs

    def _new_rpc(self, cls, key):
        user, real, token = key
        if token is not None:
            # The token alone authenticates (it wins over the gateway's own
            # Kerberos login); the NameNode knows its owner.
            return cls(self.namenode, token=_rpc_token(token), **self._rpc_kw)
        # Under Kerberos the core makes the principal the real user.
        return cls(self.namenode, user=user, real_user=None if real in (user, None) else real,
                   **self._rpc_kw)

    def client(self, user):
        """The cached blocking hadoofus.rpc acting as `user` (see the module
        doc)."""
        key = self._key(user)
        # Dropped, not closed: a request may still use it; the last
        # reference frees it.
        return self._cached(self._handles, key, lambda: self._new_rpc(hadoofus.rpc, key),
                            lambda h: None)

    def aclient(self, user):
        """The cached hadoofus.aio.rpc acting as `user` (event loop only)."""
        key = self._key(user)
        return self._cached(self._ahandles, key,
                            lambda: self._new_rpc(hadoofus.aio.rpc, key), _close_when_idle)

    def forget_token(self, token):
        """Drop the handles of a delegation token (its URL string) just
        cancelled: a connection it authenticated would otherwise go on
        serving it, as the NameNode checks a token only when one opens."""
        with self._mu:
            blocking = [k for k in self._handles if k[2] == token]
            aio = [self._ahandles.pop(k) for k in list(self._ahandles) if k[2] == token]
            for k in blocking:
                del self._handles[k]
        for h in aio:
            _close_when_idle(h)

    async def _in_pool(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def run(self, user, fn, *args):
        """fn(client_of_user, *args) in the pool."""
        return await self._in_pool(lambda: fn(self.client(user), *args))

    async def call(self, user, method, *args, **kwargs):
        """hadoofus.rpc's `method` (a Java ClientProtocol name) as user, on
        the event loop."""
        return await getattr(self.aclient(user), method)(*args, **kwargs)

    # -- listing ---------------------------------------------------------------

    async def listing(self, user, path):
        """A Listing of path (see the module doc); raises FileNotFoundException
        (the core's, as getListing raises it) when path does not exist."""
        fs = self.aclient(user)
        first = await _listing_page(fs, path, b"")
        if first is None:
            raise _missing(path)
        return Listing(fs, path, first)

    # -- reading ---------------------------------------------------------------

    async def read(self, user, path, offset=0, length=-1):
        """A ReadStream over [offset, offset+length) of path (length -1: to
        the end). Raises FileNotFoundError, PermissionError, ValueError
        (offset past the end or negative) before anything is sent."""
        if offset < 0:
            raise ValueError("offset must be >= 0: %d" % offset)

        def open_():
            r = easy.HdfsFileReader(self.client(user), path)
            try:
                size = r.length
                if offset > size:
                    raise ValueError("offset %d is past the end of %s (%d bytes)"
                                     % (offset, path, size))
                end = size if length is None or length < 0 else min(size, offset + length)
                return r, end
            except BaseException:
                r.close()
                raise
        r, end = await self._in_pool(open_)
        return ReadStream(self, r, offset, end)

    # -- writing ---------------------------------------------------------------

    async def write(self, user, path, body, append=False, overwrite=True, replication=None,
                    blocksize=None, permission=None):
        """Stream `body` (an async iterator of bytes) into path; see the
        module doc for what a broken upload leaves. Returns the bytes
        written."""
        def open_():
            fs = self.client(user)
            # HdfsFileWriter's append creates a missing file (Python's "a");
            # an HTTP append, like FileSystem.append, wants the file there.
            if append and fs.getFileInfo(path) is None:
                raise FileNotFoundException("java.io.FileNotFoundException",
                                            "File does not exist: %s" % path)
            return HdfsFileWriter(self.client(user), path, append=append, overwrite=overwrite,
                                  replication=replication, blocksize=blocksize,
                                  permission=permission)
        w = await self._in_pool(open_)
        self._writers.add(w)
        written = 0
        pending = None
        done = False
        try:
            async for chunk in body:
                if pending is not None:
                    written += await pending
                pending = asyncio.ensure_future(self._in_pool(w.write, chunk))
            if pending is not None:
                p, pending = pending, None
                written += await p
            await self._in_pool(w.close)
            done = True
            return written
        finally:
            if not done:
                if pending is not None:   # its outcome no longer matters
                    pending.add_done_callback(lambda f: f.cancelled() or f.exception())
                # Cancellation (shutdown) may land here: the cleanup is
                # handed to the pool whole, and awaited when the loop lets us.
                # A write still running in the pool finishes first: the
                # writer's calls take turns.
                fut = self._pool.submit(self._abandon, w, path, append, user)
                try:
                    await asyncio.wrap_future(fut)
                except BaseException:
                    pass
            self._writers.discard(w)

    def _abandon(self, w, path, append, user):
        """Close a writer whose body broke off (pool thread)."""
        try:
            w.close()
        except Exception as e:
            log.warning("closing %s after a broken upload: %s", path, e)
        if not append:
            try:
                self.client(user).delete(path, False)
            except Exception as e:
                log.warning("deleting partial %s: %s", path, e)

    # -- shutdown --------------------------------------------------------------

    async def aclose(self):
        """Close writers still open (their requests were cancelled), then
        the pool and the handles."""
        if self._closed:
            return
        self._closed = True
        for w in list(self._writers):
            try:
                await self._in_pool(w.close)
            except Exception as e:
                log.warning("closing %s at shutdown: %s", w.path, e)
        self._pool.shutdown(wait=True)
        with self._mu:
            handles = list(self._handles.values()) + list(self._ahandles.values())
            self._handles.clear()
            self._ahandles.clear()
        for fs in handles:
            fs.close()


def _rpc_token(url_string):
    """The NameNode's token of a delegation= value: WebHDFS clients may
    hand back a token relabelled for HTTP (kind "WEBHDFS delegation");
    identifier and password are the NameNode's either way."""
    tok = hadoofus.Token.decode_url_string(url_string)
    if tok.kind != "HDFS_DELEGATION_TOKEN":
        tok = hadoofus.Token(identifier=tok.identifier, password=tok.password,
                             kind="HDFS_DELEGATION_TOKEN", service=tok.service)
    return tok


def _close_when_idle(fs):
    """Close an aio client dropped from the cache once its calls are done:
    the loop's watch on its socket would otherwise keep it alive for ever."""
    if fs._inflight:
        fs._loop.call_later(1.0, _close_when_idle, fs)
    else:
        fs.close()


async def _listing_page(fs, path, start):
    return (await fs.call("getListing", src=path, startAfter=start,
                          needLocation=False)).dirList


class Listing:
    """Async iterator of a listing's pages (see Hdfs.listing). `first`: the
    first page; `single`: it is the whole listing."""

    def __init__(self, fs, path, first):
        self._fs = fs
        self._path = path
        self._dl = first
        self._next = None
        self.first = first.partialListing
        self.single = not (first.remainingEntries and first.partialListing)

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self._dl is None:
            nxt, self._next = self._next, None
            if nxt is None:
                raise StopAsyncIteration
            self._dl = await nxt
            if self._dl is None:
                # Gone between pages: the entries sent so far are not the
                # listing, so this must not look like its end.
                raise FileNotFoundException(
                    "java.io.FileNotFoundException",
                    "%s was removed while it was being listed" % self._path)
        dl, self._dl = self._dl, None
        page = dl.partialListing
        if dl.remainingEntries and page:
            self._next = asyncio.ensure_future(
                _listing_page(self._fs, self._path, page[-1].local_name_bytes))
        return page

    async def aclose(self):
        nxt, self._next = self._next, None
        self._dl = None
        if nxt is not None:
            # Not cancelled: the answer is on its way and the aio client
            # matches it to its call; only its outcome is dropped.
            nxt.add_done_callback(lambda f: f.cancelled() or f.exception())


class ReadStream:
    """Async iterator of a file's bytes in chunks (see Hdfs.read).

    The chunks are read into a ring of RING bytearrays, reused: a fresh
    1 MiB object per chunk cost page faults and zeroing on large GETs. A
    chunk handed out is being sent while the next is read; the server may
    still hold the tail of the one before (uvloop keeps a reference to what
    the socket did not take yet), so the buffer read into is the one handed
    out RING - 1 chunks ago, and only when nothing but the ring refers to
    it any more (else a new one takes its place): a buffer still being
    sent is never overwritten."""

    RING = 3

    def __init__(self, hdfs, reader, offset, end):
        self._hdfs = hdfs
        self._r = reader
        self._pos = offset
        self._end = end
        self.length = end - offset
        self._next = None
        self._closed = False
        self._ring = [None] * self.RING
        self._turn = 0

    def _buffer(self):
        i = self._turn
        self._turn = (i + 1) % self.RING
        buf = self._ring[i]
        # The ring's reference, `buf` and getrefcount's argument: no other.
        if buf is None or sys.getrefcount(buf) > 3:
            buf = self._ring[i] = bytearray(min(self._hdfs.chunk, self.length))
        return buf

    def _chunk(self, pos, buf):
        # Sequential reads keep one block reader streaming (pread would set
        # one up per call); calls never overlap: the next is submitted only
        # once this one returned.
        if self._r.tell() != pos:
            self._r.seek(pos)
        want = min(len(buf), self._end - pos)
        with memoryview(buf) as mv:
            got = self._r.readinto(mv[:want])
            # A short chunk (the last) is copied out: it leaves the ring.
            return buf if got == len(buf) else bytes(mv[:got])

    def _read_ahead(self):
        return asyncio.ensure_future(self._hdfs._in_pool(self._chunk, self._pos, self._buffer()))

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self._pos >= self._end or self._closed:
            await self.aclose()
            raise StopAsyncIteration
        fut = self._next or self._read_ahead()
        self._next = None
        data = await fut
        if not data:
            await self.aclose()
            raise IOError("%s ended early at byte %d" % (self._r.path, self._pos))
        self._pos += len(data)
        if self._pos < self._end:
            self._next = self._read_ahead()
        return data

    async def aclose(self):
        if self._closed:
            return
        self._closed = True
        nxt, self._next = self._next, None
        if nxt is not None:
            try:
                await nxt
            except BaseException:
                pass
        await self._hdfs._in_pool(self._r.close)


# -- FileStatus helpers both faces use ------------------------------------------

def kind(st):
    """"FILE", "DIRECTORY" or "SYMLINK"."""
    return "DIRECTORY" if st.is_dir else "SYMLINK" if st.is_symlink else "FILE"


def symbolic(st):
    """"drwxr-xr-x": the type character and FsPermission's symbolic form
    (sticky bit as t/T), as Hoop shows permissions."""
    return _stat.filemode(st.mode)
