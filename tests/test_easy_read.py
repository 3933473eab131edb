"""hadoofus.easy.open for reading, against the real HDFS of tests/conftest.py.

Files are written by the stock Java client (FsShell -put), in 1 MiB blocks
for the multi-block ones, and read back through easy.open every way a
Python file is read: read(), read(n) loops, readinto, readline, iteration,
text mode, seek/tell at random offsets and block boundaries, pread from 8
threads. Then names (URLs, fs.defaultFS, HA nameservices, relative paths),
errors, a file still being written, and faults on private clusters: a
DataNode killed mid-read, a corrupted replica (the read goes on from a good
one; the bad one is reported and the NameNode drops it).
"""

import hashlib
import io
import os
import random
import subprocess
import threading
import time

import pytest

import hadoofus
from hadoofus import easy
from conftest import fs_put, payload

MIB = 1024 * 1024
BS = MIB

SMALL = [0, 1, 511, 512, 513, 65535, 65536, 65537]
MULTI = [3 * BS + 5, 10 * MIB + 1]


def put_files(cluster, local_dir, remote_dir, files, blocksize=BS, replication=None):
    """Write {name: bytes} under remote_dir with one Java FsShell run."""
    conf = {"dfs.blocksize": "%d" % blocksize}
    if replication:
        conf["dfs.replication"] = "%d" % replication
    fs_put(cluster, local_dir, remote_dir, files, conf)


@pytest.fixture(scope="module")
def files(cluster, tmp_path_factory):
    """{size: (url, bytes)} for SMALL (default block size) and MULTI (1 MiB
    blocks)."""
    d = "/test/easy-read-%s" % os.urandom(4).hex()
    small = {"s%d" % n: payload(n, n) for n in SMALL}
    multi = {"m%d" % n: payload(n, n) for n in MULTI}
    tmp = str(tmp_path_factory.mktemp("easy"))
    put_files(cluster, tmp, d, small, blocksize=128 * MIB)
    put_files(cluster, tmp, d, multi, blocksize=BS)
    out = {}
    for name, data in list(small.items()) + list(multi.items()):
        out[len(data)] = ("hdfs://%s:%d%s/%s" % (cluster.host, cluster.port, d, name), data)
    return out


ALL = SMALL + MULTI


@pytest.fixture
def conf_env(monkeypatch, cluster):
    """$HADOOP_CONF_DIR pointing at the cluster's client configuration."""
    monkeypatch.setenv("HADOOP_CONF_DIR", cluster.conf_dir)
    monkeypatch.delenv("HADOOP_HOME", raising=False)
    monkeypatch.delenv("CLASSPATH", raising=False)


# --- reading every way -------------------------------------------------------

@pytest.mark.parametrize("size", ALL)
def test_read_all(files, size):
    url, data = files[size]
    with easy.open(url, "rb") as f:
        assert isinstance(f, io.BufferedReader)
        assert f.length == size
        assert f.read() == data
        assert f.read() == b""
        assert f.tell() == size


@pytest.mark.parametrize("size", ALL)
def test_read_in_pieces(files, size):
    url, data = files[size]
    steps = [100, 4096, 65536, MIB + 3] + ([1] if size < 70000 else [])
    for step in steps:
        with easy.open(url, "rb") as f:
            parts = []
            while True:
                b = f.read(step)
                if not b:
                    break
                assert len(b) == step or f.tell() == size
                parts.append(b)
            assert b"".join(parts) == data
    with easy.open(url, "rb", buffer_size=1000) as f:   # read1, readinto
        out = bytearray()
        buf = bytearray(7000)
        while True:
            n = f.readinto(buf)
            if not n:
                break
            out += buf[:n]
            out += f.read1(333)
        assert bytes(out) == data


def test_raw_reader(files):
    url, data = files[3 * BS + 5]
    with easy.open(url, "rb") as f:
        raw = f.raw
        assert isinstance(raw, io.RawIOBase) and raw.readable() and raw.seekable()
        raw.seek(BS - 10)
        b = bytearray(20)
        assert raw.readinto(b) == 20 and bytes(b) == data[BS - 10:BS + 10]
        assert raw.readall() == data[BS + 10:]


