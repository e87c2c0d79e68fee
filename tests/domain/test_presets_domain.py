"""Preset files: what is written, and every way a bad file is refused with its reason."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orq_desktop.api.models import ChatRequest, Orq
from orq_desktop.core.presets_store import check_request
from orq_desktop.domain.presets import (
    EDITABLE_CHAT_PARAMS,
    PRESET_FORMAT,
    Preset,
    PresetError,
    clean_name,
    find_key_fields,
    keep_thread_id,
    make_preset,
    parse_preset,
    preset_from_json,
    preset_to_bytes,
)

ORQ: dict[str, Any] = {
    "retry": {"count": 2, "on_codes": [429, 503]},
    "fallbacks": [{"model": "openai/gpt-4o-mini"}],
    "cache": {"type": "exact_match", "ttl": 600},
    "timeout": {"call_timeout": 20000},
    "load_balancer": {"type": "weight_based", "models": [{"model": "openai/gpt-4o", "weight": 1}]},
}
OPTIONS: dict[str, Any] = {
    "model": "openai/gpt-4o",
    "temperature": 0.2,
    "stop": ["END"],
    "response_format": {"type": "json_object"},
    "stream": True,
    "orq": {"retry": {"count": 5}},  # ChatPanel.options() carries orq: the routing state wins
}

DEEP: list[Any] = []
for _ in range(70):
    DEEP = [DEEP]


def good() -> dict[str, Any]:
    return make_preset("Support bot", OPTIONS, "You are terse.", ORQ).to_json()


def refused(data: Any) -> str:
    read = parse_preset if isinstance(data, bytes | str) else preset_from_json
    with pytest.raises(PresetError) as caught:
        read(data, check=check_request)
    return str(caught.value)


def test_a_preset_file_holds_the_configuration_and_the_exact_wire_orq() -> None:
    preset = make_preset("  Support   bot ", OPTIONS, "You are terse.", ORQ, check=check_request)
    data = json.loads(preset_to_bytes(preset))
    assert data == {
        "format": PRESET_FORMAT,
        "version": 1,
        "name": "Support bot",
        "model": "openai/gpt-4o",
        "params": {
            "temperature": 0.2,
            "stop": ["END"],
            "response_format": {"type": "json_object"},
            "stream": True,
        },
        "system_prompt": "You are terse.",
        "orq": ORQ,
    }
    # The orq part is the router's object as it is: valid, and what a request body carries.
    Orq.model_validate(data["orq"])
    body = ChatRequest.model_validate(
        {"model": "m", "messages": [{"role": "user", "content": "x"}], "orq": data["orq"]}
    ).to_wire("/v2/router")
    assert body["orq"] == ORQ


def test_file_round_trip_is_exact() -> None:
    preset = make_preset("Ünïcode ✓", OPTIONS, "Line 1\nLine “2”", ORQ, check=check_request)
    again = parse_preset(preset_to_bytes(preset), check=check_request)
    assert again == preset
    assert again.options() == {k: v for k, v in OPTIONS.items() if k != "orq"}


def test_editing_the_json_does_not_change_the_preset() -> None:
    preset = make_preset("A", OPTIONS, "", ORQ)
    preset.to_json()["orq"]["retry"]["count"] = 5
    assert preset.orq["retry"]["count"] == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "not JSON: Expecting property name enclosed in double quotes at line 1"),
        (b"\xff\xfe\x00", "not text"),
        (b"[1, 2]", "must hold one JSON object"),
        (b"x" * (1024 * 1024 + 1), "too large"),
        ({**good(), "format": "something-else"}, "not an Orq Desktop preset"),
        ({**good(), "version": 2}, "version 2"),
        ({**good(), "version": "1"}, 'version "1"'),
        ({**good(), "version": True}, "version true"),
        ({**good(), "name": ""}, "Give the preset a name"),
        ({**good(), "name": "x" * 81}, "at most 80 characters"),
        ({**good(), "name": "a\u0007b"}, "control characters"),
        ({**good(), "model": ""}, "no model"),
        ({**good(), "params": []}, "params must be a JSON object"),
        ({**good(), "params": {"tools": []}}, "cannot be set in Orq Desktop"),
        ({**good(), "params": {"temperature": 5}}, "Temperature must be between 0 and 2"),
        ({**good(), "params": {"stop": ["a"] * 5}}, "Stop sequences"),
        ({**good(), "system_prompt": 3}, "system_prompt must be text"),
        ({**good(), "orq": []}, "orq must be a JSON object"),
        ({**good(), "orq": {"retry": {"count": 9}}}, "orq › retry › count"),
        ({**good(), "orq": {"fallbackz": []}}, "“fallbackz” is not a known option"),
        ({**good(), "orq": {"timeout": {"call_timeout": 0}}}, "Call timeout"),
        ({**good(), "extra": 1}, "Unknown fields in the preset: extra"),
        (b'{"a":' * 100_000, "nested more than 64 levels"),
        ({**good(), "orq": {"inputs": {"a": DEEP}}}, "nested more than 64 levels"),
    ],
)
def test_bad_files_are_refused_with_the_reason(data: Any, reason: str) -> None:
    assert reason in refused(data)


@pytest.mark.parametrize(
    ("place", "expected_path"),
    [
        (lambda d: d.update(api_key="sk-orq-CANARY"), "api_key"),
        (lambda d: d["params"].update(apiKey="sk-orq-CANARY"), "params.apiKey"),
        (
            lambda d: d["orq"].update(identity={"id": "i", "metadata": [{"Authorization": "x"}]}),
            "orq.identity.metadata[0].Authorization",
        ),
        (lambda d: d.update(system_prompt="Bearer sk-orq-CANARY-1234567890"), "system_prompt"),
        (lambda d: d["orq"].update(inputs={"access-token": "t0k3n"}), "orq.inputs.access-token"),
    ],
)
def test_key_like_fields_refuse_the_preset_without_repeating_the_key(
    place: Any, expected_path: str
) -> None:
    data = good()
    place(data)
    reason = refused(data)
    assert "looks like an API key" in reason
    assert expected_path in reason
    assert "CANARY" not in reason
    assert "t0k3n" not in reason


def test_make_preset_refuses_a_key_in_the_options() -> None:
    with pytest.raises(PresetError, match="looks like an API key"):
        make_preset("A", {**OPTIONS, "api_key": "sk-1"}, "", {})


def test_ordinary_fields_are_not_mistaken_for_keys() -> None:
    data = {
        "max_completion_tokens": 5,
        "knowledge_bases": [{"knowledge_id": "k"}],
        "inputs": [{"key": "name", "value": "Bearer of bad news"}],
        "thinking": {"budget_tokens": 1024},
        "system_prompt": "Bearer of bad news, be kind.",
    }
    assert find_key_fields(data) == []


def test_names_are_trimmed_and_whitespace_collapsed() -> None:
    assert clean_name("  Two \t words  ") == "Two words"
    with pytest.raises(PresetError):
        clean_name(None)


def test_the_editable_parameters_are_what_a_preset_holds() -> None:
    params = {k: None for k in EDITABLE_CHAT_PARAMS}
    preset = Preset("A", "m", params)
    assert set(preset.options()) == EDITABLE_CHAT_PARAMS | {"model"}


def test_keep_thread_id() -> None:
    new = {"thread": {"id": "a", "tags": ["t"]}, "retry": {"count": 1}}
    assert keep_thread_id(new, {"thread": {"id": "b"}}) == {
        "thread": {"id": "b", "tags": ["t"]},
        "retry": {"count": 1},
    }
    assert keep_thread_id(new, {}) == new
    assert keep_thread_id({"retry": {"count": 1}}, {"thread": {"id": "b"}}) == {
        "retry": {"count": 1}
    }
    assert new["thread"]["id"] == "a"  # not changed in place
