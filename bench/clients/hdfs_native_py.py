"""hdfs-native (PyPI): a Rust HDFS client with Python bindings."""

from common import result, skipped, timed_rounds

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


def run(bench, variant, params):
    try:
        from hdfs_native import Client
    except ImportError as e:
        return skipped(CLIENT, variant, label(bench, variant, params),
                       "hdfs-native not importable (%s); pip install hdfs-native" % e)
    client = Client(params["url"])
    path = params["path"]
    if bench == "nn" and variant == "seq":
        f = client.get_file_info
        st = f(path)
        if st.isdir:
            raise SystemExit("%s is a directory" % path)

        def run_n(n):
            for _ in range(n):
                f(path)
            return n

        return result(CLIENT, variant, label(bench, variant, params),
                      timed_rounds(run_n, params), version=_version())
    raise ValueError("no such bench/variant: %s/%s" % (bench, variant))
