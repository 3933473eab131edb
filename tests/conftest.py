"""pytest wiring: a real HDFS (Hadoop 2.7.3 on loopback) for the tests.

Fixtures:
  cluster        session-wide MiniCluster(datanodes=3, replication=1); shared by
                 every test, so never kill or restart its daemons (use
                 fresh_cluster for that).  HADOOFUS_TEST_DATANODES overrides 3.
  nn             (host, port) of its NameNode
  hdfs_conf_dir  a client conf dir (core-site.xml, hdfs-site.xml) for it
  tmp_hdfs_dir   a unique path "/test/<test>-<hex>" (not created)
  fresh_cluster  factory: fresh_cluster(datanodes=3, replication=3, conf=...)
                 starts a private cluster, stopped after the test
  java_client    tests/javaclient.JavaClient on the session cluster

HADOOFUS_HADOOP_VERSION (e.g. 3.4.1) picks the Hadoop of these clusters;
HADOOP3 tells the tests which one runs.

Helpers (from conftest import ...):
  running_cluster(**kw)  the body of a module's own cluster fixture
  fs_put(...)            files written into HDFS with one FsShell -put
  payload(n, seed)       deterministic test bytes
  run_threads(f, argss)  f(*args) in one thread per args, all joined

This file must import without the compiled extension.
"""

import importlib.util
import os
import random
import re
import sys
import threading
import time
import uuid

import pytest


def _load_minicluster():
    try:
        from hadoofus import minicluster
        return minicluster
    except ImportError:
        pass
    # hadoofus/__init__ needs the compiled module: load the file on its own.
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                        "hadoofus", "minicluster.py")
    spec = importlib.util.spec_from_file_location("_hadoofus_minicluster", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


minicluster = _load_minicluster()
MiniCluster = minicluster.MiniCluster

# HADOOFUS_HADOOP_VERSION=3.4.1 runs the clusters of running_cluster,
# cluster and fresh_cluster on that Hadoop (default: MiniCluster's, 2.7.3).
HADOOP_VERSION = os.environ.get("HADOOFUS_HADOOP_VERSION") or minicluster.HADOOP_VERSION
HADOOP3 = HADOOP_VERSION.startswith("3.")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running fault/scale tests")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, show the tails of the daemons' logs with the report."""
    outcome = yield
    rep = outcome.get_result()
    if not rep.failed or call.when != "call":
        return
    clusters = []
    funcargs = getattr(item, "funcargs", {})
    if isinstance(funcargs.get("cluster"), MiniCluster):
        clusters.append(funcargs["cluster"])
    clusters += getattr(item, "_hadoofus_fresh_clusters", [])
    for i, mc in enumerate(clusters):
        if mc.base_dir is None:
            continue
        text = []
        for name, log in mc.logs().items():
            lines = log.splitlines()[-25:]
            text.append("---- %s ----\n%s" % (name, "\n".join(lines)))
        rep.sections.append(("minicluster %d logs (%s)" % (i, mc.base_dir), "\n".join(text)))


def running_cluster(**kw):
    """The body of a cluster fixture: a started MiniCluster(**kw), yielded,
    then closed. HADOOFUS_TEST_KEEP=1 keeps its directory (logs)."""
    kw.setdefault("keep", bool(os.environ.get("HADOOFUS_TEST_KEEP")))
    kw.setdefault("version", HADOOP_VERSION)
    with MiniCluster(**kw) as mc:
        yield mc


def running_secure_cluster(users=("alice",), missing=pytest.skip, **kw):
    """The body of a kerberized cluster fixture: running_cluster(secure=True,
    **kw) with /user/NAME owned by each of ``users``, and KRB5_CONFIG naming
    its realm for this process (MIT reads it at each context) until the
    module ends. ``missing`` (pytest.skip or pytest.fail) reports absent
    MIT Kerberos tools."""
    import shutil
    for tool in ("krb5kdc", "kdb5_util", "kadmin.local", "kinit"):
        if not (shutil.which(tool) or os.path.exists("/usr/sbin/" + tool)):
            missing("MIT Kerberos tools missing (./dev.sh setup installs them)")
    old = os.environ.get("KRB5_CONFIG")
    try:
        for mc in running_cluster(secure=True, **kw):
            os.environ["KRB5_CONFIG"] = mc.security.krb5_conf
            if users:   # users=(): the caller makes its own, e.g. by RPC
                mc.fs_shell("-mkdir", "-p", *("/user/" + u for u in users))
            for u in users:
                mc.fs_shell("-chown", u, "/user/" + u)
            yield mc
    finally:
        if old is None:
            os.environ.pop("KRB5_CONFIG", None)
        else:
            os.environ["KRB5_CONFIG"] = old


def kerberos_rpc(mc, **kw):
    """hadoofus.rpc to the NameNode of kerberized cluster ``mc``."""
    import hadoofus
    kw.setdefault("server_principal", mc.security.service_principal("nn"))
    kw.setdefault("connect_timeout", 10)
    return hadoofus.rpc(mc.host, mc.port, **kw)


def conf_with_rules(mc, dest, rules):
    """A copy of cluster mc's client configuration in directory dest with
    hadoop.security.auth_to_local set to rules; returns dest."""
    import shutil
    import xml.etree.ElementTree as ET
    shutil.copytree(mc.conf_dir, dest)
    path = os.path.join(dest, "core-site.xml")
    tree = ET.parse(path)
    for prop in tree.getroot().iter("property"):
        if prop.findtext("name") == "hadoop.security.auth_to_local":
            prop.find("value").text = rules
            break
    else:
        prop = ET.SubElement(tree.getroot(), "property")
        ET.SubElement(prop, "name").text = "hadoop.security.auth_to_local"
        ET.SubElement(prop, "value").text = rules
    tree.write(path)
    return dest


def auth_error(fn):
    """The message of the hadoofus.AuthenticationError fn raises, checking
    it came fast (no retry loop) and is a PermissionError too."""
    import time
    import hadoofus
    t0 = time.monotonic()
    with pytest.raises(hadoofus.AuthenticationError) as ei:
        fn()
    assert time.monotonic() - t0 < 10
    assert isinstance(ei.value, PermissionError)
    return str(ei.value)


def client_conf_with(mc, dest, **props):
    """A copy of cluster mc's client configuration in the directory dest
    with the hdfs-site.xml properties props (which it has) set; returns
    dest as a str, for HADOOP_CONF_DIR."""
    import re
    import shutil
    for name in os.listdir(mc.conf_dir):
        src = os.path.join(mc.conf_dir, name)
        if os.path.isfile(src):
            shutil.copy(src, os.path.join(str(dest), name))
    site = os.path.join(str(dest), "hdfs-site.xml")
    with open(site) as f:
        text = f.read()
    for k, v in props.items():
        text, n = re.subn(r"(<name>%s</name>\s*<value>)[^<]*" % re.escape(k),
                          lambda m: m.group(1) + str(v), text)
        assert n == 1, k
    with open(site, "w") as f:
        f.write(text)
    return str(dest)


def payload(n, seed):
    """n deterministic, incompressible-looking bytes."""
    return random.Random(seed).randbytes(n)


def run_threads(target, argss):
    """target(*args) in a thread of its own for each args of argss, all
    started before any is joined; returns when every one has ended."""
    ts = [threading.Thread(target=target, args=args) for args in argss]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def wait_block_locations(nn, path, replicas, timeout=60):
    """The located blocks of path once each has `replicas` locations. A
    file is complete with one replica per block reported; the others come
    in the DataNodes' incremental reports a moment later."""
    deadline = time.monotonic() + timeout
    while True:
        blocks = list(nn.getBlockLocations(path))
        if all(len(b.locations) == replicas for b in blocks):
            return blocks
        assert time.monotonic() < deadline, \
            "%s: %s locations, not %d" % (path, [len(b.locations) for b in blocks], replicas)
        time.sleep(0.2)


def fs_put(cluster, local_dir, remote_dir, files, conf=None):
    """Write {name: bytes} under remote_dir with one Java FsShell run, the
    local copies in local_dir; conf, {key: value} passed as -D options."""
    local = []
    for name, data in files.items():
        p = os.path.join(str(local_dir), name)
        with open(p, "wb") as f:
            f.write(data)
        local.append(p)
    dopts = []
    for k, v in (conf or {}).items():
        dopts += ["-D", "%s=%s" % (k, v)]
    cluster.fs_shell("-mkdir", "-p", remote_dir)
    cluster.fs_shell(*dopts, "-put", *local, remote_dir)


@pytest.fixture(scope="session")
def cluster():
    n = int(os.environ.get("HADOOFUS_TEST_DATANODES", "3"))
    # HADOOFUS_TEST_KEEP=1 keeps the cluster directory (logs) after the run.
    yield from running_cluster(datanodes=n, replication=1)


@pytest.fixture(scope="session")
def nn(cluster):
    return (cluster.host, cluster.port)


@pytest.fixture(scope="session")
def hdfs_conf_dir(cluster):
    return cluster.conf_dir


@pytest.fixture
def tmp_hdfs_dir(request):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:80]
    return "/test/%s-%s" % (name, uuid.uuid4().hex[:12])


