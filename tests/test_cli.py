"""The `hadoofus` command line against Java's FsShell on the real minicluster:
the same lines, the same bytes, the same exit codes and error messages."""

import json
import os
import subprocess
import sys
import tempfile

import pytest

from javaclient import JavaClient


def _env(cluster, user=None):
    e = dict(os.environ)
    e["HADOOP_CONF_DIR"] = cluster.conf_dir
    for k in ("HADOOP_HOME", "CLASSPATH", "HADOOP_USER_NAME"):
        e.pop(k, None)
    if user is not None:
        e["HADOOP_USER_NAME"] = user
    return e


def cli(cluster, *args, user=None, input=None, cwd=None, check=False):
    """`python -m hadoofus ARGS` (stdout/stderr pipes: not terminals), run
    outside the source tree so that the installed package is the one found."""
    r = subprocess.run([sys.executable, "-m", "hadoofus", *map(str, args)],
                       input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=None if input is not None else subprocess.DEVNULL,
                       env=_env(cluster, user), cwd=cwd or tempfile.gettempdir(), timeout=300)
    if check:
        assert r.returncode == 0, r.stderr.decode()
    return r


def java(cluster, *args, user=None, cwd=None):
    return JavaClient(cluster, user).shell(*map(str, args), check=False)


def _usage_head(err):
    return err.split(b"\n", 1)[0]


def same(cluster, *args, user=None, usage=False):
    """Run a verb through both shells; assert the same exit code, stdout and
    stderr (for usage errors only stderr's first line: the usage text names
    the program). Returns the hadoofus result."""
    j = java(cluster, *args, user=user)
    h = cli(cluster, *args, user=user)
    jerr, herr = j.stderr, h.stderr
    if usage:
        jerr, herr = _usage_head(jerr), _usage_head(herr)
    assert (h.returncode, h.stdout, herr) == (j.returncode, j.stdout, jerr), args
    return h


@pytest.fixture
def tree(cluster, tmp_hdfs_dir, tmp_path):
    """A small tree written by Java: files of several sizes, nested
    directories, an empty file."""
    jc = JavaClient(cluster)
    base = tmp_hdfs_dir
    jc.mkdir(base + "/a/b/c")
    jc.mkdir(base + "/empty")
    jc.put(b"hello world\n", base + "/h.txt")
    jc.put(os.urandom(3000), base + "/a/r.bin")
    jc.put(os.urandom(200000), base + "/a/b/big.bin")
    jc.touchz(base + "/a/b/zero")
    return base


def test_listings_match_fsshell(cluster, tree):
    for args in (["-ls", tree], ["-ls", "-R", tree], ["-ls", "-h", tree + "/a"],
                 ["-ls", "-d", tree, tree + "/h.txt"], ["-ls", "-R", "-h", tree + "/a"],
                 ["-ls", tree + "/a/*"], ["-ls", tree + "/{a,empty}"],
                 ["-ls", tree + "/empty"], ["-ls", tree + "/h.txt"],
                 ["-stat", tree + "/h.txt"],
                 ["-stat", "%b %F %g %n %o %r %u %y %Y", tree, tree + "/a/r.bin"],
                 ["-du", tree], ["-du", "-s", tree, tree + "/h.txt"], ["-du", "-s", "-h", tree],
                 ["-du", "-h", tree + "/a"],
                 ["-count", tree, tree + "/a"], ["-count", "-q", tree], ["-count", "-q", "-h", tree],
                 ["-find", tree], ["-find", tree, "-name", "*.bin", "-print"],
                 ["-checksum", tree + "/a/r.bin", tree + "/a/b/big.bin"]):
        same(cluster, *args)


def test_ls_relative_paths_and_urls(cluster, tree):
    home = "/user/%s" % cluster.superuser
    JavaClient(cluster).mkdir(home)
    rel = tree.replace("/test/", "../../test/", 1)
    same(cluster, "-ls", rel)
    same(cluster, "-ls", "-R", rel + "/a")
    url = "hdfs://%s:%d%s" % (cluster.host, cluster.port, tree)
    same(cluster, "-ls", url)
    same(cluster, "-ls", url + "/a/r*")


