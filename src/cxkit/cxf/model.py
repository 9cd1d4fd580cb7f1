"""The CXF 1.0 data model (CXF PS 2025-08-14 + errata 2026-03-09, spec §3).

Every structure of the specification is a frozen :class:`msgspec.Struct`. Python attribute
names are PEP 8 (``credential_id``); wire names are the spec's exactly (``credentialId``).

Conventions, applied everywhere:

* **binary values** (CXF ``b64url``) are kept as their canonical base64url *text* (type
  :data:`B64`); :mod:`cxkit.cxf.b64` converts to and from bytes. Keeping text makes decoding fast
  and re-encoding exact.
* **optional members** default to ``None`` (absent); **optional arrays** (``.default []`` in the
  CDDL) default to ``()`` and are omitted when empty; **required arrays** have no default and are
  always written, even when empty (spec §2.1.2). At run time an optional member's annotation is
  ``X``, not ``X | None`` (:func:`_absent_is_not_null`: msgspec refuses a JSON ``null``), so
  ``typing.get_type_hints`` shows ``X``; :func:`optional_members` lists them.
* **open enumerations** (credential ``type``, ``fieldType``, TOTP ``algorithm``, ``hashAlg``, ...)
  are plain ``str``: an unknown value is kept, and the validator reports it (spec §2.1.1).
* values the model cannot hold (unknown members, unknown credential types and extensions, and
  known members with unusable values) are never dropped: see :class:`Extra` and
  :mod:`cxkit.cxf.codec`.
* sequences are tuples, so a decoded document is deeply immutable; edit with
  :func:`cxkit.cxf.replace`.

The prescribed ``fieldType`` of each EditableField member (spec §3.3) is part of its type
annotation (``EF[...]``) so that the validator, the lenient decoder and the JSON Schema read it
from one place.
"""

from __future__ import annotations

import threading
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final, TypeAlias

import msgspec

__all__ = [
    "CREDENTIAL_TYPES",
    "EXTENSION_SLOT",
    "FIELD_TYPES",
    "Account",
    "Address",
    "AndroidAppCertificateFingerprint",
    "AndroidAppId",
    "AnyExtension",
    "ApiKey",
    "BasicAuth",
    "Collection",
    "Credential",
    "CredentialScope",
    "CreditCard",
    "CustomFields",
    "DriversLicense",
    "EditableField",
    "Extension",
    "Extra",
    "Fido2Extensions",
    "Fido2HmacCredentials",
    "Fido2LargeBlob",
    "File",
    "GeneratedPassword",
    "Header",
    "IdentityDocument",
    "Item",
    "ItemReference",
    "LinkedItem",
    "Note",
    "Passkey",
    "Passport",
    "PersonName",
    "SharedExtension",
    "SharingAccessor",
    "SshKey",
    "Totp",
    "UnknownCredential",
    "UnknownExtension",
    "Version",
    "Wifi",
    "decode_hook",
    "optional_members",
    "prescribed_fields",
]

# --------------------------------------------------------------------------- scalar types

#: The marker of :data:`B64` members. The alphabet is part of the JSON Schema but not of the
#: msgspec decoders: a ``pattern`` costs a regular-expression call per value (about half of
#: decoding a typical item, issue #20), so the codec checks the alphabet of all decoded values in
#: bulk instead (:mod:`cxkit.cxf._alphabet`) and sends an item with a stray character to the
#: tolerant path, as the pattern did.
B64_META: Final = msgspec.Meta(
    extra_json_schema={"contentEncoding": "base64url", "pattern": "^[A-Za-z0-9_-]*$"}
)
#: base64url text without padding (spec §1.2 of our notes; CDDL ``b64url = tstr``).
B64: TypeAlias = Annotated[str, B64_META]
#: Unix epoch seconds, CDDL ``uint .size 8``. (msgspec bounds stop at 2**63 - 1; the lenient
#: decoder accepts the rest of the uint64 range.)
Timestamp: TypeAlias = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
#: CDDL ``uint .size 1``.
UInt8: TypeAlias = Annotated[int, msgspec.Meta(ge=0, le=255)]
#: CDDL ``uint .size 2``.
UInt16: TypeAlias = Annotated[int, msgspec.Meta(ge=0, le=65535)]
#: CDDL ``uint`` (see :data:`Timestamp` for the upper bound).
UInt: TypeAlias = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]


