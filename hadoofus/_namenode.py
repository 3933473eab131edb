"""hadoofus.rpc: the NameNode's ClientProtocol, method by method.

    >>> nn = hadoofus.rpc("namenode.example", 8020, user="alice")
    >>> nn.mkdirs("/tmp/x")
    True
    >>> nn.getFileInfo("/tmp/x").isdir
    True
    >>> with nn.pipeline() as p:                      # many calls in flight
    ...     futs = [p.getFileInfo("/tmp/%d" % i) for i in range(100)]
    >>> [f.result() for f in futs]

Each ClientProtocol method is written once, as a generator ("op") that
checks its arguments, yields (method name, request fields) for each
round trip, receives the decoded response and returns the Python result.
Three drivers run the same ops: rpc (blocking: cffi releases the GIL while
C waits), Future (pipelined: submitted at once, finished by .result()), and
hadoofus.aio.rpc (asyncio, on the C event-loop API). Arguments are checked
before anything is sent; a bad one raises InvalidArgumentError or
ArgumentTypeError (a ValueError, a TypeError) and costs no round trip.

Method and parameter names are Java's (ClientProtocol / DFSClient);
parameters may also be given in snake_case (create_parent=True).
"""

import builtins
import functools
import getpass
import inspect
import os
import random
import re
import socket
import threading
import time

from . import auth_to_local as _auth_to_local
from . import conf as _conf
from . import errors
from . import tokens as _tokens
from . import types as T
from ._native import ffi, lib
from .errors import ArgumentTypeError, HadoofusError, InvalidArgumentError, _check
from .proto import METHODS, PROTOCOL, SCHEMA

__all__ = ["rpc", "Future", "Pipeline", "QUOTA_DONT_SET", "QUOTA_RESET"]

# HdfsConstants (Java longs; uint64 on the wire).
QUOTA_DONT_SET = (1 << 63) - 1
QUOTA_RESET = -1
_LONG_MAX = (1 << 63) - 1
_SERVER_DEFAULTS_TTL = 3600.0   # as DFSClient's SERVER_DEFAULTS_VALIDITY_PERIOD



def _flag_enum(full_name, members):
    """A bit-flag enum the protos define but no message field uses (so the
    descriptors reachable from the method table do not carry it)."""
    et = SCHEMA.enums.get(full_name)
    if et is None:
        import enum
        et = enum.IntEnum(full_name.rsplit(".", 1)[-1], members,
                          module=__name__, qualname=full_name)
    return et


# Values from ClientNamenodeProtocol.proto / xattr.proto (wire facts).
_CreateFlag = _flag_enum("hadoop.hdfs.CreateFlagProto", [
    ("CREATE", 0x01), ("OVERWRITE", 0x02), ("APPEND", 0x04),
    ("LAZY_PERSIST", 0x10), ("NEW_BLOCK", 0x20), ("SHOULD_REPLICATE", 0x80)])
_XAttrSetFlag = _flag_enum("hadoop.hdfs.XAttrSetFlagProto", [
    ("XATTR_CREATE", 0x01), ("XATTR_REPLACE", 0x02)])
_XAttrNS = SCHEMA.enums["hadoop.hdfs.XAttrProto.XAttrNamespaceProto"]
_ReportType = SCHEMA.enums["hadoop.hdfs.DatanodeReportTypeProto"]
_SafeModeAction = SCHEMA.enums["hadoop.hdfs.SafeModeActionProto"]
_StorageType = SCHEMA.enums["hadoop.hdfs.StorageTypeProto"]
_OpenFilesType = SCHEMA.enums["hadoop.hdfs.OpenFilesTypeProto"]
_DatanodeIDProto = SCHEMA.messages["hadoop.hdfs.DatanodeIDProto"]
_HOT_POLICY_ID = 7   # BlockStoragePolicySuite's default policy


# ---------------------------------------------------------------------------
# Argument checks (before anything is sent)

def _path(p, what="path"):
    if type(p) is str and p[:1] == "/" and "\0" not in p:
        return p    # the common case, ahead of the ABC check
    if isinstance(p, os.PathLike):
        p = os.fspath(p)
    if isinstance(p, str):
        nul, slash = "\0", "/"
    elif isinstance(p, bytes):
        nul, slash = b"\0", b"/"
    else:
        raise ArgumentTypeError("%s must be str or bytes, not %s" % (what, type(p).__name__))
    if not p.startswith(slash):
        raise InvalidArgumentError("%s must be absolute: %r" % (what, p))
    if nul in p:
        raise InvalidArgumentError("%s must not contain NUL: %r" % (what, p))
    return p


def _paths(ps, what="paths"):
    if isinstance(ps, (str, bytes, os.PathLike)):
        raise ArgumentTypeError("%s must be a sequence of paths, not a single path" % what)
    return [_path(p) for p in ps]


def _text(s, what, allow_empty=False):
    if isinstance(s, bytes):
        s = s.decode("utf-8")
    if not isinstance(s, str):
        raise ArgumentTypeError("%s must be str, not %s" % (what, type(s).__name__))
    if not s and not allow_empty:
        raise InvalidArgumentError("%s must not be empty" % what)
    if "\0" in s:
        raise InvalidArgumentError("%s must not contain NUL: %r" % (what, s))
    return s


def _int(v, what, lo=None, hi=None):
    if isinstance(v, bool):
        raise ArgumentTypeError("%s must be an int, not bool" % what)
    if not isinstance(v, int):
        try:
            v = v.__index__()
        except AttributeError:
            raise ArgumentTypeError("%s must be an int, not %s"
                                    % (what, type(v).__name__)) from None
    if lo is not None and v < lo:
        raise InvalidArgumentError("%s must be >= %d: %d" % (what, lo, v))
    if hi is not None and v > hi:
        raise InvalidArgumentError("%s must be <= %d: %d" % (what, hi, v))
    return v


def _perm(v, what="permission"):
    if isinstance(v, bool) or not isinstance(v, int):
        raise ArgumentTypeError("%s must be an int such as 0o755, not %s"
                                % (what, type(v).__name__))
    if not 0 <= v <= 0o7777:
        raise InvalidArgumentError("%s must be in 0..0o7777: %s" % (what, oct(v) if v >= 0 else v))
    return {"perm": v}


def _u64_java_long(v, what, lo):
    """A Java long that travels as uint64 (-1 becomes 2**64-1)."""
    v = _int(v, what, lo, _LONG_MAX)
    return v + (1 << 64) if v < 0 else v


def _replication(v):
    return _int(v, "replication", 1, 32767)


def _block(b, what="block"):
    if isinstance(b, T.LocatedBlock):
        b = b.b
    if not isinstance(b, (T.ExtendedBlock, dict)):
        raise ArgumentTypeError("%s must be an ExtendedBlock (e.g. LocatedBlock.block), not %s"
                                % (what, type(b).__name__))
    return b


def _datanodes(nodes, what):
    if isinstance(nodes, (T.DatanodeInfo, str, bytes)):
        raise ArgumentTypeError("%s must be a sequence of DatanodeInfo" % what)
    out = list(nodes)
    for d in out:
        if not isinstance(d, (T.DatanodeInfo, dict)):
            raise ArgumentTypeError("%s must hold DatanodeInfo, not %s" % (what, type(d).__name__))
    return out


def _datanode_ids(nodes, what):
    if isinstance(nodes, (T.DatanodeInfo, T.DatanodeID, str, bytes)):
        raise ArgumentTypeError("%s must be a sequence of DatanodeID/DatanodeInfo" % what)
    out = []
    for d in nodes:
        if isinstance(d, T.DatanodeInfo):
            d = d.id
        if not isinstance(d, (T.DatanodeID, dict)):
            raise ArgumentTypeError("%s must hold DatanodeID or DatanodeInfo, not %s"
                                    % (what, type(d).__name__))
        out.append(d)
    return out


