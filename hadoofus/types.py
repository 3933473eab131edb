"""Result objects: the decoded protobuf messages, with Java-ish accessors.

Each class here subclasses the message class generated from the .proto
(hadoofus.proto) and is registered as that type's class, so the decoder
builds them directly: no copying. Every proto field stays readable under
its proto name; the properties add the names Java and Python users expect
(FileStatus.size, .isdir, .mtime ...). Where a friendlier property reuses a
field's own name (FileStatus.path is a str, the field is bytes;
FileStatus.permission is an int, the field a FsPermissionProto) the raw
field is still in the instance __dict__ and is what gets encoded.
"""

import base64
import stat as _stat

from . import _writable as _w
from .errors import ArgumentTypeError, InvalidArgumentError
from .proto import SCHEMA

__all__ = [
    "FileStatus", "LocatedBlock", "LocatedBlocks", "ExtendedBlock",
    "DatanodeID", "DatanodeInfo", "Token", "DelegationTokenIdentifier", "FsServerDefaults",
    "FsStats",
    "ContentSummary", "AclEntry", "AclStatus", "FsAction", "BlockStoragePolicy",
    "SnapshotDiffReport", "SnapshotDiffReportEntry",
    "SnapshottableDirectoryStatus", "CorruptFileBlocks", "parse_fs_action",
    "QuotaUsage", "ErasureCodingPolicy", "OpenFileEntry",
]


def _register(full_name):
    """Class decorator: make `cls` the decoded class of message `full_name`."""
    def deco(cls):
        SCHEMA.messages[full_name].set_class(cls)
        return cls
    return deco


def _base(full_name):
    # A class built from the schema at import time: type checkers see Any
    # (hence the ignores on the classes below).
    return SCHEMA.messages[full_name].cls_generated


def _s(b):
    return b.decode("utf-8", "surrogateescape")


_FileType = SCHEMA.enums["hadoop.hdfs.HdfsFileStatusProto.FileType"]


@_register("hadoop.hdfs.HdfsFileStatusProto")
class FileStatus(_base("hadoop.hdfs.HdfsFileStatusProto")):  # type: ignore[misc]
    """A file's, directory's or symlink's status (Java HdfsFileStatus).

    .path/.name is the last path component, as Java's getLocalName() (empty
    for the path given to getFileInfo); times are ms since the epoch."""

    FileType = _FileType

    @property
    def path(self):
        return _s(self.__dict__.get("path", b""))

    name = path

    @property
    def local_name_bytes(self):
        return self.__dict__.get("path", b"")

    def full_name(self, parent):
        """parent + "/" + name, as Java's getFullName()."""
        name = self.path
        if not name:
            return parent
        return parent + name if parent.endswith("/") else parent + "/" + name

    @property
    def size(self):
        return self.length

    @property
    def isdir(self):
        return self.fileType == _FileType.IS_DIR

    is_dir = isdir

    @property
    def is_file(self):
        return self.fileType == _FileType.IS_FILE

    @property
    def is_symlink(self):
        return self.fileType == _FileType.IS_SYMLINK

    @property
    def symlink(self):
        """The link target (str), or None when not a symlink."""
        t = self.__dict__.get("symlink")
        return None if t is None else _s(t)

    @property
    def permission(self):
        p = self.__dict__.get("permission")
        return 0 if p is None else p.perm

    @property
    def mode(self):
        """st_mode: the file type bits | permission."""
        t = (_stat.S_IFDIR if self.isdir else
             _stat.S_IFLNK if self.is_symlink else _stat.S_IFREG)
        return t | (self.permission & 0o7777)

    @property
    def mtime(self):
        return self.modification_time

    @property
    def atime(self):
        return self.access_time

    @property
    def replication(self):
        return self.block_replication

    block_size = property(lambda self: self.blocksize)
    file_id = property(lambda self: self.fileId)
    children_num = property(lambda self: self.childrenNum)
    storage_policy = property(lambda self: self.storagePolicy)

    def __repr__(self):
        kind = ("dir" if self.isdir else "symlink" if self.is_symlink else "file")
        parts = ["path=%r" % self.path, "type=%s" % kind]
        if not self.isdir:
            parts.append("size=%d" % self.size)
        parts += ["owner=%r" % self.owner, "group=%r" % self.group,
                  "permission=0o%o" % self.permission]
        if self.is_file:
            parts += ["replication=%d" % self.replication,
                      "blocksize=%d" % self.blocksize]
        if self.is_symlink:
            parts.append("symlink=%r" % self.symlink)
        parts += ["mtime=%d" % self.mtime, "atime=%d" % self.atime,
                  "file_id=%d" % self.fileId]
        if self.isdir:
            parts.append("children_num=%d" % self.childrenNum)
        return "FileStatus(%s)" % ", ".join(parts)


