"""Oversize and malformed answers (B8, B9) and a 300 KB stream in 200 chunks (U1)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rel_server import Reply, chunk, finish

from orq_desktop.core.chat_types import MessageState

pytestmark = pytest.mark.gui


@pytest.fixture
def make_chat(heartbeat_chat: Any) -> Any:
    return heartbeat_chat


@pytest.mark.scenario("B8")
def test_a_stream_over_the_cap_stops_with_too_large(router: Any, make_chat: Any) -> None:
    piece = ("word " * 15 + "\n") * 800  # 64 KB
    router.script(Reply.sse([piece] * 40))  # 2.5 MB against a 1 MB cap
    env = make_chat(router.url, max_stream_bytes=1024 * 1024)
    msg_id = env.ask("a lot")
    card = env.of("answer_failed")[-1][1]
    assert "too large" in card.title.lower()
    text = env.transcript.message_text(msg_id)
    assert 0 < len(text) <= 1024 * 1024
    assert env.state_of(msg_id) is MessageState.INTERRUPTED
    assert len(router.seen) == 1 and env.send_enabled()


@pytest.mark.scenario("B9")
def test_malformed_sse_frames_are_skipped_and_the_text_is_exact(
    router: Any, make_chat: Any
) -> None:
    cat = "猫".encode()
    split = chunk("猫").replace(b"\\u732b", cat)  # raw UTF-8 on the wire
    at = split.index(cat) + 1  # split inside the multibyte character
    pieces = [
        (b": keep-alive\n\n", 0.0),
        (chunk("one "), 0.0),
        (chunk("two ").replace(b"\n\n", b"\r\n\r\n"), 0.0),
        (chunk("three ").replace(b"data: ", b"data:"), 0.0),
        (b'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m",'
         b'"choices":[],"unknown":1}\n\n', 0.0),
        (split[:at], 0.0),
        (split[at:], 0.05),
        (finish(), 0.0),
    ]  # fmt: skip
    router.script(Reply(pieces=pieces))
    env = make_chat(router.url)
    msg_id = env.ask("odd frames")
    assert env.transcript.message_text(msg_id) == "one two three 猫"
    assert env.state_of(msg_id) is MessageState.COMPLETE


@pytest.mark.scenario("B9")
def test_a_frame_that_is_not_json_ends_the_answer_keeping_the_text(
    router: Any, make_chat: Any
) -> None:
    """Ours: an unreadable frame stops the answer (marked interrupted, text kept) rather than
    being skipped silently; the card offers Regenerate."""
    router.script(Reply(pieces=[(chunk("kept "), 0.0), (b"data: {bad\n\n", 0.0), (finish(), 0)]))
    env = make_chat(router.url)
    msg_id = env.ask("bad frame")
    assert env.transcript.message_text(msg_id) == "kept "
    assert env.state_of(msg_id) is MessageState.INTERRUPTED
    assert "Regenerate" in [a.label for a in env.of("answer_failed")[-1][1].actions]
    assert env.send_enabled()


@pytest.mark.scenario("U1")
def test_a_300_kb_reply_in_200_chunks_streams_smoothly(
    router: Any, make_chat: Any, heartbeat: Any
) -> None:
    pieces = [f"{i:04d} " + "word " * 299 + "\n\n" for i in range(200)]  # about 300 KB
    router.script(Reply(pieces=[(chunk(p), 0.005) for p in pieces] + [(finish(), 0.0)]))
    env = make_chat(router.url)
    started = time.monotonic()
    msg_id = env.ask("long", timeout=30_000)
    env.qtbot.waitUntil(lambda: env.answer(msg_id).stream.is_caught_up, timeout=20_000)
    assert env.session.turns[-1].text == "".join(pieces)
    assert time.monotonic() - started < 15
    heartbeat.stop()
    assert heartbeat.max_gap_ms < 250  # the plan's 100 ms is reported in the docs figures
