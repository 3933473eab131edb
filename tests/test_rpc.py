"""hadoofus.rpc against a real NameNode (tests/conftest.py's minicluster).

Every ClientProtocol method the client wraps is called at least once and its
effect is checked through another call (or the Java client)."""

import errno
import re
import time

import pytest

import hadoofus
from hadoofus import proto
from hadoofus.types import AclEntry, FileStatus, LocatedBlock


@pytest.fixture(scope="module")
def client(cluster):
    with hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser) as c:
        yield c


@pytest.fixture(scope="module")
def alice(cluster):
    with hadoofus.rpc(cluster.host, cluster.port, user="alice") as c:
        yield c


@pytest.fixture(scope="module")
def bob(cluster):
    with hadoofus.rpc(cluster.host, cluster.port, user="bob") as c:
        yield c


@pytest.fixture
def d(client, tmp_hdfs_dir):
    """A fresh world-writable directory."""
    assert client.mkdirs(tmp_hdfs_dir, 0o777)
    client.setPermission(tmp_hdfs_dir, 0o777)
    return tmp_hdfs_dir


def wait_for(fn, timeout=30.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(interval)


def make_file(client, path, **kw):
    """create + complete an empty file."""
    st = client.create(path, **kw)
    assert client.complete(path, fileId=st.fileId)
    return st


# --- the client object ----------------------------------------------------

def test_repr_and_counters(cluster, client):
    c = hadoofus.rpc(cluster.host, cluster.port, user="hdfs")
    assert repr(c) == ("rpc(address='127.0.0.1', port=%d, num_calls=0, "
                       "protocol='org.apache.hadoop.hdfs.protocol.ClientProtocol', "
                       "user='hdfs')" % cluster.port)
    c.getFileInfo("/")
    c.getFileInfo("/")
    c.getListing("/")
    assert re.search(r"num_calls=3,", repr(c))
    assert c.num_connects == 1
    c.close()
    c.close()
    with pytest.raises(hadoofus.HandleClosedError):
        c.getFileInfo("/")
    assert "num_calls=" in repr(c)


def test_user_defaults_to_hadoop_user_name(cluster, monkeypatch):
    monkeypatch.setenv("HADOOP_USER_NAME", "carol")
    with hadoofus.rpc(cluster.host, cluster.port) as c:
        assert c.user == "carol"
        assert c.getFileInfo("/").isdir
    monkeypatch.delenv("HADOOP_USER_NAME")
    import getpass
    with hadoofus.rpc(cluster.url) as c:         # an hdfs:// URL works too
        assert c.user == getpass.getuser() and c.port == cluster.port


def test_generic_call(client, d):
    r = client.call("getFileInfo", src=d)
    assert type(r).__name__ == "GetFileInfoResponseProto" and r.fs.isdir
    r = client.call("getFileInfo", {"src": d + "/missing"})
    assert r.fs is None and not r._has("fs")
    assert client.call("getCurrentEditLogTxid").txid > 0
    n = client.num_calls
    with pytest.raises(ValueError, match="unknown ClientProtocol method"):
        client.call("noSuchMethod")
    with pytest.raises(TypeError, match="has no field 'nope'"):
        client.call("getFileInfo", nope=1)
    with pytest.raises(ValueError, match="GetFileInfoRequestProto.src is required"):
        client.call("getFileInfo")
    assert client.num_calls == n


# --- reads ---------------------------------------------------------------

def test_getFileInfo(client, d):
    assert client.getFileInfo(d + "/missing") is None
    assert client.getFileInfo(d + "/missing/deeper") is None
    st = client.getFileInfo(d)
    assert isinstance(st, FileStatus) and st.isdir and not st.is_symlink
    assert st.permission == 0o777 and st.owner == client.user
    assert st.path == st.name == ""       # Java's local name of the path itself
    assert st.children_num == 0 and st.file_id > 16384 and st.mtime > 1e12
    assert client.getFileInfo(d.encode()).file_id == st.file_id     # bytes paths
    lst = client.getFileLinkInfo(d)
    assert lst.file_id == st.file_id
    assert client.getFileLinkInfo(d + "/missing") is None


def test_mkdirs_listing_delete(client, d):
    assert client.mkdirs(d + "/a/b/c", masked=0o750)
    assert client.getFileInfo(d + "/a/b/c").permission == 0o750
    with pytest.raises(hadoofus.FileNotFoundException) as ei:
        client.mkdirs(d + "/x/y", createParent=False)
    assert isinstance(ei.value, FileNotFoundError) and ei.value.errno == errno.ENOENT
    assert client.mkdirs(d + "/x/y", create_parent=True)     # snake_case keyword
    make_file(client, d + "/f")
    names = [s.name for s in client.getListing(d)]
    assert names == ["a", "f", "x"]
    # A file lists as itself.
    [me] = client.getListing(d + "/f")
    assert me.is_file
    with pytest.raises(hadoofus.FileNotFoundException):
        client.getListing(d + "/missing")
    with pytest.raises(hadoofus.PathIsNotEmptyDirectoryException) as ei:
        client.delete(d + "/a")
    assert isinstance(ei.value, OSError) and ei.value.errno == errno.ENOTEMPTY
    assert client.delete(d + "/a", recursive=True)
    assert not client.delete(d + "/a", recursive=True)   # already gone: False
    assert [s.name for s in client.getListing(d)] == ["f", "x"]
    with pytest.raises(hadoofus.ParentNotDirectoryException) as ei:
        client.mkdirs(d + "/f/sub", createParent=False)
    assert isinstance(ei.value, NotADirectoryError)


def test_getListing_start_after_and_iter(client, d):
    with client.pipeline() as p:
        for i in range(20):
            p.mkdirs("%s/e%02d" % (d, i))
    assert [s.name for s in client.getListing(d, startAfter="e14")] == \
        ["e%02d" % i for i in range(15, 20)]
    assert [s.name for s in client.getListing(d, start_after=b"e17")] == ["e18", "e19"]
    assert [s.name for s in client.getListingIter(d)] == ["e%02d" % i for i in range(20)]
    with pytest.raises(hadoofus.FileNotFoundException):
        list(client.getListingIter(d + "/nope"))


def test_getListing_3000_entries_pages(client, d):
    """3,000 entries made with pipelined calls; the listing takes pages of
    dfs.ls.limit (1000 in the minicluster) -- three calls."""
    with client.pipeline() as p:
        for i in range(1500):
            p.mkdirs("%s/d%04d" % (d, i))
        creates = [p.create("%s/f%04d" % (d, i), replication=1) for i in range(1500)]
    with client.pipeline() as p:
        done = [p.complete("%s/f%04d" % (d, i), fileId=f.result().fileId)
                for i, f in enumerate(creates)]
    assert all(f.result() for f in done)
    n = client.num_calls
    sts = client.getListing(d)
    assert client.num_calls - n == 3
    assert len(sts) == 3000
    assert [s.name for s in sts] == sorted(["d%04d" % i for i in range(1500)] +
                                           ["f%04d" % i for i in range(1500)])
    assert sum(s.isdir for s in sts) == 1500
    n = client.num_calls
    assert sum(1 for _ in client.getListingIter(d)) == 3000
    assert client.num_calls - n == 3
    assert client.getFileInfo(d).children_num == 3000


def test_getContentSummary_and_quota(client, d):
    make_file(client, d + "/f")
    client.mkdirs(d + "/sub")
    cs = client.getContentSummary(d)
    assert (cs.file_count, cs.directory_count, cs.length) == (1, 2, 0)
    assert cs.quota == -1 and cs.space_quota == -1        # none (Java's -1)
    client.setQuota(d, namespaceQuota=4, storagespaceQuota=10 ** 9)
    cs = client.getContentSummary(d)
    assert cs.quota == 4 and cs.space_quota == 10 ** 9
    client.mkdirs(d + "/sub2")                        # 4 names now: d, f, sub, sub2
    with pytest.raises(hadoofus.NSQuotaExceededException) as ei:
        client.mkdirs(d + "/sub3")
    assert isinstance(ei.value, hadoofus.QuotaExceededException)
    assert isinstance(ei.value, OSError) and ei.value.errno == errno.EDQUOT
    client.setQuota(d, -1, None)                       # clear ns, keep space
    cs = client.getContentSummary(d)
    assert cs.quota == -1 and cs.space_quota == 10 ** 9
    assert client.mkdirs(d + "/sub3")
    client.setQuota(d, None, -1, storageType=None)
    assert client.getContentSummary(d).space_quota == -1
    n = client.num_calls
    with pytest.raises(ValueError):
        client.setQuota(d, 0, None)
    with pytest.raises(ValueError):
        client.setQuota(d, None, -5)
    with pytest.raises(ValueError):
        client.setQuota(d, None, 5, storageType="FLOPPY")
    assert client.num_calls == n


def test_fs_stats_datanodes_server_defaults(cluster, client):
    s = client.getFsStats()
    assert s.capacity > 0 and s.remaining > 0 and s.capacity >= s.used
    # Other tests on this shared cluster corrupt replication-1 replicas on
    # purpose (a block whose only replica is corrupt counts as missing):
    # check the fields decode, not the cluster's health.
    assert all(isinstance(v, int) and v >= 0 for v in (
        s.missing_blocks, s.corrupt_blocks, s.under_replicated))
    live = client.getDatanodeReport("LIVE")
    assert len(live) == len(cluster.datanodes)
    assert sorted(dn.xferPort for dn in live) == sorted(dn.xfer_port for dn in cluster.datanodes)
    assert all(dn.ipAddr == "127.0.0.1" and dn.admin_state.name == "NORMAL" for dn in live)
    assert client.getDatanodeReport("dead") == []
    assert len(client.getDatanodeReport()) == len(live)
    with pytest.raises(ValueError):
        client.getDatanodeReport("SOME")
    sd = client.getServerDefaults()
    assert sd.replication == cluster.replication and sd.block_size >= 1 << 20
    assert sd.bytes_per_checksum == 512 and sd.checksum_type.name.startswith("CHECKSUM_")
    assert repr(sd).startswith("FsServerDefaults(block_size=")
    assert client.setSafeMode("get") is False


# --- creating and writing ---------------------------------------------------

def test_create_and_complete(cluster, client, d):
    st = client.create(d + "/f", masked=0o600, replication=2, blockSize=1 << 20)
    assert isinstance(st, FileStatus) and st.is_file and st.size == 0
    assert (st.permission, st.replication, st.blocksize) == (0o600, 2, 1 << 20)
    assert not client.isFileClosed(d + "/f")
    assert client.complete(d + "/f", fileId=st.fileId)
    assert client.isFileClosed(d + "/f")
    assert client.getPreferredBlockSize(d + "/f") == 1 << 20
    with pytest.raises(hadoofus.FileAlreadyExistsException) as ei:
        client.create(d + "/f")
    assert isinstance(ei.value, FileExistsError) and ei.value.errno == errno.EEXIST
    st2 = client.create(d + "/f", overwrite=True)
    assert st2.file_id != st.file_id
    client.complete(d + "/f", fileId=st2.file_id)
    st3 = client.create(d + "/f", flag="CREATE|OVERWRITE", masked=0o640)
    client.complete(d + "/f", fileId=st3.file_id)
    assert client.getFileInfo(d + "/f").permission == 0o640
    # Defaults from the server.
    st4 = client.create(d + "/g")
    sd = client.getServerDefaults()
    assert st4.replication == sd.replication and st4.blocksize == sd.blockSize
    client.complete(d + "/g", fileId=st4.file_id)
    with pytest.raises(hadoofus.FileNotFoundException):
        client.create(d + "/nope/f", createParent=False)


def test_block_write_path_calls(client, d):
    """addBlock / abandonBlock / updateBlockForPipeline / updatePipeline /
    getAdditionalDatanode / fsync / complete on a file (no data sent)."""
    src = d + "/w"
    st = client.create(src, replication=1)
    lb = client.addBlock(src, fileId=st.file_id)
    assert isinstance(lb, LocatedBlock) and len(lb.locations) == 1 and lb.offset == 0
    assert lb.block.pool_id.startswith("BP-") and lb.block.num_bytes == 0
    client.abandonBlock(lb.block, src, fileId=st.file_id)
    assert len(client.getBlockLocations(src)) == 0
    lb = client.addBlock(src, fileId=st.file_id, excludeNodes=lb.locations)
    assert len(client.getBlockLocations(src)) == 1
    up = client.updateBlockForPipeline(lb.block)
    assert up.block.block_id == lb.block.block_id
    assert up.block.generation_stamp > lb.block.generation_stamp
    assert up.offset == -1
    newb = proto.ExtendedBlockProto(poolId=lb.block.poolId, blockId=lb.block.blockId,
                                    generationStamp=up.block.generationStamp, numBytes=0)
    client.updatePipeline(None, lb.block, newb, lb.locations, lb.storageIDs)
    assert client.getBlockLocations(src).last_block.block.generation_stamp == \
        up.block.generation_stamp
    more = client.getAdditionalDatanode(src, newb, lb.locations, lb.storageIDs, [], 1,
                                        fileId=st.file_id)
    assert len(more.locations) == 2
    assert lb.locations[0].uuid in [x.uuid for x in more.locations]
    client.fsync(src, lastBlockLength=0, fileId=st.file_id)
    # The block never got data, so it cannot be complete; drop it and close.
    assert client.complete(src, last=newb, fileId=st.file_id) is False
    client.abandonBlock(newb, src, fileId=st.file_id)
    assert client.complete(src, fileId=st.file_id) is True
    assert client.isFileClosed(src)


def test_leases_append_recover(cluster, client, d, java_client):
    other = hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser)
    try:
        st = client.create(d + "/open")
        client.renewLease()
        with pytest.raises(hadoofus.AlreadyBeingCreatedException):
            other.create(d + "/open")
        # No blocks: recovery closes the file at once.
        assert other.recoverLease(d + "/open") in (True, False)
        assert wait_for(lambda: other.recoverLease(d + "/open"))
        assert client.isFileClosed(d + "/open")
        # 2.7: "No lease on ..."; 3.x: "... does not have any open files."
        with pytest.raises(hadoofus.LeaseExpiredException,
                           match="No lease|does not have any open files"):
            client.addBlock(d + "/open", fileId=st.file_id)

        java_client.put(b"0123456789" * 10, d + "/data")
        last, status = client.append(d + "/data")
        assert isinstance(last, LocatedBlock) and last.length == 100
        assert status.size == 100
        with pytest.raises(hadoofus.AlreadyBeingCreatedException):
            other.append(d + "/data")
        assert not client.isFileClosed(d + "/data")
        # The last block has a replica: recovery goes through a DataNode.
        assert other.recoverLease(d + "/data") is False
        assert wait_for(lambda: other.isFileClosed(d + "/data"))
        assert java_client.cat(d + "/data") == b"0123456789" * 10
    finally:
        other.close()


