"""Data transfer security against a real HDFS: dfs.encrypt.data.transfer
(DIGEST-MD5 keyed by the NameNode's data encryption key, then AES/CTR or
the SASL cipher), with the bytes cross-checked by Java's FsShell on the
same cluster.

One cluster per SASL cipher (the NameNode's
dfs.encrypt.data.transfer.algorithm), one DataNode each; whether AES/CTR
is asked for is the client's dfs.encrypt.data.transfer.cipher.suites.
"""

import os

import pytest

from conftest import client_conf_with, payload, running_cluster, running_secure_cluster

import hadoofus
from hadoofus import easy

BLOCK = 1 << 20
ENCRYPTED = {
    "dfs.block.access.token.enable": "true",
    "dfs.encrypt.data.transfer": "true",
    "dfs.encrypt.data.transfer.cipher.suites": "AES/CTR/NoPadding",
    "dfs.namenode.fs-limits.min-block-size": "1024",
}
# Hadoop 2.7.3's CryptoStreamUtils frees an AES stream's direct buffers
# through sun.nio.ch.DirectBuffer.cleaner(), hidden by Java 17 and of
# another type there: the close fails. The DataNode only logs it (with the
# export); FsShell dies of it, so it runs with the SASL cipher.
EXPORTS = ["--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"]


@pytest.fixture(scope="module", params=["rc4", "3des"])
def enc(request):
    yield from running_cluster(
        datanodes=1, replication=1, heap="192m", jvm_opts=EXPORTS,
        conf={**ENCRYPTED, "dfs.encrypt.data.transfer.algorithm": request.param})


@pytest.fixture(params=[False, True], ids=["sasl-cipher", "aes"])
def client_conf(request, enc, tmp_path, monkeypatch):
    """HADOOP_CONF_DIR asking for AES/CTR (the cluster's own client conf)
    or not (an empty one); cached connections are dropped either way."""
    monkeypatch.setenv("HADOOP_CONF_DIR", enc.conf_dir if request.param else str(tmp_path))
    easy.clear_cache()
    yield request.param
    easy.clear_cache()


def url(mc, path):
    return "hdfs://%s:%d%s" % (mc.host, mc.port, path)


def fs_shell(mc, *args):
    """Java's FsShell on mc, encrypting with the SASL cipher."""
    return mc.fs_shell("-D", "dfs.encrypt.data.transfer.cipher.suites=", *args,
                       jvm_opts=EXPORTS).stdout


def java_put(mc, data, path, tmp_path):
    local = tmp_path / "put"
    local.write_bytes(data)
    fs_shell(mc, "-D", "dfs.blocksize=%d" % BLOCK, "-put", "-f", str(local), path)


def test_write_read_cross_checked(enc, client_conf):
    data = payload(3 * BLOCK + 12345, 1)
    path = "/enc/w-%s" % client_conf
    with easy.open(url(enc, path), "wb", blocksize=BLOCK) as f:
        f.write(data)
    with easy.open(url(enc, path), "rb") as f:
        assert f.read() == data
        assert f.pread(BLOCK - 10, 20) == data[BLOCK - 10:BLOCK + 10]
    assert fs_shell(enc, "-cat", path) == data
    java = fs_shell(enc, "-checksum", path).decode().split()[-1]
    assert easy.checksum(url(enc, path)).hex() == java


def test_read_what_java_wrote(enc, client_conf, tmp_path):
    data = payload(2 * BLOCK + 7, 2)
    path = "/enc/j-%s" % client_conf
    java_put(enc, data, path, tmp_path)
    with easy.open(url(enc, path), "rb") as f:
        assert f.read() == data
    with easy.open(url(enc, path), "ab") as f:   # append: a recovered pipeline
        f.write(b"tail")
    assert fs_shell(enc, "-cat", path) == data + b"tail"


def test_block_level_reads_refused_without_encryption(enc, tmp_path):
    """The DataNode insists: the block-level reader (no NameNode handle, so
    no key) is refused, which is what the file layer's handshake avoids."""
    path = "/enc/plain-refused"
    java_put(enc, b"x" * 1000, path, tmp_path)
    nn = hadoofus.rpc(enc.host, enc.port)
    [blk] = nn.getBlockLocations(path).blocks
    with pytest.raises(hadoofus.HadoofusError):
        hadoofus.data(blk, nn.client_name).read()


def test_cipher_suites_checked():
    # refused before anything connects
    with pytest.raises(hadoofus.HadoofusError):
        hadoofus.rpc("127.0.0.1", 1, data_cipher_suites="AES/GCM/NoPadding")
    with pytest.raises(hadoofus.HadoofusError):
        hadoofus.rpc("127.0.0.1", 1, data_protection="secret")
    hadoofus.rpc("127.0.0.1", 1, data_cipher_suites="AES/CTR/NoPadding",
                 data_protection="integrity,privacy").close()


