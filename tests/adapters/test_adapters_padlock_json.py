"""Padlock's encrypted JSON export (``cxkit.adapters.longtail.padlock_json``).

The fixtures are encrypted here with an SJCL-CCM container written from ``cryptography``'s
primitives (PBKDF2-HMAC-SHA256, AESCCM), independently of the reader, holding records of
Padlock 2's layout (``Record.raw()``: name, fields [{name, value, masked}], tags, uuid,
updated, removed, lastUsed). The real sample's password is unknown: it is detected and
refused with the wrong-password error.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit import adapters as api
from cxkit import cxf
from cxkit.adapters import contract, detection
from cxkit.adapters.base import PasswordNeededError, ReadOptions
from cxkit.adapters.longtail.padlock_json import MAX_ITERATIONS, PadlockJsonAdapter
from cxkit.errors import AdapterError, CxkitError, DecryptionError
from shared_evidence import shared_path

PASSWORD = "correct horse padlock"  # the password of the test's own fixtures
ITER = 1000


def sjcl_encrypt(
    plaintext: bytes,
    password: str,
    *,
    iterations: int = ITER,
    key_size: int = 256,
    tag_bits: int = 64,
    version: int | None = 1,
    seed: int = 7,
) -> dict[str, Any]:
    """An SJCL AES-CCM container as Padlock 2 writes it (``crypto.ts``): random 16-byte salt,
    iv and adata; nonce = iv[:15 - L], L the bytes the plaintext length needs (2 to 4)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESCCM

    rng = random.Random(seed)
    salt, iv, adata = (bytes(rng.randrange(256) for _ in range(16)) for _ in range(3))
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations, key_size // 8)
    length_bytes = 2
    while length_bytes < 4 and len(plaintext) >= 1 << (8 * length_bytes):
        length_bytes += 1
    ct = AESCCM(key, tag_length=tag_bits // 8).encrypt(iv[: 15 - length_bytes], plaintext, adata)
    box: dict[str, Any] = {"version": version} if version is not None else {}

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    box.update(cipher="aes", mode="ccm", keySize=key_size, iter=iterations, ts=tag_bits,
               salt=b64(salt), iv=b64(iv), adata=b64(adata), ct=b64(ct))  # fmt: skip
    return box


def padlock_export(records: list[Any], password: str = PASSWORD, **kw: Any) -> bytes:
    return json.dumps(sjcl_encrypt(json.dumps(records).encode(), password, **kw)).encode()


RECORDS: list[dict[str, Any]] = [
    {
        "name": "Mail",
        "fields": [
            {"name": "username", "value": "alice@example.org"},
            {"name": "password", "value": "s3cr3t-Mail!", "masked": True},
            {"name": "url", "value": "https://mail.example.org"},
            {"name": "notes", "value": "line one\nline two"},
            {"name": "PIN", "value": "4711", "masked": True},
            {"name": "recovery email", "value": "bob@example.org"},
            {"name": "empty one", "value": ""},
        ],
        "tags": ["work", "mail"],
        "uuid": "6f1c9a2e-0d7b-4c1e-9a43-1f2e3d4c5b6a",
        "updated": "2017-03-01T12:00:00.000Z",
        "removed": False,
        "lastUsed": "2017-03-02T08:00:00.000Z",
    },
    {
        "name": "Old bank",
        "fields": [{"name": "password", "value": "pw-old-bank"}],
        "category": "finance",
        "uuid": "0a0b0c0d-0000-4000-8000-000000000001",
        "updated": "2016-01-01T00:00:00.000Z",
        "removed": False,
    },
    {
        "name": "",
        "fields": [],
        "category": "",
        "uuid": "0a0b0c0d-0000-4000-8000-000000000002",
        "updated": "2017-05-05T00:00:00.000Z",
        "removed": True,
    },
]


def read(data: bytes, password: str | None = PASSWORD, *, trashed: bool = False,
         name: str = "padlock.json") -> tuple[cxf.Document, Any]:  # fmt: skip
    options = ReadOptions(
        password=None if password is None else (lambda _prompt: password),
        include_trashed=trashed,
    )
    return api.read(data, name, source_format="padlock-json", options=options)


def items(doc: cxf.Document) -> list[Any]:
    return [item for account in doc.accounts for item in account.items]


def creds(item: Any, kind: str) -> list[Any]:
    return [c for c in item.credentials if cxf.credential_type(c) == kind]


# --------------------------------------------------------------------------- reading


def test_records_read_back_exactly() -> None:
    doc, report = read(padlock_export(RECORDS))
    found = items(doc)
    assert [i.title for i in found] == ["Mail", "Old bank"]  # the removed record: trash
    mail, bank = found
    (login,) = creds(mail, "basic-auth")
    assert login.username.value == "alice@example.org"
    assert login.password.value == "s3cr3t-Mail!"
    assert mail.scope is not None and list(mail.scope.urls) == ["https://mail.example.org"]
    (note,) = creds(mail, "note")
    assert note.content.value == "line one\nline two"
    (custom,) = creds(mail, "custom-fields")
    fields = {f.label: (f.value, f.field_type) for f in custom.fields}
    assert fields == {
        "PIN": ("4711", "concealed-string"),
        "recovery email": ("bob@example.org", "string"),
    }
    assert set(mail.tags or ()) == {"work", "mail"}
    assert mail.modified_at == 1488369600
    assert set(bank.tags or ()) == {"finance"}
    assert creds(bank, "basic-auth")[0].password.value == "pw-old-bank"
    # item ids derive from Padlock's uuid: the same in two exports with other positions
    doc2, _ = read(padlock_export(list(reversed(RECORDS)), seed=3))
    assert {i.id for i in items(doc2)} == {i.id for i in found}
    text = report.render()
    for secret in ("s3cr3t-Mail!", "4711", "pw-old-bank", "alice@example.org"):
        assert secret not in text
        assert secret not in json.dumps(report.to_json())
    paths = set(report.fields.paths())
    assert any(p.endswith("[0].lastUsed") for p in paths)
    assert any(p.endswith("[0].fields[6]") for p in paths)  # the empty field: not carried


def test_removed_records_follow_the_trash_policy() -> None:
    doc, _ = read(padlock_export(RECORDS), trashed=True)
    assert [i.title for i in items(doc)][2] == "(a removed Padlock record)"
    _, report = read(padlock_export(RECORDS))
    assert [t for t, _ in report.items_skipped] == ["(a removed Padlock record)"]


def test_a_second_username_field_is_kept_as_a_custom_field() -> None:
    records = [{"name": "x", "fields": [{"name": "username", "value": "u1"},
                                        {"name": "Username", "value": "u2"},
                                        {"name": "password", "value": "p1"},
                                        {"name": "password", "value": "p2"}]}]  # fmt: skip
    (item,) = items(read(padlock_export(records))[0])
    assert creds(item, "basic-auth")[0].username.value == "u1"
    custom = {f.label: (f.value, f.field_type) for f in creds(item, "custom-fields")[0].fields}
    assert custom == {"Username": ("u2", "string"), "password": ("p2", "concealed-string")}


@pytest.mark.parametrize(("key_size", "tag_bits"), [(128, 64), (192, 96), (256, 128)])
def test_other_key_and_tag_sizes(key_size: int, tag_bits: int) -> None:
    doc, _ = read(padlock_export(RECORDS[:1], key_size=key_size, tag_bits=tag_bits))
    assert [i.title for i in items(doc)] == ["Mail"]


def test_a_large_export_uses_a_three_byte_length() -> None:
    """Over 64 KiB of plaintext, SJCL's L is 3 (a 12-byte nonce)."""
    records = [{"name": f"site {n}", "fields": [{"name": "password", "value": "x" * 40}]}
               for n in range(1200)]  # fmt: skip
    data = padlock_export(records)
    assert len(json.dumps(records)) > 0xFFFF
    assert len(items(read(data)[0])) == 1200


# --------------------------------------------------------------------------- refusals


def test_wrong_password() -> None:
    with pytest.raises(DecryptionError) as err:
        read(padlock_export(RECORDS), "not the password")
    assert "wrong password" in str(err.value)
    assert "not the password" not in str(err.value) + str(err.value.hint)


def test_no_password_asks_for_one() -> None:
    with pytest.raises(PasswordNeededError):
        read(padlock_export(RECORDS), None)


def test_iterations_are_bounded_before_any_work() -> None:
    box = sjcl_encrypt(b"[]", PASSWORD)
    box["iter"] = MAX_ITERATIONS + 1

    def never(_prompt: str) -> str:
        raise AssertionError("the password was asked before the bound was checked")

    with pytest.raises(AdapterError) as err:
        api.read(json.dumps(box).encode(), "p.json", source_format="padlock-json",
                 options=ReadOptions(password=never))  # fmt: skip
    assert "1,000,000" in str(err.value)


@pytest.mark.parametrize(
    ("member", "value"),
    [("iter", 0), ("iter", "1000"), ("iter", True), ("keySize", 512), ("ts", 32),
     ("mode", "ocb2"), ("cipher", "twofish"), ("salt", "***"), ("ct", 5), ("version", 2)],
)  # fmt: skip
def test_bad_container_members_are_refused_clearly(member: str, value: Any) -> None:
    box = sjcl_encrypt(b"[]", PASSWORD)
    box[member] = value
    with pytest.raises(CxkitError) as err:
        read(json.dumps(box).encode())
    assert err.value.message


def test_a_versionless_padlock_1_container_is_refused() -> None:
    data = padlock_export(RECORDS, version=None)
    with pytest.raises(AdapterError, match="Padlock 1"):
        read(data)


def test_decrypted_content_that_is_not_a_list() -> None:
    data = json.dumps(sjcl_encrypt(b'{"a": 1}', PASSWORD)).encode()
    with pytest.raises(CxkitError, match="not a list of records"):
        read(data)


def test_one_bad_record_does_not_sink_the_rest() -> None:
    records = [5, {"name": "ok", "fields": "nope"}, RECORDS[0]]
    doc, report = read(padlock_export(records))
    assert [i.title for i in items(doc)] == ["Mail"]
    assert report.items_read >= 1


# --------------------------------------------------------------------------- detection


def test_detection_takes_the_container_and_not_plain_sjcl() -> None:
    data = padlock_export(RECORDS)
    assert detection.detect(detection.make_sample(data, "x.json")).adapter.info.key == (
        "padlock-json"
    )
    box = json.loads(data)
    sjcl_default = {"v": 1, "ks": 256, **{k: v for k, v in box.items()
                                         if k not in ("version", "keySize")}}  # fmt: skip
    sample = detection.make_sample(json.dumps(sjcl_default).encode(), "y.json")
    assert PadlockJsonAdapter().accepts(sample) == 0
    extra = dict(box, other=1)
    assert PadlockJsonAdapter().accepts(detection.make_sample(json.dumps(extra).encode())) == 0


def test_the_real_sample_is_detected_and_refused_for_a_guessed_password() -> None:
    data = shared_path("exports", "padlock", "pass-import", "padlock.json").read_bytes()
    found = detection.detect(detection.make_sample(data, "padlock.json"))
    assert found.adapter.info.key == "padlock-json"
    for guess in ("password", "padlock", "correct horse battery staple"):
        with pytest.raises(DecryptionError):
            read(data, guess)
    with pytest.raises(PasswordNeededError):
        read(data, None)


def test_real_sample_mutations_raise_only_cxkit_errors() -> None:
    data = shared_path("exports", "padlock", "pass-import", "padlock.json").read_bytes()
    # the real container asks for 50,000 iterations: a few damaged copies only
    problems = contract.check_mutations(PadlockJsonAdapter(),
                                        contract.Sample("padlock.json", data, "guess"), rounds=3)  # fmt: skip
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- fuzz


def test_damaged_fixtures_raise_only_cxkit_errors() -> None:
    sample = contract.Sample("padlock.json", padlock_export(RECORDS, iterations=10), PASSWORD)
    problems = contract.check_mutations(PadlockJsonAdapter(), sample, rounds=60)
    assert not problems, "\n".join(problems)


_SCALAR = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
)
_NESTED = st.lists(_SCALAR, max_size=3) | st.dictionaries(st.text(max_size=6), _SCALAR, max_size=3)
_JSON = _SCALAR | _NESTED | st.lists(_NESTED, max_size=2)
_FIELD = st.fixed_dictionaries(
    {}, optional={"name": _JSON | st.sampled_from(["username", "password", "url", "notes"]),
                  "value": _JSON | st.text(max_size=10), "masked": _JSON},
)  # fmt: skip
_RECORD = st.fixed_dictionaries(
    {}, optional={"name": _JSON, "fields": st.lists(_FIELD, max_size=4) | _JSON,
                  "tags": st.lists(_JSON, max_size=3) | _JSON, "category": _JSON,
                  "uuid": _JSON, "updated": _JSON, "removed": _JSON, "lastUsed": _JSON,
                  "extra": _JSON},
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_RECORD | _JSON, max_size=4))
def test_any_decrypted_records_read_or_refuse_cleanly(records: list[Any]) -> None:
    """Property: whatever records the container holds, reading gives items or a cxkit error,
    and every record is accounted for (an item read or a failure recorded)."""
    data = padlock_export(records, iterations=1)
    try:
        doc, report = read(data, trashed=True)
    except CxkitError as exc:
        assert exc.message
        return
    assert len(items(doc)) + len(report.items_skipped) == len(records)
