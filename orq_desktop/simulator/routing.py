"""Router semantics: the attempt plan (load balancer, retries and backoff, fallbacks, timeouts).

The options are read from the raw (already validated) body, in both shapes the SDKs send:
inside ``orq`` (4.1) and at the top level (4.17, which wins when both are present).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orq_desktop.simulator.envelope import status_words
from orq_desktop.simulator.traces import Attempt, Outcome, Trace

DEFAULT_RETRY_COUNT = 3
DEFAULT_RETRY_CODES = frozenset({429})
DEFAULT_FALLBACK_CODES = frozenset({429, 500, 502, 503, 504, 529})
NEVER_FALLBACK = frozenset({400, 401, 403, 404})
TIMEOUT_STATUS = 504  # a call that exceeded ``call_timeout`` counts as a gateway timeout
MAX_BACKOFF_S = 16.0


class AttemptError(Exception):
    """An attempt answered with an error status (before its first byte reached the client)."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: Mapping[str, str] | None = None,
        *,
        final: bool = False,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.message = message
        self.headers: dict[str, str] = dict(headers or {})
        # A final failure (an unknown model) ends the plan: no retry, no fallback.
        self.final = final


@dataclass(frozen=True, slots=True)
class RouteOptions:
    """The routing part of a request, normalised (numbers sent as ``429.0`` become ints)."""

    model: str
    retry_count: int = 0
    retry_codes: frozenset[int] = frozenset()
    fallbacks: tuple[str, ...] = ()
    fallback_codes: frozenset[int] = DEFAULT_FALLBACK_CODES
    call_timeout_s: float | None = None
    cache_ttl_s: float | None = None
    balance: tuple[tuple[str, float], ...] = ()


@dataclass(slots=True)
class Failure:
    """The last failed attempt when no attempt answered: what the client gets."""

    status: int
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Success[T]:
    """The answer of the attempt that succeeded, and the model that gave it."""

    model: str
    value: T


def _int(value: Any, default: int) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return default


def _pick(body: Mapping[str, Any], name: str) -> Any:
    orq = body.get("orq")
    top = body.get(name)
    if top is not None:
        return top
    return orq.get(name) if isinstance(orq, dict) else None


def route_options(body: Mapping[str, Any]) -> RouteOptions:
    """Read retry, fallbacks, fallback_on_codes, timeout, cache and load_balancer from a body."""
    retry = _pick(body, "retry")
    retry_count, retry_codes = 0, frozenset[int]()
    if isinstance(retry, dict):
        retry_count = max(0, _int(retry.get("count"), DEFAULT_RETRY_COUNT))
        codes = retry.get("on_codes")
        retry_codes = (
            frozenset(_int(c, 0) for c in codes) if isinstance(codes, list) and codes else None
        ) or DEFAULT_RETRY_CODES

    fallbacks = tuple(
        str(f["model"])
        for f in (_pick(body, "fallbacks") or [])
        if isinstance(f, dict) and f.get("model")
    )
    codes = _pick(body, "fallback_on_codes")
    fallback_codes = (
        frozenset(_int(c, 0) for c in codes) if isinstance(codes, list) else DEFAULT_FALLBACK_CODES
    ) - NEVER_FALLBACK

    timeout = _pick(body, "timeout")
    call_timeout_s = None
    if isinstance(timeout, dict) and timeout.get("call_timeout") is not None:
        call_timeout_s = max(0.001, float(timeout["call_timeout"]) / 1000.0)

    cache = _pick(body, "cache")
    cache_ttl_s = None
    if isinstance(cache, dict) and cache.get("type", "exact_match") == "exact_match":
        ttl = cache.get("ttl")
        cache_ttl_s = float(ttl) if isinstance(ttl, int | float) else 1800.0

    balancer = _pick(body, "load_balancer")
    entries = balancer.get("models") if isinstance(balancer, dict) else balancer
    balance = tuple(
        (str(e["model"]), max(0.001, float(e.get("weight") or 0.5)))
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict) and e.get("model")
    )
    return RouteOptions(
        model=str(body.get("model", "")),
        retry_count=retry_count,
        retry_codes=retry_codes,
        fallbacks=fallbacks,
        fallback_codes=fallback_codes,
        call_timeout_s=call_timeout_s,
        cache_ttl_s=cache_ttl_s,
        balance=balance,
    )


