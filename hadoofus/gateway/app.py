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
from .http import ClientDisconnected, HttpError, Request, normalise_path

access_log = logging.getLogger("hadoofus.gateway.access")
log = logging.getLogger("hadoofus.gateway")

WEBHDFS_PREFIX = "/webhdfs/v1"


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


# (exception types, HTTP status, the exception name the face shows when it is
# not a remote Java exception, which shows its own class). First match wins:
# AuthenticationError is a PermissionError too.
_STATUSES = (
    (E.AuthenticationError, 403, "SecurityException"),
    (FileNotFoundError, 404, "FileNotFoundException"),
    (PermissionError, 403, "AccessControlException"),
    ((FileExistsError, E.AlreadyBeingCreatedException), 409, "FileAlreadyExistsException"),
    (E.PathIsNotEmptyDirectoryException, 409, "PathIsNotEmptyDirectoryException"),
    ((E.ParentNotDirectoryException, E.PathIsNotDirectoryException,
      E.PathIsDirectoryException, E.QuotaExceededException, E.SnapshotException,
      E.UnsupportedOperationException, E.AclException), 400, "IOException"),
    ((E.SafeModeException, E.StandbyException, E.RetriableException, E.ConnectionError,
      E.TimeoutError), 503, "IOException"),
    ((ValueError, TypeError), 400, "IllegalArgumentException"),
)


def map_exception(exc):
    """The HttpError an exception from a face or the core stands for; None
    for the unexpected (a 500 the caller logs)."""
    if isinstance(exc, HttpError):
        return exc
    if isinstance(exc, E.HandleClosedError):
        return None
    remote = isinstance(exc, E.ProtocolException)
    name = exc.simple_name.rsplit("$", 1)[-1] if remote else None
    msg = (exc.message if remote else str(exc)) or name or type(exc).__name__
    for types, status, local_name in _STATUSES:
        if isinstance(exc, types):
            return HttpError(status, name or local_name, msg)
    return HttpError(500, name, msg) if remote else None


def is_webhdfs(path):
    return path == WEBHDFS_PREFIX or path.startswith(WEBHDFS_PREFIX + "/")


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
        auth_headers = []
        try:
            # Errors before routing (limits, undecodable paths) in the shape
            # of the face the client meant.
            if is_webhdfs(scope.get("path", "")):
                face = webhdfs_face()
            req = self._request(scope, receive)
            face = webhdfs_face() if is_webhdfs(req.path) else hoop
            if face is not hoop:
                req.path = req.path[len(WEBHDFS_PREFIX):] or "/"
            req.face = face.__name__.rsplit(".", 1)[-1]
            req.user, auth_headers = self.gw.auth.authenticate(req)
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
        resp.headers.extend(auth_headers)
        sent = await self._send(send, receive, resp, req)
        self._log(scope, req, resp.status, sent, t0)

    @staticmethod
    async def _watch_disconnect(receive, gone):
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                gone.set()
                return

    async def _send(self, send, receive, resp, req):
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
        # uvicorn drops what is sent after a disconnect without a word: a
        # watcher on receive() tells, so a gone client costs no more reads.
        gone = asyncio.Event()
        watcher = asyncio.ensure_future(self._watch_disconnect(receive, gone))
        try:
            async for chunk in it:
                if gone.is_set():
                    log.info("%s: client gone after %d bytes", req.path if req else "?", sent)
                    return sent
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
        except Exception as e:
            # Headers are out: all that is left is to cut the connection
            # (uvicorn does when the app returns mid-response) so the client
            # sees a short body, not a complete-looking one.
            log.error("%s: streaming failed after %d bytes: %s: %s",
                      req.path if req else "?", sent, type(e).__name__, e)
            return sent
        finally:
            watcher.cancel()
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
            target += "?" + (_redact_tokens(qs) if "token=" in qs or "delegation=" in qs
                             else qs)
        user = req.user if req is not None and req.user else "-"
        if req is not None and getattr(req.user, "real", None):
            user = "%s(via %s)" % (req.user, req.user.real)
        access_log.info('%s %s "%s %s HTTP/%s" %d %d %d %.1fms',
                        "%s:%d" % tuple(client) if client else "-", user,
                        scope.get("method"), target, scope.get("http_version", "1.1"),
                        status, req.body_bytes if req is not None else 0, sent,
                        (time.monotonic() - t0) * 1000)


def _redact_tokens(qs):
    """A query string with the values of delegation= and token= hidden: a
    delegation token is a credential, and access logs are read by many."""
    return "&".join(
        p.partition("=")[0] + "=***" if p.partition("=")[0].lower() in ("delegation", "token")
        else p for p in qs.split("&"))


def render_error(face, err, req):
    """The face's error body for err; a face without render_error gets
    Hoop's."""
    fn = getattr(face, "render_error", None) or hoop.render_error
    return fn(err, req)