def test_block_locations_and_bad_blocks(cluster, client, d, java_client):
    data = bytes(range(256)) * 12            # 3072 bytes: three 1 KiB blocks
    java_client.put(data, d + "/m", blocksize=1024)
    lbs = client.getBlockLocations(d + "/m")
    assert lbs.file_length == 3072 and not lbs.under_construction
    assert [b.offset for b in lbs] == [0, 1024, 2048]
    assert [b.length for b in lbs] == [1024] * 3
    assert len(lbs) == 3 and lbs[2].block == lbs.last_block.block
    ports = {dn.xfer_port for dn in cluster.datanodes}
    assert all(b.locations[0].xfer_port in ports for b in lbs)
    assert all(not b.corrupt and b.token is not None for b in lbs)
    [(dn, sid, kind)] = lbs[0].storages
    assert dn is lbs[0].locations[0] and sid.startswith("DS-") and kind.name == "DISK"
    part = client.getBlockLocations(d + "/m", offset=1500, length=10)
    assert [b.offset for b in part] == [1024]
    assert len(client.getBlockLocations(d + "/m", 2048)) == 1
    with pytest.raises(hadoofus.FileNotFoundException):
        client.getBlockLocations(d + "/missing")
    n = client.num_calls
    with pytest.raises(ValueError):
        client.getBlockLocations(d + "/m", -1)
    with pytest.raises(ValueError):
        client.getBlockLocations(d + "/m", 0, -5)
    assert client.num_calls == n
    # The only replica of block 1 reported bad: the block is corrupt.
    client.reportBadBlocks([lbs[1]])
    assert wait_for(lambda: client.getBlockLocations(d + "/m")[1].corrupt)
    cfb = wait_for(lambda: d + "/m" in client.listCorruptFileBlocks(d).files and
                   client.listCorruptFileBlocks(d))
    assert cfb.files == [d + "/m"] and cfb.cookie
    assert client.listCorruptFileBlocks(d, cookie=cfb.cookie).files == []
    client.delete(d + "/m")


