"""Thread actions from the sidebar and the transcript: delete with undo, rename, tags, export,
import with a preview (and refusals), Fork from here, and the Saved mark."""

from __future__ import annotations

import json
import sqlite3

import pytest
from history_sidebar_support import count, run, seed, ui_factory
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from orq_desktop.store.history import HistoryStore
from orq_desktop.ui import history_dialogs, history_fork, history_sidebar
from orq_desktop.ui.history_dialogs import ImportPreviewDialog, export_name

pytestmark = pytest.mark.gui


@pytest.fixture
def make_ui(qtbot, aloop, tmp_path):
    yield from ui_factory(qtbot, tmp_path)


def action(menu, text: str):
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def test_delete_shows_undo_and_ctrl_z_brings_it_back(qtbot, sim_server, make_ui, tmp_path) -> None:
    seed(tmp_path / "history.sqlite3", [{"title": "Keep"}, {"title": "Bin me"}])
    ui = make_ui(sim_server.url)
    ui.wait_listed(2)
    sidebar = ui.sidebar
    sidebar.list.setFocus()
    sidebar.list.setCurrentRow(0)
    qtbot.keyClick(sidebar.list, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: ui.titles() == ["Keep"], timeout=5000)
    assert sidebar.undo_bar.isVisible()
    assert sidebar.undo_label.text() == "“Bin me” deleted."
    assert ui.window.statusBar().currentMessage().startswith("Conversation deleted — Undo")
    qtbot.keyClick(sidebar.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: ui.titles() == ["Bin me", "Keep"], timeout=5000)
    assert not sidebar.undo_bar.isVisible()
    sidebar.delete_record(sidebar.list.record_at(0))
    qtbot.waitUntil(lambda: ui.titles() == ["Keep"], timeout=5000)
    qtbot.mouseClick(sidebar.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ui.titles() == ["Bin me", "Keep"], timeout=5000)


def test_rename_and_tags_from_the_row_menu(
    qtbot, sim_server, make_ui, tmp_path, monkeypatch
) -> None:
    seed(tmp_path / "history.sqlite3", [{"title": "Old name"}])
    ui = make_ui(sim_server.url)
    ui.wait_listed(1)
    record = ui.sidebar.list.record_at(0)
    answers = iter(["New <i>name</i>", "work, urgent ,"])
    asked = []

    def ask_text(_parent, title, _label, text):
        asked.append((title, text))
        return next(answers)

    monkeypatch.setattr(history_dialogs, "ask_text", ask_text)
    menu = ui.sidebar.menu_for(record)
    assert [a.text().replace("&", "") for a in menu.actions() if a.text()] == [
        "Open", "Rename…", "Tags…", "Export as Markdown…", "Export as JSON…", "Delete",
    ]  # fmt: skip
    action(menu, "Rename…").trigger()
    qtbot.waitUntil(lambda: ui.titles() == ["New <i>name</i>"], timeout=5000)
    action(ui.sidebar.menu_for(ui.sidebar.list.record_at(0)), "Tags…").trigger()
    qtbot.waitUntil(lambda: ui.sidebar.list.record_at(0).tags == ("urgent", "work"), timeout=5000)
    assert asked == [("Rename conversation", "Old name"), ("Conversation tags", "")]


def test_export_writes_markdown_and_json_where_chosen(
    qtbot, sim_server, make_ui, tmp_path, monkeypatch
) -> None:
    seed(tmp_path / "history.sqlite3", [{"title": "Trip: plans / ideas?"}])
    ui = make_ui(sim_server.url)
    ui.wait_listed(1)
    suggested = []

    def ask_save_path(_parent, _title, name, _filter):
        suggested.append(name)
        return str(tmp_path / name)

    monkeypatch.setattr(history_dialogs, "ask_save_path", ask_save_path)
    record = ui.sidebar.list.record_at(0)
    ui.sidebar.export_record(record, "md")
    ui.sidebar.export_record(record, "json")
    assert suggested == ["Trip plans ideas.md", "Trip plans ideas.json"]
    qtbot.waitUntil(lambda: (tmp_path / "Trip plans ideas.json").exists(), timeout=5000)
    assert (tmp_path / "Trip plans ideas.md").read_text().startswith("# Trip: plans / ideas?")
    doc = json.loads((tmp_path / "Trip plans ideas.json").read_text())
    assert doc["threads"][0]["title"] == "Trip: plans / ideas?"
    assert export_name("", "md") == "conversation.md"


def test_import_shows_a_preview_then_adds(
    qtbot, sim_server, make_ui, tmp_path, monkeypatch
) -> None:
    source = tmp_path / "other.sqlite3"
    store = HistoryStore.open(source).store
    tid = store.create_thread("From another computer")
    store.add_message(tid, "user", "hello there")
    (tmp_path / "export.json").write_text(store.export_json(tid))
    store.close()
    ui = make_ui(sim_server.url)
    monkeypatch.setattr(history_dialogs, "ask_open_path", lambda *_a: str(tmp_path / "export.json"))
    shown = []

    def confirm(parent, preview, path):
        dialog = ImportPreviewDialog(preview, path, parent)
        shown.append((dialog.titles(), dialog.summary.text(), dialog.import_button.text()))
        return len(shown) > 1  # refuse the first time, accept the second

    monkeypatch.setattr(history_dialogs, "confirm_import", confirm)
    ui.sidebar.import_action.trigger()
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)
    qtbot.wait(100)
    assert count(ui.path, "SELECT count(*) FROM threads") == 0  # cancelled: nothing added
    assert shown[0][0] == ["From another computer"]
    assert "export.json holds 1 conversation with 1 message" in shown[0][1]
    assert shown[0][2] == "Add 1 conversation"
    ui.sidebar.import_file()
    qtbot.waitUntil(lambda: ui.titles() == ["From another computer"], timeout=5000)
    assert count(ui.path, "SELECT count(*) FROM threads") == 1


