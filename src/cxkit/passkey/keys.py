"""Passkey private keys: loading, public-key derivation, COSE encoding, format conversions.

.. warning:: **HAZMAT.** This is the fenced module of cxkit that touches passkey *private* keys
   (``cryptography`` private-key objects, raw ``d`` values). Everything else in cxkit handles a
   passkey's ``key`` as opaque bytes and comes here for anything cryptographic. Rules inside the
   fence: no private key, seed or secret byte ever goes into an exception message, a log line or
   a ``repr``; every failure is a :class:`~cxkit.errors.InvalidKeyError` or
   :class:`~cxkit.errors.UnsupportedAlgorithmError` with the original exception as
   ``__cause__``.

Spec: CXF 1.0 §3.3.12 (``docs/…/cxf.md`` §5.1-§5.2): a passkey's ``key`` is the credential
private key as a **PKCS#8 DER** byte string; there is no algorithm member, the algorithm is the
PKCS#8 ``AlgorithmIdentifier``. COSE (RFC 9052/9053, RFC 8230) is how a relying party stores the
public key (WebAuthn L3 §6.5.1 ``credentialPublicKey``).

Supported algorithms (:class:`Algorithm`): ES256 (P-256), ES384 (P-384), ES512 (P-521),
EdDSA (Ed25519) and RS256 (RSA, 2048 to 8192 bits). Anything else is refused with
:class:`~cxkit.errors.UnsupportedAlgorithmError` naming what was found.

Conversions (pure functions, no validation of the key beyond their own format):

* PKCS#8 DER ⇄ PKCS#8 PEM (KeePassXC ``KPEX_PASSKEY_PRIVATE_KEY_PEM``,
  ``-----BEGIN PRIVATE KEY-----``): :func:`der_to_pem`, :func:`pem_to_der`;
* PKCS#8 DER ⇄ unpadded base64url (CXF ``key``, Bitwarden ``keyValue``):
  :func:`der_to_b64url`, :func:`b64url_to_der`;
* COSE_Key with private parameters (EC2/OKP with ``d``, as inside Proton Pass passkeys) ⇄
  PKCS#8 DER: :func:`cose_private_key_to_der`, :func:`der_to_cose_private_key`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Final, TypeAlias, cast

from cryptography.exceptions import UnsupportedAlgorithm as _CryptoUnsupported
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from fido2 import cbor

from cxkit.cxf import b64 as _cxf_b64
from cxkit.errors import InvalidKeyError, UnsupportedAlgorithmError

__all__ = [
    "MAX_RSA_BITS",
    "MIN_RSA_BITS",
    "Algorithm",
    "PasskeyKey",
    "b64url_to_der",
    "cose_private_key_to_der",
    "der_to_b64url",
    "der_to_cose_private_key",
    "der_to_pem",
    "load_private_key",
    "pem_to_der",
    "public_key_fingerprint",
]

MIN_RSA_BITS: Final = 2048
"""Smallest RSA modulus accepted for RS256 passkeys."""
MAX_RSA_BITS: Final = 8192
"""Largest RSA modulus accepted (bigger keys are refused before any expensive work)."""

PrivateKey: TypeAlias = ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey
PublicKey: TypeAlias = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey


class Algorithm(IntEnum):
    """The passkey signature algorithms cxkit handles; values are COSE algorithm identifiers."""

    ES256 = -7
    """ECDSA on P-256 (secp256r1) with SHA-256 — the common case."""
    EDDSA = -8
    """EdDSA on Ed25519."""
    ES384 = -35
    """ECDSA on P-384 (secp384r1) with SHA-384."""
    ES512 = -36
    """ECDSA on P-521 (secp521r1) with SHA-512."""
    RS256 = -257
    """RSASSA-PKCS1-v1_5 with SHA-256, RSA 2048-8192 bits."""

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``"ES256 (P-256)"``."""
        return _LABELS[self]


_LABELS: Final = {
    Algorithm.ES256: "ES256 (P-256)",
    Algorithm.EDDSA: "EdDSA (Ed25519)",
    Algorithm.ES384: "ES384 (P-384)",
    Algorithm.ES512: "ES512 (P-521)",
    Algorithm.RS256: "RS256 (RSA)",
}

# EC algorithms: cryptography curve name, COSE crv, coordinate size, signature hash.
_EC: Final[dict[Algorithm, tuple[str, int, int, hashes.HashAlgorithm]]] = {
    Algorithm.ES256: ("secp256r1", 1, 32, hashes.SHA256()),
    Algorithm.ES384: ("secp384r1", 2, 48, hashes.SHA384()),
    Algorithm.ES512: ("secp521r1", 3, 66, hashes.SHA512()),
}
_EC_CURVES: Final[dict[int, tuple[Algorithm, ec.EllipticCurve]]] = {
    1: (Algorithm.ES256, ec.SECP256R1()),
    2: (Algorithm.ES384, ec.SECP384R1()),
    3: (Algorithm.ES512, ec.SECP521R1()),
}
_ECDSA: Final = {alg: ec.ECDSA(spec[3]) for alg, spec in _EC.items()}
_PKCS1V15: Final = padding.PKCS1v15()
_SHA256: Final = hashes.SHA256()

