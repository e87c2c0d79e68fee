"""The whole editor: round trips, the wire shapes of CONTRACT §10, RoutingState both ways,
inputs following the prompts, kept keys, and the image flavour."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from orq_desktop.api.models import ChatRequest, ImageRequest
from orq_desktop.core.routing_state import RoutingState
from orq_desktop.ui.options_editor import OptionsEditor

pytestmark = pytest.mark.gui

# CONTRACT §10: the seed's chat `orq` (sent by both SDKs), as keyword arguments.
SEED_CHAT: dict[str, Any] = {
    "retry": {"count": 3, "on_codes": [429, 500, 502]},
    "fallbacks": [{"model": "openai/gpt-5"}, {"model": "anthropic/claude-4-opus"}],
    "identity": {
        "id": "identity_01ARZ3NDEKTSV4RRFFQ69G5FAV",
        "display_name": "Jane Doe",
        "email": "jane.doe@example.com",
    },
    "thread": {"id": "thread_01ARZ3NDEKTSV4RRFFQ69G5FAV", "tags": ["customer-support"]},
    "inputs": {"customer_name": "John Smith", "issue_type": "billing"},
    "cache": {"type": "exact_match", "ttl": 3600},
    "knowledge_bases": [{"knowledge_id": "knowledge_01ARZ3NDEKTSV4RRFFQ69G5FAV", "top_k": 5}],
    "timeout": {"call_timeout": 30000},
}

JANE = {
    "id": "contact_01ARZ3NDEKTSV4RRFFQ69G5FAV",
    "display_name": "Jane Doe",
    "email": "jane.doe@example.com",
    "metadata": [{"department": "Engineering", "role": "Senior Developer"}],
    "logo_url": "https://example.com/avatars/jane-doe.jpg",
    "tags": ["hr", "engineering"],
}
# CONTRACT §10: the seed's image `orq` (4.1 list-shaped load balancer, deprecated contact).
SEED_IMAGE: dict[str, Any] = {
    "retry": {"count": 3, "on_codes": [429, 500, 502, 503, 504]},
    "fallbacks": [{"model": "openai/gpt-4o-mini"}],
    "identity": JANE,
    "contact": JANE,
    "cache": {"type": "exact_match", "ttl": 3600},
    "load_balancer": [
        {"type": "weight_based", "model": "openai/gpt-4o", "weight": 0.7},
        {"type": "weight_based", "model": "openai/gpt-4o", "weight": 0.7},
    ],
    "timeout": {"call_timeout": 30000},
}

CHAT_CASES: list[dict[str, Any]] = [
    {},
    SEED_CHAT,
    # The same values as the SDK writes them (floats): equal by value after the round trip.
    {
        "retry": {"count": 3.0, "on_codes": [429.0, 503.0]},
        "cache": {"type": "exact_match", "ttl": 3600.0},
        "timeout": {"call_timeout": 30000.0},
        "knowledge_bases": [{"knowledge_id": "k", "top_k": 40.0, "search_type": "hybrid_search"}],
    },
    {"retry": {"count": 1}},
    {"retry": {"count": 5, "on_codes": [408, 520, 529]}},
    {"thread": {"id": "thread_x"}},
    {"identity": JANE, "thread": {"id": "t", "tags": ["a", "b"]}},
    {
        "load_balancer": {
            "type": "weight_based",
            "models": [
                {"model": "openai/gpt-4o", "weight": 0.25},
                {"model": "anthropic/claude-4-sonnet", "weight": 0.75},
            ],
        },
        "fallbacks": [{"model": "google/gemini-2.5-flash"}],
    },
    {
        "knowledge_bases": [
            {"knowledge_id": "k1", "top_k": 3, "threshold": 0.6, "search_type": "keyword_search"},
            {"knowledge_id": "k2"},
        ]
    },
    {"cache": {"type": "exact_match", "ttl": 259200}, "timeout": {"call_timeout": 1500}},
    {"inputs": {"n": 3, "flag": True, "name": "Ann"}},
    {"name": "my-trace", "prompt": {"id": "p1", "version": "latest"}, "fallback_on_codes": [429]},
]


@pytest.mark.parametrize("orq", CHAT_CASES, ids=range(len(CHAT_CASES)))
def test_chat_round_trip(qtbot: Any, orq: dict[str, Any]) -> None:
    editor = OptionsEditor("chat", primary_model="openai/gpt-4o")
    qtbot.addWidget(editor)
    given = copy.deepcopy(orq)
    editor.set_orq(orq)
    assert editor.orq() == given
    assert orq == given  # the caller's dict is not touched
    assert editor.validity() is None


IMAGE_CASES: list[dict[str, Any]] = [
    {},
    SEED_IMAGE,
    {
        "load_balancer": {
            "type": "weight_based",
            "models": [{"model": "openai/dall-e-2", "weight": 1}],
        },
        "retry": {"count": 2, "on_codes": [500]},
    },
]


@pytest.mark.parametrize("orq", IMAGE_CASES, ids=range(len(IMAGE_CASES)))
def test_image_round_trip(qtbot: Any, orq: dict[str, Any]) -> None:
    editor = OptionsEditor("image", primary_model="openai/dall-e-3")
    qtbot.addWidget(editor)
    editor.set_orq(orq)
    assert editor.orq() == orq
    assert editor.validity() is None


def test_the_seed_goes_out_as_the_sdk_sends_it(qtbot: Any) -> None:
    editor = OptionsEditor("chat")
    qtbot.addWidget(editor)
    editor.set_orq(SEED_CHAT)
    body = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
    wire = ChatRequest.model_validate({**body, "orq": editor.orq()}).to_wire("/v2/gateway")
    expected = copy.deepcopy(SEED_CHAT)
    expected["knowledge_bases"][0]["search_type"] = "hybrid_search"  # the 4.1 SDK's default
    assert wire["orq"] == expected
    image = OptionsEditor("image")
    qtbot.addWidget(image)
    image.set_orq(SEED_IMAGE)
    request = ImageRequest.model_validate(
        {"prompt": "x", "model": "openai/dall-e-3"} | {"orq": image.orq()}
    )
    assert request.to_wire("/v2/gateway")["orq"] == SEED_IMAGE
    assert request.to_wire("/v2/router")["orq"]["load_balancer"] == {
        "type": "weight_based",
        "models": [{"model": "openai/gpt-4o", "weight": 0.7}] * 2,
    }


def test_the_image_editor_has_no_thread_inputs_or_knowledge(qtbot: Any) -> None:
    editor = OptionsEditor("image")
    qtbot.addWidget(editor)
    assert set(editor.sections) == {
        "retry",
        "fallbacks",
        "timeout",
        "load_balancer",
        "cache",
        "identity",
    }
    assert editor.orq() == {}
    editor.set_orq({"thread": {"id": "t"}})
    assert editor.validity() == "Routing options: thread: “thread” is not available here."
    assert "thread" in editor.extra_note.text()


def test_sections_that_are_off_send_nothing(qtbot: Any) -> None:
    editor = OptionsEditor("chat")
    qtbot.addWidget(editor)
    editor.set_orq(SEED_CHAT)
    for key in ("retry", "identity", "cache", "knowledge_bases", "timeout", "fallbacks"):
        editor.section(key).switch.setChecked(False)
    assert editor.orq() == {"thread": SEED_CHAT["thread"], "inputs": SEED_CHAT["inputs"]}
    editor.retry.switch.setChecked(True)  # the values come back with the switch
    assert editor.orq()["retry"] == SEED_CHAT["retry"]


def test_keys_without_controls_are_kept_and_named(qtbot: Any) -> None:
    editor = OptionsEditor("chat")
    qtbot.addWidget(editor)
    editor.set_orq({"name": "n", "retry": {"count": 2}})
    assert editor.extra_note.text() == "Also sent as loaded (not editable here): name."
    editor.set_orq({"prompt": {"id": "p", "version": "v2"}})
    assert editor.validity() == (
        'Routing options: prompt › version: Version must be one of: latest (you entered "v2").'
    )


def test_changed_carries_the_new_object(qtbot: Any) -> None:
    editor = OptionsEditor("chat")
    qtbot.addWidget(editor)
    editor.set_orq({})
    with qtbot.waitSignal(editor.changed) as blocker:
        editor.cache.switch.setChecked(True)
    assert blocker.args == [{"cache": {"type": "exact_match", "ttl": 1800}}]


# -- inputs ---------------------------------------------------------------------------------------


def test_input_fields_follow_the_placeholders(qtbot: Any) -> None:
    editor = OptionsEditor("chat")
    qtbot.addWidget(editor)
    editor.set_orq({})
    inputs = editor.inputs
    reasons: list[str] = []
    editor.validity_changed.connect(reasons.append)
    editor.set_prompt_texts(["Hello {{ customer_name }}", "About {{issue_type}}"])
    assert list(inputs.edits) == ["customer_name", "issue_type"]
    assert editor.validity() == (
        "Inputs: Give a value for {{customer_name}} and {{issue_type}}: the prompt uses them."
    )
    assert editor.folds["inputs"].is_expanded()  # a missing value is never folded away
    inputs.set_value("customer_name", "John")
    assert editor.validity() == "Inputs: Give a value for {{issue_type}}: the prompt uses it."
    editor.set_prompt_texts(["Hello {{ customer_name }}"])
    assert list(inputs.edits) == ["customer_name"]
    assert editor.validity() is None
    assert editor.orq() == {"inputs": {"customer_name": "John"}}
    editor.set_prompt_texts(["Hello {{ customer_name }}", "{{issue_type}} again"])
    inputs.set_value("issue_type", "billing")
    editor.set_prompt_texts([])
    assert inputs.edits == {}
    assert "inputs" not in editor.orq()  # remembered, not sent, while no prompt uses them
    editor.set_prompt_texts(["{{issue_type}}"])
    assert inputs.edits["issue_type"].text() == "billing"
    assert reasons[0].startswith("Inputs: Give a value for {{customer_name}}")
    assert reasons[-1] == ""


def test_loaded_inputs_no_prompt_uses_are_sent_until_dropped(qtbot: Any) -> None:
    editor = OptionsEditor("chat")
    qtbot.addWidget(editor)
    editor.set_orq({"inputs": {"region": "EU", "limit": 5}})
    assert list(editor.inputs.edits) == ["region", "limit"]
    assert editor.inputs.edits["limit"].text() == "5"
    assert editor.orq() == {"inputs": {"region": "EU", "limit": 5}}
    editor.inputs.drop("region")
    assert editor.orq() == {"inputs": {"limit": 5}}
    editor.set_orq({"inputs": [{"key": "a", "value": "1"}]})  # the list form becomes a map
    assert editor.orq() == {"inputs": {"a": "1"}}


# -- RoutingState ---------------------------------------------------------------------------------


def test_an_empty_state_takes_the_editors_defaults(qtbot: Any) -> None:
    routing = RoutingState()
    editor = OptionsEditor("chat", routing=routing)
    qtbot.addWidget(editor)
    assert routing.orq() == editor.orq()
    assert routing.orq()["thread"]["id"].startswith("thread_")


def test_a_state_with_options_is_shown(qtbot: Any) -> None:
    routing = RoutingState({"retry": {"count": 2, "on_codes": [503]}})
    editor = OptionsEditor("chat", routing=routing)
    qtbot.addWidget(editor)
    assert editor.orq() == {"retry": {"count": 2, "on_codes": [503]}}
    assert editor.retry.codes.button(503).isChecked()


def test_every_valid_edit_is_written_back(qtbot: Any) -> None:
    routing = RoutingState({"retry": {"count": 2}})
    editor = OptionsEditor("chat", routing=routing)
    qtbot.addWidget(editor)
    with qtbot.waitSignal(routing.changed):
        editor.fallbacks.switch.setChecked(True)
        editor.fallbacks.add_model("openai/gpt-5")
    assert routing.orq()["fallbacks"] == [{"model": "openai/gpt-5"}]
    editor.retry.count.setValue(9)  # invalid: the state keeps the last valid object
    assert routing.orq()["retry"] == {"count": 2}
    editor.retry.count.setValue(4)
    assert routing.orq()["retry"] == {"count": 4}


def test_the_error_cards_fixes_show_up_in_the_editor(qtbot: Any) -> None:
    routing = RoutingState()
    editor = OptionsEditor("chat", routing=routing, primary_model="sim/status-429")
    qtbot.addWidget(editor)
    routing.retry_on_code(429)
    assert editor.retry.is_on() and editor.retry.codes.codes() == [429]
    assert editor.retry.count.value() == 2
    routing.add_fallback("openai/gpt-4o")
    assert editor.fallbacks.models() == ["openai/gpt-4o"]
    routing.raise_timeout()
    assert editor.timeout.is_on() and editor.timeout.seconds.value() == 30
    assert editor.orq() == routing.orq()
    assert "try openai/gpt-4o" in editor.route_view.description.text()


def test_a_fix_keeps_inputs_still_being_typed(qtbot: Any) -> None:
    routing = RoutingState()
    editor = OptionsEditor("chat", routing=routing)
    qtbot.addWidget(editor)
    editor.set_prompt_texts(["{{a}} and {{b}}"])
    editor.inputs.set_value("a", "first")  # b is still missing: nothing written back yet
    assert "inputs" not in routing.orq()
    routing.retry_on_code(503)
    assert editor.inputs.edits["a"].text() == "first"
    editor.inputs.set_value("b", "second")
    assert routing.orq()["inputs"] == {"a": "first", "b": "second"}
    assert routing.orq()["retry"] == {"on_codes": [503], "count": 2}


def test_set_orq_is_written_to_the_state(qtbot: Any) -> None:
    routing = RoutingState()
    editor = OptionsEditor("chat", routing=routing)
    qtbot.addWidget(editor)
    editor.set_orq(SEED_CHAT)
    assert routing.orq() == SEED_CHAT
