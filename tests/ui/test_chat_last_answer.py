"""Only the last answer can be answered again: Regenerate and an error card's resend act on it.

A real ChatSession, ChatPanel and TranscriptView against the simulator on loopback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from orq_desktop.core.chat_session import ChatSession, Turn
from orq_desktop.core.chat_types import ErrorInfo, MessageState, Role
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.chat_panel import ChatPanel
from orq_desktop.ui.error_actions import ErrorActionHandler
from orq_desktop.ui.message_widgets import AssistantMessage
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui

STALE = "Options changed; send again to use them."
REFUSED = "Only the last answer can be answered again."


class Env:
    def __init__(self, panel: ChatPanel, routing: RoutingState, sim: Any) -> None:
        self.panel, self.routing, self.sim = panel, routing, sim
        self.status: list[str] = []
        panel.status_message.connect(self.status.append)

    @property
    def transcript(self) -> TranscriptView:
        assert isinstance(self.panel.transcript, TranscriptView)
        return self.panel.transcript

    def requests(self) -> int:
        return len(self.sim.recorded_requests())

    def answer(self, msg_id: str) -> AssistantMessage:
        widget = self.transcript.message_widget(msg_id)
        assert isinstance(widget, AssistantMessage)
        return widget

    def handler(self, *, aware: bool) -> ErrorActionHandler:
        """The app's fix handler, wired as the app wires it (``aware``: told which is last)."""
        handler = ErrorActionHandler(
            self.routing,
            parent_widget=self.panel,
            primary_model=lambda: "openai/gpt-4o",
            resend=self.panel.regenerate,
            ask_key=lambda: None,
            open_settings=lambda: None,
            status=self.status.append,
            is_current=self.panel.is_last_answer if aware else None,
        )
        handler.ask_model = lambda _parent, _exclude: "anthropic/claude-3-5-sonnet"
        self.panel.error_action.connect(handler.handle)
        return handler


@pytest.fixture
def make_env(qtbot: Any, aloop: Any, sim_server: Any) -> Iterator[Callable[[], Env]]:
    connections: list[Connection] = []

    def make() -> Env:
        connection = Connection(ConnectionConfig(base_url=sim_server.url, api_key="test-key"))
        connections.append(connection)
        routing = RoutingState()
        session = ChatSession(connection.client, parent=connection)
        panel = ChatPanel(session, TranscriptView(), orq=routing.orq)
        qtbot.addWidget(panel)
        panel.resize(800, 600)
        panel.show()
        return Env(panel, routing, sim_server)

    yield make
    tasks = [asyncio.ensure_future(c.aclose()) for c in connections]
    qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=5000)


def send(qtbot: Any, env: Env, text: str, model: str = "openai/gpt-4o") -> None:
    panel = env.panel
    panel.params.set_options({"model": model, "max_completion_tokens": 12})
    panel.prompt_input.setPlainText(text)
    count = len(env.transcript.message_ids())
    panel.send()
    qtbot.waitUntil(
        lambda: not panel._session.busy and len(env.transcript.message_ids()) == count + 2,
        timeout=10_000,
    )


def settle(qtbot: Any, env: Env) -> None:
    qtbot.waitUntil(lambda: not env.panel._session.busy, timeout=10_000)
    qtbot.wait(20)


def test_only_the_last_answer_offers_regenerate(qtbot: Any, make_env: Any) -> None:
    env = make_env()
    send(qtbot, env, "first")
    _u1, a1 = env.transcript.message_ids()
    assert env.answer(a1).regenerate_button.isEnabled()
    send(qtbot, env, "second")
    _, _, _u2, a2 = env.transcript.message_ids()
    assert not env.answer(a1).regenerate_button.isEnabled()
    assert env.answer(a2).regenerate_button.isEnabled()
    assert env.transcript.last_answer_id() == a2


def test_regenerate_of_an_older_answer_is_refused(qtbot: Any, make_env: Any) -> None:
    env = make_env()
    send(qtbot, env, "first")
    send(qtbot, env, "second")
    ids = env.transcript.message_ids()
    sent = env.requests()
    # The disabled button cannot be clicked; its signal (or a stale caller) is refused too.
    env.answer(ids[1]).regenerate_requested.emit(ids[1])
    qtbot.wait(50)
    assert env.transcript.message_ids() == ids
    assert env.requests() == sent
    assert env.status[-1] == REFUSED
    # The last answer's Regenerate replaces that one only, and the new answer is the last.
    env.answer(ids[3]).regenerate_button.click()
    settle(qtbot, env)
    after = env.transcript.message_ids()
    assert after[:3] == ids[:3] and after[3] != ids[3]
    assert env.requests() == sent + 1
    assert env.answer(after[3]).regenerate_button.isEnabled()
    assert not env.answer(after[1]).regenerate_button.isEnabled()