def _token(t):
    if not isinstance(t, T.Token):
        raise ArgumentTypeError("token must be a hadoofus.Token, not %s" % type(t).__name__)
    return t


def _strings(v, what):
    if isinstance(v, (str, bytes)):
        raise ArgumentTypeError("%s must be a sequence of str, not a single str" % what)
    return [_text(s, what) for s in v]


def _enum(et, v, what):
    if isinstance(v, str):
        key = v.upper()
        if key in et.__members__:
            return et[key]
        raise InvalidArgumentError("%s must be one of %s: %r"
                                   % (what, ", ".join(et.__members__), v))
    v = _int(v, what)
    if v not in et._value2member_map_:
        raise InvalidArgumentError("%s must be one of %s: %r"
                                   % (what, ", ".join(et.__members__), v))
    return et(v)


def _flags(et, v, what, prefix=""):
    """Bit flags from an int, a name, "A|B" / "A,B", or an iterable of names/members."""
    if isinstance(v, bool):
        raise ArgumentTypeError("%s must be flag names or an int, not bool" % what)
    if isinstance(v, int):
        allowed = 0
        for m in et:
            allowed |= int(m)
        if v < 0 or v & ~allowed:
            raise InvalidArgumentError("%s has unknown bits: %#x" % (what, v))
        return v
    if isinstance(v, str):
        v = [s for s in re.split(r"[|,\s]+", v) if s]
    bits = 0
    for x in v:
        if isinstance(x, str):
            name = x.upper()
            if prefix and not name.startswith(prefix):
                name = prefix + name
            if name not in et.__members__:
                raise InvalidArgumentError("%s: unknown flag %r (one of %s)"
                                           % (what, x, ", ".join(et.__members__)))
            bits |= int(et[name])
        else:
            bits |= _int(x, what)
    return bits


_XATTR_PREFIXES = {"user": _XAttrNS.USER, "trusted": _XAttrNS.TRUSTED,
                   "security": _XAttrNS.SECURITY, "system": _XAttrNS.SYSTEM,
                   "raw": _XAttrNS.RAW}
_XATTR_NAMES = {v: k for k, v in _XATTR_PREFIXES.items()}


def _xattr(name, value=None):
    name = _text(name, "xattr name")
    prefix, dot, rest = name.partition(".")
    ns = _XATTR_PREFIXES.get(prefix.lower())
    if not dot or ns is None or not rest:
        raise InvalidArgumentError("xattr name must be prefixed with user/trusted/security/"
                                   "system/raw followed by '.': %r" % name)
    x = {"namespace": ns, "name": rest}
    if value is not None:
        if isinstance(value, str):
            value = value.encode()
        elif isinstance(value, (bytearray, memoryview)):
            value = bytes(value)
        elif not isinstance(value, bytes):
            raise ArgumentTypeError("xattr value must be bytes or str, not %s"
                                    % type(value).__name__)
        x["value"] = value
    return x


def _xattr_name(x):
    return "%s.%s" % (_XATTR_NAMES.get(x.namespace, str(x.namespace)).lower(), x.name)


def _acl_spec(spec, include_permission=True):
    if isinstance(spec, str):
        spec = [s for s in spec.split(",") if s.strip()]
    elif isinstance(spec, T.AclEntry):
        spec = [spec]
    out = []
    for e in spec:
        if isinstance(e, str):
            e = T.AclEntry.parse(e, include_permission)
        elif not isinstance(e, T.AclEntry):
            raise ArgumentTypeError("ACL entries must be AclEntry or str like 'user:bob:rwx', "
                                    "not %s" % type(e).__name__)
        out.append(e)
    return out


# ---------------------------------------------------------------------------
# The ops

_OPS = {}


def _snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1), name).lower()


def _op(*, aliases=None):
    """Register a generator as a ClientProtocol op; snake_case forms of its
    camelCase parameters (and `aliases`) are accepted as keywords."""
    def deco(gen):
        amap = {}
        for p in inspect.signature(gen).parameters:
            s = _snake(p)
            if s != p:
                amap[s] = p
        amap.update(aliases or {})
        _OPS[gen.__name__] = (gen, amap)
        return gen
    return deco


def _norm_kw(name, kw, amap):
    if not amap or not kw:
        return kw
    out = {}
    for k, v in kw.items():
        k2 = amap.get(k, k)
        if k2 in out:
            raise ArgumentTypeError("%s() got multiple values for argument %r" % (name, k2))
        out[k2] = v
    return out


def _missing(src):
    return errors.FileNotFoundException(
        "java.io.FileNotFoundException",
        "File %s does not exist." % (src.decode("utf-8", "replace")
                                     if isinstance(src, bytes) else src))


