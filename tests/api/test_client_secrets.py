"""The API key never shows: not in any error (text, repr, args, chained causes), repr or log line.

A canary key goes through every error class, with servers that echo it back in every place a
server controls: error bodies, HTML pages, stream error objects, unreadable data, redirects.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import ssl
import traceback
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from orq_desktop.api import errors
from orq_desktop.api.client import RouterClient
from orq_desktop.api.models import ChatRequest, ImageRequest

CANARY = "sk-orq-CANARY-7f3a91c2d4"
REQUEST = ChatRequest(model="openai/gpt-4o", messages=[{"role": "user", "content": "Hi"}])
SSE = {"content-type": "text/event-stream"}


def texts_of(error: BaseException) -> list[str]:
    """Everything an error shows: str, repr, args, fields, and the same for what it chains to."""
    out: list[str] = ["".join(traceback.format_exception(error))]
    seen: set[int] = set()
    node: BaseException | None = error
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        out += [str(node), repr(node), *map(repr, node.args)]
        for name in ("message", "advice", "code", "title", "trace_id"):
            out.append(str(getattr(node, name, "")))
        node = node.__cause__ or (None if node.__suppress_context__ else node.__context__)
    return out


def assert_clean(error: BaseException) -> None:
    for text in texts_of(error):
        assert CANARY not in text
        assert CANARY[7:] not in text  # nor its distinctive tail


class Body(httpx.AsyncByteStream):
    def __init__(self, pieces: list[bytes | Exception], delay: float = 0) -> None:
        self.pieces = pieces
        self.delay = delay

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            await asyncio.sleep(self.delay)
            if isinstance(piece, Exception):
                raise piece
            yield piece


def answer(
    status: int, pieces: list[bytes | Exception], headers: dict[str, str], delay: float = 0
) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, stream=Body(pieces, delay), headers=headers)

    return handler


def raising(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


def chained(outer: type[httpx.TransportError], cause: BaseException) -> httpx.TransportError:
    try:
        try:
            raise cause
        except BaseException as inner:
            raise outer(str(inner)) from inner
    except httpx.TransportError as exc:
        return exc


def chunk(text: str) -> bytes:
    body = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    body["choices"] = [{"index": 0, "delta": {"content": text}, "finish_reason": None}]
    return f"data: {json.dumps(body)}\n\n".encode()


ECHO_ENVELOPE = json.dumps(
    {
        "error": {
            "code": CANARY,
            "message": f"Invalid API key {CANARY}",
            "param": CANARY,
            "type": "x",
        }
    }
).encode()
JSON = {"content-type": "application/json"}

CASES: dict[str, tuple[type[errors.RouterError], Callable[[httpx.Request], httpx.Response]]] = {
    "401 envelope": (errors.AuthenticationError, answer(401, [ECHO_ENVELOPE], JSON)),
    "403 html": (
        errors.PermissionDeniedError,
        answer(
            403,
            [f"<html><title>Key {CANARY} denied</title></html>".encode()],
            {"content-type": "text/html"},
        ),
    ),
    "404 text": (errors.NotFoundError, answer(404, [f"no {CANARY}".encode()], {})),
    "400 json": (
        errors.BadRequestError,
        answer(400, [json.dumps({"detail": CANARY}).encode()], JSON),
    ),
    "429": (errors.RateLimitError, answer(429, [ECHO_ENVELOPE], {**JSON, "retry-after": "1"})),
    "500": (errors.ServerError, answer(500, [ECHO_ENVELOPE[:50]], JSON)),
    "stream error object": (
        errors.StreamError,
        answer(200, [chunk("a"), b"data: " + ECHO_ENVELOPE + b"\n\n"], SSE),
    ),
    "named error event": (
        errors.StreamError,
        answer(200, [f"event: error\ndata: bad key {CANARY}\n\n".encode()], SSE),
    ),
    "malformed event": (
        errors.MalformedResponse,
        answer(200, [f"data: {{{'x' * 110}{CANARY} not json\n\n".encode()], SSE),
    ),
    "malformed json": (errors.MalformedResponse, answer(200, [f"[{CANARY}".encode()], JSON)),
    "interrupted": (
        errors.StreamInterrupted,
        answer(200, [chunk("a"), httpx.RemoteProtocolError("peer closed connection")], SSE),
    ),
    "read timeout": (errors.RequestTimeout, raising(httpx.ReadTimeout("timed out"))),
    "refused": (
        errors.ConnectionRefused,
        raising(chained(httpx.ConnectError, ConnectionRefusedError(111, "Connection refused"))),
    ),
    "dns": (
        errors.DnsFailure,
        raising(chained(httpx.ConnectError, socket.gaierror(-2, "Name or service not known"))),
    ),
    "tls": (
        errors.TlsFailure,
        raising(chained(httpx.ConnectError, ssl.SSLCertVerificationError(1, "verify failed"))),
    ),
    "other connection failure": (
        errors.ConnectionFailed,
        raising(chained(httpx.ConnectError, OSError(101, "Network is unreachable"))),
    ),
    "cross-origin redirect": (
        errors.UnexpectedRedirect,
        answer(307, [], {"location": f"https://evil.test/steal?key={CANARY}"}),
    ),
    "same-origin 302": (
        errors.UnexpectedRedirect,
        answer(302, [], {"location": f"/login?key={CANARY}"}),
    ),
    "too large": (errors.ResponseTooLarge, answer(200, [b"x" * 3000], JSON)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_canary_never_in_any_error(name: str) -> None:
    expected, handler = CASES[name]
    api = RouterClient(
        CANARY, "https://api.test", transport=httpx.MockTransport(handler), max_response_bytes=2000
    )

    async def go() -> errors.RouterError:
        stream = api.stream(REQUEST)
        try:
            async with stream as s:
                async for _ in s:
                    pass
        except errors.RouterError as exc:
            return exc
        finally:
            await api.aclose()
        raise AssertionError("no error raised")

    error = asyncio.run(go())
    assert type(error) is expected
    assert_clean(error)


def test_deadline_error_is_clean() -> None:
    api = RouterClient(
        CANARY,
        "https://api.test",
        transport=httpx.MockTransport(answer(200, [chunk("a")] * 50, SSE, delay=0.02)),
        deadline=0.1,
    )
    with pytest.raises(errors.RequestTimeout) as caught:
        asyncio.run(api.complete(REQUEST))
    assert caught.value.which == "deadline"
    assert_clean(caught.value)


def test_image_errors_are_clean() -> None:
    handler = answer(200, [f'{{"data": "{CANARY}"'.encode()], JSON)
    api = RouterClient(CANARY, "https://api.test", transport=httpx.MockTransport(handler))
    with pytest.raises(errors.MalformedResponse) as caught:
        asyncio.run(api.generate_images(ImageRequest(model="openai/dall-e-3", prompt="p")))
    assert_clean(caught.value)


@pytest.mark.parametrize("bad", [f"{CANARY} trailing", f"{CANARY}é", f"{CANARY}\r\nX: 1"])
def test_unusable_key_error_is_clean(bad: str) -> None:
    api = RouterClient(bad, "https://api.test", transport=httpx.MockTransport(raising(Exception())))
    with pytest.raises(errors.AuthenticationError) as caught:
        asyncio.run(api.complete(REQUEST))
    assert_clean(caught.value)


def test_repr_of_the_client_has_no_key() -> None:
    api = RouterClient(CANARY, "https://api.test")
    shown = repr(api) + str(api) + repr(api._core._http.headers)
    assert CANARY not in shown
    assert "https://api.test" in repr(api)


def test_no_key_in_log_lines_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    ok = (
        b'{"id":"c","object":"chat.completion","created":0,"model":"m","choices":'
        b'[{"index":0,"finish_reason":"stop","message":{"content":"hi"}}]}'
    )
    handlers: list[Callable[[httpx.Request], httpx.Response]] = [
        answer(200, [ok], JSON),
        answer(200, [chunk("a"), b"data: [DONE]\n\n"], SSE),
        answer(401, [ECHO_ENVELOPE], JSON),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return handlers.pop(0)(request)

    async def go() -> None:
        async with RouterClient(
            CANARY, "https://api.test", transport=httpx.MockTransport(handler), max_retries=1
        ) as api:
            await api.complete(REQUEST)
            async with api.stream(REQUEST) as s:
                async for _ in s:
                    pass
            try:
                await api.complete(REQUEST)
            except errors.AuthenticationError as exc:
                logging.getLogger("orq_desktop").exception("request failed: %s", exc)

    with caplog.at_level(logging.DEBUG):
        asyncio.run(go())
    assert "HTTP Request: POST" in caplog.text  # the transport's own lines were captured
    assert "request failed" in caplog.text
    assert CANARY not in caplog.text


def test_debug_logging_of_a_real_connection(caplog: pytest.LogCaptureFixture) -> None:
    """httpcore's trace lines over a real socket (refused here) carry no header values."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def go() -> None:
        async with RouterClient(CANARY, f"http://127.0.0.1:{port}") as api:
            with pytest.raises(errors.ConnectionRefused):
                await api.complete(REQUEST)

    with caplog.at_level(logging.DEBUG):
        asyncio.run(go())
    assert "connect_tcp" in caplog.text
    assert CANARY not in caplog.text