@_register("hadoop.hdfs.ExtendedBlockProto")
class ExtendedBlock(_base("hadoop.hdfs.ExtendedBlockProto")):  # type: ignore[misc]
    """A block: pool id, block id, generation stamp (and maybe length)."""

    pool_id = property(lambda self: self.poolId)
    block_id = property(lambda self: self.blockId)
    generation_stamp = property(lambda self: self.generationStamp)
    num_bytes = property(lambda self: self.numBytes)

    @property
    def block_name(self):
        return "blk_%d" % self.blockId

    def __str__(self):
        # Java's ExtendedBlock.toString().
        return "%s:blk_%d_%d" % (self.poolId, self.blockId, self.generationStamp)

    def __repr__(self):
        return ("ExtendedBlock(pool_id=%r, block_id=%d, generation_stamp=%d, "
                "num_bytes=%d)" % (self.poolId, self.blockId,
                                   self.generationStamp, self.numBytes))


@_register("hadoop.hdfs.DatanodeIDProto")
class DatanodeID(_base("hadoop.hdfs.DatanodeIDProto")):  # type: ignore[misc]
    ip_addr = property(lambda self: self.ipAddr)
    host_name = property(lambda self: self.hostName)
    uuid = property(lambda self: self.datanodeUuid)
    xfer_port = property(lambda self: self.xferPort)
    info_port = property(lambda self: self.infoPort)
    ipc_port = property(lambda self: self.ipcPort)

    @property
    def xfer_addr(self):
        return (self.ipAddr, self.xferPort)

    def __repr__(self):
        return "DatanodeID(%s:%d, host_name=%r, uuid=%r)" % (
            self.ipAddr, self.xferPort, self.hostName, self.datanodeUuid)


_AdminState = SCHEMA.enums["hadoop.hdfs.DatanodeInfoProto.AdminState"]


def _id_prop(name):
    return property(lambda self: getattr(self.id, name))


@_register("hadoop.hdfs.DatanodeInfoProto")
class DatanodeInfo(_base("hadoop.hdfs.DatanodeInfoProto")):  # type: ignore[misc]
    """A DataNode: its DatanodeIDProto fields (ipAddr, hostName, xferPort,
    ...) are readable here directly, plus the usage counters."""

    AdminState = _AdminState
    ipAddr = ip_addr = _id_prop("ipAddr")
    hostName = host_name = _id_prop("hostName")
    datanodeUuid = uuid = _id_prop("datanodeUuid")
    xferPort = xfer_port = _id_prop("xferPort")
    infoPort = info_port = _id_prop("infoPort")
    ipcPort = ipc_port = _id_prop("ipcPort")
    infoSecurePort = info_secure_port = _id_prop("infoSecurePort")

    @property
    def xfer_addr(self):
        return (self.ipAddr, self.xferPort)

    dfs_used = property(lambda self: self.dfsUsed)
    block_pool_used = property(lambda self: self.blockPoolUsed)
    last_update = property(lambda self: self.lastUpdate)
    xceiver_count = property(lambda self: self.xceiverCount)
    admin_state = property(lambda self: self.adminState)

    def __repr__(self):
        i = self.id
        if i is None:
            return "DatanodeInfo(?)"
        return ("DatanodeInfo(%s:%d, host_name=%r, uuid=%r, admin_state=%s, "
                "capacity=%d, remaining=%d)" % (
                    i.ipAddr, i.xferPort, i.hostName, i.datanodeUuid,
                    getattr(self.adminState, "name", self.adminState),
                    self.capacity, self.remaining))


