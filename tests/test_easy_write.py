"""hadoofus.easy.open for writing, against the real HDFS of tests/conftest.py.

Files written by hadoofus (0 B to 200 MiB, one block and many) are read
back by the stock Java client (FsShell -cat) byte for byte, and their HDFS
checksums (FsShell -checksum) equal those of the same bytes written by
Java. Then every way of writing a Python file (pieces, writelines, buffers,
text), append onto a partial and onto a full last block, hflush seen by a
Java reader while the file is open, hsync, two writers on one path, and
errors. DataNodes dying mid-write: tests/test_write_faults.py.
"""

import array
import hashlib
import io
import os
import time

import pytest

import hadoofus
from hadoofus import easy
from hadoofus._writer import HdfsFileWriter
from conftest import payload, run_threads, wait_block_locations

MIB = 1024 * 1024
BS = MIB

SMALL = [0, 1, 511, 512, 513, 65535, 65536, 65537]
MULTI = [3 * BS + 5, 10 * MIB + 1]


def url_of(cluster, path):
    return "hdfs://%s:%d%s" % (cluster.host, cluster.port, path)


def java_cat(cluster, *paths):
    """The bytes of the paths, concatenated (one JVM)."""
    return cluster.fs_shell("-cat", *paths).stdout


def java_checksums(cluster, *paths):
    """{path: (algorithm, hex)} from one `-checksum` run."""
    out = cluster.fs_shell("-checksum", *paths).stdout.decode()
    sums = {}
    for line in out.splitlines():
        p, algo, hexsum = line.rsplit(None, 2)
        sums[p] = (algo, hexsum)
    return sums


def fds():
    return len(os.listdir("/proc/self/fd"))


def threads():
    return len(os.listdir("/proc/self/task"))


def java_children():
    """Running JVMs started by this process (the session cluster's daemons,
    and any Java client left behind)."""
    me, n = os.getpid(), 0
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % pid, "rb") as f:
                st = f.read()
        except OSError:
            continue
        comm = st[st.index(b"(") + 1:st.rindex(b")")]
        fields = st[st.rindex(b")") + 2:].split()
        if comm == b"java" and int(fields[1]) == me and fields[0] != b"Z":
            n += 1
    return n


@pytest.fixture(scope="module")
def written(cluster, tmp_path_factory):
    """{size: (path, bytes)}: SMALL in one block, MULTI in 1 MiB blocks
    (replication 3: every block through a 3-node pipeline), written by
    hadoofus."""
    d = "/test/easy-write-%s" % os.urandom(4).hex()
    out = {}
    for n in SMALL + MULTI:
        data = payload(n, n)
        path = "%s/f%d" % (d, n)
        kw = {"blocksize": BS, "replication": 3} if n in MULTI else {}
        with easy.open(url_of(cluster, path), "wb", **kw) as f:
            # in uneven pieces, so that writes straddle packets and blocks
            pos, k = 0, 1
            while pos < n:
                assert f.write(data[pos:pos + k]) == len(data[pos:pos + k])
                pos += k
                k = k * 7 + 3
            assert f.tell() == n
        out[n] = (path, data)
    return out


def test_java_reads_back(cluster, written):
    sizes = sorted(written)
    got = java_cat(cluster, *[written[n][0] for n in sizes])
    want = b"".join(written[n][1] for n in sizes)
    assert len(got) == len(want)
    assert got == want


def test_lengths_blocks_replicas(cluster, written):
    nn = easy.filesystem(cluster.host, cluster.port)
    for n, (path, _data) in written.items():
        st = nn.getFileInfo(path)
        assert st.length == n
        blocks = nn.getBlockLocations(path)
        bs = BS if n in MULTI else st.blocksize
        assert len(blocks) == (n + bs - 1) // bs
        assert sum(b.b.numBytes for b in blocks) == n
        if n in MULTI:
            assert st.blocksize == BS and st.replication == 3
            wait_block_locations(nn, path, 3)


