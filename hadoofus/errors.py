"""hadoofus exceptions, and the one place C return codes become them.

Root: HadoofusError. A Java exception raised by the server is a
ProtocolException (or the subclass named after the Java class, which also
derives from the matching Python builtin), with .etype (the full Java class
name), .message (the server's text without the Java stack trace) and
.remote_message (the text exactly as the server sent it); str(e) is the
first line of .message.
"""

import builtins
import errno as _E
import re
from typing import Any, Iterable, Optional, Tuple, Type

__all__ = [
    "HadoofusError", "ProtocolException", "ConnectionError", "TimeoutError",
    "ConnectionLostError", "ConnectionRejectedError", "AuthenticationError",
    "WireProtocolError", "HandleClosedError", "ChecksumError", "HdfsIOError",
    "InvalidArgumentError", "ArgumentTypeError", "ConfigurationError", "OutOfMemoryError",
    "NotFoundError", "BlockReadError", "BlockWriteError",
    "exception_class", "remote_exception",
]


class HadoofusError(Exception):
    """Root of every exception hadoofus raises.

    Errors from the C core carry .code (the negative HDFS_E* value)."""

    code: Optional[int] = None


# --- transport and local failures (from C return codes) ---------------------

class ConnectionError(HadoofusError, builtins.ConnectionError):
    """Could not reach the server, or the connection broke."""


class ConnectionLostError(ConnectionError, builtins.ConnectionResetError):
    """The connection broke while a call that cannot be retried was in flight."""


class ConnectionRejectedError(ConnectionError):
    """The server refused the connection (a FATAL status: bad version, ...)."""


class TimeoutError(HadoofusError, builtins.TimeoutError):
    """No answer within the configured time."""


class AuthenticationError(HadoofusError, builtins.PermissionError):
    """Authentication failed or the server wants an unsupported method."""


class WireProtocolError(HadoofusError):
    """The server sent bytes that break the protocol (or an oversized frame)."""


class HandleClosedError(HadoofusError, ValueError):
    """The client was closed."""


class ChecksumError(HadoofusError, builtins.OSError):
    """Data failed checksum verification."""


class HdfsIOError(HadoofusError, builtins.OSError):
    """An HDFS operation failed on its way (HDFS_EIO, Java's IOException):
    no DataNode could serve a block, a block could not be allocated, a file
    could not be closed..."""


class OutOfMemoryError(HadoofusError, builtins.MemoryError):
    """The C core could not allocate memory."""


class NotFoundError(HadoofusError, builtins.LookupError):
    """Something the C core looked up is not there (a configuration key,
    a nameservice)."""


# --- arguments --------------------------------------------------------------
# hadoofus checks arguments before anything is sent and raises these, as the
# C core's HDFS_EINVAL does; they are ValueError/TypeError too.

class InvalidArgumentError(HadoofusError, builtins.ValueError):
    """An argument was refused (a bad value, a bad range, a bad mode)."""


class ArgumentTypeError(HadoofusError, builtins.TypeError):
    """An argument of the wrong type."""


class ConfigurationError(HadoofusError, builtins.ValueError):
    """The Hadoop configuration cannot be loaded, or does not name what is
    asked for (no fs.defaultFS, an unknown nameservice...)."""


# --- DataNodes --------------------------------------------------------------

class BlockReadError(HadoofusError, builtins.OSError):
    """Every replica of a block failed to deliver the requested bytes.

    .failures lists (address "ip:port", exception) per DataNode tried."""

    def __init__(self, message: str, failures: Iterable[Tuple[str, BaseException]] = ()) -> None:
        super().__init__(message)
        self.failures = list(failures)


class BlockWriteError(HadoofusError, builtins.OSError):
    """A block's write pipeline failed.

    .code        the C error code (HDFS_E*)
    .bad_node    index in the pipeline of the DataNode blamed (None: none)
    .datanode    its DatanodeInfo (None when unknown)
    .status      the DataTransfer status it reported ("ERROR",
                 "ERROR_CHECKSUM", "OOB_RESTART"...; None when the failure
                 was the connection: reset, closed, timed out)
    .acked       bytes of the block every node has acknowledged (the
                 replicas' agreed length: what a recovery starts from)
    .recovery_stage  the stage to rebuild the pipeline at ("STREAMING_RECOVERY",
                 ...), or None when the block cannot be recovered (a new
                 block whose pipeline never came up: abandon it)
    """

    def __init__(self, message: str, code: Optional[int] = None, bad_node: Optional[int] = None,
                 datanode: Any = None, status: Optional[str] = None, acked: int = 0,
                 recovery_stage: Optional[str] = None) -> None:
        super().__init__(message)
        self.code = code
        self.bad_node = bad_node
        self.datanode = datanode
        self.status = status
        self.acked = acked
        self.recovery_stage = recovery_stage
        self.strerror = message
        if code is not None:
            self.errno = _errno(code)

    def __str__(self):
        return self.strerror