class _Ops:
    """The ClientProtocol ops, shared by the blocking and asyncio clients.
    Each is a generator: yield (method, request) -> response; return result."""

    def _client(self, name, what="clientName"):
        return self.client_name if name is None else _text(name, what)

    def _defaults(self):
        d = self._server_defaults
        if d is None or time.monotonic() - self._server_defaults_at > _SERVER_DEFAULTS_TTL:
            d = (yield ("getServerDefaults", {})).serverDefaults
            self._server_defaults = d
            self._server_defaults_at = time.monotonic()
        return d

    # --- namespace reads ---

    @_op()
    def getFileInfo(self, src):
        """The status of `src`, or None if it does not exist (as Java's null)."""
        return (yield ("getFileInfo", {"src": _path(src)})).fs

    @_op()
    def getFileLinkInfo(self, src):
        """As getFileInfo, but a symlink is not followed."""
        return (yield ("getFileLinkInfo", {"src": _path(src)})).fs

    @_op()
    def isFileClosed(self, src):
        return (yield ("isFileClosed", {"src": _path(src)})).result

    @_op(aliases={"start_after": "startAfter"})
    def getListing(self, src, startAfter=b"", needLocation=False):
        """All entries of directory `src` (a file lists as itself), fetched
        page by page (dfs.ls.limit entries per call)."""
        src = _path(src)
        start = startAfter.encode() if isinstance(startAfter, str) else bytes(startAfter)
        out = []
        while True:
            dl = (yield ("getListing", {"src": src, "startAfter": start,
                                        "needLocation": bool(needLocation)})).dirList
            if dl is None:
                if out:    # vanished between pages
                    return out
                raise _missing(src)
            page = dl.partialListing
            out.extend(page)
            if not dl.remainingEntries or not page:
                return out
            start = page[-1].local_name_bytes

    @_op()
    def _listingPage(self, src, startAfter, needLocation):
        return (yield ("getListing", {"src": src, "startAfter": startAfter,
                                      "needLocation": needLocation})).dirList

    @_op()
    def getBlockLocations(self, src, offset=0, length=None):
        """The blocks of `src` overlapping [offset, offset+length) (the whole
        file when length is None), as a LocatedBlocks; None if missing."""
        src = _path(src)
        offset = _int(offset, "offset", 0, _LONG_MAX)
        length = (_LONG_MAX - offset) if length is None else \
            _int(length, "length", 0, _LONG_MAX)
        return (yield ("getBlockLocations", {"src": src, "offset": offset,
                                             "length": length})).locations

    @_op()
    def getServerDefaults(self):
        d = (yield ("getServerDefaults", {})).serverDefaults
        self._server_defaults = d
        self._server_defaults_at = time.monotonic()
        return d

    @_op()
    def getPreferredBlockSize(self, filename):
        return (yield ("getPreferredBlockSize", {"filename": _path(filename)})).bsize

    @_op()
    def getContentSummary(self, path):
        return (yield ("getContentSummary", {"path": _path(path)})).summary

    @_op()
    def getFsStats(self):
        return (yield ("getFsStats", {}))

    @_op()
    def getDatanodeReport(self, type="ALL"):
        """DataNodes of a kind: "ALL", "LIVE", "DEAD", "DECOMMISSIONING"..."""
        t = _enum(_ReportType, type, "type")
        return list((yield ("getDatanodeReport", {"type": t})).di)

    @_op()
    def getLinkTarget(self, path):
        r = yield ("getLinkTarget", {"path": _path(path)})
        return r.targetPath if r._has("targetPath") else None

    @_op()
    def listCorruptFileBlocks(self, path, cookie=None):
        req = {"path": _path(path)}
        if cookie is not None:
            req["cookie"] = _text(cookie, "cookie", allow_empty=True)
        return (yield ("listCorruptFileBlocks", req)).corrupt

    @_op()
    def checkAccess(self, path, mode):
        """Raise AccessControlException unless the user may `mode` ("r",
        "rw", "rwx", "r-x", 0..7, FsAction) on `path`."""
        req = {"path": _path(path), "mode": T.parse_fs_action(mode)}
        yield ("checkAccess", req)

    # --- namespace writes ---

    @_op()
    def mkdirs(self, src, masked=0o755, createParent=True):
        req = {"src": _path(src), "masked": _perm(masked, "masked"),
               "createParent": bool(createParent)}
        return (yield ("mkdirs", req)).result

    @_op()
    def delete(self, src, recursive=False):
        return (yield ("delete", {"src": _path(src), "recursive": bool(recursive)})).result

    @_op()
    def rename(self, src, dst):
        return (yield ("rename", {"src": _path(src), "dst": _path(dst)})).result

    @_op(aliases={"overwriteDest": "overwrite", "overwrite_dest": "overwrite"})
    def rename2(self, src, dst, overwrite=False):
        """Rename; raises if dst exists unless overwrite (Options.Rename.OVERWRITE)."""
        req = {"src": _path(src), "dst": _path(dst), "overwriteDest": bool(overwrite)}
        yield ("rename2", req)

    @_op()
    def concat(self, trg, srcs):
        """Move the blocks of `srcs` to the end of `trg`; srcs are deleted."""
        trg = _path(trg)
        srcs = _paths(srcs, "srcs")
        if not srcs:
            raise InvalidArgumentError("srcs must not be empty")
        yield ("concat", {"trg": trg, "srcs": srcs})

    @_op()
    def setPermission(self, src, permission):
        yield ("setPermission", {"src": _path(src), "permission": _perm(permission)})

    @_op()
    def setOwner(self, src, username=None, groupname=None):
        src = _path(src)
        if username is None and groupname is None:
            raise InvalidArgumentError("setOwner: username and groupname are both None")
        req = {"src": src}
        if username is not None:
            req["username"] = _text(username, "username")
        if groupname is not None:
            req["groupname"] = _text(groupname, "groupname")
        yield ("setOwner", req)

    @_op()
    def setTimes(self, src, mtime, atime):
        """Times in ms since the epoch; -1 leaves that time unchanged."""
        req = {"src": _path(src), "mtime": _u64_java_long(mtime, "mtime", -1),
               "atime": _u64_java_long(atime, "atime", -1)}
        yield ("setTimes", req)

    @_op()
    def setReplication(self, src, replication):
        req = {"src": _path(src), "replication": _replication(replication)}
        return (yield ("setReplication", req)).result

    @_op()
    def setQuota(self, path, namespaceQuota=None, storagespaceQuota=None, storageType=None):
        """None leaves a quota as is (QUOTA_DONT_SET), -1 clears it."""
        path = _path(path)

        def q(v, what, lo):
            if v is None:
                return QUOTA_DONT_SET
            v = _int(v, what, None, _LONG_MAX)
            if v != QUOTA_RESET and v < lo:
                raise InvalidArgumentError("%s must be >= %d, -1 (reset) or None (unchanged): %d"
                                           % (what, lo, v))
            return v + (1 << 64) if v < 0 else v

        req = {"path": path,
               "namespaceQuota": q(namespaceQuota, "namespaceQuota", 1),
               "storagespaceQuota": q(storagespaceQuota, "storagespaceQuota", 0)}
        if storageType is not None:
            req["storageType"] = _enum(_StorageType, storageType, "storageType")
        yield ("setQuota", req)

    @_op()
    def createSymlink(self, target, link, dirPerm=0o755, createParent=True):
        req = {"target": _text(target, "target"), "link": _path(link),
               "dirPerm": _perm(dirPerm, "dirPerm"), "createParent": bool(createParent)}
        if "\0" in req["target"]:
            raise InvalidArgumentError("target must not contain NUL")
        yield ("createSymlink", req)

    # --- files, blocks, leases ---

    @_op()
    def create(self, src, masked=0o644, clientName=None, overwrite=False,
               createParent=True, replication=None, blockSize=None, flag=None):
        """Create `src` (leased to clientName) and return its FileStatus.
        `flag` (CreateFlag bits or names: "CREATE|OVERWRITE") wins over
        `overwrite`; replication/blockSize default to the server's."""
        src = _path(src)
        masked = _perm(masked, "masked")
        client = self._client(clientName)
        if flag is None:
            bits = int(_CreateFlag.CREATE) | (int(_CreateFlag.OVERWRITE) if overwrite else 0)
        else:
            bits = _flags(_CreateFlag, flag, "flag")
        if replication is not None:
            replication = _replication(replication)
        if blockSize is not None:
            blockSize = _int(blockSize, "blockSize", 1, _LONG_MAX)
        if replication is None or blockSize is None:
            d = yield from self._defaults()
            replication = d.replication if replication is None else replication
            blockSize = d.blockSize if blockSize is None else blockSize
        req = {"src": src, "masked": masked, "clientName": client,
               "createFlag": bits, "createParent": bool(createParent),
               "replication": replication, "blockSize": blockSize}
        return (yield ("create", req)).fs

    @_op()
    def append(self, src, clientName=None, flag=None):
        """Open `src` for append: (last partial LocatedBlock or None, FileStatus)."""
        req = {"src": _path(src), "clientName": self._client(clientName)}
        if flag is not None:
            req["flag"] = _flags(_CreateFlag, flag, "flag")
        r = yield ("append", req)
        return (r.block, r.stat)

    @_op()
    def addBlock(self, src, clientName=None, previous=None, excludeNodes=(),
                 fileId=0, favoredNodes=()):
        req = {"src": _path(src), "clientName": self._client(clientName),
               "excludeNodes": _datanodes(excludeNodes, "excludeNodes"),
               "fileId": _int(fileId, "fileId", 0),
               "favoredNodes": _strings(favoredNodes, "favoredNodes")}
        if previous is not None:
            req["previous"] = _block(previous, "previous")
        return (yield ("addBlock", req)).block

    @_op()
    def complete(self, src, clientName=None, last=None, fileId=0):
        """Close the file; False means "not yet minimally replicated, retry"."""
        req = {"src": _path(src), "clientName": self._client(clientName),
               "fileId": _int(fileId, "fileId", 0)}
        if last is not None:
            req["last"] = _block(last, "last")
        return (yield ("complete", req)).result

    @_op()
    def abandonBlock(self, b, src, holder=None, fileId=0):
        req = {"b": _block(b, "b"), "src": _path(src),
               "holder": self._client(holder, "holder"),
               "fileId": _int(fileId, "fileId", 0)}
        yield ("abandonBlock", req)

    @_op()
    def getAdditionalDatanode(self, src, blk, existings, existingStorageUuids,
                              excludes, numAdditionalNodes, clientName=None, fileId=0):
        req = {"src": _path(src), "blk": _block(blk, "blk"),
               "existings": _datanodes(existings, "existings"),
               "existingStorageUuids": _strings(existingStorageUuids, "existingStorageUuids"),
               "excludes": _datanodes(excludes, "excludes"),
               "numAdditionalNodes": _int(numAdditionalNodes, "numAdditionalNodes", 1, 65535),
               "clientName": self._client(clientName),
               "fileId": _int(fileId, "fileId", 0)}
        return (yield ("getAdditionalDatanode", req)).block

    @_op()
    def updateBlockForPipeline(self, block, clientName=None):
        """A new generation stamp (and token) for `block`, to rebuild its pipeline."""
        req = {"block": _block(block), "clientName": self._client(clientName)}
        return (yield ("updateBlockForPipeline", req)).block

    @_op(aliases={"storageIDs": "newStorageIDs", "new_storage_ids": "newStorageIDs"})
    def updatePipeline(self, clientName, oldBlock, newBlock, newNodes, newStorageIDs):
        req = {"clientName": self._client(clientName),
               "oldBlock": _block(oldBlock, "oldBlock"),
               "newBlock": _block(newBlock, "newBlock"),
               "newNodes": _datanode_ids(newNodes, "newNodes"),
               "storageIDs": _strings(newStorageIDs, "newStorageIDs")}
        yield ("updatePipeline", req)

    @_op()
    def reportBadBlocks(self, blocks):
        if isinstance(blocks, T.LocatedBlock):
            blocks = [blocks]
        blocks = list(blocks)
        for b in blocks:
            if not isinstance(b, T.LocatedBlock):
                raise ArgumentTypeError("blocks must hold LocatedBlock, not %s" % type(b).__name__)
        yield ("reportBadBlocks", {"blocks": blocks})

    @_op()
    def renewLease(self, clientName=None):
        yield ("renewLease", {"clientName": self._client(clientName)})

    @_op()
    def recoverLease(self, src, clientName=None):
        """Start lease recovery; True if the file is already closed."""
        req = {"src": _path(src), "clientName": self._client(clientName)}
        return (yield ("recoverLease", req)).result

    @_op()
    def fsync(self, src, client=None, lastBlockLength=-1, fileId=0):
        req = {"src": _path(src), "client": self._client(client, "client"),
               "lastBlockLength": _int(lastBlockLength, "lastBlockLength", -1),
               "fileId": _int(fileId, "fileId", 0)}
        yield ("fsync", req)

    @_op()
    def truncate(self, src, newLength, clientName=None):
        """True if the file is ready at once; False if block recovery runs first."""
        req = {"src": _path(src), "newLength": _int(newLength, "newLength", 0, _LONG_MAX),
               "clientName": self._client(clientName)}
        return (yield ("truncate", req)).result

    # --- snapshots ---

    @_op(aliases={"root": "snapshotRoot"})
    def allowSnapshot(self, snapshotRoot):
        yield ("allowSnapshot", {"snapshotRoot": _path(snapshotRoot)})

    @_op(aliases={"root": "snapshotRoot"})
    def disallowSnapshot(self, snapshotRoot):
        yield ("disallowSnapshot", {"snapshotRoot": _path(snapshotRoot)})

    @_op(aliases={"root": "snapshotRoot", "name": "snapshotName"})
    def createSnapshot(self, snapshotRoot, snapshotName=None):
        """Returns the snapshot's path (root/.snapshot/name)."""
        req = {"snapshotRoot": _path(snapshotRoot)}
        if snapshotName is not None:
            req["snapshotName"] = _text(snapshotName, "snapshotName")
        return (yield ("createSnapshot", req)).snapshotPath

    @_op(aliases={"root": "snapshotRoot", "name": "snapshotName"})
    def deleteSnapshot(self, snapshotRoot, snapshotName):
        req = {"snapshotRoot": _path(snapshotRoot),
               "snapshotName": _text(snapshotName, "snapshotName")}
        yield ("deleteSnapshot", req)

    @_op(aliases={"root": "snapshotRoot", "old_name": "snapshotOldName",
                  "new_name": "snapshotNewName"})
    def renameSnapshot(self, snapshotRoot, snapshotOldName, snapshotNewName):
        req = {"snapshotRoot": _path(snapshotRoot),
               "snapshotOldName": _text(snapshotOldName, "snapshotOldName"),
               "snapshotNewName": _text(snapshotNewName, "snapshotNewName")}
        yield ("renameSnapshot", req)

    @_op()
    def getSnapshottableDirListing(self):
        r = (yield ("getSnapshottableDirListing", {})).snapshottableDirList
        return [] if r is None else list(r.snapshottableDirListing)

    @_op(aliases={"root": "snapshotRoot"})
    def getSnapshotDiffReport(self, snapshotRoot, fromSnapshot, toSnapshot):
        """Changes from one snapshot to another; "" or None names the
        current state."""
        req = {"snapshotRoot": _path(snapshotRoot),
               "fromSnapshot": _text(fromSnapshot or "", "fromSnapshot", True),
               "toSnapshot": _text(toSnapshot or "", "toSnapshot", True)}
        return (yield ("getSnapshotDiffReport", req)).diffReport

    # --- ACLs ---

    @_op()
    def getAclStatus(self, src):
        return (yield ("getAclStatus", {"src": _path(src)})).result

    @_op()
    def setAcl(self, src, aclSpec):
        """aclSpec: AclEntry objects or strings ("user:bob:rwx", or one
        comma-separated string)."""
        yield ("setAcl", {"src": _path(src), "aclSpec": _acl_spec(aclSpec)})

    @_op()
    def modifyAclEntries(self, src, aclSpec):
        yield ("modifyAclEntries", {"src": _path(src), "aclSpec": _acl_spec(aclSpec)})

    @_op()
    def removeAclEntries(self, src, aclSpec):
        """aclSpec entries without permissions: "user:bob", "default:group:staff"."""
        yield ("removeAclEntries", {"src": _path(src),
                                    "aclSpec": _acl_spec(aclSpec, False)})

    @_op()
    def removeDefaultAcl(self, src):
        yield ("removeDefaultAcl", {"src": _path(src)})

    @_op()
    def removeAcl(self, src):
        yield ("removeAcl", {"src": _path(src)})

    # --- extended attributes ---

    @_op(aliases={"names": "xAttrs"})
    def getXAttrs(self, src, xAttrs=None):
        """{"user.name": value bytes}: all readable xattrs, or those named."""
        req = {"src": _path(src)}
        if xAttrs is not None:
            if isinstance(xAttrs, (str, bytes)):
                raise ArgumentTypeError("xAttrs must be a sequence of names, not a single name")
            req["xAttrs"] = [_xattr(n) for n in xAttrs]
        r = yield ("getXAttrs", req)
        return {_xattr_name(x): x.value for x in r.xAttrs}

    @_op()
    def listXAttrs(self, src):
        r = yield ("listXAttrs", {"src": _path(src)})
        return [_xattr_name(x) for x in r.xAttrs]

    @_op()
    def setXAttr(self, src, name, value, flag=("CREATE", "REPLACE")):
        """flag: CREATE (must not exist), REPLACE (must exist), or both."""
        req = {"src": _path(src), "xAttr": _xattr(name, b"" if value is None else value),
               "flag": _flags(_XAttrSetFlag, flag, "flag", prefix="XATTR_")}
        if not req["flag"]:
            raise InvalidArgumentError("flag must include CREATE and/or REPLACE")
        yield ("setXAttr", req)

    @_op()
    def removeXAttr(self, src, name):
        yield ("removeXAttr", {"src": _path(src), "xAttr": _xattr(name)})

    # --- storage policies ---

    @_op()
    def getStoragePolicies(self):
        return list((yield ("getStoragePolicies", {})).policies)

    @_op(aliases={"policy_name": "policyName"})
    def setStoragePolicy(self, src, policyName):
        yield ("setStoragePolicy", {"src": _path(src),
                                    "policyName": _text(policyName, "policyName")})

    @_op()
    def getStoragePolicy(self, path):
        """The effective BlockStoragePolicy of `path`. Servers without the
        getStoragePolicy call (Hadoop < 2.8) are answered from getFileInfo
        + getStoragePolicies, which is what 2.8 computes."""
        path = _path(path)
        if not self._caps.get("getStoragePolicy", True):
            return (yield from self._storage_policy_fallback(path))
        try:
            return (yield ("getStoragePolicy", {"path": path})).storagePolicy
        except errors.RpcNoSuchMethodException:
            self._caps["getStoragePolicy"] = False
        return (yield from self._storage_policy_fallback(path))

    def _storage_policy_fallback(self, path):
        st = (yield ("getFileInfo", {"src": path})).fs
        if st is None:
            raise _missing(path)
        pid = st.storagePolicy or _HOT_POLICY_ID
        for p in (yield ("getStoragePolicies", {})).policies:
            if p.policyId == pid:
                return p
        raise errors.ProtocolException("java.io.IOException",
                                       "unknown storage policy id %d" % pid)

    # --- Hadoop 3 (older NameNodes answer RpcNoSuchMethodException) ---

    @_op()
    def getQuotaUsage(self, path):
        """Quotas and usage of `path` (a QuotaUsage): getContentSummary's
        quota figures without its walk over the files. Hadoop >= 3.0."""
        return (yield ("getQuotaUsage", {"path": _path(path)})).usage

    @_op()
    def getErasureCodingPolicies(self):
        """Every erasure-coding policy the NameNode has, enabled or not
        (ErasureCodingPolicy objects, .state_name tells which)."""
        return list((yield ("getErasureCodingPolicies", {})).ecPolicies)

    @_op()
    def getErasureCodingCodecs(self):
        """{codec: "coder1,coder2"}: the codecs and their raw coders."""
        return {c.codec: c.coders for c in (yield ("getErasureCodingCodecs", {})).codec}

    @_op()
    def getErasureCodingPolicy(self, src):
        """The policy `src` is erasure-coded with (set on it or inherited),
        or None when it is replicated."""
        r = yield ("getErasureCodingPolicy", {"src": _path(src)})
        return r.ecPolicy if r._has("ecPolicy") else None

    @_op(aliases={"policy": "ecPolicyName"})
    def setErasureCodingPolicy(self, src, ecPolicyName=None):
        """Make directory `src` erasure-coded with an enabled policy (None:
        the cluster's default policy); files created below it afterwards
        are striped."""
        req = {"src": _path(src)}
        if ecPolicyName is not None:
            req["ecPolicyName"] = _text(ecPolicyName, "ecPolicyName")
        yield ("setErasureCodingPolicy", req)

    @_op()
    def unsetErasureCodingPolicy(self, src):
        """Remove the policy set on `src` (it inherits its parent's again)."""
        yield ("unsetErasureCodingPolicy", {"src": _path(src)})

    @_op(aliases={"policy": "ecPolicyName"})
    def enableErasureCodingPolicy(self, ecPolicyName):
        """Allow a policy to be set on directories (superuser)."""
        yield ("enableErasureCodingPolicy",
               {"ecPolicyName": _text(ecPolicyName, "ecPolicyName")})

    @_op(aliases={"policy": "ecPolicyName"})
    def disableErasureCodingPolicy(self, ecPolicyName):
        """Refuse a policy for new directories (superuser); files that have
        it stay readable."""
        yield ("disableErasureCodingPolicy",
               {"ecPolicyName": _text(ecPolicyName, "ecPolicyName")})

    @_op(aliases={"types": "openFilesTypes"})
    def listOpenFiles(self, path="/", openFilesTypes=("ALL_OPEN_FILES",), prevId=0):
        """The files open for writing under `path` (superuser), as
        OpenFileEntry objects in inode-id order, after inode `prevId`; the
        NameNode's batches are fetched until it has no more."""
        if isinstance(openFilesTypes, (int, str)):
            openFilesTypes = [openFilesTypes]
        types = [_enum(_OpenFilesType, t, "openFilesTypes") for t in openFilesTypes]
        path = _text(path, "path")
        prev = _int(prevId, "prevId", 0, _LONG_MAX)
        out = []
        while True:
            r = yield ("listOpenFiles", {"id": prev, "types": types, "path": path})
            page = list(r.entries)
            out.extend(page)
            if not r.hasMore or not page:
                return out
            prev = page[-1].id

    @_op()
    def getHAServiceState(self):
        """The NameNode's HA state as Java prints it: "active", "standby",
        "observer" or "initializing" (a NameNode without HA is "active")."""
        st = (yield ("getHAServiceState", {})).state
        return getattr(st, "name", str(st)).lower()

    @_op()
    def msync(self):
        """Wait until this client's view of the namespace is at least as new
        as the active NameNode's (for reads from observer NameNodes)."""
        yield ("msync", {})

    @_op()
    def satisfyStoragePolicy(self, path):
        """Ask the NameNode to move `path`'s blocks to the storage types its
        policy wants (needs dfs.storage.policy.satisfier.mode other than
        "none" on the NameNode)."""
        yield ("satisfyStoragePolicy", {"src": _path(path)})

    # --- administration ---

    @_op()
    def setSafeMode(self, action="SAFEMODE_GET", isChecked=False):
        """action: "get", "enter", "leave" (or SAFEMODE_*); returns whether
        safe mode is on."""
        a = action.upper() if isinstance(action, str) else action
        if isinstance(a, str) and not a.startswith("SAFEMODE_"):
            a = "SAFEMODE_" + a
        req = {"action": _enum(_SafeModeAction, a, "action"), "checked": bool(isChecked)}
        return (yield ("setSafeMode", req)).result

    # --- delegation tokens ---

    @_op()
    def getDelegationToken(self, renewer=""):
        """A delegation token of this user, renewable by `renewer` (a user
        name; Java's default "" means nobody may renew it), its service set
        to this NameNode as Java's DFSClient does ("<ip>:<port>", or
        "ha-hdfs:<nameservice>"). The NameNode issues tokens only on a
        Kerberos-authenticated connection (else AccessControlException
        or, without security, None, as Java's null)."""
        renewer = _text(renewer, "renewer", allow_empty=True)
        tok = (yield ("getDelegationToken", {"renewer": renewer})).token
        if tok is not None and not tok.service:
            tok.service = self.token_service
        return tok

    @_op()
    def renewDelegationToken(self, token):
        """Extend `token` (its renewer's call); returns the new expiry time
        (ms since the epoch). InvalidToken when it is unknown, cancelled or
        past its maxDate."""
        return (yield ("renewDelegationToken", {"token": _token(token)})).newExpiryTime

    @_op()
    def cancelDelegationToken(self, token):
        """Cancel `token` (its owner's or renewer's call): it stops working
        at once."""
        yield ("cancelDelegationToken", {"token": _token(token)})

    # --- anything else ---

    def _generic(self, method, request):
        if method not in METHODS:
            raise InvalidArgumentError("unknown ClientProtocol method %r" % method)
        return (yield (method, request))


