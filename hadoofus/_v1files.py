"""HDFS v1 (Hadoop 1.x) files and blocks behind the v2 faces: what
hadoofus.easy.open, HdfsFileReader and hadoofus.data hand out when the
NameNode client is a hadoofus._rpc_v1.rpc_v1 (or the block came from one).

The v2 classes stand on the C file layer, which speaks RPC v9 only; these
stand on the v1 client's calls and on the C engines of DataTransferProtocol
17 (READ_BLOCK, WRITE_BLOCK) that rpc_v1.read()/write() use. What 1.x has
no counterpart for raises UnsupportedOperationException.

Differences a caller can see: a writer sends a block's bytes when the block
is full and at close (1.x has no hflush through this client: flush() makes
nothing visible, hflush()/hsync() raise); every positional read opens its
own DataNode connection.
"""

import hashlib
import io
import socket
import threading
from typing import Any, Dict, List, Optional

from . import errors
from . import types as T
from ._native import lib
from ._rpc_v1 import read_block, rpc_v1

__all__ = ["FileReader", "FileWriter", "BlockData", "file_checksum", "is_v1_block"]

_DEFAULT_BLOCK_SIZE = 64 << 20      # 1.x's dfs.block.size default
_DEFAULT_REPLICATION = 3            # 1.x's dfs.replication default


def _unsupported(what):
    return errors.UnsupportedOperationException(
        "java.lang.UnsupportedOperationException", "HDFS v1: %s" % what)


def _conf_int(name, default):
    from . import conf
    try:
        v = conf.get(name)
    except errors.HadoofusError:
        return default
    try:
        return int(v) if v else default
    except ValueError:
        return default


def is_v1_block(lb):
    """True for a LocatedBlock from a v1 NameNode: 1.x has no block pools,
    so its blocks (and only its) carry an empty pool id."""
    return isinstance(lb, T.LocatedBlock) and not lb.b.poolId


def _located(fs, path):
    """(LocatedBlocks as a list, length, under construction) of file
    `path`. 1.x answers getBlockLocations with null for a missing file, a
    directory and an empty file alike: getFileInfo tells them apart."""
    lbs = fs.getBlockLocations(path)
    if lbs is not None:
        return list(lbs), lbs.file_length, lbs.under_construction
    st = fs.getFileInfo(path)
    if st is None:
        raise errors.remote_exception("java.io.FileNotFoundException",
                                      "File does not exist: %s" % path)
    if st.isdir:
        raise errors.PathIsDirectoryException("java.io.FileNotFoundException",
                                              "Path is not a file: %s" % path)
    return [], st.size, False


# ---------------------------------------------------------------------------
# Reading

