"""HDFS v1 (Hadoop 1.x): MiniCluster(version="1.2.1") and the clients on it.

One Hadoop 1.2.1 cluster per module (2 DataNodes); 1.0.4 only where it is
cheap (one start).  Files are cross-checked with the 1.x FsShell.
"""

import os

import pytest

from conftest import MiniCluster, payload, running_cluster, wait_block_locations

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


def test_v104_minicluster_restart_rpc_and_read(tmp_path):
    """Hadoop 1.0.4: the cluster keeps its data over stop/start, and the
    v1 client (found from the v2 handshake), READ_BLOCK and easy.open
    work on it as on 1.2.1."""
    import hadoofus
    mc = MiniCluster(version="1.0.4", datanodes=1, replication=1, heap="128m")
    try:
        mc.start()
        data = payload(2000, 5)
        (tmp_path / "h").write_bytes(data)
        mc.fs_shell("-put", str(tmp_path / "h"), "/h")
        port = mc.port
        mc.stop()
        assert not mc.running
        mc.start()
        assert mc.port == port
        assert mc.fs_shell("-cat", "/h").stdout == data
        with hadoofus.rpc(mc.host, mc.port, user=mc.superuser) as c:
            assert c.protocol == 80 and c.getProtocolVersion(61) == 61
            assert c.getFileInfo("/h").size == 2000
            assert c.read("/h", 10, 1500) == data[10:1510]
        import hadoofus.easy as hfs
        url = "hdfs://%s:%d/e.bin" % (mc.host, mc.port)
        with hfs.open(url, "wb", user=mc.superuser) as f:
            f.write(data)
        assert mc.fs_shell("-cat", "/e.bin").stdout == data
        with hfs.open(url, "rb", user=mc.superuser) as f:
            assert f.pread(1000, 50) == data[1000:1050] and f.read() == data
    finally:
        mc.close()


def test_minicluster_v1_rejects_v2_only_options():
    with pytest.raises(ValueError):
        MiniCluster(version=V1, ha=True)


# --- the NameNode client (Writable RPC) ------------------------------------

@pytest.fixture(scope="module")
def v1rpc(v1cluster):
    import hadoofus
    with hadoofus.rpc(v1cluster.host, v1cluster.port, user=v1cluster.superuser) as c:
        yield c


def test_rpc_detects_v1_and_protocol_80(v1cluster, v1rpc):
    import hadoofus
    from hadoofus import _rpc_v1
    mc = v1cluster
    # Found from the v2 handshake, which 1.x closes unanswered.
    _rpc_v1._GENERATION.pop((mc.host, mc.port), None)
    with hadoofus.rpc(mc.host, mc.port, user=mc.superuser) as c:
        assert c.protocol == 80 and c.getFileInfo("/").isdir
    assert v1rpc.protocol == 80
    assert repr(v1rpc).startswith("rpc_v1(address='127.0.0.1', port=%d," % mc.port)
    assert "protocol=80" in repr(v1rpc)
    forced = hadoofus.rpc(mc.host, mc.port, user="root", protocol=80)
    assert forced.getProtocolVersion(61) == 61
    forced.close()
    with pytest.raises(hadoofus.InvalidArgumentError):
        hadoofus.rpc(mc.host, mc.port, protocol=7)
    # The cue is the driver's flag, not its message: a v2 client forced on
    # 1.x sees its handshake closed unanswered.
    from hadoofus._native import lib
    v2 = hadoofus.rpc(mc.host, mc.port, user="root", protocol=9)
    with pytest.raises(hadoofus.ConnectionLostError):
        v2.connect()
    assert lib.hdfs_namenode_handshake_unanswered(v2._nn) == 1
    v2.close()


def _mismatch_warnings(mc):
    """The NameNode log's warnings about clients of another IPC version."""
    text = "".join(t for name, t in mc.logs().items() if "namenode" in name)
    return text.count("Incorrect header or version mismatch")


