"""Error cards in the transcript: plain-text server words, advice, one button per fix."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from orq_desktop.core.chat_types import ErrorAction, ErrorInfo, MessageState
from orq_desktop.ui.error_card import ErrorCard
from orq_desktop.ui.message_widgets import AssistantMessage
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui

RATE_LIMITED = ErrorInfo(
    title="429 Rate limited",
    message="Too many requests for <b>model</b> <a href='file:///etc/passwd'>x</a>",
    advice="Wait a minute, or add a fallback model.",
    status=429,
    kind="RateLimitError",
    trace_id="trace-429",
    actions=(
        ErrorAction("retry_on_code", "Retry on 429"),
        ErrorAction("add_fallback", "Add a fallback model"),
    ),
)


@pytest.fixture
def view(qtbot) -> TranscriptView:
    transcript = TranscriptView()
    qtbot.addWidget(transcript)
    transcript.resize(700, 500)
    transcript.show()
    return transcript


def card_of(view: TranscriptView, msg_id: str) -> ErrorCard:
    card = view.error_card(msg_id)
    assert card is not None
    return card


def test_the_card_shows_title_message_and_advice(view) -> None:
    view.add_error_card("a1", RATE_LIMITED)
    card = card_of(view, "a1")
    assert card.title_label.text() == "429 Rate limited"
    assert card.message_label.text() == RATE_LIMITED.message
    assert card.advice_label.text() == "Wait a minute, or add a fallback model."
    assert view.message_text("a1") == RATE_LIMITED.message


def test_server_text_with_tags_is_shown_literally(view) -> None:
    view.add_error_card("a1", RATE_LIMITED)
    card = card_of(view, "a1")
    labels = card.findChildren(QLabel)
    text_labels = [label for label in labels if label.text()]
    assert text_labels
    for label in text_labels:
        assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()
    # Rendered as plain text, the tags are on screen as typed and no link exists.
    assert "<b>model</b>" in card.message_label.text()
    assert not card.message_label.openExternalLinks()


def test_each_action_button_emits_error_action(qtbot, view) -> None:
    view.add_error_card("a1", RATE_LIMITED)
    card = card_of(view, "a1")
    assert [b.text() for b in card.action_buttons.values()] == [
        "Retry on 429",
        "Add a fallback model",
    ]
    for action_id in ("retry_on_code", "add_fallback"):
        with qtbot.waitSignal(view.error_action) as signal:
            card.action_buttons[action_id].click()
        assert signal.args == ["a1", action_id]


def test_a_card_without_actions_has_no_buttons(view) -> None:
    view.add_error_card("a1", ErrorInfo(title="Network", message="", advice="Check the network."))
    card = card_of(view, "a1")
    assert card.action_buttons == {}
    assert card.message_label.isHidden()
    assert card.advice_label.text() == "Check the network."


def test_the_card_trace_id_can_be_copied(qtbot, view) -> None:
    view.add_error_card("a1", RATE_LIMITED)
    button = card_of(view, "a1").copy_trace_button
    assert button is not None
    with qtbot.waitSignal(view.copy_trace_id) as signal:
        button.click()
    assert signal.args == ["trace-429"]
    assert QGuiApplication.clipboard().text() == "trace-429"


def test_the_card_replaces_an_answer_that_never_started(qtbot, view) -> None:
    view.add_user_message("u1", "hi")
    view.begin_assistant_message("a1", "openai/gpt-4o")
    view.add_error_card("a1", RATE_LIMITED)
    assert view.message_ids() == ["u1", "a1"]
    assert view.message_widget("a1") is None
    qtbot.waitUntil(card_of(view, "a1").isVisible, timeout=1000)


def test_the_card_follows_a_partial_answer_and_keeps_it(view) -> None:
    view.begin_assistant_message("a1", "openai/gpt-4o")
    view.append_delta("a1", "Half")
    view.finish_assistant_message("a1", "Half", MessageState.INTERRUPTED, None)
    view.add_error_card("a1", RATE_LIMITED)
    answer = view.message_widget("a1")
    assert isinstance(answer, AssistantMessage)
    assert view.message_text("a1") == "Half"
    column = answer.parentWidget().layout()
    assert column.indexOf(card_of(view, "a1")) == column.indexOf(answer) + 1


def test_remove_from_drops_the_card_too(view) -> None:
    view.add_user_message("u1", "hi")
    view.add_error_card("a1", RATE_LIMITED)
    view.remove_from("a1")
    assert view.message_ids() == ["u1"]
    assert view.error_card("a1") is None
