"""ImageJob: one image request at a time, owned as an asyncio task, every image saved on arrival.

Widgets call ``start(request)`` / ``cancel()`` and listen to the signals; they never await and
never see httpx or the store. Base64 answers are decoded strictly and link answers downloaded at
once (links expire); the bytes are checked to be an image within the allocation cap, then saved
with their settings. Decoding, checking and writing run in worker threads, never on the UI thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from orq_desktop.core.image_cards import image_error_card, no_images_card
from orq_desktop.core.image_types import ReadyImage
from orq_desktop.core.image_work import in_worker
from orq_desktop.core.tasks import report_unexpected

if TYPE_CHECKING:
    from orq_desktop.api.client import GeneratedImage, RouterClient
    from orq_desktop.api.downloads import ImageDownloader
    from orq_desktop.api.models import ImageRequest

log = logging.getLogger(__name__)

ClientProvider = Callable[[], "RouterClient"]
PROGRESS_MS = 100
MAX_IMAGE_BYTES = 32 * 1024 * 1024  # decoded base64 or a download: larger answers are refused


class ImageJob(QObject):
    """Runs one image request and saves what comes back into the images folder.

    Args:
        client: gives the shared ``RouterClient`` (``Connection.client``).
        folder: gives the images folder; read when a request starts.
        secrets: gives strings (the API key) that must never reach a saved file.

    Signals:
        started(request): a request was accepted and sent (the SDK-style dictionary).
        progress(elapsed_s): about ten times a second while the job runs.
        stage(text): what the job is doing, in plain words ("Downloading image 1 of 2…").
        image_ready(image): a ``ReadyImage``, already saved.
        failed(error): an ``ErrorInfo`` card; for one image of several, the others still come.
        refused(reason): the request is not valid; nothing was sent.
        cancelled(): the user cancelled; an image being written at that moment is kept.
        finished(): the job is over (after any of the above).
        busy_changed(busy)
    """

    started = Signal(object)
    progress = Signal(float)
    stage = Signal(str)
    image_ready = Signal(object)
    failed = Signal(object)
    refused = Signal(str)
    cancelled = Signal()
    finished = Signal()
    busy_changed = Signal(bool)

    def __init__(
        self,
        client: ClientProvider,
        folder: Callable[[], Path],
        *,
        secrets: Callable[[], Iterable[str]] = tuple,
        max_image_bytes: int = MAX_IMAGE_BYTES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._folder = folder
        self._secrets = secrets
        self._max_bytes = max_image_bytes
        self._task: asyncio.Task[None] | None = None
        self._started_at = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(PROGRESS_MS)
        self._timer.timeout.connect(self._on_timer_timeout)

    # -- state ------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def elapsed(self) -> float:
        """Seconds since the running request started (0 when idle)."""
        return time.monotonic() - self._started_at if self.busy else 0.0

    # -- actions ----------------------------------------------------------------------------------

    def start(self, request: Mapping[str, Any]) -> bool:
        """Validate ``request`` and send it. Returns False (and emits ``refused``) if refused."""
        if self.busy:
            self.refused.emit("Images are still being generated: cancel them first.")
            return False
        validated = self._validate(request)
        if validated is None:
            return False
        plain = dict(request)
        self._started_at = time.monotonic()
        self._task = asyncio.create_task(self._run(validated, plain), name="image-job")
        self._task.add_done_callback(report_unexpected)
        self._task.add_done_callback(self._on_task_done)
        self._timer.start()
        self.busy_changed.emit(True)
        self.started.emit(plain)
        return True

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def aclose(self) -> None:
        """Cancel a running request and wait for it; call before the loop stops."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # -- internals --------------------------------------------------------------------------------

    def _validate(self, request: Mapping[str, Any]) -> ImageRequest | None:
        from pydantic import ValidationError

        from orq_desktop.api.models import ImageRequest, friendly_errors

        if not str(request.get("prompt", "")).strip():
            self.refused.emit("Describe the image first.")
            return None
        try:
            return ImageRequest.model_validate(dict(request))
        except ValidationError as exc:
            self.refused.emit("\n".join(friendly_errors(exc)))
            return None

    def _on_timer_timeout(self) -> None:
        if self.busy:
            self.progress.emit(self.elapsed())

    def _on_task_done(self, _task: asyncio.Task[None]) -> None:
        self._timer.stop()
        self.busy_changed.emit(False)
        self.finished.emit()

    async def _run(self, request: ImageRequest, plain: dict[str, Any]) -> None:
        folder = self._folder()
        secrets = tuple(s for s in self._secrets() if s)
        downloader: ImageDownloader | None = None
        try:
            self.stage.emit("Waiting for the router…")
            result = await self._client().generate_images(request)
            self.progress.emit(self.elapsed())
            if not result.images:
                self.failed.emit(no_images_card())
                return
            settings = {k: v for k, v in plain.items() if k != "prompt"}
            answer = {"trace_id": result.trace_id, "seconds": round(result.timings.total_s, 3)}
            count = len(result.images)
            for index, item in enumerate(result.images, 1):
                try:
                    if item.url and not item.b64_json and downloader is None:
                        from orq_desktop.api.downloads import ImageDownloader

                        downloader = ImageDownloader()
                    data = await self._fetch(item, index, count, downloader)
                    self.stage.emit(_counted("Saving image", index, count))
                    saved = await _uncancellable(
                        in_worker(
                            _save,
                            folder,
                            data,
                            {**settings, "revised_prompt": item.revised_prompt, "result": answer},
                            request.prompt,
                            index,
                            secrets,
                        )
                    )
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    if not _expected(exc):
                        log.exception("image %d of %d failed unexpectedly", index, count)
                    self.failed.emit(image_error_card(exc, index=index, count=count))
                    if _stops_the_rest(exc):
                        return
                    continue
                self.image_ready.emit(_ready(saved, item, index, count))
        except asyncio.CancelledError:
            self.cancelled.emit()
            raise
        except Exception as exc:  # every failure is shown where the user is looking
            if not _expected(exc):
                log.exception("image request failed unexpectedly")
            self.failed.emit(image_error_card(exc))
        finally:
            if downloader is not None:
                await downloader.aclose()

    async def _fetch(
        self,
        item: GeneratedImage,
        index: int,
        count: int,
        downloader: ImageDownloader | None,
    ) -> bytes:
        from orq_desktop.store.images import InvalidImageError, decode_b64_image

        if item.b64_json:
            self.stage.emit(_counted("Decoding image", index, count))
            return await in_worker(decode_b64_image, item.b64_json, self._max_bytes)
        if item.url and downloader is not None:
            self.stage.emit(_counted("Downloading image", index, count))
            return await downloader.fetch(item.url, self._max_bytes)
        raise InvalidImageError("The router's answer holds neither image data nor a link.")


