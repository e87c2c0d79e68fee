"""A history of 10,000 threads and 200,000 messages, built in a few seconds for U3.

The store's own schema (``HistoryStore.open``), then bulk inserts in one transaction with the
per-row triggers set aside (the thread rows' counts and previews and the full-text index are
then filled in one statement each, as the triggers would have), then the triggers put back.
"""

from __future__ import annotations

import random
import sqlite3
import time
from pathlib import Path

from orq_desktop.store.history import HistoryStore
from orq_desktop.store.schema import PREVIEW_CHARS

THREADS, MESSAGES = 10_000, 200_000
_WORD_TEXT = (
    "retry fallback router model prompt answer token stream latency cache image budget "
    "timeout gateway provider region quota invoice customer contract summary draft review "
    "python rust sqlite vector embedding chart report weekly monthly legal support sales"
)
WORDS = _WORD_TEXT.split()
MODELS = ["openai/gpt-4o", "openai/gpt-4o-mini", "anthropic/claude-3-5-sonnet", "google/gemini"]
# The per-row triggers the bulk insert sets aside (their work is done in bulk below).
BULK_TRIGGERS = ("messages_fts_insert", "threads_summary_insert")


def build(path: Path, seed: int = 3) -> float:
    """Build the file at ``path``; returns the seconds it took."""
    t0 = time.perf_counter()
    HistoryStore.open(path).store.close()
    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")  # a throw-away fixture
        conn.execute("BEGIN")
        saved = [
            (name, sql)
            for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
            if name in BULK_TRIGGERS
        ]
        for name, _sql in saved:
            conn.execute(f"DROP TRIGGER {name}")
        start = time.time() - 400 * 86400
        each = MESSAGES // THREADS
        threads = [
            (f"thread_{n:026d}", " ".join(rng.choices(WORDS, k=4)), start + n * 3000.0,
             start + n * 3000.0 + each * 30, rng.choice(MODELS))
            for n in range(THREADS)
        ]  # fmt: skip
        conn.executemany(
            "INSERT INTO threads (id, title, created_at, updated_at, model) VALUES (?,?,?,?,?)",
            threads,
        )
        conn.executemany(
            "INSERT INTO thread_tags VALUES (?, ?)",
            [(t[0], f"tag-{n % 12}") for n, t in enumerate(threads) if n % 3 == 0],
        )

        def messages() -> object:
            for tid, _title, created, _updated, _model in threads:
                for pos in range(each):
                    text = " ".join(rng.choices(WORDS, k=12 if pos % 2 else 6))
                    role = "assistant" if pos % 2 else "user"
                    yield (tid, pos, role, text, created + pos * 30, created + pos * 30)

        conn.executemany(
            "INSERT INTO messages (thread_id, position, role, text, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            messages(),  # type: ignore[arg-type]
        )
        conn.execute(
            f"""UPDATE threads SET
            message_count = (SELECT count(*) FROM messages m WHERE m.thread_id = threads.id),
            preview = coalesce((SELECT substr(m.text, 1, {PREVIEW_CHARS}) FROM messages m
                WHERE m.thread_id = threads.id ORDER BY m.position DESC LIMIT 1), '')"""
        )
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')")
        for _name, sql in saved:
            conn.execute(sql)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return time.perf_counter() - t0
