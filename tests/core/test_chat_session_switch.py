"""Leaving a conversation while its answer is still on the way (New chat, opening another
thread): the old answer is saved in the old thread, and nothing of it reaches the new
conversation, on screen or in the next request. Real simulator, real history file."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from history_session_support import Env, env_factory, messages, rows, run

from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState, Role
from orq_desktop.core.history_hooks import ChatRecorder, SendPlan

pytestmark = pytest.mark.gui


@pytest.fixture
def make_env(qtbot, aloop, tmp_path):
    yield from env_factory(qtbot, tmp_path)


class GatedRecorder:
    """The real history recorder, but ``before_send`` answers only once ``gate`` is set: the
    turn is written, and the session is still waiting for the save when the user moves on."""

    def __init__(self, inner: ChatRecorder) -> None:
        self.inner = inner
        self.gate = asyncio.Event()
        self.saved = asyncio.Event()

    async def before_send(self, plan: SendPlan) -> str | None:
        thread = await self.inner.before_send(plan)
        self.saved.set()
        await self.gate.wait()
        return thread

    async def flush(self, msg_id: str, text: str) -> None:
        await self.inner.flush(msg_id, text)

    async def answer_finished(
        self,
        plan: SendPlan,
        text: str,
        state: MessageState,
        info: AnswerInfo,
        error: ErrorInfo | None,
    ) -> None:
        await self.inner.answer_finished(plan, text, state, info, error)


def sent_messages(sim: Any) -> list[dict[str, Any]]:
    """The messages of the last request the simulator received."""
    body = sim.recorded_requests()[-1]["body"]
    assert isinstance(body, dict)
    messages_sent: list[dict[str, Any]] = body["messages"]
    return messages_sent


def events_after_clear(env: Env) -> list[str]:
    """The chat session's signals since the last ``conversation_cleared``."""
    names = [n for n, _a in env.events if not n.startswith("h.")]
    last_clear = len(names) - 1 - names[::-1].index("conversation_cleared")
    return names[last_clear + 1 :]


def stream_until_deltas(qtbot: Any, env: Env, prompt: str, count: int = 3) -> None:
    """Send ``prompt`` and wait until ``count`` pieces of its answer have arrived."""
    before = len(env.of("delta"))
    assert env.chat.send(prompt, "", env.options(max_completion_tokens=400))
    qtbot.waitUntil(lambda: len(env.of("delta")) >= before + count, timeout=10_000)


