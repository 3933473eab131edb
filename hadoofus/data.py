"""hadoofus.data: a block's bytes, straight from its DataNodes.

    >>> nn = hadoofus.rpc("namenode.example", 8020)
    >>> for lb in nn.getBlockLocations("/some/file"):   # LocatedBlock
    ...     d = hadoofus.data(lb, "my-client")
    ...     chunk = d.read()                               # the whole block
    ...     head = d.read(offset=100, length=10)           # a range of it
    ...     n = d.readinto(bytearray(4096), offset=512)    # into your memory

Reads go through the C block reader: data lands directly in the target
buffer (readinto is zero-copy; read() makes one bytes copy at the end),
every checksum chunk is verified (CRC32C on ISA-L), and the GIL is released
while bytes are on the wire, so threads reading blocks run in parallel.

Replicas are tried in the NameNode's order (nearest first). A DataNode that
cannot be reached, times out, refuses the read or sends data failing its
checksum is skipped and the read resumes on the next replica from where the
verified bytes stop; the failed DataNode moves to the back of this object's
order. When every replica fails, the error names each DataNode's failure
(.failures). Replicas that sent corrupt data are listed in
.corrupt_replicas, for the caller to report (ClientProtocol.reportBadBlocks).

One `data` object serves one thread at a time (a lock enforces it); a
finished read keeps its DataNode connection for ~3 s, so the next read of
the same block skips the TCP connect.
"""

import re
import threading

from . import errors
from . import types as T
from ._native import ffi, lib
from .errors import HadoofusError, _error
from .proto import SCHEMA

__all__ = ["data", "BlockReadError", "crc32c", "crc32"]

_LocatedBlockProto = SCHEMA.messages["hadoop.hdfs.LocatedBlockProto"]

# Errors after which the same read may work on another replica. Bad
# arguments and out-of-memory fail at once.
_NO_FAILOVER = {lib.HDFS_EINVAL, lib.HDFS_ENOMEM, lib.HDFS_ECLOSED}

# From this size on, read() fills its bytes result in place.
_FRESH_BYTES_MIN = 256 * 1024

_CHECKSUM_NAMES = {lib.HDFS_CHECKSUM_NULL: "NULL", lib.HDFS_CHECKSUM_CRC32: "CRC32",
                   lib.HDFS_CHECKSUM_CRC32C: "CRC32C"}

# "opReadBlock BP-..:blk_.. received exception java.io.IOException: msg"
_DN_EXCEPTION = re.compile(r"received exception ([\w.$]+)(?:: )?(.*)", re.S)


class BlockReadError(HadoofusError, OSError):
    """Every replica of a block failed to deliver the requested bytes.

    .failures lists (address "ip:port", exception) per DataNode tried."""

    def __init__(self, message, failures=()):
        super().__init__(message)
        self.failures = list(failures)


def crc32c(data, crc=0):
    """The CRC32C (Castagnoli) of a bytes-like object, continuing from crc."""
    return lib.hdfs_crc32c(crc, ffi.from_buffer(data), len(memoryview(data).cast("B")))


def crc32(data, crc=0):
    """The CRC32 (zlib's) of a bytes-like object, continuing from crc."""
    return lib.hdfs_crc32(crc, ffi.from_buffer(data), len(memoryview(data).cast("B")))


def _located_bytes(block):
    if isinstance(block, (bytes, bytearray, memoryview)):
        raw = bytes(block)
        return raw, _LocatedBlockProto.decode(raw)
    if isinstance(block, T.LocatedBlock):
        return block._encode(), block
    raise TypeError("block must be a LocatedBlock (from getBlockLocations or "
                    "addBlock) or its serialized bytes, not %s" % type(block).__name__)


def _reader_error(rc, br):
    """The exception for a failed C block-reader call, with its detail."""
    detail = ffi.string(lib.hdfs_block_reader_error_message(br)).decode("utf-8", "replace")
    if rc == lib.HDFS_EREMOTE:
        m = _DN_EXCEPTION.search(detail)
        if m:
            e = errors.remote_exception(m.group(1), m.group(2))
            e.datanode_message = detail
            return e
    e = _error(rc)
    if detail:
        text = "%s: %s" % (e.args[0], detail) if e.args else detail
        e.args = (text,)
        if isinstance(e, OSError):
            e.strerror = text
    if rc == lib.HDFS_ECHECKSUM:
        e.offset = lib.hdfs_block_reader_error_offset(br)
    return e


