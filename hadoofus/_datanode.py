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

import threading
from typing import Any, List, Optional, Tuple, Union

from . import errors
from . import types as T
from . import _v1files
from ._native import ffi, lib
from .errors import (ArgumentTypeError, BlockReadError, BlockWriteError, HadoofusError,
                     InvalidArgumentError, _error)
from .proto import SCHEMA

__all__ = ["data", "BlockReadError", "BlockWriter", "BlockWriteError", "crc32c", "crc32"]

_LocatedBlockProto = SCHEMA.messages["hadoop.hdfs.LocatedBlockProto"]

# Errors after which the same read may work on another replica. Bad
# arguments and out-of-memory fail at once.
_NO_FAILOVER = {lib.HDFS_EINVAL, lib.HDFS_ENOMEM, lib.HDFS_ECLOSED}

# From this size on, read() fills its bytes result in place.
_FRESH_BYTES_MIN = 256 * 1024

_CHECKSUM_NAMES = {lib.HDFS_CHECKSUM_NULL: "NULL", lib.HDFS_CHECKSUM_CRC32: "CRC32",
                   lib.HDFS_CHECKSUM_CRC32C: "CRC32C"}


def _nbytes(buffer):
    with memoryview(buffer) as mv:
        return mv.nbytes, mv.readonly


# Buffers are exported from the caller's object itself, never from a
# memoryview made here, and released explicitly: an export outliving its
# memoryview is trouble.

def crc32c(data: Any, crc: int = 0) -> int:
    """The CRC32C (Castagnoli) of a bytes-like object, continuing from crc."""
    n, _ro = _nbytes(data)
    with ffi.from_buffer(data) as p:
        return lib.hdfs_crc32c(crc, p, n)


def crc32(data: Any, crc: int = 0) -> int:
    """The CRC32 (zlib's) of a bytes-like object, continuing from crc."""
    n, _ro = _nbytes(data)
    with ffi.from_buffer(data) as p:
        return lib.hdfs_crc32(crc, p, n)


