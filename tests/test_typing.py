"""mypy on the installed package (py.typed) and on a typed user of its
public API (tests/typing_example.py), which then runs against the live
cluster: the hints must hold both for the checker and at run time."""

import ast
import os
import subprocess
import sys

import pytest

import hadoofus
from hadoofus import _namenode

pytest.importorskip("mypy")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PKG = os.path.dirname(os.path.abspath(hadoofus.__file__))


def mypy(*args, cwd):
    r = subprocess.run([sys.executable, "-m", "mypy", "--config-file",
                        os.path.join(ROOT, "pyproject.toml"), "--no-error-summary",
                        "--python-executable", sys.executable, *args],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd, timeout=300)
    return r.returncode, r.stdout.decode()


def test_mypy_package_and_example(tmp_path):
    rc, out = mypy("-p", "hadoofus", cwd=str(tmp_path))
    assert rc == 0, out
    rc, out = mypy(os.path.join(HERE, "typing_example.py"), cwd=str(tmp_path))
    assert rc == 0, out


def test_mypy_catches_misuse(tmp_path):
    """The hints are real types, not Any: wrong uses are errors."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import hadoofus\nfrom hadoofus import easy\n"
        "nn = hadoofus.rpc('h', 1)\n"
        "x: int = nn.getFileInfo('/')\n"          # Optional[FileStatus]
        "nn.mkdirs(3)\n"                           # a path, not an int
        "y: str = easy.open('/f', 'rb').read()\n"  # bytes in binary mode
        "z: str = nn.pipeline().getListing('/').result()\n"
        "hadoofus.rpc('h', 1, protocl=80)\n"      # a misspelt option
        "t: int = nn.getDelegationToken()\n"      # Optional[Token]
        "nn.renewDelegationToken(b'x')\n")        # a Token, not bytes
    rc, out = mypy(str(bad), cwd=str(tmp_path))
    assert rc == 1
    assert sorted({int(line.split(":")[1]) for line in out.splitlines()
                   if ": error:" in line}) == [4, 5, 6, 7, 8, 9, 10], out


def _declared(stub, cls):
    tree = ast.parse(open(os.path.join(PKG, stub)).read())
    c, = (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
    return {n.name for n in c.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}


@pytest.mark.parametrize("stub,cls", [("_namenode.pyi", "rpc"), ("_namenode.pyi", "Pipeline"),
                                      ("aio.pyi", "rpc")])
def test_stubs_declare_every_op(stub, cls):
    ops = {n for n in _namenode._OPS if not n.startswith("_")}
    assert ops - _declared(stub, cls) == set(), "add their lines: tests/gen_op_stubs.py"


def test_example_runs(cluster, tmp_hdfs_dir, tmp_path):
    r = subprocess.run([sys.executable, os.path.join(HERE, "typing_example.py"), cluster.host,
                        str(cluster.port), tmp_hdfs_dir],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=str(tmp_path),
                       timeout=300)
    assert r.returncode == 0 and b"typing example ok" in r.stdout, r.stdout.decode()
