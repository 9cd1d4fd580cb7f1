"""KeePass KDBX databases (KeePass 2, KeePassXC, KeePassDX, Strongbox, ...) ⇄ CXF.

Reading opens the database with :func:`cxkit.kdbx.read_kdbx` (password and/or key file) and maps
(``formats/keepass.md`` §1; each entry built on the kit's item builder, which records every
field in the migration report):

* groups → collections (nested ``subCollections``; the root group's entries belong to none);
* entries → items: ``UserName``/``Password`` → ``basic-auth``; ``URL`` and KeePassXC's additional
  URLs ``KP2A_URL``, ``KP2A_URL_1``, ... → the item scope; TOTP from ``otp`` (otpauth URI),
  KeePass 2 ``TimeOtp-*`` and the Tray TOTP plug-in's ``TOTP Seed``/``TOTP Settings`` →
  ``totp``; ``Notes`` → ``note``; the ``KPEX_PASSKEY_*`` attributes → ``passkey``; every other
  string → one ``custom-fields`` credential (``concealed-string`` when protected); attachments →
  ``file`` credentials, their bytes in :attr:`ReadOptions.attachments`; tags, creation and
  modification times → item members; expiry, icon, colours, usage count and which TOTP
  convention was used → the item extension ``cxkit/keepass``.
* the recycle bin is skipped (``include_trashed`` reads it) and reported; history versions,
  auto-type settings, custom icons and deleted-object records are reported as not carried.

Writing builds a KDBX 4 database (ChaCha20, Argon2id — :data:`KDBX_WRITE_OPTIONS`) with the same
mapping backwards. KeePass holds one passkey per entry (as KeePassXC expects): an item with
several passkeys becomes its entry plus one entry per further passkey, never overwriting; each
further entry names its item's entry in ``CXKIT_PASSKEY_OF`` (:data:`PASSKEY_OF`), and reading
merges it back into that item as long as it holds nothing else.
Credentials KeePass has no place for (cards, identities, SSH keys, Wi-Fi, ...) become custom
string attributes (*transformed*); the report names every one.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import re
import urllib.parse
import uuid
from typing import Any, Final
from xml.etree.ElementTree import Element

from cxkit import cxf, kdbx
from cxkit.adapters.base import (
    AdapterInfo,
    Capability,
    Confidence,
    PasswordNeededError,
    ReadOptions,
    Sample,
    WriteOptions,
    accepts_by_hints,
)
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.builder import ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.values import credential_members, parse_iso_datetime, parse_totp
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.cxf.codec import paused_gc
from cxkit.errors import CxkitError
from cxkit.kdbx import _xml
from cxkit.passkey import (
    credential_id_from_b64url,
    keepassxc_flag_to_bool,
    keepassxc_flag_to_str,
    load_private_key,
    pem_to_der,
)

__all__ = ["EXTENSION", "KDBX_WRITE_OPTIONS", "PASSKEY_OF", "KeePassKdbxAdapter",
           "database_to_document", "document_to_database"]  # fmt: skip

EXTENSION: Final = "cxkit/keepass"
EXPORTER_RP_ID: Final = "keepass.info"
KDBX_MAGIC: Final = b"\x03\xd9\xa2\x9a"
KDBX_WRITE_OPTIONS: Final = kdbx.WriteOptions()
"""How the adapter stores databases (ChaCha20, Argon2id 64 MiB / 3 passes / 2 lanes)."""

_PK: Final = "KPEX_PASSKEY_"
PK_CREDENTIAL_ID: Final = _PK + "CREDENTIAL_ID"
PK_GENERATED_USER_ID: Final = _PK + "GENERATED_USER_ID"
PK_PRIVATE_KEY: Final = _PK + "PRIVATE_KEY_PEM"
PK_RELYING_PARTY: Final = _PK + "RELYING_PARTY"
PK_USERNAME: Final = _PK + "USERNAME"
PK_USER_HANDLE: Final = _PK + "USER_HANDLE"
PK_FLAG_BE: Final = _PK + "FLAG_BE"
PK_FLAG_BS: Final = _PK + "FLAG_BS"
PK_OLD_USERNAME: Final = "KPXC_PASSKEY_USERNAME"
_PASSKEY_KEYS: Final = frozenset(
    {PK_CREDENTIAL_ID, PK_GENERATED_USER_ID, PK_PRIVATE_KEY, PK_RELYING_PARTY, PK_USERNAME,
     PK_USER_HANDLE, PK_FLAG_BE, PK_FLAG_BS, PK_OLD_USERNAME}
)  # fmt: skip
_PASSKEY_TAG: Final = "Passkey"
# on the entry cxkit writes for an item's further passkey: the UUID of the item's own entry, in
# hex as KeePass field references write it, so that reading merges the passkey back
PASSKEY_OF: Final = "CXKIT_PASSKEY_OF"
_FURTHER_TITLE: Final = re.compile(r".* \(passkey [0-9]+\)", re.DOTALL)
_TIMEOTP_SECRETS: Final = ("TimeOtp-Secret-Base32", "TimeOtp-Secret", "TimeOtp-Secret-Hex",
                           "TimeOtp-Secret-Base64")  # fmt: skip
_TIMEOTP_KEYS: Final = frozenset(
    {*_TIMEOTP_SECRETS, "TimeOtp-Period", "TimeOtp-Length", "TimeOtp-Algorithm"}
)
_TRAY_KEYS: Final = frozenset({"TOTP Seed", "TOTP Settings"})
_PROTECTED_BY_DEFAULT: Final = frozenset(
    {"Password", "otp", "TOTP Seed", *_TIMEOTP_SECRETS, PK_CREDENTIAL_ID, PK_GENERATED_USER_ID,
     PK_PRIVATE_KEY, PK_USER_HANDLE}
)  # fmt: skip
_TIMEOTP_ALGORITHMS: Final = {"HMAC-SHA-1": "sha1", "HMAC-SHA-256": "sha256",
                              "HMAC-SHA-512": "sha512"}  # fmt: skip
_MEMBER: Final = Disposition.MEMBER
_CUSTOM_FIELD: Final = Disposition.CUSTOM_FIELD
_EXTENSION: Final = Disposition.EXTENSION
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_SAME_TOTP: Final = "the same TOTP as another attribute"
_CARRIES: Final = frozenset({"basic-auth", "passkey", "totp", "note", "custom-fields", "file"})
_HOW_TO: Final = (
    "Use the database file itself (.kdbx): KeePassXC, KeePass 2, KeePassDX, Strongbox, "
    "KeePassium and MacPass all store one. Give its password (and --keyfile FILE when it "
    "needs a key file; --no-password for a key file alone). AES-256, ChaCha20 and Twofish "
    "databases all open."
)


# =========================================================================== helpers


def _ts(value: datetime.datetime | None) -> int | None:
    if value is None:
        return None
    seconds = int(value.timestamp())
    return seconds if seconds >= 0 else None


def _dt(seconds: int | None) -> datetime.datetime | None:
    if seconds is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    except (OverflowError, OSError, ValueError):  # beyond what a date can hold: no time
        return None


def iso_time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uuid_of(cxf_id: str, salt: str = "") -> uuid.UUID:
    """The KeePass UUID for a CXF id: the id's bytes when they are 16, else a stable hash."""
    if not salt and _ID16.fullmatch(cxf_id) is not None:  # 16 bytes, canonical (22 characters)
        return _uuid_from(
            binascii.a2b_base64(cxf_id.encode("ascii").translate(_URL_TO_STD) + b"==")
        )
    return _uuid_from(hashlib.sha256(f"{cxf_id}{salt}".encode()).digest()[:16])


# canonical unpadded base64url of 16 bytes: 21 characters and a last one with 4 unused bits 0
_ID16: Final = re.compile(r"[A-Za-z0-9_-]{21}[AQgw]")
_URL_TO_STD: Final = bytes.maketrans(b"-_", b"+/")
_UUID_NEW: Final = uuid.UUID.__new__
_SET: Final = object.__setattr__
_SAFE_UNKNOWN: Final = uuid.SafeUUID.unknown


def _uuid_from(raw: bytes) -> uuid.UUID:
    """``uuid.UUID(bytes=raw)`` for 16 bytes, without its Python-level argument checks."""
    u = _UUID_NEW(uuid.UUID)
    _SET(u, "int", int.from_bytes(raw, "big"))
    _SET(u, "is_safe", _SAFE_UNKNOWN)
    return u


def _ext(obj: Any) -> dict[str, Any]:
    for e in getattr(obj, "extensions", ()) or ():
        if isinstance(e, m.UnknownExtension) and e.extension_name == EXTENSION:
            return dict(e.members)
    return {}


def _extension(members: dict[str, Any]) -> tuple[m.UnknownExtension, ...]:
    if not members:
        return ()
    return (m.UnknownExtension(extension_name=EXTENSION, members=members),)


def _kp2a_keys(entry: kdbx.Entry) -> list[str]:
    keys = [k for k in entry.strings if k == "KP2A_URL" or k.startswith("KP2A_URL_")]

    def order(key: str) -> tuple[int, str]:
        suffix = key[len("KP2A_URL_") :] if key != "KP2A_URL" else ""
        return (int(suffix) + 1 if suffix.isdigit() else 0 if not suffix else 1 << 30, key)

    return sorted(keys, key=order)


