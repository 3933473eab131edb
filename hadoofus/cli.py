"""hadoofus: the `hdfs dfs` command line, with no JVM.

    hadoofus ls -R /data          # or: hadoofus -ls -R /data, python -m hadoofus
    hadoofus --namenode nn:8020 put -f big.csv /data/
    hadoofus --json du -s /data

The verbs, flags, output lines, error messages and exit codes are those of
Hadoop's FsShell (`hadoop fs`): 0 on success, 1 when a path failed, 255 for
a usage error. The NameNode is --namenode (host:port, an HA nameservice or
an hdfs:// URL), else fs.defaultFS of $HADOOP_CONF_DIR; the user is --user,
else $HADOOP_USER_NAME, else the login name.

Tree walks (ls -R, find, chmod/chown -R, setrep, get/cp of trees) keep the
listings of every directory found so far in flight on the one NameNode
connection, so a tree costs about one round trip per level rather than one
per directory. Trees move `--threads` files at once; a progress bar (tqdm)
is drawn on stderr when both stdout and stderr are terminals.
"""

import concurrent.futures
import decimal
import fnmatch
import functools
import glob
import json
import os
import posixpath
import re
import shutil
import sys
import threading
import time

from . import conf, easy, errors

__all__ = ["main"]

_CHUNK = 8 << 20
_COPYING = "._COPYING_"


class UsageError(Exception):
    pass


class FatalError(Exception):
    """What FsShell reports as "Fatal internal error" (exit 255): an
    option its parser throws on, e.g. an unknown -p letter."""


class PathError(Exception):
    """One path failed: FsShell prints "<verb>: <message>" and goes on."""


def _quoted(display, what):
    return PathError("`%s': %s" % (display, what))


def _path_error(e, display):
    """The FsShell message for an exception raised on `display`."""
    if isinstance(e, PathError):
        return e
    if isinstance(e, errors.ProtocolException) and isinstance(e, PermissionError):
        return PathError(str(e))
    for cls, what in ((FileNotFoundError, "No such file or directory"),
                      (FileExistsError, "File exists"),
                      (IsADirectoryError, "Is a directory"),
                      (NotADirectoryError, "Is not a directory")):
        if isinstance(e, cls):
            return _quoted(display, what)
    if isinstance(e, errors.ProtocolException):
        return PathError(str(e))
    if isinstance(e, OSError) and e.strerror:
        return PathError("%s: %s" % (display, e.strerror))
    return PathError("%s: %s" % (display, e))


# ---------------------------------------------------------------------------
# Formats (Java's TraditionalBinaryPrefix, FsPermission, ContentSummary)

_PREFIXES = "KMGTPE"


def _java_fixed(x, places):
    """String.format("%.Nf"): half-up, as Java rounds."""
    q = decimal.Decimal(1).scaleb(-places)
    return str(decimal.Decimal(repr(x)).quantize(q, rounding=decimal.ROUND_HALF_UP))


def human(n):
    """StringUtils.TraditionalBinaryPrefix.long2String(n, "", 1)."""
    sign = "-" if n < 0 else ""
    n = abs(n)
    if n < 1024:
        return sign + str(n)
    i = min((n.bit_length() - 1) // 10, len(_PREFIXES))
    shift = 10 * i
    if n & ((1 << shift) - 1) == 0:
        s = str(n >> shift)
    else:
        s = _java_fixed(n / float(1 << shift), 1)
        if s.startswith("1024") and i < len(_PREFIXES):
            i += 1
            shift += 10
            s = _java_fixed(n / float(1 << shift), 1)
    return "%s%s %s" % (sign, s, _PREFIXES[i - 1])


def perm_string(st):
    """FsPermission.toString() plus the ACL mark ("+" or " ")."""
    return _perm_string(st.permission)


@functools.lru_cache(maxsize=256)
def _perm_string(p):
    out = []
    for shift in (6, 3, 0):
        bits = (p >> shift) & 7
        out.append(("r" if bits & 4 else "-") + ("w" if bits & 2 else "-") +
                   ("x" if bits & 1 else "-"))
    s = "".join(out)
    if p & 0o1000:
        s = s[:-1] + ("t" if p & 1 else "T")
    return s + ("+" if p & (1 << 12) else " ")


def _kind(st):
    return "d" if st.isdir else ("l" if st.is_symlink else "-")


@functools.lru_cache(maxsize=4096)
def _minute(minutes):
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(minutes * 60))


def _local_minute(ms):
    # Trees are mostly made within a few minutes: one strftime per minute.
    return _minute(ms // 60000)


def _status_json(st, display):
    return {
        "path": display,
        "type": "DIRECTORY" if st.isdir else ("SYMLINK" if st.is_symlink else "FILE"),
        "permission": "%o" % (st.permission & 0o7777),
        "acl": bool(st.permission & (1 << 12)),
        "owner": st.owner,
        "group": st.group,
        "length": 0 if st.isdir else st.size,
        "replication": st.replication,
        "blocksize": st.blocksize,
        "modification_time": st.mtime,
        "access_time": st.atime,
    }


def _join(parent, name):
    if parent == ".":
        return name
    return parent + name if parent.endswith("/") else parent + "/" + name


_GLOB = re.compile(r"[*?\[{]")


def _braces(pattern):
    """Expand {a,b} alternatives (Hadoop's GlobExpander)."""
    m = re.search(r"\{([^{}]*)\}", pattern)
    if not m:
        return [pattern]
    out = []
    for alt in m.group(1).split(","):
        out += _braces(pattern[:m.start()] + alt + pattern[m.end():])
    return out


class _Progress:
    """A byte counter drawn by tqdm on stderr; nothing when not shown."""

    def __init__(self, shown, total, desc):
        self._bar = None
        self._lock = threading.Lock()
        if shown:
            from tqdm import tqdm
            self._bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True,
                             unit_divisor=1024, file=sys.stderr, leave=False)

    def update(self, n):
        if self._bar is not None:
            with self._lock:
                self._bar.update(n)

    def close(self):
        if self._bar is not None:
            self._bar.close()


# ---------------------------------------------------------------------------
# The shell

_VERBS: dict = {}


def _verb(name, opts, usage, aliases=()):
    """Register a verb: opts is its getopt letters ("Rhd", "n:" takes a
    value); usage is FsShell's usage line after the verb."""
    def deco(fn):
        for n in (name,) + tuple(aliases):
            _VERBS[n] = (fn, opts, usage, name)
        return fn
    return deco


