"""Delegation tokens and Hadoop token files.

    from hadoofus.tokens import Credentials
    creds = Credentials.read("/tmp/my.token")        # what `hdfs fetchdt` wrote
    for alias, tok in creds.tokens.items():
        print(alias, tok.kind, tok.decode_identifier())
    creds = Credentials([nn.getDelegationToken("yarn")])
    creds.write("/tmp/my.token")                     # Java reads it (HADOOP_TOKEN_FILE_LOCATION)

A token file is Java's Credentials serialized ("HDTS", a format byte,
then Writable records, or a CredentialsProto in Hadoop 3's format 1):
both are read, "writable" (what Hadoop 2 reads) is written unless
format="protobuf" is asked for. The parsing and writing are the C core's
(<hadoofus/credentials.h>), shared with libhdfs.
"""

import os

from ._native import ffi, lib
from .errors import ArgumentTypeError, InvalidArgumentError, _check, _owned
from .types import DelegationTokenIdentifier, Token

__all__ = ["Credentials", "Token", "DelegationTokenIdentifier", "TOKEN_FILE_ENV",
           "token_file_path"]

TOKEN_FILE_ENV = "HADOOP_TOKEN_FILE_LOCATION"
_FORMATS = {"writable": lib.HDFS_CREDENTIALS_WRITABLE, "protobuf": lib.HDFS_CREDENTIALS_PROTOBUF}


def token_file_path():
    """$HADOOP_TOKEN_FILE_LOCATION when it names a file, else None (Java's
    UserGroupInformation reads that file at login)."""
    p = os.environ.get(TOKEN_FILE_ENV)
    return p if p and os.path.isfile(p) else None


def _format(format):
    if isinstance(format, str) and format.lower() in _FORMATS:
        return _FORMATS[format.lower()]
    if format in _FORMATS.values():
        return format
    raise InvalidArgumentError("format must be 'writable' or 'protobuf': %r" % (format,))


def _bytes(p, n):
    return ffi.buffer(p, n)[:] if n else b""


def _str(p):
    return ffi.string(p).decode("utf-8", "surrogateescape")


def _token_of(t):
    return Token(identifier=_bytes(t.identifier, t.identifier_len),
                 password=_bytes(t.password, t.password_len),
                 kind=_str(t.kind), service=_str(t.service))


def _token_struct(token, alias=None):
    """(struct hdfs_token *, what keeps its fields alive): hold both while
    C reads it."""
    keep = [ffi.new("char[]", s.encode("utf-8", "surrogateescape"))
            for s in (token.kind, token.service, alias or token.service)]
    ident, pw = bytes(token.identifier), bytes(token.password)
    t = ffi.new("struct hdfs_token *", {
        "alias": keep[2], "kind": keep[0], "service": keep[1],
        "identifier": ffi.from_buffer("uint8_t[]", ident), "identifier_len": len(ident),
        "password": ffi.from_buffer("uint8_t[]", pw), "password_len": len(pw)})
    return t, (keep, ident, pw)


class Credentials:
    """Tokens and secret keys by alias (Java's Credentials).

    Credentials(tokens=(), secrets=None): tokens is an iterable of Token
    (each aliased by its service, as `hdfs fetchdt` does) or a mapping
    alias -> Token; secrets a mapping alias -> bytes."""

    def __init__(self, tokens=(), secrets=None):
        p = ffi.new("struct hdfs_credentials **")
        self._c = _owned(lib.hdfs_credentials_new(p), p[0], lib.hdfs_credentials_free)
        items = tokens.items() if hasattr(tokens, "items") else ((None, t) for t in tokens)
        for alias, t in items:
            self.add_token(t, alias)
        for alias, v in (secrets or {}).items():
            self.add_secret(alias, v)

    @classmethod
    def read(cls, path):
        """The credentials of a token file; HdfsIOError when it cannot be
        read, WireProtocolError when it is not a token file."""
        c = cls()
        _check(lib.hdfs_credentials_read_file(c._c, os.fsencode(path)), c._c)
        return c

    @classmethod
    def from_bytes(cls, data):
        c = cls()
        data = bytes(data)
        _check(lib.hdfs_credentials_parse(c._c, data, len(data)), c._c)
        return c

    @classmethod
    def from_env(cls):
        """The token file $HADOOP_TOKEN_FILE_LOCATION names, or None."""
        p = token_file_path()
        return None if p is None else cls.read(p)

    def to_bytes(self, format="writable"):
        """The token file's bytes; format "writable" (Hadoop 2 and 3 read
        it) or "protobuf" (Hadoop 3 only)."""
        f = _format(format)
        need = ffi.new("size_t *")
        rc = lib.hdfs_credentials_serialize(self._c, f, ffi.NULL, 0, need)
        if rc != lib.HDFS_ETOOBIG:
            _check(rc, self._c)
        buf = ffi.new("uint8_t[]", need[0])
        _check(lib.hdfs_credentials_serialize(self._c, f, buf, need[0], need), self._c)
        return ffi.buffer(buf, need[0])[:]

    def write(self, path, format="writable"):
        """Write a token file at path (mode 0600: it holds passwords)."""
        _check(lib.hdfs_credentials_write_file(self._c, os.fsencode(path), _format(format)),
               self._c)

    def add_token(self, token, alias=None):
        """Add (or, same alias, replace) a token; alias defaults to its service."""
        if not isinstance(token, Token):
            raise ArgumentTypeError("token must be a hadoofus.Token, not %s"
                                    % type(token).__name__)
        t, _alive = _token_struct(token, alias)
        _check(lib.hdfs_credentials_add_token(self._c, t), self._c)

    def add_secret(self, alias, value):
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise ArgumentTypeError("a secret must be bytes, not %s" % type(value).__name__)
        value = bytes(value)
        _check(lib.hdfs_credentials_add_secret(self._c, alias.encode("utf-8", "surrogateescape"),
                                               value, len(value)), self._c)

    @property
    def tokens(self):
        """{alias: Token}, in the order first added."""
        out = {}
        for i in range(lib.hdfs_credentials_num_tokens(self._c)):
            t = lib.hdfs_credentials_token_at(self._c, i)
            out[_str(t.alias)] = _token_of(t)
        return out

    @property
    def secrets(self):
        """{alias: bytes}."""
        out = {}
        alias = ffi.new("const char **")
        data = ffi.new("const uint8_t **")
        n = ffi.new("size_t *")
        for i in range(lib.hdfs_credentials_num_secrets(self._c)):
            _check(lib.hdfs_credentials_secret_at(self._c, i, alias, data, n), self._c)
            out[_str(alias[0])] = _bytes(data[0], n[0])
        return out

    def find_token(self, kind=None, service=None):
        """The first token of that kind for that service (None: any), or None."""
        t = lib.hdfs_credentials_find_token(
            self._c, ffi.NULL if kind is None else kind.encode(),
            ffi.NULL if service is None else service.encode())
        return None if t == ffi.NULL else _token_of(t)

    def __len__(self):
        return lib.hdfs_credentials_num_tokens(self._c)

    def __iter__(self):
        return iter(self.tokens.values())

    def __repr__(self):
        return "Credentials(tokens=%r, secrets=[%s])" % (
            self.tokens, ", ".join(map(repr, self.secrets)))
