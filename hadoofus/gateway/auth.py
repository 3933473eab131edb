"""Who is asking: authentication handlers, the signed hadoop.auth cookie, doas.

Order, as Hadoop's AuthenticationFilter:
1. A `hadoop.auth` cookie, when sent, decides alone: valid (signature and
   expiry) -> its user; forged, tampered or expired -> 401, never trusted
   and never silently replaced by another method.
2. Otherwise each handler in turn (`handlers`: PseudoHandler, the
   `user.name=` query parameter, for simple auth; SpnegoHandler, Kerberos
   through `Authorization: Negotiate`, for kerberos). The first that knows the caller
   wins, and a fresh cookie is set so later requests need only it.
   Before both, `delegation=<token URL string>` decides alone (no cookie
   read or set): the caller is the token's owner, and the gateway talks to
   the NameNode with that token, so the NameNode checks it (TokenUser).
3. Nobody: the anonymous user when allowed, else 401 with every handler's
   WWW-Authenticate challenge.

A handler has `type` (the cookie's t=), `challenge` (its WWW-Authenticate
value) and authenticate(req) -> None (not its kind of request), (user,
principal) or (user, principal, [(header, value)] to add to the response);
it raises HttpError to refuse.

The cookie: hadoop.auth="u=<user>&p=<principal>&t=<type>&e=<expiry ms>&s=<sig>"
with sig = base64(HMAC-SHA256(secret, everything before "&s=")), compared in
constant time; HttpOnly, Secure under TLS, Path=/. Gateways that share the
secret file (--signature-secret-file) accept each other's cookies: several
behind one load balancer need no sticky sessions.

doas=<user>: the authenticated user acts for another. With simple auth the
gateway connects to the NameNode as the authenticated user (proxy) for the
doas user (effective), so the NameNode's hadoop.proxyuser.<authenticated>.*
rules decide, and refuse with 403 when they do not allow it. Under Kerberos
the gateway can connect only as its own principal, and the NameNode knows
one proxy level: the gateway then checks the same rules itself
(ProxyUsers, from the Hadoop configuration, as HttpFS checks its
httpfs.proxyuser.* rules) and impersonates the doas user directly.
"""

import base64
import grp
import hashlib
import hmac
import ipaddress
import os
import pwd
import socket
import time
from email.utils import formatdate

from hadoofus import auth_to_local
from hadoofus.errors import HadoofusError

from .http import HttpError, User

COOKIE = "hadoop.auth"
DEFAULT_VALIDITY = 36000          # seconds: Hadoop's token.validity default (10 h)


class SpnegoHandler:
    """Kerberos over HTTP (SPNEGO, RFC 4559), as Hadoop's
    KerberosAuthenticationHandler: the client sends `Authorization:
    Negotiate <base64 GSS token>` for the gateway's HTTP/ service principal;
    the token is accepted with the keys of `keytab` (the system's GSS-API,
    MIT krb5, through the `gssapi` package), and the answer carries the
    mutual-authentication token back. The user is the principal's short
    name by hadoop.security.auth_to_local (and its .mechanism) of the
    Hadoop configuration ($HADOOP_CONF_DIR), as Hadoop's KerberosName maps
    it: with the default rule, DEFAULT, the first component ("alice" of
    alice@REALM or alice/admin@REALM) of principals of the default realm
    (krb5.conf's); a principal no rule maps is refused (403).

    principal: the service principal ("HTTP/host@REALM"); None or "*"
    accepts for any principal of the keytab (Hadoop's "*"). keytab: its
    file; None: the default keytab ($KRB5_KTNAME). rules: an
    auth_to_local.AuthToLocal; None: auth_to_local.from_conf()."""

    type = "kerberos"
    challenge = "Negotiate"

    def __init__(self, principal=None, keytab=None, rules=None):
        try:
            import gssapi
        except ImportError:
            raise RuntimeError("Kerberos (SPNEGO) needs the gssapi package: "
                               "pip install gssapi") from None
        self._gssapi = gssapi
        self._rules = rules if rules is not None else auth_to_local.from_conf()
        name = None
        if principal and principal != "*":
            name = gssapi.Name(principal, gssapi.NameType.kerberos_principal)
        store = {"keytab": keytab} if keytab else None
        try:
            self._creds = gssapi.Credentials(name=name, usage="accept", store=store)
        except gssapi.exceptions.GSSError as e:
            raise RuntimeError("no Kerberos keys for %s in %s: %s" % (
                principal or "HTTP/*", keytab or "the default keytab", e)) from None

    def _refuse(self, message):
        return HttpError(401, "AuthenticationException", message,
                         [("www-authenticate", self.challenge)])

    def authenticate(self, req):
        scheme, _, token = req.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "negotiate":
            return None
        try:
            token = base64.b64decode(token.strip(), validate=True)
        except ValueError:
            raise self._refuse("malformed Negotiate token") from None
        if not token:
            raise self._refuse("empty Negotiate token")
        gssapi = self._gssapi
        ctx = gssapi.SecurityContext(creds=self._creds, usage="accept")
        try:
            out = ctx.step(token)
            if not ctx.complete:
                # Kerberos completes in one leg; a mechanism wanting more is
                # not one we serve.
                raise self._refuse("GSS-API negotiation needs more than one leg")
            principal = str(ctx.initiator_name)
        except gssapi.exceptions.GSSError as e:
            raise self._refuse("Kerberos: %s" % _gss_message(e)) from None
        try:
            user = self._rules.short_name(principal)
        except HadoofusError as e:
            raise HttpError(403, "AuthenticationException",
                            "no rule maps principal %s to a user: %s" % (principal, e)) from None
        if not valid_user_name(user):
            raise HttpError(403, "AuthenticationException",
                            "principal %s maps to an invalid user name %r" % (principal, user))
        headers = []
        if out:
            headers.append(("www-authenticate",
                            "Negotiate " + base64.b64encode(out).decode("ascii")))
        return user, principal, headers


