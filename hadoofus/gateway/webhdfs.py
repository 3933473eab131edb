"""WebHDFS v1 (`/webhdfs/v1/<PATH>?op=...`) as HttpFS serves it.

JSON shapes, parameter names, defaults and error bodies follow Hadoop's
WebHDFS.md; data moves the way HttpFS moves it, through this server: OPEN
answers 200 with the bytes itself, CREATE/APPEND without `data=true` answer
307 to the same URL plus `data=true` (`noredirect=true`: 200
{"Location": URL}), and the upload with `data=true` must be
`Content-Type: application/octet-stream`.

Parameter names and op names are case-insensitive, as Java's WebHDFS
parses them. Errors are {"RemoteException": {"exception", "javaClassName",
"message"}} with WebHDFS's status codes: 400 IllegalArgumentException and
UnsupportedOperationException, 401 SecurityException, 404
FileNotFoundException, 403 any other IOException (every NameNode error),
503 when the NameNode cannot be reached, 500 anything unexpected.

Beyond issue 9's list, the read-only ops Hadoop 3's clients ask for answer
too: GETFILEBLOCKLOCATIONS, GETSERVERDEFAULTS, GETLINKTARGET,
GETFILELINKSTATUS, GETSTATUS, and SETQUOTABYSTORAGETYPE.

Where Hadoop 2.7's NameNode lacks a call, the answer says so: GETQUOTAUSAGE
is computed from getContentSummary, GETSTORAGEPOLICY as 2.8 computes it
(the policy id read as the gateway's user: 2.7 shows it to superusers
only), UNSETSTORAGEPOLICY answers 400 UnsupportedOperationException
naming the missing NameNode call.

Entry points for app.py: `handle(req, gw)` and `render_error(err, req)`.
The JSON shaping is plain functions (file_status, content_summary, ...) of
hadoofus result objects.
"""

import base64
import binascii
import json
import logging
import urllib.parse

from .. import easy, errors
from ..types import Token
from .hdfs import kind
from .http import (ClientDisconnected, HttpError, empty_response, json_array_response,
                   json_response, redirect, remote_exception_response, stream_response)

log = logging.getLogger("hadoofus.gateway.webhdfs")

PREFIX = "/webhdfs/v1"

_LONG_MAX = (1 << 63) - 1
_ACL_BIT = 1 << 12          # FsPermissionExtension bits in 2.x permissions
_ENC_BIT = 1 << 13
_HAS_ACL, _HAS_CRYPT, _HAS_EC = 0x01, 0x02, 0x04   # HdfsFileStatusProto.Flags (3.x)
_UPLOAD_TYPE = "application/octet-stream"
_DIGITS = {8: "01234567", 10: "0123456789"}


# --- JSON shaping ------------------------------------------------------------

def _enum_name(v):
    return getattr(v, "name", str(v))


def _signed(v):
    """A Java long sent as uint64 (quotas: -1 = none)."""
    return v - (1 << 64) if v >= 1 << 63 else v


def permission_string(perm):
    """WebHDFS's permission: octal digits of the mode and sticky bit ("755", "1777")."""
    return "%o" % (perm & 0o1777)


def file_status(st, suffix=None):
    """A FileStatus JSON object (keys sorted, as Java's TreeMap) of a
    hadoofus FileStatus; `suffix` overrides pathSuffix (the local name)."""
    raw_perm = st.permission
    flags = st.__dict__.get("flags", 0) or 0
    m = {
        "accessTime": st.atime,
        "blockSize": st.blocksize,
        "childrenNum": st.childrenNum,
        "fileId": st.fileId,
        "group": st.group,
        "length": st.length,
        "modificationTime": st.mtime,
        "owner": st.owner,
        "pathSuffix": st.path if suffix is None else suffix,
        "permission": permission_string(raw_perm),
        "replication": st.replication,
        "storagePolicy": st.storagePolicy,
        "type": kind(st),
    }
    if st.is_symlink:
        m["symlink"] = st.symlink
    if raw_perm & _ACL_BIT or flags & _HAS_ACL:
        m["aclBit"] = True
    if raw_perm & _ENC_BIT or flags & _HAS_CRYPT:
        m["encBit"] = True
    if flags & _HAS_EC:
        m["ecBit"] = True
    return m


def file_statuses(statuses):
    return {"FileStatuses": {"FileStatus": [file_status(s) for s in statuses]}}


def directory_listing(page, remaining):
    return {"DirectoryListing": {"partialListing": file_statuses(page),
                                 "remainingEntries": remaining}}


