"""Images decoded off the UI thread: thumbnails (cached in memory and on disk), whole images.

A view asks for the thumbnails it is about to paint; they are decoded with ``QImageReader`` and
``setScaledSize`` in a ``QThreadPool`` and come back through a signal, most recent request first,
so scrolling fast through thousands of images never queues up work for rows long gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader

from orq_desktop.core.image_work import lower_thread_priority

THUMB_SIZE = 160
MEMORY_ITEMS = 400  # 160 px thumbnails: ~100 KB each, so ~40 MB at most
MAX_PENDING = 256  # requests beyond this many (the oldest) are forgotten
THREADS = 2


def cache_name(path: str, modified_ns: int, size_bytes: int, side: int) -> str:
    """The disk cache's file name for one image at one thumbnail size (changes with the file)."""
    key = f"{path}\0{modified_ns}\0{size_bytes}\0{side}".encode("utf-8", "surrogatepass")
    return hashlib.sha1(key, usedforsecurity=False).hexdigest() + ".png"


def read_scaled(path: str, side: int) -> QImage:
    """Worker thread: ``path`` decoded to fit a ``side``×``side`` box (a null image if unreadable).

    JPEG decodes straight at the smaller size; other formats decode, then scale smoothly.
    """
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and (size.width() > side or size.height() > side):
        reader.setScaledSize(size.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


def read_full(path: str) -> QImage:
    """Worker thread: the whole image (a null image if unreadable or over the allocation cap)."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    return reader.read()


class _Relay(QObject):
    """Lives on the UI thread; workers emit through it, so the slot runs on the UI thread."""

    done = Signal(str, object, int)  # path, QImage, generation


class _ThumbJob(QRunnable):
    def __init__(
        self, relay: _Relay, path: str, side: int, cache_dir: Path | None, generation: int
    ) -> None:
        super().__init__()
        self._relay = relay
        self._path = path
        self._side = side
        self._cache_dir = cache_dir
        self._generation = generation

    def run(self) -> None:
        lower_thread_priority()
        image = QImage()
        cached: Path | None = None
        try:
            if self._cache_dir is not None:
                stat = os.stat(self._path)
                cached = self._cache_dir / cache_name(
                    self._path, stat.st_mtime_ns, stat.st_size, self._side
                )
                if cached.exists():
                    image = QImageReader(str(cached)).read()
            if image.isNull():
                image = read_scaled(self._path, self._side)
                if cached is not None and not image.isNull():
                    _store(image, cached)
        except OSError:
            image = QImage()
        self._relay.done.emit(self._path, image, self._generation)


def _store(image: QImage, target: Path) -> None:
    """Write a thumbnail to the disk cache atomically (a cache failure is not an error)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{id(image)}.part")
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
        if image.save(str(tmp), "PNG", 50):
            os.replace(tmp, target)
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


class ThumbnailLoader(QObject):
    """Decodes thumbnails on request, newest request first; keeps the latest ones in memory.

    Args:
        side: thumbnails fit in a ``side``×``side`` box.
        cache_dir: where thumbnails are kept between runs (None: memory only).
        memory_items: how many thumbnails stay in memory.

    Signals:
        loaded(path, image): a thumbnail (a ``QImage``; null if the file could not be read).
    """

    loaded = Signal(str, QImage)

    def __init__(
        self,
        side: int = THUMB_SIZE,
        *,
        cache_dir: Path | None = None,
        memory_items: int = MEMORY_ITEMS,
        threads: int = THREADS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.side = side
        self._cache_dir = cache_dir
        self._memory_items = memory_items
        self._memory: OrderedDict[str, QImage] = OrderedDict()
        self._pending: OrderedDict[str, None] = OrderedDict()  # newest last
        self._running: set[str] = set()
        self._failed: set[str] = set()  # unreadable: not tried again until forgotten
        self._generation = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self.requested = 0  # decodes started (for tests and the benchmark)

    def get(self, path: str) -> QImage | None:
        """The thumbnail if it is in memory (marked as recently used), else None."""
        image = self._memory.get(path)
        if image is not None:
            self._memory.move_to_end(path)
        return image

    def request(self, path: str) -> None:
        """Decode ``path``'s thumbnail soon (unless it is in memory or already on its way)."""
        if path in self._memory or path in self._running or path in self._failed:
            return
        self._pending[path] = None
        self._pending.move_to_end(path)
        while len(self._pending) > MAX_PENDING:
            self._pending.popitem(last=False)
        self._dispatch()

    def forget(self, path: str | None = None) -> None:
        """Drop one thumbnail (its file changed) or, with None, everything, pending work too."""
        if path is None:
            self._memory.clear()
            self._pending.clear()
            self._failed.clear()
            self._generation += 1
            self._running.clear()
        else:
            self._memory.pop(path, None)
            self._failed.discard(path)

    def wait_idle(self, msecs: int = 5000) -> bool:
        """Block until the workers are idle (tests and shutdown)."""
        return self._pool.waitForDone(msecs)

    @property
    def pending(self) -> int:
        return len(self._pending) + len(self._running)

    def _dispatch(self) -> None:
        while self._pending and len(self._running) < self._pool.maxThreadCount():
            path, _ = self._pending.popitem(last=True)  # the newest request first
            self._running.add(path)
            self.requested += 1
            self._pool.start(
                _ThumbJob(self._relay, path, self.side, self._cache_dir, self._generation)
            )

    def _on_done(self, path: str, image: object, generation: int) -> None:
        if generation != self._generation:
            self._dispatch()
            return  # forgotten while it was decoding
        self._running.discard(path)
        if isinstance(image, QImage) and not image.isNull():
            self._memory[path] = image
            while len(self._memory) > self._memory_items:
                self._memory.popitem(last=False)
        else:
            self._failed.add(path)
        self._dispatch()
        self.loaded.emit(path, image if isinstance(image, QImage) else QImage())


class _FullJob(QRunnable):
    def __init__(self, relay: _Relay, path: str, token: int) -> None:
        super().__init__()
        self._relay, self._path, self._token = relay, path, token

    def run(self) -> None:
        lower_thread_priority()
        self._relay.done.emit(self._path, read_full(self._path), self._token)


class FullImageLoader(QObject):
    """Decodes whole images for the viewer and the clipboard, one worker, latest request wins.

    Signals:
        loaded(token, path, image): the image asked for with ``token`` (null if unreadable).
    """

    loaded = Signal(int, str, QImage)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)
        self._token = 0

    def load(self, path: str) -> int:
        """Start decoding ``path``; returns the token its ``loaded`` signal will carry."""
        self._token += 1
        self._pool.start(_FullJob(self._relay, path, self._token))
        return self._token

    def wait_idle(self, msecs: int = 5000) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_done(self, path: str, image: object, token: int) -> None:
        self.loaded.emit(token, path, image if isinstance(image, QImage) else QImage())
