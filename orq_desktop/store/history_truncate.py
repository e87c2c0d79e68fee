"""Cutting a thread short: a regenerate or an edit replaces a message and all that followed it.

A mixin of :class:`~orq_desktop.store.history.HistoryStore`, like the thread methods. The thread
keeps its id (the one the router received as ``orq.thread``), its title, options and tags.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable

from orq_desktop.store.history_types import NotFoundError

_FROM = "SELECT id FROM messages WHERE thread_id = ? AND position >= ?"


class TruncateMixin:
    """``truncate_thread``; HistoryStore supplies the clock and the transactions."""

    _clock: Callable[[], float]

    def _write(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # pragma: no cover

    def truncate_thread(self, thread_id: str, from_message: int) -> int:
        """Delete ``from_message`` and every later message of the thread; returns how many.

        Their runs go too, and their text leaves the search index (the delete triggers); the
        messages before it keep their ids. One transaction: all of it happens or none.
        """
        with self._write() as conn:
            found = conn.execute(
                "SELECT position FROM messages WHERE id = ? AND thread_id = ?",
                (from_message, thread_id),
            ).fetchone()
            if found is None:
                raise NotFoundError(f"Thread {thread_id} has no message {from_message}.")
            cut = (thread_id, found[0])
            # As a purge does: unlink the runs, drop them, then the messages (whose delete
            # triggers clear the search index and the sidebar's preview and count).
            conn.execute(f"UPDATE messages SET run_id = NULL WHERE id IN ({_FROM})", cut)
            conn.execute(
                f"DELETE FROM runs WHERE thread_id = ? AND message_id IN ({_FROM})",
                (thread_id, *cut),
            )
            removed = conn.execute(
                "DELETE FROM messages WHERE thread_id = ? AND position >= ?", cut
            ).rowcount
            conn.execute(
                "UPDATE threads SET updated_at = ? WHERE id = ?", (self._clock(), thread_id)
            )
            return removed


__all__ = ["TruncateMixin"]
