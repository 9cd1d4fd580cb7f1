"""A one-line progress display on standard error for long work (``cxkit convert``).

Nothing is added to the adapters' loops: a daemon thread polls the counters the migration
report already keeps (items read / written) a few times a second, and the conversion tells it
the phase and the passkeys verified (once per passkey, which costs far more than the call).
The line is drawn only when standard error is a terminal, only after the work has lasted a
moment (short runs print nothing), and is erased when the work ends; :meth:`Progress.paused`
hides it while a password prompt is on the terminal. It never shows a secret, only counts.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Final, TextIO, TypeVar

from cxkit.adapters.report import MigrationReport

__all__ = ["Progress"]

_T = TypeVar("_T")

INTERVAL: Final = 0.2
DELAY: Final = 0.5
_PHASES: Final = {"read": "reading", "verify": "verifying passkeys", "write": "writing"}


class Progress:
    """``with Progress(report, enabled=...) as progress:`` around the work; pass
    :meth:`update` as the conversion's progress callback."""

    def __init__(
        self,
        report: MigrationReport,
        *,
        enabled: bool,
        stream: TextIO | None = None,
        delay: float = DELAY,
        interval: float = INTERVAL,
    ) -> None:
        self.report = report
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.delay = delay
        self.interval = interval
        self.phase = "read"
        self.passkeys_done = 0
        self.passkeys_total = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._paused = 0
        self._shown = ""
        self._thread: threading.Thread | None = None

    @classmethod
    def for_terminal(cls, report: MigrationReport, *, quiet: bool) -> Progress:
        """Enabled when standard error is a terminal and the command is not quiet / JSON."""
        try:
            tty = sys.stderr.isatty()
        except (AttributeError, ValueError):
            tty = False
        return cls(report, enabled=tty and not quiet)

    # -- what the work reports

    def update(self, phase: str, done: int = 0, total: int = 0) -> None:
        """The conversion's callback: the phase (``read`` / ``verify`` / ``write``) and, while
        verifying, passkeys done of total."""
        self.phase = phase
        if phase == "verify":
            self.passkeys_done, self.passkeys_total = done, total

    def text(self) -> str:
        r = self.report
        parts = [f"read {r.items_read:,} items"]
        if self.phase in ("verify", "write") and self.passkeys_total:
            parts.append(f"passkeys verified {self.passkeys_done:,}/{self.passkeys_total:,}")
        if self.phase == "write":
            parts.append(f"written {r.items_written:,} items")
        return f"{_PHASES.get(self.phase, self.phase)}… " + " · ".join(parts)

    # -- drawing

    def __enter__(self) -> Progress:
        if self.enabled:
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
        with self._lock:
            self._clear()

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            with self._lock:
                if not self._paused:
                    self._draw(self.text())
            self._stop.wait(self.interval)

    def _draw(self, line: str) -> None:
        if line == self._shown:
            return
        pad = " " * max(0, len(self._shown) - len(line))
        self._write("\r" + line + pad)
        self._shown = line

    def _clear(self) -> None:
        if self._shown:
            self._write("\r" + " " * len(self._shown) + "\r")
            self._shown = ""

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed terminal must not break the work
            self.enabled = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No line while the body runs (a password prompt on the terminal)."""
        with self._lock:
            self._paused += 1
            self._clear()
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
