"""ImageLibrary: the images folder, what the gallery lists, and the file actions on its images.

Every file access (listing the folder, reading an image's settings, copying one elsewhere) runs in
a worker thread; results come back as plain-data signals. Widgets never touch the store.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from orq_desktop.core.chat_types import ErrorInfo
from orq_desktop.core.image_options import request_from_settings
from orq_desktop.core.image_types import GalleryItem, ReadyImage
from orq_desktop.core.image_work import in_worker
from orq_desktop.core.tasks import report_unexpected

log = logging.getLogger(__name__)

FOLDER_KEY = "images/folder"
NO_SETTINGS = "This image holds no Orq Desktop settings, so it cannot be re-run."


class ImageLibrary(QObject):
    """The images folder and its contents.

    Args:
        folder: where images are saved and listed from.
        remember: called with the new folder whenever the user picks another one.

    Signals:
        folder_changed(folder): images now go to (and are listed from) this folder.
        listed(folder, items): the folder's images (``GalleryItem``), newest first.
        added(item): a new image was saved into the current folder.
        settings_loaded(path, request, settings): an image's request (for a re-run) and its
            full settings, read from the file.
        settings_missing(path, reason): the file holds no settings we can re-run.
        copied(destination): Save as… finished.
        copy_conflict(source, destination, taken): Save as… would replace the files ``taken``
            (the image, or the settings sidecar beside it) that it was not allowed to; nothing
            was written. Ask, then call ``save_copy`` again with ``replace=taken``.
        action_failed(error): an ``ErrorInfo`` for a file action that failed.
    """

    folder_changed = Signal(str)
    listed = Signal(str, list)
    added = Signal(object)
    settings_loaded = Signal(str, dict, dict)
    settings_missing = Signal(str, str)
    copied = Signal(str)
    copy_conflict = Signal(str, str, list)
    action_failed = Signal(object)

    def __init__(
        self,
        folder: Path,
        *,
        remember: Callable[[Path], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._folder = Path(folder)
        self._remember = remember
        self._tasks: set[asyncio.Task[Any]] = set()
        self._generation = itertools.count(1)
        self._listing = 0
        self._items: list[GalleryItem] = []

    @classmethod
    def from_qsettings(
        cls, settings: QSettings, default: Path, parent: QObject | None = None
    ) -> ImageLibrary:
        """A library whose folder is kept in ``settings`` under ``images/folder``."""
        stored = settings.value(FOLDER_KEY)
        folder = Path(stored) if isinstance(stored, str) and stored else default

        def remember(path: Path) -> None:
            settings.setValue(FOLDER_KEY, str(path))
            settings.sync()

        return cls(folder, remember=remember, parent=parent)

    # -- state ------------------------------------------------------------------------------------

    def folder(self) -> Path:
        return self._folder

    @property
    def items(self) -> list[GalleryItem]:
        """What the last listing found, plus images added since (newest first)."""
        return list(self._items)

    @property
    def busy(self) -> bool:
        return any(not t.done() for t in self._tasks)

    # -- actions ----------------------------------------------------------------------------------

    def set_folder(self, folder: Path | str) -> None:
        """Save new images in ``folder`` from now on, remember it, and list it."""
        path = Path(folder).expanduser()
        if path == self._folder:
            self.refresh()
            return
        self._folder = path
        if self._remember is not None:
            self._remember(path)
        self.folder_changed.emit(str(path))
        self.refresh()

    def refresh(self) -> None:
        """List the folder again (in a worker thread); ``listed`` follows."""
        self._listing = next(self._generation)
        self._spawn(self._list(self._folder, self._listing), "image-list")

    def add_ready(self, image: ReadyImage) -> None:
        """Record a freshly saved image (it becomes the gallery's first item)."""
        self._spawn(self._add(image, self._folder), "image-add")

    def load_settings(self, path: Path | str) -> None:
        """Read the request saved with the image at ``path`` (a dropped file, for a re-run)."""
        self._spawn(self._load(Path(path)), "image-settings")

    def save_copy(
        self, source: Path | str, destination: Path | str, *, replace: Iterable[Path | str] = ()
    ) -> None:
        """Copy an image and its settings to ``destination``, written atomically.

        A JPEG, WebP or GIF's settings sidecar goes to ``<destination stem>.json``. Existing
        files are replaced only if listed in ``replace``; otherwise ``copy_conflict`` follows.
        """
        allowed = tuple(Path(p) for p in replace)
        self._spawn(self._copy(Path(source), Path(destination), allowed), "image-copy")

    async def aclose(self) -> None:
        """Wait for running file work (it cannot be interrupted midway, and it is short)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    # -- internals --------------------------------------------------------------------------------

    def _spawn(self, work: Any, name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(report_unexpected)

    async def _list(self, folder: Path, generation: int) -> None:
        try:
            items = await in_worker(_scan, folder)
        except OSError as exc:
            log.warning("could not list the images folder: %s", exc.strerror)
            items = []
            self.action_failed.emit(_folder_card(folder, exc))
        if generation != self._listing or folder != self._folder:
            return  # another listing (or another folder) has been asked for since
        self._items = items
        self.listed.emit(str(folder), list(items))

    async def _add(self, image: ReadyImage, folder: Path) -> None:
        try:
            stat, here = await in_worker(_stat_in, Path(image.path), folder)
        except OSError:
            return  # removed already: nothing to show
        if not here or folder != self._folder:
            return  # saved into a folder the gallery no longer shows
        item = GalleryItem.from_ready(image, stat.st_size, stat.st_mtime)
        self._items.insert(0, item)
        self.added.emit(item)

    async def _load(self, path: Path) -> None:
        from orq_desktop.store.images import read_settings

        settings = await in_worker(read_settings, path)
        request = request_from_settings(settings) if settings is not None else None
        if settings is None or request is None:
            self.settings_missing.emit(str(path), NO_SETTINGS)
            return
        self.settings_loaded.emit(str(path), request, settings)

    async def _copy(self, source: Path, destination: Path, replace: tuple[Path, ...]) -> None:
        from orq_desktop.store.images import CopyConflictError, ImageStoreError

        try:
            await in_worker(_copy_file, source, destination, replace)
        except CopyConflictError as exc:
            self.copy_conflict.emit(str(source), str(destination), [str(p) for p in exc.paths])
            return
        except ImageStoreError as exc:
            self.action_failed.emit(_refused_card(destination, str(exc)))
            return
        except OSError as exc:
            self.action_failed.emit(_copy_card(destination, exc))
            return
        self.copied.emit(str(destination))


def _scan(folder: Path) -> list[GalleryItem]:
    """Worker thread: the folder's images as gallery items (the folder is created if missing)."""
    from orq_desktop.store.images import list_images

    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return [
        GalleryItem(
            path=str(entry.path),
            format=entry.format,
            size_bytes=entry.size_bytes,
            modified=entry.modified,
            width=entry.width,
            height=entry.height,
            settings=entry.settings,
        )
        for entry in list_images(folder)
    ]


def _stat_in(path: Path, folder: Path) -> tuple[os.stat_result, bool]:
    """Worker thread: the file's stat, and whether it lies directly in ``folder``."""
    return path.stat(), path.parent.resolve() == folder.resolve()


def _copy_file(source: Path, destination: Path, replace: tuple[Path, ...] = ()) -> None:
    """Worker thread: the image and (JPEG, WebP, GIF) its settings sidecar, all or nothing."""
    from orq_desktop.store.images import copy_image

    copy_image(source, destination, replace=replace)


def _folder_card(folder: Path, exc: OSError) -> ErrorInfo:
    return ErrorInfo(
        title="Images folder unavailable",
        message=f"{folder}: {exc.strerror or 'cannot be read'}",
        advice="Choose another images folder.",
        kind="FolderError",
    )


def _refused_card(destination: Path, reason: str) -> ErrorInfo:
    return ErrorInfo(
        title="Image not copied",
        message=reason,
        advice=f"Nothing was written as {destination.name}.",
        kind="CopyError",
    )


def _copy_card(destination: Path, exc: OSError) -> ErrorInfo:
    import errno

    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return ErrorInfo(
        title="Disk full" if full else "Image not copied",
        message=f"{destination}: {exc.strerror or 'write error'}",
        advice="Nothing was written there. Free some space or pick another place."
        if full
        else "Nothing was written there. Pick another place.",
        kind="CopyError",
    )
