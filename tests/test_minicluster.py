"""The test HDFS itself: a real Hadoop 2.7.3 NameNode and DataNodes on
loopback, driven with the stock Java shell."""

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import MiniCluster, minicluster
from javaclient import JavaClient


def _java_pids_under(base_dir):
    """PIDs of live processes whose command line mentions base_dir."""
    out = []
    needle = base_dir.encode()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cl = f.read()
            with open("/proc/%s/stat" % d) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cl and state != "Z" and int(d) != os.getpid():
            out.append(int(d))
    return out


def _block_ids(fsck_text):
    return [int(m) for m in re.findall(r"blk_(\d+)_\d+", fsck_text)]


# -- on the shared session cluster --------------------------------------------


def test_cluster_is_up(cluster):
    assert cluster.host == "127.0.0.1"
    assert cluster.url == "hdfs://127.0.0.1:%d" % cluster.port
    info = cluster.namenode_info()
    assert info["state"] == "active"
    assert info["safemode"] == ""
    assert sorted(info["live"]) == sorted(d.xfer_addr for d in cluster.datanodes)
    for f in ("core-site.xml", "hdfs-site.xml"):
        assert os.path.exists(os.path.join(cluster.conf_dir, f))
    with open(os.path.join(cluster.conf_dir, "core-site.xml")) as f:
        assert cluster.url in f.read()


def test_mkdir_put_cat_ls(cluster, tmp_hdfs_dir, tmp_path):
    data = os.urandom(3000)
    local = tmp_path / "local.bin"
    local.write_bytes(data)
    cluster.fs_shell("-mkdir", "-p", tmp_hdfs_dir + "/a/b")
    cluster.fs_shell("-D", "dfs.blocksize=1024", "-put", str(local), tmp_hdfs_dir + "/a/b/f")
    assert cluster.fs_shell("-cat", tmp_hdfs_dir + "/a/b/f").stdout == data
    jc = JavaClient(cluster)
    [e] = jc.ls(tmp_hdfs_dir + "/a/b")
    assert e["path"] == tmp_hdfs_dir + "/a/b/f"
    assert e["size"] == 3000
    assert e["replication"] == 1
    assert e["owner"] == cluster.superuser
    assert e["perm"] == "-rw-r--r--"


def test_block_files_hold_the_data(cluster, tmp_hdfs_dir):
    jc = JavaClient(cluster)
    data = os.urandom(2500)
    jc.mkdir(tmp_hdfs_dir)
    jc.put(data, tmp_hdfs_dir + "/f", blocksize=1024)
    rc, text = jc.fsck(tmp_hdfs_dir + "/f", "-files", "-blocks", "-locations")
    assert rc == 0, text
    ids = _block_ids(text)
    assert len(ids) == 3
    pieces = []
    for bid in ids:
        [path] = cluster.block_files(bid)
        [(dn, p, meta)] = cluster.block_replicas("blk_%d" % bid)
        assert p == path and meta and meta.endswith(".meta")
        assert dn in cluster.datanodes
        with open(path, "rb") as f:
            pieces.append(f.read())
    assert b"".join(pieces) == data
    assert cluster.block_files(1) == []


def test_permissions_and_users(cluster, tmp_hdfs_dir):
    root = JavaClient(cluster)
    alice = JavaClient(cluster, user="alice")
    root.mkdir(tmp_hdfs_dir + "/locked")
    root.mkdir(tmp_hdfs_dir + "/open")
    root.chmod("777", tmp_hdfs_dir + "/open")
    r = alice.shell("-mkdir", tmp_hdfs_dir + "/locked/x", check=False)
    assert r.returncode != 0
    assert b"Permission denied" in r.stderr
    alice.put(b"mine", tmp_hdfs_dir + "/open/a")
    [e] = alice.ls(tmp_hdfs_dir + "/open")
    assert e["owner"] == "alice"
    # Groups come from the static mapping given to the NameNode.
    alice.shell("-chgrp", "users", tmp_hdfs_dir + "/open/a")
    r = alice.shell("-chgrp", "supergroup", tmp_hdfs_dir + "/open/a", check=False)
    assert r.returncode != 0
    # hdfsadmin is in the superuser group.
    JavaClient(cluster, user="hdfsadmin").chown("bob", tmp_hdfs_dir + "/open/a")
    assert alice.ls(tmp_hdfs_dir + "/open")[0]["owner"] == "bob"


def test_java_error_carries_stderr(cluster):
    with pytest.raises(minicluster.JavaError) as ei:
        cluster.fs_shell("-cat", "/no/such/file")
    assert "No such file" in str(ei.value)
    assert cluster.fs_shell("-cat", "/no/such/file", check=False).returncode == 1


def test_logs(cluster):
    logs = cluster.logs()
    assert set(logs) == {"namenode"} | {d.name for d in cluster.datanodes}
    assert "NameNode RPC up at" in logs["namenode"]


