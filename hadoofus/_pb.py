"""Protocol buffers (proto2) in pure Python, with the schema read from C.

The C core is built with protoc-c from csrc/proto/*.proto; every generated
message carries a ProtobufCMessageDescriptor. At import we walk the
descriptors reachable from the NameNode method table and precompile, per
message type, a decode table (wire key -> what to do) and an encode list.
So the .proto files are the single source of truth and Python never parses
a .proto file.

Decoded messages are instances of a class generated per message type (a
subclass of Message): present fields live in the instance __dict__, absent
ones fall back to class attributes holding the proto2 defaults (None for
absent sub-messages, a new empty list for absent repeated fields). hadoofus.types
subclasses some of them (FileStatus, LocatedBlock, ...) and registers the
subclass with MessageType.set_class(), so decoding builds those directly.

Value mapping: integer types -> int, bool -> bool, enum -> an IntEnum
member of the enum's generated class (an unknown number stays a plain
int), string -> str, bytes -> bytes, float/double -> float, repeated ->
list. Encoding accepts a Message, any mapping of field names, or keyword
arguments; enums as member, int or name; None means "absent".
"""

import enum
import linecache
import operator
import struct
from collections.abc import Mapping

from .errors import ArgumentTypeError, HadoofusError

__all__ = ["Message", "MessageType", "Schema", "ProtobufError", "EncodeError",
           "DecodeError"]


class ProtobufError(HadoofusError):
    """A message could not be encoded or decoded."""


class EncodeError(ProtobufError, ValueError):
    """A value cannot be encoded (missing required field, out of range...)."""


class DecodeError(ProtobufError, ValueError):
    """Bytes that are not a valid encoding of the expected message."""


# protobuf-c's ProtobufCLabel / ProtobufCType / flags (protobuf-c.h; checked
# against the cdef at schema load).
LABEL_REQUIRED, LABEL_OPTIONAL, LABEL_REPEATED, LABEL_NONE = range(4)
(T_INT32, T_SINT32, T_SFIXED32, T_INT64, T_SINT64, T_SFIXED64, T_UINT32,
 T_FIXED32, T_UINT64, T_FIXED64, T_FLOAT, T_DOUBLE, T_BOOL, T_ENUM, T_STRING,
 T_BYTES, T_MESSAGE) = range(17)
FLAG_PACKED = 1

# Decoder kinds. The order matters: the hot loop tests ranges.
# varint kinds 0..4, length-delimited 5..8, fixed-width 9..
_UINT, _INT, _SINT, _BOOL, _ENUM = 0, 1, 2, 3, 4
_STRING, _BYTES, _MESSAGE, _PACKED = 5, 6, 7, 8
_FIXED = 9

_WT_VARINT, _WT_64, _WT_LEN, _WT_32 = 0, 1, 2, 5

_I32 = (-(1 << 31), (1 << 31) - 1)
_I64 = (-(1 << 63), (1 << 63) - 1)
_U32 = (0, (1 << 32) - 1)
_U64 = (0, (1 << 64) - 1)

# ctype -> (kind, wire type, struct format for fixed kinds, (lo, hi))
_CTYPES = {
    T_INT32: (_INT, _WT_VARINT, None, _I32),
    T_SINT32: (_SINT, _WT_VARINT, None, _I32),
    T_SFIXED32: (_FIXED, _WT_32, "<i", _I32),
    T_INT64: (_INT, _WT_VARINT, None, _I64),
    T_SINT64: (_SINT, _WT_VARINT, None, _I64),
    T_SFIXED64: (_FIXED, _WT_64, "<q", _I64),
    T_UINT32: (_UINT, _WT_VARINT, None, _U32),
    T_FIXED32: (_FIXED, _WT_32, "<I", _U32),
    T_UINT64: (_UINT, _WT_VARINT, None, _U64),
    T_FIXED64: (_FIXED, _WT_64, "<Q", _U64),
    T_FLOAT: (_FIXED, _WT_32, "<f", None),
    T_DOUBLE: (_FIXED, _WT_64, "<d", None),
    T_BOOL: (_BOOL, _WT_VARINT, None, None),
    T_ENUM: (_ENUM, _WT_VARINT, None, _I32),
    T_STRING: (_STRING, _WT_LEN, None, None),
    T_BYTES: (_BYTES, _WT_LEN, None, None),
    T_MESSAGE: (_MESSAGE, _WT_LEN, None, None),
}

