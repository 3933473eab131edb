"""hdfs-native (PyPI): a Rust HDFS client with Python bindings."""

from common import LoopSession, Skip

CLIENT = "hdfs-native"
VARIANTS = {"nn": ["seq"]}


def label(bench, variant, params):
    return "hdfs-native %s (sequential)" % _version()


def _version():
    try:
        from importlib.metadata import version
        return version("hdfs-native")
    except Exception:
        return "?"


def session(bench, variant, params):
    try:
        from hdfs_native import Client
    except ImportError as e:
        raise Skip("hdfs-native not importable (%s); pip install hdfs-native" % e)
    if (bench, variant) != ("nn", "seq"):
        raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
    client = Client(params["url"])
    path = params["path"]
    f = client.get_file_info
    if f(path).isdir:
        raise SystemExit("%s is a directory" % path)

    def run_n(n):
        for _ in range(n):
            f(path)

    return LoopSession(run_n, params, info={"version": _version()})