class FileReader(io.RawIOBase):
    """The raw reader of one v1 file, with HdfsFileReader's methods (easy
    registers it as one), its bytes from READ_BLOCK (version 17), each
    CRC32 checked, a failing replica left for the next. Block locations
    are fetched at open (and by refresh()); pread/preadinto may run in
    many threads at once."""

    def __init__(self, fs: rpc_v1, path: str, *, name: Optional[str] = None,
                 verify: bool = True, timeout: Optional[float] = None,
                 **_ignored: Any) -> None:
        super().__init__()
        self._fs = fs
        self._mu = threading.Lock()
        self._pos = 0
        self._timeout = 60.0 if timeout is None or timeout <= 0 else float(timeout)
        self._stats = dict.fromkeys((
            "bytes_read", "local_bytes_read", "location_fetches", "block_reads",
            "datanode_failures", "checksum_failures", "bad_replicas_reported"), 0)
        self.path = path
        self.name = name or path
        self.verify = verify     # 1.x DataNodes always send CRC32s: always checked
        self._locate()

    def _locate(self):
        self._stats["location_fetches"] += 1
        self._blocks, self._length, self._uc = _located(self._fs, self.path)

    def _fill(self, offset, mv):
        """Fill mv (a byte memoryview) with the bytes at offset, clipped
        to the file's end; returns the count."""
        end = min(self._length, offset + mv.nbytes)
        done = 0
        for lb in self._blocks:
            lo = max(offset + done, lb.offset)
            hi = min(end, lb.offset + lb.length)
            if hi <= lo:
                continue
            data = read_block(lb, lo - lb.offset, hi - lo, self._fs.client_name,
                              self._timeout)
            mv[lo - offset:lo - offset + len(data)] = data
            done = lo - offset + len(data)
            with self._mu:
                self._stats["block_reads"] += 1
                self._stats["bytes_read"] += len(data)
        return done

    def _check_open(self):
        if self.closed:
            raise errors.InvalidArgumentError("I/O operation on closed file")

    # -- io.RawIOBase --

    def readable(self) -> bool:
        self._check_open()
        return True

    def seekable(self) -> bool:
        self._check_open()
        return True

    def readinto(self, b: Any) -> int:
        self._check_open()
        with memoryview(b) as mv:
            n = self._fill(self._pos, mv.cast("B"))
        self._pos += n
        return n

    def readall(self) -> bytes:
        self._check_open()
        out = bytearray(max(0, self._length - self._pos))
        n = self._fill(self._pos, memoryview(out))
        self._pos += n
        return bytes(out[:n])

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check_open()
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}.get(whence)
        if base is None:
            raise errors.InvalidArgumentError("invalid whence (%r, should be 0, 1 or 2)"
                                              % (whence,))
        target = base + offset
        if target < 0:
            raise OSError(22, "Invalid argument: negative seek position %d" % target)
        if target > self._length:
            # As the v2 reader (Java's DFSInputStream): no seeking past the end.
            raise errors.HdfsIOError("Cannot seek after EOF: %d > %d" % (target, self._length))
        self._pos = target
        return target

    def tell(self) -> int:
        self._check_open()
        return self._pos

    # -- positional reads --

    def preadinto(self, offset: int, buffer: Any) -> int:
        if offset < 0:
            raise errors.InvalidArgumentError("negative offset: %d" % offset)
        self._check_open()
        with memoryview(buffer) as mv:
            return self._fill(offset, mv.cast("B"))

    def pread(self, offset: int, n: int) -> bytes:
        if offset < 0:
            raise errors.InvalidArgumentError("negative offset: %d" % offset)
        if n < 0:
            raise errors.InvalidArgumentError("negative length: %d" % n)
        self._check_open()
        out = bytearray(max(0, min(n, self._length - offset)))
        got = self._fill(offset, memoryview(out))
        return bytes(out[:got])

    # -- the file --

    @property
    def length(self) -> int:
        self._check_open()
        return self._length

    def available(self) -> int:
        self._check_open()
        return max(0, self._length - self._pos)

    @property
    def under_construction(self) -> bool:
        self._check_open()
        return self._uc

    def refresh(self) -> int:
        self._check_open()
        self._locate()
        return self._length

    @property
    def current_datanode(self) -> Optional[str]:
        # Every read has its own connection: none is kept between calls.
        return None

    @property
    def stats(self) -> Dict[str, int]:
        with self._mu:
            return dict(self._stats)

    def __repr__(self):
        return "<hadoofus.easy.HdfsFileReader (v1) name=%r%s>" % (
            self.name, " closed" if self.closed else "")


# ---------------------------------------------------------------------------
# Writing

