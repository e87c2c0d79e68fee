"""Streaming markdown into one message's ``QTextDocument`` at a cost linear in the answer.

Deltas are buffered and rendered at most every ~33 ms (slower when a render is expensive). At each
flush the finished markdown blocks are appended to the document once and only the open tail block
is re-rendered (PERF.md §6, strategy "(v) incremental block commit + tail re-render"; DESIGN.md,
"The async boundary"). ``setMarkdown(full_text)`` per token would be quadratic: 64 s of CPU for one
20 KB answer.
"""

from __future__ import annotations

import bisect
import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QTextBlockFormat, QTextCharFormat, QTextCursor, QTextDocument

from orq_desktop.ui.markdown_blocks import BlockScanner, MarkdownAppender
from orq_desktop.ui.message_lines import LineBreaker, step_end

_MOVE = QTextCursor.MoveOperation


class MarkdownStream(QObject):
    """Coalescing renderer of one streamed message into its own ``QTextDocument``.

    ``append`` only buffers; a single-shot timer renders the buffer at most every ``FLUSH_MS``,
    stretched to three times the cost of the last render (up to ``MAX_FLUSH_MS``) so that
    rendering never takes much more than a quarter of the UI thread. One flush renders at most
    about ``MARKDOWN_BUDGET`` characters of finished blocks (as plain text, ``PLAIN_BUDGET``
    characters and ``PLAIN_LINES`` lines, scaled by how long the last plain flush took against
    ``PLAIN_TARGET_MS``; in a message over ``PLAIN_TEXT_CAP``, lines longer than
    ``PLAIN_LINE_CAP`` are cut for the view); when text
    arrives faster than that, the view catches up over the next flushes instead of stalling.
    Beyond ``PLAIN_TEXT_CAP`` characters the rest of the message is appended as plain text: rich
    text layout of megabytes would stall the UI (RELIABILITY.md §0.8). With ``plain=True`` (the
    user's own messages) everything is plain text from the start, appended in the same budgeted
    steps, so that a pasted 5 MB prompt is shown without a stall too.

    Signals:
        rendered(): the document changed.
        plain_text_started(): the message passed the cap and is now appended as plain text.
    """

    rendered = Signal()
    plain_text_started = Signal()

    FLUSH_MS = 33  # ~30 renders/s is plenty for reading
    MAX_FLUSH_MS = 250
    MARKDOWN_BUDGET = 16_000  # ~15-25 ms of markdown parsing and layout on a slow machine
    PLAIN_BUDGET = 32_000  # plain text lays out about three times faster ...
    PLAIN_LINES = 300  # ... but each line costs ~20-40 µs however short it is
    PLAIN_LINE_CAP = 2_000
    PLAIN_TARGET_MS = 10.0
    PLAIN_TEXT_CAP = 200_000
    # Laying out megabytes of text stalls the UI for seconds; past this the view stops growing
    # and says so. The whole text is still kept (history, Copy, export).
    DISPLAY_CAP = 250_000
    CAPPED_NOTICE = (
        "\n\n[This message is too long to show in full here. “Show all as plain text” shows "
        "all of it, Copy copies all of it, and the history keeps all of it.]"
    )

    def __init__(
        self, document: QTextDocument, parent: QObject | None = None, *, plain: bool = False
    ) -> None:
        super().__init__(parent)
        self._doc = document
        self._always_plain = plain
        self._appender = MarkdownAppender(document)
        self._scanner = BlockScanner()
        self._pending: list[str] = []
        self._text = ""
        self._committed = 0  # characters of _text committed as finished blocks
        self._rendered = 0  # characters of _text the document shows
        self._plain = plain
        self._lines = LineBreaker(self.PLAIN_LINE_CAP)
        self._plain_scale = 1.0  # of PLAIN_BUDGET and PLAIN_LINES, fitted to PLAIN_TARGET_MS
        self._capped = False
        self._finished = False
        self.flush_count = 0
        self.last_flush_ms = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    @property
    def text(self) -> str:
        """The raw text received so far, including what is not rendered yet."""
        if self._pending:
            self._text += "".join(self._pending)
            self._pending.clear()
        return self._text

    @property
    def is_plain(self) -> bool:
        return self._plain

    @property
    def is_finished(self) -> bool:
        return self._finished

    @property
    def is_caught_up(self) -> bool:
        """True when the document shows all the text received."""
        return not self._pending and self._rendered == len(self._text)

    def append(self, delta: str) -> None:
        """Buffer a delta; it is rendered by a later flush."""
        if not delta or self._finished:
            return
        self._pending.append(delta)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Render (up to a budget of) what is buffered now."""
        self._timer.stop()
        text = self.text
        if len(text) == self._rendered:
            return
        started = time.perf_counter()
        # One edit block per flush: the document lays out and signals its changes once, at the
        # end, instead of after each removal and insertion.
        edit = QTextCursor(self._doc)
        edit.beginEditBlock()
        plain = self._plain or len(text) > self.PLAIN_TEXT_CAP
        try:
            if plain:
                self._render_plain(text)
            else:
                self._render_markdown(text)
        finally:
            edit.endEditBlock()
        self.flush_count += 1
        self.last_flush_ms = (time.perf_counter() - started) * 1000
        if plain:  # the next plain step is sized by what this one cost (layout included)
            change = min(2.0, max(0.5, self.PLAIN_TARGET_MS / max(self.last_flush_ms, 0.1)))
            self._plain_scale = min(4.0, max(0.125, self._plain_scale * change))
        interval = min(self.MAX_FLUSH_MS, max(self.FLUSH_MS, round(3 * self.last_flush_ms)))
        self._timer.setInterval(interval)
        if self._rendered < len(text):
            self._timer.start()  # behind: continue at the next flush
        self.rendered.emit()

    def finish(self, text: str | None = None) -> None:
        """Render what is left now. ``text`` replaces the streamed text when it differs.

        A backlog beyond one flush's budget keeps rendering on the timer (see ``is_caught_up``).
        """
        if text is not None and text != self.text:
            self._restart(text)
        self.flush()
        self._finished = True

    def discard(self) -> None:
        """Stop rendering for good (the message is being removed)."""
        self._timer.stop()
        self._pending.clear()
        self._finished = True

    def _restart(self, text: str) -> None:
        self._timer.stop()
        self._pending.clear()
        self._text = text
        self._committed = 0
        self._rendered = -1
        self._plain = False
        self._lines.reset()
        self._capped = False
        if self._always_plain:
            self._doc.setPlainText("")
            self._plain = True
            self._rendered = 0
        self._scanner = BlockScanner()
        self._appender.reset()

    def _render_markdown(self, text: str) -> None:
        self._scanner.scan(text)
        cuts = self._scanner.cuts
        first = bisect.bisect_right(cuts, self._committed)
        if first < len(cuts):
            # The last cut within the budget, or the first one if even that is over it.
            last = bisect.bisect_right(cuts, self._committed + self.MARKDOWN_BUDGET) - 1
            cut = cuts[max(first, last)]
            self._appender.commit(text[self._committed : cut])
            self._committed = self._rendered = cut
            if cut < cuts[-1]:
                return  # more finished blocks wait: the tail would be thrown away at once
        self._appender.set_tail(text[self._committed :])
        self._rendered = len(text)

    def _render_plain(self, text: str) -> None:
        cursor = QTextCursor(self._doc)
        if not self._plain:
            self._plain = True
            if self._appender.has_committed:
                # Keep the formatted blocks; the rest goes below them as plain text.
                self._appender.truncate()
                cursor.movePosition(_MOVE.End)
                cursor.insertBlock(QTextBlockFormat(), QTextCharFormat())
                self._rendered = self._committed
            else:
                self._doc.setPlainText("")
                self._rendered = 0
            self.plain_text_started.emit()
        if self._rendered < self.DISPLAY_CAP:
            scale = self._plain_scale
            budget = min(round(self.PLAIN_BUDGET * scale), self.DISPLAY_CAP - self._rendered)
            end = step_end(text, self._rendered, budget, round(self.PLAIN_LINES * scale))
            cursor.movePosition(_MOVE.End)
            piece = text[self._rendered : end]
            if len(text) > self.PLAIN_TEXT_CAP:  # only a large message has its lines cut
                piece = self._lines.feed(piece)
            cursor.insertText(piece, QTextCharFormat())
            self._rendered = end
        if self._rendered >= self.DISPLAY_CAP and len(text) > self.DISPLAY_CAP:
            if not self._capped:  # the view stops here and says so, once
                self._capped = True
                cursor.movePosition(_MOVE.End)
                cursor.insertText(self.CAPPED_NOTICE, QTextCharFormat())
            self._rendered = len(text)
