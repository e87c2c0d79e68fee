"""The footer under an answer: who answered, how fast, how many tokens, why it stopped, trace id."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from orq_desktop.core.chat_types import AnswerInfo
from orq_desktop.ui.message_view import plain_label
from orq_desktop.ui.route_timeline import TimelineButton


def format_seconds(seconds: float) -> str:
    """A short human duration: ``0.42 s``, ``12.3 s``, ``2 min 05 s``."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def format_tokens(tokens_in: int | None, tokens_out: int | None) -> str:
    if tokens_in is None and tokens_out is None:
        return ""
    shown_in = "?" if tokens_in is None else f"{tokens_in:,}"
    shown_out = "?" if tokens_out is None else f"{tokens_out:,}"
    return f"{shown_in} in · {shown_out} out tokens"


class AnswerFooter(QWidget):
    """One line of small text under a finished answer.

    Signals:
        trace_id_copied(str): the trace id was put on the clipboard.
        timeline_requested(str): the user asked for the attempts behind this trace id.
    """

    trace_id_copied = Signal(str)
    timeline_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("answerFooter")
        self._trace_id = ""
        self.model_label = plain_label(object_name="footerModel")
        self.fallback_tag = plain_label("fallback", "fallbackTag")
        self.fallback_tag.setToolTip("A model other than the one you chose answered (fallback)")
        bold = QFont(self.fallback_tag.font())
        bold.setBold(True)
        self.fallback_tag.setFont(bold)
        self.fallback_tag.setForegroundRole(QPalette.ColorRole.Link)
        self.timing_label = plain_label(object_name="footerTiming")
        self.tokens_label = plain_label(object_name="footerTokens")
        self.finish_label = plain_label(object_name="footerFinish")
        self.trace_label = plain_label(object_name="traceId")
        self.trace_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copy_trace_button = QToolButton(self)
        self.copy_trace_button.setObjectName("copyTraceButton")
        self.copy_trace_button.setText("Copy trace id")
        self.copy_trace_button.setAutoRaise(True)
        self.copy_trace_button.clicked.connect(self._on_copy_trace_clicked)
        self.timeline_button = TimelineButton(self)
        self.timeline_button.timeline_requested.connect(self.timeline_requested)

        # Two rows, so a narrow transcript never needs a horizontal scroll bar: what answered
        # and how fast, then the trace id with its buttons.
        facts = QHBoxLayout()
        facts.setSpacing(8)
        for widget in (
            self.model_label,
            self.fallback_tag,
            self.timing_label,
            self.tokens_label,
            self.finish_label,
        ):
            facts.addWidget(widget)
        facts.addStretch(1)
        trace = QHBoxLayout()
        trace.setSpacing(8)
        trace.addWidget(self.trace_label)
        trace.addWidget(self.copy_trace_button)
        trace.addWidget(self.timeline_button)
        trace.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(facts)
        layout.addLayout(trace)
        small = QFont(self.font())
        small.setPointSizeF(max(small.pointSizeF() * 0.85, 7.0))
        self.setFont(small)
        for label in (
            self.model_label,
            self.timing_label,
            self.tokens_label,
            self.finish_label,
            self.trace_label,
        ):
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # subdued, any theme

    @property
    def trace_id(self) -> str:
        return self._trace_id

    def set_info(self, info: AnswerInfo) -> None:
        model = info.answered_model or info.primary_model
        self.model_label.setText(model)
        self.model_label.setToolTip(f"You chose {info.primary_model}")
        self.fallback_tag.setVisible(info.is_fallback)
        timing = []
        if info.ttft_s is not None:
            timing.append(f"first token {format_seconds(info.ttft_s)}")
        if info.total_s is not None:
            timing.append(f"total {format_seconds(info.total_s)}")
        self._set(self.timing_label, " · ".join(timing))
        self._set(self.tokens_label, format_tokens(info.tokens_in, info.tokens_out))
        self._set(self.finish_label, f"finish: {info.finish_reason}" if info.finish_reason else "")
        self._trace_id = info.trace_id or ""
        self._set(self.trace_label, f"trace {self._trace_id}" if self._trace_id else "")
        self.copy_trace_button.setVisible(bool(self._trace_id))
        self.timeline_button.set_trace_id(self._trace_id)

    @staticmethod
    def _set(label: QLabel, text: str) -> None:
        label.setText(text)
        label.setVisible(bool(text))

    def _on_copy_trace_clicked(self) -> None:
        if not self._trace_id:
            return
        QGuiApplication.clipboard().setText(self._trace_id)
        self.trace_id_copied.emit(self._trace_id)