def _default_autotype(element: Element) -> bool:
    """An ``AutoType`` element with nothing the user set (enabled, no sequence, no window)."""
    for child in element:
        if child.tag == "Enabled" and (child.text or "").strip().lower() != "true":
            return False
        if child.tag == "DataTransferObfuscation" and (child.text or "0").strip() != "0":
            return False
        if child.tag in ("DefaultSequence", "Association") and (
            child.tag == "Association" or (child.text or "").strip()
        ):
            return False
    return True


# =========================================================================== TOTP


def otp_uri(text: str) -> tuple[m.Totp | None, str]:
    """KeePassXC ``otp``: an otpauth URI (``encoder=steam`` for Steam) or a bare Base32 secret."""
    stripped = text.strip()
    if stripped.lower().startswith("otpauth://"):
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(stripped).query))
        if query.get("encoder", "").lower() == "steam":
            try:
                secret = b64.canonical_base32(query.get("secret", ""))
            except b64.Base64Error:
                return None, "the otpauth URI has an unreadable secret"
            issuer = query.get("issuer") or None
            return m.Totp(secret=secret, period=30, digits=5, algorithm="steam", issuer=issuer), ""
    return parse_totp(stripped)


def timeotp(entry: kdbx.Entry) -> tuple[m.Totp | None, str]:
    """KeePass 2.47+ ``TimeOtp-*`` attributes."""
    raw: bytes | None = None
    try:
        if (text := entry.get("TimeOtp-Secret-Base32")) is not None:
            return _with_secret_b32(text, entry)
        if (text := entry.get("TimeOtp-Secret")) is not None:
            raw = text.encode("utf-8")
        elif (text := entry.get("TimeOtp-Secret-Hex")) is not None:
            raw = bytes.fromhex("".join(text.split()))
        elif (text := entry.get("TimeOtp-Secret-Base64")) is not None:
            raw = base64.b64decode("".join(text.split()), validate=True)
    except (ValueError, binascii.Error):
        return None, "the TimeOtp secret cannot be decoded"
    if not raw:
        return None, "the TimeOtp secret is empty"
    return _with_secret_b32(base64.b32encode(raw).decode("ascii"), entry)


def _with_secret_b32(text: str, entry: kdbx.Entry) -> tuple[m.Totp | None, str]:
    try:
        secret = b64.canonical_base32(text)
    except b64.Base64Error:
        return None, "the TimeOtp secret is not Base32"
    try:
        period = int(entry.get("TimeOtp-Period") or "30")
        digits = int(entry.get("TimeOtp-Length") or "6")
    except ValueError:
        return None, "TimeOtp-Period or TimeOtp-Length is not a number"
    algorithm = _TIMEOTP_ALGORITHMS.get((entry.get("TimeOtp-Algorithm") or "HMAC-SHA-1").upper())
    if algorithm is None:
        return None, "unknown TimeOtp-Algorithm"
    if not (0 < period <= 65535 and 0 < digits <= 10):
        return None, "TimeOtp-Period or TimeOtp-Length is out of range"
    return m.Totp(secret=secret, period=period, digits=digits, algorithm=algorithm), ""


def tray_otp(entry: kdbx.Entry) -> tuple[m.Totp | None, str]:
    """Tray TOTP / KeeTrayTOTP: ``TOTP Seed`` + ``TOTP Settings`` = ``period;digits`` or
    ``period;S`` (Steam)."""
    try:
        secret = b64.canonical_base32(entry.get("TOTP Seed") or "")
    except b64.Base64Error:
        return None, "the TOTP Seed is not Base32"
    settings = (entry.get("TOTP Settings") or "30;6").split(";")
    try:
        period = int(settings[0])
        steam = len(settings) > 1 and settings[1].strip().upper() == "S"
        digits = 5 if steam else int(settings[1]) if len(settings) > 1 else 6
    except ValueError:
        return None, "TOTP Settings is not 'period;digits'"
    if not (0 < period <= 65535 and 0 < digits <= 10):
        return None, "TOTP Settings is out of range"
    return m.Totp(
        secret=secret, period=period, digits=digits, algorithm="steam" if steam else "sha1"
    ), ""


def format_otp(totp: m.Totp) -> str:
    """A TOTP as KeePassXC writes ``otp``: ``otpauth://totp/ISSUER:USER?secret=…&period=…&
    digits=…&issuer=…`` (``algorithm`` only when not SHA-1; ``encoder=steam`` for Steam)."""
    steam = totp.algorithm == "steam"
    issuer = totp.issuer or ("Steam" if steam else "")
    label = f"{issuer}:{totp.username or ''}" if issuer else (totp.username or "")
    query = {"secret": totp.secret, "period": str(totp.period),
             "digits": "5" if steam else str(totp.digits)}  # fmt: skip
    if issuer:
        query["issuer"] = issuer
    if steam:
        query["encoder"] = "steam"
    elif totp.algorithm != "sha1":
        query["algorithm"] = totp.algorithm.upper()
    if _UNRESERVED.fullmatch("".join(query.values())) and _LABEL_AS_IS.fullmatch(label):
        # nothing to percent-encode (the usual secret, numbers and issuer): what urllib gives
        return f"otpauth://totp/{label}?" + "&".join([f"{k}={v}" for k, v in query.items()])
    return _otp_uri(label, query)


# the characters urllib.parse.quote never encodes (RFC 3986 unreserved), and those of a label
_UNRESERVED: Final = re.compile(r"[A-Za-z0-9_.~-]*")
_LABEL_AS_IS: Final = re.compile(r"[A-Za-z0-9_.~:@-]*")


def _otp_uri(label: str, query: dict[str, str]) -> str:
    """The otpauth URI of :func:`format_otp`, every part percent-encoded by urllib."""
    path = urllib.parse.quote(label, safe=":@")
    return f"otpauth://totp/{path}?{urllib.parse.urlencode(query, quote_via=urllib.parse.quote)}"


# =========================================================================== reading


