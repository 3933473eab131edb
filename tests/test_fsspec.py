"""hadoofus.fsspec: fsspec's "hdfs://" on hadoofus, against the real HDFS.

fsspec's own generic suite (fsspec.tests.abstract: copy, get, put, open,
pipe) runs on it first; then what the suite does not cover (URLs, info
fields, random access, ranges, walk/find/du, mv/rm, checksum,
transactions), and real workloads: pandas CSV/Parquet, a pyarrow dataset
through PyFileSystem(FSSpecHandler(...)), dask, all with JAVA_HOME and
CLASSPATH unset.
"""

import datetime
import io
import os
import posixpath
import uuid

import pytest

fsspec = pytest.importorskip("fsspec")
import fsspec.tests.abstract as abstract  # noqa: E402

from hadoofus import easy  # noqa: E402
from hadoofus.fsspec import HadoofusFileSystem  # noqa: E402


@pytest.fixture
def hfs(cluster):
    return fsspec.filesystem("hdfs", host=cluster.host, port=cluster.port)


@pytest.fixture
def base(hfs, tmp_hdfs_dir):
    hfs.mkdir(tmp_hdfs_dir)
    yield tmp_hdfs_dir
    hfs.rm(tmp_hdfs_dir, recursive=True)


@pytest.fixture
def no_jvm(monkeypatch):
    """No JVM to be found: what pyarrow's libhdfs would need is gone."""
    for k in ("JAVA_HOME", "CLASSPATH", "HADOOP_HOME", "ARROW_LIBHDFS_DIR"):
        monkeypatch.delenv(k, raising=False)


def _url(cluster, path):
    return "hdfs://%s:%d%s" % (cluster.host, cluster.port, path)


# ---------------------------------------------------------------------------
# fsspec's generic test suite

class HdfsFixtures(abstract.AbstractFixtures):
    @pytest.fixture
    def fs(self, cluster):
        return fsspec.filesystem("hdfs", host=cluster.host, port=cluster.port)

    @pytest.fixture
    def fs_join(self):
        return posixpath.join

    @pytest.fixture
    def fs_path(self, fs, tmp_hdfs_dir):
        fs.mkdir(tmp_hdfs_dir)
        yield tmp_hdfs_dir
        fs.rm(tmp_hdfs_dir, recursive=True)


class TestFsspecCopy(abstract.AbstractCopyTests, HdfsFixtures):
    pass


class TestFsspecGet(abstract.AbstractGetTests, HdfsFixtures):
    pass


class TestFsspecPut(abstract.AbstractPutTests, HdfsFixtures):
    pass


class TestFsspecOpen(abstract.AbstractOpenTests, HdfsFixtures):
    pass


class TestFsspecPipe(abstract.AbstractPipeTests, HdfsFixtures):
    pass


# ---------------------------------------------------------------------------
# Registration and names

def test_entry_point_registers_hdfs(cluster):
    # The installed package declares the fsspec.specs entry point, and
    # importing hadoofus.fsspec (as this module did) makes "hdfs" ours even
    # where another package (hdfs-native, installed for bench/) claims it too.
    from importlib.metadata import entry_points
    ours = [e for e in entry_points(group="fsspec.specs") if e.name == "hdfs"
            and e.value == "hadoofus.fsspec:HadoofusFileSystem"]
    assert len(ours) == 1
    assert ours[0].load() is HadoofusFileSystem
    assert fsspec.get_filesystem_class("hdfs") is HadoofusFileSystem
    fs, path = fsspec.core.url_to_fs(_url(cluster, "/a/b/"))
    assert isinstance(fs, HadoofusFileSystem)
    assert path == "/a/b"
    assert fs.unstrip_protocol("/a/b") == _url(cluster, "/a/b")