def _build(method, request, fields):
    if request is not None and fields:
        raise ArgumentTypeError("pass a request or keyword fields, not both")
    return fields if request is None else request


# ---------------------------------------------------------------------------
# The blocking client

def _parse_address(host, port):
    if not isinstance(host, str) or not host:
        raise ArgumentTypeError("host must be a non-empty str")
    if "://" in host:
        scheme, _, rest = host.partition("://")
        if scheme != "hdfs":
            raise InvalidArgumentError("only hdfs:// URLs are understood: %r" % host)
        host = rest.split("/", 1)[0]
    h, sep, p = host.rpartition(":")
    if sep and p.isdigit() and (h.count(":") == 0 or (h[:1] == "[" and h[-1:] == "]")):
        host, port = h.strip("[]"), int(p)
    return host, port


def _addresses(host, port):
    """[(host, port), ...] of the NameNodes `host` names: a list of
    "host:port" strings or (host, port) pairs (an HA nameservice given by
    hand), "host[:port]" or an hdfs:// URL, or, without a port, a
    nameservice of the Hadoop configuration (dfs.nameservices) or a host
    (port 8020)."""
    if isinstance(host, (list, tuple)):
        if not host:
            raise InvalidArgumentError("no NameNode address given")
        out = []
        for a in host:
            if isinstance(a, (list, tuple)) and len(a) == 2:
                h, p = a
            else:
                h, p = _parse_address(a, None)
            out.append((_text(h, "host"), _int(8020 if p is None else p, "port", 1, 65535)))
        return out
    host, port = _parse_address(host, port)
    if port is not None:
        return [(host, _int(port, "port", 1, 65535))]
    try:
        found = _conf.namenodes(host)
    except (ValueError, HadoofusError):
        found = None
    return found or [(host, 8020)]


