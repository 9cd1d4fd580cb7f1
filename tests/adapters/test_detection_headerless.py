"""A CSV without a header row (#13 audit): detection cannot name its app (the first row is data),
so the refusal names the readers of such files with ``--from`` — found from the adapters, not a
list kept here — and never a cell. Dashlane's legacy CSV, whose first row is one cell, is told a
CSV too (it was "text (15 lines), not ... CSV")."""

from __future__ import annotations

import pytest

from cxkit import adapters
from cxkit.adapters.detection import InputRefusedError, headerless_csv_readers, make_sample
from cxkit.adapters.registry import adapters as every_adapter
from cxkit.cli.main import main
from shared_evidence import shared_path

_SECRET = "Zq9%kL2;pW!x7[Rt"


def _refusal(data: bytes) -> InputRefusedError:
    with pytest.raises(InputRefusedError) as info:
        adapters.detect(make_sample(data, "export.csv"))
    return info.value


def test_the_readers_of_headerless_csvs_are_the_adapters_that_say_so() -> None:
    keys = {i.key for i in headerless_csv_readers()}
    assert {"keeper-csv", "dashlane-legacy-csv", "upm-csv"} <= keys
    for key, adapter in every_adapter().items():
        said = adapter.info.format.lower()
        declares = bool(getattr(adapter, "headerless", None))
        if declares or "headerless" in said or "no header" in said:
            assert key in keys, key
        else:
            assert key not in keys, key  # a reader of CSVs with a header is never proposed


def test_the_hint_names_each_reader_with_from_and_no_cell() -> None:
    data = f'Bank,aib,someone@example.org,"{_SECRET}",https://bank.example/,\n'.encode() * 3
    refused = _refusal(data)
    assert refused.verdict == "headerless-csv"
    hint = refused.hint or ""
    for info in headerless_csv_readers():
        assert f"--from {info.key}" in hint
    text = refused.diagnostics()
    for cell in (_SECRET, "someone@example.org", "aib", "bank.example", "Bank"):
        assert cell not in text


def test_a_first_row_of_one_cell_is_still_a_csv() -> None:
    rows = ['"Forge"', f'"Bank","https://bank.example/","annika.k","{_SECRET}","a note"',
            '"Mail","https://mail.example/","bob","pw2"']  # fmt: skip
    refused = _refusal(("\n".join(rows) + "\n").encode())
    assert refused.verdict == "headerless-csv"
    assert "CSV without a header row (1 to 5 columns)" in refused.message
    assert "--from dashlane-legacy-csv" in (refused.hint or "")
    for cell in (_SECRET, "Forge", "annika.k", "bank.example"):
        assert cell not in refused.diagnostics()


@pytest.mark.parametrize(
    "text",
    [
        "just some words\nand more words\n",
        "one line, with a comma\n",  # a header the sniffer takes: not this path
        '"only"\n"one"\n"cell"\n',
        "a\nb, c\nd\ne\n",  # most rows of one cell
    ],
)
def test_text_that_is_not_rows_of_cells_is_not_called_a_headerless_csv(text: str) -> None:
    refused = _refusal(text.encode())
    assert "CSV without a header row (1 to" not in refused.message


@pytest.mark.parametrize(
    ("path", "reader"),
    [
        ("keeper/pass-import/keeper.csv", "keeper-csv"),
        ("dashlane/pass-import/dashlane.csv", "dashlane-legacy-csv"),
        ("upm/pass-import/upm.csv", "upm-csv"),
    ],
)
def test_cxkit_detect_on_the_shared_headerless_exports(
    path: str, reader: str, capsys: pytest.CaptureFixture[str]
) -> None:
    file = shared_path("exports") / path
    assert main(["detect", str(file)]) == 2
    err = capsys.readouterr().err
    assert "CSV without a header row (" in err and f"--from {reader}" in err
    # and the reader named reads it
    assert main(["convert", str(file), "--from", reader, "--dry-run", "-q"]) == 0
