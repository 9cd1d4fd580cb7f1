"""Issue #17 item 4: the document-wide limit on items + credentials (``cxkit._limits``),
enforced where every reader passes (``cxkit.adapters.read``), named in a clear error with the
options that raise it (``--max-elements``, ``--raise-limits``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cxkit import _limits
from cxkit.adapters import read
from cxkit.cxf._lenient import DEFAULT_MAX_ELEMENTS, max_elements, set_max_elements
from cxkit.errors import InputTooLargeError

_SECRET = "hunter2-do-not-print"


def _chrome_csv(rows: int) -> bytes:
    lines = ["name,url,username,password,note"]
    lines += [f"site{i},https://s{i}.example/,user{i},{_SECRET}{i}," for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def element_limit() -> Iterator[None]:
    before = max_elements()
    yield
    set_max_elements(before)


def test_default_is_a_million_entries_and_follows_max_elements(element_limit: None) -> None:
    assert _limits.max_entries() == _limits.ENTRIES_PER_ELEMENT * max_elements()
    set_max_elements(DEFAULT_MAX_ELEMENTS)
    assert _limits.max_entries() == 1_000_000
    set_max_elements(3)
    assert _limits.max_entries() == 300


def test_count_is_items_plus_credentials(element_limit: None) -> None:
    doc, _ = read(_chrome_csv(7), "p.csv", source_format="chrome-csv")
    assert _limits.count_entries(doc) == 7 + 7  # each row: an item with one password
    assert _limits.count_entries(doc, stop_after=3) >= 4  # stops early, still over


@pytest.mark.parametrize("rows", [51, 400])
def test_over_the_limit_every_reader_refuses_clearly(rows: int, element_limit: None) -> None:
    set_max_elements(1)  # 100 entries
    with pytest.raises(InputTooLargeError) as caught:
        read(_chrome_csv(rows), "passwords.csv", source_format="chrome-csv")
    exc = caught.value
    text = str(exc) + str(exc.hint)
    assert "more than 100 items and credentials" in str(exc)
    assert exc.location == "passwords.csv"
    assert "--raise-limits" in text and "--max-elements" in text
    assert _SECRET not in text and "site1" not in text


def test_at_the_limit_the_input_is_read(element_limit: None) -> None:
    set_max_elements(1)
    doc, _ = read(_chrome_csv(50), "passwords.csv", source_format="chrome-csv")
    assert _limits.count_entries(doc) == 100


def test_the_cli_names_the_option_and_the_option_raises_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], element_limit: None
) -> None:
    from cxkit.cli.main import main

    src = tmp_path / "passwords.csv"
    src.write_bytes(_chrome_csv(60))
    out = tmp_path / "out.cxf.json"
    code = main(["convert", str(src), "--from", "chrome-csv", "-o", str(out), "--plaintext", "--max-elements",
                 "1"])  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0 and not out.exists()
    assert "more than 100 items and credentials" in err and "--max-elements" in err
    assert "Traceback" not in err and _SECRET not in err
    code = main(["convert", str(src), "--from", "chrome-csv", "-o", str(out), "--plaintext", "--max-elements",
                 "2"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert out.exists()


def test_kit_readers_stop_while_reading(
    element_limit: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers on the kit's VaultBuilder refuse at the first entry past the limit, before the
    rest of the file is read (the check after the read is not what stops them)."""
    import cxkit.adapters as adapters
    from cxkit.adapters.kit.builder import VaultBuilder

    monkeypatch.setattr(adapters, "check_entries", lambda doc, where=None: None)
    kept: list[int] = []
    add = VaultBuilder.add

    def counting_add(self: VaultBuilder, *args: object, **kwargs: object) -> object:
        kept.append(len(self.items))
        return add(self, *args, **kwargs)  # type: ignore[arg-type]

    keep = VaultBuilder.keep  # (the lean path of browser-shaped rows keeps items with keep)

    def counting_keep(self: VaultBuilder, *args: object, **kwargs: object) -> object:
        kept.append(len(self.items))
        return keep(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(VaultBuilder, "add", counting_add)
    monkeypatch.setattr(VaultBuilder, "keep", counting_keep)
    set_max_elements(1)  # 100 entries: the 51st row (102 entries) is refused
    with pytest.raises(InputTooLargeError) as caught:
        read(_chrome_csv(5000), "passwords.csv", source_format="chrome-csv")
    assert caught.value.location == "passwords.csv"
    assert max(kept) == 50
