"""The Hoop REST API over real HTTP, on the session cluster's gateway
(python -m hadoofus.gateway as a subprocess; see tests/gateway_util.py).
Bytes are cross-checked with Java's FsShell on the same cluster."""

import json
import os
import socket
import time

import pytest

from gateway_util import target

MIB = 1 << 20


def js(resp):
    st, h, body = resp
    assert h.get("content-type") == "application/json", resp
    return json.loads(body)


@pytest.fixture
def su(cluster):
    return cluster.superuser


@pytest.fixture
def d(gateway, su, tmp_hdfs_dir):
    """A fresh directory, made through the gateway."""
    st, _, body = gateway.request("POST", target(tmp_hdfs_dir, su, op="mkdirs"))
    assert st == 200 and json.loads(body) == {"mkdirs": True}
    return tmp_hdfs_dir


def test_status_and_homedir(gateway):
    st, h, body = gateway.get(target("/", user="alice", op="status"))
    assert st == 200, body
    obj = json.loads(body)
    assert obj["isDir"] is True and obj["path"] == gateway.url + "/"
    assert obj["permission"].startswith("d")
    assert json.loads(gateway.get(target("/", user="alice"))[2]) == \
        {"homeDir": gateway.url + "/user/alice"}
    assert json.loads(gateway.get(target("/x", user="bob", op="homedir"))[2]) == \
        {"homeDir": gateway.url + "/user/bob"}


def test_create_read_cross_checked(gateway, java_client, su, d):
    data = os.urandom(5 * MIB + 123)
    path = d + "/big.bin"
    st, h, body = gateway.request("POST", target(path, su, op="create"), body=data)
    assert st == 201, body
    assert h["location"] == gateway.url + path
    assert body == b""
    assert java_client.cat(path) == data
    st, h, body = gateway.get(target(path, su))
    assert st == 200 and body == data
    assert h["content-type"] == "application/octet-stream"
    assert int(h["content-length"]) == len(data)
    # offset / len, len=-1 to the end, len past the end clipped
    assert gateway.get(target(path, su, op="open", offset=MIB, len=1000))[2] == \
        data[MIB:MIB + 1000]
    assert gateway.get(target(path, su, offset=3 * MIB, len=-1))[2] == data[3 * MIB:]
    assert gateway.get(target(path, su, offset=len(data) - 5, len=100))[2] == data[-5:]
    assert gateway.get(target(path, su, offset=len(data)))[2] == b""
    st, _, body = gateway.get(target(path, su, offset=len(data) + 1))
    assert st == 400 and json.loads(body)["statusCode"] == 400


def test_create_options(gateway, java_client, su, d):
    path = d + "/opts.bin"
    data = os.urandom(3 * MIB)
    st, _, body = gateway.request("POST", target(
        path, su, op="create", replication=2, blocksize=MIB, permission="-rw-r-----"),
        body=data)
    assert st == 201, body
    obj = js(gateway.get(target(path, su, op="status")))
    assert (obj["replication"], obj["blockSize"], obj["len"]) == (2, MIB, len(data))
    assert obj["permission"] == "-rw-r-----"
    assert obj["isDir"] is False and obj["owner"] == su
    ls = java_client.ls(path)[0]
    assert (ls["perm"], ls["replication"], ls["size"]) == ("-rw-r-----", 2, len(data))
    # overwrite defaults to true; overwrite=false on an existing file is 409
    st, _, _ = gateway.request("POST", target(path, su, op="create"), body=b"new")
    assert st == 201
    assert java_client.cat(path) == b"new"
    st, _, body = gateway.request("POST", target(path, su, op="create", overwrite="false"),
                                  body=b"x")
    err = json.loads(body)
    assert st == 409 and err["statusCode"] == 409
    assert err["exception"].endswith("FileAlreadyExistsException")
    assert set(err) == {"statusCode", "reason", "message", "exception"}
    st, _, body = gateway.request("POST", target(d + "/p", su, op="create",
                                                 permission="-rwz------"), body=b"")
    assert st == 400


