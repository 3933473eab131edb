"""An MIT Kerberos KDC on loopback, for the secure MiniCluster and tests.

Debian's ``krb5-kdc`` (krb5kdc, kdb5_util), ``krb5-admin-server``
(kadmin.local) and ``krb5-user`` (kinit) do the work; this module writes
their configuration into one directory, runs the KDC in the foreground as
a child process and makes principals, keytabs and ticket caches.

Every realm made here is new, so ticket caches of an earlier KDC are
useless with it: ``kinit`` again after each start.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

__all__ = ["KDC", "KerberosSetupError"]

DEFAULT_REALM = "HADOOFUS.TEST"
_ENCTYPES = "aes256-cts-hmac-sha1-96 aes128-cts-hmac-sha1-96"


class KerberosSetupError(RuntimeError):
    """The MIT Kerberos tools are missing or failed."""


def _tool(name):
    for d in ("", "/usr/sbin", "/usr/bin", "/sbin"):
        p = shutil.which(name) if not d else os.path.join(d, name)
        if p and os.access(p, os.X_OK):
            return p
    raise KerberosSetupError(
        "%s not found: install krb5-kdc krb5-admin-server krb5-user (./dev.sh setup)" % name)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class KDC:
    """A KDC for ``realm`` with its files under ``base_dir`` (created).

    ``krb5_conf`` is the client configuration (KRB5_CONFIG for C, and
    ``-Djava.security.krb5.conf`` for Java, which ignores KRB5_CONFIG).
    """

    def __init__(self, base_dir, realm=DEFAULT_REALM, port=None):
        self.base_dir = os.path.abspath(base_dir)
        self.realm = realm
        self.port = port
        self.proc = None

    @property
    def krb5_conf(self):
        return os.path.join(self.base_dir, "krb5.conf")

    @property
    def kdc_conf(self):
        return os.path.join(self.base_dir, "kdc.conf")

    def env(self, ccache=None):
        """Environment entries for MIT tools and C clients of this realm."""
        e = {"KRB5_CONFIG": self.krb5_conf, "KRB5_KDC_PROFILE": self.kdc_conf}
        if ccache is not None:
            e["KRB5CCNAME"] = "FILE:" + ccache
        return e

    def _run(self, argv, input=None, check=True):
        env = dict(os.environ)
        env.update(self.env())
        r = subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=60, stdin=None if input else subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise KerberosSetupError("%s failed (exit %d): %s"
                                     % (" ".join(argv[:2]), r.returncode,
                                        r.stdout.decode(errors="replace")[-2000:]))
        return r

    def _write_conf(self):
        d = self.base_dir
        with open(self.krb5_conf, "w") as f:
            f.write("""\
[libdefaults]
 default_realm = %(realm)s
 dns_lookup_realm = false
 dns_lookup_kdc = false
 dns_canonicalize_hostname = false
 rdns = false
 udp_preference_limit = 1
 # A client whose clock is off gets "Clock skew too great" instead of
 # silently correcting by the KDC's time (tests make one with faketime).
 kdc_timesync = 0
 ticket_lifetime = 24h
 renew_lifetime = 7d
 forwardable = true
 default_tkt_enctypes = %(enc)s
 default_tgs_enctypes = %(enc)s
 permitted_enctypes = %(enc)s

[realms]
 %(realm)s = {
  kdc = 127.0.0.1:%(port)d
 }

[domain_realm]
 localhost = %(realm)s
 .localhost = %(realm)s
 127.0.0.1 = %(realm)s
""" % {"realm": self.realm, "enc": _ENCTYPES, "port": self.port})
        with open(self.kdc_conf, "w") as f:
            f.write("""\
[kdcdefaults]
 kdc_listen = 127.0.0.1:%(port)d
 kdc_tcp_listen = 127.0.0.1:%(port)d

[realms]
 %(realm)s = {
  database_name = %(d)s/principal
  key_stash_file = %(d)s/stash
  acl_file = %(d)s/kadm5.acl
  kdc_listen = 127.0.0.1:%(port)d
  kdc_tcp_listen = 127.0.0.1:%(port)d
  max_life = 24h
  max_renewable_life = 7d
  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
 }

