"""A final write that failed is tried again on its own, later, until it lands."""

from __future__ import annotations

from typing import Any

import pytest
from history_session_support import env_factory, messages, run

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