def _type_quota(infos):
    """typeQuota: {"DISK": {"consumed", "quota"}} for the types with a quota."""
    out = {}
    for t in (infos.typeQuotaInfo if infos is not None else ()):
        quota = _signed(t.quota)
        if quota != -1:
            out[_enum_name(t.type)] = {"consumed": t.consumed, "quota": quota}
    return out


def content_summary(cs):
    return {"ContentSummary": {
        "directoryCount": cs.directoryCount,
        "fileCount": cs.fileCount,
        "length": cs.length,
        "quota": _signed(cs.__dict__.get("quota", 0)),
        "spaceConsumed": cs.spaceConsumed,
        "spaceQuota": _signed(cs.__dict__.get("spaceQuota", 0)),
        "typeQuota": _type_quota(cs.typeQuotaInfos),
    }}


def quota_usage(q):
    """QuotaUsage from a QuotaUsageProto, or from a ContentSummary (the
    NameNode before 2.8 has no getQuotaUsage; Java derives it the same way)."""
    if hasattr(q, "fileAndDirectoryCount"):
        count = q.fileAndDirectoryCount
    else:
        count = q.fileCount + q.directoryCount
    return {"QuotaUsage": {
        "fileAndDirectoryCount": count,
        "quota": _signed(q.__dict__.get("quota", 0)),
        "spaceConsumed": q.spaceConsumed,
        "spaceQuota": _signed(q.__dict__.get("spaceQuota", 0)),
        "typeQuota": _type_quota(q.typeQuotaInfos),
    }}


def acl_status(a, perm=None):
    """AclStatus; `perm` (the file's mode) fills in "permission" when the
    NameNode's answer has none."""
    p = a.permission if a.permission is not None else perm
    m = {"entries": [str(e) for e in a.entries], "group": a.group,
         "owner": a.owner, "stickyBit": bool(a.sticky)}
    if p is not None:
        m["permission"] = permission_string(p)
    return {"AclStatus": m}


def encode_xattr_value(value, encoding):
    """Java's XAttrCodec.encodeValue: "0x<hex>", "0s<base64>", or the text
    in double quotes."""
    value = value or b""
    if encoding == "HEX":
        return "0x" + value.hex()
    if encoding == "BASE64":
        return "0s" + base64.b64encode(value).decode()
    return '"%s"' % value.decode("utf-8", "replace")


def decode_xattr_value(text):
    """Java's XAttrCodec.decodeValue: quoted text, 0x hex, 0s base64, or raw text."""
    if text is None:
        return b""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].encode()
    head = text[:2].lower()
    try:
        if head == "0x":
            return bytes.fromhex(text[2:])
        if head == "0s":
            return base64.b64decode(text[2:], validate=True)
    except (ValueError, binascii.Error):
        raise _bad("xattr.value", text) from None
    return text.encode()


def xattrs(values, encoding):
    return {"XAttrs": [{"name": n, "value": encode_xattr_value(v, encoding)}
                       for n, v in values.items()]}


def xattr_names(names):
    # A JSON array serialised into a string, as WebHDFS.md shows.
    return {"XAttrNames": json.dumps(list(names), separators=(",", ":"))}


def _types(tp):
    return [] if tp is None else [_enum_name(t) for t in tp.storageTypes]


def storage_policy(p):
    return {
        "copyOnCreateFile": bool(p.__dict__.get("copyOnCreateFile", p.name == "LAZY_PERSIST")),
        "creationFallbacks": _types(p.creationFallbackPolicy),
        "id": p.policyId,
        "name": p.name,
        "replicationFallbacks": _types(p.replicationFallbackPolicy),
        "storageTypes": _types(p.creationPolicy),
    }


def storage_policies(policies):
    return {"BlockStoragePolicies": {"BlockStoragePolicy":
                                     [storage_policy(p) for p in policies]}}


_DIFF_TYPES = {"+": "CREATE", "M": "MODIFY", "-": "DELETE", "R": "RENAME"}


def snapshot_diff(report):
    entries = []
    for e in report.entries:
        m = {"sourcePath": e.path, "type": _DIFF_TYPES.get(e.type, e.type)}
        if e.target is not None:
            m["targetPath"] = e.target
        entries.append(m)
    return {"SnapshotDiffReport": {"diffList": entries,
                                   "fromSnapshot": report.fromSnapshot,
                                   "snapshotRoot": report.snapshotRoot,
                                   "toSnapshot": report.toSnapshot}}


