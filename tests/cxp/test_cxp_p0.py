"""Profile P0: the shared vector, round trips, binding, tampering, zip attacks, secrets."""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxkit.crypto import passphrase
from cxkit.crypto._b64 import b64u_decode, b64u_encode
from cxkit.crypto.hpke import PrivateKey
from cxkit.crypto.passphrase import Argon2Params, WeakKdfParametersError, WrongSecretError
from cxkit.crypto.safezip import read_zip, write_zip
from cxkit.cxp import p0
from cxkit.cxp.messages import ExportRequest
from cxkit.errors import CxkitError, DecryptionError, InputTooLargeError
from shared_evidence import shared_path

NOW = 1_767_225_600
FAST = Argon2Params(passphrase.MIN_MEMORY_KIB, passphrase.MIN_ITERATIONS, 1)
CANARY_PW = "canary-password-Zq81"
CANARY_PASS = "canary passphrase Xy77 with words"


def cxf(attachments: dict[str, bytes], *, rp: str = "exporter.example.com", ts: int = NOW) -> bytes:
    creds: list[dict[str, Any]] = [
        {
            "type": "basic-auth",
            "password": {"fieldType": "concealed-string", "value": CANARY_PW},
        }
    ]
    for fid, blob in attachments.items():
        creds.append(
            {
                "type": "file",
                "id": fid,
                "name": "f.bin",
                "decryptedSize": len(blob),
                "integrityHash": b64u_encode(hashlib.sha256(blob).digest()),
            }
        )
    header = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": rp,
        "exporterDisplayName": "Ex",
        "timestamp": ts,
        "accounts": [
            {
                "id": "YWNj",
                "username": "",
                "email": "",
                "items": [{"id": "aXRlbQ", "title": "t", "credentials": creds}],
            }
        ],
    }
    return json.dumps(header, separators=(",", ":")).encode()


ATT = {"ZmlsZTE": b"attachment one", "ZmlsZTI": b"\x00\x01" * 10}


def _pair(**kw: Any) -> tuple[ExportRequest, p0.ImporterKey]:
    return p0.make_request(importer="importer.example.com", now=NOW, **kw)


# ----------------------------------------------------------------------------- shared vector


def test_shared_p0_vector_decrypts_and_reproduces() -> None:
    base = ("vectors", "cxp")
    vec = json.loads(shared_path(*base, "proposal-profile-p0-vector.json").read_text())
    req_bytes = shared_path(*base, "cxp-wd-20241003-export-request.example.json").read_bytes()
    resp_bytes = shared_path(*base, "cxp-wd-20241003-export-response.example.json").read_bytes()
    request = ExportRequest.parse(req_bytes)
    inter = vec["intermediate"]
    digest = p0.request_digest(request)
    assert digest.hex() == inter["request_sha256_hex"]
    assert p0.hpke_info(digest).hex() == inter["hpke_info_hex"]
    assert len(p0.hpke_info(digest)) == 62
    h = bytes.fromhex
    skx = PrivateKey.derive(32, h(vec["inputs"]["importer_x25519_ikmR_hex"]))
    assert skx.to_bytes().hex() == vec["inputs"]["importer_x25519_skR_hex"]
    skp = PrivateKey.derive(16, h(vec["inputs"]["importer_p256_ikmR_hex"]))
    key = p0.ImporterKey({skx.kem: skx, skp.kem: skp}, digest, created_at=None, expires_at=None)
    opened = p0.open_response(resp_bytes, request, key, check_timestamp=False)
    assert json.loads(opened.cxf_json) == vec["inputs"]["cxf_header"]
    assert opened.attachments == {
        "cDAtYXR0YWNobWVudC0wMQ": vec["inputs"]["attachment_utf8"].encode()
    }
    assert key.destroyed
    # re-encrypt with the recorded ephemeral key and IVs: same JWE strings, same response
    ivs = {e["path"]: h(e["iv_hex"]) for e in inter["entries"]}
    eph = PrivateKey.derive(32, h(vec["inputs"]["exporter_ephemeral_ikmE_hex"]))
    resealed = p0.seal_response(
        request,
        opened.cxf_json,
        opened.attachments,
        _ephemeral=eph,
        _iv=ivs.__getitem__,
        huffman_only=False,
    )
    out = json.loads(resealed)
    assert out["hpke"]["key"]["x"] == b64u_encode(h(inter["enc_hex"]))
    z = read_zip(b64u_decode(out["payload"]), canonical=True)
    for e in inter["entries"]:
        assert z.read(e["path"]).decode() == e["jwe_compact"]
    assert out == json.loads(resp_bytes)  # identical zip bytes with this zlib