class Shell:
    def __init__(self, namenode=None, user=None, as_json=False, threads=8,
                 progress=None, out=None, err=None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.as_json = as_json
        self.threads = max(1, threads)
        if progress is None:
            progress = self.out.isatty() and self.err.isatty()
        self.progress = progress
        url = "/"
        if namenode:
            url = namenode if "://" in namenode else "hdfs://%s/" % namenode
        self.host, self.port, self.user, _ = easy.resolve(url, user)
        if self.port is None:
            self.authority = self.host
        else:
            self.authority = "%s:%d" % (self.host, self.port)
        self.verb = None
        self.exit_code = 0
        self._ls_widths = [3, 10, 0, 0]
        self._client = None
        self.conf = {}      # -D key=value, over the Hadoop configuration

    @property
    def client(self):
        if self._client is None:
            self._client = easy.filesystem(self.host, self.port, self.user)
        return self._client

    @property
    def uri(self):
        return "hdfs://%s" % self.authority

    # -- running ------------------------------------------------------------

    def run(self, argv):
        """Run one verb with its arguments; the exit code."""
        if not argv:
            self.err.write(_usage_all())
            return 255
        name = argv[0].lstrip("-")
        entry = _VERBS.get(name)
        if entry is None:
            self.err.write("%s: Unknown command\n" % argv[0])
            return 255
        fn, opts, usage, self.verb = entry
        try:
            flags, args = self._parse(opts, argv[1:])
            fn(self, flags, args)
        except UsageError as e:
            self.err.write("-%s: %s\nUsage: hadoofus -%s %s\n" % (self.verb, e, self.verb, usage))
            return 255
        except FatalError as e:
            self.err.write("-%s: Fatal internal error\n%s\n" % (self.verb, e))
            return 255
        except PathError as e:
            self.fail(e)
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:
            return self.exit_code
        except (errors.HadoofusError, OSError) as e:
            self.fail(_path_error(e, ""))
        self.out.flush()
        return self.exit_code

    @staticmethod
    def _parse(opts, argv):
        # FsShell's options come first; "-" alone is an argument (stdin).
        flags = {}
        i = 0
        while i < len(argv) and argv[i].startswith("-") and argv[i] != "-":
            if argv[i] == "--":
                i += 1
                break
            a = argv[i][2:] if argv[i].startswith("--") else argv[i][1:]
            if a in opts.split(","):
                flags[a] = True
            elif a + ":" in opts.split(","):
                if i + 1 >= len(argv):
                    raise UsageError("Illegal option -%s" % a)
                flags[a] = argv[i + 1]
                i += 1
            elif a[:1] + "*" in opts.split(","):
                flags[a[:1]] = a[1:] or True     # -p or -p<letters>, as cp's -p[topax]
            elif a.isdigit() or a.lstrip("-").isdigit():
                break
            else:
                multi = [c for c in a]
                if not all(c in opts.split(",") for c in multi):
                    raise UsageError("Illegal option -%s" % a)
                for c in multi:
                    flags[c] = True
            i += 1
        return flags, argv[i:]

    def fail(self, e):
        self.err.write("%s: %s\n" % (self.verb, e))
        self.exit_code = 1

    def emit(self, line):
        self.out.write(line + "\n")

    def emit_json(self, obj):
        self.out.write(json.dumps(obj, indent=None) + "\n")

    # -- paths ----------------------------------------------------------------

    def abspath(self, s):
        """The absolute HDFS path of an argument (URL, absolute, relative)."""
        scheme, sep, rest = s.partition("://")
        if sep:
            p = "/" + rest.partition("/")[2]
        elif s.startswith("/"):
            p = s
        else:
            p = "/user/%s/%s" % (self.user, "" if s == "." else s)
        return posixpath.normpath(p).replace("//", "/")

    @staticmethod
    def display(s):
        scheme, sep, rest = s.partition("://")
        head, body = (scheme + sep, rest) if sep else ("", s)
        while "//" in body:
            body = body.replace("//", "/")
        if len(body) > 1 and body.endswith("/") and not (sep and body.count("/") == 1):
            body = body.rstrip("/")
        return head + body

    def expand(self, args, missing_ok=False):
        """[(display, path, status)] for the arguments, globs expanded
        (sorted); a missing path is reported (unless missing_ok, when its
        status is None) and skipped."""
        out = []
        for a in args:
            matched = []
            if _GLOB.search(a):
                for pat in _braces(a):
                    matched += self._glob(pat)
                if not matched:
                    if missing_ok:
                        out.append((self.display(a), self.abspath(a), None))
                    else:
                        self.fail(_quoted(a, "No such file or directory"))
                    continue
                out += sorted(matched, key=lambda m: m[1])
                continue
            d, p = self.display(a), self.abspath(a)
            try:
                st = self.client.getFileInfo(p)
            except Exception as e:
                self.fail(_path_error(e, d))
                continue
            if st is None and not missing_ok:
                self.fail(_quoted(d, "No such file or directory"))
                continue
            out.append((d, p, st))
        return out

    def _glob(self, pattern):
        scheme, sep, rest = pattern.partition("://")
        if sep:
            base_d = scheme + sep + rest.partition("/")[0] + "/"
            base_p, rel = "/", rest.partition("/")[2]
        elif pattern.startswith("/"):
            base_d, base_p, rel = "/", "/", pattern
        else:
            # Relative names stay relative in what is printed.
            base_d, base_p, rel = "", self.abspath("."), pattern
        found = [(base_p, base_d, None)]
        for c in [c for c in rel.split("/") if c and c != "."]:
            nxt = []
            if not _GLOB.search(c):
                for p, d, _ in found:
                    nxt.append((_join(p, c), _join(d, c) if d else c, None))
            else:
                futs = [(p, d, self.client.submit("getListing", p)) for p, d, _ in found]
                for p, d, f in futs:
                    try:
                        entries = f.result()
                    except Exception:
                        continue
                    for st in entries:
                        if st.path and fnmatch.fnmatchcase(st.path, c) and \
                                (c.startswith(".") or not st.path.startswith(".")):
                            nxt.append((_join(p, st.path), _join(d, st.path) if d else st.path, st))
            found = nxt
        out = []
        for p, d, st in found:
            if st is None:
                try:
                    st = self.client.getFileInfo(p)
                except Exception:
                    st = None
                if st is None:
                    continue
            out.append((d, p, st))
        return out

    def tree(self, path, display, st):
        """Pre-order (display, path, status) of a path and everything below
        it, in name order."""
        yield display, path, st
        if st is not None and st.isdir:
            listed = self.list_tree(path)
            yield from self._below(path, display, listed)

    def _below(self, path, display, listed):
        for c in self._children(path, display, listed):
            cd, cp, st = c
            yield c
            if st.isdir:
                yield from self._below(cp, cd, listed)

    def _children(self, path, display, listed):
        """[(display, path, status)] of a directory listed by list_tree
        (its error reported here, where FsShell would meet it)."""
        entries = listed.get(path, ())
        if isinstance(entries, Exception):
            self.fail(_path_error(entries, display))
            return []
        return [(_join(display, c.path), _join(path, c.path), c) for c in entries]

    def list_tree(self, path):
        """{directory: [status] or the exception} for a whole tree, listed a
        level at a time: every listing of a level is submitted before the
        first answer is awaited, so the NameNode works through them
        back to back on the one connection and a tree costs one round trip
        per level. Empty directories are not listed (absent: no entries)."""
        listed = {}
        level = [path]
        submit = self.client.submit
        while level:
            futs = [(p, submit("getListing", p)) for p in level]
            level = []
            for p, f in futs:
                try:
                    entries = listed[p] = f.result()
                except Exception as e:
                    listed[p] = e
                    continue
                # A directory the NameNode counts no children in needs no
                # listing (-1: not told).
                level += [_join(p, c.path) for c in entries
                          if c.isdir and c.childrenNum != 0]
        return listed

    def listing(self, path, display):
        """[(display, path, status)] of one directory."""
        return self._children(path, display, {path: self._list(path)})

    def _list(self, path):
        try:
            return self.client.getListing(path)
        except Exception as e:
            return e


def _usage_all():
    lines = ["Usage: hadoofus [--namenode HOST:PORT] [--user USER] [--json] "
             "[--threads N] [--[no-]progress] [-D key=value] <verb> [options] [args]"]
    seen = set()
    for name, (_fn, _o, usage, canon) in sorted(_VERBS.items()):
        if canon in seen or name != canon:
            continue
        seen.add(canon)
        lines.append("\t[-%s %s]" % (name, usage))
    return "\n".join(lines) + "\n"


def _conf_float(key, default=0.0):
    """A number from the Hadoop configuration (default when unset)."""
    from ._native import ffi, lib
    buf = ffi.new("char[]", 256)
    try:
        if lib.hdfs_conf_get(conf.load(), key.encode(), buf, 256, ffi.NULL):
            return default
        return float(ffi.string(buf).decode().strip())
    except ValueError:
        return default


def _int_arg(s, what):
    try:
        return int(s)
    except ValueError:
        raise UsageError("%s: %s" % (what, s)) from None


def _need(args, n):
    if len(args) < n:
        raise UsageError("Not enough arguments: expected %d but got %d" % (n, len(args)))


# ---------------------------------------------------------------------------
# Listing verbs

@_verb("ls", "R,h,d", "[-d] [-h] [-R] [<path> ...]")
def _ls(sh, flags, args):
    recursive, hum, dirs = "R" in flags, "h" in flags, "d" in flags
    items = sh.expand(args or ["."])
    if sh.as_json:
        out = []
        for d, p, st in items:
            if st.isdir and not dirs:
                walk = sh.tree(p, d, st) if recursive else sh.listing(p, d)
                out += [_status_json(c, cd) for cd, cp, c in walk if cp != p]
            else:
                out.append(_status_json(st, d))
        sh.emit_json(out)
        return
    w = sh._ls_widths
    lines = []

    def adjust(sts):
        for st in sts:
            w[0] = max(w[0], len(str(st.replication)))
            w[1] = max(w[1], len(str(0 if st.isdir else st.size)))
            w[2] = max(w[2], len(st.owner))
            w[3] = max(w[3], len(st.group))

    def line(st, display):
        size = 0 if st.isdir else st.size
        lines.append("%s%s%*s %-*s %-*s %*s %s %s" % (
            _kind(st), perm_string(st), w[0], "-" if not st.is_file else st.replication,
            w[2], st.owner, w[3], st.group, w[1], human(size) if hum else size,
            _local_minute(st.mtime), display))
        if len(lines) >= 4096:
            sh.out.write("\n".join(lines) + "\n")
            del lines[:]

    def listing(p, d, listed, top):
        # Java's Ls widens its columns for each directory's entries as it
        # reaches them, and never narrows them again.
        children = sh._children(p, d, listed)
        if top and not recursive and children:
            lines.append("Found %d items" % len(children))
        adjust([c for _cd, _cp, c in children])
        for cd, cp, c in children:
            line(c, cd)
            if recursive and c.isdir:
                listing(cp, cd, listed, False)

    for d, p, st in items:
        if st.isdir and not dirs:
            listed = sh.list_tree(p) if recursive else {p: sh._list(p)}
            listing(p, d, listed, True)
        else:
            adjust([st])
            line(st, d)
    if lines:
        sh.out.write("\n".join(lines) + "\n")


@_verb("stat", "", "[format] <path> ...")
def _stat(sh, flags, args):
    _need(args, 1)
    fmt = "%y"
    if len(args) > 1 and "%" in args[0]:
        fmt, args = args[0], args[1:]
    for d, p, st in sh.expand(args):
        if sh.as_json:
            sh.emit_json(_status_json(st, d))
            continue
        sh.emit(_stat_format(fmt, st, p))


def _stat_format(fmt, st, path):
    kind = "directory" if st.isdir else ("regular file" if st.is_file else "symlink")
    name = path.rsplit("/", 1)[-1] if path != "/" else ""
    vals = {
        "a": "%o" % (st.permission & 0o7777),
        "A": _kind(st) + perm_string(st).rstrip(),
        "b": str(0 if st.isdir else st.size),
        "F": kind,
        "g": st.group,
        "n": name,
        "o": str(st.blocksize),
        "r": str(st.replication),
        "u": st.owner,
        "y": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(st.mtime / 1000.0)),
        "Y": str(st.mtime),
    }
    return re.sub(r"%(.)", lambda m: vals.get(m.group(1), m.group(0)), fmt)


