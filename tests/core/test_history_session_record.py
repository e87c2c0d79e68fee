"""Every turn reaches the history file: before the request, while it streams, and how it ended."""

from __future__ import annotations

import base64
import json
import sqlite3
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from history_session_support import env_factory, messages, read_db, rows, run
from PySide6.QtCore import QTimer

from orq_desktop.core.chat_types import MessageState, Role
from orq_desktop.store.history import HistoryStore

pytestmark = pytest.mark.gui


@pytest.fixture
def make_env(qtbot, aloop, tmp_path):
    yield from env_factory(qtbot, tmp_path)


def test_the_user_turn_is_on_disk_before_the_request_leaves(
    qtbot, sim_server_factory, make_env
) -> None:
    sim = sim_server_factory()
    seen: dict[str, Any] = {}

    def provider(connection):
        def client():
            # Called by the session right before it sends: look at the file from outside.
            seen["requests_so_far"] = len(sim.recorded_requests())
            seen["rows"] = rows(env.path, "SELECT role, state, text FROM messages ORDER BY id")
            return connection.client()

        return client

    env = make_env(sim.url, provider=provider)
    env.send("How do fallbacks work?", "Be brief.")
    assert seen["requests_so_far"] == 0
    assert seen["rows"] == [
        ("system", "complete", "Be brief."),
        ("user", "complete", "How do fallbacks work?"),
        ("assistant", "streaming", ""),
    ]
    assert len(sim.recorded_requests()) == 1
    ((_id, text, state, _info),) = env.of("answer_finished")
    assert state == "complete" and text
    tid = env.chat.thread_id
    assert tid is not None and tid == env.routing.orq()["thread"]["id"]
    assert messages(env.path, tid)[-1] == ("assistant", "complete", text)
    ((title,),) = rows(env.path, "SELECT title FROM threads WHERE id = ?", (tid,))
    assert title == "How do fallbacks work?"
    assert env.history.save_kind == "saved"
    assert ("saved", "Saved") in env.of("h.save_state")


def test_a_slow_answer_is_saved_at_least_once_a_second(qtbot, sim_server_factory, make_env) -> None:
    sim = sim_server_factory(token_rate=25)
    env = make_env(sim.url)
    received: list[tuple[float, int]] = []
    total = 0

    def on_delta(_msg_id: str, text: str) -> None:
        nonlocal total
        total += len(text)
        received.append((time.monotonic(), total))

    env.chat.delta.connect(on_delta)
    samples: list[tuple[float, int]] = []
    conn = read_db(env.path)

    def sample() -> None:
        found = conn.execute(
            "SELECT length(text) FROM messages WHERE role = 'assistant' AND state = 'streaming'"
        ).fetchone()
        if found is not None:
            samples.append((time.monotonic(), found[0]))

    timer = QTimer()
    timer.timeout.connect(sample)
    timer.start(40)
    env.send("Tell me a long story", max_completion_tokens=90)
    timer.stop()
    conn.close()
    first, last = received[0][0], received[-1][0]
    assert last - first > 2.5, "the stream must be slow enough to need several saves"
    during = [(t, n) for t, n in samples if first + 1.0 <= t <= last]
    assert len(during) > 20
    for t, saved in during:
        behind = max((n for at, n in received if at <= t - 1.0), default=0)
        assert saved >= behind, f"at +{t - first:.2f}s the file was more than 1 s behind"
    assert len({n for _t, n in samples}) >= 4  # saved in several steps, not only at the end
    ((_id, text, state, _info),) = env.of("answer_finished")
    assert state == "complete"
    assert messages(env.path, env.chat.thread_id)[-1] == ("assistant", "complete", text)


@pytest.mark.parametrize(
    ("model", "state"),
    [
        ("openai/gpt-4o", MessageState.STOPPED),
        ("sim/drop-after-5", MessageState.INTERRUPTED),
        ("sim/status-429", MessageState.ERROR),
    ],
)
def test_every_end_state_is_saved_with_its_run(
    qtbot, sim_server_factory, make_env, model, state
) -> None:
    sim = sim_server_factory(token_rate=40 if state is MessageState.STOPPED else 0)
    env = make_env(sim.url)
    assert env.chat.send("Hello", "", env.options(model, max_completion_tokens=300))
    if state is MessageState.STOPPED:
        qtbot.waitUntil(lambda: len(env.of("delta")) >= 3, timeout=10_000)
        env.chat.stop()
    env.wait_idle(1)
    qtbot.waitUntil(lambda: env.history.save_kind == "saved", timeout=5000)
    answer = env.chat.turns[-1]
    assert answer.state is state
    saved = messages(env.path, env.chat.thread_id)
    assert saved == [("user", "complete", "Hello"), ("assistant", state.value, answer.text)]
    assert (state is MessageState.ERROR) == (answer.text == "")
    ((status, requested, error, trace, request),) = rows(
        env.path, "SELECT status_code, model_requested, error_text, trace_id, request FROM runs"
    )
    assert requested == model
    assert json.loads(request)["orq"]["retry"] == {"count": 2}
    if state is MessageState.ERROR:
        assert status == 429 and "429" in error and trace
    elif state is MessageState.INTERRUPTED:
        assert error and "interrupted" in error.lower()
    else:
        assert error is None