async def _uncancellable[T](work: Coroutine[Any, Any, T]) -> T:
    """Await ``work``; a cancel arriving meanwhile waits for it to end, then is re-raised.

    A file being written when the user cancels is finished and reported, never half-known.
    """
    future = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await future
        raise


def _save(
    folder: Path,
    data: bytes,
    settings: dict[str, Any],
    prompt: str,
    index: int,
    secrets: tuple[str, ...],
) -> tuple[Path, str, int, int, dict[str, Any]]:
    """Worker thread: check, save, and read back what was embedded (the proof it is there)."""
    from orq_desktop.store.images import read_settings, save_generated_image

    saved = save_generated_image(
        folder, data, settings, prompt=prompt, index=index, secrets=secrets
    )
    embedded = read_settings(saved.path) or {}
    return saved.path, saved.info.format, saved.info.width, saved.info.height, embedded


def _ready(
    saved: tuple[Path, str, int, int, dict[str, Any]],
    item: GeneratedImage,
    index: int,
    count: int,
) -> ReadyImage:
    path, fmt, width, height, embedded = saved
    return ReadyImage(
        path=str(path),
        settings=embedded,
        width=width,
        height=height,
        revised_prompt=item.revised_prompt,
        index=index,
        count=count,
        format=fmt,
    )


def _counted(text: str, index: int, count: int) -> str:
    return f"{text} {index} of {count}…" if count > 1 else f"{text}…"


def _expected(exc: BaseException) -> bool:
    """Failures with a card of their own (anything else is logged as a bug too)."""
    from orq_desktop.api.errors import RouterError
    from orq_desktop.core.connection import MissingApiKeyError
    from orq_desktop.store.images import ImageStoreError

    return isinstance(exc, RouterError | ImageStoreError | MissingApiKeyError)


def _stops_the_rest(exc: BaseException) -> bool:
    """A full disk or an unwritable folder fails every later image the same way."""
    from orq_desktop.store.images import ImageSaveError

    return isinstance(exc, ImageSaveError)


class ImageJobs(QObject):
    """Makes the image jobs the panel asks for (one per grid column) and closes them all.

    The composition root passes ``jobs.make`` to the image panel and awaits ``jobs.aclose()``
    at shutdown, so no request outlives the window.
    """

    def __init__(
        self,
        client: ClientProvider,
        folder: Callable[[], Path],
        *,
        secrets: Callable[[], Iterable[str]] = tuple,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self._folder = folder
        self._secrets = secrets
        self.made: list[ImageJob] = []

    def make(self) -> ImageJob:
        job = ImageJob(self._client, self._folder, secrets=self._secrets, parent=self)
        self.made.append(job)
        return job

    async def aclose(self) -> None:
        """Cancel every running job and wait for them."""
        await asyncio.gather(*(job.aclose() for job in self.made))
