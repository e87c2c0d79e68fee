"""TurnRecorder: the chat session's turns written to the history as they happen.

It implements :class:`~orq_desktop.core.history_hooks.ChatRecorder`. What it remembers of the
current conversation (each turn's message id, the last saved system prompt and options) lets it
write only what changed; answers still being written are tracked apart, so an answer that ends
after the user moved on (New chat, another thread) still lands in its own thread.

Failures:

- ``before_send`` raises ``SendBlockedError`` when the turn cannot be written (full disk, file
  not writable): the request is not sent.
- A streaming or final write that fails leaves the answer on screen, says "Not saved: <why>",
  and the final write is tried again on its own (after 1, 2, 5, 10 s, then every 30 s: a full
  disk that was cleared, a lock that was released) and before the next turn is saved; once it
  lands the mark says "Saved" again. Closing the history tries it once more, for at most
  ``CLOSE_WRITE_S`` (space freed just before quitting still saves the answer).
- A history opened read-only (written by a newer version) or not opened at all keeps nothing
  and says so; sending still works.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState
from orq_desktop.core.history_hooks import SendBlockedError, SendPlan
from orq_desktop.core.history_jobs import BeginJob, BeginProgress, EndJob, begin_turn, end_turn
from orq_desktop.core.history_records import (
    LoadedThread,
    error_text,
    is_thread_id,
    thread_fields,
    title_from,
)
from orq_desktop.domain.ids import thread_id as new_thread_id
from orq_desktop.store.history_types import HistoryError

if TYPE_CHECKING:
    from orq_desktop.core.history_session import HistorySession

log = logging.getLogger(__name__)
RETRY_DELAYS_S = (1.0, 2.0, 5.0, 10.0, 30.0)  # the last one repeats until the write lands
CLOSE_WRITE_S = 3.0  # how long closing waits for the failed final writes' last try


@dataclass(frozen=True, slots=True)
class _OpenAnswer:
    thread_id: str
    row: int


class TurnRecorder:
    """Writes the current conversation's turns through the history session's worker."""

    def __init__(self, history: HistorySession) -> None:
        self._history = history
        self.rows: dict[str, int] = {}  # turn id -> message id, for the current conversation
        self._system: str | None = None  # the last system prompt saved in the current thread
        self._saved_options: dict[str, Any] | None = None
        self._open: dict[str, _OpenAnswer] = {}  # answers being written, by turn id
        self._retry: list[EndJob] = []  # final writes that failed, tried again first
        self.retry_delays: tuple[float, ...] = RETRY_DELAYS_S
        self.close_write_s = CLOSE_WRITE_S
        self._retry_lock = asyncio.Lock()  # the retry task and before_send never race
        self._retrying: asyncio.Task[Any] | None = None
        # What a failed attempt did write, so trying again does not write it twice:
        self._orphan_user: tuple[str, str, int] | None = None  # (thread, text, row)
        self._moved: tuple[str | None, str] | None = None  # (the chat's thread, the one now)
        self.next_thread_id = new_thread_id()
        self._conversation = 0  # bumped by forget() and adopt(): a write begun before is stale

    # -- the conversation ------------------------------------------------------------------

    def forget(self) -> str:
        """A new conversation: nothing saved yet; returns the id its thread will get."""
        self._conversation += 1
        self.rows = {}
        self._system = None
        self._saved_options = None
        self._orphan_user = self._moved = None
        self.next_thread_id = new_thread_id()
        return self.next_thread_id

    def adopt(self, loaded: LoadedThread) -> None:
        """Continue ``loaded``: its turns' rows, system prompt and options are what is saved."""
        self._conversation += 1
        self.rows = dict(loaded.rows)
        self._system = loaded.system_prompt or None
        self._saved_options = copy.deepcopy(loaded.options)
        self._orphan_user = self._moved = None

    # -- ChatRecorder ----------------------------------------------------------------------

    async def before_send(self, plan: SendPlan) -> str | None:
        h = self._history
        await h.wait_ready()
        if not h.writable:
            h.report_not_kept()
            return None
        await self._retry_failed()
        job = self._begin_job(plan)
        conversation = self._conversation
        progress = BeginProgress()
        h.set_save_state("saving", "Saving…")
        try:
            await h.worker.run(begin_turn, h.live_store(), job, progress)
        except HistoryError as exc:
            if conversation == self._conversation:
                self._after_failed_begin(plan, job, progress)
            elif progress.thread_id is not None and progress.answer_row is not None:
                h.spawn(self._close_orphan(progress.thread_id, progress.answer_row))
            h.set_save_state("failed", f"Not saved: {exc}")
            raise SendBlockedError(
                f"Not sent, because the history could not save it: {exc}"
            ) from exc
        assert progress.thread_id is not None and progress.answer_row is not None
        if conversation == self._conversation:
            self._after_begin(plan, job, progress)
        else:  # New chat (or another thread) came meanwhile: only the old answer is closed
            self._open[plan.answer_id] = _OpenAnswer(progress.thread_id, progress.answer_row)
        return progress.thread_id

    async def flush(self, msg_id: str, text: str) -> None:
        h = self._history
        answer = self._open.get(msg_id)
        if answer is None or not h.writable:
            return
        try:
            await h.worker.run(h.live_store().update_message_text, answer.row, text)
        except HistoryError as exc:
            h.set_save_state("failed", f"Not saved: {exc}")

    async def answer_finished(
        self,
        plan: SendPlan,
        text: str,
        state: MessageState,
        info: AnswerInfo,
        error: ErrorInfo | None,
    ) -> None:
        h = self._history
        answer = self._open.pop(plan.answer_id, None)
        if answer is None or not h.writable:
            return
        job = EndJob(answer.thread_id, answer.row, state.value, text, _run(plan, info, error))
        try:
            await h.worker.run(end_turn, h.live_store(), job)
        except HistoryError as exc:
            self._retry.append(job)
            h.set_save_state("failed", f"Not saved: {exc}")
            self._schedule_retry()
            return
        h.set_save_state("saved", "Saved")
        h.threads_changed.emit()

    async def write_pending(self) -> bool:
        """Before closing: try the failed final writes once more, for at most
        ``close_write_s`` seconds; True when none is left. Never raises (closing goes on)."""
        h = self._history
        if not self._retry:
            return True
        if not h.writable:
            return False
        try:
            async with asyncio.timeout(self.close_write_s):
                await self._write_retries()
        except HistoryError as exc:
            log.warning("%d answer(s) could not be saved before closing: %s", len(self._retry), exc)
            return False
        except TimeoutError:
            log.warning("%d answer(s) were not saved before closing (timed out)", len(self._retry))
            return False
        return True

    # -- internals -------------------------------------------------------------------------

    async def _retry_failed(self) -> None:
        try:
            await self._write_retries()
        except HistoryError as exc:
            self._history.set_save_state("failed", f"Not saved: {exc}")
            raise SendBlockedError(
                f"Not sent: the last answer could not be saved yet ({exc})"
            ) from exc

    async def _write_retries(self) -> None:
        """Write the failed final writes in order; raises HistoryError at the first failure."""
        h = self._history
        async with self._retry_lock:
            while self._retry:
                await h.worker.run(end_turn, h.live_store(), self._retry[0])
                self._retry.pop(0)

    def _schedule_retry(self) -> None:
        if self._retrying is None or self._retrying.done():
            self._retrying = self._history.spawn(self._retry_later())

    async def _retry_later(self) -> None:
        """Try the failed final writes again, waiting longer each time, until they land."""
        h = self._history
        for attempt in itertools.count():
            await asyncio.sleep(self.retry_delays[min(attempt, len(self.retry_delays) - 1)])
            if not self._retry or not h.writable:
                return
            try:
                await self._write_retries()
            except HistoryError as exc:
                log.info("the answer is still not saved: %s", exc)
                continue
            h.set_save_state("saved", "Saved")
            h.threads_changed.emit()
            return

    def _begin_job(self, plan: SendPlan) -> BeginJob:
        wanted, tags, identity = thread_fields(plan.options)
        thread = plan.thread_id
        if self._moved is not None and self._moved[0] == thread:
            thread = self._moved[1]
        # A new thread takes the id the options editor shows and the router receives.
        candidate = wanted if wanted and is_thread_id(wanted) else self.next_thread_id
        cut_at = next((self.rows[t.msg_id] for t in plan.dropped if t.msg_id in self.rows), None)
        user = plan.user
        reuse = None
        if user is not None and self._orphan_user is not None:
            o_thread, o_text, o_row = self._orphan_user
            if o_thread == thread and o_text == user.text and cut_at is None:
                reuse = o_row
        return BeginJob(
            thread_id=thread,
            new_thread_id=candidate,
            title=title_from(user.text if user else _last_prompt(plan)),
            model=plan.model,
            options=plan.options,
            tags=tags,
            identity_id=identity,
            options_changed=plan.options != self._saved_options,
            system_prompt=plan.system_prompt,
            last_system=self._system,
            user_text=None if user is None else user.text,
            reuse_user=reuse,
            cut_at=cut_at,
        )

    def _after_begin(self, plan: SendPlan, job: BeginJob, progress: BeginProgress) -> None:
        tid, answer_row = progress.thread_id, progress.answer_row
        assert tid is not None and answer_row is not None
        if job.cut_at is not None:
            self._keep_rows(plan, progress)
        if plan.user is not None and progress.user_row is not None:
            self.rows[plan.user.msg_id] = progress.user_row
        self.rows[plan.answer_id] = answer_row
        self._open[plan.answer_id] = _OpenAnswer(tid, answer_row)
        self._system = progress.system
        self._saved_options = copy.deepcopy(plan.options)
        self._orphan_user = self._moved = None

    def _keep_rows(self, plan: SendPlan, progress: BeginProgress) -> None:
        """After a cut: the kept turns' rows (copied into the new thread), the rest forgotten."""
        kept = {t.msg_id for t in plan.kept}
        self.rows = {k: progress.remap.get(v, v) for k, v in self.rows.items() if k in kept}

    def _after_failed_begin(self, plan: SendPlan, job: BeginJob, progress: BeginProgress) -> None:
        """Remember what did land, so trying again does not save it twice."""
        tid = progress.thread_id
        if tid is None:
            return
        if tid != plan.thread_id:  # created, or a cut replaced it
            self._moved = (plan.thread_id, tid)
        if progress.replaced is not None:
            self._keep_rows(plan, progress)
        self._system = progress.system
        if progress.user_row is not None and job.user_text is not None:
            self._orphan_user = (tid, job.user_text, progress.user_row)
        if progress.answer_row is not None:  # only the last write failed: close the answer
            self._history.spawn(self._close_orphan(tid, progress.answer_row))

    async def _close_orphan(self, tid: str, row: int) -> None:
        h = self._history
        job = EndJob(tid, row, MessageState.ERROR.value, "", {"error_text": "Not sent."})
        try:
            await h.worker.run(end_turn, h.live_store(), job)
        except HistoryError:
            log.info("could not close an answer that was never sent")


def _last_prompt(plan: SendPlan) -> str:
    return next((t.text for t in reversed(plan.kept) if t.role == "user"), plan.model)


def _run(plan: SendPlan, info: AnswerInfo, error: ErrorInfo | None) -> dict[str, Any]:
    """The ``runs`` row: the request's model and options (never a key) and how it went."""
    status = error.status if error is not None else 200 if info.answered_model else None
    return {
        "request": plan.options,
        "model_requested": plan.model,
        "model_answered": info.answered_model,
        "status_code": status,
        "ttft_ms": None if info.ttft_s is None else round(info.ttft_s * 1000, 1),
        "total_ms": None if info.total_s is None else round(info.total_s * 1000, 1),
        "tokens_in": info.tokens_in,
        "tokens_out": info.tokens_out,
        "finish_reason": info.finish_reason,
        "trace_id": info.trace_id,
        "error_text": None if error is None else error_text(error),
    }
