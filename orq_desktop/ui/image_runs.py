"""The requests of one Generate: a job per column, each bound to its result column.

Jobs are made on first need (one per grid column) and reused; their signals land in the column
they are running for, and the overall progress (elapsed time) is summed up for the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QPoint, Signal

from orq_desktop.core.chat_types import ErrorInfo
from orq_desktop.core.image_types import ReadyImage
from orq_desktop.ui.image_results import ResultCell, ResultsView, elapsed_text

PANEL_ACTIONS = frozenset({"retry"})


class JobLike(Protocol):
    """What the panel needs of an ``ImageJob`` (``orq_desktop.core.image_job``)."""

    started: Any
    progress: Any
    stage: Any
    image_ready: Any
    failed: Any
    refused: Any
    cancelled: Any
    finished: Any
    busy_changed: Any

    @property
    def busy(self) -> bool: ...
    def start(self, request: dict[str, Any]) -> bool: ...
    def cancel(self) -> None: ...


JobFactory = Callable[[], JobLike]


class GenerateRuns(QObject):
    """Runs the columns of a Generate and keeps their result columns up to date.

    Signals:
        busy_changed(): a job started or ended.
        status(text): the overall progress line ("Generating 2 requests… 3.4 s").
        image_saved(image): a ``ReadyImage`` was saved (any column).
        image_clicked(image): a result tile was clicked.
        image_menu(image, global_pos): a result tile's context menu was asked for.
        refused(reason): a column's request was not sent.
        failed(error): a column shows an error card.
        error_action(action_id): a fix on a card that is not "retry" (handled by the panel).
    """

    busy_changed = Signal()
    status = Signal(str)
    image_saved = Signal(object)
    image_clicked = Signal(object)
    image_menu = Signal(object, QPoint)
    refused = Signal(str)
    failed = Signal(object)
    error_action = Signal(str)

    def __init__(self, jobs: JobFactory, results: ResultsView, parent: QObject | None = None):
        super().__init__(parent)
        self._make_job = jobs
        self._results = results
        self.jobs: list[JobLike] = []
        self._cells: dict[int, ResultCell] = {}
        self._requests: dict[int, dict[str, Any]] = {}
        self._elapsed: dict[int, float] = {}

    @property
    def busy(self) -> bool:
        return any(job.busy for job in self.jobs)

    def start(self, columns: list[tuple[str, dict[str, Any]]]) -> None:
        """New result columns, one per (title, request), and a job started for each."""
        cells = self._results.begin([title for title, _ in columns])
        self._cells.clear()
        self._requests.clear()
        self._elapsed.clear()
        for index, ((_title, request), cell) in enumerate(zip(columns, cells, strict=True)):
            cell.error_action.connect(lambda action, i=index: self._on_cell_error_action(i, action))
            cell.image_clicked.connect(self.image_clicked.emit)
            cell.image_menu.connect(self.image_menu.emit)
            self._start(index, cell, request)

    def cancel(self) -> bool:
        """Cancel every running job; False when nothing was running."""
        running = [job for job in self.jobs if job.busy]
        for job in running:
            job.cancel()
        return bool(running)

    def retry(self, index: int) -> bool:
        """Send a column's request again (its error card's "Try again")."""
        cell, request = self._cells.get(index), self._requests.get(index)
        if cell is None or request is None or self._job(index).busy:
            return False
        cell.clear()
        self._start(index, cell, request)
        return True

    def request(self, index: int) -> dict[str, Any] | None:
        return self._requests.get(index)

    # -- internals --------------------------------------------------------------------------------

    def _start(self, index: int, cell: ResultCell, request: dict[str, Any]) -> None:
        self._cells[index] = cell
        self._requests[index] = request
        if self._job(index).start(request):
            cell.set_running(True)
            cell.set_stage("Sending…")

    def _job(self, index: int) -> JobLike:
        while len(self.jobs) <= index:
            i = len(self.jobs)
            job = self._make_job()
            job.progress.connect(lambda seconds, i=i: self._on_job_progress(i, seconds))
            job.stage.connect(lambda text, i=i: self._on_job_stage(i, text))
            job.image_ready.connect(lambda image, i=i: self._on_job_image_ready(i, image))
            job.failed.connect(lambda error, i=i: self._on_job_failed(i, error))
            job.refused.connect(lambda reason, i=i: self._on_job_refused(i, reason))
            job.cancelled.connect(lambda i=i: self._on_job_cancelled(i))
            job.finished.connect(lambda i=i: self._on_job_finished(i))
            job.busy_changed.connect(lambda _busy: self.busy_changed.emit())
            self.jobs.append(job)
        return self.jobs[index]

    def _on_job_progress(self, index: int, seconds: float) -> None:
        if (cell := self._cells.get(index)) is not None:
            cell.set_elapsed(seconds)
        self._elapsed[index] = seconds
        count = sum(1 for job in self.jobs if job.busy)
        what = "Generating" if count <= 1 else f"Generating {count} requests"
        self.status.emit(f"{what}… {elapsed_text(max(self._elapsed.values()))}")

    def _on_job_stage(self, index: int, text: str) -> None:
        if (cell := self._cells.get(index)) is not None:
            cell.set_stage(text)

    def _on_job_image_ready(self, index: int, image: ReadyImage) -> None:
        if (cell := self._cells.get(index)) is not None:
            cell.add_image(image)
        self.image_saved.emit(image)

    def _on_job_failed(self, index: int, error: ErrorInfo) -> None:
        if (cell := self._cells.get(index)) is not None:
            cell.add_error(error)
        self.failed.emit(error)

    def _on_job_refused(self, index: int, reason: str) -> None:
        if (cell := self._cells.get(index)) is not None:
            cell.set_status(f"Not sent: {reason}")
        self.refused.emit(reason)

    def _on_job_cancelled(self, index: int) -> None:
        if (cell := self._cells.get(index)) is not None:
            cell.set_status("Cancelled; images already saved are kept.")

    def _on_job_finished(self, index: int) -> None:
        cell = self._cells.get(index)
        if cell is not None:
            cell.set_running(False)
            took = elapsed_text(self._elapsed.get(index, 0.0))
            if cell.tiles and not cell.cards:
                cell.set_status(f"Done in {took}.")
            elif cell.cards and not cell.tiles:
                cell.set_status(f"Failed after {took}.")
            elif cell.cards:
                cell.set_status(f"Partly done in {took}.")
        if not self.busy:
            total = max(self._elapsed.values(), default=0.0)
            self.status.emit(f"Finished in {elapsed_text(total)}." if total else "")

    def _on_cell_error_action(self, index: int, action: str) -> None:
        if action == "retry":
            self.retry(index)
        else:
            self.error_action.emit(action)
