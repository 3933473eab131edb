"""libhdfs_hadoofus.so: the C conformance suite of tests/libhdfs/ against the
real cluster, in every build directory test_c_units.py uses (plain and
ASan+UBSan under ./dev.sh test), plus checks of what the library exports.

The C programs (see tests/libhdfs/live.h) get HOST PORT BASE SUPERUSER and
HADOOP_CONF_DIR pointing at the cluster's client configuration; BASE is a
fresh directory, prepared here with the Java client where a program needs
files from another client; what the programs write is read back with it.
"""

import glob
import os
import re
import subprocess
import uuid

import pytest

from test_c_units import _build, _build_dirs, _env, _report

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HEADER = os.path.join(ROOT, "include", "hdfs", "hdfs.h")

# Apache's libhdfs.so exports these too (its hdfs_test.h test hooks).
TEST_HOOKS = {"hdfsFileUsesDirectRead", "hdfsFileDisableDirectRead", "hdfsFileUsesDirectPread",
              "hdfsFileDisableDirectPread", "hdfsDisableDomainSocketSecurity"}


def pattern(n, start=0):
    """The bytes the programs use: (i * 7 + 3) & 0xff at offset i."""
    return bytes(((i * 7 + 3) & 0xFF) for i in range(start, start + n))


def _dirs():
    return [pytest.param(d, id=os.path.basename(d)) for d in _build_dirs()]


def _base(name):
    return "/test/libhdfs-%s-%s" % (name, uuid.uuid4().hex[:10])


def _prepare_files(java_client, base, big=False):
    """What the live programs expect under BASE (live.h)."""
    jc = java_client
    jc.mkdir(base + "/files")
    jc.mkdir(base + "/quota")
    jc.put(pattern(3000), base + "/files/data3", blocksize=1024, replication=1)
    jc.put(os.urandom(2500), base + "/files/trunc", blocksize=1024, replication=1)
    jc.shell("-touchz", base + "/files/empty")
    jc.dfsadmin("-setQuota", "2", base + "/quota")
    if big:
        jc.put(pattern((1 << 20) + 5), base + "/files/big", blocksize=65536)
        jc.put(b"secret", base + "/files/secret")
        jc.chmod("600", base + "/files/secret")


