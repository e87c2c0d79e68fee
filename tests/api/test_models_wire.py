"""`to_wire()`: the SDK's defaults and nulls, and the two API generations' shapes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from contract_support import equal_by_value, first_difference

from orq_desktop.api.models import (
    ChatRequest,
    ImageRequest,
    LoadBalancer,
    LoadBalancerEntry,
    Orq,
    as_load_balancer,
    flavour_for,
)

GATEWAY, ROUTER = "/v2/gateway", "/v2/router"
LB_LIST = [
    {"type": "weight_based", "model": "a", "weight": 0.7},
    {"type": "weight_based", "model": "b"},
]
LB_OBJECT = {"type": "weight_based", "models": [{"model": "a", "weight": 0.7}, {"model": "b"}]}
LB_LIST_WIRE = [
    {"type": "weight_based", "model": "a", "weight": 0.7},
    {"type": "weight_based", "model": "b", "weight": 0.5},
]
LB_OBJECT_WIRE = {
    "type": "weight_based",
    "models": [{"model": "a", "weight": 0.7}, {"model": "b", "weight": 0.5}],
}


def chat(**fields: Any) -> ChatRequest:
    base = {"messages": [{"role": "user", "content": "x"}], "model": "m"}
    return ChatRequest.model_validate({**base, **fields})


def test_the_equal_by_value_helper_is_loose_only_about_numbers() -> None:
    assert equal_by_value({"a": [429, 1.5]}, {"a": [429.0, 1.5]})
    assert not equal_by_value({"a": 1}, {"a": True})
    assert not equal_by_value({"a": "1"}, {"a": 1})
    assert not equal_by_value({"a": 1}, {"a": 1, "b": None})
    assert not equal_by_value([1, 2], [1, 2, 3])
    assert not equal_by_value({"a": None}, {"a": 0})
    assert (
        first_difference({"x": {"y": [1, "a"]}}, {"x": {"y": [1, "b"]}}) == "$.x.y[1]: 'a' != 'b'"
    )


def test_the_minimal_request_sends_stream_false() -> None:
    assert chat().to_wire() == {
        "messages": [{"role": "user", "content": "x"}],
        "model": "m",
        "stream": False,
    }


def test_stream_flag_and_its_null() -> None:
    assert chat(stream=True).to_wire()["stream"] is True
    assert "stream" not in chat(stream=None).to_wire()  # optional, not nullable: dropped
    streamed = chat().model_copy(update={"stream": True})
    assert streamed.to_wire()["stream"] is True


def test_explicit_none_is_null_only_for_nullable_fields() -> None:
    wire = chat(temperature=None, stop=None, verbosity=None, tools=None, orq=None).to_wire()
    assert wire["temperature"] is None and wire["stop"] is None
    assert "verbosity" not in wire and "tools" not in wire and "orq" not in wire
    assert "top_p" not in wire  # never set: never sent


@pytest.mark.parametrize(("prefix", "ttl"), [(GATEWAY, 1800), (ROUTER, 3600), ("/v3/router", 3600)])
def test_cache_ttl_default_depends_on_the_api_generation(prefix: str, ttl: int) -> None:
    req = chat(orq={"cache": {"type": "exact_match"}}, cache={"type": "exact_match"})
    wire = req.to_wire(prefix)
    assert wire["orq"]["cache"] == {"type": "exact_match", "ttl": ttl}
    assert wire["cache"] == {"type": "exact_match", "ttl": ttl}


def test_cache_ttl_set_or_nulled_is_not_replaced_by_the_default() -> None:
    assert chat(orq={"cache": {"type": "exact_match", "ttl": 60}}).to_wire(ROUTER)["orq"][
        "cache"
    ] == {"type": "exact_match", "ttl": 60}
    nulled = chat(orq={"cache": {"type": "exact_match", "ttl": None}})
    assert nulled.to_wire(GATEWAY)["orq"]["cache"] == {"type": "exact_match"}


def test_knowledge_base_search_type_default_only_on_the_gateway() -> None:
    req = chat(orq={"knowledge_bases": [{"knowledge_id": "k", "top_k": None}]})
    assert req.to_wire(GATEWAY)["orq"]["knowledge_bases"] == [
        {"knowledge_id": "k", "search_type": "hybrid_search"}
    ]
    # The newer API has no default and lets top_k be null.
    assert req.to_wire(ROUTER)["orq"]["knowledge_bases"] == [{"knowledge_id": "k", "top_k": None}]


def test_defaults_the_sdk_writes() -> None:
    req = chat(
        orq={
            "retry": {"on_codes": [429]},
            "knowledge_bases": [{"knowledge_id": "k", "rerank_config": {"model": "r"}}],
        },
        response_format={"type": "json_schema", "json_schema": {"name": "A"}},
        messages=[
            {
                "role": "user",
                "content": [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}],
            }
        ],
    )
    wire = req.to_wire()
    assert wire["orq"]["retry"] == {"count": 3, "on_codes": [429]}
    assert wire["orq"]["knowledge_bases"][0]["rerank_config"] == {
        "model": "r",
        "threshold": 0,
        "top_k": 10,
    }
    assert wire["response_format"]["json_schema"] == {"name": "A", "strict": False}
    assert wire["messages"][0]["content"][0]["cache_control"] == {"type": "ephemeral", "ttl": "5m"}


def test_image_n_is_sent_as_one_unless_set() -> None:
    base = {"prompt": "p", "model": "openai/gpt-image-1"}
    assert ImageRequest.model_validate(base).to_wire() == {**base, "n": 1}
    assert ImageRequest.model_validate({**base, "n": None}).to_wire() == {**base, "n": None}
    assert ImageRequest.model_validate({**base, "n": 3}).to_wire(ROUTER)["n"] == 3


@pytest.mark.parametrize("given", [LB_LIST, LB_OBJECT], ids=["list-in", "object-in"])
def test_load_balancer_either_form_goes_out_in_the_generations_shape(given: Any) -> None:
    req = chat(orq={"load_balancer": given}, load_balancer=given)
    image = ImageRequest.model_validate(
        {"prompt": "p", "model": "m", "orq": {"load_balancer": given}, "load_balancer": given}
    )
    for wire in (req.to_wire(GATEWAY), image.to_wire(GATEWAY)):
        assert wire["orq"]["load_balancer"] == LB_LIST_WIRE
        assert wire["load_balancer"] == LB_LIST_WIRE
    for wire in (req.to_wire(ROUTER), image.to_wire(ROUTER)):
        assert wire["orq"]["load_balancer"] == LB_OBJECT_WIRE
        assert wire["load_balancer"] == LB_OBJECT_WIRE


def test_load_balancer_keeps_its_given_form_in_a_plain_dump() -> None:
    as_list = Orq.model_validate({"load_balancer": LB_LIST}).model_dump(mode="json")
    as_object = Orq.model_validate({"load_balancer": LB_OBJECT}).model_dump(mode="json")
    assert as_list["load_balancer"] == LB_LIST_WIRE
    assert as_object["load_balancer"] == LB_OBJECT_WIRE


def test_empty_load_balancer_converts_too() -> None:
    assert chat(load_balancer=[]).to_wire(ROUTER)["load_balancer"] == {
        "type": "weight_based",
        "models": [],
    }
    empty_object = {"type": "weight_based", "models": []}
    assert chat(load_balancer=empty_object).to_wire(GATEWAY)["load_balancer"] == []


def test_as_load_balancer_gives_the_object_form() -> None:
    entries = [LoadBalancerEntry(type="weight_based", model="a", weight=0.2)]
    balanced = as_load_balancer(entries)
    assert isinstance(balanced, LoadBalancer)
    assert [(m.model, m.weight) for m in balanced.models] == [("a", 0.2)]
    assert as_load_balancer(balanced) is balanced


@pytest.mark.parametrize(
    ("prefix", "flavour"),
    [
        ("/v2/gateway", "gateway"),
        ("/v2/gateway/", "gateway"),
        ("/v2/router", "router"),
        ("/v3/router", "router"),
        ("/v2/proxy", "router"),
    ],
)
def test_flavour_for(prefix: str, flavour: str) -> None:
    assert flavour_for(prefix) == flavour


def test_json_schema_keys_the_sdk_would_drop_are_kept() -> None:
    # The 4.1 SDK keeps only type/properties/required/additionalProperties (CONTRACT §3.1);
    # JSON Schema is open-ended, so we send the whole schema.
    parameters = {
        "type": "object",
        "properties": {"a": {"$ref": "#/$defs/A"}},
        "$defs": {"A": {"type": "string"}},
        "description": "d",
        "additionalProperties": False,
    }
    req = chat(tools=[{"function": {"name": "f", "parameters": parameters}}])
    assert req.to_wire()["tools"][0]["function"]["parameters"] == parameters


def test_to_wire_is_json_and_leaves_the_model_alone() -> None:
    req = chat(orq={"cache": {"type": "exact_match"}, "load_balancer": LB_LIST}, temperature=0.5)
    before = req.model_dump()
    body = json.loads(json.dumps(req.to_wire(ROUTER)))
    assert body["temperature"] == 0.5
    assert req.model_dump() == before
    assert req.orq is not None and req.orq.cache is not None and req.orq.cache.ttl is None
