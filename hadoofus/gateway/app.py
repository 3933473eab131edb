"""The ASGI application: one request from the socket to a face and back.

For each HTTP request: limits (URL length, header size), the path decoded and
normalised (no way above "/"), authentication (auth.py: pseudo user.name,
the signed hadoop.auth cookie, doas), routing (`/webhdfs/v1/...` to
webhdfs.handle, everything else to hoop.handle), exceptions mapped to HTTP
codes and rendered by the face that was asked, the response sent (streamed
bodies with backpressure: uvicorn's send() waits while the socket is full),
and one access-log line (logger "hadoofus.gateway.access").

Lifespan: startup is a no-op; shutdown (uvicorn's graceful stop, after the
in-flight requests finished or the grace period ran out) closes the HDFS
side: open writers are closed, so no lease outlives the process.
"""

import asyncio
import logging
import time
from urllib.parse import unquote

from .. import errors as E
from . import hoop
from .http import HttpError, Request, ClientDisconnected

access_log = logging.getLogger("hadoofus.gateway.access")
log = logging.getLogger("hadoofus.gateway")

WEBHDFS_PREFIX = "/webhdfs/v1"


def normalise_path(raw):
    """The absolute HDFS path of a percent-encoded URL path: decoded as
    UTF-8, "//" and "." dropped, ".." going up but never above "/".
    Decoding happens per segment first, so "%2e%2e" is a ".." and an
    encoded "/" ("%2F") splits segments as a plain one does."""
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


def parse_query(qs):
    """{name: value} of a query string (first value wins, blanks kept)."""
    out = {}
    if not qs:
        return out
    for part in qs.split("&"):
        if not part:
            continue
        k, _, v = part.partition("=")
        try:
            k = unquote(k.replace("+", " "), errors="strict")
            v = unquote(v.replace("+", " "), errors="strict")
        except UnicodeDecodeError:
            raise HttpError(400, "IllegalArgumentException",
                            "query is not UTF-8") from None
        out.setdefault(k, v)
    return out


def map_exception(exc):
    """The HttpError an exception from a face or the core stands for."""
    if isinstance(exc, HttpError):
        return exc
    name = type(exc).__name__
    if isinstance(exc, E.ProtocolException):
        name = exc.etype.rsplit(".", 1)[-1].rsplit("$", 1)[-1]
        msg = exc.message or name
    else:
        msg = str(exc) or name
    if isinstance(exc, E.AuthenticationError) or name == "AuthorizationException" \
            or isinstance(exc, E.AuthorizationException):
        return HttpError(403, "AuthorizationException" if name == "AuthorizationException"
                         else "SecurityException", msg)
    if isinstance(exc, FileNotFoundError):
        return HttpError(404, name if isinstance(exc, E.ProtocolException)
                         else "FileNotFoundException", msg)
    if isinstance(exc, PermissionError):
        return HttpError(403, name if isinstance(exc, E.ProtocolException)
                         else "AccessControlException", msg)
    if isinstance(exc, (FileExistsError, E.AlreadyBeingCreatedException)):
        return HttpError(409, name if isinstance(exc, E.ProtocolException)
                         else "FileAlreadyExistsException", msg)
    if isinstance(exc, (E.ParentNotDirectoryException, E.PathIsNotDirectoryException,
                        E.PathIsDirectoryException, E.PathIsNotEmptyDirectoryException,
                        E.QuotaExceededException, E.SnapshotException,
                        E.UnsupportedOperationException, E.AclException,
                        E.InvalidRequestException)):
        return HttpError(409 if isinstance(exc, E.PathIsNotEmptyDirectoryException) else 400,
                         name, msg)
    if isinstance(exc, (E.SafeModeException, E.StandbyException, E.RetriableException,
                        E.ConnectionError, E.TimeoutError)):
        return HttpError(503, name if isinstance(exc, E.ProtocolException)
                         else "IOException", msg)
    if isinstance(exc, (ValueError, TypeError)) and not isinstance(exc, E.HandleClosedError):
        return HttpError(400, name if isinstance(exc, E.ProtocolException)
                         else "IllegalArgumentException", msg)
    if isinstance(exc, E.ProtocolException):
        return HttpError(500, name, msg)
    return None


def webhdfs_face():
    # Imported on first use: the face is its own module (webhdfs.py).
    try:
        from . import webhdfs
    except ImportError as e:
        if e.name != __package__ + ".webhdfs":
            raise
        raise HttpError(501, "UnsupportedOperationException",
                        "the WebHDFS face is not built") from None
    return webhdfs


