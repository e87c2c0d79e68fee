"""One render timer for every compare column: each column rendered in turn, evenly spread.

Each answer in the chat has its own coalescing renderer (``MarkdownStream``, ~30 renders a
second). Six columns with a timer each would render 180 times a second, and every render
repaints its column. Here the deltas of all columns wait for one shared timer, which renders
one column per tick, the one whose text has waited longest: each column is rendered every
``FLUSH_MS`` per two streaming columns (33 ms for one or two, 100 ms for five or six), and the
renders are spread evenly over that period instead of coming all at once.

Measured with six columns at 1,000 tokens/s each (``benchmarks/compare.py``, offscreen): a render
of every column every 33 ms cost 2.1 s of CPU per 2.4 s run; every 100 ms, 1.6 s. All six at
once every 100 ms left ticks of 40-50 ms (the worst gap); one column at a time keeps each under
about 10 ms.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QObject, QTimer


class Renderable(Protocol):
    def append(self, text: str) -> None: ...
    def render_now(self) -> None: ...


Finish = Callable[[], None]


class SharedRenderer(QObject):
    """Buffers text per column; renders the columns one per tick, oldest text first."""

    FLUSH_MS = 33  # a column's render period per two streaming columns
    MIN_TICK_MS = 8
    MAX_TICK_MS = 250
    LOAD_FACTOR = 3  # a tick comes at least this many times its render's cost after the last

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Insertion order is the order the columns' text started waiting: the first waited most.
        self._pending: dict[Renderable, list[str]] = {}
        self._finishes: dict[Renderable, Finish] = {}
        self.ticks = 0
        self.last_tick_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.FLUSH_MS)
        self._timer.timeout.connect(self._on_tick)

    @property
    def idle(self) -> bool:
        """Nothing waits to be shown."""
        return not self._pending

    @property
    def interval_ms(self) -> int:
        """The time to the next tick."""
        return self._timer.interval()

    def add(self, column: Renderable, text: str) -> None:
        self._pending.setdefault(column, []).append(text)
        if not self._timer.isActive():
            self._timer.start()

    def finish_later(self, column: Renderable, finish: Finish) -> None:
        """At the column's turn, hand it its waiting text and call ``finish`` (its final render)
        instead of rendering: six columns ending together are not all finished in one go."""
        self._pending.setdefault(column, [])
        self._finishes[column] = finish
        if not self._timer.isActive():
            self._timer.start()

    def flush_column(self, column: Renderable) -> None:
        """Hand a column its waiting text now, and finish it if it was to be finished."""
        parts = self._pending.pop(column, None)
        if parts:
            column.append("".join(parts))
        if (finish := self._finishes.pop(column, None)) is not None:
            finish()

    def drop(self, column: Renderable) -> None:
        self._pending.pop(column, None)
        self._finishes.pop(column, None)

    def flush(self) -> None:
        """Render every column's waiting text now."""
        self._timer.stop()
        while self._pending:
            self._render_next()

    def _on_tick(self) -> None:
        if not self._pending:
            return
        streaming = len(self._pending)
        self._render_next()
        if self._pending:
            period = self.FLUSH_MS * max(1, math.ceil(streaming / 2))
            spread = period / streaming
            wanted = max(spread, self.LOAD_FACTOR * self.last_tick_ms)
            self._timer.setInterval(round(min(self.MAX_TICK_MS, max(self.MIN_TICK_MS, wanted))))
            self._timer.start()
        else:
            self._timer.setInterval(self.FLUSH_MS)  # the next text waits one period at most

    def _render_next(self) -> None:
        column = next(iter(self._pending))
        parts = self._pending.pop(column)
        finish = self._finishes.pop(column, None)
        started = time.perf_counter()
        if parts:
            column.append("".join(parts))
        if finish is not None:
            finish()
        else:
            column.render_now()
        self.ticks += 1
        self.last_tick_ms = (time.perf_counter() - started) * 1000
