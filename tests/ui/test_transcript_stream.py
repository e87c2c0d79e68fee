"""Streaming answers into the transcript: coalescing, incremental markdown, the plain-text cap."""

from __future__ import annotations

import random

import pytest
from fixtures_qt import Heartbeat, document_structure, random_markdown
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextDocument

from orq_desktop.core.chat_types import MessageState
from orq_desktop.ui.markdown_blocks import MARKDOWN_FEATURES, BlockScanner, MarkdownAppender
from orq_desktop.ui.markdown_stream import MarkdownStream
from orq_desktop.ui.message_widgets import AssistantMessage
from orq_desktop.ui.transcript import TranscriptView

pytestmark = pytest.mark.gui


def reference(text: str) -> QTextDocument:
    document = QTextDocument()
    document.setMarkdown(text, MARKDOWN_FEATURES)
    return document


@pytest.fixture
def view(qtbot) -> TranscriptView:
    transcript = TranscriptView()
    qtbot.addWidget(transcript)
    transcript.resize(800, 600)
    transcript.show()
    return transcript


def answer(view: TranscriptView, msg_id: str = "a1") -> AssistantMessage:
    view.begin_assistant_message(msg_id, "openai/gpt-4o")
    message = view.message_widget(msg_id)
    assert isinstance(message, AssistantMessage)
    return message


def test_a_burst_of_5000_deltas_costs_one_flush_and_the_text_is_exact(qtbot, view) -> None:
    message = answer(view)
    deltas = [f"w{i} " + ("\n\n" if i % 50 == 49 else "") for i in range(5000)]
    for delta in deltas:
        view.append_delta("a1", delta)
    # Between flushes nothing is rendered.
    assert message.stream.flush_count == 0
    assert message.view.document().isEmpty()
    qtbot.waitUntil(lambda: message.stream.flush_count >= 1, timeout=2000)
    qtbot.wait(2 * MarkdownStream.FLUSH_MS)
    assert message.stream.flush_count <= 2
    full = "".join(deltas)
    assert view.message_text("a1") == full
    assert message.view.toPlainText() == reference(full).toPlainText()


def test_deltas_arriving_over_time_are_coalesced(qtbot, view) -> None:
    message = answer(view)
    sent: list[str] = []

    def send_some() -> None:
        for _ in range(10):
            sent.append(f"token{len(sent)} ")
            view.append_delta("a1", sent[-1])
        if len(sent) >= 2000:
            timer.stop()

    timer = QTimer()
    timer.setInterval(1)
    timer.timeout.connect(send_some)
    timer.start()
    qtbot.waitUntil(lambda: not timer.isActive(), timeout=10_000)
    qtbot.waitUntil(lambda: message.view.toPlainText().endswith("token1999"), timeout=2000)
    # 200 timer ticks of 10 deltas each, rendered at most ~30 times a second.
    assert message.stream.flush_count < 200
    assert view.message_text("a1") == "".join(sent)


def stream_with_random_flushes(
    stream: MarkdownStream, text: str, rnd: random.Random, max_chunk: int = 40
) -> None:
    """Feed ``text`` in random chunks and flush at random moments (the timer firing)."""
    pos = 0
    while pos < len(text):
        size = rnd.randint(1, max_chunk)
        stream.append(text[pos : pos + size])
        pos += size
        if rnd.random() < 0.35:
            stream.flush()


@pytest.mark.parametrize("seed", range(12))
def test_a_streamed_answer_has_the_structure_of_one_set_markdown(seed: int, view) -> None:
    rnd = random.Random(seed)
    text = random_markdown(rnd)
    message = answer(view)
    stream_with_random_flushes(message.stream, text, rnd)
    view.finish_assistant_message("a1", text, MessageState.COMPLETE, None)
    assert document_structure(message.view.document()) == document_structure(reference(text))
    assert message.view.document().toMarkdown() == reference(text).toMarkdown()


def test_appending_after_each_kind_of_block_keeps_both_formats(qtbot) -> None:
    # Plain insertMarkdown breaks exactly these: a heading swallowing the next paragraph,
    # a list item losing its bullet, a list at the start of a chunk gaining an empty item.
    chunks = [
        "# Title\n\n",
        "- one\n- two\n\n",
        "## Second\n\n",
        "1. first\n2. second\n\n",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
        "```python\nx = 1\n\ny = 2\n```\n\n",
        "> quoted\n\n",
        "---\n\n",
        "Last **words**.",
    ]
    document = QTextDocument()
    appender = MarkdownAppender(document)
    for chunk in chunks:
        appender.commit(chunk)
    assert document_structure(document) == document_structure(reference("".join(chunks)))


def test_finished_blocks_are_rendered_once_and_only_the_tail_again(monkeypatch, view) -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 40 for i in range(60)]
    text = "\n\n".join(paragraphs)
    committed: list[str] = []
    tails: list[str] = []
    real_commit, real_tail = MarkdownAppender.commit, MarkdownAppender.set_tail

    def commit(self: MarkdownAppender, markdown: str) -> None:
        committed.append(markdown)
        real_commit(self, markdown)

    def set_tail(self: MarkdownAppender, markdown: str) -> None:
        tails.append(markdown)
        real_tail(self, markdown)

    monkeypatch.setattr(MarkdownAppender, "commit", commit)
    monkeypatch.setattr(MarkdownAppender, "set_tail", set_tail)
    message = answer(view)
    stream_with_random_flushes(message.stream, text, random.Random(7), max_chunk=12)
    message.stream.flush()
    # Each finished block is committed exactly once ...
    assert "".join(committed) + tails[-1] == text
    # ... and a re-render never covers more than the open block (plus the line that closed it).
    longest = max(len(p) for p in paragraphs)
    assert max(len(tail) for tail in tails) <= longest + 2
    assert len(tails) > 100  # many flushes happened, and none of them re-rendered the message
    assert message.view.toPlainText() == reference(text).toPlainText()