def snapshottable_list(dirs):
    return {"SnapshottableDirectoryList": [{
        "dirStatus": file_status(d.dirStatus),
        "parentFullPath": d.parent_fullpath.decode("utf-8", "surrogateescape"),
        "snapshotNumber": d.snapshot_number,
        "snapshotQuota": d.snapshot_quota,
    } for d in dirs]}


def file_checksum(ck):
    return {"FileChecksum": {"algorithm": ck.algorithm, "bytes": ck.hex(),
                             "length": ck.length}}


def block_locations(blocks):
    """BlockLocations as Java's BlockLocation describes each block: names
    and topologyPaths use the DataNode's transfer address."""
    out = []
    for b in blocks:
        names = ["%s:%d" % (d.ipAddr, d.xferPort) for d in b.locs]
        cached = [d.hostName for d, c in zip(b.locs, b.isCached) if c]
        out.append({
            "cachedHosts": cached,
            "corrupt": bool(b.corrupt),
            "hosts": [d.hostName for d in b.locs],
            "length": b.length,
            "names": names,
            "offset": b.offset,
            "storageTypes": [_enum_name(t) for t in b.storageTypes],
            "topologyPaths": ["%s/%s" % (d.__dict__.get("location") or "/default-rack", n)
                              for d, n in zip(b.locs, names)],
        })
    return {"BlockLocations": {"BlockLocation": out}}


def server_defaults(d):
    return {"FsServerDefaults": {
        "blockSize": d.blockSize,
        "bytesPerChecksum": d.bytesPerChecksum,
        "checksumType": int(d.checksumType),
        "defaultStoragePolicyId": d.policyId,
        "encryptDataTransfer": bool(d.encryptDataTransfer),
        "fileBufferSize": d.fileBufferSize,
        "keyProviderUri": d.keyProviderUri or "",
        "replication": d.replication,
        "trashInterval": d.trashInterval,
        "writePacketSize": d.writePacketSize,
    }}


# --- errors --------------------------------------------------------------------

_400 = ("IllegalArgumentException", "HadoopIllegalArgumentException",
        "InvalidPathException", "UnsupportedOperationException")


def to_http_error(exc):
    """The HttpError (WebHDFS status, Java class) for an exception."""
    if isinstance(exc, HttpError):
        return exc
    if isinstance(exc, errors.ProtocolException):
        simple = exc.simple_name
        if simple == "FileNotFoundException" or isinstance(exc, FileNotFoundError):
            status = 404
        elif simple in _400:
            status = 400
        elif simple == "SecurityException":
            status = 401
        else:
            status = 403
        return HttpError(status, exc.etype, exc.message or simple)
    if isinstance(exc, (ValueError, TypeError)) and not isinstance(exc, errors.HandleClosedError):
        return HttpError(400, "IllegalArgumentException", str(exc))
    if isinstance(exc, errors.AuthenticationError) and "InvalidToken" in str(exc):
        # A delegation= token the NameNode refused (cancelled, expired,
        # unknown): WebHDFS's 403 InvalidToken.
        return HttpError(403, "InvalidToken", str(exc))
    if isinstance(exc, FileNotFoundError):
        return HttpError(404, "FileNotFoundException", str(exc))
    if isinstance(exc, PermissionError):
        return HttpError(403, "AccessControlException", str(exc))
    if isinstance(exc, (errors.ConnectionError, errors.TimeoutError)):
        # The NameNode is unreachable: a retry later may succeed.
        return HttpError(503, "IOException", str(exc) or type(exc).__name__)
    if isinstance(exc, errors.HadoofusError):
        return HttpError(500, "IOException", str(exc) or type(exc).__name__)
    log.exception("webhdfs: unexpected error")
    return HttpError(500, "java.lang.RuntimeException", "%s: %s" % (type(exc).__name__, exc))


def render_error(err, req=None):
    """The RemoteException JSON answer for an HttpError (app.py's hook)."""
    return remote_exception_response(err)


def _bad(name, value, why=None):
    msg = 'Invalid value for webhdfs parameter "%s": %s' % (
        name, why or "%r is not valid" % (value,))
    return HttpError(400, "IllegalArgumentException", msg)


def _abs_path(name, v):
    """A path parameter as Java's Path keeps it: absolute, "//" and a
    trailing "/" dropped ("." and ".." are the NameNode's to refuse)."""
    if not v.startswith("/"):
        raise _bad(name, v, "%s is not an absolute path" % v)
    return "/" + "/".join(p for p in v.split("/") if p)