# --- remote Java exceptions -------------------------------------------------

def _clean(etype, text):
    """The server's message without the class-name prefix and stack trace."""
    if text is None:
        return ""
    for prefix in (etype + ": ", etype.rsplit(".", 1)[-1] + ": "):
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    lines = []
    for line in text.splitlines():
        s = line.lstrip()
        if line[:1] in (" ", "\t") and (s.startswith("at ") or s.startswith("...")):
            break
        if s.startswith("Caused by: "):
            break
        lines.append(line)
    return "\n".join(lines).strip()


class ProtocolException(HadoofusError):
    """The server answered a call with a Java exception.

    Also the class used for Java exceptions without a dedicated subclass
    (like Java's RemoteException): look at .etype."""

    _errno: Optional[int] = None
    errno: Optional[int]
    strerror: Optional[str]

    def __init__(self, etype: str, message: Optional[str] = None) -> None:
        BaseException.__init__(self, etype, message)
        self.etype = etype
        self.remote_message = message
        self.message = _clean(etype, message)
        if isinstance(self, builtins.OSError):
            self.errno = self._errno
            self.strerror = str(self)

    @property
    def simple_name(self) -> str:
        """The Java class name without its package."""
        return self.etype.rsplit(".", 1)[-1]

    def __str__(self):
        first = self.message.split("\n", 1)[0].strip()
        return first or self.simple_name

    def __repr__(self):
        return "%s(%r, %r)" % (type(self).__name__, self.etype, str(self))


# Named after the Java classes; the simple name (no package) picks the class.
# Where Java has a hierarchy worth catching, it is kept.

class FileNotFoundException(ProtocolException, builtins.FileNotFoundError):
    """java.io.FileNotFoundException: no such file or directory."""
    _errno = _E.ENOENT


class DirectoryListingStartAfterNotFoundException(FileNotFoundException):
    """getListing's startAfter name vanished."""


class AccessControlException(ProtocolException, builtins.PermissionError):
    """org.apache.hadoop.security.AccessControlException: permission denied."""
    _errno = _E.EACCES


class InvalidToken(ProtocolException, builtins.PermissionError):
    """SecretManager.InvalidToken: a delegation token that is unknown,
    cancelled or expired (renew, cancel, or authenticating with it)."""


class AuthorizationException(AccessControlException):
    """org.apache.hadoop.security.authorize.AuthorizationException."""


class SnapshotAccessControlException(AccessControlException):
    """A write to a read-only snapshot path."""


class FileAlreadyExistsException(ProtocolException, builtins.FileExistsError):
    """org.apache.hadoop.fs.FileAlreadyExistsException."""
    _errno = _E.EEXIST


class ParentNotDirectoryException(ProtocolException, builtins.NotADirectoryError):
    """A path's parent is a file."""
    _errno = _E.ENOTDIR


class PathIsNotDirectoryException(ProtocolException, builtins.NotADirectoryError):
    """A directory was expected."""
    _errno = _E.ENOTDIR


class PathIsDirectoryException(ProtocolException, builtins.IsADirectoryError):
    """A file was expected, got a directory."""
    _errno = _E.EISDIR


class PathIsNotEmptyDirectoryException(ProtocolException, builtins.OSError):
    """A non-recursive delete of a non-empty directory."""
    _errno = _E.ENOTEMPTY


class UnresolvedLinkException(ProtocolException):
    """The path goes through a symlink."""


class UnresolvedPathException(UnresolvedLinkException):
    pass


class SafeModeException(ProtocolException):
    """The NameNode is in safe mode."""


class RetriableException(ProtocolException):
    """Try the call again later."""


class StandbyException(ProtocolException):
    """The NameNode is a standby."""


class AlreadyBeingCreatedException(ProtocolException):
    """Another client holds the file's lease."""


class LeaseExpiredException(ProtocolException):
    """No lease (or someone else's) on the file."""


class QuotaExceededException(ProtocolException, builtins.OSError):
    """A namespace or space quota would be exceeded."""
    _errno = _E.EDQUOT


class NSQuotaExceededException(QuotaExceededException):
    pass


class DSQuotaExceededException(QuotaExceededException):
    pass


class QuotaByStorageTypeExceededException(QuotaExceededException):
    pass


class NotReplicatedYetException(ProtocolException):
    """The previous block is not replicated yet."""


class RecoveryInProgressException(ProtocolException):
    """Lease recovery is under way."""


class SnapshotException(ProtocolException):
    """A snapshot operation failed."""


