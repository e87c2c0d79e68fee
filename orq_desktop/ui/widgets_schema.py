"""The JSON schema editor for ``response_format: json_schema``, validating as you type."""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QLineEdit, QPlainTextEdit, QWidget

from orq_desktop.ui.layout import code_box, hbox, mark_error_line, spacing, vbox
from orq_desktop.ui.widgets_inline import InlineMessage

_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")

EXAMPLE_SCHEMA = '{\n  "type": "object",\n  "properties": {"answer": {"type": "string"}}\n}'


def schema_text_error(text: str) -> tuple[str, int, int] | None:
    """Why ``text`` is not a JSON object: (reason, line, column), or None when it is fine.

    Empty text is fine (the schema is optional). Line and column count from 1.
    """
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return (
            f"The schema is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}.",
            exc.lineno,
            exc.colno,
        )
    except RecursionError:
        return ("The schema is nested too deeply to read.", 1, 1)
    if not isinstance(value, dict):
        kind = "a list" if isinstance(value, list) else "a single value"
        return (f"The schema must be a JSON object {{…}}, not {kind}.", 1, 1)
    return None


def schema_name_error(name: str) -> str | None:
    if not name.strip():
        return "Give the JSON schema a name (letters, digits, _ or -)."
    if not _NAME.fullmatch(name):
        return "The schema name may only use letters, digits, _ and - (at most 64 characters)."
    return None


class SchemaEditor(QWidget):
    """Name, strict flag and the schema text, with the first problem shown inline.

    Parsing is debounced (a 10 MB paste must not stall typing); :meth:`error` always
    answers for the current text.

    Signals:
        changed(): the name, the flag or the (parsed) schema changed.
    """

    changed = Signal()
    DEBOUNCE_MS = 150

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._extra: dict[str, Any] = {}  # json_schema keys this form has no field for
        self._name = QLineEdit(self)
        self._name.setObjectName("schemaName")
        self._name.setPlaceholderText("Schema name, e.g. answer")
        self._name.setAccessibleName("JSON schema name")
        self._strict = QCheckBox("Strict", self)
        self._strict.setToolTip("Ask the model to follow the schema exactly (strict: true).")
        self._text = code_box(
            QPlainTextEdit(self), name="schemaEditor", label="JSON schema",
            example=EXAMPLE_SCHEMA, lines=(5, 9),
        )  # fmt: skip
        self._message = InlineMessage(self)
        self.setLayout(
            vbox(
                0,
                spacing(self) // 2,
                hbox(0, spacing(self), self._name, self._strict),
                self._text,
                self._message,
            )
        )
        self._timer = QTimer(self, singleShot=True, interval=self.DEBOUNCE_MS)
        self._timer.timeout.connect(self._validate)
        self._text_error: tuple[str, int, int] | None = None
        self._schema: dict[str, Any] | None = None
        self._name.textChanged.connect(self._on_name_changed)
        self._strict.toggled.connect(self.changed)
        self._text.textChanged.connect(self._timer.start)

    @property
    def name_edit(self) -> QLineEdit:
        return self._name

    @property
    def text_edit(self) -> QPlainTextEdit:
        return self._text

    def error(self) -> str | None:
        """The first reason the schema cannot be sent, or None."""
        self._flush()
        name = schema_name_error(self._name.text())
        if name:
            return name
        return self._text_error[0] if self._text_error else None

    def value(self) -> dict[str, Any]:
        """The ``json_schema`` object; unset optional keys are left out."""
        self._flush()
        out: dict[str, Any] = {**self._extra, "name": self._name.text().strip()}
        if self._schema is not None:
            out["schema"] = self._schema
        if self._strict.isChecked():
            out["strict"] = True
        elif self._extra.get("strict") is False:
            out["strict"] = False
        return out

    def set_value(self, value: dict[str, Any]) -> None:
        self._extra = {k: v for k, v in value.items() if k not in ("name", "schema", "strict")}
        if value.get("strict") is False:
            self._extra["strict"] = False
        self._name.setText(str(value.get("name") or ""))
        self._strict.setChecked(value.get("strict") is True)
        schema = value.get("schema")
        self._text.setPlainText("" if schema is None else json.dumps(schema, indent=2))
        self._validate()

    def clear(self) -> None:
        self.set_value({})

    def _flush(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._validate()

    def _on_name_changed(self, _text: str) -> None:
        self._show_message()
        self.changed.emit()

    def _validate(self) -> None:
        text = self._text.toPlainText()
        self._text_error = schema_text_error(text)
        self._schema = json.loads(text) if text.strip() and self._text_error is None else None
        self._mark_error_line()
        self._show_message()
        self.changed.emit()

    def _show_message(self) -> None:
        name = schema_name_error(self._name.text())
        self._message.set_text(self._text_error[0] if self._text_error else name)

    def _mark_error_line(self) -> None:
        error = self._text_error
        mark_error_line(self._text, error[1] if error else None, error[0] if error else "")
