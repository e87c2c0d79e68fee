"""Rows to records and values to rows: the SQL column lists and the tolerant converters.

Reading is tolerant on purpose (the LM Studio #872 lesson in RELIABILITY.md): a cell that cannot
be parsed becomes an empty value plus a note, never an exception that hides a whole thread.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Mapping
from typing import Any

from orq_desktop.store.history_redact import strip_secrets
from orq_desktop.store.history_types import (
    ROLES,
    ImageRecord,
    MessageRecord,
    RunRecord,
    ThreadSummary,
)

PREVIEW_CHARS = 160
MAX_TAG_CHARS = 64

# The sidebar row: one read of the thread row, whose preview, count and tags are kept up to
# date by triggers (schema v2), in the order of ThreadSummary's fields.
THREAD_SELECT = """
SELECT t.id, t.title, t.created_at, t.updated_at, t.model, t.kind, t.identity_id, t.tags,
    t.preview, t.message_count, t.deleted_at IS NOT NULL
FROM threads t
"""

MESSAGE_SELECT = """
SELECT id, thread_id, position, role, text, state, created_at, updated_at, run_id, column_index
FROM messages
"""

RUN_SELECT = """
SELECT id, thread_id, message_id, column_index, request, model_requested, model_answered,
    status_code, ttft_ms, total_ms, tokens_in, tokens_out, finish_reason, trace_id, error_text,
    created_at
FROM runs
"""

RUN_FIELDS = (
    "thread_id", "message_id", "column_index", "request", "model_requested", "model_answered",
    "status_code", "ttft_ms", "total_ms", "tokens_in", "tokens_out", "finish_reason", "trace_id",
    "error_text", "created_at",
)  # fmt: skip
INSERT_RUN = (
    f"INSERT INTO runs ({', '.join(RUN_FIELDS)}) VALUES ({', '.join('?' * len(RUN_FIELDS))})"
)

IMAGE_SELECT = """
SELECT id, path, prompt, revised_prompt, model, settings, created_at, thread_id FROM images
"""

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SURROGATES = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")


def new_thread_id(now: float | None = None) -> str:
    """``thread_<ULID>``: 48 bits of milliseconds then 80 random bits, Crockford base 32."""
    ms = int((time.time() if now is None else now) * 1000)
    value = (ms << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "thread_" + "".join(reversed(chars))


def clean_text(text: str) -> str:
    """Text SQLite can store: lone surrogates (from broken JSON escapes) become U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)
    return text


def dump_json(value: Mapping[str, Any] | None) -> str:
    """JSON for an options / request / settings cell, with every key-like field removed."""
    return clean_text(
        json.dumps(strip_secrets(dict(value or {})), ensure_ascii=False, separators=(",", ":"))
    )


def load_json_dict(raw: object, what: str, notes: list[str] | None = None) -> dict[str, Any]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if isinstance(value, dict):
        return value
    if notes is not None:
        notes.append(f"The {what} could not be read and were left empty.")
    return {}