def test_url_forms(cluster, hdfs_conf_dir, monkeypatch, base):
    kw = HadoofusFileSystem._get_kwargs_from_urls
    assert kw("hdfs://nn.example:9000/x") == {"host": "nn.example", "port": 9000}
    assert kw("hdfs://mycluster/x") == {"host": "mycluster"}
    assert kw("hdfs://bob@nn.example:1/x") == {"user": "bob", "host": "nn.example",
                                                "port": 1}
    assert kw("hdfs://[::1]:8020/x") == {"host": "::1", "port": 8020}
    assert kw("hdfs:///x") == {}
    assert HadoofusFileSystem._strip_protocol("hdfs://nn:1//a//b/") == "/a/b"
    assert HadoofusFileSystem._strip_protocol("hdfs://nn:1") == "/"

    fs = fsspec.filesystem("hdfs", host=cluster.host, port=cluster.port)
    fs.pipe(base + "/f", b"abc")
    # fs.defaultFS of $HADOOP_CONF_DIR: hdfs:///path and a bare path.
    monkeypatch.setenv("HADOOP_CONF_DIR", hdfs_conf_dir)
    with fsspec.open("hdfs://" + base + "/f", "rb") as f:
        assert f.read() == b"abc"
    dfs = fsspec.filesystem("hdfs")
    assert dfs.cat(base + "/f") == b"abc"
    assert dfs.unstrip_protocol(base) == _url(cluster, base)


def test_user_from_environment(cluster, monkeypatch, base, hfs):
    hfs.chmod(base, 0o777)
    monkeypatch.setenv("HADOOP_USER_NAME", "alice")
    # Not the instance made before under the login name (fsspec's cache).
    fs = fsspec.filesystem("hdfs", host=cluster.host, port=cluster.port)
    assert fs.user == "alice" and fs is not hfs
    fs.pipe(base + "/by-alice", b"x")
    assert hfs.info(base + "/by-alice")["owner"] == "alice"
    bob = fsspec.filesystem("hdfs", host=cluster.host, port=cluster.port, user="bob")
    hfs.chmod(base, 0o755)
    with pytest.raises(PermissionError):
        bob.pipe(base + "/by-bob", b"x")


def test_relative_paths_are_under_home(hfs, cluster):
    home = "/user/%s" % hfs.user
    name = "fsspec-rel-%s" % uuid.uuid4().hex[:8]
    hfs.pipe(name, b"rel")
    try:
        assert hfs.cat_file(home + "/" + name) == b"rel"
        assert hfs.info(name)["name"] == home + "/" + name
    finally:
        hfs.rm(home + "/" + name)


# ---------------------------------------------------------------------------
# Namespace

def test_info_and_ls(hfs, base):
    hfs.pipe(base + "/d/f", b"12345")
    hfs.mkdir(base + "/d/e")
    f = hfs.info(base + "/d/f")
    assert f["name"] == base + "/d/f" and f["type"] == "file" and f["size"] == 5
    assert f["owner"] == hfs.user and f["group"]
    assert f["permissions"] == 0o644 and f["replication"] >= 1 and f["blocksize"] > 0
    assert abs(f["mtime"] - f["modification_time"] / 1000) < 1e-6
    d = hfs.info(base + "/d/")
    assert d["type"] == "directory" and d["size"] == 0 and d["name"] == base + "/d"
    assert hfs.info("/")["type"] == "directory"
    assert hfs.ls(base + "/d", detail=False) == [base + "/d/e", base + "/d/f"]
    assert [i["type"] for i in hfs.ls(base + "/d")] == ["directory", "file"]
    assert hfs.ls(base + "/d/f", detail=False) == [base + "/d/f"]   # a file lists as itself
    assert hfs.isdir(base + "/d") and not hfs.isfile(base + "/d")
    assert hfs.isfile(base + "/d/f") and hfs.exists(base + "/d/f")
    assert not hfs.exists(base + "/nope") and not hfs.isdir(base + "/nope")
    with pytest.raises(FileNotFoundError):
        hfs.info(base + "/nope")
    with pytest.raises(FileNotFoundError):
        hfs.ls(base + "/nope")
    m = hfs.modified(base + "/d/f")
    assert m.tzinfo is datetime.timezone.utc
    assert abs((datetime.datetime.now(datetime.timezone.utc) - m).total_seconds()) < 300