def test_bytes_match_fsshell(cluster, tree):
    for args in (["-cat", tree + "/h.txt", tree + "/a/r.bin"], ["-cat", tree + "/a/b/big.bin"],
                 ["-tail", tree + "/a/b/big.bin"], ["-tail", tree + "/h.txt"]):
        same(cluster, *args)
    h = cli(cluster, "head", tree + "/a/b/big.bin", check=True)
    assert h.stdout == JavaClient(cluster).cat(tree + "/a/b/big.bin")[:1024]


def test_test_exit_codes(cluster, tree):
    for flag in "edfsz":
        for p in (tree, tree + "/h.txt", tree + "/a/b/zero", tree + "/nope"):
            same(cluster, "-test", "-" + flag, p)


def test_errors_match_fsshell(cluster, tree, tmp_path):
    missing = tree + "/nope"
    for args in (["-ls", missing], ["-ls", tree + "/nomatch*"], ["-cat", missing, tree + "/h.txt"],
                 ["-cat", tree], ["-stat", missing], ["-count", tree, missing],
                 ["-du", missing], ["-checksum", missing], ["-checksum", tree],
                 ["-find", missing], ["-rm", missing], ["-rm", "-f", missing],
                 ["-rm", tree + "/a"], ["-mkdir", tree + "/a"], ["-mkdir", missing + "/x/y"],
                 ["-touchz", tree + "/h.txt"], ["-mv", missing, tree + "/a"],
                 ["-cp", tree + "/h.txt", tree + "/a/r.bin"], ["-get", missing, str(tmp_path)],
                 ["-put", str(tmp_path / "no-such-file"), tree],
                 ["-put", "-f", str(tmp_path / "no-such-file"), tree],
                 ["-truncate", "1", missing], ["-setrep", "1", missing],
                 ["-chmod", "600", missing], ["-chown", "alice", missing]):
        same(cluster, *args)
    for args in (["-bogus"], ["-ls", "-Z", tree], ["-mkdir"], ["-chmod", "999", tree]):
        same(cluster, *args, usage=True)


def test_permission_denied_matches_fsshell(cluster, tree):
    jc = JavaClient(cluster)
    jc.mkdir(tree + "/priv")
    jc.put(b"secret", tree + "/priv/f")
    jc.chmod(700, tree + "/priv")
    for args in (["-ls", tree + "/priv"], ["-ls", "-R", tree], ["-cat", tree + "/priv/f"],
                 ["-mkdir", tree + "/priv/x"], ["-rm", tree + "/h.txt"],
                 ["-touchz", tree + "/priv/new"], ["-chown", "bob", tree + "/h.txt"],
                 ["-chmod", "777", tree + "/h.txt"], ["-setrep", "2", tree + "/h.txt"],
                 ["-du", tree + "/priv"], ["-count", tree + "/priv"],
                 ["-checksum", tree + "/priv/f"], ["-test", "-e", tree + "/priv/f"]):
        same(cluster, *args, user="bob")


def _listing(cluster, path):
    """(relative path, type, size, perm, owner, group) of every entry below."""
    rows = []
    out = java(cluster, "-ls", "-R", path).stdout.decode().splitlines()
    for line in out:
        f = line.split(None, 7)
        rows.append((f[7][len(path):], f[0], f[1], f[2], f[3], f[4]))
    return sorted(rows)