@dataclass(frozen=True)
class Prescribed:
    """Annotation marker: the fieldType(s) the spec prescribes for an EditableField member."""

    field_types: tuple[str, ...]


#: The FieldType enumeration (spec §3.4.3).
FIELD_TYPES: Final = (
    "string",
    "concealed-string",
    "email",
    "number",
    "boolean",
    "date",
    "year-month",
    "wifi-network-security-type",
    "country-code",
    "subdivision-code",
)

# --------------------------------------------------------------------------- base classes


class Extra:
    """What the model could not hold for one JSON object, kept so that nothing is lost.

    * ``unknown`` — members CXF 1.0 does not define, as decoded JSON (spec §3.1.1: importers
      ignore them; cxkit writes them back);
    * ``source`` — for known members whose model value differs from what the file said (an
      unusable value, padded base64, a fractional timestamp, a legacy member name): source member
      name → (attribute, model value at decoding, source JSON value). The encoder writes the
      source value back only while the attribute still holds the recorded model value, so an
      edit never brings old data back.

    Not part of the CXF wire format; built by the decoder, never by msgspec.
    """

    __slots__ = ("source", "unknown")

    def __init__(
        self,
        unknown: Mapping[str, Any] | None = None,
        source: Mapping[str, tuple[str, Any, Any]] | None = None,
    ) -> None:
        self.unknown: Mapping[str, Any] = unknown or {}
        self.source: Mapping[str, tuple[str, Any, Any]] = source or {}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Extra)
            and self.unknown == other.unknown
            and self.source == other.source
        )

    def __hash__(self) -> int:
        return hash((tuple(self.unknown), tuple(self.source)))

    def __repr__(self) -> str:  # names only: values may be secrets
        return f"Extra(unknown={sorted(self.unknown)}, source={sorted(self.source)})"


#: Wire name of :attr:`CXFStruct.cx_extra`; never written by the encoder. A JSON member of this
#: name fails the strict decoder and is then kept as an unknown member.
EXTRA_WIRE_NAME: Final = "\u00a7cxkit-extra"


class CXFStruct(
    msgspec.Struct,
    frozen=True,
    gc=False,
    kw_only=True,
    omit_defaults=True,
    repr_omit_defaults=True,
    rename="camel",
    forbid_unknown_fields=True,
):
    """Base of every CXF structure.

    Instances are immutable and not tracked by the cyclic garbage collector (``gc=False``:
    measured 2–4× faster to build in bulk); they never form reference cycles.
    ``cx_extra`` carries what the model could not hold (see :class:`Extra`); it is copied by
    :func:`msgspec.structs.replace` and :func:`cxkit.cxf.replace` alike.
    """

    cx_extra: Extra | None = msgspec.field(default=None, name=EXTRA_WIRE_NAME)


class _ExtensionSlot:
    """The slot of one extension in the model (the element of :data:`ExtensionList`): to type
    checkers ``AnyExtension`` is ``SharedExtension | UnknownExtension``; to msgspec it is this
    class, a custom type that it decodes as JSON and hands to :func:`decode_hook`. A tagged
    union could not hold a vendor's extension (msgspec has no fallback tag), so every item with
    one left the strict decoder for the tolerant path (issue #12: 4.3× ``orjson`` for the CXF
    that cxkit writes from a Bitwarden export, where every item carries ``cxkit/bitwarden``).
    A base class rather than an ABC: msgspec checks the hook's result with ``isinstance``."""

    __slots__ = ()


class Extension(CXFStruct, _ExtensionSlot, tag_field="name", frozen=True, kw_only=True):
    """An extension object (spec §3.5): ``{"name": ..., ...}``. Subclasses are tagged on ``name``."""


class _Made(threading.local):
    def __init__(self) -> None:
        # [structs with a b64url member other than `id`, extensions kept verbatim]: a list, so
        # that the codec's item loop reads it without an attribute lookup
        self.counts = [0, 0]


_MADE: Final = _Made()


def b64_members_made() -> int:
    """How many structs with a b64url member other than ``id`` this thread made (decoded or
    built), besides :class:`Passkey` and its extension parts: the codec's alphabet check
    (:mod:`cxkit.cxf._alphabet`) walks only the items during whose decoding this changed
    (issue #20). Per thread, so that another thread's decoding never hides one."""
    return _MADE.counts[0]


