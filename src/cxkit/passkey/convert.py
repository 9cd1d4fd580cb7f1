"""Passkey metadata in foreign formats ⇄ plain values (no key material here).

* Bitwarden JSON ``login.fido2Credentials[]`` (``formats/bitwarden.md`` §1.1): ``credentialId``
  is a UUID string for 16-byte ids or ``b64.<base64url>`` otherwise; ``counter`` is a decimal
  *string*; ``discoverable`` is the *string* ``"true"``/``"false"``.
* KeePassXC ``KPEX_PASSKEY_FLAG_BE`` / ``KPEX_PASSKEY_FLAG_BS`` (``formats/keepass.md`` §2):
  ``"1"``/``"0"``, some clients write ``"true"``/``"false"``.
* Credential ids as unpadded base64url (CXF ``credentialId``, KeePassXC
  ``KPEX_PASSKEY_CREDENTIAL_ID``).

Every parser is strict and raises :class:`~cxkit.errors.AdapterError` (a
:class:`~cxkit.errors.CxkitError`) with a message that names the field, never its value when
the value could be sensitive.
"""

from __future__ import annotations

import re
import uuid
from typing import Final

from cxkit.errors import AdapterError

from .keys import _b64url_decode, b64url_encode

__all__ = [
    "MAX_CREDENTIAL_ID_BYTES",
    "MAX_SIGN_COUNT",
    "bitwarden_counter_to_str",
    "bitwarden_credential_id_to_bytes",
    "bitwarden_discoverable_to_str",
    "bytes_to_bitwarden_credential_id",
    "credential_id_from_b64url",
    "credential_id_to_b64url",
    "keepassxc_flag_to_bool",
    "keepassxc_flag_to_str",
    "parse_bitwarden_counter",
    "parse_bitwarden_discoverable",
]

MAX_CREDENTIAL_ID_BYTES: Final = 1023
"""WebAuthn L3 §5.8.3: a credential id is at most 1023 bytes."""
MAX_SIGN_COUNT: Final = 0xFFFFFFFF
"""The signature counter is 32 bits in authenticator data (WebAuthn L3 §6.1)."""

