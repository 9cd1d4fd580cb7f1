"""Semantic validation of a decoded CXF document: the spec's checklist (notes §7, items 1–31)
as far as it applies to a document at rest.

:func:`validate` returns the decoder's findings followed by its own; it never raises for a
problem inside the document. Checks per structure:

* identifiers: empty, longer than 64 bytes, reused within an account (§1.4, §7.2);
* EditableFields: unknown or unexpected ``fieldType``, value formats of boolean, date,
  year-month, country and subdivision codes, e-mail, number (§4);
* passkeys: PKCS#8 key of a WebAuthn algorithm, credentialId and userHandle lengths, rpId,
  hmacCredentials, credBlob, largeBlob inflating to ``uncompressedSize`` (§5);
* TOTP: algorithm, Base32 secret, period and digits (§3.17); ssh-key: PKCS#8 and ``keyType``;
  file: ``integrityHash`` length and, when the bytes are supplied, size and SHA-256 (§3.8);
* the ``shared`` extension's accessors and permissions (§6.2); Android certificate fingerprints;
  LinkedItem and item-reference targets; scope URLs; timestamps.
"""

from __future__ import annotations

import datetime
import hashlib
import operator
import re
import threading
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain, pairwise
from typing import Any, Final

import msgspec

from cxkit.cxf import _vscreen
from cxkit.cxf import b64 as b64mod
from cxkit.cxf import model as m
from cxkit.cxf._dupes import duplicate_findings, has_duplicates
from cxkit.cxf._keys import pkcs8_info
from cxkit.cxf.codec import Document, paused_gc
from cxkit.cxf.findings import Finding, make_finding
from cxkit.cxf.rpid import is_valid_rp_id

__all__ = ["validate"]

_MAX_ID: Final = 64
_MAX_ID_CHARS: Final = 86  # unpadded base64url length of 64 bytes
_MAX_CREDENTIAL_ID_CHARS: Final = 1364  # unpadded base64url length of 1023 bytes
_BASE32_CANONICAL: Final = re.compile(r"[A-Z2-7]+")
_YEAR_3000: Final = 32503680000
_DATE: Final = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEAR_MONTH: Final = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_SUBDIVISION: Final = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+")
_NUMBER: Final = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_PASSPORT_TYPE: Final = re.compile(r"P[A-Z<]?")
_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_HASH_LENGTHS: Final = {"sha256": 32, "sha512": 64}
_FIELD_TYPES: Final = frozenset(m.FIELD_TYPES)


def validate(
    doc: Document,
    *,
    attachments: Mapping[str, bytes] | None = None,
    _exhaustive: bool = False,
) -> list[Finding]:
    """All findings for ``doc``: the decoder's, then the semantic checks.

    ``attachments`` maps ``File.id`` (base64url text) to the file's bytes; when given, each
    file credential's ``decryptedSize`` and ``integrityHash`` are checked against them.

    Documents are first *screened* in bulk, no paths built (issue #20): the items decoded
    strictly are encoded once, a chunk at a time, and decoded again into screen structs that
    msgspec checks in C (:func:`cxkit.cxf._vscreen.scan_items`; the encoding's length serves
    the duplicate-member screen), their identifiers are checked from that text; the containers
    are proven free of repeated members by their compact length
    (:attr:`cxkit.cxf.codec.Screen.frame`); the other items take the screen over the model (list
    comprehensions per credential type). Only the items no screen can clear get the precise
    per-item checks that produce findings. ``_exhaustive=True`` runs the precise checks on every
    item; the tests prove both give the same findings.
    """
    with paused_gc():
        strict = _strict_items(doc)
        _SHARED.made = (doc, strict)
        try:
            checker = _Checker(attachments, exhaustive=_exhaustive, strict=strict)
            checker.header(doc.header)
            return [*doc.findings, *_duplicate_members(doc), *checker.findings]
        finally:
            _SHARED.made = None


class _Shared(threading.local):
    """The strict items of the document being validated (this thread), for
    :func:`_proven_unique`."""

    made: tuple[Document, Mapping[int, _Strict]] | None = None


_SHARED: Final = _Shared()


class _Strict:
    """The plain strict items of one account (from the decoder's strict tier, no extension kept
    verbatim: their model is their source text, and encoded again never longer), the positions
    of the others, and what the screen learnt from their canonical encoding
    (:func:`cxkit.cxf._vscreen.scan_items`; None if it failed): made once, used by the
    duplicate-member screen and the item screen."""

    __slots__ = ("items", "raws", "scan", "tolerant")

    def __init__(self, account: m.Account, raws: list[msgspec.Raw], tolerant: tuple[int, ...]):
        self.tolerant = tolerant
        items: Sequence[m.Item] = account.items
        self.raws: Sequence[msgspec.Raw] = raws
        if tolerant:
            bounds = [-1, *sorted(tolerant), len(items)]
            runs = list(pairwise(bounds))
            items = list(chain.from_iterable(items[a + 1 : b] for a, b in runs))
            self.raws = list(chain.from_iterable(raws[a + 1 : b] for a, b in runs))
        self.items = items
        self.scan = _vscreen.scan_items(items)  # None: something no strict item holds

    def index(self, position: int) -> int:
        """The account's item index of ``items[position]``."""
        index = position
        for skipped in sorted(self.tolerant):
            if skipped > index:
                break
            index += 1
        return index


