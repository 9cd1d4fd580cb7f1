"""Ente Auth exports (``../shared/formats/totp-apps.md`` §7).

* **Plain**: text, one ``otpauth://`` URI per line, each with a ``codeDisplay`` parameter
  (URL-encoded JSON: note, tags, pinned, trashed …): read by the ``otpauth-uris`` adapter
  (:mod:`cxkit.adapters.otp.uris`), which this one hands the decrypted export to.
* **Encrypted**: JSON ``{version: 1, kdfParams{memLimit (bytes), opsLimit, salt}, encryptedData,
  encryptionNonce}`` (standard base64): key = libsodium Argon2id(password, salt, opsLimit,
  memLimit, 32) — the limits bounded before any work (at most 1 GiB and 64 passes,
  :func:`cxkit.adapters.otp.entry.check_kdf`) —, then one
  ``crypto_secretstream_xchacha20poly1305`` message (header = ``encryptionNonce``, FINAL tag)
  whose plaintext is the plain export.

Detection takes the encrypted JSON by its three members.
"""

from __future__ import annotations

from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.otp import _unlock
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError, UnsupportedVersionError

__all__ = ["EnteAdapter", "decrypt_export"]

_WHAT: Final = "the Ente Auth export"
_ENCRYPTED_KEYS: Final = frozenset({"kdfParams", "encryptedData", "encryptionNonce"})


def decrypt_export(top: dict[str, Any], password: str, where: str = "") -> bytes:
    """An encrypted Ente export (decoded JSON) → the plain export's bytes."""
    from nacl import bindings as sodium
    from nacl.exceptions import CryptoError

    if top.get("version", 1) != 1:
        raise UnsupportedVersionError("only version 1 of the encrypted Ente export is known",
                                      location=where or None)  # fmt: skip
    params = top.get("kdfParams")
    if not isinstance(params, dict):
        raise DecodeError("kdfParams is not an object", location=where or None)
    mem, ops = params.get("memLimit"), params.get("opsLimit")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (mem, ops)):
        raise DecodeError("kdfParams.memLimit or opsLimit is not a number", location=where or None)
    assert isinstance(mem, int) and isinstance(ops, int)
    salt = _unlock.base64_member(params.get("salt"), "kdfParams.salt", where)
    header = _unlock.base64_member(top.get("encryptionNonce"), "encryptionNonce", where)
    sealed = _unlock.base64_member(top.get("encryptedData"), "encryptedData", where)
    key = _unlock.argon2id_sodium(password, salt, ops, mem, _WHAT, where)
    if len(header) != sodium.crypto_secretstream_xchacha20poly1305_HEADERBYTES:
        raise _unlock.wrong_password(_WHAT, where)
    if len(sealed) < sodium.crypto_secretstream_xchacha20poly1305_ABYTES:
        raise _unlock.wrong_password(_WHAT, where)
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header, key)
        plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(state, sealed, None)
    except (CryptoError, ValueError, RuntimeError):
        raise _unlock.wrong_password(_WHAT, where) from None
    if tag != sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL:
        raise DecodeError("the encrypted export is incomplete (no final message)",
                          location=where or None)  # fmt: skip
    return bytes(plain)


class EnteAdapter:
    info = AdapterInfo(
        key="ente",
        app="Ente Auth",
        format="encrypted export (JSON: Argon2id + XChaCha20-Poly1305)",
        versions="2.x–4.x (the plain export: otpauth-uris)",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"totp", "note", "custom-fields"}),
        how_to_export=(
            "Ente Auth → Settings → Data → Export codes → Ente encrypted export (give its "
            "password) or Plain text."
        ),
        extensions=(".txt", ".json"),
    )
    rp_id = "ente.io"
    app = "Ente Auth"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for the encrypted JSON (``kdfParams``, ``encryptedData``,
        ``encryptionNonce``). The plain export is an ``otpauth://`` list: ``otpauth-uris``."""
        if sample.json_ok and sample.json_keys >= _ENCRYPTED_KEYS:
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        from cxkit.adapters.otp.uris import OtpauthUrisAdapter

        name = sample.name
        top = sample.parsed_json()
        if not isinstance(top, dict) or not top.keys() >= _ENCRYPTED_KEYS:
            raise DecodeError("not an encrypted Ente export (no kdfParams, encryptedData, "
                              "encryptionNonce)", location=name or None)  # fmt: skip
        password = _unlock.ask_password(options, _WHAT, name)
        plain = decrypt_export(top, password, name)
        for key in top:
            report.add_field(f"$.{key}", "", Disposition.MEMBER, "",
                             "the encryption of the export: decrypted")  # fmt: skip
        inner = Sample(name=f"{name}(decrypted)" if name else "(decrypted)", data=plain)
        return OtpauthUrisAdapter().read(inner, options, report)