_UUID_RE: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_B64_PREFIX: Final = "b64."
_DIGITS_RE: Final = re.compile(r"0|[1-9][0-9]*")
# Decoded credential ids are at most 1023 bytes; refuse absurdly long text before decoding.
_MAX_ID_TEXT: Final = 4 * ((MAX_CREDENTIAL_ID_BYTES + 2) // 3) + 8


def credential_id_from_b64url(text: str) -> bytes:
    """Unpadded base64url credential id (CXF, KeePassXC) → raw bytes (strict, non-empty)."""
    if not isinstance(text, str):
        raise AdapterError(f"credential id must be a str, not {type(text).__name__}")
    if len(text) > _MAX_ID_TEXT:
        raise AdapterError("credential id is longer than 1023 bytes")
    try:
        raw = _b64url_decode(text, what="credential id")
    except ValueError as exc:
        raise AdapterError(str(exc)) from exc
    if not raw:
        raise AdapterError("credential id is empty")
    return raw


def credential_id_to_b64url(raw: bytes) -> str:
    """Raw credential id → unpadded base64url."""
    if not isinstance(raw, bytes | bytearray) or not raw:
        raise AdapterError("credential id must be non-empty bytes")
    return b64url_encode(bytes(raw))


def bitwarden_credential_id_to_bytes(text: str) -> bytes:
    """Bitwarden ``credentialId`` → raw bytes.

    ``a3e15f8b-27c1-42ae-90cf-a615ad87854f`` (a UUID, any case, hyphenated: the 16 bytes) or
    ``b64.o-FfiyfBQq6Qz6YVrYeFTw`` (base64url of any id). Both forms above are the same id.
    """
    if not isinstance(text, str):
        raise AdapterError(f"Bitwarden credentialId must be a str, not {type(text).__name__}")
    if text.startswith(_B64_PREFIX):
        return credential_id_from_b64url(text[len(_B64_PREFIX) :])
    if _UUID_RE.fullmatch(text):
        return uuid.UUID(text).bytes
    raise AdapterError(
        "Bitwarden credentialId is neither a UUID nor 'b64.' + base64url",
        hint="expected e.g. 'a3e15f8b-27c1-42ae-90cf-a615ad87854f' or 'b64.o-FfiyfBQq6Qz6YVrYeFTw'",
    )


def bytes_to_bitwarden_credential_id(raw: bytes, *, uuid_form: bool = True) -> str:
    """Raw credential id → Bitwarden ``credentialId``: the lower-case UUID form for 16-byte ids
    (when *uuid_form*, as Bitwarden writes ids it generated), else ``b64.`` + base64url."""
    if not isinstance(raw, bytes | bytearray) or not raw:
        raise AdapterError("credential id must be non-empty bytes")
    if len(raw) > MAX_CREDENTIAL_ID_BYTES:
        raise AdapterError("credential id is longer than 1023 bytes")
    if uuid_form and len(raw) == 16:
        return str(uuid.UUID(bytes=bytes(raw)))
    return _B64_PREFIX + b64url_encode(bytes(raw))


def parse_bitwarden_counter(value: str | int) -> int:
    """Bitwarden ``counter`` (a decimal string such as ``"0"``) → int.

    Strict: ASCII digits only, no sign, no spaces, no leading zeros, at most 2³²-1. A JSON
    integer is tolerated (``bool`` is not). CXF export requires 0 (cxf.md §5.2): that rule is
    the caller's.
    """
    if isinstance(value, bool):
        raise AdapterError("Bitwarden counter must be a decimal string, not a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        if not _DIGITS_RE.fullmatch(value) or len(value) > 10:
            raise AdapterError(
                f"Bitwarden counter {value[:20]!r} is not a non-negative decimal integer"
            )
        number = int(value)
    else:
        raise AdapterError(f"Bitwarden counter must be a string, not {type(value).__name__}")
    if not 0 <= number <= MAX_SIGN_COUNT:
        raise AdapterError(f"Bitwarden counter {number} is outside 0..{MAX_SIGN_COUNT}")
    return number


def bitwarden_counter_to_str(value: int) -> str:
    """int → Bitwarden ``counter`` string."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SIGN_COUNT:
        raise AdapterError(f"signature counter must be an int in 0..{MAX_SIGN_COUNT}")
    return str(value)


def parse_bitwarden_discoverable(value: str | bool) -> bool:
    """Bitwarden ``discoverable`` (the string ``"true"`` or ``"false"``) → bool.

    Strict: exactly those two lower-case strings; a JSON boolean is tolerated.
    """
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    shown = repr(value[:20]) if isinstance(value, str) else type(value).__name__
    raise AdapterError(f"Bitwarden discoverable must be 'true' or 'false', got {shown}")


def bitwarden_discoverable_to_str(value: bool) -> str:
    """bool → Bitwarden ``discoverable`` string."""
    if not isinstance(value, bool):
        raise AdapterError("discoverable must be a bool")
    return "true" if value else "false"


_FLAG_VALUES: Final = {"1": True, "0": False, "true": True, "false": False}


def keepassxc_flag_to_bool(value: str | None) -> bool | None:
    """KeePassXC ``KPEX_PASSKEY_FLAG_BE`` / ``KPEX_PASSKEY_FLAG_BS`` → bool.

    ``"1"``/``"0"`` as KeePassXC writes them; ``"true"``/``"false"`` (any case) as some other
    clients do; surrounding whitespace ignored. ``None`` (attribute absent) → ``None``: the
    caller decides the default (KeePassXC ≥ 2.7.12 treats a missing flag as true).
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise AdapterError(f"KeePassXC passkey flag must be a str, not {type(value).__name__}")
    result = _FLAG_VALUES.get(value.strip().lower())
    if result is None:
        raise AdapterError(
            f"KeePassXC passkey flag {value[:20]!r} is not '1', '0', 'true' or 'false'"
        )
    return result


def keepassxc_flag_to_str(value: bool) -> str:
    """bool → ``"1"``/``"0"`` as KeePassXC writes ``KPEX_PASSKEY_FLAG_BE``/``_BS``."""
    if not isinstance(value, bool):
        raise AdapterError("KeePassXC passkey flag must be a bool")
    return "1" if value else "0"
