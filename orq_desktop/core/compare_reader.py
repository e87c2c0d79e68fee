"""Reading one compare column's stream: its text, and its deltas handed on in small batches.

Six columns at 1,000 tokens/s are 6,000 chunks a second on the one UI thread. Read one by one,
nearly every chunk costs a socket read of its own (the HTTP stack, a timeout rescheduled on the
Qt loop, the SSE decoder) plus a signal and the view's slots: about 175 µs a chunk, more than the
whole thread (benchmarks/compare.py, measured). So, only while a column streams faster than
about one chunk per ``PACE_S``:

- after a read that had to wait for the network, the column sleeps ``PACE_S`` so that the next
  read takes the chunks that arrived meanwhile in one go (tens of them instead of one or two);
- deltas are joined and emitted at most every ``EMIT_S`` (and before every pause), so the view
  is called once per batch instead of once per chunk.

A slow stream (a few chunks a second) is read and emitted chunk by chunk, as the chat does. The
renderer shows text at most every ~33 ms anyway, so the batching is never visible.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orq_desktop.api.responses import ChatCompletionChunk

PACE_S = 0.015  # under load, let a column's data gather this long between reads
WAITED_S = 0.0005  # a chunk that took longer than this to come had to wait for the network
EMIT_S = 0.010  # under load, deltas are handed on at most this often


class ColumnReader:
    """Reads a stream of chunks into ``parts``; ``emit(text)`` gets the deltas, in order.

    ``progress(text)`` (optional) gets the whole text so far at most every ``progress_s``.
    """

    def __init__(
        self,
        emit: Callable[[str], None],
        *,
        progress: Callable[[str], None] | None = None,
        progress_s: float = 1.0,
    ) -> None:
        self.parts: list[str] = []
        self.first_token_s: float | None = None  # seconds from ``started`` to the first text
        self.reads_waited = 0  # chunks that had to wait for the network (for benchmarks)
        self.pauses = 0
        self._emit = emit
        self._progress = progress
        self._progress_s = progress_s
        self._pending: list[str] = []
        self._chunks = 0
        self._first_at = 0.0  # monotonic time of the first text

    @property
    def text(self) -> str:
        return "".join(self.parts)

    async def read(self, stream: AsyncIterator[ChatCompletionChunk], started: float) -> None:
        """Read ``stream`` to its end. ``started`` is when the request began (``monotonic``).

        A cancellation or an error leaves ``parts`` as they are: call :meth:`flush` to hand on
        what was not emitted yet.
        """
        emitted_at = time.monotonic()
        progress_at = emitted_at + self._progress_s
        while True:
            before = time.monotonic()
            try:
                chunk = await anext(stream)
            except StopAsyncIteration:
                break
            now = time.monotonic()
            waited = now - before > WAITED_S
            self.reads_waited += waited
            for choice in chunk.choices:
                text = getattr(choice.delta, "content", None)
                if text:
                    if self.first_token_s is None:
                        self.first_token_s = now - started
                        self._first_at = now
                    self.parts.append(text)
                    self._pending.append(text)
                    self._chunks += 1
            fast = self._is_fast(now)
            if self._pending and (waited or not fast or now - emitted_at >= EMIT_S):
                self.flush()
                emitted_at = now
            if self._progress is not None and now >= progress_at:
                progress_at = now + self._progress_s
                self._progress(self.text)
            if waited and fast:
                self.pauses += 1
                await asyncio.sleep(PACE_S)
        self.flush()

    def flush(self) -> None:
        """Emit the text read but not handed on yet."""
        if self._pending:
            text = "".join(self._pending)
            self._pending.clear()
            self._emit(text)

    def _is_fast(self, now: float) -> bool:
        """More than one chunk per ``PACE_S`` since the first text came."""
        streaming = now - self._first_at
        return self._chunks >= 2 and streaming > 0 and self._chunks / streaming > 1 / PACE_S