def lines_file(cluster, tmp_path, name, text):
    d = "/test/easy-lines-%s" % os.urandom(4).hex()
    put_files(cluster, str(tmp_path), d, {name: text}, blocksize=BS)
    return "hdfs://%s:%d%s/%s" % (cluster.host, cluster.port, d, name)


def test_readline_and_iteration(cluster, tmp_path):
    rnd = random.Random(7)
    lines = ["%d %s\n" % (i, "é✓x" * rnd.randrange(0, 300)) for i in range(20000)]
    lines.append("no newline at the end")
    raw = "".join(lines).encode()
    assert len(raw) > 3 * BS   # lines straddle block boundaries
    url = lines_file(cluster, tmp_path, "lines.txt", raw)

    with easy.open(url, "rb") as f:
        assert list(f) == raw.splitlines(keepends=True)
    with easy.open(url, "rb") as f:
        got = []
        while True:
            ln = f.readline()
            if not ln:
                break
            got.append(ln)
        assert got == raw.splitlines(keepends=True)
    with easy.open(url) as f:   # text, UTF-8
        assert isinstance(f, io.TextIOWrapper)
        assert f.encoding == "utf-8"
        assert list(f) == lines
        assert isinstance(f.buffer, easy.HdfsBufferedReader)
    with easy.open(url, "rt", encoding="latin-1", newline="") as f:
        assert f.read() == raw.decode("latin-1")
    with easy.open(url, "r") as f:
        assert f.readlines()[1000:1005] == lines[1000:1005]


@pytest.mark.parametrize("size", [65537, 3 * BS + 5, 10 * MIB + 1])
def test_seek_and_read(files, size):
    url, data = files[size]
    rnd = random.Random(size)
    edges = [0, 1, 511, 512, 513, BS - 1, BS, BS + 1, 2 * BS, size // 2,
             size - 1, size, size + 10]
    offsets = edges + [rnd.randrange(size) for _ in range(200)]
    with easy.open(url, "rb") as f:
        for off in offsets:
            n = rnd.choice([1, 100, 5000, 70000, BS + 100])
            assert f.seek(off) == off
            assert f.tell() == off
            assert f.read(n) == data[off:off + n]
        # relative and from the end
        f.seek(100)
        assert f.seek(50, io.SEEK_CUR) == 150
        assert f.read(10) == data[150:160]
        assert f.seek(-10, io.SEEK_END) == size - 10
        assert f.read() == data[-10:]
        with pytest.raises(OSError):
            f.seek(-1)
        # short forward hops, as a reader skipping records does
        f.seek(0)
        pos = 0
        for _ in range(300):
            pos = min(size, pos + rnd.randrange(0, 40000))
            f.seek(pos)
            assert f.read(64) == data[pos:pos + 64]
            pos = f.tell()
        st = f.stats
        assert st["datanode_failures"] == 0


@pytest.mark.parametrize("size", [513, 10 * MIB + 1])
def test_pread_from_threads(files, size):
    url, data = files[size]
    errors = []
    with easy.open(url, "rb") as f:

        def worker(seed):
            rnd = random.Random(seed)
            try:
                for i in range(60):
                    off = rnd.randrange(size + 5)
                    n = rnd.randrange(300000 if i % 5 == 0 else 5000)
                    got = f.pread(off, n)
                    if got != data[off:off + n]:
                        errors.append("pread(%d, %d) differs" % (off, n))
                    buf = bytearray(rnd.randrange(1, 3000))
                    k = f.preadinto(off, buf)
                    if bytes(buf[:k]) != data[off:off + len(buf)]:
                        errors.append("preadinto(%d, %d) differs" % (off, len(buf)))
            except Exception as e:   # noqa: BLE001 (reported below)
                errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        seq = f.read()   # the sequential stream runs alongside
        for t in threads:
            t.join()
        assert seq == data
        assert not errors, errors[:5]
        assert f.tell() == size   # preads never moved it