# The kinds whose identifier is an AbstractDelegationTokenIdentifier.
DELEGATION_KINDS = ("HDFS_DELEGATION_TOKEN", "WEBHDFS delegation", "SWEBHDFS delegation",
                    "kms-dt", "RM_DELEGATION_TOKEN", "MR_DELEGATION_TOKEN", "TIMELINE_DELEGATION_TOKEN")


class DelegationTokenIdentifier:
    """The fields of a delegation token's identifier (Java's
    AbstractDelegationTokenIdentifier): owner, renewer and realUser (str;
    realUser is "" unless a proxy user asked), issueDate and maxDate (ms
    since the epoch), sequenceNumber, masterKeyId."""

    __slots__ = ("kind", "owner", "renewer", "realUser", "issueDate", "maxDate",
                 "sequenceNumber", "masterKeyId")
    VERSION = 0

    def __init__(self, owner, renewer, realUser="", issueDate=0, maxDate=0,
                 sequenceNumber=0, masterKeyId=0, kind="HDFS_DELEGATION_TOKEN"):
        self.kind = kind
        self.owner, self.renewer, self.realUser = owner, renewer, realUser
        self.issueDate, self.maxDate = issueDate, maxDate
        self.sequenceNumber, self.masterKeyId = sequenceNumber, masterKeyId

    @classmethod
    def decode(cls, data, kind="HDFS_DELEGATION_TOKEN"):
        """Parse identifier bytes; InvalidArgumentError if they are not one."""
        data = bytes(data)
        if not data or data[0] != cls.VERSION:
            raise InvalidArgumentError("not a delegation token identifier (version %r)"
                                       % (data[:1],))
        owner, pos = _w.read_text(data, 1)
        renewer, pos = _w.read_text(data, pos)
        real, pos = _w.read_text(data, pos)
        nums = []
        for _ in range(4):
            v, pos = _w.read_vlong(data, pos)
            nums.append(v)
        return cls(owner, renewer, real, *nums, kind=kind)

    def encode(self):
        """The identifier bytes (Java's getBytes())."""
        return (bytes([self.VERSION]) + _w.write_text(self.owner) + _w.write_text(self.renewer)
                + _w.write_text(self.realUser)
                + b"".join(_w.write_vlong(v) for v in (self.issueDate, self.maxDate,
                                                       self.sequenceNumber, self.masterKeyId)))

    real_user = property(lambda self: self.realUser)
    issue_date = property(lambda self: self.issueDate)
    max_date = property(lambda self: self.maxDate)
    sequence_number = property(lambda self: self.sequenceNumber)
    master_key_id = property(lambda self: self.masterKeyId)

    @property
    def user(self):
        """The owner's short name, whom the NameNode knows the token's
        holder as ("alice@REALM" -> "alice", auth_to_local's DEFAULT rule)."""
        return self.owner.split("@")[0].split("/")[0]

    def __eq__(self, other):
        if not isinstance(other, DelegationTokenIdentifier):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.__slots__)

    def __str__(self):
        # As Java's toString().
        return "%s token %d for %s" % (self.kind, self.sequenceNumber, self.user)

    def __repr__(self):
        return ("DelegationTokenIdentifier(owner=%r, renewer=%r, realUser=%r, issueDate=%d, "
                "maxDate=%d, sequenceNumber=%d, masterKeyId=%d)" % (
                    self.owner, self.renewer, self.realUser, self.issueDate, self.maxDate,
                    self.sequenceNumber, self.masterKeyId))


