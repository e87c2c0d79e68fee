"""Plain text appended in steps that lay out in bounded time.

Laying out plain text costs about the same per line (~20-40 µs a block, however short) plus per
character, so a step is bounded in both (:func:`step_end`). One line of megabytes (a minified
file, a base64 blob) would be laid out again in full at every step, which is quadratic:
:class:`LineBreaker` cuts such lines for the view only (the message's text is left as it is).
"""

from __future__ import annotations


def step_end(text: str, start: int, max_chars: int, max_lines: int) -> int:
    """Where a step that starts at ``start`` ends: at most that many characters and lines."""
    end = min(len(text), start + max_chars)
    pos = start
    for _ in range(max_lines):
        pos = text.find("\n", pos, end)
        if pos < 0:
            return end
        pos += 1
    return pos


class LineBreaker:
    """Cuts text appended piece by piece into lines of at most ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open = 0  # characters on the last line so far

    def reset(self) -> None:
        self._open = 0

    def feed(self, piece: str) -> str:
        """``piece`` with a line break put into every line that would pass the limit."""
        if "\n" not in piece and self._open + len(piece) <= self.limit:
            self._open += len(piece)
            return piece
        out: list[str] = []
        for i, line in enumerate(piece.split("\n")):
            if i:
                out.append("\n")
                self._open = 0
            while self._open + len(line) > self.limit:
                room = self.limit - self._open
                out += (line[:room], "\n")
                line = line[room:]
                self._open = 0
            out.append(line)
            self._open += len(line)
        return "".join(out)