_TYPE_NAMES = {
    T_INT32: "int32", T_SINT32: "sint32", T_SFIXED32: "sfixed32",
    T_INT64: "int64", T_SINT64: "sint64", T_SFIXED64: "sfixed64",
    T_UINT32: "uint32", T_FIXED32: "fixed32", T_UINT64: "uint64",
    T_FIXED64: "fixed64", T_FLOAT: "float", T_DOUBLE: "double",
    T_BOOL: "bool", T_ENUM: "enum", T_STRING: "string", T_BYTES: "bytes",
    T_MESSAGE: "message",
}
_LABEL_NAMES = {LABEL_REQUIRED: "required", LABEL_OPTIONAL: "optional",
                LABEL_REPEATED: "repeated", LABEL_NONE: "optional"}


# ---------------------------------------------------------------------------
# Messages

_REGISTRY: dict = {}   # full name -> MessageType, for unpickling
_ENUM_REGISTRY: dict = {}   # full name -> IntEnum class, for unpickling


def _rebuild_enum(full_name, value):
    return _ENUM_REGISTRY[full_name](value)


def _reduce_enum(self, protocol):
    return (_rebuild_enum, (type(self).__qualname__, int(self)))


def _rebuild(full_name, fields):
    obj = _REGISTRY[full_name].cls.__new__(_REGISTRY[full_name].cls)
    obj.__dict__.update(fields)
    return obj


class Message:
    """Base of every generated message class.

    Attribute access reads a field (its default when absent). Methods are
    underscore-prefixed so they never collide with field names.
    """

    _type = None    # the MessageType; set on each generated class
    _fields = ()    # field names in field-number order

    def __init__(self, **fields):
        known = self._type.fields_by_name
        d = self.__dict__
        for k, v in fields.items():
            if k not in known:
                raise ArgumentTypeError("%s has no field %r" % (self._type.name, k))
            if v is not None:
                d[k] = v

    def _has(self, name):
        """True if the field is present (was on the wire / was set)."""
        if name not in self._type.fields_by_name:
            raise AttributeError("%s has no field %r" % (self._type.name, name))
        return name in self.__dict__

    def _asdict(self, defaults=False):
        """The fields as a dict (nested messages too); absent fields are
        left out unless `defaults`."""
        out = {}
        d = self.__dict__
        for name in self._fields:
            if name in d:
                v = d[name]
            elif defaults:
                v = getattr(type(self)._type.cls_defaults, name)
                if v == ():
                    v = []
            else:
                continue
            if isinstance(v, Message):
                v = v._asdict(defaults)
            elif isinstance(v, list):
                v = [x._asdict(defaults) if isinstance(x, Message) else x for x in v]
            out[name] = v
        return out

    def _encode(self):
        """This message's wire bytes."""
        return self._type.encode(self)

    def __eq__(self, other):
        if not isinstance(other, Message) or other._type is not self._type:
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self):
        d = self.__dict__
        parts = ["%s=%r" % (n, d[n]) for n in self._fields if n in d]
        return "%s(%s)" % (self._type.name, ", ".join(parts))

    def __reduce__(self):
        return (_rebuild, (self._type.full_name, dict(self.__dict__)))


class _EmptyList:
    """Class attribute of an absent repeated field: a fresh empty list on
    each read (not stored, so the message is unchanged)."""

    __slots__ = ()

    def __get__(self, obj, cls=None):
        return self if obj is None else []


_EMPTY_LIST = _EmptyList()


class _Defaults:
    """Holds a message type's defaults (FileStatus may shadow field names
    with properties, so _asdict reads defaults from here)."""


class Field:
    __slots__ = ("name", "number", "label", "ctype", "kind", "wiretype",
                 "packed", "fmt", "range", "message_type", "enum_type",
                 "default")

    @property
    def repeated(self):
        return self.label == LABEL_REPEATED

    @property
    def required(self):
        return self.label == LABEL_REQUIRED

    def __repr__(self):
        t = (self.message_type.name if self.message_type is not None else
             self.enum_type.__name__ if self.enum_type is not None else
             _TYPE_NAMES[self.ctype])
        return "<Field %s %s %s = %d%s>" % (
            _LABEL_NAMES[self.label], t, self.name, self.number,
            " [packed]" if self.packed else "")


