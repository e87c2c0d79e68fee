"""The small chart under the compare columns: time to first token, total time, output tokens.

One row per column (its colour swatch, number and model), and one group of horizontal bars per
measure, each scaled to the largest value of that measure. Painted with ``QPainter`` in colours
taken from the palette, so it reads in light and dark themes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from orq_desktop.core.compare_types import ColumnResult
from orq_desktop.ui.answer_footer import format_seconds
from orq_desktop.ui.layout import em, line_height, spacing, vbox

HUE_STEP = 47  # degrees between neighbouring columns' hues: six stay far apart


def series_colors(palette: QPalette, count: int) -> list[QColor]:
    """``count`` distinct colours that start from the palette's highlight hue.

    Lighter on a dark base and darker on a light one, so bars keep their contrast in both.
    """
    base = palette.color(QPalette.ColorRole.Highlight)
    hue = base.hsvHue() if base.hsvHue() >= 0 else 210
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    saturation, value = (150, 235) if dark else (190, 185)
    return [QColor.fromHsv((hue + i * HUE_STEP) % 360, saturation, value) for i in range(count)]


@dataclass(frozen=True, slots=True)
class ChartRow:
    """One column's numbers; None where there is nothing to show (yet)."""

    label: str
    ttft_s: float | None = None
    total_s: float | None = None
    tokens_out: int | None = None
    note: str = ""  # shown instead of a missing value: "failed", "waiting", "stopped"


def chart_row(label: str, result: ColumnResult | None, busy: bool) -> ChartRow:
    """A column's row: its numbers once it ended, else what it is doing."""
    if result is None:
        return ChartRow(label, note="streaming" if busy else "—")
    info = result.info
    note = "failed" if result.error is not None else result.state.value
    return ChartRow(label, info.ttft_s, info.total_s, info.tokens_out, note)


@dataclass(frozen=True, slots=True)
class Measure:
    title: str
    value: Callable[[ChartRow], float | None]
    text: Callable[[float], str]


MEASURES = (
    Measure("Time to first token", lambda r: r.ttft_s, format_seconds),
    Measure("Total time", lambda r: r.total_s, format_seconds),
    Measure("Output tokens", lambda r: r.tokens_out, "{:,.0f}".format),
)


def titled(title: str, chart: QWidget) -> QWidget:
    """``chart`` under a bold title, kept at the top of whatever height it is given."""
    host = QWidget()
    label = QLabel(title, host)
    font = QFont(label.font())
    font.setBold(True)
    label.setFont(font)
    host.setLayout(vbox(0, spacing(host) // 2, label, chart, None))
    return host


class CompareChart(QWidget):
    """Grouped horizontal bars: a row per column, a group per measure."""

    LABEL_EMS = (6, 16)  # the row labels' width: as wide as the longest, within these

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareChart")
        self.setAccessibleName("Comparison chart")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._rows: list[ChartRow] = []
        self._update_text()

    # -- data ---------------------------------------------------------------------------------

    def rows(self) -> list[ChartRow]:
        return list(self._rows)

    def set_rows(self, rows: Sequence[ChartRow]) -> None:
        rows = list(rows)
        if rows == self._rows:
            return
        resized = len(rows) != len(self._rows)
        self._rows = rows
        self._update_text()
        if resized:
            self.updateGeometry()
        self.update()

    def maxima(self) -> list[float]:
        """The largest value of each measure (0 when none has a value)."""
        return [max((m.value(r) or 0.0 for r in self._rows), default=0.0) for m in MEASURES]

    def text(self) -> str:
        """The chart in words (its accessible description and tooltip)."""
        lines = []
        for row in self._rows:
            parts = []
            for measure in MEASURES:
                value = measure.value(row)
                shown = measure.text(value) if value is not None else (row.note or "—")
                parts.append(f"{measure.title.lower()} {shown}")
            lines.append(f"{row.label}: " + ", ".join(parts))
        return "\n".join(lines)

    # -- Qt overrides -------------------------------------------------------------------------

    def sizeHint(self) -> QSize:
        return QSize(em(self, 60), self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(em(self, 36), self._height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._paint(painter)
        finally:
            painter.end()

    # -- internals ----------------------------------------------------------------------------

    def _row_height(self) -> int:
        return line_height(self, 1.35)

    def _height(self) -> int:
        return (max(len(self._rows), 2) + 1) * self._row_height() + 2 * spacing(self)

    def _update_text(self) -> None:
        text = self.text()
        self.setAccessibleDescription(text)
        self.setToolTip(text)

    def _paint(self, painter: QPainter) -> None:
        palette = self.palette()
        gap = spacing(self)
        row_h = self._row_height()
        metrics = QFontMetrics(self.font())
        text_color = palette.color(QPalette.ColorRole.Text)
        quiet = palette.color(QPalette.ColorRole.PlaceholderText)
        track = QColor(palette.color(QPalette.ColorRole.Mid))
        track.setAlpha(60)
        colors = series_colors(palette, len(self._rows))
        widest = max((metrics.horizontalAdvance(r.label) for r in self._rows), default=0)
        low, high = (em(self, n) for n in self.LABEL_EMS)
        label_w = min(high, max(low, widest + round(row_h * 0.55) + gap))
        left = gap + label_w + gap
        group_w = max(1.0, (self.width() - left - gap) / len(MEASURES))
        value_w = metrics.horizontalAdvance("00.00 s ") + gap
        bold = QFont(self.font())
        bold.setBold(True)
        maxima = self.maxima()
        flags = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft

        painter.setFont(bold)
        painter.setPen(text_color)
        for g, measure in enumerate(MEASURES):
            title = QRectF(left + g * group_w, gap, group_w - gap, row_h)
            shown = QFontMetrics(bold).elidedText(
                measure.title, Qt.TextElideMode.ElideRight, int(title.width())
            )
            painter.drawText(title, flags, shown)
        painter.setFont(self.font())
        bar_h = max(4.0, row_h * 0.55)
        for i, row in enumerate(self._rows):
            top = gap + (i + 1) * row_h
            swatch = QRectF(gap, top + (row_h - bar_h) / 2, bar_h, bar_h)
            painter.fillRect(swatch, colors[i])
            painter.setPen(text_color)
            label = QRectF(swatch.right() + gap / 2, top, label_w - bar_h - gap / 2, row_h)
            shown = metrics.elidedText(row.label, Qt.TextElideMode.ElideMiddle, int(label.width()))
            painter.drawText(label, flags, shown)
            for g, measure in enumerate(MEASURES):
                x = left + g * group_w
                room = max(1.0, group_w - gap - value_w)
                bar = QRectF(x, top + (row_h - bar_h) / 2, room, bar_h)
                painter.fillRect(bar, track)
                value = measure.value(row)
                if value is None:
                    painter.setPen(quiet)
                    painter.drawText(QRectF(x + gap / 2, top, room, row_h), flags, row.note or "—")
                    continue
                width = room * (value / maxima[g]) if maxima[g] > 0 else 0.0
                painter.fillRect(QRectF(bar.left(), bar.top(), max(width, 1.0), bar_h), colors[i])
                painter.setPen(text_color)
                painter.drawText(
                    QRectF(bar.left() + room + gap / 2, top, value_w, row_h),
                    flags,
                    measure.text(value),
                )
