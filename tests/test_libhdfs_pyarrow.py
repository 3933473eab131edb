"""pyarrow's HadoopFileSystem on libhdfs_hadoofus.so instead of Apache's
JNI libhdfs.so: ARROW_LIBHDFS_DIR points at the build's libhdfs/ directory
(a libhdfs.so and nothing else) and JAVA_HOME at a stand-in whose
lib/server/libjvm.so is an empty library (pyarrow insists on loading one;
nothing of it is ever called). No JVM in the process. Listing, reads,
writes, appends, copies, moves and deletes, checked with the Java client.

Skipped when pyarrow is not installed.
"""

import json
import os
import subprocess
import sys
import textwrap
import uuid

import pytest

from test_c_units import _build, _plain_build_dir

pytest.importorskip("pyarrow")

SCRIPT = textwrap.dedent(r'''
    import json, sys
    from pyarrow import fs as pafs

    host, port, user, base = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    h = pafs.HadoopFileSystem(host, port, user=user)
    out = {}
    out["listing"] = sorted((i.path, int(i.type), i.size)
                            for i in h.get_file_info(pafs.FileSelector(base + "/files")))
    with h.open_input_stream(base + "/files/data3") as f:
        out["data3"] = f.read().hex()
    with h.open_input_file(base + "/files/data3") as f:
        out["size"] = f.size()
        out["read_at"] = f.read_at(1000, 10).hex()  # 1000 bytes at 10
    h.create_dir(base + "/pa/a/b")
    h.move(base + "/pa/a/b", base + "/pa/moved")
    out["moved"] = int(h.get_file_info(base + "/pa/moved").type)
    out["gone"] = int(h.get_file_info(base + "/pa/a/b").type)
    h.delete_dir(base + "/pa/a")
    out["missing"] = int(h.get_file_info(base + "/pa/a").type)
    with h.open_output_stream(base + "/pa/written") as f:
        for i in range(100):
            f.write(bytes([i]) * 10000)
    with h.open_append_stream(base + "/pa/written") as f:
        f.write(b"tail")
    with h.open_input_file(base + "/pa/written") as f:
        out["written_size"] = f.size()
        out["written_at"] = f.read_at(4, 999998).hex()
    h.copy_file(base + "/pa/written", base + "/pa/copied")
    out["copied_size"] = h.get_file_info(base + "/pa/copied").size
    print(json.dumps(out))
''')


def _fake_java_home(tmp_path):
    server = tmp_path / "java" / "lib" / "server"
    server.mkdir(parents=True)
    src = tmp_path / "nojvm.c"
    src.write_text("int hadoofus_no_jvm_here;\n")
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(server / "libjvm.so"), str(src)],
                   check=True)
    return str(tmp_path / "java")


def test_pyarrow_hadoopfilesystem(cluster, java_client, tmp_path):
    build_dir = _plain_build_dir()
    _build(build_dir)
    libdir = os.path.join(build_dir, "libhdfs_compat", "libhdfs")
    assert os.path.exists(os.path.join(libdir, "libhdfs.so"))
    base = "/test/pyarrow-%s" % uuid.uuid4().hex[:10]
    data3 = os.urandom(3000)
    java_client.mkdir(base + "/files")
    java_client.put(data3, base + "/files/data3", blocksize=1024)
    java_client.shell("-touchz", base + "/files/empty")

    env = dict(os.environ)
    env.update(ARROW_LIBHDFS_DIR=libdir, JAVA_HOME=_fake_java_home(tmp_path),
               HADOOP_CONF_DIR=cluster.conf_dir)
    env.pop("CLASSPATH", None)
    r = subprocess.run([sys.executable, "-c", SCRIPT, cluster.host, str(cluster.port),
                        cluster.superuser, base],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=300)
    assert r.returncode == 0, r.stderr.decode(errors="replace")[-4000:]
    out = json.loads(r.stdout.decode().strip().splitlines()[-1])

    # pyarrow FileType: NotFound 0, File 2, Directory 3.
    assert out["listing"] == [[base + "/files/data3", 2, 3000], [base + "/files/empty", 2, 0]]
    assert bytes.fromhex(out["data3"]) == data3
    assert out["size"] == 3000
    assert bytes.fromhex(out["read_at"]) == data3[10:1010]
    assert (out["moved"], out["gone"], out["missing"]) == (3, 0, 0)
    assert out["written_size"] == 1000004 and out["copied_size"] == 1000004
    assert bytes.fromhex(out["written_at"]) == b"\x63\x63ta"
    written = b"".join(bytes([i]) * 10000 for i in range(100)) + b"tail"
    assert java_client.cat(base + "/pa/written") == written
    assert java_client.cat(base + "/pa/copied") == written
    assert java_client.exists(base + "/pa/moved")
    assert not java_client.exists(base + "/pa/a")
