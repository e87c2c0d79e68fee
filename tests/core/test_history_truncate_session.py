"""Regenerate and edit-and-resend cut the saved thread short in place: the thread id the chat,
the options and the router know stays the same, and the kept turns keep their rows."""

from __future__ import annotations

import pytest
from history_session_support import env_factory, messages, rows, run

from orq_desktop.core.history_queries import SearchQuery

pytestmark = pytest.mark.gui


@pytest.fixture
def make_env(qtbot, aloop, tmp_path):
    yield from env_factory(qtbot, tmp_path)


def _thread_ids(env) -> list[str]:
    return [r[0] for r in rows(env.path, "SELECT id FROM threads")]


def test_regenerate_keeps_the_thread_id_and_the_kept_rows(qtbot, sim_server, make_env) -> None:
    env = make_env(sim_server.url)
    env.send("First question", "Sys")
    env.send("Second question", "Sys")
    tid = env.chat.thread_id
    assert tid is not None
    kept_rows = {t.msg_id: env.history.recorder.rows[t.msg_id] for t in env.chat.turns[:3]}
    changes = len(env.of("thread_changed"))

    assert env.chat.regenerate("Sys", env.options("openai/gpt-4o-mini"))
    env.wait_idle(3)
    assert env.chat.thread_id == tid
    assert len(env.of("thread_changed")) == changes  # nothing to tell the options editor
    assert env.routing.orq()["thread"]["id"] == tid
    assert sim_server.recorded_requests()[-1]["body"]["orq"]["thread"]["id"] == tid
    assert _thread_ids(env) == [tid]
    assert {k: env.history.recorder.rows[k] for k in kept_rows} == kept_rows
    saved = messages(env.path, tid)
    assert [(r, t) for r, _s, t in saved] == [
        ("system", "Sys"),
        ("user", "First question"),
        ("assistant", env.chat.turns[1].text),
        ("user", "Second question"),
        ("assistant", env.chat.turns[3].text),
    ]
    # One answer per question in the file: the replaced one and its run are gone.
    assert rows(env.path, "SELECT count(*) FROM runs WHERE thread_id = ?", (tid,)) == [(2,)]
    listed = run(qtbot, env.history.list_threads())
    assert [(t.id, t.message_count) for t in listed] == [(tid, 5)]


def test_editing_the_first_turn_keeps_the_thread_id(qtbot, sim_server, make_env) -> None:
    env = make_env(sim_server.url)
    env.send("Ask about glaciers", "Sys")
    env.send("And fjords?", "Sys")
    tid = env.chat.thread_id
    first_user = env.chat.turns[0].msg_id

    assert env.chat.edit_and_resend(first_user, "Ask about deserts", "Sys", env.options())
    env.wait_idle(3)
    assert env.chat.thread_id == tid == env.routing.orq()["thread"]["id"]
    assert sim_server.recorded_requests()[-1]["body"]["orq"]["thread"]["id"] == tid
    assert _thread_ids(env) == [tid]
    assert [(r, t) for r, _s, t in messages(env.path, tid)] == [
        ("system", "Sys"),
        ("user", "Ask about deserts"),
        ("assistant", env.chat.turns[1].text),
    ]
    hits = run(qtbot, env.history.search(_query("fjords")))
    assert hits == []  # the cut turns left the search index
    found = run(qtbot, env.history.search(_query("deserts")))
    assert ("user", tid) in {(h.role, h.thread_id) for h in found}


def test_truncate_thread_cuts_the_open_conversation_and_shows_what_is_left(
    qtbot, sim_server, make_env
) -> None:
    env = make_env(sim_server.url)
    env.send("Question one")
    env.send("Question two")
    tid = env.chat.thread_id
    second_user = env.chat.turns[2].msg_id
    row = env.history.recorder.rows[second_user]

    assert run(qtbot, env.history.truncate_thread(tid, row)) == 2
    assert env.chat.thread_id == tid
    assert [t.text for t in env.chat.turns] == ["Question one", env.chat.turns[1].text]
    assert [(r, t) for r, _s, t in messages(env.path, tid)][:1] == [("user", "Question one")]
    assert len(messages(env.path, tid)) == 2
    assert ("Removed 2 messages.",) in env.of("h.status")
    env.send("Question three")  # continues the same thread
    assert env.chat.thread_id == tid and _thread_ids(env) == [tid]
    assert [t for _r, _s, t in messages(env.path, tid)][2] == "Question three"


def test_truncate_thread_is_refused_while_an_answer_arrives(
    qtbot, sim_server_factory, make_env
) -> None:
    sim = sim_server_factory(token_rate=30)
    env = make_env(sim.url)
    env.send("one")
    tid = env.chat.thread_id
    row = env.history.recorder.rows[env.chat.turns[0].msg_id]
    assert env.chat.send("two", "", env.options(max_completion_tokens=200))
    qtbot.waitUntil(lambda: len(env.of("delta")) >= 2, timeout=10_000)
    assert run(qtbot, env.history.truncate_thread(tid, row)) is None
    assert env.of("h.problem")[-1][0].startswith("An answer is still arriving")
    env.chat.stop()
    qtbot.waitUntil(lambda: not env.chat.busy, timeout=10_000)
    assert [r for r, _s, _t in messages(env.path, tid)] == ["user", "assistant"] * 2  # kept


def _query(text: str) -> SearchQuery:
    return SearchQuery(text)
