"""The child process of the mid-stream crash test: the real app, killed while it streams.

    python crash_app_driver.py <progress-file> <tokens-per-second>

Runs ``orq_desktop.app.run(demo=True, script=...)`` with the simulator answering slowly. The
script wires the history the way ``app/wire_history.py`` wires it (a ``HistorySession`` on the chat
session and the routing state, opened on ``paths.history_db()``, the real ``HistorySidebar``
in the window, ``connect_history``), sends one prompt, then waits for ever. Every piece of the
answer is appended to the progress file as ``[wall-clock time, text]`` (one JSON line, written
at once), so the parent knows what the child had received when it was killed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any, TextIO

PROMPT = "Tell me, slowly, how retries and fallbacks work together."


def note(out: TextIO, text: str) -> None:
    out.write(json.dumps([time.time(), text]) + "\n")  # line-buffered: one write() per piece


async def wire_history(parts: Any) -> Any:
    """What ``app.run`` does once the chat machinery exists (see the history report)."""
    from orq_desktop import paths
    from orq_desktop.core.history_session import HistorySession
    from orq_desktop.ui.history_sidebar import HistorySidebar
    from orq_desktop.ui.history_wiring import connect_history

    window = parts.window
    history = HistorySession(parts.session, routing=parts.routing)
    await history.open(paths.history_db())
    # app/startup.py builds MainWindow(layout, sidebar=HistorySidebar()); this driver cannot
    # change the app, so it puts the real sidebar where the placeholder is.
    sidebar = HistorySidebar()
    window.splitter.replaceWidget(0, sidebar)
    window.sidebar.deleteLater()
    window.sidebar = sidebar
    connect_history(history, sidebar, parts.panel, window)
    return history


def main() -> int:
    progress = open(sys.argv[1], "a", buffering=1, encoding="utf-8")  # noqa: SIM115
    rate = float(sys.argv[2])
    from PySide6.QtWidgets import QApplication

    from orq_desktop import app
    from orq_desktop.app import wire_settings
    from orq_desktop.core.loop import EventLoop

    wire_settings.DEMO_TOKEN_RATE = rate

    async def script(parts: Any) -> None:
        history = await wire_history(parts)
        parts.session.delta.connect(lambda _msg_id, text: note(progress, text))
        parts.panel.prompt_input.setPlainText(PROMPT)
        parts.panel.send()
        note(progress, "")  # sent
        try:
            await asyncio.Event().wait()  # until the parent kills the process
        finally:
            await history.aclose()

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setQuitOnLastWindowClosed(False)
    return asyncio.run(app.run(demo=True, script=script), loop_factory=lambda: EventLoop(qapp))


if __name__ == "__main__":
    sys.exit(main())