def _strict_items(doc: Document) -> dict[int, _Strict]:
    """id(account) → its :class:`_Strict` items, for the accounts whose sources and tolerant
    items the decoder recorded (Header-rooted documents)."""
    screen = doc.screen
    if screen is None or doc.source is None:
        return {}
    return {
        key: _Strict(account, raws, tuple(screen.tolerant.get(key, ())))
        for key, (account, raws) in doc.sources.items()
    }


def _duplicate_members(doc: Document) -> list[Finding]:
    """Every repeated member name of the decoded JSON (RFC 8259 §4; issue #17), one error
    finding each, except those the decoder already reported (items that may hold a passkey).
    First the screen (:func:`_proven_unique`), else one scan of the source with the standard
    library's scanner (about 1.3 times ``orjson.loads``); paths only when there is a repeat."""
    if doc.source is None or _proven_unique(doc):
        return []
    known = {(f.path, f.message) for f in doc.findings if f.code == "json.duplicate-member"}
    return duplicate_findings(doc.source, known)


def _proven_unique(doc: Document) -> bool:
    """Whether the source provably has no repeated member name (issue #20); False means "not
    proven" (the exact scan decides). Three parts, each sound on its own:

    * the containers (the Header and its Accounts): when the source is exactly as long as their
      compact frame (:attr:`~cxkit.cxf.codec.Screen.frame`) plus the items' bytes, no repeated
      container member is there (its copy would be bytes the frame does not count); otherwise by
      colons: outside strings, a ``:`` follows each member name and nothing else, so the colons
      of the source equal the containers' member names plus the colons inside their members'
      and items' bytes only when no container member is there twice (a repeat's first copy is
      in no member's bytes). Either way the container members' own bytes are scanned exactly
      (collections and the like: small);
    * items from the strict tier, all of an account at once: encoded again, an item is never
      longer than its source (the same members minus those at their defaults, each value in its
      shortest form), and a repeated member makes the source longer; equal total lengths
      prove none repeats;
    * the other items (a few per cent): each scanned exactly.
    """
    screen, source = doc.screen, doc.source
    if screen is None or source is None:
        return False
    made = _SHARED.made
    strict = made[1] if made is not None and made[0] is doc else _strict_items(doc)
    if any(has_duplicates(raw) for raw in screen.raws):
        return False
    compact = screen.frame
    for key, (_, raws) in doc.sources.items():
        part = strict[key]
        if part.scan is None or not _unique_members([raws[i] for i in part.tolerant]):
            return False
        length = sum(map(len, part.raws))
        if part.scan.length != length:
            return False
        if compact is not None:
            compact += length + sum(len(raws[i]) for i in part.tolerant)
    if compact == _root_length(source):
        return True
    colons = screen.names + sum(bytes(raw).count(b":") for raw in screen.raws)
    for key, (_, raws) in doc.sources.items():
        # equal lengths: each value is in its shortest form in the source too, so the colons
        # inside the strict items' bytes are those of their encoding
        part = strict[key]
        colons += _encoded_colons(part.items)
        colons += sum(bytes(raws[i]).count(b":") for i in part.tolerant)
    return source.count(b":") == colons


def _root_length(source: bytes) -> int:
    """Length of the JSON root value: the source without the white space around it (a file
    often ends with a newline)."""
    start, end = 0, len(source)
    while end > start and source[end - 1] in _JSON_SPACE:
        end -= 1
    while start < end and source[start] in _JSON_SPACE:
        start += 1
    return end - start


_JSON_SPACE: Final = b" \t\r\n"


def _encoded_colons(items: Sequence[m.Item]) -> int:
    """Colons of the items' encoding, made again a chunk at a time (only a document with space
    between its container tokens needs them)."""
    encode = _STRICT_ENCODER.encode
    return sum(encode(items[i : i + 1024]).count(b":") for i in range(0, len(items), 1024))


_STRICT_ENCODER: Final = msgspec.json.Encoder()


def _refuse_float(text: str) -> Any:
    raise ValueError("a float")  # its shortest form may be longer than the source's


_JSON_WITHOUT_FLOATS: Final = msgspec.json.Decoder(float_hook=_refuse_float)


def _unique_members(raws: list[msgspec.Raw]) -> bool:
    """Whether no object in these JSON texts has a member twice: all of them decoded at once
    (a repeat keeps one member) and encoded again, which is never longer than the source
    (strings and integers in their shortest form, no spaces; floats are refused) — so equal
    lengths prove it (issue #20; ~0.1 of the exact scan); otherwise each text is scanned
    exactly."""
    if not raws:
        return True
    text = b"[" + b",".join(raws) + b"]"
    try:
        again = _STRICT_ENCODER.encode(_JSON_WITHOUT_FLOATS.decode(text))
    except (ValueError, TypeError, RecursionError, msgspec.EncodeError):
        again = b""
    return len(again) == len(text) or not any(map(has_duplicates, raws))


