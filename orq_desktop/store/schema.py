"""The history schema, as numbered migration steps recorded in ``PRAGMA user_version``.

A new database runs every step from 0; an older one runs only the steps it lacks. Each step is
one ``BEGIN IMMEDIATE`` transaction that ends by setting ``user_version`` (see ``db.migrate``), so
a step that fails or is killed half-way leaves the previous version whole.

Steps are lists of single statements, never ``executescript``: that would commit the open
transaction first and break the one-transaction-per-step rule.

History of the format:

- v1: threads, their tags, messages, full-text index over message text.
- v2: runs (one per request, with the compare column), images with a full-text index over their
  prompts, thread kind ('chat' | 'compare'), the message's run and compare column, and the
  sidebar's preview, message count and tags on the thread row.

Full-text indexes use external content (the text lives once, in the table) and are kept in step
by triggers. A message is indexed only once it stops streaming: the core rewrites a streaming
row's text every second, and re-indexing a growing answer each time would be wasted work (a
leftover streaming row is indexed when recovery marks it interrupted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PREVIEW_CHARS = 200  # characters of the last message kept on the thread row
_TAGS_OF = """coalesce((SELECT group_concat(tag, char(31)) FROM
    (SELECT tag FROM thread_tags WHERE thread_id = {tid} ORDER BY tag)), '')"""

_V1 = (
    """CREATE TABLE threads (
        id TEXT PRIMARY KEY NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        model TEXT NOT NULL DEFAULT '',
        options TEXT NOT NULL DEFAULT '{}',
        identity_id TEXT,
        deleted_at REAL
    )""",
    # The sidebar: live threads, newest first. Partial, so deleted threads cost nothing.
    """CREATE INDEX threads_recent ON threads(updated_at DESC, id DESC)
        WHERE deleted_at IS NULL""",
    "CREATE INDEX threads_identity ON threads(identity_id) WHERE identity_id IS NOT NULL",
    "CREATE INDEX threads_model ON threads(model)",
    """CREATE TABLE thread_tags (
        thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (thread_id, tag)
    ) WITHOUT ROWID""",
    "CREATE INDEX thread_tags_by_tag ON thread_tags(tag, thread_id)",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        role TEXT NOT NULL,
        text TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'complete',
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    )""",
    "CREATE UNIQUE INDEX messages_by_thread ON messages(thread_id, position)",
    # Recovery on open looks for leftover streaming rows; without this it would read every row.
    "CREATE INDEX messages_streaming ON messages(state) WHERE state = 'streaming'",
    """CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, content='messages', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3'
    )""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
        WHEN new.state != 'streaming' BEGIN
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.state != 'streaming' BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    # One trigger, two ordered statements: the old entry must go before the new one is added.
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, state ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text)
            SELECT 'delete', old.id, old.text WHERE old.state != 'streaming';
        INSERT INTO messages_fts(rowid, text)
            SELECT new.id, new.text WHERE new.state != 'streaming';
    END""",
)

