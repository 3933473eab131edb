"""The stock Java client (hadoop-hdfs, the same jars the cluster runs).

bench/java/*.java are compiled at bench time against the jars into
``<cache>/bench-java-<hash>/`` (reused while the sources and jars stay the
same), then run in one JVM per client with the full tiered JIT.
"""

import glob
import hashlib
import os
import shutil
import subprocess

from common import HERE, ChildSession, Skip

CLIENT = "java"
VARIANTS = {"nn": ["seq"], "read": ["seq", "pread"], "write": ["file", "small"]}
JAVA_DIR = os.path.join(HERE, "java")

JVM_OPTS = ["-Xmx512m", "-Djava.net.preferIPv4Stack=true"]

_LOG4J = "log4j.rootLogger=WARN,console\n" \
         "log4j.appender.console=org.apache.log4j.ConsoleAppender\n" \
         "log4j.appender.console.target=System.err\n" \
         "log4j.appender.console.layout=org.apache.log4j.PatternLayout\n" \
         "log4j.appender.console.layout.ConversionPattern=%p %c{2}: %m%n\n" \
         "log4j.logger.org.apache.hadoop.util.NativeCodeLoader=ERROR\n"


def label(bench, variant, params):
    if bench == "write":
        v = params.get("hadoop_version", "?")
        if variant == "small":
            return "Java client (hadoop-hdfs %s): create + write + close" % v
        return "Java client (hadoop-hdfs %s): write(byte[%d MiB])" % (
            v, int(params.get("chunk", 4 << 20)) >> 20)
    if bench == "read":
        v = params.get("hadoop_version", "?")
        if variant == "pread":
            return "Java client (hadoop-hdfs %s): %d threads of pread" % (
                v, int(params.get("threads", 4)))
        return "Java client (hadoop-hdfs %s): read(byte[])" % v
    return "Java client (hadoop-hdfs %s, sequential)" % params.get("hadoop_version", "?")


def _javac(java):
    j = os.path.join(os.path.dirname(os.path.realpath(java)), "javac")
    return j if os.path.exists(j) else shutil.which("javac")


def compile_sources(params):
    """Compile bench/java/*.java; return the class directory."""
    java = params["java"]
    javac = _javac(java)
    if not javac:
        raise RuntimeError("no javac next to %s nor on PATH" % java)
    srcs = sorted(glob.glob(os.path.join(JAVA_DIR, "*.java")))
    jars = sorted(glob.glob(os.path.join(params["jars_dir"], "*.jar")))
    h = hashlib.sha256()
    for p in srcs:
        with open(p, "rb") as f:
            h.update(f.read())
    h.update(os.path.realpath(javac).encode())
    h.update("\0".join(jars).encode())
    out = os.path.join(params["cache_dir"], "bench-java-" + h.hexdigest()[:16])
    if not os.path.exists(os.path.join(out, ".done")):
        tmp = out + ".tmp%d" % os.getpid()
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        subprocess.run([javac, "-nowarn", "-cp", os.path.join(params["jars_dir"], "*"),
                        "-d", tmp] + srcs, check=True, timeout=300,
                       stdin=subprocess.DEVNULL)
        with open(os.path.join(tmp, "log4j.properties"), "w") as f:
            f.write(_LOG4J)
        open(os.path.join(tmp, ".done"), "w").close()
        shutil.rmtree(out, ignore_errors=True)
        os.replace(tmp, out)
    return out


def prepare(params):
    """Compile once, before the workers (which may run in parallel) start;
    returns an error message or None."""
    if not params.get("java") or not params.get("jars_dir"):
        return None
    try:
        compile_sources(params)
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        return "javac failed: %s" % e
    return None


def _classpath(classes, params):
    # The cluster's client conf (if any) comes before our log4j.properties.
    cp = [classes]
    if params.get("conf_dir"):
        cp.insert(0, params["conf_dir"])
    cp.append(os.path.join(params["jars_dir"], "*"))
    return os.pathsep.join(cp)


def session(bench, variant, params):
    if not params.get("java") or not params.get("jars_dir"):
        raise Skip("no java runtime or no Hadoop jars")
    classes = compile_sources(params)   # a no-op after prepare()
    jvm = [params["java"], *JVM_OPTS, *params.get("jvm_opts", ()), "-cp",
           _classpath(classes, params)]
    if bench == "read" and variant in VARIANTS["read"]:
        cmd = [*jvm, "ReadBench",
               params["url"], params["read_path"], str(int(params.get("chunk", 4 << 20))),
               str(int(params.get("threads", 4)) if variant == "pread" else 0),
               str(params["warmup"])]
        return _JavaSession(cmd, params, bench, variant)
    if bench == "write" and variant in VARIANTS["write"]:
        cmd = [*jvm, "WriteBench",
               params["url"], params["write_dir"], variant, str(params["write_size"]),
               str(params["replication"]), str(int(params.get("chunk", 4 << 20))),
               str(params["warmup"])]
        return _JavaSession(cmd, params, bench, variant)
    if (bench, variant) != ("nn", "seq"):
        raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
    cmd = [*jvm, "NnBench",
           params["url"], params["path"], str(params["warmup"]),
           str(params.get("nn_pid") or 0)]
    return _JavaSession(cmd, params)


class _JavaSession(ChildSession):
    def __init__(self, cmd, params, bench="nn", variant="seq"):
        super().__init__(cmd, params)
        self.bench, self.variant = bench, variant

    def close(self):
        info = super().close()
        info["label"] = label(self.bench, self.variant,
                              dict(self.params, hadoop_version=info.get("hadoop_version")))
        return info
