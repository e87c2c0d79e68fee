"""The read-only text view of one message: untrusted content, inert links, no remote resources.

Model output is untrusted input (RELIABILITY.md §0.3, §5.3-5.4). A default ``QTextBrowser`` opens
``file:`` links from model output in place, ``MarkdownNoHTML`` still makes ``javascript:`` links
live, and ``loadResource`` would read local files named by image links. So every message view:

- never follows a link itself (``setOpenLinks(False)``, ``setOpenExternalLinks(False)``);
- hands a clicked link to :class:`LinkGuard`: only ``https`` links with a host are offered, and only
  after the user confirms, to the desktop's browser; everything else does nothing;
- loads no resource at all (``loadResource`` answers an empty image), so an image link is never
  fetched, no local file it names is read, and a ``data:`` image is not decoded;
- grows to the height of its document (the transcript's scroll area does the scrolling), up to a
  cap for very long messages: then it scrolls itself, so that painting it costs the same for
  5 MB as for 5 KB (a 35,000 px tall view took ~200 ms to paint).
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QByteArray, QSize, QSizeF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QImage,
    QPalette,
    QShowEvent,
    QTextCursor,
    QTextDocument,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QLabel, QMessageBox, QSizePolicy, QTextBrowser, QWidget

from orq_desktop.ui.widgets_dialogs import ask_plainly


class LinkGuard:
    """Decides what a click on a link in model output may do.

    ``confirm`` and ``open`` are classmethods so that tests can monkeypatch them instead of
    driving a modal dialog or a real browser.
    """

    @staticmethod
    def is_openable(url: QUrl) -> bool:
        """Only well-formed ``https`` URLs with a host may ever leave the app."""
        return url.isValid() and url.scheme().lower() == "https" and bool(url.host())

    @classmethod
    def confirm(cls, parent: QWidget | None, url: QUrl) -> bool:
        """Ask the user before opening a link that came from model output."""
        shown = url.toDisplayString()
        if len(shown) > 300:
            shown = shown[:300] + "…"
        return ask_plainly(
            parent,
            "Open link?",
            f"This link comes from the model's answer:\n\n{shown}\n\nOpen it in your browser?",
            QMessageBox.StandardButton.Open,
        )

    @classmethod
    def open(cls, url: QUrl) -> bool:
        return QDesktopServices.openUrl(url)

    @classmethod
    def handle(cls, parent: QWidget | None, url: QUrl) -> bool:
        """Open ``url`` if it is allowed and confirmed; return True when it was opened."""
        if not cls.is_openable(url):
            return False
        if not cls.confirm(parent, url):
            return False
        return cls.open(url)


class MessageView(QTextBrowser):
    """One message's document in a read-only browser that never scrolls by itself.

    Signals:
        link_opened(QUrl): an https link was confirmed by the user and handed to the browser.
    """

    link_opened = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setUndoRedoEnabled(False)  # programmatic appends would otherwise fill the undo stack
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # Transparent over the message card, so light and dark palettes both work.
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.transparent)
        self.setPalette(palette)
        self.viewport().setAutoFillBackground(False)
        self.anchorClicked.connect(self._on_anchor_clicked)
        self._height_cap: int | None = None
        layout = self.document().documentLayout()
        # One height update per event-loop turn, however often the document changed size in it:
        # every setFixedHeight relayouts the transcript's column.
        self._height_timer = QTimer(self)
        self._height_timer.setSingleShot(True)
        self._height_timer.setInterval(0)
        self._height_timer.timeout.connect(self._sync_height)
        layout.documentSizeChanged.connect(self._on_document_size_changed)
        self.horizontalScrollBar().rangeChanged.connect(self._height_timer.start)
        self._sync_height()

    # -- Qt overrides ---------------------------------------------------------------------------

    def loadResource(self, type: int, _name: QUrl | str, /) -> Any:  # noqa: N802 (Qt override)
        """Never load anything: no remote fetch, no local file, no ``data:`` image.

        The answer must be non-null: for a null one ``QTextDocument::loadResource`` falls back to
        decoding ``data:`` URLs and reading local files itself.
        """
        if type == int(QTextDocument.ResourceType.ImageResource):
            return QImage()
        return QByteArray()

    def doSetSource(  # noqa: N802 (Qt override)
        self,
        _name: QUrl | str,
        /,
        type: QTextDocument.ResourceType = QTextDocument.ResourceType.UnknownResource,
    ) -> None:
        """Ignore navigation (backward, reload, ...): the content is set only by the transcript."""

    def showEvent(self, event: QShowEvent) -> None:
        # Text is appended by another cursor, which carries the view's own cursor along while
        # the document is empty; on its first show a view scrolls to its cursor, so one that
        # scrolls itself (a capped one) would open at the end of the first step, not the top.
        cursor = self.textCursor()
        if not cursor.hasSelection() and cursor.position() != 0:
            self.moveCursor(QTextCursor.MoveOperation.Start)
        super().showEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        # The view is as tall as its document: vertical wheel scrolling belongs to the transcript.
        # A capped view scrolls itself; at either end the event goes on to the transcript.
        vertical = event.angleDelta().y() != 0 and event.angleDelta().x() == 0
        bar = self.verticalScrollBar()
        if vertical and (self._height_cap is None or bar.maximum() == bar.minimum()):
            event.ignore()
            return
        super().wheelEvent(event)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), self._wanted_height())

    # -- the height cap -------------------------------------------------------------------------

    @property
    def height_cap(self) -> int | None:
        return self._height_cap

    def set_height_cap(self, pixels: int | None) -> None:
        """Stop growing at ``pixels`` and scroll inside (None: as tall as the document)."""
        self._height_cap = pixels
        # Always on when capped: a bar that appears later narrows the view and the whole
        # document is laid out again.
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOn
            if pixels is not None
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.sync_height()

    # -- internals ------------------------------------------------------------------------------

    def _wanted_height(self) -> int:
        height = math.ceil(self.document().size().height()) + 2 * self.frameWidth()
        bar = self.horizontalScrollBar()
        if bar.maximum() > bar.minimum():
            height += bar.sizeHint().height()
        if self._height_cap is not None:
            height = min(height, self._height_cap)
        return max(height, self.fontMetrics().height())

    def _on_document_size_changed(self, _size: QSizeF) -> None:
        if not self._height_timer.isActive():
            self._height_timer.start()

    def sync_height(self) -> None:
        """Fit the height to the document now (after a render, before the next paint)."""
        self._height_timer.stop()
        self._sync_height()

    def _sync_height(self) -> None:
        height = self._wanted_height()
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def _on_anchor_clicked(self, url: QUrl) -> None:
        if LinkGuard.handle(self, url):
            self.link_opened.emit(url)


def plain_label(text: str = "", object_name: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows ``text`` literally: server and model text is never parsed as HTML.

    ``QLabel`` in its default AutoText mode renders anything ``mightBeRichText()`` accepts, and
    that is true for a router error message containing tags (RELIABILITY.md §5.4).
    """
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    if object_name:
        label.setObjectName(object_name)
    return label
