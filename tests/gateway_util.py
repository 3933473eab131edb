"""Start the gateway (python -m hadoofus.gateway) as a subprocess on a free
port against a running MiniCluster, for tests that talk real HTTP to it.

    gw = GatewayProcess(cluster, extra_args=("--allow-anonymous",))
    gw.start()            # waits until it answers
    gw.url                # "http://127.0.0.1:PORT"
    gw.get("/tmp?op=status&user.name=alice") -> (status, headers, body bytes)
    gw.stop()             # SIGTERM, graceful; gw.log() the server's output

conftest.py's `gateway` fixture is one of these per session (secret file in
gw.secret_file, anonymous refused); `gateway_factory(**kw)` makes more.
Uses only the standard library, so the tests see the server as any HTTP
client does.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GatewayProcess:
    def __init__(self, cluster, extra_args=(), secret=b"gateway-test-secret", env=None,
                 port=None, tls=None, conf_dir=False):
        self.cluster = cluster
        self.extra_args = list(extra_args)
        self.port = port or free_port()
        self.host = "127.0.0.1"
        self.tls = tls           # (certfile, keyfile) or None
        self.dir = tempfile.mkdtemp(prefix="hadoofus-gw-")
        self.secret_file = os.path.join(self.dir, "secret")
        with open(self.secret_file, "wb") as f:
            f.write(secret)
        self.log_path = os.path.join(self.dir, "gateway.log")
        self.env = dict(os.environ, **(env or {}))
        self.env["PYTHONSAFEPATH"] = "1"
        # conf_dir=True: no --namenode, fs.defaultFS of the cluster's client
        # configuration instead.
        self.conf_dir = conf_dir
        if conf_dir:
            self.env["HADOOP_CONF_DIR"] = cluster.conf_dir
        self.proc = None

    @property
    def url(self):
        return "%s://%s:%d" % ("https" if self.tls else "http", self.host, self.port)

    @property
    def namenode(self):
        return "hdfs://%s:%d" % (self.cluster.host, self.cluster.port)

    def start(self, timeout=30):
        cmd = [sys.executable, "-m", "hadoofus.gateway"] + \
            ([] if self.conf_dir else ["--namenode", self.namenode]) + [
               "--bind", self.host, "--port", str(self.port),
               "--signature-secret-file", self.secret_file] + self.extra_args
        if self.tls:
            cmd += ["--certfile", self.tls[0], "--keyfile", self.tls[1]]
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT,
                                     env=self.env, cwd=self.dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gateway exited %d:\n%s" % (self.proc.returncode, self.log()))
            try:
                with socket.create_connection((self.host, self.port), 0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gateway did not listen within %ds:\n%s" % (timeout, self.log()))

    def stop(self, timeout=30):
        """SIGTERM (uvicorn's graceful stop); returns the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- a tiny client -----------------------------------------------------------

    def connection(self, timeout=60):
        if self.tls:
            import ssl
            ctx = ssl.create_default_context(cafile=self.tls[0])
            ctx.check_hostname = False
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout,
                                               context=ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method, target, body=None, headers=None, conn=None):
        """(status, {lower-case header: value}, body bytes). target: a path
        with query, already percent-encoded."""
        own = conn is None
        conn = conn or self.connection()
        try:
            conn.request(method, target, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            hdrs = {}
            for k, v in r.getheaders():
                k = k.lower()
                hdrs[k] = hdrs[k] + "\n" + v if k in hdrs else v
            return r.status, hdrs, data
        finally:
            if own:
                conn.close()

    def get(self, target, **kw):
        return self.request("GET", target, **kw)


def target(path, user=None, **params):
    """"/<quoted path>?k=v&..." with user.name when user is given."""
    q = dict(params)
    if user is not None:
        q["user.name"] = user
    qs = urllib.parse.urlencode(q)
    return urllib.parse.quote(path) + ("?" + qs if qs else "")
