"""Erasure coding on a kerberized Hadoop 3: striped reads, writes and
getFileChecksum with block access tokens and SASL data transfer
protection (DIGEST-MD5 keyed by each internal block's own token), the
bytes and checksums cross-checked with Java's FsShell on the same cluster.

One secure 3.4.1 cluster for the module (an MIT KDC on loopback, 5
DataNodes, RS-3-2); hadoofus runs as alice from her ticket cache and the
cluster's client configuration, which offers every data transfer QOP.
The module picks its Hadoop itself (as test_ec.py), so it runs once, in
the main pytest phase.

dfs.encrypt.data.transfer (the NameNode's data encryption key, then
AES/CTR) needs a cluster of its own: the first test starts and stops it.
"""

import time

import pytest

import hadoofus
from hadoofus import easy

from conftest import (auth_error, client_conf_with, kerberos_rpc, payload,
                      running_secure_cluster)
from test_checksum import java_checksums

VERSION = "3.4.1"
RS = "RS-3-2-1024k"
CELL = 1 << 20
BLOCKSIZE = 2 * CELL          # a group of two stripes: 6 MiB of data
EC_DIR = "/user/alice/ec"
# Ends mid-cell; mid-stripe in the second stripe; in a second group.
SIZES = {"midcell": CELL - 3, "midstripe": 4 * CELL + 7, "groups": 7 * CELL + 11}


# First in the module: its cluster is gone before the module's starts.
def test_encrypted_data_transfer(tmp_path, monkeypatch):
    """dfs.encrypt.data.transfer with AES/CTR: Java's striped file read,
    ours read back by Java, checksums equal."""
    cluster = running_secure_cluster(users=(), datanodes=5, replication=1, version=VERSION,
                                     ec_policies=[RS], heap="192m", encrypt_data=True)
    mc = next(cluster)
    try:
        monkeypatch.setenv("HADOOP_CONF_DIR", mc.conf_dir)
        monkeypatch.setenv("KRB5CCNAME", "FILE:" + mc.kinit("hdfs"))
        easy.clear_cache()
        with kerberos_rpc(mc) as nn:
            nn.mkdirs("/ec", 0o755, True)
            nn.setErasureCodingPolicy("/ec", RS)
        data = payload(SIZES["groups"], 9)
        (tmp_path / "java").write_bytes(data)
        mc.fs_shell("-D", "dfs.blocksize=%d" % BLOCKSIZE, "-put", str(tmp_path / "java"), "/ec")
        with easy.open(url(mc, "/ec/java"), "rb") as f:
            assert f.read() == data
        with easy.open(url(mc, "/ec/ours"), "wb", blocksize=BLOCKSIZE) as f:
            f.write(data)
        assert mc.fs_shell("-cat", "/ec/ours").stdout == data
        java = java_checksums(mc, ["/ec/java", "/ec/ours"])
        for p in ("/ec/java", "/ec/ours"):
            assert easy.checksum(url(mc, p)).hex() == java[p][1], p
    finally:
        easy.clear_cache()
        cluster.close()   # the cluster stops now, not when the frame dies


@pytest.fixture(scope="module")
def secure_ec():
    # Directories by RPC as the superuser: each FsShell or ECAdmin run
    # would be a kerberized JVM of several seconds.
    for mc in running_secure_cluster(users=(), datanodes=5, replication=1,
                                     version=VERSION, ec_policies=[RS], heap="192m"):
        with kerberos_rpc(mc, ccache=mc.kinit("hdfs")) as nn:
            nn.mkdirs(EC_DIR + "/java", 0o755, True)
            for d in ("/user/alice", EC_DIR, EC_DIR + "/java"):
                nn.setOwner(d, "alice")
            nn.setErasureCodingPolicy(EC_DIR, RS)
        yield mc


@pytest.fixture(scope="module")
def alice_cc(secure_ec):
    return secure_ec.kinit("alice")


@pytest.fixture
def as_alice(secure_ec, alice_cc, monkeypatch):
    """The cluster's client configuration and alice's tickets."""
    monkeypatch.setenv("HADOOP_CONF_DIR", secure_ec.conf_dir)
    monkeypatch.setenv("KRB5CCNAME", "FILE:" + alice_cc)
    easy.clear_cache()
    yield secure_ec
    easy.clear_cache()


@pytest.fixture(scope="module")
def java_files(secure_ec, tmp_path_factory):
    """{name: bytes} written by Java's FsShell (as alice) into EC_DIR/java."""
    files = {n: payload(sz, i) for i, (n, sz) in enumerate(SIZES.items())}
    d = tmp_path_factory.mktemp("put")
    for name, data in files.items():
        (d / name).write_bytes(data)
    secure_ec.fs_shell("-D", "dfs.blocksize=%d" % BLOCKSIZE, "-put",
                       *(str(d / n) for n in files), EC_DIR + "/java", user="alice")
    return files