# ---------------------------------------------------------------------------------------------
# PKCS#8 inspection (a minimal DER reader: enough to tell PKCS#8 from SEC1 / PKCS#1 / garbage
# and to read the AlgorithmIdentifier before cryptography parses the whole thing).

# DER of the AlgorithmIdentifier of each supported algorithm (the fast path).
_ALGIDS: Final[dict[bytes, Algorithm]] = {
    # id-ecPublicKey + prime256v1 / secp384r1 / secp521r1
    bytes.fromhex("301306072a8648ce3d020106082a8648ce3d030107"): Algorithm.ES256,
    bytes.fromhex("301006072a8648ce3d020106052b81040022"): Algorithm.ES384,
    bytes.fromhex("301006072a8648ce3d020106052b81040023"): Algorithm.ES512,
    # id-Ed25519 (RFC 8410, no parameters)
    bytes.fromhex("300506032b6570"): Algorithm.EDDSA,
    # rsaEncryption with NULL parameters (RFC 3279) and, tolerated, without
    bytes.fromhex("300d06092a864886f70d0101010500"): Algorithm.RS256,
    bytes.fromhex("300b06092a864886f70d010101"): Algorithm.RS256,
}

_OID_NAMES: Final = {
    "1.2.840.10045.2.1": "EC (id-ecPublicKey)",
    "1.3.101.110": "X25519",
    "1.3.101.111": "X448",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
    "1.2.840.113549.1.1.1": "RSA",
    "1.2.840.113549.1.1.10": "RSASSA-PSS",
    "1.2.840.10040.4.1": "DSA",
    "1.2.840.10046.2.1": "Diffie-Hellman (X9.42)",
    "1.2.840.113549.1.3.1": "Diffie-Hellman (PKCS#3)",
    "1.2.156.10197.1.301": "SM2",
    "2.16.840.1.101.3.4.3.17": "ML-DSA-44",
    "2.16.840.1.101.3.4.3.18": "ML-DSA-65",
    "2.16.840.1.101.3.4.3.19": "ML-DSA-87",
}
_CURVE_NAMES: Final = {
    "1.2.840.10045.3.1.7": "P-256",
    "1.3.132.0.34": "P-384",
    "1.3.132.0.35": "P-521",
    "1.3.132.0.10": "secp256k1",
    "1.2.840.10045.3.1.1": "P-192",
    "1.3.132.0.33": "P-224",
    "1.3.36.3.3.2.8.1.1.7": "brainpoolP256r1",
    "1.3.36.3.3.2.8.1.1.11": "brainpoolP384r1",
    "1.3.36.3.3.2.8.1.1.13": "brainpoolP512r1",
    "1.2.156.10197.1.301": "SM2",
}

# ---------------------------------------------------------------------------------------------
# base64 (the CXF layer's strict codec; cxkit.cxf.b64)

b64url_encode = _cxf_b64.encode
"""Unpadded base64url (RFC 4648 §5)."""


def _b64url_decode(text: object, *, what: str) -> bytes:
    """Decode base64url strictly with :mod:`cxkit.cxf.b64`; :class:`ValueError` names *what*.

    Characters outside ``[A-Za-z0-9_-]`` (the standard alphabet's ``+`` ``/`` included),
    impossible lengths and non-zero trailing bits are rejected; correct ``=`` padding is the one
    tolerance. :class:`TypeError` for a non-``str``. Messages never contain the value.
    """
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, not {type(text).__name__}")
    try:
        if _cxf_b64.is_canonical(text):
            return _cxf_b64.decode(text)
        raw, tolerances = _cxf_b64.decode_lenient(text)
    except _cxf_b64.Base64Error as exc:
        raise ValueError(f"{what}: {exc}") from None
    if "standard-alphabet" in tolerances:
        raise ValueError(f"{what} contains characters outside the base64url alphabet")
    if "trailing-bits" in tolerances:
        raise ValueError(f"{what} is not canonical base64url (non-zero trailing bits)")
    return raw


_STD_RE: Final = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _b64_std_decode(text: str, *, what: str) -> bytes:
    """Decode padded standard base64 (RFC 4648 §4, as inside PEM) strictly: whitespace must be
    removed by the caller; canonical trailing bits."""
    if not _STD_RE.fullmatch(text) or len(text) % 4:
        raise ValueError(f"{what} is not valid base64")
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError(f"{what} is not canonical base64 (non-zero trailing bits)")
    return raw


_SUPPORTED_TEXT: Final = (
    "supported: ES256 (P-256), ES384 (P-384), ES512 (P-521), EdDSA (Ed25519), RS256"
)
_NOT_PKCS8: Final = "passkey key is not a PKCS#8 DER private key"


