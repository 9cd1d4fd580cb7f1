"""Detection by evidence: which reader takes an input, or a clear sentence saying why none does.

:func:`make_sample` runs the cheap sniffers once — magic bytes, OpenPGP packets, zip member names,
the JSON top level (members kept as undecoded ``msgspec.Raw`` slices: the document is decoded
once, by the reader), the XML root element, the CSV header. :func:`detect` then asks every reader
(its ``accepts``, or :func:`accepts_by_hints` from its :class:`AdapterInfo`):

Readers are asked without importing them where their answer is known beforehand (issue #18):
a built-in whose ``accepts`` is the declared hints is answered from the registry's static table
(:func:`cxkit.adapters.registry.builtins`); one with its own ``accepts`` is imported and asked
only when the input shows the evidence it looks for (:data:`EVIDENCE`: a member, a column, a
leading text...), and is otherwise known to say NO. The answers are the same as asking every
reader (the tests compare both on every sample export); plug-ins are always asked.

1. a single CERTAIN / LIKELY answer wins (two are ambiguous: ``--from`` decides);
2. otherwise the input is *named*, and refused with :class:`InputRefusedError`: an OpenPGP
   message or key ring, an image, an SQLite database, or a known app's format cxkit does not read
   yet (:mod:`cxkit.adapters.known`);
3. otherwise a single MAYBE wins;
4. otherwise "cannot tell", with a description of the input.

Descriptions name column and member names only, never a value: a CSV whose first row does not
look like a header is "CSV without a header row (N columns)" (its first row could be a password).
Format notes: ``../shared/formats/*.md``; CXF roots: ``../shared/spec/cxf.md``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cxkit.adapters import known
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    DetectionError,
    Sample,
    accepts_by_hints,
)
from cxkit.errors import CxkitError, InputError

if TYPE_CHECKING:
    from cxkit.adapters.registry import Builtin

__all__ = [
    "EVIDENCE",
    "Detection",
    "InputRefusedError",
    "accepts_by_hints",
    "describe",
    "detect",
    "headerless_csv_readers",
    "make_folder_sample",
    "make_sample",
    "openpgp_kind",
]

_HEAD: Final = 64 << 10
_BOM: Final = b"\xef\xbb\xbf"
_BLANK: Final = b"\xef\xbb\xbf \t\r\n"
_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_IMAGES: Final = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
_SQLITE: Final = b"SQLite format 3\x00"
_GPG_HINT: Final = (
    "decrypt it straight into cxkit, with no plaintext file on disk: "
    "gpg --decrypt FILE | cxkit convert - -o DEST (a Proton Pass PGP export: --from "
    "protonpass-pgp; an entry of a pass store: give the store's folder)"
)


class InputRefusedError(DetectionError):
    """Detection recognised no readable format. ``verdict`` says what the input is:
    ``known:<app>`` (a format cxkit does not read yet), ``openpgp`` (an encrypted message),
    ``openpgp-keys``, ``image``, ``not-an-export``, ``headerless-csv``, ``unknown`` or
    ``ambiguous``."""

    def __init__(
        self, message: str, verdict: str, *, location: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, location=location, hint=hint)
        self.verdict = verdict


@dataclass(frozen=True)
class Detection:
    """The verdict: the reader *key* with its *confidence*, and every reader's answer."""

    key: str
    confidence: Confidence
    tried: tuple[tuple[str, Confidence], ...]

    @property
    def adapter(self) -> Any:
        """The reader (its module is imported now if it was not yet)."""
        from cxkit.adapters.registry import get

        return get(self.key)

    @property
    def info(self) -> AdapterInfo:
        """The reader's metadata, without importing it (``read_options`` / ``write_options``
        empty for a built-in: :attr:`adapter` has them)."""
        from cxkit.adapters.registry import static_info

        return static_info(self.key)


# --------------------------------------------------------------------------- sniffing

#: OpenPGP packet tags (RFC 9580 §5): an encrypted or compressed message starts with one of these
_PGP_MESSAGE: Final = {1: (3, 6), 3: (4, 5, 6), 8: (0, 1, 2, 3), 9: (), 18: (1, 2), 20: (1,)}
#: … a key ring / key file with one of these (secret key, public key, their subkeys)
_PGP_KEYS: Final = {5: (3, 4, 5, 6), 6: (3, 4, 5, 6), 7: (3, 4, 5, 6), 14: (3, 4, 5, 6)}


