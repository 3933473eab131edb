"""hadoofus.gateway: HDFS over HTTP on the native core (issue 9).

Two faces on one server: the Hoop REST API (hoop.py, `http://HOST:14000/<PATH>?op=...`)
and WebHDFS v1 as HttpFS serves it (webhdfs.py, `/webhdfs/v1/<PATH>?op=...`).

    python -m hadoofus.gateway --namenode hdfs://HOST:PORT [--port 14000] ...
    hadoofus-gateway ...                      (the same, as a console script)

Modules: app.py (the bare ASGI app: limits, paths, auth, routing, errors,
access log), http.py (Request/Response/HttpError: the faces' contract),
auth.py (pseudo user.name, the signed hadoop.auth cookie, doas), hdfs.py
(proxy-user handles, the thread pool, streaming read/write, status
helpers), hoop.py and webhdfs.py (the faces). The server is uvicorn with
httptools and uvloop.

make_app(namenode, ...) -> an ASGI app (app.gw is its Gateway) for embedding
in any ASGI server; main(argv) parses the command line and serves.
"""

import argparse
import asyncio
import logging
import sys

from .app import App
from .auth import (DEFAULT_VALIDITY, Authenticator, ProxyUsers, PseudoHandler, SpnegoHandler,
                   load_secret)
from .hdfs import Hdfs
from .server import protocol_class

__all__ = ["Gateway", "Limits", "make_app", "main"]

log = logging.getLogger("hadoofus.gateway")


class Limits:
    """Per-request limits. max_url: path + query bytes (414 past it);
    max_header_bytes: all header lines (431); header_timeout: seconds from
    a request's first byte (or a connection's start) to the end of its
    head (408, connection closed); body_timeout: seconds a request body
    may stall between two reads (408), and a response may wait for a
    client that does not read (connection cut)."""

    def __init__(self, max_url=16384, max_header_bytes=65536, header_timeout=30.0,
                 body_timeout=60.0):
        self.max_url = max_url
        self.max_header_bytes = max_header_bytes
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout


class Gateway:
    """What the faces get as `gw`: .hdfs (hdfs.Hdfs), .auth
    (auth.Authenticator), .limits (Limits)."""

    def __init__(self, hdfs, auth, limits=None):
        self.hdfs = hdfs
        self.auth = auth
        self.limits = limits or Limits()

    async def aclose(self):
        await self.hdfs.aclose()


def make_app(namenode, *, gateway_user=None, secret=None, secret_file=None,
             allow_anonymous=False, anonymous_user="dr.who", validity=DEFAULT_VALIDITY,
             secure=False, threads=32, limits=None, auth="simple", spnego_principal=None,
             spnego_keytab=None, **rpc_kw):
    """The ASGI app serving HDFS `namenode` (anything hadoofus.rpc takes).
    secret (bytes) or secret_file signs the hadoop.auth cookies (random when
    neither). auth: "simple" (user.name=) or "kerberos" (SPNEGO with the
    keys of spnego_keytab for spnego_principal, see auth.SpnegoHandler).
    rpc_kw: hadoofus.rpc keywords; principal= and keytab= log the gateway
    in to a kerberized HDFS (see hdfs.Hdfs), and doas= is then checked by
    the gateway (auth.ProxyUsers). The app's Gateway is app.gw."""
    if secret is None:
        secret = load_secret(secret_file)
    if auth == "simple":
        handlers = [PseudoHandler()]
    elif auth == "kerberos":
        handlers = [SpnegoHandler(spnego_principal, spnego_keytab)]
    else:
        raise ValueError("auth must be 'simple' or 'kerberos': %r" % (auth,))
    hdfs = Hdfs(namenode, gateway_user=gateway_user, threads=threads, **rpc_kw)
    authenticator = Authenticator(secret, validity=validity, allow_anonymous=allow_anonymous,
                                  anonymous_user=anonymous_user, secure=secure,
                                  handlers=handlers,
                                  proxy_users=ProxyUsers() if hdfs.kerberos_principal else None)
    return App(Gateway(hdfs, authenticator, limits))


def default_namenode():
    """fs.defaultFS of the Hadoop configuration ($HADOOP_CONF_DIR): "host:port"
    or an HA nameservice's name."""
    from hadoofus import easy
    host, port, _, _ = easy.resolve("/")
    return host if port is None else "%s:%d" % (host, port)


