"""An inline message under a field: an icon and one reason, hidden when there is none."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QStyle, QWidget

from orq_desktop.ui.layout import error_colour, spacing

WARNING = QStyle.StandardPixmap.SP_MessageBoxWarning
INFORMATION = QStyle.StandardPixmap.SP_MessageBoxInformation


class InlineMessage(QWidget):
    """Shows why a field is invalid (or a piece of advice), right beside it; empty text hides it.

    ``icon`` is the style's standard pixmap shown before the text (a warning by default).
    With ``as_error`` (the default) the text takes an error colour derived from the palette (a
    lighter red on dark themes, never fixed); advice keeps the palette's own text colour.
    """

    def __init__(
        self,
        parent: QWidget | None = None,
        icon: QStyle.StandardPixmap = WARNING,
        *,
        as_error: bool = True,
    ) -> None:
        super().__init__(parent)
        self._pixmap = icon
        self._as_error = as_error
        self._icon = QLabel(self)
        self._text = QLabel(self)
        self._text.setTextFormat(Qt.TextFormat.PlainText)  # reasons quote what the user typed
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(spacing(self))
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._text, 1)
        self._apply_style()
        self.setVisible(False)

    def text(self) -> str:
        return self._text.text()

    def icon(self) -> QStyle.StandardPixmap:
        return self._pixmap

    def set_text(self, text: str | None) -> None:
        """Show ``text``; None or "" hides the message."""
        text = text or ""
        if text != self._text.text():
            self._text.setText(text)
            self.setAccessibleDescription(text)
        self.setVisible(bool(text))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._apply_style()
        super().changeEvent(event)

    def _apply_style(self) -> None:
        size = self._text.fontMetrics().height()
        icon = self.style().standardIcon(self._pixmap)
        self._icon.setPixmap(icon.pixmap(size, size))
        if self._as_error:
            palette = self._text.palette()
            palette.setColor(QPalette.ColorRole.WindowText, error_colour(self.palette()))
            self._text.setPalette(palette)