def _pgp_packet_tag(data: bytes) -> int | None:
    """The tag of a plausible first OpenPGP packet (header and body version checked), else None."""
    if len(data) < 8 or not data[0] & 0x80:
        return None
    first = data[0]
    length: int | None
    if first & 0x40:  # new format
        tag, octet = first & 0x3F, data[1]
        if octet < 192:
            length, header = octet, 2
        elif octet < 224:
            length, header = ((octet - 192) << 8) + data[2] + 192, 3
        elif octet == 255:
            length, header = int.from_bytes(data[2:6]), 6
        else:  # partial body length: data packets only
            length, header = None, 2
    else:
        tag, kind = (first >> 2) & 0x0F, first & 3
        size = (1, 2, 4, 0)[kind]
        length = int.from_bytes(data[1 : 1 + size]) if size else None
        header = 1 + size
    versions = _PGP_MESSAGE.get(tag, _PGP_KEYS.get(tag))
    if versions is None or len(data) <= header:
        return None
    if length is not None and (length == 0 or header + length > len(data)):
        return None
    if versions and data[header] not in versions:
        return None
    return tag


def openpgp_kind(data: bytes) -> str | None:
    """``message`` (encrypted/compressed/signed data), ``keys`` (a key ring, key or revocation
    certificate), or None when *data* is not OpenPGP — binary packets or ASCII armour."""
    head = data[:4096]
    start = head.find(b"-----BEGIN PGP ")
    # armour at a line start; GnuPG's revocation certificates prefix it with ":"
    if start >= 0 and (start == 0 or head[start - 1 : start] in (b"\n", b":")):
        label = head[start + 15 : start + 40]
        if label.startswith((b"PUBLIC KEY BLOCK", b"PRIVATE KEY BLOCK")):
            return "keys"
        return "message"
    tag = _pgp_packet_tag(data)
    if tag is None:
        return None
    return "keys" if tag in _PGP_KEYS else "message"


def _xml_root(text: bytes) -> str | None:
    """Name of the first element of an XML (or HTML) text, skipping the prolog."""
    pos = 0
    while True:
        start = text.find(b"<", pos)
        if start < 0:
            return None
        if text.startswith(b"<?", start):
            end = text.find(b"?>", start)
        elif text.startswith(b"<!--", start):
            end = text.find(b"-->", start)
        elif text.startswith(b"<!", start):
            end = text.find(b">", start)
        else:
            found = re.match(rb"<([A-Za-z_][\w.:-]{0,63})", text[start : start + 80])
            return found.group(1).decode("ascii", "replace") if found else None
        if end < 0:
            return None
        pos = end + 1


_decoders: list[Any] = []


def _json_decoders() -> list[Any]:
    """msgspec's decoders of a top level (members as ``Raw``) and of any value, made on first
    use: an input that is not JSON does not import msgspec."""
    if not _decoders:
        import msgspec

        _decoders.append(msgspec.json.Decoder(dict[str, msgspec.Raw] | list[msgspec.Raw]))
        _decoders.append(msgspec.json.Decoder())
    return _decoders


def _sniff_json(sample: Sample) -> None:
    import msgspec

    top_decoder, any_decoder = _json_decoders()
    data = sample.data[3:] if sample.data.startswith(_BOM) else sample.data
    try:
        top = top_decoder.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError, UnicodeDecodeError):
        return
    sample.json_ok = True
    if isinstance(top, dict):
        sample.json_top = top
        return
    keys: set[str] = set()
    for raw in top[:8]:
        try:
            entry = any_decoder.decode(raw)
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            continue
        if isinstance(entry, dict):
            keys.update(k for k in entry if isinstance(k, str))
    sample.json_array_keys = frozenset(keys)