class _Checker:
    def __init__(
        self,
        attachments: Mapping[str, bytes] | None,
        *,
        exhaustive: bool,
        strict: Mapping[int, _Strict],
    ) -> None:
        self.findings: list[Finding] = []
        self.attachments = attachments
        self.exhaustive = exhaustive
        self.strict = strict
        self.ids: dict[str, str] = {}
        self.item_ids: set[str] | None = None
        self.targets: set[str] = set()
        self.all_ids = False
        self.account_items: tuple[m.Item, ...] = ()
        self.account_collections: tuple[m.Collection, ...] = ()

    def add(self, code: str, path: str, message: str | None = None) -> None:
        self.findings.append(make_finding(code, path, message))

    # ------------------------------------------------------------------ containers

    def header(self, header: m.Header) -> None:
        self.timestamp(header.timestamp, "$.timestamp")
        for index, account in enumerate(header.accounts):
            self.account(account, f"$.accounts[{index}]")

    def account(self, account: m.Account, path: str) -> None:
        self.ids = {}
        self.item_ids = None  # made on first use (collections, item references)
        self.all_ids = False
        self.account_items = account.items
        self.account_collections = account.collections
        self.identifier(account.id, f"{path}.id", required=True)
        items = account.items
        suspects = (
            None
            if self.exhaustive
            else _screen(account, self.attachments is not None, self.strict.get(id(account)))
        )
        if suspects is None:
            for index, item in enumerate(items):
                self.item(item, f"{path}.items[{index}]")
        else:
            for index in sorted(suspects):
                self.item(items[index], f"{path}.items[{index}]")
        for index, collection in enumerate(account.collections):
            self.collection(collection, f"{path}.collections[{index}]")
        self.extensions(account.extensions, f"{path}.extensions", shared_allowed=False)

    def collection(self, collection: m.Collection, path: str) -> None:
        self.identifier(collection.id, f"{path}.id", required=True)
        self.timestamp(collection.creation_at, f"{path}.creationAt")
        self.timestamp(collection.modified_at, f"{path}.modifiedAt")
        for index, linked in enumerate(collection.items):
            self.linked_item(linked, f"{path}.items[{index}]")
        for index, sub in enumerate(collection.sub_collections):
            self.collection(sub, f"{path}.subCollections[{index}]")
        self.extensions(collection.extensions, f"{path}.extensions", shared_allowed=True)

    def linked_item(self, linked: m.LinkedItem, path: str) -> None:
        self.b64_length(linked.item, f"{path}.item")
        if linked.account is None and not self.is_item_id(linked.item):
            self.add("linked-item.missing-target", f"{path}.item")

    def is_item_id(self, target: str) -> bool:
        """Whether an item of the account has this id. The first call gathers every target the
        collections name and keeps those that are item ids (one pass over the items, no set of
        all ids); a target outside that set (an item reference) makes the full set."""
        if self.item_ids is None:
            self.targets = _collection_targets(self.account_collections, set())
            self.item_ids = self.targets.intersection(map(_get_id, self.account_items))
        if target not in self.targets and not self.all_ids:
            self.item_ids = set(map(_get_id, self.account_items))
            self.all_ids = True
        return target in self.item_ids

    def item(self, item: m.Item, path: str) -> None:
        self.identifier(item.id, f"{path}.id", required=True)
        if item.creation_at is not None:
            self.timestamp(item.creation_at, f"{path}.creationAt")
        if item.modified_at is not None:
            self.timestamp(item.modified_at, f"{path}.modifiedAt")
        credentials = item.credentials
        if not credentials:
            self.add("item.no-credentials", f"{path}.credentials")
        if item.scope is not None:
            self.scope(item.scope, f"{path}.scope")
            if credentials and all(isinstance(c, m.Passkey) for c in credentials):
                self.add("item.passkey-scope", f"{path}.scope")
        for index, credential in enumerate(credentials):
            check = _CREDENTIAL_CHECKS.get(type(credential))
            if check is not None:
                check(self, credential, f"{path}.credentials[{index}]", item)
        if item.extensions:
            self.extensions(item.extensions, f"{path}.extensions", shared_allowed=True)

    def scope(self, scope: m.CredentialScope, path: str) -> None:
        for index, url in enumerate(scope.urls):
            if _SCHEME.match(url) is None:
                self.add("scope.url-not-uri", f"{path}.urls[{index}]")
        for index, app in enumerate(scope.android_apps):
            cert = app.certificate
            if cert is None:
                continue
            cert_path = f"{path}.androidApps[{index}].certificate"
            self.b64_length(cert.fingerprint, f"{cert_path}.fingerprint")
            expected = _HASH_LENGTHS.get(cert.hash_alg)
            if expected is None:
                self.add("android.unknown-hash-alg", f"{cert_path}.hashAlg")
            elif b64mod.decoded_length(cert.fingerprint) != expected:
                self.add("android.fingerprint-length", f"{cert_path}.fingerprint")

    def extensions(
        self, extensions: Iterable[m.Extension], path: str, *, shared_allowed: bool
    ) -> None:
        for index, ext in enumerate(extensions):
            if not isinstance(ext, m.SharedExtension):
                continue
            ext_path = f"{path}[{index}]"
            if not shared_allowed:
                self.add("shared.misplaced", ext_path)
            for a_index, accessor in enumerate(ext.accessors):
                a_path = f"{ext_path}.accessors[{a_index}]"
                if accessor.type not in m.SharingAccessor.KNOWN_TYPES:
                    self.add("shared.unknown-accessor-type", f"{a_path}.type")
                    continue
                for p_index, permission in enumerate(accessor.permissions):
                    if permission not in m.SharingAccessor.KNOWN_PERMISSIONS:
                        self.add("shared.unknown-permission", f"{a_path}.permissions[{p_index}]")
                if not accessor.effective_permissions():
                    self.add("shared.no-permissions", f"{a_path}.permissions")

    # ------------------------------------------------------------------ scalars

    def identifier(self, value: str | None, path: str, *, required: bool = False) -> None:
        if not value:
            if value == "":  # optional ids too: the tolerant decoder reports them the same way
                self.add("id.empty", path)
            return
        if len(value) > _MAX_ID_CHARS or not _tail_ok(value):
            self.b64_length(value, path)
        ids = self.ids
        if value in ids:
            self.add("id.duplicate", path, f"identifier also used at {ids[value]}")
        else:
            ids[value] = path

    def b64_length(self, value: str, path: str) -> None:
        if not b64mod.is_canonical(value):
            self.add("b64.invalid", path, "not canonical base64url")
        elif b64mod.decoded_length(value) > _MAX_ID:
            self.add("id.too-long", path, f"{b64mod.decoded_length(value)} bytes, over 64")

    def timestamp(self, value: int | None, path: str) -> None:
        if value is not None and value > _YEAR_3000:
            self.add("timestamp.implausible", path)

    def bytes_of(self, value: str, path: str) -> bytes | None:
        try:
            return b64mod.decode(value)
        except b64mod.Base64Error as exc:
            self.add("b64.invalid", path, str(exc))
            return None

    def field(
        self, field: m.EditableField, base: str, wire: str, prescribed: frozenset[str] | None
    ) -> None:
        """Check one EditableField; its path is ``base`` + ``wire`` (built only for a finding)."""
        if field.id is not None:
            self.identifier(field.id, f"{base}{wire}.id")
        ftype = field.field_type
        if prescribed is None or ftype not in prescribed:
            if ftype not in _FIELD_TYPES:
                self.add("field.unknown-type", f"{base}{wire}.fieldType")
                return
            if prescribed is not None:
                expected = _PRESCRIBED_NAMES[prescribed]
                self.add(
                    "field.type-mismatch",
                    f"{base}{wire}.fieldType",
                    f"`{ftype}` where the spec prescribes `{expected}`",
                )
        check = _VALUE_CHECKS.get(ftype)
        if check is not None and not check(field.value):
            self.add(_VALUE_FINDINGS[ftype], f"{base}{wire}.value")

    # ------------------------------------------------------------------ credentials

    def fields_of(self, credential: m.Credential, path: str) -> None:
        for attr, wire, prescribed in _ef_members(type(credential)):
            value = getattr(credential, attr)
            if value is None:
                continue
            # the common case inline: prescribed type, nothing to check in the value, no id
            ftype = value.field_type
            if ftype in prescribed and ftype not in _VALUE_CHECKS and value.id is None:
                continue
            self.field(value, path, wire, prescribed)

    def check_generic(self, credential: m.Credential, path: str, item: m.Item) -> None:
        self.fields_of(credential, path)

    def check_wifi(self, credential: m.Credential, path: str, item: m.Item) -> None:
        assert isinstance(credential, m.Wifi)
        self.fields_of(credential, path)
        nst = credential.network_security_type
        # with the prescribed fieldType the value check above has looked at it already
        if (
            nst is not None
            and nst.field_type != "wifi-network-security-type"
            and nst.value not in m.Wifi.KNOWN_SECURITY_TYPES
        ):
            self.add("wifi.unknown-security-type", f"{path}.networkSecurityType.value")

    def check_passport(self, credential: m.Credential, path: str, item: m.Item) -> None:
        assert isinstance(credential, m.Passport)
        self.fields_of(credential, path)
        ptype = credential.passport_type
        if ptype is not None and ptype.value and _PASSPORT_TYPE.fullmatch(ptype.value) is None:
            self.add("passport.invalid-type", f"{path}.passportType.value")

    def check_custom_fields(self, credential: m.Credential, path: str, item: m.Item) -> None:
        assert isinstance(credential, m.CustomFields)
        self.identifier(credential.id, f"{path}.id")
        for index, field in enumerate(credential.fields):
            self.field(field, path, f".fields[{index}]", None)

    def check_item_reference(self, credential: m.Credential, path: str, item: m.Item) -> None:
        assert isinstance(credential, m.ItemReference)
        self.linked_item(credential.reference, f"{path}.reference")

    def check_file(self, credential: m.Credential, path: str, item: m.Item) -> None:
        assert isinstance(credential, m.File)
        self.identifier(credential.id, f"{path}.id", required=True)
        digest = self.bytes_of(credential.integrity_hash, f"{path}.integrityHash")
        if digest is not None and len(digest) != 32:
            self.add(
                "file.integrity-hash-length",
                f"{path}.integrityHash",
                f"{len(digest)} bytes, not 32",
            )
        if self.attachments is None:
            return
        content = self.attachments.get(credential.id)
        if content is None:
            self.add("file.missing-bytes", path)
            return
        if len(content) != credential.decrypted_size:
            self.add(
                "file.size-mismatch",
                f"{path}.decryptedSize",
                f"{len(content)} bytes supplied, {credential.decrypted_size} declared",
            )
        if digest is not None and hashlib.sha256(content).digest() != digest:
            self.add("file.hash-mismatch", f"{path}.integrityHash")

    def check_totp(self, credential: m.Credential, path: str, item: m.Item) -> None:
        assert isinstance(credential, m.Totp)
        algorithm = credential.algorithm
        if algorithm not in m.Totp.KNOWN_ALGORITHMS:
            if algorithm.lower() in m.Totp.KNOWN_ALGORITHMS:
                self.add("totp.algorithm-case", f"{path}.algorithm")
            else:
                self.add(
                    "totp.unknown-algorithm",
                    f"{path}.algorithm",
                    "unknown algorithm; importers MUST ignore this TOTP",
                )
        try:
            canonical = b64mod.canonical_base32(credential.secret)
        except b64mod.Base64Error as exc:
            self.add("totp.secret-not-base32", f"{path}.secret", str(exc))
        else:
            if canonical != credential.secret:
                self.add("totp.secret-not-canonical", f"{path}.secret")
        if credential.period == 0:
            self.add("totp.period-zero", f"{path}.period")
        if not 4 <= credential.digits <= 10:
            self.add("totp.digits-out-of-range", f"{path}.digits", f"{credential.digits} digits")
        issuer = credential.issuer
        if issuer and not _mentions(issuer, item):
            self.add("totp.issuer-mismatch", f"{path}.issuer")

    def check_ssh_key(self, credential: m.Credential, path: str, item: m.Item) -> None:
        assert isinstance(credential, m.SshKey)
        self.fields_of(credential, path)
        der = self.bytes_of(credential.private_key, f"{path}.privateKey")
        if der is None:
            return
        try:
            info = pkcs8_info(der)
        except ValueError as exc:
            self.add("ssh.key-not-pkcs8", f"{path}.privateKey", str(exc))
            return
        if info.ssh_types and credential.key_type not in info.ssh_types:
            self.add(
                "ssh.key-type-mismatch",
                f"{path}.keyType",
                f"keyType does not match a {info.description} key",
            )

    def check_passkey(self, credential: m.Credential, path: str, item: m.Item) -> None:
        assert isinstance(credential, m.Passkey)
        cid = credential.credential_id
        if cid == "":
            self.add("passkey.credential-id-empty", f"{path}.credentialId")
        elif not b64mod.is_canonical(cid):
            self.add("b64.invalid", f"{path}.credentialId", "not canonical base64url")
        elif b64mod.decoded_length(cid) > 1023:
            self.add("passkey.credential-id-too-long", f"{path}.credentialId")
        handle = credential.user_handle
        if handle == "":
            self.add("passkey.user-handle-empty", f"{path}.userHandle")
        elif not b64mod.is_canonical(handle):
            self.add("b64.invalid", f"{path}.userHandle", "not canonical base64url")
        elif b64mod.decoded_length(handle) > 64:
            self.add("passkey.user-handle-too-long", f"{path}.userHandle")
        if not is_valid_rp_id(credential.rp_id):
            self.add("passkey.rp-id-invalid", f"{path}.rpId")
        der = self.bytes_of(credential.key, f"{path}.key")
        if der is not None:
            try:
                info = pkcs8_info(der)
            except ValueError as exc:
                self.add("passkey.key-not-pkcs8", f"{path}.key", str(exc))
            else:
                if info.webauthn is None:
                    self.add(
                        "passkey.unsupported-algorithm",
                        f"{path}.key",
                        f"a {info.description} key is not a WebAuthn passkey algorithm cxkit supports",
                    )
        ext = credential.fido2_extensions
        if ext is not None:
            self.fido2(ext, f"{path}.fido2Extensions")

    def fido2(self, ext: m.Fido2Extensions, path: str) -> None:
        hmac = ext.hmac_credentials
        if hmac is not None:
            if hmac.algorithm not in m.Fido2HmacCredentials.KNOWN_ALGORITHMS:
                self.add("passkey.hmac-unknown-algorithm", f"{path}.hmacCredentials.algorithm")
            for wire, value in (
                ("credWithUV", hmac.cred_with_uv),
                ("credWithoutUV", hmac.cred_without_uv),
            ):
                seed = self.bytes_of(value, f"{path}.hmacCredentials.{wire}")
                if seed is not None and len(seed) != 32:
                    self.add(
                        "passkey.hmac-seed-length",
                        f"{path}.hmacCredentials.{wire}",
                        f"{len(seed)} bytes",
                    )
        if ext.cred_blob is not None:
            blob = self.bytes_of(ext.cred_blob, f"{path}.credBlob")
            if blob is not None and len(blob) > 32:
                self.add("passkey.cred-blob-large", f"{path}.credBlob", f"{len(blob)} bytes")
        large = ext.large_blob
        if large is not None:
            data = self.bytes_of(large.data, f"{path}.largeBlob.data")
            if data is not None:
                self.large_blob(data, large.uncompressed_size, f"{path}.largeBlob")

    def large_blob(self, data: bytes, expected: int, path: str) -> None:
        inflater = zlib.decompressobj(-15)
        try:
            out = inflater.decompress(data, expected + 1)  # bounded: a bomb stops here
        except zlib.error:
            self.add("passkey.large-blob-invalid", f"{path}.data")
            return
        if len(out) != expected or not inflater.eof:
            self.add(
                "passkey.large-blob-size-mismatch",
                f"{path}.uncompressedSize",
                f"declared {expected} bytes",
            )


