"""One render tick for every compare column: their deltas shown together, one repaint a tick.

Each answer in the chat has its own coalescing renderer (``MarkdownStream``, ~30 renders a
second). Six columns with a timer each render at six different moments, and every render repaints
the window: 180 paints a second for six streams. Here the deltas of all columns wait for one
shared timer; at each tick every column appends its text and renders it at once, so Qt paints the
window once for all of them (``benchmarks/compare.py``).
"""

from __future__ import annotations

import time
from typing import Protocol

from PySide6.QtCore import QObject, QTimer


class Renderable(Protocol):
    def append(self, text: str) -> None: ...
    def render_now(self) -> None: ...


class SharedRenderer(QObject):
    """Buffers text per column; renders them all every ``FLUSH_MS`` (more under load)."""

    FLUSH_MS = 33
    MAX_FLUSH_MS = 250

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: dict[Renderable, list[str]] = {}
        self.ticks = 0
        self.last_tick_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    @property
    def interval_ms(self) -> int:
        """The time between ticks now."""
        return self._timer.interval()

    def add(self, column: Renderable, text: str) -> None:
        self._pending.setdefault(column, []).append(text)
        if not self._timer.isActive():
            self._timer.start()

    def flush_column(self, column: Renderable) -> None:
        """Hand a column its waiting text now (it is about to finish or be removed)."""
        if parts := self._pending.pop(column, None):
            column.append("".join(parts))

    def drop(self, column: Renderable) -> None:
        self._pending.pop(column, None)

    def flush(self) -> None:
        self._timer.stop()
        if not self._pending:
            return
        started = time.perf_counter()
        pending, self._pending = self._pending, {}
        for column, parts in pending.items():
            column.append("".join(parts))
            column.render_now()
        self.ticks += 1
        self.last_tick_ms = (time.perf_counter() - started) * 1000
        # Rendering takes at most about a quarter of the UI thread, as in MarkdownStream.
        interval = min(self.MAX_FLUSH_MS, max(self.FLUSH_MS, round(3 * self.last_tick_ms)))
        self._timer.setInterval(interval)
