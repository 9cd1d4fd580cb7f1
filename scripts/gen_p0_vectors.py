"""Regenerate cxkit's own profile-P0 test vectors (tests/cxp/vectors/p0-*.json).

    uv run python scripts/gen_p0_vectors.py          # write the files
    uv run python scripts/gen_p0_vectors.py --check  # compare byte for byte, exit 1 on a diff

Every input is fixed: importer and ephemeral keys come from DeriveKeyPair on fixed seeds, JWE IVs
are SHA-256("cxkit-p0-iv|" + path)[:12], the Argon2id salt is fixed. Zip bytes depend on the zlib
build; the vectors record the zlib version and the test compares JWE strings and plaintexts on
other builds.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zlib
from pathlib import Path
from typing import Any

from cxkit.crypto._b64 import b64u_decode, b64u_encode
from cxkit.crypto.hpke import PrivateKey
from cxkit.crypto.passphrase import MIN_ITERATIONS, MIN_MEMORY_KIB, Argon2Params
from cxkit.crypto.safezip import read_zip
from cxkit.cxp import p0

OUT = Path(__file__).resolve().parent.parent / "tests" / "cxp" / "vectors"
NOW = 1_767_225_600
SEED_X = hashlib.sha256(b"cxkit-p0-vector importer x25519").digest()
SEED_P = hashlib.sha256(b"cxkit-p0-vector importer p256").digest()
SEED_E = hashlib.sha256(b"cxkit-p0-vector ephemeral").digest()
PASSPHRASE = "7GQ4-ZP2K-M0NA-D3XV-9RTB-EW1H-C5"  # noqa: S105 - public test vector
ATTACHMENT = b"cxkit P0 vector attachment\n"
ATTACHMENT_ID = b64u_encode(b"cxkit-att-01")


def fixed_iv(path: str) -> bytes:
    return hashlib.sha256(b"cxkit-p0-iv|" + path.encode()).digest()[:12]


def cxf_header() -> bytes:
    header = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "exporter.example.org",
        "exporterDisplayName": "Vector Exporter",
        "timestamp": NOW,
        "accounts": [
            {
                "id": b64u_encode(b"cxkit-acct-1"),
                "username": "sam",
                "email": "sam@example.org",
                "collections": [],
                "items": [
                    {
                        "id": b64u_encode(b"cxkit-item-1"),
                        "title": "Vector login",
                        "credentials": [
                            {
                                "type": "basic-auth",
                                "username": {"fieldType": "string", "value": "sam"},
                                "password": {"fieldType": "concealed-string", "value": "hunter2"},
                            },
                            {
                                "type": "file",
                                "id": ATTACHMENT_ID,
                                "name": "a.txt",
                                "decryptedSize": len(ATTACHMENT),
                                "integrityHash": b64u_encode(hashlib.sha256(ATTACHMENT).digest()),
                            },
                        ],
                    }
                ],
            }
        ],
    }
    return json.dumps(header, separators=(",", ":")).encode()


def _entries(response: bytes, ctx_keys: dict[str, bytes]) -> list[dict[str, Any]]:
    obj = json.loads(response)
    z = read_zip(b64u_decode(obj["payload"]), canonical=True)
    return [
        {
            "path": n,
            "exporter_context_hex": p0.file_key_context(n).hex(),
            "cek_hex": ctx_keys[n].hex(),
            "iv_hex": fixed_iv(n).hex(),
            "jwe_compact": z.read(n).decode(),
        }
        for n in z.names()
    ]


def response_vector(
    suites: list[tuple[int, int, int]], psk: bytes | None, name: str
) -> dict[str, Any]:
    keys = {32: PrivateKey.derive(32, SEED_X), 16: PrivateKey.derive(16, SEED_P)}
    request, _ = p0.make_request(
        importer="importer.example.org",
        suites=suites,
        mode="indirect",
        credential_types=["basic-auth", "file"],
        psk=psk,
        now=NOW,
        _keys=keys,
    )
    kem = suites[0][0]
    eph = PrivateKey.derive(kem, SEED_E)
    cxf = cxf_header()
    response = p0.seal_response(
        request, cxf, {ATTACHMENT_ID: ATTACHMENT}, psk=psk, _ephemeral=eph, _iv=fixed_iv
    )
    digest = p0.request_digest(request)
    # Recompute the CEKs from the recipient side for the record.
    from cxkit.crypto.hpke import Suite
    from cxkit.crypto.jwk import jwk_to_public_key

    resp_obj = json.loads(response)
    suite = Suite(*suites[0])
    enc = jwk_to_public_key(resp_obj["hpke"]["key"], kem).to_bytes()
    ctx = suite.setup_recipient(
        enc, keys[kem], p0.hpke_info(digest), psk=psk, psk_id=p0.PSK_ID if psk else None
    )
    nk = 16 if suites[0][2] == 1 else 32
    ceks = {}
    for path in (p0.INDEX_PATH, p0.DOCUMENTS_PREFIX + ATTACHMENT_ID + ".jwe"):
        ceks[path] = ctx.export(p0.file_key_context(path), nk)
    return {
        "_what": f"cxkit profile-P0 vector '{name}' (project vector, not FIDO). See docs/profile-p0.md.",
        "zlib_version": zlib.ZLIB_VERSION,
        "inputs": {
            "importer_x25519_seed_hex": SEED_X.hex(),
            "importer_p256_seed_hex": SEED_P.hex(),
            "ephemeral_seed_hex": SEED_E.hex(),
            "psk_hex": psk.hex() if psk else None,
            "psk_id_utf8": p0.PSK_ID.decode() if psk else None,
            "now": NOW,
            "cxf_utf8": cxf.decode(),
            "attachments": {ATTACHMENT_ID: ATTACHMENT.decode()},
        },
        "intermediate": {
            "request_jcs_sha256_hex": digest.hex(),
            "request_fingerprint": p0.request_fingerprint(request),
            "hpke_info_hex": p0.hpke_info(digest).hex(),
            "enc_hex": enc.hex(),
            "entries": _entries(response, ceks),
        },
        "request": request.to_json(),
        "response": resp_obj,
    }


def archive_vector() -> dict[str, Any]:
    params = Argon2Params(MIN_MEMORY_KIB, MIN_ITERATIONS, 1, b"cxkit-p0-salt-16")
    sealed = p0.seal_archive(
        cxf_header(),
        {ATTACHMENT_ID: ATTACHMENT},
        PASSPHRASE,
        params=params,
        _ephemeral=PrivateKey.derive(32, SEED_E),
        _iv=fixed_iv,
    )
    return {
        "_what": "cxkit profile-P0 passphrase-sealed archive (minimum Argon2id parameters).",
        "zlib_version": zlib.ZLIB_VERSION,
        "passphrase": PASSPHRASE,
        "now": NOW,
        "sealed": json.loads(sealed),
    }


def build() -> dict[str, bytes]:
    vectors = {
        "p0-base-x25519-aes256gcm.json": response_vector([(32, 1, 2), (16, 1, 1)], None, "base"),
        "p0-base-p256-aes128gcm.json": response_vector([(16, 1, 1)], None, "p256"),
        "p0-psk-x25519-aes256gcm.json": response_vector([(32, 1, 2)], b"\x42" * 32, "psk"),
        "p0-export-only-x25519.json": response_vector([(32, 1, 0xFFFF)], None, "export-only"),
        "p0-sealed-archive.json": archive_vector(),
    }
    return {
        name: (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode()
        for name, doc in vectors.items()
    }


def main(argv: list[str]) -> int:
    files = build()
    if "--check" in argv:
        diff = [n for n, data in files.items() if (OUT / n).read_bytes() != data]
        for n in diff:
            print(f"differs: {n}")
        return 1 if diff else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (OUT / name).write_bytes(data)
        print(f"wrote {OUT / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