def _gss_message(e):
    # GSSError's str() has both the major and the minor (krb5) message; the
    # minor one names the cause ("Request is a replay", "Clock skew too great").
    try:
        return e.gen_message()
    except Exception:
        return str(e)


class PseudoHandler:
    """Hadoop's "simple" authentication: the caller names itself with
    user.name= (HttpFS's PseudoAuthenticationHandler)."""

    type = "simple"
    challenge = "PseudoAuth"

    def authenticate(self, req):
        """(user, principal) or None when the request does not use it."""
        name = req.param("user.name")
        if name is None:
            return None
        if not valid_user_name(name):
            raise HttpError(400, "IllegalArgumentException", "invalid user.name: %r" % name)
        return name, name


def valid_user_name(name):
    # Hadoop user names: no control characters, no separators the cookie or
    # the RPC context would choke on.
    return bool(name) and len(name) <= 256 and not any(
        c in name for c in "&=\"\\;,/ \t\r\n\0")


class Signer:
    """HMAC-SHA256 signatures under one secret."""

    def __init__(self, secret):
        if not secret:
            raise ValueError("empty signature secret")
        self._key = secret

    def sign(self, text):
        mac = hmac.new(self._key, text.encode("utf-8"), hashlib.sha256).digest()
        return base64.b64encode(mac).decode("ascii")

    def verify(self, text, sig):
        return hmac.compare_digest(self.sign(text).encode("ascii"),
                                   sig.encode("utf-8", "replace"))


def load_secret(path):
    """The secret bytes of a --signature-secret-file (surrounding whitespace
    dropped, as Hadoop's FileSignerSecretProvider), or 32 random bytes when
    path is None (cookies then die with the process)."""
    if path is None:
        return os.urandom(32)
    with open(path, "rb") as f:
        secret = f.read().strip()
    if not secret:
        raise ValueError("signature secret file %s is empty" % path)
    return secret


