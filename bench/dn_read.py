"""Block read throughput from one local DataNode: hadoofus (C and Python)
against the Go CLI (Debian's hdfs-cli, colinmarc/hdfs) and Java's FsShell.

    python bench/dn_read.py [--size-mib 512] [--rounds 5] [--build DIR]

Starts a one-DataNode MiniCluster, writes one file of --size-mib MiB as a
single block with the Java client, then runs the readers in interleaved
rounds (each round: every reader once, in a fresh process, the file to
/dev/null or a reused buffer) and prints, per reader, the best and median
wall time and MB/s (10^6 bytes) of whole processes, plus the median CPU
seconds per read of the DataNode (from /proc: on loopback its one sending
thread is usually what limits) and of the reader process itself (user +
system, startup included): the CPU figures hold up on a busy machine, the
wall times do not.

  hadoofus-c       bench/c/dnread (built here against --build, a meson build
                   dir with libhadoofus; default: a release build under
                   ~/.cache/hadoofus/dnread-build), 4 MiB buffer, 1 round
  hadoofus-py      hadoofus.data(lb).readinto(one reused bytearray)
  hadoofus-py-read hadoofus.data(lb).read() (bytes; fresh memory each time)
  go-cli           HADOOP_NAMENODE=... hdfs cat FILE > /dev/null
  java-fsshell     FsShell -cat FILE > /dev/null (includes JVM start)
"""

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)   # run as a script under PYTHONSAFEPATH (dev.sh sets it)
from common import build_dn_bench, proc_cpu  # noqa: E402

PY_READER = r"""
import sys, hadoofus
nn = hadoofus.rpc("127.0.0.1", int(sys.argv[1]))
lbs = list(nn.getBlockLocations(sys.argv[2]))
if sys.argv[3] == "readinto":
    buf = bytearray(max(lb.length for lb in lbs))
    for lb in lbs:
        hadoofus.data(lb, "bench").readinto(buf)
else:
    for lb in lbs:
        hadoofus.data(lb, "bench").read()
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mib", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--build", help="meson build dir with libhadoofus.so")
    ap.add_argument("--only", help="comma-separated reader names")
    a = ap.parse_args()
    from hadoofus.minicluster import MiniCluster

    size = a.size_mib << 20
    dnread = build_dn_bench("dnread", a.build)
    with MiniCluster(datanodes=1, replication=1) as mc, \
            tempfile.TemporaryDirectory() as tmp:
        local = os.path.join(tmp, "f")
        with open(local, "wb") as f:
            left = size
            while left:
                n = min(left, 16 << 20)
                f.write(os.urandom(n))
                left -= n
        mc.fs_shell("-D", "dfs.blocksize=%d" % size, "-put", local, "/f")
        dn_pid = mc.datanodes[0].pid
        env_go = dict(os.environ, HADOOP_NAMENODE="%s:%d" % (mc.host, mc.port),
                      HADOOP_USER_NAME=mc.superuser)
        readers = {
            "hadoofus-c": ([dnread, mc.host, str(mc.port), "/f", str(4 << 20), "1"], None),
            "hadoofus-py": ([sys.executable, "-c", PY_READER, str(mc.port), "/f",
                             "readinto"], None),
            "hadoofus-py-read": ([sys.executable, "-c", PY_READER, str(mc.port), "/f",
                                  "read"], None),
        }
        if shutil.which("hdfs"):
            readers["go-cli"] = (["hdfs", "cat", "/f"], env_go)
        from hadoofus import minicluster as M
        java = [mc.java_path, *M._CLIENT_JVM_OPTS, *mc._cds_opts("client"), "-cp",
                mc.classpath, M.FSSHELL_CLASS, "-cat", "/f"]
        readers["java-fsshell"] = (java, dict(os.environ, HADOOP_USER_NAME=mc.superuser))
        if a.only:
            readers = {k: v for k, v in readers.items() if k in a.only.split(",")}
        times = {k: [] for k in readers}
        cpus = {k: [] for k in readers}
        ccpus = {k: [] for k in readers}
        for _ in range(a.rounds):
            for name, spec in readers.items():
                c0 = proc_cpu(dn_pid)
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t0 = time.perf_counter()
                cmd, env = spec
                subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - t0)
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpus[name].append(proc_cpu(dn_pid) - c0)
                ccpus[name].append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        print("%d MiB, one block, one DataNode, %d rounds (whole processes)" % (
            a.size_mib, a.rounds))
        print("%-17s %8s %8s %9s %9s %8s %8s" % (
            "reader", "best s", "median s", "best MB/s", "med MB/s", "DN cpu s",
            "own cpu s"))
        for name in readers:
            ts = times[name]
            print("%-17s %8.3f %8.3f %9.0f %9.0f %8.2f %8.2f" % (
                name, min(ts), statistics.median(ts), size / min(ts) / 1e6,
                size / statistics.median(ts) / 1e6, statistics.median(cpus[name]),
                statistics.median(ccpus[name])))


if __name__ == "__main__":
    main()
