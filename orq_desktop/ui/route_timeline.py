"""The attempt timeline of one answer: every call the router made, as bars on a time axis.

The data is the simulator's trace (``core.trace_fetcher.TraceFetcher``); against the real router
the dialog says where to find the trace instead and shows its id.

    dialog = open_timeline(window, lambda p: TraceFetcher(connection, p), trace_id)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.api.traces import TraceError, TraceRecord, parse_trace
from orq_desktop.ui.layout import em, error_colour, is_dark, line_height, spacing
from orq_desktop.ui.widgets_inline import InlineMessage


class FetcherLike(Protocol):
    """What the dialog needs of ``core.trace_fetcher.TraceFetcher`` (not imported: it brings
    the HTTP client with it, which widgets never import)."""

    trace_ready: Any
    trace_failed: Any

    def fetch(self, trace_id: str) -> None: ...
    def cancel(self) -> None: ...


FetcherFactory = Callable[[QObject], FetcherLike]
"""Makes a fetcher owned by ``parent``: ``lambda parent: TraceFetcher(connection, parent)``."""

OUTCOME_WORDS = {
    "answered": "answered",
    "failed": "failed",
    "timeout": "timed out",
    "cache_hit": "from the cache",
}


def outcome_colour(outcome: str, palette: QPalette) -> QColor:
    """Green answered, red failed, orange timed out, the highlight for a cache hit."""
    dark = is_dark(palette)
    if outcome == "answered":
        return QColor("#66bb6a") if dark else QColor("#2e7d32")
    if outcome == "timeout":
        return QColor("#ffb74d") if dark else QColor("#e65100")
    if outcome == "cache_hit":
        return palette.color(QPalette.ColorRole.Highlight)
    return error_colour(palette)


def format_ms(ms: float) -> str:
    """ "0.4 ms", "12 ms", "1.25 s", "2 min 5 s"."""
    if ms < 10:
        return f"{ms:.1f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.2f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds} s"


def nice_step(span: float, ticks: int = 4) -> float:
    """A round tick interval (1, 2 or 5 times a power of ten) giving closest to ``ticks`` ticks."""
    if span <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(span / ticks))
    candidates = [m * power for m in (1, 2, 5, 10)]
    return min(candidates, key=lambda step: abs(span / step - ticks))


def attempt_label(record: TraceRecord, index: int, *, short: bool = False) -> str:
    """ "429 · 2.1 ms · failed" (short: "429 · 2.1 ms")."""
    attempt = record.attempts[index]
    if attempt.status is None:
        status = "timed out" if short else "no answer"
    else:
        status = str(attempt.status)
    if short:
        return f"{status} · {format_ms(attempt.duration_ms)}"
    words = OUTCOME_WORDS.get(attempt.outcome, attempt.outcome)
    return f"{status} · {format_ms(attempt.duration_ms)} · {words}"


class TimelineChart(QWidget):
    """One row per attempt: the model on the left, a bar from its start to its end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineChart")
        self._record: TraceRecord | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def record(self) -> TraceRecord | None:
        return self._record

    def set_record(self, record: TraceRecord | None) -> None:
        self._record = record
        self.setFixedHeight(self._height())
        self.update()

    def _row(self) -> float:
        return line_height(self) * 1.8

    def _height(self) -> int:
        rows = len(self._record.attempts) if self._record else 0
        return int(rows * self._row() + line_height(self) * 2.2) if rows else 0

    def sizeHint(self) -> QSize:
        return QSize(em(self, 46), self._height())

    def _label_width(self) -> int:
        return em(self, 13)

    def paintEvent(self, _event: QPaintEvent) -> None:
        record = self._record
        if record is None or not record.attempts:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        quiet = palette.color(QPalette.ColorRole.PlaceholderText)
        text = palette.color(QPalette.ColorRole.Text)
        row = self._row()
        left = self._label_width() + em(self, 1)
        right = self.width() - em(self, 3)  # room for the last tick's label
        span = max(record.total_ms, 0.001)
        step = nice_step(span)
        end = math.ceil(span / step) * step
        scale = (right - left) / end
        answered = record.answering_attempt()
        bold = QFont(self.font())
        bold.setBold(True)
        axis_y = len(record.attempts) * row + line_height(self) * 0.4

        # The time axis: ticks and their labels under the rows, faint lines across them.
        painter.setPen(QPen(quiet, 1))
        painter.drawLine(int(left), int(axis_y), int(right), int(axis_y))
        tick = 0.0
        while tick <= end + step / 2:
            x = left + tick * scale
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Midlight), 1, Qt.PenStyle.DotLine))
            painter.drawLine(int(x), 0, int(x), int(axis_y))
            painter.setPen(quiet)
            painter.drawText(
                QRectF(x - em(self, 3), axis_y + 2, em(self, 6), line_height(self)),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                format_ms(tick),
            )
            tick += step

        for index, attempt in enumerate(record.attempts):
            top = index * row
            painter.setFont(bold if index == answered else self.font())
            painter.setPen(text)
            name = f"{index + 1}. {attempt.model}"
            painter.drawText(
                QRectF(0, top, self._label_width(), row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                painter.fontMetrics().elidedText(
                    name, Qt.TextElideMode.ElideMiddle, self._label_width()
                ),
            )
            painter.setFont(self.font())
            x0 = left + attempt.started_ms * scale
            width = max(attempt.duration_ms * scale, 3.0)
            bar = QRectF(x0, top + row * 0.22, width, row * 0.56)
            colour = outcome_colour(attempt.outcome, palette)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(bar, 3, 3)
            tick_mark = "  ✓" if index == answered else ""
            full = attempt_label(record, index) + tick_mark
            short = attempt_label(record, index, short=True) + tick_mark
            painter.setPen(text)
            self._paint_bar_label(painter, bar, left, (full, short), row, top, colour)
        painter.end()

    def _paint_bar_label(
        self,
        painter: QPainter,
        bar: QRectF,
        left: float,
        labels: tuple[str, str],
        row: float,
        top: float,
        colour: QColor,
    ) -> None:
        """After the bar, else before it, else (shortened) over it in a colour that reads."""
        metrics = painter.fontMetrics()
        margin = em(self, 0.5)
        for label in labels:
            width = metrics.horizontalAdvance(label)
            if bar.right() + margin + width <= self.width():
                where = bar.right() + margin
            elif bar.left() - margin - width >= left:
                where = bar.left() - margin - width
            else:
                continue
            painter.drawText(
                QRectF(where, top, width + 2, row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            return
        painter.setPen(QColor("black") if colour.lightnessF() > 0.6 else QColor("white"))
        room = int(bar.width() - 2 * margin)
        painter.drawText(
            QRectF(bar.left() + margin, top, max(room, 0), row),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(labels[1], Qt.TextElideMode.ElideRight, max(room, 0)),
        )


class TraceTimelineDialog(QDialog):
    """The attempts behind one answer: a chart, then a table with each attempt's reason."""

    def __init__(self, trace_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("traceTimeline")
        self.setWindowTitle("Attempt timeline")
        self.trace_id = trace_id
        self.fetcher: FetcherLike | None = None  # set by open_timeline
        self._record: TraceRecord | None = None
        gap = spacing(self)
        self.heading = QLabel(self)
        self.heading.setObjectName("timelineHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.heading.font())
        font.setBold(True)
        self.heading.setFont(font)
        self.trace_label = QLabel(f"Trace id: {trace_id}", self)
        self.trace_label.setObjectName("timelineTraceId")
        self.trace_label.setTextFormat(Qt.TextFormat.PlainText)
        self.trace_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = InlineMessage(self)
        self.problem.setObjectName("timelineProblem")
        self.chart = TimelineChart(self)
        self.table = QTreeWidget(self)
        self.table.setObjectName("timelineTable")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(["#", "Model", "Status", "Start", "Time", "What happened"])
        self.table.header().setStretchLastSection(True)
        self.table.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumHeight(line_height(self, 6))
        self.copy_button = QPushButton("Copy trace id", self)
        self.copy_button.setObjectName("timelineCopyId")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self._on_copy_clicked)
        layout = QVBoxLayout(self)
        layout.setSpacing(gap)
        for widget in (self.heading, self.trace_label, self.problem, self.chart, self.table):
            layout.addWidget(widget)
        layout.addWidget(buttons)
        self.resize(em(self, 56), line_height(self, 24))
        self.show_loading()

    def record(self) -> TraceRecord | None:
        return self._record

    def show_loading(self) -> None:
        self.heading.setText("Loading the attempts…")
        self.problem.set_text(None)
        self.chart.set_record(None)
        self.table.clear()
        self.table.setVisible(False)

    def set_failed(self, message: str) -> None:
        """No timeline: say why (the message names the trace id where that helps)."""
        self.heading.setText("No attempt timeline for this answer")
        self.problem.set_text(message)
        self.chart.set_record(None)
        self.table.setVisible(False)

    def set_trace(self, trace: dict[str, Any]) -> None:
        """Show a trace as the simulator sends it (see ``api.traces``)."""
        try:
            record = parse_trace(trace)
        except TraceError as exc:
            self.set_failed(str(exc))
            return
        if record.trace_id and record.trace_id != self.trace_id:
            return  # another answer's trace
        self._record = record
        answered = record.answering_attempt()
        count = len(record.attempts)
        noun = f"{count} attempt{'s' if count != 1 else ''}"
        if answered is None:
            heading = f"{noun} in {format_ms(record.total_ms)}; none answered"
        else:
            who = record.attempts[answered].model
            heading = f"{noun} in {format_ms(record.total_ms)}; {who} answered"
            if record.attempts[answered].outcome == "cache_hit":
                heading += " (from the cache)"
        self.heading.setText(heading + ".")
        self.problem.set_text(None)
        self.chart.set_record(record)
        self.table.clear()
        for index, attempt in enumerate(record.attempts):
            item = QTreeWidgetItem(
                [
                    str(index + 1),
                    attempt.model,
                    "—" if attempt.status is None else str(attempt.status),
                    format_ms(attempt.started_ms),
                    format_ms(attempt.duration_ms),
                    f"{OUTCOME_WORDS.get(attempt.outcome, attempt.outcome)}: {attempt.reason}",
                ]
            )
            item.setForeground(2, outcome_colour(attempt.outcome, self.palette()))
            item.setToolTip(5, item.text(5))  # long reasons are elided in the column
            if index == answered:
                font = QFont(item.font(1))
                font.setBold(True)
                for column in range(6):
                    item.setFont(column, font)
            self.table.addTopLevelItem(item)
        self.table.setVisible(True)

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.trace_id)


class TimelineButton(QToolButton):
    """A "Timeline" button for an answer's footer; hidden until the answer has a trace id.

    Signals:
        timeline_requested(trace_id)
    """

    timeline_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineButton")
        self.setText("Timeline")
        self.setAutoRaise(True)
        self.setToolTip("Show every attempt the router made for this answer")
        self._trace_id = ""
        self.setVisible(False)
        self.clicked.connect(self._on_clicked)

    def set_trace_id(self, trace_id: str | None) -> None:
        self._trace_id = trace_id or ""
        self.setVisible(bool(self._trace_id))

    def _on_clicked(self) -> None:
        if self._trace_id:
            self.timeline_requested.emit(self._trace_id)


def open_timeline(
    parent: QWidget, new_fetcher: FetcherFactory, trace_id: str
) -> TraceTimelineDialog:
    """Open the timeline of ``trace_id`` (non-modal, deleted on close) and fetch its trace.

    Each dialog has its own fetcher, so two open timelines never receive each other's trace;
    closing the dialog cancels a fetch still running.
    """
    dialog = TraceTimelineDialog(trace_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    fetcher = new_fetcher(dialog)
    fetcher.trace_ready.connect(dialog.set_trace)
    fetcher.trace_failed.connect(dialog.set_failed)
    dialog.finished.connect(fetcher.cancel)
    dialog.fetcher = fetcher
    dialog.show()  # not modal: the conversation stays usable beside it
    fetcher.fetch(trace_id)
    return dialog
