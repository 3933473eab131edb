"""hadoop.security.auth_to_local in the C core (hadoofus.auth_to_local),
checked against Java's own KerberosName.

One rule set covers the language (component counts, formats with $0,
match regexes, s///, g, /L, group references and escapes in the
replacement, lazy quantifiers, empty matches, first match wins, DEFAULT
last); a table of principals runs through it here and through
`org.apache.hadoop.security.HadoopKerberosName` (its main prints
"Name: P to SHORT" per argument, and stops at the first principal it
cannot map: so each JVM gets one failing principal, last). Three JVMs
run at once: 2.7.3 with mechanism hadoop, 3.4.1 with hadoop and with MIT.
The default realm comes from a krb5.conf both sides read.
"""

import os
import re
import subprocess

import pytest

from hadoofus import errors, minicluster
from hadoofus import auth_to_local
from hadoofus.auth_to_local import AuthToLocal

REALM = "EXAMPLE.COM"

RULES = r"""
RULE:[1:$1@$0](.*@OTHER\.ORG)s/@.*///L
RULE:[2:$1@$0]([nd]n@EXAMPLE\.COM)s/.*/hdfs/
RULE:[2:$1;$2](^.*;admin$)s/;admin$//
RULE:[2:$1/$2@$0](svc/nonsimple@EXAMPLE\.COM)
RULE:[1:$1@$0](first@EXAMPLE\.COM)s/.*/winner/
RULE:[1:$1@$0](first@EXAMPLE\.COM)s/.*/loser/
RULE:[1:$1](svc-.*)s/-(\w)/_$1/g
RULE:[1:$1](ops[0-9]+)
RULE:[1:$1@$0](.*@LAZY\.ORG)s/^(.+?)\.(.*)@.*$/$2_$1/
RULE:[1:$1](alt.*)s/(a|al)(t|lt)/[$1|$2]/
RULE:[1:$1](zz[a-z]*)s/q*/-/g
RULE:[1:$1](dot\..*)s/\./\$/
RULE:[1:$1](grp.*)s/(grp)/$10/
RULE:[1:x$1x](xModex)s/x//gL
RULE:[2:$2](Svc.*)/L
DEFAULT/L
"""

# principal -> short name, the same under both mechanisms.
MAPPED = {
    "Alice@OTHER.ORG": "alice",
    "nn/host1.example.com@EXAMPLE.COM": "hdfs",
    "dn/127.0.0.1@EXAMPLE.COM": "hdfs",
    "bob/admin@EXAMPLE.COM": "bob",
    "first@EXAMPLE.COM": "winner",
    "svc-a-b@ANY.REALM": "svc_a_b",
    "ops12@FOREIGN.ORG": "ops12",
    "a.b.c@LAZY.ORG": "b.c_a",
    "altx@R": "[a|lt]x",
    "zzab@Z.ORG": "-z-z-a-b-",
    "dot.x@R": "dot$x",
    "grpx@R": "grp0x",
    "Mode@R": "mode",
    "web/SvcHost@R": "svchost",
    "Carol@EXAMPLE.COM": "Carol",          # DEFAULT takes no /L
    "carol/some.host@EXAMPLE.COM": "carol",
    "plain": "plain",                      # already short
}
NO_RULE = "eve@ELSEWHERE.ORG"
NON_SIMPLE = "svc/nonsimple@EXAMPLE.COM"


def _krb5_conf(tmp):
    path = os.path.join(tmp, "krb5.conf")
    with open(path, "w") as f:
        f.write("[libdefaults]\n default_realm = %s\n" % REALM)
    return path


def _conf_dir(tmp, name, mechanism):
    d = os.path.join(tmp, name)
    os.makedirs(d)
    props = {"hadoop.security.authentication": "kerberos",
             "hadoop.security.auth_to_local": RULES}
    if mechanism:
        props["hadoop.security.auth_to_local.mechanism"] = mechanism
    with open(os.path.join(d, "core-site.xml"), "w") as f:
        f.write("<configuration>\n")
        for k, v in props.items():
            f.write("<property><name>%s</name><value>%s</value></property>\n" % (k, v))
        f.write("</configuration>\n")
    return d