def test_checksums_equal_javas(cluster, written, tmp_path):
    """The same bytes put by Java (same block size and replication) have the
    same HDFS checksum: the DataNodes hold the same chunk CRCs."""
    d = "/test/easy-write-java-%s" % os.urandom(4).hex()
    cluster.fs_shell("-mkdir", "-p", d)
    for group, dopts in ((SMALL, []), (MULTI, ["-D", "dfs.blocksize=%d" % BS])):
        local = []
        for n in group:
            p = tmp_path / ("f%d" % n)
            p.write_bytes(written[n][1])
            local.append(str(p))
        cluster.fs_shell(*dopts, "-put", *local, d)
    ours = java_checksums(cluster, *[written[n][0] for n in SMALL + MULTI])
    javas = java_checksums(cluster, *["%s/f%d" % (d, n) for n in SMALL + MULTI])
    for n in SMALL + MULTI:
        assert ours[written[n][0]] == javas["%s/f%d" % (d, n)], n
    # hadoofus' own getFileChecksum agrees (easy.checksum is the read side's)
    for n in (0, 513, MULTI[0]):
        c = easy.checksum(url_of(cluster, written[n][0]))
        assert (c.algorithm, c.hex()) == ours[written[n][0]]


def test_200_mib(cluster, tmp_hdfs_dir):
    """One big file in 128 MiB blocks (the default), read back by Java."""
    url = url_of(cluster, tmp_hdfs_dir + "/big")
    block = payload(MIB, 200)
    h = hashlib.md5()
    with easy.open(url, "wb", replication=1) as f:
        for i in range(200):
            piece = block[i:] + block[:i]    # every MiB different
            f.write(piece)
            h.update(piece)
        assert f.stats["blocks"] == 2
    out = java_cat(cluster, tmp_hdfs_dir + "/big")
    assert len(out) == 200 * MIB
    assert hashlib.md5(out).hexdigest() == h.hexdigest()
    algo, _hex = java_checksums(cluster, tmp_hdfs_dir + "/big")[tmp_hdfs_dir + "/big"]
    assert algo == "MD5-of-262144MD5-of-512CRC32C"
    c = easy.checksum(url)
    assert c.algorithm == algo


# --- ways of writing ------------------------------------------------------------

def test_write_any_buffer(cluster, tmp_hdfs_dir):
    url = url_of(cluster, tmp_hdfs_dir + "/buffers")
    parts = [b"bytes;", bytearray(b"bytearray;"), memoryview(b"memoryview;"),
             array.array("i", [1, 2, 3]), memoryview(b"0123456789")[::2]]
    with easy.open(url, "wb") as f:
        assert isinstance(f, HdfsFileWriter) and isinstance(f, io.BufferedIOBase)
        assert f.writable() and not f.readable() and not f.seekable()
        for p in parts:
            assert f.write(p) == memoryview(p).nbytes
        f.writelines([b"a", b"b"])
        assert f.write(b"") == 0
        with pytest.raises(TypeError):
            f.write("str")
        with pytest.raises(io.UnsupportedOperation):
            f.read()
        with pytest.raises(io.UnsupportedOperation):
            f.seek(0)
    want = b"".join(memoryview(p).tobytes() for p in parts) + b"ab"
    assert java_cat(cluster, tmp_hdfs_dir + "/buffers") == want


def test_text_mode(cluster, tmp_hdfs_dir):
    url = url_of(cluster, tmp_hdfs_dir + "/text")
    with easy.open(url, "w") as f:
        assert isinstance(f, io.TextIOWrapper) and isinstance(f.buffer, HdfsFileWriter)
        assert f.write("Hello, world!\n") == 14
        print("h\u00e9llo", file=f)
    with easy.open(url, "a", encoding="latin-1") as f:
        f.write("\u00e9\n")
    assert java_cat(cluster, tmp_hdfs_dir + "/text") == \
        "Hello, world!\nh\u00e9llo\n".encode() + b"\xe9\n"


def test_close_and_after(cluster, tmp_hdfs_dir):
    url = url_of(cluster, tmp_hdfs_dir + "/closed")
    f = easy.open(url, "wb")
    f.write(b"x")
    f.close()
    assert f.closed
    f.close()   # again: nothing
    for op in (lambda: f.write(b"y"), f.flush, f.hsync, f.tell, lambda: f.writelines([b"z"])):
        with pytest.raises(ValueError):
            op()
    assert f.stats["bytes_written"] == 1
    with pytest.raises(ValueError):
        with f:
            pass
    # garbage collection closes (completes) a forgotten file, as Python does
    g = easy.open(url_of(cluster, tmp_hdfs_dir + "/forgotten"), "wb")
    g.write(b"gc")
    del g
    import gc
    gc.collect()
    assert java_cat(cluster, tmp_hdfs_dir + "/forgotten") == b"gc"


