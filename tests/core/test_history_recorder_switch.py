"""New chat while a turn's first write is still on the database thread: the write finishes for
the old thread, and none of its state (rows, system prompt, options) leaks into the new one."""

from __future__ import annotations

import time
from typing import Any

import pytest
from history_session_support import env_factory, messages, rows

import orq_desktop.core.history_recorder as recorder_mod


@pytest.fixture
def make_env(qtbot: Any, aloop: Any, tmp_path: Any) -> Any:
    yield from env_factory(qtbot, tmp_path)


def test_a_new_chat_during_the_first_write_starts_clean(
    qtbot: Any, sim_server_factory: Any, make_env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(sim_server_factory().url)
    real = recorder_mod.begin_turn

    def slow(store: Any, job: Any, progress: Any) -> None:
        time.sleep(0.5)  # on the database thread: the UI goes on meanwhile
        real(store, job, progress)

    monkeypatch.setattr(recorder_mod, "begin_turn", slow)
    assert env.chat.send("old question", "Be brief.", env.options())
    qtbot.wait(150)
    env.chat.new_chat()
    qtbot.waitUntil(lambda: not env.chat.busy, timeout=5000)
    monkeypatch.setattr(recorder_mod, "begin_turn", real)

    env.send("new question", "Be brief.")
    new = env.chat.thread_id
    saved = messages(env.path, new)
    # The new thread has its own system prompt (the old write must not make the recorder
    # think it was saved already) and only its own turns.
    assert [(role, text) for role, _state, text in saved][:2] == [
        ("system", "Be brief."),
        ("user", "new question"),
    ]
    threads = rows(env.path, "SELECT id FROM threads")
    assert len(threads) == 2
    old = next(t for (t,) in threads if t != new)
    old_saved = messages(env.path, old)
    assert ("user", "old question") in [(r, t) for r, _s, t in old_saved]
    assert old_saved[-1][0] == "assistant" and old_saved[-1][1] != "streaming"
