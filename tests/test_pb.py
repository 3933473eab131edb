"""The pure-Python protobuf codec (hadoofus._pb) against Google's protoc.

The schema is the one compiled into the C core (walked from the method
table); protoc reads the same .proto files from csrc/proto, so every
comparison checks our wire bytes against the reference implementation.
"""

import os
import pickle
import random
import shutil
import subprocess
import sys
import time

import pytest

from hadoofus import _pb, proto, types
from hadoofus._pb import DecodeError, EncodeError

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, os.pardir, "csrc", "proto")
PROTOC = shutil.which("protoc")
need_protoc = pytest.mark.skipif(PROTOC is None, reason="protoc not installed")

S = proto.SCHEMA
# Which .proto file defines each package's messages: protoc needs a file
# that imports everything; ClientNamenodeProtocol.proto does (and acl,
# xattr... through it), plus the RPC header protos.
ROOT_PROTOS = ["ClientNamenodeProtocol.proto", "acl.proto", "xattr.proto",
               "encryption.proto", "erasurecoding.proto", "inotify.proto",
               "hdfs.proto", "Security.proto"]


def protoc(mode, type_name, data, proto_dir=PROTO_DIR, files=ROOT_PROTOS):
    files = [f for f in files if os.path.exists(os.path.join(proto_dir, f))]
    r = subprocess.run([PROTOC, "--proto_path=" + proto_dir,
                        "--%s=%s" % (mode, type_name)] + files,
                       input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout


def _esc(b):
    return '"' + "".join("\\%03o" % c for c in b) + '"'


def to_text(mt, value, indent=""):
    """protoc text format for a dict/Message value of type mt."""
    d = value.__dict__ if isinstance(value, _pb.Message) else value
    out = []
    for f in mt.fields:
        if f.name not in d or d[f.name] is None:
            continue
        vals = d[f.name] if f.repeated else [d[f.name]]
        for v in vals:
            if f.message_type is not None:
                out.append("%s%s {\n%s%s}\n" % (indent, f.name,
                                                to_text(f.message_type, v, indent + "  "),
                                                indent))
                continue
            if f.enum_type is not None:
                s = f.enum_type(v).name if not isinstance(v, str) else v
            elif f.ctype == _pb.T_BOOL:
                s = "true" if v else "false"
            elif f.ctype == _pb.T_STRING:
                s = _esc(v.encode() if isinstance(v, str) else v)
            elif f.ctype == _pb.T_BYTES:
                s = _esc(v)
            elif f.ctype in (_pb.T_FLOAT, _pb.T_DOUBLE):
                s = repr(float(v))
            else:
                s = str(int(v))
            out.append("%s%s: %s\n" % (indent, f.name, s))
    return "".join(out)


_INTS = {
    _pb.T_INT32: [0, 1, -1, 127, 128, -(1 << 31), (1 << 31) - 1],
    _pb.T_SINT32: [0, 1, -1, -64, 64, -(1 << 31), (1 << 31) - 1],
    _pb.T_SFIXED32: [0, -1, -(1 << 31), (1 << 31) - 1],
    _pb.T_INT64: [0, -1, 300, -(1 << 63), (1 << 63) - 1],
    _pb.T_SINT64: [0, -1, 1, -(1 << 63), (1 << 63) - 1],
    _pb.T_SFIXED64: [0, -1, -(1 << 63), (1 << 63) - 1],
    _pb.T_UINT32: [0, 1, 127, 128, 16383, 16384, (1 << 32) - 1],
    _pb.T_FIXED32: [0, 1, (1 << 32) - 1],
    _pb.T_UINT64: [0, 1, 1 << 63, (1 << 64) - 1, 1700000000123],
    _pb.T_FIXED64: [0, 1, (1 << 64) - 1],
}
_STRS = ["", "a", "/user/hdfs", "h\u00e9llo w\u00f6rld", "\u65e5\u672c\u8a9e", "x" * 200]


def random_value(mt, rng, depth=0):
    d = {}
    for f in mt.fields:
        if not f.required and (rng.random() < 0.3 or depth > 3):
            continue
        n = rng.randint(0, 3) if f.repeated else 1
        vals = []
        for _ in range(n):
            if f.message_type is not None:
                v = random_value(f.message_type, rng, depth + 1)
            elif f.enum_type is not None:
                v = rng.choice(list(f.enum_type))
            elif f.ctype == _pb.T_BOOL:
                v = rng.random() < 0.5
            elif f.ctype == _pb.T_STRING:
                v = rng.choice(_STRS)
            elif f.ctype == _pb.T_BYTES:
                v = bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
            elif f.ctype in (_pb.T_FLOAT, _pb.T_DOUBLE):
                v = rng.choice([0.0, 1.5, -2.25])
            else:
                v = rng.choice(_INTS[f.ctype])
            vals.append(v)
        if f.repeated:
            if vals:
                d[f.name] = vals
        else:
            d[f.name] = vals[0]
    return d


def same(mt, decoded, value):
    """decoded (a Message) carries exactly `value` (a dict)."""
    assert set(decoded.__dict__) == set(value), mt.name
    for f in mt.fields:
        if f.name not in value:
            continue
        got, want = decoded.__dict__[f.name], value[f.name]
        gl, wl = (got, want) if f.repeated else ([got], [want])
        assert len(gl) == len(wl), (mt.name, f.name)
        for g, w in zip(gl, wl):
            if f.message_type is not None:
                same(f.message_type, g, w)
            else:
                assert g == w, (mt.name, f.name, g, w)
                if f.ctype == _pb.T_STRING:
                    assert isinstance(g, str)
                elif f.ctype == _pb.T_BYTES:
                    assert isinstance(g, bytes)


# --- the schema ---------------------------------------------------------

def test_schema_comes_from_the_method_table():
    assert len(proto.METHODS) > 90
    m = proto.METHODS["getFileInfo"]
    assert m.request.full_name == "hadoop.hdfs.GetFileInfoRequestProto"
    assert m.response.full_name == "hadoop.hdfs.GetFileInfoResponseProto"
    assert m.idempotent and not m.at_most_once
    assert proto.METHODS["create"].at_most_once
    fs = S.message("hadoop.hdfs.HdfsFileStatusProto")
    by = fs.fields_by_name
    assert [f.number for f in fs.fields] == sorted(f.number for f in fs.fields)
    assert by["fileType"].enum_type.__name__ == "FileType"
    assert by["path"].ctype == _pb.T_BYTES and by["path"].required
    assert by["permission"].message_type.name == "FsPermissionProto"
    assert by["childrenNum"].default == -1
    assert by["block_replication"].default == 0
    # An enum default, and a string default.
    sd = S.message("FsServerDefaultsProto")
    assert sd.fields_by_name["checksumType"].default.name == "CHECKSUM_CRC32"
    assert S.message("DatanodeInfoProto").fields_by_name["adminState"].default.name == "NORMAL"
    # Packed is read from the descriptor.
    assert S.message("LocatedBlockProto").fields_by_name["isCached"].packed
    assert not S.message("LocatedBlockProto").fields_by_name["storageIDs"].packed


def test_message_classes_and_registered_types():
    assert proto.HdfsFileStatusProto is types.FileStatus
    assert S.message("LocatedBlocksProto").cls is types.LocatedBlocks
    with pytest.raises(AttributeError):
        proto.NoSuchProto
    with pytest.raises(KeyError):
        S.message("NoSuchProto")


def test_defaults_for_missing_fields():
    st = S.message("HdfsFileStatusProto").decode(b"")
    assert st.childrenNum == -1 and st.blocksize == 0 and st.owner == ""
    assert st.locations is None           # absent sub-message
    assert not st._has("owner")
    lb = S.message("LocatedBlockProto").decode(b"")
    assert lb.locs == [] and lb.isCached == [] and not lb._has("locs")
    lb.locs.append(1)                     # a fresh list: the message is unchanged
    assert lb.locs == []
    sd = S.message("FsServerDefaultsProto").decode(b"")
    assert sd.checksumType.name == "CHECKSUM_CRC32" and sd.encryptDataTransfer is False
    fs = S.message("FsyncRequestProto").decode(b"")
    assert fs.lastBlockLength == -1


# --- against protoc --------------------------------------------------------

@need_protoc
def test_filestatus_bytes_equal_protoc():
    mt = S.message("HdfsFileStatusProto")
    v = dict(fileType="IS_FILE", path=b"f\xc3\xa9", length=123456789,
             permission={"perm": 0o644}, owner="alice", group="users",
             modification_time=1700000000123, access_time=1700000000456,
             block_replication=3, blocksize=134217728, fileId=16386,
             childrenNum=-1, storagePolicy=7)
    ours = mt.encode(v)
    ref = protoc("encode", mt.full_name, to_text(mt, v).encode())
    assert ours == ref
    st = mt.decode(ref)
    assert isinstance(st, types.FileStatus)
    assert st.path == "f\u00e9" and st.size == 123456789 and st.permission == 0o644
    assert st.childrenNum == -1 and st.replication == 3 and not st.isdir
    # childrenNum -1 is an int32: ten bytes on the wire, as Java writes it.
    assert b"\x70\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01" in ours


@need_protoc
def test_decode_protoc_text_messages():
    cases = [
        ("hadoop.hdfs.FsyncRequestProto",
         'src: "/a" client: "c" lastBlockLength: -12345 fileId: 18446744073709551615',
         dict(src="/a", client="c", lastBlockLength=-12345, fileId=(1 << 64) - 1)),
        ("hadoop.hdfs.LocatedBlockProto",
         'b { poolId: "BP-1" blockId: 1073741825 generationStamp: 1001 numBytes: 11 } '
         'offset: 0 corrupt: false blockToken { identifier: "" password: "" kind: "" service: "" } '
         'isCached: true isCached: false storageTypes: DISK storageTypes: SSD storageIDs: "DS-1"',
         None),
        ("hadoop.hdfs.GetDatanodeReportRequestProto", "type: LIVE", dict(type=2)),
    ]
    for type_name, text, want in cases:
        data = protoc("encode", type_name, text.encode())
        msg = S.message(type_name).decode(data)
        if want:
            for k, v in want.items():
                assert getattr(msg, k) == v
        assert S.message(type_name).encode(msg) == data
    lb = S.message("hadoop.hdfs.LocatedBlockProto").decode(
        protoc("encode", cases[1][0], cases[1][1].encode()))
    assert lb.isCached == [True, False]
    assert [t.name for t in lb.storageTypes] == ["DISK", "SSD"]
    assert str(lb.block) == "BP-1:blk_1073741825_1001" and lb.length == 11


@need_protoc
def test_every_message_type_round_trips_through_protoc():
    """A random instance of every message type the method table reaches:
    our bytes == protoc's re-encoding of protoc's decoding of our bytes, and
    we decode our bytes back to the same values."""
    rng = random.Random(1234)
    names = sorted(S.messages)
    for name in names:
        mt = S.messages[name]
        v = random_value(mt, rng)
        data = mt.encode(v)
        same(mt, mt.decode(data), v)
    # protoc for a sample (one process per message: keep it quick) + all
    # messages with interesting fields.
    sample = names[::3] + ["hadoop.hdfs.HdfsFileStatusProto", "hadoop.hdfs.LocatedBlocksProto",
                           "hadoop.hdfs.CreateRequestProto", "hadoop.hdfs.AclStatusProto"]
    for name in sample:
        mt = S.messages[name]
        v = random_value(mt, rng)
        data = mt.encode(v)
        text = protoc("decode", name, data)
        assert protoc("encode", name, text) == data, name


@need_protoc
def test_listing_of_1000_equals_protoc_and_decode_speed():
    mt = S.message("DirectoryListingProto")
    fsm = S.message("HdfsFileStatusProto")

    def st(i):
        return dict(fileType="IS_FILE", path=b"file_%06d" % i, length=i * 1000,
                    permission={"perm": 0o644}, owner="hdfs", group="supergroup",
                    modification_time=1700000000000 + i, access_time=1700000000000,
                    block_replication=3, blocksize=134217728, fileId=16386 + i,
                    childrenNum=0, storagePolicy=0)

    v = dict(partialListing=[st(i) for i in range(1000)], remainingEntries=0)
    data = mt.encode(v)
    assert protoc("encode", mt.full_name, to_text(mt, v).encode()) == data
    dl = mt.decode(data)
    assert len(dl.partialListing) == 1000
    assert dl.partialListing[999].path == "file_000999"

    def best(fn, n):
        b = 1e9
        for _ in range(3):
            t = time.perf_counter()
            for _ in range(n):
                fn()
            b = min(b, (time.perf_counter() - t) / n)
        return b * 1e6

    one = fsm.encode(st(1))
    us_one = best(lambda: fsm.decode(one), 2000)
    us_list = best(lambda: mt.decode(data), 5)
    sys.stdout.write("\ndecode: HdfsFileStatusProto %.1f us, 1000-entry listing %.0f us\n"
                     % (us_one, us_list))
    # Loose bounds: catch a pathological slowdown, not a slow machine.
    assert us_one < 100 and us_list < 100000


def _top_fields(data):
    """The top-level fields of an encoded message, each as its wire bytes."""
    out, pos = [], 0
    while pos < len(data):
        start = pos
        key, pos = _pb._read_varint(data, pos)
        pos = _pb._skip(data, pos, len(data), key, None)
        out.append(data[start:pos])
    return out


def test_compiled_decoders_agree_with_the_table_in_any_field_order():
    # The compiled decoders take fields in number order in one straight
    # pass and leave the rest to the table-driven loop: fields reversed,
    # shuffled, repeated or duplicated must decode as the table decodes them.
    rng = random.Random(7)
    names = ["HdfsFileStatusProto", "LocatedBlockProto", "LocatedBlocksProto",
             "DirectoryListingProto", "DatanodeInfoProto", "CreateRequestProto",
             "ContentSummaryProto", "AclStatusProto"]
    for name in names:
        mt = S.message(name)
        for _ in range(30):
            parts = _top_fields(mt.encode_partial(random_value(mt, rng)))
            variants = [parts, parts[::-1], rng.sample(parts, len(parts)),
                        parts + parts[:2], parts[:1] + parts]
            for v in variants:
                data = b"".join(v)
                want = _pb._decode_into(data, 0, len(data), mt, mt.cls.__new__(mt.cls))
                assert mt.decode(data) == want, (name, data)
                assert mt.decode(data).__dict__.keys() == want.__dict__.keys()


class _Index:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


def test_compiled_encoders_take_any_value_type_the_generic_path_takes():
    mt = S.message("HdfsFileStatusProto")
    base = dict(fileType=1, path=b"p", length=5, permission={"perm": 0o644},
                owner="o", group="g", modification_time=1, access_time=2)
    want = mt.encode(base)
    # Values off the inline fast paths go through _put_value and agree.
    assert mt.encode(dict(base, path=bytearray(b"p"), fileType="IS_DIR")) == want
    assert mt.encode(dict(base, length=_Index(5))) == want
    assert mt.encode(dict(base, path="p")) == want
    assert mt.encode(dict(base, permission=proto.FsPermissionProto(perm=0o644))) == want
    big = mt.encode(dict(base, length=1 << 40, path=b"x" * 300, owner="é" * 200))
    back = mt.decode(big)
    assert back.length == 1 << 40 and back.local_name_bytes == b"x" * 300
    assert back.owner == "é" * 200
    with pytest.raises(TypeError):
        mt.encode(dict(base, nope=1))
    with pytest.raises(EncodeError):
        mt.encode(dict(base, length=-1))
    with pytest.raises(TypeError):
        mt.encode(dict(base, permission=5))
    from collections import OrderedDict
    assert mt.encode(OrderedDict(base)) == want


# --- wire details --------------------------------------------------------

def test_unknown_fields_are_skipped():
    mt = S.message("GetFileInfoRequestProto")
    base = mt.encode(src="/x")
    extra = (b"\xf8\x06\x96\x01"        # field 111 varint
             b"\x82\x07\x03abc"         # field 112 length-delimited
             b"\x8d\x07\x01\x02\x03\x04"  # field 113 fixed32
             b"\x91\x07" + bytes(8))    # field 114 fixed64
    msg = mt.decode(extra + base + extra)
    assert msg.src == "/x" and set(msg.__dict__) == {"src"}


def test_packed_and_unpacked_repeated_both_decode():
    mt = S.message("LocatedBlockProto")
    packed = mt.encode_partial(isCached=[True, False, True])
    assert packed == b"\x32\x03\x01\x00\x01"          # [packed = true]
    unpacked = b"\x30\x01\x30\x00\x30\x01"
    assert mt.decode(packed).isCached == mt.decode(unpacked).isCached == [True, False, True]
    # storageTypes is not packed; a packed encoding must be read too.
    st = mt.encode_partial(storageTypes=["DISK", "SSD"])
    assert st == b"\x38\x01\x38\x02"
    assert [int(x) for x in mt.decode(b"\x3a\x02\x01\x02").storageTypes] == [1, 2]


def test_required_fields_are_checked_on_encode():
    mt = S.message("CreateRequestProto")
    good = dict(src="/f", masked={"perm": 0o644}, clientName="c", createFlag=1,
                createParent=True, replication=3, blockSize=1 << 27)
    mt.encode(good)
    bad = dict(good)
    del bad["clientName"]
    with pytest.raises(EncodeError, match=r"CreateRequestProto\.clientName is required"):
        mt.encode(bad)
    with pytest.raises(EncodeError, match=r"FsPermissionProto\.perm is required"):
        mt.encode(dict(good, masked={}))
    # None means absent.
    with pytest.raises(EncodeError):
        mt.encode(dict(good, src=None))


def test_encode_refuses_bad_values():
    mt = S.message("CreateRequestProto")
    good = dict(src="/f", masked={"perm": 0o644}, clientName="c", createFlag=1,
                createParent=True, replication=3, blockSize=1 << 27)
    with pytest.raises(EncodeError, match="out of range"):
        mt.encode(dict(good, replication=1 << 32))
    with pytest.raises(EncodeError, match="out of range"):
        mt.encode(dict(good, blockSize=-1))
    with pytest.raises(TypeError, match="expected an int"):
        mt.encode(dict(good, replication="3"))
    with pytest.raises(TypeError, match="expected an int"):
        mt.encode(dict(good, replication=3.0))
    with pytest.raises(TypeError, match="has no field 'nope'"):
        mt.encode(dict(good, nope=1))
    with pytest.raises(TypeError, match="expected str"):
        mt.encode(dict(good, src=42))
    with pytest.raises(TypeError, match="repeated"):
        S.message("ConcatRequestProto").encode(trg="/a", srcs="/b")
    with pytest.raises(EncodeError, match="not a DatanodeReportTypeProto"):
        S.message("GetDatanodeReportRequestProto").encode(type="NOPE")
    with pytest.raises(EncodeError, match="not a DatanodeReportTypeProto value"):
        S.message("GetDatanodeReportRequestProto").encode(type=99)
    with pytest.raises(TypeError, match="expected a FsPermissionProto"):
        mt.encode(dict(good, masked=S.message("ExtendedBlockProto").cls(poolId="x")))


def test_enums_decode_to_intenum_and_encode_from_name_int_member():
    mt = S.message("GetDatanodeReportRequestProto")
    et = mt.fields_by_name["type"].enum_type
    assert mt.encode(type="LIVE") == mt.encode(type=2) == mt.encode(type=et.LIVE) == b"\x08\x02"
    v = mt.decode(b"\x08\x03").type
    assert v == 3 and v is et.DEAD and v.name == "DEAD"
    assert mt.decode(b"\x08\x63").type == 99       # unknown number: kept as int


def test_malformed_input_raises_decode_error():
    mt = S.message("HdfsFileStatusProto")
    data = mt.encode(fileType=1, path=b"abc", length=1, permission={"perm": 1},
                     owner="o", group="g", modification_time=1, access_time=1)
    for cut in range(1, len(data)):
        try:
            mt.decode(data[:cut])
        except DecodeError:
            pass                                   # most cuts are caught...
        else:
            # ...the rest end exactly on a field boundary.
            assert cut in _boundaries(mt, data)
    with pytest.raises(DecodeError):
        mt.decode(b"\x12\x05ab")                   # length past the end
    with pytest.raises(DecodeError):
        mt.decode(b"\x2a\x02\xff\xfe")             # owner is not UTF-8
    with pytest.raises(DecodeError):
        mt.decode(b"\x0b")                         # wire type 3 (groups)
    with pytest.raises(DecodeError):
        mt.decode(b"\x22\x03\x08\x80\x80")         # nested varint cut short


def _boundaries(mt, data):
    out, pos = set(), 0
    while pos < len(data):
        key, pos = _pb._read_varint(data, pos)
        if key & 7 == 2:
            n, pos = _pb._read_varint(data, pos)
            pos += n
        else:
            _, pos = _pb._read_varint(data, pos)
        out.add(pos)
    return out


def test_message_api():
    cls = proto.ExtendedBlockProto
    b = cls(poolId="BP-1", blockId=5, generationStamp=7)
    assert b._has("blockId") and not b._has("numBytes") and b.numBytes == 0
    with pytest.raises(AttributeError):
        b._has("nope")
    with pytest.raises(TypeError):
        cls(nope=1)
    data = b._encode()
    b2 = S.message("ExtendedBlockProto").decode(data)
    assert b2 == b and b2 != cls(poolId="BP-1", blockId=6, generationStamp=7)
    assert b2._asdict() == {"poolId": "BP-1", "blockId": 5, "generationStamp": 7}
    assert b2._asdict(defaults=True)["numBytes"] == 0
    assert pickle.loads(pickle.dumps(b2)) == b2
    assert "blk_5_7" in str(b2)
    st = S.message("HdfsFileStatusProto").decode(
        S.message("HdfsFileStatusProto").encode(
            fileType="IS_DIR", path=b"d", length=0, permission={"perm": 0o1777},
            owner="o", group="g", modification_time=5, access_time=6, childrenNum=2))
    assert st.isdir and st.permission == 0o1777 and st.mtime == 5 and st.atime == 6
    assert st.name == st.path == "d" and st.local_name_bytes == b"d"
    assert st._asdict()["path"] == b"d"           # the raw field
    assert "type=dir" in repr(st) and "permission=0o1777" in repr(st)
    assert st.full_name("/a") == "/a/d" and st.full_name("/") == "/d"
    assert pickle.loads(pickle.dumps(st)).path == "d"


# --- the codec on every field type (a private .proto compiled here) --------

ALL_TYPES_PROTO = """
syntax = "proto2";
package hadoofustest;
enum Color { RED = 1; GREEN = 2; NEG = -3; }
message Inner { required uint64 id = 1; optional string s = 2 [default = "hi"]; }
message All {
  optional int32 i32 = 1 [default = -5];
  optional sint32 s32 = 2;
  optional sfixed32 sf32 = 3;
  optional int64 i64 = 4 [default = 7];
  optional sint64 s64 = 5;
  optional sfixed64 sf64 = 6;
  optional uint32 u32 = 7;
  optional fixed32 f32 = 8;
  optional uint64 u64 = 9;
  optional fixed64 f64 = 10;
  optional float fl = 11 [default = 1.5];
  optional double db = 12 [default = 2.5];
  optional bool b = 13 [default = true];
  optional Color c = 14 [default = GREEN];
  optional string str = 15 [default = "abc"];
  optional bytes by = 16 [default = "x\\001y"];
  optional Inner inner = 17;
  repeated uint32 ru = 18;
  repeated uint32 rp = 19 [packed = true];
  repeated Inner ri = 20;
  repeated string rs = 21;
  required string req = 22;
  repeated Color rc = 23;
  repeated sint64 rps = 24 [packed = true];
  repeated double rd = 25 [packed = true];
  repeated fixed32 rf = 26;
}
"""


@pytest.fixture(scope="module")
def all_types(tmp_path_factory):
    if PROTOC is None or shutil.which("protoc-c") is None:
        pytest.skip("protoc / protoc-c not installed")
    cffi = pytest.importorskip("cffi")
    d = tmp_path_factory.mktemp("alltypes")
    (d / "alltypes.proto").write_text(ALL_TYPES_PROTO)
    subprocess.run(["protoc-c", "--proto_path=%s" % d, "--c_out=%s" % d,
                    str(d / "alltypes.proto")], check=True)
    ffi = cffi.FFI()
    with open(os.path.join(HERE, os.pardir, "hadoofus", "_cdef", "pb.h")) as f:
        cdef = f.read()
    ffi.cdef(cdef)
    ffi.cdef("const ProtobufCMessageDescriptor *all_descriptor(void);")
    ffi.set_source("_hadoofus_alltypes",
                   '#include "alltypes.pb-c.h"\n'
                   "static const ProtobufCMessageDescriptor *all_descriptor(void)"
                   "{ return &hadoofustest__all__descriptor; }\n",
                   sources=[str(d / "alltypes.pb-c.c")], include_dirs=[str(d)],
                   libraries=["protobuf-c"])
    try:
        ffi.compile(tmpdir=str(d))
    except Exception as e:  # no compiler / headers
        pytest.skip("cannot build the test module: %s" % e)
    sys.path.insert(0, str(d))
    try:
        import _hadoofus_alltypes as mod
    finally:
        sys.path.remove(str(d))
    schema = _pb.Schema(mod.ffi, [mod.lib.all_descriptor()])
    return d, schema


def test_all_field_types_against_protoc(all_types):
    d, schema = all_types
    mt = schema.message("hadoofustest.All")
    v = dict(i32=-2, s32=-3, sf32=-4, i64=-5, s64=-(1 << 63), sf64=6, u32=7, f32=8,
             u64=(1 << 64) - 1, f64=9, fl=1.25, db=-2.5, b=False, c="NEG",
             str="h\u00e9llo", by=b"\x00\xff", inner={"id": 5},
             ru=[1, 2, 300], rp=[1, 2, 300], ri=[{"id": 1, "s": "a"}, {"id": 2}],
             rs=["x", ""], req="r", rc=[1, "GREEN"], rps=[-1, 1, -(1 << 63)],
             rd=[0.5, -1.0], rf=[1, (1 << 32) - 1])
    ours = mt.encode(v)
    text = to_text(mt, v).encode()
    ref = protoc("encode", mt.full_name, text, proto_dir=str(d), files=["alltypes.proto"])
    assert ours == ref
    m = mt.decode(ref)
    assert (m.i32, m.s32, m.sf32, m.i64, m.s64, m.sf64) == (-2, -3, -4, -5, -(1 << 63), 6)
    assert (m.u32, m.f32, m.u64, m.f64, m.fl, m.db, m.b) == (7, 8, (1 << 64) - 1, 9, 1.25, -2.5, False)
    assert m.c == -3 and m.c.name == "NEG" and m.str == "h\u00e9llo" and m.by == b"\x00\xff"
    assert m.inner.id == 5 and m.inner.s == "hi" and m.ri[1].s == "hi"
    assert m.ru == m.rp == [1, 2, 300] and m.rps == [-1, 1, -(1 << 63)]
    assert [x.name for x in m.rc] == ["RED", "GREEN"] and m.rd == [0.5, -1.0]
    assert m.rf == [1, (1 << 32) - 1]
    # Defaults straight from the descriptors.
    e = mt.decode(b"")
    assert (e.i32, e.i64, e.fl, e.db, e.b, e.c.name, e.str, e.by) == \
        (-5, 7, 1.5, 2.5, True, "GREEN", "abc", b"x\x01y")
    assert e.inner is None and e.ri == []
    # Random instances, checked against protoc both ways.
    rng = random.Random(7)
    for _ in range(20):
        v = random_value(mt, rng)
        data = mt.encode(v)
        same(mt, mt.decode(data), v)
        text = protoc("decode", mt.full_name, data, proto_dir=str(d), files=["alltypes.proto"])
        assert protoc("encode", mt.full_name, text, proto_dir=str(d),
                      files=["alltypes.proto"]) == data
    with pytest.raises(EncodeError, match="All.req is required"):
        mt.encode(i32=1)
    with pytest.raises(EncodeError, match="out of range"):
        mt.encode(req="", sf32=1 << 31)
    with pytest.raises(EncodeError, match="out of range"):
        mt.encode(req="", s32=-(1 << 31) - 1)
