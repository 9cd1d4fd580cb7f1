"""GNOME Keyring's encrypted binary keyring file (a keyring with a password), as gnome-keyring's
``docs/file-format.txt`` and ``pkcs11/secret-store/dump-keyring0-format.c`` describe it:

* ``GnomeKeyring\\n\\r\\0\\n``, version 0.0, crypto 0 (AES-128), hash 0 (MD5);
* big-endian ``guint32``; times as two ``guint32`` (high, low); strings as a ``guint32`` length
  and UTF-8 bytes (``0xffffffff``: none);
* in clear: keyring name, ctime, mtime, flags (1 lock on idle, 2 lock after), lock timeout,
  **hash iterations**, 8 bytes of **salt**, 4 reserved ``guint32``, then per item its id, type
  and hashed attributes (MD5 of strings, a hash of numbers: useless for reading);
* then the size of the encrypted part and the part itself, AES-128-CBC: key and IV are the 32
  bytes of SHA-256(password ‖ salt) hashed again ``hash iterations − 1`` times; the plain text
  starts with the MD5 of the rest (the password check), then per item its display name,
  secret (bytes), ctime, mtime, a reserved string and 4 ``guint32``, its attributes in clear
  (name, type 0 string / 1 ``guint32``, value) and its ACL (types allowed, application name,
  path, a reserved string and ``guint32``).

:func:`keyring_entries` turns it into the entries of the plain text keyring (the groups and keys
``dump-keyring0-format`` writes), so one mapping serves both files. The hash iterations are
bounded (:data:`MAX_ITERATIONS`) before any work; counts and lengths are checked against the
bytes left.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Final

from cxkit.adapters.longtail._keyfile import Entry
from cxkit.errors import DecodeError, DecryptionError, InputTooLargeError, UnsupportedVersionError

__all__ = ["MAGIC", "MAX_ITERATIONS", "derive", "keyring_entries"]

MAGIC: Final = b"GnomeKeyring\n\r\x00\n"
MAX_ITERATIONS: Final = 1_000_000
"""More hash iterations than this are refused before hashing (gnome-keyring writes about
1,000–2,000; a million SHA-256 rounds take about a second)."""
_NONE: Final = 0xFFFFFFFF


class _Reader:
    """Big-endian fields of a byte string; every read checks the bytes left."""

    def __init__(self, data: bytes, name: str, what: str) -> None:
        self.data, self.at, self.name, self.what = data, 0, name, what

    def fail(self, message: str) -> DecodeError:
        return DecodeError(f"{message} in the {self.what} (byte {self.at:,})",
                           location=self.name or None)  # fmt: skip

    def take(self, n: int) -> bytes:
        if n < 0 or self.at + n > len(self.data):
            raise self.fail("the keyring ends early")
        out = self.data[self.at : self.at + n]
        self.at += n
        return out

    def u32(self) -> int:
        value: int = struct.unpack(">I", self.take(4))[0]
        return value

    def time(self) -> int:
        high, low = self.u32(), self.u32()
        return (high << 32) | low

    def raw(self) -> bytes | None:
        n = self.u32()
        if n == _NONE:
            return None
        if n > len(self.data) - self.at:
            raise self.fail("a length beyond the end of the keyring")
        return self.take(n)

    def text(self) -> str:
        raw = self.raw()
        if raw is None:
            return ""
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise self.fail("a text that is not UTF-8") from None

    def count(self, least: int) -> int:
        """A count of entries of at least *least* bytes each (checked against the bytes left)."""
        n = self.u32()
        if n * least > len(self.data) - self.at:
            raise self.fail("a count of entries larger than the keyring")
        return n

    def attributes(self, hashed: bool) -> list[tuple[str, str]]:
        out = []
        for _ in range(self.count(12)):
            name = self.text()
            kind = self.u32()
            if kind == 0:
                value = self.text()
            elif kind == 1:
                value = str(self.u32())
            else:
                raise self.fail("an attribute of an unknown type")
            if not hashed:
                out.append((name, value))
        return out


def derive(password: bytes, salt: bytes, iterations: int) -> tuple[bytes, bytes]:
    """AES-128 key and IV: SHA-256(password ‖ salt), hashed again ``iterations − 1`` times."""
    digest = hashlib.sha256(password + salt).digest()
    sha = hashlib.sha256
    for _ in range(iterations - 1):
        digest = sha(digest).digest()
    return digest[:16], digest[16:]


def keyring_entries(data: bytes, password: str, *, name: str = "") -> list[Entry]:
    """The decrypted keyring as the plain keyring's entries (``[keyring]``, ``[N]``,
    ``[N:attributeM]``, ``[N:aclM]``; line numbers 0). Wrong password: DecryptionError."""
    if not data.startswith(MAGIC):
        raise DecodeError("not an encrypted GNOME keyring", location=name or None)
    clear = _Reader(data, name, "keyring")
    clear.take(len(MAGIC))
    major, minor, crypto, hashing = clear.take(4)
    if (major, minor) != (0, 0) or crypto != 0 or hashing != 0:
        raise UnsupportedVersionError(
            f"keyring version {major}.{minor}, cipher {crypto}, hash {hashing} (cxkit reads "
            "0.0 with AES and MD5)", location=name or None)  # fmt: skip
    entries = [Entry("keyring", "display-name", clear.text(), 0)]
    entries += [Entry("keyring", "ctime", str(clear.time()), 0),
                Entry("keyring", "mtime", str(clear.time()), 0)]  # fmt: skip
    flags = clear.u32()
    entries += [Entry("keyring", "lock-on-idle", str(bool(flags & 1)).lower(), 0),
                Entry("keyring", "lock-after", str(bool(flags & 2)).lower(), 0),
                Entry("keyring", "lock-timeout", str(clear.u32()), 0)]  # fmt: skip
    iterations = clear.u32()
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise InputTooLargeError(
            f"the keyring asks for {iterations:,} hash iterations; cxkit allows 1 to "
            f"{MAX_ITERATIONS:,}", location=name or None)  # fmt: skip
    salt = clear.take(8)
    clear.take(16)  # reserved
    ids: list[tuple[int, int]] = []
    for _ in range(clear.count(12)):
        item_id, kind = clear.u32(), clear.u32()
        clear.attributes(hashed=True)
        ids.append((item_id, kind))
    size = clear.u32()
    if size % 16 or size < 16 or size > len(data) - clear.at:
        raise clear.fail("an encrypted part of a wrong size")
    encrypted = clear.take(size)
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, iv = derive(password.encode("utf-8"), salt, iterations)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    plain = decryptor.update(encrypted) + decryptor.finalize()
    if hashlib.md5(plain[16:], usedforsecurity=False).digest() != plain[:16]:
        raise DecryptionError("wrong password, or the keyring was modified",
                              location=name or None)  # fmt: skip
    inner = _Reader(plain, name, "decrypted keyring")
    inner.take(16)
    for item_id, kind in ids:
        group = str(item_id)
        entries.append(Entry(group, "item-type", str(kind), 0))
        entries.append(Entry(group, "display-name", inner.text(), 0))
        secret = inner.raw() or b""
        try:
            entries.append(Entry(group, "secret", secret.decode("utf-8"), 0))
        except UnicodeDecodeError:
            entries.append(Entry(group, "binary-secret", secret.hex(), 0))
        entries += [Entry(group, "ctime", str(inner.time()), 0),
                    Entry(group, "mtime", str(inner.time()), 0)]  # fmt: skip
        inner.text()
        inner.take(16)  # reserved
        for number, (attr, value) in enumerate(inner.attributes(hashed=False)):
            at = f"{group}:attribute{number}"
            entries += [Entry(at, "name", attr, 0), Entry(at, "value", value, 0)]
        for number in range(inner.count(20)):
            at = f"{group}:acl{number}"
            allowed = inner.u32()
            entries += [Entry(at, "types-allowed", str(allowed), 0),
                        Entry(at, "display-name", inner.text(), 0),
                        Entry(at, "path", inner.text(), 0)]  # fmt: skip
            inner.text()
            inner.u32()
    return entries
