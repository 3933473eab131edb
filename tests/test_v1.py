"""HDFS v1 (Hadoop 1.x): MiniCluster(version="1.2.1") and the clients on it.

One Hadoop 1.2.1 cluster per module (2 DataNodes); 1.0.4 only where it is
cheap (one start).  Files are cross-checked with the 1.x FsShell.
"""

import os

import pytest

from conftest import MiniCluster, payload, running_cluster

V1 = "1.2.1"


@pytest.fixture(scope="module")
def v1cluster():
    yield from running_cluster(version=V1, datanodes=2, replication=2, heap="128m")


def test_minicluster_v1_fsshell_roundtrip(v1cluster, tmp_path):
    mc = v1cluster
    assert mc.v1 and mc.url == "hdfs://127.0.0.1:%d" % mc.port
    assert len(mc.live_datanodes()) == 2
    data = payload(70000, 1)
    local = tmp_path / "a.bin"
    local.write_bytes(data)
    mc.fs_shell("-mkdir", "/mc")  # 1.x: no -p, parents are made anyway
    mc.fs_shell("-put", str(local), "/mc/a.bin")
    assert mc.fs_shell("-cat", "/mc/a.bin").stdout == data
    ls = mc.fs_shell("-ls", "/mc").stdout.decode()
    assert "/mc/a.bin" in ls and " 2 " in ls  # replication 2
    # The 1.x keys, not the 2.x ones, are in the client configuration.
    core = open(os.path.join(mc.conf_dir, "core-site.xml")).read()
    assert "fs.default.name" in core and "fs.defaultFS" not in core


def test_minicluster_v1_stop_start_keeps_data(tmp_path):
    mc = MiniCluster(version="1.0.4", datanodes=1, replication=1, heap="128m")
    try:
        mc.start()
        mc.fs_shell("-put", "/etc/hostname", "/h")
        port = mc.port
        mc.stop()
        assert not mc.running
        mc.start()
        assert mc.port == port
        with open("/etc/hostname", "rb") as f:
            assert mc.fs_shell("-cat", "/h").stdout == f.read()
    finally:
        mc.close()


def test_minicluster_v1_rejects_v2_only_options():
    with pytest.raises(ValueError):
        MiniCluster(version=V1, ha=True)