def test_changes_match_fsshell(cluster, tree, tmp_path):
    """Each changing verb run by Java on one copy of the tree and by
    hadoofus on another: the same output and the same tree after."""
    jc = JavaClient(cluster)
    local = tmp_path / "up.txt"
    local.write_bytes(b"local bytes\n")
    trees = {}
    for who in ("java", "cli"):
        base = "%s/%s" % (tree, who)
        jc.shell("-cp", tree + "/a", base)
        trees[who] = base
    steps = [
        ["-mkdir", "{}/m1"], ["-mkdir", "-p", "{}/m2/x/y"], ["-touchz", "{}/z1"],
        ["-touchz", "{}/t1"],
        ["-put", str(local), "{}/m1"], ["-put", "-f", str(local), "{}/r.bin"],
        ["-appendToFile", str(local), "{}/r.bin"], ["-appendToFile", str(local), "{}/new"],
        ["-cp", "{}/r.bin", "{}/m1/copy"], ["-cp", "{}/b", "{}/m2"],
        ["-mv", "{}/z1", "{}/m2"], ["-mv", "{}/new", "{}/moved"],
        ["-chmod", "-R", "go-rx", "{}/m2"], ["-chmod", "640", "{}/moved"],
        ["-chmod", "u+x,g=w", "{}/r.bin"],
        ["-chown", "-R", "alice:users", "{}/m1"], ["-chgrp", "users", "{}/moved"],
        ["-setrep", "2", "{}/m1"], ["-setrep", "-R", "1", "{}/m1"],
        ["-truncate", "4", "{}/m1/copy"],
        ["-rm", "{}/t1"], ["-rm", "-r", "-skipTrash", "{}/b"], ["-rm", "-r", "-f", "{}/nope"],
    ]
    for step in steps:
        j = java(cluster, *[a.replace("{}", trees["java"]) for a in step])
        h = cli(cluster, *[a.replace("{}", trees["cli"]) for a in step])
        norm = lambda b, who: b.decode().replace(trees[who], "{}")  # noqa: E731
        assert (h.returncode, norm(h.stdout, "cli"), norm(h.stderr, "cli")) == \
            (j.returncode, norm(j.stdout, "java"), norm(j.stderr, "java")), step
    jl, hl = _listing(cluster, trees["java"]), _listing(cluster, trees["cli"])
    assert hl == jl
    for rel in ("/r.bin", "/m1/copy", "/m1/up.txt", "/moved", "/m2/b/big.bin"):
        assert jc.cat(trees["cli"] + rel) == jc.cat(trees["java"] + rel), rel


def test_rm_to_trash(cluster, tree):
    jc = JavaClient(cluster)
    user = "alice"
    jc.mkdir("/user/%s" % user)
    jc.chown(user, "/user/%s" % user)
    jc.chmod(777, tree)
    ja = jc.as_user(user)
    for who in ("java", "cli"):
        ja.touchz("%s/%s-gone" % (tree, who))
    j = ja.shell("-rm", tree + "/java-gone", conf={"fs.trash.interval": 1}, check=False)
    h = cli(cluster, "-D", "fs.trash.interval=1", "rm", tree + "/cli-gone", user=user)
    assert h.returncode == j.returncode == 0
    assert h.stdout.decode().replace("cli-gone", "X") == j.stdout.decode().replace("java-gone", "X")
    trash = "/user/%s/.Trash/Current%s" % (user, tree)
    assert jc.exists(trash + "/cli-gone") and jc.exists(trash + "/java-gone")
    assert not jc.exists(tree + "/cli-gone")


def test_put_get_trees_in_parallel(cluster, tree, tmp_path):
    src = tmp_path / "src"
    for i in range(4):
        d = src / ("d%d" % i) / "sub"
        d.mkdir(parents=True)
        for k in range(5):
            (d / ("f%d" % k)).write_bytes(os.urandom(1000 * (i + 1) + k))
    (src / "top.txt").write_bytes(b"top\n")
    (src / "d0" / "emptydir").mkdir()
    jc = JavaClient(cluster)
    jc.mkdir(tree + "/j")
    jc.mkdir(tree + "/h")
    jc.shell("-put", str(src), tree + "/j")
    h = cli(cluster, "--threads", "4", "put", str(src), tree + "/h")
    assert (h.returncode, h.stdout, h.stderr) == (0, b"", b"")
    jl, hl = _listing(cluster, tree + "/j"), _listing(cluster, tree + "/h")
    assert [(r[0], r[1], r[5]) for r in hl] == [(r[0], r[1], r[5]) for r in jl]
    out = tmp_path / "back"
    out.mkdir()
    h = cli(cluster, "get", tree + "/h/src", str(out))
    assert (h.returncode, h.stderr) == (0, b"")
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        assert sorted(os.listdir(out / "src" / rel)) == sorted(dirs + files)
        for f in files:
            assert (out / "src" / rel / f).read_bytes() == (src / rel / f).read_bytes()
    # Globs of local files, into an existing directory.
    h = cli(cluster, "put", str(src / "d1" / "sub" / "f*"), tree + "/empty")
    assert h.returncode == 0
    assert sorted(e["path"].rsplit("/", 1)[1] for e in jc.ls(tree + "/empty")) == \
        ["f%d" % k for k in range(5)]