def test_rename_rename2_concat_truncate(client, d, java_client):
    make_file(client, d + "/a")
    assert client.rename(d + "/a", d + "/b")
    assert client.getFileInfo(d + "/a") is None and client.getFileInfo(d + "/b")
    assert client.rename(d + "/missing", d + "/c") is False
    make_file(client, d + "/c")
    with pytest.raises(hadoofus.FileAlreadyExistsException):
        client.rename2(d + "/b", d + "/c")
    client.rename2(d + "/b", d + "/c", overwrite=True)
    assert client.getFileInfo(d + "/b") is None
    # concat of three files with data.
    parts = [b"A" * 700, b"B" * 300, b"C" * 50]
    for i, p in enumerate(parts):
        java_client.put(p, "%s/p%d" % (d, i))
    client.concat(d + "/p0", [d + "/p1", d + "/p2"])
    assert client.getFileInfo(d + "/p0").size == 1050
    assert client.getFileInfo(d + "/p1") is None and client.getFileInfo(d + "/p2") is None
    assert java_client.cat(d + "/p0") == b"".join(parts)
    # truncate: in the middle of a block needs block recovery (False)...
    assert client.truncate(d + "/p0", 600) is False
    assert wait_for(lambda: client.isFileClosed(d + "/p0"))
    assert client.getFileInfo(d + "/p0").size == 600
    assert java_client.cat(d + "/p0") == b"A" * 600
    # ... to zero it is done at once (True).
    assert client.truncate(d + "/p0", 0) is True
    assert client.getFileInfo(d + "/p0").size == 0
    n = client.num_calls
    with pytest.raises(ValueError):
        client.truncate(d + "/p0", -1)
    with pytest.raises(TypeError):
        client.concat(d + "/p0", d + "/p1")
    with pytest.raises(ValueError):
        client.concat(d + "/p0", [])
    assert client.num_calls == n


