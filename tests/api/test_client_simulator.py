"""RouterClient against the gateway simulator: healthy answers, routing, and every sim/ failure."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from orq_desktop.api import errors
from orq_desktop.api.client import ChatResult, RouterClient
from orq_desktop.api.models import ChatRequest, ImageRequest

if TYPE_CHECKING:
    from orq_desktop.simulator import SimulatorHandle


def chat(model: str, **fields: Any) -> ChatRequest:
    return ChatRequest.model_validate(
        {"model": model, "messages": [{"role": "user", "content": "Tell me about tea"}], **fields}
    )


async def streamed(api: RouterClient, request: ChatRequest) -> tuple[list[str], ChatResult]:
    pieces: list[str] = []
    async with api.stream(request) as answer:
        async for chunk in answer:
            if chunk.text:
                pieces.append(chunk.text)
    return pieces, answer.result()


async def failure(api: RouterClient, request: ChatRequest) -> tuple[str, errors.RouterError]:
    stream = api.stream(request)
    try:
        async with stream as answer:
            async for _ in answer:
                pass
    except errors.RouterError as exc:
        return stream.text, exc
    raise AssertionError("the request did not fail")


def with_client(url: str, body: Callable[[RouterClient], Any], **options: Any) -> Any:
    async def go() -> Any:
        async with RouterClient("k", url, **options) as api:
            return await body(api)

    return asyncio.run(go())


@pytest.mark.parametrize("prefix", ["/v2/gateway", "/v2/router"])
def test_healthy_stream_has_exactly_the_tokens_asked_for(
    sim_server: SimulatorHandle, prefix: str
) -> None:
    request = chat("openai/gpt-4o", max_completion_tokens=25)

    async def body(api: RouterClient) -> tuple[list[str], ChatResult, ChatResult]:
        pieces, result = await streamed(api, request)
        whole = await api.complete(request)
        return pieces, result, whole

    pieces, result, whole = with_client(sim_server.url + "/", body, path_prefix=prefix)
    assert len(pieces) == 25
    assert result.text == "".join(pieces)
    assert result.finish_reason == "length"
    assert result.model == "openai/gpt-4o"
    assert result.trace_id and result.trace_id.startswith("trace_")
    assert result.timings.ttft_s is not None
    assert whole.text == result.text  # the same reply, JSON this time
    assert whole.completion is not None
    assert whole.usage is not None and whole.usage.completion_tokens == 25


def test_fallback_answer_reports_the_answering_model(sim_server: SimulatorHandle) -> None:
    request = chat("sim/status-503", orq={"fallbacks": [{"model": "anthropic/claude-3-haiku"}]})
    result = with_client(sim_server.url, lambda api: api.complete(request))
    assert result.model == "anthropic/claude-3-haiku"
    assert result.text


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthenticationError),
        (403, errors.PermissionDeniedError),
        (422, errors.BadRequestError),
        (429, errors.RateLimitError),
        (500, errors.ServerError),
        (503, errors.ServerError),
    ],
)
def test_status_models(sim_server: SimulatorHandle, status: int, cls: type[Exception]) -> None:
    text, error = with_client(
        sim_server.url, lambda api: failure(api, chat(f"sim/status-{status}"))
    )
    assert type(error) is cls
    assert error.status == status
    assert error.message.startswith("Simulated")
    assert error.trace_id
    assert text == ""


def test_unknown_model_is_not_found(sim_server: SimulatorHandle) -> None:
    _, error = with_client(sim_server.url, lambda api: failure(api, chat("sim/unknown")))
    assert isinstance(error, errors.NotFoundError)
    assert "sim/unknown" in error.message


def test_drop_after_keeps_the_text(sim_server: SimulatorHandle) -> None:
    text, error = with_client(sim_server.url, lambda api: failure(api, chat("sim/drop-after-4")))
    assert isinstance(error, errors.StreamInterrupted)
    assert text


def test_error_after_keeps_the_text(sim_server: SimulatorHandle) -> None:
    text, error = with_client(sim_server.url, lambda api: failure(api, chat("sim/error-after-3")))
    assert isinstance(error, errors.StreamError)
    assert text
    assert "3" in error.message


def test_malformed(sim_server: SimulatorHandle) -> None:
    _, error = with_client(sim_server.url, lambda api: failure(api, chat("sim/malformed")))
    assert isinstance(error, errors.MalformedResponse)


def test_huge_stream_stops_at_the_limit(sim_server: SimulatorHandle) -> None:
    text, error = with_client(
        sim_server.url, lambda api: failure(api, chat("sim/huge")), max_stream_bytes=2_000_000
    )
    assert isinstance(error, errors.ResponseTooLarge)
    assert 0 < len(text.encode()) <= 2_000_000


def test_huge_json_answer_is_refused(sim_server: SimulatorHandle) -> None:
    async def body(api: RouterClient) -> errors.RouterError:
        try:
            await api.complete(chat("sim/huge"))
        except errors.RouterError as exc:
            return exc
        raise AssertionError("no error")

    error = with_client(sim_server.url, body)
    assert isinstance(error, errors.ResponseTooLarge)


def test_slow_model_against_the_deadline(sim_server: SimulatorHandle) -> None:
    _, error = with_client(
        sim_server.url, lambda api: failure(api, chat("sim/slow-3000")), deadline=0.3
    )
    assert isinstance(error, errors.RequestTimeout)
    assert error.which == "deadline"


def test_timeout_model_against_the_read_timeout(sim_server: SimulatorHandle) -> None:
    _, error = with_client(
        sim_server.url, lambda api: failure(api, chat("sim/timeout")), timeout=0.3
    )
    assert isinstance(error, errors.RequestTimeout)
    assert error.which == "read"


def test_wrong_key_is_rejected(sim_server_factory: Callable[..., SimulatorHandle]) -> None:
    sim = sim_server_factory(api_key="right-key")

    async def go() -> tuple[ChatResult, errors.RouterError]:
        async with RouterClient("right-key", sim.url) as good:
            ok = await good.complete(chat("openai/gpt-4o", max_completion_tokens=3))
        async with RouterClient("wrong-key", sim.url) as bad:
            _, error = await failure(bad, chat("openai/gpt-4o"))
        return ok, error

    ok, error = asyncio.run(go())
    assert ok.status == 200
    assert isinstance(error, errors.AuthenticationError)
    assert error.status == 401


@pytest.mark.parametrize("response_format", ["b64_json", "url"])
def test_images(sim_server: SimulatorHandle, response_format: str) -> None:
    request = ImageRequest(
        model="openai/dall-e-2",
        prompt="a teapot",
        n=2,
        size="256x256",
        response_format=response_format,
    )
    result = with_client(sim_server.url, lambda api: api.generate_images(request))
    assert result.status == 200
    assert len(result.images) == 2
    assert result.trace_id
    first = result.images[0]
    if response_format == "b64_json":
        assert first.b64_json is not None
        assert base64.b64decode(first.b64_json, validate=True).startswith(b"\x89PNG")
    else:
        assert first.url and first.url.startswith("http")
    assert result.timings.total_s >= (result.timings.ttfb_s or 0)


def test_image_errors(sim_server: SimulatorHandle) -> None:
    async def body(api: RouterClient) -> errors.RouterError:
        try:
            await api.generate_images(ImageRequest(model="sim/status-429", prompt="p"))
        except errors.RouterError as exc:
            return exc
        raise AssertionError("no error")

    error = with_client(sim_server.url, body)
    assert isinstance(error, errors.RateLimitError)
