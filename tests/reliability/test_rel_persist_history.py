"""A damaged history row (B13) opened through the real window, sidebar, chat panel and history.

Rows are damaged directly in SQLite before the "launch": NULL where the schema requires a value
(its NOT NULL bypassed for the edit, as a damaged page would), a blob where a text belongs, a word
in a time column, words in a run's number columns, a blob for a title, and unparseable JSON in a
thread's options. The thread list must load, the messages whose text cannot be read must show as
"Unreadable message", a message with only a bad time must show its text, and everything else in
the thread must open.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from persist_window import AppWindow, open_window
from PySide6.QtCore import Qt
from rel_checks import widget_strings
from rel_server import Reply, ScriptedRouter

from orq_desktop.store.history import HistoryStore

FINE = ["first question", "first answer", "third question", "third answer"]


def run_fields(**override: Any) -> dict[str, Any]:
    return {
        "request": {"model": "openai/gpt-4o"}, "model_requested": "openai/gpt-4o",
        "model_answered": "openai/gpt-4o", "status_code": 200, "ttft_ms": 120.0,
        "total_ms": 900.0, "tokens_in": 12, "tokens_out": 34, "finish_reason": "stop",
        **override,
    }  # fmt: skip


def build(path: Path) -> tuple[str, dict[str, int]]:
    """Three threads; the middle one ("Damaged chat") has six messages. Returns its id and
    the message ids by text."""
    store = HistoryStore.open(path).store
    store.create_thread("Before", model="openai/gpt-4o")
    tid = store.create_thread("Damaged chat", model="openai/gpt-4o", options={"temperature": 0.2})
    ids: dict[str, int] = {}
    for text in ["first question", "first answer", "second question", "second answer", *FINE[2:]]:
        role = "user" if "question" in text else "assistant"
        ids[text] = store.add_message(tid, role, text)
        if role == "assistant":
            store.record_run(tid, message_id=ids[text], **run_fields())
    other = store.create_thread("Odd title", model="openai/gpt-4o", tags=["x"])
    store.add_message(other, "user", "hello")
    store.close()
    return tid, ids


def damage(path: Path, tid: str, ids: dict[str, int]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        [sql] = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'messages'").fetchone()
        loose = sql.replace("role TEXT NOT NULL", "role TEXT").replace(
            "text TEXT NOT NULL DEFAULT ''", "text TEXT DEFAULT ''"
        )
        assert loose != sql
        set_schema(conn, "messages", loose)
        conn.execute("BEGIN")
        conn.execute(
            "UPDATE messages SET role = NULL, text = NULL WHERE id = ?", (ids["second question"],)
        )
        conn.execute(
            "UPDATE messages SET text = x'89504e470d0a1a0a' WHERE id = ?", (ids["second answer"],)
        )
        conn.execute(
            "UPDATE messages SET created_at = 'yesterday' WHERE id = ?", (ids["first answer"],)
        )
        conn.execute(
            "UPDATE runs SET ttft_ms = 'fast', tokens_out = 'many', status_code = 'ok'"
            " WHERE message_id = ?",
            (ids["third answer"],),
        )
        conn.execute("UPDATE threads SET options = '{not json' WHERE id = ?", (tid,))
        conn.execute(
            "UPDATE threads SET title = x'ff00fe', tags = 42, created_at = 'then'"
            " WHERE title = 'Odd title'"
        )
        conn.execute("COMMIT")
        set_schema(conn, "messages", sql)  # the schema says NOT NULL again; the rows do not
    finally:
        conn.close()


def set_schema(conn: sqlite3.Connection, table: str, sql: str) -> None:
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = ?", (sql, table))
    conn.execute(f"PRAGMA schema_version = {version + 1}")
    conn.execute("PRAGMA writable_schema = OFF")


def click_thread(app: AppWindow, words: str) -> None:
    """Click the sidebar row whose title or preview holds ``words``."""
    records = app.sidebar.list.records()
    [row] = [n for n, r in enumerate(records) if words in r.title or words in r.preview]
    item = app.sidebar.list.item(row)
    rect = app.sidebar.list.visualItemRect(item)
    app.qtbot.mouseClick(app.sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.mark.scenario("B13")
def test_a_damaged_row_shows_as_unreadable_and_the_rest_of_the_thread_opens(
    qtbot: Any, aloop: Any, rel_dir: Path, router: ScriptedRouter
) -> None:
    db = rel_dir / "history.sqlite3"
    tid, ids = build(db)
    damage(db, tid, ids)
    probe = sqlite3.connect(db)
    nulls = probe.execute("PRAGMA integrity_check").fetchall()
    probe.close()
    assert any("NULL value in messages.role" in r[0] for r in nulls)  # really damaged

    app = open_window(qtbot, db, rel_dir, router.url)
    try:
        assert app.opened
        qtbot.waitUntil(lambda: app.sidebar.list.count() == 3)  # the thread list loads
        click_thread(app, "Damaged chat")
        qtbot.waitUntil(lambda: app.session.thread_id == tid)
        transcript = app.transcript
        for text in FINE:
            widget = transcript.message_widget(f"h{ids[text]}")
            assert widget is not None, text
            qtbot.waitUntil(lambda w=widget, t=text: t in " ".join(widget_strings(w)))
        for text in ("second question", "second answer"):
            card = transcript.error_card(f"h{ids[text]}")
            assert card is not None, text
            shown = " ".join(widget_strings(card))
            assert "Unreadable message" in shown and text not in shown
        in_order = [f"h{ids[t]}" for t in [*FINE[:2], "second question", "second answer"]]
        assert transcript.message_ids() == [*in_order, *(f"h{ids[t]}" for t in FINE[2:])]
        qtbot.waitUntil(lambda: "2 messages of this thread could not be read" in app.status_text())
        assert "options could not be read" in app.status_text()
        # "first answer" lost only its time: its text is shown above, and the note says so.
        assert "1 message could not be read (its time); the text is kept" in app.status_text()

        # The conversation continues; the damaged turns are not part of what is sent.
        router.script(Reply.sse(["fourth", " answer"]))
        app.panel.prompt_input.setPlainText("fourth question")
        qtbot.waitUntil(app.panel.composer.send_button.isEnabled, timeout=5000)
        app.panel.composer.send_button.click()
        qtbot.waitUntil(lambda: bool(router.seen) and not app.session.busy, timeout=15_000)
        sent = json.loads(router.seen[0].body)["messages"]
        expected = [*FINE, "fourth question"]
        assert [m["content"] for m in sent] == expected
        assert [m["role"] for m in sent] == ["user", "assistant"] * 2 + ["user"]
        click_thread(app, "hello")  # the thread with the damaged title opens too
        qtbot.waitUntil(lambda: app.session.thread_id not in (None, tid))
    finally:
        app.close()
