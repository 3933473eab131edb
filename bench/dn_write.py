"""Write throughput into a pipeline of local DataNodes: hadoofus (C and
Python) against the Java client (in-process and FsShell -put) and the Go CLI.

    python bench/dn_write.py [--size-mib 512] [--rounds 3] [--replication 1,3]

For each replication factor, starts a 3-DataNode MiniCluster whose default
replication is that factor (the Go CLI and FsShell take the server's/conf's
default), then runs the writers in interleaved rounds (each round: every
writer once, in a fresh process, one file of --size-mib MiB in 128 MiB
blocks) and prints, per writer, the best and median MB/s (10^6 bytes/s),
the client's CPU seconds and the DataNodes' (all three, from /proc) per
write. Numbers "in process" exclude process start (and the JVM's start and
JIT warm-up); "whole process" ones include everything.

  hadoofus-c nocopy   bench/c/dnwrite: hdfs_block_writer_write_nocopy from one
                      buffer of the file's size (checksums computed in place)
  hadoofus-c copy     the same from a 4 MiB buffer written again and again
                      (every byte copied into the engine's packets)
  hadoofus-c 1M pkts  nocopy with 1 MiB packets (the DataNodes handle 16x
                      fewer packets and acks; Java's default is 64 KiB)
  hadoofus-py         hadoofus.data(lb, name).write(bytes) per block
  java-api            FileSystem.create + write(4 MiB) loop + close, after a
                      64 MiB warm-up file in the same JVM (bench/java/DnWrite)
  java-fsshell        FsShell -put LOCALFILE (whole process, JVM start too)
  go-cli              HADOOP_NAMENODE=... hdfs put LOCALFILE (whole process)
"""

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)   # run as a script under PYTHONSAFEPATH (dev.sh sets it)

from common import build_dn_bench, children_cpu, proc_cpu  # noqa: E402
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "hadoofus")

PY_WRITER = r"""
import resource, sys, time, hadoofus
port, path, size, repl = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) << 20, int(sys.argv[4])
bs = 128 << 20
import random
chunk = random.Random(1).randbytes(4 << 20)
data = chunk * (size // len(chunk)) + chunk[:size % len(chunk)]
nn = hadoofus.rpc("127.0.0.1", port)
name = nn.client_name
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c0, t0 = cpu(), time.monotonic()
nn.create(path, clientName=name, overwrite=True, replication=repl, blockSize=bs)
mv = memoryview(data)
prev = None
for off in range(0, size, bs):
    lb = nn.addBlock(path, name, previous=prev.b if prev else None)
    hadoofus.data(lb, name).write(mv[off:off + bs])
    prev = lb
while not nn.complete(path, name, last=prev):
    time.sleep(0.01)
print("%.6f %d %.6f" % (time.monotonic() - t0, size, cpu() - c0))
"""


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, **kw).stdout


