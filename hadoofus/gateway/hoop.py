"""The Hoop REST API: http://HOST:14000/<PATH>?op=...[&user.name=U].

    GET    op=open (or no op)  read: offset (default 0), len (-1: to the end);
                               application/octet-stream, streamed
    GET    op=status           the path's status object
    GET    op=list             a JSON array of the children's status objects
                               (a file lists itself); filter=<glob>, Hadoop's
                               GlobFilter syntax, matched against names
    GET    op=homedir (or "/"  {"homeDir": "http://HOST:14000/user/<user>"}
           without op)
    POST   op=create           body = data; overwrite (default true),
                               replication, blocksize, permission (symbolic,
                               -rw-r--r--); 201 + Location, empty body
    POST   op=mkdirs           permission; {"mkdirs": true}
    PUT    op=append           body = data; 200, empty body
    PUT    op=rename&to=P      {"rename": true|false}
    PUT    op=setowner         owner, group (an absent one keeps its value)
    PUT    op=setpermission    permission (symbolic)
    PUT    op=settimes         mtime, atime (ms; an absent one keeps its value)
    PUT    op=setreplication   replication; {"setReplication": true|false}
    DELETE                     recursive (default false); {"delete": true|false}

Status objects: path (the full http URL of the file), isDir, len, owner,
group, permission ("-rw-r--r--", "drwxr-xr-x"), accessTime,
modificationTime (ms), blockSize, replication.

Errors: {"statusCode", "reason", "message", "exception"} (exception: the
Java class name) with 400 bad argument, 401 unauthenticated, 403 permission
denied, 404 not found, 409 already exists / not empty, 500 the unexpected.
"""

import re
from urllib.parse import quote

from . import hdfs as H
from .http import (HttpError, JAVA_CLASSES, empty_response, json_array_response,
                   json_response, normalise_path, stream_response)


def render_error(err, req=None):
    name = err.exception or "IOException"
    return json_response(err.status, {
        "statusCode": err.status,
        "reason": err.reason,
        "message": err.message,
        "exception": JAVA_CLASSES.get(name, name),
    }, err.headers)


# -- arguments ----------------------------------------------------------------

def bad(message):
    return HttpError(400, "IllegalArgumentException", message)


def int_param(req, name, default=None, lo=None):
    v = req.param(name)
    if v is None or v == "":
        return default
    try:
        n = int(v)
    except ValueError:
        raise bad("%s must be an integer: %r" % (name, v)) from None
    if lo is not None and n < lo:
        raise bad("%s must be >= %d: %d" % (name, lo, n))
    return n


def bool_param(req, name, default):
    v = req.param(name)
    if v is None or v == "":
        return default
    low = v.lower()
    if low in ("true", "false"):
        return low == "true"
    raise bad("%s must be true or false: %r" % (name, v))


_PERM = re.compile(r"[-dl]?([r-][w-][xsS-])([r-][w-][xsS-])([r-][w-][xtT-])")


def parse_permission(text):
    """Bits of a symbolic permission ("-rw-r--r--", "rwxr-x---", with s/S
    and t/T), or of an octal one ("644", as HttpFS also takes); None for
    "default"."""
    if text is None or text == "" or text == "default":
        return None
    if re.fullmatch(r"[0-7]{1,4}", text):
        return int(text, 8)
    m = _PERM.fullmatch(text)
    if m is None:
        raise bad("invalid permission %r (want e.g. -rw-r--r--)" % text)
    bits = 0
    for i, triplet in enumerate(m.groups()):
        shift = 6 - 3 * i
        bits |= (triplet[0] == "r") << (shift + 2)
        bits |= (triplet[1] == "w") << (shift + 1)
        x = triplet[2]
        bits |= (x in "xst") << shift
        if x in "sS":
            bits |= 0o4000 if i == 0 else 0o2000
        if x in "tT":
            bits |= 0o1000
    return bits


def glob_regex(pattern):
    """A compiled regex for Hadoop's GlobPattern syntax: * ? [set] [!set]
    [^set] {a,b} and backslash escapes."""
    out = []
    i, n, depth = 0, len(pattern), 0
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 1
            if i >= n:
                raise bad("glob %r ends with an escape" % pattern)
            out.append(re.escape(pattern[i]))
        elif c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = pattern.find("]", i + 2 if i + 1 < n and pattern[i + 1] in "!^" else i + 1)
            if j < 0:
                raise bad("unclosed [ in glob %r" % pattern)
            body = pattern[i + 1:j]
            neg = body[:1] in ("!", "^")
            if neg:
                body = body[1:]
            body = body.replace("\\", "\\\\")
            out.append("[%s%s]" % ("^" if neg else "", body))
            i = j
        elif c == "{":
            depth += 1
            out.append("(?:")
        elif c == "}" and depth:
            depth -= 1
            out.append(")")
        elif c == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(c))
        i += 1
    if depth:
        raise bad("unclosed { in glob %r" % pattern)
    try:
        return re.compile("".join(out), re.DOTALL)
    except re.error as e:
        raise bad("invalid glob %r: %s" % (pattern, e)) from None


# -- status objects -----------------------------------------------------------

def url_of(req, path):
    return req.base_url + quote(path, safe="/")


def status_object(req, st, path):
    return {
        "path": url_of(req, path),
        "isDir": st.is_dir,
        "len": st.length,
        "owner": st.owner,
        "group": st.group,
        "permission": H.symbolic(st),
        "accessTime": st.access_time,
        "modificationTime": st.modification_time,
        "blockSize": st.blocksize,
        "replication": st.block_replication,
    }


