#!/usr/bin/env python3
"""Side-by-side benchmarks: hadoofus vs the Java client, hdfs-native and the
Go hdfs CLI, against one real HDFS, in one run.

    python bench/run.py                       # start a MiniCluster, run all, stop it
    python bench/run.py --only nn --calls 20000 --rounds 3
    python bench/run.py --cluster hdfs://127.0.0.1:8020 --nn-pid 1234
    python bench/run.py --clients hadoofus,hdfs-native --json out.json
    python bench/run.py --only read --read-mib 1024
    python bench/run.py --only write --write-mib 1024 --small-files 200
    python bench/run.py --only gateway --gw-mib 1024    # the HTTP gateway vs Java's WebHDFS
    python bench/run.py --only secure,ec,v1 --feature-mib 128   # today's features

Benches (--only): nn = getFileInfo calls/s on one file; read = whole-file
reads of a --read-mib file (replication 1 and 3: --read-replication),
sequential and --read-threads threads of positional reads, MB/s and the
client's CPU seconds per GiB; write = a --write-mib file written whole
(replication 1 and 3: --write-replication), MB/s and CPU per GiB, and small
files (create + write --small-size bytes + close) per second; gateway (only
when asked) = bench/gateway.py: the hadoofus gateway against Java's WebHDFS
(the MiniCluster then runs with it).  Each measurement
runs in a fresh worker process (bench/worker.py) that warms up, then times
--rounds rounds of --calls operations; the table shows the median round and
the best round.  tree = a recursive listing of a tree of --tree-dirs x
--tree-subdirs empty directories, each client a whole process (`hadoofus ls
-R`, Java's `FsShell -ls -R`; hdfs-native's recursive
list_status timed in its process), best and median of --rounds.  See
bench/README.md.  secure, ec, v1 (only when asked) each start a
MiniCluster of their own: on kerberized clusters the read and write rows
at each data transfer protection and on encrypted data transfer (AES/CTR,
SASL privacy) and getFileInfo calls/s at each RPC QOP (sequential and
40 x 200 pipelined), on an RS-3-2 directory of Hadoop 3.4.1,
and hadoofus vs Java's FsShell on Hadoop 1.2.1.
"""

import argparse
import contextlib
import copy
import datetime
import importlib
import importlib.util
import json
import os
import platform
import queue
import statistics
import subprocess
import sys
import threading
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from clients import MODULES  # noqa: E402
from common import wait_idle  # noqa: E402

BENCHES = ("nn", "read", "write", "gateway", "tree", "secure", "ec", "v1")
# Today's features, each on a MiniCluster of its own (see _feature_rows).
FEATURES = ("secure", "ec", "v1")
DEFAULT_BENCHES = ("nn", "read", "write")  # gateway (~10 min) and tree: on request
BENCH_PATH_DIR = "/bench"
BENCH_FILE = "/bench/f"
READ_FILE = "/bench/read-%dm-r%d"   # size in MiB, replication


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# The cluster