def test_chunked_upload_and_empty_file(gateway, java_client, su, d):
    data = os.urandom(3 * MIB + 7)
    conn = gateway.connection()

    def gen():
        for i in range(0, len(data), 100000):
            yield data[i:i + 100000]
    conn.request("POST", target(d + "/chunked", su, op="create"), body=gen(),
                 encode_chunked=True, headers={"Transfer-Encoding": "chunked"})
    r = conn.getresponse()
    assert r.status == 201, r.read()
    r.read()
    # keep-alive: the same connection serves the next requests
    st, _, body = gateway.get(target(d + "/chunked", su), conn=conn)
    assert st == 200 and body == data
    st, _, _ = gateway.request("POST", target(d + "/empty", su, op="create"), body=b"",
                               conn=conn)
    assert st == 201
    assert gateway.get(target(d + "/empty", su), conn=conn)[2] == b""
    conn.close()
    assert java_client.cat(d + "/chunked") == data


def test_expect_100_continue(gateway, su, d):
    data = os.urandom(2 * MIB)
    t = target(d + "/expect", su, op="create")
    with socket.create_connection((gateway.host, gateway.port), timeout=30) as s:
        s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                   "Expect: 100-continue\r\n\r\n" % (t, len(data))).encode())
        first = s.recv(100)
        assert first.startswith(b"HTTP/1.1 100 Continue"), first
        s.sendall(data)
        rest = b""
        while b"\r\n\r\n" not in rest:
            rest += s.recv(4096)
        assert b"201 Created" in rest
    assert gateway.get(target(d + "/expect", su))[2] == data
    # Refused before the body: no 100 Continue, the answer straight away.
    with socket.create_connection((gateway.host, gateway.port), timeout=30) as s:
        s.sendall(("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
                   "Expect: 100-continue\r\n\r\n" % (d + "/anon?op=create")).encode())
        assert s.recv(100).startswith(b"HTTP/1.1 401")


def test_append(gateway, java_client, su, d):
    path = d + "/log"
    assert gateway.request("POST", target(path, su, op="create"), body=b"one\n")[0] == 201
    st, _, body = gateway.request("PUT", target(path, su, op="append"), body=b"two\n")
    assert st == 200, body
    more = os.urandom(2 * MIB)
    assert gateway.request("PUT", target(path, su, op="append"), body=more)[0] == 200
    assert java_client.cat(path) == b"one\ntwo\n" + more
    # As FileSystem.append: the file must exist.
    st, _, body = gateway.request("PUT", target(d + "/nope", su, op="append"), body=b"z")
    assert st == 404, body
    assert not java_client.exists(d + "/nope")


def test_mkdirs_list_filter(gateway, su, d):
    st, _, body = gateway.request("POST", target(d + "/sub/deeper", su, op="mkdirs",
                                                 permission="drwxr-x---"))
    assert st == 200 and json.loads(body) == {"mkdirs": True}
    obj = js(gateway.get(target(d + "/sub/deeper", su, op="status")))
    assert obj["isDir"] and obj["permission"] == "drwxr-x---"
    for name in ("a.txt", "b.txt", "c.log", "ab.txt"):
        assert gateway.request("POST", target(d + "/" + name, su, op="create"),
                               body=name.encode())[0] == 201
    lst = js(gateway.get(target(d, su, op="list")))
    assert sorted(o["path"].rsplit("/", 1)[1] for o in lst) == \
        ["a.txt", "ab.txt", "b.txt", "c.log", "sub"]
    by = {o["path"].rsplit("/", 1)[1]: o for o in lst}
    assert by["a.txt"]["len"] == 5 and by["sub"]["isDir"] is True
    assert by["a.txt"]["path"] == gateway.url + d + "/a.txt"
    assert set(by["a.txt"]) == {"path", "isDir", "len", "owner", "group", "permission",
                                "accessTime", "modificationTime", "blockSize", "replication"}

    def names(flt):
        return sorted(o["path"].rsplit("/", 1)[1]
                      for o in js(gateway.get(target(d, su, op="list", filter=flt))))
    assert names("*.txt") == ["a.txt", "ab.txt", "b.txt"]
    assert names("?.txt") == ["a.txt", "b.txt"]
    assert names("{a,c}*") == ["a.txt", "ab.txt", "c.log"]
    assert names("[!a]*") == ["b.txt", "c.log", "sub"]
    assert names("[ab].txt") == ["a.txt", "b.txt"]
    assert names("nomatch*") == []
    # a file lists itself
    assert [o["len"] for o in js(gateway.get(target(d + "/c.log", su, op="list")))] == [5]
    assert gateway.get(target(d + "/missing", su, op="list"))[0] == 404
    assert gateway.get(target(d, su, op="list", filter="{a"))[0] == 400