def _zip_names_unchecked(data: bytes) -> tuple[tuple[str, ...], bool] | None:
    """Member names of a zip the guarded reader refused (for describing it only: nothing is
    decompressed), and whether members are encrypted."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()[:20_000]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None
    return tuple(i.filename for i in infos), any(i.flag_bits & 1 for i in infos)


def make_sample(data: bytes, name: str = "") -> Sample:
    """Run the cheap sniffers once (see the module docstring)."""
    sample = Sample(name=name, data=data)
    text = data[:_HEAD].lstrip(_BLANK)
    if not text:
        sample.kind = "empty"
    elif data.startswith(_ZIP_MAGIC):
        sample.kind = "zip"
        from cxkit.adapters.kit.input import zip_archive

        try:
            sample.zip_names = tuple(zip_archive(data, name=name).names())
        except CxkitError as exc:
            sample.extra["zip_refused"] = exc.message
            unchecked = _zip_names_unchecked(data)
            if unchecked is not None:
                sample.extra["zip_unchecked_names"], sample.extra["zip_encrypted"] = unchecked
    elif (pgp := openpgp_kind(data)) is not None:
        sample.kind = "openpgp"
        sample.extra["openpgp"] = pgp
    elif text[:1] in (b"{", b"["):
        sample.kind = "json"
        _sniff_json(sample)
    elif text[:1] == b"<":
        sample.kind = "xml"
        sample.xml_root = _xml_root(text)
    elif b"\x00" in data[:_HEAD] or not _utf8_start(data[:_HEAD]):
        sample.kind = "binary"
    else:
        from cxkit.adapters.kit.input import sniff_csv_header

        sample.csv_header = sniff_csv_header(data)
        sample.kind = "csv" if sample.csv_header is not None else "text"
    return sample


#: How many names of a folder input's top level :func:`make_folder_sample` lists (evidence only)
_FOLDER_NAMES: Final = 256


def make_folder_sample(folder: str | os.PathLike[str], name: str = "") -> Sample:
    """A folder input (a password store, a 1Password OPVault): kind ``folder``, no data, its path
    in :attr:`Sample.folder` and the first names of its top level (sorted) in
    ``extra["folder_names"]``. Readers of folder formats are found by their ``folder_marker``
    (:func:`accepts_by_hints`) and walk the folder themselves."""
    path = Path(folder)
    sample = Sample(name=name or str(path), kind="folder", folder=path)
    try:
        with os.scandir(path) as entries:
            names = sorted(e.name for _, e in zip(range(_FOLDER_NAMES), entries, strict=False))
    except OSError as exc:
        raise InputError(f"cannot list the folder: {exc.strerror}", location=sample.name) from None
    sample.extra["folder_names"] = tuple(names)
    return sample


def _utf8_start(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut by the 64 KiB boundary
    return True


# --------------------------------------------------------------------------- readers' evidence


#: The evidence a built-in reader with its own ``accepts`` looks for, by key: one of these must
#: hold of an input for it to answer anything but NO, so that it is imported and asked only
#: then. Each alternative is ``("hints",)`` (its declared hints match), ``("kind", K)``
#: (:attr:`Sample.kind`), ``("member", M)`` (a top-level JSON member), ``("entry", M)`` (a member
#: of the first entries of a top-level JSON array), ``("column", C)`` (a CSV header cell, blanks
#: and case aside), ``("start", B)`` (the data, after a BOM and blanks, starts with B, case
#: aside), ``("magic", B)`` (the data starts with B), ``("in", B, HEAD, TAIL)`` (B in the first
#: HEAD bytes plus the last TAIL), ``("xml_root", R)`` (case aside), ``("suffix", S)`` (of the
#: name, case aside), ``("zip",)`` (zip member names, checked or not), ``("folder",)`` or
#: ``("entries", M, NAMES)`` (the first four entries of the top-level JSON array M are objects
#: holding all of NAMES: told from their member names, their values not decoded). An
#: empty tuple: never detected. A custom reader missing here is always asked (the tests require
#: every one to be here, and compare the answers with asking every reader).
EVIDENCE: Final[dict[str, tuple[tuple[Any, ...], ...]]] = {
    "cxf-json": (("member", "exporterRpId"), ("member", "email")),
    "cxkit-sealed": (("member", "profile"),),
    "bitwarden-json": (("member", "items"),),
    "bitwarden-encrypted-json": (("member", "encrypted"),),
    "bitwarden-csv": tuple(
        ("column", c) for c in ("login_uri", "login_username", "login_password", "login_totp")
    ),
    "bitwarden-zip": (("zip",),),
    "keepass-kdbx": (("hints",),),
    "keepass-xml": (("start", b"<"),),
    "keepassx-xml": (("start", b"<"),),
    "chrome-sqlite-csv": (("column", "signon_realm"),),
    "apple-keychain": (("start", b'keychain: "'),),
    "lastpass-csv": (
        ("hints",),
        *(("start", s) for s in (b"<!doctype html", b"<html", b"<head", b"<body", b"<pre")),
    ),
    "lastpass-cli-text": (("in", b" [id: ", 4096, 0),),
    "dashlane-zip": (("zip",),),
    "dashlane-json": (("member", "AUTHENTIFIANT"),),
    "dashlane-legacy-csv": (),
    "buttercup-csv": (("column", "!group_id"),),
    "padlock-json": (("member", "cipher"),),
    "clipperz-html": (("xml_root", "html"),),
    "gnome-keyring": (("start", b"[keyring]"),),
    "gnome-keyring-encrypted": (("magic", b"GnomeKeyring\n\r\x00\n"),),
    "networkmanager": (("start", b"[connection]"),),
    "passpie-yaml": (("in", b"passpie", 64 << 10, 4096),),
    "revelation-xml": (("hints",),),
    "protonpass": (("zip",), ("member", "vaults")),
    "protonpass-pgp": (("kind", "openpgp"),),
    "1password-1pux": (("zip",), ("entries", "accounts", frozenset({"attrs", "vaults"}))),
    "1password-1pif": (("in", b"***5642bee8-a5ff-11dc-8314-0800200c9a66***", 1 << 20, 0),),
    "1password-opvault": (("folder",), ("zip",)),
    "1password6-csv": (("column", "ainfo"),),
    "keepassxc-passkey": (("member", "privateKey"), ("suffix", ".passkey")),
    "password-store": (("hints",), ("folder",), ("zip",)),
    "csv": (),
    "proton-authenticator": (("member", "version"),),
    "aegis-json": (("member", "db"),),
    "aegis-encrypted-json": (("member", "db"),),
    "2fas": (("member", "services"),),
    "2fas-encrypted": (("member", "services"),),
    "otpauth-uris": (("start", b"otpauth://"),),
    "andotp": (("entry", "secret"), ("suffix", ".json.aes")),
    "stratum": (
        ("magic", b"AUTHENTICATORPRO"),
        ("magic", b"AuthenticatorPro"),
        ("member", "Authenticators"),
        ("magic", b"SQLite format 3\x00"),
    ),
    "google-authenticator": (
        ("start", b"otpauth-migration://"),
        ("magic", b"\x89PNG\r\n\x1a\n"),
        ("magic", b"\xff\xd8\xff"),
        ("magic", b"SQLite format 3\x00"),
    ),
    "freeotp": (("magic", b"\xac\xed\x00\x05"), ("xml_root", "map")),
    "freeotp-plus": (("member", "tokens"),),
    "authy": (("xml_root", "map"),),
    "ente": (("member", "kdfParams"),),
    "battle-net": (("xml_root", "map"),),
    "duo": (("entry", "accountType"),),
    "lastpass-authenticator": (("member", "deviceName"),),
    "microsoft-authenticator": (("magic", b"SQLite format 3\x00"),),
    "steam": (("member", "shared_secret"), ("member", "accounts")),
    "totp-authenticator": (("xml_root", "map"), ("suffix", ".bin")),
    "authenticator-plus": (("zip",),),
    "keeper-csv": (("column", "website address"),),
    "keeper-json": (("member", "records"),),
    "enpass-json": (("member", "items"),),
    "enpass-csv": (("hints",),),
    "roboform-csv": (("hints",),),
}

#: What "start" skips: a BOM's bytes and ASCII blanks (a superset of what any reader skips)
_NOT_SPACE: Final = re.compile(rb"[^\xef\xbb\xbf \t\r\n\x0b\x0c]")


class _Evidence:
    """The facts of one sample that :data:`EVIDENCE` asks about, each computed on first use."""

    def __init__(self, sample: Sample) -> None:
        self.sample = sample
        self._start: bytes | None = None
        self._columns: frozenset[str] | None = None

    def start(self) -> bytes:
        """The first 64 bytes after the leading blanks, in lower case."""
        if self._start is None:
            data = self.sample.data
            found = _NOT_SPACE.search(data)
            self._start = b"" if found is None else data[found.start() : found.start() + 64].lower()
        return self._start

    def columns(self) -> frozenset[str]:
        if self._columns is None:
            header = self.sample.csv_header or ()
            self._columns = frozenset(c.strip().lower() for c in header)
        return self._columns

    def holds(self, test: tuple[Any, ...], info: AdapterInfo) -> bool:
        s, what = self.sample, test[0]
        if what == "hints":
            return accepts_by_hints(info, s) is not Confidence.NO
        if what == "member":
            return test[1] in s.json_keys
        if what == "entry":
            return bool(s.json_array_keys) and test[1] in s.json_array_keys  # type: ignore[operator]
        if what == "column":
            return test[1].lower() in self.columns()
        if what == "start":
            return self.start().startswith(test[1].lower())
        if what == "magic":
            return s.data.startswith(test[1])
        if what == "in":
            _, needle, head, tail = test
            return bool(needle in (s.data[:head] + (s.data[-tail:] if tail else b"")))
        if what == "xml_root":
            return bool((s.xml_root or "").lower() == test[1].lower())
        if what == "suffix":
            return s.name.lower().endswith(test[1].lower())
        if what == "kind":
            return bool(s.kind == test[1])
        if what == "zip":
            return s.zip_names is not None or "zip_unchecked_names" in s.extra
        if what == "folder":
            return s.folder is not None
        if what == "entries":  # a CXF document's one account of 7 MB: ~5 ms, not ~0.1 s
            _, member, names = test
            keys = s.json_entry_keys(member, 4) if s.json_ok else None
            if not keys:
                return False
            return all(k is not None and names <= k for k in keys)
        return True  # pragma: no cover - an unknown test: ask the reader


def _ask(adapter: Any, sample: Sample) -> Confidence:
    accepts = getattr(adapter, "accepts", None)
    try:
        if accepts is None:
            return accepts_by_hints(adapter.info, sample)
        return Confidence(accepts(sample))
    except Exception:  # a plug-in's accepts must not break detection
        return Confidence.NO


def _ask_builtin(row: Builtin, sample: Sample, facts: _Evidence) -> Confidence:
    """A built-in reader's answer, from the static table when it is known without its code."""
    from cxkit.adapters.registry import get

    try:
        if row.accepts == "never":
            return Confidence.NO
        if row.accepts in ("hints", "records"):
            found = accepts_by_hints(row.info, sample)
            keys = sample.json_array_keys
            if found is Confidence.NO and row.record_keys and keys and row.record_keys <= keys:
                return Confidence.LIKELY
            return found
        needs = EVIDENCE.get(row.info.key)
        if needs is not None and not any(facts.holds(t, row.info) for t in needs):
            return Confidence.NO
    except Exception:  # as _ask: evidence that cannot be looked at is no evidence
        return Confidence.NO
    return _ask(get(row.info.key), sample)


