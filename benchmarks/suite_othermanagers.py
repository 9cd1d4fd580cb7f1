"""NordPass, Keeper, Enpass and RoboForm: generated exports read to CXF, and CXF written back as
NordPass and Keeper CSV (``formats/other-managers.md`` §2, §3, §5, §6).

Workload (deterministic): per format, *n* records — ~90 % logins (a folder of 20, a third with
a TOTP where the format has one, some notes and custom fields) and ~10 % cards (NordPass
``credit_card`` rows, Keeper ``bankCard`` records, Enpass ``creditcard`` items); NordPass rows
carry ``additional_urls`` and ``custom_fields`` JSON cells; RoboForm rows their ``RfFieldsV2``
form fields.

Subjects, as ``cxkit convert`` runs them: the whole reader (parsing, mapping, recording every
field in the report) → CXF, and the NordPass / Keeper CSV writers from the Keeper JSON
document. Floors, measured in the same run on the same data: ``list(csv.reader(...))`` of the
file (``json.loads`` for the JSON exports) for the readers, ``csv.writer`` of the parsed NordPass
rows for the writers. Floor and subject alternate; each figure is the median with the spread.
"""

from __future__ import annotations

import csv
import io
import json
import random
import statistics
from collections.abc import Callable
from typing import Any

from _common import Figure, alternate, spread
from cxkit import adapters
from cxkit.adapters.keeper import write_keeper_csv
from cxkit.adapters.nordpass import COLUMNS, write_nordpass_csv
from cxkit.adapters.report import MigrationReport
from suite_csv import _DOMAINS, _WORDS, _floor, _secret

SUITE = "othermanagers"
_SEED32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _totp(rng: random.Random) -> str:
    return "".join(rng.choice(_SEED32) for _ in range(32))


