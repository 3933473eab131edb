"""Record what a real Hadoop 1.2.1 NameNode sends during one v1 session.

    python tests/record_v1_frames.py       # starts its own 1.2.1 and 2.7.3 clusters

Writes tests/c/data/nn_v1_session.bin: every byte the 1.2.1 NameNode sent
on one connection ("hrpc" 4, auth 0x50, as user "alice") answering

    0 getProtocolVersion(ClientProtocol, 61)   -> long 61
    1 getFileInfo("/")                         -> HdfsFileStatus
    2 getListing("/", [])                      -> DirectoryListing (/f)
    3 getFileInfo("/no/such")                  -> null (a NullInstance)
    4 mkdirs("/denied", 0755)                  -> AccessControlException
    5 getContentSummary("/")                   -> ContentSummary
    6 getStats()                               -> long[]
    7 getBlockLocations("/f", 0, 100)          -> LocatedBlocks, 1 block, 1 DataNode

and tests/c/data/nn_v1_client.bin, what the client sent (encoded by hand
here: the recording must be what Hadoop says to Hadoop's bytes, not to what
our engine thinks), and tests/c/data/nn_v1_mismatch.bin: a 2.7.3
NameNode's answer to the same v1 header (an old-style FATAL
VersionMismatch). tests/c/test_rpc_v1.c replays them whole and byte by
byte; they also seed the fuzz corpus tests/c/corpus/rpc_v1/.

Also tests/c/data/dn_v1_read_session.bin: a 1.2.1 DataNode's answer to a
hand-encoded READ_BLOCK (version 17) of all 1024 bytes of /f (bytes 0..255
four times), replayed by tests/c/test_dn_read_v1.c and seeding
tests/c/corpus/dn_read_v1/. And tests/c/data/dn_v1_write_client.bin +
dn_v1_write_session.bin: a hand-encoded WRITE_BLOCK of 1024 bytes (one
data packet, the empty last one, the i32 0) to a one-DataNode pipeline and
the DataNode's answers (connect ack, two packet acks), replayed by
tests/c/test_dn_write_v1.c. Only the blocks' ids and stamps come from
hadoofus (the installed package's v1 client).
"""

import os
import socket
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "c", "data")
CORPUS = os.path.join(HERE, "c", "corpus", "rpc_v1")
sys.path.insert(0, HERE)

PROTOCOL = "org.apache.hadoop.hdfs.protocol.ClientProtocol"
USER = "alice"


def utf8(s):
    b = s.encode()
    return struct.pack(">H", len(b)) + b


def header(user):
    conn = bytes([len(PROTOCOL)]) + PROTOCOL.encode() + b"\x01" + utf8(user) + b"\x00"
    return b"hrpc\x04\x50" + struct.pack(">i", len(conn)) + conn


def p_str(s):
    return utf8("java.lang.String") + utf8(s)


def p_long(v):
    return utf8("long") + struct.pack(">q", v)


def p_perm(mode):
    cls = "org.apache.hadoop.fs.permission.FsPermission"
    return utf8(cls) + utf8(cls) + struct.pack(">h", mode)


def p_bytes(b):
    return utf8("[B") + struct.pack(">i", len(b)) + b"".join(
        utf8("byte") + bytes([x]) for x in b)


def call(cid, method, *params):
    body = struct.pack(">i", cid) + utf8(method) + struct.pack(">i", len(params)) + \
        b"".join(params)
    return struct.pack(">i", len(body)) + body


CALLS = [
    ("getProtocolVersion", p_str(PROTOCOL), p_long(61)),
    ("getFileInfo", p_str("/")),
    ("getListing", p_str("/"), p_bytes(b"")),
    ("getFileInfo", p_str("/no/such")),
    ("mkdirs", p_str("/denied"), p_perm(0o755)),
    ("getContentSummary", p_str("/")),
    ("getStats",),
    ("getBlockLocations", p_str("/f"), p_long(0), p_long(100)),
]


def text(b):
    return bytes([len(b)]) + b


def read_block_request(block_id, gen_stamp, offset, length, client):
    return (struct.pack(">hBQQqq", 17, 81, block_id, gen_stamp, offset, length)
            + text(client) + text(b"") + text(b"") + text(b"") + text(b""))


