"""How a history row is painted: a thread (title, date, tags, preview) or a search hit (thread,
date, and the matching text with the matches in bold).

Text from the history is painted as plain text with ``QTextLayout``; the bold spans come from
the hit's ``highlights`` offsets, never from markup, so nothing in a message (``<b>``, ``&amp;``,
a link) is ever interpreted.
"""

from __future__ import annotations

import re
import time
from typing import Any

from PySide6.QtCore import QModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1  # the ThreadSummary or SearchHit of a row
SNIPPET_LINES = 2
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_MARKUP = re.compile(r"(?:^|(?<=\s))[#>*_`~-]+|[*_`~]+(?=\s|$)")


def short_date(ts: float, now: float | None = None) -> str:
    """ "14:03" today, "Mon" this week, "12 Mar" this year, else "12 Mar 2023"."""
    now = time.time() if now is None else now
    when, today = time.localtime(ts), time.localtime(now)
    if when[:3] == today[:3]:
        return time.strftime("%H:%M", when)
    if 0 <= now - ts < 6 * 86400:
        return time.strftime("%a", when)
    if when.tm_year == today.tm_year:
        return f"{when.tm_mday} {time.strftime('%b', when)}"
    return f"{when.tm_mday} {time.strftime('%b %Y', when)}"


def one_line(text: str) -> str:
    """Control characters (newlines included) become spaces; offsets stay the same."""
    return _CONTROLS.sub(" ", text)


def plain_preview(text: str) -> str:
    """A preview without the markdown marks an answer starts with (``## ``, ``**``, ``>``)."""
    return " ".join(_MARKUP.sub("", one_line(text)).split())


def utf16_offsets(text: str) -> list[int]:
    """Qt counts UTF-16 code units: ``offsets[i]`` is where Python's ``text[i]`` starts."""
    out = [0] * (len(text) + 1)
    pos = 0
    for i, ch in enumerate(text):
        out[i] = pos
        pos += 2 if ord(ch) > 0xFFFF else 1
    out[len(text)] = pos
    return out


def bold_ranges(text: str, spans: tuple[tuple[int, int], ...]) -> list[QTextLayout.FormatRange]:
    """Format ranges (UTF-16 positions) making the ``spans`` of ``text`` bold."""
    offsets = utf16_offsets(text)
    bold = QTextCharFormat()
    bold.setFontWeight(QFont.Weight.Bold)
    ranges = []
    for start, end in spans:
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        if end <= start:
            continue
        r = QTextLayout.FormatRange()
        r.start, r.length, r.format = offsets[start], offsets[end] - offsets[start], bold
        ranges.append(r)
    return ranges


