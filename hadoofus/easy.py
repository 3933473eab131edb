"""hadoofus.easy: HDFS files as Python file objects.

    import hadoofus.easy as hfs

    with hfs.open("hdfs://namenode:8020/logs/today.txt") as f:    # text: UTF-8
        for line in f:
            ...
    with hfs.open("/data/blob.bin", "wb") as f:     # NameNode: fs.defaultFS
        f.write(payload)
    with hfs.open("/data/blob.bin", "rb") as f:
        f.seek(512)
        head = f.read(200)
        tail = f.pread(f.length - 100, 100)          # any thread, no seek
    hfs.checksum("/data/blob.bin")                   # as `hadoop fs -checksum`

Names: "hdfs://host:port/path", "hdfs://host/path" (port 8020),
"hdfs://nameservice/path" (an HA nameservice of the Hadoop configuration:
its first NameNode), or a path without a scheme, on the NameNode of
fs.defaultFS in the Hadoop configuration ($HADOOP_CONF_DIR, else
$HADOOP_HOME/etc/hadoop, else the directories on $CLASSPATH). A relative
path is relative to /user/<user>, as in Java, and needs fs.defaultFS.

Read modes give real io objects: "rb" an io.BufferedReader (read, read1,
readinto, readline, iteration, peek, seek with SEEK_SET/CUR/END, tell) with
.pread(offset, n) and .preadinto(offset, buffer) for positional reads that
may run in many threads at once; "r" (text) that reader inside an
io.TextIOWrapper, UTF-8 unless encoding= says otherwise (Hadoop's Text is
UTF-8; the locale's encoding would make a file read differently on
different machines), its binary reader as .buffer. Bytes come from the C
file reader (libhadoofus' hdfs_file_reader): replicas fail over, bad
replicas are reported to the NameNode, bytes a writer hflushed are
visible; large reads land in the result without a copy, and the GIL is
released while data is on the wire.

Write modes ("wb" create or overwrite, "xb" create only, "ab" append; "w",
"x", "a" in text) give an HdfsFileWriter on the C file writer
(libhadoofus' hdfs_file_writer): flush() is hflush, hsync() fsyncs on the
DataNodes, close() completes the file (see hadoofus._writer).

Files on one NameNode, as one user, share one connection: a small cache
of hadoofus.rpc clients, like Java's FileSystem cache (filesystem() hands
them out; clear_cache() closes them).
"""

import io
import os
import threading
from typing import (TYPE_CHECKING, Any, Dict, Literal, Optional, Tuple, Union, overload)

from . import conf as _conf
from . import _v1files
from . import _writer
from . import errors
from .errors import ArgumentTypeError, InvalidArgumentError, _error
from ._native import ffi, lib
from ._namenode import rpc as _rpc
from ._rpc_v1 import rpc_v1 as _rpc_v1
from ._writer import HdfsFileWriter

if TYPE_CHECKING:
    from .types import Token

# A file name: hdfs://host:port/path, hdfs://nameservice/path or a path.
_Url = Union[str, bytes, "os.PathLike[str]"]

__all__ = ["open", "checksum", "filesystem", "clear_cache", "resolve", "FileChecksum",
           "HdfsFileReader", "HdfsBufferedReader", "DEFAULT_BUFFER_SIZE"]

# The BufferedReader's buffer: small reads (readline, read(100)) are served
# from it; reads larger than it go straight into the caller's memory.
DEFAULT_BUFFER_SIZE = 1 << 20

# From this size on, read()/pread() results are filled in place (see _fresh).
_FRESH_BYTES_MIN = 256 * 1024

_MODES = frozenset("rwaxbt")


# ---------------------------------------------------------------------------
# Names