class App:
    """The ASGI callable over one Gateway (see gateway/__init__.py)."""

    def __init__(self, gw):
        self.gw = gw

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive, send):
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                try:
                    await self.gw.aclose()
                finally:
                    await send({"type": "lifespan.shutdown.complete"})
                return

    def _request(self, scope, receive):
        limits = self.gw.limits
        raw = scope.get("raw_path")
        raw = raw.decode("latin-1") if raw else scope["path"]
        qs = scope.get("query_string", b"").decode("latin-1")
        if len(raw) + len(qs) > limits.max_url:
            raise HttpError(414, "IllegalArgumentException", "URL longer than %d bytes"
                            % limits.max_url)
        headers = {}
        size = 0
        for k, v in scope["headers"]:
            size += len(k) + len(v) + 4
            k = k.decode("latin-1").lower()
            v = v.decode("latin-1")
            if k in headers:
                headers[k] += ("; " if k == "cookie" else ", ") + v
            else:
                headers[k] = v
        if size > limits.max_header_bytes:
            raise HttpError(431, "IllegalArgumentException", "request headers exceed %d bytes"
                            % limits.max_header_bytes)
        host = headers.get("host")
        if not host:
            server = scope.get("server") or ("localhost", 0)
            host = "%s:%d" % server
        base_url = "%s://%s" % (scope.get("scheme", "http"), host)
        client = scope.get("client")
        client = "%s:%d" % tuple(client) if client else "-"
        path = normalise_path(raw.split("?", 1)[0])
        return Request(scope["method"], path, raw, parse_query(qs), headers, base_url,
                       client, receive, limits.body_timeout)

    async def _http(self, scope, receive, send):
        t0 = time.monotonic()
        req = None
        face = hoop
        set_cookies = []
        try:
            req = self._request(scope, receive)
            if req.path == WEBHDFS_PREFIX or req.path.startswith(WEBHDFS_PREFIX + "/"):
                face = webhdfs_face()
                req.path = req.path[len(WEBHDFS_PREFIX):] or "/"
            req.face = face.__name__.rsplit(".", 1)[-1]
            req.user, set_cookies = self.gw.auth.authenticate(req)
            resp = await face.handle(req, self.gw)
        except BaseException as exc:   # noqa: B036 -- cancellation is re-raised below
            err = map_exception(exc)
            if err is None:
                if not isinstance(exc, Exception):
                    raise
                log.exception("unexpected error on %s %s", scope.get("method"),
                              scope.get("path"))
                err = HttpError(500, type(exc).__name__, "internal error: %s" % exc)
            resp = render_error(face, err, req)
            if isinstance(exc, ClientDisconnected):
                self._log(scope, req, 499, 0, t0)
                return
        for c in set_cookies:
            resp.headers.append(("set-cookie", c))
        sent = await self._send(send, resp, req)
        self._log(scope, req, resp.status, sent, t0)

    async def _send(self, send, resp, req):
        headers = [(k.encode("latin-1"), str(v).encode("latin-1")) for k, v in resp.headers]
        if resp.stream is None:
            headers.append((b"content-length", str(len(resp.body)).encode()))
            await send({"type": "http.response.start", "status": resp.status,
                        "headers": headers})
            await send({"type": "http.response.body", "body": resp.body})
            return len(resp.body)
        if resp.length is not None:
            headers.append((b"content-length", str(resp.length).encode()))
        await send({"type": "http.response.start", "status": resp.status, "headers": headers})
        sent = 0
        it = resp.stream
        timeout = self.gw.limits.body_timeout
        try:
            async for chunk in it:
                try:
                    await asyncio.wait_for(send({"type": "http.response.body", "body": chunk,
                                                 "more_body": True}), timeout)
                except asyncio.TimeoutError:
                    # A client that stopped reading: returning without
                    # finishing the response makes uvicorn close it.
                    log.warning("%s: client read nothing for %ss; cut after %d bytes",
                                req.path if req else "?", timeout, sent)
                    return sent
                sent += len(chunk)
        except Exception:
            # Headers are out: all that is left is to cut the connection so
            # the client sees a short body, not a complete-looking one.
            log.exception("streaming %s failed after %d bytes", req.path if req else "?", sent)
            raise
        finally:
            aclose = getattr(it, "aclose", None)
            if aclose is not None:
                await aclose()
        await send({"type": "http.response.body", "body": b""})
        return sent

    def _log(self, scope, req, status, sent, t0):
        if not access_log.isEnabledFor(logging.INFO):
            return
        client = scope.get("client")
        qs = scope.get("query_string", b"").decode("latin-1")
        target = scope.get("raw_path", b"").decode("latin-1") or scope.get("path", "")
        if qs:
            target += "?" + qs
        user = req.user if req is not None and req.user else "-"
        if req is not None and getattr(req.user, "real", None):
            user = "%s(via %s)" % (req.user, req.user.real)
        access_log.info('%s %s "%s %s HTTP/%s" %d %d %d %.1fms',
                        "%s:%d" % tuple(client) if client else "-", user,
                        scope.get("method"), target, scope.get("http_version", "1.1"),
                        status, req.body_bytes if req is not None else 0, sent,
                        (time.monotonic() - t0) * 1000)


def render_error(face, err, req):
    """The face's error body for err; a face without render_error gets
    Hoop's."""
    fn = getattr(face, "render_error", None) or hoop.render_error
    return fn(err, req)
