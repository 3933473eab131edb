"""Erasure-coded files on a real Hadoop 3 cluster: files Java's FsShell
wrote, read byte-identical by hadoofus (sequentially and by pread), sizes
that end mid-cell and mid-stripe and span several block groups; reads
with DataNodes killed (up to the parity count) and with a corrupted
internal block, the cells rebuilt from Java's parity.

One cluster for the module: 5 DataNodes (RS-3-2 needs 3 + 2), XOR-2-1 and
RS-3-2 enabled. Built-in policies have 1 MiB cells; a block size of 2 MiB
makes a group of two stripes, so small files still span groups."""

import os
import subprocess
import sys
import time

import pytest

import hadoofus
from hadoofus import easy
from hadoofus._datanode import crc32c

from conftest import fs_put, payload, running_cluster
from test_checksum import java_checksums

VERSION = "3.4.1"
RS = "RS-3-2-1024k"
XOR = "XOR-2-1-1024k"
CELL = 1 << 20
SCHEMA = {RS: (3, 2), XOR: (2, 1)}
BLOCKSIZE = 2 * CELL


@pytest.fixture(scope="module")
def ec_cluster():
    yield from running_cluster(datanodes=5, replication=1, version=VERSION,
                               ec_policies=[RS, XOR], heap="192m")


def _url(mc, path):
    return "hdfs://%s:%d%s" % (mc.host, mc.port, path)


def _sizes(k):
    stripe = k * CELL
    return {
        "one": 1,
        "midcell": CELL - 3,
        "cellplus": CELL + 5,
        "midstripe": stripe + CELL + 7,       # ends in the 2nd cell of stripe 2
        "stripes": 2 * stripe,                # exactly one full group
        "groups": 2 * stripe + stripe // 2 + 11,  # a second group, mid-stripe
    }


@pytest.fixture(scope="module")
def ec_files(ec_cluster, tmp_path_factory):
    """{policy: {name: bytes}} written by Java under /ec/<policy>/."""
    files = {}
    for seed, pol in enumerate((RS, XOR)):
        d = "/ec/" + pol
        ec_cluster.set_ec_policy(d, pol)
        k = SCHEMA[pol][0]
        data = {n: payload(sz, seed * 100 + i) for i, (n, sz) in enumerate(_sizes(k).items())}
        fs_put(ec_cluster, tmp_path_factory.mktemp(pol), d, data,
               conf={"dfs.blocksize": BLOCKSIZE})
        files[pol] = data
    return files


def _groups(mc, path):
    with hadoofus.rpc(mc.host, mc.port) as nn:
        return list(nn.getBlockLocations(path))


def _group_with(mc, path, g, idxs):
    """Group g of path once the NameNode has reports of internal blocks
    idxs: they come after complete() for a fresh file, and after its
    restart for a DataNode's blocks."""
    deadline = time.monotonic() + 120
    while True:
        lb = _groups(mc, path)[g]
        seen = sorted(lb.blockIndices)
        if set(idxs) <= set(seen) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert set(idxs) <= set(seen), "group %d of %s: internal blocks %s located, %s wanted" % (
        g, path, seen, sorted(idxs))
    return lb


def _internal(lb, idx):
    """The on-disk block id of internal block idx of group lb."""
    gid = lb.b.blockId
    gid = gid - (1 << 64) if gid >= 1 << 63 else gid
    return gid + idx


