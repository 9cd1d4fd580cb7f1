"""CXP message shapes, strict emission, negotiation and filtering."""

from __future__ import annotations

import json

import pytest

from cxkit.cxp.messages import (
    ErrorCode,
    ErrorResponse,
    ExportRequest,
    ExportResponse,
    NegotiationError,
    check_version,
    credential_type_filter,
    extension_filter,
    parse_json,
    select_archive,
    select_hpke,
)
from cxkit.errors import DecodeError, InputTooLargeError
from shared_evidence import shared_path

SUPPORTED = {(32, 1, 2), (16, 1, 1)}


def _load(name: str) -> bytes:
    return shared_path("vectors", "cxp", name).read_bytes()


def test_wd_shape() -> None:
    req = ExportRequest.parse(_load("cxp-wd-20241003-export-request.example.json"))
    assert req.version == 0 and req.mode == ("direct",) and req.archive == ("deflate",)
    assert req.importer == "importer.example.com" and len(req.hpke) == 2
    assert req.to_json() == json.loads(_load("cxp-wd-20241003-export-request.example.json"))
    resp = ExportResponse.parse(_load("cxp-wd-20241003-export-response.example.json"))
    assert resp.archive == "deflate" and resp.exporter == "exporter.example.com"
    assert resp.to_json() == json.loads(_load("cxp-wd-20241003-export-response.example.json"))


def test_bitwarden_crate_shape() -> None:
    req = ExportRequest.parse(_load("cxp-bitwarden-crate-shape.export-request.example.json"))
    assert req.archive is None and req.mode is None
    assert select_archive(req) == "deflate"
    assert req.to_json()["archive"] == ["deflate"]  # strict emission adds it
    resp = ExportResponse.parse(_load("cxp-bitwarden-crate-shape.export-response.example.json"))
    assert resp.archive is None and resp.hpke is not None and resp.hpke.kem == 32


def test_android_shapes() -> None:
    legacy = ExportRequest.parse(_load("bitwarden-android-legacy-import-request.alpha03.json"))
    assert legacy.version == 0 and legacy.mode == ("direct",)
    assert legacy.importer == "com.x8bit.bitwarden" and legacy.importer_display_name == "Bitwarden"
    assert legacy.hpke == ()
    resp = ExportResponse.parse(_load("bitwarden-android-legacy-import-response.alpha03.json"))
    assert resp.exporter == "com.example.exporter" and resp.hpke is None
    alpha05 = ExportRequest.parse(
        _load("android-providerevents-import-request.alpha05.example.json")
    )
    assert alpha05.known_extensions == ("shared",)
    assert credential_type_filter(alpha05).allows("wifi")


def test_unknown_members_kept() -> None:
    raw = json.loads(_load("cxp-wd-20241003-export-request.example.json"))
    raw["futureMember"] = {"a": 1}
    raw["hpke"][0]["hint"] = "x"
    req = ExportRequest.from_json(raw)
    assert req.extra == {"futureMember": {"a": 1}}
    assert req.hpke[0].extra == {"hint": "x"}
    assert req.wire() is raw


@pytest.mark.parametrize(
    "text",
    [
        b'{"version":0,"version":1}',
        b'{"hpke":[{"mode":"base","kem":32.0,"kdf":1,"aead":2}]}',
        b'{"hpke":[{"mode":"base","kem":70000,"kdf":1,"aead":2}]}',
        b'{"hpke":[{"mode":"base","kem":true,"kdf":1,"aead":2}]}',
        b'{"version":NaN}',
        b'{"version":-1}',
        b"\xff",
        b"[1,",
    ],
)
def test_invalid_json_is_invalid_json(text: bytes) -> None:
    with pytest.raises(NegotiationError) as info:
        ExportRequest.parse(text)
    assert info.value.code is ErrorCode.INVALID_JSON


def test_size_cap() -> None:
    with pytest.raises(InputTooLargeError):
        parse_json(b"{}" + b" " * 100, max_size=50)
    with pytest.raises(DecodeError):
        ExportResponse.parse(b'{"version":0}')


def test_version_object_and_check() -> None:
    req = ExportRequest.from_json({"version": {"major": 1, "minor": 0}, "hpke": []})
    with pytest.raises(NegotiationError) as info:
        check_version(req)
    assert info.value.code is ErrorCode.UNSUPPORTED_VERSION
    assert info.value.to_error_response().to_json() == {
        "version": 0,
        "error": "unsupported-version",
    }


def _req(*entries: dict[str, object], **kw: object) -> ExportRequest:
    return ExportRequest.from_json({"version": 0, "hpke": list(entries), **kw})


X = {"kty": "OKP", "crv": "X25519", "x": "OUjP4K0d22ldeA5ZB3GV2mxWUGsCcyl5SrAryoCBXE0"}


def test_select_hpke_first_usable_and_codes() -> None:
    unknown = {"mode": "base", "kem": 48, "kdf": 1, "aead": 2, "key": X}
    good = {"mode": "base", "kem": 32, "kdf": 1, "aead": 2, "key": X}
    i, entry, _ = select_hpke(_req(unknown, good), SUPPORTED)
    assert i == 1 and entry.kem == 32
    with pytest.raises(NegotiationError) as info:
        select_hpke(_req(unknown), SUPPORTED)
    assert info.value.code is ErrorCode.INCOMPATIBLE_HPKE_PARAMETERS
    with pytest.raises(NegotiationError) as info:
        select_hpke(_req({**good, "key": None}), SUPPORTED)
    assert info.value.code is ErrorCode.MISSING_IMPORTER_KEY
    with pytest.raises(NegotiationError) as info:
        select_hpke(_req({**good, "key": {**X, "x": X["x"] + "="}}), SUPPORTED)
    assert info.value.code is ErrorCode.INCORRECT_IMPORTER_KEY_ENCODING
    with pytest.raises(NegotiationError):
        select_hpke(_req({**good, "mode": "psk"}), SUPPORTED)  # psk not accepted in base mode
    assert select_hpke(_req({**good, "mode": "psk"}), SUPPORTED, modes=("psk",))[0] == 0


def test_mode_list_and_archive_negotiation() -> None:
    req = _req(mode=["indirect", "direct"], archive=["zstd", "deflate"])
    assert req.mode == ("indirect", "direct") and select_archive(req) == "deflate"
    with pytest.raises(NegotiationError):
        select_archive(_req(archive=["zstd"]))


def test_credential_type_filtering() -> None:
    assert credential_type_filter(_req()).types is None
    assert credential_type_filter(_req()).allows("passkey")
    empty = credential_type_filter(_req(credentialTypes=[]))
    assert empty.accounts_only and not empty.allows("basic-auth")
    only_unknown = credential_type_filter(_req(credentialTypes=["holographic-key"]))
    assert only_unknown.types == frozenset() and not only_unknown.accounts_only
    assert not only_unknown.allows("basic-auth") and only_unknown.ignored == ("holographic-key",)
    aliases = credential_type_filter(_req(credentialTypes=[" Public-Key", "driver-license"]))
    assert aliases.types == {"passkey", "drivers-license"}
    assert extension_filter(_req()) is None
    assert extension_filter(_req(knownExtensions=["shared", "x-vendor"])) == {"shared"}
    assert extension_filter(_req(knownExtensions=[])) == frozenset()


def test_error_response() -> None:
    for code in ErrorCode:
        assert ErrorResponse.parse(json.dumps(ErrorResponse(0, code).to_json())).error is code
    assert len(ErrorCode) == 7
    assert ErrorResponse.parse(b'{"version":0,"error":"new-code"}').error == "new-code"