def _parser():
    p = argparse.ArgumentParser(prog="hadoofus-gateway",
                                description="HDFS over HTTP: the Hoop REST API and WebHDFS v1.")
    p.add_argument("--namenode", help="hdfs://HOST:PORT, HOST:PORT or an HA nameservice "
                   "(default: fs.defaultFS of $HADOOP_CONF_DIR)")
    p.add_argument("--bind", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=14000, help="port (default 14000, as Hoop)")
    p.add_argument("--certfile", help="TLS certificate (PEM): serve https")
    p.add_argument("--keyfile", help="TLS private key (PEM)")
    p.add_argument("--signature-secret-file", help="secret signing the hadoop.auth cookies; "
                   "share it between gateways behind one load balancer (default: random)")
    p.add_argument("--token-validity", type=int, default=DEFAULT_VALIDITY,
                   help="seconds a hadoop.auth cookie stays valid (default 36000)")
    p.add_argument("--auth", choices=("simple", "kerberos"), default="simple",
                   help="how callers authenticate: simple (user.name=) or kerberos "
                   "(SPNEGO, Authorization: Negotiate)")
    p.add_argument("--spnego-principal", default="*",
                   help="with --auth kerberos: the HTTP/ service principal "
                   "(default *: any principal of the keytab)")
    p.add_argument("--spnego-keytab",
                   help="with --auth kerberos: the keytab of the HTTP/ principal "
                   "(default $KRB5_KTNAME)")
    p.add_argument("--kerberos-principal",
                   help="the gateway's own principal for a kerberized HDFS (with "
                   "--kerberos-keytab; default: the Hadoop configuration / KRB5CCNAME)")
    p.add_argument("--kerberos-keytab", help="the keytab of --kerberos-principal")
    p.add_argument("--allow-anonymous", action="store_true",
                   help="requests naming no user run as --anonymous-user instead of 401")
    p.add_argument("--anonymous-user", default="dr.who")
    p.add_argument("--user", help="the gateway's own HDFS user, impersonating callers "
                   "(default $HADOOP_USER_NAME or the login name)")
    p.add_argument("--worker-threads", "--workers-threads", dest="threads", type=int,
                   default=32, help="threads for blocking HDFS calls (default 32)")
    p.add_argument("--max-url", type=int, default=16384, help="bytes of path+query (414)")
    p.add_argument("--max-header-bytes", type=int, default=65536, help="header bytes (431)")
    p.add_argument("--header-timeout", type=float, default=30.0,
                   help="seconds a client may take to send a request head (408)")
    p.add_argument("--body-timeout", type=float, default=60.0,
                   help="seconds a request body may stall (408), or a client may "
                   "leave a response unread")
    p.add_argument("--keep-alive-timeout", type=float, default=30.0,
                   help="seconds an idle keep-alive connection stays open")
    p.add_argument("--graceful-timeout", type=float, default=30.0,
                   help="seconds in-flight requests get at shutdown before they are cut "
                   "(their files are closed either way)")
    p.add_argument("--limit-concurrency", type=int, default=None,
                   help="connections+requests at once before 503s")
    p.add_argument("--log-level", default="info")
    p.add_argument("--no-access-log", action="store_true")
    return p


class LoopBatchedHandler(logging.StreamHandler):
    """A StreamHandler whose records logged on an event loop are written
    together once the loop has run what is ready: one write for the
    requests that finished in one loop iteration, instead of one per
    access-log line. Records from other threads are written at once."""

    def __init__(self, stream=None):
        super().__init__(stream)
        self._lines = []
        self._scheduled = False

    def emit(self, record):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._write_lines()
            super().emit(record)
            return
        try:
            self._lines.append(self.format(record))
        except Exception:
            self.handleError(record)
            return
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._write_lines)

    def _write_lines(self):
        # emit runs under self.lock (Handler.handle takes it); so does this.
        with self.lock:
            self._scheduled = False
            lines, self._lines = self._lines, []
            if lines:
                self.stream.write("\n".join(lines) + "\n")
                super().flush()

    def flush(self):
        self._write_lines()
        super().flush()


def main(argv=None):
    args = _parser().parse_args(argv)
    import uvicorn
    fmt = "%(asctime)s %(name)s %(levelname)s %(message)s"
    logging.basicConfig(level=args.log_level.upper(), format=fmt)
    access = logging.getLogger("hadoofus.gateway.access")
    if args.no_access_log:
        access.setLevel(logging.WARNING)
    else:
        h = LoopBatchedHandler(sys.stderr)
        h.setFormatter(logging.Formatter(fmt))
        access.addHandler(h)
        access.propagate = False
    if bool(args.certfile) != bool(args.keyfile):
        sys.exit("hadoofus-gateway: --certfile and --keyfile go together")
    namenode = args.namenode or default_namenode()
    if bool(args.kerberos_principal) != bool(args.kerberos_keytab):
        sys.exit("hadoofus-gateway: --kerberos-principal and --kerberos-keytab go together")
    krb = {"principal": args.kerberos_principal, "keytab": args.kerberos_keytab} \
        if args.kerberos_principal else {}
    limits = Limits(args.max_url, args.max_header_bytes, args.header_timeout,
                    args.body_timeout)
    app = make_app(namenode, gateway_user=args.user, secret_file=args.signature_secret_file,
                   allow_anonymous=args.allow_anonymous, anonymous_user=args.anonymous_user,
                   validity=args.token_validity, secure=bool(args.certfile),
                   threads=args.threads, limits=limits, auth=args.auth,
                   spnego_principal=args.spnego_principal,
                   spnego_keytab=args.spnego_keytab, **krb)
    config = uvicorn.Config(
        app, host=args.bind, port=args.port, loop="uvloop", http=protocol_class(limits),
        lifespan="on", access_log=False, log_config=None, log_level=args.log_level,
        ssl_certfile=args.certfile, ssl_keyfile=args.keyfile,
        timeout_keep_alive=args.keep_alive_timeout,
        timeout_graceful_shutdown=args.graceful_timeout,
        limit_concurrency=args.limit_concurrency, server_header=False)
    log.info("hadoofus gateway: %s://%s:%d -> %s (as %s)",
             "https" if args.certfile else "http", args.bind, args.port,
             app.gw.hdfs.uri, app.gw.hdfs.gateway_user)
    uvicorn.Server(config).run()
    return 0