@pytest.fixture(scope="module")
def java_maps(tmp_path_factory):
    """{(version, mechanism): (mapping printed, exception line or None)}."""
    tmp = str(tmp_path_factory.mktemp("a2l"))
    krb5 = _krb5_conf(tmp)
    java = minicluster.find_java()
    runs = {
        ("2.7.3", "hadoop"): (minicluster.ensure_jars(), list(MAPPED) + [NO_RULE]),
        ("3.4.1", "hadoop"): (minicluster.ensure_hadoop3_jars("3.4.1"),
                              list(MAPPED) + [NON_SIMPLE]),
        ("3.4.1", "MIT"): (minicluster.ensure_hadoop3_jars("3.4.1"),
                           list(MAPPED) + [NO_RULE, NON_SIMPLE]),
    }
    procs, confs = {}, {}
    for (version, mech), (jars, names) in runs.items():
        conf = _conf_dir(tmp, "%s-%s" % (version, mech), None if mech == "hadoop" else mech)
        confs[(version, mech)] = conf
        cmd = [java, "-Xmx64m", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
               "-Djava.security.krb5.conf=" + krb5,
               "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
               "-cp", conf + os.pathsep + os.path.join(jars, "*"),
               "org.apache.hadoop.security.HadoopKerberosName", *names]
        procs[(version, mech)] = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                                  stderr=subprocess.PIPE)
    out = {}
    for key, p in procs.items():
        stdout, stderr = p.communicate(timeout=120)
        mapped = dict(re.findall(r"^Name: (\S+) to (\S+)$", stdout.decode(), re.M))
        exc = re.search(r"^Exception in thread \"main\" (.*)$", stderr.decode(), re.M)
        out[key] = (mapped, exc.group(1) if exc else None, stderr.decode()[-2000:],
                    confs[key])
    return out


@pytest.fixture
def krb5_env(tmp_path, monkeypatch):
    monkeypatch.setenv("KRB5_CONFIG", _krb5_conf(str(tmp_path)))


@pytest.mark.parametrize("version,mech", [("2.7.3", "hadoop"), ("3.4.1", "hadoop"),
                                          ("3.4.1", "MIT")])
def test_table_matches_java(java_maps, krb5_env, monkeypatch, version, mech):
    mapped, exc, stderr, conf_dir = java_maps[(version, mech)]
    # The very core-site.xml Java read; the default realm from KRB5_CONFIG.
    monkeypatch.setenv("HADOOP_CONF_DIR", conf_dir)
    ours = auth_to_local.from_conf()
    expect = dict(MAPPED)
    if mech == "MIT":
        expect[NO_RULE] = NO_RULE
        expect[NON_SIMPLE] = NON_SIMPLE
    assert mapped == expect, "Java %s/%s printed %r; stderr: %s" % (version, mech, mapped,
                                                                    stderr)
    got = {p: ours.short_name(p) for p in expect}
    assert got == expect
    if mech == "hadoop":
        # Java stopped at the one principal it refuses; we refuse it too.
        bad = NO_RULE if version == "2.7.3" else NON_SIMPLE
        assert exc is not None and "NoMatchingRule" in exc and bad in exc, stderr
        with pytest.raises(errors.NotFoundError) as ei:
            ours.short_name(bad)
        assert bad in str(ei.value)
        if bad == NO_RULE:
            assert "No rules applied to " + NO_RULE in str(ei.value)
        else:
            assert "Non-simple name" in str(ei.value)
    else:
        assert exc is None, stderr


def test_default_realm_and_defaults(krb5_env):
    m = AuthToLocal()                    # DEFAULT, hadoop, realm of krb5.conf
    assert m.short_name("alice@EXAMPLE.COM") == "alice"
    assert m.short_name("alice/h@EXAMPLE.COM") == "alice"
    with pytest.raises(errors.NotFoundError):
        m.short_name("alice@OTHER.ORG")
    m = AuthToLocal(default_realm="OTHER.ORG")
    assert m.short_name("alice@OTHER.ORG") == "alice"
    with pytest.raises(errors.NotFoundError):
        m.short_name("alice@EXAMPLE.COM")
    # A long result grows the buffer.
    long = "x" * 1000
    assert AuthToLocal("RULE:[1:$1]").short_name(long + "@R") == long


@pytest.mark.parametrize("rules,why", [
    ("BOGUS", "invalid auth_to_local rule: BOGUS"),
    ("RULE:[1:$1](x", "invalid auth_to_local rule: (x"),
    ("DEFAULT RULE:[1:$1]s/a/b", "invalid auth_to_local rule: s/a/b"),
    ("RULE:[:$1]", "bad component count"),
    ("RULE:[1:$1](a[)", "invalid regular expression a["),
])
def test_bad_rules(rules, why):
    with pytest.raises(errors.InvalidArgumentError) as ei:
        AuthToLocal(rules)
    assert why in str(ei.value)


@pytest.mark.parametrize("rules,principal,why", [
    ("RULE:[1:$]", "a@R", "bad format in username mapping"),
    ("RULE:[1:$2]", "a@R", "outside of the valid range 0 to 1"),
    ("RULE:[1:$1]s/a/$2/", "a@R", "no group 2"),
    ("RULE:[1:$1]s/a/x\\/", "a@R", "character to be escaped is missing"),
    ("DEFAULT", "a@b@c", "Malformed Kerberos name"),
    ("DEFAULT", "a/b/c@R", "Malformed Kerberos name"),
])
def test_bad_application(rules, principal, why):
    with pytest.raises(errors.InvalidArgumentError) as ei:
        AuthToLocal(rules, default_realm="R").short_name(principal)
    assert why in str(ei.value)


def test_mechanism_is_checked():
    with pytest.raises(errors.InvalidArgumentError) as ei:
        AuthToLocal(mechanism="kerberos")
    assert "hadoop or mit" in str(ei.value)
