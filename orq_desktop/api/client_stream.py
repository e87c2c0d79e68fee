"""ChatStream: one chat answer read as it arrives, under ``async with``.

``async with client.stream(request) as s: async for chunk in s: ...`` yields
``ChatCompletionChunk``s; ``s.text`` is the content so far; after the loop ``s.result()`` gives a
``ChatResult``. The iterator is a plain class, not an async generator, so leaving the loop early
(a break, a Stop) leaves nothing for the garbage collector: ``__aexit__`` closes the HTTP response,
which closes the connection, and the server sees it.

The answer may be server-sent events or, when the router answers with JSON, one chunk. Failures
after the answer started are raised after everything before them was yielded: an error object
(``StreamError``), unreadable data (``MalformedResponse``), a dropped connection
(``StreamInterrupted``), a timeout (``RequestTimeout``) or the size limit (``ResponseTooLarge``).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any, NoReturn

import httpx
from pydantic import ValidationError

from orq_desktop.api.client_errors import body_message, malformed, scrub
from orq_desktop.api.client_http import HttpCore, Opened, aclose_iterator
from orq_desktop.api.client_results import ChatResult, Timings
from orq_desktop.api.errors import ResponseTooLarge, RouterError, StreamError
from orq_desktop.api.responses import (
    ChatCompletion,
    ChatCompletionChunk,
    ChunkChoice,
    Delta,
    Usage,
)
from orq_desktop.api.sse import SseDecoder, SseEvent

__all__ = ["ChatStream"]


class _Deadline:
    """The request's deadline over every read of one answer, on one timer.

    ``asyncio.timeout_at`` around each read scheduled and cancelled a timer per chunk (about
    10 µs each on the qasync loop, thousands of times a second in a six-column compare). This arms
    one ``call_at`` for the whole answer; when it fires during a read it cancels the reading task
    the way ``asyncio.Timeout`` does (a Stop requested at the same time stays a cancellation).
    """

    def __init__(self, when: float | None) -> None:
        self._when = when
        self._handle: asyncio.Handle | None = None
        self._reader: asyncio.Task[Any] | None = None
        self._interrupted: asyncio.Task[Any] | None = None
        self._cancelling = 0
        self.expired = False

    async def read(self, chunks: AsyncIterator[bytes]) -> bytes:
        """The next chunk; ``TimeoutError`` once the deadline has passed."""
        if self._when is None:
            return await anext(chunks)
        loop = asyncio.get_running_loop()
        if self.expired or loop.time() >= self._when:
            self.expired = True
            raise TimeoutError
        task = asyncio.current_task()
        assert task is not None
        if self._handle is None:
            self._handle = loop.call_at(self._when, self._on_deadline)
        self._reader, self._cancelling = task, task.cancelling()
        try:
            return await anext(chunks)
        except asyncio.CancelledError:
            if self._interrupted is task:
                self._interrupted = None
                if task.uncancel() <= self._cancelling:
                    raise TimeoutError from None
            raise
        finally:
            self._reader = None

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _on_deadline(self) -> None:
        self._handle = None
        self.expired = True
        if self._reader is not None:  # between reads, the next read raises
            self._interrupted = self._reader
            self._reader.cancel()


class ChatStream:
    """A chat answer being read; use it as ``async with`` and ``async for``."""

    def __init__(
        self,
        core: HttpCore,
        open_request: Callable[[float | None], Awaitable[Opened]],
        *,
        max_stream_bytes: int,
    ) -> None:
        """``open_request(deadline_at)`` sends the request; it reads a non-stream body too."""
        self._core = core
        self._open_request = open_request
        self._max_stream_bytes = max_stream_bytes
        self._opened: Opened | None = None
        self._chunks: AsyncIterator[bytes] | None = None
        self._decoder = SseDecoder()
        self._deadline = _Deadline(None)
        self._events: deque[SseEvent] = deque()
        self._json_pending = False  # a JSON answer not yet handed out as its one chunk
        self._eof = False
        self._finished = False
        self._parts: list[str] = []
        self._text_bytes = 0
        self._model: str | None = None
        self._usage: Usage | None = None
        self._finish_reason: str | None = None
        self._completion: ChatCompletion | None = None
        self._ttft: float | None = None
        self._ended: float | None = None

    # --- context manager -------------------------------------------------------------------------

    async def __aenter__(self) -> ChatStream:
        if self._opened is not None:
            raise RuntimeError("a ChatStream can be entered only once")
        self._opened = await self._open_request(self._core.deadline_at())
        try:
            if self._opened.body is None:
                self._deadline = _Deadline(self._opened.deadline_at)
                self._chunks = self._opened.response.aiter_bytes()
            else:
                self._take_json(self._opened.body)
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP response (and its connection, if the answer was not read to the end)."""
        self._finish()
        if self._opened is not None:
            await self._opened.response.aclose()
        if self._chunks is not None:
            chunks, self._chunks = self._chunks, None
            await aclose_iterator(chunks)

    # --- what the caller reads -------------------------------------------------------------------

    @property
    def text(self) -> str:
        """The content of the answer so far."""
        if len(self._parts) > 1:
            self._parts = ["".join(self._parts)]  # joined once per call, however often it is read
        return self._parts[0] if self._parts else ""

    @property
    def status(self) -> int | None:
        return None if self._opened is None else self._opened.response.status_code

    @property
    def trace_id(self) -> str | None:
        if self._opened is None:
            return None
        trace_id: str | None = self._opened.response.headers.get("x-orq-trace-id")
        return trace_id

    def result(self) -> ChatResult:
        """The answer as read so far (the whole answer once the loop has ended)."""
        if self._opened is None:
            raise RuntimeError("the stream was never opened: use `async with client.stream(...)`")
        now = self._ended if self._ended is not None else time.perf_counter()
        return ChatResult(
            text=self.text,
            status=self._opened.response.status_code,
            model=self._model,
            usage=self._usage,
            finish_reason=self._finish_reason,
            trace_id=self.trace_id,
            timings=Timings(
                ttfb_s=self._opened.ttfb_s,
                ttft_s=self._ttft,
                total_s=now - self._opened.started,
            ),
            completion=self._completion,
        )

    # --- iteration ---------------------------------------------------------------------------

    def __aiter__(self) -> ChatStream:
        if self._opened is None:
            raise RuntimeError("use `async with client.stream(...) as s:` before iterating")
        return self

    async def __anext__(self) -> ChatCompletionChunk:
        if self._json_pending and self._completion is not None:
            self._json_pending = False
            return _as_chunk(self._completion)
        while not self._finished:
            if self._events:
                chunk = self._take(self._events.popleft())
                if chunk is not None:
                    return chunk
            elif self._eof:
                self._finish()
            else:
                await self._read_more()
        raise StopAsyncIteration

    def _take(self, event: SseEvent) -> ChatCompletionChunk | None:
        data = event.data
        if not data or data.isspace():
            return None  # event: ping, a keep-alive
        if event.is_done:
            self._finish()
            return None
        if event.event == "error":
            self._fail(_stream_error(data.encode(), self._core.secret))
        try:
            chunk = ChatCompletionChunk.model_validate_json(data)
        except ValidationError:
            chunk = None  # raised below, outside the handler: the data must not ride along
        if chunk is None:
            self._fail(malformed(data, self._core.secret))
        extra = chunk.model_extra
        if extra and "error" in extra:
            self._fail(_stream_error(data.encode(), self._core.secret))
        self._absorb(chunk)
        return chunk

    async def drain(self) -> None:
        """Read the answer to its end without handing out chunks (what ``complete()`` does)."""
        if self._json_pending:
            self._json_pending = False
            self._finish()
        async for _chunk in self:
            pass

    def _absorb(self, chunk: ChatCompletionChunk) -> None:
        if chunk.usage is not None:
            self._usage = chunk.usage
        for choice in chunk.choices:
            if choice.index == 0:
                self._note(chunk.model, choice.finish_reason, choice.delta.content)
                return
        self._note(chunk.model, None, None)

    def _note(self, model: str, finish_reason: str | None, content: str | None) -> None:
        if model and self._model is None:
            self._model = model
        if finish_reason is not None:
            self._finish_reason = finish_reason
        if content:
            self._text_bytes += len(content) if content.isascii() else len(content.encode())
            if self._text_bytes > self._max_stream_bytes:
                self._fail(_too_large(self._max_stream_bytes))
            self._parts.append(content)
            if self._ttft is None and self._opened is not None:
                self._ttft = time.perf_counter() - self._opened.started

    async def _read_more(self) -> None:
        assert self._opened is not None and self._chunks is not None
        expired = False
        try:
            raw = await self._deadline.read(self._chunks)
        except StopAsyncIteration:
            self._events.extend(self._decoder.flush())
            self._eof = True
            return
        except TimeoutError:
            if not self._deadline.expired:
                raise
            expired = True  # raised below, outside the handler (no chained TimeoutError)
        except httpx.TransportError as exc:
            url = self._opened.response.url
            error = self._core.transport_error(exc, url, after_response=True)
            self._finish()
            raise error from exc
        if expired:
            self._fail(self._core.deadline_error())
        self._events.extend(self._decoder.feed(raw))
        if self._decoder.pending_bytes > self._max_stream_bytes:
            self._fail(_too_large(self._max_stream_bytes))

    def _take_json(self, body: bytes) -> None:
        assert self._opened is not None
        response = self._opened.response
        try:
            completion = ChatCompletion.model_validate_json(body)
        except ValidationError:
            content_type = response.headers.get("content-type", "none")
            raise malformed(body, self._core.secret, content_type=content_type) from None
        extra = completion.model_extra
        if extra and "error" in extra:
            raise _stream_error(body, self._core.secret)
        self._completion = completion
        self._usage = completion.usage
        first = next((c for c in completion.choices if c.index == 0), None)
        if first is None:
            self._note(completion.model, None, None)
        else:
            self._note(completion.model, first.finish_reason, first.message.content)
        self._json_pending = True
        self._eof = True

    def _finish(self) -> None:
        self._deadline.close()
        if not self._finished:
            self._finished = True
            self._ended = time.perf_counter()
            self._events.clear()

    def _fail(self, error: RouterError) -> NoReturn:
        """End the stream with ``error`` (the text so far stays); never returns."""
        self._finish()
        raise error