class HadoopIllegalArgumentException(ProtocolException, builtins.ValueError):
    """org.apache.hadoop.HadoopIllegalArgumentException."""


class IllegalArgumentException(HadoopIllegalArgumentException):
    """java.lang.IllegalArgumentException."""


class InvalidPathException(HadoopIllegalArgumentException):
    """org.apache.hadoop.fs.InvalidPathException."""


class InvalidRequestException(ProtocolException, builtins.ValueError):
    """org.apache.hadoop.fs.InvalidRequestException."""


class UnsupportedOperationException(ProtocolException):
    """java.lang.UnsupportedOperationException."""


class RpcNoSuchMethodException(UnsupportedOperationException):
    """The server does not implement the method (an older Hadoop)."""


class AclException(ProtocolException):
    """An ACL operation was refused (ACLs disabled?)."""


class UnknownCryptoProtocolVersionException(ProtocolException):
    pass


class NotEnoughReplicasException(ProtocolException):
    pass


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


_BY_SIMPLE_NAME = {c.__name__: c for c in _subclasses(ProtocolException)}
__all__ += sorted(_BY_SIMPLE_NAME)


def exception_class(etype: str) -> Type["ProtocolException"]:
    """The ProtocolException subclass for a Java class name (the simple
    name decides); ProtocolException itself when there is none."""
    return _BY_SIMPLE_NAME.get(etype.rsplit(".", 1)[-1].rsplit("$", 1)[-1],
                               ProtocolException)


def remote_exception(etype: str, message: Optional[str]) -> "ProtocolException":
    """Build the exception for a Java exception class and message."""
    return exception_class(etype)(etype, message)


# --- C return codes ---------------------------------------------------------
# The one place a negative HDFS_E* code becomes an exception, whichever C
# object failed: its error detail (message, remote Java class) is read by
# the function _DETAILS holds for its type.

def _code_classes(lib):
    return {
        lib.HDFS_ENOMEM: OutOfMemoryError,
        lib.HDFS_EINVAL: InvalidArgumentError,
        lib.HDFS_EPROTO: WireProtocolError,
        lib.HDFS_ECONNECT: ConnectionError,
        lib.HDFS_ECONNRESET: ConnectionLostError,
        lib.HDFS_ETIMEDOUT: TimeoutError,
        lib.HDFS_EAUTH: AuthenticationError,
        lib.HDFS_ECLOSED: HandleClosedError,
        lib.HDFS_EIO: HdfsIOError,
        lib.HDFS_EFATAL: ConnectionRejectedError,
        lib.HDFS_ETOOBIG: WireProtocolError,
        lib.HDFS_ECHECKSUM: ChecksumError,
        lib.HDFS_ENOTFOUND: NotFoundError,
    }


def _code_errnos(lib):
    return {
        lib.HDFS_ECONNECT: _E.ECONNREFUSED,
        lib.HDFS_ECONNRESET: _E.ECONNRESET,
        lib.HDFS_ETIMEDOUT: _E.ETIMEDOUT,
        lib.HDFS_EAUTH: _E.EACCES,
        lib.HDFS_ECHECKSUM: _E.EIO,
        lib.HDFS_EIO: _E.EIO,
    }


# "opReadBlock BP-..:blk_.. received exception java.io.IOException: msg"
_DN_EXCEPTION = re.compile(r"received exception ([\w.$]+)(?:: )?(.*)", re.S)

_native = None
_CODES = None
_ERRNOS = None
_DETAILS = None


def _load():
    global _native, _CODES, _ERRNOS, _DETAILS
    from . import _native as n
    ffi, lib = n.ffi, n.lib
    _CODES = _code_classes(lib)
    _ERRNOS = _code_errnos(lib)

    def copied(fn, size=2048):
        # Some objects copy their detail out into the caller's buffer.
        def get(h):
            buf = ffi.new("char[]", size)
            return _str(ffi, fn(h, buf, size)) or None
        return get

    def const(fn):
        return lambda h: _str(ffi, fn(h)) or None

    # C object type -> (its detail: h -> (Java exception class or None,
    # text or None), its kind: what _error does besides).
    by_name = {
        "struct hdfs_nn_call *": (lambda h: (
            _str(ffi, lib.hdfs_nn_call_exception(h)),
            _str(ffi, lib.hdfs_nn_call_message(h))), None),
        "struct hdfs_namenode *": (lambda h: (
            None, copied(lib.hdfs_namenode_error_message, 1024)(h)), None),
        "struct hdfs_block_reader *": (lambda h: (
            None, const(lib.hdfs_block_reader_error_message)(h)), "block_reader"),
        "struct hdfs_block_writer *": (lambda h: (
            None, const(lib.hdfs_block_writer_error_message)(h)), None),
        "struct hdfs_conf *": (lambda h: (
            None, const(lib.hdfs_conf_error_message)(h)), None),
        "struct hdfs_credentials *": (lambda h: (
            None, const(lib.hdfs_credentials_error_message)(h)), None),
        "struct hdfs_file_reader *": (lambda h: (
            copied(lib.hdfs_file_reader_error_exception, 256)(h),
            copied(lib.hdfs_file_reader_error_message)(h)), "file"),
        "struct hdfs_file_writer *": (lambda h: (
            copied(lib.hdfs_file_writer_error_exception, 256)(h),
            copied(lib.hdfs_file_writer_error_message)(h)), "file"),
    }
    _DETAILS = {ffi.typeof(t): v for t, v in by_name.items()}
    _native = n
    return n


