"""A FUSE mount of the test cluster through libhdfs_hadoofus.so.

tests/libhdfs/fuse_probe.c is a small FUSE driver on hdfs.h alone that
uses libhdfs the way Apache's fuse_dfs does (per-user connections, open
flag translation, ordered writes, preads through a buffer, truncate by
reopening, trash). It is mounted here on a temporary directory and driven
through the kernel with ordinary POSIX calls, as root (the HDFS superuser:
whoever runs the NameNode) and as `nobody` (a plain HDFS user, for EACCES);
what it wrote is read back with the Java client.

The mount needs /dev/fuse, root, and libfuse-dev at build time (dev.sh
installs it): a missing piece fails the test rather than skipping it.
"""

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

from test_c_units import _build, _build_dirs, _env
from conftest import run_threads

NOBODY = 65534
BLOCK = 65536   # dfs.blocksize of the mount's connections: multi-block files


def pattern(n, start=0):
    return bytes(((i * 7 + 3) & 0xFF) for i in range(start, start + n))


def _dirs():
    return [pytest.param(d, id=os.path.basename(d)) for d in _build_dirs()]


def _mounted(path):
    """Whether path is a mount point, from the kernel's table: stat() of a
    FUSE root is itself an operation the mount may refuse this caller (a
    Kerberos mount without a ticket cache of this process's)."""
    with open("/proc/self/mountinfo") as f:
        # Field 5 is the mount point, with octal escapes for spaces etc.
        return any(ln.split()[4] == path for ln in f)


