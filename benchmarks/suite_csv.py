"""CSV readers: generated Bitwarden CSV, KeePassXC CSV and Chrome CSV exports → CXF
(``adapters.read``).

Workload: deterministic exports of 1k, 10k and 100k rows (1k and 10k with ``--quick``) in the
shape the apps write them:

* Bitwarden (personal layout, ``formats/bitwarden.md`` §2): ~85 % logins (1-2 URIs, a fifth with
  a TOTP, some notes, ~15 % with ``fields`` lines), ~15 % secure notes, ~60 % in one of 25
  folders, a few favourites;
* KeePassXC (10 columns, ``formats/keepass.md`` §5): group paths up to three deep, every row a
  login with URL, a fifth with an otpauth URI, some multi-line notes, icon and both times;
* Chrome (``name,url,username,password,note``; the browsers suite's file, issue 13): every row
  a login with a URL (~5 % Android apps), ~20 % with a note.

The subject is the whole reader as ``cxkit convert`` runs it: parsing (BOM, encodings, bounded
cells), mapping every row to a CXF item and recording every non-empty cell and every credential
in the migration report. The floor, measured in the same run on the same bytes, is
``list(csv.reader(...))`` over the decoded text; floor and subject alternate (``repeat`` rounds
each, after a warm-up run of each: ``_common.alternate``), and the figure is the median with the
spread (min–max) shown. The subject includes detection (``adapters.read`` without a format), a
fixed cost that weighs most at 1k rows.

The collector is *paused* for both by default (issue 20 item 1): the readers pause it
internally, so a floor run with it on would pay collections — at 100k rows, of every object
alive in the process — that the subject avoids, and the ratio would flatter the large sizes
(``python benchmarks/suite_csv.py --collector on`` gives the other view: each pays the
collections its allocations trigger, as in use).

``cpu_ratio`` is the same ratio of the same runs in CPU time (``time.thread_time`` around each
call): on a machine shared with other work, wall time charges a run for the time it waited for a
core, which a 1 ms floor run often escapes and a 15 ms subject run does not; CPU time does not
(it still pays for caches other processes evict); ``cpu_spread`` is the min–max of the
rounds' ratios (each round: one floor run and the subject run after it). ``read_csv_x`` is the
parsing phase alone (the kit's guarded ``read_csv``) as a multiple of the floor. Targets (issue
12): linear in the rows, 10k rows under 1 s on a 2-core machine, at most 10× the floor.
"""

from __future__ import annotations

import csv
import io
import random
import statistics
import time
from collections.abc import Callable

from _common import Figure, alternate, spread
from cxkit import adapters
from cxkit.adapters.kit.input import read_csv

SUITE = "csv"
_WORDS = ("alpha", "bravo", "cedar", "delta", "ember", "falcon", "garnet", "harbor", "indigo",
          "juniper", "kestrel", "lumen", "meadow", "nimbus", "onyx", "prairie")  # fmt: skip
_DOMAINS = ("mail.example", "shop.example.com", "bank.example.org", "news.example")


def _secret(rng: random.Random, n: int = 16) -> str:
    return "".join(rng.choice("abcdefghijkmnopqrstuvwxyzABCDEFGH23456789!#%&*") for _ in range(n))


def _totp(rng: random.Random, user: str) -> str:
    secret = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))
    if rng.random() < 0.4:
        return secret
    return f"otpauth://totp/Example:{user}?secret={secret}&issuer=Example"


def bitwarden_csv(rows: int, seed: int = 2026) -> bytes:
    """A Bitwarden personal CSV export of *rows* rows."""
    rng = random.Random(seed)
    folders = [" ".join(rng.sample(_WORDS, 2)).title() for _ in range(25)]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("folder", "favorite", "type", "name", "notes", "fields", "reprompt",
                     "login_uri", "login_username", "login_password", "login_totp"))  # fmt: skip
    for i in range(rows):
        folder = rng.choice(folders) if rng.random() < 0.6 else ""
        favorite = "1" if rng.random() < 0.05 else ""
        name = f"{rng.choice(_WORDS).title()} {i}"
        notes = " ".join(rng.choices(_WORDS, k=8)) if rng.random() < 0.2 else ""
        if rng.random() < 0.15:
            notes += "\nsecond line"
        fields = ""
        if rng.random() < 0.15:
            fields = "\n".join(f"{rng.choice(_WORDS)}: {_secret(rng, 8)}" for _ in range(2))
        if rng.random() < 0.15:
            writer.writerow((folder, favorite, "note", name, notes or "a note", fields, "0",
                             "", "", "", ""))  # fmt: skip
            continue
        user = f"{rng.choice(_WORDS)}{i}@example.com"
        uris = ",".join(f"https://{rng.choice(_DOMAINS)}/login" for _ in range(rng.randint(1, 2)))
        totp = _totp(rng, user) if rng.random() < 0.2 else ""
        writer.writerow((folder, favorite, "login", name, notes, fields, "0", uris, user,
                         _secret(rng), totp))  # fmt: skip
    return out.getvalue().encode("utf-8")


