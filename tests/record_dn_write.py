"""Record one block write through a real Hadoop 2.7.3 pipeline of 3 DataNodes.

    python tests/record_dn_write.py            # starts its own minicluster
    python tests/record_dn_write.py --addr 127.0.0.1:PORT   # a running HDFS
                                               # with 3 DataNodes

Writes tests/c/data/dn_write_session.bin, which tests/c/test_dn_write.c
replays into the write engine:

    b"HDWS", then three sections, each a 4-byte big-endian length + bytes:
      the LocatedBlockProto written to (from addBlock, replication 3; its
        numBytes set to the data length N),
      every byte the client sent to the first DataNode (WRITE_BLOCK, the
        packets, the end-of-block packet),
      every byte that DataNode answered (the reply, one ack per packet).

The data is the test's pattern(N, 11), written with one copying write and
a close, default settings. A TCP proxy in front of the first DataNode
records both directions (the LocatedBlockProto saved names the proxy as
that node; the first node's address is not part of the bytes sent). The
DataNodes are real: the answers are what Hadoop says. The client bytes
are what hadoofus sent and the pipeline accepted (the last ack is
SUCCESS from all three nodes); the replay checks the engine still sends
exactly them.
"""

import argparse
import os
import socket
import struct
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "c", "data")
N = 2 * 64512 + 777            # two whole packets and a short one
CLIENT = "DFSClient_hadoofus_recorder"


def pattern(n, seed):
    """tests/c/test_dn_write.c's pattern(): an LCG's bytes."""
    x = (seed * 2654435761 + 1) & 0xFFFFFFFF
    out = bytearray(n)
    for i in range(n):
        x = (x * 1103515245 + 12345) & 0xFFFFFFFF
        out[i] = (x >> 16) & 0xFF
    return out


class Proxy:
    """Accept one connection and relay it to `target`, keeping both
    directions' bytes."""

    def __init__(self, target):
        self.target = target
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.sent = bytearray()       # client -> DataNode
        self.answered = bytearray()   # DataNode -> client
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _pump(self, src, dst, keep):
        while True:
            b = src.recv(65536)
            if not b:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            keep += b
            dst.sendall(b)

    def _run(self):
        c, _ = self.lsock.accept()
        u = socket.create_connection(self.target)
        t = threading.Thread(target=self._pump, args=(u, c, self.answered), daemon=True)
        t.start()
        self._pump(c, u, self.sent)
        t.join()
        c.close()
        u.close()


def record(host, port):
    import hadoofus
    from hadoofus.proto import SCHEMA

    nn = hadoofus.rpc(host, port)
    path = "/hadoofus-recording/dn_write"
    nn.mkdirs("/hadoofus-recording")
    nn.create(path, clientName=CLIENT, overwrite=True, replication=3)
    lb = nn.addBlock(path, CLIENT)
    if len(lb.locs) != 3:
        sys.exit("the pipeline has %d nodes; 3 DataNodes are needed" % len(lb.locs))
    first = lb.locs[0]
    proxy = Proxy((first.ipAddr, first.xferPort))
    first.id.xferPort = proxy.port
    lb.b.numBytes = N
    saved = SCHEMA.messages["hadoop.hdfs.LocatedBlockProto"].encode(lb)
    lb.b.numBytes = 0

    with hadoofus.data(lb, CLIENT).writer() as w:
        w.write(pattern(N, 11))        # a bytearray: the copying path
    proxy.thread.join(30)
    if not nn.complete(path, CLIENT, last=lb):
        import time
        for _ in range(50):
            time.sleep(0.1)
            if nn.complete(path, CLIENT, last=lb):
                break
    nn.delete("/hadoofus-recording", recursive=True)
    return saved, bytes(proxy.sent), bytes(proxy.answered)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--addr", help="HOST:PORT of a running NameNode (3 DataNodes)")
    a = ap.parse_args(argv)
    if a.addr:
        host, port = a.addr.rsplit(":", 1)
        parts = record(host, int(port))
    else:
        from hadoofus.minicluster import MiniCluster
        with MiniCluster(datanodes=3, replication=3) as mc:
            parts = record(mc.host, mc.port)
    out = bytearray(b"HDWS")
    for p in parts:
        out += struct.pack(">I", len(p)) + p
    os.makedirs(DATA, exist_ok=True)
    dst = os.path.join(DATA, "dn_write_session.bin")
    with open(dst, "wb") as f:
        f.write(out)
    print("%s: %d bytes (request+packets %d, answers %d)"
          % (dst, len(out), len(parts[1]), len(parts[2])))


if __name__ == "__main__":
    main()
