"""Record what a real Hadoop 2.7.3 NameNode sends during one client session.

    python tests/record_frames.py            # starts its own minicluster
    python tests/record_frames.py --addr 127.0.0.1:PORT   # an HDFS already running

Writes tests/c/data/nn_session.bin: every byte the NameNode sent, in order,
on one connection made of

    preamble + SASL NEGOTIATE (+ INITIATE SIMPLE) + connection context,
    then the calls
    0 getFileInfo("/")                      -> success, a directory
    1 getServerDefaults()                   -> success
    2 getListing("/")                       -> success
    3 getFileInfo("/no/such/file")          -> success, empty message
    4 mkdirs("no/such/dir")                 -> InvalidPathException (relative)
    5 mkdirs("/hadoofus-denied")            -> AccessControlException
                                               (the session's user is "alice",
                                               who may not write into "/")

tests/c/test_rpc.c replays the stream into the C engine with 6 calls
(ids 0..5) queued after hdfs_rpc_begin(). The same file seeds the fuzz
corpus (tests/c/corpus/rpc/), with shorter sessions cut from it.

The client side is encoded by hand here (a few protobuf messages; field
numbers from csrc/proto/*.proto), so recording needs neither the compiled
extension nor our C engine: the recording must be what Hadoop says, not
what we think it says.
"""

import argparse
import os
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.join(HERE, "c", "data")
CORPUS = os.path.join(HERE, "c", "corpus", "rpc")

PROTOCOL = "org.apache.hadoop.hdfs.protocol.ClientProtocol"
USER = "alice"
CLIENT_ID = bytes(range(0x10, 0x20))  # fixed: recordings stay reproducible

# --- a minimal protobuf encoder -------------------------------------------


def varint(v):
    if v < 0:
        v += 1 << 64
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag32(v):
    return (v << 1) ^ (v >> 31)


def f_varint(field, v):
    return varint(field << 3) + varint(v)


def f_bytes(field, b):
    if isinstance(b, str):
        b = b.encode()
    return varint(field << 3 | 2) + varint(len(b)) + b


def delimited(msg):
    return varint(len(msg)) + msg


def read_varint(buf, pos):
    shift = v = 0
    while True:
        b = buf[pos]
        pos += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, pos


def fields(msg):
    """Decode one message level: [(field, wiretype, value)]."""
    out = []
    pos = 0
    while pos < len(msg):
        key, pos = read_varint(msg, pos)
        field, wt = key >> 3, key & 7
        if wt == 0:
            v, pos = read_varint(msg, pos)
        elif wt == 2:
            n, pos = read_varint(msg, pos)
            v = msg[pos:pos + n]
            pos += n
        elif wt == 1:
            v = msg[pos:pos + 8]
            pos += 8
        elif wt == 5:
            v = msg[pos:pos + 4]
            pos += 4
        else:
            raise ValueError("wire type %d" % wt)
        out.append((field, wt, v))
    return out


# --- Hadoop IPC framing ---------------------------------------------------

RPC_PROTOCOL_BUFFER = 2
SASL_CALLID = -33
CONTEXT_CALLID = -3


def rpc_header(call_id, retry):
    # RpcRequestHeaderProto: rpcKind=1, rpcOp=2, callId=3 (sint32),
    # clientId=4, retryCount=5 (sint32)
    return (f_varint(1, RPC_PROTOCOL_BUFFER) + f_varint(2, 0)
            + f_varint(3, zigzag32(call_id)) + f_bytes(4, CLIENT_ID)
            + f_varint(5, zigzag32(retry)))


def frame(*parts):
    body = b"".join(delimited(p) for p in parts)
    return struct.pack(">I", len(body)) + body


def call_frame(call_id, method, request):
    # RequestHeaderProto: methodName=1, declaringClassProtocolName=2,
    # clientProtocolVersion=3
    rh = f_bytes(1, method) + f_bytes(2, PROTOCOL) + f_varint(3, 1)
    return frame(rpc_header(call_id, 0), rh, request)


def perm(mode):
    return f_varint(1, mode)  # FsPermissionProto.perm


CALLS = [
    ("getFileInfo", f_bytes(1, "/")),
    ("getServerDefaults", b""),
    ("getListing", f_bytes(1, "/") + f_bytes(2, b"") + f_varint(3, 0)),
    ("getFileInfo", f_bytes(1, "/no/such/file")),
    ("mkdirs", f_bytes(1, "no/such/dir") + f_bytes(2, perm(0o755)) + f_varint(3, 0)),
    ("mkdirs", f_bytes(1, "/hadoofus-denied") + f_bytes(2, perm(0o755)) + f_varint(3, 1)),
]
EXPECT_EXCEPTION = {4: "org.apache.hadoop.fs.InvalidPathException",
                    5: "org.apache.hadoop.security.AccessControlException"}