class _EntryReader:
    """One KeePass entry → one CXF item, built on the kit's item builder
    (:mod:`cxkit.adapters.kit.builder`), which records every source field at ``path.Field``;
    ``formats/keepass.md`` §1.1, TOTP §1.4."""

    def __init__(self, entry: kdbx.Entry, b: ItemBuilder, attachments: dict[str, bytes]) -> None:
        self.entry = entry
        self.b = b
        self.attachments = attachments
        self.done: set[str] = set()
        """The string attributes mapped so far (the rest become custom fields)."""
        self.unreadable: dict[str, str] = {}
        """Attributes of a TOTP convention that could not be read, and why."""

    def string(self, key: str) -> Val | None:
        self.done.add(key)
        value = self.entry.get(key)
        return Val(value, key) if value else None

    def build(self, further: list[tuple[kdbx.Entry, ItemBuilder]]) -> None:
        """Tell the builder the entry; *further*: the entries cxkit wrote for the item's further
        passkeys (see :func:`_further_passkeys`), each with a builder of its own for its
        fields, read as the item's passkeys."""
        e, b = self.entry, self.b
        b.rec("UUID", _MEMBER, "item.id")
        self.done.add("Title")
        if e.title:
            b.rec("Title", _MEMBER, "item.title")
        b.login(self.string("UserName"), self.string("Password"))
        self.urls()
        self.totps()
        self.passkey()
        for entry, sub in further:
            self.further_passkey(entry, sub)
        notes = self.string("Notes")
        if notes is not None:
            b.note(notes)
        self.custom_fields()
        self.protection()
        self.files()
        b.tag_list = tuple(t for t in e.tags if t)
        if b.tag_list:
            b.rec("Tags", _MEMBER, "item.tags")
        self.times()
        self.look()

    def urls(self) -> None:
        """``URL`` and KeePassXC's ``KP2A_URL``, ``KP2A_URL_1``, ... (``androidapp://`` → app)."""
        urls: list[str] = []
        apps: list[m.AndroidAppId] = []
        url = self.string("URL")
        if url is not None:
            urls.append(url.text)
            self.b.rec("URL", _MEMBER, "item.scope.urls")
        extra = _kp2a_keys(self.entry)
        for key in extra:
            value = self.string(key)
            if value is None:
                continue
            if value.text.lower().startswith("androidapp://") and len(value.text) > 13:
                apps.append(m.AndroidAppId(bundle_id=value.text[13:]))
                self.b.rec(key, _MEMBER, "item.scope.androidApps")
            else:
                urls.append(value.text)
                self.b.rec(key, _MEMBER, "item.scope.urls")
        if extra and url is None and urls:
            self.b.ext["noMainUrl"] = True
        if urls or apps:
            self.b.scope = m.CredentialScope(urls=tuple(urls), android_apps=tuple(apps))

    def totps(self) -> None:
        """Every TOTP convention present (``otp``, ``TimeOtp-*``, Tray TOTP); one credential per
        distinct TOTP, the conventions that held each kept in the extension (``totp``)."""
        e, b = self.entry, self.b
        found: list[tuple[str, tuple[str, ...], tuple[m.Totp | None, str]]] = []
        if "otp" in e.strings:
            found.append(("otp", ("otp",), otp_uri(e.get("otp") or "")))
        if any(k in e.strings for k in _TIMEOTP_SECRETS):
            found.append(("timeotp", tuple(k for k in e.strings if k in _TIMEOTP_KEYS), timeotp(e)))
        if "TOTP Seed" in e.strings:
            found.append(("tray", tuple(k for k in e.strings if k in _TRAY_KEYS), tray_otp(e)))
        forms: dict[tuple[str, int, int, str], list[str]] = {}  # per TOTP: its conventions
        for form, keys, (totp, why) in found:
            if totp is None:  # left to the custom fields, with the reason
                self.unreadable.update(dict.fromkeys(keys, f"not readable as TOTP: {why}"))
                continue
            self.done.update(keys)
            same = forms.get((totp.secret, totp.period, totp.digits, totp.algorithm))
            if same is not None:
                same.append(form)
            else:
                forms[(totp.secret, totp.period, totp.digits, totp.algorithm)] = [form]
                b.add(totp)
            for key in keys:
                b.rec(key, _MEMBER, "totp", "" if same is None else _SAME_TOTP)
        if forms and list(forms.values()) != [["otp"]]:
            b.ext["totp"] = list(forms.values())

    def passkey(self, *, further: bool = False) -> None:
        """The entry's passkey (``KPEX_PASSKEY_*``, ``formats/keepass.md`` §2); *further*: the
        entry is one cxkit wrote for a further passkey of another item (its flags are
        KeePassXC's defaults, which writing restores)."""
        e, b = self.entry, self.b
        present = [k for k in e.strings if k in _PASSKEY_KEYS]
        if not present:
            return
        self.done.update(present)
        try:
            passkey, outcome, note, flags = _read_passkey(e)
        except CxkitError as exc:  # the attributes stay in the report, not carried
            why = f"passkey not readable: {exc.message}"
            for key in present:
                b.rec(key, _NOT_CARRIED, "", why)
            b.report.add_credential("read", "passkey", b.title, Outcome.NOT_CARRIED, why)
            return
        b.add(passkey, outcome, note)
        if not further:
            kept: dict[str, Any] = dict(flags)
            if PK_GENERATED_USER_ID in e.strings:
                kept["generatedUserId"] = True
            if PK_OLD_USERNAME in e.strings:
                kept["kpxcUsername"] = True
            b.ext["passkey"] = kept
        for key in present:
            if key not in (PK_FLAG_BE, PK_FLAG_BS):
                b.rec(key, _MEMBER, "passkey")
            elif further:
                b.rec(key, _MEMBER, "passkey", "the default, written again")
            else:
                b.rec(key, _EXTENSION, "extension.passkey")

    def further_passkey(self, entry: kdbx.Entry, sub: ItemBuilder) -> None:
        """A further passkey of this item, from the entry cxkit wrote for it (its fields
        recorded by *sub*, then merged into this item)."""
        reader = _EntryReader(entry, sub, self.attachments)
        reader.passkey(further=True)
        merged = f"merged back into '{self.b.title}'"
        why = f"the entry cxkit wrote for a further passkey, {merged}"
        sub.rec("UUID", _MEMBER, "passkey", why)
        for key in entry.strings:
            if key not in reader.done:
                sub.rec(key, _MEMBER, "passkey", why)
        self.b.merge(sub, f"from the entry '{entry.title}', {merged}")

    def custom_fields(self) -> None:
        """Every other string → one custom-fields credential (``concealed-string`` when
        protected), marked ``role: strings`` so that writing keeps the attribute names."""
        fields: list[m.EditableField] = []
        b = self.b
        for key, value in self.entry.strings.items():
            if key in self.done or (key in kdbx.STANDARD_FIELDS and not value.value):
                continue  # mapped already, or an empty standard field
            kind = "concealed-string" if value.protected else "string"
            fields.append(m.EditableField(field_type=kind, value=value.value, label=key))
            b.rec(key, _CUSTOM_FIELD, f"custom-fields.{key}", self.unreadable.get(key, ""))
        if fields:  # (before the attachments: not the builder's custom fields, which come last)
            b.add(m.CustomFields(fields=tuple(fields), extensions=_extension({"role": "strings"})))

    def protection(self) -> None:
        """Protect-in-memory flags that differ from what the writer sets by default."""
        strings = self.entry.strings
        flipped = sorted(
            k
            for k in self.done
            if k in strings and strings[k].protected != (k in _PROTECTED_BY_DEFAULT)
        )
        if flipped:
            self.b.ext["protection"] = flipped

    def files(self) -> None:
        """Attachments → ``file`` credentials, their bytes into the attachments sink."""
        b = self.b
        for index, att in enumerate(self.entry.attachments):
            name = f"{b.item_id}/{index}/{att.name}".encode()
            fid = b64.encode(hashlib.sha256(name).digest()[:16])
            self.attachments[fid] = att.data
            digest = b64.encode(hashlib.sha256(att.data).digest())
            b.add(
                m.File(id=fid, name=att.name, decrypted_size=len(att.data), integrity_hash=digest)
            )
            b.rec(f"Binary[{att.name}]", _MEMBER, "file")

    def times(self) -> None:
        t, b = self.entry.times, self.b
        b.created_at, b.modified_at = _ts(t.creation), _ts(t.last_modification)
        if t.creation is not None:
            b.rec("Times.CreationTime", _MEMBER, "item.creationAt")
        if t.last_modification is not None:
            b.rec("Times.LastModificationTime", _MEMBER, "item.modifiedAt")
        if t.expires and t.expiry is not None:
            b.ext["expiry"] = iso_time(t.expiry)
            b.rec("Times.Expires", _EXTENSION, "extension.expiry", "CXF items have no expiry")
        if t.last_access is not None:
            b.ext["lastAccess"] = iso_time(t.last_access)
            b.rec("Times.LastAccessTime", _EXTENSION, "extension.lastAccess")
        if t.usage_count:
            b.ext["usageCount"] = t.usage_count
            b.rec("Times.UsageCount", _EXTENSION, "extension.usageCount")

    def look(self) -> None:
        """Icon and colours (extension); custom icon, auto-type and history: not carried."""
        e, b = self.entry, self.b
        if e.icon_id:
            b.ext["icon"] = e.icon_id
            b.rec("IconID", _EXTENSION, "extension.icon")
        if e.custom_icon_uuid is not None:
            b.rec("CustomIconUUID", _NOT_CARRIED, "", "custom icons are not carried")
        for name, value in (("foregroundColor", e.foreground_color),
                            ("backgroundColor", e.background_color),
                            ("overrideUrl", e.override_url)):  # fmt: skip
            if value:
                b.ext[name] = value
                b.rec(name[0].upper() + name[1:], _EXTENSION, f"extension.{name}")
        for element in e.extra:
            if not (element.tag == "AutoType" and _default_autotype(element)):
                b.rec(element.tag, _NOT_CARRIED, "", f"KeePass {element.tag} settings")
        for index, old in enumerate(e.history):
            when = old.times.last_modification
            at = f" ({iso_time(when)})" if when is not None else ""
            b.rec(f"History[{index}]", _NOT_CARRIED, "",
                  f"an earlier version of the entry{at}; CXF has no item history")  # fmt: skip


def _read_passkey(e: kdbx.Entry) -> tuple[m.Passkey, Outcome, str, dict[str, str]]:
    """The ``KPEX_PASSKEY_*`` attributes of *e* as a passkey (with its read outcome and note)
    and the flags present; CxkitError says what is missing or unreadable."""
    pem = e.get(PK_PRIVATE_KEY) or ""
    outcome, note = Outcome.CARRIED, ""
    if not pem.strip():
        raise CxkitError("no KPEX_PASSKEY_PRIVATE_KEY_PEM")
    try:
        der = pem_to_der(pem)
    except CxkitError:
        try:
            der = b64.decode_lenient("".join(pem.split()).replace("+", "-").replace("/", "_"))[0]
        except b64.Base64Error:
            raise CxkitError("KPEX_PASSKEY_PRIVATE_KEY_PEM is neither PEM nor base64") from None
        load_private_key(der)  # raises when it is not a key either
        outcome = Outcome.TRANSFORMED
        note = "the private key had no PEM armour (KeePassXC CXF-import bug); read as DER"
    id_text = e.get(PK_GENERATED_USER_ID) or e.get(PK_CREDENTIAL_ID) or ""
    cred_id = credential_id_from_b64url(id_text.strip())
    rp_id = (e.get(PK_RELYING_PARTY) or "").strip()
    if not rp_id:
        raise CxkitError("no KPEX_PASSKEY_RELYING_PARTY")
    handle_text = (e.get(PK_USER_HANDLE) or "").strip()
    try:
        handle = b64.canonical(handle_text) if handle_text else ""
    except b64.Base64Error:
        raise CxkitError("KPEX_PASSKEY_USER_HANDLE is not base64url") from None
    flags: dict[str, str] = {}
    for key, name in ((PK_FLAG_BE, "be"), (PK_FLAG_BS, "bs")):
        value = e.get(key)
        if value is not None:
            keepassxc_flag_to_bool(value)
            flags[name] = value
    username = e.get(PK_OLD_USERNAME) or e.get(PK_USERNAME) or ""
    passkey = m.Passkey(credential_id=b64.encode(cred_id), rp_id=rp_id, username=username,
                        user_display_name=username, user_handle=handle, key=b64.encode(der))  # fmt: skip
    return passkey, outcome, note, flags


