"""“Show all as plain text”: the whole of a very long message, in a window of its own.

The transcript shows at most the first ``MarkdownStream.DISPLAY_CAP`` characters of a message, in a
box of bounded height. This dialog shows every character in a ``QPlainTextEdit`` (which lays out
only what is on screen), filled in steps of about ``CHUNK`` characters, one per turn of the event
loop, so that 5 MB never stalls the UI: the first screenful is there at once, the rest follows.
A line longer than ``LINE_CAP`` characters is shown wrapped onto several lines (laying out one
multi-megabyte line at each step would be quadratic); Copy all copies the text exactly.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QTextCharFormat, QTextCursor, QTextOption
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.ui.message_lines import LineBreaker, step_end
from orq_desktop.ui.message_view import plain_label

_MOVE = QTextCursor.MoveOperation


def _size_text(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:.1f} million characters"
    return f"{count:,} characters"


class FullTextDialog(QDialog):
    """The whole text of one message, read-only, appended in chunks.

    Signals:
        filled(): every character is in the view.
    """

    filled = Signal()

    CHUNK = 64_000  # characters and lines appended per turn of the event loop
    LINES = 1_000
    LINE_CAP = 10_000

    def __init__(self, text: str, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fullTextDialog")
        self.setWindowTitle(title or "The whole message")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.finished.connect(self.deleteLater)  # Escape too: the text is not kept hidden
        self.resize(900, 700)
        self._text = text
        self._shown = 0  # characters of _text in the view
        self._lines = LineBreaker(self.LINE_CAP)
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("fullTextView")
        self.editor.setReadOnly(True)
        self.editor.setUndoRedoEnabled(False)
        self.editor.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.editor.setAccessibleName("The whole message as plain text")
        self.status = plain_label("", "fullTextStatus", self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton("Copy all", self)
        self.copy_button.setObjectName("copyAllButton")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        self.copy_button.clicked.connect(self.copy_all)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._append_some)
        self._append_some()  # the first screenful at once
        if not self.is_filled:
            self._timer.start()

    @property
    def text(self) -> str:
        return self._text

    @property
    def is_filled(self) -> bool:
        return self._shown >= len(self._text)

    def copy_all(self) -> None:
        QGuiApplication.clipboard().setText(self._text)

    def _append_some(self) -> None:
        end = step_end(self._text, self._shown, self.CHUNK, self.LINES)
        piece = self._lines.feed(self._text[self._shown : end])
        cursor = QTextCursor(self.editor.document())
        cursor.movePosition(_MOVE.End)
        cursor.insertText(piece, QTextCharFormat())
        self._shown = end
        total = len(self._text)
        if self.is_filled:
            self._timer.stop()
            self.status.setText(_size_text(total))
            self.filled.emit()
        else:
            self.status.setText(f"Loading… {self._shown * 100 // total} % of {_size_text(total)}")
