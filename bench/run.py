#!/usr/bin/env python3
"""Side-by-side benchmarks: hadoofus vs the Java client, hdfs-native and the
Go hdfs CLI, against one real HDFS, in one run.

    python bench/run.py                       # start a MiniCluster, run all, stop it
    python bench/run.py --only nn --calls 20000 --rounds 3
    python bench/run.py --cluster hdfs://127.0.0.1:8020 --nn-pid 1234
    python bench/run.py --clients hadoofus,hdfs-native --json out.json

Benches (--only): nn = getFileInfo calls/s on one file.  Each measurement
runs in a fresh worker process (bench/worker.py) that warms up, then times
--rounds rounds of --calls operations; the table shows the median round and
the best round.  See bench/README.md.
"""

import argparse
import datetime
import importlib
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from clients import MODULES  # noqa: E402
from common import wait_idle  # noqa: E402

BENCHES = ("nn",)
BENCH_PATH_DIR = "/bench"
BENCH_FILE = "/bench/f"


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
                 java=None, hadoop_version=None, own=False):
        self.host, self.port, self.user = host, int(port), user
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
        "path": BENCH_FILE, "calls": a.calls, "warmup": a.warmup, "rounds": a.rounds,
        "window": a.window, "proc_calls": a.proc_calls, "nn_pid": t.nn_pid,
        "conf_dir": t.conf_dir, "jars_dir": t.jars_dir, "java": t.java,
        "cache_dir": a.cache_dir, "hadoop_version": t.hadoop_version,
        "timeout": a.timeout, "c_build": a.c_build, "hadoofus": a.hadoofus,
    }
    p.update(extra)
    return p


def _start_worker(module, bench, variant, params):
    env = dict(os.environ, HADOOP_USER_NAME=params["user"])
    cmd = [sys.executable, os.path.join(HERE, "worker.py"), module, bench, variant,
           json.dumps(params)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)


def _finish_worker(p, timeout):
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return {"error": "timed out after %d s" % timeout}
    for line in reversed(out.decode(errors="replace").splitlines()):
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    return {"error": "worker exited %d without a result" % p.returncode}


WAIT_IDLE = [0]


def _idle_first():
    if WAIT_IDLE[0] > 0:
        return wait_idle(WAIT_IDLE[0], log=log)
    return None


def run_one(module, bench, variant, params, timeout):
    idle = _idle_first()
    r = _finish_worker(_start_worker(module, bench, variant, params), timeout)
    if idle is not None:
        r["idle_before"] = idle
    return r


def run_parallel(module, bench, variant, params, nprocs, timeout):
    """nprocs workers at once, their timed rounds starting together; one
    aggregate result (total ops over the span from first start to last end)."""
    # Enough head room for every worker to start and warm up first.
    params = dict(params, rounds=1, start_at=time.time() + 8 + 2 * nprocs)
    _idle_first()
    procs = [_start_worker(module, bench, variant, params) for _ in range(nprocs)]
    res = [_finish_worker(p, timeout) for p in procs]
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
            "label": "%s, %d processes at once (aggregate)" % (r0["label"], nprocs),
            "rounds": [agg], "info": dict(r0.get("info", {}), processes=nprocs,
                                          per_process=[x["ops"] / x["wall"] for x in rounds])}


# ---------------------------------------------------------------------------
# Reporting


def summarize(r):
    """Median and best rate of a result's rounds, per-op figures."""
    rs = r["rounds"]
    rates = sorted(x["ops"] / x["wall"] for x in rs)
    med_rate = statistics.median(rates)
    med = min(rs, key=lambda x: abs(x["ops"] / x["wall"] - med_rate))
    per10k = lambda v, x: None if v is None else v / x["ops"] * 10000  # noqa: E731
    return {
        "rate": med_rate, "best": rates[-1], "us": 1e6 / med_rate,
        "cpu10k": per10k(med["cpu"], med), "nn_cpu10k": per10k(med["nn_cpu"], med),
    }


def _fmt(v, spec):
    return "-" if v is None else format(v, spec)