def test_try_again_on_an_older_error_card_is_disabled_and_refused(
    qtbot: Any, make_env: Any
) -> None:
    env = make_env()
    send(qtbot, env, "first", "sim/status-500")
    _u1, a1 = env.transcript.message_ids()
    card = env.transcript.error_card(a1)
    assert card is not None and card.action_buttons["retry"].isEnabled()
    send(qtbot, env, "second")
    ids = env.transcript.message_ids()
    assert not card.action_buttons["retry"].isEnabled()
    sent = env.requests()
    card.action_triggered.emit(a1, "retry")
    qtbot.wait(50)
    assert env.transcript.message_ids() == ids
    assert env.requests() == sent
    assert env.status[-1] == REFUSED


@pytest.mark.parametrize("aware", [True, False])
def test_a_routing_fix_on_an_older_card_changes_options_without_resending(
    qtbot: Any, make_env: Any, aware: bool
) -> None:
    env = make_env()
    env.handler(aware=aware)
    send(qtbot, env, "first", "sim/status-500")
    _u1, a1 = env.transcript.message_ids()
    send(qtbot, env, "second")
    ids = env.transcript.message_ids()
    sent = env.requests()
    card = env.transcript.error_card(a1)
    assert card is not None
    button = card.action_buttons["retry_on_code:500"]
    assert button.isEnabled() and "send again" in button.toolTip()
    button.click()
    card.action_triggered.emit(a1, "add_fallback")
    qtbot.wait(50)
    assert 500 in env.routing.orq()["retry"]["on_codes"]
    assert env.routing.orq()["fallbacks"] == [{"model": "anthropic/claude-3-5-sonnet"}]
    assert env.transcript.message_ids() == ids  # the good last answer is still there
    assert env.requests() == sent
    assert env.status[-1].endswith(STALE), env.status


def test_a_routing_fix_on_the_last_card_resends(qtbot: Any, make_env: Any) -> None:
    env = make_env()
    env.handler(aware=True)
    send(qtbot, env, "first", "sim/status-500")
    _u1, a1 = env.transcript.message_ids()
    sent = env.requests()
    card = env.transcript.error_card(a1)
    assert card is not None
    card.action_buttons["retry_on_code:500"].click()
    settle(qtbot, env)
    assert env.requests() == sent + 1
    assert env.transcript.message_ids()[1] != a1  # answered again in its place
    assert any(s.endswith("Answering again…") for s in env.status)


def test_a_loaded_thread_enables_only_its_last_answer(qtbot: Any, make_env: Any) -> None:
    env = make_env()
    turns = [
        Turn("u1", Role.USER, "one"),
        Turn("a1", Role.ASSISTANT, "answer one", MessageState.COMPLETE),
        Turn("u2", Role.USER, "two"),
        Turn(
            "a2",
            Role.ASSISTANT,
            "",
            MessageState.ERROR,
            error=ErrorInfo("500 Internal", "boom", "Try again later.", status=500),
        ),
    ]
    assert env.panel._session.load("thread_1", turns)
    assert not env.answer("a1").regenerate_button.isEnabled()
    card = env.transcript.error_card("a2")
    assert card is not None and card.is_last
    assert env.panel.is_last_answer("a2") and not env.panel.is_last_answer("a1")


def test_editing_back_enables_the_answer_that_becomes_last(qtbot: Any, make_env: Any) -> None:
    env = make_env()
    send(qtbot, env, "first")
    send(qtbot, env, "second")
    u1 = env.transcript.message_ids()[0]
    env.panel.edit_message(u1, "first, again")
    env.panel.send()
    settle(qtbot, env)
    qtbot.waitUntil(lambda: len(env.transcript.message_ids()) == 2, timeout=5000)
    _u, answer = env.transcript.message_ids()
    assert env.answer(answer).regenerate_button.isEnabled()
    assert env.panel.is_last_answer(answer)


def test_remove_from_hands_the_actions_back_to_the_answer_left_last(qtbot: Any) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.add_user_message("u1", "one")
    view.begin_assistant_message("a1", "m")
    view.finish_assistant_message("a1", "answer", MessageState.COMPLETE, None)
    view.add_user_message("u2", "two")
    view.begin_assistant_message("a2", "m")
    first = view.message_widget("a1")
    assert isinstance(first, AssistantMessage)
    assert not first.regenerate_button.isEnabled()  # a new answer began
    view.remove_from("u2")
    assert first.regenerate_button.isEnabled()
    assert view.last_answer_id() == "a1"
