"""Kerberos on the NameNode RPC, against a real kerberized HDFS.

One secure MiniCluster (an MIT KDC on loopback, HADOOFUS.TEST) offering
every RPC protection serves the module: each QOP, keytab login, the
configuration-driven path, Java's FsShell (kinit'd) cross-checking the
namespace, and the error cases (no ticket, expired ticket, wrong realm,
wrong server principal, clock skew, a server demanding more protection
than allowed, no fallback to SIMPLE) which must fail fast and clearly.
"""

import errno
import gc
import os
import shutil
import subprocess
import sys
import time

import pytest

from conftest import auth_error, kerberos_rpc as client, running_secure_cluster

hadoofus = pytest.importorskip("hadoofus")

QOPS = ("authentication", "integrity", "privacy")


@pytest.fixture(scope="module")
def krb_env():
    yield from running_secure_cluster(users=("alice", "bob"), datanodes=1, replication=1)


@pytest.fixture(scope="module")
def alice_cc(krb_env):
    return krb_env.kinit("alice")


@pytest.mark.parametrize("qop", QOPS)
def test_each_protection(krb_env, alice_cc, qop):
    mc = krb_env
    with client(mc, ccache=alice_cc, protection=qop) as nn:
        assert nn.user == "alice"
        assert nn.kerberos_principal == "alice@" + mc.security.realm
        d = "/user/alice/qop-" + qop
        assert nn.mkdirs(d)
        st = nn.getFileInfo(d)
        assert st.owner == "alice"  # auth_to_local: alice@REALM -> alice
        # Many calls in flight: wrapped frames straddle WRAP messages.
        with nn.pipeline() as p:
            futs = [p.getFileInfo("%s/none-%d" % (d, i)) for i in range(200)]
        assert all(f.result() is None for f in futs)
        big = "/user/alice/" + "n" * 200
        assert nn.getListing("/user/alice", b"") is not None
        assert nn.getFileInfo(big) is None


def test_keytab_login_and_java_cross_check(krb_env):
    mc = krb_env
    with client(mc, principal="bob", keytab=mc.keytab("bob"), protection="privacy") as nn:
        assert nn.user == "bob"
        assert nn.mkdirs("/user/bob/from-hadoofus")
        assert nn.rename("/user/bob/from-hadoofus", "/user/bob/renamed")
        nn.setPermission("/user/bob/renamed", 0o750)
    ls = mc.fs_shell("-ls", "/user/bob", user="bob").stdout.decode()
    line = [x for x in ls.splitlines() if x.endswith("/user/bob/renamed")][0]
    assert line.startswith("drwxr-x---") and " bob " in line
    # ... and what Java made, hadoofus sees.
    mc.fs_shell("-mkdir", "/user/bob/from-java", user="bob")
    with client(mc, principal=mc.principal("bob"), keytab=mc.keytab("bob")) as nn:
        assert nn.getFileInfo("/user/bob/from-java").owner == "bob"
        with pytest.raises(hadoofus.AccessControlException):
            nn.mkdirs("/user/alice/not-bobs")


def test_configuration_drives_kerberos(krb_env, alice_cc, monkeypatch):
    mc = krb_env
    monkeypatch.setenv("HADOOP_CONF_DIR", mc.conf_dir)
    monkeypatch.setenv("KRB5CCNAME", "FILE:" + alice_cc)
    nn = hadoofus.rpc(mc.host, mc.port)  # hadoop.security.authentication=kerberos
    with nn:
        assert nn.kerberos_principal == mc.principal("alice")
        assert nn.getFileInfo("/user/alice").owner == "alice"
    # easy's connections too: the ticket's user, not the login name.
    from hadoofus import easy
    easy.clear_cache()
    try:
        fs = easy.filesystem(mc.host, mc.port)
        assert fs.user == "alice" and fs.real_user is None
        assert fs.mkdirs("/user/alice/via-easy")
        assert fs.getFileInfo("/user/alice/via-easy").owner == "alice"
    finally:
        easy.clear_cache()
    # The superuser through auth_to_local (nn/ and dn/ map to hdfs too).
    monkeypatch.setenv("KRB5CCNAME", "FILE:" + mc.kinit("hdfs"))
    with hadoofus.rpc(mc.host, mc.port) as nn:
        assert nn.mkdirs("/krb-superuser-made")
        assert nn.getFileInfo("/krb-superuser-made").owner == "hdfs"


