"""HistoryStore: threads, messages, runs and images in one SQLite file, behind a synchronous API.

Synchronous on purpose: the core calls it through :class:`~orq_desktop.store.db_worker.DbWorker`,
whose one thread serialises every call. Each method is its own short transaction, so what a
method returned is on disk (``synchronous=FULL``, see ``db.py``), and a crash loses at most the
call that was running.

Open it with :meth:`HistoryStore.open`, which also reports, in plain words, what it had to do:
move a damaged file aside, open a newer version's file read-only, upgrade an older one (after a
backup), or mark answers that were still streaming when the app died as interrupted.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orq_desktop.store import db
from orq_desktop.store import history_export as export
from orq_desktop.store import history_rows as rows
from orq_desktop.store.history_redact import redact_text
from orq_desktop.store.history_search import Order, SearchFilters, search
from orq_desktop.store.history_threads import ThreadsMixin, require_thread
from orq_desktop.store.history_truncate import TruncateMixin
from orq_desktop.store.history_types import (
    FINAL_STATES,
    ROLES,
    FilterChoices,
    HistoryError,
    HitKind,
    ImageRecord,
    ImportPreview,
    NotFoundError,
    Notice,
    ReadOnlyHistoryError,
    SearchHit,
)

if TYPE_CHECKING:
    from orq_desktop.store.history_import import ImportPlan

Clock = Callable[[], float]
FTS_TABLES = ("messages_fts", "images_fts")


@dataclass(frozen=True, slots=True)
class OpenResult:
    store: HistoryStore
    notices: tuple[Notice, ...]


class HistoryStore(ThreadsMixin, TruncateMixin):
    """The history database. Build it with :meth:`open`; every method is one transaction."""

    def __init__(self, opened: db.OpenedDb, path: Path, clock: Clock) -> None:
        self._conn: sqlite3.Connection | None = opened.conn
        self._lock = threading.RLock()
        self._clock = clock
        self.path = path
        self.read_only = opened.read_only
        self.schema_version = opened.version
        self._read_only_reason = next(
            (n.text for n in opened.notices if n.kind == "read_only"), "The history is read-only."
        )

    @classmethod
    def open(cls, path: str | Path, *, clock: Clock = time.time) -> OpenResult:
        """Open or create the database at ``path`` (the app uses ``paths.history_db()``)."""

        def recover(conn: sqlite3.Connection) -> list[Notice]:
            count = recover_streaming(conn, clock())
            if not count:
                return []
            what = "answer that was" if count == 1 else "answers that were"
            return [
                Notice(
                    "recovered",
                    f"{count} {what} still arriving when the app closed "
                    f"{'is' if count == 1 else 'are'} kept and marked as interrupted.",
                )
            ]

        opened = db.open_database(Path(path), prepare=recover)
        return OpenResult(cls(opened, Path(path), clock), tuple(opened.notices))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- transactions ----------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise ReadOnlyHistoryError(self._read_only_reason)
        with self._lock, db.write_tx(self._live()) as conn:
            yield conn

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, db.read_tx(self._live()) as conn:
            yield conn

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise HistoryError("The history is closed.")
        return self._conn

    # -- messages --------------------------------------------------------------------------

    def add_message(
        self,
        thread_id: str,
        role: str,
        text: str,
        *,
        state: str = "complete",
        column_index: int | None = None,
    ) -> int:
        """Append a message to a thread (and move the thread to the top); returns its id."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        if state not in FINAL_STATES and state != "streaming":
            raise ValueError(f"unknown message state {state!r}")
        with self._write() as conn:
            now = self._clock()
            self._touch(conn, thread_id, now)
            (position,) = conn.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM messages WHERE thread_id = ?",
                (thread_id,),
            ).fetchone()
            cur = conn.execute(
                "INSERT INTO messages (thread_id, position, role, text, state, created_at,"
                " updated_at, column_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (thread_id, position, role, rows.clean_text(text), state, now, now, column_index),
            )
            return int(cur.lastrowid or 0)

    def start_assistant_message(
        self, thread_id: str, *, column_index: int | None = None, text: str = ""
    ) -> int:
        """Create the row of an answer that is arriving (state ``streaming``); returns its id."""
        return self.add_message(
            thread_id, "assistant", text, state="streaming", column_index=column_index
        )

    def update_message_text(self, message_id: int, text: str) -> bool:
        """Save the whole text so far of a streaming answer (call it at least once a second).

        Returns False (and changes nothing) if the message is no longer streaming.
        """
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE messages SET text = ?, updated_at = ? WHERE id = ? AND state = 'streaming'",
                (rows.clean_text(text), self._clock(), message_id),
            )
            return cur.rowcount > 0

    def finish_message(self, message_id: int, state: str, text: str | None = None) -> None:
        """Close an answer: ``complete``, ``stopped``, ``interrupted`` or ``error``.

        ``text`` replaces the saved text; None keeps what the last update saved.
        """
        if state not in FINAL_STATES:
            raise ValueError(f"a finished message cannot be {state!r}")
        with self._write() as conn:
            now = self._clock()
            row = conn.execute("SELECT thread_id FROM messages WHERE id = ?", (message_id,))
            found = row.fetchone()
            if found is None:
                raise NotFoundError(f"There is no message {message_id}.")
            if text is None:
                conn.execute(
                    "UPDATE messages SET state = ?, updated_at = ? WHERE id = ?",
                    (state, now, message_id),
                )
            else:
                conn.execute(
                    "UPDATE messages SET state = ?, text = ?, updated_at = ? WHERE id = ?",
                    (state, rows.clean_text(text), now, message_id),
                )
            self._touch(conn, found[0], now)

    def record_run(
        self,
        thread_id: str,
        *,
        message_id: int | None = None,
        column_index: int | None = None,
        request: Mapping[str, Any] | None = None,
        model_requested: str = "",
        model_answered: str | None = None,
        status_code: int | None = None,
        ttft_ms: float | None = None,
        total_ms: float | None = None,
        tokens_in: int | None = None,
        tokens_out: int | None = None,
        finish_reason: str | None = None,
        trace_id: str | None = None,
        error_text: str | None = None,
    ) -> int:
        """Record one request and its outcome; links it to ``message_id`` if given.

        The request is stored without key-like fields and without its ``messages`` (they are
        already in the thread; keeping them per run would grow the file with every turn).
        """
        body = dict(request or {})
        if isinstance(body.get("messages"), list):
            body["messages"] = f"{len(body['messages'])} messages (stored in the thread)"
        with self._write() as conn:
            now = self._clock()
            require_thread(conn, thread_id)
            error = None if error_text is None else rows.clean_text(redact_text(error_text))
            values = (thread_id, message_id, column_index, rows.dump_json(body), model_requested,
                      model_answered, status_code, ttft_ms, total_ms, tokens_in, tokens_out,
                      finish_reason, trace_id, error, now)  # fmt: skip
            cur = conn.execute(rows.INSERT_RUN, values)
            run_id = int(cur.lastrowid or 0)
            if message_id is not None:
                linked = conn.execute(
                    "UPDATE messages SET run_id = ? WHERE id = ? AND thread_id = ?",
                    (run_id, message_id, thread_id),
                )
                if linked.rowcount == 0:
                    raise NotFoundError(f"Thread {thread_id} has no message {message_id}.")
            return run_id

    # -- images ----------------------------------------------------------------------------

    def add_image(
        self,
        path: str | Path,
        prompt: str,
        *,
        revised_prompt: str | None = None,
        model: str = "",
        settings: Mapping[str, Any] | None = None,
        thread_id: str | None = None,
    ) -> int:
        """Record a saved image (the file itself is written by the image files store)."""
        with self._write() as conn:
            if thread_id is not None:
                require_thread(conn, thread_id)
            revised = None if revised_prompt is None else rows.clean_text(revised_prompt)
            values = (rows.clean_text(str(path)), rows.clean_text(prompt), revised, model,
                      rows.dump_json(settings), self._clock(), thread_id)  # fmt: skip
            cur = conn.execute(
                "INSERT INTO images (path, prompt, revised_prompt, model, settings, created_at,"
                " thread_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                values,
            )
            return int(cur.lastrowid or 0)

    def list_images(
        self, *, limit: int = 100, offset: int = 0, thread_id: str | None = None
    ) -> list[ImageRecord]:
        """Images newest first, optionally those of one thread."""
        where, params = ("WHERE thread_id = ?", [thread_id]) if thread_id else ("", [])
        with self._read() as conn:
            found = db.fetch_all(
                conn,
                f"{rows.IMAGE_SELECT} {where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            )
            return [rows.image_from_row(r) for r in found]

    def delete_image(self, image_id: int) -> None:
        """Forget an image record (its file is the image files store's business)."""
        with self._write() as conn:
            if conn.execute("DELETE FROM images WHERE id = ?", (image_id,)).rowcount == 0:
                raise NotFoundError(f"There is no image {image_id}.")

    # -- search, export, import ------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        model: str | None = None,
        tag: str | None = None,
        identity_id: str | None = None,
        kinds: Iterable[HitKind] = ("message", "image"),
        limit: int = 20,
        offset: int = 0,
        order: Order = "recent",
    ) -> list[SearchHit]:
        """Find messages and image prompts; see ``history_search`` for what a query means."""
        filters = SearchFilters(model=model, tag=tag, identity_id=identity_id)
        with self._read() as conn:
            return search(
                conn,
                query,
                filters=filters,
                kinds=frozenset(kinds),
                limit=limit,
                offset=offset,
                order=order,
            )

    def filter_choices(self) -> FilterChoices:
        """Models, tags and identities in use by live threads (for the filter drop-downs)."""
        with self._read() as conn:
            models = db.fetch_all(
                conn,
                "SELECT model FROM threads WHERE deleted_at IS NULL AND model != ''"
                " UNION SELECT model_requested FROM runs WHERE model_requested != ''"
                " UNION SELECT model FROM images WHERE model != '' ORDER BY 1",
            )
            tags = db.fetch_all(conn, "SELECT DISTINCT tag FROM thread_tags ORDER BY tag")
            identities = db.fetch_all(
                conn,
                "SELECT DISTINCT identity_id FROM threads WHERE identity_id IS NOT NULL"
                " ORDER BY identity_id",
            )
        return FilterChoices(
            tuple(r[0] for r in models), tuple(r[0] for r in tags), tuple(r[0] for r in identities)
        )

    def export_markdown(self, thread_id: str) -> str:
        """The thread as a Markdown document a person can read."""
        return export.to_markdown(self.load_thread(thread_id))

    def export_json(self, *thread_ids: str) -> str:
        """The threads in the versioned JSON format (``history_export`` documents it)."""
        details = [self.load_thread(t) for t in thread_ids]
        return export.to_json(details, exported_at=self._clock())

    def prepare_import(self, data: str | bytes) -> ImportPlan:
        """Validate an export file without writing anything; raises ImportRejectedError.

        The plan's ``preview`` says what :meth:`apply_import` will add.
        """
        from orq_desktop.store import history_import  # pydantic: paid only when importing

        return history_import.prepare(data)

    def preview_import(self, data: str | bytes) -> ImportPreview:
        return self.prepare_import(data).preview

    def apply_import(self, plan: ImportPlan) -> list[str]:
        """Add the planned threads, all in one transaction, as new threads with new ids."""
        from orq_desktop.store import history_import

        with self._write() as conn:
            return history_import.apply(conn, plan, now=self._clock())

    # -- maintenance -----------------------------------------------------------------------

    def integrity_check(self) -> list[str]:
        """Problems found by a full check of the file and its search indexes ([] when healthy).

        Reads the whole file: run it in the background, not on start-up.
        """
        with self._lock:
            return db.integrity_problems(self._live(), FTS_TABLES, writable=not self.read_only)

    def compact(self) -> None:
        """Rewrite the file and its indexes so deleted text is really gone, then shrink the log.

        Slow on a big history (it rewrites everything); meant for "empty the trash" or quit.
        """
        if self.read_only:
            raise ReadOnlyHistoryError(self._read_only_reason)
        with self._lock:
            db.compact(self._live(), FTS_TABLES)

    # -- helpers shared with the thread methods --------------------------------------------

    def _touch(self, conn: sqlite3.Connection, thread_id: str, now: float) -> None:
        cur = conn.execute("UPDATE threads SET updated_at = ? WHERE id = ?", (now, thread_id))
        if cur.rowcount == 0:
            raise NotFoundError(f"There is no thread {thread_id}.")


def recover_streaming(conn: sqlite3.Connection, now: float) -> int:
    """Mark answers left ``streaming`` by a crash as ``interrupted``; returns how many."""
    found = conn.execute("SELECT count(*) FROM messages WHERE state = 'streaming'").fetchone()
    if not found[0]:
        return 0
    with db.write_tx(conn):
        cur = conn.execute(
            "UPDATE messages SET state = 'interrupted', updated_at = ? WHERE state = 'streaming'",
            (now,),
        )
        return cur.rowcount
