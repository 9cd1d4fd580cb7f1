"""Steam Guard files (maFile of Steam Desktop Authenticator and similar tools;
``../shared/formats/totp-apps.md`` §12).

* One account: a JSON object ``{shared_secret (standard Base64), account_name, serial_number,
  revocation_code, uri (otpauth with the same secret in Base32), server_time, token_gid,
  identity_secret, secret_1, status, steamid, steamguard_scheme, device_id, fully_enrolled,
  Session{…}}``.
* Several accounts: ``{"accounts": {<name>: {…one account…}}}``.

``shared_secret`` is the Steam Guard seed: a TOTP with algorithm ``steam`` (5 characters,
30 s; :mod:`cxkit.adapters.otp.entry`). ``identity_secret``, ``secret_1``, the revocation code
and the session's tokens are secrets of the app: kept as concealed custom fields. Every other
member is kept as a custom field.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import Val
from cxkit.adapters.otp._reader import EntryVault, Rec, leaves
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError

__all__ = ["SteamGuardAdapter"]

#: Members of one account that are secrets of the app (kept concealed).
HIDDEN: Final = frozenset({"identity_secret", "secret_1", "revocation_code", "Session"})
_ACCOUNT_KEYS: Final = frozenset({"shared_secret", "account_name"})
_EVIDENCE: Final = frozenset({"serial_number", "revocation_code", "identity_secret", "token_gid"})
_TAKEN: Final = ("shared_secret", "account_name", "uri")


def _is_account(value: Any) -> bool:
    return isinstance(value, dict) and "shared_secret" in value and bool(_EVIDENCE & set(value))


def _secret(value: Any) -> bytes | str:
    """The seed of ``shared_secret`` (standard Base64) as bytes; '' when it is not Base64."""
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return ""
    return raw


class SteamGuardAdapter:
    info = AdapterInfo(
        key="steam",
        app="Steam Guard (Steam Desktop Authenticator maFile)",
        format="JSON maFile (one account, or {accounts: {...}})",
        versions="Steam Desktop Authenticator 1.x maFiles; steamguard-cli",
        capabilities=Capability.READ,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "Steam Desktop Authenticator keeps one <steamid>.maFile per account in its maFiles "
            "folder (turn its own encryption off first: Manage encryption → remove). Convert "
            "each maFile."
        ),
        extensions=(".maFile", ".json"),
    )
    rp_id = "steampowered.com"
    app = "Steam Guard"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for a JSON object with ``shared_secret`` and one of ``serial_number``,
        ``revocation_code``, ``identity_secret``, ``token_gid``; or one whose only member is
        ``accounts``, an object of such accounts."""
        keys = sample.json_keys
        if "shared_secret" in keys and _EVIDENCE & keys:
            return Confidence.LIKELY
        if keys == {"accounts"} and sample.json_member_is("accounts", dict):
            accounts = sample.json_member("accounts")
            if isinstance(accounts, dict) and accounts and all(map(_is_account,
                                                                  accounts.values())):  # fmt: skip
                return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        top = sample.json
        if not isinstance(top, dict):
            raise DecodeError("not a Steam Guard file: the JSON is not an object",
                              location=name or None)  # fmt: skip
        vault = EntryVault.of(self, name, options, report)
        if "shared_secret" in top:
            self._account(vault, top, "$", 0)
            return vault.document()
        accounts = top.get("accounts")
        if not isinstance(accounts, dict) or set(top) != {"accounts"}:
            raise DecodeError("not a Steam Guard file: no shared_secret and no accounts object",
                              location=name or None)  # fmt: skip
        for index, (key, account) in enumerate(accounts.items()):
            at = f"$.accounts.{key}"
            if not isinstance(account, dict):
                vault.skip(at, "the account is not a JSON object")
                continue
            self._account(vault, account, at, index)
        return vault.document()

    def _account(self, vault: EntryVault, rec: dict[str, Any], at: str, index: int) -> None:
        account = rec.get("account_name")
        seed = _secret(rec.get("shared_secret"))
        if not seed:
            vault.skip(at, "shared_secret is missing or not Base64",
                       [f".{k}" for k in rec], title=str(account or ""))  # fmt: skip
            return
        where = {"secret": ".shared_secret"}
        if "account_name" in rec:
            where["account"] = ".account_name"
        entry = Entry(
            secret=seed, kind="steam", issuer="Steam",
            account=account if isinstance(account, str) else "", at=where,
        )  # fmt: skip
        recs: list[Rec] = []
        if "uri" in rec:
            recs.append((".uri", Disposition.MEMBER, "totp",
                         "the same seed as shared_secret, as an otpauth URI"))  # fmt: skip
        hidden: list[Val] = []
        rest: list[Val] = []
        for key, value in rec.items():
            if key in _TAKEN:
                continue
            found = leaves(value, f".{key}")
            (hidden if key in HIDDEN else rest).extend(found)
            if not found:
                recs.append((f".{key}", Disposition.NOT_CARRIED, "", "empty"))
        steamid = rec.get("steamid")
        source = f"steam/{steamid}" if isinstance(steamid, str | int) and steamid else ""
        vault.add(at, entry, source_id=source, index=index, recs=recs, leftovers=rest,
                  hidden=hidden)  # fmt: skip