def resolve(url: _Url, user: Optional[str] = None) -> Tuple[str, Optional[int], str, str]:
    """(host, port, user, path) for a file name as open() takes it; for an
    HA nameservice (host, port) is (nameservice, None)."""
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if isinstance(url, bytes):
        url = url.decode("utf-8", "surrogateescape")
    if not isinstance(url, str):
        raise ArgumentTypeError("url must be a str (hdfs://host:port/path or a path), not %s"
                                % type(url).__name__)
    if not url:
        raise InvalidArgumentError("empty file name")
    if "\0" in url:
        raise InvalidArgumentError("file name contains NUL: %r" % url)
    user = _conf.user(user)
    scheme, sep, rest = url.partition("://")
    if sep and "/" not in scheme:
        if scheme.lower() != "hdfs":
            raise InvalidArgumentError("only hdfs:// URLs are understood (not %s://): %r"
                                       % (scheme, url))
        authority, slash, path = rest.partition("/")
        path = "/" + path
        if authority.startswith("[") and "]" not in authority:
            raise InvalidArgumentError("bad address in %r" % url)
        host, port = _conf.namenode(authority)
    else:
        path = url
        host, port = _conf.namenode(None)
        if not path.startswith("/"):
            # Java's working directory: the user's home.
            path = "/user/%s/%s" % (user, path)
    # As Java's Path: "//" collapses, a trailing "/" goes.
    while "//" in path:
        path = path.replace("//", "/")
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return host, port, user, path


# ---------------------------------------------------------------------------
# The connection cache

_fs_lock = threading.Lock()
_fs_cache: Dict[Tuple[str, Optional[int], str, Tuple[Any, ...]], _rpc] = {}


def filesystem(host: str, port: Optional[int] = 8020, user: Optional[str] = None, *,
               token: Optional["Token"] = None, token_file: Optional[str] = None) -> _rpc:
    """The cached hadoofus.rpc for (host, port, user); made on first use.
    port None: host is an HA nameservice of the configuration (or a host,
    port 8020). token / token_file: a delegation token to authenticate
    with, as hadoofus.rpc takes them (else $HADOOP_TOKEN_FILE_LOCATION's)."""
    given = user
    user = _conf.user(user)
    how: Tuple[Any, ...]
    if token is not None:
        how = ("token", bytes(token.identifier), bytes(token.password))
    elif token_file is not None:
        how = ("file", os.path.abspath(os.fspath(token_file)))
    else:
        how = ("env", os.environ.get("HADOOP_TOKEN_FILE_LOCATION"))
    key = (host, None if port is None else int(port), user, how)
    with _fs_lock:
        fs = _fs_cache.get(key)
        if fs is None or fs.closed:
            # No user named: the client's default, which under Kerberos is
            # the ticket's principal rather than the login name.
            fs = _fs_cache[key] = _rpc(host, key[1], given, token=token,
                                       token_file=token_file)
        return fs


def clear_cache() -> None:
    """Close and forget every cached connection (open files on them fail
    from then on with HandleClosedError)."""
    with _fs_lock:
        cached = list(_fs_cache.values())
        _fs_cache.clear()
    for fs in cached:
        fs.close()


def _fs_for(url, user, token=None, token_file=None):
    host, port, _, path = resolve(url, user)
    return filesystem(host, port, user, token=token, token_file=token_file), path


# ---------------------------------------------------------------------------
# Errors

def _cstr(fn, handle, n=2048):
    buf = ffi.new("char[]", n)
    return ffi.string(fn(handle, buf, n)).decode("utf-8", "replace")


def _fresh(n):
    """A buffer of n bytes to read into, and what to return once filled.

    Large results are filled in place: bytes(n) is a new object nobody else
    sees yet (only b"" and single bytes are cached), calloc'd with its pages
    untouched, so the data is written once, straight from the socket,
    instead of into a bytearray and then copied."""
    if n >= _FRESH_BYTES_MIN:
        out = bytes(n)
        return ffi.from_buffer("char[]", out), out
    out = bytearray(n)
    return ffi.from_buffer("char[]", out, require_writable=True), out


# ---------------------------------------------------------------------------
# Reading

