"""Shared set-up for the history session tests: a real chat session on the simulator, a real
history file in a temp folder, and helpers to wait for tasks and read the file directly."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.history_session import HistorySession
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.domain.ids import thread_id


def run[T](qtbot: Any, work: Awaitable[T], timeout: int = 15_000) -> T:
    """Drive ``work`` on the test's loop until it is done; return its result."""
    future = asyncio.ensure_future(work)
    qtbot.waitUntil(future.done, timeout=timeout)
    return future.result()


def read_db(path: Path) -> sqlite3.Connection:
    """A separate, read-only connection: it sees only what was committed."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def rows(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    conn = read_db(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def messages(path: Path, thread: str) -> list[tuple[str, str, str]]:
    """(role, state, text) of a thread's messages in order."""
    return [
        (r, s, t)
        for r, s, t in rows(
            path,
            "SELECT role, state, text FROM messages WHERE thread_id = ? ORDER BY position",
            (thread,),
        )
    ]


@dataclass
class Env:
    chat: ChatSession
    history: HistorySession
    routing: RoutingState
    connection: Connection
    path: Path
    qtbot: Any
    events: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def of(self, name: str) -> list[tuple[Any, ...]]:
        return [a for n, a in self.events if n == name]

    def send(self, prompt: str, system: str = "", **options: Any) -> None:
        """Send and wait until the answer (or the refusal) is over."""
        before = len(self.of("answer_finished")) + len(self.of("answer_failed"))
        refused = len(self.of("send_refused"))
        assert self.chat.send(prompt, system, self.options(**options))
        self.wait_idle(before + 1, refused)

    def wait_idle(self, finished: int, refused: int | None = None) -> None:
        self.qtbot.waitUntil(
            lambda: (
                not self.chat.busy
                and (
                    len(self.of("answer_finished")) + len(self.of("answer_failed")) >= finished
                    or (refused is not None and len(self.of("send_refused")) > refused)
                )
            ),
            timeout=15_000,
        )

    def options(self, model: str = "openai/gpt-4o", **extra: Any) -> dict[str, Any]:
        return {"model": model, "stream": True, **extra, "orq": self.routing.orq()}


SIGNALS = (
    "user_message_added", "answer_started", "delta", "answer_finished", "answer_failed",
    "send_refused", "messages_removed_from", "conversation_cleared", "thread_changed",
)  # fmt: skip
HISTORY_SIGNALS = (
    "notice", "problem", "status", "save_state", "thread_opened", "threads_changed",
    "thread_deleted", "thread_restored", "import_ready", "import_refused", "imported",
    "search_done", "threads_listed",
)  # fmt: skip


def env_factory(qtbot: Any, tmp_path: Path) -> Iterator[Callable[..., Env]]:
    """Body of the ``make_env`` fixture (each test module declares it with ``aloop``)."""
    made: list[Env] = []

    def make(
        url: str,
        *,
        key: str = "test-key",
        path: Path | None = None,
        provider: Callable[[Connection], Any] | None = None,
        open_history: bool = True,
    ) -> Env:
        connection = Connection(ConnectionConfig(base_url=url, api_key=key))
        chat = ChatSession(
            provider(connection) if provider else connection.client, parent=connection
        )
        routing = RoutingState({"thread": {"id": thread_id()}, "retry": {"count": 2}})
        history = HistorySession(chat, routing=routing)
        env = Env(chat, history, routing, connection, path or tmp_path / "history.sqlite3", qtbot)
        for name in SIGNALS:
            getattr(chat, name).connect(lambda *a, n=name: env.events.append((n, a)))
        for name in HISTORY_SIGNALS:
            getattr(history, name).connect(lambda *a, n=name: env.events.append((f"h.{n}", a)))
        if open_history:
            assert run(qtbot, history.open(env.path)) is not None
        made.append(env)
        return env

    yield make
    for env in made:
        run(qtbot, env.chat.aclose())
        run(qtbot, env.history.aclose())
        run(qtbot, env.connection.aclose())
