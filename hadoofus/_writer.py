"""Writing HDFS files: the write modes of hadoofus.easy.open.

    import hadoofus.easy as hfs

    with hfs.open("hdfs://namenode:8020/logs/today.txt", "w") as f:   # text, UTF-8
        f.write("Hello, world!\\n")
    with hfs.open("/data/blob.bin", "wb", replication=3, blocksize=64 << 20) as f:
        f.write(payload)              # returns len(payload)
        f.flush()                     # hflush: new readers see every byte so far
        f.hsync()                     # ... and the DataNodes fsync it
    with hfs.open("/data/blob.bin", "ab") as f:   # append (created when missing)
        f.write(more)

A binary write mode gives an HdfsFileWriter: an io.BufferedIOBase over the
C file writer (libhadoofus' hdfs_file_writer, Java's DFSOutputStream
without the JVM). write() takes any bytes-like object without copying it
in Python (the C writer copies it into 64 KiB packets, checksummed with
CRC32C) and releases the GIL while it works; it returns once the bytes
are queued, as Java's does. flush() is hflush (it returns once every
DataNode of the pipeline has acknowledged every byte written: readers
opening the file then see them), hsync() also makes the DataNodes fsync,
close() ends the last block and returns once the NameNode completed the
file. A DataNode failing mid-write is replaced in its pipeline as Java's
client does (see <hadoofus/file.h>); a write that cannot go on raises, and
the file is then left under construction, to be recovered by the NameNode.

Text modes wrap the binary writer in an io.TextIOWrapper (UTF-8 unless
encoding= says otherwise), whose .buffer is the HdfsFileWriter.
"""

import collections
import io
import threading

from . import conf as _conf
from . import errors
from ._native import ffi, lib
from .errors import ArgumentTypeError, InvalidArgumentError, _error

__all__ = ["HdfsFileWriter", "open_write"]

_CHUNK = 1 << 30    # largest single C write (size_t is fine; keeps progress visible)
_NOCOPY_MIN = 64 * 1024   # bytes objects from a packet's size on are not copied


_POLICIES = {"DEFAULT": 0, "NEVER": 1, "ALWAYS": 2}


def _int_arg(v, what, lo, hi):
    if isinstance(v, bool) or not isinstance(v, int):
        raise ArgumentTypeError("%s must be an int, not %s" % (what, type(v).__name__))
    if not lo <= v <= hi:
        raise InvalidArgumentError("%s must be %d..%d: %d" % (what, lo, hi, v))
    return v


def _opts(fs, keep, replication=None, blocksize=None, overwrite=True, permission=None,
          replace_datanode_on_failure=None, best_effort=None, timeout=None, conf=None):
    """The C writer's options: the Hadoop configuration's client keys
    (dfs.replication, dfs.blocksize, the replace-datanode-on-failure
    policy, timeouts... as Java reads them), then the arguments."""
    o = ffi.new("struct hdfs_file_write_opts *")
    if conf is not None and conf != ffi.NULL:
        err = ffi.new("char[]", 256)
        rc = lib.hdfs_file_write_opts_from_conf(o, conf, err, 256)
        if rc:
            raise errors._config_error(rc, "Hadoop configuration: %s" % ffi.string(err).decode())
    o.flags = lib.HDFS_FILE_CREATE_PARENT | (lib.HDFS_FILE_OVERWRITE if overwrite else 0)
    if replication is not None:
        o.replication = _int_arg(replication, "replication", 1, 32767)
    if blocksize is not None:
        o.block_size = _int_arg(blocksize, "blocksize", 1, (1 << 63) - 1)
        if blocksize % 512:
            raise InvalidArgumentError("blocksize must be a multiple of 512 (the bytes per "
                                       "checksum): %d" % blocksize)
    if permission is not None:
        o.permission = _int_arg(permission, "permission", 1, 0o7777)
    if replace_datanode_on_failure is not None:
        key = str(replace_datanode_on_failure).upper()
        if key not in _POLICIES:
            raise InvalidArgumentError("replace_datanode_on_failure must be DEFAULT, ALWAYS or "
                                       "NEVER: %r" % (replace_datanode_on_failure,))
        o.replace_policy = _POLICIES[key]
    if best_effort is not None:
        o.replace_best_effort = bool(best_effort)
    if timeout is not None:
        ms = int(timeout * 1000) if timeout > 0 else -1
        o.read_timeout_ms = ms if ms != 0 else 1
    # As Java's DFSClient: one lease holder name per client (connection).
    name = ffi.new("char[]", fs.client_name.encode())
    keep.append(name)
    o.client_name = name
    return o