class MessageType:
    """One message type: its fields and codec."""

    def __init__(self, full_name, name):
        self.full_name = full_name
        self.name = name
        self.fields = ()
        self.fields_by_name = {}
        self.cls = None
        self.cls_defaults = None
        self._dec = {}
        self._enc = ()
        self._decf = None   # compiled decoder, made on first use
        self._encf = None   # compiled encoder, likewise

    def __repr__(self):
        return "<MessageType %s>" % self.full_name

    def set_class(self, cls):
        """Make decode() build instances of `cls`, a subclass of this type's
        generated class."""
        if not (isinstance(cls, type) and issubclass(cls, self.cls_generated)):
            raise ArgumentTypeError("%r must subclass %r" % (cls, self.cls_generated))
        self.cls = cls
        self._decf = None   # compiled for the old class

    def __call__(self, **fields):
        return self.cls(**fields)

    def decode(self, data):
        """Decode `data` (bytes-like) into a message instance."""
        if type(data) is not bytes:
            data = bytes(data)
        try:
            # The compiled decoders read single bytes from a list of ints
            # (a specialized, cheap subscript) and slice the bytes.
            n = len(data)
            ints = list(data) if n <= _LIST_MAX else data
            return (self._decf or self._compile())(data, ints, 0, n)
        except (IndexError, struct.error):
            raise DecodeError("%s: truncated message" % self.name) from None
        except UnicodeDecodeError as e:
            raise DecodeError("%s: a string field is not UTF-8: %s"
                              % (self.name, e)) from None
        except RecursionError:
            raise DecodeError("%s: nested too deeply" % self.name) from None

    def _compile(self):
        """Make (once) and return this type's decoder:
        (buf, ints, pos, end) -> message, where ints is list(buf) (or buf)."""
        if self._decf is None:
            self._decf = _compile_decoder(self)
        return self._decf

    def _compile_encoder(self):
        if self._encf is None:
            self._encf = _compile_encoder(self)
        return self._encf

    def encode(self, value=None, **fields):
        """Encode a Message / mapping / keyword arguments to bytes."""
        if value is None:
            value = fields
        elif fields:
            raise ArgumentTypeError("pass a message or keyword fields, not both")
        out = bytearray()
        _encode(self, value, out, True)
        return bytes(out)

    def encode_partial(self, value=None, **fields):
        """As encode(), without checking that required fields are set."""
        if value is None:
            value = fields
        elif fields:
            raise ArgumentTypeError("pass a message or keyword fields, not both")
        out = bytearray()
        _encode(self, value, out, False)
        return bytes(out)


# ---------------------------------------------------------------------------
# Decoding

_new = object.__new__


# Up to this size a message to decode is also turned into a list of ints
# for the compiled decoders (bytes also work there, only slower).
_LIST_MAX = 1 << 20


def _decode(buf, pos, end, mt):
    return _decode_into(buf, pos, end, mt, _new(mt.cls))


def _decode_into(buf, pos, end, mt, obj, ints=None):
    """The table-driven decoder: any field order, repeats, packed
    encodings, unknown fields. Compiled decoders hand it what their
    straight-line pass did not take (and their list of ints)."""
    if ints is None:
        ints = buf
    d = obj.__dict__
    table = mt._dec
    while pos < end:
        key = buf[pos]
        pos += 1
        if key > 127:
            key &= 127
            shift = 7
            while True:
                b = buf[pos]
                pos += 1
                key |= (b & 127) << shift
                if b < 128:
                    break
                shift += 7
        f = table.get(key)
        if f is None:
            pos = _skip(buf, pos, end, key, mt)
            continue
        name, kind, rep, aux = f
        if kind < _STRING:
            v = buf[pos]
            pos += 1
            if v > 127:
                v &= 127
                shift = 7
                while True:
                    b = buf[pos]
                    pos += 1
                    v |= (b & 127) << shift
                    if b < 128:
                        break
                    shift += 7
            if kind:
                if kind == _ENUM:
                    v = aux.get(v, v)
                elif kind == _BOOL:
                    v = v != 0
                elif kind == _INT:
                    if v > 0x7FFFFFFFFFFFFFFF:
                        v = (v & 0xFFFFFFFFFFFFFFFF) - 0x10000000000000000
                else:
                    v = (v >> 1) ^ -(v & 1)
        elif kind < _FIXED:
            n = buf[pos]
            pos += 1
            if n > 127:
                n &= 127
                shift = 7
                while True:
                    b = buf[pos]
                    pos += 1
                    n |= (b & 127) << shift
                    if b < 128:
                        break
                    shift += 7
            p2 = pos + n
            if p2 > end:
                raise DecodeError("%s.%s: length runs past the end" % (mt.name, name))
            if kind == _STRING:
                v = buf[pos:p2].decode()
            elif kind == _MESSAGE:
                v = (aux._decf or aux._compile())(buf, ints, pos, p2)
            elif kind == _BYTES:
                v = buf[pos:p2]
            else:
                vals = _decode_packed(buf, pos, p2, aux, mt, name)
                pos = p2
                lst = d.get(name)
                if lst is None:
                    d[name] = vals
                else:
                    lst.extend(vals)
                continue
            pos = p2
        else:
            unpack, width = aux
            v = unpack(buf, pos)[0]
            pos += width
        if rep:
            lst = d.get(name)
            if lst is None:
                d[name] = [v]
            else:
                lst.append(v)
        else:
            d[name] = v
    if pos != end:
        raise DecodeError("%s: a field runs past the end" % mt.name)
    return obj


