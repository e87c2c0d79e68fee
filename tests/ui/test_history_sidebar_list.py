"""The sidebar's list: newest first with titles, tags and dates; pages; the current thread; open."""

from __future__ import annotations

import pytest
from history_sidebar_support import count, seed, ui_factory
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLineEdit, QListWidget

from orq_desktop.core.chat_types import Role
from orq_desktop.ui.history_delegate import RECORD_ROLE, short_date

pytestmark = pytest.mark.gui


@pytest.fixture
def make_ui(qtbot, aloop, tmp_path):
    yield from ui_factory(qtbot, tmp_path)


def test_threads_are_listed_newest_first_with_tags_and_dates(
    qtbot, sim_server, make_ui, tmp_path
) -> None:
    path = tmp_path / "history.sqlite3"
    seed(
        path,
        [
            {"title": "Oldest", "tags": ["eval"]},
            {"title": "Middle <b>not bold</b> & co"},
            {"title": "Newest", "tags": ["legal", "draft"], "identity": "customer-7"},
        ],
    )
    ui = make_ui(sim_server.url, path=path)
    ui.wait_listed(3)
    assert ui.titles() == ["Newest", "Middle <b>not bold</b> & co", "Oldest"]
    newest = ui.sidebar.list.record_at(0)
    assert newest.tags == ("draft", "legal")
    item = ui.sidebar.list.item(0)
    assert item.text().startswith("Newest · #draft #legal")
    # tooltips are rich text by Qt's guess, so they are escaped on purpose
    assert ui.sidebar.list.item(1).toolTip().startswith("<qt>Middle &lt;b&gt;not bold")
    assert not ui.sidebar.empty.isVisible()
    assert ":" in short_date(newest.updated_at, now=newest.updated_at)  # today: the time
    assert short_date(0, now=400 * 86400).endswith("1970")
    window = ui.window
    assert len(window.findChildren(QListWidget, "historyList")) == 1
    assert len(window.findChildren(QLineEdit, "historySearch")) == 1
    image = QImage(ui.sidebar.list.viewport().size(), QImage.Format.Format_ARGB32)
    ui.sidebar.list.viewport().render(image)
    assert len({image.pixel(x, 12) for x in range(0, image.width(), 3)}) > 2  # rows painted


def test_an_empty_history_says_so_and_a_new_chat_appears_on_top(qtbot, sim_server, make_ui) -> None:
    ui = make_ui(sim_server.url)
    assert ui.sidebar.list.count() == 0 and ui.sidebar.empty.isVisibleTo(ui.sidebar)
    ui.send("First ever question")
    ui.wait_listed(1)
    assert ui.titles() == ["First ever question"]
    assert ui.sidebar.list.currentRow() == 0  # the conversation on screen is marked
    assert ui.wiring.indicator.text() == "✓ Saved"
    ui.panel.new_chat()
    ui.send("Second question")
    ui.wait_listed(2)
    assert ui.titles() == ["Second question", "First ever question"]
    assert ui.sidebar.list.current_record().id == ui.chat.thread_id


def test_scrolling_to_the_end_loads_the_next_page(qtbot, sim_server, make_ui, tmp_path) -> None:
    path = tmp_path / "history.sqlite3"
    seed(path, [{"title": f"Thread {i:03d}"} for i in range(120)])
    ui = make_ui(sim_server.url, path=path)
    ui.wait_listed(50)
    assert ui.titles()[0] == "Thread 119"
    bar = ui.sidebar.list.verticalScrollBar()
    bar.setValue(bar.maximum())
    ui.wait_listed(100)
    bar.setValue(bar.maximum())
    ui.wait_listed(120)
    assert ui.titles() == [f"Thread {i:03d}" for i in reversed(range(120))]
    bar.setValue(bar.maximum())
    qtbot.wait(100)
    assert ui.sidebar.list.count() == 120  # nothing more to load, nothing loaded twice


def test_clicking_a_thread_restores_it_and_the_next_send_continues_it(
    qtbot, sim_server, make_ui, tmp_path
) -> None:
    path = tmp_path / "history.sqlite3"
    (tid,) = seed(
        path,
        [
            {
                "title": "Saved chat",
                "model": "anthropic/claude-3-5-sonnet",
                "messages": [
                    ("system", "Answer like a pirate."),
                    ("user", "Where is the treasure?"),
                    ("assistant", "Arr, under the **palm tree**."),
                ],
            }
        ],
    )
    ui = make_ui(sim_server.url, path=path)
    ui.wait_listed(1)
    rect = ui.sidebar.list.visualItemRect(ui.sidebar.list.item(0))
    qtbot.mouseClick(ui.sidebar.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: ui.chat.thread_id == tid, timeout=5000)
    transcript = ui.panel.transcript
    assert [transcript.message_text(m) for m in transcript.message_ids()] == [
        "Where is the treasure?",
        "Arr, under the **palm tree**.",
    ]
    assert ui.panel.options()["model"] == "anthropic/claude-3-5-sonnet"
    assert ui.panel.options()["temperature"] == 0.5
    assert ui.panel.system_prompt() == "Answer like a pirate."
    assert ui.routing.orq()["thread"] == {"id": tid}  # saved without routing options: its id
    ui.send("And the map?")
    assert [t.role for t in ui.chat.turns] == [Role.USER, Role.ASSISTANT] * 2
    sent = sim_server.recorded_requests()[-1]["body"]
    assert sent["messages"][0] == {"role": "system", "content": "Answer like a pirate."}
    assert sent["model"] == "anthropic/claude-3-5-sonnet"
    assert count(path, f"SELECT count(*) FROM messages WHERE thread_id = '{tid}'") == 5
    qtbot.waitUntil(
        lambda: ui.sidebar.list.item(0).data(RECORD_ROLE).message_count == 5, timeout=5000
    )
