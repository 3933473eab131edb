"""The gateway's WebHDFS v1 face over real HTTP, on the session's real HDFS.

Every op of issue 9 section 3: the JSON shapes of Hadoop's WebHDFS.md,
HttpFS's data flow (OPEN streams itself; CREATE/APPEND answer 307 to the
same URL plus data=true, then take the body as application/octet-stream),
RemoteException errors with WebHDFS's status codes, names that need
quoting. Bytes, checksums, owners, ACLs and xattrs are cross-checked with
Java's FsShell on hdfs://.
"""

import hashlib
import json
import subprocess
import urllib.parse

import pytest

requests = pytest.importorskip("requests")

ALICE = "alice"
NAMES = ["with space", "per%cent", "hash#tag", "quest?ion", "ünï cødé ☃"]
OCTET = {"Content-Type": "application/octet-stream"}


class W:
    """WebHDFS calls as one user."""

    def __init__(self, base, user):
        self.base = base
        self.user = user

    def url(self, path, op, **params):
        q = {"op": op, "user.name": self.user}
        q.update({k: v for k, v in params.items() if v is not None})
        return "%s/webhdfs/v1%s?%s" % (self.base, urllib.parse.quote(path),
                                        urllib.parse.urlencode(q))

    def __call__(self, method, path, op, body=None, headers=None, **params):
        """One request; a 307 is returned, not followed."""
        return requests.request(method, self.url(path, op, **params), data=body,
                                headers=headers, allow_redirects=False, timeout=60)

    def ok(self, method, path, op, **kw):
        r = self(method, path, op, **kw)
        assert r.status_code == 200, (op, r.status_code, r.text)
        return r.json() if r.content else None

    def create(self, path, data, **params):
        """The two steps, as WebHdfsFileSystem does them."""
        r = self("PUT", path, "CREATE", **params)
        assert r.status_code == 307, r.text
        loc = r.headers["Location"]
        r = requests.put(loc, data=data, headers=OCTET, allow_redirects=False, timeout=60)
        assert r.status_code == 201, r.text
        return r

    def read(self, path, **params):
        r = self("GET", path, "OPEN", **params)
        assert r.status_code == 200, r.text
        return r.content

    def status(self, path):
        return self.ok("GET", path, "GETFILESTATUS")["FileStatus"]


def _remote(r, status, exception):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()["RemoteException"]
    assert body["exception"] == exception, body
    assert body["javaClassName"].rsplit(".", 1)[-1] == exception
    assert body["message"]
    return body


