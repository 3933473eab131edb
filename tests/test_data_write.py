"""Writing blocks (hadoofus.data(...).write / .writer) against real DataNodes.

Every file here is created with replication 3, so each block goes through a
pipeline of the session cluster's 3 DataNodes; what hadoofus wrote is read
back by the Java client (FsShell -cat) byte for byte, and FsShell
-checksum must give the same file checksum as for the same bytes uploaded
by Java (it is computed from the CRCs the DataNodes stored). The
fault tests kill DataNodes of a private cluster.
"""

import os
import shutil
import tempfile
import time

import pytest

import hadoofus
from hadoofus import BlockWriteError
from conftest import payload, run_threads

KiB = 1024
MiB = 1024 * KiB


@pytest.fixture
def client(nn):
    c = hadoofus.rpc(*nn)
    yield c
    c.close()


def complete(nn, path, last, name=None):
    """complete(), retried as Java's DFSOutputStream.completeFile does while
    the NameNode has not heard of a finalized replica yet."""
    for _ in range(100):
        if nn.complete(path, name or nn.client_name, last=last):
            return
        time.sleep(0.05)
    raise AssertionError("complete(%s) kept returning False" % path)


def wait_replicas(nn, path, n, timeout=20):
    """Every block of path on n DataNodes (the DataNodes report finalized
    replicas to the NameNode on their own schedule, after complete())."""
    deadline = time.monotonic() + timeout
    while True:
        blocks = list(nn.getBlockLocations(path))
        counts = [len(b.locs) for b in blocks]
        if all(c == n for c in counts) or time.monotonic() > deadline:
            return counts
        time.sleep(0.1)


def write_file(nn, path, data, block_size=128 * MiB, replication=3, kind=bytes):
    """create + addBlock/write per block + complete, with hadoofus only."""
    name = nn.client_name
    nn.create(path, clientName=name, overwrite=True, replication=replication,
              blockSize=block_size)
    mv = memoryview(data)
    prev = None
    for off in range(0, len(data), block_size):
        lb = nn.addBlock(path, name, previous=prev.b if prev else None)
        piece = mv[off:off + block_size]
        n = hadoofus.data(lb, name).write(kind(piece) if kind is not memoryview else piece)
        assert n == len(piece)
        assert lb.b.numBytes == len(piece)     # updated in place by write()
        prev = lb
    complete(nn, path, prev)
    return prev


def java_cat_many(java_client, paths):
    """One JVM for all: -cat concatenates."""
    return java_client.shell("-cat", *paths).stdout


def java_checksums(java_client, paths):
    out = java_client.shell("-checksum", *paths).stdout.decode().splitlines()
    return {p: line.rsplit(None, 2)[1:] for p, line in zip(paths, out)}


def java_put_many(java_client, files, remote_dir, block_size=None):
    """Upload {name: bytes} with the Java client, in one JVM."""
    d = tempfile.mkdtemp(prefix="hadoofus-put-")
    try:
        for n, b in files.items():
            with open(os.path.join(d, n), "wb") as f:
                f.write(b)
        conf = {"dfs.blocksize": block_size} if block_size else {}
        java_client.shell("-mkdir", "-p", remote_dir)
        java_client.shell("-put", "-f", *[os.path.join(d, n) for n in files], remote_dir,
                          conf=conf)
    finally:
        shutil.rmtree(d)


SIZES = [1, 511, 512, 513, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, MiB]


