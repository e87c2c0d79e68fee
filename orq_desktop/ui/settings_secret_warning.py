"""Warn, inline, when something shaped like an API key is pasted or typed into a text field.

    notice = InlineMessage()                       # or any QLabel, placed under the field
    attach_secret_warning(panel.prompt_input, notice)

The check runs ``DEBOUNCE_MS`` after the last change (a paste is one change), never per keystroke,
and only says what was found and why it matters: the text itself is never copied anywhere.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QTableWidget, QTextEdit

from orq_desktop.domain.secret_scan import Finding, find_secrets

PROMPT_NOTICE = "Prompts are sent to the model and kept in the history."
VARIABLE_NOTICE = "Variables are sent to the model and kept in the history."
METADATA_NOTICE = "Metadata is sent to the router and kept in the history."

TextField = QPlainTextEdit | QTextEdit | QLineEdit | QTableWidget  # a table: every cell


class _SetsText(Protocol):
    def set_text(self, text: str | None) -> None: ...


Notice = QLabel | _SetsText


class SecretWarning(QObject):
    """Watches one field and shows ``notice`` while its text holds something key-shaped.

    ``findings`` are the spans found by the last check (no text, only positions and kinds).
    """

    DEBOUNCE_MS = 300

    def __init__(self, edit: TextField, notice: Notice, why: str = PROMPT_NOTICE) -> None:
        super().__init__(edit)
        self._edit = edit
        self._notice = notice
        self._why = why
        self.findings: list[Finding] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.DEBOUNCE_MS)
        self._timer.timeout.connect(self.check_now)
        if isinstance(edit, QTableWidget):
            edit.itemChanged.connect(self._on_edit_changed)
            edit.model().rowsRemoved.connect(self._on_edit_changed)
        else:
            edit.textChanged.connect(self._on_edit_changed)
        self._show("")

    def text_for(self, findings: list[Finding]) -> str:
        """The warning for these findings ("" when there are none)."""
        if not findings:
            return ""
        labels = list(dict.fromkeys(f.label for f in findings))
        what = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
        return f"This looks like an API key ({what}). {self._why}"

    def check_now(self) -> None:
        """Check the field's text at once (the debounce timer calls this)."""
        self._timer.stop()
        self.findings = find_secrets(_text_of(self._edit))
        self._show(self.text_for(self.findings))

    def _on_edit_changed(self, *_args: object) -> None:
        self._timer.start()  # a paste or the last keystroke of a burst: check once it settles

    def _show(self, text: str) -> None:
        notice = self._notice
        if isinstance(notice, QLabel):
            notice.setText(text)
            notice.setVisible(bool(text))
        else:
            notice.set_text(text or None)


def _text_of(edit: TextField) -> str:
    if isinstance(edit, QLineEdit):
        return edit.text()
    if isinstance(edit, QTableWidget):
        cells = (edit.item(r, c) for r in range(edit.rowCount()) for c in range(edit.columnCount()))
        return "\n".join(cell.text() for cell in cells if cell is not None)
    return edit.toPlainText()


def attach_secret_warning(
    edit: TextField, notice: Notice, why: str = PROMPT_NOTICE
) -> SecretWarning:
    """Watch ``edit``; ``notice`` (a QLabel or an ``InlineMessage``) shows the warning.

    ``edit`` is a QPlainTextEdit, QTextEdit or QLineEdit, or a QTableWidget (every cell is
    checked: a metadata table of key/value rows).

    ``why`` says where the text goes (``PROMPT_NOTICE``, ``VARIABLE_NOTICE``,
    ``METADATA_NOTICE``). The watcher lives as long as ``edit``.
    """
    return SecretWarning(edit, notice, why)
