"""hadoofus.data: reading blocks from real DataNodes (tests/conftest.py's
minicluster), files written by the stock Java client.

Every block is read whole and in ranges that start and end mid-chunk, and
compared byte for byte with what was written; CRC32C, CRC32 and NULL
checksum files; then failures: a corrupted replica (checksum error, the next
replica used, the read resumed where the good bytes stop), a dead DataNode
and a port nobody listens on in the location list, a replica the DataNode
does not have.
"""

import os
import socket

import pytest

import hadoofus
from hadoofus import BlockReadError
from conftest import fs_put, payload, run_threads, wait_block_locations

BS = 1024 * 1024    # block size for multi-block files

SIZES = [1, 511, 512, 513, 65535, 65536, 65537, 3 * BS + 12345]


@pytest.fixture(scope="module")
def client(cluster):
    with hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser) as c:
        yield c


def put_files(cluster, tmp_path, remote_dir, files, conf=None):
    """Write {name: bytes} under remote_dir with one Java FsShell run."""
    fs_put(cluster, tmp_path, remote_dir, files, {"dfs.blocksize": BS, **(conf or {})})


@pytest.fixture(scope="module")
def files(cluster, client, tmp_path_factory):
    """/test/data-read/<size> for every size of SIZES, and empty/0."""
    d = "/test/data-read-%s" % os.urandom(4).hex()
    want = {str(n): payload(n, n) for n in SIZES}
    want["0"] = b""
    put_files(cluster, tmp_path_factory.mktemp("files"), d, want)
    return d, want


def blocks(client, path):
    return list(client.getBlockLocations(path))


def read_file(client, path, **kw):
    return b"".join(hadoofus.data(lb, "test-client", **kw).read()
                    for lb in blocks(client, path))


# --- whole blocks and ranges -------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
def test_read_every_block(client, files, size):
    d, want = files
    data = want[str(size)]
    lbs = blocks(client, "%s/%d" % (d, size))
    assert len(lbs) == (size + BS - 1) // BS
    for lb in lbs:
        got = hadoofus.data(lb, "test-client").read()
        assert len(got) == lb.length
        assert got == data[lb.offset:lb.offset + lb.length]


def test_empty_file_has_no_blocks(client, files):
    d, _want = files
    assert blocks(client, d + "/0") == []


def test_ranges_mid_chunk(client, files):
    d, want = files
    data = want[str(SIZES[-1])]
    for lb in blocks(client, "%s/%d" % (d, SIZES[-1])):
        blk = hadoofus.data(lb)
        base, n = lb.offset, lb.length
        ranges = [(0, 1), (1, 1), (7, 1000), (511, 2), (512, 512), (513, 65536),
                  (65535, 3), (65536, 65537), (1000, n - 2000), (n - 1, 1), (n - 513, 513),
                  (n, 0), (300, 0), (0, n)]
        for off, length in ranges:
            if off + length > n:
                continue
            assert blk.read(offset=off, length=length) == data[base + off:base + off + length], \
                (lb.offset, off, length)
        assert blk.read(offset=n - 10) == data[base + n - 10:base + n]
        # One connection served all of them (kept alive between reads).
        assert blk._num_connects == 1


def test_readinto(client, files):
    d, want = files
    data = want["65537"]
    [lb] = blocks(client, d + "/65537")
    blk = hadoofus.data(lb)
    buf = bytearray(70000)
    assert blk.readinto(buf) == 65537
    assert buf[:65537] == data
    small = bytearray(100)
    assert blk.readinto(small, offset=65500) == 37
    assert small[:37] == data[65500:]
    assert blk.readinto(small, offset=1000) == 100
    assert small == data[1000:1100]
    mv = memoryview(bytearray(2000))[500:1500]
    assert blk.readinto(mv, offset=3) == 1000
    assert mv.tobytes() == data[3:1003]
    assert blk.readinto(bytearray(10), offset=65537) == 0
    with pytest.raises(TypeError):
        blk.readinto(b"read-only buffer")


