"""The chat panel with the real TranscriptView: what the session says shows up, edits flow back."""

from __future__ import annotations

from typing import Any

import pytest
from test_chat_form_fakes import FakeSession

from orq_desktop.core.chat_types import ErrorAction, ErrorInfo
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot: Any) -> ChatPanel:
    widget = ChatPanel(FakeSession(), TranscriptView)  # a factory works as well as a widget
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    widget.show()
    return widget


def session_of(panel: ChatPanel) -> FakeSession:
    assert isinstance(panel._session, FakeSession)
    return panel._session


def test_a_streamed_answer_lands_in_the_transcript(panel: ChatPanel, qtbot: Any) -> None:
    transcript = panel.transcript
    assert isinstance(transcript, TranscriptView)
    assert transcript.objectName() == "chatTranscript"
    panel.prompt_input.setPlainText("What is tea?")
    panel.send()
    session = session_of(panel)
    for piece in ("Tea is ", "a *drink*."):
        session.delta.emit("m2", piece)
    session.finish("Tea is a *drink*.")
    assert transcript.message_ids() == ["m1", "m2"]
    assert transcript.message_text("m1") == "What is tea?"
    qtbot.waitUntil(lambda: transcript.message_text("m2") == "Tea is a *drink*.")


def test_edit_from_the_transcript_resends_through_the_session(panel: ChatPanel) -> None:
    session = session_of(panel)
    panel.prompt_input.setPlainText("first")
    panel.send()
    session.finish("answer")
    panel.transcript.edit_requested.emit("m1")
    assert panel.prompt_input.toPlainText() == "first"
    panel.prompt_input.setPlainText("second")
    panel.send()
    assert session.calls[-1][0] == "edit_and_resend"
    session.messages_removed_from.emit("m1")  # what ChatSession does when it trims
    assert panel.transcript.message_ids() == []
    session.user_message_added.emit("m9", "second")
    assert panel.transcript.message_ids() == ["m9"]


def test_error_card_retry_answers_again(panel: ChatPanel) -> None:
    session = session_of(panel)
    panel.prompt_input.setPlainText("q")
    panel.send()
    error = ErrorInfo(
        "429 Rate limited", "slow down", "Wait.", 429, actions=(ErrorAction("retry", "Try again"),)
    )
    session.fail(error)
    transcript = panel.transcript
    assert isinstance(transcript, TranscriptView)
    assert transcript.error_card("m2") is not None
    transcript.error_action.emit("m2", "retry")
    assert session.names() == ["send", "regenerate"]