# --------------------------------------------------------------------------- the bulk screen


def _screen(account: m.Account, with_attachments: bool, strict: _Strict | None) -> set[int] | None:
    """Indices of the items that may have findings, found with bulk operations; ``None`` when
    the whole account needs the precise pass (an identifier problem somewhere).

    Sound by construction: an item is cleared only when every check of the precise pass is known
    to pass for it. First the screen in C (:mod:`cxkit.cxf._vscreen`) over the items of the
    strict tier (all items when the decoder did not record the tiers); the items it cannot clear
    and the tolerant ones then take the screen over the model below, where anything unusual
    (rare credential types, extensions, Android apps, files) makes its item a suspect.
    """
    items = account.items
    ids: list[str] = [account.id] if account.id else []
    positions: Sequence[int]
    if strict is not None:
        scan, positions = strict.scan, strict.tolerant
    else:
        scan, positions = _vscreen.scan_items(items), ()
    failed = None if scan is None else scan.failed
    text_ids: list[bytes] = []
    if scan is None or failed is None:
        rest = list(range(len(items)))
        suspects = _screen_model(items, rest, with_attachments, ids)
    else:
        # every identifier of the screened items, as msgspec wrote them (issue #20)
        text_ids = scan.ids
        index = strict.index if strict is not None else int
        rest = sorted(positions)
        suspects = _screen_model(items, rest, with_attachments, ids) if rest else set()
        if failed:  # the screen over the model decides; their identifiers are in the text
            unclear = sorted(set(map(index, failed)))
            suspects |= _screen_model(items, unclear, with_attachments, [])
    for collection in account.collections:
        _collection_ids(collection, ids)
    if not _ids_ok(text_ids, ids):
        return None
    return suspects