def answers(sample: Sample) -> tuple[tuple[str, Confidence], ...]:
    """Every reader's answer about *sample*, in registry order (built-ins, then plug-ins)."""
    from cxkit.adapters.registry import builtins, plugins

    facts = _Evidence(sample)
    tried = [
        (key, _ask_builtin(row, sample, facts)) for key, row in builtins().items() if row.reader
    ]
    for key, adapter in plugins().items():
        if adapter.info.can(Capability.READ) and hasattr(adapter, "read"):
            tried.append((key, _ask(adapter, sample)))
    return tuple(tried)


def detect(sample: Sample) -> Detection:
    """The reader for *sample*, or :class:`InputRefusedError` saying what the input is."""
    tried = answers(sample)
    best = max((c for _, c in tried), default=Confidence.NO)
    winners = [k for k, c in tried if c == best]
    location = sample.name or None
    refusal = None if best >= Confidence.LIKELY else _refusal(sample)
    if best >= Confidence.LIKELY or (best == Confidence.MAYBE and refusal is None):
        if len(winners) > 1:
            raise InputRefusedError(
                f"ambiguous input: {' and '.join(winners)} "
                + ("both accept it" if len(winners) == 2 else "all accept it"),
                "ambiguous",
                location=location,
                hint="name the format with --from " + " or --from ".join(winners),
            )
        return Detection(winners[0], best, tried)
    if refusal is not None:
        raise refusal
    what = describe(sample)
    if sample.kind == "folder":  # no folder format takes it (a password store has .gpg-id)
        raise InputRefusedError(
            f"is a folder, not a file, and no folder format cxkit reads ({what})",
            "unknown",
            location=location,
        )
    tried_text = ", ".join(f"{k} ({c.name.lower()})" for k, c in tried)
    headerless = what.startswith("CSV without a header")
    raise InputRefusedError(
        f"cannot tell which format this is ({what}); tried: {tried_text}",
        "headerless-csv" if headerless else "unknown",
        location=location,
        hint=_headerless_hint() if headerless else _FROM_HINT,
    )


