"""hadoofus.easy.checksum (C: hdfs_file_checksum) against `hadoop fs
-checksum` of the stock Java client, on files the Java client wrote: the
algorithm name and the hex of the serialized checksum must be identical."""

import os

import pytest

import hadoofus
from hadoofus import cli, easy
from hadoofus._datanode import crc32c
from conftest import HADOOP3, fs_put, payload

MIB = 1024 * 1024
BS = MIB


def java_checksums(cluster, paths, conf=None):
    """{path: (algorithm, hex)} from one FsShell -checksum run; conf,
    {key: value} passed as -D options."""
    dopts = []
    for k, v in (conf or {}).items():
        dopts += ["-D", "%s=%s" % (k, v)]
    out = cluster.fs_shell(*dopts, "-checksum", *paths).stdout.decode()
    res = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            p = parts[0]
            if "://" in p:
                p = "/" + p.split("://", 1)[1].split("/", 1)[1]
            res[p] = (parts[1], parts[2])
    return res


SIZES = [0, 1, 511, 512, 513, 65535, 65536, 65537, 3 * BS + 5, 10 * MIB + 1]

# Each set: its FsShell -D options.
KINDS = {
    "crc32c": {"dfs.blocksize": BS},
    "crc32": {"dfs.blocksize": BS, "dfs.checksum.type": "CRC32"},
    "bpc1024": {"dfs.blocksize": BS, "dfs.bytes-per-checksum": 1024},
    "big-blocks": {"dfs.blocksize": 4 * MIB},
}


@pytest.fixture(scope="module")
def written(cluster, tmp_path_factory):
    base = "/test/checksum-%s" % os.urandom(4).hex()
    paths = []
    for kind, conf in KINDS.items():
        sizes = SIZES if kind == "crc32c" else [0, 513, 3 * BS + 5]
        files = {"f%d" % n: payload(n, n) for n in sizes}
        d = "%s/%s" % (base, kind)
        fs_put(cluster, str(tmp_path_factory.mktemp(kind)), d, files, conf)
        paths += ["%s/f%d" % (d, n) for n in sizes]
    return base, paths, java_checksums(cluster, paths)


def test_matches_java(cluster, written):
    _base, paths, java = written
    assert len(java) == len(paths)
    for p in paths:
        ck = easy.checksum("hdfs://%s:%d%s" % (cluster.host, cluster.port, p))
        algo, hexsum = java[p]
        assert (ck.algorithm, ck.hex()) == (algo, hexsum), p


def test_algorithm_names(cluster, written):
    base, _paths, java = written
    assert java[base + "/crc32c/f0"][0] == "MD5-of-0MD5-of-0CRC32"
    assert java[base + "/crc32c/f513"][0] == "MD5-of-0MD5-of-512CRC32C"
    assert java[base + "/crc32c/f%d" % (3 * BS + 5)][0] == "MD5-of-2048MD5-of-512CRC32C"
    assert java[base + "/crc32/f513"][0] == "MD5-of-0MD5-of-512CRC32"
    assert java[base + "/bpc1024/f%d" % (3 * BS + 5)][0] == "MD5-of-1024MD5-of-1024CRC32C"


def test_object(cluster, written):
    base, _paths, java = written
    p = base + "/crc32c/f%d" % (10 * MIB + 1)
    fs = easy.filesystem(cluster.host, cluster.port)
    ck = easy.checksum(p, fs=fs)
    assert ck == easy.checksum("hdfs://%s:%d%s" % (cluster.host, cluster.port, p))
    assert len(ck.bytes) == 28 and ck.length == 28
    assert ck.bytes_per_crc == 512 and ck.crc_per_block == 2048
    assert ck.bytes[12:] == ck.md5
    assert str(ck) == "%s:%s" % (ck.algorithm, ck.md5.hex())   # Java's toString()
    assert ck.hex() == java[p][1]
    assert hash(ck) == hash(easy.checksum(p, fs=fs))


def test_prefix_length(cluster, written, tmp_path):
    """The checksum of the first `length` bytes is the checksum of a file
    holding only those bytes (same block size)."""
    base, _paths, _java = written
    n = 3 * BS + 5
    data = payload(n, n)
    d = base + "/prefix"
    fs_put(cluster, str(tmp_path), d, {"one": data[:BS], "two": data[:2 * BS]},
           {"dfs.blocksize": BS})
    fs = easy.filesystem(cluster.host, cluster.port)
    full = base + "/crc32c/f%d" % n
    assert easy.checksum(full, fs=fs, length=BS) == easy.checksum(d + "/one", fs=fs)
    assert easy.checksum(full, fs=fs, length=2 * BS) == easy.checksum(d + "/two", fs=fs)


