"""The chat's inputs reach a compare run in either wire form, and a personal-data mark stays."""

from __future__ import annotations

from typing import Any

import pytest

from orq_desktop.core.compare_types import with_inputs
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.compare_sources import ColumnSources

pytestmark = pytest.mark.gui

LIST_FORM = [{"key": "name", "value": "Ada", "is_pii": True}, {"key": "plan", "value": None}]


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"name": "Ada", "n": 2}, {"name": "Ada", "n": "2"}),
        (LIST_FORM, {"name": "Ada", "plan": ""}),
        (None, {}),
    ],
)
def test_the_chats_inputs_are_read_in_either_form(
    qapp: Any, inputs: Any, expected: dict[str, str]
) -> None:
    routing = RoutingState({} if inputs is None else {"inputs": inputs})
    assert ColumnSources(routing=routing).routing_inputs() == expected


def test_overriding_a_personal_input_keeps_its_mark() -> None:
    orq = with_inputs({"inputs": LIST_FORM}, {"name": "Bea", "extra": "x"})
    assert orq["inputs"] == [
        {"key": "plan", "value": None},
        {"key": "name", "value": "Bea", "is_pii": True},
        {"key": "extra", "value": "x"},
    ]
    assert LIST_FORM[0]["value"] == "Ada"  # the caller's object is not changed
    assert with_inputs({"inputs": {"a": "1"}}, {"b": "2"})["inputs"] == {"a": "1", "b": "2"}