def _read_varint(buf, pos):
    v = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 127) << shift
        if b < 128:
            return v, pos
        shift += 7
        if shift > 63:
            raise DecodeError("varint longer than 10 bytes")


def _decode_packed(buf, pos, end, aux, mt, name):
    kind, sub = aux
    out = []
    append = out.append
    if kind >= _FIXED:
        unpack, width = sub
        if (end - pos) % width:
            raise DecodeError("%s.%s: packed length not a multiple of %d"
                              % (mt.name, name, width))
        while pos < end:
            append(unpack(buf, pos)[0])
            pos += width
        return out
    while pos < end:
        v, pos = _read_varint(buf, pos)
        if kind == _ENUM:
            v = sub.get(v, v)
        elif kind == _BOOL:
            v = v != 0
        elif kind == _INT:
            if v > 0x7FFFFFFFFFFFFFFF:
                v = (v & 0xFFFFFFFFFFFFFFFF) - 0x10000000000000000
        elif kind == _SINT:
            v = (v >> 1) ^ -(v & 1)
        append(v)
    if pos != end:
        raise DecodeError("%s.%s: packed field runs past its length" % (mt.name, name))
    return out


def _skip(buf, pos, end, key, mt):
    wt = key & 7
    if wt == _WT_VARINT:
        _, pos = _read_varint(buf, pos)
    elif wt == _WT_LEN:
        n, pos = _read_varint(buf, pos)
        pos += n
    elif wt == _WT_64:
        pos += 8
    elif wt == _WT_32:
        pos += 4
    else:
        raise DecodeError("%s: unsupported wire type %d (field %d)"
                          % (mt.name, wt, key >> 3))
    if pos > end:
        raise DecodeError("%s: unknown field %d runs past the end" % (mt.name, key >> 3))
    return pos


# ---------------------------------------------------------------------------
# Compiled decoders
#
# The table-driven loop above pays a dict lookup, a tuple unpack and a
# chain of kind tests per field. Senders (Java's protobuf, protoc-c, ours)
# write fields in field-number order, so each message type also gets a
# decoder generated as Python source: one straight-line test per field, in
# number order ("is the next key this field's?"), with the value's decoding
# inlined. Whatever that pass does not take (fields out of order, packed
# repeated scalars, unknown fields, a repeat of a field) is left to
# _decode_into, so both give the same result for any input.

_VARINT = """\
{v} = t[pos]
pos += 1
if {v} > 127:
    b = t[pos]
    pos += 1
    {v} = ({v} & 127) | ((b & 127) << 7)
    if b > 127:
        shift = 14
        while True:
            b = t[pos]
            pos += 1
            {v} |= (b & 127) << shift
            if b < 128:
                break
            shift += 7
"""

_LENGTH = _VARINT.format(v="n") + """\
p2 = pos + n
if p2 > end:
    raise DecodeError({err!r})
"""


