"""The shared render tick: every column's waiting text rendered together, once per tick."""

from __future__ import annotations

import pytest

from orq_desktop.ui.compare_render import SharedRenderer

pytestmark = pytest.mark.gui


class FakeColumn:
    def __init__(self, log: list[tuple[str, int, str]], n: int) -> None:
        self.log, self.n = log, n

    def append(self, text: str) -> None:
        self.log.append(("append", self.n, text))

    def render_now(self) -> None:
        self.log.append(("render", self.n, ""))


def test_one_tick_renders_every_column_with_its_joined_text(qtbot) -> None:
    renderer = SharedRenderer()
    log: list[tuple[str, int, str]] = []
    columns = [FakeColumn(log, n) for n in range(3)]
    for piece in ("a", "b", "c"):
        for column in columns:
            renderer.add(column, f"{piece}{column.n}")
    assert log == []  # nothing is rendered before the tick
    qtbot.waitUntil(lambda: renderer.ticks == 1, timeout=1000)
    assert log == [
        entry for n in range(3) for entry in (("append", n, f"a{n}b{n}c{n}"), ("render", n, ""))
    ]
    qtbot.wait(SharedRenderer.FLUSH_MS * 3)
    assert renderer.ticks == 1  # no text, no tick


def test_a_finishing_column_gets_its_waiting_text_at_once(qtbot) -> None:
    renderer = SharedRenderer()
    log: list[tuple[str, int, str]] = []
    first, second = FakeColumn(log, 0), FakeColumn(log, 1)
    renderer.add(first, "x")
    renderer.add(second, "y")
    renderer.flush_column(first)
    assert log == [("append", 0, "x")]
    renderer.drop(second)  # a removed column
    qtbot.wait(SharedRenderer.FLUSH_MS * 2)
    assert log == [("append", 0, "x")] and renderer.ticks == 0


def test_the_tick_slows_down_when_rendering_is_expensive(qtbot) -> None:
    import time

    class Slow(FakeColumn):
        def render_now(self) -> None:
            time.sleep(0.03)

    renderer = SharedRenderer()
    renderer.add(Slow([], 0), "x")
    renderer.flush()
    assert renderer.last_tick_ms >= 30
    assert renderer.interval_ms >= 90