def test_rpc_v2_server_stays_v2(cluster):
    """Generation detection starts with v2: a 2.7.3 NameNode sees one
    ordinary connection, kept by the client, and logs no warning."""
    import time
    import hadoofus
    from hadoofus import _rpc_v1
    before = _mismatch_warnings(cluster)
    _rpc_v1._GENERATION.pop((cluster.host, cluster.port), None)
    c = hadoofus.rpc(cluster.host, cluster.port, user="hdfs")
    assert type(c) is hadoofus.rpc
    assert c.getFileInfo("/").isdir
    assert c.num_connects == 1      # the detection's connection serves the calls
    from hadoofus._native import lib
    assert lib.hdfs_namenode_handshake_unanswered(c._nn) == 0
    assert _rpc_v1._GENERATION[(cluster.host, cluster.port)] == 9
    # protocol=80 against a v2 NameNode: its VersionMismatch, as a fatal answer.
    v1 = hadoofus.rpc(cluster.host, cluster.port, user="hdfs", protocol=80)
    with pytest.raises(hadoofus.ConnectionRejectedError) as ei:
        v1.getFileInfo("/")
    assert "VersionMismatch" in str(ei.value)
    # That v1 header was logged: the count above is worth something.
    deadline = time.monotonic() + 30
    while _mismatch_warnings(cluster) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _mismatch_warnings(cluster) == before + 1, \
        "NameNode warnings about IPC versions: %d before, %d after" % (
            before, _mismatch_warnings(cluster))


def test_rpc_v1_namespace_ops(v1cluster, v1rpc, tmp_path):
    import hadoofus
    from hadoofus.types import ContentSummary, FileStatus, FsStats
    mc, c = v1cluster, v1rpc
    assert c.mkdirs("/ns/a/b")
    st = c.getFileInfo("/ns/a")
    assert isinstance(st, FileStatus) and st.isdir and st.owner == mc.superuser
    assert c.getFileInfo("/ns/none") is None
    local = tmp_path / "f"
    local.write_bytes(payload(3000, 2))
    mc.fs_shell("-put", str(local), "/ns/f")
    f = c.getFileInfo("/ns/f")
    assert f.is_file and f.size == 3000 and f.replication == 2 and f.permission == 0o644
    names = [s.path for s in c.getListing("/ns")]
    assert names == ["a", "f"]
    cs = c.getContentSummary("/ns")
    assert isinstance(cs, ContentSummary)
    assert (cs.length, cs.file_count, cs.directory_count) == (3000, 1, 3)
    assert cs.quota == -1 or cs.quota > 0
    stats = c.getFsStats()
    assert isinstance(stats, FsStats) and stats.capacity > 0
    # Setters, checked by the 1.x FsShell.
    assert c.setReplication("/ns/f", 1)
    c.setPermission("/ns/f", 0o600)
    c.setOwner("/ns/f", "bob", "users")
    c.setTimes("/ns/f", 1_000_000_000_000, -1)
    ls = mc.fs_shell("-ls", "/ns").stdout.decode()
    line = [x for x in ls.splitlines() if x.endswith("/ns/f")][0]
    assert line.split()[:4] == ["-rw-------", "1", "bob", "users"]
    assert c.getFileInfo("/ns/f").mtime == 1_000_000_000_000
    assert c.rename("/ns/a", "/ns/c")
    assert not c.rename("/ns/none", "/ns/d")
    assert c.delete("/ns/c", True)
    assert mc.fs_shell("-ls", "/ns").stdout.decode().count("/ns/") == 1
    # Errors: the same classes as on v2.
    with pytest.raises(hadoofus.FileNotFoundException):
        c.getListing("/ns/none")
    alice = hadoofus.rpc(mc.host, mc.port, user="alice")
    with pytest.raises(hadoofus.AccessControlException) as ei:
        alice.mkdirs("/ns/alice")
    assert isinstance(ei.value, PermissionError) and "alice" in str(ei.value)
    alice.close()


