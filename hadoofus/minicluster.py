"""A real Apache Hadoop 2.7.3 HDFS on loopback, for tests and for users.

    from hadoofus.minicluster import MiniCluster
    with MiniCluster(datanodes=3, replication=3) as mc:
        print(mc.url)                      # hdfs://127.0.0.1:PORT
        mc.fs_shell("-put", "local.bin", "/x")
        print(mc.fs_shell("-cat", "/x").stdout)

The daemons are the stock NameNode and DataNode classes, run by a Java 8..21
runtime from the jars that the ``pyspark==2.4.8`` source distribution on PyPI
carries (``deps/jars/``).  The sdist is looked for in ``<cache>/dl/`` and, if
missing, fetched there with ``pip download``; the jars the daemons and the Java
shell need are extracted once into ``<cache>/hadoop-2.7.3/jars/``.  ``<cache>``
is ``$HADOOFUS_CACHE_DIR``, else ``$XDG_CACHE_HOME/hadoofus``, else
``~/.cache/hadoofus``.

``MiniCluster(version="3.4.1")`` runs Hadoop 3 instead, from Maven Central's
jars (hadoofus/_hadoop3.py), with ``ec_policies=[...]`` enabled at start and
``set_ec_policy(path, policy)`` for erasure-coded directories.

Command line (the JVMs outlive the command; state lives in the directory):

    python -m hadoofus.minicluster start [--datanodes N] [--replication R] [--port P] [--ha]
                                         [--webhdfs] [--hadoop VERSION] [--dir D]
    python -m hadoofus.minicluster status [--dir D]
    python -m hadoofus.minicluster stop [--dir D] [--clean]

This module is pure standard library and must stay importable without the
compiled extension: tests import it before anything is built.
"""

import argparse
import atexit
import json
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import types
import urllib.error
import urllib.request
from xml.sax.saxutils import escape as _xml_escape

__all__ = [
    "MiniCluster",
    "DataNode",
    "JavaError",
    "cache_dir",
    "ensure_jars",
    "ensure_webhdfs_jars",
    "ensure_httpfs_war",
    "ensure_hadoop3_jars",
    "ensure_hadoop1_jars",
    "find_java",
]

HADOOP_VERSION = "2.7.3"
PYSPARK_VERSION = "2.4.8"
SDIST_FILE = "pyspark-%s.tar.gz" % PYSPARK_VERSION
SDIST_SHA256 = "3a19b71b8dc8dd91ebc943604a05e1ab01bce052456d42937035632d852d78dc"
_SDIST_JAR_PREFIX = "pyspark-%s/deps/jars/" % PYSPARK_VERSION

# The jars a NameNode, a DataNode, FsShell, DFSAdmin and DFSck load, found by
# running them with -Xlog:class+load, plus a few that hadoop-common and
# hadoop-hdfs 2.7.3 declare as runtime dependencies and that only some
# commands touch (commons-compress/net/httpclient/math3, xmlenc, avro and
# paranamer for `-text`, netty 3, leveldbjni, gson, jsr305).  Left out on
# purpose: Jersey (so WebHDFS stays off), ZooKeeper/Curator (HA only), and
# everything of Spark, Hive, YARN and MapReduce.
JARS = (
    "avro-1.8.2.jar",
    "commons-cli-1.2.jar",
    "commons-codec-1.10.jar",
    "commons-collections-3.2.2.jar",
    "commons-compress-1.20.jar",
    "commons-configuration-1.6.jar",
    "commons-httpclient-3.1.jar",
    "commons-io-2.4.jar",
    "commons-lang-2.6.jar",
    "commons-logging-1.1.3.jar",
    "commons-math3-3.4.1.jar",
    "commons-net-3.1.jar",
    "gson-2.2.4.jar",
    "guava-14.0.1.jar",
    "hadoop-annotations-2.7.3.jar",
    "hadoop-auth-2.7.3.jar",
    "hadoop-common-2.7.3.jar",
    "hadoop-hdfs-2.7.3.jar",
    "htrace-core-3.1.0-incubating.jar",
    "jackson-core-asl-1.9.13.jar",
    "jackson-mapper-asl-1.9.13.jar",
    "javax.servlet-api-3.1.0.jar",
    "javax.ws.rs-api-2.0.1.jar",
    "jetty-6.1.26.jar",
    "jetty-util-6.1.26.jar",
    "jsr305-1.3.9.jar",
    "leveldbjni-all-1.8.jar",
    "log4j-1.2.17.jar",
    "netty-3.9.9.Final.jar",
    "netty-all-4.1.47.Final.jar",
    "paranamer-2.8.jar",
    "protobuf-java-2.5.0.jar",
    "slf4j-api-1.7.16.jar",
    "slf4j-log4j12-1.7.16.jar",
    "xercesImpl-2.9.1.jar",
    "xmlenc-0.52.jar",
)

HOST = "127.0.0.1"

_DEBUG = bool(os.environ.get("HADOOFUS_MINICLUSTER_DEBUG"))

NAMENODE_CLASS = "org.apache.hadoop.hdfs.server.namenode.NameNode"
DATANODE_CLASS = "org.apache.hadoop.hdfs.server.datanode.DataNode"
FSSHELL_CLASS = "org.apache.hadoop.fs.FsShell"
DFSADMIN_CLASS = "org.apache.hadoop.hdfs.tools.DFSAdmin"
DFSCK_CLASS = "org.apache.hadoop.hdfs.tools.DFSck"
DFSHAADMIN_CLASS = "org.apache.hadoop.hdfs.tools.DFSHAAdmin"
FAILOVER_PROXY_PROVIDER = \
    "org.apache.hadoop.hdfs.server.namenode.ha.ConfiguredFailoverProxyProvider"
HA_NAMENODE_IDS = ("nn1", "nn2")

# Users the NameNode knows the groups of without asking the OS (which has no
# such users): tests act as them through simple authentication.  The
# superuser is whoever runs the NameNode; "hdfsadmin" is a member of the
# superuser group, so it is privileged too.
DEFAULT_GROUPS = {
    "alice": ("alice", "users"),
    "bob": ("bob", "users"),
    "hdfsadmin": ("hdfsadmin", "supergroup"),
}

# JIT and GC choices measured for start-up on a 2-core machine.  The daemons
# keep the full tiered JIT: benchmarks push data through them.
_DAEMON_JVM_OPTS = (
    "-XX:+UseSerialGC",
    "-Xshare:auto",
    "-XX:-UsePerfData",
    "-Djava.net.preferIPv4Stack=true",
)
_CLIENT_JVM_OPTS = (
    "-Xmx256m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Xshare:auto",
    "-XX:-UsePerfData",
    "-Djava.net.preferIPv4Stack=true",
)

_DAEMON_LOG4J = """\
log4j.rootLogger=INFO,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.out
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
log4j.logger.org.apache.hadoop.metrics2=WARN
log4j.logger.org.mortbay=WARN
log4j.logger.org.apache.hadoop.http.HttpServer2=WARN
log4j.logger.org.apache.hadoop.util.GSet=WARN
log4j.logger.org.apache.hadoop.hdfs.server.blockmanagement.DatanodeDescriptor=WARN
"""

_CLIENT_LOG4J = """\
log4j.rootLogger=WARN,console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{ISO8601} %p %c{2}: %m%n
log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR
"""


# ---------------------------------------------------------------------------
# Locating the runtime: cache directory, jars, java


def cache_dir():
    """The per-user cache directory of hadoofus (not created)."""
    d = os.environ.get("HADOOFUS_CACHE_DIR")
    if d:
        return os.path.abspath(d)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return os.path.join(os.path.abspath(xdg), "hadoofus")
    return os.path.join(os.path.expanduser("~"), ".cache", "hadoofus")


def _download_sdist(dl_dir):
    """Fetch the pyspark sdist into dl_dir with pip; return its path."""
    os.makedirs(dl_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".pip-", dir=dl_dir)
    try:
        cmd = [
            sys.executable, "-m", "pip", "download", "--no-deps",
            "--no-build-isolation", "--no-binary", ":all:",
            "--disable-pip-version-check", "-d", tmp,
            "pyspark==%s" % PYSPARK_VERSION,
        ]
        sys.stderr.write(
            "hadoofus.minicluster: fetching the Hadoop %s jars (pyspark==%s "
            "sdist, ~220 MB) into %s; this happens once\n"
            % (HADOOP_VERSION, PYSPARK_VERSION, dl_dir))
        r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        got = os.path.join(tmp, SDIST_FILE)
        if r.returncode != 0 or not os.path.exists(got):
            raise RuntimeError(
                "could not download the pyspark==%s sdist with pip (it needs "
                "the 'wheel' and 'setuptools' packages installed to prepare "
                "the sdist's metadata); pip said:\n%s"
                % (PYSPARK_VERSION, r.stdout.decode(errors="replace")[-3000:]))
        dest = os.path.join(dl_dir, SDIST_FILE)
        os.replace(got, dest)
        return dest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _sha256_file(path):
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_sdist(path):
    got = _sha256_file(path)
    if got != SDIST_SHA256:
        raise RuntimeError("%s is not the pyspark %s sdist (sha256 %s, want %s): "
                           "delete it to fetch it again"
                           % (path, PYSPARK_VERSION, got, SDIST_SHA256))