def _not_found(path):
    return HttpError(404, "java.io.FileNotFoundException", "File does not exist: %s" % path)


def _unsupported(op, method):
    return HttpError(400, "IllegalArgumentException",
                     'Invalid value for webhdfs parameter "op": No enum constant '
                     'org.apache.hadoop.hdfs.web.resources.%sOpParam.Op.%s'
                     % (method.capitalize(), op))


# --- parameters ----------------------------------------------------------------

class _Params:
    """The query with lower-cased names. Every value of a repeated name
    (GETXATTRS takes several xattr.name) is kept when the request carries
    its raw query string (req.raw_query); req.query has the first only."""

    def __init__(self, req):
        raw = getattr(req, "raw_query", None)
        if raw is not None:
            if isinstance(raw, bytes):
                raw = raw.decode("latin-1")
            pairs = urllib.parse.parse_qsl(raw, keep_blank_values=True)
        else:
            pairs = list(req.query.items())
        self.pairs = pairs
        self.all = {}
        for k, v in pairs:
            self.all.setdefault(k.lower(), []).append(v)

    def get(self, name, default=None):
        vs = self.all.get(name)
        return vs[0] if vs else default

    def values(self, name):
        return list(self.all.get(name, ()))

    def required(self, name):
        v = self.get(name)
        if v is None or v == "":
            raise _bad(name, v, "a value is required")
        return v

    def bool(self, name, default=False):
        v = self.get(name)
        if v is None or v == "":
            return default
        low = v.lower()
        if low not in ("true", "false"):
            raise _bad(name, v, 'Failed to parse "%s" to Boolean.' % v)
        return low == "true"

    def long(self, name, default=None, lo=None, hi=_LONG_MAX, radix=10):
        v = self.get(name)
        if v is None or v == "":
            return default
        # Java's Long.parseLong: an optional sign and digits, nothing else
        # (Python's int() would take spaces and "1_000" too).
        digits = v[1:] if v[:1] in "+-" else v
        if not digits or digits.strip(_DIGITS[radix]):
            raise _bad(name, v, 'Failed to parse "%s" as a radix-%d integer.' % (v, radix))
        n = int(v, radix)
        if (lo is not None and n < lo) or n > hi:
            raise _bad(name, v, "%s is out of range" % v)
        return n

    def permission(self, name="permission", default=None):
        """An octal mode, 0 to 1777 (the sticky bit is the only extra)."""
        return self.long(name, default, 0, 0o1777, radix=8)

    def path(self, name):
        return _abs_path(name, self.required(name))


# --- the ops -------------------------------------------------------------------

class _Op:
    """One request's context for the op handlers."""

    def __init__(self, req, gw, q):
        self.req = req
        self.gw = gw
        self.q = q
        self.user = req.user
        self.path = req.path

    async def call(self, method, *args, **kw):
        return await self.gw.hdfs.call(self.user, method, *args, **kw)

    async def status(self):
        st = await self.call("getFileInfo", self.path)
        if st is None:
            raise _not_found(self.path)
        return st

    def url(self, pairs=None):
        """This request's URL: base, /webhdfs/v1, the path quoted, then `pairs`."""
        u = self.req.base_url + PREFIX + urllib.parse.quote(self.path, safe="/")
        if pairs:
            u += "?" + urllib.parse.urlencode(pairs)
        return u


def _ok_json(obj):
    return json_response(200, obj)


def _boolean(b):
    return _ok_json({"boolean": bool(b)})


# GET

async def _open(op):
    q = op.q
    offset = q.long("offset", 0, lo=0)
    length = q.long("length", None, lo=0)
    q.long("buffersize", None, lo=1)
    if q.bool("noredirect"):
        return _ok_json({"Location": op.url(_without(q.pairs, "noredirect"))})
    try:
        stream = await op.gw.hdfs.read(op.user, op.path, offset, -1 if length is None else length)
    except ValueError:
        # Only an offset past the end gets here (the others are checked above).
        raise HttpError(403, "java.io.EOFException", "Cannot seek after EOF") from None
    if op.req.method == "HEAD":
        # The headers only: the server would drop the bytes, so read none.
        await stream.aclose()
        return stream_response(200, _nothing(), _UPLOAD_TYPE, length=stream.length)
    return stream_response(200, stream, _UPLOAD_TYPE, length=stream.length)


async def _nothing():
    return
    yield


async def _getfilestatus(op):
    return _ok_json({"FileStatus": file_status(await op.status(), suffix="")})


