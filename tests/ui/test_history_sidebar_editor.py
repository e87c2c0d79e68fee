"""The thread id the options editor shows, the one the router receives and the history's own
are the same, through New chat, the first send, and opening a saved thread."""

from __future__ import annotations

import pytest
from history_sidebar_support import seed, ui_factory

from orq_desktop.ui.options_editor import OptionsEditor

pytestmark = pytest.mark.gui


@pytest.fixture
def make_ui(qtbot, aloop, tmp_path):
    yield from ui_factory(qtbot, tmp_path)


@pytest.mark.parametrize("editor_renews_on_new_chat", [False, True])
def test_editor_router_and_history_share_one_thread_id(
    qtbot, sim_server, make_ui, tmp_path, editor_renews_on_new_chat
) -> None:
    (saved,) = seed(
        tmp_path / "history.sqlite3",
        [
            {
                "title": "Tagged before",
                "messages": [("user", "hi"), ("assistant", "hello")],
            }
        ],
    )
    ui = make_ui(sim_server.url)
    editor = OptionsEditor("chat", routing=ui.routing, primary_model="openai/gpt-4o")
    qtbot.addWidget(editor)
    if editor_renews_on_new_chat:  # as app.py wires it today: harmless, the ids still agree
        ui.chat.conversation_cleared.connect(editor.new_thread)

    def shown() -> str:
        return editor.thread.thread_id.text()

    ui.panel.new_chat()
    fresh = shown()
    assert fresh.startswith("thread_") and ui.routing.orq()["thread"]["id"] == fresh
    ui.send("Hello")
    assert ui.chat.thread_id == fresh == shown()
    assert sim_server.recorded_requests()[-1]["body"]["orq"]["thread"]["id"] == fresh
    assert ui.history.current_thread_id == fresh

    editor.thread.tags.set_values(["eval"])
    editor.thread.edited()
    ui.send("Tagged now")
    qtbot.waitUntil(lambda: ui.sidebar.list.record_at(0).tags == ("eval",), timeout=5000)

    ui.history.open_thread(saved)
    qtbot.waitUntil(lambda: ui.chat.thread_id == saved, timeout=5000)
    qtbot.waitUntil(lambda: shown() == saved, timeout=5000)
    ui.history.open_thread(fresh)
    qtbot.waitUntil(lambda: shown() == fresh, timeout=5000)
    assert editor.thread.tags.values() == ["eval"]
    ui.send("Back again")
    assert sim_server.recorded_requests()[-1]["body"]["orq"]["thread"] == {
        "id": fresh,
        "tags": ["eval"],
    }