class Mount:
    """fuse_probe running in the foreground on a temporary mountpoint."""

    def __init__(self, exe, cluster, extra=()):
        self.dir = tempfile.mkdtemp(prefix="hadoofus-fuse-")
        self.log = tempfile.TemporaryFile(prefix="hadoofus-fuse-log-")
        env = _env({"HADOOP_CONF_DIR": cluster.conf_dir})
        env.pop("HADOOP_USER_NAME", None)
        # Attributes are not cached (other clients change files too);
        # allow_other lets `nobody` in, and without default_permissions
        # HDFS alone decides who may do what.
        opts = "allow_other,attr_timeout=0,entry_timeout=0,negative_timeout=0,big_writes," \
               "fsname=hadoofus-fuse-probe,subtype=hadoofus"
        cmd = [exe, "-C", "dfs.blocksize=%d" % BLOCK, *extra,
               "hdfs://%s:%d" % (cluster.host, cluster.port), self.dir, "-f", "-o", opts]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + 60
        while not _mounted(self.dir):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                out = self.output()
                self.close()
                pytest.fail("fuse_probe did not mount %s (exit %s):\n%s"
                            % (self.dir, self.proc.returncode, out[-4000:]))
            time.sleep(0.1)

    def output(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def path(self, hdfs_path):
        return self.dir + hdfs_path

    def close(self):
        """Unmount (lazily if busy) and wait for the driver; its exit
        status (non-zero on a sanitizer report), or None if it had to be
        killed."""
        rc = None
        try:
            if _mounted(self.dir):
                r = subprocess.run(["umount", self.dir], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
                if r.returncode != 0:
                    subprocess.run(["umount", "-l", self.dir])
            try:
                rc = self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if not _mounted(self.dir):
                os.rmdir(self.dir)
        return rc


def _probe(build_dir):
    if not os.path.exists("/dev/fuse"):
        pytest.fail("/dev/fuse is missing: FUSE mounts cannot work on this machine "
                    "(a container needs --device /dev/fuse and CAP_SYS_ADMIN)")
    if os.geteuid() != 0:
        pytest.fail("the FUSE mount test runs as root (CI does); this is uid %d" % os.geteuid())
    exe = _build(build_dir).executables.get("fuse_probe")
    if exe is None:
        pytest.fail("fuse_probe was not built: meson found no libfuse "
                    "(install libfuse-dev; ./dev.sh setup does)")
    return exe


# What `nobody` does, in a child process with its uid: each step's errno
# (0 for success) by name.
NOBODY_SCRIPT = r"""
import errno, json, os, sys
root, shared = sys.argv[1], sys.argv[2]
out = {}
def step(name, fn):
    try:
        fn()
        out[name] = 0
    except OSError as e:
        out[name] = errno.errorcode.get(e.errno, e.errno)
def write(p, data, mode="wb"):
    with open(p, mode) as f:
        f.write(data)
def read(p):
    with open(p, "rb") as f:
        f.read()
step("stat_secret", lambda: os.stat(root + "/secret"))
step("read_secret", lambda: read(root + "/secret"))
step("read_public", lambda: read(root + "/public"))
step("create_in_root_dir", lambda: write(root + "/mine", b"x"))
step("mkdir_in_root_dir", lambda: os.mkdir(root + "/d"))
step("append_public", lambda: write(root + "/public", b"x", "ab"))
step("unlink_public", lambda: os.unlink(root + "/public"))
step("rename_public", lambda: os.rename(root + "/public", shared + "/stolen"))
step("chmod_public", lambda: os.chmod(root + "/public", 0o777))
step("utime_public", lambda: os.utime(root + "/public", (1, 1)))
step("create_in_shared", lambda: write(shared + "/by-nobody", b"nobody's bytes"))
step("read_own", lambda: read(shared + "/by-nobody"))
step("chmod_own", lambda: os.chmod(shared + "/by-nobody", 0o600))
step("listdir_root_dir", lambda: os.listdir(root))
print(json.dumps(out))
"""


def _nobody_python():
    """An interpreter `nobody` may run (this one may sit under /root)."""
    for exe in (sys.executable, "/usr/bin/python3", "/usr/local/bin/python3"):
        if exe and os.path.exists(exe) and _world_reachable(os.path.realpath(exe)):
            return exe
    pytest.fail("no Python interpreter that uid %d may execute" % NOBODY)


def _world_reachable(path):
    p = path
    while True:
        parent = os.path.dirname(p)
        if parent == p:
            return os.stat(path).st_mode & stat.S_IXOTH != 0
        if os.stat(parent).st_mode & stat.S_IXOTH == 0:
            return False
        p = parent


def _as_nobody(*args):
    def drop():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    r = subprocess.run([_nobody_python(), "-I", "-c", NOBODY_SCRIPT, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, preexec_fn=drop, cwd="/", timeout=300)
    assert r.returncode == 0, r.stderr.decode(errors="replace")
    return json.loads(r.stdout)


def _expect_errno(e, fn, *args):
    with pytest.raises(OSError) as info:
        fn(*args)
    assert info.value.errno == e, "%s%r: %s" % (fn.__name__, args, info.value)


@pytest.mark.parametrize("build_dir", _dirs())
def test_fuse_mount(build_dir, cluster, java_client):
    exe = _probe(build_dir)
    jc = java_client
    base = "/test/fuse-mount-%s" % uuid.uuid4().hex[:10]
    jc.mkdir(base + "/shared")
    jc.chmod("777", base + "/shared")
    mount = Mount(exe, cluster, extra=["--trash"])
    rc = "not closed"
    try:
        _workload(mount, base, jc)
    except BaseException:
        print(mount.output()[-4000:])
        raise
    finally:
        rc = mount.close()
    assert rc == 0, "fuse_probe exited with %s:\n%s" % (rc, mount.output()[-6000:])


def _workload(mount, base, jc):
    root = mount.path(base)
    w = root + "/w"

    # mkdir (mode kept), an empty directory, stat of directories.
    os.mkdir(w, 0o750)
    st = os.stat(w)
    assert stat.S_ISDIR(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o750
    assert st.st_nlink == 2
    assert os.listdir(w) == []
    assert sorted(os.listdir(root)) == ["shared", "w"]

    # A multi-block file with cp (from local disk), one written from
    # Python, both read back and listed with their sizes.
    big = pattern(1_000_000 + 123)
    with tempfile.NamedTemporaryFile(prefix="hadoofus-fuse-src-") as src:
        src.write(big)
        src.flush()
        subprocess.run(["cp", src.name, w + "/copied"], check=True)
    with open(w + "/written", "wb") as f:
        for off in range(0, len(big), 100_000):
            f.write(big[off:off + 100_000])
    for name in ("copied", "written"):
        assert os.path.getsize(w + "/" + name) == len(big)
        with open(w + "/" + name, "rb") as f:
            assert f.read() == big
    ls = subprocess.run(["ls", "-l", w], check=True, stdout=subprocess.PIPE).stdout.decode()
    sizes = {ln.split()[-1]: int(ln.split()[4]) for ln in ls.splitlines()[1:]}
    assert sizes == {"copied": len(big), "written": len(big)}
    # Random reads through the driver's read buffer and past it.
    with open(w + "/copied", "rb") as f:
        for off, n in ((0, 10), (65530, 20), (500_000, 300_000), (999_990, 1000)):
            f.seek(off)
            assert f.read(n) == big[off:off + n]
    # The Java client sees the same bytes, in 64 KiB blocks.
    assert jc.cat(base + "/w/copied") == big
    assert jc.stat(base + "/w/written", "%o %b") == "%d %d" % (BLOCK, len(big))
    [entry] = jc.ls(base + "/w/written")
    assert (entry["owner"], entry["perm"]) == ("root", "-rw-r--r--")

    # Several threads of one user at once: the shared connection.
    errors = []

    def worker(i):
        try:
            data = pattern(200_000 + i, i)
            p = "%s/t%d" % (w, i)
            with open(p, "wb") as f:
                f.write(data)
            for _ in range(3):
                with open(p, "rb") as f:
                    assert f.read() == data
                assert os.stat(p).st_size == len(data)
                assert "t%d" % i in os.listdir(w)
        except BaseException as e:   # reported below
            errors.append(e)
    run_threads(worker, [(i,) for i in range(6)])
    assert errors == []

    # rename, and the old name gone.
    os.rename(w + "/written", w + "/renamed")
    _expect_errno(errno.ENOENT, os.stat, w + "/written")
    assert os.path.getsize(w + "/renamed") == len(big)

    # Append (O_APPEND): the driver reopens the file for append.
    with open(w + "/renamed", "ab") as f:
        f.write(pattern(5000, len(big)))
    assert os.path.getsize(w + "/renamed") == len(big) + 5000
    with open(w + "/renamed", "rb") as f:
        assert f.read() == pattern(len(big) + 5000)
    # O_WRONLY without O_TRUNC on an existing file appends too (libhdfs
    # cannot write in place): writing at 0 is refused.
    fd = os.open(w + "/renamed", os.O_WRONLY)
    try:
        _expect_errno(errno.ENOTSUP, os.write, fd, b"x")
    finally:
        os.close(fd)
    # O_RDWR on an existing non-empty file: readable, not writable.
    fd = os.open(w + "/renamed", os.O_RDWR)
    try:
        assert os.read(fd, 10) == pattern(10)
        _expect_errno(errno.EBADF, os.write, fd, b"x")
    finally:
        os.close(fd)

    # Truncate: to 0 by path, and by opening with O_TRUNC; to a smaller
    # size (hdfsTruncateFile); growing is refused.
    os.truncate(w + "/renamed", 0)
    assert os.path.getsize(w + "/renamed") == 0
    with open(w + "/copied", "wb") as f:
        f.write(b"short")
    assert os.path.getsize(w + "/copied") == 5
    with open(w + "/tr", "wb") as f:
        f.write(pattern(BLOCK * 2))
    os.truncate(w + "/tr", BLOCK)
    assert os.path.getsize(w + "/tr") == BLOCK
    _expect_errno(errno.ENOTSUP, os.truncate, w + "/tr", BLOCK * 3)
    assert jc.cat(base + "/w/copied") == b"short"
    assert jc.cat(base + "/w/tr") == pattern(BLOCK)

    # statfs: capacity and use in blocks of dfs.blocksize.
    sv = os.statvfs(root)
    assert sv.f_bsize == BLOCK and sv.f_frsize == BLOCK
    assert sv.f_blocks > 0 and 0 <= sv.f_bfree <= sv.f_blocks and sv.f_bavail == sv.f_bfree
    assert sv.f_namemax == 1023

    # chmod, utime, chown (root is the HDFS superuser).
    os.chmod(w + "/copied", 0o640)
    assert stat.S_IMODE(os.stat(w + "/copied").st_mode) == 0o640
    os.utime(w + "/copied", (1400000000, 1500000000))
    st = os.stat(w + "/copied")
    assert (st.st_atime, st.st_mtime) == (1400000000, 1500000000)
    os.utime(w + "/copied", ns=(1450000000 * 10**9, 1500000000 * 10**9))
    assert os.stat(w + "/copied").st_atime == 1450000000
    before = time.time()
    os.utime(w + "/copied")   # now
    assert os.stat(w + "/copied").st_mtime >= int(before) - 1
    os.utime(w + "/copied", (1400000000, 1500000000))
    os.chown(w + "/copied", NOBODY, -1)
    assert os.stat(w + "/copied").st_uid == NOBODY
    os.chown(w + "/copied", -1, NOBODY)
    [entry] = jc.ls(base + "/w/copied")
    assert (entry["owner"], entry["group"], entry["perm"]) == ("nobody", "nogroup", "-rw-r-----")
    assert jc.stat(base + "/w/copied", "%Y") == "1500000000000"

    # Names as they come from the kernel: spaces, URI characters, UTF-8;
    # ':' is not a valid HDFS name (EINVAL, as libhdfs says).
    odd = "a b #1 ?x %41 \u00e9\u65e5\u672c.txt"
    with open(w + "/" + odd, "wb") as f:
        f.write(b"odd")
    assert odd in os.listdir(w)
    with open(w + "/" + odd, "rb") as f:
        assert f.read() == b"odd"
    assert jc.cat(base + "/w/" + odd) == b"odd"
    os.rename(w + "/" + odd, w + "/" + odd + ".2")
    os.unlink(w + "/" + odd + ".2")
    _expect_errno(errno.EINVAL, open, w + "/a:b", "wb")

    # Errors as a program sees them.
    _expect_errno(errno.ENOENT, os.stat, w + "/none")
    _expect_errno(errno.ENOENT, open, w + "/none", "rb")
    _expect_errno(errno.ENOENT, os.listdir, w + "/none")
    _expect_errno(errno.ENOTEMPTY, os.rmdir, w)
    _expect_errno(errno.EEXIST, os.mkdir, w)

    # unlink into the trash (--trash), rmdir.
    os.unlink(w + "/tr")
    assert not os.path.exists(w + "/tr")
    assert jc.exists("/user/root/.Trash/Current%s/w/tr" % base)
    os.mkdir(w + "/empty")
    os.rmdir(w + "/empty")
    assert not os.path.exists(w + "/empty")

    # Another user: nobody (HDFS checks every operation).
    with open(root + "/secret", "wb") as f:
        f.write(b"root only")
    os.chmod(root + "/secret", 0o600)
    with open(root + "/public", "wb") as f:
        f.write(b"anyone may read")
    got = _as_nobody(root, root + "/shared")
    assert got == {
        "stat_secret": 0,
        "read_secret": "EACCES",
        "read_public": 0,
        "create_in_root_dir": "EACCES",
        "mkdir_in_root_dir": "EACCES",
        "append_public": "EACCES",
        "unlink_public": "EACCES",
        "rename_public": "EACCES",
        "chmod_public": "EACCES",
        "utime_public": "EACCES",
        "create_in_shared": 0,
        "read_own": 0,
        "chmod_own": 0,
        "listdir_root_dir": 0,
    }, got
    [entry] = jc.ls(base + "/shared/by-nobody")
    assert (entry["owner"], entry["perm"]) == ("nobody", "-rw-------")
    assert jc.cat(base + "/shared/by-nobody") == b"nobody's bytes"
    assert jc.cat(base + "/public") == b"anyone may read"

    # Clean-up through the mount: recursive removal with the trash.
    shutil.rmtree(w)
    assert not os.path.exists(w)