def _str(ffi, p):
    return None if p == ffi.NULL else ffi.string(p).decode("utf-8", "replace")


def _errno(rc):
    """The errno an OSError for a C return code carries (None: none fits)."""
    if _ERRNOS is None:
        _load()
    return _ERRNOS.get(rc)


def _strerror(rc):
    n = _native or _load()
    return _str(n.ffi, n.lib.hdfs_strerror(rc))


def _error(rc, handle=None):
    """The exception for a negative C return code; `handle`, the C object
    whose call failed (a NameNode, one of its calls, a block reader or
    writer, a file reader or writer, a configuration), supplies the detail."""
    ffi = (_native or _load()).ffi
    if handle is None or handle == ffi.NULL:
        return _exception(rc)
    details, kind = _DETAILS[ffi.typeof(handle)]
    etype, detail = details(handle)
    if kind == "block_reader":
        return _block_reader_error(rc, handle, detail)
    return _exception(rc, etype, detail, file_layer=(kind == "file"))


def _owned(rc, handle, free):
    """handle, a C object a constructor stored, now owned by the garbage
    collector (freed with `free`), when rc is 0. Else the exception for rc
    with the handle's detail is raised, the handle freed first: a failed
    constructor may still store an object to say why."""
    ffi = (_native or _load()).ffi
    if handle != ffi.NULL:
        handle = ffi.gc(handle, free)
    if rc:
        e = _error(rc, handle)
        if handle != ffi.NULL:
            ffi.release(handle)
        raise e
    return handle


def _block_reader_error(rc, br, detail):
    # A DataNode's refusal comes as text: its Java class is inside.
    n = _native
    if rc == n.lib.HDFS_EREMOTE and detail:
        m = _DN_EXCEPTION.search(detail)
        if m:
            e = remote_exception(m.group(1), m.group(2))
            e.datanode_message = detail
            return e
    e = _exception(rc, None, detail)
    if rc == n.lib.HDFS_ECHECKSUM:
        e.offset = n.lib.hdfs_block_reader_error_offset(br)
    return e


def _text(rc, detail):
    """The C code's text, then the detail."""
    text = _strerror(rc)
    if detail and detail != text:
        text = "%s: %s" % (text, detail)
    return text


def _exception(rc, etype=None, detail=None, *, file_layer=False):
    """The exception for a negative C return code and its detail: the Java
    exception class the server named (for HDFS_EREMOTE) and the message.
    file_layer: the call was on a file (a reader, writer or checksum)."""
    n = _native or _load()
    if rc == n.lib.HDFS_EREMOTE and etype:
        if file_layer and etype.endswith(".FileNotFoundException") \
                and "not a file" in (detail or ""):
            # The NameNode's answer for a directory (INodeFile.valueOf):
            # Python's open() raises IsADirectoryError there.
            return PathIsDirectoryException(etype, detail)
        if etype.endswith(".IllegalStateException") and "not a directory" in (detail or ""):
            # Hadoop 2.7's NameNode answers a create (createParent) below a
            # file so ("Current inode is not a directory"); later ones send
            # ParentNotDirectoryException.
            return ParentNotDirectoryException(etype, detail)
        return remote_exception(etype, detail)
    text = _text(rc, detail)
    e = _CODES.get(rc, HadoofusError)(text)
    e.code = rc
    if isinstance(e, builtins.OSError):
        e.errno = _ERRNOS.get(rc)
        e.strerror = text
    return e


def _config_error(rc, text, conf=None):
    """ConfigurationError for a failed hdfs_conf call: `text` says what was
    being done; the configuration handle, if given, says why."""
    n = _native or _load()
    detail = _str(n.ffi, n.lib.hdfs_conf_error_message(conf)) if conf is not None else None
    e = ConfigurationError("%s: %s" % (text, detail) if detail else text)
    e.code = rc
    return e


def _check(rc, handle=None):
    """Return rc if it is not negative, else raise its exception."""
    if rc >= 0:
        return rc
    raise _error(rc, handle)
