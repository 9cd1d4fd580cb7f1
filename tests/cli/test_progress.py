"""Progress bars (issue #18, ``cli/_progress.py``): one line redrawn in place with ``\\r`` and
clear-to-end, fitted to the terminal, erased at the end; never on a non-terminal, never with
``--quiet`` or ``--json``. Checked on a fake terminal that records every write (no timing: a
fake clock, and :meth:`Progress.tick` called by the test instead of waiting for the thread)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxkit.adapters.report import MigrationReport
from cxkit.cli import _console, _progress
from cxkit.cli._progress import CLEAR, Line, Progress, bar_text, elapsed_text
from cxkit.cli.main import main


class FakeTty:
    """A terminal stream: records each write."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True

    def text(self) -> str:
        return "".join(self.writes)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_elapsed_text() -> None:
    assert [elapsed_text(s) for s in (0, 5.9, 65, 3599, 3600, 7325)] == [
        "0:00",
        "0:05",
        "1:05",
        "59:59",
        "1:00:00",
        "2:02:05",
    ]


def test_bar_text_shapes() -> None:
    line = bar_text("writing", 4_000, 10_000, unit="items", elapsed=3, columns=80)
    assert line.startswith("writing 4,000/10,000 items  [") and line.endswith("]   40%  0:03")
    bar = line[line.index("[") + 1 : line.index("]")]
    assert len(bar) == 30 and bar.count("█") == 12 and set(bar) == {"█", "·"}
    assert (
        bar_text("reading", 12_345, None, unit="items", elapsed=2) == "reading 12,345 items  0:02"
    )
    assert bar_text("sealing (Argon2id)", elapsed=4) == "sealing (Argon2id)  0:04"
    full = bar_text("x", 7, 7, elapsed=0, columns=60)
    assert "100%" in full and "·" not in full
    over = bar_text("x", 9, 7, elapsed=0, columns=60)  # never more than full
    assert "100%" in over and "·" not in over
    narrow = bar_text("writing", 4_000, 10_000, unit="items", elapsed=3, columns=40)
    assert "[" not in narrow and narrow.endswith("40%  0:03")  # the bar goes first
    tiny = bar_text("verifying passkeys", 4_000, 10_000, unit="items", elapsed=3, columns=20)
    assert len(tiny) == 19 and tiny.endswith("…")


@given(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
    st.integers(0, 10**9),
    st.one_of(st.none(), st.integers(1, 10**9)),
    st.integers(0, 500),
    st.floats(0, 10**6),
)
def test_bar_text_always_fits(
    label: str, done: int, total: int | None, columns: int, elapsed: float
) -> None:
    line = bar_text(label, done, total, unit="items", elapsed=elapsed, columns=columns)
    assert len(line) <= max(10, columns - 1)
    assert "\n" not in line and "\r" not in line


def test_line_redraws_in_place_and_erases() -> None:
    tty = FakeTty()
    line = Line(tty, columns=20)  # type: ignore[arg-type]
    line.draw("reading 10 items")
    line.draw("reading 10 items")  # the same: nothing written
    line.draw("reading 9")  # shorter: clear-to-end removes the rest of the old one
    line.draw("x" * 40)  # cut to 19 columns
    line.clear()
    line.clear()  # nothing shown: nothing written
    assert tty.writes == [
        "\rreading 10 items" + CLEAR,
        "\rreading 9" + CLEAR,
        "\r" + "x" * 18 + "…" + CLEAR,
        "\r" + CLEAR,
    ]


def test_progress_phases_on_a_fake_terminal() -> None:
    tty, clock, report = FakeTty(), Clock(), MigrationReport()
    progress = Progress(report, enabled=True, stream=tty, delay=3600, columns=60, clock=clock)  # type: ignore[arg-type]
    with progress:  # the thread waits out its delay: only the test's ticks draw
        report.items_read = 1234
        progress.update("read")
        clock.now += 1
        progress.tick()
        progress.update("verify", 2, 4)
        clock.now += 1
        progress.tick()
        progress.update("write")
        report.items_written = 617
        clock.now += 63
        progress.tick()
        progress.tick()  # nothing changed: not drawn again
        report.items_written = 1234  # all items out; the key derivation or the proof goes on
        assert progress.text().startswith("writing: finishing  1:05")
        with progress.paused():  # a prompt: the line goes, ticks draw nothing
            progress.tick()
        progress.step("sealing (Argon2id)")
        progress.tick()
        progress.count("sending", 5, 10, "kB")
        progress.tick()
    assert tty.writes == [
        "\rreading 1,234 items  0:01" + CLEAR,
        "\rverifying passkeys 2/4  [" + "█" * 10 + "·" * 11 + "]   50%  0:02" + CLEAR,
        "\rwriting 617/1,234 items  [" + "█" * 10 + "·" * 10 + "]   50%  1:05" + CLEAR,
        "\r" + CLEAR,
        "\rsealing (Argon2id)  1:05" + CLEAR,
        "\rsending 5/10 kB  [" + "█" * 14 + "·" * 14 + "]   50%  1:05" + CLEAR,
        "\r" + CLEAR,  # erased at the end
    ]


