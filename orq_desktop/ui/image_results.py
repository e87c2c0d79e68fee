"""The results of the last Generate: one column per request (one, or up to four in grid mode).

Each column shows what it asked for, its progress with the elapsed time, the images as they are
saved (click to view, drag out as files) and an error card for anything that failed.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDrag,
    QImage,
    QMouseEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.core.chat_types import ErrorInfo
from orq_desktop.core.image_types import ReadyImage
from orq_desktop.ui.image_gallery import file_mime_data
from orq_desktop.ui.image_thumbs import ThumbnailLoader
from orq_desktop.ui.layout import spacing
from orq_desktop.ui.widgets_flow import FlowLayout
from orq_desktop.ui.widgets_labels import QuietLabel

TILE = 256  # the largest tile side; columns shrink their tiles to fit side by side
MIN_TILE = 120


def elapsed_text(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {seconds % 60:.0f} s"


class ImageTile(QLabel):
    """One saved image: a thumbnail that can be clicked (to view) or dragged out (as a file).

    Signals:
        clicked(image): the ``ReadyImage`` shown here.
        menu_requested(image, global_pos): a right-click (or the menu key) on the tile.
    """

    clicked = Signal(object)
    menu_requested = Signal(object, QPoint)

    def __init__(self, image: ReadyImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = image
        self.setObjectName("imageTile")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFixedSize(TILE, TILE)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click to view; drag into a folder to copy the file")
        self.setAccessibleName(f"Generated image {image.index} of {image.count}")
        self._press: QPoint | None = None
        self._thumb = QImage()

    def set_thumbnail(self, thumb: QImage) -> None:
        if not thumb.isNull():
            self._thumb = thumb
            self._show_thumb()

    def set_side(self, side: int) -> None:
        if side != self.width():
            self.setFixedSize(side, side)
            self._show_thumb()

    def _show_thumb(self) -> None:
        if self._thumb.isNull():
            return
        inner = self.width() - 2 * self.frameWidth()
        image = self._thumb
        if image.width() > inner or image.height() > inner:
            image = image.scaled(
                inner,
                inner,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.setPixmap(QPixmap.fromImage(image))

    def drag_mime(self) -> QMimeData:
        return file_mime_data([self.image.path])

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 (Qt override)
        self.menu_requested.emit(self.image, event.globalPos())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        start = self._press
        if start is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return
        if (
            event.position().toPoint() - start
        ).manhattanLength() < QApplication.startDragDistance():
            return
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(self.drag_mime())
        if (pixmap := self.pixmap()) is not None and not pixmap.isNull():
            drag.setPixmap(pixmap.scaledToWidth(min(96, pixmap.width())))
        drag.exec(Qt.DropAction.CopyAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        if self._press is not None and event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.image)
        self._press = None
        super().mouseReleaseEvent(event)


class ColumnErrorCard(QFrame):
    """An error card narrow enough for a grid column: the fixes wrap onto more lines.

    Every label is plain text: the message is the server's own words.

    Signals:
        action_triggered(action_id): one of the card's fixes was clicked.
    """

    action_triggered = Signal(str)

    def __init__(self, error: ErrorInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.setObjectName("errorCard")
        self.setFrameShape(QFrame.Shape.Box)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        gap = spacing(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap // 2)
        self.title_label = self._label(f"⚠ {error.title}", "errorTitle")
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.message_label = self._label(error.message, "errorMessage")
        self.advice_label = self._label(error.advice, "errorAdvice")
        for label in (self.title_label, self.message_label, self.advice_label):
            layout.addWidget(label)
        if error.trace_id:
            trace = QuietLabel(f"Trace: {error.trace_id}", self)
            trace.setObjectName("errorTraceId")
            trace.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(trace)
        self.action_buttons: dict[str, QPushButton] = {}
        host = QWidget(self)
        flow = FlowLayout(host, gap=gap // 2)
        for action in error.actions:
            button = QPushButton(action.label, host)
            button.setObjectName(f"errorAction_{action.action_id}")
            button.clicked.connect(
                lambda _=False, action_id=action.action_id: self.action_triggered.emit(action_id)
            )
            flow.addWidget(button)
            self.action_buttons[action.action_id] = button
        layout.addWidget(host)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Wrapped text needs more height in a narrow column than the layout first offers.
        needed = self.heightForWidth(event.size().width())
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)

    def _label(self, text: str, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setVisible(bool(text))
        return label


class ResultCell(QFrame):
    """One request's column.

    Signals:
        image_clicked(image): a tile was clicked.
        image_menu(image, global_pos): a tile's context menu was asked for.
        error_action(action_id): a fix on one of this column's error cards was clicked.
    """

    image_clicked = Signal(object)
    image_menu = Signal(object, QPoint)
    error_action = Signal(str)

    def __init__(self, title: str, loader: ThumbnailLoader, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("imageResultCell")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Minimum)
        gap = spacing(self)
        self._loader = loader
        self.tiles: list[ImageTile] = []
        self.cards: list[ColumnErrorCard] = []
        self.title = QuietLabel(title, self)
        self.title.setObjectName("imageResultTitle")
        self.status = QLabel(self)
        self.status.setObjectName("imageResultStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: the router gives no percentage
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(spacing(self))
        self.progress.setVisible(False)
        self._grid = QGridLayout()
        self._grid.setSpacing(gap)
        self._stage = ""
        self._side = TILE
        self._per_row = 1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(gap, gap, gap, gap)
        layout.setSpacing(gap // 2)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addLayout(self._grid)
        self._errors = QVBoxLayout()
        layout.addLayout(self._errors)
        layout.addStretch(1)
        self.set_tile_side(TILE)
        loader.loaded.connect(self._on_loader_loaded)

    def set_tile_side(self, side: int, per_row: int = 1) -> None:
        """Resize the tiles and set how many sit side by side (grid columns share the width)."""
        gap = spacing(self)
        if (side, per_row) == (self._side, self._per_row) and self.minimumWidth() > 0:
            return
        self._side, self._per_row = side, max(1, per_row)
        self.setFixedWidth(
            self._per_row * side + (self._per_row - 1) * gap + 2 * gap + 2 * self.frameWidth()
        )
        for index, tile in enumerate(self.tiles):
            tile.set_side(side)
            self._grid.removeWidget(tile)
            self._grid.addWidget(tile, *divmod(index, self._per_row))

    def sizeHint(self) -> QSize:
        # The row lays columns out by their size hint; a column's height depends on its fixed
        # width (wrapped card text), which the default hint does not take into account.
        hint = super().sizeHint()
        height = self.heightForWidth(self.minimumWidth())
        return QSize(self.minimumWidth(), max(hint.height(), height))

    def set_running(self, running: bool) -> None:
        self.progress.setVisible(running)

    def set_stage(self, text: str) -> None:
        self._stage = text
        self.status.setText(text)

    def set_elapsed(self, seconds: float) -> None:
        self.status.setText(f"{self._stage} {elapsed_text(seconds)}".strip())

    def set_status(self, text: str) -> None:
        self._stage = ""
        self.status.setText(text)

    def add_image(self, image: ReadyImage) -> ImageTile:
        tile = ImageTile(image, self)
        tile.set_side(self._side)
        tile.clicked.connect(self.image_clicked.emit)
        tile.menu_requested.connect(self.image_menu.emit)
        self._grid.addWidget(tile, *divmod(len(self.tiles), self._per_row))
        self.tiles.append(tile)
        if (thumb := self._loader.get(image.path)) is not None:
            tile.set_thumbnail(thumb)
        else:
            self._loader.request(image.path)
        return tile

    def add_error(self, error: ErrorInfo) -> ColumnErrorCard:
        card = ColumnErrorCard(error, self)
        card.action_triggered.connect(self.error_action.emit)
        self._errors.addWidget(card)
        self.cards.append(card)
        return card

    def clear(self) -> None:
        """Remove the images and error cards (before the column is tried again)."""
        for widget in [*self.tiles, *self.cards]:
            widget.setParent(None)
            widget.deleteLater()
        self.tiles.clear()
        self.cards.clear()
        self.status.clear()

    def _on_loader_loaded(self, path: str, image: QImage) -> None:
        for tile in self.tiles:
            if tile.image.path == path:
                tile.set_thumbnail(image)


class ResultsView(QScrollArea):
    """The columns of the last Generate, side by side."""

    def __init__(self, loader: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageResults")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._loader = loader
        self.cells: list[ResultCell] = []
        host = QWidget(self)
        self._row = QHBoxLayout(host)
        self._row.setContentsMargins(0, spacing(self), 0, 0)
        self._row.setSpacing(spacing(self))
        self._row.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.hint = QLabel(
            "Generated images appear here and are saved at once to the images folder.", host
        )
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setWordWrap(True)
        self._row.addWidget(self.hint)
        self.setWidget(host)

    def begin(self, titles: list[str]) -> list[ResultCell]:
        """Replace the columns with one per title; returns them in order."""
        for cell in self.cells:
            self._row.removeWidget(cell)
            cell.deleteLater()
        self.hint.setVisible(False)
        self.cells = [ResultCell(title, self._loader, self.widget()) for title in titles]
        for cell in self.cells:
            self._row.addWidget(cell, 0, Qt.AlignmentFlag.AlignTop)
        self._fit_tiles()
        return self.cells

    def tile_layout(self) -> tuple[int, int]:
        """Tile side and tiles per row that show every column without scrolling sideways.

        Several columns (grid mode) share the width, one tile wide each; a single column
        places its images side by side instead.
        """
        count = max(1, len(self.cells))
        gap = spacing(self)
        frame = 2 * gap + 4  # a column's margins and frame
        room = (self.viewport().width() - (count - 1) * gap) // count - frame
        side = max(MIN_TILE, min(TILE, room))
        per_row = max(1, (room + gap) // (side + gap)) if count == 1 else 1
        return side, per_row

    def _fit_tiles(self) -> None:
        side, per_row = self.tile_layout()
        for cell in self.cells:
            cell.set_tile_side(side, per_row)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_tiles()
