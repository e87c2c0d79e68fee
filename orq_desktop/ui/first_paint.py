"""For the start-up benchmark: report the first paint of a window, then quit.

``install(window)`` watches ``window`` for its first ``QEvent.Paint``; at that moment it writes
``{"t": wall-clock seconds, "rss_peak_kib": ...}`` to the file named by ``ORQ_BENCH_FIRST_PAINT``
and exits the process at once.
"""

from __future__ import annotations

import json
import os
import resource
import time

from PySide6.QtCore import QEvent, QObject


class _FirstPaint(QObject):
    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = path

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            record = {
                "t": time.time(),
                "rss_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
            with open(self._path, "w") as f:
                json.dump(record, f)
            os._exit(0)
        return False


def install(window: QObject) -> None:
    path = os.environ.get("ORQ_BENCH_FIRST_PAINT")
    if path:
        watcher = _FirstPaint(path)
        window.installEventFilter(watcher)
        window.setProperty("_first_paint_watcher", watcher)