def test_big_file(cluster, tmp_path):
    """~200 MiB in two blocks of the default size, read whole and streamed."""
    n = 200 * MIB + 12345
    data = os.urandom(n)
    d = "/test/easy-big-%s" % os.urandom(4).hex()
    put_files(cluster, str(tmp_path), d, {"big": data}, blocksize=128 * MIB)
    del data
    want = hashlib.sha256(open(os.path.join(str(tmp_path), "big"), "rb").read()).hexdigest()
    url = "hdfs://%s:%d%s/big" % (cluster.host, cluster.port, d)
    t0 = time.monotonic()
    with easy.open(url, "rb") as f:
        got = f.read()
    t_all = time.monotonic() - t0
    assert len(got) == n and hashlib.sha256(got).hexdigest() == want
    del got
    h = hashlib.sha256()
    buf = bytearray(4 * MIB)
    with easy.open(url, "rb") as f:
        while True:
            k = f.readinto(buf)
            if not k:
                break
            h.update(memoryview(buf)[:k])
        assert f.stats["block_reads"] == 2
        assert f.stats["location_fetches"] == 1
    assert h.hexdigest() == want
    print("read %d MiB in %.2f s" % (n >> 20, t_all))


def test_sequential_reads_make_no_namenode_calls(files):
    url, data = files[10 * MIB + 1]
    with easy.open(url, "rb", buffer_size=4096) as f:
        fs = f.raw._fs
        calls = fs.num_calls
        while f.read(10000):
            pass
        assert fs.num_calls == calls
        assert f.stats["block_reads"] == 11
        assert f.stats["bytes_read"] == len(data)


# --- names -------------------------------------------------------------------

def test_names_and_connection_sharing(cluster, files, conf_env):
    url, data = files[513]
    path = url.split(str(cluster.port), 1)[1]
    with easy.open(url, "rb") as a, easy.open(path, "rb") as b, \
            easy.open("hdfs://%s%s" % ("", path), "rb") as c:
        assert a.read() == b.read() == c.read() == data
        assert a.raw._fs is b.raw._fs is c.raw._fs   # one cached connection
    assert easy.filesystem(cluster.host, cluster.port) is a.raw._fs
    with easy.open(url, "rb", user="alice") as d:
        assert d.raw._fs is not a.raw._fs and d.raw._fs.user == "alice"
        assert d.read() == data
    with easy.open(path.replace("/", "//"), "rb") as e:
        assert e.read() == data
    assert easy.resolve(path) == (cluster.host, cluster.port, a.raw._fs.user, path)


def test_relative_path_is_under_home(cluster, conf_env, tmp_path):
    user = "hadoofus%s" % os.urandom(3).hex()
    cluster.fs_shell("-mkdir", "-p", "/user/%s" % user)
    cluster.fs_shell("-chmod", "777", "/user/%s" % user)
    p = tmp_path / "rel"
    p.write_bytes(b"relative!")
    cluster.fs_shell("-put", str(p), "/user/%s/rel" % user)
    with easy.open("rel", "rb", user=user) as f:
        assert f.read() == b"relative!"
        assert f.raw.path == "/user/%s/rel" % user


def test_ha_nameservice(cluster, files, monkeypatch, tmp_path):
    url, data = files[512]
    path = url.split(str(cluster.port), 1)[1]
    (tmp_path / "core-site.xml").write_text(
        "<configuration><property><name>fs.defaultFS</name><value>hdfs://mycluster"
        "</value></property></configuration>")
    (tmp_path / "hdfs-site.xml").write_text(
        "<configuration>"
        "<property><name>dfs.nameservices</name><value>mycluster</value></property>"
        "<property><name>dfs.ha.namenodes.mycluster</name><value>nn1,nn2</value></property>"
        "<property><name>dfs.namenode.rpc-address.mycluster.nn1</name>"
        "<value>%s:%d</value></property>"
        "<property><name>dfs.namenode.rpc-address.mycluster.nn2</name>"
        "<value>%s:1</value></property>"
        "</configuration>" % (cluster.host, cluster.port, cluster.host))
    monkeypatch.setenv("HADOOP_CONF_DIR", str(tmp_path))
    with easy.open("hdfs://mycluster" + path, "rb") as f:
        assert f.read() == data
    with easy.open(path, "rb") as f:
        assert f.read() == data