def test_proxy_user_under_kerberos(krb_env):
    mc = krb_env
    # hdfs may proxy anyone (hadoop.proxyuser.hdfs.*); alice may not.
    with client(mc, principal="hdfs", keytab=mc.keytab("hdfs"), user="bob") as nn:
        assert nn.mkdirs("/user/bob/by-proxy")
        assert nn.getFileInfo("/user/bob/by-proxy").owner == "bob"
    with client(mc, principal="alice", keytab=mc.keytab("alice"), user="bob") as nn:
        with pytest.raises(hadoofus.HadoofusError) as ei:
            nn.getFileInfo("/")
        assert isinstance(ei.value, PermissionError)


def test_no_ticket(krb_env, tmp_path):
    msg = auth_error(lambda: client(krb_env, ccache="FILE:%s/none" % tmp_path).getFileInfo("/"))
    assert "Kerberos" in msg and "kinit" in msg


def test_expired_ticket(krb_env, tmp_path):
    cc = krb_env.kinit("alice", lifetime="1s", ccache=str(tmp_path / "cc"))
    time.sleep(2.1)  # a ticket's end time is whole seconds; nothing to poll
    msg = auth_error(lambda: client(krb_env, ccache=cc).getFileInfo("/"))
    assert "expired" in msg.lower()


def test_wrong_realm(krb_env, alice_cc):
    msg = auth_error(lambda: client(krb_env, ccache=alice_cc,
                                    server_principal="nn/_HOST@NOT.THIS.REALM").getFileInfo("/"))
    assert "NOT.THIS.REALM" in msg


def test_wrong_server_principal(krb_env, alice_cc):
    realm = krb_env.security.realm
    msg = auth_error(lambda: client(krb_env, ccache=alice_cc,
                                    server_principal="hdfs/_HOST@" + realm).getFileInfo("/"))
    assert "nn/localhost" in msg and "dfs.namenode.kerberos.principal" in msg


def test_keytab_without_the_key(krb_env):
    msg = auth_error(lambda: client(krb_env, principal="alice",
                                    keytab=krb_env.keytab("bob")).getFileInfo("/"))
    assert "keytab" in msg


def test_server_demands_more_protection(krb_env, alice_cc):
    mc = krb_env
    dn = mc.datanodes[0]  # its IPC server offers privacy only
    kw = dict(ccache=alice_cc, server_principal=None, connect_timeout=10)
    msg = auth_error(lambda: hadoofus.rpc(mc.host, dn.ipc_port, protection="authentication,integrity",
                                          **kw).connect())
    assert "privacy" in msg and "hadoop.rpc.protection" in msg
    hadoofus.rpc(mc.host, dn.ipc_port, protection="privacy", **kw).connect().close()


