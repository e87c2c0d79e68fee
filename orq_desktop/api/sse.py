"""A pure, incremental server-sent-events decoder (WHATWG event-stream framing).

Fed raw ``bytes`` as they come off the socket; returns the events that are complete. It owns its
framing (it never relies on httpx's line splitting) and copes with everything the router's official
SDK accepts, plus what the SDK does not:

- line ends ``\\r\\n``, ``\\n`` and ``\\r``, mixed freely, even a ``\\r\\n`` split across two reads;
- a UTF-8 character split across reads (lines are decoded only once complete, and an ASCII
  line end never occurs inside a multi-byte UTF-8 sequence); invalid UTF-8 becomes U+FFFD;
- a UTF-8 byte order mark at the very start, even split across reads;
- ``:`` comment lines, ``event:``, ``id:`` and ``retry:`` fields, several ``data:`` lines joined
  with ``\\n``;
- a final event that the server did not end with a blank line (``flush()`` at end of stream).

Events without a ``data:`` field (``event: ping``) are returned with ``data=None``, as the SDK
does; callers skip them. The ``[DONE]`` sentinel is left to the caller (``SseEvent.is_done``).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["DONE", "SseDecoder", "SseEvent"]

DONE = "[DONE]"
_BOM = b"\xef\xbb\xbf"
_LINE_ENDS = (b"\n", b"\r")


class SseEvent(NamedTuple):  # a tuple: cheap to make, one per streamed chunk
    """One dispatched event. ``data`` is None when the event carried no ``data:`` line."""

    data: str | None
    event: str | None = None
    id: str | None = None
    retry: int | None = None

    @property
    def is_done(self) -> bool:
        """True for the OpenAI-style end-of-stream sentinel ``data: [DONE]``."""
        return self.data == DONE


class SseDecoder:
    """Incremental decoder: ``feed(bytes) -> [SseEvent]``, then ``flush()`` at end of stream."""

    __slots__ = (
        "_at_start",
        "_data",
        "_event",
        "_has_fields",
        "_id",
        "_pending",
        "_retry",
        "_skip_lf",
    )

    def __init__(self) -> None:
        self._pending = bytearray()  # an incomplete line (no line end seen yet)
        self._skip_lf = False  # the last read ended in "\r": a leading "\n" belongs to it
        self._at_start = True  # a BOM is only allowed as the very first bytes
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self._has_fields = False

    @property
    def pending_bytes(self) -> int:
        """Bytes held for a line that has not ended yet (to cap a newline-free stream)."""
        return len(self._pending)

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """Decode one network read; return the events it completed (maybe none)."""
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
                if not chunk:
                    return []
        if self._at_start:
            head = bytes(self._pending) + chunk
            if len(head) < len(_BOM) and _BOM.startswith(head):
                self._pending = bytearray(head)  # maybe a BOM still arriving; wait
                return []
            self._pending.clear()
            self._at_start = False
            chunk = head[len(_BOM) :] if head.startswith(_BOM) else head
            if not chunk:
                return []

        lines = chunk.splitlines(keepends=True)
        tail: bytes | None = None
        if not lines[-1].endswith(_LINE_ENDS):
            tail = lines.pop()
        elif lines[-1][-1:] == b"\r":
            self._skip_lf = True  # "\r" at the end of a read may be the first half of "\r\n"

        events: list[SseEvent] = []
        if lines and self._pending:
            lines[0] = bytes(self._pending) + lines[0]
            self._pending.clear()
        data = self._data
        for line in lines:
            line = line.rstrip(b"\r\n")
            # Fast paths for what OpenAI-style streams are made of: data lines and blank lines.
            if line[:6] == b"data: ":
                data.append(line[6:].decode("utf-8", "replace"))
                self._has_fields = True
            elif not line:
                if self._has_fields:
                    self._dispatch(events)
                    data = self._data
            else:
                self._line(line, events)
        if tail is not None:
            self._pending += tail
        return events

    def flush(self) -> list[SseEvent]:
        """End of stream: finish a last line and event that had no trailing blank line."""
        events: list[SseEvent] = []
        if self._pending:
            line = bytes(self._pending)
            self._pending.clear()
            if self._at_start and _BOM.startswith(line):
                line = b""  # only part of a BOM ever arrived
            self._line(line, events)
        self._at_start = False
        self._dispatch(events)
        return events

    def _line(self, line: bytes, events: list[SseEvent]) -> None:
        if not line:
            self._dispatch(events)
            return
        if line[:1] == b":":
            return  # a comment (keep-alive)
        colon = line.find(b":")
        if colon < 0:
            name, raw = line, b""
        else:
            name, raw = line[:colon], line[colon + 1 :]
            if raw[:1] == b" ":
                raw = raw[1:]
        value = raw.decode("utf-8", "replace")
        if name == b"data":
            self._data.append(value)
            self._has_fields = True
        elif name == b"event":
            self._event = value
            self._has_fields = True
        elif name == b"id":
            if "\0" not in value:
                self._id = value
                self._has_fields = True
        elif name == b"retry":
            self._retry = int(value) if value.isascii() and value.isdigit() else None
            self._has_fields = True
        # any other field name is ignored, as the specification says

    def _dispatch(self, events: list[SseEvent]) -> None:
        if not self._has_fields:
            return
        parts = self._data
        data = (parts[0] if len(parts) == 1 else "\n".join(parts)) if parts else None
        events.append(SseEvent(data, self._event, self._id, self._retry))
        self._data = []
        self._event = None
        self._id = None
        self._retry = None
        self._has_fields = False