def _open_c(fs, path, append, o):
    """A C writer for path (created or appended), or the exception."""
    p = ffi.new("struct hdfs_file_writer **")
    bpath = path.encode("utf-8", "surrogateescape")
    fn = lib.hdfs_file_writer_append if append else lib.hdfs_file_writer_create
    rc = fn(p, fs._nn, bpath, o)
    return errors._owned(rc, p[0], lib.hdfs_file_writer_free)


class HdfsFileWriter(io.BufferedIOBase):
    """A binary HDFS file open for writing (see the module docs).

    HdfsFileWriter(fs, path, append=False, overwrite=True, replication=None,
                   blocksize=None, permission=None, name=None)

    fs is a hadoofus.rpc (it must stay open while the file is), path an
    absolute path. Missing parent directories are created, as Java's
    FileSystem.create does. replication, blocksize default to the Hadoop
    configuration's (`conf`, an hdfs_conf handle: dfs.replication,
    dfs.blocksize), else the NameNode's; an appended file keeps its own.
    permission (before the NameNode's umask) defaults to 0o644.
    append=True writes at the end of an existing file, and creates it when
    there is none. replace_datanode_on_failure ("DEFAULT", "ALWAYS",
    "NEVER") and best_effort: when a DataNode fails mid-block, whether a
    new one takes its place (Java's
    dfs.client.block.write.replace-datanode-on-failure.*). timeout (s,
    default 60): each wait for a DataNode's connect or acknowledgement;
    an idle writer sends heartbeats every timeout / 2.

    Calls may come from several threads; they take turns.
    """

    def __init__(self, fs, path, append=False, overwrite=True, replication=None,
                 blocksize=None, permission=None, name=None, *,
                 replace_datanode_on_failure=None, best_effort=None, timeout=None,
                 conf=None):
        super().__init__()
        self._fw = None
        self._fs = fs          # the NameNode client must outlive the C writer
        self._mu = threading.Lock()
        # (file offset of its end, cdata over a bytes object) the C writer
        # sends from without a copy, until the pipeline acknowledged it
        self._pinned = collections.deque()
        self.path = path
        self.name = name or path
        self.mode = "ab" if append else "wb"
        keep = []
        o = _opts(fs, keep, replication, blocksize, overwrite, permission,
                  replace_datanode_on_failure, best_effort, timeout, conf)
        if append:
            try:
                fw = _open_c(fs, path, True, o)
            except errors.FileNotFoundException:
                # Python's "a" creates a missing file (Java's append does not).
                o.flags &= ~lib.HDFS_FILE_OVERWRITE
                try:
                    fw = _open_c(fs, path, False, o)
                except errors.FileAlreadyExistsException:
                    fw = _open_c(fs, path, True, o)   # created meanwhile
        else:
            fw = _open_c(fs, path, False, o)
        self._fw = fw

    # -- io.BufferedIOBase ---------------------------------------------------

    def writable(self):
        self._checkClosed()
        return True

    def readable(self):
        self._checkClosed()
        return False

    def seekable(self):
        self._checkClosed()
        return False

    def _handle(self):
        fw = self._fw
        if fw is None:
            raise InvalidArgumentError("I/O operation on closed file.")
        return fw

    def write(self, b):
        """Queue the bytes of b (any bytes-like object); returns their count.

        Large bytes objects (immutable) are sent without a copy: the writer
        keeps a reference until the pipeline has acknowledged them. Other
        buffers are copied into packets (the caller may change them as soon
        as write returns)."""
        if isinstance(b, str):
            raise ArgumentTypeError("write() argument must be a bytes-like object, not str")
        try:
            ptr = ffi.from_buffer(b)
        except BufferError:
            b = memoryview(b).tobytes()        # non-contiguous views
            ptr = ffi.from_buffer(b)
        n = len(ptr)
        pin = type(b) is bytes and n >= _NOCOPY_MIN
        write = lib.hdfs_file_writer_write_nocopy if pin else lib.hdfs_file_writer_write
        with self._mu:
            fw = self._handle()
            done = 0
            while done < n:
                k = min(n - done, _CHUNK)
                rc = write(fw, ptr + done, k)
                if rc:
                    if pin:     # a failed writer sends nothing more, but keep it
                        self._pinned.append((1 << 64, ptr))
                    raise _error(rc, fw)
                done += k
            if pin:
                pinned = self._pinned
                pinned.append((lib.hdfs_file_writer_tell(fw), ptr))
                acked = lib.hdfs_file_writer_acked(fw)
                while pinned and pinned[0][0] <= acked:
                    pinned.popleft()
        return n

    def flush(self):
        """hflush: every byte written so far reaches every DataNode of the
        pipeline (acknowledged), and readers opening the file see it."""
        self._sync(0)

    def hflush(self):
        """The same as flush()."""
        self._sync(0)

    def hsync(self, update_length=False):
        """hflush, and every DataNode fsyncs the block. update_length: the
        NameNode records the length too (getFileInfo shows it)."""
        self._sync(lib.HDFS_FILE_HSYNC | (lib.HDFS_FILE_UPDATE_LENGTH if update_length else 0))

    def _sync(self, flags):
        with self._mu:
            fw = self._handle()
            rc = lib.hdfs_file_writer_flush(fw, flags)
            if rc:
                raise _error(rc, fw)
            self._pinned.clear()     # all acknowledged

    def close(self):
        """End the file: the last block finalized on its DataNodes, then the
        NameNode's complete() (retried while it waits for replicas). Raises
        if that fails (the file then stays under construction). Closing
        again does nothing."""
        with self._mu:
            fw, self._fw = self._fw, None
            if fw is None:
                return
            # Not IOBase.close(), which would flush first: closing ends the
            # block anyway, and an hflush before would cost a round trip.
            try:
                rc = lib.hdfs_file_writer_close(fw)
                if rc:
                    raise _error(rc, fw)
            finally:
                self._last_stats = self._stats_of(fw)
                ffi.release(fw)
                self._pinned.clear()

    @property
    def closed(self):
        return self._fw is None

    def tell(self):
        """The file's length so far (its length at open for append, plus
        the bytes written)."""
        fw = self._fw
        if fw is None:
            raise InvalidArgumentError("I/O operation on closed file.")
        return lib.hdfs_file_writer_tell(fw)

    def detach(self):
        raise io.UnsupportedOperation("detach")

    def read(self, size=-1):
        raise io.UnsupportedOperation("not readable")

    read1 = readinto = readinto1 = read

    # -- the file ------------------------------------------------------------

    @property
    def replication(self):
        return lib.hdfs_file_writer_replication(self._handle())

    @property
    def blocksize(self):
        return lib.hdfs_file_writer_block_size(self._handle())

    @property
    def client_name(self):
        return ffi.string(lib.hdfs_file_writer_client_name(self._handle())).decode()

    @staticmethod
    def _stats_of(fw):
        s = ffi.new("struct hdfs_file_write_stats *")
        lib.hdfs_file_writer_stats(fw, s)
        return {k: getattr(s, k) for k in (
            "bytes_written", "blocks", "recoveries", "datanodes_replaced",
            "pipeline_failures")}

    @property
    def stats(self):
        """Counters: bytes_written, blocks, recoveries (pipelines rebuilt
        after a DataNode failed), datanodes_replaced, pipeline_failures (new
        blocks abandoned because their pipeline would not come up). Still
        readable after close."""
        fw = self._fw
        if fw is None:
            return dict(getattr(self, "_last_stats", {}))
        return self._stats_of(fw)

    @property
    def pipeline(self):
        """The open block's DataNodes as "ip:port" strings, first one first
        ([] between blocks)."""
        with self._mu:
            fw = self._handle()
            n = lib.hdfs_file_writer_pipeline_size(fw)
            buf = ffi.new("char[]", 128)
            out = []
            for i in range(n):
                p = lib.hdfs_file_writer_pipeline_node(fw, i, buf, 128)
                if p != ffi.NULL:
                    out.append(ffi.string(p).decode())
            return out

    def __repr__(self):
        return "<hadoofus.easy.HdfsFileWriter name=%r mode=%r%s>" % (
            self.name, self.mode, " closed" if self.closed else "")


def open_write(fs, path, *, name=None, append=False, overwrite=True, replication=None,
               blocksize=None, buffer_size=None, **kw):
    """hadoofus.easy.open's write modes: a binary HdfsFileWriter, with the
    client keys of the Hadoop configuration easy.open uses. buffer_size is
    accepted for symmetry and unused: writes go straight to the C writer,
    which fills 64 KiB packets."""
    if "conf" not in kw:
        kw["conf"] = _conf.load()
    return HdfsFileWriter(fs, path, append=append, overwrite=overwrite,
                          replication=replication, blocksize=blocksize, name=name, **kw)
