"""Microsoft Authenticator's app database (``../shared/formats/totp-apps.md`` §12).

The Android app keeps its accounts in an SQLite database (``PhoneFactor``), table ``accounts``:
``name`` (the issuer shown), ``username``, ``oath_secret_key``, ``account_type`` and many
columns of Microsoft's own sign-in state. ``account_type`` 0 is a third-party TOTP account
(Base32 seed, 6 digits); 1 a personal Microsoft account, whose seed is standard Base64 and
whose codes have 8 digits; both SHA-1, 30 s. Other types (work or school accounts) are kept
as custom fields, not as TOTP: cxkit does not know their code parameters.

The database is opened read-only on a private copy (:func:`cxkit.adapters.otp._android.
open_sqlite`): the input is never changed. Microsoft's sign-in state (tenant, PIN cache,
encrypted seed copy…) is not carried; unknown columns are kept as custom fields.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import Val
from cxkit.adapters.otp import _android
from cxkit.adapters.otp._reader import NOT_CARRIED, EntryVault, Rec
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError

__all__ = ["MicrosoftAuthenticatorAdapter"]

_COLUMNS: Final = frozenset({"name", "username", "oath_secret_key", "account_type"})
_TAKEN: Final = frozenset({"name", "username", "oath_secret_key", "account_type", "_id"})
_TYPE_TOTP: Final = 0
_TYPE_MICROSOFT: Final = 1
_STATE: Final = "Microsoft Authenticator's sign-in state"
#: Columns of Microsoft's own state: recorded not carried (with why).
_NOT_CARRIED: Final = {
    "encrypted_oath_secret_key": "the seed encrypted with the phone's key (the plain one is read)",
    "cached_pin": "a PIN cached by the app, encrypted with the phone's key",
    "mfa_pin_encryption_key_alias": "the name of a key in the phone's key store",
    "ux_position": "the order in the app",
    "is_totp_code_shown": "a display setting",
    "oath_enabled": _STATE, "group_key": _STATE, "paws_url": _STATE, "cid": _STATE,
    "ngc_ski": _STATE, "aad_user_id": _STATE, "aad_tenant_id": _STATE,
    "account_capability": _STATE, "identity_provider": _STATE, "aad_ngc_totp_enabled": _STATE,
    "aad_authority": _STATE, "restore_capability": _STATE, "update_flags": _STATE,
    "has_password": _STATE, "aad_security_defaults_policy_enabled": _STATE,
}  # fmt: skip


def _microsoft_seed(text: str) -> bytes | str:
    """A Microsoft account's seed (standard Base64) as bytes; '' when it is not Base64."""
    try:
        return base64.b64decode(text.strip(), validate=True) if text.strip() else ""
    except (binascii.Error, ValueError):
        return ""


class MicrosoftAuthenticatorAdapter:
    info = AdapterInfo(
        key="microsoft-authenticator",
        app="Microsoft Authenticator",
        format="the app's SQLite database (PhoneFactor)",
        versions="Microsoft Authenticator for Android 6.x (app data)",
        capabilities=Capability.READ,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "Microsoft Authenticator has no export: its database is "
            "/data/data/com.azure.authenticator/databases/PhoneFactor (root or an Android "
            "backup). Give that file to cxkit; it is opened read-only."
        ),
    )
    rp_id = "microsoft.com"
    app = "Microsoft Authenticator"

    def accepts(self, sample: Sample) -> Confidence:
        """CERTAIN for an SQLite database whose ``accounts`` table has ``name``, ``username``,
        ``oath_secret_key`` and ``account_type``."""
        tables = _android.sample_tables(sample)
        if tables is not None and tables.get("accounts", frozenset()) >= _COLUMNS:
            return Confidence.CERTAIN
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        vault = EntryVault.of(self, name, options, report)
        with _android.open_sqlite(sample.data, name) as conn:
            columns = _android.sqlite_tables(conn).get("accounts", frozenset())
            if not columns >= _COLUMNS:
                raise DecodeError("not a Microsoft Authenticator database: no accounts table",
                                  location=name or None)  # fmt: skip
            cursor = conn.execute("SELECT * FROM accounts")
            names = [str(d[0]) for d in cursor.description]
            for index, row in enumerate(cursor):
                record = dict(zip(names, row, strict=True))
                self._row(vault, record, f"{name}:accounts[{index + 1}]", index)
        return vault.document()

    def _row(self, vault: EntryVault, row: dict[str, Any], at: str, index: int) -> None:
        code = row.get("account_type")
        seed = row.get("oath_secret_key")
        text = seed if isinstance(seed, str) else ""
        secret: bytes | str = text
        digits = 6
        if code == _TYPE_TOTP:
            kind = "totp"
        elif code == _TYPE_MICROSOFT:
            kind, digits, secret = "totp", 8, _microsoft_seed(text)
        else:
            kind = f"account type {code}"
        issuer, account = row.get("name"), row.get("username")
        where = {"secret": ".oath_secret_key", "kind": ".account_type", "issuer": ".name",
                 "account": ".username"}  # fmt: skip
        entry = Entry(
            secret=secret, kind=kind, digits=digits,
            issuer=issuer if isinstance(issuer, str) else "",
            account=account if isinstance(account, str) else "", at=where,
        )  # fmt: skip
        recs: list[Rec] = []
        rest: list[Val] = []
        for column, value in row.items():
            if column in _TAKEN:
                if column == "_id":
                    recs.append(
                        ("._id", Disposition.MEMBER, "item.id", "the item id derives from it")
                    )
                continue
            if value is None or value == "":
                continue  # an empty cell holds nothing to carry (as CSV readers skip them)
            if column in _NOT_CARRIED:
                recs.append((f".{column}", NOT_CARRIED, "", _NOT_CARRIED[column]))
            elif isinstance(value, bytes):
                recs.append((f".{column}", NOT_CARRIED, "", "binary data cxkit does not know"))
            else:
                rest.append(Val(str(value), f".{column}"))
        vault.add(at, entry, source_id=f"db/{row.get('_id', index)}", index=index, recs=recs,
                  leftovers=rest)  # fmt: skip