# ----------------------------------------------------------------------------- round trips


def test_round_trip_base_and_p256_and_psk() -> None:
    for suites in ([(32, 1, 2)], [(16, 1, 1)], [(16, 1, 2)], [(32, 1, 65535)]):
        request, key = _pair(suites=suites)
        resp = p0.seal_response(request.to_json() and json.dumps(request.to_json()), cxf(ATT), ATT)
        opened = p0.open_response(resp, json.dumps(request.to_json()), key, now=NOW)
        assert opened.attachments == ATT and opened.suite == suites[0]
    psk = b"k" * 32
    request, key = _pair(psk=psk)
    resp = p0.seal_response(request, cxf(ATT), ATT, psk=psk)
    assert p0.open_response(resp, request, key, now=NOW).attachments == ATT
    request, key = _pair(psk=psk)
    bad = p0.seal_response(request, cxf(ATT), ATT, psk=b"q" * 32)
    with pytest.raises(DecryptionError):
        p0.open_response(bad, request, key, now=NOW)


def test_fingerprint_format() -> None:
    request, _ = _pair()
    fp = p0.request_fingerprint(request)
    assert len(fp.split()) == 8 and all(len(g) == 4 for g in fp.split())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payload=st.binary(max_size=300),
    files=st.dictionaries(
        st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True), st.binary(max_size=200), max_size=4
    ),
)
def test_hypothesis_round_trip(payload: bytes, files: dict[str, bytes]) -> None:
    doc = json.loads(cxf(files))
    doc["accounts"][0]["items"][0]["title"] = payload.hex()
    data = json.dumps(doc).encode()
    request, key = _pair()
    opened = p0.open_response(p0.seal_response(request, data, files), request, key, now=NOW)
    assert opened.cxf_json == data and opened.attachments == files


# ----------------------------------------------------------------------------- binding


def test_response_for_another_request_fails() -> None:
    req1, key1 = _pair()
    req2, _ = _pair(_keys={32: key1._keys[next(iter(key1._keys))]})  # same key, other request?
    resp = p0.seal_response(req1, cxf({}), {})
    # A modified request (same keys, other importer name) gives another info -> no decryption.
    altered = json.loads(json.dumps(req1.to_json()))
    altered["importer"] = "evil.example"
    forged_key = p0.ImporterKey(
        dict(key1._keys), p0.request_digest(altered), created_at=NOW, expires_at=None
    )
    with pytest.raises(DecryptionError):
        p0.open_response(resp, json.dumps(altered), forged_key, now=NOW)
    # The right key file with the wrong request is refused before any decryption.
    with pytest.raises(p0.P0Error, match="different request"):
        p0.open_response(resp, req2, key1, now=NOW)


def test_single_use_and_expiry() -> None:
    request, key = _pair()
    resp = p0.seal_response(request, cxf({}), {})
    p0.open_response(resp, request, key, now=NOW)
    with pytest.raises(p0.P0Error, match="single use"):
        p0.open_response(resp, request, key, now=NOW)
    request, key = _pair()
    resp = p0.seal_response(request, cxf({}), {})
    with pytest.raises(p0.P0Error, match="expired"):
        p0.open_response(resp, request, key, now=NOW + 601)


def test_exporter_and_timestamp_checks() -> None:
    request, key = _pair()
    with pytest.raises(p0.P0Error, match="exporterRpId"):
        p0.seal_response(request, cxf({}), {}, exporter="other.example")
    for ts in (NOW - 301, NOW + 301):
        request, key = _pair()
        resp = p0.seal_response(request, cxf({}, ts=ts), {})
        with pytest.raises(p0.P0Error, match="timestamp"):
            p0.open_response(resp, request, key, now=NOW)
    request, key = _pair()
    resp = json.loads(p0.seal_response(request, cxf({}), {}))
    resp["exporter"] = "other.example"
    with pytest.raises(p0.P0Error, match="exporterRpId"):
        p0.open_response(json.dumps(resp), request, key, now=NOW)