def _value_source(f, mt, consts):
    """Source that reads field f's value at pos into v (advancing pos)."""
    kind = f.kind
    if kind < _STRING:
        src = _VARINT.format(v="v")
        if kind == _ENUM:
            consts.append(mt._dec[(f.number << 3) | f.wiretype][3])
            src += "v = c%d.get(v, v)\n" % (len(consts) - 1)
        elif kind == _BOOL:
            src += "v = v != 0\n"
        elif kind == _INT:
            src += ("if v > 0x7FFFFFFFFFFFFFFF:\n"
                    "    v = (v & 0xFFFFFFFFFFFFFFFF) - 0x10000000000000000\n")
        elif kind == _SINT:
            src += "v = (v >> 1) ^ -(v & 1)\n"
        return src
    if kind < _PACKED:
        src = _LENGTH.format(err="%s.%s: length runs past the end" % (mt.name, f.name))
        if kind == _STRING:
            src += "v = buf[pos:p2].decode()\n"
        elif kind == _BYTES:
            src += "v = buf[pos:p2]\n"
        else:
            consts.append(f.message_type)
            k = len(consts) - 1
            src += "v = (c%d._decf or c%d._compile())(buf, t, pos, p2)\n" % (k, k)
        return src + "pos = p2\n"
    consts.append(struct.Struct(f.fmt).unpack_from)
    return "v = c%d(buf, pos)[0]\npos += %d\n" % (len(consts) - 1, struct.calcsize(f.fmt))


def _indent(src, n):
    pad = " " * n
    return "".join(pad + line + "\n" for line in src.splitlines())


def _exec(src, filename, ns):
    # Registered with linecache, so tracebacks show the generated lines.
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    exec(compile(src, filename, "exec"), ns)


def _compile_decoder(mt):
    consts = [mt]
    body = []
    for f in mt.fields:
        key = _varint_bytes((f.number << 3) | f.wiretype)
        if len(key) == 1:
            test = "pos < end and t[pos] == %d" % key[0]
        elif len(key) == 2:
            test = "pos + 1 < end and t[pos] == %d and t[pos + 1] == %d" % (key[0], key[1])
        else:
            continue   # field numbers >= 2048: left to the table
        val = _value_source(f, mt, consts)
        if f.label == LABEL_REPEATED:
            body.append("if %s:\n    lst = d[%r] = []\n    while True:\n"
                        "        pos += %d\n%s        lst.append(v)\n"
                        "        if not (%s):\n            break\n"
                        % (test, f.name, len(key), _indent(val, 8), test))
        else:
            body.append("if %s:\n    pos += %d\n%s    d[%r] = v\n"
                        % (test, len(key), _indent(val, 4), f.name))
    src = ("def make(%s):\n"
           "  def decode(buf, t, pos, end):\n"
           "    obj = new(cls)\n"
           "    d = obj.__dict__\n"
           "%s"
           "    if pos < end:\n"
           "        return decode_into(buf, pos, end, c0, obj, t)\n"
           "    if pos != end:\n"
           "        raise DecodeError(%r)\n"
           "    return obj\n"
           "  return decode\n"
           % (", ".join("c%d" % i for i in range(len(consts))),
              _indent("".join(body), 4),
              "%s: a field runs past the end" % mt.name))
    ns = {"new": _new, "cls": mt.cls, "decode_into": _decode_into,
          "DecodeError": DecodeError}
    _exec(src, "<hadoofus._pb decoder of %s>" % mt.full_name, ns)
    return ns["make"](*consts)


# ---------------------------------------------------------------------------
# Encoding

def _varint_bytes(v):
    out = bytearray()
    while v > 127:
        out.append((v & 127) | 128)
        v >>= 7
    out.append(v)
    return bytes(out)


def _put_varint(out, v):
    while v > 127:
        out.append((v & 127) | 128)
        v >>= 7
    out.append(v)


def _check_int(v, rng, mt, name):
    try:
        v = operator.index(v)
    except TypeError:
        raise ArgumentTypeError("%s.%s: expected an int, got %s"
                                % (mt.name, name, type(v).__name__)) from None
    if not rng[0] <= v <= rng[1]:
        raise EncodeError("%s.%s: %d is out of range [%d, %d]"
                          % (mt.name, name, v, rng[0], rng[1]))
    return v