def load_minicluster():
    """hadoofus.minicluster: the repository's file when bench/ sits in the
    repository (pure standard library, needs no build), else the installed
    package's."""
    path = os.path.join(os.path.dirname(HERE), "hadoofus", "minicluster.py")
    if os.path.exists(path):
        spec = importlib.util.spec_from_file_location("_bench_minicluster", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod
        spec.loader.exec_module(mod)
        return mod
    import hadoofus.minicluster as mod
    return mod


class Target:
    """Where the benchmarks go, and what the Java client needs."""

    def __init__(self, host, port, user, nn_pid=None, conf_dir=None, jars_dir=None,
                 java=None, hadoop_version=None, own=False, jvm_opts=()):
        self.host, self.port, self.user = host, int(port), user
        # Extra JVM flags the Java client needs on this cluster (Java 17 vs
        # Hadoop's internals: AES/CTR streams, Hadoop 3).
        self.jvm_opts = list(jvm_opts)
        self.nn_pid, self.conf_dir, self.jars_dir, self.java = nn_pid, conf_dir, jars_dir, java
        self.hadoop_version = hadoop_version
        self.own = own

    @property
    def url(self):
        return "hdfs://%s:%d" % (self.host, self.port)


def prepare_file(t, mc=None):
    """Create BENCH_FILE (1 KiB) once, with whichever client is at hand."""
    env = dict(os.environ, HADOOP_USER_NAME=t.user)
    errors = []
    try:
        code = ("from hdfs_native import Client\n"
                "c = Client(%r)\n"
                "c.mkdirs(%r, create_parent=True)\n"
                "w = c.create(%r)\nw.write(b'x' * 1024)\nw.close()\n"
                % (t.url, BENCH_PATH_DIR, BENCH_FILE))
        # A fresh process: the harness itself stays free of client state.
        exists = subprocess.run([sys.executable, "-c", "from hdfs_native import Client\n"
                                 "Client(%r).get_file_info(%r)" % (t.url, BENCH_FILE)],
                                env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=60).returncode == 0
        if exists:
            return
        subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        return
    except (subprocess.SubprocessError, OSError) as e:
        errors.append("hdfs-native: %s" % e)
    if mc is not None:
        mc.fs_shell("-mkdir", "-p", BENCH_PATH_DIR, user=t.user)
        mc.fs_shell("-put", "-f", "/etc/hostname", BENCH_FILE, user=t.user)
        return
    raise RuntimeError("could not create %s: %s" % (BENCH_FILE, "; ".join(errors)))


# ---------------------------------------------------------------------------
# Running workers


def _params(t, a, **extra):
    p = {
        "url": t.url, "host": t.host, "port": t.port, "user": t.user,
        "path": BENCH_FILE, "warmup": a.warmup, "window": a.window, "nn_pid": t.nn_pid,
        "conf_dir": t.conf_dir, "jars_dir": t.jars_dir, "java": t.java,
        "cache_dir": a.cache_dir, "hadoop_version": t.hadoop_version,
        "c_build": a.c_build, "hadoofus": a.hadoofus, "jvm_opts": t.jvm_opts,
    }
    p.update(extra)
    return p


class Worker:
    """One client in a worker process (bench/worker.py), driven over the
    line protocol of bench/common.py."""

    def __init__(self, module, bench, variant, params, ops, timeout):
        self.module, self.variant, self.ops, self.timeout = module, variant, ops, timeout
        self.rounds = []
        self.result = None
        env = dict(os.environ, HADOOP_USER_NAME=params["user"])
        cmd = [sys.executable, os.path.join(HERE, "worker.py"), module, bench, variant,
               json.dumps(params)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=env, text=True, bufsize=1)
        self._q = queue.Queue()
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        for line in self.proc.stdout:
            if line.startswith("BENCH-"):
                kind, _, rest = line.rstrip("\n").partition(" ")
                self._q.put((kind[6:], json.loads(rest) if rest else None))
        self._q.put(("EOF", None))

    def _fail(self, why):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.result = {"client": self.module, "variant": self.variant, "error": why}

    def _expect(self, kinds):
        try:
            kind, obj = self._q.get(timeout=self.timeout)
        except queue.Empty:
            self._fail("no answer in %d s" % self.timeout)
            return None, None
        if kind == "EOF":
            self._fail("worker exited %s" % self.proc.wait())
            return None, None
        if kind == "RESULT":
            self.result = obj
            self.proc.wait()
            return kind, obj
        if kind not in kinds:
            self._fail("unexpected %s" % kind)
            return None, None
        return kind, obj

    @property
    def alive(self):
        return self.result is None

    def ready(self):
        """Wait for the warm-up to end; False if the client cannot run."""
        kind, _ = self._expect(("READY",))
        return kind == "READY"

    def _send(self, line):
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except OSError as e:
            self._fail("cannot write to the worker: %s" % e)

    def start_round(self):
        if self.alive:
            self._send("ROUND %d" % self.ops)

    def end_round(self):
        if self.alive:
            kind, obj = self._expect(("ROUND",))
            if kind == "ROUND":
                self.rounds.append(obj)

    def finish(self):
        """Stop the worker; returns its result with the rounds in it."""
        if self.alive:
            self._send("EXIT")
            if self.alive:
                self._expect(())
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        r = dict(self.result)
        if self.rounds and "error" not in r and "skipped" not in r:
            r["rounds"] = self.rounds
        return r


WAIT_IDLE = [0]


def _idle_first(seconds=None):
    if WAIT_IDLE[0] > 0:
        return wait_idle(WAIT_IDLE[0] if seconds is None else min(seconds, WAIT_IDLE[0]),
                         log=log)
    return None


def run_interleaved(specs, rounds, params_of, timeout, bench="nn"):
    """Start each client's worker in turn (warm-ups one at a time), then
    run round 1 of every client, round 2 of every client, ..., rotating the
    order; returns the results in the order of specs."""
    workers = []
    for module, variant, ops, label in specs:
        log("%s: connecting and warming up ..." % label)
        w = Worker(module, bench, variant, params_of(module, variant), ops, timeout)
        if not w.ready():
            r = w.result
            log("%s: %s" % (label, r.get("skipped") or r.get("error")))
        workers.append(w)
    live = [w for w in workers if w.alive]
    for r in range(rounds):
        order = live[r % len(live):] + live[:r % len(live)] if live else []
        for w in order:
            _idle_first()
            w.start_round()
            w.end_round()
        log("round %d/%d done" % (r + 1, rounds))
    return [w.finish() for w in workers]


def run_parallel(module, variant, params, ops, nprocs, timeout):
    """nprocs workers of one client, their timed round started at the same
    moment; one aggregate result (total ops over the span from the first
    start to the last end)."""
    ws = [Worker(module, "nn", variant, params, ops, timeout) for _ in range(nprocs)]
    ok = all([w.ready() for w in ws])
    if ok:
        _idle_first()
        for w in ws:
            w.start_round()
        for w in ws:
            w.end_round()
    res = [w.finish() for w in ws]
    bad = [r for r in res if "rounds" not in r]
    if bad:
        return dict(bad[0], label="%s x%d processes" % (bad[0].get("label", module), nprocs))
    rounds = [r["rounds"][0] for r in res]
    t0 = min(x["t0"] for x in rounds)
    t1 = max(x["t1"] for x in rounds)
    nn = [x["nn_cpu"] for x in rounds]
    agg = {
        "ops": sum(x["ops"] for x in rounds),
        "wall": t1 - t0,
        "cpu": sum(x["cpu"] for x in rounds),
        # Every worker sampled the same NameNode over about the same span.
        "nn_cpu": max(nn) if None not in nn else None,
        "t0": t0, "t1": t1,
    }
    r0 = res[0]
    return {"client": r0["client"], "variant": r0["variant"] + "x%d" % nprocs,
            "label": "%s, %d processes at once" % (r0["label"], nprocs),
            "rounds": [agg], "info": dict(r0.get("info", {}), processes=nprocs,
                                          per_process=[x["ops"] / x["wall"] for x in rounds])}


# ---------------------------------------------------------------------------
# Reporting


def summarize(r, stat):
    """The rate of the best or of the median round, and per-op figures
    of that round."""
    rs = sorted(r["rounds"], key=lambda x: x["ops"] / x["wall"])
    pick = rs[-1] if stat == "best" else rs[(len(rs) - 1) // 2]
    rate = pick["ops"] / pick["wall"]
    per10k = lambda v: None if v is None else v / pick["ops"] * 10000  # noqa: E731
    return {
        "rate": rate, "best": rs[-1]["ops"] / rs[-1]["wall"],
        "median": statistics.median(x["ops"] / x["wall"] for x in rs),
        "us": 1e6 / rate, "cpu10k": per10k(pick["cpu"]), "nn_cpu10k": per10k(pick["nn_cpu"]),
        "stat": stat,
    }


def _fmt(v, spec):
    return "-" if v is None else format(v, spec)


def _write_rows(rows, out):
    """rows[0] the header: the first column left-aligned, the others right,
    a rule under the header."""
    rows = [[str(c) for c in row] for row in rows]
    w = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for k, row in enumerate(rows):
        out.write("  " + "  ".join([row[0].ljust(w[0])] +
                                   [c.rjust(w[i + 1]) for i, c in enumerate(row[1:])]) + "\n")
        if k == 0:
            out.write("  " + "  ".join("-" * x for x in w) + "\n")


def print_table(title, results, baseline_key, stat, out=sys.stdout):
    base = None
    for r in results:
        if "rounds" in r:
            r["summary"] = summarize(r, stat)
            if (r["client"], r["variant"]) == baseline_key:
                base = r["summary"]["rate"]
    out.write("\n%s\ncalls/s, us/call, ratio and CPU columns are of each client's %s round; "
              "cpu = the client's own CPU seconds per 10k calls, NN cpu = the NameNode's\n"
              % (title, stat))
    hdr = ("client", "calls/s", "us/call", "vs hdfs-native", "median/s", "cpu s/10k",
           "NN cpu s/10k")
    rows = [hdr]
    notes = []
    for r in results:
        if "summary" not in r:
            notes.append("  %s: SKIPPED - %s" % (r.get("label", r.get("client")),
                                                 r.get("skipped") or r.get("error")))
            continue
        s = r["summary"]
        ratio = s["rate"] / base if base else None
        rows.append((r["label"], _fmt(s["rate"], ",.0f"), _fmt(s["us"], ",.1f"),
                     _fmt(ratio, ".2f") + ("x" if ratio else ""), _fmt(s["median"], ",.0f"),
                     _fmt(s["cpu10k"], ".2f"), _fmt(s["nn_cpu10k"], ".2f")))
    _write_rows(rows, out)
    for n in notes:
        out.write(n + "\n")
    out.flush()


def machine_info():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    commit = "?"
    try:
        repo = os.path.dirname(HERE)
        commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                timeout=10).stdout.decode().strip() or "?"
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               timeout=10).stdout.strip()
        if dirty:
            commit += "+dirty"
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = 0
    return {
        "loadavg_start": os.getloadavg()[0],
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": commit,
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": model,
        "mem_gib": round(mem, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


# ---------------------------------------------------------------------------
# The NameNode bench


def bench_nn(t, a):
    def want(client):
        return not a.clients or client in a.clients

    def params_of(module, variant):
        return _params(t, a)

    # Warm the NameNode's JIT first so that the first client to warm up is
    # not the one that pays for it.
    if a.server_warmup:
        log("nn: server warm-up (%d calls)" % a.server_warmup)
        w = Worker("hdfs_native_py", "nn", "seq", _params(t, a, warmup=a.server_warmup),
                   0, a.timeout)
        w.ready()
        w.finish()

    seq, pipe = a.calls, a.pipe_calls
    specs = [s for s in (
        ("java", "seq", seq, "java"),
        ("hdfs_native_py", "seq", seq, "hdfs-native"),
        ("hadoofus_py", "seq", seq, "hadoofus"),
        ("hadoofus_py", "pipe", pipe, "hadoofus"),
        ("hadoofus_py", "aio", pipe, "hadoofus"),
        ("c_core", "seq", seq, "hadoofus-c"),
        ("c_core", "pipe", pipe, "hadoofus-c"),
    ) if want(s[3])]
    results = run_interleaved([(m, v, n, "%s %s" % (c, v)) for m, v, n, c in specs],
                              a.rounds, params_of, a.timeout)

    # The NameNode's capacity: several client processes at once.
    ok = {(r["client"], r["variant"]) for r in results if "rounds" in r}
    caps = {"hadoofus": ("hadoofus_py", "pipe"), "hadoofus-c": ("c_core", "pipe"),
            "hdfs-native": ("hdfs_native_py", "seq")}
    for name in a.capacity:
        module, variant = caps[name]
        if (name, variant) not in ok:
            continue
        for n in a.procs:
            log("nn: capacity, %d x %s %s ..." % (n, name, variant))
            ops = pipe if variant == "pipe" else seq
            results.append(run_parallel(module, variant, _params(t, a), ops, n, a.timeout))

    per_proc = []
    if want("go-hdfs-cli") and a.proc_calls > 0:
        per_proc = run_interleaved([("go_cli", "proc", a.proc_calls, "go-hdfs-cli")],
                                   a.rounds, params_of, a.timeout)

    print_table("NameNode: getFileInfo(%s), %d calls per round (%d when pipelined), %d rounds "
                "per client interleaved, after %d warm-up calls"
                % (BENCH_FILE, a.calls, a.pipe_calls, a.rounds, a.warmup),
                results, ("hdfs-native", "seq"), a.stat)
    if per_proc:
        print_table("One process per call (start + connect + getFileInfo + exit; "
                    "not comparable with the rows above), %d calls per round" % a.proc_calls,
                    per_proc, ("hdfs-native", "seq"), a.stat)
    _targets(results, a.stat)
    return results + per_proc


def _targets(results, stat):
    by = {(r["client"], r["variant"]): r["summary"]["rate"]
          for r in results if "summary" in r}
    base = by.get(("hdfs-native", "seq"))
    if not base:
        return
    sys.stdout.write("\nTargets (vs hdfs-native sequential, %s rounds):\n" % stat)
    for key, goal, what in ((("hadoofus", "seq"), 1.5, "hadoofus sequential"),
                            (("hadoofus", "pipe"), 5.0, "hadoofus pipelined")):
        if key in by:
            ratio = by[key] / base
            sys.stdout.write("  %-22s %.2fx  (target >= %.1fx: %s)\n"
                             % (what, ratio, goal, "met" if ratio >= goal else "NOT met"))
        else:
            sys.stdout.write("  %-22s not measured\n" % what)


# ---------------------------------------------------------------------------
# The tree bench (issue 11: tree walks at the NameNode's speed)


def _hadoofus_env(t, a):
    """The environment that runs this work tree's hadoofus (or the installed
    one) as `python -m hadoofus`."""
    env = dict(os.environ, HADOOP_USER_NAME=t.user)
    for k in ("HADOOP_CONF_DIR", "HADOOP_HOME", "CLASSPATH"):
        env.pop(k, None)
    if a.hadoofus == "tree":
        from clients import _build
        stage = _build.python_stage(_params(t, a))
        env["PYTHONPATH"] = stage + os.pathsep + env.get("PYTHONPATH", "")
    return env


_MAKE_TREE = """
import sys, hadoofus
nn = hadoofus.rpc(sys.argv[1], int(sys.argv[2]))
root, dirs, subs = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
if nn.getFileInfo(root) is None:
    with nn.pipeline() as p:
        futs = [p.mkdirs("%s.tmp/d%04d/e%04d" % (root, i, j), 0o755, True)
                for i in range(dirs) for j in range(subs)]
    [f.result() for f in futs]
    nn.rename2(root + ".tmp", root)
"""

_HDFS_NATIVE_TREE = """
import sys, time
from hdfs_native import Client
c = Client(sys.argv[1])
t = time.perf_counter()
n = sum(1 for _ in c.list_status(sys.argv[2], recursive=True))
print(n, time.perf_counter() - t)
"""


def bench_tree(t, a):
    root = "/bench/tree-%dx%d" % (a.tree_dirs, a.tree_subdirs)
    entries = a.tree_dirs * (a.tree_subdirs + 1)
    env = _hadoofus_env(t, a)
    log("tree: making %s (%d directories) ..." % (root, entries))
    subprocess.run([sys.executable, "-c", _MAKE_TREE, t.host, str(t.port), root,
                    str(a.tree_dirs), str(a.tree_subdirs)], env=env, check=True, timeout=1800,
                   cwd="/")
    cp = os.pathsep.join(([t.conf_dir] if t.conf_dir else []) + [os.path.join(t.jars_dir, "*")])
    jenv = dict(os.environ, HADOOP_USER_NAME=t.user)
    jenv.pop("CLASSPATH", None)
    runs = [
        ("hadoofus ls -R", "hadoofus", [sys.executable, "-m", "hadoofus", "--namenode",
                                        "%s:%d" % (t.host, t.port), "ls", "-R", root], env),
        ("Java FsShell -ls -R", "java", [t.java, "-Xmx512m", "-cp", cp,
                                         "org.apache.hadoop.fs.FsShell", "-fs", t.url,
                                         "-ls", "-R", root], jenv),
        ("hdfs-native list_status(recursive), in process", "hdfs-native",
         [sys.executable, "-c", _HDFS_NATIVE_TREE, t.url, root], dict(os.environ)),
    ]
    # The Go hdfs CLI has no recursive listing (its ls takes no -R): not a peer here.
    results = []
    for label, client, cmd, e in runs:
        if a.clients and client not in a.clients:
            continue
        r = {"label": label, "client": client, "seconds": []}
        for k in range(a.rounds + 1):        # the first is a warm-up (page cache, JIT of NN)
            _idle_first()
            t0 = time.perf_counter()
            p = subprocess.run(cmd, env=e, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=600, cwd="/")
            wall = time.perf_counter() - t0
            if p.returncode != 0:
                r["error"] = p.stderr.decode(errors="replace").strip()[-300:]
                break
            if client == "hdfs-native":
                n, wall = p.stdout.split()
                n, wall = int(n), float(wall)
            else:
                n = p.stdout.count(b"\n")
            r["entries"] = n
            if n != entries:
                r["error"] = "listed %d entries, not %d" % (n, entries)
                break
            if k:
                r["seconds"].append(wall)
        results.append(r)
        log("tree: %s %s" % (label, r.get("error") or
                             " ".join("%.2f" % x for x in r["seconds"])))
    results = [r for r in results if r["seconds"] or "error" in r]
    print_tree_table(root, entries, results)
    return results


def print_tree_table(root, entries, results, out=sys.stdout):
    out.write("\nRecursive listing of %s (%d entries): seconds (whole process unless said)\n"
              % (root, entries))
    peers = [min(r["seconds"]) for r in results
             if r["client"] != "hadoofus" and r.get("seconds")]
    best_peer = min(peers) if peers else None
    rows = [("client", "best s", "median s", "entries", "best peer / this")]
    for r in results:
        if not r.get("seconds"):
            rows.append((r["label"], "-", "-", "-", "FAILED: %s" % r.get("error", "?")))
            continue
        best = min(r["seconds"])
        rows.append((r["label"], "%.2f" % best, "%.2f" % statistics.median(r["seconds"]),
                     str(r.get("entries", "?")),
                     "%.2fx" % (best_peer / best) if best_peer else "-"))
    _write_rows(rows, out)
    out.flush()


# ---------------------------------------------------------------------------
# The read bench


def _java_shell(t, *args, check=True):
    """FsShell of the Java client jars against the target."""
    cp = os.pathsep.join(([t.conf_dir] if t.conf_dir else []) + [os.path.join(t.jars_dir, "*")])
    env = dict(os.environ, HADOOP_USER_NAME=t.user)
    env.pop("CLASSPATH", None)
    return subprocess.run([t.java, "-Xmx512m", *t.jvm_opts, "-cp", cp,
                           "org.apache.hadoop.fs.FsShell",
                           "-fs", t.url, *args], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=check, timeout=3600)


def prepare_read_file(t, a, replication):
    """READ_FILE of --read-mib MiB at `replication`, written once by the Java
    client (kept across runs on an external cluster)."""
    path = READ_FILE % (a.read_mib, replication)
    size = a.read_mib << 20
    r = _java_shell(t, "-stat", "%b %r", path, check=False)
    if r.returncode == 0 and r.stdout.split() == [str(size).encode(), str(replication).encode()]:
        return path
    log("read: writing %s (%d MiB, replication %d) with the Java client ..."
        % (path, a.read_mib, replication))
    import tempfile
    with tempfile.NamedTemporaryFile(prefix="hadoofus-bench-read-", dir=a.cache_dir) as f:
        left = size
        while left:
            k = min(left, 64 << 20)
            f.write(os.urandom(k))
            left -= k
        f.flush()
        _java_shell(t, "-mkdir", "-p", BENCH_PATH_DIR)
        _java_shell(t, "-D", "dfs.replication=%d" % replication, "-put", "-f", f.name, path)
    return path


def print_read_table(title, results, size, stat, out=sys.stdout, verb="read"):
    base = None
    for r in results:
        if "rounds" in r:
            r["summary"] = s = summarize(r, stat)
            rs = sorted(r["rounds"], key=lambda x: x["ops"] / x["wall"])
            pick = rs[-1] if stat == "best" else rs[(len(rs) - 1) // 2]
            gib = pick["ops"] * size / 2**30
            s["mbps"] = s["rate"] * size / 1e6
            s["cpu_gib"] = None if pick["cpu"] is None else pick["cpu"] / gib
            s["median_mbps"] = s["median"] * size / 1e6
    out.write("\n%s\nMB/s (10^6 bytes) and CPU of each client's %s round; cpu = the "
              "client's own CPU seconds (all threads) per GiB %s\n" % (title, stat, verb))
    hdr = ("client", "MB/s", "s/%s" % ("file" if verb == "written" else verb),
           "median MB/s", "cpu s/GiB")
    rows = [hdr]
    notes = []
    for r in results:
        if "summary" not in r:
            notes.append("  %s: SKIPPED - %s" % (r.get("label", r.get("client")),
                                                 r.get("skipped") or r.get("error")))
            continue
        s = r["summary"]
        rows.append((r["label"], _fmt(s["mbps"], ",.0f"), _fmt(1 / s["rate"], ".3f"),
                     _fmt(s["median_mbps"], ",.0f"), _fmt(s["cpu_gib"], ".3f")))
    _write_rows(rows, out)
    for n in notes:
        out.write(n + "\n")
    out.flush()


def _read_targets(results, out=sys.stdout):
    """hadoofus vs the peers: throughput >= the best peer's, CPU per GiB
    <= half of hdfs-native's (per variant: sequential / preads)."""
    by = {}
    for r in results:
        if "summary" in r:
            by[(r["client"], r["variant"])] = r["summary"]
    out.write("\nRead targets (throughput >= best peer; client CPU/GiB <= 0.5 x hdfs-native):\n")
    peers = ("java", "hdfs-native", "go-hdfs-cli")
    for variant in ("seq", "pread"):
        best = max(((k[0], s["mbps"]) for k, s in by.items()
                    if k[0] in peers and (k[1] == variant or (variant == "seq" and k[1] == "proc"))),
                   key=lambda x: x[1], default=None)
        native = by.get(("hdfs-native", variant))
        for me in ("hadoofus", "hadoofus-c"):
            s = by.get((me, variant))
            if s is None:
                continue
            parts = []
            if best:
                ratio = s["mbps"] / best[1]
                parts.append("%.2fx %s's MB/s (%s)" % (ratio, best[0],
                                                      "met" if ratio >= 1 else "NOT met"))
            if native and native["cpu_gib"] and s["cpu_gib"] is not None:
                ratio = s["cpu_gib"] / native["cpu_gib"]
                parts.append("%.2fx hdfs-native's CPU/GiB (%s)" % (ratio,
                                                                  "met" if ratio <= 0.5 else "NOT met"))
            out.write("  %-11s %-5s %s\n" % (me, variant, "; ".join(parts) or "no peer measured"))
    out.write("libhdfs_hadoofus.so (C, hdfs.h) >= 0.95 x the Python/core rate of the same run:\n")
    for variant, call in (("seq", "hdfsRead"), ("pread", "hdfsPread")):
        lib = by.get(("libhdfs", variant))
        if lib is None:
            continue
        parts = []
        for me, name in (("hadoofus", "Python"), ("hadoofus-c", "C core")):
            s = by.get((me, variant))
            if s:
                ratio = lib["mbps"] / s["mbps"]
                parts.append("%.2fx %s (%s)" % (ratio, name, "met" if ratio >= 0.95 else "NOT met"))
        out.write("  %-11s %-5s %s\n" % (call, variant, "; ".join(parts) or "nothing to compare"))


def bench_read(t, a, variants=None):
    def want(client):
        return not a.clients or client in a.clients

    size = a.read_mib << 20
    all_results = []
    for repl in a.read_replication:
        path = prepare_read_file(t, a, repl)

        def params_of(module, variant, path=path):
            return _params(t, a, read_path=path, read_size=size, chunk=a.read_chunk,
                           threads=a.read_threads, warmup=a.read_warmup, nn_pid=None)

        specs = [s for s in (
            ("java", "seq", "java"),
            ("hdfs_native_py", "seq", "hdfs-native"),
            ("go_cli", "proc", "go-hdfs-cli"),
            ("hadoofus_py", "seq", "hadoofus"),
            ("c_core", "seq", "hadoofus-c"),
            ("libhdfs_c", "seq", "libhdfs"),
            ("java", "pread", "java"),
            ("hdfs_native_py", "pread", "hdfs-native"),
            ("hadoofus_py", "pread", "hadoofus"),
            ("c_core", "pread", "hadoofus-c"),
            ("libhdfs_c", "pread", "libhdfs"),
        ) if want(s[2]) and (variants is None or s[1] in variants)]
        results = run_interleaved([(m, v, 1, "%s %s r%d" % (c, v, repl)) for m, v, c in specs],
                                  a.rounds, params_of, a.timeout, bench="read")
        for r in results:
            r["replication"] = repl
        print_read_table("Read: %s (%d MiB, replication %d), whole file per round, %d rounds "
                         "per client interleaved, %d MiB reads (%d threads for pread), after "
                         "%d warm-up read(s)" % (path, a.read_mib, repl, a.rounds,
                                                 a.read_chunk >> 20, a.read_threads,
                                                 a.read_warmup),
                         results, size, a.stat)
        _read_targets(results)
        all_results += results
    return all_results


# ---------------------------------------------------------------------------
# Today's features (issues 10, 12, 13): the read and write rows on a cluster
# set up for the feature.

FEATURE_CLIENTS = ("java", "hdfs-native", "hadoofus")
EC_POLICY = "RS-3-2-1024k"
# dfs.encrypt.data.transfer with block tokens; whether AES/CTR is used is
# the client's dfs.encrypt.data.transfer.cipher.suites, else the SASL
# cipher (DIGEST-MD5 auth-conf) of the NameNode's algorithm encrypts.
ENCRYPTED = {
    "dfs.block.access.token.enable": "true",
    "dfs.encrypt.data.transfer": "true",
    "dfs.encrypt.data.transfer.cipher.suites": "AES/CTR/NoPadding",
    "dfs.encrypt.data.transfer.algorithm": "3des",
}
# Hadoop 2.7.3 frees an AES stream's buffers through sun.nio.ch internals
# that Java 17 hides: with the export the DataNode only logs the failure;
# Java's client still dies of it on AES reads (a NoSuchMethodError there).
AES_EXPORTS = ["--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"]


def _feature_cluster(mcmod, a, **kw):
    log("starting a MiniCluster %s ..." % kw)
    kw.setdefault("heap", "256m")
    mc = mcmod.MiniCluster(replication=1, **kw)
    mc.start()
    log("cluster up at %s in %.1f s" % (mc.url, mc.start_seconds))
    return mc


def _feature_target(mc, a, mcmod, conf_dir, jvm_opts=()):
    return Target(mc.host, mc.port, a.user or mc.superuser, nn_pid=mc.namenode.pid,
                  conf_dir=conf_dir, jars_dir=mc.jars_dir, java=mc.java_path,
                  hadoop_version=mc.version or mcmod.HADOOP_VERSION, own=True,
                  jvm_opts=list(getattr(mc, "_version_jvm_opts", [])) + list(jvm_opts))


def _feature_rows(t, a, heading):
    """The sequential read and whole-file write rows (replication 1, a
    --feature-mib file) of Java, hdfs-native and hadoofus on t."""
    b = copy.copy(a)
    b.read_mib = b.write_mib = a.feature_mib
    b.read_replication = b.write_replication = [1]
    b.small_files = 0
    b.clients = [c for c in (a.clients or FEATURE_CLIENTS) if c in FEATURE_CLIENTS]
    _prepare_clients(t, b)
    sys.stdout.write("\n=== %s ===\n" % heading)
    results = bench_read(t, b, variants=("seq",)) + bench_write(t, b)
    for r in results:
        r["feature"] = heading
    return results


@contextlib.contextmanager
def _environ(**kv):
    """os.environ with kv set (the workers and the clients' conf lookups
    inherit it), restored afterwards."""
    old = {k: os.environ.get(k) for k in kv}
    os.environ.update(kv)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _conf_copy(src, dest, core=None, hdfs=None):
    """A copy of the client conf dir src in dest with the core-site and
    hdfs-site properties core and hdfs set (None: removed); returns dest."""
    import shutil
    import xml.etree.ElementTree as ET
    shutil.copytree(src, dest)
    for name, props in (("core-site.xml", core or {}), ("hdfs-site.xml", hdfs or {})):
        path = os.path.join(dest, name)
        tree = ET.parse(path)
        root = tree.getroot()
        for prop in root.findall("property"):
            if prop.findtext("name") in props:
                root.remove(prop)
        for k, v in props.items():
            if v is None:
                continue
            prop = ET.SubElement(root, "property")
            ET.SubElement(prop, "name").text = k
            ET.SubElement(prop, "value").text = str(v)
        tree.write(path)
    return dest


# Data transfer and RPC protections, one kerberized cluster each.
SECURE_QOPS = ("authentication", "integrity", "privacy")
# RPC rows: sequential getFileInfo, and pipelines of SECURE_BATCH calls
# (SECURE_PIPELINES of them per round), where a wrapped connection seals
# a pipeline's calls into one SASL message.
SECURE_PIPELINES, SECURE_BATCH = 40, 200


def _secure_rpc_rows(t, a, qop):
    """getFileInfo calls/s and client CPU per call at RPC QOP qop (the
    client conf in t.conf_dir and HADOOP_CONF_DIR asks for it)."""
    def params_of(module, variant):
        return _params(t, a, batch=SECURE_BATCH)

    specs = [s for s in (
        ("java", "seq", a.calls, "java"),
        ("hdfs_native_py", "seq", a.calls, "hdfs-native"),
        ("hadoofus_py", "seq", a.calls, "hadoofus"),
        ("hadoofus_py", "batch", SECURE_PIPELINES * SECURE_BATCH, "hadoofus"),
    ) if not a.clients or s[3] in a.clients]
    results = run_interleaved([(m, v, n, "%s %s rpc %s" % (c, v, qop)) for m, v, n, c in specs],
                              a.rounds, params_of, a.timeout)
    print_table("RPC, Kerberos, hadoop.rpc.protection=%s: getFileInfo(%s), %d calls per round "
                "sequential, %d x %d pipelined, %d rounds per client interleaved, after %d "
                "warm-up calls (cpu s/10k x 100 = client CPU us per call)"
                % (qop, BENCH_FILE, a.calls, SECURE_PIPELINES, SECURE_BATCH, a.rounds, a.warmup),
                results, ("hdfs-native", "seq"), a.stat)
    heading = "secure: Kerberos, RPC protection %s" % qop
    for r in results:
        r["feature"] = heading
    return results


def _secure_qops(mcmod, a, jvm_opts):
    """For each QOP a kerberized cluster whose DataNode offers only that
    data transfer protection (hdfs-native takes the highest one offered,
    whatever its conf says), the superuser's tickets for every client: the
    read and write rows (SASL DIGEST-MD5 keyed by the block token; for
    privacy hadoofus picks rc4, hdfs-native 3des, Java 3des by its speed),
    then the RPC rows with the client conf asking for that RPC QOP (the
    NameNode offers all three: its DataNode's own RPC needs privacy)."""
    results = []
    for qop in SECURE_QOPS:
        mc = _feature_cluster(mcmod, a, datanodes=1, secure=True, data_protection=qop,
                              jvm_opts=jvm_opts)
        try:
            opts = list(jvm_opts) + mc.security.jvm_opts()
            with tempfile.TemporaryDirectory(prefix="hadoofus-bench-krb-") as tmp, \
                    _environ(**mc.krb5_env(mc.superuser)):
                # The RPC at its cheapest, so that the rows are the data's.
                conf = _conf_copy(mc.conf_dir, os.path.join(tmp, "data"),
                                  core={"hadoop.rpc.protection": "authentication"})
                with _environ(HADOOP_CONF_DIR=conf):
                    t = _feature_target(mc, a, mcmod, conf, opts)
                    results += _feature_rows(
                        t, a, "secure: Kerberos, data transfer protection %s" % qop)
                conf = _conf_copy(mc.conf_dir, os.path.join(tmp, "rpc"),
                                  core={"hadoop.rpc.protection": qop})
                with _environ(HADOOP_CONF_DIR=conf):
                    t = _feature_target(mc, a, mcmod, conf, opts)
                    prepare_file(t, mc)
                    sys.stdout.write("\n=== secure: Kerberos, RPC protection %s ===\n" % qop)
                    results += _secure_rpc_rows(t, a, qop)
        finally:
            mc.close()
    return results


def _secure_summary(results, out=sys.stdout):
    """The group's rows in two tables (data, RPC): best round (median) and
    the best round's client CPU, then hadoofus over each peer."""
    cell = {(r["feature"], r["client"], r["variant"]): r["summary"]
            for r in results if r.get("summary")}
    features = list(dict.fromkeys(k[0] for k in cell))
    peers = ("java", "hdfs-native")
    data = [("setting", "client", "read MB/s", "cpu s/GiB", "write MB/s", "cpu s/GiB")]
    rpc = [("RPC QOP", "client", "calls/s", "cpu us/call")]
    ratios = []

    def best_med(s, best, med):
        return "%s (%s)" % (_fmt(s[best], ",.0f"), _fmt(s[med], ",.0f")) if s else "-"

    def ratio(mine, theirs, key):
        return ("%.2fx" % (mine[key] / theirs[key])) if mine and theirs and theirs[key] else "-"

    def name(f):
        return f.split(": ", 1)[-1].replace("Kerberos, ", "").replace("Kerberos + ", "")

    width = max([len(name(f)) for f in features] or [0])
    for f in features:
        what = name(f).ljust(width)
        if "RPC" in f:
            for client, variant in (("java", "seq"), ("hdfs-native", "seq"),
                                    ("hadoofus", "seq"), ("hadoofus", "batch")):
                s = cell.get((f, client, variant))
                if s:
                    cpu = None if s["cpu10k"] is None else s["cpu10k"] * 100
                    rpc.append((what.strip(), "%s %s" % (client, variant),
                                best_med(s, "rate", "median"), _fmt(cpu, ".1f")))
            base = cell.get((f, "hdfs-native", "seq"))
            for variant in ("seq", "batch"):
                mine = cell.get((f, "hadoofus", variant))
                ratios.append("  %s  hadoofus %-5s %s hdfs-native's calls/s, %s its CPU per "
                              "call" % (what, variant, ratio(mine, base, "rate"),
                                        ratio(mine, base, "cpu10k")))
            continue
        for client in peers + ("hadoofus",):
            rd, wr = cell.get((f, client, "seq")), cell.get((f, client, "file"))
            if rd or wr:
                data.append((what.strip(), client, best_med(rd, "mbps", "median_mbps"),
                             _fmt(rd and rd["cpu_gib"], ".2f"),
                             best_med(wr, "mbps", "median_mbps"),
                             _fmt(wr and wr["cpu_gib"], ".2f")))
        for peer in peers:
            parts = []
            for verb, variant in (("read", "seq"), ("write", "file")):
                mine, theirs = cell.get((f, "hadoofus", variant)), cell.get((f, peer, variant))
                parts.append("%s %s MB/s at %s CPU" % (verb, ratio(mine, theirs, "mbps"),
                                                      ratio(mine, theirs, "cpu_gib")))
            ratios.append("  %s  hadoofus vs %-11s %s" % (what, peer, "; ".join(parts)))
    out.write("\n=== secure: summary: best round (median round); CPU = the client's, of "
              "its best round ===\n")
    if len(data) > 1:
        _write_rows(data, out)
    if len(rpc) > 1:
        out.write("\n")
        _write_rows(rpc, out)
    out.write("\nhadoofus over the peers (best rounds):\n" + "\n".join(ratios) + "\n")
    out.flush()


def bench_secure(mcmod, a):
    """Kerberos at each data transfer and RPC protection (_secure_qops),
    then encrypted data transfer on a kerberized cluster of its own (its
    DataNode then demands encryption of every client): AES/CTR (the
    cluster's client conf) and the SASL cipher (that conf without
    dfs.encrypt.data.transfer.cipher.suites)."""
    java17 = (mcmod._java_major(mcmod.find_java()) or 8) >= 9
    exports = AES_EXPORTS if java17 else ()
    results = _secure_qops(mcmod, a, exports)
    mc = _feature_cluster(mcmod, a, datanodes=1, secure=True, encrypt_data=True,
                          conf=ENCRYPTED, jvm_opts=exports)
    try:
        with tempfile.TemporaryDirectory(prefix="hadoofus-bench-conf-") as tmp, \
                _environ(**mc.krb5_env(mc.superuser)):
            # Without the cipher suites the SASL cipher encrypts; the rest
            # of the conf (Kerberos) stays.
            sasl = _conf_copy(mc.conf_dir, os.path.join(tmp, "sasl"),
                              hdfs={"dfs.encrypt.data.transfer.cipher.suites": None})
            for conf, what in ((mc.conf_dir, "AES/CTR/NoPadding"),
                               (sasl, "SASL privacy (DIGEST-MD5 auth-conf, 3des)")):
                # hadoofus and hdfs-native take the client conf from here.
                with _environ(HADOOP_CONF_DIR=conf):
                    t = _feature_target(mc, a, mcmod, conf,
                                        list(exports) + mc.security.jvm_opts())
                    results += _feature_rows(
                        t, a, "secure: Kerberos + dfs.encrypt.data.transfer, %s" % what)
    finally:
        mc.close()
    _secure_summary(results)
    return results


def bench_ec(mcmod, a):
    """Erasure coding: every file under /bench striped RS-3-2 on Hadoop 3."""
    mc = _feature_cluster(mcmod, a, datanodes=5, version=a.ec_version,
                          ec_policies=[EC_POLICY])
    try:
        mc.set_ec_policy(BENCH_PATH_DIR, EC_POLICY)
        t = _feature_target(mc, a, mcmod, mc.conf_dir)
        results = _feature_rows(t, a, "ec: %s on Hadoop %s (%s)" % (EC_POLICY, a.ec_version,
                                                                    BENCH_PATH_DIR))
        # The rows are EC rows only if the file they read is striped.
        path = READ_FILE % (a.feature_mib, 1)
        got = mc.java(mcmod._hadoop3().ECADMIN_CLASS, "-getPolicy", "-path", path).stdout
        if EC_POLICY.encode() not in got:
            raise RuntimeError("%s is not striped: %r" % (path, got.strip()))
        log("ec: %s is striped (%s)" % (path, got.decode().strip()))
        return results
    finally:
        mc.close()


_V1_HADOOFUS = """
import json, os, sys, time, hadoofus
host, user, path, wpath = sys.argv[1], sys.argv[3], sys.argv[4], sys.argv[5]
port, calls, size = int(sys.argv[2]), int(sys.argv[6]), int(sys.argv[7])
c = hadoofus.rpc(host, port, user=user, protocol=80)
data = os.urandom(size)
out = {}
def timed(key, fn, ops):
    c0, w0 = time.process_time(), time.perf_counter()
    fn()
    out[key] = {"ops": ops, "wall": time.perf_counter() - w0, "cpu": time.process_time() - c0}
for _ in range(min(calls, 1000)):        # warm-up
    c.getFileInfo(path)
timed("stat", lambda: [c.getFileInfo(path) for _ in range(calls)], calls)
timed("write", lambda: c.write(wpath, data, overwrite=True, replication=1), 1)
def read():
    if len(c.read(wpath)) != size:
        raise SystemExit("short read")
timed("read", read, 1)
print(json.dumps(out))
"""


def bench_v1(mcmod, a):
    """HDFS v1 on Hadoop 1.2.1: hadoofus.rpc(protocol=80) in one process
    vs Java's 1.x FsShell, a JVM per operation (no other 1.x Java client
    to drive in-process): its `-stat` time (JVM start + connect + one
    getFileInfo) is also subtracted from its -cat / -put times."""
    from common import children_cpu
    mc = _feature_cluster(mcmod, a, datanodes=1, version=a.v1_version, heap="192m")
    size = a.feature_mib << 20
    rpath, wdir = BENCH_PATH_DIR + "/v1-read", BENCH_PATH_DIR + "/v1"
    rows = {"hadoofus": [], "java": []}
    try:
        t = _feature_target(mc, a, mcmod, mc.conf_dir)
        env = _hadoofus_env(t, a)
        with tempfile.NamedTemporaryFile(prefix="hadoofus-bench-v1-", dir=a.cache_dir) as f:
            f.write(os.urandom(size))
            f.flush()
            mc.fs_shell("-put", f.name, rpath)      # 1.x: parents made, no -f
            for k in range(a.rounds + 1):           # the first is a warm-up
                _idle_first()
                p = subprocess.run([sys.executable, "-c", _V1_HADOOFUS, t.host, str(t.port),
                                    t.user, rpath, wdir + "/hadoofus", str(a.calls), str(size)],
                                   env=env, stdout=subprocess.PIPE, check=True, timeout=600,
                                   cwd="/")
                h = json.loads(p.stdout.decode().strip().splitlines()[-1])
                j = {}
                for key, args in (("stat", ("-stat", rpath)), ("read", ("-cat", rpath)),
                                  ("write", ("-put", f.name, wdir + "/java"))):
                    if key == "write":
                        mc.fs_shell("-rmr", wdir + "/java", check=False)
                    c0, w0 = children_cpu(), time.perf_counter()
                    out = mc.fs_shell(*args).stdout
                    j[key] = {"ops": 1, "wall": time.perf_counter() - w0,
                              "cpu": children_cpu() - c0}
                    if key == "read" and len(out) != size:
                        raise RuntimeError("FsShell -cat gave %d bytes" % len(out))
                if k:
                    rows["hadoofus"].append(h)
                    rows["java"].append(j)
                log("v1: round %d/%d done" % (k, a.rounds))
    finally:
        mc.close()
    print_v1_table(a, size, rows)
    return [{"client": c, "feature": "v1", "rounds": r} for c, r in rows.items()]


def print_v1_table(a, size, rows, out=sys.stdout):
    def best_med(vals):
        return max(vals), statistics.median(vals)

    out.write("\n=== v1: Hadoop %s (HDFS v1), %d MiB file, replication 1, %d rounds ===\n"
              "hadoofus: hadoofus.rpc(protocol=80), %d getFileInfo calls, c.write() and "
              "c.read() of the whole file, in one process.\nJava: FsShell -stat / -cat / "
              "-put, one JVM each; 'net' subtracts the quickest -stat (JVM start + "
              "connect + 1 call) of the run.\nbest (median); cpu = the client's CPU s per GiB "
              "(Java's includes its JVM start)\n" % (a.v1_version, a.feature_mib, a.rounds,
                                                       a.calls))
    hdr = ("client", "getFileInfo/s", "read MB/s", "write MB/s", "read cpu s/GiB",
           "write cpu s/GiB")
    table = [hdr]
    gib = size / 2**30
    for client, rs in rows.items():
        if not rs:
            continue
        cells = [client]
        stat = best_med([r["stat"]["ops"] / r["stat"]["wall"] for r in rs])
        cells.append("%s (%s)" % tuple(format(x, ",.1f") for x in stat))
        for key in ("read", "write"):
            sp = best_med([size / 1e6 / r[key]["wall"] for r in rs])
            txt = "%.0f (%.0f)" % sp
            if client == "java":
                # The quickest -stat stands for the JVM start; a remainder
                # under 0.1 s is lost in the noise of JVM starts.
                jvm = min(r["stat"]["wall"] for r in rs)
                net = [size / 1e6 / (r[key]["wall"] - jvm) for r in rs
                       if r[key]["wall"] - jvm > 0.1]
                txt += (", net %.0f (%.0f)" % best_med(net)) if net else ", net -"
            cells.append(txt)
        for key in ("read", "write"):
            cells.append("%.2f" % (min(r[key]["cpu"] for r in rs) / gib))
        table.append(cells)
    _write_rows(table, out)
    out.flush()


# ---------------------------------------------------------------------------
# The write bench

WRITE_DIR = "/bench/write"


def _write_targets(results, out=sys.stdout):
    """hadoofus vs the peers: throughput >= the best peer's, CPU per GiB
    <= half of hdfs-native's."""
    by = {(r["client"], r["variant"]): r["summary"] for r in results if "summary" in r}
    out.write("\nWrite targets (throughput >= best peer; client CPU/GiB <= 0.5 x hdfs-native):\n")
    best = max(((k[0], s["mbps"]) for k, s in by.items()
                if k[0] in ("java", "hdfs-native", "go-hdfs-cli")),
               key=lambda x: x[1], default=None)
    native = by.get(("hdfs-native", "file"))
    for me in ("hadoofus", "hadoofus-c"):
        s = by.get((me, "file"))
        if s is None:
            continue
        parts = []
        if best:
            ratio = s["mbps"] / best[1]
            parts.append("%.2fx %s's MB/s (%s)" % (ratio, best[0],
                                                  "met" if ratio >= 1 else "NOT met"))
        if native and native["cpu_gib"] and s["cpu_gib"] is not None:
            ratio = s["cpu_gib"] / native["cpu_gib"]
            parts.append("%.2fx hdfs-native's CPU/GiB (%s)" % (ratio,
                                                              "met" if ratio <= 0.5 else "NOT met"))
        out.write("  %-11s %s\n" % (me, "; ".join(parts) or "no peer measured"))


def bench_write(t, a):
    def want(client):
        return not a.clients or client in a.clients

    def params_of_for(repl, size, warmup):
        def params_of(module, variant):
            return _params(t, a, write_dir="%s/%s-%s-r%d" % (WRITE_DIR, module, variant, repl),
                           write_size=size, replication=repl, chunk=a.write_chunk,
                           warmup=warmup, nn_pid=None,
                           # the MiniCluster's (run.py starts it with 1)
                           default_replication=1 if t.own else None)
        return params_of

    size = a.write_mib << 20
    all_results = []
    for repl in a.write_replication:
        specs = [s for s in (
            ("java", "file", "java"),
            ("hdfs_native_py", "file", "hdfs-native"),
            ("go_cli", "proc", "go-hdfs-cli"),
            ("hadoofus_py", "file", "hadoofus"),
            ("c_core", "file", "hadoofus-c"),
        ) if want(s[2])]
        results = run_interleaved([(m, v, 1, "%s %s r%d" % (c, v, repl)) for m, v, c in specs],
                                  a.rounds, params_of_for(repl, size, a.write_warmup),
                                  a.timeout, bench="write")
        for r in results:
            r["replication"] = repl
        print_read_table("Write: one %d MiB file per round (128 MiB blocks, replication %d), "
                         "%d rounds per client interleaved, %d MiB writes, after %d warm-up "
                         "file(s)" % (a.write_mib, repl, a.rounds, a.write_chunk >> 20,
                                      a.write_warmup),
                         results, size, a.stat, verb="written")
        _write_targets(results)
        all_results += results

    if a.small_files > 0:
        specs = [s for s in (
            ("java", "small", "java"),
            ("hdfs_native_py", "small", "hdfs-native"),
            ("hadoofus_py", "small", "hadoofus"),
            ("c_core", "small", "hadoofus-c"),
        ) if want(s[2])]
        results = run_interleaved(
            [(m, v, a.small_files, "%s %s" % (c, v)) for m, v, c in specs], a.rounds,
            params_of_for(1, a.small_size, a.small_warmup), a.timeout, bench="write")
        print_table("Small files: create + write %d bytes + close, a new file each, "
                    "replication 1, %d files per round, %d rounds per client interleaved, "
                    "after %d warm-up files (calls/s = files/s)"
                    % (a.small_size, a.small_files, a.rounds, a.small_warmup),
                    results, ("hdfs-native", "small"), a.stat)
        all_results += results
    return all_results


# ---------------------------------------------------------------------------


def _prepare_clients(t, a):
    """Build/compile each client's pieces once, before its workers start."""
    for m in MODULES:
        mod = importlib.import_module("clients." + m)
        if hasattr(mod, "prepare") and (not a.clients or mod.CLIENT in a.clients):
            log("preparing %s ..." % mod.CLIENT)
            err = mod.prepare(_params(t, a))
            if err:
                log("%s: %s" % (mod.CLIENT, err))


def bench_gateway_run(t, a, mc):
    """bench/gateway.py with the hadoofus under test on PYTHONPATH."""
    from gateway import bench_gateway
    env = dict(os.environ)
    if a.hadoofus == "tree":
        from clients import _build
        stage = _build.python_stage(_params(t, a))
        env["PYTHONPATH"] = os.pathsep.join(
            [stage] + [p for p in [env.get("PYTHONPATH")] if p])
    env["PYTHONSAFEPATH"] = "1"
    return bench_gateway(t, a, mc, env)


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(DEFAULT_BENCHES),
                    help="benches to run, comma-separated (%s; default %s)"
                    % (", ".join(BENCHES), ",".join(DEFAULT_BENCHES)))
    ap.add_argument("--clients", default="",
                    help="client families to run, comma-separated "
                         "(java, hdfs-native, hadoofus, hadoofus-c, go-hdfs-cli; "
                         "default all)")
    ap.add_argument("--calls", type=int, default=20000, help="operations per timed round")
    ap.add_argument("--warmup", type=int, default=5000, help="untimed operations first")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds per client")
    ap.add_argument("--stat", choices=("best", "median"), default="best",
                    help="which round of each client the table reports (default best: "
                         "on a shared machine other work only ever slows a round down)")
    ap.add_argument("--window", type=int, default=64, help="calls in flight when pipelined")
    ap.add_argument("--pipe-calls", type=int, default=None,
                    help="operations per timed round when pipelined (default 5 x --calls, "
                         "so that a round lasts long enough to time)")
    ap.add_argument("--procs", default="2,4",
                    help="NameNode capacity: also run this many client processes at "
                         "once, comma-separated ('' for none)")
    ap.add_argument("--capacity", default="hadoofus,hadoofus-c",
                    help="clients run as --procs processes at once (hadoofus, hadoofus-c, "
                         "hdfs-native; pipelined where they can)")
    ap.add_argument("--proc-calls", type=int, default=200,
                    help="calls for one-process-per-call clients (Go CLI; 0 = skip)")
    ap.add_argument("--server-warmup", type=int, default=30000,
                    help="calls to warm the NameNode before measuring (0 = none)")
    ap.add_argument("--cluster", help="benchmark this running HDFS (hdfs://HOST:PORT) "
                                      "instead of starting a MiniCluster")
    ap.add_argument("--nn-pid", type=int, help="with --cluster: the NameNode's pid on this "
                                               "machine, to report its CPU per call")
    ap.add_argument("--conf-dir", help="with --cluster: a Hadoop client conf dir for Java")
    ap.add_argument("--user", help="HDFS user (default: HADOOP_USER_NAME, else the "
                                   "cluster's superuser)")
    ap.add_argument("--c-build", help="a meson build dir of this repository holding "
                                      "libhadoofus.so (default: build one in the cache)")
    ap.add_argument("--hadoofus", choices=("tree", "installed"), default="tree",
                    help="which hadoofus Python package: this work tree's, built into the "
                         "cache (default), or the installed one")
    ap.add_argument("--read-mib", type=int, default=1024,
                    help="read bench: the file's size in MiB (default 1024)")
    ap.add_argument("--read-replication", default="1,3",
                    help="read bench: replications to measure, comma-separated; 3 needs "
                         "3 DataNodes (the bench's own MiniCluster has 3 when read runs)")
    ap.add_argument("--read-chunk", type=int, default=4 << 20,
                    help="read bench: bytes per read call (default 4 MiB)")
    ap.add_argument("--read-threads", type=int, default=4,
                    help="read bench: threads of positional reads (default 4)")
    ap.add_argument("--read-warmup", type=int, default=1,
                    help="read bench: untimed whole-file reads first (default 1)")
    ap.add_argument("--write-mib", type=int, default=1024,
                    help="write bench: the file's size in MiB (default 1024)")
    ap.add_argument("--write-replication", default="1,3",
                    help="write bench: replications to measure, comma-separated; 3 needs "
                         "3 DataNodes (the bench's own MiniCluster has 3 when write runs)")
    ap.add_argument("--write-chunk", type=int, default=4 << 20,
                    help="write bench: bytes per write call (default 4 MiB)")
    ap.add_argument("--write-warmup", type=int, default=1,
                    help="write bench: untimed whole files first (default 1)")
    ap.add_argument("--small-files", type=int, default=200,
                    help="write bench: small files per round (0: no small-file bench)")
    ap.add_argument("--small-size", type=int, default=4096,
                    help="write bench: bytes per small file (default 4096)")
    ap.add_argument("--small-warmup", type=int, default=20,
                    help="write bench: untimed small files first (default 20)")
    ap.add_argument("--tree-dirs", type=int, default=200,
                    help="tree bench: directories under the root (default 200)")
    ap.add_argument("--tree-subdirs", type=int, default=100,
                    help="tree bench: empty directories in each (default 100)")
    ap.add_argument("--timeout", type=int, default=600,
                    help="seconds to wait for any one answer of a worker")
    ap.add_argument("--gw-mib", type=int, default=1024,
                    help="gateway: MiB of the GET/PUT file")
    ap.add_argument("--gw-readers", type=int, default=32, help="gateway: concurrent readers")
    ap.add_argument("--gw-readers-mib", type=int, default=32,
                    help="gateway: MiB of the file the concurrent readers read")
    ap.add_argument("--gw-conns", type=int, default=32,
                    help="gateway: connections of the GETFILESTATUS load (wrk)")
    ap.add_argument("--gw-seconds", type=int, default=5,
                    help="gateway: seconds per GETFILESTATUS round")
    ap.add_argument("--gw-args", default="", help="gateway: extra arguments for "
                    "python -m hadoofus.gateway")
    ap.add_argument("--no-httpfs", action="store_true",
                    help="gateway: leave Hadoop's HttpFS out of the comparison")
    ap.add_argument("--webhdfs-url", help="gateway, with --cluster: Java's WebHDFS "
                    "(http://HOST:PORT of the NameNode) to compare with")
    ap.add_argument("--feature-mib", type=int, default=128,
                    help="secure, ec, v1: MiB of the file read and written (default 128)")
    ap.add_argument("--ec-version", default="3.4.1",
                    help="ec: the Hadoop 3 version of its cluster (default 3.4.1)")
    ap.add_argument("--v1-version", default="1.2.1",
                    help="v1: the Hadoop 1 version of its cluster (default 1.2.1)")
    ap.add_argument("--json", help="also write every result to this file")
    ap.add_argument("--wait-idle", type=int, default=30,
                    help="before each round wait up to this many seconds for the "
                         "CPUs to be >= 85%% idle (shared machines; 0 = don't)")
    a = ap.parse_args(argv)
    a.only = [b for b in a.only.split(",") if b]
    for b in a.only:
        if b not in BENCHES:
            ap.error("unknown bench %r" % b)
    a.clients = [c for c in a.clients.split(",") if c]
    a.read_replication = [int(x) for x in a.read_replication.split(",") if x.strip()]
    a.write_replication = [int(x) for x in a.write_replication.split(",") if x.strip()]
    if a.pipe_calls is None:
        a.pipe_calls = 5 * a.calls
    a.procs = [int(x) for x in a.procs.split(",") if x.strip()]
    a.capacity = [c for c in a.capacity.split(",") if c]
    for c in a.capacity:
        if c not in ("hadoofus", "hadoofus-c", "hdfs-native"):
            ap.error("--capacity: unknown client %r" % c)
    return a


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    WAIT_IDLE[0] = a.wait_idle
    mcmod = load_minicluster()
    a.cache_dir = mcmod.cache_dir()
    os.makedirs(a.cache_dir, exist_ok=True)
    info = machine_info()
    mc = None
    try:
        t = None
        if not set(a.only) - set(FEATURES):
            pass    # each feature starts a cluster of its own
        elif a.cluster:
            u = urllib.parse.urlparse(a.cluster)
            user = a.user or os.environ.get("HADOOP_USER_NAME") or os.environ.get("USER") or "root"
            t = Target(u.hostname, u.port or 8020, user, nn_pid=a.nn_pid, conf_dir=a.conf_dir,
                       jars_dir=mcmod.ensure_jars(), java=mcmod.find_java())
        else:
            # Replication 3 (read and write benches) needs 3 DataNodes.
            ndn = max([1] + (a.read_replication if "read" in a.only else [])
                      + (a.write_replication if "write" in a.only else []))
            log("starting a MiniCluster (1 NameNode, %d DataNode%s) ..."
                % (ndn, "s" if ndn > 1 else ""))
            mc = mcmod.MiniCluster(datanodes=ndn, replication=1,
                                   webhdfs="gateway" in a.only)
            mc.start()
            log("cluster up at %s in %.1f s" % (mc.url, mc.start_seconds))
            t = Target(mc.host, mc.port, a.user or os.environ.get("HADOOP_USER_NAME") or mc.superuser,
                       nn_pid=mc.namenode.pid, conf_dir=mc.conf_dir, jars_dir=mc.jars_dir,
                       java=mc.java_path, hadoop_version=mcmod.HADOOP_VERSION, own=True)
        # The tree bench runs whole processes of its own: no file, no workers.
        if set(a.only) - {"tree"} - set(FEATURES):
            prepare_file(t, mc)
        if set(a.only) & set(DEFAULT_BENCHES):
            _prepare_clients(t, a)
        all_results = {}
        if "nn" in a.only:
            all_results["nn"] = bench_nn(t, a)
        if "read" in a.only:
            all_results["read"] = bench_read(t, a)
        if "write" in a.only:
            all_results["write"] = bench_write(t, a)
        if "gateway" in a.only:
            all_results["gateway"] = bench_gateway_run(t, a, mc)
        if "tree" in a.only:
            all_results["tree"] = bench_tree(t, a)
        for name, fn in (("secure", bench_secure), ("ec", bench_ec), ("v1", bench_v1)):
            if name in a.only:
                all_results[name] = fn(mcmod, a)
    finally:
        if mc is not None:
            log("stopping the MiniCluster")
            mc.close()

    jv = next((r["info"] for r in [x for b in all_results.values() for x in b]
               if r.get("client") == "java" and "info" in r), {})
    info.update(cluster="MiniCluster per feature" if t is None else
                ("MiniCluster " if t.own else "") + t.url,
                hadoop="see each table" if t is None else t.hadoop_version
                or "? (Java client jars: %s)" % jv.get("hadoop_version", "?"),
                java=jv.get("java_version", "?"), loadavg_end=os.getloadavg()[0])
    sys.stdout.write("\nMachine: %(nproc)s CPUs (%(cpu)s), %(mem_gib)s GiB, Linux %(kernel)s, "
                     "Python %(python)s\n"
                     "Load average (1 min) at start %(loadavg_start).2f, at end %(loadavg_end).2f "
                     "(other work on the machine skews the numbers)\nCluster: Hadoop %(hadoop)s (%(cluster)s), Java %(java)s"
                     "\nDate: %(date)s  commit %(commit)s\n" % info)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"machine": info, "args": {k: v for k, v in vars(a).items()},
                       "results": all_results}, f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