def backoff_s(retry_index: int, rng: random.Random, scale: float) -> float:
    """The wait before retry ``retry_index`` (0-based): 1, 2, 4, 8, 16 s ±25%, times ``scale``."""
    base = min(2.0**retry_index, MAX_BACKOFF_S)
    return base * rng.uniform(0.75, 1.25) * scale


class Router:
    """Runs the attempt plan for one request and writes every attempt into its trace.

    ``attempt`` performs one call to one model up to its first byte: it returns the answer, or
    raises :class:`AttemptError`. ``call_timeout`` bounds it.
    """

    def __init__(self, *, seed: int, backoff_scale: float) -> None:
        self._balance_rng = random.Random(f"{seed}/load-balancer")
        self._jitter_rng = random.Random(f"{seed}/jitter")
        self._backoff_scale = backoff_scale

    def primary(self, options: RouteOptions) -> str:
        """The first model: a weighted pick when the load balancer is on, else the request's."""
        if not options.balance:
            return options.model
        models = [m for m, _ in options.balance]
        weights = [w for _, w in options.balance]
        return self._balance_rng.choices(models, weights)[0]

    async def run[T](
        self,
        options: RouteOptions,
        trace: Trace,
        attempt: Callable[[str], Awaitable[T]],
    ) -> Success[T] | Failure:
        plan = [self.primary(options), *options.fallbacks]
        failure = Failure(500, "No model was tried.")
        for position, model in enumerate(plan):
            next_model = plan[position + 1] if position + 1 < len(plan) else None
            for retry_index in range(options.retry_count + 1):
                started = trace.elapsed_ms()
                clock = time.perf_counter()
                result = await self._call(model, options, attempt)
                duration = (time.perf_counter() - clock) * 1000.0
                if isinstance(result, Success):
                    trace.attempts.append(
                        Attempt(model, 200, started, duration, "answered", "answered the request")
                    )
                    trace.answered_by = model
                    return result
                failure = result.failure
                retrying = (
                    not result.final
                    and result.failure.status in options.retry_codes
                    and retry_index < options.retry_count
                )
                falling_back = (
                    not result.final
                    and next_model is not None
                    and (
                        result.outcome == "timeout"
                        or result.failure.status in options.fallback_codes
                    )
                )
                wait = backoff_s(retry_index, self._jitter_rng, self._backoff_scale)
                if retrying:
                    step = f"retry {retry_index + 1} of {options.retry_count} after {wait:.3f} s"
                elif falling_back:
                    step = f"trying fallback {next_model}"
                else:
                    step = _why_stopped(result)
                status = None if result.outcome == "timeout" else result.failure.status
                trace.attempts.append(
                    Attempt(
                        model, status, started, duration, result.outcome, f"{result.what}: {step}"
                    )
                )
                if retrying:
                    await asyncio.sleep(wait)
                    continue
                if falling_back:
                    break
                return failure
        return failure

    async def _call[T](
        self, model: str, options: RouteOptions, attempt: Callable[[str], Awaitable[T]]
    ) -> Success[T] | _Miss:
        """One attempt, bounded by ``call_timeout``."""
        try:
            if options.call_timeout_s is None:
                return Success(model, await attempt(model))
            return Success(model, await asyncio.wait_for(attempt(model), options.call_timeout_s))
        except AttemptError as exc:
            what = f"{status_words(exc.status)} ({exc.status})"
            failure = Failure(exc.status, exc.message, exc.headers)
            return _Miss(failure, "failed", what, exc.final)
        except TimeoutError:
            limit_ms = round((options.call_timeout_s or 0) * 1000)
            message = f"The model {model} did not answer within call_timeout ({limit_ms} ms)."
            failure = Failure(TIMEOUT_STATUS, message)
            return _Miss(failure, "timeout", f"no answer within call_timeout ({limit_ms} ms)")


@dataclass(frozen=True, slots=True)
class _Miss:
    """A failed attempt: what the client would get, and how to describe it."""

    failure: Failure
    outcome: Outcome
    what: str
    final: bool = False


def _why_stopped(miss: _Miss) -> str:
    if miss.final:
        return "an unknown model is never retried or sent to a fallback"
    if miss.failure.status in NEVER_FALLBACK:
        return "this status is never sent to a fallback"
    return "no retry or fallback left"
