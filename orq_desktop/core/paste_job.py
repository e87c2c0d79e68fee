"""PasteReader: reads a pasted request off the UI thread; only the newest reading is reported.

A short text (``SYNC_CHARS`` or less) is read at once: it takes milliseconds, and the preview
then never shows a stale reading. A longer one is read in a worker thread (``asyncio.to_thread``)
while the window keeps painting. Every ``submit`` takes a new generation number; a reading that
comes back after a newer text was submitted is thrown away, never shown. One worker runs at a
time: text submitted meanwhile waits, and only the newest of it is read next.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from orq_desktop.core.tasks import report_unexpected
from orq_desktop.domain.paste import PasteResult

__all__ = ["SYNC_CHARS", "PasteReader"]

SYNC_CHARS = 20_000  # read on the spot: parsing this much takes a few milliseconds


class PasteReader(QObject):
    """Reads texts with ``parse`` and reports the reading of the newest one.

    Without a running asyncio loop (a script, a test without one) every text is read at once.

    Signals:
        read(result): the reading (a ``PasteResult``) of the newest text submitted.
        busy_changed(busy): a worker started (True) or the newest reading came back (False).
    """

    read = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, parse: Callable[[str], PasteResult], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._parse = parse
        self._generation = 0
        self._task: asyncio.Task[None] | None = None
        self._waiting: tuple[int, str] | None = None
        self._busy = False

    @property
    def generation(self) -> int:
        """The number of the newest text submitted."""
        return self._generation

    def is_busy(self) -> bool:
        """True while the newest text has not been read yet."""
        return self._busy

    def submit(self, text: str) -> int:
        """Read ``text`` (at once when short, else in a worker); returns its generation."""
        self._generation += 1
        generation = self._generation
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None or len(text) <= SYNC_CHARS:
            self._waiting = None
            self._set_busy(False)
            self.read.emit(self._parse(text))
            return generation
        self._set_busy(True)
        if self._task is not None and not self._task.done():
            self._waiting = (generation, text)  # read when the running worker comes back
        else:
            self._start(loop, generation, text)
        return generation

    def cancel(self) -> None:
        """Forget every text submitted; nothing more is reported."""
        self._generation += 1
        self._waiting = None
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._set_busy(False)

    def _start(self, loop: asyncio.AbstractEventLoop, generation: int, text: str) -> None:
        self._task = loop.create_task(self._run(generation, text), name="paste-read")
        self._task.add_done_callback(report_unexpected)

    async def _run(self, generation: int, text: str) -> None:
        result = await asyncio.to_thread(self._parse, text)
        if generation == self._generation:
            self._task = None
            self._set_busy(False)
            self.read.emit(result)
            return
        waiting, self._waiting = self._waiting, None
        self._task = None
        if waiting is not None and waiting[0] == self._generation:
            self._start(asyncio.get_running_loop(), *waiting)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busy_changed.emit(busy)