_FROM_HINT: Final = "name the format with --from FORMAT (cxkit formats lists them)"


def headerless_csv_readers() -> tuple[AdapterInfo, ...]:
    """The readers of CSV files without a header row (a Keeper CSV, Dashlane's legacy CSV, a
    UPM export), which detection never names (their first row is data, no evidence), as the
    adapters tell it: a CSV reader declaring no header whose :attr:`AdapterInfo.format` says so
    (``headerless``, ``no header row``: the words ``cxkit formats`` shows) or that is never
    detected (the registry's ``never``: the long-tail readers of rows without a header), and a
    plug-in with a true ``headerless`` attribute. Built-ins are answered from the static table,
    none imported (the tests hold every built-in's ``headerless`` attribute to this)."""
    from cxkit.adapters.registry import builtins, plugins

    def says(info: AdapterInfo) -> bool:
        said = info.format.lower()
        return "headerless" in said or "no header" in said

    found = [
        row.info
        for row in builtins().values()
        if row.reader
        and ".csv" in row.info.extensions
        and not row.info.csv_header
        and not row.info.csv_headers
        and (row.accepts == "never" or says(row.info))
    ]
    found.extend(
        adapter.info
        for adapter in plugins().values()
        if adapter.info.can(Capability.READ)
        and hasattr(adapter, "read")
        and (getattr(adapter, "headerless", None) or says(adapter.info))
    )
    return tuple(found)


