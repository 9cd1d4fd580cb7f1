"""The FIDO Credential Exchange Format 1.0 (PS 2025-08-14 + errata 2026-03-09).

* :func:`decode` / :func:`encode` — lossless by default, tolerant of real producers' quirks;
* :func:`validate` — the semantic checks of the spec's checklist, as :class:`Finding` objects;
* the model: :class:`Header`, :class:`Account`, :class:`Item`, the 17 credential types, ...

Example::

    from cxkit import cxf

    doc = cxf.decode(open("export.json", "rb").read())
    for finding in cxf.validate(doc):
        print(finding)
    for account, item in doc.items():
        print(item.title, [type(c).__name__ for c in item.credentials])
"""

from __future__ import annotations

from cxkit.cxf.codec import (
    DEFAULT_MAX_SIZE,
    Document,
    decode,
    decode_struct,
    encode,
    encode_struct,
    replace,
    unknown_members,
)
from cxkit.cxf.findings import CODES, Finding, Severity
from cxkit.cxf.model import *  # noqa: F403 - the model is the package's vocabulary
from cxkit.cxf.model import __all__ as _model_all
from cxkit.cxf.query import (
    credential_type,
    filter_items,
    format_utc,
    prune,
    type_counts,
    utc_datetime,
)
from cxkit.cxf.validate import validate

__all__ = [
    "CODES",
    "DEFAULT_MAX_SIZE",
    "Document",
    "Finding",
    "Severity",
    "decode",
    "decode_struct",
    "encode",
    "credential_type",
    "encode_struct",
    "filter_items",
    "format_utc",
    "prune",
    "type_counts",
    "replace",
    "unknown_members",
    "utc_datetime",
    "validate",
    *_model_all,
]
