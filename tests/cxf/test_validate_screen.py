"""The validator's screen in C (``cxf._vscreen``, issue #20) and its bulk helpers are sound.

The central property: for a valid document with one or a few fields damaged, the screened
validation and ``_exhaustive=True`` (the precise checks on every item) give the same findings.
The documents here look like real exports (logins with TOTP and real passkeys, cards, identities,
Wi-Fi, custom fields) and are big enough that a failing item sends the rest of the account
through the screen in chunks.
"""

from __future__ import annotations

import base64
import copy
import importlib
import json
import random
from collections import Counter
from typing import Any

import msgspec
import pytest
import strategies as cst
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from cxkit import cxf
from cxkit.cxf import _vscreen
from cxkit.cxf._dupes import has_duplicates
from cxkit.cxf._keys import is_common_webauthn_key, pkcs8_info

validate_module = importlib.import_module("cxkit.cxf.validate")


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _pkcs8(key: Any) -> bytes:
    der: bytes = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return der


class _Gen:
    """Small realistic documents (each item a fresh id; fixed seed)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0

    def ident(self) -> str:
        self.count += 1
        return _b64u(self.count.to_bytes(16, "big"))

    def ef(self, value: str, field_type: str = "string", with_id: bool = False) -> dict[str, Any]:
        field: dict[str, Any] = {"fieldType": field_type, "value": value}
        if with_id:
            field["id"] = self.ident()
        return field

    def credentials(self) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        rng = self.rng
        kind = rng.randrange(7)
        if kind <= 2:
            creds: list[dict[str, Any]] = [
                {
                    "type": "basic-auth",
                    "username": self.ef("someone@example.com", with_id=True),
                    "password": self.ef("pw", "concealed-string", with_id=True),
                }
            ]
            if kind >= 1:
                creds.append(
                    {
                        "type": "totp",
                        "secret": "JBSWY3DPEHPK3PXP",
                        "period": 30,
                        "digits": 6,
                        "algorithm": "sha1",
                        "issuer": rng.choice(["example", "Mail", "", "mail.Example"]),
                    }
                )
            if kind == 2:
                der = _pkcs8(
                    ec.derive_private_key(rng.getrandbits(200) + 1, ec.SECP256R1())
                    if rng.random() < 0.7
                    else ed25519.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
                )
                creds.append(
                    {
                        "type": "passkey",
                        "credentialId": _b64u(rng.randbytes(32)),
                        "rpId": "example.com",
                        "username": "someone",
                        "userDisplayName": "Someone",
                        "userHandle": _b64u(rng.randbytes(16)),
                        "key": _b64u(der),
                    }
                )
            if rng.random() < 0.3:
                creds.append(
                    {
                        "type": "custom-fields",
                        "fields": [
                            self.ef("a b", with_id=True),
                            self.ef("true", "boolean"),
                            self.ef("2024-02-29", "date"),
                            self.ef("-1.5e3", "number"),
                        ],
                    }
                )
            scope = {"urls": ["https://mail.example.com/login"], "androidApps": []}
            return creds, scope
        if kind == 3:
            return [
                {
                    "type": "credit-card",
                    "number": self.ef("4111111111111111", "concealed-string"),
                    "expiryDate": self.ef("2031-05", "year-month"),
                }
            ], None
        if kind == 4:
            return [
                {"type": "person-name", "given": self.ef("Ada")},
                {
                    "type": "address",
                    "country": self.ef("US", "country-code"),
                    "territory": self.ef("US-CA", "subdivision-code"),
                },
                {
                    "type": "drivers-license",
                    "expiryDate": self.ef("2031-05-20", "date"),
                    "country": self.ef("DE", "country-code"),
                },
            ], None
        if kind == 5:
            return [
                {
                    "type": "wifi",
                    "ssid": self.ef("home"),
                    "networkSecurityType": self.ef("wpa2-personal", "wifi-network-security-type"),
                    "hidden": self.ef("false", "boolean"),
                }
            ], None
        return [{"type": "note", "content": self.ef("text")}], None

    def document(self, n_items: int) -> dict[str, Any]:
        items = []
        for _ in range(n_items):
            creds, scope = self.credentials()
            item: dict[str, Any] = {
                "id": self.ident(),
                "creationAt": 1_700_000_000,
                "modifiedAt": 1_700_000_100,
                "title": "Mail Example",
                "credentials": creds,
            }
            if scope is not None:
                item["scope"] = scope
            items.append(item)
        return {
            "version": {"major": 1, "minor": 0},
            "exporterRpId": "exporter.example",
            "exporterDisplayName": "Exporter",
            "timestamp": 1_700_000_000,
            "accounts": [
                {
                    "id": self.ident(),
                    "username": "u",
                    "email": "u@example.com",
                    "collections": [
                        {"id": self.ident(), "title": "F", "items": [{"item": items[0]["id"]}]}
                    ],
                    "items": items,
                }
            ],
        }


_DAMAGE: list[Any] = [
    "",
    "AR",
    "A" * 90,
    "weird",
    "string",
    "date",
    "TRUE",
    "2023-02-29",
    "0000-01-01",
    "2031-13",
    "us",
    "USA",
    "U1-X",
    "x@",
    "1e",
    "wep",
    "WPA2",
    "jbsw y3dp",
    "SHA1",
    "md5",
    "JBSWY3D",
    0,
    3,
    11,
    10**13,
    "Example.COM",
    "https://x.example",
    "forge.example",
    "Elsewhere",
]


def _damage(rng: random.Random, value: dict[str, Any]) -> None:
    """Replace one leaf (or add one member) somewhere in one item."""
    items = value["accounts"][0]["items"]
    item = rng.choice(items)
    choice = rng.randrange(14)
    if choice == 13:  # a value of the wrong form for its fieldType
        fields = [v for c in item["credentials"] for v in c.values() if isinstance(v, dict)]
        if fields:
            rng.choice(fields)["value"] = rng.choice(
                ["us", "USA", "2023-02-29", "2031-13", "TRUE", "U1-X", "WPA2", "x@", "1e"]
            )
        return
    totps = [c for c in item["credentials"] if c["type"] == "totp"]
    if choice == 10 and "scope" in item:
        item["scope"]["urls"].append(rng.choice(["forge.example", "1x:", "-:", "a+b.c-d:x"]))
        return
    if choice == 11 and totps:
        totps[0]["issuer"] = rng.choice(["Elsewhere", "mail-example", "!!", "EXAMPLE"])
        return
    if choice == 12 and totps:
        totps[0]["secret"] = rng.choice(["JBSWY3", "J", "JBS", "JBSWY3DP", "jbswy3dp", "JBSW Y3"])
        return
    if choice == 0:
        item["id"] = rng.choice([rng.choice(items)["id"], "", "AR", "A" * 87])
        return
    if choice == 1:
        item["scope"] = {"urls": ["https://mail.example.com"], "androidApps": []}
        item["credentials"] = [c for c in item["credentials"] if c["type"] == "passkey"] or [
            {"type": "note", "content": {"fieldType": "string", "value": "x"}}
        ]
        return
    if choice == 2:
        item["extensions"] = [{"name": "x-vendor", "data": 1}]
        return
    if choice == 3 or not item["credentials"]:
        item["credentials"] = []
        return
    credential = rng.choice(item["credentials"])
    keys = sorted(k for k in credential if k != "type")
    if not keys:
        return
    key = rng.choice(keys)
    member = credential[key]
    if isinstance(member, dict):
        sub = rng.choice(["fieldType", "value", "id", "extensions"])
        member[sub] = (
            [{"name": "x"}]
            if sub == "extensions"
            else rng.choice([v for v in _DAMAGE if isinstance(v, str)])
        )
    elif isinstance(member, list):  # custom fields
        field = rng.choice(member)
        field[rng.choice(["fieldType", "value", "id"])] = rng.choice(
            [v for v in _DAMAGE if isinstance(v, str)]
        )
    elif key == "key":
        text = member
        position = rng.randrange(len(text))
        credential[key] = rng.choice(
            [
                text[:position] + rng.choice("A_-+/=é") + text[position + 1 :],
                text[:-4],
                text + "A",
                text[:-1],
            ]
        )
    else:
        credential[key] = rng.choice(_DAMAGE)


def _findings(data: bytes) -> tuple[Counter[Any], Counter[Any]]:
    doc = cxf.decode(data)
    return Counter(cxf.validate(doc)), Counter(cxf.validate(doc, _exhaustive=True))


def test_clean_document_has_no_findings_and_no_suspects() -> None:
    value = _Gen(random.Random(1)).document(150)
    screened, exhaustive = _findings(json.dumps(value).encode())
    assert screened == exhaustive == Counter()
    doc = cxf.decode(json.dumps(value).encode())
    assert _vscreen.screen_items(doc.header.accounts[0].items) == []


@pytest.mark.parametrize("seed", range(6))
def test_screen_agrees_with_the_precise_pass_on_damaged_documents(seed: int) -> None:
    rng = random.Random(20261207 + seed)
    base = _Gen(rng).document(160)
    for _ in range(12):
        value = copy.deepcopy(base)
        for _ in range(rng.randint(1, 6)):
            _damage(rng, value)
        screened, exhaustive = _findings(json.dumps(value).encode())
        assert screened == exhaustive


def test_many_failures_take_the_chunked_path() -> None:
    """Failing items spread over the account: after each, the rest is decoded in chunks."""
    rng = random.Random(7)
    value = _Gen(rng).document(1000)
    for item in value["accounts"][0]["items"][::37]:
        item["modifiedAt"] = 10**13
    screened, exhaustive = _findings(json.dumps(value).encode())
    assert screened == exhaustive
    assert sum(screened.values()) == len(range(0, 1000, 37))
    doc = cxf.decode(json.dumps(value).encode())
    failed = _vscreen.screen_items(doc.header.accounts[0].items)
    assert failed == list(range(0, 1000, 37))


def test_account_rooted_document_uses_the_screen_on_every_item() -> None:
    value = _Gen(random.Random(3)).document(40)
    account = value["accounts"][0]
    account["items"][5]["credentials"][0] = {
        "type": "credit-card",
        "expiryDate": {"fieldType": "date", "value": "nope"},
    }
    screened, exhaustive = _findings(json.dumps(account).encode())
    assert screened == exhaustive
    assert any(f.code == "field.type-mismatch" for f in screened)


# --------------------------------------------------------------------------- passkey keys


def _keys(rng: random.Random) -> list[bytes]:
    out = []
    for _ in range(12):
        out.append(_pkcs8(ec.derive_private_key(rng.getrandbits(255) + 1, ec.SECP256R1())))
        out.append(_pkcs8(ed25519.Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))))
    out.append(_pkcs8(ec.generate_private_key(ec.SECP384R1())))
    out.append(_pkcs8(rsa.generate_private_key(public_exponent=65537, key_size=1024)))
    return out


def test_fixed_shape_keys_agree_with_the_der_walk() -> None:
    rng = random.Random(11)
    for der in _keys(rng):
        info = pkcs8_info(der)
        if is_common_webauthn_key(der):
            assert info.webauthn in ("ES256", "EdDSA")
        else:
            assert len(der) not in (138, 48) or info.webauthn not in ("ES256", "EdDSA")
        for _ in range(60):  # one byte changed, or cut
            mutated = bytearray(der)
            position = rng.randrange(len(mutated))
            mutated[position] = rng.randrange(256)
            candidate = bytes(mutated) if rng.random() < 0.8 else der[: rng.randrange(len(der))]
            if is_common_webauthn_key(candidate):
                assert pkcs8_info(candidate).webauthn in ("ES256", "EdDSA")


def test_scalar_range_of_the_fixed_p256_shape() -> None:
    der = _pkcs8(ec.derive_private_key(5, ec.SECP256R1()))
    assert is_common_webauthn_key(der)
    order = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
    for scalar in (0, order, order + 1, 2**256 - 1):
        bad = der[:36] + scalar.to_bytes(32, "big") + der[68:]
        assert not is_common_webauthn_key(bad)
        with pytest.raises(ValueError):
            pkcs8_info(bad)


def test_passkey_key_text_agrees_with_the_precise_check() -> None:
    rng = random.Random(5)
    for der in _keys(rng):
        text = _b64u(der)
        variants = [text, text[:-1], text[:-2], text + "A", text.replace("A", "+", 1)]
        variants += [text[:10] + c + text[11:] for c in "=/é_-\n"]
        for variant in variants:
            assert _vscreen._key_ok(variant) == validate_module._passkey_key_ok(variant)


# --------------------------------------------------------------------------- identifiers


def _reference_ids_ok(ids: list[str]) -> bool:
    """The precise rule per identifier (validate._Checker.identifier), plus the alphabet."""
    if len(set(ids)) != len(ids):
        return False
    for value in ids:
        if not value or len(value) > 86 or not validate_module._tail_ok(value):
            return False
    return True


_SYMBOLS = "ABCDQgwxyz09-_"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=_SYMBOLS + '=+é\\"', max_size=90) | st.sampled_from(["AQ", "AR", "A"]),
        max_size=12,
    ),
    st.booleans(),
)
def test_bulk_identifier_check_never_clears_a_bad_pool(ids: list[str], as_text: bool) -> None:
    text_ids = []
    if as_text:  # as msgspec writes them inside the encoded items
        encoded = msgspec.json.encode([{"id": i} for i in ids])
        text_ids = validate_module._ID_MEMBER.findall(encoded)
        ids_model: list[str] = []
    else:
        ids_model = ids
    result = validate_module._ids_ok(text_ids, ids_model)
    if result:
        assert _reference_ids_ok(ids)
    if all(set(i) <= set(_SYMBOLS) for i in ids):
        assert result == _reference_ids_ok(ids)


def test_every_field_value_damaged_one_at_a_time() -> None:
    """Each EditableField, TOTP and passkey member of a small document set to each wrong value
    in turn (systematic: every value check of the screen is exercised)."""
    gen = _Gen(random.Random(9))
    base = gen.document(1)
    items: list[dict[str, Any]] = []
    while {c["type"] for i in items for c in i["credentials"]} < {
        "basic-auth",
        "totp",
        "passkey",
        "custom-fields",
        "credit-card",
        "address",
        "wifi",
    }:
        items.extend(gen.document(10)["accounts"][0]["items"])
    base["accounts"][0]["items"] = items
    values = [
        "us",
        "USA",
        "2023-02-29",
        "0000-01-01",
        "2031-13",
        "TRUE",
        "U1-X",
        "WPA2",
        "x@",
        "1e",
        "",
        "JBSWY3",
        "Example.COM",
        0,
        11,
    ]
    targets = []
    for i, item in enumerate(items):
        for j, credential in enumerate(item["credentials"]):
            for key, member in credential.items():
                if isinstance(member, dict):
                    targets.append((i, j, key, "value"))
                elif key in ("secret", "digits", "period", "rpId", "userHandle", "issuer"):
                    targets.append((i, j, key, None))
    for i, j, key, sub in targets:
        for bad in values:
            if sub is not None and not isinstance(bad, str):
                continue
            value = copy.deepcopy(base)
            credential = value["accounts"][0]["items"][i]["credentials"][j]
            if sub is None:
                credential[key] = bad
            else:
                credential[key][sub] = bad
            screened, exhaustive = _findings(json.dumps(value).encode())
            assert screened == exhaustive


def test_linked_targets_are_item_ids_only() -> None:
    """Collections and item references: a target must be an item of the account (a field's id
    does not count), whether or not a collection names it first."""
    gen = _Gen(random.Random(2))
    value = gen.document(6)
    account = value["accounts"][0]
    items = account["items"]
    field_id = gen.ident()
    items[0]["credentials"] = [{"type": "note", "content": gen.ef("x")}]
    items[0]["credentials"][0]["content"]["id"] = field_id
    missing = gen.ident()
    account["collections"] = [
        {"id": gen.ident(), "title": "A", "items": [{"item": items[1]["id"]}, {"item": missing}]},
        {"id": gen.ident(), "title": "B", "items": [{"item": field_id}]},
    ]
    items[2]["credentials"].append(
        {"type": "item-reference", "reference": {"item": items[3]["id"]}}
    )
    items[4]["credentials"].append({"type": "item-reference", "reference": {"item": gen.ident()}})
    items[5]["credentials"].append({"type": "item-reference", "reference": {"item": field_id}})
    screened, exhaustive = _findings(json.dumps(value).encode())
    assert screened == exhaustive
    paths = sorted(f.path for f in screened if f.code == "linked-item.missing-target")
    assert paths == [
        "$.accounts[0].collections[0].items[1].item",
        "$.accounts[0].collections[1].items[0].item",
        f"$.accounts[0].items[4].credentials[{len(items[4]['credentials']) - 1}].reference.item",
        f"$.accounts[0].items[5].credentials[{len(items[5]['credentials']) - 1}].reference.item",
    ]


def test_an_account_where_most_items_fail_the_screen() -> None:
    """Past a bound on failures the rest of the account goes to the screen over the model."""
    value = _Gen(random.Random(4)).document(300)
    items = value["accounts"][0]["items"]
    for item in items[:250]:
        item["creationAt"] = 10**13
    doc = cxf.decode(json.dumps(value).encode())
    failed = _vscreen.screen_items(doc.header.accounts[0].items)
    assert failed is not None
    assert failed[:33] == list(range(33)) and failed[33:] == list(range(33, 300))
    screened, exhaustive = _findings(json.dumps(value).encode())
    assert screened == exhaustive
    assert sum(screened.values()) == 250


@settings(max_examples=300, deadline=None)
@given(
    cst.json_values(),
    st.booleans(),
    st.sampled_from([(",", ":"), (", ", ": ")]),
    st.sampled_from(["none", "top", "deep"]),
)
def test_repeat_screen_of_other_items_never_clears_a_repeat(
    value: Any, ensure_ascii: bool, separators: tuple[str, str], repeat: str
) -> None:
    """``_unique_members`` (the duplicate-member screen of the tolerant items) is sound."""
    comma, colon = separators
    text = json.dumps(
        {"k": value, "m": [value, {"x": 1}]}, ensure_ascii=ensure_ascii, separators=separators
    )
    if repeat == "top":
        text = text[:-1] + f'{comma}"k"{colon}' + json.dumps(value, separators=separators) + "}"
    elif repeat == "deep":
        text = text.replace(f'{{"x"{colon}1}}', f'{{"x"{colon}2{comma}"x"{colon}1}}')
    raws = msgspec.json.decode(f"[{text},{text}]".encode(), type=list[msgspec.Raw])
    if validate_module._unique_members(raws):
        assert not has_duplicates(text)
    if repeat == "none" and separators == (",", ":") and not ensure_ascii:
        assert validate_module._unique_members(raws) == (not has_duplicates(text))


def test_passkey_identifiers_outside_the_alphabet_are_never_cleared() -> None:
    """The screen checks the alphabet itself (it also runs on items the decoder did not check),
    straight on a model item."""
    value = _Gen(random.Random(8)).document(30)
    doc = cxf.decode(json.dumps(value).encode())
    items = list(doc.header.accounts[0].items)
    position = next(
        i
        for i, it in enumerate(items)
        if any(type(c).__name__ == "Passkey" for c in it.credentials)
    )
    item = items[position]
    for member in ("credential_id", "user_handle"):
        for bad in ("AA+A", "AA/A", "AA=A", "AAé", "AA A"):
            credentials = tuple(
                msgspec.structs.replace(c, **{member: bad}) if type(c).__name__ == "Passkey" else c
                for c in item.credentials
            )
            items[position] = msgspec.structs.replace(item, credentials=credentials)
            assert _vscreen.screen_items(items) == [position]


def test_unchecked_field_values_are_not_read_by_the_screen() -> None:
    """The screen declares no ``value`` for a fieldType without a value check (no string is made
    per field): a value of another JSON type there fails the model's strict decode, so the item
    takes the tolerant path, and the findings equal the precise pass's whatever the value."""
    structs = _vscreen._credential_structs(validate_module._VALUE_CHECKS)
    basic = next(s for s in structs if s.__name__ == "Screen_BasicAuth")
    username = next(f for f in msgspec.structs.fields(basic) if f.encode_name == "username")
    field_struct = next(t for t in username.type.__args__ if t is not msgspec.UnsetType)
    assert [f.name for f in msgspec.structs.fields(field_struct)] == ["fieldType"]
    base = _Gen(random.Random(11)).document(60)
    logins = [
        (i, j)
        for i, item in enumerate(base["accounts"][0]["items"])
        for j, c in enumerate(item["credentials"])
        if c["type"] == "basic-auth"
    ]
    assert len(logins) >= 5
    for bad in (5, None, [], {"a": 1}, True, "", 'é\u2028\\"', "x" * 5000):
        value = copy.deepcopy(base)
        for i, j in logins[::5]:
            credential = value["accounts"][0]["items"][i]["credentials"][j]
            credential["password" if "password" in credential else "username"]["value"] = bad
        screened, exhaustive = _findings(json.dumps(value).encode())
        assert screened == exhaustive, bad
        if not isinstance(bad, str):  # the tolerant path reported each
            assert sum(screened.values()) >= len(logins[::5])


