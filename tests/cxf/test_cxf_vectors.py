"""The CXF vector corpus in ``../shared/vectors/cxf``, driven by ``vectors.toml``.

Every file of the corpus has a manifest entry (a new vector fails :func:`test_manifest_covers_every_file`
until it gets one). The expectations were taken from running the code and then checked one by
one against ``vectors/cxf/README.md`` and the spec notes (§9.3 for the PS Appendix A defects).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Final

import pytest

from cxkit import cxf
from cxkit import errors as cx_errors
from cxkit.cxf import model as m
from cxkit.cxf.findings import Finding, Severity
from shared_evidence import SHARED, shared_path

MANIFEST_PATH = Path(__file__).with_name("vectors.toml")
MANIFEST: list[dict[str, Any]] = tomllib.loads(MANIFEST_PATH.read_text("utf-8"))["vector"]
BY_PATH = {entry["path"]: entry for entry in MANIFEST}
VECTORS = ("vectors", "cxf")
EXPECTS = {"valid", "valid-with-findings", "refused", "fragment", "data"}
DOCUMENTS = [e["path"] for e in MANIFEST if e["expect"] in ("valid", "valid-with-findings")]
LOSSLESS_DOCUMENTS = [p for p in DOCUMENTS if BY_PATH[p].get("lossless", True)]
REPRESENTATION_CODES = ("b64.", "json.null", "timestamp.")


def vector_bytes(rel: str) -> bytes:
    return shared_path(*VECTORS, *rel.split("/")).read_bytes()


def codes(findings: list[Finding] | tuple[Finding, ...]) -> set[str]:
    return {f.code for f in findings}


def error_codes(findings: list[Finding] | tuple[Finding, ...]) -> set[str]:
    return {f.code for f in findings if f.severity is Severity.ERROR}


def _minimal_document(
    *, items: list[Any] | None = None, collections: list[Any] | None = None
) -> dict[str, Any]:
    return {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "exporter.example.com",
        "exporterDisplayName": "Fragment test",
        "timestamp": 1705228800,
        "accounts": [
            {
                "id": "YWNjb3VudA",
                "username": "fragment",
                "email": "fragment@example.com",
                "collections": collections or [],
                "items": items or [],
            }
        ],
    }


_NOTE: Final = {"type": "note", "content": {"fieldType": "string", "value": "n"}}


def _item(credentials: list[Any], title: str, **extra: Any) -> dict[str, Any]:
    return {"id": "aXRlbQ", "title": title, "credentials": credentials, **extra}


def embed(value: Any, cls_name: str, title: str = "fragment") -> list[Finding] | None:
    """All findings for a fragment placed in a minimal document (None: no natural place).

    Credentials go into an item titled ``title``, extensions onto an item holding a note,
    EditableFields into a custom-fields credential, Items and Collections into the account.
    """
    if cls_name == "Credential":
        doc = _minimal_document(items=[_item([value], title)])
    elif cls_name in ("Extension", "SharedExtension"):
        doc = _minimal_document(items=[_item([_NOTE], title, extensions=[value])])
    elif cls_name == "EditableField":
        field_holder = {"type": "custom-fields", "fields": [value]}
        doc = _minimal_document(items=[_item([field_holder], title)])
    elif cls_name == "Item":
        doc = _minimal_document(items=[value])
    elif cls_name == "Collection":
        doc = _minimal_document(collections=[value])
    else:
        return None
    return cxf.validate(cxf.decode(json.dumps(doc)))


# --------------------------------------------------------------------------- the manifest itself


def test_manifest_is_well_formed() -> None:
    assert len(BY_PATH) == len(MANIFEST), "duplicate paths in vectors.toml"
    for entry in MANIFEST:
        assert entry["expect"] in EXPECTS, entry
        if entry["expect"] == "valid-with-findings":
            assert entry["codes"], entry
            assert set(entry["errors"]) <= set(entry["codes"]), entry
        if entry["expect"] == "refused":
            assert hasattr(cx_errors, entry["error"]), entry
        if entry["expect"] == "fragment":
            assert isinstance(getattr(m, entry["cls"]), type), entry


def test_manifest_covers_every_file(shared: Path) -> None:
    base = shared.joinpath(*VECTORS)
    present = {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file()}
    missing = sorted(present - BY_PATH.keys())
    stale = sorted(BY_PATH.keys() - present)
    assert not missing, f"vectors without an entry in tests/cxf/vectors.toml: {missing}"
    assert not stale, f"entries in tests/cxf/vectors.toml for files that are gone: {stale}"


# --------------------------------------------------------------------------- one test per vector


@pytest.mark.shared
@pytest.mark.parametrize("rel", [e["path"] for e in MANIFEST])
def test_vector(rel: str) -> None:
    entry = BY_PATH[rel]
    data = vector_bytes(rel)
    expect = entry["expect"]
    if expect == "data":
        assert data  # read by the tests of the document that uses it
        return
    if expect == "refused":
        error_cls = getattr(cx_errors, entry["error"])
        with pytest.raises(error_cls, match=entry["message"]) as info:
            cxf.decode(data)
        assert type(info.value) is error_cls
        return
    if expect == "fragment":
        check_fragment(entry, data)
        return
    doc = cxf.decode(data)
    assert doc.account_root is (entry["root"] == "account")
    findings = cxf.validate(doc)
    if expect == "valid":
        assert findings == [], [str(f) for f in findings]
    else:
        assert codes(findings) == set(entry["codes"]), [str(f) for f in findings]
        assert error_codes(findings) == set(entry["errors"]), [str(f) for f in findings]
    attachment = entry.get("attachment")
    if attachment is not None:
        content = vector_bytes(attachment)
        files = [c for _, item in doc.items() for c in item.credentials if isinstance(c, m.File)]
        assert len(files) == 1
        with_bytes = cxf.validate(doc, attachments={files[0].id: content})
        assert not {c for c in codes(with_bytes) if c.startswith("file.")}
        wrong = cxf.validate(doc, attachments={files[0].id: content + b"!"})
        assert {"file.size-mismatch", "file.hash-mismatch"} <= codes(wrong)
        assert "file.missing-bytes" in codes(cxf.validate(doc, attachments={}))


def check_fragment(entry: dict[str, Any], data: bytes) -> None:
    value = json.loads(data)
    if "add_type" in entry:
        assert "type" not in value
        value = {"type": entry["add_type"], **value}
    cls = getattr(m, entry["cls"])
    obj, findings = cxf.decode_struct(json.dumps(value), cls)
    assert type(obj).__name__ == entry["result"]
    assert codes(findings) == set(entry["codes"]), [str(f) for f in findings]
    assert json.loads(cxf.encode_struct(obj)) == value, "fragment round trip is not lossless"
    if "embedded_codes" in entry:
        embedded = embed(value, entry["cls"], entry.get("embed_title", "fragment"))
        assert embedded is not None
        assert codes(embedded) == set(entry["embedded_codes"]), [str(f) for f in embedded]
        assert error_codes(embedded) == set(entry["embedded_errors"])


# --------------------------------------------------------------------------- lossless round trip


@pytest.mark.shared
@pytest.mark.parametrize("rel", LOSSLESS_DOCUMENTS)
def test_round_trip_is_lossless(rel: str) -> None:
    data = vector_bytes(rel)
    doc = cxf.decode(data)
    assert json.loads(cxf.encode(doc)) == json.loads(data)
    # without the items' source bytes the encoder works from the model + Extra alone
    rebuilt = cxf.Document(doc.header, doc.account_root)
    assert json.loads(cxf.encode(rebuilt)) == json.loads(data)


@pytest.mark.shared
@pytest.mark.parametrize("rel", DOCUMENTS)
def test_normalize_is_canonical_and_a_fixed_point(rel: str) -> None:
    doc = cxf.decode(vector_bytes(rel))
    once = cxf.encode(doc, normalize=True)
    redecoded = cxf.decode(once)
    representation = [f for f in cxf.validate(redecoded) if f.code.startswith(REPRESENTATION_CODES)]
    assert representation == []
    assert not [f for f in redecoded.findings if f.code == "array.empty-optional"]
    assert cxf.encode(redecoded, normalize=True) == once
    assert b"null" not in once or "null" in json.dumps(_unknown_values(redecoded))


def _unknown_values(doc: cxf.Document) -> list[Any]:
    """Everything kept verbatim (unknown members/credentials): the only place a null may stay."""
    out: list[Any] = []
    for _, item in doc.items():
        out.append(cxf.unknown_members(item))
        out.extend(
            c.members if isinstance(c, m.UnknownCredential) else cxf.unknown_members(c)
            for c in item.credentials
        )
    return out


@pytest.mark.shared
def test_views_drop_their_placeholder_elements() -> None:
    """The ``members-only`` views hold a string where an Account / Item / Collection must be: the
    element is skipped with an error-level finding, so these two are NOT lossless (see report)."""
    for rel in ("from-appendix-a/3.1_header.members-only.json",):
        doc = cxf.decode(vector_bytes(rel))
        assert doc.accounts == ()
        assert json.loads(cxf.encode(doc))["accounts"] == []


# --------------------------------------------------------------------------- required facts

PS = "spec/appendix-a.ps-20250814.json"
ERRATA = "spec/appendix-a.errata-20260309.json"


@pytest.mark.shared
def test_ps_appendix_a_reports_its_seven_known_defects() -> None:
    """Spec notes §9.3: every defect of the PS example is reported, at the right place."""
    findings = cxf.validate(cxf.decode(vector_bytes(PS)))
    at = {(f.code, f.path) for f in findings}
    items = "$.accounts[0].items"
    expected = {
        # 1. hmacSecret instead of hmacCredentials
        ("passkey.legacy-hmac-secret", f"{items}[1].credentials[0].fido2Extensions.hmacSecret"),
        # 2. Wi-Fi security type "WPA2"
        ("wifi.unknown-security-type", f"{items}[3].credentials[0].networkSecurityType.value"),
        # 3. subdivision "CA" (drivers-license and address)
        ("field.invalid-subdivision-code", f"{items}[5].credentials[0].territory.value"),
        ("field.invalid-subdivision-code", f"{items}[6].credentials[0].territory.value"),
        # 4. passport type "Regular"
        ("passport.invalid-type", f"{items}[10].credentials[0].passportType.value"),
        # 5. ssh-key expiryDate.extensions: []
        ("array.empty-optional", f"{items}[7].credentials[0].expiryDate.extensions"),
        # 6. file integrityHash not a SHA-256 (31 bytes)
        ("file.integrity-hash-length", f"{items}[8].credentials[0].integrityHash"),
        # 7. TOTP issuer "Google" on the GitHub item
        ("totp.issuer-mismatch", f"{items}[0].credentials[1].issuer"),
    }
    assert at == expected, sorted(at ^ expected)
    doc = cxf.decode(vector_bytes(PS))
    github = doc.accounts[0].items[0]
    assert github.title.startswith("GitHub")
    totp = github.credentials[1]
    assert isinstance(totp, m.Totp) and totp.issuer == "Google"
    passkey = doc.accounts[0].items[1].credentials[0]
    assert isinstance(passkey, m.Passkey) and passkey.fido2_extensions is not None
    assert "hmacSecret" in cxf.unknown_members(passkey.fido2_extensions)


@pytest.mark.shared
def test_errata_appendix_a_has_no_error_level_findings() -> None:
    doc = cxf.decode(vector_bytes(ERRATA))
    findings = cxf.validate(doc)
    assert error_codes(findings) == set()
    assert codes(findings) == {"passkey.cred-blob-large"}  # 75-byte credBlob, a notice only
    assert {f.severity for f in findings} == {Severity.INFO}
    kinds = {type(c).__name__ for _, item in doc.items() for c in item.credentials}
    assert len(kinds) == 15 and len(list(doc.items())) == 14


@pytest.mark.shared
def test_working_draft_document_is_refused() -> None:
    data = vector_bytes("interop/legacy-wd-20241003-shape.reconstructed.json")
    with pytest.raises(cx_errors.UnsupportedVersionError, match="working-draft"):
        cxf.decode(data)


@pytest.mark.shared
@pytest.mark.parametrize("rel", ["cxf-kit/broken.json", "cxf-kit/notcxf.json"])
def test_negative_vectors_raise_decode_error(rel: str) -> None:
    with pytest.raises(cx_errors.DecodeError):
        cxf.decode(vector_bytes(rel))


@pytest.mark.shared
def test_shared_extension_accessors_an_importer_must_drop() -> None:
    """README: accessor #3 (unknown type) and #4 (only an unknown permission) are dropped."""
    ext, findings = cxf.decode_struct(
        vector_bytes("synthetic/3.5_shared-extension.json"), m.SharedExtension
    )
    assert findings == ()
    assert [a.name for a in ext.effective_accessors()] == ["bob", "Family"]