def test_one_writer_many_threads(cluster, tmp_hdfs_dir):
    """Writes from several threads take turns: every record lands whole."""
    url = url_of(cluster, tmp_hdfs_dir + "/threads")
    rec = 1000
    with easy.open(url, "wb", replication=3, blocksize=64 * 1024) as f:
        def work(k):
            for i in range(40):
                f.write(bytes([k]) * rec)
                if i % 8 == 0:
                    f.flush()
        run_threads(work, [(k,) for k in range(1, 5)])
    out = java_cat(cluster, tmp_hdfs_dir + "/threads")
    assert len(out) == 4 * 40 * rec
    for i in range(0, len(out), rec):
        assert out[i:i + rec] == out[i:i + 1] * rec
    assert sorted(out[i] for i in range(0, len(out), rec)) == \
        sorted(list(range(1, 5)) * 40)


# --- append -----------------------------------------------------------------------

def test_append_partial_and_full_blocks(cluster, tmp_hdfs_dir):
    path = tmp_hdfs_dir + "/appended"
    url = url_of(cluster, path)
    data = payload(3 * BS, 31)
    with easy.open(url, "wb", blocksize=BS, replication=3) as f:
        f.write(data[:1000])                       # a partial chunk
    # The file closes on the first replica's report; the others may come a
    # moment later (Hadoop 3 DataNodes often do): append sees what is in.
    fs = easy.filesystem(cluster.host, cluster.port)
    deadline = time.monotonic() + 30
    while len(fs.getBlockLocations(path)[0].locations) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    with easy.open(url, "ab") as f:
        assert f.tell() == 1000
        assert f.blocksize == BS and f.replication == 3
        assert len(f.pipeline) == 3                # the last block reopened
        f.write(data[1000:BS + 700])               # over the block boundary
    with easy.open(url, "ab") as f:
        f.write(data[BS + 700:2 * BS])             # fills block 2 exactly
    with easy.open(url, "ab") as f:
        assert f.tell() == 2 * BS
        assert f.pipeline == []                    # a full block: a new one comes
        f.write(data[2 * BS:])
    assert java_cat(cluster, path) == data
    blocks = easy.filesystem(cluster.host, cluster.port).getBlockLocations(path)
    assert [b.b.numBytes for b in blocks] == [BS, BS, BS]


def test_append_to_java_file(cluster, java_client, tmp_hdfs_dir):
    path = tmp_hdfs_dir + "/java"
    java_client.mkdir(tmp_hdfs_dir)
    java_client.put(b"from java;", path)
    with easy.open(url_of(cluster, path), "ab") as f:
        f.write(b"from hadoofus")
    java_client.append(b";java again", path)
    assert java_client.cat(path) == b"from java;from hadoofus;java again"


def test_append_creates_missing(cluster, tmp_hdfs_dir):
    path = tmp_hdfs_dir + "/new-by-append"
    with easy.open(url_of(cluster, path), "ab") as f:
        assert f.tell() == 0
        f.write(b"created")
    assert java_cat(cluster, path) == b"created"


# --- flush and sync ---------------------------------------------------------------

def test_hflush_seen_by_java_while_open(cluster, tmp_hdfs_dir):
    path = tmp_hdfs_dir + "/flushed"
    nn = easy.filesystem(cluster.host, cluster.port)
    data = payload(BS + 12345, 7)
    with easy.open(url_of(cluster, path), "wb", blocksize=BS, replication=3) as f:
        f.write(data[:5000])
        f.flush()
        assert java_cat(cluster, path) == data[:5000]
        f.write(data[5000:BS + 100])               # into block 2
        f.flush()
        assert java_cat(cluster, path) == data[:BS + 100]
        # As Java's: the first hflush after a new block tells the NameNode
        # (fsync) the block's length; later ones only with update_length.
        assert nn.getFileInfo(path).length == BS + 100
        f.write(data[BS + 100:BS + 200])
        f.flush()
        assert nn.getFileInfo(path).length == BS + 100
        assert java_cat(cluster, path) == data[:BS + 200]
        f.write(data[BS + 200:])
        f.hsync(update_length=True)
        assert nn.getFileInfo(path).length == len(data)
        f.hsync()
        assert java_cat(cluster, path) == data
    assert nn.getFileInfo(path).length == len(data)


# --- two writers, errors ----------------------------------------------------------

