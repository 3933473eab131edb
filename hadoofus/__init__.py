"""hadoofus: a JVM-free HDFS client.

    import hadoofus
    nn = hadoofus.rpc("namenode", 8020)      # ClientProtocol, Java method names
    nn.getFileInfo("/user")                  # -> FileStatus, or None

hadoofus.aio.rpc is the asyncio flavour. Errors derive from HadoofusError;
Java exceptions from the server are ProtocolException subclasses named
after the Java class (FileNotFoundException is also a FileNotFoundError);
arguments refused before anything is sent raise InvalidArgumentError (a
ValueError) or ArgumentTypeError (a TypeError). hadoofus.conf reads the
Hadoop configuration.
"""

from . import errors  # noqa: F401
from .errors import *  # noqa: F401,F403  (the exception classes)
from .errors import __all__ as _errors_all
from ._namenode import Future, Pipeline, rpc  # noqa: F401
from ._datanode import data  # noqa: F401
from . import _rpc_v1  # noqa: F401  (HDFS v1 behind rpc(protocol=80))
from . import conf  # noqa: F401
from . import easy  # noqa: F401
from . import types  # noqa: F401
from . import tokens  # noqa: F401
from .types import AclEntry, FileStatus, Token  # noqa: F401
from .tokens import Credentials  # noqa: F401

__version__ = "0.1.0"

__all__ = ["rpc", "data", "easy", "Future", "Pipeline", "aio", "types", "errors", "conf",
           "FileStatus", "AclEntry", "libhdfs_dir"] + [n for n in _errors_all
                          if n not in ("exception_class", "remote_exception")]
__all__ += ["tokens", "Token", "Credentials"]


def libhdfs_dir():
    """The directory holding this package's libhdfs drop-in: libhdfs.so
    (for dlopen by name: pyarrow's ARROW_LIBHDFS_DIR) and libhdfs.so.0.0.0
    (the file name programs linked against Apache's libhdfs ask the loader
    for: LD_LIBRARY_PATH), both libhdfs_hadoofus.so. None when this copy of
    the package was not installed from a wheel (a meson install puts them in
    <libdir>/hadoofus-libhdfs)."""
    import os
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib", "libhdfs")
    return d if os.path.exists(os.path.join(d, "libhdfs.so")) else None


def __getattr__(name):
    # asyncio is imported only by those who use it.
    if name == "aio":
        import importlib
        return importlib.import_module(".aio", __name__)
    raise AttributeError("module 'hadoofus' has no attribute %r" % name)