@_verb("test", "d,e,f,s,z,w,r", "-[defsz] <path>")
def _test(sh, flags, args):
    if len(flags) != 1:
        raise UsageError("No test flag given" if not flags else "Only one test flag is allowed")
    _need(args, 1)
    try:
        st = sh.client.getFileInfo(sh.abspath(args[0]))
    except (FileNotFoundError, NotADirectoryError):
        st = None
    if st is None:
        sh.exit_code = 1
        return
    flag = next(iter(flags))
    ok = {"e": True, "d": st.isdir, "f": st.is_file,
          "s": not st.isdir and st.size > 0, "z": st.isdir or st.size == 0,
          "w": True, "r": True}[flag]
    if flag in "wr":
        try:
            sh.client.checkAccess(sh.abspath(args[0]), "WRITE" if flag == "w" else "READ")
        except PermissionError:
            ok = False
    sh.exit_code = 0 if ok else 1


@_verb("find", "", "<path> ... <expression> ...")
def _find(sh, flags, args):
    paths, expr = [], []
    for i, a in enumerate(args):
        if a.startswith("-"):
            expr = args[i:]
            break
        paths.append(a)
    tests = []
    i = 0
    while i < len(expr):
        e = expr[i]
        if e in ("-name", "-iname"):
            if i + 1 >= len(expr):
                raise UsageError("Invalid expression: %s needs a pattern" % e)
            pat = expr[i + 1]
            if e == "-iname":
                tests.append(lambda n, pat=pat.lower(): fnmatch.fnmatchcase(n.lower(), pat))
            else:
                tests.append(lambda n, pat=pat: fnmatch.fnmatchcase(n, pat))
            i += 2
        elif e in ("-print", "-print0"):
            i += 1
        else:
            raise UsageError("Unexpected argument: %s" % e)
    end = "\0" if "-print0" in expr else "\n"
    found = []
    for d, p, st in sh.expand(paths or ["."]):
        for cd, cp, c in sh.tree(p, d, st):
            name = cp.rsplit("/", 1)[-1]
            if all(t(name) for t in tests):
                if sh.as_json:
                    found.append(_status_json(c, cd))
                else:
                    sh.out.write(cd + end)
    if sh.as_json:
        sh.emit_json(found)


