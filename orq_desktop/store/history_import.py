"""Import threads from the JSON export format (``history_export`` documents it).

Two steps, so nothing is written until the whole file is known to be good:

1. :func:`prepare` parses and validates everything and returns an :class:`ImportPlan` with a
   preview (or raises :class:`ImportRejectedError` with the reason in plain words);
2. :func:`apply` adds the planned threads in the caller's one transaction, always as new threads
   with new ids, so nothing that exists is ever overwritten.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from orq_desktop.store import history_rows as rows
from orq_desktop.store.history_export import FORMAT, VERSION
from orq_desktop.store.history_redact import strip_secrets
from orq_desktop.store.history_types import (
    ImportPreview,
    ImportRejectedError,
    ImportThreadPreview,
)

MAX_IMPORT_BYTES = 256 * 1024 * 1024
_SHOWN_ERRORS = 3


class _Model(BaseModel):
    # Values are never echoed in errors: an export may hold text the user would not want shown.
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, frozen=True)


class RunIn(_Model):
    model_requested: str = ""
    model_answered: str | None = None
    status_code: int | None = Field(default=None, ge=100, le=599)
    ttft_ms: float | None = Field(default=None, ge=0)
    total_ms: float | None = Field(default=None, ge=0)
    tokens_in: int | None = Field(default=None, ge=0)
    tokens_out: int | None = Field(default=None, ge=0)
    finish_reason: str | None = None
    trace_id: str | None = None
    error_text: str | None = None
    request: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime | None = None


class MessageIn(_Model):
    role: Literal["system", "user", "assistant"]
    text: str
    state: Literal["streaming", "complete", "stopped", "interrupted", "error"] = "complete"
    created_at: datetime | None = None
    column_index: int | None = Field(default=None, ge=0, le=63)
    run: RunIn | None = None
    note: str | None = None  # set by the export on a message the history could not fully read


class ThreadIn(_Model):
    title: str = Field(default="", max_length=2000)
    kind: Literal["chat", "compare"] = "chat"
    model: str = ""
    options: dict[str, Any] = Field(default_factory=dict)
    identity_id: str | None = None
    tags: list[str] = Field(default_factory=list, max_length=100)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    messages: list[MessageIn] = Field(default_factory=list)
    runs: list[RunIn] = Field(default_factory=list)


class _FileIn(_Model):
    threads: list[ThreadIn] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """A validated import, ready for :func:`apply`; ``preview`` is what the user confirms."""

    threads: tuple[ThreadIn, ...]
    preview: ImportPreview


def prepare(data: str | bytes) -> ImportPlan:
    """Validate an export file completely; raises ImportRejectedError with the reason."""
    doc = _parse(data)
    _check_header(doc)
    try:
        parsed = _FileIn.model_validate(doc)
    except ValidationError as exc:
        raise ImportRejectedError(_describe(exc)) from None
    threads = tuple(parsed.threads)
    unfinished = sum(m.state == "streaming" for t in threads for m in t.messages)
    notes = []
    if unfinished:
        notes.append(f"{unfinished} unfinished answer(s) will be marked as interrupted.")
    damaged = sum(m.note is not None for t in threads for m in t.messages)
    if damaged:
        notes.append(
            f"{damaged} message(s) could not be fully read when exported; they come in as "
            "failed answers that are not sent to a model."
        )
    if any(strip_secrets(t.options) != t.options for t in threads):
        notes.append("Key-like fields in the saved options will be left out.")
    preview = ImportPreview(
        threads=tuple(
            ImportThreadPreview(
                title=t.title or "Untitled",
                kind=t.kind,
                message_count=len(t.messages),
                created_at=t.created_at.timestamp() if t.created_at else 0.0,
            )
            for t in threads
        ),
        message_count=sum(len(t.messages) for t in threads),
        notes=tuple(notes),
    )
    return ImportPlan(threads, preview)


def _parse(data: str | bytes) -> Any:
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRejectedError(f"it is larger than {MAX_IMPORT_BYTES // 2**20} MB")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRejectedError("it is not a text file (not UTF-8)") from None
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise ImportRejectedError(
            f"it is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise ImportRejectedError("it is nested too deeply to be an export") from None


def _check_header(doc: Any) -> None:
    if not isinstance(doc, dict):
        raise ImportRejectedError("it is not an Orq Desktop export (no JSON object at the top)")
    if "format" not in doc:
        raise ImportRejectedError('it is not an Orq Desktop export (it has no "format" field)')
    if doc["format"] != FORMAT:
        shown = repr(doc["format"])[:60]
        raise ImportRejectedError(
            f"it is not an Orq Desktop thread export (its format is {shown}, not {FORMAT!r})"
        )
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ImportRejectedError("its version is missing or not a positive whole number")
    if version > VERSION:
        raise ImportRejectedError(
            f"it was made by a newer version of Orq Desktop (export version {version}; "
            f"this version reads version {VERSION}). Update the app to import it."
        )


def _describe(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors()[:_SHOWN_ERRORS]:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err["loc"])
        problems.append(f"{where.lstrip('.') or 'the file'}: {err['msg']}")
    more = exc.error_count() - len(problems)
    tail = f" (and {more} more)" if more > 0 else ""
    return "it does not match the export format: " + "; ".join(problems) + tail


def apply(conn: sqlite3.Connection, plan: ImportPlan, *, now: float) -> list[str]:
    """Insert the planned threads (inside the caller's transaction); returns their new ids."""
    new_ids = []
    for t in plan.threads:
        created = t.created_at.timestamp() if t.created_at else now
        updated = t.updated_at.timestamp() if t.updated_at else created
        tid = rows.new_thread_id(now)
        conn.execute(
            "INSERT INTO threads (id, title, created_at, updated_at, model, options, identity_id,"
            " kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                tid,
                rows.clean_text(t.title),
                created,
                updated,
                t.model,
                rows.dump_json(t.options),
                t.identity_id,
                t.kind,
            ),
        )
        conn.executemany(
            "INSERT INTO thread_tags (thread_id, tag) VALUES (?, ?)",
            [(tid, tag) for tag in rows.normalize_tags(t.tags)],
        )
        for position, m in enumerate(t.messages):
            at = m.created_at.timestamp() if m.created_at else created
            state = "interrupted" if m.state == "streaming" else m.state
            cur = conn.execute(
                "INSERT INTO messages (thread_id, position, role, text, state, created_at,"
                " updated_at, column_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (tid, position, m.role, rows.clean_text(m.text), state, at, at, m.column_index),
            )
            if m.run is not None:
                run_id = _insert_run(conn, tid, cur.lastrowid, m.column_index, m.run, at)
                conn.execute("UPDATE messages SET run_id = ? WHERE id = ?", (run_id, cur.lastrowid))
        for run in t.runs:
            _insert_run(conn, tid, None, None, run, created)
        new_ids.append(tid)
    return new_ids


def _insert_run(
    conn: sqlite3.Connection,
    thread_id: str,
    message_id: int | None,
    column_index: int | None,
    run: RunIn,
    default_at: float,
) -> int:
    cur = conn.execute(
        rows.INSERT_RUN,
        (
            thread_id,
            message_id,
            column_index,
            rows.dump_json(run.request),
            run.model_requested,
            run.model_answered,
            run.status_code,
            run.ttft_ms,
            run.total_ms,
            run.tokens_in,
            run.tokens_out,
            run.finish_reason,
            run.trace_id,
            None if run.error_text is None else rows.clean_text(run.error_text),
            run.created_at.timestamp() if run.created_at else default_at,
        ),
    )
    return int(cur.lastrowid or 0)
