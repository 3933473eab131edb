"""libhdfs_hadoofus.so on a real HA pair (MiniCluster(ha=True): nn1/nn2 of
nameservice "hadoofus", manual failover): tests/libhdfs/test_libhdfs_ha_live.c
connects to hdfs://hadoofus with the pair's client configuration as
HADOOP_CONF_DIR, and keeps working (same hdfsFS handles, an open writer and
an open reader) while the test fails the pair over twice, in every build
directory test_c_units.py uses (plain and ASan+UBSan under ./dev.sh test).
The files it wrote are then read back with Java's FsShell."""

import os
import subprocess
import threading
import uuid

import pytest

from conftest import running_cluster
from test_c_units import _build, _build_dirs, _env

PROG = "test_libhdfs_ha_live"
BLOCK = 65536
CHUNK = 50000


def pattern(n, start=0):
    """The bytes the program writes: (i * 7 + 3) & 0xff at offset i."""
    return bytes(((i * 7 + 3) & 0xFF) for i in range(start, start + n))


@pytest.fixture(scope="module")
def ha():
    yield from running_cluster(datanodes=2, replication=2, ha=True)


def _read_line(proc, out, timeout):
    """The next line of the program's output (also kept in `out`), or
    fail when it exits or says nothing for `timeout` seconds."""
    box = []
    t = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    t.start()
    t.join(timeout)
    if not box:
        proc.kill()
        pytest.fail("%s: no output for %ds:\n%s" % (PROG, timeout, "".join(out)[-8000:]),
                    pytrace=False)
    line = box[0].decode(errors="replace")
    out.append(line)
    return line


def _wait_for(proc, out, prefix, timeout=300):
    while True:
        line = _read_line(proc, out, timeout)
        if line == "":
            proc.wait()
            pytest.fail("%s exited with %s before %r:\n%s" % (
                PROG, proc.returncode, prefix, "".join(out)[-8000:]), pytrace=False)
        if line.startswith(prefix):
            return line


@pytest.mark.parametrize("build_dir", [pytest.param(d, id=os.path.basename(d))
                                       for d in _build_dirs()])
def test_libhdfs_ha_failover(build_dir, ha):
    b = _build(build_dir)
    exe = b.executables.get(PROG)
    if exe is None:
        pytest.fail("tests/libhdfs/%s.c is not built by tests/libhdfs/meson.build" % PROG)
    base = "/test/libhdfs-ha-%s" % uuid.uuid4().hex[:10]
    env = _env({"HADOOP_CONF_DIR": ha.conf_dir})
    env.pop("HADOOP_USER_NAME", None)
    proc = subprocess.Popen([exe, "hadoofus", base, ha.superuser], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = []
    try:
        actives = [ha.namenode.nn_id]
        for step in (1, 2):
            _wait_for(proc, out, "READY %d" % step)
            ha.failover()
            actives.append(ha.namenode.nn_id)
            proc.stdin.write(b"go\n")
            proc.stdin.flush()
        assert actives[0] != actives[1] and actives[2] == actives[0]
        _wait_for(proc, out, "DONE")
        rest = proc.stdout.read().decode(errors="replace")
        out.append(rest)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = "".join(out)
    if proc.returncode != 0:
        pytest.fail("%s exited with %d:\n%s" % (PROG, proc.returncode, text[-8000:]),
                    pytrace=False)
    print([ln for ln in text.splitlines() if "passed" in ln][-1])

    # What it wrote, as Java reads it through the nameservice.
    def cat(name):
        return ha.fs_shell("-cat", "hdfs://hadoofus%s/%s" % (base, name)).stdout

    assert cat("first") == pattern(3 * CHUNK)
    assert cat("spanning") == pattern(6 * CHUNK)   # open across both failovers
    assert cat("after2") == pattern(2 * CHUNK + 2 + 100)
    ha.fs_shell("-rm", "-r", "-f", "hdfs://hadoofus" + base)
