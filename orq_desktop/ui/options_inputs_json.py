"""The inputs as JSON text: ``{"name": value}`` or ``[{"key", "value"}]``, checked as you type.

Parsing waits until typing pauses (``DEBOUNCE_MS``), so a large paste never stalls the window,
and a paste over ``MAX_JSON_CHARS`` is refused before it reaches the text (a 10 MB paste would
take seconds to lay out). A pasted line over ``LONG_LINE`` characters is pasted indented when
it is JSON and refused when it is not: one 240 KB line took 210 ms to insert and lay out, its
indented form 2 ms. Reasons never quote the values: inputs may hold personal data.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QMimeData, QTimer, Signal
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from orq_desktop.ui.layout import code_box, mark_error_line, spacing, vbox
from orq_desktop.ui.widgets_inline import InlineMessage

MAX_JSON_CHARS = 256 * 1024  # a paste, as pasted
MAX_TEXT_CHARS = 2 * MAX_JSON_CHARS  # the text, indentation included
LONG_LINE = 16 * 1024
EXAMPLE = '{\n  "customer_name": "Ada",\n  "issue_type": "billing"\n}'
_ECHO = re.compile(r"\s*\(you (?:entered|gave) [^)]*\)")


def size_words(chars: int) -> str:
    """2_500_000 -> "2.4 MB", 300_000 -> "293 KB"."""
    if chars >= 1024 * 1024:
        return f"{chars / (1024 * 1024):.1f} MB"
    return f"{max(1, round(chars / 1024))} KB"


def without_values(line: str) -> str:
    """A validation line with its "(you entered …)" part dropped: the reason, not the value."""
    return _ECHO.sub("", line)


@dataclass(frozen=True, slots=True)
class JsonProblem:
    """Why the text is not JSON; ``line`` and ``column`` count from 1 (0: no place)."""

    reason: str
    line: int = 0
    column: int = 0


def parse_json_text(text: str) -> tuple[Any, JsonProblem | None]:
    """The JSON value of ``text`` (None when empty), or why it cannot be read."""
    if len(text) > MAX_TEXT_CHARS:
        return None, JsonProblem(
            f"The inputs are {size_words(len(text))}: at most {size_words(MAX_TEXT_CHARS)} "
            "of text can be sent."
        )
    if not text.strip():
        return None, None
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        reason = f"Not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}."
        return None, JsonProblem(reason, exc.lineno, exc.colno)
    except RecursionError:
        return None, JsonProblem("The inputs are nested too deeply to read.")


class JsonTextEdit(QPlainTextEdit):
    """Plain text that refuses a paste (or drop) over ``MAX_JSON_CHARS``.

    Signals:
        paste_refused(reason): a paste was refused; the text is unchanged.
    """

    paste_refused = Signal(str)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802 (Qt override)
        text = source.text() if source.hasText() else ""
        if len(text) > MAX_JSON_CHARS:
            self.paste_refused.emit(
                f"Nothing was pasted: the text is {size_words(len(text))}, and the inputs can be "
                f"at most {size_words(MAX_JSON_CHARS)}."
            )
            return
        longest = max((len(line) for line in text.splitlines()), default=0)
        if longest > LONG_LINE:
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                self.paste_refused.emit(
                    f"Nothing was pasted: one line is {size_words(longest)} long. Paste it as "
                    "JSON (it is indented for you) or in shorter lines."
                )
                return
            self.insertPlainText(json.dumps(value, indent=2, ensure_ascii=False))
            return
        super().insertFromMimeData(source)


class InputsJsonEditor(QWidget):
    """The JSON text, its debounced parse and the first reason it cannot be used (shown by the
    section under it; the line at fault is underlined). :attr:`message` tells why a paste was
    refused.

    Signals:
        edited(): the text changed; :attr:`pending` until it is parsed.
        parsed(): the text was parsed; :attr:`value` and :attr:`problem` are up to date.
    """

    edited = Signal()
    parsed = Signal()
    DEBOUNCE_MS = 150

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text_edit = JsonTextEdit(self)
        code_box(self.text_edit, name="inputsJson", label="Inputs as JSON", example=EXAMPLE,
                 lines=(4, 10))  # fmt: skip
        self.message = InlineMessage(self)
        self.message.setObjectName("inputsJsonError")
        self.setLayout(vbox(0, spacing(self) // 2, self.text_edit, self.message))
        self.value: Any = None
        self.problem: JsonProblem | None = None
        self._timer = QTimer(self, singleShot=True, interval=self.DEBOUNCE_MS)
        self._timer.timeout.connect(self.parse)
        self.text_edit.textChanged.connect(self._on_text_changed)
        self.text_edit.paste_refused.connect(self.message.set_text)
        self._setting = False

    @property
    def pending(self) -> bool:
        """Typed but not parsed yet."""
        return self._timer.isActive()

    def set_value(self, value: Any) -> None:
        """Show ``value`` as indented JSON, parsed at once."""
        self._setting = True
        try:
            self.text_edit.setPlainText(
                "" if value is None else json.dumps(value, indent=2, ensure_ascii=False)
            )
        finally:
            self._setting = False
        self.parse()

    def parse(self) -> None:
        self._timer.stop()
        self.value, self.problem = parse_json_text(self.text_edit.toPlainText())
        self._mark_line()
        self.message.set_text(None)  # a refused paste's reason: the section shows the text's
        self.parsed.emit()

    def _on_text_changed(self) -> None:
        if self._setting:
            return
        self._timer.start()
        self.edited.emit()

    def _mark_line(self) -> None:
        mark_error_line(self.text_edit, self.problem.line if self.problem else None)


__all__ = [
    "LONG_LINE",
    "MAX_JSON_CHARS",
    "MAX_TEXT_CHARS",
    "InputsJsonEditor",
    "JsonProblem",
    "JsonTextEdit",
    "parse_json_text",
    "size_words",
    "without_values",
]
