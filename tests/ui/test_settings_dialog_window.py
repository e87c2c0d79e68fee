"""The Settings dialog and the paste warning wired to the real MainWindow and ChatPanel, the way
the composition root wires them (File → Settings… opens the dialog; the prompt boxes warn)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from settings_support import SettingsBuilder, settings_builder
from test_chat_form_fakes import FakeSession, FakeTranscript

from orq_desktop.core.connection import ConnectionConfig
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.main_window import MainWindow
from orq_desktop.ui.settings_dialog import SettingsDialog
from orq_desktop.ui.settings_secret_warning import attach_secret_warning
from orq_desktop.ui.widgets_inline import InlineMessage

pytestmark = pytest.mark.gui

KEY = "sk-proj-Q7xR2mK9vL4nT8wB3cF6hJ1pZ5dG0sYa"


@pytest.fixture
def settings(qtbot: Any, aloop: Any, tmp_path: Path) -> Iterator[SettingsBuilder]:
    with settings_builder(qtbot, tmp_path) as builder:
        yield builder


def test_file_settings_opens_the_dialog_over_the_window(
    qtbot: Any, tmp_path: Path, settings: SettingsBuilder
) -> None:
    panel = ChatPanel(FakeSession(), FakeTranscript())
    window = MainWindow(
        QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat), chat_panel=panel
    )
    qtbot.addWidget(window)
    window.show()
    controller = settings.build(ConnectionConfig(api_key=KEY, key_source="keyring")).controller
    opened: list[SettingsDialog] = []

    def open_settings() -> None:
        dialog = SettingsDialog(controller, parent=window)
        opened.append(dialog)
        dialog.open()

    window.settings_requested.connect(open_settings)
    (action,) = [a for a in window.all_actions() if a.text() == "&Settings…"]
    action.trigger()
    assert len(opened) == 1
    dialog = opened[0]
    assert dialog.isVisible() and dialog.parent() is window and dialog.isModal()
    assert dialog.findChild(type(dialog.key.key_field), "apiKeyField") is dialog.key.key_field
    dialog.reject()
    assert not dialog.isVisible()

    prompt_notice, system_notice = InlineMessage(), InlineMessage()
    attach_secret_warning(panel.prompt_input, prompt_notice)
    attach_secret_warning(panel.system_prompt_edit, system_notice)
    panel.prompt_input.setPlainText(f"My key is {KEY}, please remember it")
    qtbot.waitUntil(lambda: bool(prompt_notice.text()), timeout=2000)
    assert prompt_notice.text().startswith("This looks like an API key")
    assert system_notice.text() == ""
    panel.system_prompt_edit.setPlainText("You are a helpful assistant.")
    qtbot.wait(400)
    assert system_notice.text() == ""
