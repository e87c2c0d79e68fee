"""Streaming into the chat transcript, end to end, while a 5 ms heartbeat watches the UI thread.

    python benchmarks/streaming.py [--tokens 5000] [--rate 2000] [--runs 3]

The simulator (in its own thread) streams a markdown answer of ``--tokens`` tokens at ``--rate``
tokens/s; our ChatSession consumes it on the qasync loop and the TranscriptView renders it. A
5 ms precise timer on the UI thread records every gap between its ticks. Goals (issue): worst gap
<= 50 ms, p99 gap <= 20 ms, total time within 10 % of the stream's own duration. "live loop
timers" is the most Qt timers the loop had running at once for its callbacks (sampled every
20 ms; it was one per chunk read before cancelled timers were killed, see ``core/loop.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from heartbeat import Heartbeat, TimerPeak
from PySide6.QtWidgets import QApplication

from orq_desktop.core.chat_session import ChatSession
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.loop import EventLoop
from orq_desktop.core.warmup import warm_up
from orq_desktop.simulator import start_in_thread
from orq_desktop.ui.transcript import TranscriptView


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


async def one_run(url: str, tokens: int, rate: float) -> tuple[float, float, float, float, int]:
    conn = Connection(ConnectionConfig(base_url=url, api_key="bench-key"))
    session = ChatSession(conn.prepared)
    view = TranscriptView()
    view.resize(900, 700)
    view.show()
    session.user_message_added.connect(view.add_user_message)
    session.answer_started.connect(view.begin_assistant_message)
    session.delta.connect(view.append_delta)
    done = asyncio.Event()

    def finished(msg_id: str, text: str, state: str, info: object) -> None:
        view.finish_assistant_message(msg_id, text, state, info)
        done.set()

    session.answer_finished.connect(finished)
    session.answer_failed.connect(lambda *_: done.set())
    beat = Heartbeat()
    loop = asyncio.get_running_loop()
    assert isinstance(loop, EventLoop)
    sampler = TimerPeak(loop)
    await asyncio.sleep(0.2)
    sampler.start()
    beat.start()
    start = time.perf_counter()
    session.send(
        "Write a long markdown answer with headings, lists and code.",
        "",
        {"model": "openai/gpt-4o", "stream": True, "max_completion_tokens": tokens},
    )
    await done.wait()
    await asyncio.sleep(0.05)  # the final render and a few more heartbeats
    total = time.perf_counter() - start
    beat.stop()
    sampler.stop()
    await conn.aclose()
    view.close()
    view.deleteLater()
    gaps = beat.gaps[1:]
    worst_at = sum(gaps[: gaps.index(max(gaps))])
    print(f"  run: worst gap {max(gaps):.1f} ms at {worst_at:.0f} ms after Send")
    return max(gaps), p99(gaps), total, tokens / rate, sampler.peak


async def amain(args: argparse.Namespace) -> None:
    await warm_up()  # as the app does right after its first paint
    with start_in_thread(token_rate=args.rate) as sim:
        results = [await one_run(sim.url, args.tokens, args.rate) for _ in range(args.runs)]
    worst = statistics.median(r[0] for r in results)
    p = statistics.median(r[1] for r in results)
    total = statistics.median(r[2] for r in results)
    stream = results[0][3]
    print(
        f"platform={os.environ['QT_QPA_PLATFORM']} tokens={args.tokens} rate={args.rate:g}/s "
        f"runs={args.runs} (medians)"
    )
    print(
        f"worst heartbeat gap  {worst:7.1f} ms  (goal <= 50; per run: "
        + ", ".join(f"{r[0]:.1f}" for r in results)
        + ")"
    )
    print(f"p99 heartbeat gap    {p:7.1f} ms  (goal <= 20)")
    print(
        f"total / stream       {total:6.2f} s / {stream:.2f} s = {total / stream:.3f}"
        "  (goal <= 1.10)"
    )
    timers = statistics.median(r[4] for r in results)
    print(f"live loop timers     {timers:6.0f} at most at once")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    asyncio.run(amain(args), loop_factory=lambda: EventLoop(app))


if __name__ == "__main__":
    main()