def test_new_chat_mid_stream_keeps_the_stopped_answer_in_the_old_thread(
    qtbot, sim_server_factory, make_env
) -> None:
    sim = sim_server_factory(token_rate=40)
    env = make_env(sim.url)
    env.send("first prompt")
    old_thread = env.chat.thread_id
    assert old_thread is not None
    stream_until_deltas(qtbot, env, "second prompt, a long story")
    stopped_id = env.of("answer_started")[-1][0]

    env.chat.new_chat()
    assert env.chat.turns == () and env.chat.thread_id is None
    qtbot.waitUntil(lambda: not env.chat.busy, timeout=10_000)
    # The stop lands after New chat: nothing of it is added to or shown in the new chat.
    assert env.chat.turns == () and env.chat.thread_id is None
    assert events_after_clear(env) == ["thread_changed"]
    assert all(a[0] != stopped_id for a in env.of("answer_finished"))
    # ... and the old thread has it, stopped, with the text that had arrived.
    old = messages(env.path, old_thread)
    assert [r for r, _s, _t in old] == ["user", "assistant", "user", "assistant"]
    assert old[2] == ("user", "complete", "second prompt, a long story")
    assert old[3][1] == "stopped" and old[3][2]
    qtbot.waitUntil(lambda: env.history.save_kind == "saved", timeout=5_000)

    env.send("third prompt in a fresh chat")
    assert sent_messages(sim) == [{"role": "user", "content": "third prompt in a fresh chat"}]
    assert [t.role for t in env.chat.turns] == [Role.USER, Role.ASSISTANT]
    new_thread = env.chat.thread_id
    assert new_thread is not None and new_thread != old_thread
    assert [(r, s) for r, s, _t in messages(env.path, new_thread)] == [
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    assert messages(env.path, old_thread) == old


def test_new_chat_while_the_turn_is_being_saved_stays_empty(
    qtbot, sim_server_factory, make_env
) -> None:
    sim = sim_server_factory()
    env = make_env(sim.url)
    gated = GatedRecorder(env.history.recorder)
    env.chat.set_recorder(gated)
    assert env.chat.send("old conversation prompt", "", env.options())
    qtbot.waitUntil(gated.saved.is_set, timeout=5_000)
    (old_thread,) = [t for (t,) in rows(env.path, "SELECT id FROM threads")]

    env.chat.new_chat()
    fresh_id = env.routing.orq()["thread"]["id"]
    assert fresh_id != old_thread
    gated.gate.set()
    qtbot.waitUntil(lambda: not env.chat.busy, timeout=5_000)

    # The save returned after New chat: the new chat stays empty and on no thread.
    assert env.chat.turns == () and env.chat.thread_id is None
    assert events_after_clear(env) == []  # no user turn, no answer, no thread brought back
    assert env.routing.orq()["thread"]["id"] == fresh_id
    assert env.history.current_thread_id is None
    # The request never left, and the old thread closes its answer as stopped.
    assert sim.recorded_requests() == []
    qtbot.waitUntil(lambda: env.history.save_kind == "saved", timeout=5_000)
    assert messages(env.path, old_thread) == [
        ("user", "complete", "old conversation prompt"),
        ("assistant", "stopped", ""),
    ]
    assert env.of("send_refused") == []

    env.send("new conversation prompt")
    assert sent_messages(sim) == [{"role": "user", "content": "new conversation prompt"}]
    assert env.chat.thread_id == fresh_id
    assert [(r, s) for r, s, _t in messages(env.path, fresh_id)] == [
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    assert len(messages(env.path, old_thread)) == 2


def test_opening_another_thread_mid_answer_is_refused_then_continues_it_alone(
    qtbot, sim_server_factory, make_env
) -> None:
    sim = sim_server_factory(token_rate=40)
    env = make_env(sim.url)
    env.send("question in thread A")
    thread_a = env.chat.thread_id
    assert thread_a is not None
    (answer_a,) = [t.text for t in env.chat.turns if t.role is Role.ASSISTANT]
    env.chat.new_chat()
    stream_until_deltas(qtbot, env, "question in thread B")
    thread_b = env.chat.thread_id
    assert thread_b is not None and thread_b != thread_a

    # Opening A while B's answer arrives is refused; B goes on untouched.
    assert run(qtbot, env.history.open_thread(thread_a)) is None
    assert env.of("h.problem")[-1] == ("An answer is still arriving: stop it first.",)
    assert env.chat.thread_id == thread_b and env.chat.busy
    assert [t.text for t in env.chat.turns] == ["question in thread B"]

    env.chat.stop()
    qtbot.waitUntil(lambda: not env.chat.busy, timeout=10_000)
    assert run(qtbot, env.history.open_thread(thread_a)) is not None
    assert env.chat.thread_id == thread_a
    env.send("follow-up in A")
    assert sent_messages(sim) == [
        {"role": "user", "content": "question in thread A"},
        {"role": "assistant", "content": answer_a},
        {"role": "user", "content": "follow-up in A"},
    ]
    assert [r for r, _s, _t in messages(env.path, thread_a)] == ["user", "assistant"] * 2
    b = messages(env.path, thread_b)
    assert [(r, s) for r, s, _t in b] == [("user", "complete"), ("assistant", "stopped")]
    assert b[1][2]  # the text that had arrived
