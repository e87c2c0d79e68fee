"""The Compare tab in the real main window, and a compare kept in the history and shown again."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QWidget

from orq_desktop.core.chat_types import MessageState
from orq_desktop.core.compare_history import DirectHistory, HistoryCompareRecorder
from orq_desktop.core.compare_run import CompareRun
from orq_desktop.core.compare_types import ColumnConfig
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.store.db_worker import DbWorker
from orq_desktop.store.history import HistoryStore
from orq_desktop.ui.compare_view import CompareView
from orq_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


def close_all(qtbot: Any, *closers: Any) -> None:
    async def close() -> None:
        for closer in closers:
            await closer()

    task = asyncio.ensure_future(close())
    qtbot.waitUntil(task.done, timeout=5000)


def test_compare_tab_in_the_main_window(qtbot, aloop, sim_server, tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    conn = Connection(ConnectionConfig(base_url=sim_server.url, api_key="k"))
    run = CompareRun(conn.prepared, parent=conn)
    routing = RoutingState()
    view = CompareView(run, routing=routing, current_options=lambda: {"model": "openai/gpt-4o"})
    index = window.add_panel(view, "Co&mpare")
    window.resize(1300, 850)
    window.show()
    qtbot.waitExposed(window)
    assert window.findChild(QWidget, "compareView") is view
    assert window.tabs.tabText(index) == "Compare"  # no Alt mnemonic on tabs
    window.tabs.setCurrentIndex(index)
    view.set_columns(
        [
            ColumnConfig({"model": m, "stream": True})
            for m in ("openai/gpt-4o", "openai/gpt-4o-mini", "sim/status-503")
        ]
    )
    view.form.prompt_edit.setPlainText("Name a tea")
    window.activateWindow()
    view.form.prompt_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.form.prompt_edit)
    qtbot.keyClick(view.form.prompt_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: all(c.result is not None for c in view.columns) and view.renderer.idle,
        timeout=10_000,
    )
    assert [c.result.state for c in view.columns] == [
        MessageState.COMPLETE,
        MessageState.COMPLETE,
        MessageState.ERROR,
    ]
    qtbot.wait(50)
    shot = window.grab()
    assert not shot.isNull()
    shot.save(str(tmp_path / "compare.png"))
    if target := os.environ.get("ORQ_COMPARE_SHOT"):  # look at it: ORQ_COMPARE_SHOT=/tmp/x.png
        shot.save(target)
    # Nothing of a column spills past the tab: the chart and every column are inside it.
    for widget in [view.chart, *view.columns]:
        right = widget.mapTo(view, widget.rect().topRight()).x()
        assert right <= view.width(), widget.objectName()
    close_all(qtbot, run.aclose, conn.aclose)


def test_a_compare_in_the_history_is_shown_again(qtbot, aloop, sim_server, tmp_path: Path) -> None:
    worker = DbWorker()
    store = HistoryStore.open(tmp_path / "history.sqlite3").store
    recorder = HistoryCompareRecorder(DirectHistory(worker, store))
    conn = Connection(ConnectionConfig(base_url=sim_server.url, api_key="k"))
    run = CompareRun(conn.prepared, recorder=recorder, parent=conn)
    view = CompareView(run)
    qtbot.addWidget(view)
    view.set_columns(
        [
            ColumnConfig({"model": "openai/gpt-4o", "stream": True, "temperature": 0.4}, "A"),
            ColumnConfig({"model": "sim/status-429", "stream": True}, "B"),
        ]
    )
    view.form.set_system_prompt("Be kind.")
    view.form.prompt_edit.setPlainText("Say hello")
    run_id = view._run.start(view.prompt(), [c.config() for c in view.columns])
    assert run_id
    qtbot.waitUntil(
        lambda: all(c.result is not None for c in view.columns) and view.renderer.idle,
        timeout=10_000,
    )
    close_all(qtbot, run.aclose)  # every write is done
    thread_id = recorder.thread_id(run_id)
    assert thread_id

    loading = asyncio.ensure_future(recorder.load(thread_id))
    qtbot.waitUntil(loading.done, timeout=5000)
    saved = loading.result()
    other = CompareView(CompareRun(conn.prepared, parent=conn))
    qtbot.addWidget(other)
    assert other.show_saved(saved)
    assert other.form.system_prompt() == "Be kind."
    assert other.form.prompt_text() == "Say hello"
    assert [c.config() for c in other.columns] == [c.config() for c in view.columns]
    shown, kept = other.columns[0], view.columns[0]
    assert shown.result.text == kept.result.text and shown.result.text
    ids = shown.transcript.message_ids()
    assert shown.transcript.message_widget(ids[0]).text() == kept.result.text
    failed = other.columns[1]
    card = failed.transcript.error_card(failed.transcript.message_ids()[0])
    assert card is not None and card.error.title == view.columns[1].result.error.title
    assert [r.tokens_out for r in other.chart.rows()] == [r.tokens_out for r in view.chart.rows()]
    # Asking a shown column again needs a new compare: the old run is not in this view.
    assert not other.retry(shown)
    assert "press Compare" in other.message.text()
    close_all(qtbot, conn.aclose)
    worker.close()
    store.close()
