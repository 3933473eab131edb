"""Who is asking: authentication handlers, the signed hadoop.auth cookie, doas.

Order, as Hadoop's AuthenticationFilter:
1. A `hadoop.auth` cookie, when sent, decides alone: valid (signature and
   expiry) -> its user; forged, tampered or expired -> 401, never trusted
   and never silently replaced by another method.
2. Otherwise each handler in turn (`handlers`: today PseudoHandler, the
   `user.name=` query parameter; a SPNEGO handler and a delegation-token
   handler plug in here with the same two methods). The first that knows
   the caller wins, and a fresh cookie is set so later requests need only it.
3. Nobody: the anonymous user when allowed, else 401 with every handler's
   WWW-Authenticate challenge.

The cookie: hadoop.auth="u=<user>&p=<principal>&t=<type>&e=<expiry ms>&s=<sig>"
with sig = base64(HMAC-SHA256(secret, everything before "&s=")), compared in
constant time; HttpOnly, Secure under TLS, Path=/. Gateways that share the
secret file (--signature-secret-file) accept each other's cookies: several
behind one load balancer need no sticky sessions.

doas=<user>: the authenticated user acts for another. The gateway connects
to the NameNode as the authenticated user (proxy) for the doas user
(effective), so the NameNode's hadoop.proxyuser.<authenticated>.* rules
decide, and refuse with 403 when they do not allow it.
"""

import base64
import hashlib
import hmac
import os
import time
from email.utils import formatdate

from .http import HttpError, User

COOKIE = "hadoop.auth"
DEFAULT_VALIDITY = 36000          # seconds: Hadoop's token.validity default (10 h)


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


class Authenticator:
    """authenticate(req) -> (User, [Set-Cookie values]) or raises HttpError 401/403.

    secret: bytes; validity: cookie lifetime in seconds; allow_anonymous:
    requests naming nobody run as anonymous_user instead of 401; secure:
    cookies get the Secure flag (TLS); handlers: see the module doc."""

    def __init__(self, secret, validity=DEFAULT_VALIDITY, allow_anonymous=False,
                 anonymous_user="dr.who", secure=False, handlers=None):
        self.signer = Signer(secret)
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
        return user

    def unauthorized(self, message):
        return HttpError(401, "AuthenticationException", message,
                         [("www-authenticate", h.challenge) for h in self.handlers])

    # -- a request -------------------------------------------------------------

    def authenticate(self, req):
        cookies = []
        value = cookie_value(req.headers.get("cookie", ""), COOKIE)
        user = None
        if value:
            user = self.parse_cookie(value)
        else:
            for h in self.handlers:
                got = h.authenticate(req)
                if got is not None:
                    user, principal = got
                    cookies.append(self.fresh_cookie(user, principal, h.type))
                    break
        if user is None:
            if not self.allow_anonymous:
                raise self.unauthorized("Anonymous requests are disallowed: name a user "
                                        "with user.name=")
            user = self.anonymous_user
        doas = req.param("doas")
        if doas is not None and doas != user:
            if not valid_user_name(doas):
                raise HttpError(400, "IllegalArgumentException", "invalid doas: %r" % doas)
            return User(doas, real=user), cookies
        return User(user), cookies


def cookie_value(header, name):
    """The value of cookie `name` in a Cookie header (quotes kept), or None."""
    for part in header.split(";"):
        k, eq, v = part.strip().partition("=")
        if eq and k == name:
            return v
    return None