def test_rpc_v1_create_blocks_and_pipelining(v1cluster, v1rpc):
    from hadoofus.types import LocatedBlock, LocatedBlocks
    c = v1rpc
    st = c.create("/blk/f", replication=2, blockSize=1 << 20)
    assert st.is_file and st.size == 0 and st.blocksize == 1 << 20
    lb = c.addBlock("/blk/f")
    assert isinstance(lb, LocatedBlock) and lb.offset == 0 and len(lb.locations) == 2
    assert {d.xfer_port for d in lb.locations} == {d.xfer_port for d in v1cluster.datanodes}
    c.renewLease()
    c.abandonBlock(lb, "/blk/f")
    lbs = c.getBlockLocations("/blk/f")
    assert isinstance(lbs, LocatedBlocks) and lbs.under_construction and len(lbs) == 0
    assert c.complete("/blk/f")
    assert c.getBlockLocations("/blk/f").under_construction is False
    # Many calls in flight on the one connection, answered by id.
    n0 = c.num_calls
    out = c.pipeline_calls([("getFileInfo", ("str", "/blk/f"))] * 50
                           + [("getFileInfo", ("str", "/blk/none"))])
    assert c.num_calls == n0 + 51
    assert all(s.size == 0 for s in out[:50]) and out[50] is None


# --- DataTransferProtocol 17 -------------------------------------------------

def test_read_block_v17_crosschecked(v1cluster, v1rpc, tmp_path):
    mc, c = v1cluster, v1rpc
    data = payload(300_000, 3)
    local = tmp_path / "r.bin"
    local.write_bytes(data)
    # Small blocks: the file spans 3 blocks; offsets cut chunks and blocks.
    mc.fs_shell("-D", "dfs.block.size=131072", "-put", str(local), "/rd/r.bin")
    lbs = c.getBlockLocations("/rd/r.bin")
    assert len(lbs) == 3 and lbs.file_length == len(data)
    assert c.read("/rd/r.bin") == data
    for off, n in ((0, 1), (511, 2), (131071, 3), (100_000, 150_000), (299_999, 10)):
        assert c.read("/rd/r.bin", off, n) == data[off:off + n]
    assert c.read("/rd/r.bin", len(data), 5) == b""


def test_read_block_v17_bad_replica_fails_over(v1cluster, v1rpc, tmp_path):
    import hadoofus
    mc, c = v1cluster, v1rpc
    data = payload(5000, 4)
    local = tmp_path / "c.bin"
    local.write_bytes(data)
    mc.fs_shell("-put", str(local), "/rd/c.bin")
    lb = wait_block_locations(c, "/rd/c.bin", 2)[0]
    first = lb.locations[0].xfer_port
    dn = [d for d in mc.datanodes if d.xfer_port == first][0]
    # 1.x block ids are random Java longs: the file name has the signed one.
    block_id = hadoofus._rpc_v1._signed64(lb.b.blockId)
    [(_, path, _)] = [r for r in mc.block_replicas(block_id) if r[0] is dn]
    with open(path, "r+b") as f:
        f.seek(1000)
        f.write(bytes([data[1000] ^ 0xFF]))
    with pytest.raises(hadoofus.ChecksumError):
        hadoofus._rpc_v1._read_replica(lb, lb.locations[0], 0, 5000, "t", 10)
    assert c.read("/rd/c.bin") == data       # the second replica serves it


def test_write_block_v17_pipeline(v1cluster, v1rpc, tmp_path):
    mc, c = v1cluster, v1rpc
    data = payload(200_000, 6)            # 2 blocks of 128 KiB; packets of 64512
    assert c.write("/wr/a.bin", data, replication=2, blockSize=131072) == len(data)
    assert mc.fs_shell("-cat", "/wr/a.bin").stdout == data
    lbs = wait_block_locations(c, "/wr/a.bin", 2)
    assert len(lbs) == 2
    assert c.read("/wr/a.bin") == data
    assert c.write("/wr/empty", b"") == 0
    assert mc.fs_shell("-cat", "/wr/empty").stdout == b""
    out = tmp_path / "a.bin"
    mc.fs_shell("-get", "/wr/a.bin", str(out))   # the 1.x client verifies CRC32s
    assert out.read_bytes() == data


# --- easy.open, hadoofus.data -------------------------------------------------

