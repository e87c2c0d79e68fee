"""The plain questions and answers that pass between the history session and its widgets.

Nothing here imports the store (or anything that does): the ``ui`` layer may import this module,
while the records themselves (``ThreadSummary``, ``SearchHit``, …) reach widgets only as values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PAGE = 50  # threads per page of the sidebar


@dataclass(frozen=True, slots=True)
class HistoryFilters:
    """What the sidebar's list and search are narrowed to (None: any)."""

    model: str | None = None
    tag: str | None = None
    identity_id: str | None = None

    @property
    def active(self) -> int:
        """How many filters are set."""
        return sum(v is not None for v in (self.model, self.tag, self.identity_id))


@dataclass(frozen=True, slots=True)
class ThreadQuery:
    """A page of the thread list: the first one (``before`` None) or the one after a row."""

    filters: HistoryFilters = field(default_factory=HistoryFilters)
    before: tuple[float, str] | None = None
    limit: int = PAGE


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str
    filters: HistoryFilters = field(default_factory=HistoryFilters)
    limit: int = PAGE


@dataclass(frozen=True, slots=True)
class OpenedThread:
    """A thread now continued by the chat: what the panel should show with it.

    Attributes:
        options: the model and parameters (``orq`` is already in the routing state).
        focus: the turn id of the message to scroll to (a search hit), or None.
        notes: parts of the thread that could not be read.
    """

    thread_id: str
    title: str
    options: dict[str, Any]
    system_prompt: str
    focus: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportOffer:
    """A checked import file and what it would add; pass it back to ``apply_import``.

    ``preview`` is the store's ``ImportPreview`` (threads with title, kind, message count and
    start time; the total message count; notes), ``plan`` the validated file.
    """

    path: str
    preview: Any
    plan: Any