def test_progress_only_on_a_terminal(cluster, tree, tmp_path):
    big = tmp_path / "big"
    big.write_bytes(os.urandom(1 << 20))
    h = cli(cluster, "put", str(big), tree + "/p1")
    assert (h.returncode, h.stdout, h.stderr) == (0, b"", b"")
    h = cli(cluster, "get", tree + "/p1", str(tmp_path / "back"))
    assert (h.returncode, h.stdout, h.stderr) == (0, b"", b"")
    # Forced on, the bar is drawn (so the test above can see it if it leaks).
    h = cli(cluster, "--progress", "put", str(big), tree + "/p2")
    assert h.returncode == 0 and b"put" in h.stderr


def test_json_output(cluster, tree):
    h = cli(cluster, "--json", "ls", tree, check=True)
    entries = json.loads(h.stdout)
    assert [(e["path"], e["type"], e["length"]) for e in entries] == [
        (tree + "/a", "DIRECTORY", 0), (tree + "/empty", "DIRECTORY", 0),
        (tree + "/h.txt", "FILE", 12)]
    h = cli(cluster, "--json", "ls", "-R", tree + "/a", check=True)
    assert len(json.loads(h.stdout)) == 5
    h = cli(cluster, "--json", "count", tree, check=True)
    c = json.loads(h.stdout)
    assert (c["directory_count"], c["file_count"], c["length"]) == (5, 4, 12 + 3000 + 200000)
    h = cli(cluster, "--json", "stat", tree + "/h.txt", check=True)
    assert json.loads(h.stdout)["permission"] == "644"
    h = cli(cluster, "--json", "checksum", tree + "/h.txt", check=True)
    [c] = json.loads(h.stdout)
    assert (c["algorithm"], c["bytes"]) == JavaClient(cluster).checksum(tree + "/h.txt")
    h = cli(cluster, "--json", "du", "-s", tree, check=True)
    assert json.loads(h.stdout) == [{"path": tree, "length": 203012}]


def test_df_and_namenode_option(cluster, tree):
    j = java(cluster, "-df")
    h = cli(cluster, "--namenode", "%s:%d" % (cluster.host, cluster.port), "df")
    assert h.returncode == j.returncode == 0
    assert h.stdout.splitlines()[0] == j.stdout.splitlines()[0]
    assert h.stdout.split()[5] == j.stdout.split()[5]   # the file system URI
    h = cli(cluster, "--namenode", "%s:%d" % (cluster.host, cluster.port), "-ls", tree + "/a/b")
    assert h.returncode == 0 and h.stdout.startswith(b"Found 3 items\n")


_COUNT_CALLS = """
import io, sys
from hadoofus import cli
out = io.StringIO()
sh = cli.Shell(namenode=sys.argv[1], progress=False, out=out, err=io.StringIO())
before = sh.client.num_calls
rc = sh.run(["ls", "-R", sys.argv[2]])
sys.stdout.write("%d %d\\n" % (rc, sh.client.num_calls - before) + out.getvalue())
"""


def test_tree_walk_lists_a_level_at_a_time(cluster, tmp_hdfs_dir):
    """ls -R keeps a whole level's listings in flight and lists no empty
    directory: a 4 x 5 tree costs 1 + 4 listings (and a getFileInfo of the
    argument), with FsShell's lines."""
    jc = JavaClient(cluster)
    jc.shell("-mkdir", "-p", *["%s/d%d/e%d" % (tmp_hdfs_dir, i, j)
                               for i in range(4) for j in range(5)])
    r = subprocess.run([sys.executable, "-c", _COUNT_CALLS, "%s:%d" % (cluster.host, cluster.port),
                        tmp_hdfs_dir], stdout=subprocess.PIPE, env=_env(cluster),
                       cwd=tempfile.gettempdir(), check=True, timeout=120)
    head, _, lines = r.stdout.partition(b"\n")
    assert head == b"0 6"
    assert lines == java(cluster, "-ls", "-R", tmp_hdfs_dir).stdout


