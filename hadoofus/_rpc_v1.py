"""The NameNode client for HDFS v1 (Hadoop 0.20.205 to 1.2.x): ClientProtocol
version 61 over the Writable RPC ("hrpc" version 4), on the C engine
(hdfs_rpc1_*).

``hadoofus.rpc(host, port, protocol=80)`` returns one; ``hadoofus.rpc(host,
port)`` does when the server turns out to speak v1 (see ``detect``). The
calls that exist in v1 take the same arguments and return the same types as
on v2 (FileStatus, LocatedBlocks, ContentSummary, FsStats); server-side Java
exceptions become the same exception classes.
"""

import getpass
import os
import random
import socket
import threading
import time
from typing import Dict, Tuple

from . import errors
from . import types as T
from . import _namenode
from ._namenode import _int, _path, _perm, _replication, _text
from ._native import ffi, lib
from .errors import ArgumentTypeError, _check
from .proto import SCHEMA

__all__ = ["rpc_v1", "detect", "PROTOCOL_V1"]

PROTOCOL_V1 = lib.HDFS_RPC1_AUTH_SIMPLE   # 80: the seed's protocol=80
CLIENT_PROTOCOL = "org.apache.hadoop.hdfs.protocol.ClientProtocol"
_VERSION = lib.HDFS_RPC1_CLIENT_PROTOCOL_VERSION
_LONG_MAX = (1 << 63) - 1
_U64 = (1 << 64) - 1

_FileType = SCHEMA.enums["hadoop.hdfs.HdfsFileStatusProto.FileType"]
_AdminState = SCHEMA.enums["hadoop.hdfs.DatanodeInfoProto.AdminState"]
_FsPermission = SCHEMA.messages["hadoop.hdfs.FsPermissionProto"].cls
_ExtendedBlock = SCHEMA.messages["hadoop.hdfs.ExtendedBlockProto"].cls
_DatanodeID = SCHEMA.messages["hadoop.hdfs.DatanodeIDProto"].cls
_FsStats = SCHEMA.messages["hadoop.hdfs.GetFsStatsResponseProto"].cls
_BLOCK = "org.apache.hadoop.hdfs.protocol.Block"


# ---------------------------------------------------------------------------
# ObjectWritable answers -> Python values

class _Reader:
    __slots__ = ("b", "i")

    def __init__(self, b):
        self.b, self.i = b, 0

    def take(self, n):
        if n < 0 or self.i + n > len(self.b):
            raise errors.WireProtocolError("short ObjectWritable answer")
        v = self.b[self.i:self.i + n]
        self.i += n
        return v

    def num(self, n):
        return int.from_bytes(self.take(n), "big", signed=True)

    def vint(self):
        first = self.num(1)
        if first >= -112:
            return first
        neg = first < -120
        n = -(first + 120) if neg else -(first + 112)
        x = int.from_bytes(self.take(n), "big")
        return ~x if neg else x

    def utf8(self):
        return self.take(int.from_bytes(self.take(2), "big"))


# Writable class name -> its layout string from the C engine.
_layout_cache: Dict[str, str] = {}


def _layout(cls):
    lay = _layout_cache.get(cls)
    if lay is None:
        p = lib.hdfs_rpc1_layout(cls.encode())
        if p == ffi.NULL:
            raise errors.WireProtocolError("unknown Writable class %s" % cls)
        lay = _layout_cache[cls] = ffi.string(p).decode()
    return lay


def _walk(r, lay, i=0):
    """Fields of layout `lay` from position i to its end or '}': (values, i)."""
    out = []
    while i < len(lay) and lay[i] != "}":
        c = lay[i]
        i += 1
        if c == "b":
            out.append(r.num(1))
        elif c == "s":
            out.append(r.num(2))
        elif c == "i":
            out.append(r.num(4))
        elif c == "l":
            out.append(r.num(8))
        elif c == "U":
            out.append(r.utf8())
        elif c in "TV":
            out.append(r.take(r.vint()))
        elif c == "W":
            n = r.num(4)
            out.append(None if n == -1 else r.take(n))
        elif c == "P":
            out.append(r.take(r.num(4)))
        elif c == "A":
            n = r.num(4)
            body = i + 1
            items, end = [], _skip_braces(lay, body)
            for _ in range(n):
                v, _j = _walk(r, lay, body)
                items.append(v)
            out.append(items)
            i = end + 1
    return out, i


