"""Request, Response and HttpError: what app.py hands the faces and takes back.

The handler contract (hoop.handle, webhdfs.handle):

    async def handle(req: Request, gw: Gateway) -> Response

Request
    method     "GET", "PUT", ...
    path       the HDFS path: percent-decoded, normalised ("//", ".", ".."
               resolved without ever leaving "/"), absolute, a str
    raw_path   the URL path as sent (percent-encoded str, for Location headers)
    query      {name: value} as sent (first value of a repeated name); the
               WebHDFS face lower-cases the names itself
    headers    {lower-case name: value}
    user       the effective user after authentication and doas: a `User`
               (a str; .real is the authenticated user when doas= acts for
               another, else None). Pass it to gw.hdfs as it is.
    base_url   "http://host:port" (https under TLS) as the client addressed us
    client     "addr:port" of the peer
    body()     async iterator of bytes chunks of 1-4 MiB (see Request.body)

Responses (helpers below): json_response(status, obj, headers),
stream_response(status, chunks, content_type, length), empty_response(status,
headers), redirect(location).

Errors: raise HttpError(status, exception_name, message), or let hadoofus /
builtin exceptions propagate: app.py maps them (errors.py) and asks the face
to render the body (its `render_error(err: HttpError, req) -> Response`).
"""

import asyncio
import json
from urllib.parse import unquote

# Chunks handed to the faces and the HDFS writer: large enough that the
# per-chunk cost (a pool hop, a C call) vanishes, small enough to bound
# memory per connection.
CHUNK = 1 << 20

REASONS = {
    200: "OK", 201: "Created", 204: "No Content", 307: "Temporary Redirect",
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 408: "Request Timeout", 409: "Conflict",
    411: "Length Required", 413: "Payload Too Large", 414: "URI Too Long",
    415: "Unsupported Media Type", 431: "Request Header Fields Too Large",
    500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
}