def test_walk_find_glob_du(hfs, base):
    for i in range(3):
        for j in range(4):
            hfs.pipe("%s/t/d%d/s%d/f" % (base, i, j), b"x" * (i + j))
    hfs.mkdir(base + "/t/empty")
    files = hfs.find(base + "/t")
    assert len(files) == 12 and files == sorted(files)
    assert base + "/t/empty" in hfs.find(base + "/t", withdirs=True)
    assert hfs.find(base + "/t", maxdepth=2) == []
    assert hfs.find(base + "/t/d0/s0/f") == [base + "/t/d0/s0/f"]
    walked = list(hfs.walk(base + "/t"))
    assert walked[0] == (base + "/t", ["d0", "d1", "d2", "empty"], [])
    assert len(walked) == 1 + 3 + 12 + 1
    # Pruning top-down works as os.walk's.
    pruned = []
    for root, dirs, _ in hfs.walk(base + "/t"):
        pruned.append(root)
        dirs[:] = [d for d in dirs if d != "d1"]
    assert not any("/d1" in r for r in pruned) and len(pruned) == 1 + 2 + 8 + 1
    assert [r for r, _, _ in hfs.walk(base + "/t", topdown=False)][-1] == base + "/t"
    assert hfs.glob(base + "/t/d1/*/f") == ["%s/t/d1/s%d/f" % (base, j) for j in range(4)]
    total = sum(i + j for i in range(3) for j in range(4))
    assert hfs.du(base + "/t") == total
    sizes = hfs.du(base + "/t", total=False)
    assert len(sizes) == 12 and sum(sizes.values()) == total
    assert hfs.du(base + "/t", maxdepth=2) == 0
    assert hfs.du(base + "/t", maxdepth=3) == total
    with pytest.raises(FileNotFoundError):
        list(hfs.walk(base + "/nope", on_error="raise"))
    assert list(hfs.walk(base + "/nope")) == []


def test_mkdir_makedirs_rmdir(hfs, base):
    hfs.mkdir(base + "/a/b/c")
    assert hfs.isdir(base + "/a/b/c")
    hfs.mkdir(base + "/a/b/c")                        # an existing directory is fine
    with pytest.raises(FileNotFoundError):
        hfs.mkdir(base + "/x/y", create_parents=False)
    hfs.makedirs(base + "/a/b/c", exist_ok=True)
    with pytest.raises(FileExistsError):
        hfs.makedirs(base + "/a/b/c")
    hfs.pipe(base + "/file", b"")
    with pytest.raises(FileExistsError):
        hfs.mkdir(base + "/file")
    with pytest.raises(OSError):
        hfs.rmdir(base + "/a/b")                       # not empty
    with pytest.raises(NotADirectoryError):
        hfs.rmdir(base + "/file")
    hfs.rmdir(base + "/a/b/c")
    assert not hfs.exists(base + "/a/b/c")


def test_rm(hfs, base):
    hfs.pipe({"%s/r/%d/f" % (base, i): b"x" for i in range(5)})
    hfs.pipe(base + "/r/top", b"x")
    with pytest.raises(OSError):
        hfs.rm(base + "/r")                            # a non-empty dir needs recursive
    hfs.rm(base + "/r/top")
    hfs.rm([base + "/r/0", base + "/r/0/f", base + "/r/1"], recursive=True)
    assert hfs.ls(base + "/r", detail=False) == ["%s/r/%d" % (base, i) for i in (2, 3, 4)]
    hfs.rm(base + "/r/*", recursive=True)               # a glob
    assert hfs.ls(base + "/r") == []
    with pytest.raises(FileNotFoundError):
        hfs.rm(base + "/r/gone")
    with pytest.raises(FileNotFoundError):
        hfs.rm_file(base + "/r/gone")
    hfs.rm(base + "/r", recursive=True)
    assert not hfs.exists(base + "/r")


def test_mv_renames(hfs, base):
    hfs.pipe(base + "/m/a/f", b"1")
    fid = hfs.info(base + "/m/a")["file_id"]
    hfs.mv(base + "/m/a", base + "/m/b")               # a tree: one rename, same inode
    assert hfs.info(base + "/m/b")["file_id"] == fid and not hfs.exists(base + "/m/a")
    hfs.mkdir(base + "/m/into")
    hfs.mv(base + "/m/b", base + "/m/into")            # into an existing directory
    assert hfs.cat(base + "/m/into/b/f") == b"1"
    hfs.pipe(base + "/m/g", b"2")
    hfs.mv(base + "/m/g", base + "/m/into/b/f")        # over an existing file
    assert hfs.cat(base + "/m/into/b/f") == b"2" and not hfs.exists(base + "/m/g")
    hfs.mv(base + "/m/into/b/f", base + "/m/new/parent/f")   # parents made
    assert hfs.cat(base + "/m/new/parent/f") == b"2"
    with pytest.raises(FileNotFoundError):
        hfs.mv(base + "/m/missing", base + "/m/x")