def _nameservice(host, port, addrs):
    """The HA nameservice `host` named (resolved from the configuration), or None."""
    if port is not None or not isinstance(host, str) or "://" in host or ":" in host:
        return None
    return host if addrs != [(host, 8020)] else None


_KRB_KEYS = ("hadoop.security.authentication", "hadoop.rpc.protection",
             "dfs.namenode.kerberos.principal", "hadoofus.kerberos.principal",
             "hadoofus.kerberos.keytab")


def _conf_get(names):
    """{name: value} of those set in the Hadoop configuration (none when
    there is no configuration to read)."""
    if not any(os.environ.get(k) for k in ("HADOOP_CONF_DIR", "HADOOP_HOME", "CLASSPATH")):
        return {}
    try:
        c = _conf.load()
    except (ValueError, HadoofusError):
        return {}
    out = {}
    buf = ffi.new("char[]", 4096)
    for n in names:
        if lib.hdfs_conf_get(c, n.encode(), buf, 4096, ffi.NULL) == 0:
            out[n] = ffi.string(buf).decode()
    return out


def _set_data_transfer(nn, cipher_suites, protection):
    """Data transfer security of the handle's DataNode connections; None
    takes Java's client keys from the configuration."""
    keys = ("dfs.encrypt.data.transfer.cipher.suites", "dfs.data.transfer.protection")
    found = _conf_get(keys) if cipher_suites is None or protection is None else {}
    if cipher_suites is None:
        cipher_suites = found.get(keys[0])
    if protection is None:
        protection = found.get(keys[1])
    if cipher_suites or protection:
        _check(lib.hdfs_namenode_set_data_transfer(
            nn, _text(cipher_suites or "", "data_cipher_suites", True).encode(),
            _text(protection or "", "data_protection", True).encode()))