def test_no_default_fs(monkeypatch, tmp_path, files):
    monkeypatch.setenv("HADOOP_CONF_DIR", str(tmp_path))   # no files there
    monkeypatch.delenv("HADOOP_HOME", raising=False)
    monkeypatch.delenv("CLASSPATH", raising=False)
    with pytest.raises(ValueError, match="fs.defaultFS"):
        easy.open("/some/file")
    with pytest.raises(ValueError, match="fs.defaultFS"):
        easy.open("relative/file")
    url, data = files[1]   # a full URL needs no configuration
    with easy.open(url, "rb") as f:
        assert f.read() == data


# --- errors ------------------------------------------------------------------

def test_errors(cluster, files):
    url, data = files[511]
    base = "hdfs://%s:%d" % (cluster.host, cluster.port)
    with pytest.raises(FileNotFoundError) as ei:
        easy.open(base + "/no/such/file")
    assert isinstance(ei.value, hadoofus.FileNotFoundException)
    assert "/no/such/file" in str(ei.value)
    with pytest.raises(IsADirectoryError):
        easy.open(url.rsplit("/", 1)[0], "rb")
    for mode in ("rw", "r+", "rbt", "z", "", "rr", "wa"):
        with pytest.raises(ValueError):
            easy.open(url, mode)
    with pytest.raises(TypeError):
        easy.open(url, 1)
    with pytest.raises(ValueError):
        easy.open(url, "rb", encoding="utf-8")
    with pytest.raises(ValueError, match="hdfs://"):
        easy.open("s3://bucket/x")
    with pytest.raises(TypeError):
        easy.open(42)
    f = easy.open(url, "rb")
    f.close()
    with pytest.raises(ValueError):
        f.read()
    with pytest.raises(ValueError):
        f.raw.pread(0, 1)
    with easy.open(url, "rb") as f:
        with pytest.raises(ValueError):
            f.pread(-1, 3)
        with pytest.raises(io.UnsupportedOperation):
            f.write(b"x")
        with pytest.raises(io.UnsupportedOperation):
            f.fileno()


def test_access_denied(cluster, tmp_path):
    d = "/test/easy-private-%s" % os.urandom(4).hex()
    put_files(cluster, str(tmp_path), d, {"secret": b"s3cr3t"})
    cluster.fs_shell("-chmod", "600", d + "/secret")
    with pytest.raises(PermissionError):
        easy.open("hdfs://%s:%d%s/secret" % (cluster.host, cluster.port, d), "rb",
                  user="bob")


def test_close_while_preads_run(files):
    url, data = files[10 * MIB + 1]
    f = easy.open(url, "rb")
    results = []

    def worker():
        try:
            for _ in range(20):
                results.append(f.pread(0, 3 * MIB) == data[:3 * MIB])
        except ValueError:   # closed under it: fine, but never a crash
            results.append(True)

    ts = [threading.Thread(target=worker) for _ in range(4)]
    for t in ts:
        t.start()
    time.sleep(0.05)
    f.close()
    for t in ts:
        t.join()
    assert results and all(results)


# --- a file being written ------------------------------------------------------

