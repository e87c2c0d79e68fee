"""A thread with damaged rows, through the real store: what opens, forks, exports and imports.

Rows are damaged directly in SQLite (a blob for a text, a word in a time column, a number for a
role, an unknown state, a word for the run link): every message whose text can be read keeps it
everywhere, and the export of the thread imports again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from orq_desktop.store import history_rows as rows
from orq_desktop.store.history import HistoryStore
from orq_desktop.store.history_export import iso


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore.open(path).store
    yield s
    s.close()


TEXTS = {
    "q1": ("user", "first question"),
    "a1": ("assistant", "an answer worth keeping"),  # its time is damaged
    "q2": ("user", "second question"),  # its text is a blob: unreadable
    "a2": ("assistant", "who said this?"),  # its role is damaged
    "q3": ("user", "third question"),
    "a3": ("assistant", "a state nobody knows"),  # its state and run link are damaged
}


def damaged_thread(store: HistoryStore, path: Path) -> tuple[str, dict[str, int]]:
    tid = store.create_thread("Damaged", model="openai/gpt-4o")
    ids = {key: store.add_message(tid, role, text) for key, (role, text) in TEXTS.items()}
    for key in ("a1", "a2", "a3"):
        store.record_run(tid, message_id=ids[key], model_requested="openai/gpt-4o", total_ms=9.0)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for sql, key in (
            ("UPDATE messages SET created_at = 'garbage', updated_at = x'00' WHERE id = ?", "a1"),
            ("UPDATE messages SET text = x'89504e470d0a' WHERE id = ?", "q2"),
            ("UPDATE messages SET role = 42 WHERE id = ?", "a2"),
            ("UPDATE messages SET state = 'finished?', run_id = 'r' WHERE id = ?", "a3"),
        ):
            conn.execute(sql, (ids[key],))
    finally:
        conn.close()
    return tid, ids


def test_a_damaged_thread_opens_with_every_readable_text(store: HistoryStore, path: Path) -> None:
    tid, ids = damaged_thread(store, path)
    detail = store.load_thread(tid)
    got = {m.id: m for m in detail.messages}
    a1, q2, a2, a3 = (got[ids[k]] for k in ("a1", "q2", "a2", "a3"))
    assert (a1.text, a1.state, a1.created_at) == (
        TEXTS["a1"][1],
        "complete",
        detail.summary.created_at,
    )
    assert (q2.text, q2.state) == ("", rows.UNREADABLE)
    assert (a2.role, a2.text, a2.state) == ("", TEXTS["a2"][1], "complete")
    assert (a3.text, a3.state, a3.run_id) == (TEXTS["a3"][1], "interrupted", None)
    assert got[ids["q1"]].text == "first question"
    assert detail.unreadable == (
        "Part of what was saved for 3 messages could not be read (its request details, "
        "its time, whether it was complete, who wrote it); the text is kept.",
    )


def test_a_fork_keeps_the_readable_texts(store: HistoryStore, path: Path) -> None:
    tid, ids = damaged_thread(store, path)
    fork = store.fork_thread(tid, ids["a3"])
    copied = store.load_thread(fork).messages
    assert [m.text for m in copied] == [
        "first question", TEXTS["a1"][1], "", TEXTS["a2"][1], "third question", TEXTS["a3"][1],
    ]  # fmt: skip
    assert [m.state for m in copied] == [
        "complete", "complete", rows.UNREADABLE, "complete", "complete", "interrupted",
    ]  # fmt: skip
    assert [m.position for m in copied] == sorted({m.position for m in copied})
    # Damaged cells of the original are written whole in the copy: only the author stays unknown.
    again = store.load_thread(fork)
    assert again.unreadable == (
        "Part of what was saved for 1 message could not be read (who wrote it); the text is kept.",
    )
    assert copied[1].created_at == store.load_thread(tid).summary.created_at


def test_the_export_of_a_damaged_thread_imports_again(store: HistoryStore, path: Path) -> None:
    tid, _ids = damaged_thread(store, path)
    data = store.export_json(tid)
    exported = json.loads(data)["threads"][0]["messages"]
    assert [m["state"] for m in exported] == [
        "complete", "complete", "error", "error", "complete", "interrupted",
    ]  # fmt: skip
    unreadable, unknown = exported[2], exported[3]
    assert (unreadable["role"], unreadable["text"]) == ("assistant", "")
    assert unreadable["run"]["error_text"].startswith("Unreadable message: ")
    assert (unknown["role"], unknown["text"]) == ("assistant", TEXTS["a2"][1])
    assert unknown["run"]["error_text"].startswith("Damaged message: ")
    assert unknown["run"]["total_ms"] == 9.0  # the run's own fields are kept
    assert exported[1]["created_at"] == iso(store.load_thread(tid).summary.created_at)
    assert "note" not in exported[0] and unreadable["note"] and unknown["note"]

    plan = store.prepare_import(data)
    assert any("2 message(s) could not be fully read" in n for n in plan.preview.notes)
    [new] = store.apply_import(plan)
    back = store.load_thread(new)
    assert [(m.role, m.text, m.state) for m in back.messages] == [
        ("user", "first question", "complete"),
        ("assistant", TEXTS["a1"][1], "complete"),
        ("assistant", "", "error"),
        ("assistant", TEXTS["a2"][1], "error"),
        ("user", "third question", "complete"),
        ("assistant", TEXTS["a3"][1], "interrupted"),
    ]
    runs = {r.id: r for r in back.runs}
    error = runs[back.messages[2].run_id].error_text  # type: ignore[index]
    assert error is not None and error.startswith("Unreadable message: ")
    assert back.unreadable == ()  # the imported copy is whole


def test_markdown_says_which_message_was_unreadable(store: HistoryStore, path: Path) -> None:
    tid, _ids = damaged_thread(store, path)
    md = store.export_markdown(tid)
    assert "_(this message could not be read from the history file)_" in md
    for _role, text in TEXTS.values():
        assert (text in md) == (text != "second question"), text
