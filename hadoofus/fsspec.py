"""hadoofus.fsspec: HDFS as an fsspec filesystem, with no JVM.

    import fsspec
    fs = fsspec.filesystem("hdfs", host="namenode", port=8020)   # or user="alice"
    fs.ls("/data")
    with fsspec.open("hdfs://namenode:8020/data/x.csv", "rt") as f:
        ...
    pandas.read_csv("hdfs://mycluster/warehouse/t.csv")   # an HA nameservice
    # pandas' Parquet tries pyarrow's JNI HDFS first unless storage_options
    # (any dict) or filesystem= is given:
    pandas.read_parquet("hdfs://mycluster/warehouse/t", storage_options={})

Installing hadoofus registers this class for "hdfs://" (the `fsspec.specs`
entry point), in place of fsspec's own pyarrow/JNI one. Where another
installed package claims "hdfs" too (hdfs-native does), fsspec takes
whichever entry point it reads last; `import hadoofus.fsspec` settles it
for hadoofus. URLs are
hdfs://host:port/path, hdfs://host/path (port 8020), hdfs://nameservice/path
(an HA nameservice of $HADOOP_CONF_DIR) and hdfs:///path (fs.defaultFS); the
user is user=, else $HADOOP_USER_NAME, else the login name. Paths without a
leading "/" are relative to /user/<user>, as in Java.

Everything runs on the public Python API: hadoofus.rpc for the namespace
(listings of many directories in flight at once for walk/find/glob/du),
easy.HdfsFileReader for reads (seek + streaming block reads; positional,
thread-safe reads for cat_file/cat_ranges), easy.open for writes, and
easy.checksum. Bulk transfers (put, get, copy, cat, pipe, cat_ranges) run
`threads` files at once; the C core releases the GIL while data moves.

info() dicts carry fsspec's name/size/type ("file", "directory", "other"
for a symlink) and HDFS's own fields: owner, group, permissions (int),
replication, blocksize, mtime/atime (float seconds, as fsspec's local
filesystem), modification_time/access_time (ms, as HDFS), file_id.
"""

import concurrent.futures
import datetime
import os
import threading
import shutil
import time
import uuid
from typing import Any, Dict, List, Optional, Union

from fsspec.registry import register_implementation
from fsspec.callbacks import DEFAULT_CALLBACK
from fsspec.spec import AbstractBufferedFile, AbstractFileSystem
from fsspec.utils import isfilelike, stringify_path

from . import easy

__all__ = ["HadoofusFileSystem", "HdfsFile", "ViewFileSystem"]

# Bytes moved per read/write call in get/put/cp_file.
_CHUNK = 8 << 20


def _join(parent, name):
    return parent + name if parent.endswith("/") else parent + "/" + name


def _strip_url(cls, path, scheme):
    """fsspec's _strip_protocol for `scheme`: the path of a URL (or of
    fsspec's "scheme::" chaining), "//" collapsed, no trailing "/"."""
    if isinstance(path, list):
        return [cls._strip_protocol(p) for p in path]
    path = stringify_path(path)
    head, sep, rest = path.partition("://")
    if sep and head.lower() == scheme:
        path = "/" + rest.partition("/")[2]
    elif path.startswith(scheme + "::"):
        path = path[len(scheme) + 2:]
    while "//" in path:
        path = path.replace("//", "/")
    return path.rstrip("/") or cls.root_marker


class _HadoopEnviron:
    """A class attribute that reads as the environment choosing the
    default NameNode and user: fsspec adds it to its instance-cache key
    (_extra_tokenize_attributes), so an instance made under another
    HADOOP_CONF_DIR or HADOOP_USER_NAME is not handed out again."""

    def __get__(self, obj, owner=None):
        return tuple(os.environ.get(k) for k in
                     ("HADOOP_CONF_DIR", "HADOOP_HOME", "CLASSPATH", "HADOOP_USER_NAME"))


