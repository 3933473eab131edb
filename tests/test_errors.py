"""hadoofus exceptions: Java classes to Python classes, C codes to
exceptions, messages; transport failures against misbehaving servers and
remote errors from a real NameNode."""

import builtins
import errno
import pickle
import socket
import threading
import time

import pytest

import hadoofus
from hadoofus import errors
from hadoofus._native import lib
from conftest import HADOOP3

TRACE = ("File does not exist: /x\n"
         "\tat org.apache.hadoop.hdfs.server.namenode.INodeFile.valueOf(INodeFile.java:71)\n"
         "\tat org.apache.hadoop.ipc.Server$Handler.run(Server.java:2043)\n")

JAVA_CLASSES = [
    # (Java class, Python class, builtin base or None, errno)
    ("java.io.FileNotFoundException", "FileNotFoundException", FileNotFoundError, errno.ENOENT),
    ("org.apache.hadoop.security.AccessControlException", "AccessControlException",
     PermissionError, errno.EACCES),
    ("org.apache.hadoop.hdfs.protocol.SnapshotAccessControlException",
     "SnapshotAccessControlException", PermissionError, errno.EACCES),
    ("org.apache.hadoop.fs.FileAlreadyExistsException", "FileAlreadyExistsException",
     FileExistsError, errno.EEXIST),
    ("org.apache.hadoop.fs.ParentNotDirectoryException", "ParentNotDirectoryException",
     NotADirectoryError, errno.ENOTDIR),
    ("org.apache.hadoop.fs.PathIsNotDirectoryException", "PathIsNotDirectoryException",
     NotADirectoryError, errno.ENOTDIR),
    ("org.apache.hadoop.fs.PathIsNotEmptyDirectoryException",
     "PathIsNotEmptyDirectoryException", OSError, errno.ENOTEMPTY),
    ("org.apache.hadoop.hdfs.protocol.NSQuotaExceededException", "NSQuotaExceededException",
     OSError, errno.EDQUOT),
    ("org.apache.hadoop.hdfs.protocol.DSQuotaExceededException", "DSQuotaExceededException",
     OSError, errno.EDQUOT),
    ("org.apache.hadoop.hdfs.protocol.QuotaExceededException", "QuotaExceededException",
     OSError, errno.EDQUOT),
    ("org.apache.hadoop.HadoopIllegalArgumentException", "HadoopIllegalArgumentException",
     ValueError, None),
    ("java.lang.IllegalArgumentException", "IllegalArgumentException", ValueError, None),
    ("org.apache.hadoop.fs.InvalidPathException", "InvalidPathException", ValueError, None),
    ("org.apache.hadoop.fs.UnresolvedLinkException", "UnresolvedLinkException", None, None),
    ("org.apache.hadoop.hdfs.server.namenode.SafeModeException", "SafeModeException", None, None),
    ("org.apache.hadoop.hdfs.protocol.AlreadyBeingCreatedException",
     "AlreadyBeingCreatedException", None, None),
    ("org.apache.hadoop.hdfs.server.namenode.LeaseExpiredException", "LeaseExpiredException",
     None, None),
    ("org.apache.hadoop.hdfs.server.namenode.NotReplicatedYetException",
     "NotReplicatedYetException", None, None),
    ("org.apache.hadoop.hdfs.protocol.RecoveryInProgressException",
     "RecoveryInProgressException", None, None),
    ("org.apache.hadoop.hdfs.protocol.SnapshotException", "SnapshotException", None, None),
    ("java.lang.UnsupportedOperationException", "UnsupportedOperationException", None, None),
    ("org.apache.hadoop.ipc.RetriableException", "RetriableException", None, None),
    ("org.apache.hadoop.ipc.StandbyException", "StandbyException", None, None),
    ("org.apache.hadoop.ipc.RpcNoSuchMethodException", "RpcNoSuchMethodException", None, None),
]


@pytest.mark.parametrize("etype,name,builtin,eno", JAVA_CLASSES,
                         ids=[c[1] for c in JAVA_CLASSES])
def test_java_class_maps_to_python_class(etype, name, builtin, eno):
    cls = getattr(hadoofus, name)
    assert errors.exception_class(etype) is cls
    e = errors.remote_exception(etype, "%s: something broke\n\tat a.b.C(C.java:1)" % etype)
    assert type(e) is cls
    assert isinstance(e, hadoofus.ProtocolException) and isinstance(e, hadoofus.HadoofusError)
    if builtin is not None:
        assert isinstance(e, builtin)
    if eno is not None:
        assert e.errno == eno
    assert e.etype == etype and e.simple_name == name
    assert str(e) == "something broke" and e.message == "something broke"
    with pytest.raises(cls):
        raise e