def _only_a_further_passkey(e: kdbx.Entry) -> bool:
    """Whether *e* holds nothing but what cxkit writes for an item's further passkey (nobody
    added or changed anything since that a merge would lose)."""
    if e.attachments or e.history or set(e.tags) - {_PASSKEY_TAG} or e.custom_icon_uuid:
        return False
    if e.foreground_color or e.background_color or e.override_url:
        return False
    if any(not (x.tag == "AutoType" and _default_autotype(x)) for x in e.extra):
        return False
    allowed = {"Title", "UserName", "URL", "Password", "Notes", PASSKEY_OF, *_PASSKEY_KEYS}
    if set(e.strings) - allowed or e.password or e.notes or not _FURTHER_TITLE.fullmatch(e.title):
        return False
    rp_id = (e.get(PK_RELYING_PARTY) or "").strip()
    username = e.get(PK_OLD_USERNAME) or e.get(PK_USERNAME) or ""
    if e.username not in ("", username) or e.url not in ("", f"https://{rp_id}"):
        return False
    default = keepassxc_flag_to_str(True)
    return all(e.get(key) in (None, default) for key in (PK_FLAG_BE, PK_FLAG_BS))


def _further_passkeys(entries: list[kdbx.Entry]) -> dict[uuid.UUID, list[kdbx.Entry]]:
    """The entries of a group that cxkit wrote for an item's further passkeys (linked by
    :data:`PASSKEY_OF` to the item's own entry in the same group), by that entry's UUID, when
    they hold nothing else. Any other entry, linked or not, is an item of its own."""
    by_uuid: dict[uuid.UUID, kdbx.Entry | None] = {}
    for e in entries:  # None: two entries share the UUID (a damaged group): no merging there
        by_uuid[e.uuid] = None if e.uuid in by_uuid else e
    found: dict[uuid.UUID, list[kdbx.Entry]] = {}
    for e in entries:
        link = e.get(PASSKEY_OF)
        if link is None:
            continue
        try:
            owner_uuid = uuid.UUID(hex=link.strip())
        except ValueError:
            continue
        owner = by_uuid.get(owner_uuid)
        if owner is None or owner is e or PASSKEY_OF in owner.strings:
            continue
        if _only_a_further_passkey(e):
            found.setdefault(owner_uuid, []).append(e)
    return found


def _skip(vault: VaultBuilder, entry: kdbx.Entry, prefix: str, reason: str, note: str) -> None:
    """Skip *entry*: the report names it with *reason*, each of its fields not carried."""
    b = vault.item(prefix, item_id="", title=entry.title)
    for name in (*entry.strings, *(f"Binary[{a.name}]" for a in entry.attachments)):
        b.rec(name, _NOT_CARRIED)
    b.fail(reason, note=note)


def database_to_document(
    db: kdbx.Database,
    report: MigrationReport,
    *,
    attachments: dict[str, bytes] | None = None,
    include_recycle_bin: bool = False,
) -> cxf.Document:
    """A KeePass database → a CXF document (attachment bytes into *attachments*): entries built
    on the kit's item builder, in group tree order; groups → collections as they are (by
    UUID, empty ones too — not the builder's tree of names)."""
    sink = attachments if attachments is not None else {}
    bin_uuid = db.meta.recycle_bin_uuid
    if bin_uuid is not None and bin_uuid.int == 0:
        bin_uuid = None
    vault = VaultBuilder(report, key="keepass-kdbx", rp_id=EXPORTER_RP_ID, app="KeePass")

    def read(entry: kdbx.Entry, where: str, further: list[kdbx.Entry]) -> m.Item | None:
        path = f"{where}/{entry.title}[{entry.uuid.hex[:8]}]."
        b = vault.item(path, item_id=b64.encode(entry.uuid.bytes), title=entry.title,
                       extension=EXTENSION)  # fmt: skip
        subs = [(x, vault.item(f"{where}/{x.title}[{x.uuid.hex[:8]}].", item_id="",
                               title=x.title)) for x in further]  # fmt: skip
        try:
            _EntryReader(entry, b, sink).build(subs)
        except (CxkitError, ValueError, TypeError) as exc:  # one entry never sinks the rest
            message = exc.message if isinstance(exc, CxkitError) else type(exc).__name__
            _skip(vault, entry, path, f"cannot be read: {message}", "entry skipped")
            return None
        return vault.add(b)

    def visit(group: kdbx.Group, ancestors: list[kdbx.Group]) -> m.Collection | None:
        here = [*ancestors, group]
        where = "/" + "/".join(g.name for g in here)
        in_bin = bin_uuid is not None and group.uuid == bin_uuid and ancestors
        if in_bin and not include_recycle_bin:
            for parents, g in group.walk():  # (paths name each entry's own group)
                at = where + "".join(f"/{x.name}" for x in (*parents[1:], g) if parents)
                for entry in g.entries:
                    _skip(vault, entry, f"{at}/{entry.title}.",
                          "in the recycle bin (--include-trashed reads it)", "in the recycle bin")  # fmt: skip
            return None
        linked: list[m.LinkedItem] = []
        further = _further_passkeys(group.entries)
        merged = {id(x) for xs in further.values() for x in xs}
        pending = [(e, further.get(e.uuid, [])) for e in group.entries if id(e) not in merged]
        while pending:
            entry, extras = pending.pop(0)
            item = read(entry, where, extras)
            if item is None:
                pending[:0] = [(x, []) for x in extras]  # then items of their own
            else:
                linked.append(m.LinkedItem(item=item.id))
        subs = tuple(c for g in group.groups if (c := visit(g, here)) is not None)
        if not ancestors:
            return m.Collection(id="", title="", items=tuple(linked), sub_collections=subs)
        ext: dict[str, Any] = {}
        if group.notes:
            ext["notes"] = group.notes
            report.add_field(f"{where}.Notes", "", Disposition.EXTENSION, "extension.notes")
        if group.icon_id != 48:
            ext["icon"] = group.icon_id
        if group.tags:
            ext["tags"] = list(group.tags)
            report.add_field(f"{where}.Tags", "", Disposition.EXTENSION, "extension.tags")
        if in_bin:
            ext["recycleBin"] = True
        report.add_field(f"{where}.Name", "", Disposition.MEMBER, "collection.title")
        return m.Collection(
            id=b64.encode(group.uuid.bytes),
            creation_at=_ts(group.times.creation),
            modified_at=_ts(group.times.last_modification),
            title=group.name,
            items=tuple(linked),
            sub_collections=subs,
            extensions=_extension(ext),
        )

    root = visit(db.root, [])  # the root group's own entries: items of no collection
    assert root is not None
    if db.deleted_objects:
        report.add_field("DeletedObjects", "", Disposition.NOT_CARRIED, "",
                         f"{len(db.deleted_objects)} deletion records (for KeePass sync)")  # fmt: skip
    if db.meta.custom_icons:
        report.add_field("Meta.CustomIcons", "", Disposition.NOT_CARRIED, "",
                         f"{len(db.meta.custom_icons)} custom icons")  # fmt: skip
    account_ext: dict[str, Any] = {"root": {"name": db.root.name, "uuid": str(db.root.uuid)}}
    if db.meta.database_name:
        account_ext["databaseName"] = db.meta.database_name
        report.add_field("Meta.DatabaseName", "", Disposition.EXTENSION, "extension.databaseName")
    if db.root.notes:
        account_ext["root"]["notes"] = db.root.notes
    account_id = b64.encode(hashlib.sha256(b"cxkit/keepass-account" + db.root.uuid.bytes).digest()[:16])  # fmt: skip
    return vault.build(account_id=account_id, account_extension=(EXTENSION, account_ext),
                       collections=root.sub_collections)  # fmt: skip


# =========================================================================== writing


_RESERVED: Final = frozenset(
    {*kdbx.STANDARD_FIELDS, "otp", *_PASSKEY_KEYS, *_TIMEOTP_KEYS, *_TRAY_KEYS}
)


