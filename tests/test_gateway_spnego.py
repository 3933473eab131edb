"""The gateway with Kerberos (SPNEGO) authentication: `--auth kerberos`.

A real MIT KDC on loopback (hadoofus._kdc, Debian's krb5-kdc) issues the
tickets; the gateway accepts them with the keytab of its HTTP/localhost
principal through the system's GSS-API, and proxies the Kerberos user to
the (simple-auth) test cluster. Clients as users run them: curl
--negotiate, requests with requests-gssapi, HdfsCLI on a requests-gssapi
session. One KDC and one gateway for the module.

Last, the whole chain on a kerberized HDFS (MiniCluster(secure=True)): the
gateway logs in with its own keytab, proxies the SPNEGO user, and decides
doas= itself; it hands out the NameNode's delegation tokens and takes
them back (delegation=) from plain curl and Java's WebHdfsFileSystem.
"""

import base64
import json
import os
import subprocess
import urllib.parse

import pytest

import hadoofus
from hadoofus._kdc import KDC

REALM = "HADOOFUS.TEST"


@pytest.fixture(scope="module")
def kdc(tmp_path_factory):
    d = tmp_path_factory.mktemp("kdc")
    k = KDC(str(d / "kdc"), realm=REALM)
    k.start()
    kt = {name: str(d / ("%s.keytab" % name.split("/")[0])) for name in
          ("HTTP/localhost", "alice", "bob")}
    k.add_principals(kt)
    k.keytabs = kt
    k.ccaches = {u: k.kinit(u, kt[u], str(d / ("%s.cc" % u))) for u in ("alice", "bob")}
    try:
        yield k
    finally:
        k.stop()


@pytest.fixture(scope="module")
def kgw(kdc, cluster, tmp_path_factory):
    from gateway_util import GatewayProcess
    # The SPNEGO principal is HTTP/<the host the client names>: clients
    # must say "localhost".
    gw = GatewayProcess(cluster, ["--auth", "kerberos", "--spnego-principal",
                                  "HTTP/localhost@" + REALM,
                                  "--spnego-keytab", kdc.keytabs["HTTP/localhost"]],
                        env=kdc.env())
    gw.start()
    gw.base = "http://localhost:%d" % gw.port
    try:
        yield gw
    finally:
        gw.stop()


@pytest.fixture(scope="module")
def kdir(cluster):
    d = "/test/spnego"
    nn = hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser)
    nn.mkdirs(d, 0o777)
    nn.setPermission(d, 0o777)
    return d


def env_of(kdc, user=None):
    e = dict(os.environ, **kdc.env(kdc.ccaches[user] if user else None))
    if user is None:
        e["KRB5CCNAME"] = "FILE:/nonexistent/ccache"
    return e


