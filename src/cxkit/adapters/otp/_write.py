"""What the authenticator writers of this package share: the entries of a CXF document (one per
``totp`` credential, and per HOTP/other entry :func:`~cxkit.adapters.otp.entry.add_entry` kept
as custom fields), each item's credentials recorded in the report (written, or not carried and
why) and its leaves accounted by a :class:`~cxkit.adapters.kit.ledger.Declaration`.

An authenticator app holds one-time passwords only: passwords, passkeys, cards and the rest of an
item are not carried (the report names them); an item with two TOTPs becomes two entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, NamedTuple

from cxkit import cxf
from cxkit.adapters.kit import ledger
from cxkit.adapters.otp.entry import Entry, item_entries, secret_base32
from cxkit.adapters.report import MigrationReport, Outcome
from cxkit.cxf import b64
from cxkit.cxf import model as m

__all__ = ["OTP_FIELDS", "Written", "collect", "declaration"]

OTP_FIELDS: Final = "otp-fields"
"""The credential mode of a custom-fields credential written as an HOTP (or other) entry."""

_C, _T, _N = ledger.CARRIED, ledger.TRANSFORMED, ledger.NOT_CARRIED


class Written(NamedTuple):
    """One entry to write: the entry, its item, the credential's index, and a stable id."""

    entry: Entry
    item: m.Item
    position: int
    uid: str


def declaration(
    app: str,
    *,
    note: bool = True,
    favorite: bool = True,
    groups: bool = True,
    totp: Mapping[str, ledger.Rule] | None = None,
) -> ledger.Declaration:
    """The ledger of an authenticator writer: the TOTP (issuer, user name, secret and
    parameters; *totp* overrides per member), the title as the issuer, the first note, the
    favourite flag and collection titles as groups — each when the app holds it."""
    only = f"{app} holds one-time passwords only"
    item_rules: dict[str, ledger.Rule] = {
        "title": (_T, f"as the {app} entry's issuer when the TOTP names none"),
        "id": (_T, f"as the {app} entry's id") if groups else (_N, f"{app} keeps no ids"),
    }
    if favorite:
        item_rules["favorite"] = _C
    return ledger.Declaration(
        app,
        ledger.Table(item_rules, default=(_N, only), unknown=(_N, only)),
        {
            "totp": ledger.Table(dict(totp or {}), default=_C),
            OTP_FIELDS: ledger.Table(
                {"label": (_T, f"as the {app} entry's type")},
                default=(_T, f"as a {app} entry of its type"),
            ),
            "note": ledger.Table(ledger.editable("content"), default=(_N, only))
            if note
            else ledger.Table(default=(_N, f"{app} entries have no note")),
        },
        header=ledger.Table(default=(_N, f"{app} keeps no export header")),
        accounts=ledger.Table(default=(_N, f"{app} keeps no account")),
        collections=ledger.Table(
            {"title": _C, "items[].item": _C}, default=(_N, f"{app} groups have only a name")
        )
        if groups
        else ledger.Table(default=(_N, f"{app} has no groups")),
    )


def _unusable(entry: Entry) -> str:
    """Why no app can hold *entry* ('' when it is usable): a secret that is not Base32."""
    try:
        secret_base32(entry.secret)
    except b64.Base64Error:
        return "its secret is not Base32"
    return ""


def _memberships(doc: cxf.Document) -> dict[str, list[str]]:
    """Item id → titles of the collections holding it (nested ones flattened)."""
    found: dict[str, list[str]] = {}

    def walk(col: m.Collection) -> None:
        for link in col.items:
            names = found.setdefault(link.item, [])
            if col.title not in names:
                names.append(col.title)
        for sub in col.sub_collections:
            walk(sub)

    for account in doc.accounts:
        for col in account.collections:
            walk(col)
    return found


def collect(
    doc: cxf.Document,
    report: MigrationReport,
    written: ledger.Declaration,
    app: str,
    *,
    fits: Callable[[Entry], str] = lambda _e: "",
    make_id: Callable[[m.Item, int], str] = lambda item, index: f"{item.id}:{index}",
) -> list[Written]:
    """The entries of *doc* to write, in document order; every credential of every item is
    recorded in *report* (stage ``write``): a TOTP (or kept HOTP) carried unless *fits* says
    why the app cannot hold it, the first note carried, everything else not carried."""
    groups = _memberships(doc)
    out: list[Written] = []
    only = f"{app} holds one-time passwords only"
    for a, account in enumerate(doc.accounts):
        for i, item in enumerate(account.items):
            where = f"$.accounts[{a}].items[{i}]"
            entries = {index: e for e, index in item_entries(item, groups.get(item.id, ()))}
            outcomes: list[tuple[str, Outcome, str]] = []
            modes: list[tuple[str, str] | None] = []
            noted = False
            for index, cred in enumerate(item.credentials):
                ctype = cxf.credential_type(cred)
                entry = entries.get(index)
                if entry is not None:
                    why = _unusable(entry) or fits(entry)
                    if why:
                        outcomes.append((ctype, Outcome.NOT_CARRIED, why))
                        modes.append((ledger.DROPPED, why))
                        continue
                    out.append(Written(entry, item, index, make_id(item, index)))
                    steam = isinstance(cred, m.Totp) and cred.algorithm.lower() == "steam"
                    how = "as a Steam entry" if steam else ""
                    mode = "totp" if isinstance(cred, m.Totp) else OTP_FIELDS
                    outcome = Outcome.CARRIED if mode == "totp" else Outcome.TRANSFORMED
                    if mode != "totp":
                        how = f"written as an {entry.kind.upper()} entry"
                    outcomes.append((ctype, outcome, how))
                    modes.append(ledger.written_as(mode))
                elif isinstance(cred, m.Note) and not noted and entries:
                    noted = True
                    outcomes.append((ctype, Outcome.CARRIED, ""))
                    modes.append(ledger.written_as("note"))
                else:
                    outcomes.append((ctype, Outcome.NOT_CARRIED, only))
                    modes.append((ledger.DROPPED, only))
            report.add_credentials("write", item.title, item.id, outcomes)
            written.record(report, where, item, modes)
    report.items_written += len(out)
    written.record_document(report, doc)
    return out
