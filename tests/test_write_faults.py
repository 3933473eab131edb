"""Writing while DataNodes die, on private clusters (tests/conftest.py's
fresh_cluster): the write goes on as Java's DataStreamer's would.

- 3 DataNodes, replication 3, a pipeline node killed mid-write: the node is
  dropped, the pipeline rebuilt with the other two (new generation stamp,
  unacknowledged packets sent again), the file is intact; once the node is
  back, the NameNode re-replicates every block to 3.
- 4 DataNodes: after an hflush the DEFAULT policy wants the pipeline whole
  again: a new node joins (getAdditionalDatanode + TRANSFER_BLOCK of the
  acknowledged bytes); every block keeps 3 replicas.
- a node dying while the file is being closed (PIPELINE_CLOSE_RECOVERY);
- the only node of a replication-1 pipeline dying: a clear error, no hang;
- an idle writer keeps its pipeline alive with heartbeats.

The NameNode notices a killed DataNode only after ~12-17 s (the
minicluster's heartbeat settings); until then it may hand it out for new
blocks, and the writer abandons those and excludes it (nextBlockOutputStream).
"""

import os
import re
import time

import pytest

import hadoofus
from hadoofus._writer import HdfsFileWriter
from conftest import payload

MIB = 1024 * 1024


def index_of(mc, addr):
    port = int(addr.rsplit(":", 1)[1])
    for i, dn in enumerate(mc.datanodes):
        if dn.xfer_port == port:
            return i
    raise LookupError(addr)


def counts():
    return len(os.listdir("/proc/self/fd")), len(os.listdir("/proc/self/task"))


def wait_replicated(mc, nn, path, replicas, timeout=120):
    """Wait until every block of path has `replicas` locations and fsck says
    HEALTHY with nothing under-replicated."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        blocks = nn.getBlockLocations(path)
        last = [len(b.locs) for b in blocks]
        if all(n == replicas for n in last):
            r = mc.fsck(path)
            out = r.stdout.decode(errors="replace")
            m = re.search(r"Under-replicated blocks:\s+(\d+)", out)
            if "is HEALTHY" in out and m and m.group(1) == "0":
                return
            last = out[-400:]
        time.sleep(1)
    raise AssertionError("not %d replicas of every block of %s: %s" % (replicas, path, last))


def write_in_pieces(w, data, start, end, piece=MIB):
    for i in range(start, end, piece):
        assert w.write(data[i:min(i + piece, end)]) == min(piece, end - i)


def test_datanode_killed_mid_write(fresh_cluster):
    # Before it notices the node is dead, the NameNode may ask for copies
    # onto it; those count as under way for pending.timeout-sec (5 min by
    # default) before it asks again.
    mc = fresh_cluster(datanodes=3, replication=3,
                       conf={"dfs.namenode.replication.pending.timeout-sec": 5})
    data = payload(100 * MIB, 1)
    fd0, th0 = counts()
    nn = hadoofus.rpc(mc.host, mc.port)
    path = "/faults/killed"
    w = HdfsFileWriter(nn, path, replication=3, blocksize=8 * MIB)
    write_in_pieces(w, data, 0, 30 * MIB)
    pipeline = w.pipeline
    assert len(pipeline) == 3
    victim = index_of(mc, pipeline[1])
    mc.kill_datanode(victim)
    write_in_pieces(w, data, 30 * MIB, len(data))
    w.close()
    st = w.stats
    assert st["recoveries"] >= 1, st
    assert st["bytes_written"] == len(data)
    assert nn.getFileInfo(path).length == len(data)
    assert mc.fs_shell("-cat", path).stdout == data
    nn.close()
    # No socket, thread (pipeline heartbeats, lease renewal) left behind.
    assert counts() == (fd0, th0)
    # The node comes back: the NameNode brings every block to 3 replicas.
    mc.restart_datanode(victim)
    with hadoofus.rpc(mc.host, mc.port) as nn:
        wait_replicated(mc, nn, path, 3)


def test_datanode_replaced(fresh_cluster):
    """4 DataNodes: the pipeline gets a new third node, which receives the
    block's acknowledged bytes from a survivor."""
    mc = fresh_cluster(datanodes=4, replication=3)
    nn = hadoofus.rpc(mc.host, mc.port)
    path = "/faults/replaced"
    data = payload(40 * MIB, 2)
    w = HdfsFileWriter(nn, path, replication=3, blocksize=32 * MIB)
    write_in_pieces(w, data, 0, 5 * MIB)
    w.flush()   # hflushed: the DEFAULT policy replaces a lost node
    write_in_pieces(w, data, 5 * MIB, 10 * MIB)
    before = w.pipeline
    victim = before[0]          # the node the writer talks to
    mc.kill_datanode(index_of(mc, victim))
    # more than the window of unacknowledged packets (80 x 64 KiB): the
    # failure is seen by now, in the same block
    write_in_pieces(w, data, 10 * MIB, 18 * MIB)
    after = w.pipeline
    assert len(after) == 3 and victim not in after, (before, after)
    assert len(set(after) - set(before)) == 1
    write_in_pieces(w, data, 18 * MIB, len(data))
    w.close()
    st = w.stats
    assert st["recoveries"] >= 1 and st["datanodes_replaced"] >= 1, st
    assert mc.fs_shell("-cat", path).stdout == data
    # Nothing to re-replicate: the block under way when the node died kept
    # 3 replicas through the transfer (3 nodes are left for the others).
    wait_replicated(mc, nn, path, 3, timeout=30)

    # NEVER: the pipeline shrinks instead.
    mc.restart_datanode(index_of(mc, victim))
    w = HdfsFileWriter(nn, path + "-never", replication=3, blocksize=32 * MIB,
                       replace_datanode_on_failure="NEVER")
    write_in_pieces(w, data, 0, 5 * MIB)
    w.flush()
    victim = w.pipeline[2]
    mc.kill_datanode(index_of(mc, victim))
    write_in_pieces(w, data, 5 * MIB, 13 * MIB)
    assert len(w.pipeline) == 2 and victim not in w.pipeline
    w.close()
    assert w.stats["datanodes_replaced"] == 0
    assert mc.fs_shell("-cat", path + "-never").stdout == data[:13 * MIB]
    nn.close()