def test_touch_checksum(hfs, base, cluster):
    p = base + "/t"
    hfs.touch(p)
    assert hfs.cat(p) == b""
    hfs.pipe(p, b"data")
    hfs.client.setTimes(p, 1000_000, -1)
    hfs.touch(p, truncate=False)                       # only the time moves
    assert hfs.cat(p) == b"data" and hfs.info(p)["modification_time"] > 1000_000
    hfs.touch(p)
    assert hfs.cat(p) == b""
    hfs.pipe(p, b"data" * 1000)
    hfs.pipe(base + "/same", b"data" * 1000)
    cs = hfs.hdfs_checksum(p)
    assert cs == easy.checksum(_url(cluster, p))
    assert hfs.checksum(p) == hfs.checksum(base + "/same") == int.from_bytes(cs.md5, "big")
    hfs.pipe(base + "/same", b"datb" * 1000)
    assert hfs.checksum(p) != hfs.checksum(base + "/same")
    assert isinstance(hfs.checksum(base), int)         # a directory: fsspec's default


def test_chmod_chown_replication(hfs, base):
    hfs.pipe(base + "/c", b"x")
    hfs.chmod(base + "/c", 0o600)
    assert hfs.info(base + "/c")["permissions"] == 0o600
    hfs.chown(base + "/c", "carol", "staff")
    assert (hfs.info(base + "/c")["owner"], hfs.info(base + "/c")["group"]) == ("carol", "staff")
    assert hfs.set_replication(base + "/c", 2)
    assert hfs.info(base + "/c")["replication"] == 2


# ---------------------------------------------------------------------------
# Files

def test_random_access_reads_only_what_is_asked(hfs, base):
    data = os.urandom(3 << 20)
    with hfs.open(base + "/big", "wb", default_block_size=1 << 20) as f:
        f.write(data)
    assert hfs.info(base + "/big")["blocksize"] == 1 << 20
    with hfs.open(base + "/big", "rb", block_size=64 * 1024) as f:
        assert f.size == len(data)
        f.seek(len(data) - 100)
        assert f.read(50) == data[-100:-50]
        f.seek(1000)
        assert f.read(10) == data[1000:1010]
        assert f.read(20) == data[1010:1030]        # from the read-ahead
        f.seek(-5, 2)
        assert f.read() == data[-5:]
        # Bounded read-ahead: a seek never fetches the whole file.
        assert f._r.stats["bytes_read"] <= 4 * 64 * 1024
    with hfs.open(base + "/big", "rb") as f:           # sequential: one stream
        assert f.read() == data
    # newline="": random bytes hold \r, which universal newlines would turn into \n.
    with hfs.open(base + "/big", "rt", encoding="latin-1", newline="") as f:
        assert f.read(10) == data[:10].decode("latin-1")


def test_cat_file_ranges(hfs, base):
    data = bytes(range(256)) * 100
    hfs.pipe(base + "/r1", data)
    hfs.pipe(base + "/r2", data[::-1])
    assert hfs.cat_file(base + "/r1") == data
    assert hfs.cat_file(base + "/r1", 10, 20) == data[10:20]
    assert hfs.cat_file(base + "/r1", -10) == data[-10:]
    assert hfs.cat_file(base + "/r1", 5, -5) == data[5:-5]
    assert hfs.cat_file(base + "/r1", len(data) + 5) == b""
    assert hfs.head(base + "/r1", 7) == data[:7] and hfs.tail(base + "/r1", 7) == data[-7:]
    paths = [base + "/r1", base + "/r2"] * 20 + [base + "/missing"]
    starts = [i * 100 for i in range(40)] + [0]
    ends = [i * 100 + 50 for i in range(40)] + [10]
    out = hfs.cat_ranges(paths, starts, ends)
    for i in range(40):
        src = data if i % 2 == 0 else data[::-1]
        assert out[i] == src[i * 100:i * 100 + 50]
    assert isinstance(out[-1], FileNotFoundError)
    with pytest.raises(FileNotFoundError):
        hfs.cat_ranges(paths, starts, ends, on_error="raise")
    many = hfs.cat([base + "/r1", base + "/r2"])
    assert many == {base + "/r1": data, base + "/r2": data[::-1]}
    with pytest.raises(IsADirectoryError):
        hfs.cat_file(base)


