"""A compare column's "Parameters…" and "Routing…" dialogs: the chat form's own editors.

Both open without blocking (``open()``; the column reads the value on ``accepted``) and refuse
OK while what they hold cannot be sent, saying why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QVBoxLayout, QWidget

from orq_desktop.ui.layout import em, line_height, spacing
from orq_desktop.ui.options_editor import OptionsEditor
from orq_desktop.ui.params_panel import ParamsPanel
from orq_desktop.ui.widgets_inline import InlineMessage


class _EditorDialog(QDialog):
    def __init__(self, title: str, editor: QWidget, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.message = InlineMessage(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        gap = spacing(self)
        layout.setContentsMargins(gap * 2, gap * 2, gap * 2, gap * 2)
        layout.setSpacing(gap)
        layout.addWidget(editor, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _set_reason(self, reason: str | None) -> None:
        self.message.set_text(reason)
        self.ok_button.setEnabled(reason is None)


class ParamsDialog(_EditorDialog):
    """The model and its parameters for one column (``ParamsPanel``, opened)."""

    def __init__(self, options: dict[str, Any], title: str, parent: QWidget | None = None) -> None:
        self.params = ParamsPanel()
        super().__init__(title, self.params, parent)
        self.setObjectName("compareParamsDialog")
        self.params.set_options(options)
        self.params.section.set_expanded(True)
        self.params.set_max_height(line_height(self, 30))
        self.params.changed.connect(self._on_params_changed)
        self._on_params_changed()
        self.resize(em(self, 46), self.sizeHint().height())

    def options(self) -> dict[str, Any]:
        """The model and parameters (no ``orq``)."""
        return self.params.options()

    def _on_params_changed(self) -> None:
        self._set_reason(self.params.validity())


class RoutingDialog(_EditorDialog):
    """The routing options (``orq``) for one column, in the options editor."""

    def __init__(
        self, orq: dict[str, Any], model: str, title: str, parent: QWidget | None = None
    ) -> None:
        self.editor = OptionsEditor("chat", primary_model=model)
        super().__init__(title, self.editor, parent)
        self.setObjectName("compareRoutingDialog")
        self.editor.set_orq(orq)
        self.editor.validity_changed.connect(self._on_validity_changed)
        self._on_validity_changed(self.editor.validity() or "")
        self.resize(em(self, 40), line_height(self, 36))

    def orq(self) -> dict[str, Any]:
        return self.editor.orq()

    def _on_validity_changed(self, reason: str) -> None:
        self._set_reason(reason or None)