def _data(n, tag=b""):
    seed = hashlib.sha256(tag).digest()
    return (seed * (n // len(seed) + 1))[:n]


# `gateway` (conftest.py): the session's gateway process; .url is its base.

@pytest.fixture
def su(gateway, cluster):
    return W(gateway.url, cluster.superuser)


@pytest.fixture
def alice(gateway):
    return W(gateway.url, ALICE)


@pytest.fixture
def home(su, tmp_hdfs_dir):
    """tmp_hdfs_dir, made by the superuser and given to alice."""
    assert su.ok("PUT", tmp_hdfs_dir, "MKDIRS") == {"boolean": True}
    su.ok("PUT", tmp_hdfs_dir, "SETOWNER", owner=ALICE)
    return tmp_hdfs_dir


# -- data: CREATE / OPEN / APPEND / CONCAT / TRUNCATE -----------------------------

def test_create_open_checksum(alice, home, java_client):
    f = home + "/big.bin"
    data = _data(2_500_000, b"big")
    r = alice.create(f, data, blocksize=1 << 20, replication=1, permission="640")
    assert r.headers["Location"] == alice.base + "/webhdfs/v1" + f
    assert r.json() == {"Location": r.headers["Location"]}
    assert java_client.cat(f) == data
    st = alice.status(f)
    assert (st["type"], st["length"], st["owner"], st["permission"], st["blockSize"],
            st["replication"], st["pathSuffix"]) == \
        ("FILE", len(data), ALICE, "640", 1 << 20, 1, "")
    assert alice.read(f) == data
    assert alice.read(f, offset=1_000_000, length=1_200_000) == data[1_000_000:2_200_000]
    assert alice.read(f, offset=2_400_000) == data[2_400_000:]
    assert alice.read(f, offset=len(data)) == b""
    assert alice.read(f, length=0) == b""
    r = requests.head(alice.url(f, "OPEN", offset=100), timeout=30)
    assert r.status_code == 200 and r.headers["Content-Length"] == str(len(data) - 100)
    _remote(alice("GET", f, "OPEN", offset=len(data) + 1), 403, "EOFException")
    _remote(alice("GET", f, "OPEN", offset=-1), 400, "IllegalArgumentException")
    ck = alice.ok("GET", f, "GETFILECHECKSUM")["FileChecksum"]
    algo, hexsum = java_client.checksum(f)
    assert (ck["algorithm"], ck["bytes"], ck["length"]) == (algo, hexsum, 28)


def test_create_redirect_and_noredirect(alice, home):
    f = home + "/r.txt"
    r = alice("PUT", f, "create", overwrite="true", noredirect="false")
    assert r.status_code == 307 and r.content == b""
    loc = urllib.parse.urlsplit(r.headers["Location"])
    q = urllib.parse.parse_qs(loc.query)
    assert loc.path == "/webhdfs/v1" + f
    assert q["op"] == ["CREATE"] and q["data"] == ["true"]
    assert q["user.name"] == [ALICE] and q["overwrite"] == ["true"]
    assert "noredirect" not in q
    r = alice("PUT", f, "CREATE", noredirect="true")
    assert r.status_code == 200
    loc2 = r.json()["Location"]
    q2 = urllib.parse.parse_qs(urllib.parse.urlsplit(loc2).query)
    assert q2["data"] == ["true"] and "noredirect" not in q2
    # Nothing was made by the first step.
    _remote(alice("GET", f, "GETFILESTATUS"), 404, "FileNotFoundException")
    # The upload without application/octet-stream is refused, and makes nothing.
    r = requests.put(loc2, data=b"x", headers={"Content-Type": "text/plain"}, timeout=30)
    _remote(r, 400, "IllegalArgumentException")
    _remote(alice("GET", f, "GETFILESTATUS"), 404, "FileNotFoundException")
    r = requests.put(loc2, data=b"hello", headers=OCTET, timeout=30)
    assert r.status_code == 201
    assert alice.read(f) == b"hello"
    # overwrite defaults to false.
    r = alice("PUT", f, "CREATE", data="true", headers=OCTET)
    _remote(r, 403, "FileAlreadyExistsException")
    r = alice("PUT", f, "CREATE", data="true", overwrite="true", headers=OCTET)
    assert r.status_code == 201
    assert alice.read(f) == b""


def test_curl_follows_redirects(alice, home, tmp_path, java_client):
    """curl -L re-sends the body to the 307's Location (PUT and POST). Over
    1 MiB curl sends `Expect: 100-continue` first, so the 307 goes out
    before any of the body."""
    f = home + "/curl.bin"
    local = tmp_path / "up.bin"
    data = _data(2_100_000, b"curl")
    local.write_bytes(data)
    out = subprocess.run(
        ["curl", "-sS", "-L", "-X", "PUT", "-T", str(local), "-H",
         "Content-Type: application/octet-stream", "-o", "/dev/null", "-w", "%{http_code}",
         alice.url(f, "CREATE")], capture_output=True, check=True)
    assert out.stdout == b"201", out.stderr
    out = subprocess.run(
        ["curl", "-sS", "-L", "-X", "POST", "-T", str(local), "-H",
         "Content-Type: application/octet-stream", "-o", "/dev/null", "-w", "%{http_code}",
         alice.url(f, "APPEND")], capture_output=True, check=True)
    assert out.stdout == b"200", out.stderr
    assert java_client.cat(f) == data + data
    out = subprocess.run(["curl", "-sS", "-L", alice.url(f, "OPEN", offset=10)],
                         capture_output=True, check=True)
    assert out.stdout == (data + data)[10:]


def test_chunked_upload(alice, home, java_client):
    """A body of unknown length (Transfer-Encoding: chunked) streams in."""
    f = home + "/chunked.bin"
    parts = [_data(700_000, b"%d" % i) for i in range(4)]
    loc = alice("PUT", f, "CREATE", noredirect="true").json()["Location"]
    r = requests.put(loc, data=iter(parts), headers=OCTET, timeout=60)
    assert r.status_code == 201, r.text
    loc = alice("POST", f, "APPEND", noredirect="true").json()["Location"]
    r = requests.post(loc, data=iter(parts[:1]), headers=OCTET, timeout=60)
    assert r.status_code == 200, r.text
    assert java_client.cat(f) == b"".join(parts + parts[:1])


def test_append_concat_truncate(alice, home, java_client):
    a, b, c = (home + "/" + n for n in "abc")
    alice.create(a, b"aaaa")
    r = alice("POST", a, "APPEND")
    assert r.status_code == 307
    assert "op=APPEND" in r.headers["Location"] and "data=true" in r.headers["Location"]
    r = requests.post(r.headers["Location"], data=b"AAAA", headers=OCTET, timeout=30)
    assert r.status_code == 200 and r.content == b""
    assert alice.read(a) == b"aaaaAAAA"
    # CONCAT wants full blocks except the last: the files get their own blocksize.
    alice.create(b, b"b" * 512, blocksize=512)
    alice.create(c, b"c" * 100, blocksize=512)
    r = alice("PUT", b, "CONCAT", sources=c)
    _remote(r, 400, "IllegalArgumentException")            # POST only
    assert alice.ok("POST", b, "CONCAT", sources=c) is None
    assert java_client.cat(b) == b"b" * 512 + b"c" * 100
    _remote(alice("GET", c, "GETFILESTATUS"), 404, "FileNotFoundException")
    assert alice.ok("POST", b, "TRUNCATE", newlength=512) == {"boolean": True}
    assert alice.read(b) == b"b" * 512
    _remote(alice("POST", b, "TRUNCATE"), 400, "IllegalArgumentException")


# -- namespace --------------------------------------------------------------------

def test_mkdirs_list_status(alice, home, java_client):
    d = home + "/d"
    assert alice.ok("PUT", d + "/x/y", "MKDIRS", permission="750") == {"boolean": True}
    for n in ("f1", "f2"):
        alice.create(d + "/" + n, n.encode())
    ls = alice.ok("GET", d, "LISTSTATUS")["FileStatuses"]["FileStatus"]
    assert [e["pathSuffix"] for e in ls] == ["f1", "f2", "x"]
    x = ls[2]
    assert x["type"] == "DIRECTORY" and x["permission"] == "750" and x["childrenNum"] == 1
    assert x["length"] == 0 and x["replication"] == 0 and x["owner"] == ALICE
    assert set(x) >= {"accessTime", "blockSize", "childrenNum", "fileId", "group", "length",
                      "modificationTime", "owner", "pathSuffix", "permission",
                      "replication", "storagePolicy", "type"}
    f1 = ls[0]
    assert f1["type"] == "FILE" and f1["length"] == 2 and f1["permission"] == "644"
    [jf1] = [e for e in java_client.ls(d) if e["path"].endswith("/f1")]
    assert (jf1["owner"], jf1["group"], jf1["perm"]) == (f1["owner"], f1["group"], "-rw-r--r--")
    # A file lists as itself, with an empty pathSuffix.
    [only] = alice.ok("GET", d + "/f1", "LISTSTATUS")["FileStatuses"]["FileStatus"]
    assert only["pathSuffix"] == "" and only["length"] == 2
    b = alice.ok("GET", d, "LISTSTATUS_BATCH")["DirectoryListing"]
    assert b["remainingEntries"] == 0
    assert [e["pathSuffix"] for e in b["partialListing"]["FileStatuses"]["FileStatus"]] == \
        ["f1", "f2", "x"]
    b = alice.ok("GET", d, "LISTSTATUS_BATCH", startAfter="f1")["DirectoryListing"]
    assert [e["pathSuffix"] for e in b["partialListing"]["FileStatuses"]["FileStatus"]] == \
        ["f2", "x"]
    _remote(alice("GET", home + "/nope", "LISTSTATUS"), 404, "FileNotFoundException")
    _remote(alice("GET", home + "/nope", "LISTSTATUS_BATCH"), 404, "FileNotFoundException")


def test_liststatus_batches(alice, home, cluster):
    """More entries than dfs.ls.limit (1000): LISTSTATUS_BATCH pages as the
    NameNode does, LISTSTATUS gives them all."""
    import hadoofus
    d = home + "/many"
    names = ["e%04d" % i for i in range(1005)]
    with hadoofus.rpc(cluster.host, cluster.port, user=ALICE) as nn:
        with nn.pipeline() as p:
            for n in names:
                p.mkdirs(d + "/" + n)
    first = alice.ok("GET", d, "LISTSTATUS_BATCH")["DirectoryListing"]
    page = [e["pathSuffix"] for e in first["partialListing"]["FileStatuses"]["FileStatus"]]
    assert page == names[:1000] and first["remainingEntries"] == 5
    rest = alice.ok("GET", d, "LISTSTATUS_BATCH", startAfter=page[-1])["DirectoryListing"]
    assert [e["pathSuffix"] for e in rest["partialListing"]["FileStatuses"]["FileStatus"]] == \
        names[1000:]
    assert rest["remainingEntries"] == 0
    every = alice.ok("GET", d, "LISTSTATUS")["FileStatuses"]["FileStatus"]
    assert [e["pathSuffix"] for e in every] == names


def test_rename_delete(alice, home):
    alice.ok("PUT", home + "/d/e", "MKDIRS")
    alice.create(home + "/d/e/f", b"f")
    assert alice.ok("PUT", home + "/d", "RENAME", destination=home + "//d2/") == {"boolean": True}
    assert alice.ok("PUT", home + "/nope", "RENAME", destination=home + "/x") == \
        {"boolean": False}
    _remote(alice("PUT", home + "/d2", "RENAME", destination="rel"), 400,
            "IllegalArgumentException")
    assert alice.read(home + "/d2/e/f") == b"f"
    r = alice("DELETE", home + "/d2", "DELETE")
    _remote(r, 403, "PathIsNotEmptyDirectoryException")
    assert alice.ok("DELETE", home + "/d2", "DELETE", recursive="true") == {"boolean": True}
    assert alice.ok("DELETE", home + "/d2", "DELETE") == {"boolean": False}


def test_setters(su, alice, home, java_client):
    f = home + "/s"
    alice.create(f, b"0123456789")
    assert alice.ok("PUT", f, "SETPERMISSION", permission="1750") is None
    assert alice.status(f)["permission"] == "1750"
    assert alice.ok("PUT", f, "SETPERMISSION", permission="600") is None
    _remote(alice("PUT", f, "SETPERMISSION", permission="9"), 400, "IllegalArgumentException")
    assert alice.ok("PUT", f, "SETREPLICATION", replication=2) == {"boolean": True}
    assert alice.status(f)["replication"] == 2
    assert alice.ok("PUT", f, "SETTIMES", modificationtime=1_000_000, accesstime=2_000_000) \
        is None
    st = alice.status(f)
    assert (st["modificationTime"], st["accessTime"]) == (1_000_000, 2_000_000)
    assert alice.ok("PUT", f, "SETTIMES", accesstime=3_000_000) is None
    st = alice.status(f)
    assert (st["modificationTime"], st["accessTime"]) == (1_000_000, 3_000_000)
    # Only the superuser may give files away.
    _remote(alice("PUT", f, "SETOWNER", owner="bob"), 403, "AccessControlException")
    _remote(alice("PUT", f, "SETOWNER"), 400, "IllegalArgumentException")
    assert su.ok("PUT", f, "SETOWNER", owner="bob", group="staff") is None
    assert su.ok("PUT", f, "SETOWNER", group="other") is None
    [e] = java_client.ls(f)
    assert (e["owner"], e["group"], e["perm"], e["replication"]) == \
        ("bob", "other", "-rw-------", 2)


def test_summary_quota(su, alice, home):
    d = home + "/q"
    alice.ok("PUT", d + "/sub", "MKDIRS")
    alice.create(d + "/f", b"x" * 1000)
    cs = alice.ok("GET", d, "GETCONTENTSUMMARY")["ContentSummary"]
    assert cs == {"directoryCount": 2, "fileCount": 1, "length": 1000, "quota": -1,
                  "spaceConsumed": 1000, "spaceQuota": -1, "typeQuota": {}}
    _remote(alice("PUT", d, "SETQUOTA", namespacequota=10), 403, "AccessControlException")
    assert su.ok("PUT", d, "SETQUOTA", namespacequota=10, storagespacequota=1 << 30) is None
    qu = alice.ok("GET", d, "GETQUOTAUSAGE")["QuotaUsage"]
    assert qu == {"fileAndDirectoryCount": 3, "quota": 10, "spaceConsumed": 1000,
                  "spaceQuota": 1 << 30, "typeQuota": {}}
    # Long.MAX_VALUE leaves one as it is; -1 clears.
    assert su.ok("PUT", d, "SETQUOTA", namespacequota=-1,
                 storagespacequota=(1 << 63) - 1) is None
    cs = alice.ok("GET", d, "GETCONTENTSUMMARY")["ContentSummary"]
    assert (cs["quota"], cs["spaceQuota"]) == (-1, 1 << 30)
    _remote(alice("GET", home + "/nope", "GETCONTENTSUMMARY"), 404, "FileNotFoundException")


def test_home_trash(alice, su, cluster):
    assert alice.ok("GET", "/", "GETHOMEDIRECTORY") == {"Path": "/user/alice"}
    assert su.ok("GET", "/", "GETHOMEDIRECTORY") == {"Path": "/user/" + cluster.superuser}
    assert alice.ok("GET", "/x", "GETTRASHROOT") == {"Path": "/user/alice/.Trash"}


def test_blocks_defaults_status(alice, home):
    f = home + "/blk"
    alice.create(f, _data(1500, b"blk"), blocksize=512)
    bl = alice.ok("GET", f, "GETFILEBLOCKLOCATIONS")["BlockLocations"]["BlockLocation"]
    assert [(b["offset"], b["length"]) for b in bl] == [(0, 512), (512, 512), (1024, 476)]
    for b in bl:
        [name] = b["names"]
        assert name.startswith("127.0.0.1:") and len(b["hosts"]) == 1
        assert b["topologyPaths"] == ["/default-rack/" + name]
        assert (b["storageTypes"], b["corrupt"], b["cachedHosts"]) == (["DISK"], False, [])
    part = alice.ok("GET", f, "GETFILEBLOCKLOCATIONS", offset=600, length=100)
    assert [b["offset"] for b in part["BlockLocations"]["BlockLocation"]] == [512]
    _remote(alice("GET", home + "/nope", "GETFILEBLOCKLOCATIONS"), 404, "FileNotFoundException")
    d = alice.ok("GET", "/", "GETSERVERDEFAULTS")["FsServerDefaults"]
    assert (d["bytesPerChecksum"], d["checksumType"], d["replication"]) == (512, 2, 1)
    st = alice.ok("GET", "/", "GETSTATUS")["FsStatus"]
    assert st["capacity"] >= st["remaining"] > 0 and st["used"] >= 0
    ls = alice.ok("GET", f, "GETFILELINKSTATUS")["FileStatus"]
    assert (ls["type"], ls["pathSuffix"], ls["length"]) == ("FILE", "", 1500)
    _remote(alice("GET", home + "/nope", "GETFILELINKSTATUS"), 404, "FileNotFoundException")
    _remote(alice("GET", home + "/nope", "GETLINKTARGET"), 404, "FileNotFoundException")


def test_symlink(alice, home):
    """Hadoop 2.x NameNodes refuse symlinks unless built with them on: the
    NameNode's UnsupportedOperationException comes back as WebHDFS's 400."""
    alice.create(home + "/t", b"t")
    r = alice("PUT", home + "/l", "CREATESYMLINK", destination=home + "/t")
    if r.status_code == 200:
        st = alice.ok("GET", home, "LISTSTATUS")["FileStatuses"]["FileStatus"]
        assert any(e["type"] == "SYMLINK" and e["symlink"] == home + "/t" for e in st)
    else:
        _remote(r, 400, "UnsupportedOperationException")
    _remote(alice("PUT", home + "/l", "CREATESYMLINK"), 400, "IllegalArgumentException")


# -- ACLs, xattrs, access -----------------------------------------------------------

def test_acls(alice, home, java_client):
    d = home + "/acl"
    alice.ok("PUT", d, "MKDIRS", permission="750")
    assert alice.ok("PUT", d, "SETACL",
                    aclspec="user::rwx,user:bob:r-x,group::r-x,mask::r-x,other::---") is None
    a = alice.ok("GET", d, "GETACLSTATUS")["AclStatus"]
    assert a == {"entries": ["user:bob:r-x", "group::r-x"], "group": a["group"],
                 "owner": ALICE, "permission": "750", "stickyBit": False}
    assert alice.status(d)["aclBit"] is True
    assert alice.ok("PUT", d, "MODIFYACLENTRIES",
                    aclspec="user:carol:rwx,default:user:bob:r--") is None
    entries = alice.ok("GET", d, "GETACLSTATUS")["AclStatus"]["entries"]
    assert "user:carol:rwx" in entries and "default:user:bob:r--" in entries
    assert "user:carol:rwx" in java_client.getfacl(d)
    assert alice.ok("PUT", d, "REMOVEACLENTRIES", aclspec="user:carol") is None
    assert alice.ok("PUT", d, "REMOVEDEFAULTACL") is None
    assert alice.ok("GET", d, "GETACLSTATUS")["AclStatus"]["entries"] == \
        ["user:bob:r-x", "group::r-x"]
    assert alice.ok("PUT", d, "REMOVEACL") is None
    a = alice.ok("GET", d, "GETACLSTATUS")["AclStatus"]
    assert a["entries"] == [] and "aclBit" not in alice.status(d)
    _remote(alice("PUT", d, "SETACL", aclspec="bogus:x:rwx"), 400, "IllegalArgumentException")
    _remote(alice("PUT", d, "SETACL"), 400, "IllegalArgumentException")


def test_xattrs(alice, home, java_client):
    f = home + "/x"
    alice.create(f, b"x")
    assert alice.ok("PUT", f, "SETXATTR", **{"xattr.name": "user.a",
                                              "xattr.value": '"hello"', "flag": "CREATE"}) is None
    assert alice.ok("PUT", f, "SETXATTR", **{"xattr.name": "user.b",
                                              "xattr.value": "0x00ff10", "flag": "CREATE"}) is None
    _remote(alice("PUT", f, "SETXATTR", **{"xattr.name": "user.a", "xattr.value": "1",
                                           "flag": "CREATE"}), 403, "IOException")
    assert 'user.a="hello"' in java_client.getfattr(f)
    got = alice.ok("GET", f, "GETXATTRS", encoding="HEX")["XAttrs"]
    assert sorted((x["name"], x["value"]) for x in got) == \
        [("user.a", "0x68656c6c6f"), ("user.b", "0x00ff10")]
    got = alice.ok("GET", f, "GETXATTRS", **{"xattr.name": "user.a", "encoding": "text"})
    assert got == {"XAttrs": [{"name": "user.a", "value": '"hello"'}]}
    got = alice.ok("GET", f, "GETXATTRS", **{"xattr.name": "user.b", "encoding": "base64"})
    assert got == {"XAttrs": [{"name": "user.b", "value": "0sAP8Q"}]}
    names = alice.ok("GET", f, "LISTXATTRS")["XAttrNames"]
    assert sorted(json.loads(names)) == ["user.a", "user.b"]
    assert alice.ok("PUT", f, "REMOVEXATTR", **{"xattr.name": "user.a"}) is None
    assert json.loads(alice.ok("GET", f, "LISTXATTRS")["XAttrNames"]) == ["user.b"]
    _remote(alice("GET", f, "GETXATTRS", **{"xattr.name": "user.a"}), 403, "IOException")
    _remote(alice("GET", f, "GETXATTRS", encoding="rot13"), 400, "IllegalArgumentException")


def test_checkaccess(alice, gateway, home):
    f = home + "/private"
    alice.create(f, b"p", permission="600")
    assert alice.ok("GET", f, "CHECKACCESS", fsaction="rw-") is None
    bob = W(gateway.url, "bob")
    _remote(bob("GET", f, "CHECKACCESS", fsaction="r--"), 403, "AccessControlException")
    _remote(bob("GET", f, "OPEN"), 403, "AccessControlException")
    _remote(alice("GET", f, "CHECKACCESS", fsaction="rwz"), 400, "IllegalArgumentException")


# -- storage policies, snapshots -------------------------------------------------------

def test_storage_policies(su, alice, home):
    every = alice.ok("GET", "/", "GETALLSTORAGEPOLICY")["BlockStoragePolicies"]
    byname = {p["name"]: p for p in every["BlockStoragePolicy"]}
    assert byname["HOT"] == {"copyOnCreateFile": False, "creationFallbacks": [], "id": 7,
                             "name": "HOT", "replicationFallbacks": ["ARCHIVE"],
                             "storageTypes": ["DISK"]}
    assert byname["LAZY_PERSIST"]["copyOnCreateFile"] is True
    f = home + "/sp"
    alice.create(f, b"s")
    assert alice.ok("GET", f, "GETSTORAGEPOLICY")["BlockStoragePolicy"]["name"] == "HOT"
    assert alice.ok("PUT", f, "SETSTORAGEPOLICY", storagepolicy="COLD") is None
    assert alice.ok("GET", f, "GETSTORAGEPOLICY")["BlockStoragePolicy"] == byname["COLD"]
    # Hadoop 2.7's NameNode shows the policy id to superusers only.
    assert su.status(f)["storagePolicy"] == byname["COLD"]["id"]
    # Hadoop 2.7's NameNode has no unsetStoragePolicy.
    body = _remote(alice("POST", f, "UNSETSTORAGEPOLICY"), 400, "UnsupportedOperationException")
    assert "unsetStoragePolicy" in body["message"]


def test_snapshots(su, alice, home):
    d = home + "/snap"
    alice.ok("PUT", d, "MKDIRS")
    alice.create(d + "/gone", b"g")
    alice.create(d + "/moved", b"m")
    _remote(alice("PUT", d, "ALLOWSNAPSHOT"), 403, "AccessControlException")
    assert su.ok("PUT", d, "ALLOWSNAPSHOT") is None
    assert alice.ok("PUT", d, "CREATESNAPSHOT", snapshotname="s1") == \
        {"Path": d + "/.snapshot/s1"}
    alice.ok("DELETE", d + "/gone", "DELETE")
    alice.create(d + "/new", b"n")
    alice.ok("PUT", d + "/moved", "RENAME", destination=d + "/moved2")
    assert alice.ok("PUT", d, "CREATESNAPSHOT", snapshotname="s2")["Path"] == \
        d + "/.snapshot/s2"
    diff = alice.ok("GET", d, "GETSNAPSHOTDIFF", oldsnapshotname="s1",
                    snapshotname="s2")["SnapshotDiffReport"]
    assert (diff["snapshotRoot"], diff["fromSnapshot"], diff["toSnapshot"]) == (d, "s1", "s2")
    got = sorted((e["type"], e["sourcePath"], e.get("targetPath")) for e in diff["diffList"])
    assert got == [("CREATE", "new", None), ("DELETE", "gone", None), ("MODIFY", "", None),
                   ("RENAME", "moved", "moved2")]
    assert alice.read(d + "/.snapshot/s1/gone") == b"g"
    lst = alice.ok("GET", "/", "GETSNAPSHOTTABLEDIRECTORYLIST")["SnapshottableDirectoryList"]
    [mine] = [e for e in lst if e["parentFullPath"] + "/" + e["dirStatus"]["pathSuffix"] == d]
    assert mine["snapshotNumber"] == 2 and mine["snapshotQuota"] == 65536
    assert mine["dirStatus"]["type"] == "DIRECTORY"
    assert alice.ok("PUT", d, "RENAMESNAPSHOT", oldsnapshotname="s1", snapshotname="s0") is None
    assert alice.read(d + "/.snapshot/s0/gone") == b"g"
    assert alice.ok("DELETE", d, "DELETESNAPSHOT", snapshotname="s0") is None
    assert alice.ok("DELETE", d, "DELETESNAPSHOT", snapshotname="s2") is None
    _remote(alice("DELETE", d, "DELETESNAPSHOT", snapshotname="s2"), 403, "SnapshotException")
    assert su.ok("PUT", d, "DISALLOWSNAPSHOT") is None


# -- errors, names, parameters --------------------------------------------------------------

def test_errors(alice, home):
    body = _remote(alice("GET", home, "FROBNICATE"), 400, "IllegalArgumentException")
    assert "FROBNICATE" in body["message"]
    _remote(alice("GET", home, "MKDIRS"), 400, "IllegalArgumentException")
    _remote(alice("DELETE", home, "OPEN"), 400, "IllegalArgumentException")
    r = requests.get(alice.base + "/webhdfs/v1/?user.name=alice", timeout=30)
    _remote(r, 400, "IllegalArgumentException")
    # Authentication failures come in the face's shape too.
    r = requests.get(alice.base + "/webhdfs/v1/?op=GETFILESTATUS", timeout=30)
    _remote(r, 401, "AuthenticationException")
    assert "WWW-Authenticate" in r.headers
    body = _remote(alice("GET", home + "/missing", "GETFILESTATUS"), 404,
                   "FileNotFoundException")
    assert body["javaClassName"] == "java.io.FileNotFoundException"
    _remote(alice("GET", home + "/missing", "OPEN"), 404, "FileNotFoundException")
    _remote(alice("GET", home, "OPEN"), 404, "FileNotFoundException")
    _remote(alice("DELETE", home, "DELETE", recursive="maybe"), 400,
            "IllegalArgumentException")
    _remote(alice("PUT", home + "/f", "CREATE", data="true", replication="x",
                  headers=OCTET), 400, "IllegalArgumentException")
    body = _remote(alice("PUT", "/forbidden", "MKDIRS"), 403, "AccessControlException")
    assert body["javaClassName"] == "org.apache.hadoop.security.AccessControlException"
    assert "alice" in body["message"]


def test_doas(gateway, home):
    """The redirect keeps doas=, so the data step runs as the same user."""
    svc = W(gateway.url, "hdfsadmin")
    r = svc("PUT", home + "/proxied", "CREATE", doas=ALICE)
    assert r.status_code == 307
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers["Location"]).query)["doas"] \
        == [ALICE]
    r = requests.put(r.headers["Location"], data=b"p", headers=OCTET, timeout=30)
    assert r.status_code == 201, r.text
    st = svc.ok("GET", home + "/proxied", "GETFILESTATUS", doas=ALICE)["FileStatus"]
    assert st["owner"] == ALICE


def test_case_insensitive(alice, home):
    f = home + "/ci"
    r = requests.put(alice.url(f, "create").replace("op=create", "OP=create") +
                     "&DATA=TRUE&Overwrite=True", data=b"ci", headers=OCTET, timeout=30)
    assert r.status_code == 201, r.text
    r = requests.get(alice.url(f, "open") + "&OFFSET=1", timeout=30)
    assert r.content == b"i"


@pytest.mark.parametrize("name", NAMES)
def test_names(alice, home, java_client, name):
    d = home + "/" + name
    f = d + "/" + name + ".bin"
    data = _data(1000, name.encode())
    assert alice.ok("PUT", d, "MKDIRS") == {"boolean": True}
    r = alice.create(f, data)
    assert r.headers["Location"] == alice.base + "/webhdfs/v1" + urllib.parse.quote(f)
    assert java_client.cat(f) == data
    ls = alice.ok("GET", d, "LISTSTATUS")["FileStatuses"]["FileStatus"]
    assert [e["pathSuffix"] for e in ls] == [name + ".bin"]
    assert alice.read(f, offset=1) == data[1:]
    alice.ok("PUT", f, "RENAME", destination=f + " 2")
    assert alice.read(f + " 2") == data
