"""Record what a real Hadoop 2.7.3 DataNode sends for READ_BLOCK.

    python tests/record_dn_read.py        # starts its own one-DataNode minicluster

Writes tests/c/data/dn_read_session.bin and seeds tests/c/corpus/dn_read/.
Files of known content (the generator below, mirrored in
tests/c/test_dn_reader.c) are written with the Java client, then each read
below is sent to the DataNode on its own connection and every byte the
DataNode answers is kept, up to and including the empty last packet (or
the connection's end, for a refused read). The request and the final
ClientReadStatusProto are encoded by hand here (field numbers from
csrc/proto/datatransfer.proto), so the recording is what Hadoop says, not
what our engine thinks; the NameNode is asked for block locations through
hadoofus.rpc.

File format, all integers big-endian; records one after the other:
    u32 seed, u32 content length      the file's content (see content())
    u64 offset, u64 length            the requested range of its block 0
    u32 flags                         1: sendChecksums=false, no verification
    u32 expect                        0 = success, else the HDFS_E* code negated
    u32 n, then n bytes               the DataNode's stream
"""

import argparse
import os
import socket
import struct
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)   # run as a script under PYTHONSAFEPATH (dev.sh sets it)
from record_frames import fields, varint  # noqa: E402
DATA = os.path.join(HERE, "c", "data", "dn_read_session.bin")
CORPUS = os.path.join(HERE, "c", "corpus", "dn_read")

HDFS_EREMOTE = 5


def content(seed, n):
    """x = x * 1103515245 + 12345 (mod 2^32); each byte is bits 16..23."""
    out = bytearray(n)
    x = seed
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = (x >> 16) & 0xFF
    return bytes(out)


# --- a minimal protobuf encoder (varint, fields: record_frames.py's) -------

def field(num, wt, payload):
    key = varint(num << 3 | wt)
    if wt == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def s(num, text):
    return field(num, 2, text.encode() if isinstance(text, str) else text)


def read_block_request(lb, offset, length, send_checksums):
    b = lb.b
    block = (s(1, b.poolId) + field(2, 0, b.blockId) + field(3, 0, b.generationStamp)
             + field(4, 0, b.numBytes))
    t = lb.blockToken
    token = s(1, t.identifier) + s(2, t.password) + s(3, t.kind) + s(4, t.service)
    base = s(1, block) + s(2, token)
    header = s(1, base) + s(2, "hadoofus-recorder")
    op = (s(1, header) + field(2, 0, offset) + field(3, 0, length)
          + field(4, 0, 1 if send_checksums else 0) + s(5, b""))
    return struct.pack(">HB", 28, 81) + varint(len(op)) + op


def client_read_status(status):
    msg = field(1, 0, status)
    return varint(len(msg)) + msg


# --- reading the DataNode's answer -------------------------------------------

class Conn:
    def __init__(self, addr):
        self.sock = socket.create_connection(addr, timeout=30)
        self.got = bytearray()

    def take(self, n):
        """n more bytes, or fewer at EOF."""
        start = len(self.got)
        while len(self.got) - start < n:
            b = self.sock.recv(n - (len(self.got) - start))
            if not b:
                break
            self.got += b
        return bytes(self.got[start:])

    def varint(self):
        v = shift = 0
        while True:
            b = self.take(1)
            if not b:
                return None
            v |= (b[0] & 0x7F) << shift
            shift += 7
            if not b[0] & 0x80:
                return v


def packet_header(hdr):
    """PacketHeaderProto fields by number (fixed-width ones little-endian)."""
    f = {}
    for num, wt, v in fields(hdr):
        if wt == 1:
            v = struct.unpack("<q", v)[0]
        elif wt == 5:
            v = struct.unpack("<i", v)[0]
        f[num] = v
    return f


def reply_status(msg):
    # BlockOpResponseProto: status = 1 (varint) comes first from Java.
    assert msg[0] == 0x08, msg[:4]
    return msg[1]


def record(addr, lb, offset, length, verify):
    c = Conn(addr)
    c.sock.sendall(read_block_request(lb, offset, length, verify))
    n = c.varint()
    msg = c.take(n)
    if reply_status(msg) != 0:
        c.take(1 << 20)   # to EOF: the DataNode closes after refusing
        c.sock.close()
        return bytes(c.got), HDFS_EREMOTE
    while True:
        plen, hlen = struct.unpack(">IH", c.take(6))
        hdr = c.take(hlen)
        c.take(plen - 4)
        f = packet_header(hdr)
        if f.get(3) and f.get(4) == 0:   # lastPacketInBlock, dataLen 0
            break
    c.sock.sendall(client_read_status(6 if verify else 0))
    c.sock.close()
    return bytes(c.got), 0


# (seed, size, conf) of each file; (file index, offset, length, verify) of each read.
FILES = [
    (1, 140000, {}),
    (2, 20000, {"dfs.checksum.type": "CRC32"}),
    (3, 5000, {"dfs.checksum.type": "NULL"}),
]
READS = [
    (0, 0, 140000, True), (0, 1000, 70000, True), (0, 513, 1, True),
    (0, 139999, 1, True), (0, 0, 0, True), (0, 100, 0, True),
    (0, 65535, 2, True), (0, 3, 65540, False),
    (1, 0, 20000, True), (1, 7, 1000, True),
    (2, 0, 5000, True), (2, 10, 20, True),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.parse_args()
    import hadoofus
    from hadoofus.minicluster import MiniCluster

    out = bytearray()
    seeds = []
    with MiniCluster(datanodes=1, replication=1) as mc, tempfile.TemporaryDirectory() as tmp:
        nn = hadoofus.rpc(mc.host, mc.port, user=mc.superuser)
        lbs = []
        for i, (seed, size, conf) in enumerate(FILES):
            p = os.path.join(tmp, "f%d" % i)
            with open(p, "wb") as f:
                f.write(content(seed, size))
            dopts = []
            for k, v in conf.items():
                dopts += ["-D", "%s=%s" % (k, v)]
            mc.fs_shell(*dopts, "-put", p, "/f%d" % i)
            lbs.append(list(nn.getBlockLocations("/f%d" % i))[0])
        reads = [(lbs[fi], FILES[fi][0], FILES[fi][1], off, n, verify)
                 for fi, off, n, verify in READS]
        # A block the DataNode does not have: an ERROR reply.
        missing = list(nn.getBlockLocations("/f0"))[0]
        missing.b.blockId += 12345
        reads.append((missing, 1, 140000, 0, 10, True))
        for lb, seed, size, off, n, verify in reads:
            loc = lb.locs[0]
            stream, expect = record((loc.ipAddr, loc.xferPort), lb, off, n, verify)
            out += struct.pack(">IIQQII", seed, size, off, n, 0 if verify else 1, expect)
            out += struct.pack(">I", len(stream)) + stream
            seeds.append(struct.pack(">IIB", off, n, 0 if verify else 1) + stream[:4096])
    with open(DATA, "wb") as f:
        f.write(out)
    os.makedirs(CORPUS, exist_ok=True)
    for i, sd in enumerate(seeds):
        with open(os.path.join(CORPUS, "dn_read_%02d" % i), "wb") as f:
            f.write(sd)
    print("wrote %s (%d bytes, %d reads) and %d seeds" % (DATA, len(out), len(seeds), len(seeds)))


if __name__ == "__main__":
    main()
