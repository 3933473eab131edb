"""The stock Java HDFS client (FsShell, DFSAdmin, DFSck) driven from tests.

Every call starts one JVM (about 0.5-1 s), so use it to set up or to check
what the hadoofus client did, not in loops.

    jc = JavaClient(cluster)            # or JavaClient(cluster, user="alice")
    jc.put(b"hello", "/t/x")
    assert jc.cat("/t/x") == b"hello"
    [entry] = jc.ls("/t")               # dicts: perm, replication, owner, ...
"""

import os
import re
import tempfile


class JavaClient:
    def __init__(self, cluster, user=None):
        self.cluster = cluster
        self.user = user

    def as_user(self, user):
        return JavaClient(self.cluster, user)

    # -- raw ---------------------------------------------------------------

    def shell(self, *args, check=True, conf=None, input=None):
        """FsShell with generic -D options from ``conf``; CompletedProcess."""
        dopts = []
        for k, v in (conf or {}).items():
            dopts += ["-D", "%s=%s" % (k, v)]
        return self.cluster.fs_shell(*dopts, *args, user=self.user, check=check,
                                     input=input)

    def dfsadmin(self, *args, check=True):
        return self.cluster.dfsadmin(*args, user=self.user, check=check)

    def fsck(self, path, *args):
        """(exit code, text) of ``hdfs fsck PATH ARGS``; 0 = HEALTHY."""
        r = self.cluster.fsck(path, *args, user=self.user)
        return r.returncode, r.stdout.decode(errors="replace")

    # -- files -------------------------------------------------------------

    def put(self, data, remote, blocksize=None, replication=None, overwrite=True):
        """Write ``data`` (bytes, or a local path as str) to ``remote``."""
        conf = {}
        if blocksize is not None:
            conf["dfs.blocksize"] = blocksize
        if replication is not None:
            conf["dfs.replication"] = replication
        args = ["-put"] + (["-f"] if overwrite else [])
        if isinstance(data, (bytes, bytearray, memoryview)):
            with tempfile.NamedTemporaryFile(prefix="hadoofus-jc-") as f:
                f.write(data)
                f.flush()
                return self.shell(*args, f.name, remote, conf=conf)
        return self.shell(*args, os.fspath(data), remote, conf=conf)

    def cat(self, remote):
        return self.shell("-cat", remote).stdout

    def get(self, remote, local):
        return self.shell("-get", remote, os.fspath(local))

    def mkdir(self, path, parents=True):
        return self.shell("-mkdir", *(["-p"] if parents else []), path)

    def rm(self, path, recursive=False):
        return self.shell("-rm", "-f", *(["-r"] if recursive else []), "-skipTrash", path)

    def exists(self, path):
        return self.shell("-test", "-e", path, check=False).returncode == 0

    def chmod(self, mode, path):
        return self.shell("-chmod", str(mode), path)

    def chown(self, owner, path):
        return self.shell("-chown", owner, path)

    def touchz(self, path):
        return self.shell("-touchz", path)

    def append(self, data, remote):
        with tempfile.NamedTemporaryFile(prefix="hadoofus-jc-") as f:
            f.write(data)
            f.flush()
            return self.shell("-appendToFile", f.name, remote)

    _LS = re.compile(r"^([-dl][rwxstST-]{9}[+]?)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s+"
                     r"(\d{4}-\d\d-\d\d \d\d:\d\d)\s+(.*)$")

    def ls(self, path, directory=False):
        """Entries of ``-ls``: dicts perm, acl (bool), replication (int or
        None for directories), owner, group, size, mtime ("YYYY-MM-DD HH:MM"),
        path."""
        out = self.shell("-ls", *(["-d"] if directory else []), path).stdout.decode()
        entries = []
        for line in out.splitlines():
            m = self._LS.match(line)
            if not m:
                continue
            perm, repl, owner, group, size, mtime, p = m.groups()
            entries.append({
                "perm": perm.rstrip("+"),
                "acl": perm.endswith("+"),
                "replication": None if repl == "-" else int(repl),
                "owner": owner,
                "group": group,
                "size": int(size),
                "mtime": mtime,
                "path": p,
            })
        return entries

    def stat(self, path, fmt="%b %r %o %u %g %n %F"):
        return self.shell("-stat", fmt, path).stdout.decode().strip()

    def checksum(self, path):
        """(algorithm name, hex) of ``-checksum``, e.g.
        ("MD5-of-0MD5-of-512CRC32C", "0000020000...")."""
        line = self.shell("-checksum", path).stdout.decode().strip()
        _p, algo, hexsum = line.rsplit(None, 2)
        return algo, hexsum

    def getfacl(self, path):
        return self.shell("-getfacl", path).stdout.decode()

    def setfacl(self, *args):
        return self.shell("-setfacl", *args)

    def getfattr(self, path, name=None):
        args = ["-n", name] if name else ["-d"]
        return self.shell("-getfattr", *args, path).stdout.decode()

    def setfattr(self, path, name, value=None):
        args = ["-n", name] + (["-v", value] if value is not None else [])
        return self.shell("-setfattr", *args, path)
