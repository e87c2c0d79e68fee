"""The Qt test fixtures themselves: the running qasync loop, the error recorder, the heartbeat."""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import AsyncIterator

import pytest
from fixtures_qt import Heartbeat, LoopErrorRecorder, cancel_leftover_tasks
from PySide6.QtCore import QTimer

from orq_desktop.core.loop import EventLoop


def test_a_coroutine_task_runs_under_wait_until(qtbot, aloop) -> None:
    steps: list[int] = []

    async def work() -> str:
        for i in range(3):
            await asyncio.sleep(0.01)
            steps.append(i)
        return "done"

    task = asyncio.create_task(work())
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.result() == "done"
    assert steps == [0, 1, 2]


def test_the_loop_is_the_running_loop_with_asyncgen_hooks(aloop) -> None:
    assert isinstance(aloop, EventLoop)
    assert asyncio.get_running_loop() is aloop
    assert sys.get_asyncgen_hooks().finalizer == aloop._asyncgen_finalizer_hook


def test_no_loop_is_running_outside_aloop(qapp) -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


def test_an_abandoned_async_generator_is_closed_on_the_loop(qtbot, aloop) -> None:
    # qasync alone leaves this to the garbage collector: "async generator ignored GeneratorExit".
    closed: list[bool] = []

    async def lines() -> AsyncIterator[int]:
        try:
            for i in range(100):
                yield i
        finally:
            await asyncio.sleep(0)  # cleanup that awaits, like closing an HTTP stream
            closed.append(True)

    async def take_one() -> int:
        async for value in lines():
            return value  # leaves the generator mid-iteration
        return -1

    task = asyncio.create_task(take_one())
    qtbot.waitUntil(task.done, timeout=2000)
    assert task.result() == 0
    del task
    gc.collect()
    qtbot.waitUntil(lambda: closed == [True], timeout=2000)


def test_an_unretrieved_task_exception_reaches_the_recorder(qtbot, aloop, loop_errors) -> None:
    async def broken() -> None:
        raise ValueError("boom in a task")

    task = asyncio.create_task(broken())
    qtbot.waitUntil(task.done, timeout=2000)
    del task
    gc.collect()  # asyncio reports "exception was never retrieved" when the task is collected
    recorded = loop_errors.take()
    assert len(recorded) == 1
    assert isinstance(recorded[0]["exception"], ValueError)
    assert "boom in a task" in str(recorded[0]["exception"])


def test_the_recorder_fails_the_test_when_it_holds_an_error() -> None:
    recorder = LoopErrorRecorder()
    recorder.check()  # nothing recorded: passes
    other_loop = asyncio.new_event_loop()
    recorder(other_loop, {"message": "oops", "exception": KeyError("k")})
    other_loop.close()
    assert "oops: KeyError('k')" in recorder.describe()
    with pytest.raises(pytest.fail.Exception, match="oops"):
        recorder.check()


def test_leftover_tasks_are_cancelled(qtbot, aloop) -> None:
    task = asyncio.create_task(asyncio.sleep(60))
    qtbot.wait(1)
    assert cancel_leftover_tasks(aloop, qtbot.waitUntil) == 1
    assert task.cancelled()


def test_heartbeat_records_steady_ticks(qtbot, heartbeat: Heartbeat) -> None:
    qtbot.wait(200)
    heartbeat.stop()
    assert heartbeat.ticks >= 10
    assert heartbeat.percentile(50) < 50


def test_heartbeat_sees_a_stall(qtbot, heartbeat: Heartbeat) -> None:
    QTimer.singleShot(20, lambda: time.sleep(0.15))  # blocks the UI thread for 150 ms
    qtbot.wait(300)
    heartbeat.stop()
    assert heartbeat.max_gap_ms >= 140
    assert heartbeat.p99_gap_ms <= heartbeat.max_gap_ms
