"""RouterClient on real loopback servers: cancellation, drops, timeouts, TLS, redirects, retries.

The server is a small scripted HTTP/1.1 server on the stdlib (asyncio streams) that records every
request and when each connection closed, so the tests see what actually went over the socket.
"""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from orq_desktop.api import errors
from orq_desktop.api.client import ChatResult, RouterClient
from orq_desktop.api.models import ChatRequest

REQUEST = ChatRequest(model="openai/gpt-4o", messages=[{"role": "user", "content": "Hi"}])
PATH = "/v2/gateway/chat/completions"
SSE = {"content-type": "text/event-stream"}
COMPLETION = json.dumps(
    {"id": "c", "object": "chat.completion", "created": 0, "model": "m", "choices": []}
).encode()


def sse_chunk(text: str) -> bytes:
    body = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "m"}
    body["choices"] = [{"index": 0, "delta": {"content": text}, "finish_reason": None}]
    return f"data: {json.dumps(body)}\n\n".encode()


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


Handler = Callable[[Seen, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


class Loopback:
    """Scripted HTTP/1.1 server: ``handler(seen, reader, writer)`` answers; True keeps the
    connection open for the next request."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.tls = tls
        self.requests: list[Seen] = []
        self.closed_at: list[float] = []
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> Loopback:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        scheme = "https" if self.tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    break
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                seen = Seen(method, path, headers, body, time.monotonic())
                self.requests.append(seen)
                try:
                    if not await self.handler(seen, reader, writer):
                        break
                except ConnectionError:
                    break
        finally:
            self.closed_at.append(time.monotonic())
            self._writers.discard(writer)
            writer.close()


async def reply(
    writer: asyncio.StreamWriter,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> bool:
    fields = {"content-type": "application/json", **(headers or {})}
    head = f"HTTP/1.1 {status} X\r\ncontent-length: {len(body)}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
    writer.write(head.encode() + body)
    await writer.drain()
    return True


async def start_chunked(writer: asyncio.StreamWriter, headers: dict[str, str] = SSE) -> None:
    head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    writer.write(head.encode())
    await writer.drain()


async def send_chunk(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(b"%x\r\n%s\r\n" % (len(data), data))
    await writer.drain()


async def client_gone(reader: asyncio.StreamReader, wait: float) -> bool:
    """Wait up to ``wait`` s for the client to close; True once it has."""
    try:
        return await asyncio.wait_for(reader.read(1), wait) == b""
    except TimeoutError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def drain(api: RouterClient) -> tuple[str, BaseException | None]:
    stream = api.stream(REQUEST)
    try:
        async with stream as answer:
            async for _ in answer:
                pass
    except errors.RouterError as exc:
        return stream.text, exc
    return stream.text, None


async def complete_once(url: str, key: str = "k", **options: Any) -> ChatResult:
    """One request on a client that is closed afterwards (no pooled socket is left behind)."""
    async with RouterClient(key, url, **options) as api:
        return await api.complete(REQUEST)


def run[T](coro: Awaitable[T]) -> T:
    async def go() -> T:
        return await coro

    return asyncio.run(go())


# --- cancellation and stream lifetime ------------------------------------------------------------


def test_cancelling_the_consumer_closes_the_connection() -> None:
    async def endless(
        seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        await start_chunked(writer)
        for i in range(1000):
            await send_chunk(writer, sse_chunk(f"t{i} "))
            if await client_gone(reader, 0.02):
                return False
        return False

    async def go() -> None:
        async with Loopback(endless) as server:
            api = RouterClient("k", server.url)
            got: list[str] = []
            three = asyncio.Event()

            async def consume() -> None:
                async with api.stream(REQUEST) as answer:
                    async for chunk in answer:
                        got.append(chunk.text)
                        if len(got) == 3:
                            three.set()

            task = asyncio.create_task(consume())
            await three.wait()
            cancelled_at = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            for _ in range(100):
                if server.closed_at:
                    break
                await asyncio.sleep(0.01)
            assert server.closed_at, "the server never saw the connection close"
            assert server.closed_at[0] - cancelled_at < 0.5
            await api.aclose()

    run(go())


def test_leaving_a_stream_early_leaves_no_generator_to_the_gc() -> None:
    """qasync never installs asyncio's async-generator hooks; leaving a stream early must not
    hand a suspended httpx generator to the garbage collector (DESIGN.md)."""
    caught: list[str] = []

    async def stream_forever(seen: Seen, reader: asyncio.StreamReader, writer: Any) -> bool:
        await start_chunked(writer)
        for i in range(200):
            await send_chunk(writer, sse_chunk(f"t{i} "))
        return not await client_gone(reader, 0.2)

    async def ours(url: str) -> None:
        async with RouterClient("k", url) as api:
            for _ in range(3):
                async with api.stream(REQUEST) as answer:
                    async for _chunk in answer:
                        break
                gc.collect()

    async def plain_httpx(url: str) -> None:  # the trap, to show the check can see it
        async with (
            httpx.AsyncClient() as http,
            http.stream("POST", url + PATH, content=b"{}") as response,
        ):
            async for _line in response.aiter_lines():
                break
        gc.collect()

    async def go(body: Callable[[str], Awaitable[None]]) -> list[str]:
        sys.set_asyncgen_hooks(firstiter=None, finalizer=None)  # as under qasync
        caught.clear()
        async with Loopback(stream_forever) as server:
            await body(server.url)
        gc.collect()
        return list(caught)

    old_hook = sys.unraisablehook
    sys.unraisablehook = lambda info: caught.append(f"{info.exc_type.__name__}: {info.exc_value}")
    try:
        assert asyncio.run(go(ours)) == []
        trap = asyncio.run(go(plain_httpx))
    finally:
        sys.unraisablehook = old_hook
    assert any("ignored GeneratorExit" in text for text in trap)


def test_drop_mid_stream_is_interrupted_and_not_retried() -> None:
    async def drop(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await start_chunked(writer)
        for text in ("one ", "two ", "three"):
            await send_chunk(writer, sse_chunk(text))
        await asyncio.sleep(0.05)
        writer.transport.abort()
        return False

    async def go() -> None:
        async with Loopback(drop) as server:
            async with RouterClient("k", server.url, max_retries=3) as api:
                text, error = await drain(api)
            assert isinstance(error, errors.StreamInterrupted)
            assert text == "one two three"
            assert len(server.requests) == 1

    run(go())


# --- timeouts -------------------------------------------------------------------------------------


def test_read_timeout_keeps_the_text() -> None:
    async def stall(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await start_chunked(writer)
        for text in ("a", "b", "c"):
            await send_chunk(writer, sse_chunk(text))
        await client_gone(reader, 10)
        return False

    async def go() -> None:
        async with Loopback(stall) as server:
            api = RouterClient("k", server.url, timeout=httpx.Timeout(5, read=0.3))
            started = time.monotonic()
            text, error = await drain(api)
            assert isinstance(error, errors.RequestTimeout)
            assert error.which == "read"
            assert "0.3 s" in error.message
            assert text == "abc"
            assert time.monotonic() - started < 2
            await api.aclose()

    run(go())


def test_deadline_stops_a_slow_drip() -> None:
    async def drip(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await start_chunked(writer)
        for i in range(100):
            await send_chunk(writer, sse_chunk(f"{i} "))
            if await client_gone(reader, 0.1):
                return False
        return False

    async def go() -> None:
        async with Loopback(drip) as server:
            api = RouterClient("k", server.url, timeout=5, deadline=0.6)
            started = time.monotonic()
            text, error = await drain(api)
            elapsed = time.monotonic() - started
            assert isinstance(error, errors.RequestTimeout)
            assert error.which == "deadline"
            assert str(error).startswith("Timed out (request time limit)")
            assert text.startswith("0 1 ")
            assert 0.55 < elapsed < 1.5
            await api.aclose()

    run(go())


def test_deadline_before_the_headers() -> None:
    async def late(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await client_gone(reader, 10)
        return False

    async def go() -> None:
        async with Loopback(late) as server:
            api = RouterClient("k", server.url, deadline=0.3)
            with pytest.raises(errors.RequestTimeout) as caught:
                await api.complete(REQUEST)
            assert caught.value.which == "deadline"
            await api.aclose()

    run(go())


# --- no connection --------------------------------------------------------------------------------


def test_connection_refused() -> None:
    port = free_port()
    with pytest.raises(errors.ConnectionRefused) as caught:
        run(complete_once(f"http://127.0.0.1:{port}"))
    assert f"127.0.0.1:{port}" in caught.value.message


def test_dns_failure_is_not_called_refused() -> None:
    with pytest.raises(errors.DnsFailure) as caught:
        run(complete_once("https://orq-desktop-test.invalid", timeout=5))
    assert "orq-desktop-test.invalid" in caught.value.message


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder: Path = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    return context


async def never_called(seen: Seen, reader: Any, writer: Any) -> bool:
    return await reply(writer, 200, COMPLETION)


def test_untrusted_certificate_fails_before_any_request(self_signed: ssl.SSLContext) -> None:
    async def go() -> None:
        async with Loopback(never_called, tls=self_signed) as server:
            with pytest.raises(errors.TlsFailure) as caught:
                await complete_once(server.url)
            assert "self-signed certificate" in caught.value.message
            assert isinstance(caught.value.__cause__, httpx.ConnectError)
            assert server.requests == []

    run(go())


def test_sslkeylogfile_is_ignored(
    self_signed: ssl.SSLContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keylog = tmp_path / "keys.log"
    monkeypatch.setenv("SSLKEYLOGFILE", str(keylog))

    def secrets() -> list[str]:
        if not keylog.exists():
            return []
        return [line for line in keylog.read_text().splitlines() if not line.startswith("#")]

    async def go() -> None:
        async with Loopback(never_called, tls=self_signed) as server:
            async with RouterClient("k", server.url) as api:
                assert api.ssl_context.keylog_filename is None
                assert api.ssl_context.verify_mode is ssl.CERT_REQUIRED
                assert api.ssl_context.check_hostname
                with pytest.raises(errors.TlsFailure):
                    await api.complete(REQUEST)
            assert secrets() == []
            # The same handshake with a default context does write the secrets.
            async with httpx.AsyncClient(verify=ssl.create_default_context()) as http:
                with pytest.raises(httpx.ConnectError):
                    await http.post(server.url + PATH)
            assert secrets(), "control: a default context should have logged keys"

    run(go())


# --- redirects ------------------------------------------------------------------------------------


def test_same_origin_307_is_followed_with_the_same_request() -> None:
    async def moved(seen: Seen, reader: Any, writer: Any) -> bool:
        if seen.path == PATH:
            return await reply(writer, 307, headers={"location": "/v2/new/chat/completions"})
        return await reply(writer, 200, COMPLETION)

    async def go() -> None:
        async with Loopback(moved) as server:
            async with RouterClient("sk-1", server.url) as api:
                await api.complete(REQUEST)
            first, second = server.requests
            assert second.path == "/v2/new/chat/completions"
            assert second.method == "POST"
            assert second.body == first.body
            assert second.headers["authorization"] == "Bearer sk-1"

    run(go())


def test_redirect_chain_stops_after_three() -> None:
    async def loop(seen: Seen, reader: Any, writer: Any) -> bool:
        return await reply(writer, 308, headers={"location": PATH})

    async def go() -> None:
        async with Loopback(loop) as server:
            with pytest.raises(errors.UnexpectedRedirect):
                await complete_once(server.url)
            assert len(server.requests) == 4

    run(go())


def test_other_redirects_are_not_followed() -> None:
    async def found(seen: Seen, reader: Any, writer: Any) -> bool:
        return await reply(writer, 302, headers={"location": "/elsewhere"})

    async def go() -> None:
        async with Loopback(found) as server:
            with pytest.raises(errors.UnexpectedRedirect) as caught:
                await complete_once(server.url)
            assert caught.value.status == 302
            assert len(server.requests) == 1

    run(go())


def test_cross_origin_redirect_is_refused_and_names_the_host() -> None:
    async def go() -> None:
        async with Loopback(never_called) as other:

            async def away(seen: Seen, reader: Any, writer: Any) -> bool:
                location = f"http://localhost:{other.port}{PATH}"
                return await reply(writer, 307, headers={"location": location})

            async with Loopback(away) as server:
                with pytest.raises(errors.UnexpectedRedirect) as caught:
                    await complete_once(server.url, key="sk-secret")
            assert f"localhost:{other.port}" in str(caught.value)
            assert other.requests == []  # the key never left for the other origin

    run(go())


# --- retries --------------------------------------------------------------------------------------


def scripted(*answers: tuple[int, dict[str, str]]) -> Handler:
    queue = list(answers)

    async def handler(seen: Seen, reader: Any, writer: Any) -> bool:
        status, headers = queue.pop(0) if queue else (200, {})
        body = COMPLETION if status == 200 else b'{"error":{"message":"busy"}}'
        return await reply(writer, status, body, headers)

    return handler


def test_no_retries_by_default() -> None:
    async def go() -> None:
        async with Loopback(scripted((503, {}), (200, {}))) as server:
            with pytest.raises(errors.ServerError):
                await complete_once(server.url)
            assert len(server.requests) == 1

    run(go())


def test_opt_in_retries_honour_retry_after() -> None:
    async def go() -> None:
        async with Loopback(scripted((429, {"retry-after": "0.3"}), (200, {}))) as server:
            result = await complete_once(server.url, max_retries=2)
            assert result.status == 200
            first, second = server.requests
            assert second.at - first.at >= 0.3

    run(go())


def test_opt_in_retries_back_off_on_5xx() -> None:
    async def go() -> None:
        async with Loopback(scripted((500, {}), (200, {}))) as server:
            await complete_once(server.url, max_retries=2)
            first, second = server.requests
            assert 0.375 <= second.at - first.at < 0.7  # 0.5 s less up to 25 % jitter

    run(go())


def test_retry_after_beyond_a_minute_is_left_to_the_user() -> None:
    async def go() -> None:
        async with Loopback(scripted((429, {"retry-after": "3600"}))) as server:
            with pytest.raises(errors.RateLimitError) as caught:
                await complete_once(server.url, max_retries=3)
            assert caught.value.retry_after == 3600
            assert len(server.requests) == 1

    run(go())


def test_client_errors_are_never_retried() -> None:
    async def go() -> None:
        async with Loopback(scripted((400, {}), (200, {}))) as server:
            with pytest.raises(errors.BadRequestError):
                await complete_once(server.url, max_retries=3)
            assert len(server.requests) == 1

    run(go())


def test_keep_alive_connection_is_reused() -> None:
    async def go() -> None:
        async with Loopback(scripted()) as server:
            async with RouterClient("k", server.url) as api:
                for _ in range(3):
                    await api.complete(REQUEST)
            assert len(server.requests) == 3
            assert server.connections == 1  # one connection served all three

    run(go())


def test_environment_proxy_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """trust_env stays on: a proxy set in the environment carries the request."""

    async def proxy(seen: Seen, reader: Any, writer: Any) -> bool:
        return await reply(writer, 200, COMPLETION)

    async def go() -> None:
        async with Loopback(proxy) as server:
            monkeypatch.setenv("HTTP_PROXY", server.url)
            monkeypatch.delenv("NO_PROXY", raising=False)
            monkeypatch.delenv("no_proxy", raising=False)
            async with RouterClient("k", "http://router.test") as api:
                await api.complete(REQUEST)
            assert server.requests[0].path == "http://router.test" + PATH

    run(go())
