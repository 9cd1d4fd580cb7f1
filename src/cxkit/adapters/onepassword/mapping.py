"""1Password items ⇄ CXF (``../shared/formats/onepassword.md`` §1, §3, §4).

1PUX, 1PIF and OPVault items carry the same data under different member names:

=================  ======================  ==========================  =====================
                   1PUX                    1PIF                        OPVault (decrypted)
=================  ======================  ==========================  =====================
category           ``categoryUuid`` 001…   ``typeName`` webforms…      ``category`` 001…
title, URLs, tags  ``overview``            top level, ``location``,    ``o``
                                           ``openContents.tags``
fields, sections   ``details``             ``secureContents``          ``d``
section field      ``{title, id, value:    ``{t, n, k, v, a}``         ``{t, n, k, v, a}``
                   {kind: v}}``
=================  ======================  ==========================  =====================

:class:`ItemWalk` reads one item on the kit's :class:`~cxkit.adapters.kit.builder.ItemBuilder`
given a :class:`Layout` (where each format keeps what): the login pair (``designation``
``username``/``password``; category 005 keeps its password in ``details.password``), every URL,
TOTP fields, notes, credit cards, identities (person name, address), passports, driver
licences, SSN, Wi-Fi, SSH keys, API credentials, the server/database/e-mail logins, password
history (hidden custom fields), documents and file attachments (CXF ``file``), passkeys named
without a private key (listed to re-create). Every other section field becomes a custom field
in a group named by its section; each source leaf is recorded once, the leaves no rule took are
swept into hidden custom fields (format drift never drops a value).
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from cxkit.adapters.kit.builder import ItemBuilder, Val
from cxkit.adapters.kit.values import scalar_text, ssh_private_to_pkcs8
from cxkit.adapters.report import Disposition, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError

__all__ = [
    "CATEGORIES",
    "CREDENTIAL_TYPES",
    "EXTENSION",
    "LEGACY_TYPES",
    "ItemWalk",
    "Layout",
    "file_id",
]

EXTENSION: Final = "cxkit/1password"
"""The items' extension (``trashed`` for archived/trashed items read with --include-trashed)."""
_MEMBER: Final = Disposition.MEMBER
_CUSTOM: Final = Disposition.CUSTOM_FIELD
_NOT_CARRIED: Final = Disposition.NOT_CARRIED
_EXTENSION: Final = Disposition.EXTENSION

#: ``categoryUuid`` → name (the format notes' list).
CATEGORIES: Final = {
    "001": "Login", "002": "Credit Card", "003": "Secure Note", "004": "Identity",
    "005": "Password", "006": "Document", "100": "Software License", "101": "Bank Account",
    "102": "Database", "103": "Driver License", "104": "Outdoor License", "105": "Membership",
    "106": "Passport", "107": "Rewards", "108": "Social Security Number",
    "109": "Wireless Router", "110": "Server", "111": "Email Account", "112": "API Credential",
    "113": "Medical Record", "114": "SSH Key",
}  # fmt: skip
#: 1PIF ``typeName`` → category code.
LEGACY_TYPES: Final = {
    "webforms.WebForm": "001", "wallet.financial.CreditCard": "002",
    "securenotes.SecureNote": "003", "identities.Identity": "004", "passwords.Password": "005",
    "wallet.computer.License": "100", "wallet.financial.BankAccountUS": "101",
    "wallet.computer.Database": "102", "wallet.government.DriversLicense": "103",
    "wallet.government.HuntingLicense": "104", "wallet.membership.Membership": "105",
    "wallet.government.Passport": "106", "wallet.membership.RewardProgram": "107",
    "wallet.government.SsnUS": "108", "wallet.computer.Router": "109",
    "wallet.computer.UnixServer": "110", "wallet.onlineservices.Email.v2": "111",
}  # fmt: skip
CREDENTIAL_TYPES: Final = frozenset(
    {"basic-auth", "totp", "note", "credit-card", "person-name", "address", "passport",
     "drivers-license", "identity-document", "wifi", "ssh-key", "api-key", "custom-fields",
     "file"}
)  # fmt: skip

