"""The official SDK (orq-ai-sdk 4.1.15) parses every kind of answer the simulator gives."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from orq_ai_sdk import Orq, models
from PIL import Image

from orq_desktop.simulator import SimulatorHandle
from orq_desktop.simulator.text import reply_text

KEY = "sk-sdk-test"
MESSAGES = [{"role": "user", "content": "Summarise the routing options"}]


@pytest.fixture(scope="module")
def keyed_sim() -> Iterator[SimulatorHandle]:
    from orq_desktop.simulator import start_in_thread

    with start_in_thread(api_key=KEY, backoff_scale=0.001) as handle:
        yield handle


@pytest.fixture
def orq(keyed_sim: SimulatorHandle) -> Iterator[Any]:
    with Orq(api_key=KEY, server_url=keyed_sim.url) as client:
        yield client


def joined(stream: Any) -> tuple[str, list[Any]]:
    chunks: list[Any] = []
    with stream as events:
        for event in events:
            if event.data is not None:
                chunks.append(event.data)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks


def test_sdk_parses_a_json_answer(orq: Any) -> None:
    res = orq.router.chat_completions(messages=MESSAGES, model="openai/gpt-4o")
    assert res.object == "chat.completion"
    assert res.model == "openai/gpt-4o"
    assert res.choices[0].finish_reason == "stop"
    assert res.choices[0].message.content == reply_text(
        "Summarise the routing options", "openai/gpt-4o"
    )
    assert res.usage.total_tokens == res.usage.prompt_tokens + res.usage.completion_tokens


def test_sdk_parses_a_stream_to_the_end(orq: Any) -> None:
    stream = orq.router.chat_completions(
        messages=MESSAGES,
        model="anthropic/claude-3-5-sonnet",
        stream=True,
        stream_options={"include_usage": True},
    )
    text, chunks = joined(stream)
    assert text == reply_text("Summarise the routing options", "anthropic/claude-3-5-sonnet")
    assert chunks[-2].choices[0].finish_reason == "stop"
    assert chunks[-1].usage.completion_tokens == len(chunks) - 3


def test_sdk_parses_a_cut_stream_with_length(orq: Any) -> None:
    stream = orq.router.chat_completions(
        messages=MESSAGES, model="a/b", stream=True, max_completion_tokens=12
    )
    _, chunks = joined(stream)
    assert chunks[-1].choices[0].finish_reason == "length"
    assert len(chunks) == 1 + 12 + 1


def test_sdk_gets_the_fallback_model_and_a_cached_stream(orq: Any) -> None:
    routing = {
        "retry": {"count": 2, "on_codes": [429, 503]},
        "fallbacks": [{"model": "sim/status-503"}, {"model": "openai/gpt-4o-mini"}],
        "cache": {"type": "exact_match", "ttl": 60},
        "timeout": {"call_timeout": 5000},
    }
    res = orq.router.chat_completions(messages=MESSAGES, model="sim/status-429", orq=routing)
    assert res.model == "openai/gpt-4o-mini"
    text, chunks = joined(
        orq.router.chat_completions(
            messages=MESSAGES, model="sim/status-429", orq=routing, stream=True
        )
    )
    assert text == res.choices[0].message.content
    assert chunks[0].model == "openai/gpt-4o-mini"


def test_sdk_parses_base64_images(orq: Any) -> None:
    res = orq.router.images_generate(
        prompt="a lighthouse", model="openai/gpt-image-1", size="96x64", output_format="jpeg", n=2
    )
    assert len(res.data) == 2
    for item in res.data:
        image = Image.open(io.BytesIO(base64.b64decode(item.b64_json)))
        assert (image.format, image.size) == ("JPEG", (96, 64))
    assert res.usage.input_tokens_details.text_tokens == 2


def test_sdk_parses_url_images(orq: Any) -> None:
    res = orq.router.images_generate(
        prompt="a lighthouse", model="openai/dall-e-3", size="64x64", response_format="url"
    )
    (item,) = res.data
    assert item.revised_prompt
    download = httpx.get(item.url)
    assert Image.open(io.BytesIO(download.content)).size == (64, 64)


@pytest.mark.parametrize("code", [400, 403, 429, 500, 503])
def test_sdk_raises_api_error_with_the_status(orq: Any, code: int) -> None:
    with pytest.raises(models.APIError) as info:
        orq.router.chat_completions(messages=MESSAGES, model=f"sim/status-{code}")
    assert info.value.status_code == code
    assert '"error"' in info.value.body


def test_sdk_raises_api_error_for_unknown_models_and_bad_bodies(orq: Any) -> None:
    with pytest.raises(models.APIError) as info:
        orq.router.chat_completions(messages=MESSAGES, model="sim/unknown", stream=True)
    assert info.value.status_code == 404
    with pytest.raises(models.APIError) as info:
        orq.router.chat_completions(messages=MESSAGES, model="a/b", temperature=7)
    assert info.value.status_code == 400
    assert "Temperature must be between 0 and 2" in info.value.body


def test_sdk_raises_api_error_for_a_bad_key(keyed_sim: SimulatorHandle) -> None:
    with Orq(api_key="not-the-key", server_url=keyed_sim.url) as client:
        with pytest.raises(models.APIError) as info:
            client.router.chat_completions(messages=MESSAGES, model="a/b")
        assert info.value.status_code == 401
        with pytest.raises(models.APIError) as info:
            client.router.images_generate(prompt="x", model="openai/dall-e-2")
        assert info.value.status_code == 401
    assert "not-the-key" not in info.value.body


def test_sdk_raises_api_error_for_image_failures(orq: Any) -> None:
    with pytest.raises(models.APIError) as info:
        orq.router.images_generate(prompt="x", model="sim/status-502")
    assert info.value.status_code == 502
