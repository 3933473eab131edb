"""Print the op lines of hadoofus/_namenode.pyi and aio.pyi from the ops
the installed package registers: `python tests/gen_op_stubs.py sync|pipe|aio`
(rpc's methods, Pipeline's, aio.rpc's). A new op needs its argument types
in T (by argument name; OPT for one op's own) and its result in R (else
None); paste the lines
over the old ones. tests/test_typing.py fails while an op is missing."""

import inspect
import sys

from hadoofus import _namenode as n

T = {
 **{k: "_Path" for k in "src path dst trg filename target link snapshotRoot".split()},
 "srcs": "Sequence[_Path]",
 **{k: "int" for k in "masked dirPerm permission offset newLength fileId lastBlockLength mtime atime numAdditionalNodes replication".split()},
 **{k: "bool" for k in "createParent needLocation recursive overwrite isChecked".split()},
 "startAfter": "_Text", "length": "Optional[int]", "blockSize": "Optional[int]",
 **{k: "Optional[_Text]" for k in "username groupname clientName holder client cookie".split()},
 **{k: "_Text" for k in "snapshotName snapshotOldName snapshotNewName fromSnapshot toSnapshot name policyName".split()},
 "value": "bytes", "flag": "Optional[_Flags]", "mode": "Union[int, str]",
 "type": "Union[str, int]", "action": "Union[str, int]",
 "aclSpec": "Union[str, Iterable[Union[str, AclEntry]]]",
 "xAttrs": "Optional[Iterable[_Text]]",
 "namespaceQuota": "Optional[int]", "storagespaceQuota": "Optional[int]",
 "storageType": "Optional[Union[str, int]]",
 **{k: "_Block" for k in "b block blk oldBlock newBlock".split()},
 **{k: "Optional[_Block]" for k in "previous last".split()},
 **{k: "Sequence[Any]" for k in "excludeNodes favoredNodes existings excludes newNodes".split()},
 **{k: "Sequence[str]" for k in "existingStorageUuids newStorageIDs".split()},
 "blocks": "Sequence[LocatedBlock]",
 "ecPolicyName": "_Text", "renewer": "_Text", "token": "Token", "prevId": "int",
 "openFilesTypes": "Union[str, int, Iterable[Union[str, int]]]",
}
# (op, argument) pairs whose type differs there from T's.
OPT = {("createSnapshot", "snapshotName"): "Optional[_Text]",
       ("setErasureCodingPolicy", "ecPolicyName"): "Optional[_Text]",
       ("listOpenFiles", "path"): "_Text"}
R = {
 "getFileInfo": "Optional[FileStatus]", "getFileLinkInfo": "Optional[FileStatus]",
 "isFileClosed": "bool", "getListing": "List[FileStatus]",
 "getBlockLocations": "Optional[LocatedBlocks]", "getServerDefaults": "FsServerDefaults",
 "getPreferredBlockSize": "int", "getContentSummary": "ContentSummary", "getFsStats": "FsStats",
 "getDatanodeReport": "List[DatanodeInfo]", "getLinkTarget": "Optional[str]",
 "listCorruptFileBlocks": "CorruptFileBlocks",
 "create": "Optional[FileStatus]", "append": "Tuple[Optional[LocatedBlock], Optional[FileStatus]]",
 "addBlock": "LocatedBlock", "getAdditionalDatanode": "LocatedBlock", "updateBlockForPipeline": "LocatedBlock",
 "createSnapshot": "str", "getSnapshottableDirListing": "List[SnapshottableDirectoryStatus]",
 "getSnapshotDiffReport": "SnapshotDiffReport", "getAclStatus": "AclStatus",
 "getXAttrs": "Dict[str, bytes]", "listXAttrs": "List[str]",
 "getStoragePolicies": "List[BlockStoragePolicy]", "getStoragePolicy": "Optional[BlockStoragePolicy]",
 "getQuotaUsage": "QuotaUsage", "getErasureCodingPolicies": "List[ErasureCodingPolicy]",
 "getErasureCodingCodecs": "Dict[str, str]", "getErasureCodingPolicy": "Optional[ErasureCodingPolicy]",
 "listOpenFiles": "List[OpenFileEntry]", "getHAServiceState": "str",
 "getDelegationToken": "Optional[Token]", "renewDelegationToken": "int",
}
for k in "mkdirs delete rename setReplication complete recoverLease truncate setSafeMode".split():
    R[k] = "bool"

def sig(name, gen, amap, ret_wrap, prefix="def"):
    s = inspect.signature(gen)
    parts = ["self"]
    kwonly = []
    for p in list(s.parameters.values())[1:]:
        t = OPT.get((name, p.name), T[p.name])
        if p.default is inspect.Parameter.empty:
            parts.append("%s: %s" % (p.name, t))
        else:
            parts.append("%s: %s = ..." % (p.name, t))
            sn = n._snake(p.name)
            if sn != p.name:
                kwonly.append("%s: %s = ..." % (sn, t))
    for a, target in amap.items():
        if a != n._snake(target) and inspect.signature(gen).parameters[target].default is not inspect.Parameter.empty:
            kwonly.append("%s: %s = ..." % (a, OPT.get((name, target), T[target])))
    if kwonly:
        parts.append("*")
        parts += kwonly
    ret = R.get(name, "None")
    return "    %s %s(%s) -> %s: ..." % (prefix, name, ", ".join(parts), ret_wrap % ret)

mode = sys.argv[1] if len(sys.argv) > 1 else "sync"
for name, (gen, amap) in n._OPS.items():
    if name.startswith("_"):
        continue
    if mode == "sync":
        print(sig(name, gen, amap, "%s"))
    elif mode == "pipe":
        print(sig(name, gen, amap, "Future[%s]"))
    else:
        print(sig(name, gen, amap, "%s", "async def"))
