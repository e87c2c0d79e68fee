"""Send and Stop pressed from the keyboard leave the focus in the prompt, not the transcript."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import Qt

from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui


def test_focus_returns_to_the_prompt_after_keyboard_send_and_stop(
    qtbot: Any, aloop: Any, sim_server_factory: Any
) -> None:
    sim = sim_server_factory(token_rate=40)
    connection = Connection(ConnectionConfig(base_url=sim.url, api_key="test-key"))
    panel = ChatPanel(ChatSession(connection.client, parent=connection), TranscriptView())
    qtbot.addWidget(panel)
    panel.resize(800, 600)
    panel.show()
    qtbot.waitExposed(panel)
    try:
        panel.params.set_options({"model": "openai/gpt-4o", "max_completion_tokens": 300})
        panel.prompt_input.setPlainText("hello there")
        send, stop = panel.composer.send_button, panel.composer.stop_button
        send.setFocus(Qt.FocusReason.TabFocusReason)
        assert panel.focusWidget() is send
        qtbot.keyClick(send, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: panel._session.busy, timeout=3000)
        assert not send.isEnabled()
        assert panel.focusWidget() is panel.prompt_input

        stop.setFocus(Qt.FocusReason.TabFocusReason)
        assert panel.focusWidget() is stop
        qtbot.keyClick(stop, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: not panel._session.busy, timeout=5000)
        qtbot.waitUntil(lambda: not stop.isEnabled(), timeout=3000)
        assert panel.focusWidget() is panel.prompt_input
    finally:
        task = asyncio.ensure_future(connection.aclose())
        qtbot.waitUntil(task.done, timeout=5000)


def test_busy_ending_leaves_the_focus_where_the_user_put_it(
    qtbot: Any, aloop: Any, sim_server: Any
) -> None:
    connection = Connection(ConnectionConfig(base_url=sim_server.url, api_key="test-key"))
    panel = ChatPanel(ChatSession(connection.client, parent=connection), TranscriptView())
    qtbot.addWidget(panel)
    panel.resize(800, 600)
    panel.show()
    try:
        panel.params.set_options({"model": "openai/gpt-4o", "max_completion_tokens": 12})
        panel.prompt_input.setPlainText("hello")
        panel.send()
        panel.system_section.set_expanded(True)
        panel.system_prompt_edit.setFocus()  # the user moved on while the answer arrives
        assert panel.focusWidget() is panel.system_prompt_edit
        qtbot.waitUntil(lambda: not panel._session.busy, timeout=10_000)
        qtbot.wait(20)
        assert panel.focusWidget() is panel.system_prompt_edit
    finally:
        task = asyncio.ensure_future(connection.aclose())
        qtbot.waitUntil(task.done, timeout=5000)
