"""ChatStream over scripted answers: text, result, JSON answers, and failures after the text."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from orq_desktop.api import errors
from orq_desktop.api.client import ChatStream, RouterClient
from orq_desktop.api.models import ChatRequest
from orq_desktop.api.responses import ChatCompletionChunk

REQUEST = ChatRequest(model="openai/gpt-4o", messages=[{"role": "user", "content": "Hi"}])
SSE_HEADERS = {"content-type": "text/event-stream", "x-orq-trace-id": "trace-9"}


def chunk(content: str | None = None, finish: str | None = None, **extra: Any) -> bytes:
    delta = {} if content is None else {"content": content}
    body = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return b"data: " + json.dumps(body).encode() + b"\n\n"


DONE = b"data: [DONE]\n\n"


class Scripted(httpx.AsyncByteStream):
    """Body pieces in order; an exception in the list is raised at that point."""

    def __init__(self, pieces: list[bytes | Exception]) -> None:
        self.pieces = pieces
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            if isinstance(piece, Exception):
                raise piece
            await asyncio.sleep(0)
            yield piece

    async def aclose(self) -> None:
        self.closed = True


def api_for(
    pieces: list[bytes | Exception],
    headers: dict[str, str] | None = None,
    status: int = 200,
    **kwargs: Any,
) -> tuple[RouterClient, Scripted]:
    body = Scripted(pieces)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, stream=body, headers=SSE_HEADERS if headers is None else headers
        )

    return RouterClient(
        "k", "https://api.test", transport=httpx.MockTransport(handler), **kwargs
    ), body


async def consume(
    api: RouterClient,
) -> tuple[list[ChatCompletionChunk], ChatStream, BaseException | None]:
    got: list[ChatCompletionChunk] = []
    error: BaseException | None = None
    stream = api.stream(REQUEST)
    try:
        async with stream as answer:
            async for item in answer:
                got.append(item)
    except errors.RouterError as exc:
        error = exc
    return got, stream, error


def run(
    pieces: list[bytes | Exception], **kwargs: Any
) -> tuple[list[ChatCompletionChunk], ChatStream, BaseException | None]:
    api, _ = api_for(pieces, **kwargs)
    return asyncio.run(consume(api))


def test_text_result_and_timings() -> None:
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    pieces: list[bytes | Exception] = [
        chunk(""),  # the role chunk: empty content is not the first token
        chunk("Hel"),
        chunk("lo"),
        chunk(finish="stop"),
        b'data: {"id":"c1","object":"chat.completion.chunk","created":0,"model":"m","choices":[],'
        b'"usage":' + json.dumps(usage).encode() + b"}\n\n",
        DONE,
    ]
    got, stream, error = run(pieces)
    assert error is None
    assert [c.text for c in got] == ["", "Hel", "lo", "", ""]
    result = stream.result()
    assert result.text == stream.text == "Hello"
    assert result.status == 200
    assert result.model == "gpt-4o-2024-08-06"
    assert result.finish_reason == "stop"
    assert result.trace_id == "trace-9"
    assert result.usage is not None and result.usage.total_tokens == 7
    assert result.completion is None
    t = result.timings
    assert t.ttfb_s is not None and t.ttft_s is not None
    assert 0 <= t.ttfb_s <= t.ttft_s <= t.total_s


def test_text_is_available_while_streaming() -> None:
    api, _ = api_for([chunk("a"), chunk("b"), chunk("c"), DONE])
    seen: list[str] = []

    async def go() -> None:
        async with api.stream(REQUEST) as answer:
            async for _ in answer:
                seen.append(answer.text)

    asyncio.run(go())
    assert seen == ["a", "ab", "abc"]


def test_pings_comments_and_empty_data_are_skipped() -> None:
    pieces: list[bytes | Exception] = [
        b": keep-alive\n\nevent: ping\n\ndata:\n\n",
        chunk("x"),
        b"event: ping\ndata: \n\n",
        DONE,
    ]
    got, _stream, error = run(pieces)
    assert error is None
    assert [c.text for c in got] == ["x"]


def test_done_stops_even_if_more_follows() -> None:
    got, stream, _error = run([chunk("a") + DONE + chunk("never"), chunk("never either")])
    assert [c.text for c in got] == ["a"]
    assert stream.text == "a"


def test_stream_without_done_ends_cleanly() -> None:
    _got, stream, error = run([chunk("a"), chunk("b")[:-1]])  # last event without its blank line
    assert error is None
    assert stream.text == "ab"


def test_error_object_mid_stream_after_the_text() -> None:
    err = b'data: {"error": {"message": "Provider overloaded", "code": "529", "status": 529}}\n\n'
    got, stream, error = run([chunk("Hel"), chunk("lo"), err, chunk("never"), DONE])
    assert [c.text for c in got] == ["Hel", "lo"]
    assert isinstance(error, errors.StreamError)
    assert error.message == "Provider overloaded"
    assert error.code == "529"
    assert error.status == 529
    assert stream.text == "Hello"
    assert stream.result().text == "Hello"


def test_named_error_event() -> None:
    _got, stream, error = run([chunk("a"), b"event: error\ndata: upstream went away\n\n"])
    assert isinstance(error, errors.StreamError)
    assert error.message == "upstream went away"
    assert stream.text == "a"


@pytest.mark.parametrize(
    "bad", [b"data: {not json\n\n", b"data: 42\n\n", b'data: {"choices": 5}\n\n']
)
def test_unparseable_data_is_malformed_after_the_text(bad: bytes) -> None:
    got, stream, error = run([chunk("ok"), bad, chunk("never")])
    assert [c.text for c in got] == ["ok"]
    assert isinstance(error, errors.MalformedResponse)
    assert stream.text == "ok"


def test_dropped_connection_is_an_interruption() -> None:
    drop = httpx.RemoteProtocolError("peer closed connection without sending complete message body")
    _got, stream, error = run([chunk("a"), chunk("b"), drop])
    assert isinstance(error, errors.StreamInterrupted)
    assert stream.text == "ab"
    assert error.__cause__ is drop


def test_json_answer_to_a_stream_is_one_chunk() -> None:
    completion = {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"content": "All at once"}}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 3, "total_tokens": 4},
    }
    got, stream, error = run(
        [json.dumps(completion).encode()], headers={"content-type": "application/json"}
    )
    assert error is None
    assert len(got) == 1
    assert got[0].choices[0].delta.content == "All at once"
    assert got[0].choices[0].finish_reason == "stop"
    result = stream.result()
    assert result.text == "All at once"
    assert result.completion is not None and result.completion.id == "c1"
    assert result.usage is not None and result.usage.completion_tokens == 3


def test_json_error_object_with_200() -> None:
    body = b'{"error": {"message": "quota gone", "type": "x"}}'
    got, _, error = run([body], headers={"content-type": "application/json"})
    assert got == []
    assert isinstance(error, errors.StreamError)
    assert error.message == "quota gone"


def test_unreadable_json_answer() -> None:
    _got, _, error = run([b"<html>oops</html>"], headers={"content-type": "text/html"})
    assert isinstance(error, errors.MalformedResponse)
    assert "text/html" in error.message


def test_stream_text_limit() -> None:
    pieces: list[bytes | Exception] = [chunk("x" * 40) for _ in range(5)] + [DONE]
    got, stream, error = run(pieces, max_stream_bytes=100)
    assert isinstance(error, errors.ResponseTooLarge)
    assert len(got) == 2
    assert stream.text == "x" * 80


def test_event_without_line_end_is_capped() -> None:
    pieces: list[bytes | Exception] = [b"data: " + b"y" * 1000 for _ in range(5)]
    _got, _stream, error = run(pieces, max_stream_bytes=2000)
    assert isinstance(error, errors.ResponseTooLarge)


def test_json_body_limit() -> None:
    body = json.dumps({"choices": [], "pad": "z" * 5000}).encode()
    _got, _, error = run(
        [body], headers={"content-type": "application/json"}, max_response_bytes=1000
    )
    assert isinstance(error, errors.ResponseTooLarge)


def test_error_status_before_the_stream() -> None:
    api, body = api_for(
        [b'{"error":{"code":"404","message":"No such model","param":null,"type":"x"}}'],
        headers={"content-type": "application/json", "x-orq-trace-id": "t-404"},
        status=404,
    )
    _got, _stream, error = asyncio.run(consume(api))
    assert isinstance(error, errors.NotFoundError)
    assert str(error) == "404 Not found: No such model"
    assert error.trace_id == "t-404"
    assert body.closed


def test_leaving_early_closes_the_response() -> None:
    api, body = api_for([chunk("a"), chunk("b"), chunk("c"), DONE])

    async def go() -> str:
        async with api.stream(REQUEST) as answer:
            async for _ in answer:
                break
        return answer.text

    assert asyncio.run(go()) == "a"
    assert body.closed


def test_iterating_without_async_with_is_refused() -> None:
    api, _ = api_for([DONE])
    with pytest.raises(RuntimeError, match="async with"):
        api.stream(REQUEST).__aiter__()
    with pytest.raises(RuntimeError, match="never opened"):
        api.stream(REQUEST).result()


def test_complete_assembles_a_streamed_answer() -> None:
    api, _ = api_for([chunk("Hel"), chunk("lo", finish="stop"), DONE])
    result = asyncio.run(api.complete(REQUEST))
    assert result.text == "Hello"
    assert result.finish_reason == "stop"
    assert result.trace_id == "trace-9"
