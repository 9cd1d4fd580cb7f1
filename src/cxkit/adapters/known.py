"""Known formats cxkit cannot read (yet): a declarative catalogue of their signatures.

Detection (:mod:`cxkit.adapters.detection`) asks the readers first; when none has positive evidence
of its own format, an input matching one of these signatures is *named* ("this looks like a
LastPass CSV export; cxkit does not read it yet") instead of "unknown". Each signature is pure
evidence — column names, member names, an XML root, magic bytes or a text prefix — never a value.

Sources: ``../shared/formats/other-managers.md``, ``browsers-and-apple.md``, ``onepassword.md``,
``totp-apps.md`` (columns, members and magic bytes of each app), checked against the samples in
``../shared/exports/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from cxkit.adapters.base import Sample

__all__ = ["KNOWN", "Known", "match"]

_HEAD: Final = 64 << 10


@dataclass(frozen=True)
class Known:
    """One known-but-unsupported file shape. Every evidence field given must match."""

    app: str
    """Short stable key (``lastpass``): the verdict is ``known:<app>``."""
    what: str
    """What the file is, for the sentence "this looks like WHAT"."""
    export: bool = True
    """False for files that are not exports at all (app-internal data, key files)."""
    csv_header: frozenset[str] = frozenset()
    """Columns that must all be in the header (compared case-insensitively)."""
    csv_optional: frozenset[str] | None = frozenset()
    """Further columns the header may have; None: any further columns."""
    json_members: frozenset[str] = frozenset()
    """Top-level members a JSON object must have."""
    json_exact: bool = False
    """The object has no other top-level members."""
    json_entries: tuple[str, frozenset[str]] | None = None
    """(array member, members its entries have); ``""`` names a top-level JSON array."""
    xml_root: str = ""
    zip_members: frozenset[str] = frozenset()
    magic: tuple[bytes, ...] = ()
    text_prefix: tuple[bytes, ...] = ()
    """The file (after a BOM and leading blanks) starts with one of these."""
    marker: bytes = b""
    """Bytes that must also occur near the start (or at the very end) of the file."""
    hint: str = ""

    @property
    def verdict(self) -> str:
        return f"known:{self.app}" if self.export else "not-an-export"

    def message(self) -> str:
        if self.export:
            return f"this looks like {self.what}; cxkit does not read it yet"
        return f"this looks like {self.what}, not an export; cxkit does not read it"


def _cols(text: str) -> frozenset[str]:
    return frozenset(c.strip().lower() for c in text.split(","))


_SHARED_PREFS: Final = "internal app data (Android shared preferences)"

#: The catalogue, most specific first. An app with several formats has one entry per format.
KNOWN: Final[tuple[Known, ...]] = (
    # ------------------------------------------------------------------ binary magic
    Known("1password-opvault", "a file from inside a 1Password OPVault folder", export=False,
          magic=(b"OPCLDAT",),
          hint="give cxkit the .opvault folder itself (cxkit convert NAME.opvault ...)"),
    Known("gnupg", "a GnuPG trust database", export=False, magic=(b"\x01gpg",)),
    Known("gnupg", "a GnuPG private-key file", export=False,
          text_prefix=(b"(11:private-key", b"(21:protected-private-key",
                       b"(20:shadowed-private-key")),
    # ------------------------------------------------------------------ text
    Known("1password-opvault", "a file from inside a 1Password OPVault folder", export=False,
          text_prefix=(b"ld({", b"loadFolders(", b"var profile="),
          hint="give cxkit the .opvault folder itself (cxkit convert NAME.opvault ...)"),
    # ------------------------------------------------------------------ zip layouts
    Known("raivo", "a Raivo OTP export", zip_members=frozenset({"raivo-otp-export.json"})),
    # ------------------------------------------------------------------ JSON objects
    Known("nordpass-cxf-draft", "a NordPass CXF file from a draft of the format (before CXF "
          "1.0: integer version, item type 'login')",
          json_members=frozenset({"version", "exporter", "accounts"}), marker=b'ordpass"',
          hint="export CSV from NordPass instead (--from nordpass-csv)"),
    # ------------------------------------------------------------------ JSON arrays
    Known("raivo", "a Raivo OTP export",
          json_entries=("", frozenset({"kind", "timer", "secret", "issuer", "account"}))),
    # ------------------------------------------------------------------ XML roots
    Known("keepass-keyfile", "a KeePass key file", export=False, xml_root="KeyFile",
          hint="give it with --keyfile when reading the KeePass database"),
    Known("safeincloud", "a SafeInCloud XML export", xml_root="database", marker=b"<card "),
    Known("android", f"an Android app's {_SHARED_PREFS}", export=False, xml_root="map"),
    # ------------------------------------------------------------------ CSV headers
    Known("lastpass", "a LastPass form-fill CSV export",
          csv_header=_cols("profilename,profilelanguage,firstname"), csv_optional=None),
)  # fmt: skip


def _head_or_tail(data: bytes, marker: bytes) -> bool:
    return marker in data[:_HEAD] or marker in data[-4096:]


def _matches(sig: Known, sample: Sample, text: bytes) -> bool:
    data = sample.data
    if sig.magic and not data.startswith(sig.magic):
        return False
    if sig.text_prefix and not text.startswith(sig.text_prefix):
        return False
    if sig.xml_root and sample.xml_root != sig.xml_root:
        return False
    if sig.zip_members and not (sample.zip_names and sig.zip_members <= set(sample.zip_names)):
        return False
    if sig.csv_header:
        if sample.csv_header is None:
            return False
        header = {c.lower() for c in sample.csv_header if c}
        if not sig.csv_header <= header:
            return False
        if sig.csv_optional is not None and not header <= sig.csv_header | sig.csv_optional:
            return False
    if sig.json_members:
        keys = sample.json_keys
        if not sig.json_members <= keys or (sig.json_exact and keys != sig.json_members):
            return False
    if sig.json_entries is not None:
        member, wanted = sig.json_entries
        if member == "":
            if sample.json_array_keys is None or not wanted <= sample.json_array_keys:
                return False
        else:
            entries = sample.json_entries(member, limit=8)
            dicts = [e for e in entries or () if isinstance(e, dict)]
            if not dicts or not any(wanted <= e.keys() for e in dicts):
                return False
    return not (sig.marker and not _head_or_tail(data, sig.marker))


def match(sample: Sample) -> Known | None:
    """The first catalogue entry whose evidence the sample shows, or None."""
    text = sample.data[:_HEAD].lstrip(b"\xef\xbb\xbf \t\r\n")
    for sig in KNOWN:
        if _matches(sig, sample, text):
            return sig
    return None