# --- attributes ----------------------------------------------------------

def test_setPermission_setOwner_setTimes_setReplication(client, d):
    make_file(client, d + "/f", replication=1)
    client.setPermission(d + "/f", 0o751)
    assert client.getFileInfo(d + "/f").permission == 0o751
    client.mkdirs(d + "/sticky")
    client.setPermission(d + "/sticky", 0o1777)
    assert client.getFileInfo(d + "/sticky").permission == 0o1777
    client.setOwner(d + "/f", username="alice", groupname="users")
    st = client.getFileInfo(d + "/f")
    assert (st.owner, st.group) == ("alice", "users")
    client.setOwner(d + "/f", groupname="supergroup")
    st = client.getFileInfo(d + "/f")
    assert (st.owner, st.group) == ("alice", "supergroup")
    client.setTimes(d + "/f", 1234567890123, 1111111111111)
    st = client.getFileInfo(d + "/f")
    assert (st.mtime, st.atime) == (1234567890123, 1111111111111)
    client.setTimes(d + "/f", -1, 2222222222222)          # -1: unchanged
    st = client.getFileInfo(d + "/f")
    assert (st.mtime, st.atime) == (1234567890123, 2222222222222)
    assert client.setReplication(d + "/f", 3) is True
    assert client.getFileInfo(d + "/f").replication == 3
    assert client.setReplication(d, 2) is False            # a directory
    with pytest.raises(hadoofus.FileNotFoundException):
        client.setPermission(d + "/missing", 0o700)
    n = client.num_calls
    with pytest.raises(ValueError):
        client.setOwner(d + "/f")
    with pytest.raises(ValueError, match="0..0o7777"):
        client.setPermission(d + "/f", 0o10000)
    with pytest.raises(ValueError):
        client.setReplication(d + "/f", 0)
    with pytest.raises(ValueError):
        client.setTimes(d + "/f", -2, 0)
    assert client.num_calls == n