def test_rename_delete(gateway, java_client, su, d):
    assert gateway.request("POST", target(d + "/f", su, op="create"), body=b"x")[0] == 201
    st, _, body = gateway.request("PUT", target(d + "/f", su, op="rename", to=d + "/g"))
    assert st == 200 and json.loads(body) == {"rename": True}
    assert not java_client.exists(d + "/f") and java_client.cat(d + "/g") == b"x"
    assert gateway.request("PUT", target(d + "/f", su, op="rename"))[0] == 400
    assert gateway.request("POST", target(d + "/dir/inner", su, op="create"),
                           body=b"y")[0] == 201
    st, _, body = gateway.request("DELETE", target(d + "/dir", su))
    assert st == 409, body     # not empty, not recursive
    st, _, body = gateway.request("DELETE", target(d + "/dir", su, recursive="true"))
    assert st == 200 and json.loads(body) == {"delete": True}
    st, _, body = gateway.request("DELETE", target(d + "/g", su, op="delete"))
    assert json.loads(body) == {"delete": True}
    assert json.loads(gateway.request("DELETE", target(d + "/g", su))[2]) == {"delete": False}
    assert not java_client.exists(d + "/dir")


def test_setters(gateway, java_client, su, d):
    path = d + "/f"
    assert gateway.request("POST", target(path, su, op="create"), body=b"abc")[0] == 201
    assert gateway.request("PUT", target(path, su, op="setowner", owner="alice"))[0] == 200
    obj = js(gateway.get(target(path, su, op="status")))
    assert obj["owner"] == "alice" and obj["group"] == "supergroup"
    assert gateway.request("PUT", target(path, su, op="setowner", group="users"))[0] == 200
    assert java_client.ls(path)[0]["owner"] == "alice"
    assert java_client.ls(path)[0]["group"] == "users"
    assert gateway.request("PUT", target(path, su, op="setowner"))[0] == 400
    assert gateway.request("PUT", target(path, su, op="setpermission",
                                         permission="-rwx--x--x"))[0] == 200
    assert java_client.ls(path)[0]["perm"] == "-rwx--x--x"
    assert gateway.request("PUT", target(path, su, op="setpermission",
                                         permission="-rw-r--r-T"))[0] == 200
    assert js(gateway.get(target(path, su, op="status")))["permission"] == "-rw-r--r-T"
    before = js(gateway.get(target(path, su, op="status")))
    assert gateway.request("PUT", target(path, su, op="settimes", mtime=1000000))[0] == 200
    obj = js(gateway.get(target(path, su, op="status")))
    assert obj["modificationTime"] == 1000000 and obj["accessTime"] == before["accessTime"]
    assert gateway.request("PUT", target(path, su, op="settimes", atime=2000000))[0] == 200
    obj = js(gateway.get(target(path, su, op="status")))
    assert (obj["modificationTime"], obj["accessTime"]) == (1000000, 2000000)
    st, _, body = gateway.request("PUT", target(path, su, op="setreplication", replication=2))
    assert st == 200 and json.loads(body) == {"setReplication": True}
    assert java_client.ls(path)[0]["replication"] == 2
    assert gateway.request("PUT", target(path, su, op="setreplication"))[0] == 400
    assert gateway.request("PUT", target(path, su, op="setreplication",
                                         replication="x"))[0] == 400