@pytest.mark.parametrize(
    "content",
    [b"{not json", b'{"format": "someone-elses-app", "version": 1, "threads": []}', b""],
)
def test_a_bad_import_file_is_refused_with_the_reason(
    qtbot, sim_server, make_ui, tmp_path, monkeypatch, content
) -> None:
    seed(tmp_path / "history.sqlite3", [{"title": "Already here"}])
    ui = make_ui(sim_server.url)
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    monkeypatch.setattr(history_dialogs, "ask_open_path", lambda *_a: str(bad))
    monkeypatch.setattr(history_dialogs, "confirm_import", lambda *_a: pytest.fail("no preview"))
    refusals = []
    monkeypatch.setattr(history_dialogs, "show_refusal", lambda _p, _t, text: refusals.append(text))
    before = (tmp_path / "history.sqlite3").read_bytes()
    ui.sidebar.import_file()
    qtbot.waitUntil(lambda: bool(refusals), timeout=5000)
    assert refusals[0].startswith("This file cannot be imported: ") and len(refusals[0]) > 35
    assert ui.window.statusBar().currentMessage() == refusals[0]
    assert count(ui.path, "SELECT count(*) FROM threads") == 1
    assert (tmp_path / "history.sqlite3").read_bytes() == before


def test_fork_from_here_on_a_message_of_the_transcript(
    qtbot, sim_server, make_ui, monkeypatch
) -> None:
    ui = make_ui(sim_server.url)
    ui.send("First question")
    ui.send("Second question")
    original = ui.chat.thread_id
    answer_id = ui.chat.turns[1].msg_id
    card = ui.panel.transcript.message_widget(answer_id)
    picked = []

    def popup(menu, _pos):
        found = action(menu, history_fork.FORK_TEXT)
        picked.append(found.isEnabled())
        found.trigger()

    monkeypatch.setattr(history_fork, "popup", popup)
    viewport = card.view.viewport()
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, QPoint(5, 5), viewport.mapToGlobal(QPoint(5, 5))
    )
    QApplication.sendEvent(viewport, event)
    assert picked == [True]
    qtbot.waitUntil(lambda: ui.chat.thread_id not in (None, original), timeout=5000)
    transcript = ui.panel.transcript
    assert [transcript.message_text(m) for m in transcript.message_ids()] == [
        "First question",
        ui.chat.turns[1].text,
    ]
    qtbot.waitUntil(lambda: len(ui.titles()) == 2, timeout=5000)
    assert ui.titles()[0] == "First question (fork)"
    menu = ui.wiring.fork.menu_for(ui.panel.transcript.message_widget(ui.chat.turns[0].msg_id))
    assert action(menu, history_fork.FORK_TEXT).isEnabled()


def test_the_saved_mark_follows_the_history(qtbot, sim_server, make_ui, tmp_path) -> None:
    ui = make_ui(sim_server.url)
    indicator = ui.wiring.indicator
    assert indicator.objectName() == "historySaveState" and indicator.isHidden()
    ui.send("Hello")
    assert indicator.text() == "✓ Saved" and indicator.isVisible()
    store = ui.history.store

    def fill() -> None:
        conn = store._live()
        (pages,) = conn.execute("PRAGMA page_count").fetchone()
        conn.execute(f"PRAGMA max_page_count = {pages}")

    run(qtbot, ui.history.worker.run(fill))
    ui.panel.prompt_input.setPlainText("x " * 40_000)
    ui.panel.send()
    qtbot.waitUntil(lambda: indicator.kind == "failed" and not ui.chat.busy, timeout=10_000)
    assert indicator.text().startswith("⚠ Not saved: The disk is full")
    assert ui.panel.prompt_input.toPlainText() == "x " * 40_000  # the draft stays
    # The refusal reaches the composer from the task's done callback, a loop turn later.
    qtbot.waitUntil(lambda: "disk is full" in ui.panel.composer.notice.text(), timeout=5000)


def test_a_read_only_history_says_so_in_the_sidebar(qtbot, sim_server, make_ui, tmp_path) -> None:
    path = tmp_path / "newer.sqlite3"
    seed(path, [{"title": "Made by a newer version"}])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    ui = make_ui(sim_server.url, path=path)
    ui.wait_listed(1)
    assert ui.sidebar.note.isVisible() and "newer version" in ui.sidebar.note.text()
    assert ui.wiring.indicator.text() == "Not saved"
    assert "read-only" in ui.wiring.indicator.toolTip()
    ui.send("Still works")
    assert ui.chat.turns[-1].text
    assert history_sidebar.HistorySidebar is type(ui.sidebar)
