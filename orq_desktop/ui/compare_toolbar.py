"""The Compare tab's row under the prompt: Compare, Stop all, Add column, and a message."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QPushButton, QWidget

from orq_desktop.ui.layout import hbox
from orq_desktop.ui.widgets_inline import InlineMessage


class CompareToolbar:
    """The buttons (children of ``parent``) and the row layout that holds them (``row``)."""

    def __init__(self, parent: QWidget, gap: int) -> None:
        self.compare_button = QPushButton("Co&mpare", parent)
        self.compare_button.setObjectName("compareButton")
        self.compare_button.setDefault(True)
        self.stop_all_button = QPushButton("Stop all", parent)
        self.stop_all_button.setObjectName("compareStopAll")
        self.stop_all_button.setToolTip("Stop every column; the text so far is kept (Esc)")
        self.add_button = QPushButton("Add column", parent)
        self.add_button.setObjectName("compareAddColumn")
        self.add_menu = QMenu(parent)
        self.add_button.setMenu(self.add_menu)
        self.message = InlineMessage(parent)
        self.row = hbox(0, gap, self.compare_button, self.stop_all_button, self.add_button)
        self.row.addWidget(self.message, 1)
        self.row.addStretch(0)

    def refresh(self, *, busy: bool, blocker: str | None, can_add: bool) -> None:
        """Compare needs an idle run and a prompt that can be sent; Stop all a busy run."""
        self.compare_button.setEnabled(not busy and blocker is None)
        self.compare_button.setToolTip(blocker or "Send the prompt to every column")
        self.stop_all_button.setEnabled(busy)
        self.add_button.setEnabled(not busy and can_add)


__all__ = ["CompareToolbar"]