@pytest.mark.parametrize(
    "failing",
    [
        [],
        [0],
        [1500],
        [1023, 1024, 2047],
        list(range(5, 2600, 37)),
        list(range(1100, 2600, 9)),  # more failures than the limit, from the second chunk on
    ],
)
def test_chunked_scan_equals_the_whole_encoding(failing: list[int]) -> None:
    """scan_items (issue #20: the items encoded a chunk at a time) gives what the whole encoding
    gives: its length without brackets and commas, every identifier in order, and the failures
    of screen_items."""
    value = _Gen(random.Random(5)).document(2600)
    for position in failing:
        value["accounts"][0]["items"][position]["modifiedAt"] = 10**13
    doc = cxf.decode(json.dumps(value).encode())
    items = doc.header.accounts[0].items
    assert len(items) == 2600
    encoded = msgspec.json.encode(items)
    scan = _vscreen.scan_items(items)
    assert scan is not None
    assert scan.length == len(encoded) - len(items) - 1
    assert scan.ids == validate_module._ID_MEMBER.findall(encoded)
    assert scan.failed == _vscreen.screen_items(items, encoded)
    if len(failing) < 32:
        assert scan.failed == failing
    screened, exhaustive = _findings(json.dumps(value).encode())
    assert screened == exhaustive


def test_chunked_scan_of_nothing_and_of_what_cannot_be_encoded() -> None:
    empty = _vscreen.scan_items([])
    assert empty is not None
    assert (empty.length, empty.ids, empty.failed) == (0, [], [])
    doc = cxf.decode(json.dumps(_Gen(random.Random(6)).document(1100)).encode())
    items = list(doc.header.accounts[0].items)
    items[1050] = msgspec.structs.replace(items[1050], title=object())  # type: ignore[arg-type]
    assert _vscreen.scan_items(items) is None
    assert _vscreen.screen_items(items) is None