class HadoofusFileSystem(AbstractFileSystem):
    """fsspec's AbstractFileSystem on an HDFS NameNode (or HA nameservice).

    host: a NameNode host, an HA nameservice, or "default"/None for
    fs.defaultFS of the Hadoop configuration; port: None/0 for 8020 (or the
    nameservice's NameNodes); user: $HADOOP_USER_NAME, else the login name.
    replication and default_block_size (bytes): defaults for files written
    (else the configuration's dfs.replication / dfs.blocksize); open() takes
    them per file too. threads: files moved at once by put/get/copy/cat.
    fsspec caches instances by these arguments and the Hadoop environment
    variables above.
    """

    protocol = ("hdfs",)
    root_marker = "/"
    _hadoop_environ = _HadoopEnviron()
    _extra_tokenize_attributes = ("_hadoop_environ",)

    def __init__(self, host: Optional[str] = "default", port: Optional[int] = None,
                 user: Optional[str] = None, replication: Optional[int] = None,
                 default_block_size: Optional[int] = None, threads: int = 8,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if host in (None, "", "default"):
            host = None
        if port in (None, 0, "0", ""):
            port = None
        if host is None:
            url = "/"
        elif port is None:
            url = "hdfs://%s/" % host
        else:
            url = "hdfs://%s:%d/" % (host, int(port))
        self._host, self._port, self.user, _ = easy.resolve(url, user)
        if self._port is None:
            self._authority = self._host
        elif ":" in self._host:
            self._authority = "[%s]:%d" % (self._host, self._port)
        else:
            self._authority = "%s:%d" % (self._host, self._port)
        self.replication = replication
        self.default_block_size = default_block_size
        self.threads = max(1, int(threads))
        self._tls = threading.local()

    # -- names -------------------------------------------------------------

    @property
    def client(self) -> easy._rpc:
        """The hadoofus.rpc this filesystem uses (easy's shared connection
        for this NameNode and user)."""
        return easy.filesystem(self._host, self._port, self.user)

    @property
    def fsid(self) -> str:
        return "hdfs://%s@%s" % (self.user, self._authority)

    @classmethod
    def _strip_protocol(cls, path):
        return _strip_url(cls, path, "hdfs")

    @staticmethod
    def _get_kwargs_from_urls(path):
        scheme, sep, rest = stringify_path(path).partition("://")
        if not sep or scheme.lower() != "hdfs":
            return {}
        authority = rest.partition("/")[0]
        out = {}
        if "@" in authority:
            out["user"], authority = authority.rsplit("@", 1)
        if not authority:
            return out
        host, port = authority, None
        if authority.startswith("["):
            host, _, tail = authority[1:].partition("]")
            if tail.startswith(":") and tail[1:].isdigit():
                port = int(tail[1:])
        elif authority.count(":") == 1:
            h, p = authority.split(":")
            if p.isdigit():
                host, port = h, int(p)
        out["host"] = host
        if port is not None:
            out["port"] = port
        return out

    def unstrip_protocol(self, name):
        if name.startswith("hdfs://"):
            return name
        return "hdfs://%s%s" % (self._authority, self._path(name))

    def _path(self, path):
        """The absolute HDFS path for a name (relative: under /user/<user>)."""
        p = self._strip_protocol(path)
        if not p.startswith("/"):
            p = "/user/%s/%s" % (self.user, p)
        return p

    # -- what HDFS says about paths ----------------------------------------

    def _info(self, st, name):
        if st.isdir:
            kind = "directory"
        elif st.is_symlink:
            kind = "other"
        else:
            kind = "file"
        out = {
            "name": name,
            "size": 0 if st.isdir else st.size,
            "type": kind,
            "owner": st.owner,
            "group": st.group,
            "permissions": st.permission,
            "replication": st.replication,
            "blocksize": st.blocksize,
            "mtime": st.mtime / 1000.0,
            "atime": st.atime / 1000.0,
            "modification_time": st.mtime,
            "access_time": st.atime,
            "file_id": st.file_id,
            "islink": st.is_symlink,
        }
        if st.is_symlink:
            out["destination"] = st.symlink
        return out

    def _listing(self, path, statuses):
        return [self._info(st, st.full_name(path)) for st in statuses]

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> Union[List[Dict[str, Any]], List[str]]:
        path = self._path(path)
        out = self._listing(path, self.client.getListing(path))
        return out if detail else [o["name"] for o in out]

    def info(self, path: str, **kwargs: Any) -> Dict[str, Any]:
        path = self._path(path)
        st = self.client.getFileInfo(path)
        if st is None:
            raise FileNotFoundError(2, "No such file or directory", path)
        return self._info(st, path)

    def exists(self, path: str, **kwargs: Any) -> bool:
        try:
            return self.client.getFileInfo(self._path(path)) is not None
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            return False

    def modified(self, path: str) -> datetime.datetime:
        """The modification time, a timezone-aware datetime (UTC)."""
        return datetime.datetime.fromtimestamp(self.info(path)["mtime"],
                                               tz=datetime.timezone.utc)

    def hdfs_checksum(self, path: str) -> easy.FileChecksum:
        """The file's HDFS checksum (as `hadoop fs -checksum`): an
        easy.FileChecksum."""
        return easy.checksum(self._path(path), fs=self.client)

    def checksum(self, path: str) -> int:
        """An int that changes when a file's bytes do: its HDFS checksum
        (the MD5 of its blocks' CRCs, computed by the DataNodes). For a
        directory, fsspec's default (a hash of its info)."""
        try:
            cs = self.hdfs_checksum(path)
        except IsADirectoryError:
            return super().checksum(path)
        # COMPOSITE_CRC (dfs.checksum.combine.mode) has no MD5: its CRC.
        return int.from_bytes(cs.md5 if cs.md5 is not None else cs.bytes, "big")

    def du(self, path, total=True, maxdepth=None, withdirs=False, **kwargs):
        if total and maxdepth is None and not withdirs:
            # One call: the NameNode sums the tree itself.
            return self.client.getContentSummary(self._path(path)).length
        sizes = {}
        if withdirs and self.isdir(path):
            info = self.info(path)
            sizes[info["name"]] = info["size"]
        found = self.find(path, maxdepth=maxdepth, withdirs=withdirs, detail=True, **kwargs)
        for name, info in found.items():
            sizes[name] = info.get("size", 0)
        return sum(sizes.values()) if total else sizes

    def walk(self, path, maxdepth=None, topdown=True, on_error="omit", **kwargs):
        """os.walk-like, as fsspec's; every directory's children are listed
        as soon as the directory is (their getListing calls in flight
        together), so a tree costs about one round trip per level."""
        if maxdepth is not None and maxdepth < 1:
            raise ValueError("maxdepth must be at least 1")
        detail = kwargs.pop("detail", False)
        path = self._path(path)
        client = self.client
        first = client.submit("getListing", path)
        yield from self._walk(client, path, first, maxdepth, topdown, on_error, detail)

    def _walk(self, client, path, listing, maxdepth, topdown, on_error, detail):
        try:
            statuses = listing.result()
        except OSError as e:
            if on_error == "raise":
                raise
            if callable(on_error):
                on_error(e)
            return
        dirs, files, full = {}, {}, {}
        for st in statuses:
            info = self._info(st, st.full_name(path))
            if not st.path:          # path is a file: it lists as itself
                files[""] = info
            elif st.isdir:
                dirs[st.path] = info
                full[st.path] = info["name"]
            else:
                files[st.path] = info
        deeper = maxdepth is None or maxdepth > 1
        pending = {}
        if deeper:
            pending = {d: client.submit("getListing", p) for d, p in full.items()}
        if not detail:
            dirs, files = list(dirs), list(files)
        if topdown:
            yield path, dirs, files
        if deeper:
            # After a top-down yield, dirs is what the caller left in it.
            for d in list(dirs):
                p = full.get(d) or _join(path, d)
                fut = pending.pop(d, None) or client.submit("getListing", p)
                yield from self._walk(client, p, fut, None if maxdepth is None else maxdepth - 1,
                                      topdown, on_error, detail)
        if not topdown:
            yield path, dirs, files

    # -- changing the namespace --------------------------------------------

    def mkdir(self, path, create_parents=True, permissions=0o755, **kwargs):
        """Make a directory (with its parents unless create_parents=False:
        then a missing parent raises FileNotFoundError). An existing
        directory is fine; an existing file raises FileExistsError."""
        self.client.mkdirs(self._path(path), permissions, bool(create_parents))

    def makedirs(self, path, exist_ok=False):
        p = self._path(path)
        if not exist_ok and self.client.getFileInfo(p) is not None:
            raise FileExistsError(17, "File exists", p)
        self.client.mkdirs(p, 0o755, True)

    def rmdir(self, path):
        p = self._path(path)
        if not self.info(p)["type"] == "directory":
            raise NotADirectoryError(20, "Not a directory", p)
        self.client.delete(p, False)

    def rm_file(self, path):
        p = self._path(path)
        if not self.client.delete(p, False):
            raise FileNotFoundError(2, "No such file or directory", p)

    _rm = rm_file

    def rm(self, path, recursive=False, maxdepth=None):
        """Delete files, and directories with recursive=True (one NameNode
        call per path given or matched; all in flight at once)."""
        if maxdepth is not None:
            return super().rm(path, recursive=recursive, maxdepth=maxdepth)
        paths = [self._path(p) for p in self.expand_path(path)]
        if recursive:
            # A path inside another one goes with it.
            top = set(paths)
            paths = [p for p in paths
                     if not any(p.startswith(_join(q, "")) for q in top if q != p)]
        with self.client.pipeline() as pl:
            futs = [(p, pl.delete(p, bool(recursive))) for p in paths]
        for p, f in futs:
            if not f.result():
                raise FileNotFoundError(2, "No such file or directory", p)

    def mv(self, path1, path2, recursive=False, maxdepth=None, **kwargs):
        """Move by renaming on the NameNode (a tree moves whole and at
        once). Into an existing directory when path2 is one, over an
        existing file otherwise; a missing parent of path2 is created.
        Lists and glob patterns move as fsspec's copy + rm."""
        if isinstance(path1, list) or isinstance(path2, list) or maxdepth is not None \
                or any(c in stringify_path(path1) for c in "*?["):
            return super().mv(path1, path2, recursive=recursive, maxdepth=maxdepth, **kwargs)
        src, dst = self._path(path1), self._path(path2)
        if src == dst:
            return
        client = self.client
        st = client.getFileInfo(dst)
        if st is not None and st.isdir:
            dst = _join(dst, src.rsplit("/", 1)[1])
        try:
            client.rename2(src, dst, overwrite=True)
        except FileNotFoundError:
            if client.getFileInfo(src) is None:
                raise
            client.mkdirs(self._parent(dst), 0o755, True)
            client.rename2(src, dst, overwrite=True)

    def touch(self, path, truncate=True, **kwargs):
        """Make an empty file (truncate=True or when missing), else set the
        modification time to now."""
        p = self._path(path)
        if not truncate:
            try:
                self.client.setTimes(p, int(time.time() * 1000), -1)
                return
            except FileNotFoundError:
                pass
        with self._writer(p, "wb", **kwargs):
            pass

    def chmod(self, path, mode):
        self.client.setPermission(self._path(path), mode)

    def chown(self, path, owner=None, group=None):
        self.client.setOwner(self._path(path), owner, group)

    def set_replication(self, path, replication):
        return self.client.setReplication(self._path(path), replication)

    # -- files ---------------------------------------------------------------

    def _writer(self, path, mode, replication=None, default_block_size=None, **kwargs):
        """An easy.open writer ("wb", "xb", "ab") on the absolute path."""
        if replication is None:
            replication = self.replication
        if default_block_size is None:
            default_block_size = self.default_block_size
        return easy.open("hdfs://%s%s" % (self._authority, path), mode, user=self.user,
                         replication=replication, blocksize=default_block_size)

    def _reader(self, path):
        return easy.HdfsFileReader(self.client, path, name=self.unstrip_protocol(path))

    def _open(self, path, mode="rb", block_size=None, autocommit=True, cache_options=None,
              **kwargs):
        return HdfsFile(self, self._path(path), mode, block_size, autocommit,
                        cache_options=cache_options, **kwargs)

    def cat_file(self, path: str, start: Optional[int] = None, end: Optional[int] = None,
                 **kwargs: Any) -> bytes:
        with self._reader(self._path(path)) as r:
            return self._pread(r, start, end)

    @staticmethod
    def _pread(r, start, end):
        size = r.length
        start = 0 if start is None else (max(0, size + start) if start < 0 else start)
        end = size if end is None else (max(0, size + end) if end < 0 else min(end, size))
        return r.pread(start, end - start) if end > start else b""

    def cat_ranges(self, paths, starts, ends, max_gap=None, on_error="return", **kwargs):
        """Byte ranges of files: each file opened once, every range read
        by a positional read, `threads` at once."""
        if max_gap is not None:
            raise NotImplementedError("max_gap")
        if not isinstance(paths, list):
            raise TypeError("paths must be a list")
        n = len(paths)
        starts = starts if isinstance(starts, list) else [starts] * n
        ends = ends if isinstance(ends, list) else [ends] * n
        if len(starts) != n or len(ends) != n:
            raise ValueError("paths, starts and ends must have the same length")
        readers = {}
        lock = threading.Lock()

        def one(i):
            p = self._path(paths[i])
            try:
                with lock:
                    r = readers.get(p)
                    if r is None:
                        r = readers[p] = self._reader(p)
                return self._pread(r, starts[i], ends[i])
            except Exception as e:
                if on_error == "return":
                    return e
                raise

        try:
            return self._parallel(one, [(i,) for i in range(n)])
        finally:
            for r in readers.values():
                r.close()

    def cat(self, path, recursive=False, on_error="raise", **kwargs):
        paths = self.expand_path(path, recursive=recursive)
        if len(paths) == 1 and not isinstance(path, list) \
                and paths[0] == self._strip_protocol(path):
            return self.cat_file(paths[0], **kwargs)

        def one(p):
            try:
                return self.cat_file(p, **kwargs)
            except Exception as e:
                if on_error == "raise":
                    raise
                return e

        out = dict(zip(paths, self._parallel(one, [(p,) for p in paths])))
        if on_error == "omit":
            out = {k: v for k, v in out.items() if not isinstance(v, Exception)}
        return out

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        """Write value as the file's bytes; mode "create" raises
        FileExistsError when the file exists (atomically, on the NameNode)."""
        with self._writer(self._path(path), "xb" if mode == "create" else "wb", **kwargs) as f:
            f.write(value)

    def pipe(self, path, value=None, **kwargs):
        if isinstance(path, dict):
            self._parallel(lambda k, v: self.pipe_file(k, v, **kwargs), list(path.items()))
        else:
            super().pipe(path, value, **kwargs)

    # -- transfers -----------------------------------------------------------

    def put_file(self, lpath, rpath, callback=DEFAULT_CALLBACK, mode="overwrite", **kwargs):
        if self._deferred(lpath, rpath, mode=mode, **kwargs):
            return
        if os.path.isdir(lpath):
            self.makedirs(rpath, exist_ok=True)
            return
        with open(lpath, "rb") as src:
            callback.set_size(os.fstat(src.fileno()).st_size)
            with self._writer(self._path(rpath), "xb" if mode == "create" else "wb",
                              **kwargs) as dst:
                while True:
                    data = src.read(_CHUNK)
                    if not data:
                        break
                    dst.write(data)
                    callback.relative_update(len(data))

    def get_file(self, rpath, lpath, callback=DEFAULT_CALLBACK, outfile=None, **kwargs):
        if outfile is None and isfilelike(lpath):
            outfile = lpath
        if outfile is None and self._deferred(rpath, lpath, **kwargs):
            return
        try:
            r = self._reader(self._path(rpath))
        except IsADirectoryError:
            if outfile is not None:
                raise
            os.makedirs(lpath, exist_ok=True)
            return
        with r:
            callback.set_size(r.length)
            if outfile is None:
                parent = os.path.dirname(os.path.abspath(lpath))
                os.makedirs(parent, exist_ok=True)
                with open(lpath, "wb") as out:
                    self._drain(r, out, callback)
            else:
                self._drain(r, outfile, callback)

    @staticmethod
    def _drain(r, out, callback):
        buf = memoryview(bytearray(min(_CHUNK, max(r.length, 1))))
        while True:
            n = r.readinto(buf)
            if not n:
                return
            out.write(buf[:n])
            callback.relative_update(n)

    def cp_file(self, path1, path2, **kwargs):
        """Copy one file through this client (HDFS has no server-side
        copy); a directory becomes a new directory."""
        if self._deferred(path1, path2, **kwargs):
            return
        src, dst = self._path(path1), self._path(path2)
        if src == dst:
            return
        try:
            r = self._reader(src)
        except IsADirectoryError:
            self.makedirs(dst, exist_ok=True)
            return
        with r, self._writer(dst, "wb", **kwargs) as w:
            self._drain(r, w, DEFAULT_CALLBACK)

    def put(self, lpath, rpath, recursive=False, callback=DEFAULT_CALLBACK, maxdepth=None,
            **kwargs):
        """fsspec's put (the same names and rules), `threads` files at once;
        callback counts finished files."""
        jobs = self._collect(super().put, lpath, rpath, recursive=recursive,
                             maxdepth=maxdepth, **kwargs)
        self._run_jobs(self.put_file, jobs, callback)

    def get(self, rpath, lpath, recursive=False, callback=DEFAULT_CALLBACK, maxdepth=None,
            **kwargs):
        """fsspec's get (the same names and rules), `threads` files at once;
        callback counts finished files."""
        jobs = self._collect(super().get, rpath, lpath, recursive=recursive,
                             maxdepth=maxdepth, **kwargs)
        self._run_jobs(self.get_file, jobs, callback)

    def copy(self, path1, path2, recursive=False, maxdepth=None, on_error=None, **kwargs):
        """fsspec's copy, `threads` files at once."""
        if on_error is None:
            on_error = "ignore" if recursive else "raise"
        jobs = self._collect(super().copy, path1, path2, recursive=recursive,
                             maxdepth=maxdepth, on_error="raise", **kwargs)
        self._run_jobs(self.cp_file, jobs,
                       ignore=(FileNotFoundError,) if on_error == "ignore" else ())

    # fsspec's put/get/copy work out the (source, target) pairs, then call
    # put_file/get_file/cp_file one at a time. _collect runs them with those
    # calls recorded instead (per thread: the instance is shared), and
    # _run_jobs makes the calls in parallel.

    def _collect(self, bulk, *args, **kwargs):
        jobs = []
        self._tls.jobs = jobs
        try:
            bulk(*args, **kwargs)
        finally:
            self._tls.jobs = None
        return jobs

    def _deferred(self, *args, **kwargs):
        jobs = getattr(self._tls, "jobs", None)
        if jobs is None:
            return False
        jobs.append((args, kwargs))
        return True

    def _run_jobs(self, fn, jobs, callback=DEFAULT_CALLBACK, ignore=()):
        callback.set_size(len(jobs))

        def one(args, kwargs):
            try:
                fn(*args, **kwargs)
            except ignore:
                pass
            callback.relative_update(1)

        self._parallel(one, jobs)

    def _parallel(self, fn, items):
        """[fn(*item) for item in items], `threads` at a time; the first
        error is raised once all have finished."""
        if len(items) <= 1 or self.threads == 1:
            return [fn(*i) for i in items]
        with concurrent.futures.ThreadPoolExecutor(min(self.threads, len(items))) as ex:
            futs = [ex.submit(fn, *i) for i in items]
        return [f.result() for f in futs]


class HdfsFile(AbstractBufferedFile):
    """An fsspec file on HDFS.

    Reading ("rb"): fsspec's read-ahead cache (block_size bytes, 5 MiB by
    default; cache_type= picks another) over an easy.HdfsFileReader: ranges
    that follow one another stream through one DataNode read, a seek moves
    the position only. The size comes from the block locations fetched at
    open, with no extra NameNode call.

    Writing ("wb", "xb", "ab"): straight to an easy.open writer (the file is
    created at open: "xb" raises FileExistsError there); close() completes
    the file. flush() does nothing (fsspec's files publish at close);
    hflush()/hsync() are HDFS's. In a transaction (autocommit=False) the
    bytes go to a hidden file beside the target, renamed over it by commit().
    """

    def __init__(self, fs, path, mode="rb", block_size="default", autocommit=True,
                 cache_type="readahead", cache_options=None, replication=None,
                 default_block_size=None, **kwargs):
        if mode not in ("rb", "wb", "xb", "ab"):
            raise NotImplementedError("File mode not supported: %r" % (mode,))
        if mode == "ab" and not autocommit:
            raise NotImplementedError("append inside a transaction")
        self._r = self._w = self._temp = None
        if mode == "rb":
            self._r = fs._reader(path)
            kwargs["size"] = self._r.length
        super().__init__(fs, path, mode, block_size, autocommit, cache_type=cache_type,
                         cache_options=cache_options, **kwargs)
        if mode != "rb":
            target = path
            if not autocommit:
                head, _, tail = path.rpartition("/")
                self._temp = target = "%s/.%s._hadoofus_%s" % (head, tail, uuid.uuid4().hex)
            self._w = fs._writer(target, "wb" if self._temp else mode, replication,
                                 default_block_size)
            self.loc = self._w.tell()     # the length so far, for "ab"

    def _fetch_range(self, start, end):
        r = self._r
        if r.tell() != start:
            r.seek(start)
        buf = bytearray(max(0, end - start))
        n = r.readinto(buf) if buf else 0
        return bytes(memoryview(buf)[:n])

    def write(self, data):
        if not self.writable():
            raise ValueError("File not in write mode")
        n = self._w.write(data)
        self.loc += n
        return n

    def flush(self, force=False):
        if self.closed:
            raise ValueError("Flush on closed file")

    def hflush(self):
        self._w.hflush()

    def hsync(self):
        self._w.hsync()

    def close(self):
        if self.closed:
            return
        try:
            if self._r is not None:
                self._r.close()
            if self._w is not None:
                self._w.close()
        finally:
            self.closed = True
            if self.mode == "rb":
                self.cache = None
        if self._w is not None and self.autocommit is False:
            return   # the transaction commits
        if self.mode != "rb":
            self.fs.invalidate_cache(self.path)

    def commit(self):
        if self._temp is not None:
            self.close()
            temp, self._temp = self._temp, None
            self.fs.client.rename2(temp, self.path, overwrite=self.mode != "xb")

    def discard(self):
        if self._temp is not None:
            try:
                self.close()
            finally:
                temp, self._temp = self._temp, None
                self.fs.client.delete(temp, False)


class ViewFileSystem(AbstractFileSystem):
    """viewfs://<table>/path: the mount table <table> of the Hadoop
    configuration (hadoofus.viewfs) over hdfs:// filesystems, as Java's
    ViewFileSystem. Each operation goes to the HadoofusFileSystem of the
    link its path falls in; names come back as viewfs paths. The
    directories above the links are read-only (PermissionError on change,
    as Java's InternalDirOfViewFs); a rename across links is refused
    (OSError EXDEV), a copy across them streams the bytes.

    host: the mount table (None: the default one); user, threads: as
    HadoofusFileSystem's, for every target."""

    protocol = ("viewfs",)
    root_marker = "/"
    _hadoop_environ = _HadoopEnviron()
    _extra_tokenize_attributes = ("_hadoop_environ",)

    def __init__(self, host: Optional[str] = None, user: Optional[str] = None,
                 threads: int = 8, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from .viewfs import MountTable
        self.table = MountTable(host or None)
        self.user = easy._conf.user(user)
        self.threads = threads

    @classmethod
    def _strip_protocol(cls, path):
        return _strip_url(cls, path, "viewfs")

    @staticmethod
    def _get_kwargs_from_urls(path):
        scheme, sep, rest = stringify_path(path).partition("://")
        authority = rest.partition("/")[0] if sep and scheme.lower() == "viewfs" else ""
        return {"host": authority} if authority else {}

    def unstrip_protocol(self, name):
        return "viewfs://%s%s" % (self.table.name, self._path(name))

    def _path(self, path):
        p = self._strip_protocol(path)
        return p if p.startswith("/") else "/user/%s/%s" % (self.user, p)

    def _resolve(self, path):
        """(HadoofusFileSystem, Target) for a path under a link; None for
        an internal directory."""
        t = self.table.resolve(self._path(path))
        if t is None:
            return None
        return HadoofusFileSystem(t.host, t.port, self.user, threads=self.threads), t

    def _target(self, path, op="change"):
        try:
            r = self._resolve(path)
        except FileNotFoundError:
            if op in ("open", "checksum", "modified"):
                raise
            r = None    # a new name in an internal directory
            raise PermissionError(13, "InternalDir of ViewFileSystem is readonly; "
                                  "operation=%s" % op, self._path(path))
        return r

    def _internal_info(self, path):
        return {"name": path, "size": 0, "type": "directory", "owner": self.user,
                "group": self.user, "permissions": 0o555, "islink": False}

    def _viewed(self, t, info):
        return dict(info, name=t.view_path(info["name"]))

    # -- reading the namespace ---------------------------------------------

    def info(self, path: str, **kwargs: Any) -> Dict[str, Any]:
        r = self._resolve(path)
        if r is None:
            return self._internal_info(self._path(path))
        fs, t = r
        return self._viewed(t, fs.info(t.path))

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> Union[List[Dict[str, Any]], List[str]]:
        p = self._path(path)
        r = self._resolve(p)
        if r is None:
            out = []
            for name in self.table.children(p):
                child = _join(p, name)
                try:
                    out.append(self.info(child))
                except FileNotFoundError:     # a link to nothing (yet)
                    out.append(self._internal_info(child))
        else:
            fs, t = r
            out = [self._viewed(t, i) for i in fs.ls(t.path, detail=True)]
        return out if detail else [o["name"] for o in out]

    def exists(self, path: str, **kwargs: Any) -> bool:
        try:
            self.info(path)
            return True
        except (FileNotFoundError, PermissionError, NotADirectoryError):
            return False

    def cat_file(self, path: str, start: Optional[int] = None, end: Optional[int] = None,
                 **kwargs: Any) -> bytes:
        fs, t = self._target(path, "open")
        return fs.cat_file(t.path, start, end, **kwargs)

    def checksum(self, path: str) -> int:
        fs, t = self._target(path, "checksum")
        return fs.checksum(t.path)

    def modified(self, path: str) -> datetime.datetime:
        fs, t = self._target(path, "modified")
        return fs.modified(t.path)

    # -- changing it -------------------------------------------------------

    def _open(self, path, mode="rb", **kwargs):
        fs, t = self._target(path, "open")
        return fs._open(t.path, mode, **kwargs)

    def pipe_file(self, path: str, value: bytes, mode: str = "overwrite", **kwargs: Any) -> None:
        fs, t = self._target(path, "create")
        fs.pipe_file(t.path, value, mode, **kwargs)

    def mkdir(self, path, create_parents=True, **kwargs):
        if self.table.is_internal(self._path(path)):
            return      # Java: mkdirs of an internal directory is true
        fs, t = self._target(path, "mkdirs")
        fs.mkdir(t.path, create_parents, **kwargs)

    def makedirs(self, path, exist_ok=False):
        if self.table.is_internal(self._path(path)):
            if not exist_ok:
                raise FileExistsError(17, "File exists", self._path(path))
            return
        fs, t = self._target(path, "mkdirs")
        fs.makedirs(t.path, exist_ok)

    def rmdir(self, path):
        fs, t = self._target(path, "delete")
        fs.rmdir(t.path)

    def rm_file(self, path):
        fs, t = self._target(path, "delete")
        fs.rm_file(t.path)

    _rm = rm_file

    def rm(self, path, recursive=False, maxdepth=None):
        for p in self.expand_path(path, recursive=False):
            fs, t = self._target(p, "delete")
            if t.path == t.base and t.mount != "/":
                # Java: a mount point itself cannot be deleted.
                raise PermissionError(13, "Cannot delete a mount point", self._path(p))
            fs.rm(t.path, recursive=recursive, maxdepth=maxdepth)

    def mv(self, path1, path2, recursive=False, maxdepth=None, **kwargs):
        fs1, t1 = self._target(path1, "rename")
        fs2, t2 = self._target(path2, "rename")
        if fs1.fsid != fs2.fsid or t1.mount != t2.mount:
            raise OSError(18, "Renames across Mount points not supported", self._path(path1))
        fs1.mv(t1.path, t2.path, recursive=recursive, maxdepth=maxdepth, **kwargs)

    def cp_file(self, path1, path2, **kwargs):
        fs1, t1 = self._target(path1, "open")
        fs2, t2 = self._target(path2, "create")
        if fs1.fsid == fs2.fsid:
            return fs1.cp_file(t1.path, t2.path, **kwargs)
        with fs1.open(t1.path, "rb") as src, fs2.open(t2.path, "wb") as dst:
            shutil.copyfileobj(src, dst, _CHUNK)

    def touch(self, path, truncate=True, **kwargs):
        fs, t = self._target(path, "create")
        fs.touch(t.path, truncate, **kwargs)


# An explicit import wins over any other package's "hdfs"/"viewfs" entry point.
register_implementation("hdfs", HadoofusFileSystem, clobber=True)
register_implementation("viewfs", ViewFileSystem, clobber=True)