def _located_bytes(block):
    if isinstance(block, (bytes, bytearray, memoryview)):
        raw = bytes(block)
        return raw, _LocatedBlockProto.decode(raw)
    if isinstance(block, T.LocatedBlock):
        return block._encode(), block
    raise ArgumentTypeError("block must be a LocatedBlock (from getBlockLocations or "
                            "addBlock) or its serialized bytes, not %s" % type(block).__name__)


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

    def __new__(cls, block: Any = None, *args: Any, **kw: Any) -> Any:
        if cls is data and _v1files.is_v1_block(block):
            # A Hadoop 1.x block: DataTransferProtocol 17, not the C reader.
            return _v1files.BlockData(block, *args, **kw)
        return super().__new__(cls)

    def __init__(self, block: Union["T.LocatedBlock", bytes], client_name: Union[str, bytes] = "hadoofus", *,
                 timeout: Optional[float] = 60.0, connect_timeout: Optional[float] = 60.0,
                 verify_checksum: bool = True) -> None:
        raw, lb = _located_bytes(block)
        if isinstance(client_name, str):
            client_name = client_name.encode("utf-8")
        if not isinstance(client_name, bytes) or not client_name or b"\0" in client_name:
            raise InvalidArgumentError("client_name must be a non-empty string without NUL")
        p = ffi.new("struct hdfs_block_reader **")
        rc = lib.hdfs_block_reader_new_lb(p, raw, len(raw), client_name)
        if rc:
            raise _error(rc)
        self._br = ffi.gc(p[0], lib.hdfs_block_reader_free)
        self._lock = threading.Lock()
        self.located_block = lb
        self.block = lb.b
        self.client_name = client_name.decode("utf-8")
        rc = lib.hdfs_block_reader_set_timeouts(self._br, _ms(connect_timeout, "connect_timeout"),
                                                 _ms(timeout, "timeout"))
        if rc:
            raise _error(rc)
        if not verify_checksum:
            lib.hdfs_block_reader_set_flags(self._br, lib.HDFS_DN_READ_NO_VERIFY)
        self.verify_checksum = bool(verify_checksum)
        # Location indexes, in the order to try them.
        n = lib.hdfs_block_reader_num_locations(self._br)
        self._order = list(range(n))
        self.corrupt_replicas: List[Tuple[Any, int]] = []   # (DatanodeInfo, block offset of the bad chunk)
        self._last_checksum: Optional[Tuple[str, int]] = None

    # -- properties ----------------------------------------------------------

    @property
    def length(self) -> int:
        """The block's length (numBytes) as the NameNode described it."""
        return lib.hdfs_block_reader_block_length(self._br)

    @property
    def locations(self) -> List["T.DatanodeInfo"]:
        """The DataNodes holding the block (DatanodeInfo), NameNode's order."""
        return list(self.located_block.locs)

    @property
    def checksum(self) -> Optional[Tuple[str, int]]:
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
            raise ArgumentTypeError("offset must be an int")
        if offset < 0:
            raise InvalidArgumentError("offset must be >= 0: %d" % offset)
        if length is not None:
            if isinstance(length, bool) or not isinstance(length, int):
                raise ArgumentTypeError("length must be an int or None")
            if length < 0:
                raise InvalidArgumentError("length must be >= 0: %d" % length)
        end = self.length
        if offset > end:
            raise InvalidArgumentError("offset %d is beyond the block's %d bytes" % (offset, end))
        n = end - offset if length is None else length
        if avail is not None:
            n = min(n, avail)
        if offset + n > end:
            raise InvalidArgumentError("range %d+%d is beyond the block's %d bytes"
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
            e = _error(rc, br)
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

    def readinto(self, buffer: Any, offset: int = 0) -> int:
        """Read block bytes from `offset` into a writable bytes-like object
        (bytearray, memoryview, numpy array, mmap...), zero-copy: as many
        as fit or the block holds. Returns the count."""
        nbytes, readonly = _nbytes(buffer)
        if readonly:
            raise ArgumentTypeError("readinto needs a writable buffer")
        n = self._range(offset, None, nbytes)
        if n == 0:
            return 0
        with ffi.from_buffer("char[]", buffer, require_writable=True) as ptr:
            with self._lock:
                return self._read_into(ptr, offset, n)

    def read(self, offset: int = 0, length: Optional[int] = None) -> bytes:
        """The block's bytes [offset, offset + length) (to its end when
        length is None) as bytes."""
        n = self._range(offset, length, None)
        if n == 0:
            return b""
        if n < _FRESH_BYTES_MIN:
            buf = bytearray(n)
            with ffi.from_buffer("char[]", buf, require_writable=True) as ptr:
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
        with ffi.from_buffer("char[]", out) as ptr:
            with self._lock:
                self._read_into(ptr, offset, n)
        return out

    # -- writing -------------------------------------------------------------

    def writer(self, stage="CREATE", generation_stamp=None, *, defaults=None,
               checksum=None, bytes_per_checksum=None, packet_size=None,
               max_packets=None, block_size=None, timeout=60.0,
               write_timeout=480.0):
        """Open a WRITE_BLOCK pipeline to this block's locations (first one
        first) as `client_name` (the file's lease holder): a BlockWriter,
        for write / flush (hflush) / sync (hsync) / close, and for what
        pipeline recovery needs when a DataNode fails. It returns once
        the pipeline is up.

        stage: "CREATE" (default; a new block from addBlock, written from
        offset 0), "APPEND" (onto the block's numBytes: the last block from
        rpc.append(), with generation_stamp = the new stamp from
        updateBlockForPipeline; then call updatePipeline, as Java does),
        or "APPEND_RECOVERY" / "STREAMING_RECOVERY" / "CLOSE_RECOVERY"
        (set an existing replica's pipeline up anew; generation_stamp as
        for APPEND).

        defaults: an FsServerDefaults (rpc.getServerDefaults()) supplies
        the checksum type, bytes per checksum, packet size and block size
        unless given: checksum ("CRC32C", "CRC32", "NULL"; default CRC32C),
        bytes_per_checksum (512), packet_size (65536, Java's
        dfs.client-write-packet-size), max_packets (unacked packets in
        flight, 80), block_size (what the DataNodes reserve; default theirs).
        timeout: seconds for a connect and each wait for the pipeline's
        answers (plus 5 s per node, as Java; None: forever); write_timeout
        for a stalled send (480 s + 5 s per node).
        """
        return BlockWriter(self, stage, generation_stamp, defaults, checksum,
                           bytes_per_checksum, packet_size, max_packets,
                           block_size, timeout, write_timeout)

    def write(self, buffer: Any, stage: str = "CREATE", generation_stamp: Optional[int] = None, *,
              sync: bool = False, **options: Any) -> int:
        """Write `buffer` (any bytes-like object) as the block's data and
        end the block: every replica of the pipeline is finalized when
        this returns. Zero-copy: packets go out straight from `buffer`
        (checksummed in place), the GIL released meanwhile. stage,
        generation_stamp and options as for writer(); sync=True makes the
        DataNodes fsync the block before they acknowledge its end.

        Returns the number of bytes written. The block's ExtendedBlock
        (self.block, the same object as the LocatedBlock's .b) is updated
        in place: numBytes = the block's length now, generationStamp = the
        one its replicas carry; so, after a new block,
        rpc.complete(path, client_name, last=located_block) (or
        last=located_block.b) commits it. Raises BlockWriteError when the
        pipeline fails (.bad_node says which DataNode).
        """
        ptr = ffi.from_buffer(buffer)   # a bad buffer fails before any I/O
        try:
            w = self.writer(stage, generation_stamp, **options)
        except BaseException:
            ffi.release(ptr)
            raise
        try:
            n = w._write_ptr(ptr, copy=False)
            w.close(sync=sync)
        except BaseException:
            w.abort()
            raise
        finally:
            # Done, or failed and dropped: the engine reads the buffer no more.
            w._release_pins(everything=True)
        return n

    # -- lifetime ------------------------------------------------------------

    def close(self) -> None:
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


# ---------------------------------------------------------------------------
# Writing blocks

_STAGES = {
    "APPEND": 0, "APPEND_RECOVERY": 1, "STREAMING": 2, "STREAMING_RECOVERY": 3,
    "CLOSE": 4, "CLOSE_RECOVERY": 5, "CREATE": 6,
}
_STAGE_NAMES = {v: k for k, v in _STAGES.items()}
_WRITER_STATES = ["IDLE", "SETUP", "STREAMING", "DONE", "FAILED"]
_CHECKSUMS = {"NULL": 0, "CRC32": 1, "CRC32C": 2}


def _stage(v):
    if isinstance(v, str):
        key = v.upper()
        for prefix in ("PIPELINE_SETUP_", "PIPELINE_", "DATA_"):
            if key.startswith(prefix) and key[len(prefix):] in _STAGES:
                key = key[len(prefix):]
        if key in _STAGES:
            return _STAGES[key]
        raise InvalidArgumentError("stage must be one of %s: %r" % (", ".join(_STAGES), v))
    if isinstance(v, int) and not isinstance(v, bool) and v in _STAGE_NAMES:
        return v
    raise InvalidArgumentError("stage must be a BlockConstructionStage name or value: %r" % (v,))


def _ms(v, what):
    if v is None:
        return 0
    if v <= 0:
        raise InvalidArgumentError("%s must be positive or None" % what)
    return max(1, int(v * 1000))


class BlockWriter:
    """An open write pipeline of one block (see data.writer()).

    write(b) queues bytes (copied, or referenced when b is an immutable
    bytes object) and returns once they are in the window of unacked
    packets; flush() (hflush) and sync() (hsync) return once everything
    written is acknowledged by every node; close() ends the block. As a
    context manager it closes on success and drops the connection on an
    exception (the pipeline then times out on the DataNodes' side).

    State for the NameNode side of the write: .acked (the block's length
    as the replicas agree on it), .generation_stamp, .block (an
    ExtendedBlock with both), .pipeline (the DatanodeInfos, first first).
    After a BlockWriteError: .bad_node / .bad_datanode / .bad_status say
    who failed, .recovery_stage how to go on, and recover() rebuilds the
    pipeline and resends what was not acknowledged.
    """

    def __init__(self, d, stage, generation_stamp, defaults, checksum,
                 bytes_per_checksum, packet_size, max_packets, block_size,
                 timeout, write_timeout):
        self._data = d
        stage = _stage(stage)
        if stage == _STAGES["CREATE"]:
            gs = 0 if generation_stamp is None else generation_stamp
        elif generation_stamp is None:
            raise InvalidArgumentError("stage %s needs the new generation_stamp (from "
                                       "updateBlockForPipeline)" % _STAGE_NAMES[stage])
        else:
            gs = generation_stamp
        if isinstance(gs, bool) or not isinstance(gs, int) or gs < 0:
            raise ArgumentTypeError("generation_stamp must be a non-negative int")
        if defaults is not None:
            if checksum is None:
                checksum = int(defaults.checksumType)
            if bytes_per_checksum is None:
                bytes_per_checksum = defaults.bytesPerChecksum
            if packet_size is None:
                packet_size = defaults.writePacketSize
            if block_size is None:
                block_size = defaults.blockSize
        p = ffi.new("struct hdfs_block_writer **")
        rc = lib.hdfs_block_writer_new(p)
        if rc:
            raise _error(rc)
        self._bw = ffi.gc(p[0], lib.hdfs_block_writer_free)
        self._w = lib.hdfs_block_writer_engine(self._bw)
        self._lock = threading.Lock()
        self._pins = []   # (end offset, cdata) of buffers sent without a copy

        if checksum is not None or bytes_per_checksum is not None:
            if isinstance(checksum, str):
                if checksum.upper().replace("CHECKSUM_", "") not in _CHECKSUMS:
                    raise InvalidArgumentError("checksum must be one of %s: %r"
                                               % (", ".join(_CHECKSUMS), checksum))
                checksum = _CHECKSUMS[checksum.upper().replace("CHECKSUM_", "")]
            ctype = lib.HDFS_CHECKSUM_CRC32C if checksum is None else int(checksum)
            bpc = lib.HDFS_DN_WRITE_BYTES_PER_CHECKSUM if bytes_per_checksum is None \
                else bytes_per_checksum
            self._setting(lib.hdfs_dn_writer_set_checksum(self._w, ctype, bpc),
                          "checksum %r / bytes_per_checksum %r" % (checksum, bpc))
        if packet_size is not None:
            self._setting(lib.hdfs_dn_writer_set_packet_size(self._w, packet_size),
                          "packet_size %r" % (packet_size,))
        if max_packets is not None:
            self._setting(lib.hdfs_dn_writer_set_max_packets(self._w, max_packets),
                          "max_packets %r" % (max_packets,))
        if block_size is not None:
            self._setting(lib.hdfs_dn_writer_set_block_size(self._w, block_size),
                          "block_size %r" % (block_size,))
        self._setting(lib.hdfs_block_writer_set_timeouts(
            self._bw, _ms(timeout, "timeout"), _ms(write_timeout, "write_timeout")),
            "timeouts")

        self._set_pipeline(d.located_block)
        raw = d.located_block._encode()
        rc = lib.hdfs_block_writer_open_lb(self._bw, raw, len(raw),
                                           d.client_name.encode("utf-8"), stage, gs)
        self._check(rc)

    # -- errors --------------------------------------------------------------

    def _setting(self, rc, what):
        if rc:
            raise errors._exception(rc, None, what)

    def _failure(self, rc):
        w = self._w
        if lib.hdfs_dn_writer_state(w) != lib.HDFS_DN_WRITER_FAILED and \
                rc in (lib.HDFS_EINVAL, lib.HDFS_ENOMEM):
            return _error(rc, self._bw)
        message = ffi.string(lib.hdfs_block_writer_error_message(self._bw)).decode(
            "utf-8", "replace")
        text = errors._text(rc, message)
        bad = lib.hdfs_dn_writer_bad_node(w)
        st = lib.hdfs_dn_writer_bad_status(w)
        rs = lib.hdfs_dn_writer_recovery_stage(w)
        return BlockWriteError(
            text, code=rc, bad_node=None if bad < 0 else bad,
            datanode=self._nodes[bad] if 0 <= bad < len(self._nodes) else None,
            status=None if st < 0 else ffi.string(lib.hdfs_dt_status_name(st)).decode(),
            acked=lib.hdfs_dn_writer_bytes_acked(w),
            recovery_stage=_STAGE_NAMES.get(rs))

    def _check(self, rc):
        # Pins stay on failure: a recovery resends from those buffers.
        if rc:
            raise self._failure(rc)

    def _release_pins(self, everything=False):
        acked = lib.hdfs_dn_writer_bytes_acked(self._w)
        while self._pins and (everything or self._pins[0][0] <= acked):
            ffi.release(self._pins.pop(0)[1])

    def _sync_block(self):
        """Mirror the finished block into the data object's ExtendedBlock
        (only at the end: until then it is the block as the NameNode last
        knew it, the oldBlock of updatePipeline)."""
        b = self._data.block
        b.numBytes = lib.hdfs_dn_writer_bytes_acked(self._w)
        b.generationStamp = lib.hdfs_dn_writer_gen_stamp(self._w)

    # -- writing -------------------------------------------------------------

    def _write(self, buffer, copy):
        # Exported straight from the caller's object, never from a
        # memoryview of ours: an export outliving a memoryview that the
        # garbage collector clears first (say, both held by a traceback)
        # crashes CPython.
        return self._write_ptr(ffi.from_buffer(buffer), copy)

    def _write_ptr(self, ptr, copy):
        """Write the bytes of a from_buffer export, which this takes over:
        released at once for a copy, else once the data is acknowledged."""
        n = len(ptr)
        with self._lock:
            if copy or n == 0:
                try:
                    if n:
                        self._check(lib.hdfs_block_writer_write(self._bw, ptr, n))
                finally:
                    ffi.release(ptr)
                return n
            rc = lib.hdfs_block_writer_write_nocopy(self._bw, ptr, n)
            # The engine keeps pointers into the buffer until the pipeline
            # acknowledges it (or a recovery has resent it): keep it alive
            # as long, failure or not.
            self._pins.append((lib.hdfs_dn_writer_bytes_written(self._w), ptr))
            self._release_pins()
            self._check(rc)
        return n

    def write(self, buffer):
        """Queue `buffer`'s bytes; returns their count once they are all in
        the window (most already sent), not yet acknowledged. An immutable
        bytes object is sent without a copy (held until acknowledged);
        other buffers are copied, so they may be reused at once. When it
        raises, .written tells how far the block got: the bytes the writer
        took are kept and go out again after recover()."""
        return self._write(buffer, copy=type(buffer) is not bytes)

    def flush(self):
        """hflush: send what is buffered and wait until every byte written
        so far is acknowledged by every node (then visible to readers)."""
        with self._lock:
            self._check(lib.hdfs_block_writer_flush(self._bw, False))
            self._release_pins()

    def sync(self):
        """hsync: as flush(), and the DataNodes fsync before they ack."""
        with self._lock:
            self._check(lib.hdfs_block_writer_flush(self._bw, True))
            self._release_pins()

    hflush = flush
    hsync = sync

    def close(self, sync=False):
        """End the block and wait for the pipeline's last ack: every
        replica is finalized. Updates the data object's ExtendedBlock
        (numBytes, generationStamp). Returns the block's length.
        Idempotent once done."""
        with self._lock:
            if lib.hdfs_dn_writer_state(self._w) != lib.HDFS_DN_WRITER_DONE:
                self._check(lib.hdfs_block_writer_close(self._bw, bool(sync)))
            self._release_pins()
            self._sync_block()
            return lib.hdfs_dn_writer_bytes_acked(self._w)

    def abort(self):
        """Drop the connection without ending the block (the DataNodes keep
        the replica being written, for recovery or until it expires)."""
        with self._lock:
            lib.hdfs_block_writer_disconnect(self._bw)

    def recover(self, generation_stamp, located_block=None):
        """Carry on after a failure over a rebuilt pipeline: `located_block`
        (its locations, storage types/IDs and token; the same block), by
        default the current pipeline without the bad node (as Java does
        when no replacement DataNode is added). The new stamp comes from
        updateBlockForPipeline; afterwards call updatePipeline with
        .block (new stamp, acked length) and .pipeline. Unacknowledged
        packets are sent again. Raises BlockWriteError if the new pipeline
        fails too, ValueError if the block cannot be recovered."""
        with self._lock:
            if located_block is None:
                located_block = self._without_bad_node()
            raw, lb = _located_bytes(located_block)
            rc = lib.hdfs_block_writer_recover_lb(self._bw, raw, len(raw), generation_stamp)
            if rc == 0:
                self._set_pipeline(lb)
            self._check(rc)

    def _set_pipeline(self, lb):
        n = len(lb.locs)
        self._nodes = list(lb.locs)
        self._types = list(lb.storageTypes) if len(lb.storageTypes) == n else None
        self._ids = list(lb.storageIDs) if len(lb.storageIDs) == n else None
        self._token = lb.blockToken

    def _without_bad_node(self):
        bad = lib.hdfs_dn_writer_bad_node(self._w)
        keep = [i for i in range(len(self._nodes)) if i != bad]
        if not keep:
            raise InvalidArgumentError("no DataNode left in the pipeline")
        lb = self._data.located_block
        fields = {"b": lb.b, "offset": lb.__dict__.get("offset", 0),
                  "locs": [self._nodes[i] for i in keep], "corrupt": False,
                  "blockToken": self._token}
        if self._types is not None:
            fields["storageTypes"] = [self._types[i] for i in keep]
        if self._ids is not None:
            fields["storageIDs"] = [self._ids[i] for i in keep]
        return T.LocatedBlock(**fields)

    def keepalive(self):
        """For an idle writer: take in acks and send a heartbeat if nothing
        went out for half the timeout (the DataNodes time out otherwise)."""
        with self._lock:
            self._check(lib.hdfs_block_writer_keepalive(self._bw))

    # -- state -----------------------------------------------------------------

    @property
    def acked(self):
        """Bytes of the block acknowledged by every node of the pipeline."""
        return lib.hdfs_dn_writer_bytes_acked(self._w)

    @property
    def sent(self):
        return lib.hdfs_dn_writer_bytes_sent(self._w)

    @property
    def written(self):
        """The block offset after the last byte written so far."""
        return lib.hdfs_dn_writer_bytes_written(self._w)

    @property
    def generation_stamp(self):
        return lib.hdfs_dn_writer_gen_stamp(self._w)

    @property
    def block(self):
        """An ExtendedBlock: this block, its acked length, current stamp."""
        b = self._data.block
        return T.ExtendedBlock(poolId=b.poolId, blockId=b.blockId,
                               generationStamp=self.generation_stamp,
                               numBytes=self.acked)

    @property
    def pipeline(self):
        """The DatanodeInfos of the pipeline, first (the one connected to) first."""
        return list(self._nodes)

    @property
    def storage_ids(self):
        """The pipeline's storage IDs, parallel to .pipeline (for
        updatePipeline); [] when the NameNode sent none."""
        return list(self._ids or [])

    @property
    def packets_in_flight(self):
        return lib.hdfs_dn_writer_packets_in_flight(self._w)

    @property
    def state(self):
        return _WRITER_STATES[lib.hdfs_dn_writer_state(self._w)]

    @property
    def stage(self):
        return _STAGE_NAMES.get(lib.hdfs_dn_writer_stage(self._w))

    @property
    def recovery_stage(self):
        return _STAGE_NAMES.get(lib.hdfs_dn_writer_recovery_stage(self._w))

    @property
    def bad_node(self):
        i = lib.hdfs_dn_writer_bad_node(self._w)
        return None if i < 0 else i

    @property
    def bad_datanode(self):
        i = self.bad_node
        return None if i is None or i >= len(self._nodes) else self._nodes[i]

    @property
    def bad_status(self):
        st = lib.hdfs_dn_writer_bad_status(self._w)
        return None if st < 0 else ffi.string(lib.hdfs_dt_status_name(st)).decode()

    def __enter__(self):
        return self

    def __exit__(self, etype, exc, tb):
        if etype is None:
            self.close()
        else:
            self.abort()

    def __repr__(self):
        return "<hadoofus BlockWriter %s %s, %d bytes acked, pipeline [%s]>" % (
            self._data.block, self.state, self.acked,
            ", ".join("%s:%d" % (dn.ipAddr, dn.xferPort) for dn in self._nodes))
