"""The gateway under faults, over real HTTP: clients that disconnect or stall
mid-body, slow or oversized request heads, a graceful shutdown during an
upload, DataNodes killed during a GET and a PUT (a private cluster), and 32
concurrent clients reading and writing."""

import concurrent.futures
import json
import os
import signal
import socket
import time

import pytest

import hadoofus
from gateway_util import target

MIB = 1 << 20


def nn_of(cluster):
    return hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser)


def wait_for(pred, timeout=30, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def start_upload(gw, t, length, sent, method="POST"):
    """A raw socket with a request head for `length` body bytes and `sent`
    of them already sent."""
    s = socket.create_connection((gw.host, gw.port), timeout=60)
    s.sendall(("%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
               "Content-Type: application/octet-stream\r\n\r\n"
               % (method, t, length)).encode())
    s.sendall(sent)
    return s


def read_head(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        got = s.recv(65536)
        if not got:
            break
        buf += got
    return buf


def test_disconnect_mid_create_leaves_no_file(gateway, cluster, tmp_hdfs_dir):
    su = cluster.superuser
    nn = nn_of(cluster)
    nn.mkdirs(tmp_hdfs_dir)
    path = tmp_hdfs_dir + "/partial"
    s = start_upload(gateway, target(path, su, op="create"), 16 * MIB, os.urandom(3 * MIB))
    wait_for(lambda: nn.getFileInfo(path) is not None, what="the file to be created")
    s.close()
    # The writer is closed (lease released) and the partial new file deleted.
    wait_for(lambda: nn.getFileInfo(path) is None, what="the partial file to go")
    assert gateway.get(target(tmp_hdfs_dir, su, op="list"))[2] == b"[]"


def test_disconnect_mid_append_keeps_closed_prefix(gateway, cluster, java_client,
                                                   tmp_hdfs_dir):
    su = cluster.superuser
    nn = nn_of(cluster)
    path = tmp_hdfs_dir + "/log"
    head = os.urandom(MIB)
    assert gateway.request("POST", target(path, su, op="create"), body=head)[0] == 201
    more = os.urandom(3 * MIB)
    s = start_upload(gateway, target(path, su, op="append"), 16 * MIB, more, method="PUT")
    wait_for(lambda: not nn.isFileClosed(path), what="the append to start")
    s.close()
    wait_for(lambda: nn.isFileClosed(path), what="the file to be closed")
    n = nn.getFileInfo(path).length
    assert MIB <= n <= 4 * MIB
    got = java_client.cat(path)
    assert got == (head + more)[:n]
    # and nobody holds a lease: another append goes through at once
    assert gateway.request("PUT", target(path, su, op="append"), body=b"end")[0] == 200
    assert java_client.cat(path) == got + b"end"


def test_disconnect_mid_get_stops_reading(gateway, cluster, tmp_hdfs_dir):
    su = cluster.superuser
    path = tmp_hdfs_dir + "/big"
    data = os.urandom(48 * MIB)
    assert gateway.request("POST", target(path, su, op="create"), body=data)[0] == 201
    with socket.create_connection((gateway.host, gateway.port), timeout=60) as s:
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % target(path, su)).encode())
        assert read_head(s).startswith(b"HTTP/1.1 200")
    # The gateway notices and stops reading HDFS for the gone client.
    wait_for(lambda: "%s: client gone after" % path in gateway.log(), 30,
             "the gateway to notice the disconnect")
    line = [ln for ln in gateway.log().splitlines() if "%s: client gone after" % path in ln][0]
    assert int(line.split("client gone after ")[1].split()[0]) < len(data)
    assert gateway.get(target(path, su, op="status"))[0] == 200


def test_stalled_body_times_out(gateway_factory, cluster, tmp_hdfs_dir):
    gw = gateway_factory(["--body-timeout", "2"])
    su = cluster.superuser
    nn = nn_of(cluster)
    path = tmp_hdfs_dir + "/stalled"
    s = start_upload(gw, target(path, su, op="create"), 4 * MIB, os.urandom(MIB))
    t0 = time.monotonic()
    head = read_head(s)
    assert head.startswith(b"HTTP/1.1 408"), head
    assert time.monotonic() - t0 < 30
    s.close()
    wait_for(lambda: nn.getFileInfo(path) is None, what="the partial file to go")