class _EntryWriter:
    """One CXF item → one KeePass entry (plus one entry per further passkey)."""

    __slots__ = ("attachments", "entry", "ext", "extra_entries", "item", "modes", "records",
                 "report", "rows")  # fmt: skip

    def __init__(
        self, item: m.Item, report: MigrationReport, attachments: Any, rows: list[_CredRow]
    ) -> None:
        self.item = item
        self.report = report
        self.rows = rows
        self.attachments = attachments
        self.extra_entries: list[kdbx.Entry] = []
        self.ext = _ext(item) if item.extensions else {}
        self.entry = kdbx.Entry(uuid=_uuid_of(item.id))
        n = len(item.credentials)
        self.modes: list[tuple[str, str] | None] = [None] * n
        """Per credential: the mode of :data:`WRITTEN` it was written by, and why not."""
        self.records: list[tuple[str, Outcome, str] | None] = [None] * n
        """Per credential: its report record (type, outcome, note), added to *rows* (the
        report's credential rows of the whole document) by :meth:`flush`."""

    def outcome(
        self, index: int, cred: Any, outcome: Outcome, note: str = "", mode: str = ""
    ) -> None:
        ctype = cxf.credential_type(cred)
        self.records[index] = (ctype, outcome, note)
        if outcome is Outcome.NOT_CARRIED:
            self.modes[index] = (ledger.DROPPED, note)
        else:
            self.modes[index] = ledger.written_as(mode or ctype)

    def flush(self) -> None:
        """Add the credentials' report rows, in order (an item that fails is reported by
        the caller instead: nothing of it is written)."""
        title, item_id = self.item.title, self.item.id
        self.rows += [
            ("write", r[0], title, r[1], r[2], item_id, index)
            for index, r in enumerate(self.records)
            if r is not None  # a prefix: written in order
        ]

    def put(
        self, entry: kdbx.Entry, key: str, value: str, protected: bool, *, exact: bool = False
    ) -> str:
        """Set *key* (suffixed `` (2)``, ``(3)``... when taken, or when it is a name KeePass
        gives a meaning unless *exact*) and return the key used."""
        base = key or "Field"
        name, n = base, 2
        while name in entry.strings or (not exact and name in _RESERVED):
            name = f"{base} ({n})"
            n += 1
        entry.strings[name] = kdbx.StringField(value, protected)
        return name

    def build(self) -> list[kdbx.Entry]:
        item, e, ext = self.item, self.entry, self.ext
        e.strings["Title"] = kdbx.StringField(item.title)
        if item.tags:
            e.tags = list(item.tags)
        created, modified = item.creation_at, item.modified_at
        if not ext:  # the usual item: only its own two times
            e.times = kdbx.Times(
                None if created is None else _dt(created),
                None if modified is None else _dt(modified),
            )
        else:
            expiry = parse_iso_datetime(ext.get("expiry"))
            usage = ext.get("usageCount")
            e.times = kdbx.Times(
                creation=_dt(created),
                last_modification=_dt(modified),
                last_access=parse_iso_datetime(ext.get("lastAccess")),
                expiry=expiry,
                expires=expiry is not None,
                usage_count=usage if isinstance(usage, int) else 0,
            )
            icon = ext.get("icon")
            e.icon_id = icon if isinstance(icon, int) and 0 <= icon < 1000 else 0
            for name, attr in (("foregroundColor", "foreground_color"),
                               ("backgroundColor", "background_color"),
                               ("overrideUrl", "override_url")):  # fmt: skip
                if isinstance(ext.get(name), str):
                    setattr(e, attr, ext[name])
        self.scope()
        totp_forms = [
            [f for f in forms if isinstance(f, str)] or ["otp"]
            for forms in self.ext.get("totp", [])
            if isinstance(forms, list)
        ]
        notes: list[str] = []
        have_login = have_totp = have_passkey = False
        for index, cred in enumerate(item.credentials):
            if isinstance(cred, m.BasicAuth) and not have_login:
                have_login = True
                if cred.username is not None:
                    e.strings["UserName"] = kdbx.StringField(cred.username.value)
                if cred.password is not None:
                    e.strings["Password"] = kdbx.StringField(cred.password.value, True)
                self.outcome(index, cred, Outcome.CARRIED)
            elif isinstance(cred, m.Totp):
                forms = totp_forms.pop(0) if totp_forms else ["otp"]
                if have_totp:
                    key = self.put(e, "otp", format_otp(cred), True)
                    self.outcome(index, cred, Outcome.TRANSFORMED,
                                 f"a further TOTP: attribute '{key}' (KeePass reads one)",
                                 ledger.FIELDS)  # fmt: skip
                else:
                    for form in forms:
                        self.totp(cred, form)
                    uri = "otp" in e.strings
                    self.outcome(index, cred, Outcome.CARRIED, mode="" if uri else "totp:settings")
                have_totp = True
            elif isinstance(cred, m.Note):
                notes.append(cred.content.value)
                self.outcome(index, cred, Outcome.CARRIED if len(notes) == 1 else
                             Outcome.TRANSFORMED, "" if len(notes) == 1 else "joined to Notes",
                             "" if len(notes) == 1 else ledger.FIELDS)  # fmt: skip
            elif isinstance(cred, m.Passkey):
                if not have_passkey:
                    self.passkey(e, cred, self.ext.get("passkey"))
                    self.outcome(index, cred, Outcome.CARRIED)
                    have_passkey = True
                else:
                    extra = self.passkey_entry(cred, len(self.extra_entries) + 2)
                    self.extra_entries.append(extra)
                    self.outcome(index, cred, Outcome.TRANSFORMED,
                                 f"a separate entry '{extra.title}' (one passkey per KeePass entry)",
                                 "passkey:entry")  # fmt: skip
            elif isinstance(cred, m.CustomFields):
                self.custom(index, cred)
            elif isinstance(cred, m.File):
                self.file(index, cred)
            elif isinstance(cred, m.UnknownCredential | m.ItemReference):
                self.outcome(index, cred, Outcome.NOT_CARRIED, "KeePass has no place for it")
            else:
                self.flatten(index, cred)
        if notes:
            e.strings["Notes"] = kdbx.StringField("\n\n".join(notes))
        flipped = self.ext.get("protection")
        for key in flipped if isinstance(flipped, list) else ():
            if isinstance(key, str) and key in e.strings:
                e.strings[key].protected = key not in _PROTECTED_BY_DEFAULT
        if have_passkey and _PASSKEY_TAG not in e.tags:
            e.tags.append(_PASSKEY_TAG)
        return [e, *self.extra_entries]

    def scope(self) -> None:
        scope = self.item.scope
        if scope is not None:
            _scope_strings(scope, self.entry.strings, bool(self.ext.get("noMainUrl")))

    def totp(self, totp: m.Totp, form: str) -> None:
        e = self.entry
        steam = totp.algorithm == "steam"
        if form == "timeotp" and not steam and totp.algorithm in ("sha1", "sha256", "sha512"):
            e.strings["TimeOtp-Secret-Base32"] = kdbx.StringField(totp.secret, True)
            if totp.period != 30:
                e.strings["TimeOtp-Period"] = kdbx.StringField(str(totp.period))
            if totp.digits != 6:
                e.strings["TimeOtp-Length"] = kdbx.StringField(str(totp.digits))
            if totp.algorithm != "sha1":
                name = {v: k for k, v in _TIMEOTP_ALGORITHMS.items()}[totp.algorithm]
                e.strings["TimeOtp-Algorithm"] = kdbx.StringField(name)
            return
        if form == "tray" and (steam or totp.algorithm == "sha1"):
            e.strings["TOTP Seed"] = kdbx.StringField(totp.secret, True)
            settings = f"{totp.period};S" if steam else f"{totp.period};{totp.digits}"
            e.strings["TOTP Settings"] = kdbx.StringField(settings)
            return
        e.strings["otp"] = kdbx.StringField(format_otp(totp), True)

    def passkey(self, entry: kdbx.Entry, pk: m.Passkey, meta: Any) -> None:
        from cxkit.passkey import der_to_pem

        meta = meta if isinstance(meta, dict) else {}
        s = entry.strings
        s[PK_PRIVATE_KEY] = kdbx.StringField(der_to_pem(b64.decode(pk.key)), True)
        cred_id = b64.encode(b64.decode(pk.credential_id))
        s[PK_GENERATED_USER_ID if meta.get("generatedUserId") else PK_CREDENTIAL_ID] = (
            kdbx.StringField(cred_id, True)
        )
        s[PK_RELYING_PARTY] = kdbx.StringField(pk.rp_id)
        s[PK_OLD_USERNAME if meta.get("kpxcUsername") else PK_USERNAME] = kdbx.StringField(
            pk.username
        )
        s[PK_USER_HANDLE] = kdbx.StringField(b64.canonical(pk.user_handle), True)
        for key, name in ((PK_FLAG_BE, "be"), (PK_FLAG_BS, "bs")):
            value = meta.get(name)
            s[key] = kdbx.StringField(
                value if isinstance(value, str) else keepassxc_flag_to_str(True)
            )

    def passkey_entry(self, pk: m.Passkey, number: int) -> kdbx.Entry:
        title = f"{self.item.title} (passkey {number})"
        extra = kdbx.Entry(uuid=_uuid_of(self.item.id, f"/passkey/{number}"))
        extra.strings["Title"] = kdbx.StringField(title)
        extra.strings["UserName"] = kdbx.StringField(pk.username)
        extra.strings["URL"] = kdbx.StringField(f"https://{pk.rp_id}")
        extra.tags = [_PASSKEY_TAG]
        extra.times = kdbx.Times(creation=_dt(self.item.creation_at),
                                 last_modification=_dt(self.item.modified_at))  # fmt: skip
        self.passkey(extra, pk, None)
        extra.strings[PASSKEY_OF] = kdbx.StringField(self.entry.uuid.hex.upper())
        return extra

    def custom(self, index: int, cred: m.CustomFields) -> None:
        changed = False
        exact = _ext(cred).get("role") == "strings"  # KeePass attribute names, as read
        for f in cred.fields:
            protected = f.field_type == "concealed-string"
            key = self.put(self.entry, f.label or cred.label or "Field", f.value, protected,
                           exact=exact)  # fmt: skip
            changed = (
                changed
                or key != (f.label or "")
                or f.field_type not in ("string", "concealed-string")
            )
        self.outcome(index, cred, Outcome.TRANSFORMED if changed else Outcome.CARRIED,
                     "some labels were renamed or field types became text" if changed else "",
                     "custom-fields:renamed" if changed else "")  # fmt: skip

    def file(self, index: int, cred: m.File) -> None:
        data = self.attachments.get(cred.id) if self.attachments else None
        if data is None:
            self.outcome(index, cred, Outcome.NOT_CARRIED,
                         "the attachment's bytes were not supplied")  # fmt: skip
            return
        if len(data) != cred.decrypted_size or b64.encode(
            hashlib.sha256(data).digest()
        ) != b64.canonical(cred.integrity_hash):
            self.outcome(index, cred, Outcome.NOT_CARRIED,
                         "the attachment's bytes do not match its size or hash")  # fmt: skip
            return
        self.entry.attachments.append(kdbx.Attachment(cred.name, bytes(data)))
        self.outcome(index, cred, Outcome.CARRIED)

    def flatten(self, index: int, cred: Any) -> None:
        ctype = cxf.credential_type(cred)
        fields = credential_members(cred, ctype)
        for f in fields:
            self.put(self.entry, f.name, f.text or "", f.hidden)
        self.outcome(index, cred, Outcome.TRANSFORMED,
                     f"{len(fields)} custom attributes '{ctype}: …'", ledger.FIELDS)  # fmt: skip


