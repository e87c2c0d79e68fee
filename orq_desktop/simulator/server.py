"""The aiohttp application: routes, the key check, request records, and the ``/_sim`` endpoints."""

from __future__ import annotations

import hmac
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from orq_desktop.simulator.chat import handle_chat
from orq_desktop.simulator.checks import Operation, Problem, check_body, parse_json
from orq_desktop.simulator.imaging import handle_images
from orq_desktop.simulator.state import TRACE_HEADER, SimState, error_response
from orq_desktop.simulator.traces import Trace

PREFIXES = ("/v2/gateway", "/v2/router")
RECORD_LIMIT = 1024 * 1024  # larger request bodies are not kept in the request records
_OPERATIONS: dict[Operation, str] = {
    "chat": "/chat/completions",
    "images": "/images/generations",
}

Handler = Callable[
    [SimState, web.Request, dict[str, Any], Trace, dict[str, str]],
    Awaitable[web.StreamResponse],
]
_HANDLERS: dict[Operation, Handler] = {"chat": handle_chat, "images": handle_images}


def _authorised(state: SimState, request: web.Request) -> bool:
    key = state.config.api_key
    if key is None:
        return True
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {key}".encode())


def _record(state: SimState, request: web.Request, body: Any, trace: Trace) -> None:
    """Keep what was asked (never the Authorization header) for ``GET /_sim/requests``."""
    state.request_count += 1
    state.requests.append(
        {
            "seq": state.request_count,
            "time": time.time(),
            "method": request.method,
            "path": request.path,
            "headers": {k: v for k, v in request.headers.items() if k.lower() != "authorization"},
            "body": body,
            "trace_id": trace.trace_id,
        }
    )


def api_handler(
    state: SimState, operation: Operation
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The handler of one router operation: trace, record, key check, body check, then answer."""

    async def handle(request: web.Request) -> web.StreamResponse:
        state.in_flight += 1
        try:
            return await answer(request)
        finally:
            state.in_flight -= 1

    async def answer(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        parsed = parse_json(raw)
        body = parsed if isinstance(parsed, dict) else {}
        trace = state.traces.new(str(body.get("model", "")), request.path)
        headers = {TRACE_HEADER: trace.trace_id}
        if len(raw) > RECORD_LIMIT:
            recorded: Any = f"<{len(raw)} bytes, not kept>"
        else:
            recorded = body if body else raw.decode("utf-8", "replace")
        _record(state, request, recorded, trace)
        if not _authorised(state, request):
            message = "Invalid API key: check the key in your settings."
            return error_response(401, message, headers)
        if isinstance(parsed, Problem):
            return error_response(400, parsed.message, headers, parsed.param)
        problem = check_body(operation, parsed)
        if problem is not None:
            return error_response(400, problem.message, headers, problem.param)
        return await _HANDLERS[operation](state, request, parsed, trace, headers)

    return handle


def sim_routes(state: SimState) -> list[web.RouteDef]:
    """The simulator's own endpoints: health, traces, stored images and recorded requests."""

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"ok": True, "in_flight": state.in_flight})

    async def trace(request: web.Request) -> web.Response:
        found = state.traces.get(request.match_info["trace_id"])
        if found is None:
            return error_response(404, "No trace with that id (only the last ones are kept).", {})
        return web.json_response(found.to_json())

    async def image(request: web.Request) -> web.Response:
        stored = state.images.get(request.match_info["name"])
        if stored is None:
            return error_response(404, "No image with that name (it may have expired).", {})
        return web.Response(body=stored.data, content_type=stored.content_type)

    async def requests(request: web.Request) -> web.Response:
        try:
            since = int(request.query.get("since", "0"))
        except ValueError:
            return error_response(400, "since must be a whole number.", {}, "since")
        return web.json_response([r for r in state.requests if r["seq"] > since])

    async def forget_requests(_: web.Request) -> web.Response:
        state.requests.clear()
        return web.json_response({"ok": True})

    return [
        web.get("/_sim/health", health),
        web.get("/_sim/traces/{trace_id}", trace),
        web.get("/_sim/images/{name}", image),
        web.get("/_sim/requests", requests),
        web.delete("/_sim/requests", forget_requests),
    ]


def build_app(state: SimState) -> web.Application:
    """An application that speaks the router's wire format on both path prefixes."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    for prefix in PREFIXES:
        for operation, suffix in _OPERATIONS.items():
            app.router.add_post(prefix + suffix, api_handler(state, operation))
    app.router.add_routes(sim_routes(state))
    return app
