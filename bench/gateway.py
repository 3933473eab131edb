"""The gateway bench (``bench/run.py --only gateway``): the hadoofus HTTP
gateway against Java's own WebHDFS and Hadoop's HttpFS (2.7.0, when the
bench starts the cluster: ``MiniCluster.start_httpfs``) on the same NameNode
and DataNodes.

Rows, all on one --gw-mib file (default 1 GiB) written once by FsShell:

- GET / PUT through each server with ``curl -L`` (PUT: CREATE, overwrite,
  the body sent after the 307) and with HdfsCLI (``hdfs.InsecureClient``:
  ``read`` in 4 MiB chunks, ``write`` from a file object), each a fresh
  process that times itself;
- the direct rate of the same run: ``hadoofus.easy.open`` reading and
  writing the same bytes (the gateway's ceiling: it runs that code);
- GETFILESTATUS requests/s with --gw-conns connections (``wrk``);
- --gw-readers concurrent ``curl`` readers of a --gw-readers-mib file.

Rounds are interleaved (round 1 of every row, then round 2, the order
rotating), as in the other benches; the table shows the best and the median
round.  CPU per GiB: the gateway process's own (all threads), HttpFS's JVM,
or the NameNode + DataNode JVMs' for Java's WebHDFS (which serve it); "HDFS
cpu" is the NameNode + DataNode JVMs' share in every row.
"""

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

from common import proc_cpu, wait_idle

GW_FILE = "/bench/gw-%dm"
GW_PUT = "/bench/gw-put-%s"
CHUNK = 4 << 20

# Run in a fresh interpreter; prints {"wall": s, "bytes": n}.
_DIRECT_READ = r"""
import json, sys, time, hadoofus.easy
url, chunk = sys.argv[1], int(sys.argv[2])
f = hadoofus.easy.open(url, "rb")
buf = bytearray(chunk); n = 0; t0 = time.perf_counter()
while True:
    k = f.readinto(buf)
    if not k: break
    n += k
print(json.dumps({"wall": time.perf_counter() - t0, "bytes": n}))
"""
_DIRECT_WRITE = r"""
import json, sys, time, hadoofus.easy
url, src, chunk = sys.argv[1], sys.argv[2], int(sys.argv[3])
n = 0; t0 = time.perf_counter()
with open(src, "rb", buffering=0) as s, hadoofus.easy.open(url, "wb") as f:
    while True:
        b = s.read(chunk)
        if not b: break
        f.write(b); n += len(b)
print(json.dumps({"wall": time.perf_counter() - t0, "bytes": n}))
"""
_HDFSCLI = r"""
import json, os, sys, time, hdfs
url, user, op, path, src, chunk = sys.argv[1:7]
c = hdfs.InsecureClient(url, user=user)
n = 0; t0 = time.perf_counter()
if op == "get":
    with c.read(path, chunk_size=int(chunk)) as r:
        for b in r:
            n += len(b)
else:
    with open(src, "rb") as s:
        c.write(path, s, overwrite=True)
    n = os.path.getsize(src)
print(json.dumps({"wall": time.perf_counter() - t0, "bytes": n}))
"""