async def file_status(req, gw, path=None):
    path = req.path if path is None else path
    st = await gw.hdfs.call(req.user, "getFileInfo", path)
    if st is None:
        raise HttpError(404, "FileNotFoundException", "File does not exist: %s" % path)
    return st


def child_path(parent, name):
    return parent.rstrip("/") + "/" + name


# -- the ops ------------------------------------------------------------------

async def op_open(req, gw):
    offset = int_param(req, "offset", 0, lo=0)
    length = int_param(req, "len", -1, lo=-1)
    stream = await gw.hdfs.read(req.user, req.path, offset, length)
    return stream_response(200, stream, "application/octet-stream", stream.length)


async def op_status(req, gw):
    st = await file_status(req, gw)
    return json_response(200, status_object(req, st, req.path))


async def op_list(req, gw):
    pat = req.param("filter")
    rx = glob_regex(pat) if pat else None
    st = await file_status(req, gw)
    if not st.is_dir:
        name = req.path.rsplit("/", 1)[-1]
        return json_response(200, [status_object(req, st, req.path)]
                             if rx is None or rx.fullmatch(name) else [])
    path = req.path

    def encode(page):
        return [status_object(req, c, child_path(path, c.path)) for c in page
                if rx is None or rx.fullmatch(c.path)]
    return json_array_response(await gw.hdfs.listing(req.user, path), encode)


async def op_homedir(req, gw):
    return json_response(200, {"homeDir": url_of(req, "/user/%s" % req.user)})


async def op_create(req, gw):
    overwrite = bool_param(req, "overwrite", True)
    replication = int_param(req, "replication", None, lo=1)
    blocksize = int_param(req, "blocksize", None, lo=1)
    permission = parse_permission(req.param("permission"))
    await gw.hdfs.write(req.user, req.path, req.body(), append=False, overwrite=overwrite,
                        replication=replication, blocksize=blocksize,
                        permission=permission)
    return empty_response(201, [("location", url_of(req, req.path))])


async def op_append(req, gw):
    await gw.hdfs.write(req.user, req.path, req.body(), append=True)
    return empty_response(200)


async def op_mkdirs(req, gw):
    perm = parse_permission(req.param("permission"))
    ok = await gw.hdfs.call(req.user, "mkdirs", req.path, 0o755 if perm is None else perm,
                            True)
    return json_response(200, {"mkdirs": bool(ok)})


async def op_rename(req, gw):
    to = req.param("to")
    if not to:
        raise bad("rename needs to=<path>")
    if not to.startswith("/"):
        raise bad("to must be an absolute path: %r" % to)
    ok = await gw.hdfs.call(req.user, "rename", req.path, normalise_path(quote(to)))
    return json_response(200, {"rename": bool(ok)})


async def op_delete(req, gw):
    recursive = bool_param(req, "recursive", False)
    ok = await gw.hdfs.call(req.user, "delete", req.path, recursive)
    return json_response(200, {"delete": bool(ok)})


async def op_setowner(req, gw):
    owner, group = req.param("owner") or None, req.param("group") or None
    if owner is None and group is None:
        raise bad("setowner needs owner= and/or group=")
    await gw.hdfs.call(req.user, "setOwner", req.path, owner, group)
    return empty_response(200)


async def op_setpermission(req, gw):
    perm = parse_permission(req.param("permission"))
    await gw.hdfs.call(req.user, "setPermission", req.path, 0o755 if perm is None else perm)
    return empty_response(200)


async def op_settimes(req, gw):
    mtime = int_param(req, "mtime", -1, lo=-1)
    atime = int_param(req, "atime", -1, lo=-1)
    await gw.hdfs.call(req.user, "setTimes", req.path, mtime, atime)
    return empty_response(200)


async def op_setreplication(req, gw):
    replication = int_param(req, "replication", None, lo=1)
    if replication is None:
        raise bad("setreplication needs replication=")
    ok = await gw.hdfs.call(req.user, "setReplication", req.path, replication)
    return json_response(200, {"setReplication": bool(ok)})


OPS = {
    "GET": {"open": op_open, "read": op_open, "data": op_open, "status": op_status,
            "list": op_list, "homedir": op_homedir},
    "POST": {"create": op_create, "mkdirs": op_mkdirs},
    "PUT": {"append": op_append, "rename": op_rename, "setowner": op_setowner,
            "setpermission": op_setpermission, "settimes": op_settimes,
            "setreplication": op_setreplication},
    "DELETE": {"delete": op_delete},
}
DEFAULT_OP = {"DELETE": "delete"}


async def handle(req, gw):
    op = (req.param("op") or "").lower()
    if not op:
        if req.method == "GET":
            op = "homedir" if req.path == "/" else "open"
        else:
            op = DEFAULT_OP.get(req.method, "")
    table = OPS.get(req.method)
    if table is None:
        raise HttpError(405, "UnsupportedOperationException",
                        "method %s not supported" % req.method)
    fn = table.get(op)
    if fn is None:
        others = [m for m, t in OPS.items() if op in t]
        if others:
            raise HttpError(405, "UnsupportedOperationException",
                            "op=%s needs HTTP %s" % (op, others[0]))
        raise bad("unknown op=%s for %s" % (op or "(none)", req.method))
    return await fn(req, gw)
