"""CXP profile P0: response/archive seal and open next to bare AES-256-GCM, and peak memory.

Payloads: (a) one synthetic CXF JSON (~45 MB; 3 MB with --quick); (b) an attachment set of
10 files (100 MB in total; 10 MB with --quick). The "crypto" figures time what P0 adds in
cryptography (HPKE setup, per-file Export, JWE = AES-256-GCM + base64url) and compare it with
bare AES-256-GCM over the same bytes (target ratio <= 1.5); the open side has the same figure
("P0 crypto, open": HPKE setup + Export + JWE decryption incl. base64url, next to bare AES-256-GCM
decryption of the same bytes). The end-to-end figures add zip/DEFLATE and JSON and are reported
without a target. Argon2id (sealed archive) is reported on its own at
the minimum accepted parameters.
"""

from __future__ import annotations

import hashlib
import json
import os
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from _common import Figure, best_time, peak_memory
from cxkit.crypto import jwe
from cxkit.crypto._b64 import b64u_encode
from cxkit.crypto.hpke import PrivateKey, Suite
from cxkit.crypto.passphrase import MIN_ITERATIONS, MIN_MEMORY_KIB, Argon2Params, derive_ikm
from cxkit.cxp import p0

SUITE = "cxp"
NOW = 1_767_225_600


def _cxf(size: int, files: dict[str, bytes]) -> bytes:
    items = []
    i = 0
    creds_files = [
        {
            "type": "file",
            "id": fid,
            "name": f"{fid}.bin",
            "decryptedSize": len(blob),
            "integrityHash": b64u_encode(hashlib.sha256(blob).digest()),
        }
        for fid, blob in files.items()
    ]
    approx = 0
    while approx < size:
        item = {
            "id": b64u_encode(i.to_bytes(8, "big")),
            "title": f"Login {i}",
            "scope": {"urls": [f"https://site{i}.example.com/login"]},
            "credentials": [
                {
                    "type": "basic-auth",
                    "username": {"fieldType": "string", "value": f"user{i}@example.com"},
                    "password": {"fieldType": "concealed-string", "value": os.urandom(12).hex()},
                }
            ],
        }
        items.append(item)
        approx += 260
        i += 1
    if creds_files:
        items.append({"id": "ZmlsZXM", "title": "files", "credentials": creds_files})
    header = {
        "version": {"major": 1, "minor": 0},
        "exporterRpId": "exporter.example.com",
        "exporterDisplayName": "Bench",
        "timestamp": NOW,
        "accounts": [{"id": "YWNjdA", "username": "", "email": "", "items": items}],
    }
    return json.dumps(header, separators=(",", ":")).encode()


def _crypto_only(blobs: list[bytes]) -> None:
    sk = PrivateKey.generate(32)
    suite = Suite(32, 1, 2)
    _, ctx = suite.setup_sender(sk.public_key, b"info")
    for i, blob in enumerate(blobs):
        jwe.encrypt_compact(blob, ctx.export(f"f{i}".encode(), 32))


def _bare_aes(blobs: list[bytes]) -> None:
    key = os.urandom(32)
    for blob in blobs:
        AESGCM(key).encrypt(os.urandom(12), blob, b"")


def _crypto_open(sk: PrivateKey, enc: bytes, tokens: list[bytes]) -> None:
    ctx = Suite(32, 1, 2).setup_recipient(enc, sk, b"info")
    for i, token in enumerate(tokens):
        jwe.decrypt_compact(token, ctx.export(f"f{i}".encode(), 32))


def _bare_aes_open(key: bytes, sealed: list[tuple[bytes, bytes]]) -> None:
    for nonce, ct in sealed:
        AESGCM(key).decrypt(nonce, ct, b"")


def _open_crypto(label: str, blobs: list[bytes], mb: float) -> Figure:
    """The open side: the same tokens decrypted, next to bare AES-256-GCM decryption."""
    sk = PrivateKey.generate(32)
    enc, ctx = Suite(32, 1, 2).setup_sender(sk.public_key, b"info")
    tokens = [jwe.encrypt_compact(b, ctx.export(f"f{i}".encode(), 32)) for i, b in enumerate(blobs)]
    aes_key = os.urandom(32)
    sealed = []
    for blob in blobs:
        nonce = os.urandom(12)
        sealed.append((nonce, AESGCM(aes_key).encrypt(nonce, blob, b"")))
    floor = best_time(lambda: _bare_aes_open(aes_key, sealed))
    value = best_time(lambda: _crypto_open(sk, enc, tokens))
    return Figure(
        SUITE,
        f"{label}: P0 crypto, open (HPKE+Export+JWE)",
        value,
        "s",
        floor,
        "AES-256-GCM decrypt",
        1.5,
        {"MB": round(mb, 1)},
    )


