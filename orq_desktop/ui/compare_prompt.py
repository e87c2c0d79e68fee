"""What every compare column is asked: the system prompt, the prompt and the ``{{variables}}``."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from orq_desktop.core.compare_types import ComparePrompt
from orq_desktop.domain.variables import missing_values
from orq_desktop.ui.layout import em, line_height, spacing
from orq_desktop.ui.widgets_collapsible import CollapsibleSection
from orq_desktop.ui.widgets_flow import FlowLayout
from orq_desktop.ui.widgets_labels import QuietLabel


class ComparePromptForm(QWidget):
    """The shared part of a compare: one system prompt, one prompt, one value per variable.

    A compare read back from the history may continue earlier turns; they are kept (and said
    so) and sent before the prompt.

    Signals:
        changed(): the text or a variable's value changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        gap = spacing(self)
        self._earlier: tuple[tuple[str, str], ...] = ()
        self._names: list[str] = []
        self._values: dict[str, str] = {}
        self._fields: dict[str, QLineEdit] = {}

        self.system_prompt_edit = QPlainTextEdit(self)
        self.system_prompt_edit.setObjectName("compareSystemPrompt")
        self.system_prompt_edit.setAccessibleName("System prompt for every column")
        self.system_prompt_edit.setPlaceholderText("Instructions every column follows (optional)")
        self.system_prompt_edit.setTabChangesFocus(True)
        self.system_prompt_edit.setFixedHeight(line_height(self, 3) + 2 * gap)
        self.system_section = CollapsibleSection("System prompt", self.system_prompt_edit)
        self.prompt_edit = QPlainTextEdit(self)
        self.prompt_edit.setObjectName("comparePrompt")
        self.prompt_edit.setAccessibleName("Prompt for every column")
        self.prompt_edit.setPlaceholderText(
            "The prompt every column answers; Ctrl+Enter compares, Esc stops them all"
        )
        self.prompt_edit.setTabChangesFocus(True)
        self.prompt_edit.setFixedHeight(line_height(self, 3) + 2 * gap)
        self.earlier_note = QuietLabel("", self)
        self.earlier_note.setObjectName("compareEarlierTurns")
        self.earlier_note.hide()
        self.variables_host = QWidget(self)
        self.variables_host.setObjectName("compareVariables")
        self._flow = FlowLayout(self.variables_host, gap)
        self.variables_host.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(gap // 2)
        layout.addWidget(self.system_section)
        layout.addWidget(self.earlier_note)
        layout.addWidget(self.prompt_edit)
        layout.addWidget(self.variables_host)

        self.system_prompt_edit.textChanged.connect(self._on_system_prompt_changed)
        self.prompt_edit.textChanged.connect(self.changed)
        self._on_system_prompt_changed()

    # -- the value ----------------------------------------------------------------------------

    def system_prompt(self) -> str:
        return self.system_prompt_edit.toPlainText()

    def set_system_prompt(self, text: str) -> None:
        self.system_prompt_edit.setPlainText(text)
        self.system_section.set_expanded(bool(text.strip()))

    def prompt_text(self) -> str:
        return self.prompt_edit.toPlainText()

    def variables(self) -> dict[str, str]:
        """The values of the variables the prompts use now."""
        return {n: self._values.get(n, "") for n in self._names}

    def compare_prompt(self) -> ComparePrompt:
        turns = (*self._earlier, ("user", self.prompt_text()))
        values = {k: v for k, v in self.variables().items() if v.strip()}
        return ComparePrompt(self.system_prompt(), turns, values)

    def set_prompt(self, prompt: ComparePrompt) -> None:
        """Show ``prompt``: its last user turn in the box, earlier turns kept aside."""
        turns = list(prompt.turns)
        last = max((i for i, (role, _t) in enumerate(turns) if role == "user"), default=None)
        self._earlier = tuple(turns[:last]) if last is not None else tuple(turns)
        self._values.update(prompt.variables)
        self.set_system_prompt(prompt.system_prompt)
        self.prompt_edit.setPlainText(turns[last][1] if last is not None else "")
        count = len(self._earlier)
        self.earlier_note.set_full_text(
            f"Continues a conversation of {count} earlier message{'s' if count != 1 else ''}."
        )
        self.earlier_note.setVisible(bool(count))

    def blocker(self) -> str | None:
        """Why Compare cannot be pressed now, or None."""
        if not self.prompt_text().strip():
            return "Type a prompt to compare."
        if missing := missing_values(self._names, self._values):
            return f"Give a value to {', '.join('{{' + n + '}}' for n in missing)}."
        return None

    # -- variables ----------------------------------------------------------------------------

    def set_variable_names(self, names: list[str], defaults: dict[str, str]) -> None:
        """Show one field per variable; values typed earlier (or ``defaults``) are kept."""
        for name in names:
            if not self._values.get(name) and defaults.get(name):
                self._values[name] = defaults[name]
        if names == self._names:
            return
        self._names = list(names)
        while (item := self._flow.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        self._fields.clear()
        if names:
            self._flow.addWidget(QLabel("Variables:", self.variables_host))
        for name in names:
            label = QLabel(f"{{{{{name}}}}}", self.variables_host)
            field = QLineEdit(self._values.get(name, ""), self.variables_host)
            field.setObjectName(f"compareVariable_{name}")
            field.setAccessibleName(f"Value of {name}")
            field.setMinimumWidth(em(self, 10))
            field.textChanged.connect(lambda text, n=name: self._on_value_changed(n, text))
            label.setBuddy(field)
            self._fields[name] = field
            self._flow.addWidget(label)
            self._flow.addWidget(field)
        self.variables_host.setVisible(bool(names))

    def variable_field(self, name: str) -> QLineEdit | None:
        return self._fields.get(name)

    # -- internals ----------------------------------------------------------------------------

    def _on_value_changed(self, name: str, text: str) -> None:
        self._values[name] = text
        self.changed.emit()

    def _on_system_prompt_changed(self) -> None:
        text = self.system_prompt().strip()
        self.system_section.set_summary(text if text else "none")
        self.changed.emit()
