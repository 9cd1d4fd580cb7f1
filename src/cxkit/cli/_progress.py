"""Progress bars on standard error for long work (``convert``, ``export``, ``seal``, ``merge``,
``send``, ``passkeys verify`` and the reading of a large SOURCE).

One line, redrawn in place: ``\\r`` + the text + ``ESC[K`` (clear to the end of the line), so
a shorter text never leaves the end of a longer one behind; fitted to the terminal's width
(one column spare, so that the terminal never wraps it) at every redraw, which follows a
resized window; erased (``\\r ESC[K``) when the work ends or a prompt needs the terminal. Only
on a terminal, never with ``--quiet`` or ``--json``, and only after the work has lasted a
moment (:data:`DELAY`: short runs print nothing). It shows counts, never a value::

    writing 4,000/10,000 items  [██████████············]  40%  0:03
    reading 12,345 items  0:02
    sealing (Argon2id key derivation)  0:04

Nothing is added to the adapters' loops: a daemon thread polls the counters the migration
report already keeps (items read / written) a few times a second (:data:`INTERVAL`); the work
tells :class:`Progress` its phase, and the passkeys verified or bytes sent.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Final, TextIO, TypeVar

if TYPE_CHECKING:
    from cxkit.adapters.report import MigrationReport

__all__ = ["Line", "Progress", "bar_text", "elapsed_text"]

_T = TypeVar("_T")

INTERVAL: Final = 0.2
DELAY: Final = 0.5
CLEAR: Final = "\x1b[K"
BAR_MIN: Final = 10
BAR_MAX: Final = 30
_PHASES: Final = {"read": "reading", "verify": "verifying passkeys", "write": "writing"}


def elapsed_text(seconds: float) -> str:
    """``m:ss`` (``h:mm:ss`` from an hour on)."""
    s = max(0, int(seconds))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def bar_text(
    label: str,
    done: int | None = None,
    total: int | None = None,
    *,
    unit: str = "",
    elapsed: float = 0.0,
    columns: int = 80,
) -> str:
    """The line for *label* with *done* of *total* (a bar and a percentage when *total* is
    known, the count alone when not, the label alone without *done*) and the time elapsed,
    in at most ``columns - 1`` characters: the bar narrows first (down to :data:`BAR_MIN`),
    then goes, then the label is cut with ``…``."""
    width = max(10, columns - 1)
    clock = elapsed_text(elapsed)
    if done is None:
        parts = [label, clock]
        bar = ""
    else:
        count = f"{done:,}/{total:,}" if total else f"{done:,}"
        parts = [f"{label} {count}" + (f" {unit}" if unit else "")]
        bar = ""
        if total:
            pct = min(100, done * 100 // total)
            tail = f"{pct:3d}%  {clock}"
            room = width - len(parts[0]) - len(tail) - 2 * 2 - 2
            if room >= BAR_MIN:
                size = min(BAR_MAX, room)
                filled = min(size, done * size // total)
                bar = "[" + "█" * filled + "·" * (size - filled) + "]"
            parts += [bar, tail] if bar else [tail]
        else:
            parts.append(clock)
    line = "  ".join(parts)
    if len(line) > width:
        line = line[: width - 1] + "…"
    return line


class Line:
    """One line of a terminal redrawn in place (the module's notes); *columns*: a fixed width
    (default: the terminal's, read at each draw)."""

    def __init__(self, stream: TextIO, *, columns: int | None = None) -> None:
        self.stream = stream
        self.fixed_columns = columns
        self.shown = ""
        self.broken = False

    def columns(self) -> int:
        if self.fixed_columns is not None:
            return self.fixed_columns
        return shutil.get_terminal_size((80, 24)).columns

    def draw(self, text: str) -> None:
        """Show *text* (cut to the width) instead of the line shown, unless it is the same."""
        width = max(10, self.columns() - 1)
        if len(text) > width:
            text = text[: width - 1] + "…"
        if text != self.shown:
            self._write("\r" + text + CLEAR)
            self.shown = text

    def clear(self) -> None:
        """Erase the line (nothing when none is shown)."""
        if self.shown:
            self._write("\r" + CLEAR)
            self.shown = ""

    def _write(self, text: str) -> None:
        if self.broken:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal must not break the work
            self.broken = True


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class Progress:
    """``with Progress(report, enabled=...) as progress:`` around the work; pass
    :meth:`update` as a conversion's progress callback, or name steps with :meth:`step` and
    counts with :meth:`count`. Disabled, it costs nothing and draws nothing."""

    def __init__(
        self,
        report: MigrationReport | None = None,
        *,
        enabled: bool,
        stream: TextIO | None = None,
        delay: float = DELAY,
        interval: float = INTERVAL,
        columns: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.report = report
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.line = Line(self.stream, columns=columns)
        self.phase = "read"
        self.label: str | None = None
        self.done: int | None = None
        self.total: int | None = None
        self.unit = ""
        self.passkeys_done = 0
        self.passkeys_total = 0
        self.started = clock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._paused = 0
        self._thread: threading.Thread | None = None

    @classmethod
    def for_terminal(cls, report: MigrationReport | None = None, *, quiet: bool) -> Progress:
        """Enabled when standard error is a terminal and neither *quiet* (``--quiet``,
        ``--json``) nor the command line's ``--quiet`` says otherwise."""
        from cxkit.cli import _console

        enabled = _is_terminal(sys.stderr) and not quiet and not _console.QUIET
        return cls(report, enabled=enabled, delay=DELAY, interval=INTERVAL)

    # -- what the work reports

    def update(self, phase: str, done: int = 0, total: int = 0) -> None:
        """A conversion's callback: the phase (``read`` / ``verify`` / ``write``) and, while
        verifying, passkeys done of total."""
        self.phase, self.label, self.done, self.total = phase, None, None, None
        if phase == "verify":
            self.passkeys_done, self.passkeys_total = done, total

    def step(self, label: str) -> None:
        """A named step without counts (``sealing (Argon2id key derivation)``)."""
        self.phase, self.label, self.done, self.total, self.unit = "step", label, None, None, ""

    def count(self, label: str, done: int, total: int | None = None, unit: str = "") -> None:
        """A step with counts: *done* of *total* (a bar) or *done* alone."""
        self.phase, self.label, self.done, self.total, self.unit = "count", label, done, total, unit

    def text(self, columns: int | None = None) -> str:
        """The line as it would be drawn now."""
        cols = columns if columns is not None else self.line.columns()
        elapsed = self.clock() - self.started
        r = self.report
        if self.phase in ("step", "count") and self.label is not None:
            return bar_text(
                self.label, self.done, self.total, unit=self.unit, elapsed=elapsed, columns=cols
            )
        label = _PHASES.get(self.phase, self.phase)
        if self.phase == "verify" and self.passkeys_total:
            done, total, unit = self.passkeys_done, self.passkeys_total, ""
        elif self.phase == "write" and r is not None and r.items_read:
            if r.items_written >= r.items_read:
                # every item is out; the key derivation of an encrypted DEST or the TOTP proof
                # (DEST read back) may still take seconds: no 100 % bar standing still
                return bar_text("writing: finishing", elapsed=elapsed, columns=cols)
            done, total, unit = r.items_written, r.items_read, "items"
        elif r is not None:
            done, total, unit = r.items_read, 0, "items"
        else:
            return bar_text(label, elapsed=elapsed, columns=cols)
        return bar_text(label, done, total, unit=unit, elapsed=elapsed, columns=cols)

    # -- drawing

    def tick(self) -> None:
        """Draw the line now (the thread does, every :data:`INTERVAL` after :data:`DELAY`)."""
        with self._lock:
            if self.enabled and not self._paused:
                self.line.draw(self.text())

    def clear(self) -> None:
        """Erase the line now; the next tick draws it again (a message is about to print)."""
        with self._lock:
            self.line.clear()

    def __enter__(self) -> Progress:
        self.started = self.clock()
        if self.enabled:
            from cxkit.cli import _console

            _console.ACTIVE.append(self)
            if self.delay <= 0:
                self.tick()  # no delay asked: the first frame now, not when the thread runs
            self._thread = threading.Thread(target=self._run, name="cxkit-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
            from cxkit.cli import _console

            if self in _console.ACTIVE:
                _console.ACTIVE.remove(self)
        self.clear()

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.interval)

    @contextmanager
    def printing(self) -> Iterator[None]:
        """The line erased and kept from redrawing while the body prints a message."""
        with self._lock:
            self.line.clear()
            yield

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No line while the body runs (a password prompt on the terminal)."""
        with self._lock:
            self._paused += 1
            self.line.clear()
        try:
            yield
        finally:
            with self._lock:
                self._paused -= 1

    def wrap(self, ask: Callable[[str], _T]) -> Callable[[str], _T]:
        """*ask* (a password source) run with the line hidden."""

        def run(prompt: str) -> _T:
            with self.paused():
                return ask(prompt)

        return run
