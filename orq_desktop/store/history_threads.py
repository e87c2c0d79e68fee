"""The thread half of HistoryStore: create, rename, tag, delete (with undo), list, load, fork."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from orq_desktop.store import db
from orq_desktop.store import history_rows as rows
from orq_desktop.store.history_types import (
    THREAD_KINDS,
    NotFoundError,
    ThreadDetail,
    ThreadSummary,
)

ThreadCursor = tuple[float, str]  # (updated_at, id) of the last row of the previous page


class ThreadsMixin:
    """Thread methods; HistoryStore supplies the clock and the transactions."""

    _clock: Callable[[], float]

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # pragma: no cover

    def _read(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # pragma: no cover

    def create_thread(
        self,
        title: str = "",
        *,
        model: str = "",
        options: Mapping[str, Any] | None = None,
        tags: Iterable[str] = (),
        identity_id: str | None = None,
        kind: str = "chat",
        thread_id: str | None = None,
    ) -> str:
        """A new, empty thread; returns its id (``thread_<ULID>`` unless one is given).

        ``options`` are the request's model and options; key-like fields are dropped.
        """
        if kind not in THREAD_KINDS:
            raise ValueError(f"unknown thread kind {kind!r}")
        with self._write() as conn:
            now = self._clock()
            new_id = thread_id or rows.new_thread_id(now)
            conn.execute(
                "INSERT INTO threads (id, title, created_at, updated_at, model, options,"
                " identity_id, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new_id,
                    rows.clean_text(title),
                    now,
                    now,
                    model,
                    rows.dump_json(options),
                    identity_id,
                    kind,
                ),
            )
            _insert_tags(conn, new_id, tags)
            return new_id

    def rename_thread(self, thread_id: str, title: str) -> None:
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE threads SET title = ? WHERE id = ?", (rows.clean_text(title), thread_id)
            )
            _found(cur, thread_id)

    def set_tags(self, thread_id: str, tags: Iterable[str]) -> tuple[str, ...]:
        """Replace the thread's tags; returns them as stored (trimmed, unique, sorted)."""
        with self._write() as conn:
            require_thread(conn, thread_id)
            conn.execute("DELETE FROM thread_tags WHERE thread_id = ?", (thread_id,))
            return _insert_tags(conn, thread_id, tags)

    def set_thread_options(
        self,
        thread_id: str,
        *,
        model: str,
        options: Mapping[str, Any] | None,
        identity_id: str | None = None,
    ) -> None:
        """Replace the model, options and identity a thread continues with."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE threads SET model = ?, options = ?, identity_id = ? WHERE id = ?",
                (model, rows.dump_json(options), identity_id, thread_id),
            )
            _found(cur, thread_id)

    def delete_thread(self, thread_id: str) -> None:
        """Move a thread to the trash (undo with :meth:`restore_thread`)."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE threads SET deleted_at = coalesce(deleted_at, ?) WHERE id = ?",
                (self._clock(), thread_id),
            )
            _found(cur, thread_id)

    def restore_thread(self, thread_id: str) -> None:
        with self._write() as conn:
            cur = conn.execute("UPDATE threads SET deleted_at = NULL WHERE id = ?", (thread_id,))
            _found(cur, thread_id)

    def purge_thread(self, thread_id: str) -> None:
        """Delete a thread for good: its messages, runs and tags (images keep their files)."""
        with self._write() as conn:
            require_thread(conn, thread_id)
            _purge(conn, [thread_id])

    def purge_deleted(self, older_than: float | None = None) -> int:
        """Empty the trash (only threads deleted before ``older_than`` if given)."""
        with self._write() as conn:
            found = conn.execute(
                "SELECT id FROM threads WHERE deleted_at IS NOT NULL AND deleted_at <= ?",
                (float("inf") if older_than is None else older_than,),
            ).fetchall()
            _purge(conn, [r[0] for r in found])
            return len(found)

    def list_threads(
        self,
        *,
        limit: int = 50,
        offset: int = 0,
        before: ThreadCursor | None = None,
        model: str | None = None,
        tag: str | None = None,
        identity_id: str | None = None,
        kind: str | None = None,
        deleted: bool = False,
    ) -> list[ThreadSummary]:
        """Threads newest first (by last activity), with tags and a preview of the last message.

        Page with ``offset`` or, cheaper for long lists, ``before=(last.updated_at, last.id)``.
        ``deleted=True`` lists the trash instead.
        """
        where = ["t.deleted_at IS NOT NULL" if deleted else "t.deleted_at IS NULL"]
        params: list[Any] = []
        if before is not None:
            where.append("(t.updated_at < ? OR (t.updated_at = ? AND t.id < ?))")
            params += [before[0], before[0], before[1]]
        if model is not None:
            where.append(
                "(t.model = ? OR t.id IN (SELECT thread_id FROM runs WHERE model_requested = ?))"
            )
            params += [model, model]
        if tag is not None:
            where.append("t.id IN (SELECT thread_id FROM thread_tags WHERE tag = ?)")
            params.append(tag)
        if identity_id is not None:
            where.append("t.identity_id = ?")
            params.append(identity_id)
        if kind is not None:
            where.append("t.kind = ?")
            params.append(kind)
        sql = (
            f"{rows.THREAD_SELECT} WHERE {' AND '.join(where)}"
            " ORDER BY t.updated_at DESC, t.id DESC LIMIT ? OFFSET ?"
        )
        with self._read() as conn:
            found = db.fetch_all(conn, sql, (*params, limit, offset))
        return [rows.summary_from_row(r) for r in found]

    def load_thread(self, thread_id: str) -> ThreadDetail:
        """The thread with its messages in order, its runs and its options (trash included)."""
        with self._read() as conn:
            found = db.fetch_all(conn, f"{rows.THREAD_SELECT} WHERE t.id = ?", (thread_id,))
            if not found:
                raise NotFoundError(f"There is no thread {thread_id}.")
            [(raw_options,)] = db.fetch_all(
                conn, "SELECT options FROM threads WHERE id = ?", (thread_id,)
            )
            messages = db.fetch_all(
                conn, f"{rows.MESSAGE_SELECT} WHERE thread_id = ? ORDER BY position", (thread_id,)
            )
            runs = db.fetch_all(
                conn, f"{rows.RUN_SELECT} WHERE thread_id = ? ORDER BY id", (thread_id,)
            )
        notes: list[str] = []
        options = rows.load_json_dict(raw_options, "thread options", notes)
        summary = rows.summary_from_row(found[0])
        damaged: list[tuple[str, ...]] = []
        records = tuple(rows.message_from_row(m, damaged, summary.created_at) for m in messages)
        note = rows.damage_note(damaged)
        return ThreadDetail(
            summary=summary,
            options=options,
            messages=records,
            runs=tuple(rows.run_from_row(r) for r in runs),
            unreadable=(*notes, *([note] if note else [])),
        )

    def fork_thread(self, thread_id: str, message_id: int, *, title: str | None = None) -> str:
        """A new thread holding copies of the messages up to and including ``message_id``.

        Runs of the copied messages are copied too; a copy of a still-streaming answer is marked
        interrupted (only the original keeps streaming).
        """
        with self._write() as conn:
            now = self._clock()
            src = next(
                iter(
                    db.fetch_all(
                        conn,
                        "SELECT title, model, options, identity_id, kind, created_at FROM threads"
                        " WHERE id = ?",
                        (thread_id,),
                    )
                ),
                None,
            )
            at = conn.execute(
                "SELECT position FROM messages WHERE id = ? AND thread_id = ?",
                (message_id, thread_id),
            ).fetchone()
            if src is None or at is None:
                raise NotFoundError(f"Thread {thread_id} has no message {message_id}.")
            new_id = rows.new_thread_id(now)
            new_title = title if title is not None else f"{src[0] or 'Untitled'} (fork)"
            conn.execute(
                "INSERT INTO threads (id, title, created_at, updated_at, model, options,"
                " identity_id, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (new_id, rows.clean_text(new_title), now, now, *src[1:5]),
            )
            conn.execute(
                "INSERT INTO thread_tags (thread_id, tag)"
                " SELECT ?, tag FROM thread_tags WHERE thread_id = ?",
                (new_id, thread_id),
            )
            copied: dict[int, int] = {}
            position = -1
            since = src[5] if type(src[5]) in (int, float) else now
            for old in db.fetch_all(
                conn,
                f"{rows.MESSAGE_SELECT} WHERE thread_id = ? AND position <= ? ORDER BY position",
                (thread_id, at[0]),
            ):
                # A damaged row keeps what could be read (its text above all); an unreadable
                # text is copied as unreadable. Positions stay in order and distinct.
                m = rows.message_from_row(old, fallback_time=since)
                state = "interrupted" if m.state == "streaming" else m.state
                position = max(m.position, position + 1)
                cur = conn.execute(
                    "INSERT INTO messages (thread_id, position, role, text, state, created_at,"
                    " updated_at, column_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        new_id,
                        position,
                        m.role,
                        m.text,
                        state,
                        m.created_at,
                        m.updated_at,
                        m.column_index,
                    ),
                )
                copied[m.id] = int(cur.lastrowid or 0)
            _copy_runs(conn, thread_id, new_id, copied)
            return new_id


