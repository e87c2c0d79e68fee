"""Pieces of the main window's frame: the demo banner, the history sidebar, placeholder panels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QSizePolicy,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.ui.layout import em, hbox, line_height, spacing

DEMO_TEXT = "Demo: simulated answers — no key or network needed"


class DemoBanner(QFrame):
    """A quiet strip across the top of the window while demo mode is on; it cannot be closed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("demoBanner")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        # The palette's alternate base: a gentle tint in light and dark themes alike.
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.setAutoFillBackground(True)
        icon = QLabel(self)
        size = line_height(self)
        pixmap = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        icon.setPixmap(pixmap.pixmap(size, size))
        self._text = QLabel(DEMO_TEXT, self)
        self._text.setTextFormat(Qt.TextFormat.PlainText)
        self.setAccessibleName(DEMO_TEXT)
        gap = spacing(self)
        layout = hbox(0, gap, icon, self._text, None)
        layout.setContentsMargins(em(self, 1), gap // 2 + 1, em(self, 1), gap // 2 + 1)
        self.setLayout(layout)

    def text(self) -> str:
        return self._text.text()


class HistorySidebar(QWidget):
    """The conversation list on the left: a search box over a list (filled by the history)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historySidebar")
        self.search = QLineEdit(self)
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText("Search conversations")
        self.search.setAccessibleName("Search conversations")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setObjectName("historyList")
        self.list.setAccessibleName("Conversations")
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.empty = QLabel("No saved conversations yet.", self)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)
        title = QLabel("History", self)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        gap = spacing(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, 0, gap)
        layout.setSpacing(gap)
        layout.addWidget(title)
        layout.addWidget(self.search)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        self.setMinimumWidth(em(self, 10))
        self.list.model().rowsInserted.connect(self._update_empty)
        self.list.model().rowsRemoved.connect(self._update_empty)
        self._update_empty()

    def _update_empty(self) -> None:
        self.empty.setVisible(self.list.count() == 0)


class PlaceholderPanel(QWidget):
    """Stands in for a panel that is not built yet: a title and one line of explanation."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        heading = QLabel(title, self)
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        heading.setFont(font)
        body = QLabel(text, self)
        body.setTextFormat(Qt.TextFormat.PlainText)
        body.setWordWrap(True)
        body.setEnabled(False)
        for label in (heading, body):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(heading)
        layout.addWidget(body)
        layout.addStretch(2)
