"""The window's first paint: the app awaits it before building what the first frame does not need.

``ORQ_BENCH_FIRST_PAINT=<file>`` (used by ``benchmarks/startup.py``) makes the first paint write
``{"t": wall-clock seconds, "rss_peak_kib": ...}`` to that file and exit the process at once.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import time

from PySide6.QtCore import QEvent, QObject


class _FirstPaint(QObject):
    def __init__(self, future: asyncio.Future[None] | None, bench_path: str | None) -> None:
        super().__init__()
        self._future = future
        self._bench_path = bench_path

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            if self._bench_path:
                record = {
                    "t": time.time(),
                    "rss_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                }
                with open(self._bench_path, "w") as f:
                    json.dump(record, f)
                os._exit(0)
            if self._future is not None and not self._future.done():
                self._future.set_result(None)
            watched.removeEventFilter(self)
            _watchers.discard(self)
        return False


_watchers: set[_FirstPaint] = set()  # a Qt property would not keep the Python object alive


def install(window: QObject) -> None:
    """For the benchmark only: exit at the first paint when ``ORQ_BENCH_FIRST_PAINT`` is set."""
    path = os.environ.get("ORQ_BENCH_FIRST_PAINT")
    if path:
        watcher = _FirstPaint(None, path)
        window.installEventFilter(watcher)
        _watchers.add(watcher)


def first_paint(window: QObject) -> asyncio.Future[None]:
    """A future that completes when ``window`` first paints (call before ``show()``)."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    watcher = _FirstPaint(future, os.environ.get("ORQ_BENCH_FIRST_PAINT"))
    window.installEventFilter(watcher)
    _watchers.add(watcher)
    return future