LIBHDFS_SCRIPT = r'''
import ctypes, os, sys
lib = ctypes.CDLL(sys.argv[1])
lib.hdfsConnect.restype = ctypes.c_void_p
lib.hdfsConnect.argtypes = [ctypes.c_char_p, ctypes.c_uint16]
lib.hdfsOpenFile.restype = ctypes.c_void_p
lib.hdfsOpenFile.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                             ctypes.c_short, ctypes.c_int32]
lib.hdfsWrite.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32]
lib.hdfsRead.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int32]
lib.hdfsCloseFile.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
fs = lib.hdfsConnect(sys.argv[2].encode(), int(sys.argv[3]))
assert fs
path, data = sys.argv[4].encode(), bytes(range(256)) * 4000
f = lib.hdfsOpenFile(fs, path, os.O_WRONLY, 0, 1, 1 << 20)
assert f and lib.hdfsWrite(fs, f, data, len(data)) == len(data)
assert lib.hdfsCloseFile(fs, f) == 0
f = lib.hdfsOpenFile(fs, path, os.O_RDONLY, 0, 0, 0)
buf, got = ctypes.create_string_buffer(len(data) + 1), b""
while True:
    n = lib.hdfsRead(fs, f, buf, len(data) + 1)
    assert n >= 0
    if n == 0:
        break
    got += buf.raw[:n]
assert got == data, len(got)
print("ok")
'''


def test_libhdfs_encrypted(enc, tmp_path):
    """libhdfs_hadoofus.so takes the client keys from HADOOP_CONF_DIR (here
    AES/CTR) and the cluster's encryption from the NameNode."""
    import subprocess
    import sys

    from test_c_units import _build, _plain_build_dir
    build_dir = _plain_build_dir()
    _build(build_dir)
    so = os.path.join(build_dir, "libhdfs_compat", "libhdfs", "libhdfs.so")
    env = dict(os.environ, HADOOP_CONF_DIR=enc.conf_dir)
    path = "/enc/libhdfs-" + tmp_path.name
    r = subprocess.run([sys.executable, "-c", LIBHDFS_SCRIPT, so, enc.host, str(enc.port),
                        path], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       timeout=120)
    assert r.returncode == 0 and r.stdout.strip() == b"ok", r.stderr.decode()[-3000:]
    with easy.open(url(enc, path), "rb") as f:
        assert f.read() == bytes(range(256)) * 4000


# ---------------------------------------------------------------------------
# SASL data transfer protection on a kerberized cluster: DIGEST-MD5 keyed
# by each op's block token, at the QOP the client's
# dfs.data.transfer.protection names (the DataNodes accept all three).

QOPS = ("authentication", "integrity", "privacy")


@pytest.fixture(scope="module")
def secure():
    yield from running_secure_cluster(
        datanodes=2, replication=2, heap="192m", jvm_opts=EXPORTS,
        conf={"dfs.namenode.fs-limits.min-block-size": "1024"})


@pytest.fixture(scope="module")
def alice_cc(secure):
    return secure.kinit("alice")


@pytest.fixture(params=QOPS)
def qop_conf(request, secure, alice_cc, tmp_path, monkeypatch):
    """A client configuration of the secure cluster asking for one QOP on
    data transfer, with alice's tickets."""
    monkeypatch.setenv("HADOOP_CONF_DIR", client_conf_with(
        secure, tmp_path, **{"dfs.data.transfer.protection": request.param}))
    monkeypatch.setenv("KRB5CCNAME", alice_cc)
    easy.clear_cache()
    yield request.param
    easy.clear_cache()


def test_protection_levels(secure, qop_conf, tmp_path):
    """Ours and Java's bytes both ways at one QOP: Java writes one file, we
    write another (hflush, multi-block, append), each reads the other's."""
    theirs = payload(BLOCK + 5, 4)
    local = tmp_path / "j"
    local.write_bytes(theirs)
    java_path = "/user/alice/dtp-java-" + qop_conf
    secure.fs_shell("-D", "dfs.blocksize=%d" % BLOCK, "-put", "-f", str(local), java_path,
                    user="alice")
    with easy.open(url(secure, java_path), "rb") as f:
        assert f.read() == theirs

    data = payload(2 * BLOCK + 999, 3)
    path = "/user/alice/dtp-" + qop_conf
    with easy.open(url(secure, path), "wb", blocksize=BLOCK) as f:
        f.write(data[:BLOCK])
        f.flush()
        f.write(data[BLOCK:])
    with easy.open(url(secure, path), "rb") as f:
        assert f.read() == data
    with easy.open(url(secure, path), "ab") as f:
        f.write(b"more")
    data += b"more"
    assert secure.fs_shell("-cat", path, user="alice").stdout == data
    assert len(easy.checksum(url(secure, path)).hex()) == 56

