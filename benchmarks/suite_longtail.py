"""Long tail (``cxkit.adapters.longtail``): readers of the small managers' exports on generated
files, each next to a floor measured in the same run on the same bytes.

Workload: deterministic exports of 2k and 20k entries (2k only with ``--quick``), every entry a
login with a URL, ~20 % with a note:

* SafeInCloud CSV — a column map on the kit's ``CsvReader`` (the common case);
* Zoho Vault CSV (short layout) — this package's ``LooseCsvReader`` (cells beyond the header,
  a row hook), the same floor;
* Passpie YAML — PyYAML's safe loader (libyaml's) and the JSON record reader;
  floor: ``yaml.safe_load`` of the file alone (PyYAML's pure-Python loader dominates);
* GNOME Keyring (plain) — this package's key-file parser and the item builder; floor: Python's
  ``configparser`` reading the same file.

Floors for the CSV readers: ``list(csv.reader(...))`` of the file. Each figure is the median of
``repeat`` alternating runs, with the spread.
"""

from __future__ import annotations

import configparser
import csv
import io
import random
import statistics
from collections.abc import Callable

from _common import Figure, alternate, spread
from cxkit import adapters
from suite_csv import _DOMAINS, _WORDS, _floor, _secret

SUITE = "longtail"


def _rows(n: int, seed: int = 15) -> list[tuple[str, str, str, str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        host = rng.choice(_DOMAINS)
        note = " ".join(rng.choices(_WORDS, k=5)) if rng.random() < 0.2 else ""
        out.append((f"{host} {i}", f"user{i}@example.com", _secret(rng), f"https://{host}/", note))
    return out


def safeincloud(n: int) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(("Title", "Login", "Password", "URL", "Notes", "OTP"))
    for title, user, pw, url, note in _rows(n):
        w.writerow((title, user, pw, url, note, ""))
    return out.getvalue().encode()


def zoho(n: int) -> bytes:
    out = io.StringIO(newline="")
    w = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(("Secret Name", "Secret URL", "Notes"))
    for title, user, pw, url, note in _rows(n):
        w.writerow((title, url, note, user, pw))
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def passpie(n: int) -> bytes:
    lines = ["credentials:"]
    for title, user, pw, _url, note in _rows(n):
        lines += [f"- name: '{title}'", f"  login: '{user}'", f"  password: '{pw.replace(chr(39), chr(39) * 2)}'",
                  f"  comment: '{note}'"]  # fmt: skip
    lines += ["handler: passpie", "version: 1.0", ""]
    return "\n".join(lines).encode()


def keyring(n: int) -> bytes:
    lines = ["[keyring]", "display-name=login", "ctime=0", "mtime=0", ""]
    for i, (title, _user, pw, _url, _note) in enumerate(_rows(n), start=1):
        secret = pw.replace("\\", "\\\\")
        lines += [f"[{i}]", "item-type=0", f"display-name={title}", f"secret={secret}",
                  "mtime=1483228800", "ctime=1483228800", ""]  # fmt: skip
    return "\n".join(lines).encode()


def _yaml_floor(data: bytes) -> object:
    import yaml  # type: ignore[import-untyped]

    return yaml.safe_load(data.decode())


def _ini_floor(data: bytes) -> object:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.read_string(data.decode())
    return parser


_SUBJECTS: tuple[tuple[str, Callable[[int], bytes], str, Callable[[bytes], object], str], ...] = (
    ("SafeInCloud CSV", safeincloud, "safeincloud.csv", _floor, "csv.reader"),
    ("Zoho Vault CSV", zoho, "zoho.csv", _floor, "csv.reader"),
    ("Passpie YAML", passpie, "passpie.yml", _yaml_floor, "yaml.safe_load"),
    ("GNOME Keyring", keyring, "login.keyring", _ini_floor, "configparser"),
)


def run(quick: bool) -> list[Figure]:
    sizes = (2_000,) if quick else (2_000, 20_000)
    repeat = 3 if quick else 5
    figures: list[Figure] = []
    for label, make, name, floor_fn, floor_name in _SUBJECTS:
        for n in sizes:
            data = make(n)
            _, report = adapters.read(data, name)  # warm-up, and a check of the workload
            assert report.items_read == n, (label, report.items_read)

            def subject(data: bytes = data, name: str = name) -> object:
                return adapters.read(data, name)

            def floor_run(data: bytes = data, fn: Callable[[bytes], object] = floor_fn) -> object:
                return fn(data)

            floors, subjects = alternate(floor_run, subject, repeat)
            value, floor = statistics.median(subjects), statistics.median(floors)
            figures.append(Figure(SUITE, f"{label} → CXF, {n:,} entries", value * 1e3, "ms",
                                  floor=floor * 1e3, floor_name=floor_name,
                                  extra={"spread_ms": spread([s * 1e3 for s in subjects]),
                                         "per_entry_us": value / n * 1e6}))  # fmt: skip
    return figures