def _log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_pids(root):
    """root and its descendants (a gateway may run worker processes)."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d, "rb") as f:
                    s = f.read()
                kids.setdefault(int(s[s.rindex(b")") + 2:].split()[1]), []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def _cpu(pids):
    vals = [proc_cpu(p) for p in pids]
    return None if any(v is None for v in vals) else sum(vals)


class Gateway:
    def __init__(self, t, a, env):
        self.port = _free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = os.path.join(a.cache_dir, "bench-gateway.log")
        cmd = [sys.executable, "-m", "hadoofus.gateway", "--namenode", t.url,
               "--bind", "127.0.0.1", "--port", str(self.port)] + a.gw_args.split()
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("the gateway exited %d: see %s"
                                   % (self.proc.returncode, self.log_path))
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the gateway did not listen: see %s" % self.log_path)
                time.sleep(0.1)

    def pids(self):
        return _tree_pids(self.proc.pid)

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


def _webhdfs(base, path, op, user, **kw):
    return "%s/webhdfs/v1%s?%s" % (base, urllib.parse.quote(path), urllib.parse.urlencode(
        {"op": op, "user.name": user, **kw}))


def _run(cmd, env=None, timeout=3600):
    r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=timeout)
    if r.returncode != 0:
        raise RuntimeError("%s exited %d: %s" % (os.path.basename(cmd[0]), r.returncode,
                                                  (r.stdout + r.stderr).decode(errors="replace")[-800:]))
    return r.stdout


class Row:
    """One measured thing: run() -> (bytes or requests, wall s or None: then
    the harness's clock); cpu_pids() -> the serving processes, or None."""

    def __init__(self, kind, label, server, run, cpu_pids):
        self.kind, self.label, self.server = kind, label, server
        self.run, self.cpu_pids = run, cpu_pids
        self.rounds = []
        self.error = None

    def _server_cpu(self):
        return None if self.cpu_pids is None else _cpu(self.cpu_pids())

    def measure(self, hdfs_pids):
        c0, h0 = self._server_cpu(), _cpu(hdfs_pids)
        w0 = time.perf_counter()
        amount, wall = self.run()
        w1 = time.perf_counter()
        c1, h1 = self._server_cpu(), _cpu(hdfs_pids)
        self.rounds.append({
            "amount": amount, "wall": wall if wall is not None else w1 - w0,
            "cpu": None if c0 is None or c1 is None else c1 - c0,
            "hdfs_cpu": None if h0 is None or h1 is None else h1 - h0})


def bench_gateway(t, a, mc, env_py):
    """t: run.py's Target; mc: a MiniCluster(webhdfs=True) or None (then
    --webhdfs-url names Java's WebHDFS, or it is left out); env_py: the
    environment whose python imports the hadoofus to measure."""
    user = t.user
    size = a.gw_mib << 20
    rsize = a.gw_readers_mib << 20
    path, rpath = GW_FILE % a.gw_mib, GW_FILE % a.gw_readers_mib
    env = dict(env_py, HADOOP_USER_NAME=user)
    local = os.path.join(a.cache_dir, "bench-gw-%dm.bin" % a.gw_mib)
    if not os.path.exists(local) or os.path.getsize(local) != size:
        _log("gateway: making %s (%d MiB of random bytes) ..." % (local, a.gw_mib))
        with open(local + ".tmp", "wb") as f:
            for _ in range(0, size, 64 << 20):
                f.write(os.urandom(min(64 << 20, size - f.tell())))
        os.replace(local + ".tmp", local)
    webhdfs_url = a.webhdfs_url or (mc.webhdfs_url if mc is not None and mc.webhdfs else None)
    hdfs_pids = ([mc.namenode.pid] + [d.pid for d in mc.datanodes]) if mc else [t.nn_pid]
    results = []
    gw = Gateway(t, a, env)
    try:
        servers = [("hadoofus gateway", gw.url, gw.pids)]
        if webhdfs_url:
            servers.append(("Java WebHDFS", webhdfs_url, lambda: hdfs_pids))
        else:
            results.append({"label": "Java WebHDFS", "skipped": "no WebHDFS (--webhdfs-url)"})
        if mc is not None and not a.no_httpfs:
            try:
                _log("gateway: starting HttpFS ...")
                hf = mc.start_httpfs()
                servers.append(("HttpFS 2.7.0", hf.url, lambda: [hf.pid]))
            except (RuntimeError, OSError) as e:
                results.append({"label": "HttpFS", "skipped": str(e)[-300:]})
        _log("gateway: writing %s and %s through the gateway ..." % (path, rpath))
        for p, n in ((path, size), (rpath, rsize)):
            _put_prefix(gw.url, p, user, local, n)

        def child_json(cmd):
            def run():
                out = json.loads(_run(cmd, env=env).decode().strip().splitlines()[-1])
                return out["bytes"], out["wall"]
            return run

        def curl_get(base):
            def run():
                out = _run(["curl", "-sS", "--fail", "-L", "-o", "/dev/null", "-w",
                            "%{size_download}", _webhdfs(base, path, "OPEN", user)])
                return int(out), None
            return run

        def curl_put(base, dest):
            def run():
                _run(["curl", "-sS", "--fail-with-body", "-L", "-X", "PUT", "-T", local,
                      "-H", "Content-Type: application/octet-stream",
                      _webhdfs(base, dest, "CREATE", user, overwrite="true")])
                return size, None
            return run

        def wrk(base):
            def run():
                out = _run(["wrk", "-t", "2", "-c", str(a.gw_conns), "-d",
                            "%ds" % a.gw_seconds, _webhdfs(base, "/bench", "GETFILESTATUS",
                                                          user)]).decode()
                m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
                bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
                if not m or bad:
                    raise RuntimeError("wrk: %s" % out[-500:])
                wall = float(m.group(2)) / (1000 if m.group(3) == "ms" else 1)
                return int(m.group(1)), wall
            return run

        def readers(base):
            def run():
                procs = [subprocess.Popen(
                    ["curl", "-sS", "--fail", "-L", "-o", "/dev/null",
                     _webhdfs(base, rpath, "OPEN", user)], stdin=subprocess.DEVNULL)
                    for _ in range(a.gw_readers)]
                if any(p.wait() for p in procs):
                    raise RuntimeError("a concurrent reader failed")
                return a.gw_readers * rsize, None
            return run

        rows = []
        direct = "hdfs://%s:%d" % (t.host, t.port)
        rows.append(Row("get", "direct hadoofus.easy.open (the ceiling)", "direct",
                        child_json([sys.executable, "-c", _DIRECT_READ, direct + path,
                                    str(CHUNK)]), None))
        rows.append(Row("put", "direct hadoofus.easy.open (the ceiling)", "direct",
                        child_json([sys.executable, "-c", _DIRECT_WRITE,
                                    direct + GW_PUT % "direct", local, str(CHUNK)]), None))
        have_hdfscli = subprocess.run([sys.executable, "-c", "import hdfs"], env=env,
                                      stderr=subprocess.DEVNULL).returncode == 0
        have_wrk = shutil.which("wrk") is not None
        for name, base, pids in servers:
            tag = name.split()[0].lower()
            rows.append(Row("get", "%s, curl -L" % name, name, curl_get(base), pids))
            rows.append(Row("put", "%s, curl -L" % name, name,
                            curl_put(base, GW_PUT % (tag + "-curl")), pids))
            if have_hdfscli:
                rows.append(Row("get", "%s, HdfsCLI" % name, name, child_json(
                    [sys.executable, "-c", _HDFSCLI, base, user, "get", path, "-",
                     str(CHUNK)]), pids))
                rows.append(Row("put", "%s, HdfsCLI" % name, name, child_json(
                    [sys.executable, "-c", _HDFSCLI, base, user, "put",
                     GW_PUT % (tag + "-hdfscli"), local, str(CHUNK)]), pids))
            if have_wrk:
                rows.append(Row("stat", "%s, wrk %d connections" % (name, a.gw_conns), name,
                                wrk(base), pids))
            rows.append(Row("readers", "%s, %d curl readers" % (name, a.gw_readers), name,
                            readers(base), pids))
        if not have_hdfscli:
            results.append({"label": "HdfsCLI", "skipped": "pip install hdfs"})
        if not have_wrk:
            results.append({"label": "wrk", "skipped": "apt-get install wrk"})
        _log("gateway: %d rows x %d rounds ..." % (len(rows), a.rounds))
        for rnd in range(a.rounds):
            k = rnd % len(rows)
            for row in rows[k:] + rows[:k]:
                if row.error:
                    continue
                if a.wait_idle > 0:
                    wait_idle(a.wait_idle)
                try:
                    row.measure(hdfs_pids)
                except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as e:
                    row.error = str(e)
                    _log("gateway: %s: %s" % (row.label, e))
            _log("gateway: round %d of %d done" % (rnd + 1, a.rounds))
        for row in rows:
            results.append({"kind": row.kind, "label": row.label, "server": row.server,
                            "rounds": row.rounds, "error": row.error})
    finally:
        gw.close()
    print_gateway(results, a)
    return results


def _put_prefix(base, path, user, local, n):
    """Write the first n bytes of local to path through base's WebHDFS."""
    cmd = ["curl", "-sS", "--fail-with-body", "-L", "-X", "PUT", "-T", "-", "-H",
           "Content-Type: application/octet-stream",
           _webhdfs(base, path, "CREATE", user, overwrite="true")]
    with open(local, "rb") as src:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
        left = n
        while left:
            b = src.read(min(left, CHUNK))
            p.stdin.write(b)
            left -= len(b)
        p.stdin.close()
        out = p.stdout.read()
        if p.wait():
            raise RuntimeError("writing %s: %s" % (path, out.decode(errors="replace")[-500:]))


def _summary(r, stat):
    rs = sorted(r["rounds"], key=lambda x: x["amount"] / x["wall"])
    pick = rs[-1] if stat == "best" else rs[(len(rs) - 1) // 2]
    return {"rate": pick["amount"] / pick["wall"], "pick": pick,
            "median": statistics.median(x["amount"] / x["wall"] for x in rs)}


def print_gateway(results, a, out=sys.stdout):
    titles = {"get": "GET of a %d MiB file (MB/s = 10^6 bytes/s)" % a.gw_mib,
              "put": "PUT (create, overwrite) of a %d MiB file" % a.gw_mib,
              "readers": "%d concurrent readers of a %d MiB file (total MB/s)"
                         % (a.gw_readers, a.gw_readers_mib),
              "stat": "GETFILESTATUS /bench, %d connections, %d s per round (requests/s)"
                      % (a.gw_conns, a.gw_seconds)}
    by_kind = {}
    for r in results:
        if r.get("rounds"):
            r["summary"] = _summary(r, a.stat)
        by_kind.setdefault(r.get("kind"), []).append(r)
    out.write("\nGateway: hadoofus gateway vs Java's WebHDFS (Hadoop 2.7.3) and HttpFS "
              "(2.7.0) on one HDFS, %s round of %d; cpu = the serving process's CPU s per "
              "GiB (per 10k requests for GETFILESTATUS): the gateway, HttpFS, or the "
              "NameNode+DataNode JVMs for Java's WebHDFS; HDFS cpu = the NameNode+DataNode "
              "JVMs' in every row\n" % (a.stat, a.rounds))
    for kind in ("get", "put", "readers", "stat"):
        rs = by_kind.get(kind, [])
        if not rs:
            continue
        unit = "req/s" if kind == "stat" else "MB/s"
        per = 1e4 if kind == "stat" else 2**30
        rows = [("", unit, "median " + unit, "cpu", "HDFS cpu")]
        for r in rs:
            if "summary" not in r:
                rows.append((r["label"], "ERROR", "", "", "") if r.get("error") else
                            (r["label"], "-", "", "", ""))
                continue
            s = r["summary"]
            pk = s["pick"]
            scale = 1 if kind == "stat" else 1e6

            def per_unit(v):
                return "-" if v is None else "%.2f" % (v * per / pk["amount"])
            rows.append((r["label"], "{:,.0f}".format(s["rate"] / scale),
                         "{:,.0f}".format(s["median"] / scale),
                         per_unit(pk["cpu"]), per_unit(pk["hdfs_cpu"])))
        out.write("\n" + titles[kind] + "\n")
        w = [max(len(str(x[i])) for x in rows) for i in range(5)]
        for k, row in enumerate(rows):
            out.write("  " + "  ".join([row[0].ljust(w[0])] + [str(c).rjust(w[i + 1])
                                                              for i, c in enumerate(row[1:])])
                      + "\n")
            if k == 0:
                out.write("  " + "  ".join("-" * x for x in w) + "\n")
    for r in results:
        if r.get("skipped"):
            out.write("  %s: SKIPPED - %s\n" % (r["label"], r["skipped"]))
        elif r.get("error"):
            out.write("  %s: ERROR - %s\n" % (r["label"], r["error"][-300:]))
    _targets(by_kind, out)
    out.flush()


def _targets(by_kind, out):
    def rate(kind, label):
        for r in by_kind.get(kind, []):
            if r["label"].startswith(label) and "summary" in r:
                return r["summary"]["rate"]
        return None

    out.write("\nGateway targets:\n")
    for kind, what in (("get", "GET"), ("put", "PUT")):
        gw = rate(kind, "hadoofus gateway, curl")
        direct = rate(kind, "direct")
        java = rate(kind, "Java WebHDFS, curl")
        httpfs = rate(kind, "HttpFS 2.7.0, curl")
        if gw is None:
            continue
        if httpfs:
            out.write("  %s curl: gateway %.2fx HttpFS\n" % (what, gw / httpfs))
        if direct:
            out.write("  %s curl: gateway %.2fx direct easy.open (target >= 0.7x: %s)\n"
                      % (what, gw / direct, "met" if gw >= 0.7 * direct else "NOT met"))
        if java:
            out.write("  %s curl: gateway %.2fx Java WebHDFS (target >= 3x: %s)\n"
                      % (what, gw / java, "met" if gw >= 3 * java else "NOT met"))
    gw, java = rate("stat", "hadoofus gateway"), rate("stat", "Java WebHDFS")
    httpfs = rate("stat", "HttpFS")
    if gw and httpfs:
        out.write("  GETFILESTATUS: gateway %.2fx HttpFS\n" % (gw / httpfs))
    if gw and java:
        out.write("  GETFILESTATUS: gateway %.2fx Java WebHDFS (target >= 3x: %s)\n"
                  % (gw / java, "met" if gw >= 3 * java else "NOT met"))
