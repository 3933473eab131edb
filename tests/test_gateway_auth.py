"""Gateway authentication and identity over real HTTP: pseudo user.name, the
signed hadoop.auth cookie, anonymous refusal, doas, TLS, and permission
checks made as the caller (the gateway impersonates it as a proxy user)."""

import base64
import hashlib
import hmac
import json
import subprocess
import time

import pytest

from gateway_util import target

SECRET = b"gateway-test-secret"   # GatewayProcess's default secret file content


def cookie_of(headers):
    """The hadoop.auth="..." pair of a Set-Cookie header."""
    sc = headers["set-cookie"]
    return sc.split(";", 1)[0]


def sign(token, secret=SECRET):
    mac = hmac.new(secret, token.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def make_cookie(user, expires_ms, secret=SECRET):
    token = "u=%s&p=%s&t=simple&e=%d" % (user, user, expires_ms)
    return 'hadoop.auth="%s&s=%s"' % (token, sign(token, secret))


def status(gateway, path, headers=None, **q):
    st, h, body = gateway.get(target(path, **q) + ("&" if q else "?") + "op=status",
                              headers=headers)
    return st, h, body


def test_anonymous_refused(gateway):
    st, h, body = gateway.get("/?op=status")
    assert st == 401
    assert h["www-authenticate"] == "PseudoAuth"
    err = json.loads(body)
    assert err["statusCode"] == 401 and "AuthenticationException" in err["exception"]
    st, h, body = gateway.get("/webhdfs/v1/?op=GETFILESTATUS")
    assert st == 401 and "www-authenticate" in h
    assert "RemoteException" in json.loads(body)


def test_anonymous_allowed(gateway_factory):
    gw = gateway_factory(["--allow-anonymous"])
    st, _, body = gw.get("/?op=homedir")
    assert st == 200 and json.loads(body) == {"homeDir": gw.url + "/user/dr.who"}
    assert "set-cookie" not in gw.get("/?op=status")[1]


def test_cookie_round_trip(gateway, cluster, tmp_hdfs_dir):
    su = cluster.superuser
    st, h, _ = gateway.request("POST", target(tmp_hdfs_dir, su, op="mkdirs"))
    assert st == 200
    sc = h["set-cookie"]
    assert sc.startswith('hadoop.auth="u=%s&p=%s&t=simple&e=' % (su, su))
    attrs = [a.strip() for a in sc.split(";")]
    assert "HttpOnly" in attrs and "Path=/" in attrs and "Secure" not in attrs
    assert any(a.startswith("Expires=") for a in attrs)
    e = int(sc.split("&e=")[1].split("&")[0])
    assert abs(e - (time.time() + 36000) * 1000) < 60000      # 10 h
    cookie = cookie_of(h)
    # The cookie alone authenticates; no new cookie is set.
    st, h2, body = gateway.get(target(tmp_hdfs_dir, op="status"), headers={"Cookie": cookie})
    assert st == 200 and json.loads(body)["owner"] == su
    assert "set-cookie" not in h2
    # Among other cookies too.
    st, _, _ = gateway.get(target(tmp_hdfs_dir, op="status"),
                           headers={"Cookie": "a=b; %s; c=d" % cookie})
    assert st == 200
    # A cookie from another gateway sharing the secret file is as good.
    st, _, body = gateway.get(target("/", op="homedir"),
                              headers={"Cookie": make_cookie("bob", int(time.time() * 1000)
                                                             + 60000)})
    assert st == 200 and json.loads(body)["homeDir"].endswith("/user/bob")


def test_bad_cookies_refused(gateway):
    future = int(time.time() * 1000) + 3600000
    good = make_cookie("alice", future)
    assert gateway.get("/?op=homedir", headers={"Cookie": good})[0] == 200
    bad = {
        "forged (other secret)": make_cookie("alice", future, secret=b"not the secret"),
        "tampered user": good.replace("u=alice&p=alice", "u=bob&p=alice"),
        "tampered expiry": good.replace("e=%d" % future, "e=%d" % (future + 1)),
        "expired": make_cookie("alice", int(time.time() * 1000) - 1000),
        "no signature": 'hadoop.auth="u=alice&p=alice&t=simple&e=%d"' % future,
        "garbage": 'hadoop.auth="xyz"',
        "empty signature": 'hadoop.auth="u=alice&p=alice&t=simple&e=%d&s="' % future,
    }
    for why, cookie in bad.items():
        st, h, body = gateway.get("/?op=homedir", headers={"Cookie": cookie})
        assert st == 401, why
        assert h["www-authenticate"] == "PseudoAuth", why
        # never silently replaced by user.name either
        st, _, _ = gateway.get("/?op=homedir&user.name=alice", headers={"Cookie": cookie})
        assert st == 401, why


def test_other_secret_refuses_cookie(gateway, gateway_factory):
    _, h, _ = gateway.get(target("/", "alice", op="homedir"))
    other = gateway_factory(secret=b"another secret")
    assert other.get("/?op=homedir", headers={"Cookie": cookie_of(h)})[0] == 401


def test_short_validity(gateway_factory):
    gw = gateway_factory(["--token-validity", "1"])
    _, h, _ = gw.get(target("/", "alice", op="homedir"))
    cookie = cookie_of(h)
    assert gw.get("/?op=homedir", headers={"Cookie": cookie})[0] == 200
    time.sleep(1.5)
    assert gw.get("/?op=homedir", headers={"Cookie": cookie})[0] == 401


def test_permission_denied_as_caller(gateway, cluster, java_client, tmp_hdfs_dir):
    su = cluster.superuser
    java_client.mkdir(tmp_hdfs_dir)          # root's, 755
    # The gateway runs as the superuser: only impersonation makes this fail.
    st, _, body = gateway.request("POST", target(tmp_hdfs_dir + "/f", "alice", op="create"),
                                  body=b"x")
    err = json.loads(body)
    assert st == 403 and err["exception"].endswith("AccessControlException")
    assert "user=alice" in err["message"]
    assert not java_client.exists(tmp_hdfs_dir + "/f")
    st, _, body = gateway.request("POST", target(tmp_hdfs_dir + "/d", "alice", op="mkdirs"))
    assert st == 403
    # Files alice may make are hers.
    java_client.chown("alice", tmp_hdfs_dir)
    assert gateway.request("POST", target(tmp_hdfs_dir + "/f", "alice", op="create"),
                           body=b"x")[0] == 201
    assert java_client.ls(tmp_hdfs_dir + "/f")[0]["owner"] == "alice"
    # reading a file only its owner may read
    java_client.chmod("600", tmp_hdfs_dir + "/f")
    assert gateway.get(target(tmp_hdfs_dir + "/f", "bob"))[0] == 403
    assert gateway.get(target(tmp_hdfs_dir + "/f", "alice"))[2] == b"x"


def test_doas(gateway, cluster, java_client, tmp_hdfs_dir):
    java_client.mkdir(tmp_hdfs_dir)
    java_client.chmod("777", tmp_hdfs_dir)
    # hdfsadmin may act for the group "users" (MiniCluster's proxy rules)
    st, h, body = gateway.request("POST", target(tmp_hdfs_dir + "/f", "hdfsadmin",
                                                 op="create", doas="alice"), body=b"as alice")
    assert st == 201, body
    assert java_client.ls(tmp_hdfs_dir + "/f")[0]["owner"] == "alice"
    # the cookie is the authenticated user's; doas goes with each request
    assert h["set-cookie"].startswith('hadoop.auth="u=hdfsadmin&')
    cookie = cookie_of(h)
    st, _, body = gateway.get(target("/", op="homedir", doas="bob"), headers={"Cookie": cookie})
    assert json.loads(body)["homeDir"].endswith("/user/bob")
    # bob may not act for alice, nor hdfsadmin for the superuser
    st, _, body = gateway.get(target(tmp_hdfs_dir, "bob", op="status", doas="alice"))
    assert st == 403, body
    assert "impersonate" in json.loads(body)["message"]
    st, _, body = gateway.get(target(tmp_hdfs_dir, "hdfsadmin", op="status",
                                     doas=cluster.superuser))
    assert st == 403
    # doas of oneself is plain
    assert gateway.get(target(tmp_hdfs_dir, "bob", op="status", doas="bob"))[0] == 200


def test_bad_user_names(gateway):
    for name in ("", "a&b", "a b", 'x"y'):
        st, _, _ = gateway.get("/?op=homedir&user.name=" + name.replace("&", "%26")
                               .replace(" ", "%20").replace('"', "%22"))
        assert st in (400, 401), name


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    crt, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    return crt, key


def test_tls(gateway_factory, cert, cluster, tmp_hdfs_dir):
    gw = gateway_factory(tls=cert)
    assert gw.url.startswith("https://")
    st, h, body = gw.get(target("/", "alice", op="homedir"))
    assert st == 200 and json.loads(body) == {"homeDir": gw.url + "/user/alice"}
    assert "Secure" in [a.strip() for a in h["set-cookie"].split(";")]
    data = bytes(range(256)) * 8192
    path = tmp_hdfs_dir + "/tls"
    su = cluster.superuser
    st, h, _ = gw.request("POST", target(path, su, op="create"), body=data)
    assert st == 201 and h["location"] == gw.url + path
    assert gw.get(target(path, su))[2] == data