def _headerless_hint() -> str:
    """``--from`` for a CSV without a header row, naming each reader of such files."""
    try:
        readers = headerless_csv_readers()
    except Exception:  # a plug-in's broken info must not hide the error being reported
        readers = ()
    if not readers:
        return _FROM_HINT
    # format keys only: an app's name ("Universal Password Manager") holds words a value of
    # the file may be, and a refusal names nothing that could be one
    keys = [f"--from {i.key}" for i in readers]
    named = ", ".join(keys[:-1]) + " or " + keys[-1] if len(keys) > 1 else keys[0]
    return (
        f"a CSV without a header row is read by naming its format: {named} (cxkit formats "
        "says which app writes each)"
    )


def _refusal(sample: Sample) -> InputRefusedError | None:
    """The error naming an input no reader takes: OpenPGP, images, databases, known formats."""
    location = sample.name or None
    if sample.kind == "openpgp":
        if sample.extra.get("openpgp") == "keys":
            return InputRefusedError(
                "an OpenPGP key ring, not an export", "openpgp-keys", location=location
            )
        return InputRefusedError(
            "an OpenPGP-encrypted file: decrypt it with gpg first",
            "openpgp",
            location=location,
            hint=_GPG_HINT,
        )
    for magic, image in _IMAGES:
        if sample.data.startswith(magic):
            return InputRefusedError(
                f"an image ({image}) holding none of the QR codes cxkit reads (Google "
                "Authenticator exports)",
                "image",
                location=location,
                hint="scan the QR code with a phone app, or export the accounts as a file",
            )
    if sample.data.startswith(_SQLITE):
        return InputRefusedError(
            "an SQLite database (an app's internal data), not an export",
            "not-an-export",
            location=location,
            hint="use the app's own export function",
        )
    if sample.kind == "zip" and sample.zip_names is None:
        names = sample.extra.get("zip_unchecked_names")
        if names is not None:
            probe = Sample(name=sample.name, data=b"", kind="zip", zip_names=names)
            sig = known.match(probe)
            if sig is not None:
                return _known_error(sig, location)
    sig = known.match(sample)
    if sig is not None:
        return _known_error(sig, location)
    return None


def _known_error(sig: known.Known, location: str | None) -> InputRefusedError:
    hint = sig.hint or ("cxkit formats lists what cxkit reads; if the app can also export one "
                        "of those, use that")  # fmt: skip
    return InputRefusedError(sig.message(), sig.verdict, location=location, hint=hint)


# --------------------------------------------------------------------------- describing