def url(mc, path):
    return "hdfs://%s:%d%s" % (mc.host, mc.port, path)


def test_read_java_written(as_alice, java_files):
    mc = as_alice
    for name, data in java_files.items():
        with easy.open(url(mc, "%s/java/%s" % (EC_DIR, name)), "rb") as f:
            assert f.read() == data, name
            n = len(data)
            for off, ln in ((0, 10), (CELL - 2, 5), (n // 2, 2 * CELL), (n - 1, 9)):
                assert f.pread(off, ln) == data[off:off + ln], (name, off, ln)


def test_write_read_back_by_java(as_alice):
    mc = as_alice
    written = {}
    for i, (name, size) in enumerate(SIZES.items()):
        data = payload(size, 100 + i)
        path = "%s/ours/%s" % (EC_DIR, name)
        with easy.open(url(mc, path), "wb", blocksize=BLOCKSIZE) as f:
            f.write(data)
        written[path] = data
    with kerberos_rpc(mc) as nn:
        assert nn.getFileInfo(EC_DIR + "/ours/groups").owner == "alice"
        assert nn.getErasureCodingPolicy(EC_DIR + "/ours/groups").name == RS
    # One JVM for all: -cat prints the files one after the other.
    assert mc.fs_shell("-cat", *written, user="alice").stdout == b"".join(written.values())


def test_checksum_matches_java(as_alice, java_files):
    """OP_BLOCK_GROUP_CHECKSUM through the SASL handshake (keyed by the
    group's token), for Java's files and ours."""
    mc = as_alice
    paths = ["%s/java/%s" % (EC_DIR, n) for n in java_files]
    ours = EC_DIR + "/ours-ck"
    with easy.open(url(mc, ours), "wb", blocksize=BLOCKSIZE) as f:
        f.write(payload(SIZES["groups"], 7))
    paths.append(ours)
    java = java_checksums(mc, paths)
    assert len(java) == len(paths), java
    for p in paths:
        ck = easy.checksum(url(mc, p))
        assert (ck.algorithm, ck.hex()) == java[p], p


@pytest.fixture
def privacy_only(as_alice, tmp_path, monkeypatch):
    """A client configuration asking for privacy alone on data transfer:
    every packet wrapped (the DataNodes accept all three QOPs)."""
    monkeypatch.setenv("HADOOP_CONF_DIR", client_conf_with(
        as_alice, tmp_path, **{"dfs.data.transfer.protection": "privacy"}))
    easy.clear_cache()
    yield as_alice
    easy.clear_cache()


def test_privacy(privacy_only, java_files):
    """Every packet wrapped. A file checksum depends only on the bytes and
    their layout, so ours equals that of Java's file of the same bytes
    (no JVM needed to compare)."""
    mc = privacy_only
    data = java_files["groups"]
    with easy.open(url(mc, EC_DIR + "/java/groups"), "rb") as f:
        assert f.read() == data
    path = EC_DIR + "/private"
    with easy.open(url(mc, path), "wb", blocksize=BLOCKSIZE) as f:
        f.write(data)
    with easy.open(url(mc, path), "rb") as f:
        assert f.read() == data
    assert easy.checksum(url(mc, path)) == easy.checksum(url(mc, EC_DIR + "/java/groups"))


def test_no_ticket(secure_ec, java_files, tmp_path, monkeypatch):
    """No ticket: the NameNode refuses at once, clearly."""
    mc = secure_ec
    monkeypatch.setenv("HADOOP_CONF_DIR", mc.conf_dir)
    monkeypatch.setenv("KRB5CCNAME", "FILE:" + str(tmp_path / "no-such-cache"))
    easy.clear_cache()
    try:
        msg = auth_error(lambda: easy.open(url(mc, EC_DIR + "/java/midcell"), "rb").read())
    finally:
        easy.clear_cache()
    assert "ticket" in msg.lower() or "credential" in msg.lower(), msg


def test_no_data_transfer_protection(as_alice, java_files, tmp_path, monkeypatch):
    """A client that skips the SASL handshake is refused by every
    DataNode: a clear error within seconds, never a hang."""
    mc = as_alice
    monkeypatch.setenv("HADOOP_CONF_DIR", client_conf_with(
        mc, tmp_path, **{"dfs.data.transfer.protection": ""}))
    easy.clear_cache()
    t0 = time.monotonic()
    with pytest.raises(hadoofus.HadoofusError) as ei:
        with easy.open(url(mc, EC_DIR + "/java/midstripe"), "rb", retry_window=0) as f:
            f.read()
    assert time.monotonic() - t0 < 30
    msg = str(ei.value)
    assert "fewer than 3 of its 5 internal blocks readable" in msg, msg
