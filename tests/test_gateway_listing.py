"""Listings through the gateway streamed page by page (Hoop op=list, WebHDFS
LISTSTATUS), on the session cluster's gateway: directories of more than one
dfs.ls.limit page (1000 in the MiniCluster) answer the very bytes the
one-object encoding gives, in bounded memory, and a directory removed while
it is listed breaks the answer instead of ending it early."""

import http.client
import json
import socket
import types

import pytest

import hadoofus
from hadoofus.gateway import hoop, webhdfs

from gateway_util import target

ENTRIES = 2600        # three pages
FILES = 40            # some of them files, so lengths and block sizes vary


def _dumps(obj):
    return json.dumps(obj, separators=(",", ":")).encode()


def _fill(nn, d, names, files=0):
    """Entries made fast: a pipeline of mkdirs, then `files` empty files."""
    with nn.pipeline() as p:
        futs = [p.mkdirs(d + "/" + n) for n in names[files:]]
    assert all(f.result() for f in futs)
    with nn.pipeline() as p:
        futs = [p.create(d + "/" + n, blockSize=1 << 20) for n in names[:files]]
    [f.result() for f in futs]
    with nn.pipeline() as p:
        futs = [p.complete(d + "/" + n) for n in names[:files]]
    assert all(f.result() for f in futs)


@pytest.fixture(scope="module")
def nn(cluster):
    with hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser) as c:
        yield c


@pytest.fixture(scope="module")
def big(nn):
    d = "/test/gwlist-big"
    nn.delete(d, True)
    names = ["e%05d" % i for i in range(ENTRIES)]
    _fill(nn, d, names, FILES)
    yield d
    nn.delete(d, True)


def _hoop_expected(gateway, nn, d, rx=None):
    req = types.SimpleNamespace(base_url=gateway.url)
    return _dumps([hoop.status_object(req, st, d + "/" + st.path) for st in nn.getListing(d)
                   if rx is None or rx.fullmatch(st.path)])


def _get(gateway, tgt):
    st, h, body = gateway.get(tgt)
    assert st == 200, (st, body[:300])
    assert h["content-type"] == "application/json"
    return h, body


def test_liststatus_streamed_bytes(gateway, nn, cluster, big):
    h, body = _get(gateway, "/webhdfs/v1" + target(big, cluster.superuser, op="LISTSTATUS"))
    assert h.get("transfer-encoding") == "chunked", h
    assert body == _dumps(webhdfs.file_statuses(nn.getListing(big)))
    names = [s["pathSuffix"] for s in json.loads(body)["FileStatuses"]["FileStatus"]]
    assert names == ["e%05d" % i for i in range(ENTRIES)]
    # One page stays one plain body with its length, as before.
    one = big + "/e%05d" % FILES      # a directory
    nn.mkdirs(one + "/x")
    try:
        h, body = _get(gateway, "/webhdfs/v1" + target(one, cluster.superuser, op="LISTSTATUS"))
        assert "transfer-encoding" not in h and int(h["content-length"]) == len(body)
        assert body == _dumps(webhdfs.file_statuses(nn.getListing(one)))
    finally:
        nn.delete(one + "/x", True)


def test_hoop_list_streamed_bytes(gateway, nn, cluster, big):
    h, body = _get(gateway, target(big, cluster.superuser, op="list"))
    assert h.get("transfer-encoding") == "chunked", h
    assert body == _hoop_expected(gateway, nn, big)
    assert len(json.loads(body)) == ENTRIES
    # The filter applies to every page: matches in the first and the last.
    for flt in ("e0000[1-3]", "e02*5", "*9{8,9}", "nomatch*"):
        rx = hoop.glob_regex(flt)
        h, body = _get(gateway, target(big, cluster.superuser, op="list", filter=flt))
        assert body == _hoop_expected(gateway, nn, big, rx), flt
    assert json.loads(body) == []


def _vm(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no %s in /proc/%d/status" % (key, pid))


def test_listing_memory_bounded(gateway_factory, nn, cluster, big):
    """A gateway of its own (no earlier listing has grown its heap), warmed
    by one-page listings: its peak RSS while it lists ENTRIES entries (2.6 MB
    of JSON through Hoop, 1.7 MB through WebHDFS) grows by less than BOUND,
    which a whole listing held in memory passes (7.4 MB measured; this
    code: 1.7 MB)."""
    gw = gateway_factory()
    pid = gw.proc.pid
    su = cluster.superuser
    small = big + "/e%05d" % FILES
    for t in (target(small, su, op="list"), "/webhdfs/v1" + target(small, su, op="LISTSTATUS")):
        _get(gw, t)
    growth = []
    for t in (target(big, su, op="list"), "/webhdfs/v1" + target(big, su, op="LISTSTATUS")):
        base = _vm(pid, "VmRSS")
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")         # resets VmHWM to the current RSS
        _get(gw, t)
        growth.append(_vm(pid, "VmHWM") - base)
    assert max(growth) < BOUND, "peak RSS grew by %s bytes listing %d entries" % (
        growth, ENTRIES)


BOUND = 4 << 20


def test_listing_of_removed_directory_breaks(gateway, nn, cluster):
    """Removed after the first page was sent: the answer is cut, never a
    complete-looking JSON of fewer entries. The entries inherit a group of
    LONG_GROUP characters from their directory (HDFS's BSD rule), so each
    page is ~6 MB of JSON: more than the sockets buffer on loopback (the
    kernel's send buffer grows to tcp_wmem's 4 MB at most), so the gateway
    is still on the first page when the client, which reads 1000 bytes
    only, removes the directory, and the third page is asked for after."""
    su = cluster.superuser
    d = "/test/gwlist-removed"
    names = ["e%05d" % i for i in range(ENTRIES)]
    try:
        for tgt in (target(d, su, op="list"),
                    "/webhdfs/v1" + target(d, su, op="LISTSTATUS")):
            nn.mkdirs(d)
            nn.setOwner(d, None, "g" * LONG_GROUP)
            _fill(nn, d, names)
            assert len(nn.getFileInfo(d + "/" + names[-1]).group) == LONG_GROUP
            conn = http.client.HTTPConnection(gateway.host, gateway.port, timeout=60)
            # A small receive window (set before connecting, so the window
            # scale agrees) keeps what is in flight small too.
            conn.sock = socket.socket()
            conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            conn.sock.settimeout(60)
            conn.sock.connect((gateway.host, gateway.port))
            try:
                conn.request("GET", tgt)
                r = conn.getresponse()
                assert r.status == 200 and r.getheader("transfer-encoding") == "chunked"
                head = r.read(1000)
                assert nn.delete(d, True)
                with pytest.raises(http.client.IncompleteRead) as cut:
                    body = head + r.read()
                    try:
                        json.loads(body)
                    except ValueError:
                        pytest.fail("%s: no error, and %d bytes of broken JSON"
                                    % (tgt[:40], len(body)))
                    pytest.fail("%s: a complete JSON of %d bytes after the directory "
                                "was removed" % (tgt[:40], len(body)))
                assert len(cut.value.partial) < 3 * 1000 * LONG_GROUP, "cut after the end"
            finally:
                conn.close()
    finally:
        nn.delete(d, True)


LONG_GROUP = 6000
