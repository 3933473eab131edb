"""Delegation tokens: token files interchangeable with Java's, identifiers,
URL strings (no cluster); get/renew/cancel and token-only access on the
real kerberized cluster.

Java's side of the file tests is tests/java/TokenFiles.java, compiled once
per session against the Hadoop jars and run with Hadoop's own Credentials.
"""

import os
import shutil
import subprocess

import pytest

import hadoofus
from hadoofus import Credentials, Token
from hadoofus.minicluster import _CLIENT_JVM_OPTS, _jar_list, ensure_jars, find_java
from hadoofus.types import DelegationTokenIdentifier

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
