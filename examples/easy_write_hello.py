"""Write a file like a local one: "Hello, world!" into HDFS, read it back.

    python examples/easy_write_hello.py hdfs://127.0.0.1:8020

The NameNode URL comes from argv[1] or $HADOOFUS_NAMENODE. easy.open(...,
"w") creates the file (and its parent directories), the text goes through
a DataNode pipeline, and close() returns once the NameNode has completed
the file. flush() would be hflush: readers see everything written so far.
"""
import os
import sys

from hadoofus import easy

url = sys.argv[1] if len(sys.argv) > 1 else os.environ["HADOOFUS_NAMENODE"]
path = url.rstrip("/") + "/examples/hello.txt"

with easy.open(path, "w") as f:
    f.write("Hello, world!\n")

with easy.open(path) as f:
    text = f.read()
print(repr(text))
assert text == "Hello, world!\n"
