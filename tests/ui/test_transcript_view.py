"""The transcript's messages: end states, answer footers, actions, removal, following the bottom."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication

from orq_desktop.core.chat_types import AnswerInfo, MessageState
from orq_desktop.ui.message_widgets import AssistantMessage, UserMessage
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui


@pytest.fixture
def view(qtbot) -> TranscriptView:
    transcript = TranscriptView()
    qtbot.addWidget(transcript)
    transcript.resize(700, 500)
    transcript.show()
    return transcript


def finished_answer(
    view: TranscriptView,
    text: str = "The **answer**.",
    state: MessageState = MessageState.COMPLETE,
    info: AnswerInfo | None = None,
    msg_id: str = "a1",
) -> AssistantMessage:
    view.begin_assistant_message(msg_id, "openai/gpt-4o")
    view.append_delta(msg_id, text)
    view.finish_assistant_message(msg_id, text, state, info)
    message = view.message_widget(msg_id)
    assert isinstance(message, AssistantMessage)
    return message


def test_the_transcript_has_its_automation_name(view) -> None:
    assert view.objectName() == "chatTranscript"


def test_each_message_has_its_own_document(view) -> None:
    view.add_user_message("u1", "hi")
    first = finished_answer(view, msg_id="a1")
    second = finished_answer(view, msg_id="a2")
    user = view.message_widget("u1")
    assert user is not None
    documents = {id(w.view.document()) for w in (user, first, second)}
    assert len(documents) == 3
    assert view.message_ids() == ["u1", "a1", "a2"]


def test_a_user_message_is_shown_literally(view) -> None:
    view.add_user_message("u1", "# not a heading\n**not bold** <b>not html</b>")
    message = view.message_widget("u1")
    assert isinstance(message, UserMessage)
    assert message.view.toPlainText() == "# not a heading\n**not bold** <b>not html</b>"
    assert view.message_text("u1") == "# not a heading\n**not bold** <b>not html</b>"


def test_edit_emits_the_id_and_copy_copies_the_raw_text(qtbot, view) -> None:
    view.add_user_message("u1", "Explain **this**")
    message = view.message_widget("u1")
    assert isinstance(message, UserMessage)
    with qtbot.waitSignal(view.edit_requested) as signal:
        message.edit_button.click()
    assert signal.args == ["u1"]
    message.copy_button.click()
    assert QGuiApplication.clipboard().text() == "Explain **this**"


def test_copy_on_an_answer_copies_the_markdown_source(view) -> None:
    message = finished_answer(view, "Use `ls -la` and **care**.")
    assert message.view.toPlainText() == "Use ls -la and care."
    message.copy_button.click()
    assert QGuiApplication.clipboard().text() == "Use `ls -la` and **care**."


def test_regenerate_is_offered_once_the_answer_ended(qtbot, view) -> None:
    view.begin_assistant_message("a1", "openai/gpt-4o")
    message = view.message_widget("a1")
    assert isinstance(message, AssistantMessage)
    assert not message.regenerate_button.isEnabled()
    view.finish_assistant_message("a1", "done", MessageState.COMPLETE, None)
    assert message.regenerate_button.isEnabled()
    with qtbot.waitSignal(view.regenerate_requested) as signal:
        message.regenerate_button.click()
    assert signal.args == ["a1"]


@pytest.mark.parametrize(
    ("state", "marker"),
    [(MessageState.STOPPED, "Stopped"), (MessageState.INTERRUPTED, "Interrupted")],
)
def test_a_partial_answer_carries_a_visible_marker(view, state, marker) -> None:
    message = finished_answer(view, "Half an ans", state)
    assert not message.state_marker.isHidden()
    assert message.state_marker.text().startswith(("■ " + marker, "⚠ " + marker))
    assert view.message_text("a1") == "Half an ans"
    assert message.view.toPlainText() == "Half an ans"


def test_a_complete_answer_has_no_marker(view) -> None:
    message = finished_answer(view, "All of it.", MessageState.COMPLETE)
    assert message.state_marker.isHidden()


def test_the_footer_shows_the_answer_details(view) -> None:
    info = AnswerInfo(
        primary_model="openai/gpt-4o",
        answered_model="anthropic/claude-3-5-sonnet",
        ttft_s=0.42,
        total_s=3.5,
        tokens_in=1234,
        tokens_out=56,
        finish_reason="length",
        trace_id="01JTRACE42",
    )
    message = finished_answer(view, info=info)
    footer = message.footer
    assert not footer.isHidden()
    assert footer.model_label.text() == "anthropic/claude-3-5-sonnet"
    assert not footer.fallback_tag.isHidden()
    assert footer.timing_label.text() == "first token 0.42 s · total 3.50 s"
    assert footer.tokens_label.text() == "1,234 in · 56 out tokens"
    assert footer.finish_label.text() == "finish: length"
    assert footer.trace_label.text() == "trace 01JTRACE42"


def test_no_fallback_tag_when_the_chosen_model_answered(view) -> None:
    # The router reports the provider's own id: gpt-4o-2024-08-06 is still gpt-4o.
    info = AnswerInfo(primary_model="openai/gpt-4o", answered_model="gpt-4o-2024-08-06")
    message = finished_answer(view, info=info)
    assert message.footer.fallback_tag.isHidden()
    assert message.footer.model_label.text() == "gpt-4o-2024-08-06"


def test_unknown_details_are_left_out(view) -> None:
    message = finished_answer(view, info=AnswerInfo(primary_model="openai/gpt-4o"))
    footer = message.footer
    assert footer.model_label.text() == "openai/gpt-4o"
    for label in (footer.timing_label, footer.tokens_label, footer.finish_label):
        assert label.isHidden()
    assert footer.copy_trace_button.isHidden()


def test_copying_the_trace_id_puts_it_on_the_clipboard(qtbot, view) -> None:
    info = AnswerInfo(primary_model="openai/gpt-4o", trace_id="trace-7f3a")
    message = finished_answer(view, info=info)
    QGuiApplication.clipboard().setText("something else")
    with qtbot.waitSignal(view.copy_trace_id) as signal:
        message.footer.copy_trace_button.click()
    assert signal.args == ["trace-7f3a"]
    assert QGuiApplication.clipboard().text() == "trace-7f3a"


def test_remove_from_drops_that_message_and_everything_after(view) -> None:
    view.add_user_message("u1", "one")
    finished_answer(view, msg_id="a1")
    view.add_user_message("u2", "two")
    finished_answer(view, msg_id="a2")
    view.remove_from("u2")
    assert view.message_ids() == ["u1", "a1"]
    assert view.message_widget("a2") is None
    with pytest.raises(KeyError):
        view.message_text("u2")
    view.add_user_message("u2", "two, edited")  # the id can be used again
    assert view.message_text("u2") == "two, edited"


def test_a_late_delta_for_a_removed_message_is_ignored(qtbot, view) -> None:
    view.begin_assistant_message("a1", "m")
    view.append_delta("a1", "partial")
    view.remove_from("a1")
    view.append_delta("a1", " more")
    view.finish_assistant_message("a1", "partial more", MessageState.COMPLETE, None)
    qtbot.wait(2 * 33)
    assert view.message_ids() == []


def test_clear_empties_the_transcript(qtbot, view) -> None:
    view.add_user_message("u1", "one")
    finished_answer(view)
    view.clear()
    assert view.message_ids() == []
    assert view.message_widget("a1") is None
    qtbot.waitUntil(lambda: not view.findChildren(AssistantMessage), timeout=2000)
    assert not view.findChildren(UserMessage)


def test_a_duplicate_message_id_is_refused(view) -> None:
    view.add_user_message("u1", "one")
    with pytest.raises(ValueError, match="u1"):
        view.add_user_message("u1", "again")


def long_answer(view: TranscriptView, qtbot, msg_id: str, paragraphs: int) -> AssistantMessage:
    view.begin_assistant_message(msg_id, "m")
    message = view.message_widget(msg_id)
    assert isinstance(message, AssistantMessage)
    for i in range(paragraphs):
        view.append_delta(msg_id, f"Paragraph {i} with some words in it.\n\n")
    qtbot.waitUntil(lambda: message.stream.is_caught_up, timeout=2000)
    return message


def test_the_view_follows_the_bottom_while_the_user_is_there(qtbot, view) -> None:
    bar = view.verticalScrollBar()
    long_answer(view, qtbot, "a1", 80)
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
    qtbot.waitUntil(lambda: bar.value() == bar.maximum(), timeout=2000)
    assert view.is_following()


def test_the_view_stays_put_when_the_user_scrolled_up(qtbot, view) -> None:
    bar = view.verticalScrollBar()
    long_answer(view, qtbot, "a1", 80)
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=2000)
    bar.setValue(0)
    assert not view.is_following()
    long_answer(view, qtbot, "a2", 40)
    qtbot.wait(50)
    assert bar.value() == 0
    old_maximum = bar.maximum()
    view.scroll_to_bottom()
    assert bar.value() == old_maximum
    assert view.is_following()