def decode_counters() -> list[int]:
    """This thread's counters, for the codec's item loop: ``[0]`` is :func:`b64_members_made`,
    ``[1]`` how many extensions :func:`decode_hook` kept verbatim (an item holding one is not
    re-encoded to a shortest form of its source, which the duplicate-member screens assume)."""
    return _MADE.counts


class SharingAccessor(CXFStruct, frozen=True, kw_only=True):
    """One grantee of the ``shared`` extension (spec §3.5, SharingAccessor)."""

    def __post_init__(self) -> None:
        _MADE.counts[0] += 1

    type: str
    """``user`` or ``group`` (open; unknown → the accessor is ignored, MUST)."""
    account_id: B64
    name: str
    permissions: tuple[str, ...]
    """``read``, ``readSecret``, ``update``, ``create``, ``delete``, ``share``, ``manage`` (open)."""

    KNOWN_TYPES: ClassVar[frozenset[str]] = frozenset({"user", "group"})
    KNOWN_PERMISSIONS: ClassVar[frozenset[str]] = frozenset(
        {"read", "readSecret", "update", "create", "delete", "share", "manage"}
    )

    def effective_permissions(self) -> tuple[str, ...]:
        """Permissions an importer honours: unknown entries are ignored (spec §3.5, MUST)."""
        return tuple(p for p in self.permissions if p in self.KNOWN_PERMISSIONS)


class SharedExtension(Extension, tag="shared", frozen=True, kw_only=True):
    """The registered ``shared`` extension: who else can access a Collection or Item."""

    accessors: tuple[SharingAccessor, ...]

    def effective_accessors(self) -> tuple[SharingAccessor, ...]:
        """Accessors an importer honours (spec §3.5): unknown ``type`` → ignored; an empty
        permission list, as exported or after dropping unknown permissions → ignored."""
        return tuple(
            a
            for a in self.accessors
            if a.type in SharingAccessor.KNOWN_TYPES and a.effective_permissions()
        )


class UnknownExtension(Extension, tag="\x00cxkit-unknown-extension", frozen=True, kw_only=True):
    """An extension cxkit does not know (vendor extensions), kept verbatim.

    ``extension_name`` is the wire ``name``; ``members`` holds every other member as decoded JSON.
    Made by :func:`decode_hook` (the strict decoder) and by the tolerant builder; never decoded
    from its own fields.
    """

    extension_name: str
    members: Mapping[str, Any]


if TYPE_CHECKING:
    AnyExtension: TypeAlias = SharedExtension | UnknownExtension
else:
    AnyExtension = _ExtensionSlot

#: What ``AnyExtension`` is at run time, in the annotations that msgspec and the codec's
#: annotation walkers read.
EXTENSION_SLOT: Final[type] = _ExtensionSlot


ExtensionList: TypeAlias = Annotated[tuple[AnyExtension, ...], msgspec.Meta(min_length=1)]


def decode_hook(cls: type, value: Any) -> Any:
    """msgspec's ``dec_hook`` for the model (pass it to every decoder and ``convert`` of model
    types): an extension object (spec §3.5) becomes :class:`SharedExtension` when its ``name``
    is ``shared``, else :class:`UnknownExtension` with its other members verbatim. Anything
    unusable (not an object, no string ``name``, a ``shared`` extension that does not decode)
    raises, so that the strict decoder refuses the struct and the tolerant path reports it."""
    if cls is not EXTENSION_SLOT:
        raise NotImplementedError(f"no decoder for {cls!r}")
    if type(value) is not dict:
        raise ValueError("an extension must be an object")
    name = value.get("name")
    if type(name) is not str:
        raise ValueError("an extension needs a string `name`")
    if name == "shared":
        return msgspec.convert(value, SharedExtension)
    members = dict(value)
    del members["name"]
    _MADE.counts[1] += 1
    return UnknownExtension(extension_name=name, members=members)


class EditableField(CXFStruct, frozen=True, kw_only=True):
    """A user-editable value with a type hint for display (spec §3.4.2)."""

    id: B64 | None = None
    field_type: str
    """One of :data:`FIELD_TYPES` (open enumeration, spec §3.4.3)."""
    value: str
    """Always a string, whatever the fieldType (booleans and numbers are stringified)."""
    label: str | None = None
    extensions: ExtensionList = ()