class ProxyUsers:
    """Hadoop's impersonation rules, checked by the gateway itself:
    hadoop.proxyuser.<real>.hosts (addresses, host names or CIDRs the real
    user may call from) and .users / .groups (whom it may act for; "*" for
    anyone). Groups: hadoop.user.group.static.mapping.overrides, else the
    system's (Hadoop's default shell mapping). get(names) -> {name: value}
    reads the configuration (default: the Hadoop configuration of
    $HADOOP_CONF_DIR)."""

    def __init__(self, get=None):
        if get is None:
            from hadoofus._namenode import _conf_get as get
        self._get = get

    def authorize(self, real, effective, client_addr):
        """None when `real` may act for `effective` from client_addr; else
        HttpError 403."""
        base = "hadoop.proxyuser.%s." % real
        conf = self._get([base + "hosts", base + "users", base + "groups",
                          "hadoop.user.group.static.mapping.overrides"])
        hosts = _csv(conf.get(base + "hosts"))
        if not _host_allowed(hosts, client_addr):
            raise HttpError(403, "AuthorizationException",
                            "Unauthorized connection for super-user: %s from IP %s"
                            % (real, client_addr))
        users = _csv(conf.get(base + "users"))
        groups = _csv(conf.get(base + "groups"))
        if "*" in users or effective in users or "*" in groups or (
                groups and set(groups) & set(self.groups(effective, conf))):
            return
        raise HttpError(403, "AuthorizationException",
                        "User: %s is not allowed to impersonate %s" % (real, effective))

    @staticmethod
    def groups(user, conf):
        for entry in (conf.get("hadoop.user.group.static.mapping.overrides") or "").split(";"):
            name, eq, gs = entry.strip().partition("=")
            if eq and name.strip() == user:
                return _csv(gs)
        try:
            gid = pwd.getpwnam(user).pw_gid
            return [grp.getgrgid(g).gr_name for g in os.getgrouplist(user, gid)]
        except (KeyError, OSError):
            return []


def _csv(v):
    return [x.strip() for x in (v or "").split(",") if x.strip()]


def _host_allowed(hosts, addr):
    if "*" in hosts:
        return True
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    for h in hosts:
        try:
            if ip in ipaddress.ip_network(h, strict=False):
                return True
            continue
        except ValueError:
            pass
        try:
            if ip in {ipaddress.ip_address(a[4][0]) for a in socket.getaddrinfo(h, None)}:
                return True
        except (OSError, ValueError):
            pass
    return False