def _copy_runs(conn: sqlite3.Connection, src: str, dst: str, copied: dict[int, int]) -> None:
    runs = conn.execute(
        "SELECT id, message_id FROM runs WHERE thread_id = ? AND message_id IS NOT NULL", (src,)
    ).fetchall()
    for run_id, message_id in runs:
        if message_id not in copied:
            continue
        copied_fields = ", ".join(rows.RUN_FIELDS[2:])
        cur = conn.execute(
            f"INSERT INTO runs ({', '.join(rows.RUN_FIELDS)})"
            f" SELECT ?, ?, {copied_fields} FROM runs WHERE id = ?",
            (dst, copied[message_id], run_id),
        )
        conn.execute(
            "UPDATE messages SET run_id = ? WHERE id = ?", (cur.lastrowid, copied[message_id])
        )


def _purge(conn: sqlite3.Connection, thread_ids: list[str]) -> None:
    for tid in thread_ids:
        # Messages first and explicitly, so their delete triggers clear the search index.
        conn.execute("UPDATE messages SET run_id = NULL WHERE thread_id = ?", (tid,))
        conn.execute("DELETE FROM runs WHERE thread_id = ?", (tid,))
        conn.execute("DELETE FROM messages WHERE thread_id = ?", (tid,))
        conn.execute("UPDATE images SET thread_id = NULL WHERE thread_id = ?", (tid,))
        conn.execute("DELETE FROM thread_tags WHERE thread_id = ?", (tid,))
        conn.execute("DELETE FROM threads WHERE id = ?", (tid,))


def _insert_tags(conn: sqlite3.Connection, thread_id: str, tags: Iterable[str]) -> tuple[str, ...]:
    clean = rows.normalize_tags(tags)
    conn.executemany(
        "INSERT INTO thread_tags (thread_id, tag) VALUES (?, ?)", [(thread_id, t) for t in clean]
    )
    return clean


def require_thread(conn: sqlite3.Connection, thread_id: str) -> None:
    if conn.execute("SELECT 1 FROM threads WHERE id = ?", (thread_id,)).fetchone() is None:
        raise NotFoundError(f"There is no thread {thread_id}.")


def _found(cur: sqlite3.Cursor, thread_id: str) -> None:
    if cur.rowcount == 0:
        raise NotFoundError(f"There is no thread {thread_id}.")