def _rows(rows: list[list[str]], header: tuple[str, ...] | None = None) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def nordpass_csv(n: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    folders = [rng.choice(_WORDS).title() for _ in range(20)]
    rows: list[list[str]] = [[f, *[""] * 19, "folder", ""] for f in folders]
    for i in range(n):
        name = f"{rng.choice(_WORDS)}{i}"
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(name=name, folder=rng.choice(folders))
        if rng.random() < 0.9:
            cells.update(url=f"https://{rng.choice(_DOMAINS)}/", username=f"{name}@example.com",
                         password=_secret(rng), type="password",
                         additional_urls=json.dumps([f"https://m.{rng.choice(_DOMAINS)}/"]),
                         custom_fields=json.dumps([{"label": "PIN", "type": "hidden",
                                                    "value": _secret(rng, 4)}])
                         if rng.random() < 0.3 else "")  # fmt: skip
        else:
            cells.update(cardholdername="ANN SMITH", cardnumber="4111111111111111", cvc="123",
                         expirydate="06/29", zipcode="T12", type="credit_card")  # fmt: skip
        if rng.random() < 0.2:
            cells["note"] = " ".join(rng.choices(_WORDS, k=6))
        rows.append([cells[c] for c in COLUMNS])
    return _rows(rows, COLUMNS)


def keeper_csv(n: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    folders = [f"{rng.choice(_WORDS).title()}\\{rng.choice(_WORDS).title()}" for _ in range(20)]
    rows = []
    for i in range(n):
        name = f"{rng.choice(_WORDS)}{i}"
        row = [rng.choice(folders), name, f"{name}@example.com", _secret(rng),
               f"https://{rng.choice(_DOMAINS)}/", "", ""]  # fmt: skip
        if rng.random() < 0.33:
            row += ["TFC:Keeper", f"otpauth://totp/{name}?secret={_totp(rng)}"]
        if rng.random() < 0.3:
            row += ["PIN", _secret(rng, 4)]
        rows.append(row)
    return _rows(rows)


def keeper_json(n: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    folders = [f"{rng.choice(_WORDS).title()}\\{rng.choice(_WORDS).title()}" for _ in range(20)]
    records: list[dict[str, Any]] = []
    for i in range(n):
        name = f"{rng.choice(_WORDS)}{i}"
        rec: dict[str, Any] = {"title": name, "uid": f"uid{i}", "last_modified": 1762428779,
                               "folders": [{"folder": rng.choice(folders)}]}  # fmt: skip
        if rng.random() < 0.9:
            rec.update({"$type": "login", "login": f"{name}@example.com",
                        "password": _secret(rng), "login_url": f"https://{rng.choice(_DOMAINS)}/",
                        "custom_fields": {"$oneTimeCode": f"otpauth://totp/x?secret={_totp(rng)}"}
                        if rng.random() < 0.33 else {}})  # fmt: skip
        else:
            rec.update({"$type": "bankCard", "custom_fields": {
                "$paymentCard": {"cardNumber": "4111111111111111", "cardExpirationDate": "06/2029",
                                 "cardSecurityCode": "123"},
                "$text:cardholderName": "ANN SMITH", "$pinCode": "1234"}})  # fmt: skip
        records.append(rec)
    return json.dumps({"shared_folders": [], "records": records}).encode()


def enpass_json(n: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    folders = [{"uuid": f"f{k}", "title": rng.choice(_WORDS).title(), "parent_uuid": ""}
               for k in range(20)]  # fmt: skip

    def field(label: str, ftype: str, value: str, sensitive: int = 0) -> dict[str, Any]:
        return {"label": label, "type": ftype, "value": value, "sensitive": sensitive}

    items: list[dict[str, Any]] = []
    for i in range(n):
        name = f"{rng.choice(_WORDS)}{i}"
        item: dict[str, Any] = {"uuid": f"u{i}", "title": name, "favorite": 0, "trashed": 0,
                                "folders": [rng.choice(folders)["uuid"]], "note": ""}  # fmt: skip
        if rng.random() < 0.9:
            item.update(category="login", template_type="login.default", fields=[
                field("Username", "username", f"{name}@example.com"),
                field("Password", "password", _secret(rng), 1),
                field("URL", "url", f"https://{rng.choice(_DOMAINS)}/"),
                field("TOTP", "totp", _totp(rng) if rng.random() < 0.33 else "", 1)])  # fmt: skip
        else:
            item.update(category="creditcard", template_type="creditcard.default", fields=[
                field("Cardholder", "ccName", "ANN SMITH"),
                field("Number", "ccNumber", "4111111111111111", 1),
                field("CVC", "ccCvc", "123", 1), field("Expiry", "ccExpiry", "06/29")])  # fmt: skip
        items.append(item)
    return json.dumps({"folders": folders, "items": items}).encode()


def roboform_csv(n: int, seed: int = 2026) -> bytes:
    rng = random.Random(seed)
    header = ("Name", "Url", "MatchUrl", "Login", "Pwd", "Note", "Folder", "RfFieldsV2")
    rows = []
    for i in range(n):
        name = f"{rng.choice(_WORDS)}{i}"
        user, pwd = f"{name}@example.com", _secret(rng)
        rows.append([name, f"https://{rng.choice(_DOMAINS)}/login", "", user, pwd, "",
                     f"/{rng.choice(_WORDS).title()}", f"User ID$,u,,txt,{user}",
                     f"Password$,p,,pwd,{pwd}"])  # fmt: skip
    return _rows(rows, header)


def _json_floor(data: bytes) -> object:
    return json.loads(data)


def _write_floor(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def run(quick: bool, sizes: tuple[int, ...] | None = None) -> list[Figure]:
    chosen = sizes or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    figures: list[Figure] = []
    for n in chosen:
        inputs = {
            "NordPass CSV": (nordpass_csv(n), "nordpass-csv", _floor, "csv.reader"),
            "Keeper CSV": (keeper_csv(n), "keeper-csv", _floor, "csv.reader"),
            "Keeper JSON": (keeper_json(n), "keeper-json", _json_floor, "json.loads"),
            "Enpass JSON": (enpass_json(n), "enpass-json", _json_floor, "json.loads"),
            "RoboForm CSV": (roboform_csv(n), "roboform-csv", _floor, "csv.reader"),
        }
        doc, report = adapters.read(inputs["Keeper JSON"][0], "k.json", source_format="keeper-json")
        assert report.items_read == n
        rows = _floor(inputs["NordPass CSV"][0])
        assert isinstance(rows, list)
        repeat = 5 if n <= 10_000 else 3
        subjects: dict[str, tuple[Callable[[], object], Callable[[], object], str]] = {}
        for label, (data, key, floor_fn, floor_name) in inputs.items():
            subjects[f"{label} → CXF"] = (
                lambda d=data, f=floor_fn: f(d),  # type: ignore[misc]
                lambda d=data, k=key: adapters.read(d, "x", source_format=k),
                floor_name,
            )
        subjects["CXF → NordPass CSV"] = (lambda r=rows: _write_floor(r),  # type: ignore[misc]
                                          lambda d=doc: write_nordpass_csv(d, MigrationReport()),
                                          "csv.writer")  # fmt: skip
        subjects["CXF → Keeper CSV"] = (lambda r=rows: _write_floor(r),  # type: ignore[misc]
                                        lambda d=doc: write_keeper_csv(d, MigrationReport()),
                                        "csv.writer")  # fmt: skip
        for label, (floor_fn, subject, floor_name) in subjects.items():
            floors, times = alternate(floor_fn, subject, repeat)
            median, floor = statistics.median(times), statistics.median(floors)
            figures.append(
                Figure(
                    SUITE,
                    f"{label}, {n:,} records",
                    median,
                    "s",
                    floor=floor,
                    floor_name=floor_name,
                    extra={
                        "spread": spread(times),
                        "floor_spread": spread(floors),
                        "us_per_record": round(median / n * 1e6, 1),
                    },
                )
            )
        del doc, rows
    return figures


if __name__ == "__main__":
    import sys

    for fig in run(quick=False, sizes=tuple(int(a) for a in sys.argv[1:]) or None):
        print(fig.name, round(fig.value, 4), fig.unit, fig.extra)
