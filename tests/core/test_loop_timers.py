"""The event loop's timed callbacks: a cancelled handle's Qt timer dies at once (qasync 0.28 kept
it running until it fired), and everything not cancelled still runs."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QAbstractEventDispatcher, QThread

from orq_desktop.core.loop import EventLoop

pytestmark = pytest.mark.gui


def qt_timers(loop: EventLoop) -> int:
    """Qt's own count of the timers registered for the loop's callbacks (not our bookkeeping)."""
    dispatcher = QAbstractEventDispatcher.instance(QThread.currentThread())
    assert dispatcher is not None
    return len(dispatcher.registeredTimers(loop._timers))


def test_1000_cancelled_call_later_handles_leave_no_qt_timer(qtbot, aloop: EventLoop) -> None:
    before_qt, before = qt_timers(aloop), aloop.pending_timers
    ran: list[str] = []
    handles = [aloop.call_later(600, ran.append, f"dead {i}") for i in range(1000)]
    assert qt_timers(aloop) == before_qt + 1000
    assert aloop.pending_timers == before + 1000
    keeper = aloop.call_later(0.02, ran.append, "alive")
    for handle in handles:
        handle.cancel()
    assert qt_timers(aloop) == before_qt + 1  # only the one still to run
    assert aloop.pending_timers == before + 1
    qtbot.waitUntil(lambda: ran == ["alive"], timeout=2000)
    assert not keeper.cancelled()
    assert qt_timers(aloop) == before_qt  # a timer that fired is gone too
    assert aloop.pending_timers == before


def test_cancelling_twice_or_after_running_is_harmless(qtbot, aloop: EventLoop) -> None:
    ran: list[int] = []
    done = aloop.call_soon(ran.append, 1)
    qtbot.waitUntil(lambda: ran == [1], timeout=2000)
    other = aloop.call_later(0.01, ran.append, 2)
    done.cancel()  # already ran: must not touch the timer of another handle
    twice = aloop.call_later(600, ran.append, 3)
    twice.cancel()
    twice.cancel()
    qtbot.waitUntil(lambda: ran == [1, 2], timeout=2000)
    assert not other.cancelled()


def test_a_cancelled_call_soon_never_runs(qtbot, aloop: EventLoop) -> None:
    ran: list[str] = []
    aloop.call_soon(ran.append, "first").cancel()
    aloop.call_soon(ran.append, "second")
    qtbot.waitUntil(lambda: ran == ["second"], timeout=2000)
    qtbot.wait(20)
    assert ran == ["second"]


def test_asyncio_timeouts_do_not_pile_up_timers(qtbot, aloop: EventLoop) -> None:
    """``asyncio.timeout_at`` per read (the client's stream deadline) schedules and cancels."""
    before = qt_timers(aloop)
    peak = 0

    async def reads() -> int:
        nonlocal peak
        deadline = aloop.time() + 600
        done = 0
        for _ in range(1000):
            async with asyncio.timeout_at(deadline):
                await asyncio.sleep(0)
            peak = max(peak, qt_timers(aloop) - before)
            done += 1
        return done

    task = asyncio.ensure_future(reads())
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result() == 1000
    assert peak <= 2, f"{peak} Qt timers alive at once"
    assert qt_timers(aloop) == before


def test_a_timeout_still_fires(qtbot, aloop: EventLoop) -> None:
    async def too_slow() -> str:
        try:
            async with asyncio.timeout(0.02):
                await asyncio.sleep(5)
        except TimeoutError:
            return "timed out"
        return "slept"

    task = asyncio.ensure_future(too_slow())
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.result() == "timed out"


def test_timed_callbacks_never_run_before_their_time(qtbot, aloop: EventLoop) -> None:
    """Qt's coarse timers may fire up to 5% early (15-18 ms for 0.3-3.3 s); the loop re-arms
    such a timer, so a deadline (the client's whole-request limit) never expires early."""
    early: list[float] = []
    done: list[int] = []
    delays = [0.3, 0.45, 0.6, 0.75, 0.9]

    def ran(due: float) -> None:
        early.append(due - aloop.time())
        done.append(1)

    for delay in delays:
        aloop.call_later(delay, ran, aloop.time() + delay)
    qtbot.waitUntil(lambda: len(done) == len(delays), timeout=5000)
    assert max(early) <= 0.001, [round(e * 1000, 1) for e in early]
    assert aloop.pending_timers == 0
