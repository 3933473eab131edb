"""Delegation tokens: token files interchangeable with Java's, identifiers,
URL strings (no cluster); get/renew/cancel and token-only access on the
real kerberized cluster.

Java's side of the file tests is tests/java/TokenFiles.java, compiled once
per session against the Hadoop jars and run with Hadoop's own Credentials.
"""

import os
import shutil
import subprocess
import sys

import pytest

import hadoofus
from hadoofus import Credentials, Token
from hadoofus.minicluster import _CLIENT_JVM_OPTS, _jar_list, ensure_jars, find_java
from hadoofus.types import DelegationTokenIdentifier

from conftest import auth_error, kerberos_rpc, running_secure_cluster

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def java_tokens(tmp_path_factory):
    """run(*args) -> stdout lines of tests/java/TokenFiles.java."""
    java = find_java()
    javac = shutil.which("javac") or os.path.join(os.path.dirname(os.path.realpath(java)),
                                                  "javac")
    if not os.path.exists(javac):
        pytest.fail("javac is missing: ./dev.sh setup installs openjdk-17-jdk-headless")
    out = str(tmp_path_factory.mktemp("tokenfiles-java"))
    cp = os.pathsep.join(_jar_list(ensure_jars()))
    subprocess.run([javac, "-nowarn", "-cp", cp, "-d", out,
                    os.path.join(HERE, "java", "TokenFiles.java")],
                   check=True, capture_output=True)

    def run(*args):
        r = subprocess.run([java, *_CLIENT_JVM_OPTS, "-cp", out + os.pathsep + cp,
                            "TokenFiles", *map(str, args)],
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
        assert r.returncode == 0, r.stderr.decode(errors="replace")
        return [ln.split("\t") for ln in r.stdout.decode().splitlines()]
    return run


def _ident(**kw):
    d = dict(owner="alice", renewer="yarn", realUser="proxy", issueDate=1700000000123,
             maxDate=1700604800123, sequenceNumber=42, masterKeyId=-3)
    d.update(kw)
    return DelegationTokenIdentifier(**d)


def _java_like():
    """The credentials TokenFiles.java writes."""
    dt = Token(identifier=_ident().encode(), password=b"s3cret-password-bytes",
               kind="HDFS_DELEGATION_TOKEN", service="127.0.0.1:8020")
    opaque = Token(identifier=bytes(range(256)) + bytes(range(44)), password=b"",
                   kind="TEST_KIND", service="ha-hdfs:ns1")
    return Credentials({"127.0.0.1:8020": dt, "other": opaque}, {"key1": b"\x5a" * 200})


def test_java_writes_we_read(java_tokens, tmp_path):
    f = tmp_path / "java.token"
    java_tokens("write", f)
    c = Credentials.read(f)
    want = _java_like()
    assert c.tokens == want.tokens
    assert c.secrets == want.secrets
    dt = c.tokens["127.0.0.1:8020"]
    assert dt.decode_identifier() == _ident()
    assert str(dt.decode_identifier()) == "HDFS_DELEGATION_TOKEN token 42 for alice"
    assert c.tokens["other"].decode_identifier() is None
    assert c.find_token("HDFS_DELEGATION_TOKEN", "127.0.0.1:8020") == dt
    assert c.find_token(service="ha-hdfs:ns1").kind == "TEST_KIND"
    assert c.find_token("HDFS_DELEGATION_TOKEN", "127.0.0.1:9") is None
    # Java's bytes are the ones we write for the same credentials, whatever
    # the order its HashMap chose.
    ours = Credentials({a: c.tokens[a] for a in sorted(c.tokens)}, c.secrets)
    assert sorted(Credentials.from_bytes(ours.to_bytes()).tokens.items(),
                  key=lambda kv: kv[0]) == sorted(c.tokens.items(), key=lambda kv: kv[0])


@pytest.mark.parametrize("fmt", ["writable", "protobuf"])
def test_we_write_java_reads(java_tokens, tmp_path, fmt):
    f = tmp_path / "ours.token"
    c = _java_like()
    c.write(f, format=fmt)
    assert os.stat(f).st_mode & 0o777 == 0o600
    assert Credentials.read(f).tokens == c.tokens
    if fmt == "protobuf":
        # Hadoop 2.7.3 knows only format 0: it must refuse, not misread.
        with pytest.raises(AssertionError, match="Bad header|Unknown version|IOException"):
            java_tokens("read", f)
        return
    lines = java_tokens("read", f)
    toks = {ln[1]: ln for ln in lines if ln[0] == "token"}
    assert set(toks) == {"127.0.0.1:8020", "other"}
    for alias, t in c.tokens.items():
        _, _, kind, service, ident, pw, url = toks[alias]
        assert (kind, service, bytes.fromhex(ident), bytes.fromhex(pw)) == \
            (t.kind, t.service, t.identifier, t.password)
        assert url == t.encode_url_string()
        assert Token.decode_url_string(url) == t
    [ident] = [ln[2:] for ln in lines if ln[0] == "ident"]
    i = _ident()
    assert ident == [i.owner, i.renewer, i.realUser, str(i.issueDate), str(i.maxDate),
                     str(i.sequenceNumber), str(i.masterKeyId)]
    assert [ln[1:] for ln in lines if ln[0] == "secret"] == [["key1", "5a" * 200]]


def test_identifier_round_trip():
    for kw in ({}, {"realUser": "", "issueDate": 0, "maxDate": -1},
               {"sequenceNumber": 2 ** 31 - 1, "masterKeyId": -2 ** 31,
                "issueDate": 2 ** 63 - 1, "owner": "ünïcode"}):
        i = _ident(**kw)
        assert DelegationTokenIdentifier.decode(i.encode()) == i
    with pytest.raises(hadoofus.InvalidArgumentError):
        DelegationTokenIdentifier.decode(_ident().encode()[:-1])
    with pytest.raises(hadoofus.InvalidArgumentError):
        DelegationTokenIdentifier.decode(b"\x01abc")


def test_bad_token_files(tmp_path):
    good = _java_like().to_bytes()
    for bad in (b"", b"HDTS", b"XXXX\x00\x00\x00", good[:-1], b"HDTS\x05" + good[5:]):
        with pytest.raises(hadoofus.WireProtocolError):
            Credentials.from_bytes(bad)
    with pytest.raises(hadoofus.HdfsIOError, match="No such file"):
        Credentials.read(tmp_path / "missing")
    with pytest.raises(hadoofus.InvalidArgumentError):
        _java_like().to_bytes("yaml")


def test_token_file_env(tmp_path, monkeypatch):
    f = tmp_path / "env.token"
    _java_like().write(f)
    monkeypatch.setenv("HADOOP_TOKEN_FILE_LOCATION", str(f))
    assert Credentials.from_env().tokens == _java_like().tokens
    monkeypatch.setenv("HADOOP_TOKEN_FILE_LOCATION", str(tmp_path / "none"))
    assert Credentials.from_env() is None


# ---------------------------------------------------------------------------
# On a real NameNode. Without Kerberos a 2.7.3 NameNode issues delegation
# tokens only for tests (dfs.namenode.delegation.token.always-use), and
# then offers SASL TOKEN (DIGEST-MD5) next to SIMPLE: the same code paths
# as on a kerberized one, at the QOP hadoop.rpc.protection names (privacy
# here: every call wrapped). Tokens expire RENEW_MS after issue or renewal.

RENEW_MS = 6000


@pytest.fixture(scope="module")
def tcluster():
    from conftest import running_cluster
    yield from running_cluster(datanodes=1, replication=1, conf={
        "dfs.namenode.delegation.token.always-use": "true",
        "dfs.namenode.delegation.token.renew-interval": str(RENEW_MS),
        "hadoop.rpc.protection": "privacy"})


@pytest.fixture
def tdir(tcluster):
    """A fresh world-writable directory, and an rpc as the superuser."""
    import uuid
    su = hadoofus.rpc(tcluster.host, tcluster.port)
    d = "/tok-%s" % uuid.uuid4().hex[:8]
    su.mkdirs(d)
    su.setPermission(d, 0o777)
    return su, d


def _alice_token(c, renewer="yarn"):
    return hadoofus.rpc(c.host, c.port, user="alice").getDelegationToken(renewer)


def test_get_renew_cancel(tcluster):
    c = tcluster
    t = _alice_token(c)
    assert t.kind == "HDFS_DELEGATION_TOKEN"
    assert t.service == "127.0.0.1:%d" % c.port
    i = t.decode_identifier()
    assert (i.owner, i.renewer, i.realUser) == ("alice", "yarn", "")
    assert i.sequenceNumber > 0 and i.maxDate > i.issueDate
    # Only the renewer renews; the new expiry is RENEW_MS from now.
    with pytest.raises(hadoofus.AccessControlException):
        hadoofus.rpc(c.host, c.port, user="mallory").renewDelegationToken(t)
    yarn = hadoofus.rpc(c.host, c.port, user="yarn")
    exp = yarn.renewDelegationToken(t)
    assert i.issueDate < exp <= i.issueDate + RENEW_MS + 60000
    # The renewer may cancel it too; then it is gone for everyone.
    yarn.cancelDelegationToken(t)
    with pytest.raises(hadoofus.InvalidToken) as ei:
        yarn.renewDelegationToken(t)
    assert isinstance(ei.value, PermissionError)
    with pytest.raises(hadoofus.ArgumentTypeError):
        yarn.renewDelegationToken(b"not a token")


def test_token_auth_rpc(tcluster, tdir, tmp_path, monkeypatch):
    c, (su, d) = tcluster, tdir
    t = _alice_token(c)
    # The token decides who we are: alice, whatever user= says.
    nn = hadoofus.rpc(c.host, c.port, user="bob", token=t)
    assert nn.user == "alice" and nn.token == t
    nn.mkdirs(d + "/by-token")
    with nn.pipeline() as p:     # many wrapped calls in flight at once
        futs = [p.getFileInfo(d + "/by-token") for _ in range(200)]
    assert all(f.result().owner == "alice" for f in futs)
    assert su.getFileInfo(d + "/by-token").owner == "alice"
    # From a token file, named or in $HADOOP_TOKEN_FILE_LOCATION (the
    # token for this NameNode is picked among others).
    f = tmp_path / "t.token"
    other = Token(identifier=b"x", password=b"y", kind="HDFS_DELEGATION_TOKEN",
                  service="127.0.0.1:1")
    Credentials({"a": other, "b": t}).write(f)
    assert hadoofus.rpc(c.host, c.port, user="bob", token_file=f).token == t
    monkeypatch.setenv("HADOOP_TOKEN_FILE_LOCATION", str(f))
    nn = hadoofus.rpc(c.host, c.port, user="bob")
    assert nn.token == t
    nn.mkdirs(d + "/by-env")
    assert su.getFileInfo(d + "/by-env").owner == "alice"
    # A file without a token for this NameNode changes nothing.
    Credentials([other]).write(f)
    nn = hadoofus.rpc(c.host, c.port, user="bob")
    assert nn.token is None and nn.user == "bob"
    nn.mkdirs(d + "/simple")
    assert su.getFileInfo(d + "/simple").owner == "bob"


def test_token_easy(tcluster, tdir, tmp_path, monkeypatch):
    from hadoofus import easy
    c, (su, d) = tcluster, tdir
    t = _alice_token(c)
    url = "hdfs://%s:%d%s/e" % (c.host, c.port, d)
    with easy.open(url, "wb", user="bob", token=t) as f:
        f.write(b"written with a token")
    assert su.getFileInfo(d + "/e").owner == "alice"
    f = tmp_path / "t.token"
    Credentials([t]).write(f)
    monkeypatch.setenv("HADOOP_TOKEN_FILE_LOCATION", str(f))
    with easy.open(url, "rb", user="bob") as r:
        assert r.read() == b"written with a token"
    assert easy.checksum(url, user="bob", token_file=f) == easy.checksum(url)


_LIBHDFS_PROG = r"""
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1], use_errno=True)
lib.hdfsNewBuilder.restype = ctypes.c_void_p
lib.hdfsBuilderConnect.restype = ctypes.c_void_p
lib.hdfsBuilderConnect.argtypes = [ctypes.c_void_p]
lib.hdfsBuilderSetNameNode.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.hdfsBuilderSetNameNodePort.argtypes = [ctypes.c_void_p, ctypes.c_uint16]
lib.hdfsCreateDirectory.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
lib.hdfsDisconnect.argtypes = [ctypes.c_void_p]
b = lib.hdfsNewBuilder()
lib.hdfsBuilderSetNameNode(b, sys.argv[2].encode())
lib.hdfsBuilderSetNameNodePort(b, int(sys.argv[3]))
fs = lib.hdfsBuilderConnect(b)
if not fs:
    print("connect", ctypes.get_errno()); sys.exit(3)
rc = lib.hdfsCreateDirectory(fs, sys.argv[4].encode())
print("mkdir", rc, ctypes.get_errno())
lib.hdfsDisconnect(fs)
"""


def test_token_libhdfs(tcluster, tdir, tmp_path):
    c, (su, d) = tcluster, tdir
    libdir = hadoofus.libhdfs_dir()
    if libdir is None:
        pytest.skip("this hadoofus was not installed with its libhdfs drop-in")
    f = tmp_path / "t.token"
    Credentials([_alice_token(c)]).write(f)
    env = dict(os.environ, HADOOP_USER_NAME="bob", HADOOP_TOKEN_FILE_LOCATION=str(f),
               HADOOP_CONF_DIR=c.conf_dir)

    def run(path, **kw):
        return subprocess.run([sys.executable, "-c", _LIBHDFS_PROG,
                               os.path.join(libdir, "libhdfs.so"), c.host, str(c.port), path],
                              env=dict(env, **kw), capture_output=True, timeout=60)
    t = Credentials.read(f).find_token()
    r = run(d + "/lh")
    assert r.stdout.split()[:2] == [b"mkdir", b"0"], r
    assert su.getFileInfo(d + "/lh").owner == "alice"
    # A cancelled token: EACCES, as Java's AccessControlException.
    hadoofus.rpc(c.host, c.port, user="alice").cancelDelegationToken(t)
    r = run(d + "/lh-cancelled")
    assert r.stdout.split() == [b"mkdir", b"-1", b"13"], r
    # A file that is not a token file fails the connect (Java's login does).
    bad = tmp_path / "bad.token"
    bad.write_bytes(b"nothing")
    r = run(d + "/lh2", HADOOP_TOKEN_FILE_LOCATION=str(bad))
    assert r.returncode == 3, r


def test_cancelled_and_expired_tokens(tcluster):
    import time
    c = tcluster
    t = _alice_token(c)
    nn = hadoofus.rpc(c.host, c.port, user="alice")
    nn.cancelDelegationToken(t)
    t0 = time.monotonic()
    with pytest.raises(hadoofus.AuthenticationError, match="InvalidToken") as ei:
        hadoofus.rpc(c.host, c.port, token=t, connect_timeout=10).getFileInfo("/")
    assert isinstance(ei.value, PermissionError)
    assert time.monotonic() - t0 < 5
    # Expired: RENEW_MS after issue without a renewal.
    t = _alice_token(c)
    expiry = t.decode_identifier().issueDate + RENEW_MS
    while time.time() * 1000 < expiry + 200:
        time.sleep(0.2)
    with pytest.raises(hadoofus.AuthenticationError, match="expired"):
        hadoofus.rpc(c.host, c.port, token=t, connect_timeout=10).getFileInfo("/")


def test_java_fetchdt_interop(tcluster, tmp_path):
    """`hdfs fetchdt` (Java's DelegationTokenFetcher) and us, both ways."""
    c = tcluster
    dtf = "org.apache.hadoop.hdfs.tools.DelegationTokenFetcher"
    # Java fetches: we read its file and authenticate with it.
    jf = tmp_path / "java.token"
    c.java(dtf, "--renewer", "yarn", jf, user="alice")
    [t] = Credentials.read(jf)
    assert t.service == "127.0.0.1:%d" % c.port
    assert (t.decode_identifier().owner, t.decode_identifier().renewer) == ("alice", "yarn")
    nn = hadoofus.rpc(c.host, c.port, token_file=jf)
    assert nn.user == "alice" and nn.getFileInfo("/").isdir
    hadoofus.rpc(c.host, c.port, user="yarn").renewDelegationToken(t)
    # We fetch: Java prints, renews and cancels from our file.
    of = tmp_path / "ours.token"
    t = _alice_token(c, renewer="alice")
    Credentials([t]).write(of)
    out = c.java(dtf, "--print", of, user="alice").stdout.decode()
    assert "Token (HDFS_DELEGATION_TOKEN token %d for alice) for 127.0.0.1:%d" % (
        t.decode_identifier().sequenceNumber, c.port) in out
    c.java(dtf, "--renew", of, user="alice")
    c.java(dtf, "--cancel", of, user="alice")
    with pytest.raises(hadoofus.AuthenticationError, match="InvalidToken"):
        hadoofus.rpc(c.host, c.port, token_file=of).getFileInfo("/")


# ---------------------------------------------------------------------------
# On the kerberized cluster (MiniCluster(secure=True), an MIT KDC, block
# tokens and SASL data transfer protection): tokens fetched with a Kerberos
# ticket, then used with no ticket at all.

@pytest.fixture(scope="module")
def scluster():
    yield from running_secure_cluster(missing=pytest.fail, datanodes=1, replication=1)


@pytest.fixture
def no_ticket(tmp_path, monkeypatch):
    """No Kerberos ticket anywhere: KRB5CCNAME names an empty cache."""
    monkeypatch.setenv("KRB5CCNAME", "FILE:%s" % (tmp_path / "no-such-ccache"))


def test_secure_get_renew_cancel(scluster):
    mc = scluster
    nn = kerberos_rpc(mc, ccache=mc.kinit("alice"))
    t = nn.getDelegationToken("alice")
    i = t.decode_identifier()
    assert i.owner == mc.principal("alice") and i.renewer == "alice"
    assert t.service == "127.0.0.1:%d" % mc.port
    assert nn.renewDelegationToken(t) > i.issueDate
    # The NameNode issues tokens only to Kerberos-authenticated callers.
    with pytest.raises(hadoofus.ProtocolException, match="kerberos"):
        kerberos_rpc(mc, token=t).getDelegationToken("alice")
    nn.cancelDelegationToken(t)
    with pytest.raises(hadoofus.InvalidToken):
        nn.renewDelegationToken(t)
    err = auth_error(lambda: kerberos_rpc(mc, token=t).getFileInfo("/"))
    assert "InvalidToken" in err


def test_secure_token_only(scluster, tmp_path, no_ticket, monkeypatch):
    mc = scluster
    t = kerberos_rpc(mc, ccache=mc.kinit("alice")).getDelegationToken("alice")
    f = tmp_path / "alice.token"
    Credentials([t]).write(f)
    # Without a ticket Kerberos fails; with the token it works.
    assert "alice" not in auth_error(lambda: kerberos_rpc(mc).getFileInfo("/"))
    nn = kerberos_rpc(mc, token_file=f)
    assert nn.user == "alice"
    assert nn.mkdirs("/user/alice/rpc-token")
    assert nn.getFileInfo("/user/alice/rpc-token").owner == "alice"
    # The configuration says Kerberos; the token file in the environment
    # is used as Java's login would (rpc, then libhdfs).
    monkeypatch.setenv("HADOOP_CONF_DIR", mc.conf_dir)
    monkeypatch.setenv("HADOOP_TOKEN_FILE_LOCATION", str(f))
    nn = hadoofus.rpc(mc.host, mc.port, connect_timeout=10)
    assert nn.token == t and nn.getFileInfo("/user/alice/rpc-token").isdir
    from hadoofus import easy
    url = "hdfs://%s:%d/user/alice/easy-token" % (mc.host, mc.port)
    with easy.open(url, "wb") as w:
        w.write(b"t" * 70000)
    with easy.open(url, "rb", token=t) as r:
        assert r.read() == b"t" * 70000
    assert nn.getFileInfo("/user/alice/easy-token").owner == "alice"
    libdir = hadoofus.libhdfs_dir()
    if libdir is not None:
        r = subprocess.run([sys.executable, "-c", _LIBHDFS_PROG,
                            os.path.join(libdir, "libhdfs.so"), mc.host, str(mc.port),
                            "/user/alice/libhdfs-token"], capture_output=True, timeout=60)
        assert r.stdout.split()[:2] == [b"mkdir", b"0"], r
        assert nn.getFileInfo("/user/alice/libhdfs-token").owner == "alice"


def test_secure_java_interop(scluster, tmp_path):
    mc = scluster
    no_ccache = {"KRB5CCNAME": "FILE:%s" % (tmp_path / "none")}
    # `hdfs fetchdt`, kinit'd: we use its file with no ticket.
    jf = tmp_path / "java.token"
    mc.java("org.apache.hadoop.hdfs.tools.DelegationTokenFetcher", "--renewer", "alice", jf,
            user="alice")
    old = os.environ.get("KRB5CCNAME")
    os.environ.update(no_ccache)
    try:
        nn = kerberos_rpc(mc, token_file=jf)
        assert nn.mkdirs("/user/alice/from-java-token")
        # Java, with no ticket, uses the token file we write.
        t = kerberos_rpc(mc, ccache=mc.kinit("alice")).getDelegationToken("alice")
        of = tmp_path / "ours.token"
        Credentials([t]).write(of)
        r = mc.fs_shell("-mkdir", "/user/alice/java-with-our-token", user="alice",
                        env=dict(no_ccache, HADOOP_TOKEN_FILE_LOCATION=str(of)))
        assert r.returncode == 0
        assert nn.getFileInfo("/user/alice/java-with-our-token").owner == "alice"
    finally:
        if old is None:
            os.environ.pop("KRB5CCNAME", None)
        else:
            os.environ["KRB5CCNAME"] = old