def test_quota_and_link_hierarchy():
    assert issubclass(hadoofus.NSQuotaExceededException, hadoofus.QuotaExceededException)
    assert issubclass(hadoofus.DSQuotaExceededException, hadoofus.QuotaExceededException)
    assert issubclass(hadoofus.UnresolvedPathException, hadoofus.UnresolvedLinkException)
    assert issubclass(hadoofus.InvalidPathException, hadoofus.HadoopIllegalArgumentException)
    assert issubclass(hadoofus.DirectoryListingStartAfterNotFoundException,
                      FileNotFoundError)


def test_unknown_java_class_is_a_plain_protocol_exception():
    e = errors.remote_exception("com.example.WeirdException", "odd\nsecond line")
    assert type(e) is hadoofus.ProtocolException
    assert e.etype == "com.example.WeirdException" and e.simple_name == "WeirdException"
    assert str(e) == "odd" and e.message == "odd\nsecond line"
    e = errors.remote_exception("java.io.IOException", None)
    assert type(e) is hadoofus.ProtocolException and str(e) == "IOException"
    # Inner classes: Outer$Inner maps by the inner name.
    assert errors.exception_class("a.b.Outer$SafeModeException") is hadoofus.SafeModeException


def test_messages_are_cleaned_and_the_raw_text_kept():
    e = errors.remote_exception("java.io.FileNotFoundException", TRACE)
    assert str(e) == e.message == "File does not exist: /x"
    assert e.remote_message == TRACE
    assert "FileNotFoundException" in repr(e) and "File does not exist" in repr(e)
    # Class-name prefix (full or simple) and multi-line messages.
    sm = ("org.apache.hadoop.hdfs.server.namenode.SafeModeException: Cannot create "
          "file/x. Name node is in safe mode.\nThe reported blocks 0 needs additional 1 "
          "blocks.\n\tat org.apache.X.y(X.java:1)\nCaused by: z")
    e = errors.remote_exception("org.apache.hadoop.hdfs.server.namenode.SafeModeException", sm)
    assert str(e) == "Cannot create file/x. Name node is in safe mode."
    assert e.message.endswith("needs additional 1 blocks.")
    assert "\tat" not in e.message and "Caused by" not in e.message


def test_remote_exceptions_pickle():
    e = errors.remote_exception("java.io.FileNotFoundException", TRACE)
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is type(e) and e2.etype == e.etype and str(e2) == str(e)
    assert e2.errno == errno.ENOENT and e2.remote_message == TRACE


def test_c_codes_map_to_exceptions():
    assert errors._check(0) == 0 and errors._check(7) == 7
    table = [
        (lib.HDFS_ECONNECT, hadoofus.ConnectionError, builtins.ConnectionError),
        (lib.HDFS_ECONNRESET, hadoofus.ConnectionLostError, builtins.ConnectionResetError),
        (lib.HDFS_ETIMEDOUT, hadoofus.TimeoutError, builtins.TimeoutError),
        (lib.HDFS_EFATAL, hadoofus.ConnectionRejectedError, builtins.ConnectionError),
        (lib.HDFS_EAUTH, hadoofus.AuthenticationError, PermissionError),
        (lib.HDFS_ECLOSED, hadoofus.HandleClosedError, ValueError),
        (lib.HDFS_EPROTO, hadoofus.WireProtocolError, hadoofus.HadoofusError),
        (lib.HDFS_ETOOBIG, hadoofus.WireProtocolError, hadoofus.HadoofusError),
        (lib.HDFS_ECHECKSUM, hadoofus.ChecksumError, OSError),
        (lib.HDFS_EREMOTE, hadoofus.HadoofusError, Exception),
        (lib.HDFS_ENOMEM, hadoofus.OutOfMemoryError, MemoryError),
        (lib.HDFS_EINVAL, hadoofus.InvalidArgumentError, ValueError),
        (lib.HDFS_EIO, hadoofus.HdfsIOError, OSError),
        (lib.HDFS_ENOTFOUND, hadoofus.NotFoundError, LookupError),
    ]
    for code, cls, base in table:
        with pytest.raises(cls) as ei:
            errors._check(code)
        assert isinstance(ei.value, base) and isinstance(ei.value, hadoofus.HadoofusError)
        assert ei.value.code == code
        assert str(ei.value)
    assert errors._error(lib.HDFS_EIO).errno == errno.EIO
    assert issubclass(hadoofus.TimeoutError, hadoofus.HadoofusError)
    assert not issubclass(hadoofus.ConnectionError, hadoofus.ProtocolException)


