"""A loopback HTTP server that speaks the Orq router's wire format, for tests, demos and benchmarks.

It serves ``/v2/gateway/...`` and ``/v2/router/...`` (chat completions, JSON or streamed, and image
generation), applies the router's retry / fallback / timeout / cache / load-balancer semantics, and
offers ``sim/`` models that misbehave on purpose (see :mod:`orq_desktop.simulator.behaviours`).

    with start_in_thread(api_key="k") as sim:
        ...  # point a client at sim.url

``python -m orq_desktop.simulator --port 8765`` runs it in the foreground.
"""

from __future__ import annotations

from orq_desktop.simulator.runner import RunningSimulator, SimulatorHandle, start, start_in_thread
from orq_desktop.simulator.state import TOKEN_RATE_HEADER, TRACE_HEADER, SimConfig

__all__ = [
    "TOKEN_RATE_HEADER",
    "TRACE_HEADER",
    "RunningSimulator",
    "SimConfig",
    "SimulatorHandle",
    "start",
    "start_in_thread",
]