def test_block_sizes_read_back_by_java(client, java_client, tmp_hdfs_dir):
    client.mkdirs(tmp_hdfs_dir)
    files = {}
    kinds = [bytes, bytearray, memoryview]
    for i, n in enumerate(SIZES):
        p = "%s/f%d" % (tmp_hdfs_dir, n)
        files[p] = payload(n, n)
        write_file(client, p, files[p], kind=kinds[i % 3])
    # Size 0: a file with no block at all is just created and completed.
    empty = tmp_hdfs_dir + "/f0"
    client.create(empty, overwrite=True, replication=3)
    complete(client, empty, None)
    files[empty] = b""

    paths = sorted(files, key=lambda p: len(files[p]))
    assert java_cat_many(java_client, paths) == b"".join(files[p] for p in paths)
    for p, data in files.items():
        assert client.getFileInfo(p).length == len(data)
        if data:
            assert wait_replicas(client, p, 3) == [3]

    # The DataNodes' stored CRCs give Java's own file checksum.
    ref = tmp_hdfs_dir + "/java"
    java_put_many(java_client, {os.path.basename(p): files[p] for p in paths if files[p]}, ref)
    ours = java_checksums(java_client, [p for p in paths if files[p]])
    theirs = java_checksums(java_client, ["%s/%s" % (ref, os.path.basename(p))
                                          for p in paths if files[p]])
    for p in ours:
        assert ours[p] == theirs["%s/%s" % (ref, os.path.basename(p))], p
        assert ours[p][0] == "MD5-of-0MD5-of-512CRC32C"


def test_empty_block(client, java_client, tmp_hdfs_dir):
    """A block written with no data: the pipeline comes up and is closed."""
    client.mkdirs(tmp_hdfs_dir)
    p = tmp_hdfs_dir + "/empty-block"
    client.create(p, overwrite=True, replication=3)
    lb = client.addBlock(p)
    assert hadoofus.data(lb, client.client_name).write(b"") == 0
    complete(client, p, lb)
    assert client.getFileInfo(p).length == 0
    assert java_client.cat(p) == b""