def write_block_request(block_id, gen_stamp, client, data):
    import zlib
    req = (struct.pack(">hBQQiB", 17, 80, block_id, gen_stamp, 1, 0) + text(client)
           + b"\x00" + struct.pack(">i", 0) + text(b"") * 4 + struct.pack(">Bi", 1, 512))
    sums = b"".join(struct.pack(">I", zlib.crc32(data[i:i + 512]))
                    for i in range(0, len(data), 512))
    pkt = struct.pack(">iqqBi", 4 + len(sums) + len(data), 0, 0, 0, len(data)) + sums + data
    last = struct.pack(">iqqBi", 4, len(data), 1, 1, 0) + struct.pack(">i", 0)
    return req + pkt + last


def recv_until_quiet(s, want_calls=None, quiet=1.0):
    """Everything the server sends until it is quiet for `quiet` s."""
    s.settimeout(quiet)
    got = bytearray()
    while True:
        try:
            b = s.recv(65536)
        except socket.timeout:
            return bytes(got)
        if not b:
            return bytes(got)
        got += b


def main():
    from conftest import MiniCluster
    os.makedirs(DATA, exist_ok=True)
    os.makedirs(CORPUS, exist_ok=True)
    with MiniCluster(version="1.2.1", datanodes=1, replication=1, heap="128m") as mc:
        with tempfile.NamedTemporaryFile() as f:
            f.write(bytes(range(256)) * 4)
            f.flush()
            mc.fs_shell("-put", f.name, "/f")
        time.sleep(1)   # the block report of /f's replica
        client = header(USER) + b"".join(call(i, *c) for i, c in enumerate(CALLS))
        with socket.create_connection((mc.host, mc.port)) as s:
            s.sendall(client)
            server = recv_until_quiet(s)
        import hadoofus
        lb = hadoofus.rpc(mc.host, mc.port, protocol=80).getBlockLocations("/f")[0]
        dn = lb.locations[0]
        with socket.create_connection((dn.ipAddr, dn.xferPort)) as s:
            s.sendall(read_block_request(lb.b.blockId, lb.b.generationStamp, 0, 1024,
                                         b"recorder"))
            dn_read = recv_until_quiet(s)
        print("block %d stamp %d" % (lb.b.blockId, lb.b.generationStamp))
        c = hadoofus.rpc(mc.host, mc.port, protocol=80)
        c.create("/w", replication=1)
        wb = c.addBlock("/w")
        dn = wb.locations[0]
        dn_write_client = write_block_request(wb.b.blockId, wb.b.generationStamp, b"recorder",
                                              bytes(range(256)) * 4)
        with socket.create_connection((dn.ipAddr, dn.xferPort)) as s:
            s.sendall(dn_write_client)
            dn_write = recv_until_quiet(s)
        print("write block %d stamp %d" % (wb.b.blockId, wb.b.generationStamp))
    with MiniCluster(datanodes=0, replication=1, heap="128m") as mc2:
        with socket.create_connection((mc2.host, mc2.port)) as s:
            s.sendall(header(USER) + call(0, *CALLS[0]))
            mismatch = recv_until_quiet(s)
    for name, data in (("nn_v1_session.bin", server), ("nn_v1_client.bin", client),
                       ("nn_v1_mismatch.bin", mismatch), ("dn_v1_read_session.bin", dn_read),
                       ("dn_v1_write_client.bin", dn_write_client),
                       ("dn_v1_write_session.bin", dn_write)):
        with open(os.path.join(DATA, name), "wb") as f:
            f.write(data)
        print("%s: %d bytes" % (name, len(data)))
    for name, data in (("session", server), ("mismatch", mismatch),
                       ("half", server[:len(server) // 2])):
        with open(os.path.join(CORPUS, name), "wb") as f:
            f.write(data)
    os.makedirs(CORPUS + "/../dn_read_v1", exist_ok=True)
    with open(os.path.join(CORPUS, "..", "dn_read_v1", "session"), "wb") as f:
        f.write(dn_read)


if __name__ == "__main__":
    main()
