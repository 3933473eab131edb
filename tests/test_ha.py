"""HA NameNode failover of the core, hadoofus.rpc, easy.open and
hadoofus.aio against a real HA pair (MiniCluster(ha=True): nn1 and nn2 of
nameservice "hadoofus", manual failover with DFSHAAdmin)."""

import asyncio
import os
import time

import pytest

import hadoofus
import hadoofus.aio
import hadoofus.easy as easy
from conftest import HADOOP3, running_cluster


@pytest.fixture(scope="module")
def ha():
    yield from running_cluster(datanodes=2, replication=2, ha=True)


@pytest.fixture
def ha_conf(ha, monkeypatch):
    """HADOOP_CONF_DIR is the HA pair's client configuration
    (fs.defaultFS=hdfs://hadoofus)."""
    monkeypatch.setenv("HADOOP_CONF_DIR", ha.conf_dir)
    monkeypatch.setenv("HADOOP_USER_NAME", ha.superuser)
    easy.clear_cache()
    yield ha
    easy.clear_cache()


def _other(ha):
    return [n for n in ha.namenodes if n is not ha.namenode][0]


def test_rpc_nameservice_resolves_both(ha_conf):
    ha = ha_conf
    with hadoofus.rpc("hadoofus") as fs:
        assert fs.addresses == [("127.0.0.1", n.rpc_port) for n in ha.namenodes]
        assert fs.getFileInfo("/").isdir
        assert (fs.host, fs.port) == ("127.0.0.1", ha.namenode.rpc_port)
    with hadoofus.rpc("hdfs://hadoofus/ignored/path") as fs:
        assert len(fs.addresses) == 2
        assert fs.getFileInfo("/").isdir
    with hadoofus.rpc(ha.namenode_addresses) as fs:
        assert fs.getFileInfo("/").isdir
        assert fs.port == ha.namenode.rpc_port


def test_standby_first_is_skipped(ha):
    active, standby = ha.namenode, _other(ha)
    assert ha.namenode_state(standby.nn_id) == "standby"
    # max_retries=0: no resends after lost connections; a standby's
    # refusal is still resent (it ran nothing).
    with hadoofus.rpc([standby.address, active.address], max_retries=0) as fs:
        assert fs.port == standby.rpc_port
        path = "/ha-skip-%d" % os.getpid()
        assert fs.mkdirs(path)
        assert fs.port == active.rpc_port
        assert fs.num_failovers == 1
        assert fs.num_connects == 2
        # A pipeline of calls after the switch: all on the active one.
        with fs.pipeline() as p:
            futs = [p.getFileInfo(path) for _ in range(50)]
        assert all(f.result().isdir for f in futs)
        assert fs.num_failovers == 1
        fs.delete(path, True)


@pytest.mark.skipif(not HADOOP3, reason="getHAServiceState is new in Hadoop 3")
def test_getHAServiceState(ha):
    # Standbys answer it too: it is how clients find an active NameNode.
    for n in ha.namenodes:
        with hadoofus.rpc(n.address, user=ha.superuser, max_failovers=0) as fs:
            assert fs.getHAServiceState() == ha.namenode_state(n.nn_id)


def test_standby_only_fails_after_max_failovers(ha):
    standby = _other(ha)
    with hadoofus.rpc([standby.address, standby.address], max_failovers=3,
                      failover_sleep_base=0.01, failover_sleep_max=0.02) as fs:
        with pytest.raises(hadoofus.HadoofusError) as ei:
            fs.getFileInfo("/")
        assert "StandbyException" in type(ei.value).__name__ or \
            "StandbyException" in str(ei.value)
        assert fs.num_failovers == 3


def test_calls_and_files_across_failover(ha_conf):
    ha = ha_conf
    data = os.urandom(3 * 1024 * 1024 + 17)
    path = "/ha-file-%d.bin" % os.getpid()
    fs = easy.filesystem("hadoofus", None)
    assert len(fs.addresses) == 2
    before = fs.port
    # A write that spans the failover: the blocks before go through the
    # old active, the rest (addBlock, complete) through the new one.
    with easy.open("hdfs://hadoofus" + path, "wb") as f:
        f.write(data[:1024 * 1024])
        f.flush()
        ha.failover()
        f.write(data[1024 * 1024:])
    assert fs.port == ha.namenode.rpc_port != before
    assert fs.num_failovers >= 1
    # Bare paths go through fs.defaultFS = hdfs://hadoofus, the same handle.
    with easy.open(path, "rb") as f:
        assert f.read() == data
    st = fs.getFileInfo(path)
    assert st.length == len(data)
    assert ha.fs_shell("-cat", path).stdout == data

    # A read that spans a failover: the block locations come from the
    # new active NameNode.
    with easy.open(path, "rb", buffer_size=1) as f:
        head = f.read(1000)
        ha.failover()
        f.seek(2 * 1024 * 1024)
        mid = f.read(1000)
    assert head == data[:1000] and mid == data[2 * 1024 * 1024:2 * 1024 * 1024 + 1000]
    assert fs.getFileInfo(path).length == len(data)
    assert fs.port == ha.namenode.rpc_port
    fs.delete(path, False)


def test_aio_across_failover(ha):
    async def main():
        fs = hadoofus.aio.rpc(ha.namenode_addresses, user=ha.superuser)
        base = "/ha-aio-%d" % os.getpid()
        assert await fs.mkdirs(base)
        first = fs.port
        ha.failover()   # blocks the loop: nothing is in flight meanwhile
        # Concurrent calls after the failover: the first answers are
        # StandbyExceptions; every call is resent to the new active.
        res = await asyncio.gather(*[fs.mkdirs("%s/d%d" % (base, i)) for i in range(20)])
        assert all(res)
        assert fs.port == ha.namenode.rpc_port != first
        listing = await fs.getListing(base)
        assert len(listing) == 20
        assert await fs.delete(base, True)
        fs.close()
    asyncio.run(main())


def test_java_sees_what_we_wrote_after_failover(ha_conf):
    ha = ha_conf
    path = "/ha-java-%d.txt" % os.getpid()
    with easy.open(path, "wb") as f:
        f.write(b"hello ha\n")
    ha.failover()
    assert ha.fs_shell("-cat", "hdfs://hadoofus" + path).stdout == b"hello ha\n"
    with easy.open(path, "rb") as f:
        assert f.read() == b"hello ha\n"
    easy.filesystem("hadoofus", None).delete(path, False)


def test_lost_active_fails_over(ha):
    """The active NameNode dies (SIGKILL) and the standby is forced active:
    a call on the dead connection is resent (getFileInfo is idempotent) to
    the other NameNode. Last in this file: it restarts the dead one."""
    dead, other = ha.namenode, _other(ha)
    fs = hadoofus.rpc(ha.namenode_addresses, user=ha.superuser)
    path = "/ha-lost-%d" % os.getpid()
    assert fs.mkdirs(path)
    assert fs.port == dead.rpc_port
    dead.stop(graceful=False)
    ha.haadmin("-transitionToActive", "--forceactive", other.nn_id)
    ha.namenode = other
    ha.wait_active(timeout=60)
    assert fs.getFileInfo(path).isdir
    assert fs.port == other.rpc_port
    assert fs.num_failovers >= 1
    fs.delete(path, True)
    fs.close()
    # Back as a standby of the same pair.
    dead.start()
    for _ in range(600):
        if ha.namenode_state(dead.nn_id) == "standby":
            break
        time.sleep(0.1)
    assert ha.namenode_state(dead.nn_id) == "standby"
