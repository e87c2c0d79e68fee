"""What the sidebar asks of the history: list, search, open, fork, cut short, delete (with undo),
rename, tag, export, import; and the image panel's "this image was saved".

A mixin of :class:`~orq_desktop.core.history_session.HistorySession`. Each method starts a task
owned by the session and returns it; results arrive as the session's signals, failures as its
``problem`` signal, in plain words.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from orq_desktop.core.history_jobs import export_file, read_import
from orq_desktop.core.history_queries import ImportOffer, OpenedThread, SearchQuery, ThreadQuery
from orq_desktop.core.history_records import (
    FilterChoices,
    LoadedThread,
    SearchHit,
    ThreadSummary,
    loaded_thread,
    message_key,
)
from orq_desktop.store.history_types import HistoryError, ImportRejectedError

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from orq_desktop.core.chat_session import ChatSession
    from orq_desktop.core.history_recorder import TurnRecorder
    from orq_desktop.core.image_types import ReadyImage
    from orq_desktop.store.db_worker import DbWorker
    from orq_desktop.store.history import HistoryStore

log = logging.getLogger(__name__)
BUSY = "An answer is still arriving: stop it first."


class HistoryActions:
    """The sidebar's operations (HistorySession supplies the state and the signals)."""

    _chat: ChatSession
    _deleted: list[tuple[str, str]]
    _loading: bool
    worker: DbWorker
    recorder: TurnRecorder
    # Signals of HistorySession.
    problem: Any
    status: Any
    threads_changed: Any
    threads_listed: Any
    search_done: Any
    choices_loaded: Any
    thread_opened: Any
    compare_opened: Any
    thread_deleted: Any
    thread_restored: Any
    import_ready: Any
    import_refused: Any
    imported: Any

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        raise NotImplementedError  # pragma: no cover

    async def wait_ready(self) -> None:
        raise NotImplementedError  # pragma: no cover

    def live_store(self) -> HistoryStore:
        raise NotImplementedError  # pragma: no cover

    def _restore_routing(self, thread_id: str, options: dict[str, Any]) -> None:
        raise NotImplementedError  # pragma: no cover

    def _push_thread_tags(self, thread_id: str, tags: tuple[str, ...]) -> None:
        raise NotImplementedError  # pragma: no cover

    @property
    def available(self) -> bool:
        raise NotImplementedError  # pragma: no cover

    @property
    def writable(self) -> bool:
        raise NotImplementedError  # pragma: no cover

    # -- reading ----------------------------------------------------------------------------

    def list_threads(self, query: ThreadQuery | None = None) -> asyncio.Task[Any]:
        return self.spawn(self._list(query or ThreadQuery()))

    async def _list(self, query: ThreadQuery) -> list[ThreadSummary]:
        await self.wait_ready()
        page: list[ThreadSummary] = []
        if self.available:
            store = self.live_store()
            f = query.filters
            page = await self.worker.run(
                store.list_threads,
                limit=query.limit,
                before=query.before,
                model=f.model,
                tag=f.tag,
                identity_id=f.identity_id,
            )
        self.threads_listed.emit(query, page)
        return page

    def search(self, query: SearchQuery) -> asyncio.Task[Any]:
        return self.spawn(self._search(query))

    async def _search(self, query: SearchQuery) -> list[SearchHit]:
        await self.wait_ready()
        hits: list[SearchHit] = []
        if self.available and query.text.strip():
            store = self.live_store()
            f = query.filters
            hits = await self.worker.run(
                store.search,
                query.text,
                limit=query.limit,
                model=f.model,
                tag=f.tag,
                identity_id=f.identity_id,
            )
        self.search_done.emit(query, hits)
        return hits

    def load_choices(self) -> asyncio.Task[Any]:
        return self.spawn(self._choices())

    async def _choices(self) -> FilterChoices:
        await self.wait_ready()
        choices = FilterChoices((), (), ())
        if self.available:
            choices = await self.worker.run(self.live_store().filter_choices)
        self.choices_loaded.emit(choices)
        return choices

    # -- opening and forking ----------------------------------------------------------------

    def open_thread(self, thread_id: str, focus_message: int | None = None) -> asyncio.Task[Any]:
        """Show a saved thread in the chat and continue it (its model and options too)."""
        return self.spawn(self._open(thread_id, focus_message))

    async def _open(self, thread_id: str, focus_message: int | None) -> LoadedThread | None:
        await self.wait_ready()
        detail = await self.worker.run(self.live_store().load_thread, thread_id)
        if detail.summary.kind == "compare":  # shown by the Compare tab, not the chat
            from orq_desktop.core.compare_history import saved_from_detail

            self.compare_opened.emit(saved_from_detail(detail))
            self.status.emit(f"Opened the compare “{detail.summary.title or 'Untitled'}”.")
            return None
        loaded = loaded_thread(detail)
        if self._chat.busy:
            raise HistoryError(BUSY)
        self.recorder.adopt(loaded)
        self._loading = True
        try:
            self._chat.load(loaded.thread_id, loaded.turns)
        finally:
            self._loading = False
        self._restore_routing(loaded.thread_id, loaded.options)
        focus = message_key(focus_message) if focus_message is not None else None
        panel_options = {k: v for k, v in loaded.options.items() if k != "orq"}
        self.thread_opened.emit(
            OpenedThread(
                loaded.thread_id,
                loaded.title,
                panel_options,
                loaded.system_prompt,
                focus if focus in loaded.rows else None,
                loaded.notes,
            )
        )
        self.status.emit(f"Opened “{loaded.title or 'Untitled'}”.")
        return loaded

    def can_fork(self, msg_id: str) -> bool:
        """True when the message is saved in the current thread (and nothing is arriving)."""
        return (
            self._chat.thread_id is not None
            and msg_id in self.recorder.rows
            and not self._chat.busy
        )

    def fork_from(self, msg_id: str) -> asyncio.Task[Any]:
        """A new thread with the current conversation up to this message, opened at once."""
        return self.spawn(self._fork_from(msg_id))

    async def _fork_from(self, msg_id: str) -> LoadedThread | None:
        thread_id, row = self._chat.thread_id, self.recorder.rows.get(msg_id)
        if self._chat.busy:
            raise HistoryError("Wait for the answer to finish (or stop it), then fork.")
        if thread_id is None or row is None:
            raise HistoryError("This message is not saved, so there is nothing to fork from.")
        return await self._fork(thread_id, row)

    def fork_thread(self, thread_id: str, message_row: int) -> asyncio.Task[Any]:
        return self.spawn(self._fork(thread_id, message_row))

    async def _fork(self, thread_id: str, message_row: int) -> LoadedThread | None:
        if self._chat.busy:
            raise HistoryError("Wait for the answer to finish (or stop it), then fork.")
        await self.wait_ready()
        new_id = await self.worker.run(self.live_store().fork_thread, thread_id, message_row)
        self.threads_changed.emit()
        loaded = await self._open(new_id, None)
        self.status.emit("Forked: this copy continues on its own; the original is unchanged.")
        return loaded

    # -- changing threads -------------------------------------------------------------------

    def truncate_thread(self, thread_id: str, message_row: int) -> asyncio.Task[Any]:
        """Delete a saved message and everything after it; the thread keeps its id.

        The current conversation is shown again as it now is. Refused while an answer is
        arriving (it could be writing to the thread).
        """
        return self.spawn(self._truncate(thread_id, message_row))

    async def _truncate(self, thread_id: str, message_row: int) -> int:
        if self._chat.busy:
            raise HistoryError(f"{BUSY} Then remove the messages.")
        await self.wait_ready()
        removed = await self.worker.run(self.live_store().truncate_thread, thread_id, message_row)
        if thread_id == self._chat.thread_id and not self._chat.busy:
            await self._open(thread_id, None)
        self.status.emit(f"Removed {removed} message{'s' if removed != 1 else ''}.")
        self.threads_changed.emit()
        return removed

    def delete_thread(self, thread_id: str, title: str = "") -> asyncio.Task[Any]:
        """Move a thread to the trash; ``undo_delete`` brings it back until the app closes."""
        return self.spawn(self._delete(thread_id, title))

    async def _delete(self, thread_id: str, title: str) -> None:
        current = thread_id == self._chat.thread_id
        if current and self._chat.busy:
            raise HistoryError(f"{BUSY} Then delete the conversation.")
        await self.wait_ready()
        await self.worker.run(self.live_store().delete_thread, thread_id)
        if current and thread_id == self._chat.thread_id and not self._chat.busy:
            self._chat.new_chat()
        self._deleted.append((thread_id, title))
        self.thread_deleted.emit(thread_id, title)
        self.status.emit("Conversation deleted — Undo (Ctrl+Z in the history list).")
        self.threads_changed.emit()

    @property
    def can_undo(self) -> bool:
        return bool(self._deleted)

    def undo_delete(self) -> asyncio.Task[Any] | None:
        """Bring back the thread deleted last (None when there is nothing to undo)."""
        if not self._deleted:
            return None
        return self.spawn(self._undo())

    async def _undo(self) -> str | None:
        if not self._deleted:
            return None
        thread_id, _title = self._deleted[-1]
        await self.worker.run(self.live_store().restore_thread, thread_id)
        self._deleted.pop()
        self.thread_restored.emit(thread_id)
        self.status.emit("Conversation restored.")
        self.threads_changed.emit()
        return thread_id

    def rename_thread(self, thread_id: str, title: str) -> asyncio.Task[Any]:
        return self.spawn(self._rename(thread_id, " ".join(title.split()) or "Untitled"))

    async def _rename(self, thread_id: str, title: str) -> None:
        await self.worker.run(self.live_store().rename_thread, thread_id, title)
        self.threads_changed.emit()

    def set_tags(self, thread_id: str, tags: Iterable[str]) -> asyncio.Task[Any]:
        """Replace a thread's tags (the current thread's are sent with its next request too)."""
        return self.spawn(self._set_tags(thread_id, list(tags)))

    async def _set_tags(self, thread_id: str, tags: list[str]) -> tuple[str, ...]:
        stored = await self.worker.run(self.live_store().set_tags, thread_id, tags)
        if thread_id == self._chat.thread_id:
            self._push_thread_tags(thread_id, stored)
        self.threads_changed.emit()
        return stored

    # -- files ------------------------------------------------------------------------------

    def export_thread(self, thread_id: str, path: str, kind: str) -> asyncio.Task[Any]:
        """Write a thread to ``path`` as Markdown (``"md"``) or JSON (``"json"``)."""
        return self.spawn(self._export(thread_id, path, kind))

    async def _export(self, thread_id: str, path: str, kind: str) -> str:
        await self.worker.run(export_file, self.live_store(), thread_id, path, kind)
        self.status.emit(f"Exported to {path}.")
        return path

    def prepare_import(self, path: str) -> asyncio.Task[Any]:
        """Check an export file; ``import_ready`` carries what it would add (nothing written)."""
        return self.spawn(self._prepare_import(path))

    async def _prepare_import(self, path: str) -> ImportOffer | None:
        await self.wait_ready()
        if not self.writable:
            raise HistoryError("Nothing can be imported: the history cannot be written.")
        try:
            plan = await self.worker.run(read_import, self.live_store(), path)
        except ImportRejectedError as exc:
            self.import_refused.emit(str(exc))
            return None
        offer = ImportOffer(path, plan.preview, plan)
        self.import_ready.emit(offer)
        return offer

    def apply_import(self, offer: ImportOffer) -> asyncio.Task[Any]:
        """Add the offer's threads as new threads (nothing that exists is changed)."""
        return self.spawn(self._apply_import(offer))

    async def _apply_import(self, offer: ImportOffer) -> list[str]:
        ids = await self.worker.run(self.live_store().apply_import, offer.plan)
        self.imported.emit(len(ids))
        n = len(ids)
        self.status.emit(f"Imported {n} conversation{'s' if n != 1 else ''}.")
        self.threads_changed.emit()
        return ids

    # -- images -----------------------------------------------------------------------------

    async def record_image(self, image: ReadyImage) -> int | None:
        """Add a saved image to the history (its prompt becomes searchable); None if not kept."""
        await self.wait_ready()
        if not self.writable:
            return None
        settings = dict(image.settings or {})
        prompt = settings.get("prompt")
        model = settings.get("model")
        return await self.worker.run(
            self.live_store().add_image,
            image.path,
            prompt if isinstance(prompt, str) else "",
            revised_prompt=image.revised_prompt,
            model=model if isinstance(model, str) else "",
            settings=settings,
        )

    def on_image_ready(self, image: ReadyImage) -> None:
        """Slot for ``ImageJob.image_ready``: record the image in the background."""
        self.spawn(self.record_image(image))