class data:
    """One block's data on its DataNodes (see the module docs).

    data(block, client_name="hadoofus", timeout=60.0, connect_timeout=60.0,
         verify_checksum=True)

    `block` is a LocatedBlock (an item of rpc.getBlockLocations(...), the
    answer of rpc.addBlock(...)) or a serialized LocatedBlockProto.
    `client_name` shows in the DataNodes' logs. Timeouts are in seconds
    (None: wait forever); `timeout` bounds each wait for a DataNode.
    verify_checksum=False asks the DataNodes for no checksums at all.
    """

    def __init__(self, block, client_name="hadoofus", *, timeout=60.0,
                 connect_timeout=60.0, verify_checksum=True):
        raw, lb = _located_bytes(block)
        if isinstance(client_name, str):
            client_name = client_name.encode("utf-8")
        if not isinstance(client_name, bytes) or not client_name or b"\0" in client_name:
            raise ValueError("client_name must be a non-empty string without NUL")
        p = ffi.new("struct hdfs_block_reader **")
        rc = lib.hdfs_block_reader_new_lb(p, raw, len(raw), client_name)
        if rc:
            raise _error(rc)
        self._br = ffi.gc(p[0], lib.hdfs_block_reader_free)
        self._lock = threading.Lock()
        self.located_block = lb
        self.block = lb.b
        self.client_name = client_name.decode("utf-8")

        def ms(v, what):
            if v is None:
                return 0
            if v <= 0:
                raise ValueError("%s must be positive or None" % what)
            return max(1, int(v * 1000))
        rc = lib.hdfs_block_reader_set_timeouts(self._br, ms(connect_timeout, "connect_timeout"),
                                                 ms(timeout, "timeout"))
        if rc:
            raise _error(rc)
        if not verify_checksum:
            lib.hdfs_block_reader_set_flags(self._br, lib.HDFS_DN_READ_NO_VERIFY)
        self.verify_checksum = bool(verify_checksum)
        # Location indexes, in the order to try them.
        n = lib.hdfs_block_reader_num_locations(self._br)
        self._order = list(range(n))
        self.corrupt_replicas = []   # (DatanodeInfo, block offset of the bad chunk)
        self._last_checksum = None

    # -- properties ----------------------------------------------------------

    @property
    def length(self):
        """The block's length (numBytes) as the NameNode described it."""
        return lib.hdfs_block_reader_block_length(self._br)

    @property
    def locations(self):
        """The DataNodes holding the block (DatanodeInfo), NameNode's order."""
        return list(self.located_block.locs)

    @property
    def checksum(self):
        """(type name, bytes per checksum) the DataNode used for the last
        read ("CRC32C", 512); None before any."""
        t = ffi.new("int *")
        bpc = ffi.new("uint32_t *")
        with self._lock:
            if lib.hdfs_block_reader_checksum(self._br, t, bpc) != 0:
                return self._last_checksum
            self._last_checksum = (_CHECKSUM_NAMES.get(t[0], str(t[0])), bpc[0])
        return self._last_checksum

    def _address(self, i):
        port = ffi.new("int *")
        host = lib.hdfs_block_reader_location(self._br, i, port)
        return "%s:%d" % (ffi.string(host).decode(), port[0])

    # -- reading -------------------------------------------------------------

    def _range(self, offset, length, avail):
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise TypeError("offset must be an int")
        if offset < 0:
            raise ValueError("offset must be >= 0: %d" % offset)
        if length is not None:
            if isinstance(length, bool) or not isinstance(length, int):
                raise TypeError("length must be an int or None")
            if length < 0:
                raise ValueError("length must be >= 0: %d" % length)
        end = self.length
        if offset > end:
            raise ValueError("offset %d is beyond the block's %d bytes" % (offset, end))
        n = end - offset if length is None else length
        if avail is not None:
            n = min(n, avail)
        if offset + n > end:
            raise ValueError("range %d+%d is beyond the block's %d bytes"
                             % (offset, n, end))
        return n

    def _read_into(self, ptr, offset, length):
        """Fill ptr[0:length] with block bytes [offset, offset+length),
        failing over across replicas. Call with the lock held."""
        br = self._br
        if not self._order:
            raise BlockReadError("block %s has no locations" % (self.block,))
        done = 0
        failures = []
        got = ffi.new("size_t *")
        for i in list(self._order):
            rc = lib.hdfs_block_reader_open_location(br, i, offset + done, length - done)
            if rc == 0:
                rc = lib.hdfs_block_reader_read(br, ptr + done, length - done, got)
                done += got[0]
            if rc == 0:
                return done
            e = _reader_error(rc, br)
            if rc in _NO_FAILOVER:
                raise e
            failures.append((self._address(i), e))
            if rc == lib.HDFS_ECHECKSUM:
                locs = self.located_block.locs
                if i < len(locs):
                    self.corrupt_replicas.append((locs[i], getattr(e, "offset", -1)))
            # Try it last next time.
            self._order.remove(i)
            self._order.append(i)
        raise self._all_failed(failures, offset, length)

    def _all_failed(self, failures, offset, length):
        text = "could not read %s [%d, +%d) from any of %d DataNodes: %s" % (
            self.block, offset, length, len(failures),
            "; ".join("%s: %s" % (a, e) for a, e in failures))
        kinds = {type(e) for _a, e in failures}
        if len(kinds) == 1:
            (cls,) = kinds
            if issubclass(cls, HadoofusError) and not issubclass(cls, errors.ProtocolException):
                e = cls(text)
                e.code = failures[0][1].code
                e.failures = failures
                return e
        return BlockReadError(text, failures)

    def readinto(self, buffer, offset=0):
        """Read block bytes from `offset` into a writable bytes-like object
        (bytearray, memoryview, numpy array, mmap...), zero-copy: as many
        as fit or the block holds. Returns the count."""
        mv = memoryview(buffer).cast("B")
        if mv.readonly:
            raise TypeError("readinto needs a writable buffer")
        n = self._range(offset, None, mv.nbytes)
        if n == 0:
            return 0
        ptr = ffi.from_buffer("char[]", mv, require_writable=True)
        with self._lock:
            return self._read_into(ptr, offset, n)

    def read(self, offset=0, length=None):
        """The block's bytes [offset, offset + length) (to its end when
        length is None) as bytes."""
        n = self._range(offset, length, None)
        if n == 0:
            return b""
        if n < _FRESH_BYTES_MIN:
            buf = bytearray(n)
            ptr = ffi.from_buffer("char[]", buf, require_writable=True)
            with self._lock:
                self._read_into(ptr, offset, n)
            return bytes(buf)
        # Large reads land in the bytes object they return: bytes(n) is
        # calloc'd (its pages untouched), a new object nobody else sees
        # yet (only b"" and 1-byte values are cached), so filling it in
        # place is safe, and the memory is touched once, by the data,
        # instead of by a bytearray's zeroing and then a copy. Fresh pages
        # are what large reads cost most: (on VMs) more than the network.
        out = bytes(n)
        ptr = ffi.from_buffer("char[]", out)
        with self._lock:
            self._read_into(ptr, offset, n)
        return out

    # -- writing -------------------------------------------------------------
    # .write() (WRITE_BLOCK pipelines) belongs to the block writer and goes
    # in this section.

    # -- lifetime ------------------------------------------------------------

    def close(self):
        """Close the kept DataNode connection (the object stays usable)."""
        with self._lock:
            lib.hdfs_block_reader_close(self._br)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def _num_connects(self):
        return lib.hdfs_block_reader_num_connects(self._br)

    def __repr__(self):
        return "<hadoofus.data %s, %d bytes, on [%s]>" % (
            self.block, self.length,
            ", ".join(self._address(i) for i in range(len(self._order))))