@_register("hadoop.common.TokenProto")
class Token(_base("hadoop.common.TokenProto")):  # type: ignore[misc]
    """A token (Java's Token<?>): identifier and password (bytes), kind
    and service (str). Token(identifier=, password=, kind=, service=) makes
    one; rpc.getDelegationToken() and hadoofus.tokens.Credentials hand them
    out."""

    def decode_identifier(self):
        """The identifier's fields (a DelegationTokenIdentifier) for a
        delegation token kind; None for other kinds, as Java's
        decodeIdentifier() when no class is registered for the kind."""
        if self.kind not in DELEGATION_KINDS:
            return None
        return DelegationTokenIdentifier.decode(self.identifier, self.kind)

    def encode_url_string(self):
        """Java's encodeToUrlString(): the Writable token, URL-safe base64
        without padding (WebHDFS's delegation= parameter, `hdfs fetchdt`'s
        --print of tokens in URLs)."""
        raw = (_w.write_bytes(self.identifier) + _w.write_bytes(self.password)
               + _w.write_text(self.kind) + _w.write_text(self.service))
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    @classmethod
    def decode_url_string(cls, s):
        """The token of a Java URL string (decodeFromUrlString())."""
        if isinstance(s, str):
            s = s.encode("ascii")
        s = s.replace(b"+", b"-").replace(b"/", b"_").rstrip(b"=")
        try:
            raw = base64.urlsafe_b64decode(s + b"=" * (-len(s) % 4))
        except ValueError as e:
            raise InvalidArgumentError("not a token string: %s" % e) from None
        ident, pos = _w.read_bytes(raw, 0)
        pw, pos = _w.read_bytes(raw, pos)
        kind, pos = _w.read_text(raw, pos)
        service, pos = _w.read_text(raw, pos)
        return cls(identifier=ident, password=pw, kind=kind, service=service)

    def __str__(self):
        # As Java's toString().
        try:
            ident = self.decode_identifier()
        except InvalidArgumentError:
            ident = None
        return "Kind: %s, Service: %s, Ident: %s" % (
            self.kind, self.service,
            "(%s)" % ident if ident is not None else self.identifier.hex(" "))

    def __repr__(self):
        return "Token(kind=%r, service=%r, identifier=<%d bytes>)" % (
            self.kind, self.service, len(self.identifier))


@_register("hadoop.hdfs.LocatedBlockProto")
class LocatedBlock(_base("hadoop.hdfs.LocatedBlockProto")):  # type: ignore[misc]
    """A block of a file and the DataNodes holding it, nearest first."""

    @property
    def block(self):
        return self.b

    @property
    def length(self):
        b = self.b
        return 0 if b is None else b.numBytes

    len = length

    @property
    def locations(self):
        return self.locs

    @property
    def token(self):
        return self.blockToken

    @property
    def storages(self):
        """(DatanodeInfo, storage ID, StorageType) per replica; the ID and
        type are None where the server sent none."""
        ids, kinds = self.storageIDs, self.storageTypes
        return [(dn, ids[i] if i < len(ids) else None,
                 kinds[i] if i < len(kinds) else None)
                for i, dn in enumerate(self.locs)]

    storage_ids = property(lambda self: self.storageIDs)
    storage_types = property(lambda self: self.storageTypes)
    is_cached = property(lambda self: self.isCached)

    @property
    def offset(self):
        """The block's first byte in the file (-1 where Java sends -1, e.g.
        updateBlockForPipeline: the field is a Java long sent as uint64)."""
        return _signed(self.__dict__.get("offset", 0))

    start_offset = offset

    def __repr__(self):
        return "LocatedBlock(block=%s, offset=%d, length=%d, locations=[%s]%s)" % (
            self.b, self.offset, self.length,
            ", ".join("%s:%d" % (d.ipAddr, d.xferPort) for d in self.locs),
            ", corrupt=True" if self.corrupt else "")


