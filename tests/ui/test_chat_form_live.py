"""The chat panel end to end: real ChatSession, real TranscriptView, the simulator on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.chat_types import MessageState
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.message_widgets import AssistantMessage
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui


@pytest.fixture
def make_panel(qtbot: Any, aloop: Any) -> Iterator[Callable[[str], ChatPanel]]:
    """Panels over sessions on their own Connection; every client is closed after the test."""
    connections: list[Connection] = []

    def make(url: str) -> ChatPanel:
        connection = Connection(ConnectionConfig(base_url=url, api_key="test-key"))
        connections.append(connection)
        panel = ChatPanel(ChatSession(connection.client, parent=connection), TranscriptView())
        qtbot.addWidget(panel)
        panel.resize(800, 600)
        panel.show()
        return panel

    yield make
    tasks = [asyncio.ensure_future(c.aclose()) for c in connections]
    qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=5000)


def test_send_streams_an_answer_with_the_forms_options(
    qtbot: Any, make_panel: Any, sim_server: Any
) -> None:
    panel = make_panel(sim_server.url)
    transcript = panel.transcript
    assert isinstance(transcript, TranscriptView)
    panel.params.set_options({"model": "openai/gpt-4o", "max_completion_tokens": 12})
    panel.prompt_input.setPlainText("Tell me about tea")
    panel.composer.send_button.click()
    assert panel.prompt_input.toPlainText() == ""  # accepted: the draft is gone
    assert panel.composer.stop_button.isEnabled()
    qtbot.waitUntil(
        lambda: panel.composer.send_button.toolTip() == "Type a message to send.", timeout=10_000
    )
    user_id, answer_id = transcript.message_ids()
    assert transcript.message_text(user_id) == "Tell me about tea"
    assert transcript.message_text(answer_id)
    message = transcript.message_widget(answer_id)
    assert isinstance(message, AssistantMessage)
    assert message.state is MessageState.COMPLETE
    assert message.footer.finish_label.text() == "finish: length"  # max_completion_tokens sent
    assert not panel.composer.stop_button.isEnabled()


def test_stop_keeps_the_partial_answer(
    qtbot: Any, make_panel: Any, sim_server_factory: Any
) -> None:
    server = sim_server_factory(token_rate=50)
    panel = make_panel(server.url)
    panel.params.model_picker.set_model_id("openai/gpt-4o")
    panel.prompt_input.setPlainText("A long answer please")
    panel.send()
    transcript = panel.transcript
    assert isinstance(transcript, TranscriptView)
    answer_id = transcript.message_ids()[1]
    qtbot.waitUntil(lambda: len(transcript.message_text(answer_id)) > 10, timeout=5000)
    panel.stop_action.trigger()
    qtbot.waitUntil(lambda: not panel.composer.stop_button.isEnabled(), timeout=5000)
    message = transcript.message_widget(answer_id)
    assert isinstance(message, AssistantMessage)
    assert message.state is MessageState.STOPPED
    assert transcript.message_text(answer_id)  # the partial text stays
    assert panel.composer.send_button.toolTip() == "Type a message to send."
    assert panel.regenerate_action.isEnabled()


def test_error_model_shows_a_card_and_retry_asks_again(
    qtbot: Any, make_panel: Any, sim_server: Any
) -> None:
    panel = make_panel(sim_server.url)
    transcript = panel.transcript
    assert isinstance(transcript, TranscriptView)
    panel.params.model_picker.set_model_id("sim/status-503")
    panel.prompt_input.setPlainText("hello")
    panel.send()
    qtbot.waitUntil(
        lambda: (
            len(transcript.message_ids()) == 2
            and transcript.error_card(transcript.message_ids()[1]) is not None
        ),
        timeout=10_000,
    )
    first_card = transcript.message_ids()[1]
    qtbot.waitUntil(lambda: panel.regenerate_action.isEnabled(), timeout=5000)
    transcript.error_action.emit(first_card, "retry")
    qtbot.waitUntil(
        lambda: (
            len(transcript.message_ids()) == 2
            and transcript.message_ids()[1] != first_card
            and transcript.error_card(transcript.message_ids()[1]) is not None
        ),
        timeout=10_000,
    )
