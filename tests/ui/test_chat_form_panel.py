"""The chat panel against a fake session: drafts, busy state, Send's reasons, edit and retry."""

from __future__ import annotations

from typing import Any

import pytest
from test_chat_form_fakes import FakeSession, FakeTranscript, MinimalFakeSession

from orq_desktop.core.chat_types import ErrorAction, ErrorInfo, MessageState
from orq_desktop.ui.chat_panel import ChatPanel

pytestmark = pytest.mark.gui

ERROR = ErrorInfo(
    title="503 Unavailable",
    message="provider down",
    advice="Add a fallback.",
    status=503,
    actions=(ErrorAction("retry", "Try again"), ErrorAction("add_fallback", "Add a fallback")),
)


def make_panel(qtbot: Any, session: MinimalFakeSession | None = None, **kwargs: Any) -> ChatPanel:
    panel = ChatPanel(session or FakeSession(), FakeTranscript(), **kwargs)
    qtbot.addWidget(panel)
    return panel


def session_of(panel: ChatPanel) -> FakeSession:
    session = panel._session
    assert isinstance(session, MinimalFakeSession)
    return session  # type: ignore[return-value]


def test_send_passes_prompt_system_prompt_and_options(qtbot: Any) -> None:
    panel = make_panel(qtbot, orq=lambda: {"retry": {"count": 2, "on_codes": [429]}})
    panel.set_system_prompt("Be brief.")
    panel.prompt_input.setPlainText("Hello there")
    panel.composer.send_button.click()
    ((name, (prompt, system, options)),) = session_of(panel).calls
    assert (name, prompt, system) == ("send", "Hello there", "Be brief.")
    assert options == {**panel.params.options(), "orq": {"retry": {"count": 2, "on_codes": [429]}}}
    assert panel.transcript.roles() == [("user", "Hello there"), ("assistant", "")]


def test_empty_routing_object_is_not_sent(qtbot: Any) -> None:
    panel = make_panel(qtbot, orq=dict)
    assert "orq" not in panel.options()