class HdfsFileReader(io.RawIOBase):
    """The raw binary reader of one HDFS file (open() wraps it in an
    HdfsBufferedReader). Sequential calls (read*, seek, tell) are for one
    thread at a time; pread/preadinto for any number at once."""

    def __new__(cls, fs: _rpc, *args: Any, **kw: Any) -> "HdfsFileReader":
        if cls is HdfsFileReader and isinstance(fs, _rpc_v1):
            # An HDFS v1 NameNode: the C file layer speaks RPC v9 only.
            return _v1files.FileReader(fs, *args, **kw)   # type: ignore[return-value]
        return super().__new__(cls)

    def __init__(self, fs: _rpc, path: str, *, name: Optional[str] = None, verify: bool = True,
                 retry_window: Optional[float] = None,
                 max_block_acquire_failures: Optional[int] = None,
                 timeout: Optional[float] = None, prefetch: Optional[int] = None) -> None:
        super().__init__()
        self._fs = fs          # the NameNode client must outlive the C reader
        self._r = None
        self._mu = threading.Lock()
        self._busy = 0
        self._freeing = False
        self._pending = None   # an error to raise after a short read
        self._got = ffi.new("size_t *")
        self.path = path
        self.name = name or path
        o = ffi.new("struct hdfs_file_read_opts *")
        o.flags = 0 if verify else lib.HDFS_FILE_READ_NO_VERIFY
        if retry_window is not None:
            o.retry_window_ms = int(retry_window * 1000) if retry_window > 0 else -1
        if max_block_acquire_failures is not None:
            v = int(max_block_acquire_failures)
            o.max_acquire_failures = v if v > 0 else -1
        if timeout is not None:
            ms = int(timeout * 1000) if timeout > 0 else -1
            o.connect_timeout_ms = o.io_timeout_ms = ms
        if prefetch is not None:
            o.prefetch_bytes = int(prefetch)
        client = ffi.new("char[]", fs.client_name.encode())
        o.client_name = client
        p = ffi.new("struct hdfs_file_reader **")
        bpath = path.encode("utf-8", "surrogateescape")
        rc = lib.hdfs_file_reader_open(p, fs._nn, bpath, o)
        self._r = errors._owned(rc, p[0], lib.hdfs_file_reader_free)

    # -- keeping the C reader alive while calls run --------------------------

    def _enter(self):
        with self._mu:
            if self._r is None or self._freeing:
                raise InvalidArgumentError("I/O operation on closed file")
            self._busy += 1
            return self._r

    def _leave(self):
        with self._mu:
            self._busy -= 1
            free = self._freeing and self._busy == 0
        if free:
            self._free()

    def _free(self):
        r, self._r = self._r, None
        if r is not None:
            ffi.release(r)

    def close(self):
        """Close the file; preads still running finish first (the last one
        frees the reader)."""
        with self._mu:
            if self._r is None or self._freeing:
                return super().close()
            self._freeing = True
            free = self._busy == 0
        if free:
            self._free()
        super().close()

    # -- io.RawIOBase --------------------------------------------------------

    def readable(self) -> bool:
        self._checkClosed()
        return True

    def seekable(self) -> bool:
        self._checkClosed()
        return True

    def readinto(self, b: Any) -> int:
        if self._pending is not None:
            e, self._pending = self._pending, None
            raise e
        r = self._enter()
        try:
            n = b.nbytes if isinstance(b, memoryview) else memoryview(b).nbytes
            if n == 0:
                return 0
            ptr = ffi.from_buffer("char[]", b, require_writable=True)
            rc = lib.hdfs_file_reader_read(r, ptr, n, self._got)
            got = self._got[0]
            if rc:
                e = _error(rc, r)
                if got == 0:
                    raise e
                self._pending = e
            return got
        finally:
            self._leave()

    def readall(self) -> bytes:
        r = self._enter()
        try:
            n = lib.hdfs_file_reader_available(r)
            ptr, out = _fresh(n)
            done = 0
            while done < n:
                rc = lib.hdfs_file_reader_read(r, ptr + done, n - done, self._got)
                done += self._got[0]
                if rc:
                    raise _error(rc, r)
                if self._got[0] == 0:
                    break
        finally:
            self._leave()
        if done < n:
            out = out[:done]
        return bytes(out) if isinstance(out, bytearray) else out

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        r = self._enter()
        try:
            if whence == io.SEEK_SET:
                target = offset
            elif whence == io.SEEK_CUR:
                target = lib.hdfs_file_reader_tell(r) + offset
            elif whence == io.SEEK_END:
                target = lib.hdfs_file_reader_length(r) + offset
            else:
                raise InvalidArgumentError("invalid whence (%r, should be 0, 1 or 2)" % (whence,))
            if target < 0:
                raise OSError(22, "Invalid argument: negative seek position %d" % target)
            errors._check(lib.hdfs_file_reader_seek(r, target))
            self._pending = None
            return target
        finally:
            self._leave()

    def tell(self) -> int:
        r = self._enter()
        try:
            return lib.hdfs_file_reader_tell(r)
        finally:
            self._leave()

    # -- positional reads (thread-safe) --------------------------------------

    def preadinto(self, offset: int, buffer: Any) -> int:
        """Fill buffer with the bytes at offset (fewer only at the end of
        the file); returns the count. The position does not move."""
        if offset < 0:
            raise InvalidArgumentError("negative offset: %d" % offset)
        mv = memoryview(buffer)
        n = mv.nbytes
        r = self._enter()
        try:
            if n == 0:
                return 0
            ptr = ffi.from_buffer("char[]", mv, require_writable=True)
            got = ffi.new("size_t *")
            rc = lib.hdfs_file_reader_pread(r, offset, ptr, n, got)
            if rc:
                raise _error(rc, r)
            return got[0]
        finally:
            self._leave()

    def pread(self, offset: int, n: int) -> bytes:
        """The n bytes at offset (fewer at the end of the file) as bytes;
        the position does not move."""
        if offset < 0:
            raise InvalidArgumentError("negative offset: %d" % offset)
        if n < 0:
            raise InvalidArgumentError("negative length: %d" % n)
        r = self._enter()
        try:
            length = lib.hdfs_file_reader_length(r)
            n = max(0, min(n, length - offset))
            if n == 0:
                return b""
            ptr, out = _fresh(n)
            got = ffi.new("size_t *")
            rc = lib.hdfs_file_reader_pread(r, offset, ptr, n, got)
            if rc:
                raise _error(rc, r)
        finally:
            self._leave()
        if got[0] < n:
            out = out[:got[0]]
        return bytes(out) if isinstance(out, bytearray) else out

    # -- the file ------------------------------------------------------------

    @property
    def length(self) -> int:
        """The readable length (with the flushed part of a block being
        written), as of open or the last refresh()."""
        r = self._enter()
        try:
            return lib.hdfs_file_reader_length(r)
        finally:
            self._leave()

    def available(self) -> int:
        r = self._enter()
        try:
            return lib.hdfs_file_reader_available(r)
        finally:
            self._leave()

    @property
    def under_construction(self) -> bool:
        r = self._enter()
        try:
            return bool(lib.hdfs_file_reader_under_construction(r))
        finally:
            self._leave()

    def refresh(self) -> int:
        """Ask again how long the file is (a writer may have added data);
        returns the new length."""
        r = self._enter()
        try:
            rc = lib.hdfs_file_reader_refresh(r)
            if rc:
                raise _error(rc, r)
            return lib.hdfs_file_reader_length(r)
        finally:
            self._leave()

    @property
    def current_datanode(self) -> Optional[str]:
        """"ip:port" of the DataNode sequential reads come from now (None
        between blocks), as Java's getCurrentDatanode()."""
        r = self._enter()
        try:
            return _cstr(lib.hdfs_file_reader_current_datanode, r, 128) or None
        finally:
            self._leave()

    @property
    def stats(self) -> Dict[str, int]:
        """Counters since open: bytes_read, local_bytes_read,
        location_fetches, block_reads, datanode_failures,
        checksum_failures, bad_replicas_reported."""
        r = self._enter()
        try:
            s = ffi.new("struct hdfs_file_read_stats *")
            lib.hdfs_file_reader_stats(r, s)
            return {k: getattr(s, k) for k in (
                "bytes_read", "local_bytes_read", "location_fetches", "block_reads",
                "datanode_failures", "checksum_failures", "bad_replicas_reported")}
        finally:
            self._leave()

    def __repr__(self):
        return "<hadoofus.easy.HdfsFileReader name=%r%s>" % (
            self.name, " closed" if self.closed else "")


