"""Opening the history: pragmas, file modes, damaged files, newer and older formats, migrations."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from orq_desktop.store import db, schema
from orq_desktop.store.history import HistoryStore
from orq_desktop.store.history_types import HistoryError, ReadOnlyHistoryError

# The v1 schema exactly as it shipped (kept here, by hand, so later edits to schema.py cannot
# silently change what "an old database" means).
V1_SQL = [
    """CREATE TABLE threads (id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL, updated_at REAL NOT NULL, model TEXT NOT NULL DEFAULT '',
        options TEXT NOT NULL DEFAULT '{}', identity_id TEXT, deleted_at REAL)""",
    """CREATE INDEX threads_recent ON threads(updated_at DESC, id DESC)
        WHERE deleted_at IS NULL""",
    "CREATE INDEX threads_identity ON threads(identity_id) WHERE identity_id IS NOT NULL",
    "CREATE INDEX threads_model ON threads(model)",
    """CREATE TABLE thread_tags (thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
        tag TEXT NOT NULL, PRIMARY KEY (thread_id, tag)) WITHOUT ROWID""",
    "CREATE INDEX thread_tags_by_tag ON thread_tags(tag, thread_id)",
    """CREATE TABLE messages (id INTEGER PRIMARY KEY,
        thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
        position INTEGER NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'complete', created_at REAL NOT NULL,
        updated_at REAL NOT NULL)""",
    "CREATE UNIQUE INDEX messages_by_thread ON messages(thread_id, position)",
    "CREATE INDEX messages_streaming ON messages(state) WHERE state = 'streaming'",
    """CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
        WHEN new.state != 'streaming' BEGIN
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.state != 'streaming' BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, state ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text)
            SELECT 'delete', old.id, old.text WHERE old.state != 'streaming';
        INSERT INTO messages_fts(rowid, text)
            SELECT new.id, new.text WHERE new.state != 'streaming'; END""",
]


def make_v1(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("BEGIN")
    for statement in V1_SQL:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO threads (id, title, created_at, updated_at, model, options)"
        " VALUES ('thread_OLD', 'Old chat', 1.0, 2.0, 'openai/gpt-4o', '{\"temperature\": 0.3}')"
    )
    conn.execute("INSERT INTO thread_tags VALUES ('thread_OLD', 'legacy')")
    conn.executemany(
        "INSERT INTO messages (thread_id, position, role, text, state, created_at, updated_at)"
        " VALUES ('thread_OLD', ?, ?, ?, ?, 1.0, 1.0)",
        [
            (0, "user", "what is a walrus operator", "complete"),
            (1, "assistant", "an assignment expression", "complete"),
            (2, "assistant", "half an answ", "streaming"),
        ],
    )
    conn.execute("PRAGMA user_version = 1")
    conn.execute("COMMIT")
    conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_new_database_uses_wal_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    opened = HistoryStore.open(tmp_path / "history.sqlite3")
    assert opened.notices == ()
    conn = opened.store._live()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert conn.isolation_level is None  # no implicit transactions from Python's sqlite3
    opened.store.close()


def test_files_are_0600_and_the_folder_is_left_alone(tmp_path: Path, umask_022: None) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    before = stat.S_IMODE(folder.stat().st_mode)
    path = folder / "history.sqlite3"
    store = HistoryStore.open(path).store
    store.create_thread("mode check")  # the log and shared-memory files exist while open
    for name in ("history.sqlite3", "history.sqlite3-wal", "history.sqlite3-shm"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(folder.stat().st_mode) == before == 0o755
    store.close()


def test_existing_loose_modes_are_tightened(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryStore.open(path).store.close()
    os.chmod(path, 0o644)
    store = HistoryStore.open(path).store
    store.create_thread("x")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(f"{path}-wal").stat().st_mode) == 0o600
    store.close()


def test_garbage_file_is_moved_aside_and_a_fresh_history_started(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    junk = os.urandom(8192)
    path.write_bytes(junk)
    opened = HistoryStore.open(path)
    [notice] = opened.notices
    assert notice.kind == "corrupt_moved" and notice.path is not None
    assert notice.path.name.startswith("history.sqlite3.corrupt-")
    assert notice.path.read_bytes() == junk  # kept, byte for byte
    assert "nothing was deleted" in notice.text
    tid = opened.store.create_thread("after the damage")
    assert [t.id for t in opened.store.list_threads()] == [tid]
    opened.store.close()


def test_truncated_database_is_moved_aside_with_its_log(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore.open(path).store
    tid = store.create_thread("big")
    for i in range(300):
        store.add_message(tid, "user", f"message {i} " + "lorem ipsum " * 40)
    store.close()
    size = path.stat().st_size
    assert db.header_problem(path) is None
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    opened = HistoryStore.open(path)
    [notice] = opened.notices
    assert notice.kind == "corrupt_moved" and "truncated" in notice.text
    assert notice.path is not None and notice.path.stat().st_size == size // 2
    assert opened.store.list_threads() == []
    opened.store.create_thread("fresh")
    opened.store.close()


def test_zeroed_header_and_stale_log_are_moved_together(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryStore.open(path).store.close()
    data = bytearray(path.read_bytes())
    data[:100] = bytes(100)
    path.write_bytes(bytes(data))
    Path(f"{path}-wal").write_bytes(b"not a log")
    opened = HistoryStore.open(path)
    [notice] = opened.notices
    assert notice.path is not None
    assert Path(f"{notice.path}-wal").read_bytes() == b"not a log"
    opened.store.create_thread("fresh")
    opened.store.close()


def test_a_foreign_sqlite_file_is_moved_aside_not_mixed_in(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE songs (title TEXT)")
    conn.commit()
    conn.close()
    opened = HistoryStore.open(path)
    [notice] = opened.notices
    assert "not an Orq Desktop history" in notice.text
    assert notice.path is not None
    moved = sqlite3.connect(notice.path)
    assert moved.execute("SELECT name FROM sqlite_master").fetchall() == [("songs",)]
    moved.close()
    opened.store.close()


def test_newer_version_opens_read_only_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore.open(path).store
    tid = store.create_thread("from the future", tags=["t"])
    mid = store.add_message(tid, "user", "quantum teapot")
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = digest(path)

    opened = HistoryStore.open(path)
    store = opened.store
    [notice] = opened.notices
    assert notice.kind == "read_only" and "newer version" in notice.text
    assert store.read_only and store.schema_version == 99
    assert [t.id for t in store.list_threads()] == [tid]
    assert [h.item_id for h in store.search("teapot")] == [mid]
    assert store.load_thread(tid).messages[0].text == "quantum teapot"
    writes = [
        lambda: store.create_thread("no"),
        lambda: store.add_message(tid, "user", "no"),
        lambda: store.rename_thread(tid, "no"),
        lambda: store.delete_thread(tid),
        lambda: store.add_image("/x.png", "no"),
        lambda: store.compact(),
    ]
    for write in writes:
        with pytest.raises(ReadOnlyHistoryError, match="newer version"):
            write()
    assert store.integrity_check() == []
    store.close()
    assert digest(path) == before
    assert not list(tmp_path.glob("*.bak-*"))


def test_v1_database_is_backed_up_then_migrated_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    make_v1(path)
    opened = HistoryStore.open(path)
    kinds = [n.kind for n in opened.notices]
    assert kinds == ["migrated", "recovered"]
    backup = tmp_path / "history.sqlite3.bak-v1"
    assert opened.notices[0].path == backup
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    assert old.execute("SELECT count(*) FROM messages").fetchone()[0] == 3
    old.close()

    store = opened.store
    assert store.schema_version == schema.SCHEMA_VERSION
    detail = store.load_thread("thread_OLD")
    assert detail.summary.kind == "chat" and detail.summary.tags == ("legacy",)
    assert detail.options == {"temperature": 0.3}
    assert [m.text for m in detail.messages] == [
        "what is a walrus operator",
        "an assignment expression",
        "half an answ",
    ]
    assert [m.state for m in detail.messages] == ["complete", "complete", "interrupted"]
    [summary] = store.list_threads()
    assert summary.message_count == 3 and summary.preview == "half an answ"  # filled in by v2
    assert [h.item_id for h in store.search("walrus")] == [detail.messages[0].id]
    assert [h.item_id for h in store.search("answ")] == [detail.messages[2].id]
    # The new tables work on the migrated file.
    run = store.record_run("thread_OLD", message_id=detail.messages[1].id, model_requested="m")
    assert store.load_thread("thread_OLD").messages[1].run_id == run
    store.close()
    again = HistoryStore.open(path)  # re-opening is a no-op: no new backup, no notice
    assert again.notices == ()
    again.store.close()


def test_each_migration_step_is_its_own_transaction(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "h.sqlite3", isolation_level=None)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    db.migrate(conn, 0, schema.MIGRATIONS)
    marks = [s for s in statements if s in ("BEGIN IMMEDIATE", "COMMIT") or "user_version =" in s]
    assert marks == [
        "BEGIN IMMEDIATE",
        "PRAGMA user_version = 1",
        "COMMIT",
        "BEGIN IMMEDIATE",
        "PRAGMA user_version = 2",
        "COMMIT",
    ]
    conn.close()


def test_a_step_that_fails_half_way_leaves_the_previous_version_whole(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    make_v1(path)
    v2 = list(schema.MIGRATIONS[1].statements)
    alter = next(i for i, sql in enumerate(v2) if sql.startswith("ALTER TABLE threads"))
    broken_v2 = schema.Migration(
        2,
        [
            *v2[: alter + 1],  # creates runs and its indexes, alters threads ...
            "ALTER TABLE no_such_table ADD COLUMN x",  # ... then fails
        ],
    )
    with pytest.raises(HistoryError, match="could not be upgraded to format 2") as caught:
        db.open_database(path, migrations=[schema.MIGRATIONS[0], broken_v2])
    assert "bak-v1" in str(caught.value)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "runs" not in tables
    columns = {r[1] for r in conn.execute("PRAGMA table_info(threads)")}
    assert "kind" not in columns  # the ALTER TABLE was rolled back with the rest
    assert conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 3
    conn.close()
    # The real migration still works afterwards.
    opened = HistoryStore.open(path)
    assert opened.store.schema_version == schema.SCHEMA_VERSION
    assert len(opened.store.load_thread("thread_OLD").messages) == 3
    opened.store.close()


def test_a_fresh_database_that_fails_at_step_two_stays_at_step_one(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    broken = schema.Migration(2, ["CREATE TABLE runs (id INTEGER)", "SELECT * FROM nowhere"])
    with pytest.raises(HistoryError):
        db.open_database(path, migrations=[schema.MIGRATIONS[0], broken])
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'runs'").fetchone() == (0,)
    conn.close()


def test_an_unusable_folder_gives_a_plain_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    with pytest.raises(HistoryError, match="could not be opened"):
        HistoryStore.open(blocker / "history.sqlite3")
    assert blocker.read_text() == "a file where the data folder should be"


def test_closed_store_refuses_calls(tmp_path: Path) -> None:
    store = HistoryStore.open(tmp_path / "h.sqlite3").store
    store.close()
    store.close()  # twice is fine
    with pytest.raises(HistoryError, match="closed"):
        store.list_threads()
