"""viewfs:// (hadoofus.viewfs, hadoofus.fsspec.ViewFileSystem) on the
minicluster: a mount table of the Hadoop configuration with two links into
one cluster, resolved as Java's ViewFileSystem does; Java's FsShell with
the same table reads what we wrote and lists what we list."""

import errno
import os
import shutil

import fsspec
import pytest

import hadoofus
from hadoofus.fsspec import ViewFileSystem
from hadoofus.viewfs import MountTable
from javaclient import JavaClient


def _links(cluster, base):
    nn = "hdfs://%s:%d" % (cluster.host, cluster.port)
    return {
        "fs.viewfs.mounttable.vt.link./data": nn + base + "/a",
        "fs.viewfs.mounttable.vt.link./logs/app": nn + base + "/b",
        "fs.viewfs.mounttable.vf.link./data": nn + base + "/a",
        "fs.viewfs.mounttable.vf.linkFallback": nn + base + "/c",
    }


@pytest.fixture
def view(cluster, tmp_hdfs_dir, tmp_path, monkeypatch):
    """(links, nn): a HADOOP_CONF_DIR holding the cluster's client
    configuration plus the mount tables "vt" and "vf"."""
    links = _links(cluster, tmp_hdfs_dir)
    for n in os.listdir(cluster.conf_dir):
        shutil.copy(os.path.join(cluster.conf_dir, n), tmp_path)
    core = tmp_path / "core-site.xml"
    props = "".join("<property><name>%s</name><value>%s</value></property>\n" % kv
                    for kv in links.items())
    core.write_text(core.read_text().replace("</configuration>", props + "</configuration>"))
    monkeypatch.setenv("HADOOP_CONF_DIR", str(tmp_path))
    nn = hadoofus.rpc(cluster.host, cluster.port)
    for d in ("a", "b", "c"):
        nn.mkdirs(tmp_hdfs_dir + "/" + d)
    yield links, nn
    nn.delete(tmp_hdfs_dir, True)
    nn.close()


def test_mount_table_resolves_as_java(view, tmp_hdfs_dir):
    t = MountTable("vt")
    r = t.resolve("/data/x/y")
    assert (r.path, r.mount) == (tmp_hdfs_dir + "/a/x/y", "/data")
    assert r.view_path(tmp_hdfs_dir + "/a/x") == "/data/x"
    assert t.resolve("/logs/app").path == tmp_hdfs_dir + "/b"
    assert t.resolve("/") is None and t.resolve("/logs") is None
    assert t.children("/") == ["data", "logs"] and t.children("/logs") == ["app"]
    with pytest.raises(FileNotFoundError):
        t.resolve("/nowhere")
    # With a fallback, what no link covers goes there.
    assert MountTable("vf").resolve("/other/z").path == tmp_hdfs_dir + "/c/other/z"
    with pytest.raises(hadoofus.ConfigurationError):
        MountTable("absent")


def test_fsspec_viewfs(view, tmp_hdfs_dir, cluster):
    links, nn = view
    fs = fsspec.filesystem("viewfs", host="vt")
    assert isinstance(fs, ViewFileSystem)
    fs.pipe_file("/data/x.txt", b"through the view\n")
    assert nn.getFileInfo(tmp_hdfs_dir + "/a/x.txt").length == 17
    with fsspec.open("viewfs://vt/data/x.txt", "rb") as f:
        assert f.read() == b"through the view\n"
    assert fs.cat_file("/data/x.txt", start=8) == b"the view\n"

    assert fs.ls("/", detail=False) == ["/data", "/logs"]
    assert fs.ls("/logs", detail=False) == ["/logs/app"]
    assert fs.ls("viewfs://vt/data", detail=False) == ["/data/x.txt"]
    top = fs.info("/logs")
    assert (top["type"], top["permissions"]) == ("directory", 0o555)
    assert fs.info("/data/x.txt")["size"] == 17

    fs.makedirs("/logs/app/2024/01", exist_ok=True)
    fs.pipe_file("/logs/app/2024/01/l.log", b"log\n")
    assert fs.find("/logs") == ["/logs/app/2024/01/l.log"]
    assert sorted(fs.find("/", withdirs=False)) == ["/data/x.txt", "/logs/app/2024/01/l.log"]

    fs.mv("/data/x.txt", "/data/y.txt")
    assert fs.exists("/data/y.txt") and not fs.exists("/data/x.txt")
    with pytest.raises(OSError) as e:
        fs.mv("/data/y.txt", "/logs/app/y.txt")
    assert e.value.errno == errno.EXDEV
    fs.cp_file("/data/y.txt", "/logs/app/y.txt")
    assert fs.cat_file("/logs/app/y.txt") == b"through the view\n"

    # The table's own directories are read-only, as Java's.
    for bad in (lambda: fs.pipe_file("/logs/z", b""), lambda: fs.rm("/data", recursive=True),
                lambda: fs.touch("/new")):
        with pytest.raises(PermissionError):
            bad()
    fs.rm("/logs/app/2024", recursive=True)
    assert fs.ls("/logs/app", detail=False) == ["/logs/app/y.txt"]

    # Java's ViewFileSystem, with the same table, sees the same bytes.
    r = JavaClient(cluster).shell("-cat", "viewfs://vt/logs/app/y.txt", conf=links)
    assert r.stdout == b"through the view\n"


def test_viewfs_fallback(view, tmp_hdfs_dir):
    links, nn = view
    fs = ViewFileSystem("vf")
    fs.pipe_file("/elsewhere/f", b"fb")
    assert nn.getFileInfo(tmp_hdfs_dir + "/c/elsewhere/f").length == 2
    assert fs.ls("/elsewhere", detail=False) == ["/elsewhere/f"]
