"""Plain lists of ``otpauth://`` URIs, one per line (Key Uri Format, ``../shared/formats/
totp-apps.md`` §1): the plain-text export of Aegis, Ente Auth (§7) and WinAuth, and what Ente,
Proton Authenticator, Aegis and most authenticators import.

Reading: each line is one entry through :func:`~cxkit.adapters.otp.entry.add_entry` (``totp``,
``hotp`` and ``steam`` types; the ``issuer`` parameter wins over the label's prefix; secrets
normalised). Ente's ``codeDisplay`` parameter (URL-encoded JSON) gives the note, tags,
favourite (``pinned``) and trash flag; its other members and unknown URI parameters are kept as
custom fields. A line that is not a URI cxkit can read is reported and skipped; the others are
read. Records are ``file:line:uri``.

Writing: one URI per entry (TOTP, HOTP with ``counter``, Steam as ``otpauth://steam/``); the
output is plaintext.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    ReadOptions,
    Sample,
    WriteOptions,
)
from cxkit.adapters.kit.builder import Val, VaultBuilder, stable_id
from cxkit.adapters.otp._write import collect, declaration
from cxkit.adapters.otp.entry import Entry, add_entry, entry_uri, parse_uri
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError, InputTooLargeError

__all__ = ["OtpauthUrisAdapter", "read_lines"]

_KNOWN_PARAMS: Final = frozenset({"secret", "issuer", "algorithm", "digits", "period", "counter",
                                  "codedisplay"})  # fmt: skip
_MAX_LINES: Final = 100_000
_APP: Final = "an otpauth:// list"
_PREFIX: Final = b"otpauth://"
WRITTEN: Final = declaration("an otpauth:// list", note=False, favorite=False, groups=False)


def _fits(entry: Entry) -> str:
    if entry.kind.lower() not in ("totp", "hotp", "steam"):
        return f"otpauth:// URIs hold TOTP, HOTP and Steam, not {entry.kind.upper()}"
    return ""


def read_lines(data: bytes, name: str = "") -> list[str]:
    """The lines of a text file (UTF-8, BOM tolerated), refusing other encodings."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DecodeError("not UTF-8 text", location=name or None) from None
    lines = text.splitlines()
    if len(lines) > _MAX_LINES:
        raise InputTooLargeError(f"more than {_MAX_LINES} lines", location=name or None)
    return lines


def _code_display(b: Any, text: str, at: str) -> None:
    """Ente's ``codeDisplay`` JSON: note, tags, pinned, trashed; the rest not carried."""
    try:
        value = json.loads(text)
    except ValueError:
        b.custom("codeDisplay", Val(text, at), note="not JSON; kept as text")
        return
    if not isinstance(value, dict):
        b.custom("codeDisplay", Val(text, at), note="not a JSON object; kept as text")
        return
    note = value.get("note")
    if isinstance(note, str) and note:
        b.note(Val(note, f"{at}.note"))
    tags = value.get("tags")
    if isinstance(tags, list) and tags:
        b.tags(Val("", f"{at}.tags"), [t for t in tags if isinstance(t, str)])
    if isinstance(value.get("pinned"), bool):
        b.favorite(Val("", f"{at}.pinned"), value["pinned"])
    if value.get("trashed") is True:
        b.trashed(Val("true", f"{at}.trashed"))
    other = [k for k in value if k not in ("note", "tags", "pinned", "trashed")]
    if other:
        b.rec(at, Disposition.NOT_CARRIED, "",
              "Ente display details (position, icon, usage counts): CXF 1.0 has no place")  # fmt: skip


def _read(data: bytes, name: str, key: str, options: ReadOptions,
          report: MigrationReport) -> cxf.Document:  # fmt: skip
    vault = VaultBuilder(report, key=key, rp_id="otpauth", app="otpauth:// list",
                         include_trashed=options.include_trashed)  # fmt: skip
    file = name or "input"
    for number, line in enumerate(read_lines(data, name), start=1):
        text = line.strip()
        if not text:
            continue
        prefix = f"{file}:{number}:"
        parsed = parse_uri(text)
        if isinstance(parsed, str):
            report.skip_item(f"line {number}", parsed)
            report.add_field(f"{prefix}uri", f"line {number}", Disposition.NOT_CARRIED, "",
                             parsed)  # fmt: skip
            continue
        b = vault.item(prefix, item_id=stable_id(key, file, str(number)))
        entry = Entry(
            secret=parsed.secret, kind=parsed.kind, issuer=parsed.issuer,
            account=parsed.account, algorithm=parsed.algorithm, digits=parsed.digits,
            period=parsed.period, counter=parsed.counter, at={"uri": "uri"},
        )  # fmt: skip
        if add_entry(b, entry) == "skipped":
            continue
        query = urllib.parse.parse_qsl(urllib.parse.urlsplit(text).query, keep_blank_values=True)
        for param, value in query:
            at = f"uri?{param}"
            if param.lower() == "codedisplay":
                _code_display(b, value, at)
            elif param.lower() not in _KNOWN_PARAMS and value:
                hidden = any(word in param.lower() for word in ("pin", "pass", "key", "secret"))
                b.custom(f"otpauth: {param}", Val(value, at), hidden=hidden,
                         note="a URI parameter cxkit does not map")  # fmt: skip
        vault.add(b)
    return vault.build(account_id=stable_id(key, file, "account"))


class OtpauthUrisAdapter:
    info: Final = AdapterInfo(
        key="otpauth-uris",
        app="Aegis, Ente Auth, WinAuth and other authenticators",
        format="plain text, one otpauth:// URI per line (read and write)",
        versions="Key Uri Format (totp, hotp, steam); Ente's codeDisplay parameter",
        capabilities=Capability.READ | Capability.WRITE,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_import=(
            "Ente Auth: Settings → Data → Import codes → Plain text; Aegis: Import from file → "
            "'Plain text'; Proton Authenticator and most other authenticators import such a list "
            "too. Delete the file after importing."
        ),
        how_to_export=(
            "Aegis: Export → 'Plain text (.txt)'; Ente Auth: Settings → Data → Export codes → "
            "Plain text; WinAuth: File → Export. Most authenticators import such a list."
        ),
        extensions=(".txt",),
    )

    def accepts(self, sample: Sample) -> Confidence:
        """Evidence: the first non-blank line is an ``otpauth://`` URI (CERTAIN when every one
        of the first lines is)."""
        head = sample.data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[: len(_PREFIX)].lower() != _PREFIX:
            return Confidence.NO
        lines = [x.strip() for x in head.splitlines()[:-1] or head.splitlines()]
        lines = [x for x in lines if x][:50]
        if all(x[: len(_PREFIX)].lower() == _PREFIX for x in lines):
            return Confidence.CERTAIN
        return Confidence.LIKELY

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        return _read(sample.data, sample.name, self.info.key, options, report)

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        written = collect(doc, report, WRITTEN, _APP, fits=_fits)
        report.plaintext, report.encrypted = True, False
        return "".join(entry_uri(w.entry) + "\n" for w in written).encode()
