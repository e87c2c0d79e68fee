"""SseDecoder: framing, fields, UTF-8, BOM, and agreement with the official SDK's own parser."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx
import pytest
from orq_ai_sdk.utils.eventstreaming import stream_events_async

from orq_desktop.api.sse import SseDecoder, SseEvent


def decode_all(chunks: Iterable[bytes]) -> list[SseEvent]:
    decoder = SseDecoder()
    events: list[SseEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.flush())
    return events


def splits(data: bytes, seed: int) -> list[list[bytes]]:
    """The same bytes as one read, one byte per read, and a few random chunkings."""
    rng = random.Random(seed)
    ways = [[data], [data[i : i + 1] for i in range(len(data))]]
    for _ in range(4):
        cuts = sorted(rng.sample(range(1, len(data)), k=min(len(data) - 1, rng.randint(1, 12))))
        ways.append([data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)])
    return ways


CHUNK = (
    '{"id":"c1","object":"chat.completion.chunk","created":0,"model":"m",'
    '"choices":[{"index":0,"delta":{"content":"%s"},"finish_reason":null}]}'
)

# Byte streams the official SDK parses; ours must give the same events for every one of them.
CORPUS: dict[str, bytes] = {
    "lf": (
        "data: " + CHUNK % "Hel" + "\n\ndata: " + CHUNK % "lo" + "\n\ndata: [DONE]\n\n"
    ).encode(),
    "crlf": (
        "data: " + CHUNK % "a" + "\r\n\r\ndata: " + CHUNK % "b" + "\r\n\r\ndata: [DONE]\r\n\r\n"
    ).encode(),
    "cr": ("data: " + CHUNK % "a" + "\r\rdata: " + CHUNK % "b" + "\r\rdata: [DONE]\r\r").encode(),
    "mixed": (
        "data: " + CHUNK % "a" + "\r\n\ndata: " + CHUNK % "b" + "\n\n"
        "event: x\r\ndata: " + CHUNK % "c" + "\r\n\r\ndata: " + CHUNK % "d" + "\r\r"
    ).encode(),
    "multiline": b'data: {"a":\ndata: 1}\n\ndata: line one\ndata: line two\n\n',
    "comments": b': keep-alive\n\n: OPENROUTER PROCESSING\ndata: {"x": 1}\n\n:bye\n\n',
    "ping": b'event: ping\n\ndata: {"x": 2}\n\nevent: ping\ndata: {"x": 3}\n\n',
    "fields": b'id: 7\nretry: 1500\nevent: message\ndata: {"x": 4}\n\nretry: soon\ndata: 5\n\n',
    "no_done": ("data: " + CHUNK % "a" + "\n\ndata: " + CHUNK % "b" + "\n\n").encode(),
    "no_final_blank": ("data: " + CHUNK % "a" + "\n\ndata: " + CHUNK % "b").encode(),
    "no_final_blank_lf": ("data: " + CHUNK % "a" + "\n\ndata: " + CHUNK % "b" + "\n").encode(),
    "utf8": ("data: " + CHUNK % "héllo wörld ✓ 日本語 🙂🚀" + "\n\ndata: [DONE]\n\n").encode(),
    "no_space": b'data:{"x":1}\n\ndata:  two spaces\n\n',
    "empty_data": b'data:\n\ndata: {"x":1}\n\n',
    "text_data": b"data: hello there\n\ndata: [not json\n\n",
    "unknown_field": b'foo: bar\n\nfoo: bar\ndata: {"x":1}\n\n',
    # Not here: events after [DONE] in the same read, which SDK 4.1.15 still yields (its stop flag
    # is only checked per read); the client stops at [DONE] in every case.
    "error_object": (
        "data: " + CHUNK % "partial" + '\n\ndata: {"error":{"message":"boom","code":"500"}}\n\n'
    ).encode(),
}


def sdk_view(event: SseEvent) -> dict[str, Any]:
    """What the SDK's decoder receives for this event (JSON-looking data is decoded)."""
    data: Any = event.data
    if data is not None:
        primitive = data.isnumeric() or data in ("true", "false", "null")
        if primitive or data.startswith(("{", "[", '"')):
            with contextlib.suppress(ValueError):
                data = json.loads(data)
    return {"id": event.id, "event": event.event, "data": data, "retry": event.retry}


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def through_sdk(chunks: list[bytes]) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        response = httpx.Response(200, stream=_Chunks(chunks))
        out: list[dict[str, Any]] = []
        async for item in stream_events_async(response, json.loads, sentinel="[DONE]"):
            # The SDK serialises only the fields it set on the event; fill in the rest.
            out.append({key: item.get(key) for key in ("id", "event", "data", "retry")})
        return out

    return asyncio.run(run())


