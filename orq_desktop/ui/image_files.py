"""What can be done with a saved image's file: Save as…, Copy image, Open folder, choose a folder.

The file work itself (copying) goes through the image library in core; this class asks the user
where, puts images on the clipboard, and hands folders to the desktop's file manager.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QMimeData, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QWidget

from orq_desktop.core.chat_types import ErrorInfo
from orq_desktop.core.image_types import GalleryItem, ReadyImage
from orq_desktop.ui.image_thumbs import FullImageLoader
from orq_desktop.ui.widgets_dialogs import ask_plainly

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"})


class LibraryLike(Protocol):
    """What the panel needs of an ``ImageLibrary``."""

    folder_changed: Any
    listed: Any
    added: Any
    settings_loaded: Any
    settings_missing: Any
    copied: Any
    copy_conflict: Any
    action_failed: Any

    def folder(self) -> Path: ...
    def set_folder(self, folder: Path | str) -> None: ...
    def refresh(self) -> None: ...
    def add_ready(self, image: ReadyImage) -> None: ...
    def load_settings(self, path: Path | str) -> None: ...
    def save_copy(
        self, source: Path | str, destination: Path | str, *, replace: Iterable[Path | str] = ()
    ) -> None: ...


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


def _ask_save_path(parent: QWidget, suggested: str, filter_text: str, suffix: str) -> str:
    """The save dialog; it adds ``suffix`` to a bare name before its own overwrite question."""
    dialog = QFileDialog(parent, "Save image as", suggested, filter_text)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.setDefaultSuffix(suffix.lstrip("."))
    dialog.selectFile(suggested)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return ""
        return dialog.selectedFiles()[0]
    finally:
        dialog.deleteLater()


def _ask_replace(parent: QWidget, names: list[str]) -> bool:
    listed = "\n".join(names)
    text = f"{'These files already exist' if len(names) > 1 else 'This file already exists'}:"
    return ask_plainly(
        parent,
        "Replace?",
        f"{text}\n\n{listed}\n\nReplace {'them' if len(names) > 1 else 'it'}?",
        QMessageBox.StandardButton.Yes,
    )


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

    ask_save_path: Callable[[QWidget, str, str, str], str] = staticmethod(_ask_save_path)
    ask_replace: Callable[[QWidget, list[str]], bool] = staticmethod(_ask_replace)
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
        library.copy_conflict.connect(self._on_copy_conflict)
        library.action_failed.connect(self._on_library_action_failed)

    def save_as(self, image: GalleryItem | ReadyImage | str) -> None:
        """Ask where, then copy the file there with its settings (inside it, or its sidecar).

        Nothing is replaced without a question: the dialog asks about the name it returns; a
        name we complete with the extension afterwards, or a settings sidecar the copy would
        replace, comes back from the library as a conflict and is asked about then.
        """
        source = Path(_path_of(image))
        suffix = source.suffix.lower()
        filter_text = f"{suffix.lstrip('.').upper()} image (*{suffix});;All files (*)"
        suggested = str(Path.home() / source.name)
        target = self.ask_save_path(self._widget, suggested, filter_text, suffix)
        if not target:
            return
        destination = Path(target)
        if not destination.suffix:
            destination = destination.with_suffix(suffix)
        if destination.resolve() == source.resolve():
            self.problem.emit("That is the image itself: choose another name or folder.")
            return
        # The dialog itself asked before returning an existing name unchanged.
        agreed = [destination] if destination == Path(target) and destination.exists() else []
        self._library.save_copy(source, destination, replace=agreed)

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

    def _on_copy_conflict(self, source: str, destination: str, taken: list[str]) -> None:
        if self.ask_replace(self._widget, taken):
            self._library.save_copy(source, destination, replace=taken)
        else:
            self.message.emit(f"Not saved: {Path(destination).name} was left as it was.")

    def _on_library_action_failed(self, error: ErrorInfo) -> None:
        self.problem.emit(f"{error.title}: {error.message} {error.advice}".strip())