def ensure_jars(download=True):
    """Return the directory holding the Hadoop jars, making it if needed.

    ``$HADOOFUS_HADOOP_JARS`` names a ready directory of jars and wins.  Else
    the jars are extracted from the cached pyspark sdist (fetched with pip
    when missing and ``download`` is true) into a temporary directory that is
    renamed into place when complete, so concurrent or interrupted runs never
    see half a cache.
    """
    env = os.environ.get("HADOOFUS_HADOOP_JARS")
    if env:
        if not os.path.isdir(env):
            raise RuntimeError("HADOOFUS_HADOOP_JARS=%s is not a directory" % env)
        return os.path.abspath(env)
    root = os.path.join(cache_dir(), "hadoop-" + HADOOP_VERSION)
    target = os.path.join(root, "jars")
    if os.path.exists(os.path.join(target, ".complete")):
        return target
    sdist = _sdist(download, "the Hadoop jars are not cached")
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".jars-", dir=root)
    try:
        _extract_sdist_jars(sdist, JARS, tmp)
        _publish_dir(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # Leftovers of runs killed while extracting.
    for n in os.listdir(root):
        p = os.path.join(root, n)
        try:
            if n.startswith(".jars-") and time.time() - os.stat(p).st_mtime > 3600:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass
    return target


def _sdist(download, why_missing):
    """The checked pyspark sdist, fetched when missing and ``download``."""
    sdist = os.environ.get("HADOOFUS_PYSPARK_SDIST") or os.path.join(
        cache_dir(), "dl", SDIST_FILE)
    if not os.path.exists(sdist):
        if not download:
            raise RuntimeError("%s and %s is missing" % (why_missing, sdist))
        sdist = _download_sdist(os.path.dirname(sdist))
    _check_sdist(sdist)
    return sdist


def _extract_sdist_jars(sdist, names, dest):
    """Copy the jars ``names`` of the sdist's deps/jars/ into dest (one pass
    over the 220 MB tarball)."""
    wanted = set(names)
    with tarfile.open(sdist, "r|gz") as tf:
        for m in tf:
            base = m.name[len(_SDIST_JAR_PREFIX):]
            if m.isfile() and m.name.startswith(_SDIST_JAR_PREFIX) and base in wanted:
                with open(os.path.join(dest, base), "wb") as out:
                    shutil.copyfileobj(tf.extractfile(m), out, 1 << 20)
                wanted.discard(base)
    if wanted:
        raise RuntimeError("%s lacks jars: %s" % (sdist, ", ".join(sorted(wanted))))


def _publish_dir(tmp, target):
    """Mark tmp complete and rename it to target, so concurrent or
    interrupted runs never see half a cache."""
    names = sorted(os.listdir(tmp))
    with open(os.path.join(tmp, ".complete"), "w") as f:
        f.write("\n".join(names) + "\n")
    os.chmod(tmp, 0o755)
    if os.path.isdir(target) and not os.path.exists(os.path.join(target, ".complete")):
        # Not made by this code (renames only move complete trees): set aside.
        shutil.rmtree(target, ignore_errors=True)
    try:
        os.rename(tmp, target)
    except OSError:
        # Another process got there first; theirs is complete too.
        if not os.path.exists(os.path.join(target, ".complete")):
            raise


_MVN_POM = """\
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>hadoofus</groupId><artifactId>%s</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
%s
  </dependencies>
</project>
"""


def _jars_digest(jars_dir):
    """sha256 over sorted "name sha256" lines of every jar: one value pins a
    whole Maven-resolved tree."""
    import hashlib
    lines = ["%s %s\n" % (n, _sha256_file(os.path.join(jars_dir, n)))
             for n in sorted(os.listdir(jars_dir)) if n.endswith(".jar")]
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _mvn_fetch_jars(target, what, deps, pinned, download=True, mvn_args=(), drop=()):
    """Return ``target``, a cached directory of the runtime jars of ``deps``
    ((groupId, artifactId, version) triples), resolving them with Maven's
    own client (``mvn dependency:copy-dependencies`` of a generated pom)
    when it is missing and ``download``.  Jars whose names start with a
    ``drop`` prefix are left out; the rest must match the ``pinned``
    ``_jars_digest`` (None: unchecked).  Published complete or not at all.
    ``what`` names the set in messages.  Shared by _hadoop1.py and
    _hadoop3.py, which get it passed in."""
    if os.path.exists(os.path.join(target, ".complete")):
        return target
    if not download:
        raise RuntimeError("the %s are not cached in %s" % (what, target))
    if not shutil.which("mvn"):
        raise RuntimeError("the %s are not cached in %s and there is no mvn "
                           "to fetch them (apt-get install maven)" % (what, target))
    root = os.path.dirname(target)
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".jars-", dir=root)
    try:
        pom = os.path.join(tmp, "pom.xml")
        with open(pom, "w") as f:
            f.write(_MVN_POM % (os.path.basename(root) + "-jars", "\n".join(
                "    <dependency><groupId>%s</groupId><artifactId>%s</artifactId>"
                "<version>%s</version></dependency>" % d for d in deps)))
        out = os.path.join(tmp, "jars")
        sys.stderr.write("hadoofus.minicluster: fetching the %s with mvn into %s; "
                         "this happens once\n" % (what, target))
        p = subprocess.run(["mvn", "-q", "-B", "-f", pom, "dependency:copy-dependencies",
                            "-DincludeScope=runtime", "-DoutputDirectory=" + out]
                           + list(mvn_args),
                           cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0 or not os.path.isdir(out):
            raise RuntimeError("mvn dependency:copy-dependencies of the %s failed: %s"
                               % (what, p.stdout[-3000:]))
        for n in os.listdir(out):
            if n.startswith(tuple(drop)):
                os.unlink(os.path.join(out, n))
            else:
                os.chmod(os.path.join(out, n), 0o644)
        got = _jars_digest(out)
        if pinned is not None and got != pinned:
            raise RuntimeError("the %s Maven resolved are not the pinned set "
                               "(digest %s, want %s)" % (what, got, pinned))
        _publish_dir(out, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _jar_list(jars_dir):
    names = sorted(n for n in os.listdir(jars_dir) if n.endswith(".jar"))
    if not any(n.startswith("hadoop-hdfs-") for n in names):
        raise RuntimeError("no hadoop-hdfs jar in %s" % jars_dir)
    return [os.path.join(jars_dir, n) for n in names]


# Java's own WebHDFS (the gateway's reference server) needs Jersey 1 on the
# daemons' classpath, and JAX-RS 1.1 in place of the sdist's JAX-RS 2.0 API
# (javax.ws.rs-api-2.0.1 breaks Jersey 1's start).  Jersey 1 comes from
# Debian's packages (pinned, checked), the rest from the same pyspark sdist.
WEBHDFS_DROP_JARS = ("javax.ws.rs-api-2.0.1.jar",)
WEBHDFS_SDIST_JARS = (
    "activation-1.1.1.jar",
    "httpclient-4.5.6.jar",
    "httpcore-4.4.10.jar",
    "jaxb-api-2.2.2.jar",
)
# (package, version, sha256 of the .deb, jar inside, sha256 of the jar)
WEBHDFS_DEBS = (
    ("libjersey1-core-java", "1.19.3-8",
     "f52d7156d22b111c0f10e207f5c7a67c7e5b589081e9b36632eb5d62bad34e52",
     "jersey-core-1.19.3.jar",
     "c84343e1a6f1b0df554cf6d8be51ea3f02144b9984c2fc5c1f9ce27b44379e8b"),
    ("libjersey1-server-java", "1.19.3-8",
     "8c4019de57ee9471dc0bcb8821b0a800282142f2408edac7f8cab97d8806c790",
     "jersey-server-1.19.3.jar",
     "e02373601e515f360d9ee13237b8252de92d9a49c89ab7bfb174172f2f1b5956"),
    ("libjersey1-servlet-java", "1.19.3-8",
     "0efce84ac90d80110a04a58285fc14435a297e821e921d14b10d93f833a98b8c",
     "jersey-servlet-1.19.3.jar",
     "595dbd077d7b37c8684e14df02549c3687f1612ac74cc02ba4d21d9f9da95838"),
    ("libjsr311-api-java", "1.1.1-1.1",
     "9094b28dce62393b4bb86418296535c3b21886a2dad109f9c8796240fd31eeaf",
     "jsr311-api-1.1.1.jar",
     "c5f6cd0daadf7508763b22c91c55e64b0bb46bafec69fab7df3c05e3d319e169"),
)
def _fetch_deb(pkg, version, sha, dl_dir):
    """The pinned .deb in dl_dir, fetched with `apt-get download` (Debian's
    own client) and checked by sha256. apt's package lists may be missing or
    stale (setup updates them only when it installs something): as root, a
    failed download updates them and tries once more."""
    name = "%s_%s_all.deb" % (pkg, version)
    dest = os.path.join(dl_dir, name)
    if os.path.exists(dest) and _sha256_file(dest) == sha:
        return dest
    if not shutil.which("apt-get"):
        raise RuntimeError("%s: not cached in %s and no apt-get to fetch it" % (name, dl_dir))
    os.makedirs(dl_dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".deb-", dir=dl_dir)
    try:
        got = os.path.join(tmp, name)

        def download():
            return subprocess.run(["apt-get", "download", "-q", "%s=%s" % (pkg, version)],
                                  cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        p = download()
        if not os.path.exists(got) and os.geteuid() == 0:
            subprocess.run(["apt-get", "update", "-q"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            p = download()
        if not os.path.exists(got):
            raise RuntimeError("apt-get download %s=%s failed: %s" % (pkg, version, p.stdout.strip()))
        if _sha256_file(got) != sha:
            raise RuntimeError("%s: sha256 %s, want %s" % (name, _sha256_file(got), sha))
        os.replace(got, dest)
        return dest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _deb_member(deb, suffix):
    """The bytes of the file whose path ends with suffix in the .deb's
    data.tar.* (an ar archive of tarballs; read here, so no dpkg-deb needed)."""
    import io
    with open(deb, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise RuntimeError("%s is not a .deb" % deb)
        while True:
            hdr = f.read(60)
            if len(hdr) < 60:
                break
            name = hdr[:16].decode().strip().rstrip("/")
            size = int(hdr[48:58])
            data = f.read(size)
            if size % 2:
                f.read(1)
            if not name.startswith("data.tar"):
                continue
            with tarfile.open(fileobj=io.BytesIO(data)) as tf:
                members = {m.name: m for m in tf.getmembers()}
                for m in members.values():
                    if m.name.endswith(suffix):
                        # Debian keeps the versioned name as a symlink.
                        while m.issym():
                            target = os.path.normpath(
                                os.path.join(os.path.dirname(m.name), m.linkname))
                            m = members.get(target) or members["./" + target]
                        return tf.extractfile(m).read()
    raise RuntimeError("%s holds no %s" % (deb, suffix))


def ensure_webhdfs_jars(download=True):
    """Return the directory of the extra jars that turn WebHDFS on (Jersey 1
    from Debian, four from the pyspark sdist), making it if needed, as
    ``ensure_jars`` does: pinned, checked, complete or absent."""
    root = os.path.join(cache_dir(), "hadoop-" + HADOOP_VERSION)
    target = os.path.join(root, "webhdfs-jars")
    if os.path.exists(os.path.join(target, ".complete")):
        return target
    if not download:
        raise RuntimeError("the WebHDFS jars are not cached in %s" % target)
    import hashlib
    sdist = _sdist(download, "the WebHDFS jars are not cached")
    os.makedirs(root, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".webhdfs-jars-", dir=root)
    try:
        for pkg, version, deb_sha, jar, jar_sha in WEBHDFS_DEBS:
            deb = _fetch_deb(pkg, version, deb_sha, os.path.join(cache_dir(), "dl"))
            data = _deb_member(deb, "/" + jar)
            if hashlib.sha256(data).hexdigest() != jar_sha:
                raise RuntimeError("%s in %s does not match its pinned sha256" % (jar, deb))
            with open(os.path.join(tmp, jar), "wb") as out:
                out.write(data)
        _extract_sdist_jars(sdist, WEBHDFS_SDIST_JARS, tmp)
        _publish_dir(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _cluster_jars(jars_dir, webhdfs):
    """The daemons' and clients' jars: the Hadoop jars, and with ``webhdfs``
    the WebHDFS extras in place of the JAX-RS 2.0 API."""
    jars = _jar_list(jars_dir)
    if not webhdfs:
        return jars
    extra = ensure_webhdfs_jars()
    return sorted([j for j in jars if os.path.basename(j) not in WEBHDFS_DROP_JARS]
                  + [os.path.join(extra, n) for n in os.listdir(extra) if n.endswith(".jar")])


_java_cache = {}
_java_version_text = {}


def _java_version(java):
    """``java -version`` output (cached), or None if it does not run."""
    if java not in _java_version_text:
        try:
            out = subprocess.run([java, "-version"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 timeout=60).stdout.decode(errors="replace")
        except (OSError, subprocess.SubprocessError):
            out = None
        _java_version_text[java] = out
    return _java_version_text[java]


def _java_major(java):
    if java in _java_cache:
        return _java_cache[java]
    out = _java_version(java)
    if out is None:
        return None
    major = None
    for line in out.splitlines():
        if "version" in line and '"' in line:
            v = line.split('"')[1]
            parts = v.split(".")
            try:
                major = int(parts[1]) if parts[0] == "1" else int(parts[0].split("-")[0])
            except (ValueError, IndexError):
                major = None
            break
    _java_cache[java] = major
    return major


def find_java():
    """Path of a java launcher Hadoop 2.7.3 runs on.

    ``$HADOOFUS_JAVA`` wins, then ``$JAVA_HOME/bin/java``, then ``java`` on
    PATH, then the JVMs under /usr/lib/jvm.  Java 23 and later are passed
    over when another is found: they dropped ``Subject.getSubject``, which
    Hadoop's UserGroupInformation calls.
    """
    env = os.environ.get("HADOOFUS_JAVA")
    if env:
        return env
    cands = []
    if os.environ.get("JAVA_HOME"):
        cands.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    w = shutil.which("java")
    if w:
        cands.append(w)
    try:
        for d in sorted(os.listdir("/usr/lib/jvm")):
            cands.append(os.path.join("/usr/lib/jvm", d, "bin", "java"))
    except OSError:
        pass
    seen = set()
    fallback = None
    for c in cands:
        real = os.path.realpath(c)
        if real in seen or not os.access(real, os.X_OK):
            continue
        seen.add(real)
        major = _java_major(c)
        if major is not None and 8 <= major <= 22:
            return c
        fallback = fallback or c
    if fallback:
        return fallback
    raise RuntimeError("no java found: install a Java runtime 8..21 "
                       "(Debian: apt-get install openjdk-17-jre-headless) "
                       "or set HADOOFUS_JAVA / JAVA_HOME")


# ---------------------------------------------------------------------------
# Class data sharing: an archive of the ~6000 classes the daemons and the
# shell load, built once per (java, jars) from class lists that the first
# cluster's JVMs write, saves about a third of each JVM's start-up.

_CDS_FORMAT = 1


def _cds_enabled():
    return os.environ.get("HADOOFUS_CDS", "1").lower() not in ("0", "no", "off", "false")


def _cds_archive_path(java, jars):
    """Where the archive for this java and these jars lives (may not exist)."""
    import hashlib
    h = hashlib.sha256()
    h.update(("%d\0%s\0%s\0" % (_CDS_FORMAT, os.path.realpath(java),
                                  _java_version(java))).encode())
    for j in jars:
        st = os.stat(j)
        h.update(("%s\0%d\0%d\0" % (j, st.st_size, st.st_mtime_ns)).encode())
    d = os.path.join(cache_dir(), "hadoop-" + HADOOP_VERSION, "cds")
    return os.path.join(d, h.hexdigest()[:20] + ".jsa")


def _read_class_lists(list_dir):
    names = set()
    try:
        files = os.listdir(list_dir)
    except OSError:
        return names
    for fn in files:
        try:
            with open(os.path.join(list_dir, fn), "rb") as f:
                data = f.read().decode("utf-8", "replace")
        except OSError:
            continue
        lines = data.split("\n")
        if lines and not data.endswith("\n"):
            lines.pop()  # cut short by a kill
        for line in lines:
            if not line or line[0] in "#@" or " source:" in line:
                continue
            name = line.split(" ", 1)[0]
            if name and all(c.isalnum() or c in "_$/" for c in name):
                names.add(name)
    return names


def _build_cds_archive(java, jars, list_dir):
    """Build the archive from the class lists in list_dir unless it exists or
    another process is building it.  Never raises; returns the path or None."""
    import fcntl
    try:
        target = _cds_archive_path(java, jars)
        if os.path.exists(target) or os.path.exists(target + ".failed"):
            return None
        names = _read_class_lists(list_dir)
        if len(names) < 500:
            return None
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target + ".lock", "w") as lockf:
            try:
                fcntl.flock(lockf, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return None
            if os.path.exists(target):
                return None
            tmp = "%s.%d.tmp" % (target, os.getpid())
            lst = tmp + ".classlist"
            with open(lst, "w") as f:
                f.write("\n".join(sorted(names)) + "\n")
            cp = os.pathsep.join(jars)
            try:
                with open(target + ".log", "wb") as log:
                    r = subprocess.run(
                        [java, "-Xshare:dump", "-XX:SharedClassListFile=" + lst,
                         "-XX:SharedArchiveFile=" + tmp, "-cp", cp],
                        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                        timeout=600)
                    ok = r.returncode == 0 and os.path.exists(tmp)
                    if ok:
                        # The archive must map, or every JVM would quietly skip it.
                        r = subprocess.run(
                            [java, "-XX:SharedArchiveFile=" + tmp, "-Xshare:on", "-cp", cp,
                             "org.apache.hadoop.util.VersionInfo"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            timeout=120)
                        ok = r.returncode == 0
                if ok:
                    os.replace(tmp, target)
                    return target
                with open(target + ".failed", "w") as f:
                    f.write("see %s.log\n" % target)
                return None
            finally:
                for p in (tmp, lst):
                    try:
                        os.unlink(p)
                    except OSError:
                        pass
    except Exception:  # noqa: BLE001 - an optimisation must never break a run
        return None


# ---------------------------------------------------------------------------
# Support modules beside this file (_hadoop1, _hadoop3, _kdc): this file is
# also loaded alone, by path, before the package is built (dev.sh, bench/).

def _sibling(name):
    """The module hadoofus.<name>, imported from the package when this file
    is part of it, else loaded from the file next to this one."""
    if __package__:
        import importlib
        return importlib.import_module(__package__ + "." + name)
    key = "hadoofus." + name
    mod = sys.modules.get(key)
    if mod is None:
        import importlib.util
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
        spec = importlib.util.spec_from_file_location(key, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        sys.modules[key] = mod
    return mod


_hadoop3_mod = None


def _hadoop3():
    global _hadoop3_mod
    if _hadoop3_mod is None:
        mod = _sibling("_hadoop3")
        mod.bind(cache_dir=cache_dir, fetch_jars=_mvn_fetch_jars)
        _hadoop3_mod = mod
    return _hadoop3_mod


def ensure_hadoop3_jars(version=None, download=True):
    """The directory of the Hadoop 3 jars (fetched once with mvn)."""
    h3 = _hadoop3()
    return h3.ensure_jars(version or h3.DEFAULT_VERSION, download)


# ---------------------------------------------------------------------------
# Small helpers


def _free_ports(n):
    """n distinct loopback ports that were free a moment ago."""
    socks, ports = [], []
    try:
        while len(ports) < n:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def _port_bindable(port):
    """True if a Java server socket (SO_REUSEADDR on) could bind the port."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def _wait_ports_bindable(ports, timeout=15.0):
    deadline = time.monotonic() + timeout
    while True:
        busy = [p for p in ports if not _port_bindable(p)]
        if not busy or time.monotonic() > deadline:
            return busy
        time.sleep(0.1)


def _write_site(path, props):
    lines = ['<?xml version="1.0"?>', "<configuration>"]
    for k, v in props.items():
        if isinstance(v, bool):
            v = "true" if v else "false"
        lines.append("  <property><name>%s</name><value>%s</value></property>"
                     % (_xml_escape(str(k)), _xml_escape(str(v))))
    lines.append("</configuration>")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def _tail(path, nlines=40):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 65536))
            data = f.read().decode(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(data.splitlines()[-nlines:])


def _pid_cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return None


def _pid_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False
        except PermissionError:
            return True


def _die_with_parent_prefix():
    """A command prefix making the child get SIGKILL when this process dies:
    util-linux's setpriv sets PR_SET_PDEATHSIG and execs the command (the
    setting survives exec). Not a preexec_fn: code run between fork and exec
    in a process with other threads can deadlock on a lock one of them held
    (it did, under the gateway tests' thread pools). The kernel sends the
    signal when the *thread* that forked the child ends, so it is only used
    from the main thread. Empty where setpriv is missing."""
    setpriv = shutil.which("setpriv") if sys.platform.startswith("linux") else None
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []


class _PortsBusy(RuntimeError):
    pass


class JavaError(subprocess.CalledProcessError):
    """A Java command exited non-zero; str() shows its stderr."""

    def __str__(self):
        err = self.stderr
        if isinstance(err, bytes):
            err = err.decode(errors="replace")
        out = self.output
        if isinstance(out, bytes):
            out = out.decode(errors="replace")
        cmd = self.cmd
        if isinstance(cmd, list) and "-cp" in cmd:
            cmd = cmd[cmd.index("-cp") + 2:]  # the main class and its arguments
        msg = "java %s exited %s" % (" ".join(map(str, cmd)), self.returncode)
        if err:
            msg += "\nstderr:\n" + err[-4000:]
        if out and not err:
            msg += "\nstdout:\n" + out[-2000:]
        return msg


# ---------------------------------------------------------------------------
# Cleanup of every running cluster of this process


_open_clusters = []
_open_lock = threading.Lock()
_handlers_installed = False


def _close_all(quick=False):
    with _open_lock:
        clusters = list(_open_clusters)
    for c in clusters:
        try:
            c.close(_quick=quick)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def _on_fatal_signal(signum, frame):
    _close_all(quick=True)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_handlers():
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True
    atexit.register(_close_all)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            if signal.getsignal(sig) == signal.SIG_DFL:
                signal.signal(sig, _on_fatal_signal)
        except (ValueError, OSError):
            pass


def _hadoop1():
    """The Hadoop 1.x support module (``_hadoop1.py`` next to this file)."""
    return _sibling("_hadoop1")


def ensure_hadoop1_jars(version="1.2.1", download=True):
    """Directory of the Hadoop ``version`` (1.x) jars (fetched once from
    Maven Central): see hadoofus/_hadoop1.py."""
    helpers = types.SimpleNamespace(cache_dir=cache_dir, fetch_jars=_mvn_fetch_jars)
    return _hadoop1().ensure_jars(helpers, version, download)


# ---------------------------------------------------------------------------
# Daemons


class _Daemon:
    name = "?"
    mainclass = None

    def __init__(self, cluster):
        self.cluster = cluster
        self.proc = None
        self.started_at = None
        self.wanted = False  # started by us and not stopped or killed since
        self._pid = None  # for adopted (daemonized) processes

    @property
    def conf_dir(self):
        return os.path.join(self.cluster.base_dir, "conf", self.name)

    @property
    def log_path(self):
        return os.path.join(self.cluster.base_dir, "logs", self.name + ".log")

    @property
    def pid(self):
        if self.proc is not None:
            return self.proc.pid
        return self._pid

    @property
    def alive(self):
        if self.proc is not None:
            return self.proc.poll() is None
        if self._pid is not None:
            return _pid_alive(self._pid)
        return False

    def ports(self):
        raise NotImplementedError

    def _command(self):
        c = self.cluster
        cp = os.pathsep.join(c._jars + [self.conf_dir, c._webapps_root])
        v1 = _hadoop1().daemon_jvm_opts(self) if c.v1 else []
        return [c.java_path, "-Xmx%s" % c.heap, *_DAEMON_JVM_OPTS, *c._version_jvm_opts,
                *c._cds_opts(self.name), *v1,
                "-Dhadoop.log.dir=%s" % os.path.join(c.base_dir, "logs"),
                "-Dhadoop.log.file=%s.log" % self.name,
                "-Dhadoop.home.dir=%s" % os.path.dirname(c.jars_dir),
                "-Dhadoofus.minicluster=%s" % c.base_dir,
                *c.jvm_opts, "-cp", cp, self.mainclass]

    def _launch(self):
        c = self.cluster
        cmd = self._command()
        env = dict(os.environ)
        # The daemons must run as the OS user: that user is the superuser.
        env.pop("HADOOP_USER_NAME", None)
        env.pop("CLASSPATH", None)
        os.makedirs(os.path.dirname(self.log_path), exist_ok=True)
        log = open(self.log_path, "ab")
        try:
            log.write(("\n==== hadoofus.minicluster: starting %s at %s ====\n"
                       % (self.name, time.strftime("%Y-%m-%d %H:%M:%S"))).encode())
            log.flush()
            if (c.die_with_parent
                    and threading.current_thread() is threading.main_thread()):
                cmd = _die_with_parent_prefix() + cmd
            self.proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=env, cwd=c.base_dir, start_new_session=True, close_fds=True)
        finally:
            log.close()
        self._pid = None
        self.started_at = time.monotonic()

    def start(self, port_wait=15.0):
        if self.alive:
            self.wanted = True
            return
        busy = _wait_ports_bindable(self.ports(), port_wait)
        if busy:
            raise _PortsBusy("%s: ports %s are taken by another process"
                             % (self.name, busy))
        self._launch()
        self.wanted = True

    def bind_failed(self):
        """Did the last start die on a port someone else took?"""
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode(errors="replace")
        except OSError:
            return False
        last = text.rsplit("==== hadoofus.minicluster: starting", 1)[-1]
        return "java.net.BindException" in last

    def signal(self, sig):
        pid = self.pid
        if pid is None or not self.alive:
            return
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while self.alive:
            if time.monotonic() > deadline:
                return False
            if self.proc is not None:
                try:
                    self.proc.wait(min(0.2, max(0.01, deadline - time.monotonic())))
                except subprocess.TimeoutExpired:
                    pass
            else:
                time.sleep(0.05)
        return True

    def stop(self, graceful=True, timeout=10.0, signalled=False):
        """Stop the JVM (SIGTERM, then SIGKILL after timeout; SIGKILL at once
        when not graceful) and its process group."""
        self.wanted = False
        if self.pid is None:
            return
        if self.alive:
            if graceful:
                if not signalled:
                    self.signal(signal.SIGTERM)
                if not self.wait_exit(timeout):
                    self.signal(signal.SIGKILL)
            else:
                self.signal(signal.SIGKILL)
            self.wait_exit(30)
        # Children the JVM forked (du, df) share its process group.
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class NameNode(_Daemon):
    """One NameNode: ``rpc_port``, ``http_port``, ``nn_id`` (None unless
    the cluster is an HA pair: "nn1"/"nn2"), ``pid``, ``alive``."""

    mainclass = NAMENODE_CLASS

    def __init__(self, cluster, rpc_port, http_port, nn_id=None):
        super().__init__(cluster)
        self.rpc_port = rpc_port
        self.http_port = http_port
        self.nn_id = nn_id

    @property
    def name(self):
        return "namenode" if self.nn_id is None else "namenode-" + self.nn_id

    def ports(self):
        return [self.rpc_port, self.http_port]

    @property
    def name_dir(self):
        return os.path.join(self.cluster.base_dir, self.nn_id or "nn", "name")

    @property
    def address(self):
        return "%s:%d" % (HOST, self.rpc_port)

    def __repr__(self):
        return "<NameNode %s %s pid=%s alive=%s>" % (
            self.nn_id or "", self.address, self.pid, self.alive)


class DataNode(_Daemon):
    """One DataNode: ``index``, ``xfer_port``, ``ipc_port``, ``http_port``,
    ``data_dirs``, ``pid``, ``alive``, ``log_path``."""

    mainclass = DATANODE_CLASS

    def __init__(self, cluster, index, xfer_port, ipc_port, http_port, storages=1):
        super().__init__(cluster)
        self.index = index
        self.xfer_port = xfer_port
        self.ipc_port = ipc_port
        self.http_port = http_port
        self.data_dirs = [os.path.join(cluster.base_dir, "dn%d" % index, "data%d" % j)
                          for j in range(storages)]

    @property
    def name(self):
        return "datanode%d" % self.index

    @property
    def xfer_addr(self):
        return "%s:%d" % (HOST, self.xfer_port)

    def ports(self):
        return [self.xfer_port, self.ipc_port, self.http_port]

    def __repr__(self):
        return "<DataNode %d %s pid=%s alive=%s>" % (
            self.index, self.xfer_addr, self.pid, self.alive)


# ---------------------------------------------------------------------------
# The cluster


# Hadoop's HttpFS, the second WebHDFS peer of the gateway: Maven Central
# publishes its war for 2.7.0 (not 2.7.3; it carries its own Hadoop 2.7.0
# and Jersey 1.9 jars, so it needs nothing from the cluster's classpath).
# Jetty 6 from the pyspark sdist serves it, configured by XmlConfiguration.
HTTPFS_VERSION = "2.7.0"
HTTPFS_WAR = "hadoop-hdfs-httpfs-%s.war" % HTTPFS_VERSION
HTTPFS_WAR_SHA256 = "93e22d4ea2849e6740acc9bd26006b1354f50e7fbc8fae17963eb43d17ea853b"
_HTTPFS_JETTY_JARS = ("jetty-6.1.26.jar", "jetty-util-6.1.26.jar", "javax.servlet-api-3.1.0.jar")
_HTTPFS_JETTY_XML = """\
<?xml version="1.0"?>
<!DOCTYPE Configure PUBLIC "-//Mort Bay Consulting//DTD Configure//EN"
  "http://jetty.mortbay.org/configure.dtd">
<Configure id="Server" class="org.mortbay.jetty.Server">
  <Call name="addConnector"><Arg>
    <New class="org.mortbay.jetty.nio.SelectChannelConnector">
      <Set name="host">%(host)s</Set>
      <Set name="port">%(port)d</Set>
    </New>
  </Arg></Call>
  <Set name="handler">
    <New class="org.mortbay.jetty.webapp.WebAppContext">
      <Set name="contextPath">/webhdfs</Set>
      <Set name="war">%(war)s</Set>
      <Set name="tempDirectory">%(tmp)s</Set>
    </New>
  </Set>
</Configure>
"""


def ensure_httpfs_war(download=True):
    """Path of the cached HttpFS war (<cache>/dl/), fetched once from Maven
    Central with Maven's own client (`mvn dependency:copy`, Debian's
    `maven`) and checked by sha256."""
    dest = os.path.join(cache_dir(), "dl", HTTPFS_WAR)
    if os.path.exists(dest):
        return dest
    if not download:
        raise RuntimeError("the HttpFS war is not cached in %s" % dest)
    if not shutil.which("mvn"):
        raise RuntimeError("the HttpFS war is not cached in %s and there is no mvn "
                           "to fetch it (apt-get install maven)" % dest)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".httpfs-", dir=os.path.dirname(dest))
    try:
        p = subprocess.run(["mvn", "-q", "-B", "dependency:copy",
                            "-Dartifact=org.apache.hadoop:hadoop-hdfs-httpfs:%s:war" % HTTPFS_VERSION,
                            "-DoutputDirectory=" + tmp],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        got = os.path.join(tmp, HTTPFS_WAR)
        if not os.path.exists(got):
            raise RuntimeError("mvn dependency:copy of %s failed: %s" % (HTTPFS_WAR, p.stdout[-2000:]))
        if _sha256_file(got) != HTTPFS_WAR_SHA256:
            raise RuntimeError("%s: sha256 %s, want %s" % (HTTPFS_WAR, _sha256_file(got),
                                                          HTTPFS_WAR_SHA256))
        os.chmod(got, 0o644)
        os.replace(got, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


class HttpFS(_Daemon):
    """Hadoop's HttpFS server on ``port``, talking to the cluster as the OS
    user (the superuser, a proxy user for everyone): ``url`` is
    ``http://127.0.0.1:PORT``, its WebHDFS under ``/webhdfs/v1``."""

    name = "httpfs"

    def __init__(self, cluster, port):
        super().__init__(cluster)
        self.port = port

    @property
    def url(self):
        return "http://%s:%d" % (HOST, self.port)

    def ports(self):
        return [self.port]

    def _command(self):
        c = self.cluster
        home = os.path.join(c.base_dir, "httpfs")
        conf = self.conf_dir
        os.makedirs(os.path.join(home, "temp"), exist_ok=True)
        os.makedirs(conf, exist_ok=True)
        for n in ("core-site.xml", "hdfs-site.xml"):
            shutil.copy(os.path.join(c.conf_dir, n), conf)
        with open(os.path.join(conf, "httpfs-signature.secret"), "w") as f:
            f.write(os.urandom(24).hex())
        with open(os.path.join(conf, "httpfs-log4j.properties"), "w") as f:
            f.write(_DAEMON_LOG4J)
        xml = os.path.join(conf, "jetty.xml")
        with open(xml, "w") as f:
            f.write(_HTTPFS_JETTY_XML % {
                "host": HOST, "port": self.port, "war": _xml_escape(ensure_httpfs_war()),
                "tmp": _xml_escape(os.path.join(home, "war"))})
        # Jersey 1.9 defines classes through reflection into java.lang.
        opens = (["--add-opens", "java.base/java.lang=ALL-UNNAMED"]
                 if (_java_major(c.java_path) or 8) >= 9 else [])
        return [c.java_path, "-Xmx%s" % c.heap, *_DAEMON_JVM_OPTS, *opens,
                "-Dhttpfs.home.dir=" + home, "-Dhttpfs.config.dir=" + conf,
                "-Dhttpfs.log.dir=" + os.path.join(c.base_dir, "logs"),
                "-Dhttpfs.temp.dir=" + os.path.join(home, "temp"),
                "-Dhadoofus.minicluster=%s" % c.base_dir,
                "-cp", os.pathsep.join(os.path.join(c.jars_dir, j) for j in _HTTPFS_JETTY_JARS),
                "org.mortbay.xml.XmlConfiguration", xml]

    def wait_ready(self, timeout=120):
        url = self.url + "/webhdfs/v1/?op=GETFILESTATUS&user.name=" + self.cluster.superuser
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive:
                raise RuntimeError("HttpFS exited:\n%s" % _tail(self.log_path))
            try:
                with opener.open(url, timeout=5) as r:
                    if r.status == 200:
                        return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("HttpFS did not answer in %d s:\n%s"
                                   % (timeout, _tail(self.log_path)))
            time.sleep(0.2)

    def __repr__(self):
        return "<HttpFS %s pid=%s alive=%s>" % (self.url, self.pid, self.alive)


class MiniCluster:
    """A NameNode and ``datanodes`` DataNodes on 127.0.0.1.

    Nothing runs until ``start()`` (or ``with``).  ``stop()`` stops the JVMs
    and keeps the data, so ``start()`` brings the same cluster back on the
    same ports; ``close()`` (and leaving the ``with`` block, interpreter
    exit, SIGTERM/SIGHUP of this process) stops it and deletes the directory
    unless ``keep`` is true or ``base_dir`` was given.  The JVMs run in their
    own process groups and, when started from the main thread, get SIGKILL
    from the kernel if this process dies, so none outlive it.

    ``conf`` is extra Hadoop configuration given to every daemon and to the
    client configuration; ``groups`` maps user names to the groups the
    NameNode gives them (default: ``DEFAULT_GROUPS``).

    ``ha=True`` runs an HA pair instead of one NameNode: NameNodes "nn1" and
    "nn2" of the nameservice ``nameservice`` share their edit log through a
    local directory (``dfs.namenode.shared.edits.dir=file://...``; no
    JournalNodes, no ZooKeeper, manual failover with ``shell(/bin/true)``
    fencing), and the DataNodes report to both.  nn1 is made active at the
    first start; ``failover()``, ``transition_to_active()`` and
    ``transition_to_standby()`` move the active role (``DFSHAAdmin``).
    ``namenode`` is then the active NameNode (``port``, ``http_port``,
    ``wait_active`` and ``namenode_info`` follow it), ``namenodes`` both,
    ``url`` is ``hdfs://<nameservice>`` and the client configuration holds
    the HA settings (``ConfiguredFailoverProxyProvider``).

    ``start_httpfs()`` adds Hadoop's HttpFS server (2.7.0, its war fetched
    from Maven Central once) on the running cluster; it stops with it.

    ``webhdfs=True`` turns on Java's own WebHDFS (``dfs.webhdfs.enabled``,
    Jersey 1 on the classpath: ``ensure_webhdfs_jars``): the NameNode serves
    ``webhdfs_url + "/webhdfs/v1/..."`` and redirects data to the DataNodes'
    HTTP ports; the Java shell (``fs_shell``) gets the same jars, so
    ``-fs webhdfs://...`` works from it.

    ``secure=True`` kerberizes the cluster (``hadoofus._kdc``): an MIT KDC
    on loopback with realm ``HADOOFUS.TEST``, keytabs for nn/, dn/, HTTP/
    and the users alice, bob and hdfs (the superuser: nn/ and dn/ map to
    it), ``hadoop.rpc.protection=rpc_protection`` and
    ``dfs.data.transfer.protection=data_protection`` (comma lists: one
    cluster offering all three lets a client try each), block access
    tokens, HTTPS only (``http_port`` is then the HTTPS port), and
    ``dfs.encrypt.data.transfer`` when ``encrypt_data``. ``kinit(user)``
    gives a ticket cache, ``krb5_env(user)`` the environment to use it;
    ``java(..., user=)`` runs kinit'd as that user. The same holds on
    Hadoop 3 (``version="3.4.1"``, with ``ec_policies``), where the
    DataNodes log in as one ``dn/localhost`` principal. The self-signed
    keystore is made once and kept in the cache (``tls-localhost``).
    ``version`` picks the Hadoop of the daemons and the Java client: 2.7.3
    (default) or "3.4.1" (jars from Maven Central, ``ensure_hadoop3_jars``);
    on 3.x ``ec_policies`` are enabled at start (``hdfs ec -enablePolicy``)
    and ``set_ec_policy`` marks a directory erasure-coded.  A policy needs
    data + parity DataNodes (RS-3-2: 5, RS-6-3: 9, XOR-2-1: 3).
    ``version="1.2.1"`` (any 1.x) runs Hadoop 1 instead (HDFS v1: the
    Writable RPC, DataTransferProtocol 17), from hadoop-core's jars fetched
    once from Maven Central (``ensure_hadoop1_jars``): the same API, the
    1.x configuration keys, ``fs_shell`` from the 1.x jars; no HA, no
    WebHDFS, no ``dfsadmin -triggerBlockReport``.
    """

    def __init__(self, datanodes=3, replication=3, base_dir=None, conf=None,
                 keep=False, port=None, heap="256m", jvm_opts=(), groups=None,
                 storages_per_datanode=1, die_with_parent=True, java=None,
                 jars_dir=None, ha=False, nameservice="hadoofus", webhdfs=False,
                 secure=False, rpc_protection="authentication,integrity,privacy",
                 data_protection="authentication,integrity,privacy", encrypt_data=False,
                 version=None, ec_policies=()):
        if datanodes < 0:
            raise ValueError("datanodes must be >= 0")
        # version="1.x.y": a Hadoop 1 cluster (HDFS v1), see _hadoop1.py.
        if _hadoop1().is_v1(str(version or HADOOP_VERSION)) and (ha or webhdfs or secure):
            raise ValueError("Hadoop %s: no ha=, no webhdfs=, no secure=" % version)
        if ha and port is not None:
            raise ValueError("port= picks the port of a single NameNode: not with ha=True")
        self.ha = bool(ha)
        self.webhdfs = bool(webhdfs)
        self.nameservice = nameservice
        self.namenodes = []
        self.n_datanodes = datanodes
        self.replication = replication
        self.extra_conf = dict(conf or {})
        self.keep = keep
        self.requested_port = port
        self.heap = heap
        self.jvm_opts = list(jvm_opts)
        self.groups = dict(DEFAULT_GROUPS if groups is None else groups)
        self.storages_per_datanode = storages_per_datanode
        self.die_with_parent = die_with_parent
        self._java = java
        self._jars_dir = jars_dir
        self._own_dir = base_dir is None
        self._base_dir = os.path.abspath(base_dir) if base_dir else None
        self.namenode = None
        self.datanodes = []
        self.httpfs = None
        self._cds_archive = None
        self._cds_seq = 0
        self._prepared = False
        self._fresh_ports = False  # ports picked here and never yet bound
        self._closed = False
        self._detached = False
        self.start_seconds = None
        self.secure = bool(secure)
        self._secure_args = (rpc_protection, data_protection, encrypt_data)
        self.security = None  # _kdc.SecureCluster once prepared
        self.version = str(version or HADOOP_VERSION)
        self.ec_policies = list(ec_policies)
        if self.ec_policies and not self.hadoop3:
            raise ValueError("ec_policies= needs a Hadoop 3 cluster (version=\"3.x\")")

    # -- properties ---------------------------------------------------------

    host = HOST

    def _need(self):
        if self.namenode is None:
            raise RuntimeError("the cluster has not been started")

    @property
    def base_dir(self):
        return self._base_dir

    @property
    def port(self):
        self._need()
        return self.namenode.rpc_port

    @property
    def http_port(self):
        self._need()
        return self.namenode.http_port

    @property
    def webhdfs_url(self):
        """``http://127.0.0.1:PORT`` of the (active) NameNode's WebHDFS."""
        self._need()
        if not self.webhdfs:
            raise RuntimeError("WebHDFS is off: MiniCluster(webhdfs=True)")
        return "http://%s:%d" % (self.host, self.http_port)

    @property
    def url(self):
        if self.ha:
            return "hdfs://%s" % self.nameservice
        return "hdfs://%s:%d" % (self.host, self.port)

    @property
    def namenode_addresses(self):
        """["127.0.0.1:port", ...] of every NameNode (nn1 first when HA)."""
        self._need()
        return [n.address for n in self.namenodes]

    def namenode_by_id(self, nn_id):
        """The NameNode "nn1"/"nn2" (or an index into ``namenodes``)."""
        if isinstance(nn_id, NameNode):
            return nn_id
        if isinstance(nn_id, int):
            return self.namenodes[nn_id]
        for n in self.namenodes:
            if n.nn_id == nn_id:
                return n
        raise KeyError("no NameNode %r (have %s)" % (
            nn_id, [n.nn_id for n in self.namenodes]))

    @property
    def conf_dir(self):
        """Client configuration (core-site.xml, hdfs-site.xml, log4j),
        usable as HADOOP_CONF_DIR."""
        self._need()
        return os.path.join(self.base_dir, "conf", "client")

    @property
    def v1(self):
        """A Hadoop 1.x cluster (HDFS v1)."""
        return _hadoop1().is_v1(self.version)

    @property
    def hadoop3(self):
        """True when the daemons are Hadoop 3.x."""
        return self.version.startswith("3.")

    @property
    def jars_dir(self):
        if self._jars_dir is None:
            self._jars_dir = (ensure_hadoop3_jars(self.version) if self.hadoop3
                              else ensure_hadoop1_jars(self.version) if self.v1
                              else ensure_jars())
        return self._jars_dir

    @property
    def _version_jvm_opts(self):
        return _hadoop3().jvm_opts(_java_major(self.java_path)) if self.hadoop3 else []

    @property
    def _jars(self):
        if self.v1:
            return _hadoop1().jar_list(self.jars_dir)
        # Hadoop 3's dependency tree carries Jersey: no extras.
        return _cluster_jars(self.jars_dir, self.webhdfs and not self.hadoop3)

    @property
    def classpath(self):
        """Client classpath: the client conf dir, then every jar (explicit
        paths, so it also suits JNI's CLASSPATH)."""
        return os.pathsep.join(self._jars + [self.conf_dir])

    @property
    def _cds_list_dir(self):
        return os.path.join(self.base_dir, "cds-lists")

    def _cds_opts(self, role):
        """JVM options to use the class-sharing archive, or, until it exists,
        to record the classes this JVM loads."""
        if not _cds_enabled():
            return []
        if self._cds_archive is None:
            self._cds_archive = _cds_archive_path(self.java_path, self._jars)
        if os.path.exists(self._cds_archive):
            return ["-XX:SharedArchiveFile=" + self._cds_archive, "-Xshare:auto"]
        if os.path.exists(self._cds_archive + ".failed"):
            return []
        os.makedirs(self._cds_list_dir, exist_ok=True)
        self._cds_seq += 1
        return ["-XX:DumpLoadedClassList=%s" % os.path.join(
            self._cds_list_dir, "%s-%d-%d.lst" % (role, os.getpid(), self._cds_seq))]

    def _cds_build(self):
        if self._base_dir and os.path.isdir(self._cds_list_dir):
            _build_cds_archive(self.java_path, self._jars, self._cds_list_dir)
            shutil.rmtree(self._cds_list_dir, ignore_errors=True)

    @property
    def java_path(self):
        if self._java is None:
            self._java = find_java()
        return self._java

    @property
    def superuser(self):
        """The HDFS superuser: the OS user running the NameNode ("hdfs" on a
        secure cluster: the NameNode's principal maps to it)."""
        if self.security is not None:
            return "hdfs"
        return pwd.getpwuid(os.getuid()).pw_name

    @property
    def _webapps_root(self):
        return os.path.join(self.base_dir, "www")

    @property
    def running(self):
        return self.namenode is not None and self.namenode.alive

    # -- configuration ------------------------------------------------------

    def _common_conf(self):
        if self.v1:
            return _hadoop1().common_conf(self)
        core = {
            "fs.defaultFS": self.url,
            "hadoop.tmp.dir": os.path.join(self.base_dir, "tmp"),
            "hadoop.security.authentication": "simple",
            "hadoop.user.group.static.mapping.overrides": ";".join(
                ["dr.who="] + ["%s=%s" % (u, ",".join(g)) for u, g in sorted(self.groups.items())]),
            # Proxy users (a gateway impersonating its callers): the
            # superuser for anyone from anywhere, hdfsadmin for the group
            # "users" (gateway doas tests); other users may not.
            "hadoop.proxyuser.%s.hosts" % self.superuser: "*",
            "hadoop.proxyuser.%s.groups" % self.superuser: "*",
            "hadoop.proxyuser.hdfsadmin.hosts": "*",
            "hadoop.proxyuser.hdfsadmin.groups": "users",
        }
        hdfs = {
            "dfs.namenode.rpc-address": "%s:%d" % (HOST, self.namenode.rpc_port),
            "dfs.namenode.http-address": "%s:%d" % (HOST, self.namenode.http_port),
            "dfs.namenode.https-address": "%s:0" % HOST,
            "dfs.namenode.secondary.http-address": "%s:0" % HOST,
            "dfs.namenode.secondary.https-address": "%s:0" % HOST,
            "dfs.namenode.backup.address": "%s:0" % HOST,
            "dfs.namenode.backup.http-address": "%s:0" % HOST,
            "dfs.namenode.name.dir": "file://" + self.namenode.name_dir,
            "dfs.replication": self.replication,
            "dfs.webhdfs.enabled": self.webhdfs,
            "dfs.permissions.enabled": True,
            "dfs.namenode.acls.enabled": True,
            "dfs.namenode.xattrs.enabled": True,
            "dfs.namenode.safemode.extension": 0,
            "dfs.namenode.fs-limits.min-block-size": 512,
            "dfs.namenode.resource.du.reserved": 0,
            "dfs.namenode.datanode.registration.ip-hostname-check": False,
            "dfs.namenode.edits.noeditlogchannelflush": True,
            "dfs.heartbeat.interval": 1,
            "dfs.namenode.heartbeat.recheck-interval": 1000,
            # Below the 12 s heartbeat expiry that the two settings above give.
            "dfs.namenode.stale.datanode.interval": 5000,
            "dfs.namenode.replication.interval": 1,
            # A few DataNodes on a busy 2-core machine: the load check would
            # leave nodes out of pipelines and EC groups at random (a node
            # with 2x the average xceivers is refused), and tests that count
            # replicas would race the re-replication.
            "dfs.namenode.replication.considerLoad": False,
            "dfs.datanode.du.reserved": 0,
            "dfs.datanode.hostname": HOST,
            "dfs.client.use.datanode.hostname": False,
            "dfs.ls.limit": 1000,
        }
        if self.ha:
            ns = self.nameservice
            for k in ("dfs.namenode.rpc-address", "dfs.namenode.http-address",
                      "dfs.namenode.name.dir"):
                del hdfs[k]
            hdfs.update({
                "dfs.nameservices": ns,
                "dfs.ha.namenodes." + ns: ",".join(n.nn_id for n in self.namenodes),
                "dfs.namenode.shared.edits.dir": "file://" + self._shared_edits_dir,
                "dfs.client.failover.proxy.provider." + ns: FAILOVER_PROXY_PROVIDER,
                "dfs.ha.automatic-failover.enabled": False,
                "dfs.ha.fencing.methods": "shell(/bin/true)",
                # The standby reads the shared edits each second (default 60 s).
                "dfs.ha.tail-edits.period": 1,
            })
            for n in self.namenodes:
                hdfs["dfs.namenode.rpc-address.%s.%s" % (ns, n.nn_id)] = n.address
                hdfs["dfs.namenode.http-address.%s.%s" % (ns, n.nn_id)] = \
                    "%s:%d" % (HOST, n.http_port)
        if self.security is not None:
            self._secure_conf(core, hdfs)
        if self.hadoop3:
            _hadoop3().adjust_conf(self, core, hdfs)
        return core, hdfs

    # -- Kerberos (secure=True) ---------------------------------------------

    def _secure_prepare(self, existing):
        _kdc = _sibling("_kdc")
        old = (existing or {}).get("secure") or {}
        rpc_p, data_p, enc = self._secure_args
        self.secure = True
        self.security = _kdc.SecureCluster(
            self.base_dir, old.get("rpc_protection", rpc_p),
            old.get("data_protection", data_p), old.get("encrypt_data", enc),
            kdc_port=old.get("kdc_port"))
        self.security.start(self.java_path,
                            tls_cache=os.path.join(cache_dir(), "tls-localhost"))
        self.jvm_opts += [o for o in self.security.jvm_opts() if o not in self.jvm_opts]
        self.groups.setdefault("hdfs", ("hdfs", "supergroup"))

    def _secure_conf(self, core, hdfs):
        sc, sh = self.security.conf()
        core.update(sc)
        hdfs.update(sh)
        # HTTPS only: the NameNode's web port speaks TLS.
        hdfs["dfs.namenode.https-address"] = "%s:%d" % (HOST, self.namenode.http_port)
        hdfs["dfs.namenode.http-address"] = "%s:0" % HOST

    def _secure_files(self, conf_dir, spec):
        for dn in self.datanodes:
            if spec.get("dfs.datanode.address") == "%s:%d" % (HOST, dn.xfer_port):
                spec["dfs.datanode.https.address"] = "%s:%d" % (HOST, dn.http_port)
                # (hdfs-site overrides core-site) The DataNodes' IPC servers
                # offer less choice than the NameNode: a server that demands
                # more protection than a client allows, for tests.
                spec["hadoop.rpc.protection"] = self.security.datanode_rpc_protection
        for name, props in self.security.ssl_files().items():
            _write_site(os.path.join(conf_dir, name), props)

    def kinit(self, user, lifetime=None, ccache=None):
        """Secure clusters: a fresh ticket cache for ``user`` ("alice", "bob",
        "hdfs", or a service principal such as "nn/localhost") from its
        keytab; ``lifetime`` as kinit -l ("10s"). Returns the cache's path."""
        self._need_secure()
        return self.security.kinit(user, lifetime=lifetime, ccache=ccache)

    def keytab(self, user):
        """Secure clusters: the keytab of a user or service ("nn", "dn", "HTTP")."""
        self._need_secure()
        return self.security.keytab(user.split("/")[0])

    def principal(self, user):
        """Secure clusters: ``user`` with the realm ("alice@HADOOFUS.TEST")."""
        self._need_secure()
        return self.security.kdc.principal(user)

    def krb5_env(self, user=None, ccache=None):
        """Secure clusters: KRB5_CONFIG (and with ``user``, KRB5CCNAME of a
        fresh ticket cache of that user; or of ``ccache``) for C clients and
        MIT tools."""
        self._need_secure()
        if user is not None and ccache is None:
            ccache = self.kinit(user)
        return self.security.env(ccache)

    def _need_secure(self):
        if self.security is None:
            raise RuntimeError("not a secure cluster (MiniCluster(secure=True), started)")

    @property
    def _shared_edits_dir(self):
        return os.path.join(self.base_dir, "shared-edits")

    def _split_extra(self):
        core, hdfs = {}, {}
        for k, v in self.extra_conf.items():
            (core if k.startswith(("fs.", "hadoop.", "io.", "ipc.", "net."))
             else hdfs)[k] = v
        return core, hdfs

    def _write_conf(self):
        core, hdfs = self._common_conf()
        xcore, xhdfs = self._split_extra()
        specific = {"client": {}}
        for n in self.namenodes:
            specific[n.name] = {} if n.nn_id is None else {
                # Both NameNodes are local addresses: name each its own id.
                "dfs.ha.namenode.id": n.nn_id,
                "dfs.namenode.name.dir": "file://" + n.name_dir,
            }
        for dn in self.datanodes:
            specific[dn.name] = _hadoop1().datanode_conf(dn) if self.v1 else {
                "dfs.datanode.address": "%s:%d" % (HOST, dn.xfer_port),
                "dfs.datanode.ipc.address": "%s:%d" % (HOST, dn.ipc_port),
                "dfs.datanode.http.address": "%s:%d" % (HOST, dn.http_port),
                "dfs.datanode.https.address": "%s:0" % HOST,
                "dfs.datanode.data.dir": ",".join("file://" + d for d in dn.data_dirs),
            }
        for name, spec in specific.items():
            d = os.path.join(self.base_dir, "conf", name)
            os.makedirs(d, exist_ok=True)
            if self.security is not None:
                self._secure_files(d, spec)
            _write_site(os.path.join(d, "core-site.xml"), {**core, **xcore})
            _write_site(os.path.join(d, "hdfs-site.xml"), {**hdfs, **spec, **xhdfs})
            with open(os.path.join(d, "log4j.properties"), "w") as f:
                f.write(_CLIENT_LOG4J if name == "client" else _DAEMON_LOG4J)
            open(os.path.join(d, "hadoop-metrics2.properties"), "w").close()

    def _layout_path(self):
        return os.path.join(self.base_dir, "cluster.json")

    def _save_layout(self):
        layout = {
            "hadoop": self.version,
            "rpc_port": self.namenode.rpc_port,
            "http_port": self.namenode.http_port,
            "ha": self.ha,
            "nameservice": self.nameservice,
            "namenodes": [[n.nn_id, n.rpc_port, n.http_port] for n in self.namenodes],
            "active": self.namenode.nn_id,
            "replication": self.replication,
            "storages_per_datanode": self.storages_per_datanode,
            "datanodes": [[d.xfer_port, d.ipc_port, d.http_port] for d in self.datanodes],
            "conf": self.extra_conf,
            "groups": {u: list(g) for u, g in self.groups.items()},
            "secure": self.security.layout() if self.security is not None else None,
        }
        tmp = self._layout_path() + ".tmp"
        with open(tmp, "w") as f:
            json.dump(layout, f, indent=1)
        os.replace(tmp, self._layout_path())

    def _prepare(self):
        """Directories, ports and configuration; format on first use.

        A base_dir that already holds a formatted cluster of this module is
        reused with its ports and DataNodes.
        """
        if self._prepared:
            return
        if self._base_dir is None:
            self._base_dir = tempfile.mkdtemp(prefix="hadoofus-minicluster-")
        os.makedirs(self.base_dir, exist_ok=True)
        for w in ("hdfs", "datanode", "secondary", "static", "journal"):
            os.makedirs(os.path.join(self._webapps_root, "webapps", w), exist_ok=True)
        os.makedirs(os.path.join(self.base_dir, "logs"), exist_ok=True)
        existing = None
        if os.path.exists(self._layout_path()):
            with open(self._layout_path()) as f:
                existing = json.load(f)
        if existing is not None:
            self.version = existing.get("hadoop", self.version)
            self.ha = bool(existing.get("ha", False))
            self.nameservice = existing.get("nameservice", self.nameservice)
            if self.ha:
                self.namenodes = [NameNode(self, rp, hp, i)
                                  for i, rp, hp in existing["namenodes"]]
                self.namenode = self.namenode_by_id(existing.get("active") or "nn1")
            else:
                self.namenode = NameNode(self, existing["rpc_port"], existing["http_port"])
                self.namenodes = [self.namenode]
            self.replication = existing["replication"]
            self.storages_per_datanode = existing["storages_per_datanode"]
            self.extra_conf = {**existing.get("conf", {}), **self.extra_conf}
            self.groups = {u: tuple(g) for u, g in existing.get("groups", {}).items()} or self.groups
            self.datanodes = [DataNode(self, i, *p, storages=self.storages_per_datanode)
                              for i, p in enumerate(existing["datanodes"])]
        else:
            if self.requested_port:
                rpc = int(self.requested_port)
                if not _port_bindable(rpc):
                    raise RuntimeError("port %d is in use" % rpc)
                ports = [p for p in _free_ports(1 + 3 * self.n_datanodes + 1) if p != rpc]
            elif self.ha:
                ports = _free_ports(4 + 3 * self.n_datanodes)
                self.namenodes = [NameNode(self, ports.pop(0), ports.pop(0), i)
                                  for i in HA_NAMENODE_IDS]
            else:
                ports = _free_ports(2 + 3 * self.n_datanodes)
                rpc = ports.pop(0)
            if not self.ha:
                self.namenode = NameNode(self, rpc, ports.pop(0))
                self.namenodes = [self.namenode]
            else:
                self.namenode = self.namenodes[0]
            self.datanodes = []
            for i in range(self.n_datanodes):
                self.datanodes.append(DataNode(self, i, ports.pop(0), ports.pop(0),
                                               ports.pop(0), self.storages_per_datanode))
            self._fresh_ports = True
        if self.secure or (existing or {}).get("secure"):
            self._secure_prepare(existing)
        self._write_conf()
        if not os.path.exists(os.path.join(self.namenodes[0].name_dir, "current", "VERSION")):
            self._format()
        self._save_layout()
        self._prepared = True

    def _format(self):
        nn = self.namenodes[0]
        for n in self.namenodes:
            shutil.rmtree(os.path.dirname(n.name_dir), ignore_errors=True)
        if self.ha:
            shutil.rmtree(self._shared_edits_dir, ignore_errors=True)
        for dn in self.datanodes:
            shutil.rmtree(os.path.join(self.base_dir, "dn%d" % dn.index), ignore_errors=True)
        # 1.x knows neither flag; its name directory is gone, so it asks nothing.
        args = ("-format",) if self.v1 else ("-format", "-nonInteractive", "-force")
        r = self._namenode_once(nn, "format", *args)
        if r.returncode != 0:
            raise RuntimeError("formatting the NameNode failed (exit %d):\n%s"
                               % (r.returncode, _tail(nn.log_path)))

    def _namenode_once(self, nn, what, *args):
        """The NameNode class run once with args (a -format, a
        -bootstrapStandby) for nn, as the cluster's superuser; its output
        goes to nn's log below a "==== hadoofus.minicluster: what ====" line.
        Returns the CompletedProcess."""
        cp = os.pathsep.join(self._jars + [nn.conf_dir])
        cmd = [self.java_path, *_CLIENT_JVM_OPTS, *self._version_jvm_opts,
               *self._cds_opts("format"), *self.jvm_opts,
               "-cp", cp, NAMENODE_CLASS, *args]
        env = dict(os.environ)
        env.pop("HADOOP_USER_NAME", None)
        with open(nn.log_path, "ab") as log:
            log.write(("\n==== hadoofus.minicluster: %s ====\n" % what).encode())
            log.flush()
            return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT, env=env, cwd=self.base_dir,
                                  timeout=300)

    # -- lifecycle ----------------------------------------------------------

    def start(self, timeout=90):
        """Start the NameNode and the DataNodes; return when the NameNode is
        out of safe mode and sees every DataNode live."""
        if self._closed:
            raise RuntimeError("the cluster was closed")
        t0 = time.monotonic()
        self.jars_dir  # noqa: B018 - fetch before anything runs
        self.java_path  # noqa: B018
        self._prepare()
        if self.security is not None:
            self.security.start(self.java_path)  # the KDC, after a stop()
        with _open_lock:
            if self not in _open_clusters and not self._detached:
                _open_clusters.append(self)
        _install_handlers()
        attempt = 0
        while True:
            attempt += 1
            # Ports picked a moment ago are not reserved: some other process
            # may bind one first.  Then pick new ones, if nobody saw them yet.
            repick = self._fresh_ports and attempt < 4
            try:
                pw = 0.5 if repick else 15.0
                if self.ha:
                    self._start_ha(pw, timeout)
                else:
                    self.namenode.start(port_wait=pw)
                # DataNodes retry until the NameNode answers; starting them now
                # overlaps their JVM start-up with the NameNode's.
                for dn in self.datanodes:
                    dn.start(port_wait=pw)
                if self.ha:
                    self._make_active(self.namenode, deadline=time.monotonic() + timeout)
                self.wait_active(timeout=timeout, _strict=True)
                if self.ec_policies:
                    _hadoop3().enable_ec_policies(self, self.ec_policies)
                break
            except (_PortsBusy, RuntimeError) as e:
                self.stop(graceful=False)
                if repick and (isinstance(e, _PortsBusy) or any(
                        d.bind_failed() for d in self.namenodes + self.datanodes)):
                    self._repick_ports()
                    continue
                raise
            except BaseException:
                self.stop(graceful=False)
                raise
        self._fresh_ports = False
        self.start_seconds = time.monotonic() - t0
        return self

    def _start_ha(self, port_wait, timeout):
        """Start both NameNodes (each comes up standby); the first start
        after formatting copies nn1's namespace to the other with
        ``-bootstrapStandby``, which needs nn1 running."""
        first = self.namenodes[0]
        first.start(port_wait=port_wait)
        for n in self.namenodes[1:]:
            if not os.path.exists(os.path.join(n.name_dir, "current", "VERSION")):
                self._wait_rpc(first, time.monotonic() + timeout)
                self._bootstrap_standby(n)
            n.start(port_wait=port_wait)

    def _wait_rpc(self, nn, deadline):
        while True:
            if not nn.alive:
                raise self._failure("%s exited" % nn.name)
            try:
                with socket.create_connection((HOST, nn.rpc_port), timeout=1):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise self._failure("%s: RPC port %d not open" % (nn.name, nn.rpc_port))
            time.sleep(0.1)

    def _bootstrap_standby(self, nn):
        shutil.rmtree(os.path.dirname(nn.name_dir), ignore_errors=True)
        r = self._namenode_once(nn, "bootstrapStandby", "-bootstrapStandby", "-nonInteractive")
        if r.returncode != 0:
            raise RuntimeError("-bootstrapStandby of %s failed (exit %d):\n%s"
                               % (nn.name, r.returncode, _tail(nn.log_path)))

    def _make_active(self, nn, deadline):
        """transitionToActive, retried while the NameNode is still starting."""
        while True:
            r = self.haadmin("-transitionToActive", nn.nn_id, check=False)
            if r.returncode == 0:
                return
            if not nn.alive or time.monotonic() > deadline:
                raise self._failure("-transitionToActive %s failed: %s" % (
                    nn.nn_id, r.stderr.decode(errors="replace")[-2000:]))
            time.sleep(0.3)

    def _repick_ports(self):
        nnn = len(self.namenodes)
        ports = _free_ports(2 * nnn + 3 * len(self.datanodes))
        if self.requested_port:
            ports[0] = int(self.requested_port)
        for i, n in enumerate(self.namenodes):
            n.rpc_port, n.http_port = ports[2 * i], ports[2 * i + 1]
        ports = ports[2 * nnn:]
        for i, dn in enumerate(self.datanodes):
            dn.xfer_port, dn.ipc_port, dn.http_port = ports[3 * i: 3 + 3 * i]
        self._write_conf()
        self._save_layout()

    def start_httpfs(self, port=None, timeout=120):
        """Start HttpFS on ``port`` (default: a free one) unless it runs;
        returns the ``HttpFS`` (``.url``), also ``self.httpfs``."""
        self._need()
        if self.httpfs is None or (port is not None and port != self.httpfs.port):
            if self.httpfs is not None:
                self.httpfs.stop()
            self.httpfs = HttpFS(self, port or _free_ports(1)[0])
        if not self.httpfs.alive:
            self.httpfs.start()
            self.httpfs.wait_ready(timeout)
        return self.httpfs

    def stop(self, graceful=True):
        """Stop every JVM (data kept; ``start()`` brings it back)."""
        if self.httpfs is not None:
            self.httpfs.stop(graceful=graceful)
        daemons = [d for d in self.datanodes if d.pid is not None]
        daemons += [n for n in self.namenodes if n.pid is not None]
        for d in daemons:
            if d.alive:
                d.signal(signal.SIGTERM if graceful else signal.SIGKILL)
        for d in daemons:
            d.stop(graceful=graceful, signalled=True)

    def close(self, _quick=False):
        """Stop, and delete the directory if it is a temporary one."""
        if self._closed:
            return
        self._closed = True
        with _open_lock:
            if self in _open_clusters:
                _open_clusters.remove(self)
        if self._detached:
            return
        self.stop(graceful=not _quick)
        if self.security is not None:
            self.security.stop()
        if not _quick:
            self._cds_build()
        if self._own_dir and not self.keep and self._base_dir:
            shutil.rmtree(self._base_dir, ignore_errors=True)

    def detach(self):
        """Leave the JVMs running when this process exits (CLI daemon mode)."""
        self._detached = True
        with _open_lock:
            if self in _open_clusters:
                _open_clusters.remove(self)

    def __enter__(self):
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        if self.namenode is None:
            return "<MiniCluster (not started)>"
        return "<MiniCluster %s datanodes=%d dir=%s>" % (self.url, len(self.datanodes),
                                                         self.base_dir)

    # -- fault injection ----------------------------------------------------

    def kill_datanode(self, i, sig=signal.SIGKILL):
        """Kill DataNode i (SIGKILL by default: a crash) and wait until its
        process is gone.  The NameNode notices only after its heartbeat
        expiry (about 12-17 s here); ``wait_active()`` waits for that."""
        dn = self.datanodes[i]
        dn.wanted = False
        dn.signal(sig)
        if not dn.wait_exit(30):
            dn.signal(signal.SIGKILL)
            dn.wait_exit(30)
        dn.stop(graceful=False)
        return dn

    def restart_datanode(self, i, wait=True, timeout=60):
        """(Re)start DataNode i with its data; wait until the NameNode hears
        from the new process."""
        dn = self.datanodes[i]
        dn.stop(graceful=True)
        dn.start()
        if wait:
            self.wait_active(timeout=timeout, wait_safemode_exit=False, _strict=True)
        return dn

    def add_datanode(self, wait=True, timeout=60):
        """Start one more DataNode; return it."""
        self._need()
        i = len(self.datanodes)
        dn = DataNode(self, i, *_free_ports(3), storages=self.storages_per_datanode)
        self.datanodes.append(dn)
        self._write_conf()
        self._save_layout()
        dn.start()
        if wait:
            self.wait_active(timeout=timeout, wait_safemode_exit=False)
        return dn

    def restart_namenode(self, wait_safemode_exit=True, timeout=90, graceful=True):
        """Restart the NameNode on the same ports with the same metadata
        (HA: the active one, made active again)."""
        self._need()
        self.namenode.stop(graceful=graceful)
        self.namenode.start()
        if self.ha:
            self._make_active(self.namenode, time.monotonic() + timeout)
        self.wait_active(timeout=timeout, wait_safemode_exit=wait_safemode_exit)

    # -- erasure coding (Hadoop 3) ---------------------------------------------

    def set_ec_policy(self, path, policy):
        """Make ``path`` (created when missing) an erasure-coded directory of
        ``policy`` (e.g. "RS-3-2-1024k": 5 DataNodes; enable it first with
        ``ec_policies=[...]``)."""
        self._need()
        if not self.hadoop3:
            raise RuntimeError("erasure coding needs a Hadoop 3 cluster")
        _hadoop3().set_ec_policy(self, path, policy)

    # -- HA ------------------------------------------------------------------

    def haadmin(self, *args, **kw):
        """``hdfs haadmin ARGS`` (``DFSHAAdmin``, one JVM)."""
        return self.java(DFSHAADMIN_CLASS, *args, **kw)

    def _need_ha(self):
        self._need()
        if not self.ha:
            raise RuntimeError("not an HA cluster (MiniCluster(ha=True))")

    def namenode_state(self, nn_id):
        """"active"/"standby" of NameNode nn_id (from its JMX), or None
        when it does not answer."""
        n = self.namenode_by_id(nn_id)
        try:
            st = self._jmx("NameNodeStatus", nn=n)
        except (OSError, ValueError, urllib.error.URLError):
            return None
        return st.get("State") if st else None

    def failover(self, to=None, timeout=60, wait=True):
        """Make NameNode ``to`` (default: the other one) active with
        ``haadmin -failover FROM TO`` (FROM goes standby, fenced if it will
        not); then wait until it is active, out of safe mode and sees the
        live DataNodes.  Returns the new active NameNode."""
        self._need_ha()
        src = self.namenode
        dst = self.namenode_by_id(to) if to is not None else \
            [n for n in self.namenodes if n is not src][0]
        if dst is src:
            raise ValueError("%s is already the active NameNode" % dst.nn_id)
        self.haadmin("-failover", src.nn_id, dst.nn_id)
        self.namenode = dst
        self._save_layout()
        if wait:
            self.wait_active(timeout=timeout)
        return dst

    def transition_to_standby(self, nn_id):
        """``haadmin -transitionToStandby``: afterwards no NameNode may be
        active until ``transition_to_active``."""
        self._need_ha()
        self.haadmin("-transitionToStandby", self.namenode_by_id(nn_id).nn_id)

    def transition_to_active(self, nn_id, timeout=60, wait=True):
        """``haadmin -transitionToActive`` (the other must not be active)."""
        self._need_ha()
        n = self.namenode_by_id(nn_id)
        self.haadmin("-transitionToActive", n.nn_id)
        self.namenode = n
        self._save_layout()
        if wait:
            self.wait_active(timeout=timeout)
        return n

    # -- state of the cluster ------------------------------------------------

    def _jmx(self, bean, timeout=2.0, nn=None):
        url = "%s://%s:%d/jmx?qry=Hadoop:service=NameNode,name=%s" % (
            "https" if self.security is not None else "http",
            HOST, (nn or self.namenode).http_port, bean)
        handlers = [urllib.request.ProxyHandler({})]
        if self.security is not None:
            # The secure cluster's certificate is self-signed.
            handlers.append(urllib.request.HTTPSHandler(context=ssl._create_unverified_context()))
        opener = urllib.request.build_opener(*handlers)
        with opener.open(url, timeout=timeout) as r:
            beans = json.loads(r.read().decode()).get("beans") or []
        return beans[0] if beans else None

    def namenode_info(self):
        """The NameNode's view (from its JMX servlet): dict with ``state``
        ("active"/"standby"), ``safemode`` ("" when off), ``live`` and
        ``dead`` (dicts "127.0.0.1:xferport" -> details)."""
        self._need()
        if self.v1:
            return _hadoop1().namenode_info(self)
        status = self._jmx("NameNodeStatus")
        info = self._jmx("NameNodeInfo")
        if status is None or info is None:
            return None

        def nodes(js):
            out = {}
            for k, v in json.loads(js or "{}").items():
                out[v.get("xferaddr") or k] = v
            return out
        return {
            "state": status.get("State"),
            "safemode": info.get("Safemode", ""),
            "live": nodes(info.get("LiveNodes")),
            "dead": nodes(info.get("DeadNodes")),
            "total_blocks": info.get("TotalBlocks"),
            "missing_blocks": info.get("NumberOfMissingBlocks"),
        }

    def live_datanodes(self):
        """Addresses ("127.0.0.1:port") the NameNode counts as live."""
        info = self.namenode_info()
        return sorted(info["live"]) if info else []

    def dead_datanodes(self):
        info = self.namenode_info()
        return sorted(info["dead"]) if info else []

    def _rpc_answers(self):
        try:
            with socket.create_connection((HOST, self.namenode.rpc_port), timeout=1):
                return True
        except OSError:
            return False

    def wait_active(self, n_datanodes=None, timeout=60, wait_safemode_exit=True,
                    _strict=False):
        """Wait until the NameNode is active (and out of safe mode) and its
        live DataNodes agree with what runs.

        With ``n_datanodes=None``: the live set must be exactly the DataNodes
        whose processes run, each having sent a heartbeat since its (re)start,
        so after ``kill_datanode`` this waits until the NameNode has declared
        the node dead.  With a number: the live count must equal it.
        Raises RuntimeError with the daemons' log tails on timeout or if the
        NameNode dies.
        """
        self._need()
        t0 = time.monotonic()
        deadline = t0 + timeout
        last = "no answer from the NameNode yet"
        while True:
            if not self.namenode.alive:
                raise self._failure("the NameNode exited")
            if _strict:
                for dn in self.datanodes:
                    if dn.wanted and not dn.alive:
                        raise self._failure("%s exited" % dn.name)
            ok, why = self._check_active(n_datanodes, wait_safemode_exit)
            if _DEBUG and why != last:
                sys.stderr.write("minicluster: %+.2fs %s\n" % (time.monotonic() - t0, why))
            last = why
            if ok:
                return
            if time.monotonic() > deadline:
                raise self._failure("timed out after %ss waiting for the cluster: %s"
                                    % (timeout, last))
            time.sleep(0.1)

    def _check_active(self, n_datanodes, wait_safemode_exit):
        try:
            info = self.namenode_info()
        except (OSError, ValueError, urllib.error.URLError) as e:
            return False, "NameNode HTTP: %s" % e
        if info is None:
            return False, "NameNode JMX beans not there yet"
        if info["state"] != "active":
            return False, "NameNode state %r" % info["state"]
        if wait_safemode_exit and info["safemode"]:
            return False, "safe mode: %s" % info["safemode"]
        live = info["live"]
        if n_datanodes is not None:
            if len(live) != n_datanodes:
                return False, "%d live DataNodes, want %d" % (len(live), n_datanodes)
        else:
            now = time.monotonic()
            want = set()
            for dn in self.datanodes:
                if not dn.alive:
                    continue
                want.add(dn.xfer_addr)
                v = live.get(dn.xfer_addr)
                if v is None:
                    return False, "%s not live yet" % dn.name
                # A heartbeat from the new process is younger than the process.
                if dn.started_at is not None and \
                        v.get("lastContact", 0) >= int(now - dn.started_at):
                    return False, "%s: no heartbeat since restart yet" % dn.name
            extra = set(live) - want
            if extra:
                return False, "NameNode still counts %s live" % sorted(extra)
        if not self._rpc_answers():
            return False, "NameNode RPC port closed"
        return True, "ok"

    def _failure(self, why):
        parts = [why, "cluster dir: %s" % self.base_dir]
        for name, path in self._log_paths().items():
            parts.append("---- %s (%s), last lines ----\n%s" % (name, path, _tail(path)))
        return RuntimeError("\n".join(parts))

    def _log_paths(self):
        out = {}
        for n in self.namenodes:
            out[n.name] = n.log_path
        for dn in self.datanodes:
            out[dn.name] = dn.log_path
        return out

    def logs(self):
        """Every daemon's log text: {"namenode": ..., "datanode0": ...}."""
        out = {}
        for name, path in self._log_paths().items():
            try:
                with open(path, "rb") as f:
                    out[name] = f.read().decode(errors="replace")
            except OSError:
                out[name] = ""
        return out

    # -- block files ---------------------------------------------------------

    @staticmethod
    def _block_name(block_id):
        if isinstance(block_id, str):
            block_id = block_id.split("_")[1] if block_id.startswith("blk_") else block_id
        return "blk_%d" % int(block_id)

    def block_replicas(self, block_id):
        """[(DataNode, block file path, meta file path or None)] of every
        on-disk replica of the block (finalized or being written)."""
        self._need()
        want = self._block_name(block_id)
        out = []
        for dn in self.datanodes:
            for d in dn.data_dirs:
                for root, _dirs, files in os.walk(d):
                    if want in files:
                        meta = [f for f in files
                                if f.startswith(want + "_") and f.endswith(".meta")]
                        out.append((dn, os.path.join(root, want),
                                    os.path.join(root, meta[0]) if meta else None))
        return out

    def block_files(self, block_id):
        """On-disk paths of the block's replicas (``blk_<id>`` files)."""
        return sorted(p for _dn, p, _m in self.block_replicas(block_id))

    def corrupt_replica(self, block_id, replica=0, offset=0, nbytes=1):
        """Flip bytes of one on-disk replica (its data, not its checksums);
        return the DataNode holding it.  Readers see a checksum error."""
        reps = sorted(self.block_replicas(block_id), key=lambda r: r[0].index)
        if not reps:
            raise LookupError("no replica of block %s on disk" % block_id)
        dn, path, _meta = reps[replica]
        with open(path, "r+b") as f:
            f.seek(offset)
            old = f.read(nbytes)
            f.seek(offset)
            f.write(bytes(b ^ 0xFF for b in old))
        return dn

    def trigger_block_report(self, i=None):
        """Make DataNode i (default: every running one) send a full block
        report now.  The report comes from the DataNode's memory: a replica
        file deleted behind its back is forgotten only when its directory
        scanner next runs (every 6 h by default; pass
        ``conf={"dfs.datanode.directoryscan.interval": 1}`` and wait ~2 s)."""
        dns = self.datanodes if i is None else [self.datanodes[i]]
        for dn in dns:
            if dn.alive:
                self.dfsadmin("-triggerBlockReport", "%s:%d" % (HOST, dn.ipc_port))

    # -- Java clients --------------------------------------------------------

    def java(self, mainclass, *args, check=True, user=None, input=None, timeout=300,
             jvm_opts=(), env=None):
        """Run a Java main class from the jars with the client configuration;
        ``user`` acts as that HDFS user (HADOOP_USER_NAME).  Returns a
        CompletedProcess with bytes stdout/stderr; raises JavaError on a
        non-zero exit when ``check``."""
        self._need()
        cmd = [self.java_path, *_CLIENT_JVM_OPTS, *self._version_jvm_opts,
               *self._cds_opts("client"), *jvm_opts,
               "-cp", self.classpath,
               mainclass, *[str(a) for a in args]]
        e = dict(os.environ)
        e.pop("CLASSPATH", None)
        if self.security is not None:
            # Kerberos: act as `user` (default the superuser) by its tickets.
            cmd[1:1] = self.security.jvm_opts()
            ccache = self.security.ccache_path(user or self.superuser)
            if not os.path.exists(ccache) or time.time() - os.path.getmtime(ccache) > 3600:
                self.kinit(user or self.superuser)
            e.update(self.security.env(ccache))
            user = None
        if env:
            e.update(env)
        if user is not None:
            e["HADOOP_USER_NAME"] = user
        r = subprocess.run(cmd, input=input, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=timeout,
                           stdin=None if input is not None else subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise JavaError(r.returncode, cmd, r.stdout, r.stderr)
        return r

    def fs_shell(self, *args, **kw):
        """``hadoop fs ARGS``: e.g. ``mc.fs_shell("-cat", "/x").stdout``."""
        return self.java(FSSHELL_CLASS, *args, **kw)

    def dfsadmin(self, *args, **kw):
        """``hdfs dfsadmin ARGS`` (about 1 s: one JVM)."""
        return self.java(DFSADMIN_CLASS, *args, **kw)

    def fsck(self, *args, **kw):
        """``hdfs fsck ARGS``; exits 1 when the path is corrupt."""
        kw.setdefault("check", False)
        return self.java(DFSCK_CLASS, *args, **kw)

    # -- CLI state ----------------------------------------------------------

    def state(self):
        return {
            "url": self.url,
            "host": self.host,
            "port": self.port,
            "http_port": self.http_port,
            "conf_dir": self.conf_dir,
            "base_dir": self.base_dir,
            "classpath": self.classpath,
            "jars_dir": self.jars_dir,
            "webhdfs": self.webhdfs,
            "hadoop": self.version,
            "java": self.java_path,
            "pids": {d.name: d.pid for d in self.namenodes + self.datanodes},
            "secure": None if self.security is None else {
                "realm": self.security.realm, "krb5_conf": self.security.krb5_conf,
                "kdc_pid": self.security.kdc.proc.pid if self.security.kdc.running else None,
                "keytabs": {u: self.security.keytab(u) for u in ("alice", "bob", "hdfs")}},
        }


# ---------------------------------------------------------------------------
# Command line


def _default_cli_dir():
    return os.path.join(cache_dir(), "cluster")


def _state_path(d):
    return os.path.join(d, "state.json")


def _load_state(d):
    try:
        with open(_state_path(d)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _state_pids_running(d, st):
    """{name: pid} of the recorded daemons still running (checked against
    their command line, so a reused pid is not mistaken for ours)."""
    out = {}
    marker = ("-Dhadoofus.minicluster=%s" % os.path.abspath(d)).encode()
    for name, pid in (st.get("pids") or {}).items():
        if not pid or not _pid_alive(pid):
            continue
        cl = _pid_cmdline(pid)
        if cl and marker in cl:
            out[name] = pid
    return out


def _kill_pids(pids, timeout=10.0):
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + timeout
    while any(_pid_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _cli_start(a):
    d = os.path.abspath(a.dir)
    st = _load_state(d)
    if st and _state_pids_running(d, st):
        print("a cluster already runs from %s: %s" % (d, st.get("url")), file=sys.stderr)
        print("(python -m hadoofus.minicluster stop --dir %s)" % d, file=sys.stderr)
        return 1
    if a.clean and os.path.isdir(d):
        shutil.rmtree(d)
    layout = os.path.join(d, "cluster.json")
    if os.path.exists(layout):
        with open(layout) as f:
            old = json.load(f)
        print("reusing the cluster in %s: %d datanodes, port %d (--clean to start afresh)"
              % (d, len(old["datanodes"]), old["rpc_port"]), file=sys.stderr)
    os.makedirs(d, exist_ok=True)
    mc = MiniCluster(datanodes=a.datanodes, replication=a.replication, base_dir=d,
                     port=a.port, die_with_parent=False, keep=True, ha=a.ha,
                     webhdfs=a.webhdfs, secure=a.secure, rpc_protection=a.rpc_protection,
                     data_protection=a.data_protection, encrypt_data=a.encrypt_data,
                     version=a.hadoop)
    mc.detach()
    mc.start(timeout=a.timeout)
    st = mc.state()
    tmp = _state_path(d) + ".tmp"
    with open(tmp, "w") as f:
        json.dump(st, f, indent=1)
    os.replace(tmp, _state_path(d))
    print(st["url"])
    if mc.webhdfs:
        print("# WebHDFS: %s/webhdfs/v1/" % mc.webhdfs_url)
    print("export HADOOP_CONF_DIR=%s" % st["conf_dir"])
    if mc.security is not None:
        sec = st["secure"]
        print("export KRB5_CONFIG=%s" % sec["krb5_conf"])
        print("# kinit -kt %s alice   (realm %s; users alice, bob, hdfs)"
              % (sec["keytabs"]["alice"], sec["realm"]))
    print("# started in %.1f s; logs in %s; stop with: python -m hadoofus.minicluster "
          "stop --dir %s" % (mc.start_seconds, os.path.join(d, "logs"), d),
          file=sys.stderr)
    return 0


def _cli_status(a):
    d = os.path.abspath(a.dir)
    st = _load_state(d)
    if not st:
        print("no cluster state in %s" % d)
        return 1
    running = _state_pids_running(d, st)
    print("url: %s" % st["url"])
    print("HADOOP_CONF_DIR=%s" % st["conf_dir"])
    for name, pid in sorted(st["pids"].items()):
        print("%-10s pid %-8s %s" % (name, pid, "running" if name in running else "stopped"))
    if "namenode" in running:
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            url = ("http://%s:%d/jmx?qry=Hadoop:service=NameNode,name=NameNodeInfo"
                   % (st["host"], st["http_port"]))
            with opener.open(url, timeout=3) as r:
                info = json.loads(r.read().decode())["beans"][0]
            live = json.loads(info.get("LiveNodes") or "{}")
            dead = json.loads(info.get("DeadNodes") or "{}")
            print("live datanodes: %d, dead: %d, safe mode: %s"
                  % (len(live), len(dead), info.get("Safemode") or "off"))
        except (OSError, ValueError, KeyError, IndexError) as e:
            print("NameNode does not answer over HTTP: %s" % e)
    return 0 if running else 3


def _cli_stop(a):
    d = os.path.abspath(a.dir)
    st = _load_state(d)
    if not st:
        print("no cluster state in %s" % d, file=sys.stderr)
        rc = 1
    else:
        running = _state_pids_running(d, st)
        kdc = (st.get("secure") or {}).get("kdc_pid")
        if kdc and _pid_alive(kdc) and any(b"krb5kdc" in x for x in _pid_cmdline(kdc) or ()):
            running["kdc"] = kdc
        _kill_pids(list(running.values()))
        os.unlink(_state_path(d))
        print("stopped %d processes" % len(running))
        rc = 0
        lists = os.path.join(d, "cds-lists")
        if (st.get("jars_dir") and st.get("java") and os.path.isdir(lists) and _cds_enabled()
                and not _hadoop1().is_v1(st.get("hadoop"))):
            try:
                _build_cds_archive(st["java"],
                                   _cluster_jars(st["jars_dir"], st.get("webhdfs")), lists)
            finally:
                shutil.rmtree(lists, ignore_errors=True)
    if a.clean and os.path.isdir(d):
        shutil.rmtree(d)
    return rc


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m hadoofus.minicluster",
                                description="A real HDFS (Hadoop %s) on 127.0.0.1."
                                % HADOOP_VERSION)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start", help="start a cluster in the background")
    s.add_argument("--datanodes", type=int, default=1)
    s.add_argument("--replication", type=int, default=None,
                   help="default: min(3, datanodes)")
    s.add_argument("--port", type=int, default=None, help="NameNode RPC port (e.g. 8020)")
    s.add_argument("--ha", action="store_true",
                   help="an HA pair of NameNodes (nameservice 'hadoofus'; nn1 active)")
    s.add_argument("--webhdfs", action="store_true",
                   help="Java's own WebHDFS on the NameNode's HTTP port (Jersey 1 fetched once)")
    s.add_argument("--secure", action="store_true",
                   help="Kerberos: an MIT KDC on loopback, keytabs, SASL on RPC and data "
                   "transfer, HTTPS (see MiniCluster's secure=True)")
    s.add_argument("--rpc-protection", default="authentication,integrity,privacy",
                   help="hadoop.rpc.protection with --secure")
    s.add_argument("--data-protection", default="authentication,integrity,privacy",
                   help="dfs.data.transfer.protection with --secure")
    s.add_argument("--encrypt-data", action="store_true",
                   help="dfs.encrypt.data.transfer=true with --secure")
    s.add_argument("--hadoop", "--hadoop-version", dest="hadoop", default=None,
                   metavar="VERSION",
                   help="Hadoop version of the daemons (default %s; 3.4.1 or 1.x from Maven "
                   "Central)" % HADOOP_VERSION)
    s.add_argument("--dir", default=_default_cli_dir())
    s.add_argument("--clean", action="store_true", help="discard earlier data in --dir")
    s.add_argument("--timeout", type=float, default=120)
    s2 = sub.add_parser("status", help="report what runs")
    s2.add_argument("--dir", default=_default_cli_dir())
    s3 = sub.add_parser("stop", help="stop the cluster")
    s3.add_argument("--dir", default=_default_cli_dir())
    s3.add_argument("--clean", action="store_true", help="also delete --dir")
    s4 = sub.add_parser("fetch", help="only fetch and unpack the jars; print their dir")
    del s4
    a = p.parse_args(argv)
    if a.cmd == "start":
        if a.replication is None:
            a.replication = max(1, min(3, a.datanodes))
        return _cli_start(a)
    if a.cmd == "status":
        return _cli_status(a)
    if a.cmd == "stop":
        return _cli_stop(a)
    if a.cmd == "fetch":
        print(ensure_jars())
        print(ensure_webhdfs_jars())
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
