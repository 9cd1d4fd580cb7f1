"""Battle.net Authenticator's shared preferences (``../shared/formats/totp-apps.md`` §12).

The app (now inside the Battle.net app, ``com.blizzard.messenger``) keeps its authenticator in
an Android shared-preferences ``<map>``:

* ``com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET`` and ``…AUTHENTICATOR_SERIAL``: hex
  text XOR-ed with Blizzard's fixed mask (``…CREDENTIALS_ENCRYPTION_TYPE`` = ``MASK``): the
  secret unmasks to 40 hex digits (the 20-byte seed), the serial to ``US-1234-5678-9012``;
* the older authenticator app (``com.blizzard.bma``) kept both in one masked value,
  ``com.blizzard.bma.AUTH_STORE.HASH`` (40 hex digits of seed, then the serial).

The mask is public (WinAuth and Aegis use the same); it hides nothing. A Battle.net code is
TOTP SHA-1, 8 digits, 30 s: issuer ``Battle.net``, the serial as the account name.
"""

from __future__ import annotations

import re
from typing import Final

from cxkit import cxf
from cxkit.adapters.base import AdapterInfo, Capability, Confidence, ReadOptions, Sample
from cxkit.adapters.otp import _android
from cxkit.adapters.otp._reader import NOT_CARRIED, EntryVault, Rec
from cxkit.adapters.otp.entry import Entry
from cxkit.adapters.report import Disposition, MigrationReport
from cxkit.errors import DecodeError, UnsupportedVersionError

__all__ = ["BattleNetAdapter", "unmask"]

_FILE: Final = "(the app's preferences)"
"""The item name of the records of fields outside any entry."""

MASK: Final = bytes.fromhex(
    "398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6c80d2fb38068773fa59ba4"
    "7c17ca6c6479015c1d5b8b8f6b9a"
)
"""Blizzard's fixed XOR mask of the stored secret and serial (56 bytes)."""
_NEW: Final = "com.blizzard.messenger.AUTHENTICATOR_"
_SECRET: Final = _NEW + "DEVICE_SECRET"
_SERIAL: Final = _NEW + "SERIAL"
_KIND: Final = _NEW + "CREDENTIALS_ENCRYPTION_TYPE"
_OLD: Final = "com.blizzard.bma.AUTH_STORE.HASH"
_MARKERS: Final = (f'"{_SECRET}"'.encode(), f'"{_OLD}"'.encode())
_HEX: Final = re.compile(r"[0-9a-fA-F]+")
_SEED_HEX: Final = re.compile(r"[0-9a-fA-F]{40}")


def unmask(text: str) -> str | None:
    """A masked hex value → its text (ASCII), or None when it is not masked hex of at most
    the mask's length or does not unmask to printable ASCII."""
    text = text.strip()
    if not text or len(text) % 2 or len(text) > 2 * len(MASK) or not _HEX.fullmatch(text):
        return None
    plain = bytes(a ^ b for a, b in zip(bytes.fromhex(text), MASK, strict=False))
    if not all(0x20 <= c < 0x7F for c in plain):
        return None
    return plain.decode("ascii")


class BattleNetAdapter:
    info = AdapterInfo(
        key="battle-net",
        app="Battle.net Authenticator",
        format="the app's shared preferences (Android XML)",
        versions="Battle.net app (com.blizzard.messenger) and the older Battle.net "
        "Authenticator (com.blizzard.bma)",
        capabilities=Capability.READ,
        credential_types=frozenset({"totp"}),
        how_to_export=(
            "Battle.net has no export: the authenticator is in the app's shared preferences, "
            "/data/data/com.blizzard.messenger/shared_prefs/com.blizzard.messenger.authenticator"
            "_preferences.xml (root or an Android backup)."
        ),
        extensions=(".xml",),
    )
    rp_id = "battle.net"
    app = "Battle.net Authenticator"

    def accepts(self, sample: Sample) -> Confidence:
        """LIKELY for shared preferences (``<map>``) holding Blizzard's masked authenticator
        secret."""
        if sample.xml_root == "map" and any(m in sample.data[: 1 << 20] for m in _MARKERS):
            return Confidence.LIKELY
        return Confidence.NO

    def read(self, sample: Sample, options: ReadOptions, report: MigrationReport) -> cxf.Document:
        name = sample.name
        strings, others = _android.prefs_strings(sample.data, name)
        by_name = {p.name: p for p in strings}
        vault = EntryVault.of(self, name, options, report)
        for at in others:
            report.add_field(f"{name}:{at}", _FILE, NOT_CARRIED, "", "a setting of the app")
        kind = by_name.get(_KIND)
        if kind is not None and kind.text.strip() != "MASK":
            raise UnsupportedVersionError(
                "the Battle.net authenticator is stored with a protection other than Blizzard's "
                "mask; cxkit reads only the masked form", location=f"{name}:{kind.at}",
            )  # fmt: skip
        secret, serial, old = by_name.get(_SECRET), by_name.get(_SERIAL), by_name.get(_OLD)
        used = {p.at for p in (secret, serial, old, kind) if p is not None}
        for pref in strings:
            if pref.at not in used:
                report.add_field(
                    f"{name}:{pref.at}", _FILE, NOT_CARRIED, "", "a setting of the app"
                )
        if kind is not None:
            report.add_field(f"{name}:{kind.at}", _FILE, Disposition.MEMBER, "totp.secret",
                             "how the secret is stored (Blizzard's mask)")  # fmt: skip
        if secret is None and old is None:
            raise DecodeError("no Battle.net authenticator in these preferences",
                              location=name or None)  # fmt: skip
        if secret is not None:
            seed = unmask(secret.text)
            number = unmask(serial.text) if serial is not None else None
            where = {"secret": secret.at[len("/map") :]}
            recs: list[Rec] = []
            if serial is not None:
                where["account"] = serial.at[len("/map") :]
            self._add(vault, f"{name}:/map", seed, number or "", where, recs, 0)
        if old is not None:
            both = unmask(old.text)
            seed, number = (both[:40], both[40:]) if both else (None, "")
            where = {"secret": old.at[len("/map") :]}
            self._add(vault, f"{name}:/map", seed, number, where, [], 1)
        return vault.document()

    def _add(self, vault: EntryVault, prefix: str, seed: str | None, serial: str,
             where: dict[str, str], recs: list[Rec], index: int) -> None:  # fmt: skip
        if seed is None or not _SEED_HEX.fullmatch(seed):
            vault.skip(prefix, "the Battle.net secret does not unmask to a seed",
                       list(where.values()), title="Battle.net")  # fmt: skip
            return
        entry = Entry(secret=bytes.fromhex(seed), issuer="Battle.net", account=serial.strip(),
                      digits=8, at=where)  # fmt: skip
        vault.add(prefix, entry, source_id=f"battle.net/{serial.strip()}/{index}", index=index,
                  recs=recs)  # fmt: skip