def test_every_core_code_raises_a_hadoofus_error():
    codes = [getattr(lib, n) for n in dir(lib) if n.startswith("HDFS_E")]
    codes = [c for c in codes if c < 0]
    assert len(codes) >= 15
    for code in codes:
        e = errors._error(code)
        assert isinstance(e, hadoofus.HadoofusError) and e.code == code, code
        assert pickle.loads(pickle.dumps(e)).args == e.args


def test_block_errors_live_in_errors():
    assert hadoofus.BlockReadError is errors.BlockReadError
    assert hadoofus.BlockWriteError is errors.BlockWriteError
    e = errors.BlockReadError("no replica", [("127.0.0.1:1", OSError("x"))])
    assert isinstance(e, hadoofus.HadoofusError) and isinstance(e, OSError)
    assert e.failures[0][0] == "127.0.0.1:1"
    e = errors.BlockWriteError("pipeline broke", code=lib.HDFS_ECONNRESET, bad_node=1)
    assert isinstance(e, hadoofus.HadoofusError) and isinstance(e, OSError)
    assert e.errno == errno.ECONNRESET and e.code == lib.HDFS_ECONNRESET
    assert str(e) == "pipeline broke" and e.bad_node == 1
    assert errors.BlockWriteError("x", code=lib.HDFS_ETIMEDOUT).errno == errno.ETIMEDOUT


def test_argument_errors_are_hadoofus_errors():
    """Arguments are checked before anything is sent (nothing listens on
    the port): bad values raise InvalidArgumentError, a ValueError; bad
    types ArgumentTypeError, a TypeError."""
    c = hadoofus.rpc("127.0.0.1", _free_port())
    cases = [
        (lambda: c.mkdirs("relative/path"), hadoofus.InvalidArgumentError, ValueError),
        (lambda: c.setPermission("/x", 0o17777), hadoofus.InvalidArgumentError, ValueError),
        (lambda: c.mkdirs(5), hadoofus.ArgumentTypeError, TypeError),
        (lambda: c.call("noSuchMethod"), hadoofus.InvalidArgumentError, ValueError),
        (lambda: hadoofus.rpc(5), hadoofus.ArgumentTypeError, TypeError),
        (lambda: hadoofus.data("not a block"), hadoofus.ArgumentTypeError, TypeError),
        (lambda: hadoofus.easy.open("hdfs://127.0.0.1:1/x", "w+b"),
         hadoofus.InvalidArgumentError, ValueError),
        (lambda: hadoofus.easy.open(5), hadoofus.ArgumentTypeError, TypeError),
        (lambda: hadoofus.types.AclEntry.parse("nobody:x:rwx"),
         hadoofus.InvalidArgumentError, ValueError),
    ]
    for fn, cls, builtin in cases:
        with pytest.raises(cls) as ei:
            fn()
        assert isinstance(ei.value, builtin) and isinstance(ei.value, hadoofus.HadoofusError)
    assert c.num_calls == 0
    c.close()


def _conf_dir(tmp_path, monkeypatch, core_site):
    (tmp_path / "core-site.xml").write_text(core_site)
    monkeypatch.setenv("HADOOP_CONF_DIR", str(tmp_path))
    monkeypatch.delenv("HADOOP_HOME", raising=False)
    monkeypatch.delenv("CLASSPATH", raising=False)


def test_configuration_errors(tmp_path, monkeypatch):
    from hadoofus import conf
    _conf_dir(tmp_path, monkeypatch, "<configuration><property><name>fs.defaultFS")
    with pytest.raises(hadoofus.ConfigurationError) as ei:
        conf.load()
    e = ei.value
    assert isinstance(e, ValueError) and isinstance(e, hadoofus.HadoofusError)
    assert e.code < 0 and "core-site.xml" in str(e) and str(tmp_path) in str(e)
    with pytest.raises(hadoofus.ConfigurationError):
        hadoofus.easy.open("/some/file")
    # A configuration without fs.defaultFS: plain paths name no NameNode.
    _conf_dir(tmp_path, monkeypatch, "<configuration></configuration>")
    with pytest.raises(hadoofus.ConfigurationError, match="no NameNode to use") as ei:
        hadoofus.easy.resolve("/some/file")
    assert ei.value.code == lib.HDFS_ENOTFOUND
    # hdfs:// URLs need no configuration.
    assert hadoofus.easy.resolve("hdfs://nn.example:9000/a//b/", user="u") == (
        "nn.example", 9000, "u", "/a/b")


