"""cxkit's own P0 vectors: regenerate byte for byte, and open each one independently."""

from __future__ import annotations

import importlib.util
import json
import zlib
from pathlib import Path
from types import ModuleType

import pytest

from cxkit.crypto import jwe
from cxkit.crypto.hpke import PrivateKey
from cxkit.cxp import p0
from cxkit.cxp.messages import ExportRequest

ROOT = Path(__file__).resolve().parent.parent.parent
VECTORS = Path(__file__).resolve().parent / "vectors"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_p0_vectors", ROOT / "scripts" / "gen_p0_vectors.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerate_byte_for_byte() -> None:
    built = _generator().build()
    assert sorted(built) == sorted(p.name for p in VECTORS.glob("p0-*.json"))
    for name, data in built.items():
        stored = (VECTORS / name).read_bytes()
        if json.loads(stored)["zlib_version"] != zlib.ZLIB_VERSION:
            pytest.skip("zip bytes depend on the zlib build; JWE strings are checked below")
        assert stored == data, name


@pytest.mark.parametrize(
    "name", sorted(p.name for p in VECTORS.glob("p0-*.json") if "sealed" not in p.name)
)
def test_open_stored_response_vectors(name: str) -> None:
    vec = json.loads((VECTORS / name).read_text())
    inputs = vec["inputs"]
    keys = {
        32: PrivateKey.derive(32, bytes.fromhex(inputs["importer_x25519_seed_hex"])),
        16: PrivateKey.derive(16, bytes.fromhex(inputs["importer_p256_seed_hex"])),
    }
    request = ExportRequest.from_json(vec["request"])
    digest = p0.request_digest(request)
    assert digest.hex() == vec["intermediate"]["request_jcs_sha256_hex"]
    psk = bytes.fromhex(inputs["psk_hex"]) if inputs["psk_hex"] else None
    kems = {e.kem for e in request.hpke}
    key = p0.ImporterKey(
        {
            PrivateKey.derive(
                k,
                bytes.fromhex(
                    inputs["importer_x25519_seed_hex" if k == 32 else "importer_p256_seed_hex"]
                ),
            ).kem: keys[k]
            for k in kems
        },
        digest,
        created_at=inputs["now"],
        expires_at=None,
        psk=psk,
    )
    opened = p0.open_response(json.dumps(vec["response"]), request, key, now=inputs["now"])
    assert opened.cxf_json.decode() == inputs["cxf_utf8"]
    assert {k: v.decode() for k, v in opened.attachments.items()} == inputs["attachments"]
    for entry in vec["intermediate"]["entries"]:
        cek = bytes.fromhex(entry["cek_hex"])
        pt = jwe.decrypt_compact(entry["jwe_compact"], cek)
        assert (
            jwe.encrypt_compact(pt, cek, _iv=bytes.fromhex(entry["iv_hex"])).decode()
            == entry["jwe_compact"]
        )


def test_open_stored_sealed_archive() -> None:
    vec = json.loads((VECTORS / "p0-sealed-archive.json").read_text())
    opened = p0.open_archive(json.dumps(vec["sealed"]), vec["passphrase"], now=vec["now"])
    assert opened.exporter == "exporter.example.org" and len(opened.attachments) == 1