@dataclass(frozen=True)
class _Rejection:
    """Why key bytes were refused: the finding code, a safe message, and the error class."""

    code: str
    message: str
    unsupported: bool
    hint: str | None = None
    cause: BaseException | None = field(default=None, repr=False)

    def error(self) -> InvalidKeyError | UnsupportedAlgorithmError:
        if self.unsupported:
            return UnsupportedAlgorithmError(self.message, hint=self.hint)
        return InvalidKeyError(self.message, hint=self.hint)


class _MalformedError(Exception):
    """Internal: DER structure problem (message is safe: names the structure, no data)."""


def _tlv(buf: bytes, pos: int, end: int) -> tuple[int, int, int]:
    """Read one DER TLV at *pos*: returns (tag, content start, content end)."""
    if pos + 2 > end:
        raise _MalformedError("truncated")
    tag = buf[pos]
    first = buf[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:
            raise _MalformedError("bad length")
        length = int.from_bytes(buf[pos : pos + count], "big")
        pos += count
    if pos + length > end:
        raise _MalformedError("truncated")
    return tag, pos, pos + length


def _oid_text(content: bytes) -> str:
    if not content:
        raise _MalformedError("empty OID")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    if content[-1] & 0x80:
        raise _MalformedError("truncated OID")
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))


def _describe_algid(algid: bytes) -> str:
    """Name an AlgorithmIdentifier for an error message (OIDs are public, not secret)."""
    _tag, start, end = _tlv(algid, 0, len(algid))
    otag, ostart, oend = _tlv(algid, start, end)
    if otag != 0x06:
        raise _MalformedError("AlgorithmIdentifier without OID")
    oid = _oid_text(algid[ostart:oend])
    name = _OID_NAMES.get(oid, f"unknown algorithm OID {oid}")
    if oid == "1.2.840.10045.2.1":
        if oend >= end:
            return "EC key without curve parameters"
        ptag, pstart, pend = _tlv(algid, oend, end)
        if ptag != 0x06:
            return "EC key with explicit (unnamed) curve parameters"
        curve = _oid_text(algid[pstart:pend])
        return f"EC key on curve {_CURVE_NAMES.get(curve, f'OID {curve}')}"
    return name


def _rsa_modulus_bits(buf: bytes, start: int, end: int) -> int:
    """Bit length of n inside a PKCS#1 RSAPrivateKey (for the size check before loading)."""
    tag, pos, seq_end = _tlv(buf, start, end)
    if tag != 0x30:
        raise _MalformedError("RSAPrivateKey is not a SEQUENCE")
    tag, pos, vend = _tlv(buf, pos, seq_end)
    if tag != 0x02:
        raise _MalformedError("no version")
    tag, nstart, nend = _tlv(buf, vend, seq_end)
    if tag != 0x02:
        raise _MalformedError("no modulus")
    return int.from_bytes(buf[nstart:nend], "big").bit_length()


_KINDS: dict[type, str] = {}


def _key_kind(key: object) -> str:
    """``"ec"``, ``"ed25519"``, ``"rsa"`` or ``"other"`` for a ``cryptography`` private key;
    memoised per concrete type (``isinstance`` against the ABCs costs ~1 µs each, issue #20)."""
    cls = type(key)
    kind = _KINDS.get(cls)
    if kind is None:
        if isinstance(key, ec.EllipticCurvePrivateKey):
            kind = "ec"
        elif isinstance(key, ed25519.Ed25519PrivateKey):
            kind = "ed25519"
        elif isinstance(key, rsa.RSAPrivateKey):
            kind = "rsa"
        else:
            kind = "other"
        _KINDS[cls] = kind
    return kind


# The PKCS#8 layout of a P-256 / P-384 key as OpenSSL, BoringSSL and WebCrypto write it (issue
# #20): version 0, the AlgorithmIdentifier, a SEC1 ECPrivateKey (RFC 5915: version 1, d of the
# curve's size, no parameters, the public key [1] as an uncompressed point). Every length in it is
# fixed, so the bytes before d and between d and the point identify it without a DER walk, and
# the point gives the COSE x/y without deriving the public key again. This is safe because
# cryptography refuses a key whose embedded point is not d·G (test_passkey_keys.py checks that).
# total length → (algorithm, bytes before d, offset of the bytes after d, those bytes, size)
_EC_LAYOUTS: Final[dict[int, tuple[Algorithm, bytes, int, bytes, int]]] = {
    138: (
        Algorithm.ES256,
        bytes.fromhex("308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420"),
        36 + 32,
        bytes.fromhex("a14403420004"),
        32,
    ),
    185: (
        Algorithm.ES384,
        bytes.fromhex("3081b6020100301006072a8648ce3d020106052b8104002204819e30819b0201010430"),
        35 + 48,
        bytes.fromhex("a16403620004"),
        48,
    ),
}


