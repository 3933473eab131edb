"""The Go ``hdfs`` command line (colinmarc/hdfs; Debian ``hdfs-cli``).

It runs one operation per process, so it cannot do a tight call loop: for
the NameNode bench it is measured as the latency of a whole ``hdfs ls PATH``
process (start, connect, handshake, one getFileInfo, exit), which is what a
shell script using it pays per call.  Not comparable with the in-process
rows; printed apart.  Its CPU is that of the hdfs child processes.

For the read bench it is ``hdfs cat FILE > /dev/null``, one process per
whole-file read (start-up is small next to reading a large file); for the
write bench ``hdfs rm -f FILE`` then ``hdfs put LOCALFILE FILE`` (it writes
at the server's default replication, so it only runs when that is the
replication measured).
"""

import os
import shutil
import subprocess

from common import LoopSession, Skip, children_cpu

CLIENT = "go-hdfs-cli"
VARIANTS = {"nn": ["proc"], "read": ["proc"], "write": ["proc"]}


def label(bench, variant, params):
    if bench == "write":
        return "Go `hdfs put LOCALFILE FILE`"
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
    if variant != "proc" or bench not in ("nn", "read", "write"):
        raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
    if bench == "write" and params.get("default_replication") != params["replication"]:
        raise Skip("it writes at the server's default replication (%s), not %s"
                   % (params.get("default_replication") or "unknown", params["replication"]))
    env = dict(os.environ)
    env["HADOOP_NAMENODE"] = "%s:%d" % (params["host"], params["port"])
    env["HADOOP_USER_NAME"] = params["user"]
    # Keep it from reading a cluster configuration of this machine.
    env.pop("HADOOP_CONF_DIR", None)
    env.pop("HADOOP_HOME", None)
    if bench == "write":
        return _write_session(exe, env, params, version)
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


def _write_session(exe, env, params, version):
    import random
    import tempfile
    size = int(params["write_size"])
    local = tempfile.NamedTemporaryFile(prefix="hadoofus-bench-put-",
                                        dir=params.get("cache_dir"), delete=False)
    with local:
        chunk = random.Random(1).randbytes(min(size, 4 << 20) or 1)
        left = size
        while left:
            k = min(left, len(chunk))
            local.write(chunk[:k])
            left -= k
    dest = params["write_dir"] + "/file"
    subprocess.run([exe, "mkdir", "-p", params["write_dir"]], env=env, check=True,
                   stdin=subprocess.DEVNULL, timeout=60)

    def run_n(n):
        for _ in range(n):
            subprocess.run([exe, "rm", "-f", dest], env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            subprocess.run([exe, "put", local.name, dest], env=env, check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=3600)

    def close():
        os.unlink(local.name)
        subprocess.run([exe, "rm", "-r", "-f", params["write_dir"]], env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=60)

    return LoopSession(run_n, params, cpu_clock=children_cpu, info={"version": version},
                       close=close)