class Recorder:
    def __init__(self, addr, timeout=30.0):
        self.sock = socket.create_connection(addr, timeout=timeout)
        self.recorded = bytearray()
        self.frames = []

    def send(self, b):
        self.sock.sendall(b)

    def _read_exact(self, n):
        out = bytearray()
        while len(out) < n:
            got = self.sock.recv(n - len(out))
            if not got:
                raise ConnectionError("the NameNode closed the connection")
            out += got
        return bytes(out)

    def read_frame(self):
        """One server frame: (call id, status, header fields, rest)."""
        head = self._read_exact(4)
        (n,) = struct.unpack(">I", head)
        body = self._read_exact(n)
        self.recorded += head + body
        self.frames.append(head + body)
        hl, pos = read_varint(body, 0)
        hdr = {f: v for f, _, v in fields(body[pos:pos + hl])}
        rest = body[pos + hl:]
        call_id = hdr.get(1, 0)
        if call_id >= 1 << 31:
            call_id -= 1 << 32
        return call_id, hdr.get(2, 0), hdr, rest

    def close(self):
        self.sock.close()


def record(addr):
    r = Recorder(addr)
    try:
        r.send(b"hrpc" + bytes([9, 0, 0xDF]))
        # RpcSaslProto: state=2 (NEGOTIATE = 1)
        r.send(frame(rpc_header(SASL_CALLID, -1), f_varint(2, 1)))
        cid, status, hdr, rest = r.read_frame()
        if cid != SASL_CALLID or status != 0:
            raise RuntimeError("unexpected answer to the SASL negotiation: %r" % hdr)
        n, pos = read_varint(rest, 0)
        sasl = fields(rest[pos:pos + n])
        state = [v for f, _, v in sasl if f == 2]
        methods = [dict((f, v) for f, _, v in fields(a)).get(1, b"").decode()
                   for f, _, a in sasl if f == 4]
        print("SASL state %s, offered %s" % (state, methods), file=sys.stderr)
        if state != [0] and "SIMPLE" not in methods:
            raise RuntimeError("the NameNode does not offer SIMPLE auth: %r" % methods)
        if state == [1]:
            # Like Hadoop's SaslRpcClient: choosing SIMPLE is announced with
            # an INITIATE naming it, and no answer comes back. (A context
            # sent straight after NEGOTIATE is refused: "Connection header
            # sent during SASL negotiation".)
            initiate = f_varint(2, 2) + f_bytes(4, f_bytes(1, "SIMPLE") + f_bytes(2, ""))
            r.send(frame(rpc_header(SASL_CALLID, -1), initiate))
        # IpcConnectionContextProto: userInfo=2 {effectiveUser=1}, protocol=3
        ctx = f_bytes(2, f_bytes(1, USER)) + f_bytes(3, PROTOCOL)
        r.send(frame(rpc_header(CONTEXT_CALLID, -1), ctx))
        for i, (method, req) in enumerate(CALLS):
            r.send(call_frame(i, method, req))
            cid, status, hdr, rest = r.read_frame()
            exc = hdr.get(4, b"").decode()
            print("call %d %-17s -> id %d status %d %s" % (i, method, cid, status, exc),
                  file=sys.stderr)
            if cid != i:
                raise RuntimeError("answer for call %d while waiting for %d" % (cid, i))
            want = EXPECT_EXCEPTION.get(i)
            if (want or "") != exc:
                raise RuntimeError("call %d (%s): expected %r, got %r: %s"
                                   % (i, method, want, exc, hdr.get(5, b"")))
    finally:
        r.close()
    return bytes(r.recorded), r.frames


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--addr", help="HOST:PORT of a running NameNode (default: start one)")
    p.add_argument("--out", default=os.path.join(DATA, "nn_session.bin"))
    p.add_argument("--corpus", default=CORPUS, help="fuzz seed dir ('' to skip)")
    a = p.parse_args(argv)

    if a.addr:
        host, _, port = a.addr.rpartition(":")
        data, frames = record((host or "127.0.0.1", int(port)))
    else:
        sys.path.insert(0, ROOT)
        from hadoofus.minicluster import MiniCluster
        # No DataNode is needed: every call is a NameNode metadata call.
        with MiniCluster(datanodes=0, replication=1) as mc:
            data, frames = record((mc.host, mc.port))

    write(a.out, data)
    print("wrote %s: %d bytes, %d frames, %d calls" % (a.out, len(data), len(frames),
                                                      len(CALLS)))
    if a.corpus:
        # The whole session, the SASL answer alone, and each call's answer
        # behind the SASL answer (an answer before it is refused at once).
        write(os.path.join(a.corpus, "nn_session"), data)
        write(os.path.join(a.corpus, "nn_sasl"), frames[0])
        for i, fr in enumerate(frames[1:]):
            write(os.path.join(a.corpus, "nn_call_%02d" % i), frames[0] + fr)
        print("seeded %s" % a.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