def _case(label: str, cxf: bytes, files: dict[str, bytes]) -> list[Figure]:
    size = len(cxf) + sum(len(b) for b in files.values())
    blobs = [cxf, *files.values()]
    mb = size / 1e6
    figures = []
    floor = best_time(lambda: _bare_aes(blobs))
    crypto = best_time(lambda: _crypto_only(blobs))
    figures.append(
        Figure(
            SUITE,
            f"{label}: P0 crypto (HPKE+Export+JWE)",
            crypto,
            "s",
            floor,
            "AES-256-GCM",
            1.5,
            {"MB": round(mb, 1)},
        )
    )
    figures.append(_open_crypto(label, blobs, mb))
    request, _ = p0.make_request(importer="i.example", now=NOW, lifetime=None)
    seal_t = best_time(lambda: p0.seal_response(request, cxf, files), repeat=2)
    figures.append(
        Figure(
            SUITE,
            f"{label}: response seal (end to end)",
            seal_t,
            "s",
            floor,
            "AES-256-GCM",
            None,
            {"MB/s": round(mb / seal_t, 1)},
        )
    )
    response = p0.seal_response(request, cxf, files)

    def open_once() -> object:
        _, key = p0.make_request(
            importer="i.example", now=NOW, lifetime=None, _keys={32: keys[32], 16: keys[16]}
        )
        return p0.open_response(response, request, key, now=NOW, consume=False)

    # re-create the importer key for repeated opens
    request, importer = p0.make_request(importer="i.example", now=NOW, lifetime=None)
    keys = {
        32: importer._keys[next(k for k in importer._keys if k == 32)],
        16: importer._keys[next(k for k in importer._keys if k == 16)],
    }
    response = p0.seal_response(request, cxf, files)
    open_t = best_time(open_once, repeat=2)
    figures.append(
        Figure(
            SUITE,
            f"{label}: response open (end to end)",
            open_t,
            "s",
            floor,
            "AES-256-GCM",
            None,
            {"MB/s": round(mb / open_t, 1)},
        )
    )
    params = Argon2Params(MIN_MEMORY_KIB, MIN_ITERATIONS, 1)
    secret = "bench passphrase"
    t0 = time.perf_counter()
    sealed = p0.seal_archive(cxf, files, secret, params=params)
    arch_seal = time.perf_counter() - t0
    t0 = time.perf_counter()
    p0.open_archive(sealed, secret, now=NOW)
    arch_open = time.perf_counter() - t0
    figures.append(Figure(SUITE, f"{label}: archive seal incl. Argon2id", arch_seal, "s"))
    figures.append(Figure(SUITE, f"{label}: archive open incl. Argon2id", arch_open, "s"))
    del sealed
    seal_peak = peak_memory(lambda: p0.seal_response(request, cxf, files))
    figures.append(
        Figure(
            SUITE,
            f"{label}: peak memory, response seal",
            seal_peak / 1e6,
            "MB",
            size / 1e6,
            "payload size",
            3.0,
        )
    )
    open_peak = peak_memory(open_once)
    figures.append(
        Figure(
            SUITE,
            f"{label}: peak memory, response open",
            open_peak / 1e6,
            "MB",
            size / 1e6,
            "payload size",
            3.0,
        )
    )
    return figures


def run(quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    json_size = (3 if quick else 45) * 1_000_000
    figures += _case("(a) JSON", _cxf(json_size, {}), {})
    per_file = (1 if quick else 10) * 1_000_000
    files = {f"ZmlsZS0{i}": os.urandom(per_file) for i in range(10)}
    figures += _case("(b) attachments", _cxf(10_000, files), files)
    params = Argon2Params(MIN_MEMORY_KIB, MIN_ITERATIONS, 1, b"s" * 16)
    argon = best_time(lambda: derive_ikm("bench passphrase", params), repeat=2)
    figures.append(Figure(SUITE, "Argon2id m=19 MiB t=2 p=1", argon, "s"))
    default = Argon2Params(salt=b"s" * 16)
    figures.append(
        Figure(
            SUITE,
            "Argon2id m=64 MiB t=3 p=1 (default)",
            best_time(lambda: derive_ikm("bench passphrase", default), repeat=1),
            "s",
        )
    )
    return figures
