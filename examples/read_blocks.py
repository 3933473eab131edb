"""Read a file block by block: ask the NameNode where the blocks are
(getBlockLocations), then fetch each from its DataNodes with hadoofus.data.

    python examples/read_blocks.py hdfs://127.0.0.1:8020

The NameNode URL comes from argv[1] or $HADOOFUS_NAMENODE. A 3-block file
(1 MiB blocks) is written there first; each block is read whole, checked, and
the blocks joined equal what easy.open reads.
"""
import hashlib
import os
import sys

import hadoofus
from hadoofus import easy

url = sys.argv[1] if len(sys.argv) > 1 else os.environ["HADOOFUS_NAMENODE"]
path = "/examples/read-blocks.bin"
BS = 1 << 20
data = hashlib.sha256(b"seed").digest() * (BS * 5 // 2 // 32 + 1)   # ~2.5 MiB

with easy.open(url + path, "wb", blocksize=BS) as f:
    f.write(data)

nn = hadoofus.rpc(url)
parts = []
for lb in nn.getBlockLocations(path):          # LocatedBlock, file order
    block = hadoofus.data(lb, nn.client_name).read()
    print("block %d: offset %d, %d bytes, on %s" % (
        lb.b.blockId, lb.offset, len(block), ", ".join("%s:%d" % d.xfer_addr for d in lb.locs)))
    parts.append(block)
assert b"".join(parts) == data
with easy.open(url + path, "rb") as f:
    assert f.read() == data
nn.close()
print("ok: %d blocks, %d bytes" % (len(parts), len(data)))
