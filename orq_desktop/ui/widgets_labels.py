"""Labels shared by the panels: a quiet (secondary) label that elides to its width."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class QuietLabel(QLabel):
    """Secondary plain text in the palette's placeholder colour, elided to one line.

    The full text stays available as the tooltip and through :meth:`full_text`.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(0)
        self._full = ""
        self._apply_colour()
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text if text else "")
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_colour()
        super().changeEvent(event)

    def _elide(self) -> None:
        first_line = self._full.split("\n", 1)[0]
        width = self.width() if self.width() > 0 else 10_000
        self.setText(self.fontMetrics().elidedText(first_line, Qt.TextElideMode.ElideRight, width))

    def _apply_colour(self) -> None:
        palette = self.palette()
        quiet = palette.color(QPalette.ColorRole.PlaceholderText)
        if palette.color(QPalette.ColorRole.WindowText) != quiet:
            palette.setColor(QPalette.ColorRole.WindowText, quiet)
            self.setPalette(palette)