def test_downgrade_and_archive_checks() -> None:
    request, key = _pair()
    resp = json.loads(p0.seal_response(request, cxf({}), {}))
    resp["hpke"]["aead"] = 3
    with pytest.raises(p0.P0Error, match="did not offer"):
        p0.open_response(json.dumps(resp), request, key, consume=False, now=NOW)
    resp["hpke"]["aead"] = 2
    resp["archive"] = "zstd"
    with pytest.raises(p0.P0Error, match="archive"):
        p0.open_response(json.dumps(resp), request, key, consume=False, now=NOW)
    resp["version"] = 1
    with pytest.raises(CxkitError, match="version"):
        p0.open_response(json.dumps(resp), request, key, now=NOW)


# ----------------------------------------------------------------------------- archive tampering


def _rebuild(resp: bytes, mutate: Any) -> bytes:
    obj = json.loads(resp)
    z = read_zip(b64u_decode(obj["payload"]), canonical=True)
    members = [(n, z.read(n)) for n in z.names()]
    obj["payload"] = b64u_encode(write_zip(mutate(members)))
    return json.dumps(obj).encode()


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda m: [m[0], (m[2][0], m[1][1]), (m[1][0], m[2][1])], DecryptionError),  # swap docs
        (lambda m: [m[0], (m[1][0].replace("ZmlsZTE", "ZmlsZTM"), m[1][1]), m[2]], p0.P0Error),
        (lambda m: [m[0], m[1]], p0.P0Error),  # missing document
        (lambda m: [*m, ("CXP-Export/documents/ZXh0cmE.jwe", m[1][1])], p0.P0Error),  # extra
        (lambda m: [*m, ("CXP-Export/other.txt", b"x")], p0.P0Error),
        (lambda m: [m[1], m[0], m[2]], p0.P0Error),  # index not first
        (lambda m: [(m[0][0], m[1][1]), m[1], m[2]], DecryptionError),  # doc as index
    ],
)
def test_zip_entry_manipulation(mutate: Any, error: type[Exception]) -> None:
    request, key = _pair()
    resp = p0.seal_response(request, cxf(ATT), ATT)
    with pytest.raises(error):
        p0.open_response(_rebuild(resp, mutate), request, key, now=NOW)


def test_duplicate_entry_and_traversal_id() -> None:
    request, key = _pair()
    resp = p0.seal_response(request, cxf(ATT), ATT)
    obj = json.loads(resp)
    z = b64u_decode(obj["payload"])
    # duplicate: rename the second document to the first one's name (same length)
    dup = z.replace(b"ZmlsZTI.jwe", b"ZmlsZTE.jwe")
    obj["payload"] = b64u_encode(dup)
    with pytest.raises(CxkitError, match="duplicate"):
        p0.open_response(json.dumps(obj), request, key, consume=False, now=NOW)
    with pytest.raises(p0.P0Error, match="base64url"):
        p0.seal_response(request, cxf({"../../etc": b"x"}), {"../../etc": b"x"})
    trav = z.replace(b"ZmlsZTI.jwe", b"../Zmls.jwe")  # same length
    obj["payload"] = b64u_encode(trav)
    with pytest.raises(CxkitError, match=r"'\.\.'"):
        p0.open_response(json.dumps(obj), request, key, now=NOW)


def test_zip_bomb_limits() -> None:
    request, key = _pair()
    big = {"Ymln": b"A" * 300_000}
    resp = p0.seal_response(request, cxf(big), big)
    from cxkit.crypto.safezip import ZipLimits

    with pytest.raises(InputTooLargeError):
        p0.open_response(resp, request, key, limits=ZipLimits(max_entry_size=100_000), now=NOW)
    request, key = _pair()
    resp = p0.seal_response(request, cxf({}), {})
    with pytest.raises(InputTooLargeError):
        p0.open_response(resp, request, key, max_size=100, now=NOW)


def test_attachment_hash_mismatch_detected() -> None:
    request, key = _pair()
    doc = json.loads(cxf(ATT))
    doc["accounts"][0]["items"][0]["credentials"][1]["integrityHash"] = b64u_encode(b"\x00" * 32)
    resp = p0.seal_response(request, json.dumps(doc).encode(), ATT)
    with pytest.raises(p0.AttachmentMismatchError, match="integrityHash"):
        p0.open_response(resp, request, key, now=NOW)


# ----------------------------------------------------------------------------- exhaustive flips