# ---------------------------------------------------------------------------
# Space

@_verb("du", "s,h,v,x", "[-s] [-h] <path> ...")
def _du(sh, flags, args):
    summary, hum = "s" in flags, "h" in flags
    fmt = human if hum else str
    for d, p, st in sh.expand(args or ["."]):
        if st.isdir and not summary:
            rows = []
            for cd, cp, c in sh.listing(p, d):
                rows.append((cd, c, sh.client.submit("getContentSummary", cp)
                             if c.isdir else None))
            rows = [(cd, c.size if f is None else f.result().length) for cd, c, f in rows]
        else:
            rows = [(d, st.size if not st.isdir else sh.client.getContentSummary(p).length)]
        if sh.as_json:
            sh.emit_json([{"path": cd, "length": n} for cd, n in rows])
            continue
        if not rows:
            continue
        width = max(len(fmt(n)) for _cd, n in rows)
        for cd, n in rows:
            sh.emit("%-*s  %s" % (width, fmt(n), cd))


def _count_row(cs, quotas, hum):
    fmt = human if hum else str
    out = ""
    if quotas:
        q, sq = cs.quota, cs.spaceQuota
        used = cs.directoryCount + cs.fileCount
        out += "%12s %15s " % (str(q), str(q - used)) if q > 0 else "%12s %15s " % ("none", "inf")
        out += "%15s %15s " % (fmt(sq), fmt(sq - cs.spaceConsumed)) if sq > 0 else \
            "%15s %15s " % ("none", "inf")
    return out + "%12s %12s %18s " % (cs.directoryCount, cs.fileCount, fmt(cs.length))


@_verb("count", "q,h,v", "[-q] [-h] <path> ...")
def _count(sh, flags, args):
    _need(args, 1)
    items = sh.expand(args)
    futs = [(d, sh.client.submit("getContentSummary", p)) for d, p, _st in items]
    for d, f in futs:
        try:
            cs = f.result()
        except Exception as e:
            sh.fail(_path_error(e, d))
            continue
        if sh.as_json:
            sh.emit_json({"path": d, "directory_count": cs.directoryCount,
                          "file_count": cs.fileCount, "length": cs.length,
                          "quota": cs.quota, "space_consumed": cs.spaceConsumed,
                          "space_quota": cs.spaceQuota})
        else:
            sh.emit(_count_row(cs, "q" in flags, "h" in flags) + d)


@_verb("df", "h", "[-h] [<path> ...]")
def _df(sh, flags, args):
    if args:
        sh.expand(args)
    s = sh.client.getFsStats()
    if sh.as_json:
        sh.emit_json({"filesystem": sh.uri, "capacity": s.capacity, "used": s.used,
                      "remaining": s.remaining})
        return
    fmt = human if "h" in flags else str
    pct = _java_fixed(100.0 * s.used / s.capacity, 0) + "%" if s.capacity else "0%"
    rows = [("Filesystem", "Size", "Used", "Available", "Use%"),
            (sh.uri, fmt(s.capacity), fmt(s.used), fmt(s.remaining), pct)]
    w = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        sh.emit("  ".join([r[0].ljust(w[0])] + [r[i].rjust(w[i]) for i in range(1, 5)]))


@_verb("checksum", "", "<path> ...")
def _checksum(sh, flags, args):
    _need(args, 1)
    out = []
    for d, p, st in sh.expand(args):
        if st.isdir:
            sh.fail(_quoted(d, "Is a directory"))
            continue
        try:
            # -D dfs.checksum.combine.mode=COMPOSITE_CRC as FsShell.
            cs = easy.checksum(p, fs=sh.client, mode=sh.conf.get("dfs.checksum.combine.mode"))
        except Exception as e:
            sh.fail(_path_error(e, d))
            continue
        if sh.as_json:
            out.append({"path": d, "algorithm": cs.algorithm, "bytes": cs.hex()})
        else:
            sh.emit("%s\t%s\t%s" % (d, cs.algorithm, cs.hex()))
    if sh.as_json:
        sh.emit_json(out)


# ---------------------------------------------------------------------------
# Reading

def _reader(sh, p, d, st):
    if st.isdir:
        raise _quoted(d, "Is a directory")
    return easy.HdfsFileReader(sh.client, p, name=d)


def _copy_out(r, out, limit=None, update=None):
    """Copy a reader's bytes (the first `limit`) to out; update(n) counts."""
    buf = memoryview(bytearray(min(_CHUNK, max(1, r.length))))
    left = r.length if limit is None else limit
    while left > 0:
        n = r.readinto(buf[:min(len(buf), left)])
        if not n:
            break
        out.write(buf[:n])
        left -= n
        if update is not None:
            update(n)


