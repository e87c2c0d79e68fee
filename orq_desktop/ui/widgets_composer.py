"""The composer under the transcript: the prompt box, Send and Stop, the busy timer."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton, QSizePolicy, QWidget

from orq_desktop.ui.layout import em, hbox, line_height, spacing, vbox
from orq_desktop.ui.widgets_inline import InlineMessage
from orq_desktop.ui.widgets_labels import QuietLabel

IDLE_HINT = "Ctrl+Enter sends · Enter starts a new line"


class Composer(QWidget):
    """The prompt box and its buttons; the chat panel decides what they do.

    Signals:
        cancel_edit_clicked(): the user left "editing an earlier message" mode.
    """

    cancel_edit_clicked = Signal()
    TICK_MS = 500

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        gap = spacing(self)
        self.prompt = QPlainTextEdit(self)
        self.prompt.setObjectName("promptInput")
        self.prompt.setAccessibleName("Prompt")
        self.prompt.setPlaceholderText("Ask something…")
        self.prompt.setTabChangesFocus(True)  # Tab moves on, so the keyboard never gets stuck
        self.prompt.setMinimumHeight(line_height(self.prompt, 3) + 2 * gap)

        self._edit_label = QuietLabel(
            "Editing an earlier message: sending replaces it and everything after it.", self
        )
        self._cancel_edit = QPushButton("Cancel edit", self)
        self._cancel_edit.setObjectName("cancelEditButton")
        self._cancel_edit.clicked.connect(self.cancel_edit_clicked)
        self._edit_bar = QWidget(self)
        self._edit_bar.setLayout(hbox(0, gap, self._edit_label, self._cancel_edit))
        self._edit_bar.setVisible(False)

        self.notice = InlineMessage(self)
        self.secret_notice = InlineMessage(self)  # "this looks like an API key" warnings
        self.secret_notice.setObjectName("secretWarning")
        self._hint = QuietLabel(IDLE_HINT, self)
        self._hint.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._busy = QLabel(self)
        self._busy.setObjectName("busyLabel")
        self._busy.setTextFormat(Qt.TextFormat.PlainText)
        self._busy.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._busy.setVisible(False)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setObjectName("stopButton")
        self.stop_button.setToolTip("Stop the answer; the text so far is kept (Esc)")
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.setDefault(False)  # Enter belongs to the prompt box (a new line)
        for button in (self.stop_button, self.send_button):
            button.setMinimumWidth(em(self, 6))
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.stop_button.setEnabled(False)

        self.setLayout(
            vbox(
                0,
                gap // 2,
                self._edit_bar,
                self.prompt,
                self.secret_notice,
                self.notice,
                hbox(0, gap, self._hint, self._busy, self.stop_button, self.send_button),
            )
        )
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self, interval=self.TICK_MS)
        self._ticker.timeout.connect(self._on_tick)

    def status_text(self) -> str:
        """What the line beside the buttons says (the busy timer, or the keyboard hint)."""
        return self._busy.text() if self.is_busy() else self._hint.full_text()

    def is_busy(self) -> bool:
        return not self._busy.isHidden()

    def set_editing(self, editing: bool) -> None:
        self._edit_bar.setVisible(editing)

    def is_editing(self) -> bool:
        return not self._edit_bar.isHidden()

    def set_busy(self, busy: bool) -> None:
        """Show "Answering… N s" while an answer is on its way."""
        self._busy.setVisible(busy)
        self._hint.setVisible(not busy)
        if busy:
            self._clock.start()
            self._ticker.start()
            self._on_tick()
        else:
            self._ticker.stop()

    def _on_tick(self) -> None:
        seconds = self._clock.elapsed() // 1000
        self._busy.setText(f"Answering… {seconds} s")
