"""The one event loop: asyncio on Qt's loop (qasync), with two workarounds for qasync 0.28.

WORKAROUND 1: its ``run_forever`` never calls ``sys.set_asyncgen_hooks``, so an async generator
abandoned mid-iteration (a ``[DONE]`` break, a Stop) is finalised by the garbage collector and
fails with "async generator ignored GeneratorExit". Installing asyncio's own hooks around
``run_forever`` and calling ``shutdown_asyncgens()`` before closing fixes it (DESIGN.md,
PERF.md §0.2).

WORKAROUND 2: every ``call_later`` / ``call_at`` / ``call_soon`` of qasync starts a Qt timer, and
cancelling the handle leaves that timer running until it fires (the callback is then skipped).
``asyncio.timeout`` / ``timeout_at`` schedule a handle and cancel it on exit, so a stream read
under a 600 s deadline left one live Qt timer per chunk for ten minutes: ~10,000 at once in
``benchmarks/compare.py``. Here a cancelled handle kills its timer at once (:class:`QtTimers`).
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import math
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import qasync
from PySide6.QtCore import QObject, QTimerEvent

log = logging.getLogger(__name__)

EARLY_TOLERANCE_S = 0.0005  # a timer this close to its time runs (asyncio allows its clock's)


class _QtTimerHandle(asyncio.Handle):
    """A handle whose ``cancel()`` also kills the Qt timer that would have run it."""

    __slots__ = ("_timer_id", "_timers")

    def __init__(
        self,
        callback: Callable[..., object],
        args: tuple[Any, ...],
        loop: asyncio.AbstractEventLoop,
        context: contextvars.Context | None,
        timers: QtTimers,
    ) -> None:
        super().__init__(callback, args, loop, context=context)
        self._timers = timers
        self._timer_id = 0

    def cancel(self) -> None:
        if not self._cancelled:
            self._timers.forget(self._timer_id, self)
        super().cancel()


class QtTimers(QObject):
    """The loop's timed callbacks: one Qt timer each, killed when its handle is cancelled.

    Takes the place of qasync's ``_SimpleTimer`` (same ``add_callback`` / ``stop`` /
    ``set_debug``), plus ``forget`` for cancelled handles and ``pending`` for tests.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._loop = loop
        self._handles: dict[int, asyncio.Handle] = {}
        self._due: dict[int, float] = {}  # loop.time() a timed callback is due at
        self._stopped = False
        self._debug = False
        self._thread = threading.get_ident()

    def add_callback(self, handle: asyncio.Handle, delay: float = 0) -> asyncio.Handle:
        due = self._loop.time() + delay if delay > 0 else None
        return self._arm(handle, max(0.0, delay), due)

    def _arm(self, handle: asyncio.Handle, delay: float, due: float | None) -> asyncio.Handle:
        # Rounded up to whole milliseconds; Qt's coarse timers may still fire up to 5% early,
        # so timerEvent re-arms an early one: a callback never runs before its time.
        timer_id = self.startTimer(math.ceil(delay * 1000))
        self._handles[timer_id] = handle
        if due is not None:
            self._due[timer_id] = due
        if isinstance(handle, _QtTimerHandle):
            handle._timer_id = timer_id
        return handle

    def forget(self, timer_id: int, handle: asyncio.Handle) -> None:
        """A handle was cancelled: stop its timer now (Qt kills timers only in their thread)."""
        if self._handles.get(timer_id) is handle and threading.get_ident() == self._thread:
            del self._handles[timer_id]
            self._due.pop(timer_id, None)
            self.killTimer(timer_id)

    @property
    def pending(self) -> int:
        """How many timers are running (scheduled callbacks not yet run nor cancelled)."""
        return len(self._handles)

    def stop(self) -> None:
        """The loop closed: no callback runs any more."""
        self._stopped = True
        if threading.get_ident() == self._thread:
            for timer_id in self._handles:
                self.killTimer(timer_id)
            self._handles.clear()
            self._due.clear()

    def set_debug(self, enabled: bool) -> None:
        self._debug = enabled

    def timerEvent(self, event: QTimerEvent) -> None:  # noqa: N802 (Qt override)
        timer_id = event.timerId()
        self.killTimer(timer_id)
        handle = self._handles.pop(timer_id, None)
        due = self._due.pop(timer_id, None)
        if handle is None or self._stopped or handle.cancelled():
            return
        if due is not None and (early := due - self._loop.time()) > EARLY_TOLERANCE_S:
            self._arm(handle, early, due)
            return
        if not self._debug:
            handle._run()
            return
        started = time.monotonic()
        handle._run()
        took = time.monotonic() - started
        if took >= self._loop.slow_callback_duration:
            log.warning("Executing %r took %.3f seconds", handle, took)


class EventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop plus asyncio's async-generator finaliser hooks and timers that die cancelled.

    Its default executor (``asyncio.to_thread``) is a plain ``ThreadPoolExecutor``: qasync's own
    ``QThreadExecutor`` aborts the process ("QThread: Destroyed while thread is still running")
    when the interpreter exits before the loop is closed, which is how pytest-qt ends a session.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # qasync's own timer object is kept (alive, unused) in case it was given work already.
        self._qasync_timer: QObject = self.__dict__["_timer"]
        self._timers = QtTimers(self)
        self._timer = self._timers  # qasync's close() and set_debug() use this name
        self.set_default_executor(ThreadPoolExecutor(max_workers=4, thread_name_prefix="orq-work"))

    @property
    def pending_timers(self) -> int:
        """Qt timers started for callbacks that have neither run nor been cancelled."""
        return self._timers.pending

    def call_later(
        self,
        delay: float,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        if inspect.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_later")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        handle = _QtTimerHandle(callback, args, self, context, self._timers)
        return self._timers.add_callback(handle, delay)

    def run_forever(self) -> Any:
        old = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook,
            finalizer=self._asyncgen_finalizer_hook,
        )
        try:
            return super().run_forever()
        finally:
            sys.set_asyncgen_hooks(*old)

    def install_asyncgen_hooks(self) -> tuple[Any, Any]:
        """Install the hooks without running (tests drive the loop through Qt's own loop)."""
        old = sys.get_asyncgen_hooks()
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook,
            finalizer=self._asyncgen_finalizer_hook,
        )
        return old.firstiter, old.finalizer
