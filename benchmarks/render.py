"""The transcript's markdown renderer alone, fed by a timer, while a 5 ms heartbeat watches.

    python benchmarks/render.py [--tokens 5000] [--rate 2000] [--runs 5]

A markdown answer of ``--tokens`` tokens (headings, paragraphs, lists, code fences, quotes,
tables; token lengths cycle 1..7 characters) is released into a ``TranscriptView`` at ``--rate``
tokens/s by wall clock: a 5 ms feeder timer hands over every token that is due, so a stalled loop
gets the overdue tokens in one burst, as a socket buffer would deliver them. A 5 ms precise timer
records every gap between its ticks. Each run is paired with a floor measured the same way in the
same process: the feeder and heartbeat with no view. Printed: the worst gap, the p99 gap, gaps
over 16 / 50 ms, flushes, CPU, and the total time (until the last token is on screen) against the
stream's own duration. PERF.md §9 budgets: p99 <= 16 ms, worst <= 50 ms at 500 tok/s.
(The end-to-end benchmark through the simulator and ChatSession is benchmarks/streaming.py.)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fixtures_qt import Heartbeat, document_structure, random_markdown
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication

from orq_desktop.core.chat_types import MessageState
from orq_desktop.ui.markdown_blocks import MARKDOWN_FEATURES
from orq_desktop.ui.message_widgets import AssistantMessage
from orq_desktop.ui.transcript import TranscriptView


def make_tokens(count: int, seed: int = 1) -> list[str]:
    """About ``count`` tokens of markdown, lengths cycling 1..7 characters (4 on average)."""
    rnd = random.Random(seed)
    text = ""
    while len(text) < count * 4:
        text += random_markdown(rnd) + "\n\n"
    text = text[: count * 4]
    tokens, pos, size = [], 0, 0
    while pos < len(text):
        size = size % 7 + 1
        tokens.append(text[pos : pos + size])
        pos += size
    return tokens


@dataclass
class Run:
    total_ms: float
    cpu_ms: float
    worst_ms: float
    p99_ms: float
    over_16: int
    over_50: int
    flushes: int
    structure_ok: bool


def one_run(tokens: list[str], rate: float, with_view: bool) -> Run:
    view = TranscriptView() if with_view else None
    message: AssistantMessage | None = None
    if view is not None:
        view.resize(900, 700)
        view.show()
        view.add_user_message("u1", "Write me a long markdown answer, please.")
        view.begin_assistant_message("a1", "sim/bench")
        widget = view.message_widget("a1")
        assert isinstance(widget, AssistantMessage)
        message = widget
    sink: list[str] = []
    sent = 0
    done = QEventLoop()
    heartbeat = Heartbeat()
    feeder = QTimer()
    feeder.setTimerType(Qt.TimerType.PreciseTimer)
    feeder.setInterval(5)
    started = time.perf_counter()

    def feed() -> None:
        nonlocal sent
        due = min(len(tokens), int((time.perf_counter() - started) * rate))
        for token in tokens[sent:due]:
            if view is not None:
                view.append_delta("a1", token)
            else:
                sink.append(token)
        sent = max(sent, due)
        if sent < len(tokens):
            return
        feeder.stop()
        if view is not None:
            view.finish_assistant_message("a1", "".join(tokens), MessageState.COMPLETE, None)
        wait_for_screen()

    def wait_for_screen() -> None:
        if message is not None and not message.stream.is_caught_up:
            QTimer.singleShot(1, wait_for_screen)
            return
        done.quit()

    feeder.timeout.connect(feed)
    cpu_start = time.process_time()
    heartbeat.start()
    feeder.start()
    done.exec()
    total_ms = (time.perf_counter() - started) * 1000
    QApplication.processEvents()  # the last paint belongs to this run
    heartbeat.stop()
    cpu_ms = (time.process_time() - cpu_start) * 1000
    structure_ok = True
    flushes = 0
    if message is not None:
        reference = QTextDocument()
        reference.setMarkdown("".join(tokens), MARKDOWN_FEATURES)
        document = message.view.document()
        structure_ok = document_structure(document) == document_structure(reference)
        flushes = message.stream.flush_count
    if view is not None:
        view.close()
        view.deleteLater()
    gaps = heartbeat.gaps_ms
    return Run(
        total_ms=total_ms,
        cpu_ms=cpu_ms,
        worst_ms=heartbeat.max_gap_ms,
        p99_ms=heartbeat.p99_gap_ms,
        over_16=sum(gap > 16 for gap in gaps),
        over_50=sum(gap > 50 for gap in gaps),
        flushes=flushes,
        structure_ok=structure_ok,
    )


def summary(name: str, runs: list[Run]) -> str:
    def med(field: str) -> float:
        return statistics.median(getattr(run, field) for run in runs)

    worst_run = max(run.worst_ms for run in runs)
    return (
        f"{name:<8} total {med('total_ms'):7.0f} ms  CPU {med('cpu_ms'):6.0f} ms  "
        f"worst gap {med('worst_ms'):5.1f} ms (worst run {worst_run:5.1f})  "
        f"p99 {med('p99_ms'):5.1f} ms  >16 ms {med('over_16'):4.0f}  >50 ms {med('over_50'):3.0f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=2000.0, help="tokens per second")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv)
    tokens = make_tokens(args.tokens)
    stream_ms = len(tokens) / args.rate * 1000
    chars = sum(map(len, tokens))
    platform = app.platformName()
    print(f"{len(tokens)} tokens, {chars:,} characters of markdown at {args.rate:.0f} tok/s")
    print(f"stream duration {stream_ms:.0f} ms; platform {platform}; {args.runs} runs each\n")

    floors: list[Run] = []
    views: list[Run] = []
    for _ in range(args.runs):  # alternate, so that machine noise hits both alike
        floors.append(one_run(tokens, args.rate, with_view=False))
        views.append(one_run(tokens, args.rate, with_view=True))
    print(summary("floor", floors))
    print(summary("render", views))
    total = statistics.median(run.total_ms for run in views)
    cpu = statistics.median(run.cpu_ms for run in views)
    floor_cpu = max(1.0, statistics.median(run.cpu_ms for run in floors))
    flushes = statistics.median(run.flushes for run in views)
    same = sum(run.structure_ok for run in views)
    print(
        f"\nrender: total / stream duration = {total / stream_ms:.3f}; "
        f"CPU / floor CPU = {cpu / floor_cpu:.1f}x ({cpu / total * 100:.0f} % of one core); "
        f"flushes {flushes:.0f}; structure = setMarkdown in {same}/{len(views)} runs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
