"""What RouterClient sends: paths, headers and bodies, compared with the official SDK's requests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from orq_ai_sdk import Orq

from orq_desktop import __version__
from orq_desktop.api import errors
from orq_desktop.api.client import CHAT_ACCEPT, RouterClient
from orq_desktop.api.models import ChatRequest, ImageRequest

COMPLETION = {
    "id": "c1",
    "object": "chat.completion",
    "created": 0,
    "model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"content": "Hi"}}],
}
IMAGES = {"created": 1, "data": [{"b64_json": "AAAA", "revised_prompt": "a cat"}]}
SSE = (
    b'data: {"id":"c1","object":"chat.completion.chunk","created":0,"model":"m",'
    b'"choices":[{"index":0,"finish_reason":null,"delta":{"content":"Hi"}}]}\n\ndata: [DONE]\n\n'
)


class Recorder:
    """A MockTransport handler that keeps every request and answers like the router."""

    def __init__(self, stream_answer: bool = False) -> None:
        self.requests: list[httpx.Request] = []
        self.stream_answer = stream_answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/images/generations"):
            return httpx.Response(200, json=IMAGES)
        if self.stream_answer:
            return httpx.Response(200, content=SSE, headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=COMPLETION, headers={"x-orq-trace-id": "t-1"})

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.requests[index].content)
        return parsed


def client(recorder: Recorder, key: str = "sk-test-123", **kwargs: Any) -> RouterClient:
    return RouterClient(key, "https://api.test", transport=httpx.MockTransport(recorder), **kwargs)


def run(make: Callable[[], Any]) -> Any:
    async def go() -> Any:
        return await make()

    return asyncio.run(go())


CHAT_ARGS: dict[str, Any] = {
    "model": "openai/gpt-4o",
    "messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Hi"},
    ],
    "temperature": 0.3,
    "max_completion_tokens": 50,
    "orq": {
        "retry": {"count": 3, "on_codes": [429, 500]},
        "fallbacks": [{"model": "openai/gpt-5"}],
        "timeout": {"call_timeout": 30000},
    },
}


def sdk_request(call: str, **kwargs: Any) -> httpx.Request:
    """Make the same call through the official SDK and return the request it sent."""
    recorder = Recorder(stream_answer=kwargs.get("stream") is True)

    async def go() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
        sdk = Orq(api_key="sk-test-123", server_url="https://api.test", async_client=http)
        result = await getattr(sdk.router, call)(**kwargs)
        if kwargs.get("stream") is True:
            async with result as events:
                async for _ in events:
                    pass
        await http.aclose()

    asyncio.run(go())
    return recorder.last


def our_request(kind: str, **kwargs: Any) -> httpx.Request:
    recorder = Recorder(stream_answer=kwargs.get("stream") is True)

    async def go() -> None:
        async with client(recorder) as api:
            if kind == "images":
                await api.generate_images(ImageRequest.model_validate(kwargs))
            elif kind == "stream":
                async with api.stream(ChatRequest.model_validate(kwargs)) as answer:
                    async for _ in answer:
                        pass
            else:
                await api.complete(ChatRequest.model_validate(kwargs))

    asyncio.run(go())
    return recorder.last


SAME_HEADERS = ("accept", "authorization", "content-type")


@pytest.mark.parametrize(
    ("ours", "sdk_call", "kwargs"),
    [
        ("complete", "chat_completions_async", CHAT_ARGS),
        ("complete", "chat_completions_async", {**CHAT_ARGS, "stream": False}),
        ("stream", "chat_completions_async", {**CHAT_ARGS, "stream": True}),
        ("images", "images_generate_async", {"model": "openai/dall-e-3", "prompt": "a cat"}),
    ],
)
def test_same_request_as_the_sdk(ours: str, sdk_call: str, kwargs: dict[str, Any]) -> None:
    theirs = sdk_request(sdk_call, **kwargs)
    mine = our_request(ours, **kwargs)
    assert mine.method == theirs.method == "POST"
    assert mine.url.path == theirs.url.path
    for name in SAME_HEADERS:
        assert mine.headers[name] == theirs.headers[name], name
    assert json.loads(mine.content) == json.loads(theirs.content)  # numbers compared by value


def test_headers() -> None:
    recorder = Recorder()
    run(lambda: client(recorder).complete(ChatRequest.model_validate(CHAT_ARGS)))
    headers = recorder.last.headers
    assert headers["authorization"] == "Bearer sk-test-123"
    assert headers["accept"] == CHAT_ACCEPT
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"] == f"orq-desktop/{__version__}"
    assert recorder.last.url == "https://api.test/v2/gateway/chat/completions"


@pytest.mark.parametrize("key", ["Bearer sk-abc", "bearer sk-abc", "  sk-abc \n"])
def test_bearer_prefix_is_never_doubled(key: str) -> None:
    recorder = Recorder()
    run(lambda: client(recorder, key=key).complete(ChatRequest.model_validate(CHAT_ARGS)))
    assert recorder.last.headers["authorization"] == "Bearer sk-abc"


@pytest.mark.parametrize("key", ["", "   ", "sk-abc def", "sk-ключ", "sk-a\nInjected: 1"])
def test_unusable_key_fails_before_sending(key: str) -> None:
    recorder = Recorder()
    api = client(recorder, key=key)
    with pytest.raises(errors.AuthenticationError) as caught:
        run(lambda: api.complete(ChatRequest.model_validate(CHAT_ARGS)))
    assert recorder.requests == []
    if key.strip():
        assert key.strip() not in str(caught.value) + repr(caught.value)


def test_router_prefix_uses_newer_paths_and_shapes() -> None:
    recorder = Recorder()
    api = RouterClient(
        "k", "https://api.test/", "/v2/router/", transport=httpx.MockTransport(recorder)
    )
    request = ChatRequest.model_validate(
        {
            **CHAT_ARGS,
            "orq": {"load_balancer": [{"type": "weight_based", "model": "openai/gpt-4o"}]},
        }
    )
    run(lambda: api.complete(request))
    assert recorder.last.url.path == "/v2/router/chat/completions"
    assert recorder.body() == json.loads(json.dumps(request.to_wire("/v2/router")))
    run(lambda: api.generate_images(ImageRequest(model="openai/dall-e-3", prompt="p")))
    assert recorder.last.url.path == "/v2/router/images/generations"
    assert recorder.last.headers["accept"] == "application/json"


def test_stream_forces_stream_true_and_complete_sends_what_the_sdk_sends() -> None:
    recorder = Recorder(stream_answer=True)
    api = client(recorder)

    async def go() -> None:
        request = ChatRequest.model_validate({**CHAT_ARGS, "stream": False})
        async with api.stream(request) as answer:
            async for _ in answer:
                pass
        await api.complete(ChatRequest.model_validate(CHAT_ARGS))
        await api.complete(ChatRequest.model_validate({**CHAT_ARGS, "stream": None}))

    asyncio.run(go())
    assert recorder.body(0)["stream"] is True
    assert recorder.body(1)["stream"] is False  # unset: the SDK's default, sent
    assert "stream" not in recorder.body(2)  # explicitly None: left out, as the SDK does


def test_complete_with_stream_true_reads_the_events() -> None:
    recorder = Recorder(stream_answer=True)
    result = run(
        lambda: client(recorder).complete(ChatRequest.model_validate({**CHAT_ARGS, "stream": True}))
    )
    assert recorder.body()["stream"] is True
    assert result.text == "Hi"
    assert result.completion is None


def test_extra_headers_per_client_and_per_call() -> None:
    recorder = Recorder()
    api = client(recorder, headers={"X-ORQ-IDENTITY-ID": "id-1"})
    request = ChatRequest.model_validate(CHAT_ARGS)
    run(lambda: api.complete(request, headers={"X-Sim-Token-Rate": "0"}))
    assert recorder.last.headers["x-orq-identity-id"] == "id-1"
    assert recorder.last.headers["x-sim-token-rate"] == "0"
    assert recorder.last.headers["accept"] == CHAT_ACCEPT


def test_one_http_client_for_every_request() -> None:
    recorder = Recorder()
    api = client(recorder)
    request = ChatRequest.model_validate(CHAT_ARGS)

    async def go() -> None:
        http = api._core._http
        await api.complete(request)
        await api.generate_images(ImageRequest(model="openai/dall-e-3", prompt="p"))
        assert api._core._http is http
        await api.aclose()
        assert api.is_closed

    asyncio.run(go())
    assert len(recorder.requests) == 2


@pytest.mark.parametrize("url", ["api.orq.ai", "ftp://api.orq.ai", "https://", "https://h/?a=1"])
def test_bad_base_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="base URL"):
        RouterClient("k", url)


def test_timeouts_are_separate_and_configurable() -> None:
    api = RouterClient("k")
    assert (api.timeout.connect, api.timeout.read, api.timeout.write, api.timeout.pool) == (
        10,
        120,
        30,
        5,
    )
    custom = RouterClient("k", timeout=httpx.Timeout(1, read=2), deadline=3)
    assert (custom.timeout.connect, custom.timeout.read) == (1, 2)
    assert custom.deadline == 3
