"""Qt fixtures: a running qasync loop inside pytest-qt tests, a loop error recorder, a heartbeat.

``aloop`` follows STYLE.md §4.9. One ``EventLoop`` for the whole session, created with
``already_running=True`` so that qtbot's nested Qt loops (``waitSignal``, ``waitUntil``) also step
asyncio tasks; it is "running" only inside the tests that ask for it. Tests never call
``loop.stop()`` or ``run_until_complete()``: in qasync both end in ``QApplication.exit()``, after
which every later nested Qt loop returns at once (STYLE.md §3.3).
"""

from __future__ import annotations

import asyncio
import gc
import random
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import QApplication

from orq_desktop.core.loop import EventLoop


class LoopErrorRecorder:
    """An asyncio exception handler that keeps every context it is given.

    Installed on the loop by ``aloop``; the fixture fails the test if anything was recorded
    (a task's exception never retrieved, an error in a callback).
    """

    def __init__(self) -> None:
        self.contexts: list[dict[str, Any]] = []

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.contexts.append(context)

    def take(self) -> list[dict[str, Any]]:
        """Return what was recorded and forget it (for tests that expect an error)."""
        taken, self.contexts = self.contexts, []
        return taken

    def describe(self) -> str:
        lines = []
        for context in self.contexts:
            exc = context.get("exception")
            message = context.get("message", "error in the event loop")
            lines.append(f"{message}: {exc!r}" if exc is not None else str(message))
        return "\n".join(lines)

    def check(self) -> None:
        """Fail the current test if any error was recorded."""
        if self.contexts:
            pytest.fail(f"errors in the asyncio loop:\n{self.describe()}", pytrace=False)


def cancel_leftover_tasks(loop: asyncio.AbstractEventLoop, wait: Callable[..., Any]) -> int:
    """Cancel the loop's unfinished tasks and wait until they are done; return how many."""
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        wait(lambda: all(task.done() for task in pending), timeout=1000)
    return len(pending)


@pytest.fixture(scope="session")
def _qasync_loop(qapp: QApplication) -> EventLoop:
    loop = EventLoop(qapp, already_running=True)
    asyncio.events._set_running_loop(None)  # "running" only inside tests that ask for it
    return loop


@pytest.fixture
def loop_errors() -> LoopErrorRecorder:
    """The recorder that ``aloop`` installs; take() what a test expects to be recorded."""
    return LoopErrorRecorder()


@pytest.fixture
def aloop(
    _qasync_loop: EventLoop, qtbot: Any, loop_errors: LoopErrorRecorder
) -> Iterator[EventLoop]:
    """The qasync loop, running for this test, with asyncio's async-generator hooks installed."""
    loop = _qasync_loop
    loop.set_exception_handler(loop_errors)
    old_hooks = loop.install_asyncgen_hooks()
    asyncio.events._set_running_loop(loop)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        try:
            cancel_leftover_tasks(loop, qtbot.waitUntil)
            # A task's unretrieved exception is reported when the task is collected.
            gc.collect()
        finally:
            asyncio.events._set_running_loop(None)
            asyncio.set_event_loop(None)
            sys.set_asyncgen_hooks(*old_hooks)
            loop.set_exception_handler(None)
    loop_errors.check()


class Heartbeat(QObject):
    """A 5 ms precise timer that records the gaps between its ticks: the UI's responsiveness.

    A gap much longer than the interval is a stall of the event loop that a user would feel.
    """

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.gaps_ms: list[float] = []
        self._last: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_tick)

    def start(self) -> None:
        self.gaps_ms.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._last is not None:
            # The time since the last tick counts too: a stall right before stop() is still a stall.
            self.gaps_ms.append((time.perf_counter() - self._last) * 1000)
            self._last = None

    @property
    def ticks(self) -> int:
        return len(self.gaps_ms)

    @property
    def max_gap_ms(self) -> float:
        return max(self.gaps_ms, default=0.0)

    @property
    def p99_gap_ms(self) -> float:
        return self.percentile(99)

    def percentile(self, pct: float) -> float:
        if not self.gaps_ms:
            return 0.0
        ordered = sorted(self.gaps_ms)
        index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
        return ordered[index]

    def _on_tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.gaps_ms.append((now - self._last) * 1000)
        self._last = now


