"""The simulator's options and everything it remembers between requests (one per server)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from orq_desktop.simulator.cache import AnswerCache
from orq_desktop.simulator.envelope import envelope
from orq_desktop.simulator.images import ImageStore
from orq_desktop.simulator.routing import Router
from orq_desktop.simulator.streaming import ChatAnswer
from orq_desktop.simulator.traces import TraceStore

TOKEN_RATE_HEADER = "X-Sim-Token-Rate"
TRACE_HEADER = "x-orq-trace-id"


@dataclass(frozen=True, slots=True)
class SimConfig:
    """How the simulator behaves.

    Attributes:
        api_key: when set, requests need ``Authorization: Bearer <api_key>``.
        token_rate: tokens per second for streamed answers (0 = as fast as possible); a
            request's ``X-Sim-Token-Rate`` header overrides it.
        backoff_scale: multiplies the router's retry backoff (1, 2, 4, 8, 16 s).
        seed: seeds the load balancer's picks and the backoff jitter.
        image_url_base: the origin in image URLs (default: the origin the request came to).
        clock: seconds, for cache expiry (tests pass one they can move forward).
    """

    api_key: str | None = field(default=None, repr=False)
    token_rate: float = 0.0
    backoff_scale: float = 0.01
    seed: int = 0
    image_url_base: str | None = None
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    max_traces: int = 1000
    max_requests: int = 1000


class SimState:
    """Shared by every handler of one server; used from the server's event loop only."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.router = Router(seed=config.seed, backoff_scale=config.backoff_scale)
        self.traces = TraceStore(config.max_traces)
        self.chat_cache: AnswerCache[ChatAnswer] = AnswerCache(config.clock)
        self.image_cache: AnswerCache[dict[str, Any]] = AnswerCache(config.clock)
        self.images = ImageStore()
        self.requests: deque[dict[str, Any]] = deque(maxlen=config.max_requests)
        self.request_count = 0
        self.in_flight = 0  # router requests being answered right now

    def token_rate(self, request: web.Request) -> float:
        """The request's ``X-Sim-Token-Rate`` when it is a number >= 0, else the server's."""
        value = request.headers.get(TOKEN_RATE_HEADER)
        if value is not None:
            try:
                rate = float(value)
            except ValueError:
                return self.config.token_rate
            if rate >= 0:
                return rate
        return self.config.token_rate


def error_response(
    status: int, message: str, headers: dict[str, str], param: str | None = None
) -> web.Response:
    """An error answer with the router's envelope."""
    return web.json_response(envelope(status, message, param), status=status, headers=headers)
