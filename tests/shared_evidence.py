"""Where the outside evidence is: ``../shared`` next to the project (tests import from here).

Tests that use the spec vectors and real sample exports in ``../shared/`` find them relative
to the project root, never the working directory. When the folder is absent they skip with a
reason; CI (``CI=true``) makes ``.ci/run`` fail before that can happen.

(A module of its own, not ``conftest``: with several ``conftest.py`` files in the tree,
``from shared_evidence import ...`` can pick the wrong one.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """Path inside ``../shared``; skips the calling test when the folder is missing."""
    if not SHARED.is_dir():
        pytest.skip(f"outside evidence not found at {SHARED} (CI provides ../shared)")
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"expected shared file is missing: {path}")
    return path


def shared_files(subdir: str, pattern: str = "*") -> list[Path]:
    """All files under ``../shared/<subdir>`` matching *pattern* (empty when ../shared is absent).

    For use in ``parametrize``: when the list is empty the test is parametrised with a single
    skip marker instead.
    """
    base = SHARED / subdir
    if not base.is_dir():
        return []
    return sorted(p for p in base.rglob(pattern) if p.is_file())


#: KDBX samples under ../shared/exports: file name → (password, key file name or None), as
#: ../shared/exports/README.md records them.
KDBX_CREDENTIALS: dict[str, tuple[str, str | None]] = {
    "keepass.kdbx": ("correct horse battery staple", None),
    "extra_content.kdbx": ("password", None),
    "test3.kdbx": ("password", "test3.key"),
    "test3_transformed.kdbx": ("password", "test3.key"),
    "test4.kdbx": ("password", "test4.key"),
    "test4_aes.kdbx": ("password", "test4.key"),
    "test4_aes_uncompressed.kdbx": ("password", None),
    "test4_aeskdf.kdbx": ("password", "test4.key"),
    "test4_argon2id.kdbx": ("password", None),
    "test4_blankpass.kdbx": ("", "test4.key"),
    "test4_chacha20_uncompressed.kdbx": ("password", None),
    "test4_hex.kdbx": ("password", "test4_hex.key"),
    "test4_keyx.kdbx": ("password", "test4_keyx.keyx"),
    "test4_transformed.kdbx": ("password", "test4.key"),
    "test4_twofish.kdbx": ("password", "test4.key"),
    "test4_twofish_uncompressed.kdbx": ("password", None),
}
