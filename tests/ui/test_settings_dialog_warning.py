"""The key-shaped-paste warning: shown for a pasted key, not for prose; debounced; reusable."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from orq_desktop.ui import settings_secret_warning as warning_mod
from orq_desktop.ui.settings_secret_warning import (
    METADATA_NOTICE,
    VARIABLE_NOTICE,
    SecretWarning,
    attach_secret_warning,
)
from orq_desktop.ui.widgets_inline import InlineMessage

pytestmark = pytest.mark.gui

KEY = "sk-proj-Q7xR2mK9vL4nT8wB3cF6hJ1pZ5dG0sYa"
PROSE = (
    "Summarise the attached meeting notes in three bullet points. Keep the tone friendly, "
    "mention the deadline of 12 May, and name the owner of each action item."
)


def host(qtbot: Any, field: QWidget, notice: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.addWidget(field)
    layout.addWidget(notice)
    qtbot.addWidget(box)
    box.show()
    return box


def paste(edit: QPlainTextEdit, text: str) -> None:
    mime = QMimeData()
    mime.setText(text)
    edit.insertFromMimeData(mime)


def test_a_pasted_key_shows_the_warning_after_the_debounce(qtbot: Any) -> None:
    prompt, notice = QPlainTextEdit(), InlineMessage()
    _box = host(qtbot, prompt, notice)
    watcher = attach_secret_warning(prompt, notice)
    assert isinstance(watcher, SecretWarning) and watcher.parent() is prompt
    paste(prompt, f"Use this key: {KEY} to call the API")
    assert not notice.isVisible()  # not per keystroke: after the text settles
    qtbot.waitUntil(notice.isVisible, timeout=2000)
    assert notice.text() == (
        "This looks like an API key (an OpenAI-style key (sk-…)). "
        "Prompts are sent to the model and kept in the history."
    )
    assert [f.kind for f in watcher.findings] == ["openai_key"]
    assert KEY not in notice.text() and KEY not in repr(watcher.findings)


def test_prose_does_not_warn(qtbot: Any) -> None:
    prompt, notice = QPlainTextEdit(), InlineMessage()
    _box = host(qtbot, prompt, notice)
    watcher = attach_secret_warning(prompt, notice)
    paste(prompt, PROSE)
    qtbot.wait(watcher.DEBOUNCE_MS + 200)
    assert not notice.isVisible() and watcher.findings == []


def test_removing_the_key_hides_the_warning(qtbot: Any) -> None:
    prompt, notice = QPlainTextEdit(), InlineMessage()
    _box = host(qtbot, prompt, notice)
    attach_secret_warning(prompt, notice)
    prompt.setPlainText(KEY)
    qtbot.waitUntil(notice.isVisible, timeout=2000)
    prompt.setPlainText(PROSE)
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=2000)


def test_typing_is_checked_once_it_settles(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    scans: list[int] = []
    real = warning_mod.find_secrets
    monkeypatch.setattr(warning_mod, "find_secrets", lambda text: scans.append(1) or real(text))
    field, label = QLineEdit(), QLabel()
    _box = host(qtbot, field, label)
    attach_secret_warning(field, label, VARIABLE_NOTICE)
    field.setFocus()
    qtbot.keyClicks(field, KEY)  # one change per character
    qtbot.waitUntil(label.isVisible, timeout=2000)
    assert len(scans) == 1
    assert label.text().endswith("Variables are sent to the model and kept in the history.")


def test_a_real_clipboard_paste_into_a_line_edit_warns(qtbot: Any) -> None:
    field, label = QLineEdit(), QLabel()
    _box = host(qtbot, field, label)
    attach_secret_warning(field, label)
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(f"Authorization: Bearer {KEY[8:]}")
    try:
        field.paste()
        qtbot.waitUntil(label.isVisible, timeout=2000)
    finally:
        clipboard.clear()
    assert "a Bearer token" in label.text()


def test_several_kinds_are_named_together(qtbot: Any) -> None:
    prompt, notice = QPlainTextEdit(), InlineMessage()
    _box = host(qtbot, prompt, notice)
    watcher = attach_secret_warning(prompt, notice)
    prompt.setPlainText(f"{KEY}\nAKIAIOSFODNN7EXAMPLE")
    watcher.check_now()
    assert notice.text().startswith(
        "This looks like an API key (an OpenAI-style key (sk-…) and an AWS access key id)."
    )


def test_a_key_in_a_metadata_table_cell_warns(qtbot: Any) -> None:
    table, notice = QTableWidget(0, 2), InlineMessage()
    _box = host(qtbot, table, notice)
    attach_secret_warning(table, notice, METADATA_NOTICE)
    table.insertRow(0)
    table.setItem(0, 0, QTableWidgetItem("department"))
    table.setItem(0, 1, QTableWidgetItem("Engineering"))
    qtbot.wait(400)
    assert not notice.isVisible()
    table.item(0, 1).setText(KEY)
    qtbot.waitUntil(notice.isVisible, timeout=2000)
    assert notice.text().endswith("Metadata is sent to the router and kept in the history.")
    table.removeRow(0)
    qtbot.waitUntil(lambda: not notice.isVisible(), timeout=2000)