def _each_file(sh, args, fn):
    for d, p, st in sh.expand(args):
        try:
            with _reader(sh, p, d, st) as r:
                fn(r)
        except BrokenPipeError:
            raise
        except Exception as e:
            sh.fail(_path_error(e, d))


@_verb("cat", "ignoreCrc", "[-ignoreCrc] <src> ...")
def _cat(sh, flags, args):
    _need(args, 1)
    sh.out.flush()
    out = sh.out.buffer
    _each_file(sh, args, lambda r: _copy_out(r, out))
    out.flush()


@_verb("head", "", "<file>")
def _head(sh, flags, args):
    _need(args, 1)
    sh.out.flush()
    _each_file(sh, args[:1], lambda r: _copy_out(r, sh.out.buffer, 1024))
    sh.out.buffer.flush()


@_verb("tail", "f", "[-f] <file>")
def _tail(sh, flags, args):
    _need(args, 1)
    sh.out.flush()
    out = sh.out.buffer
    [(d, p, st)] = sh.expand(args[:1]) or [(None, None, None)]
    if st is None:
        return
    offset = max(0, (0 if st.isdir else st.size) - 1024)
    while True:
        try:
            with _reader(sh, p, d, st) as r:
                if r.length > offset:
                    out.write(r.pread(offset, r.length - offset))
                    offset = r.length
        except Exception as e:
            sh.fail(_path_error(e, d))
            return
        out.flush()
        if "f" not in flags:
            return
        time.sleep(5.0)   # FsShell's follow delay


# ---------------------------------------------------------------------------
# Transfers

class _Transfer:
    """Files to move, run `threads` at once with one progress bar."""

    def __init__(self, sh, desc):
        self.sh = sh
        self.desc = desc
        self.jobs = []      # (fn, args, size, display)

    def add(self, fn, size, display, *args):
        self.jobs.append((fn, args, size, display))

    def run(self):
        sh = self.sh
        bar = _Progress(sh.progress, sum(j[2] for j in self.jobs), self.desc)
        try:
            if len(self.jobs) <= 1 or sh.threads == 1:
                results = [self._one(j, bar) for j in self.jobs]
            else:
                with concurrent.futures.ThreadPoolExecutor(min(sh.threads, len(self.jobs))) as ex:
                    results = list(ex.map(lambda j: self._one(j, bar), self.jobs))
        finally:
            bar.close()
        for e in results:
            if e is not None:
                sh.fail(e)

    @staticmethod
    def _one(job, bar):
        fn, args, _size, display = job
        try:
            fn(*args, bar.update)
        except Exception as e:
            return _path_error(e, display)
        return None


def _pump(src, dst, update):
    while True:
        data = src.read(_CHUNK)
        if not data:
            return
        dst.write(data)
        update(len(data))


def _target(sh, dst_arg, n_sources):
    """(display, path, status) of a copy's HDFS destination."""
    d, p = sh.display(dst_arg), sh.abspath(dst_arg)
    st = sh.client.getFileInfo(p)
    if n_sources > 1 and (st is None or not st.isdir):
        raise _quoted(d, "Is not a directory" if st is not None else "No such file or directory")
    return d, p, st


def _sources_and_target(sh, args):
    """The expanded HDFS sources of cp/mv and their target."""
    _need(args, 2)
    items = sh.expand(args[:-1])
    if not items:
        return [], (None, None, None)
    return items, _target(sh, args[-1], len(items))


def _into(d, p, st, name):
    if st is not None and st.isdir:
        return _join(d, name), _join(p, name), True
    return d, p, False


def _put_file(sh, local, path, overwrite, preserve, update):
    tmp = path + _COPYING
    with open(local, "rb") as src, easy.open("hdfs://%s%s" % (sh.authority, tmp), "wb",
                                             user=sh.user) as dst:
        _pump(src, dst, update)
    sh.client.rename2(tmp, path, overwrite=overwrite)
    if preserve:
        _preserve_from_local(sh, local, path)


# -p: FsShell's preserveAttributes. cp's -p alone is times, ownership and
# permission; letters pick among t(imes) o(wnership) p(ermission) a(cl:
# permission too) x(attrs). Directories get theirs after their contents
# (which would change their times), deepest first.
_PRESERVE_DEFAULT = "top"
_ACL_BIT = 1 << 12      # FsPermissionExtension: the file has an extended ACL
_RWX = ["---", "--x", "-w-", "-wx", "r--", "r-x", "rw-", "rwx"]


def _preserve_letters(flags):
    v = flags.get("p")
    if not v:
        return ""
    bad = [c for c in ("" if v is True else v) if c not in "topax"]
    if bad:
        raise FatalError("No attribute for %s" % bad[0])
    return _PRESERVE_DEFAULT if v is True else v


def _preserve(sh, what, src, st, path):
    """Give HDFS `path` the attributes `what` of HDFS `src` (status st)."""
    c = sh.client
    if "t" in what:
        c.setTimes(path, st.mtime, st.atime)
    if "o" in what:
        c.setOwner(path, st.owner, st.group)
    if "p" in what or "a" in what:
        c.setPermission(path, st.permission & 0o7777)
    if "a" in what and st.permission & _ACL_BIT:
        # The full ACL: base entries from the permission (its group bits
        # are the mask), the extended ones as the NameNode keeps them.
        perm = st.permission
        base = ["user::" + _RWX[perm >> 6 & 7], "mask::" + _RWX[perm >> 3 & 7],
                "other::" + _RWX[perm & 7]]
        c.setAcl(path, base + [str(e) for e in c.getAclStatus(src).entries])
    if "x" in what:
        for name, value in c.getXAttrs(src).items():
            c.setXAttr(path, name, value)