class FileWriter(io.BufferedIOBase):
    """A v1 file open for writing (easy.open's "wb"/"xb"): bytes stream
    to the current block's DataNode pipeline packet by packet (WRITE_BLOCK
    17, at most one 64512-byte packet held: buffered_peak); a full block
    is finished and the next one begun; close() finishes the last block
    and completes the file.
    A DataNode failing mid-block abandons the block and the write raises
    (no pipeline recovery); the file then stays under construction until
    its lease expires. Calls from several threads take turns."""

    def __init__(self, fs: rpc_v1, path: str, append: bool = False, overwrite: bool = True,
                 replication: Optional[int] = None, blocksize: Optional[int] = None,
                 name: Optional[str] = None, **_ignored: Any) -> None:
        super().__init__()
        if append:
            # 1.x appends only with dfs.support.append, onto a partial last
            # block through a recovery this client does not do.
            raise _unsupported("append is not supported on Hadoop 1.x files")
        if replication is None:
            replication = _conf_int("dfs.replication", _DEFAULT_REPLICATION)
        if blocksize is None:
            blocksize = _conf_int("dfs.block.size", _DEFAULT_BLOCK_SIZE)
        if blocksize < 512 or blocksize % 512:
            raise errors.InvalidArgumentError("blocksize must be a positive multiple of "
                                              "512 (the bytes per checksum): %d" % blocksize)
        self._fs = fs
        self._mu = threading.Lock()
        self._block = None      # (located block, _BlockStream) being written
        self._written = 0
        self._failed = None
        self.buffered_peak = 0  # the most bytes a block stream held at once
        self._done = False
        self.path = path
        self.name = name or path
        self.mode = "wb"
        try:
            st = fs.create(path, overwrite=overwrite, createParent=True,
                           replication=replication, blockSize=blocksize)
        except errors.ProtocolException as e:
            # 1.x refuses an existing file with a bare IOException ("...
            # the filename is invalid or the file exists"): name it as v2 does.
            if overwrite or "file exists" not in str(e) or fs.getFileInfo(path) is None:
                raise
            raise errors.FileAlreadyExistsException(
                "org.apache.hadoop.fs.FileAlreadyExistsException", str(e)) from None
        self.replication = st.replication
        self.blocksize = st.blocksize
        self.client_name = fs.client_name

    def writable(self):
        return True

    def readable(self):
        return False

    def seekable(self):
        return False

    def write(self, b: Any) -> int:
        with memoryview(b) as mv:
            mv = mv.cast("B")
            n = mv.nbytes
            with self._mu:
                if self._done:
                    raise errors.InvalidArgumentError("write to closed file")
                if self._failed is not None:
                    raise errors.InvalidArgumentError(
                        "an earlier write failed: %s" % self._failed)
                off = 0
                while off < n:
                    block = self._block
                    if block is None:
                        block = self._block = self._fs._begin_block(self.path)
                    s = block[1]
                    k = min(n - off, self.blocksize - s.written)
                    self._block_step(mv[off:off + k],
                                     finish=s.written + k == self.blocksize)
                    off += k
                    self._written += k
        return n

    def _block_step(self, data, finish):
        # A failed block is abandoned and its bytes are gone: the writer
        # is dead, later writes raise and close() completes nothing.
        blk, self._block = self._block, None
        try:
            self._fs._feed_block(self.path, blk, data, finish)
        except BaseException as e:
            self._failed = e
            raise
        finally:
            self.buffered_peak = max(self.buffered_peak, blk[1].peak)
        if not finish:
            self._block = blk

    def flush(self):
        # Python calls flush() from close() and TextIOWrapper calls it
        # freely: it cannot raise. Bytes become visible at block ends.
        pass

    def hflush(self):
        raise _unsupported("hflush is not supported by the v1 writer")

    def hsync(self, update_length=False):
        raise _unsupported("hsync is not supported by the v1 writer")

    def tell(self) -> int:
        return self._written

    def close(self):
        with self._mu:
            if self._done:
                return
            self._done = True
            try:
                if self._failed is None:
                    if self._block is not None:
                        self._block_step(None, finish=True)
                    self._fs._complete_file(self.path)
            finally:
                self._block = None
                super().close()

    @property
    def closed(self):
        return self._done

    def __repr__(self):
        return "<hadoofus.easy.HdfsFileWriter (v1) name=%r mode=%r%s>" % (
            self.name, self.mode, " closed" if self._done else "")


# ---------------------------------------------------------------------------
# Checksums

_OP_BLOCK_CHECKSUM = 85
_DATA_TRANSFER_VERSION = 17


def _vint_bytes(b):
    # Token fields are short: a one-byte vint, as WritableUtils writes
    # lengths up to 127.
    if len(b) > 127:
        raise errors.InvalidArgumentError("token field too long for v1: %d bytes" % len(b))
    return bytes([len(b)]) + b


def _recv_exactly(s, n):
    out = bytearray()
    while len(out) < n:
        got = s.recv(n - len(out))
        if not got:
            raise errors._exception(lib.HDFS_ECONNRESET, detail="the DataNode closed the "
                                    "connection in its OP_BLOCK_CHECKSUM answer")
        out += got
    return bytes(out)


def _block_md5(lb, timeout):
    """(bytes per CRC, CRCs per block, MD5 of the block's CRCs) from the
    first replica that answers OP_BLOCK_CHECKSUM (version 17)."""
    b, t = lb.b, lb.blockToken
    signed = lambda v: v - (1 << 64) if v >= 1 << 63 else v   # noqa: E731
    req = (_DATA_TRANSFER_VERSION.to_bytes(2, "big") + bytes([_OP_BLOCK_CHECKSUM])
           + signed(b.blockId).to_bytes(8, "big", signed=True)
           + signed(b.generationStamp).to_bytes(8, "big", signed=True)
           + _vint_bytes(bytes(t.identifier)) + _vint_bytes(bytes(t.password))
           + _vint_bytes(t.kind.encode()) + _vint_bytes(t.service.encode()))
    failures = []
    for dn in lb.locations:
        where = "%s:%d" % (dn.ipAddr, dn.xferPort)
        try:
            with socket.create_connection((dn.ipAddr, dn.xferPort), timeout) as s:
                s.settimeout(timeout)
                s.sendall(req)
                status = int.from_bytes(_recv_exactly(s, 2), "big", signed=True)
                if status != 0:
                    raise errors.HdfsIOError("bad response %d for block %d" % (
                        status, signed(b.blockId)))
                ans = _recv_exactly(s, 28)
                return (int.from_bytes(ans[:4], "big", signed=True),
                        int.from_bytes(ans[4:12], "big", signed=True), ans[12:])
        except (OSError, errors.HadoofusError) as e:
            failures.append("%s: %s" % (where, e))
    raise errors.BlockReadError("no DataNode gave the checksum of block %d: %s" % (
        signed(b.blockId), "; ".join(failures) or "no locations"))


