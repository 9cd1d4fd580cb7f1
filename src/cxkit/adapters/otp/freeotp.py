"""FreeOTP and FreeOTP+ (``../shared/formats/totp-apps.md`` §8).

* **FreeOTP v2 backup** (``externalBackup.xml``, despite the name a Java object serialisation
  stream, magic ``AC ED 00 05``) of one ``java.util.HashMap<String, String>``: ``masterKey`` →
  JSON ``{mAlgorithm, mIterations, mSalt, mEncryptedKey{mCipher, mCipherText, mParameters,
  mToken}}``, ``<uuid>`` → ``{"key": "<JSON of an encrypted key>"}``, ``<uuid>-token`` → the
  token's JSON ``{algo, digits, issuerExt, issuerInt, label, period, type, counter?}``. The
  master key is AES-256-GCM-decrypted under PBKDF2-HMAC-SHA512(password, salt, iterations, 32)
  with AAD = ``mToken`` (``AES``); each token secret under the master key with AAD = its
  ``mToken``. Only that one shape is parsed (:func:`java_string_map`: strings, references to
  them, the HashMap's class description — nothing is instantiated), bounded in entries and bytes.
* **FreeOTP+ JSON** ``{tokens[{algo, counter, digits, issuerExt, issuerInt, label, period,
  secret (signed bytes), type}], tokenOrder[]}``.
* **The apps' shared preferences** (FreeOTP v1 ``tokens.xml``, FreeOTP+ internal): a ``<map>``
  of ``<string name="Issuer:Label">`` token JSON and ``tokenOrder``.

In FreeOTP 1.x and FreeOTP+ files HOTP counters are stored one lower than the next code's
(the app increments before use): cxkit adds 1, as Aegis does, so the reference tokens come out
as the apps show them. FreeOTP 2.x backups store the next counter itself (taken as it is).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import Val
from cxkit.adapters.otp import _android, _unlock
from cxkit.adapters.otp._reader import NOT_CARRIED, EntryVault, Rec, leaves
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError, UnsupportedVersionError

__all__ = ["FreeOtpAdapter", "FreeOtpPlusAdapter", "java_string_map"]

JAVA_MAGIC: Final = b"\xac\xed\x00\x05"
MAX_ENTRIES: Final = 100_000
"""A v2 backup's HashMap may hold at most this many entries."""
_WHAT: Final = "the FreeOTP backup"
_KDFS: Final = {"PBKDF2withHmacSHA1": "sha1", "PBKDF2withHmacSHA256": "sha256",
                "PBKDF2withHmacSHA512": "sha512"}  # fmt: skip
_IMAGE_KEYS: Final = ("image", "imageAlt")

# Java serialisation stream constants (Java Object Serialization Specification §6.4)
_TC_NULL, _TC_REFERENCE, _TC_CLASSDESC, _TC_OBJECT = 0x70, 0x71, 0x72, 0x73
_TC_STRING, _TC_BLOCKDATA, _TC_ENDBLOCKDATA, _TC_LONGSTRING = 0x74, 0x77, 0x78, 0x7C
_BASE_HANDLE: Final = 0x7E0000


# =========================================================================== Java stream


