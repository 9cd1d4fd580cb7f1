"""CXP profile P0: response/archive seal and open next to bare AES-256-GCM, and peak memory.

Payloads: (a) one synthetic CXF JSON (~45 MB; 3 MB with --quick); (b) an attachment set of
10 files (100 MB in total; 10 MB with --quick). The "crypto" figures time what P0 adds in
cryptography (HPKE setup, per-file Export, JWE = AES-256-GCM + base64url) and compare it with
bare AES-256-GCM over the same bytes (target ratio <= 1.5); the open side has the same figure
("P0 crypto, open": HPKE setup + Export + JWE decryption incl. base64url, next to bare AES-256-GCM
decryption of the same bytes). A second floor shows the work the format cannot avoid: bare
AES-256-GCM *and* base64url (pybase64) of the same bytes, without JWE, HPKE or checks ("... /
AES-GCM + base64url", no target). The end-to-end figures add zip/DEFLATE and JSON and are
reported without a target. Argon2id (sealed archive) is reported next to the same derivation
done by ``cryptography`` directly (the floor: what cxkit adds is the parameter checks and the
secret's normalisation, so the ratio should be ~1.0).

``cpu_ratio`` is the ratio of the median process CPU times, the better guide when the machine is
loaded. (A two-thread JWE path — base64url on a second thread beside AES-GCM — was measured and
removed on 2026-12-07: under normal scheduling it was up to 2.4x slower than one thread, see
docs/performance.md.)

Fair method (``_common.alternate_cpu``): floor and subject alternate after a warm-up run of each,
collector on for both (neither the floors nor cxkit's crypto pause it); each figure is the median,
``spread`` the min-max.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable

import pybase64
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from _common import Figure, alternate_cpu, median, peak_memory, spread
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


def _bare_aes_b64(blobs: list[bytes]) -> None:
    """The work the format cannot avoid: AES-256-GCM, then base64url of the result."""
    key = os.urandom(32)
    for blob in blobs:
        pybase64.urlsafe_b64encode(AESGCM(key).encrypt(os.urandom(12), blob, b""))


def _crypto_open(sk: PrivateKey, enc: bytes, tokens: list[bytes]) -> None:
    ctx = Suite(32, 1, 2).setup_recipient(enc, sk, b"info")
    for i, token in enumerate(tokens):
        jwe.decrypt_compact(token, ctx.export(f"f{i}".encode(), 32))


def _bare_aes_open(key: bytes, sealed: list[tuple[bytes, bytes]]) -> None:
    for nonce, ct in sealed:
        AESGCM(key).decrypt(nonce, ct, b"")


def _bare_b64_aes_open(key: bytes, sealed: list[tuple[bytes, bytes]]) -> None:
    for nonce, text in sealed:
        AESGCM(key).decrypt(nonce, pybase64.b64decode(text, altchars=b"-_", validate=True), b"")


def _alternate(
    floor: Callable[[], object], subject: Callable[[], object], repeat: int
) -> tuple[list[float], list[float], list[float], list[float]]:
    """``_common.alternate_cpu`` with the collector on: wall and process CPU of every run."""
    return alternate_cpu(floor, subject, repeat, collector="on")


def _pair(
    name: str,
    floor_name: str,
    runs: tuple[list[float], list[float], list[float], list[float]],
    mb: float | None,
    target: float | None,
) -> Figure:
    """A timed figure from alternating *runs*; with *mb*, the payload size and throughput."""
    floors, subjects, floor_cpu, subject_cpu = runs
    extra: dict[str, object] = {
        "spread": spread(subjects),
        "floor_spread": spread(floors),
        "cpu_ratio": round(median(subject_cpu) / median(floor_cpu), 2),
    }
    if mb is not None:
        extra |= {"MB": round(mb, 1), "MB/s": round(mb / median(subjects), 1)}
    return Figure(SUITE, name, median(subjects), "s", median(floors), floor_name, target, extra)


def _crypto(label: str, blobs: list[bytes], mb: float, repeat: int) -> list[Figure]:
    """Seal and open, each next to bare AES-GCM (the target) and AES-GCM + base64url."""
    seal = lambda: _crypto_only(blobs)  # noqa: E731
    bare = lambda: _bare_aes(blobs)  # noqa: E731
    figures = [
        _pair(
            f"{label}: P0 crypto (HPKE+Export+JWE)",
            "AES-256-GCM",
            _alternate(bare, seal, repeat),
            mb,
            1.5,
        ),
        _pair(
            f"{label}: P0 crypto / AES-GCM + base64url",
            "AES-256-GCM + base64url",
            _alternate(lambda: _bare_aes_b64(blobs), seal, repeat),
            mb,
            None,
        ),
    ]
    sk = PrivateKey.generate(32)
    enc, ctx = Suite(32, 1, 2).setup_sender(sk.public_key, b"info")
    tokens = [jwe.encrypt_compact(b, ctx.export(f"f{i}".encode(), 32)) for i, b in enumerate(blobs)]
    aes_key = os.urandom(32)
    sealed = []
    for blob in blobs:
        nonce = os.urandom(12)
        sealed.append((nonce, AESGCM(aes_key).encrypt(nonce, blob, b"")))
    texts = [(nonce, pybase64.urlsafe_b64encode(ct)) for nonce, ct in sealed]
    opened = lambda: _crypto_open(sk, enc, tokens)  # noqa: E731
    bare_open = lambda: _bare_aes_open(aes_key, sealed)  # noqa: E731
    figures.append(
        _pair(
            f"{label}: P0 crypto, open (HPKE+Export+JWE)",
            "AES-256-GCM decrypt",
            _alternate(bare_open, opened, repeat),
            mb,
            1.5,
        )
    )
    figures.append(
        _pair(
            f"{label}: P0 crypto, open / base64url + AES-GCM",
            "base64url decode + AES-256-GCM decrypt",
            _alternate(lambda: _bare_b64_aes_open(aes_key, texts), opened, repeat),
            mb,
            None,
        )
    )
    return figures


def _case(label: str, cxf: bytes, files: dict[str, bytes], quick: bool) -> list[Figure]:
    size = len(cxf) + sum(len(b) for b in files.values())
    blobs = [cxf, *files.values()]
    mb = size / 1e6
    figures = _crypto(label, blobs, mb, 9 if quick else 7)
    request, importer = p0.make_request(importer="i.example", now=NOW, lifetime=None)
    keys = {32: importer._keys[32], 16: importer._keys[16]}

    def open_once() -> object:
        _, key = p0.make_request(
            importer="i.example", now=NOW, lifetime=None, _keys={32: keys[32], 16: keys[16]}
        )
        return p0.open_response(response, request, key, now=NOW, consume=False)

    response = p0.seal_response(request, cxf, files)
    e2e = 5 if quick else 3
    bare = lambda: _bare_aes(blobs)  # noqa: E731
    figures.append(
        _pair(
            f"{label}: response seal (end to end)",
            "AES-256-GCM",
            _alternate(bare, lambda: p0.seal_response(request, cxf, files), e2e),
            mb,
            None,
        )
    )
    figures.append(
        _pair(
            f"{label}: response open (end to end)",
            "AES-256-GCM",
            _alternate(bare, open_once, e2e),
            mb,
            None,
        )
    )
    params = Argon2Params(MIN_MEMORY_KIB, MIN_ITERATIONS, 1)
    secret = "bench passphrase"
    archive = p0.seal_archive(cxf, files, secret, params=params)
    figures.append(
        _pair(
            f"{label}: archive seal incl. Argon2id",
            "AES-256-GCM",
            _alternate(bare, lambda: p0.seal_archive(cxf, files, secret, params=params), e2e),
            mb,
            None,
        )
    )
    figures.append(
        _pair(
            f"{label}: archive open incl. Argon2id",
            "AES-256-GCM",
            _alternate(bare, lambda: p0.open_archive(archive, secret, now=NOW), e2e),
            mb,
            None,
        )
    )
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
    figures += _case("(a) JSON", _cxf(json_size, {}), {}, quick)
    per_file = (1 if quick else 10) * 1_000_000
    files = {f"ZmlsZS0{i}": os.urandom(per_file) for i in range(10)}
    figures += _case("(b) attachments", _cxf(10_000, files), files, quick)
    for name, params, repeat in (
        ("Argon2id m=19 MiB t=2 p=1", Argon2Params(MIN_MEMORY_KIB, MIN_ITERATIONS, 1), 5),
        ("Argon2id m=64 MiB t=3 p=1 (default)", Argon2Params(), 3),
    ):
        figures.append(_argon2(name, params.with_fresh_salt(), repeat))
    return figures


def _argon2(name: str, params: Argon2Params, repeat: int) -> Figure:
    """cxkit's derivation next to ``cryptography``'s Argon2id with the same parameters."""
    secret = "bench passphrase"

    def bare() -> bytes:
        return Argon2id(
            salt=params.salt,
            length=32,
            iterations=params.iterations,
            lanes=params.lanes,
            memory_cost=params.memory_kib,
        ).derive(secret.encode())

    runs = _alternate(bare, lambda: derive_ikm(secret, params), repeat)
    return _pair(name, "cryptography Argon2id", runs, None, None)