def _skip_braces(lay, i):
    depth = 1
    while depth:
        if lay[i] == "{":
            depth += 1
        elif lay[i] == "}":
            depth -= 1
        i += 1
    return i - 1


_PRIMS = {b"boolean": 1, b"byte": 1, b"char": 2, b"short": 2, b"int": 4,
          b"long": 8, b"void": 0}


def _object(r):
    cls = r.utf8()
    n = _PRIMS.get(cls)
    if n is not None:
        if cls == b"void":
            return None
        v = r.num(n)
        return bool(v) if cls == b"boolean" else v
    if cls.startswith(b"["):
        return [_object(r) for _ in range(r.num(4))]
    if cls == b"java.lang.String":
        return r.utf8().decode("utf-8", "surrogateescape")
    inst = r.utf8().decode()
    fields, _i = _walk(r, _layout(inst))
    if inst.endswith("$NullInstance"):
        return None
    conv = _CONVERT.get(inst)
    return conv(fields) if conv else fields


def decode(body):
    """The Python value of one ObjectWritable answer."""
    return _object(_Reader(bytes(body)))


def _s(b):
    return b.decode("utf-8", "surrogateescape")


def _file_status(f):
    path, length, isdir, repl, bsize, mtime, atime, perm, owner, group = f
    return T.FileStatus(
        fileType=_FileType.IS_DIR if isdir else _FileType.IS_FILE, path=path,
        length=length, permission=_FsPermission(perm=perm & 0o7777),
        owner=_s(owner), group=_s(group), modification_time=mtime,
        access_time=atime, block_replication=repl, blocksize=bsize)


def _datanode(f):
    name, storage, info_port, ipc_port, cap, used, rem, last, xc, loc, host, admin = f
    ip, _, port = _s(name).rpartition(":")
    state = getattr(_AdminState, _s(admin), _AdminState.NORMAL) if admin else \
        _AdminState.NORMAL
    return T.DatanodeInfo(
        id=_DatanodeID(ipAddr=ip, hostName=_s(host) or ip, datanodeUuid=_s(storage),
                       xferPort=int(port or 0), infoPort=info_port & 0xFFFF,
                       ipcPort=ipc_port & 0xFFFF),
        capacity=cap, dfsUsed=used, remaining=rem, lastUpdate=last,
        xceiverCount=xc, location=_s(loc), adminState=state)


def _located_block(f):
    ident, pw, kind, service, corrupt, offset, bid, nbytes, gs, locs = f
    return T.LocatedBlock(
        b=_ExtendedBlock(poolId="", blockId=bid & _U64, generationStamp=gs & _U64,
                         numBytes=nbytes & _U64),
        offset=offset & _U64, locs=[_datanode(d) for d in locs], corrupt=bool(corrupt),
        blockToken=T.Token(identifier=ident, password=pw, kind=_s(kind),
                           service=_s(service)))


def _located_blocks(f):
    length, uc, blocks = f
    return T.LocatedBlocks(fileLength=length, underConstruction=bool(uc),
                           blocks=[_located_block(b) for b in blocks],
                           isLastBlockComplete=not uc)


def _content_summary(f):
    length, files, dirs, quota, consumed, squota = f
    return T.ContentSummary(length=length, fileCount=files, directoryCount=dirs,
                            quota=quota & _U64, spaceConsumed=consumed,
                            spaceQuota=squota & _U64)


_CONVERT = {
    "org.apache.hadoop.hdfs.protocol.HdfsFileStatus": _file_status,
    "org.apache.hadoop.hdfs.protocol.DirectoryListing":
        lambda f: ([_file_status(x) for x in f[0]], f[1]),
    "org.apache.hadoop.hdfs.protocol.LocatedBlock": _located_block,
    "org.apache.hadoop.hdfs.protocol.LocatedBlocks": _located_blocks,
    "org.apache.hadoop.hdfs.protocol.DatanodeInfo": _datanode,
    "org.apache.hadoop.fs.ContentSummary": _content_summary,
}


# ---------------------------------------------------------------------------
# Parameters