def file_checksum(fs: rpc_v1, path: str, timeout: float = 60.0):
    """(bytes per CRC, CRCs per block, MD5) of the file as 1.x's
    DFSClient.getFileChecksum computes them: the MD5 of the blocks' MD5s,
    CRCs per block named only for files of more than one block."""
    blocks, _length, _uc = _located(fs, path)
    bpc, cpb, md5s = 0, 0, []
    for i, lb in enumerate(blocks):
        b_bpc, b_cpb, md5 = _block_md5(lb, timeout)
        if i == 0:
            bpc = b_bpc
            if len(blocks) > 1:
                cpb = b_cpb
        elif b_bpc != bpc:
            raise errors.HdfsIOError("bytes per checksum differ between blocks: %d, %d"
                                     % (bpc, b_bpc))
        md5s.append(md5)
    return bpc, cpb, hashlib.md5(_java_buffer(b"".join(md5s))).digest()


def _java_buffer(data):
    """data as 1.x digests it: DataOutputBuffer.getData(), the whole
    backing array (32 bytes, doubled as needed by each 16-byte write),
    zeros after the data included."""
    cap = 32
    for end in range(16, len(data) + 1, 16):
        if end > cap:
            cap = max(cap * 2, end)
    return data + bytes(cap - len(data))


# ---------------------------------------------------------------------------
# Blocks

class BlockData:
    """hadoofus.data for a v1 block: read()/readinto() with READ_BLOCK 17
    (replicas tried in order), write() of a whole new block from addBlock
    with WRITE_BLOCK 17."""

    def __init__(self, lb: T.LocatedBlock, client_name: str = "hadoofus", *,
                 timeout: Optional[float] = 60.0, **_ignored: Any) -> None:
        if isinstance(client_name, bytes):
            client_name = client_name.decode("utf-8")
        if not isinstance(client_name, str) or not client_name or "\0" in client_name:
            raise errors.InvalidArgumentError("client_name must be a non-empty string "
                                              "without NUL")
        self.located_block = lb
        self.block = lb.b
        self.client_name = client_name
        self._timeout = 60.0 if timeout is None else float(timeout)

    @property
    def length(self) -> int:
        return self.block.numBytes

    @property
    def locations(self) -> List["T.DatanodeInfo"]:
        return list(self.located_block.locs)

    def read(self, offset: int = 0, length: Optional[int] = None) -> bytes:
        end = self.length
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise errors.ArgumentTypeError("offset must be an int")
        if not 0 <= offset <= end:
            raise errors.InvalidArgumentError("offset %d is outside the block's %d bytes"
                                              % (offset, end))
        n = end - offset if length is None else length
        if n < 0 or offset + n > end:
            raise errors.InvalidArgumentError("range %d+%d is beyond the block's %d bytes"
                                              % (offset, n, end))
        if n == 0:
            return b""
        return read_block(self.located_block, offset, n, self.client_name, self._timeout)

    def readinto(self, buffer: Any, offset: int = 0) -> int:
        with memoryview(buffer) as mv:
            mv = mv.cast("B")
            if mv.readonly:
                raise errors.ArgumentTypeError("readinto needs a writable buffer")
            data = self.read(offset, min(mv.nbytes, max(0, self.length - offset)))
            mv[:len(data)] = data
            return len(data)

    def write(self, buffer: Any, stage: str = "CREATE", generation_stamp: Optional[int] = None,
              **_options: Any) -> int:
        """Write `buffer` as the whole of this new block (from addBlock);
        every DataNode of the pipeline acknowledged it when this returns.
        The block's numBytes is updated in place, as on v2."""
        if stage != "CREATE" or generation_stamp is not None:
            raise _unsupported("only stage CREATE is supported on v1 blocks")
        from ._rpc_v1 import _write_block
        with memoryview(buffer) as mv:
            mv = mv.cast("B")
            _write_block(self.located_block, mv, self.client_name, self._timeout)
            self.block.numBytes = mv.nbytes
            return mv.nbytes

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<hadoofus.data (v1) %s, %d bytes, on [%s]>" % (
            self.block, self.length,
            ", ".join("%s:%d" % (d.ipAddr, d.xferPort) for d in self.locations))