# Spelled out so that type checkers see plain EditableField (Annotated is transparent to them).
EFString: TypeAlias = Annotated[EditableField, Prescribed(("string",))]
EFConcealed: TypeAlias = Annotated[EditableField, Prescribed(("concealed-string",))]
EFDate: TypeAlias = Annotated[EditableField, Prescribed(("date",))]
EFYearMonth: TypeAlias = Annotated[EditableField, Prescribed(("year-month",))]
EFCountry: TypeAlias = Annotated[EditableField, Prescribed(("country-code",))]
EFSubdivision: TypeAlias = Annotated[EditableField, Prescribed(("subdivision-code",))]
EFBoolean: TypeAlias = Annotated[EditableField, Prescribed(("boolean",))]
EFWifiSecurity: TypeAlias = Annotated[
    EditableField, Prescribed(("wifi-network-security-type", "string"))
]

# --------------------------------------------------------------------------- scope


class AndroidAppCertificateFingerprint(CXFStruct, frozen=True, kw_only=True):
    """Signing-certificate digest of an Android app (spec §3.2.4.1.1)."""

    def __post_init__(self) -> None:
        _MADE.counts[0] += 1

    fingerprint: B64
    hash_alg: str
    """``sha256`` or ``sha512`` (open; unknown → the fingerprint object is ignored)."""

    KNOWN_HASH_ALGS: ClassVar[frozenset[str]] = frozenset({"sha256", "sha512"})


class AndroidAppId(CXFStruct, frozen=True, kw_only=True):
    """An Android app the credentials may be offered to (spec §3.2.4.1)."""

    bundle_id: str
    certificate: AndroidAppCertificateFingerprint | None = None
    name: str | None = None


class CredentialScope(CXFStruct, frozen=True, kw_only=True):
    """Where an item's credentials should be offered (spec §3.2.4). Both arrays are required."""

    urls: tuple[str, ...]
    android_apps: tuple[AndroidAppId, ...]


class LinkedItem(CXFStruct, frozen=True, kw_only=True):
    """A reference to an item, possibly of another account (spec §3.2.2.1)."""

    def __post_init__(self) -> None:
        _MADE.counts[0] += 1

    item: B64
    account: B64 | None = None
    """The owning Account.id; absent means the enclosing account."""


# --------------------------------------------------------------------------- credentials


class Credential(CXFStruct, tag_field="type", frozen=True, kw_only=True):
    """Base of the 17 credential types (spec §3.3); tagged on ``type``."""


class Address(Credential, tag="address", frozen=True, kw_only=True):
    """Postal address (spec §3.3.1)."""

    street_address: EFString | None = None
    postal_code: EFString | None = None
    city: EFString | None = None
    territory: EFSubdivision | None = None
    country: EFCountry | None = None
    tel: EFString | None = None


class ApiKey(Credential, tag="api-key", frozen=True, kw_only=True):
    """An API key or token (spec §3.3.2)."""

    key: EFConcealed | None = None
    username: EFString | None = None
    key_type: EFString | None = None
    url: EFString | None = None
    valid_from: EFDate | None = None
    expiry_date: EFDate | None = None


class BasicAuth(Credential, tag="basic-auth", frozen=True, kw_only=True):
    """Username and password (spec §3.3.3)."""

    username: EFString | None = None
    password: EFConcealed | None = None


class CreditCard(Credential, tag="credit-card", frozen=True, kw_only=True):
    """Payment card (spec §3.3.4)."""

    number: EFConcealed | None = None
    full_name: EFString | None = None
    card_type: EFString | None = None
    verification_number: EFConcealed | None = None
    pin: EFConcealed | None = None
    expiry_date: EFYearMonth | None = None
    valid_from: EFYearMonth | None = None


class CustomFields(Credential, tag="custom-fields", frozen=True, kw_only=True):
    """A labelled group of extra fields of any FieldType (spec §3.3.5)."""

    id: B64 | None = None
    label: str | None = None
    fields: tuple[EditableField, ...]
    extensions: ExtensionList = ()


