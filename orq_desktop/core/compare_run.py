"""CompareRun: one prompt sent at once to 2-6 columns, each its own asyncio task.

Widgets call ``start`` / ``stop`` / ``stop_all`` / ``retry_column`` and listen to the signals,
which carry a column index and plain data. A column's failure ends that column only: each task
catches its own errors and turns them into an error card, so the others keep streaming.

History is a hook, not a dependency: give the run a :class:`CompareRecorder` and its coroutines
are awaited in order on a chain of small tasks (the prompt before any column sends, each column's
row before it sends, its text at most once a second, its end). A recorder that fails is reported
with ``history_problem`` and never stops a column.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import dataclasses
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from orq_desktop.core.answers import answer_info
from orq_desktop.core.chat_types import AnswerInfo, MessageState
from orq_desktop.core.compare_reader import ColumnReader
from orq_desktop.core.compare_types import (
    MAX_COLUMNS,
    MIN_COLUMNS,
    ColumnConfig,
    ColumnResult,
    ComparePrompt,
    CompareRecorder,
    CompareRunInfo,
    with_inputs,
)
from orq_desktop.core.tasks import report_unexpected
from orq_desktop.domain.ids import ulid

if TYPE_CHECKING:
    from orq_desktop.api.client import RouterClient
    from orq_desktop.api.models import ChatRequest

log = logging.getLogger(__name__)

# Either Connection.client (built on first use) or Connection.prepared (built in a thread).
ClientProvider = Callable[[], "RouterClient | Awaitable[RouterClient]"]
PROGRESS_INTERVAL_S = 1.0  # how often a streaming column's text is handed to the recorder


class CompareRun(QObject):
    """Runs one compare at a time; each column is one task.

    Signals:
        run_started(run_id, columns): a run began with that many columns.
        column_started(index, model): column ``index`` is sending (again, after a retry).
        column_delta(index, text): a piece of column ``index``'s answer, in order.
        column_finished(index, result): column ``index`` ended; ``result`` is a
            :class:`ColumnResult` (its ``error`` is the card when it failed).
        column_busy_changed(index, busy)
        busy_changed(busy): some column is running / none is.
        start_refused(reason): nothing was sent (too few columns, a column's options are
            not valid, a run is still going).
        history_problem(text): the recorder failed; the answers are not affected.
    """

    run_started = Signal(str, int)
    column_started = Signal(int, str)
    column_delta = Signal(int, str)
    column_finished = Signal(int, object)
    column_busy_changed = Signal(int, bool)
    busy_changed = Signal(bool)
    start_refused = Signal(str)
    history_problem = Signal(str)

    def __init__(
        self,
        client: ClientProvider,
        *,
        recorder: CompareRecorder | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._client = client
        self.recorder = recorder
        self._run: CompareRunInfo | None = None
        self._requests: list[ChatRequest] = []
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._results: dict[int, ColumnResult] = {}
        self._record_tail: asyncio.Task[None] | None = None
        self._record_tasks: set[asyncio.Task[None]] = set()

    # -- state ------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return any(not t.done() for t in self._tasks.values())

    def column_busy(self, index: int) -> bool:
        task = self._tasks.get(index)
        return task is not None and not task.done()

    @property
    def run_info(self) -> CompareRunInfo | None:
        return self._run

    def result(self, index: int) -> ColumnResult | None:
        return self._results.get(index)

    def results(self) -> tuple[ColumnResult | None, ...]:
        count = len(self._run.columns) if self._run is not None else 0
        return tuple(self._results.get(i) for i in range(count))

    # -- actions ----------------------------------------------------------------------------------

    def start(self, prompt: ComparePrompt, columns: Sequence[ColumnConfig]) -> str | None:
        """Send ``prompt`` to every column; returns the run id, or None (and says why)."""
        if self.busy:
            self.start_refused.emit("Answers are still arriving: stop them first.")
            return None
        if not MIN_COLUMNS <= len(columns) <= MAX_COLUMNS:
            self.start_refused.emit(
                f"Compare needs {MIN_COLUMNS} to {MAX_COLUMNS} columns (there are {len(columns)})."
            )
            return None
        if not prompt.prompt.strip():
            self.start_refused.emit("Type a prompt first.")
            return None
        built = [self._build(prompt, i, c) for i, c in enumerate(columns)]
        problems = [p for _req, _body, p in built if p]
        if problems:
            self.start_refused.emit("\n".join(problems))
            return None
        self._requests = [req for req, _body, _p in built if req is not None]
        run = CompareRunInfo(
            run_id=f"compare_{ulid()}",
            prompt=prompt,
            columns=tuple(columns),
            bodies=tuple(body for _req, body, _p in built),
        )
        self._run = run
        self._results.clear()
        self._tasks.clear()
        recorder = self.recorder
        if recorder is not None:
            self._record(lambda: recorder.before_send(run))
        self.run_started.emit(run.run_id, len(columns))
        was_busy = False
        for index in range(len(columns)):
            self._start_column(index, was_busy=was_busy)
            was_busy = True
        return run.run_id

    def retry_column(self, index: int, config: ColumnConfig | None = None) -> bool:
        """Ask column ``index`` again (with ``config`` if given); the other columns are kept."""
        run = self._run
        if run is None or not 0 <= index < len(run.columns) or self.column_busy(index):
            return False
        config = config or run.columns[index]
        request, body, problem = self._build(run.prompt, index, config)
        if request is None:
            self.start_refused.emit(problem)
            return False
        columns, bodies = list(run.columns), list(run.bodies)
        columns[index], bodies[index] = config, body
        self._run = dataclasses.replace(run, columns=tuple(columns), bodies=tuple(bodies))
        self._requests[index] = request
        self._results.pop(index, None)
        self._start_column(index, was_busy=self.busy)
        return True

    def stop(self, index: int) -> None:
        """Stop one column; its text so far is kept, the others continue."""
        task = self._tasks.get(index)
        if task is not None:
            task.cancel()

    def stop_all(self) -> None:
        for task in self._tasks.values():
            task.cancel()

    async def aclose(self) -> None:
        """Stop every column, wait for them and for the recorder; call before the loop stops."""
        self.stop_all()
        running = [t for t in self._tasks.values() if not t.done()]
        for task in running:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        while self._record_tasks:
            await asyncio.wait(set(self._record_tasks))

    # -- internals: requests -----------------------------------------------------------------------

    def _build(
        self, prompt: ComparePrompt, index: int, config: ColumnConfig
    ) -> tuple[ChatRequest | None, dict[str, Any], str]:
        """The column's request, its body, and "" (or the reason it cannot be sent)."""
        from pydantic import ValidationError

        from orq_desktop.api.models import ChatRequest, friendly_errors

        body: dict[str, Any] = {**copy.deepcopy(config.options), "messages": prompt.messages()}
        if not body.get("orq"):
            body.pop("orq", None)
        if prompt.variables:
            body["orq"] = with_inputs(body.get("orq") or {}, prompt.variables)
        if body.get("stream") and "stream_options" not in body:
            body["stream_options"] = {"include_usage": True}  # tokens for the footer and chart
        try:
            return ChatRequest.model_validate(body), body, ""
        except ValidationError as exc:
            where = f"Column {index + 1} ({config.model or 'no model'})"
            return None, body, f"{where}: " + " ".join(friendly_errors(exc))

    # -- internals: columns ------------------------------------------------------------------------

    def _start_column(self, index: int, *, was_busy: bool) -> None:
        run = self._run
        assert run is not None
        request = self._requests[index]
        recorder = self.recorder
        ready: asyncio.Task[None] | None = None
        if recorder is not None:
            ready = self._record(lambda: recorder.column_started(run, index))
        self.column_started.emit(index, request.model)
        task = asyncio.create_task(
            self._column(run.run_id, index, request, ready), name=f"compare-column-{index}"
        )
        self._tasks[index] = task
        task.add_done_callback(report_unexpected)
        task.add_done_callback(lambda t: self._on_column_done(run.run_id, index, request, t))
        self.column_busy_changed.emit(index, True)
        if not was_busy:
            self.busy_changed.emit(True)

    def _on_column_done(
        self, run_id: str, index: int, request: ChatRequest, task: asyncio.Task[None]
    ) -> None:
        if self._tasks.get(index) is task:
            if index not in self._results:  # cancelled before its first step: nothing was sent
                info = AnswerInfo(primary_model=request.model)
                self._end(run_id, index, [], MessageState.STOPPED, info, None, 0.0)
            self.column_busy_changed.emit(index, False)
        if not self.busy:
            self.busy_changed.emit(False)

    async def _column(
        self, run_id: str, index: int, request: ChatRequest, ready: asyncio.Task[None] | None
    ) -> None:
        from orq_desktop.api.errors import RouterError
        from orq_desktop.core.error_cards import error_card

        reader = ColumnReader(
            lambda text: self.column_delta.emit(index, text),
            progress=(lambda text: self._progress(index, text)) if self.recorder else None,
            progress_s=PROGRESS_INTERVAL_S,
        )
        parts = reader.parts
        started = time.monotonic()
        info = AnswerInfo(primary_model=request.model)
        try:
            if ready is not None:
                await asyncio.wait([ready])  # persisted before it is sent; never cancels ready
            started = time.monotonic()
            provided = self._client()
            client = await provided if inspect.isawaitable(provided) else provided
            if request.stream:
                async with client.stream(request) as stream:
                    await reader.read(aiter(stream), started)
                    result = stream.result()
            else:
                result = await client.complete(request)
                if result.text:
                    parts.append(result.text)
                    self.column_delta.emit(index, result.text)
            info = answer_info(request.model, result)
        except asyncio.CancelledError:
            reader.flush()
            elapsed = time.monotonic() - started
            ttft = reader.first_token_s
            self._end(run_id, index, parts, MessageState.STOPPED, info, ttft, elapsed)
            raise
        except Exception as exc:  # one column's failure is shown in that column only
            reader.flush()
            if not isinstance(exc, RouterError):
                log.exception("compare column %d failed unexpectedly", index + 1)
            card = error_card(exc)
            state = MessageState.INTERRUPTED if parts else MessageState.ERROR
            info = dataclasses.replace(info, trace_id=card.trace_id)
            elapsed = time.monotonic() - started
            ttft = reader.first_token_s
            self._end(run_id, index, parts, state, info, ttft, elapsed, card)
            return
        self._end(run_id, index, parts, MessageState.COMPLETE, info)

    def _end(
        self,
        run_id: str,
        index: int,
        parts: list[str],
        state: MessageState,
        info: AnswerInfo,
        ttft_s: float | None = None,
        total_s: float | None = None,
        error: Any = None,
    ) -> None:
        run = self._run
        if run is None or run.run_id != run_id:
            return  # a run that was replaced meanwhile
        if total_s is not None:
            info = dataclasses.replace(info, ttft_s=ttft_s, total_s=total_s)
        result = ColumnResult(index, run.columns[index], "".join(parts), state, info, error)
        self._results[index] = result
        self.column_finished.emit(index, result)
        recorder = self.recorder
        if recorder is not None:
            self._record(lambda: recorder.column_finished(run, result))

    # -- internals: the recorder chain ----------------------------------------------------------

    def _progress(self, index: int, text: str) -> None:
        run, recorder = self._run, self.recorder
        if run is not None and recorder is not None:
            self._record(lambda: recorder.column_progress(run, index, text))

    def _record(self, job: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run ``job`` after every job queued before it; its failure is reported, not raised."""
        previous = self._record_tail

        async def run_job() -> None:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])
            try:
                await job()
            except Exception as exc:
                log.warning("compare history recorder failed: %s", type(exc).__name__)
                self.history_problem.emit(f"The compare could not be saved in the history: {exc}")

        task = asyncio.create_task(run_job(), name="compare-record")
        self._record_tail = task
        self._record_tasks.add(task)
        task.add_done_callback(self._record_tasks.discard)
        task.add_done_callback(report_unexpected)
        return task