async def _liststatus(op):
    # A file lists as itself (pathSuffix ""), as the NameNode answers.
    # Streamed page by page: the bytes of _ok_json(file_statuses(all)).
    return json_array_response(await op.gw.hdfs.listing(op.user, op.path),
                               lambda page: [file_status(s) for s in page],
                               head='{"FileStatuses":{"FileStatus":[', tail="]}}")


async def _liststatus_batch(op):
    start = op.q.get("startafter", "")
    dl = (await op.call("call", "getListing", src=op.path, needLocation=False,
                        startAfter=start.encode("utf-8", "surrogateescape"))).dirList
    if dl is None:
        raise _not_found(op.path)
    return _ok_json(directory_listing(dl.partialListing, dl.remainingEntries))


async def _getcontentsummary(op):
    return _ok_json(content_summary(await op.call("getContentSummary", op.path)))


async def _getquotausage(op):
    try:
        q = await op.call("call", "getQuotaUsage", path=op.path)
        q = q.usage
    except errors.RpcNoSuchMethodException:
        q = await op.call("getContentSummary", op.path)
    return _ok_json(quota_usage(q))


async def _getfilechecksum(op):
    if op.q.bool("noredirect"):
        return _ok_json({"Location": op.url(_without(op.q.pairs, "noredirect"))})
    ck = await op.gw.hdfs.run(op.user, _checksum, op.path)
    return _ok_json(file_checksum(ck))


def _checksum(fs, path):
    return easy.checksum(path, fs=fs)


def _home(user):
    return "/user/%s" % user


async def _gethomedirectory(op):
    return _ok_json({"Path": _home(op.user)})


async def _gettrashroot(op):
    return _ok_json({"Path": _home(op.user) + "/.Trash"})


async def _getaclstatus(op):
    a = await op.call("getAclStatus", op.path)
    perm = None
    if a.permission is None:
        perm = (await op.status()).permission
    return _ok_json(acl_status(a, perm))


_ENCODINGS = ("TEXT", "HEX", "BASE64")


async def _getxattrs(op):
    enc = (op.q.get("encoding") or "TEXT").upper()
    if enc not in _ENCODINGS:
        raise _bad("encoding", enc, "must be one of text, hex, base64")
    names = op.q.values("xattr.name")
    values = await op.call("getXAttrs", op.path, names or None)
    return _ok_json(xattrs(values, enc))


async def _listxattrs(op):
    return _ok_json(xattr_names(await op.call("listXAttrs", op.path)))


async def _checkaccess(op):
    mode = op.q.required("fsaction")
    if len(mode) != 3 or any(c not in "-" + s for c, s in zip(mode, "rwx")):
        raise _bad("fsaction", mode, 'must match "[r-][w-][x-]"')
    await op.call("checkAccess", op.path, mode)
    return empty_response(200)


_HOT = 7   # BlockStoragePolicySuite's default policy id


async def _getstoragepolicy(op):
    try:
        p = (await op.call("call", "getStoragePolicy", path=op.path)).storagePolicy
    except errors.RpcNoSuchMethodException:
        p = await _storage_policy_before_28(op)
    return _ok_json({"BlockStoragePolicy": storage_policy(p)})


async def _storage_policy_before_28(op):
    """The effective policy as 2.8's getStoragePolicy computes it. A 2.7
    NameNode shows a file's policy id to superusers only (0 to others), so
    after the caller's own lookup (its permission check) the id is asked for
    as the gateway's user."""
    pid = (await op.status()).storagePolicy
    if not pid and str(op.user) != op.gw.hdfs.gateway_user:
        st = await op.gw.hdfs.call(op.gw.hdfs.gateway_user, "getFileInfo", op.path)
        pid = st.storagePolicy if st is not None else 0
    for p in await op.call("getStoragePolicies"):
        if p.policyId == (pid or _HOT):
            return p
    raise HttpError(500, "IOException", "unknown storage policy id %d" % pid)


async def _getallstoragepolicy(op):
    return _ok_json(storage_policies(await op.call("getStoragePolicies")))


async def _getsnapshotdiff(op):
    old = op.q.get("oldsnapshotname") or ""
    new = op.q.get("snapshotname") or ""
    return _ok_json(snapshot_diff(await op.call("getSnapshotDiffReport", op.path, old, new)))


async def _getsnapshottabledirectorylist(op):
    return _ok_json(snapshottable_list(await op.call("getSnapshottableDirListing")))


