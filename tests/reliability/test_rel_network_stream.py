"""Network faults during an answer (N1-N5, N18-N21), through the real chat form and session.

A 5 ms heartbeat runs through every test: the UI never stalls for 250 ms. Timings are shrunk
through the client's constructor (read timeout 1 s, deadline 2 s).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from rel_checks import saved_messages
from rel_server import Reply, chunk, finish

from orq_desktop.core.chat_types import MessageState

pytestmark = pytest.mark.gui

TEN = [f"part{i} " for i in range(10)]


def action_labels(env: Any) -> list[str]:
    return [a.label for a in env.of("answer_failed")[-1][1].actions]


@pytest.fixture
def make_chat(heartbeat_chat: Any) -> Any:
    return heartbeat_chat


@pytest.mark.scenario("N1")
def test_drop_after_10_chunks_keeps_the_text_marked_interrupted(
    router: Any, make_chat: Any
) -> None:
    router.script(Reply.sse(TEN, end="abort", delay=0.01))
    env = make_chat(router.url, history=True)
    msg_id = env.ask("tell me ten things")
    assert env.transcript.message_text(msg_id) == "".join(TEN)
    assert env.state_of(msg_id) is MessageState.INTERRUPTED
    assert len(router.seen) == 1  # no automatic retry
    assert "Regenerate" in action_labels(env)
    assert env.panel.regenerate_action.isEnabled()
    assert env.send_enabled()
    assert saved_messages(env.db)[-1] == ("assistant", "interrupted", "".join(TEN))


@pytest.mark.scenario("N2")
@pytest.mark.parametrize("form", ["data", "event"])
def test_error_event_after_200_keeps_the_partial_and_shows_the_message(
    router: Any, make_chat: Any, form: str
) -> None:
    error = b'{"error": {"message": "<b>provider overloaded</b>", "type": "server_error"}}'
    head = b"data: " if form == "data" else b"event: error\ndata: "
    frame = head + error + b"\n\n"
    router.script(Reply(pieces=[(chunk("half an "), 0), (chunk("answer"), 0), (frame, 0)]))
    env = make_chat(router.url, history=True)
    msg_id = env.ask("go")
    assert env.transcript.message_text(msg_id) == "half an answer"
    assert env.state_of(msg_id) is MessageState.INTERRUPTED  # ours: interrupted, card says why
    card = env.of("answer_failed")[-1][1]
    assert "provider overloaded" in card.message
    shown = [lb for lb in env.transcript.findChildren(QLabel) if "provider overloaded" in lb.text()]
    assert shown and all(lb.textFormat() is Qt.TextFormat.PlainText for lb in shown)
    assert len(router.seen) == 1
    assert saved_messages(env.db)[-1][1:] == ("interrupted", "half an answer")
    assert env.send_enabled()


@pytest.mark.scenario("N3")
def test_stall_after_three_chunks_hits_the_read_timeout(router: Any, make_chat: Any) -> None:
    router.script(Reply.sse(["one ", "two ", "three"], end="hang"))
    env = make_chat(router.url, read_timeout=1.0, deadline=10.0, history=True)
    started = time.monotonic()
    msg_id = env.ask("stall please")
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 1.5 + 0.5, elapsed
    assert env.transcript.message_text(msg_id) == "one two three"
    assert env.state_of(msg_id) is MessageState.INTERRUPTED
    card = env.of("answer_failed")[-1][1]
    assert "1 s" in card.message or "1 s" in card.advice, card
    assert len(router.seen) == 1
    assert env.send_enabled()
    assert saved_messages(env.db)[-1][1:] == ("interrupted", "one two three")


@pytest.mark.scenario("N4")
def test_slow_drip_is_stopped_by_the_whole_request_deadline(router: Any, make_chat: Any) -> None:
    frame = chunk("drip")
    drip = [(frame, 0.0)] + [(frame[i : i + 1], 0.3) for i in range(len(frame))]
    router.script(Reply(pieces=drip, end="hang"))
    env = make_chat(router.url, read_timeout=1.0, deadline=2.0)
    started = time.monotonic()
    msg_id = env.ask("drip")
    elapsed = time.monotonic() - started
    assert 1.9 <= elapsed < 3.0, elapsed
    assert env.transcript.message_text(msg_id) == "drip"
    assert env.state_of(msg_id) is MessageState.INTERRUPTED
    assert len(router.seen) == 1
    assert env.send_enabled()


@pytest.mark.scenario("N5", "N21")
def test_a_long_wait_for_the_first_byte_is_not_cut_short(router: Any, make_chat: Any) -> None:
    """The router retrying behind the scenes: headers after 3 s (35 s shrunk), read timeout 5 s."""
    router.script(Reply(head_delay=3.0, pieces=[(chunk("finally"), 0.0), (finish(), 0.0)]))
    env = make_chat(router.url, read_timeout=5.0, deadline=30.0)
    started = time.monotonic()
    msg_id = env.ask("wait for it")
    assert time.monotonic() - started >= 3.0
    assert env.state_of(msg_id) is MessageState.COMPLETE
    assert env.transcript.message_text(msg_id) == "finally"
    assert len(router.seen) == 1  # no re-send while the router works


@pytest.mark.scenario("N5")
def test_stop_works_while_waiting_for_the_first_byte(
    qtbot: Any, router: Any, make_chat: Any
) -> None:
    router.script(Reply(head_delay=20.0))
    env = make_chat(router.url, read_timeout=30.0, deadline=60.0)
    env.type_and_send("slow start")
    qtbot.waitUntil(lambda: len(router.seen) == 1, timeout=5000)
    qtbot.wait(300)
    stopped = time.monotonic()
    env.panel.stop_action.trigger()
    env.wait_ended(1, timeout=3000)
    qtbot.waitUntil(lambda: router.seen[0].disconnected_at is not None, timeout=2000)
    assert router.seen[0].disconnected_at - stopped < 0.5
    assert env.send_enabled()


@pytest.mark.scenario("N18")
def test_stop_after_chunk_5_disconnects_and_appends_nothing_more(
    qtbot: Any, router: Any, make_chat: Any
) -> None:
    words = [f"w{i} " for i in range(40)]
    router.script(Reply(pieces=[(chunk(w), 0.05) for w in words], end="done"))
    env = make_chat(router.url, history=True)
    env.type_and_send("count slowly")
    msg_id = None
    qtbot.waitUntil(lambda: len(env.of("delta")) >= 5, timeout=5000)
    stopped = time.monotonic()
    env.panel.stop_action.trigger()
    env.wait_ended(1, timeout=3000)
    msg_id = env.of("answer_started")[-1][0]
    text = env.transcript.message_text(msg_id)
    qtbot.waitUntil(lambda: router.seen[0].disconnected_at is not None, timeout=2000)
    assert router.seen[0].disconnected_at - stopped < 0.5
    qtbot.wait(300)  # nothing arrives after Stop
    assert env.transcript.message_text(msg_id) == text
    assert 5 <= len(text.split()) < 40
    assert env.state_of(msg_id) is MessageState.STOPPED
    assert saved_messages(env.db)[-1] == ("assistant", "stopped", text)


@pytest.mark.scenario("N19")
def test_closing_mid_stream_flushes_the_partial(qtbot: Any, router: Any, make_chat: Any) -> None:
    """The app's shutdown path (session, then history closed) with an answer arriving."""
    from rel_app import run

    router.script(Reply(pieces=[(chunk(f"c{i} "), 0.05) for i in range(60)], end="done"))
    env = make_chat(router.url, history=True)
    env.type_and_send("a long one")
    qtbot.waitUntil(lambda: len(env.of("delta")) >= 5, timeout=5000)
    env.panel.window().close()
    run(qtbot, env.session.aclose())
    run(qtbot, env.history.aclose())
    ((_role, state, text),) = [m for m in saved_messages(env.db) if m[0] == "assistant"]
    assert state in ("stopped", "interrupted")
    assert text.startswith("c0 c1 c2 c3 c4 ")
    qtbot.waitUntil(lambda: router.seen[0].disconnected_at is not None, timeout=2000)


