"""The save mark says when everything is kept in a temporary folder this session."""

from __future__ import annotations

from typing import Any

from orq_desktop.ui.history_wiring import SaveIndicator


def test_a_session_note_stays_on_every_mark(qtbot: Any) -> None:
    mark = SaveIndicator()
    qtbot.addWidget(mark)
    note = "The data folder /x cannot be used (it is on a read-only disk)."
    mark.set_session_note(note)
    assert mark.text() == "⚠ kept for this session only" and not mark.isHidden()
    assert note in mark.toolTip() and mark.accessibleName() == note
    mark.set_state("saved", "Saved")
    assert mark.text() == "✓ Saved (kept for this session only)"
    assert note in mark.toolTip()
    mark.set_state("failed", "Not saved: The disk is full.")
    assert mark.text() == "⚠ Not saved: The disk is full. (kept for this session only)"


def test_without_a_note_the_marks_are_as_before(qtbot: Any) -> None:
    mark = SaveIndicator()
    qtbot.addWidget(mark)
    mark.set_state("saved", "Saved")
    assert mark.text() == "✓ Saved" and mark.accessibleName() == "Saved"
