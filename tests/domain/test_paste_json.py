"""Pasting a JSON request body or an orq object: what fills the form, what is named as ignored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orq_desktop.core.presets_store import check_request
from orq_desktop.domain.paste import PasteResult, parse_pasted
from orq_desktop.domain.paste_body import FormFill

CANARY = "sk-orq-CANARY-90be11"


def paste(value: Any, **kwargs: Any) -> PasteResult:
    text = value if isinstance(value, str) else json.dumps(value)
    return parse_pasted(text, check=check_request, **kwargs)


def test_a_chat_body_fills_model_params_system_prompt_prompt_and_orq() -> None:
    result = paste(
        {
            "messages": [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "First question"},
                {"role": "assistant", "content": "First answer"},
                {"role": "user", "content": [{"type": "text", "text": "Second question"}]},
            ],
            "model": "openai/gpt-4o",
            "temperature": 0.4,
            "stop": ["END"],
            "stream": True,
            "orq": {"retry": {"count": 2, "on_codes": [429]}},
        }
    )
    assert result.kind == "json"
    assert result.errors == []
    assert result.can_apply
    assert result.fill == FormFill(
        target="chat",
        model="openai/gpt-4o",
        params={"temperature": 0.4, "stop": ["END"], "stream": True},
        system_prompt="You are terse.",
        prompt="Second question",
        orq={"retry": {"count": 2, "on_codes": [429]}},
    )
    assert result.body["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Second question"},
    ]
    assert result.ignored == [
        "2 other message(s) of the conversation "
        "(only the last user message goes into the prompt box)"
    ]


def test_a_body_without_stream_or_orq_reproduces_that_request() -> None:
    result = paste({"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Hi"}]})
    assert result.fill.params == {"stream": False}  # the SDK's default
    assert result.fill.orq == {}  # routing options cleared
    assert result.fill.system_prompt == ""


def test_everything_not_editable_is_named() -> None:
    result = paste(
        {
            "model": "openai/gpt-4o",
            "messages": [
                {"role": "system", "content": "A"},
                {"role": "developer", "content": "B"},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "Look"},
                        {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA"}},
                    ],
                },
            ],
            "tools": [],
            "n": 2,
            "max_tokens": 10,
            "stream_options": {"include_usage": True},
            "top_p": None,
        }
    )
    assert result.errors == []
    assert result.ignored == [
        "a part of type `image_url` in the last user message (not loaded)",
        "1 more system message(s) (the first one is the system prompt)",
        "the field `tools` (not editable here)",
        "the field `n` (not editable here)",
        "the field `max_tokens` (deprecated; Max tokens sets max_completion_tokens)",
        "the field `stream_options` (the app sets it itself)",
        "the field `top_p` (null: left unset)",
    ]
    assert result.fill.prompt == "Look"


def test_an_image_body_fills_the_image_form() -> None:
    result = paste(
        {
            "prompt": "A lighthouse",
            "model": "openai/dall-e-3",
            "size": "1024x1792",
            "style": "natural",
            "orq": {"retry": {"count": 2}, "thread": {"id": "t1"}, "fallbacks": []},
        }
    )
    assert (result.kind, result.target, result.errors) == ("json", "image", [])
    assert result.fill == FormFill(
        target="image",
        model="openai/dall-e-3",
        params={"size": "1024x1792", "style": "natural"},
        prompt="A lighthouse",
        orq={"retry": {"count": 2}, "fallbacks": []},
    )
    assert result.ignored == ["the routing option `thread` (image requests do not take it)"]


@pytest.mark.parametrize(
    "text",
    [
        '{"retry": {"count": 2, "on_codes": [429]}, "timeout": {"call_timeout": 9000}}',
        '{"orq": {"retry": {"count": 2, "on_codes": [429]}, "timeout": {"call_timeout": 9000}}}',
        "{'retry': {'count': 2, 'on_codes': (429,)}, 'timeout': {'call_timeout': 9000}}",
    ],
)
def test_an_orq_object_alone_fills_only_the_routing(text: str) -> None:
    result = paste(text)
    assert (result.kind, result.errors) == ("orq", [])
    assert result.fill == FormFill(
        orq={"retry": {"count": 2, "on_codes": [429]}, "timeout": {"call_timeout": 9000}}
    )
    assert result.body == {"orq": result.fill.orq}


def test_an_orq_object_for_the_image_form() -> None:
    result = paste('{"thread": {"id": "t"}, "retry": {"count": 1}}', target="image")
    assert result.target == "image"
    assert result.fill.orq == {"retry": {"count": 1}}
    assert result.ignored == ["the routing option `thread` (image requests do not take it)"]


def test_newer_api_top_level_routing_moves_into_orq() -> None:
    result = paste(
        {
            "model": "openai/gpt-4o",
            "messages": [{"role": "user", "content": "Hi"}],
            "fallbacks": [{"model": "openai/gpt-4o-mini"}],
            "retry": {"count": 1},
            "variables": {"name": "Ann"},
            "orq": {"retry": {"count": 3}},
        }
    )
    assert result.errors == []
    assert result.fill.orq == {
        "retry": {"count": 3},
        "fallbacks": [{"model": "openai/gpt-4o-mini"}],
        "inputs": {"name": "Ann"},
    }
    assert result.ignored == ["the top-level `retry` (`orq` has its own `retry`)"]
    assert result.notes == [
        "The top-level `fallbacks` was moved into `orq`, where Orq Desktop keeps routing options.",
        "The `variables` were moved into `orq.inputs`.",
    ]


def test_keys_are_dropped_and_never_repeated() -> None:
    result = paste(
        {
            "model": "openai/gpt-4o",
            "messages": [{"role": "user", "content": "Hi"}],
            "api_key": CANARY,
            "metadata": {"Authorization": f"Bearer {CANARY}"},
            "orq": {"identity": {"id": "u1", "metadata": [{"note": f"Bearer {CANARY}"}]}},
        }
    )
    assert CANARY not in repr(result)
    assert [line for line in result.ignored if "dropped" in line] == [
        "The field `api_key` was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
        "The field `metadata.Authorization` was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
        "The field `orq.identity.metadata[0].note` was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
    ]
    assert result.fill.orq == {"identity": {"id": "u1", "metadata": [{}]}}


def test_what_the_preview_says_was_dropped_is_dropped() -> None:
    """A key under an innocent name, a key-named input and the {"key", "value"} list form: each
    is named in the notes and really gone from what would be applied."""
    key = "sk-orq-" + CANARY.removeprefix("sk-orq-")
    result = paste(
        {
            "model": "openai/gpt-4o",
            "messages": [{"role": "user", "content": "Hi"}],
            "orq": {
                "inputs": [
                    {"key": "openai_api_key", "value": "plain-looking-value"},
                    {"key": "customer", "value": "Ada"},
                ],
                "identity": {"id": "u1", "metadata": {"note": key, "team": "support"}},
            },
        }
    )
    dropped = [line.split("`")[1] for line in result.ignored if "dropped" in line]
    assert dropped == ["orq.inputs[0].value", "orq.identity.metadata.note"]
    assert result.fill.orq["inputs"] == [
        {"key": "openai_api_key"},
        {"key": "customer", "value": "Ada"},
    ]
    assert result.fill.orq["identity"]["metadata"] == {"team": "support"}
    assert key not in repr(result) and "plain-looking-value" not in repr(result)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            '{"model": "a",\n  "messages": [}',
            "not valid JSON: Expecting value at line 2, column 16",
        ),
        ("[1, 2]", "A JSON list is not a request"),
        ('{"hello": "world"}', "neither a request body"),
        ('{"format": "orq-desktop-preset", "version": 1}', "use Import…"),
        ('{"retry": {"count": 9}}', "orq › retry › count: Retry attempts must be between 1 and 5"),
        (
            '{"model": "openai/gpt-4o", "messages": [], "temperature": 3}',
            "temperature: Temperature must be between 0 and 2",
        ),
        ('{"model": "no-provider", "messages": []}', "provider"),
        ('{"model": 5, "messages": []}', "The model must be text"),
        ('{"model": "a/b", "messages": "hi"}', "`messages` must be a list"),
        ('{"model": "a/b", "orq": 3}', "`orq` must be an object"),
        ("   ", "Nothing to read yet"),
        ("[" * 100_000, "nested more than 64 levels"),
        ('{"model": "a/b", "orq": ' + '{"x": ' * 300 + "1" + "}" * 301, "nested more than 64"),
        ("curl https://h/v2/gateway/chat/completions -d '" + '{"a":' * 9999 + "'", "nested more"),
        ("x.chat_completions(model='a/b', orq=" + "[" * 150 + "]" * 150 + ")", "nested more"),
        ("x" * 2_000_001, "too long"),
    ],
)
def test_what_cannot_be_applied_says_why(text: str, error: str) -> None:
    result = paste(text)
    assert not result.can_apply
    assert any(error in e for e in result.errors), result.errors


def test_without_a_checker_only_the_shape_is_checked() -> None:
    result = parse_pasted('{"retry": {"count": 9}}')
    assert result.errors == []
    assert result.fill.orq == {"retry": {"count": 9}}
