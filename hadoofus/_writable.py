"""Java's Writable primitives that tokens are made of (WritableUtils'
variable-length longs, Text), for DelegationTokenIdentifier and Java's
URL-safe token strings. Token files are the C core's
(<hadoofus/credentials.h>)."""

from .errors import InvalidArgumentError


def read_vlong(buf, pos):
    """(value, new pos) of WritableUtils.readVLong at buf[pos]: one byte for
    -112..127, else a byte giving sign and length, then big-endian bytes."""
    try:
        first = buf[pos]
        if first >= 0x80:
            first -= 0x100
        if first >= -112:
            return first, pos + 1
        neg = first < -120
        n = -(first + 120) if neg else -(first + 112)
        if pos + 1 + n > len(buf):
            raise IndexError
        v = int.from_bytes(buf[pos + 1:pos + 1 + n], "big")
        return (~v if neg else v), pos + 1 + n
    except IndexError:
        raise InvalidArgumentError("Writable data truncated at byte %d" % pos) from None


def write_vlong(v):
    """WritableUtils.writeVLong's bytes for v."""
    if -112 <= v <= 127:
        return (v & 0xFF).to_bytes(1, "big")
    base = -112
    if v < 0:
        v, base = ~v, -120
    n = (v.bit_length() + 7) // 8
    return ((base - n) & 0xFF).to_bytes(1, "big") + v.to_bytes(n, "big")


def read_bytes(buf, pos):
    """(bytes, new pos): a vint length, then that many bytes."""
    n, pos = read_vlong(buf, pos)
    if n < 0 or pos + n > len(buf):
        raise InvalidArgumentError("Writable data: bad length %d at byte %d" % (n, pos))
    return bytes(buf[pos:pos + n]), pos + n


def read_text(buf, pos):
    b, pos = read_bytes(buf, pos)
    return b.decode("utf-8", "surrogateescape"), pos


def write_bytes(b):
    return write_vlong(len(b)) + bytes(b)


def write_text(s):
    return write_bytes(s.encode("utf-8", "surrogateescape"))