def _ec_layout(buf: bytes) -> tuple[Algorithm, dict[int, int | bytes], bytes, bytes] | None:
    """(algorithm, COSE params, COSE bytes, the private value d) from the embedded point when
    *buf* has a fixed EC layout, else None."""
    layout = _EC_LAYOUTS.get(len(buf))
    if layout is None:
        return None
    algorithm, head, mark_at, mark, size = layout
    point_at = mark_at + len(mark)
    if not buf.startswith(head) or buf[mark_at:point_at] != mark:
        return None
    x_end = point_at + size
    x, y = buf[point_at:x_end], buf[x_end:]
    cose_head, cose_middle, _ = _EC2_TEMPLATES[algorithm]
    params: dict[int, int | bytes] = {1: 2, 3: int(algorithm), -1: _EC[algorithm][1], -2: x, -3: y}
    return algorithm, params, b"".join((cose_head, x, cose_middle, y)), buf[len(head) : mark_at]


# The group order n of each fixed-layout curve: d must be in 1..n-1 (what OpenSSL's PKCS#8
# decoder enforces; EllipticCurvePrivateNumbers alone accepts d >= n whose d mod n matches).
_EC_ORDERS: Final = {
    Algorithm.ES256: int("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16),
    Algorithm.ES384: int(
        "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf"
        "581a0db248b0a77aecec196accc52973",
        16,
    ),
}
_EC_CURVE_OF: Final = dict(_EC_CURVES.values())


def _load_fixed(
    buf: bytes, algorithm: Algorithm, params: dict[int, int | bytes], cose: bytes, d: bytes
) -> PasskeyKey | _Rejection:
    """Load a fixed-layout EC key from its numbers (d and the embedded point, which also give
    the COSE key): ``cryptography`` refuses a point that is not on the curve or not d·G, as
    when it loads the DER, and d out of 1..n-1 is refused here; this skips OpenSSL's generic
    PKCS#8 decoder (~10 % of the load, issue #20)."""
    secret = int.from_bytes(d, "big")
    x, y = params[-2], params[-3]
    try:
        if not 0 < secret < _EC_ORDERS[algorithm]:
            raise ValueError("EC private value out of range")
        public = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"),  # type: ignore[arg-type]
            int.from_bytes(y, "big"),  # type: ignore[arg-type]
            _EC_CURVE_OF[algorithm],
        )
        key = ec.EllipticCurvePrivateNumbers(secret, public).private_key()
    except (ValueError, TypeError, _CryptoUnsupported) as exc:
        return _malformed(algorithm, buf, exc)
    loaded = PasskeyKey(algorithm, key)
    loaded.__dict__.update(_cose_params=params, _cose_bytes=cose)
    return loaded


def _inspect(der: object) -> PasskeyKey | _Rejection:
    """Identify and load PKCS#8 key bytes; never raises (problems come back as _Rejection)."""
    if type(der) is bytes:
        buf = der
    elif isinstance(der, bytes | bytearray | memoryview):
        buf = bytes(der)
    else:
        return _Rejection(
            "passkey.key-not-pkcs8",
            f"{_NOT_PKCS8}: expected bytes, got {type(der).__name__}",
            unsupported=False,
        )
    total = len(buf)
    fast = _ec_layout(buf)
    if fast is not None:
        return _load_fixed(buf, *fast)
    try:
        tag, pos, end = _tlv(buf, 0, total)
        if tag != 0x30 or end != total:
            raise _MalformedError("not a single DER SEQUENCE")
        tag, vstart, vend = _tlv(buf, pos, end)
        if tag != 0x02 or buf[vstart:vend] not in (b"\x00", b"\x01"):
            raise _MalformedError("no PKCS#8 version 0/1")
        tag, _astart, aend = _tlv(buf, vend, end)
        if tag != 0x30:
            raise _MalformedError("no AlgorithmIdentifier (SEC1 or PKCS#1 key?)")
        ktag, kstart, kend = _tlv(buf, aend, end)
        if ktag != 0x04:
            raise _MalformedError("no privateKey OCTET STRING")
        algid = buf[vend:aend]
        algorithm = _ALGIDS.get(algid)
        if algorithm is None:
            return _Rejection(
                "passkey.unsupported-algorithm",
                f"unsupported passkey key algorithm: {_describe_algid(algid)}; {_SUPPORTED_TEXT}",
                unsupported=True,
            )
        if algorithm is Algorithm.RS256:
            bits = _rsa_modulus_bits(buf, kstart, kend)
            if bits < MIN_RSA_BITS:
                return _Rejection(
                    "passkey.rsa-key-too-small",
                    f"RSA passkey key is too small: {bits} bits (RS256 needs at least "
                    f"{MIN_RSA_BITS})",
                    unsupported=True,
                )
            if bits > MAX_RSA_BITS:
                return _Rejection(
                    "passkey.unsupported-algorithm",
                    f"RSA passkey key is too large: {bits} bits (cxkit accepts up to "
                    f"{MAX_RSA_BITS})",
                    unsupported=True,
                )
    except _MalformedError as exc:
        return _Rejection(
            "passkey.key-not-pkcs8",
            f"{_NOT_PKCS8} ({exc}; {total} bytes)",
            unsupported=False,
            hint="the key must be an unencrypted PKCS#8 PrivateKeyInfo in DER",
            cause=exc,
        )
    return _load(buf, algorithm)