class DriversLicense(Credential, tag="drivers-license", frozen=True, kw_only=True):
    """Driver's licence, ISO 18013-1 mandatory elements (spec §3.3.6)."""

    full_name: EFString | None = None
    birth_date: EFDate | None = None
    issue_date: EFDate | None = None
    expiry_date: EFDate | None = None
    issuing_authority: EFString | None = None
    territory: EFSubdivision | None = None
    country: EFCountry | None = None
    license_number: EFString | None = None
    license_class: EFString | None = None


class File(Credential, tag="file", frozen=True, kw_only=True):
    """Metadata of an attachment whose bytes travel outside the JSON (spec §3.3.7)."""

    def __post_init__(self) -> None:
        _MADE.counts[0] += 1

    id: B64
    name: str
    decrypted_size: UInt
    integrity_hash: B64
    """SHA-256 of the decrypted content (32 bytes); importers MUST verify it."""


class GeneratedPassword(Credential, tag="generated-password", frozen=True, kw_only=True):
    """A password from a stand-alone generator (spec §3.3.8)."""

    password: str


class IdentityDocument(Credential, tag="identity-document", frozen=True, kw_only=True):
    """National ID card, SSN, TIN, ... (spec §3.3.9)."""

    issuing_country: EFCountry | None = None
    document_number: EFString | None = None
    identification_number: EFString | None = None
    nationality: EFString | None = None
    full_name: EFString | None = None
    birth_date: EFDate | None = None
    birth_place: EFString | None = None
    sex: EFString | None = None
    issue_date: EFDate | None = None
    expiry_date: EFDate | None = None
    issuing_authority: EFString | None = None


class ItemReference(Credential, tag="item-reference", frozen=True, kw_only=True):
    """Marks two items as related (spec §3.3.10)."""

    reference: LinkedItem


class Note(Credential, tag="note", frozen=True, kw_only=True):
    """Free text (spec §3.3.11)."""

    content: EFString


class Fido2HmacCredentials(CXFStruct, frozen=True, kw_only=True):
    """State of the WebAuthn ``prf`` / CTAP2 ``hmac-secret`` extension (spec §3.3.12.3)."""

    algorithm: str
    """``hmac-sha256`` (open; unknown → this object is ignored, SHOULD)."""
    cred_with_uv: B64 = msgspec.field(name="credWithUV")
    cred_without_uv: B64 = msgspec.field(name="credWithoutUV")

    KNOWN_ALGORITHMS: ClassVar[frozenset[str]] = frozenset({"hmac-sha256"})


class Fido2LargeBlob(CXFStruct, frozen=True, kw_only=True):
    """WebAuthn largeBlob content, raw DEFLATE compressed (spec §3.3.12.5)."""

    uncompressed_size: UInt
    data: B64


class Fido2Extensions(CXFStruct, frozen=True, kw_only=True):
    """Extension state of a passkey (spec §3.3.12.2)."""

    hmac_credentials: Fido2HmacCredentials | None = None
    cred_blob: B64 | None = None
    large_blob: Fido2LargeBlob | None = None
    payments: bool | None = None


#: How many :class:`Passkey` structs were made (decoded or built). The decoder reads it around
#: each item: a change means the item holds a passkey, whose members' repeats are then checked
#: (issue #17) — at the cost of one call per passkey, none per other item.
PASSKEYS_MADE: Final[list[int]] = [0]


class Passkey(Credential, tag="passkey", frozen=True, kw_only=True):
    """A WebAuthn discoverable credential with its private key (spec §3.3.12)."""

    def __post_init__(self) -> None:
        PASSKEYS_MADE[0] += 1

    credential_id: B64
    rp_id: str
    username: str
    user_display_name: str
    user_handle: B64
    key: B64
    """PKCS#8 DER private key, base64url."""
    fido2_extensions: Fido2Extensions | None = None


class Passport(Credential, tag="passport", frozen=True, kw_only=True):
    """Passport, ICAO Doc 9303 Part 4 elements (spec §3.3.13)."""

    issuing_country: EFCountry | None = None
    passport_type: EFString | None = None
    passport_number: EFString | None = None
    national_identification_number: EFString | None = None
    nationality: EFString | None = None
    full_name: EFString | None = None
    birth_date: EFDate | None = None
    birth_place: EFString | None = None
    sex: EFString | None = None
    issue_date: EFDate | None = None
    expiry_date: EFDate | None = None
    issuing_authority: EFString | None = None


