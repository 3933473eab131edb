"""Read an HDFS file like a local one: open, seek to byte 512, read 200.

    python examples/easy_read_seek.py hdfs://127.0.0.1:8020

The NameNode URL comes from argv[1] or $HADOOFUS_NAMENODE. The example
first writes a 10 KiB file there, then reads it back.
"""
import os
import sys

from hadoofus import easy

url = sys.argv[1] if len(sys.argv) > 1 else os.environ["HADOOFUS_NAMENODE"]
path = "/examples/easy-read-seek.bin"
data = bytes(range(256)) * 40

with easy.open(url + path, "wb") as f:
    f.write(data)

# -- read it ---------------------------------------------------------------
with easy.open(url + path, "rb") as f:
    print("%s: %d bytes" % (f.name, f.length))
    f.seek(512)
    chunk = f.read(200)
    print("read(200) at %d: %s..." % (512, chunk[:8].hex()))
    assert chunk == data[512:712] and f.tell() == 712
    # positional reads leave the position alone (and may run in threads)
    assert f.pread(0, 4) == data[:4] and f.tell() == 712
print("ok")
