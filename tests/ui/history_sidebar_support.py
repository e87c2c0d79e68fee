"""Set-up for the history sidebar tests: the real window with the real chat panel and sidebar,
a real history file, the simulator, and a way to fill the history quickly."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.history_session import HistorySession
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.domain.ids import thread_id
from orq_desktop.store.history import HistoryStore
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.history_sidebar import HistorySidebar
from orq_desktop.ui.history_wiring import HistoryWiring, connect_history
from orq_desktop.ui.main_window import MainWindow
from orq_desktop.ui.transcript import TranscriptView

BASE_TIME = 1_700_000_000.0


def run[T](qtbot: Any, work: Awaitable[T], timeout: int = 15_000) -> T:
    future = asyncio.ensure_future(work)
    qtbot.waitUntil(future.done, timeout=timeout)
    return future.result()


def seed(path: Path, threads: list[dict[str, Any]]) -> list[str]:
    """Write threads straight into the file (one second apart, in list order); their ids.

    Each dict: ``title``, and optionally ``tags``, ``model``, ``identity``, ``messages``
    (a list of (role, text)).
    """
    ticks = itertools.count()
    store = HistoryStore.open(path, clock=lambda: BASE_TIME + next(ticks)).store
    ids = []
    for t in threads:
        tid = store.create_thread(
            t["title"],
            model=t.get("model", "openai/gpt-4o"),
            options={"model": t.get("model", "openai/gpt-4o"), "temperature": 0.5},
            tags=t.get("tags", ()),
            identity_id=t.get("identity"),
        )
        for role, text in t.get("messages", [("user", t["title"]), ("assistant", "An answer.")]):
            store.add_message(tid, role, text)
        ids.append(tid)
    store.close()
    return ids


def count(path: Path, sql: str) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


@dataclass
class Ui:
    window: MainWindow
    sidebar: HistorySidebar
    panel: ChatPanel
    chat: ChatSession
    history: HistorySession
    routing: RoutingState
    wiring: HistoryWiring
    path: Path
    qtbot: Any

    def titles(self) -> list[str]:
        return [getattr(r, "title", "(hit)") for r in self.sidebar.list.records()]

    def wait_listed(self, n: int | None = None) -> None:
        self.qtbot.waitUntil(
            lambda: (
                (n is None or self.sidebar.list.count() == n)
                and (self.sidebar._pending is None or self.sidebar._pending.done())
            ),
            timeout=5000,
        )

    def send(self, prompt: str) -> None:
        finished = len(self.chat.turns) + 2
        self.panel.prompt_input.setPlainText(prompt)
        self.panel.send()
        self.qtbot.waitUntil(
            lambda: len(self.chat.turns) >= finished and not self.chat.busy, timeout=10_000
        )


def ui_factory(qtbot: Any, tmp_path: Path) -> Iterator[Callable[..., Ui]]:
    """Body of a ``make_ui`` fixture (declared with ``aloop`` in each test module)."""
    made: list[tuple[Ui, Connection]] = []

    def make(url: str, *, path: Path | None = None) -> Ui:
        path = path or tmp_path / "history.sqlite3"
        connection = Connection(ConnectionConfig(base_url=url, api_key="test-key"))
        chat = ChatSession(connection.client, parent=connection)
        routing = RoutingState({"thread": {"id": thread_id()}})
        history = HistorySession(chat, routing=routing)
        run(qtbot, history.open(path))
        panel = ChatPanel(chat, TranscriptView(), orq=routing.orq)
        settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
        sidebar = HistorySidebar()
        window = MainWindow(settings, chat_panel=panel, sidebar=sidebar)
        qtbot.addWidget(window)
        window.resize(1100, 700)
        window.show()
        wiring = connect_history(history, sidebar, panel, window)
        ui = Ui(window, sidebar, panel, chat, history, routing, wiring, path, qtbot)
        made.append((ui, connection))
        ui.wait_listed()
        return ui

    yield make
    for ui, connection in made:
        run(qtbot, ui.chat.aclose())
        run(qtbot, ui.history.aclose())
        run(qtbot, connection.aclose())