@_register("hadoop.hdfs.LocatedBlocksProto")
class LocatedBlocks(_base("hadoop.hdfs.LocatedBlocksProto")):  # type: ignore[misc]
    """getBlockLocations' answer: a sequence of LocatedBlock, plus the
    file's length and state."""

    file_length = property(lambda self: self.fileLength)
    under_construction = property(lambda self: self.underConstruction)
    last_block = property(lambda self: self.lastBlock)
    is_last_block_complete = property(lambda self: self.isLastBlockComplete)

    def __len__(self):
        return len(self.blocks)

    def __iter__(self):
        return iter(self.blocks)

    def __getitem__(self, i):
        return self.blocks[i]

    def __bool__(self):
        return True

    def __repr__(self):
        return ("LocatedBlocks(file_length=%d, under_construction=%s, "
                "blocks=%r, last_block=%r)" % (
                    self.fileLength, self.underConstruction, list(self.blocks),
                    self.lastBlock))


@_register("hadoop.hdfs.FsServerDefaultsProto")
class FsServerDefaults(_base("hadoop.hdfs.FsServerDefaultsProto")):  # type: ignore[misc]
    block_size = property(lambda self: self.blockSize)
    bytes_per_checksum = property(lambda self: self.bytesPerChecksum)
    write_packet_size = property(lambda self: self.writePacketSize)
    file_buffer_size = property(lambda self: self.fileBufferSize)
    encrypt_data_transfer = property(lambda self: self.encryptDataTransfer)
    trash_interval = property(lambda self: self.trashInterval)
    checksum_type = property(lambda self: self.checksumType)

    def __repr__(self):
        return ("FsServerDefaults(block_size=%d, bytes_per_checksum=%d, "
                "write_packet_size=%d, replication=%d, file_buffer_size=%d, "
                "encrypt_data_transfer=%s, trash_interval=%d, checksum_type=%s)" % (
                    self.blockSize, self.bytesPerChecksum, self.writePacketSize,
                    self.replication, self.fileBufferSize, self.encryptDataTransfer,
                    self.trashInterval, getattr(self.checksumType, "name", self.checksumType)))


@_register("hadoop.hdfs.GetFsStatsResponseProto")
class FsStats(_base("hadoop.hdfs.GetFsStatsResponseProto")):  # type: ignore[misc]
    """getFsStats(): capacity, used, remaining, under_replicated,
    corrupt_blocks, missing_blocks (bytes / block counts)."""

    def __repr__(self):
        return "FsStats(%s)" % ", ".join(
            "%s=%d" % (n, getattr(self, n)) for n in self._fields
            if n in self.__dict__)


@_register("hadoop.hdfs.ContentSummaryProto")
class ContentSummary(_base("hadoop.hdfs.ContentSummaryProto")):  # type: ignore[misc]
    """getContentSummary(); quotas are -1 when not set (Java longs sent as
    uint64: .quota and .spaceQuota read them back signed)."""

    file_count = property(lambda self: self.fileCount)
    directory_count = property(lambda self: self.directoryCount)
    space_consumed = property(lambda self: self.spaceConsumed)
    quota = property(lambda self: _signed(self.__dict__.get("quota", 0)))
    spaceQuota = space_quota = property(
        lambda self: _signed(self.__dict__.get("spaceQuota", 0)))

    def __repr__(self):
        return ("ContentSummary(length=%d, file_count=%d, directory_count=%d, "
                "quota=%d, space_consumed=%d, space_quota=%d)" % (
                    self.length, self.fileCount, self.directoryCount,
                    self.quota, self.spaceConsumed, self.spaceQuota))


def _signed(v):
    """A Java long sent as uint64 (quotas: -1 = none)."""
    return v - (1 << 64) if v >= 1 << 63 else v


# --- permissions and ACLs --------------------------------------------------

FsAction = SCHEMA.enums["hadoop.hdfs.AclEntryProto.FsActionProto"]
_AclType = SCHEMA.enums["hadoop.hdfs.AclEntryProto.AclEntryTypeProto"]
_AclScope = SCHEMA.enums["hadoop.hdfs.AclEntryProto.AclEntryScopeProto"]


def _symbol(bits):
    return ("r" if bits & 4 else "-") + ("w" if bits & 2 else "-") + \
        ("x" if bits & 1 else "-")