def test_write_modes(hfs, base):
    p = base + "/w"
    with hfs.open(p, "wb", replication=2) as f:
        assert f.write(b"abc") == 3 and f.tell() == 3
        f.flush()
        f.hflush()
    assert hfs.info(p)["replication"] == 2
    with hfs.open(p, "ab") as f:
        assert f.tell() == 3
        f.write(b"def")
        assert f.tell() == 6
    assert hfs.cat(p) == b"abcdef"
    with pytest.raises(FileExistsError):
        hfs.open(p, "xb")
    with hfs.open(p, "w") as f:
        f.write("text\n")
    assert hfs.read_text(p) == "text\n"
    with pytest.raises(FileExistsError):
        hfs.pipe_file(p, b"x", mode="create")


def test_transaction_commits_on_exit(hfs, base):
    with hfs.transaction:
        with hfs.open(base + "/tx", "wb") as f:
            f.write(b"later")
        assert not hfs.exists(base + "/tx")
    assert hfs.cat(base + "/tx") == b"later"
    assert hfs.ls(base, detail=False) == [base + "/tx"]    # no temp file left
    with pytest.raises(RuntimeError):
        with hfs.transaction:
            with hfs.open(base + "/tx2", "wb") as f:
                f.write(b"never")
            raise RuntimeError
    assert not hfs.exists(base + "/tx2")
    assert hfs.ls(base, detail=False) == [base + "/tx"]
    with hfs.transaction:          # left open: committed all the same
        hfs.open(base + "/tx3", "wb").write(b"open")
    assert hfs.cat(base + "/tx3") == b"open"


def test_put_get_trees_in_parallel(hfs, base, tmp_path):
    src = tmp_path / "src"
    for i in range(20):
        (src / ("d%d" % (i % 4))).mkdir(parents=True, exist_ok=True)
        (src / ("d%d" % (i % 4)) / ("f%d" % i)).write_bytes(os.urandom(1000 + i))
    (src / "emptydir").mkdir()
    counted = []

    class Count(fsspec.callbacks.Callback):
        def call(self, *a, **k):
            counted.append(self.value)

    hfs.put(str(src), base + "/up", recursive=True, callback=Count())
    assert max(counted) == 20 + 6          # files, and directories: src, d0-d3, emptydir
    assert len(hfs.find(base + "/up")) == 20 and hfs.isdir(base + "/up/emptydir")
    hfs.get(base + "/up", str(tmp_path / "down"), recursive=True)
    for i in range(20):
        rel = os.path.join("d%d" % (i % 4), "f%d" % i)
        assert (tmp_path / "down" / rel).read_bytes() == (src / rel).read_bytes()
    assert (tmp_path / "down" / "emptydir").is_dir()
    buf = io.BytesIO()
    hfs.get_file(base + "/up/d0/f0", buf)
    assert buf.getvalue() == (src / "d0" / "f0").read_bytes()
    hfs.copy(base + "/up", base + "/copy", recursive=True)
    assert hfs.cat(base + "/copy/d3/f7") == (src / "d3" / "f7").read_bytes()
    with pytest.raises(FileNotFoundError):
        hfs.get(base + "/nothing", str(tmp_path / "x"))


def test_pickled_filesystem_reconnects(hfs, base):
    import pickle
    hfs.pipe(base + "/p", b"pickled")
    fs2 = pickle.loads(pickle.dumps(hfs))
    assert fs2.cat(base + "/p") == b"pickled"
    with hfs.open(base + "/p") as f:
        f.seek(3)
        g = pickle.loads(pickle.dumps(f))
        assert g.read() == b"kled"


# ---------------------------------------------------------------------------
# Real workloads, no JVM