@pytest.fixture
def fresh_cluster(request):
    made = []
    request.node._hadoofus_fresh_clusters = made

    def make(datanodes=3, replication=3, **kw):
        kw.setdefault("version", HADOOP_VERSION)
        mc = MiniCluster(datanodes=datanodes, replication=replication, **kw)
        made.append(mc)
        mc.start()
        return mc

    try:
        yield make
    finally:
        for mc in made:
            mc.close()


@pytest.fixture
def java_client(cluster):
    from javaclient import JavaClient
    return JavaClient(cluster)


@pytest.fixture(scope="session")
def gateway(cluster):
    """A gateway (tests/gateway_util.GatewayProcess) on the session cluster:
    python -m hadoofus.gateway on a free port, its secret file in
    .secret_file, anonymous requests refused. .url is its base URL."""
    from gateway_util import GatewayProcess
    gw = GatewayProcess(cluster).start()
    try:
        yield gw
    finally:
        gw.stop()


@pytest.fixture
def gateway_factory(cluster):
    """gateway_factory(extra_args=(), cluster=None, **kw) -> a started
    GatewayProcess of its own, stopped after the test."""
    from gateway_util import GatewayProcess
    made = []

    def make(extra_args=(), cluster_=None, **kw):
        gw = GatewayProcess(cluster_ or cluster, extra_args, **kw)
        made.append(gw)
        return gw.start()

    try:
        yield make
    finally:
        for gw in made:
            gw.stop()