def through_ours(chunks: list[bytes]) -> list[dict[str, Any]]:
    out = []
    for event in decode_all(chunks):
        if event.is_done:
            break
        out.append(sdk_view(event))
    return out


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_same_events_as_the_sdk_for_every_chunking(name: str) -> None:
    data = CORPUS[name]
    for n, chunks in enumerate(splits(data, seed=len(name))):
        expected = through_sdk(chunks)
        assert expected, "the corpus entry must give the SDK at least one event"
        assert through_ours(chunks) == expected, f"{name}, chunking #{n}"


def test_openai_stream_gives_data_and_done() -> None:
    events = decode_all([CORPUS["lf"]])
    assert [json.loads(e.data)["choices"][0]["delta"]["content"] for e in events[:2]] == [
        "Hel",
        "lo",
    ]
    assert events[2].is_done
    assert len(events) == 3


def test_multiline_data_is_joined_with_newline() -> None:
    events = decode_all([CORPUS["multiline"]])
    assert [e.data for e in events] == ['{"a":\n1}', "line one\nline two"]


def test_comments_are_dropped_and_fields_kept() -> None:
    events = decode_all([b": hi\nid: 9\nevent: delta\nretry: 30\ndata: x\n\n"])
    assert events == [SseEvent(data="x", event="delta", id="9", retry=30)]


def test_data_less_event_has_no_data() -> None:
    events = decode_all([b"event: ping\n\n"])
    assert events == [SseEvent(data=None, event="ping")]


def test_crlf_split_between_reads_is_one_line_end() -> None:
    # "\r" ends one read and "\n" starts the next: one line end, not a blank line.
    events = decode_all([b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"])
    assert [e.data for e in events] == ["a\nb"]


def test_lone_cr_lines_and_lf_blank_line_mix() -> None:
    # LF then CRLF is a blank line in the specification (the SDK misses this form).
    events = decode_all([b"data: a\n\r\ndata: b\r\rdata: c\r\n\n"])
    assert [e.data for e in events] == ["a", "b", "c"]


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_utf8_split_across_reads(size: int) -> None:
    text = "ünï 🙂 日本 ✓"
    data = f"data: {text}\n\n".encode()
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    assert [e.data for e in decode_all(chunks)] == [text]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert [e.data for e in decode_all([b"data: a\xffb\n\n"])] == ["a\ufffdb"]


@pytest.mark.parametrize(
    "chunks", [[b"\xef\xbb\xbfdata: x\n\n"], [b"\xef", b"\xbb", b"\xbfdata: x\n\n"]]
)
def test_bom_at_start_is_stripped(chunks: list[bytes]) -> None:
    assert [e.data for e in decode_all(chunks)] == ["x"]


def test_bom_only_at_start() -> None:
    # A BOM later in the stream is part of the field name, so that line is ignored.
    events = decode_all([b"data: a\n\n\xef\xbb\xbfdata: b\n\n"])
    assert [e.data for e in events] == ["a"]


def test_partial_bom_then_end_of_stream() -> None:
    assert decode_all([b"\xef\xbb"]) == []


def test_short_first_read_that_is_not_a_bom() -> None:
    assert [e.data for e in decode_all([b"d", b"a", b"ta: z\n\n"])] == ["z"]


def test_final_event_without_blank_line_is_flushed() -> None:
    decoder = SseDecoder()
    assert decoder.feed(b"data: first\n\ndata: last") == [SseEvent(data="first")]
    assert decoder.pending_bytes == len(b"data: last")
    assert decoder.flush() == [SseEvent(data="last")]
    assert decoder.flush() == []


def test_field_without_colon_is_an_empty_value() -> None:
    # Specification: the whole line is the field name; "data" alone adds an empty data line.
    assert [e.data for e in decode_all([b"data\ndata: x\n\n"])] == ["\nx"]


def test_unknown_fields_alone_dispatch_nothing() -> None:
    assert decode_all([b"foo: 1\nbar\n\n"]) == []


def test_id_with_nul_is_ignored() -> None:
    assert decode_all([b"id: a\x00b\ndata: x\n\n"]) == [SseEvent(data="x")]


def test_empty_feed_is_harmless() -> None:
    decoder = SseDecoder()
    assert decoder.feed(b"") == []
    assert decoder.feed(b"data: 1\r") == []
    assert decoder.feed(b"\n") == []
    assert decoder.feed(b"\n") == [SseEvent(data="1")]


def test_long_line_over_many_reads() -> None:
    payload = "x" * 200_000
    data = f"data: {payload}\n\n".encode()
    chunks = [data[i : i + 1000] for i in range(0, len(data), 1000)]
    assert [e.data for e in decode_all(chunks)] == [payload]
