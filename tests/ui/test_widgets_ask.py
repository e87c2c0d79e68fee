"""ask_plainly: the modal question behind "Open link?" and "Replace?"."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from orq_desktop.ui.widgets_dialogs import ask_plainly

pytestmark = pytest.mark.gui

OPEN = QMessageBox.StandardButton.Open
CANCEL = QMessageBox.StandardButton.Cancel


@pytest.mark.parametrize(("click", "expected"), [(OPEN, True), (CANCEL, False)])
def test_the_question_is_plain_text_with_cancel_as_default(
    qapp: Any, click: QMessageBox.StandardButton, expected: bool
) -> None:
    seen: list[tuple[str, bool, bool]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        plain = box.textFormat() == Qt.TextFormat.PlainText
        seen.append((box.text(), plain, box.defaultButton() is box.button(CANCEL)))
        box.button(click).click()

    QTimer.singleShot(0, answer)
    assert ask_plainly(None, "Open link?", "<b>not bold</b>", OPEN) is expected
    assert seen == [("<b>not bold</b>", True, True)]
