"""Alt mnemonics: no letter is used twice in the same scope (Qt would cycle between them).

Scopes: the window (menu bar titles, tab titles, visible buttons, group boxes and buddy labels of
the current tab) and each menu (its own items).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenu, QTabBar, QWidget
from test_chat_form_fakes import FakeSession, FakeTranscript

from orq_desktop import app
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.main_window import MainWindow, plain_title

pytestmark = pytest.mark.gui


def mnemonic(text: str) -> str | None:
    match = re.search(r"&(.)", text.replace("&&", ""))
    return match.group(1).lower() if match else None


def window_mnemonics(window: MainWindow) -> list[tuple[str, str]]:
    """(letter, where) for every Alt mnemonic live in the window's own scope."""
    found: list[tuple[str, str]] = []

    def add(text: str, where: str) -> None:
        if (letter := mnemonic(text)) is not None:
            found.append((letter, f"{where} {text!r}"))

    for action in window.menuBar().actions():
        if action.isVisible():
            add(action.text(), "menu")
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or isinstance(widget.window(), QMenu):
            continue
        if isinstance(widget, QLabel) and widget.buddy() is not None:
            add(widget.text(), "label")
        elif isinstance(widget, QAbstractButton):
            add(widget.text(), type(widget).__name__)
        elif isinstance(widget, QGroupBox):
            add(widget.title(), "group")
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                add(widget.tabText(i), "tab")
    return found


def menu_mnemonics(window: MainWindow) -> dict[str, list[tuple[str, str]]]:
    menus: dict[str, list[tuple[str, str]]] = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        assert isinstance(menu, QMenu)
        items = [a.text() for a in menu.actions() if not a.isSeparator()]
        menus[action.text()] = [(m, t) for t in items if (m := mnemonic(t)) is not None]
    return menus


def assert_unique(found: list[tuple[str, str]], scope: str) -> None:
    seen: dict[str, str] = {}
    clashes = []
    for letter, where in found:
        if letter in seen:
            clashes.append(f"Alt+{letter.upper()}: {seen[letter]} and {where}")
        seen.setdefault(letter, where)
    assert not clashes, f"{scope}: " + "; ".join(clashes)


def test_plain_title_drops_the_marker_but_keeps_a_literal_ampersand() -> None:
    assert plain_title("Co&mpare") == "Compare"
    assert plain_title("R&&D &tab") == "R&&D tab"


def test_chat_window_mnemonics_are_unique(qtbot: Any, tmp_path: Any) -> None:
    panel = ChatPanel(FakeSession(), FakeTranscript())
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, chat_panel=panel)
    window.add_panel(QLabel("compare"), "Co&mpare")
    qtbot.addWidget(window)
    window.show()
    panel.params.section.set_expanded(True)
    panel.system_section.set_expanded(True)
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["Chat", "Images", "Compare"]  # Ctrl+1/2/3 switch tabs
    found = window_mnemonics(window)
    letters = {letter for letter, _ in found}
    assert {"c", "m"} <= letters  # the Chat menu and the Model label are among them
    assert_unique(found, "chat tab")
    for menu, items in menu_mnemonics(window).items():
        assert_unique(items, f"menu {menu}")


def test_every_tab_of_the_app_has_unique_mnemonics(
    qtbot: Any, aloop: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ORQ_DESKTOP_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("ORQ_API_KEY", raising=False)
    seen: dict[str, list[tuple[str, str]]] = {}

    async def script(parts: app.AppParts) -> None:
        window = parts.window
        parts.panel.params.section.set_expanded(True)
        for index in range(window.tabs.count()):
            window.tabs.setCurrentIndex(index)
            await asyncio.sleep(0.05)
            seen[window.tabs.tabText(index)] = window_mnemonics(window)
        seen.update({f"menu {k}": v for k, v in menu_mnemonics(window).items()})

    task = asyncio.ensure_future(app.run(demo=True, script=script))
    qtbot.waitUntil(task.done, timeout=30_000)
    assert task.result() == 0
    assert {"Chat", "Images", "Compare"} <= set(seen)
    assert len(seen["Chat"]) >= 6  # menus, Model, the presets bar: the walk saw them
    for scope, found in seen.items():
        assert_unique(found, scope)