def keepassxc_csv(rows: int, seed: int = 2026) -> bytes:
    """A KeePassXC CSV export of *rows* rows."""
    rng = random.Random(seed)
    groups = ["Root"] + [
        "Root/" + "/".join(rng.choice(_WORDS).title() for _ in range(rng.randint(1, 3)))
        for _ in range(30)
    ]
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(("Group", "Title", "Username", "Password", "URL", "Notes", "TOTP", "Icon",
                     "Last Modified", "Created"))  # fmt: skip
    for i in range(rows):
        user = f"{rng.choice(_WORDS)}{i}"
        notes = "line one\nline two" if rng.random() < 0.2 else ""
        totp = _totp(rng, user) if rng.random() < 0.2 else ""
        day = 1 + i % 28
        writer.writerow((rng.choice(groups), f"{rng.choice(_WORDS).title()} {i}", user,
                         _secret(rng), f"https://{rng.choice(_DOMAINS)}/", notes, totp,
                         str(rng.choice((0, 0, 0, 1, 12, 68))), f"2024-02-{day:02d}T03:04:05Z",
                         f"2023-01-{day:02d}T03:04:05Z"))  # fmt: skip
    return out.getvalue().encode("utf-8")


def _floor(data: bytes) -> object:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _cpu(fn: Callable[[], object], into: list[float]) -> Callable[[], object]:
    """*fn*, appending the CPU seconds of each call to *into* (warm-up calls included)."""

    def run() -> object:
        start = time.thread_time()
        result = fn()
        into.append(time.thread_time() - start)
        return result

    return run


def _chrome_csv(rows: int, seed: int = 2026) -> bytes:
    """The browsers suite's Chrome export (imported here: that suite imports this one)."""
    from suite_browsers import chrome_csv

    return chrome_csv(rows, seed)


#: (label, generator, file name) of each workload
WORKLOADS: tuple[tuple[str, Callable[[int], bytes], str], ...] = (
    ("bitwarden-csv", bitwarden_csv, "bitwarden.csv"),
    ("keepassxc-csv", keepassxc_csv, "keepassxc.csv"),
    ("chrome-csv", _chrome_csv, "Chrome Passwords.csv"),
)


def run(
    quick: bool,
    sizes: tuple[int, ...] | None = None,
    collector: str = "paused",
    labels: tuple[str, ...] | None = None,
) -> list[Figure]:
    chosen = sizes or ((1_000, 10_000) if quick else (1_000, 10_000, 100_000))
    figures: list[Figure] = []
    for label, make, name in WORKLOADS:
        if labels is not None and label not in labels:
            continue
        per_row: list[float] = []
        for n in chosen:
            data = make(n)
            repeat = 5 if n <= 10_000 else 3

            def subject(data: bytes = data, name: str = name) -> object:
                return adapters.read(data, name)

            doc, report = adapters.read(data, name)
            assert report.items_read == n, (label, report.items_read, n)
            cells = len(report.fields)
            del doc, report
            cpu_floors: list[float] = []
            cpu_subjects: list[float] = []
            floors, subjects = alternate(_cpu(lambda data=data: _floor(data), cpu_floors),
                                         _cpu(subject, cpu_subjects), repeat,
                                         collector=collector)  # fmt: skip
            median, floor = statistics.median(subjects), statistics.median(floors)
            # the timed runs' CPU times (alternate's warm-up runs come first)
            cpu_floor = statistics.median(cpu_floors[-repeat:])
            cpu_subject = statistics.median(cpu_subjects[-repeat:])
            # the parsing phase alone (kit read_csv: decoding, limits, row numbers, cell lists)
            _, parses = alternate(lambda: None, lambda data=data: read_csv(data), repeat,
                                  collector=collector)  # fmt: skip
            parse = statistics.median(parses)
            per_row.append(median / n)
            figures.append(
                Figure(
                    SUITE,
                    f"{label} → CXF, {n:,} rows",
                    median,
                    "s",
                    floor=floor,
                    floor_name="csv.reader",
                    target=10.0,
                    extra={
                        "collector": collector,
                        "spread": spread(subjects),
                        "floor_spread": spread(floors),
                        "ratio_spread": spread(
                            [a / b for a, b in zip(subjects, floors, strict=True)]
                        ),
                        "cells": cells,
                        "us_per_row": round(median / n * 1e6, 1),
                        "cpu_ratio": round(cpu_subject / cpu_floor, 2),
                        "cpu_spread": spread(
                            [
                                a / b
                                for a, b in zip(
                                    cpu_subjects[-repeat:], cpu_floors[-repeat:], strict=True
                                )
                            ]
                        ),
                        "cpu_us_per_row": round(cpu_subject / n * 1e6, 1),
                        "read_csv_x": round(parse / floor, 2),
                        **({"under_1s": median < 1.0} if n == 10_000 else {}),
                    },
                )
            )
        if len(per_row) > 1:
            figures.append(
                Figure(
                    SUITE,
                    f"{label}: per-row cost, largest / smallest size",
                    per_row[-1] / per_row[0],
                    "×",
                )
            )
    return figures


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="the csv suite alone, with its options")
    parser.add_argument("sizes", nargs="*", type=int, help="rows (default 1k, 10k, 100k)")
    parser.add_argument("--collector", choices=("paused", "on"), default="paused")
    parser.add_argument("--only", action="append", help="a workload label (repeatable)")
    args = parser.parse_args()
    for fig in run(quick=False, sizes=tuple(args.sizes) or None, collector=args.collector,
                   labels=tuple(args.only) if args.only else None):  # fmt: skip
        ratio = f" ratio {fig.ratio:.2f}" if fig.ratio is not None else ""
        print(fig.name, round(fig.value, 4), fig.unit + ratio, fig.extra, flush=True)