# -- private clusters -----------------------------------------------------------


def test_kill_datanode_seen_dead_then_back(fresh_cluster):
    mc = fresh_cluster(datanodes=2, replication=1)
    jc = JavaClient(mc)
    jc.mkdir("/d")
    jc.put(b"x" * 1000, "/d/f")
    victim = mc.datanodes[1]
    pid = victim.pid
    mc.kill_datanode(1)
    assert not victim.alive
    assert pid not in _java_pids_under(mc.base_dir)
    t0 = time.monotonic()
    mc.wait_active(timeout=60)          # until the NameNode declares it dead
    took = time.monotonic() - t0
    assert mc.live_datanodes() == [mc.datanodes[0].xfer_addr]
    assert mc.dead_datanodes() == [victim.xfer_addr]
    assert took < 40
    mc.restart_datanode(1)
    assert victim.alive and victim.pid != pid
    assert mc.live_datanodes() == sorted(d.xfer_addr for d in mc.datanodes)
    mc.wait_active(n_datanodes=2)


def test_restart_namenode_keeps_port_and_data(fresh_cluster, tmp_path):
    mc = fresh_cluster(datanodes=1, replication=1)
    data = os.urandom(5000)
    jc = JavaClient(mc)
    jc.put(data, "/f", blocksize=2048)
    port, old_pid = mc.port, mc.namenode.pid
    mc.restart_namenode()
    assert mc.port == port and mc.namenode.pid != old_pid
    assert jc.cat("/f") == data
    # stop() keeps the data; start() brings the same cluster back.
    mc.stop()
    assert not mc.running and _java_pids_under(mc.base_dir) == []
    mc.start()
    assert mc.port == port
    assert jc.cat("/f") == data


def test_close_leaves_no_jvm_and_no_dir(fresh_cluster):
    mc = fresh_cluster(datanodes=2, replication=2)
    base = mc.base_dir
    pids = [mc.namenode.pid] + [d.pid for d in mc.datanodes]
    assert sorted(_java_pids_under(base)) == sorted(pids)
    mc.close()
    assert _java_pids_under(base) == []
    for p in pids:
        assert not os.path.exists("/proc/%d/cmdline" % p) or \
            open("/proc/%d/stat" % p).read().rsplit(")", 1)[1].split()[0] == "Z"
    assert not os.path.exists(base)


def test_start_failure_raises_with_logs():
    mc = MiniCluster(datanodes=1, replication=1,
                     conf={"dfs.namenode.handler.count": "not-a-number"})
    with pytest.raises(RuntimeError) as ei:
        mc.start(timeout=60)
    msg = str(ei.value)
    assert "NameNode exited" in msg
    assert "not-a-number" in msg
    base = mc.base_dir
    mc.close()
    assert _java_pids_under(base) == []