def test_draft_is_cleared_once_accepted(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    panel.prompt_input.setPlainText("keep me until accepted")
    panel.send()
    assert panel.prompt_input.toPlainText() == ""


def test_draft_stays_when_the_session_refuses(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    session = session_of(panel)
    session.refuse = "The temperature must be between 0 and 2."
    panel.prompt_input.setPlainText("my long draft")
    with qtbot.waitSignal(panel.status_message) as status:
        panel.send()
    assert session.names() == ["send"]
    assert panel.prompt_input.toPlainText() == "my long draft"
    assert panel.composer.notice.text() == session.refuse
    assert "Not sent" in status.args[0]
    assert panel.transcript.messages == {}


def test_draft_stays_when_a_minimal_session_refuses_silently(qtbot: Any) -> None:
    panel = make_panel(qtbot, MinimalFakeSession())
    session_of(panel).refuse = "no"
    panel.prompt_input.setPlainText("draft")
    panel.send()
    assert panel.prompt_input.toPlainText() == "draft"


def test_busy_state_toggles_send_and_stop(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    panel.show()
    send, stop = panel.composer.send_button, panel.composer.stop_button
    panel.prompt_input.setPlainText("one")
    assert send.isEnabled() and not stop.isEnabled()
    panel.send()
    panel.prompt_input.setPlainText("typing the next one meanwhile")
    assert not send.isEnabled() and stop.isEnabled()
    assert "still arriving" in send.toolTip()
    assert panel.composer.is_busy()
    assert panel.composer.status_text().startswith("Answering… 0 s")
    assert panel.stop_action.isEnabled() and not panel.send_action.isEnabled()
    stop.click()
    assert session_of(panel).names() == ["send", "stop"]
    assert send.isEnabled() and not stop.isEnabled()
    assert not panel.composer.is_busy()
    assert panel.transcript.messages["m2"]["state"] == MessageState.STOPPED


def test_busy_timer_counts_seconds(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    panel.prompt_input.setPlainText("slow one")
    panel.send()
    qtbot.waitUntil(lambda: panel.composer.status_text() == "Answering… 1 s", timeout=3000)


def test_stream_events_reach_the_transcript(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    session = session_of(panel)
    panel.prompt_input.setPlainText("hi")
    panel.send()
    session.delta.emit("m2", "Hel")
    session.delta.emit("m2", "lo")
    session.finish("Hello", state="complete", info="info")
    message = panel.transcript.messages["m2"]
    assert message["text"] == "Hello" and message["model"] == panel.options()["model"]
    assert message["state"] is MessageState.COMPLETE and message["info"] == "info"
    session.new_chat()
    assert panel.transcript.messages == {}
    assert not panel.regenerate_action.isEnabled()


@pytest.mark.parametrize(
    ("break_it", "needle"),
    [
        (lambda p: p.params.model_picker.setEditText("gpt-4o"), "Add the provider"),
        (lambda p: p.params.model_picker.setEditText(""), "Choose a model"),
        (lambda p: p.params._stops.set_values(list("abcde")), "At most 4 stop sequences"),
        (
            lambda p: (
                p.params._format.setCurrentIndex(p.params._format.findData("json_schema")),
                p.params._schema.name_edit.setText("s"),
                p.params._schema.text_edit.setPlainText('{"type": }'),
            ),
            "not valid JSON: line 1, column 10",
        ),
        (
            lambda p: p.params._format.setCurrentIndex(p.params._format.findData("json_schema")),
            "Give the JSON schema a name",
        ),
        (lambda p: p.prompt_input.setPlainText("  \n "), "Type a message"),
    ],
)
def test_send_is_disabled_with_the_reason_as_tooltip(
    qtbot: Any, break_it: Any, needle: str
) -> None:
    panel = make_panel(qtbot)
    panel.show()
    panel.prompt_input.setPlainText("a valid prompt")
    send = panel.composer.send_button
    assert send.isEnabled()
    break_it(panel)
    qtbot.waitUntil(lambda: not send.isEnabled() and needle in send.toolTip(), timeout=2000)
    assert not panel.send_action.isEnabled()
    panel.send()  # a direct call is refused too, and says why
    assert session_of(panel).calls == []
    assert needle in panel.composer.notice.text()


def test_edit_loads_the_message_and_resends_it(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    session = session_of(panel)
    panel.prompt_input.setPlainText("first question")
    panel.send()
    session.finish("first answer")
    panel.prompt_input.setPlainText("half-typed draft")
    panel.transcript.edit_requested.emit("m1")
    assert panel.prompt_input.toPlainText() == "first question"
    assert panel.composer.is_editing()
    panel.prompt_input.setPlainText("better question")
    panel.send()
    name, (msg_id, text, _system, _options) = session.calls[-1]
    assert (name, msg_id, text) == ("edit_and_resend", "m1", "better question")
    assert not panel.composer.is_editing()
    assert panel.prompt_input.toPlainText() == ""


def test_cancel_edit_brings_the_draft_back(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    panel.prompt_input.setPlainText("q")
    panel.send()
    session_of(panel).finish()
    panel.prompt_input.setPlainText("my draft")
    panel.transcript.edit_requested.emit("m1")
    panel.cancel_edit()
    assert panel.prompt_input.toPlainText() == "my draft"
    assert not panel.composer.is_editing()
    panel.send()
    assert session_of(panel).names() == ["send", "send"]


def test_minimal_session_edit_trims_the_transcript_itself(qtbot: Any) -> None:
    panel = make_panel(qtbot, MinimalFakeSession())
    session = session_of(panel)
    panel.prompt_input.setPlainText("q1")
    panel.send()
    session.finish("a1")
    panel.transcript.edit_requested.emit("m1")
    panel.prompt_input.setPlainText("q1 again")
    panel.send()
    assert panel.transcript.roles() == [("user", "q1 again"), ("assistant", "")]


def test_minimal_session_regenerate_replaces_the_last_answer(qtbot: Any) -> None:
    panel = make_panel(qtbot, MinimalFakeSession())
    session = session_of(panel)
    panel.prompt_input.setPlainText("q")
    panel.send()
    session.finish("first try")
    panel.transcript.regenerate_requested.emit("m2")
    assert session.names() == ["send", "regenerate"]
    assert panel.transcript.roles() == [("user", "q"), ("assistant", "")]


def test_full_session_trims_through_its_own_signal(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    session = session_of(panel)
    panel.prompt_input.setPlainText("q")
    panel.send()
    session.finish("a")
    panel.regenerate()
    assert "remove_from:m2" not in panel.transcript.calls  # the panel left it to the session
    session.messages_removed_from.emit("m2")
    assert "remove_from:m2" in panel.transcript.calls


def test_error_card_retry_is_handled_here_and_other_fixes_go_to_the_app(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    session = session_of(panel)
    panel.prompt_input.setPlainText("q")
    panel.send()
    with qtbot.waitSignal(panel.status_message) as status:
        session.fail(ERROR)
    assert "503" in status.args[0]
    assert panel.transcript.messages["m2"]["role"] == "error"
    with qtbot.waitSignal(panel.error_action) as fixes:
        panel.transcript.error_action.emit("m2", "add_fallback")
    assert fixes.args == ["m2", "add_fallback"]
    with qtbot.assertNotEmitted(panel.error_action):
        panel.transcript.error_action.emit("m2", "retry")
    assert session.names() == ["send", "regenerate"]


def test_regenerate_needs_an_answer_first(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    panel.show()
    assert not panel.regenerate_action.isEnabled()
    panel.regenerate()
    assert session_of(panel).calls == []


def test_prompt_box_has_focus_when_shown(qtbot: Any) -> None:
    panel = make_panel(qtbot)
    with qtbot.waitExposed(panel):
        panel.show()
    assert panel.focusWidget() is panel.prompt_input


def test_layout_state_round_trips(qtbot: Any, tmp_path: Any) -> None:
    from PySide6.QtCore import QSettings

    settings = QSettings(str(tmp_path / "chat.ini"), QSettings.Format.IniFormat)
    panel = make_panel(qtbot)
    panel.resize(800, 700)
    panel.show()
    panel.params.section.set_expanded(True)
    panel.splitter.setSizes([300, 250])
    sizes = panel.splitter.sizes()
    panel.save_state(settings)
    again = make_panel(qtbot)
    again.resize(800, 700)
    again.restore_state(settings)
    again.show()
    assert again.params.section.is_expanded()
    assert again.splitter.sizes() == sizes