class _Params:
    """hdfs_rpc1_params built from (kind, value) pairs."""

    def __init__(self, args):
        p = ffi.new("struct hdfs_rpc1_params **")
        _check(lib.hdfs_rpc1_params_new(p))
        self.p = ffi.gc(p[0], lib.hdfs_rpc1_params_free)
        for kind, v in args:
            _check(self._add(kind, v))

    def _add(self, kind, v):
        p = self.p
        if kind == "str":
            return lib.hdfs_rpc1_params_string(
                p, ffi.NULL if v is None else (v.encode("utf-8", "surrogateescape")
                                              if isinstance(v, str) else bytes(v)))
        if kind == "bool":
            return lib.hdfs_rpc1_params_bool(p, bool(v))
        if kind == "short":
            return lib.hdfs_rpc1_params_short(p, v)
        if kind == "long":
            return lib.hdfs_rpc1_params_long(p, v)
        if kind == "bytes":
            return lib.hdfs_rpc1_params_bytes(p, v, len(v))
        if kind == "perm":
            return lib.hdfs_rpc1_params_permission(p, v["perm"])
        if kind == "block":
            raw = b"".join((x & _U64).to_bytes(8, "big") for x in v)
            return lib.hdfs_rpc1_params_writable(p, _BLOCK.encode(), raw, len(raw))
        raise AssertionError(kind)


# ---------------------------------------------------------------------------
# The client

def _java_message(etype, text):
    """1.x sends the whole stack trace: keep its first line, without the
    class name Java puts in front."""
    first = (text or "").split("\n", 1)[0]
    prefix = etype + ": "
    return first[len(prefix):] if first.startswith(prefix) else first