_ID_MEMBER: Final = _vscreen.ID_MEMBER
_B64URL: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B64URL_SYMBOLS: Final = _B64URL.decode()


def _screen_model(
    all_items: tuple[m.Item, ...], positions: list[int], with_attachments: bool, ids: list[str]
) -> set[int]:
    """The screen over the model for the items at ``positions``: their suspects; their
    identifiers join ``ids``."""
    indexed = [(i, all_items[i]) for i in positions]
    items = [item for _, item in indexed]
    ids.extend(map(_get_id, items))
    # item level: credentials present, no extensions, plausible timestamps (bulk, then precise)
    suspects: set[int] = {i for i, it in indexed if not it.credentials or it.extensions}
    for getter in (_get_creation_at, _get_modified_at):
        if max(filter(None, map(getter, items)), default=0) > _YEAR_3000:
            suspects.update(i for i, it in indexed if (getter(it) or 0) > _YEAR_3000)
    # scopes: URLs with a scheme, no Android certificates, no passkey-only item with a scope
    match = _SCHEME.match
    passkey = m.Passkey
    for index, item in indexed:
        scope = item.scope
        if scope is None:
            continue
        credentials = item.credentials
        if (
            scope.android_apps
            or not all(map(match, scope.urls))
            or (
                credentials
                and type(credentials[0]) is passkey
                and all(type(c) is passkey for c in credentials)
            )
        ):
            suspects.add(index)
    groups: dict[type, list[tuple[int, Any]]] = {}
    get = groups.get
    for index, item in indexed:
        for credential in item.credentials:
            group = get(type(credential))
            if group is None:
                group = groups[type(credential)] = []
            group.append((index, credential))
    for cls, group in groups.items():
        screen = _SCREENS.get(cls)
        if screen is None:
            # rare types: always precise, but their identifiers still join the account's pool
            suspects.update(index for index, _ in group)
            ids.extend(c.id for _, c in group if isinstance(getattr(c, "id", None), str) and c.id)
        else:
            screen(group, all_items, suspects, ids)
        members = _ef_members(cls)
        if members:
            indices = [index for index, _ in group]
            creds = [credential for _, credential in group]
            for attr, _, prescribed in members:
                _screen_fields(attr, prescribed, indices, creds, suspects, ids)
    if with_attachments and m.File in groups:
        suspects.update(index for index, _ in groups[m.File])
    return suspects