def parse_fs_action(mode):
    """An FsAction from 0..7, a member/name ("READ_WRITE"), or symbols
    ("rw-", "r-x", "rwx", or the letters alone: "rw", "")."""
    if isinstance(mode, bool):
        raise ArgumentTypeError("FsAction must be an int or str, not bool")
    if isinstance(mode, int):
        if not 0 <= mode <= 7:
            raise InvalidArgumentError("FsAction must be in 0..7: %r" % mode)
        return FsAction(mode)
    if not isinstance(mode, str):
        raise ArgumentTypeError("FsAction must be an int or str, not %s"
                                % type(mode).__name__)
    if mode in FsAction.__members__:
        return FsAction[mode]
    if len(mode) == 3 and all(c in "-" + s for c, s in zip(mode, "rwx")):
        return FsAction((mode[0] == "r") * 4 + (mode[1] == "w") * 2 +
                        (mode[2] == "x"))
    if len(set(mode)) == len(mode) and set(mode) <= set("rwx"):
        return FsAction(("r" in mode) * 4 + ("w" in mode) * 2 + ("x" in mode))
    raise InvalidArgumentError("not an FsAction: %r (use e.g. 'rwx', 'r-x', 'rw' or 0..7)"
                               % mode)


@_register("hadoop.hdfs.AclEntryProto")
class AclEntry(_base("hadoop.hdfs.AclEntryProto")):  # type: ignore[misc]
    """One ACL entry; str() is Java's form: "[default:]user:bob:rwx"."""

    Type = _AclType
    Scope = _AclScope

    @classmethod
    def parse(cls, spec, include_permission=True):
        """Parse "[default:]type:[name][:perm]" as Java's
        AclEntry.parseAclEntry (perm omitted for removeAclEntries)."""
        if not isinstance(spec, str):
            raise ArgumentTypeError("ACL entry must be a str, not %s" % type(spec).__name__)
        parts = spec.strip().split(":")
        scope = _AclScope.ACCESS
        if parts and parts[0].lower() == "default":
            scope = _AclScope.DEFAULT
            parts = parts[1:]
        if len(parts) < 1 or not parts[0]:
            raise InvalidArgumentError("invalid ACL entry %r" % spec)
        try:
            typ = _AclType[parts[0].upper()]
        except KeyError:
            raise InvalidArgumentError("invalid ACL entry type %r in %r (user, group, "
                                       "mask or other)" % (parts[0], spec)) from None
        name = parts[1] if len(parts) > 1 else ""
        if name and typ in (_AclType.MASK, _AclType.OTHER):
            raise InvalidArgumentError("ACL entry %r: %s entries take no name"
                                       % (spec, typ.name.lower()))
        if include_permission:
            if len(parts) != 3:
                raise InvalidArgumentError("invalid ACL entry %r: expected "
                                           "[default:]type:name:perm" % spec)
            perm = parse_fs_action(parts[2])
        else:
            if len(parts) > 3:
                raise InvalidArgumentError("invalid ACL entry %r" % spec)
            perm = parse_fs_action(parts[2]) if len(parts) == 3 else FsAction.NONE
        e = cls(type=typ, scope=scope, permissions=perm)
        if name:
            e.__dict__["name"] = name
        return e

    @property
    def is_default(self):
        return self.scope == _AclScope.DEFAULT

    @property
    def permission(self):
        return FsAction(int(self.permissions))

    def __str__(self):
        return "%s%s:%s:%s" % ("default:" if self.is_default else "",
                               _AclType(self.type).name.lower(),
                               self.__dict__.get("name", ""),
                               _symbol(int(self.permissions)))

    def __repr__(self):
        return "AclEntry(%r)" % str(self)

    def __hash__(self):
        return hash(str(self))