def test_multi_block_file(client, java_client, tmp_hdfs_dir):
    client.mkdirs(tmp_hdfs_dir)
    p = tmp_hdfs_dir + "/multi"
    data = payload(3 * MiB + MiB // 2 + 77, 3)
    last = write_file(client, p, data, block_size=MiB)
    assert last.b.numBytes == MiB // 2 + 77
    blocks = list(client.getBlockLocations(p))
    assert [b.length for b in blocks] == [MiB, MiB, MiB, MiB // 2 + 77]
    assert [b.offset for b in blocks] == [0, MiB, 2 * MiB, 3 * MiB]
    assert java_client.cat(p) == data
    ref = tmp_hdfs_dir + "/java"
    java_put_many(java_client, {"multi": data}, ref, block_size=MiB)
    assert java_checksums(java_client, [p])[p] == \
        java_checksums(java_client, [ref + "/multi"])[ref + "/multi"]
    assert wait_replicas(client, p, 3) == [3, 3, 3, 3]


def test_writer_hflush_visible_before_close(client, java_client, tmp_hdfs_dir):
    client.mkdirs(tmp_hdfs_dir)
    p = tmp_hdfs_dir + "/hflush"
    name = client.client_name
    client.create(p, overwrite=True, replication=3)
    lb = client.addBlock(p)
    data = payload(300 * KiB + 5, 4)
    with hadoofus.data(lb, name).writer() as w:
        assert w.state == "STREAMING" and len(w.pipeline) == 3
        w.write(data[:100 * KiB + 3])          # ends inside a checksum chunk
        w.flush()
        assert w.acked == 100 * KiB + 3 and w.packets_in_flight == 0
        # The file is open, its last block under construction: a Java
        # reader sees what was flushed.
        assert java_client.cat(p) == data[:100 * KiB + 3]
        w.write(bytearray(data[100 * KiB + 3:200 * KiB]))
        w.sync()                               # hsync
        assert java_client.cat(p) == data[:200 * KiB]
        w.write(data[200 * KiB:])
        assert w.block.generationStamp == lb.b.generationStamp
    assert w.state == "DONE" and w.acked == len(data)
    assert lb.b.numBytes == len(data)
    complete(client, p, lb)
    assert java_client.cat(p) == data


def test_append_to_partial_last_block(client, java_client, tmp_hdfs_dir):
    """Stage APPEND onto a block of 1000 bytes (inside a checksum chunk),
    as DFSOutputStream does: append(), updateBlockForPipeline(), WRITE_BLOCK
    at PIPELINE_SETUP_APPEND with the new stamp, updatePipeline(), data,
    complete()."""
    client.mkdirs(tmp_hdfs_dir)
    p = tmp_hdfs_dir + "/append"
    name = client.client_name
    old = payload(1000, 5)
    write_file(client, p, old)
    more = payload(200 * KiB + 1, 6)

    lb, stat = client.append(p)
    assert stat.length == 1000 and lb.b.numBytes == 1000
    new_gs = client.updateBlockForPipeline(lb.b).b.generationStamp
    assert new_gs > lb.b.generationStamp
    old_block = hadoofus.types.ExtendedBlock(**lb.b._asdict())
    with hadoofus.data(lb, name).writer("APPEND", new_gs) as w:
        assert w.acked == 1000 and w.generation_stamp == new_gs
        client.updatePipeline(name, old_block, w.block, w.pipeline, w.storage_ids)
        w.write(more)
    assert lb.b.numBytes == 1000 + len(more) and lb.b.generationStamp == new_gs
    complete(client, p, lb)
    assert client.getFileInfo(p).length == 1000 + len(more)
    assert java_client.cat(p) == old + more
    ref = tmp_hdfs_dir + "/java"
    java_put_many(java_client, {"append": old + more}, ref)
    assert java_checksums(java_client, [p])[p] == \
        java_checksums(java_client, [ref + "/append"])[ref + "/append"]


def test_append_one_shot_then_update_pipeline(client, java_client, tmp_hdfs_dir):
    """data.write(stage="APPEND") in one call; updatePipeline afterwards."""
    client.mkdirs(tmp_hdfs_dir)
    p = tmp_hdfs_dir + "/append1"
    name = client.client_name
    old = payload(5000, 7)
    write_file(client, p, old)
    lb, _ = client.append(p)
    old_block = hadoofus.types.ExtendedBlock(**lb.b._asdict())
    new_gs = client.updateBlockForPipeline(lb.b).b.generationStamp
    more = payload(70000, 8)
    assert hadoofus.data(lb, name).write(more, "APPEND", new_gs) == len(more)
    client.updatePipeline(name, old_block, lb.b, lb.locs, lb.storageIDs)
    complete(client, p, lb)
    assert java_client.cat(p) == old + more


def test_concurrent_writers(client, java_client, tmp_hdfs_dir):
    """Two threads writing two files at once (the GIL is released)."""
    client.mkdirs(tmp_hdfs_dir)
    datas = {tmp_hdfs_dir + "/t%d" % i: payload(3 * MiB + i, 10 + i) for i in range(2)}
    errs = []

    def run(p, d):
        try:
            write_file(client, p, d)
        except BaseException as e:   # report in the main thread
            errs.append(e)

    run_threads(run, datas.items())
    assert not errs
    paths = sorted(datas)
    assert java_cat_many(java_client, paths) == b"".join(datas[p] for p in paths)


def test_writer_argument_errors(client, tmp_hdfs_dir):
    client.mkdirs(tmp_hdfs_dir)
    p = tmp_hdfs_dir + "/args"
    client.create(p, overwrite=True, replication=3)
    lb = client.addBlock(p)
    d = hadoofus.data(lb, client.client_name)
    with pytest.raises(ValueError):
        d.writer("SIDEWAYS")
    with pytest.raises(ValueError):
        d.writer("APPEND")                     # needs the new stamp
    with pytest.raises(ValueError):
        d.writer(packet_size=0)
    with pytest.raises(ValueError):
        d.writer(checksum="MD5")
    with pytest.raises(TypeError):
        d.write("text, not bytes")
    # CRC32 in 1 KiB chunks, small packets: the DataNodes take any setting.
    data = payload(100 * KiB + 9, 9)
    with d.writer(checksum="CRC32", bytes_per_checksum=1024, packet_size=8 * KiB) as w:
        w.write(data)
    complete(client, p, lb)
    assert client.getFileInfo(p).length == len(data)


def _node_index(mc, dn):
    return next(i for i, d in enumerate(mc.datanodes) if d.xfer_port == dn.xferPort)


@pytest.mark.slow
def test_datanode_killed_mid_block(fresh_cluster, tmp_path):
    """A pipeline node dies mid-block: the writer names it; recovery over
    the two left goes on and the file reads back whole."""
    mc = fresh_cluster(datanodes=3, replication=3)
    nn = hadoofus.rpc(mc.host, mc.port)
    name = nn.client_name
    p = "/kill/f"
    nn.mkdirs("/kill")
    nn.create(p, overwrite=True, replication=3)
    lb = nn.addBlock(p)
    assert len(lb.locs) == 3
    data = payload(8 * MiB, 11)
    mv = memoryview(data)

    w = hadoofus.data(lb, name).writer(timeout=20)
    w.write(mv[:2 * MiB])
    w.flush()
    victim = lb.locs[1]
    mc.kill_datanode(_node_index(mc, victim))

    # Write on until the pipeline says so; .written tells how far the
    # writer took the data when it fails.
    with pytest.raises(BlockWriteError) as ei:
        while w.written < len(data):
            w.write(bytearray(mv[w.written:w.written + 256 * KiB]))
        w.flush()
    e = ei.value
    assert e.bad_node == 1 and w.bad_node == 1
    assert e.datanode.xferPort == victim.xferPort
    assert e.status == "ERROR"
    assert "%s:%d" % (victim.ipAddr, victim.xferPort) in str(e)
    assert e.acked >= 2 * MiB and e.acked == w.acked
    assert e.recovery_stage == "STREAMING_RECOVERY"
    assert w.state == "FAILED"

    # What a file writer does next: new stamp, pipeline without the bad
    # node, resend what was not acked, tell the NameNode.
    old_block = w.block
    new_gs = nn.updateBlockForPipeline(old_block).b.generationStamp
    w.recover(new_gs)
    assert [d.xferPort for d in w.pipeline] == [lb.locs[0].xferPort, lb.locs[2].xferPort]
    assert w.generation_stamp == new_gs and w.state == "STREAMING"
    nn.updatePipeline(name, old_block, w.block, w.pipeline, w.storage_ids)
    w.write(mv[w.written:])
    w.close()
    assert lb.b.numBytes == len(data) and lb.b.generationStamp == new_gs
    complete(nn, p, lb)
    from javaclient import JavaClient
    assert JavaClient(mc).cat(p) == data

    # A new block whose pipeline includes the dead node (the NameNode has
    # not noticed yet): the open fails and names it.
    nn.create("/kill/g", overwrite=True, replication=3)
    for _ in range(20):
        lb2 = nn.addBlock("/kill/g")
        ports = [d.xferPort for d in lb2.locs]
        if victim.xferPort in ports:
            break
        nn.abandonBlock(lb2.b, "/kill/g")
    else:
        pytest.skip("the NameNode kept leaving out the dead DataNode")
    with pytest.raises(BlockWriteError) as ei:
        hadoofus.data(lb2, name).writer(timeout=20)
    assert ei.value.datanode.xferPort == victim.xferPort
    assert ei.value.bad_node == ports.index(victim.xferPort)
    assert ei.value.recovery_stage is None     # abandon it, add another
    nn.close()


@pytest.mark.slow
def test_first_datanode_killed(fresh_cluster):
    """The node the client talks to dies: the connection breaks, and it is
    the one blamed (as Java does)."""
    mc = fresh_cluster(datanodes=3, replication=3)
    nn = hadoofus.rpc(mc.host, mc.port)
    nn.create("/k0", overwrite=True, replication=3)
    lb = nn.addBlock("/k0")
    w = hadoofus.data(lb, nn.client_name).writer(timeout=20)
    w.write(payload(MiB, 12))
    w.flush()
    mc.kill_datanode(_node_index(mc, lb.locs[0]))
    with pytest.raises(BlockWriteError) as ei:
        for _ in range(200):
            w.write(bytearray(256 * KiB))
        w.flush()
    assert ei.value.bad_node == 0
    assert ei.value.datanode.xferPort == lb.locs[0].xferPort
    assert ei.value.status is None
    assert ei.value.acked >= MiB
    nn.close()