def test_easy_v1_write_read_crosschecked(v1cluster, tmp_path):
    """easy.open on an hdfs:// URL of a v1 NameNode: written files read back
    by the 1.x FsShell byte for byte, FsShell's files read with seeks and
    positional reads."""
    import io
    import hadoofus
    import hadoofus.easy as hfs
    mc = v1cluster
    base = "hdfs://%s:%d" % (mc.host, mc.port)
    data = payload(300_000, 7)      # 3 blocks of 128 KiB, the last partial
    with hfs.open(base + "/easy/w.bin", "wb", user=mc.superuser, blocksize=131072,
                  replication=2) as f:
        assert isinstance(f, io.BufferedIOBase)
        for i in range(0, len(data), 70_000):   # writes that straddle blocks
            assert f.write(data[i:i + 70_000]) == len(data[i:i + 70_000])
        assert f.tell() == len(data)
    assert mc.fs_shell("-cat", "/easy/w.bin").stdout == data
    with hfs.open(base + "/easy/t.txt", "w", user=mc.superuser) as f:
        f.write("héllo\nv1\n")
    assert mc.fs_shell("-cat", "/easy/t.txt").stdout == "héllo\nv1\n".encode()
    with pytest.raises(hadoofus.FileAlreadyExistsException):
        hfs.open(base + "/easy/t.txt", "xb", user=mc.superuser)
    with pytest.raises(hadoofus.UnsupportedOperationException):
        hfs.open(base + "/easy/t.txt", "ab", user=mc.superuser)

    local = tmp_path / "r.bin"
    local.write_bytes(data)
    mc.fs_shell("-D", "dfs.block.size=131072", "-put", str(local), "/easy/r.bin")
    with hfs.open(base + "/easy/r.bin", "rb", user=mc.superuser) as f:
        assert isinstance(f.raw, hfs.HdfsFileReader) and f.length == len(data)
        assert f.read(1000) == data[:1000]
        f.seek(131000)
        assert f.read(200) == data[131000:131200]
        assert f.seek(-10, io.SEEK_END) == len(data) - 10
        assert f.read() == data[-10:] and f.read() == b""
        assert f.pread(262100, 100) == data[262100:262200]
        buf = bytearray(5000)
        assert f.preadinto(129000, buf) == 5000 and bytes(buf) == data[129000:134000]
        assert f.pread(len(data) - 3, 10) == data[-3:]
    with hfs.open(base + "/easy/r.bin", "rb", user=mc.superuser) as f:
        assert f.read() == data
    with hfs.open(base + "/easy/t.txt", user=mc.superuser) as f:
        assert f.read() == "héllo\nv1\n"
    mc.fs_shell("-touchz", "/easy/empty")
    with hfs.open(base + "/easy/empty", "rb", user=mc.superuser) as f:
        assert f.read() == b"" and f.length == 0
    with pytest.raises(hadoofus.FileNotFoundException):
        hfs.open(base + "/easy/none", "rb", user=mc.superuser)
    with pytest.raises(IsADirectoryError):
        hfs.open(base + "/easy", "rb", user=mc.superuser)


def test_easy_v1_write_streams_in_bounded_memory(v1cluster, v1rpc):
    """A v1 write streams packet by packet: 3 blocks of 1 MiB written in
    64 KiB pieces never hold more than one packet and its encoding (the
    stream's own count), and the 1.x FsShell reads the file back whole."""
    import hadoofus.easy as hfs
    mc = v1cluster
    data = payload(3 << 20, 12)
    with hfs.open("hdfs://%s:%d/stream/s.bin" % (mc.host, mc.port), "wb",
                  user=mc.superuser, blocksize=1 << 20, replication=2) as f:
        for i in range(0, len(data), 65536):
            f.write(data[i:i + 65536])
    # One 64512-byte packet gathering plus the one being sent: far below
    # the 1 MiB a block-buffering writer holds.
    assert 64512 < f.buffered_peak <= 2 * 65536, f.buffered_peak
    assert mc.fs_shell("-cat", "/stream/s.bin").stdout == data
    assert len(list(v1rpc.getBlockLocations("/stream/s.bin"))) == 3