_get_id = operator.attrgetter("id")
_get_creation_at = operator.attrgetter("creation_at")
_get_modified_at = operator.attrgetter("modified_at")
_last_char = operator.itemgetter(-1)


def _ids_ok(text_ids: list[bytes], ids: list[str]) -> bool:
    """No identifier is empty, longer than 64 bytes, non-canonical or used twice (bulk).
    ``text_ids`` as msgspec encoded them, ``ids`` as the model holds them (the same bytes for
    every base64url identifier; anything outside the alphabet fails here)."""
    try:
        pool = [*text_ids, *(i.encode() for i in ids)]
    except UnicodeEncodeError:
        return False
    if len(set(pool)) != len(pool):
        return False
    joined = b"".join(pool)
    if joined.translate(None, _B64URL):  # a symbol outside the alphabet (or an escape)
        return False
    lengths = set(map(len, pool))
    if 0 in lengths or max(lengths, default=0) > _MAX_ID_CHARS:
        return False
    rests = {n & 3 for n in lengths}
    if 1 in rests:
        return False
    if rests <= {0}:
        return True
    if len(lengths) == 1:  # one length (the usual case): every last symbol, by a stride
        (size,) = lengths
        last = set(joined[size - 1 :: size])
    else:
        last = set(map(_last_char, pool))
    return last <= _TAIL_2_BYTES or all(_tail_ok(i.decode()) for i in pool)