def test_symlinks_are_disabled_in_hadoop2(client, d):
    """Hadoop 2 NameNodes refuse symlinks unless the JVM-wide
    FileSystem.enableSymlinks() test hook is on."""
    make_file(client, d + "/target")
    with pytest.raises(hadoofus.UnsupportedOperationException) as ei:
        client.createSymlink(d + "/target", d + "/link")
    assert ei.value.etype == "java.lang.UnsupportedOperationException"
    assert "Symlinks not supported" in str(ei.value)
    assert client.getFileInfo(d + "/link") is None
    with pytest.raises(hadoofus.ProtocolException, match="is not a symbolic link"):
        client.getLinkTarget(d + "/target")
    with pytest.raises(hadoofus.FileNotFoundException):
        client.getLinkTarget(d + "/link")
    assert client.getFileLinkInfo(d + "/target").is_file
    n = client.num_calls
    with pytest.raises(ValueError):
        client.createSymlink("", d + "/link")
    with pytest.raises(ValueError):
        client.createSymlink(d + "/target", "link")
    assert client.num_calls == n


def test_snapshots(client, d):
    client.mkdirs(d + "/s")
    make_file(client, d + "/s/keep")
    make_file(client, d + "/s/gone")
    client.allowSnapshot(d + "/s")
    assert d + "/s" in [x.full_path for x in client.getSnapshottableDirListing()]
    path = client.createSnapshot(d + "/s", "one")
    assert path == d + "/s/.snapshot/one"
    assert client.getFileInfo(path + "/gone").is_file
    client.delete(d + "/s/gone")
    make_file(client, d + "/s/new")
    client.rename(d + "/s/keep", d + "/s/kept")
    auto = client.createSnapshot(root=d + "/s")          # Java's default name
    assert auto.startswith(d + "/s/.snapshot/s")
    rep = client.getSnapshotDiffReport(d + "/s", "one", "")
    got = sorted((e.type, e.path, e.target) for e in rep.entries)
    assert ("+", "new", None) in got and ("-", "gone", None) in got
    assert ("R", "keep", "kept") in got and ("M", "", None) in got
    assert "Difference between snapshot one and current directory" in str(rep)
    assert list(client.getSnapshotDiffReport(d + "/s", "one", auto.rsplit("/", 1)[1])) != []
    client.renameSnapshot(d + "/s", "one", "uno")
    assert client.getFileInfo(d + "/s/.snapshot/uno/gone").is_file
    with pytest.raises(hadoofus.SnapshotException):
        client.disallowSnapshot(d + "/s")                # snapshots remain
    with pytest.raises(hadoofus.SnapshotException):
        client.deleteSnapshot(d + "/s", "nope")
    client.deleteSnapshot(d + "/s", "uno")
    client.deleteSnapshot(d + "/s", name=auto.rsplit("/", 1)[1])
    client.disallowSnapshot(d + "/s")
    assert d + "/s" not in [x.full_path for x in client.getSnapshottableDirListing()]


