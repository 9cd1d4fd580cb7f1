"""LastPass Authenticator exports (``../shared/formats/totp-apps.md`` §11).

JSON ``{deviceId, deviceSecret, localDeviceId, deviceName, version, accounts[], folders[{id,
name, isOpened}], backupInfo}`` (the iOS export lacks ``deviceId``, ``deviceSecret`` and
``backupInfo``). An account is ``{accountID, lmiUserId, issuerName, originalIssuerName,
userName, originalUserName, pushNotification, secret (Base32), timeStep, digits,
creationTimestamp, isFavorite, algorithm, folderData{folderId, position}}``: the user-edited
``issuerName`` / ``userName`` are carried (the ``original*`` names are what the QR code said);
``creationTimestamp`` (milliseconds on Android, seconds on iOS) is the item's creation time.

Folders 0 ("Other accounts") and 1 ("Favorites") are the app's own; other folders become
collections. The device members (``deviceSecret`` is LastPass's device credential) are not
carried.
"""

from __future__ import annotations

from typing import Any, Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.kit.builder import Val
from cxkit.adapters.otp._reader import NOT_CARRIED, EntryVault, members
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError

__all__ = ["LastPassAuthenticatorAdapter"]

_FILE: Final = "(the export)"
"""The item name of the records of fields outside any entry."""

_TOP: Final = frozenset({"accounts", "deviceName", "localDeviceId"})
_ACCOUNT: Final = frozenset({"secret", "timeStep", "digits"})
_BUILTIN_FOLDERS: Final = (0, 1)
_TAKEN: Final = ("secret", "issuerName", "userName", "timeStep", "digits", "algorithm",
                 "isFavorite", "folderData", "creationTimestamp")  # fmt: skip
_KNOWN: Final = {
    "accountID": (Disposition.MEMBER, "item.id", "the item id derives from it"),
    "originalIssuerName": (NOT_CARRIED, "", "the issuer as first scanned (issuerName is carried)"),
    "originalUserName": (NOT_CARRIED, "", "the name as first scanned (userName is carried)"),
    "lmiUserId": (NOT_CARRIED, "", "the LastPass account the entry was synced with"),
    "pushNotification": (NOT_CARRIED, "", "LastPass push sign-in setting"),
}
_TOP_NOTES: Final = {
    "deviceId": "the LastPass device registration",
    "deviceSecret": "the LastPass device credential (not an account's)",
    "localDeviceId": "the app's device id",
    "deviceName": "the phone's name",
    "version": "the export's format version",
    "backupInfo": "when and by which app version the export was made",
}


