"""The main window shell: names, menus and shortcuts, focus, layout persistence, demo banner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QStatusBar,
    QWidget,
)
from test_chat_form_fakes import FakeSession, FakeTranscript

from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.main_window import MainWindow
from orq_desktop.ui.model_picker import ModelPicker
from orq_desktop.ui.widgets_shell import DEMO_TEXT

pytestmark = pytest.mark.gui


def ini(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


def build(qtbot: Any, settings: QSettings, *, show: bool = True) -> MainWindow:
    panel = ChatPanel(FakeSession(), FakeTranscript())
    window = MainWindow(settings, chat_panel=panel)
    qtbot.addWidget(window)
    if show:
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()
    return window


def session_of(window: MainWindow) -> FakeSession:
    assert isinstance(window.chat_panel, ChatPanel)
    session = window.chat_panel._session
    assert isinstance(session, FakeSession)
    return session


def test_every_automation_name_is_there(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path), show=False)
    expected = {
        "promptInput": QPlainTextEdit,
        "sendButton": QPushButton,
        "stopButton": QPushButton,
        "chatTranscript": QWidget,
        "modelPicker": ModelPicker,
        "optionsEditor": QDockWidget,
        "historyList": QListWidget,
        "historySearch": QLineEdit,
        "statusBar": QStatusBar,
    }
    for name, kind in expected.items():
        found = window.findChildren(kind, name)
        assert len(found) == 1, name
    assert window.statusBar().objectName() == "statusBar"


def test_menus_carry_the_usual_shortcuts(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path), show=False)
    keys = {
        a.text().replace("&", ""): a.shortcut().toString()
        for a in window.all_actions()
        if not a.shortcut().isEmpty()
    }
    assert keys["New chat"] == "Ctrl+N"
    assert keys["Settings…"] == "Ctrl+,"
    assert keys["Quit"] == "Ctrl+Q"
    assert keys["Copy"] == "Ctrl+C" and keys["Paste"] == "Ctrl+V" and keys["Select all"] == "Ctrl+A"
    assert keys["History sidebar"] == "Ctrl+B"
    assert keys["Show Chat"] == "Ctrl+1" and keys["Show Images"] == "Ctrl+2"
    assert keys["Send"] == "Ctrl+Return" and keys["Stop"] == "Esc"
    assert keys["Regenerate last answer"] == "Ctrl+R"
    assert "Options panel" in keys and "Keyboard shortcuts" in keys
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Chat", "Help"]
    assert [window.tabs.tabText(i).replace("&", "") for i in range(2)] == ["Chat", "Images"]


def test_prompt_box_has_focus_on_show(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    assert isinstance(window.chat_panel, ChatPanel)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.chat_panel.prompt_input)


def test_ctrl_enter_sends_and_esc_stops(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    panel = window.chat_panel
    assert isinstance(panel, ChatPanel)
    session = session_of(window)
    prompt = panel.prompt_input
    qtbot.keyClicks(prompt, "hello")
    qtbot.keyClick(prompt, Qt.Key.Key_Return)  # Enter alone is a new line
    qtbot.keyClicks(prompt, "world")
    assert session.calls == [] and prompt.toPlainText() == "hello\nworld"
    qtbot.keyClick(prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert session.names() == ["send"] and session.calls[0][1][0] == "hello\nworld"
    assert prompt.toPlainText() == ""
    qtbot.keyClick(prompt, Qt.Key.Key_Escape)
    assert session.names() == ["send", "stop"]
    qtbot.keyClick(prompt, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert session.names() == ["send", "stop", "regenerate"]


def test_ctrl_n_starts_a_new_chat(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    window.tabs.setCurrentIndex(1)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert session_of(window).names() == ["new_chat"]
    assert window.tabs.currentWidget() is window.chat_panel


def test_chat_shortcuts_sleep_while_another_tab_shows(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    panel = window.chat_panel
    assert isinstance(panel, ChatPanel)
    panel.prompt_input.setPlainText("not now")
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert session_of(window).calls == []
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0 and panel.send_action.isEnabled()


def test_view_menu_hides_sidebar_and_options(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.sidebar.isHidden()
    window.sidebar_action.trigger()
    assert window.sidebar.isVisible()
    window.options_dock.toggleViewAction().trigger()
    assert window.options_dock.isHidden()


def test_edit_menu_acts_on_the_focused_widget(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    panel = window.chat_panel
    assert isinstance(panel, ChatPanel)
    panel.prompt_input.setPlainText("copy me")
    panel.prompt_input.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.prompt_input)
    actions = {a.text().replace("&", ""): a for a in window.all_actions()}
    actions["Select all"].trigger()
    actions["Copy"].trigger()
    assert QApplication.clipboard().text() == "copy me"
    window.sidebar.search.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.sidebar.search)
    actions["Paste"].trigger()
    assert window.sidebar.search.text() == "copy me"


def test_demo_banner_shows_and_hides(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    assert not window.banner.isVisible()
    window.set_demo_banner(True)
    assert window.banner.isVisible()
    assert window.banner.text() == DEMO_TEXT == "Demo: simulated answers — no key or network needed"
    assert window.banner.height() < window.height() // 10  # a strip, not a panel
    window.set_demo_banner(False)
    assert not window.banner.isVisible()


def test_close_saves_layout_and_emits_closing(qtbot: Any, tmp_path: Path) -> None:
    settings = ini(tmp_path)
    window = build(qtbot, settings)
    window.resize(700, 560)  # the offscreen screen is 800 px wide
    window.splitter.setSizes([150, 700])
    window.sidebar_action.setChecked(False)
    window.options_dock.hide()
    window.tabs.setCurrentIndex(1)
    splitter_state = window.splitter.saveState()
    with qtbot.waitSignal(window.closing, timeout=1000):
        assert window.close()
    assert (tmp_path / "window.ini").exists()

    again = build(qtbot, ini(tmp_path))
    assert (again.width(), again.height()) == (700, 560)
    assert again.splitter.saveState() == splitter_state
    assert again.sidebar.isHidden() and not again.sidebar_action.isChecked()
    assert again.options_dock.isHidden()
    assert again.tabs.currentIndex() == 1


def test_damaged_layout_settings_fall_back_to_defaults(qtbot: Any, tmp_path: Path) -> None:
    (tmp_path / "window.ini").write_text(
        "[window]\ngeometry=garbage\nstate=@ByteArray(xyz)\nsplitter=12\ntab=seven\n"
        "sidebar_visible=maybe\n[chat]\nsplitter=no\nparams_open=1\n"
    )
    window = build(qtbot, ini(tmp_path))
    assert window.tabs.currentIndex() == 0
    assert window.sidebar.isVisible()
    assert window.width() > 300 and window.splitter.sizes()[0] > 0


def test_settings_and_quit_menu_items(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    actions = {a.text().replace("&", ""): a for a in window.all_actions()}
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        actions["Settings…"].trigger()
    with qtbot.waitSignal(window.closing, timeout=1000):
        actions["Quit"].trigger()
    assert not window.isVisible()


def test_help_dialogs_open_without_blocking(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    actions = {a.text().replace("&", ""): a for a in window.all_actions()}
    actions["Keyboard shortcuts"].trigger()
    dialog = window.findChild(QWidget, "shortcutsDialog")
    assert dialog is not None and dialog.isVisible()
    rows = {
        dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text()
        for r in range(dialog.table.rowCount())
    }
    assert rows["New chat"] == "Ctrl+N" and rows["Send"] == "Ctrl+Return, Ctrl+Enter"
    dialog.close()
    actions["About Orq Desktop"].trigger()
    about = window.findChild(QWidget, "aboutBox")
    assert about is not None and about.isVisible()
    about.close()


def test_panel_status_lines_reach_the_status_bar(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    assert isinstance(window.chat_panel, ChatPanel)
    window.chat_panel.status_message.emit("Stopped: the partial answer is kept.")
    assert window.statusBar().currentMessage() == "Stopped: the partial answer is kept."


def test_window_without_panels_is_complete(qtbot: Any, tmp_path: Path) -> None:
    window = MainWindow(ini(tmp_path))
    qtbot.addWidget(window)
    window.show()
    assert window.tabs.count() == 2
    assert window.findChild(QListWidget, "historyList") is not None


def test_window_grabs_offscreen(qtbot: Any, tmp_path: Path) -> None:
    window = build(qtbot, ini(tmp_path))
    window.resize(1280, 800)
    window.set_demo_banner(True)
    image = window.grab().toImage()
    assert (image.width(), image.height()) == (1280, 800)
    assert image.save(str(tmp_path / "shell.png"))
    colours = {image.pixel(x, y) for x in range(0, 1280, 40) for y in range(0, 800, 40)}
    assert len(colours) > 3  # something was drawn


def test_the_real_sidebar_takes_the_light_ones_place(qtbot: Any, tmp_path: Path) -> None:
    """The window paints with a light sidebar; the history's own one replaces it after the first
    frame, at the same width, and View → History sidebar (Ctrl+B) then hides the new one."""
    from orq_desktop.ui.history_sidebar import HistorySidebar

    window = build(qtbot, ini(tmp_path))
    light = window.sidebar
    width = window.splitter.sizes()[0]
    real = HistorySidebar()
    window.set_sidebar(real)
    assert window.sidebar is real and window.splitter.widget(0) is real
    assert window.splitter.sizes()[0] == width
    assert real.isVisible()
    qtbot.waitUntil(lambda: not shiboken_alive(light), timeout=2000)
    window.sidebar_action.trigger()
    assert not real.isVisible()
    window.sidebar_action.trigger()
    assert real.isVisible()


def shiboken_alive(widget: QWidget) -> bool:
    from shiboken6 import isValid

    return isValid(widget)
