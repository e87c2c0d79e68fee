"""A titled section that folds away, with a one-line summary shown while it is folded."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QToolButton, QVBoxLayout, QWidget

from orq_desktop.ui.layout import em, hbox, spacing
from orq_desktop.ui.widgets_labels import QuietLabel


class CollapsibleSection(QWidget):
    """A header button (arrow + title) over a content widget.

    Signals:
        expanded_changed(bool): the section was opened (True) or folded (False).
    """

    expanded_changed = Signal(bool)

    def __init__(
        self, title: str, content: QWidget, *, expanded: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._button = QToolButton(self)
        self._button.setText(title)
        self._button.setAutoRaise(True)
        self._button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self._button.setAccessibleName(title)
        font = self._button.font()
        font.setBold(True)
        self._button.setFont(font)
        self._summary = QuietLabel("", self)
        self._content = content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing(self) // 2)
        header = hbox(0, spacing(self), self._button, self._summary)
        header.setStretch(1, 1)
        header.addStretch(0)  # keeps the title on the left while the summary is hidden
        layout.addLayout(header)
        inner = QVBoxLayout()
        inner.setContentsMargins(em(self, 1.4), 0, 0, 0)
        inner.addWidget(content)
        layout.addLayout(inner)
        self._expanded = expanded
        self._button.clicked.connect(lambda: self.set_expanded(not self._expanded))
        self._apply()

    @property
    def header(self) -> QToolButton:
        return self._button

    def is_expanded(self) -> bool:
        return self._expanded

    def set_expanded(self, expanded: bool) -> None:
        if expanded != self._expanded:
            self._expanded = expanded
            self._apply()
            self.expanded_changed.emit(expanded)

    def set_summary(self, text: str) -> None:
        """The line shown beside the title while the section is folded."""
        self._summary.set_full_text(text)

    def summary(self) -> str:
        return self._summary.full_text()

    def _apply(self) -> None:
        expanded = self._expanded
        self._button.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self._button.setToolTip(f"{'Hide' if expanded else 'Show'} {self._button.text().lower()}")
        self._content.setVisible(expanded)
        self._summary.setVisible(not expanded)
