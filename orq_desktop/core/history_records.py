"""Plain conversions between the history's records and the chat session's turns (no Qt, no I/O)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orq_desktop.core.chat_session import Turn
from orq_desktop.core.chat_types import AnswerInfo, ErrorAction, ErrorInfo, MessageState, Role
from orq_desktop.store.history_rows import UNREADABLE
from orq_desktop.store.history_types import (
    FilterChoices,
    MessageRecord,
    RunRecord,
    SearchHit,
    ThreadDetail,
    ThreadSummary,
)

__all__ = [
    "FilterChoices",
    "LoadedThread",
    "SearchHit",
    "ThreadSummary",
    "error_text",
    "is_thread_id",
    "loaded_thread",
    "message_key",
    "title_from",
]

TITLE_CHARS = 60
_THREAD_ID = re.compile(r"^thread_[0-9A-HJKMNP-TV-Z]{26}$")
UNREADABLE_TITLE = "Unreadable message"
DAMAGED_TITLE = "Damaged message"
CARD_TEXT_CHARS = 2000  # of a damaged message's text shown in its card (all of it is kept)
RESTORED_ADVICE = "This request failed when it was sent. Try again to ask once more."


@dataclass(frozen=True, slots=True)
class LoadedThread:
    """A saved thread made ready for the chat session and the panel.

    Attributes:
        turns: the user turns and answers in order (system prompts are not turns).
        rows: each turn's message id in the database, by turn id.
        system_prompt: the last system prompt saved in the thread ("" for none).
        options: the model and options the thread continues with (``orq`` included).
    """

    thread_id: str
    title: str
    tags: tuple[str, ...]
    turns: tuple[Turn, ...]
    rows: dict[str, int]
    system_prompt: str
    options: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)


def is_thread_id(value: object) -> bool:
    """True for a ``thread_<ULID>`` the history can use as a thread's id."""
    return isinstance(value, str) and bool(_THREAD_ID.match(value))


