"""Hadoop 3 on loopback: MiniCluster(version="3.4.1") with an erasure-coding
policy enabled at start, and the Hadoop 3 ClientProtocol methods of
hadoofus.rpc against it.  One cluster for the module: 3 DataNodes, enough
for XOR-2-1 (2 data + 1 parity block per group)."""

import os
import shutil
import subprocess

import pytest

import hadoofus
from conftest import minicluster, payload, running_cluster
from test_rpc import alice, client, d  # noqa: F401 - fixtures, on this module's cluster

VERSION = "3.4.1"
POLICY = "XOR-2-1-1024k"


@pytest.fixture(scope="module")
def cluster():
    """This module's own cluster, whatever HADOOFUS_HADOOP_VERSION says;
    test_rpc's fixtures (client, alice, d) use it here."""
    yield from running_cluster(datanodes=3, replication=1, version=VERSION,
                               ec_policies=[POLICY],
                               # satisfyStoragePolicy is refused in mode "none"
                               conf={"dfs.storage.policy.satisfier.mode": "external"})


# --- the cluster ------------------------------------------------------------

def test_runs_hadoop3(cluster):
    assert cluster.hadoop3
    assert minicluster.HADOOP_VERSION != VERSION  # the default stays
    out = cluster.java("org.apache.hadoop.util.VersionInfo").stdout.decode()
    assert "Hadoop " + VERSION in out
    assert len(cluster.live_datanodes()) == 3


def test_ec_policy_enabled_and_set(cluster, tmp_path):
    out = cluster.java(minicluster._hadoop3().ECADMIN_CLASS, "-listPolicies").stdout.decode()
    line = [ln for ln in out.splitlines() if "Name=%s," % POLICY in ln]
    assert line and "State=ENABLED" in line[0], out
    cluster.set_ec_policy("/ec3", POLICY)
    got = cluster.java(minicluster._hadoop3().ECADMIN_CLASS, "-getPolicy",
                        "-path", "/ec3").stdout.decode().strip()
    assert got == POLICY
    # FsShell from the 3.x jars writes and reads a striped file.
    data = payload(3 * 1024 * 1024 + 17, 3)
    src = tmp_path / "x"
    src.write_bytes(data)
    cluster.fs_shell("-put", str(src), "/ec3/x")
    assert cluster.fs_shell("-cat", "/ec3/x").stdout == data
    fsck = cluster.fsck("/ec3/x", "-files", "-blocks").stdout.decode()
    assert "erasure-coded" in fsck and POLICY in fsck, fsck


def test_ec_policies_need_hadoop3():
    with pytest.raises(ValueError):
        minicluster.MiniCluster(datanodes=1, ec_policies=[POLICY])


# --- the Hadoop 3 ClientProtocol methods ----------------------------------

def test_erasure_coding_policies_and_codecs(client):
    pols = {p.name: p for p in client.getErasureCodingPolicies()}
    assert {"RS-6-3-1024k", "RS-3-2-1024k", "RS-10-4-1024k", POLICY} <= set(pols)
    x = pols[POLICY]
    assert isinstance(x, hadoofus.types.ErasureCodingPolicy)
    assert (x.codec, x.data_units, x.parity_units, x.cell_size) == ("xor", 2, 1, 1 << 20)
    assert x.state_name == "ENABLED"
    assert pols["RS-10-4-1024k"].state_name == "DISABLED"
    assert pols["RS-6-3-1024k"].id == 1 and pols["RS-6-3-1024k"].data_units == 6
    codecs = client.getErasureCodingCodecs()
    assert {"rs", "xor"} <= set(codecs) and "xor_native" in codecs["xor"]


def test_set_get_unset_erasure_coding_policy(cluster, client, d):
    assert client.getErasureCodingPolicy(d) is None
    client.setErasureCodingPolicy(d, POLICY)
    assert client.getErasureCodingPolicy(d).name == POLICY
    data = payload(2 * 1024 * 1024 + 5, 7)
    cluster.fs_shell("-put", "-", d + "/f", input=data)
    assert client.getErasureCodingPolicy(d + "/f").name == POLICY
    st = client.getFileInfo(d + "/f")
    assert st.ecPolicy is not None and st.ecPolicy.name == POLICY
    client.unsetErasureCodingPolicy(d)
    assert client.getErasureCodingPolicy(d) is None
    assert client.getErasureCodingPolicy(d + "/f").name == POLICY  # a file keeps its layout
    with pytest.raises(hadoofus.ProtocolException, match="RS-10-4-1024k"):
        client.setErasureCodingPolicy(d, "RS-10-4-1024k")  # not enabled
    with pytest.raises(hadoofus.FileNotFoundException):
        client.getErasureCodingPolicy(d + "/missing")


def test_enable_disable_erasure_coding_policy(client, alice):
    def state(name):
        return {p.name: p.state_name for p in client.getErasureCodingPolicies()}[name]
    client.enableErasureCodingPolicy("RS-10-4-1024k")
    try:
        assert state("RS-10-4-1024k") == "ENABLED"
    finally:
        client.disableErasureCodingPolicy("RS-10-4-1024k")
    assert state("RS-10-4-1024k") == "DISABLED"
    with pytest.raises(hadoofus.AccessControlException):
        alice.enableErasureCodingPolicy("RS-10-4-1024k")


