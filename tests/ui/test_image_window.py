"""The image panel inside the real main window: its tab, names, shortcut, folder and layout."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QListView, QPlainTextEdit, QPushButton

from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.image_job import ImageJobs
from orq_desktop.core.image_library import ImageLibrary
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.image_panel import ImagePanel
from orq_desktop.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, aloop, tmp_path, sim_server) -> Any:
    # The wiring the composition root does (see the image panel's docstring).
    conn = Connection(ConnectionConfig(base_url=sim_server.url, api_key="k"))
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    library = ImageLibrary.from_qsettings(settings, tmp_path / "images")
    jobs = ImageJobs(conn.client, library.folder, secrets=lambda: (conn.config.api_key or "",))
    routing = RoutingState()
    panel = ImagePanel(jobs.make, library, orq=routing.orq, thumbnail_dir=tmp_path / "thumbs")
    win = MainWindow(settings, images_panel=panel)
    panel.status_message.connect(win.show_status)
    panel.orq_loaded.connect(routing.set_orq)
    qtbot.addWidget(win)
    win.show()
    yield win, panel, library, settings
    closing = asyncio.ensure_future(jobs.aclose())
    qtbot.waitUntil(closing.done, timeout=5000)
    task = asyncio.ensure_future(conn.aclose())
    qtbot.waitUntil(task.done, timeout=5000)


def test_the_panel_is_the_images_tab_and_lists_when_first_shown(qtbot, window) -> None:
    win, panel, library, _settings = window
    index = win.tabs.indexOf(panel)
    assert win.tabs.tabText(index) == "Images"  # no Alt mnemonic on tabs
    assert not panel.isVisible()
    with qtbot.waitSignal(library.listed, timeout=5000):
        win.tabs.setCurrentIndex(index)
    for name, kind in (
        ("imagePrompt", QPlainTextEdit),
        ("generateButton", QPushButton),
        ("imageGallery", QListView),
    ):
        found = win.findChild(kind, name)
        assert found is not None, name


def test_ctrl_enter_generates_and_the_folder_choice_is_kept(qtbot, window, tmp_path) -> None:
    win, panel, library, _settings = window
    with qtbot.waitSignal(library.listed, timeout=5000):
        win.tabs.setCurrentWidget(panel)
    panel.form.set_request({"prompt": "a kite", "model": "openai/dall-e-2", "size": "256x256"})
    assert panel.generate_action.isEnabled()
    panel.generate_action.trigger()
    qtbot.waitUntil(lambda: not panel.busy and not library.busy, timeout=10_000)
    (saved,) = (tmp_path / "images").glob("*.png")
    assert win.statusBar().currentMessage() == f"Saved {saved.name}"
    panel.files.ask_folder = lambda _parent, _current: str(tmp_path / "elsewhere")
    with qtbot.waitSignal(library.listed, timeout=5000):
        panel.browser.folder_button.click()
    reopened = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    kept = ImageLibrary.from_qsettings(reopened, tmp_path / "images").folder()
    assert kept == tmp_path / "elsewhere"


def test_layout_state_round_trips(qtbot, window, tmp_path: Path) -> None:
    win, panel, library, settings = window
    with qtbot.waitSignal(library.listed, timeout=5000):
        win.tabs.setCurrentWidget(panel)
    panel.tabs.setCurrentWidget(panel.browser)
    panel.splitter.setSizes([500, 300])
    panel.save_state(settings)
    panel.tabs.setCurrentWidget(panel.results)
    panel.splitter.setSizes([300, 500])
    panel.restore_state(settings)
    assert panel.tabs.currentWidget() is panel.browser
    assert panel.splitter.sizes()[0] > panel.splitter.sizes()[1]
