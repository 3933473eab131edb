"""Many calls in flight: pipelines and Futures, threads sharing one client,
asyncio, and a NameNode restart under a live client. Real HDFS throughout."""

import asyncio
import socket
import threading
import time

import pytest

import hadoofus
from hadoofus import Future
from conftest import run_threads


@pytest.fixture(scope="module")
def client(cluster):
    with hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser) as c:
        yield c


@pytest.fixture
def d(client, tmp_hdfs_dir):
    assert client.mkdirs(tmp_hdfs_dir)
    return tmp_hdfs_dir


def test_1000_pipelined_calls(client, d):
    n0 = client.num_calls
    t = time.perf_counter()
    with client.pipeline() as p:
        made = [p.mkdirs("%s/d%04d" % (d, i)) for i in range(500)]
        infos = [p.getFileInfo("%s/d%04d" % (d, i)) for i in range(500)]
    elapsed = time.perf_counter() - t
    assert client.num_calls - n0 == 1000 and len(p) == 1000
    assert all(isinstance(f, Future) for f in made)
    assert all(f.result() is True for f in made)
    # Calls on one connection are answered in order, so each getFileInfo saw its mkdirs.
    sts = [f.result() for f in infos]
    assert all(st is not None and st.isdir for st in sts)
    assert len({st.file_id for st in sts}) == 500
    t = time.perf_counter()
    for i in range(100):
        client.getFileInfo("%s/d%04d" % (d, i))
    one_by_one = (time.perf_counter() - t) / 100
    print("\n1000 pipelined calls: %.3f s; a blocking call: %.2f ms"
          % (elapsed, one_by_one * 1000))
    assert len(client.getListing(d)) == 500


def test_submit_and_future_api(client, d):
    f = client.submit("mkdirs", d + "/a", masked=0o700)
    assert f.result(timeout=30) is True
    assert f.done() and f.exception() is None
    g = client.submit("getFileInfo", d + "/a")
    assert g.result().permission == 0o700
    assert g.result() is g.result()                      # kept
    h = client.submit("getFileInfo", src=d + "/missing")
    assert h.result() is None
    # Remote errors wait in the Future for result()/exception().
    bad = client.submit("setPermission", d + "/missing", 0o700)
    assert isinstance(bad.exception(), hadoofus.FileNotFoundException)
    with pytest.raises(hadoofus.FileNotFoundException):
        bad.result()
    # Methods without a wrapper: keyword request fields, the response message.
    raw = client.submit("getCurrentEditLogTxid")
    assert raw.result().txid > 0
    # Multi-call ops work as Futures too (getListing pages, create asks defaults).
    with client.pipeline() as p:
        c = p.create(d + "/f")
        lst = p.getListing(d)
        raw2 = p.call("getFileInfo", src=d + "/a")
    assert c.result().is_file and [s.name for s in lst.result()] in (["a"], ["a", "f"])
    assert raw2.result().fs.isdir
    assert p.results()[0] is c.result()
    assert "done" in repr(c)
    assert client.complete(d + "/f", fileId=c.result().file_id)


def test_future_result_from_many_threads(client, d):
    futs = [client.submit("mkdirs", "%s/m%d" % (d, i)) for i in range(50)]
    out, errs = [], []

    def waiter():
        try:
            out.append([f.result() for f in futs])
        except Exception as e:            # pragma: no cover
            errs.append(e)

    run_threads(waiter, [()] * 4)
    assert not errs and out == [[True] * 50] * 4


def test_eight_threads_share_one_client(client, d):
    errors = []
    counts = [0] * 8

    def work(k):
        try:
            base = "%s/t%d" % (d, k)
            assert client.mkdirs(base)
            for i in range(40):
                p = "%s/f%02d" % (base, i)
                st = client.create(p, replication=1)
                assert st.is_file
                assert client.complete(p, fileId=st.file_id)
                client.setPermission(p, 0o600 + (i % 8))
                assert client.getFileInfo(p).permission == 0o600 + (i % 8)
                if i % 5 == 4:
                    assert client.rename(p, p + ".r")
                    assert client.getFileInfo(p) is None
                if i % 10 == 9:
                    names = [s.name for s in client.getListing(base)]
                    assert len(names) == i + 1, names
                    with client.pipeline() as pl:
                        fs = [pl.getFileInfo("%s/%s" % (base, n)) for n in names]
                    assert all(f.result().is_file for f in fs)
                assert client.getFileInfo("%s/nope%d" % (base, i)) is None
                counts[k] += 1
            assert client.delete(base, recursive=True)
        except Exception as e:
            errors.append((k, e))

    ths = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(timeout=300)
    assert not errors, errors
    assert counts == [40] * 8
    assert client.getListing(d) == []
    assert client.num_connects == 1