def build_java(jars):
    out = os.path.join(CACHE, "bench-java-dnwrite")
    os.makedirs(out, exist_ok=True)
    cp = ":".join(sorted(glob.glob(os.path.join(jars, "*.jar"))))
    sh(["javac", "-nowarn", "-cp", cp, "-d", out, os.path.join(HERE, "java", "DnWrite.java")],
       stderr=subprocess.DEVNULL)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mib", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--replication", default="1,3")
    ap.add_argument("--build", help="meson build dir with libhadoofus.so")
    ap.add_argument("--only", help="comma-separated writer names")
    a = ap.parse_args()
    from hadoofus.minicluster import MiniCluster, ensure_jars
    import hadoofus

    exe = build_dn_bench("dnwrite", a.build)
    jars = ensure_jars()
    jdir = build_java(jars)
    size = a.size_mib << 20
    tmp = tempfile.mkdtemp(prefix="hadoofus-dnwrite-")
    local = os.path.join(tmp, "src.bin")
    import random
    chunk = random.Random(1).randbytes(4 << 20)
    with open(local, "wb") as f:
        for off in range(0, size, len(chunk)):
            f.write(chunk[:min(len(chunk), size - off)])

    results = {}
    try:
        for repl in [int(r) for r in a.replication.split(",")]:
            with MiniCluster(datanodes=3, replication=repl) as mc:
                nn = hadoofus.rpc(mc.host, mc.port, user=mc.superuser)
                nn.mkdirs("/bench")
                env = dict(os.environ, HADOOP_USER_NAME=mc.superuser,
                           HADOOP_NAMENODE="%s:%d" % (mc.host, mc.port))
                cp = ":".join([mc.conf_dir, jdir] + mc.classpath.split(":"))
                java = [mc.java_path, "-Xmx1g", "-cp", cp]
                writers = {
                    "hadoofus-c nocopy": ([exe, mc.host, str(mc.port), "/bench/c", str(a.size_mib),
                                           str(repl), "nocopy"], True),
                    "hadoofus-c copy": ([exe, mc.host, str(mc.port), "/bench/c", str(a.size_mib),
                                         str(repl), "copy"], True),
                    "hadoofus-c 1M pkts": ([exe, mc.host, str(mc.port), "/bench/c1m",
                                            str(a.size_mib), str(repl), "nocopy", "128",
                                            str(1 << 20)], True),
                    "hadoofus-py": ([sys.executable, "-c", PY_WRITER, str(mc.port), "/bench/py",
                                     str(a.size_mib), str(repl)], True),
                    "java-api": (java + ["DnWrite", mc.url, "/bench/j", str(a.size_mib),
                                         str(repl), "64"], True),
                    "java-fsshell": (java + ["org.apache.hadoop.fs.FsShell", "-put", "-f", local,
                                             "/bench/fsshell"], False),
                    "go-cli": (["hdfs", "put", local, "/bench/go"], False),
                }
                if shutil.which("hdfs") is None:
                    del writers["go-cli"]
                if a.only:
                    keep = set(a.only.split(","))
                    writers = {k: v for k, v in writers.items() if k in keep}
                dns = [d.pid for d in mc.datanodes]
                # The DataNodes' JIT warms up on the first writes: not on a
                # measured one.
                for _ in range(2):
                    subprocess.run([exe, mc.host, str(mc.port), "/bench/warmup",
                                    str(a.size_mib), str(repl), "copy"], env=env,
                                   check=True, stdout=subprocess.DEVNULL)
                for r in range(a.rounds):
                    names = list(writers)
                    names = names[r % len(names):] + names[:r % len(names)]
                    for name in names:
                        cmd, reports = writers[name]
                        if name == "go-cli":
                            nn.delete("/bench/go")
                        time.sleep(1.0)   # let the DataNodes settle
                        d0 = sum(proc_cpu(p) for p in dns)
                        c0, t0 = children_cpu(), time.monotonic()
                        out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE)
                        wall, ccpu = time.monotonic() - t0, children_cpu() - c0
                        dcpu = sum(proc_cpu(p) for p in dns) - d0
                        if out.returncode != 0:
                            sys.exit("%s failed: %s" % (name, out.stderr.decode()[-2000:]))
                        if reports:
                            secs, nbytes, icpu = out.stdout.split()[:3]
                            secs, icpu = float(secs), float(icpu)
                        else:
                            secs, icpu = wall, ccpu
                        results.setdefault((repl, name), []).append(
                            (size / secs / 1e6, secs, icpu, wall, ccpu, dcpu))
                        print("  r%d %-18s %8.1f MB/s  %.2f s  client cpu %.2f s  "
                              "(process %.2f s, cpu %.2f s)  datanodes cpu %.2f s"
                              % (repl, name, size / secs / 1e6, secs, icpu, wall, ccpu, dcpu),
                              flush=True)
                nn.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print("\nWrite %d MiB, 128 MiB blocks, 3 DataNodes on loopback, best of %d rounds "
          "(median MB/s alongside)" % (a.size_mib, a.rounds))
    print("  %-3s %-18s %8s %8s %7s %10s %12s %11s" % (
        "rep", "writer", "MB/s", "median", "s", "client cpu", "process s/cpu", "DN cpu s"))
    for (repl, name), rows in results.items():
        best = max(rows)
        med = statistics.median(r[0] for r in rows)
        print("  %-3d %-18s %8.1f %8.1f %7.2f %10.2f %6.2f/%-6.2f %11.2f" % (
            repl, name, best[0], med, best[1], best[2], best[3], best[4], best[5]))


if __name__ == "__main__":
    main()