@pytest.mark.parametrize("pol", [RS, XOR])
def test_read_java_written(ec_cluster, ec_files, pol):
    for name, data in ec_files[pol].items():
        url = _url(ec_cluster, "/ec/%s/%s" % (pol, name))
        with easy.open(url, "rb") as f:
            assert f.read() == data, name
        with easy.open(url, "rb", buffer_size=1000) as f:
            got = []
            while True:
                b = f.read(333_333)
                if not b:
                    break
                got.append(b)
            assert b"".join(got) == data, name
            n = len(data)
            for off, ln in ((0, 10), (CELL - 2, 5), (n // 2, 3 * CELL), (n - 1, 9),
                            (max(0, n - CELL - 1), CELL + 1)):
                assert f.pread(off, ln) == data[off:off + ln], (name, off, ln)


def test_blocks_are_striped(ec_cluster, ec_files):
    # The second group holds 1.5 stripes' worth: data block 2 is empty,
    # and has no location. complete() needs only k internal blocks
    # reported: the parity blocks' reports may come later.
    want = [[0, 1, 2, 3, 4], [0, 1, 3, 4]]
    deadline = time.monotonic() + 120
    while True:
        got = [sorted(lb.blockIndices) for lb in _groups(ec_cluster, "/ec/%s/groups" % RS)]
        if got == want or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert got == want


def test_corrupt_internal_block(ec_cluster, ec_files):
    """Bad bytes in data block 1 (the second cell of each stripe): the read
    rebuilds them from parity and reports that internal block to the
    NameNode (reportBadBlocks), as Java's striped reader does."""
    path = "/ec/%s/corrupt" % RS
    data = payload(3 * CELL + CELL + 7, 79)
    with easy.open(_url(ec_cluster, path), "wb", blocksize=BLOCKSIZE) as f:
        f.write(data)
    lb = _groups(ec_cluster, path)[0]
    ec_cluster.corrupt_replica(_internal(lb, 1), offset=100, nbytes=4)
    with easy.open(_url(ec_cluster, path), "rb") as f:
        assert f.read() == data
        st = f.stats
    assert st["checksum_failures"] >= 1
    assert st["bad_replicas_reported"] == 1


def _dn_of(mc, lb, idx):
    loc = lb.locs[list(lb.blockIndices).index(idx)]
    for i, dn in enumerate(mc.datanodes):
        if dn.xfer_port == loc.id.xferPort:
            return i
    raise LookupError(idx)


# --- writes -----------------------------------------------------------------

@pytest.mark.parametrize("pol", [RS, XOR])
def test_write_read_back_by_java(ec_cluster, ec_files, pol):
    """Striped files hadoofus wrote (sizes ending mid-cell, mid-stripe,
    over two groups): Java's FsShell and hadoofus read them byte-identical
    and fsck finds every group healthy."""
    k = SCHEMA[pol][0]
    d = "/ec/%s/w" % pol
    written = {}
    for i, (name, size) in enumerate(_sizes(k).items()):
        data = payload(size, 1000 + i)
        path = "%s/%s" % (d, name)
        with easy.open(_url(ec_cluster, path), "wb", blocksize=BLOCKSIZE) as f:
            # Odd-sized writes: cells and stripes fill across calls.
            for o in range(0, len(data), 700_001):
                f.write(data[o:o + 700_001])
        with easy.open(_url(ec_cluster, path), "rb") as f:
            assert f.read() == data, name
        written[path] = data
    # One JVM for all: -cat prints the files one after the other.
    assert ec_cluster.fs_shell("-cat", *written).stdout == b"".join(written.values())
    fsck = ec_cluster.fsck(d, "-files", "-blocks").stdout.decode()
    assert "Status: HEALTHY" in fsck, fsck
    assert "erasure-coded" in fsck and pol in fsck, fsck


def test_parity_matches_java(ec_cluster, ec_files, tmp_path):
    """The same bytes written by Java and by hadoofus: every internal
    block, parity included, is identical on disk."""
    d = "/ec/%s/same" % RS
    data = payload(2 * 3 * CELL + CELL + 4097, 77)   # a group and a bit
    fs_put(ec_cluster, tmp_path, d, {"java": data}, conf={"dfs.blocksize": BLOCKSIZE})
    with easy.open(_url(ec_cluster, d + "/ours"), "wb", blocksize=BLOCKSIZE) as f:
        f.write(data)
    # complete() needs only k internal blocks reported, for Java's file as
    # for ours: wait for both parity blocks of both files (the DataNodes'
    # incremental reports can take a while on a busy machine).
    nn = hadoofus.rpc(ec_cluster.host, ec_cluster.port)
    deadline = time.monotonic() + 120
    while True:
        theirs = list(nn.getBlockLocations(d + "/java"))
        ours = list(nn.getBlockLocations(d + "/ours"))
        if (all({3, 4} <= set(g.blockIndices) for g in theirs + ours)
                and [sorted(g.blockIndices) for g in theirs]
                == [sorted(g.blockIndices) for g in ours]):
            break
        assert time.monotonic() < deadline, (
            "internal blocks reported: java %s, ours %s"
            % ([list(g.blockIndices) for g in theirs], [list(g.blockIndices) for g in ours]))
        time.sleep(0.5)
    nn.close()
    assert len(theirs) == len(ours) == 2
    for gj, go in zip(theirs, ours):
        for idx in gj.blockIndices:   # a short group has no third data block
            (fj,) = ec_cluster.block_files(_internal(gj, idx))
            (fo,) = ec_cluster.block_files(_internal(go, idx))
            with open(fj, "rb") as a, open(fo, "rb") as b:
                assert a.read() == b.read(), idx


def test_checksum_matches_java(ec_cluster, ec_files):
    """easy.checksum of striped files (OP_BLOCK_GROUP_CHECKSUM per group)
    is `hadoop fs -checksum`'s."""
    paths = ["/ec/%s/%s" % (pol, name) for pol, files in ec_files.items() for name in files]
    java = java_checksums(ec_cluster, paths)
    assert len(java) == len(paths)
    for p in paths:
        ck = easy.checksum(_url(ec_cluster, p))
        assert (ck.algorithm, ck.hex()) == java[p], p


def test_composite_crc_across_layouts(ec_cluster, ec_files, tmp_path):
    """dfs.checksum.combine.mode=COMPOSITE_CRC: `hadoop fs -checksum` with
    the mode set, of striped files (RS-3-2, XOR-2-1) and of replicated
    copies of the same bytes with other block and chunk sizes; every layout
    of the same bytes gets the same checksum, the CRC32C of the bytes."""
    names = ("one", "midcell", "midstripe", "groups")
    paths = {}
    for pol in (RS, XOR):
        for n in names:
            paths["/ec/%s/%s" % (pol, n)] = ec_files[pol][n]
    rs = {n: ec_files[RS][n] for n in names}
    for i, conf in enumerate(({"dfs.blocksize": CELL},
                              {"dfs.blocksize": 3 * CELL, "dfs.bytes-per-checksum": 1024})):
        d = "/rep/composite%d" % i
        (tmp_path / str(i)).mkdir()
        fs_put(ec_cluster, tmp_path / str(i), d, rs, conf)
        paths.update(("%s/%s" % (d, n), data) for n, data in rs.items())
    java = java_checksums(ec_cluster, list(paths), {"dfs.checksum.combine.mode": "COMPOSITE_CRC"})
    assert len(java) == len(paths)
    fs = easy.filesystem(ec_cluster.host, ec_cluster.port)
    for p, data in paths.items():
        ck = easy.checksum(p, fs=fs, mode="COMPOSITE_CRC")
        assert (ck.algorithm, ck.hex()) == java[p], p
        assert ck.crc == crc32c(data), p


_LIBHDFS_SCRIPT = r'''
import ctypes, os, sys
lib = ctypes.CDLL(sys.argv[1])
host, port, src, dst, size, bs = (sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5],
                                  int(sys.argv[6]), int(sys.argv[7]))
P, I = ctypes.c_void_p, ctypes.c_int
lib.hdfsConnect.restype = P
lib.hdfsConnect.argtypes = [ctypes.c_char_p, ctypes.c_uint16]
lib.hdfsOpenFile.restype = P
lib.hdfsOpenFile.argtypes = [P, ctypes.c_char_p, I, I, ctypes.c_short, ctypes.c_int32]
lib.hdfsRead.argtypes = [P, P, P, ctypes.c_int32]
lib.hdfsPread.argtypes = [P, P, ctypes.c_int64, P, ctypes.c_int32]
lib.hdfsWrite.argtypes = [P, P, P, ctypes.c_int32]
lib.hdfsCloseFile.argtypes = [P, P]
lib.hdfsDisconnect.argtypes = [P]
fs = lib.hdfsConnect(host.encode(), port)
f = lib.hdfsOpenFile(fs, src.encode(), os.O_RDONLY, 0, 0, 0)
buf = ctypes.create_string_buffer(size)
got = 0
while got < size:
    n = lib.hdfsRead(fs, f, ctypes.byref(buf, got), min(size - got, 1 << 20))
    assert n > 0, n
    got += n
tail = ctypes.create_string_buffer(1000)
assert lib.hdfsPread(fs, f, size - 1000, tail, 1000) == 1000
assert tail.raw == buf.raw[-1000:]
lib.hdfsCloseFile(fs, f)
w = lib.hdfsOpenFile(fs, dst.encode(), os.O_WRONLY, 0, 0, bs)
assert lib.hdfsWrite(fs, w, buf, size) == size
assert lib.hdfsCloseFile(fs, w) == 0
lib.hdfsDisconnect(fs)
sys.stdout.buffer.write(buf.raw)
'''


def test_libhdfs_reads_and_writes(ec_cluster, ec_files):
    """libhdfs_hadoofus.so, in a process of its own: hdfsRead/hdfsPread of
    a Java-written striped file, and hdfsWrite of a copy into the EC
    directory, which Java reads back."""
    d = hadoofus.libhdfs_dir()
    if d is None:
        pytest.skip("this hadoofus was not installed from a wheel")
    src = "/ec/%s/groups" % RS
    dst = "/ec/%s/w/libhdfs-copy" % RS
    data = ec_files[RS]["groups"]
    p = subprocess.run([sys.executable, "-c", _LIBHDFS_SCRIPT, os.path.join(d, "libhdfs.so"),
                        ec_cluster.host, str(ec_cluster.port), src, dst, str(len(data)),
                        str(BLOCKSIZE)], capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout == data
    assert ec_cluster.fs_shell("-cat", dst).stdout == data
    fsck = ec_cluster.fsck(dst, "-files", "-blocks").stdout.decode()
    assert "erasure-coded" in fsck and RS in fsck, fsck



def test_write_with_datanode_killed(ec_cluster, ec_files):
    """A DataNode of the open group dies mid-write: its streamer is left
    behind, the file completes, and Java reads it back, rebuilding that
    internal block from the parity hadoofus wrote."""
    path = "/ec/%s/w/killed" % RS
    # One group: the kill is what the open group lives through (a later
    # addBlock would depend on when the NameNode notices the death).
    data = payload(2 * 3 * CELL - 12345, 78)
    killed = None
    try:
        with easy.open(_url(ec_cluster, path), "wb", blocksize=BLOCKSIZE) as f:
            f.write(data[:3 * CELL + 100])
            nn = hadoofus.rpc(ec_cluster.host, ec_cluster.port)
            last = nn.getBlockLocations(path).last_block
            killed = _dn_of(ec_cluster, last, 1)
            ec_cluster.kill_datanode(killed)
            f.write(data[3 * CELL + 100:])
        assert ec_cluster.fs_shell("-cat", path).stdout == data
        with easy.open(_url(ec_cluster, path), "rb", retry_window=0.01) as f:
            assert f.read() == data
    finally:
        if killed is not None:
            ec_cluster.restart_datanode(killed)


def test_read_with_datanodes_killed(ec_cluster, ec_files):
    """Kill the DataNodes of data blocks 0 and then 2 (RS-3-2 has 2 parity
    blocks): each read rebuilds from parity; a third loss is an error."""
    path = "/ec/%s/groups" % RS
    data = ec_files[RS]["groups"]
    lb = _group_with(ec_cluster, path, 0, (0, 2))
    killed = []
    try:
        for idx in (0, 2):
            i = _dn_of(ec_cluster, lb, idx)
            ec_cluster.kill_datanode(i)
            killed.append(i)
            with easy.open(_url(ec_cluster, path), "rb", retry_window=0.01) as f:
                assert f.read() == data
                assert f.pread(CELL - 1, 2 * CELL) == data[CELL - 1:3 * CELL - 1]
        # XOR-2-1 has one parity block: with two DataNodes of its group
        # down (if both are) the read fails with a clear error.
        xl = _group_with(ec_cluster, "/ec/%s/groups" % XOR, 0, (0, 1, 2))
        gone = sum(1 for j in range(3) if _dn_of(ec_cluster, xl, j) in killed)
        if gone >= 2:
            with pytest.raises(hadoofus.HadoofusError, match="internal blocks readable"):
                with easy.open(_url(ec_cluster, "/ec/%s/groups" % XOR), "rb",
                               retry_window=0.01) as f:
                    f.read()
    finally:
        for i in killed:
            ec_cluster.restart_datanode(i)


def test_stream_read_with_datanode_killed(ec_cluster, ec_files):
    """A sequential read across three groups in reads that straddle cells
    and stripes, the DataNode of group 1's data block 1 killed after the
    first read: the read-ahead stream gives up on that internal block and
    the read goes on from parity, byte-identical."""
    path = "/ec/%s/stream" % RS
    data = payload(3 * 2 * 3 * CELL - CELL // 2 + 5, 80)
    with easy.open(_url(ec_cluster, path), "wb", blocksize=BLOCKSIZE) as f:
        f.write(data)
    assert len(_groups(ec_cluster, path)) == 3
    lb = _group_with(ec_cluster, path, 1, (1,))
    killed = None
    try:
        with easy.open(_url(ec_cluster, path), "rb", retry_window=0.01) as f:
            chunk = 700 * 1024 + 3
            got = [f.read(chunk)]
            killed = _dn_of(ec_cluster, lb, 1)
            ec_cluster.kill_datanode(killed)
            while True:
                b = f.read(chunk)
                if not b:
                    break
                got.append(b)
            st = f.stats
        out = b"".join(got)
        assert len(out) == len(data)
        assert out == data, "first differing byte at %d" % next(
            i for i in range(len(data)) if out[i] != data[i])
        assert st["datanode_failures"] >= 1, st
    finally:
        if killed is not None:
            ec_cluster.restart_datanode(killed)