class PersonName(Credential, tag="person-name", frozen=True, kw_only=True):
    """Name parts after Unicode LDML Part 8 (spec §3.3.14)."""

    title: EFString | None = None
    given: EFString | None = None
    given_informal: EFString | None = None
    given2: EFString | None = None
    surname_prefix: EFString | None = None
    surname: EFString | None = None
    surname2: EFString | None = None
    credentials: EFString | None = None
    """Post-nominal qualifiers ("PhD") — not secrets."""
    generation: EFString | None = None


class SshKey(Credential, tag="ssh-key", frozen=True, kw_only=True):
    """An SSH key pair (spec §3.3.15); ``private_key`` is PKCS#8 DER, base64url."""

    def __post_init__(self) -> None:
        _MADE.counts[0] += 1

    key_type: str
    private_key: B64
    key_comment: str | None = None
    creation_date: EFDate | None = None
    expiry_date: EFDate | None = None
    key_generation_source: EFString | None = None


class Totp(Credential, tag="totp", frozen=True, kw_only=True):
    """Time-based one-time password settings (spec §3.3.16)."""

    secret: str
    """Base32 (RFC 4648 §6) shared secret."""
    period: UInt16
    digits: UInt16
    username: str | None = None
    algorithm: str
    """``sha1``, ``sha256``, ``sha512`` (open; unknown → the TOTP is ignored, MUST)."""
    issuer: str | None = None

    KNOWN_ALGORITHMS: ClassVar[frozenset[str]] = frozenset({"sha1", "sha256", "sha512"})


class Wifi(Credential, tag="wifi", frozen=True, kw_only=True):
    """Wi-Fi network credentials (spec §3.3.17)."""

    ssid: EFString | None = None
    network_security_type: EFWifiSecurity | None = None
    passphrase: EFConcealed | None = None
    hidden: EFBoolean | None = None

    KNOWN_SECURITY_TYPES: ClassVar[frozenset[str]] = frozenset(
        {"unsecured", "wpa-personal", "wpa2-personal", "wpa3-personal", "wep"}
    )


class UnknownCredential(Credential, tag="\x00cxkit-unknown-credential", frozen=True, kw_only=True):
    """A credential cxkit does not use — an unregistered ``type``, or a known type whose required
    members are missing or unusable (spec §2.1.1: ignored by importers) — kept verbatim.

    ``credential_type`` is the wire ``type``; ``members`` holds every other member as decoded JSON.
    Never produced by the wire decoder directly; built by the codec.
    """

    credential_type: str
    members: Mapping[str, Any]
    reason: str = "unknown-type"
    """``unknown-type`` or ``invalid`` (a known type that could not be read)."""


AnyCredential: TypeAlias = (
    Address
    | ApiKey
    | BasicAuth
    | CreditCard
    | CustomFields
    | DriversLicense
    | File
    | GeneratedPassword
    | IdentityDocument
    | ItemReference
    | Note
    | Passkey
    | Passport
    | PersonName
    | SshKey
    | Totp
    | Wifi
    | UnknownCredential
)

#: Wire ``type`` → class, for the 17 registered credential types (spec §3.4.1).
CREDENTIAL_TYPES: Final[Mapping[str, type[Credential]]] = {
    cls.__struct_config__.tag: cls  # type: ignore[misc]
    for cls in (
        Address,
        ApiKey,
        BasicAuth,
        CreditCard,
        CustomFields,
        DriversLicense,
        File,
        GeneratedPassword,
        IdentityDocument,
        ItemReference,
        Note,
        Passkey,
        Passport,
        PersonName,
        SshKey,
        Totp,
        Wifi,
    )
}

# --------------------------------------------------------------------------- items and above


class Item(CXFStruct, frozen=True, kw_only=True):
    """One entry of a vault (spec §3.2.3): a title and any mix of credentials."""

    id: B64
    creation_at: Timestamp | None = None
    modified_at: Timestamp | None = None
    title: str
    subtitle: str | None = None
    favorite: bool | None = None
    scope: CredentialScope | None = None
    credentials: tuple[AnyCredential, ...]
    tags: Annotated[tuple[str, ...], msgspec.Meta(min_length=1)] = ()
    extensions: ExtensionList = ()


