"""The route preview (diagram, worst case, sentences, warnings) and the timeline dialog's parts."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage

from orq_desktop.ui.options_editor import OptionsEditor
from orq_desktop.ui.route_timeline import (
    TimelineButton,
    TraceTimelineDialog,
    format_ms,
    nice_step,
    outcome_colour,
)
from orq_desktop.ui.route_view import RouteView

pytestmark = pytest.mark.gui

TRACE: dict[str, Any] = {
    "trace_id": "trace_01ABC",
    "request": {"model": "sim/status-503", "path": "/v2/gateway/chat/completions"},
    "attempts": [
        {
            "model": "sim/status-503",
            "status": 503,
            "started_ms": 0.0,
            "duration_ms": 40.0,
            "outcome": "failed",
            "reason": "503: fall back to openai/gpt-4o",
        },
        {
            "model": "openai/gpt-4o",
            "status": 200,
            "started_ms": 45.0,
            "duration_ms": 120.0,
            "outcome": "answered",
            "reason": "answered the request",
        },
    ],
    "answered_by": "openai/gpt-4o",
    "cache": "off",
}


@pytest.fixture
def view(qtbot: Any) -> RouteView:
    widget = RouteView()
    qtbot.addWidget(widget)
    widget.resize(360, 600)
    return widget


def has_colour(image: QImage, colour: QColor) -> bool:
    target = colour.rgb()
    return any(
        image.pixel(x, y) == target for x in range(image.width()) for y in range(image.height())
    )


def test_a_single_attempt_is_said_plainly(view: RouteView) -> None:
    view.set_route("openai/gpt-4o", {})
    assert view.worst.text() == "Worst case: 1 attempt, with no time limit per attempt."
    assert view.description.text().startswith(
        "One attempt with openai/gpt-4o; any error is shown as it is."
    )
    assert view.warnings.isHidden()


def test_retries_fallbacks_and_timeout(view: RouteView) -> None:
    plan = view.set_route(
        "openai/gpt-4o",
        {
            "retry": {"count": 2, "on_codes": [429, 503]},
            "fallbacks": [{"model": "anthropic/claude-4-sonnet"}],
            "timeout": {"call_timeout": 10000},
        },
    )
    assert plan.worst_attempts == 6
    # 6 attempts of 10 s, and (1 + 2) s of backoff per model with +25% jitter: 67.5 s.
    assert view.worst.text() == "Worst case: 6 attempts in about 67.5 s."
    text = view.description.text()
    assert "On 429 or 503: retry twice, about 1 s then 2 s apart." in text
    assert "try anthropic/claude-4-sonnet" in text
    assert view.diagram.accessibleDescription() == plan.describe()


def test_documented_limits_crossed_are_warned(view: RouteView) -> None:
    view.set_route(
        "openai/gpt-4o",
        {
            "retry": {"count": 5, "on_codes": [400, 429]},
            "fallbacks": [{"model": f"p/m{i}"} for i in range(4)],
            "timeout": {"call_timeout": 60000},
        },
    )
    warnings = view.warnings.text()
    assert "Retrying on 400 (bad request) never helps" in warnings
    assert "4 fallbacks: the router recommends at most 3." in warnings
    assert "longer than most people wait" in warnings
    assert "min" in view.worst.text()


def test_the_diagram_grows_a_block_per_model(view: RouteView) -> None:
    view.set_route("a/b", {})
    one = view.diagram.height()
    view.set_route("a/b", {"fallbacks": [{"model": "c/d"}, {"model": "e/f"}]})
    assert view.diagram.height() > 2 * one
    view.show()
    image = view.diagram.grab().toImage()
    accent = view.palette().color(view.palette().ColorRole.Highlight)
    assert has_colour(image, accent)  # the primary's first attempt is a filled dot


def test_a_load_balancer_is_named_in_the_preview(qtbot: Any) -> None:
    editor = OptionsEditor("chat", primary_model="openai/gpt-4o")
    qtbot.addWidget(editor)
    editor.set_orq(
        {
            "load_balancer": {
                "type": "weight_based",
                "models": [{"model": "x/one", "weight": 1}, {"model": "x/two", "weight": 1}],
            }
        }
    )
    assert editor.route_view.description.text().startswith(
        "The load balancer picks one of x/one or x/two by weight; openai/gpt-4o itself is not used."
    )
    assert "openai/gpt-4o is not used" in editor.load_balancer.note.text()


def test_the_editor_keeps_its_preview_current(qtbot: Any) -> None:
    editor = OptionsEditor("chat", primary_model="openai/gpt-4o")
    qtbot.addWidget(editor)
    editor.set_orq({})
    editor.retry.switch.setChecked(True)
    assert editor.route_view.plan().worst_attempts == 4
    editor.set_primary_model("sim/status-429")
    assert "One attempt" not in editor.route_view.text()
    assert editor.route_view.plan().models == ("sim/status-429",)


# -- the timeline dialog --------------------------------------------------------------------------


def test_dialog_shows_a_trace_as_bars_and_rows(qtbot: Any) -> None:
    dialog = TraceTimelineDialog("trace_01ABC")
    qtbot.addWidget(dialog)
    assert dialog.heading.text() == "Loading the attempts…"
    dialog.set_trace(TRACE)
    assert dialog.heading.text() == "2 attempts in 165 ms; openai/gpt-4o answered."
    assert dialog.table.topLevelItem(0).text(5) == "failed: 503: fall back to openai/gpt-4o"
    dialog.resize(700, 400)
    dialog.show()
    image = dialog.chart.grab().toImage()
    palette = dialog.chart.palette()
    assert has_colour(image, outcome_colour("answered", palette))
    assert has_colour(image, outcome_colour("failed", palette))


def test_dialog_ignores_another_answers_trace_and_explains_bad_ones(qtbot: Any) -> None:
    dialog = TraceTimelineDialog("trace_01ABC")
    qtbot.addWidget(dialog)
    dialog.set_trace({**TRACE, "trace_id": "trace_OTHER"})
    assert dialog.record() is None
    dialog.set_trace({"attempts": None})
    assert dialog.problem.text() == "The trace has no list of attempts."
    dialog.set_failed("The server took too long to send the trace.")
    assert dialog.heading.text() == "No attempt timeline for this answer"
    assert dialog.table.isHidden()


def test_a_cache_hit_and_no_answer_are_said(qtbot: Any) -> None:
    dialog = TraceTimelineDialog("trace_01ABC")
    qtbot.addWidget(dialog)
    hit = {**TRACE, "attempts": [{**TRACE["attempts"][1], "outcome": "cache_hit"}]}
    dialog.set_trace(hit)
    assert dialog.heading.text().endswith("openai/gpt-4o answered (from the cache).")
    failed = {**TRACE, "attempts": [TRACE["attempts"][0]], "answered_by": None}
    dialog.set_trace(failed)
    assert dialog.heading.text() == "1 attempt in 40 ms; none answered."


def test_timeline_button_asks_for_its_trace(qtbot: Any) -> None:
    button = TimelineButton()
    qtbot.addWidget(button)
    assert button.isHidden()
    button.set_trace_id("trace_01ABC")
    assert not button.isHidden()
    with qtbot.waitSignal(button.timeline_requested) as blocker:
        button.click()
    assert blocker.args == ["trace_01ABC"]
    button.set_trace_id(None)
    assert button.isHidden()


@pytest.mark.parametrize(
    ("ms", "text"),
    [(0.42, "0.4 ms"), (12.4, "12 ms"), (1250, "1.25 s"), (125_000, "2 min 5 s")],
)
def test_durations_read_naturally(ms: float, text: str) -> None:
    assert format_ms(ms) == text


@pytest.mark.parametrize(("span", "step"), [(165, 50), (3.2, 1), (9000, 2000), (0, 1)])
def test_axis_ticks_are_round(span: float, step: float) -> None:
    assert nice_step(span) == step