def _preserve_from_local(sh, local, path):
    """put -p: a local file's times, owner, group and permission (the
    access time as Hadoop 2.7's local file system reports it: none)."""
    import grp
    import pwd
    s = os.stat(local)
    c = sh.client
    c.setTimes(path, int(s.st_mtime_ns // 1000000), 0)
    c.setOwner(path, pwd.getpwuid(s.st_uid).pw_name, grp.getgrgid(s.st_gid).gr_name)
    c.setPermission(path, s.st_mode & 0o1777)


@_verb("put", "f,p,l,d", "[-f] [-p] [-l] [-d] <localsrc> ... <dst>",
       aliases=("copyFromLocal", "moveFromLocal"))
def _put(sh, flags, args):
    _need(args, 1)
    srcs, dst = (args[:-1], args[-1]) if len(args) > 1 else (args, ".")
    overwrite = "f" in flags
    preserve = "p" in flags
    move = sh.verb == "moveFromLocal"
    locals_ = []
    for s in srcs:
        if s == "-":
            locals_.append(s)
            continue
        m = sorted(glob.glob(s)) if _GLOB.search(s) else ([s] if os.path.lexists(s) else [])
        if not m:
            sh.fail(_quoted(s, "No such file or directory"))
        locals_ += m
    if not locals_:
        return
    td, tp, tst = _target(sh, dst, len(locals_))
    job = _Transfer(sh, "put")
    mkdirs = []
    local_dirs = []
    for s in locals_:
        if s == "-":
            _put_stdin(sh, tp, overwrite)
            continue
        name = os.path.basename(os.path.normpath(s))
        d, p, _ = _into(td, tp, tst, name)
        if os.path.isdir(s):
            for root, dirs, files in os.walk(s):
                dirs.sort()
                rel = os.path.relpath(root, s)
                rd = d if rel == "." else _join(d, rel.replace(os.sep, "/"))
                rp = p if rel == "." else _join(p, rel.replace(os.sep, "/"))
                mkdirs.append(rp)
                local_dirs.append((rp, root))
                for f in sorted(files):
                    lf = os.path.join(root, f)
                    job.add(_put_file, os.path.getsize(lf), _join(rd, f), sh, lf,
                            _join(rp, f), overwrite, preserve)
            continue
        job.add(_put_file, os.path.getsize(s), d, sh, s, p, overwrite, preserve)
    _check_targets(sh, job, overwrite, lambda j: j[1][2])
    with sh.client.pipeline() as pl:
        for p in mkdirs:
            pl.mkdirs(p, 0o755, True)
    job.run()
    if preserve:
        for p, lp in reversed(local_dirs):
            _preserve_from_local(sh, lp, p)
    if move and sh.exit_code == 0:
        for s in locals_:
            if s != "-":
                shutil.rmtree(s) if os.path.isdir(s) else os.remove(s)


def _put_stdin(sh, path, overwrite):
    if not overwrite and sh.client.getFileInfo(path) is not None:
        raise _quoted(path, "File exists")
    with easy.open("hdfs://%s%s" % (sh.authority, path), "wb", user=sh.user) as dst:
        _pump(sys.stdin.buffer, dst, lambda n: None)


def _check_targets(sh, job, overwrite, path_of):
    """Drop (and report) the jobs whose HDFS target exists, unless -f."""
    futs = [(j, sh.client.submit("getFileInfo", path_of(j))) for j in job.jobs]
    keep = []
    for j, f in futs:
        try:
            st = f.result()
        except Exception as e:
            sh.fail(_path_error(e, j[3]))
            continue
        if st is not None and (st.isdir or not overwrite):
            sh.fail(_quoted(j[3], "Is a directory" if st.isdir and overwrite else "File exists"))
            continue
        keep.append(j)
    job.jobs = keep


def _get_file(sh, path, local, update):
    tmp = local + _COPYING
    with easy.HdfsFileReader(sh.client, path) as r, open(tmp, "wb") as out:
        _copy_out(r, out, update=update)
    os.replace(tmp, local)


@_verb("get", "f,p,ignoreCrc,crc", "[-f] [-p] [-ignoreCrc] [-crc] <src> ... <localdst>",
       aliases=("copyToLocal",))
def _get(sh, flags, args):
    _need(args, 1)
    srcs, dst = (args[:-1], args[-1]) if len(args) > 1 else (args, ".")
    items = sh.expand(srcs)
    if not items:
        return
    ldir = os.path.isdir(dst)
    if len(items) > 1 and not ldir:
        raise _quoted(dst, "Is not a directory")
    job = _Transfer(sh, "get")
    for d, p, st in items:
        name = p.rsplit("/", 1)[-1] or "/"
        top = os.path.join(dst, name) if ldir else dst
        shown = top
        if not st.isdir:
            if os.path.exists(top) and "f" not in flags:
                sh.fail(_quoted(shown, "File exists"))
                continue
            job.add(_get_file, st.size, d, sh, p, top)
            continue
        os.makedirs(top, exist_ok=True)
        for cd, cp, c in sh.tree(p, d, st):
            rel = cp[len(p):].lstrip("/")
            lp = os.path.join(top, *rel.split("/")) if rel else top
            if c.isdir:
                os.makedirs(lp, exist_ok=True)
            elif os.path.exists(lp) and "f" not in flags:
                sh.fail(_quoted(lp, "File exists"))
            else:
                job.add(_get_file, c.size, cd, sh, cp, lp)
    job.run()


def _cp_file(sh, src, path, overwrite, preserve, st, update):
    tmp = path + _COPYING
    with easy.HdfsFileReader(sh.client, src) as r, \
            easy.open("hdfs://%s%s" % (sh.authority, tmp), "wb", user=sh.user) as w:
        _copy_out(r, w, update=update)
    sh.client.rename2(tmp, path, overwrite=overwrite)
    if preserve:
        _preserve(sh, preserve, src, st, path)


@_verb("cp", "f,p*,d", "[-f] [-p | -p[topax]] [-d] <src> ... <dst>")
def _cp(sh, flags, args):
    preserve = _preserve_letters(flags)
    items, (td, tp, tst) = _sources_and_target(sh, args)
    overwrite = "f" in flags
    job = _Transfer(sh, "cp")
    mkdirs = []
    dirs = []
    for d, p, st in items:
        dd, dp, _ = _into(td, tp, tst, p.rsplit("/", 1)[-1])
        if dp == p or dp.startswith(p + "/"):
            sh.fail(PathError("`%s': is a subdirectory of itself" % dd) if dp != p else
                    _quoted(dd, "File exists"))
            continue
        for cd, cp, c in sh.tree(p, d, st):
            rel = cp[len(p):]
            if c.isdir:
                mkdirs.append(dp + rel)
                dirs.append((cp, c, dp + rel))
            else:
                job.add(_cp_file, c.size, dd + rel, sh, cp, dp + rel, overwrite, preserve, c)
    _check_targets(sh, job, overwrite, lambda j: j[1][2])
    with sh.client.pipeline() as pl:
        for p in mkdirs:
            pl.mkdirs(p, 0o755, True)
    job.run()
    if preserve:
        for src, st, p in reversed(dirs):
            _preserve(sh, preserve, src, st, p)


@_verb("mv", "", "<src> ... <dst>")
def _mv(sh, flags, args):
    items, (td, tp, tst) = _sources_and_target(sh, args)
    for d, p, st in items:
        dd, dp, _ = _into(td, tp, tst, p.rsplit("/", 1)[-1])
        try:
            if sh.client.getFileInfo(dp) is not None:
                raise _quoted(dd, "File exists")
            if dp.startswith(p + "/"):
                raise PathError("`%s' to `%s': is a subdirectory of itself" % (d, dd))
            sh.client.rename2(p, dp)
        except Exception as e:
            sh.fail(_path_error(e, dd))


@_verb("appendToFile", "", "<localsrc> ... <dst>")
def _append(sh, flags, args):
    _need(args, 2)
    d, p = sh.display(args[-1]), sh.abspath(args[-1])
    st = sh.client.getFileInfo(p)
    if st is not None and st.isdir:
        raise _quoted(d, "Is a directory")
    for s in args[:-1]:
        if s != "-" and not os.path.exists(s):
            raise _quoted(s, "No such file or directory")
    mode = "ab" if st is not None else "wb"
    with easy.open("hdfs://%s%s" % (sh.authority, p), mode, user=sh.user) as out:
        for s in args[:-1]:
            if s == "-":
                _pump(sys.stdin.buffer, out, lambda n: None)
            else:
                with open(s, "rb") as f:
                    _pump(f, out, lambda n: None)


# ---------------------------------------------------------------------------
# Changing the namespace

def _each_name(sh, args, fn):
    """fn(display, path, status or None) for each argument taken literally
    (the verbs that create paths); a failure is reported and the next goes on."""
    _need(args, 1)
    for a in args:
        d, p = sh.display(a), sh.abspath(a)
        try:
            fn(d, p, sh.client.getFileInfo(p))
        except Exception as e:
            sh.fail(_path_error(e, d))


@_verb("mkdir", "p", "[-p] <path> ...")
def _mkdir(sh, flags, args):
    parents = "p" in flags

    def one(d, p, st):
        if st is None:
            sh.client.mkdirs(p, 0o755, parents)
        elif not st.isdir:
            raise _quoted(d, "Not a directory" if parents else "File exists")
        elif not parents:
            raise _quoted(d, "File exists")
    _each_name(sh, args, one)


def _trash_interval(sh):
    try:
        server = sh.client.getServerDefaults().trashInterval
    except Exception:
        server = 0
    if server > 0:
        return server
    if "fs.trash.interval" in sh.conf:
        try:
            return float(sh.conf["fs.trash.interval"])
        except ValueError:
            return 0
    return _conf_float("fs.trash.interval")


def _to_trash(sh, p):
    """Move p under the user's .Trash/Current (as Java's TrashPolicyDefault);
    False when p is already in the trash."""
    home_trash = "/user/%s/.Trash" % sh.user
    if p == home_trash or p.startswith(home_trash + "/"):
        return False
    current = home_trash + "/Current"
    dst = current + p
    sh.client.mkdirs(dst.rsplit("/", 1)[0], 0o700, True)
    if sh.client.getFileInfo(dst) is not None:
        dst += str(int(time.time() * 1000))
    sh.client.rename2(p, dst)
    sh.emit("Moved: '%s%s' to trash at: %s%s" % (sh.uri, p, sh.uri, current))
    return True


@_verb("rm", "f,r,R,skipTrash,safely", "[-f] [-r|-R] [-skipTrash] [-safely] <src> ...")
def _rm(sh, flags, args):
    _need(args, 1)
    recursive = "r" in flags or "R" in flags
    force = "f" in flags
    trash = "skipTrash" not in flags and _trash_interval(sh) > 0
    for d, p, st in sh.expand(args, missing_ok=force):
        if st is None:
            continue
        try:
            if st.isdir and not recursive:
                raise _quoted(d, "Is a directory")
            if trash and _to_trash(sh, p):
                continue
            if sh.client.delete(p, recursive):
                sh.emit("Deleted %s" % d)
            elif not force:
                raise _quoted(d, "No such file or directory")
        except Exception as e:
            sh.fail(_path_error(e, d))


@_verb("rmdir", "ignore-fail-on-non-empty", "[--ignore-fail-on-non-empty] <dir> ...")
def _rmdir(sh, flags, args):
    _need(args, 1)
    for d, p, st in sh.expand(args):
        try:
            if not st.isdir:
                raise _quoted(d, "Is not a directory")
            if sh.client.getListing(p):
                if "ignore-fail-on-non-empty" not in flags:
                    raise _quoted(d, "Directory is not empty")
                continue
            sh.client.delete(p, False)
        except Exception as e:
            sh.fail(_path_error(e, d))


def _create_empty(sh, p, d):
    parent = p.rsplit("/", 1)[0] or "/"
    if sh.client.getFileInfo(parent) is None:
        raise _quoted(d, "No such file or directory")
    with easy.open("hdfs://%s%s" % (sh.authority, p), "wb", user=sh.user):
        pass


@_verb("touchz", "", "<path> ...")
def _touchz(sh, flags, args):
    def one(d, p, st):
        if st is not None and st.isdir:
            raise _quoted(d, "Is a directory")
        if st is not None and st.size != 0:
            raise _quoted(d, "Not a zero-length file")
        _create_empty(sh, p, d)
    _each_name(sh, args, one)


@_verb("touch", "a,m,c", "[-a] [-m] [-c] <path> ...")
def _touch(sh, flags, args):
    now = int(time.time() * 1000)
    both = "a" not in flags and "m" not in flags

    def one(d, p, st):
        if st is None:
            if "c" not in flags:
                _create_empty(sh, p, d)
            return
        sh.client.setTimes(p, now if both or "m" in flags else -1,
                           now if both or "a" in flags else -1)
    _each_name(sh, args, one)


_SYMBOLIC = re.compile(r"^([ugoa]*)([+=-])([rwxXt]*)$")


def _mode_fn(spec):
    """A function old mode -> new mode for chmod's MODE[,MODE]... | OCTAL."""
    if re.fullmatch(r"[0-7]{1,4}", spec):
        v = int(spec, 8)
        return lambda old, isdir: v
    parts = []
    for part in spec.split(","):
        m = _SYMBOLIC.match(part)
        if not m:
            return None
        parts.append(m.groups())

    def apply(old, isdir):
        mode = old & 0o7777
        for who, op, what in parts:
            who = who or "a"
            mask = 0
            for w, shift in (("u", 6), ("g", 3), ("o", 0)):
                if w in who or "a" in who:
                    bits = 0
                    for c, b in (("r", 4), ("w", 2), ("x", 1)):
                        if c in what:
                            bits |= b
                    if "X" in what and (isdir or mode & 0o111):
                        bits |= 1
                    mask |= bits << shift
            if "t" in what:
                mask |= 0o1000
            if op == "+":
                mode |= mask
            elif op == "-":
                mode &= ~mask
            else:
                keep = 0
                for w, shift in (("u", 6), ("g", 3), ("o", 0)):
                    if not (w in who or "a" in who):
                        keep |= 7 << shift
                mode = (mode & keep) | mask
        return mode
    return apply


def _each_tree(sh, args, recursive, fn, what):
    """fn(path, status) on every path (and, recursive, all below it),
    the calls pipelined; errors say FsShell's "changing ... of" text."""
    for d, p, st in sh.expand(args):
        walk = sh.tree(p, d, st) if recursive else [(d, p, st)]
        futs = [(cd, fn(cp, c)) for cd, cp, c in walk]
        for cd, f in futs:
            try:
                f.result()
            except Exception as e:
                if isinstance(e, errors.ProtocolException):
                    sh.fail(PathError("changing %s of '%s': %s" % (what, cd, e)))
                else:
                    sh.fail(_path_error(e, cd))


@_verb("chmod", "R", "[-R] <MODE[,MODE]... | OCTALMODE> PATH...")
def _chmod(sh, flags, args):
    _need(args, 2)
    fn = _mode_fn(args[0])
    if fn is None:
        raise UsageError("chmod : mode '%s' does not match the expected pattern." % args[0])
    _each_tree(sh, args[1:], "R" in flags,
               lambda p, st: sh.client.submit("setPermission", p, fn(st.permission, st.isdir)),
               "permissions")


def _owner_group(spec, chgrp):
    if chgrp:
        return None, spec
    m = re.fullmatch(r"([^:]*)(?::([^:]*))?", spec)
    if not m or (not m.group(1) and not m.group(2)):
        raise UsageError("'%s' does not match expected pattern for [owner][:group]." % spec)
    return m.group(1) or None, m.group(2) or None


@_verb("chown", "R", "[-R] [OWNER][:[GROUP]] PATH...")
@_verb("chgrp", "R", "[-R] GROUP PATH...")
def _chown(sh, flags, args):
    _need(args, 2)
    chgrp = sh.verb == "chgrp"
    owner, group = _owner_group(args[0], chgrp)
    _each_tree(sh, args[1:], "R" in flags,
               lambda p, st: sh.client.submit("setOwner", p, owner, group),
               "group" if chgrp else "ownership")


@_verb("setrep", "R,w", "[-R] [-w] <rep> <path> ...")
def _setrep(sh, flags, args):
    _need(args, 2)
    rep = _int_arg(args[0], "Invalid replication")
    done = []
    for d, p, st in sh.expand(args[1:]):
        files = [(cd, cp) for cd, cp, c in sh.tree(p, d, st) if c.is_file]
        futs = [(cd, cp, sh.client.submit("setReplication", cp, rep)) for cd, cp in files]
        for cd, cp, f in futs:
            try:
                if f.result():
                    sh.emit("Replication %d set: %s" % (rep, cd))
                    done.append((cd, cp))
            except Exception as e:
                sh.fail(_path_error(e, cd))
    if "w" in flags:
        _wait_for(sh, done, lambda p: all(len(b.locations) >= rep
                                          for b in sh.client.getBlockLocations(p)))


def _wait_for(sh, items, ready):
    """FsShell's -w: "Waiting for PATH ...", a dot a second, " done"."""
    for d, p in items:
        sh.out.write("Waiting for %s ..." % d)
        sh.out.flush()
        while not ready(p):
            sh.out.write(".")
            sh.out.flush()
            time.sleep(1)
        sh.emit(" done")


@_verb("truncate", "w", "[-w] <length> <path> ...")
def _truncate(sh, flags, args):
    _need(args, 2)
    length = _int_arg(args[0], "Illegal length")
    waits = []
    for d, p, st in sh.expand(args[1:]):
        try:
            if st.isdir:
                raise _quoted(d, "Is a directory")
            if sh.client.truncate(p, length):
                sh.emit("Truncated %s to length: %d" % (d, length))
            elif "w" in flags:
                waits.append((d, p))
            else:
                sh.emit("Truncating %s to length: %d. Wait for block recovery to "
                        "complete before further updating this file." % (d, length))
        except Exception as e:
            sh.fail(_path_error(e, d))
    _wait_for(sh, waits, sh.client.isFileClosed)


# ---------------------------------------------------------------------------
# The program

def main(argv=None):
    """Entry point of the `hadoofus` console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    kw = {}
    takes = {"--namenode": "namenode", "--user": "user", "--threads": "threads"}
    # Global options come before the verb (FsShell's verbs start with "-").
    conf = {}
    while argv and (argv[0].startswith("--") or argv[0] == "-D"):
        opt = argv.pop(0)
        if opt == "-D":
            # Hadoop's generic -D key=value (fs.trash.interval, ...).
            if not argv or "=" not in argv[0]:
                sys.stderr.write("hadoofus: -D needs key=value\n")
                return 255
            k, v = argv.pop(0).split("=", 1)
            conf[k] = v
            continue
        key, eq, val = opt.partition("=")
        if key in takes:
            if not eq:
                if not argv:
                    sys.stderr.write("hadoofus: %s needs a value\n" % key)
                    return 255
                val = argv.pop(0)
            kw[takes[key]] = int(val) if key == "--threads" else val
        elif opt == "--json":
            kw["as_json"] = True
        elif opt in ("--progress", "--no-progress"):
            kw["progress"] = opt == "--progress"
        elif opt == "--help":
            sys.stdout.write(_usage_all())
            return 0
        else:
            sys.stderr.write("hadoofus: unknown option %s\n" % opt)
            sys.stderr.write(_usage_all())
            return 255
    try:
        sh = Shell(**kw)
        sh.conf.update(conf)
    except (ValueError, errors.HadoofusError) as e:
        sys.stderr.write("hadoofus: %s\n" % e)
        return 1
    try:
        return sh.run(argv)
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            # Output went to a closed pipe (| head): quiet, as ls | head is.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
