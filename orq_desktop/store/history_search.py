"""Full-text search over message text and image prompts (SQLite FTS5), with highlighted snippets.

What the user types is never passed to FTS5 as syntax: every word becomes a quoted string, so
``AND``, ``-``, ``:`` or a stray parenthesis cannot make the query fail. What is understood:

- words: all must appear (``retry fallback``);
- ``"a phrase"`` in double quotes: the words in that order;
- a trailing ``*``: a prefix of two letters or more (``embed*`` finds embedding, embeddings); a
  one-letter prefix would expand to a good part of the vocabulary, so ``a*`` means the word "a".

Results come newest first by default. FTS5 walks its index in rowid order, so with ``LIMIT`` it
stops after the first page of hits even for a word that is in half the history; ordering by
relevance (``order="relevance"``) has to rank every hit first and is slower on common words.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal

from orq_desktop.store.db import fetch_all
from orq_desktop.store.history_types import HitKind, SearchHit

# Private-use characters mark the matches inside snippets; they are removed before the snippet
# reaches the caller, who gets plain text plus the spans to embolden.
_OPEN = "\ue000"
_CLOSE = "\ue001"
_MARKS = re.compile(f"([{_OPEN}{_CLOSE}])")
_TERMS = re.compile(r'"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w")
SNIPPET_TOKENS = 16
MAX_LIMIT = 200

Order = Literal["recent", "relevance"]


@dataclass(frozen=True, slots=True)
class SearchFilters:
    model: str | None = None  # the thread's model, or a model that answered in it
    tag: str | None = None
    identity_id: str | None = None

    @property
    def needs_thread(self) -> bool:
        return self.tag is not None or self.identity_id is not None


def build_match(query: str) -> str | None:
    """The FTS5 MATCH expression for what the user typed; None when there is nothing to find."""
    parts: list[str] = []
    for found in _TERMS.finditer(query):
        phrase, word = found.group(1), found.group(2)
        if phrase is not None:
            if _WORD.search(phrase):
                parts.append(_quote(phrase))
            continue
        stem = word.rstrip("*")
        if not _WORD.search(stem):
            continue
        prefix = word.endswith("*") and len(stem) > 1
        parts.append(_quote(stem) + ("*" if prefix else ""))
    return " AND ".join(parts) or None


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def split_marks(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Remove the match markers from a snippet; return the text and the marked spans."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for piece in _MARKS.split(marked):
        if piece == _OPEN:
            if start is None:
                start = length
        elif piece == _CLOSE:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        elif piece:
            out.append(piece)
            length += len(piece)
    return "".join(out), tuple(spans)


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    filters: SearchFilters,
    kinds: frozenset[HitKind],
    limit: int,
    offset: int,
    order: Order,
) -> list[SearchHit]:
    match = build_match(query)
    if match is None or limit <= 0:
        return []
    limit = min(limit, MAX_LIMIT)
    want = limit + max(offset, 0)
    ranked: list[list[tuple[float, SearchHit]]] = []
    if not _threads_can_match(conn, filters):
        return []  # else FTS5 would walk every hit of a common word only to filter all out
    if "message" in kinds and _messages_can_match(conn, filters):
        ranked.append(_messages(conn, match, filters, want, order))
    if "image" in kinds:
        ranked.append(_images(conn, match, filters, want, order))
    merged = sorted((pair for hits in ranked for pair in hits), key=lambda pair: pair[0])
    return [hit for _, hit in merged[offset : offset + limit]]


def _order_sql(table: str, order: Order) -> str:
    return "rank" if order == "relevance" else f"{table}.rowid DESC"


def _sort_key(order: Order, rank: float, created_at: float) -> float:
    # Ascending keys: bm25 rank is already "smaller is better".
    return rank if order == "relevance" else -created_at


def _messages(
    conn: sqlite3.Connection, match: str, filters: SearchFilters, want: int, order: Order
) -> list[tuple[float, SearchHit]]:
    where = ["messages_fts MATCH :match", "t.deleted_at IS NULL"]
    params: dict[str, Any] = {
        "match": match,
        "open": _OPEN,
        "close": _CLOSE,
        "tokens": SNIPPET_TOKENS,
        "want": want,
    }
    if filters.model is not None:
        where.append(
            "(t.model = :model OR EXISTS (SELECT 1 FROM runs r WHERE r.id = m.run_id"
            " AND (r.model_requested = :model OR r.model_answered = :model)))"
        )
        params["model"] = filters.model
    _thread_filters(filters, where, params)
    sql = f"""
        SELECT m.id, m.thread_id, t.title, m.role, m.created_at, t.model, messages_fts.rank,
            snippet(messages_fts, 0, :open, :close, '…', :tokens)
        FROM messages_fts
        JOIN messages m ON m.id = messages_fts.rowid
        JOIN threads t ON t.id = m.thread_id
        WHERE {" AND ".join(where)}
        ORDER BY {_order_sql("messages_fts", order)}
        LIMIT :want"""
    hits = []
    for row in fetch_all(conn, sql, params):
        snippet, spans = split_marks(row[7] or "")
        hit = SearchHit("message", row[1], row[2] or "", row[0], row[3], row[5] or "",
                        float(row[4]), snippet, spans)  # fmt: skip
        hits.append((_sort_key(order, row[6], hit.created_at), hit))
    return hits


def _images(
    conn: sqlite3.Connection, match: str, filters: SearchFilters, want: int, order: Order
) -> list[tuple[float, SearchHit]]:
    where = ["images_fts MATCH :match", "(t.id IS NULL OR t.deleted_at IS NULL)"]
    params: dict[str, Any] = {
        "match": match,
        "open": _OPEN,
        "close": _CLOSE,
        "tokens": SNIPPET_TOKENS,
        "want": want,
    }
    if filters.model is not None:
        where.append("i.model = :model")
        params["model"] = filters.model
    if filters.needs_thread:
        where.append("t.id IS NOT NULL")
    _thread_filters(filters, where, params)
    sql = f"""
        SELECT i.id, i.thread_id, t.title, i.created_at, i.model, images_fts.rank,
            snippet(images_fts, -1, :open, :close, '…', :tokens)
        FROM images_fts
        JOIN images i ON i.id = images_fts.rowid
        LEFT JOIN threads t ON t.id = i.thread_id
        WHERE {" AND ".join(where)}
        ORDER BY {_order_sql("images_fts", order)}
        LIMIT :want"""
    hits = []
    for row in fetch_all(conn, sql, params):
        snippet, spans = split_marks(row[6] or "")
        hit = SearchHit("image", row[1], row[2] or "", row[0], None, row[4] or "",
                        float(row[3]), snippet, spans)  # fmt: skip
        hits.append((_sort_key(order, row[5], hit.created_at), hit))
    return hits


def _threads_can_match(conn: sqlite3.Connection, filters: SearchFilters) -> bool:
    """Whether any thread has the tag and identity asked for (two index look-ups)."""
    checks = []
    if filters.tag is not None:
        checks.append(("SELECT 1 FROM thread_tags WHERE tag = ? LIMIT 1", filters.tag))
    if filters.identity_id is not None:
        checks.append(("SELECT 1 FROM threads WHERE identity_id = ? LIMIT 1", filters.identity_id))
    return all(conn.execute(sql, (value,)).fetchone() for sql, value in checks)


def _messages_can_match(conn: sqlite3.Connection, filters: SearchFilters) -> bool:
    if filters.model is None:
        return True
    found = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM threads WHERE model = :m)"
        " OR EXISTS (SELECT 1 FROM runs WHERE model_requested = :m)"
        " OR EXISTS (SELECT 1 FROM runs WHERE model_answered = :m)",
        {"m": filters.model},
    ).fetchone()
    return bool(found[0])


def _thread_filters(filters: SearchFilters, where: list[str], params: dict[str, Any]) -> None:
    if filters.tag is not None:
        where.append(
            "EXISTS (SELECT 1 FROM thread_tags g WHERE g.thread_id = t.id AND g.tag = :tag)"
        )
        params["tag"] = filters.tag
    if filters.identity_id is not None:
        where.append("t.identity_id = :identity")
        params["identity"] = filters.identity_id