def _screen_fields(
    attr: str,
    prescribed: frozenset[str],
    indices: list[int],
    creds: list[Any],
    suspects: set[int],
    ids: list[str],
) -> None:
    """The EditableField member ``attr`` of every credential of one type: a suspect unless its
    fieldType is prescribed, it has no extensions and its value passes the value check."""
    values = map(operator.attrgetter(attr), creds)
    present = [(index, f) for index, f in zip(indices, values, strict=True) if f is not None]
    if not present:
        return
    fields = [f for _, f in present]
    types = set(map(_FIELD_TYPE, fields))
    if types <= prescribed and not any(map(_EXTENSIONS, fields)):
        # the common case in bulk (issue #20): only the value checks run per field
        for ftype in types & _VALUE_CHECKS.keys():
            check = _VALUE_CHECKS[ftype]
            suspects.update(
                index for index, f in present if f.field_type == ftype and not check(f.value)
            )
        ids.extend([i for i in map(_get_id, fields) if i is not None])
        return
    value_checks = _VALUE_CHECKS
    for index, f in present:
        ftype = f.field_type
        if (
            ftype not in prescribed
            or f.extensions
            or (ftype in value_checks and not value_checks[ftype](f.value))
        ):
            suspects.add(index)
        if f.id is not None:
            ids.append(f.id)


_FIELD_TYPE = operator.attrgetter("field_type")
_EXTENSIONS = operator.attrgetter("extensions")


def _collection_targets(collections: Iterable[m.Collection], out: set[str]) -> set[str]:
    """The items the collections (and their sub-collections) link within the account."""
    for collection in collections:
        out.update(linked.item for linked in collection.items if linked.account is None)
        _collection_targets(collection.sub_collections, out)
    return out


def _collection_ids(collection: m.Collection, ids: list[str]) -> None:
    ids.append(collection.id)
    for sub in collection.sub_collections:
        _collection_ids(sub, ids)


def _screen_plain(
    group: list[tuple[int, Any]], items: tuple[m.Item, ...], suspects: set[int], ids: list[str]
) -> None:
    """Credential types whose only checks are their EditableFields."""


def _screen_custom_fields(
    group: list[tuple[int, Any]], items: tuple[m.Item, ...], suspects: set[int], ids: list[str]
) -> None:
    # the field test of _screen_fields, against every FieldType (custom fields prescribe none);
    # kept inline in both hot loops on purpose: a helper call per field costs ~5 % of a validation
    for index, custom in group:
        if custom.extensions:
            suspects.add(index)
        if custom.id is not None:
            ids.append(custom.id)
        for f in custom.fields:
            ftype = f.field_type
            if (
                ftype not in _FIELD_TYPES
                or f.extensions
                or (ftype in _VALUE_CHECKS and not _VALUE_CHECKS[ftype](f.value))
            ):
                suspects.add(index)
            if f.id is not None:
                ids.append(f.id)


def _screen_wifi(
    group: list[tuple[int, Any]], items: tuple[m.Item, ...], suspects: set[int], ids: list[str]
) -> None:
    known = m.Wifi.KNOWN_SECURITY_TYPES
    for index, wifi in group:
        nst = wifi.network_security_type
        if nst is not None and nst.value not in known:
            suspects.add(index)


def _screen_totp(
    group: list[tuple[int, Any]], items: tuple[m.Item, ...], suspects: set[int], ids: list[str]
) -> None:
    known = m.Totp.KNOWN_ALGORITHMS
    for index, totp in group:
        secret = totp.secret
        if (
            totp.algorithm not in known
            or not totp.period
            or not 4 <= totp.digits <= 10
            or _BASE32_CANONICAL.fullmatch(secret) is None
            or len(secret) % 8 in (1, 3, 6)
            or (totp.issuer and not _mentions_fast(totp.issuer, items[index]))
        ):
            suspects.add(index)


def _screen_passkey(
    group: list[tuple[int, Any]], items: tuple[m.Item, ...], suspects: set[int], ids: list[str]
) -> None:
    for index, passkey in group:
        cid, handle = passkey.credential_id, passkey.user_handle
        if (
            passkey.fido2_extensions is not None
            or not cid
            or len(cid) > _MAX_CREDENTIAL_ID_CHARS
            or not _tail_ok(cid)
            or not handle
            or len(handle) > _MAX_ID_CHARS
            or not _tail_ok(handle)
            or cid.strip(_B64URL_SYMBOLS)  # outside the alphabet (b64.is_canonical)
            or handle.strip(_B64URL_SYMBOLS)
            or not is_valid_rp_id(passkey.rp_id)
            or not _passkey_key_ok(passkey.key)
        ):
            suspects.add(index)


def _passkey_key_ok(key: str) -> bool:
    if not _tail_ok(key):
        return False
    try:
        return pkcs8_info(b64mod.decode(key)).webauthn is not None
    except ValueError:
        return False