def test_threads_pipelining_concurrently(client, d):
    errors = []

    def work(k):
        try:
            with client.pipeline() as p:
                fs = [p.mkdirs("%s/p%d/%d" % (d, k, i)) for i in range(125)]
            assert all(f.result() for f in fs)
        except Exception as e:
            errors.append(e)

    run_threads(work, [(k,) for k in range(8)])
    assert not errors
    assert sum(len(client.getListing("%s/p%d" % (d, k))) for k in range(8)) == 1000


def test_close_with_calls_in_flight(cluster, d):
    c = hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser)
    futs = [c.submit("getListing", "/") for _ in range(200)]
    c.close()
    outcomes = [f.exception() for f in futs]
    assert all(e is None or isinstance(e, hadoofus.HandleClosedError) for e in outcomes)
    with pytest.raises(hadoofus.HandleClosedError):
        c.getFileInfo("/")
    with pytest.raises(hadoofus.HandleClosedError):
        c.submit("getFileInfo", "/").result()


def test_listing_pages_with_small_ls_limit(fresh_cluster):
    mc = fresh_cluster(datanodes=1, replication=1, conf={"dfs.ls.limit": "100"})
    with hadoofus.rpc(mc.host, mc.port, user=mc.superuser) as c:
        with c.pipeline() as p:
            for i in range(250):
                p.mkdirs("/big/e%03d" % i)
        n = c.num_calls
        names = [s.name for s in c.getListing("/big")]
        assert names == ["e%03d" % i for i in range(250)]
        assert c.num_calls - n == 3                      # 100 + 100 + 50
        # One page: what the server sends per call.
        page = c.call("getListing", src="/big", startAfter=b"", needLocation=False)
        assert len(page.dirList.partialListing) == 100
        assert page.dirList.remainingEntries == 150
        n = c.num_calls
        it = c.getListingIter("/big")
        first = [next(it).name for _ in range(100)]
        assert c.num_calls - n == 1 and first[-1] == "e099"
        assert len(list(it)) == 150 and c.num_calls - n == 3
        assert [s.name for s in c.getListing("/big", startAfter="e199")] == \
            ["e%03d" % i for i in range(200, 250)]


def test_namenode_restart_mid_session(fresh_cluster):
    mc = fresh_cluster(datanodes=1, replication=1)
    c = hadoofus.rpc(mc.host, mc.port, user=mc.superuser)
    try:
        assert c.mkdirs("/r/a")
        assert c.num_connects == 1
        stop = threading.Event()
        seen, errors = [0], []

        def reader():
            # Idempotent calls keep working through the outage: the client
            # reconnects and resends them.
            while not stop.is_set():
                try:
                    assert c.getFileInfo("/r/a").isdir
                    seen[0] += 1
                except Exception as e:
                    errors.append(e)
                    return

        t = threading.Thread(target=reader)
        t.start()
        time.sleep(0.3)
        mc.restart_namenode()
        before = seen[0]
        time.sleep(0.5)
        stop.set()
        t.join(60)
        assert not errors, errors
        assert seen[0] > before
        assert c.num_connects >= 2
        # The same object keeps working for everything.
        assert c.getFileInfo("/r/a").isdir
        assert c.mkdirs("/r/b")
        st = c.create("/r/f")
        assert c.complete("/r/f", fileId=st.file_id)
        assert [s.name for s in c.getListing("/r")] == ["a", "b", "f"]
        assert "num_calls=" in repr(c)
        # A pipeline straddling a restart.
        futs = [c.submit("getFileInfo", "/r/%s" % n) for n in ("a", "b", "f") * 20]
        mc.restart_namenode()
        assert all(f.result() is not None for f in futs)
        assert all(c.submit("getFileInfo", "/r/a").result().isdir for _ in range(3))
    finally:
        c.close()


# --- asyncio ---------------------------------------------------------------

def test_aio_client(cluster, d):
    async def main():
        async with hadoofus.aio.rpc(cluster.host, cluster.port, user=cluster.superuser) as a:
            assert "num_calls=0" in repr(a)
            assert (await a.getFileInfo(d)).isdir
            assert await a.getFileInfo(d + "/missing") is None
            oks = await asyncio.gather(*(a.mkdirs("%s/a%04d" % (d, i)) for i in range(500)))
            assert all(oks)
            sts = await asyncio.gather(*(a.getFileInfo("%s/a%04d" % (d, i)) for i in range(500)))
            assert all(st.isdir for st in sts) and a.num_calls == 1002
            assert len(await a.getListing(d)) == 500
            names = [st.name async for st in a.getListingIter(d)]
            assert names == ["a%04d" % i for i in range(500)]
            st = await a.create(d + "/f", masked=0o600)
            assert await a.complete(d + "/f", fileId=st.file_id)
            assert (await a.call("getFileInfo", src=d + "/f")).fs.permission == 0o600
            with pytest.raises(hadoofus.FileNotFoundException):
                await a.setPermission(d + "/missing", 0o700)
            n = a.num_calls
            with pytest.raises(ValueError, match="absolute"):
                await a.getFileInfo("relative")
            assert a.num_calls == n
            # Cancelled calls do not disturb the others.
            tasks = [asyncio.ensure_future(a.getFileInfo(d)) for _ in range(20)]
            tasks[3].cancel()
            tasks[7].cancel()
            res = await asyncio.gather(*tasks, return_exceptions=True)
            assert sum(isinstance(r, asyncio.CancelledError) for r in res) == 2
            assert all(r.isdir for i, r in enumerate(res) if i not in (3, 7))
            assert (await a.getFileInfo(d)).isdir
            # Pending calls fail cleanly when the client closes.
            pending = [asyncio.ensure_future(a.getListing(d)) for _ in range(5)]
            await asyncio.sleep(0)
            a.close()
            res = await asyncio.gather(*pending, return_exceptions=True)
            assert all(isinstance(r, (list, hadoofus.HandleClosedError)) for r in res)
            with pytest.raises(hadoofus.HandleClosedError):
                await a.getFileInfo(d)

    asyncio.run(main())


