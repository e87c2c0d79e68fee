"""ChatSession against the real simulator on loopback: stream, stop, errors, regenerate, edit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState, Role
from orq_desktop.core.connection import Connection, ConnectionConfig

pytestmark = pytest.mark.gui


class Recorder:
    """Collects every signal of a session as (name, args) tuples."""

    def __init__(self, session: ChatSession) -> None:
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        for name in (
            "user_message_added",
            "answer_started",
            "delta",
            "answer_finished",
            "answer_failed",
            "send_refused",
            "messages_removed_from",
            "busy_changed",
            "conversation_cleared",
        ):
            getattr(session, name).connect(lambda *a, n=name: self.events.append((n, a)))

    def of(self, name: str) -> list[tuple[Any, ...]]:
        return [a for n, a in self.events if n == name]

    def text(self, msg_id: str) -> str:
        return "".join(a[1] for a in self.of("delta") if a[0] == msg_id)


@pytest.fixture
def make_session(qtbot, aloop) -> Iterator[Callable[..., ChatSession]]:
    """Sessions on their own Connection; every client is closed after the test."""
    connections: list[Connection] = []

    def make(url: str, key: str | None = "test-key") -> ChatSession:
        conn = Connection(ConnectionConfig(base_url=url, api_key=key))
        connections.append(conn)
        return ChatSession(conn.client, parent=conn)

    yield make
    tasks = [asyncio.ensure_future(c.aclose()) for c in connections]
    qtbot.waitUntil(lambda: all(t.done() for t in tasks), timeout=5000)


def opts(model: str = "openai/gpt-4o", **extra: Any) -> dict[str, Any]:
    return {"model": model, "stream": True, **extra}


def wait_idle(qtbot: Any, session: ChatSession, rec: Recorder, n_finished: int = 1) -> None:
    qtbot.waitUntil(
        lambda: (
            not session.busy
            and len(rec.of("answer_finished")) + len(rec.of("answer_failed")) >= n_finished
            # busy_changed(False) comes from the task's done callback, one loop turn later
            and rec.of("busy_changed")[-1:] == [(False,)]
        ),
        timeout=10_000,
    )


def test_send_streams_and_finishes_complete(qtbot, sim_server, make_session) -> None:
    session = make_session(sim_server.url)
    rec = Recorder(session)
    assert session.send("Tell me about tea", "You are terse.", opts())
    wait_idle(qtbot, session, rec)
    ((_user_id, text),) = rec.of("user_message_added")
    assert text == "Tell me about tea"
    ((msg_id, model),) = rec.of("answer_started")
    assert model == "openai/gpt-4o"
    assert len(rec.of("delta")) > 5
    ((fid, final, state, info),) = rec.of("answer_finished")
    assert (fid, state) == (msg_id, MessageState.COMPLETE.value)
    assert final == rec.text(msg_id) and final
    assert isinstance(info, AnswerInfo)
    assert info.answered_model and info.trace_id and info.tokens_out
    assert info.total_s is not None and info.ttft_s is not None
    assert not info.is_fallback
    assert [t.role for t in session.turns] == [Role.USER, Role.ASSISTANT]
    assert rec.of("busy_changed") == [(True,), (False,)]


def test_non_streamed_answer_arrives_whole(qtbot, sim_server, make_session) -> None:
    session = make_session(sim_server.url)
    rec = Recorder(session)
    session.send("Hello", "", opts(stream=False))
    wait_idle(qtbot, session, rec)
    assert len(rec.of("delta")) == 1
    assert rec.of("answer_finished")[0][2] == MessageState.COMPLETE.value


def test_stop_keeps_partial_text_marked_stopped(
    qtbot, aloop, sim_server_factory, make_session
) -> None:
    sim = sim_server_factory(token_rate=40)
    session = make_session(sim.url)
    rec = Recorder(session)
    session.send("A long story please", "", opts(max_completion_tokens=400))
    qtbot.waitUntil(lambda: len(rec.of("delta")) >= 3, timeout=10_000)
    session.stop()
    wait_idle(qtbot, session, rec)
    ((msg_id, text, state, _info),) = rec.of("answer_finished")
    assert state == MessageState.STOPPED.value
    assert text == rec.text(msg_id)
    assert 3 <= len(rec.of("delta")) < 400
    assert session.turns[-1].state is MessageState.STOPPED


@pytest.mark.parametrize(
    ("model", "status", "action"),
    [
        ("sim/status-401", 401, "reenter_key"),
        ("sim/status-429", 429, "retry_on_code:429"),
        ("sim/status-503", 503, "add_fallback"),
        ("sim/unknown", 404, None),
    ],
)
def test_errors_show_a_card_and_allow_sending_again(
    qtbot, sim_server, make_session, model, status, action
) -> None:
    session = make_session(sim_server.url)
    rec = Recorder(session)
    session.send("Hi", "", opts(model))
    wait_idle(qtbot, session, rec)
    ((_msg_id, card),) = rec.of("answer_failed")
    assert isinstance(card, ErrorInfo)
    assert card.status == status and str(status) in card.title
    assert card.message and card.advice
    if action:
        assert action in [a.action_id for a in card.actions]
    assert not rec.of("answer_finished")
    assert not session.busy
    assert session.send("Again", "", opts())
    wait_idle(qtbot, session, rec, n_finished=2)
    assert rec.of("answer_finished")[-1][2] == MessageState.COMPLETE.value
    # the failed turn is not sent back to the model
    assert [t.state for t in session.turns].count(MessageState.ERROR) == 1


def test_drop_mid_stream_keeps_partial_marked_interrupted(qtbot, sim_server, make_session) -> None:
    session = make_session(sim_server.url)
    rec = Recorder(session)
    session.send("Hi", "", opts("sim/drop-after-5"))
    wait_idle(qtbot, session, rec, n_finished=2)
    ((msg_id, text, state, _info),) = rec.of("answer_finished")
    assert state == MessageState.INTERRUPTED.value
    assert text and text == rec.text(msg_id)
    ((fid, card),) = rec.of("answer_failed")
    assert fid == msg_id and card.kind == "StreamInterrupted"


def test_regenerate_replaces_the_last_answer(qtbot, sim_server, make_session) -> None:
    session = make_session(sim_server.url)
    rec = Recorder(session)
    session.send("Hi", "", opts())
    wait_idle(qtbot, session, rec)
    first_answer = rec.of("answer_finished")[0][0]
    assert session.regenerate("", opts("openai/gpt-4o-mini"))
    wait_idle(qtbot, session, rec, n_finished=2)
    assert rec.of("messages_removed_from") == [(first_answer,)]
    assert [t.role for t in session.turns] == [Role.USER, Role.ASSISTANT]
    assert session.turns[-1].msg_id != first_answer


def test_edit_and_resend_continues_from_the_edited_message(qtbot, sim_server, make_session) -> None:
    session = make_session(sim_server.url)
    rec = Recorder(session)
    session.send("First question", "", opts())
    wait_idle(qtbot, session, rec)
    session.send("Second question", "", opts())
    wait_idle(qtbot, session, rec, n_finished=2)
    first_user = rec.of("user_message_added")[0][0]
    assert session.edit_and_resend(first_user, "Edited question", "", opts())
    wait_idle(qtbot, session, rec, n_finished=3)
    assert rec.of("messages_removed_from") == [(first_user,)]
    assert [t.text for t in session.turns if t.role is Role.USER] == ["Edited question"]
    assert len(session.turns) == 2


def test_invalid_options_are_refused_and_nothing_is_sent(qtbot, sim_server, make_session) -> None:
    session = make_session(sim_server.url)
    rec = Recorder(session)
    assert not session.send("Hi", "", opts(temperature=5))
    ((reason,),) = rec.of("send_refused")
    assert "temperature" in reason.lower()
    assert not rec.of("user_message_added") and not session.turns and not session.busy


def test_missing_key_shows_the_reenter_key_card(qtbot, sim_server, make_session) -> None:
    session = make_session(sim_server.url, key=None)
    rec = Recorder(session)
    session.send("Hi", "", opts())
    wait_idle(qtbot, session, rec)
    ((_id, card),) = rec.of("answer_failed")
    assert card.title == "No API key"
    assert [a.action_id for a in card.actions] == ["reenter_key"]


def test_new_chat_clears_turns(qtbot, sim_server, make_session) -> None:
    session = make_session(sim_server.url)
    rec = Recorder(session)
    session.send("Hi", "", opts())
    wait_idle(qtbot, session, rec)
    session.new_chat()
    assert session.turns == ()
    assert rec.of("conversation_cleared") == [()]
