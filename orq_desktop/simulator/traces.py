"""Traces: what the router did for one request (attempts, who answered, the cache), kept bounded."""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["answered", "failed", "timeout", "cache_hit"]
CacheState = Literal["hit", "miss", "off"]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_trace_id() -> str:
    """``trace_`` plus a ULID-like id: 48 bits of milliseconds and 80 random bits, base32."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(_CROCKFORD[digit])
    return "trace_" + "".join(reversed(chars))


@dataclass(slots=True)
class Attempt:
    """One call to one model: its status (None when it timed out) and why the next one came."""

    model: str
    status: int | None
    started_ms: float
    duration_ms: float
    outcome: Outcome
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "status": self.status,
            "duration_ms": round(self.duration_ms, 3),
            "started_ms": round(self.started_ms, 3),
            "outcome": self.outcome,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Trace:
    """The record behind an ``x-orq-trace-id`` header. Filled in while the request runs."""

    trace_id: str
    model: str
    path: str
    attempts: list[Attempt] = field(default_factory=list)
    answered_by: str | None = None
    cache: CacheState = "off"
    started: float = field(default_factory=time.perf_counter)

    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000.0

    def to_json(self) -> dict[str, Any]:
        return {
            "trace_id": self.trace_id,
            "request": {"model": self.model, "path": self.path},
            "attempts": [a.to_json() for a in self.attempts],
            "answered_by": self.answered_by,
            "cache": self.cache,
        }


class TraceStore:
    """The last ``limit`` traces by id (oldest dropped first). Used from the server's loop only."""

    def __init__(self, limit: int = 1000) -> None:
        self._limit = limit
        self._traces: OrderedDict[str, Trace] = OrderedDict()

    def new(self, model: str, path: str) -> Trace:
        trace = Trace(new_trace_id(), model, path)
        self._traces[trace.trace_id] = trace
        while len(self._traces) > self._limit:
            self._traces.popitem(last=False)
        return trace

    def get(self, trace_id: str) -> Trace | None:
        return self._traces.get(trace_id)

    def __len__(self) -> int:
        return len(self._traces)