def _malformed(algorithm: Algorithm, buf: bytes, exc: Exception) -> _Rejection:
    """The rejection of key data that ``cryptography`` refused (its size, never its bytes)."""
    return _Rejection(
        "passkey.key-not-pkcs8",
        f"{_NOT_PKCS8} ({algorithm.label} key data is malformed; {len(buf)} bytes)",
        unsupported=False,
        cause=exc,
    )


def _load(buf: bytes, algorithm: Algorithm) -> PasskeyKey | _Rejection:
    """Load PKCS#8 *buf* whose AlgorithmIdentifier says *algorithm* with ``cryptography``."""
    try:
        key = serialization.load_der_private_key(buf, password=None)
    except (ValueError, TypeError, _CryptoUnsupported) as exc:
        return _malformed(algorithm, buf, exc)
    kind = _key_kind(key)
    if algorithm is Algorithm.EDDSA:
        ok = kind == "ed25519"
    elif algorithm is Algorithm.RS256:
        ok = kind == "rsa"
    else:
        ok = kind == "ec" and key.curve.name == _EC[algorithm][0]  # type: ignore[union-attr]
    if not ok:  # pragma: no cover - cryptography loads what the AlgorithmIdentifier says
        return _Rejection(
            "passkey.key-not-pkcs8",
            f"{_NOT_PKCS8} (content does not match its {algorithm.label} identifier)",
            unsupported=False,
        )
    return PasskeyKey(algorithm, key)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# COSE public keys (hand-assembled canonical CBOR; byte-identical to
# fido2.cbor.encode(CoseKey.from_cryptography_key(...)), which the tests check).


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes((major << 5 | value,))
    if value < 0x100:
        return bytes((major << 5 | 24, value))
    if value < 0x10000:
        return bytes((major << 5 | 25,)) + value.to_bytes(2, "big")
    return bytes((major << 5 | 26,)) + value.to_bytes(4, "big")


def _cbor_int(value: int) -> bytes:
    return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)


def _cbor_bstr(data: bytes) -> bytes:
    return _cbor_head(2, len(data)) + data