def test_acls(cluster, client, bob, d):
    client.mkdirs(d + "/acl", 0o700)
    with pytest.raises(hadoofus.AccessControlException):
        bob.getListing(d + "/acl")
    client.setAcl(d + "/acl", "user::rwx,group::---,other::---,user:bob:r-x")
    st = client.getAclStatus(d + "/acl")
    assert [str(e) for e in st.entries] == ["user:bob:r-x", "group::---"]
    assert st.owner == cluster.superuser and not st.sticky
    assert bob.getListing(d + "/acl") == []
    client.modifyAclEntries(d + "/acl", [AclEntry.parse("default:user:bob:rwx"),
                                         "user:alice:rw-"])
    entries = [str(e) for e in client.getAclStatus(d + "/acl").entries]
    assert "user:alice:rw-" in entries and "default:user:bob:rwx" in entries
    client.removeAclEntries(d + "/acl", ["user:bob"])
    entries = [str(e) for e in client.getAclStatus(d + "/acl").entries]
    assert "user:bob:r-x" not in entries and "default:user:bob:rwx" in entries
    with pytest.raises(hadoofus.AccessControlException):
        bob.getListing(d + "/acl")
    client.removeDefaultAcl(d + "/acl")
    assert not any(e.is_default for e in client.getAclStatus(d + "/acl").entries)
    client.removeAcl(d + "/acl")
    assert client.getAclStatus(d + "/acl").entries == []
    e = AclEntry.parse("default:group:staff:r-x")
    assert e.is_default and e.name == "staff" and e.permission.name == "READ_EXECUTE"
    assert str(e) == "default:group:staff:r-x" and str(AclEntry.parse("mask::rw")) == "mask::rw-"
    n = client.num_calls
    for bad in ("user:bob", "wizard:bob:rwx", "user:bob:rwz", "other:bob:r--"):
        with pytest.raises(ValueError):
            client.setAcl(d + "/acl", [bad])
    with pytest.raises(TypeError):
        client.setAcl(d + "/acl", [42])
    assert client.num_calls == n