_C, _T, _N = ledger.CARRIED, ledger.TRANSFORMED, ledger.NOT_CARRIED
_PASSKEY_MEMBERS: Final = ("credentialId", "rpId", "username", "userHandle", "key")
_NO_EXTENSIONS: Final[ledger.Rule] = (
    _N,
    "KeePass keeps no passkey extensions (PRF/hmac-secret seeds, credBlob, largeBlob)",
)
_NO_DISPLAY_NAME: Final[ledger.Rule] = (_N, "KeePassXC stores no passkey user display name")
NO_PLACE: Final[ledger.Rule] = (_N, "a member CXF does not define; KeePass has no place for it")
"""The rule for members CXF does not define (the KDBX and CSV writers)."""
TOTP_SETTINGS: Final = ledger.Table(
    {"issuer": (_N, "the TOTP settings attributes hold no issuer"),
     "username": (_N, "the TOTP settings attributes hold no account name")},
    default=_C,
)  # fmt: skip
"""A TOTP written as KeePass 2 ``TimeOtp-*`` / Tray settings attributes (the ``totp:settings``
mode of the KDBX and CSV writers)."""
_KEEPASS_ITEM: Final[dict[str, ledger.Rule]] = {
    "id": (_T, "as the entry's UUID"),
    "creationAt": _C,
    "modifiedAt": _C,
    "title": _C,
    "tags": _C,
    "scope.urls": _C,
    "scope.androidApps[].bundleId": (_T, "as an androidapp:// URL"),
    "scope.androidApps[].name": (_N, "KeePass keeps no app names"),
    "scope.androidApps[].certificate": (
        _N, "KeePass keeps no app signing-certificate fingerprints"),
    f"extensions[{EXTENSION}]": _C,
    "subtitle": (_N, "KeePass entries have no subtitle"),
    "favorite": (_N, "KeePass has no favourites"),
}  # fmt: skip
WRITTEN: Final = ledger.Declaration(
    "KeePass",
    {
        "": ledger.Table(_KEEPASS_ITEM, unknown=NO_PLACE),
        "skipped": ledger.Table(default=(_N, "the item could not be written")),
    },
    {
        "basic-auth": ledger.Table(ledger.editable("username", "password")),
        "totp": ledger.Table(default=_C),
        "totp:settings": TOTP_SETTINGS,
        "note": ledger.Table(ledger.editable("content")),
        "passkey": ledger.Table(
            {**dict.fromkeys(_PASSKEY_MEMBERS, _C), "userDisplayName": _NO_DISPLAY_NAME,
             "fido2Extensions": _NO_EXTENSIONS}
        ),
        "passkey:entry": ledger.Table(
            {**dict.fromkeys(_PASSKEY_MEMBERS, (_T, "in an entry of its own")),
             "userDisplayName": _NO_DISPLAY_NAME, "fido2Extensions": _NO_EXTENSIONS}
        ),
        "custom-fields": ledger.Table(
            {"fields[].value": _C, "fields[].label": _C,
             "fields[].fieldType": (_T, "as protected or plain text"),
             f"extensions[{EXTENSION}]": _C,
             "label": (_N, "KeePass has no groups of fields")}
        ),
        "custom-fields:renamed": ledger.Table(
            {"fields[].value": _C, "fields[].label": (_T, "renamed (taken or reserved name)"),
             "fields[].fieldType": (_T, "as protected or plain text"),
             f"extensions[{EXTENSION}]": _C,
             "label": (_N, "KeePass has no groups of fields")}
        ),
        "file": ledger.Table(
            {"id": (_T, "a new id when read back"), "name": _C, "decryptedSize": _C,
             "integrityHash": _C}
        ),
    },
    header=ledger.Table(default=(_N, "KeePass keeps no CXF export header")),
    accounts={
        "": ledger.Table(
            {f"extensions[{EXTENSION}].root.name": (_C, "as the root group's name"),
             f"extensions[{EXTENSION}].databaseName": _C,
             "email": (_N, "KeePass keeps no account e-mail")},
            default=(_N, "KeePass keeps no account (id, user name, name)"),
            unknown=(_N, "KeePass has no place for account extensions"),
        ),
        "many": ledger.Table(
            {"username": (_T, "as the name of the account's group"),
             "email": (_N, "KeePass keeps no account e-mail")},
            default=(_N, "KeePass keeps no account (id, user name, name)"),
            unknown=(_N, "KeePass has no place for account extensions"),
        ),
    },
    collections=ledger.Table(
        {"title": _C, "creationAt": _C, "modifiedAt": _C,
         "id": (_T, "as the group's UUID"),
         "items[].item": (_T, "as the group holding the entry"),
         "items[].account": (_N, "KeePass keeps no account"),
         "subtitle": (_N, "KeePass groups have no subtitle"),
         **{f"extensions[{EXTENSION}].{k}": _C for k in ("notes", "icon", "tags", "recycleBin")}},
        unknown=NO_PLACE,
    ),
)  # fmt: skip
"""What the KDBX writer carries of each CXF item (:mod:`cxkit.adapters.kit.ledger`); further
TOTPs and notes, and credential types KeePass has no place for, are written as string
attributes (:data:`~cxkit.adapters.kit.ledger.FIELDS`). Collections become nested groups with
their titles and times; one account is the database, several are groups named after them."""


def _scope_strings(scope: m.CredentialScope, strings: dict[str, kdbx.StringField],
                   no_main_url: bool) -> None:  # fmt: skip
    """``URL`` (the first URL, unless *no_main_url*) and ``KP2A_URL``, ``KP2A_URL_1``, ... (the
    further URLs, then the Android apps as ``androidapp://`` URLs)."""
    urls = list(scope.urls)
    if urls and not no_main_url:
        strings["URL"] = kdbx.StringField(urls.pop(0))
    if scope.android_apps:
        urls += [f"androidapp://{a.bundle_id}" for a in scope.android_apps]
    for n, url in enumerate(urls):
        strings["KP2A_URL" if n == 0 else f"KP2A_URL_{n}"] = kdbx.StringField(url)


_SF: Final = kdbx.StringField
_LOGIN_MODE: Final = ledger.written_as("basic-auth")
_NOTE_MODE: Final = ledger.written_as("note")
_TOTP_MODE: Final = ledger.written_as("totp")
_JOINED_MODE: Final = ledger.written_as(ledger.FIELDS)
_CARRIED: Final = Outcome.CARRIED
_TRANSFORMED: Final = Outcome.TRANSFORMED
_CredRow = tuple[str, str, str, Outcome, str, str, int]
"""A credential row of the report: (stage, type, item, outcome, note, item id, index)."""


def _direct_strings(
    item: m.Item, rows: list[_CredRow], *, flatten: bool
) -> tuple[list[tuple[str, str, bool]], list[Any]] | None:
    """The strings of an item the direct paths write, as ``(key, value, protected)`` in the
    order KeePass writes them, and its credential modes; its report rows added to *rows*.

    The item: no extension; a login, a TOTP and notes (each but the notes at most once) — the
    usual item of a browser, CSV or password-manager export — and with *flatten* also the
    credentials KeePass has no place for (:data:`_FLATTENED`: 1Password's cards and identities,
    ...; a further login), each written as custom strings ``type: member``, as
    :meth:`_EntryWriter.flatten` writes them (same names, same report rows). None for any other
    item (a further TOTP, a passkey, custom fields, files, a credential whose members cannot be
    listed): nothing recorded then, the model path takes it."""
    if item.extensions:
        return None
    start = len(rows)
    title, item_id = item.title, item.id
    strings: dict[str, tuple[str, bool]] = {"Title": (title, False)}
    scope = item.scope
    if scope is not None:
        urls = list(scope.urls)
        if urls:
            strings["URL"] = (urls.pop(0), False)
        if scope.android_apps:
            urls += [f"androidapp://{a.bundle_id}" for a in scope.android_apps]
        for n, url in enumerate(urls):
            strings["KP2A_URL" if n == 0 else f"KP2A_URL_{n}"] = (url, False)
    modes: list[Any] = []
    notes: list[str] = []
    login = totp = False
    for index, cred in enumerate(item.credentials):
        kind = type(cred)
        if kind is _Login and not login:
            login = True
            basic: m.BasicAuth = cred  # type: ignore[assignment]  # (type(), not isinstance)
            user, password = basic.username, basic.password
            if user is not None:
                strings["UserName"] = (user.value, False)
            if password is not None:
                strings["Password"] = (password.value, True)
            rows.append(("write", "basic-auth", title, _CARRIED, "", item_id, index))
            modes.append(_LOGIN_MODE)
        elif kind is _Otp and not totp:
            totp = True
            strings["otp"] = (format_otp(cred), True)  # type: ignore[arg-type]
            rows.append(("write", "totp", title, _CARRIED, "", item_id, index))
            modes.append(_TOTP_MODE)
        elif kind is _Note:
            notes.append(cred.content.value)  # type: ignore[union-attr]
            if len(notes) == 1:
                rows.append(("write", "note", title, _CARRIED, "", item_id, index))
                modes.append(_NOTE_MODE)
            else:
                rows.append(("write", "note", title, _TRANSFORMED, "joined to Notes", item_id,
                             index))  # fmt: skip
                modes.append(_JOINED_MODE)
        elif flatten and (kind in _FLATTENED or kind is _Login):
            ctype = _credential_type(cred)
            try:
                fields = credential_members(cred, ctype)
            except (CxkitError, ValueError, TypeError):  # the model path reports it
                del rows[start:]
                return None
            for f in fields:  # as _EntryWriter.put: a taken or reserved name suffixed
                base = f.name or "Field"
                name, n = base, 2
                while name in strings or name in _RESERVED:
                    name = f"{base} ({n})"
                    n += 1
                strings[name] = (f.text or "", f.hidden)
            rows.append(("write", ctype, title, _TRANSFORMED,
                         f"{len(fields)} custom attributes '{ctype}: …'", item_id, index))  # fmt: skip
            modes.append(_JOINED_MODE)
        else:
            del rows[start:]
            return None
    if notes:
        strings["Notes"] = ("\n\n".join(notes), False)
    return [(key, value, protected) for key, (value, protected) in strings.items()], modes