@pytest.mark.scenario("N20")
def test_double_click_on_send_sends_once(qtbot: Any, router: Any, make_chat: Any) -> None:
    router.script(Reply.sse(["only ", "once"], delay=0.05))
    env = make_chat(router.url)
    env.panel.params.model_picker.set_model_id("openai/gpt-4o")
    env.panel.prompt_input.setPlainText("hello")
    env.panel.composer.send_button.click()
    env.panel.composer.send_button.click()  # within the same millisecond
    env.wait_ended(1)
    qtbot.wait(200)
    assert len(router.seen) == 1
    assert len(env.of("user_message_added")) == 1


@pytest.mark.scenario("N21")
def test_router_retries_and_fallback_stay_behind_one_client_request(
    qtbot: Any, sim_server_factory: Any, make_chat: Any
) -> None:
    sim = sim_server_factory(backoff_scale=0.05)
    env = make_chat(sim.url, read_timeout=10.0, deadline=30.0)
    env.panel.params.model_picker.set_model_id("sim/status-503")
    env.routing.add_fallback("openai/gpt-4o")
    env.routing.retry_on_code(503)
    msg_id = env.ask("route me", model="sim/status-503")
    assert env.state_of(msg_id) is MessageState.COMPLETE
    chats = [r for r in sim.recorded_requests() if "chat/completions" in str(r)]
    assert len(chats) == 1
    trace = sim.trace(env.session.turns[-1].info.trace_id)
    assert len(trace["attempts"]) >= 3