def _kerberos_settings(kerberos, principal, keytab, ccache, protection, server_principal):
    """(server_principal, protection, ccache, principal, keytab) for
    hdfs_namenode_set_kerberos, or None for SIMPLE. Unset ones come from
    the Hadoop configuration as Java reads it (hadoofus.kerberos.principal
    and .keytab are ours: Java's client has no keytab keys)."""
    given = [_text(v, n) if v is not None else None for v, n in (
        (principal, "principal"), (keytab, "keytab"), (ccache, "ccache"),
        (protection, "protection"), (server_principal, "server_principal"))]
    principal, keytab, ccache, protection, server_principal = given
    if kerberos is False:
        return None
    c = _conf_get(_KRB_KEYS)
    on = kerberos or principal or keytab or ccache or \
        c.get("hadoop.security.authentication", "simple").strip().lower() == "kerberos"
    if not on:
        return None
    if principal is None and keytab is None:
        principal = c.get("hadoofus.kerberos.principal")
        keytab = c.get("hadoofus.kerberos.keytab")
    return (server_principal or c.get("dfs.namenode.kerberos.principal"),
            protection or c.get("hadoop.rpc.protection"), ccache, principal, keytab)
# Set by hadoofus._rpc_v1 (which imports this module): (host, port, user,
# protocol, kwargs) -> a v1 client, or None for v2.
_V1_FACTORY = None


class _Client(_Ops):
    """What both clients share: the C handle and per-client state."""

    def __init__(self, host, port=None, user=None, *, connect_timeout=None,
                 call_timeout=None, retry_window=None, max_retries=None,
                 client_name=None, max_failovers=None, failover_sleep_base=None,
                 failover_sleep_max=None, real_user=None, kerberos=None,
                 principal=None, keytab=None, ccache=None, protection=None,
                 server_principal=None, data_cipher_suites=None, data_protection=None,
                 token=None, token_file=None):
        addrs = _addresses(host, port)
        krb = _kerberos_settings(kerberos, principal, keytab, ccache, protection,
                                 server_principal)
        explicit_user = user is not None
        if user is None:
            user = os.environ.get("HADOOP_USER_NAME") or getpass.getuser()
        user = _text(user, "user")
        p = ffi.new("struct hdfs_namenode **")
        if len(addrs) == 1:
            _check(lib.hdfs_namenode_new(p, addrs[0][0].encode(), addrs[0][1],
                                         user.encode()))
        else:
            hosts = [ffi.new("char[]", h.encode()) for h, _ in addrs]
            _check(lib.hdfs_namenode_new_ha(p, ffi.new("const char *[]", hosts),
                                            ffi.new("int[]", [pt for _, pt in addrs]),
                                            len(addrs), user.encode()))
        self._nn = ffi.gc(p[0], lib.hdfs_namenode_free)
        self.addresses = addrs
        self.kerberos_principal = None
        if krb is not None:
            _check(lib.hdfs_namenode_set_kerberos(self._nn, *[
                ffi.NULL if v is None else v.encode() for v in krb]), self._nn)
            buf = ffi.new("char[]", 512)
            name = lib.hdfs_namenode_kerberos_name(self._nn, buf, 512)
            if name != ffi.NULL:
                self.kerberos_principal = ffi.string(name).decode()
            # The principal's short name by hadoop.security.auth_to_local,
            # as Java's UserGroupInformation: one no rule maps is refused.
            short = (_auth_to_local.from_conf().short_name(self.kerberos_principal)
                     if self.kerberos_principal else "")
            if explicit_user and real_user is None and user != short:
                # Kerberos names the real user; another user is a proxy.
                real_user = self.kerberos_principal or "kerberos"
            elif short:
                user = short
        if real_user is not None:
            real_user = _text(real_user, "real_user")
            _check(lib.hdfs_namenode_set_real_user(self._nn, real_user.encode()))
        self.real_user = real_user
        self.nameservice = _nameservice(host, port, addrs)
        self._token_service = None
        self.token = self._use_token(token, token_file)
        if self.token is not None:
            ident = self.token.decode_identifier()
            if ident is not None:   # the NameNode knows the caller as the owner
                user = ident.user
        if max_failovers is not None or failover_sleep_base is not None or \
                failover_sleep_max is not None:
            _check(lib.hdfs_namenode_set_failover(
                self._nn, 15 if max_failovers is None else int(max_failovers),
                500 if failover_sleep_base is None else int(failover_sleep_base * 1000),
                15000 if failover_sleep_max is None else int(failover_sleep_max * 1000)))
        if connect_timeout is not None or call_timeout is not None:
            _check(lib.hdfs_namenode_set_timeouts(
                self._nn,
                20000 if connect_timeout is None else int(connect_timeout * 1000),
                0 if call_timeout is None else int(call_timeout * 1000)))
        if retry_window is not None or max_retries is not None:
            _check(lib.hdfs_namenode_set_retry(
                self._nn,
                30000 if retry_window is None else int(retry_window * 1000),
                10 if max_retries is None else max_retries))
        _set_data_transfer(self._nn, data_cipher_suites, data_protection)
        self.user = user
        # As DFSClient: one lease holder name per client.
        self.client_name = client_name or "DFSClient_NONMAPREDUCE_hadoofus_%d_%d" % (
            random.getrandbits(31), os.getpid())
        self._server_defaults = None
        self._server_defaults_at = 0.0
        self._caps = {}
        self._closed = False

    def _use_token(self, token, token_file):
        """The delegation token to authenticate with: `token`, else this
        NameNode's one in `token_file` or $HADOOP_TOKEN_FILE_LOCATION (as
        Java's UserGroupInformation loads it), else None."""
        if token is not None:
            t, _alive = _tokens._token_struct(_token(token))
            _check(lib.hdfs_namenode_set_token(self._nn, t), self._nn)
            return token
        creds = _tokens.Credentials.read(token_file) if token_file is not None \
            else _tokens.Credentials.from_env()
        if creds is None:
            return None
        ns = self.nameservice
        t = lib.hdfs_namenode_select_token(self._nn, creds._c,
                                           ffi.NULL if ns is None else ns.encode())
        if t == ffi.NULL:
            return None
        _check(lib.hdfs_namenode_set_token(self._nn, t), self._nn)
        return _tokens._token_of(t)

    @property
    def token_service(self):
        """The service of this NameNode's delegation tokens, as Java names
        it: "ha-hdfs:<nameservice>", else "<ip>:<port>"."""
        if self._token_service is None:
            if self.nameservice is not None:
                self._token_service = "ha-hdfs:" + self.nameservice
            else:
                h, p = self.addresses[0]
                try:
                    h = socket.gethostbyname(h)
                except OSError:
                    pass
                self._token_service = "%s:%d" % (h, p)
        return self._token_service

    @property
    def num_calls(self):
        """Calls submitted so far (retries not counted)."""
        return lib.hdfs_namenode_num_calls(self._nn)

    @property
    def num_connects(self):
        return lib.hdfs_namenode_num_connects(self._nn)

    @property
    def host(self):
        """The NameNode in use (of an HA nameservice: the one failed over to)."""
        return ffi.string(lib.hdfs_namenode_host(self._nn)).decode()

    @property
    def port(self):
        return lib.hdfs_namenode_port(self._nn)

    @property
    def num_failovers(self):
        """Moves to another NameNode of the nameservice so far."""
        return lib.hdfs_namenode_num_failovers(self._nn)

    @property
    def closed(self):
        return self._closed

    protocol = PROTOCOL

    def __repr__(self):
        return "%s(address=%r, port=%d, num_calls=%d, protocol=%r, user=%r)" % (
            type(self).__name__, self.host, self.port, self.num_calls,
            self.protocol, self.user)

    def _prepare(self, method, request):
        m = METHODS.get(method)
        if m is None:
            raise InvalidArgumentError("unknown ClientProtocol method %r" % method)
        return m, m.request.encode(request)

    def _submit(self, m, data):
        """Send one call; returns the (gc-managed) call."""
        p = ffi.new("struct hdfs_nn_call **")
        rc = lib.hdfs_namenode_submit(self._nn, m.cname, ffi.from_buffer("uint8_t[]", data),
                                      len(data), p)
        call = p[0]
        if call != ffi.NULL:
            call = ffi.gc(call, lib.hdfs_nn_call_free)
        _check(rc, call if call != ffi.NULL else self._nn)
        return call

    @staticmethod
    def _finish(call, rc, m):
        """Turn a completed call into the decoded response (or raise); the
        call is freed."""
        try:
            _check(rc, call)
            body = ffi.new("const uint8_t **")
            n = ffi.new("size_t *")
            _check(lib.hdfs_nn_call_response(call, body, n), call)
            data = ffi.buffer(body[0], n[0])[:] if n[0] else b""
        finally:
            ffi.release(call)
        return m.response.decode(data)