def test_errors(cluster, written):
    base, _paths, _java = written
    url = "hdfs://%s:%d%s" % (cluster.host, cluster.port, base)
    with pytest.raises(FileNotFoundError) as ei:
        easy.checksum(url + "/nope")
    assert isinstance(ei.value, hadoofus.FileNotFoundException)
    with pytest.raises(IsADirectoryError):
        easy.checksum(url)
    with pytest.raises(ValueError):
        easy.checksum("relative", fs=easy.filesystem(cluster.host, cluster.port))
    with pytest.raises(ValueError):
        easy.checksum(url + "/crc32c/f1", length=-1)


COMPOSITE = {"dfs.checksum.combine.mode": "COMPOSITE_CRC"}


@pytest.mark.skipif(not HADOOP3, reason="COMPOSITE_CRC needs Hadoop 3.1+ DataNodes")
def test_composite_crc_matches_java(cluster, written):
    """dfs.checksum.combine.mode=COMPOSITE_CRC: `hadoop fs -checksum` with
    the mode set, for every block size, chunk size and CRC type written;
    equal bytes get equal checksums whatever those sizes."""
    base, paths, _java = written
    java = java_checksums(cluster, paths, COMPOSITE)
    assert len(java) == len(paths)
    fs = easy.filesystem(cluster.host, cluster.port)
    by_bytes = {}
    for p in paths:
        ck = easy.checksum(p, fs=fs, mode="COMPOSITE_CRC")
        assert (ck.algorithm, ck.hex()) == java[p], p
        by_bytes.setdefault((p.rsplit("/", 1)[1], ck.algorithm), set()).add(ck.hex())
    for key, sums in by_bytes.items():
        assert len(sums) == 1, (key, sums)
    n = 3 * BS + 5
    ck = easy.checksum(base + "/crc32c/f%d" % n, fs=fs, mode="COMPOSITE_CRC")
    assert ck.algorithm == "COMPOSITE-CRC32C" and ck.md5 is None and ck.length == 4
    assert ck.crc == crc32c(payload(n, n)) and ck.bytes == ck.crc.to_bytes(4, "big")
    assert str(ck) == "COMPOSITE-CRC32C:0x%08x" % ck.crc
    assert java[base + "/crc32/f513"][0] == "COMPOSITE-CRC32"
    # An empty file: the MD5 answer in this mode too, as from Java.
    assert java[base + "/crc32c/f0"][0] == "MD5-of-0MD5-of-0CRC32"
    # A prefix is the CRC of those bytes.
    ck = easy.checksum(base + "/crc32c/f%d" % n, fs=fs, mode="COMPOSITE_CRC", length=BS + 7)
    assert ck.crc == crc32c(payload(n, n)[:BS + 7])


def test_composite_crc_mode_chosen(cluster, written, monkeypatch, tmp_path, capsys):
    """The mode from the argument, from dfs.checksum.combine.mode in the
    Hadoop configuration, and from the CLI's -D, as Java; a bad name is
    refused; a Hadoop 2 DataNode, which knows only MD5MD5CRC, is a clear
    error."""
    base, _paths, _java = written
    p = base + "/crc32c/f513"
    fs = easy.filesystem(cluster.host, cluster.port)
    with pytest.raises(ValueError) as ei:
        easy.checksum(p, fs=fs, mode="CRC")
    assert "COMPOSITE_CRC" in str(ei.value)
    md5 = easy.checksum(p, fs=fs, mode="MD5MD5CRC")
    assert md5 == easy.checksum(p, fs=fs)
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "hdfs-site.xml").write_text(
        "<configuration><property><name>dfs.checksum.combine.mode</name>"
        "<value>COMPOSITE_CRC</value></property></configuration>")
    monkeypatch.setenv("HADOOP_CONF_DIR", str(conf_dir))
    if not HADOOP3:
        with pytest.raises(hadoofus.WireProtocolError) as ei:
            easy.checksum(p, fs=fs)   # the mode of the configuration
        assert "does not know COMPOSITE_CRC" in str(ei.value)
        assert "3.1" in str(ei.value)
        return
    want = easy.checksum(p, fs=fs, mode="COMPOSITE_CRC")
    assert want.algorithm == "COMPOSITE-CRC32C"
    assert easy.checksum(p, fs=fs) == want
    assert easy.checksum(p, fs=fs, mode="MD5MD5CRC") == md5
    fsspec = pytest.importorskip("hadoofus.fsspec")
    ffs = fsspec.HadoofusFileSystem(host=cluster.host, port=cluster.port, skip_instance_cache=True)
    assert ffs.checksum(p) == want.crc
    monkeypatch.delenv("HADOOP_CONF_DIR")
    url = "hdfs://%s:%d" % (cluster.host, cluster.port)
    assert cli.main(["--namenode", url, "-D", "dfs.checksum.combine.mode=COMPOSITE_CRC",
                     "checksum", p]) == 0
    out = capsys.readouterr().out
    assert out.endswith("%s\tCOMPOSITE-CRC32C\t%s\n" % (p, want.hex())), out