def test_a_message_erases_the_line_first(monkeypatch: pytest.MonkeyPatch) -> None:
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    monkeypatch.setattr(_console, "QUIET", False)
    with Progress(enabled=True, stream=tty, delay=3600, columns=60, clock=Clock()) as progress:  # type: ignore[arg-type]
        progress.step("reading")
        progress.tick()
        _console.err("warning: something")
        progress.tick()  # drawn again under the message
    assert tty.writes == [
        "\rreading  0:00" + CLEAR,
        "\r" + CLEAR,
        "warning: something",
        "\n",
        "\rreading  0:00" + CLEAR,
        "\r" + CLEAR,
    ]
    assert _console.ACTIVE == []


def test_never_on_a_non_terminal_nor_quiet_nor_json(monkeypatch: pytest.MonkeyPatch) -> None:
    class Pipe(FakeTty):
        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stderr", Pipe())
    assert not Progress.for_terminal(quiet=False).enabled
    monkeypatch.setattr(sys, "stderr", FakeTty())
    assert Progress.for_terminal(quiet=False).enabled
    assert not Progress.for_terminal(quiet=True).enabled  # --json / a command's -q
    monkeypatch.setattr(_console, "QUIET", True)  # the command line's -q
    assert not Progress.for_terminal(quiet=False).enabled
    disabled = Progress(enabled=False, stream=sys.stderr, delay=0)
    with disabled:
        disabled.step("x")
        disabled.tick()
    assert sys.stderr.writes == []  # type: ignore[attr-defined]


def _samples(tmp_path: Path) -> Path:
    folder = tmp_path / "samples"
    assert main(["demo", "--out", str(folder), "-q"]) == 0
    return folder


FRAME = re.compile(r"\r([^\r\x1b]*)\x1b\[K")


@pytest.mark.parametrize(
    "argv",
    [
        ["convert", "{bw}", "-o", "{out}/c.cxf.json", "--plaintext"],
        ["seal", "{bw}", "-o", "{out}/s.cxp", "--passphrase-env", "CXKIT_T_PP"],
        ["merge", "{bw}", "{cxf}", "-o", "{out}/m.cxf.json", "--plaintext"],
        ["passkeys", "verify", "{cxf}"],
    ],
)
def test_commands_draw_and_erase_their_bar(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    samples = _samples(tmp_path)
    capsys.readouterr()
    names = {"bw": samples / "sample-bitwarden.json", "cxf": samples / "sample-vault.cxf.json"}
    words = [w.format(**names, out=tmp_path) for w in argv]
    monkeypatch.setenv("CXKIT_T_PP", "a passphrase long enough for the test")
    monkeypatch.setenv("COLUMNS", "50")
    monkeypatch.setattr(_progress, "DELAY", 0.0)  # draw at once (the sample is small)
    monkeypatch.setattr(_progress, "INTERVAL", 0.001)
    monkeypatch.setattr("cxkit.cli.commands.passkeys.PROGRESS_EVERY", 1)
    tty = FakeTty()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(words) in (0, 1)
    text = tty.text()
    frames = FRAME.findall(text)
    drawn = [f for f in frames if f]
    assert drawn, text  # at least one frame
    assert all(len(f) <= 49 for f in drawn)  # fitted to COLUMNS=50
    # erased at the end: the last write that clears is the erase itself
    assert [w for w in tty.writes if CLEAR in w][-1] == "\r" + CLEAR
    # quiet / json: never drawn
    for flag in ("-q", "--json"):
        tty.writes.clear()
        more = words if argv[0] == "passkeys" else [*words, "--force"]
        assert main([*more, flag]) in (0, 1)
        assert "\x1b[K" not in tty.text(), flag
