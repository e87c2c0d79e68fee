"""What a model name makes the simulator do: healthy answers, or ``sim/`` misbehaviour on purpose.

Any ``provider/model`` (in fact any non-empty id outside ``sim/``) answers like a healthy model.
``sim/`` models misbehave:

==========================  ================================================================
``sim/status-<code>``       answers that status (400-599) with the error envelope
``sim/slow-<ms>``           waits that long before the first byte, then answers healthily
``sim/timeout``             never answers (until the client or ``call_timeout`` gives up)
``sim/drop-after-<n>``      streams n content chunks, then closes the connection abruptly
``sim/error-after-<n>``     streams n content chunks, then ``data: {"error": {...}}``
``sim/malformed``           sends a data line that is not JSON
``sim/huge``                a 50 MB answer
``sim/unknown`` (any other) 404 "model not found", with no fallback
==========================  ================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    HEALTHY = "healthy"
    STATUS = "status"
    SLOW = "slow"
    TIMEOUT = "timeout"
    DROP_AFTER = "drop-after"
    ERROR_AFTER = "error-after"
    MALFORMED = "malformed"
    HUGE = "huge"
    UNKNOWN = "unknown"


# Behaviours that shape only the body of a chat answer (after the first byte).
STREAM_KINDS = frozenset({Kind.DROP_AFTER, Kind.ERROR_AFTER, Kind.MALFORMED, Kind.HUGE})
# Behaviours that make sense for image generation too.
IMAGE_KINDS = frozenset({Kind.HEALTHY, Kind.STATUS, Kind.SLOW, Kind.TIMEOUT})

_PARAM = re.compile(r"^sim/(status|slow|drop-after|error-after)-(\d{1,7})$")


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What one model does: ``kind`` plus its number (status code, ms or chunk count)."""

    kind: Kind
    value: int = 0


def behaviour_of(model: str) -> Behaviour:
    """Parse a model id. An empty id or an unknown ``sim/`` id is unknown; the rest is healthy."""
    if model.startswith("sim/"):
        match = _PARAM.match(model)
        if match:
            kind, value = Kind(match.group(1)), int(match.group(2))
            if kind is Kind.STATUS and not 400 <= value <= 599:
                return Behaviour(Kind.UNKNOWN)
            return Behaviour(kind, value)
        named = {
            "sim/timeout": Kind.TIMEOUT,
            "sim/malformed": Kind.MALFORMED,
            "sim/huge": Kind.HUGE,
        }
        return Behaviour(named.get(model, Kind.UNKNOWN))
    return Behaviour(Kind.HEALTHY if model.strip() else Kind.UNKNOWN)