_CHILD = textwrap.dedent("""
    import importlib.util, os, sys, time
    spec = importlib.util.spec_from_file_location("mc", sys.argv[1])
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    mc = m.MiniCluster(datanodes=1, replication=1)
    mc.start()
    print(mc.base_dir, flush=True)
    time.sleep(600)
""")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_jvms_die_with_owner(sig):
    """JVMs go when the Python process that started them is killed."""
    p = subprocess.Popen([sys.executable, "-c", _CHILD, minicluster.__file__],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = None
    try:
        base = p.stdout.readline().decode().strip()
        assert base, p.stderr.read().decode()
        assert len(_java_pids_under(base)) == 2
        p.send_signal(sig)
        p.wait(60)
        deadline = time.monotonic() + 30
        while _java_pids_under(base) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _java_pids_under(base) == []
        if sig == signal.SIGTERM:
            assert not os.path.exists(base)  # the handler cleaned up
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        if base:
            for pid in _java_pids_under(base):
                os.kill(pid, signal.SIGKILL)
            shutil.rmtree(base, ignore_errors=True)  # SIGKILL left it behind


def test_cli_start_status_stop(tmp_path):
    d = str(tmp_path / "cl")
    cmd = [sys.executable, minicluster.__file__]
    r = subprocess.run(cmd + ["start", "--datanodes", "1", "--dir", d],
                       capture_output=True, text=True, timeout=180)
    try:
        assert r.returncode == 0, r.stderr
        url, export = r.stdout.strip().splitlines()
        assert url.startswith("hdfs://127.0.0.1:")
        assert export == "export HADOOP_CONF_DIR=%s/conf/client" % d
        # The command has exited; the JVMs run on.
        assert len(_java_pids_under(d)) == 2
        s = subprocess.run(cmd + ["status", "--dir", d], capture_output=True,
                           text=True, timeout=60)
        assert s.returncode == 0, s.stdout + s.stderr
        assert "live datanodes: 1" in s.stdout
        again = subprocess.run(cmd + ["start", "--dir", d], capture_output=True,
                               text=True, timeout=60)
        assert again.returncode == 1 and "already runs" in again.stderr
    finally:
        st = subprocess.run(cmd + ["stop", "--dir", d], capture_output=True,
                            text=True, timeout=60)
    assert st.returncode == 0, st.stderr
    assert _java_pids_under(d) == []
    s = subprocess.run(cmd + ["status", "--dir", d], capture_output=True, text=True)
    assert s.returncode != 0


def test_corrupt_replica_java_client_fails_over(fresh_cluster):
    mc = fresh_cluster(datanodes=2, replication=2)
    jc = JavaClient(mc)
    data = os.urandom(1500)
    jc.put(data, "/f", blocksize=1024)
    rc, text = jc.fsck("/f", "-files", "-blocks")
    first = _block_ids(text)[0]
    assert len(mc.block_files(first)) == 2
    dn = mc.corrupt_replica(first, replica=0)
    [path] = [p for d, p, _m in mc.block_replicas(first) if d is dn]
    with open(path, "rb") as f:
        assert f.read() != data[:1024]
    # The stock client reads the other replica and reports the bad one.
    assert jc.cat("/f") == data


def test_port_stolen_before_bind_is_repicked(monkeypatch):
    """A picked port that another process binds first costs a retry, not a
    failed start."""
    import socket
    thief = socket.socket()
    thief.bind(("127.0.0.1", 0))
    thief.listen(1)
    stolen = thief.getsockname()[1]
    real_free_ports = minicluster._free_ports
    calls = []

    def free_ports(n):
        calls.append(n)
        ports = real_free_ports(n)
        return [stolen] + ports[1:] if len(calls) == 1 else ports

    monkeypatch.setattr(minicluster, "_free_ports", free_ports)
    # Skip the pre-launch check so the NameNode JVM itself hits BindException.
    monkeypatch.setattr(minicluster, "_port_bindable", lambda port: True)
    mc = MiniCluster(datanodes=1, replication=1)
    try:
        mc.start(timeout=60)
        assert mc.port != stolen and len(calls) == 2
        assert "BindException" in mc.logs()["namenode"]
    finally:
        thief.close()
        mc.close()


# -- an HA pair ---------------------------------------------------------------


def test_ha_pair_failover_java_client(fresh_cluster, tmp_path):
    mc = fresh_cluster(datanodes=2, replication=2, ha=True)
    assert mc.url == "hdfs://hadoofus"
    assert [n.nn_id for n in mc.namenodes] == ["nn1", "nn2"]
    assert mc.namenode.nn_id == "nn1" and mc.port == mc.namenodes[0].rpc_port
    assert mc.namenode_state("nn1") == "active"
    assert mc.namenode_state("nn2") == "standby"
    with open(os.path.join(mc.conf_dir, "hdfs-site.xml")) as f:
        site = f.read()
    for key in ("dfs.nameservices", "dfs.ha.namenodes.hadoofus",
                "dfs.namenode.rpc-address.hadoofus.nn2",
                "dfs.client.failover.proxy.provider.hadoofus"):
        assert key in site
    # The DataNodes report to both NameNodes (the standby keeps block locations).
    live = sorted(d.xfer_addr for d in mc.datanodes)
    assert sorted(mc.live_datanodes()) == live

    data = os.urandom(5000)
    local = tmp_path / "a.bin"
    local.write_bytes(data)
    mc.fs_shell("-put", str(local), "hdfs://hadoofus/before.bin")
    assert mc.fs_shell("-cat", "hdfs://hadoofus/before.bin").stdout == data

    new = mc.failover("nn2")
    assert new.nn_id == "nn2" and mc.namenode is new and mc.port == new.rpc_port
    assert mc.namenode_state("nn1") == "standby"
    assert mc.namenode_state("nn2") == "active"
    assert sorted(mc.live_datanodes()) == live
    # The Java client skips the standby nn1 (StandbyException) and finds
    # the edits of before the failover on nn2.
    assert mc.fs_shell("-cat", "hdfs://hadoofus/before.bin").stdout == data
    mc.fs_shell("-put", str(local), "/after.bin")
    out = mc.fs_shell("-ls", "/").stdout.decode()
    assert "/before.bin" in out and "/after.bin" in out

    # And back, with transitionToStandby/-Active.
    mc.transition_to_standby("nn2")
    mc.transition_to_active("nn1")
    assert mc.namenode_state("nn1") == "active"
    assert mc.fs_shell("-cat", "/after.bin").stdout == data


def test_ha_pair_restart_keeps_roles(fresh_cluster):
    mc = fresh_cluster(datanodes=1, replication=1, ha=True)
    mc.fs_shell("-mkdir", "/kept")
    mc.failover()
    mc.stop()
    assert not any(n.alive for n in mc.namenodes)
    mc.start()
    assert mc.namenode.nn_id == "nn2"
    assert mc.namenode_state("nn2") == "active"
    assert mc.namenode_state("nn1") == "standby"
    assert "/kept" in mc.fs_shell("-ls", "/").stdout.decode()
