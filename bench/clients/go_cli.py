"""The Go ``hdfs`` command line (colinmarc/hdfs; Debian ``hdfs-cli``).

It runs one operation per process, so it cannot do a tight call loop: for
the NameNode bench it is measured as the latency of a whole ``hdfs ls PATH``
process (start, connect, handshake, one getFileInfo, exit), which is what a
shell script using it pays per call.  Not comparable with the in-process
rows; printed apart.
"""

import os
import shutil
import subprocess

from common import children_cpu, result, skipped, timed_rounds

CLIENT = "go-hdfs-cli"
VARIANTS = {"nn": ["proc"]}


def label(bench, variant, params):
    return "Go `hdfs ls FILE`, one process per call"


def _binary(params):
    return params.get("go_hdfs") or shutil.which("hdfs")


def _is_go_cli(exe):
    try:
        r = subprocess.run([exe, "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = r.stdout.decode(errors="replace")
    # Apache Hadoop's own `hdfs` script would answer differently.
    if "Valid commands" not in out or "getmerge" not in out:
        return None
    for line in out.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "?"


def run(bench, variant, params):
    lab = label(bench, variant, params)
    exe = _binary(params)
    version = _is_go_cli(exe) if exe else None
    if not version:
        return skipped(CLIENT, variant, lab,
                       "the Go hdfs CLI is not installed (apt-get install hdfs-cli)")
    if bench == "nn" and variant == "proc":
        env = dict(os.environ)
        env["HADOOP_NAMENODE"] = "%s:%d" % (params["host"], params["port"])
        env["HADOOP_USER_NAME"] = params["user"]
        # Keep it from reading a cluster configuration of this machine.
        env.pop("HADOOP_CONF_DIR", None)
        env.pop("HADOOP_HOME", None)
        cmd = [exe, "ls", params["path"]]

        def run_n(n):
            for _ in range(n):
                subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, check=True, timeout=60)
            return n

        p = dict(params, calls=params["proc_calls"],
                 warmup=min(20, int(params["proc_calls"])))
        # The client's CPU is that of the hdfs child processes.
        rounds = timed_rounds(run_n, p, cpu_clock=children_cpu)
        return result(CLIENT, variant, lab, rounds, version=version)
    raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