#: Field kinds of the legacy section fields (``k``) → the 1PUX value kinds.
_LEGACY_KINDS: Final = {"cctype": "creditCardType", "URL": "url", "concealed": "concealed"}
#: Members of a field that describe it (recorded with its value).
_FIELD_META: Final = frozenset(
    {"id", "name", "title", "fieldType", "type", "designation", "guarded", "multiline",
     "dontGenerate", "inputTraits", "clipboardFilter", "k", "n", "t", "a"}
)  # fmt: skip
#: Members 1Password derives or keeps for its own screens (recorded not carried, with why).
_NOISE: Final = {
    "ps": "1Password's password-strength score",
    "pbe": "1Password's password-entropy estimate",
    "pgrng": "1Password's generator flag",
    "ainfo": "a summary 1Password derives from the fields",
    "subtitle": "a summary 1Password derives from the fields",
    "icons": "1Password's site icon settings",
    "watchtowerExclusions": "1Password Watchtower settings",
    "htmlForm": "the web form 1Password saved the login from (its layout, not credentials)",
    "autosubmit": "1Password's auto-submit preference",
    "layout": "1Password's screen layout",
    "sectionsRequired": "1Password's template flag",
    "passwordDetails": "1Password's password-generator settings",
    "contentsHash": "1Password's change hash",
    "securityLevel": "1Password's legacy security level",
    "openContents": "1Password's legacy display settings",
    "locationKey": "1Password's key of the URL (derived from it)",
    "mode": "1Password's URL-matching mode",
    "indexAtSource": "1Password's field order",
    "hideAddAnotherField": "1Password's screen layout",
}
_PARTS: Final = re.compile(r"[.\[\]]+")
_CARD: Final = {
    "cardholder": ("full_name", "string"), "ccnum": ("number", "concealed-string"),
    "cvv": ("verification_number", "concealed-string"), "pin": ("pin", "concealed-string"),
    "expiry": ("expiry_date", "year-month"), "validFrom": ("valid_from", "year-month"),
    "type": ("card_type", "string"),
}  # fmt: skip
_PASSPORT: Final = {
    "type": ("passport_type", "string"), "issuing_country": ("issuing_country", "country-code"),
    "number": ("passport_number", "string"), "fullname": ("full_name", "string"),
    "sex": ("sex", "string"), "nationality": ("nationality", "string"),
    "issuing_authority": ("issuing_authority", "string"), "birthdate": ("birth_date", "date"),
    "birthplace": ("birth_place", "string"), "issue_date": ("issue_date", "date"),
    "expiry_date": ("expiry_date", "date"),
}  # fmt: skip
_DRIVER: Final = {
    "fullname": ("full_name", "string"), "birthdate": ("birth_date", "date"),
    "number": ("license_number", "string"), "class": ("license_class", "string"),
    "state": ("territory", "subdivision-code"), "country": ("country", "country-code"),
    "expiry_date": ("expiry_date", "date"),
}  # fmt: skip
_SSN: Final = {"name": ("full_name", "string"), "number": ("identification_number", "string")}
_WIFI: Final = {
    "network_name": ("ssid", "string"), "wireless_password": ("passphrase", "concealed-string"),
    "wireless_security": ("network_security_type", "wifi-network-security-type"),
}  # fmt: skip
_API: Final = {
    "credential": ("key", "concealed-string"), "username": ("username", "string"),
    "type": ("key_type", "string"), "hostname": ("url", "string"),
    "validFrom": ("valid_from", "date"), "expires": ("expiry_date", "date"),
}  # fmt: skip
_NAME: Final = {"firstname": "given", "initial": "given2", "lastname": "surname"}
#: An address field's members → (Address member, field type).
_ADDRESS: Final = {
    "street": ("street_address", "string"), "city": ("city", "string"),
    "zip": ("postal_code", "string"), "state": ("territory", "subdivision-code"),
    "country": ("country", "country-code"),
}  # fmt: skip
#: category → (credential class, member table): section fields by name (``n``/``id``).
_STRUCTURED: Final[dict[str, tuple[type[Any], Mapping[str, tuple[str, str]]]]] = {
    "002": (m.CreditCard, _CARD),
    "106": (m.Passport, _PASSPORT),
    "103": (m.DriversLicense, _DRIVER),
    "108": (m.IdentityDocument, _SSN),
    "109": (m.Wifi, _WIFI),
    "112": (m.ApiKey, _API),
}
#: category → (username field, password field, URL field) of section fields that are a login.
_SECTION_LOGINS: Final = {
    "102": ("username", "password", "hostname"),
    "110": ("username", "password", "url"),
    "111": ("pop_username", "pop_password", "pop_server"),
}
_WIFI_SECURITY: Final = {
    "none": "unsecured", "wep": "wep", "wpa": "wpa-personal", "wpa2p": "wpa2-personal",
    "wpa2e": "", "wpa3p": "wpa3-personal", "wpa3e": "",
}  # fmt: skip
_USER_NAMES: Final = frozenset({"username", "user", "login", "email", "log"})
_PASSWORD_NAMES: Final = frozenset({"password", "pass", "pwd"})
_UNKNOWN: Final = "member unknown to cxkit, kept as a hidden custom field"
_OP_GROUP: Final = "1p"
_LOST_PASSKEY: Final = "passkey: the export does not hold the passkey's private key"  # as the kit's


