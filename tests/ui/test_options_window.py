"""The editor in the real main window's options dock: found by name, nothing cut off."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QListWidget, QWidget

from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.main_window import MainWindow
from orq_desktop.ui.options_editor import OptionsEditor

pytestmark = pytest.mark.gui


def test_editor_lives_in_the_options_dock_and_fits_it(qtbot: Any, tmp_path: Any) -> None:
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    routing = RoutingState()
    editor = OptionsEditor("chat", routing=routing, settings=settings)
    window = MainWindow(settings, options_widget=editor)
    qtbot.addWidget(window)
    window.resize(1100, 800)
    window.show()
    qtbot.waitExposed(window)
    assert window.options_dock.widget() is editor
    assert window.findChild(QListWidget, "fallbackList") is editor.fallbacks.list
    assert window.findChild(QWidget, "retryCodes") is editor.retry.codes

    editor.set_orq(
        {
            "fallbacks": [{"model": "togetherai/meta-llama/Llama-3.3-70B-Instruct-Turbo"}],
            "load_balancer": {
                "type": "weight_based",
                "models": [{"model": "togetherai/meta-llama/Llama-3.3-70B-Instruct-Turbo"}],
            },
        }
    )
    editor.set_all_expanded(True)
    viewport = editor.scroll.viewport()
    qtbot.waitUntil(lambda: editor.scroll.widget().width() <= viewport.width(), timeout=2000)
    qtbot.wait(20)  # let the layouts settle
    host = editor.scroll.widget()
    for child in host.findChildren(QWidget):
        if child.isVisibleTo(host) and child.width() > 0:
            right = child.mapTo(host, child.rect().topRight()).x()
            assert right <= viewport.width(), child.objectName() or type(child).__name__