def skewed_client(mc, ccache, fake="+2h"):
    """(exit code, output) of a client whose clock is `fake` off."""
    code = ("import hadoofus, sys\n"
            "try:\n"
            "    hadoofus.rpc(%r, %d, ccache=%r, connect_timeout=10).getFileInfo('/')\n"
            "except hadoofus.AuthenticationError as e:\n"
            "    print(e); sys.exit(3)\n" % (mc.host, mc.port, ccache))
    env = dict(os.environ, PYTHONSAFEPATH="1")
    r = subprocess.run(["faketime", "-f", fake, sys.executable, "-c", code], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    return r.returncode, r.stdout.decode(errors="replace")


@pytest.mark.skipif(not shutil.which("faketime"), reason="faketime not installed")
def test_clock_skew(krb_env, alice_cc, tmp_path):
    t0 = time.monotonic()
    # A fresh cache: the KDC sees the skew when asked for the service ticket.
    rc, out = skewed_client(krb_env, krb_env.kinit("alice", ccache=str(tmp_path / "cc")))
    assert rc == 3 and "clock skew" in out.lower(), out
    # A cached service ticket: the NameNode refuses, and the message says
    # what to suspect.
    rc, out = skewed_client(krb_env, alice_cc)
    assert rc == 3 and "clock skew" in out.lower(), out
    assert time.monotonic() - t0 < 30


def test_simple_client_refused(krb_env):
    msg = auth_error(lambda: hadoofus.rpc(krb_env.host, krb_env.port, kerberos=False,
                                          connect_timeout=10).getFileInfo("/"))
    assert "KERBEROS" in msg


def test_plain_cluster_untouched(krb_env, alice_cc, cluster):
    # SIMPLE as before on the ordinary cluster ...
    with hadoofus.rpc(cluster.host, cluster.port, kerberos=False) as nn:
        assert nn.getFileInfo("/") is not None
    # ... and a Kerberos client does not fall back to it.
    msg = auth_error(lambda: hadoofus.rpc(cluster.host, cluster.port, ccache=alice_cc,
                                          connect_timeout=10).getFileInfo("/"))
    assert "SIMPLE" in msg


def _libhdfs():
    import ctypes
    from test_c_units import _build, _plain_build_dir
    d = _plain_build_dir()
    if d is None:
        pytest.skip("no plain C build directory")
    _build(d)
    lib = ctypes.CDLL(os.path.join(d, "libhdfs_compat", "libhdfs_hadoofus.so"), use_errno=True)
    P = ctypes.c_void_p
    for name, res, args in (
            ("hdfsNewBuilder", P, []),
            ("hdfsBuilderSetNameNode", None, [P, ctypes.c_char_p]),
            ("hdfsBuilderSetNameNodePort", None, [P, ctypes.c_uint16]),
            ("hdfsBuilderSetForceNewInstance", None, [P]),
            ("hdfsBuilderSetKerbTicketCachePath", None, [P, ctypes.c_char_p]),
            ("hdfsBuilderConfSetStr", ctypes.c_int, [P, ctypes.c_char_p, ctypes.c_char_p]),
            ("hdfsBuilderConnect", P, [P]),
            ("hdfsCreateDirectory", ctypes.c_int, [P, ctypes.c_char_p]),
            ("hdfsExists", ctypes.c_int, [P, ctypes.c_char_p]),
            ("hdfsGetWorkingDirectory", ctypes.c_char_p, [P, ctypes.c_char_p, ctypes.c_size_t]),
            ("hdfsDisconnect", ctypes.c_int, [P])):
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    return lib


def test_libhdfs_ticket_cache_and_conf(krb_env, tmp_path):
    import ctypes
    mc = krb_env
    lib = _libhdfs()

    def connect(ccache, **conf):
        keep = []  # the builder keeps pointers to the strings, as libhdfs

        def c(text):
            keep.append(text.encode())
            return keep[-1]
        b = lib.hdfsNewBuilder()
        lib.hdfsBuilderSetNameNode(b, c(mc.host))
        lib.hdfsBuilderSetNameNodePort(b, mc.port)
        lib.hdfsBuilderSetForceNewInstance(b)
        lib.hdfsBuilderSetKerbTicketCachePath(b, c(ccache))
        conf.setdefault("hadoop.security.authentication", "kerberos")
        for k, v in conf.items():
            assert lib.hdfsBuilderConfSetStr(b, c(k), c(v)) == 0
        fs = lib.hdfsBuilderConnect(b)
        assert fs, os.strerror(ctypes.get_errno())
        return fs

    for qop in QOPS:
        fs = connect(mc.kinit("bob"), **{"hadoop.rpc.protection": qop,
                                         "dfs.namenode.kerberos.principal":
                                         mc.security.service_principal("nn")})
        buf = ctypes.create_string_buffer(512)
        assert lib.hdfsGetWorkingDirectory(fs, buf, 512).endswith(b"/user/bob")
        assert lib.hdfsCreateDirectory(fs, b"/user/bob/libhdfs-" + qop.encode()) == 0
        assert lib.hdfsExists(fs, b"/user/bob/libhdfs-" + qop.encode()) == 0
        lib.hdfsDisconnect(fs)
    with client(mc, principal="bob", keytab=mc.keytab("bob")) as nn:
        assert nn.getFileInfo("/user/bob/libhdfs-privacy").owner == "bob"
    # No ticket: EACCES (AccessControlException), at once.
    fs = connect(str(tmp_path / "no-such-cache"))
    t0 = time.monotonic()
    ctypes.set_errno(0)
    assert lib.hdfsExists(fs, b"/") == -1
    assert ctypes.get_errno() == errno.EACCES
    assert time.monotonic() - t0 < 10
    lib.hdfsDisconnect(fs)
    # A keytab login through the configuration.
    fs = connect("", **{"hadoofus.kerberos.principal": mc.principal("alice"),
                        "hadoofus.kerberos.keytab": mc.keytab("alice")})
    assert lib.hdfsExists(fs, b"/user/alice") == 0
    lib.hdfsDisconnect(fs)


def test_auth_to_local_rules_name_the_client(krb_env, alice_cc, tmp_path, monkeypatch):
    """The client's user is the principal's short name by the
    configuration's auth_to_local rules (Python and libhdfs); a principal
    no rule maps is refused at once, as Java's login refuses it."""
    import ctypes
    from conftest import conf_with_rules
    mc = krb_env
    realm = mc.security.realm
    monkeypatch.setenv("HADOOP_CONF_DIR", conf_with_rules(
        mc, str(tmp_path / "conf"), "RULE:[1:$1@$0](alice@%s)s/.*/ally/\n"
        "RULE:[1:$1](hdfs)" % realm))
    monkeypatch.setenv("KRB5CCNAME", "FILE:" + alice_cc)
    with hadoofus.rpc(mc.host, mc.port) as nn:
        assert nn.user == "ally"
        # The NameNode maps alice@REALM with its own rules.
        assert nn.getFileInfo("/user/alice").owner == "alice"
    lib = _libhdfs()
    b = lib.hdfsNewBuilder()
    lib.hdfsBuilderSetNameNode(b, b"default")
    lib.hdfsBuilderSetKerbTicketCachePath(b, alice_cc.encode())
    fs = lib.hdfsBuilderConnect(b)
    assert fs, os.strerror(ctypes.get_errno())
    buf = ctypes.create_string_buffer(512)
    assert lib.hdfsGetWorkingDirectory(fs, buf, 512).endswith(b"/user/ally")
    assert lib.hdfsExists(fs, b"/user/alice") == 0
    lib.hdfsDisconnect(fs)
    # bob@REALM: no rule (no DEFAULT here).
    bob_cc = mc.kinit("bob", ccache=str(tmp_path / "bob.cc"))
    monkeypatch.setenv("KRB5CCNAME", "FILE:" + bob_cc)
    with pytest.raises(hadoofus.NotFoundError) as ei:
        hadoofus.rpc(mc.host, mc.port)
    assert "No rules applied to bob@" + realm in str(ei.value)
    b = lib.hdfsNewBuilder()
    lib.hdfsBuilderSetNameNode(b, b"default")
    lib.hdfsBuilderSetKerbTicketCachePath(b, bob_cc.encode())
    ctypes.set_errno(0)
    assert not lib.hdfsBuilderConnect(b)
    assert ctypes.get_errno() == errno.EINVAL


def _tgt_start(mc, ccache):
    """The start time line of the TGT in ccache (klist's wording)."""
    env = dict(os.environ, **mc.security.env(ccache))
    out = subprocess.run(["klist", "-c", "FILE:" + ccache], env=env,
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    return [x for x in out.splitlines() if "krbtgt/" in x][0]


def test_keytab_relogin_after_expiry(krb_env, tmp_path):
    """A keytab login refills its cache once the tickets have run out, as
    a long-lived client's reconnect needs."""
    mc = krb_env
    kt, cc = str(tmp_path / "carol.keytab"), str(tmp_path / "cc")
    mc.security.kdc.add_principals({"carol": kt})
    mc.security.kdc.set_max_life("carol", "2s")
    with client(mc, principal="carol", keytab=kt, ccache="FILE:" + cc) as nn:
        assert nn.getFileInfo("/") is not None
    first = _tgt_start(mc, cc)
    time.sleep(3.1)  # the tickets' end time passes; nothing to poll
    with client(mc, principal="carol", keytab=kt, ccache="FILE:" + cc) as nn:
        assert nn.getFileInfo("/") is not None
    assert _tgt_start(mc, cc) != first
    # The same expired cache without the keytab: refused, and says why.
    time.sleep(3.1)
    assert "expired" in auth_error(lambda: client(mc, ccache="FILE:" + cc).getFileInfo("/"))


def test_keytab_logins_of_two_principals_one_after_the_other(krb_env):
    """Each handle's keytab login has a cache of its own: a handle freed
    and another made (malloc gives the same address back) as a different
    principal must not find the first one's tickets."""
    mc = krb_env
    for i in range(8):
        for who in ("alice", "hdfs"):
            with client(mc, principal=who, keytab=mc.keytab(who)) as nn:
                assert nn.getFileInfo("/") is not None, (who, i)
            gc.collect()


# What a FUSE caller does: one step's errno name (0: done).
CALLER_SCRIPT = r"""
import errno, os, sys
op, path = sys.argv[1], sys.argv[2]
try:
    if op == "mkdir":
        os.mkdir(path)
    else:
        os.stat(path)
    print(0)
except OSError as e:
    print(errno.errorcode.get(e.errno, e.errno))
"""


def test_fuse_connects_with_each_callers_ticket_cache(krb_env, tmp_path, monkeypatch):
    """fuse_dfs under Kerberos (tests/libhdfs/fuse_probe on
    libhdfs_hadoofus.so): each caller acts as the principal of its own
    ticket cache, KRB5CCNAME in its environment or /tmp/krb5cc_<uid>, two
    identities in one process; no cache is EACCES; a new kinit into a
    cache is picked up by the next operation."""
    from test_c_units import _plain_build_dir
    from test_libhdfs_fuse import NOBODY, Mount, _nobody_python, _probe
    mc = krb_env
    d = _plain_build_dir()
    if d is None:
        pytest.skip("no plain C build directory")
    exe = _probe(d)
    nobody_cc = "/tmp/krb5cc_%d" % NOBODY
    if os.path.exists(nobody_cc):
        pytest.fail("%s exists already: this test owns it while it runs" % nobody_cc)
    alice_cc = mc.kinit("alice", ccache=str(tmp_path / "alice.cc"))
    # The mounting process (root) checks it gets through with its own cache.
    monkeypatch.setenv("KRB5CCNAME", "FILE:" + alice_cc)
    mount = Mount(exe, mc)
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
             "LANG": "C.UTF-8"}

    def caller(op, path, uid=0, ccache=None):
        env = dict(clean, **({"KRB5CCNAME": "FILE:" + ccache} if ccache else {}))

        def drop():
            if uid:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
        r = subprocess.run([_nobody_python(), "-I", "-c", CALLER_SCRIPT, op, mount.path(path)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           preexec_fn=drop, cwd="/", timeout=120)
        assert r.returncode == 0, r.stderr.decode(errors="replace")
        return r.stdout.decode().strip()

    try:
        with client(mc, principal="hdfs", keytab=mc.keytab("hdfs")) as su:
            # root's caller names alice's cache in its environment.
            assert caller("mkdir", "/user/alice/fuse-root", ccache=alice_cc) == "0"
            assert su.getFileInfo("/user/alice/fuse-root").owner == "alice"
            # nobody has no cache yet: refused, not connected as anyone.
            assert caller("stat", "/user", uid=NOBODY) == "EACCES"
            # Then bob's ticket in /tmp/krb5cc_<uid>, while alice's
            # connection stays alice's.
            mc.kinit("bob", ccache=nobody_cc)
            assert caller("mkdir", "/user/bob/fuse-nobody", uid=NOBODY) == "0"
            assert su.getFileInfo("/user/bob/fuse-nobody").owner == "bob"
            assert caller("mkdir", "/user/bob/fuse-root", ccache=alice_cc) == "EACCES"
            # A new kinit (alice) into nobody's cache: the next call is alice.
            mc.kinit("alice", ccache=nobody_cc)
            assert caller("mkdir", "/user/alice/fuse-nobody", uid=NOBODY) == "0"
            assert su.getFileInfo("/user/alice/fuse-nobody").owner == "alice"
    except BaseException:
        print(mount.output()[-4000:])
        raise
    finally:
        rc = mount.close()
        if os.path.exists(nobody_cc):
            os.unlink(nobody_cc)
    assert rc == 0, "fuse_probe exited with %s:\n%s" % (rc, mount.output()[-6000:])
