"""Fetching a trace from the simulator (``GET /_sim/traces/<id>``) over a short-lived client.

Kept apart from ``api.traces`` (the pure reading of a trace) so that widgets can read traces
without importing httpx. The request carries no API key: the endpoint needs none, so the key goes
nowhere new.
"""

from __future__ import annotations

import json
from typing import Any, Final

import httpx

from orq_desktop.api.traces import TraceError, parse_trace, trace_url

__all__ = ["DEFAULT_TIMEOUT_S", "MAX_TRACE_BYTES", "fetch_trace"]

MAX_TRACE_BYTES: Final = 1_000_000
DEFAULT_TIMEOUT_S: Final = 5.0


async def fetch_trace(
    base_url: str,
    trace_id: str,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """The simulator's record of ``trace_id``, checked by :func:`parse_trace`.

    Raises TraceError for a bad id, a network failure, an error status (404: the trace is gone
    or the server is not the simulator), a body too large, or a body of the wrong shape.
    """
    url = trace_url(base_url, trace_id)
    try:
        async with (
            httpx.AsyncClient(
                timeout=timeout_s, transport=transport, follow_redirects=False, trust_env=False
            ) as http,
            http.stream("GET", url, headers={"accept": "application/json"}) as response,
        ):
            if response.status_code == 404:
                raise TraceError(
                    "The server has no trace with this id: only the simulator keeps "
                    "attempt timelines, and only for recent requests."
                )
            if response.status_code != 200:
                raise TraceError(f"The server answered {response.status_code} for the trace.")
            body = bytearray()
            async for piece in response.aiter_bytes():
                body += piece
                if len(body) > MAX_TRACE_BYTES:
                    raise TraceError("The trace is too large to show.")
    except httpx.TimeoutException:
        raise TraceError("The server took too long to send the trace.") from None
    except httpx.HTTPError:
        raise TraceError("The trace could not be fetched: the server did not answer.") from None
    try:
        data = json.loads(bytes(body))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise TraceError("The trace is not valid JSON.") from None
    parse_trace(data)
    if not isinstance(data, dict):  # parse_trace refuses anything else; this narrows the type
        raise TraceError("The trace is not an object.")
    return data