def forms(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [raw, base64.b64encode(raw), secret[-12:].encode(), secret.encode("utf-16-le")]


def test_runs_record_the_request_without_the_key(qtbot, sim_server_factory, make_env) -> None:
    canary = f"sk-orq-CANARY-{uuid.uuid4()}"
    sim = sim_server_factory()
    env = make_env(sim.url, key=canary)
    env.send("First", "System words", temperature=0.3)
    env.send("Second", "System words", model="sim/status-401")
    assert [r[0] for r in rows(env.path, "SELECT status_code FROM runs ORDER BY id")] == [
        200,
        401,
    ]
    (request,) = rows(env.path, "SELECT request FROM runs ORDER BY id LIMIT 1")[0]
    body = json.loads(request)
    assert body["model"] == "openai/gpt-4o" and body["temperature"] == 0.3
    assert "messages" not in body and body["orq"]["thread"]["id"] == env.chat.thread_id
    blob = b"".join(
        Path(f"{env.path}{s}").read_bytes() for s in ("", "-wal") if Path(f"{env.path}{s}").exists()
    )
    assert b"First" in blob  # the scan does see what was written
    for form in forms(canary):
        assert form not in blob


def test_new_chat_gives_the_editor_a_fresh_thread_id(qtbot, sim_server, make_env) -> None:
    env = make_env(sim_server.url)
    env.send("One")
    first = env.chat.thread_id
    env.chat.new_chat()
    fresh = env.routing.orq()["thread"]["id"]
    assert env.chat.thread_id is None and fresh != first and fresh.startswith("thread_")
    env.send("Two")
    assert env.chat.thread_id == fresh
    assert {r[0] for r in rows(env.path, "SELECT id FROM threads")} == {first, fresh}


def test_regenerate_and_edit_replace_what_they_replace(qtbot, sim_server, make_env) -> None:
    env = make_env(sim_server.url)
    env.send("First question", "Sys")
    env.send("Second question", "Sys")
    assert env.chat.regenerate("Sys", env.options("openai/gpt-4o-mini"))
    env.wait_idle(3)
    tid = env.chat.thread_id
    saved = messages(env.path, tid)
    assert [(r, t) for r, _s, t in saved[:4]] == [
        ("system", "Sys"),
        ("user", "First question"),
        ("assistant", env.chat.turns[1].text),
        ("user", "Second question"),
    ]
    assert len(saved) == 5 and saved[4] == ("assistant", "complete", env.chat.turns[3].text)
    assert env.routing.orq()["thread"]["id"] == tid
    assert len(rows(env.path, "SELECT id FROM threads")) == 1  # the replaced copy is gone
    first_user = env.chat.turns[0].msg_id
    assert env.chat.edit_and_resend(first_user, "Edited", "Sys", env.options())
    env.wait_idle(4)
    tid = env.chat.thread_id
    assert [(r, t) for r, _s, t in messages(env.path, tid)] == [
        ("system", "Sys"),
        ("user", "Edited"),
        ("assistant", env.chat.turns[1].text),
    ]
    assert len(rows(env.path, "SELECT id FROM threads")) == 1


def test_a_history_from_a_newer_version_is_read_only_but_chat_works(
    qtbot, sim_server, make_env, tmp_path
) -> None:
    path = tmp_path / "newer.sqlite3"
    HistoryStore.open(path).store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    env = make_env(sim_server.url, path=path)
    assert env.history.read_only
    assert any("read-only" in n[0] for n in env.of("h.notice"))
    env.send("Hello")
    ((_id, text, state, _info),) = env.of("answer_finished")
    assert state == "complete" and text
    assert env.history.save_kind == "off" and "read-only" in env.history.save_text
    assert any("read-only" in s[0] for s in env.of("h.status"))
    assert [t.role for t in env.chat.turns] == [Role.USER, Role.ASSISTANT]
    run(qtbot, env.history.aclose())
    assert path.read_bytes() == before


def test_a_full_disk_stops_the_request_and_keeps_the_draft(
    qtbot, sim_server_factory, make_env
) -> None:
    sim = sim_server_factory()
    env = make_env(sim.url)
    env.send("Saved before the disk filled up")
    store = env.history.store

    def fill() -> None:
        conn = store._live()
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own full disk

    run(qtbot, env.history.worker.run(fill))
    prompt = "A long prompt. " * 8000
    assert env.chat.send(prompt, "", env.options())
    qtbot.waitUntil(lambda: bool(env.of("send_refused")) and not env.chat.busy, timeout=10_000)
    ((reason,),) = env.of("send_refused")
    assert "disk is full" in reason and reason.startswith("Not sent")
    assert len(sim.recorded_requests()) == 1  # only the first, saved turn went out
    assert len(env.chat.turns) == 2 and len(env.of("user_message_added")) == 1
    assert env.history.save_kind == "failed" and "disk is full" in env.history.save_text

    def free() -> None:
        store._live().execute("PRAGMA max_page_count = 1073741823")

    run(qtbot, env.history.worker.run(free))
    env.send(prompt)
    assert len(sim.recorded_requests()) == 2
    users = [t for r, _s, t in messages(env.path, env.chat.thread_id) if r == "user"]
    assert users == ["Saved before the disk filled up", prompt]
    assert env.history.save_kind == "saved"