def _attrs(nn, path):
    """{relative path: (perm, owner, group, mtime, atime, acl, xattrs)} of a tree."""
    out = {}

    def walk(p, rel):
        st = nn.getFileInfo(p)
        acl = [str(e) for e in nn.getAclStatus(p).entries]
        out[rel] = (oct(st.permission), st.owner, st.group, st.mtime, st.atime, acl,
                    nn.getXAttrs(p))
        if st.isdir:
            for c in nn.getListing(p):
                walk(p + "/" + c.path, rel + "/" + c.path)
    walk(path, "")
    return out


def test_cp_and_put_preserve_as_fsshell(cluster, tmp_hdfs_dir, tmp_path):
    """cp -p / -p[topax] and put -p give what Java's FsShell gives: the
    same times, owner, group, permission, ACL and xattrs, on files and
    (after their contents) directories."""
    import hadoofus
    from hadoofus import easy
    nn = hadoofus.rpc(cluster.host, cluster.port)
    src = tmp_hdfs_dir + "/src"
    nn.mkdirs(src + "/d", 0o751)
    for name, data in (("/d/f", b"one"), ("/g", b"two" * 100)):
        with easy.open("hdfs://%s:%d%s%s" % (cluster.host, cluster.port, src, name), "wb") as f:
            f.write(data)
    # Access times within dfs.namenode.accesstime.precision (1 h): reading
    # the sources leaves them as they are for both shells.
    now = int(__import__("time").time() * 1000)
    nn.setPermission(src + "/d/f", 0o640)
    nn.setOwner(src + "/d/f", "alice", "staff")
    nn.setTimes(src + "/d/f", 1500000000000, now - 1000)
    nn.setAcl(src + "/g", "user::rw-,user:bob:r--,group::r--,mask::r--,other::---")
    nn.setXAttr(src + "/g", "user.color", b"blue")
    nn.setTimes(src + "/g", 1400000000000, now - 2000)
    nn.setTimes(src + "/d", 1300000000000, -1)
    for i, flag in enumerate(("-p", "-ptopax", "-pt", "-pa")):
        j, h = "%s/j%d" % (tmp_hdfs_dir, i), "%s/h%d" % (tmp_hdfs_dir, i)
        java(cluster, "-cp", flag, src, j)
        r = cli(cluster, "cp", flag, src, h)
        assert r.returncode == 0, r.stderr
        keep = (lambda a: a) if "t" in flag or flag == "-p" else \
            (lambda a: {k: v[:3] + v[5:] for k, v in a.items()})    # times: now, not copied
        assert keep(_attrs(nn, h)) == keep(_attrs(nn, j)), flag
    assert _attrs(nn, "%s/h1" % tmp_hdfs_dir)["/g"][5] == ["user:bob:r--", "group::r--"]
    same(cluster, "-cp", "-pz", src, tmp_hdfs_dir + "/bad", usage=True)

    local = tmp_path / "up"
    (local / "sub").mkdir(parents=True)
    (local / "sub" / "a.txt").write_bytes(b"abc")
    os.chmod(local / "sub" / "a.txt", 0o604)
    os.utime(local / "sub" / "a.txt", ns=(1_600_000_000_123_456_789, 1_500_000_000_987_654_321))
    os.utime(local / "sub", (1_200_000_000, 1_200_000_000))
    java(cluster, "-put", "-p", str(local), tmp_hdfs_dir + "/jp")
    r = cli(cluster, "put", "-p", str(local), tmp_hdfs_dir + "/hp")
    assert r.returncode == 0, r.stderr
    assert _attrs(nn, tmp_hdfs_dir + "/hp") == _attrs(nn, tmp_hdfs_dir + "/jp")
    nn.close()