class Authenticator:
    """authenticate(req) -> (User, [(header, value)] for the response: the
    Set-Cookie, a handler's own) or raises HttpError 401/403.

    secret: bytes; validity: cookie lifetime in seconds; allow_anonymous:
    requests naming nobody run as anonymous_user instead of 401; secure:
    cookies get the Secure flag (TLS); handlers: see the module doc;
    proxy_users: a ProxyUsers that decides doas= here (the gateway then
    impersonates the doas user itself), or None: the NameNode decides."""

    def __init__(self, secret, validity=DEFAULT_VALIDITY, allow_anonymous=False,
                 anonymous_user="dr.who", secure=False, handlers=None, proxy_users=None):
        self.signer = Signer(secret)
        self.proxy_users = proxy_users
        self.validity = validity
        self.allow_anonymous = allow_anonymous
        self.anonymous_user = anonymous_user
        self.secure = secure
        self.handlers = list(handlers) if handlers is not None else [PseudoHandler()]
        # (user, principal, type) -> (signed at, Set-Cookie): a client that
        # names itself on every request (user.name=, as HdfsCLI and curl
        # do) would otherwise cost an HMAC and a date per request.
        self._recent = {}
        self._reuse = min(1.0, validity / 100.0)

    # -- the cookie ------------------------------------------------------------

    def fresh_cookie(self, user, principal, type_):
        """make_cookie's value, reused while at most min(1 s, validity/100)
        old: its expiry is then at most that much short of a new one's."""
        key = (user, principal, type_)
        now = time.time()
        got = self._recent.get(key)
        if got is not None and now - got[0] < self._reuse:
            return got[1]
        if len(self._recent) >= 4096:
            self._recent.clear()
        cookie = self.make_cookie(user, principal, type_, now)
        self._recent[key] = (now, cookie)
        return cookie

    def make_cookie(self, user, principal, type_, now=None):
        """The Set-Cookie header value for a freshly authenticated user."""
        now = time.time() if now is None else now
        expires = int((now + self.validity) * 1000)
        token = "u=%s&p=%s&t=%s&e=%d" % (user, principal, type_, expires)
        value = '%s&s=%s' % (token, self.signer.sign(token))
        parts = ['%s="%s"' % (COOKIE, value), "Path=/",
                 "Expires=" + formatdate(expires / 1000.0, usegmt=True), "HttpOnly"]
        if self.secure:
            parts.append("Secure")
        return "; ".join(parts)

    def parse_cookie(self, value, now=None):
        """The user of a cookie value; HttpError 401 if it is not one we
        signed or has expired."""
        return self._parse_cookie(value, now)[0]

    def _parse_cookie(self, value, now=None):
        """(user, authentication type t=) of a cookie value; see parse_cookie."""
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        token, sep, sig = value.rpartition("&s=")
        if not sep or not self.signer.verify(token, sig):
            raise self.unauthorized("invalid hadoop.auth cookie signature")
        fields = {}
        for part in token.split("&"):
            k, eq, v = part.partition("=")
            if not eq or k in fields:
                raise self.unauthorized("malformed hadoop.auth cookie")
            fields[k] = v
        try:
            user, expires = fields["u"], int(fields["e"])
        except (KeyError, ValueError):
            raise self.unauthorized("malformed hadoop.auth cookie") from None
        now = time.time() if now is None else now
        if expires != -1 and expires <= now * 1000:
            raise self.unauthorized("hadoop.auth cookie expired")
        if not valid_user_name(user):
            raise self.unauthorized("malformed hadoop.auth cookie")
        return user, fields.get("t")

    def unauthorized(self, message):
        return HttpError(401, "AuthenticationException", message,
                         [("www-authenticate", h.challenge) for h in self.handlers])

    # -- a request -------------------------------------------------------------

    def authenticate(self, req):
        delegation = req.param("delegation")
        if delegation is not None:
            # The token alone decides (Hadoop's DelegationTokenAuthenticationFilter
            # looks at it first): no cookie is read or set.
            if req.param("doas") is not None:
                raise HttpError(403, "AuthorizationException",
                                "doas is not allowed with a delegation token")
            return token_user(delegation), []
        headers = []
        value = cookie_value(req.headers.get("cookie", ""), COOKIE)
        user = None
        method = None
        if value:
            user, method = self._parse_cookie(value)
        else:
            for h in self.handlers:
                got = h.authenticate(req)
                if got is not None:
                    user, principal = got[0], got[1]
                    method = h.type
                    headers.extend(got[2] if len(got) > 2 else ())
                    headers.append(("set-cookie", self.fresh_cookie(user, principal, h.type)))
                    break
        if user is None:
            if not self.allow_anonymous:
                raise self.unauthorized("Anonymous requests are disallowed: authenticate "
                                        "(%s)" % ", ".join(h.challenge for h in self.handlers))
            user = self.anonymous_user
        doas = req.param("doas")
        if doas is not None and doas != user:
            if not valid_user_name(doas):
                raise HttpError(400, "IllegalArgumentException", "invalid doas: %r" % doas)
            if self.proxy_users is not None:
                self.proxy_users.authorize(user, doas, req.client.rpartition(":")[0])
                return _with_method(User(doas), method), headers
            return _with_method(User(doas, real=user), method), headers
        return _with_method(User(user), method), headers


def _with_method(user, method):
    # How the caller proved who it is: the delegation token operations
    # serve only a Kerberos one (see the webhdfs face).
    user.auth_method = method
    return user


class TokenUser(User):
    """A caller authenticated by a delegation token alone: the token's
    owner (short name). `token` is its URL string: the gateway connects to
    the NameNode with the token itself (Hdfs._key), so the NameNode checks
    it on every new connection."""

    auth_method = "token"
    token = None


def token_user(url_string):
    """The TokenUser of a delegation= value; HttpError 403 (as WebHDFS's
    InvalidToken) when it is no delegation token at all."""
    from hadoofus.types import DELEGATION_KINDS, Token
    try:
        tok = Token.decode_url_string(url_string)
        ident = tok.decode_identifier() if tok.kind in DELEGATION_KINDS else None
        owner = ident.user if ident is not None else ""
    except Exception:  # noqa: BLE001  (any decoding failure is the same refusal)
        owner = ""
    if not valid_user_name(owner):
        raise HttpError(403, "InvalidToken", "invalid delegation token")
    # Past its maximum lifetime no renewal helps; checked here because a
    # connection the token opened earlier would still serve it.
    if ident.maxDate and ident.maxDate <= time.time() * 1000:
        raise HttpError(403, "InvalidToken", "token (%s) is expired: max date %d"
                        % (ident, ident.maxDate))
    u = TokenUser(owner)
    u.token = url_string
    return u


def cookie_value(header, name):
    """The value of cookie `name` in a Cookie header (quotes kept), or None."""
    for part in header.split(";"):
        k, eq, v = part.strip().partition("=")
        if eq and k == name:
            return v
    return None