@_register("hadoop.hdfs.AclStatusProto")
class AclStatus(_base("hadoop.hdfs.AclStatusProto")):  # type: ignore[misc]
    """getAclStatus(): owner, group, sticky, entries (AclEntry list; only
    the extended entries, as Java), permission (int or None)."""

    @property
    def permission(self):
        p = self.__dict__.get("permission")
        return None if p is None else p.perm

    def __repr__(self):
        perm = self.permission
        return "AclStatus(owner=%r, group=%r, sticky=%s, permission=%s, entries=%r)" % (
            self.owner, self.group, self.sticky,
            "None" if perm is None else "0o%o" % perm,
            [str(e) for e in self.entries])


# --- storage policies, snapshots, corrupt files ----------------------------

@_register("hadoop.hdfs.BlockStoragePolicyProto")
class BlockStoragePolicy(_base("hadoop.hdfs.BlockStoragePolicyProto")):  # type: ignore[misc]
    policy_id = property(lambda self: self.policyId)

    @property
    def storage_types(self):
        """Names of the creation policy's storage types, e.g. ['DISK', 'ARCHIVE']."""
        c = self.creationPolicy
        return [] if c is None else [getattr(t, "name", t) for t in c.storageTypes]

    def __repr__(self):
        return "BlockStoragePolicy(%r, id=%d, storage_types=%r)" % (
            self.name, self.policyId, self.storage_types)


_LABELS = {"C": "+", "+": "+", "M": "M", "D": "-", "-": "-", "R": "R"}


@_register("hadoop.hdfs.SnapshotDiffReportEntryProto")
class SnapshotDiffReportEntry(_base("hadoop.hdfs.SnapshotDiffReportEntryProto")):  # type: ignore[misc]
    """One change: .type ("+", "M", "-", "R" as Java prints them), .path
    (relative to the snapshot root, str), .target (renames)."""

    @property
    def type(self):
        return _LABELS.get(self.modificationLabel, self.modificationLabel)

    @property
    def path(self):
        return _s(self.fullpath)

    @property
    def target(self):
        t = self.__dict__.get("targetPath")
        return None if t is None else _s(t)

    def __str__(self):
        s = "%s\t./%s" % (self.type, self.path)
        if self.target is not None:
            s += " -> ./%s" % self.target
        return s

    def __repr__(self):
        return "SnapshotDiffReportEntry(%r, %r%s)" % (
            self.type, self.path,
            "" if self.target is None else ", target=%r" % self.target)


@_register("hadoop.hdfs.SnapshotDiffReportProto")
class SnapshotDiffReport(_base("hadoop.hdfs.SnapshotDiffReportProto")):  # type: ignore[misc]
    """getSnapshotDiffReport(): .entries (list of SnapshotDiffReportEntry)."""

    @property
    def entries(self):
        return self.diffReportEntries

    def __iter__(self):
        return iter(self.diffReportEntries)

    def __len__(self):
        return len(self.diffReportEntries)

    def __str__(self):
        head = "Difference between snapshot %s and %s under directory %s:" % (
            self.fromSnapshot, self.toSnapshot or "current directory",
            self.snapshotRoot)
        return "\n".join([head] + [str(e) for e in self.diffReportEntries])

    def __repr__(self):
        return "SnapshotDiffReport(root=%r, from=%r, to=%r, entries=%r)" % (
            self.snapshotRoot, self.fromSnapshot, self.toSnapshot,
            list(self.diffReportEntries))


@_register("hadoop.hdfs.SnapshottableDirectoryStatusProto")
class SnapshottableDirectoryStatus(_base("hadoop.hdfs.SnapshottableDirectoryStatusProto")):  # type: ignore[misc]
    status = property(lambda self: self.dirStatus)

    @property
    def full_path(self):
        parent = _s(self.parent_fullpath)
        st = self.dirStatus
        return parent if st is None else st.full_name(parent)

    def __repr__(self):
        return "SnapshottableDirectoryStatus(%r, snapshot_number=%d, snapshot_quota=%d)" % (
            self.full_path, self.snapshot_number, self.snapshot_quota)


@_register("hadoop.hdfs.CorruptFileBlocksProto")
class CorruptFileBlocks(_base("hadoop.hdfs.CorruptFileBlocksProto")):  # type: ignore[misc]
    """listCorruptFileBlocks(): .files and the .cookie to continue."""

    def __repr__(self):
        return "CorruptFileBlocks(files=%r, cookie=%r)" % (list(self.files), self.cookie)


