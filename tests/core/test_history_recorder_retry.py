"""A final write that failed is tried again on its own, later, until it lands."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from history_session_support import env_factory, messages, rows, run

from orq_desktop.core import history_recorder
from orq_desktop.store.history_types import DiskFullError

pytestmark = pytest.mark.gui


@pytest.fixture
def make_env(qtbot, aloop, tmp_path):
    yield from env_factory(qtbot, tmp_path)


def test_a_failed_final_write_is_retried_without_a_new_turn(
    qtbot: Any, sim_server: Any, make_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = history_recorder.end_turn
    calls: list[float] = []
    failing = [3]  # the first three final writes fail (the disk is full), then space is freed

    def end_turn(store: Any, job: Any) -> None:
        calls.append(job.answer_row)
        if failing[0]:
            failing[0] -= 1
            raise DiskFullError("The disk is full, so the history could not be saved.")
        real(store, job)

    monkeypatch.setattr(history_recorder, "end_turn", end_turn)
    env = make_env(sim_server.url)
    env.history.recorder.retry_delays = (0.05, 0.1)
    env.send("Will this be kept?")
    assert env.history.save_kind == "failed" and "disk is full" in env.history.save_text
    [(_r, state, _t), *_] = messages(env.path, env.chat.thread_id)[1:]
    assert state == "streaming"  # the answer's row is not final yet
    answer = env.chat.turns[-1].text
    assert answer

    qtbot.waitUntil(lambda: env.history.save_kind == "saved", timeout=5_000)
    assert len(calls) == 4 and len(set(calls)) == 1  # the same write, tried again
    assert messages(env.path, env.chat.thread_id)[1] == ("assistant", "complete", answer)
    saves = [kind for kind, _text in env.of("h.save_state") if kind in ("failed", "saved")]
    assert saves[-1] == "saved" and "failed" in saves
    env.send("And the next one?")  # nothing is left to retry: the turn goes out at once
    assert len(calls) == 5


def test_the_retry_stops_when_the_history_closes(
    qtbot: Any, sim_server: Any, make_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def end_turn(store: Any, job: Any) -> None:
        raise DiskFullError("The disk is full, so the history could not be saved.")

    monkeypatch.setattr(history_recorder, "end_turn", end_turn)
    env = make_env(sim_server.url)
    env.history.recorder.retry_delays = (0.05,)
    env.send("Never kept")
    qtbot.waitUntil(lambda: env.history.recorder._retrying is not None)
    task = env.history.recorder._retrying
    qtbot.wait(200)
    assert not task.done()  # still trying
    run(qtbot, env.history.aclose())
    assert task.done()


def fail_while(full: list[bool], calls: list[int]) -> Any:
    """``end_turn`` that fails with a full disk while ``full[0]``, then writes for real."""
    real = history_recorder.end_turn

    def end_turn(store: Any, job: Any) -> None:
        calls.append(job.answer_row)
        if full[0]:
            raise DiskFullError("The disk is full, so the history could not be saved.")
        real(store, job)

    return end_turn


def test_an_answer_waiting_for_its_retry_is_saved_at_close(
    qtbot: Any, sim_server: Any, make_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    full, calls = [True], []
    monkeypatch.setattr(history_recorder, "end_turn", fail_while(full, calls))
    env = make_env(sim_server.url)
    env.history.recorder.retry_delays = (60.0,)  # the next retry is far off
    env.send("Keep me even if I quit now")
    assert env.history.save_kind == "failed"
    thread = env.chat.thread_id
    answer = env.chat.turns[-1].text
    assert answer and messages(env.path, thread)[1][1] == "streaming"
    retrying = env.history.recorder._retrying
    assert retrying is not None and not retrying.done()

    full[0] = False  # space is freed, and the user quits at once
    started = time.monotonic()
    run(qtbot, env.history.aclose())
    assert time.monotonic() - started < 5
    assert len(calls) == 2  # the failed save, then once more at close
    assert messages(env.path, thread)[1] == ("assistant", "complete", answer)
    [(model,)] = rows(env.path, "SELECT model_requested FROM runs WHERE thread_id = ?", (thread,))
    assert model == "openai/gpt-4o"  # the answer's run was saved with it, once
    assert retrying.done()


def test_closing_gives_up_on_a_save_that_still_fails(
    qtbot: Any, sim_server: Any, make_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    full, calls = [True], []
    monkeypatch.setattr(history_recorder, "end_turn", fail_while(full, calls))
    env = make_env(sim_server.url)
    env.history.recorder.retry_delays = (60.0,)
    env.send("Still no space")
    thread = env.chat.thread_id
    run(qtbot, env.history.aclose())  # no exception, the file closes
    assert len(calls) == 2
    assert messages(env.path, thread)[1][1] == "streaming"  # the next start marks it interrupted


def test_closing_waits_a_bounded_time_for_a_stuck_save(
    qtbot: Any, sim_server: Any, make_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    full, calls = [True], []
    monkeypatch.setattr(history_recorder, "end_turn", fail_while(full, calls))
    env = make_env(sim_server.url)
    recorder = env.history.recorder
    recorder.retry_delays, recorder.close_write_s = (60.0,), 0.3
    env.send("A lock that is never released")

    async def stuck() -> None:  # the retry is in the middle of a write that never returns
        async with recorder._retry_lock:
            await asyncio.sleep(30)

    holder = asyncio.ensure_future(stuck())
    qtbot.wait(20)
    started = time.monotonic()
    assert run(qtbot, recorder.write_pending()) is False
    assert 0.25 < time.monotonic() - started < 3
    holder.cancel()
    qtbot.waitUntil(holder.done)
    assert run(qtbot, recorder.write_pending()) is False  # the disk is still full