def _put_value(out, f, v, mt, check=True):
    kind = f.kind
    if kind == _UINT:
        _put_varint(out, _check_int(v, f.range, mt, f.name))
    elif kind == _STRING:
        if isinstance(v, str):
            v = v.encode()
        elif not isinstance(v, (bytes, bytearray)):
            raise ArgumentTypeError("%s.%s: expected str, got %s"
                                    % (mt.name, f.name, type(v).__name__))
        _put_varint(out, len(v))
        out += v
    elif kind == _MESSAGE:
        sub = bytearray()
        _encode(f.message_type, v, sub, check)
        _put_varint(out, len(sub))
        out += sub
    elif kind == _BOOL:
        if not isinstance(v, (bool, int)):
            raise ArgumentTypeError("%s.%s: expected bool, got %s"
                                    % (mt.name, f.name, type(v).__name__))
        out.append(1 if v else 0)
    elif kind == _ENUM:
        et = f.enum_type
        if isinstance(v, str):
            try:
                v = et[v]
            except KeyError:
                raise EncodeError("%s.%s: %r is not a %s (one of %s)" % (
                    mt.name, f.name, v, et.__name__,
                    ", ".join(m.name for m in et))) from None
        else:
            v = _check_int(v, f.range, mt, f.name)
            if v not in et._value2member_map_:
                raise EncodeError("%s.%s: %d is not a %s value" % (
                    mt.name, f.name, v, et.__name__))
        v = int(v)
        _put_varint(out, v + (1 << 64) if v < 0 else v)
    elif kind == _INT:
        v = _check_int(v, f.range, mt, f.name)
        _put_varint(out, v + (1 << 64) if v < 0 else v)
    elif kind == _SINT:
        v = _check_int(v, f.range, mt, f.name)
        _put_varint(out, v << 1 if v >= 0 else ((-v) << 1) - 1)
    elif kind == _BYTES:
        if isinstance(v, str):
            v = v.encode()
        elif isinstance(v, memoryview):
            v = v.tobytes()
        elif not isinstance(v, (bytes, bytearray)):
            raise ArgumentTypeError("%s.%s: expected bytes, got %s"
                                    % (mt.name, f.name, type(v).__name__))
        _put_varint(out, len(v))
        out += v
    else:  # fixed width
        if f.range is not None:
            v = _check_int(v, f.range, mt, f.name)
        else:
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise ArgumentTypeError("%s.%s: expected a float, got %s"
                                        % (mt.name, f.name, type(v).__name__)) from None
        out += struct.pack(f.fmt, v)


def _encode(mt, val, out, check):
    (mt._encf or mt._compile_encoder())(val, out, check)


def _fields_of(mt, val):
    """The field dict of a value to encode as mt (a Message or a Mapping)."""
    if type(val) is dict:
        d = val
    elif isinstance(val, Message):
        if val._type is not mt:
            raise ArgumentTypeError("expected a %s message, got %s"
                                    % (mt.name, val._type.name))
        return val.__dict__
    elif isinstance(val, Mapping):
        d = val
    else:
        raise ArgumentTypeError("expected a %s (message or mapping), got %s"
                                % (mt.name, type(val).__name__))
    known = mt.fields_by_name
    for k in d:
        if k not in known:
            raise ArgumentTypeError("%s has no field %r (fields: %s)"
                                    % (mt.name, k, ", ".join(mt.fields_by_name)))
    return d


def _put_repeated(out, f, key, v, mt, check):
    if isinstance(v, (str, bytes, bytearray, Mapping, Message)):
        raise ArgumentTypeError("%s.%s is repeated: expected a sequence, got %s"
                                % (mt.name, f.name, type(v).__name__))
    try:
        items = iter(v)
    except TypeError:
        raise ArgumentTypeError("%s.%s is repeated: expected a sequence, got %s"
                                % (mt.name, f.name, type(v).__name__)) from None
    if f.packed:
        body = bytearray()
        for x in items:
            _put_value(body, f, x, mt, check)
        if body:
            out += key
            _put_varint(out, len(body))
            out += body
    else:
        for x in items:
            out += key
            _put_value(out, f, x, mt, check)


# Compiled encoders: per message type, the fields in number order with the
# common value types (str for string, bytes for bytes, small non-negative
# ints, bools, nested messages) written inline; anything else goes through
# _put_value / _put_repeated, which check and convert as documented above.

_PUT_LEN = """\
n = len(v)
if n < 128:
    out.append(n)
else:
    put_varint(out, n)
out += v
"""