def normalize_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Trimmed, single-spaced, de-duplicated, sorted; empty tags dropped."""
    clean = {
        clean_text(_CONTROLS.sub("", _SPACES.sub(" ", str(t))).strip())[:MAX_TAG_CHARS]
        for t in tags
    }
    return tuple(sorted(t for t in clean if t))


def one_line(text: str | None, limit: int = PREVIEW_CHARS) -> str:
    if not text:
        return ""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        text = " ".join(text.split())
    else:
        text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary_from_row(row: sqlite3.Row | tuple[Any, ...]) -> ThreadSummary:
    # Positional on purpose: this runs for every sidebar row on start-up. A row whose cells
    # have the wrong types (a damaged file) is read again by the tolerant path below.
    try:
        tags = tuple(sorted(row[7].split("\x1f"))) if row[7] else ()
        summary = ThreadSummary(
            row[0], row[1], row[2], row[3], row[4], row[5], row[6], tags, one_line(row[8]),
            row[9], bool(row[10]),
        )  # fmt: skip
    except (AttributeError, TypeError, ValueError):
        return _tolerant_summary(row)
    if (
        type(row[1]) is not str
        or type(row[2]) not in _NUMBERS
        or type(row[3]) not in _NUMBERS
        or type(row[4]) is not str
        or type(row[9]) is not int
    ):
        return _tolerant_summary(row)
    return summary


def _tolerant_summary(row: sqlite3.Row | tuple[Any, ...]) -> ThreadSummary:
    raw_tags = _text(row[7])
    return ThreadSummary(
        id=_text(row[0]),
        title=_text(row[1]),
        created_at=_number(row[2]) or 0.0,
        updated_at=_number(row[3]) or 0.0,
        model=_text(row[4]),
        kind=row[5] if row[5] in ("chat", "compare") else "chat",
        identity_id=row[6] if isinstance(row[6], str) else None,
        tags=tuple(sorted(raw_tags.split("\x1f"))) if raw_tags else (),
        preview=one_line(_text(row[8])),
        message_count=_integer(row[9]) or 0,
        deleted=bool(row[10]),
    )


# The state a message gets when its row cannot be read (a damaged cell: NULL where a value is
# required, a blob for text, a word where a time belongs). The core shows it as an
# "unreadable message"; the rest of its thread opens as usual.
UNREADABLE = "unreadable"
_NUMBERS = (int, float)


def message_from_row(row: sqlite3.Row | tuple[Any, ...]) -> MessageRecord:
    readable = (
        isinstance(row[3], str)
        and row[3] in ROLES
        and isinstance(row[4], str)
        and isinstance(row[5], str)
        and type(row[2]) is int
        and type(row[6]) in _NUMBERS
        and type(row[7]) in _NUMBERS
        and (row[8] is None or type(row[8]) is int)
        and (row[9] is None or type(row[9]) is int)
    )
    return MessageRecord(
        id=row[0],
        thread_id=_text(row[1]),
        position=row[2] if type(row[2]) is int else -1,
        role=row[3] if readable else _text(row[3]),
        text=row[4] if readable else "",
        state=row[5] if readable else UNREADABLE,
        created_at=_number(row[6]) or 0.0,
        updated_at=_number(row[7]) or 0.0,
        run_id=_integer(row[8]),
        column_index=_integer(row[9]),
    )


def run_from_row(row: sqlite3.Row | tuple[Any, ...]) -> RunRecord:
    """A run's row; a cell of the wrong type (a damaged file) reads as unknown (None)."""
    return RunRecord(
        id=row[0],
        thread_id=_text(row[1]),
        message_id=_integer(row[2]),
        column_index=_integer(row[3]),
        request=load_json_dict(row[4], "request"),
        model_requested=_text(row[5]),
        model_answered=row[6] if isinstance(row[6], str) else None,
        status_code=_integer(row[7]),
        ttft_ms=_number(row[8]),
        total_ms=_number(row[9]),
        tokens_in=_integer(row[10]),
        tokens_out=_integer(row[11]),
        finish_reason=row[12] if isinstance(row[12], str) else None,
        trace_id=row[13] if isinstance(row[13], str) else None,
        error_text=row[14] if isinstance(row[14], str) else None,
        created_at=_number(row[15]) or 0.0,
    )


def image_from_row(row: sqlite3.Row | tuple[Any, ...]) -> ImageRecord:
    return ImageRecord(
        id=row[0],
        path=_text(row[1]),
        prompt=_text(row[2]),
        revised_prompt=row[3] if isinstance(row[3], str) else None,
        model=_text(row[4]),
        settings=load_json_dict(row[5], "image settings"),
        created_at=_number(row[6]) or 0.0,
        thread_id=row[7] if isinstance(row[7], str) else None,
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> float | None:
    return float(value) if type(value) in _NUMBERS else None  # type: ignore[arg-type]


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