_V2 = (
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        thread_id TEXT NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
        message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
        column_index INTEGER,
        request TEXT NOT NULL DEFAULT '{}',
        model_requested TEXT NOT NULL DEFAULT '',
        model_answered TEXT,
        status_code INTEGER,
        ttft_ms REAL,
        total_ms REAL,
        tokens_in INTEGER,
        tokens_out INTEGER,
        finish_reason TEXT,
        trace_id TEXT,
        error_text TEXT,
        created_at REAL NOT NULL
    )""",
    "CREATE INDEX runs_by_thread ON runs(thread_id, id)",
    "CREATE INDEX runs_by_message ON runs(message_id) WHERE message_id IS NOT NULL",
    "CREATE INDEX runs_by_model ON runs(model_requested)",
    "CREATE INDEX runs_by_answered ON runs(model_answered) WHERE model_answered IS NOT NULL",
    """ALTER TABLE threads ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat'
        CHECK (kind IN ('chat', 'compare'))""",
    "ALTER TABLE messages ADD COLUMN run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL",
    "ALTER TABLE messages ADD COLUMN column_index INTEGER",
    # The sidebar row carries its own preview and count, kept by triggers, so listing the first
    # page reads the thread rows only (not 50 messages scattered through a big file).
    "ALTER TABLE threads ADD COLUMN preview TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE threads ADD COLUMN message_count INTEGER NOT NULL DEFAULT 0",
    f"""UPDATE threads SET
        message_count = (SELECT count(*) FROM messages m WHERE m.thread_id = threads.id),
        preview = coalesce((SELECT substr(m.text, 1, {PREVIEW_CHARS}) FROM messages m
            WHERE m.thread_id = threads.id ORDER BY m.position DESC LIMIT 1), '')""",
    f"""CREATE TRIGGER threads_summary_insert AFTER INSERT ON messages BEGIN
        UPDATE threads SET message_count = message_count + 1,
            preview = CASE WHEN new.position >= (SELECT max(position) FROM messages
                WHERE thread_id = new.thread_id) THEN substr(new.text, 1, {PREVIEW_CHARS})
                ELSE preview END
        WHERE id = new.thread_id;
    END""",
    f"""CREATE TRIGGER threads_summary_update AFTER UPDATE OF text ON messages BEGIN
        UPDATE threads SET preview = substr(new.text, 1, {PREVIEW_CHARS})
        WHERE id = new.thread_id AND new.position = (SELECT max(position) FROM messages
            WHERE thread_id = new.thread_id);
    END""",
    f"""CREATE TRIGGER threads_summary_delete AFTER DELETE ON messages BEGIN
        UPDATE threads SET message_count = message_count - 1,
            preview = coalesce((SELECT substr(text, 1, {PREVIEW_CHARS}) FROM messages
                WHERE thread_id = old.thread_id ORDER BY position DESC LIMIT 1), '')
        WHERE id = old.thread_id;
    END""",
    # The tags too, sorted and joined with the ASCII unit separator (never inside a tag); the
    # thread_tags table stays the indexed truth that filters use.
    "ALTER TABLE threads ADD COLUMN tags TEXT NOT NULL DEFAULT ''",
    f"UPDATE threads SET tags = {_TAGS_OF.format(tid='threads.id')}",
    f"""CREATE TRIGGER threads_tags_insert AFTER INSERT ON thread_tags BEGIN
        UPDATE threads SET tags = {_TAGS_OF.format(tid="new.thread_id")}
        WHERE id = new.thread_id;
    END""",
    f"""CREATE TRIGGER threads_tags_delete AFTER DELETE ON thread_tags BEGIN
        UPDATE threads SET tags = {_TAGS_OF.format(tid="old.thread_id")}
        WHERE id = old.thread_id;
    END""",
    """CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,
        prompt TEXT NOT NULL DEFAULT '',
        revised_prompt TEXT,
        model TEXT NOT NULL DEFAULT '',
        settings TEXT NOT NULL DEFAULT '{}',
        created_at REAL NOT NULL,
        thread_id TEXT REFERENCES threads(id) ON DELETE SET NULL
    )""",
    "CREATE INDEX images_recent ON images(created_at DESC, id DESC)",
    "CREATE INDEX images_by_thread ON images(thread_id) WHERE thread_id IS NOT NULL",
    """CREATE VIRTUAL TABLE images_fts USING fts5(
        prompt, revised_prompt, content='images', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3'
    )""",
    """CREATE TRIGGER images_fts_insert AFTER INSERT ON images BEGIN
        INSERT INTO images_fts(rowid, prompt, revised_prompt)
            VALUES (new.id, new.prompt, new.revised_prompt);
    END""",
    """CREATE TRIGGER images_fts_delete AFTER DELETE ON images BEGIN
        INSERT INTO images_fts(images_fts, rowid, prompt, revised_prompt)
            VALUES ('delete', old.id, old.prompt, old.revised_prompt);
    END""",
    """CREATE TRIGGER images_fts_update AFTER UPDATE OF prompt, revised_prompt ON images BEGIN
        INSERT INTO images_fts(images_fts, rowid, prompt, revised_prompt)
            VALUES ('delete', old.id, old.prompt, old.revised_prompt);
        INSERT INTO images_fts(rowid, prompt, revised_prompt)
            VALUES (new.id, new.prompt, new.revised_prompt);
    END""",
)


@dataclass(frozen=True, slots=True)
class Migration:
    """The step that brings a database from ``version - 1`` to ``version``."""

    version: int
    statements: Sequence[str]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, _V1),
    Migration(2, _V2),
)

SCHEMA_VERSION = MIGRATIONS[-1].version
