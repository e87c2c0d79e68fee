"""Pasting a Python SDK call: read with ast (never run), literal arguments only, keys dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from orq_desktop.core.presets_store import check_request
from orq_desktop.domain.paste import PasteResult, parse_pasted
from orq_desktop.domain.paste_body import FormFill

CANARY = "sk-orq-CANARY-d00d5"

SDK_41 = f'''
from orq_ai_sdk import Orq
import os

with Orq(
    api_key="{CANARY}",
) as orq:

    res = orq.router.chat_completions(messages=[
        {{
            "role": "system",
            "content": "You are terse.",
        }},
        {{
            "role": "user",
            "content": "Hello {{{{customer_name}}}}",
        }},
    ], model="openai/gpt-4o", temperature=0.2, stream=True, orq={{
        "retry": {{
            "count": 3,
            "on_codes": [
                429,
                500,
            ],
        }},
        "inputs": {{
            "customer_name": "John Smith",
        }},
        "cache": {{
            "type": "exact_match",
            "ttl": 3600,
        }},
    }}, timeout_ms=30000)

    with res as event_stream:
        for event in event_stream:
            # handle event
            print(event, flush=True)
'''


def paste(text: str) -> PasteResult:
    return parse_pasted(text, check=check_request)


def test_the_sdk_41_call_from_the_documentation() -> None:
    result = paste(SDK_41)
    assert (result.kind, result.errors) == ("python", [])
    assert result.fill == FormFill(
        target="chat",
        model="openai/gpt-4o",
        params={"temperature": 0.2, "stream": True},
        system_prompt="You are terse.",
        prompt="Hello {{customer_name}}",
        orq={
            "retry": {"count": 3, "on_codes": [429, 500]},
            "inputs": {"customer_name": "John Smith"},
            "cache": {"type": "exact_match", "ttl": 3600},
        },
    )
    assert CANARY not in repr(result)
    assert result.ignored == [
        "The `api_key` written in the code was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
        "the call option `timeout_ms` (not part of the request)",
    ]


def test_images_generate() -> None:
    result = paste(
        "res = orq.router.images_generate(prompt='A fox', model='openai/gpt-image-1', n=2, "
        "quality='high', orq={'fallbacks': [{'model': 'openai/dall-e-3'}]})"
    )
    assert (result.target, result.errors) == ("image", [])
    assert result.fill.params == {"n": 2, "quality": "high"}
    assert result.fill.orq == {"fallbacks": [{"model": "openai/dall-e-3"}]}


def test_newer_sdk_and_openai_style_calls() -> None:
    newer = paste(
        "await orq.router.chat.completions.create_async(model='openai/gpt-4o', "
        "messages=[{'role': 'user', 'content': 'Hi'}], fallbacks=[{'model': 'a/b'}])"
    )
    assert newer.errors == []
    assert newer.fill.orq == {"fallbacks": [{"model": "a/b"}]}
    openai = paste(
        "client.chat.completions.create(model='openai/gpt-4o', timeout=20, "
        "messages=[dict(role='user', content='Hi')], "
        "extra_body={'orq': {'retry': {'count': 2}}}, extra_headers={'X-Api-Key': 'k'})"
    )
    assert openai.errors == []
    assert openai.fill.prompt == "Hi"
    assert openai.fill.orq == {"retry": {"count": 2}}
    assert "The fields in `extra_body` were read as part of the body." in openai.notes
    assert "the call option `timeout` (not part of the request)" in openai.ignored
    assert any(line.startswith("The X-Api-Key header was dropped") for line in openai.ignored)
    images = paste("client.images.generate(model='openai/dall-e-2', prompt='x')")
    assert images.target == "image"


def test_bare_keyword_arguments() -> None:
    result = paste("model='openai/gpt-4o',\nmessages=[{'role': 'user', 'content': 'Hi'}],")
    assert (result.kind, result.fill.model, result.fill.prompt) == (
        "python",
        "openai/gpt-4o",
        "Hi",
    )
    image = paste("prompt='A boat', model='openai/dall-e-3'")
    assert (image.target, image.fill.prompt) == ("image", "A boat")


def test_values_that_are_not_literals_are_named_and_the_rest_kept() -> None:
    result = paste(
        "orq.router.chat_completions(model=MODEL, messages=[{'role': 'user', 'content': "
        "f'Hi {name}'}, {'role': 'user', 'content': 'Plain'}], temperature=get_temp(), "
        "orq={'retry': {'count': 2}, 'thread': {'id': thread_id}}, **extra, stop={b'x'})"
    )
    assert result.ignored == [
        "`model` (not a plain value: the variable `MODEL`)",
        "`messages[0].content` (not a plain value: an f-string)",
        "`temperature` (not a plain value: a call to `get_temp`)",
        "`orq.thread.id` (not a plain value: the variable `thread_id`)",
        "a ** expansion (the variable `extra`)",
        "`stop` (a Python value JSON cannot hold)",
        "1 other message(s) of the conversation "
        "(only the last user message goes into the prompt box)",
    ]
    assert result.fill.prompt == "Plain"
    assert result.fill.model is None
    assert result.fill.orq == {"retry": {"count": 2}, "thread": {}}
    assert any("orq › thread › id" in e for e in result.errors)  # the id is required


def test_keys_in_the_code_are_dropped_in_every_form() -> None:
    text = f"""
import os
os.environ["ORQ_API_KEY"] = "{CANARY}"
ORQ_TOKEN = "{CANARY}"
orq = Orq(api_key=os.getenv("ORQ_API_KEY"))
orq.router.chat_completions(model="openai/gpt-4o", messages=[],
    http_headers={{"Authorization": "Bearer {CANARY}", "X-Trace": "1"}}, api_key="{CANARY}")
"""
    result = paste(text)
    assert CANARY not in repr(result)
    assert result.ignored == [
        "The value given to `ORQ_API_KEY` was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
        "The value given to `ORQ_TOKEN` was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
        "The `api_key` written in the code was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
        "The Authorization header was dropped: a pasted key is never kept "
        "(Orq Desktop uses the key in Settings).",
        "the header X-Trace",
    ]


def test_only_the_first_call_is_read() -> None:
    result = paste(
        "a = orq.router.chat_completions(model='x/a', messages=[])\n"
        "b = orq.router.chat_completions(model='x/b', messages=[])"
    )
    assert result.fill.model == "x/a"
    assert "1 more request call(s) (only the first is read)" in result.ignored


def test_pasted_code_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = (
        f"open({str(marker)!r}, 'w').write('x')\n"
        "orq.router.chat_completions(model='openai/gpt-4o', "
        f"messages=[{{'role': 'user', 'content': __import__('os').system('touch {marker}')}}])"
    )
    result = paste(text)
    assert not marker.exists()
    assert "`messages[0].content` (not a plain value: a call to `system`)" in (result.ignored)


@pytest.mark.parametrize(
    "text",
    [
        "print('hello')",
        "def f(:\n  pass",
        "Hello, can you help me?",
        "x = 1",
        "f(1, 2)",
        "(" * 500 + ")" * 500,
    ],
)
def test_text_that_is_not_a_request(text: str) -> None:
    result = paste(text)
    assert result.kind == "unknown"
    assert result.errors == [
        "This does not look like a request. Paste a JSON request body, an orq object, a cURL "
        "command or a Python SDK call (orq.router.chat_completions(…))."
    ]