class rpc_v1:
    """A blocking ClientProtocol (v1) client; thread-safe (a lock around
    the one connection). Nothing connects until the first call."""

    protocol = PROTOCOL_V1

    def __init__(self, host, port=8020, user=None, *, connect_timeout=None,
                 call_timeout=None, client_name=None):
        if user is None:
            user = os.environ.get("HADOOP_USER_NAME") or getpass.getuser()
        self.user = _text(user, "user")
        self.host, self.port = host, int(port)
        self.connect_timeout = 20.0 if connect_timeout is None else connect_timeout
        self.call_timeout = call_timeout
        self.client_name = client_name or "DFSClient_hadoofus_%d_%d" % (
            random.getrandbits(31), os.getpid())
        p = ffi.new("struct hdfs_rpc1 **")
        _check(lib.hdfs_rpc1_new(p, CLIENT_PROTOCOL.encode(), self.user.encode()))
        self._e = ffi.gc(p[0], lib.hdfs_rpc1_free)
        self._sock = None
        self._lock = threading.Lock()
        self._res = ffi.new("struct hdfs_rpc_result *")
        self._out = ffi.new("const uint8_t **")
        self._consumed = ffi.new("size_t *")
        self.num_calls = 0
        self._closed = False

    def __repr__(self):
        return "%s(address=%r, port=%d, num_calls=%d, protocol=%d, user=%r)" % (
            type(self).__name__, self.host, self.port, self.num_calls,
            self.protocol, self.user)

    # -- connection --

    def connect(self):
        with self._lock:
            self._ensure()
        return self

    def _ensure(self):
        if self._closed:
            raise errors.HandleClosedError("the client was closed")
        if self._sock is not None:
            return
        try:
            s = socket.create_connection((self.host, self.port), self.connect_timeout)
        except OSError as e:
            raise errors._exception(lib.HDFS_ECONNECT, detail="%s:%d: %s" % (
                self.host, self.port, e)) from None
        s.settimeout(self.call_timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _check(lib.hdfs_rpc1_begin(self._e))
        self._sock = s

    def _drop(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        while lib.hdfs_rpc1_take_unanswered(self._e, self._res) == 0:
            lib.hdfs_rpc_result_clear(self._res)

    def close(self):
        with self._lock:
            self._closed = True
            self._drop()

    @property
    def closed(self):
        return self._closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _flush(self):
        n = lib.hdfs_rpc1_pending_output(self._e, self._out)
        if n:
            self._sock.sendall(ffi.buffer(self._out[0], n))
            lib.hdfs_rpc1_consume_output(self._e, n)

    def _engine_error(self, rc):
        msg = ffi.string(lib.hdfs_rpc1_error_message(self._e)).decode(errors="replace")
        self._drop()
        return errors._exception(rc, detail=msg)

    def _roundtrip(self, calls):
        """Send every (method, args) of `calls` at once; their answers, in
        order (exception instances for failed ones)."""
        with self._lock:
            self._ensure()
            ids = {}
            for i, (method, args) in enumerate(calls):
                params = _Params(args)
                cid = lib.hdfs_rpc1_next_call_id(self._e)
                rc = lib.hdfs_rpc1_call(self._e, cid, method.encode(), params.p, ffi.NULL)
                if rc < 0:
                    raise self._engine_error(rc)
                ids[cid] = i
            self.num_calls += len(calls)
            out = [None] * len(calls)
            left = len(calls)
            try:
                self._flush()
                while left:
                    while lib.hdfs_rpc1_take_result(self._e, self._res) == 0:
                        r = self._res
                        try:
                            i = ids.get(r.call_id)
                            if r.status == lib.HDFS_EREMOTE:
                                et = ffi.string(r.exception_class).decode() \
                                    if r.exception_class != ffi.NULL else "java.io.IOException"
                                msg = ffi.string(r.error_message).decode(errors="replace") \
                                    if r.error_message != ffi.NULL else ""
                                v = errors._exception(r.status, et, _java_message(et, msg))
                            else:
                                v = decode(ffi.buffer(r.body, r.body_len))
                        finally:
                            lib.hdfs_rpc_result_clear(r)
                        if i is not None:
                            out[i] = v
                            left -= 1
                    if not left:
                        break
                    data = self._sock.recv(1 << 16)
                    if not data:
                        raise errors._exception(lib.HDFS_ECONNRESET,
                                                detail="the NameNode closed the connection")
                    rc = lib.hdfs_rpc1_feed(self._e, data, len(data), self._consumed)
                    if rc < 0:
                        raise self._engine_error(rc)
            except OSError as e:
                self._drop()
                if isinstance(e, errors.HadoofusError):
                    raise
                code = lib.HDFS_ETIMEDOUT if isinstance(e, TimeoutError) else \
                    lib.HDFS_ECONNRESET
                raise errors._exception(code, detail="%s:%d: %s" % (
                    self.host, self.port, e)) from None
            except BaseException:
                self._drop()
                raise
            return out

    def _call(self, method, *args):
        v = self._roundtrip([(method, args)])[0]
        if isinstance(v, BaseException):
            raise v
        return v

    def submit(self, method, *args, **kw):
        """v2's submit for callers written against it: the call runs now;
        its result (or exception) waits in the returned future."""
        return _Done(getattr(self, method), args, kw)

    def pipeline(self):
        """v2's pipeline for callers written against it: each call runs
        at once (pipeline_calls sends many in one go)."""
        return _Now(self)

    def pipeline_calls(self, calls):
        """Many (method, *args) calls in flight at once on the connection,
        answered by call id; their results (or exceptions) in order."""
        return self._roundtrip([(c[0], c[1:]) for c in calls])

    # -- ClientProtocol (v1) --

    def getProtocolVersion(self, clientVersion=_VERSION, protocol=CLIENT_PROTOCOL):
        return self._call("getProtocolVersion", ("str", protocol),
                          ("long", _int(clientVersion, "clientVersion")))

    def getFileInfo(self, src):
        return self._call("getFileInfo", ("str", _path(src)))

    def getListing(self, src, startAfter=b""):
        src = _path(src)
        start = startAfter.encode() if isinstance(startAfter, str) else bytes(startAfter)
        out = []
        while True:
            page = self._call("getListing", ("str", src), ("bytes", start))
            if page is None:
                if out:
                    return out
                raise errors.remote_exception("java.io.FileNotFoundException",
                                              "File %s does not exist." % src)
            entries, remaining = page
            out.extend(entries)
            if not remaining or not entries:
                return out
            start = entries[-1].local_name_bytes

    def getBlockLocations(self, src, offset=0, length=None):
        offset = _int(offset, "offset", 0, _LONG_MAX)
        length = (_LONG_MAX - offset) if length is None else _int(length, "length", 0,
                                                                   _LONG_MAX)
        return self._call("getBlockLocations", ("str", _path(src)), ("long", offset),
                          ("long", length))

    def getContentSummary(self, path):
        return self._call("getContentSummary", ("str", _path(path)))

    def getPreferredBlockSize(self, filename):
        return self._call("getPreferredBlockSize", ("str", _path(filename)))

    def getFsStats(self):
        v = self._call("getStats")
        names = ("capacity", "used", "remaining", "under_replicated", "corrupt_blocks",
                 "missing_blocks")
        return T.FsStats(**{n: x & _U64 for n, x in zip(names, v)})

    getStats = getFsStats

    def mkdirs(self, src, masked=0o755, createParent=True):
        """1.x always makes the parents: createParent=False asks first."""
        src = _path(src)
        if not createParent:
            parent = src.rstrip("/").rsplit("/", 1)[0] or "/"
            if self.getFileInfo(parent) is None:
                raise errors.remote_exception("java.io.FileNotFoundException",
                                              "Parent directory doesn't exist: %s" % parent)
        return self._call("mkdirs", ("str", src), ("perm", _perm(masked, "masked")))

    def delete(self, src, recursive=False):
        return self._call("delete", ("str", _path(src)), ("bool", recursive))

    def rename2(self, src, dst, overwrite=False):
        """v2's rename2 on 1.x, which has only rename: dst must not exist
        unless overwrite, which first deletes a file or empty directory
        there (two calls: not atomic, unlike v2's)."""
        src, dst = _path(src), _path(dst)
        there = self.getFileInfo(dst)
        if there is not None:
            if not overwrite or (there.isdir and self.getListing(dst)):
                raise errors.remote_exception(
                    "org.apache.hadoop.fs.FileAlreadyExistsException",
                    "rename destination %s already exists" % dst)
            self.delete(dst, False)
        if not self.rename(src, dst):
            if self.getFileInfo(src) is None:
                raise errors.remote_exception("java.io.FileNotFoundException",
                                              "rename source %s is not found." % src)
            raise errors.remote_exception("java.io.IOException",
                                          "rename from %s to %s failed" % (src, dst))

    def rename(self, src, dst):
        return self._call("rename", ("str", _path(src)), ("str", _path(dst)))

    def setPermission(self, src, permission):
        self._call("setPermission", ("str", _path(src)), ("perm", _perm(permission)))

    def setOwner(self, src, username=None, groupname=None):
        if username is None and groupname is None:
            raise ArgumentTypeError("setOwner needs username or groupname")
        self._call("setOwner", ("str", _path(src)), ("str", username), ("str", groupname))

    def setReplication(self, src, replication):
        return self._call("setReplication", ("str", _path(src)),
                          ("short", _replication(replication)))

    def setTimes(self, src, mtime, atime):
        self._call("setTimes", ("str", _path(src)), ("long", _int(mtime, "mtime")),
                   ("long", _int(atime, "atime")))

    def create(self, src, masked=0o644, clientName=None, overwrite=False,
               createParent=True, replication=None, blockSize=None):
        """Create `src` leased to clientName; returns its FileStatus (v1's
        create answers nothing: the status is fetched after it)."""
        src = _path(src)
        replication = 3 if replication is None else _replication(replication)
        blockSize = (64 << 20) if blockSize is None else _int(blockSize, "blockSize", 1,
                                                               _LONG_MAX)
        self._call("create", ("str", src), ("perm", _perm(masked, "masked")),
                   ("str", self._client(clientName)), ("bool", overwrite),
                   ("bool", createParent), ("short", replication), ("long", blockSize))
        return self.getFileInfo(src)

    def append(self, src, clientName=None):
        """(last partial LocatedBlock or None, FileStatus), as on v2."""
        lb = self._call("append", ("str", _path(src)), ("str", self._client(clientName)))
        return (lb, self.getFileInfo(src))

    def addBlock(self, src, clientName=None):
        return self._call("addBlock", ("str", _path(src)), ("str", self._client(clientName)))

    def abandonBlock(self, b, src, holder=None):
        b = b.b if isinstance(b, T.LocatedBlock) else b
        self._call("abandonBlock", ("block", (b.blockId, b.numBytes, b.generationStamp)),
                   ("str", _path(src)), ("str", self._client(holder)))

    def complete(self, src, clientName=None):
        return self._call("complete", ("str", _path(src)), ("str", self._client(clientName)))

    def renewLease(self, clientName=None):
        self._call("renewLease", ("str", self._client(clientName)))

    def recoverLease(self, src, clientName=None):
        return self._call("recoverLease", ("str", _path(src)),
                          ("str", self._client(clientName)))

    def fsync(self, src, client=None):
        self._call("fsync", ("str", _path(src)), ("str", self._client(client)))

    def _client(self, name):
        return self.client_name if name is None else _text(name, "clientName")

    # -- data (DataTransferProtocol 17) --

    def read(self, path, offset=0, length=None):
        """Bytes [offset, offset+length) of file `path` (to its end when
        length is None), read from the DataNodes with READ_BLOCK, each
        chunk's CRC32 checked; a replica that fails is left for the next."""
        offset = _int(offset, "offset", 0, _LONG_MAX)
        lbs = self.getBlockLocations(path, offset, length)
        if lbs is None:
            # 1.x answers null for an offset at or past the end, too.
            st = self.getFileInfo(path)
            if st is not None and st.is_file:
                return b""
            raise errors.remote_exception("java.io.FileNotFoundException",
                                          "File does not exist: %s" % path)
        end = lbs.file_length if length is None else min(lbs.file_length,
                                                         offset + _int(length, "length", 0))
        out = []
        for lb in lbs:
            lo = max(offset, lb.offset)
            hi = min(end, lb.offset + lb.length)
            if hi > lo:
                out.append(read_block(lb, lo - lb.offset, hi - lo, self.client_name,
                                      self.connect_timeout))
        return b"".join(out)

    def write(self, path, data, overwrite=False, replication=None, blockSize=None):
        """Create `path` holding `data`: blocks written through their
        DataNode pipelines (WRITE_BLOCK), then completed at the NameNode.
        No pipeline recovery: a failing DataNode abandons the block and
        the write raises."""
        data = memoryview(data).cast("B")
        st = self.create(path, overwrite=overwrite, replication=replication,
                         blockSize=blockSize)
        bs = st.blocksize
        for off in range(0, len(data), bs):
            self._write_new_block(path, data[off:off + bs])
        self._complete_file(path)
        return len(data)

    def _write_new_block(self, path, data):
        """A new block of `path` (leased to this client) holding `data`,
        written through its pipeline; abandoned when that fails."""
        self._feed_block(path, self._begin_block(path), data, finish=True)

    def _begin_block(self, path):
        """(located block, _BlockStream) of a new block of `path`."""
        lb = self.addBlock(path)
        try:
            return lb, _BlockStream(lb, self.client_name, self.connect_timeout)
        except BaseException:
            self.abandonBlock(lb, path)
            raise

    def _feed_block(self, path, blk, data=None, finish=False):
        """Stream `data` into blk (from _begin_block) and, with finish,
        end it; a failure abandons the block and raises."""
        lb, s = blk
        try:
            if data is not None:
                s.write(data)
            if finish:
                s.finish()
        except BaseException:
            s.close()
            self.abandonBlock(lb, path)
            raise
        if finish:
            s.close()

    def _complete_file(self, path):
        # As DFSClient: complete answers false until the last block has its
        # minimum replicas reported; asked for up to 30 s (a busy DataNode
        # reports late).
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.complete(path):
                return
            time.sleep(0.05)
        raise errors.TimeoutError("complete(%s) never succeeded" % path)


class _Done:
    """A finished call as a future: result() returns or raises."""

    __slots__ = ("_v", "_e")

    def __init__(self, fn, args, kw):
        self._v = self._e = None
        try:
            self._v = fn(*args, **kw)
        except errors.HadoofusError as e:
            self._e = e

    def done(self):
        return True

    def exception(self, timeout=None):
        return self._e

    def result(self, timeout=None):
        if self._e is not None:
            raise self._e
        return self._v


class _Now:
    """rpc_v1.pipeline(): methods answer futures of calls already made."""

    def __init__(self, client):
        self._c = client

    def __getattr__(self, name):
        return lambda *a, **kw: self._c.submit(name, *a, **kw)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


class _BlockStream:
    """A new block lb written through its pipeline as bytes come
    (hdfs_v1_stream: WRITE_BLOCK 17, one 64512-byte packet held at most);
    finish() returns once every DataNode acknowledged the last packet."""

    def __init__(self, lb, client, timeout):
        b, t, locs = lb.b, lb.blockToken, lb.locations
        names = [ffi.new("char[]", ("%s:%d" % (d.ipAddr, d.xferPort)).encode()) for d in locs]
        ids = [ffi.new("char[]", d.datanodeUuid.encode()) for d in locs]
        p = ffi.new("struct hdfs_v1_stream **")
        _check(lib.hdfs_v1_stream_new(
            p, int((timeout or 0) * 1000), _signed64(b.blockId), _signed64(b.generationStamp),
            client.encode(), len(locs), ffi.new("const char *[]", names),
            ffi.new("const char *[]", ids), ffi.new("int[]", [d.infoPort for d in locs]),
            ffi.new("int[]", [d.ipcPort for d in locs]), t.identifier, len(t.identifier),
            t.password, len(t.password), t.kind.encode(), t.service.encode()))
        self._s = ffi.gc(p[0], lib.hdfs_v1_stream_free)
        self.written = 0
        self._peak = 0

    def _raise(self, rc):
        if rc < 0:
            raise errors._exception(rc, detail=ffi.string(
                lib.hdfs_v1_stream_message(self._s)).decode(errors="replace"))

    def write(self, data):
        self._raise(lib.hdfs_v1_stream_write(self._s, ffi.from_buffer(data), len(data)))
        self.written += len(data)

    def finish(self):
        self._raise(lib.hdfs_v1_stream_finish(self._s))

    @property
    def peak(self):
        """The most bytes the stream held at once."""
        if self._s is not None:
            self._peak = lib.hdfs_v1_stream_peak(self._s)
        return self._peak

    def close(self):
        if self._s is not None:
            self._peak = self.peak
            ffi.release(self._s)    # runs hdfs_v1_stream_free now
            self._s = None


def _write_block(lb, data, client, timeout):
    """Write `data` as the whole of the new block lb through its pipeline
    (WRITE_BLOCK, DataTransferProtocol 17); returns once every DataNode
    acknowledged the last packet."""
    s = _BlockStream(lb, client, timeout)
    try:
        s.write(data)
        s.finish()
    finally:
        s.close()


def _read_replica(lb, dn, start, n, client, timeout):
    b, t = lb.b, lb.blockToken
    p = ffi.new("struct hdfs_dn1_reader **")
    _check(lib.hdfs_dn1_reader_new(
        p, _signed64(b.blockId), _signed64(b.generationStamp), start, n, client.encode(),
        t.identifier, len(t.identifier), t.password, len(t.password), t.kind.encode(),
        t.service.encode()))
    r = ffi.gc(p[0], lib.hdfs_dn1_reader_free)
    out = ffi.new("const uint8_t **")
    consumed = ffi.new("size_t *")
    got = bytearray()
    with socket.create_connection((dn.ipAddr, dn.xferPort), timeout) as s:
        while True:
            k = lib.hdfs_dn1_reader_pending_output(r, out)
            if k:
                s.sendall(ffi.buffer(out[0], k))
                lib.hdfs_dn1_reader_consume_output(r, k)
            k = lib.hdfs_dn1_reader_data(r, out)
            if k:
                got += ffi.buffer(out[0], k)
                lib.hdfs_dn1_reader_consume_data(r, k)
            if lib.hdfs_dn1_reader_done(r):
                return bytes(got)
            data = s.recv(1 << 20)
            if not data:
                raise errors._exception(lib.HDFS_ECONNRESET, detail="%s:%d closed the connection"
                                        % (dn.ipAddr, dn.xferPort))
            rc = lib.hdfs_dn1_reader_feed(r, data, len(data), consumed)
            if rc < 0:
                raise errors._exception(rc, detail="%s:%d: %s" % (
                    dn.ipAddr, dn.xferPort,
                    ffi.string(lib.hdfs_dn1_reader_error_message(r)).decode(errors="replace")))


def _signed64(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def read_block(lb, start, n, client, timeout=20.0):
    """n bytes at `start` of LocatedBlock lb, from its first replica that
    serves them whole (DataTransferProtocol 17 READ_BLOCK)."""
    last = None
    for dn in lb.locations:
        try:
            return _read_replica(lb, dn, start, n, client, timeout)
        except (OSError, errors.HadoofusError) as e:
            last = e
    if last is None:
        raise errors.BlockReadError("no DataNode holds %s" % lb.b)
    raise last


# ---------------------------------------------------------------------------
# Which generation does a server speak?

def detect(host, port, timeout=5.0):
    """PROTOCOL_V1 (80) when the server at host:port answers a v1
    getProtocolVersion, 9 when it answers otherwise (a v2 server answers a
    v1 header with a VersionMismatch, and logs a warning), None when it
    does not answer (unreachable servers are left to the caller's own
    connect). rpc() asks this only of servers that closed a v2 handshake
    unanswered."""
    probe = ffi.new("struct hdfs_rpc1 **")
    if lib.hdfs_rpc1_new(probe, CLIENT_PROTOCOL.encode(), b"hadoofus") < 0:
        return None
    e = ffi.gc(probe[0], lib.hdfs_rpc1_free)
    try:
        s = socket.create_connection((host, port), timeout)
    except OSError:
        return None
    try:
        s.settimeout(timeout)
        _check(lib.hdfs_rpc1_begin(e))
        params = _Params([("str", CLIENT_PROTOCOL), ("long", _VERSION)])
        _check(lib.hdfs_rpc1_call(e, 0, b"getProtocolVersion", params.p, ffi.NULL))
        out = ffi.new("const uint8_t **")
        n = lib.hdfs_rpc1_pending_output(e, out)
        s.sendall(ffi.buffer(out[0], n))
        res = ffi.new("struct hdfs_rpc_result *")
        consumed = ffi.new("size_t *")
        while True:
            data = s.recv(4096)
            if not data:
                return None
            if lib.hdfs_rpc1_feed(e, data, len(data), consumed) < 0:
                return 9
            if lib.hdfs_rpc1_take_result(e, res) == 0:
                lib.hdfs_rpc_result_clear(res)
                return PROTOCOL_V1
    except OSError:
        return None
    finally:
        s.close()


# (host, port) -> the generation its server answered with (80 or 9).
_GENERATION: Dict[Tuple[str, int], int] = {}


def _v2_first(host, port, user, kw):
    """The v2 client of an address of unknown generation, connected now:
    (client, None) when the server speaks v2 or failed otherwise (the
    client's first call reports that), (None, 80) when the server closed
    the v2 handshake without a byte and answers v1. Hadoop 1.x does that
    with a v2 header (it logs a warning; its VersionMismatch answer never
    reaches the client), while a v2 NameNode is never sent a v1 header
    (which it would log)."""
    c = _namenode.rpc(host, port, user, protocol=9, **kw)
    try:
        c.connect()
    except errors.ConnectionLostError:
        if lib.hdfs_namenode_handshake_unanswered(c._nn):
            t = kw.get("connect_timeout")
            if detect(*_namenode._addresses(host, port)[0],
                      timeout=5.0 if t is None else min(t, 5.0)) == PROTOCOL_V1:
                c.close()
                return None, PROTOCOL_V1
    except errors.HadoofusError:
        pass
    c._probed = True
    return c, None


def _factory(host, port, user, protocol, kw):
    """rpc()'s seam: the v1 client for protocol=80, or when a lone
    host:port turns out to speak v1; for such an address seen the first
    time, the v2 client the check connected; None: make a v2 client."""
    if protocol is not None and protocol != PROTOCOL_V1:
        return None
    try:
        addrs = _namenode._addresses(host, port)
    except errors.HadoofusError:
        return None     # rpc's own __init__ reports it
    if len(addrs) != 1:
        if protocol is None:
            return None
        raise errors.InvalidArgumentError("HDFS v1 has no HA: give one NameNode")
    h, p = addrs[0]
    if protocol is None:
        gen = _GENERATION.get((h, p))
        if gen is None:
            v2, gen = _v2_first(host, port, user, kw)
            if v2 is not None:
                if lib.hdfs_namenode_num_connects(v2._nn):
                    _GENERATION[(h, p)] = 9     # else: asked again next time
                return v2
            _GENERATION[(h, p)] = gen
        if gen != PROTOCOL_V1:
            return None
    # Options left at None (easy passes token=None) ask nothing of v1.
    kw = {k: v for k, v in kw.items() if v is not None}
    unknown = set(kw) - {"connect_timeout", "call_timeout", "client_name"}
    if unknown:
        raise errors.ArgumentTypeError("HDFS v1 client: no %s" % ", ".join(sorted(unknown)))
    return rpc_v1(h, p, user, **kw)


_namenode._V1_FACTORY = _factory
