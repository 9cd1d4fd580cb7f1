"""KeePass KDBX databases on cxkit's own crypto (``cryptography`` only).

* :func:`read_kdbx` — KDBX 3.1, 4.0 and 4.1; AES-256-CBC and ChaCha20; AES-KDF, Argon2d,
  Argon2id; gzip or no compression; passwords and/or key files (XML v1/v2, 32 raw bytes,
  64 hex characters, any other file hashed); Salsa20 and ChaCha20 protected values.
* :func:`write_kdbx` / :func:`save_kdbx` — KDBX 4.x (ChaCha20 or AES-256, Argon2id by default).
* :mod:`cxkit.kdbx.model` — the typed model (groups, entries, history, attachments, ...).
* :class:`KdfLimits` — ceilings on KDF cost and payload size, checked before any work.

Every error is a :class:`cxkit.errors.CxkitError` (see :mod:`cxkit.kdbx.errors`).
"""

from __future__ import annotations

from cxkit.kdbx._container import (
    DEFAULT_WRITE_OPTIONS,
    WriteOptions,
    read_kdbx,
    save_kdbx,
    write_kdbx,
)
from cxkit.kdbx._crypto import DEFAULT_LIMITS, KdfLimits
from cxkit.kdbx.errors import (
    KdbxCredentialsError,
    KdbxFormatError,
    KdbxIntegrityError,
    KdbxTruncatedError,
    KdfCostError,
)
from cxkit.kdbx.model import (
    STANDARD_FIELDS,
    Attachment,
    CustomIcon,
    Database,
    DeletedObject,
    Entry,
    Group,
    KdbxInfo,
    Meta,
    StringField,
    Times,
)

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_WRITE_OPTIONS",
    "STANDARD_FIELDS",
    "Attachment",
    "CustomIcon",
    "Database",
    "DeletedObject",
    "Entry",
    "Group",
    "KdbxCredentialsError",
    "KdbxFormatError",
    "KdbxInfo",
    "KdbxIntegrityError",
    "KdbxTruncatedError",
    "KdfCostError",
    "KdfLimits",
    "Meta",
    "StringField",
    "Times",
    "WriteOptions",
    "read_kdbx",
    "save_kdbx",
    "write_kdbx",
]