def test_pandas_csv_parquet_round_trip(cluster, base, hdfs_conf_dir, monkeypatch, no_jvm):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    df = pd.DataFrame({"id": range(1000), "name": ["n%d" % i for i in range(1000)],
                       "v": [i / 7 for i in range(1000)]})
    csv = _url(cluster, base + "/df.csv")
    df.to_csv(csv, index=False)
    pd.testing.assert_frame_equal(pd.read_csv(csv), df)
    gz = _url(cluster, base + "/df.csv.gz")
    df.to_csv(gz, index=False, compression="gzip")
    pd.testing.assert_frame_equal(pd.read_csv(gz), df)
    # pandas' Parquet tries pyarrow's own (JNI) HDFS for an hdfs://host URL
    # unless storage_options or filesystem is given; any dict does.
    pq = _url(cluster, base + "/df.parquet")
    df.to_parquet(pq, storage_options={})
    pd.testing.assert_frame_equal(pd.read_parquet(pq, storage_options={}), df)
    pd.testing.assert_frame_equal(pd.read_parquet(pq, columns=["v"], storage_options={}),
                                  df[["v"]])
    # hdfs:///path (fs.defaultFS) falls back to fsspec by itself.
    monkeypatch.setenv("HADOOP_CONF_DIR", hdfs_conf_dir)
    df.to_parquet("hdfs://" + base + "/df2.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet("hdfs://" + base + "/df2.parquet"), df)
    assert "JAVA_HOME" not in os.environ and "CLASSPATH" not in os.environ


def test_pyarrow_dataset_over_parquet_directory(hfs, base, no_jvm):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.dataset as ds
    import pyarrow.fs as pafs
    import pyarrow.parquet as pq
    pfs = pafs.PyFileSystem(pafs.FSSpecHandler(hfs))
    for part in range(4):
        t = pa.table({"x": list(range(part * 250, part * 250 + 250))})
        pq.write_table(t, base + "/ds/part=%d/data.parquet" % part, filesystem=pfs)
    dataset = ds.dataset(base + "/ds", filesystem=pfs, format="parquet",
                         partitioning="hive")
    table = dataset.to_table()
    assert table.num_rows == 1000
    assert sorted(table.column("x").to_pylist()) == list(range(1000))
    only = dataset.to_table(filter=ds.field("part") == 2)
    assert only.num_rows == 250 and set(only.column("part").to_pylist()) == {2}
    info = pfs.get_file_info(base + "/ds/part=1/data.parquet")
    assert info.type == pafs.FileType.File and info.size > 0


def test_dask_partitioned_dataset(cluster, base, no_jvm):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    import dask
    df = pd.DataFrame({"k": [i % 5 for i in range(500)], "v": range(500)})
    url = _url(cluster, base + "/dask")
    with dask.config.set(scheduler="threads"):
        dd.from_pandas(df, npartitions=4).to_parquet(url, write_index=False)
        back = dd.read_parquet(url)
        assert back.npartitions == 4
        assert back.v.sum().compute() == sum(range(500))
        csvs = _url(cluster, base + "/dcsv/*.csv")
        dd.from_pandas(df, npartitions=3).to_csv(csvs, index=False)
        assert len(dd.read_csv(csvs)) == 500


def test_ha_nameservice_url(fresh_cluster, monkeypatch):
    # hdfs://<nameservice>/path: both NameNodes from HADOOP_CONF_DIR, and
    # calls fail over with the active one.
    ha = fresh_cluster(datanodes=1, replication=1, ha=True)
    monkeypatch.setenv("HADOOP_CONF_DIR", ha.conf_dir)
    monkeypatch.setenv("HADOOP_USER_NAME", ha.superuser)
    url = "hdfs://%s/fsspec-ha" % ha.nameservice
    try:
        with fsspec.open(url + "/f", "wb") as f:
            f.write(b"before")
        fs, path = fsspec.core.url_to_fs(url)
        assert isinstance(fs, HadoofusFileSystem) and path == "/fsspec-ha"
        assert fs.unstrip_protocol(path) == url
        ha.failover()
        fs.pipe(path + "/g", b"after")
        assert fs.cat([path + "/f", path + "/g"]) == {path + "/f": b"before",
                                                    path + "/g": b"after"}
        assert fsspec.filesystem("hdfs").ls(path, detail=False) == [path + "/f", path + "/g"]
    finally:
        easy.clear_cache()
