"""What can be done with a saved image's file: Save as…, Copy image, Open folder, choose a folder.

The file work itself (copying) goes through the image library in core; this class asks the user
where, puts images on the clipboard, and hands folders to the desktop's file manager.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QMimeData, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from orq_desktop.core.chat_types import ErrorInfo
from orq_desktop.core.image_types import GalleryItem, ReadyImage
from orq_desktop.ui.image_thumbs import FullImageLoader

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"})


class LibraryLike(Protocol):
    """What the panel needs of an ``ImageLibrary``."""

    folder_changed: Any
    listed: Any
    added: Any
    settings_loaded: Any
    settings_missing: Any
    copied: Any
    action_failed: Any

    def folder(self) -> Path: ...
    def set_folder(self, folder: Path | str) -> None: ...
    def refresh(self) -> None: ...
    def add_ready(self, image: ReadyImage) -> None: ...
    def load_settings(self, path: Path | str) -> None: ...
    def save_copy(self, source: Path | str, destination: Path | str) -> None: ...


def dropped_image(mime: QMimeData | None) -> str | None:
    """The first local image file in dropped data, or None."""
    if mime is None or not mime.hasUrls():
        return None
    for url in mime.urls():
        if url.isLocalFile():
            path = url.toLocalFile()
            if Path(path).suffix.lower() in IMAGE_SUFFIXES:
                return path
    return None


def _ask_save_path(parent: QWidget, suggested: str, filter_text: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Save image as", suggested, filter_text)
    return path


def _ask_folder(parent: QWidget, current: str) -> str:
    return QFileDialog.getExistingDirectory(parent, "Save generated images in", current)


def _path_of(image: GalleryItem | ReadyImage | str) -> str:
    return image if isinstance(image, str) else image.path


class ImageFileActions(QObject):
    """File actions for the image panel; the dialogs are attributes so tests can answer them.

    Signals:
        message(text): a short line for the status bar.
        problem(text): something the user should read next to the form.
    """

    message = Signal(str)
    problem = Signal(str)

    ask_save_path: Callable[[QWidget, str, str], str] = staticmethod(_ask_save_path)
    ask_folder: Callable[[QWidget, str], str] = staticmethod(_ask_folder)
    open_url: Callable[[QUrl], Any] = staticmethod(QDesktopServices.openUrl)

    def __init__(self, widget: QWidget, library: LibraryLike, loader: FullImageLoader) -> None:
        super().__init__(widget)
        self._widget = widget
        self._library = library
        self._loader = loader
        self._copying: dict[int, str] = {}
        loader.loaded.connect(self._on_loader_loaded)
        library.copied.connect(lambda dest: self.message.emit(f"Saved a copy as {dest}"))
        library.action_failed.connect(self._on_library_action_failed)

    def save_as(self, image: GalleryItem | ReadyImage | str) -> None:
        """Ask where, then copy the file there (its settings travel inside it)."""
        source = Path(_path_of(image))
        suffix = source.suffix.lower()
        filter_text = f"{suffix.lstrip('.').upper()} image (*{suffix});;All files (*)"
        suggested = str(Path.home() / source.name)
        target = self.ask_save_path(self._widget, suggested, filter_text)
        if not target:
            return
        destination = Path(target)
        if not destination.suffix:
            destination = destination.with_suffix(suffix)
        if destination.resolve() == source.resolve():
            self.problem.emit("That is the image itself: choose another name or folder.")
            return
        self._library.save_copy(source, destination)

    def copy_image(self, image: GalleryItem | ReadyImage | str) -> None:
        """Put the image (decoded off the UI thread) and its file on the clipboard."""
        path = _path_of(image)
        self._copying[self._loader.load(path)] = path

    def menu(
        self, image: ReadyImage, *, view: Callable[[], object], use: Callable[[], object]
    ) -> QMenu:
        """A context menu for one image: view, Save as…, Copy image, folder, use its settings."""
        menu = QMenu(self._widget)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction("View", view)
        menu.addAction("Save as…", lambda: self.save_as(image))
        menu.addAction("Copy image", lambda: self.copy_image(image))
        menu.addAction("Open containing folder", self.open_folder)
        menu.addSeparator()
        menu.addAction("Use these settings", use).setEnabled(bool(image.settings))
        return menu

    def open_folder(self) -> None:
        folder = self._library.folder()
        if not self.open_url(QUrl.fromLocalFile(str(folder))):
            self.problem.emit(f"No file manager could open {folder}.")

    def choose_folder(self) -> None:
        current = str(self._library.folder())
        chosen = self.ask_folder(self._widget, current)
        if chosen:
            self._library.set_folder(chosen)

    def _on_loader_loaded(self, token: int, path: str, image: QImage) -> None:
        if self._copying.pop(token, None) is None:
            return  # the viewer's image, not a copy
        if image.isNull():
            self.problem.emit(f"{Path(path).name} could not be read, so it was not copied.")
            return
        mime = QMimeData()
        mime.setImageData(image)
        mime.setUrls([QUrl.fromLocalFile(path)])
        QGuiApplication.clipboard().setMimeData(mime)
        self.message.emit("Image copied to the clipboard.")

    def _on_library_action_failed(self, error: ErrorInfo) -> None:
        self.problem.emit(f"{error.title}: {error.message} {error.advice}".strip())
