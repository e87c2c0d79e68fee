"""Writing a chat answer: a ``chat.completion`` JSON body or ``chat.completion.chunk`` events.

Healthy answers follow CONTRACT §5/§6. The ``sim/`` kinds that act after the first byte
(drop-after, error-after, malformed, huge) are shaped here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from orq_desktop.simulator.behaviours import Kind
from orq_desktop.simulator.envelope import envelope

BATCH_BYTES = 64 * 1024  # fast streams go out in writes of about this size
HUGE_BYTES = 50 * 1024 * 1024  # what sim/huge sends
_HUGE_PIECE = (
    "## A very long answer\n\nThis paragraph repeats to make a huge reply, "
    "with `inline code`, **bold** and a list:\n\n- one\n- two\n\n"
)
MALFORMED_LINE = b'data: {"id": "broken", "choices": [{"delta": {"content": "x"\n\n'


@dataclass(frozen=True, slots=True)
class ChatAnswer:
    """What one model answered, before it is written out in either shape."""

    completion_id: str
    created: int
    model: str
    kind: Kind
    tokens: tuple[str, ...]
    finish_reason: str
    prompt_tokens: int
    after: int = 0  # drop-after / error-after: how many content chunks go out first

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    def usage(self, completion_tokens: int | None = None) -> dict[str, int]:
        out = len(self.tokens) if completion_tokens is None else completion_tokens
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": out,
            "total_tokens": self.prompt_tokens + out,
        }


def completion_json(answer: ChatAnswer) -> dict[str, Any]:
    """The non-streamed body of a healthy answer."""
    return {
        "id": answer.completion_id,
        "object": "chat.completion",
        "created": answer.created,
        "model": answer.model,
        "choices": [
            {
                "index": 0,
                "finish_reason": answer.finish_reason,
                "logprobs": None,
                "message": {"role": "assistant", "content": answer.text},
            }
        ],
        "usage": answer.usage(),
    }


class _Chunks:
    """Serialises ``chat.completion.chunk`` events quickly (the fixed part is built once)."""

    def __init__(self, answer: ChatAnswer) -> None:
        head = {"id": answer.completion_id, "object": "chat.completion.chunk"}
        self._prefix = "data: " + json.dumps(head)[:-1] + f', "created": {answer.created}, '
        self._prefix += f'"model": {json.dumps(answer.model)}, "choices": '

    def event(self, choices: str, usage: Mapping[str, int] | None = None) -> bytes:
        tail = f', "usage": {json.dumps(usage)}' if usage is not None else ""
        return f"{self._prefix}{choices}{tail}}}\n\n".encode()

    def role(self) -> bytes:
        delta = '{"role": "assistant", "content": ""}'
        return self.event(f'[{{"index": 0, "delta": {delta}, "finish_reason": null}}]')

    def content(self, text: str) -> bytes:
        delta = '{"content": ' + json.dumps(text) + "}"
        return self.event(f'[{{"index": 0, "delta": {delta}, "finish_reason": null}}]')

    def finish(self, reason: str) -> bytes:
        return self.event(f'[{{"index": 0, "delta": {{}}, "finish_reason": "{reason}"}}]')

    def usage(self, usage: Mapping[str, int]) -> bytes:
        return self.event("[]", usage)


DONE = b"data: [DONE]\n\n"


async def _write_batched(resp: web.StreamResponse, events: Iterable[bytes]) -> None:
    batch: list[bytes] = []
    size = 0
    for event in events:
        batch.append(event)
        size += len(event)
        if size >= BATCH_BYTES:
            await resp.write(b"".join(batch))
            batch, size = [], 0
    if batch:
        await resp.write(b"".join(batch))


async def _write_paced(resp: web.StreamResponse, events: Iterable[bytes], rate: float) -> None:
    """Event i goes out at ``i / rate`` s; overdue events leave together in one write."""
    if rate <= 0:
        await _write_batched(resp, events)
        return
    loop = asyncio.get_running_loop()
    start = loop.time()
    batch: list[bytes] = []
    for index, event in enumerate(events):
        delay = start + index / rate - loop.time()
        if delay > 0:
            if batch:
                await resp.write(b"".join(batch))
                batch = []
            await asyncio.sleep(delay)
        batch.append(event)
    if batch:
        await resp.write(b"".join(batch))


def _cycled(tokens: tuple[str, ...], count: int) -> Iterator[str]:
    for index in range(count):
        yield tokens[index % len(tokens)] if tokens else "token "


def _huge_events(chunks: _Chunks, total: int) -> tuple[list[bytes], int]:
    piece = _HUGE_PIECE * (BATCH_BYTES // len(_HUGE_PIECE))
    count = max(1, total // len(piece))
    return [chunks.content(piece)] * count, count * len(piece)


def sse_response(headers: Mapping[str, str]) -> web.StreamResponse:
    resp = web.StreamResponse(headers={**headers, "Cache-Control": "no-cache"})
    resp.content_type = "text/event-stream"
    return resp


async def write_stream(
    request: web.Request,
    answer: ChatAnswer,
    *,
    rate: float,
    include_usage: bool,
    headers: Mapping[str, str],
) -> web.StreamResponse:
    """Stream the answer as server-sent events; ends early (as asked) for the ``sim/`` kinds."""
    resp = sse_response(headers)
    await resp.prepare(request)
    chunks = _Chunks(answer)
    try:
        await resp.write(chunks.role())
        completion_tokens = len(answer.tokens)
        if answer.kind in (Kind.DROP_AFTER, Kind.ERROR_AFTER):
            contents = (chunks.content(t) for t in _cycled(answer.tokens, answer.after))
            await _write_paced(resp, contents, rate)
            if answer.kind is Kind.DROP_AFTER:
                _drop(request)
                return resp
            error = envelope(500, f"The provider failed after {answer.after} chunks.")
            await resp.write(f"data: {json.dumps(error)}\n\n".encode())
            return resp
        if answer.kind is Kind.MALFORMED:
            head, tail = answer.tokens[:3], answer.tokens[3:]
            await _write_paced(resp, (chunks.content(t) for t in head), rate)
            await resp.write(MALFORMED_LINE)
            await _write_paced(resp, (chunks.content(t) for t in tail), rate)
        elif answer.kind is Kind.HUGE:
            events, size = _huge_events(chunks, HUGE_BYTES)
            await _write_batched(resp, events)
            completion_tokens = size // 4
        else:
            await _write_paced(resp, (chunks.content(t) for t in answer.tokens), rate)
        ending = [chunks.finish(answer.finish_reason)]
        if include_usage:
            ending.append(chunks.usage(answer.usage(completion_tokens)))
        await resp.write(b"".join([*ending, DONE]))
        await resp.write_eof()
    except ConnectionResetError:
        pass  # the client went away: nothing more to send
    return resp


def _drop(request: web.Request) -> None:
    """Close the connection without the chunked encoding's final chunk.

    ``close()`` (not ``abort()``) so the bytes already written still leave the buffer first.
    """
    if request.transport is not None:
        request.transport.close()


async def write_json(
    request: web.Request, answer: ChatAnswer, headers: Mapping[str, str]
) -> web.StreamResponse:
    """Answer with one ``chat.completion`` body (or its broken / huge variants)."""
    if answer.kind is Kind.HEALTHY:
        return web.json_response(completion_json(answer), headers=headers)
    if answer.kind is Kind.MALFORMED:
        return web.Response(
            body=b'{"id": "broken", "choices": [', content_type="application/json", headers=headers
        )
    resp = web.StreamResponse(headers=headers)
    resp.content_type = "application/json"
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    try:
        if answer.kind is Kind.DROP_AFTER:
            body = json.dumps(completion_json(answer)).encode()
            await resp.write(body[: max(1, len(body) // 2)])
            _drop(request)
            return resp
        # sim/huge: the content goes out in 1 MB pieces between a fixed head and tail.
        piece = _HUGE_PIECE * ((1024 * 1024) // len(_HUGE_PIECE))
        count = HUGE_BYTES // len(piece)
        shell = completion_json(answer)
        shell["choices"][0]["message"]["content"] = "\x00"
        shell["usage"] = answer.usage(count * len(piece) // 4)
        head, tail = json.dumps(shell).split('"\\u0000"')
        encoded = json.dumps(piece)[1:-1].encode()
        await resp.write(head.encode() + b'"')
        for _ in range(count):
            await resp.write(encoded)
        await resp.write(b'"' + tail.encode())
        await resp.write_eof()
    except ConnectionResetError:
        pass
    return resp