def test_data_v1_block_read_write(v1cluster, v1rpc):
    """hadoofus.data on v1 blocks: write a block from addBlock, read it
    (and parts) back, the file cross-checked by the 1.x FsShell."""
    import hadoofus
    mc, c = v1cluster, v1rpc
    data = payload(100_000, 8)
    c.create("/blk/d.bin", replication=2, blockSize=1 << 20)
    lb = c.addBlock("/blk/d.bin")
    d = hadoofus.data(lb, c.client_name)
    assert d.write(data) == len(data) and lb.b.numBytes == len(data)
    c._complete_file("/blk/d.bin")
    assert mc.fs_shell("-cat", "/blk/d.bin").stdout == data
    [lb] = list(c.getBlockLocations("/blk/d.bin"))
    with hadoofus.data(lb, "reader") as d:
        # Replicas past the first may be reported after complete: not counted.
        assert d.length == len(data) and d.locations
        assert d.read() == data
        assert d.read(99_990) == data[99_990:]
        assert d.read(512, 1000) == data[512:1512]
        buf = bytearray(10)
        assert d.readinto(buf, 5) == 10 and bytes(buf) == data[5:15]
        with pytest.raises(hadoofus.InvalidArgumentError):
            d.read(0, len(data) + 1)


def test_easy_v1_checksum_matches_java(v1cluster, tmp_path):
    """easy.checksum on v1 (OP_BLOCK_CHECKSUM 85) equals Java 1.x's
    DistributedFileSystem.getFileChecksum, for one and several blocks."""
    import shutil
    import subprocess
    import hadoofus.easy as hfs
    if not shutil.which("javac"):
        pytest.skip("needs javac (./dev.sh setup installs a JDK)")
    mc = v1cluster
    base = "hdfs://%s:%d" % (mc.host, mc.port)
    local = tmp_path / "k.bin"
    local.write_bytes(payload(300_000, 9))
    mc.fs_shell("-D", "dfs.block.size=131072", "-put", str(local), "/ck/multi")
    with hfs.open(base + "/ck/one", "wb", user=mc.superuser) as f:
        f.write(payload(5000, 10))
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run(["javac", "-d", str(tmp_path), "-cp", mc.classpath,
                    os.path.join(here, "java", "V1Checksum.java")], check=True)
    r = subprocess.run([mc.java_path, "-cp", mc.classpath + os.pathsep + str(tmp_path),
                        "V1Checksum", base, "/ck/multi", "/ck/one"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    java = r.stdout.decode().split()
    ours = []
    for p in ("/ck/multi", "/ck/one"):
        c = hfs.checksum(base + p, user=mc.superuser)
        ours += [str(c), c.hex()]
    # Java 1.x's getBytes() is DataOutputBuffer.getData(): the 28 bytes
    # and the zeros after them up to the buffer's 32.
    java[1], java[3] = java[1][:56], java[3][:56]
    assert ours == java, r.stderr.decode()[-2000:]
    assert ours[0].startswith("MD5-of-256MD5-of-512CRC32:")   # 128 KiB blocks
    assert ours[2].startswith("MD5-of-0MD5-of-512CRC32:")


def test_cli_v1_put_ls_cat(v1cluster, tmp_path):
    """The hadoofus command with --namenode at a v1 NameNode: put, ls, cat,
    mv, rm; the file read back by the 1.x FsShell."""
    import subprocess
    import sys
    mc = v1cluster
    data = payload(150_000, 11)
    (tmp_path / "p.bin").write_bytes(data)
    env = dict(os.environ, HADOOP_USER_NAME=mc.superuser, HADOOP_CONF_DIR=str(tmp_path))

    def cli(*args):
        r = subprocess.run([sys.executable, "-m", "hadoofus", "--namenode",
                            "%s:%d" % (mc.host, mc.port), *args], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, cwd=str(tmp_path), timeout=120)
        assert r.returncode == 0, (args, r.stderr.decode())
        return r.stdout

    cli("mkdir", "-p", "/cli/d")
    cli("put", str(tmp_path / "p.bin"), "/cli/d/p.bin")
    assert mc.fs_shell("-cat", "/cli/d/p.bin").stdout == data
    assert cli("cat", "/cli/d/p.bin") == data
    ls = cli("ls", "/cli/d").decode()
    assert "/cli/d/p.bin" in ls and " 150000 " in ls, ls
    cli("mv", "/cli/d/p.bin", "/cli/q.bin")
    assert cli("cat", "/cli/q.bin") == data
    cli("rm", "/cli/q.bin")
    assert "/cli/q.bin" not in mc.fs_shell("-ls", "/cli").stdout.decode()


# --- libhdfs_hadoofus.so ----------------------------------------------------

# Run in a child: libhdfs through ctypes, on the v1 NameNode at argv[2].
_LIBHDFS_V1 = r'''
import ctypes as C, errno, sys
lib = C.CDLL(sys.argv[1], use_errno=True)
host, port, base, user = sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
data = bytes(range(256)) * 1200              # 307200 bytes: 3 blocks of 128 KiB

class Info(C.Structure):
    _fields_ = [("kind", C.c_int), ("name", C.c_char_p), ("mtime", C.c_long),
                ("size", C.c_int64), ("repl", C.c_short), ("bsize", C.c_int64),
                ("owner", C.c_char_p), ("group", C.c_char_p), ("perm", C.c_short),
                ("atime", C.c_long)]

lib.hdfsConnectAsUser.restype = C.c_void_p
lib.hdfsConnectAsUser.argtypes = [C.c_char_p, C.c_uint16, C.c_char_p]
lib.hdfsOpenFile.restype = C.c_void_p
lib.hdfsOpenFile.argtypes = [C.c_void_p, C.c_char_p, C.c_int, C.c_int, C.c_short, C.c_int32]
for f in ("hdfsWrite", "hdfsRead"):
    getattr(lib, f).argtypes = [C.c_void_p, C.c_void_p, C.c_void_p, C.c_int32]
lib.hdfsPread.argtypes = [C.c_void_p, C.c_void_p, C.c_int64, C.c_void_p, C.c_int32]
lib.hdfsSeek.argtypes = [C.c_void_p, C.c_void_p, C.c_int64]
lib.hdfsCloseFile.argtypes = [C.c_void_p, C.c_void_p]
lib.hdfsHFlush.argtypes = [C.c_void_p, C.c_void_p]
for f in ("hdfsCreateDirectory", "hdfsExists"):
    getattr(lib, f).argtypes = [C.c_void_p, C.c_char_p]
lib.hdfsDelete.argtypes = [C.c_void_p, C.c_char_p, C.c_int]
lib.hdfsRename.argtypes = [C.c_void_p, C.c_char_p, C.c_char_p]
lib.hdfsGetPathInfo.restype = C.POINTER(Info)
lib.hdfsGetPathInfo.argtypes = [C.c_void_p, C.c_char_p]
lib.hdfsListDirectory.restype = C.POINTER(Info)
lib.hdfsListDirectory.argtypes = [C.c_void_p, C.c_char_p, C.POINTER(C.c_int)]
lib.hdfsFreeFileInfo.argtypes = [C.POINTER(Info), C.c_int]
lib.hdfsGetCapacity.restype = C.c_int64
lib.hdfsGetCapacity.argtypes = [C.c_void_p]
lib.hdfsDisconnect.argtypes = [C.c_void_p]

fs = lib.hdfsConnectAsUser(host.encode(), port, user.encode())
assert fs, "hdfsConnect"
b = base.encode()
assert lib.hdfsCreateDirectory(fs, b + b"/d") == 0
f = lib.hdfsOpenFile(fs, b + b"/d/w.bin", 1, 0, 2, 131072)      # O_WRONLY
assert f, "open for writing"
for i in range(0, len(data), 100000):
    chunk = data[i:i + 100000]
    assert lib.hdfsWrite(fs, f, chunk, len(chunk)) == len(chunk)
assert lib.hdfsHFlush(fs, f) == -1 and C.get_errno() == errno.ENOTSUP
assert lib.hdfsCloseFile(fs, f) == 0
st = lib.hdfsGetPathInfo(fs, b + b"/d/w.bin")
assert st and st[0].size == len(data) and st[0].kind == ord("F") and st[0].repl == 2
assert st[0].owner == user.encode() and st[0].name.endswith(b"/d/w.bin"), st[0].name
lib.hdfsFreeFileInfo(st, 1)
assert not lib.hdfsGetPathInfo(fs, b + b"/none")
n = C.c_int()
ls = lib.hdfsListDirectory(fs, b + b"/d", C.byref(n))
assert n.value == 1 and ls[0].name.endswith(b"/d/w.bin")
lib.hdfsFreeFileInfo(ls, n.value)

f = lib.hdfsOpenFile(fs, b + b"/d/w.bin", 0, 0, 0, 0)             # O_RDONLY
assert f, "open for reading"
buf = C.create_string_buffer(len(data) + 10)
got = bytearray()
while True:
    k = lib.hdfsRead(fs, f, buf, 70000)
    assert k >= 0
    if k == 0:
        break
    got += buf.raw[:k]
assert bytes(got) == data
assert lib.hdfsPread(fs, f, 131000, buf, 1000) == 1000 and buf.raw[:1000] == data[131000:132000]
assert lib.hdfsSeek(fs, f, 262100) == 0
assert lib.hdfsRead(fs, f, buf, 50) == 50 and buf.raw[:50] == data[262100:262150]
assert lib.hdfsCloseFile(fs, f) == 0
assert not lib.hdfsOpenFile(fs, b + b"/d/none", 0, 0, 0, 0)
assert lib.hdfsRename(fs, b + b"/d/w.bin", b + b"/d/x.bin") == 0
assert lib.hdfsExists(fs, b + b"/d/x.bin") == 0 and lib.hdfsExists(fs, b + b"/d/w.bin") != 0
assert lib.hdfsGetCapacity(fs) > 0
assert not lib.hdfsOpenFile(fs, b + b"/d/x.bin", 1 | 1024, 0, 0, 0)   # O_APPEND
assert C.get_errno() == errno.ENOTSUP
f = lib.hdfsOpenFile(fs, b + b"/d/y.bin", 1, 0, 1, 0)     # for the 1.x FsShell
assert f and lib.hdfsWrite(fs, f, data[:5000], 5000) == 5000 and lib.hdfsCloseFile(fs, f) == 0
assert lib.hdfsDelete(fs, b + b"/d/x.bin", 0) == 0
# Streamed: 8 MiB into a 64 MiB block in 64 KiB pieces barely moves the
# peak RSS (a block-buffering writer grows by the 8 MiB it holds).
import resource
piece = bytes(range(256)) * 256
f = lib.hdfsOpenFile(fs, b + b"/d/m.bin", 1, 0, 1, 64 << 20)
assert f and lib.hdfsWrite(fs, f, piece, len(piece)) == len(piece)
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for i in range(127):
    assert lib.hdfsWrite(fs, f, piece, len(piece)) == len(piece)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0
assert lib.hdfsCloseFile(fs, f) == 0
assert grown < 3 * 1024, "peak RSS grew by %d KiB writing 8 MiB" % grown
st = lib.hdfsGetPathInfo(fs, b + b"/d/m.bin")
assert st and st[0].size == 128 * len(piece), st[0].size
lib.hdfsFreeFileInfo(st, 1)
f = lib.hdfsOpenFile(fs, b + b"/d/m.bin", 0, 0, 0, 0)
assert lib.hdfsPread(fs, f, (8 << 20) - 1000, buf, 1000) == 1000
assert buf.raw[:1000] == (piece * 2)[-1000:] and lib.hdfsCloseFile(fs, f) == 0
lib.hdfsDisconnect(fs)
print("ok")
'''


def test_libhdfs_v1(v1cluster, tmp_path):
    """libhdfs_hadoofus.so on an hdfs:// NameNode that speaks v1: found by
    hdfsConnect itself; write (several blocks), stat, list, read, pread,
    seek, rename, delete; the file it wrote read by the 1.x FsShell."""
    import subprocess
    import sys
    import hadoofus
    mc = v1cluster
    d = hadoofus.libhdfs_dir()
    assert d is not None, "the installed hadoofus has no lib/libhdfs"
    env = dict(os.environ, HADOOP_CONF_DIR=str(tmp_path))
    env.pop("CLASSPATH", None)
    r = subprocess.run([sys.executable, "-c", _LIBHDFS_V1, os.path.join(d, "libhdfs.so"),
                        mc.host, str(mc.port), "/lh", mc.superuser],
                       env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == b"ok", r.stderr.decode()[-3000:]
    assert mc.fs_shell("-cat", "/lh/d/y.bin").stdout == (bytes(range(256)) * 20)[:5000]
