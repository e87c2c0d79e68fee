"""The app's window with its history, built the way ``orq_desktop/app`` builds it at start-up.

``MainWindow`` with the real ``HistorySidebar``, a real ``ChatPanel`` over a real
``ChatSession`` (optionally with a real ``RouterClient`` on a loopback router), a
``HistorySession`` opened on a given file, and ``connect_history`` (app/wire_history.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from PySide6.QtCore import QSettings
from rel_app import run
from rel_state import suite_canary

from orq_desktop.api.client import RouterClient
from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.history_session import HistorySession
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.history_sidebar import HistorySidebar
from orq_desktop.ui.history_wiring import HistoryWiring, connect_history
from orq_desktop.ui.main_window import MainWindow
from orq_desktop.ui.transcript import TranscriptView


@dataclass
class AppWindow:
    qtbot: Any
    window: MainWindow
    sidebar: HistorySidebar
    panel: ChatPanel
    session: ChatSession
    history: HistorySession
    wiring: HistoryWiring
    client: RouterClient | None
    opened: bool
    notices: list[str] = field(default_factory=list)

    @property
    def transcript(self) -> TranscriptView:
        view = self.panel.transcript
        assert isinstance(view, TranscriptView)
        return view

    def status_text(self) -> str:
        return self.window.statusBar().currentMessage()

    def close(self) -> None:
        """Shut down as the app does; a sidebar reload already asked for runs first."""
        self.qtbot.waitUntil(lambda: not self.sidebar._reload_timer.isActive())
        run(self.qtbot, self.session.aclose())
        run(self.qtbot, self.history.aclose())
        if self.client is not None:
            run(self.qtbot, self.client.aclose())


def open_window(
    qtbot: Any, db: Path, settings_dir: Path, router_url: str | None = None
) -> AppWindow:
    """Build the window, open the history at ``db`` and wire them; the sidebar asks for its
    first page as it is bound (wait for ``sidebar.list.count()``)."""
    client = None
    if router_url is not None:
        client = RouterClient(
            suite_canary(), router_url, timeout=httpx.Timeout(10.0), trust_env=False
        )
    layout = QSettings(str(settings_dir / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(layout, sidebar=HistorySidebar())
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    routing = RoutingState()
    session = ChatSession(lambda: client)
    panel = ChatPanel(session, TranscriptView(), orq=routing.orq)
    window.set_chat_panel(panel)
    history = HistorySession(session, routing=routing)
    notices: list[str] = []
    history.notice.connect(notices.append)
    opened = run(qtbot, history.open(db))
    sidebar = window.sidebar
    assert isinstance(sidebar, HistorySidebar)
    wiring = connect_history(history, sidebar, panel, window)
    return AppWindow(
        qtbot, window, sidebar, panel, session, history, wiring, client, opened, notices
    )