def test_bad_arguments(client, files):
    d, _want = files
    [lb] = blocks(client, d + "/513")
    blk = hadoofus.data(lb)
    with pytest.raises(ValueError):
        blk.read(offset=514)
    with pytest.raises(ValueError):
        blk.read(offset=10, length=504)
    with pytest.raises(ValueError):
        blk.read(offset=-1)
    with pytest.raises(TypeError):
        blk.read(offset=1.5)
    with pytest.raises(TypeError):
        hadoofus.data("not a block")
    with pytest.raises(ValueError):
        hadoofus.data(lb, "")
    assert blk._num_connects == 0    # nothing was sent


def test_serialized_located_block(client, files):
    d, want = files
    [lb] = blocks(client, d + "/511")
    blk = hadoofus.data(lb._encode(), "test-client")
    assert blk.read() == want["511"]
    assert blk.length == 511
    assert blk.checksum == ("CRC32C", 512)
    assert "blk_%d" % lb.b.blockId in repr(blk)


def test_no_verify(client, files):
    d, want = files
    data = want["65537"]
    [lb] = blocks(client, d + "/65537")
    blk = hadoofus.data(lb, verify_checksum=False)
    assert blk.read() == data
    assert blk.read(offset=100, length=60000) == data[100:60100]
    # The DataNode was asked for no checksums.
    assert blk.checksum == ("NULL", 512)


@pytest.mark.parametrize("conf,kind", [
    ({"dfs.checksum.type": "CRC32"}, ("CRC32", 512)),
    ({"dfs.checksum.type": "NULL"}, ("NULL", 512)),
    ({"dfs.bytes-per-checksum": "1024"}, ("CRC32C", 1024)),
    ({"dfs.checksum.type": "CRC32", "dfs.bytes-per-checksum": "100",
      "dfs.blocksize": "1048500"}, ("CRC32", 100)),
])
def test_other_checksums(cluster, client, tmp_path, conf, kind):
    d = "/test/data-read-ck-%s" % os.urandom(4).hex()
    data = payload(2 * BS + 777, 99)
    put_files(cluster, tmp_path, d, {"f": data}, conf=conf)
    lbs = blocks(client, d + "/f")
    assert b"".join(hadoofus.data(lb).read() for lb in lbs) == data
    blk = hadoofus.data(lbs[1])
    base = lbs[1].offset
    assert blk.read(offset=33, length=5000) == data[base + 33:base + 5033]
    assert blk.checksum == kind


def test_threads_read_in_parallel(client, files):
    d, want = files
    data = want[str(SIZES[-1])]
    lbs = blocks(client, "%s/%d" % (d, SIZES[-1]))
    out = {}

    def work(lb):
        out[lb.offset] = hadoofus.data(lb).read()

    run_threads(work, [(lb,) for lb in lbs])
    assert b"".join(out[k] for k in sorted(out)) == data


def test_added_block_reads_empty(client, tmp_hdfs_dir):
    client.mkdirs(tmp_hdfs_dir)
    path = tmp_hdfs_dir + "/new"
    st = client.create(path)
    lb = client.addBlock(path, fileId=st.fileId)
    blk = hadoofus.data(lb, "test-client")
    assert blk.length == 0
    assert blk.read() == b""
    client.abandonBlock(lb.b, path, fileId=st.fileId)
    assert client.complete(path, fileId=st.fileId)


# --- failures ----------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_unreachable_location_skipped(client, files):
    d, want = files
    [lb] = blocks(client, d + "/65536")
    good = lb.locs[0]
    bogus = type(good).__new__(type(good))
    bogus.__dict__.update(good.__dict__)
    bogus_id = type(good.id).__new__(type(good.id))
    bogus_id.__dict__.update(good.id.__dict__)
    bogus_id.xferPort = free_port()
    bogus.id = bogus_id
    lb.locs = [bogus, good]
    blk = hadoofus.data(lb)
    assert blk.read() == want["65536"]
    # The dead one now goes last: the next read connects at once.
    assert blk.read(offset=1, length=2) == want["65536"][1:3]

    # Nobody at all: the error names the DataNode and why.
    lb.locs = [bogus]
    with pytest.raises(hadoofus.ConnectionError) as ei:
        hadoofus.data(lb).read()
    assert "127.0.0.1:%d" % bogus_id.xferPort in str(ei.value)
    assert len(ei.value.failures) == 1

    lb.locs = []
    with pytest.raises(BlockReadError, match="no locations"):
        hadoofus.data(lb).read()