def _deflate_header_positions(doc: bytes) -> set[int]:
    """Offsets in *doc* (JSON holding one base64url payload) whose base64url characters encode
    the first 64 bytes of a zip member's DEFLATE data (the dynamic Huffman header)."""
    start = doc.index(b'"payload":"') + len(b'"payload":"')
    end = doc.index(b'"', start)
    z = read_zip(b64u_decode(doc[start:end].decode()), canonical=True)
    spans = [(e.data_offset, e.data_offset + min(64, e.compressed_size)) for e in z.entries]
    return {
        start + k for k in range(end - start) if any(lo <= (k * 6) // 8 < hi for lo, hi in spans)
    }


def _assert_flips_rejected(data: bytes, open_fn: Any) -> None:
    """Every single-bit flip (XOR 0x01) of every byte must be refused, except the known DEFLATE
    header malleability (unused distance-code lengths), which may only pass with the *same*
    decrypted content. See docs/profile-p0.md §4 "Known gap"."""
    good = open_fn(data)
    header = _deflate_header_positions(data)
    tolerated = 0
    for i in range(len(data)):
        bad = bytearray(data)
        bad[i] ^= 0x01
        try:
            got = open_fn(bytes(bad))
        except CxkitError:
            continue
        assert i in header, f"flip at offset {i} went unnoticed"
        assert (got.cxf_json, got.attachments) == (good.cxf_json, good.attachments)
        tolerated += 1
    assert tolerated <= 4


def test_every_byte_flip_of_a_small_response_is_rejected() -> None:
    request, key = _pair(lifetime=None)
    small = {"YQ": b"z"}
    resp = p0.seal_response(request, cxf(small), small)
    _assert_flips_rejected(
        resp, lambda d: p0.open_response(d, request, key, now=NOW, consume=False)
    )


@pytest.fixture
def fast_argon(monkeypatch: pytest.MonkeyPatch) -> None:
    """Memoise Argon2id (a pure function) so thousands of openings stay fast."""
    cached = functools.lru_cache(maxsize=64)(passphrase._argon2id)
    monkeypatch.setattr(passphrase, "_argon2id", cached)


def test_every_byte_flip_of_a_small_sealed_archive_is_rejected(fast_argon: None) -> None:
    sealed = p0.seal_archive(cxf({}), {}, CANARY_PASS, params=FAST)
    _assert_flips_rejected(sealed, lambda d: p0.open_archive(d, CANARY_PASS, now=NOW))


# ----------------------------------------------------------------------------- sealed archive


def test_archive_round_trip_recovery_code_and_wrong_secret() -> None:
    code = passphrase.generate_recovery_code()
    sealed = p0.seal_archive(cxf(ATT), ATT, code, params=FAST)
    opened = p0.open_archive(sealed, code.lower(), now=NOW)
    assert opened.attachments == ATT
    with pytest.raises(WrongSecretError):
        p0.open_archive(sealed, passphrase.generate_recovery_code(), now=NOW)
    with pytest.raises(WrongSecretError):
        p0.open_archive(sealed, "not the code", now=NOW)


def test_archive_weakened_or_absurd_params_refused() -> None:
    sealed = json.loads(p0.seal_archive(cxf({}), {}, CANARY_PASS, params=FAST))
    for m, t, match in (
        (1024, 2, "minimum"),
        (FAST.memory_kib, 1, "minimum"),
        (1 << 30, 2, "ceiling"),
    ):
        sealed["kdf"].update(m=m, t=t)
        with pytest.raises(WeakKdfParametersError, match=match):
            p0.open_archive(json.dumps(sealed), CANARY_PASS, now=NOW)


def test_importer_key_file_round_trip() -> None:
    request, key = _pair(psk=b"p" * 32)
    plain = p0.serialize_importer_key(key)
    again = p0.parse_importer_key(plain)
    assert again.request_sha256 == key.request_sha256 and again.psk == key.psk
    sealed = p0.serialize_importer_key(key, CANARY_PASS, params=FAST)
    assert b"p" * 32 not in sealed and b64u_encode(b"p" * 32).encode() not in sealed
    back = p0.parse_importer_key(sealed, CANARY_PASS)
    resp = p0.seal_response(request, cxf({}), {}, psk=b"p" * 32)
    assert p0.open_response(resp, request, back, now=NOW).exporter == "exporter.example.com"
    with pytest.raises(WrongSecretError):
        p0.parse_importer_key(sealed, "wrong")


# ----------------------------------------------------------------------------- canaries


def test_secrets_never_in_messages_or_reprs() -> None:
    psk = b"PSKCANARY-" * 4
    request, key = _pair(psk=psk)
    resp = p0.seal_response(request, cxf(ATT), ATT, psk=psk)
    texts = [repr(key), repr(request)]
    opened = p0.open_response(resp, request, key, now=NOW, consume=False)
    texts.append(repr(opened))
    failures: list[BaseException] = []
    for attempt in (
        lambda: p0.open_response(
            resp.replace(b'"payload":"', b'"payload":"AA'), request, key, now=NOW, consume=False
        ),
        lambda: p0.open_response(resp, request, key, now=NOW + 10_000),
        lambda: p0.seal_response(request, cxf(ATT), ATT, psk=b"short"),
        lambda: p0.open_archive(
            p0.seal_archive(cxf(ATT), ATT, CANARY_PASS, params=FAST), CANARY_PASS + "x", now=NOW
        ),
        lambda: p0.open_archive(b'{"profile":"' + CANARY_PASS.encode() + b'"}', CANARY_PASS),
        lambda: passphrase.Argon2Params.from_json({"alg": CANARY_PASS}),
    ):
        with pytest.raises(CxkitError) as info:
            attempt()
        failures.append(info.value)
    for exc in failures:
        chain: BaseException | None = exc
        while chain is not None:
            texts += [str(chain), repr(chain)]
            chain = chain.__cause__ or chain.__context__
    blob = "\n".join(texts)
    for secret in (
        CANARY_PW,
        CANARY_PASS,
        psk.decode(),
        b64u_encode(psk),
        *map(repr, ATT.values()),
    ):
        assert secret not in blob
    for sk in key._keys.values() if not key.destroyed else []:
        assert sk.to_bytes().hex() not in blob


# ----------------------------------------------------------------------------- memory paths


def test_file_credentials_found_however_spelled() -> None:
    """The CXF view skips materialising credentials only when no string can be "file"."""
    escaped = cxf(ATT).replace(b'"type":"file"', b'"type":"\\u0066ile"')
    assert b'"file"' not in escaped
    assert p0._cxf_view(escaped)[2].keys() == ATT.keys()
    assert p0._cxf_view(cxf({}))[2] == {}
    request, _key = _pair()
    with pytest.raises(p0.P0Error, match="no attachment given"):
        p0.seal_response(request, escaped, {})
    for bad in (b'{"accounts":5}', b'{"accounts":[{"items":[{"credentials":[1]}]}]}'):
        with pytest.raises(CxkitError, match="not a JSON CXF Header"):
            p0._cxf_view(bad)


def test_large_response_round_trip_in_pieces() -> None:
    """Several MiB: JWE, zip and payload cross the 1 MiB piece boundaries."""
    big = {"ZmlsZTE": bytes(range(256)) * 9000, "ZmlsZTI": b"x" * 3_000_001}
    request, key = _pair()
    doc = cxf(big)
    resp = p0.seal_response(request, doc, big)
    opened = p0.open_response(resp, request, key, now=NOW)
    assert opened.cxf_json == doc and opened.attachments == big


# --- cxkit never writes an archive it cannot open (the member limits of P0 §3.8 step 7) -----


@pytest.mark.parametrize("shrink", ["entry", "total"])
def test_seal_refuses_what_open_would_refuse(monkeypatch: pytest.MonkeyPatch, shrink: str) -> None:
    """The zip limits an importer applies are checked before sealing: a document whose encrypted
    member would pass them is refused with a P0Error, never written as an unopenable archive."""
    doc = cxf({})
    size = p0.jwe_size(len(doc))
    limits = (
        p0.ZipLimits(max_entry_size=size - 1)
        if shrink == "entry"
        else p0.ZipLimits(max_total_size=size - 1)
    )
    monkeypatch.setattr(p0, "DEFAULT_LIMITS", limits)
    with pytest.raises(p0.P0Error, match="P0 archive") as info:
        p0.seal_archive(doc, {}, CANARY_PASS, params=FAST)
    assert CANARY_PASS not in str(info.value)
    assert info.value.hint


def test_what_seal_writes_at_the_limit_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bound is exact enough: at the computed size the archive is written and opens."""
    doc = cxf({})
    limits = p0.ZipLimits(max_entry_size=p0.jwe_size(len(doc)))
    monkeypatch.setattr(p0, "DEFAULT_LIMITS", limits)
    sealed = p0.seal_archive(doc, {}, CANARY_PASS, params=FAST)
    assert p0.open_archive(sealed, CANARY_PASS, limits=limits).cxf_json == doc