def normalise_path(raw):
    """The absolute HDFS path of a percent-encoded URL path: decoded as
    UTF-8, "//" and "." dropped, ".." going up but never above "/". The
    whole path is decoded before it is split, so "%2e%2e" is a ".." and
    "%2F" separates segments as "/" does: no encoding gets past the
    normalisation."""
    try:
        text = unquote(raw, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise HttpError(400, "IllegalArgumentException", "path is not UTF-8") from None
    if "\0" in text:
        raise HttpError(400, "IllegalArgumentException", "path contains NUL")
    out = []
    for seg in text.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    return "/" + "/".join(out)


class HttpError(Exception):
    """An error answer: status, the Java-style exception name the face puts in
    its error JSON ("FileNotFoundException", "IllegalArgumentException"...),
    and a message. headers: extra response headers (WWW-Authenticate)."""

    def __init__(self, status, exception, message, headers=None):
        super().__init__(message)
        self.status = int(status)
        self.exception = exception
        self.message = message
        self.headers = list(headers or ())

    @property
    def reason(self):
        return REASONS.get(self.status, "Error")


class ClientDisconnected(HttpError):
    """The client went away before its request body ended."""

    def __init__(self):
        super().__init__(400, "IOException", "client disconnected mid-body")


class User(str):
    """The effective user. `real` is the authenticated user when doas= makes
    it act for this one (the NameNode's proxy-user rules for `real` decide),
    else None (the gateway's own user impersonates this one)."""

    real = None

    def __new__(cls, name, real=None):
        u = super().__new__(cls, name)
        u.real = real if real and real != name else None
        return u


class Request:
    __slots__ = ("method", "path", "raw_path", "query", "headers", "user", "base_url",
                 "client", "face", "_receive", "_body_timeout", "_consumed",
                 "body_bytes")

    def __init__(self, method, path, raw_path, query, headers, base_url, client,
                 receive, body_timeout=60.0):
        self.method = method
        self.path = path
        self.raw_path = raw_path
        self.query = query
        self.headers = headers
        self.user = None
        self.base_url = base_url
        self.client = client
        self.face = None
        self._receive = receive
        self._body_timeout = body_timeout
        self._consumed = False
        self.body_bytes = 0     # request body bytes received (access log)

    def param(self, name, default=None):
        """A query parameter by case-insensitive name."""
        v = self.query.get(name)
        if v is not None:
            return v
        low = name.lower()
        for k, v in self.query.items():
            if k.lower() == low:
                return v
        return default

    async def body(self, chunk=CHUNK):
        """The request body as bytes chunks of about `chunk` bytes (the last
        may be shorter); one chunk is in memory at a time and the socket is
        read only as fast as the consumer takes chunks (uvicorn pauses the
        transport meanwhile). `Expect: 100-continue` is answered by the
        first read. Raises ClientDisconnected when the client goes away and
        HttpError 408 when it sends nothing for body_timeout seconds."""
        if self._consumed:
            return
        self._consumed = True
        pieces, size = [], 0     # joined once per chunk: one copy
        more = True
        while more:
            try:
                msg = await asyncio.wait_for(self._receive(), self._body_timeout)
            except asyncio.TimeoutError:
                raise HttpError(408, "IOException", "request body timed out") from None
            if msg["type"] == "http.disconnect":
                raise ClientDisconnected()
            data = msg.get("body", b"")
            more = msg.get("more_body", False)
            self.body_bytes += len(data)
            if not data:
                continue
            if not pieces and len(data) >= chunk:
                yield data
                continue
            pieces.append(data)
            size += len(data)
            if size >= chunk:
                yield b"".join(pieces)
                pieces, size = [], 0
        if pieces:
            yield b"".join(pieces)

    async def drain(self):
        """Read and drop what is left of the body (a keep-alive connection
        must be at the next request's start)."""
        async for _ in self.body():
            pass


class Response:
    """status, headers [(name, value)] (str), and either body (bytes) or
    stream (an async iterator of bytes; length: its total when known, sent
    as Content-Length, else the answer is chunked)."""

    __slots__ = ("status", "headers", "body", "stream", "length")

    def __init__(self, status, headers=(), body=b"", stream=None, length=None):
        self.status = int(status)
        self.headers = list(headers)
        self.body = body
        self.stream = stream
        self.length = length


def json_response(status, obj, headers=(), body_text=None):
    body = (_json(obj) if body_text is None else body_text).encode()
    return Response(status, [("content-type", "application/json")] + list(headers),
                    body=body)


def _json(obj):
    return json.dumps(obj, separators=(",", ":"))


def json_array_response(listing, encode, head="[", tail="]"):
    """200 with the JSON text head + an array + tail (json_response's bytes
    of the whole object), the array's items encode(page) for each page of
    `listing` (an hdfs.Listing). A one-page listing is a plain body; a longer
    one goes out chunked, _ITEMS_PER_CHUNK items per chunk, so memory holds
    two pages whatever the directory's size. An error between pages (the directory
    removed) ends the stream without its tail: app.py then cuts the
    connection, and the client sees a broken answer, never a short list."""
    if listing.single:
        return json_response(200, None,
                             body_text=head + _json(encode(listing.first))[1:-1] + tail)
    return stream_response(200, _json_array_chunks(listing, encode, head, tail),
                           "application/json")


# Items encoded at a time: their dicts and text, not a whole page's, are
# what a listing holds besides its two pages of FileStatus.
_ITEMS_PER_CHUNK = 128


async def _json_array_chunks(listing, encode, head, tail):
    sep = head
    try:
        async for page in listing:
            for i in range(0, len(page), _ITEMS_PER_CHUNK):
                items = encode(page[i:i + _ITEMS_PER_CHUNK])
                if items:
                    yield (sep + _json(items)[1:-1]).encode()
                    sep = ","
        # sep is still head when every page was filtered out: "[]".
        yield ((sep if sep is head else "") + tail).encode()
    finally:
        await listing.aclose()


def stream_response(status, chunks, content_type="application/octet-stream", length=None,
                    headers=()):
    return Response(status, [("content-type", content_type)] + list(headers),
                    stream=chunks, length=length)


def empty_response(status=200, headers=()):
    return Response(status, headers)


def redirect(location, status=307):
    return Response(status, [("location", location)])


def remote_exception_response(err, java_package="java.io"):
    """WebHDFS/HttpFS's error body: {"RemoteException": {"exception",
    "javaClassName", "message"}} (Hadoop's WebHDFS.md)."""
    name = err.exception or "IOException"
    cls = name if "." in name else JAVA_CLASSES.get(name, "%s.%s" % (java_package, name))
    return json_response(err.status, {"RemoteException": {
        "exception": name.rsplit(".", 1)[-1],
        "javaClassName": cls,
        "message": err.message,
    }}, err.headers)


# The Java classes behind the short exception names the gateway raises.
JAVA_CLASSES = {
    "FileNotFoundException": "java.io.FileNotFoundException",
    "IOException": "java.io.IOException",
    "InvalidToken": "org.apache.hadoop.security.token.SecretManager$InvalidToken",
    "IllegalArgumentException": "java.lang.IllegalArgumentException",
    "UnsupportedOperationException": "java.lang.UnsupportedOperationException",
    "SecurityException": "java.lang.SecurityException",
    "AccessControlException": "org.apache.hadoop.security.AccessControlException",
    "AuthenticationException":
        "org.apache.hadoop.security.authentication.client.AuthenticationException",
    "AuthorizationException": "org.apache.hadoop.security.authorize.AuthorizationException",
    "FileAlreadyExistsException": "org.apache.hadoop.fs.FileAlreadyExistsException",
    "ParentNotDirectoryException": "org.apache.hadoop.fs.ParentNotDirectoryException",
    "PathIsNotEmptyDirectoryException": "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException",
    "InvalidPathException": "org.apache.hadoop.fs.InvalidPathException",
    "QuotaExceededException": "org.apache.hadoop.hdfs.protocol.QuotaExceededException",
    "SafeModeException": "org.apache.hadoop.hdfs.server.namenode.SafeModeException",
    "StandbyException": "org.apache.hadoop.ipc.StandbyException",
}
