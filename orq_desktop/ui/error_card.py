"""An error card in the transcript: what failed, the router's own words, advice, one-click fixes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.core.chat_types import ErrorInfo
from orq_desktop.ui.message_view import plain_label
from orq_desktop.ui.route_timeline import TimelineButton

RESEND_ACTIONS = frozenset({"retry"})  # answer again at once, with nothing else to do
ROUTING_FIXES = ("retry_on_code", "add_fallback", "raise_timeout")  # change options, then resend


class ErrorCard(QFrame):
    """Shows an :class:`ErrorInfo`. Every label is plain text: the message comes from the server.

    Only the conversation's last answer can be answered again: on an older card (``set_last``
    False) "Try again" is disabled, and a routing fix only changes the options.

    Signals:
        action_triggered(str msg_id, str action_id): one of the card's fix buttons was clicked.
        trace_id_copied(str)
        timeline_requested(str): show the attempts the router made for this trace id
    """

    action_triggered = Signal(str, str)
    trace_id_copied = Signal(str)
    timeline_requested = Signal(str)

    def __init__(self, msg_id: str, error: ErrorInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.msg_id = msg_id
        self.error = error
        self.setObjectName("errorCard")
        self.setFrameShape(QFrame.Shape.Box)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)

        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        icon.setPixmap(warning.pixmap(size, size))
        self.title_label = plain_label(error.title, "errorTitle", self)
        bold = QFont(self.title_label.font())
        bold.setBold(True)
        self.title_label.setFont(bold)
        self.message_label = self._wrapped(error.message, "errorMessage")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advice_label = self._wrapped(error.advice, "errorAdvice")

        title_row = QHBoxLayout()
        title_row.setContentsMargins(0, 0, 0, 0)
        title_row.addWidget(icon)
        title_row.addWidget(self.title_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)
        layout.addLayout(title_row)
        layout.addWidget(self.message_label)
        layout.addWidget(self.advice_label)

        self.action_buttons: dict[str, QPushButton] = {}
        self._tips: dict[str, str] = {}
        self.is_last = True
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 4, 0, 0)
        for action in error.actions:
            button = QPushButton(action.label, self)
            button.setObjectName(f"errorAction_{action.action_id}")
            button.setProperty("action_id", action.action_id)
            button.clicked.connect(
                lambda _checked=False, action_id=action.action_id: self.action_triggered.emit(
                    self.msg_id, action_id
                )
            )
            self.action_buttons[action.action_id] = button
            self._tips[action.action_id] = button.toolTip()
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.copy_trace_button: QToolButton | None = None
        if error.trace_id:
            trace = plain_label(f"trace {error.trace_id}", "errorTraceId", self)
            trace.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            copy = QToolButton(self)
            copy.setObjectName("copyTraceButton")
            copy.setText("Copy trace id")
            copy.setAutoRaise(True)
            copy.clicked.connect(self._on_copy_trace_clicked)
            timeline = TimelineButton(self)
            timeline.set_trace_id(error.trace_id)
            timeline.timeline_requested.connect(self.timeline_requested)
            buttons.addWidget(trace)
            buttons.addWidget(copy)
            buttons.addWidget(timeline)
            self.copy_trace_button = copy
        layout.addLayout(buttons)

    def set_last(self, last: bool) -> None:
        """Whether this card is the conversation's last answer (only then may it resend)."""
        self.is_last = last
        for action_id, button in self.action_buttons.items():
            name = action_id.partition(":")[0]
            if name in RESEND_ACTIONS:
                button.setEnabled(last)
                tip = "Only the last answer can be answered again"
            elif name in ROUTING_FIXES:
                tip = "Changes the routing options only; send again to use them"
            else:
                continue
            button.setToolTip(self._tips[action_id] if last else tip)

    def _wrapped(self, text: str, object_name: str) -> QLabel:
        label = plain_label(text, object_name, self)
        label.setWordWrap(True)
        label.setVisible(bool(text))
        return label

    def _on_copy_trace_clicked(self) -> None:
        if self.error.trace_id:
            QGuiApplication.clipboard().setText(self.error.trace_id)
            self.trace_id_copied.emit(self.error.trace_id)