async def _getfileblocklocations(op):
    offset = op.q.long("offset", 0, lo=0)
    length = op.q.long("length", None, lo=0) or None    # 0 or none: to the end
    lbs = await op.call("getBlockLocations", op.path, offset, length)
    if lbs is None:
        raise _not_found(op.path)
    return _ok_json(block_locations(lbs.blocks))


async def _getserverdefaults(op):
    return _ok_json(server_defaults(await op.call("getServerDefaults")))


async def _getlinktarget(op):
    target = await op.call("getLinkTarget", op.path)
    if target is None:
        raise _not_found(op.path)
    return _ok_json({"Path": target})


async def _getfilelinkstatus(op):
    st = await op.call("getFileLinkInfo", op.path)
    if st is None:
        raise _not_found(op.path)
    return _ok_json({"FileStatus": file_status(st, suffix="")})


async def _getstatus(op):
    s = await op.call("getFsStats")
    return _ok_json({"FsStatus": {"capacity": s.capacity, "remaining": s.remaining,
                                  "used": s.used}})


# Delegation tokens: the NameNode's own HDFS_DELEGATION_TOKEN, obtained,
# renewed and cancelled as the caller (the gateway connects as its proxy,
# so the NameNode's renewer and canceller checks are the caller's). Only a
# caller Kerberos vouches for (SPNEGO or its cookie) may: a token must not
# beget tokens, and the NameNode refuses tokens to simple-auth callers.

def _kerberos_caller(op, name):
    if getattr(op.user, "auth_method", None) != "kerberos":
        raise HttpError(403, "AccessControlException",
                        "%s needs Kerberos (SPNEGO) authentication" % name)


def _token_param(op):
    tok = op.q.required("token")
    try:
        return Token.decode_url_string(tok)
    except Exception:  # noqa: BLE001  (any malformed string is the caller's error)
        raise _bad("token", tok, "not a token URL string") from None


async def _getdelegationtoken(op):
    _kerberos_caller(op, "GETDELEGATIONTOKEN")
    renewer = op.q.get("renewer") or str(op.user)
    tok = await op.call("getDelegationToken", renewer)
    if tok is None:
        raise HttpError(403, "IOException", "the NameNode issues no delegation tokens "
                        "(security is off)")
    return _ok_json({"Token": {"urlString": tok.encode_url_string()}})


async def _renewdelegationtoken(op):
    _kerberos_caller(op, "RENEWDELEGATIONTOKEN")
    return _ok_json({"long": await op.call("renewDelegationToken", _token_param(op))})


async def _canceldelegationtoken(op):
    _kerberos_caller(op, "CANCELDELEGATIONTOKEN")
    await op.call("cancelDelegationToken", _token_param(op))
    op.gw.hdfs.forget_token(op.q.get("token"))
    return empty_response(200)


# PUT

def _check_upload(op):
    ctype = op.req.headers.get("content-type", "")
    if ctype.split(";", 1)[0].strip().lower() != _UPLOAD_TYPE:
        raise HttpError(400, "IllegalArgumentException",
                        "Data upload requests must have content-type set to '%s'"
                        % _UPLOAD_TYPE)


def _without(pairs, *names):
    drop = set(names)
    return [(k, v) for k, v in pairs if k.lower() not in drop]


def _upload_redirect(op, opname):
    """The 307 (or noredirect's 200) to this URL with data=true."""
    pairs = [("op", opname)] + _without(op.q.pairs, "op", "data", "noredirect")
    pairs.append(("data", "true"))
    location = op.url(pairs)
    if op.q.bool("noredirect"):
        return _ok_json({"Location": location})
    return redirect(location)


async def _create(op):
    q = op.q
    overwrite = q.bool("overwrite", False)
    replication = q.long("replication", None, lo=1, hi=32767)
    blocksize = q.long("blocksize", None, lo=1)
    permission = q.permission("permission", 0o644)
    q.long("buffersize", None, lo=1)
    if not q.bool("data") or q.bool("noredirect"):
        return _upload_redirect(op, "CREATE")
    _check_upload(op)
    await op.gw.hdfs.write(op.user, op.path, op.req.body(), append=False,
                           overwrite=overwrite, replication=replication,
                           blocksize=blocksize, permission=permission)
    location = op.url()
    return json_response(201, {"Location": location}, [("location", location)])


async def _mkdirs(op):
    perm = op.q.permission("permission", 0o755)
    return _boolean(await op.call("mkdirs", op.path, perm, True))


