"""The gallery: every saved image as a thumbnail, newest first, searchable by prompt.

The list model hands out thumbnails only for the rows the view paints (a ``QListView`` in icon
mode with uniform item sizes asks for nothing else), so a folder of thousands of images opens
without decoding them all. Items drag out as file URLs into a file manager or another app.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from orq_desktop.core.image_types import GalleryItem
from orq_desktop.ui.image_thumbs import ThumbnailLoader

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
PATH_ROLE = Qt.ItemDataRole.UserRole + 2
PIXMAP_ITEMS = 300
ModelIndex = QModelIndex | QPersistentModelIndex


def describe(item: GalleryItem) -> str:
    """A tooltip: prompt, model, size and time, all plain text."""
    lines = [item.prompt or "(no prompt saved)"]
    facts = [item.model or "unknown model"]
    if item.width and item.height:
        facts.append(f"{item.width}×{item.height}")
    facts.append(when(item))
    lines.append(" · ".join(f for f in facts if f))
    return "\n".join(lines)


def when(item: GalleryItem) -> str:
    """The image's creation time (from its settings, else the file's), shown locally."""
    try:
        moment = datetime.fromisoformat(item.created) if item.created else None
    except ValueError:
        moment = None
    if moment is None:
        moment = datetime.fromtimestamp(item.modified)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class GalleryModel(QAbstractListModel):
    """Gallery items; thumbnails come from a :class:`ThumbnailLoader` when a row is painted."""

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[GalleryItem] = []
        self._rows: dict[str, int] = {}
        self._pixmaps: dict[str, QPixmap] = {}
        self._loader = loader
        self._placeholder = QPixmap()
        loader.loaded.connect(self._on_loader_loaded)

    # -- contents ---------------------------------------------------------------------------

    def set_items(self, items: list[GalleryItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._pixmaps.clear()
        self._reindex()
        self.endResetModel()

    def prepend(self, item: GalleryItem) -> None:
        if item.path in self._rows:
            return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self._items.insert(0, item)
        self._reindex()
        self.endInsertRows()

    def item(self, row: int) -> GalleryItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def items(self) -> list[GalleryItem]:
        return list(self._items)

    def row_of(self, path: str) -> int | None:
        return self._rows.get(path)

    def _reindex(self) -> None:
        self._rows = {item.path: row for row, item in enumerate(self._items)}

    # -- Qt model -------------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008 (Qt signature)
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.item(index.row()) if index.isValid() else None
        if item is None:
            return None
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(item)
        if role == Qt.ItemDataRole.DisplayRole:
            return item.prompt.split("\n", 1)[0] or "(no prompt)"
        if role == Qt.ItemDataRole.ToolTipRole:
            return describe(item)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"Image: {item.prompt or 'no prompt'}"
        if role == ITEM_ROLE:
            return item
        if role == PATH_ROLE:
            return item.path
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt override)
        return ["text/uri-list"]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # noqa: N802 (Qt override)
        return file_mime_data([str(self.data(i, PATH_ROLE)) for i in indexes if i.isValid()])

    def supportedDragActions(self) -> Qt.DropAction:  # noqa: N802 (Qt override)
        return Qt.DropAction.CopyAction

    # -- thumbnails -----------------------------------------------------------------------------

    def set_placeholder(self, pixmap: QPixmap) -> None:
        self._placeholder = pixmap

    def _pixmap(self, item: GalleryItem) -> QPixmap:
        pixmap = self._pixmaps.get(item.path)
        if pixmap is not None:
            return pixmap
        image = self._loader.get(item.path)
        if image is not None:
            pixmap = QPixmap.fromImage(image)
            self._remember(item.path, pixmap)
            return pixmap
        self._loader.request(item.path)
        return self._placeholder

    def _remember(self, path: str, pixmap: QPixmap) -> None:
        self._pixmaps[path] = pixmap
        if len(self._pixmaps) > PIXMAP_ITEMS:  # a few screens; the loader keeps more
            self._pixmaps.pop(next(iter(self._pixmaps)))

    def _on_loader_loaded(self, path: str, image: QImage) -> None:
        row = self._rows.get(path)
        if row is None:
            return
        if not image.isNull():
            self._remember(path, QPixmap.fromImage(image))
        index = self.index(row)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


def file_mime_data(paths: list[str]) -> QMimeData:
    """Drag data for files: their URLs, which file managers copy (never move) on drop."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(p) for p in paths if p])
    return mime


class GalleryFilter(QSortFilterProxyModel):
    """Keeps the items whose prompt, revised prompt or model contain every word searched for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []

    def set_query(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: ModelIndex) -> bool:  # noqa: N802 (Qt override)
        if not self._words:
            return True
        model = self.sourceModel()
        item = model.data(model.index(row, 0, parent), ITEM_ROLE) if model else None
        if not isinstance(item, GalleryItem):
            return False
        text = item.search_text
        return all(word in text for word in self._words)


class GalleryView(QListView):
    """Icon-mode list of thumbnails; drags items out as files.

    Signals:
        activated_item(item): an item was double-clicked or Enter was pressed on it.
    """

    activated_item = Signal(object)

    def __init__(self, side: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageGallery")
        self.setAccessibleName("Image gallery")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)  # layout never asks every row for its size
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(200)
        self.setIconSize(QSize(side, side))
        line = self.fontMetrics().lineSpacing()
        self.setGridSize(QSize(side + line, side + 2 * line))
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setSpacing(0)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.activated.connect(self._on_activated)

    def _on_activated(self, index: QModelIndex) -> None:
        item = index.data(ITEM_ROLE)
        if isinstance(item, GalleryItem):
            self.activated_item.emit(item)


def placeholder_pixmap(side: int, palette: QPalette) -> QPixmap:
    """A quiet square shown until a thumbnail arrives."""
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    colour = QColor(palette.color(QPalette.ColorRole.Mid))
    colour.setAlpha(60)
    inset = side // 10
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(inset, inset, side - 2 * inset, side - 2 * inset, 6, 6)
    painter.end()
    return pixmap
