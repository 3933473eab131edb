"""Hadoop 3 for the MiniCluster: jars from Maven Central, 3.x settings,
erasure-coding set-up.

``MiniCluster(version="3.4.1")`` runs the stock Hadoop 3 NameNode and
DataNodes from ``org.apache.hadoop:hadoop-hdfs``, ``hadoop-common`` and
``hadoop-hdfs-client`` with their runtime dependencies, fetched once by
Maven's own client (``mvn dependency:copy-dependencies`` on a tiny pom) into
``<cache>/hadoop-VERSION/jars/`` and checked against a pinned digest of the
whole set.  Maven resolves the same tree every time for a fixed version, so
one digest over "name sha256" lines pins every jar.

Pure standard library, loaded by minicluster.py (also when minicluster.py is
loaded as a lone file, before the package is built), which hands it its
helpers through ``bind``.
"""

import hashlib
import os
import shutil
import subprocess
import tempfile

# version -> sha256 of the jar manifest (``_manifest``), measured once.
PINNED = {
    "3.4.1": "6fd342747ef7d2d2425759c58b79e96d448d522cf40bd6f3e84209b3be119347",
}
DEFAULT_VERSION = "3.4.1"

ECADMIN_CLASS = "org.apache.hadoop.hdfs.tools.ECAdmin"

# Jars of the dependency tree that no daemon or client here loads: native
# transports of other systems, and netty codecs for protocols HDFS never
# speaks.  Dropping them shortens every JVM's classpath scan.
_DROP_PREFIXES = (
    "netty-resolver-dns-native-macos-",
    "netty-resolver-dns-classes-macos-",
    "netty-transport-native-kqueue-",
    "netty-transport-classes-kqueue-",
    "netty-transport-rxtx-",
    "netty-transport-sctp-",
    "netty-transport-udt-",
    "netty-codec-memcache-",
    "netty-codec-mqtt-",
    "netty-codec-redis-",
    "netty-codec-smtp-",
    "netty-codec-stomp-",
)

_POM = """\
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>hadoofus</groupId>
  <artifactId>hadoop3-minicluster-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
%s
  </dependencies>
</project>
"""
_ARTIFACTS = ("hadoop-hdfs", "hadoop-common", "hadoop-hdfs-client")

_mc = None  # minicluster's helpers, set by bind()


def bind(**helpers):
    """Take minicluster's cache_dir, sha256_file and publish_dir."""
    global _mc
    import types
    _mc = types.SimpleNamespace(**helpers)


def is_hadoop3(version):
    return str(version).split(".", 1)[0] == "3"


def _manifest(jars_dir):
    """'name sha256' lines of every jar, sorted: what PINNED digests."""
    lines = []
    for n in sorted(os.listdir(jars_dir)):
        if n.endswith(".jar"):
            lines.append("%s %s\n" % (n, _mc.sha256_file(os.path.join(jars_dir, n))))
    return "".join(lines)


def ensure_jars(version=DEFAULT_VERSION, download=True):
    """Return the directory of the Hadoop ``version`` jars, fetching them
    with Maven when missing (and ``download``); complete or absent, as
    minicluster.ensure_jars. ``$HADOOFUS_HADOOP3_JARS`` names a ready
    directory and wins."""
    env = os.environ.get("HADOOFUS_HADOOP3_JARS")
    if env:
        if not os.path.isdir(env):
            raise RuntimeError("HADOOFUS_HADOOP3_JARS=%s is not a directory" % env)
        return os.path.abspath(env)
    if version not in PINNED:
        raise RuntimeError("Hadoop %s is not one this module knows (have %s)"
                           % (version, ", ".join(sorted(PINNED))))
    root = os.path.join(_mc.cache_dir(), "hadoop-" + version)
    target = os.path.join(root, "jars")
    if os.path.exists(os.path.join(target, ".complete")):
        return target
    if not download:
        raise RuntimeError("the Hadoop %s jars are not cached in %s" % (version, target))
    if not shutil.which("mvn"):
        raise RuntimeError("the Hadoop %s jars are not cached in %s and there is no mvn "
                           "to fetch them (apt-get install maven)" % (version, target))
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".jars-", dir=root)
    work = tempfile.mkdtemp(prefix=".mvn-", dir=root)
    try:
        deps = "\n".join(
            "    <dependency><groupId>org.apache.hadoop</groupId><artifactId>%s</artifactId>"
            "<version>%s</version></dependency>" % (a, version) for a in _ARTIFACTS)
        with open(os.path.join(work, "pom.xml"), "w") as f:
            f.write(_POM % deps)
        import sys
        sys.stderr.write("hadoofus.minicluster: fetching the Hadoop %s jars (~60 MB) with "
                         "mvn into %s; this happens once\n" % (version, target))
        p = subprocess.run(["mvn", "-q", "-B", "dependency:copy-dependencies",
                            "-DincludeScope=runtime", "-DoutputDirectory=" + tmp],
                           cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise RuntimeError("mvn dependency:copy-dependencies of Hadoop %s failed: %s"
                               % (version, p.stdout[-3000:]))
        for n in os.listdir(tmp):
            if n.startswith(_DROP_PREFIXES):
                os.unlink(os.path.join(tmp, n))
            else:
                os.chmod(os.path.join(tmp, n), 0o644)
        got = hashlib.sha256(_manifest(tmp).encode()).hexdigest()
        if PINNED[version] is not None and got != PINNED[version]:
            raise RuntimeError("the Hadoop %s jars Maven gave do not match the pinned "
                               "set (manifest sha256 %s, want %s)" % (version, got, PINNED[version]))
        _mc.publish_dir(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return target


def jvm_opts(java_major):
    """Extra options for every Hadoop 3 JVM on this java."""
    if (java_major or 8) < 9:
        return []
    # Hadoop 3.4 reaches into these by reflection (StringInterner, the
    # Kerberos name lookup, direct buffers' cleaners).
    return ["--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"]


def adjust_conf(cluster, core, hdfs):
    """The 3.x settings, on top of the 2.7.3 ones (same keys where they
    still mean the same)."""
    hdfs.update({
        # 2.7's dfs.namenode.replication.interval (seconds) is now this.
        "dfs.namenode.redundancy.interval.seconds": 1,
    })


def enable_ec_policies(cluster, policies):
    """``hdfs ec -enablePolicy -policy P`` for each policy."""
    for pol in policies:
        cluster.java(ECADMIN_CLASS, "-enablePolicy", "-policy", pol)


def set_ec_policy(cluster, path, policy):
    """Make path (created if missing) an erasure-coded directory of policy."""
    cluster.fs_shell("-mkdir", "-p", path)
    cluster.java(ECADMIN_CLASS, "-setPolicy", "-path", path, "-policy", policy)