# --- Hadoop 3: quota usage, erasure coding, open files ---------------------

@_register("hadoop.hdfs.QuotaUsageProto")
class QuotaUsage(_base("hadoop.hdfs.QuotaUsageProto")):  # type: ignore[misc]
    """getQuotaUsage(): getContentSummary's quota half, without counting
    files; quotas are -1 when not set."""

    file_and_directory_count = property(lambda self: self.fileAndDirectoryCount)
    space_consumed = property(lambda self: self.spaceConsumed)
    quota = property(lambda self: _signed(self.__dict__.get("quota", 0)))
    spaceQuota = space_quota = property(
        lambda self: _signed(self.__dict__.get("spaceQuota", 0)))

    def __repr__(self):
        return ("QuotaUsage(file_and_directory_count=%d, quota=%d, space_consumed=%d, "
                "space_quota=%d)" % (self.fileAndDirectoryCount, self.quota,
                                     self.spaceConsumed, self.spaceQuota))


# Hadoop 3's built-in policies (SystemErasureCodingPolicies): a NameNode
# sends only the id of these, in file statuses and policy lists alike.
# id -> (codec, data units, parity units); all have 1 MiB cells.
_SYSTEM_EC_POLICIES = {
    1: ("rs", 6, 3),
    2: ("rs", 3, 2),
    3: ("rs-legacy", 6, 3),
    4: ("xor", 2, 1),
    5: ("rs", 10, 4),
}
_SYSTEM_EC_CELL = 1024 * 1024


@_register("hadoop.hdfs.ErasureCodingPolicyProto")
class ErasureCodingPolicy(_base("hadoop.hdfs.ErasureCodingPolicyProto")):  # type: ignore[misc]
    """An erasure-coding policy: .name ("RS-6-3-1024k"), .codec ("rs"),
    .data_units, .parity_units, .cell_size, .id, .state_name ("ENABLED",
    "DISABLED", "REMOVED"). The fields a NameNode leaves out for a built-in
    policy are filled in from its id, as Java's client does."""

    def _schema(self):
        """(codec, data units, parity units): the schema sent, else the
        built-in policy's."""
        sch = self.schema
        if sch is not None:
            return sch.codecName, sch.dataUnits, sch.parityUnits
        return _SYSTEM_EC_POLICIES.get(self.id, (None, 0, 0))

    codec = property(lambda self: self._schema()[0])
    data_units = property(lambda self: self._schema()[1])
    parity_units = property(lambda self: self._schema()[2])

    @property
    def cell_size(self):
        if "cellSize" in self.__dict__:
            return self.__dict__["cellSize"]
        return _SYSTEM_EC_CELL if self.id in _SYSTEM_EC_POLICIES else 0

    @property
    def name(self):
        if self.__dict__.get("name"):
            return self.__dict__["name"]
        if self.id not in _SYSTEM_EC_POLICIES:
            return ""
        # ErasureCodingPolicy.composePolicyName
        return "%s-%d-%d-%dk" % (self.codec.upper(), self.data_units, self.parity_units,
                                 self.cell_size // 1024)

    state_name = property(lambda self: getattr(self.state, "name", self.state))

    def __repr__(self):
        return "ErasureCodingPolicy(%r, id=%d, state=%s)" % (self.name, self.id, self.state_name)


@_register("hadoop.hdfs.OpenFilesBatchResponseProto")
class OpenFileEntry(_base("hadoop.hdfs.OpenFilesBatchResponseProto")):  # type: ignore[misc]
    """listOpenFiles(): a file open for writing (.id is its inode id) and
    the lease holder's client name and machine."""

    client_name = property(lambda self: self.clientName)
    client_machine = property(lambda self: self.clientMachine)

    def __repr__(self):
        return "OpenFileEntry(%r, id=%d, client_name=%r)" % (self.path, self.id, self.clientName)
