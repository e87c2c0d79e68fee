"""The attempts behind one request, as the simulator records them (``GET /_sim/traces/<id>``).

The real router keeps its traces in Orq's web app (found by the ``x-orq-trace-id`` header); only
the simulator answers this endpoint. The body looks like::

    {"trace_id": "trace_01…", "request": {"model": "sim/status-429", "path": "/v2/…"},
     "attempts": [{"model": "sim/status-429", "status": 429, "started_ms": 0.4,
                   "duration_ms": 2.1, "outcome": "failed", "reason": "429: fall back"}, …],
     "answered_by": "openai/gpt-4o", "cache": "off"}

``parse_trace`` checks that shape and gives typed, read-only records. This module has no HTTP in
it, so widgets may read traces with it; ``api.traces_http.fetch_trace`` asks the server for one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

__all__ = [
    "TraceAttempt",
    "TraceError",
    "TraceRecord",
    "check_trace_id",
    "parse_trace",
    "trace_url",
]

TRACE_PATH: Final = "/_sim/traces/"
_TRACE_ID: Final = re.compile(r"[A-Za-z0-9_.\-]{1,128}")
OUTCOMES: Final = frozenset({"answered", "failed", "timeout", "cache_hit"})


class TraceError(Exception):
    """The trace could not be fetched or read; the text is fit to show as it is."""


@dataclass(frozen=True, slots=True)
class TraceAttempt:
    """One call to one model: its HTTP status (None when it timed out) and how it ended."""

    model: str
    status: int | None
    started_ms: float
    duration_ms: float
    outcome: str  # "answered", "failed", "timeout" or "cache_hit"
    reason: str

    @property
    def end_ms(self) -> float:
        return self.started_ms + self.duration_ms


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """What the router did for one request, attempt by attempt."""

    trace_id: str
    model: str
    attempts: tuple[TraceAttempt, ...]
    answered_by: str | None
    cache: str

    @property
    def total_ms(self) -> float:
        return max((a.end_ms for a in self.attempts), default=0.0)

    def answering_attempt(self) -> int | None:
        """The index of the attempt that answered (the last one that did), or None."""
        for index in range(len(self.attempts) - 1, -1, -1):
            if self.attempts[index].outcome in ("answered", "cache_hit"):
                return index
        return None


def check_trace_id(trace_id: str) -> str:
    """``trace_id`` if it is shaped like one (letters, digits, ``_ . -``), else TraceError."""
    if not _TRACE_ID.fullmatch(trace_id):
        raise TraceError("That does not look like a trace id.")
    return trace_id


def trace_url(base_url: str, trace_id: str) -> str:
    """The simulator's address for ``trace_id`` under ``base_url`` (its origin)."""
    return f"{base_url.rstrip('/')}{TRACE_PATH}{quote(check_trace_id(trace_id), safe='')}"


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TraceError(f"The trace's {what} is not a number.")
    return float(value)


def _attempt(item: Any, index: int) -> TraceAttempt:
    if not isinstance(item, Mapping):
        raise TraceError(f"Attempt {index + 1} of the trace is not an object.")
    status = item.get("status")
    if status is not None and (isinstance(status, bool) or not isinstance(status, int | float)):
        raise TraceError(f"Attempt {index + 1} has a status that is not a number.")
    outcome = str(item.get("outcome", ""))
    if outcome not in OUTCOMES:
        raise TraceError(f"Attempt {index + 1} has an unknown outcome.")
    return TraceAttempt(
        model=str(item.get("model", "")),
        status=None if status is None else int(status),
        started_ms=max(0.0, _number(item.get("started_ms", 0.0), "start time")),
        duration_ms=max(0.0, _number(item.get("duration_ms"), "duration")),
        outcome=outcome,
        reason=str(item.get("reason", "")),
    )


def parse_trace(data: Any) -> TraceRecord:
    """Check the trace's shape and make it typed; TraceError says what is wrong."""
    if not isinstance(data, Mapping):
        raise TraceError("The trace is not an object.")
    attempts = data.get("attempts")
    if not isinstance(attempts, list):
        raise TraceError("The trace has no list of attempts.")
    request = data.get("request")
    model = request.get("model", "") if isinstance(request, Mapping) else ""
    answered = data.get("answered_by")
    return TraceRecord(
        trace_id=str(data.get("trace_id", "")),
        model=str(model),
        attempts=tuple(_attempt(item, i) for i, item in enumerate(attempts)),
        answered_by=str(answered) if answered else None,
        cache=str(data.get("cache", "off")),
    )
