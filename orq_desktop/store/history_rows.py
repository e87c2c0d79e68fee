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
    MESSAGE_STATES,
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


# The state a message gets when its text cannot be read (NULL, a blob, a number where the text
# belongs). The core shows it as an "unreadable message"; the rest of its thread opens as usual.
# A fork of such a message stores this state, so the copy reads as unreadable too.
UNREADABLE = "unreadable"
_NUMBERS = (int, float)

# What a bad cell of a message is called in the notes (``message_from_row``'s ``damaged``).
DAMAGE_WORDS = {
    "role": "who wrote it",
    "state": "whether it was complete",
    "created_at": "its time",
    "updated_at": "its time",
    "position": "its place in the thread",
    "run_id": "its request details",
    "column_index": "its compare column",
}


def message_from_row(
    row: sqlite3.Row | tuple[Any, ...],
    damaged: list[tuple[str, ...]] | None = None,
    fallback_time: float = 0.0,
) -> MessageRecord:
    """A message's row; a bad cell falls back on its own, the others are kept.

    Only a message whose text cannot be read is :data:`UNREADABLE` (its text ""). Otherwise the
    text is kept and a bad cell reads as: role "" (unknown), state "interrupted" for an answer
    ("complete" for a prompt), a time ``fallback_time`` (the other time if that one is good),
    position -1, no run, no column; the names of the bad cells of such a message are appended
    to ``damaged`` as one tuple (see :func:`damage_note`).
    """
    if (
        type(row[4]) is str
        and type(row[3]) is str
        and row[3] in ROLES
        and row[5] in MESSAGE_STATES
        and type(row[2]) is int
        and type(row[6]) in _NUMBERS
        and type(row[7]) in _NUMBERS
        and (row[8] is None or type(row[8]) is int)
        and (row[9] is None or type(row[9]) is int)
    ):
        return MessageRecord(
            row[0], row[1], row[2], row[3], row[4], row[5], float(row[6]), float(row[7]),
            row[8], row[9],
        )  # fmt: skip
    return _tolerant_message(row, damaged, fallback_time)


def _tolerant_message(
    row: sqlite3.Row | tuple[Any, ...],
    damaged: list[tuple[str, ...]] | None,
    fallback_time: float,
) -> MessageRecord:
    role = row[3] if isinstance(row[3], str) and row[3] in ROLES else ""
    text = row[4] if isinstance(row[4], str) else ""
    position = _integer(row[2])
    created, updated = _number(row[6]), _number(row[7])
    if not isinstance(row[4], str) or row[5] == UNREADABLE:
        state = UNREADABLE  # the core says how many of these a thread has
        text = ""
    else:
        if row[5] in MESSAGE_STATES:
            state = row[5]
        else:  # unknown: an answer may have broken off; a prompt was whole once saved
            state = "interrupted" if role != "user" else "complete"
        bad = tuple(
            name
            for name, ok in (
                ("role", role != ""),
                ("state", row[5] in MESSAGE_STATES),
                ("created_at", created is not None),
                ("updated_at", updated is not None),
                ("position", position is not None),
                ("run_id", row[8] is None or _integer(row[8]) is not None),
                ("column_index", row[9] is None or _integer(row[9]) is not None),
            )
            if not ok
        )
        if damaged is not None and bad:
            damaged.append(bad)
    if created is None:
        created = updated if updated is not None else fallback_time
    return MessageRecord(
        id=row[0],
        thread_id=_text(row[1]),
        position=-1 if position is None else position,
        role=role,
        text=text,
        state=state,
        created_at=created,
        updated_at=created if updated is None else updated,
        run_id=_integer(row[8]),
        column_index=_integer(row[9]),
    )


def damage_note(damaged: Iterable[tuple[str, ...]]) -> str | None:
    """One plain-words note on the messages whose text was kept while other cells were bad."""
    found = [d for d in damaged if d]
    if not found:
        return None
    words = sorted({DAMAGE_WORDS.get(name, name) for d in found for name in d})
    what = "1 message" if len(found) == 1 else f"{len(found)} messages"
    return (
        f"Part of what was saved for {what} could not be read ({', '.join(words)}); "
        "the text is kept."
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