def _run(build_dir, prog, cluster, base, *extra):
    b = _build(build_dir)
    exe = b.executables.get(prog)
    if exe is None:
        pytest.fail("tests/libhdfs/%s.c is not built by tests/libhdfs/meson.build" % prog)
    env = _env({"HADOOP_CONF_DIR": cluster.conf_dir})
    env.pop("HADOOP_USER_NAME", None)
    r = subprocess.run([exe, cluster.host, str(cluster.port), base, cluster.superuser] + list(extra),
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env, timeout=600)
    _report(prog, r)


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_abi(build_dir):
    """Layouts, prototypes and offline behaviour (also a meson test)."""
    b = _build(build_dir)
    t = b.tests.get("test_libhdfs_abi")
    if t is None:
        pytest.fail("test_libhdfs_abi is not declared with test() in tests/libhdfs/meson.build")
    env = _env(t.get("env"))
    env.pop("HADOOP_USER_NAME", None)
    r = subprocess.run(t["cmd"], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env, cwd=t.get("workdir") or b.path,
                       timeout=300)
    _report("test_libhdfs_abi", r)


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_ns(build_dir, cluster, java_client):
    base = _base("ns")
    _prepare_files(java_client, base)
    _run(build_dir, "test_libhdfs_ns_live", cluster, base)
    # What the C program did, as the Java client sees it.
    [entry] = [e for e in java_client.ls(base + "/perm/alice") if e["path"].endswith("/x")]
    assert entry["owner"] == "alice"
    assert java_client.exists(base + "/ops/r/into/dst")
    assert java_client.stat(base + "/files/trunc", "%b") == "100"


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_read(build_dir, cluster, java_client):
    base = _base("read")
    _prepare_files(java_client, base, big=True)
    _run(build_dir, "test_libhdfs_read_live", cluster, base)


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_write(build_dir, cluster, java_client):
    base = _base("write")
    _prepare_files(java_client, base)
    _run(build_dir, "test_libhdfs_write_live", cluster, base)
    assert java_client.cat(base + "/io/for-java") == pattern(10000)
    [entry] = java_client.ls(base + "/io/for-java")
    assert entry["size"] == 10000 and entry["perm"] == "-rw-r--r--"
    assert java_client.stat(base + "/io/built", "%o %r") == "4096 1"


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_fuse(build_dir, cluster, java_client):
    """fuse_dfs' call sequences (per-user builder connections shared by
    threads, the FUSE operations' hdfs.h calls and errno values)."""
    base = _base("fuse")
    _run(build_dir, "test_libhdfs_fuse_live", cluster, base)
    # What the C program did as alice and bob, as the Java client sees it.
    assert java_client.cat(base + "/fuse/bob/for-java") == pattern(71000)
    [entry] = java_client.ls(base + "/fuse/bob/for-java")
    assert (entry["owner"], entry["group"], entry["size"]) == ("bob", "users", 71000)
    assert java_client.stat(base + "/fuse/bob/for-java", "%Y") == "1500000000000"
    [entry] = java_client.ls(base + "/fuse/alice/secret")
    assert (entry["owner"], entry["group"], entry["perm"]) == ("bob", "supergroup", "-rw-------")
    for user in ("alice", "bob"):
        for t in (0, 1):
            trash = "/user/%s/.Trash/Current%s/fuse/%s/t%d" % (user, base, user, t)
            names = sorted(e["path"].rsplit("/", 1)[1] for e in java_client.ls(trash))
            assert names == ["rw", "rw.1"]


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_apache(build_dir, cluster, java_client):
    """What Apache's own libhdfs test programs (test_libhdfs_ops, _threaded,
    _zerocopy, _read, _write, _mini_stress) expect, with their paths under
    BASE; what they wrote, as the Java client sees it."""
    base = _base("apache")
    _run(build_dir, "test_libhdfs_apache_live", cluster, base)
    assert java_client.cat(base + "/tmp/appends") == b"Hello, World\0"
    assert java_client.cat(base + "/tmp/usertestfile.txt") == b"Hello, World!\0"
    [entry] = java_client.ls(base + "/tmp/usertestfile.txt")
    assert entry["owner"] == "nobody"
    [entry] = java_client.ls(base + "/tmp", directory=True)
    assert entry["perm"] == "drwxrwxrwx"
    assert not java_client.exists(base + "/tmp/testfile.txt")
    assert not java_client.exists(base + "/tmp/newdir")
    assert java_client.cat(base + "/tmp/testfile2.txt") == b"Hello, World!\0"
    zc = bytes((i // 4096 + (i % 4096) % 17) & 0xFF for i in range(5 * 4096 + 3215))
    [name] = [e["path"] for e in java_client.ls(base) if "zeroCopyTestFile" in e["path"]]
    assert java_client.cat(name) == zc
    assert java_client.stat(name, "%o %r") == "4096 1"
    rw = java_client.cat(base + "/rw/file")
    assert len(rw) == 3000017
    assert rw == b"".join(bytes((97 + i % 26) for i in range(100000)) for _ in range(31))[:3000017]
    ms = (base + "/tlhMiniStressData/file").encode()
    data = java_client.cat(base + "/tlhMiniStressData/file")
    assert len(data) % len(ms) == 0 and data == ms * (len(data) // len(ms))
    assert java_client.stat(base + "/tlhMiniStressData/file", "%o %r") == "1048576 3"


def test_libhdfs_apache_localfs(cluster):
    """test_libhdfs_ops.c's local file system part (copies and moves between
    it and HDFS, no direct reads on it)."""
    _run(_build_dirs()[0], "test_libhdfs_apache_live", cluster, _base("apache-localfs"), "localfs")


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_local(build_dir, cluster, java_client, tmp_path):
    """The local file system (hdfsConnect(NULL, 0), Java's LocalFileSystem):
    every hdfs.h call on a local directory, copies and moves between it and
    HDFS; files Java wrote there (with their .crc checksum files) are
    overwritten, appended to, truncated and renamed by the C program and
    must still read back through Java's checksum-verifying LocalFileSystem."""
    local = tmp_path / "local"
    stage = tmp_path / "stage"
    local.mkdir()
    stage.mkdir()
    old = b"old bytes from java " * 50
    for name, data in [("overwritten", old), ("appended", old), ("truncated", old),
                       ("renamed", old), ("kept", b"from java\n")]:
        (stage / name).write_bytes(data)
    java_client.shell("-mkdir", "-p", "file://%s/java" % local)
    java_client.shell("-put", *sorted(str(p) for p in stage.iterdir()), "file://%s/java" % local)
    assert (local / "java" / ".overwritten.crc").exists()  # Java's checksum files
    _run(build_dir, "test_libhdfs_local_live", cluster, _base("local"), str(local))
    names = sorted(e["path"].rsplit("/", 1)[1] for e in java_client.ls("file://%s/java" % local))
    assert names == ["appended", "kept", "overwritten", "renamed2", "truncated"]
    j = "file://%s/java/" % local
    got = java_client.shell("-cat", j + "overwritten", j + "appended", j + "truncated",
                            j + "renamed2", j + "kept", "file://%s/for-java" % local).stdout
    assert got == pattern(3000) + old + b"+more" + old[:4] + old + b"from java\n" + pattern(10000)


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_connect(build_dir, cluster):
    _run(build_dir, "test_libhdfs_conn_live", cluster, _base("conn"))


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_threads(build_dir, cluster):
    _run(build_dir, "test_libhdfs_threads_live", cluster, _base("threads"))


def test_libhdfs_safemode(cluster, java_client):
    """SafeModeException -> EROFS (the NameNode in safe mode for a moment)."""
    base = _base("safemode")
    _prepare_files(java_client, base)
    java_client.dfsadmin("-safemode", "enter")
    try:
        _run(_build_dirs()[0], "test_libhdfs_ns_live", cluster, base, "safemode")
    finally:
        java_client.dfsadmin("-safemode", "leave")


def _header_functions():
    with open(HEADER) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return set(re.findall(r"\b((?:hdfs|hadoop)[A-Z]\w*)\s*\(", text))


def _exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         stdout=subprocess.PIPE).stdout.decode()
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


@pytest.mark.parametrize("build_dir", _dirs())
def test_libhdfs_exports(build_dir):
    """Every function of include/hdfs/hdfs.h is exported, and nothing else
    (no core or protobuf-c symbol) but libhdfs' test hooks, from both file
    names."""
    _build(build_dir)
    want = _header_functions()
    assert len(want) > 80
    for lib in ("libhdfs_compat/libhdfs_hadoofus.so", "libhdfs_compat/libhdfs/libhdfs.so"):
        got = _exported(os.path.join(build_dir, lib))
        assert want - got == set(), lib
        assert got - want - TEST_HOOKS == set(), lib
    soname = subprocess.run(["readelf", "-d", os.path.join(build_dir, "libhdfs_compat/libhdfs/libhdfs.so")],
                            check=True, stdout=subprocess.PIPE).stdout.decode()
    assert "[libhdfs.so.0.0.0]" in soname  # as Apache's


def test_libhdfs_suite_calls_every_function():
    """The live programs (not only the offline ABI test) call every
    function of include/hdfs/hdfs.h at least once."""
    want = _header_functions()
    src = ""
    for path in glob.glob(os.path.join(HERE, "libhdfs", "*.[ch]")):
        name = os.path.basename(path)
        if name in ("test_libhdfs_abi.c", "fuse_probe.c"):
            continue
        with open(path) as f:
            src += re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    missing = sorted(fn for fn in want if not re.search(r"\b%s\s*\(" % fn, src))
    assert missing == []
