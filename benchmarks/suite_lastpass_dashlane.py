"""LastPass and Dashlane: generated exports read to CXF, and CXF written back as their CSVs
(``lastpass-csv``, ``dashlane-zip``, ``dashlane-csv``; ``formats/other-managers.md`` §1, §4).

Workload (deterministic): a LastPass CSV of the current layout (``totp`` column) with ~90 %
logins (a third with a TOTP secret, ``\\`` folders two levels deep, some notes) and ~10 % typed
secure notes (``NoteType:Credit Card`` / ``Address`` / ``Bank Account``, parsed line by line);
a Dashlane CSV archive with the same number of rows split over ``credentials.csv`` (80 %),
``payments.csv`` (10 %) and ``ids.csv`` (10 %).

Subjects, as ``cxkit convert`` runs them: the whole reader (parsing, mapping, recording every
field in the report) → CXF, and the declarative writers → LastPass / Dashlane CSV bytes from the
LastPass document (the second is a LastPass → Dashlane migration: secure notes get no row). Floors, measured in the same run on the same data: ``list(csv.reader(...))`` of
the file (of every member for the archive) for the readers, ``csv.writer`` of the parsed rows
for the writers. Floor and subject alternate; each figure is the median with the spread.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import zipfile
from collections.abc import Callable

from _common import Figure, alternate, spread
from cxkit import adapters
from cxkit.adapters.report import MigrationReport
from suite_csv import _DOMAINS, _WORDS, _floor, _secret

SUITE = "lastpass_dashlane"

_CARD = ("NoteType:Credit Card\nLanguage:en-US\nName on Card:{name}\nType:Visa\n"
         "Number:4111111111111111\nSecurity Code:123\nStart Date:January,2020\n"
         "Expiration Date:June,2029\nNotes:{note}")  # fmt: skip
_ADDRESS = ("NoteType:Address\nTitle:Dr\nFirst Name:{name}\nLast Name:Smith\n"
            "Address 1:1 Main St\nCity / Town:Cork\nZip / Postal Code:T12\nCountry:IE\n"
            "Email Address:{name}@example.com\nPhone:+353 1\nNotes:{note}")  # fmt: skip
_BANK = ("NoteType:Bank Account\nBank Name:AIB\nAccount Type:Checking\nRouting Number:933001\n"
         "Account Number:12345678\nIBAN Number:IE29AIBK93115212345678\nPin:4321\nNotes:{note}")  # fmt: skip


def lastpass_csv(rows: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    folders = [f"{rng.choice(_WORDS).title()}\\{rng.choice(_WORDS).title()}" for _ in range(20)]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("url", "username", "password", "totp", "extra", "name", "grouping", "fav"))
    for i in range(rows):
        name = f"{rng.choice(_WORDS)}{i}"
        note = " ".join(rng.choices(_WORDS, k=5)) if rng.random() < 0.2 else ""
        if rng.random() < 0.1:
            text = rng.choice((_CARD, _ADDRESS, _BANK)).format(name=name, note=note)
            writer.writerow(("http://sn", "", "", "", text, name, rng.choice(folders), "0"))
            continue
        totp = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))
        writer.writerow((f"https://{rng.choice(_DOMAINS)}/login", f"{name}@example.com",
                         _secret(rng), totp if rng.random() < 0.33 else "", note, name,
                         rng.choice(folders), "1" if rng.random() < 0.05 else "0"))  # fmt: skip
    return out.getvalue().encode("utf-8")


def dashlane_zip(rows: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    members: dict[str, list[tuple[str, ...]]] = {
        "credentials.csv": [("username", "username2", "username3", "title", "password", "note",
                             "url", "category", "otpUrl")],
        "payments.csv": [("type", "account_name", "account_holder", "cc_number", "code",
                          "expiration_month", "expiration_year", "routing_number",
                          "account_number", "country", "issuing_bank")],
        "ids.csv": [("type", "number", "name", "issue_date", "expiration_date",
                     "place_of_issue", "state")],
    }  # fmt: skip
    for i in range(rows):
        name = f"{rng.choice(_WORDS)}{i}"
        kind = rng.random()
        if kind < 0.8:
            members["credentials.csv"].append((f"{name}@example.com", "", "", name, _secret(rng),
                                               "", rng.choice(_DOMAINS), rng.choice(_WORDS),
                                               ""))  # fmt: skip
        elif kind < 0.9:
            members["payments.csv"].append(("credit_card", name, "Ann Smith", "4111111111111111",
                                            "123", "6", "2029", "", "", "IE", "AIB"))  # fmt: skip
        else:
            members["ids.csv"].append(("passport", f"P{i}", name, "2020-5-20", "2030-5-19",
                                       "DFA", ""))  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for member, table in members.items():
            text = io.StringIO(newline="")
            csv.writer(text, lineterminator="\n").writerows(table)
            z.writestr(member, text.getvalue())
    return out.getvalue()


def _zip_floor(data: bytes) -> object:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [_floor(z.read(name)) for name in z.namelist()]


def _write_floor(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def run(quick: bool, sizes: tuple[int, ...] | None = None) -> list[Figure]:
    chosen = sizes or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    lastpass, dashlane = adapters.get("lastpass-csv"), adapters.get("dashlane-csv")
    figures: list[Figure] = []
    for n in chosen:
        lp, dl = lastpass_csv(n), dashlane_zip(n)
        lp_doc, lp_report = adapters.read(lp, "lastpass.csv")
        dl_doc, dl_report = adapters.read(dl, "dashlane.zip")
        assert lp_report.items_read == n and dl_report.items_read == n
        lp_rows = _floor(lp)
        repeat = 5 if n <= 10_000 else 3
        subjects: dict[str, tuple[Callable[[], object], Callable[[], object], str]] = {
            "LastPass CSV → CXF": (lambda lp=lp: _floor(lp),
                                   lambda lp=lp: adapters.read(lp, "lp.csv"), "csv.reader"),
            "CXF → LastPass CSV": (lambda rows=lp_rows: _write_floor(rows),  # type: ignore[misc]
                                   lambda doc=lp_doc: lastpass.write_csv(doc, MigrationReport()),
                                   "csv.writer"),
            "Dashlane CSV archive → CXF": (lambda dl=dl: _zip_floor(dl),
                                           lambda dl=dl: adapters.read(dl, "dl.zip"),
                                           "zipfile + csv.reader"),
            "CXF → Dashlane credentials.csv": (
                lambda rows=lp_rows: _write_floor(rows),  # type: ignore[misc]
                lambda doc=lp_doc: dashlane.write_csv(doc, MigrationReport()),
                "csv.writer"),
        }  # fmt: skip
        for label, (floor_fn, subject, floor_name) in subjects.items():
            floors, times = alternate(floor_fn, subject, repeat)
            median, floor = statistics.median(times), statistics.median(floors)
            figures.append(
                Figure(
                    SUITE,
                    f"{label}, {n:,} rows",
                    median,
                    "s",
                    floor=floor,
                    floor_name=floor_name,
                    extra={
                        "spread": spread(times),
                        "floor_spread": spread(floors),
                        "us_per_row": round(median / n * 1e6, 1),
                    },
                )
            )
        del lp_doc, dl_doc, lp_rows
    return figures


if __name__ == "__main__":
    import sys

    for fig in run(quick=False, sizes=tuple(int(a) for a in sys.argv[1:]) or None):
        print(fig.name, round(fig.value, 4), fig.unit, fig.extra)
