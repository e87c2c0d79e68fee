"""Response models stay lenient; compressed answers are read; the package imports lazily."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import sys

import httpx
import pytest

from orq_desktop.api import errors
from orq_desktop.api.client import RouterClient
from orq_desktop.api.models import ChatRequest, ImageRequest
from orq_desktop.api.responses import (
    ChatCompletion,
    ChatCompletionChunk,
    ErrorEnvelope,
    ImagesResponse,
    Usage,
)

REQUEST = ChatRequest(model="openai/gpt-4o", messages=[{"role": "user", "content": "Hi"}])


def test_minimal_bodies_the_sdk_accepts() -> None:
    completion = ChatCompletion.model_validate_json(
        '{"id":"c1","choices":[],"created":0,"model":"m","object":"chat.completion"}'
    )
    assert completion.text == ""
    chunk = ChatCompletionChunk.model_validate_json(
        '{"id":"c1","choices":[{"finish_reason":null,"delta":{}}],"created":0,"model":"m",'
        '"object":"chat.completion.chunk"}'
    )
    assert chunk.text == ""
    assert ImagesResponse.model_validate_json('{"created":0,"data":[{}]}').data[0].url is None


def test_unknown_fields_are_kept_and_odd_values_accepted() -> None:
    body = {
        "id": "c",
        "object": "chat.completion",
        "created": 1735689600.0,
        "model": "gpt-4o-2024-08-06",
        "orq_extra": {"cache": "hit"},
        "choices": [
            {
                "index": 0.0,
                "finish_reason": "end_turn",  # not an OpenAI value: still accepted
                "message": {"role": "assistant", "content": "Hi", "citations": [1, 2]},
            }
        ],
        "usage": {"prompt_tokens": 14.0, "completion_tokens": 2, "total_tokens": 16},
    }
    completion = ChatCompletion.model_validate(body)
    assert completion.model_extra == {"orq_extra": {"cache": "hit"}}
    assert completion.choices[0].message.model_extra == {"citations": [1, 2]}
    assert completion.choices[0].finish_reason == "end_turn"
    assert completion.text == "Hi"
    assert completion.usage == Usage(prompt_tokens=14, completion_tokens=2, total_tokens=16)


def test_defaults_are_not_shared_between_instances() -> None:
    first, second = ChatCompletionChunk(), ChatCompletionChunk()
    first.choices.append(second.model_validate({"choices": [{}]}).choices[0])
    assert second.choices == []


def test_chunk_text_is_the_first_choice() -> None:
    chunk = ChatCompletionChunk.model_validate(
        {
            "choices": [
                {"index": 1, "delta": {"content": "b"}},
                {"index": 0, "delta": {"content": "a"}},
            ]
        }
    )
    assert chunk.text == "a"


def test_error_envelope() -> None:
    envelope = ErrorEnvelope.model_validate_json(
        '{"error":{"code":null,"message":"bad","param":null,"type":"invalid_request_error",'
        '"failures":[{"model":"a"}]}}'
    )
    assert envelope.error.message == "bad"
    assert envelope.error.model_extra == {"failures": [{"model": "a"}]}


@pytest.mark.parametrize("kind", ["chat", "images"])
def test_gzip_answers_are_read(kind: str) -> None:
    payload = (
        {"id": "c", "model": "m", "choices": [{"index": 0, "message": {"content": "zipped"}}]}
        if kind == "chat"
        else {"created": 1, "data": [{"url": "https://img.test/1.png"}]}
    )
    body = gzip.compress(json.dumps(payload).encode())

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json", "content-encoding": "gzip"}
        return httpx.Response(200, content=body, headers=headers)

    async def go() -> str | None:
        async with RouterClient(
            "k", "https://api.test", transport=httpx.MockTransport(handler)
        ) as api:
            if kind == "chat":
                return (await api.complete(REQUEST)).text
            result = await api.generate_images(ImageRequest(model="openai/dall-e-3", prompt="p"))
            return result.images[0].url

    assert asyncio.run(go()) == ("zipped" if kind == "chat" else "https://img.test/1.png")


def test_gzip_bomb_is_capped_on_the_decoded_size() -> None:
    body = gzip.compress(b'{"pad": "' + b"0" * 5_000_000 + b'"}')
    assert len(body) < 20_000

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json", "content-encoding": "gzip"}
        return httpx.Response(200, content=body, headers=headers)

    api = RouterClient(
        "k", "https://api.test", transport=httpx.MockTransport(handler), max_response_bytes=100_000
    )
    with pytest.raises(errors.ResponseTooLarge):
        asyncio.run(api.complete(REQUEST))


def test_image_answer_that_streams_is_unreadable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b"data: {}\n\n", headers={"content-type": "text/event-stream"}
        )

    api = RouterClient("k", "https://api.test", transport=httpx.MockTransport(handler))
    with pytest.raises(errors.MalformedResponse):
        asyncio.run(api.generate_images(ImageRequest(model="openai/dall-e-3", prompt="p")))


def test_package_exports_load_lazily() -> None:
    code = (
        "import sys, orq_desktop.api as api\n"
        "before = 'httpx' in sys.modules\n"
        "from orq_desktop.api import RouterClient, SseDecoder, RouterError\n"
        "print(before, 'httpx' in sys.modules, RouterClient.__name__)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True", "RouterClient"]
    with pytest.raises(AttributeError):
        __import__("orq_desktop.api", fromlist=["Nope"]).Nope  # noqa: B018