@dataclass(frozen=True)
class Layout:
    """Where one format keeps an item's parts: *details* (the fields, sections and notes),
    the paths of the title, URLs and tags, and how a section field is written
    (``legacy``: ``{t, n, k, v}``)."""

    details: str
    title: tuple[str, ...]
    url: tuple[str, ...]
    urls: tuple[str, ...]
    url_keys: tuple[str, str]
    """(URL member, label member) of an entry of :attr:`urls`."""
    tags: tuple[str, ...]
    legacy: bool


def file_id(*parts: str) -> str:
    """The CXF ``File.id`` of an attachment (a stable digest of where it came from)."""
    return b64.encode(
        hashlib.sha256("\x00".join(("1password-file", *parts)).encode()).digest()[:16]
    )


def _ef(value: str, field_type: str = "string", label: str | None = None) -> m.EditableField:
    return m.EditableField(field_type=field_type, value=value, label=label)


def _get(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


@functools.cache  # a layout's few paths, asked for every item
def _at(path: tuple[str, ...]) -> str:
    return "".join(f".{p}" for p in path)


def _leaves(value: Any, at: str) -> list[tuple[str, Any]]:
    """(path, value) of every leaf under *value* (None included: it is an empty leaf)."""
    out: list[tuple[str, Any]] = []
    _collect(value, at, out)
    return out


def _collect(value: Any, at: str, out: list[tuple[str, Any]]) -> None:
    # one recursive function filling a list: cheaper than nested generators (one call per leaf)
    kind = type(value)
    if kind is dict:
        append = out.append
        for k, v in value.items():
            t = type(v)
            if t is dict or t is list:
                _collect(v, f"{at}.{k}", out)
            else:
                append((f"{at}.{k}", v))
    elif kind is list:
        append = out.append
        for i, v in enumerate(value):
            t = type(v)
            if t is dict or t is list:
                _collect(v, f"{at}[{i}]", out)
            else:
                append((f"{at}[{i}]", v))
    else:
        out.append((at, value))


def _unseen(value: Any, at: str, seen: set[str], out: list[tuple[str, Any]]) -> None:
    """:func:`_collect` of the leaves whose path is not in *seen* (the sweep's: most are)."""
    kind = type(value)
    if kind is dict:
        for k, v in value.items():
            t = type(v)
            if t is dict or t is list:
                _unseen(v, f"{at}.{k}", seen, out)
            else:
                leaf = f"{at}.{k}"
                if leaf not in seen:
                    out.append((leaf, v))
    elif kind is list:
        for i, v in enumerate(value):
            t = type(v)
            if t is dict or t is list:
                _unseen(v, f"{at}[{i}]", seen, out)
            else:
                leaf = f"{at}[{i}]"
                if leaf not in seen:
                    out.append((leaf, v))
    elif at not in seen:
        out.append((at, value))


_WHY: dict[str, str | None] = {}
"""Why the sweep does not carry a leaf at a path (the first part of it in :data:`_NOISE`), by
path: items of one export share most paths (``.overview.ps``); bounded by :data:`_WHY_MAX`."""
_WHY_MAX: Final = 4096


def _noise(at: str) -> str | None:
    """The :data:`_NOISE` reason of the first part of path *at* that has one, or None."""
    why = _WHY.get(at, _WHY)
    if why is not _WHY:
        return why  # type: ignore[return-value]
    why = next((_NOISE[p] for p in _PARTS.split(at) if p in _NOISE), None)
    if len(_WHY) < _WHY_MAX:
        _WHY[at] = why
    return why


def _date_text(value: Any) -> str | None:
    """A 1Password date (Unix seconds) → ``YYYY-MM-DD``; None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            return None
    try:
        return datetime.datetime.fromtimestamp(int(value), datetime.UTC).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return None


def _month_year(value: Any) -> str | None:
    """A 1Password ``monthYear`` (``202712``, or ``2027-12``/``12/2027`` text) → ``2027-12``."""
    text = scalar_text(value)
    if text is None:
        return None
    text = text.strip()
    if len(text) == 6 and text.isdigit():
        year, month = int(text[:4]), int(text[4:])
    else:
        from cxkit.adapters.kit.values import parse_card_expiry

        found = parse_card_expiry(text)
        if found is None:
            return None
        year, month = found
    if 1 <= month <= 12 and 1900 <= year <= 9999:
        return f"{year:04d}-{month:02d}"
    return None


def _convert(value: Any, field_type: str) -> str | None:
    """*value* as an EditableField of *field_type* needs it, or None when it is not one."""
    if field_type == "date":
        return _date_text(value)
    if field_type == "year-month":
        return _month_year(value)
    text = scalar_text(value)
    if text is None or not text.strip():
        return None
    if field_type == "country-code":
        text = text.strip()
        return text.upper() if len(text) == 2 and text.isalpha() and text.isascii() else None
    if field_type == "subdivision-code":
        text = text.strip()
        return text.upper() if "-" in text and 4 <= len(text) <= 6 else None
    if field_type == "wifi-network-security-type":
        return _WIFI_SECURITY.get(text.strip().lower()) or None
    return text


@dataclass
class _Field:
    """One section field, normalised: its name (``n``/``id``), title, kind, value and paths."""

    name: str
    title: str
    kind: str
    value: Any = field(repr=False)  # a value of the source (a password, a card number)
    at: str
    """The field object's path."""
    value_at: str
    """The path of its value (a leaf, or an object such as an address)."""
    section: str
    """The title of its section (the custom-fields group)."""
    obj: Mapping[str, Any] = field(repr=False)
    """The field object itself (at :attr:`at`)."""


class ItemWalk:
    """One 1Password item on the kit's builder *b* (see the module docstring). *raw*: the item
    as the format holds it (OPVault: with ``o``/``d`` decrypted); *files*: the bytes of a file
    attachment by (document id, file name), or None when the format holds none."""

    def __init__(
        self,
        b: ItemBuilder,
        raw: Mapping[str, Any],
        layout: Layout,
        category: str,
        *,
        files: Callable[[str, str], bytes | None] | None = None,
        files_note: str = "the export holds no file contents",
    ) -> None:
        self.b = b
        self.raw = raw
        self.layout = layout
        self.category = category
        self.files = files
        self.files_note = files_note
        self.seen: set[str] = set()
        self.attachments: dict[str, bytes] = {}
        self.lost: list[tuple[str, str]] = []
        self.groups: set[str] = set()
        details = raw.get(layout.details)
        self.details: Mapping[str, Any] = details if isinstance(details, dict) else {}
        self.d_at = f".{layout.details}"
        self.username: Val | None = None
        self.password: Val | None = None
        self.urls: list[Val] = []
        self._op_group = False  # the "1Password" group, defined on first use (before sections)

    # ------------------------------------------------------------------ recording

    def rec(self, at: str, disposition: Disposition, target: str = "", note: str = "") -> None:
        if at not in self.seen:
            self.seen.add(at)
            self.b.rec(at, disposition, target, note)

    def rec_all(
        self, value: Any, at: str, disposition: Disposition, target: str = "", note: str = ""
    ) -> None:
        for leaf, v in _leaves(value, at):
            if v is None or v == "":
                self.rec(leaf, _NOT_CARRIED, "", "empty")
            else:
                self.rec(leaf, disposition, target, note)

    def rec_meta(
        self, obj: Mapping[str, Any], at: str, disposition: Disposition, target: str
    ) -> None:
        """The describing members of a field object (its name, title, kind …) as its value."""
        seen, rec = self.seen, self.b.rec
        for key, value in obj.items():
            if key not in _FIELD_META:
                continue
            kind = type(value)
            if key == "a" or kind is dict or kind is list or isinstance(value, dict | list):
                self.rec_all(value, f"{at}.{key}", _NOT_CARRIED, "", "1Password display attributes")  # fmt: skip
                continue
            leaf = f"{at}.{key}"
            if leaf in seen:  # (what self.rec does, inlined: one call per member)
                continue
            seen.add(leaf)
            if value is None or value == "":
                rec(leaf, _NOT_CARRIED, "", "empty")
            else:
                rec(leaf, disposition, target, "")

    def custom(
        self, label: str, text: str, at: str, *, hidden: bool = False, group: str = "",
        field_type: str | None = None, note: str = "",
    ) -> None:  # fmt: skip
        """A custom field (in the default group or a section's)."""
        if at in self.seen:
            return
        self.seen.add(at)
        kind = field_type or ("concealed-string" if hidden else "string")
        self.b.custom(label, Val(text, at), group=group, field=_ef(text, kind, label), note=note)

    def op_group(self) -> str:
        """The custom-fields group of 1Password's own fields (made on first use, and always
        before the sections' groups: the groups' credentials follow in definition order)."""
        if not self._op_group:
            self._op_group = True
            self.b.define_group(_OP_GROUP, label="1Password", outcome=Outcome.TRANSFORMED,
                                note="1Password fields CXF has no member for, kept as custom fields")  # fmt: skip
        return _OP_GROUP

    def section_group(self, title: str) -> str:
        """The custom-fields group of the section *title* (made on first use)."""
        key = f"section:{title}"
        if key not in self.groups:
            self.op_group()
            self.groups.add(key)
            self.b.define_group(key, label=title or None)
        return key

    # ------------------------------------------------------------------ the item

    def build(self) -> None:
        layout, raw = self.layout, self.raw
        title = _get(raw, layout.title)
        if isinstance(title, str):
            at = _at(layout.title)
            self.b.title_text(title, at)
            self.seen.add(at)
        self.collect_urls()
        self.login_fields()
        details = self.details
        password = details.get("password")
        if isinstance(password, str) and password:
            at = f"{self.d_at}.password"
            if self.password is None:
                self.password = Val(password, at)
            else:
                self.custom("password", password, at, hidden=True, group=self.op_group())
        fields = list(self.section_fields())
        self.section_logins(fields)
        username, password, urls, seen = self.username, self.password, self.urls, self.seen
        self.b.login(username, password, urls)
        if username is not None:
            seen.add(username.at)
        if password is not None:
            seen.add(password.at)
        for v in urls:
            if v.text:
                seen.add(v.at)
        fields = self.totp_fields(fields)
        notes = details.get("notesPlain")
        if isinstance(notes, str) and notes:
            self.b.note(Val(notes, f"{self.d_at}.notesPlain"))
            self.seen.add(f"{self.d_at}.notesPlain")
        fields = self.structured(fields)
        fields = self.identity(fields)
        fields = self.ssh_keys(fields)
        fields = self.file_fields(fields)
        for f in fields:
            self.section_custom(f)
        self.document()
        self.passkeys()
        self.history()
        self.tags()

    def sweep(self) -> None:
        """Every leaf no rule took: known 1Password bookkeeping not carried (with why), values
        of unknown members hidden custom fields, empty ones not carried."""
        unseen: list[tuple[str, Any]] = []
        _unseen(self.raw, "", self.seen, unseen)
        for at, value in unseen:
            why = _noise(at)
            text = scalar_text(value)
            if why is not None:
                self.rec(at, _NOT_CARRIED, "", why)
            elif text is None or not text.strip():
                self.rec(at, _NOT_CARRIED, "", "empty")
            else:
                label = at.lstrip(".")
                self.custom(label, text, at, hidden=True, group=self.op_group(), note=_UNKNOWN)

    # ------------------------------------------------------------------ URLs and login

    def collect_urls(self) -> None:
        layout, raw = self.layout, self.raw
        main = _get(raw, layout.url)
        if isinstance(main, str) and main:
            self.urls.append(Val(main, _at(layout.url)))
        entries = _get(raw, layout.urls)
        if not isinstance(entries, list):
            return
        url_key, label_key = layout.url_keys
        base = _at(layout.urls)
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            url = entry.get(url_key)
            at = f"{base}[{i}]"
            if not isinstance(url, str) or not url:
                continue
            if any(v.text == url for v in self.urls):  # the main URL is listed again
                self.rec(f"{at}.{url_key}", _MEMBER, "scope.urls", "the same URL again")
            else:
                self.urls.append(Val(url, f"{at}.{url_key}"))
            label = entry.get(label_key)
            if isinstance(label, str) and label:
                self.rec(f"{at}.{label_key}", _NOT_CARRIED, "", "a URL's label (CXF URLs have none)")  # fmt: skip

    def login_fields(self) -> None:
        """``loginFields`` (1PUX) / ``fields`` (1PIF, OPVault): the designated pair → the
        login; the others → custom fields (kind ``P`` / ``password`` hidden)."""
        key = "loginFields" if "loginFields" in self.details else "fields"
        fields = self.details.get(key)
        if not isinstance(fields, list):
            return
        designated = {f.get("designation") for f in fields if isinstance(f, dict)}
        d_at = self.d_at
        for i, f in enumerate(fields):
            if not isinstance(f, dict):
                continue
            at = f"{d_at}.{key}[{i}]"
            text = f.get("value")
            if type(text) is not str:
                text = scalar_text(text)
            kind = f.get("fieldType", f.get("type"))
            designation = f.get("designation")
            if not text:
                continue
            if designation not in ("username", "password"):  # older exports: by name and kind
                name = (scalar_text(f.get("name")) or "").lower()
                if "username" not in designated and name in _USER_NAMES and kind in ("T", "E"):
                    designation = "username"
                elif "password" not in designated and name in _PASSWORD_NAMES and kind == "P":
                    designation = "password"
            v = Val(text, f"{at}.value")
            if designation == "username" and self.username is None:
                self.username = v
                self.rec_meta(f, at, _MEMBER, "basic-auth.username")
            elif designation == "password" and self.password is None:
                self.password = v
                self.rec_meta(f, at, _MEMBER, "basic-auth.password")
            else:
                label = scalar_text(f.get("name")) or scalar_text(f.get("id")) or f"field {i + 1}"
                hidden = kind in ("P", "password")
                ftype = "concealed-string" if hidden else "boolean" if kind == "C" else "string"
                if ftype == "boolean":
                    text = "true" if text.strip().lower() in ("✓", "true", "1", "y", "yes", "on") else "false"  # fmt: skip
                self.custom(label, text, f"{at}.value", field_type=ftype)
                self.rec_meta(f, at, _CUSTOM, f"custom-fields.{label}")

    # ------------------------------------------------------------------ sections

    def section_fields(self) -> Iterator[_Field]:
        sections = self.details.get("sections")
        if not isinstance(sections, list):
            return
        for i, section in enumerate(sections):
            s_at = f"{self.d_at}.sections[{i}]"
            if not isinstance(section, dict):
                continue
            title = scalar_text(section.get("title")) or ""
            if isinstance(section.get("title"), str):  # an untitled section: nothing to carry
                if title:
                    self.rec(f"{s_at}.title", _MEMBER, "custom-fields.label")
                else:
                    self.rec(f"{s_at}.title", _NOT_CARRIED, "", "empty")
            if isinstance(section.get("name"), str):
                self.rec(f"{s_at}.name", _NOT_CARRIED, "", "1Password's section id")
            fields = section.get("fields")
            if not isinstance(fields, list):
                continue
            for j, f in enumerate(fields):
                f_at = f"{s_at}.fields[{j}]"
                if not isinstance(f, dict):
                    continue
                field = self._field(f, f_at, title)
                if field is not None:
                    yield field
                elif self._empty(f):  # a template field never filled in
                    self.rec_all(
                        f, f_at, _NOT_CARRIED, "", "an empty field of 1Password's template"
                    )

    def _empty(self, f: Mapping[str, Any]) -> bool:
        """Whether section field *f* holds no value (``v`` absent or empty)."""
        if self.layout.legacy:
            return f.get("v") in (None, "")
        holder = f.get("value")
        return holder in (None, {}) or (
            isinstance(holder, dict)
            and len(holder) == 1
            and next(iter(holder.values())) in (None, "")
        )

    def _field(self, f: Mapping[str, Any], at: str, section: str) -> _Field | None:
        if self.layout.legacy:
            kind = scalar_text(f.get("k")) or "string"
            kind = _LEGACY_KINDS.get(kind, kind)
            name = scalar_text(f.get("n")) or ""
            title = scalar_text(f.get("t")) or ""
            value, value_at = f.get("v"), f"{at}.v"
            if kind == "concealed" and name.startswith("TOTP_"):
                kind = "totp"
        else:
            name = scalar_text(f.get("id")) or ""
            title = scalar_text(f.get("title")) or ""
            holder = f.get("value")
            if not isinstance(holder, dict) or len(holder) != 1:
                return None  # swept: kept as text
            kind, value = next(iter(holder.items()))
            value_at = f"{at}.value.{kind}"
        if value is None or value == "":
            return None
        return _Field(name, title, kind, value, at, value_at, section, f)

    def _take(self, f: _Field, disposition: Disposition, target: str, note: str = "") -> None:
        """Record field *f* (its value and its describing members) as taken."""
        self.rec_all(f.value, f.value_at, disposition, target, note)
        holder = f.obj
        if holder is not None:
            self.rec_meta(holder, f.at, disposition, target)

    def section_logins(self, fields: list[_Field]) -> None:
        """Server, database and e-mail account items: their user name and password fields are
        the item's login (when the login fields gave none)."""
        names = _SECTION_LOGINS.get(self.category)
        if names is None:
            return
        user, secret, url = names
        for f in fields:
            text = scalar_text(f.value)
            if not text:
                continue
            v = Val(text, f.value_at)
            if f.name == user and self.username is None:
                self.username = v
                self._take(f, _MEMBER, "basic-auth.username")
            elif f.name == secret and self.password is None:
                self.password = v
                self._take(f, _MEMBER, "basic-auth.password")
            elif f.name == url and f.kind in ("url", "string") and not self.urls:
                self.urls.append(v)
                self._take(f, _MEMBER, "scope.urls")

    def totp_fields(self, fields: list[_Field]) -> list[_Field]:
        rest = []
        for f in fields:
            text = scalar_text(f.value)
            if f.kind != "totp" or not text or f.value_at in self.seen:
                rest.append(f)
                continue
            form = self.b.totp(Val(text, f.value_at), label=f.title or "one-time password")
            self.seen.add(f.value_at)
            holder = f.obj
            if holder is not None:
                self.rec_meta(holder, f.at, _MEMBER if form else _CUSTOM, "totp")
        return rest

    def structured(self, fields: list[_Field]) -> list[_Field]:
        """Card, passport, driver licence, SSN, Wi-Fi and API credential members by field name."""
        spec = _STRUCTURED.get(self.category)
        if spec is None:
            return fields
        cls, table = spec
        members: dict[str, m.EditableField] = {}
        rest = []
        name = cxf_type(cls)
        for f in fields:
            found = table.get(f.name)
            if f.value_at in self.seen or found is None or found[0] in members:
                rest.append(f)
                continue
            attr, ftype = found
            # a date member takes a date field only (a driver licence's expiry is a monthYear:
            # kept as a year-month custom field, not given an invented day)
            text = None if ftype == "date" and f.kind != "date" else _convert(f.value, ftype)
            if text is None:
                rest.append(f)  # not the member's type: a custom field
                continue
            members[attr] = _ef(text, ftype)
            self._take(f, _MEMBER, f"{name}.{attr}")
        if members:
            self.b.add(cls(**members))
        return rest

    def identity(self, fields: list[_Field]) -> list[_Field]:
        """Names (identities) and addresses (identities, driver licences, others) → the
        person-name and address credentials."""
        rest = []
        names: dict[str, m.EditableField] = {}
        for f in fields:
            text = scalar_text(f.value)
            if f.value_at in self.seen:
                continue
            if self.category == "004" and f.name in _NAME and text and _NAME[f.name] not in names:
                names[_NAME[f.name]] = _ef(text)
                self._take(f, _MEMBER, f"person-name.{_NAME[f.name]}")
            elif f.kind == "address" and isinstance(f.value, dict):
                self.address(f)
            else:
                rest.append(f)
        if names:
            self.b.add(m.PersonName(**names))  # type: ignore[arg-type]
        return rest

    def address(self, f: _Field) -> None:
        value: Mapping[str, Any] = f.value
        parts = _ADDRESS
        members: dict[str, m.EditableField] = {}
        for key, v in value.items():
            at = f"{f.value_at}.{key}"
            spec = parts.get(key)
            text = scalar_text(v)
            if not text:
                self.rec_all(v, at, _NOT_CARRIED, "", "empty")
                continue
            converted = _convert(v, spec[1]) if spec is not None else None
            if spec is None or converted is None:
                label = f"{f.title or 'address'} {key}"
                self.custom(label, text, at, group=self.section_group(f.section))
                continue
            members[spec[0]] = _ef(converted, spec[1])
            self.rec(at, _MEMBER, f"address.{spec[0]}")
        holder = f.obj
        if holder is not None:
            self.rec_meta(holder, f.at, _MEMBER, "address")
        if members:
            self.b.add(m.Address(**members))  # type: ignore[arg-type]

    def ssh_keys(self, fields: list[_Field]) -> list[_Field]:
        rest = []
        for f in fields:
            value = f.value
            private = value.get("privateKey") if isinstance(value, dict) else None
            if f.kind != "sshKey" or f.value_at in self.seen:
                rest.append(f)
                continue
            if not isinstance(private, str) and self.category == "114" and isinstance(value, str):
                private = value
            if not isinstance(private, str) or not private:
                rest.append(f)
                continue
            at = f"{f.value_at}.privateKey" if isinstance(value, dict) else f.value_at
            try:
                der, key_type = ssh_private_to_pkcs8(private)
            except AdapterError as exc:
                self.custom(f.title or "private key", private, at, hidden=True,
                            group=self.section_group(f.section), note=exc.message)  # fmt: skip
                continue
            meta = value.get("metadata") if isinstance(value, dict) else None
            comment = None
            if isinstance(meta, dict):
                public = meta.get("publicKey")
                parts = public.split(None, 2) if isinstance(public, str) else []
                comment = parts[2] if len(parts) == 3 else None
                self.rec_all(meta, f"{f.value_at}.metadata", _MEMBER, "ssh-key (derived from the private key)")  # fmt: skip
            self.b.add(m.SshKey(key_type=key_type, private_key=der, key_comment=comment))
            self.rec(at, _MEMBER, "ssh-key.privateKey")
            holder = f.obj
            if holder is not None:
                self.rec_meta(holder, f.at, _MEMBER, "ssh-key")
        return rest

    def file_fields(self, fields: list[_Field]) -> list[_Field]:
        """1PUX file attachments: a section field ``{file: {fileName, documentId, …}}``."""
        rest = []
        for f in fields:
            if f.kind == "file" and isinstance(f.value, dict):
                self.attach(f.value, f.value_at)
                holder = f.obj
                if holder is not None:
                    self.rec_meta(holder, f.at, _MEMBER, "file")
            else:
                rest.append(f)
        return rest

    def attach(self, attrs: Mapping[str, Any], at: str) -> None:
        """A file (``{fileName, documentId, decryptedSize}``) → a CXF file credential with its
        bytes from the export, or not carried (named) when they are not there."""
        name = scalar_text(attrs.get("fileName")) or "attachment"
        document_id = scalar_text(attrs.get("documentId")) or ""
        content = self.files(document_id, name) if self.files is not None else None
        if content is None:
            why = self.files_note if self.files is None else "the file is not in the export"
            self.rec_all(attrs, at, _NOT_CARRIED, "", why)
            self.lost.append(("file", why))
            return
        fid = file_id(document_id, name)
        self.attachments[fid] = content
        self.b.add(
            m.File(
                id=fid,
                name=name,
                decrypted_size=len(content),
                integrity_hash=b64.encode(hashlib.sha256(content).digest()),
            )
        )
        self.rec_all(attrs, at, _MEMBER, "file")

    def section_custom(self, f: _Field) -> None:
        """A section field no rule took → a custom field of its section's group."""
        if f.value_at in self.seen:
            return
        group = self.section_group(f.section)
        label = f.title or f.name or "field"
        if isinstance(f.value, dict):  # an e-mail {email_address, provider}, a reference …
            for key, v in f.value.items():
                text = scalar_text(v)
                if text:
                    self.custom(f"{label} ({key})", text, f"{f.value_at}.{key}", group=group)
                elif v is None or v == "":
                    self.rec(f"{f.value_at}.{key}", _NOT_CARRIED, "", "empty")
                # (a nested object or list is left to the sweep: hidden custom fields)
            holder = f.obj
            if holder is not None:
                self.rec_meta(holder, f.at, _CUSTOM, f"custom-fields.{label}")
            return
        text = scalar_text(f.value)
        if text is None:
            return  # a list: swept
        ftype = {"concealed": "concealed-string", "creditCardNumber": "concealed-string",
                 "email": "email", "date": "date", "monthYear": "year-month"}.get(f.kind, "string")  # fmt: skip
        if ftype == "date":
            text = _date_text(f.value) or text
            ftype = "date" if _date_text(f.value) else "string"
        elif ftype == "year-month":
            ym = _month_year(f.value)
            text, ftype = (ym, "year-month") if ym else (text, "string")
        note = (
            "a reference to another 1Password item (kept as its id)"
            if f.kind == "reference"
            else ""
        )
        self.custom(label, text, f.value_at, group=group, field_type=ftype, note=note)
        holder = f.obj
        if holder is not None:
            self.rec_meta(holder, f.at, _CUSTOM, f"custom-fields.{label}")

    # ------------------------------------------------------------------ the rest

    def document(self) -> None:
        attrs = self.details.get("documentAttributes")
        if isinstance(attrs, dict):
            self.attach(attrs, f"{self.d_at}.documentAttributes")

    def passkeys(self) -> None:
        """A passkey 1Password names (``details.passkey``) — the export holds no private key:
        listed so that it is re-created (:meth:`ItemBuilder.lost_passkey`)."""
        found = self.details.get("passkey")
        entries = found if isinstance(found, list) else [found] if isinstance(found, dict) else []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            at = f"{self.d_at}.passkey" + (f"[{i}]" if isinstance(found, list) else "")
            rp_id = scalar_text(entry.get("rpId")) or ""
            if not rp_id and self.urls:  # the site's host name (a passkey's relying party)
                rp_id = urllib.parse.urlsplit(self.urls[0].text).hostname or self.urls[0].text
            username = scalar_text(entry.get("userName")) or (
                self.username.text if self.username is not None else ""
            )
            leaves = [leaf for leaf, v in _leaves(entry, at) if v is not None and v != ""]
            self.b.lost_passkey(Val(rp_id, leaves[0] if leaves else at), rp_id=rp_id,
                                username=username)  # fmt: skip
            self.seen.add(leaves[0] if leaves else at)
            for leaf in leaves[1:]:
                self.rec(leaf, _NOT_CARRIED, "", _LOST_PASSKEY)

    def history(self) -> None:
        entries = self.details.get("passwordHistory")
        if not isinstance(entries, list):
            return
        out: list[m.EditableField] = []
        for i, entry in enumerate(entries):
            at = f"{self.d_at}.passwordHistory[{i}]"
            value = entry.get("value") if isinstance(entry, dict) else None
            if not isinstance(value, str) or not value:
                continue
            when = _date_text(entry.get("time")) if isinstance(entry, dict) else None
            out.append(_ef(value, "concealed-string", f"password until {when}" if when else "old password"))  # fmt: skip
            self.rec_all(entry, at, _CUSTOM, "custom-fields[Password history]")
        if out:
            self.b.add(m.CustomFields(label="Password history", fields=tuple(out)),
                       Outcome.TRANSFORMED, "1Password password history as hidden custom fields")  # fmt: skip

    def tags(self) -> None:
        tags = _get(self.raw, self.layout.tags)
        if not isinstance(tags, list):
            return
        base = _at(self.layout.tags)
        found = [(i, t) for i, t in enumerate(tags) if isinstance(t, str) and t]
        if found:
            self.b.tags(Val("", f"{base}[{found[0][0]}]"), [t for _, t in found])
            self.seen.add(f"{base}[{found[0][0]}]")
            for i, _ in found[1:]:
                self.rec(f"{base}[{i}]", _MEMBER, "item.tags")


def cxf_type(cls: type[Any]) -> str:
    """The CXF type name of credential class *cls* (``credit-card``)."""
    from cxkit import cxf

    return cxf.credential_type(cls())