def test_the_scanner_never_cuts_inside_a_fence_a_list_or_an_indented_block() -> None:
    text = (
        "Intro\n\n"
        "```\ncode\n\nmore code\n```\n\n"  # a blank line inside a fence is no cut
        "- item\n\n- loose item\n\n"  # an item after a blank line may continue the list
        "    indented\n\n"  # indented: code, or the continuation of a list item
        "After\n"
    )
    scanner = BlockScanner()
    cuts = []
    for end in range(len(text) + 1):  # the text grows one character at a time
        cut = scanner.scan(text[:end])
        if cut != (cuts[-1] if cuts else None):
            cuts.append(cut)
    assert cuts == [0, text.index("```"), text.index("After")]


def test_the_scanner_waits_until_a_line_cannot_become_a_list_item() -> None:
    scanner = BlockScanner()
    assert scanner.scan("Intro\n\n1") == 0  # "1" may become "1. item"
    assert scanner.scan("Intro\n\n1.") == 0
    assert scanner.scan("Intro\n\n1.5 is a number") == len("Intro\n\n")


def test_a_whole_message_from_history_renders_in_one_go(view) -> None:
    text = random_markdown(random.Random(99))
    message = answer(view)
    view.finish_assistant_message("a1", text, MessageState.COMPLETE, None)
    assert message.stream.flush_count == 1
    assert document_structure(message.view.document()) == document_structure(reference(text))


def test_beyond_the_cap_the_rest_is_appended_as_plain_text(monkeypatch, qtbot, view) -> None:
    monkeypatch.setattr(MarkdownStream, "PLAIN_TEXT_CAP", 3_000)
    paragraph = "## Heading\n\nSome **bold** words and `code`.\n\n"
    text = paragraph * 200  # 9,000 characters
    message = answer(view)
    for i in range(0, len(text), 50):
        view.append_delta("a1", text[i : i + 50])
        if i % 1000 == 0:
            message.stream.flush()
    view.finish_assistant_message("a1", text, MessageState.COMPLETE, None)
    assert message.stream.is_plain
    assert not message.plain_notice.isHidden()
    assert view.message_text("a1") == text
    rendered = message.view.toPlainText()
    # The start is formatted markdown, the rest is the raw source.
    assert rendered.startswith("Heading\nSome bold words and code.\n")
    assert rendered.endswith("## Heading\n\nSome **bold** words and `code`.\n\n")
    assert document_structure(message.view.document())[0][0] == 2  # a real heading block


def test_a_message_over_200_kb_switches_to_plain_text(qtbot, view) -> None:
    text = ("A line of *markdown* text that goes on for a while.\n\n" * 5000)[:250_000]
    message = answer(view)
    view.append_delta("a1", text)
    view.finish_assistant_message("a1", text, MessageState.COMPLETE, None)
    assert message.stream.is_plain
    qtbot.waitUntil(lambda: message.stream.is_caught_up, timeout=5000)
    assert message.view.toPlainText() == text
    assert view.message_text("a1") == text


def test_a_burst_larger_than_one_flush_catches_up_over_several(qtbot, view) -> None:
    rnd = random.Random(5)
    text = "\n\n".join(random_markdown(rnd) for _ in range(40))
    assert len(text) > 3 * MarkdownStream.MARKDOWN_BUDGET
    message = answer(view)
    view.append_delta("a1", text)
    message.stream.flush()
    assert not message.stream.is_caught_up  # one flush did at most its budget ...
    assert message.view.document().characterCount() < len(text) / 2
    qtbot.waitUntil(lambda: message.stream.is_caught_up, timeout=5000)  # ... the timer did the rest
    assert message.stream.flush_count >= 3
    assert document_structure(message.view.document()) == document_structure(reference(text))


@pytest.mark.slow
def test_a_2_mb_answer_in_2000_deltas_keeps_the_ui_responsive(qtbot, view, heartbeat) -> None:
    line = "Some text with **bold** and `code`, long enough to wrap once or twice.\n"
    text = (line * (2_000_000 // len(line) + 1))[:2_000_000]
    deltas = [text[i : i + 1000] for i in range(0, len(text), 1000)]
    assert len(deltas) == 2000
    message = answer(view)
    sent = 0

    def send_some() -> None:
        nonlocal sent
        for delta in deltas[sent : sent + 20]:
            view.append_delta("a1", delta)
        sent += 20
        if sent >= len(deltas):
            feeder.stop()

    feeder = QTimer()
    feeder.setInterval(10)
    feeder.timeout.connect(send_some)
    heartbeat.start()
    feeder.start()
    qtbot.waitUntil(lambda: sent >= len(deltas), timeout=30_000)
    view.finish_assistant_message("a1", text, MessageState.COMPLETE, None)
    qtbot.waitUntil(lambda: message.stream.is_caught_up, timeout=20_000)
    heartbeat.stop()
    assert view.message_text("a1") == text  # the whole answer is kept (Copy, history)
    assert message.stream.is_plain
    shown = message.view.toPlainText()
    # The view stops growing at the display cap and says so; laying out megabytes stalls the UI.
    cap = message.stream.DISPLAY_CAP
    assert shown.startswith(text[:1000])
    assert len(shown) < cap + 1000
    assert "too long to show in full" in shown
    assert isinstance(heartbeat, Heartbeat)
    assert heartbeat.max_gap_ms < 500, f"worst UI stall {heartbeat.max_gap_ms:.0f} ms"