def _compile_encoder(mt):
    consts = [mt]
    lines = []
    for f, key in mt._enc:
        consts.append(f)
        fc = "c%d" % (len(consts) - 1)
        req = ("    if check:\n        raise EncodeError(%r)\n"
               % ("%s.%s is required" % (mt.name, f.name))
               if f.label == LABEL_REQUIRED else "    pass\n")
        src = "v = d.get(%r)\nif v is None:\n%s" % (f.name, req)
        if f.label == LABEL_REPEATED:
            src += "else:\n    put_repeated(out, %s, %r, v, c0, check)\n" % (fc, key)
            lines.append(src)
            continue
        kind = f.kind
        fast = None
        if kind == _STRING:
            fast = "type(v) is str", "v = v.encode()\n" + _PUT_LEN
        elif kind == _BYTES:
            fast = "type(v) is bytes", _PUT_LEN
        elif kind == _UINT:
            fast = ("type(v) is int and 0 <= v < 128", "out.append(v)\n")
        elif kind == _BOOL:
            fast = "type(v) is bool", "out.append(v)\n"
        elif kind == _MESSAGE:
            consts.append(f.message_type)
            mc = "c%d" % (len(consts) - 1)
            fast = ("True", "sub = bytearray()\n(%s._encf or %s._compile_encoder())"
                    "(v, sub, check)\nv = sub\n%s" % (mc, mc, _PUT_LEN))
        if fast is not None:
            src += "elif %s:\n    out += %r\n%s" % (fast[0], key, _indent(fast[1], 4))
        src += "else:\n    out += %r\n    put_value(out, %s, v, c0, check)\n" % (key, fc)
        lines.append(src)
    src = ("def make(%s):\n"
           "  def encode(val, out, check):\n"
           "    if type(val) is dict:\n"
           "        d = val\n"
           "        for k in d:\n"
           "            if k not in known:\n"
           "                fields_of(c0, val)\n"
           "    else:\n"
           "        d = fields_of(c0, val)\n"
           "%s"
           "  return encode\n"
           % (", ".join("c%d" % i for i in range(len(consts))),
              _indent("".join(lines), 4)))
    ns = {"known": mt.fields_by_name, "fields_of": _fields_of,
          "put_value": _put_value, "put_varint": _put_varint,
          "put_repeated": _put_repeated, "EncodeError": EncodeError}
    _exec(src, "<hadoofus._pb encoder of %s>" % mt.full_name, ns)
    return ns["make"](*consts)


# ---------------------------------------------------------------------------
# Schema from protobuf-c descriptors