def test_file_being_written(cluster, tmp_hdfs_dir):
    """A Java writer (FsShell -put from a pipe) holds the file open: bytes
    it has sent (whole packets, acknowledged by the pipeline) are readable,
    and a refresh() sees more as they come."""
    path = tmp_hdfs_dir + "/growing"
    data = payload(3 * MIB, 99)
    cmd = [cluster.java_path, "-cp", cluster.classpath,
           "org.apache.hadoop.fs.FsShell", "-D", "dfs.blocksize=%d" % BS,
           "-put", "-", path]
    env = dict(os.environ, HADOOP_CONF_DIR=cluster.conf_dir)
    env.pop("CLASSPATH", None)
    cluster.fs_shell("-mkdir", "-p", tmp_hdfs_dir)
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env)
    try:
        p.stdin.write(data[:BS + 300000])
        p.stdin.flush()
        url = "hdfs://%s:%d%s" % (cluster.host, cluster.port, path + "._COPYING_")
        f = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                f = easy.open(url, "rb")
                if f.length > BS:
                    break
                f.close()
            except FileNotFoundError:
                pass
            time.sleep(0.2)
        assert f is not None and f.length > BS, "the writer never got past a block"
        assert f.under_construction
        n = f.length
        assert f.read() == data[:n]
        # more arrives; the reader sees it after a refresh
        p.stdin.write(data[BS + 300000:2 * BS + 500000])
        p.stdin.flush()
        while time.monotonic() < deadline and f.refresh() < 2 * BS:
            time.sleep(0.2)
        m = f.length
        assert m >= 2 * BS
        assert f.read() == data[n:m]
        assert f.pread(0, m) == data[:m]
        f.close()
        p.stdin.write(data[2 * BS + 500000:])
        p.stdin.close()
        assert p.wait(120) == 0, p.stderr.read()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    with easy.open("hdfs://%s:%d%s" % (cluster.host, cluster.port, path), "rb") as f:
        assert not f.under_construction
        assert f.read() == data


def test_hflushed_bytes_visible(cluster, tmp_hdfs_dir):
    """A hadoofus block writer holds the file open: what it hflushed is
    exactly what readers see (the visible length comes from a DataNode)."""
    nn = hadoofus.rpc(cluster.host, cluster.port)
    path = tmp_hdfs_dir + "/hflushed"
    url = "hdfs://%s:%d%s" % (cluster.host, cluster.port, path)
    data = payload(BS + 300000, 11)
    nn.mkdirs(tmp_hdfs_dir)
    nn.create(path, overwrite=True, blockSize=BS, replication=2)
    lb1 = nn.addBlock(path)
    hadoofus.data(lb1, nn.client_name).write(data[:BS])
    for _ in range(100):
        try:
            lb2 = nn.addBlock(path, previous=lb1.b)
            break
        except hadoofus.NotReplicatedYetException:
            time.sleep(0.1)
    w = hadoofus.data(lb2, nn.client_name).writer()
    try:
        w.write(data[BS:BS + 1000])
        w.flush()
        with easy.open(url, "rb") as f:
            assert f.under_construction
            assert f.length == BS + 1000
            assert f.read() == data[:BS + 1000]
            w.write(data[BS + 1000:])
            w.flush()
            assert f.read() == b""   # the length is as of open...
            assert f.refresh() == len(data)   # ...until refreshed
            assert f.read() == data[BS + 1000:]
            assert f.pread(BS - 10, 2000) == data[BS - 10:BS + 1990]
    finally:
        w.close()
    for _ in range(100):
        if nn.complete(path, last=lb2):
            break
        time.sleep(0.1)
    with easy.open(url, "rb") as f:
        assert not f.under_construction and f.read() == data
    nn.close()


def test_easy_writer_hflush_visible(cluster, tmp_hdfs_dir):
    """easy.open's own writer holds the file open across blocks: after each
    hflush() a new reader (or a refresh) sees exactly what was written."""
    url = "hdfs://%s:%d%s/w" % (cluster.host, cluster.port, tmp_hdfs_dir)
    data = payload(2 * BS + 123457, 21)
    with easy.open(url, "wb", blocksize=BS, replication=2) as w:
        w.write(data[:1000])
        w.hflush()
        with easy.open(url, "rb") as f:
            assert f.under_construction and f.read() == data[:1000]
            for end in (BS - 1, BS, BS + 1, 2 * BS + 5, len(data)):
                w.write(data[f.length:end])
                w.hflush()
                assert f.refresh() == end
                pos = f.tell()
                assert f.read() == data[pos:end]
            assert f.pread(0, len(data)) == data
    with easy.open(url, "rb") as f:
        assert not f.under_construction and f.read() == data
    assert easy.checksum(url) == easy.checksum(url)   # stable once closed


# --- faults (private clusters) ---------------------------------------------------

def datanode_by_addr(mc, addr):
    port = int(addr.rsplit(":", 1)[1])
    for i, dn in enumerate(mc.datanodes):
        if dn.xfer_port == port:
            return i
    raise LookupError(addr)


