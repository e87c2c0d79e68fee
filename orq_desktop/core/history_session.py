"""HistorySession: the app's history (SQLite, on its own thread) put to work for the chat.

    history = HistorySession(chat_session, routing=routing_state)   # installs its recorder
    await history.open(paths.history_db())                           # on the database thread
    ...
    await chat_session.aclose()   # the answer being written is closed first
    await history.aclose()

It owns the current conversation's place in the history: every turn is saved through
:class:`~orq_desktop.core.history_recorder.TurnRecorder` before its request is sent, and the
thread id (``thread_<ULID>``) is the one the router receives as ``orq.thread.id``: a new
conversation's id is put into the routing state (so the options editor shows it), an opened
thread's id replaces it. Widgets call the methods of
:class:`~orq_desktop.core.history_actions.HistoryActions` and listen to the signals below; every
call returns the task it started (tests await it; widgets need not).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from PySide6.QtCore import QObject, Signal

from orq_desktop.core.history_actions import HistoryActions
from orq_desktop.core.history_recorder import TurnRecorder
from orq_desktop.paths import data_dir_problem
from orq_desktop.store.db_worker import DbWorker
from orq_desktop.store.history_types import HistoryError

if TYPE_CHECKING:
    from orq_desktop.core.chat_session import ChatSession
    from orq_desktop.core.routing_state import RoutingState
    from orq_desktop.store.history import HistoryStore

log = logging.getLogger(__name__)
T = TypeVar("T")
SaveKind = Literal["saving", "saved", "failed", "off"]


class HistorySession(HistoryActions, QObject):
    """The history of conversations, behind one database thread.

    Signals:
        ready(ok): the history opened (True) or cannot be used (False).
        notice(text): something to tell the user once (answers recovered after a crash, a
            damaged file moved aside, a newer version's history opened read-only).
        problem(text): an action failed; plain words.
        status(text): a short line for the status bar.
        save_state(kind, text): "saving", "saved", "failed" ("Not saved: <why>") or "off"
            (read-only or unavailable history).
        current_thread_changed(thread_id): the conversation now continues this thread ("" for
            a new conversation not saved yet).
        thread_opened(OpenedThread): a saved thread is in the chat now; set the panel's
            model, parameters and system prompt from it.
        compare_opened(SavedCompare): a compare thread was opened: show it in the Compare tab
            (the chat is left as it is).
        threads_changed(): the list of threads changed (reload what is shown).
        threads_listed(ThreadQuery, list[ThreadSummary]): a page of threads.
        search_done(SearchQuery, list[SearchHit]): search results.
        choices_loaded(FilterChoices): the models, tags and identities to filter by.
        thread_deleted(thread_id, title): moved to the trash (offer Undo).
        thread_restored(thread_id): brought back from the trash.
        import_ready(ImportOffer): an import file was checked; show its preview.
        import_refused(reason): an import file was refused (nothing was changed).
        imported(count): that many threads were added.
    """

    ready = Signal(bool)
    notice = Signal(str)
    problem = Signal(str)
    status = Signal(str)
    save_state = Signal(str, str)
    current_thread_changed = Signal(str)
    thread_opened = Signal(object)
    compare_opened = Signal(object)
    threads_changed = Signal()
    threads_listed = Signal(object, object)
    search_done = Signal(object, object)
    choices_loaded = Signal(object)
    thread_deleted = Signal(str, str)
    thread_restored = Signal(str)
    import_ready = Signal(object)
    import_refused = Signal(str)
    imported = Signal(int)

    def __init__(
        self,
        chat: ChatSession,
        *,
        routing: RoutingState | None = None,
        worker: DbWorker | None = None,
        parent: QObject | None = None,
    ) -> None:
        QObject.__init__(self, parent)
        self._chat = chat
        self._routing = routing
        self.worker = worker or DbWorker()
        self._store: HistoryStore | None = None
        self._phase: Literal["new", "opening", "open", "failed", "closed"] = "new"
        self._opened = asyncio.Event()
        self._why_not = "The history has not been opened."
        self._tasks: set[asyncio.Task[Any]] = set()
        self._deleted: list[tuple[str, str]] = []
        self._loading = False
        self.save_kind: SaveKind = "off"
        self.save_text = ""
        self.notices: list[str] = []  # what ``notice`` said while opening, for late listeners
        self.data_dir_problem: str | None = None  # the data folder is a temporary one: why
        self.recorder = TurnRecorder(self)
        chat.set_recorder(self.recorder)
        chat.conversation_cleared.connect(self._on_chat_conversation_cleared)
        chat.thread_changed.connect(self._on_chat_thread_changed)

    # -- opening and closing ----------------------------------------------------------------

    async def open(self, path: str | Path) -> bool:
        """Open (or create, repair, upgrade) the history file; False when it cannot be used.

        What ``notice`` says meanwhile is kept in ``notices`` too, for a window wired after.
        """
        from orq_desktop.store.history import HistoryStore

        self._phase = "opening"
        self.data_dir_problem = data_dir_problem()
        if self.data_dir_problem is not None:  # the chosen folder was unusable: a session one
            self._tell(self.data_dir_problem)
        try:
            result = await self.worker.run(HistoryStore.open, path)
        except Exception as exc:
            if not isinstance(exc, HistoryError):
                log.exception("the history could not be opened")
            self._phase = "failed"
            self._why_not = f"The history is unavailable ({exc}); nothing is saved."
            self._opened.set()
            self.set_save_state("off", "History unavailable: not saved")
            self._tell(self._why_not)
            self.ready.emit(False)
            return False
        self._store = result.store
        self._phase = "open"
        self._opened.set()
        for n in result.notices:
            self._tell(n.text)
        if self._store.read_only:
            self._why_not = "The history is read-only (a newer version wrote it): not saved."
            self.set_save_state("off", "History is read-only: not saved")
        self.ready.emit(True)
        return True

    def _tell(self, text: str) -> None:
        self.notices.append(text)
        self.notice.emit(text)

    async def aclose(self) -> None:
        """Finish the pending work, empty the trash, close the file and the database thread.

        Undo lasts until the app closes: the trash is emptied here (not on opening, where it
        would cost start-up a scan of every thread); a crash leaves it to the next close.
        An answer whose final save failed and waits for its retry is tried once more first
        (bounded: ``history_recorder.CLOSE_WRITE_S``), before the retry task is cancelled.
        """
        if self._phase == "open":
            await self.recorder.write_pending()
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        store, self._store = self._store, None
        self._phase = "closed"
        if store is not None:
            if not store.read_only:
                try:
                    await self.worker.run(store.purge_deleted)
                except HistoryError as exc:
                    log.info("the trash could not be emptied: %s", exc)
            await self.worker.run(store.close)
        self.worker.close()

    # -- state ------------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._store is not None

    @property
    def read_only(self) -> bool:
        return self._store is not None and self._store.read_only

    @property
    def writable(self) -> bool:
        return self._store is not None and not self._store.read_only

    @property
    def current_thread_id(self) -> str | None:
        return self._chat.thread_id

    @property
    def store(self) -> HistoryStore | None:
        """The store itself, for tests and benchmarks; call it only through ``worker``."""
        return self._store

    async def wait_ready(self) -> None:
        if self._phase == "opening":
            await self._opened.wait()

    def live_store(self) -> HistoryStore:
        if self._store is None:
            raise HistoryError(self._why_not)
        return self._store

    def set_save_state(self, kind: SaveKind, text: str) -> None:
        self.save_kind, self.save_text = kind, text
        self.save_state.emit(kind, text)

    def report_not_kept(self) -> None:
        short = "History is read-only" if self.read_only else "History unavailable"
        self.set_save_state("off", f"{short}: not saved")
        self.status.emit(self._why_not)

    def spawn(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T | None]:
        """Run ``work`` as a task of this session; a HistoryError becomes ``problem``."""
        task = asyncio.ensure_future(self._guard(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(lambda _t: work.close())  # cancelled before it ran: no warning
        return task

    async def _guard(self, work: Coroutine[Any, Any, T]) -> T | None:
        try:
            return await work
        except HistoryError as exc:
            self.problem.emit(str(exc))
        except OSError as exc:
            self.problem.emit(f"The file could not be written ({exc.strerror or exc}).")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("a history action failed unexpectedly")
            self.problem.emit(f"Unexpected error in the history: {exc}")
        return None

    # -- keeping the router's thread id in step ---------------------------------------------

    def _on_chat_conversation_cleared(self) -> None:
        if not self._loading:  # New chat: a fresh thread id, shown in the editor at once
            self._push_thread_id(self.recorder.forget())

    def _on_chat_thread_changed(self, thread_id: str) -> None:
        if thread_id:
            self._push_thread_id(thread_id)
        self.current_thread_changed.emit(thread_id)

    def _push_thread_id(self, thread_id: str) -> None:
        """Show ``thread_id`` in the routing options (when its thread section is on)."""
        if self._routing is None:
            return
        orq = self._routing.orq()
        thread = orq.get("thread")
        if isinstance(thread, dict) and thread.get("id") != thread_id:
            orq["thread"] = {**thread, "id": thread_id}
            self._routing.set_orq(orq)

    def _push_thread_tags(self, thread_id: str, tags: tuple[str, ...]) -> None:
        """The current thread's tags, as the sidebar set them, sent from the next request on."""
        if self._routing is None:
            return
        orq = self._routing.orq()
        thread = orq.get("thread")
        if isinstance(thread, dict) and thread.get("id") == thread_id:
            orq["thread"] = {**thread, "tags": list(tags)}
            if not tags:
                del orq["thread"]["tags"]
            self._routing.set_orq(orq)

    def _restore_routing(self, thread_id: str, options: dict[str, Any]) -> None:
        """The thread's ``orq`` options again, with its id; a thread saved without any (an
        import from elsewhere) keeps the current ones, with its id."""
        if self._routing is None:
            return
        orq = copy.deepcopy(options.get("orq"))
        if not isinstance(orq, dict):
            self._push_thread_id(thread_id)
            return
        if isinstance(orq.get("thread"), dict):
            orq["thread"]["id"] = thread_id
        self._routing.set_orq(orq)