# A v1 file's reader has the same methods on other machinery.
HdfsFileReader.register(_v1files.FileReader)


class HdfsBufferedReader(io.BufferedReader):
    """io.BufferedReader over an HdfsFileReader, plus positional reads and
    the file's length."""

    raw: HdfsFileReader

    def pread(self, offset: int, n: int) -> bytes:
        return self.raw.pread(offset, n)

    def preadinto(self, offset: int, buffer: Any) -> int:
        return self.raw.preadinto(offset, buffer)

    @property
    def length(self) -> int:
        return self.raw.length

    @property
    def under_construction(self) -> bool:
        return self.raw.under_construction

    @property
    def stats(self) -> Dict[str, int]:
        return self.raw.stats

    @property
    def path(self) -> str:
        return self.raw.path

    @property
    def current_datanode(self) -> Optional[str]:
        return self.raw.current_datanode

    def refresh(self) -> int:
        return self.raw.refresh()

    def __repr__(self):
        return "<hadoofus.easy.HdfsBufferedReader name=%r%s>" % (
            self.raw.name, " closed" if self.closed else "")


# ---------------------------------------------------------------------------
# open()

def _parse_mode(mode):
    if not isinstance(mode, str):
        raise ArgumentTypeError("mode must be a str, not %s" % type(mode).__name__)
    chars = set(mode)
    if "+" in chars:
        raise InvalidArgumentError("HDFS files are read or written, not both: mode %r" % mode)
    if not chars <= _MODES or len(mode) != len(chars):
        raise InvalidArgumentError("invalid mode: %r" % mode)
    kinds = chars & set("rwax")
    if len(kinds) != 1:
        raise InvalidArgumentError("mode must have exactly one of r, w, a, x: %r" % mode)
    if "b" in chars and "t" in chars:
        raise InvalidArgumentError("can't have text and binary mode at once: %r" % mode)
    return kinds.pop(), "b" not in chars