@pytest.mark.shared
def test_cxf_kit_kitchen_sink_placeholders_are_flagged() -> None:
    """cxf-kit README: placeholder key, ssh key, largeBlob, short hmac seeds and a 4-byte
    fingerprint should be flagged by a semantic validator; open-enum values must survive."""
    data = vector_bytes("cxf-kit/synthetic/kitchen-sink.json")
    doc = cxf.decode(data)
    found = codes(cxf.validate(doc))
    assert {
        "passkey.key-not-pkcs8",
        "ssh.key-not-pkcs8",
        "passkey.large-blob-invalid",
        "passkey.hmac-seed-length",
        "android.fingerprint-length",
        "totp.unknown-algorithm",
        "shared.unknown-permission",
        "field.unknown-type",
        "credential.unknown-type",
    } <= found
    normalized = cxf.encode(doc, normalize=True)
    for value in (b'"sha3-512"', b'"quantum-veto"', b'"totp-secret"', b"loyalty-card"):
        assert value in normalized


@pytest.mark.shared
def test_vendor_example_differs_from_ps_only_by_the_ssh_key() -> None:
    ps = codes(cxf.validate(cxf.decode(vector_bytes(PS))))
    vendor = codes(cxf.validate(cxf.decode(vector_bytes("vendor/cxf_example.json"))))
    assert vendor - ps == {"ssh.key-type-mismatch"}
    assert ps - vendor == set()


def test_shared_folder_constant_points_next_to_the_project() -> None:
    assert SHARED.name == "shared"
