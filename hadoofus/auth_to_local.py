"""hadoofus.auth_to_local: Kerberos principals to short user names.

Hadoop's `hadoop.security.auth_to_local` rules, evaluated by the C core
as Java's KerberosName does (RULE:[n:format](regex)s/from/to/g/L and
DEFAULT, first match wins; see <hadoofus/auth_to_local.h>):

    >>> from hadoofus.auth_to_local import AuthToLocal
    >>> m = AuthToLocal("RULE:[2:$1@$0](nn@EXAMPLE.COM)s/.*/hdfs/ DEFAULT",
    ...                 default_realm="EXAMPLE.COM")
    >>> m.short_name("nn/host@EXAMPLE.COM"), m.short_name("alice@EXAMPLE.COM")
    ('hdfs', 'alice')
    >>> m.short_name("eve@ELSEWHERE")
    Traceback (most recent call last):
    hadoofus.errors.NotFoundError: ...: No rules applied to eve@ELSEWHERE

A principal no rule maps (mechanism "hadoop") raises NotFoundError, a rule
that cannot parse or apply InvalidArgumentError.
"""

import threading
from typing import Any, Optional

from . import conf as _conf
from . import errors
from ._native import ffi, lib

__all__ = ["AuthToLocal", "from_conf"]


class AuthToLocal:
    """A rule set. rules: the rules text (None: "DEFAULT"); mechanism:
    "hadoop" (None) or "mit"; default_realm: the realm DEFAULT maps (None:
    default_realm of the system's krb5.conf, $KRB5_CONFIG)."""

    def __init__(self, rules: Optional[str] = None, mechanism: Optional[str] = None,
                 default_realm: Optional[str] = None, *, _conf_handle: Any = None):
        p = ffi.new("struct hdfs_auth_to_local **")
        errors._check(lib.hdfs_auth_to_local_new(p))
        self._h = ffi.gc(p[0], lib.hdfs_auth_to_local_free)
        # The handle keeps one failure message: map and read it together.
        self._lock = threading.Lock()
        if _conf_handle is not None:
            self._call(lib.hdfs_auth_to_local_load_conf, _conf_handle)
        else:
            self._call(lib.hdfs_auth_to_local_set_rules, _enc(rules))
            self._call(lib.hdfs_auth_to_local_set_mechanism, _enc(mechanism))
        if default_realm is not None:
            self._call(lib.hdfs_auth_to_local_set_default_realm, _enc(default_realm))

    def _call(self, fn, *args):
        with self._lock:
            rc = fn(self._h, *args)
            if rc < 0:
                buf = ffi.new("char[]", 512)
                detail = ffi.string(lib.hdfs_auth_to_local_error_message(self._h, buf, 512))
                raise errors._exception(rc, None, detail.decode("utf-8", "replace") or None)
        return rc

    def short_name(self, principal: str) -> str:
        """The short name of principal ("alice" of "alice@EXAMPLE.COM" by
        DEFAULT); a name without realm is itself."""
        size = 256
        while True:
            buf = ffi.new("char[]", size)
            need = ffi.new("size_t *")
            try:
                self._call(lib.hdfs_auth_to_local_map, principal.encode("utf-8"), buf,
                           size, need)
            except errors.HadoofusError as e:
                if getattr(e, "code", None) == lib.HDFS_ETOOBIG:
                    size = need[0]
                    continue
                raise
            return ffi.string(buf).decode("utf-8")


def _enc(s: Optional[str]) -> Any:
    return ffi.NULL if s is None else s.encode("utf-8")


def from_conf() -> AuthToLocal:
    """The rules of the Hadoop configuration (hadoop.security.auth_to_local
    and .mechanism from $HADOOP_CONF_DIR, as hadoofus.conf finds it;
    "DEFAULT" when unset)."""
    c = _conf.load()
    return AuthToLocal(_conf_handle=c)