def print_table(title, results, baseline_key, out=sys.stdout):
    rows = []
    base = None
    for r in results:
        if "rounds" in r:
            r["summary"] = summarize(r)
            if (r["client"], r["variant"]) == baseline_key:
                base = r["summary"]["rate"]
    out.write("\n%s\n" % title)
    hdr = ("client", "calls/s", "best/s", "us/call", "vs hdfs-native",
           "cpu s/10k", "NN cpu s/10k")
    rows.append(hdr)
    notes = []
    for r in results:
        if "summary" not in r:
            notes.append("  %s: SKIPPED - %s" % (r.get("label", r.get("client")),
                                                 r.get("skipped") or r.get("error")))
            continue
        s = r["summary"]
        ratio = s["rate"] / base if base else None
        rows.append((r["label"], _fmt(s["rate"], ",.0f"), _fmt(s["best"], ",.0f"),
                     _fmt(s["us"], ",.1f"), _fmt(ratio, ".2f") + ("x" if ratio else ""),
                     _fmt(s["cpu10k"], ".2f"), _fmt(s["nn_cpu10k"], ".2f")))
    w = [max(len(str(row[i])) for row in rows) for i in range(len(hdr))]
    for k, row in enumerate(rows):
        cells = [str(row[0]).ljust(w[0])] + [str(c).rjust(w[i + 1]) for i, c in enumerate(row[1:])]
        out.write("  " + "  ".join(cells) + "\n")
        if k == 0:
            out.write("  " + "  ".join("-" * x for x in w) + "\n")
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
    results = []

    def want(client):
        return not a.clients or client in a.clients

    def one(module, variant, client, **kw):
        if not want(client):
            return None
        log("nn: %s %s ..." % (client, variant))
        r = run_one(module, "nn", variant, _params(t, a, **kw), a.timeout)
        if "error" in r:
            log("nn: %s %s failed: %s" % (client, variant, r["error"]))
        results.append(r)
        return r

    # Warm the NameNode's JIT first so the client measured first is not
    # penalized; the result is thrown away.
    if a.server_warmup:
        log("nn: server warm-up (%d calls)" % a.server_warmup)
        run_one("hdfs_native_py", "nn", "seq",
                _params(t, a, calls=a.server_warmup, warmup=0, rounds=1), a.timeout)

    one("java", "seq", "java")
    one("hdfs_native_py", "seq", "hdfs-native")
    one("hadoofus_py", "seq", "hadoofus")
    one("hadoofus_py", "pipe", "hadoofus", calls=a.pipe_calls)
    one("hadoofus_py", "aio", "hadoofus", calls=a.pipe_calls)
    one("c_core", "seq", "hadoofus-c")
    one("c_core", "pipe", "hadoofus-c", calls=a.pipe_calls)

    # The NameNode's capacity: several client processes at once, each
    # with a variant that worked above.
    ok = {(r["client"], r["variant"]) for r in results if "rounds" in r}
    caps = {"hadoofus": ("hadoofus_py", "pipe"), "hadoofus-c": ("c_core", "pipe"),
            "hdfs-native": ("hdfs_native_py", "seq")}
    for name in a.capacity:
        module, variant = caps[name]
        if (name, variant) not in ok:
            continue
        for n in a.procs:
            log("nn: capacity, %d x %s %s ..." % (n, name, variant))
            calls = a.pipe_calls if variant == "pipe" else a.calls
            results.append(run_parallel(module, "nn", variant, _params(t, a, calls=calls), n,
                                        a.timeout))

    per_proc = []
    if want("go-hdfs-cli") and a.proc_calls > 0:
        log("nn: go hdfs cli ...")
        per_proc.append(run_one("go_cli", "nn", "proc", _params(t, a), a.timeout))

    print_table("NameNode: getFileInfo(%s), %d calls per round (%d when pipelined), %d rounds "
                "after %d warm-up calls; calls/s = median round"
                % (BENCH_FILE, a.calls, a.pipe_calls, a.rounds, a.warmup),
                results, ("hdfs-native", "seq"))
    if per_proc:
        print_table("One process per call (start + connect + getFileInfo + exit; "
                    "not comparable with the rows above), %d calls" % a.proc_calls,
                    per_proc, ("hdfs-native", "seq"))
    _targets(results)
    return results + per_proc


