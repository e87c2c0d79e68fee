"""Regenerate and edit in the real window: the sidebar keeps one row for the conversation, and
the thread id the options editor shows is the one the history and the router keep."""

from __future__ import annotations

import pytest
from history_sidebar_support import count, ui_factory

from orq_desktop.ui.options_editor import OptionsEditor

pytestmark = pytest.mark.gui


@pytest.fixture
def make_ui(qtbot, aloop, tmp_path):
    yield from ui_factory(qtbot, tmp_path)


def test_regenerate_and_edit_keep_one_row_and_one_thread_id(qtbot, sim_server, make_ui) -> None:
    ui = make_ui(sim_server.url)
    editor = OptionsEditor("chat", routing=ui.routing, primary_model="openai/gpt-4o")
    qtbot.addWidget(editor)
    ui.send("Where do puffins nest?")
    ui.send("And in winter?")
    tid = ui.chat.thread_id
    assert tid is not None
    ui.wait_listed(1)
    assert ui.sidebar.list.record_at(0).id == tid

    answered = len(sim_server.recorded_requests())
    ui.panel.regenerate()
    qtbot.waitUntil(
        lambda: len(sim_server.recorded_requests()) > answered and not ui.chat.busy, timeout=10_000
    )
    qtbot.waitUntil(lambda: ui.sidebar.list.record_at(0).message_count == 4, timeout=5000)
    ui.wait_listed(1)
    assert ui.chat.thread_id == tid == editor.thread.thread_id.text()
    assert sim_server.recorded_requests()[-1]["body"]["orq"]["thread"]["id"] == tid
    assert ui.sidebar.list.record_at(0).id == tid

    first_user = ui.chat.turns[0].msg_id
    ui.chat.edit_and_resend(first_user, "Where do terns nest?", "", ui.panel.options())
    qtbot.waitUntil(lambda: ui.sidebar.list.record_at(0).message_count == 2, timeout=10_000)
    ui.wait_listed(1)
    assert ui.chat.thread_id == tid == editor.thread.thread_id.text()
    assert ui.sidebar.list.record_at(0).id == tid
    assert count(ui.path, "SELECT count(*) FROM threads") == 1
