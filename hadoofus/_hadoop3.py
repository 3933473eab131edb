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

import os
import types

# version -> minicluster's digest of the jar set (``_jars_digest``), measured once
# (None: fetched unchecked, to measure it).
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

_ARTIFACTS = ("hadoop-hdfs", "hadoop-common", "hadoop-hdfs-client")

_mc = None  # minicluster's helpers, set by bind()


def bind(**helpers):
    """Take minicluster's cache_dir and fetch_jars."""
    global _mc
    _mc = types.SimpleNamespace(**helpers)


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
    return _mc.fetch_jars(os.path.join(_mc.cache_dir(), "hadoop-" + version, "jars"),
                          "Hadoop %s jars" % version,
                          [("org.apache.hadoop", a, version) for a in _ARTIFACTS],
                          PINNED[version], download, drop=_DROP_PREFIXES)


def jvm_opts(java_major):
    """Extra options for every Hadoop 3 JVM on this java."""
    if (java_major or 8) < 9:
        return []
    # Java 17 refuses reflective access into java.base unless it is opened;
    # Hadoop 3.4's daemons still make some (buffers, sockets).
    return ["--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"]


def adjust_conf(cluster, core, hdfs):
    """The 3.x settings, on top of the 2.7.3 ones (same keys where they
    still mean the same)."""
    hdfs.update({
        # 2.7's dfs.namenode.replication.interval (seconds) is now this.
        "dfs.namenode.redundancy.interval.seconds": 1,
        "dfs.namenode.redundancy.considerLoad": False,
    })
    # the 2.7 names of the two keys above (deprecated: logged on every use)
    hdfs.pop("dfs.namenode.replication.interval", None)
    hdfs.pop("dfs.namenode.replication.considerLoad", None)
    if cluster.security is not None:
        _secure_conf(cluster, core, hdfs)


def _secure_conf(cluster, core, hdfs):
    """A kerberized 3.x on the 2.7.3 recipe (hadoofus/_kdc.py)."""
    # 3.x's NameNode authorizes DatanodeProtocol callers against the
    # DataNode principal with _HOST resolved from the caller's address
    # ("localhost"), while a DataNode resolves it from its own
    # dfs.datanode.hostname ("127.0.0.1"): name one host for both.
    hdfs["dfs.datanode.kerberos.principal"] = cluster.security.service_principal(
        "dn", "localhost")


def enable_ec_policies(cluster, policies):
    """``hdfs ec -enablePolicy -policy P`` for each policy."""
    for pol in policies:
        cluster.java(ECADMIN_CLASS, "-enablePolicy", "-policy", pol)


def set_ec_policy(cluster, path, policy):
    """Make path (created if missing) an erasure-coded directory of policy."""
    cluster.fs_shell("-mkdir", "-p", path)
    cluster.java(ECADMIN_CLASS, "-setPolicy", "-path", path, "-policy", policy)