def test_getQuotaUsage(client, d):
    client.setQuota(d, 10, 1 << 30)
    for i in range(3):
        st = client.create("%s/f%d" % (d, i))
        assert client.complete("%s/f%d" % (d, i), fileId=st.fileId)
    q = client.getQuotaUsage(d)
    assert isinstance(q, hadoofus.types.QuotaUsage)
    assert (q.quota, q.space_quota, q.file_and_directory_count, q.space_consumed) == \
        (10, 1 << 30, 4, 0)
    with pytest.raises(hadoofus.FileNotFoundException):
        client.getQuotaUsage(d + "/missing")


def test_listOpenFiles(client, alice, d):
    st = client.create(d + "/open")
    try:
        mine = [e for e in client.listOpenFiles() if e.path == d + "/open"]
        assert len(mine) == 1 and mine[0].id == st.fileId
        assert mine[0].client_name == client.client_name
        assert [e.path for e in client.listOpenFiles(d)] == [d + "/open"]
        assert client.listOpenFiles(d, prevId=st.fileId) == []
        with pytest.raises(hadoofus.AccessControlException):
            alice.listOpenFiles(d)
    finally:
        client.complete(d + "/open", fileId=st.fileId)
    assert client.listOpenFiles(d) == []


def test_ha_state_msync_satisfyStoragePolicy(client, d):
    # Answered by HA NameNodes only (tests/test_ha.py asks an HA pair).
    with pytest.raises(hadoofus.ProtocolException, match="HA .*not enabled"):
        client.getHAServiceState()
    assert client.msync() is None
    st = client.create(d + "/cold")
    client.complete(d + "/cold", fileId=st.fileId)
    client.setStoragePolicy(d + "/cold", "COLD")
    client.satisfyStoragePolicy(d + "/cold")
    with pytest.raises(hadoofus.FileNotFoundException):
        client.satisfyStoragePolicy(d + "/missing")


# --- our protos against Hadoop 3's ---------------------------------------------

_PROTO_CLASSES = [
    "org.apache.hadoop.hdfs.protocol.proto.ClientNamenodeProtocolProtos",
    "org.apache.hadoop.hdfs.protocol.proto.ClientDatanodeProtocolProtos",
    "org.apache.hadoop.hdfs.protocol.proto.DataTransferProtos",
    "org.apache.hadoop.hdfs.protocol.proto.InotifyProtos",
    "org.apache.hadoop.ipc.protobuf.RpcHeaderProtos",
    "org.apache.hadoop.ipc.protobuf.IpcConnectionContextProtos",
    "org.apache.hadoop.ipc.protobuf.ProtobufRpcEngine2Protos",
    "org.apache.hadoop.security.proto.SecurityProtos",
    "org.apache.hadoop.ha.proto.HAServiceProtocolProtos",
]
# Left out on purpose: router-based federation and tracing state.
_PROTO_KNOWN = {
    "HADOOP-ONLY hadoop.common.RPCTraceInfoProto#3 spanContext LABEL_OPTIONAL TYPE_BYTES",
    "HADOOP-ONLY hadoop.common.RpcRequestHeaderProto#9 routerFederatedState LABEL_OPTIONAL TYPE_BYTES",
    "HADOOP-ONLY hadoop.common.RpcResponseHeaderProto#10 routerFederatedState LABEL_OPTIONAL TYPE_BYTES",
}


@pytest.mark.skipif(not (shutil.which("javac") and shutil.which("protoc")),
                    reason="needs javac (a JDK) and protoc")
def test_protos_match_hadoop3(tmp_path):
    """Every field and enum value of csrc/proto that Hadoop 3.4.1 also
    defines has its number, name, label and type (read from the descriptors
    compiled into its jars), and no message of ours is missing there."""
    here = os.path.dirname(os.path.abspath(__file__))
    protos = os.path.join(here, os.pardir, "csrc", "proto")
    jars = minicluster.ensure_hadoop3_jars(VERSION)
    cp = os.pathsep.join(os.path.join(jars, n) for n in sorted(os.listdir(jars))
                         if n.endswith(".jar"))
    ours = str(tmp_path / "ours.pb")
    subprocess.run(["protoc", "-I", protos, "--include_imports", "--descriptor_set_out=" + ours]
                   + sorted(n for n in os.listdir(protos) if n.endswith(".proto")), check=True)
    subprocess.run(["javac", "-d", str(tmp_path), "-cp", cp,
                    os.path.join(here, "java", "ProtoDiff.java")], check=True)
    r = subprocess.run(["java", "-cp", cp + os.pathsep + str(tmp_path), "ProtoDiff", ours]
                       + _PROTO_CLASSES, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, check=True)
    diffs = set(line.strip() for line in r.stdout.splitlines() if line.strip())
    assert diffs - _PROTO_KNOWN == set()
