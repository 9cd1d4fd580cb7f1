"""One authenticator entry ⇄ one CXF item: the mapping every authenticator reader and writer
uses (``../shared/formats/totp-apps.md``; CXF ``totp`` is ``../shared/spec/cxf.md`` §3.17).

Reading: a reader fills an :class:`Entry` (the secret as bytes or Base32 text, issuer, account,
parameters, type, counter, note, tags, groups, and *where* each came from in ``at``) and calls
:func:`add_entry` on the record's :class:`~cxkit.adapters.kit.builder.ItemBuilder`:

* the title is the issuer, else the account name; issuer and account are the TOTP's
  ``issuer`` / ``username``;
* the secret is normalised to canonical Base32 (upper case, unpadded, no spaces or ``-``);
* a TOTP with SHA-1/256/512 and a period and digit count CXF holds (1…65535) is a ``totp``
  credential; a Steam token is ``algorithm: "steam"`` (5 digits, 30 s; transformed — not a
  CXF 1.0 algorithm, as the kit does for ``steam://``);
* everything else — HOTP (CXF 1.0 has no HOTP type), Yandex/mOTP, an unknown hash algorithm, a
  secret that is not Base32 — is kept as a custom-fields credential labelled by the type
  (``HOTP``) with the secret hidden, and the report says "HOTP: not carried as TOTP";
* groups become collections, tags item tags, the note a ``note`` credential; icons are not
  carried (CXF 1.0 items have no icon).

Writing: :func:`item_entries` gives the entries of a CXF item (its ``totp`` credentials and
the custom-fields groups :func:`add_entry` made), and :func:`entry_uri` /
:func:`parse_uri` convert an entry to and from an ``otpauth://`` URI (Key Uri Format,
``totp-apps.md`` §1). :func:`check_kdf` bounds key-derivation parameters read from a file before
any work.
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Final

from cxkit.adapters.kit.builder import ItemBuilder, Val
from cxkit.adapters.report import Disposition, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m
from cxkit.errors import AdapterError

__all__ = [
    "ALGORITHMS",
    "KINDS",
    "OTHER_LABELS",
    "Entry",
    "add_entry",
    "check_kdf",
    "entry_uri",
    "item_entries",
    "normalize_algorithm",
    "parse_uri",
    "secret_base32",
    "secret_bytes",
]

ALGORITHMS: Final = frozenset({"sha1", "sha256", "sha512"})
"""The hash algorithms of CXF 1.0 ``totp`` (``OTPHashAlgorithm``)."""
KINDS: Final = ("totp", "hotp", "steam", "yandex", "motp")
"""Entry types authenticator apps write (Aegis's list, ``totp-apps.md`` §2)."""
OTHER_LABELS: Final = {"hotp": "HOTP", "yandex": "Yandex", "motp": "mOTP", "totp": "TOTP"}
"""The label of the custom-fields credential an entry CXF cannot hold as TOTP becomes."""

_STEAM_NOTE: Final = "Steam Guard: algorithm 'steam' is not registered in CXF 1.0"
_ICON_NOTE: Final = "icon: CXF 1.0 items have no icon"


@dataclass(frozen=True, slots=True)
class Entry:
    """One authenticator entry as apps hold it.

    *secret*: raw bytes, or Base32 text (any case, padded or not, spaces and ``-`` allowed).
    *kind*: ``totp``, ``hotp``, ``steam``, ``yandex``, ``motp`` (any case). *algorithm*:
    ``sha1``/``SHA-256``/``HmacSHA512``... (see :func:`normalize_algorithm`). *groups*: names of
    the groups (folders) the entry is in → collections; *tags* → item tags.
    *at*: where each attribute came from (the record-path suffix, ``.info.secret``), by
    attribute name — also ``icon`` for an icon the source holds and ``uri`` for one source
    field holding the whole entry; attributes without a place are not recorded."""

    secret: bytes | str
    kind: str = "totp"
    issuer: str = ""
    account: str = ""
    algorithm: str = "sha1"
    digits: int = 6
    period: int = 30
    counter: int | None = None
    note: str = ""
    tags: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    favorite: bool | None = None
    at: Mapping[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # never a value of the source (secret, issuer, account, note)
        return (
            f"Entry(kind={self.kind!r}, algorithm={self.algorithm!r}, digits={self.digits}, "
            f"period={self.period}, counter={self.counter}, at={sorted(self.at)!r})"
        )


def normalize_algorithm(text: str) -> str:
    """An algorithm name as apps write it (``SHA1``, ``sha-256``, ``HmacSHA512``, ``SHA_256``)
    → lower case without ``hmac``, ``-`` or ``_`` (``sha1``, ``sha256``); other names are
    returned lowered the same way."""
    name = text.strip().lower().replace("-", "").replace("_", "")
    return name.removeprefix("hmac")


def secret_base32(secret: bytes | str) -> str:
    """The canonical Base32 text of a secret (bytes encoded; text normalised: upper case,
    unpadded, without spaces and ``-``); :class:`~cxkit.cxf.b64.Base64Error` when the text is
    not Base32 or empty."""
    if isinstance(secret, bytes | bytearray):
        if not secret:
            raise b64.Base64Error("empty secret")
        return base64.b32encode(bytes(secret)).decode("ascii").rstrip("=")
    return b64.canonical_base32(secret)


def secret_bytes(secret: bytes | str) -> bytes:
    """The raw bytes of a secret (Base32 text decoded, normalised first)."""
    if isinstance(secret, bytes | bytearray):
        return bytes(secret)
    return b64.normalize_base32(secret)[1]


# =========================================================================== reading


def _not_totp_reason(entry: Entry, kind: str, algorithm: str) -> str:
    """Why the entry is not a CXF TOTP ('' when it is one)."""
    if kind not in ("totp", "steam"):
        return f"{OTHER_LABELS.get(kind, 'this OTP type')}: not carried as TOTP (CXF 1.0 has none)"
    if kind == "totp" and algorithm not in ALGORITHMS:
        return "TOTP: its hash algorithm is not one CXF 1.0 holds (sha1, sha256, sha512)"
    if kind == "totp" and not (0 < entry.digits <= 65535 and 0 < entry.period <= 65535):
        return "TOTP: its digits or period are out of the range CXF holds (1-65535)"
    return ""


def add_entry(builder: ItemBuilder, entry: Entry) -> str:
    """Put *entry* into the item of *builder* (see the module docstring) and record every
    attribute it has an ``at`` for. Returns ``"totp"`` when it became a ``totp`` credential,
    ``"kept"`` when it was kept as custom fields, ``"skipped"`` when the item was skipped (an
    entry without a secret; the report names it): do not add a skipped builder to the vault."""
    at = entry.at
    kind = entry.kind.strip().lower() or "totp"
    algorithm = normalize_algorithm(entry.algorithm) or "sha1"
    title = entry.issuer.strip() or entry.account.strip()
    builder.title = title
    rec = _Recorder(builder, at)
    secret_ok = True
    try:
        secret = secret_base32(entry.secret)
    except b64.Base64Error:
        secret_ok = False
        secret = entry.secret if isinstance(entry.secret, str) else ""
    if not secret.strip():
        where = [Val("x", a) for a in at.values()]
        builder.fail("the entry has no secret", where, note="entry without a secret")
        return "skipped"
    reason = (
        _not_totp_reason(entry, kind, algorithm)
        if secret_ok
        else ("the secret is not Base32: not carried as TOTP")
    )
    if not reason:
        if kind == "steam":
            totp = m.Totp(secret=secret, period=30, digits=5, algorithm="steam",
                          issuer=entry.issuer or None, username=entry.account or None)  # fmt: skip
            builder.add(totp, Outcome.TRANSFORMED, _STEAM_NOTE)
        else:
            totp = m.Totp(secret=secret, period=entry.period, digits=entry.digits,
                          algorithm=algorithm, issuer=entry.issuer or None,
                          username=entry.account or None)  # fmt: skip
            builder.add(totp)
        rec("uri", Disposition.MEMBER, "totp")
        rec("secret", Disposition.MEMBER, "totp.secret")
        rec("kind", Disposition.MEMBER, "totp.algorithm" if kind == "steam" else "totp")
        rec("issuer", Disposition.MEMBER, "totp.issuer")
        rec("account", Disposition.MEMBER, "totp.username")
        rec("algorithm", Disposition.MEMBER, "totp.algorithm")
        rec("digits", Disposition.MEMBER, "totp.digits")
        rec("period", Disposition.MEMBER, "totp.period")
        steam_note = "Steam tokens are always 30 s" if kind == "steam" else "TOTP has no counter"
        rec("counter", Disposition.NOT_CARRIED, "", steam_note)
    else:
        _keep_other(builder, entry, kind, algorithm, secret, reason, rec)
    _item_members(builder, entry, rec)
    return "kept" if reason else "totp"


class _Recorder:
    """Records each source field (an ``at``) once, the first time it is named."""

    def __init__(self, builder: ItemBuilder, at: Mapping[str, str]) -> None:
        self.builder = builder
        self.at = at
        self.done: set[str] = set()

    def __call__(self, name: str, disposition: Disposition, target: str, note: str = "") -> None:
        where = self.at.get(name)
        if where is not None and where not in self.done:
            self.done.add(where)
            self.builder.rec(where, disposition, target, note)


def _keep_other(
    builder: ItemBuilder, entry: Entry, kind: str, algorithm: str, secret: str, reason: str,
    rec: _Recorder,
) -> None:  # fmt: skip
    """An entry CXF cannot hold as TOTP → a custom-fields credential labelled by its type."""
    label = OTHER_LABELS.get(kind, kind.upper() or "OTP")
    group = "otp:" + label
    builder.define_group(group, label=label, outcome=Outcome.TRANSFORMED, note=reason)
    fields: list[tuple[str, str, str, bool]] = [("secret", "secret", secret, True)]
    fields.append(("kind", "type", kind, False))
    fields.append(("algorithm", "algorithm", algorithm.upper(), False))
    fields.append(("digits", "digits", str(entry.digits), False))
    if kind == "hotp" or entry.counter is not None:
        fields.append(("counter", "counter", str(entry.counter or 0), False))
    if kind != "hotp":
        fields.append(("period", "period", str(entry.period), False))
    if entry.issuer:
        fields.append(("issuer", "issuer", entry.issuer, False))
    if entry.account:
        fields.append(("account", "account", entry.account, False))
    at = entry.at
    recorded = rec.done
    for name, field_label, text, hidden in fields:
        where = at.get(name, at.get("uri"))
        first = where is not None and where not in recorded
        if where is not None:
            recorded.add(where)
        builder.custom(field_label, Val(text, where or name), hidden=hidden, group=group,
                       note=reason, record=first)  # fmt: skip
    for name in ("secret", "kind", "algorithm", "digits", "counter", "period", "issuer",
                 "account", "uri"):  # fmt: skip
        where = at.get(name)
        if where is not None and where not in recorded:
            recorded.add(where)
            builder.rec(where, Disposition.CUSTOM_FIELD, f"custom-fields[{label}]", reason)


def _item_members(builder: ItemBuilder, entry: Entry, record: _Recorder) -> None:
    at = entry.at
    if entry.note:
        builder.note(Val(entry.note, at.get("note", "note")))
        record.done.add(at.get("note", "note"))
    elif "note" in at:
        record("note", Disposition.MEMBER, "note.content", "empty")
    tags = tuple(t for t in entry.tags if t)
    if tags or "tags" in at:
        builder.tag_list = (*builder.tag_list, *tags)
        record("tags", Disposition.MEMBER, "item.tags")
    for name in entry.groups:
        if name:
            builder.collection((name,), None)
    record("groups", Disposition.MEMBER, "collection.items")
    if entry.favorite is not None:
        builder.favorite_flag = entry.favorite
    record("favorite", Disposition.MEMBER, "item.favorite")
    record("icon", Disposition.NOT_CARRIED, "", _ICON_NOTE)


# =========================================================================== writing


def item_entries(item: m.Item, groups: Iterable[str] = ()) -> Iterator[tuple[Entry, int]]:
    """The entries of a CXF item, each with the index of the credential it came from: every
    ``totp`` credential, and every custom-fields credential :func:`add_entry` made for an entry
    CXF cannot hold as TOTP (label ``HOTP``/... with a ``secret`` field). The issuer defaults to
    the item's title; the note is the item's first ``note``; *groups*: the titles of the
    collections holding the item."""
    note = next((c.content.value for c in item.credentials if isinstance(c, m.Note)), "")
    common = {"note": note or "", "tags": tuple(item.tags or ()), "groups": tuple(groups),
              "favorite": item.favorite}  # fmt: skip
    for index, cred in enumerate(item.credentials):
        if isinstance(cred, m.Totp):
            steam = cred.algorithm.lower() == "steam"
            yield (
                Entry(
                    secret=cred.secret,
                    kind="steam" if steam else "totp",
                    issuer=cred.issuer or ("" if cred.username else item.title) or "",
                    account=cred.username or "",
                    algorithm="sha1" if steam else cred.algorithm.lower(),
                    digits=5 if steam else int(cred.digits),
                    period=30 if steam else int(cred.period),
                    **common,  # type: ignore[arg-type]
                ),
                index,
            )
        elif isinstance(cred, m.CustomFields):
            found = _other_entry(cred)
            if found is not None:
                yield replace(found, **common), index  # type: ignore[arg-type]


_OTHER_KINDS: Final = {v: k for k, v in OTHER_LABELS.items()}


def _other_entry(cred: m.CustomFields) -> Entry | None:
    if cred.label not in _OTHER_KINDS:
        return None
    values = {f.label: f.value for f in cred.fields if isinstance(f.value, str) and f.label}
    secret = values.get("secret")
    try:
        secret = b64.canonical_base32(secret or "")
    except b64.Base64Error:
        return None  # not an entry cxkit can write (kept as custom fields only)
    kind = values.get("type", _OTHER_KINDS[cred.label]).lower()

    def number(name: str, default: int) -> int:
        text = values.get(name, "")
        return int(text) if text.isascii() and text.isdigit() and len(text) <= 20 else default

    counter = values.get("counter")
    return Entry(
        secret=secret,
        kind=kind,
        issuer=values.get("issuer", ""),
        account=values.get("account", ""),
        algorithm=values.get("algorithm", "sha1").lower(),
        digits=number("digits", 6),
        period=number("period", 30),
        counter=number("counter", 0) if counter is not None else None,
    )


def entry_uri(entry: Entry) -> str:
    """The ``otpauth://`` URI of an entry (Key Uri Format; Steam as ``otpauth://steam/`` with
    ``issuer=Steam`` as Aegis writes it; ``counter`` for HOTP). The label is ``issuer:account``
    percent-encoded."""
    kind = entry.kind.lower()
    issuer, account = entry.issuer, entry.account
    # "Issuer:" keeps an empty account empty; ":a:b" keeps an account with a colon whole
    # (the issuer parameter carries the issuer; its colons are left out of the label)
    label = f"{issuer.replace(':', '')}:{account}" if issuer or ":" in account else account
    query: dict[str, str] = {"secret": secret_base32(entry.secret)}
    if issuer:
        query["issuer"] = issuer
    if kind != "steam":
        query["algorithm"] = normalize_algorithm(entry.algorithm).upper()
        query["digits"] = str(entry.digits)
    else:
        query["digits"] = "5"
    if kind == "hotp":
        query["counter"] = str(entry.counter or 0)
    else:
        query["period"] = str(entry.period if kind != "steam" else 30)
    text = urllib.parse.urlencode(query, quote_via=urllib.parse.quote, safe="")
    return f"otpauth://{kind}/{urllib.parse.quote(label, safe='@')}?{text}"


def parse_uri(text: str) -> Entry | str:
    """An ``otpauth://`` URI (``totp``/``hotp``/``steam``/others) → an :class:`Entry` (its
    secret the Base32 text as written), or the reason it is not one (never a value in it).
    Unknown parameters are ignored; the ``issuer`` parameter wins over the label prefix."""
    stripped = text.strip()
    if not stripped.lower().startswith("otpauth://"):
        return "not an otpauth:// URI"
    try:
        parts = urllib.parse.urlsplit(stripped)
    except ValueError:
        return "the otpauth URI cannot be parsed"
    kind = parts.netloc.lower()
    if kind not in KINDS:
        return "the otpauth URI's type is not totp, hotp or steam"
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    secret = query.get("secret", "")
    if not secret.strip():
        return "the otpauth URI has no secret"
    label = urllib.parse.unquote(parts.path.lstrip("/"))
    label_issuer, colon, account = label.partition(":")
    if not colon:
        label_issuer, account = "", label
    issuer = query.get("issuer") or label_issuer
    try:
        digits = int(query.get("digits") or (5 if kind == "steam" else 6))
        period = int(query.get("period") or 30)
        counter = int(query["counter"]) if query.get("counter") else None
    except ValueError:
        return "the otpauth URI's digits, period or counter is not a number"
    if not (0 < digits <= 65535 and 0 < period <= 65535) or (counter is not None and counter < 0):
        return "the otpauth URI's digits, period or counter is out of range"
    if kind == "hotp" and counter is None:
        counter = 0
    return Entry(
        secret=secret,
        kind=kind,
        issuer=issuer.strip(),
        account=account.strip(),
        algorithm=normalize_algorithm(query.get("algorithm") or "sha1"),
        digits=digits,
        period=period,
        counter=counter,
    )


# =========================================================================== key derivation

#: Bounds on key-derivation parameters read from a file (checked before any work): memory
#: (bytes) and the work factor (iterations / time cost). Aegis uses scrypt N=2^15, r=8 (32 MiB);
#: 2FAS PBKDF2 10 000; Ente Argon2id up to 1 GiB, ops 16 in real exports.
MAX_KDF_MEMORY: Final = 1024 * 1024 * 1024
MAX_ITERATIONS: Final = {"pbkdf2": 10_000_000, "scrypt": 1 << 20, "argon2id": 64}


def check_kdf(name: str, *, memory: int = 0, iterations: int = 0, where: str | None = None) -> None:
    """Refuse key-derivation parameters from a file beyond cxkit's bounds (memory at most
    1 GiB; iterations per :data:`MAX_ITERATIONS`, keyed by *name*: ``pbkdf2``, ``scrypt``
    (N), ``argon2id`` (ops)) or not positive — an :class:`AdapterError` naming the bound,
    raised before any work."""
    limit = MAX_ITERATIONS.get(name, 10_000_000)
    if memory < 0 or memory > MAX_KDF_MEMORY:
        raise AdapterError(
            f"the file asks {name} for more memory than cxkit allows (at most 1 GiB)",
            location=where, hint="the file may be damaged or crafted",
        )  # fmt: skip
    if iterations <= 0 or iterations > limit:
        raise AdapterError(
            f"the file's {name} work factor is outside what cxkit allows (1 to {limit})",
            location=where, hint="the file may be damaged or crafted",
        )  # fmt: skip
