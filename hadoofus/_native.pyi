# The cffi extension module (built from hadoofus/_cdef/*.h): untyped C.
from typing import Any

ffi: Any
lib: Any