def test_request_head_limits(gateway_factory, cluster):
    gw = gateway_factory(["--header-timeout", "1", "--max-url", "2000",
                          "--max-header-bytes", "8000"])
    su = cluster.superuser
    # a head that never ends
    with socket.create_connection((gw.host, gw.port), timeout=30) as s:
        s.sendall(b"GET /?op=status&user.name=" + su.encode() + b" HTTP/1.1\r\nHost: x\r\n")
        t0 = time.monotonic()
        assert read_head(s).startswith(b"HTTP/1.1 408")
        assert time.monotonic() - t0 < 10
        assert s.recv(100) == b""          # closed
    # a connection that sends nothing is closed too
    with socket.create_connection((gw.host, gw.port), timeout=30) as s:
        assert s.recv(100).startswith(b"HTTP/1.1 408")
    # oversized target and head
    st, _, _ = gw.get("/" + "a" * 3000 + "?user.name=" + su)
    assert st == 414
    st, _, _ = gw.get("/?op=status&user.name=" + su, headers={"X-Big": "b" * 9000})
    assert st == 431
    # each refusal has its access-log line
    log = gw.log()
    assert '" 414 0 0 (request target too long)' in log
    assert '" 431 0 0 (request head too large)' in log
    assert log.count(" 408 0 0 (request head not received in time)") == 2
    # within the limits all is well, on a keep-alive connection
    conn = gw.connection()
    for _ in range(3):
        st, _, _ = gw.get("/?op=status&user.name=" + su, conn=conn)
        assert st == 200
    conn.close()


def test_graceful_shutdown_completes_upload(gateway_factory, cluster, java_client,
                                            tmp_hdfs_dir):
    gw = gateway_factory(["--graceful-timeout", "20"])
    su = cluster.superuser
    path = tmp_hdfs_dir + "/finished"
    data = os.urandom(6 * MIB)
    s = start_upload(gw, target(path, su, op="create"), len(data), data[:2 * MIB])
    nn = nn_of(cluster)
    wait_for(lambda: nn.getFileInfo(path) is not None, what="the file to be created")
    gw.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    s.sendall(data[2 * MIB:])
    assert read_head(s).startswith(b"HTTP/1.1 201")
    s.close()
    # uvicorn re-raises the signal once it has stopped gracefully
    assert gw.proc.wait(30) in (0, -signal.SIGTERM)
    assert "Traceback" not in gw.log(), gw.log()
    assert nn.isFileClosed(path)
    assert java_client.cat(path) == data


def test_graceful_shutdown_cut_upload_closes_file(gateway_factory, cluster, tmp_hdfs_dir):
    gw = gateway_factory(["--graceful-timeout", "1"])
    su = cluster.superuser
    path = tmp_hdfs_dir + "/cut"
    s = start_upload(gw, target(path, su, op="create"), 8 * MIB, os.urandom(2 * MIB))
    nn = nn_of(cluster)
    wait_for(lambda: nn.getFileInfo(path) is not None, what="the file to be created")
    gw.proc.send_signal(signal.SIGTERM)
    gw.proc.wait(30)
    s.close()
    # cut uploads of new files are deleted: nothing under construction stays
    assert nn.getFileInfo(path) is None
    assert "Traceback" not in gw.log(), gw.log()


def test_concurrent_clients(gateway, cluster, java_client, tmp_hdfs_dir):
    su = cluster.superuser
    shared = os.urandom(8 * MIB)
    assert gateway.request("POST", target(tmp_hdfs_dir + "/shared", su, op="create"),
                           body=shared)[0] == 201

    def client(i):
        conn = gateway.connection()
        try:
            mine = os.urandom(MIB + i * 1000)
            p = "%s/c%02d" % (tmp_hdfs_dir, i)
            st, _, body = gateway.request("POST", target(p, su, op="create"), body=mine,
                                          conn=conn)
            assert st == 201, body
            st, _, body = gateway.get(target(tmp_hdfs_dir + "/shared", su), conn=conn)
            assert st == 200 and body == shared
            st, _, body = gateway.get(target(p, su), conn=conn)
            assert st == 200 and body == mine
            off = (i * 97531) % len(shared)
            st, _, body = gateway.get(target(tmp_hdfs_dir + "/shared", su, offset=off,
                                             len=MIB), conn=conn)
            assert body == shared[off:off + MIB]
            return mine
        finally:
            conn.close()
    with concurrent.futures.ThreadPoolExecutor(32) as ex:
        written = list(ex.map(client, range(32)))
    lst = json.loads(gateway.get(target(tmp_hdfs_dir, su, op="list"))[2])
    assert len(lst) == 33
    assert java_client.cat(tmp_hdfs_dir + "/c07") == written[7]
    assert java_client.cat(tmp_hdfs_dir + "/c31") == written[31]