@overload
def open(url: _Url, mode: Literal["rb", "br"], user: Optional[str] = ...,
         replication: Optional[int] = ..., blocksize: Optional[int] = ...,
         overwrite: bool = ..., verify: bool = ..., buffer_size: Optional[int] = ..., *,
         encoding: Optional[str] = ..., errors: Optional[str] = ...,
         newline: Optional[str] = ..., retry_window: Optional[float] = ...,
         max_block_acquire_failures: Optional[int] = ...,
         timeout: Optional[float] = ..., token: Optional["Token"] = ...,
         token_file: Optional[str] = ...) -> "HdfsBufferedReader": ...
@overload
def open(url: _Url, mode: Literal["wb", "bw", "ab", "ba", "xb", "bx"], user: Optional[str] = ...,
         replication: Optional[int] = ..., blocksize: Optional[int] = ...,
         overwrite: bool = ..., verify: bool = ..., buffer_size: Optional[int] = ..., *,
         encoding: Optional[str] = ..., errors: Optional[str] = ...,
         newline: Optional[str] = ..., retry_window: Optional[float] = ...,
         max_block_acquire_failures: Optional[int] = ...,
         timeout: Optional[float] = ..., token: Optional["Token"] = ...,
         token_file: Optional[str] = ...) -> HdfsFileWriter: ...
@overload
def open(url: _Url, mode: Literal["r", "rt", "tr", "w", "wt", "tw", "a", "at", "ta",
                                "x", "xt", "tx"] = ..., user: Optional[str] = ...,
         replication: Optional[int] = ..., blocksize: Optional[int] = ...,
         overwrite: bool = ..., verify: bool = ..., buffer_size: Optional[int] = ..., *,
         encoding: Optional[str] = ..., errors: Optional[str] = ...,
         newline: Optional[str] = ..., retry_window: Optional[float] = ...,
         max_block_acquire_failures: Optional[int] = ...,
         timeout: Optional[float] = ..., token: Optional["Token"] = ...,
         token_file: Optional[str] = ...) -> io.TextIOWrapper: ...
@overload
def open(url: _Url, mode: str, user: Optional[str] = ...,
         replication: Optional[int] = ..., blocksize: Optional[int] = ...,
         overwrite: bool = ..., verify: bool = ..., buffer_size: Optional[int] = ..., *,
         encoding: Optional[str] = ..., errors: Optional[str] = ...,
         newline: Optional[str] = ..., retry_window: Optional[float] = ...,
         max_block_acquire_failures: Optional[int] = ...,
         timeout: Optional[float] = ..., token: Optional["Token"] = ...,
         token_file: Optional[str] = ...) -> Any: ...
