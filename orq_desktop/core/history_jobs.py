"""Work that runs on the history's database thread: several store calls in one trip.

Each function takes the store first and is handed to ``DbWorker.run`` whole, so a turn's writes
(thread, system prompt, user turn, empty answer) cost one hop from the event loop, and no other
call can slip in between them. Each store call is still its own transaction: a crash part way
loses at most the call that was running, never one that returned.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orq_desktop.fileio import atomic_write_bytes
from orq_desktop.store.history_types import ImportRejectedError

if TYPE_CHECKING:
    from orq_desktop.store.history import HistoryStore
    from orq_desktop.store.history_import import ImportPlan

MAX_IMPORT_BYTES = 256 * 1024 * 1024  # the store refuses more; checked before reading the file


@dataclass(frozen=True, slots=True)
class BeginJob:
    """What ``before_send`` writes.

    Attributes:
        thread_id: the conversation's thread (None: create it as ``new_thread_id``).
        cut_at: the message id of the first turn a regenerate or an edit replaces; that message
            and everything after it leave the thread, which keeps its id.
        system_prompt: the system prompt sent; saved as a system message when it differs from
            ``last_system`` (the last one saved, None for none).
        user_text: the new user turn (None when regenerating); ``reuse_user`` is the message id
            of the same turn saved by an attempt whose later writes failed.
        options_changed: write ``model``, ``options``, ``tags`` and ``identity_id`` to an
            existing thread.
    """

    thread_id: str | None
    new_thread_id: str
    title: str
    model: str
    options: dict[str, Any]
    tags: tuple[str, ...]
    identity_id: str | None
    options_changed: bool
    system_prompt: str
    last_system: str | None
    user_text: str | None
    reuse_user: int | None = None
    cut_at: int | None = None


@dataclass
class BeginProgress:
    """What ``begin_turn`` has written so far (read after a failure too)."""

    thread_id: str | None = None
    created: bool = False
    replaced: str | None = None  # the thread a cut shortened (what it cut is gone for good)
    remap: dict[int, int] = field(default_factory=dict)  # old message id -> new (a cut keeps ids)
    system: str | None = None  # the last system prompt in the thread now
    user_row: int | None = None
    answer_row: int | None = None


def begin_turn(store: HistoryStore, job: BeginJob, progress: BeginProgress) -> None:
    tid = job.thread_id
    last_system = job.last_system
    if tid is not None and job.cut_at is not None:
        tid, last_system = _cut(store, tid, job.cut_at, progress)
    if tid is None:
        try:
            tid = _create(store, job, job.new_thread_id)
        except sqlite3.IntegrityError:  # that id is taken (an older thread): a fresh one
            tid = _create(store, job, None)
        progress.created = True
    elif job.options_changed:
        store.set_thread_options(
            tid, model=job.model, options=job.options, identity_id=job.identity_id
        )
        store.set_tags(tid, job.tags)
    progress.thread_id = tid
    progress.system = last_system
    if job.system_prompt != (last_system or ""):
        store.add_message(tid, "system", job.system_prompt)
        progress.system = job.system_prompt
    if job.user_text is not None:
        progress.user_row = job.reuse_user or store.add_message(tid, "user", job.user_text)
    progress.answer_row = store.start_assistant_message(tid)


def _create(store: HistoryStore, job: BeginJob, thread_id: str | None) -> str:
    return store.create_thread(
        job.title,
        model=job.model,
        options=job.options,
        tags=job.tags,
        identity_id=job.identity_id,
        thread_id=thread_id,
    )


def _cut(
    store: HistoryStore, tid: str, cut_at: int, progress: BeginProgress
) -> tuple[str, str | None]:
    """Cut the thread short before ``cut_at``, in place; (its id, its last system prompt)."""
    detail = store.load_thread(tid)
    at = next((m.position for m in detail.messages if m.id == cut_at), None)
    kept = [m for m in detail.messages if at is None or m.position < at]
    last_system = next((m.text for m in reversed(kept) if m.role == "system"), None)
    if at is not None:
        store.truncate_thread(tid, cut_at)
        progress.thread_id, progress.replaced, progress.system = tid, tid, last_system
    return tid, last_system


@dataclass(frozen=True, slots=True)
class EndJob:
    """An answer's final write and its run (the request, never a key)."""

    thread_id: str
    answer_row: int
    state: str
    text: str
    run: dict[str, Any]


def end_turn(store: HistoryStore, job: EndJob) -> None:
    store.finish_message(job.answer_row, job.state, job.text)
    store.record_run(job.thread_id, message_id=job.answer_row, **job.run)


def export_file(store: HistoryStore, thread_id: str, path: str, kind: str) -> None:
    """Write the thread as Markdown (``md``) or JSON (``json``) to ``path``, atomically."""
    text = store.export_markdown(thread_id) if kind == "md" else store.export_json(thread_id)
    atomic_write_bytes(Path(path), text.encode("utf-8"))


def read_import(store: HistoryStore, path: str) -> ImportPlan:
    """Read and check an export file; raises ImportRejectedError with the reason."""
    try:
        size = os.stat(path).st_size
        if size > MAX_IMPORT_BYTES:
            raise ImportRejectedError(
                f"it is {size // 2**20} MiB; files up to {MAX_IMPORT_BYTES // 2**20} MiB can be"
                " imported."
            )
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ImportRejectedError(f"it could not be read ({exc.strerror or exc}).") from exc
    return store.prepare_import(data)