def _zip_contents(names: tuple[str, ...] | list[str]) -> str:
    """``export.json and 3 files in attachments/``: top-level files by name, folders counted."""
    top = [n for n in names if "/" not in n.rstrip("/") and not n.endswith("/")]
    folders: dict[str, int] = {}
    for n in names:
        if "/" in n.rstrip("/") and not n.endswith("/"):
            folder = n.split("/", 1)[0] + "/"
            folders[folder] = folders.get(folder, 0) + 1
    parts = [n[:60] for n in top[:4]]
    if len(top) > 4:
        parts.append(f"{len(top) - 4} more files")
    for folder, count in list(folders.items())[:3]:
        parts.append(f"{count} file{'s' if count != 1 else ''} in {folder[:60]}")
    if len(folders) > 3:
        parts.append(f"{len(folders) - 3} more folders")
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _names(names: tuple[str, ...] | list[str], limit: int = 4) -> str:
    shown = [n[:60] for n in names[:limit]]
    rest = len(names) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" and {rest} more"
    return " and ".join(shown) if len(shown) == 2 else ", ".join(shown)


#: How many rows :func:`_csv_row_widths` looks at
_CSV_ROWS: Final = 64


def _csv_row_widths(data: bytes) -> tuple[int, int] | None:
    """The fewest and most cells of the first rows of a text the CSV sniffer did not take (its
    first row has no delimiter: one cell), when it reads as CSV all the same — at least two
    rows, most of them of several comma-separated cells; else None. Cells are counted, never
    shown."""
    import csv

    head = data[:_HEAD]
    if head.startswith(_BOM):
        head = head[3:]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = head[: exc.start].decode("utf-8")
    widths: list[int] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if row and any(cell.strip() for cell in row):
                widths.append(len(row))
                if len(widths) >= _CSV_ROWS:
                    break
    except csv.Error:  # a quote left open (or a row cut by the 64 KiB head): the rows so far
        pass
    wide = sum(1 for w in widths if w > 1)
    if len(widths) < 2 or 2 * wide < len(widths):
        return None
    return min(widths), max(widths)


def describe(sample: Sample) -> str:
    """What the input is, in a few words: member, column and file names only, never values."""
    kind = sample.kind
    if kind == "empty":
        return "an empty file"
    if kind == "folder":
        names = sample.extra.get("folder_names", ())
        return f"a folder holding {_names(list(names), 6)}" if names else "an empty folder"
    if kind == "zip":
        names = sample.zip_names
        if names is None:
            unchecked = sample.extra.get("zip_unchecked_names")
            reason = sample.extra.get("zip_refused", "unsafe or malformed")
            if unchecked:
                encrypted = "an encrypted zip" if sample.extra.get("zip_encrypted") else "a zip"
                contents = _zip_contents(unchecked)
                return f"{encrypted} holding {contents} that cxkit refuses to open ({reason})"
            return f"a zip archive cxkit refuses to open ({reason})"
        return f"a zip holding {_zip_contents(names)}" if names else "an empty zip"
    if kind == "openpgp":
        return "OpenPGP data"
    if kind == "json":
        if not sample.json_ok:
            return "a file that starts like JSON but is not valid JSON"
        if sample.json_top is not None:
            keys = sorted(sample.json_top)
            return "JSON with top-level members " + (_names(keys, 8) if keys else "(none)")
        if sample.json_array_keys:
            return "a JSON array of objects with members " + _names(
                sorted(sample.json_array_keys), 8
            )
        return "a JSON array"
    if kind == "xml":
        root = sample.xml_root
        if root is not None and root.lower() == "html":
            return "an HTML page"
        return f"XML with root element <{root}>" if root else "a file that starts like XML"
    if kind == "csv" and sample.csv_header is not None:
        from cxkit.adapters.kit.input import header_like

        cells = sample.csv_header
        if header_like(cells):
            return (
                "CSV with columns "
                + ", ".join(c[:30] for c in cells[:12])
                + (f" and {len(cells) - 12} more" if len(cells) > 12 else "")
            )
        return f"CSV without a header row ({len(cells)} columns)"
    if kind == "binary":
        return "binary data, not JSON, CSV, XML or zip"
    if kind == "text":
        widths = _csv_row_widths(sample.data)
        if widths is not None:  # a first row of one cell: Dashlane's legacy CSV
            low, high = widths
            return f"CSV without a header row ({low} to {high} columns)"
    lines = sample.data.count(b"\n") + (not sample.data.endswith(b"\n"))
    return f"text ({lines} line{'s' if lines != 1 else ''}), not JSON, CSV, XML or zip"
