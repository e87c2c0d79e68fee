"""The whole-request deadline while an answer streams: one timer for the answer, not one per read,
and a deadline that passes is a ``RequestTimeout`` while a Stop stays a cancellation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from test_client_stream import DONE, REQUEST, api_for, chunk

from orq_desktop.api import errors
from orq_desktop.api.client import RouterClient
from orq_desktop.api.client_stream import _Deadline


class CountingLoop(asyncio.SelectorEventLoop):
    """Counts the timed callbacks scheduled (``call_at``; ``call_later`` goes through it)."""

    def __init__(self) -> None:
        super().__init__()
        self.timed = 0

    def call_at(self, when: float, callback: Callable[..., object], *args: Any, **kw: Any) -> Any:
        self.timed += 1
        return super().call_at(when, callback, *args, **kw)


def test_a_200_chunk_answer_arms_one_deadline_timer() -> None:
    pieces: list[bytes | Exception] = [chunk(f"{i} ") for i in range(200)] + [DONE]
    api, _body = api_for(pieces, deadline=600)
    loops: list[CountingLoop] = []

    def factory() -> CountingLoop:
        loops.append(CountingLoop())
        return loops[-1]

    async def go() -> str:
        async with api.stream(REQUEST) as answer:
            async for _ in answer:
                pass
        return answer.text

    text = asyncio.run(go(), loop_factory=factory)
    assert text == "".join(f"{i} " for i in range(200))
    # One for the request's headers (client_http) and one for the whole body: not one per read.
    assert loops[0].timed <= 2, loops[0].timed


class Endless:
    """An async iterator whose reads never end (until cancelled)."""

    def __init__(self) -> None:
        self.reads = 0

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self

    async def __anext__(self) -> bytes:
        self.reads += 1
        await asyncio.sleep(3600)
        return b""


def test_the_deadline_interrupts_a_read_with_a_timeout() -> None:
    async def go() -> tuple[bool, float]:
        loop = asyncio.get_running_loop()
        deadline = _Deadline(loop.time() + 0.05)
        started = loop.time()
        with pytest.raises(TimeoutError):
            await deadline.read(Endless())
        task = asyncio.current_task()
        assert task is not None and task.cancelling() == 0  # nothing left to cancel us later
        await asyncio.sleep(0.01)  # ... as this shows
        return deadline.expired, loop.time() - started

    expired, took = asyncio.run(go())
    assert expired
    assert 0.04 < took < 1.0


def test_a_deadline_passing_between_reads_fails_the_next_read_only() -> None:
    async def go() -> int:
        loop = asyncio.get_running_loop()
        deadline = _Deadline(loop.time() + 0.2)
        source = Endless()
        reader = asyncio.ensure_future(deadline.read(source))
        await asyncio.sleep(0.01)
        reader.cancel()  # a read that ended before the deadline (armed the timer)
        with pytest.raises(asyncio.CancelledError):
            await reader
        await asyncio.sleep(0.3)  # the consumer is busy elsewhere when the deadline passes
        assert deadline.expired
        with pytest.raises(TimeoutError):
            await deadline.read(source)
        return source.reads

    assert asyncio.run(go()) == 1  # the late read never started


def test_a_stop_at_the_deadline_stays_a_cancellation() -> None:
    async def go() -> None:
        loop = asyncio.get_running_loop()
        deadline = _Deadline(loop.time() + 3600)
        reader = asyncio.ensure_future(deadline.read(Endless()))
        await asyncio.sleep(0.01)
        reader.cancel()  # the user's Stop ...
        deadline._on_deadline()  # ... and the deadline, in the same turn of the loop
        with pytest.raises(asyncio.CancelledError):
            await reader

    asyncio.run(go())


def test_closing_cancels_the_timer() -> None:
    async def go() -> bool:
        loop = asyncio.get_running_loop()
        deadline = _Deadline(loop.time() + 0.05)
        reader = asyncio.ensure_future(deadline.read(Endless()))
        await asyncio.sleep(0.01)
        reader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reader
        deadline.close()
        await asyncio.sleep(0.1)
        return deadline.expired

    assert asyncio.run(go()) is False


def test_a_slow_stream_past_its_deadline_keeps_its_text() -> None:
    class Slow:
        def __init__(self) -> None:
            self.pieces = [chunk("a"), chunk("b")]

        def __aiter__(self) -> AsyncIterator[bytes]:
            return self

        async def __anext__(self) -> bytes:
            if self.pieces:
                await asyncio.sleep(0)
                return self.pieces.pop(0)
            await asyncio.sleep(3600)
            return DONE

    class Body(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            async for piece in Slow():
                yield piece

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Body(), headers={"content-type": "text/event-stream"})

    api = RouterClient(
        "k", "https://api.test", transport=httpx.MockTransport(handler), deadline=0.2
    )

    async def go() -> tuple[str, BaseException | None]:
        error: BaseException | None = None
        stream = api.stream(REQUEST)
        try:
            async with stream as answer:
                async for _ in answer:
                    pass
        except errors.RouterError as exc:
            error = exc
        await api.aclose()
        return stream.text, error

    text, error = asyncio.run(go())
    assert text == "ab"
    assert isinstance(error, errors.RequestTimeout)
    assert error.which == "deadline"