def test_xattrs(client, alice, d):
    make_file(client, d + "/x")
    client.setXAttr(d + "/x", "user.color", b"blue")
    client.setXAttr(d + "/x", "user.empty", None)
    client.setXAttr(d + "/x", "trusted.secret", "s3cret")
    assert client.getXAttrs(d + "/x") == {"user.color": b"blue", "user.empty": b"",
                                          "trusted.secret": b"s3cret"}
    assert client.getXAttrs(d + "/x", ["user.color"]) == {"user.color": b"blue"}
    assert sorted(client.listXAttrs(d + "/x")) == ["trusted.secret", "user.color", "user.empty"]
    with pytest.raises(hadoofus.ProtocolException, match="already exists"):
        client.setXAttr(d + "/x", "user.color", b"red", flag="CREATE")
    with pytest.raises(hadoofus.ProtocolException):
        client.setXAttr(d + "/x", "user.nope", b"red", flag=["REPLACE"])
    client.setXAttr(d + "/x", "user.color", b"red", flag="REPLACE")
    assert client.getXAttrs(d + "/x", names=["user.color"])["user.color"] == b"red"
    with pytest.raises(hadoofus.ProtocolException, match="not found"):
        client.getXAttrs(d + "/x", ["user.missing"])
    client.removeXAttr(d + "/x", "user.color")
    assert "user.color" not in client.listXAttrs(d + "/x")
    # Only the superuser sees the trusted namespace.
    client.setPermission(d + "/x", 0o666)
    assert alice.listXAttrs(d + "/x") == ["user.empty"]
    with pytest.raises(hadoofus.AccessControlException):
        alice.setXAttr(d + "/x", "trusted.t", b"v")
    n = client.num_calls
    for bad in ("color", "nope.color", "user.", ""):
        with pytest.raises(ValueError):
            client.setXAttr(d + "/x", bad, b"v")
    with pytest.raises(TypeError):
        client.setXAttr(d + "/x", "user.a", 5)
    with pytest.raises(ValueError):
        client.setXAttr(d + "/x", "user.a", b"v", flag="APPEND")
    assert client.num_calls == n


def test_storage_policies(client, d):
    names = {p.name: p for p in client.getStoragePolicies()}
    assert {"HOT", "COLD", "WARM", "ALL_SSD", "ONE_SSD", "LAZY_PERSIST"} <= set(names)
    assert names["COLD"].storage_types == ["ARCHIVE"]
    make_file(client, d + "/f")
    assert client.getStoragePolicy(d + "/f").name == "HOT"      # the default
    client.setStoragePolicy(d, "COLD")
    assert client.getFileInfo(d).storage_policy == names["COLD"].policy_id
    assert client.getStoragePolicy(d + "/f").name == "COLD"    # inherited
    client.setStoragePolicy(d + "/f", policyName="WARM")
    assert client.getStoragePolicy(d + "/f").name == "WARM"
    with pytest.raises(hadoofus.HadoopIllegalArgumentException) as ei:
        client.setStoragePolicy(d + "/f", "NO_SUCH_POLICY")
    assert isinstance(ei.value, ValueError)
    with pytest.raises(hadoofus.FileNotFoundException):
        client.getStoragePolicy(d + "/missing")


def test_checkAccess_two_users(client, alice, bob, d):
    make_file(client, d + "/f")
    client.setOwner(d + "/f", "alice", "users")
    client.setPermission(d + "/f", 0o640)
    alice.checkAccess(d + "/f", "rw")
    alice.checkAccess(d + "/f", "rw-")
    bob.checkAccess(d + "/f", "r")
    bob.checkAccess(d + "/f", 4)
    with pytest.raises(hadoofus.AccessControlException) as ei:
        bob.checkAccess(d + "/f", "w")
    assert isinstance(ei.value, PermissionError) and ei.value.errno == errno.EACCES
    assert "user=bob" in str(ei.value) and "access=WRITE" in ei.value.message
    with pytest.raises(PermissionError):
        alice.checkAccess(d + "/f", "rwx")
    client.checkAccess(d + "/f", "READ_WRITE")                  # the superuser
    with pytest.raises(hadoofus.FileNotFoundException):
        alice.checkAccess(d + "/missing", "r")
    n = alice.num_calls
    for bad in ("rwq", 8, -1, "xrw-"):
        with pytest.raises(ValueError):
            alice.checkAccess(d + "/f", bad)
    assert alice.num_calls == n


