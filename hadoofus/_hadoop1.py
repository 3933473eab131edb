"""Hadoop 1.x (HDFS v1) for the minicluster: jars, configuration, readiness.

``MiniCluster(version="1.2.1")`` runs the NameNode and DataNode classes of
``org.apache.hadoop:hadoop-core`` 1.x, fetched once from Maven Central with
Maven's own client (``mvn dependency:copy-dependencies`` of a tiny pom) into
``<cache>/hadoop-<version>/jars/``; the set of jars Maven resolves is pinned
by one sha256 over their names and digests.  ``$HADOOFUS_HADOOP1_HOME``
names an unpacked Hadoop 1 tarball (``hadoop-core-*.jar`` and ``lib/``) to
use instead.

Facts this module is built on (found running 1.0.4 and 1.2.1 on Java 17):
the daemons need jersey-core on the classpath even with WebHDFS off (else
create/open fail with NoClassDefFoundError: javax/ws/rs/core/StreamingOutput);
Jetty 6 unpacks into ``java.io.tmpdir``, so each daemon gets a private one;
the configuration keys are the 1.x names (``fs.default.name``,
``dfs.name.dir``, ...); there is no NameNodeStatus JMX bean, and the
NameNodeInfo bean keys live DataNodes by host name, which is the same for
every DataNode on loopback, so readiness counts them through the
FSNamesystemState bean.

Pure standard library, imported by minicluster.py.
"""

import os

# sha256 over "name sha256\n" of every jar Maven resolves, sorted by name.
# Other 1.x versions are fetched the same way, unchecked.
PINNED = {
    "1.2.1": "cba8c1224927693f206b1ae41eeb329342742af654d962e574490da5cdc6cf42",
    "1.1.2": "d1310457bbf9cd4457a86cc6b80bef17638aeaec80a7170e489d1d20ac5e3faf",
    "1.0.4": "6a2a502ba929dd648f72850e2d9839c740a1b0aa6f840b167edb47055b9d4b55",
}

# Named here so every 1.x gets the same ones: hadoop-core's poms declare
# commons-logging 1.0.3 and no log4j at runtime; 1.0.x declares Jackson
# 1.0.1 (its JMX servlet calls 1.8 methods) and no jersey-core (which the
# DataNode and NameNode load even with WebHDFS off).
_EXTRA_DEPS = (
    ("log4j", "log4j", "1.2.17"),
    ("commons-logging", "commons-logging", "1.1.1"),
    ("org.codehaus.jackson", "jackson-core-asl", "1.8.8"),
    ("org.codehaus.jackson", "jackson-mapper-asl", "1.8.8"),
    ("com.sun.jersey", "jersey-core", "1.8"),
)
# Test and build-time leftovers of hadoop-core's pom the daemons never load.
_EXCLUDE = ("junit", "ant", "hsqldb", "jets3t", "core")

def is_v1(version):
    return version is not None and str(version).startswith("1.")


def ensure_jars(mc, version, download=True):
    """Directory of the Hadoop ``version`` (1.x) jars, fetched with mvn into
    the cache when missing and ``download``; ``$HADOOFUS_HADOOP1_HOME`` (an
    unpacked Hadoop 1 tarball) wins.  ``mc`` holds minicluster's cache_dir
    and fetch_jars (this module stays free of imports of the
    package: dev.sh loads minicluster.py by path)."""
    home = os.environ.get("HADOOFUS_HADOOP1_HOME")
    if home:
        if not any(n.startswith("hadoop-core-") for n in os.listdir(home)):
            raise RuntimeError("HADOOFUS_HADOOP1_HOME=%s holds no hadoop-core jar" % home)
        return os.path.abspath(home)
    deps = [("org.apache.hadoop", "hadoop-core", version)] + list(_EXTRA_DEPS)
    return mc.fetch_jars(os.path.join(mc.cache_dir(), "hadoop-" + version, "jars"),
                         "Hadoop %s jars" % version, deps, PINNED.get(version), download,
                         mvn_args=["-DexcludeArtifactIds=" + ",".join(_EXCLUDE)])


