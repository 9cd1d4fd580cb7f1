"""Bitwarden JSON items ⇄ CXF items (``formats/bitwarden.md`` §1).

Reading maps every Bitwarden member to a CXF member where CXF has one, to a ``custom-fields``
credential where it is user data CXF has no member for (custom fields, password history, identity
e-mail/company/username, values CXF cannot hold such as a TOTP secret that is not Base32), and to
the item's round-trip extension ``cxkit/bitwarden`` for Bitwarden bookkeeping (organisation id,
re-prompt, exact timestamps, URI match types, passkey counter/rpName/discoverable/creation date,
which spelling an id had). Every non-null source leaf is recorded in the migration report,
once. Items are built by the kit's item builder (:mod:`cxkit.adapters.kit.builder`), which
assembles the item and its report records; the Bitwarden CSV reader builds the same CXF.

Writing turns any CXF item into one Bitwarden item: the extension (when present) restores the
bookkeeping; credentials the chosen cipher type cannot hold become Bitwarden custom fields
(*transformed*) or are reported *not carried* (files, item references, unknown types).

Custom-fields credentials written by the reader carry an extension ``{"name": "cxkit/bitwarden",
"role": ...}`` so that the writer puts their fields back: ``fields`` (Bitwarden custom fields),
``passwordHistory`` and ``members`` (each field's extension names its Bitwarden member, e.g.
``identity.email``).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from cxkit import cxf
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.builder import CollectionTree, ItemBuilder, Val, VaultBuilder
from cxkit.adapters.kit.values import (
    credential_members,
    format_iso_date,
    format_totp,
    json_leaves,
    parse_iso_date,
    parse_totp,
    scalar_text,
    ssh_from_pkcs8,
    ssh_private_to_pkcs8,
)
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError, CxkitError, DecodeError
from cxkit.passkey import (
    bitwarden_credential_id_to_bytes,
    bytes_to_bitwarden_credential_id,
    parse_bitwarden_counter,
    parse_bitwarden_discoverable,
)

__all__ = [
    "EXTENSION",
    "document_to_bitwarden",
    "foreign_reason",
    "looks_like_item",
    "read_export",
]

EXTENSION: Final = "cxkit/bitwarden"
EXPORTER_RP_ID: Final = "bitwarden.com"
T_LOGIN, T_NOTE, T_CARD, T_IDENTITY, T_SSH = 1, 2, 3, 4, 5
_FIELD_TYPES: Final = {0: "string", 1: "concealed-string", 2: "boolean", 3: "string"}
_UUID_RE: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_COUNTRY_RE: Final = re.compile(r"[A-Z]{2}\Z")
_IDENTITY_NAME: Final = (
    ("title", "title"),
    ("firstName", "given"),
    ("middleName", "given2"),
    ("lastName", "surname"),
)
_IDENTITY_EXTRA: Final = ("email", "company", "username")
_ITEM_KNOWN: Final = frozenset(
    {
        "id", "organizationId", "folderId", "collectionIds", "type", "name", "notes",
        "favorite", "reprompt", "fields", "passwordHistory", "revisionDate", "creationDate",
        "deletedDate", "login", "secureNote", "card", "identity", "sshKey", "key",
    }
)  # fmt: skip


# =========================================================================== small helpers


def _ef(
    value: str, field_type: str = "string", label: str | None = None, **ext: Any
) -> m.EditableField:
    extensions: tuple[m.UnknownExtension, ...] = ()
    if ext:
        extensions = (m.UnknownExtension(extension_name=EXTENSION, members=ext),)
    return m.EditableField(field_type=field_type, value=value, label=label, extensions=extensions)


def _ext(obj: Any) -> dict[str, Any]:
    """Members of the ``cxkit/bitwarden`` extension on *obj* (Item, Collection, CustomFields,
    EditableField), or {}."""
    for e in getattr(obj, "extensions", ()) or ():
        if isinstance(e, m.UnknownExtension) and e.extension_name == EXTENSION:
            return dict(e.members)
    return {}


def item_id_to_cxf(text: str) -> str:
    """A Bitwarden id → a CXF id: a UUID's 16 bytes, else the text's UTF-8 bytes (a lone
    surrogate, which JSON can spell as ``\\ud800``, is kept as its surrogate-pass bytes)."""
    if _UUID_RE.match(text):
        return b64.encode(bytes.fromhex(text.replace("-", "")))
    return b64.encode(text.encode("utf-8", "surrogatepass"))


def item_id_from_cxf(text: str) -> str:
    try:
        raw = b64.decode(text)
    except b64.Base64Error:
        return str(uuid.uuid4())
    if len(raw) == 16:
        return str(uuid.UUID(bytes=raw))
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return str(uuid.uuid4())
    return decoded if decoded.isprintable() and decoded else str(uuid.uuid4())


# =========================================================================== reading

_ITEM_TYPES: Final = frozenset({T_LOGIN, T_NOTE, T_CARD, T_IDENTITY, T_SSH})
#: JSON type of each Bitwarden item member whose type is fixed (``formats/bitwarden.md`` §1);
#: null is allowed for all of them
_MEMBER_TYPES: Final[dict[str, tuple[type, str]]] = {
    "name": (str, "a string"),
    "notes": (str, "a string"),
    "login": (dict, "an object"),
    "secureNote": (dict, "an object"),
    "card": (dict, "an object"),
    "identity": (dict, "an object"),
    "sshKey": (dict, "an object"),
    "fields": (list, "an array"),
    "passwordHistory": (list, "an array"),
}


def _item_type_ok(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value in _ITEM_TYPES


def looks_like_item(entry: Any) -> bool:
    """Detection evidence: a JSON object with a Bitwarden item ``type`` (1–5) whose members are
    mostly Bitwarden item members."""
    if not isinstance(entry, dict) or not _item_type_ok(entry.get("type")):
        return False
    return 2 * len(entry.keys() & _ITEM_KNOWN) >= len(entry)


def foreign_reason(entry: Any) -> str | None:
    """Why *entry* is not a Bitwarden item (member names only, never values), or None."""
    if not isinstance(entry, dict):
        return "not a JSON object"
    if "type" not in entry or entry["type"] is None:
        return "no 'type': not a Bitwarden item"
    if not _item_type_ok(entry["type"]):
        return "'type' is not one of Bitwarden's item types 1-5: not a Bitwarden item"
    for member, (kind, what) in _MEMBER_TYPES.items():
        value = entry.get(member)
        if value is not None and not isinstance(value, kind):
            return f"'{member}' is not {what}: not a Bitwarden item"
    return None


#: Enum members as plain names (a class attribute lookup of an enum member is slow in 3.11)
_D_MEMBER: Final = Disposition.MEMBER
_D_FIELD: Final = Disposition.CUSTOM_FIELD
_D_EXT: Final = Disposition.EXTENSION
_D_NONE: Final = Disposition.NOT_CARRIED
_O_TRANSFORMED: Final = Outcome.TRANSFORMED
_ACCOUNT_ID: Final = b64.encode(hashlib.sha256(b"cxkit/bitwarden-account").digest()[:16])
_MEMBERS_ROLE: Final = {"role": "members"}  # the "Bitwarden" custom-fields group (copied)
STEAM_NOTE: Final = "Steam Guard: algorithm 'steam' is not registered in CXF 1.0"
_CARD: Final = (
    ("cardholderName", "full_name", "string"),
    ("brand", "card_type", "string"),
    ("number", "number", "concealed-string"),
    ("code", "verification_number", "concealed-string"),
)
_CARD_KEYS: Final = frozenset({"cardholderName", "brand", "number", "code", "expMonth", "expYear"})
_ADDRESS: Final = (
    ("city", "city", "string"),
    ("state", "territory", "string"),
    ("postalCode", "postal_code", "string"),
    ("country", "country", "country-code"),
    ("phone", "tel", "string"),
)
_DOCUMENTS: Final = (
    ("ssn", m.IdentityDocument, "identification_number", "identity-document"),
    ("passportNumber", m.Passport, "passport_number", "passport"),
    ("licenseNumber", m.DriversLicense, "license_number", "drivers-license"),
)
_SSH_DERIVED: Final = ("publicKey", "keyFingerprint")
_LOGIN_KEYS: Final = frozenset({"username", "password", "uris", "totp", "fido2Credentials"})
_PASSKEY_META: Final = ("keyType", "keyAlgorithm", "keyCurve", "counter", "rpName", "discoverable", "creationDate")  # fmt: skip
_PASSKEY_MEMBERS: Final = frozenset({"credentialId", "keyValue", "rpId", "userHandle", "userName", "userDisplayName"})  # fmt: skip


def read_export(
    obj: Any, report: MigrationReport, *, name: str = "", include_trashed: bool = False
) -> cxf.Document:
    """A decoded (unencrypted) Bitwarden JSON export → CXF document, one
    :class:`~cxkit.adapters.kit.builder.ItemBuilder` per item (``formats/bitwarden.md`` §1).

    An entry that is not a Bitwarden item (no or unknown ``type``, a member of the wrong JSON
    type) is skipped and reported, never carried as custom fields; when most entries are such,
    the file is refused (it is some other format). Items in the trash (``deletedDate`` set) are
    skipped and reported unless *include_trashed*."""
    if not isinstance(obj, dict):
        raise DecodeError("a Bitwarden JSON export is a JSON object", location=name or None)
    items = obj.get("items")
    if not isinstance(items, list):
        raise DecodeError(
            "no 'items' array: not a Bitwarden JSON export", location=f"{name}: $.items"
        )
    if obj.get("encrypted") not in (False, None):
        raise AdapterError("this Bitwarden export is encrypted", location=name or None)
    folders = _folders(obj, report, name)
    reasons = [foreign_reason(raw) for raw in items]
    foreign = sum(1 for r in reasons if r is not None)
    if 2 * foreign > len(items):
        raise AdapterError(
            f"{foreign} of {len(items)} entries of 'items' are not Bitwarden items: this is not "
            "a Bitwarden export",
            location=f"{name}: $.items" if name else "$.items",
            hint="'cxkit detect FILE' tells what it is; name its format with --from",
        )
    # folders and collections are keyed by id (two may share a name): the path is the id
    tree = CollectionTree(
        lambda path: item_id_to_cxf(path[0]),
        lambda path: (EXTENSION, {"id": path[0], **folders[path[0]][1]}),
        title=lambda path: folders[path[0]][0],
    )
    for gid in folders:
        tree.add((gid,))
    vault = VaultBuilder(report, key="bitwarden-json", rp_id=EXPORTER_RP_ID, app="Bitwarden",
                         include_trashed=include_trashed, collections=tree)  # fmt: skip
    for i, raw in enumerate(items):
        path = f"$.items[{i}]"
        reason, note = reasons[i], "not a Bitwarden item"
        if reason is None and raw.get("deletedDate") is not None and not include_trashed:
            reason, note = "in the trash (--include-trashed reads it)", "item in the trash"
        if reason is not None:
            given = raw.get("name") if isinstance(raw, dict) else None
            _skip(report, raw, path, given if isinstance(given, str) and given else f"#{i}",
                  reason, note)  # fmt: skip
            continue
        title = raw.get("name")
        b = vault.item(path, item_id="", title=title if isinstance(title, str) else "",
                       extension=EXTENSION, empty_extension=True)  # fmt: skip
        try:
            _item(b, raw, folders)
        except (CxkitError, msgspec.ValidationError, ValueError, TypeError) as exc:
            # one bad item never sinks the rest (the builder, never finished, records nothing)
            why = exc.message if isinstance(exc, CxkitError) else type(exc).__name__
            _skip(report, raw, path, b.title, f"cannot be read: {why}", "item skipped")
            continue
        vault.add(b)
    organisation = isinstance(obj.get("collections"), list)
    return vault.build(account_id=_ACCOUNT_ID,
                       account_extension=(EXTENSION, {"organisation": organisation}))  # fmt: skip


def _skip(report: MigrationReport, raw: Any, path: str, label: str, reason: str, note: str) -> None:
    """An item not read: the report names it (*label*) with *reason*; every leaf not carried."""
    report.skip_item(label, reason)
    for leaf in json_leaves(raw, path):
        report.add_field(leaf, label, _D_NONE, "", note)


def _folders(obj: dict[str, Any], report: MigrationReport, name: str) -> dict[str, Any]:
    """Records the export's members outside ``items``; its folders (personal) or collections
    (organisation) by id → (name, members of the collection's round-trip extension)."""
    if obj.get("encrypted") is not None:
        report.add_field("$.encrypted", "", _D_EXT, "format marker")
    for key, value in obj.items():
        if key not in ("encrypted", "items", "folders", "collections") and value is not None:
            for leaf in json_leaves(value, f"$.{key}"):
                report.add_field(leaf, "", _D_NONE, "",
                                 "a top-level member Bitwarden exports do not have; not read")  # fmt: skip
    folders: dict[str, tuple[str, dict[str, Any]]] = {}
    for key in ("folders", "collections"):
        entries = obj.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise DecodeError(f"'{key}' is not an array", location=f"{name}: $.{key}")
        for i, entry in enumerate(entries):
            path = f"$.{key}[{i}]"
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                for leaf in json_leaves(entry, path):
                    report.add_field(leaf, "", _D_NONE, "", "folder without an id")
                continue
            given = entry.get("name")
            title = given if isinstance(given, str) else ""
            ext = {k: v for k, v in entry.items() if k not in ("id", "name") and v is not None}
            ext["kind"] = key
            folders[entry["id"]] = (title, ext)
            for k, v in entry.items():
                disposition = _D_MEMBER if k in ("id", "name") else _D_EXT
                for leaf in json_leaves(v, f"{path}.{k}"):
                    report.add_field(leaf, title, disposition, f"collection.{k}")
    return folders


def _item(b: ItemBuilder, raw: dict[str, Any], folders: Mapping[str, Any]) -> None:
    """One Bitwarden item into *b*, every non-null leaf recorded. *raw* passed
    :func:`foreign_reason`: ``type`` is 1–5 and the sections are objects, lists or null."""
    define_members_group(b)
    rid = raw.get("id")
    if isinstance(rid, str) and rid:
        b.item_id = item_id_to_cxf(rid)
        # a lower-case hyphenated UUID comes back as itself; anything else is checked
        if not _UUID_RE.match(rid) and item_id_from_cxf(b.item_id) != rid:
            b.ext["id"] = rid
        b.rec(".id", _D_MEMBER, "item.id")
    else:
        b.item_id = b64.encode(uuid.uuid4().bytes)
        if rid is not None:
            b.ext["id"] = rid
            _leaves(b, rid, ".id", _D_EXT, "extension.id")
    if raw.get("name") is not None:
        b.rec(".name", _D_MEMBER, "item.title")
    b.ext["type"] = raw["type"]
    b.rec(".type", _D_EXT, "extension.type")
    for key in ("organizationId", "reprompt", "deletedDate"):
        if (value := raw.get(key)) is not None:
            b.ext[key] = value
            _leaves(b, value, f".{key}", _D_EXT, f"extension.{key}")
    favorite = raw.get("favorite")
    if isinstance(favorite, bool):
        b.favorite(Val("", ".favorite"), favorite)
    elif favorite is not None:
        _member(b, "favorite", favorite, ".favorite")
    for key, target in (("creationDate", "item.creationAt"), ("revisionDate", "item.modifiedAt")):
        if (value := raw.get(key)) is None:
            continue
        b.ext[key] = value  # the exact text, for the way back
        seconds = parse_iso_date(value)
        if seconds is None:
            _leaves(b, value, f".{key}", _D_EXT, f"extension.{key}")
            continue
        if key == "creationDate":
            b.created_at = seconds
        else:
            b.modified_at = seconds
        b.rec(f".{key}", _D_MEMBER, target, "seconds; exact time in extension")
    for key, section in _SECTIONS:  # (in this order: the order of the item's credentials)
        if (value := raw.get(key)) is not None:
            section(b, value)
    for key, value in raw.items():
        if key not in _ITEM_KNOWN and value is not None:
            if scalar_text(value) is not None:
                _member(b, key, value, f".{key}", concealed=True,
                        note="member unknown to cxkit, kept as a hidden custom field")  # fmt: skip
            else:
                b.ext.setdefault("raw", {})[key] = value
                _leaves(b, value, f".{key}", _D_EXT, f"extension.raw.{key}")
    _memberships(b, raw, folders)


def _memberships(b: ItemBuilder, raw: dict[str, Any], folders: Mapping[str, Any]) -> None:
    """``folderId`` / ``collectionIds``: links to the folders and collections the export has;
    ids it does not have are kept in the extension (``folderId``, ``collectionIdsRaw``)."""
    folder = raw.get("folderId")
    if isinstance(folder, str) and folder in folders:
        b.collections.append((folder,))
        b.rec(".folderId", _D_MEMBER, "collection.items")
    elif folder is not None:
        b.ext["folderId"] = folder
        _leaves(b, folder, ".folderId", _D_EXT, "extension.folderId", "unknown folder")
    ids = raw.get("collectionIds")
    if isinstance(ids, list):
        unknown = False
        for j, cid in enumerate(ids):
            if isinstance(cid, str) and cid in folders:
                b.collections.append((cid,))
                b.rec(f".collectionIds[{j}]", _D_MEMBER, "collection.items")
                continue
            unknown = True  # (null included: kept as Bitwarden had it)
            if cid is not None:
                _leaves(b, cid, f".collectionIds[{j}]", _D_EXT, "extension.collectionIds",
                        "unknown collection")  # fmt: skip
        if unknown:
            b.ext["collectionIdsRaw"] = ids
    elif ids is not None:
        _leaves(b, ids, ".collectionIds", _D_EXT, "extension.collectionIds")
        b.ext["collectionIdsRaw"] = ids


def _leaves(
    b: ItemBuilder, value: Any, at: str, disposition: Disposition, target: str = "", note: str = ""
) -> None:
    """Record *value* at *at*: a scalar once, an object or array leaf by leaf."""
    if value is not None and not isinstance(value, dict | list):
        b.rec(at, disposition, target, note)
        return
    for leaf in json_leaves(value, at):
        b.rec(leaf, disposition, target, note)


def _member(b: ItemBuilder, member: str, value: Any, at: str, *, concealed: bool = False,
            label: str | None = None, note: str = "") -> None:  # fmt: skip
    """A Bitwarden member CXF has no place for: a scalar → a custom field of the item's
    ``Bitwarden`` group naming the member (the writer puts it back); an object or array →
    the extension's ``raw``."""
    text = scalar_text(value)
    if text is None:
        _leaves(b, value, at, _D_EXT, f"extension.{member}")
        b.ext.setdefault("raw", {})[member] = value
        return
    kind = "boolean" if isinstance(value, bool) else "concealed-string" if concealed else "string"
    field = _ef(text, kind, label or member, member=member)
    b.custom(field.label, Val(text, at), group="members", field=field,
             target=f"custom-fields[Bitwarden].{member}", note=note)  # fmt: skip


def define_members_group(b: ItemBuilder) -> None:
    """The item's ``Bitwarden`` custom-fields group: the Bitwarden members CXF has no place for,
    each field naming its member (the JSON and CSV readers)."""
    b.define_group("members", label="Bitwarden", extension=_MEMBERS_ROLE,
                   outcome=_O_TRANSFORMED, note=_members_note)  # fmt: skip


def member_of(field: m.EditableField) -> str:
    """The Bitwarden member a field of the ``Bitwarden`` group stands for, or ""."""
    return str(_ext(field).get("member", ""))


def _members_note(fields: list[m.EditableField]) -> str:
    return "Bitwarden details CXF has no member for, kept as custom fields: " + ", ".join(
        str(_ext(f).get("member")) for f in fields
    )


# --------------------------------------------------------------------------- sections


def _login(b: ItemBuilder, login: dict[str, Any]) -> None:
    """``login`` → basic-auth (by hand, not ``ItemBuilder.login``: Bitwarden writes null for
    none, so an empty text is a value), the scope, a TOTP, passkeys; the rest in the extension."""
    username, password = login.get("username"), login.get("password")
    if username is not None or password is not None:
        if all(v is None or isinstance(v, str) for v in (username, password)):
            b.add(m.BasicAuth(username=None if username is None else _ef(username),
                              password=None if password is None
                              else _ef(password, "concealed-string")))  # fmt: skip
            for key, value in (("username", username), ("password", password)):
                if value is not None:
                    b.rec(f".login.{key}", _D_MEMBER, f"basic-auth.{key}")
        else:
            for key, value in (("username", username), ("password", password)):
                if value is not None:
                    _member(b, f"login.{key}", value, f".login.{key}",
                            concealed=key == "password")  # fmt: skip
    for key, kind, read in _LOGIN_PARTS:  # each of its JSON type, or kept as it is
        value = login.get(key)
        if isinstance(value, kind):
            read(b, value)
        elif value is not None:
            _member(b, f"login.{key}", value, f".login.{key}", concealed=key == "totp")
    for key, value in login.items():
        if key not in _LOGIN_KEYS and value is not None:
            b.ext.setdefault("login", {})[key] = value
            _leaves(b, value, f".login.{key}", _D_EXT, f"extension.login.{key}")


def _uris(b: ItemBuilder, uris: list[Any]) -> None:
    """``login.uris`` → the item's scope; match types and other members in the extension."""
    urls: list[str] = []
    matches: list[Any] = []
    for i, entry in enumerate(uris):
        at = f".login.uris[{i}]"
        if isinstance(entry, dict) and isinstance(entry.get("uri"), str):
            urls.append(entry["uri"])
            matches.append(entry.get("match"))
            b.rec(f"{at}.uri", _D_MEMBER, "scope.urls")
            others = {}
            for k, v in entry.items():
                if k != "uri" and v is not None:
                    _leaves(b, v, f"{at}.{k}", _D_EXT, f"extension.uris.{k}")
                    if k != "match":
                        others[k] = v
            if others:
                b.ext.setdefault("uriExtra", {})[str(len(urls) - 1)] = others
        elif entry is not None:
            _member(b, f"login.uris[{i}]", entry, at)
    if urls:
        b.scope = m.CredentialScope(urls=tuple(urls), android_apps=())
        if any(x is not None for x in matches):
            b.ext["uriMatch"] = matches


def _totp(b: ItemBuilder, text: str) -> None:
    """``login.totp``: a TOTP (its form kept for the way back), or one CXF cannot hold as a
    hidden custom field ``TOTP`` of the ``Bitwarden`` group."""
    totp, form = parse_totp(text)
    if totp is None:
        _member(b, "login.totp", text, ".login.totp", concealed=True, label="TOTP",
                note=f"{form}; kept as a custom field 'TOTP'")  # fmt: skip
        return
    if form == "steam":
        b.add(totp, _O_TRANSFORMED, STEAM_NOTE)
    else:
        b.add(totp)
    b.ext["totpForm"] = form
    b.rec(".login.totp", _D_MEMBER, "totp")


def _passkeys(b: ItemBuilder, entries: list[Any]) -> None:
    metas = [
        meta
        for i, entry in enumerate(entries)
        if (meta := _passkey(b, entry, f".login.fido2Credentials[{i}]")) is not None
    ]
    if metas:
        b.ext["fido2"] = metas


def _passkey(b: ItemBuilder, entry: Any, at: str) -> dict[str, Any] | None:
    """One ``fido2Credentials`` entry → a passkey, and its Bitwarden bookkeeping (returned, for
    the extension's ``fido2``); one that cannot be a passkey is reported not carried."""
    if not isinstance(entry, dict):
        if entry is not None:
            _leaves(b, entry, at, _D_NONE, "", "not a passkey object")
        return None
    try:
        key_value = entry.get("keyValue")
        if not isinstance(key_value, str) or not key_value:
            raise AdapterError("the export holds no private key for this passkey (keyValue)")
        cred_id = bitwarden_credential_id_to_bytes(entry.get("credentialId"))  # type: ignore[arg-type]
        rp_id = entry.get("rpId")
        if not isinstance(rp_id, str) or not rp_id:
            raise AdapterError("the passkey has no rpId")
        try:
            key = b64.canonical(key_value)
            handle_text = entry.get("userHandle")
            handle = b64.canonical(handle_text) if isinstance(handle_text, str) else ""
        except b64.Base64Error:
            raise AdapterError("keyValue or userHandle is not base64url") from None
        counter = (
            parse_bitwarden_counter(entry["counter"]) if entry.get("counter") is not None else 0
        )
        if entry.get("discoverable") is not None:
            parse_bitwarden_discoverable(entry["discoverable"])
    except AdapterError as exc:
        _leaves(b, entry, at, _D_NONE, "", exc.message)
        b.report.add_credential("read", "passkey", b.title, Outcome.NOT_CARRIED, exc.message)
        return None
    username = entry.get("userName")
    display = entry.get("userDisplayName")
    passkey = m.Passkey(
        credential_id=b64.encode(cred_id),
        rp_id=rp_id,
        username=username if isinstance(username, str) else "",
        user_display_name=display if isinstance(display, str) else "",
        user_handle=handle,
        key=key,
    )
    meta: dict[str, Any] = {"credentialId": entry.get("credentialId")}
    for k in _PASSKEY_META:
        if entry.get(k) is not None:
            meta[k] = entry[k]
    for k, v in entry.items():
        if k not in _PASSKEY_META and k not in _PASSKEY_MEMBERS and v is not None:
            meta[k] = v
    for k in ("userName", "userDisplayName", "userHandle"):
        if entry.get(k) is None:
            meta[f"{k}Null"] = True
    if counter:
        b.add(passkey, _O_TRANSFORMED,
              f"signature counter {counter} (CXF requires 0; kept for Bitwarden round trips)")  # fmt: skip
    else:
        b.add(passkey)
    for k, v in entry.items():
        if v is None:
            continue
        if k not in _PASSKEY_MEMBERS:
            _leaves(b, v, f"{at}.{k}", _D_EXT, f"extension.fido2.{k}")
        elif isinstance(v, str):
            b.rec(f"{at}.{k}", _D_MEMBER, f"passkey.{k}")
        else:  # (a user name, display name or handle that is not text: the passkey has "")
            _leaves(b, v, f"{at}.{k}", _D_NONE, "", "not text")
    return meta


_LOGIN_PARTS: Final[tuple[tuple[str, type, Callable[[ItemBuilder, Any], None]], ...]] = (
    ("uris", list, _uris),
    ("totp", str, _totp),
    ("fido2Credentials", list, _passkeys),
)


def _card(b: ItemBuilder, card: dict[str, Any]) -> None:
    values: dict[str, m.EditableField] = {}
    for key, attr, kind in _CARD:
        value = card.get(key)
        if isinstance(value, str):
            values[attr] = _ef(value, kind)
            b.rec(f".card.{key}", _D_MEMBER, f"credit-card.{attr}")
        elif value is not None:
            _member(b, f"card.{key}", value, f".card.{key}", concealed=True)
    month, year = card.get("expMonth"), card.get("expYear")
    expiry = _expiry(month, year)
    if expiry is not None:
        values["expiry_date"] = _ef(expiry, "year-month")
        if (str(int(str(month))), year) != (month, year) or len(str(year)) != 4:
            b.ext["cardExpiry"] = {"expMonth": month, "expYear": year}  # the exact spelling
        for key in ("expMonth", "expYear"):
            b.rec(f".card.{key}", _D_MEMBER, "credit-card.expiryDate")
    else:
        for key, value in (("expMonth", month), ("expYear", year)):
            if value is not None:
                _member(b, f"card.{key}", value, f".card.{key}")
    for key, value in card.items():
        if key not in _CARD_KEYS and value is not None:
            _member(b, f"card.{key}", value, f".card.{key}", concealed=True)
    b.add(m.CreditCard(**values))  # type: ignore[arg-type]


def _expiry(month: Any, year: Any) -> str | None:
    if not isinstance(month, str) or not isinstance(year, str):
        return None
    if not month.isdigit() or not year.isdigit() or not 1 <= int(month) <= 12:
        return None
    y = int(year)
    if len(year) == 2:
        y += 2000
    elif len(year) != 4:
        return None
    return f"{y:04d}-{int(month):02d}"


def _identity(b: ItemBuilder, identity: dict[str, Any]) -> None:
    """An identity → person-name, address and document credentials; e-mail, company, user
    name and anything else → the ``Bitwarden`` custom fields."""
    texts = {k: v for k, v in identity.items() if isinstance(v, str)}
    used: set[str] = set()
    name: dict[str, m.EditableField] = {}
    for key, attr in _IDENTITY_NAME:
        if key in texts:
            name[attr] = _ef(texts[key])
            used.add(key)
            b.rec(f".identity.{key}", _D_MEMBER, f"person-name.{attr}")
    if name:
        b.add(m.PersonName(**name))  # type: ignore[arg-type]
    address: dict[str, m.EditableField] = {}
    lines = [k for k in ("address1", "address2", "address3") if k in texts]
    if lines:
        joined = "\n".join(texts[k] for k in lines)
        if lines != ["address1"] or "\n" in joined:
            b.ext["addressLines"] = lines
        address["street_address"] = _ef(joined)
        used.update(lines)
        for k in lines:
            b.rec(f".identity.{k}", _D_MEMBER, "address.streetAddress")
    for key, attr, kind in _ADDRESS:
        if key in texts:
            value = texts[key]
            if kind == "country-code" and not _COUNTRY_RE.match(value):
                kind = "string"
            address[attr] = _ef(value, kind)
            used.add(key)
            b.rec(f".identity.{key}", _D_MEMBER, f"address.{attr}")
    if address:
        b.add(m.Address(**address))  # type: ignore[arg-type]
    for key, cls, attr, ctype in _DOCUMENTS:
        if key in texts:
            b.add(cls(**{attr: _ef(texts[key])}))  # type: ignore[arg-type]
            used.add(key)
            b.rec(f".identity.{key}", _D_MEMBER, f"{ctype}.{attr}")
    for key, value in identity.items():
        if key not in used and value is not None:
            _member(b, f"identity.{key}", value, f".identity.{key}",
                    concealed=key not in _IDENTITY_EXTRA)  # fmt: skip
    if not name and not address:
        b.ext["identityEmpty"] = True


def _ssh_key(b: ItemBuilder, ssh: dict[str, Any]) -> None:
    """An SSH key (OpenSSH text → PKCS#8); the public key and fingerprint are derived, kept in
    the extension only when they differ. A key that cannot be read → custom fields."""
    private, public, fingerprint = ssh.get("privateKey"), ssh.get("publicKey"), ssh.get("keyFingerprint")  # fmt: skip
    try:
        if not isinstance(private, str):
            raise AdapterError("no private key")
        der, key_type = ssh_private_to_pkcs8(private)
        comment = None
        if isinstance(public, str):
            parts = public.split(None, 2)
            comment = parts[2] if len(parts) == 3 else None
        _, public_line, derived = ssh_from_pkcs8(der, comment)
    except AdapterError as exc:
        for key, value in ssh.items():
            if value is not None:
                _member(b, f"sshKey.{key}", value, f".sshKey.{key}",
                        concealed=key == "privateKey", note=exc.message)  # fmt: skip
        return
    b.add(m.SshKey(key_type=key_type, private_key=der, key_comment=comment))
    b.rec(".sshKey.privateKey", _D_MEMBER, "ssh-key.privateKey")
    if isinstance(public, str):
        if public.strip() != public_line:
            b.ext["sshPublicKey"] = public
        b.rec(".sshKey.publicKey", _D_MEMBER, "ssh-key (public key, keyComment)")
    if isinstance(fingerprint, str):
        if fingerprint != derived:
            b.ext["sshFingerprint"] = fingerprint
        b.rec(".sshKey.keyFingerprint", _D_MEMBER, "ssh-key (derived)")
    for key, value in ssh.items():  # (a public key or fingerprint that is not text too)
        if value is not None and key != "privateKey" and not (key in _SSH_DERIVED and isinstance(value, str)):  # fmt: skip
            _member(b, f"sshKey.{key}", value, f".sshKey.{key}")


def _secure_note(b: ItemBuilder, note: dict[str, Any]) -> None:
    for k, v in note.items():
        if v is not None:
            b.ext.setdefault("secureNote", {})[k] = v
            _leaves(b, v, f".secureNote.{k}", _D_EXT, f"extension.secureNote.{k}")


def _notes(b: ItemBuilder, notes: str) -> None:
    b.add(m.Note(content=_ef(notes)))  # (an empty note too: Bitwarden's "" is a value)
    b.rec(".notes", _D_MEMBER, "note.content")


def _custom_fields(b: ItemBuilder, fields: list[Any]) -> None:
    """Bitwarden custom fields → a ``custom-fields`` credential (role ``fields``); each field's
    kind, link and JSON spelling kept in its extension."""
    out: list[m.EditableField] = []
    for i, f in enumerate(fields):
        at = f".fields[{i}]"
        if not isinstance(f, dict):
            if f is not None:
                _leaves(b, f, at, _D_NONE, "", "not a field object")
            continue
        ftype = f.get("type", 0)
        raw_value, raw_name = f.get("value"), f.get("name")
        value = scalar_text(raw_value)
        name = raw_name if isinstance(raw_name, str) else None
        ext: dict[str, Any] = {}
        if ftype not in _FIELD_TYPES:
            ext["type"] = ftype
        if raw_value is None:
            ext["valueNull"] = True
        elif not isinstance(raw_value, str):
            ext["valueJson"] = raw_value
        if f.get("linkedId") is not None:
            ext["linkedId"] = f["linkedId"]
        if raw_name is not None and name is None:
            ext["nameJson"] = raw_name
        for k, v in f.items():
            if k not in ("name", "value", "type", "linkedId") and v is not None:
                ext.setdefault("extra", {})[k] = v
        field_type = _FIELD_TYPES.get(ftype, "string") if isinstance(ftype, int) else "string"
        if field_type == "boolean" and value not in ("true", "false"):
            field_type = "string"
            ext["type"] = ftype
        out.append(_ef(value or "", field_type, name, **ext))
        for k, v in f.items():
            if v is not None:
                _leaves(b, v, f"{at}.{k}", _D_FIELD, "custom-fields[fields]")
    if out:
        b.add(m.CustomFields(fields=tuple(out), extensions=_role("fields")))


def _password_history(b: ItemBuilder, history: list[Any]) -> None:
    """``passwordHistory`` → hidden custom fields labelled by when each was last used."""
    out: list[m.EditableField] = []
    for i, h in enumerate(history):
        at = f".passwordHistory[{i}]"
        if not isinstance(h, dict) or not isinstance(h.get("password"), str):
            if h is not None:
                _leaves(b, h, at, _D_NONE, "", "unreadable history entry")
            continue
        when = h.get("lastUsedDate")
        ext = {"lastUsedDate": when} if when is not None else {}
        extra = {k: v for k, v in h.items() if k not in ("password", "lastUsedDate") and v is not None}  # fmt: skip
        if extra:
            ext["extra"] = extra
        label = f"used until {when}" if isinstance(when, str) else "previous password"
        out.append(_ef(h["password"], "concealed-string", label, **ext))
        for k, v in h.items():
            if v is not None:
                _leaves(b, v, f"{at}.{k}", _D_FIELD, "custom-fields[Password history]")
    if out:
        b.add(m.CustomFields(label="Password history", fields=tuple(out),
                             extensions=_role("passwordHistory")),
              _O_TRANSFORMED, "Bitwarden password history as hidden custom fields")  # fmt: skip


def _role(role: str) -> tuple[m.UnknownExtension, ...]:
    """The extension of a custom-fields credential the writer puts back by *role*."""
    return (m.UnknownExtension(extension_name=EXTENSION, members={"role": role}),)


_SECTIONS: Final = (
    ("login", _login),
    ("card", _card),
    ("identity", _identity),
    ("sshKey", _ssh_key),
    ("secureNote", _secure_note),
    ("notes", _notes),
    ("fields", _custom_fields),
    ("passwordHistory", _password_history),
)
"""The members of an item that make its credentials, each read by its function."""


# =========================================================================== writing


def _fields_of(cred: Any, prefix: str, skip: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Members of a CXF credential as Bitwarden custom fields ``prefix: member``."""
    out: list[dict[str, Any]] = []
    for member in credential_members(cred, prefix, skip):
        if member.field is not None:
            out.append(_bw_field(member.field, member.name))
        else:
            out.append({"name": member.name, "value": member.text,
                        "type": 1 if member.hidden else 0, "linkedId": None})  # fmt: skip
    return out


def _bw_field(f: m.EditableField, name: str | None = None) -> dict[str, Any]:
    ext = _ext(f)
    if "type" in ext:
        ftype = ext["type"]
    elif "linkedId" in ext:
        ftype = 3
    elif f.field_type == "concealed-string":
        ftype = 1
    elif f.field_type == "boolean":
        ftype = 2
    else:
        ftype = 0
    value: Any = f.value
    if ext.get("valueNull"):
        value = None
    elif "valueJson" in ext:
        value = ext["valueJson"]
    label = name if name is not None else f.label
    if "nameJson" in ext:
        label = ext["nameJson"]
    out = {"name": label, "value": value, "type": ftype, "linkedId": ext.get("linkedId")}
    out.update(ext.get("extra", {}))
    return out


def _set_member(bw: dict[str, Any], member: str, value: Any) -> None:
    """``identity.email`` → bw["identity"]["email"] = value; ``login.uris[0]`` kept as is."""
    if "." not in member:
        bw[member] = value
        return
    head, rest = member.split(".", 1)
    target = bw.get(head)
    if not isinstance(target, dict):
        target = {}
        bw[head] = target
    target[rest] = value


class _ItemWriter:
    def __init__(self, item: m.Item, report: MigrationReport) -> None:
        self.item = item
        self.report = report
        self.credentials = report.credential_records()
        self.ext = _ext(item)
        self.fields: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.modes: list[tuple[str, str] | None] = [None] * len(item.credentials)
        """Per credential: the mode of :data:`WRITTEN` it was written by, and why not."""

    def outcome(
        self, index: int, ctype: str, outcome: Outcome, note: str = "", mode: str = ""
    ) -> None:
        item = self.item
        self.credentials.add("write", ctype, item.title, outcome, note, item.id, index)
        if outcome is Outcome.NOT_CARRIED:
            self.modes[index] = (ledger.DROPPED, note)
        else:
            self.modes[index] = ledger.written_as(mode or ctype)

    def choose_type(self) -> int:
        declared = self.ext.get("type")
        if declared in (T_LOGIN, T_NOTE, T_CARD, T_IDENTITY, T_SSH):
            return int(declared)
        kinds = {cxf.credential_type(c) for c in self.item.credentials}
        if kinds & {"basic-auth", "passkey", "totp"} or self.item.scope is not None:
            return T_LOGIN
        if "credit-card" in kinds:
            return T_CARD
        if kinds & {"person-name", "address", "identity-document", "passport", "drivers-license"}:
            return T_IDENTITY
        if "ssh-key" in kinds:
            return T_SSH
        return T_NOTE

    def as_fields(self, index: int, cred: Any, why: str, skip: Iterable[str] = ()) -> None:
        ctype = cxf.credential_type(cred)
        fields = _fields_of(cred, ctype, skip)
        self.fields.extend(fields)
        self.outcome(
            index,
            ctype,
            Outcome.TRANSFORMED,
            f"{why}: written as {len(fields)} custom field(s)",
            ledger.FIELDS,
        )

    def build(self) -> dict[str, Any]:
        item, ext = self.item, self.ext
        btype = self.choose_type()
        bw: dict[str, Any] = {
            "passwordHistory": None,
            "revisionDate": ext.get("revisionDate") or format_iso_date(item.modified_at),
            "creationDate": ext.get("creationDate") or format_iso_date(item.creation_at),
            "deletedDate": ext.get("deletedDate"),
            "id": ext.get("id") or item_id_from_cxf(item.id),
            "organizationId": ext.get("organizationId"),
            "folderId": None,
            "type": btype,
            "reprompt": ext.get("reprompt", 0),
            "name": item.title,
            "notes": None,
            "favorite": bool(item.favorite),
            "fields": None,
            "collectionIds": None,
        }
        login: dict[str, Any] = {
            "fido2Credentials": [],
            "uris": [],
            "username": None,
            "password": None,
            "totp": None,
        }
        card: dict[str, Any] = dict.fromkeys(
            ("cardholderName", "brand", "number", "expMonth", "expYear", "code")
        )
        identity: dict[str, Any] = dict.fromkeys(("title", "firstName", "middleName", "lastName", "address1", "address2", "address3", "city", "state", "postalCode", "country", "company", "email", "phone", "ssn", "username", "passportNumber", "licenseNumber"))  # fmt: skip
        ssh: dict[str, Any] = {"privateKey": None, "publicKey": None, "keyFingerprint": None}
        seen: set[str] = set()
        fido_meta = list(ext.get("fido2", []))
        if item.scope is not None:
            matches = ext.get("uriMatch") or []
            extra = ext.get("uriExtra") or {}
            for i, url in enumerate(item.scope.urls):
                entry = {"match": matches[i] if i < len(matches) else None, "uri": url}
                entry.update(extra.get(str(i), {}))
                login["uris"].append(entry)
            for app in item.scope.android_apps:
                login["uris"].append({"match": None, "uri": f"androidapp://{app.bundle_id}"})
        for index, cred in enumerate(item.credentials):
            ctype = cxf.credential_type(cred)
            first = ctype not in seen
            seen.add(ctype)
            if isinstance(cred, m.Passkey):
                if btype != T_LOGIN:
                    self.as_fields(index, cred, f"a {_TYPE_NAMES[btype]} cannot hold passkeys")
                    continue
                try:
                    passkey = self.passkey(cred, fido_meta)
                except b64.Base64Error:  # a model built in code: B64's pattern, bad length
                    why = "its credentialId is not base64url"
                    self.outcome(index, ctype, Outcome.NOT_CARRIED, why)
                    continue
                login["fido2Credentials"].append(passkey)
                self.outcome(index, ctype, Outcome.CARRIED)
            elif isinstance(cred, m.BasicAuth) and btype == T_LOGIN and first:
                login["username"] = cred.username.value if cred.username else None
                login["password"] = cred.password.value if cred.password else None
                self.outcome(index, ctype, Outcome.CARRIED)
            elif isinstance(cred, m.Totp) and btype == T_LOGIN and first:
                login["totp"] = format_totp(cred, ext.get("totpForm"))
                self.outcome(index, ctype, Outcome.CARRIED)
            elif isinstance(cred, m.Note) and first:
                bw["notes"] = cred.content.value
                self.outcome(index, ctype, Outcome.CARRIED)
            elif isinstance(cred, m.CreditCard) and btype == T_CARD and first:
                self.card(index, cred, card)
            elif isinstance(cred, m.PersonName | m.Address | m.IdentityDocument | m.Passport | m.DriversLicense) and btype == T_IDENTITY and first:  # fmt: skip
                self.identity(index, cred, identity)
            elif isinstance(cred, m.SshKey) and btype == T_SSH and first:
                self.ssh(index, cred, ssh)
            elif isinstance(cred, m.CustomFields):
                self.custom(index, cred, bw, login, card, identity, ssh)
            elif isinstance(cred, m.File | m.ItemReference | m.UnknownCredential):
                why = {
                    "file": "Bitwarden JSON holds no attachments",
                    "item-reference": "Bitwarden has no item references",
                }.get(ctype, "Bitwarden has no place for this kind of credential")
                self.outcome(index, ctype, Outcome.NOT_CARRIED, why)
            else:
                why = (
                    "a second one in the item"
                    if not first
                    else f"a {_TYPE_NAMES[btype]} item has no place for it"
                )
                self.as_fields(index, cred, why)
        if fido_meta and btype == T_LOGIN:
            pass
        if btype == T_LOGIN:
            login.update(ext.get("login", {}))
            bw["login"] = login
        elif btype == T_NOTE:
            bw["secureNote"] = ext.get("secureNote", {"type": 0})
        elif btype == T_CARD:
            bw["card"] = card
        elif btype == T_IDENTITY:
            bw["identity"] = identity
        elif btype == T_SSH:
            bw["sshKey"] = ssh
        for member, value in (ext.get("raw") or {}).items():
            _set_member(bw, member, value)
        bw["fields"] = self.fields or ([] if "fields" in ext.get("emptyLists", ()) else None)
        bw["passwordHistory"] = self.history or None
        return bw

    def passkey(self, cred: m.Passkey, metas: list[dict[str, Any]]) -> dict[str, Any]:
        raw_id = b64.decode(cred.credential_id)
        meta: dict[str, Any] = {}
        for i, candidate in enumerate(metas):
            original = candidate.get("credentialId")
            try:
                same = (
                    isinstance(original, str)
                    and bitwarden_credential_id_to_bytes(original) == raw_id
                )
            except AdapterError:
                same = False
            if same:
                meta = metas.pop(i)
                break
        out: dict[str, Any] = {
            "credentialId": meta.get("credentialId")
            or bytes_to_bitwarden_credential_id(raw_id, uuid_form=False),
            "keyType": meta.get("keyType", "public-key"),
            "keyAlgorithm": meta.get("keyAlgorithm", "ECDSA"),
            "keyCurve": meta.get("keyCurve", "P-256"),
            "keyValue": cred.key,
            "rpId": cred.rp_id,
            "userHandle": None if meta.get("userHandleNull") else cred.user_handle,
            "userName": None if meta.get("userNameNull") else cred.username,
            "counter": meta.get("counter", "0"),
            "rpName": meta.get("rpName", cred.rp_id),
            "userDisplayName": None if meta.get("userDisplayNameNull") else cred.user_display_name,
            "discoverable": meta.get("discoverable", "true"),
            "creationDate": meta.get("creationDate") or format_iso_date(self.item.creation_at),
        }
        if not meta:
            out.update(_key_shape(cred.key))
        for k, v in meta.items():
            if k not in out and not k.endswith("Null"):
                out[k] = v
        return out

    def card(self, index: int, cred: m.CreditCard, card: dict[str, Any]) -> None:
        for attr, key in (("full_name", "cardholderName"), ("card_type", "brand"), ("number", "number"), ("verification_number", "code")):  # fmt: skip
            value = getattr(cred, attr)
            if value is not None:
                card[key] = value.value
        leftovers = []
        if cred.expiry_date is not None:
            exact = self.ext.get("cardExpiry")
            match = re.fullmatch(r"(\d{4})-(\d{2})", cred.expiry_date.value)
            if exact:
                card["expMonth"], card["expYear"] = exact.get("expMonth"), exact.get("expYear")
            elif match:
                card["expYear"], card["expMonth"] = match.group(1), str(int(match.group(2)))
            else:
                leftovers.append("expiry_date")
        skip = {"full_name", "card_type", "number", "verification_number", "expiry_date"} - set(
            leftovers
        )
        extra = _fields_of(cred, "credit-card", skip)
        mode = "credit-card:expiry-as-field" if leftovers else "credit-card"
        if extra:
            self.fields.extend(extra)
            self.outcome(
                index,
                "credit-card",
                Outcome.TRANSFORMED,
                "PIN/valid-from as custom fields",
                mode,
            )
        else:
            self.outcome(index, "credit-card", Outcome.CARRIED, mode=mode)

    def identity(self, index: int, cred: Any, identity: dict[str, Any]) -> None:
        ctype = cxf.credential_type(cred)
        used: set[str] = set()
        if isinstance(cred, m.PersonName):
            for key, attr in _IDENTITY_NAME:
                value = getattr(cred, attr)
                if value is not None:
                    identity[key] = value.value
                    used.add(attr)
        elif isinstance(cred, m.Address):
            if cred.street_address is not None:
                lines = cred.street_address.value.split("\n")
                keys = self.ext.get("addressLines") or ["address1", "address2", "address3"]
                if len(keys) != len(lines) and self.ext.get("addressLines"):
                    keys = ["address1", "address2", "address3"]
                for n, line in enumerate(lines[:3]):
                    identity[keys[n] if n < len(keys) else f"address{n + 1}"] = line
                if len(lines) > 3:
                    identity["address3"] = "\n".join(lines[2:])
                used.add("street_address")
            for attr, key in (("city", "city"), ("territory", "state"), ("postal_code", "postalCode"), ("country", "country"), ("tel", "phone")):  # fmt: skip
                value = getattr(cred, attr)
                if value is not None:
                    identity[key] = value.value
                    used.add(attr)
        else:
            attr, key = {
                "identity-document": ("identification_number", "ssn"),
                "passport": ("passport_number", "passportNumber"),
                "drivers-license": ("license_number", "licenseNumber"),
            }[ctype]
            value = getattr(cred, attr)
            if value is None and isinstance(cred, m.IdentityDocument) and cred.document_number:
                attr, value = "document_number", cred.document_number
            if value is not None:
                identity[key] = value.value
                used.add(attr)
        extra = _fields_of(cred, ctype, used)
        if extra:
            self.fields.extend(extra)
            self.outcome(
                index, ctype, Outcome.TRANSFORMED, f"{len(extra)} member(s) as custom fields"
            )
        else:
            self.outcome(index, ctype, Outcome.CARRIED)

    def ssh(self, index: int, cred: m.SshKey, ssh: dict[str, Any]) -> None:
        try:
            private, public, fingerprint = ssh_from_pkcs8(cred.private_key, cred.key_comment)
        except AdapterError:
            self.as_fields(index, cred, "the key cannot be written in OpenSSH format")
            return
        ssh["privateKey"] = private
        ssh["publicKey"] = self.ext.get("sshPublicKey") or public
        ssh["keyFingerprint"] = self.ext.get("sshFingerprint") or fingerprint
        extra = _fields_of(cred, "ssh-key", {"key_type", "private_key", "key_comment"})
        self.fields.extend(extra)
        self.outcome(index, "ssh-key", Outcome.TRANSFORMED if extra else Outcome.CARRIED,
                     "dates/source as custom fields" if extra else "")  # fmt: skip

    def custom(self, index: int, cred: m.CustomFields, bw: dict[str, Any], login: dict[str, Any],
               card: dict[str, Any], identity: dict[str, Any], ssh: dict[str, Any]) -> None:  # fmt: skip
        role = _ext(cred).get("role")
        if role == "fields":
            self.fields.extend(_bw_field(f) for f in cred.fields)
            self.outcome(index, "custom-fields", Outcome.CARRIED, mode="custom-fields:fields")
        elif role == "passwordHistory":
            for f in cred.fields:
                entry = {"lastUsedDate": _ext(f).get("lastUsedDate"), "password": f.value}
                entry.update(_ext(f).get("extra", {}))
                self.history.append(entry)
            self.outcome(index, "custom-fields", Outcome.CARRIED, mode="custom-fields:history")
        elif role == "members":
            targets = {"login": login, "card": card, "identity": identity, "sshKey": ssh}
            for f in cred.fields:
                member = str(_ext(f).get("member", ""))
                head, _, rest = member.partition(".")
                value: Any = f.value
                if f.field_type == "boolean":
                    value = f.value == "true"
                if rest and head in targets and "[" not in rest:
                    targets[head][rest] = value
                elif member and "." not in member and "[" not in member:
                    bw[member] = value
                else:
                    self.fields.append(_bw_field(f, f.label or member))
            self.outcome(index, "custom-fields", Outcome.CARRIED, mode="custom-fields:members")
        else:
            prefix = cred.label
            self.fields.extend(
                _bw_field(f, f"{prefix}: {f.label}" if prefix and f.label else (f.label or prefix))
                for f in cred.fields
            )
            self.outcome(index, "custom-fields", Outcome.TRANSFORMED if prefix else Outcome.CARRIED,
                         f"group '{prefix}' flattened into Bitwarden custom fields" if prefix else "",
                         "custom-fields:grouped" if prefix else "custom-fields")  # fmt: skip


_TYPE_NAMES: Final = {T_LOGIN: "login", T_NOTE: "secure note", T_CARD: "card", T_IDENTITY: "identity", T_SSH: "SSH key"}  # fmt: skip


def _located(doc: cxf.Document) -> Iterable[tuple[str, m.Item]]:
    """Every item of *doc* with its CXF path (``$.accounts[0].items[3]``)."""
    for a, account in enumerate(doc.accounts):
        for i, item in enumerate(account.items):
            yield f"$.accounts[{a}].items[{i}]", item


_C, _T, _N = ledger.CARRIED, ledger.TRANSFORMED, ledger.NOT_CARRIED
_AS_FIELDS: Final[ledger.Rule] = (_T, "written as Bitwarden custom fields")
NO_PLACE: Final[ledger.Rule] = (_N, "a member CXF does not define; Bitwarden has no place for it")
"""The rule for members CXF does not define (the JSON and CSV writers)."""
NO_SUBTITLE_TAGS: Final[dict[str, ledger.Rule]] = {
    "subtitle": (_N, "Bitwarden items have no subtitle"),
    "tags": (_N, "Bitwarden has no tags"),
}
ANDROID_APPS: Final[dict[str, ledger.Rule]] = {
    "scope.androidApps[].name": (_N, "Bitwarden keeps no app names"),
    "scope.androidApps[].bundleId": (_T, "as an androidapp:// URI"),
    "scope.androidApps[].certificate": (
        _N,
        "Bitwarden keeps no app signing-certificate fingerprints",
    ),
}
"""A login's Android apps (as URIs, in the JSON and CSV writers)."""
_ITEM: Final[dict[str, ledger.Rule]] = {
    "id": (_T, "as Bitwarden's item id"),
    "creationAt": _C,
    "modifiedAt": _C,
    "title": _C,
    "favorite": _C,
    f"extensions[{EXTENSION}]": _C,
    **NO_SUBTITLE_TAGS,
}
_PASSKEY: Final[dict[str, ledger.Rule]] = {
    "credentialId": _C, "rpId": _C, "username": _C, "userDisplayName": _C, "userHandle": _C,
    "key": _C,
    "fido2Extensions": (_N, "Bitwarden keeps no passkey extensions (PRF/hmac-secret seeds, "
                            "credBlob, largeBlob)"),
}  # fmt: skip
_NAME_PARTS: Final = ("title", "given", "given2", "surname")
_CUSTOM: Final[dict[str, ledger.Rule]] = {
    "fields[].value": _C,
    "fields[].fieldType": (_T, "as a Bitwarden field kind"),
}
_OWN: Final[dict[str, ledger.Rule]] = {
    f"extensions[{EXTENSION}]": _C,
    f"fields[].extensions[{EXTENSION}]": _C,
}
_FOLDER: Final[dict[str, ledger.Rule]] = {
    "title": _C,
    "id": (_T, "as the folder id"),
    "items[].item": (_T, "as the item's folder"),
    "items[].account": (_N, "a Bitwarden export names no account"),
    "subtitle": (_N, "Bitwarden has no collection subtitles"),
    "creationAt": (_N, "Bitwarden folders have no dates"),
    "modifiedAt": (_N, "Bitwarden folders have no dates"),
    f"extensions[{EXTENSION}]": _C,
}
WRITTEN: Final = ledger.Declaration(
    "Bitwarden JSON",
    {
        "login": ledger.Table({**_ITEM, "scope.urls": _C, **ANDROID_APPS}, unknown=NO_PLACE),
        "": ledger.Table(
            {**_ITEM, "scope": (_N, "only a Bitwarden login item holds URLs")}, unknown=NO_PLACE
        ),
    },
    {
        "passkey": ledger.Table(_PASSKEY),
        "basic-auth": ledger.Table(ledger.editable("username", "password")),
        "totp": ledger.Table(default=_C),
        "note": ledger.Table(ledger.editable("content")),
        "credit-card": ledger.Table(
            {
                **ledger.editable(
                    "fullName", "cardType", "number", "verificationNumber", "expiryDate"
                ),
                **ledger.editable("pin", "validFrom", outcome=_AS_FIELDS),
            }
        ),
        "credit-card:expiry-as-field": ledger.Table(
            {
                **ledger.editable("fullName", "cardType", "number", "verificationNumber"),
                **ledger.editable("pin", "validFrom", "expiryDate", outcome=_AS_FIELDS),
            }
        ),
        "person-name": ledger.Table(
            ledger.editable(*_NAME_PARTS),
            default=_AS_FIELDS,  # other parts: custom fields
        ),
        "address": ledger.Table(
            ledger.editable("streetAddress", "city", "territory", "postalCode", "country", "tel")
        ),
        "identity-document": ledger.Table(
            ledger.editable("identificationNumber"), default=_AS_FIELDS
        ),
        "passport": ledger.Table(ledger.editable("passportNumber"), default=_AS_FIELDS),
        "drivers-license": ledger.Table(ledger.editable("licenseNumber"), default=_AS_FIELDS),
        "ssh-key": ledger.Table(
            {"keyType": _C, "privateKey": _C, "keyComment": _C}, default=_AS_FIELDS
        ),
        "custom-fields": ledger.Table({**_CUSTOM, "fields[].label": _C}),
        "custom-fields:grouped": ledger.Table(
            {
                **_CUSTOM,
                "fields[].label": (_T, "prefixed with the group label"),
                "label": (_T, "as a prefix of each field's name"),
            }
        ),
        "custom-fields:fields": ledger.Table({**_CUSTOM, **_OWN, "fields[].label": _C}),
        "custom-fields:history": ledger.Table(
            {"fields[].value": (_C, "as password history"), **_OWN}
        ),
        "custom-fields:members": ledger.Table(
            {"fields[].value": (_C, "back in its Bitwarden member"), **_OWN}
        ),
    },
    header=ledger.Table(default=(_N, "a Bitwarden export has no exporter header")),
    accounts=ledger.Table(
        {f"extensions[{EXTENSION}].organisation": (_C, "as the export's kind")},
        default=(_N, "a Bitwarden export names no account (id, user name, e-mail)"),
        unknown=(_N, "a Bitwarden export has no place for account extensions"),
    ),
    collections={
        "": ledger.Table(_FOLDER, unknown=NO_PLACE),
        "sub": ledger.Table(
            {**_FOLDER, "title": (_T, "as part of the folder name 'parent/title'")},
            unknown=NO_PLACE,
        ),
    },
)
"""What the Bitwarden JSON writer carries of each CXF item, account and collection (folders,
or an organisation's collections; nested ones named ``A/B``) (:mod:`cxkit.adapters.kit.ledger`)."""


def _key_shape(key_b64: str) -> dict[str, str]:
    """Bitwarden keyAlgorithm/keyCurve for a PKCS#8 key (Bitwarden itself only makes P-256)."""
    try:
        key = serialization.load_der_private_key(b64.decode(key_b64), password=None)
    except Exception:
        return {}
    curve = getattr(key, "curve", None)
    if curve is not None:
        return {"keyAlgorithm": "ECDSA", "keyCurve": {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}.get(curve.name, curve.name)}  # fmt: skip
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return {"keyAlgorithm": "EdDSA", "keyCurve": "Ed25519"}
    if isinstance(key, rsa.RSAPrivateKey):
        return {"keyAlgorithm": "RSA", "keyCurve": ""}
    return {}


def document_to_bitwarden(doc: cxf.Document, report: MigrationReport) -> dict[str, Any]:
    """Any CXF document → a Bitwarden JSON export object (personal, or organisation when the
    source was one)."""
    organisation = any(_ext(a).get("organisation") for a in doc.accounts) or any(
        _ext(c).get("kind") == "collections" for a in doc.accounts for c in a.collections
    )
    groups: list[dict[str, Any]] = []
    membership: dict[str, list[str]] = {}
    WRITTEN.record_document(report, doc)

    def walk(collection: m.Collection, parent: str) -> None:
        ext = _ext(collection)
        title = f"{parent}/{collection.title}" if parent else collection.title
        gid = ext.get("id") or item_id_from_cxf(collection.id)
        if organisation:
            groups.append({"id": gid, "organizationId": ext.get("organizationId"), "name": title,
                           "externalId": ext.get("externalId")})  # fmt: skip
        else:
            groups.append({"id": gid, "name": title})
        for link in collection.items:
            membership.setdefault(link.item, []).append(gid)
        for sub in collection.sub_collections:
            walk(sub, title)

    for account in doc.accounts:
        for collection in account.collections:
            walk(collection, "")
    items: list[dict[str, Any]] = []
    for where, item in _located(doc):
        writer = _ItemWriter(item, report)
        bw = writer.build()
        WRITTEN.record(report, where, item, writer.modes, "login" if bw["type"] == T_LOGIN else "")
        ext = _ext(item)
        groups_of = membership.get(item.id, [])
        if organisation:
            if groups_of or "collectionIdsRaw" in ext:
                raw = ext.get("collectionIdsRaw")
                bw["collectionIds"] = (
                    raw
                    if raw is not None and not groups_of
                    else groups_of
                    + [c for c in (raw or []) if c is not None and c not in groups_of]
                )
            if bw.get("organizationId") is None:
                bw["organizationId"] = next(
                    (g.get("organizationId") for g in groups if g["id"] in groups_of), None
                )
        else:
            if groups_of:
                bw["folderId"] = groups_of[0]
                if len(groups_of) > 1:
                    report.warnings.append(
                        f"{item.title}: in {len(groups_of)} collections; Bitwarden folders hold an item once (first kept)"
                    )
            elif ext.get("folderId") is not None:
                bw["folderId"] = ext["folderId"]
            if ext.get("collectionIdsRaw") is not None:
                bw["collectionIds"] = ext["collectionIdsRaw"]
        report.items_written += 1
        items.append(bw)
    out: dict[str, Any] = {"encrypted": False}
    out["collections" if organisation else "folders"] = groups
    out["items"] = items
    return out
