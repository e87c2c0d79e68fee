"""Six compare columns streaming at once, while a 5 ms heartbeat watches the UI thread.

    python benchmarks/compare.py [--columns 6] [--tokens 2000] [--rate 1000] [--runs 3]
                                 [--sim thread|process] [--freeze-gc] [--profile FILE]

The simulator streams ``--tokens`` tokens at ``--rate`` tokens/s to each column; a real
CompareRun consumes the streams on the qasync loop and a real CompareView (1800 x 1000,
offscreen unless QT_QPA_PLATFORM says otherwise) renders them side by side, chart included. A 5 ms
precise timer on the UI thread records every gap between its ticks. Goal (issue): worst gap
<= 50 ms; the p99 gap, the total time against the stream's own duration and the CPU time of the
process are printed beside it.

``--sim thread`` (the default) runs the simulator with ``start_in_thread`` in this process: its
Python work (6,000 chunks a second at the defaults) then competes with the UI thread for the
GIL, which a real router on the network never does. ``--sim process`` runs it as
``python -m orq_desktop.simulator`` in a process of its own, to measure the app alone.

``--freeze-gc`` tries a fix that belongs outside the compare code, to show what it is worth:
``gc.freeze()`` after start-up, as the app could do after its warm-up; a full collection of the
start-up heap otherwise stalls the UI thread for 55-85 ms (measured).

"live loop timers" is the most Qt timers the loop had running at once for its callbacks (sampled
every 20 ms). It used to be about 10,000 a run: qasync 0.28 leaves a cancelled ``call_later``'s
timer running until it fires, and the client read each chunk under an ``asyncio.timeout_at`` (the
600 s deadline). Now ``core/loop.py`` kills a cancelled handle's timer and the stream arms one
deadline timer per answer.

``--profile FILE`` writes a cProfile of the last run (for finding where the time goes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from heartbeat import Heartbeat, TimerPeak
from PySide6.QtWidgets import QApplication

from orq_desktop.core.compare_run import CompareRun
from orq_desktop.core.compare_types import ColumnConfig
from orq_desktop.core.connection import Connection, ConnectionConfig
from orq_desktop.core.loop import EventLoop
from orq_desktop.core.warmup import warm_up
from orq_desktop.simulator import start_in_thread
from orq_desktop.ui.compare_view import CompareView

MODELS = (
    "openai/gpt-4o",
    "openai/gpt-4o-mini",
    "anthropic/claude-3-5-sonnet",
    "anthropic/claude-3-5-haiku",
    "google/gemini-2.5-pro",
    "mistral/mistral-large-latest",
)


@dataclass
class Result:
    worst_ms: float
    p99_ms: float
    total_s: float
    cpu_s: float
    tokens: int
    ticks: int
    timers: int


def p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.99) - 1)]


async def one_run(
    conn: Connection, args: argparse.Namespace, profile: cProfile.Profile | None
) -> Result:
    run = CompareRun(conn.prepared)
    view = CompareView(run)
    view.resize(1800, 1000)
    view.show()
    options = {"stream": True, "max_completion_tokens": args.tokens}
    view.set_columns(
        [ColumnConfig({"model": MODELS[i % len(MODELS)], **options}) for i in range(args.columns)]
    )
    view.form.prompt_edit.setPlainText("Write a long markdown answer with headings, lists, code.")
    done = asyncio.Event()
    run.busy_changed.connect(lambda busy: None if busy else done.set())
    beat = Heartbeat()
    loop = asyncio.get_running_loop()
    assert isinstance(loop, EventLoop)
    sampler = TimerPeak(loop)
    await asyncio.sleep(0.3)
    sampler.start()
    if profile is not None:
        profile.enable()
    beat.start()
    start, cpu = time.perf_counter(), time.process_time()
    if not view.compare():
        raise SystemExit(f"not started: {view.message.text()}")
    await done.wait()
    await asyncio.sleep(0.05)  # the final renders and a few more heartbeats
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    beat.stop()
    sampler.stop()
    if profile is not None:
        profile.disable()
    tokens = sum((c.result.info.tokens_out or 0) for c in view.columns if c.result is not None)
    failed = [c.model() for c in view.columns if c.result is None or c.result.failed]
    if failed:
        raise SystemExit(f"columns failed: {failed}")
    ticks = view.renderer.ticks
    await run.aclose()
    view.close()
    view.deleteLater()
    gaps = beat.gaps[1:]
    worst_at = sum(gaps[: gaps.index(max(gaps))])
    print(f"  run: worst gap {max(gaps):.1f} ms at {worst_at:.0f} ms after Compare")
    return Result(max(gaps), p99(gaps), total, cpu, tokens, ticks, sampler.peak)


@contextlib.contextmanager
def simulator_process(rate: float) -> Iterator[str]:
    """``python -m orq_desktop.simulator`` on a free port; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "orq_desktop.simulator", "--port", str(port)]
    proc = subprocess.Popen([*command, "--token-rate", str(rate)], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        proc.stdout.readline()  # "Orq gateway simulator on http://…": it is listening
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def simulator(kind: str, rate: float) -> Iterator[str]:
    if kind == "process":
        with simulator_process(rate) as url:
            yield url
    else:
        with start_in_thread(token_rate=rate) as handle:
            yield handle.url


async def amain(args: argparse.Namespace) -> None:
    await warm_up()  # as the app does right after its first paint
    if args.freeze_gc:
        gc.collect()
        gc.freeze()
    profile = cProfile.Profile() if args.profile else None
    with simulator(args.sim, args.rate) as url:
        conn = Connection(ConnectionConfig(base_url=url, api_key="bench-key"))
        await conn.prepared()  # the app's client exists long before a compare
        results = []
        for i in range(args.runs):
            last = i == args.runs - 1
            results.append(await one_run(conn, args, profile if last else None))
        await conn.aclose()
    if profile is not None:
        profile.dump_stats(args.profile)

    def median(field: str) -> float:
        return statistics.median(getattr(r, field) for r in results)

    stream = args.tokens / args.rate
    fixes = [n for n in ("freeze_gc",) if getattr(args, n)]
    print(
        f"platform={os.environ['QT_QPA_PLATFORM']} simulator={args.sim} "
        f"fixes={','.join(fixes) or 'none'} columns={args.columns} tokens={args.tokens} "
        f"rate={args.rate:g}/s per column, runs={args.runs} (medians); "
        f"tokens received per run: {results[-1].tokens:,}"
    )
    per_run = ", ".join(f"{r.worst_ms:.1f}" for r in results)
    print(f"worst heartbeat gap  {median('worst_ms'):7.1f} ms  (goal <= 50; per run: {per_run})")
    print(f"p99 heartbeat gap    {median('p99_ms'):7.1f} ms")
    total = median("total_s")
    print(f"total / stream       {total:6.2f} s / {stream:.2f} s = {total / stream:.3f}")
    cpu = median("cpu_s")
    print(f"CPU of this process  {cpu:6.2f} s ({cpu / total:.0%} of the wall time, all threads)")
    print(f"render ticks         {median('ticks'):6.0f} (one repaint of every column each)")
    print(f"live loop timers     {median('timers'):6.0f} at most at once")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--columns", type=int, default=6)
    parser.add_argument("--tokens", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sim", choices=("thread", "process"), default="thread")
    parser.add_argument("--freeze-gc", action="store_true")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the last run")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    asyncio.run(amain(args), loop_factory=lambda: EventLoop(app))


if __name__ == "__main__":
    main()
