"""Test support for the api tests: comparing JSON bodies by value, and a recording server.

`RecordingServer` is an HTTP server on loopback (aiohttp, on its own event loop in a thread, so
that blocking callers such as the official SDK's sync client work too). It answers the minimal
valid responses of CONTRACT §11 and keeps every request it received: method, path, headers
(without Authorization) and the JSON body.
"""

from __future__ import annotations

import asyncio
import json
import threading
from dataclasses import dataclass
from typing import Any

from aiohttp import web

CHAT_JSON = {"id": "c1", "choices": [], "created": 0, "model": "m", "object": "chat.completion"}
CHAT_CHUNK = {
    "id": "c1",
    "choices": [{"finish_reason": None, "delta": {}}],
    "created": 0,
    "model": "m",
    "object": "chat.completion.chunk",
}
IMAGES_JSON: dict[str, Any] = {"created": 0, "data": []}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class RecordingServer:
    """Loopback server that records requests; `url` is its base URL (no trailing slash)."""

    def __init__(self) -> None:
        self.url = ""
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    # --- test side -------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()

    def take_one(self) -> RecordedRequest:
        """The single request received since the last clear (and clear again)."""
        with self._lock:
            got = list(self._requests)
            self._requests.clear()
        assert len(got) == 1, f"expected exactly one request, got {len(got)}"
        return got[0]

    # --- life cycle ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        headers = {k: v for k, v in request.headers.items() if k.lower() != "authorization"}
        with self._lock:
            self._requests.append(RecordedRequest(request.method, request.path, headers, body))
        if request.path.endswith("/images/generations"):
            return web.json_response(IMAGES_JSON)
        if isinstance(body, dict) and body.get("stream") is True:
            text = f"data: {json.dumps(CHAT_CHUNK)}\n\ndata: [DONE]\n\n"
            return web.Response(text=text, content_type="text/event-stream")
        return web.json_response(CHAT_JSON)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two JSON values differ (None when equal by value).

    Numbers compare by value (the SDK writes `429.0` where we may write `429`); everything else is
    strict: the same keys, the same list lengths, strings stay strings and booleans stay booleans
    (`true` is not `1`).
    """
    if _is_number(a) and _is_number(b):
        return None if a == b else f"{path}: {a!r} != {b!r}"
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} {a!r} != {type(b).__name__} {b!r}"
    if isinstance(a, dict):
        if a.keys() != b.keys():
            only_a = sorted(set(a) - set(b))
            only_b = sorted(set(b) - set(a))
            return f"{path}: keys only on the left {only_a}, only on the right {only_b}"
        for key in a:
            found = first_difference(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def equal_by_value(a: Any, b: Any) -> bool:
    return first_difference(a, b) is None