def test_datanode_killed_at_close(fresh_cluster):
    """Every byte acknowledged, then a node dies: ending the block recovers
    the pipeline at PIPELINE_CLOSE_RECOVERY, which finalizes the replicas."""
    mc = fresh_cluster(datanodes=3, replication=3)
    nn = hadoofus.rpc(mc.host, mc.port)
    path = "/faults/at-close"
    data = payload(3 * MIB + 123, 3)
    w = HdfsFileWriter(nn, path, replication=3, blocksize=8 * MIB)
    w.write(data)
    w.flush()
    mc.kill_datanode(index_of(mc, w.pipeline[2]))
    w.close()
    assert w.stats["recoveries"] == 1, w.stats
    assert nn.getFileInfo(path).length == len(data)
    assert mc.fs_shell("-cat", path).stdout == data
    [block] = nn.getBlockLocations(path)
    assert len(block.locs) == 2
    nn.close()


def test_only_datanode_dies(fresh_cluster):
    """Replication 1: the pipeline's only node dies; the writer fails with a
    clear error, at once and for good, and the file stays open."""
    mc = fresh_cluster(datanodes=2, replication=1)
    fd0, th0 = counts()
    nn = hadoofus.rpc(mc.host, mc.port)
    path = "/faults/lost"
    w = HdfsFileWriter(nn, path, replication=1, blocksize=64 * MIB)
    w.write(b"x" * MIB)
    w.flush()
    [node] = w.pipeline
    mc.kill_datanode(index_of(mc, node))
    t0 = time.monotonic()
    with pytest.raises(hadoofus.HadoofusError) as ei:
        for _ in range(64):
            w.write(b"y" * MIB)
        w.flush()
    assert time.monotonic() - t0 < 30
    assert "All datanodes [%s] are bad" % node in str(ei.value)
    with pytest.raises(hadoofus.HadoofusError) as ei2:
        w.write(b"z")
    assert str(ei2.value) == str(ei.value)
    with pytest.raises(hadoofus.HadoofusError):
        w.close()
    assert w.closed
    w.close()
    assert nn.getFileInfo(path) is not None and not nn.isFileClosed(path)
    nn.close()
    assert counts() == (fd0, th0)


def test_idle_writer_keeps_pipeline(fresh_cluster):
    """The DataNodes give up on a silent client after dfs.client.socket-
    timeout (3 s here): a writer whose heartbeats come sooner keeps its
    pipeline; one whose heartbeats would come later loses it and recovers
    with the nodes left (best effort: with 3 DataNodes there is none to
    add, which the DEFAULT policy would want after an hflush)."""
    mc = fresh_cluster(datanodes=3, replication=3, conf={"dfs.client.socket-timeout": 3000})
    nn = hadoofus.rpc(mc.host, mc.port)
    kept = HdfsFileWriter(nn, "/idle/kept", replication=3, timeout=3)
    lost = HdfsFileWriter(nn, "/idle/lost", replication=3, timeout=60, best_effort=True)
    for w in (kept, lost):
        w.write(b"before;")
        w.flush()
    time.sleep(9)
    for w in (kept, lost):
        w.write(b"after")
        w.close()
    assert kept.stats["recoveries"] == 0
    assert lost.stats["recoveries"] >= 1
    for p in ("/idle/kept", "/idle/lost"):
        assert mc.fs_shell("-cat", p).stdout == b"before;after"
    nn.close()