def test_replica_not_on_datanode(client, files):
    d, _want = files
    [lb] = blocks(client, d + "/513")
    lb.b.blockId += 1000000    # no such block anywhere
    with pytest.raises(hadoofus.HadoofusError) as ei:
        hadoofus.data(lb).read()
    e = ei.value
    assert isinstance(e, BlockReadError)
    [(addr, cause)] = e.failures
    assert "ReplicaNotFound" in str(cause) or "not found" in str(cause).lower()
    assert addr in str(e)


def _replica_path(mc, lb, loc):
    for dn, path, _meta in mc.block_replicas(lb.b.blockId):
        if dn.xfer_port == loc.xferPort:
            return path
    raise LookupError("no replica of %s on %s" % (lb.b, loc))


def _flip(path, offset, n=1):
    with open(path, "r+b") as f:
        f.seek(offset)
        old = f.read(n)
        f.seek(offset)
        f.write(bytes(b ^ 0xFF for b in old))


def test_corrupt_replica_and_dead_datanode(fresh_cluster, tmp_path):
    mc = fresh_cluster(datanodes=3, replication=3)
    data = payload(BS + 70000, 7)
    put_files(mc, tmp_path, "/t", {"f": data, "g": data[:300000]})
    with hadoofus.rpc(mc.host, mc.port, user=mc.superuser) as c:
        # -- corruption: the first location's replica is bad at 100000 and
        # 100001 (one chunk); its first 100000 - 100000 % 512 bytes are
        # good and kept, the rest comes from the next replica.
        lb = f_lb = wait_block_locations(c, "/t/f", 3)[0]
        bad = lb.locs[0]
        _flip(_replica_path(mc, lb, bad), 100000, 2)
        blk = hadoofus.data(lb, "test-client")
        assert blk.read() == data[:BS]
        assert len(blk.corrupt_replicas) == 1
        dn, off = blk.corrupt_replicas[0]
        assert dn.xferPort == bad.xferPort and off == 100000 - 100000 % 512
        # Ranges clear of the bad chunk still read from it, and fine.
        only_bad = blocks(c, "/t/f")[0]
        only_bad.locs = [l for l in only_bad.locs if l.xferPort == bad.xferPort]
        assert hadoofus.data(only_bad).read(offset=0, length=99000) == data[:99000]
        # Its alone: a checksum error with the offset.
        with pytest.raises(hadoofus.ChecksumError) as ei:
            hadoofus.data(only_bad).read()
        assert "%d" % off in str(ei.value)
        assert ei.value.failures[0][1].offset == off

        # -- a dead DataNode first in line: the next one serves the read.
        lb = blocks(c, "/t/g")[0]
        # Not the node with the corrupt replica: the last part needs it
        # alive (locations come shuffled, so pick, then put it first).
        first = next(l for l in lb.locs if l.xferPort != bad.xferPort)
        lb.locs = [first] + [l for l in lb.locs if l.xferPort != first.xferPort]
        idx = [i for i, dn in enumerate(mc.datanodes) if dn.xfer_port == first.xferPort]
        assert idx
        mc.kill_datanode(idx[0])
        blk = hadoofus.data(lb, "test-client", connect_timeout=5)
        assert blk.read() == data[:300000]
        assert blk.read(offset=299999) == data[299999:300000]

        # Every replica failing: each DataNode's failure is named. The
        # locations from before the corruption: by now the NameNode may
        # have dropped the corrupt replica from a fresh answer.
        lbf = f_lb
        lbf.locs = [first] + [l for l in f_lb.locs if l.xferPort == bad.xferPort]
        with pytest.raises(BlockReadError) as ei:
            hadoofus.data(lbf).read()
        e = ei.value
        assert len(e.failures) == 2
        assert isinstance(e.failures[0][1], hadoofus.ConnectionError)
        assert isinstance(e.failures[1][1], hadoofus.ChecksumError)
        assert "%s:%d" % (first.ipAddr, first.xferPort) in str(e)
        assert "%s:%d" % (bad.ipAddr, bad.xferPort) in str(e)
