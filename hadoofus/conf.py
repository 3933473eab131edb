"""hadoofus.conf: the Hadoop configuration, and the NameNodes it names.

    >>> from hadoofus import conf
    >>> conf.namenodes("mycluster")     # an HA nameservice of hdfs-site.xml
    [('nn1.example', 8020), ('nn2.example', 8020)]
    >>> conf.namenodes(None)            # fs.defaultFS
    [('namenode.example', 8020)]

The configuration is found as Java's client finds it: $HADOOP_CONF_DIR,
else $HADOOP_HOME/etc/hadoop, else the directories on $CLASSPATH
(core-site.xml, hdfs-site.xml; the C core's hdfs_conf_load_default reads
them). It is loaded once and again whenever one of those variables
changes. A configuration that cannot be read, or that does not name what
is asked for, raises ConfigurationError (a ValueError).

Everything that resolves names (hadoofus.rpc for a nameservice, easy.open
for hdfs:// URLs and plain paths, the file writer's client keys) asks this
module; it imports nothing of hadoofus but the errors and the C core.
"""

import getpass
import os
import threading
import urllib.parse
from typing import Any, Dict, List, Optional, Tuple

from . import errors
from ._native import ffi, lib

__all__ = ["load", "where", "namenodes", "namenode", "user", "get", "names"]

# The most NameNodes one nameservice may list, and the longest host name.
_MAX_NAMENODES = 8
_HOST_MAX = 256

_ENV = ("HADOOP_CONF_DIR", "HADOOP_HOME", "CLASSPATH")
_lock = threading.Lock()
_cache: Dict[Tuple[Optional[str], ...], Any] = {}


def load() -> Any:
    """The Hadoop configuration (an hdfs_conf cdata, owned by this module:
    keep no reference beyond the call that needs it)."""
    key = tuple(os.environ.get(k) for k in _ENV)
    with _lock:
        c = _cache.get(key)
        if c is None:
            p = ffi.new("struct hdfs_conf **")
            errors._check(lib.hdfs_conf_new(p))
            c = ffi.gc(p[0], lib.hdfs_conf_free)
            rc = lib.hdfs_conf_load_default(c)
            if rc:
                raise errors._config_error(
                    rc, "cannot load the Hadoop configuration (%s)" % where(), c)
            _cache.clear()
            _cache[key] = c
        return c


def where() -> str:
    """Where the configuration comes from, for messages."""
    for k in _ENV[:2]:
        if os.environ.get(k):
            return "%s=%s" % (k, os.environ[k])
    return "no HADOOP_CONF_DIR or HADOOP_HOME set"


def namenodes(authority: Optional[str]) -> List[Tuple[str, int]]:
    """[(host, port), ...] of the NameNodes for an hdfs:// authority ("" or
    None: fs.defaultFS's): one, or every NameNode of an HA nameservice."""
    c = load()
    hosts = ffi.new("char[]", _MAX_NAMENODES * _HOST_MAX)
    ports = ffi.new("int[]", _MAX_NAMENODES)
    count = ffi.new("int *")
    auth = authority.encode() if authority else ffi.NULL
    rc = lib.hdfs_conf_namenodes(c, auth, hosts, _HOST_MAX, ports, _MAX_NAMENODES, count)
    if rc == lib.HDFS_ENOTFOUND:
        raise errors._config_error(
            rc, "no NameNode to use: fs.defaultFS is not an hdfs:// URI in the Hadoop "
            "configuration (%s); give hdfs://host:port/path" % where())
    if rc or count[0] == 0:
        raise errors._config_error(
            rc or lib.HDFS_ENOTFOUND, "cannot resolve the NameNode of %r: %s" % (
                authority or "fs.defaultFS",
                "no NameNode listed" if rc == 0 else errors._strerror(rc)))
    return [(ffi.string(hosts + _HOST_MAX * i).decode(), ports[i])
            for i in range(min(count[0], _MAX_NAMENODES))]


def namenode(authority: Optional[str]) -> Tuple[str, Optional[int]]:
    """(host, port) for a single NameNode, or (nameservice, None) for an HA
    nameservice (hadoofus.rpc resolves it again and fails over)."""
    nns = namenodes(authority)
    if len(nns) == 1:
        return nns[0]
    if authority:
        return authority, None
    # fs.defaultFS names the nameservice.
    buf = ffi.new("char[]", 1024)
    rc = lib.hdfs_conf_get(load(), b"fs.defaultFS", buf, 1024, ffi.NULL)
    if rc:
        raise errors._config_error(rc, "cannot read fs.defaultFS: " + errors._strerror(rc))
    return urllib.parse.urlsplit(ffi.string(buf).decode()).netloc, None


def user(name: Optional[str] = None) -> str:
    """The user to act as: `name`, else $HADOOP_USER_NAME, else the login
    name (as Java's UserGroupInformation without Kerberos)."""
    if name is None:
        name = os.environ.get("HADOOP_USER_NAME") or getpass.getuser()
    if not isinstance(name, str) or not name:
        raise errors.ArgumentTypeError("user must be a non-empty str")
    return name


def get(name: str) -> Optional[str]:
    """A property of the Hadoop configuration, ${...} expanded; None when
    unset."""
    c = load()
    need = ffi.new("size_t *")
    buf = ffi.new("char[]", 1024)
    rc = lib.hdfs_conf_get(c, name.encode(), buf, 1024, need)
    if rc == lib.HDFS_ETOOBIG:
        buf = ffi.new("char[]", need[0])
        rc = lib.hdfs_conf_get(c, name.encode(), buf, need[0], need)
    if rc == lib.HDFS_ENOTFOUND:
        return None
    if rc:
        raise errors._config_error(rc, "cannot read %s: %s" % (name, errors._strerror(rc)))
    return ffi.string(buf).decode()


def names(prefix: str = "") -> List[str]:
    """The names of the configuration's properties that start with prefix."""
    c = load()
    out: List[str] = []
    i = 0
    while True:
        n = lib.hdfs_conf_name_at(c, i)
        if n == ffi.NULL:
            return out
        s = ffi.string(n).decode()
        if s.startswith(prefix):
            out.append(s)
        i += 1
