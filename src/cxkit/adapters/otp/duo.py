"""Duo Mobile's third-party accounts (``../shared/formats/totp-apps.md`` §12).

A JSON array of ``{version, accountType: "OtpAccount", name, otpGenerator{otpSecret (Base32),
counter?}, logoUri, pkey, serviceTypeLabelIsCustom, …}``. An account with a ``counter`` is
HOTP, otherwise TOTP; Duo's codes are always SHA-1, 6 digits, 30 s. The ``name`` is the label
the user sees: it becomes the title and the TOTP's user name (Duo stores no issuer). Duo Push
accounts (another ``accountType``) hold no OTP seed: the report names them, skipped.
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

__all__ = ["DuoAdapter"]

_EVIDENCE: Final = frozenset({"accountType", "otpGenerator"})
_TAKEN: Final = ("name", "otpGenerator", "logoUri")
_KNOWN: Final = {
    "version": (Disposition.MEMBER, "", "the record's format version"),
    "accountType": (Disposition.MEMBER, "totp", "the kind of account (OtpAccount)"),
    "pkey": (Disposition.MEMBER, "item.id", "the item id derives from it"),
    "serviceTypeLabelIsCustom": (NOT_CARRIED, "", "Duo's display setting"),
}


class DuoAdapter:
    info = AdapterInfo(
        key="duo",
        app="Duo Mobile",
        format="JSON list of accounts (third-party OTP accounts)",
        versions="Duo Mobile for Android 3.x/4.x (app data)",
        capabilities=Capability.READ,
        credential_types=frozenset({"totp", "custom-fields"}),
        how_to_export=(
            "Duo Mobile has no export: the accounts are the app's file "
            "/data/data/com.duosecurity.duomobile/files/duokit/accounts.json (root or an "
            "Android backup)."
        ),
        extensions=(".json",),
    )
    rp_id = "duo.com"
    app = "Duo Mobile"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for a JSON array whose first entries have ``accountType`` and
        ``otpGenerator``."""
        keys = sample.json_array_keys
        if keys and keys >= _EVIDENCE:
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        top = sample.json
        if not isinstance(top, list):
            raise DecodeError("not a Duo Mobile account list: the JSON is not a list",
                              location=name or None)  # fmt: skip
        vault = EntryVault.of(self, name, options, report)
        for index, rec in enumerate(top):
            at = f"$[{index}]"
            if not isinstance(rec, dict):
                vault.skip(at, "the account is not a JSON object")
                continue
            self._account(vault, rec, at, index)
        return vault.document()

    def _account(self, vault: EntryVault, rec: dict[str, Any], at: str, index: int) -> None:
        generator = rec.get("otpGenerator")
        label = rec.get("name")
        if not isinstance(generator, dict):
            kind = rec.get("accountType")
            why = ("a Duo Push account: it has no OTP seed to carry" if kind != "OtpAccount"
                   else "the account has no otpGenerator")  # fmt: skip
            vault.skip(at, why, [f".{k}" for k in rec],
                       title=label if isinstance(label, str) else "")  # fmt: skip
            return
        counter = generator.get("counter")
        hotp = isinstance(counter, int) and not isinstance(counter, bool) and counter >= 0
        where = {"secret": ".otpGenerator.otpSecret"}
        if "name" in rec:
            where["account"] = ".name"
        if hotp:
            where["counter"] = ".otpGenerator.counter"
        if "logoUri" in rec:
            where["icon"] = ".logoUri"
        secret = generator.get("otpSecret")
        entry = Entry(
            secret=secret if isinstance(secret, str) else "",
            kind="hotp" if hotp else "totp",
            account=label if isinstance(label, str) else "",
            counter=counter if hotp else None,
            at=where,
        )
        recs, rest = members(rec, _TAKEN, _KNOWN)
        others, more = members(generator, ("otpSecret", "counter"), {}, ".otpGenerator")
        recs.extend(others)
        rest.extend(more)
        if "counter" in generator and not hotp:
            rest.append(Val(str(counter), ".otpGenerator.counter"))
        pkey = rec.get("pkey")
        vault.add(at, entry, source_id=f"duo/{pkey}" if isinstance(pkey, str) and pkey else "",
                  index=index, recs=recs, leftovers=rest)  # fmt: skip
