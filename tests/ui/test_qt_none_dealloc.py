"""Regression test for the PySide6 6.12 ``none_dealloc`` trap (DESIGN.md, Known traps).

PySide6 6.12.0 on Python 3.10/3.11 drops one reference to ``None`` on every void-returning call
and the process aborts with "Fatal Python error: none_dealloc" after a few thousand calls, which
one streamed answer reaches. Python 3.12+ is fine (None is immortal). If this test dies with
SIGABRT, the interpreter or the binding changed under us.
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QLabel

CALLS = 20_000


def test_twenty_thousand_void_returning_qt_calls_survive(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    document = QTextDocument()
    cursor = QTextCursor(document)
    refs_before = sys.getrefcount(None)
    for i in range(CALLS // 2):
        label.setText(str(i))  # void-returning
        cursor.insertText("x")  # void-returning
    refs_after = sys.getrefcount(None)
    assert label.text() == str(CALLS // 2 - 1)
    assert document.characterCount() == CALLS // 2 + 1
    # A mortal None that loses one reference per call would be down by CALLS here.
    assert refs_before - refs_after < CALLS // 10