def _stream_error(body: bytes, secret: str | None) -> StreamError:
    message, code, _kind = body_message(body, "application/json")
    status: int | None = None
    try:
        payload: Mapping[str, Any] = json.loads(body)
        error = payload.get("error") if isinstance(payload, dict) else None
        raw_status = error.get("status") if isinstance(error, dict) else None
        if isinstance(raw_status, int) and 400 <= raw_status < 600:
            status = raw_status
    except ValueError:
        pass
    return StreamError(
        scrub(message, secret) or "The provider failed mid-answer",
        code=scrub(code, secret) if code else None,
        status=status,
    )


def _too_large(limit: int) -> ResponseTooLarge:
    return ResponseTooLarge(
        f"The answer passed the {limit / 1_000_000:g} MB limit; the text so far is kept",
        advice="The answer was cut off at the size limit; raise it in Settings if needed.",
    )


def _as_chunk(completion: ChatCompletion) -> ChatCompletionChunk:
    """A JSON answer given to a stream's reader as one chunk."""
    return ChatCompletionChunk(
        id=completion.id,
        created=completion.created,
        model=completion.model,
        system_fingerprint=completion.system_fingerprint,
        choices=[
            ChunkChoice(
                index=choice.index,
                finish_reason=choice.finish_reason,
                delta=Delta.model_validate(choice.message.model_dump(exclude_none=True)),
                logprobs=choice.logprobs,
            )
            for choice in completion.choices
        ],
        usage=completion.usage,
    )