def curl(kdc, user, *args, env=None, negotiate=True):
    """(status, headers text, body) of curl --negotiate as user (None: no
    ticket), or in env; negotiate=False: plain curl."""
    auth = ["--negotiate", "-u", ":"] if negotiate else []
    r = subprocess.run(["curl", "-sS", *auth, "-D", "-", *args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env or env_of(kdc, user), timeout=60)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode("utf-8", "replace")
    # The last response's head and body (curl -D - prints each response).
    head, _, body = out.rpartition("\r\n\r\n")
    head = head.rsplit("HTTP/1.1 ", 1)[1]
    return int(head.split()[0]), head.lower(), body


def webhdfs(gw, path, op, **q):
    return "%s/webhdfs/v1%s?%s" % (gw.base, urllib.parse.quote(path),
                                   urllib.parse.urlencode(dict(op=op, **q)))


def test_curl_negotiate_acts_as_the_kerberos_user(kdc, kgw, kdir, cluster):
    d = kdir + "/curl"
    st, head, body = curl(kdc, "alice", "-X", "PUT", webhdfs(kgw, d, "MKDIRS"))
    assert st == 200 and json.loads(body) == {"boolean": True}, body
    # Mutual authentication: the server's token comes back.
    assert "www-authenticate: negotiate " in head
    assert 'set-cookie: hadoop.auth="u=alice&p=alice@%s&t=kerberos&e=' % REALM.lower() in head
    nn = hadoofus.rpc(cluster.host, cluster.port, user=cluster.superuser)
    assert nn.getFileInfo(d).owner == "alice"
    # Data both ways, the upload following the 307 with its ticket.
    st, _, _ = curl(kdc, "alice", "-L", "-X", "PUT", "-H",
                    "Content-Type: application/octet-stream",
                    webhdfs(kgw, d + "/f", "CREATE"), "--data-binary", "kerberized bytes")
    assert st == 201
    st, _, body = curl(kdc, "bob", "-L", webhdfs(kgw, d + "/f", "OPEN"))
    assert st == 200 and body == "kerberized bytes"
    assert nn.getFileInfo(d + "/f").owner == "alice"


def test_cookie_alone_after_negotiate(kdc, kgw):
    st, h, _ = kgw.get("/webhdfs/v1/?op=GETHOMEDIRECTORY",
                       headers={"Authorization": "Negotiate " + _token(kdc, "bob")})
    assert st == 200 and h["www-authenticate"].startswith("Negotiate ")
    cookie = h["set-cookie"].split(";")[0]
    assert cookie.startswith('hadoop.auth="u=bob&p=bob@%s&t=kerberos&e=' % REALM)
    st, h, body = kgw.get("/webhdfs/v1/?op=GETHOMEDIRECTORY", headers={"Cookie": cookie})
    assert st == 200 and json.loads(body) == {"Path": "/user/bob"}
    assert "set-cookie" not in h
    # Tampered: refused, with the Negotiate challenge.
    st, h, _ = kgw.get("/webhdfs/v1/?op=GETHOMEDIRECTORY",
                       headers={"Cookie": cookie.replace("u=bob", "u=alice")})
    assert st == 401 and h["www-authenticate"] == "Negotiate"


def _token(kdc, user):
    """A fresh SPNEGO token of user for HTTP/localhost, base64."""
    code = ("import base64, gssapi; n = gssapi.Name('HTTP@localhost', "
            "gssapi.NameType.hostbased_service); c = gssapi.SecurityContext(name=n, "
            "mech=gssapi.Mechanism.from_sasl_name('SPNEGO'), usage='initiate'); "
            "print(base64.b64encode(c.step()).decode())")
    r = subprocess.run([os.environ.get("HADOOFUS_PYTHON") or "python3", "-c", code],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env_of(kdc, user), timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.decode().strip()


def test_requests_gssapi_and_hdfscli(kdc, kgw, kdir, cluster):
    code = r"""
import json, sys, requests, hdfs
from requests_gssapi import HTTPSPNEGOAuth, OPTIONAL, REQUIRED
base, d = sys.argv[1], sys.argv[2]
# The server's token proves it (mutual authentication)...
r = requests.get(base + "/webhdfs/v1/?op=GETHOMEDIRECTORY",
                 auth=HTTPSPNEGOAuth(mutual_authentication=REQUIRED))
r.raise_for_status()
# ... and later requests of a session carry the hadoop.auth cookie alone,
# answered without a token: OPTIONAL, as HdfsCLI's own Kerberos client.
s = requests.Session()
s.auth = HTTPSPNEGOAuth(mutual_authentication=OPTIONAL)
c = hdfs.Client(base, session=s)
c.write(d + "/cli.txt", b"via hdfscli", overwrite=True)
with c.read(d + "/cli.txt") as f:
    data = f.read()
print(json.dumps({"home": r.json(), "data": data.decode(),
                  "owner": c.status(d + "/cli.txt")["owner"]}))
"""
    import sys
    r = subprocess.run([sys.executable, "-c", code, kgw.base, kdir], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env_of(kdc, "alice"), timeout=120)
    assert r.returncode == 0, r.stderr.decode()
    out = json.loads(r.stdout.decode().splitlines()[-1])
    assert out == {"home": {"Path": "/user/alice"}, "data": "via hdfscli", "owner": "alice"}


def test_no_or_bad_ticket_is_401(kdc, kgw):
    url = webhdfs(kgw, "/", "GETHOMEDIRECTORY")
    # curl with no ticket cache sends no Authorization at all.
    st, head, body = curl(kdc, None, url)
    assert st == 401 and "www-authenticate: negotiate" in head
    assert json.loads(body)["RemoteException"]["exception"] == "AuthenticationException"
    # user.name= is no way in under Kerberos.
    st, h, _ = kgw.get("/webhdfs/v1/?op=GETHOMEDIRECTORY&user.name=alice")
    assert st == 401 and h["www-authenticate"] == "Negotiate"
    # Garbage, a token replayed, a token of no base64.
    bad = base64.b64encode(b"\x60\x81not a gss token at all").decode()
    for auth in ("Negotiate " + bad, "Negotiate !!!", "Negotiate "):
        st, h, body = kgw.get("/webhdfs/v1/?op=GETHOMEDIRECTORY", headers={"Authorization": auth})
        assert st == 401, (auth, body)
        assert h["www-authenticate"] == "Negotiate"
        assert "set-cookie" not in h
    tok = _token(kdc, "alice")
    assert kgw.get("/webhdfs/v1/?op=GETHOMEDIRECTORY",
                   headers={"Authorization": "Negotiate " + tok})[0] == 200
    st, _, body = kgw.get("/webhdfs/v1/?op=GETHOMEDIRECTORY",
                          headers={"Authorization": "Negotiate " + tok})
    assert st == 401 and b"replay" in body.lower(), body


# -- a kerberized HDFS -------------------------------------------------------------

@pytest.fixture(scope="module")
def secure():
    # The MIT tools come with ./dev.sh setup (a missing one fails, as in kdc).
    from conftest import running_cluster
    yield from running_cluster(datanodes=1, replication=1, secure=True)


@pytest.fixture(scope="module")
def sgw(secure):
    """The gateway on the kerberized HDFS: SPNEGO in front, the hdfs
    principal's keytab behind."""
    from gateway_util import GatewayProcess
    realm = secure.security.realm
    secure.fs_shell("-mkdir", "-p", "/user/alice", "/user/bob")
    secure.fs_shell("-chown", "alice", "/user/alice")
    secure.fs_shell("-chown", "bob", "/user/bob")
    gw = GatewayProcess(secure, [
        "--auth", "kerberos", "--spnego-principal", "HTTP/localhost@" + realm,
        "--spnego-keytab", secure.keytab("HTTP"),
        "--kerberos-principal", secure.principal("hdfs"),
        "--kerberos-keytab", secure.keytab("hdfs")], env=secure.krb5_env(), conf_dir=True)
    gw.start()
    gw.base = "http://localhost:%d" % gw.port
    try:
        yield gw
    finally:
        gw.stop()


def _as(secure, user, *args):
    """curl --negotiate with user's ticket of the secure cluster's KDC."""
    return curl(None, None, *args, env=dict(os.environ, **secure.krb5_env(user)))


def test_secure_hdfs_keytab_login_and_doas(secure, sgw):
    gw = sgw

    def as_(user, *args):
        return _as(secure, user, *args)

    st, _, body = as_("alice", "-X", "PUT", webhdfs(gw, "/user/alice/gw", "MKDIRS"))
    assert st == 200 and json.loads(body) == {"boolean": True}, body
    st, _, body = as_("alice", webhdfs(gw, "/user/alice/gw", "GETFILESTATUS"))
    assert st == 200 and json.loads(body)["FileStatus"]["owner"] == "alice", body
    # Permission checks are the caller's: alice may not write bob's home.
    st, _, body = as_("alice", "-X", "PUT", webhdfs(gw, "/user/bob/x", "MKDIRS"))
    assert st == 403, body
    # doas: hdfs may act for anyone (hadoop.proxyuser.hdfs.*), alice may not:
    # decided by the gateway, which connects as itself either way.
    st, _, body = as_("hdfs", "-X", "PUT", webhdfs(gw, "/user/bob/x", "MKDIRS", doas="bob"))
    assert st == 200, body
    st, _, body = as_("hdfs", webhdfs(gw, "/user/bob/x", "GETFILESTATUS", doas="bob"))
    assert json.loads(body)["FileStatus"]["owner"] == "bob", body
    st, _, body = as_("alice", webhdfs(gw, "/user/bob", "GETFILESTATUS", doas="bob"))
    assert st == 403, body
    err = json.loads(body)["RemoteException"]
    assert err["exception"] == "AuthorizationException" and "alice" in err["message"]


def test_delegation_tokens(secure, sgw):
    """GETDELEGATIONTOKEN with a ticket; then the token alone (plain curl,
    no ticket, no cookie) reads and writes as its owner; renew, cancel,
    refused."""
    def plain(*args):
        env = dict(os.environ, KRB5CCNAME="FILE:/nonexistent/ccache")
        return curl(None, None, *args, env=env, negotiate=False)

    # The renewer defaults to the caller.
    st, _, body = _as(secure, "alice", webhdfs(sgw, "/", "GETDELEGATIONTOKEN"))
    assert st == 200, body
    url = json.loads(body)["Token"]["urlString"]
    tok = hadoofus.Token.decode_url_string(url)
    ident = tok.decode_identifier()
    assert tok.kind == "HDFS_DELEGATION_TOKEN" and ident.owner == "alice", ident
    assert ident.renewer == "alice"

    d = "/user/alice/dt"
    st, head, body = plain("-L", "-X", "PUT", "-H", "Content-Type: application/octet-stream",
                           webhdfs(sgw, d, "CREATE", delegation=url),
                           "--data-binary", "token bytes")
    assert st == 201, body
    assert "set-cookie" not in head
    st, _, body = plain(webhdfs(sgw, d, "GETFILESTATUS", delegation=url))
    assert st == 200, body
    fs = json.loads(body)["FileStatus"]
    assert (fs["owner"], fs["length"]) == ("alice", 11)
    st, _, body = plain("-L", webhdfs(sgw, d, "OPEN", delegation=url))
    assert st == 200 and body == "token bytes", body
    # The Hoop face takes it too.
    st, _, body = plain("%s%s?%s" % (sgw.base, d, urllib.parse.urlencode(
        {"op": "status", "delegation": url})))
    assert st == 200 and '"alice"' in body, body
    # The NameNode's permission checks are the owner's.
    st, _, body = plain("-X", "PUT", webhdfs(sgw, "/user/bob/dt", "MKDIRS", delegation=url))
    assert st == 403, body
    # A token begets no tokens, nor renews or cancels one.
    for method, op in (("GET", "GETDELEGATIONTOKEN"), ("PUT", "RENEWDELEGATIONTOKEN"),
                       ("PUT", "CANCELDELEGATIONTOKEN")):
        st, _, body = plain("-X", method, webhdfs(sgw, "/", op, delegation=url, token=url))
        assert st == 403, (op, body)
    # Without a ticket or token: the Negotiate challenge.
    assert plain(webhdfs(sgw, d, "GETFILESTATUS"))[0] == 401

    # Only the renewer renews (bob is not).
    st, _, body = _as(secure, "bob", "-X", "PUT",
                      webhdfs(sgw, "/", "RENEWDELEGATIONTOKEN", token=url))
    assert st == 403, body
    st, _, body = _as(secure, "alice", "-X", "PUT",
                      webhdfs(sgw, "/", "RENEWDELEGATIONTOKEN", token=url))
    assert st == 200, body
    assert json.loads(body)["long"] > ident.issueDate

    st, _, body = _as(secure, "alice", "-X", "PUT",
                      webhdfs(sgw, "/", "CANCELDELEGATIONTOKEN", token=url))
    assert st == 200, body
    st, _, body = plain(webhdfs(sgw, d, "GETFILESTATUS", delegation=url))
    assert st == 403, body
    err = json.loads(body)["RemoteException"]
    assert err["exception"] == "InvalidToken", err
    # A credential: never in the access log.
    assert url not in sgw.log()
    assert err["javaClassName"] == "org.apache.hadoop.security.token.SecretManager$InvalidToken"
    # Past its max date: refused by the gateway itself, whatever
    # connection the token opened before.
    old = hadoofus.types.DelegationTokenIdentifier(
        owner="alice", renewer="alice", issueDate=1, maxDate=2, sequenceNumber=1,
        masterKeyId=1)
    stale = hadoofus.Token(identifier=old.encode(), password=b"x",
                           kind="HDFS_DELEGATION_TOKEN", service="")
    st, _, body = plain(webhdfs(sgw, d, "GETFILESTATUS", delegation=stale.encode_url_string()))
    assert st == 403 and "max date" in json.loads(body)["RemoteException"]["message"], body
    # Not a token at all.
    st, _, body = plain(webhdfs(sgw, d, "GETFILESTATUS", delegation="garbage"))
    assert st == 403 and json.loads(body)["RemoteException"]["exception"] == "InvalidToken"



def test_java_webhdfs_filesystem_with_kerberos(secure, sgw, tmp_path):
    """Hadoop's WebHdfsFileSystem under Kerberos (alice's ticket): SPNEGO
    for GETDELEGATIONTOKEN, then that token (delegation=) on every
    operation."""
    from hadoofus.minicluster import (_CLIENT_JVM_OPTS, FSSHELL_CLASS, WEBHDFS_DROP_JARS,
                                      ensure_webhdfs_jars)
    # The shell's WebHdfsFileSystem parses JSON through JAX-RS 1 (Jersey 1),
    # as on the WebHDFS clusters.
    extra = ensure_webhdfs_jars()
    cp = [j for j in secure.classpath.split(os.pathsep)
          if os.path.basename(j) not in WEBHDFS_DROP_JARS]
    cp += [os.path.join(extra, n) for n in sorted(os.listdir(extra)) if n.endswith(".jar")]
    env = dict(os.environ, **secure.krb5_env("alice"))
    env.pop("CLASSPATH", None)

    def shell(*args):
        r = subprocess.run([secure.java_path, *_CLIENT_JVM_OPTS, *secure.security.jvm_opts(),
                            "-cp", os.pathsep.join(cp), FSSHELL_CLASS,
                            "-fs", "webhdfs://localhost:%d" % sgw.port, *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, env=env, timeout=120)
        assert r.returncode == 0, r.stderr.decode()[-2000:]
        return r.stdout

    local = tmp_path / "j.txt"
    local.write_bytes(b"java via token\n")
    shell("-put", str(local), "/user/alice/java.txt")
    assert shell("-cat", "/user/alice/java.txt") == b"java via token\n"
    assert secure.fs_shell("-stat", "%u", "/user/alice/java.txt").stdout.strip() == b"alice"
    # The shell asked for a token with its ticket, then used it; the access
    # log shows neither token.
    lines = sgw.log().splitlines()
    assert any("op=GETDELEGATIONTOKEN" in ln and " alice " in ln for ln in lines)
    assert any("java.txt?op=OPEN" in ln and "delegation=***" in ln for ln in lines), lines[-5:]


def test_auth_to_local_rules_map_spnego_users(secure, tmp_path):
    """The SPNEGO principal's user is its short name by the auth_to_local
    rules of HADOOP_CONF_DIR: alice@REALM acts as "ally" here, and bob,
    whom no rule maps, is refused."""
    from conftest import conf_with_rules
    from gateway_util import GatewayProcess
    realm = secure.security.realm
    conf = conf_with_rules(secure, str(tmp_path / "conf"),
                           "RULE:[1:$1@$0](alice@%s)s/.*/ally/\n"
                           "RULE:[1:$1](hdfs)" % realm)
    gw = GatewayProcess(secure, [
        "--auth", "kerberos", "--spnego-principal", "HTTP/localhost@" + realm,
        "--spnego-keytab", secure.keytab("HTTP"),
        "--kerberos-principal", secure.principal("hdfs"),
        "--kerberos-keytab", secure.keytab("hdfs")], env=secure.krb5_env(), conf_dir=True)
    gw.env["HADOOP_CONF_DIR"] = conf
    gw.start()
    gw.base = "http://localhost:%d" % gw.port
    try:
        st, _, body = _as(secure, "alice", webhdfs(gw, "/", "GETHOMEDIRECTORY"))
        assert st == 200 and json.loads(body) == {"Path": "/user/ally"}, body
        st, _, body = _as(secure, "hdfs", "-X", "PUT",
                          webhdfs(gw, "/a2l", "MKDIRS", permission="777"))
        assert st == 200, body
        st, _, body = _as(secure, "alice", "-X", "PUT", webhdfs(gw, "/a2l/ally", "MKDIRS"))
        assert st == 200, body
        st, _, body = _as(secure, "alice", webhdfs(gw, "/a2l/ally", "GETFILESTATUS"))
        assert json.loads(body)["FileStatus"]["owner"] == "ally", body
        st, _, body = _as(secure, "bob", webhdfs(gw, "/", "GETHOMEDIRECTORY"))
        assert st == 403 and "No rules applied to bob@" + realm in body, body
    finally:
        gw.stop()
