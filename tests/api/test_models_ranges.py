"""Every documented range: values at the edges pass, a value outside gives a plain-words line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from orq_desktop.api.models import ChatRequest, ImageRequest, friendly_errors

Build = Callable[[Any], tuple[type[ChatRequest] | type[ImageRequest], dict[str, Any]]]


def chat(**fields: Any) -> tuple[type[ChatRequest], dict[str, Any]]:
    return ChatRequest, {"messages": [{"role": "user", "content": "x"}], "model": "m", **fields}


def image(**fields: Any) -> tuple[type[ImageRequest], dict[str, Any]]:
    return ImageRequest, {"prompt": "p", "model": "openai/gpt-image-1", **fields}


def lines_for(cls: type[ChatRequest] | type[ImageRequest], data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        cls.model_validate(data)
    return friendly_errors(caught.value)


# (name, build(value), values that pass, a value that fails, the line friendly_errors gives)
RANGES: list[tuple[str, Build, list[Any], Any, str]] = [
    (
        "retry-count",
        lambda v: chat(orq={"retry": {"count": v}}),
        [1, 5, 3.0],
        7,
        "orq › retry › count: Retry attempts must be between 1 and 5 (you entered 7).",
    ),
    (
        "retry-count-low",
        lambda v: chat(orq={"retry": {"count": v}}),
        [2],
        0,
        "orq › retry › count: Retry attempts must be between 1 and 5 (you entered 0).",
    ),
    (
        "retry-code",
        lambda v: chat(orq={"retry": {"on_codes": [429, v]}}),
        [100, 599, 503.0],
        600,
        "orq › retry › on_codes › #2: Retry status codes must be between 100 and 599"
        " (you entered 600).",
    ),
    (
        "retry-codes-at-least-one",
        lambda v: chat(orq={"retry": {"on_codes": v}}),
        [[429]],
        [],
        "orq › retry › on_codes: Retry status codes: give at least 1 (you gave 0).",
    ),
    (
        "fallback-code",
        lambda v: chat(orq={"fallback_on_codes": [v]}),
        [400, 599],
        399,
        "orq › fallback_on_codes › #1: Fallback status codes must be between 400 and 599"
        " (you entered 399).",
    ),
    (
        "fallback-codes-unique",
        lambda v: chat(fallback_on_codes=v),
        [[429, 500]],
        [429, 500, 429],
        "fallback_on_codes: Fallback status codes must not repeat (429 appears more than once).",
    ),
    (
        "fallback-codes-at-most-20",
        lambda v: image(orq={"fallback_on_codes": list(range(400, 400 + v))}),
        [0, 20],
        21,
        "orq › fallback_on_codes: Fallback status codes: at most 20 are allowed (you gave 21).",
    ),
    (
        "cache-ttl",
        lambda v: chat(orq={"cache": {"type": "exact_match", "ttl": v}}),
        [1, 259200],
        259201,
        "orq › cache › ttl: Cache lifetime must be between 1 and 259200 seconds"
        " (you entered 259201).",
    ),
    (
        "call-timeout",
        lambda v: image(orq={"timeout": {"call_timeout": v}}),
        [1, 600000],
        0,
        "orq › timeout › call_timeout: Call timeout must be at least 1 ms (you entered 0).",
    ),
    (
        "image-n",
        lambda v: image(n=v),
        [1, 10],
        11,
        "n: Number of images must be between 1 and 10 (you entered 11).",
    ),
    (
        "dall-e-3-n",
        lambda v: (ImageRequest, {"prompt": "p", "model": "openai/dall-e-3", "n": v}),
        [1, None],
        2,
        "n: openai/dall-e-3 makes exactly 1 image per request (you asked for 2).",
    ),
    (
        "output-compression",
        lambda v: image(output_compression=v),
        [0, 100],
        101,
        "output_compression: Output compression must be between 0 and 100 (you entered 101).",
    ),
    (
        "top-logprobs",
        lambda v: chat(top_logprobs=v),
        [0, 20],
        21,
        "top_logprobs: Top log probabilities must be between 0 and 20 (you entered 21).",
    ),
    (
        "temperature",
        lambda v: chat(temperature=v),
        [0, 2, 0.7],
        2.5,
        "temperature: Temperature must be between 0 and 2 (you entered 2.5).",
    ),
    (
        "top-p",
        lambda v: chat(top_p=v),
        [0, 1],
        1.01,
        "top_p: Top P must be between 0 and 1 (you entered 1.01).",
    ),
    (
        "frequency-penalty",
        lambda v: chat(frequency_penalty=v),
        [-2, 2],
        -2.1,
        "frequency_penalty: Frequency penalty must be between -2 and 2 (you entered -2.1).",
    ),
    (
        "presence-penalty",
        lambda v: chat(presence_penalty=v),
        [-2, 2],
        3,
        "presence_penalty: Presence penalty must be between -2 and 2 (you entered 3).",
    ),
    (
        "max-completion-tokens",
        lambda v: chat(max_completion_tokens=v),
        [1, 100000],
        0,
        "max_completion_tokens: Max completion tokens must be at least 1 (you entered 0).",
    ),
    (
        "chat-n",
        lambda v: chat(n=v),
        [1, 8],
        0,
        "n: Number of answers must be at least 1 (you entered 0).",
    ),
    (
        "stop-at-most-4",
        lambda v: chat(stop=["s"] * v),
        [0, 4],
        5,
        "stop: Stop sequences: at most 4 are allowed (you gave 5).",
    ),
    (
        "metadata-pairs",
        lambda v: chat(metadata={f"k{i}": "v" for i in range(v)}),
        [0, 16],
        17,
        "metadata: Metadata pairs: at most 16 are allowed (you gave 17).",
    ),
    (
        "metadata-key-length",
        lambda v: chat(metadata={"k" * v: "v"}),
        [1, 64],
        65,
        f"metadata › {'k' * 37}…: Metadata key can be at most 64 characters (yours has 65).",
    ),
    (
        "metadata-value-length",
        lambda v: image(metadata={"k": "v" * v}),
        [0, 512],
        513,
        "metadata › k: Metadata value can be at most 512 characters (yours has 513).",
    ),
    (
        "load-balancer-weight",
        lambda v: chat(
            orq={"load_balancer": [{"type": "weight_based", "model": "a", "weight": v}]}
        ),
        [0.001, 1],
        0.0009,
        "orq › load_balancer › #1 › weight: Load balancer weight must be between 0.001 and 1"
        " (you entered 0.0009).",
    ),
    (
        "load-balancer-weight-object",
        lambda v: chat(
            load_balancer={"type": "weight_based", "models": [{"model": "a", "weight": v}]}
        ),
        [0.5],
        1.5,
        "load_balancer › models › #1 › weight: Load balancer weight must be between 0.001 and 1"
        " (you entered 1.5).",
    ),
    (
        "knowledge-base-top-k",
        lambda v: chat(orq={"knowledge_bases": [{"knowledge_id": "k", "top_k": v}]}),
        [1, 100],
        101,
        "orq › knowledge_bases › #1 › top_k: Knowledge base top K must be between 1 and 100"
        " (you entered 101).",
    ),
    (
        "knowledge-base-threshold",
        lambda v: chat(orq={"knowledge_bases": [{"knowledge_id": "k", "threshold": v}]}),
        [0, 1, 0.25],
        -0.1,
        "orq › knowledge_bases › #1 › threshold: Knowledge base threshold must be between 0 and 1"
        " (you entered -0.1).",
    ),
    (
        "thinking-budget",
        lambda v: chat(thinking={"type": "enabled", "budget_tokens": v}),
        [1024, 2048.0],
        1023,
        "thinking › budget_tokens: Thinking budget must be at least 1024 tokens"
        " (you entered 1023).",
    ),
    (
        "identity-email",
        lambda v: chat(orq={"identity": {"id": "i", "email": v}}),
        ["jane.doe@example.com", "a+b@mail.co.uk"],
        "jane.doe@",
        "orq › identity › email: Email does not look like an email address"
        ' (you entered "jane.doe@").',
    ),
    (
        "contact-email",
        lambda v: image(orq={"contact": {"id": "i", "email": v}}),
        ["x@y.io"],
        "x y@z.io",
        "orq › contact › email: Email does not look like an email address"
        ' (you entered "x y@z.io").',
    ),
]


@pytest.mark.parametrize(
    ("build", "good", "bad", "line"),
    [pytest.param(b, g, x, s, id=n) for n, b, g, x, s in RANGES],
)
def test_edges_pass_and_outside_gives_the_line(
    build: Build, good: list[Any], bad: Any, line: str
) -> None:
    for value in good:
        cls, data = build(value)
        cls.model_validate(data)  # no error
    cls, data = build(bad)
    assert lines_for(cls, data) == [line]


def test_the_raw_error_message_is_already_plain_words() -> None:
    with pytest.raises(ValidationError) as caught:
        ChatRequest.model_validate(chat(orq={"retry": {"count": 7}})[1])
    assert (
        caught.value.errors()[0]["msg"] == "Retry attempts must be between 1 and 5 (you entered 7)."
    )


def test_whole_numbers_are_accepted_as_floats_but_fractions_are_refused() -> None:
    req = ChatRequest.model_validate(chat(orq={"retry": {"count": 4.0, "on_codes": [429.0]}})[1])
    assert req.orq is not None and req.orq.retry is not None
    assert req.orq.retry.count == 4 and isinstance(req.orq.retry.count, int)
    assert lines_for(*chat(orq={"retry": {"count": 2.5}})) == [
        "orq › retry › count: Retry attempts must be a whole number (you entered 2.5)."
    ]


def test_several_problems_give_one_line_each() -> None:
    lines = lines_for(*chat(temperature=3, top_p=2, orq={"retry": {"count": 9}}))
    assert lines == [
        "temperature: Temperature must be between 0 and 2 (you entered 3).",
        "top_p: Top P must be between 0 and 1 (you entered 2).",
        "orq › retry › count: Retry attempts must be between 1 and 5 (you entered 9).",
    ]


def test_twenty_thousand_errors_are_explained_quickly_and_counted() -> None:
    """A huge paste: the first 100 errors are explained, one line counts the rest (explaining
    all 20,000 took about 0.3 s on the UI thread)."""
    body = {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": "x"}],
        "orq": {"fallbacks": [{"model": i} for i in range(20_000)]},
    }
    with pytest.raises(ValidationError) as caught:
        ChatRequest.model_validate(body)
    lines = friendly_errors(caught.value)
    assert len(lines) == 101
    assert lines[0] == "orq › fallbacks › #1 › model: Model must be text (you entered 0)."
    assert lines[-1] == "… and 19900 more problems like these."
