"""The history's wiring: the SQLite history session and the sidebar that lists it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orq_desktop import paths

if TYPE_CHECKING:
    from orq_desktop.app.parts import AppParts


async def open_history(parts: AppParts) -> None:
    """The SQLite history: every turn saved before it is sent; the sidebar lists it."""
    from orq_desktop.core.history_session import HistorySession
    from orq_desktop.ui.history_sidebar import HistorySidebar
    from orq_desktop.ui.history_wiring import connect_history

    history = HistorySession(parts.session, routing=parts.routing)
    await history.open(paths.history_db())
    sidebar = parts.window.sidebar
    assert isinstance(sidebar, HistorySidebar)
    parts.history_ui = connect_history(history, sidebar, parts.panel, parts.window)
    parts.history = history
