"""The shared render timer: one column per tick, oldest text first, every column in turn."""

from __future__ import annotations

import time

import pytest

from orq_desktop.ui.compare_render import SharedRenderer

pytestmark = pytest.mark.gui


class FakeColumn:
    def __init__(self, log: list[tuple[str, int, str]], n: int, cost_s: float = 0.0) -> None:
        self.log, self.n, self.cost_s = log, n, cost_s

    def append(self, text: str) -> None:
        self.log.append(("append", self.n, text))

    def render_now(self) -> None:
        time.sleep(self.cost_s)
        self.log.append(("render", self.n, ""))


def test_columns_are_rendered_one_per_tick_oldest_first(qtbot) -> None:
    renderer = SharedRenderer()
    log: list[tuple[str, int, str]] = []
    columns = [FakeColumn(log, n) for n in range(3)]
    for piece in ("a", "b"):
        for column in reversed(columns):  # column 2's text waits longest
            renderer.add(column, f"{piece}{column.n}")
    assert log == []  # nothing is rendered before the first tick
    qtbot.waitUntil(lambda: renderer.ticks == 1, timeout=1000)
    assert log == [("append", 2, "a2b2"), ("render", 2, "")]
    # Three columns stream: each is rendered every 66 ms, so a tick every 22 ms.
    assert renderer.interval_ms == 22
    renderer.add(columns[2], "c2")  # it goes to the back of the queue
    qtbot.waitUntil(lambda: renderer.ticks == 4, timeout=1000)
    assert [n for kind, n, _t in log if kind == "render"] == [2, 1, 0, 2]
    assert ("append", 2, "c2") in log
    qtbot.wait(SharedRenderer.FLUSH_MS * 3)
    assert renderer.ticks == 4  # no text, no tick


def test_six_streaming_columns_are_each_rendered_every_100_ms(qtbot) -> None:
    renderer = SharedRenderer()
    log: list[tuple[str, int, str]] = []
    for column in [FakeColumn(log, n) for n in range(6)]:
        renderer.add(column, "x")
    qtbot.waitUntil(lambda: renderer.ticks == 1, timeout=1000)
    assert renderer.interval_ms == round(3 * SharedRenderer.FLUSH_MS / 6)  # 99 ms / 6


def test_flush_renders_every_column_and_flush_column_one(qtbot) -> None:
    renderer = SharedRenderer()
    log: list[tuple[str, int, str]] = []
    first, second, third = (FakeColumn(log, n) for n in range(3))
    renderer.add(first, "x")
    renderer.add(second, "y")
    renderer.add(third, "z")
    renderer.flush_column(first)
    assert log == [("append", 0, "x")]
    renderer.drop(third)  # a removed column
    renderer.flush()
    assert log[1:] == [("append", 1, "y"), ("render", 1, "")]
    qtbot.wait(SharedRenderer.FLUSH_MS * 2)
    assert len(log) == 3


def test_ticks_slow_down_when_a_render_is_expensive(qtbot) -> None:
    renderer = SharedRenderer()
    log: list[tuple[str, int, str]] = []
    renderer.add(FakeColumn(log, 0, cost_s=0.03), "x")
    renderer.add(FakeColumn(log, 1), "y")
    qtbot.waitUntil(lambda: renderer.ticks == 1, timeout=1000)
    assert renderer.last_tick_ms >= 30
    assert renderer.interval_ms >= 90


def test_columns_ending_together_are_finished_one_per_tick(qtbot) -> None:
    renderer = SharedRenderer()
    log: list[tuple[str, int, str]] = []
    columns = [FakeColumn(log, n) for n in range(3)]
    for column in columns:
        renderer.add(column, "t")
        renderer.finish_later(column, lambda c=column: log.append(("finish", c.n, "")))
    assert not renderer.idle
    qtbot.waitUntil(lambda: renderer.ticks == 1, timeout=1000)
    assert log == [("append", 0, "t"), ("finish", 0, "")]  # its final render, not a tick's
    qtbot.waitUntil(lambda: renderer.idle, timeout=1000)
    assert [e for e in log if e[0] == "finish"] == [("finish", n, "") for n in range(3)]
    assert not [e for e in log if e[0] == "render"]
    # A column asked again is finished at once, before its new answer begins.
    renderer.finish_later(columns[0], lambda: log.append(("finish", 0, "again")))
    renderer.flush_column(columns[0])
    assert log[-1] == ("finish", 0, "again") and renderer.idle
