"""The list of formats (every adapter's :class:`~cxkit.adapters.base.AdapterInfo` as plain data),
cheap to load: ``cxkit formats`` and the "did you mean" of ``--from``/``--to`` need only the
metadata, but the adapters live in ~70 modules whose imports take about a second.

The list is computed once from :mod:`cxkit.adapters.registry` and kept in a cache file
(``$CXKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/cxkit``, else ``~/.cache/cxkit``; mode 0600),
stamped with a fingerprint of cxkit's own files (path, size, mtime) and of the folders on
``sys.path`` (a plug-in installed or removed changes them). Any change, or an unreadable cache,
means the list is computed again; a cache that cannot be written is simply not kept.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cxkit import __version__

__all__ = ["Catalog", "cache_file", "cached_help", "catalog", "fingerprint", "suggest_format"]

Catalog = dict[str, Any]
"""``{"formats": [ {key, app, format, versions, read, write, encrypted, credential_types,
how_to_export, how_to_import, extensions}, ...], "plugin_errors": [str, ...]}``"""

_FORMAT = 2


def cache_file() -> Path:
    """One file per cxkit version and Python environment."""
    env = f"{zlib.crc32(sys.prefix.encode()):08x}"
    name = f"formats-{__version__}-{env}.json"
    base = os.environ.get("CXKIT_CACHE_DIR")
    if base:
        return Path(base) / name
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root / "cxkit" / name


def fingerprint() -> str:
    """A digest of cxkit's source files and of the ``sys.path`` folders (stat only; CRC-32
    and a count: it tells a changed installation, it protects nothing)."""
    parts = [f"{_FORMAT}|{__version__}|{sys.version}"]
    package = Path(__file__).resolve().parent.parent
    stack = [str(package)]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                if e.name != "__pycache__":
                    stack.append(e.path)
            elif e.name.endswith(".py"):
                st = e.stat()
                parts.append(f"{e.path}|{st.st_size}|{st.st_mtime_ns}")
    for entry in sys.path[1:]:  # [0] is the script's folder or the working folder
        try:
            parts.append(f"{entry}|{os.stat(entry or '.').st_mtime_ns}")
        except OSError:
            parts.append(f"{entry}|-")
    text = "\n".join(parts).encode()
    return f"{zlib.crc32(text):08x}-{zlib.adler32(text):08x}-{len(text)}"


def _compute() -> Catalog:
    from cxkit.adapters import Capability, registry

    formats = []
    for adapter in registry.adapters().values():
        info = adapter.info
        formats.append(
            {
                "key": info.key,
                "app": info.app,
                "format": info.format,
                "versions": info.versions,
                "read": info.can(Capability.READ),
                "write": info.can(Capability.WRITE),
                "encrypted": info.can(Capability.ENCRYPTED),
                "credential_types": sorted(info.credential_types),
                "how_to_export": info.how_to_export,
                "how_to_import": info.how_to_import,
                "extensions": list(info.extensions),
            }
        )
    return {"formats": formats, "plugin_errors": registry.plugin_errors()}


def _load(stamp: str) -> dict[str, Any]:
    """The cache file's content when its fingerprint is *stamp*, else an empty cache."""
    try:
        cached = json.loads(cache_file().read_text("utf-8"))
        if isinstance(cached, dict) and cached.get("fingerprint") == stamp:
            return cached
    except (OSError, ValueError):
        pass
    return {"fingerprint": stamp}


def _store(content: dict[str, Any]) -> None:
    import tempfile

    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".formats.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(content, fh)
        os.replace(tmp, path)
    except OSError:
        pass


def catalog(*, use_cache: bool = True) -> Catalog:
    """The list of formats, from the cache when it is current."""
    if not use_cache:
        return _compute()
    content = _load(fingerprint())
    cached = content.get("catalog")
    if isinstance(cached, dict) and isinstance(cached.get("formats"), list):
        return cached
    result = _compute()
    content["catalog"] = result
    _store(content)
    return result


def cached_help(key: str, compute: Callable[[], str | None]) -> str | None:
    """The ``--help`` text of a command (*key*: its words and the terminal width), kept in the
    same cache (the commands' modules take up to a second to import; their help does not
    change without cxkit changing). *compute* gives None for what is not to be kept."""
    content = _load(fingerprint())
    helps = content.setdefault("help", {})
    if not isinstance(helps, dict):
        helps = content["help"] = {}
    text = helps.get(key)
    if isinstance(text, str):
        return text
    text = compute()
    if text is not None:
        helps[key] = text
        _store(content)
    return text


def suggest_format(key: str) -> str | None:
    """For an unknown format key: a hint naming the closest known keys, or None when *key* is
    known."""
    import difflib

    keys = [f["key"] for f in catalog()["formats"]]
    if key in keys:
        return None
    close = difflib.get_close_matches(key, keys, n=3, cutoff=0.5)
    if close:
        return f"did you mean {' or '.join(close)}? (cxkit formats lists them)"
    return "cxkit formats lists them"