class _Stream:
    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.pos = 0
        self.name = name
        self.handles: list[object] = []

    def bad(self, why: str) -> DecodeError:
        return DecodeError(f"not a FreeOTP backup: {why} (byte {self.pos})",
                           location=self.name or None)  # fmt: skip

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise self.bad("the stream ends early")
        piece = self.data[self.pos : self.pos + size]
        self.pos += size
        return piece

    def byte(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int(struct.unpack(">H", self.take(2))[0])

    def utf(self, size: int) -> str:
        """Java's modified UTF-8: NUL as ``C0 80``, supplementary characters as surrogate
        pairs (each three bytes)."""
        raw = self.take(size).replace(b"\xc0\x80", b"\x00")
        try:
            text = raw.decode("utf-8", "surrogatepass")
            return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeError:
            raise self.bad("a string is not valid (modified) UTF-8") from None

    def string(self) -> str:
        """A String object: new (``TC_STRING``/``TC_LONGSTRING``) or a reference to one."""
        tag = self.byte()
        if tag == _TC_STRING:
            text = self.utf(self.u16())
        elif tag == _TC_LONGSTRING:
            size = int(struct.unpack(">Q", self.take(8))[0])
            text = self.utf(size)  # bounded by take: never more than the input
        elif tag == _TC_REFERENCE:
            handle = int(struct.unpack(">I", self.take(4))[0]) - _BASE_HANDLE
            if not 0 <= handle < len(self.handles) or not isinstance(self.handles[handle], str):
                raise self.bad("a reference to no string")
            found = self.handles[handle]
            assert isinstance(found, str)
            return found
        else:
            raise self.bad(f"a value that is not a string (tag 0x{tag:02x})")
        self.handles.append(text)
        return text


def java_string_map(data: bytes, name: str = "") -> dict[str, str]:
    """A Java serialisation stream of one ``java.util.HashMap`` of strings → a dict. Anything
    else (another class, a non-string key or value, class annotations) is refused with a
    :class:`DecodeError`: nothing of the stream is instantiated or looked up."""
    s = _Stream(data, name)
    if s.take(4) != JAVA_MAGIC:
        raise s.bad("no Java serialisation header")
    if s.byte() != _TC_OBJECT or s.byte() != _TC_CLASSDESC:
        raise s.bad("the stream does not start with an object")
    if s.utf(s.u16()) != "java.util.HashMap":
        raise s.bad("the object is not a java.util.HashMap")
    s.take(8)  # serialVersionUID
    flags = s.byte()
    if flags & 0x03 != 0x03:  # SC_SERIALIZABLE | SC_WRITE_METHOD
        raise s.bad("the HashMap's class flags are not the usual ones")
    s.handles.append("java.util.HashMap")  # the class description's handle
    fields: list[tuple[str, str]] = []
    for _ in range(s.u16()):
        code = chr(s.byte())
        field = s.utf(s.u16())
        if code not in "BCDFIJSZ":
            raise s.bad("the HashMap has a field that is not a primitive")
        fields.append((code, field))
    if s.byte() != _TC_ENDBLOCKDATA or s.byte() != _TC_NULL:
        raise s.bad("the HashMap's class has annotations or a serialisable superclass")
    s.handles.append(None)  # the HashMap object's handle
    sizes = {"B": 1, "Z": 1, "C": 2, "S": 2, "F": 4, "I": 4, "D": 8, "J": 8}
    for code, _ in fields:
        s.take(sizes[code])
    if s.byte() != _TC_BLOCKDATA:
        raise s.bad("the HashMap's size is missing")
    block = s.take(s.byte())
    if len(block) < 8:
        raise s.bad("the HashMap's size is missing")
    count = int(struct.unpack(">i", block[4:8])[0])
    if not 0 <= count <= MAX_ENTRIES:
        raise s.bad(f"the HashMap has {count} entries; cxkit reads at most {MAX_ENTRIES}")
    found: dict[str, str] = {}
    for _ in range(count):
        key = s.string()
        found[key] = s.string()
    if s.byte() != _TC_ENDBLOCKDATA:
        raise s.bad("the HashMap does not end where its size says")
    return found


# =========================================================================== v2 decryption


def _json_object(text: str, what: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise DecodeError(f"{what} is not JSON", location=where or None) from None
    if not isinstance(value, dict):
        raise DecodeError(f"{what} is not a JSON object", location=where or None)
    return value


def _sealed(key_json: Any, what: str, where: str) -> tuple[bytes, bytes, bytes]:
    """(iv, ciphertext ‖ tag, aad) of an encrypted key ``{mCipher, mCipherText, mParameters,
    mToken}``; ``mParameters`` is the DER ``GCMParameters`` (``30 11 04 0C <iv> 02 01 10``), or
    on older Android (API 23) the IV's OCTET STRING alone (``04 0C <iv>``)."""
    if not isinstance(key_json, dict):
        raise DecodeError(f"{what} is not an encrypted key object", location=where or None)
    if key_json.get("mCipher") != "AES/GCM/NoPadding":
        raise UnsupportedVersionError(f"{what} uses a cipher other than AES/GCM/NoPadding",
                                      location=where or None)  # fmt: skip
    sealed = _android.signed_bytes(key_json.get("mCipherText"))
    params = _android.signed_bytes(key_json.get("mParameters"))
    token = key_json.get("mToken")
    if sealed is None or params is None or not isinstance(token, str):
        raise DecodeError(f"{what} lacks its ciphertext, parameters or token",
                          location=where or None)  # fmt: skip
    der = params[2:] if params[:1] == b"\x30" else params  # older Android: the IV alone
    if len(der) < 2 or der[0] != 0x04 or not 8 <= der[1] <= len(der) - 2:
        raise DecodeError(f"{what}: the GCM parameters are not DER", location=where or None)
    return der[2 : 2 + der[1]], sealed, token.encode()


def _master_key(master_json: str, password: str, where: str) -> bytes:
    master = _json_object(master_json, "masterKey", where)
    kdf = _KDFS.get(str(master.get("mAlgorithm")))
    iterations = master.get("mIterations")
    salt = _android.signed_bytes(master.get("mSalt"))
    if kdf is None:
        raise UnsupportedVersionError("the backup's key derivation is not PBKDF2-HMAC-SHA*",
                                      location=where or None)  # fmt: skip
    if not isinstance(iterations, int) or isinstance(iterations, bool) or salt is None:
        raise DecodeError("masterKey lacks its iteration count or salt", location=where or None)
    key = _unlock.pbkdf2(kdf, password, salt, iterations, where)
    iv, sealed, aad = _sealed(master.get("mEncryptedKey"), "masterKey", where)
    return _unlock.aes_gcm_open(key, iv, sealed, aad, _WHAT, where)


def _token_secret(master: bytes, key_text: str, where: str) -> bytes:
    outer = _json_object(key_text, "a token's key", where)
    inner = outer.get("key")
    if not isinstance(inner, str):
        raise DecodeError("a token's key has no 'key' member", location=where or None)
    iv, sealed, aad = _sealed(_json_object(inner, "a token's key", where), "a token's key", where)
    return _unlock.aes_gcm_open(master, iv, sealed, aad, _WHAT, where)


# =========================================================================== tokens


def _token(vault: EntryVault, token: dict[str, Any], secret: bytes | str | None, prefix: str,
           index: int, secret_at: str | None, source_id: str = "",
           counter_offset: int = 1) -> None:  # fmt: skip
    """One FreeOTP token JSON object → an entry (``secret``: given, or its signed bytes)."""
    if secret is None:
        secret = _android.signed_bytes(token.get("secret")) or ""
    kind = str(token.get("type") or "totp").lower()
    issuer = token.get("issuerExt") or token.get("issuerInt") or ""
    where = {"kind": ".type", "algorithm": ".algo", "digits": ".digits", "period": ".period",
             "counter": ".counter", "issuer": ".issuerExt", "account": ".label"}  # fmt: skip
    where = {k: v for k, v in where.items() if v[1:] in token and token[v[1:]] is not None}
    if "issuerExt" not in token and "issuerInt" in token:
        where["issuer"] = ".issuerInt"
    if secret_at is not None:
        where["secret"] = secret_at
    for image in _IMAGE_KEYS:
        if token.get(image) is not None:
            where["icon"] = f".{image}"
            break
    counter = _int(token.get("counter"), 0)
    entry = Entry(
        secret=secret, kind=kind, issuer=str(issuer), account=str(token.get("label") or ""),
        algorithm=str(token.get("algo") or "sha1"), digits=_int(token.get("digits"), 6),
        period=_int(token.get("period"), 30),
        counter=counter + counter_offset if kind == "hotp" else None, at=where,
    )  # fmt: skip
    recs: list[Rec] = []
    rest: list[Val] = []
    taken = {v[1:] for v in where.values()}
    for key, value in token.items():
        if key in taken or value is None or (key == "secret" and secret_at is not None):
            continue
        if key == "issuerInt":
            same = value == token.get("issuerExt")
            recs.append((".issuerInt", Disposition.MEMBER if same else NOT_CARRIED, "",
                         "the issuer as first added" + ("" if same else
                         "; the edited one (issuerExt) is carried")))  # fmt: skip
        elif key in _IMAGE_KEYS:
            recs.append((f".{key}", NOT_CARRIED, "", "icon: CXF 1.0 items have no icon"))
        else:
            rest.extend(leaves(value, f".{key}"))
    vault.add(prefix, entry, source_id=source_id, index=index, recs=recs, leftovers=rest)


def _int(value: Any, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return default


def _order(report: MigrationReport, at: str) -> None:
    report.add_field(at, "", Disposition.MEMBER, "", "the order of the tokens: kept as item order")


def _v2_tokens(vault: EntryVault, found: dict[str, str], password: str, name: str,
               report: MigrationReport) -> None:  # fmt: skip
    where = name
    if "masterKey" not in found:
        raise DecodeError("not a FreeOTP v2 backup: no masterKey", location=where or None)
    master = _master_key(found["masterKey"], password, where)
    report.add_field(f"{name}:masterKey", "", Disposition.MEMBER, "",
                     "the encrypted master key: decrypted")  # fmt: skip
    index = 0
    for key, text in found.items():
        if key == "masterKey" or key.endswith("-token"):
            continue
        prefix = f"{name}:{key}"
        token_text = found.get(f"{key}-token")
        if token_text is None:
            report.add_field(prefix, "", NOT_CARRIED, "", "a key without its token")
            continue
        try:
            token = _json_object(token_text, "a token", prefix)
            secret = _token_secret(master, text, prefix)
        except DecodeError as exc:
            vault.skip(prefix, exc.message, (".key", "-token"))
            continue
        report.add_field(f"{prefix}.key", "", Disposition.MEMBER, "totp.secret",
                         "the encrypted secret: decrypted")  # fmt: skip
        _token(vault, token, secret, f"{prefix}-token", index, None, source_id=key,
               counter_offset=0)  # fmt: skip
        index += 1
    for key in found:
        if key.endswith("-token") and key[: -len("-token")] not in found:
            report.add_field(f"{name}:{key}", "", NOT_CARRIED, "", "a token without its key")


def _prefs(vault: EntryVault, data: bytes, name: str, report: MigrationReport) -> None:
    strings, others = _android.prefs_strings(data, name)
    for at in others:
        report.add_field(f"{name}:{at}", "", NOT_CARRIED, "", "a preference, not a token")
    index = 0
    for pref in strings:
        prefix = f"{name}:{pref.at}"
        if pref.name == "tokenOrder":
            _order(report, prefix)
            continue
        try:
            token = _json_object(pref.text, "a token", prefix)
        except DecodeError as exc:
            vault.skip(prefix, exc.message)
            continue
        _token(vault, token, None, prefix, index, ".secret")
        index += 1


def _iter_tokens(top: Any, name: str) -> Iterator[tuple[int, Any]]:
    if not isinstance(top, dict) or not isinstance(top.get("tokens"), list):
        raise DecodeError("not a FreeOTP+ backup: no list at $.tokens", location=name or None)
    yield from enumerate(top["tokens"])


# =========================================================================== adapters


class FreeOtpAdapter:
    info = AdapterInfo(
        key="freeotp",
        app="FreeOTP (also FreeOTP+ app data)",
        format="v2 encrypted backup (Java-serialised); v1 / FreeOTP+ shared preferences XML",
        versions="FreeOTP 2.x backup; FreeOTP 1.x and FreeOTP+ tokens.xml",
        capabilities=Capability.READ | Capability.ENCRYPTED,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "FreeOTP 2.x → ⋮ → Backup (a password-protected externalBackup.xml). FreeOTP 1.x and "
            "FreeOTP+ keep their tokens in shared_prefs/tokens.xml (root only), read as well."
        ),
        extensions=(".xml",),
        magic=(JAVA_MAGIC,),
    )
    rp_id = "freeotp.github.io"
    app = "FreeOTP"

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN for a Java serialisation stream that names ``masterKey`` near its start;
        LIKELY for shared preferences (``<map>``) holding a ``tokenOrder`` string."""
        data = sample.data
        if data.startswith(JAVA_MAGIC):
            return Confidence.CERTAIN if b"masterKey" in data else Confidence.NO
        if sample.xml_root == "map" and b'name="tokenOrder"' in data[: 4 << 20]:
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        vault = EntryVault.of(self, name, options, report)
        if sample.data.startswith(JAVA_MAGIC):
            found = java_string_map(sample.data, name)
            password = _unlock.ask_password(options, _WHAT, name)
            _v2_tokens(vault, found, password, name, report)
        else:
            _prefs(vault, sample.data, name, report)
        return vault.document()


class FreeOtpPlusAdapter:
    info = AdapterInfo(
        key="freeotp-plus",
        app="FreeOTP+",
        format="JSON backup",
        versions="2.x–3.x",
        capabilities=Capability.READ,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export="FreeOTP+ → ⋮ → Export → Export JSON.",
        extensions=(".json",),
    )
    rp_id = "freeotp.github.io"
    app = "FreeOTP+"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for JSON with a ``tokens`` list and a ``tokenOrder`` list."""
        if (
            sample.json_ok
            and sample.json_member_is("tokens", list)
            and sample.json_member_is("tokenOrder", list)
        ):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        top = sample.parsed_json()
        vault = EntryVault.of(self, name, options, report)
        for index, token in _iter_tokens(top, name):
            at = f"$.tokens[{index}]"
            if not isinstance(token, dict):
                vault.skip(at, "the token is not a JSON object")
                continue
            _token(vault, token, None, at, index, ".secret")
        for key, value in top.items():
            if key == "tokenOrder":
                _order(report, "$.tokenOrder")
            elif key != "tokens" and value is not None:
                report.add_field(f"$.{key}", "", NOT_CARRIED, "",
                                 "a member of the backup, not of a token")  # fmt: skip
        return vault.document()