[logging]
 kdc = FILE:%(d)s/kdc.log
""" % {"realm": self.realm, "port": self.port, "d": d})
        open(os.path.join(d, "kadm5.acl"), "w").close()

    def start(self, timeout=15.0):
        """Create the database (first time) and run krb5kdc; returns self."""
        os.makedirs(self.base_dir, exist_ok=True)
        if self.port is None:
            self.port = _free_port()
        self._write_conf()
        if not os.path.exists(os.path.join(self.base_dir, "principal")):
            self._run([_tool("kdb5_util"), "create", "-s", "-r", self.realm,
                       "-P", "hadoofus-master-" + str(os.getpid())])
        env = dict(os.environ)
        env.update(self.env())
        log = open(os.path.join(self.base_dir, "krb5kdc.out"), "ab")
        try:
            # -n: stay in the foreground, so the process is ours to stop.
            self.proc = subprocess.Popen(
                [_tool("krb5kdc"), "-n", "-r", self.realm,
                 "-P", os.path.join(self.base_dir, "krb5kdc.pid")],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=env, start_new_session=True)
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise KerberosSetupError("krb5kdc exited (%s): %s" % (
                    self.proc.returncode, self._log_tail()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise KerberosSetupError("krb5kdc does not listen on port %d: %s"
                                             % (self.port, self._log_tail()))
                time.sleep(0.05)
        return self

    def _log_tail(self):
        out = []
        for name in ("krb5kdc.out", "kdc.log"):
            try:
                with open(os.path.join(self.base_dir, name), "rb") as f:
                    out.append(f.read()[-1500:].decode(errors="replace"))
            except OSError:
                pass
        return "\n".join(out)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def principal(self, name):
        """``name`` with this realm (unless it names one)."""
        return name if "@" in name else "%s@%s" % (name, self.realm)

    def add_principals(self, keytabs):
        """Create principals with random keys and export each key to its
        keytab: ``{principal: keytab_path}`` (several principals may share
        a keytab). One kadmin.local run for all."""
        cmds = []
        for p, kt in keytabs.items():
            p = self.principal(p)
            cmds.append("addprinc -randkey %s" % p)
            cmds.append("ktadd -k %s -norandkey %s" % (kt, p))
        self._run([_tool("kadmin.local"), "-r", self.realm],
                  input=("\n".join(cmds) + "\n").encode())

    def set_max_life(self, principal, life):
        """Cap the tickets of ``principal`` at ``life`` ("3s")."""
        self._run([_tool("kadmin.local"), "-r", self.realm, "-q",
                   "modprinc -maxlife %s %s" % (life, self.principal(principal))])

    def kinit(self, principal, keytab, ccache, lifetime=None):
        """Get a TGT for ``principal`` from ``keytab`` into the file
        ``ccache``; ``lifetime`` as kinit's -l (e.g. "5s")."""
        argv = [_tool("kinit"), "-k", "-t", keytab, "-c", "FILE:" + ccache]
        if lifetime:
            argv += ["-l", str(lifetime)]
        self._run(argv + [self.principal(principal)])
        return ccache


# ---------------------------------------------------------------------------
# The Kerberos side of MiniCluster(secure=True)

# Principals with a host part get both names _HOST may resolve to: the
# NameNode resolves its bind address (127.0.0.1 -> "localhost"), a DataNode
# uses dfs.datanode.hostname ("127.0.0.1").
_SERVICE_HOSTS = ("localhost", "127.0.0.1")
SERVICES = ("nn", "dn", "HTTP")
# Users with keytabs; "hdfs" is the HDFS superuser (nn/ and dn/ map to it).
USERS = ("alice", "bob", "hdfs")
_STOREPASS = "hadoofus"


