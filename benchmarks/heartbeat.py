"""A 5 ms precise timer on the UI thread that records the gaps between its ticks (benchmarks)."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer


class Heartbeat:
    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer(interval=5, timerType=Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps.clear()
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        self.gaps.append(self._clock.nsecsElapsed() / 1e6)
        self._clock.restart()


class TimerPeak:
    """The most Qt timers the loop (``core.loop.EventLoop``) had alive at once, sampled every
    20 ms between ``start`` and ``stop``."""

    def __init__(self, loop: object) -> None:
        self.peak = 0
        self._loop = loop
        self._timer = QTimer(interval=20)
        self._timer.timeout.connect(self._sample)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _sample(self) -> None:
        self.peak = max(self.peak, self._loop.pending_timers)  # type: ignore[attr-defined]