def _plain_entry(item: m.Item, rows: list[_CredRow]) -> tuple[kdbx.Entry, list[Any]] | None:
    """The entry and the credential modes of a plain item (:func:`_direct_strings` without
    flattening: a login, a TOTP, notes) in one pass:
    what :meth:`_EntryWriter.build` makes of it (a test holds the two equal). None for any
    other item (nothing recorded then)."""
    plain = _direct_strings(item, rows, flatten=False)
    if plain is None:
        return None
    strings = {key: _SF(value, protected) for key, value, protected in plain[0]}
    created, modified = item.creation_at, item.modified_at
    times = kdbx.Times(
        None if created is None else _dt(created), None if modified is None else _dt(modified)
    )
    entry = kdbx.Entry(_uuid_of(item.id), strings, [], list(item.tags), times, 0, None, "", "",
                       "", [], [])  # fmt: skip
    return entry, plain[1]


# what datetime.fromtimestamp accepts (years 1 to 9999): the writer writes the document's time
# for any other CXF time (as it does for the None that _dt gives then)
_FIRST_SECOND: Final = -62135596800
_LAST_SECOND: Final = 253402300799


def _time_text(seconds: int | None) -> str:
    """The KDBX 4 text of a CXF time, ``""`` when the writer writes the document's time."""
    if seconds is None or not _FIRST_SECOND <= seconds <= _LAST_SECOND:
        return ""
    return _kdbx_time_text(seconds)


_kdbx_time_text: Final = _xml.kdbx_time_text
_prepare_entry: Final = _xml.prepare_entry
_b2a: Final = binascii.b2a_base64


_PASSWORD_OPEN: Final = '<String><Key>Password</Key><Value Protected="True">'  # noqa: S105
_OTP_OPEN: Final = '<String><Key>otp</Key><Value Protected="True">'
_VALUE_CLOSE: Final = "</Value></String>"
_ENTRY_CLOSE: Final = "<History/></Entry>"
_NO_TAGS: Final = "<Tags/>"
_ENTRY_OPEN: Final = "<Entry><UUID>"
_ENTRY_LOOK: Final = f"</UUID><IconID>0</IconID>{_xml.NO_LOOK}"
_plain: Final = _xml.plain
_Prepared: Final = _xml.PreparedEntry
_Login: Final = m.BasicAuth
_Otp: Final = m.Totp
_Note: Final = m.Note


def _plain_prepared(
    item: m.Item, rows: list[_CredRow]
) -> tuple[_xml.PreparedEntry, str, list[Any]] | None:
    """:func:`_plain_entry` written straight to XML (issue #13): the entry as
    :class:`cxkit.kdbx._xml.PreparedEntry`, its UUID's text, and the credential modes;
    the same report rows, and the same XML as the entry :func:`_plain_entry` makes (a test
    holds the two equal, byte for byte). None for any other item (nothing recorded then).

    One pass over the item that writes its XML as it goes (what :func:`_direct_strings` and
    :func:`cxkit.kdbx._xml.prepare_entry` make, without the list of strings between them);
    an item with a text to escape (rare: ``&``, ``<``, ``>``, a CR, a control character) or
    with a card, an identity, ... goes the two-step way (:func:`_strings_prepared`)."""
    if item.extensions:
        return None
    start = len(rows)
    title, item_id = item.title, item.id
    check = [title]  # the texts written as they are: one look for anything to escape
    xml = [f"<String><Key>Title</Key><Value>{title}</Value></String>"]
    scope = item.scope
    if scope is not None:
        urls, apps = scope.urls, scope.android_apps
        if len(urls) == 1 and not apps:  # the usual scope: one URL
            url = urls[0]
            check.append(url)
            xml.append(f"<String><Key>URL</Key><Value>{url}</Value></String>")
        elif urls or apps:
            further = list(urls)
            if further:
                url = further.pop(0)
                check.append(url)
                xml.append(f"<String><Key>URL</Key><Value>{url}</Value></String>")
            further += [f"androidapp://{a.bundle_id}" for a in apps]
            for n, url in enumerate(further):
                check.append(url)
                key = "KP2A_URL" if n == 0 else f"KP2A_URL_{n}"
                xml.append(f"<String><Key>{key}</Key><Value>{url}</Value></String>")
    parts: list[str] = []  # the XML before each protected value, and the value
    modes: list[Any] = []
    notes: list[str] | None = None
    login = totp = False
    for index, cred in enumerate(item.credentials):
        kind = type(cred)
        if kind is _Login and not login:
            login = True
            basic: m.BasicAuth = cred  # type: ignore[assignment]  # (type(), not isinstance)
            user, password = basic.username, basic.password
            if user is not None:
                value = user.value
                check.append(value)
                xml.append(f"<String><Key>UserName</Key><Value>{value}</Value></String>")
            if password is not None:
                xml.append(_PASSWORD_OPEN)
                parts += ("".join(xml), password.value)
                xml = [_VALUE_CLOSE]
            rows.append(("write", "basic-auth", title, _CARRIED, "", item_id, index))
            modes.append(_LOGIN_MODE)
        elif kind is _Otp and not totp:
            totp = True
            xml.append(_OTP_OPEN)
            parts += ("".join(xml), format_otp(cred))  # type: ignore[arg-type]
            xml = [_VALUE_CLOSE]
            rows.append(("write", "totp", title, _CARRIED, "", item_id, index))
            modes.append(_TOTP_MODE)
        elif kind is _Note:
            content = cred.content.value  # type: ignore[union-attr]
            if notes is None:
                notes = [content]
                rows.append(("write", "note", title, _CARRIED, "", item_id, index))
                modes.append(_NOTE_MODE)
            else:
                notes.append(content)
                rows.append(("write", "note", title, _TRANSFORMED, "joined to Notes", item_id,
                             index))  # fmt: skip
                modes.append(_JOINED_MODE)
        elif kind in _FLATTENED or kind is _Login:  # a card, an identity, a further login
            del rows[start:]
            return _strings_prepared(item, rows)
        else:  # not the usual item
            del rows[start:]
            return None
    if notes is not None:
        text = notes[0] if len(notes) == 1 else "\n\n".join(notes)
        check.append(text)
        xml.append(f"<String><Key>Notes</Key><Value>{text}</Value></String>")
    tags = ";".join(item_tags) if (item_tags := item.tags) else ""
    check.append(tags)
    if not _plain("".join(check)):  # something to escape: the two-step way
        del rows[start:]
        return _strings_prepared(item, rows)
    xml.append(_ENTRY_CLOSE)
    if _ID16.fullmatch(item_id) is not None:  # as _uuid_of: the id's 16 bytes, whose
        # standard base64 is the id's own text (canonical: the unused bits are zero)
        uuid_text = item_id.replace("-", "+").replace("_", "/") + "=="
    else:
        uuid_text = _uuid_text(hashlib.sha256(item_id.encode()).digest()[:16])
    created, modified = item.creation_at, item.modified_at
    entry = _Prepared(
        (
            f"{_ENTRY_OPEN}{uuid_text}{_ENTRY_LOOK}<Tags>{tags}</Tags>"
            if tags
            else f"{_ENTRY_OPEN}{uuid_text}{_ENTRY_LOOK}{_NO_TAGS}",
            "" if created is None else _time_text(created),
            "" if modified is None else _time_text(modified),
            *parts,
            "".join(xml),
        )
    )
    return entry, uuid_text, modes


# what _EntryWriter.build writes as custom strings (_EntryWriter.flatten) when no extension asks
# for more: the credential types KeePass has no place for (and a further login)
_FLATTENED: Final = frozenset({m.Address, m.ApiKey, m.CreditCard, m.DriversLicense,
                               m.GeneratedPassword, m.IdentityDocument, m.Passport, m.PersonName,
                               m.SshKey, m.Wifi})  # fmt: skip
_credential_type: Final = cxf.credential_type


def _strings_prepared(
    item: m.Item, rows: list[_CredRow]
) -> tuple[_xml.PreparedEntry, str, list[Any]] | None:
    """:func:`_plain_prepared` the two-step way, for an item with a text to escape or with
    credentials KeePass has no place for: its strings (:func:`_direct_strings`, flattening),
    then their XML (:func:`cxkit.kdbx._xml.prepare_entry`, which escapes each text)."""
    direct = _direct_strings(item, rows, flatten=True)
    if direct is None:
        return None
    strings, modes = direct
    uuid_text = _entry_uuid_text(item.id)
    entry = _prepare_entry(
        uuid_text,
        ";".join(item.tags),
        _time_text(item.creation_at),
        _time_text(item.modified_at),
        strings,
    )
    return entry, uuid_text, modes


