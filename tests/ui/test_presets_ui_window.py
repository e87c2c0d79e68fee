"""The presets bar wired into the real main window the way the composition root would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QToolBar
from test_chat_form_fakes import FakeSession, FakeTranscript

from orq_desktop.core.presets_store import PresetsStore
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.main_window import MainWindow
from orq_desktop.ui.presets_bar import PresetsBar

pytestmark = pytest.mark.gui


def test_bar_in_a_toolbar_of_the_main_window(qtbot: Any, tmp_path: Path) -> None:
    routing = RoutingState()
    panel = ChatPanel(FakeSession(), FakeTranscript(), orq=routing.orq)
    window = MainWindow(QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.set_chat_panel(panel)
    bar = PresetsBar(PresetsStore(tmp_path / "presets.json"), panel, routing)
    bar.status_message.connect(window.show_status)
    toolbar = QToolBar("Presets", window)
    toolbar.setObjectName("presetsToolbar")
    toolbar.setMovable(False)
    toolbar.addWidget(bar)
    window.addToolBar(toolbar)
    window.show()
    qtbot.waitExposed(window)

    panel.set_options({"model": "openai/gpt-4o", "temperature": 0.1})
    routing.set_orq({"timeout": {"call_timeout": 9000}})
    assert bar.save_as("Fast")
    assert window.statusBar().currentMessage() == "Saved preset “Fast”."
    panel.set_options({"model": "openai/gpt-4o-mini"})
    routing.set_orq({})
    bar.combo.activated.emit(bar.combo.findText("Fast"))
    assert panel.options()["model"] == "openai/gpt-4o"
    assert panel.options()["orq"] == {"timeout": {"call_timeout": 9000}}
    assert window.statusBar().currentMessage() == "Preset “Fast” applied."
    for button in (bar.save_button, bar.import_button, bar.paste_button, bar.code_button):
        assert button.isVisible() and button.isEnabled()
