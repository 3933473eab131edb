"""The Go ``hdfs`` command line (colinmarc/hdfs; Debian ``hdfs-cli``).

It runs one operation per process, so it cannot do a tight call loop: for
the NameNode bench it is measured as the latency of a whole ``hdfs ls PATH``
process (start, connect, handshake, one getFileInfo, exit), which is what a
shell script using it pays per call.  Not comparable with the in-process
rows; printed apart.  Its CPU is that of the hdfs child processes.

For the read bench it is ``hdfs cat FILE > /dev/null``, one process per
whole-file read (start-up is small next to reading a large file).
"""

import os
import shutil
import subprocess

from common import LoopSession, Skip, children_cpu

CLIENT = "go-hdfs-cli"
VARIANTS = {"nn": ["proc"], "read": ["proc"]}


def label(bench, variant, params):
    if bench == "read":
        return "Go `hdfs cat FILE > /dev/null`"
    return "Go `hdfs ls FILE`, one process per call"


def _version(exe):
    """The CLI's version, or None if exe is not the Go hdfs CLI."""
    try:
        r = subprocess.run([exe, "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=10,
                           stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    out = r.stdout.decode(errors="replace")
    # Apache Hadoop's own `hdfs` script answers differently.
    if "Valid commands" not in out or "getmerge" not in out:
        return None
    for line in out.splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    return "?"


def session(bench, variant, params):
    exe = params.get("go_hdfs") or shutil.which("hdfs")
    version = _version(exe) if exe else None
    if not version:
        raise Skip("the Go hdfs CLI is not installed (apt-get install hdfs-cli)")
    if variant != "proc" or bench not in ("nn", "read"):
        raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
    env = dict(os.environ)
    env["HADOOP_NAMENODE"] = "%s:%d" % (params["host"], params["port"])
    env["HADOOP_USER_NAME"] = params["user"]
    # Keep it from reading a cluster configuration of this machine.
    env.pop("HADOOP_CONF_DIR", None)
    env.pop("HADOOP_HOME", None)
    if bench == "read":
        cmd = [exe, "cat", params["read_path"]]
        timeout = 3600
    else:
        cmd = [exe, "ls", params["path"]]
        timeout = 60

    def run_n(n):
        for _ in range(n):
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                           stdin=subprocess.DEVNULL, check=True, timeout=timeout)

    p = dict(params, warmup=min(20, int(params.get("warmup", 0))))
    return LoopSession(run_n, p, cpu_clock=children_cpu, info={"version": version})
