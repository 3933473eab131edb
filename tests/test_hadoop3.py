"""Hadoop 3 on loopback: MiniCluster(version="3.4.1") with an erasure-coding
policy enabled at start, and the Hadoop 3 ClientProtocol methods of
hadoofus.rpc against it.  One cluster for the module: 3 DataNodes, enough
for XOR-2-1 (2 data + 1 parity block per group)."""

import pytest

from conftest import minicluster, payload, running_cluster

VERSION = "3.4.1"
POLICY = "XOR-2-1-1024k"


@pytest.fixture(scope="module")
def cluster3():
    yield from running_cluster(datanodes=3, replication=1, version=VERSION,
                               ec_policies=[POLICY])


# --- the cluster ------------------------------------------------------------

def test_runs_hadoop3(cluster3):
    assert cluster3.hadoop3
    assert minicluster.HADOOP_VERSION != VERSION  # the default stays
    out = cluster3.java("org.apache.hadoop.util.VersionInfo").stdout.decode()
    assert "Hadoop " + VERSION in out
    assert len(cluster3.live_datanodes()) == 3


def test_ec_policy_enabled_and_set(cluster3, tmp_path):
    out = cluster3.java(minicluster._hadoop3().ECADMIN_CLASS, "-listPolicies").stdout.decode()
    line = [ln for ln in out.splitlines() if "Name=%s," % POLICY in ln]
    assert line and "State=ENABLED" in line[0], out
    cluster3.set_ec_policy("/ec3", POLICY)
    got = cluster3.java(minicluster._hadoop3().ECADMIN_CLASS, "-getPolicy",
                        "-path", "/ec3").stdout.decode().strip()
    assert got == POLICY
    # FsShell from the 3.x jars writes and reads a striped file.
    data = payload(3 * 1024 * 1024 + 17, 3)
    src = tmp_path / "x"
    src.write_bytes(data)
    cluster3.fs_shell("-put", str(src), "/ec3/x")
    assert cluster3.fs_shell("-cat", "/ec3/x").stdout == data
    fsck = cluster3.fsck("/ec3/x", "-files", "-blocks").stdout.decode()
    assert "erasure-coded" in fsck and POLICY in fsck, fsck


def test_ec_policies_need_hadoop3():
    with pytest.raises(ValueError):
        minicluster.MiniCluster(datanodes=1, ec_policies=[POLICY])
