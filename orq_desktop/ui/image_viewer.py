"""The image viewer: fit or zoom (Ctrl+wheel, + and −, Fit), with the image's settings below."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QImage,
    QKeySequence,
    QPainter,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.ui.image_details import ImageDetails
from orq_desktop.ui.image_thumbs import FullImageLoader
from orq_desktop.ui.layout import hbox, line_height, spacing
from orq_desktop.ui.widgets_labels import QuietLabel

MIN_ZOOM = 0.05
MAX_ZOOM = 16.0
STEP = 1.25


class ZoomView(QGraphicsView):
    """Shows one image; fits it to the view until the user zooms.

    Signals:
        zoom_changed(zoom): the scale now applied (1.0 = actual pixels).
    """

    zoom_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageZoomView")
        self.setScene(QGraphicsScene(self))
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self._item)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.fitting = True

    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def has_image(self) -> bool:
        return not self._item.pixmap().isNull()

    def set_image(self, image: QImage | None) -> None:
        pixmap = QPixmap.fromImage(image) if image is not None else QPixmap()
        self._item.setPixmap(pixmap)
        self.scene().setSceneRect(QRectF(pixmap.rect()))
        self.fit()

    def fit(self) -> None:
        """Scale the whole image into the view (never above 4×, so a tiny image stays crisp)."""
        self.fitting = True
        self.resetTransform()
        if self.has_image():
            rect = self._item.boundingRect()
            view = self.viewport().rect()
            scale = min(view.width() / rect.width(), view.height() / rect.height(), 4.0)
            self._apply(max(MIN_ZOOM, scale))
        else:
            self.zoom_changed.emit(1.0)

    def zoom_by(self, factor: float) -> None:
        self.fitting = False
        self._apply(min(MAX_ZOOM, max(MIN_ZOOM, self.zoom * factor)))

    def set_zoom(self, zoom: float) -> None:
        self.fitting = False
        self._apply(min(MAX_ZOOM, max(MIN_ZOOM, zoom)))

    def _apply(self, zoom: float) -> None:
        current = self.zoom
        if current > 0:
            self.scale(zoom / current, zoom / current)
        self.zoom_changed.emit(self.zoom)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier and self.has_image():
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(STEP**steps)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fitting:
            self.fit()


class ImageViewer(QWidget):
    """One image with its zoom controls, and its settings panel underneath.

    Signals:
        image_shown(path): the image finished loading and is on screen.
    """

    image_shown = Signal(str)

    def __init__(self, loader: FullImageLoader | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("imageViewer")
        self.setAccessibleName("Image viewer")
        gap = spacing(self)
        self._loader = loader or FullImageLoader(self)
        self._loader.loaded.connect(self._on_loader_loaded)
        self._token = 0
        self._path = ""
        self.view = ZoomView(self)
        self.details = ImageDetails(self)
        self.zoom_label = QuietLabel("", self)
        self.zoom_label.setObjectName("imageZoomLabel")
        self.zoom_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("1600%") + gap)
        self.zoom_out_action = self._action("−", "Zoom out (−)", ["-", "Ctrl+-"], self._zoom_out)
        self.zoom_in_action = self._action(
            "+", "Zoom in (+)", ["+", "=", "Ctrl++", "Ctrl+="], self._zoom_in
        )
        self.fit_action = self._action(
            "Fit", "Fit the image to the view (F)", ["F", "Ctrl+0"], self.view.fit
        )
        self.actual_action = self._action(
            "100%", "Actual pixels (1)", ["1"], lambda: self.view.set_zoom(1.0)
        )
        buttons = []
        for action in (
            self.zoom_out_action,
            self.zoom_in_action,
            self.fit_action,
            self.actual_action,
        ):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            buttons.append(button)
        self.caption = QuietLabel("Select an image to see it here.", self)
        self.caption.setObjectName("imageViewerCaption")

        details_scroll = QScrollArea(self)
        details_scroll.setWidgetResizable(True)
        details_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        details_scroll.setWidget(self.details)
        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(gap // 2)
        top_layout.addLayout(hbox(0, gap // 2, self.caption, *buttons, self.zoom_label))
        top_layout.addWidget(self.view, 1)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("imageViewerSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(details_scroll)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([line_height(self, 24), line_height(self, 9)])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.view.zoom_changed.connect(self._on_view_zoom_changed)
        self._set_enabled(False)

    # -- public ---------------------------------------------------------------------------------

    def current_path(self) -> str:
        return self._path

    def show_image(
        self,
        path: str,
        settings: dict[str, Any] | None,
        *,
        width: int | None = None,
        height: int | None = None,
        size_bytes: int | None = None,
    ) -> None:
        """Show the image at ``path`` (decoded off the UI thread) and its settings."""
        self._path = path
        self.details.show_settings(
            path, settings, width=width, height=height, size_bytes=size_bytes
        )
        self.caption.set_full_text("Loading…")
        self._token = self._loader.load(path)

    def clear(self) -> None:
        self._path = ""
        self._token = -1
        self.view.set_image(None)
        self.details.clear()
        self.caption.set_full_text("Select an image to see it here.")
        self._set_enabled(False)

    # -- internals --------------------------------------------------------------------------------

    def _action(self, text: str, tip: str, keys: list[str], slot: Any) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _set_enabled(self, enabled: bool) -> None:
        for action in (
            self.zoom_out_action,
            self.zoom_in_action,
            self.fit_action,
            self.actual_action,
        ):
            action.setEnabled(enabled)

    def _zoom_in(self) -> None:
        self.view.zoom_by(STEP)

    def _zoom_out(self) -> None:
        self.view.zoom_by(1 / STEP)

    def _on_loader_loaded(self, token: int, path: str, image: QImage) -> None:
        if token != self._token:
            return  # another image was asked for since
        if image.isNull():
            self.view.set_image(None)
            self.caption.set_full_text("This image cannot be shown (unreadable or too large).")
            self._set_enabled(False)
            return
        self.view.set_image(image)
        self.caption.set_full_text(f"{image.width()}×{image.height()}")
        self._set_enabled(True)
        self.image_shown.emit(path)

    def _on_view_zoom_changed(self, zoom: float) -> None:
        self.zoom_label.set_full_text(f"{zoom * 100:.0f}%" if self.view.has_image() else "")
