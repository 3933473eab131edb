"""libhdfs_hadoofus.so in place of Apache's libhdfs.so for a compiled C
program, with no rebuild of the program.

tests/dropin/app.c is an ordinary libhdfs application (hdfs.h only, built
with -lhdfs). It is linked once against tests/dropin/jni_standin.c, a
library with the file name and soname of Apache's JNI libhdfs.so
(libhdfs.so.0.0.0) whose functions fail as libhdfs does without a JVM. That
binary, unchanged (its hash is checked), then runs on libhdfs_hadoofus.so:

- found by the loader under Apache's name: LD_LIBRARY_PATH at the build's
  libhdfs/ alias directory, at a renamed copy, and at the installed Python
  package's hadoofus.libhdfs_dir();
- LD_PRELOAD=libhdfs_hadoofus.so with Apache's stand-in still on the path
  (our symbols interpose on all of it);

and relinked against -lhdfs_hadoofus. Each run's file is read back with the
Java client. The plain build only: an ASan library can't be preloaded into
an uninstrumented program.
"""

import hashlib
import os
import shutil
import subprocess
import uuid

import pytest

from test_c_units import _build, _plain_build_dir

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
HDFS_INC = os.path.join(ROOT, "include", "hdfs")
SRC = os.path.join(HERE, "dropin")
SIZE = 100000


def _expected():
    return bytes(((i * 31 + 7) & 0xFF) for i in range(SIZE)) + b"tail"


def _cc(*args):
    subprocess.run([os.environ.get("CC", "cc"), "-std=gnu11", "-Wall", "-Werror", "-O1",
                    "-I", HDFS_INC] + list(args), check=True)


def _sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _needed(path):
    out = subprocess.run(["readelf", "-d", path], check=True, stdout=subprocess.PIPE).stdout.decode()
    return [line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(app binary, Apache stand-in dir, our build dir)."""
    build_dir = _plain_build_dir()
    _build(build_dir)
    tmp = tmp_path_factory.mktemp("dropin")
    apache = tmp / "apache-libhdfs"
    apache.mkdir()
    _cc("-shared", "-fPIC", "-Wl,-soname,libhdfs.so.0.0.0", "-o", str(apache / "libhdfs.so.0.0.0"),
        os.path.join(SRC, "jni_standin.c"))
    os.symlink("libhdfs.so.0.0.0", str(apache / "libhdfs.so"))
    app = str(tmp / "app")
    _cc("-o", app, os.path.join(SRC, "app.c"), "-L", str(apache), "-lhdfs")
    return app, str(apache), build_dir, tmp


def _run(cmd, cluster, **env):
    e = dict(os.environ, HADOOP_CONF_DIR=cluster.conf_dir, HADOOP_USER_NAME=cluster.superuser)
    for k in ("LD_LIBRARY_PATH", "LD_PRELOAD"):
        e.pop(k, None)
    e.update(env)
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=e, timeout=300)


def _ok(r, java_client, base):
    out = r.stdout.decode(errors="replace")
    assert r.returncode == 0 and "app: ok" in out, out
    assert "jni-standin" not in out, out
    assert java_client.cat(base + "/dir/kept") == _expected()


def _base():
    return "/test/dropin-%s" % uuid.uuid4().hex[:10]


def test_app_is_linked_against_apache_name(built, cluster):
    app, apache, _, _ = built
    assert "libhdfs.so.0.0.0" in _needed(app)
    assert not any("hadoofus" in n or "jvm" in n for n in _needed(app))
    # On the stand-in it fails as libhdfs without a JVM does.
    r = _run([app, _base()], cluster, LD_LIBRARY_PATH=apache)
    out = r.stdout.decode(errors="replace")
    assert r.returncode == 1 and "jni-standin: hdfsConnect: no JVM here" in out, out
    assert "hdfsConnect failed: errno 255" in out, out


def test_ld_library_path_alias_dir(built, cluster, java_client):
    app, _, build_dir, _ = built
    before = _sha(app)
    base = _base()
    _ok(_run([app, base], cluster, LD_LIBRARY_PATH=os.path.join(build_dir, "libhdfs_compat",
                                                                 "libhdfs")), java_client, base)
    assert _sha(app) == before


def test_ld_preload(built, cluster, java_client):
    app, apache, build_dir, _ = built
    base = _base()
    lib = os.path.join(build_dir, "libhdfs_compat", "libhdfs_hadoofus.so")
    _ok(_run([app, base], cluster, LD_LIBRARY_PATH=apache, LD_PRELOAD=lib), java_client, base)


def test_renamed_copy(built, cluster, java_client):
    app, _, build_dir, tmp = built
    renamed = tmp / "renamed"
    renamed.mkdir(exist_ok=True)
    shutil.copy(os.path.realpath(os.path.join(build_dir, "libhdfs_compat", "libhdfs_hadoofus.so")),
                str(renamed / "libhdfs.so.0.0.0"))
    base = _base()
    _ok(_run([app, base], cluster, LD_LIBRARY_PATH=str(renamed)), java_client, base)


def test_relinked(built, cluster, java_client):
    _, _, build_dir, tmp = built
    app2 = str(tmp / "app-relinked")
    libdir = os.path.join(build_dir, "libhdfs_compat")
    _cc("-o", app2, os.path.join(SRC, "app.c"), "-L", libdir, "-lhdfs_hadoofus")
    assert any(n.startswith("libhdfs_hadoofus.so") for n in _needed(app2))
    base = _base()
    _ok(_run([app2, base], cluster, LD_LIBRARY_PATH=libdir), java_client, base)


def test_installed_package_dir(built, cluster, java_client):
    """The wheel's hadoofus/lib/libhdfs/ serves both loaders: libhdfs.so
    for dlopen (pyarrow), libhdfs.so.0.0.0 for linked programs."""
    import hadoofus
    d = hadoofus.libhdfs_dir()
    assert d is not None, "the installed hadoofus has no lib/libhdfs/libhdfs.so"
    assert os.path.exists(os.path.join(d, "libhdfs.so.0.0.0"))
    app, _, _, _ = built
    base = _base()
    _ok(_run([app, base], cluster, LD_LIBRARY_PATH=d), java_client, base)