def title_from(prompt: str) -> str:
    """A thread's title from its first prompt: one line, at most ``TITLE_CHARS`` characters."""
    line = " ".join(prompt.split())
    if len(line) <= TITLE_CHARS:
        return line or "Untitled"
    cut = line[: TITLE_CHARS - 1]
    if " " in cut[TITLE_CHARS // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def message_key(message_id: int) -> str:
    """The turn id a saved message gets in the chat session (distinct from live ``m<n>`` ids)."""
    return f"h{message_id}"


def error_text(error: ErrorInfo) -> str:
    """How an error card is saved with its run (one line, title first)."""
    message = " ".join(error.message.split())
    return f"{error.title}: {message}" if message else error.title


def orq_of(options: Mapping[str, Any]) -> dict[str, Any]:
    orq = options.get("orq")
    return orq if isinstance(orq, dict) else {}


def thread_fields(options: Mapping[str, Any]) -> tuple[str | None, tuple[str, ...], str | None]:
    """The ``orq`` thread id, its tags and the identity id the options carry."""
    orq = orq_of(options)
    thread = _dict(orq.get("thread"))
    identity = _dict(orq.get("identity"))
    tid = thread.get("id") if isinstance(thread.get("id"), str) else None
    raw_tags = thread.get("tags")
    tags = tuple(str(t) for t in raw_tags) if isinstance(raw_tags, list) else ()
    ident = identity.get("id") if isinstance(identity.get("id"), str) else None
    return tid, tags, ident or None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def answer_info(run: RunRecord | None, model: str) -> AnswerInfo | None:
    if run is None:
        return None
    return AnswerInfo(
        primary_model=run.model_requested or model,
        answered_model=run.model_answered,
        ttft_s=None if run.ttft_ms is None else run.ttft_ms / 1000,
        total_s=None if run.total_ms is None else run.total_ms / 1000,
        tokens_in=run.tokens_in,
        tokens_out=run.tokens_out,
        finish_reason=run.finish_reason,
        trace_id=run.trace_id,
    )


def saved_error(run: RunRecord | None) -> ErrorInfo:
    """The card shown again for an answer that failed (its run keeps the title and message)."""
    text = (run.error_text if run else None) or "No answer was received."
    title, sep, message = text.partition(": ")
    if not sep:
        title, message = "No answer", text
    return ErrorInfo(
        title=title,
        message=message,
        advice=RESTORED_ADVICE,
        status=run.status_code if run else None,
        kind="SavedError",
        trace_id=run.trace_id if run else None,
        actions=(ErrorAction("retry", "Try again"),),
    )


def unreadable_card() -> ErrorInfo:
    """What stands in the transcript for a saved message whose row could not be read."""
    return ErrorInfo(
        title=UNREADABLE_TITLE,
        message="This message could not be read from the history file: part of what was saved "
        "for it is damaged.",
        advice="The rest of the conversation is shown and can be continued; this message is "
        "left out of what is sent.",
        kind="UnreadableMessage",
    )


def unknown_author_card(text: str) -> ErrorInfo:
    """What stands for a saved message whose text was read but not who wrote it."""
    shown = text if len(text) <= CARD_TEXT_CHARS else text[: CARD_TEXT_CHARS - 1] + "…"
    return ErrorInfo(
        title=DAMAGED_TITLE,
        message="Who wrote this message could not be read from the history file. "
        f"Its saved text: {shown}",
        advice="It is left out of what is sent; the rest of the conversation can be continued.",
        kind="DamagedMessage",
    )


def _turn(m: MessageRecord, run: RunRecord | None, model: str) -> Turn:
    key = message_key(m.id)
    if m.state == UNREADABLE:
        return Turn(key, Role.ASSISTANT, "", MessageState.ERROR, None, unreadable_card())
    if m.role not in ("user", "assistant"):  # the role cell is damaged; the text was read
        card = unknown_author_card(m.text)
        return Turn(key, Role.ASSISTANT, "", MessageState.ERROR, None, card)
    if m.role == "user":
        return Turn(key, Role.USER, m.text)
    state = MessageState(m.state) if m.state in MessageState else MessageState.COMPLETE
    if state is MessageState.STREAMING:  # still streaming in another window, or a crash
        state = MessageState.INTERRUPTED
    info = answer_info(run, model)
    error = saved_error(run) if state is MessageState.ERROR else None
    return Turn(key, Role.ASSISTANT, m.text, state, info, error)


def loaded_thread(detail: ThreadDetail) -> LoadedThread:
    """Turns, message ids, system prompt and options of a saved thread (compare columns apart)."""
    summary = detail.summary
    runs = {r.id: r for r in detail.runs}
    turns: list[Turn] = []
    rows: dict[str, int] = {}
    system = ""
    unreadable = 0
    for m in detail.messages:
        if m.column_index is not None:
            continue  # a compare column's answer: not part of a chat conversation
        unreadable += m.state == UNREADABLE
        if m.role == "system" and m.state != UNREADABLE:
            system = m.text
            continue
        turn = _turn(m, runs.get(m.run_id) if m.run_id is not None else None, summary.model)
        turns.append(turn)
        rows[turn.msg_id] = m.id
    options = dict(detail.options)
    if summary.model and not isinstance(options.get("model"), str):
        options["model"] = summary.model
    return LoadedThread(
        thread_id=summary.id,
        title=summary.title,
        tags=summary.tags,
        turns=tuple(turns),
        rows=rows,
        system_prompt=system,
        options=options,
        notes=(*detail.unreadable, *_unreadable_note(unreadable)),
    )


def _unreadable_note(count: int) -> tuple[str, ...]:
    if not count:
        return ()
    what = "1 message" if count == 1 else f"{count} messages"
    return (
        f"{what} of this thread could not be read (the history file is damaged there); "
        f"shown as “{UNREADABLE_TITLE}”.",
    )
