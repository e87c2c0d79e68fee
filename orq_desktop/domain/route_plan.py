"""What the router will do with a request's routing options, in numbers and in plain words.

Follows the router's documented semantics (CONTRACT §4, §12): each model is tried, retried
``retry.count`` times on ``retry.on_codes`` with backoff 1, 2, 4, 8, 16 s (±25%), then the
fallbacks in order on 429/500/502/503/504 and timeouts, never on 400/401/403; ``call_timeout``
bounds every attempt; with a load balancer the primary model is replaced by a weighted pick.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

BACKOFF_S = (1.0, 2.0, 4.0, 8.0, 16.0)
JITTER = 0.25
FALLBACK_CODES = (429, 500, 502, 503, 504)
NEVER_RETRY = {400: "bad request", 401: "bad key", 403: "no access", 501: "not supported"}
DEFAULT_RETRY_CODES = (429,)
DEFAULT_RETRY_COUNT = 3
RECOMMENDED_MAX_FALLBACKS = 3  # more is a warning
MAX_FALLBACKS = 5  # more is refused: each fallback adds a whole set of attempts
NUMBER_WORDS = {1: "once", 2: "twice", 3: "three times", 4: "four times", 5: "five times"}


@dataclass(frozen=True, slots=True)
class Attempt:
    model: str
    retry: int  # 0 for the first try of this model
    wait_before_s: float  # the nominal backoff before this attempt


@dataclass(frozen=True, slots=True)
class RoutePlan:
    models: tuple[str, ...]  # primary (or load-balanced pool) then fallbacks
    retry_count: int
    retry_codes: tuple[int, ...]
    attempts: tuple[Attempt, ...]  # the worst case: every attempt fails with a retried code
    call_timeout_s: float | None
    worst_time_s: float | None  # None when no per-attempt timeout bounds it
    sentences: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def worst_attempts(self) -> int:
        return len(self.attempts)

    def describe(self) -> str:
        return " ".join(self.sentences)


def never_retry_warning(codes: Sequence[int]) -> str | None:
    """The warning for retry codes that are not transient (400, 401, 403, 501), or None."""
    useless = [c for c in codes if c in NEVER_RETRY]
    if not useless:
        return None
    named = ", ".join(f"{c} ({NEVER_RETRY[c]})" for c in useless)
    return f"Retrying on {named} never helps (non-transient): the same request fails the same way."


def _codes(values: Sequence[Any]) -> tuple[int, ...]:
    return tuple(sorted({int(v) for v in values}))


def _or_list(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _seconds(s: float) -> str:
    return f"{s:g} s" if s < 120 else f"{s / 60:.1f} min"


def plan_route(model: str, orq: Mapping[str, Any] | None) -> RoutePlan:
    orq = orq or {}
    retry = orq.get("retry")
    count = int(retry.get("count", DEFAULT_RETRY_COUNT)) if retry is not None else 0
    codes = _codes(retry.get("on_codes") or DEFAULT_RETRY_CODES) if retry is not None else ()
    fallbacks = [str(f.get("model", "")) for f in orq.get("fallbacks") or []]
    balancer = orq.get("load_balancer")
    pool = balancer.get("models") if isinstance(balancer, Mapping) else balancer
    pool_models = [str(e.get("model", "")) for e in pool or []]
    first = " / ".join(pool_models) if pool_models else model
    models = (first, *fallbacks)
    timeout = orq.get("timeout") or {}
    call_timeout_s = float(timeout["call_timeout"]) / 1000 if timeout.get("call_timeout") else None

    attempts: list[Attempt] = []
    for m in models:
        attempts.append(Attempt(m, 0, 0.0))
        attempts.extend(Attempt(m, i + 1, BACKOFF_S[min(i, 4)]) for i in range(count))
    waits = sum(a.wait_before_s for a in attempts) * (1 + JITTER)
    worst = None if call_timeout_s is None else len(attempts) * call_timeout_s + waits

    sentences: list[str] = []
    if pool_models:
        sentences.append(
            f"The load balancer picks one of {_or_list(pool_models)} by weight; "
            f"{model} itself is not used."
        )
    if count:
        waits_text = " then ".join(_seconds(BACKOFF_S[min(i, 4)]) for i in range(count))
        apart = f", about {waits_text} apart" if count > 1 else f", after about {waits_text}"
        sentences.append(
            f"On {_or_list([str(c) for c in codes])}: retry "
            f"{NUMBER_WORDS.get(count, f'{count} times')}{apart}."
        )
    if fallbacks:
        chain = ", then ".join(f"try {f}" for f in fallbacks)
        sentences.append(
            f"If it still fails with {_or_list([str(c) for c in FALLBACK_CODES])} "
            f"or times out: {chain}."
        )
        sentences.append("A 400, 401 or 403 will not fall back; an unknown model fails at once.")
    if not count and not fallbacks:
        sentences.append(f"One attempt with {first}; any error is shown as it is.")
    tries = f"{len(attempts)} attempt{'' if len(attempts) == 1 else 's'}"
    if call_timeout_s is not None:
        sentences.append(
            f"Each attempt may take up to {_seconds(call_timeout_s)}: worst case "
            f"{tries} in about {_seconds(round(worst or 0, 1))}."
        )
    elif len(attempts) > 1:
        sentences.append(
            f"Worst case {tries}; with no per-attempt timeout "
            "a slow provider can hold each one for minutes."
        )
    else:
        sentences.append("With no per-attempt timeout a slow provider can take minutes.")

    warnings: list[str] = []
    if warning := never_retry_warning(codes):
        warnings.append(warning)
    if len(fallbacks) > RECOMMENDED_MAX_FALLBACKS:
        warnings.append(
            f"{len(fallbacks)} fallbacks: the router recommends at most "
            f"{RECOMMENDED_MAX_FALLBACKS}."
        )
    if len(set(fallbacks)) != len(fallbacks):
        warnings.append("A fallback model is listed twice.")
    if model in fallbacks and not pool_models:
        warnings.append(f"{model} is the primary model and also a fallback.")
    if worst is not None and worst > 600:
        warnings.append(f"The worst case is {_seconds(worst)}: longer than most people wait.")
    return RoutePlan(
        models,
        count,
        codes,
        tuple(attempts),
        call_timeout_s,
        worst,
        tuple(sentences),
        tuple(warnings),
    )
