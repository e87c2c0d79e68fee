"""Plain data that crosses from chat sessions to widgets (no Qt objects, no httpx objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class MessageState(StrEnum):
    """How an assistant message ended (or that it is still arriving)."""

    STREAMING = "streaming"
    COMPLETE = "complete"
    STOPPED = "stopped"  # the user pressed Stop; the partial text is kept
    INTERRUPTED = "interrupted"  # the connection or the provider failed mid-answer
    ERROR = "error"  # no answer at all; an error card stands in its place


@dataclass(frozen=True, slots=True)
class AnswerInfo:
    """What the footer under an answer shows."""

    primary_model: str
    answered_model: str | None = None
    ttft_s: float | None = None
    total_s: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    finish_reason: str | None = None
    trace_id: str | None = None

    @property
    def is_fallback(self) -> bool:
        """True when a model other than the primary answered (a fallback or the load balancer).

        The router reports the provider's own model id (``gpt-4o-2024-08-06`` for
        ``openai/gpt-4o``), so a prefix match on the model name counts as the primary.
        """
        if not self.answered_model:
            return False
        primary = self.primary_model.split("/", 1)[-1]
        answered = self.answered_model.split("/", 1)[-1]
        return not (answered == primary or answered.startswith(primary + "-"))


@dataclass(frozen=True, slots=True)
class ErrorAction:
    """A one-click fix offered on an error card."""

    # "reenter_key", "retry_on_code:<status>", "add_fallback", "raise_timeout", "retry",
    # "open_settings"
    action_id: str
    label: str


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """An error card: what failed, the router's own words, and what to do next."""

    title: str  # e.g. "429 Rate limited"
    message: str  # the router's error.message, shown as plain text
    advice: str  # one line for a non-programmer
    status: int | None = None
    kind: str = "error"  # the error class name, for tests and icons
    trace_id: str | None = None
    actions: tuple[ErrorAction, ...] = field(default_factory=tuple)
