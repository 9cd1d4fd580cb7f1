"""Authenticator apps, part 3 (issue #14): the readers of LastPass Authenticator, Duo Mobile,
Steam Guard (``{accounts: {...}}``), Microsoft Authenticator's database, TOTP Authenticator
backups and Authenticator Plus zips.

Workloads: 10 000 entries (1 000 with ``--quick``) with random 20-byte seeds, written here in
each app's layout (``../shared/formats/totp-apps.md`` §11-§12).

Subjects and floors, measured in the same run:

* LastPass Authenticator / Duo / Steam JSON read — the whole reader (mapping, report) against
  ``json.loads`` of the file;
* Microsoft Authenticator read — against ``sqlite3`` selecting every row of a copy;
* TOTP Authenticator ``.bin`` read — against the decryption alone
  (:func:`~cxkit.adapters.otp.totpauth.decrypt_backup`: one SHA-256 and AES-CBC);
* Authenticator Plus read (stored, not encrypted zip: ZipCrypto is pure Python in zipfile and
  would measure zipfile) — against the ``otpauth-uris`` reader of the same lines.

Floor and subject alternate (:func:`_common.alternate`, after a warm-up of each); each figure is
the median of ``REPEAT`` runs with the spread (min-max) shown.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from _common import Figure, alternate, median, spread
from cxkit import adapters
from cxkit.adapters.base import ReadOptions
from cxkit.adapters.otp.totpauth import decrypt_backup

SUITE = "otpapps3"


REPEAT = 5


def _timed(
    subject: Callable[[], object], floor: Callable[[], object]
) -> tuple[float, float, dict[str, str]]:
    """Median seconds of *subject* and *floor* (alternating) and their spreads."""
    floors, subjects = alternate(floor, subject, REPEAT)
    return median(subjects), median(floors), {"spread": spread(subjects),
                                              "floor_spread": spread(floors)}  # fmt: skip


def _b32() -> str:
    return base64.b32encode(os.urandom(20)).decode().rstrip("=")


def lastpass(n: int) -> bytes:
    accounts = [{"accountID": f"id-{i}", "lmiUserId": "", "issuerName": f"Site {i}",
                 "originalIssuerName": f"Site {i}", "userName": f"user{i}",
                 "originalUserName": f"user{i}", "pushNotification": False, "secret": _b32(),
                 "timeStep": 30, "digits": 6, "creationTimestamp": 1738075355820,
                 "isFavorite": False, "algorithm": "SHA1",
                 "folderData": {"folderId": 0, "position": i}} for i in range(n)]  # fmt: skip
    return json.dumps({"deviceId": "", "deviceSecret": "", "localDeviceId": "l",
                       "deviceName": "Pixel", "version": 3, "accounts": accounts,
                       "folders": [{"id": 0, "name": "Other accounts", "isOpened": True}]}).encode()  # fmt: skip


def duo(n: int) -> bytes:
    return json.dumps([{"version": 1.0, "accountType": "OtpAccount", "name": f"user{i}",
                        "otpGenerator": {"otpSecret": _b32()}, "logoUri": "file:///l.png",
                        "pkey": f"pk-{i}", "serviceTypeLabelIsCustom": True}
                       for i in range(n)]).encode()  # fmt: skip


def steam(n: int) -> bytes:
    return json.dumps({"accounts": {f"user{i}": {
        "shared_secret": base64.b64encode(os.urandom(20)).decode(), "serial_number": str(i),
        "revocation_code": "R12345", "account_name": f"user{i}", "token_gid": "abc",
        "identity_secret": base64.b64encode(os.urandom(20)).decode(), "steamid": str(i),
        "status": 1} for i in range(n)}}).encode()  # fmt: skip


def msauth(n: int) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "PhoneFactor"
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE accounts (_id INTEGER PRIMARY KEY, group_key TEXT, name TEXT, "
                     "username TEXT, oath_secret_key TEXT, account_type INTEGER, "
                     "ux_position INTEGER)")  # fmt: skip
        conn.executemany("INSERT INTO accounts (group_key, name, username, oath_secret_key, "
                         "account_type, ux_position) VALUES ('0', ?, ?, ?, 0, ?)",
                         [(f"Site {i}", f"user{i}", _b32(), i) for i in range(n)])  # fmt: skip
        conn.commit()
        conn.close()
        return path.read_bytes()


def totpauth(n: int, password: str) -> bytes:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    entries = [{"issuer": f"Site {i}", "name": f"user{i}", "key": os.urandom(20).hex(),
                "base": 16, "digits": "6", "period": "30", "isFavorite": False}
               for i in range(n)]  # fmt: skip
    plain = json.dumps({json.dumps(entries): "1608293023"}).encode()
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    key = hashlib.sha256(password.encode()).digest()
    enc = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    return base64.b64encode(enc.update(padded) + enc.finalize())


def uri_lines(n: int) -> bytes:
    return "\n".join(f"otpauth://totp/Site%20{i}:user{i}?secret={_b32()}&issuer=Site%20{i}"
                     for i in range(n)).encode()  # fmt: skip


def run(quick: bool) -> list[Figure]:
    count = 1_000 if quick else 10_000
    figures: list[Figure] = []

    def figure(name: str, timed: tuple[float, float, dict[str, str]], floor_name: str) -> None:
        took, floor, extra = timed
        figures.append(Figure(SUITE, f"{name} ({count} entries)", took * 1000, "ms",
                              floor * 1000, floor_name,
                              extra={"entries_per_s": round(count / took), **extra}))  # fmt: skip

    for key, make, name in (("lastpass-authenticator", lastpass, "l.json"), ("duo", duo, "d.json"),
                            ("steam", steam, "s.json")):  # fmt: skip
        data = make(count)
        timed = _timed(
            lambda data=data, key=key, name=name: adapters.read(data, name, source_format=key),
            lambda data=data: json.loads(data),
        )
        figure(f"{key} read", timed, "json.loads")

    data = msauth(count)

    def select() -> object:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "copy.db"
            path.write_bytes(data)
            conn = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
            rows = conn.execute("SELECT * FROM accounts").fetchall()
            conn.close()
            return rows

    timed = _timed(lambda: adapters.read(data, "PhoneFactor",
                                         source_format="microsoft-authenticator"), select)  # fmt: skip
    figure("microsoft-authenticator read", timed, "sqlite3 select *")

    data = totpauth(count, "pw")
    options = ReadOptions(password=lambda _prompt: "pw")
    timed = _timed(lambda: adapters.read(data, "b.bin", source_format="totp-authenticator",
                                         options=options),
                   lambda: decrypt_backup(data, "pw"))  # fmt: skip
    figure("totp-authenticator .bin read", timed, "decrypt_backup")

    lines = uri_lines(count)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Accounts.txt", lines)
    data = buffer.getvalue()
    timed = _timed(lambda: adapters.read(data, "a.zip", source_format="authenticator-plus"),
                   lambda: adapters.read(lines, "a.txt", source_format="otpauth-uris"))  # fmt: skip
    figure("authenticator-plus read (plain zip)", timed, "otpauth-uris read")
    return figures
