"""``POST …/chat/completions``: the cache, the attempt plan, and the answer in either shape."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from typing import Any

from aiohttp import web

from orq_desktop.simulator.behaviours import Kind, behaviour_of
from orq_desktop.simulator.cache import cache_key
from orq_desktop.simulator.envelope import status_words
from orq_desktop.simulator.routing import AttemptError, Failure, route_options
from orq_desktop.simulator.state import SimState, error_response
from orq_desktop.simulator.streaming import ChatAnswer, write_json, write_stream
from orq_desktop.simulator.text import (
    count_words,
    last_user_text,
    limit_tokens,
    reply_text,
    substituted_messages,
    tokenize,
)
from orq_desktop.simulator.traces import Attempt, Trace


def _token_limit(body: dict[str, Any]) -> int | None:
    for name in ("max_completion_tokens", "max_tokens"):
        value = body.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 1:
            return int(value)
    return None


def _new_id() -> str:
    return "chatcmpl-" + os.urandom(12).hex()


def model_failure(model: str) -> AttemptError | None:
    """The error a model answers with before doing anything: unknown ids and ``sim/status-*``."""
    behaviour = behaviour_of(model)
    if behaviour.kind is Kind.UNKNOWN:
        return AttemptError(404, f"The model {model} was not found.", final=True)
    if behaviour.kind is Kind.STATUS:
        code = behaviour.value
        headers = {"Retry-After": "1"} if code == 429 else {}
        return AttemptError(code, f"Simulated {status_words(code)} ({code}) from {model}.", headers)
    return None


async def wait_like(model: str) -> None:
    """The delay before a model's first byte: ``sim/slow-<ms>`` waits, ``sim/timeout`` forever."""
    behaviour = behaviour_of(model)
    if behaviour.kind is Kind.SLOW:
        await asyncio.sleep(behaviour.value / 1000.0)
    elif behaviour.kind is Kind.TIMEOUT:
        # Ends only when the client disconnects (the handler is cancelled) or call_timeout fires.
        await asyncio.get_running_loop().create_future()


class _ChatCall:
    """One chat request: what every attempt needs to build its answer."""

    def __init__(self, state: SimState, body: dict[str, Any], rate: float) -> None:
        self.state = state
        self.stream = bool(body.get("stream"))
        self.rate = rate
        messages = substituted_messages(body)
        self.prompt = last_user_text(messages)
        self.prompt_tokens = count_words(messages)
        self.limit = _token_limit(body)

    async def attempt(self, model: str) -> ChatAnswer:
        failure = model_failure(model)
        if failure is not None:
            raise failure
        await wait_like(model)
        kind = behaviour_of(model).kind
        if kind is Kind.ERROR_AFTER and not self.stream:
            # Without a stream the router sees the provider fail before answering anything.
            after = behaviour_of(model).value
            raise AttemptError(500, f"The provider failed after {after} tokens ({model}).")
        tokens, finish = limit_tokens(tokenize(reply_text(self.prompt, model)), self.limit)
        if not self.stream and self.rate > 0 and kind is Kind.HEALTHY:
            await asyncio.sleep(len(tokens) / self.rate)  # a JSON answer takes as long to write
        return ChatAnswer(
            completion_id=_new_id(),
            created=int(time.time()),
            model=model,
            kind=Kind.HEALTHY if kind in (Kind.SLOW, Kind.TIMEOUT) else kind,
            tokens=tuple(tokens),
            finish_reason=finish,
            prompt_tokens=self.prompt_tokens,
            after=behaviour_of(model).value,
        )


def _cache_hit(trace: Trace, cached: ChatAnswer) -> ChatAnswer:
    trace.cache = "hit"
    trace.attempts.append(
        Attempt(
            cached.model,
            200,
            trace.elapsed_ms(),
            0.0,
            "cache_hit",
            "cache hit: answered from the exact-match cache",
        )
    )
    trace.answered_by = cached.model
    return dataclasses.replace(cached, completion_id=_new_id(), created=int(time.time()))


async def handle_chat(
    state: SimState,
    request: web.Request,
    body: dict[str, Any],
    trace: Trace,
    headers: dict[str, str],
) -> web.StreamResponse:
    """Answer one validated chat request."""
    call = _ChatCall(state, body, state.token_rate(request))
    options = route_options(body)
    stream_options = body.get("stream_options")
    include_usage = isinstance(stream_options, dict) and bool(stream_options.get("include_usage"))

    key = cache_key("chat", body) if options.cache_ttl_s is not None else None
    cached = state.chat_cache.get(key) if key is not None else None
    if cached is not None:
        answer = _cache_hit(trace, cached)
        rate = 0.0  # a cached answer comes back at once
    else:
        trace.cache = "miss" if key is not None else "off"
        result = await state.router.run(options, trace, call.attempt)
        if isinstance(result, Failure):
            return error_response(result.status, result.message, {**headers, **result.headers})
        answer, rate = result.value, call.rate
        if key is not None and options.cache_ttl_s is not None and answer.kind is Kind.HEALTHY:
            state.chat_cache.put(key, answer, options.cache_ttl_s)

    if call.stream:
        return await write_stream(
            request, answer, rate=rate, include_usage=include_usage, headers=headers
        )
    return await write_json(request, answer, headers)
