"""A message whose text the history could not read becomes an "Unreadable message" card (B13);
one whose text was read keeps it."""

from __future__ import annotations

from orq_desktop.core.chat_types import MessageState, Role
from orq_desktop.core.history_records import (
    CARD_TEXT_CHARS,
    DAMAGED_TITLE,
    UNREADABLE_TITLE,
    loaded_thread,
    unknown_author_card,
)
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


def test_a_partly_damaged_message_keeps_its_text() -> None:
    """The store kept the text and fell back for the bad cells: the chat shows that text."""
    summary = ThreadSummary("thread_X", "t", 1.0, 1.0, "m/a", "chat", None, (), "", 4, False)
    detail = ThreadDetail(
        summary=summary,
        options={},
        messages=(
            message(1, "user", "q1"),
            message(2, "assistant", "an answer with a bad time", "complete"),
            message(3, "user", "q2"),
            message(4, "assistant", "an answer of unknown state", "interrupted"),
            message(5, "", "words of unknown author"),
        ),
        runs=(),
        unreadable=("Part of what was saved for 3 messages could not be read (…).",),
    )
    loaded = loaded_thread(detail)
    kept, broke, unknown = loaded.turns[1], loaded.turns[3], loaded.turns[4]
    assert (kept.role, kept.text, kept.state) == (
        Role.ASSISTANT, "an answer with a bad time", MessageState.COMPLETE,
    )  # fmt: skip
    assert (broke.text, broke.state) == ("an answer of unknown state", MessageState.INTERRUPTED)
    # Who wrote it is unknown: shown in a card with its text, never sent as either side's words.
    assert (unknown.state, unknown.text) == (MessageState.ERROR, "")
    assert unknown.error is not None and unknown.error.title == DAMAGED_TITLE
    assert "words of unknown author" in unknown.error.message
    assert loaded.notes == detail.unreadable  # no message is counted as unreadable


def test_the_damaged_card_cuts_a_long_text() -> None:
    card = unknown_author_card("z" * (CARD_TEXT_CHARS + 50))
    assert card.message.endswith("z…") and card.message.count("z") == CARD_TEXT_CHARS - 1