class LastPassAuthenticatorAdapter:
    info = AdapterInfo(
        key="lastpass-authenticator",
        app="LastPass Authenticator",
        format="JSON export (Android and iOS)",
        versions="LastPass Authenticator 2.x (export format versions 1-3)",
        capabilities=Capability.READ,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "LastPass Authenticator → Settings → Transfer accounts → Export accounts to file "
            "(a JSON file)."
        ),
        extensions=(".json",),
    )
    rp_id = "lastpass.com"
    app = "LastPass Authenticator"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for a JSON object with ``accounts``, ``deviceName`` and ``localDeviceId``
        whose first accounts (if any) have ``secret``, ``timeStep`` and ``digits``."""
        if not sample.json_keys >= _TOP:
            return Confidence.NO
        entries = sample.json_entries("accounts", limit=8)
        if entries is None:
            return Confidence.NO
        if all(isinstance(e, dict) and set(e) >= _ACCOUNT for e in entries):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        top = sample.json
        if not isinstance(top, dict) or not isinstance(top.get("accounts"), list):
            raise DecodeError("not a LastPass Authenticator export: no list of accounts",
                              location=name or None)  # fmt: skip
        vault = EntryVault.of(self, name, options, report)
        folders = self._folders(top.get("folders"), report)
        for key in top:
            if key in _TOP_NOTES:
                report.add_field(f"$.{key}", _FILE, NOT_CARRIED, "", _TOP_NOTES[key])
            elif key not in ("accounts", "folders"):
                report.add_field(f"$.{key}", _FILE, NOT_CARRIED, "",
                                 "a member of the export cxkit does not know")  # fmt: skip
        for index, rec in enumerate(top["accounts"]):
            at = f"$.accounts[{index}]"
            if not isinstance(rec, dict):
                vault.skip(at, "the account is not a JSON object")
                continue
            self._account(vault, rec, at, index, folders)
        return vault.document()

    def _folders(self, value: Any, report: MigrationReport) -> dict[int, str]:
        """Folder id → name; the folders recorded (the app's own two not carried)."""
        found: dict[int, str] = {}
        if value is None:
            return found
        if not isinstance(value, list):
            report.add_field("$.folders", _FILE, NOT_CARRIED, "", "not a list of folders")
            return found
        for index, folder in enumerate(value):
            at = f"$.folders[{index}]"
            ident = folder.get("id") if isinstance(folder, dict) else None
            label = folder.get("name") if isinstance(folder, dict) else None
            if type(ident) is not int or not isinstance(label, str):
                report.add_field(at, _FILE, NOT_CARRIED, "", "a folder without an id or name")
            elif ident in _BUILTIN_FOLDERS:
                report.add_field(at, _FILE, NOT_CARRIED, "", "one of the app's own folders")
            else:
                found[ident] = label
                report.add_field(at, _FILE, Disposition.MEMBER, "collection",
                                 "the folder's accounts are in a collection of its name")  # fmt: skip
        return found

    def _account(self, vault: EntryVault, rec: dict[str, Any], at: str, index: int,
                 folders: dict[int, str]) -> None:  # fmt: skip
        def text(key: str) -> str:
            value = rec.get(key)
            return value.strip() if isinstance(value, str) else ""

        def number(key: str, default: int) -> int:
            value = rec.get(key)
            return value if type(value) is int else default

        where = {k: v for k, v in (("secret", ".secret"), ("issuer", ".issuerName"),
                                   ("account", ".userName"), ("period", ".timeStep"),
                                   ("digits", ".digits"), ("algorithm", ".algorithm"),
                                   ("favorite", ".isFavorite")) if v[1:] in rec}  # fmt: skip
        data = rec.get("folderData")
        folder = data.get("folderId") if isinstance(data, dict) else None
        group = folders.get(folder) if type(folder) is int else None
        favorite = rec.get("isFavorite")
        entry = Entry(
            secret=text("secret"), issuer=text("issuerName"), account=text("userName"),
            algorithm=text("algorithm") or "sha1", digits=number("digits", 6),
            period=number("timeStep", 30), groups=(group,) if group else (),
            favorite=favorite if isinstance(favorite, bool) else None, at=where,
        )  # fmt: skip
        recs, rest = members(rec, _TAKEN, _KNOWN)
        if isinstance(data, dict):
            if "folderId" in data:
                recs.append((".folderData.folderId", Disposition.MEMBER if group else NOT_CARRIED,
                             "collection.items" if group else "",
                             "" if group else "in one of the app's own folders"))  # fmt: skip
            if "position" in data:
                recs.append((".folderData.position", NOT_CARRIED, "", "the order in the app"))
            more, kept = members(data, ("folderId", "position"), {}, ".folderData")
            recs.extend(more)
            rest.extend(kept)
        elif data is not None:
            recs.append((".folderData", NOT_CARRIED, "", "not a folder reference"))
        ident = rec.get("accountID")
        source = f"lpa/{ident}" if isinstance(ident, str) and ident else ""
        stamp = rec.get("creationTimestamp")
        created = None
        if type(stamp) is int or isinstance(stamp, str):  # ms (Android) or seconds (iOS)
            created = Val(str(stamp), ".creationTimestamp")
        elif stamp is not None:
            rest.append(Val(str(stamp), ".creationTimestamp"))
        vault.add(at, entry, source_id=source, index=index, recs=recs, leftovers=rest,
                  created=created)  # fmt: skip
