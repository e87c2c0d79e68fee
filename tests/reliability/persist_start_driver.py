"""The child process of the data-folder start-up test (P8): the real app started on a folder.

    python persist_start_driver.py <data-dir> <report.json>

Starts the app as ``python -m orq_desktop --demo --data-dir <data-dir>`` would (the same
``main`` set-up, then ``orq_desktop.app.run(demo=True, script=...)``); once the window is up the
script writes what the user can see (the status bar, the history's save mark and notices, the
window's title) and where the app keeps its data, then lets the app shut down.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any


def main() -> int:
    data_dir, report = sys.argv[1], Path(sys.argv[2])
    from PySide6.QtWidgets import QApplication

    from orq_desktop import app, paths
    from orq_desktop.core.loop import EventLoop

    os.environ[paths.ENV_DATA_DIR] = data_dir
    seen: dict[str, Any] = {"messages": []}

    async def script(parts: Any) -> None:
        status = parts.window.statusBar()
        status.messageChanged.connect(lambda text: text and seen["messages"].append(text))
        seen["messages"].append(status.currentMessage())
        await asyncio.sleep(0.5)
        history = parts.history
        seen["history_available"] = bool(history is not None and history.available)
        seen["save"] = [history.save_kind, history.save_text] if history is not None else None
        seen["data_dir"] = str(paths.data_dir())
        seen["problem"] = paths.data_dir_problem()
        seen["window_visible"] = parts.window.isVisible()
        mark = parts.history_ui.indicator if parts.history_ui is not None else None
        seen["mark"] = [mark.text(), mark.toolTip(), mark.isVisible()] if mark else None
        seen["messages"].append(status.currentMessage())

    qapp = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qapp, QApplication)
    qapp.setQuitOnLastWindowClosed(False)
    code = asyncio.run(app.run(demo=True, script=script), loop_factory=lambda: EventLoop(qapp))
    report.write_text(json.dumps(seen))
    return code


if __name__ == "__main__":
    sys.exit(main())