async def _createsymlink(op):
    target = op.q.path("destination")
    parent = op.q.bool("createparent", True)
    await op.call("createSymlink", target, op.path, 0o755, parent)
    return empty_response(200)


async def _rename(op):
    dst = op.q.path("destination")
    options = (op.q.get("renameoptions") or "").upper()
    if options and options not in ("NONE", "OVERWRITE"):
        raise _bad("renameoptions", options, "must be NONE or OVERWRITE")
    if options:
        await op.call("rename2", op.path, dst, options == "OVERWRITE")
        return _boolean(True)
    return _boolean(await op.call("rename", op.path, dst))


async def _setreplication(op):
    repl = op.q.long("replication", None, lo=1, hi=32767)
    if repl is None:
        repl = (await op.call("getServerDefaults")).replication
    return _boolean(await op.call("setReplication", op.path, repl))


async def _setowner(op):
    owner = op.q.get("owner") or None
    group = op.q.get("group") or None
    if owner is None and group is None:
        raise HttpError(400, "IllegalArgumentException", "Both owner and group are empty.")
    await op.call("setOwner", op.path, owner, group)
    return empty_response(200)


async def _setpermission(op):
    await op.call("setPermission", op.path, op.q.permission("permission", 0o755))
    return empty_response(200)


async def _settimes(op):
    mtime = op.q.long("modificationtime", -1, lo=-1)
    atime = op.q.long("accesstime", -1, lo=-1)
    await op.call("setTimes", op.path, mtime, atime)
    return empty_response(200)


def _acl_op(method, spec=True):
    async def run(op):
        if spec:
            await op.call(method, op.path, op.q.required("aclspec"))
        else:
            await op.call(method, op.path)
        return empty_response(200)
    return run


async def _setxattr(op):
    name = op.q.required("xattr.name")
    value = decode_xattr_value(op.q.get("xattr.value"))
    flag = op.q.get("flag") or "CREATE,REPLACE"
    flags = [f.strip().upper() for f in flag.split(",") if f.strip()]
    if not flags or any(f not in ("CREATE", "REPLACE") for f in flags):
        raise _bad("flag", flag, "must be CREATE, REPLACE or both")
    await op.call("setXAttr", op.path, name, value, flags)
    return empty_response(200)


async def _removexattr(op):
    await op.call("removeXAttr", op.path, op.q.required("xattr.name"))
    return empty_response(200)


async def _createsnapshot(op):
    name = op.q.get("snapshotname") or None
    return _ok_json({"Path": await op.call("createSnapshot", op.path, name)})


async def _renamesnapshot(op):
    await op.call("renameSnapshot", op.path, op.q.required("oldsnapshotname"),
                  op.q.required("snapshotname"))
    return empty_response(200)


def _void_op(method):
    async def run(op):
        await op.call(method, op.path)
        return empty_response(200)
    return run


async def _setstoragepolicy(op):
    await op.call("setStoragePolicy", op.path, op.q.required("storagepolicy"))
    return empty_response(200)


def _quota(q, name):
    v = q.long(name, None, lo=-1)
    # Long.MAX_VALUE is WebHDFS's "leave as is" (HdfsConstants.QUOTA_DONT_SET).
    return None if v == _LONG_MAX else v


async def _setquota(op):
    ns = _quota(op.q, "namespacequota")
    ss = _quota(op.q, "storagespacequota")
    await op.call("setQuota", op.path, ns, ss)
    return empty_response(200)


async def _setquotabystoragetype(op):
    stype = op.q.required("storagetype").upper()
    ss = _quota(op.q, "storagespacequota")
    await op.call("setQuota", op.path, None, ss, stype)
    return empty_response(200)


# POST

async def _append(op):
    op.q.long("buffersize", None, lo=1)
    if not op.q.bool("data") or op.q.bool("noredirect"):
        return _upload_redirect(op, "APPEND")
    _check_upload(op)
    await op.gw.hdfs.write(op.user, op.path, op.req.body(), append=True)
    return empty_response(200)


async def _concat(op):
    sources = [_abs_path("sources", s) for s in op.q.required("sources").split(",") if s]
    await op.call("concat", op.path, sources)
    return empty_response(200)


async def _truncate(op):
    newlength = op.q.long("newlength", None, lo=0)
    if newlength is None:
        raise _bad("newlength", None, "a value is required")
    return _boolean(await op.call("truncate", op.path, newlength))


