"""P3: the app killed in the middle of upgrading the history's format.

A child process opens a format-1 history with the product's migration code; the last step is
paused half-way through its statements (inside its ``BEGIN IMMEDIATE`` transaction) by the
driver script, and the child is killed with ``SIGKILL`` there. The file must still be format 1
with the format-1 schema and every row, and the next open must upgrade it and keep every row.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rel_checks import db_rows
from rel_state import captured_path

from orq_desktop.store import db, schema
from orq_desktop.store.history import HistoryStore

DRIVER = Path(__file__).with_name("persist_migration_driver.py")
THREADS, MESSAGES_EACH = 40, 6


def make_v1(path: Path) -> None:
    """A format-1 history (the product's own first step) holding threads, tags and messages."""
    opened = db.open_database(path, schema.MIGRATIONS[:1])
    conn = opened.conn
    with db.write_tx(conn):
        for n in range(THREADS):
            tid = f"thread_{n:026d}"
            conn.execute(
                "INSERT INTO threads (id, title, created_at, updated_at, model, options)"
                " VALUES (?, ?, ?, ?, 'openai/gpt-4o', '{}')",
                (tid, f"old chat {n}", 1.0 + n, 2.0 + n),
            )
            conn.execute("INSERT INTO thread_tags VALUES (?, 'legacy')", (tid,))
            conn.executemany(
                "INSERT INTO messages (thread_id, position, role, text, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 1.0, 1.0)",
                [
                    (tid, p, "user" if p % 2 == 0 else "assistant", f"message {p} of chat {n}")
                    for p in range(MESSAGES_EACH)
                ],
            )
    conn.close()


def shape(path: Path) -> dict[str, object]:
    """What must not change: the format number, the schema's SQL and the row counts."""
    return {
        "user_version": db_rows(path, "PRAGMA user_version")[0][0],
        "schema": sorted(
            (t, n, s or "")
            for t, n, s in db_rows(path, "SELECT type, name, sql FROM sqlite_master")
        ),
        "threads": db_rows(path, "SELECT count(*) FROM threads")[0][0],
        "messages": db_rows(path, "SELECT count(*) FROM messages")[0][0],
        "tags": db_rows(path, "SELECT count(*) FROM thread_tags")[0][0],
    }


def kill_mid_migration(path: Path, ready: Path) -> str:
    """Run the driver until it pauses inside the last step; check the step holds the write
    lock (its transaction is open); SIGKILL it. Returns what the driver said."""
    log = captured_path(f"migration-{path.parent.name}.stderr")
    with log.open("wb") as err:
        proc = subprocess.Popen([sys.executable, str(DRIVER), str(path), str(ready)], stderr=err)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert proc.poll() is None, f"the driver ended early ({proc.returncode})"
            assert time.monotonic() < deadline, "the migration never paused"
            time.sleep(0.02)
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                probe.execute("BEGIN IMMEDIATE")  # the step's transaction holds the write lock
        finally:
            probe.close()
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return ready.read_text()


@pytest.mark.scenario("P3")
def test_a_migration_killed_half_way_leaves_the_old_format_and_the_next_open_upgrades(
    rel_dir: Path,
) -> None:
    path = rel_dir / "history.sqlite3"
    make_v1(path)
    before = shape(path)
    assert before["user_version"] == 1 and before["messages"] == THREADS * MESSAGES_EACH

    said = kill_mid_migration(path, rel_dir / "paused")
    assert said.startswith("paused after ")
    after_kill = shape(path)
    assert after_kill == before  # format, schema and rows exactly as before the upgrade began
    assert db_rows(path, "PRAGMA integrity_check") == [("ok",)]

    opened = HistoryStore.open(path)
    store = opened.store
    try:
        assert store.schema_version == schema.SCHEMA_VERSION
        assert [n.kind for n in opened.notices] == ["migrated"]
        threads = store.list_threads(limit=THREADS + 10)
        assert len(threads) == THREADS
        assert {t.message_count for t in threads} == {MESSAGES_EACH}  # filled by the upgrade
        assert all(t.tags == ("legacy",) for t in threads)
        detail = store.load_thread(threads[0].id)
        assert [m.position for m in detail.messages] == list(range(MESSAGES_EACH))
        assert store.integrity_check() == []
    finally:
        store.close()
    upgraded = shape(path)
    assert upgraded["user_version"] == schema.SCHEMA_VERSION
    assert (upgraded["threads"], upgraded["messages"], upgraded["tags"]) == (
        before["threads"],
        before["messages"],
        before["tags"],
    )