class _Fonts:
    """The fonts and metrics a row uses, made once per list font (painting is per row)."""

    def __init__(self, base: QFont) -> None:
        self.base = QFont(base)  # a copy: the option that lent it is gone after the paint
        self.fm = QFontMetrics(self.base)
        self.bold = QFont(base)
        self.bold.setWeight(QFont.Weight.DemiBold)
        self.bold_fm = QFontMetrics(self.bold)
        self.small = QFont(base)
        self.small.setPointSizeF(max(1.0, base.pointSizeF() * 0.9))
        self.small_fm = QFontMetrics(self.small)
        self.line = self.fm.lineSpacing()
        self.pad = max(3, self.line // 4)


class HistoryDelegate(QStyledItemDelegate):
    """Paints the rows of the history list (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.now: float | None = None  # tests pin the clock
        self._fonts: dict[str, _Fonts] = {}

    def fonts(self, font: QFont) -> _Fonts:
        key = font.key()
        found = self._fonts.get(key)
        if found is None:
            found = self._fonts[key] = _Fonts(font)
        return found

    # -- Qt overrides ---------------------------------------------------------------------

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        f = self.fonts(option.font)
        lines = 1 + (SNIPPET_LINES if _is_hit(index.data(RECORD_ROLE)) else 1)
        return QSize(f.fm.averageCharWidth() * 20, lines * f.line + 4 * f.pad)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        record = index.data(RECORD_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        painter.save()
        try:
            if style is not None:
                style.drawPrimitive(
                    QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget
                )
            selected = bool(opt.state & QStyle.StateFlag.State_Selected)
            group = (
                QPalette.ColorGroup.Normal
                if opt.state & QStyle.StateFlag.State_Enabled
                else QPalette.ColorGroup.Disabled
            )
            text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            color = opt.palette.color(group, text_role)
            muted = opt.palette.color(
                group, text_role if selected else QPalette.ColorRole.PlaceholderText
            )
            if _is_hit(record):
                self._paint_hit(painter, opt, record, color, muted)
            elif record is not None:
                self._paint_thread(painter, opt, record, color, muted)
            if not selected:  # a hairline between rows
                painter.setPen(opt.palette.color(QPalette.ColorRole.Midlight))
                r = opt.rect
                painter.drawLine(r.left() + r.height() // 8, r.bottom(), r.right(), r.bottom())
        finally:
            painter.restore()

    # -- rows -----------------------------------------------------------------------------

    def _frame(self, opt: QStyleOptionViewItem) -> tuple[QRect, _Fonts]:
        f = self.fonts(opt.font)
        pad = f.pad
        return opt.rect.adjusted(pad * 2, pad * 2 - 1, -pad * 2, -pad * 2), f

    def _date(self, painter: QPainter, opt: QStyleOptionViewItem, ts: float, muted: Any) -> int:
        """Draws the date at the top right; returns its width (with a gap)."""
        inner, f = self._frame(opt)
        painter.setFont(f.small)
        painter.setPen(muted)
        text = short_date(ts, self.now)
        top = QRect(inner.left(), inner.top(), inner.width(), f.line)
        painter.drawText(top, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        return f.small_fm.horizontalAdvance(text) + 2 * f.pad

    def _paint_thread(
        self, painter: QPainter, opt: QStyleOptionViewItem, t: Any, color: Any, muted: Any
    ) -> None:
        inner, f = self._frame(opt)
        fm, line = f.fm, f.line
        date_w = self._date(painter, opt, t.updated_at, muted)
        title_rect = QRect(inner.left(), inner.top(), inner.width() - date_w, line)
        painter.setFont(f.bold)
        painter.setPen(color)
        title = one_line(t.title) or "Untitled"
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            f.bold_fm.elidedText(title, Qt.TextElideMode.ElideRight, title_rect.width()),
        )
        second = QRect(inner.left(), inner.top() + line, inner.width(), line)
        painter.setFont(f.base)
        x = second.left()
        if t.tags:
            tags = "  ".join(f"#{tag}" for tag in t.tags)
            tags = fm.elidedText(tags, Qt.TextElideMode.ElideRight, second.width() // 2)
            painter.setPen(opt.palette.color(QPalette.ColorRole.Link) if not _sel(opt) else color)
            painter.drawText(
                second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, tags
            )
            x += fm.horizontalAdvance(tags) + fm.averageCharWidth() * 2
        rest = QRect(x, second.top(), second.right() - x, line)
        painter.setPen(muted)
        preview = plain_preview(t.preview) or f"{t.message_count} messages"
        if t.kind == "compare":
            preview = f"Compare · {preview}"
        painter.drawText(
            rest,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(preview, Qt.TextElideMode.ElideRight, max(0, rest.width())),
        )

    def _paint_hit(
        self, painter: QPainter, opt: QStyleOptionViewItem, hit: Any, color: Any, muted: Any
    ) -> None:
        inner, f = self._frame(opt)
        fm, line = f.fm, f.line
        date_w = self._date(painter, opt, hit.created_at, muted)
        head = QRect(inner.left(), inner.top(), inner.width() - date_w, line)
        painter.setFont(opt.font)
        painter.setPen(muted)
        where = hit_heading(hit)
        painter.drawText(
            head,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            fm.elidedText(where, Qt.TextElideMode.ElideRight, head.width()),
        )
        painter.setPen(color)
        self.draw_snippet(
            painter,
            opt.font,
            one_line(hit.snippet),
            hit.highlights,
            QRect(inner.left(), inner.top() + line, inner.width(), line * SNIPPET_LINES),
        )

    @staticmethod
    def draw_snippet(
        painter: QPainter,
        font: QFont,
        text: str,
        spans: tuple[tuple[int, int], ...],
        rect: QRect,
    ) -> QTextLayout:
        """Lay ``text`` out in ``rect`` (at most ``SNIPPET_LINES``), the spans in bold."""
        layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        layout.setFormats(bold_ranges(text, spans))
        layout.beginLayout()
        y = 0.0
        for _ in range(SNIPPET_LINES):
            tl = layout.createLine()
            if not tl.isValid():
                break
            tl.setLineWidth(rect.width())
            tl.setPosition(QPointF(0, y))
            y += tl.height()
        layout.endLayout()
        painter.save()
        painter.setClipRect(rect)
        layout.draw(painter, QPointF(rect.topLeft()))
        painter.restore()
        return layout


def hit_heading(hit: Any) -> str:
    """Where a hit is: "You · <thread>", "Answer · <thread>", "Image · <model>"."""
    if hit.kind == "image":
        return f"Image · {hit.model}" if hit.model else "Image"
    who = {"user": "You", "assistant": "Answer", "system": "System prompt"}.get(hit.role, "")
    title = one_line(hit.thread_title) or "Untitled"
    return f"{who} · {title}" if who else title


def _is_hit(record: object) -> bool:
    return record is not None and hasattr(record, "highlights")


def _sel(opt: QStyleOptionViewItem) -> bool:
    return bool(opt.state & QStyle.StateFlag.State_Selected)
