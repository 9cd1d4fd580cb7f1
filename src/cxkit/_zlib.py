"""zlib, from zlib-ng when it is installed: the same DEFLATE format and API, about twice as
fast to compress and three times as fast to decompress (zlib-ng is a declared dependency; the
standard library's zlib stands in where it has no wheel). Used by the KDBX container."""

from __future__ import annotations

from typing import cast

try:  # zlib-ng (zlib licence; Python bindings PSF-2.0)
    from zlib_ng import zlib_ng as zlib
except ImportError:  # pragma: no cover - same results, slower
    import zlib  # type: ignore[no-redef]

__all__ = ["IMPLEMENTATION", "ZlibError", "zlib"]

IMPLEMENTATION: str = "zlib-ng" if zlib.__name__ != "zlib" else "zlib"
# (zlib-ng's type stubs declare ``error`` as an instance; it is the exception class)
ZlibError = cast("type[Exception]", zlib.error)
