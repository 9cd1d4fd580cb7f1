"""The kit's item builder (``adapters/kit/builder.py``) and the value parsers it uses: every
source value recorded once with its disposition, the policies (ids, times, TOTP, trash,
leftovers, failures), collections and item order."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxkit import cxf
from cxkit.adapters.kit import ledger
from cxkit.adapters.kit.builder import (
    NAMESPACE,
    CollectionTree,
    ItemBuilder,
    Val,
    VaultBuilder,
    stable_id,
    truthy,
)
from cxkit.adapters.kit.values import credential_members, parse_android_url, parse_time
from cxkit.adapters.report import Disposition, MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m

SECRET = "Builder-Secret-4q9Z"


def _builder(report: MigrationReport, **options: object) -> ItemBuilder:
    return ItemBuilder(report, "f.csv:2:", item_id=stable_id("t", "f.csv", "2"), **options)  # type: ignore[arg-type]


def _records(report: MigrationReport) -> dict[str, tuple[str, str, str]]:
    return {r.path: (str(r.disposition), r.target, r.note) for r in report.fields}


def test_a_login_item_and_its_records() -> None:
    report = MigrationReport()
    b = _builder(report)
    b.set_title(Val("Mail", "name"))
    b.login(Val("alice", "user"), Val(SECRET, "pass"),
            [Val("https://mail.example", "url"), Val("", "url2")])  # fmt: skip
    assert b.totp(Val("JBSWY3DPEHPK3PXP", "otp")) == "bare"
    b.note(Val("line 1\nline 2", "note"))
    b.custom("pin", Val("1234", "pin"), hidden=True)
    b.favorite(Val("yes", "fav"))
    b.tags(Val("a, b", "tags"), ["a", "b", ""])
    b.created(Val("2024-01-02T03:04:05Z", "created"))
    b.modified(Val("1706843045000", "modified"))  # epoch milliseconds
    item = b.finish()
    assert item is not None
    assert [cxf.credential_type(c) for c in item.credentials] == [
        "basic-auth", "totp", "note", "custom-fields"]  # fmt: skip
    auth = item.credentials[0]
    assert isinstance(auth, m.BasicAuth) and auth.password is not None
    assert auth.password.field_type == "concealed-string" and auth.password.value == SECRET
    assert item.scope is not None and item.scope.urls == ("https://mail.example",)
    assert item.favorite is True and item.tags == ("a", "b")
    assert (item.creation_at, item.modified_at) == (1704164645, 1706843045)
    records = _records(report)
    assert records["f.csv:2:pass"] == ("member", "basic-auth.password", "")
    assert records["f.csv:2:url"] == ("member", "scope.urls", "")
    assert records["f.csv:2:pin"] == ("custom-field", "custom-fields.pin", "")
    assert "f.csv:2:url2" not in records  # empty values are not source fields
    assert len(report.fields) == 11
    assert report.items_read == 1
    assert [c.key for c in report.credentials] == [(item.id, i) for i in range(4)]
    assert all(r.item == "Mail" for r in report.fields)
    cxf.decode(cxf.encode(_document(item)))  # a valid CXF item


def _document(item: m.Item) -> cxf.Document:
    vault = VaultBuilder(MigrationReport(), key="t", rp_id="example.com", app="Test")
    vault.items.append(item)
    return vault.build(account_id=stable_id("t", "account"))


def test_an_unreadable_totp_is_kept_hidden_with_the_reason() -> None:
    report = MigrationReport()
    b = _builder(report)
    assert b.totp(Val(SECRET + "!", "otp")) is None
    item = b.finish()
    assert item is not None
    (fields,) = item.credentials
    assert isinstance(fields, m.CustomFields)
    assert fields.fields[0].field_type == "concealed-string"
    assert fields.fields[0].value == SECRET + "!" and fields.fields[0].label == "TOTP"
    (record,) = report.fields
    assert record.disposition == Disposition.CUSTOM_FIELD
    assert record.note.startswith("not readable as TOTP")
    assert SECRET not in json.dumps(report.to_json()) and SECRET not in report.render()


def test_steam_totp_is_transformed() -> None:
    report = MigrationReport()
    b = _builder(report)
    assert b.totp(Val("steam://JBSWY3DPEHPK3PXP", "otp")) == "steam"
    b.finish()
    assert report.credentials[0].outcome == Outcome.TRANSFORMED


def test_an_unreadable_time_is_kept_as_text() -> None:
    report = MigrationReport()
    b = _builder(report)
    b.created(Val("last Tuesday", "created"))
    item = b.finish()
    assert item is not None and item.creation_at is None
    (fields,) = item.credentials
    assert isinstance(fields, m.CustomFields) and fields.fields[0].value == "last Tuesday"
    assert report.fields[0].disposition == Disposition.CUSTOM_FIELD


def test_leftovers_become_custom_fields() -> None:
    report = MigrationReport()
    b = _builder(report)
    item = b.finish([Val("blue", "colour"), Val("", "empty")])
    assert item is not None
    (fields,) = item.credentials
    assert isinstance(fields, m.CustomFields)
    assert [(f.label, f.value) for f in fields.fields] == [("colour", "blue")]
    assert [r.path for r in report.fields] == ["f.csv:2:colour"]
    assert report.fields[0].disposition == Disposition.CUSTOM_FIELD


@pytest.mark.parametrize("include", [False, True])
def test_trash_is_skipped_unless_asked(include: bool) -> None:
    report = MigrationReport()
    b = _builder(report, include_trashed=include)
    b.set_title(Val("Old", "name"))
    b.login(None, Val(SECRET, "pass"))
    b.trashed(Val("1", "deleted"))
    item = b.finish()
    if include:
        assert item is not None and report.items_read == 1
        assert report.field_counts()["not-carried"] == 0
    else:
        assert item is None and report.items_read == 0
        assert report.items_skipped == [("Old", "in the trash (--include-trashed reads it)")]
        assert {r.disposition for r in report.fields} == {Disposition.NOT_CARRIED}
        assert len(report.fields) == 3 and not report.credentials


def test_fail_records_every_field_once_as_not_carried() -> None:
    report = MigrationReport()
    b = _builder(report, title="Bad")
    b.login(Val("bob", "user"), None)
    b.fail("cannot be read: broken", [Val("bob", "user"), Val(SECRET, "pass"), Val("", "x")])
    assert report.items_skipped == [("Bad", "cannot be read: broken")]
    assert sorted(r.path for r in report.fields) == ["f.csv:2:pass", "f.csv:2:user"]
    assert all(r.disposition == Disposition.NOT_CARRIED for r in report.fields)


def test_groups_of_custom_fields_and_the_extension() -> None:
    report = MigrationReport()
    b = _builder(report, extension="cxkit/test", custom_extension={"role": "fields"})
    b.define_group("more", label="More", extension={"role": "more"}, outcome=Outcome.TRANSFORMED,
                   note=lambda fields: f"{len(fields)} more")  # fmt: skip
    b.custom("b", Val("2", "b"), group="more")
    b.custom("a", Val("1", "a"))
    b.ext["kept"] = "yes"
    b.ext["dropped"] = None
    item = b.finish()
    assert item is not None
    first, second = item.credentials
    assert isinstance(first, m.CustomFields) and isinstance(second, m.CustomFields)
    assert first.label is None and second.label == "More"
    assert first.extensions[0].members == {"role": "fields"}  # type: ignore[union-attr]
    assert item.extensions[0].members == {"kept": "yes"}  # type: ignore[union-attr]
    assert report.credentials[1].outcome == Outcome.TRANSFORMED
    assert report.credentials[1].note == "1 more"
    assert _records(report)["f.csv:2:b"][1] == "custom-fields[More].b"


def test_android_urls_become_app_scopes() -> None:
    report = MigrationReport()
    b = _builder(report)
    cert = base64.b64encode(bytes(range(32))).decode()
    b.login(Val("u", "user"), None, [Val(f"android://{cert}@com.example.app/", "url")],
            apps=True)  # fmt: skip
    item = b.finish()
    assert item is not None and item.scope is not None
    assert item.scope.urls == ()
    (app,) = item.scope.android_apps
    assert app.bundle_id == "com.example.app"
    assert app.certificate is not None and app.certificate.hash_alg == "sha256"
    assert b64.decode(app.certificate.fingerprint) == bytes(range(32))
    assert _records(report)["f.csv:2:url"][1] == "scope.androidApps"


def test_stable_ids_are_uuid5_and_differ_by_position() -> None:
    assert stable_id("a", "f.csv", "2") == b64.encode(
        uuid.uuid5(NAMESPACE, "a\x1ff.csv\x1f2").bytes
    )
    assert stable_id("a", "f.csv", "2") == stable_id("a", "f.csv", "2")
    assert stable_id("a", "f.csv", "2") != stable_id("a", "f.csv", "3")
    assert stable_id("a", "f.csv", "2") != stable_id("a", "g.csv", "2")


def test_truthy() -> None:
    assert all(truthy(t) for t in ("1", "true", "TRUE", " yes ", "on", "x"))
    assert not any(truthy(t) for t in ("0", "false", "", "no", "maybe"))


def test_collection_tree_and_group_order() -> None:
    report = MigrationReport()
    vault = VaultBuilder(report, key="t", rp_id="example.com", app="Test", group_order=True)
    for n, path in enumerate([("B",), (), ("A", "Deep"), ("A",), ("B",)]):
        b = vault.item(f"f:{n}:", item_id=stable_id("t", str(n)), title=f"i{n}")
        b.collection(path, "group" if path else None)
        vault.add(b)
    doc = vault.build(account_id=stable_id("t", "account"))
    assert [i.title for _, i in doc.items()] == ["i1", "i0", "i4", "i3", "i2"]
    (account,) = doc.accounts
    assert [c.title for c in account.collections] == ["B", "A"]
    assert [c.title for c in account.collections[1].sub_collections] == ["Deep"]
    assert len(account.collections[0].items) == 2
    cxf.decode(cxf.encode(doc))
    tree = CollectionTree(lambda p: "/".join(p))
    tree.add(("x", "y", "z"))
    assert tree.order() == [("x",), ("x", "y"), ("x", "y", "z")]


# --------------------------------------------------------------------------- value parsers


def test_parse_time_forms() -> None:
    assert parse_time("2024-01-02T03:04:05Z") == 1704164645
    assert parse_time("2024-01-02T03:04:05+01:00") == 1704161045
    assert parse_time("1704164645") == 1704164645
    assert parse_time("1704164645123") == 1704164645
    assert parse_time("1704164645123456") == 1704164645
    for bad in ("", " ", "soon", "-5", "1" * 18, "1969-01-01T00:00:00Z", None, 5):
        assert parse_time(bad) is None, bad


@given(st.integers(min_value=10**9, max_value=10**11 - 1), st.integers(0, 999))
def test_parse_time_seconds_and_milliseconds(seconds: int, millis: int) -> None:
    assert parse_time(str(seconds)) == seconds
    assert parse_time(str(seconds * 1000 + millis)) == seconds


@given(st.text(max_size=80))
def test_parse_android_url_never_raises(text: str) -> None:
    found = parse_android_url(text)
    assert found is None or found.bundle_id


def test_parse_android_url_forms() -> None:
    assert parse_android_url("https://example.com") is None
    assert parse_android_url("android://") is None
    app = parse_android_url("android://com.example.x/")
    assert app is not None and app.bundle_id == "com.example.x" and app.certificate is None
    # a hash that is no SHA-256/512 digest: not an app, so the caller keeps the URL whole
    # (#13 audit: the hash was dropped without a word)
    assert parse_android_url("android://not-a-hash@com.example.y") is None
    cert = base64.urlsafe_b64encode(bytes(64)).decode().rstrip("=")
    wide = parse_android_url(f"ANDROID://{cert}@com.example.z")
    assert wide is not None and wide.certificate is not None
    assert wide.certificate.hash_alg == "sha512"
    assert parse_android_url("android://hash@bad package/") is None


def test_value_carriers_repr_names_never_values() -> None:
    # a Val, a ledger Leaf or a credential Member in a log line or traceback shows no value
    secret = "Repr-Secret-51x"
    assert secret not in repr(Val(secret, ".login.password"))
    cred = m.BasicAuth(password=m.EditableField(field_type="concealed-string", value=secret))
    assert all(secret not in repr(leaf) for leaf in ledger.leaves(cred))
    members = credential_members(cred, "login")
    assert members and all(secret not in repr(x) for x in members)


def test_credential_members_hide_a_structure_holding_secrets() -> None:
    # a passkey flattened to custom fields (Bitwarden card item): its fido2Extensions text
    # holds the hmac-secret seeds, so it is written hidden like the key; payments alone is not
    seed = "c2VlZC1zZWVkLXNlZWQ"
    hmac = m.Fido2HmacCredentials(algorithm="hmac-sha256", cred_with_uv=seed, cred_without_uv=seed)
    passkey = m.Passkey(credential_id="aWQ", rp_id="example.com", username="u",
                        user_display_name="U", user_handle="aA", key="a2V5",
                        fido2_extensions=m.Fido2Extensions(hmac_credentials=hmac))  # fmt: skip
    hidden = {x.name: x.hidden for x in credential_members(passkey, "passkey")}
    assert hidden["passkey: fido2Extensions"] and hidden["passkey: key"]
    assert not hidden["passkey: rpId"]
    plain = m.Passkey(credential_id="aWQ", rp_id="example.com", username="u",
                      user_display_name="U", user_handle="aA", key="a2V5",
                      fido2_extensions=m.Fido2Extensions(payments=True))  # fmt: skip
    assert not {x.name: x.hidden for x in credential_members(plain, "p")}["p: fido2Extensions"]