class _Server:
    """A TCP server that misbehaves in one way: closes at once, answers
    garbage, or never answers."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            if self.mode == "close":
                c.close()
            elif self.mode == "garbage":
                try:
                    c.recv(100)
                    c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"\xff" * 64)
                except OSError:
                    pass

    def close(self):
        self.sock.close()
        for c in self.conns:
            c.close()


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_connection_refused():
    port = _free_port()
    c = hadoofus.rpc("127.0.0.1", port)
    for _ in range(2):                  # no reconnect loop before a first connect
        with pytest.raises(hadoofus.ConnectionError) as ei:
            c.getFileInfo("/")
        e = ei.value
        assert isinstance(e, builtins.ConnectionError) and not isinstance(e, hadoofus.TimeoutError)
        assert e.errno == errno.ECONNREFUSED and e.code == lib.HDFS_ECONNECT
        assert "127.0.0.1:%d" % port in str(e)
    with pytest.raises(hadoofus.ConnectionError):
        c.connect()
    # Futures carry the error instead of raising at submit.
    f = c.submit("getFileInfo", "/")
    assert isinstance(f.exception(), hadoofus.ConnectionError)
    c.close()


@pytest.mark.parametrize("mode,cls", [("close", hadoofus.ConnectionError),
                                      ("garbage", hadoofus.WireProtocolError),
                                      ("silent", hadoofus.TimeoutError)])
def test_misbehaving_servers(mode, cls):
    srv = _Server(mode)
    try:
        c = hadoofus.rpc("127.0.0.1", srv.port, connect_timeout=0.5)
        t = time.monotonic()
        with pytest.raises(cls) as ei:
            c.getFileInfo("/")
        assert time.monotonic() - t < 5
        assert "127.0.0.1:%d" % srv.port in str(ei.value)
        if mode == "silent":
            assert isinstance(ei.value, builtins.TimeoutError)
            assert ei.value.errno == errno.ETIMEDOUT
        c.close()
    finally:
        srv.close()


# --- remote errors from the real NameNode -------------------------------------

@pytest.fixture(scope="module")
def client(cluster):
    with hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser) as c:
        yield c


def test_remote_errors_from_the_namenode(client, tmp_hdfs_dir):
    d = tmp_hdfs_dir
    client.mkdirs(d + "/dir/sub")
    with pytest.raises(hadoofus.FileNotFoundException) as ei:
        client.setPermission(d + "/missing", 0o700)
    e = ei.value
    assert e.etype == "java.io.FileNotFoundException"
    assert str(e).endswith(d + "/missing") and "\n" not in str(e)
    assert "\tat org.apache.hadoop" in e.remote_message
    with pytest.raises(FileNotFoundError):         # as a builtin
        client.setOwner(d + "/missing", "alice")
    with pytest.raises(OSError) as ei:
        client.delete(d + "/dir")
    assert ei.value.errno == errno.ENOTEMPTY
    assert ei.value.etype == "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException"
    with pytest.raises(hadoofus.InvalidPathException):
        client.mkdirs(d + "/a:b")                  # ':' is not allowed in HDFS names
    with pytest.raises(hadoofus.HadoopIllegalArgumentException):
        client.setStoragePolicy(d, "NO_SUCH_POLICY")


def test_parent_not_a_directory(cluster, client, tmp_hdfs_dir):
    """Hadoop 2.7 answers a create below a file with a plain
    IllegalStateException; it is a ParentNotDirectoryException here, as
    later Hadoops send it."""
    f = tmp_hdfs_dir + "/file"
    client.mkdirs(tmp_hdfs_dir)
    client.create(f)
    client.complete(f)
    with pytest.raises(hadoofus.ParentNotDirectoryException) as ei:
        client.create(f + "/below")
    e = ei.value
    assert isinstance(e, NotADirectoryError) and e.errno == errno.ENOTDIR
    # Hadoop 3 sends the ParentNotDirectoryException itself.
    assert e.etype in ("java.lang.IllegalStateException",
                       "org.apache.hadoop.fs.ParentNotDirectoryException")
    assert "not a directory" in str(e)
    url = "hdfs://%s:%d%s/below" % (cluster.host, cluster.port, f)
    with pytest.raises(NotADirectoryError) as ei:
        hadoofus.easy.open(url, "wb", user=cluster.superuser)
    assert isinstance(ei.value, hadoofus.ParentNotDirectoryException)


@pytest.mark.skipif(HADOOP3, reason="Hadoop 3 has getQuotaUsage")
def test_method_missing_on_an_older_server(client):
    """getQuotaUsage came with Hadoop 2.8: a 2.7 NameNode refuses it."""
    with pytest.raises(hadoofus.RpcNoSuchMethodException) as ei:
        client.call("getQuotaUsage", path="/")
    assert isinstance(ei.value, hadoofus.UnsupportedOperationException)
    assert ei.value.etype == "org.apache.hadoop.ipc.RpcNoSuchMethodException"
    assert "getQuotaUsage" in str(ei.value)
    # The connection is fine afterwards.
    assert client.getFileInfo("/").isdir