def _entry_uuid_text(item_id: str) -> str:
    """The base64 of the UUID :func:`_uuid_of` gives *item_id*."""
    if _ID16.fullmatch(item_id) is not None:  # the id's 16 bytes, whose standard base64 is
        # the id's own text (canonical: the unused bits are zero)
        return item_id.replace("-", "+").replace("_", "/") + "=="
    return _uuid_text(hashlib.sha256(item_id.encode()).digest()[:16])


def _uuid_text(raw: bytes) -> str:
    """The text KDBX 4 writes for a UUID of bytes *raw* (its standard base64)."""
    return _b2a(raw, newline=False).decode("ascii")


def _with_uuid(entry: _xml.PreparedEntry, text: str) -> _xml.PreparedEntry:
    """*entry* with the UUID of base64 *text* instead of its own."""
    head = entry[0]
    start = len("<Entry><UUID>")
    return _xml.PreparedEntry((head[:start] + text + head[head.index("</UUID>") :], *entry[1:]))


def document_to_database(
    doc: cxf.Document, report: MigrationReport, attachments: Any = None
) -> kdbx.Database:
    """A CXF document → a KeePass database (attachment bytes from *attachments*)."""
    with paused_gc():  # ~10 new objects per entry, none in a cycle (as the CXF decoder does)
        return _document_to_database(doc, report, attachments)


def _document_to_database(
    doc: cxf.Document, report: MigrationReport, attachments: Any, prepare: bool = False
) -> kdbx.Database:
    """:func:`document_to_database`; with *prepare* the usual items become
    :class:`cxkit.kdbx._xml.PreparedEntry` objects (for the KDBX writer only)."""
    db = kdbx.Database()
    db.meta.generator = "cxkit"
    accounts = doc.accounts
    many = len(accounts) > 1
    WRITTEN.record_document(report, doc, "many" if many else "")
    used_uuids: set[int | str] = set()
    rows: list[_CredRow] = []  # the report's credential rows, added at the end in one call
    for a_index, account in enumerate(accounts):
        aext = _ext(account)
        if not many:
            root_info: dict[str, Any] = aext["root"] if isinstance(aext.get("root"), dict) else {}
            if isinstance(root_info.get("name"), str):
                db.root.name = root_info["name"]
            if isinstance(aext.get("databaseName"), str):
                db.meta.database_name = aext["databaseName"]
            top = db.root
        else:
            top = kdbx.Group(name=account.username or account.email or "Account")
            db.root.groups.append(top)
        placement: dict[str, kdbx.Group] = {}
        for col in account.collections:
            _group_of(col, top, placement, db, report)
        record = WRITTEN.record
        prefix = f"$.accounts[{a_index}].items["
        top_entries = top.entries
        for i_index, item in enumerate(account.items):
            where = f"{prefix}{i_index}]"
            if prepare and (ready := _plain_prepared(item, rows)) is not None:
                prepared, text, modes = ready
                record(report, where, item, modes)
                if text in used_uuids:  # an id seen before: a fresh UUID (as below)
                    while text in used_uuids:
                        text = _uuid_text(uuid.uuid4().bytes)
                    prepared = _with_uuid(prepared, text)
                used_uuids.add(text)
                # (a PreparedEntry among the entries: for the KDBX writer only)
                (placement.get(item.id, top).entries if placement else top_entries).append(
                    prepared  # type: ignore[arg-type]
                )
                report.items_written += 1
                continue
            plain = None if prepare else _plain_entry(item, rows)  # (prepare: not plain)
            if plain is not None:
                entries: list[kdbx.Entry] = [plain[0]]
                record(report, where, item, plain[1])
            else:
                writer = _EntryWriter(item, report, attachments, rows)
                try:
                    entries = writer.build()
                except (CxkitError, ValueError, TypeError) as exc:
                    # none of the item is written: every credential is reported not carried
                    rows += [
                        (
                            "write",
                            cxf.credential_type(cred),
                            item.title,
                            Outcome.NOT_CARRIED,
                            "the item could not be written",
                            item.id,
                            index,
                        )
                        for index, cred in enumerate(item.credentials)
                    ]
                    message = exc.message if isinstance(exc, CxkitError) else type(exc).__name__
                    report.skip_item(item.title, f"cannot be written: {message}")
                    unwritten = ("*dropped", "the item could not be written")
                    record(report, where, item, [unwritten] * len(item.credentials), "skipped")
                    continue
                writer.flush()
                record(report, where, item, writer.modes)
            group = placement.get(item.id, top)
            for entry in entries:  # (the UUID's text when prepared entries are among them)
                key = entry.uuid.int if not prepare else _uuid_text(entry.uuid.bytes)
                while key in used_uuids:
                    entry.uuid = uuid.uuid4()
                    key = entry.uuid.int if not prepare else _uuid_text(entry.uuid.bytes)
                used_uuids.add(key)
            group.entries += entries
            report.items_written += 1
    report.credentials.add_rows(rows)
    return db


def _group_of(
    col: m.Collection,
    parent: kdbx.Group,
    placement: dict[str, kdbx.Group],
    db: kdbx.Database,
    report: MigrationReport,
) -> None:
    """A collection (and its sub-collections) → a group of *parent*; *placement* learns the
    group of each item it links (the first collection wins)."""
    cext = _ext(col)
    group = kdbx.Group(uuid=_uuid_of(col.id) if col.id else uuid.uuid4(), name=col.title)
    group.times = kdbx.Times(creation=_dt(col.creation_at),
                             last_modification=_dt(col.modified_at))  # fmt: skip
    if isinstance(cext.get("notes"), str):
        group.notes = cext["notes"]
    if isinstance(cext.get("icon"), int):
        group.icon_id = cext["icon"]
    if isinstance(cext.get("tags"), list):
        group.tags = [t for t in cext["tags"] if isinstance(t, str)]
    if cext.get("recycleBin"):
        db.meta.recycle_bin_uuid = group.uuid
    parent.groups.append(group)
    for link in col.items:
        if link.item in placement and placement[link.item] is not group:
            report.warnings.append(
                f"an item is in several collections; KeePass keeps it in "
                f"'{placement[link.item].name}' only"
            )
        placement.setdefault(link.item, group)
    for sub in col.sub_collections:
        _group_of(sub, group, placement, db, report)


# =========================================================================== the adapter


class KeePassKdbxAdapter:
    info: Final = AdapterInfo(
        key="keepass-kdbx",
        app="KeePass, KeePassXC, KeePassDX, Strongbox, KeePassium",
        format="KDBX database (read 3.1/4.x, write 4.0; passkeys as KPEX_PASSKEY_* attributes)",
        versions="KDBX 3.1, 4.0, 4.1 (AES-256, ChaCha20 or Twofish)",
        capabilities=Capability.READ | Capability.WRITE | Capability.ENCRYPTED,
        credential_types=_CARRIES,
        how_to_import=(
            "Open the database in KeePassXC, KeePass 2, KeePassDX, Strongbox, KeePassium or "
            "MacPass with the password you gave (and key file); to add it to a database you "
            "already use, KeePassXC: Database → Merge from database."
        ),
        how_to_export=_HOW_TO,
        extensions=(".kdbx",),
        magic=(KDBX_MAGIC,),
        plaintext=False,
    )

    def __init__(self, write_options: kdbx.WriteOptions | None = None) -> None:
        self.kdbx_options = write_options

    def accepts(self, sample: Sample) -> Confidence:
        return accepts_by_hints(self.info, sample)  # the magic bytes

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        if not sample.data.startswith(KDBX_MAGIC):
            raise kdbx.KdbxFormatError("not a KDBX database", location=sample.name or None)
        if options.password is None and options.keyfile is None:
            raise PasswordNeededError(
                "this KeePass database is encrypted", location=sample.name or None,
                hint="give its password (and/or --keyfile FILE)",
            )  # fmt: skip
        password = (
            options.password("password of the KeePass database") if options.password else None
        )
        try:
            db = kdbx.read_kdbx(sample.data, password=password, keyfile=options.keyfile)
        except CxkitError as exc:
            exc.location = f"{sample.name}: {exc.location}" if exc.location else sample.name or None
            raise
        for warning in db.warnings:
            report.warnings.append(warning)
        return database_to_document(
            db, report, attachments=options.attachments, include_recycle_bin=options.include_trashed
        )

    def write(self, doc: cxf.Document, options: WriteOptions, report: MigrationReport) -> bytes:
        with paused_gc():  # the usual items straight to XML: the database goes to the writer only
            db = _document_to_database(doc, report, options.attachments, prepare=True)
        report.encrypted = True
        report.plaintext = False
        if report.dry_run:  # nothing is written: no password asked, no key derived
            return b""
        if options.password is None and options.keyfile is None:
            raise PasswordNeededError("a password is needed to write a KeePass database")
        password = (
            options.password("new password for the KeePass database") if options.password else None
        )
        with paused_gc():  # the XML pieces: many short-lived strings, no cycles
            return kdbx.write_kdbx(
                db,
                password=password,
                keyfile=options.keyfile,
                options=self.kdbx_options or KDBX_WRITE_OPTIONS,
            )
