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

__all__ = [
    "HadoofusError", "ProtocolException", "ConnectionError", "TimeoutError",
    "ConnectionLostError", "ConnectionRejectedError", "AuthenticationError",
    "WireProtocolError", "HandleClosedError", "ChecksumError",
    "exception_class", "remote_exception",
]


class HadoofusError(Exception):
    """Root of every exception hadoofus raises.

    Errors from the C core carry .code (the negative HDFS_E* value)."""

    code = None


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

    _errno = None

    def __init__(self, etype, message=None):
        BaseException.__init__(self, etype, message)
        self.etype = etype
        self.remote_message = message
        self.message = _clean(etype, message)
        if isinstance(self, builtins.OSError):
            self.errno = self._errno
            self.strerror = str(self)

    @property
    def simple_name(self):
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


def exception_class(etype):
    """The ProtocolException subclass for a Java class name (the simple
    name decides); ProtocolException itself when there is none."""
    return _BY_SIMPLE_NAME.get(etype.rsplit(".", 1)[-1].rsplit("$", 1)[-1],
                               ProtocolException)


def remote_exception(etype, message):
    """Build the exception for a Java exception class and message."""
    return exception_class(etype)(etype, message)


# --- C return codes ---------------------------------------------------------

def _code_classes(lib):
    return {
        lib.HDFS_ENOMEM: MemoryError,
        lib.HDFS_EINVAL: ValueError,
        lib.HDFS_EPROTO: WireProtocolError,
        lib.HDFS_ECONNECT: ConnectionError,
        lib.HDFS_ECONNRESET: ConnectionLostError,
        lib.HDFS_ETIMEDOUT: TimeoutError,
        lib.HDFS_EAUTH: AuthenticationError,
        lib.HDFS_ECLOSED: HandleClosedError,
        lib.HDFS_EIO: builtins.OSError,
        lib.HDFS_EFATAL: ConnectionRejectedError,
        lib.HDFS_ETOOBIG: WireProtocolError,
        lib.HDFS_ECHECKSUM: ChecksumError,
        lib.HDFS_ENOTFOUND: LookupError,
    }


_native = None
_CODES = None


def _load():
    global _native, _CODES
    from . import _native as n
    _native = n
    _CODES = _code_classes(n.lib)
    return n


def _str(ffi, p):
    return None if p == ffi.NULL else ffi.string(p).decode("utf-8", "replace")


def _error(rc, handle=None):
    """The exception for a negative C return code; `handle` (an hdfs_nn_call
    or hdfs_namenode cdata) supplies the detail."""
    n = _native or _load()
    ffi, lib = n.ffi, n.lib
    etype = detail = None
    if handle is not None and handle != ffi.NULL:
        t = ffi.typeof(handle)
        if t is ffi.typeof("struct hdfs_nn_call *"):
            etype = _str(ffi, lib.hdfs_nn_call_exception(handle))
            detail = _str(ffi, lib.hdfs_nn_call_message(handle))
        elif t is ffi.typeof("struct hdfs_namenode *"):
            buf = ffi.new("char[]", 1024)
            detail = _str(ffi, lib.hdfs_namenode_error_message(handle, buf, 1024)) or None
    if rc == lib.HDFS_EREMOTE and etype:
        return remote_exception(etype, detail)
    text = _str(ffi, lib.hdfs_strerror(rc))
    if detail and detail != text:
        text = "%s: %s" % (text, detail)
    cls = _CODES.get(rc, HadoofusError)
    if issubclass(cls, HadoofusError):
        e = cls(text)
        e.code = rc
        if isinstance(e, builtins.OSError):
            e.errno = {lib.HDFS_ECONNECT: _E.ECONNREFUSED,
                       lib.HDFS_ECONNRESET: _E.ECONNRESET,
                       lib.HDFS_ETIMEDOUT: _E.ETIMEDOUT,
                       lib.HDFS_EAUTH: _E.EACCES,
                       lib.HDFS_ECHECKSUM: _E.EIO}.get(rc)
            e.strerror = text
        return e
    return cls(text)


def _check(rc, handle=None):
    """Return rc if it is not negative, else raise its exception."""
    if rc >= 0:
        return rc
    raise _error(rc, handle)
