"""The simulator's reply text: deterministic, markdown, tokenised losslessly, limited exactly."""

from __future__ import annotations

import pytest

from orq_desktop.simulator.behaviours import Behaviour, Kind, behaviour_of
from orq_desktop.simulator.text import (
    count_words,
    last_user_text,
    limit_tokens,
    reply_text,
    substitute,
    substituted_messages,
    tokenize,
    variables_of,
)


def test_reply_is_deterministic_and_about_the_prompt() -> None:
    first = reply_text("How do retries work?", "openai/gpt-4o")
    assert first == reply_text("How do retries work?", "openai/gpt-4o")
    assert first != reply_text("How do fallbacks work?", "openai/gpt-4o")
    assert "You asked about *How do retries work?*" in first


def test_reply_has_heading_list_and_inline_code() -> None:
    text = reply_text("Explain caching", "anthropic/claude-3")
    lines = text.splitlines()
    assert lines[0].startswith("## ")
    assert sum(line.startswith("- ") for line in lines) == 3
    assert "`anthropic/claude-3`" in text


@pytest.mark.parametrize(
    "prompt", ["", "hi", "Write a haiku about the sea", "word " * 300, "```*_#`"]
)
def test_reply_length_looks_real(prompt: str) -> None:
    assert 40 <= len(tokenize(reply_text(prompt, "openai/gpt-4o"))) <= 80


def test_prompt_markdown_does_not_unbalance_the_reply() -> None:
    text = reply_text("use `x` and **y**", "m/x")
    assert text.count("`") % 2 == 0
    assert text.count("**") % 2 == 0


@pytest.mark.parametrize("text", ["", "one", "a  b\n\nc ", "extraordinarily long words here\n"])
def test_tokens_join_back_to_the_text(text: str) -> None:
    assert "".join(tokenize(text)) == text


def test_long_words_are_split_into_pieces() -> None:
    assert tokenize("internationalisation ok") == ["internat", "ionalisa", "tion ", "ok"]


def test_limit_cuts_with_length() -> None:
    tokens = tokenize("one two three four five")
    assert limit_tokens(tokens, 2) == (["one ", "two "], "length")
    assert limit_tokens(tokens, None) == (tokens, "stop")
    assert limit_tokens(tokens, 5) == (tokens, "stop")


def test_limit_cycles_a_short_text_and_keeps_words_apart() -> None:
    cycled, reason = limit_tokens(tokenize("alpha beta"), 5)
    assert reason == "length"
    assert len(cycled) == 5
    assert "".join(cycled).split() == ["alpha", "beta", "alpha", "beta", "alpha"]


def test_substitute_replaces_known_names_only() -> None:
    assert substitute("Hi {{ name }}, {{other}}", {"name": "Ada"}) == "Hi Ada, {{other}}"


def test_variables_from_orq_inputs_list_and_top_level() -> None:
    assert variables_of({"orq": {"inputs": {"a": 1}}}) == {"a": 1}
    assert variables_of({"orq": {"inputs": [{"key": "a", "value": "x"}]}}) == {"a": "x"}
    assert variables_of({"variables": {"b": 2}, "orq": {"inputs": {"a": 1}}}) == {"b": 2}
    assert variables_of({}) == {}


def test_messages_substituted_in_strings_and_text_parts() -> None:
    body = {
        "orq": {"inputs": {"who": "Ada"}},
        "messages": [
            {"role": "system", "content": "Talk to {{who}}"},
            {"role": "user", "content": [{"type": "text", "text": "I am {{who}}"}]},
        ],
    }
    messages = substituted_messages(body)
    assert messages[0]["content"] == "Talk to Ada"
    assert last_user_text(messages) == "I am Ada"
    assert count_words(messages) == 6
    assert body["messages"][0]["content"] == "Talk to {{who}}"  # the request is not changed


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("openai/gpt-4o", Behaviour(Kind.HEALTHY)),
        ("m", Behaviour(Kind.HEALTHY)),
        ("", Behaviour(Kind.UNKNOWN)),
        ("sim/status-429", Behaviour(Kind.STATUS, 429)),
        ("sim/status-200", Behaviour(Kind.UNKNOWN)),
        ("sim/slow-250", Behaviour(Kind.SLOW, 250)),
        ("sim/timeout", Behaviour(Kind.TIMEOUT)),
        ("sim/drop-after-3", Behaviour(Kind.DROP_AFTER, 3)),
        ("sim/error-after-4", Behaviour(Kind.ERROR_AFTER, 4)),
        ("sim/malformed", Behaviour(Kind.MALFORMED)),
        ("sim/huge", Behaviour(Kind.HUGE)),
        ("sim/unknown", Behaviour(Kind.UNKNOWN)),
        ("sim/whatever", Behaviour(Kind.UNKNOWN)),
    ],
)
def test_model_names_map_to_behaviours(model: str, expected: Behaviour) -> None:
    assert behaviour_of(model) == expected
