"""viewfs:// mount tables, resolved as Java's ViewFileSystem resolves them.

A mount table is a set of links in the Hadoop configuration:

    fs.viewfs.mounttable.<table>.link.<path>   = hdfs://nn1:8020/target
    fs.viewfs.mounttable.<table>.linkFallback  = hdfs://nn2:8020/   (optional)

viewfs://<table>/p names p in table <table>; viewfs:///p names it in the
default table ("default", or fs.viewfs.mounttable.default.name.key). A
path under a link resolves to the link's target plus the rest of the path
(the longest link wins, component by component); the directories above
the links are the table's own read-only "internal" directories; anything
else goes to the fallback, or does not exist. hadoofus.fsspec's
ViewFileSystem ("viewfs://") is built on this.
"""

import posixpath
import urllib.parse
from typing import Dict, List, NamedTuple, Optional, Tuple

from . import conf as _conf
from .errors import ConfigurationError, InvalidArgumentError

__all__ = ["MountTable", "Target"]


class Target(NamedTuple):
    """Where a viewfs path lives: host/port as hadoofus.rpc takes them
    (port None: an HA nameservice or fs.defaultFS's default), the HDFS
    path, and the viewfs path of the link it went through with the target
    path of that link (to map names back)."""
    host: str
    port: Optional[int]
    path: str
    mount: str
    base: str

    def view_path(self, hdfs_path: str) -> str:
        """The viewfs name of an HDFS path under this target's link."""
        rest = hdfs_path[len(self.base):] if self.base != "/" else hdfs_path
        if rest and not rest.startswith("/"):
            raise InvalidArgumentError("%r is not under %r" % (hdfs_path, self.base))
        return (self.mount.rstrip("/") + rest) or "/"


def _norm(path: str) -> str:
    return posixpath.normpath("/" + path.strip().lstrip("/"))


def _parts(path: str) -> Tuple[str, ...]:
    return tuple(c for c in path.split("/") if c)


def _split_target(url: str, key: str) -> Tuple[str, Optional[int], str]:
    u = urllib.parse.urlsplit(url.strip())
    if u.scheme.lower() != "hdfs":
        raise ConfigurationError("%s: only hdfs:// targets are supported, not %r" % (key, url))
    host, port = _conf.namenode(u.netloc)
    return host, port, _norm(u.path or "/")


class MountTable:
    """The links of one viewfs mount table of the Hadoop configuration."""

    def __init__(self, name: Optional[str] = None) -> None:
        if not name:
            name = _conf.get("fs.viewfs.mounttable.default.name.key") or "default"
        self.name = name
        prefix = "fs.viewfs.mounttable.%s." % name
        self.links: Dict[Tuple[str, ...], Tuple[str, Optional[int], str]] = {}
        self.fallback: Optional[Tuple[str, Optional[int], str]] = None
        for key in _conf.names(prefix):
            kind, _, src = key[len(prefix):].partition(".")
            value = _conf.get(key) or ""
            if kind == "link":
                self.links[_parts(_norm(src))] = _split_target(value, key)
            elif kind == "linkFallback" and not src:
                self.fallback = _split_target(value, key)
            elif kind in ("linkMerge", "linkMergeSlash", "linkRegx", "linkNfly"):
                raise ConfigurationError("%s: viewfs %s links are not supported" % (key, kind))
        if not self.links and self.fallback is None:
            raise ConfigurationError("viewfs: no mount table %r in the Hadoop configuration (%s)"
                                     % (name, _conf.where()))
        for parts in self.links:
            for i in range(len(parts)):
                if parts[:i] in self.links:
                    raise ConfigurationError(
                        "viewfs mount table %r: link /%s is inside link /%s"
                        % (name, "/".join(parts), "/".join(parts[:i])))
        # The internal directories: every proper prefix of a link.
        self._dirs: Dict[Tuple[str, ...], List[str]] = {}
        for parts in sorted(self.links):
            for i in range(len(parts)):
                kids = self._dirs.setdefault(parts[:i], [])
                if parts[i] not in kids:
                    kids.append(parts[i])

    def resolve(self, path: str) -> Optional[Target]:
        """The target of a viewfs path, or None for an internal directory.
        FileNotFoundError for a path in no link (and no fallback)."""
        path = _norm(path)
        parts = _parts(path)
        for i in range(len(parts), -1, -1):
            link = self.links.get(parts[:i])
            if link is not None:
                host, port, base = link
                rest = "/".join(parts[i:])
                mount = "/" + "/".join(parts[:i])
                return Target(host, port, _norm(base + "/" + rest), mount, base)
        if parts in self._dirs:
            return None
        if self.fallback is not None:
            host, port, base = self.fallback
            return Target(host, port, _norm(base + path), "/", base)
        raise FileNotFoundError(2, "File/Directory does not exist", path)

    def children(self, path: str) -> List[str]:
        """The names in an internal directory (links and deeper internal
        directories), sorted."""
        return list(self._dirs.get(_parts(_norm(path)), []))

    def is_internal(self, path: str) -> bool:
        return _parts(_norm(path)) in self._dirs
