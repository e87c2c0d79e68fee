"""A message the history could not read becomes an "Unreadable message" card (B13)."""

from __future__ import annotations

from orq_desktop.core.chat_types import MessageState, Role
from orq_desktop.core.history_records import UNREADABLE_TITLE, loaded_thread
from orq_desktop.store.history_rows import UNREADABLE
from orq_desktop.store.history_types import MessageRecord, ThreadDetail, ThreadSummary


def message(mid: int, role: str, text: str, state: str = "complete") -> MessageRecord:
    return MessageRecord(mid, "thread_X", mid, role, text, state, 1.0, 1.0)


def test_unreadable_rows_become_error_cards_and_a_note() -> None:
    summary = ThreadSummary("thread_X", "t", 1.0, 1.0, "m/a", "chat", None, (), "", 4, False)
    detail = ThreadDetail(
        summary=summary,
        options={},
        messages=(
            message(1, "user", "q1"),
            message(2, "", "", UNREADABLE),
            message(3, "system", "", UNREADABLE),
            message(4, "assistant", "a1"),
        ),
        runs=(),
    )
    loaded = loaded_thread(detail)
    assert [t.msg_id for t in loaded.turns] == ["h1", "h2", "h3", "h4"]
    bad = loaded.turns[1]
    assert (bad.role, bad.state, bad.text) == (Role.ASSISTANT, MessageState.ERROR, "")
    assert bad.error is not None and bad.error.title == UNREADABLE_TITLE
    assert loaded.system_prompt == ""  # an unreadable system row is not taken as the prompt
    assert loaded.notes == (
        "2 messages of this thread could not be read (the history file is damaged there); "
        "shown as “Unreadable message”.",
    )
