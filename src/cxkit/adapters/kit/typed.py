"""Typed CXF credentials from a source's flat fields (issue 13): a card number in one column, a
city in another, a passport number in a third → one ``credit-card``, one ``address``, one
``passport`` credential of the item, each source field recorded as the member it became.

Used by readers whose records hold such fields side by side (NordPass CSV columns, Keeper JSON
custom fields, Enpass JSON fields). CXF member types (``spec/cxf.md`` §credit-card, §address,
§identity-document, §passport, §drivers-license, §wifi): card numbers, CVVs, PINs and Wi-Fi
passphrases are ``concealed-string``; a card's expiry is ``year-month`` (read by
:func:`~cxkit.adapters.kit.values.parse_card_expiry`); dates are ``date`` (``YYYY-MM-DD``,
read by :func:`~cxkit.adapters.kit.values.parse_time`); a country is ``country-code`` when it
is a two-letter code, else kept as a plain string. A value that does not fit its member (a
second card number, an expiry cxkit cannot read) is kept as a custom field, noted why.
"""

from __future__ import annotations

import re
from typing import Any, Final

from cxkit.adapters.kit.builder import ItemBuilder, Val
from cxkit.adapters.kit.values import parse_card_expiry, parse_time
from cxkit.adapters.report import Disposition
from cxkit.cxf import model as m
from cxkit.cxf.query import utc_datetime

__all__ = ["KINDS", "Parts"]

KINDS: Final[dict[str, type[Any]]] = {
    "credit-card": m.CreditCard,
    "person-name": m.PersonName,
    "address": m.Address,
    "identity-document": m.IdentityDocument,
    "passport": m.Passport,
    "drivers-license": m.DriversLicense,
    "wifi": m.Wifi,
    "api-key": m.ApiKey,
}
"""The credential types :class:`Parts` builds, by CXF type name."""

_CONCEALED: Final = frozenset({"number", "verification_number", "pin", "passphrase", "key"})
_YEAR_MONTH: Final = frozenset({("credit-card", "expiry_date"), ("credit-card", "valid_from")})
_DATES: Final = frozenset({"birth_date", "issue_date", "expiry_date", "valid_from",
                           "creation_date"})  # fmt: skip
_COUNTRIES: Final = frozenset({"country", "issuing_country"})
_COUNTRY: Final = re.compile(r"[A-Za-z]{2}\Z")
_MEMBER: Final = Disposition.MEMBER


def _wire(member: str) -> str:
    """``verification_number`` → ``verificationNumber`` (the CXF member name, for the report)."""
    head, *rest = member.split("_")
    return head + "".join(p.capitalize() for p in rest)


class Parts:
    """The typed credentials of one item under construction (see the module docstring)."""

    __slots__ = ("_b", "_found")

    def __init__(self, b: ItemBuilder) -> None:
        self._b = b
        self._found: dict[str, dict[str, m.EditableField]] = {}

    def __contains__(self, ctype: str) -> bool:
        return ctype in self._found

    def put(self, ctype: str, member: str, v: Val, *, label: str | None = None) -> bool:
        """Member *member* of the item's *ctype* credential from *v* (empty text ignored).
        When the member is taken, or the value does not fit it, *v* becomes a custom field
        *label* (default: its source name) and False is returned."""
        text = v.text.strip() if member not in _CONCEALED else v.text
        if not text:
            return True
        members = self._found.setdefault(ctype, {})
        fallback = label or v.at.lstrip("./")
        if member in members:
            self._b.custom(fallback, v, hidden=member in _CONCEALED,
                           note=f"a second {ctype} {_wire(member)}; kept as a custom field")  # fmt: skip
            return False
        field_type = "concealed-string" if member in _CONCEALED else "string"
        if (ctype, member) in _YEAR_MONTH:
            found = parse_card_expiry(text)
            if found is None:
                self._b.custom(fallback, v, note="not a card expiry cxkit can read; kept as text")
                return False
            text, field_type = f"{found[0]:04d}-{found[1]:02d}", "year-month"
        elif member in _DATES:
            seconds = parse_time(text)
            when = utc_datetime(seconds) if seconds is not None else None
            if when is None:
                self._b.custom(fallback, v, note="not a date cxkit can read; kept as text")
                return False
            text, field_type = when.date().isoformat(), "date"
        elif member in _COUNTRIES and _COUNTRY.match(text):
            text, field_type = text.upper(), "country-code"
        elif member == "hidden":
            text, field_type = (
                ("true" if text.lower() in ("1", "true", "yes") else "false"),
                "boolean",
            )
        members[member] = m.EditableField(field_type=field_type, value=text)
        self._b.rec(v.at, _MEMBER, f"{ctype}.{_wire(member)}")
        return True

    def finish(self) -> None:
        """Add the credentials gathered so far to the item (in the order first named)."""
        for ctype, members in self._found.items():
            if members:
                self._b.add(KINDS[ctype](**members))
        self._found = {}