def test_two_writers_on_one_path(cluster, tmp_hdfs_dir):
    path = tmp_hdfs_dir + "/contended"
    url = url_of(cluster, path)
    other = hadoofus.rpc(cluster.host, cluster.port)   # another client (lease holder)
    try:
        with easy.open(url, "wb") as f:
            f.write(b"first")
            for fs in (easy.filesystem(cluster.host, cluster.port), other):
                with pytest.raises(hadoofus.AlreadyBeingCreatedException):
                    HdfsFileWriter(fs, path, overwrite=False)
                with pytest.raises(hadoofus.AlreadyBeingCreatedException):
                    HdfsFileWriter(fs, path, append=True)
            with pytest.raises(hadoofus.AlreadyBeingCreatedException):
                easy.open(url, "xb")
            f.write(b" writer")
    finally:
        other.close()
    assert java_cat(cluster, path) == b"first writer"


def test_errors(cluster, java_client, tmp_hdfs_dir):
    d = tmp_hdfs_dir
    url = lambda p: url_of(cluster, d + p)   # noqa: E731
    with easy.open(url("/exists"), "wb") as f:
        f.write(b"x")
    with pytest.raises(FileExistsError) as ei:
        easy.open(url("/exists"), "xb")
    assert isinstance(ei.value, hadoofus.FileAlreadyExistsException)
    with pytest.raises(FileExistsError):
        easy.open(url("/exists"), "wb", overwrite=False)
    # A file where a parent directory should be: Hadoop 2.7's NameNode
    # answers create(createParent=true), as Java's FileSystem.create sends
    # it, with java.lang.IllegalStateException ("Current inode is not a
    # directory"); later ones with ParentNotDirectoryException, which
    # hadoofus raises for both.
    with pytest.raises(hadoofus.ParentNotDirectoryException) as ei:
        easy.open(url("/exists/below"), "wb")
    assert "not a directory" in str(ei.value) and isinstance(ei.value, NotADirectoryError)
    with pytest.raises(FileExistsError):     # a directory is there
        easy.open(url(""), "wb")
    java_client.mkdir(d + "/ro")
    java_client.chmod("755", d + "/ro")
    with pytest.raises(PermissionError):
        easy.open(url("/ro/x"), "wb", user="alice")
    with pytest.raises(PermissionError):
        easy.open(url("/exists"), "ab", user="alice")
    for kw, exc in (({"replication": 0}, ValueError), ({"replication": "3"}, TypeError),
                    ({"blocksize": 1000}, ValueError), ({"blocksize": -512}, ValueError)):
        with pytest.raises(exc):
            easy.open(url("/bad"), "wb", **kw)
    with pytest.raises(ValueError):
        easy.open(url("/bad"), "w+b")
    with pytest.raises(ValueError):
        easy.open(url("/bad"), "wb", encoding="utf-8")
    # none of those created anything
    assert easy.filesystem(cluster.host, cluster.port).getFileInfo(d + "/bad") is None
    # what the NameNode refuses comes back as its exception
    with pytest.raises(hadoofus.ProtocolException) as ei:
        easy.open(url("/bad"), "wb", replication=1000)
    assert ei.value.etype == "java.io.IOException"
    assert "replication" in ei.value.message


def test_no_leaks(cluster, tmp_hdfs_dir):
    """Sockets, threads and JVMs come back to their count once files are
    closed (also after a failed open)."""
    fs = easy.filesystem(cluster.host, cluster.port)
    fs.getFileInfo("/")           # the NameNode connection is there already
    for i in range(3):            # warm up (lease renewer thread, caches)
        with easy.open(url_of(cluster, "%s/warm%d" % (tmp_hdfs_dir, i)), "wb") as f:
            f.write(b"x" * 100000)
    n_fd, n_th, n_jvm = fds(), threads(), java_children()
    for i in range(20):
        with easy.open(url_of(cluster, "%s/f%d" % (tmp_hdfs_dir, i)), "wb",
                       replication=3, blocksize=64 * 1024) as f:
            f.write(b"y" * 200000)
            f.flush()
        with pytest.raises(FileExistsError):
            easy.open(url_of(cluster, "%s/f%d" % (tmp_hdfs_dir, i)), "xb")
    assert java_cat(cluster, "%s/f0" % tmp_hdfs_dir) == b"y" * 200000
    assert fds() == n_fd
    assert threads() == n_th
    assert java_children() == n_jvm