def jar_list(jars_dir):
    """Every jar of a cache directory, or of a tarball's top and lib/."""
    out = []
    for d in (jars_dir, os.path.join(jars_dir, "lib")):
        if os.path.isdir(d):
            out += [os.path.join(d, n) for n in sorted(os.listdir(d))
                    if n.endswith(".jar") and not n.startswith(("hadoop-test", "hadoop-examples"))]
    if not any(os.path.basename(j).startswith("hadoop-core-") for j in out):
        raise RuntimeError("no hadoop-core jar in %s" % jars_dir)
    return out


def common_conf(c):
    """(core-site, hdfs-site) dicts of cluster ``c`` in the 1.x key names."""
    nn = c.namenode
    core = {
        "fs.default.name": c.url,
        "hadoop.tmp.dir": os.path.join(c.base_dir, "tmp"),
        "hadoop.security.authentication": "simple",
        "hadoop.proxyuser.%s.hosts" % c.superuser: "*",
        "hadoop.proxyuser.%s.groups" % c.superuser: "*",
    }
    h = c.host
    hdfs = {
        "dfs.http.address": "%s:%d" % (h, nn.http_port),
        "dfs.https.address": "%s:0" % h,
        "dfs.secondary.http.address": "%s:0" % h,
        "dfs.name.dir": nn.name_dir,
        "dfs.replication": c.replication,
        "dfs.permissions": True,
        "dfs.webhdfs.enabled": False,
        "dfs.support.append": True,
        "dfs.safemode.extension": 0,
        "dfs.heartbeat.interval": 1,
        "heartbeat.recheck.interval": 1000,
        "dfs.replication.interval": 1,
        "dfs.replication.considerLoad": False,   # as for 2.x: see minicluster
        # Below the 12 s heartbeat expiry that the two settings above give.
        "dfs.namenode.stale.datanode.interval": 5000,
        "dfs.datanode.du.reserved": 0,
        "slave.host.name": h,
    }
    return core, hdfs


def datanode_conf(dn):
    h = dn.cluster.host
    return {
        "dfs.datanode.address": "%s:%d" % (h, dn.xfer_port),
        "dfs.datanode.ipc.address": "%s:%d" % (h, dn.ipc_port),
        "dfs.datanode.http.address": "%s:%d" % (h, dn.http_port),
        "dfs.datanode.https.address": "%s:0" % h,
        "dfs.data.dir": ",".join(dn.data_dirs),
    }


def daemon_jvm_opts(daemon):
    """Jetty 6 unpacks its webapps into java.io.tmpdir: a private one."""
    d = os.path.join(daemon.cluster.base_dir, "jvmtmp", daemon.name)
    os.makedirs(d, exist_ok=True)
    return ["-Djava.io.tmpdir=" + d]


_REGISTERED = "registerDatanode: node registration from "
_REMOVED = "NetworkTopology: Removing a node: /default-rack/"


def namenode_info(c):
    """minicluster's namenode_info() for 1.x: no HA state (always
    "active"); safe mode from the NameNodeInfo JMX bean; the live DataNodes
    from the NameNode's log since its last start (registrations minus
    removals), since its JMX names them by host, the same for all on
    loopback."""
    info = c._jmx("NameNodeInfo")
    if info is None:
        return None
    try:
        with open(c.namenode.log_path, "rb") as f:
            text = f.read().decode(errors="replace")
    except OSError:
        return None
    live, dead = {}, {}
    for line in text.rsplit("==== hadoofus.minicluster: starting", 1)[-1].splitlines():
        if _REGISTERED in line:
            addr = line.split(_REGISTERED, 1)[1].split()[0]
            live[addr] = {}
            dead.pop(addr, None)
        elif _REMOVED in line:
            addr = line.split(_REMOVED, 1)[1].split()[0]
            if live.pop(addr, None) is not None:
                dead[addr] = {}
    return {
        "state": "active",
        "safemode": info.get("Safemode", ""),
        "live": live,
        "dead": dead,
        "total_blocks": info.get("TotalBlocks"),
        "missing_blocks": None,
    }
