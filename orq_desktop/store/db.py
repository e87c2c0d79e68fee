"""Opening the history database safely: modes, corruption, newer versions, backups, migrations.

Durability: WAL with ``synchronous=FULL``. In WAL mode FULL syncs the log on every commit, so a
commit that returned survives a power cut as well as a crash; NORMAL would only survive crashes.
The core commits a streaming answer about once a second, where the extra fsync costs nothing
the user can notice (PERF.md §8: 0.13 ms per commit in WAL on this machine).

Python's sqlite3 commits DDL on its own unless the connection is opened with
``isolation_level=None``; we do, and every write is an explicit ``BEGIN IMMEDIATE`` transaction
(:func:`write_tx`). ``IMMEDIATE`` takes the write lock up front, so two writers wait for each other
(up to the busy timeout) instead of failing half-way.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orq_desktop.fileio import fsync_dir
from orq_desktop.store.history_types import DiskFullError, HistoryError, Notice
from orq_desktop.store.schema import MIGRATIONS, Migration

BUSY_TIMEOUT_S = 5.0
_SIDE_FILES = ("-wal", "-shm", "-journal")
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_MAGIC = b"SQLite format 3\x00"


@dataclass
class OpenedDb:
    """A ready connection and what happened while getting it."""

    conn: sqlite3.Connection
    version: int
    read_only: bool
    notices: list[Notice] = field(default_factory=list)


class _CorruptError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_corrupt_error(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and (
        getattr(exc, "sqlite_errorcode", None) in _CORRUPT_CODES
    )


Prepare = Callable[[sqlite3.Connection], list[Notice]]


def open_database(
    path: Path, migrations: Sequence[Migration] = MIGRATIONS, prepare: Prepare | None = None
) -> OpenedDb:
    """Open (creating, repairing or upgrading as needed) the history database at ``path``.

    - A damaged file (and its ``-wal``/``-shm``) is renamed ``<name>.corrupt-<UTC time>``, never
      deleted, and a fresh database is started.
    - A database from a newer version is opened read-only.
    - An older database is copied to ``<name>.bak-v<N>`` with the backup API, then upgraded one
      step (one transaction) at a time.

    ``prepare`` runs last on a writable database (the store's recovery); damage it runs into is
    handled like damage found while opening.
    """
    path = Path(path)
    target = migrations[-1].version if migrations else 0
    notices: list[Notice] = []
    try:
        return _open_or_start_afresh(path, migrations, target, notices, prepare)
    except OSError as exc:  # a folder or file the user cannot write, a full disk ...
        raise HistoryError(
            f"The history database {path} could not be opened ({exc.strerror or exc})."
        ) from exc
    except sqlite3.OperationalError as exc:  # SQLite could not open, lock or write it
        plain = translate_error(exc)
        if plain is exc:
            plain = HistoryError(f"The history database {path} could not be opened ({exc}).")
        raise plain from exc


def _open_or_start_afresh(
    path: Path,
    migrations: Sequence[Migration],
    target: int,
    notices: list[Notice],
    prepare: Prepare | None,
) -> OpenedDb:
    for attempt in range(2):
        try:
            return _open_once(path, migrations, target, notices, prepare)
        except _CorruptError as exc:
            if attempt:
                raise HistoryError(
                    f"The history database could not be started again ({exc.reason})."
                ) from exc
            moved = move_aside(path)
            notices.append(
                Notice(
                    "corrupt_moved",
                    f"The history database was damaged ({exc.reason}) and could not be read. "
                    f"It was moved to {moved.name} (nothing was deleted) "
                    "and a new, empty history was started.",
                    moved,
                )
            )
    raise AssertionError("unreachable")  # pragma: no cover


def _open_once(
    path: Path,
    migrations: Sequence[Migration],
    target: int,
    notices: list[Notice],
    prepare: Prepare | None,
) -> OpenedDb:
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if path.exists() and path.stat().st_size > 0:
        problem = header_problem(path)
        if problem:
            raise _CorruptError(problem)
    make_private(path)
    conn = _connect(path)
    try:
        # Never fold a leftover WAL into the file while we only look: a newer version's database
        # must stay byte-for-byte as it was.
        conn.setconfig(sqlite3.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, True)
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        (objects,) = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if version > target:
            conn.close()
            return _open_read_only(path, version, target, notices)
        if version == 0 and objects:
            raise _CorruptError("it is not an Orq Desktop history database")
        conn.setconfig(sqlite3.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, False)
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise HistoryError(f"The history database cannot use write-ahead logging ({mode}).")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA secure_delete=FAST")
        if version < target:
            backup_path = backup(conn, path, version) if version > 0 else None
            migrate(conn, version, migrations, backup_path)
            if backup_path is not None:
                notices.append(
                    Notice(
                        "migrated",
                        f"The history database was upgraded from format {version} to {target}. "
                        f"A copy of the old file was kept as {backup_path.name}.",
                        backup_path,
                    )
                )
        if prepare is not None:
            notices.extend(prepare(conn))
        make_private(path)  # the -wal and -shm exist now
        return OpenedDb(conn, target, read_only=False, notices=notices)
    except BaseException as exc:
        conn.close()
        if is_corrupt_error(exc):
            raise _CorruptError(str(exc)) from exc
        raise


def _open_read_only(path: Path, version: int, target: int, notices: list[Notice]) -> OpenedDb:
    conn = _connect(path, read_only=True)
    conn.execute("PRAGMA query_only=ON")
    notices.append(
        Notice(
            "read_only",
            f"This history was saved by a newer version of Orq Desktop (format {version}; this "
            f"version reads up to {target}). It is open read-only: you can browse and search it, "
            "but nothing new is saved until the app is updated.",
            path,
        )
    )
    return OpenedDb(conn, version, read_only=True, notices=notices)


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    target = f"{path.resolve().as_uri()}?mode=ro" if read_only else str(path)
    conn = sqlite3.connect(
        target,
        uri=read_only,
        timeout=BUSY_TIMEOUT_S,
        isolation_level=None,  # we manage transactions ourselves (module docstring)
        check_same_thread=False,  # DbWorker's one thread serialises every call
    )
    return conn


def fetch_all(
    conn: sqlite3.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[Any]:
    """``execute(...).fetchall()`` that survives invalid UTF-8 in a text cell.

    Damaged bytes in one cell must not make a whole thread unreadable (RELIABILITY.md B13). The
    fast C decoder reads the usual case; only a query that meets bad bytes is read again with a
    replacing decoder.
    """
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if "decode" not in str(exc):
            raise
    conn.text_factory = _decode_text
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.text_factory = str


def _decode_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def header_problem(path: Path) -> str | None:
    """A reason if the file's 100-byte header shows it is not a whole SQLite database.

    Cheap on purpose (it runs on every start): a full ``integrity_check`` reads the whole file.
    """
    with open(path, "rb") as f:
        head = f.read(100)
    if len(head) < 100 or not head.startswith(_MAGIC):
        return "it is not a SQLite database"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "its header is damaged"
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return None  # SQLite replays the log; the file may lag behind its header until then
    pages = int.from_bytes(head[28:32], "big")
    header_valid = head[24:28] == head[92:96]
    if pages and header_valid and path.stat().st_size < pages * page_size:
        return "the file is truncated"
    return None


def make_private(path: Path) -> None:
    """Create ``path`` if needed and make it and its side files owner-only (0600).

    SQLite gives ``-wal`` and ``-shm`` the main file's mode, so creating the file 0600 first is
    enough for new files; existing ones (from an older install) are tightened here. The folder
    itself is left alone: it belongs to the caller.
    """
    fd = os.open(path, os.O_CREAT | os.O_RDWR | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    for suffix in _SIDE_FILES:
        side = Path(f"{path}{suffix}")
        with contextlib.suppress(FileNotFoundError):
            os.chmod(side, 0o600)


def move_aside(path: Path) -> Path:
    """Rename a damaged database and its side files to ``<name>.corrupt-<UTC time>``."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    for suffix in ("", *_SIDE_FILES):
        src = Path(f"{path}{suffix}")
        if src.exists():
            os.replace(src, Path(f"{target}{suffix}"))
    fsync_dir(path.parent)
    return target


def backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the live database to ``<name>.bak-v<version>`` (0600) with SQLite's backup API."""
    final = path.with_name(f"{path.name}.bak-v{version}")
    part = path.with_name(f"{final.name}.part")
    for leftover in (part, Path(f"{part}-journal")):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    os.close(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    dst = sqlite3.connect(part, isolation_level=None)
    try:
        conn.backup(dst)
    finally:
        dst.close()
    fd = os.open(part, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(part, final)
    fsync_dir(path.parent)
    return final


def migrate(
    conn: sqlite3.Connection,
    version: int,
    migrations: Sequence[Migration],
    backup_path: Path | None = None,
) -> int:
    """Run the missing steps, each in its own transaction that also sets ``user_version``."""
    for step in migrations:
        if step.version <= version:
            continue
        try:
            with write_tx(conn):
                (current,) = conn.execute("PRAGMA user_version").fetchone()
                if current < step.version:  # another process may have done it meanwhile
                    for statement in step.statements:
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {int(step.version)}")
        except sqlite3.Error as exc:
            if is_corrupt_error(exc):
                raise
            kept = f"; a copy is at {backup_path.name}" if backup_path else ""
            raise HistoryError(
                f"The history database could not be upgraded to format {step.version} "
                f"({exc}). It was left at format {version}{kept}."
            ) from exc
        version = step.version
    return version


@contextlib.contextmanager
def write_tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error (SQLite errors made plain)."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError as exc:
        plain = translate_error(exc)
        if plain is exc:
            raise
        raise plain from exc


@contextlib.contextmanager
def read_tx(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One consistent snapshot for several reads."""
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def integrity_problems(
    conn: sqlite3.Connection, fts_tables: Sequence[str], *, writable: bool
) -> list[str]:
    """``PRAGMA integrity_check`` plus FTS5's own check of each index ([] when all is well)."""
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    if writable:  # FTS5's check is an INSERT command, refused on a read-only connection
        for table in fts_tables:
            try:
                with write_tx(conn):
                    conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as exc:
                problems.append(f"{table}: {exc}")
    return problems


def compact(conn: sqlite3.Connection, fts_tables: Sequence[str]) -> None:
    """Merge the FTS5 segments, rebuild the file and empty the log, so deleted text is gone."""
    with write_tx(conn):
        for table in fts_tables:
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
    conn.execute("VACUUM")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def translate_error(exc: sqlite3.OperationalError) -> Exception:
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL:
        return DiskFullError("The disk is full, so the history could not be saved.")
    if code == sqlite3.SQLITE_BUSY:
        return HistoryError("The history is busy in another window; try again in a moment.")
    if code == sqlite3.SQLITE_READONLY:
        return HistoryError("The history file cannot be written (read-only file or folder).")
    return exc