class Collection(CXFStruct, frozen=True, kw_only=True):
    """A folder or vault grouping items by reference (spec §3.2.2)."""

    id: B64
    creation_at: Timestamp | None = None
    modified_at: Timestamp | None = None
    title: str
    subtitle: str | None = None
    items: tuple[LinkedItem, ...]
    sub_collections: Annotated[tuple[Collection, ...], msgspec.Meta(min_length=1)] = ()
    extensions: ExtensionList = ()


class Account(CXFStruct, frozen=True, kw_only=True):
    """One user account of the exporting provider (spec §3.2.1)."""

    id: B64
    username: str
    email: str
    full_name: str | None = None
    collections: tuple[Collection, ...]
    items: tuple[Item, ...]
    extensions: ExtensionList = ()


class Version(CXFStruct, frozen=True, kw_only=True):
    """CXF version (spec §3.1.1); this implementation writes ``{1, 0}``."""

    major: UInt8
    minor: UInt8


class Header(CXFStruct, frozen=True, kw_only=True):
    """The root of a CXF document (spec §3.1)."""

    version: Version
    exporter_rp_id: str
    exporter_display_name: str
    timestamp: Timestamp
    accounts: tuple[Account, ...]


CXF_VERSION: Final = Version(major=1, minor=0)


# --------------------------------------------------------------------------- prescribed fieldTypes

_PRESCRIBED: dict[type, tuple[tuple[str, str, tuple[str, ...]], ...]] = {}


def prescribed_fields(cls: type[CXFStruct]) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(attribute, wire name, prescribed fieldTypes) of each EditableField member of ``cls``,
    read from the ``Prescribed`` annotations (spec §3.3); the first type is the one to write."""
    found = _PRESCRIBED.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls, include_extras=True)
        out = []
        for f in msgspec.structs.fields(cls):
            hint = hints[f.name]
            # an `EF[...]` member, required (Note.content) or optional (at run time `EF[...]`
            # too: _absent_is_not_null), carries the marker itself; a union carries it inside
            single = typing.get_origin(hint) is Annotated
            for arg in (hint,) if single else typing.get_args(hint) or (hint,):
                marker = next(
                    (x for x in getattr(arg, "__metadata__", ()) if isinstance(x, Prescribed)),
                    None,
                )
                if marker is not None:
                    out.append((f.name, f.encode_name, marker.field_types))
        found = _PRESCRIBED[cls] = tuple(out)
    return found


# --------------------------------------------------------------------------- absent, never null

#: Per class: the members annotated ``X | None = None`` in the source (see
#: :func:`_absent_is_not_null`).
_OPTIONAL: dict[type, frozenset[str]] = {}


def optional_members(cls: type) -> frozenset[str]:
    """The attributes of ``cls`` (and its bases) that are optional with ``None`` for absent: in
    the source ``X | None = None``, at run time ``X`` (:func:`_absent_is_not_null`)."""
    found = _OPTIONAL_ALL.get(cls)
    if found is None:
        found = _OPTIONAL_ALL[cls] = frozenset().union(
            *(_OPTIONAL.get(base, frozenset()) for base in cls.__mro__)
        )
    return found


_OPTIONAL_ALL: dict[type, frozenset[str]] = {}


def _absent_is_not_null() -> None:
    """CXF has no ``null``: an optional member is present with a value or absent (spec §2.1.2;
    CDDL ``? name: type``). The model's optional members are written ``X | None = None`` — for
    type checkers and callers, absent reads as ``None`` — but at run time their annotation is
    ``X``: msgspec then refuses a JSON ``null`` there, in C, and the codec sends that item to its
    tolerant path, which reports the null (``json.null``). Before (issue #20) the strict decoder
    took a ``null`` for "absent" silently, and the codec scanned the whole text for ``null``
    first. Done once, here, before any decoder reads the annotations."""
    todo: list[type] = [CXFStruct]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        annotations = vars(cls).get("__annotations__", {})  # its own, to be changed in place
        names = []
        for name, text in annotations.items():
            if isinstance(text, str) and text.endswith(" | None"):
                annotations[name] = text[: -len(" | None")]
                names.append(name)
        if names:
            _OPTIONAL[cls] = frozenset(names)


_absent_is_not_null()