def _minimal_bytes(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def _cose_params(algorithm: Algorithm, public: PublicKey) -> dict[int, int | bytes]:
    """The COSE_Key map of a public key (labels: 1 kty, 3 alg, -1 crv / n, -2 x / e, -3 y)."""
    ec_spec = _EC.get(algorithm)
    if ec_spec is not None:
        _, crv, size, _ = ec_spec
        point = public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {1: 2, 3: int(algorithm), -1: crv, -2: point[1 : 1 + size], -3: point[1 + size :]}
    if algorithm is Algorithm.EDDSA:
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return {1: 1, 3: int(algorithm), -1: 6, -2: raw}
    numbers = cast(rsa.RSAPublicKey, public).public_numbers()
    return {1: 3, 3: int(algorithm), -1: _minimal_bytes(numbers.n), -2: _minimal_bytes(numbers.e)}


def _cose_encode_general(params: dict[int, int | bytes]) -> bytes:
    out = [_cbor_head(5, len(params))]
    for label, value in params.items():
        out.append(_cbor_int(label))
        out.append(_cbor_bstr(value) if isinstance(value, bytes) else _cbor_int(value))
    return b"".join(out)


def _ec2_template(algorithm: Algorithm) -> tuple[bytes, bytes, int]:
    _, crv, size, _ = _EC[algorithm]
    head = _cose_encode_general({1: 2, 3: int(algorithm), -1: crv})[1:]  # without the map head
    return (
        _cbor_head(5, 5) + head + _cbor_int(-2) + _cbor_head(2, size),
        _cbor_int(-3) + _cbor_head(2, size),
        size,
    )


# The fixed bytes around x and y of an EC2 key of each curve, and before x of an Ed25519 key.
_EC2_TEMPLATES: Final = {alg: _ec2_template(alg) for alg in _EC}
_OKP_HEAD: Final = _cose_encode_general({1: 1, 3: int(Algorithm.EDDSA), -1: 6})[1:]
_OKP_TEMPLATE: Final = _cbor_head(5, 4) + _OKP_HEAD + _cbor_int(-2) + _cbor_head(2, 32)


def _cose_encode(params: dict[int, int | bytes]) -> bytes:
    """Canonical CTAP2 CBOR of a COSE_Key map built by :func:`_cose_params` (its insertion
    order is already the canonical order: 1, 3, -1, -2, -3). EC2 and Ed25519 keys are the
    fixed bytes of their algorithm around the coordinates; RSA is encoded member by member."""
    alg = params.get(3)
    template = _EC2_TEMPLATES.get(alg) if isinstance(alg, int) else None  # type: ignore[call-overload]
    if template is not None and len(params) == 5:
        x, y = params[-2], params[-3]
        head, middle, size = template
        if isinstance(x, bytes) and isinstance(y, bytes) and len(x) == len(y) == size:
            return b"".join((head, x, middle, y))
    elif alg == Algorithm.EDDSA and len(params) == 4:
        x = params[-2]
        if isinstance(x, bytes) and len(x) == 32 and params.get(-1) == 6:
            return _OKP_TEMPLATE + x
    return _cose_encode_general(params)


def public_key_fingerprint(cose_public_key: bytes) -> str:
    """The display fingerprint of a COSE public key.

    Definition: ``"SHA256:"`` + unpadded base64url of SHA-256 over the **canonical CTAP2 CBOR
    encoding of the COSE_Key** (exactly the bytes of :attr:`PasskeyKey.cose_public_key`, the
    form a relying party stores). Same style as OpenSSH's ``SHA256:`` fingerprints, but over the
    COSE bytes and with the URL-safe alphabet. Pass canonical bytes: a differently ordered or
    extended COSE map of the same key gives a different fingerprint.
    """
    # 32 bytes → 44 base64 characters, the last one padding (one call, not the general codec)
    digest = binascii.b2a_base64(hashlib.sha256(cose_public_key).digest(), newline=False)
    return "SHA256:" + digest[:43].translate(_STD_TO_URL).decode("ascii")


_STD_TO_URL: Final = bytes.maketrans(b"+/", b"-_")


# ---------------------------------------------------------------------------------------------
# The key object


@dataclass(frozen=True, eq=False)
class PasskeyKey:
    """A loaded passkey private key. Create it with :func:`load_private_key`.

    The ``cryptography`` key object is kept out of ``repr`` and comparisons; the public parts
    (COSE key, fingerprint) are computed once on first use.
    """

    algorithm: Algorithm
    private_key: PrivateKey = field(repr=False, compare=False)

    @property
    def public_key(self) -> PublicKey:
        """The matching ``cryptography`` public key."""
        return self.private_key.public_key()

    @property
    def cose_params(self) -> dict[int, int | bytes]:
        """The public key as a COSE_Key map (``{1: kty, 3: alg, -1: crv, -2: x, -3: y}`` for
        EC2, ``{1: 1, 3: -8, -1: 6, -2: x}`` for OKP, ``{1: 3, 3: -257, -1: n, -2: e}`` for
        RSA). Computed once; do not mutate it."""
        cached = self.__dict__.get("_cose_params")
        if cached is None:
            cached = _cose_params(self.algorithm, self.private_key.public_key())
            self.__dict__["_cose_params"] = cached
        return cached

    @property
    def cose_public_key(self) -> bytes:
        """The COSE_Key of the public key as a relying party stored it: canonical CTAP2 CBOR
        of :attr:`cose_params`, byte-identical to ``fido2.cbor.encode(CoseKey.
        from_cryptography_key(public_key))`` (assembled directly, ~10x faster)."""
        cached = self.__dict__.get("_cose_bytes")
        if cached is None:
            cached = _cose_encode(self.cose_params)
            self.__dict__["_cose_bytes"] = cached
        return cached

    @property
    def fingerprint(self) -> str:
        """:func:`public_key_fingerprint` of :attr:`cose_public_key` (computed once)."""
        cached = self.__dict__.get("_fingerprint")
        if cached is None:
            cached = public_key_fingerprint(self.cose_public_key)
            self.__dict__["_fingerprint"] = cached
        return cached

    @property
    def key_size(self) -> int:
        """Curve size or RSA modulus size in bits (255 for Ed25519)."""
        if isinstance(self.private_key, ed25519.Ed25519PrivateKey):
            return 255
        return self.private_key.key_size

    def sign(self, data: bytes) -> bytes:
        """Sign *data* with the algorithm's WebAuthn scheme (ECDSA with the curve's hash, DER
        signature; Ed25519; RSASSA-PKCS1-v1_5 with SHA-256)."""
        key = self.private_key
        kind = _KINDS.get(type(key)) or _key_kind(key)
        if kind == "ec":
            return key.sign(data, _ECDSA[self.algorithm])  # type: ignore[call-arg,arg-type]
        if kind == "ed25519":
            return key.sign(data)  # type: ignore[call-arg]
        return key.sign(data, _PKCS1V15, _SHA256)  # type: ignore[call-arg,arg-type]

    def to_der(self) -> bytes:
        """Re-serialise as unencrypted PKCS#8 DER."""
        return self.private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def load_private_key(der: bytes) -> PasskeyKey:
    """Load a passkey's PKCS#8 DER private key and identify its algorithm from the PKCS#8
    ``AlgorithmIdentifier`` (CXF §3.3.12 ``key``; cxf.md §5.2 "Key interpretation").

    :raises InvalidKeyError: not unencrypted PKCS#8 DER (SEC1/PKCS#1 keys, encrypted PKCS#8,
        truncated or malformed data).
    :raises UnsupportedAlgorithmError: any algorithm but ES256/ES384/ES512/EdDSA/RS256, or an
        RSA key outside 2048-8192 bits; the message names the curve/algorithm/size found.
    """
    result = _inspect(der)
    if isinstance(result, _Rejection):
        raise result.error() from result.cause
    return result


# ---------------------------------------------------------------------------------------------
# DER ⇄ PEM ⇄ base64url

_PEM_BEGIN: Final = "-----BEGIN PRIVATE KEY-----"
_PEM_END: Final = "-----END PRIVATE KEY-----"
_PEM_ANY_RE: Final = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")


def der_to_pem(der: bytes) -> str:
    """PKCS#8 DER → PKCS#8 PEM (``-----BEGIN PRIVATE KEY-----``, 64-character lines, ``\\n``
    line ends, trailing newline), the form of KeePassXC's ``KPEX_PASSKEY_PRIVATE_KEY_PEM``.

    Pure conversion: the DER is not parsed (use :func:`load_private_key` to validate).
    """
    if not isinstance(der, bytes | bytearray) or not der:
        raise InvalidKeyError("passkey key must be non-empty DER bytes")
    body = base64.b64encode(bytes(der)).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join([_PEM_BEGIN, *lines, _PEM_END]) + "\n"


def pem_to_der(pem: str) -> bytes:
    """PKCS#8 PEM (exactly one ``PRIVATE KEY`` block; CRLF and surrounding whitespace
    tolerated) → DER bytes.

    :raises InvalidKeyError: no/several PEM blocks, another PEM type (``EC PRIVATE KEY``,
        ``ENCRYPTED PRIVATE KEY`` …), bad base64 — or bare base64 without PEM armour (the
        KeePassXC CXF-import bug class), which gets its own hint.
    """
    if not isinstance(pem, str):
        raise InvalidKeyError(f"PEM key must be a str, not {type(pem).__name__}")
    text = pem.replace("\r\n", "\n").strip()
    if not text.startswith("-----BEGIN "):
        hint = None
        if text and re.fullmatch(r"[A-Za-z0-9_\-+/=\s]+", text):
            hint = (
                "the value looks like bare base64 DER without PEM armour; convert it with "
                "b64url_to_der() and der_to_pem()"
            )
        raise InvalidKeyError("passkey key is not a PEM private key (no BEGIN line)", hint=hint)
    match = _PEM_ANY_RE.match(text)
    label = match.group(1) if match else "?"
    if label != "PRIVATE KEY":
        raise InvalidKeyError(
            f"passkey key is a PEM {label!r} block, expected 'PRIVATE KEY' (unencrypted PKCS#8)"
        )
    if text.count("-----BEGIN ") != 1 or not text.endswith(_PEM_END):
        raise InvalidKeyError("passkey PEM must hold exactly one complete PRIVATE KEY block")
    body = "".join(text[len(_PEM_BEGIN) : -len(_PEM_END)].split())
    if not body:
        raise InvalidKeyError("passkey PEM block is empty")
    try:
        return _b64_std_decode(body, what="passkey PEM body")
    except ValueError as exc:
        raise InvalidKeyError(str(exc)) from exc


def der_to_b64url(der: bytes) -> str:
    """PKCS#8 DER → unpadded base64url (CXF ``key``, Bitwarden ``keyValue``)."""
    if not isinstance(der, bytes | bytearray) or not der:
        raise InvalidKeyError("passkey key must be non-empty DER bytes")
    return b64url_encode(bytes(der))


def b64url_to_der(text: str) -> bytes:
    """Unpadded base64url (CXF ``key``, Bitwarden ``keyValue``) → DER bytes, strictly
    (characters outside the alphabet or non-canonical endings are errors, not dropped)."""
    try:
        raw = _b64url_decode(text, what="passkey key")
    except (ValueError, TypeError) as exc:
        raise InvalidKeyError(str(exc)) from exc
    if not raw:
        raise InvalidKeyError("passkey key is empty")
    return raw


# ---------------------------------------------------------------------------------------------
# COSE private keys (EC2 / OKP with d) ⇄ PKCS#8 DER

_COSE_KTY_NAMES: Final = {
    1: "OKP",
    2: "EC2",
    3: "RSA",
    4: "Symmetric",
    5: "HSS-LMS",
    6: "WalnutDSA",
}
_COSE_CRV_NAMES: Final = {
    1: "P-256",
    2: "P-384",
    3: "P-521",
    4: "X25519",
    5: "X448",
    6: "Ed25519",
    7: "Ed448",
    8: "secp256k1",
}
_COSE_ALG_OK: Final = {
    Algorithm.ES256: {-7, -9},
    Algorithm.ES384: {-35, -51},
    Algorithm.ES512: {-36, -52},
    Algorithm.EDDSA: {-8, -19},
}


def _cose_bytes_param(cose: Mapping[object, object], label: int, name: str) -> bytes | None:
    value = cose.get(label)
    if value is None:
        return None
    if not isinstance(value, bytes):
        raise InvalidKeyError(f"COSE key parameter {name} must be a byte string")
    return value


def cose_private_key_to_der(cose: bytes | Mapping[int, object]) -> bytes:
    """A COSE_Key with private parameters → PKCS#8 DER.

    Accepts the CBOR bytes or the already-decoded map (e.g. from Proton Pass's MessagePack
    ``Passkey.key``). Supported: EC2 (``kty`` 2) on P-256/P-384/P-521 and OKP (``kty`` 1) on
    Ed25519, each with ``d`` (label -4). Public parameters (``x``/``y``) and ``alg``, when
    present, must agree with ``d``.

    :raises InvalidKeyError: not a COSE map, missing/ill-typed ``d``, ``d`` out of range,
        public parameters or ``alg`` that do not match.
    :raises UnsupportedAlgorithmError: another key type or curve (RSA, secp256k1, Ed448,
        X25519 …).
    """
    if isinstance(cose, bytes | bytearray):
        try:
            decoded = cbor.decode(bytes(cose))
        except Exception as exc:  # fido2's decoder raises assorted builtins on garbage
            raise InvalidKeyError("COSE private key is not valid CBOR") from exc
    else:
        decoded = cose
    if not isinstance(decoded, Mapping):
        raise InvalidKeyError("COSE private key must be a CBOR map")
    m: Mapping[object, object] = decoded
    kty = m.get(1)
    crv = m.get(-1)
    alg = m.get(3)
    if kty == 3:
        raise UnsupportedAlgorithmError("COSE RSA private keys are not supported (EC2/OKP only)")
    if kty not in (1, 2) or isinstance(kty, bool):
        name = _COSE_KTY_NAMES.get(kty, repr(kty)) if isinstance(kty, int) else repr(type(kty))
        raise UnsupportedAlgorithmError(f"unsupported COSE key type {name}; expected EC2 or OKP")
    if not isinstance(crv, int) or isinstance(crv, bool):
        raise InvalidKeyError("COSE key has no integer crv (label -1)")
    d = _cose_bytes_param(m, -4, "d")
    if d is None:
        raise InvalidKeyError("COSE key has no private parameter d (label -4)")
    x = _cose_bytes_param(m, -2, "x")
    algorithm: Algorithm
    private: PrivateKey
    if kty == 2:
        if crv not in _EC_CURVES:
            raise UnsupportedAlgorithmError(
                f"unsupported COSE EC2 curve {_COSE_CRV_NAMES.get(crv, crv)}; {_SUPPORTED_TEXT}"
            )
        algorithm, curve = _EC_CURVES[crv]
        size = _EC[algorithm][2]
        if not 0 < len(d) <= size:
            raise InvalidKeyError(f"COSE {algorithm.label} d must be {size} bytes")
        try:
            private = ec.derive_private_key(int.from_bytes(d, "big"), curve)
        except (ValueError, TypeError, _CryptoUnsupported) as exc:
            raise InvalidKeyError(f"COSE {algorithm.label} d is out of range") from exc
        point = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        y = m.get(-3)
        if x is not None and x != point[1 : 1 + size]:
            raise InvalidKeyError("COSE private key: x does not match d")
        if isinstance(y, bool):
            if y != bool(point[-1] & 1):
                raise InvalidKeyError("COSE private key: y sign bit does not match d")
        elif y is not None and y != point[1 + size :]:
            raise InvalidKeyError("COSE private key: y does not match d")
    else:
        if crv != 6:
            raise UnsupportedAlgorithmError(
                f"unsupported COSE OKP curve {_COSE_CRV_NAMES.get(crv, crv)}; {_SUPPORTED_TEXT}"
            )
        algorithm = Algorithm.EDDSA
        if len(d) != 32:
            raise InvalidKeyError("COSE Ed25519 d must be 32 bytes")
        private = ed25519.Ed25519PrivateKey.from_private_bytes(d)
        raw = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        if x is not None and x != raw:
            raise InvalidKeyError("COSE private key: x does not match d")
    if alg is not None and alg not in _COSE_ALG_OK[algorithm]:
        raise InvalidKeyError(f"COSE alg {alg!r} does not fit a {algorithm.label} key")
    return PasskeyKey(algorithm, private).to_der()


def der_to_cose_private_key(der: bytes) -> bytes:
    """PKCS#8 DER → canonical CBOR COSE_Key with private parameters (kty, alg, crv, x, [y,] d).

    :raises InvalidKeyError, UnsupportedAlgorithmError: as :func:`load_private_key`; RSA keys
        are refused with :class:`UnsupportedAlgorithmError` (no COSE RSA private form here).
    """
    key = load_private_key(der)
    private = key.private_key
    if isinstance(private, rsa.RSAPrivateKey):
        raise UnsupportedAlgorithmError("COSE RSA private keys are not supported (EC2/OKP only)")
    out: dict[int, int | bytes]
    if isinstance(private, ed25519.Ed25519PrivateKey):
        out = {
            1: 1,
            3: int(Algorithm.EDDSA),
            -1: 6,
            -2: private.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            ),
            -4: private.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            ),
        }
    else:
        _, crv, size, _ = _EC[key.algorithm]
        nums = private.private_numbers()
        out = {
            1: 2,
            3: int(key.algorithm),
            -1: crv,
            -2: nums.public_numbers.x.to_bytes(size, "big"),
            -3: nums.public_numbers.y.to_bytes(size, "big"),
            -4: nums.private_value.to_bytes(size, "big"),
        }
    return cbor.encode(out)