@pytest.fixture
def three_replicas(fresh_cluster, tmp_path):
    mc = fresh_cluster(datanodes=3, replication=3)
    d = "/f"
    data = payload(8 * MIB + 77, 3)
    put_files(mc, str(tmp_path), d, {"x": data}, blocksize=BS, replication=3)
    return mc, "hdfs://%s:%d%s/x" % (mc.host, mc.port, d), data


def test_datanode_killed_mid_read(three_replicas):
    mc, url, data = three_replicas
    with easy.open(url, "rb", buffer_size=65536) as f:
        head = f.read(BS + BS // 2)
        victim = f.current_datanode
        assert victim is not None
        mc.kill_datanode(datanode_by_addr(mc, victim))
        # Back into the block it served: the new read goes to it first. (Read
        # on, the rest of that block may already sit in the socket buffers and
        # the NameNode may list other nodes first for the next blocks.)
        f.seek(BS)
        rest = f.read()
        assert head[:BS] + rest == data
        assert f.stats["datanode_failures"] >= 1
    # preads and fresh opens fail over too, while the NameNode still lists it
    with easy.open(url, "rb") as f:
        assert f.pread(0, len(data)) == data
        assert f.read() == data


def test_corrupt_replica_reported(three_replicas):
    mc, url, data = three_replicas
    nn = hadoofus.rpc(mc.host, mc.port)
    path = url.split(str(mc.port), 1)[1]
    with easy.open(url, "rb") as f:
        raw = f.raw   # unbuffered: what is read is what the DataNode sent
        assert raw.read(100) == data[:100]
        bad = raw.current_datanode
        raw.seek(0)   # the read of block 0 ends; bad is still first in the order
        lb = nn.getBlockLocations(path)[0]
        dn = datanode_by_addr(mc, bad)
        [(_dn, blockfile, _meta)] = [r for r in mc.block_replicas(lb.b.blockId)
                                     if r[0].index == dn]
        with open(blockfile, "r+b") as bf:   # flip a byte in chunk 3
            bf.seek(1700)
            c = bf.read(1)
            bf.seek(1700)
            bf.write(bytes([c[0] ^ 0xFF]))
        assert f.read() == data
        st = f.stats
        assert st["checksum_failures"] == 1
        assert st["bad_replicas_reported"] == 1
    # The NameNode took the report: the bad replica is no longer handed out.
    locs = [x.id.xferPort for x in nn.getBlockLocations(path)[0].locs]
    assert int(bad.rsplit(":", 1)[1]) not in locs
    nn.close()


def test_only_replica_corrupt(cluster, tmp_path):
    """Replication 1 and its replica bad: the read fails, naming the
    DataNode and the checksum error; the block is reported (the NameNode
    then calls the block corrupt)."""
    d = "/test/easy-corrupt-%s" % os.urandom(4).hex()
    data = payload(2 * BS, 5)
    put_files(cluster, str(tmp_path), d, {"c": data}, blocksize=BS, replication=1)
    nn = hadoofus.rpc(cluster.host, cluster.port)
    lbs = nn.getBlockLocations(d + "/c")
    cluster.corrupt_replica(lbs[1].b.blockId, offset=5000)
    url = "hdfs://%s:%d%s/c" % (cluster.host, cluster.port, d)
    with easy.open(url, "rb", retry_window=0.05) as f:
        assert f.read(BS) == data[:BS]
        with pytest.raises(hadoofus.ChecksumError) as ei:
            f.read()
        msg = str(ei.value)
        assert "blk_%d" % lbs[1].b.blockId in msg and "127.0.0.1:" in msg
        assert f.raw.stats["bad_replicas_reported"] >= 1
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not nn.getBlockLocations(d + "/c")[1].corrupt:
            time.sleep(0.2)
        assert nn.getBlockLocations(d + "/c")[1].corrupt
    finally:
        # The session cluster must not keep a missing block (other tests
        # check the NameNode's counts).
        nn.delete(d, recursive=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (nn.getFsStats().missing_blocks or
                                               nn.getFsStats().corrupt_blocks):
            time.sleep(0.2)
        nn.close()