@pytest.mark.slow
def test_datanode_killed_during_put_and_get(fresh_cluster, gateway_factory):
    mc = fresh_cluster(datanodes=3, replication=3,
                       conf={"dfs.namenode.replication.pending.timeout-sec": 5})
    gw = gateway_factory(cluster_=mc)
    su = mc.superuser
    data = os.urandom(64 * MIB)
    path = "/faults/gw-put"

    # PUT: a pipeline DataNode (with 3 of 3, each is one) dies mid-upload.
    def body():
        for i in range(0, len(data), MIB):
            if i == 24 * MIB:
                mc.kill_datanode(1)
            yield data[i:i + MIB]
    conn = gw.connection(timeout=120)
    conn.request("POST", target(path, su, op="create", replication=3, blocksize=8 * MIB),
                 body=body(), encode_chunked=True, headers={"Transfer-Encoding": "chunked"})
    r = conn.getresponse()
    assert r.status == 201, r.read()
    r.read()
    conn.close()
    assert mc.fs_shell("-cat", path).stdout == data
    mc.restart_datanode(1)

    # GET: a DataNode dies while the body streams; replicas fail over.
    # (DataNode 1 missed the blocks written after it died: 0 and 2 hold
    # every block, so only one of them may go.)
    conn = gw.connection(timeout=120)
    conn.request("GET", target(path, su))
    r = conn.getresponse()
    assert r.status == 200 and int(r.getheader("content-length")) == len(data)
    got = bytearray(r.read(10 * MIB))
    mc.kill_datanode(0)
    got += r.read()
    conn.close()
    assert bytes(got) == data
    assert gw.proc.poll() is None


@pytest.mark.slow
def test_namenode_restart(fresh_cluster, gateway_factory):
    mc = fresh_cluster(datanodes=1, replication=1)
    gw = gateway_factory(cluster_=mc)
    su = mc.superuser
    data = os.urandom(3 * MIB)
    assert gw.request("POST", target("/nnr/f", su, op="create"), body=data)[0] == 201
    conn = gw.connection()
    assert gw.get(target("/nnr/f", su, op="status"), conn=conn)[0] == 200
    mc.restart_namenode()
    # The gateway's cached NameNode handles reconnect; the same keep-alive
    # connection goes on.
    st, _, body = gw.get(target("/nnr/f", su), conn=conn)
    assert st == 200 and body == data
    assert gw.request("POST", target("/nnr/g", su, op="create"), body=data,
                      conn=conn)[0] == 201
    conn.close()
    assert mc.fs_shell("-cat", "/nnr/g").stdout == data


def test_raw_utf8_request_line(gateway, cluster, java_client, tmp_hdfs_dir):
    # Java's WebHdfsFileSystem sends UTF-8 names unencoded in the request
    # line. They are quoted for the parser; a body's bytes are never touched,
    # even a first body line full of non-ASCII bytes; and a request line
    # split mid-character over two packets works too.
    import http.client
    su = cluster.superuser
    hadoofus.rpc(cluster.host, cluster.port, user=su).mkdirs(tmp_hdfs_dir)
    path = tmp_hdfs_dir + "/raw ünï ☃"
    body = "ü☃\r\n".encode() * 3 + bytes(range(256))
    with socket.create_connection((gateway.host, gateway.port), timeout=60) as s:
        line = ("PUT /webhdfs/v1%s?op=CREATE&data=true&user.name=%s HTTP/1.1\r\n" % (
            path.replace(" ", "%20"), su)).encode()
        s.sendall(line + b"Host: x\r\nContent-Type: application/octet-stream\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body) + body)
        r = http.client.HTTPResponse(s)
        r.begin()
        assert r.status == 201, r.read()
        r.read()
        line = ("GET /webhdfs/v1%s?op=OPEN&user.name=%s HTTP/1.1\r\nHost: x\r\n\r\n" % (
            path.replace(" ", "%20"), su)).encode()
        cut = line.index("☃".encode()) + 1
        s.sendall(line[:cut])
        time.sleep(0.2)
        s.sendall(line[cut:])
        r = http.client.HTTPResponse(s)
        r.begin()
        assert r.status == 200
        assert r.read() == body
    assert java_client.cat(path) == body