def _targets(results):
    by = {(r["client"], r["variant"]): r["summary"]["rate"]
          for r in results if "summary" in r}
    base = by.get(("hdfs-native", "seq"))
    if not base:
        return
    sys.stdout.write("\nTargets (vs hdfs-native sequential):\n")
    for key, goal, what in ((("hadoofus", "seq"), 1.5, "hadoofus sequential"),
                            (("hadoofus", "pipe"), 5.0, "hadoofus pipelined")):
        if key in by:
            ratio = by[key] / base
            sys.stdout.write("  %-22s %.2fx  (target >= %.1fx: %s)\n"
                             % (what, ratio, goal, "met" if ratio >= goal else "NOT met"))
        else:
            sys.stdout.write("  %-22s not measured\n" % what)


# ---------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default=",".join(BENCHES),
                    help="benches to run, comma-separated (%s)" % ", ".join(BENCHES))
    ap.add_argument("--clients", default="",
                    help="client families to run, comma-separated "
                         "(java, hdfs-native, hadoofus, hadoofus-c, go-hdfs-cli; "
                         "default all)")
    ap.add_argument("--calls", type=int, default=20000, help="operations per timed round")
    ap.add_argument("--warmup", type=int, default=5000, help="untimed operations first")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds per client")
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
    ap.add_argument("--server-warmup", type=int, default=20000,
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
    ap.add_argument("--timeout", type=int, default=900, help="seconds per worker")
    ap.add_argument("--json", help="also write every result to this file")
    ap.add_argument("--wait-idle", type=int, default=60,
                    help="before each measurement wait up to this many seconds for the "
                         "CPUs to be >= 85%% idle (shared machines; 0 = don't)")
    a = ap.parse_args(argv)
    a.only = [b for b in a.only.split(",") if b]
    for b in a.only:
        if b not in BENCHES:
            ap.error("unknown bench %r" % b)
    a.clients = [c for c in a.clients.split(",") if c]
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
        if a.cluster:
            u = urllib.parse.urlparse(a.cluster)
            user = a.user or os.environ.get("HADOOP_USER_NAME") or os.environ.get("USER") or "root"
            t = Target(u.hostname, u.port or 8020, user, nn_pid=a.nn_pid, conf_dir=a.conf_dir,
                       jars_dir=mcmod.ensure_jars(), java=mcmod.find_java())
        else:
            log("starting a MiniCluster (1 NameNode, 1 DataNode) ...")
            mc = mcmod.MiniCluster(datanodes=1, replication=1)
            mc.start()
            log("cluster up at %s in %.1f s" % (mc.url, mc.start_seconds))
            t = Target(mc.host, mc.port, a.user or os.environ.get("HADOOP_USER_NAME") or mc.superuser,
                       nn_pid=mc.namenode.pid, conf_dir=mc.conf_dir, jars_dir=mc.jars_dir,
                       java=mc.java_path, hadoop_version=mcmod.HADOOP_VERSION, own=True)
        prepare_file(t, mc)
        for m in MODULES:
            mod = importlib.import_module("clients." + m)
            if hasattr(mod, "prepare") and (not a.clients or mod.CLIENT in a.clients):
                log("preparing %s ..." % mod.CLIENT)
                err = mod.prepare(_params(t, a))
                if err:
                    log("%s: %s" % (mod.CLIENT, err))
        all_results = {}
        if "nn" in a.only:
            all_results["nn"] = bench_nn(t, a)
    finally:
        if mc is not None:
            log("stopping the MiniCluster")
            mc.close()

    jv = next((r["info"] for r in all_results.get("nn", ())
               if r.get("client") == "java" and "info" in r), {})
    info.update(cluster=("MiniCluster " if t.own else "") + t.url,
                hadoop=t.hadoop_version or jv.get("hadoop_version", "?"),
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
