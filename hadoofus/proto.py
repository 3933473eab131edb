"""The NameNode protocol's messages and methods, as compiled into the C core.

    >>> from hadoofus import proto
    >>> proto.METHODS["getFileInfo"].request
    <MessageType hadoop.hdfs.GetFileInfoRequestProto>
    >>> proto.GetFileInfoRequestProto(src="/x")._encode()
    b'\\n\\x02/x'

Message classes are reachable by short name as attributes of this module;
SCHEMA holds every message and enum type (see hadoofus._pb).
"""

from . import _pb
from ._native import ffi, lib

__all__ = ["SCHEMA", "METHODS", "Method"]


class Method:
    """One ClientProtocol method from the C method table."""

    __slots__ = ("name", "cname", "request", "response", "flags")

    def __init__(self, name, cname, request, response, flags):
        self.name = name
        self.cname = cname          # NUL-terminated name owned by C, forever
        self.request = request      # MessageType
        self.response = response
        self.flags = flags

    @property
    def idempotent(self):
        return bool(self.flags & lib.HDFS_NN_IDEMPOTENT)

    @property
    def at_most_once(self):
        return bool(self.flags & lib.HDFS_NN_ATMOSTONCE)

    def __repr__(self):
        flags = [n for n, b in (("idempotent", self.idempotent),
                                ("at-most-once", self.at_most_once)) if b]
        return "<Method %s(%s) -> %s%s>" % (
            self.name, self.request.name, self.response.name,
            " [%s]" % ", ".join(flags) if flags else "")


def _load():
    table = [lib.hdfs_nn_method_at(i) for i in range(lib.hdfs_nn_method_count())]
    roots = []
    for m in table:
        roots.append(m.request)
        roots.append(m.response)
    schema = _pb.Schema(ffi, roots)
    methods = {}
    for m in table:
        name = ffi.string(m.name).decode()
        methods[name] = Method(
            name, m.name,
            schema.messages[ffi.string(m.request.name).decode()],
            schema.messages[ffi.string(m.response.name).decode()],
            m.flags)
    return schema, methods


SCHEMA, METHODS = _load()
PROTOCOL = ffi.string(lib.HDFS_CLIENT_PROTOCOL).decode()


def __getattr__(name):
    try:
        return SCHEMA.message(name).cls
    except KeyError:
        pass
    for full, et in SCHEMA.enums.items():
        if et.__name__ == name:
            return et
    raise AttributeError("module %r has no attribute %r" % (__name__, name))


def __dir__():
    return sorted(set(globals()) | {mt.name for mt in SCHEMA.messages.values()})
