"""Plain records the history store hands out, and the errors it raises (no SQL in here).

Everything is a frozen dataclass of plain values, so a record can cross from the database thread
to the UI thread (through ``core``) without sharing anything mutable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

ROLES = frozenset({"system", "user", "assistant"})
MESSAGE_STATES = frozenset({"streaming", "complete", "stopped", "interrupted", "error"})
FINAL_STATES = MESSAGE_STATES - {"streaming"}
THREAD_KINDS = frozenset({"chat", "compare"})

NoticeKind = Literal["corrupt_moved", "read_only", "migrated", "recovered"]
HitKind = Literal["message", "image"]


class HistoryError(Exception):
    """A history operation failed; the text is fit to show the user."""


class ReadOnlyHistoryError(HistoryError):
    """The database was written by a newer version of the app, so it is open read-only."""


class DiskFullError(HistoryError):
    """SQLite reported a full disk; nothing of the failed write was kept."""


class NotFoundError(HistoryError, LookupError):
    """No thread, message or image with that id (or it is not in the expected state)."""


class ImportRejectedError(HistoryError):
    """An import file was refused before anything was written; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"This file cannot be imported: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know about after opening the history (shown once)."""

    kind: NoticeKind
    text: str
    path: Path | None = None  # the file the notice is about (a backup, a moved-aside copy)


class ThreadSummary(NamedTuple):
    """One row of the history sidebar.

    A NamedTuple rather than a frozen dataclass: the sidebar builds fifty of these on start-up,
    and a frozen dataclass costs about five times as much to create (measured).
    """

    id: str
    title: str
    created_at: float  # seconds since the epoch
    updated_at: float
    model: str
    kind: str  # "chat" | "compare"
    identity_id: str | None
    tags: tuple[str, ...]
    preview: str  # the start of the last message, on one line
    message_count: int
    deleted: bool


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: int
    thread_id: str
    position: int
    role: str
    text: str
    state: str
    created_at: float
    updated_at: float
    run_id: int | None = None
    column_index: int | None = None  # the column of a compare thread; None in a chat


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One request to the router and how it went (the footer under an answer)."""

    id: int
    thread_id: str
    message_id: int | None
    column_index: int | None
    request: dict[str, Any]  # the request body, with every key-like field removed
    model_requested: str
    model_answered: str | None
    status_code: int | None
    ttft_ms: float | None
    total_ms: float | None
    tokens_in: int | None
    tokens_out: int | None
    finish_reason: str | None
    trace_id: str | None
    error_text: str | None
    created_at: float


@dataclass(frozen=True, slots=True)
class ThreadDetail:
    """A whole thread: what the chat panel needs to show it again and to continue it."""

    summary: ThreadSummary
    options: dict[str, Any]  # the model and options of the request, never a key
    messages: tuple[MessageRecord, ...]
    runs: tuple[RunRecord, ...]
    unreadable: tuple[str, ...] = ()  # plain-words notes on fields that could not be read


@dataclass(frozen=True, slots=True)
class ImageRecord:
    id: int
    path: str
    prompt: str
    revised_prompt: str | None
    model: str
    settings: dict[str, Any]
    created_at: float
    thread_id: str | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One search result; ``snippet`` is plain text and ``highlights`` its matched spans.

    Each span is ``(start, end)`` in ``snippet`` (Python string offsets, end exclusive), so the UI
    can make exactly those characters bold without parsing any markup.
    """

    kind: HitKind
    thread_id: str | None  # None for an image made outside any thread
    thread_title: str
    item_id: int  # the message id or the image id
    role: str | None  # the message's role; None for an image
    model: str
    created_at: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """The values the search and list filters can take (for drop-downs)."""

    models: tuple[str, ...]
    tags: tuple[str, ...]
    identities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ImportThreadPreview:
    title: str
    kind: str
    message_count: int
    created_at: float


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What an import will add, shown to the user before anything is written."""

    threads: tuple[ImportThreadPreview, ...]
    message_count: int
    notes: tuple[str, ...] = field(default_factory=tuple)
