"""A compare run in the history: one thread of kind ``compare``, its columns, and back again.

:class:`HistoryCompareRecorder` is the :class:`CompareRecorder` that writes through the history's
database thread (``DbWorker``): the thread, the system prompt and the prompt before any column
sends; one assistant message per column (``column_index``), created as ``streaming`` before the
column sends and saved at most once a second; its run (model, timings, tokens, error) when it
ends. The messages go through the store's full-text index, so a compare is found by search like
any chat.

:func:`saved_from_detail` reads such a thread back as a :class:`SavedCompare` for the Compare tab,
and :meth:`HistoryCompareRecorder.save_as_chat` writes one column as a new chat thread (the
prompt and that column's answer), which the history then opens in the chat like any other.

The recorder works through anything with the history session's ``worker``, ``writable`` and
``live_store()`` (:class:`~orq_desktop.core.history_session.HistorySession`, or a
:class:`DirectHistory` over a store and its worker). While the history is unavailable or
read-only, nothing is written and compares run as usual.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState
from orq_desktop.core.compare_types import (
    ColumnConfig,
    ColumnResult,
    ComparePrompt,
    CompareRecorder,
    CompareRunInfo,
    SavedCompare,
)
from orq_desktop.core.history_records import (
    error_text,
    saved_error,
    title_from,
    unreadable_card,
)

if TYPE_CHECKING:
    from orq_desktop.store.db_worker import DbWorker
    from orq_desktop.store.history import HistoryStore
    from orq_desktop.store.history_types import MessageRecord, RunRecord, ThreadDetail

THREAD_KIND = "compare"
TITLE_CHARS = 80
OPTIONS_FORMAT = "orq-desktop-compare"


class HistoryAccess(Protocol):
    """What the recorder needs of the history (``HistorySession`` has it)."""

    @property
    def worker(self) -> DbWorker: ...
    @property
    def writable(self) -> bool: ...
    def live_store(self) -> HistoryStore: ...


@dataclass(frozen=True, slots=True)
class DirectHistory:
    """A store and the worker that runs its calls, as :class:`HistoryAccess`."""

    worker: DbWorker
    store: HistoryStore

    @property
    def writable(self) -> bool:
        return not self.store.read_only

    def live_store(self) -> HistoryStore:
        return self.store


def compare_title(prompt: ComparePrompt) -> str:
    """The thread's title: the prompt's first line, shortened."""
    line = next((ln.strip() for ln in prompt.prompt.splitlines() if ln.strip()), "")
    if len(line) > TITLE_CHARS:
        line = line[: TITLE_CHARS - 1].rstrip() + "…"
    return f"Compare: {line}" if line else "Compare"


def compare_options(run: CompareRunInfo) -> dict[str, Any]:
    """The thread's options: each column's options and label, and the shared variables."""
    return {
        "format": OPTIONS_FORMAT,
        "columns": [copy.deepcopy(c.options) for c in run.columns],
        "labels": [c.label for c in run.columns],
        "variables": dict(run.prompt.variables),
    }


class HistoryCompareRecorder(CompareRecorder):
    """Keeps compare runs in the history store, every call on its database thread."""

    def __init__(self, history: HistoryAccess) -> None:
        self._history = history
        self._threads: dict[str, str] = {}  # run id -> thread id
        self._saved_options: dict[str, dict[str, Any]] = {}
        self._rows: dict[tuple[str, int], int] = {}  # (run id, column) -> streaming message id

    def thread_id(self, run_id: str) -> str | None:
        """The history thread of a run (None before ``before_send`` or after a failure)."""
        return self._threads.get(run_id)

    async def before_send(self, run: CompareRunInfo) -> None:
        if not self._history.writable:
            return  # unavailable or read-only: the compare runs, nothing is kept
        store = self._history.live_store()
        options = compare_options(run)

        def write() -> str:
            thread_id = store.create_thread(
                compare_title(run.prompt),
                model=run.columns[0].model if run.columns else "",
                options=options,
                kind=THREAD_KIND,
            )
            if run.prompt.system_prompt.strip():
                store.add_message(thread_id, "system", run.prompt.system_prompt)
            for role, text in run.prompt.turns:
                store.add_message(thread_id, role, text)
            return thread_id

        self._threads[run.run_id] = await self._history.worker.run(write)
        self._saved_options[run.run_id] = options
        self._changed()

    async def column_started(self, run: CompareRunInfo, index: int) -> None:
        thread_id = self._threads.get(run.run_id)
        if thread_id is None:
            return
        options = compare_options(run)
        if options != self._saved_options.get(run.run_id):  # a column asked again, changed
            self._saved_options[run.run_id] = options
            await self._history.worker.run(
                self._history.live_store().set_thread_options,
                thread_id,
                model=run.columns[0].model,
                options=options,
            )
        row = await self._history.worker.run(
            self._history.live_store().start_assistant_message, thread_id, column_index=index
        )
        self._rows[(run.run_id, index)] = row

    async def column_progress(self, run: CompareRunInfo, index: int, text: str) -> None:
        row = self._rows.get((run.run_id, index))
        if row is not None:
            store = self._history.live_store()
            await self._history.worker.run(store.update_message_text, row, text)

    async def column_finished(self, run: CompareRunInfo, result: ColumnResult) -> None:
        thread_id = self._threads.get(run.run_id)
        row = self._rows.pop((run.run_id, result.index), None)
        if thread_id is None or row is None:
            return
        store, info, error = self._history.live_store(), result.info, result.error
        request = run.bodies[result.index] if result.index < len(run.bodies) else {}

        def write() -> None:
            store.finish_message(row, result.state.value, result.text)
            store.record_run(
                thread_id,
                message_id=row,
                column_index=result.index,
                request=request,
                model_requested=result.config.model,
                model_answered=info.answered_model,
                status_code=error.status if error is not None else None,
                ttft_ms=_ms(info.ttft_s),
                total_ms=_ms(info.total_s),
                tokens_in=info.tokens_in,
                tokens_out=info.tokens_out,
                finish_reason=info.finish_reason,
                trace_id=info.trace_id or (error.trace_id if error is not None else None),
                error_text=error_text(error) if error is not None else None,
            )

        await self._history.worker.run(write)
        self._changed()

    async def load(self, thread_id: str) -> SavedCompare:
        """Read a compare thread back (raises the store's ``NotFoundError`` if it is gone)."""
        store = self._history.live_store()
        detail = await self._history.worker.run(store.load_thread, thread_id)
        return saved_from_detail(detail)

    async def save_as_chat(
        self,
        system_prompt: str,
        turns: Sequence[Sequence[str]],
        options: dict[str, Any],
        info: AnswerInfo | None = None,
    ) -> str:
        """A new chat thread holding ``turns`` (the last one a column's answer, with its run);
        returns its id, for the history to open (``HistorySession.open_thread``).

        Raises the store's ``HistoryError`` when the history cannot be written.
        """
        store = self._history.live_store()
        prompt = next((t for r, t in reversed(turns) if r == "user"), "")

        def write() -> str:
            thread_id = store.create_thread(
                title_from(prompt), model=str(options.get("model", "")), options=options
            )
            if system_prompt.strip():
                store.add_message(thread_id, "system", system_prompt)
            answer = None
            for role, text in turns:
                answer = store.add_message(thread_id, role, text)
            if info is not None and answer is not None and turns[-1][0] == "assistant":
                store.record_run(
                    thread_id,
                    message_id=answer,
                    request=options,
                    model_requested=info.primary_model,
                    model_answered=info.answered_model,
                    ttft_ms=_ms(info.ttft_s),
                    total_ms=_ms(info.total_s),
                    tokens_in=info.tokens_in,
                    tokens_out=info.tokens_out,
                    finish_reason=info.finish_reason,
                    trace_id=info.trace_id,
                )
            return thread_id

        thread_id = await self._history.worker.run(write)
        self._changed()
        return thread_id

    async def open_as_chat(
        self,
        system_prompt: str,
        turns: Sequence[Sequence[str]],
        options: dict[str, Any],
        info: AnswerInfo | None = None,
    ) -> str:
        """:meth:`save_as_chat`, then open the new thread in the chat through the history
        (``HistorySession.open_thread``: the turns replayed, the panel's options, system prompt
        and routing set from the thread); returns its id. Connect ``CompareView.open_as_chat``
        to it (through ``HistorySession.spawn``) while the history is writable."""
        thread_id = await self.save_as_chat(system_prompt, turns, options, info)
        opener = getattr(self._history, "open_thread", None)
        if opener is not None:
            await opener(thread_id)
        return thread_id

    def _changed(self) -> None:
        """Tell the sidebar (``HistorySession.threads_changed``) that the threads changed."""
        changed = getattr(self._history, "threads_changed", None)
        if changed is not None:
            changed.emit()


def saved_from_detail(detail: ThreadDetail) -> SavedCompare:
    """A compare thread as the Compare tab shows it: prompt, columns, each column's last answer."""
    notes = list(detail.unreadable)
    options = detail.options
    shared = [m for m in detail.messages if m.column_index is None]
    system_prompt = next((m.text for m in shared if m.role == "system"), "")
    turns = tuple((m.role, m.text) for m in shared if m.role in ("user", "assistant"))
    raw_vars = options.get("variables")
    variables = {str(k): str(v) for k, v in raw_vars.items()} if isinstance(raw_vars, dict) else {}
    prompt = ComparePrompt(system_prompt, turns, variables)

    runs = {r.id: r for r in detail.runs}
    answers: dict[int, MessageRecord] = {}
    for message in detail.messages:  # in order: the last answer of a column wins
        if message.column_index is not None and message.role == "assistant":
            answers[message.column_index] = message
    columns = _columns(options, detail.runs, answers, notes)
    results: list[ColumnResult | None] = []
    for index, config in enumerate(columns):
        answer = answers.get(index)
        run = runs.get(answer.run_id) if answer and answer.run_id is not None else None
        results.append(None if answer is None else _result(index, config, answer, run))
    return SavedCompare(
        thread_id=detail.summary.id,
        title=detail.summary.title,
        prompt=prompt,
        columns=tuple(columns),
        results=tuple(results),
        notes=tuple(notes),
    )


def _columns(
    options: dict[str, Any],
    runs: tuple[RunRecord, ...],
    answers: dict[int, MessageRecord],
    notes: list[str],
) -> list[ColumnConfig]:
    raw = options.get("columns")
    labels = options.get("labels")
    if isinstance(raw, list) and all(isinstance(c, dict) for c in raw):
        names = labels if isinstance(labels, list) else []
        return [
            ColumnConfig(copy.deepcopy(c), str(names[i]) if i < len(names) else "")
            for i, c in enumerate(raw)
        ]
    # Older or damaged options: rebuild the columns from the runs' requests.
    notes.append("The columns' settings could not be read; they were rebuilt from the requests.")
    by_index: dict[int, dict[str, Any]] = {}
    for run in runs:
        if run.column_index is not None:
            body = {k: v for k, v in run.request.items() if k not in ("messages", "stream_options")}
            body.setdefault("model", run.model_requested)
            by_index[run.column_index] = body
    count = max([*by_index, *answers, -1]) + 1
    return [ColumnConfig(by_index.get(i, {"model": ""})) for i in range(count)]


def _result(
    index: int, config: ColumnConfig, message: MessageRecord, run: RunRecord | None
) -> ColumnResult:
    if message.state not in MessageState:  # "unreadable": the store could not read its text
        info = AnswerInfo(primary_model=config.model)
        return ColumnResult(index, config, "", MessageState.ERROR, info, unreadable_card())
    # Otherwise the text is shown even if other cells were damaged (the store fell back for
    # those: an unknown state reads as interrupted, a bad link to the run as no run).
    state = MessageState(message.state)
    if state is MessageState.STREAMING:  # the app closed while it arrived
        state = MessageState.INTERRUPTED
    info = AnswerInfo(primary_model=config.model)
    error: ErrorInfo | None = None
    if state is MessageState.ERROR or (run is not None and run.error_text):
        error = saved_error(run)
    if run is not None:
        info = AnswerInfo(
            primary_model=run.model_requested or config.model,
            answered_model=run.model_answered,
            ttft_s=_seconds(run.ttft_ms),
            total_s=_seconds(run.total_ms),
            tokens_in=run.tokens_in,
            tokens_out=run.tokens_out,
            finish_reason=run.finish_reason,
            trace_id=run.trace_id,
        )
    return ColumnResult(index, config, message.text, state, info, error)


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


def _seconds(ms: float | None) -> float | None:
    return None if ms is None else ms / 1000