class Schema:
    """All message and enum types reachable from some root descriptors."""

    def __init__(self, ffi, roots):
        self._ffi = ffi
        self.messages = {}      # full name -> MessageType
        self.enums = {}         # full name -> IntEnum class
        self._by_short = {}
        descs = {}
        todo = list(roots)
        while todo:
            d = todo.pop()
            if d == ffi.NULL:
                continue
            name = ffi.string(d.name).decode()
            if name in descs:
                continue
            descs[name] = d
            for i in range(d.n_fields):
                fd = d.fields[i]
                if fd.type == T_MESSAGE:
                    todo.append(ffi.cast("const ProtobufCMessageDescriptor *",
                                         fd.descriptor))
                elif fd.type == T_ENUM:
                    self._enum(ffi.cast("const ProtobufCEnumDescriptor *",
                                        fd.descriptor))
        for name, d in descs.items():
            mt = MessageType(name, ffi.string(d.short_name).decode())
            self.messages[name] = mt
        for name, d in descs.items():
            self._fill(self.messages[name], d)
        for mt in self.messages.values():
            _REGISTRY[mt.full_name] = mt
            self._by_short.setdefault(mt.name, []).append(mt)

    def message(self, name):
        """A MessageType by full ("hadoop.hdfs.X") or unique short name."""
        mt = self.messages.get(name)
        if mt is not None:
            return mt
        cands = self._by_short.get(name, ())
        if len(cands) == 1:
            return cands[0]
        if not cands:
            raise KeyError("no message type %r" % name)
        raise KeyError("ambiguous message name %r: %s"
                       % (name, ", ".join(m.full_name for m in cands)))

    def _enum(self, ed):
        ffi = self._ffi
        name = ffi.string(ed.name).decode()
        et = self.enums.get(name)
        if et is not None:
            return et
        members = [(ffi.string(ed.values[i].name).decode(), ed.values[i].value)
                   for i in range(ed.n_values)]
        et = enum.IntEnum(ffi.string(ed.short_name).decode(), members,
                          module=__name__, qualname=name)
        et.__reduce_ex__ = _reduce_enum
        _ENUM_REGISTRY[name] = et
        self.enums[name] = et
        return et

    def _default(self, fd, f):
        ffi = self._ffi
        dv = fd.default_value
        t = f.ctype
        if f.label == LABEL_REPEATED:
            return ()
        if t == T_MESSAGE:
            return None
        if dv == ffi.NULL:
            if t == T_ENUM:
                et = f.enum_type
                # protobuf-c zero-fills; proto2 means the first declared value,
                # which protobuf-c does not record: 0 if valid, else the lowest.
                if 0 in et._value2member_map_:
                    return et(0)
                return min(et, key=int) if len(et) else 0
            return {T_STRING: "", T_BYTES: b"", T_BOOL: False,
                    T_FLOAT: 0.0, T_DOUBLE: 0.0}.get(t, 0)
        if t == T_STRING:
            return ffi.string(ffi.cast("const char *", dv)).decode()
        if t == T_BYTES:
            bd = ffi.cast("const ProtobufCBinaryData *", dv)
            return ffi.buffer(bd.data, bd.len)[:] if bd.len else b""
        if t == T_BOOL:
            return bool(ffi.cast("const protobuf_c_boolean *", dv)[0])
        if t == T_ENUM:
            v = ffi.cast("const int *", dv)[0]
            return f.enum_type._value2member_map_.get(v, v)
        ctype = {T_INT32: "int32_t", T_SINT32: "int32_t", T_SFIXED32: "int32_t",
                 T_INT64: "int64_t", T_SINT64: "int64_t", T_SFIXED64: "int64_t",
                 T_UINT32: "uint32_t", T_FIXED32: "uint32_t",
                 T_UINT64: "uint64_t", T_FIXED64: "uint64_t",
                 T_FLOAT: "float", T_DOUBLE: "double"}[t]
        return ffi.cast("const %s *" % ctype, dv)[0]

    def _fill(self, mt, d):
        ffi = self._ffi
        fields = []
        for i in range(d.n_fields):
            fd = d.fields[i]
            f = Field()
            f.name = ffi.string(fd.name).decode()
            f.number = fd.id
            f.label = fd.label
            f.ctype = fd.type
            f.kind, f.wiretype, f.fmt, f.range = _CTYPES[fd.type]
            f.packed = bool(fd.flags & FLAG_PACKED)
            f.message_type = None
            f.enum_type = None
            if fd.type == T_MESSAGE:
                f.message_type = self.messages[ffi.string(ffi.cast(
                    "const ProtobufCMessageDescriptor *", fd.descriptor).name).decode()]
            elif fd.type == T_ENUM:
                f.enum_type = self._enum(ffi.cast(
                    "const ProtobufCEnumDescriptor *", fd.descriptor))
            f.default = self._default(fd, f)
            fields.append(f)
        fields.sort(key=lambda f: f.number)
        mt.fields = tuple(fields)
        mt.fields_by_name = {f.name: f for f in fields}

        dec = {}
        enc = []
        for f in fields:
            rep = f.label == LABEL_REPEATED
            if f.kind == _ENUM:
                aux = dict(f.enum_type._value2member_map_)
                # A negative enum arrives as a 10-byte varint.
                aux.update({v + (1 << 64): m for v, m in aux.items() if v < 0})
            elif f.kind == _MESSAGE:
                aux = f.message_type
            elif f.kind == _FIXED:
                s = struct.Struct(f.fmt)
                aux = (s.unpack_from, s.size)
            else:
                aux = None
            kind = f.kind
            dec[(f.number << 3) | f.wiretype] = (f.name, kind, rep, aux)
            if rep and f.wiretype != _WT_LEN:
                # Either encoding may arrive for a repeated scalar.
                dec[(f.number << 3) | _WT_LEN] = (f.name, _PACKED, True, (kind, aux))
            key_wt = _WT_LEN if f.packed else f.wiretype
            enc.append((f, _varint_bytes((f.number << 3) | key_wt)))
        mt._dec = dec
        mt._enc = tuple(enc)

        ns = {"_type": mt, "_fields": tuple(f.name for f in fields),
              "__module__": "hadoofus.proto", "__qualname__": mt.full_name}
        defaults = _Defaults()
        for f in fields:
            ns[f.name] = _EMPTY_LIST if f.label == LABEL_REPEATED else f.default
            setattr(defaults, f.name, f.default)
        mt.cls_generated = mt.cls = type(mt.name, (Message,), ns)
        mt.cls_defaults = defaults
