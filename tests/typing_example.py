"""A typed user of the public API: tests/test_typing.py runs mypy on it
(every annotation here must agree with the package's) and then runs it
against the live cluster, checking that what the hints say is what comes
back."""

import asyncio
from typing import Dict, List, Optional

import hadoofus
import hadoofus.aio
from hadoofus import easy
from hadoofus.fsspec import HadoofusFileSystem


def sync_api(host: str, port: int, base: str) -> None:
    nn: hadoofus.rpc = hadoofus.rpc(host, port, connect_timeout=10.0)
    made: bool = nn.mkdirs(base + "/d", 0o750)
    assert made
    st: Optional[hadoofus.FileStatus] = nn.getFileInfo(base + "/d")
    assert st is not None and isinstance(st, hadoofus.FileStatus)
    assert st.isdir and st.permission == 0o750
    listing: List[hadoofus.FileStatus] = nn.getListing(base)
    assert [s.path for s in listing] == ["d"]
    with nn.pipeline() as p:
        futs: List[hadoofus.Future[Optional[hadoofus.FileStatus]]] = [
            p.getFileInfo(base + "/%d" % i) for i in range(3)]
    assert all(f.result() is None for f in futs)
    try:
        nn.delete(base + "/absent/x", recursive=False)
    except hadoofus.FileNotFoundException as e:
        name: str = e.simple_name
        assert name == "FileNotFoundException"

    with easy.open("hdfs://%s:%d%s/f.bin" % (host, port, base), "wb") as w:
        n: int = w.write(b"x" * 100)
        assert n == 100
    with easy.open("hdfs://%s:%d%s/f.bin" % (host, port, base), "rb") as r:
        head: bytes = r.pread(0, 10)
        assert head == b"x" * 10 and r.length == 100
    with easy.open("hdfs://%s:%d%s/f.bin" % (host, port, base)) as t:
        text: str = t.read()
        assert text == "x" * 100
    cs: easy.FileChecksum = easy.checksum("hdfs://%s:%d%s/f.bin" % (host, port, base))
    digest: str = cs.hex()
    assert len(digest) == 56

    fs = HadoofusFileSystem(host, port)
    info: Dict[str, object] = fs.info(base + "/f.bin")
    assert info["size"] == 100
    data: bytes = fs.cat_file(base + "/f.bin", start=90)
    assert data == b"x" * 10

    home: str = hadoofus.conf.user("alice")
    assert home == "alice"
    nn.close()


def security_api(host: str, port: int) -> None:
    # The security options, all off on this cluster.
    nn = hadoofus.rpc(host, port, protocol=9, kerberos=False, token=None)
    principal: Optional[str] = nn.kerberos_principal
    assert principal is None
    tok: Optional[hadoofus.Token] = nn.token
    assert tok is None or isinstance(tok, hadoofus.Token)
    service: str = nn.token_service
    assert service.endswith(":%d" % port)
    nn.close()


async def async_api(host: str, port: int, base: str) -> None:
    async with hadoofus.aio.rpc(host, port, kerberos=False) as nn:
        st: Optional[hadoofus.FileStatus] = await nn.getFileInfo(base + "/f.bin")
        assert st is not None and st.length == 100
        names: List[str] = [s.path async for s in nn.getListingIter(base)]
        assert names == ["d", "f.bin"]


def main(host: str, port: int, base: str) -> None:
    sync_api(host, port, base)
    security_api(host, port)
    asyncio.run(async_api(host, port, base))


if __name__ == "__main__":
    import sys
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
    print("typing example ok")