def open(url: _Url, mode: str = "r", user: Optional[str] = None, replication=None, blocksize=None, overwrite=True,
         verify=True, buffer_size=DEFAULT_BUFFER_SIZE, *, encoding=None, errors=None,
         newline=None, retry_window=None, max_block_acquire_failures=None,
         timeout=None, token=None, token_file=None):
    """Open an HDFS file (see the module docs for names and modes).

    Reading: verify=False skips checksum verification; buffer_size is the
    BufferedReader's; retry_window (s, default 3) and
    max_block_acquire_failures (default 3) pace the rounds over a block's
    replicas when all fail (Java's dfs.client.retry.window.base and
    dfs.client.max.block.acquire.failures); timeout (s, default 60) bounds
    each DataNode connect and wait. Writing ("w", "a", "x"): replication,
    blocksize (bytes) and overwrite ("w" only; "x" never overwrites) as
    Java's FileSystem.create. token (a hadoofus.Token) or token_file: a
    delegation token to authenticate with (default: the one for the
    NameNode in the token file $HADOOP_TOKEN_FILE_LOCATION names, if any)."""
    kind, text = _parse_mode(mode)
    if not text and (encoding is not None or errors is not None or newline is not None):
        raise InvalidArgumentError("binary mode doesn't take an encoding, errors or newline "
                                   "argument")
    if buffer_size is None or buffer_size < 1:
        buffer_size = DEFAULT_BUFFER_SIZE
    fs, path = _fs_for(url, user, token, token_file)
    name = url if isinstance(url, str) else path
    f: Any
    if kind == "r":
        raw = HdfsFileReader(fs, path, name=name, verify=verify, retry_window=retry_window,
                             max_block_acquire_failures=max_block_acquire_failures,
                             timeout=timeout)
        f = HdfsBufferedReader(raw, buffer_size)
    elif isinstance(fs, _rpc_v1):
        f = _v1files.FileWriter(fs, path, name=name, append=(kind == "a"),
                                overwrite=overwrite and kind == "w",
                                replication=replication, blocksize=blocksize)
    else:
        f = _writer.open_write(fs, path, name=name, append=(kind == "a"),
                               overwrite=overwrite and kind == "w",
                               replication=replication, blocksize=blocksize,
                               buffer_size=buffer_size)
    if text:
        return io.TextIOWrapper(f, encoding=encoding or "utf-8", errors=errors,
                                newline=newline, write_through=False)
    return f




# ---------------------------------------------------------------------------
# Checksums

class FileChecksum:
    """An HDFS file checksum (Java's MD5MD5CRC32FileChecksum, or in the
    COMPOSITE_CRC mode CompositeCrcFileChecksum).

    .algorithm  "MD5-of-<crcPerBlock>MD5-of-<bytesPerCrc><CRC32|CRC32C>", or
                "COMPOSITE-<CRC32|CRC32C>"
    .bytes      the serialized form (bytesPerCrc, crcPerBlock, MD5: 28 bytes;
                COMPOSITE_CRC: the CRC, 4 bytes big-endian)
    .hex()      its hex, as `hadoop fs -checksum` prints after the algorithm
    .md5        the MD5 (None for COMPOSITE_CRC)
    .crc        COMPOSITE_CRC: the CRC of the file's bytes (None otherwise)
    str()       Java's toString(): "<algorithm>:<md5 hex>" or
                "COMPOSITE-CRC32C:0x<crc>"
    """

    __slots__ = ("algorithm", "bytes", "bytes_per_crc", "crc_per_block", "crc_type", "md5",
                 "crc")

    def __init__(self, algorithm: str, bytes_: bytes, bytes_per_crc: int, crc_per_block: int,
                 crc_type: int, md5: Optional[bytes], crc: Optional[int] = None) -> None:
        self.algorithm = algorithm
        self.bytes = bytes_
        self.bytes_per_crc = bytes_per_crc
        self.crc_per_block = crc_per_block
        self.crc_type = crc_type
        self.md5 = md5
        self.crc = crc

    length = property(lambda self: len(self.bytes))

    def hex(self) -> str:
        return self.bytes.hex()

    def __str__(self):
        if self.md5 is None:
            return "%s:0x%08x" % (self.algorithm, self.crc or 0)
        return "%s:%s" % (self.algorithm, self.md5.hex())

    def __repr__(self):
        return "FileChecksum(%r, %r)" % (self.algorithm, self.hex())

    def __eq__(self, other):
        if not isinstance(other, FileChecksum):
            return NotImplemented
        return self.algorithm == other.algorithm and self.bytes == other.bytes

    def __hash__(self):
        return hash((self.algorithm, self.bytes))


