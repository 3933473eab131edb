"""Write stdin to an HDFS file block by block, with the NameNode's calls
spelled out: create, then per block addBlock + hadoofus.data(block).write,
then complete. (hadoofus.easy.open(url, "wb") does all of this, and
recovers from failing DataNodes too.)

    some-command | python examples/stdin_to_file.py hdfs://127.0.0.1:8020 [/path]

The NameNode URL comes from argv[1] or $HADOOFUS_NAMENODE. With nothing
piped in (a terminal or an empty stdin), it writes 2 MiB of lines of its own.
"""
import itertools
import os
import sys
import time

import hadoofus

url = sys.argv[1] if len(sys.argv) > 1 else os.environ["HADOOFUS_NAMENODE"]
path = sys.argv[2] if len(sys.argv) > 2 else "/examples/from-stdin.txt"
BLOCK = 1 << 20   # small blocks, so that a modest input spans several

first = b"" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.buffer.read(BLOCK)
if first:
    source = itertools.chain([first], iter(lambda: sys.stdin.buffer.read(BLOCK), b""))
else:   # nothing piped in (say, ./dev.sh run): a few lines of our own
    source = iter([b"".join(b"line %d of a file written block by block\n" % i
                            for i in range(50000))])

nn = hadoofus.rpc(url)
me = nn.client_name                        # the lease holder
st = nn.create(path, clientName=me, overwrite=True, createParent=True,
               blockSize=BLOCK)

pending = b""
last = None                                # the last block written (LocatedBlock)
total = 0
for chunk in source:
    pending += chunk
    while len(pending) >= BLOCK:
        lb = nn.addBlock(path, me, previous=last.b if last else None, fileId=st.fileId)
        hadoofus.data(lb, me).write(pending[:BLOCK])   # every replica finalized
        pending, last, total = pending[BLOCK:], lb, total + BLOCK
if pending:
    lb = nn.addBlock(path, me, previous=last.b if last else None, fileId=st.fileId)
    hadoofus.data(lb, me).write(pending)
    last, total = lb, total + len(pending)

# complete() answers False until the DataNodes have reported the last block.
delay = 0.05
while not nn.complete(path, me, last=last.b if last else None, fileId=st.fileId):
    time.sleep(delay)
    delay = min(2 * delay, 1.0)

info = nn.getFileInfo(path)
print("%s: %d bytes in %d blocks" % (path, info.length, len(nn.getBlockLocations(path))))
assert info.length == total
nn.close()