def _mentions_fast(issuer: str, item: m.Item) -> bool:
    needle = issuer.lower()
    if needle in item.title.lower():
        return True
    if item.scope is not None and any(needle in url.lower() for url in item.scope.urls):
        return True
    return _mentions(issuer, item)


_TAIL_2: Final = frozenset("AQgw")
_TAIL_2_BYTES: Final = frozenset(b"AQgw")  # valid after 2 or 3 symbols
_TAIL_3: Final = frozenset("AEIMQUYcgkosw048")


def _tail_ok(value: str) -> bool:
    """Length and trailing bits of base64url text are canonical (the decoder checked the
    alphabet); cheap enough for every identifier."""
    rest = len(value) & 3
    if rest == 0:
        return True
    if rest == 1:
        return False
    return value[-1] in (_TAIL_2 if rest == 2 else _TAIL_3)


def _is_boolean(value: str) -> bool:
    return value in ("true", "false")


def _is_date(value: str) -> bool:
    match = _DATE.fullmatch(value)
    if match is None:
        return False
    try:
        datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def _matcher(pattern: re.Pattern[str], *, allow_empty: bool = False) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        return (allow_empty and not value) or pattern.fullmatch(value) is not None

    return check


def _mentions(issuer: str, item: m.Item) -> bool:
    urls = item.scope.urls if item.scope is not None else ()
    rp_ids = [c.rp_id for c in item.credentials if isinstance(c, m.Passkey)]
    return _mentions_in(issuer, item.title, urls, rp_ids)


def _mentions_in(issuer: str, title: str, urls: Sequence[str], rp_ids: Sequence[str]) -> bool:
    """Whether the item (its title, URLs and passkey rpIds) names the TOTP issuer: letters and
    digits only, case-insensitive."""
    needle = re.sub(r"[^a-z0-9]", "", issuer.lower())
    if not needle:
        return True
    haystack = [title, *urls, *rp_ids]
    return any(needle in re.sub(r"[^a-z0-9]", "", text.lower()) for text in haystack)


_EF_CACHE: dict[type, tuple[tuple[str, str, frozenset[str]], ...]] = {}
_PRESCRIBED_NAMES: dict[frozenset[str], str] = {}


def _ef_members(cls: type) -> tuple[tuple[str, str, frozenset[str]], ...]:
    """(attribute, ``.wireName``, prescribed fieldTypes as a set) of a credential's fields."""
    found = _EF_CACHE.get(cls)
    if found is None:
        out = []
        for attr, wire, field_types in m.prescribed_fields(cls):
            allowed = frozenset(field_types)
            _PRESCRIBED_NAMES[allowed] = field_types[0]
            out.append((attr, f".{wire}", allowed))
        found = _EF_CACHE[cls] = tuple(out)
    return found


_CREDENTIAL_CHECKS: Final[dict[type, Callable[[_Checker, Any, str, m.Item], None]]] = {
    **dict.fromkeys(m.CREDENTIAL_TYPES.values(), _Checker.check_generic),
    m.Wifi: _Checker.check_wifi,
    m.Passport: _Checker.check_passport,
    m.CustomFields: _Checker.check_custom_fields,
    m.ItemReference: _Checker.check_item_reference,
    m.File: _Checker.check_file,
    m.Totp: _Checker.check_totp,
    m.SshKey: _Checker.check_ssh_key,
    m.Passkey: _Checker.check_passkey,
}
_VALUE_CHECKS: Final[dict[str, Callable[[str], bool]]] = {
    "boolean": _is_boolean,
    "date": _is_date,
    "year-month": _matcher(_YEAR_MONTH),
    "country-code": _matcher(_COUNTRY),
    "subdivision-code": _matcher(_SUBDIVISION),
    "email": _matcher(_EMAIL, allow_empty=True),
    "number": _matcher(_NUMBER, allow_empty=True),
    "wifi-network-security-type": m.Wifi.KNOWN_SECURITY_TYPES.__contains__,
}
_VALUE_FINDINGS: Final[dict[str, str]] = {
    "boolean": "field.invalid-boolean",
    "date": "field.invalid-date",
    "year-month": "field.invalid-year-month",
    "country-code": "field.invalid-country-code",
    "subdivision-code": "field.invalid-subdivision-code",
    "email": "field.invalid-email",
    "number": "field.invalid-number",
    "wifi-network-security-type": "wifi.unknown-security-type",
}

#: Bulk screens per credential type; types not listed are always checked precisely.
_SCREENS: Final[dict[type, Callable[..., None]]] = {
    m.Address: _screen_plain,
    m.ApiKey: _screen_plain,
    m.BasicAuth: _screen_plain,
    m.CreditCard: _screen_plain,
    m.DriversLicense: _screen_plain,
    m.GeneratedPassword: _screen_plain,
    m.IdentityDocument: _screen_plain,
    m.Note: _screen_plain,
    m.PersonName: _screen_plain,
    m.Totp: _screen_totp,
    m.Passkey: _screen_passkey,
    m.CustomFields: _screen_custom_fields,
    m.Wifi: _screen_wifi,
    m.UnknownCredential: _screen_plain,  # kept verbatim: the precise pass checks nothing in it
}

_vscreen.configure(_VALUE_CHECKS, _mentions_in)
