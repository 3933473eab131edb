"""Proxy users (realUser in the RPC connection context), on a real NameNode.

MiniCluster lets its superuser impersonate anyone and hdfsadmin impersonate
the group "users" (alice, bob); nobody else may impersonate.
"""

import pytest

import hadoofus
from hadoofus import easy
from hadoofus._writer import HdfsFileWriter


def test_checks_are_the_callers(cluster, tmp_hdfs_dir):
    su = hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser)
    su.mkdirs(tmp_hdfs_dir, 0o755)
    alice = hadoofus.rpc(cluster.host, cluster.port, user="alice",
                         real_user=cluster.superuser)
    assert alice.real_user == cluster.superuser
    # The gateway's own user could; the caller may not.
    with pytest.raises(hadoofus.AccessControlException) as ei:
        alice.mkdirs(tmp_hdfs_dir + "/x")
    assert "user=alice" in str(ei.value)
    su.mkdirs(tmp_hdfs_dir + "/alice", 0o755)
    su.setOwner(tmp_hdfs_dir + "/alice", "alice", "users")
    # Namespace calls and file I/O on the proxied handle are alice's.
    assert alice.mkdirs(tmp_hdfs_dir + "/alice/d")
    w = HdfsFileWriter(alice, tmp_hdfs_dir + "/alice/f")
    w.write(b"proxied bytes")
    w.close()
    st = su.getFileInfo(tmp_hdfs_dir + "/alice/f")
    assert (st.owner, st.length) == ("alice", 13)
    r = easy.HdfsFileReader(alice, tmp_hdfs_dir + "/alice/f")
    assert r.pread(0, 100) == b"proxied bytes"
    r.close()
    assert su.getFileInfo(tmp_hdfs_dir + "/alice/d").owner == "alice"


@pytest.mark.parametrize("real,user", [("bob", "alice"), ("hdfsadmin", "root")])
def test_not_allowed_proxy_refused(cluster, real, user):
    nn = hadoofus.rpc(cluster.host, cluster.port, user=user, real_user=real)
    with pytest.raises(hadoofus.AuthenticationError) as ei:
        nn.getFileInfo("/")
    assert "not allowed to impersonate" in str(ei.value)


def test_allowed_by_group_rule(cluster):
    nn = hadoofus.rpc(cluster.host, cluster.port, user="bob", real_user="hdfsadmin")
    assert nn.getFileInfo("/").is_dir


def test_real_user_argument_checked(cluster):
    with pytest.raises((TypeError, ValueError)):
        hadoofus.rpc(cluster.host, cluster.port, user="alice", real_user="")