_tls = threading.local()
_OUT_TYPES = [ffi.typeof(t) for t in (
    "struct hdfs_nn_call **", "const uint8_t **", "size_t *")]


def _new_out():
    return tuple(ffi.new(t) for t in _OUT_TYPES)


class rpc(_Client):
    """A blocking NameNode client; thread-safe (one connection shared by
    all threads, their calls overlapping on the wire).

    rpc(host, port=8020, user=None) -- user defaults to $HADOOP_USER_NAME,
    else the login name. Nothing connects until the first call. Timeouts are
    in seconds: connect_timeout (default 20), call_timeout (default none),
    retry_window (reconnecting after a lost connection, default 30),
    max_retries (resends of an idempotent call, default 10).

    HA: rpc(["nn1.example:8020", "nn2.example:8020"]) or rpc("nameservice")
    (without a port, a name listed in dfs.nameservices of the Hadoop
    configuration resolves to its NameNodes) fails over between them as
    Java's DFSClient does: StandbyException answers are resent to the next
    NameNode (any method), connect failures and lost connections move on too
    (resending idempotent/at-most-once calls). max_failovers (default 15),
    failover_sleep_base / failover_sleep_max (seconds, default 0.5 / 15)
    bound it; host/port say which NameNode is in use.

    token=Token or token_file=path authenticates with a delegation token
    (SASL TOKEN) and acts as its owner; without them, the token for this
    NameNode in the file $HADOOP_TOKEN_FILE_LOCATION names is used, ahead of
    Kerberos, as Java's login does. .token is the one in use (or None).

    real_user="gw" connects as the proxy user "gw" acting for `user` (the
    NameNode's hadoop.proxyuser.gw.hosts/groups rules decide; every
    permission check is `user`'s), as HttpFS impersonates its callers.

    Kerberos (SASL GSSAPI through the system's MIT GSS-API) is used when
    hadoop.security.authentication=kerberos in the Hadoop configuration, or
    kerberos=True, or any of: ccache (a ticket cache; default KRB5CCNAME),
    principal + keytab (keytab login, renewed before expiry),
    protection (hadoop.rpc.protection: "authentication", "integrity",
    "privacy" or a comma list in order of preference), server_principal
    (dfs.namenode.kerberos.principal, "nn/_HOST@REALM"). The NameNode then
    knows the client as its principal (user= names a user to act for, as
    a proxy); kerberos_principal says which. Failures (no or expired
    ticket, wrong realm, clock skew, no common protection) raise
    AuthenticationError (a PermissionError) naming the cause.

    Data transfer (the files opened on this client): data_cipher_suites
    (dfs.encrypt.data.transfer.cipher.suites: "AES/CTR/NoPadding" asks
    the DataNodes of a cluster with dfs.encrypt.data.transfer for AES/CTR)
    and data_protection (dfs.data.transfer.protection: a SASL handshake
    keyed by the block token), both from the configuration when None.

    HDFS v1 (Hadoop 1.x): protocol=80 returns the v1 client
    (hadoofus._rpc_v1.rpc_v1); without protocol= the first client of a
    single host:port connects at once, and a server that closes that v2
    handshake unanswered (as 1.x does) is asked in v1, once per address
    and process (protocol=9 skips that).
    """

    def __new__(cls, host=None, port=None, user=None, *, protocol=None, **kw):
        if cls is rpc and protocol != 9 and _V1_FACTORY is not None:
            v1 = _V1_FACTORY(host, port, user, protocol, kw)
            if v1 is not None:
                return v1
        return super().__new__(cls)

    def __init__(self, host, port=None, user=None, *, protocol=None, **kw):
        if self.__dict__.get("_probed"):
            return      # made (and connected) by the generation check in __new__
        if protocol not in (None, 9):
            raise InvalidArgumentError("protocol must be 80 (HDFS v1) or 9 (v2): %r"
                                       % (protocol,))
        super().__init__(host, port, user, **kw)

    def connect(self):
        """Connect now (else the first call does)."""
        _check(lib.hdfs_namenode_connect(self._nn), self._nn)
        return self

    def close(self):
        """Close the connection: pending calls fail with HandleClosedError
        and later ones are refused. Idempotent."""
        if not self._closed:
            self._closed = True
            lib.hdfs_namenode_close(self._nn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _roundtrip(self, method, request):
        m = METHODS.get(method)
        if m is None:
            raise InvalidArgumentError("unknown ClientProtocol method %r" % method)
        data = m.request.encode(request)
        # One crossing into C (submit + wait, the GIL released); the call
        # is freed here, not by the garbage collector. The out-parameters
        # come from a per-thread free list (ffi.new costs more than the
        # rest of this function), taken and given back so that a nested
        # call on this thread (a signal handler, a finalizer) gets its own.
        try:
            out = _tls.free.pop()
        except AttributeError:
            _tls.free = []
            out = _new_out()
        except IndexError:
            out = _new_out()
        p, body, n = out
        rc = lib.hdfs_namenode_call_raw(self._nn, m.cname, data, len(data), -1,
                                        p, body, n)
        call = p[0]
        try:
            if rc < 0:
                raise errors._error(rc, call if call != ffi.NULL else self._nn)
            data = ffi.buffer(body[0], n[0])[:]
        finally:
            lib.hdfs_nn_call_free(call)
            _tls.free.append(out)
        return m.response.decode(data)

    def _run(self, gen):
        try:
            step = next(gen)
            while True:
                try:
                    resp = self._roundtrip(*step)
                except HadoofusError as e:
                    step = gen.throw(e)
                else:
                    step = gen.send(resp)
        except StopIteration as e:
            return e.value

    def call(self, method, request=None, **fields):
        """Call any ClientProtocol method by name with its request fields
        (proto names); returns the decoded response message."""
        return self._run(self._generic(method, _build(method, request, fields)))

    def submit(self, method, *args, **kwargs):
        """Start a call without waiting: a Future. `method` is a wrapped
        method's name (arguments as for that method) or any other
        ClientProtocol method (keyword request fields; the Future then
        yields the response message)."""
        entry = _OPS.get(method)
        if entry is not None and not method.startswith("_"):
            gen, amap = entry
            return Future(self, gen(self, *args, **_norm_kw(method, kwargs, amap)))
        if args:
            raise ArgumentTypeError("%s: pass request fields as keywords" % method)
        return Future(self, self._generic(method, kwargs))

    def pipeline(self):
        """A Pipeline: its methods submit at once and return Futures."""
        return Pipeline(self)

    def getListingIter(self, src, startAfter=b"", needLocation=False, *,
                       start_after=None, need_location=None):
        """Iterate over a directory's entries, one page (one call) at a time."""
        if start_after is not None:
            startAfter = start_after
        if need_location is not None:
            needLocation = need_location
        src = _path(src)
        start = startAfter.encode() if isinstance(startAfter, str) else bytes(startAfter)
        return self._listing_iter(src, start, bool(needLocation))

    def _listing_iter(self, src, start, need):
        first = True
        while True:
            dl = self._run(self._listingPage(src, start, need))
            if dl is None:
                if first:
                    raise _missing(src)
                return
            first = False
            page = dl.partialListing
            yield from page
            if not dl.remainingEntries or not page:
                return
            start = page[-1].local_name_bytes


class Future:
    """One pipelined op: submitted when created, finished by result().

    Arguments are checked (and the first request encoded) when the Future
    is made, so mistakes raise there and nothing is sent. Errors of the
    call itself are raised by result()."""

    def __init__(self, client, gen):
        self._client = client
        self._gen = gen
        self._lock = threading.Lock()
        self._call = None
        self._m = None
        self._done = False
        self._value = None
        self._exc = None
        try:
            step = next(gen)
        except StopIteration as e:
            self._done, self._value = True, e.value
            return
        m, data = client._prepare(*step)
        try:
            self._call, self._m = client._submit(m, data), m
        except HadoofusError as e:
            self._advance(None, e)

    def _advance(self, resp, exc):
        """Feed the op its response (or error) and send its next request."""
        while True:
            try:
                step = self._gen.throw(exc) if exc is not None else self._gen.send(resp)
            except StopIteration as e:
                self._done, self._value = True, e.value
                return
            except Exception as e:
                self._done, self._exc = True, e
                return
            try:
                m, data = self._client._prepare(*step)
                self._call, self._m = self._client._submit(m, data), m
                return
            except Exception as e:
                resp, exc = None, e

    def _complete(self, rc):
        call, m = self._call, self._m
        self._call = self._m = None
        try:
            resp = self._client._finish(call, rc, m)
        except Exception as e:
            self._advance(None, e)
        else:
            self._advance(resp, None)

    def result(self, timeout=None):
        """Wait for the op and return its result (or raise its error). A
        timeout (seconds) raises TimeoutError and leaves the call running."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self._lock.acquire(timeout=-1 if timeout is None else max(timeout, 0)):
            raise errors.TimeoutError("result() timed out")
        try:
            while not self._done:
                if deadline is None:
                    rc = lib.hdfs_nn_call_wait(self._call, -1)
                else:
                    ms = int((deadline - time.monotonic()) * 1000)
                    if ms > 0:
                        rc = lib.hdfs_nn_call_wait(self._call, ms)
                    else:
                        rc = lib.hdfs_nn_call_status(self._call)
                    if rc in (lib.HDFS_ETIMEDOUT, lib.HDFS_EAGAIN) and \
                            lib.hdfs_nn_call_status(self._call) == lib.HDFS_EAGAIN:
                        raise errors.TimeoutError("result() timed out")
                self._complete(rc)
        finally:
            self._lock.release()
        if self._exc is not None:
            raise self._exc
        return self._value

    def exception(self, timeout=None):
        try:
            self.result(timeout)
        except builtins.TimeoutError:
            if not self._done:
                raise
        except Exception as e:
            return e
        return self._exc

    def done(self):
        """True once result() would not block (advancing a finished call)."""
        with self._lock:
            while not self._done:
                rc = lib.hdfs_nn_call_status(self._call)
                if rc == lib.HDFS_EAGAIN:
                    return False
                self._complete(rc)
            return True

    def __repr__(self):
        state = "pending" if not self._done else (
            "error %r" % self._exc if self._exc is not None else "done")
        return "<Future %s>" % state


class Pipeline:
    """Submit many ops back to back; each method returns a Future.

        with nn.pipeline() as p:
            futs = [p.mkdirs("/d/%d" % i) for i in range(1000)]
        assert all(f.result() for f in futs)

    Leaving the with-block waits for every Future (errors stay in them)."""

    def __init__(self, client):
        self._client = client
        self.futures = []

    def call(self, method, request=None, **fields):
        f = Future(self._client, self._client._generic(method, _build(method, request, fields)))
        self.futures.append(f)
        return f

    def wait(self):
        for f in self.futures:
            try:
                f.result()
            except Exception:
                pass

    def results(self):
        """Every Future's result, in order (raises the first error)."""
        return [f.result() for f in self.futures]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.wait()

    def __len__(self):
        return len(self.futures)


def _sync_method(name, gen, amap):
    def method(self, *args, **kwargs):
        if kwargs:
            kwargs = _norm_kw(name, kwargs, amap)
        return self._run(gen(self, *args, **kwargs))
    functools.update_wrapper(method, gen)
    return method


def _pipeline_method(name, gen, amap):
    def method(self, *args, **kwargs):
        f = Future(self._client, gen(self._client, *args, **_norm_kw(name, kwargs, amap)))
        self.futures.append(f)
        return f
    functools.update_wrapper(method, gen)
    return method


for _name, (_gen, _amap) in _OPS.items():
    if not _name.startswith("_"):
        setattr(rpc, _name, _sync_method(_name, _gen, _amap))
        setattr(Pipeline, _name, _pipeline_method(_name, _gen, _amap))
del _name, _gen, _amap