def test_permission_denied_for_other_users(cluster, client, alice, bob, d):
    client.mkdirs(d + "/private", 0o700)
    with pytest.raises(hadoofus.AccessControlException) as ei:
        alice.mkdirs(d + "/private/x")
    e = ei.value
    assert isinstance(e, PermissionError) and isinstance(e, hadoofus.ProtocolException)
    assert e.etype == "org.apache.hadoop.security.AccessControlException"
    assert e.message.startswith("Permission denied: user=alice, access=EXECUTE")
    assert "\tat " not in str(e) and "\tat org.apache" in e.remote_message
    # alice owns what she makes; bob cannot touch it, the superuser can.
    assert alice.mkdirs(d + "/alices/sub", 0o755)
    assert alice.getFileInfo(d + "/alices").owner == "alice"
    with pytest.raises(PermissionError):
        bob.delete(d + "/alices", recursive=True)
    with pytest.raises(PermissionError):
        bob.setPermission(d + "/alices", 0o777)
    with pytest.raises(PermissionError):
        alice.setOwner(d + "/alices", "bob")               # only the superuser chowns
    client.setOwner(d + "/alices", "bob")
    assert bob.delete(d + "/alices", recursive=True)


# --- arguments are checked before anything is sent --------------------------

BAD_CALLS = [
    ("getFileInfo", ("foo",), {}, ValueError, "path must be absolute: 'foo'"),
    ("getFileInfo", ("",), {}, ValueError, "path must be absolute: ''"),
    ("getFileInfo", (None,), {}, TypeError, "path must be str or bytes"),
    ("getFileInfo", (42,), {}, TypeError, "path must be str or bytes"),
    ("getFileInfo", ("/a\0b",), {}, ValueError, "NUL"),
    ("getFileInfo", (b"rel",), {}, ValueError, "absolute"),
    ("mkdirs", ("/a",), {"masked": 0o17777}, ValueError, "0..0o7777"),
    ("mkdirs", ("/a",), {"masked": "755"}, TypeError, "int"),
    ("create", ("/a",), {"replication": 0}, ValueError, "replication"),
    ("create", ("/a",), {"replication": 40000}, ValueError, "replication"),
    ("create", ("/a",), {"blockSize": 0}, ValueError, "blockSize"),
    ("create", ("/a",), {"flag": "CREATE|FROB"}, ValueError, "unknown flag"),
    ("create", ("/a",), {"clientName": ""}, ValueError, "clientName"),
    ("getBlockLocations", ("/a", -1), {}, ValueError, "offset"),
    ("getBlockLocations", ("/a", 0, -1), {}, ValueError, "length"),
    ("truncate", ("/a", -1), {}, ValueError, "newLength"),
    ("setTimes", ("/a", 1.5, 0), {}, TypeError, "mtime"),
    ("setReplication", ("/a", True), {}, TypeError, "replication"),
    ("rename", ("/a", "b"), {}, ValueError, "absolute"),
    ("concat", ("/a", ["/b", "c"]), {}, ValueError, "absolute"),
    ("delete", ("a",), {}, ValueError, "absolute"),
    ("getListing", ("a",), {}, ValueError, "absolute"),
    ("setOwner", ("/a",), {}, ValueError, "both None"),
    ("setXAttr", ("/a", "color", b"v"), {}, ValueError, "prefixed"),
    ("checkAccess", ("/a", "rwq"), {}, ValueError, "FsAction"),
    ("getDatanodeReport", ("EVERYTHING",), {}, ValueError, "type"),
    ("createSnapshot", ("/a", ""), {}, ValueError, "snapshotName"),
    ("mkdirs", ("/a",), {"createParent": True, "create_parent": False}, TypeError, "multiple"),
    ("mkdirs", ("/a",), {"nope": 1}, TypeError, "nope"),
    ("addBlock", ("/a",), {"previous": "blk_1"}, TypeError, "ExtendedBlock"),
    ("reportBadBlocks", (["x"],), {}, TypeError, "LocatedBlock"),
]


@pytest.mark.parametrize("method,args,kwargs,exc,msg", BAD_CALLS,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(BAD_CALLS)])
def test_bad_arguments_cost_no_round_trip(client, method, args, kwargs, exc, msg):
    before = client.num_calls
    with pytest.raises(exc, match=re.escape(msg)):
        getattr(client, method)(*args, **kwargs)
    assert client.num_calls == before
    with pytest.raises(exc):
        client.submit(method, *args, **kwargs)
    with client.pipeline() as p:
        with pytest.raises(exc):
            getattr(p, method)(*args, **kwargs)
    assert client.num_calls == before