@pytest.fixture
def heartbeat(qapp: QApplication) -> Iterator[Heartbeat]:
    """A started 5 ms heartbeat; read ``max_gap_ms`` / ``p99_gap_ms`` after ``stop()``."""
    beat = Heartbeat()
    beat.start()
    try:
        yield beat
    finally:
        beat.stop()
        beat.deleteLater()


# -- markdown helpers shared by the transcript tests and benchmarks/render.py --------------------

_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "**bold**",
    "*italic*",
    "`code`",
    "[link](https://example.com/x)",
    "__strong__",
    "~~gone~~",
]


def _words(rnd: random.Random, low: int = 1, high: int = 15) -> str:
    return " ".join(rnd.choice(_WORDS) for _ in range(rnd.randint(low, high)))


def random_markdown(rnd: random.Random, blocks: int | None = None) -> str:
    """A markdown answer of mixed blocks: headings, paragraphs, lists, code fences, quotes, tables.

    Two quirks of Qt's markdown importer are avoided because they are not ours to match: a
    leading ``---`` opens YAML front matter, and a table right after a quote, a code fence or a
    rule gets an extra empty block in its first cell.
    """
    parts: list[str] = []
    previous = -1
    for _ in range(blocks if blocks is not None else rnd.randint(5, 25)):
        kind = rnd.randrange(11)
        if kind == 6 and not parts:
            kind = 9
        if kind == 5 and previous in (3, 4, 6):
            kind = 9
        previous = kind
        if kind == 0:
            parts.append("#" * rnd.randint(1, 6) + " " + _words(rnd))
        elif kind == 1:
            parts.append("\n".join("- " + _words(rnd) for _ in range(rnd.randint(1, 4))))
        elif kind == 2:
            parts.append("\n".join(f"{i + 1}. " + _words(rnd) for i in range(rnd.randint(1, 4))))
        elif kind == 3:
            body = "\n".join(_words(rnd) for _ in range(rnd.randint(1, 3)))
            parts.append(f"```python\n{body}\n\n{_words(rnd)}\n```")
        elif kind == 4:
            parts.append("> " + _words(rnd) + "\n> " + _words(rnd))
        elif kind == 5:
            parts.append(f"| name | value |\n|---|---|\n| {_words(rnd)} | {_words(rnd, 1, 2)} |")
        elif kind == 6:
            parts.append("---")
        elif kind == 7:
            parts.append(f"- {_words(rnd)}\n  - {_words(rnd)}\n- {_words(rnd)}")
        elif kind == 8:
            parts.append(f"- [ ] {_words(rnd)}\n- [x] {_words(rnd)}")
        else:
            parts.append(_words(rnd, 5, 30) + "\n" + _words(rnd, 5, 30))
    text = "".join(part + rnd.choice(("\n\n", "\n\n\n")) for part in parts)
    return text[: len(text) - rnd.randint(0, 2)]


def document_structure(document: QTextDocument) -> list[tuple[Any, ...]]:
    """Per block: heading level, list (style, indent, item number), code fence language, rule,
    inside a table, text, and its runs (text, weight, italic, fixed pitch, link)."""
    blocks: list[tuple[Any, ...]] = []
    block = document.begin()
    while block.isValid():
        fmt = block.blockFormat()
        text_list = block.textList()
        listed = None
        if text_list is not None:
            list_format = text_list.format()
            listed = (list_format.style(), list_format.indent(), text_list.itemNumber(block))
        fence = None
        if fmt.hasProperty(QTextFormat.Property.BlockCodeFence):
            fence = fmt.stringProperty(QTextFormat.Property.BlockCodeLanguage)
        runs = []
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            char = fragment.charFormat()
            runs.append(
                (
                    fragment.text(),
                    char.fontWeight(),
                    char.fontItalic(),
                    char.fontFixedPitch(),
                    char.anchorHref(),
                )
            )
            it += 1
        blocks.append(
            (
                fmt.headingLevel(),
                listed,
                fence,
                fmt.hasProperty(QTextFormat.Property.BlockTrailingHorizontalRulerWidth),
                QTextCursor(block).currentTable() is not None,
                block.text(),
                tuple(runs),
            )
        )
        block = block.next()
    return blocks
