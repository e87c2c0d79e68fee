"""ColumnReader: every delta in order, batched (and reads paced) only when a stream is fast."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest

from orq_desktop.core import compare_reader
from orq_desktop.core.compare_reader import ColumnReader


def chunk(text: str | None) -> SimpleNamespace:
    return SimpleNamespace(choices=[SimpleNamespace(delta=SimpleNamespace(content=text))])


async def stream(texts: list[str], gap_s: float) -> AsyncIterator[SimpleNamespace]:
    """Chunks that "arrive" every ``gap_s``, as from a socket: one that has arrived is handed
    out at once, one that has not is waited for. An empty one (a role chunk) comes first."""
    yield chunk(None)
    start = time.monotonic()
    for i, text in enumerate(texts, 1):
        due = start + i * gap_s
        if (wait := due - time.monotonic()) > 0:
            await asyncio.sleep(wait)
        yield chunk(text)


def words(n: int) -> list[str]:
    return [f"w{i} " for i in range(n)]


def read(texts: list[str], gap_s: float, **kwargs) -> tuple[ColumnReader, list[str], float]:
    emitted: list[str] = []
    reader = ColumnReader(emitted.append, **kwargs)

    async def go() -> float:
        started = time.monotonic()
        await reader.read(stream(texts, gap_s), started)
        return time.monotonic() - started

    took = asyncio.run(go())
    return reader, emitted, took


def test_a_slow_stream_is_handed_on_chunk_by_chunk() -> None:
    texts = words(6)
    # 12 chunks a second: far below the pacing rate (66/s) even when a loaded machine
    # oversleeps one gap and the next chunks come in a burst.
    reader, emitted, _took = read(texts, gap_s=0.08)
    assert emitted == texts
    assert reader.text == "".join(texts) and reader.parts == texts
    assert reader.pauses == 0
    assert reader.first_token_s is not None and reader.first_token_s >= 0.08


def test_a_fast_stream_is_batched_and_its_reads_paced() -> None:
    texts = words(600)
    reader, emitted, took = read(texts, gap_s=0.001)  # "the network" gives one chunk a ms
    assert "".join(emitted) == reader.text == "".join(texts)  # nothing lost, in order
    assert reader.pauses > 0
    assert len(emitted) < len(texts) / 5  # the view is called per batch, not per chunk
    assert took < 600 * 0.001 * 3  # pacing never slows the stream down much


def test_cancelled_reader_keeps_its_text_and_flush_hands_on_the_rest() -> None:
    emitted: list[str] = []
    reader = ColumnReader(emitted.append)

    async def go() -> None:
        task = asyncio.ensure_future(reader.read(stream(words(10_000), 0.0005), time.monotonic()))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(go())
    assert reader.parts, "some text arrived before the stop"
    reader.flush()
    assert "".join(emitted) == reader.text


def test_progress_is_reported_at_most_once_per_interval() -> None:
    seen: list[tuple[float, str]] = []
    texts = words(60)
    reader, _emitted, took = read(
        texts, gap_s=0.005, progress=lambda t: seen.append((time.monotonic(), t)), progress_s=0.1
    )
    assert 1 <= len(seen) <= took / 0.1 + 1
    assert all(reader.text.startswith(text) for _at, text in seen)
    assert all(b - a >= 0.09 for (a, _x), (b, _y) in itertools.pairwise(seen))


def test_the_fast_threshold_follows_the_pace(monkeypatch) -> None:
    monkeypatch.setattr(compare_reader, "PACE_S", 0.5)  # "fast" is now more than 2 chunks/s
    reader, emitted, _took = read(words(20), gap_s=0.01)
    assert reader.pauses > 0 and "".join(emitted) == reader.text
