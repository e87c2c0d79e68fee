"""The error cards' one-click fixes edit the routing options as the wire object."""

from __future__ import annotations

from orq_desktop.core.routing_state import RoutingState


def test_retry_on_code_adds_sorted_codes_and_a_count(qtbot) -> None:
    state = RoutingState()
    with qtbot.waitSignal(state.changed) as blocker:
        state.retry_on_code(503)
    assert blocker.args == [{"retry": {"on_codes": [503], "count": 2}}]
    state.retry_on_code(429)
    state.retry_on_code(429)
    assert state.orq() == {"retry": {"on_codes": [429, 503], "count": 2}}


def test_add_fallback_refuses_duplicates() -> None:
    state = RoutingState({"fallbacks": [{"model": "openai/gpt-4o"}]})
    assert state.add_fallback("anthropic/claude-4-opus")
    assert not state.add_fallback("openai/gpt-4o")
    assert state.orq()["fallbacks"] == [
        {"model": "openai/gpt-4o"},
        {"model": "anthropic/claude-4-opus"},
    ]


def test_raise_timeout_doubles_and_caps() -> None:
    state = RoutingState()
    assert state.raise_timeout() == 30_000
    assert state.raise_timeout() == 60_000
    state.set_orq({"timeout": {"call_timeout": 500_000}})
    assert state.raise_timeout() == 600_000


def test_orq_is_a_copy(qtbot) -> None:
    state = RoutingState({"retry": {"count": 3}})
    got = state.orq()
    got["retry"]["count"] = 5
    assert state.orq() == {"retry": {"count": 3}}
    with qtbot.assertNotEmitted(state.changed):
        state.set_orq({"retry": {"count": 3}})