class SecureCluster:
    """KDC, principals, keytabs, a self-signed keystore and the Hadoop
    settings of a kerberized 2.7.3 cluster whose files live in ``base_dir``
    (the cluster's directory; this uses ``base_dir/kdc``)."""

    # The DataNodes' IPC servers (ClientDatanodeProtocol) offer only this.
    datanode_rpc_protection = "privacy"

    def __init__(self, base_dir, rpc_protection, data_protection, encrypt_data=False,
                 kdc_port=None):
        self.base_dir = base_dir
        self.rpc_protection = rpc_protection
        self.data_protection = data_protection
        self.encrypt_data = bool(encrypt_data)
        self.kdc = KDC(os.path.join(base_dir, "kdc"), port=kdc_port)

    @property
    def realm(self):
        return self.kdc.realm

    @property
    def krb5_conf(self):
        return self.kdc.krb5_conf

    def keytab(self, name):
        """The keytab of a user ("alice") or service ("nn", "dn", "HTTP")."""
        return os.path.join(self.kdc.base_dir, "%s.keytab" % name)

    def service_principal(self, service, host="_HOST"):
        return "%s/%s@%s" % (service, host, self.realm)

    @property
    def keystore(self):
        return os.path.join(self.kdc.base_dir, "keystore.jks")

    @property
    def truststore(self):
        return os.path.join(self.kdc.base_dir, "truststore.jks")

    def layout(self):
        return {"rpc_protection": self.rpc_protection, "data_protection": self.data_protection,
                "encrypt_data": self.encrypt_data, "kdc_port": self.kdc.port}

    def start(self, java, tls_cache=None):
        """Run the KDC; the first time also make the principals, keytabs and
        keystore (``java``: the JDK whose keytool to use; ``tls_cache``: a
        directory where the keystore made once is kept for later clusters)."""
        fresh = not os.path.exists(os.path.join(self.kdc.base_dir, "principal"))
        if not self.kdc.running:
            self.kdc.start()
        if fresh:
            want = {u: self.keytab(u) for u in USERS}
            for s in SERVICES:
                for h in _SERVICE_HOSTS:
                    want["%s/%s" % (s, h)] = self.keytab(s)
            self.kdc.add_principals(want)
        if not os.path.exists(self.truststore):
            self._keystore_from_cache(java, tls_cache)

    def stop(self):
        self.kdc.stop()

    def _keystore_from_cache(self, java, cache):
        """Copy the cached keystore pair, making (and caching) it first when
        missing: three keytool JVMs cost seconds at every cluster's start,
        and a self-signed localhost certificate need not be new each time."""
        if cache is None:
            return self._make_keystore(java)
        names = (os.path.basename(self.keystore), os.path.basename(self.truststore))
        if not all(os.path.exists(os.path.join(cache, n)) for n in names):
            self._make_keystore(java)
            tmp = "%s.tmp-%d" % (cache, os.getpid())
            try:
                os.makedirs(tmp)
                for n in names:
                    shutil.copy(os.path.join(self.kdc.base_dir, n), tmp)
                # One rename publishes the matching pair; a racing
                # process's pair stays (the first one wins).
                os.rename(tmp, cache)
            except OSError:
                # (a read-only cache: this cluster has its own pair anyway)
                shutil.rmtree(tmp, ignore_errors=True)
            return
        for n in names:
            shutil.copy(os.path.join(cache, n), os.path.join(self.kdc.base_dir, "." + n))
        for n in names:   # the truststore last: start() takes it as "done"
            os.replace(os.path.join(self.kdc.base_dir, "." + n),
                       os.path.join(self.kdc.base_dir, n))

    def _make_keystore(self, java):
        keytool = os.path.join(os.path.dirname(os.path.realpath(java)), "keytool")
        if not os.access(keytool, os.X_OK):
            keytool = shutil.which("keytool") or keytool
        cert = os.path.join(self.kdc.base_dir, "server.crt")
        for argv in (
                ["-genkeypair", "-alias", "hadoofus", "-keyalg", "RSA", "-keysize", "2048",
                 "-dname", "CN=localhost", "-validity", "3650", "-keystore", self.keystore,
                 "-storetype", "JKS", "-storepass", _STOREPASS, "-keypass", _STOREPASS,
                 "-ext", "SAN=dns:localhost,ip:127.0.0.1"],
                ["-exportcert", "-alias", "hadoofus", "-keystore", self.keystore,
                 "-storepass", _STOREPASS, "-file", cert],
                ["-importcert", "-noprompt", "-alias", "hadoofus", "-file", cert,
                 "-keystore", self.truststore + ".tmp", "-storetype", "JKS",
                 "-storepass", _STOREPASS]):
            r = subprocess.run([keytool, *argv], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=120)
            if r.returncode != 0:
                raise KerberosSetupError("keytool %s failed: %s"
                                         % (argv[0], r.stdout.decode(errors="replace")))
        os.replace(self.truststore + ".tmp", self.truststore)

    def jvm_opts(self):
        # Java ignores KRB5_CONFIG; 2.7.3 reads the default realm through
        # sun.security.krb5.Config by reflection, closed since Java 16.
        return ["-Djava.security.krb5.conf=" + self.krb5_conf,
                "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED"]

    def conf(self):
        """(core-site, hdfs-site) settings on top of the cluster's."""
        r = self.realm
        rules = "\n".join([
            # The daemons act as the HDFS superuser: a DataNode that is not
            # one has its registration refused forever.
            "RULE:[2:$1@$0](nn@%s)s/.*/hdfs/" % r,
            "RULE:[2:$1@$0](dn@%s)s/.*/hdfs/" % r,
            "DEFAULT"])
        core = {
            "hadoop.security.authentication": "kerberos",
            "hadoop.security.authorization": True,
            "hadoop.rpc.protection": self.rpc_protection,
            "hadoop.security.token.service.use_ip": True,
            "hadoop.security.auth_to_local": rules,
            # Java 17 refuses 2.7.3's default TLSv1.
            "hadoop.ssl.enabled.protocols": "TLSv1.2",
            "hadoop.proxyuser.hdfs.hosts": "*",
            "hadoop.proxyuser.hdfs.groups": "*",
        }
        hdfs = {
            "dfs.block.access.token.enable": True,
            "dfs.namenode.kerberos.principal": self.service_principal("nn"),
            "dfs.namenode.keytab.file": self.keytab("nn"),
            "dfs.namenode.kerberos.internal.spnego.principal": self.service_principal("HTTP"),
            "dfs.datanode.kerberos.principal": self.service_principal("dn"),
            "dfs.datanode.keytab.file": self.keytab("dn"),
            "dfs.web.authentication.kerberos.principal": self.service_principal("HTTP"),
            "dfs.web.authentication.kerberos.keytab": self.keytab("HTTP"),
            # Without jsvc and privileged ports a secure 2.7.3 DataNode
            # starts only with SASL on data transfer and HTTPS alone.
            "dfs.data.transfer.protection": self.data_protection,
            "dfs.http.policy": "HTTPS_ONLY",
        }
        if self.encrypt_data:
            hdfs["dfs.encrypt.data.transfer"] = True
            hdfs["dfs.encrypt.data.transfer.cipher.suites"] = "AES/CTR/NoPadding"
        return core, hdfs

    def ssl_files(self):
        """{file name: properties} for a daemon's conf dir."""
        return {
            "ssl-server.xml": {
                "ssl.server.keystore.location": self.keystore,
                "ssl.server.keystore.password": _STOREPASS,
                "ssl.server.keystore.keypassword": _STOREPASS,
                "ssl.server.keystore.type": "jks",
                "ssl.server.truststore.location": self.truststore,
                "ssl.server.truststore.password": _STOREPASS,
                "ssl.server.truststore.type": "jks",
            },
            "ssl-client.xml": {
                "ssl.client.truststore.location": self.truststore,
                "ssl.client.truststore.password": _STOREPASS,
                "ssl.client.truststore.type": "jks",
            },
        }

    def ccache_path(self, user):
        return os.path.join(self.kdc.base_dir, "cc_%s" % user.replace("/", "_"))

    def kinit(self, user, lifetime=None, ccache=None):
        """A ticket cache for ``user`` (one of USERS, or "nn/localhost" ...)
        from its keytab; returns its path."""
        kt = self.keytab(user.split("/")[0])
        return self.kdc.kinit(user, kt, ccache or self.ccache_path(user), lifetime=lifetime)

    def env(self, ccache=None):
        return self.kdc.env(ccache)
