"""pass (password-store) through gpg, and any CSV read with a column map (``--from csv``).

Workloads: a store of 200 entries (50 with ``--quick``) written by cxkit's writer to the key of
the GnuPG test keyring (``../shared/exports/pass-import-gnupg``, copied to a private folder;
the suite's store figures are skipped without it or without gpg); a generated Chrome-like CSV
of 10k rows (1k) under other column names (``Title,Login,Web Site,Password,Comments``).

Subjects and floors, measured in the same run:

* store read — the whole reader (folder walk, a few gpg processes at a time, pass's conventions,
  the report) against ``gpg --decrypt`` run once per entry, one after the other (the bare cost);
* store write — the writer (one ``gpg --encrypt`` per entry) against the same per-entry
  ``gpg --encrypt`` runs alone;
* generic CSV — the reader with the map guessed from the header, against
  ``list(csv.reader(...))`` of the file.

Floor and subject alternate (:func:`_common.alternate`); each figure is the median of its runs
with the spread (min-max) shown: ``STORE_REPEAT`` runs for the store (each spawns a gpg process
per entry; no warm-up: nothing in-process to warm), ``CSV_REPEAT`` after a warm-up for the CSV.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from _common import Figure, alternate, median, spread
from cxkit import adapters
from cxkit.adapters import ReadOptions, WriteOptions
from cxkit.adapters.genericcsv import CsvMapOptions
from cxkit.adapters.passstore import PassStoreWriteOptions
from suite_browsers import chrome_csv

SUITE = "passstore"
KEY = "D4C78DB7920E1E27F5416B81CC9DB947CF90C77B"
KEYRING = Path(__file__).resolve().parents[2] / "shared" / "exports" / "pass-import-gnupg"


STORE_REPEAT = 3
CSV_REPEAT = 5


def _timed(
    subject: Callable[[], object], floor: Callable[[], object], repeat: int, warmup: int = 1
) -> tuple[float, float, dict[str, str]]:
    """Median seconds of *subject* and *floor* (alternating) and their spreads."""
    floors, subjects = alternate(floor, subject, repeat, warmup=warmup)
    return median(subjects), median(floors), {"spread": spread(subjects),
                                              "floor_spread": spread(floors)}  # fmt: skip


def _store_figures(entries: int) -> list[Figure]:
    if shutil.which("gpg") is None or not KEYRING.is_dir():
        print("  (store figures skipped: needs gpg and ../shared's GnuPG test keyring)")
        return []
    work = Path(tempfile.mkdtemp(prefix="cxkit-bench-"))
    home = work / "gnupg"
    shutil.copytree(KEYRING, home)
    for path in [home, *home.rglob("*")]:
        path.chmod(0o700 if path.is_dir() else 0o600)
    old = os.environ.get("GNUPGHOME")
    os.environ["GNUPGHOME"] = str(home)
    try:
        data = chrome_csv(entries)
        doc, _ = adapters.read(data, "bench.csv", source_format="chrome-csv")
        options = WriteOptions()
        options.set(PassStoreWriteOptions(recipients=(KEY,)))
        plain = [f"pw{i}\nlogin: user{i}\nurl: https://x{i}.example\n".encode()
                 for i in range(entries)]  # fmt: skip
        out: list[bytes] = []
        write, floor_write, write_extra = _timed(
            lambda: out.append(adapters.write(doc, "password-store", options=options)[0]),
            lambda: [subprocess.run(
                ["gpg", "--batch", "--quiet", "--yes", "--compress-algo=none", "--encrypt",
                 "--recipient", KEY], input=p, capture_output=True, check=True) for p in plain],
            STORE_REPEAT, warmup=0,
        )  # fmt: skip
        store = work / "store"
        import zipfile

        with zipfile.ZipFile(io.BytesIO(out[0])) as archive:
            archive.extractall(store)
        files = sorted(store.rglob("*.gpg"))
        read, floor_read, read_extra = _timed(
            lambda: adapters.read(store, "store"),
            lambda: [subprocess.run(["gpg", "--batch", "--quiet", "--decrypt", str(f)],
                                    capture_output=True, check=True) for f in files],
            STORE_REPEAT, warmup=0,
        )  # fmt: skip
        return [
            Figure(SUITE, f"store read ({entries} entries)", read, "s", floor_read,
                   "gpg --decrypt per entry, serially", 1.0, {"entries": entries, **read_extra}),
            Figure(SUITE, f"store write ({entries} entries)", write, "s", floor_write,
                   "gpg --encrypt per entry", 1.3, {"entries": entries, **write_extra}),
        ]  # fmt: skip
    finally:
        if old is None:
            os.environ.pop("GNUPGHOME", None)
        else:
            os.environ["GNUPGHOME"] = old
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)
        shutil.rmtree(work, ignore_errors=True)


def _csv_figure(rows: int) -> Figure:
    text = (
        chrome_csv(rows)
        .decode()
        .replace("name,url,username,password,note", "Title,Web Site,Login,Password,Comments", 1)
    )
    data = text.encode()
    options = ReadOptions()
    options.set(CsvMapOptions())
    value, floor, extra = _timed(
        lambda: adapters.read(data, "bench.csv", source_format="csv", options=options),
        lambda: list(csv.reader(io.StringIO(text))),
        CSV_REPEAT,
    )
    return Figure(SUITE, f"any CSV, guessed map ({rows:,} rows)", value, "s", floor,
                  "list(csv.reader)", 25.0, {"rows": rows, **extra})  # fmt: skip


def run(quick: bool = False) -> list[Figure]:
    return [*_store_figures(50 if quick else 200), _csv_figure(1_000 if quick else 10_000)]