def test_errors(gateway, su, d):
    st, h, body = gateway.get(target(d + "/missing", su, op="status"))
    err = json.loads(body)
    assert st == 404 and h["content-type"] == "application/json"
    assert err["exception"] == "java.io.FileNotFoundException"
    assert err["reason"] == "Not Found" and "missing" in err["message"]
    assert gateway.get(target(d + "/missing", su))[0] == 404
    assert gateway.get(target(d, su, op="bogus"))[0] == 400
    assert gateway.get(target(d, su, op="create"))[0] == 405
    assert gateway.request("PATCH", target(d, su))[0] == 405
    assert gateway.get(target(d, su, offset="x"))[0] == 400
    st, _, body = gateway.get(target(d, su))       # reading a directory
    assert st in (400, 404) and json.loads(body)["statusCode"] == st


@pytest.mark.parametrize("name", ["with space", "per%cent", "hash#tag", "q?mark",
                                  "üñïçødé €", "a+b&c=d;e"])
def test_odd_names(gateway, java_client, su, d, name):
    path = d + "/" + name
    st, h, body = gateway.request("POST", target(path, su, op="create"), body=name.encode())
    assert st == 201, body
    assert gateway.get(target(path, su))[2] == name.encode()
    lst = js(gateway.get(target(d, su, op="list")))
    from urllib.parse import unquote
    assert [unquote(o["path"][len(gateway.url):]) for o in lst] == [path]
    assert java_client.cat(path) == name.encode()


def test_path_normalisation(gateway, su, d):
    assert gateway.request("POST", target(d + "/n", su, op="create"), body=b"n")[0] == 201
    q = "?user.name=" + su
    for raw in (d + "/x/../n", d + "//n", d + "/./n", d + "/x/%2e%2e/n", d + "/x/%2E%2E/n"):
        st, _, body = gateway.get(raw + q)
        assert (st, body) == (200, b"n"), raw
    # ".." never climbs above "/"
    obj = js(gateway.get("/../../.." + q + "&op=status"))
    assert obj["path"] == gateway.url + "/" and obj["isDir"]
    st, _, body = gateway.get("/%2e%2e/%2e%2e/tmp/../" + q + "&op=status")
    assert st == 200 and json.loads(body)["path"] == gateway.url + "/"
    assert gateway.get("/bad%ff" + q)[0] == 400
    assert gateway.get("/nul%00x" + q)[0] == 400


def test_namenode_from_hadoop_conf_dir(gateway_factory, cluster, java_client, tmp_hdfs_dir):
    gw = gateway_factory(conf_dir=True)
    su = cluster.superuser
    assert gw.request("POST", target(tmp_hdfs_dir + "/c", su, op="create"),
                      body=b"via conf")[0] == 201
    assert java_client.cat(tmp_hdfs_dir + "/c") == b"via conf"
    assert "-> hdfs://" in gw.log()


def test_get_to_slow_reader_exact(gateway, su, d):
    """GET reuses its read buffers: a reader slower than the gateway (a
    small receive window, pauses) leaves chunk tails queued in the server,
    and must still get every byte as written, twice over on one connection
    (the second answer reuses nothing of the first)."""
    data = os.urandom(6 * MIB + 4321)
    path = d + "/slow.bin"
    assert gateway.request("POST", target(path, su, op="create"), body=data)[0] == 201
    conn = gateway.connection()
    conn.sock = socket.socket()
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    conn.sock.settimeout(60)
    conn.sock.connect((gateway.host, gateway.port))
    try:
        for offset in (0, 12345):
            conn.request("GET", target(path, su, offset=offset))
            r = conn.getresponse()
            assert r.status == 200
            got = []
            while True:
                piece = r.read(256 << 10)
                if not piece:
                    break
                got.append(piece)
                time.sleep(0.005)     # slower than the gateway: its sends queue
            body = b"".join(got)
            assert len(body) == len(data) - offset
            assert body == data[offset:], "first wrong byte at %d" % next(
                i for i, (a, b) in enumerate(zip(body, data[offset:])) if a != b)
    finally:
        conn.close()