async def _unsetstoragepolicy(op):
    try:
        await op.call("call", "unsetStoragePolicy", src=op.path)
    except errors.RpcNoSuchMethodException:
        raise HttpError(400, "UnsupportedOperationException",
                        "UNSETSTORAGEPOLICY: the NameNode has no unsetStoragePolicy "
                        "call (Hadoop 2.8 added it)") from None
    return empty_response(200)


# DELETE

async def _delete(op):
    return _boolean(await op.call("delete", op.path, op.q.bool("recursive", False)))


async def _deletesnapshot(op):
    await op.call("deleteSnapshot", op.path, op.q.required("snapshotname"))
    return empty_response(200)


OPS = {
    "GET": {
        "OPEN": _open,
        "GETFILESTATUS": _getfilestatus,
        "LISTSTATUS": _liststatus,
        "LISTSTATUS_BATCH": _liststatus_batch,
        "GETCONTENTSUMMARY": _getcontentsummary,
        "GETQUOTAUSAGE": _getquotausage,
        "GETFILECHECKSUM": _getfilechecksum,
        "GETHOMEDIRECTORY": _gethomedirectory,
        "GETTRASHROOT": _gettrashroot,
        "GETACLSTATUS": _getaclstatus,
        "GETXATTRS": _getxattrs,
        "LISTXATTRS": _listxattrs,
        "CHECKACCESS": _checkaccess,
        "GETSTORAGEPOLICY": _getstoragepolicy,
        "GETALLSTORAGEPOLICY": _getallstoragepolicy,
        "GETSNAPSHOTDIFF": _getsnapshotdiff,
        "GETSNAPSHOTTABLEDIRECTORYLIST": _getsnapshottabledirectorylist,
        "GETFILEBLOCKLOCATIONS": _getfileblocklocations,
        "GETSERVERDEFAULTS": _getserverdefaults,
        "GETLINKTARGET": _getlinktarget,
        "GETFILELINKSTATUS": _getfilelinkstatus,
        "GETSTATUS": _getstatus,
        "GETDELEGATIONTOKEN": _getdelegationtoken,
    },
    "PUT": {
        "CREATE": _create,
        "MKDIRS": _mkdirs,
        "CREATESYMLINK": _createsymlink,
        "RENAME": _rename,
        "SETREPLICATION": _setreplication,
        "SETOWNER": _setowner,
        "SETPERMISSION": _setpermission,
        "SETTIMES": _settimes,
        "MODIFYACLENTRIES": _acl_op("modifyAclEntries"),
        "REMOVEACLENTRIES": _acl_op("removeAclEntries"),
        "REMOVEDEFAULTACL": _acl_op("removeDefaultAcl", spec=False),
        "REMOVEACL": _acl_op("removeAcl", spec=False),
        "SETACL": _acl_op("setAcl"),
        "SETXATTR": _setxattr,
        "REMOVEXATTR": _removexattr,
        "CREATESNAPSHOT": _createsnapshot,
        "RENAMESNAPSHOT": _renamesnapshot,
        "ALLOWSNAPSHOT": _void_op("allowSnapshot"),
        "DISALLOWSNAPSHOT": _void_op("disallowSnapshot"),
        "SETSTORAGEPOLICY": _setstoragepolicy,
        "SETQUOTA": _setquota,
        "SETQUOTABYSTORAGETYPE": _setquotabystoragetype,
        "RENEWDELEGATIONTOKEN": _renewdelegationtoken,
        "CANCELDELEGATIONTOKEN": _canceldelegationtoken,
    },
    "POST": {
        "APPEND": _append,
        "CONCAT": _concat,
        "TRUNCATE": _truncate,
        "UNSETSTORAGEPOLICY": _unsetstoragepolicy,
    },
    "DELETE": {
        "DELETE": _delete,
        "DELETESNAPSHOT": _deletesnapshot,
    },
}


async def handle(req, gw):
    """Answer one /webhdfs/v1 request (req.path is the HDFS path)."""
    try:
        q = _Params(req)
        name = q.get("op")
        if not name:
            raise HttpError(400, "IllegalArgumentException",
                            'Invalid value for webhdfs parameter "op": a value is required')
        name = name.upper()
        method = "GET" if req.method == "HEAD" else req.method
        fn = OPS.get(method, {}).get(name)
        if fn is None:
            raise _unsupported(name, method)
        return await fn(_Op(req, gw, q))
    except ClientDisconnected:
        raise               # nobody to answer: app.py logs it as such
    except Exception as e:  # noqa: BLE001  (every failure becomes a RemoteException)
        return render_error(to_http_error(e), req)