_COMBINE_MODES = {"MD5MD5CRC": lib.HDFS_CHECKSUM_COMBINE_MD5MD5CRC,
                  "COMPOSITE_CRC": lib.HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC}


def _combine_mode(mode: Optional[str] = None) -> int:
    """The HDFS_CHECKSUM_COMBINE_* value of a dfs.checksum.combine.mode
    name ("MD5MD5CRC" or "COMPOSITE_CRC"); None: the Hadoop configuration's
    dfs.checksum.combine.mode, MD5MD5CRC when unset (as Java)."""
    if mode is None:
        mode = _conf.get("dfs.checksum.combine.mode") or "MD5MD5CRC"
    try:
        return _COMBINE_MODES[mode.strip()]
    except (KeyError, AttributeError):
        raise InvalidArgumentError("dfs.checksum.combine.mode must be MD5MD5CRC or "
                                   "COMPOSITE_CRC, not %r" % (mode,)) from None


def checksum(url: _Url, user: Optional[str] = None, length: Optional[int] = None, *,
             fs: Optional[_rpc] = None, token: Optional["Token"] = None,
             token_file: Optional[str] = None, mode: Optional[str] = None) -> "FileChecksum":
    """The file's HDFS checksum (DistributedFileSystem.getFileChecksum): a
    FileChecksum. url as open() takes it, or a path on `fs` (a hadoofus.rpc).
    length: only the first length bytes (default: all). token, token_file:
    as open(). mode: Java's dfs.checksum.combine.mode, "MD5MD5CRC" or
    "COMPOSITE_CRC" (Hadoop 3.1+ DataNodes: a CRC of the bytes alone, the
    same for any block size or layout, replicated or erasure-coded); default:
    the Hadoop configuration's, else MD5MD5CRC."""
    cmode = _combine_mode(mode)
    if fs is None:
        fs, path = _fs_for(url, user, token, token_file)
    else:
        path = url
        if not isinstance(path, str) or not path.startswith("/"):
            raise InvalidArgumentError("with fs=, give an absolute path: %r" % (path,))
    if length is not None and length < 0:
        raise InvalidArgumentError("negative length: %d" % length)
    if isinstance(fs, _rpc_v1):
        if length is not None:
            raise errors.UnsupportedOperationException(
                "java.lang.UnsupportedOperationException",
                "HDFS v1: checksums are of whole files (no length)")
        bpc, cpb, md5 = _v1files.file_checksum(fs, path)
        return FileChecksum("MD5-of-%dMD5-of-%dCRC32" % (cpb, bpc),
                            bpc.to_bytes(4, "big") + cpb.to_bytes(8, "big") + md5,
                            bpc, cpb, lib.HDFS_CHECKSUM_CRC32, md5)
    if length is None:
        length = (1 << 63) - 1
    out = ffi.new("struct hdfs_file_checksum *")
    exc = ffi.new("char[]", 256)
    msg = ffi.new("char[]", 2048)
    rc = lib.hdfs_file_checksum_mode(fs._nn, path.encode("utf-8", "surrogateescape"), length,
                                     cmode, out, exc, 256, msg, 2048)
    if rc:
        raise errors._exception(rc, ffi.string(exc).decode("utf-8", "replace"),
                                ffi.string(msg).decode("utf-8", "replace"), file_layer=True)
    composite = out.combine == lib.HDFS_CHECKSUM_COMBINE_COMPOSITE_CRC
    return FileChecksum(ffi.string(out.algorithm).decode(), bytes(out.bytes)[:out.length],
                        out.bytes_per_crc, out.crc_per_block, out.crc_type,
                        None if composite else bytes(out.md5),
                        out.crc if composite else None)
