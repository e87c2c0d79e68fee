"""The compare chart: bars proportional to each measure, labelled, in palette-aware colours."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette

from orq_desktop.core.chat_types import AnswerInfo, ErrorInfo, MessageState
from orq_desktop.core.compare_types import ColumnConfig, ColumnResult
from orq_desktop.ui.compare_chart import ChartRow, CompareChart, chart_row, series_colors

pytestmark = pytest.mark.gui


def runs_of(image: QImage, color: QColor) -> list[tuple[int, int]]:
    """(start x, length) of each run of ``color`` along the row where it is most present."""
    rgb = color.rgb()
    best: list[tuple[int, int]] = []
    for y in range(image.height()):
        runs: list[tuple[int, int]] = []
        start = None
        for x in range(image.width() + 1):
            inside = x < image.width() and image.pixel(x, y) == rgb
            if inside and start is None:
                start = x
            elif not inside and start is not None:
                runs.append((start, x - start))
                start = None
        if sum(n for _x, n in runs) > sum(n for _x, n in best):
            best = runs
    assert best, "the colour is not in the chart"
    return best


def bars(image: QImage, color: QColor) -> list[int]:
    """The lengths of a row's bars, left to right (its swatch, the first run, left out)."""
    return [n for _x, n in runs_of(image, color)[1:]]


def test_bars_scale_to_the_largest_value_of_each_measure(qtbot) -> None:
    chart = CompareChart()
    qtbot.addWidget(chart)
    chart.resize(900, chart.sizeHint().height())
    chart.set_rows(
        [
            ChartRow("1  openai/gpt-4o", ttft_s=0.5, total_s=4.0, tokens_out=100),
            ChartRow("2  openai/gpt-4o-mini", ttft_s=1.0, total_s=2.0, tokens_out=400),
            ChartRow("3  sim/status-503", total_s=1.0, note="failed"),
        ]
    )
    assert chart.maxima() == [1.0, 4.0, 400]
    chart.resize(900, chart.sizeHint().height())
    image = chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    first, second, third = series_colors(chart.palette(), 3)
    ttft1, total1, tokens1 = bars(image, first)
    ttft2, total2, tokens2 = bars(image, second)
    assert ttft2 == pytest.approx(2 * ttft1, rel=0.1)  # 1.0 s against 0.5 s
    assert total1 == pytest.approx(2 * total2, rel=0.1)  # 4 s against 2 s
    assert tokens2 == pytest.approx(4 * tokens1, rel=0.1)  # 400 against 100
    ((start, length),) = [r for r in runs_of(image, third)[1:]]  # only its total time has a bar
    assert abs(length - total1 / 4) <= 2  # 1 s against the longest 4 s
    assert abs(start - runs_of(image, second)[2][0]) <= 1  # in the total time group


def test_the_chart_says_what_it_shows(qtbot) -> None:
    chart = CompareChart()
    qtbot.addWidget(chart)
    chart.set_rows(
        [
            ChartRow("1  a/x", ttft_s=0.25, total_s=1.5, tokens_out=1234),
            ChartRow("2  b/y", note="streaming"),
        ]
    )
    assert chart.text() == (
        "1  a/x: time to first token 0.25 s, total time 1.50 s, output tokens 1,234\n"
        "2  b/y: time to first token streaming, total time streaming, output tokens streaming"
    )
    assert chart.accessibleDescription() == chart.text() == chart.toolTip()


def test_the_chart_grows_with_the_number_of_columns(qtbot) -> None:
    chart = CompareChart()
    qtbot.addWidget(chart)
    chart.set_rows([ChartRow(str(i)) for i in range(2)])
    two = chart.sizeHint().height()
    chart.set_rows([ChartRow(str(i)) for i in range(6)])
    assert chart.sizeHint().height() > two
    assert chart.minimumSizeHint().height() == chart.sizeHint().height()


def test_colours_follow_the_palette_and_stay_distinct() -> None:
    light, dark = QPalette(), QPalette()
    light.setColor(QPalette.ColorRole.Base, QColor(Qt.GlobalColor.white))
    light.setColor(QPalette.ColorRole.Highlight, QColor("#3070c0"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#3070c0"))
    on_light, on_dark = series_colors(light, 6), series_colors(dark, 6)
    assert len({c.name() for c in on_light}) == 6
    assert on_light[0].hsvHue() == pytest.approx(QColor("#3070c0").hsvHue(), abs=1)
    # Brighter bars on a dark base, darker ones on a light base: contrast both ways.
    assert all(d.value() > li.value() for d, li in zip(on_dark, on_light, strict=True))


def test_chart_rows_from_results() -> None:
    config = ColumnConfig({"model": "m/x"})
    ok = ColumnResult(
        0,
        config,
        "hi",
        MessageState.COMPLETE,
        AnswerInfo("m/x", ttft_s=0.1, total_s=0.2, tokens_out=5),
    )
    failed = ColumnResult(
        1,
        config,
        "",
        MessageState.ERROR,
        AnswerInfo("m/x", total_s=0.3),
        ErrorInfo("503 Provider error", "down", "try again", status=503),
    )
    assert chart_row("1", ok, False) == ChartRow("1", 0.1, 0.2, 5, "complete")
    assert chart_row("2", failed, False) == ChartRow("2", None, 0.3, None, "failed")
    assert chart_row("3", None, True).note == "streaming"
    assert chart_row("3", None, False).note == "—"
