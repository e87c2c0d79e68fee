"""InlineMessage's icon and tone: the options' notes are InlineMessages with an info icon."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel

from orq_desktop.ui.layout import error_colour
from orq_desktop.ui.options_base import NoteLabel, Section, model_validator
from orq_desktop.ui.options_retry import RetrySection
from orq_desktop.ui.widgets_inline import INFORMATION, WARNING, InlineMessage

pytestmark = pytest.mark.gui


def text_colour(message: InlineMessage) -> Any:
    labels = message.findChildren(QLabel)
    shown = [label for label in labels if label.text() == message.text()]
    return shown[0].palette().color(QPalette.ColorRole.WindowText)


def test_an_error_has_the_warning_icon_and_the_error_colour(qtbot: Any) -> None:
    message = InlineMessage()
    qtbot.addWidget(message)
    message.set_text("Retry attempts must be between 1 and 5.")
    assert message.icon() == WARNING
    assert text_colour(message) == error_colour(message.palette())


def test_a_note_takes_the_icon_given_and_keeps_the_text_colour(qtbot: Any) -> None:
    note = NoteLabel()
    qtbot.addWidget(note)
    note.set_text("Add a model to fall back to.")
    assert isinstance(note, InlineMessage)
    assert note.icon() == INFORMATION
    assert text_colour(note) != error_colour(note.palette())
    warned = InlineMessage(icon=INFORMATION, as_error=False)
    qtbot.addWidget(warned)
    assert warned.icon() == INFORMATION


def test_every_section_note_is_an_inline_message(qtbot: Any) -> None:
    section: Section = RetrySection(model_validator("chat"))
    qtbot.addWidget(section)
    section.set_on(True)
    section.codes.set_codes([])
    section.refresh()
    assert type(section.note) is NoteLabel and section.note.icon() == INFORMATION
    assert "429" in section.note.text() and not section.note.isHidden()
