"""hadoofus exceptions, and the one place C return codes become them.

Root: HadoofusError. A Java exception raised by the server is a
ProtocolException (or the subclass named after the Java class, which also
derives from the matching Python builtin), with .etype (the full Java class
name), .message (the server's text without the Java stack trace) and
.remote_message (the text exactly as the server sent it); str(e) is the
first line of .message.
"""

import builtins
import errno as _errno

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


_BY_SIMPLE_NAME = {}


def _define(name, *bases, errno=None, doc=None):
    cls = type(name, bases, {"__doc__": doc, "__module__": __name__})
    if errno is not None:
        cls._errno = errno
    _BY_SIMPLE_NAME[name] = cls
    globals()[name] = cls
    __all__.append(name)
    return cls


P = ProtocolException
_define("FileNotFoundException", P, builtins.FileNotFoundError, errno=_errno.ENOENT,
        doc="java.io.FileNotFoundException: no such file or directory.")
_define("AccessControlException", P, builtins.PermissionError, errno=_errno.EACCES,
        doc="org.apache.hadoop.security.AccessControlException: permission denied.")
_define("AuthorizationException", AccessControlException,
        doc="org.apache.hadoop.security.authorize.AuthorizationException.")
_define("SnapshotAccessControlException", AccessControlException,
        doc="Writing to a read-only snapshot path.")
_define("FileAlreadyExistsException", P, builtins.FileExistsError, errno=_errno.EEXIST,
        doc="org.apache.hadoop.fs.FileAlreadyExistsException.")
_define("ParentNotDirectoryException", P, builtins.NotADirectoryError,
        errno=_errno.ENOTDIR, doc="A path's parent is a file.")
_define("PathIsNotDirectoryException", P, builtins.NotADirectoryError,
        errno=_errno.ENOTDIR, doc="A directory was expected.")
_define("PathIsDirectoryException", P, builtins.IsADirectoryError,
        errno=_errno.EISDIR, doc="A file was expected, got a directory.")
_define("PathIsNotEmptyDirectoryException", P, builtins.OSError,
        errno=_errno.ENOTEMPTY, doc="Non-recursive delete of a non-empty directory.")
_define("DirectoryListingStartAfterNotFoundException", FileNotFoundException,
        doc="getListing's startAfter name vanished.")
_define("UnresolvedLinkException", P, doc="The path goes through a symlink.")
_define("UnresolvedPathException", UnresolvedLinkException)
_define("SafeModeException", P, doc="The NameNode is in safe mode.")
_define("RetriableException", P, doc="Try the call again later.")
_define("StandbyException", P, doc="The NameNode is a standby.")
_define("AlreadyBeingCreatedException", P, doc="Another client holds the file's lease.")
_define("LeaseExpiredException", P, doc="No (or someone else's) lease on the file.")
_define("QuotaExceededException", P, builtins.OSError, errno=_errno.EDQUOT,
        doc="A namespace or space quota would be exceeded.")
_define("NSQuotaExceededException", QuotaExceededException)
_define("DSQuotaExceededException", QuotaExceededException)
_define("QuotaByStorageTypeExceededException", QuotaExceededException)
_define("NotReplicatedYetException", P, doc="The previous block is not replicated yet.")
_define("RecoveryInProgressException", P, doc="Lease recovery is under way.")
_define("SnapshotException", P, doc="A snapshot operation failed.")
_define("HadoopIllegalArgumentException", P, builtins.ValueError,
        doc="org.apache.hadoop.HadoopIllegalArgumentException.")
_define("IllegalArgumentException", HadoopIllegalArgumentException,
        doc="java.lang.IllegalArgumentException.")
_define("InvalidPathException", HadoopIllegalArgumentException,
        doc="org.apache.hadoop.fs.InvalidPathException.")
_define("UnsupportedOperationException", P,
        doc="java.lang.UnsupportedOperationException.")
_define("RpcNoSuchMethodException", UnsupportedOperationException,
        doc="The server does not implement the method (older Hadoop).")
_define("AclException", P, doc="An ACL operation was refused (ACLs disabled?).")
_define("InvalidRequestException", P, builtins.ValueError,
        doc="org.apache.hadoop.fs.InvalidRequestException.")
_define("UnknownCryptoProtocolVersionException", P)
_define("NotEnoughReplicasException", P)
del P


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
            e.errno = {lib.HDFS_ECONNECT: _errno.ECONNREFUSED,
                       lib.HDFS_ECONNRESET: _errno.ECONNRESET,
                       lib.HDFS_ETIMEDOUT: _errno.ETIMEDOUT,
                       lib.HDFS_EAUTH: _errno.EACCES,
                       lib.HDFS_ECHECKSUM: _errno.EIO}.get(rc)
            e.strerror = text
        return e
    return cls(text)


def _check(rc, handle=None):
    """Return rc if it is not negative, else raise its exception."""
    if rc >= 0:
        return rc
    raise _error(rc, handle)