def test_aio_and_blocking_clients_interleave(cluster, client, d):
    async def main():
        a = hadoofus.aio.rpc(cluster.host, cluster.port, user=cluster.superuser)
        try:
            loop = asyncio.get_running_loop()
            # The blocking client runs in a thread meanwhile.
            blocking = loop.run_in_executor(
                None, lambda: [client.mkdirs("%s/b%d" % (d, i)) for i in range(100)])
            mine = await asyncio.gather(*(a.mkdirs("%s/c%d" % (d, i)) for i in range(100)))
            assert all(mine) and all(await blocking)
            assert len(await a.getListing(d)) == 200
        finally:
            a.close()

    asyncio.run(main())


def test_aio_loop_runs_while_connecting():
    """Connecting happens off the loop: a server that accepts but never
    answers the handshake stalls the calls, not the loop; they then fail
    with the connect timeout."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)   # never accepted: the kernel completes the TCP handshake
    port = srv.getsockname()[1]

    async def main():
        a = hadoofus.aio.rpc("127.0.0.1", port, user="nobody", connect_timeout=1.5)
        ticks = 0

        async def ticker():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        t = asyncio.ensure_future(ticker())
        try:
            calls = [asyncio.ensure_future(a.getFileInfo("/x")) for _ in range(3)]
            res = await asyncio.gather(*calls, return_exceptions=True)
            assert all(isinstance(r, TimeoutError) and "handshake" in str(r) for r in res), res
            assert ticks >= 50, ticks   # the loop ran through the 1.5 s connect
            with pytest.raises(TimeoutError):
                await a.connect()
        finally:
            t.cancel()
            a.close()

    try:
        asyncio.run(main())
    finally:
        srv.close()


def test_aio_namenode_restart(fresh_cluster):
    """asyncio calls in flight through NameNode restarts: idempotent ones
    are resent on the new connection, as with the blocking client."""
    mc = fresh_cluster(datanodes=1, replication=1)

    async def main():
        loop = asyncio.get_running_loop()
        a = hadoofus.aio.rpc(mc.host, mc.port, user=mc.superuser)
        try:
            assert await a.mkdirs("/r/a")
            assert a.num_connects == 1
            stop = False
            seen = [0]

            async def reader():
                while not stop:
                    assert (await a.getFileInfo("/r/a")).isdir
                    seen[0] += 1

            readers = [asyncio.ensure_future(reader()) for _ in range(8)]
            await asyncio.sleep(0.3)
            await loop.run_in_executor(None, mc.restart_namenode)
            before = seen[0]
            await asyncio.sleep(0.5)
            stop = True
            await asyncio.gather(*readers)
            assert seen[0] > before
            assert a.num_connects >= 2
            # A batch straddling a restart.
            futs = [asyncio.ensure_future(a.getFileInfo("/r/a")) for _ in range(60)]
            await asyncio.sleep(0)
            await loop.run_in_executor(None, mc.restart_namenode)
            assert all(st.isdir for st in await asyncio.gather(*futs))
            assert await a.mkdirs("/r/b")
            assert [s.name for s in await a.getListing("/r")] == ["a", "b"]
        finally:
            a.close()

    asyncio.run(main())


_AIO_RACE = r"""
import asyncio, sys, hadoofus.aio
async def main():
    for _ in range(10):
        nn = hadoofus.aio.rpc(sys.argv[1], int(sys.argv[2]))
        async def one(i):
            await asyncio.sleep(0.0001 * (i % 7))
            return await nn.getFileInfo("/")
        await asyncio.gather(*(one(i) for i in range(64)))
        nn.close()
asyncio.run(main())
"""


def test_aio_many_calls_while_connecting(cluster):
    # Calls that arrive just as the off-loop connect finishes (its future
    # done, its callback still queued) used to spin the loop for ever.
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-c", _AIO_RACE, cluster.host, str(cluster.port)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert r.returncode == 0, r.stdout.decode(errors="replace")
