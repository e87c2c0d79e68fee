"""Fixtures for the gateway simulator on loopback (shared by api, core and ui tests).

- ``sim_server``: one simulator for the whole session (no key, token_rate 0, backoff_scale 0.001).
- ``sim_server_factory``: makes simulators with options (``api_key=``, ``token_rate=``, ``seed=``,
  ``clock=``, ...) and stops them after the test.

A handle has ``.url``, ``.port``, ``.stop()``, ``.trace(trace_id)`` and ``.recorded_requests()``.
Helpers for reading answers: ``sse_data(text)`` (the ``data:`` payloads of an SSE body) and
``chat_body(model, prompt, **fields)``.

The simulator is imported inside the fixtures, so collecting tests stays cheap.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from orq_desktop.simulator import SimulatorHandle

SIM_DEFAULTS: dict[str, Any] = {"token_rate": 0.0, "backoff_scale": 0.001}


@pytest.fixture(scope="session")
def sim_server() -> Iterator[SimulatorHandle]:
    """A simulator shared by the session: no key, no pacing, backoff scaled by 0.001."""
    from orq_desktop.simulator import start_in_thread

    with start_in_thread(**SIM_DEFAULTS) as handle:
        yield handle


@pytest.fixture
def sim_server_factory() -> Iterator[Callable[..., SimulatorHandle]]:
    """``make(**options)`` starts a simulator (defaults as ``sim_server``); all stop afterwards."""
    from orq_desktop.simulator import start_in_thread

    handles: list[SimulatorHandle] = []

    def make(**options: Any) -> SimulatorHandle:
        handle = start_in_thread(**{**SIM_DEFAULTS, **options})
        handles.append(handle)
        return handle

    yield make
    for handle in handles:
        handle.stop()


def sse_data(text: str) -> list[Any]:
    """The ``data:`` payloads of an SSE body, in order: parsed JSON, or the raw string."""
    out: list[Any] = []
    for event in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line[5:].lstrip() for line in event.split("\n") if line.startswith("data:")]
        if not lines:
            continue
        data = "\n".join(lines)
        try:
            out.append(json.loads(data))
        except json.JSONDecodeError:
            out.append(data)
    return out


def chat_body(model: str, prompt: str = "Hello there", **fields: Any) -> dict[str, Any]:
    """A minimal chat request body with one user message."""
    return {"model": model, "messages": [{"role": "user", "content": prompt}], **fields}
